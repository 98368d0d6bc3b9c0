// SPDX-License-Identifier: MIT
/*
 * AT channel tests: a fake writer records every byte sent, a fake clock
 * drives deadlines; no sleeps, no fds. Scenarios follow MODEM-QUIRKS.md.
 */
#include "modem/at_chan.h"

#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct h {
	struct at_chan *c;
	char wr[16384]; /* everything written */
	size_t wlen;
	size_t accept_max; /* per write call; 0 = all */
	int write_err;	   /* next write fails with it */
	uint64_t now;
	char log[16384]; /* completions, URCs and events */
	size_t llen;
	int destroyed;
	int urc_id;
	bool byte_mode; /* feed one byte at a time */
};

static struct h *H;

static void logf_(struct h *h, const char *fmt, ...)
{
	va_list ap;

	/* Clamped: vsnprintf returns the untruncated length. */
	if (h->llen >= sizeof(h->log) - 1)
		return;
	va_start(ap, fmt);
	h->llen += (size_t) vsnprintf(
			h->log + h->llen, sizeof(h->log) - h->llen, fmt, ap);
	va_end(ap);
	if (h->llen > sizeof(h->log) - 1)
		h->llen = sizeof(h->log) - 1;
}

static ssize_t fake_write(const uint8_t *buf, size_t len, void *ud)
{
	struct h *h = ud;

	if (h->write_err)
		return h->write_err;
	if (h->accept_max && len > h->accept_max)
		len = h->accept_max;
	ck_assert_uint_lt(h->wlen + len, sizeof(h->wr));
	memcpy(h->wr + h->wlen, buf, len);
	h->wlen += len;
	h->wr[h->wlen] = '\0';
	return (ssize_t) len;
}

static const char *ev_name(enum at_event ev)
{
	static const char *const n[] = {"REBOOT", "RESYNC", "RESYNCED", "DEAD",
			"OVERFLOW", "STALE", "UNKNOWN"};
	return n[ev];
}

static void on_event(enum at_event ev, const char *line, void *ud)
{
	logf_(ud, "E:%s(%s);", ev_name(ev), line ? line : "");
}

static void on_debug(const char *msg, void *ud)
{
	(void) ud;
	/* Escaped: never raw control bytes. */
	for (const char *p = msg; *p; p++)
		ck_assert((unsigned char) *p >= 0x20);
}

/* Per-command context; @then runs inside the completion callback. */
struct ctx {
	struct h *h;
	char tag[16];
	void (*then)(struct ctx *x);
};

static void on_done(const struct at_error *err, const struct at_result *res,
		void *ud)
{
	struct ctx *x = ud;
	struct h *h = x->h;

	logf_(h, "%s:", x->tag);
	if (err)
		logf_(h, "%s/%d%s", at_error_type_str(err->type), err->code,
				err->payload_sent ? "/sent" : "");
	else
		logf_(h, "ok");
	if (at_result_count(res))
		logf_(h, " ");
	for (size_t i = 0; i < at_result_count(res); i++) {
		bool pdu;
		const char *l = at_result_line(res, i, &pdu);

		logf_(h, "%s[%s]", pdu ? "D" : "L", l);
	}
	logf_(h, ";");
	if (x->then)
		x->then(x);
}

static void on_destroy(void *ud)
{
	struct ctx *x = ud;

	x->h->destroyed++;
	free(x);
}

static void on_urc(const char *line, const char *pdu, void *ud)
{
	logf_(ud, "U:%s%s%s;", line, pdu ? "|" : "", pdu ? pdu : "");
}

static struct h *h_new_cfg(struct at_chan_config *cfg)
{
	struct h *h = calloc(1, sizeof(*h));

	cfg->write = fake_write;
	cfg->write_data = h;
	h->c = at_chan_new(cfg);
	ck_assert_ptr_nonnull(h->c);
	at_chan_set_event_cb(h->c, on_event, h);
	at_chan_set_debug(h->c, on_debug, h);
	h->now = 1000;
	at_chan_tick(h->c, h->now);
	ck_assert_int_gt(at_chan_register_urc(h->c, "+CMTI:", false, on_urc, h,
					 NULL),
			0);
	ck_assert_int_gt(at_chan_register_urc(h->c, "+CUSD:", false, on_urc, h,
					 NULL),
			0);
	ck_assert_int_gt(at_chan_register_urc(
					 h->c, "RING", false, on_urc, h, NULL),
			0);
	ck_assert_int_gt(at_chan_register_urc(
					 h->c, "+CMT:", true, on_urc, h, NULL),
			0);
	ck_assert_int_gt(at_chan_register_urc(
					 h->c, "+CDS:", true, on_urc, h, NULL),
			0);
	ck_assert_int_gt(at_chan_register_urc(h->c, "+CREG:", false, on_urc, h,
					 NULL),
			0);
	return h;
}

static struct h *h_new(void)
{
	struct at_chan_config cfg = {.quiet_ms = 100, .probe_timeout_ms = 1000};

	return h_new_cfg(&cfg);
}

