/* SPDX-License-Identifier: MIT */
/*
 * The modem driver: start-up sequence, reception (stored and direct),
 * sweeps, sending, USSD, network info and recovery. docs/MODEM-DRIVER.md
 * explains the design; modem/modem.h the API.
 *
 * Structure:
 *  - every AT command goes through cmd_send() with a small context (struct
 *    cmd_ctx) that remembers the driver "generation": a reopen, reboot or
 *    reset bumps m->gen, and late completions of an older generation are
 *    ignored (except sends, whose outcome is always reported);
 *  - state transitions that tear things down (DOWN, re-init) are never done
 *    inside an at_chan callback: they are flagged and run by process() at
 *    the end of every public entry point;
 *  - storage operations (read, delete, sweep) run one at a time from a FIFO
 *    (struct sop), because AT+CPMS selects the store for every later
 *    AT+CMGR/AT+CMGD/AT+CMGL: an operation on another store must not
 *    interleave with one on the configured store;
 *  - sends run one at a time from their own FIFO, only in READY.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modem/at_chan.h"
#include "modem/at_error.h"
#include "modem/at_result.h"
#include "modem/modem.h"
#include "modem/modem_parse.h"
#include "modem/sms_pdu.h"
#include "modem/transport.h"
#include "modem/ussd.h"

#define SYNC_TRIES 5
/*
 * Queued reads (one per +CMTI) beyond this are replaced by one sweep: a
 * +CMTI flood must not grow the queue without bound, and one AT+CMGL
 * then reads everything anyway.
 */
#define READS_QUEUED_MAX 128
#define XSTORES_MAX 3 /* other stores named by +CMTI, swept too */
#define SIM_BUSY_STEP_MAX_MS 5000
#define LIST_TIMEOUT_MS 30000 /* AT+CMGL of a full store is long */

enum init_step {
	IS_SYNC,
	IS_ECHO,
	IS_CMEE,
	IS_CURC, /* AT^CURC=0, optional: Huawei periodic URCs off */
	IS_CPIN,
	IS_PIN,
	IS_CMGF,
	IS_CMGF_TEXT, /* text-mode fallback */
	IS_CPMS,
	IS_CSMS,
	IS_CNMI,
	IS_CREG,
	IS_CIMI,
	IS_CCID,
	IS_CGSN,
	IS_DONE,
};

enum cmd_kind {
	CK_INIT, /* arg: init step */
	CK_SOP,	 /* a storage operation step */
	CK_SEND,
	CK_CNMA,
	CK_USSD,
	CK_USSD_CANCEL,
	CK_INFO, /* arg: which query */
	CK_RESET,
	CK_OTHER,
};

struct cmd_ctx {
	struct modem *m;
	unsigned gen;
	enum cmd_kind kind;
	int arg;
};

enum sop_kind {
	SOP_READ,   /* AT+CMGR=<index> (after +CMTI / +CDSI) */
	SOP_DELETE, /* AT+CMGD=<index> */
	SOP_SWEEP,  /* AT+CMGL=4 */
	SOP_CHECK,  /* AT+CPMS? then AT+CMGL=4 if used > 0 */
};

struct sop {
	struct sop *next;
	enum sop_kind kind;
	char store[MODEM_STORE_MAX];
	int index;
	bool status_report; /* READ of a +CDSI slot */
	struct del *del;    /* SOP_DELETE */
};

/* A committed message whose deletion is queued, running or unverified. */
enum del_state {
	DEL_QUEUED,
	DEL_INFLIGHT,
	DEL_UNVERIFIED, /* AT+CMGD failed/timed out: re-list first */
};

struct del {
	struct del *next;
	char store[MODEM_STORE_MAX];
	int index;
	char *pdu; /* as read, to recognise the message in a listing */
	enum del_state state;
	bool seen; /* in the current sweep's listing */
};

struct msg {
	struct modem_sms pub; /* first: the handle given out */
	struct msg *next;
	struct modem *owner;
	char *hex;
	uint64_t cnma_deadline; /* direct only */
	bool cnma_expired;	/* too late: the modem gave up on it */
	unsigned gen;		/* direct: the +CMT's generation */
};

struct send {
	struct send *next;
	uint64_t id;
	char *hex;
	size_t tpdu_len;
	modem_send_cb cb;
	void *user_data;
};

struct modem {
	struct modem_config cfg;
	char *name, *device, *pin, *storage;
	struct modem_callbacks cbs;
	void *ud;

	enum modem_state state;
	char error[256];
	uint64_t now;
	unsigned gen;

	struct transport *tp;
	struct at_chan *chan;

	/* Reopen. */
	uint64_t reopen_at;
	unsigned backoff_ms;

	/* Init. */
	enum init_step step;
	unsigned step_tries;
	bool step_waiting; /* waiting for step_at before (re)issuing */
	uint64_t step_at;
	uint64_t busy_since; /* first SIM busy answer, 0: none */
	unsigned busy_delay;
	bool pin_sent;	  /* PIN entered during this init */
	int cnmi_try;	  /* index into cnmi_ladder() */
	bool cpms_one;	  /* AT+CPMS with one store (3 refused) */
	bool direct;	  /* +CMT routing in effect */
	bool csms1;	  /* AT+CSMS=1 accepted: +CMT/+CDS need +CNMA */
	bool text_mode;	  /* AT+CMGF=1 fallback in effect */
	bool sync_settle; /* quiet period before the first "AT" */
	char cnmi[32];	  /* the AT+CNMI that was accepted */

	/* Deferred transitions (see process()). */
	bool down_pending;
	char down_reason[200];
	bool reinit_pending; /* boot banner: re-init at reinit_at */
	uint64_t reinit_at;
	bool reset_waiting; /* AT+CFUN=1,1 issued, waiting for banner */
	uint64_t reset_deadline;
	bool fail_pending;
	char fail_reason[200];

	unsigned failures; /* consecutive command failures */
	bool closing;	   /* close_port(): the DEAD event is ours */

	/* Storage. */
	char mem1[MODEM_STORE_MAX]; /* store AT+CMGR/CMGD/CMGL act on */
	struct sop *sop_head, *sop_tail;
	struct sop *sop_cur; /* in flight */
	bool sweep_queued;
	uint64_t next_sweep;
	struct del *dels;
	struct msg *msgs; /* handed out, not yet released */
	char xstores[XSTORES_MAX][MODEM_STORE_MAX];
	size_t n_xstores;
	uint64_t next_msg_id;

	/* Sending. */
	struct send *send_head, *send_tail;
	struct send *send_cur;
	uint64_t next_send_id;

	/* USSD. */
	bool ussd_pending;
	modem_ussd_cb ussd_cb;
	void *ussd_ud;
	uint64_t ussd_deadline;

	/* Info. */
	struct modem_info info;
	unsigned info_outstanding;
	uint64_t next_status;

	struct modem_stats stats;
	int depth; /* public entry nesting, for process() */
};

/* ---------------------------------------------------------------- */

static void dbg(struct modem *m, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

static void dbg(struct modem *m, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!m->cbs.debug)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	m->cbs.debug(m, buf, m->ud);
}

static void set_state(struct modem *m, enum modem_state st, const char *reason)
{
	if (m->state == st)
		return;
	m->state = st;
	if (reason)
		snprintf(m->error, sizeof(m->error), "%s", reason);
	else if (st == MODEM_STATE_READY)
		m->error[0] = '\0';
	dbg(m, "state %s%s%s", modem_state_str(st), reason ? ": " : "",
			reason ? reason : "");
	if (m->cbs.state)
		m->cbs.state(m, st, reason, m->ud);
}

void modem_config_init(struct modem_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->name = "modem";
	cfg->baud = 115200;
	cfg->storage = "SM";
	cfg->delivery = MODEM_DELIVERY_STORED;
	cfg->ussd_mode = USSD_MODE_PLAIN;
	cfg->sweep_interval_ms = 60000;
	cfg->status_interval_ms = 60000;
	cfg->cmd_timeout_ms = 5000;
	cfg->send_timeout_ms = 60000;
	cfg->ussd_timeout_ms = 30000;
	cfg->cnma_deadline_ms = 10000;
	cfg->max_failures = 3;
	cfg->sim_busy_max_ms = 60000;
	cfg->backoff_min_ms = 1000;
	cfg->backoff_max_ms = 60000;
	cfg->reboot_settle_ms = 1000;
}

const char *modem_state_str(enum modem_state st)
{
	switch (st) {
	case MODEM_STATE_CLOSED:
		return "closed";
	case MODEM_STATE_OPENING:
		return "opening";
	case MODEM_STATE_INITIALISING:
		return "initialising";
	case MODEM_STATE_READY:
		return "ready";
	case MODEM_STATE_DOWN:
		return "down";
	case MODEM_STATE_FAILED:
		return "failed";
	}
	return "?";
}

/* ---------------------------------------------------------------- */
/* Channel plumbing */

static ssize_t chan_write(const uint8_t *buf, size_t len, void *ud)
{
	struct modem *m = ud;
	ssize_t n;

	if (!m->tp)
		return -ENOTCONN;
	n = transport_write(m->tp, buf, len);
	if (n == -EAGAIN)
		return 0;
	return n;
}

