/* SPDX-License-Identifier: MIT */
/*
 * The modem driver start-up sequence (modem/modem_internal.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modem/modem_internal.h"

/* ---------------------------------------------------------------- */
/* Init sequence */

static void init_goto(struct modem *m, enum init_step st)
{
	m->step = st;
	m->step_tries = 0;
	m->step_waiting = false;
	mdm_init_issue(m);
}

static void init_retry_later(struct modem *m, unsigned delay)
{
	m->step_waiting = true;
	m->step_at = m->now + delay;
}

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

void mdm_init_start(struct modem *m)
{
	m->gen++;
	mdm_sop_reset_all(m);
	m->info_outstanding = 0; /* their answers are ignored now */
	mdm_ussd_fail(m, "modem re-initialising");
	m->mem1[0] = '\0';
	m->pin_sent = false;
	m->busy_since = 0;
	m->busy_delay = m->cfg.sim_busy_first_ms;
	m->cnmi_try = 0;
	m->cpms_one = false;
	m->failures = 0;
	m->reinit_pending = false;
	m->reset_waiting = false;
	mdm_set_state(m, MODEM_STATE_INITIALISING, NULL);
	init_goto(m, IS_SYNC);
}

/* SIM busy: retry the same step later, up to sim_busy_max_ms. */
static void init_sim_busy(struct modem *m)
{
	if (!m->busy_since)
		m->busy_since = m->now ? m->now : 1;
	if (m->now - m->busy_since >= m->cfg.sim_busy_max_ms) {
		mdm_request_down(m, "SIM busy for more than %u ms",
				m->cfg.sim_busy_max_ms);
		return;
	}
	mdm_dbg(m, "SIM busy, retrying in %u ms", m->busy_delay);
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

/*
 * One step of the start-up sequence: issue() queues its command (or moves
 * on by itself) and returns 0 or a negative errno; done() judges the
 * answer and moves to the next step, retries, or gives up. SIM busy and
 * I/O errors are handled before done() (mdm_init_done()).
 */
struct init_step_def {
	const char *name;
	int (*issue)(struct modem *m);
	void (*done)(struct modem *m, const struct at_error *err,
			const struct at_result *res);
};

static const char *err_text(const struct at_error *err)
{
	return err->line ? err->line : at_error_type_str(err->type);
}

static bool is_direct(const struct modem *m)
{
	return m->cfg.delivery == MODEM_DELIVERY_DIRECT;
}

static int init_simple(struct modem *m, const char *cmd)
{
	return mdm_cmd(m, CK_INIT, (int) m->step, cmd, NULL, NULL, 0);
}

/* IS_SYNC */
static int issue_sync(struct modem *m)
{
	if (m->sync_settle) {
		/* After try_open()'s ESC: let its answer pass. */
		m->sync_settle = false;
		init_retry_later(m, m->cfg.resync_quiet_ms);
		return 0;
	}
	return mdm_cmd(m, CK_INIT, IS_SYNC, "AT", NULL, NULL,
			m->cfg.sync_timeout_ms);
}

static void done_sync(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	(void) res;
	if (err && ++m->step_tries < SYNC_TRIES) {
		mdm_init_issue(m);
		return;
	}
	if (err) {
		mdm_request_down(m, "no answer to AT");
		return;
	}
	init_goto(m, IS_ECHO);
}

/* IS_ECHO, IS_CMEE, IS_CURC: failures are harmless. */
static int issue_echo(struct modem *m)
{
	return init_simple(m, "ATE0");
}

static int issue_cmee(struct modem *m)
{
	return init_simple(m, "AT+CMEE=1");
}

static int issue_curc(struct modem *m)
{
	if (m->cfg.keep_vendor_urcs) {
		init_goto(m, IS_CPIN);
		return 0;
	}
	/* Huawei only: every other modem answers ERROR. */
	return init_simple(m, "AT^CURC=0");
}

static void done_next(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	(void) err;
	(void) res;
	init_goto(m, (enum init_step)(m->step + 1));
}

/* IS_CPIN */
static int issue_cpin(struct modem *m)
{
	static const char *const p_cpin[] = {"+CPIN:", NULL};

	return mdm_cmd(m, CK_INIT, IS_CPIN, "AT+CPIN?", p_cpin, NULL, 0);
}

static void done_cpin(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	enum modem_pin pin;
	const char *l, *why = NULL;

	if (err && err->type == AT_ERR_TIMEOUT &&
			at_result_find(res, "+CPIN:")) {
		/* "+CPIN: READY" without OK (gammu F_CPIN_NO_OK). */
		mdm_dbg(m, "+CPIN answer without final result: using it");
		err = NULL;
	}
	if (err) {
		if (err->type == AT_ERR_CME && err->code == 10) {
			mdm_request_fail(
					m, "SIM not inserted (+CME ERROR: 10)");
			return;
		}
		if (err->type == AT_ERR_CME &&
				(err->code == 12 || err->code == 18)) {
			mdm_request_fail(m,
					"SIM needs the PUK (+CME ERROR: %d): "
					"not retrying",
					err->code);
			return;
		}
		if (++m->step_tries < 3) {
			init_retry_later(m, 1000);
			return;
		}
		mdm_request_down(m, "AT+CPIN? failed: %s",
				err->line ? err->line : "timeout");
		return;
	}
	l = at_result_find(res, "+CPIN:");
	if (!l || modem_parse_cpin(l, &pin, &why) < 0) {
		mdm_request_down(m, "bad +CPIN reply: %s",
				why ? why : "missing");
		return;
	}
	switch (pin) {
	case MODEM_PIN_READY:
		init_goto(m, IS_CMGF);
		return;
	case MODEM_PIN_SIM_PIN:
		if (m->pin_sent) {
			mdm_request_fail(m,
					"SIM still asks for its PIN after it "
					"was entered: not retrying (a "
					"wrong PIN locks the SIM)");
			return;
		}
		if (!m->pin || !*m->pin) {
			mdm_request_fail(m, "SIM asks for a PIN and none is "
					    "configured");
			return;
		}
		init_goto(m, IS_PIN);
		return;
	case MODEM_PIN_SIM_PIN2:
	case MODEM_PIN_SIM_PUK2:
		/*
		 * PIN2 guards FDN, not SMS; some phones report it when
		 * nothing is needed (smstools pin=ignore).
		 */
		mdm_dbg(m, "%s: ignored (PIN2 is not needed for SMS)", l);
		init_goto(m, IS_CMGF);
		return;
	case MODEM_PIN_SIM_PUK:
	case MODEM_PIN_PH_SIM_PUK:
		mdm_request_fail(m, "SIM is PUK-locked: enter the PUK by hand");
		return;
	default:
		mdm_request_fail(m, "SIM needs attention: %s", l);
		return;
	}
}

/* IS_PIN */
static int issue_pin(struct modem *m)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "AT+CPIN=\"%s\"", m->pin);
	m->pin_sent = true;
	mdm_dbg(m, "entering the SIM PIN (once)");
	return mdm_cmd(m, CK_INIT, IS_PIN, cmd, NULL, NULL, 20000);
}

