/* SPDX-License-Identifier: MIT */
/*
 * The modem driver (issue 3 "The modem driver", docs/MODEM-DRIVER.md): one
 * GSM modem behind a serial port, driven with AT commands (TS 27.005,
 * TS 27.007) through modem/at_chan.h over modem/transport.h.
 *
 * Event-driven and single-threaded: the driver owns the transport and its
 * fd but no poll loop and no clock. The caller's loop:
 *
 *	fd = modem_fd(m);		// -1 while closed / backing off
 *	events = POLLIN | (modem_wants_write(m) ? POLLOUT : 0);
 *	timeout = modem_next_deadline(m) - now;	// -1: no deadline
 *	poll(...);
 *	if (revents & (POLLHUP | POLLERR)) modem_handle_hangup(m, now);
 *	if (revents & POLLIN)  modem_handle_readable(m, now);
 *	if (revents & POLLOUT) modem_handle_writable(m, now);
 *	modem_tick(m, now);			// always, it is cheap
 *
 * The fd may change after a reopen: ask modem_fd() before every poll().
 * Everything the caller must know arrives through struct modem_callbacks,
 * called from inside the modem_* calls above. Callbacks may call any
 * modem_* function except modem_free() (use a flag and free afterwards).
 *
 * The driver never logs (debug hook only), never reads the clock (now_ms is
 * a monotonic millisecond count chosen by the caller), has no threads and
 * no global state.
 *
 * Errors: negative errno (-EINVAL bad argument, -ENOMEM, -ENOTCONN modem not
 * usable, -EBUSY one already in progress, -ENOENT unknown handle/id).
 */
#ifndef FIELDGATE_MODEM_MODEM_H
#define FIELDGATE_MODEM_MODEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modem/modem_parse.h"
#include "modem/sms_pdu.h"
#include "modem/ussd.h"

struct modem;

enum modem_state {
	MODEM_STATE_CLOSED,	  /* created, modem_start() not called yet */
	MODEM_STATE_OPENING,	  /* opening the device */
	MODEM_STATE_INITIALISING, /* sync, PIN, storage, CNMI, identity */
	MODEM_STATE_READY,	  /* receiving and sending */
	MODEM_STATE_DOWN,	  /* lost; reopening after a backoff */
	MODEM_STATE_FAILED,	  /* needs a human (PIN/PUK/SIM): no retry */
};

enum modem_delivery {
	MODEM_DELIVERY_STORED, /* AT+CNMI=2,1: +CMTI, read, delete */
	MODEM_DELIVERY_DIRECT, /* AT+CNMI=2,2: +CMT, ack with AT+CNMA */
};

/* Configuration. modem_config_init() sets the defaults noted. */
struct modem_config {
	const char *name;    /* for debug lines; default "modem" */
	const char *device;  /* transport_open() spec; required */
	int baud;	     /* default 115200 */
	bool rtscts;	     /* default false */
	const char *pin;     /* SIM PIN or NULL; never retried if wrong */
	const char *storage; /* "SM" (default), "ME" or "MT" */
	enum modem_delivery delivery; /* default STORED */
	bool text_mode_fallback;      /* AT+CMGF=1 if PDU mode is refused;
				  * else FAILED (docs/MODEM-DRIVER.md) */
	enum ussd_mode ussd_mode;     /* default USSD_MODE_PLAIN */
	unsigned sweep_interval_ms;   /* AT+CPMS?/AT+CMGL; default 60000 */
	unsigned status_interval_ms;  /* CSQ/CREG/COPS/CPMS; default 60000 */
	unsigned cmd_timeout_ms;      /* short commands; default 5000 */
	unsigned send_timeout_ms;     /* AT+CMGS final; default 60000 */
	unsigned ussd_timeout_ms;     /* wait for +CUSD; default 30000 */
	unsigned cnma_deadline_ms;    /* DIRECT: release within; default
				      * 10000 (modems wait ~15 s) */
	unsigned max_failures;	      /* consecutive command failures
				      * before AT+CFUN=1,1; default 3 */
	unsigned sim_busy_max_ms;     /* wait out SIM busy; default 60000 */
	unsigned backoff_min_ms;      /* reopen backoff; default 1000 */
	unsigned backoff_max_ms;      /* doubling up to; default 60000 */
	unsigned reboot_settle_ms;    /* quiet after a boot banner before
				      * re-init; default 1000 */
	/*
	 * Reception first (docs/MODEM-DRIVER.md "Reception first"): a send
	 * waits while a read, delete or sweep is queued or running, or a
	 * stored message is out and not yet released, but never longer than
	 * this; default 4000.
	 */
	unsigned send_starve_ms;
	/*
	 * After a read that leaves a command's response incomplete, wait
	 * this long before reading again, so a paced serial line (115200
	 * baud: 11.5 bytes per ms) is read in a few large chunks instead of
	 * one wake-up per few bytes; default 20, UINT_MAX: off.
	 */
	unsigned read_coalesce_ms;
	/*
	 * Timings of recovery, settable so that tests run fast; 0 means the
	 * default noted (and modem_config_init() leaves them 0).
	 */
	unsigned resync_quiet_ms;   /* AT channel quiet period after a
				      * timeout before its probe; 500
				      * (x2: re-list after a failed read
				      * or delete, x10: after a failed
				      * list) */
	unsigned probe_timeout_ms;  /* resync probe deadline; 3000 */
	unsigned sync_timeout_ms;   /* each start-up "AT"; 1500 */
	unsigned reset_wait_ms;	    /* boot banner expected after
				      * AT+CFUN=1,1; 20000 */
	unsigned sim_busy_first_ms; /* first SIM-busy retry delay (then
				      * doubling, up to 5000); 500 */
	/*
	 * Start-up sends AT^CURC=0 (Huawei: periodic ^RSSI, ^BOOT, ^MODE
	 * URCs off; MODEM-QUIRKS "URC floods"); other modems answer ERROR,
	 * which is ignored. true: skip that step.
	 */
	bool keep_vendor_urcs;
};