static void request_down(struct modem *m, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

static void request_down(struct modem *m, const char *fmt, ...)
{
	va_list ap;

	if (m->down_pending || m->fail_pending)
		return;
	m->down_pending = true;
	va_start(ap, fmt);
	vsnprintf(m->down_reason, sizeof(m->down_reason), fmt, ap);
	va_end(ap);
}

static void request_fail(struct modem *m, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

static void request_fail(struct modem *m, const char *fmt, ...)
{
	va_list ap;

	if (m->fail_pending)
		return;
	m->fail_pending = true;
	va_start(ap, fmt);
	vsnprintf(m->fail_reason, sizeof(m->fail_reason), fmt, ap);
	va_end(ap);
}

static void request_sweep(struct modem *m, uint64_t delay)
{
	if (m->next_sweep > m->now + delay)
		m->next_sweep = m->now + delay;
}

static void chan_event(enum at_event ev, const char *line, void *ud)
{
	struct modem *m = ud;

	switch (ev) {
	case AT_EVENT_REBOOT:
		m->stats.reboots_seen++;
		dbg(m, "boot banner \"%s\": re-initialising", line ? line : "");
		if (m->state == MODEM_STATE_READY ||
				m->state == MODEM_STATE_INITIALISING) {
			m->reinit_pending = true;
			m->reinit_at = m->now + m->cfg.reboot_settle_ms;
			m->gen++;
			/*
			 * Nothing queued for the old session may reach the
			 * rebooted modem: its +CPMS store may have reverted
			 * (AT+CMGD=<i> would delete another store's slot),
			 * its AT+CMGF too (an AT+CMGS=<len> in text mode
			 * sends the PDU hex as text). Sends are requeued.
			 */
			at_chan_fail_queued(m->chan);
		}
		break;
	case AT_EVENT_DEAD:
		if (!m->closing && m->state != MODEM_STATE_FAILED)
			request_down(m, "modem not responding");
		break;
	case AT_EVENT_UNKNOWN:
		if (line && strncmp(line, "^SMMEMFULL", 10) == 0)
			request_sweep(m, 0);
		break;
	default:
		break;
	}
}

static void chan_debug(const char *msg, void *ud)
{
	struct modem *m = ud;

	dbg(m, "at: %s", msg);
}

static void cmd_done(const struct at_error *err, const struct at_result *res,
		void *ud);

static void ctx_free(void *ud)
{
	free(ud);
}

/*
 * Queue one AT command. Returns the channel id (> 0) or a negative errno;
 * on failure the completion is never called.
 */
static int cmd_send(struct modem *m, enum cmd_kind kind, int arg,
		const char *cmd, const char *const *prefixes,
		const char *payload, unsigned timeout_ms)
{
	struct at_cmd_desc d = {
			.cmd = cmd,
			.prefixes = prefixes,
			.payload = payload,
			.timeout_ms = timeout_ms ? timeout_ms
						 : m->cfg.cmd_timeout_ms,
	};
	struct cmd_ctx *ctx;
	int id;

	if (!m->chan || !m->tp)
		return -ENOTCONN;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->m = m;
	ctx->gen = m->gen;
	ctx->kind = kind;
	ctx->arg = arg;
	id = at_chan_send(m->chan, &d, cmd_done, ctx, ctx_free);
	if (id < 0) {
		free(ctx);
		return id;
	}
	m->stats.at_commands++;
	return id;
}

/* Command failures that are the modem's fault count towards a reset. */
static void note_result(struct modem *m, const struct at_error *err)
{
	if (!err) {
		m->failures = 0;
		return;
	}
	if (err->type == AT_ERR_CMS && err->code == 322)
		request_sweep(m, 0); /* memory full */
	if (err->type == AT_ERR_TIMEOUT || err->type == AT_ERR_ERROR)
		m->failures++;
}

/* ---------------------------------------------------------------- */
/* Init sequence */

static void init_issue(struct modem *m);

static void init_goto(struct modem *m, enum init_step st)
{
	m->step = st;
	m->step_tries = 0;
	m->step_waiting = false;
	init_issue(m);
}

static void init_retry_later(struct modem *m, unsigned delay)
{
	m->step_waiting = true;
	m->step_at = m->now + delay;
}

static void go_ready(struct modem *m);

/*
 * AT+CNMI settings to try, best first (TS 27.005 §3.4.1): mode 2 (buffer
 * while the link is busy) else 1; mt 2 (+CMT, direct) or 1 (+CMTI); ds 1
 * (+CDS), else 2 (+CDSI), else 0. Some modems advertise mt 2 / ds 1 in
 * AT+CNMI=? and refuse them: direct mode then falls back to stored
 * delivery rather than to nothing.
 */
static const char *cnmi_ladder(bool direct, bool text, int i)
{
	static const char *const pdu_direct[] = {
			"AT+CNMI=2,2,0,1,0",
			"AT+CNMI=1,2,0,1,0",
			"AT+CNMI=2,2,0,0,0",
			"AT+CNMI=1,2,0,0,0",
			"AT+CNMI=2,1,0,1,0",
			"AT+CNMI=2,1,0,2,0",
			"AT+CNMI=2,1,0,0,0",
			"AT+CNMI=1,1,0,0,0",
			NULL,
	};
	/*
	 * Text mode: no ds=1 (a text +CDS is one line, not header + PDU:
	 * our +CDS handler would take the next line for its PDU) and no
	 * ds=2 (a text +CMGR of a report is not parsed).
	 */
	static const char *const text_direct[] = {
			"AT+CNMI=2,2,0,0,0",
			"AT+CNMI=1,2,0,0,0",
			"AT+CNMI=2,1,0,0,0",
			"AT+CNMI=1,1,0,0,0",
			NULL,
	};
	const char *const *t = text ? text_direct : pdu_direct;

	/* Stored delivery: the same ladders without the mt=2 rungs. */
	if (!direct)
		t += text ? 2 : 4;
	for (int k = 0; t[k]; k++)
		if (k == i)
			return t[k];
	return NULL;
}

static void init_issue(struct modem *m)
{
	static const char *const p_cpin[] = {"+CPIN:", NULL};
	static const char *const p_cpms[] = {"+CPMS:", NULL};
	static const char *const p_csms[] = {"+CSMS:", NULL};
	static const char *const p_any[] = {"", NULL};
	static const char *const p_ccid[] = {
			"+CCID:", "^ICCID:", "+ICCID:", "+QCCID:", "", NULL};
	char cmd[160];
	const char *s = m->storage;
	bool direct = m->cfg.delivery == MODEM_DELIVERY_DIRECT;
	int rc = 0;

	switch (m->step) {
	case IS_SYNC:
		if (m->sync_settle) {
			/* After try_open()'s ESC: let its answer pass. */
			m->sync_settle = false;
			init_retry_later(m, m->cfg.resync_quiet_ms);
			return;
		}
		rc = cmd_send(m, CK_INIT, IS_SYNC, "AT", NULL, NULL,
				m->cfg.sync_timeout_ms);
		break;
	case IS_ECHO:
		rc = cmd_send(m, CK_INIT, IS_ECHO, "ATE0", NULL, NULL, 0);
		break;
	case IS_CMEE:
		rc = cmd_send(m, CK_INIT, IS_CMEE, "AT+CMEE=1", NULL, NULL, 0);
		break;
	case IS_CURC:
		if (m->cfg.keep_vendor_urcs) {
			init_goto(m, IS_CPIN);
			return;
		}
		rc = cmd_send(m, CK_INIT, IS_CURC, "AT^CURC=0", NULL, NULL, 0);
		break;
	case IS_CPIN:
		rc = cmd_send(m, CK_INIT, IS_CPIN, "AT+CPIN?", p_cpin, NULL, 0);
		break;
	case IS_PIN:
		snprintf(cmd, sizeof(cmd), "AT+CPIN=\"%s\"", m->pin);
		m->pin_sent = true;
		dbg(m, "entering the SIM PIN (once)");
		rc = cmd_send(m, CK_INIT, IS_PIN, cmd, NULL, NULL, 20000);
		break;
	case IS_CMGF:
		rc = cmd_send(m, CK_INIT, IS_CMGF, "AT+CMGF=0", NULL, NULL, 0);
		break;
	case IS_CMGF_TEXT:
		rc = cmd_send(m, CK_INIT, IS_CMGF_TEXT, "AT+CMGF=1", NULL, NULL,
				0);
		break;
	case IS_CPMS:
		/* Some modems reject three stores: then one (mem1 only). */
		if (m->cpms_one)
			snprintf(cmd, sizeof(cmd), "AT+CPMS=\"%s\"", s);
		else
			snprintf(cmd, sizeof(cmd),
					"AT+CPMS=\"%s\",\"%s\",\"%s\"", s, s,
					s);
		rc = cmd_send(m, CK_INIT, IS_CPMS, cmd, p_cpms, NULL, 0);
		break;
	case IS_CSMS:
		m->csms1 = false;
		if (!direct) {
			init_goto(m, IS_CNMI);
			return;
		}
		rc = cmd_send(m, CK_INIT, IS_CSMS, "AT+CSMS=1", p_csms, NULL,
				0);
		break;
	case IS_CNMI:
		/*
		 * TS 27.005 §3.4.1: mode 2 (buffer while the link is busy),
		 * mt 1 (+CMTI) or 2 (+CMT), ds 1 (+CDS). mode 1 as fallback.
		 */
		rc = cmd_send(m, CK_INIT, IS_CNMI,
				cnmi_ladder(direct, m->text_mode, m->cnmi_try),
				NULL, NULL, 0);
		break;
	case IS_CREG:
		rc = cmd_send(m, CK_INIT, IS_CREG, "AT+CREG=2", NULL, NULL, 0);
		break;
	case IS_CIMI:
		rc = cmd_send(m, CK_INIT, IS_CIMI, "AT+CIMI", p_any, NULL, 0);
		break;
	case IS_CCID:
		rc = cmd_send(m, CK_INIT, IS_CCID, "AT+CCID", p_ccid, NULL, 0);
		break;
	case IS_CGSN:
		rc = cmd_send(m, CK_INIT, IS_CGSN, "AT+CGSN", p_any, NULL, 0);
		break;
	case IS_DONE:
		go_ready(m);
		return;
	}
	if (rc < 0)
		request_down(m, "cannot queue init command: %s", strerror(-rc));
}

static void sop_reset_all(struct modem *m);
static void ussd_fail(struct modem *m, const char *why);

static void init_start(struct modem *m)
{
	m->gen++;
	sop_reset_all(m);
	m->info_outstanding = 0; /* their answers are ignored now */
	ussd_fail(m, "modem re-initialising");
	m->mem1[0] = '\0';
	m->pin_sent = false;
	m->busy_since = 0;
	m->busy_delay = m->cfg.sim_busy_first_ms;
	m->cnmi_try = 0;
	m->cpms_one = false;
	m->failures = 0;
	m->reinit_pending = false;
	m->reset_waiting = false;
	set_state(m, MODEM_STATE_INITIALISING, NULL);
	init_goto(m, IS_SYNC);
}

/* SIM busy: retry the same step later, up to sim_busy_max_ms. */
static void init_sim_busy(struct modem *m)
{
	if (!m->busy_since)
		m->busy_since = m->now ? m->now : 1;
	if (m->now - m->busy_since >= m->cfg.sim_busy_max_ms) {
		request_down(m, "SIM busy for more than %u ms",
				m->cfg.sim_busy_max_ms);
		return;
	}
	dbg(m, "SIM busy, retrying in %u ms", m->busy_delay);
	init_retry_later(m, m->busy_delay);
	m->busy_delay *= 2;
	if (m->busy_delay > SIM_BUSY_STEP_MAX_MS)
		m->busy_delay = SIM_BUSY_STEP_MAX_MS;
}

static void init_line(struct modem *m, const struct at_result *res,
		int (*parse)(const char *, char *, const char **), char *out)
{
	size_t i;
	char tmp[MODEM_ID_MAX];

	for (i = 0; i < at_result_count(res); i++) {
		const char *l = at_result_line(res, i, NULL);

		if (l && parse(l, tmp, NULL) == 0) {
			memcpy(out, tmp, MODEM_ID_MAX);
			return;
		}
	}
}

/* AT+CGSN: 14..17 digits (IMEI/IMEISV), maybe "+CGSN: " prefixed. */
static int parse_imei(const char *line, char *out, const char **reason)
{
	const char *p = line;
	size_t n = 0;

	(void) reason;
	if (strncmp(p, "+CGSN:", 6) == 0)
		p += 6;
	while (*p == ' ' || *p == '"')
		p++;
	while (p[n] >= '0' && p[n] <= '9')
		n++;
	if (n < 14 || n >= MODEM_ID_MAX)
		return -EINVAL;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static void init_done(struct modem *m, const struct cmd_ctx *ctx,
		const struct at_error *err, const struct at_result *res)
{
	enum init_step st = (enum init_step) ctx->arg;
	enum modem_pin pin;
	struct modem_cpms cpms;
	const char *l, *why = NULL;

	if (st != m->step || m->step_waiting)
		return;
	if (err && err->type == AT_ERR_IO)
		return; /* DEAD: request_down() already done */
	if (err && at_error_is_sim_busy(err) && st >= IS_CPIN) {
		init_sim_busy(m);
		return;
	}
	switch (st) {
	case IS_SYNC:
		if (err && ++m->step_tries < SYNC_TRIES) {
			init_issue(m);
			return;
		}
		if (err) {
			request_down(m, "no answer to AT");
			return;
		}
		init_goto(m, IS_ECHO);
		return;
	case IS_ECHO:
		init_goto(m, IS_CMEE); /* ATE0 failing is harmless */
		return;
	case IS_CMEE:
		init_goto(m, IS_CURC);
		return;
	case IS_CURC:
		/* Huawei only: every other modem answers ERROR. */
		init_goto(m, IS_CPIN);
		return;
	case IS_CPIN:
		if (err && err->type == AT_ERR_TIMEOUT &&
				at_result_find(res, "+CPIN:")) {
			/* "+CPIN: READY" without OK (gammu F_CPIN_NO_OK). */
			dbg(m, "+CPIN answer without final result: using it");
			err = NULL;
		}
		if (err) {
			if (err->type == AT_ERR_CME && err->code == 10) {
				request_fail(m, "SIM not inserted (+CME "
						"ERROR: 10)");
				return;
			}
			if (err->type == AT_ERR_CME &&
					(err->code == 12 || err->code == 18)) {
				request_fail(m,
						"SIM needs the PUK (+CME "
						"ERROR: %d): not retrying",
						err->code);
				return;
			}
			if (++m->step_tries < 3) {
				init_retry_later(m, 1000);
				return;
			}
			request_down(m, "AT+CPIN? failed: %s",
					err->line ? err->line : "timeout");
			return;
		}
		l = at_result_find(res, "+CPIN:");
		if (!l || modem_parse_cpin(l, &pin, &why) < 0) {
			request_down(m, "bad +CPIN reply: %s",
					why ? why : "missing");
			return;
		}
		switch (pin) {
		case MODEM_PIN_READY:
			init_goto(m, IS_CMGF);
			return;
		case MODEM_PIN_SIM_PIN:
			if (m->pin_sent) {
				request_fail(m, "SIM still asks for its PIN "
						"after it was entered: not "
						"retrying (a wrong PIN locks "
						"the SIM)");
				return;
			}
			if (!m->pin || !*m->pin) {
				request_fail(m, "SIM asks for a PIN and none "
						"is configured");
				return;
			}
			init_goto(m, IS_PIN);
			return;
		case MODEM_PIN_SIM_PIN2:
		case MODEM_PIN_SIM_PUK2:
			/*
			 * PIN2 guards FDN, not SMS; some phones report it
			 * when nothing is needed (smstools pin=ignore).
			 */
			dbg(m, "%s: ignored (PIN2 is not needed for SMS)", l);
			init_goto(m, IS_CMGF);
			return;
		case MODEM_PIN_SIM_PUK:
		case MODEM_PIN_PH_SIM_PUK:
			request_fail(m, "SIM is PUK-locked: enter the PUK by "
					"hand");
			return;
		default:
			request_fail(m, "SIM needs attention: %s", l);
			return;
		}
	case IS_PIN:
		if (err && err->type == AT_ERR_TIMEOUT) {
			/* Unknown whether it was taken: look, never retry. */
			init_goto(m, IS_CPIN);
			return;
		}
		if (err) {
			request_fail(m,
					"SIM PIN rejected (%s): not retrying "
					"(a wrong PIN locks the SIM); fix the "
					"configuration",
					err->line ? err->line
						  : at_error_type_str(
								    err->type));
			return;
		}
		/* The SIM is busy for a while after the PIN: ask again. */
		init_goto(m, IS_CPIN);
		return;
	case IS_CMGF:
		if (err) {
			if (err->type == AT_ERR_TIMEOUT &&
					++m->step_tries < 3) {
				init_issue(m);
				return;
			}
			if (m->cfg.text_mode_fallback &&
					err->type != AT_ERR_TIMEOUT) {
				init_goto(m, IS_CMGF_TEXT);
				return;
			}
			request_fail(m, "PDU mode (AT+CMGF=0) refused: %s",
					err->line ? err->line : "timeout");
			return;
		}
		m->text_mode = false;
		init_goto(m, IS_CPMS);
		return;
	case IS_CMGF_TEXT:
		if (err) {
			request_fail(m,
					"neither PDU nor text mode accepted "
					"(AT+CMGF=1: %s)",
					err->line ? err->line
						  : at_error_type_str(
								    err->type));
			return;
		}
		dbg(m, "PDU mode refused: using text mode (AT+CMGF=1)");
		m->text_mode = true;
		init_goto(m, IS_CPMS);
		return;
	case IS_CPMS:
		if (err) {
			if (err->type == AT_ERR_TIMEOUT &&
					++m->step_tries < 3) {
				init_issue(m);
				return;
			}
			if (!m->cpms_one && err->type != AT_ERR_TIMEOUT) {
				m->cpms_one = true;
				init_issue(m);
				return;
			}
			request_fail(m, "storage \"%s\" refused: %s",
					m->storage,
					err->line ? err->line : "timeout");
			return;
		}
		l = at_result_find(res, "+CPMS:");
		if (l && modem_parse_cpms(l, &cpms, NULL) == 0 && cpms.n > 0) {
			snprintf(m->info.store, sizeof(m->info.store), "%s",
					m->storage);
			m->info.store_used = cpms.st[0].used;
			m->info.store_total = cpms.st[0].total;
		}
		snprintf(m->mem1, sizeof(m->mem1), "%s", m->storage);
		init_goto(m, IS_CSMS);
		return;
	case IS_CSMS:
		m->csms1 = !err;
		init_goto(m, IS_CNMI); /* phase 2 modems refuse: fine */
		return;
	case IS_CNMI:
		if (err && err->type != AT_ERR_TIMEOUT &&
				cnmi_ladder(m->cfg.delivery == MODEM_DELIVERY_DIRECT,
						m->text_mode,
						m->cnmi_try + 1)) {
			m->cnmi_try++;
			init_issue(m);
			return;
		}
		if (err && err->type == AT_ERR_TIMEOUT && ++m->step_tries < 3) {
			init_issue(m);
			return;
		}
		if (err) {
			dbg(m, "AT+CNMI refused: relying on sweeps");
			m->cnmi[0] = '\0';
			m->direct = false;
		} else {
			const char *c = cnmi_ladder(
					m->cfg.delivery ==
							MODEM_DELIVERY_DIRECT,
					m->text_mode, m->cnmi_try);

			if (!c)
				c = "AT+CNMI=2,1,0,0,0"; /* unreachable */
			snprintf(m->cnmi, sizeof(m->cnmi), "%s", c);
			m->direct = c[10] == '2';
			if (m->cfg.delivery == MODEM_DELIVERY_DIRECT &&
					!m->direct)
				dbg(m,
						"direct delivery refused: "
						"using "
						"stored delivery (%s)",
						c);
		}
		init_goto(m, IS_CREG);
		return;
	case IS_CREG:
		init_goto(m, IS_CIMI);
		return;
	case IS_CIMI:
		if (!err)
			init_line(m, res, modem_parse_cimi, m->info.imsi);
		init_goto(m, IS_CCID);
		return;
	case IS_CCID:
		if (!err)
			init_line(m, res, modem_parse_ccid, m->info.iccid);
		init_goto(m, IS_CGSN);
		return;
	case IS_CGSN:
		if (!err)
			init_line(m, res, parse_imei, m->info.imei);
		init_goto(m, IS_DONE);
		return;
	case IS_DONE:
		return;
	}
}

/* ---------------------------------------------------------------- */
/* Storage operations */

static void sop_pump(struct modem *m);

static struct msg *find_msg(struct modem *m, const char *store, int index)
{
	struct msg *g;

	for (g = m->msgs; g; g = g->next)
		if (!g->pub.direct && g->pub.index == index &&
				strcmp(g->pub.store, store) == 0)
			return g;
	return NULL;
}

static struct del *find_del(struct modem *m, const char *store, int index)
{
	struct del *d;

	for (d = m->dels; d; d = d->next)
		if (d->index == index && strcmp(d->store, store) == 0)
			return d;
	return NULL;
}

static void del_remove(struct modem *m, struct del *d)
{
	struct del **pp;

	for (pp = &m->dels; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			free(d->pdu);
			free(d);
			return;
		}
	}
}

static int sop_push(struct modem *m, enum sop_kind kind, const char *store,
		int index, struct del *d)
{
	struct sop *o = calloc(1, sizeof(*o));

	if (!o)
		return -ENOMEM;
	o->kind = kind;
	snprintf(o->store, sizeof(o->store), "%s", store);
	o->index = index;
	o->del = d;
	if (m->sop_tail)
		m->sop_tail->next = o;
	else
		m->sop_head = o;
	m->sop_tail = o;
	return 0;
}

static void sop_finish(struct modem *m)
{
	struct sop *o = m->sop_cur;

	m->sop_cur = NULL;
	free(o);
}

/* Does a hex PDU match what we remember (case-insensitive)? */
static bool same_pdu(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

static void deliver_status_report(struct modem *m, const char *hex)
{
	struct modem_status_report sr;

	memset(&sr, 0, sizeof(sr));
	sr.pdu_hex = hex;
	sr.decode_err = sms_decode_hex(
			hex, strlen(hex), 0, &sr.msg, &sr.decode_reason);
	if (sr.decode_err == 0 && sr.msg.type != SMS_TYPE_STATUS_REPORT) {
		sr.decode_err = -EINVAL;
		sr.decode_reason = "not an SMS-STATUS-REPORT";
	}
	if (m->cbs.status_report)
		m->cbs.status_report(m, &sr, m->ud);
}

/*
 * Text mode (AT+CMGF=1, TS 27.005 §4.1/§4.3): a header
 *   +CMGR: <stat>,<oa>,[<alpha>],<scts>
 *   +CMGL: <index>,<stat>,<oa>,[<alpha>],<scts>
 *   +CMT: <oa>,[<alpha>],<scts>
 * then the text line. The message is identified (for deletes and
 * duplicates) by a key made of sender, time stamp and text.
 */
struct text_msg {
	int index;
	int stat;
	char sender[SMS_ADDR_MAX];
	char scts_str[32];
	struct sms_scts scts;
	bool has_scts;
	const char *text;
	char *key; /* malloc'd by text_parse(), caller frees */
};

static int text_stat(const char *s)
{
	static const char *const t[] = {
			"REC UNREAD", "REC READ", "STO UNSENT", "STO SENT"};
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, t[i]) == 0)
			return i;
	return -1;
}

/* "yy/MM/dd,hh:mm:ss±zz" (zone in quarter hours). */
static bool text_scts(const char *s, struct sms_scts *ret)
{
	unsigned y, mo, d, h, mi, se, z = 0;
	char sign = '+';
	int n = sscanf(s, "%2u/%2u/%2u,%2u:%2u:%2u%c%2u", &y, &mo, &d, &h, &mi,
			&se, &sign, &z);

	if (n < 6 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
			mi > 59 || se > 59 || z > 79)
		return false;
	memset(ret, 0, sizeof(*ret));
	ret->year = (uint8_t) y;
	ret->month = (uint8_t) mo;
	ret->day = (uint8_t) d;
	ret->hour = (uint8_t) h;
	ret->minute = (uint8_t) mi;
	ret->second = (uint8_t) se;
	ret->tz_quarters = (int8_t) (sign == '-' ? -(int) z : (int) z);
	return true;
}

/* @prefix: "+CMGR:", "+CMGL:" or "+CMT:". Returns 0 or -EINVAL. */
static int text_parse(const char *line, const char *prefix, const char *text,
		struct text_msg *ret)
{
	struct at_iter it;
	char st[24];
	long idx = -1;
	size_t n;

	memset(ret, 0, sizeof(*ret));
	ret->stat = -1;
	if (at_iter_init(&it, line, prefix) < 0)
		return -EINVAL;
	if (strcmp(prefix, "+CMGL:") == 0 && at_iter_next_number(&it, &idx) < 0)
		return -EINVAL;
	if (strcmp(prefix, "+CMT:") != 0) {
		if (at_iter_next_text(&it, st, sizeof(st)) < 0)
			return -EINVAL;
		ret->stat = text_stat(st);
	}
	if (at_iter_next_string(&it, ret->sender, sizeof(ret->sender)) < 0)
		return -EINVAL;
	(void) at_iter_skip(&it); /* <alpha> */
	if (at_iter_next_string(&it, ret->scts_str, sizeof(ret->scts_str)) == 0)
		ret->has_scts = text_scts(ret->scts_str, &ret->scts);
	ret->index = (int) idx;
	ret->text = text ? text : "";
	n = strlen(ret->sender) + strlen(ret->scts_str) + strlen(ret->text) + 8;
	ret->key = malloc(n);
	if (!ret->key)
		return -ENOMEM;
	snprintf(ret->key, n, "T|%s|%s|%s", ret->sender, ret->scts_str,
			ret->text);
	return 0;
}

static void text_to_sms(const struct text_msg *tm, struct sms *ret)
{
	size_t n = strlen(tm->text);

	memset(ret, 0, sizeof(*ret));
	ret->type = SMS_TYPE_DELIVER;
	snprintf(ret->addr.number, sizeof(ret->addr.number), "%s", tm->sender);
	ret->addr.ton = tm->sender[0] == '+' ? SMS_TON_INTERNATIONAL
					     : SMS_TON_UNKNOWN;
	ret->addr.npi = SMS_NPI_ISDN;
	ret->dcs.charset = SMS_CHARSET_GSM7;
	ret->dcs.msg_class = -1;
	if (tm->has_scts)
		ret->scts = tm->scts;
	if (n >= sizeof(ret->text))
		n = sizeof(ret->text) - 1;
	memcpy(ret->text, tm->text, n);
	ret->text[n] = '\0';
	ret->text_len = n;
}

/*
 * Hand a stored (store/index) or direct message to the caller: @hex is
 * the PDU, or in text mode (@tm set) the identity key.
 */
static void deliver(struct modem *m, const char *store, int index, int stat,
		int length, const char *hex, bool direct,
		const struct text_msg *tm)
{
	struct msg *g;
	size_t n = strlen(hex);

	g = calloc(1, sizeof(*g));
	if (!g)
		return; /* stays on the SIM: the next sweep retries */
	g->hex = strdup(hex);
	if (!g->hex) {
		free(g);
		return;
	}
	g->owner = m;
	g->gen = m->gen;
	g->pub.id = ++m->next_msg_id;
	g->pub.pdu_hex = g->hex;
	g->pub.tpdu_len = length > 0 ? (size_t) length : 0;
	g->pub.direct = direct;
	if (!direct)
		snprintf(g->pub.store, sizeof(g->pub.store), "%s", store);
	g->pub.index = direct ? -1 : index;
	g->pub.stat = direct ? -1 : stat;
	if (tm) {
		g->pub.text_mode = true;
		g->pub.pdu_hex = "";
		text_to_sms(tm, &g->pub.msg);
	} else {
		g->pub.decode_err = sms_decode_hex(
				hex, n, 0, &g->pub.msg, &g->pub.decode_reason);
	}
	if (direct)
		g->cnma_deadline = m->now + m->cfg.cnma_deadline_ms;
	g->next = m->msgs;
	m->msgs = g;
	m->stats.sms_received++;
	if (m->cbs.sms)
		m->cbs.sms(m, &g->pub, m->ud);
}

/* Is @hex a status report (TP-MTI 10)? Decoding tells. */
static bool is_status_report(const char *hex)
{
	struct sms s;

	return sms_decode_hex(hex, strlen(hex), 0, &s, NULL) == 0 &&
	       s.type == SMS_TYPE_STATUS_REPORT;
}

/* One stored message seen by AT+CMGR or AT+CMGL. */
static void stored_seen(struct modem *m, const char *store, int index, int stat,
		int length, const char *hex, const struct text_msg *tm)
{
	struct del *d;

	if (find_msg(m, store, index))
		return; /* the caller has it and has not answered yet */
	d = find_del(m, store, index);
	if (d) {
		d->seen = true;
		if (d->state != DEL_UNVERIFIED)
			return; /* deletion queued or running */
		if (same_pdu(d->pdu, hex)) {
			/* Committed earlier, the delete did not finish. */
			d->state = DEL_QUEUED;
			sop_push(m, SOP_DELETE, store, index, d);
			return;
		}
		del_remove(m, d); /* the slot was reused */
	}
	if (!tm && is_status_report(hex)) {
		deliver_status_report(m, hex);
		d = calloc(1, sizeof(*d));
		if (!d)
			return;
		snprintf(d->store, sizeof(d->store), "%s", store);
		d->index = index;
		d->pdu = strdup(hex);
		d->next = m->dels;
		m->dels = d;
		sop_push(m, SOP_DELETE, store, index, d);
		return;
	}
	deliver(m, store, index, stat, length, hex, false, tm);
}

/* A +CMGR:/+CMGL: header and its data line, in PDU or text mode. */
static void stored_entry(struct modem *m, const char *store, int index,
		const char *hdr, const char *data)
{
	struct modem_msg_hdr h;
	struct text_msg tm;
	bool list = strncmp(hdr, "+CMGL:", 6) == 0;

	if (m->text_mode) {
		if (text_parse(hdr, list ? "+CMGL:" : "+CMGR:", data, &tm) <
				0) {
			free(tm.key);
			return;
		}
		stored_seen(m, store, list ? tm.index : index, tm.stat, -1,
				tm.key, &tm);
		free(tm.key);
		return;
	}
	if ((list ? modem_parse_cmgl(hdr, &h, NULL)
		  : modem_parse_cmgr(hdr, &h, NULL)) < 0) {
		struct at_iter it;
		long idx = index;

		/*
		 * An odd header (<stat> 5, <length> 0 or out of range) with a
		 * PDU line: skipping it would leave it on the SIM for ever,
		 * filling the store (MODEM-QUIRKS: corrupt PDUs must still be
		 * deleted). Hand it over; the decoder judges the PDU. Only
		 * the index is needed, and +CMGR's comes from the request.
		 */
		if (list && (at_iter_init(&it, hdr, "+CMGL:") < 0 ||
					    at_iter_next_number(&it, &idx) <
							    0 ||
					    idx < 0 || idx > 65535))
			return;
		h.index = (int) idx;
		h.stat = -1;
		h.length = -1;
	}
	stored_seen(m, store, list ? h.index : index, h.stat, h.length, data,
			NULL);
}

static void sop_issue(struct modem *m);
static void drop_store(struct modem *m, const char *store);

/* The store holds nothing: every unverified delete there is done. */
static void dels_store_empty(struct modem *m, const char *store)
{
	struct del *d, *dn;

	for (d = m->dels; d; d = dn) {
		dn = d->next;
		if (d->state == DEL_UNVERIFIED && strcmp(d->store, store) == 0)
			del_remove(m, d);
	}
}

static void sop_done(struct modem *m, const struct cmd_ctx *ctx,
		const struct at_error *err, const struct at_result *res)
{
	struct sop *o = m->sop_cur;
	struct modem_cpms cpms;
	const char *l;
	size_t i, n;
	struct del *d, *dn;

	if (!o)
		return;
	if (ctx->arg == 1) {
		/* The AT+CPMS store selection before the operation. */
		if (err) {
			m->mem1[0] = '\0';
			if (err->type != AT_ERR_IO)
				dbg(m, "cannot select store %s", o->store);
			if (o->kind == SOP_DELETE && o->del)
				o->del->state = DEL_UNVERIFIED;
			if (o->kind == SOP_SWEEP && err->type != AT_ERR_IO &&
					err->type != AT_ERR_TIMEOUT &&
					strcmp(o->store, m->storage) != 0) {
				/* Refused: stop sweeping it (no retry loop). */
				drop_store(m, o->store);
				sop_finish(m);
				return;
			}
			sop_finish(m);
			request_sweep(m, 2 * m->cfg.resync_quiet_ms);
			return;
		}
		snprintf(m->mem1, sizeof(m->mem1), "%s", o->store);
		l = at_result_find(res, "+CPMS:");
		if (o->kind == SOP_CHECK && l &&
				modem_parse_cpms(l, &cpms, NULL) == 0 &&
				cpms.n > 0 &&
				strcmp(o->store, m->storage) == 0) {
			m->info.store_used = cpms.st[0].used;
			m->info.store_total = cpms.st[0].total;
			if (cpms.st[0].used == 0) {
				dels_store_empty(m, o->store);
				sop_finish(m);
				return;
			}
			o->kind = SOP_SWEEP;
		}
		sop_issue(m);
		return;
	}
	switch (o->kind) {
	case SOP_CHECK: /* AT+CPMS? answered */
		if (!err) {
			l = at_result_find(res, "+CPMS:");
			if (l && modem_parse_cpms(l, &cpms, NULL) == 0 &&
					cpms.n > 0) {
				m->info.store_used = cpms.st[0].used;
				m->info.store_total = cpms.st[0].total;
				if (cpms.st[0].used == 0 &&
						strcmp(cpms.st[0].mem,
								m->storage) ==
								0) {
					dels_store_empty(m, o->store);
					sop_finish(m);
					return;
				}
			}
		}
		if (err && err->type == AT_ERR_IO) {
			sop_finish(m);
			return;
		}
		o->kind = SOP_SWEEP;
		sop_issue(m);
		return;
	case SOP_SWEEP:
		if (err) {
			sop_finish(m);
			if (err->type != AT_ERR_IO)
				request_sweep(m, 10 * m->cfg.resync_quiet_ms);
			return;
		}
		m->stats.sweeps++;
		for (d = m->dels; d; d = d->next)
			d->seen = false;
		n = at_result_count(res);
		for (i = 0; i < n; i++) {
			bool is_pdu;
			const char *pdu;

			l = at_result_line(res, i, &is_pdu);
			if (!l || is_pdu || strncmp(l, "+CMGL:", 6) != 0)
				continue;
			pdu = at_result_line(res, i + 1, &is_pdu);
			if (!pdu || !is_pdu)
				continue;
			i++;
			stored_entry(m, o->store, -1, l, pdu);
		}
		/* Unverified deletes whose message is gone: done. */
		for (d = m->dels; d; d = dn) {
			dn = d->next;
			if (d->state == DEL_UNVERIFIED && !d->seen &&
					strcmp(d->store, o->store) == 0)
				del_remove(m, d);
		}
		sop_finish(m);
		return;
	case SOP_READ:
		if (err) {
			sop_finish(m);
			if (err->type != AT_ERR_IO &&
					!(err->type == AT_ERR_CMS &&
							err->code == 321))
				request_sweep(m, 2 * m->cfg.resync_quiet_ms);
			return;
		}
		l = at_result_find(res, "+CMGR:");
		n = at_result_count(res);
		for (i = 0; l && i < n; i++) {
			bool is_pdu;
			const char *pdu = at_result_line(res, i, &is_pdu);

			if (pdu && is_pdu) {
				stored_entry(m, o->store, o->index, l, pdu);
				break;
			}
		}
		sop_finish(m);
		return;
	case SOP_DELETE:
		d = o->del;
		if (!err || (err->type == AT_ERR_CMS && err->code == 321)) {
			if (!err)
				m->stats.sms_deleted++;
			if (d)
				del_remove(m, d);
		} else if (d) {
			/*
			 * Never repeat AT+CMGD blindly: the slot may hold a
			 * new message by now. Re-list, then decide.
			 */
			d->state = DEL_UNVERIFIED;
			request_sweep(m,
					err->type == AT_ERR_IO
							? 0
							: 2 * m->cfg.resync_quiet_ms);
		}
		sop_finish(m);
		return;
	}
}

static void sop_issue(struct modem *m)
{
	static const char *const p_cpms[] = {"+CPMS:", NULL};
	static const char *const p_cmgr[] = {"+CMGR:", NULL};
	static const char *const p_cmgl[] = {"+CMGL:", NULL};
	struct sop *o = m->sop_cur;
	char cmd[64];
	int rc;

	if (strcmp(m->mem1, o->store) != 0) {
		/* TS 27.005 §3.2.2: <mem1> is read/list/delete's store. */
		snprintf(cmd, sizeof(cmd), "AT+CPMS=\"%s\"", o->store);
		rc = cmd_send(m, CK_SOP, 1, cmd, p_cpms, NULL, 0);
		goto out;
	}
	switch (o->kind) {
	case SOP_READ:
		snprintf(cmd, sizeof(cmd), "AT+CMGR=%d", o->index);
		rc = cmd_send(m, CK_SOP, 0, cmd, p_cmgr, NULL, 0);
		break;
	case SOP_DELETE:
		snprintf(cmd, sizeof(cmd), "AT+CMGD=%d", o->index);
		if (o->del)
			o->del->state = DEL_INFLIGHT;
		rc = cmd_send(m, CK_SOP, 0, cmd, NULL, NULL, 0);
		break;
	case SOP_CHECK:
		rc = cmd_send(m, CK_SOP, 0, "AT+CPMS?", p_cpms, NULL, 0);
		break;
	case SOP_SWEEP:
	default:
		rc = cmd_send(m, CK_SOP, 0,
				m->text_mode ? "AT+CMGL=\"ALL\"" : "AT+CMGL=4",
				p_cmgl, NULL, LIST_TIMEOUT_MS);
		break;
	}
out:
	if (rc < 0) {
		if (o->kind == SOP_DELETE && o->del)
			o->del->state = DEL_UNVERIFIED;
		sop_finish(m);
	}
}

static void sop_pump(struct modem *m)
{
	if (m->sop_cur || !m->sop_head || m->state != MODEM_STATE_READY)
		return;
	m->sop_cur = m->sop_head;
	if (m->sop_cur->kind == SOP_SWEEP || m->sop_cur->kind == SOP_CHECK)
		m->sweep_queued = false; /* a new request queues again */
	m->sop_head = m->sop_cur->next;
	if (!m->sop_head)
		m->sop_tail = NULL;
	m->sop_cur->next = NULL;
	sop_issue(m);
}

/*
 * After a recovery (reopen, reboot, reset) nothing queued or in flight is
 * trusted: every pending delete becomes "unverified" and the sweep that
 * ends every init re-lists the store, deleting only what is still there
 * with the same PDU (never a blind repeat of AT+CMGD).
 */
static void sop_reset_all(struct modem *m)
{
	struct sop *o;
	struct del *d;

	free(m->sop_cur);
	m->sop_cur = NULL;
	while ((o = m->sop_head)) {
		m->sop_head = o->next;
		free(o);
	}
	m->sop_tail = NULL;
	m->sweep_queued = false;
	for (d = m->dels; d; d = d->next)
		d->state = DEL_UNVERIFIED;
}

static void queue_sweep(struct modem *m, bool check_first)
{
	size_t i;

	if (m->sweep_queued)
		return;
	if (sop_push(m, check_first ? SOP_CHECK : SOP_SWEEP, m->storage, -1,
			    NULL) == 0)
		m->sweep_queued = true;
	for (i = 0; i < m->n_xstores; i++)
		sop_push(m, SOP_SWEEP, m->xstores[i], -1, NULL);
}

/* ---------------------------------------------------------------- */
/* Sending */

static void send_complete(struct modem *m, struct send *s,
		const struct modem_send_result *r)
{
	switch (r->status) {
	case MODEM_SEND_OK:
		m->stats.sends_ok++;
		break;
	case MODEM_SEND_UNKNOWN:
		m->stats.sends_unknown++;
		break;
	default:
		m->stats.sends_failed++;
		break;
	}
	if (s->cb)
		s->cb(m, s->id, r, s->user_data);
	free(s->hex);
	free(s);
}

static void send_requeue_front(struct modem *m, struct send *s)
{
	s->next = m->send_head;
	m->send_head = s;
	if (!m->send_tail)
		m->send_tail = s;
}

static void send_done(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	struct send *s = m->send_cur;
	struct modem_send_result r = {.mr = -1, .cms = -1};
	const char *l;
	enum at_retry cls;

	if (!s)
		return;
	m->send_cur = NULL;
	if (!err) {
		l = at_result_find(res, "+CMGS:");
		if (l && modem_parse_cmgs(l, &r.mr, NULL) == 0) {
			r.status = MODEM_SEND_OK;
		} else {
			/* OK without +CMGS: sent, reference unknown. */
			r.status = MODEM_SEND_UNKNOWN;
			r.error = "OK without +CMGS: <mr>";
		}
		send_complete(m, s, &r);
		return;
	}
	if (err->type == AT_ERR_CMS)
		r.cms = err->code;
	if (!err->payload_sent &&
			(err->type == AT_ERR_IO ||
					err->type == AT_ERR_CANCELED)) {
		/* Never reached the modem: it waits for the next READY. */
		dbg(m, "send %llu not written; requeued",
				(unsigned long long) s->id);
		send_requeue_front(m, s);
		return;
	}
	cls = at_error_retry_class(err);
	/*
	 * CMS 500 "unknown error" is what AT+CMEE=1 modems say where others
	 * say ERROR: after the PDU it names no reason, so "maybe sent".
	 */
	if (err->payload_sent && err->type == AT_ERR_CMS && err->code == 500)
		cls = AT_RETRY_UNKNOWN;
	if (err->type == AT_ERR_CMS && err->code >= 0 &&
			cls != AT_RETRY_UNKNOWN) {
		/*
		 * The modem names a reason: trust its class (for 332/
		 * network timeout after the PDU the caller should resend
		 * with TP-RD, see docs/MODEM-DRIVER.md).
		 */
		r.status = cls == AT_RETRY_PERMANENT ? MODEM_SEND_PERMANENT
						     : MODEM_SEND_TEMPORARY;
	} else if (err->payload_sent) {
		r.status = MODEM_SEND_UNKNOWN;
	} else if (cls == AT_RETRY_PERMANENT) {
		r.status = MODEM_SEND_PERMANENT;
	} else {
		r.status = MODEM_SEND_TEMPORARY;
	}
	r.error = err->line ? err->line : at_error_type_str(err->type);
	if (r.cms >= 0 && err->type == AT_ERR_CMS)
		r.error = at_cms_error_str(r.cms);
	send_complete(m, s, &r);
}

/*
 * Text mode (TS 27.005 §3.5.1 text form): AT+CMGS="<da>", the text, Ctrl-Z.
 * Only what text mode can carry: one part, GSM 7-bit, no UDH. Line breaks
 * become spaces (a CR would open a new "> " prompt on most modems).
 */
static void send_text(struct modem *m, struct send *s)
{
	static const char *const p_cmgs[] = {"+CMGS:", NULL};
	struct modem_send_result r = {
			.status = MODEM_SEND_PERMANENT, .mr = -1, .cms = -1};
	struct sms *msg = malloc(sizeof(*msg));
	char cmd[SMS_ADDR_MAX + 16];
	const char *why = NULL;
	size_t i;
	int rc;

	if (!msg) {
		m->send_cur = NULL;
		send_requeue_front(m, s);
		return;
	}
	if (sms_decode_hex(s->hex, strlen(s->hex), 0, msg, &why) < 0 ||
			msg->type != SMS_TYPE_SUBMIT) {
		r.error = why ? why : "not an SMS-SUBMIT PDU";
		goto out_fail;
	}
	if (msg->udh.present || msg->dcs.charset != SMS_CHARSET_GSM7 ||
			strchr(msg->addr.number, '"')) {
		r.error = "text mode: only single-part GSM 7-bit messages";
		goto out_fail;
	}
	for (i = 0; i < msg->text_len; i++)
		if (msg->text[i] == '\r' || msg->text[i] == '\n' ||
				msg->text[i] == 0x1a || msg->text[i] == 0x1b)
			msg->text[i] = ' ';
	snprintf(cmd, sizeof(cmd), "AT+CMGS=\"%s\"", msg->addr.number);
	rc = cmd_send(m, CK_SEND, 0, cmd, p_cmgs, msg->text,
			m->cfg.send_timeout_ms);
	free(msg);
	if (rc < 0) {
		m->send_cur = NULL;
		send_requeue_front(m, s);
	}
	return;

out_fail:
	free(msg);
	m->send_cur = NULL;
	send_complete(m, s, &r);
}

static void send_pump(struct modem *m)
{
	static const char *const p_cmgs[] = {"+CMGS:", NULL};
	struct send *s;
	char cmd[32];
	int rc;

	if (m->send_cur || !m->send_head || m->state != MODEM_STATE_READY)
		return;
	s = m->send_head;
	m->send_head = s->next;
	if (!m->send_head)
		m->send_tail = NULL;
	s->next = NULL;
	m->send_cur = s;
	if (m->text_mode) {
		send_text(m, s);
		return;
	}
	snprintf(cmd, sizeof(cmd), "AT+CMGS=%zu", s->tpdu_len);
	rc = cmd_send(m, CK_SEND, 0, cmd, p_cmgs, s->hex,
			m->cfg.send_timeout_ms);
	if (rc < 0) {
		m->send_cur = NULL;
		send_requeue_front(m, s);
	}
}

int64_t modem_send_pdu(struct modem *m, const char *hex, size_t tpdu_len,
		modem_send_cb cb, void *user_data)
{
	struct send *s;
	size_t n, i;

	if (!m || !hex)
		return -EINVAL;
	n = strlen(hex);
	if (n < 2 || n % 2 || n >= SMS_PDU_HEX_MAX || tpdu_len == 0 ||
			tpdu_len * 2 >= n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char c = hex[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				    (c >= 'A' && c <= 'F')))
			return -EINVAL;
	}
	if (m->state == MODEM_STATE_FAILED)
		return -ENOTCONN;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->hex = strdup(hex);
	if (!s->hex) {
		free(s);
		return -ENOMEM;
	}
	s->id = ++m->next_send_id;
	s->tpdu_len = tpdu_len;
	s->cb = cb;
	s->user_data = user_data;
	if (m->send_tail)
		m->send_tail->next = s;
	else
		m->send_head = s;
	m->send_tail = s;
	/*
	 * Not started here: the callback must never run before this
	 * returns. modem_next_deadline() says "now" until the next
	 * modem_tick() starts it.
	 */
	return (int64_t) s->id;
}

