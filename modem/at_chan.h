/* SPDX-License-Identifier: MIT */
/*
 * The AT channel (GUIDE.md §4.9 layer 2): command queue, response routing,
 * unsolicited result codes, deadlines, resynchronisation and dead detection.
 *
 * It owns no file descriptor and reads no clock: the caller feeds received
 * bytes with at_chan_feed(), calls at_chan_tick() when at_chan_next_deadline()
 * has passed and at_chan_writable() when the transport can take more bytes
 * (poll for POLLOUT while at_chan_wants_write() is true). Bytes go out through
 * the write callback, which may accept fewer bytes than offered.
 *
 * Time: every entry point that takes @now_ms records it; at_chan_send() uses
 * the most recently recorded time, so a caller that was idle should call
 * at_chan_tick(now) before sending. Deadlines start when the last byte of a
 * command (its '\r', or the payload's Ctrl-Z) has been accepted by the writer.
 *
 * Re-entrancy: every callback may send, cancel, register or unregister URC
 * handlers, reset the channel or free it (freeing is deferred until the
 * outermost channel call returns).
 */
#ifndef FIELDGATE_MODEM_AT_CHAN_H
#define FIELDGATE_MODEM_AT_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "modem/at_error.h"
#include "modem/at_result.h"

#define AT_TIMEOUT_DEFAULT_MS 5000 /* short queries */
#define AT_TIMEOUT_SEND_MS 60000   /* AT+CMGS network send (issue 3) */
#define AT_TIMEOUT_PROMPT_MS 10000 /* wait for "> " */

enum at_chan_state {
	AT_STATE_IDLE,		  /* nothing in flight */
	AT_STATE_SENDING,	  /* writing the command head "AT...\r" */
	AT_STATE_WAIT_PROMPT,	  /* head written, waiting for "> " */
	AT_STATE_SENDING_PAYLOAD, /* writing payload + Ctrl-Z */
	AT_STATE_WAIT_FINAL,	  /* collecting lines until a final result */
	AT_STATE_RESYNC,	  /* after a timeout: quiet period and probe */
	AT_STATE_DEAD,		  /* unresponsive or transport gone */
};

enum at_event {
	AT_EVENT_REBOOT,      /* boot banner (RDY, ^BOOT, SMS Ready, ...) */
	AT_EVENT_RESYNC,      /* entered RESYNC after a timeout */
	AT_EVENT_RESYNCED,    /* probe succeeded, back to work */
	AT_EVENT_DEAD,	      /* entered DEAD */
	AT_EVENT_OVERFLOW,    /* an overlong line was dropped */
	AT_EVENT_STALE_FINAL, /* a final result nobody waited for */
	AT_EVENT_UNKNOWN,     /* a line nobody claimed (dropped) */
};

/*
 * Write callback: offer @len bytes; return how many were accepted (0..len),
 * 0 or -EAGAIN when the transport is full, another negative errno when the
 * transport is gone (the channel goes DEAD).
 */
typedef ssize_t (*at_write_cb)(const uint8_t *buf, size_t len, void *user_data);
/*
 * Completion callback. @err is NULL on OK/CONNECT. @res is never NULL; it
 * and @err are borrowed for the duration of the call.
 */
typedef void (*at_cmd_cb)(const struct at_error *err,
		const struct at_result *res, void *user_data);
typedef void (*at_destroy_cb)(void *user_data);
/*
 * URC callback. @line is the URC line; @pdu the following PDU line for URCs
 * registered with has_pdu (NULL when the modem did not send one). Borrowed.
 */
typedef void (*at_urc_cb)(const char *line, const char *pdu, void *user_data);
typedef void (*at_event_cb)(
		enum at_event ev, const char *line, void *user_data);
/* Debug trace: one NUL-terminated line with control bytes escaped. */
typedef void (*at_debug_cb)(const char *msg, void *user_data);

struct at_chan_config {
	at_write_cb write; /* required */
	void *write_data;
	size_t line_max;	   /* 0: AT_LINE_MAX_DEFAULT */
	unsigned quiet_ms;	   /* RESYNC quiet period; 0: 500 */
	unsigned probe_timeout_ms; /* 0: 3000 */
	unsigned max_probes;	   /* probes before DEAD; 0: 3 */
	unsigned max_timeouts;	   /* consecutive timeouts → DEAD; 0: 3 */
	bool numeric_results;	   /* accept ATV0 codes ("0", "4") */
	/*
	 * Resync probe (NULL: "AT+CMEE?" / "+CMEE:"). Its success needs the
	 * distinctive line, so that a late bare OK of the timed-out command
	 * is not taken for the probe's answer.
	 */
	const char *probe_cmd;
	const char *probe_prefix;
};

/*
 * A wildcard ("") prefix collects at most this many lines per command;
 * more are dropped as unknown lines (a URC flood must not grow a result
 * without bound). Declared prefixes are not capped (AT+CMGL of a store).
 */
#define AT_RESULT_WILDCARD_MAX 64