/* Fill @cfg with defaults (device NULL: the caller must set it). */
void modem_config_init(struct modem_config *cfg);

/*
 * One received SMS (status reports go to their own callback instead).
 * Allocated and owned by the driver; the caller MUST give it back exactly
 * once with modem_sms_release() (then it is freed), or it is freed by
 * modem_free(). All fields are read-only. While it is out, the driver
 * never hands over the same store/index again.
 */
struct modem_sms {
	uint64_t id;		     /* unique within this struct modem */
	const char *pdu_hex;	     /* raw PDU as read, SMSC prefix included */
	size_t tpdu_len;	     /* the <length> the modem announced */
	bool direct;		     /* +CMT delivery: nothing on the SIM */
	char store[MODEM_STORE_MAX]; /* "SM"/"ME"/... ; "" when direct */
	int index;		     /* storage index; -1 when direct */
	int stat;		     /* +CMGL/+CMGR <stat>: 0 unread, 1 read;
				 * -1 when direct */
	int decode_err;		     /* 0: msg is valid; else -EINVAL ... */
	const char *decode_reason;   /* static text when decode_err != 0 */
	struct sms msg;		     /* decoded when decode_err == 0 */
	/*
	 * Text-mode fallback (AT+CMGF=1): pdu_hex is "", msg is built from
	 * the text header (type DELIVER, addr, scts, text as the modem
	 * printed it, dcs GSM7); no UDH, so no concatenation info.
	 */
	bool text_mode;
	/*
	 * Line noise: the PDU line held bytes that are not hex digits, so
	 * pdu_hex is the hex of the line's raw bytes (valid ASCII), and
	 * decode_err is set. Stored messages are re-read (up to twice)
	 * before one is handed over like this.
	 */
	bool garbled;
	unsigned reads; /* times the slot was read for this hand-over, >= 1 */
};

/* A status report (SMS-STATUS-REPORT, TS 23.040 §9.2.2.3). Borrowed. */
struct modem_status_report {
	const char *pdu_hex; /* raw */
	int decode_err;	     /* 0: msg valid */
	const char *decode_reason;
	struct sms msg; /* msg.mr: the TP-MR of the SUBMIT;
				 * msg.status: TP-ST */
};

/* A +CUSD (TS 27.007 §7.15). Borrowed for the callback. */
struct modem_ussd_reply {
	int m;			/* 0 done, 1 further action required, 2
				 * terminated by network, 3 other client, 4
				 * not supported, 5 network time out; -1
				 * the driver's own timeout or error */
	bool network_initiated; /* no request of ours was pending */
	const char *text;	/* decoded UTF-8, "" when none/undecodable */
	const char *raw;	/* <str> as received, "" when absent */
	int dcs;		/* -1 when absent */
	int decode_err;		/* 0, or -EINVAL/-ENOTSUP: text is "" */
	const char *error;	/* driver-side failure text, else NULL */
};