/* ---------------------------------------------------------------- */
/* USSD */

static void ussd_finish(struct modem *m, struct modem_ussd_reply *r)
{
	modem_ussd_cb cb = m->ussd_cb;
	void *ud = m->ussd_ud;

	m->ussd_pending = false;
	m->ussd_cb = NULL;
	if (cb)
		cb(m, r, ud);
}

static void ussd_fail(struct modem *m, const char *why)
{
	struct modem_ussd_reply r = {
			.m = -1,
			.text = "",
			.raw = "",
			.dcs = -1,
			.error = why,
	};

	if (m->ussd_pending)
		ussd_finish(m, &r);
}

static void ussd_line(struct modem *m, const char *line)
{
	struct modem_cusd *c;
	struct modem_ussd_reply r;
	char *text;
	const char *why = NULL;
	int rc;

	c = malloc(sizeof(*c));
	text = malloc(MODEM_USSD_MAX * 3);
	if (!c || !text)
		goto out;
	rc = modem_parse_cusd(line, c, &why);
	if (rc < 0) {
		dbg(m, "bad +CUSD: %s", why);
		goto out;
	}
	memset(&r, 0, sizeof(r));
	r.m = c->m;
	r.dcs = c->dcs;
	r.raw = c->has_str ? c->str : "";
	text[0] = '\0';
	r.text = text;
	if (c->has_str) {
		rc = ussd_decode(c->str, c->dcs, m->cfg.ussd_mode, text,
				MODEM_USSD_MAX * 3, &why);
		if (rc < 0) {
			r.decode_err = rc;
			text[0] = '\0';
		}
	}
	if (m->ussd_pending) {
		ussd_finish(m, &r);
	} else {
		r.network_initiated = true;
		if (m->cbs.ussd)
			m->cbs.ussd(m, &r, m->ud);
	}
out:
	free(c);
	free(text);
}