static void done_pin(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	(void) res;
	if (err && err->type == AT_ERR_TIMEOUT) {
		/* Unknown whether it was taken: look, never retry. */
		init_goto(m, IS_CPIN);
		return;
	}
	if (err) {
		mdm_request_fail(m,
				"SIM PIN rejected (%s): not retrying (a wrong "
				"PIN locks the SIM); fix the configuration",
				err_text(err));
		return;
	}
	/* The SIM is busy for a while after the PIN: ask again. */
	init_goto(m, IS_CPIN);
}

/* IS_CMGF, IS_CMGF_TEXT */
static int issue_cmgf(struct modem *m)
{
	return init_simple(m, "AT+CMGF=0");
}

static void done_cmgf(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	(void) res;
	if (err) {
		if (err->type == AT_ERR_TIMEOUT && ++m->step_tries < 3) {
			mdm_init_issue(m);
			return;
		}
		if (m->cfg.text_mode_fallback && err->type != AT_ERR_TIMEOUT) {
			init_goto(m, IS_CMGF_TEXT);
			return;
		}
		mdm_request_fail(m, "PDU mode (AT+CMGF=0) refused: %s",
				err->line ? err->line : "timeout");
		return;
	}
	m->text_mode = false;
	init_goto(m, IS_CPMS);
}