/* Network and SIM information; fields -1 / "" when unknown. */
struct modem_info {
	/*
	 * Registration, from whichever domain is registered: circuit
	 * (+CREG), else EPS (+CEREG: LTE-only modems register there only,
	 * SMS over SGs/IMS works), else GPRS (+CGREG); when none is, the
	 * circuit state. lac/ci are then that domain's (TAC/ECI for EPS).
	 */
	int reg_stat; /* <stat>, 0..10 */
	long lac;
	long ci;
	int act;
	const char *reg_domain; /* "CS", "EPS", "PS"; static, "" unknown */
	int cs_stat, ps_stat, eps_stat; /* per domain, -1 unknown */
	char oper[MODEM_OPER_MAX];
	bool signal_known;
	int signal_dbm; /* valid when signal_known */
	int rssi;	/* raw 0..31, 99 */
	char imsi[MODEM_ID_MAX];
	char iccid[MODEM_ID_MAX];
	char imei[MODEM_ID_MAX];
	char store[MODEM_STORE_MAX];
	int store_used;
	int store_total;
};

/* Outcome class of one AT+CMGS. */
enum modem_send_status {
	MODEM_SEND_OK,	      /* accepted by the SMSC: mr valid */
	MODEM_SEND_TEMPORARY, /* not sent; retrying later may succeed */
	MODEM_SEND_PERMANENT, /* not sent; retrying cannot help */
	MODEM_SEND_UNKNOWN,   /* the PDU went to the modem, then timeout /
				 * ERROR / unplug: it may have been sent */
};

struct modem_send_result {
	enum modem_send_status status;
	int mr;		   /* TP-MR 0..255 when OK, else -1 */
	int cms;	   /* +CMS ERROR code, -1 when none */
	const char *error; /* human text when not OK, else NULL */
};

/*
 * Send completion: called exactly once per accepted modem_send_pdu(), also
 * from modem_free() (then TEMPORARY "modem freed" or UNKNOWN). @res is
 * borrowed.
 */
typedef void (*modem_send_cb)(struct modem *m, uint64_t send_id,
		const struct modem_send_result *res, void *user_data);
/* USSD reply to a modem_ussd() request. @reply borrowed. */
typedef void (*modem_ussd_cb)(struct modem *m,
		const struct modem_ussd_reply *reply, void *user_data);

struct modem_callbacks {
	/*
	 * State change. @reason: static or driver-owned text, valid during
	 * the call (why DOWN or FAILED; NULL otherwise).
	 */
	void (*state)(struct modem *m, enum modem_state st, const char *reason,
			void *user_data);
	/*
	 * A received SMS; @sms is owned by the driver until the caller
	 * passes it to modem_sms_release() (may be later, after a database
	 * commit). Undecodable PDUs are handed over too (decode_err != 0).
	 */
	void (*sms)(struct modem *m, struct modem_sms *sms, void *user_data);
	/* A status report (acked/deleted after the callback returns). */
	void (*status_report)(struct modem *m,
			const struct modem_status_report *sr, void *user_data);
	/* Network-initiated USSD (and late replies nobody waits for). */
	void (*ussd)(struct modem *m, const struct modem_ussd_reply *reply,
			void *user_data);
	/* Network info changed or was refreshed. @info borrowed. */
	void (*info)(struct modem *m, const struct modem_info *info,
			void *user_data);
	/* Debug trace line (AT traffic, decisions). May be NULL. */
	void (*debug)(struct modem *m, const char *msg, void *user_data);
};

/*
 * modem_new() - create a driver in state CLOSED. @cfg and its strings are
 * copied; @cbs copied; @user_data passed to every callback.
 * Returns 0 and stores the modem in *@ret_m (free with modem_free()), or
 * -EINVAL (no device, bad storage), -ENOMEM.
 */
int modem_new(const struct modem_config *cfg, const struct modem_callbacks *cbs,
		void *user_data, struct modem **ret_m);

/*
 * modem_free() - close the device and free everything. Pending sends get
 * their callback (TEMPORARY if never written, UNKNOWN if the PDU went out);
 * USSD requests get theirs (m = -1); unreleased struct modem_sms are freed.
 * NULL is a no-op. Never call it from inside a callback.
 */
void modem_free(struct modem *m);

/* Start: open the device (state OPENING, then INITIALISING...). 0 or
 * -EALREADY. */
int modem_start(struct modem *m, uint64_t now_ms);

/* Poll integration (see the top of this file). */
int modem_fd(const struct modem *m);
bool modem_wants_write(const struct modem *m);
/*
 * False while the driver lets a response in progress accumulate in the
 * kernel (read_coalesce_ms): leave POLLIN out then; modem_next_deadline()
 * says when it ends and modem_tick() reads what came. Callers that always
 * poll for input lose only the saving.
 */