static void ussd_done(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	const char *l;

	if (!m->ussd_pending)
		return;
	if (err) {
		ussd_fail(m, err->line ? err->line
				       : at_error_type_str(err->type));
		return;
	}
	l = at_result_find(res, "+CUSD:");
	if (l)
		ussd_line(m, l); /* reply before OK */
	/* else: the +CUSD URC comes later (ussd_deadline). */
}

int modem_ussd(struct modem *m, const char *code, modem_ussd_cb cb,
		void *user_data)
{
	static const char *const p_cusd[] = {"+CUSD:", NULL};
	char str[MODEM_USSD_MAX];
	char *cmd;
	int dcs = 15, rc;

	if (!m || !code)
		return -EINVAL;
	if (m->state != MODEM_STATE_READY)
		return -ENOTCONN;
	if (m->ussd_pending)
		return -EBUSY;
	rc = ussd_encode_request(
			code, m->cfg.ussd_mode, str, sizeof(str), &dcs);
	if (rc < 0)
		return rc == -EMSGSIZE ? -EINVAL : rc;
	cmd = malloc(strlen(str) + 40);
	if (!cmd)
		return -ENOMEM;
	sprintf(cmd, "AT+CUSD=1,\"%s\",%d", str, dcs);
	rc = cmd_send(m, CK_USSD, 0, cmd, p_cusd, NULL, 0);
	free(cmd);
	if (rc < 0)
		return rc;
	m->ussd_pending = true;
	m->ussd_cb = cb;
	m->ussd_ud = user_data;
	m->ussd_deadline = m->now + m->cfg.ussd_timeout_ms;
	return 0;
}