static int issue_cmgf_text(struct modem *m)
{
	return init_simple(m, "AT+CMGF=1");
}

static void done_cmgf_text(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	(void) res;
	if (err) {
		mdm_request_fail(m,
				"neither PDU nor text mode accepted "
				"(AT+CMGF=1: %s)",
				err_text(err));
		return;
	}
	mdm_dbg(m, "PDU mode refused: using text mode (AT+CMGF=1)");
	m->text_mode = true;
	init_goto(m, IS_CPMS);
}

/* IS_CPMS: some modems reject three stores: then one (mem1 only). */
static int issue_cpms(struct modem *m)
{
	static const char *const p_cpms[] = {"+CPMS:", NULL};
	const char *s = m->storage;
	char cmd[64];

	if (m->cpms_one)
		snprintf(cmd, sizeof(cmd), "AT+CPMS=\"%s\"", s);
	else
		snprintf(cmd, sizeof(cmd), "AT+CPMS=\"%s\",\"%s\",\"%s\"", s, s,
				s);
	return mdm_cmd(m, CK_INIT, IS_CPMS, cmd, p_cpms, NULL, 0);
}

static void done_cpms(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	struct modem_cpms cpms;
	const char *l;

	if (err) {
		if (err->type == AT_ERR_TIMEOUT && ++m->step_tries < 3) {
			mdm_init_issue(m);
			return;
		}
		if (!m->cpms_one && err->type != AT_ERR_TIMEOUT) {
			m->cpms_one = true;
			mdm_init_issue(m);
			return;
		}
		mdm_request_fail(m, "storage \"%s\" refused: %s", m->storage,
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
}

/* IS_CSMS: only for direct delivery; phase 2 modems refuse: fine. */
static int issue_csms(struct modem *m)
{
	static const char *const p_csms[] = {"+CSMS:", NULL};

	m->csms1 = false;
	if (!is_direct(m)) {
		init_goto(m, IS_CNMI);
		return 0;
	}
	return mdm_cmd(m, CK_INIT, IS_CSMS, "AT+CSMS=1", p_csms, NULL, 0);
}

static void done_csms(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	(void) res;
	m->csms1 = !err;
	init_goto(m, IS_CNMI);
}

/* IS_CNMI: down the ladder until one is accepted. */
static int issue_cnmi(struct modem *m)
{
	return init_simple(m,
			cnmi_ladder(is_direct(m), m->text_mode, m->cnmi_try));
}

static void done_cnmi(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	const char *c;

	(void) res;
	if (err && err->type != AT_ERR_TIMEOUT &&
			cnmi_ladder(is_direct(m), m->text_mode,
					m->cnmi_try + 1)) {
		m->cnmi_try++;
		mdm_init_issue(m);
		return;
	}
	if (err && err->type == AT_ERR_TIMEOUT && ++m->step_tries < 3) {
		mdm_init_issue(m);
		return;
	}
	if (err) {
		mdm_dbg(m, "AT+CNMI refused: relying on sweeps");
		m->cnmi[0] = '\0';
		m->direct = false;
		init_goto(m, IS_CREG);
		return;
	}
	c = cnmi_ladder(is_direct(m), m->text_mode, m->cnmi_try);
	if (!c)
		c = "AT+CNMI=2,1,0,0,0"; /* unreachable */
	snprintf(m->cnmi, sizeof(m->cnmi), "%s", c);
	m->direct = c[10] == '2';
	if (is_direct(m) && !m->direct)
		mdm_dbg(m,
				"direct delivery refused: using stored "
				"delivery (%s)",
				c);
	init_goto(m, IS_CREG);
}

/* IS_CREG */
static int issue_creg(struct modem *m)
{
	return init_simple(m, "AT+CREG=2");
}

/*
 * IS_CGREG, IS_CEREG: registration URCs of the packet domains, with cell
 * (TS 27.007 §10.1.20, §10.1.22). LTE-only modems register on EPS only;
 * modems without LTE answer ERROR to AT+CEREG: ignored.
 */
static int issue_cgreg(struct modem *m)
{
	return init_simple(m, "AT+CGREG=2");
}

static int issue_cereg(struct modem *m)
{
	return init_simple(m, "AT+CEREG=2");
}

static void done_cgreg(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	(void) res;
	m->has_cgreg = !err;
	init_goto(m, IS_CEREG);
}

static void done_cereg(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	(void) res;
	m->has_cereg = !err;
	init_goto(m, IS_CIMI);
}

/* IS_CIMI, IS_CCID, IS_CGSN: identities, best effort. */
static int issue_cimi(struct modem *m)
{
	static const char *const p_any[] = {"", NULL};

	return mdm_cmd(m, CK_INIT, IS_CIMI, "AT+CIMI", p_any, NULL, 0);
}

static void done_cimi(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	if (!err)
		init_line(m, res, modem_parse_cimi, m->info.imsi);
	init_goto(m, IS_CCID);
}

static int issue_ccid(struct modem *m)
{
	static const char *const p_ccid[] = {
			"+CCID:", "^ICCID:", "+ICCID:", "+QCCID:", "", NULL};

	return mdm_cmd(m, CK_INIT, IS_CCID, "AT+CCID", p_ccid, NULL, 0);
}

static void done_ccid(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	if (!err)
		init_line(m, res, modem_parse_ccid, m->info.iccid);
	init_goto(m, IS_CGSN);
}

static int issue_cgsn(struct modem *m)
{
	static const char *const p_any[] = {"", NULL};

	return mdm_cmd(m, CK_INIT, IS_CGSN, "AT+CGSN", p_any, NULL, 0);
}

static void done_cgsn(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	if (!err)
		init_line(m, res, modem_parse_imei, m->info.imei);
	init_goto(m, IS_DONE);
}

/* Indexed by enum init_step; IS_DONE has none (mdm_go_ready()). */
static const struct init_step_def steps[IS_DONE] = {
		[IS_SYNC] = {"sync", issue_sync, done_sync},
		[IS_ECHO] = {"echo", issue_echo, done_next},
		[IS_CMEE] = {"cmee", issue_cmee, done_next},
		[IS_CURC] = {"curc", issue_curc, done_next},
		[IS_CPIN] = {"cpin", issue_cpin, done_cpin},
		[IS_PIN] = {"pin", issue_pin, done_pin},
		[IS_CMGF] = {"cmgf", issue_cmgf, done_cmgf},
		[IS_CMGF_TEXT] = {"cmgf-text", issue_cmgf_text, done_cmgf_text},
		[IS_CPMS] = {"cpms", issue_cpms, done_cpms},
		[IS_CSMS] = {"csms", issue_csms, done_csms},
		[IS_CNMI] = {"cnmi", issue_cnmi, done_cnmi},
		[IS_CREG] = {"creg", issue_creg, done_next},
		[IS_CGREG] = {"cgreg", issue_cgreg, done_cgreg},
		[IS_CEREG] = {"cereg", issue_cereg, done_cereg},
		[IS_CIMI] = {"cimi", issue_cimi, done_cimi},
		[IS_CCID] = {"ccid", issue_ccid, done_ccid},
		[IS_CGSN] = {"cgsn", issue_cgsn, done_cgsn},
};

void mdm_init_issue(struct modem *m)
{
	int rc;

	if (m->step >= IS_DONE) {
		mdm_go_ready(m);
		return;
	}
	rc = steps[m->step].issue(m);
	if (rc < 0)
		mdm_request_down(m, "cannot queue init command (%s): %s",
				steps[m->step].name, strerror(-rc));
}

void mdm_init_done(struct modem *m, const struct cmd_ctx *ctx,
		const struct at_error *err, const struct at_result *res)
{
	enum init_step st = (enum init_step) ctx->arg;

	if (st != m->step || m->step_waiting || st >= IS_DONE)
		return;
	if (err && err->type == AT_ERR_IO)
		return; /* DEAD: mdm_request_down() already done */
	if (err && at_error_is_sim_busy(err) && st >= IS_CPIN) {
		init_sim_busy(m);
		return;
	}
	steps[st].done(m, err, res);
}
