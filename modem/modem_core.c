/* SPDX-License-Identifier: MIT */
/*
 * The modem driver core: channel plumbing, command dispatch, lifecycle,
 * deferred transitions and poll integration (modem/modem_internal.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modem/modem_internal.h"
#include "modem/transport.h"

/* ---------------------------------------------------------------- */

void mdm_dbg(struct modem *m, const char *fmt, ...)
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

void mdm_set_state(struct modem *m, enum modem_state st, const char *reason)
{
	if (m->state == st)
		return;
	m->state = st;
	if (reason)
		snprintf(m->error, sizeof(m->error), "%s", reason);
	else if (st == MODEM_STATE_READY)
		m->error[0] = '\0';
	mdm_dbg(m, "state %s%s%s", modem_state_str(st), reason ? ": " : "",
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
	cfg->send_starve_ms = 4000;
	cfg->read_coalesce_ms = 20;
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

void mdm_request_down(struct modem *m, const char *fmt, ...)
{
	va_list ap;

	if (m->down_pending || m->fail_pending)
		return;
	m->down_pending = true;
	va_start(ap, fmt);
	vsnprintf(m->down_reason, sizeof(m->down_reason), fmt, ap);
	va_end(ap);
}

void mdm_request_fail(struct modem *m, const char *fmt, ...)
{
	va_list ap;

	if (m->fail_pending)
		return;
	m->fail_pending = true;
	va_start(ap, fmt);
	vsnprintf(m->fail_reason, sizeof(m->fail_reason), fmt, ap);
	va_end(ap);
}

void mdm_request_sweep(struct modem *m, uint64_t delay)
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
		mdm_dbg(m, "boot banner \"%s\": re-initialising",
				line ? line : "");
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
			mdm_request_down(m, "modem not responding");
		break;
	case AT_EVENT_UNKNOWN:
		if (line && strncmp(line, "^SMMEMFULL", 10) == 0) {
			m->sim_full = true;
			mdm_request_sweep(m, 0);
		} else if (m->sop_cur)
			m->rx_noise = true; /* maybe a garbled +CMGR/+CMGL */
		break;
	default:
		break;
	}
}

static void chan_debug(const char *msg, void *ud)
{
	struct modem *m = ud;

	mdm_dbg(m, "at: %s", msg);
}

static void cmd_done(const struct at_error *err, const struct at_result *res,
		void *ud);

static void ctx_free(void *ud)
{
	free(ud);
}