int modem_ussd_cancel(struct modem *m)
{
	int rc;

	if (!m)
		return -EINVAL;
	if (m->state != MODEM_STATE_READY)
		return -ENOTCONN;
	rc = cmd_send(m, CK_USSD_CANCEL, 0, "AT+CUSD=2", NULL, NULL, 0);
	if (rc < 0)
		return rc;
	ussd_fail(m, "canceled");
	return 0;
}

/* ---------------------------------------------------------------- */
/* Network info */

enum { INFO_CSQ, INFO_CREG, INFO_COPS, INFO_CPMS };

static void info_done(struct modem *m, int which, const struct at_error *err,
		const struct at_result *res)
{
	struct modem_csq csq;
	struct modem_reg reg;
	struct modem_cops cops;
	struct modem_cpms cpms;
	const char *l;

	if (!err) {
		switch (which) {
		case INFO_CSQ:
			l = at_result_find(res, "+CSQ:");
			if (l && modem_parse_csq(l, &csq, NULL) == 0) {
				m->info.rssi = csq.rssi;
				m->info.signal_known = csq.known;
				m->info.signal_dbm = csq.known ? csq.dbm : 0;
			}
			break;
		case INFO_CREG:
			/*
			 * A +CREG URC (no <n>) that came in before the reply
			 * is collected too: take the line that parses as the
			 * solicited form, not merely the first.
			 */
			l = NULL;
			for (size_t k = 0; k < at_result_count(res); k++) {
				const char *x = at_result_line(res, k, NULL);

				if (x && strncmp(x, "+CREG:", 6) == 0 &&
						modem_parse_creg(x,
								MODEM_REG_AUTO,
								&reg,
								NULL) == 0 &&
						!reg.urc) {
					l = x;
					break;
				}
			}
			if (l) {
				m->info.reg_stat = reg.stat;
				if (reg.lac >= 0)
					m->info.lac = reg.lac;
				if (reg.ci >= 0)
					m->info.ci = reg.ci;
				m->info.act = reg.act;
			}
			break;
		case INFO_COPS:
			l = at_result_find(res, "+COPS:");
			if (l && modem_parse_cops(l, &cops, NULL) == 0)
				snprintf(m->info.oper, sizeof(m->info.oper),
						"%s",
						cops.format >= 0 ? cops.oper
								 : "");
			break;
		case INFO_CPMS:
			l = at_result_find(res, "+CPMS:");
			if (l && modem_parse_cpms(l, &cpms, NULL) == 0 &&
					cpms.n > 2) {
				/* <mem3>: where new messages are stored. */
				snprintf(m->info.store, sizeof(m->info.store),
						"%s", cpms.st[2].mem);
				m->info.store_used = cpms.st[2].used;
				m->info.store_total = cpms.st[2].total;
				if (cpms.st[2].total > 0 &&
						cpms.st[2].used >=
								cpms.st[2].total)
					request_sweep(m, 0);
			}
			break;
		}
	}
	if (m->info_outstanding && --m->info_outstanding == 0 && m->cbs.info)
		m->cbs.info(m, &m->info, m->ud);
}