bool modem_wants_read(const struct modem *m);
/* Earliest deadline (ms, caller's clock), -1 when none. */
int64_t modem_next_deadline(const struct modem *m);
void modem_handle_readable(struct modem *m, uint64_t now_ms);
void modem_handle_writable(struct modem *m, uint64_t now_ms);
void modem_handle_hangup(struct modem *m, uint64_t now_ms);
void modem_tick(struct modem *m, uint64_t now_ms);

enum modem_state modem_get_state(const struct modem *m);
const char *modem_state_str(enum modem_state st);
/* Why DOWN/FAILED (driver-owned, valid until the next call), or "". */
const char *modem_last_error(const struct modem *m);
/* Current info (driver-owned, valid until the next modem_* call). */
const struct modem_info *modem_get_info(const struct modem *m);
/* Name from the config (driver-owned). */
const char *modem_name(const struct modem *m);

/*
 * modem_sms_release() - the caller is done with @sms (which is freed).
 * @committed true: the message is safe in the caller's hands, so the driver
 * deletes it (AT+CMGD=<index>, stored) or acknowledges it (AT+CNMA,
 * direct). false: stored → left on the SIM, the next sweep hands it over
 * again; direct → not acked, so the network re-delivers it later.
 * Returns 0, -EINVAL (NULL or not from this modem).
 */
int modem_sms_release(struct modem *m, struct modem_sms *sms, bool committed);
/*
 * modem_sms_reread() - the caller could not store @sms for a reason other
 * than its database being down (a garbled read): like release(false), but
 * a stored message is read again at once (not at the next sweep), and
 * the next hand-over has reads = @sms->reads + 1. Direct: as
 * release(false). Returns 0, -EINVAL.
 */
int modem_sms_reread(struct modem *m, struct modem_sms *sms);

/*
 * modem_send_pdu() - queue one AT+CMGS=<tpdu_len> with @hex (SMSC prefix +
 * TPDU, as sms_encode_submit() makes it; copied). Sends run one at a time,
 * only in READY; they wait while INITIALISING / DOWN (not FAILED).
 * @cb runs exactly once with the outcome (see modem_send_cb), never
 * before this returns (the send starts at the next modem_tick() or
 * handle call; modem_next_deadline() is "now" meanwhile).
 * Returns the send id (> 0) or -EINVAL (bad hex/length), -ENOTCONN
 * (FAILED), -ENOMEM. On error @cb never runs.
 */
int64_t modem_send_pdu(struct modem *m, const char *hex, size_t tpdu_len,
		modem_send_cb cb, void *user_data);

/*
 * modem_ussd() - send a USSD string (a code "*131#" or, inside a session
 * that asked for further action (m = 1), the answer) with AT+CUSD=1.
 * @cb runs once with the reply (m = -1 on timeout/error). One request at a
 * time. Returns 0, -EBUSY (one pending), -ENOTCONN (not READY), -EINVAL
 * (not encodable in the configured mode), -ENOMEM.
 */
int modem_ussd(struct modem *m, const char *code, modem_ussd_cb cb,
		void *user_data);
/* End a USSD session (AT+CUSD=2). 0 or -ENOTCONN. */
int modem_ussd_cancel(struct modem *m);

/* Refresh network info now (the info callback fires when done). 0 or
 * -ENOTCONN. */
int modem_refresh_info(struct modem *m);
/* Run a storage sweep now (AT+CPMS? then AT+CMGL=4). 0 or -ENOTCONN. */
int modem_sweep(struct modem *m);

/* Counters, for tests and metrics. */
struct modem_stats {
	uint64_t at_commands;  /* AT commands issued */
	uint64_t sms_received; /* handed to the sms callback */
	uint64_t sms_deleted;  /* AT+CMGD OK */
	uint64_t sms_acked;    /* AT+CNMA OK */
	uint64_t sweeps;       /* AT+CMGL runs */
	uint64_t resets;       /* AT+CFUN=1,1 */
	uint64_t reopens;      /* device reopened */
	uint64_t reboots_seen; /* boot banners */
	uint64_t sends_ok;
	uint64_t sends_failed;
	uint64_t sends_unknown;
	uint64_t sends_held;	/* sends that waited for reception work */
	uint64_t sends_starved; /* ... and went anyway (send_starve_ms) */
	uint64_t rereads;	/* slots read again (garbled, not stored) */
	uint64_t ussd_notices;	/* network-initiated +CUSD */
};
void modem_get_stats(const struct modem *m, struct modem_stats *ret_stats);

#endif /* FIELDGATE_MODEM_MODEM_H */