static void h_free(struct h *h)
{
	if (h->c)
		at_chan_free(h->c);
	free(h);
}

static void feed(struct h *h, const char *s)
{
	size_t n = strlen(s);

	if (h->byte_mode) {
		for (size_t i = 0; i < n && h->c; i++)
			at_chan_feed(h->c, (const uint8_t *) s + i, 1, h->now);
	} else {
		at_chan_feed(h->c, (const uint8_t *) s, n, h->now);
	}
}

static void advance(struct h *h, uint64_t ms)
{
	h->now += ms;
	at_chan_tick(h->c, h->now);
}

static const char *const P_CSQ[] = {"+CSQ:", NULL};
static const char *const P_CMGS[] = {"+CMGS:", NULL};
static const char *const P_CMGR[] = {"+CMGR:", NULL};
static const char *const P_CMGL[] = {"+CMGL:", NULL};
static const char *const P_CUSD[] = {"+CUSD:", NULL};
static const char *const P_ANY[] = {"", NULL};
static const char *const P_XDATA[] = {"+XDATA:", NULL};

/* Commands whose declared lines carry a data line (the caller says so). */
static bool has_data_lines(const char *const *pfx)
{
	return pfx == P_CMGR || pfx == P_CMGL || pfx == P_XDATA;
}

static int send_full(struct h *h, const char *tag, const char *cmd,
		const char *const *pfx, const char *payload, unsigned timeout,
		void (*then)(struct ctx *))
{
	struct ctx *x = calloc(1, sizeof(*x));
	struct at_cmd_desc d = {.cmd = cmd,
			.prefixes = pfx,
			.payload = payload,
			.data_lines = has_data_lines(pfx),
			.timeout_ms = timeout,
			.prompt_timeout_ms = 500};
	int id;

	x->h = h;
	snprintf(x->tag, sizeof(x->tag), "%s", tag);
	x->then = then;
	id = at_chan_send(h->c, &d, on_done, x, on_destroy);
	if (id < 0)
		free(x);
	return id;
}

static int send(struct h *h, const char *tag, const char *cmd,
		const char *const *pfx)
{
	return send_full(h, tag, cmd, pfx, NULL, 1000, NULL);
}

#define LOG_IS(h, want)                                                        \
	ck_assert_msg(strcmp((h)->log, (want)) == 0, "log:\n%s\nwant:\n%s",    \
			(h)->log, (want))
#define WR_IS(h, want)                                                         \
	ck_assert_msg(strcmp((h)->wr, (want)) == 0, "wrote: %s", (h)->wr)