int mdm_cmd_data(struct modem *m, enum cmd_kind kind, int arg, const char *cmd,
		const char *const *prefixes, bool data_lines,
		const char *payload, unsigned timeout_ms)
{
	struct at_cmd_desc d = {
			.cmd = cmd,
			.prefixes = prefixes,
			.data_lines = data_lines,
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

int mdm_cmd(struct modem *m, enum cmd_kind kind, int arg, const char *cmd,
		const char *const *prefixes, const char *payload,
		unsigned timeout_ms)
{
	return mdm_cmd_data(m, kind, arg, cmd, prefixes, false, payload,
			timeout_ms);
}

/* Command failures that are the modem's fault count towards a reset. */
static void note_result(struct modem *m, const struct at_error *err)
{
	if (!err) {
		m->failures = 0;
		return;
	}
	if (err->type == AT_ERR_CMS && err->code == 322) {
		m->sim_full = true;
		mdm_request_sweep(m, 0); /* memory full */
	}
	if (err->type == AT_ERR_TIMEOUT || err->type == AT_ERR_ERROR)
		m->failures++;
}

/* ---------------------------------------------------------------- */
/* Command completion dispatch */

static void reset_done(struct modem *m, const struct at_error *err)
{
	if (err) {
		mdm_request_down(m, "AT+CFUN=1,1 failed: %s",
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
		mdm_send_done(m, err, res);
		return;
	}
	if (ctx->gen != m->gen)
		return;
	note_result(m, err);
	switch (ctx->kind) {
	case CK_INIT:
		mdm_init_done(m, ctx, err, res);
		break;
	case CK_SOP:
		mdm_sop_done(m, ctx, err, res);
		break;
	case CK_CNMA:
		if (!err)
			m->stats.sms_acked++;
		else
			mdm_dbg(m, "AT+CNMA failed: %s",
					err->line ? err->line
						  : at_error_type_str(
								    err->type));
		break;
	case CK_USSD:
		mdm_ussd_done(m, err, res);
		break;
	case CK_INFO:
		mdm_info_done(m, ctx->arg, err, res);
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
	if (!m->cfg.send_starve_ms)
		m->cfg.send_starve_ms = 4000;
	if (!m->cfg.read_coalesce_ms)
		m->cfg.read_coalesce_ms = 20;
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
	if (mdm_register_urcs(m) < 0)
		goto out_free;
	m->info.reg_stat = -1;
	m->info.cs_stat = m->info.ps_stat = m->info.eps_stat = -1;
	m->info.reg_domain = "";
	for (int d = 0; d < 3; d++) {
		m->dom_lac[d] = m->dom_ci[d] = -1;
		m->dom_act[d] = -1;
	}
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
	m->read_hold_until = 0;
}

static void try_open(struct modem *m)
{
	char reason[TRANSPORT_REASON_MAX] = "";
	static const uint8_t flush[] = {0x1b};
	int rc;

	mdm_set_state(m, MODEM_STATE_OPENING, NULL);
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
		mdm_set_state(m, MODEM_STATE_DOWN, m->down_reason);
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
	mdm_init_start(m);
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
		mdm_send_complete(m, s, &r);
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
		mdm_msg_free(g);
	}
	mdm_rereads_free(m);
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
	mdm_ussd_fail(m, "modem freed");
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

void mdm_go_ready(struct modem *m)
{
	m->backoff_ms = m->cfg.backoff_min_ms;
	m->failures = 0;
	mdm_set_state(m, MODEM_STATE_READY, NULL);
	mdm_queue_sweep(m, false);
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
	mdm_sop_reset_all(m);
	for (g = m->msgs; g; g = g->next)
		if (g->pub.direct)
			g->cnma_expired = true;
	mdm_ussd_fail(m, "modem down");
	m->info_outstanding = 0;
	m->stats.reopens++;
	m->reopen_at = m->now + m->backoff_ms;
	m->backoff_ms = m->backoff_ms * 2 > m->cfg.backoff_max_ms
					? m->cfg.backoff_max_ms
					: m->backoff_ms * 2;
	mdm_set_state(m, MODEM_STATE_DOWN, m->down_reason);
}

static void do_fail(struct modem *m)
{
	m->fail_pending = false;
	m->down_pending = false;
	m->gen++;
	close_port(m);
	mdm_sop_reset_all(m);
	mdm_set_state(m, MODEM_STATE_FAILED, m->fail_reason);
	fail_all_sends(m, m->fail_reason);
	mdm_ussd_fail(m, m->fail_reason);
}

static void do_reset(struct modem *m)
{
	int rc;

	mdm_dbg(m, "%u consecutive failures: resetting (AT+CFUN=1,1)",
			m->failures);
	m->failures = 0;
	m->stats.resets++;
	m->gen++;
	/*
	 * No at_chan_reset() here: a late answer of the timed-out command
	 * could be credited to AT+CFUN. The channel finishes its resync
	 * first; older queued commands run and are ignored (generation).
	 */
	mdm_set_state(m, MODEM_STATE_INITIALISING, "resetting");
	mdm_sop_reset_all(m);
	rc = mdm_cmd(m, CK_RESET, 0, "AT+CFUN=1,1", NULL, NULL, 10000);
	if (rc < 0)
		mdm_request_down(m, "cannot reset: %s", strerror(-rc));
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
		mdm_dbg(m,
				"no release of direct SMS %llu in time: not "
				"acked, "
				"re-arming +CNMI",
				(unsigned long long) g->pub.id);
		if (m->state == MODEM_STATE_READY && m->cnmi[0])
			mdm_cmd(m, CK_OTHER, 0, m->cnmi, NULL, NULL, 0);
	}
}

void mdm_process(struct modem *m)
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
			mdm_init_start(m);
			break;
		}
		if (m->reinit_pending)
			break;
		if (m->reset_waiting && m->now >= m->reset_deadline) {
			mdm_init_start(m);
			break;
		}
		if (m->state == MODEM_STATE_INITIALISING && m->step_waiting &&
				m->now >= m->step_at) {
			m->step_waiting = false;
			mdm_init_issue(m);
		}
		if (m->state != MODEM_STATE_READY)
			break;
		if (m->failures >= m->cfg.max_failures) {
			do_reset(m);
			break;
		}
		if (m->now >= m->next_sweep) {
			m->next_sweep = m->now + m->cfg.sweep_interval_ms;
			mdm_queue_sweep(m, true);
		}
		if (m->now >= m->next_status)
			modem_refresh_info(m);
		if (m->ussd_pending && m->now >= m->ussd_deadline)
			mdm_ussd_fail(m, "no +CUSD reply in time");
		check_cnma(m);
		mdm_sop_pump(m);
		mdm_send_pump(m);
		break;
	default:
		break;
	}
	m->depth--;
	/* Something above may have requested a transition. */
	if (m->fail_pending || m->down_pending)
		mdm_process(m);
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
	if (m->tp && m->read_hold_until)
		min_deadline(&d, m->read_hold_until);
	if (m->reinit_pending)
		min_deadline(&d, m->reinit_at);
	if (m->reset_waiting)
		min_deadline(&d, m->reset_deadline);
	if (m->state == MODEM_STATE_INITIALISING && m->step_waiting)
		min_deadline(&d, m->step_at);
	if (m->state == MODEM_STATE_READY && !m->reinit_pending) {
		/* Queued work starts at the next tick. */
		if (m->send_head && !m->send_cur)
			min_deadline(&d, mdm_send_due(m));
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

/* Read what is there (up to 64 KiB); true when something came. */
static bool read_input(struct modem *m, uint64_t now_ms)
{
	uint8_t buf[4096];
	bool got = false;
	ssize_t n;
	int i;

	for (i = 0; i < 16 && m->tp && !m->down_pending; i++) {
		n = transport_read(m->tp, buf, sizeof(buf));
		if (n == -EAGAIN)
			break;
		if (n < 0) {
			mdm_request_down(m, "device gone: %s",
					strerror((int) -n));
			break;
		}
		if (n == 0)
			break;
		got = true;
		at_chan_feed(m->chan, buf, (size_t) n, now_ms);
	}
	return got;
}

/*
 * Coalescing: a response still in progress after this read (the command
 * waits for its final result) that trickles in (the previous read of it
 * was a moment ago: a paced serial line) is left to accumulate for
 * read_coalesce_ms. A response that comes in one or two large pieces (an
 * unpaced line) is never held; nor are finals, prompts and URCs outside a
 * response.
 */
static void maybe_hold(struct modem *m, uint64_t now_ms, bool got)
{
	bool partial = got && m->tp &&
		       at_chan_get_state(m->chan) == AT_STATE_WAIT_FINAL;

	m->read_hold_until = 0;
	if (!partial) {
		if (got)
			m->last_partial = 0;
		return;
	}
	if (m->cfg.read_coalesce_ms != UINT_MAX && m->last_partial &&
			now_ms - m->last_partial <= TRICKLE_MS)
		m->read_hold_until = now_ms + m->cfg.read_coalesce_ms;
	m->last_partial = now_ms;
}

void modem_handle_readable(struct modem *m, uint64_t now_ms)
{
	bool got;

	if (!m)
		return;
	m->now = now_ms;
	m->depth++;
	got = read_input(m, now_ms);
	maybe_hold(m, now_ms, got);
	m->depth--;
	mdm_process(m);
}

bool modem_wants_read(const struct modem *m)
{
	return m && m->tp && !(m->read_hold_until > m->now);
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
	mdm_process(m);
}

void modem_handle_hangup(struct modem *m, uint64_t now_ms)
{
	if (!m)
		return;
	m->now = now_ms;
	/* Read what is left first: the last answer may be in the buffer. */
	modem_handle_readable(m, now_ms);
	if (m->tp)
		mdm_request_down(m, "device hung up");
	mdm_process(m);
}

void modem_tick(struct modem *m, uint64_t now_ms)
{
	if (!m)
		return;
	m->now = now_ms;
	m->depth++;
	if (m->read_hold_until && now_ms >= m->read_hold_until && m->tp)
		maybe_hold(m, now_ms, read_input(m, now_ms));
	if (m->tp)
		at_chan_tick(m->chan, now_ms);
	m->depth--;
	mdm_process(m);
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