int modem_refresh_info(struct modem *m)
{
	static const char *const p_csq[] = {"+CSQ:", NULL};
	static const char *const p_creg[] = {"+CREG:", NULL};
	static const char *const p_cops[] = {"+COPS:", NULL};
	static const char *const p_cpms[] = {"+CPMS:", NULL};

	if (!m)
		return -EINVAL;
	if (m->state != MODEM_STATE_READY)
		return -ENOTCONN;
	m->next_status = m->now + m->cfg.status_interval_ms;
	if (m->info_outstanding)
		return 0;
	if (cmd_send(m, CK_INFO, INFO_CSQ, "AT+CSQ", p_csq, NULL, 0) > 0)
		m->info_outstanding++;
	if (cmd_send(m, CK_INFO, INFO_CREG, "AT+CREG?", p_creg, NULL, 0) > 0)
		m->info_outstanding++;
	if (cmd_send(m, CK_INFO, INFO_COPS, "AT+COPS?", p_cops, NULL, 0) > 0)
		m->info_outstanding++;
	if (cmd_send(m, CK_INFO, INFO_CPMS, "AT+CPMS?", p_cpms, NULL, 0) > 0)
		m->info_outstanding++;
	m->next_status = m->now + m->cfg.status_interval_ms;
	return m->info_outstanding ? 0 : -ENOTCONN;
}

int modem_sweep(struct modem *m)
{
	if (!m)
		return -EINVAL;
	if (m->state != MODEM_STATE_READY)
		return -ENOTCONN;
	queue_sweep(m, false);
	if (m->depth == 0)
		sop_pump(m);
	return 0;
}

/* ---------------------------------------------------------------- */
/* URCs */

/*
 * +CMTI/+CDSI named a store other than the configured one (MODEM-QUIRKS:
 * "+CMTI may name a store other than the configured one"): sweeps cover
 * it from now on, so a lost indication there is found too.
 */
static void note_store(struct modem *m, const char *store)
{
	size_t i;

	if (strcmp(store, m->storage) == 0)
		return;
	for (i = 0; i < m->n_xstores; i++)
		if (strcmp(m->xstores[i], store) == 0)
			return;
	if (m->n_xstores == XSTORES_MAX)
		return;
	snprintf(m->xstores[m->n_xstores++], MODEM_STORE_MAX, "%s", store);
}

static void drop_store(struct modem *m, const char *store)
{
	size_t i;

	for (i = 0; i < m->n_xstores; i++) {
		if (strcmp(m->xstores[i], store) != 0)
			continue;
		memmove(m->xstores[i], m->xstores[i + 1],
				(m->n_xstores - i - 1) * sizeof(m->xstores[0]));
		m->n_xstores--;
		return;
	}
}

static void urc_cmti(const char *line, const char *pdu, void *ud)
{
	struct modem *m = ud;
	struct modem_cmti c;
	const char *why;
	bool sr = strncmp(line, "+CDSI:", 6) == 0;
	struct del *d;
	struct sop *o;
	size_t n;

	(void) pdu;
	if ((sr ? modem_parse_cdsi(line, &c, &why)
		: modem_parse_cmti(line, &c, &why)) < 0) {
		dbg(m, "bad %s (%s): sweeping", line, why);
		request_sweep(m, 0);
		return;
	}
	note_store(m, c.store);
	if (m->state != MODEM_STATE_READY) {
		request_sweep(m, 0); /* init ends with a sweep anyway */
		return;
	}
	if (find_msg(m, c.store, c.index))
		return; /* the slot is still taken: a message we hold */
	d = find_del(m, c.store, c.index);
	if (d && d->state == DEL_QUEUED)
		return; /* still taken: AT+CMGD not sent yet */
	/*
	 * Otherwise, once AT+CMGD was sent, the modem may already have put
	 * a new message in the freed slot (its +CMTI can come before the
	 * OK): read it after the delete; stored_seen() tells the two apart
	 * by their PDU.
	 */
	n = 0;
	for (o = m->sop_head; o; o = o->next) {
		if (o->kind != SOP_READ)
			continue;
		if (o->index == c.index && strcmp(o->store, c.store) == 0)
			return; /* a repeated indication: read once */
		n++;
	}
	if (n >= READS_QUEUED_MAX) {
		dbg(m, "%zu reads queued: sweeping instead", n);
		request_sweep(m, 0);
		return;
	}
	sop_push(m, SOP_READ, c.store, c.index, NULL);
}