START_TEST(test_basic)
{
	struct h *h = h_new();

	ck_assert_int_gt(send(h, "a", "AT+CSQ", P_CSQ), 0);
	WR_IS(h, "AT+CSQ\r");
	ck_assert_int_eq(at_chan_get_state(h->c), AT_STATE_WAIT_FINAL);
	ck_assert_int_eq(at_chan_next_deadline(h->c), 2000);
	feed(h, "\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
	LOG_IS(h, "a:ok L[+CSQ: 20,99];");
	ck_assert_int_eq(h->destroyed, 1);
	ck_assert_int_eq(at_chan_get_state(h->c), AT_STATE_IDLE);
	ck_assert_int_eq(at_chan_next_deadline(h->c), -1);
	h_free(h);
}
END_TEST

START_TEST(test_queue_order)
{
	struct h *h = h_new();

	send(h, "a", "AT+CSQ", P_CSQ);
	send(h, "b", "AT+CMEE=1", NULL);
	ck_assert_uint_eq(at_chan_pending(h->c), 2);
	WR_IS(h, "AT+CSQ\r"); /* b waits for a */
	feed(h, "+CSQ: 1,2\r\nOK\r\n");
	WR_IS(h, "AT+CSQ\rAT+CMEE=1\r");
	/* b declares no prefix: a +CSQ line now is unknown, not b's. */
	feed(h, "+CSQ: 3,4\r\nERROR\r\n");
	LOG_IS(h, "a:ok L[+CSQ: 1,2];E:UNKNOWN(+CSQ: 3,4);b:ERROR/-1;");
	h_free(h);
}
END_TEST

/* URCs before the prompt, between PDU and +CMGS, before and after OK. */
START_TEST(test_cmgs_urcs_everywhere)
{
	struct h *h = h_new();

	h->byte_mode = _i;
	send_full(h, "s", "AT+CMGS=23", P_CMGS, "0011AB", 60000, NULL);
	WR_IS(h, "AT+CMGS=23\r");
	ck_assert_int_eq(at_chan_get_state(h->c), AT_STATE_WAIT_PROMPT);
	feed(h, "\r\n+CMTI: \"SM\",1\r\n");
	WR_IS(h, "AT+CMGS=23\r");
	feed(h, "\r\n> ");
	WR_IS(h, "AT+CMGS=23\r0011AB\x1a");
	ck_assert_int_eq(at_chan_get_state(h->c), AT_STATE_WAIT_FINAL);
	ck_assert_int_eq(at_chan_next_deadline(h->c), 1000 + 60000);
	/* incl. a status report (+CDS + PDU) before +CMGS's OK */
	feed(h, "\r\n+CMTI: \"ME\",2\r\n\r\n+CMGS: 77\r\n^RSSI:12\r\n"
		"+CDS: 25\r\n06AB\r\nRING\r\n\r\nOK\r\n+CMTI: \"SM\",3\r\n");
	LOG_IS(h, "U:+CMTI: \"SM\",1;U:+CMTI: \"ME\",2;E:UNKNOWN(^RSSI:12);"
		  "U:+CDS: 25|06AB;U:RING;s:ok L[+CMGS: 77];U:+CMTI: "
		  "\"SM\",3;");
	h_free(h);
}
END_TEST

/* +CMS ERROR instead of the prompt completes the command, no PDU sent. */
START_TEST(test_prompt_then_error)
{
	struct h *h = h_new();

	send_full(h, "s", "AT+CMGS=23", P_CMGS, "0011AB", 60000, NULL);
	send(h, "n", "AT", NULL);
	feed(h, "\r\n+CMS ERROR: 305\r\n");
	WR_IS(h, "AT+CMGS=23\rAT\r");
	feed(h, "OK\r\n");
	LOG_IS(h, "s:+CMS ERROR/305;n:ok;");
	h_free(h);
}
END_TEST

/* Prompt never comes: ESC, timeout without payload, then resync. */
START_TEST(test_prompt_timeout_esc)
{
	struct h *h = h_new();

	send_full(h, "s", "AT+CMGS=23", P_CMGS, "0011AB", 60000, NULL);
	ck_assert_int_eq(at_chan_next_deadline(h->c), 1500);
	advance(h, 499);
	LOG_IS(h, "");
	advance(h, 1);
	WR_IS(h, "AT+CMGS=23\r\x1b");
	LOG_IS(h, "s:timeout/-1;E:RESYNC();");
	ck_assert_int_eq(at_chan_get_state(h->c), AT_STATE_RESYNC);
	h_free(h);
}
END_TEST

/* Timeout after the PDU went out: payload_sent says "outcome unknown". */
START_TEST(test_timeout_after_payload)
{
	struct h *h = h_new();

	send_full(h, "s", "AT+CMGS=23", P_CMGS, "0011AB", 5000, NULL);
	feed(h, "> ");
	advance(h, 5000);
	LOG_IS(h, "s:timeout/-1/sent;E:RESYNC();");
	h_free(h);
}
END_TEST

/* ERROR after the PDU (gammu#416): error flagged as sent. */
START_TEST(test_error_after_payload)
{
	struct h *h = h_new();

	send_full(h, "s", "AT+CMGS=23", P_CMGS, "0011AB", 5000, NULL);
	feed(h, "> ");
	feed(h, "\r\nERROR\r\n");
	LOG_IS(h, "s:ERROR/-1/sent;");
	h_free(h);
}
END_TEST

/* A bare OK instead of a prompt is not success. */
START_TEST(test_ok_without_prompt)
{
	struct h *h = h_new();

	send_full(h, "s", "AT+CMGS=23", P_CMGS, "0011AB", 5000, NULL);
	feed(h, "OK\r\n");
	LOG_IS(h, "s:no prompt/-1;");
	h_free(h);
}
END_TEST

START_TEST(test_cusd_before_and_after_ok)
{
	struct h *h = h_new();

	/* Declared: +CUSD before OK belongs to the command. */
	send(h, "u", "AT+CUSD=1,\"*100#\",15", P_CUSD);
	feed(h, "+CUSD: 0,\"Balance 5\",15\r\nOK\r\n");
	/* After OK, with CR/LF inside quotes, split: a URC. */
	send(h, "v", "AT+CUSD=1,\"*101#\",15", P_CUSD);
	feed(h, "OK\r\n+CUSD: 1,\"Menu\r\n1. A");
	feed(h, "\r\n2. B\",15\r\n");
	/* python-gsmmodem#97: OK, +CME ERROR after it, then +CUSD: 5 */
	feed(h, "+CME ERROR: 258\r\n+CUSD: 5\r\n");
	LOG_IS(h, "u:ok L[+CUSD: 0,\"Balance 5\",15];v:ok;"
		  "U:+CUSD: 1,\"Menu\r\n1. A\r\n2. B\",15;"
		  "E:STALE(+CME ERROR: 258);U:+CUSD: 5;");
	h_free(h);
}
END_TEST

/* URC between +CMGR header and PDU, and between +CMGL entries. */
START_TEST(test_cmgr_cmgl_urcs)
{
	struct h *h = h_new();

	h->byte_mode = _i;
	send(h, "r", "AT+CMGR=1", P_CMGR);
	feed(h, "\r\n+CMGR: 0,,23\r\n+CMTI: \"SM\",9\r\n\r\n0791AA\r\n"
		"+CREG: 1\r\n\r\nOK\r\n");
	send(h, "l", "AT+CMGL=4", P_CMGL);
	feed(h, "+CMGL: 1,0,,5\r\n0011\r\n+CMTI: \"SM\",10\r\n"
		"+CMGL: 2,1,\"x\",6\r\n0022\r\nOK\r\n");
	/* Empty slot: +CMGR: 0,,0 then OK, no PDU. */
	send(h, "e", "AT+CMGR=2", P_CMGR);
	feed(h, "+CMGR: 0,,0\r\n\r\nOK\r\n");
	LOG_IS(h, "U:+CMTI: \"SM\",9;U:+CREG: 1;"
		  "r:ok L[+CMGR: 0,,23]D[0791AA];"
		  "U:+CMTI: \"SM\",10;"
		  "l:ok L[+CMGL: 1,0,,5]D[0011]L[+CMGL: 2,1,\"x\",6]D[0022];"
		  "e:ok L[+CMGR: 0,,0];");
	h_free(h);
}
END_TEST

/*
 * The engine knows no command: a data line follows a declared line only
 * when the command says so (+CMGR: without it is an ordinary line, a
 * vendor prefix with it carries its data line).
 */
START_TEST(test_data_lines_declared)
{
	struct h *h = h_new();
	static const char *const p_plain_cmgr[] = {"+CMGR:", NULL};

	send(h, "x", "AT^XREAD=1", P_XDATA);
	feed(h, "+XDATA: 1,2\r\n0011\r\nOK\r\n");
	send(h, "p", "AT+CMGR=1", p_plain_cmgr);
	feed(h, "+CMGR: 0,,23\r\n0791AA\r\nOK\r\n");
	LOG_IS(h, "x:ok L[+XDATA: 1,2]D[0011];"
		  "E:UNKNOWN(0791AA);p:ok L[+CMGR: 0,,23];");
	h_free(h);
}
END_TEST

/* Two-line URCs (+CMT, +CDS) in and out of a command. */
START_TEST(test_pdu_urcs)
{
	struct h *h = h_new();

	feed(h, "\r\n+CMT: ,23\r\n\r\n0791FF\r\n+CDS: 25\r\n0622\r\n");
	send(h, "a", "AT+CSQ", P_CSQ);
	feed(h, "+CMT: \"alpha\",24\r\n07AA\r\n+CSQ: 9,9\r\nOK\r\n");
	/* A PDU URC whose PDU never comes: handed over without it. */
	feed(h, "+CMT: 23\r\nRING\r\n");
	send(h, "b", "AT", NULL);
	feed(h, "+CDS: 25\r\nOK\r\n");
	LOG_IS(h, "U:+CMT: ,23|0791FF;U:+CDS: 25|0622;"
		  "U:+CMT: \"alpha\",24|07AA;a:ok L[+CSQ: 9,9];"
		  "U:RING;U:+CMT: 23;"
		  "U:+CDS: 25;b:ok;");
	h_free(h);
}
END_TEST

START_TEST(test_overlong_line)
{
	struct at_chan_config cfg = {.line_max = 64};
	struct h *h = h_new_cfg(&cfg);
	char big[200];

	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	send(h, "a", "AT+CSQ", P_CSQ);
	feed(h, big);
	feed(h, "\r\n+CSQ: 1,1\r\nOK\r\n");
	ck_assert_msg(strstr(h->log, "E:OVERFLOW(") == h->log, "%s", h->log);
	ck_assert_msg(strstr(h->log, "a:ok L[+CSQ: 1,1];") != NULL, "%s",
			h->log);
	h_free(h);
}
END_TEST

/* The key rule: a late OK is never credited to the next command. */
START_TEST(test_late_ok_not_credited)
{
	struct h *h = h_new();

	h->byte_mode = _i;
	send(h, "a", "AT+CMGD=3", NULL);
	send(h, "b", "AT+CSQ", P_CSQ);
	advance(h, 1000);
	LOG_IS(h, "a:timeout/-1;E:RESYNC();");
	WR_IS(h, "AT+CMGD=3\r"); /* b not sent during resync */
	ck_assert_int_eq(at_chan_next_deadline(h->c), 2100);
	feed(h, "OK\r\n"); /* a's late OK: stale */
	advance(h, 99);
	WR_IS(h, "AT+CMGD=3\r"); /* quiet period was extended */
	advance(h, 1);
	WR_IS(h, "AT+CMGD=3\rAT+CMEE?\r");
	feed(h, "OK\r\n"); /* bare OK: not the probe's answer */
	ck_assert_int_eq(at_chan_get_state(h->c), AT_STATE_RESYNC);
	feed(h, "+CMEE: 1\r\nOK\r\n");
	WR_IS(h, "AT+CMGD=3\rAT+CMEE?\rAT+CSQ\r");
	feed(h, "+CSQ: 4,4\r\nOK\r\n");
	LOG_IS(h, "a:timeout/-1;E:RESYNC();E:STALE(OK);E:RESYNCED();"
		  "b:ok L[+CSQ: 4,4];");
	h_free(h);
}
END_TEST

/* A flood of URCs cannot postpone the probe for ever (quiet cap). */
START_TEST(test_resync_flood)
{
	struct h *h = h_new();

	send(h, "a", "AT", NULL);
	advance(h, 1000);
	for (int i = 0; i < 10; i++) {
		h->now += 50;
		feed(h, "^RSSI:12\r\n");
		at_chan_tick(h->c, h->now);
	}
	/* quiet 100 ms, cap 4 x 100 ms after the timeout */
	ck_assert_ptr_nonnull(strstr(h->wr, "AT+CMEE?\r"));
	h_free(h);
}
END_TEST

static void then_nothing(struct ctx *x)
{
	(void) x;
}

/* Consecutive timeouts → DEAD; queued commands fail with I/O. */
START_TEST(test_timeouts_dead)
{
	struct at_chan_config cfg = {.quiet_ms = 100, .max_timeouts = 2};
	struct h *h = h_new_cfg(&cfg);

	send(h, "a", "AT", NULL);
	advance(h, 1000);
	advance(h, 100); /* probe */
	feed(h, "+CMEE: 1\r\nOK\r\n");
	send(h, "b", "AT", NULL);
	send_full(h, "c", "AT", NULL, NULL, 1000, then_nothing);
	advance(h, 1000);
	LOG_IS(h, "a:timeout/-1;E:RESYNC();E:RESYNCED();b:timeout/-1;"
		  "c:channel dead/-1;E:DEAD();");
	ck_assert_int_eq(at_chan_get_state(h->c), AT_STATE_DEAD);
	ck_assert_int_eq(send(h, "d", "AT", NULL), -ENOTCONN);
	ck_assert_int_eq(h->destroyed, 3);
	/* Reopened transport: back to work. */
	at_chan_reset(h->c, h->now);
	ck_assert_int_gt(send(h, "e", "AT", NULL), 0);
	feed(h, "OK\r\n");
	ck_assert_ptr_nonnull(strstr(h->log, "e:ok;"));
	h_free(h);
}
END_TEST

/* Probes that get no distinctive line → DEAD after max_probes. */
START_TEST(test_probe_fails_dead)
{
	struct at_chan_config cfg = {.quiet_ms = 100,
			.max_probes = 2,
			.probe_timeout_ms = 300};
	struct h *h = h_new_cfg(&cfg);

	send(h, "a", "AT", NULL);
	advance(h, 1000);
	advance(h, 100);
	feed(h, "OK\r\n"); /* no +CMEE: line: ignored */
	advance(h, 300);   /* probe 1 fails */
	advance(h, 100);
	advance(h, 300); /* probe 2 fails */
	LOG_IS(h, "a:timeout/-1;E:RESYNC();E:DEAD();");
	WR_IS(h, "AT\rAT+CMEE?\rAT+CMEE?\r");
	h_free(h);
}
END_TEST

START_TEST(test_boot_banner)
{
	struct h *h = h_new();

	send(h, "a", "AT+CSQ", P_CSQ);
	feed(h, "\r\nRDY\r\n+CFUN: 1\r\n+CPIN: READY\r\nCall Ready\r\n"
		"SMS Ready\r\n^BOOT:123,0,0,0,72\r\n+CSQ: 3,3\r\nOK\r\n");
	LOG_IS(h, "E:REBOOT(RDY);E:REBOOT(+CFUN: 1);E:UNKNOWN(+CPIN: READY);"
		  "E:REBOOT(Call Ready);E:REBOOT(SMS Ready);"
		  "E:REBOOT(^BOOT:123,0,0,0,72);a:ok L[+CSQ: 3,3];");
	h_free(h);
}
END_TEST

START_TEST(test_cancel_in_flight)
{
	struct h *h = h_new();
	int a = send(h, "a", "AT+CSQ", P_CSQ);
	int b = send(h, "b", "AT+CMEE=1", NULL);
	int c = send(h, "c", "AT", NULL);

	ck_assert_int_eq(at_chan_cancel(h->c, a), 0);
	LOG_IS(h, "a:canceled/-1;");
	ck_assert_int_eq(h->destroyed, 1);
	ck_assert_int_eq(at_chan_cancel(h->c, a), -ENOENT);
	ck_assert_int_eq(at_chan_cancel(h->c, b), 0); /* queued */
	ck_assert_int_eq(h->destroyed, 2);
	LOG_IS(h, "a:canceled/-1;");
	WR_IS(h, "AT+CSQ\r");
	/* a's answer is consumed, c is not credited with it */
	feed(h, "+CSQ: 1,1\r\nOK\r\n");
	WR_IS(h, "AT+CSQ\rAT\r");
	feed(h, "ERROR\r\n");
	LOG_IS(h, "a:canceled/-1;c:ERROR/-1;");
	ck_assert_int_eq(at_chan_cancel(h->c, c), -ENOENT);
	h_free(h);
}
END_TEST

/* Canceled before its prompt: the prompt is answered with ESC. */
START_TEST(test_cancel_prompt)
{
	struct h *h = h_new();
	int s = send_full(h, "s", "AT+CMGS=9", P_CMGS, "00AA", 5000, NULL);

	at_chan_cancel(h->c, s);
	feed(h, "> ");
	WR_IS(h, "AT+CMGS=9\r\x1b");
	feed(h, "OK\r\n");
	ck_assert_int_eq(at_chan_get_state(h->c), AT_STATE_IDLE);
	LOG_IS(h, "s:canceled/-1;");
	h_free(h);
}
END_TEST

static void then_free(struct ctx *x)
{
	at_chan_free(x->h->c);
	x->h->c = NULL;
}

START_TEST(test_free_in_callback)
{
	struct h *h = h_new();

	h->byte_mode = _i;
	send_full(h, "a", "AT", NULL, NULL, 1000, then_free);
	send(h, "b", "AT", NULL);
	feed(h, "OK\r\nOK\r\n+CMTI: \"SM\",1\r\n");
	ck_assert_ptr_null(h->c);
	LOG_IS(h, "a:ok;");
	ck_assert_int_eq(h->destroyed, 2); /* b destroyed, no callback */
	h_free(h);
}
END_TEST

static void then_send(struct ctx *x)
{
	send(x->h, "n", "AT+CSQ", P_CSQ);
}

static void then_cancel_self_next(struct ctx *x)
{
	/* Cancel the command after us (id + 1) from inside a callback. */
	(void) x;
	at_chan_cancel(H->c, H->urc_id);
}

START_TEST(test_send_in_callback)
{
	struct h *h = h_new();

	H = h;
	send_full(h, "a", "AT", NULL, NULL, 1000, then_send);
	send_full(h, "b", "AT+X", NULL, NULL, 1000, then_cancel_self_next);
	feed(h, "OK\r\n");
	WR_IS(h, "AT\rAT+X\r"); /* b (queued first) before n */
	h->urc_id = 99999;
	feed(h, "OK\r\n");
	WR_IS(h, "AT\rAT+X\rAT+CSQ\r");
	feed(h, "+CSQ: 2,2\r\nOK\r\n");
	LOG_IS(h, "a:ok;b:ok;n:ok L[+CSQ: 2,2];");
	h_free(h);
}
END_TEST

static void urc_unregister(const char *line, const char *pdu, void *ud)
{
	struct h *h = ud;

	(void) pdu;
	logf_(h, "X:%s;", line);
	ck_assert_int_eq(at_chan_unregister_urc(h->c, h->urc_id), 0);
	ck_assert_int_eq(at_chan_unregister_urc(h->c, h->urc_id), -ENOENT);
}

static void urc_destroy(void *ud)
{
	((struct h *) ud)->destroyed += 100;
}

START_TEST(test_unregister_in_urc)
{
	struct h *h = h_new();

	h->urc_id = at_chan_register_urc(h->c, "^SMMEMFULL:", false,
			urc_unregister, h, urc_destroy);
	ck_assert_int_gt(h->urc_id, 0);
	feed(h, "^SMMEMFULL: \"SM\"\r\n^SMMEMFULL: \"SM\"\r\n");
	LOG_IS(h, "X:^SMMEMFULL: \"SM\";E:UNKNOWN(^SMMEMFULL: \"SM\");");
	ck_assert_int_eq(h->destroyed, 100);
	h_free(h);
}
END_TEST

/* Echo on (ATE1): command echo and PDU echo with Ctrl-Z are dropped. */
START_TEST(test_echo_on)
{
	struct h *h = h_new();

	h->byte_mode = _i;
	send(h, "a", "AT+CSQ", P_CSQ);
	feed(h, "AT+CSQ\r\r\n+CSQ: 7,0\r\n\r\nOK\r\n");
	send_full(h, "s", "AT+CMGS=3", P_CMGS, "00AA", 5000, NULL);
	feed(h, "AT+CMGS=3\r\r\n> ");
	feed(h, "00AA\x1a\r\n+CMGS: 5\r\n\r\nOK\r\n");
	/* Bare-line command echoing itself (wildcard prefix). */
	send(h, "i", "AT+CIMI", P_ANY);
	feed(h, "AT+CIMI\r\r\n+CMTI: \"SM\",2\r\n234150000000001\r\n"
		"\r\nOK\r\n");
	LOG_IS(h, "a:ok L[+CSQ: 7,0];s:ok L[+CMGS: 5];U:+CMTI: \"SM\",2;"
		  "i:ok L[234150000000001];");
	h_free(h);
}
END_TEST

/* A writer that accepts few bytes: the deadline starts at the last byte. */
START_TEST(test_partial_writes)
{
	struct h *h = h_new();

	h->accept_max = 3;
	send_full(h, "s", "AT+CMGS=23", P_CMGS, "0011223344", 5000, NULL);
	WR_IS(h, "AT+CMGS=23\r"); /* flush loops until 0 accepted */
	h->accept_max = 0;
	h->write_err = -EAGAIN;
	feed(h, "> ");
	ck_assert(at_chan_wants_write(h->c));
	ck_assert_int_eq(at_chan_get_state(h->c), AT_STATE_SENDING_PAYLOAD);
	h->write_err = 0;
	h->accept_max = 4;
	h->now += 700;
	at_chan_writable(h->c, h->now);
	ck_assert(!at_chan_wants_write(h->c));
	WR_IS(h, "AT+CMGS=23\r0011223344\x1a");
	ck_assert_int_eq(at_chan_next_deadline(h->c), 1700 + 5000);
	feed(h, "+CMGS: 1\r\nOK\r\n");
	LOG_IS(h, "s:ok L[+CMGS: 1];");
	h_free(h);
}
END_TEST

START_TEST(test_write_error_dead)
{
	struct h *h = h_new();

	h->write_err = -EIO;
	ck_assert_int_gt(send(h, "a", "AT", NULL), 0);
	LOG_IS(h, "a:channel dead/-1;E:DEAD();");
	ck_assert_int_eq(h->destroyed, 1);
	h_free(h);
}
END_TEST

START_TEST(test_set_dead_fails_all)
{
	struct h *h = h_new();

	send_full(h, "s", "AT+CMGS=3", P_CMGS, "00AA", 5000, NULL);
	send(h, "b", "AT", NULL);
	feed(h, "> ");
	at_chan_set_dead(h->c);
	LOG_IS(h, "s:channel dead/-1/sent;b:channel dead/-1;E:DEAD();");
	feed(h, "OK\r\n"); /* ignored when dead */
	ck_assert_int_eq(h->destroyed, 2);
	h_free(h);
}
END_TEST

/* A stale OK while idle is never credited to the next command. */
START_TEST(test_stale_ok_idle)
{
	struct h *h = h_new();

	feed(h, "OK\r\n");
	send(h, "a", "AT+CSQ", P_CSQ);
	feed(h, "+CSQ: 1,1\r\nOK\r\n");
	LOG_IS(h, "E:STALE(OK);a:ok L[+CSQ: 1,1];");
	h_free(h);
}
END_TEST

START_TEST(test_bad_send)
{
	struct h *h = h_new();
	struct at_cmd_desc d = {.cmd = "AT\rX"};

	ck_assert_int_eq(at_chan_send(h->c, &d, NULL, NULL, NULL), -EINVAL);
	d.cmd = "";
	ck_assert_int_eq(at_chan_send(h->c, &d, NULL, NULL, NULL), -EINVAL);
	d.cmd = "AT+CMGS=1";
	d.payload = "00\x1a";
	ck_assert_int_eq(at_chan_send(h->c, &d, NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(at_chan_register_urc(h->c, "", false, on_urc, h, NULL),
			-EINVAL);
	ck_assert_str_eq(at_chan_state_str(AT_STATE_RESYNC), "RESYNC");
	h_free(h);
}
END_TEST

START_TEST(test_numeric_results)
{
	struct at_chan_config cfg = {.numeric_results = true};
	struct h *h = h_new_cfg(&cfg);

	send(h, "a", "AT", NULL);
	feed(h, "0\r");
	send(h, "b", "AT+X", NULL);
	feed(h, "4\r");
	LOG_IS(h, "a:ok;b:ERROR/-1;");
	h_free(h);
}
END_TEST

/*
 * A whole session delivered whole, one byte at a time and in chunks of 3
 * gives the same log.
 */
static const char *session =
		"\0\0\r\nRDY\r\n"
		"AT+CSQ\r\r\n+CSQ: 14,99\r\n\r\nOK\r\n"
		"\r\n+CMTI: \"SM\",1\r\n"
		"\r\n> "
		"0011AB\x1a\r\n+CMTI: \"SM\",2\r\n+CMGS: 12\r\n\r\nOK\r\n"
		"+CMGR: 1,,5\r\n^RSSI:3\r\n0011223344\r\nOK\r\n"
		"+CUSD: 2,\"A\r\nB\",15\r\n";

static void run_session(struct h *h, size_t chunk)
{
	size_t n = 6 + strlen(session + 6);
	size_t i = 0;
	int step = 0;

	send(h, "a", "AT+CSQ", P_CSQ);
	send_full(h, "s", "AT+CMGS=4", P_CMGS, "0011AB", 5000, NULL);
	send(h, "r", "AT+CMGR=1", P_CMGR);
	while (i < n) {
		size_t k = chunk && chunk < n - i ? chunk : n - i;

		at_chan_feed(h->c, (const uint8_t *) session + i, k, h->now);
		i += k;
		step++;
	}
	ck_assert_int_gt(step, 0);
}

START_TEST(test_session_chunking)
{
	static const char *want =
			"E:REBOOT(RDY);a:ok L[+CSQ: 14,99];U:+CMTI: \"SM\",1;"
			"U:+CMTI: \"SM\",2;s:ok L[+CMGS: "
			"12];E:UNKNOWN(^RSSI:3);"
			"r:ok L[+CMGR: 1,,5]D[0011223344];"
			"U:+CUSD: 2,\"A\r\nB\",15;";
	size_t chunks[] = {0, 1, 2, 3, 5, 7, 13};

	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		struct h *h = h_new();

		run_session(h, chunks[c]);
		ck_assert_msg(strcmp(h->log, want) == 0, "chunk %zu: %s",
				chunks[c], h->log);
		WR_IS(h, "AT+CSQ\rAT+CMGS=4\r0011AB\x1a"
			 "AT+CMGR=1\r");
		h_free(h);
	}
}
END_TEST

static void then_reset(struct ctx *x)
{
	at_chan_reset(x->h->c, x->h->now);
	send(x->h, "z", "AT+CSQ", P_CSQ);
}

/* A timeout callback that resets the channel and sends: no resync. */
START_TEST(test_reset_in_timeout_callback)
{
	struct h *h = h_new();

	send_full(h, "a", "AT", NULL, NULL, 1000, then_reset);
	advance(h, 1000);
	WR_IS(h, "AT\rAT+CSQ\r");
	ck_assert_int_eq(at_chan_get_state(h->c), AT_STATE_WAIT_FINAL);
	feed(h, "+CSQ: 5,5\r\nOK\r\n");
	LOG_IS(h, "a:timeout/-1;z:ok L[+CSQ: 5,5];");
	h_free(h);
}
END_TEST

static void count_lines(const struct at_error *err, const struct at_result *res,
		void *ud)
{
	size_t *n = ud;

	ck_assert_ptr_null(err);
	*n = at_result_count(res);
	/* The real answer is kept: it came first. */
	ck_assert_str_eq(at_result_line(res, 0, NULL), "861234567890123");
}

/*
 * A bare-line command (wildcard prefix) collects every unclaimed line:
 * a vendor URC flood before its OK must not grow the result without
 * bound (the lines beyond the cap are dropped like unknown lines).
 */
START_TEST(test_wildcard_flood_bounded)
{
	struct h *h = h_new();
	struct at_cmd_desc d = {.cmd = "AT+CGSN", .prefixes = P_ANY};
	size_t n = 0;

	ck_assert_int_gt(at_chan_send(h->c, &d, count_lines, &n, NULL), 0);
	feed(h, "\r\n861234567890123\r\n");
	for (int i = 0; i < 5000; i++)
		feed(h, "^HCSQ: \"LTE\",50,40,100,20\r\n");
	feed(h, "\r\nOK\r\n");
	ck_assert_uint_ge(n, 1);
	ck_assert_uint_le(n, AT_RESULT_WILDCARD_MAX);
	h_free(h);
}
END_TEST

/* A modem that rebooted: what was queued fails, the one in flight not. */
START_TEST(test_fail_queued)
{
	struct h *h = h_new();

	send(h, "a", "AT+CSQ", P_CSQ);
	send(h, "b", "AT+CMGD=3", NULL);
	send_full(h, "c", "AT+CMGS=3", P_CMGS, "00AA", 5000, NULL);
	ck_assert_uint_eq(at_chan_fail_queued(h->c), 2);
	LOG_IS(h, "b:canceled/-1;c:canceled/-1;");
	ck_assert_uint_eq(at_chan_pending(h->c), 1);
	feed(h, "\r\n+CSQ: 7,0\r\n\r\nOK\r\n");
	WR_IS(h, "AT+CSQ\r");
	ck_assert_uint_eq(at_chan_fail_queued(h->c), 0);
	ck_assert_int_eq(h->destroyed, 3);
	h_free(h);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("at_chan");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_queue_order);
	tcase_add_loop_test(tc, test_cmgs_urcs_everywhere, 0, 2);
	tcase_add_test(tc, test_prompt_then_error);
	tcase_add_test(tc, test_prompt_timeout_esc);
	tcase_add_test(tc, test_timeout_after_payload);
	tcase_add_test(tc, test_error_after_payload);
	tcase_add_test(tc, test_ok_without_prompt);
	tcase_add_test(tc, test_cusd_before_and_after_ok);
	tcase_add_loop_test(tc, test_cmgr_cmgl_urcs, 0, 2);
	tcase_add_test(tc, test_pdu_urcs);
	tcase_add_test(tc, test_overlong_line);
	tcase_add_loop_test(tc, test_late_ok_not_credited, 0, 2);
	tcase_add_test(tc, test_resync_flood);
	tcase_add_test(tc, test_timeouts_dead);
	tcase_add_test(tc, test_probe_fails_dead);
	tcase_add_test(tc, test_boot_banner);
	tcase_add_test(tc, test_cancel_in_flight);
	tcase_add_test(tc, test_cancel_prompt);
	tcase_add_loop_test(tc, test_free_in_callback, 0, 2);
	tcase_add_test(tc, test_send_in_callback);
	tcase_add_test(tc, test_unregister_in_urc);
	tcase_add_loop_test(tc, test_echo_on, 0, 2);
	tcase_add_test(tc, test_partial_writes);
	tcase_add_test(tc, test_write_error_dead);
	tcase_add_test(tc, test_set_dead_fails_all);
	tcase_add_test(tc, test_stale_ok_idle);
	tcase_add_test(tc, test_bad_send);
	tcase_add_test(tc, test_numeric_results);
	tcase_add_test(tc, test_session_chunking);
	tcase_add_test(tc, test_reset_in_timeout_callback);
	tcase_add_test(tc, test_wildcard_flood_bounded);
	tcase_add_test(tc, test_fail_queued);
	tcase_add_test(tc, test_data_lines_declared);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