struct at_cmd_desc {
	const char *cmd; /* without '\r', e.g. "AT+CSQ"; copied */
	/*
	 * Declared information-response prefixes, NULL-terminated (NULL:
	 * none), e.g. {"+CSQ:", NULL}; copied. "" means "any line that is
	 * not a final, a registered URC or a boot banner" (AT+CGSN, AT+CIMI).
	 */
	const char *const *prefixes;
	/*
	 * Each line matching a declared prefix is followed by a data line
	 * (the PDU of +CMGR:/+CMGL:, or a text-mode body): the engine knows
	 * no command, the command declares it.
	 */
	bool data_lines;
	/*
	 * Prompt commands (AT+CMGS=<n>, AT+CMGW=<n>): the text written after
	 * "> ", Ctrl-Z is appended by the channel. NULL: no prompt. Copied.
	 */
	const char *payload;
	unsigned timeout_ms;	    /* final-result deadline; 0: default */
	unsigned prompt_timeout_ms; /* 0: AT_TIMEOUT_PROMPT_MS */
};

struct at_chan;

/*
 * at_chan_new() - create a channel in IDLE state.
 * @cfg is copied (its strings too). Returns the channel (free it with
 * at_chan_free()) or NULL when out of memory or cfg->write is NULL.
 */
struct at_chan *at_chan_new(const struct at_chan_config *cfg);
/*
 * at_chan_free() - free the channel. Commands still queued or in flight get
 * their destroy notify (no completion callback), URC handlers too. Safe from
 * inside a callback (the free happens when the channel call returns).
 */
void at_chan_free(struct at_chan *chan);

/* Channel events (reboot, resync, dead, ...); @user_data borrowed. */
void at_chan_set_event_cb(
		struct at_chan *chan, at_event_cb cb, void *user_data);
/*
 * Debug trace hook: every byte in and out, every dropped line, with control
 * bytes escaped ("\r", "\x1a"); @user_data borrowed. NULL disables.
 */
void at_chan_set_debug(struct at_chan *chan, at_debug_cb cb, void *user_data);

/*
 * at_chan_send() - queue a command; it starts at once if nothing is in
 * flight. @cb (may be NULL) runs exactly once unless the command is
 * canceled while queued; then @destroy(@user_data) runs (may be NULL).
 * Returns the command id (> 0), -EINVAL (bad descriptor: empty command or a
 * '\r'/'\n' inside it), -ENOTCONN (channel DEAD), -ENOMEM. On failure
 * neither @cb nor @destroy runs.
 */
int at_chan_send(struct at_chan *chan, const struct at_cmd_desc *desc,
		at_cmd_cb cb, void *user_data, at_destroy_cb destroy);
/*
 * at_chan_cancel() - cancel command @id. Queued: removed, destroy runs.
 * In flight: its callback runs now with AT_ERR_CANCELED, destroy runs, and
 * its response is still consumed and thrown away (a prompt not yet answered
 * is aborted with ESC). Returns 0 or -ENOENT.
 */
int at_chan_cancel(struct at_chan *chan, int id);

/*
 * at_chan_register_urc() - route lines starting with @prefix (ending in
 * ':', e.g. "+CMTI:") or equal to it ("RING") to @cb. @has_pdu: the next
 * line is a PDU handed over with it (+CMT:, +CDS:, +CBM:). The first
 * matching handler wins. Returns the handler id (> 0), -EINVAL, -ENOMEM.
 * @destroy(@user_data) runs on unregister or free.
 */
int at_chan_register_urc(struct at_chan *chan, const char *prefix, bool has_pdu,
		at_urc_cb cb, void *user_data, at_destroy_cb destroy);
/* Remove a URC handler (safe inside its own callback). 0 or -ENOENT. */
int at_chan_unregister_urc(struct at_chan *chan, int id);

/* Received bytes. @buf is borrowed. */
void at_chan_feed(struct at_chan *chan, const uint8_t *buf, size_t len,
		uint64_t now_ms);
/* Run expired deadlines. */
void at_chan_tick(struct at_chan *chan, uint64_t now_ms);
/* The transport can take more bytes. */
void at_chan_writable(struct at_chan *chan, uint64_t now_ms);
/* True while bytes are waiting for at_chan_writable(). */
bool at_chan_wants_write(const struct at_chan *chan);
/* Earliest deadline in ms (same clock as now_ms), or -1 when none. */
int64_t at_chan_next_deadline(const struct at_chan *chan);

/*
 * at_chan_set_dead() - the transport is gone (EOF, HUP, EIO): go DEAD now;
 * in-flight and queued commands complete with AT_ERR_IO.
 */
void at_chan_set_dead(struct at_chan *chan);
/*
 * at_chan_reset() - after the transport was reopened: fail anything left
 * with AT_ERR_IO, forget partial input and counters, go IDLE.
 */
void at_chan_reset(struct at_chan *chan, uint64_t now_ms);

/*
 * at_chan_fail_queued() - complete every queued command that has not
 * started with AT_ERR_CANCELED (payload_sent false); the command in flight
 * goes on. For a modem that rebooted: commands queued for its old state
 * (a store selection, PDU mode) must not reach the new one. Safe inside
 * callbacks. Returns how many were failed.
 */
size_t at_chan_fail_queued(struct at_chan *chan);

enum at_chan_state at_chan_get_state(const struct at_chan *chan);
const char *at_chan_state_str(enum at_chan_state st);
/* Number of commands queued, the one in flight included. */
size_t at_chan_pending(const struct at_chan *chan);

#endif