static void urc_cmt(const char *line, const char *pdu, void *ud)
{
	struct modem *m = ud;
	struct modem_cmt c;
	const char *why = NULL;

	struct text_msg tm;

	if (!pdu) {
		dbg(m, "+CMT without PDU line (%s)", line);
		return; /* not acked: the network re-delivers it */
	}
	if (m->text_mode) {
		if (text_parse(line, "+CMT:", pdu, &tm) == 0)
			deliver(m, "", -1, -1, -1, tm.key, true, &tm);
		free(tm.key);
		return;
	}
	if (modem_parse_cmt(line, &c, &why) < 0)
		c.length = -1;
	deliver(m, "", -1, -1, c.length, pdu, true, NULL);
}

static void urc_cds(const char *line, const char *pdu, void *ud)
{
	struct modem *m = ud;

	(void) line;
	if (!pdu)
		return;
	deliver_status_report(m, pdu);
	/*
	 * AT+CSMS=1 makes +CDS need an acknowledgement too (TS 27.005
	 * §3.4.4), also when +CMT routing fell back to +CMTI but ds=1 was
	 * accepted; a report is not worth a re-delivery. The modem shows
	 * no other +CMT/+CDS before this one is acked (§3.4.1), so this
	 * +CNMA cannot be taken for another indication's.
	 */
	if (m->csms1)
		cmd_send(m, CK_OTHER, 0, "AT+CNMA", NULL, NULL, 0);
}

static void urc_cusd(const char *line, const char *pdu, void *ud)
{
	(void) pdu;
	ussd_line(ud, line);
}

static void urc_creg(const char *line, const char *pdu, void *ud)
{
	struct modem *m = ud;
	struct modem_reg reg;

	(void) pdu;
	if (modem_parse_creg(line, MODEM_REG_URC, &reg, NULL) < 0)
		return;
	m->info.reg_stat = reg.stat;
	if (reg.lac >= 0)
		m->info.lac = reg.lac;
	if (reg.ci >= 0)
		m->info.ci = reg.ci;
	if (reg.act >= 0)
		m->info.act = reg.act;
	if (m->cbs.info)
		m->cbs.info(m, &m->info, m->ud);
}

static void urc_memfull(const char *line, const char *pdu, void *ud)
{
	struct modem *m = ud;

	(void) pdu;
	dbg(m, "%s: sweeping", line);
	request_sweep(m, 0);
}

static void urc_ignore(const char *line, const char *pdu, void *ud)
{
	(void) line;
	(void) pdu;
	(void) ud;
}

static int register_urcs(struct modem *m)
{
	static const struct {
		const char *prefix;
		bool has_pdu;
		at_urc_cb cb;
	} t[] = {
			{"+CMTI:", false, urc_cmti},
			{"+CDSI:", false, urc_cmti},
			{"+CMT:", true, urc_cmt},
			{"+CDS:", true, urc_cds},
			{"+CUSD:", false, urc_cusd},
			{"+CREG:", false, urc_creg},
			{"^SMMEMFULL:", false, urc_memfull},
			{"^SMMEMFULL", false, urc_memfull},
			{"RING", false, urc_ignore},
			{"^RSSI:", false, urc_ignore},
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = at_chan_register_urc(m->chan, t[i].prefix, t[i].has_pdu,
				t[i].cb, m, NULL);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* Command completion dispatch */

static void reset_done(struct modem *m, const struct at_error *err)
{
	if (err) {
		request_down(m, "AT+CFUN=1,1 failed: %s",
				err->line ? err->line
					  : at_error_type_str(err->type));
		return;
	}
	/* Wait for the boot banner (chan_event) or RESET_WAIT_MS. */
	m->reset_waiting = true;
	m->reset_deadline = m->now + m->cfg.reset_wait_ms;
}

static void cmd_done(const struct at_error *err, const struct at_result *res,
		void *ud)
{
	struct cmd_ctx *ctx = ud;
	struct modem *m = ctx->m;

	if (ctx->kind == CK_SEND) {
		note_result(m, err);
		send_done(m, err, res);
		return;
	}
	if (ctx->gen != m->gen)
		return;
	note_result(m, err);
	switch (ctx->kind) {
	case CK_INIT:
		init_done(m, ctx, err, res);
		break;
	case CK_SOP:
		sop_done(m, ctx, err, res);
		break;
	case CK_CNMA:
		if (!err)
			m->stats.sms_acked++;
		else
			dbg(m, "AT+CNMA failed: %s",
					err->line ? err->line
						  : at_error_type_str(
								    err->type));
		break;
	case CK_USSD:
		ussd_done(m, err, res);
		break;
	case CK_INFO:
		info_done(m, ctx->arg, err, res);
		break;
	case CK_RESET:
		reset_done(m, err);
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------- */
/* Lifecycle */

int modem_new(const struct modem_config *cfg, const struct modem_callbacks *cbs,
		void *user_data, struct modem **ret_m)
{
	struct at_chan_config cc = {0};
	struct modem *m;
	const char *st;

	if (!cfg || !cfg->device || !*cfg->device || !ret_m)
		return -EINVAL;
	st = cfg->storage ? cfg->storage : "SM";
	if (strlen(st) < 2 || strlen(st) >= MODEM_STORE_MAX || strchr(st, '"'))
		return -EINVAL;
	if (cfg->pin && (strchr(cfg->pin, '"') || strlen(cfg->pin) > 16))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->cfg = *cfg;
	m->name = strdup(cfg->name ? cfg->name : "modem");
	m->device = strdup(cfg->device);
	m->storage = strdup(st);
	m->pin = cfg->pin ? strdup(cfg->pin) : NULL;
	if (!m->name || !m->device || !m->storage || (cfg->pin && !m->pin))
		goto out_free;
	m->cfg.name = m->name;
	m->cfg.device = m->device;
	m->cfg.storage = m->storage;
	m->cfg.pin = m->pin;
	if (!m->cfg.cmd_timeout_ms)
		m->cfg.cmd_timeout_ms = 5000;
	if (!m->cfg.send_timeout_ms)
		m->cfg.send_timeout_ms = AT_TIMEOUT_SEND_MS;
	if (!m->cfg.ussd_timeout_ms)
		m->cfg.ussd_timeout_ms = 30000;
	if (!m->cfg.cnma_deadline_ms)
		m->cfg.cnma_deadline_ms = 10000;
	if (!m->cfg.max_failures)
		m->cfg.max_failures = 3;
	if (!m->cfg.backoff_min_ms)
		m->cfg.backoff_min_ms = 1000;
	if (m->cfg.backoff_max_ms < m->cfg.backoff_min_ms)
		m->cfg.backoff_max_ms = m->cfg.backoff_min_ms;
	if (!m->cfg.sweep_interval_ms)
		m->cfg.sweep_interval_ms = 60000;
	if (!m->cfg.status_interval_ms)
		m->cfg.status_interval_ms = 60000;
	if (!m->cfg.sim_busy_max_ms)
		m->cfg.sim_busy_max_ms = 60000;
	if (!m->cfg.baud)
		m->cfg.baud = 115200;
	if (!m->cfg.reboot_settle_ms)
		m->cfg.reboot_settle_ms = 1000;
	if (!m->cfg.resync_quiet_ms)
		m->cfg.resync_quiet_ms = 500;
	if (!m->cfg.probe_timeout_ms)
		m->cfg.probe_timeout_ms = 3000;
	if (!m->cfg.sync_timeout_ms)
		m->cfg.sync_timeout_ms = 1500;
	if (!m->cfg.reset_wait_ms)
		m->cfg.reset_wait_ms = 20000;
	if (!m->cfg.sim_busy_first_ms)
		m->cfg.sim_busy_first_ms = 500;
	if (cbs)
		m->cbs = *cbs;
	m->ud = user_data;
	cc.write = chan_write;
	cc.write_data = m;
	/*
	 * Our reset (AT+CFUN=1,1 after max_failures) comes first; the
	 * channel's dead detection (reopen) only if that does not help.
	 */
	cc.max_timeouts = m->cfg.max_failures + 2;
	cc.quiet_ms = m->cfg.resync_quiet_ms;
	cc.probe_timeout_ms = m->cfg.probe_timeout_ms;
	m->chan = at_chan_new(&cc);
	if (!m->chan)
		goto out_free;
	at_chan_set_event_cb(m->chan, chan_event, m);
	at_chan_set_debug(m->chan, chan_debug, m);
	if (register_urcs(m) < 0)
		goto out_free;
	m->info.reg_stat = -1;
	m->info.lac = -1;
	m->info.ci = -1;
	m->info.act = -1;
	m->info.rssi = 99;
	m->info.store_used = -1;
	m->info.store_total = -1;
	m->backoff_ms = m->cfg.backoff_min_ms;
	*ret_m = m;
	return 0;

out_free:
	at_chan_free(m->chan);
	free(m->name);
	free(m->device);
	free(m->storage);
	free(m->pin);
	free(m);
	return -ENOMEM;
}

static void close_port(struct modem *m)
{
	m->closing = true;
	if (m->chan)
		at_chan_set_dead(m->chan);
	m->closing = false;
	transport_close(m->tp);
	m->tp = NULL;
}

static void try_open(struct modem *m)
{
	char reason[TRANSPORT_REASON_MAX] = "";
	static const uint8_t flush[] = {0x1b};
	int rc;

	set_state(m, MODEM_STATE_OPENING, NULL);
	rc = transport_open(
			m->device, m->cfg.baud, m->cfg.rtscts, &m->tp, reason);
	if (rc < 0) {
		m->tp = NULL;
		snprintf(m->down_reason, sizeof(m->down_reason),
				"cannot open %s: %s", m->device,
				reason[0] ? reason : strerror(-rc));
		m->reopen_at = m->now + m->backoff_ms;
		m->backoff_ms = m->backoff_ms * 2 > m->cfg.backoff_max_ms
						? m->cfg.backoff_max_ms
						: m->backoff_ms * 2;
		set_state(m, MODEM_STATE_DOWN, m->down_reason);
		return;
	}
	at_chan_reset(m->chan, m->now);
	/*
	 * A modem left inside a "> " prompt would take our first commands
	 * as PDU text: ESC aborts the prompt (TS 27.005 §3.5.1). No Ctrl-Z:
	 * it would send whatever is in the buffer. No CR either: it would
	 * execute a command line left half-written by a previous run
	 * ("AT+CMGD=1" of "AT+CMGD=12"); merged with our "AT" it fails
	 * instead. The answer to the ESC (some modems say OK or +CMS ERROR
	 * when a prompt is aborted) must not be credited to our "AT": the
	 * first one waits for a quiet period (stale finals are dropped).
	 */
	(void) transport_write(m->tp, flush, sizeof(flush));
	m->sync_settle = true;
	init_start(m);
}

int modem_start(struct modem *m, uint64_t now_ms)
{
	if (!m)
		return -EINVAL;
	if (m->state != MODEM_STATE_CLOSED)
		return -EALREADY;
	m->now = now_ms;
	m->depth++;
	try_open(m);
	m->depth--;
	modem_tick(m, now_ms);
	return 0;
}

static void fail_all_sends(struct modem *m, const char *why)
{
	struct modem_send_result r = {
			.status = MODEM_SEND_TEMPORARY,
			.mr = -1,
			.cms = -1,
			.error = why,
	};
	struct send *s;

	while ((s = m->send_head)) {
		m->send_head = s->next;
		if (!m->send_head)
			m->send_tail = NULL;
		send_complete(m, s, &r);
	}
}

static void free_lists(struct modem *m)
{
	struct sop *o;
	struct del *d;
	struct msg *g;

	free(m->sop_cur);
	m->sop_cur = NULL;
	while ((o = m->sop_head)) {
		m->sop_head = o->next;
		free(o);
	}
	m->sop_tail = NULL;
	while ((d = m->dels)) {
		m->dels = d->next;
		free(d->pdu);
		free(d);
	}
	while ((g = m->msgs)) {
		m->msgs = g->next;
		free(g->hex);
		free(g);
	}
}

void modem_free(struct modem *m)
{
	if (!m)
		return;
	m->depth++;
	m->gen++;
	/* Fails the send in flight through its callback (UNKNOWN or
	 * requeued), then the queue. */
	close_port(m);
	fail_all_sends(m, "modem freed before the send");
	ussd_fail(m, "modem freed");
	at_chan_free(m->chan);
	m->chan = NULL;
	free_lists(m);
	free(m->name);
	free(m->device);
	free(m->storage);
	free(m->pin);
	free(m);
}

/* ---------------------------------------------------------------- */
/* Deferred transitions and timers */

static void go_ready(struct modem *m)
{
	m->backoff_ms = m->cfg.backoff_min_ms;
	m->failures = 0;
	set_state(m, MODEM_STATE_READY, NULL);
	queue_sweep(m, false);
	m->next_sweep = m->now + m->cfg.sweep_interval_ms;
	/* Direct messages of before are void: the modem forgot them. */
	modem_refresh_info(m);
}

static void do_down(struct modem *m)
{
	struct msg *g;

	m->down_pending = false;
	m->gen++;
	/*
	 * at_chan_set_dead() completes the command in flight: a send whose
	 * PDU went out is reported UNKNOWN, one that did not is requeued.
	 */
	close_port(m);
	sop_reset_all(m);
	for (g = m->msgs; g; g = g->next)
		if (g->pub.direct)
			g->cnma_expired = true;
	ussd_fail(m, "modem down");
	m->info_outstanding = 0;
	m->stats.reopens++;
	m->reopen_at = m->now + m->backoff_ms;
	m->backoff_ms = m->backoff_ms * 2 > m->cfg.backoff_max_ms
					? m->cfg.backoff_max_ms
					: m->backoff_ms * 2;
	set_state(m, MODEM_STATE_DOWN, m->down_reason);
}

static void do_fail(struct modem *m)
{
	m->fail_pending = false;
	m->down_pending = false;
	m->gen++;
	close_port(m);
	sop_reset_all(m);
	set_state(m, MODEM_STATE_FAILED, m->fail_reason);
	fail_all_sends(m, m->fail_reason);
	ussd_fail(m, m->fail_reason);
}

static void do_reset(struct modem *m)
{
	int rc;

	dbg(m, "%u consecutive failures: resetting (AT+CFUN=1,1)", m->failures);
	m->failures = 0;
	m->stats.resets++;
	m->gen++;
	/*
	 * No at_chan_reset() here: a late answer of the timed-out command
	 * could be credited to AT+CFUN. The channel finishes its resync
	 * first; older queued commands run and are ignored (generation).
	 */
	set_state(m, MODEM_STATE_INITIALISING, "resetting");
	sop_reset_all(m);
	rc = cmd_send(m, CK_RESET, 0, "AT+CFUN=1,1", NULL, NULL, 10000);
	if (rc < 0)
		request_down(m, "cannot reset: %s", strerror(-rc));
}

static void check_cnma(struct modem *m)
{
	struct msg *g;

	for (g = m->msgs; g; g = g->next) {
		if (!g->pub.direct || g->cnma_expired ||
				m->now < g->cnma_deadline)
			continue;
		g->cnma_expired = true;
		/*
		 * TS 27.005 §3.4.1: without +CNMA in time the ME sends
		 * RP-ERROR and may set <mt> and <ds> to 0. Re-arm +CNMI.
		 */
		dbg(m,
				"no release of direct SMS %llu in time: not "
				"acked, "
				"re-arming +CNMI",
				(unsigned long long) g->pub.id);
		if (m->state == MODEM_STATE_READY && m->cnmi[0])
			cmd_send(m, CK_OTHER, 0, m->cnmi, NULL, NULL, 0);
	}
}

static void process(struct modem *m)
{
	if (m->depth > 0)
		return;
	m->depth++;
	for (int round = 0; round < 4; round++) {
		if (m->fail_pending) {
			do_fail(m);
			continue;
		}
		if (m->down_pending) {
			do_down(m);
			continue;
		}
		break;
	}
	switch (m->state) {
	case MODEM_STATE_DOWN:
		if (m->now >= m->reopen_at)
			try_open(m);
		break;
	case MODEM_STATE_INITIALISING:
	case MODEM_STATE_READY:
		if (m->reinit_pending && m->now >= m->reinit_at) {
			at_chan_reset(m->chan, m->now);
			init_start(m);
			break;
		}
		if (m->reinit_pending)
			break;
		if (m->reset_waiting && m->now >= m->reset_deadline) {
			init_start(m);
			break;
		}
		if (m->state == MODEM_STATE_INITIALISING && m->step_waiting &&
				m->now >= m->step_at) {
			m->step_waiting = false;
			init_issue(m);
		}
		if (m->state != MODEM_STATE_READY)
			break;
		if (m->failures >= m->cfg.max_failures) {
			do_reset(m);
			break;
		}
		if (m->now >= m->next_sweep) {
			m->next_sweep = m->now + m->cfg.sweep_interval_ms;
			queue_sweep(m, true);
		}
		if (m->now >= m->next_status)
			modem_refresh_info(m);
		if (m->ussd_pending && m->now >= m->ussd_deadline)
			ussd_fail(m, "no +CUSD reply in time");
		check_cnma(m);
		sop_pump(m);
		send_pump(m);
		break;
	default:
		break;
	}
	m->depth--;
	/* Something above may have requested a transition. */
	if (m->fail_pending || m->down_pending)
		process(m);
}

/* ---------------------------------------------------------------- */
/* Poll integration */

int modem_fd(const struct modem *m)
{
	return m && m->tp ? transport_fd(m->tp) : -1;
}

bool modem_wants_write(const struct modem *m)
{
	return m && m->tp && at_chan_wants_write(m->chan);
}

static void min_deadline(int64_t *d, uint64_t t)
{
	if (*d < 0 || (int64_t) t < *d)
		*d = (int64_t) t;
}

int64_t modem_next_deadline(const struct modem *m)
{
	int64_t d = -1;
	const struct msg *g;

	if (!m)
		return -1;
	switch (m->state) {
	case MODEM_STATE_DOWN:
		min_deadline(&d, m->reopen_at);
		return d;
	case MODEM_STATE_INITIALISING:
	case MODEM_STATE_READY:
		break;
	default:
		return -1;
	}
	if (m->tp)
		d = at_chan_next_deadline(m->chan);
	if (m->reinit_pending)
		min_deadline(&d, m->reinit_at);
	if (m->reset_waiting)
		min_deadline(&d, m->reset_deadline);
	if (m->state == MODEM_STATE_INITIALISING && m->step_waiting)
		min_deadline(&d, m->step_at);
	if (m->state == MODEM_STATE_READY && !m->reinit_pending) {
		/* Queued work starts at the next tick. */
		if (m->send_head && !m->send_cur)
			min_deadline(&d, m->now);
		if (m->sop_head && !m->sop_cur)
			min_deadline(&d, m->now);
		min_deadline(&d, m->next_sweep);
		min_deadline(&d, m->next_status);
		if (m->ussd_pending)
			min_deadline(&d, m->ussd_deadline);
		for (g = m->msgs; g; g = g->next)
			if (g->pub.direct && !g->cnma_expired)
				min_deadline(&d, g->cnma_deadline);
	}
	return d;
}

void modem_handle_readable(struct modem *m, uint64_t now_ms)
{
	uint8_t buf[4096];
	ssize_t n;
	int i;

	if (!m)
		return;
	m->now = now_ms;
	m->depth++;
	for (i = 0; i < 16 && m->tp && !m->down_pending; i++) {
		n = transport_read(m->tp, buf, sizeof(buf));
		if (n == -EAGAIN)
			break;
		if (n < 0) {
			request_down(m, "device gone: %s", strerror((int) -n));
			break;
		}
		at_chan_feed(m->chan, buf, (size_t) n, now_ms);
	}
	m->depth--;
	process(m);
}

void modem_handle_writable(struct modem *m, uint64_t now_ms)
{
	if (!m)
		return;
	m->now = now_ms;
	m->depth++;
	if (m->tp)
		at_chan_writable(m->chan, now_ms);
	m->depth--;
	process(m);
}

void modem_handle_hangup(struct modem *m, uint64_t now_ms)
{
	if (!m)
		return;
	m->now = now_ms;
	/* Read what is left first: the last answer may be in the buffer. */
	modem_handle_readable(m, now_ms);
	if (m->tp)
		request_down(m, "device hung up");
	process(m);
}

void modem_tick(struct modem *m, uint64_t now_ms)
{
	if (!m)
		return;
	m->now = now_ms;
	m->depth++;
	if (m->tp)
		at_chan_tick(m->chan, now_ms);
	m->depth--;
	process(m);
}

/* ---------------------------------------------------------------- */
/* Release */

int modem_sms_release(struct modem *m, struct modem_sms *sms, bool committed)
{
	struct msg *g = (struct msg *) sms, **pp;
	struct del *d;

	if (!m || !sms)
		return -EINVAL;
	for (pp = &m->msgs; *pp && *pp != g; pp = &(*pp)->next)
		;
	if (!*pp)
		return -EINVAL;
	*pp = g->next;
	if (g->pub.direct) {
		if (committed && !g->cnma_expired && g->gen == m->gen &&
				m->state == MODEM_STATE_READY) {
			/* TS 27.005 §3.4.4: +CNMA (=0 in PDU mode). */
			cmd_send(m, CK_CNMA, 0, "AT+CNMA", NULL, NULL, 0);
		}
		/* Not committed: no ack, the network delivers it again. */
		goto out;
	}
	if (!committed)
		goto out; /* stays on the SIM; the next sweep re-reads */
	d = calloc(1, sizeof(*d));
	if (!d)
		goto out; /* the next sweep hands it over again */
	snprintf(d->store, sizeof(d->store), "%s", g->pub.store);
	d->index = g->pub.index;
	d->pdu = g->hex;
	g->hex = NULL;
	d->state = DEL_QUEUED;
	d->next = m->dels;
	m->dels = d;
	sop_push(m, SOP_DELETE, d->store, d->index, d);
out:
	free(g->hex);
	free(g);
	process(m);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Accessors */

enum modem_state modem_get_state(const struct modem *m)
{
	return m ? m->state : MODEM_STATE_CLOSED;
}

const char *modem_last_error(const struct modem *m)
{
	return m ? m->error : "";
}

const struct modem_info *modem_get_info(const struct modem *m)
{
	return m ? &m->info : NULL;
}

const char *modem_name(const struct modem *m)
{
	return m ? m->name : "";
}

void modem_get_stats(const struct modem *m, struct modem_stats *ret_stats)
{
	if (m && ret_stats)
		*ret_stats = m->stats;
}
