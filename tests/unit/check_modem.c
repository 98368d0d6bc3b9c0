/* SPDX-License-Identifier: MIT */
/*
 * Integration tests of the modem driver (modem/modem.h) against the
 * in-process pty simulator (tests/sim/sim.h): one poll loop drives both,
 * every wait is bounded by a deadline, nothing sleeps.
 */
#define _GNU_SOURCE /* posix_openpt, ptsname */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "modem/modem.h"
#include "modem/sms_pdu.h"
#include "modem/ucs2.h"
#include "tests/sim/sim.h"
#include "tests/unit/testutil.h"

#define MAX_RX 2048
#define MAX_HELD 256

struct rx {
	char hex[SMS_PDU_HEX_MAX];
	bool direct;
	char store[MODEM_STORE_MAX];
	int index;
	int decode_err;
	bool garbled;
	unsigned reads;
	struct sms msg;
};

struct tx {
	bool done;
	struct modem_send_result res;
	char error[128];
};

struct h {
	struct sim *sim;
	struct modem *m;
	struct modem_config cfg;
	char dir[64];
	char link[PATH_MAX];

	enum modem_state states[64];
	size_t n_states;
	char fail_reason[256];

	struct rx *rx;
	size_t n_rx;
	bool hold;   /* keep handles instead of releasing */
	bool commit; /* release argument when not holding */
	struct modem_sms *held[MAX_HELD];
	size_t n_held;

	struct modem_status_report_copy {
		int mr;
		int status;
		int decode_err;
	} sr[16];
	size_t n_sr;

	struct {
		bool done;
		int m;
		char text[512];
		char raw[1024];
		int dcs;
		bool network;
		int err;
	} ussd[8];
	size_t n_ussd;

	unsigned info_events;

	/* Reply mode: each received message queues one send (an ack). */
	struct sms_pdu_out *reply;
	struct tx *reply_tx;
	size_t n_replies;
	unsigned cmgs_at_rx; /* simulator's +CMGS count at the last rx */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}

/* ---- callbacks ---- */

static void cb_send(struct modem *m, uint64_t id,
		const struct modem_send_result *r, void *ud);

static void cb_state(
		struct modem *m, enum modem_state st, const char *why, void *ud)
{
	struct h *h = ud;

	(void) m;
	if (h->n_states < 64)
		h->states[h->n_states++] = st;
	if (st == MODEM_STATE_FAILED && why)
		snprintf(h->fail_reason, sizeof(h->fail_reason), "%s", why);
}

static void cb_sms(struct modem *m, struct modem_sms *sms, void *ud)
{
	struct h *h = ud;
	struct rx *r;

	ck_assert_uint_lt(h->n_rx, MAX_RX);
	r = &h->rx[h->n_rx++];
	snprintf(r->hex, sizeof(r->hex), "%s", sms->pdu_hex);
	r->direct = sms->direct;
	snprintf(r->store, sizeof(r->store), "%s", sms->store);
	r->index = sms->index;
	r->decode_err = sms->decode_err;
	r->garbled = sms->garbled;
	r->reads = sms->reads;
	if (!sms->decode_err)
		r->msg = sms->msg;
	h->cmgs_at_rx = sim_counter(h->sim, "+CMGS");
	if (h->hold) {
		ck_assert_uint_lt(h->n_held, MAX_HELD);
		h->held[h->n_held++] = sms;
		return;
	}
	ck_assert_int_eq(modem_sms_release(m, sms, h->commit), 0);
	if (h->reply) {
		struct tx *t = &h->reply_tx[h->n_replies++];

		ck_assert_uint_le(h->n_replies, MAX_RX);
		ck_assert_int_gt(
				modem_send_pdu(m, h->reply->hex,
						h->reply->tpdu_len, cb_send, t),
				0);
	}
}

static void cb_sr(
		struct modem *m, const struct modem_status_report *sr, void *ud)
{
	struct h *h = ud;

	(void) m;
	if (h->n_sr >= 16)
		return;
	h->sr[h->n_sr].decode_err = sr->decode_err;
	h->sr[h->n_sr].mr = sr->decode_err ? -1 : sr->msg.mr;
	h->sr[h->n_sr].status = sr->decode_err ? -1 : sr->msg.status;
	h->n_sr++;
}

static void ussd_store(struct h *h, const struct modem_ussd_reply *r)
{
	ck_assert_uint_lt(h->n_ussd, 8);
	h->ussd[h->n_ussd].done = true;
	h->ussd[h->n_ussd].m = r->m;
	snprintf(h->ussd[h->n_ussd].text, 512, "%s", r->text);
	snprintf(h->ussd[h->n_ussd].raw, 1024, "%s", r->raw);
	h->ussd[h->n_ussd].dcs = r->dcs;
	h->ussd[h->n_ussd].network = r->network_initiated;
	h->ussd[h->n_ussd].err = r->decode_err;
	h->n_ussd++;
}

static void cb_ussd_net(
		struct modem *m, const struct modem_ussd_reply *r, void *ud)
{
	(void) m;
	ussd_store(ud, r);
}

static void cb_ussd_req(
		struct modem *m, const struct modem_ussd_reply *r, void *ud)
{
	(void) m;
	ussd_store(ud, r);
}

static void cb_info(struct modem *m, const struct modem_info *info, void *ud)
{
	struct h *h = ud;

	(void) m;
	(void) info;
	h->info_events++;
}

static void cb_debug(struct modem *m, const char *msg, void *ud)
{
	(void) m;
	(void) ud;
	if (getenv("MODEM_DEBUG"))
		fprintf(stderr, "%llu %s\n", (unsigned long long) now_ms(),
				msg);
}

static void cb_send(struct modem *m, uint64_t id,
		const struct modem_send_result *r, void *ud)
{
	struct tx *t = ud;

	(void) m;
	(void) id;
	ck_assert(!t->done); /* exactly once */
	t->done = true;
	t->res = *r;
	snprintf(t->error, sizeof(t->error), "%s", r->error ? r->error : "");
	t->res.error = t->error;
}

/* ---- harness ---- */

static void h_init(struct h *h, struct sim_config *scfg,
		void (*tweak)(struct modem_config *))
{
	static const struct modem_callbacks cbs = {
			.state = cb_state,
			.sms = cb_sms,
			.status_report = cb_sr,
			.ussd = cb_ussd_net,
			.info = cb_info,
			.debug = cb_debug,
	};
	struct sim_config dflt;
	char reason[160] = "";
	int r;

	memset(h, 0, sizeof(*h));
	h->commit = true;
	h->rx = calloc(MAX_RX, sizeof(*h->rx));
	ck_assert_ptr_nonnull(h->rx);
	if (!scfg) {
		sim_config_init(&dflt);
		scfg = &dflt;
	}
	snprintf(h->dir, sizeof(h->dir), "/tmp/fieldgate-drv-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(h->dir));
	snprintf(h->link, sizeof(h->link), "%s/modem", h->dir);
	scfg->link_path = h->link;
	r = sim_new(scfg, &h->sim, reason);
	ck_assert_msg(r == 0, "sim_new: %d %s", r, reason);

	modem_config_init(&h->cfg);
	h->cfg.name = "test";
	h->cfg.device = h->link;
	h->cfg.backoff_min_ms = 100;
	h->cfg.backoff_max_ms = 400;
	h->cfg.reboot_settle_ms = 200;
	/* Recovery timings shortened (the suite runs 3x in CI). */
	h->cfg.resync_quiet_ms = 50;
	h->cfg.probe_timeout_ms = 500;
	h->cfg.sync_timeout_ms = 500;
	h->cfg.reset_wait_ms = 3000;
	h->cfg.sim_busy_first_ms = 100;
	h->cfg.sweep_interval_ms = 600000; /* tests sweep explicitly */
	h->cfg.status_interval_ms = 600000;
	if (tweak)
		tweak(&h->cfg);
	ck_assert_int_eq(modem_new(&h->cfg, &cbs, h, &h->m), 0);
	ck_assert_int_eq(modem_start(h->m, now_ms()), 0);
}

static void h_free(struct h *h)
{
	modem_free(h->m);
	sim_free(h->sim);
	rmdir(h->dir);
	free(h->rx);
}

/* One round of the loop: poll both, dispatch, tick. */
static void h_step(struct h *h, uint64_t deadline)
{
	struct pollfd p[2];
	uint64_t now = now_ms();
	int64_t md = modem_next_deadline(h->m);
	int timeout = 50, st, n = 1, fd;

	if (deadline > now && deadline - now < (uint64_t) timeout)
		timeout = (int) (deadline - now);
	if (deadline <= now)
		timeout = 0;
	st = sim_timeout_ms(h->sim);
	if (st >= 0 && st < timeout)
		timeout = st;
	if (md >= 0) {
		if ((uint64_t) md <= now)
			timeout = 0;
		else if ((uint64_t) md - now < (uint64_t) timeout)
			timeout = (int) ((uint64_t) md - now);
	}
	p[0].fd = sim_fd(h->sim);
	p[0].events = POLLIN;
	p[0].revents = 0;
	fd = modem_fd(h->m);
	if (fd >= 0) {
		p[1].fd = fd;
		/* As the daemon does: no POLLIN while coalescing. */
		p[1].events = (modem_wants_read(h->m) ? POLLIN : 0) |
			      (modem_wants_write(h->m) ? POLLOUT : 0);
		p[1].revents = 0;
		n = 2;
	}
	ck_assert_int_ge(poll(p, (nfds_t) n, timeout), 0);
	sim_dispatch(h->sim);
	now = now_ms();
	if (n == 2 && p[1].fd == modem_fd(h->m)) {
		if (p[1].revents & POLLIN)
			modem_handle_readable(h->m, now);
		if (p[1].revents & POLLOUT)
			modem_handle_writable(h->m, now);
		if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL))
			modem_handle_hangup(h->m, now);
	}
	modem_tick(h->m, now);
}

typedef bool (*pred_fn)(struct h *h, const void *arg);

static bool h_run(
		struct h *h, pred_fn pred, const void *arg, unsigned timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;

	while (!pred(h, arg)) {
		if (now_ms() >= deadline)
			return false;
		h_step(h, deadline);
	}
	return true;
}

/* Run the loop for @ms whatever happens. */
static bool never(struct h *h, const void *arg)
{
	(void) h;
	(void) arg;
	return false;
}

static void h_idle(struct h *h, unsigned ms)
{
	h_run(h, never, NULL, ms);
}

static bool is_state(struct h *h, const void *arg)
{
	return modem_get_state(h->m) == *(const enum modem_state *) arg;
}

static void h_wait_state(struct h *h, enum modem_state st, unsigned ms)
{
	ck_assert_msg(h_run(h, is_state, &st, ms),
			"state %s not reached "
			"(now %s: %s)",
			modem_state_str(st),
			modem_state_str(modem_get_state(h->m)),
			modem_last_error(h->m));
}

static bool settled(struct h *h, const void *arg)
{
	struct modem_stats st;

	modem_get_stats(h->m, &st);
	return st.sweeps > *(const uint64_t *) arg && h->info_events > 0;
}

/* READY, and the start-up sweep and info refresh done. */
static void h_wait_ready(struct h *h)
{
	struct modem_stats st;

	modem_get_stats(h->m, &st);
	h_wait_state(h, MODEM_STATE_READY, 5000);
	h->info_events = 0;
	ck_assert(h_run(h, settled, &st.sweeps, 3000));
}

/* Driver idle: READY, nothing queued in the sim's network or in flight. */
static bool rx_count(struct h *h, const void *arg)
{
	return h->n_rx >= *(const size_t *) arg;
}

static void h_wait_rx(struct h *h, size_t n, unsigned ms)
{
	ck_assert_msg(h_run(h, rx_count, &n, ms), "received %zu of %zu",
			h->n_rx, n);
}

/* Inject @s and wait until it is handed over and held (not released). */
static void h_hold_one(struct h *h, const struct sim_sms *s)
{
	h->hold = true;
	ck_assert_int_eq(sim_inject_sms(h->sim, s, NULL), 1);
	h_wait_rx(h, 1, 3000);
}

static bool tx_done(struct h *h, const void *arg)
{
	(void) h;
	return ((const struct tx *) arg)->done;
}

static bool deleted_is(struct h *h, const void *arg)
{
	struct modem_stats st;

	modem_get_stats(h->m, &st);
	return st.sms_deleted == *(const size_t *) arg;
}

static bool stored_is(struct h *h, const void *arg)
{
	return sim_stored(h->sim, "SM") == *(const int *) arg &&
	       sim_pending(h->sim) == 0;
}

/* ---- tests ---- */

START_TEST(test_init_echo_on)
{
	struct h h;
	const struct modem_info *info;

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	/* The simulator powers up with echo on; ATE0 switched it off. */
	ck_assert_uint_ge(sim_counter(h.sim, "E"), 1);
	info = modem_get_info(h.m);
	ck_assert_str_ne(info->imsi, "");
	ck_assert_str_ne(info->iccid, "");
	ck_assert_str_ne(info->imei, "");
	/* The info refresh at READY. */
	h_idle(&h, 200);
	ck_assert_uint_ge(h.info_events, 1);
	info = modem_get_info(h.m);
	ck_assert_int_eq(info->reg_stat, 1);
	ck_assert_int_eq(info->lac, 0x2AF5);
	ck_assert_int_eq(info->ci, 0x0B88E350);
	ck_assert_str_eq(info->oper, "FIELDNET");
	ck_assert(info->signal_known);
	ck_assert_int_eq(info->signal_dbm, -113 + 2 * 20);
	ck_assert_int_eq(info->store_total, 30);
	/* Idle: no deadline soon (no busy loop in the caller's poll). */
	ck_assert_int_gt(modem_next_deadline(h.m) - (int64_t) now_ms(), 1000);
	ck_assert_uint_eq(h.n_states >= 3, 1);
	ck_assert_int_eq(h.states[0], MODEM_STATE_OPENING);
	ck_assert_int_eq(h.states[1], MODEM_STATE_INITIALISING);
	ck_assert_int_eq(h.states[2], MODEM_STATE_READY);
	h_free(&h);
}
END_TEST

/* The 200 messages: texts and how they are injected. */
#define N_MSG 200

static const char *const zh = "你好世界，今天的销售报告已经完成。";

static void make_text(unsigned i, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	switch (i % 4) {
	case 0: /* Chinese, UCS-2, 2-3 parts */
		while (len + strlen(zh) + 16 < size && len < 450)
			len += (size_t) snprintf(
					buf + len, size - len, "%s", zh);
		snprintf(buf + len, size - len, " #%u", i);
		break;
	case 1: /* short GSM-7 */
		snprintf(buf, size, "SALE %u qty=%u shop=Kampala-%u", i,
				i * 7 % 100, i % 13);
		break;
	case 2: /* long GSM-7, 2 parts */
		for (unsigned k = 0; k < 20; k++)
			len += (size_t) snprintf(buf + len, size - len,
					"item%u:%u; ", k, i + k);
		break;
	default: /* Chinese short, UCS-2 single */
		snprintf(buf, size, "库存 %u 箱", i);
		break;
	}
}

struct expect {
	char text[1024];
	unsigned parts;
	char got[8][512];
	unsigned got_n[8];
};

static unsigned inject_msg(struct h *h, unsigned i, struct expect *e)
{
	static const uint8_t rev3[] = {3, 1, 2};
	static const uint8_t rev2[] = {2, 1};
	struct sim_sms s = {0};
	char from[32];
	const char *why = NULL;
	int n;

	make_text(i, e->text, sizeof(e->text));
	snprintf(from, sizeof(from), "+2567720%05u", i);
	s.from = from;
	s.text = e->text;
	s.ref16 = true;
	s.ref = (uint16_t) (i + 1);
	s.force_concat = true;
	s.msg_class = -1;
	if (i % 4 == 0) {
		s.order = rev3;
		s.n_order = 3;
	} else if (i % 4 == 2) {
		s.order = rev2;
		s.n_order = 2;
	}
	n = sim_inject_sms(h->sim, &s, &why);
	ck_assert_msg(n > 0, "inject %u: %d %s", i, n, why ? why : "");
	e->parts = (unsigned) n;
	return (unsigned) n;
}

/* Check every received part against the injected messages. */
static void check_received(struct h *h, struct expect *e, unsigned n_msg,
		size_t total_parts)
{
	size_t i;
	unsigned k, p;

	ck_assert_uint_eq(h->n_rx, total_parts);
	for (i = 0; i < h->n_rx; i++) {
		const struct sms *s = &h->rx[i].msg;
		unsigned ref;

		ck_assert_msg(h->rx[i].decode_err == 0, "part %zu undecoded",
				i);
		ck_assert(s->udh.has_concat);
		ref = s->udh.concat_ref;
		ck_assert_uint_ge(ref, 1);
		ck_assert_uint_le(ref, n_msg);
		ck_assert_uint_ge(s->udh.concat_seq, 1);
		ck_assert_uint_le(s->udh.concat_seq, 8);
		k = ref - 1;
		p = s->udh.concat_seq - 1;
		ck_assert_uint_eq(s->udh.concat_total, e[k].parts);
		e[k].got_n[p]++;
		snprintf(e[k].got[p], sizeof(e[k].got[p]), "%s", s->text);
	}
	for (k = 0; k < n_msg; k++) {
		char all[2048] = "";

		for (p = 0; p < e[k].parts; p++) {
			ck_assert_msg(e[k].got_n[p] == 1,
					"msg %u part %u "
					"received %u times",
					k, p + 1, e[k].got_n[p]);
			strcat(all, e[k].got[p]);
		}
		ck_assert_str_eq(all, e[k].text);
	}
}

static void keep_urcs(struct modem_config *c)
{
	c->keep_vendor_urcs = true;
}

/* By default AT^CURC=0 switches a Huawei ^RSSI flood off at start-up. */
START_TEST(test_curc_stops_rssi)
{
	struct h h;

	unsigned n;

	h_init(&h, NULL, NULL);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_RSSI_FLOOD_MS, 5), 0);
	h_wait_ready(&h);
	ck_assert_uint_eq(sim_counter(h.sim, "^CURC"), 1);
	n = sim_counter(h.sim, "rssi");
	h_idle(&h, 60);
	ck_assert_uint_eq(sim_counter(h.sim, "rssi"), n);
	h_free(&h);
}
END_TEST

START_TEST(test_receive_200)
{
	struct h h;
	struct expect *e = calloc(N_MSG, sizeof(*e));
	struct modem_stats s0, s1;
	size_t total = 0, steady_parts = 0;
	unsigned i;
	int zero = 0;
	double per_msg;

	ck_assert_ptr_nonnull(e);
	/* ^RSSI left on (no AT^CURC=0): the flood below must happen. */
	h_init(&h, NULL, keep_urcs);
	h_wait_ready(&h);

	/* Phase A: URC floods, URCs inside +CMGR, garbage, NULs. */
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_RSSI_FLOOD_MS, 7), 0);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_GARBAGE, 30), 0);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_NULS, 30), 0);
	for (i = 0; i < 100; i++) {
		if (i % 5 == 0)
			sim_set_urc(h.sim, SIM_URC_IN_CMGR,
					"+CREG: 1,\"2AF5\",\"0B88E350\"");
		total += inject_msg(&h, i, &e[i]);
		if (i % 10 == 9)
			h_wait_rx(&h, total, 10000);
	}
	h_wait_rx(&h, total, 10000);
	ck_assert_uint_gt(sim_counter(h.sim, "rssi"), 0);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_RSSI_FLOOD_MS, 0), 0);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_GARBAGE, 0), 0);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_NULS, 0), 0);

	/* Phase B: one byte at a time. */
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_BYTEWISE_US, 5), 0);
	for (; i < 130; i++)
		total += inject_msg(&h, i, &e[i]);
	h_wait_rx(&h, total, 15000);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_BYTEWISE_US, 0), 0);
	ck_assert(h_run(&h, stored_is, &zero, 5000));

	/* Phase C: steady state, AT commands per received message. */
	modem_get_stats(h.m, &s0);
	for (; i < N_MSG; i++) {
		unsigned n = inject_msg(&h, i, &e[i]);

		total += n;
		steady_parts += n;
		h_wait_rx(&h, total, 5000);
	}
	ck_assert(h_run(&h, stored_is, &zero, 5000));
	ck_assert(h_run(&h, deleted_is, &total, 5000));
	modem_get_stats(h.m, &s1);
	per_msg = (double) (s1.at_commands - s0.at_commands) /
		  (double) steady_parts;
	printf("receive: %zu parts; steady state %llu AT commands for %zu "
	       "messages = %.2f per message\n",
			total,
			(unsigned long long) (s1.at_commands - s0.at_commands),
			steady_parts, per_msg);
	ck_assert(per_msg <= 3.0);

	check_received(&h, e, N_MSG, total);
	/* Each released exactly once: one AT+CMGD per part, store empty. */
	ck_assert_uint_eq(sim_counter(h.sim, "+CMGD"), total);
	ck_assert_uint_eq(s1.sms_deleted, total);
	ck_assert_int_eq(sim_stored(h.sim, "SM"), 0);
	h_free(&h);
	free(e);
}
END_TEST

START_TEST(test_dropped_cmti_sweep)
{
	struct h h;
	struct sim_sms s = {.text = "lost indication", .msg_class = -1};
	int zero = 0;

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_DROP_CMTI, 1), 0);
	ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	h_idle(&h, 300);
	ck_assert_uint_eq(h.n_rx, 0);
	ck_assert_uint_eq(sim_counter(h.sim, "cmti-dropped"), 1);
	ck_assert_int_eq(sim_stored(h.sim, "SM"), 1);
	ck_assert_int_eq(modem_sweep(h.m), 0);
	h_wait_rx(&h, 1, 3000);
	ck_assert_str_eq(h.rx[0].msg.text, "lost indication");
	ck_assert(h_run(&h, stored_is, &zero, 3000));
	h_free(&h);
}
END_TEST

static void short_sweep(struct modem_config *c)
{
	c->sweep_interval_ms = 100;
}

START_TEST(test_periodic_sweep)
{
	struct h h;
	struct sim_sms s = {.text = "found by the timer", .msg_class = -1};

	h_init(&h, NULL, short_sweep);
	h_wait_ready(&h);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_DROP_CMTI, 1), 0);
	ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	h_wait_rx(&h, 1, 3000);
	ck_assert_str_eq(h.rx[0].msg.text, "found by the timer");
	h_free(&h);
}
END_TEST

START_TEST(test_storage_full)
{
	struct h h;
	struct sim_config sc;
	struct sim_sms s = {.msg_class = -1};
	char text[8][32];
	unsigned i;
	size_t k;
	int zero = 0;

	sim_config_init(&sc);
	sc.sm_capacity = 3;
	h_init(&h, &sc, NULL);
	h_wait_ready(&h);
	h.hold = true; /* the "database" is slow: nothing released */
	for (i = 0; i < 6; i++) {
		snprintf(text[i], sizeof(text[i]), "full %u", i);
		s.text = text[i];
		ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	}
	h_wait_rx(&h, 3, 3000);
	h_idle(&h, 200);
	ck_assert_uint_eq(h.n_rx, 3);
	ck_assert_uint_ge(sim_counter(h.sim, "memfull"), 1);
	ck_assert_uint_eq(sim_pending(h.sim), 3);
	/* Now commit: deletes make room, the rest comes in. */
	h.hold = false;
	for (k = 0; k < h.n_held; k++)
		ck_assert_int_eq(modem_sms_release(h.m, h.held[k], true), 0);
	h.n_held = 0;
	h_wait_rx(&h, 6, 5000);
	ck_assert(h_run(&h, stored_is, &zero, 3000));
	for (i = 0; i < 6; i++)
		ck_assert_str_eq(h.rx[i].msg.text, text[i]);
	ck_assert_uint_eq(sim_counter(h.sim, "+CMGD"), 6);
	h_free(&h);
}
END_TEST

START_TEST(test_uncommitted_stays)
{
	struct h h;
	struct sim_sms s = {.text = "db down", .msg_class = -1};
	int zero = 0;

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	h.commit = false;
	ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	h_wait_rx(&h, 1, 3000);
	h_idle(&h, 100);
	ck_assert_int_eq(sim_stored(h.sim, "SM"), 1);
	ck_assert_uint_eq(sim_counter(h.sim, "+CMGD"), 0);
	/* The next sweep hands it over again; this time it is committed. */
	h.commit = true;
	ck_assert_int_eq(modem_sweep(h.m), 0);
	h_wait_rx(&h, 2, 3000);
	ck_assert_str_eq(h.rx[1].hex, h.rx[0].hex);
	ck_assert(h_run(&h, stored_is, &zero, 3000));
	h_free(&h);
}
END_TEST

/* Encode @text to @to and queue every part; returns parts. */
static unsigned queue_text(struct h *h, const char *to, const char *text,
		uint8_t ref, bool srr, struct sms_pdu_out *out, struct tx *tx)
{
	struct sms_submit_opts o;
	int n, k;

	sms_submit_opts_init(&o);
	o.to = to;
	o.concat_ref = ref;
	o.status_report = srr;
	n = sms_encode_submit(text, strlen(text), &o, out, 8, NULL);
	ck_assert_int_gt(n, 0);
	for (k = 0; k < n; k++) {
		memset(&tx[k], 0, sizeof(tx[k]));
		ck_assert_int_gt(modem_send_pdu(h->m, out[k].hex,
						 out[k].tpdu_len, cb_send,
						 &tx[k]),
				0);
	}
	return (unsigned) n;
}

/* queue_text() of a one-part @text, then its result within 5 s. */
static void send_one(struct h *h, const char *to, const char *text, uint8_t ref,
		bool srr, struct sms_pdu_out *out, struct tx *tx)
{
	ck_assert_uint_eq(queue_text(h, to, text, ref, srr, out, tx), 1);
	ck_assert(h_run(h, tx_done, &tx[0], 5000));
}

static bool all_tx_done(struct h *h, const void *arg)
{
	const struct tx *t = arg;
	unsigned k;

	(void) h;
	for (k = 0; k < 2; k++)
		if (!t[k].done)
			return false;
	return true;
}

START_TEST(test_send_50_temporary_errors)
{
	struct h h;
	struct sms_pdu_out out[8];
	struct tx tx[8];
	char text[400], to[24];
	unsigned i, k, n, retries = 0, parts = 0;
	size_t j;

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	for (i = 0; i < 50; i++) {
		snprintf(to, sizeof(to), "+2567010%05u", i);
		snprintf(text, sizeof(text),
				"Reply %u: your order of %u "
				"boxes is confirmed and will be delivered to "
				"the "
				"shop tomorrow morning before ten. Thank you "
				"for "
				"your business with us. Ref %u. Call 0800 100 "
				"200 "
				"for any question about this order.",
				i, i * 3, i);
		if (i % 3 == 0) {
			/* The next send fails, temporarily. */
			sim_set(h.sim, SIM_FAULT_CMS_CODE, i % 2 ? 332 : 42);
			sim_set(h.sim, SIM_FAULT_CMS_COUNT, 1 + i % 2);
		}
		if (i % 5 == 0) {
			sim_set_urc(h.sim, SIM_URC_BEFORE_PROMPT,
					"+CREG: 1,\"2AF5\",\"0B88E350\"");
			sim_set_urc(h.sim, SIM_URC_BEFORE_CMGS, "^RSSI: 15");
		}
		if (i % 10 == 0) {
			struct sim_sms in = {.text = "incoming while "
						     "sending",
					.msg_class = -1};

			ck_assert_int_eq(sim_inject_sms(h.sim, &in, NULL), 1);
		}
		n = queue_text(&h, to, text, (uint8_t) i, false, out, tx);
		ck_assert_uint_eq(n, 2);
		parts += n;
		ck_assert(h_run(&h, all_tx_done, tx, 10000));
		/* Retry temporary failures, as the daemon will. */
		for (k = 0; k < n; k++) {
			unsigned tries = 0;

			while (tx[k].res.status == MODEM_SEND_TEMPORARY &&
					tries++ < 5) {
				ck_assert_int_ge(tx[k].res.cms, 0);
				retries++;
				memset(&tx[k], 0, sizeof(tx[k]));
				ck_assert_int_gt(
						modem_send_pdu(h.m, out[k].hex,
								out[k].tpdu_len,
								cb_send,
								&tx[k]),
						0);
				ck_assert(h_run(&h, tx_done, &tx[k], 10000));
			}
			ck_assert_msg(tx[k].res.status == MODEM_SEND_OK,
					"send %u part %u: %d %s", i, k,
					tx[k].res.status, tx[k].res.error);
			ck_assert_int_ge(tx[k].res.mr, 0);
		}
	}
	printf("send: %u parts, %u temporary errors retried\n", parts, retries);
	h_wait_rx(&h, 5, 3000);
	for (j = 0; j < h.n_rx; j++)
		ck_assert_str_eq(h.rx[j].msg.text, "incoming while sending");
	ck_assert_uint_gt(retries, 10);
	ck_assert_uint_eq(sim_sent_count(h.sim), parts);
	/* Every part arrived once, in the simulator's decoded log. */
	for (j = 0; j < sim_sent_count(h.sim); j++) {
		const struct sim_sent *s = sim_sent_get(h.sim, j);

		ck_assert_uint_eq(s->total, 2);
		ck_assert(!s->error_reply);
	}

	/* A permanent error is reported as such (and not retried). */
	sim_set(h.sim, SIM_FAULT_CMS_CODE, 21);
	sim_set(h.sim, SIM_FAULT_CMS_COUNT, 1);
	memset(tx, 0, sizeof(tx));
	ck_assert_int_gt(modem_send_pdu(h.m, out[0].hex, out[0].tpdu_len,
					 cb_send, &tx[0]),
			0);
	ck_assert(h_run(&h, tx_done, &tx[0], 5000));
	ck_assert_int_eq(tx[0].res.status, MODEM_SEND_PERMANENT);
	ck_assert_int_eq(tx[0].res.cms, 21);
	h_free(&h);
}
END_TEST

START_TEST(test_error_after_send_unknown)
{
	struct h h;
	struct sms_pdu_out out[8];
	struct tx tx[8];

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	sim_set(h.sim, SIM_FAULT_ERROR_AFTER_SEND, 1);
	send_one(&h, "+256700000001", "did it go?", 1, false, out, tx);
	ck_assert_int_eq(tx[0].res.status, MODEM_SEND_UNKNOWN);
	ck_assert_uint_eq(sim_sent_count(h.sim), 1);
	ck_assert(sim_sent_get(h.sim, 0)->error_reply);
	h_free(&h);
}
END_TEST

static bool sim_sent_one(struct h *h, const void *arg)
{
	(void) arg;
	return sim_sent_count(h->sim) >= 1;
}

START_TEST(test_unplug_during_send)
{
	struct h h;
	struct sms_pdu_out out[8];
	struct tx tx[8];
	struct sim_sms s = {.text = "stored before unplug", .msg_class = -1};
	struct modem_stats st;

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	/* A message stored silently: must be found after the recovery. */
	sim_set(h.sim, SIM_FAULT_DROP_CMTI, 1);
	ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	h_idle(&h, 50);
	sim_set(h.sim, SIM_FAULT_DELAY_MS, 300);
	ck_assert_uint_eq(queue_text(&h, "+256700000002", "unplugged", 2, false,
					  out, tx),
			1);
	/* The PDU reached the modem; its answer is delayed: unplug now. */
	ck_assert(h_run(&h, sim_sent_one, NULL, 5000));
	ck_assert_int_eq(sim_unplug(h.sim), 0);
	ck_assert(h_run(&h, tx_done, &tx[0], 5000));
	ck_assert_int_eq(tx[0].res.status, MODEM_SEND_UNKNOWN);
	h_wait_state(&h, MODEM_STATE_DOWN, 2000);
	h_idle(&h, 300); /* reopen attempts fail: no device */
	ck_assert_int_eq(modem_get_state(h.m), MODEM_STATE_DOWN);
	sim_set(h.sim, SIM_FAULT_DELAY_MS, 0);
	ck_assert_int_eq(sim_replug(h.sim), 0);
	h_wait_ready(&h);
	h_wait_rx(&h, 1, 3000);
	ck_assert_str_eq(h.rx[0].msg.text, "stored before unplug");
	modem_get_stats(h.m, &st);
	ck_assert_uint_ge(st.reopens, 1);
	ck_assert_uint_eq(st.sends_unknown, 1);
	/* The channel works again. */
	send_one(&h, "+256700000002", "after", 3, false, out, tx);
	ck_assert_int_eq(tx[0].res.status, MODEM_SEND_OK);
	h_free(&h);
}
END_TEST

static void wrong_pin(struct modem_config *c)
{
	c->pin = "9999";
}

START_TEST(test_wrong_pin)
{
	struct h h;
	struct sim_config sc;
	struct tx tx = {0};

	sim_config_init(&sc);
	sc.pin = "1234";
	h_init(&h, &sc, wrong_pin);
	h_wait_state(&h, MODEM_STATE_FAILED, 5000);
	ck_assert_msg(strstr(h.fail_reason, "PIN") != NULL, "reason: %s",
			h.fail_reason);
	ck_assert_str_eq(modem_last_error(h.m), h.fail_reason);
	h_idle(&h, 500);
	ck_assert_int_eq(modem_get_state(h.m), MODEM_STATE_FAILED);
	ck_assert_uint_eq(sim_counter(h.sim, "pin-wrong"), 1);
	ck_assert_int_eq(modem_fd(h.m), -1);
	ck_assert_int_eq(modem_send_pdu(h.m,
					 "0001000B915627000000F00000"
					 "01C1",
					 13, cb_send, &tx),
			-ENOTCONN);
	ck_assert(!tx.done);
	h_free(&h);
}
END_TEST

static void right_pin(struct modem_config *c)
{
	c->pin = "1234";
}

START_TEST(test_pin_ok_and_missing)
{
	struct h h;
	struct sim_config sc;

	sim_config_init(&sc);
	sc.pin = "1234";
	h_init(&h, &sc, right_pin);
	h_wait_ready(&h);
	ck_assert_uint_eq(sim_counter(h.sim, "pin-wrong"), 0);
	h_free(&h);

	sim_config_init(&sc);
	sc.pin = "1234";
	h_init(&h, &sc, NULL);
	h_wait_state(&h, MODEM_STATE_FAILED, 5000);
	ck_assert(strstr(h.fail_reason, "none is configured") != NULL);
	ck_assert_uint_eq(sim_counter(h.sim, "pin-wrong"), 0);
	h_free(&h);
}
END_TEST

START_TEST(test_sim_busy)
{
	struct h h;
	struct sim_config sc;
	uint64_t t0 = now_ms();

	sim_config_init(&sc);
	sc.sim_busy_ms = 500;
	h_init(&h, &sc, NULL);
	h_wait_state(&h, MODEM_STATE_READY, 8000);
	ck_assert_uint_ge(now_ms() - t0, 450);
	ck_assert_uint_ge(sim_counter(h.sim, "+CPIN"), 2);
	h_free(&h);
}
END_TEST

START_TEST(test_reboot)
{
	struct h h;
	struct sim_sms s = {.text = "after reboot", .msg_class = -1};
	struct modem_stats st;
	size_t n0;

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	n0 = h.n_states;
	ck_assert_int_eq(sim_reboot(h.sim), 0);
	h_wait_state(&h, MODEM_STATE_INITIALISING, 3000);
	h_wait_ready(&h);
	ck_assert_uint_gt(h.n_states, n0);
	modem_get_stats(h.m, &st);
	ck_assert_uint_ge(st.reboots_seen, 1);
	/* The power-up profile had CNMI=0: re-init must have set it. */
	ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	h_wait_rx(&h, 1, 3000);
	ck_assert_str_eq(h.rx[0].msg.text, "after reboot");
	h_free(&h);
}
END_TEST

static void direct_mode(struct modem_config *c)
{
	c->delivery = MODEM_DELIVERY_DIRECT;
	c->cnma_deadline_ms = 200;
}

START_TEST(test_direct_cnma)
{
	struct h h;
	struct sim_config sc;
	struct sim_sms s = {.msg_class = -1};
	char text[5][32];
	unsigned i;
	size_t n0;

	sim_config_init(&sc);
	sc.cnma_timeout_ms = 300;
	h_init(&h, &sc, direct_mode);
	h_wait_ready(&h);
	for (i = 0; i < 5; i++) {
		snprintf(text[i], sizeof(text[i]), "direct %u", i);
		s.text = text[i];
		ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	}
	h_wait_rx(&h, 5, 5000);
	for (i = 0; i < 5; i++) {
		ck_assert(h.rx[i].direct);
		ck_assert_int_eq(h.rx[i].index, -1);
		ck_assert_str_eq(h.rx[i].msg.text, text[i]);
	}
	h_idle(&h, 100);
	ck_assert_uint_eq(sim_counter(h.sim, "+CNMA"), 5);
	ck_assert_int_eq(sim_stored(h.sim, "SM"), 0);

	/* Not committed (database down): no ack, the network re-sends. */
	h.commit = false;
	s.text = "retry me";
	ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	h_wait_rx(&h, 6, 3000);
	n0 = sim_counter(h.sim, "+CNMA");
	h.commit = true;
	h_wait_rx(&h, 7, 5000);
	ck_assert_str_eq(h.rx[6].hex, h.rx[5].hex);
	ck_assert_uint_ge(sim_counter(h.sim, "cmt-redelivered"), 1);
	h_idle(&h, 100);
	ck_assert_uint_eq(sim_counter(h.sim, "+CNMA"), n0 + 1);
	h_free(&h);
}
END_TEST

static void direct_mode_slow(struct modem_config *c)
{
	c->delivery = MODEM_DELIVERY_DIRECT;
}

START_TEST(test_direct_undecodable_acked)
{
	struct h h;

	h_init(&h, NULL, direct_mode_slow);
	h_wait_ready(&h);
	/* A DELIVER whose TP-UDL lies: undecodable, still handed over. */
	ck_assert_int_ge(sim_inject_pdu(h.sim, "0004038121F30000111111111111"
					       "1109C8329BFD06"),
			0);
	h_wait_rx(&h, 1, 3000);
	ck_assert_int_ne(h.rx[0].decode_err, 0);
	h_idle(&h, 100);
	ck_assert_uint_eq(sim_counter(h.sim, "+CNMA"), 1);
	h_free(&h);
}
END_TEST

static bool sr_one(struct h *h, const void *arg)
{
	(void) arg;
	return h->n_sr >= 1;
}

/*
 * +CSMS=1: a +CDS needs +CNMA like a +CMT, and the modem shows neither
 * while the other awaits its ack (TS 27.005 §3.4.1). A +CMT held by the
 * daemon (not yet committed) holds the report back; its ack lets the
 * report in, which is acked right after the callback: one +CNMA each, in
 * order, none refused, nothing re-delivered.
 */
START_TEST(test_direct_cds_acked_in_order)
{
	struct h h;
	struct sim_config sc;
	struct sim_sms s = {.msg_class = -1, .text = "held"};
	struct sms_pdu_out out[8];
	struct tx tx[8];

	sim_config_init(&sc);
	sc.cnma_timeout_ms = 5000;
	h_init(&h, &sc, direct_mode_slow);
	h_wait_ready(&h);
	h_hold_one(&h, &s);
	sim_set(h.sim, SIM_FAULT_NEXT_MR, 31);
	sim_set(h.sim, SIM_FAULT_SR_DELAY_MS, 10);
	send_one(&h, "+256700000004", "report please", 4, true, out, tx);
	ck_assert_int_eq(tx[0].res.status, MODEM_SEND_OK);
	h_idle(&h, 300);
	ck_assert_uint_eq(h.n_sr, 0);
	ck_assert_uint_eq(sim_counter(h.sim, "+CNMA"), 0);

	/* The daemon commits the +CMT: its ack, then the report and its. */
	ck_assert_int_eq(modem_sms_release(h.m, h.held[0], true), 0);
	h.n_held = 0;
	h.hold = false;
	h.commit = true;
	ck_assert(h_run(&h, sr_one, NULL, 3000));
	ck_assert_int_eq(h.sr[0].mr, 31);
	h_idle(&h, 100);
	ck_assert_uint_eq(sim_counter(h.sim, "+CNMA"), 2);

	/* Nothing is left waiting for an ack: the next +CMT comes in. */
	s.text = "after";
	ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	h_wait_rx(&h, 2, 3000);
	ck_assert_str_eq(h.rx[1].msg.text, "after");
	h_idle(&h, 100);
	ck_assert_uint_eq(sim_counter(h.sim, "+CNMA"), 3);
	ck_assert_uint_eq(sim_counter(h.sim, "cmt-redelivered"), 0);
	ck_assert_uint_eq(sim_pending(h.sim), 0);
	ck_assert_uint_eq(h.n_sr, 1);
	ck_assert_uint_eq(h.n_rx, 2);
	h_free(&h);
}
END_TEST

static bool ussd_n(struct h *h, const void *arg)
{
	return h->n_ussd >= *(const size_t *) arg;
}

static enum ussd_mode the_mode;

static void ussd_mode_cfg(struct modem_config *c)
{
	c->ussd_mode = the_mode;
}

START_TEST(test_ussd_encodings)
{
	static const struct {
		enum ussd_mode mode;
		enum sim_ussd_encoding enc;
	} t[] = {
			{USSD_MODE_PLAIN, SIM_USSD_TEXT},
			{USSD_MODE_UCS2, SIM_USSD_UCS2},
			{USSD_MODE_PACKED, SIM_USSD_GSM7HEX},
			{USSD_MODE_PLAIN, SIM_USSD_TEXT}, /* before OK, split */
	};
	struct h h;
	size_t one = 1, two = 2, three = 3;

	the_mode = t[_i].mode;
	h_init(&h, NULL, ussd_mode_cfg);
	h_wait_ready(&h);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_USSD_ENCODING, t[_i].enc), 0);
	if (_i == 3) {
		ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_USSD_AFTER_OK, 0), 0);
		ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_USSD_SPLIT, 1), 0);
	}
	ck_assert_int_eq(sim_set_ussd_reply(h.sim, "Balance: 1500 UGX"), 0);
	ck_assert_int_eq(modem_ussd(h.m, "*131#", cb_ussd_req, &h), 0);
	ck_assert_int_eq(modem_ussd(h.m, "*131#", cb_ussd_req, &h), -EBUSY);
	ck_assert(h_run(&h, ussd_n, &one, 5000));
	ck_assert_int_eq(h.ussd[0].m, 0);
	ck_assert(!h.ussd[0].network);
	ck_assert_str_eq(h.ussd[0].text, "Balance: 1500 UGX");

	/* A network-initiated session asking for an answer (m = 1). */
	ck_assert_int_eq(sim_ussd_notify(h.sim, 1, "1 Yes 2 No"), 0);
	ck_assert(h_run(&h, ussd_n, &two, 3000));
	ck_assert_int_eq(h.ussd[1].m, 1);
	ck_assert(h.ussd[1].network);
	ck_assert_str_eq(h.ussd[1].text, "1 Yes 2 No");
	ck_assert_int_eq(sim_set_ussd_reply(h.sim, "Thank you"), 0);
	ck_assert_int_eq(modem_ussd(h.m, "1", cb_ussd_req, &h), 0);
	ck_assert(h_run(&h, ussd_n, &three, 5000));
	ck_assert_int_eq(h.ussd[2].m, 0);
	ck_assert_str_eq(h.ussd[2].text, "Thank you");
	ck_assert_int_eq(modem_ussd_cancel(h.m), 0);
	h_idle(&h, 50);
	h_free(&h);
}
END_TEST

START_TEST(test_status_report)
{
	struct h h;
	struct sms_pdu_out out[8];
	struct tx tx[8];

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	sim_set(h.sim, SIM_FAULT_NEXT_MR, 77);
	send_one(&h, "+256700000003", "report please", 4, true, out, tx);
	ck_assert_int_eq(tx[0].res.status, MODEM_SEND_OK);
	ck_assert_int_eq(tx[0].res.mr, 77);
	ck_assert(h_run(&h, sr_one, NULL, 3000));
	ck_assert_int_eq(h.sr[0].decode_err, 0);
	ck_assert_int_eq(h.sr[0].mr, tx[0].res.mr);
	ck_assert_int_eq(h.sr[0].status, 0);
	h_free(&h);
}
END_TEST

START_TEST(test_bad_args)
{
	struct modem_config c;
	struct modem *m = NULL;

	modem_config_init(&c);
	ck_assert_int_eq(modem_new(&c, NULL, NULL, &m), -EINVAL);
	c.device = "tty:/nonexistent/modem";
	c.storage = "S\"M";
	ck_assert_int_eq(modem_new(&c, NULL, NULL, &m), -EINVAL);
	c.storage = "SM";
	ck_assert_int_eq(modem_new(&c, NULL, NULL, &m), 0);
	ck_assert_int_eq(modem_start(m, 1000), 0);
	ck_assert_int_eq(modem_get_state(m), MODEM_STATE_DOWN);
	ck_assert_int_eq(modem_fd(m), -1);
	ck_assert_int_eq(modem_next_deadline(m), 1000 + 1000);
	ck_assert_int_eq(modem_start(m, 1000), -EALREADY);
	ck_assert_int_eq(modem_send_pdu(m, "zz", 1, NULL, NULL), -EINVAL);
	ck_assert_int_eq(modem_send_pdu(m, "0011", 0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(modem_ussd(m, "*1#", NULL, NULL), -ENOTCONN);
	ck_assert_int_eq(modem_sms_release(m, NULL, true), -EINVAL);
	modem_tick(m, 2000); /* reopen fails again, backoff doubles */
	ck_assert_int_eq(modem_next_deadline(m), 2000 + 2000);
	modem_free(m);
	modem_free(NULL);
}
END_TEST

static void fast_timeouts(struct modem_config *c)
{
	c->cmd_timeout_ms = 150;
}

static bool resets_ge(struct h *h, const void *arg)
{
	struct modem_stats st;

	modem_get_stats(h->m, &st);
	return st.resets >= *(const uint64_t *) arg;
}

START_TEST(test_failures_reset)
{
	struct h h;
	struct sim_sms s = {.text = "after reset", .msg_class = -1};
	uint64_t one = 1;

	h_init(&h, NULL, fast_timeouts);
	h_wait_ready(&h);
	/*
	 * Every answer comes after the command's deadline: timeouts pile
	 * up (the resync probes, with their longer deadline, succeed).
	 */
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_DELAY_MS, 200), 0);
	ck_assert_int_eq(modem_refresh_info(h.m), 0);
	ck_assert(h_run(&h, resets_ge, &one, 15000));
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_DELAY_MS, 0), 0);
	h_wait_ready(&h);
	ck_assert_uint_eq(sim_counter(h.sim, "+CFUN"), 1);
	ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	h_wait_rx(&h, 1, 3000);
	ck_assert_str_eq(h.rx[0].msg.text, "after reset");
	h_free(&h);
}
END_TEST

static bool relisted(struct h *h, const void *arg)
{
	return sim_counter(h->sim, "+CMGL") + sim_counter(h->sim, "+CPMS") >
	       *(const unsigned *) arg;
}

START_TEST(test_cmgd_answer_lost)
{
	struct h h;
	struct sim_sms s = {.text = "delete me once", .msg_class = -1};
	unsigned lists;
	int zero = 0;

	h_init(&h, NULL, fast_timeouts);
	h_wait_ready(&h);
	h_hold_one(&h, &s);
	lists = sim_counter(h.sim, "+CMGL") + sim_counter(h.sim, "+CPMS");
	/* AT+CMGD runs but its OK is lost: a timeout. */
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_TRUNCATE, 1), 0);
	ck_assert_int_eq(modem_sms_release(h.m, h.held[0], true), 0);
	ck_assert(h_run(&h, stored_is, &zero, 3000));
	/* It re-lists (never blindly deletes again) and finds it gone. */
	ck_assert(h_run(&h, relisted, &lists, 5000));
	h_idle(&h, 200);
	ck_assert_uint_eq(sim_counter(h.sim, "+CMGD"), 1);
	ck_assert_uint_eq(h.n_rx, 1);
	h_free(&h);
}
END_TEST

START_TEST(test_cmgd_not_done)
{
	struct h h;
	struct sim_sms s = {.text = "delete me later", .msg_class = -1};
	int zero = 0;

	h_init(&h, NULL, fast_timeouts);
	h_wait_ready(&h);
	h_hold_one(&h, &s);
	/* The modem ignores the AT+CMGD: still stored after the timeout. */
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_SILENCE_MS, 200), 0);
	ck_assert_int_eq(modem_sms_release(h.m, h.held[0], true), 0);
	/* The re-list finds the same PDU: then, and only then, delete. */
	ck_assert(h_run(&h, stored_is, &zero, 8000));
	ck_assert_uint_eq(sim_counter(h.sim, "+CMGD"), 1);
	ck_assert_uint_eq(h.n_rx, 1); /* not handed over again */
	h_free(&h);
}
END_TEST

START_TEST(test_cmti_other_store)
{
	struct h h;
	struct sim_sms s = {.text = "back in SM", .msg_class = -1};
	unsigned cpms;

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	cpms = sim_counter(h.sim, "+CPMS");
	/* An indication naming another store (empty slot there). */
	ck_assert_int_eq(sim_inject_urc(h.sim, "+CMTI: \"ME\",5"), 0);
	h_idle(&h, 100);
	ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	h_wait_rx(&h, 1, 3000);
	ck_assert_str_eq(h.rx[0].store, "SM");
	ck_assert_str_eq(h.rx[0].msg.text, "back in SM");
	/* Selected ME for the read, then SM again for the next one. */
	ck_assert_uint_eq(sim_counter(h.sim, "+CPMS"), cpms + 2);
	ck_assert_uint_eq(h.n_rx, 1);
	h_free(&h);
}
END_TEST

START_TEST(test_direct_refused_falls_back)
{
	struct h h;
	struct sim_sms s = {.text = "stored instead", .msg_class = -1};
	int zero = 0;

	h_init(&h, NULL, direct_mode_slow);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_REJECT_DIRECT, 1), 0);
	h_wait_ready(&h);
	ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	h_wait_rx(&h, 1, 3000);
	ck_assert(!h.rx[0].direct);
	ck_assert_str_eq(h.rx[0].msg.text, "stored instead");
	ck_assert(h_run(&h, stored_is, &zero, 3000));
	ck_assert_uint_eq(sim_counter(h.sim, "+CNMA"), 0);
	h_free(&h);
}
END_TEST

START_TEST(test_index_base_zero)
{
	struct h h;
	struct sim_sms s = {.msg_class = -1};
	char text[3][16];
	unsigned i;
	int zero = 0;

	h_init(&h, NULL, NULL);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_INDEX_BASE, 0), 0);
	h_wait_ready(&h);
	for (i = 0; i < 3; i++) {
		snprintf(text[i], sizeof(text[i]), "zero %u", i);
		s.text = text[i];
		ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	}
	h_wait_rx(&h, 3, 3000);
	ck_assert_int_eq(h.rx[0].index, 0);
	ck_assert(h_run(&h, stored_is, &zero, 3000));
	for (i = 0; i < 3; i++)
		ck_assert_str_eq(h.rx[i].msg.text, text[i]);
	h_free(&h);
}
END_TEST

static void text_fallback(struct modem_config *c)
{
	c->text_mode_fallback = true;
}

START_TEST(test_text_mode_fallback)
{
	struct h h;
	struct sim_sms s = {.from = "+256772111222", .msg_class = -1};
	struct sms_pdu_out out[8];
	struct tx tx[8];
	const struct sim_sent *sent;
	char long_text[400];
	int zero = 0;

	h_init(&h, NULL, text_fallback);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_NO_PDU_MODE, 1), 0);
	h_wait_ready(&h);
	s.text = "text mode 1";
	ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	h_wait_rx(&h, 1, 3000);
	ck_assert_str_eq(h.rx[0].msg.text, "text mode 1");
	ck_assert_str_eq(h.rx[0].msg.addr.number, "+256772111222");
	ck_assert_str_eq(h.rx[0].hex, "");
	ck_assert_int_eq(h.rx[0].decode_err, 0);
	ck_assert(h_run(&h, stored_is, &zero, 3000));
	/* A lost +CMTI: the text-mode sweep (AT+CMGL="ALL") finds it. */
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_DROP_CMTI, 1), 0);
	s.text = "text mode 2";
	ck_assert_int_eq(sim_inject_sms(h.sim, &s, NULL), 1);
	h_idle(&h, 100);
	ck_assert_int_eq(modem_sweep(h.m), 0);
	h_wait_rx(&h, 2, 3000);
	ck_assert_str_eq(h.rx[1].msg.text, "text mode 2");
	ck_assert(h_run(&h, stored_is, &zero, 3000));

	/* Sending: a single GSM 7-bit part goes out as text. */
	send_one(&h, "+256700000009", "hello text", 5, false, out, tx);
	ck_assert_int_eq(tx[0].res.status, MODEM_SEND_OK);
	ck_assert_uint_eq(sim_sent_count(h.sim), 1);
	sent = sim_sent_get(h.sim, 0);
	ck_assert(sent->text_mode);
	ck_assert_str_eq(sent->to, "+256700000009");
	ck_assert_str_eq(sent->text, "hello text");
	/* Multipart cannot be sent in text mode: permanent. */
	memset(long_text, 'x', 200);
	long_text[200] = '\0';
	ck_assert_uint_eq(queue_text(&h, "+256700000009", long_text, 6, false,
					  out, tx),
			2);
	ck_assert(h_run(&h, all_tx_done, tx, 5000));
	ck_assert_int_eq(tx[0].res.status, MODEM_SEND_PERMANENT);
	ck_assert_uint_eq(sim_sent_count(h.sim), 1);
	h_free(&h);
}
END_TEST

START_TEST(test_no_pdu_mode_fails)
{
	struct h h;

	h_init(&h, NULL, NULL);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_NO_PDU_MODE, 1), 0);
	h_wait_state(&h, MODEM_STATE_FAILED, 5000);
	ck_assert(strstr(h.fail_reason, "PDU mode") != NULL);
	h_free(&h);
}
END_TEST

START_TEST(test_reboot_during_send)
{
	struct h h;
	struct sms_pdu_out out[8];
	struct tx tx[8], tx2[8];

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	sim_set(h.sim, SIM_FAULT_DELAY_MS, 300);
	ck_assert_uint_eq(queue_text(&h, "+256700000004", "rebooted?", 7, false,
					  out, tx),
			1);
	ck_assert(h_run(&h, sim_sent_one, NULL, 5000));
	/* The modem reboots before answering. */
	sim_set(h.sim, SIM_FAULT_DELAY_MS, 0);
	ck_assert_int_eq(sim_reboot(h.sim), 0);
	ck_assert(h_run(&h, tx_done, &tx[0], 5000));
	/* The PDU went out: OK if the answer made it, else UNKNOWN. */
	ck_assert(tx[0].res.status == MODEM_SEND_UNKNOWN ||
			tx[0].res.status == MODEM_SEND_OK);
	/* A send queued meanwhile goes out after the re-init. */
	ck_assert_uint_eq(queue_text(&h, "+256700000004", "after", 8, false,
					  out, tx2),
			1);
	ck_assert(h_run(&h, tx_done, &tx2[0], 8000));
	ck_assert_int_eq(tx2[0].res.status, MODEM_SEND_OK);
	ck_assert_uint_eq(sim_sent_count(h.sim), 2);
	h_free(&h);
}
END_TEST

static void short_ussd(struct modem_config *c)
{
	c->ussd_timeout_ms = 300;
}

START_TEST(test_ussd_timeout_late_reply)
{
	struct h h;
	size_t one = 1, two = 2;

	h_init(&h, NULL, short_ussd);
	h_wait_ready(&h);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_USSD_DELAY_MS, 800), 0);
	ck_assert_int_eq(sim_set_ussd_reply(h.sim, "late"), 0);
	ck_assert_int_eq(modem_ussd(h.m, "*100#", cb_ussd_req, &h), 0);
	ck_assert(h_run(&h, ussd_n, &one, 3000));
	ck_assert_int_eq(h.ussd[0].m, -1);
	/* The late reply is not lost: it comes as unsolicited. */
	ck_assert(h_run(&h, ussd_n, &two, 3000));
	ck_assert_int_eq(h.ussd[1].m, 0);
	ck_assert(h.ussd[1].network);
	ck_assert_str_eq(h.ussd[1].text, "late");
	h_free(&h);
}
END_TEST

static void short_status(struct modem_config *c)
{
	c->status_interval_ms = 200;
}

static bool info_ge(struct h *h, const void *arg)
{
	return h->info_events >= *(const unsigned *) arg;
}

START_TEST(test_info_periodic_and_creg)
{
	struct h h;
	unsigned n;

	h_init(&h, NULL, short_status);
	h_wait_ready(&h);
	n = h.info_events + 2;
	ck_assert(h_run(&h, info_ge, &n, 3000));
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_RSSI, 31), 0);
	n = h.info_events + 1;
	ck_assert(h_run(&h, info_ge, &n, 3000));
	ck_assert_int_eq(modem_get_info(h.m)->signal_dbm, -51);
	/* Registration lost: the +CREG URC updates the info at once. */
	n = h.info_events + 1;
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_CREG_STAT, 2), 0);
	ck_assert(h_run(&h, info_ge, &n, 3000));
	ck_assert_int_eq(modem_get_info(h.m)->reg_stat, 2);
	h_free(&h);
}
END_TEST

START_TEST(test_free_with_pending_sends)
{
	struct h h;
	struct sms_pdu_out out[8];
	struct tx tx[8];

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	ck_assert_int_eq(sim_unplug(h.sim), 0);
	h_wait_state(&h, MODEM_STATE_DOWN, 3000);
	/* Sends wait while DOWN... */
	ck_assert_uint_eq(queue_text(&h, "+256700000005", "never sent", 9,
					  false, out, tx),
			1);
	h_idle(&h, 100);
	ck_assert(!tx[0].done);
	/* ...and are reported TEMPORARY (never written) on free. */
	modem_free(h.m);
	h.m = NULL;
	ck_assert(tx[0].done);
	ck_assert_int_eq(tx[0].res.status, MODEM_SEND_TEMPORARY);
	h_free(&h);
}
END_TEST

/*
 * A scripted modem on a bare pty, for behaviours the simulator does not
 * play: each command line gets the reply of the first matching entry
 * (exact match), else "OK".
 */
struct script {
	const char *cmd;
	const char *reply;
};

struct fake {
	int master;
	char path[80];
	const struct script *sc;
	char line[512];
	size_t len;
	char seen[4096];	 /* commands received, '|'-separated */
	bool mute;		 /* record commands, answer nothing */
	const char *pdu_reply;	 /* answer to a PDU ended by Ctrl-Z */
	unsigned n_cmgr;	 /* AT+CMGR=<i> received */
	const char *esc_reply;	 /* answer to ESC (prompt aborted) */
	const char *empty_reply; /* answer to a bare CR */
	unsigned n_esc;
};

static void fake_open(struct fake *f, const struct script *sc)
{
	struct termios t;

	memset(f, 0, sizeof(*f));
	f->sc = sc;
	f->master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
	ck_assert_int_ge(f->master, 0);
	ck_assert_int_eq(grantpt(f->master), 0);
	ck_assert_int_eq(unlockpt(f->master), 0);
	snprintf(f->path, sizeof(f->path), "tty:%s", ptsname(f->master));
	ck_assert_int_eq(tcgetattr(f->master, &t), 0);
	cfmakeraw(&t);
	ck_assert_int_eq(tcsetattr(f->master, TCSANOW, &t), 0);
}

static void fake_say(struct fake *f, const char *s)
{
	ck_assert_int_eq(write(f->master, s, strlen(s)), (ssize_t) strlen(s));
}

static void fake_line(struct fake *f)
{
	const char *reply = "\r\nOK\r\n";
	size_t i;

	f->line[f->len] = '\0';
	f->len = 0;
	if (f->line[0] == '\0' && f->empty_reply) {
		fake_say(f, f->empty_reply); /* a bare CR */
		return;
	}
	if (strncmp(f->line, "AT", 2) != 0)
		return;
	if (strncmp(f->line, "AT+CMGR=", 8) == 0)
		f->n_cmgr++;
	if (strlen(f->seen) + strlen(f->line) + 2 < sizeof(f->seen)) {
		strcat(f->seen, f->line);
		strcat(f->seen, "|");
	}
	if (f->mute)
		return;
	for (i = 0; f->sc[i].cmd; i++) {
		if (strcmp(f->sc[i].cmd, f->line) == 0) {
			reply = f->sc[i].reply;
			break;
		}
	}
	ck_assert_int_eq(write(f->master, reply, strlen(reply)),
			(ssize_t) strlen(reply));
}

static void fake_io(struct fake *f)
{
	char buf[256];
	ssize_t n, i;

	while ((n = read(f->master, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] == '\r') {
				fake_line(f);
			} else if (buf[i] == 0x1a) {
				f->len = 0;
				if (f->pdu_reply)
					fake_say(f, f->pdu_reply);
			} else if (buf[i] == 0x1b) {
				f->n_esc++;
				if (f->esc_reply)
					fake_say(f, f->esc_reply);
			} else if (buf[i] != '\n' &&
					f->len + 1 < sizeof(f->line))
				f->line[f->len++] = buf[i];
		}
	}
}

/* Run driver and fake modem until @st or @ms. */
static bool fake_run(struct fake *f, struct modem *m, enum modem_state st,
		unsigned ms)
{
	uint64_t deadline = now_ms() + ms;
	struct pollfd p[2];

	while (modem_get_state(m) != st) {
		uint64_t now = now_ms();
		int64_t md = modem_next_deadline(m);
		int timeout = 20, n = 1;

		if (now >= deadline)
			return false;
		if (md >= 0 && (uint64_t) md <= now)
			timeout = 0;
		p[0].fd = f->master;
		p[0].events = POLLIN;
		if (modem_fd(m) >= 0) {
			p[1].fd = modem_fd(m);
			p[1].events = POLLIN |
				      (modem_wants_write(m) ? POLLOUT : 0);
			n = 2;
		}
		p[0].revents = p[1].revents = 0;
		ck_assert_int_ge(poll(p, (nfds_t) n, timeout), 0);
		fake_io(f);
		now = now_ms();
		if (n == 2 && (p[1].revents & POLLIN))
			modem_handle_readable(m, now);
		if (n == 2 && (p[1].revents & POLLOUT))
			modem_handle_writable(m, now);
		modem_tick(m, now);
	}
	return true;
}

/* Run driver and fake modem for @ms. */
static void fake_idle(struct fake *f, struct modem *m, unsigned ms)
{
	(void) fake_run(f, m, MODEM_STATE_CLOSED, ms);
}

/*
 * A driver on @f (already fake_open()ed) with the timings the scripted
 * tests share, then @tweak (may be NULL), started. Freed by fake_close().
 */
static struct modem *fake_modem(struct fake *f,
		const struct modem_callbacks *cbs,
		void (*tweak)(struct modem_config *))
{
	struct modem_config cfg;
	struct modem *m;

	modem_config_init(&cfg);
	cfg.device = f->path;
	cfg.cmd_timeout_ms = 300;
	cfg.resync_quiet_ms = 50;
	if (tweak)
		tweak(&cfg);
	ck_assert_int_eq(modem_new(&cfg, cbs, NULL, &m), 0);
	ck_assert_int_eq(modem_start(m, now_ms()), 0);
	return m;
}

/* fake_open() on @sc, fake_modem(), then READY within 5 s. */
static struct modem *fake_start(struct fake *f, const struct script *sc,
		const struct modem_callbacks *cbs,
		void (*tweak)(struct modem_config *))
{
	struct modem *m;

	fake_open(f, sc);
	m = fake_modem(f, cbs, tweak);
	ck_assert(fake_run(f, m, MODEM_STATE_READY, 5000));
	return m;
}

static void fake_close(struct fake *f, struct modem *m)
{
	modem_free(m);
	close(f->master);
}

/* After 50 ms quiet, +CMTI: "SM",3, then 100 ms for the driver to act. */
static void fake_cmti_sm3(struct fake *f, struct modem *m)
{
	fake_idle(f, m, 50);
	fake_say(f, "\r\n+CMTI: \"SM\",3\r\n");
	fake_idle(f, m, 100);
}

/* Callbacks of the scripted tests that watch no event. */
static const struct modem_callbacks fake_debug_cbs = {.debug = cb_debug};

/* Configuration tweaks for fake_modem(). */
static void fake_settle_300(struct modem_config *c)
{
	c->reboot_settle_ms = 300;
}

static void fake_direct(struct modem_config *c)
{
	c->delivery = MODEM_DELIVERY_DIRECT;
}

static void fake_text_direct(struct modem_config *c)
{
	c->text_mode_fallback = true;
	c->delivery = MODEM_DELIVERY_DIRECT;
}

static void fake_cmd_500(struct modem_config *c)
{
	c->cmd_timeout_ms = 500;
}

static void fake_resync_20(struct modem_config *c)
{
	c->resync_quiet_ms = 20;
}

static struct modem_sms *fake_held;

static void fake_cb_sms(struct modem *m, struct modem_sms *sms, void *ud)
{
	(void) m;
	(void) ud;
	ck_assert_ptr_null(fake_held);
	fake_held = sms;
}

/* Callbacks that keep the one message handed over in fake_held. */
static const struct modem_callbacks fake_held_cbs = {
		.debug = cb_debug,
		.sms = fake_cb_sms,
};

/*
 * A boot banner arrives while an AT+CMGD is queued behind a command in
 * flight, and the modem answers that command: the queued delete must not
 * reach the rebooted modem (its store selection may have reverted, the
 * slot number would name another store's message). It is re-verified by
 * the sweep after the re-initialisation instead.
 */
START_TEST(test_reboot_drops_queued_delete)
{
	static const struct script sc[] = {
			{"AT+CMGR=3", "\r\n+CMGR: 0,,28\r\n"
				      "07917283010010F5040BC87238880900F1000099"
				      "3092516195800A"
				      "E8329BFD4697D9EC37\r\n\r\nOK\r\n"},
			{"AT+CPMS?", "\r\n+CPMS: \"SM\",1,20,\"SM\",1,20,"
				     "\"SM\",1,20\r\n\r\nOK\r\n"},
			{"AT+CMEE?", "\r\n+CMEE: 1\r\n\r\nOK\r\n"},
			{"AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n"},
			{NULL, NULL},
	};
	struct fake f;
	struct modem *m;

	fake_held = NULL;
	m = fake_start(&f, sc, &fake_held_cbs, fake_settle_300);
	fake_cmti_sm3(&f, m);
	ck_assert_ptr_nonnull(fake_held);
	/* AT+CSQ in flight unanswered; AT+CMGD=3 queued behind it. */
	f.mute = true;
	f.seen[0] = '\0';
	ck_assert_int_eq(modem_refresh_info(m), 0);
	ck_assert_int_eq(modem_sms_release(m, fake_held, true), 0);
	fake_idle(&f, m, 50);
	ck_assert_str_eq(f.seen, "AT+CSQ|");
	/* The modem restarts, then answers the command in flight. */
	f.mute = false;
	fake_say(&f, "\r\nRDY\r\n\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
	fake_idle(&f, m, 150); /* inside reboot_settle_ms */
	ck_assert_msg(strstr(f.seen, "AT+CMGD") == NULL, "sent: %s", f.seen);
	/* Re-initialised; the sweep lists nothing: the delete is void. */
	ck_assert(fake_run(&f, m, MODEM_STATE_READY, 5000));
	fake_idle(&f, m, 200);
	ck_assert_msg(strstr(f.seen, "AT+CMGD") == NULL, "sent: %s", f.seen);
	ck_assert_ptr_nonnull(strstr(f.seen, "AT+CMGL=4"));
	fake_close(&f, m);
}
END_TEST

/* A driver with direct delivery configured, on @f playing @sc: READY. */
static struct modem *fake_start_direct(struct fake *f, const struct script *sc)
{
	return fake_start(f, sc, &fake_held_cbs, fake_direct);
}

/*
 * Direct delivery configured, +CSMS=1 accepted, +CMT routing refused but
 * ds=1 accepted (AT+CNMI=2,1,0,1,0): a +CDS still needs its +CNMA
 * (TS 27.005 §3.4.4), else the modem holds every later +CDS back.
 */
START_TEST(test_cds_acked_without_direct_cmt)
{
	static const struct script sc[] = {
			{"AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n"},
			{"AT+CSMS=1", "\r\n+CSMS: 1,1,1\r\n\r\nOK\r\n"},
			{"AT+CNMI=2,2,0,1,0", "\r\n+CMS ERROR: 303\r\n"},
			{"AT+CNMI=1,2,0,1,0", "\r\n+CMS ERROR: 303\r\n"},
			{"AT+CNMI=2,2,0,0,0", "\r\n+CMS ERROR: 303\r\n"},
			{"AT+CNMI=1,2,0,0,0", "\r\n+CMS ERROR: 303\r\n"},
			{NULL, NULL},
	};
	struct fake f;
	struct modem *m;

	fake_held = NULL;
	m = fake_start_direct(&f, sc);
	ck_assert_ptr_nonnull(strstr(f.seen, "AT+CNMI=2,1,0,1,0|"));
	fake_idle(&f, m, 50);
	f.seen[0] = '\0';
	fake_say(&f, "\r\n+CDS: 25\r\n"
		     "0002090C91527627998988621172319062006211723190620000\r"
		     "\n");
	fake_idle(&f, m, 200);
	ck_assert_str_eq(f.seen, "AT+CNMA|");
	fake_close(&f, m);
}
END_TEST

static struct modem_sms *fake_rx[4];
static size_t fake_n_rx;

static void fake_cb_rx(struct modem *m, struct modem_sms *sms, void *ud)
{
	(void) m;
	(void) ud;
	ck_assert_uint_lt(fake_n_rx, 4);
	fake_rx[fake_n_rx++] = sms;
}

/* Callbacks that collect the messages handed over in fake_rx[]. */
static const struct modem_callbacks fake_rx_cbs = {
		.debug = cb_debug,
		.sms = fake_cb_rx,
};

#define FAKE_PDU_A                                                             \
	"07917283010010F5040BC87238880900F10000993092516195800A"               \
	"E8329BFD4697D9EC37"
#define FAKE_PDU_B                                                             \
	"07917283010010F5040BC87238880900F10000993092516195800A"               \
	"E8329BFD4697D9EC36"

/*
 * The modem frees slot 3 on AT+CMGD=3, stores a new message there and
 * says +CMTI: "SM",3 before the delete's OK: that indication is real and
 * must be read, not taken for the old message's.
 */
START_TEST(test_cmti_during_delete)
{
	static const struct script sc1[] = {
			{"AT+CMGR=3", "\r\n+CMGR: 0,,28\r\n" FAKE_PDU_A
				      "\r\n\r\nOK\r\n"},
			{"AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n"},
			{NULL, NULL},
	};
	static const struct script sc2[] = {
			{"AT+CMGD=3", "\r\n+CMTI: \"SM\",3\r\n\r\nOK\r\n"},
			{"AT+CMGR=3", "\r\n+CMGR: 0,,28\r\n" FAKE_PDU_B
				      "\r\n\r\nOK\r\n"},
			{NULL, NULL},
	};
	struct fake f;
	struct modem *m;

	fake_n_rx = 0;
	m = fake_start(&f, sc1, &fake_rx_cbs, NULL);
	fake_cmti_sm3(&f, m);
	ck_assert_uint_eq(fake_n_rx, 1);
	ck_assert_str_eq(fake_rx[0]->pdu_hex, FAKE_PDU_A);
	f.sc = sc2;
	ck_assert_int_eq(modem_sms_release(m, fake_rx[0], true), 0);
	fake_idle(&f, m, 150);
	ck_assert_msg(fake_n_rx == 2, "seen: %s", f.seen);
	ck_assert_str_eq(fake_rx[1]->pdu_hex, FAKE_PDU_B);
	ck_assert_int_eq(fake_rx[1]->index, 3);
	fake_close(&f, m);
}
END_TEST

/*
 * Text mode, direct delivery refused: the fallback to stored delivery
 * must not ask for +CDS (ds=1), whose text form is one line that the
 * driver's +CDS handler would pair with the next line as its "PDU".
 */
START_TEST(test_text_mode_cnmi_no_cds)
{
	static const struct script sc[] = {
			{"AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n"},
			{"AT+CMGF=0", "\r\nERROR\r\n"},
			{"AT+CNMI=2,2,0,0,0", "\r\n+CMS ERROR: 303\r\n"},
			{"AT+CNMI=1,2,0,0,0", "\r\n+CMS ERROR: 303\r\n"},
			{NULL, NULL},
	};
	struct fake f;
	struct modem *m;

	m = fake_start(&f, sc, &fake_debug_cbs, fake_text_direct);
	ck_assert_msg(strstr(f.seen, "|AT+CNMI=2,1,0,0,0|") != NULL &&
					strstr(f.seen, "AT+CNMI=2,1,0,1,0") ==
							NULL &&
					strstr(f.seen, "AT+CNMI=2,1,0,2,0") ==
							NULL,
			"seen: %s", f.seen);
	fake_close(&f, m);
}
END_TEST

static void fake_cb_send(struct modem *m, uint64_t id,
		const struct modem_send_result *r, void *ud)
{
	struct modem_send_result *out = ud;

	(void) m;
	(void) id;
	ck_assert_int_eq(out->mr, -2); /* exactly once */
	*out = *r;
	out->error = NULL;
}

/* Up to 2 s for fake_cb_send() to fill @r (mr set to -2 beforehand). */
static void fake_wait_result(struct fake *f, struct modem *m,
		const struct modem_send_result *r)
{
	uint64_t until = now_ms() + 2000;

	while (r->mr == -2 && now_ms() < until)
		fake_idle(f, m, 20);
}

/*
 * With AT+CMEE=1 many modems report their generic failure as +CMS ERROR:
 * 500 where they would say ERROR: after the PDU went out that is the
 * same "maybe sent" (MODEM-DRIVER.md), never a permanent failure.
 */
START_TEST(test_cms500_after_pdu_unknown)
{
	static const struct script sc[] = {
			{"AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n"},
			{"AT+CMGS=3", "\r\n> "},
			{"AT+CMGS=4", "\r\n+CMS ERROR: 500\r\n"},
			{NULL, NULL},
	};
	struct modem_send_result r = {.mr = -2};
	struct fake f;
	struct modem *m;

	m = fake_start(&f, sc, &fake_debug_cbs, NULL);
	fake_idle(&f, m, 50);
	f.pdu_reply = "\r\n+CMS ERROR: 500\r\n";
	ck_assert_int_gt(modem_send_pdu(m, "00010203", 3, fake_cb_send, &r), 0);
	fake_wait_result(&f, m, &r);
	ck_assert_int_eq(r.status, MODEM_SEND_UNKNOWN);
	ck_assert_int_eq(r.cms, 500);
	/* Before the PDU (instead of the prompt) it is a plain failure. */
	r.mr = -2;
	ck_assert_int_gt(modem_send_pdu(m, "0001020304", 4, fake_cb_send, &r),
			0);
	f.pdu_reply = NULL;
	fake_wait_result(&f, m, &r);
	ck_assert_int_ne(r.status, MODEM_SEND_UNKNOWN);
	ck_assert_int_ne(r.status, MODEM_SEND_OK);
	fake_close(&f, m);
}
END_TEST

/*
 * A +CMTI flood while a read hangs: repeated indications of one slot are
 * read once, and past a bound the driver sweeps instead of queueing a read
 * per indication (no unbounded queue).
 */
START_TEST(test_cmti_flood_bounded)
{
	static const struct script sc[] = {
			{"AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n"},
			{"AT+CMEE?", "\r\n+CMEE: 1\r\n\r\nOK\r\n"},
			{NULL, NULL},
	};
	struct fake f;
	struct modem *m;
	char chunk[2048];
	unsigned cmgl;

	m = fake_start(&f, sc, &fake_debug_cbs, fake_cmd_500);
	fake_idle(&f, m, 50);
	f.mute = true;
	fake_say(&f, "\r\n+CMTI: \"SM\",1\r\n");
	fake_idle(&f, m, 20);
	ck_assert_uint_eq(f.n_cmgr, 1); /* in flight, unanswered */
	for (int k = 0; k < 20; k++) {
		size_t o = 0;

		for (int i = 0; i < 30; i++)
			o += (size_t) snprintf(chunk + o, sizeof(chunk) - o,
					"+CMTI: \"SM\",%d\r\n",
					k % 2 ? 3 : 10 + k * 30 + i);
		fake_say(&f, chunk);
		fake_idle(&f, m, 5);
	}
	f.mute = false;
	f.seen[0] = '\0';
	fake_idle(&f, m, 1000);
	/* 300 distinct slots and 300 repeats of slot 3: bounded reads. */
	ck_assert_msg(f.n_cmgr <= 1 + 130, "%u reads", f.n_cmgr);
	cmgl = 0;
	for (const char *p = f.seen; (p = strstr(p, "AT+CMGL=4")); p++)
		cmgl++;
	ck_assert_uint_ge(cmgl, 1); /* the rest found by a sweep */
	fake_close(&f, m);
}
END_TEST

/*
 * A store named by +CMTI other than the configured one is swept too (a
 * lost indication there is found), unless the modem refuses to select it.
 */
START_TEST(test_sweep_other_stores)
{
	static const struct script sc[] = {
			{"AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n"},
			{"AT+CPMS=\"XY\"", "\r\n+CMS ERROR: 302\r\n"},
			{NULL, NULL},
	};
	struct fake f;
	struct modem *m;

	m = fake_start(&f, sc, &fake_debug_cbs, fake_resync_20);
	fake_idle(&f, m, 50);
	fake_say(&f, "\r\n+CMTI: \"ME\",5\r\n\r\n+CMTI: \"XY\",1\r\n");
	fake_idle(&f, m, 300);
	f.seen[0] = '\0';
	ck_assert_int_eq(modem_sweep(m), 0);
	fake_idle(&f, m, 100);
	ck_assert_msg(strstr(f.seen, "AT+CPMS=\"ME\"|AT+CMGL=4|") != NULL &&
					strstr(f.seen, "AT+CPMS=\"SM\"|AT+CMGL="
						       "4|") != NULL &&
					strstr(f.seen, "XY") == NULL,
			"seen: %s", f.seen);
	fake_close(&f, m);
}
END_TEST

/*
 * Opening a modem left inside a "> " prompt: the ESC that aborts it gets
 * an answer (OK here), which must not be credited to the first "AT" (a
 * shifted channel then pairs every command with the previous answer:
 * AT+CPIN? without +CPIN: → DOWN, for ever). And no bare CR is sent: it
 * would run a command line a previous run left half-written.
 */
START_TEST(test_open_esc_answer_not_credited)
{
	static const struct script sc[] = {
			{"AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n"},
			{NULL, NULL},
	};
	struct fake f;
	struct modem *m;

	fake_open(&f, sc);
	f.esc_reply = "\r\nOK\r\n";
	f.empty_reply = "\r\nERROR\r\n";
	m = fake_modem(&f, &fake_debug_cbs, NULL);
	ck_assert_msg(fake_run(&f, m, MODEM_STATE_READY, 3000), "%s: %s",
			modem_state_str(modem_get_state(m)),
			modem_last_error(m));
	ck_assert_uint_eq(f.n_esc, 1);
	ck_assert_msg(strncmp(f.seen, "AT|ATE0|", 8) == 0, "seen: %s", f.seen);
	fake_close(&f, m);
}
END_TEST

/*
 * A stored message whose header the parser rejects (<stat> 5, <length>
 * out of range) but whose PDU line is there is handed over all the same:
 * skipped, it would stay on the SIM for ever and fill it.
 */
START_TEST(test_odd_header_handed_over)
{
	static const struct script sc[] = {
			{"AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n"},
			{"AT+CMGR=3", "\r\n+CMGR: 5,,28\r\n" FAKE_PDU_A
				      "\r\n\r\nOK\r\n"},
			{NULL, NULL},
	};
	static const struct script sc2[] = {
			{"AT+CMGL=4", "\r\n+CMGL: 7,1,,999\r\n" FAKE_PDU_B
				      "\r\n\r\nOK\r\n"},
			{NULL, NULL},
	};
	struct fake f;
	struct modem *m;

	fake_n_rx = 0;
	m = fake_start(&f, sc, &fake_rx_cbs, NULL);
	fake_cmti_sm3(&f, m);
	ck_assert_uint_eq(fake_n_rx, 1);
	ck_assert_int_eq(fake_rx[0]->index, 3);
	ck_assert_str_eq(fake_rx[0]->pdu_hex, FAKE_PDU_A);
	f.sc = sc2;
	ck_assert_int_eq(modem_sweep(m), 0);
	fake_idle(&f, m, 100);
	ck_assert_uint_eq(fake_n_rx, 2);
	ck_assert_int_eq(fake_rx[1]->index, 7);
	ck_assert_int_eq(fake_rx[1]->decode_err, 0);
	/* Committed: deleted like any other. */
	ck_assert_int_eq(modem_sms_release(m, fake_rx[1], true), 0);
	fake_idle(&f, m, 100);
	ck_assert_ptr_nonnull(strstr(f.seen, "AT+CMGD=7"));
	fake_close(&f, m);
}
END_TEST

/*
 * A +CREG URC (no <n>) arriving before the reply to AT+CREG? is
 * collected with it: the reply, not the URC, must be parsed.
 */
START_TEST(test_creg_urc_before_reply)
{
	static const struct script sc[] = {
			{"AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n"},
			{"AT+CREG?", "\r\n+CREG: 1,\"2AF5\",\"0B88E350\"\r\n"
				     "\r\n+CREG: "
				     "2,5,\"00C3\",\"0010\",7\r\n\r\nOK\r\n"},
			{NULL, NULL},
	};
	struct fake f;
	struct modem *m;
	const struct modem_info *info;

	m = fake_start(&f, sc, &fake_debug_cbs, NULL);
	fake_idle(&f, m, 100);
	info = modem_get_info(m);
	ck_assert_int_eq(info->reg_stat, 5);
	ck_assert_int_eq(info->lac, 0xC3);
	ck_assert_int_eq(info->ci, 0x10);
	ck_assert_int_eq(info->act, 7);
	fake_close(&f, m);
}
END_TEST

START_TEST(test_scripted_quirks)
{
	static const struct script sc[] = {
			/* Phone-style: PIN2 reported, no OK after +CPIN. */
			{"AT+CPIN?", "\r\n+CPIN: SIM PIN2\r\n"},
			/* Three stores refused, one accepted. */
			{"AT+CPMS=\"SM\",\"SM\",\"SM\"",
					"\r\n+CMS ERROR: 302\r\n"},
			{"AT+CPMS=\"SM\"", "\r\n+CPMS: "
					   "0,20,0,20,0,20\r\n\r\nOK\r\n"},
			/* Over-promising +CNMI: mode 2 refused. */
			{"AT+CNMI=2,1,0,1,0", "\r\n+CMS ERROR: 303\r\n"},
			{"AT+CIMI", "\r\n641100123456789\r\n\r\nOK\r\n"},
			{"AT+CMEE?", "\r\n+CMEE: 1\r\n\r\nOK\r\n"},
			{"AT+CCID", "\r\n^ICCID: "
				    "98521601103254769810\r\n\r\nOK\r\n"},
			{NULL, NULL},
	};
	struct fake f;
	struct modem *m;

	fake_open(&f, sc);
	m = fake_modem(&f, &fake_debug_cbs, NULL);
	ck_assert_msg(fake_run(&f, m, MODEM_STATE_READY, 5000), "%s: %s",
			modem_state_str(modem_get_state(m)),
			modem_last_error(m));
	ck_assert_ptr_nonnull(strstr(f.seen, "|AT+CPMS=\"SM\"|"));
	ck_assert_ptr_nonnull(strstr(f.seen, "|AT+CNMI=2,1,0,2,0|"));
	/* No PIN was ever sent. */
	ck_assert_ptr_null(strstr(f.seen, "AT+CPIN=\""));
	ck_assert_str_eq(modem_get_info(m)->imsi, "641100123456789");
	/* Huawei's digit-swapped ICCID, swapped back. */
	ck_assert_str_eq(modem_get_info(m)->iccid, "89256110012345678901");
	fake_close(&f, m);
}
END_TEST

static bool replies_done(struct h *h, const void *arg)
{
	size_t k, n = *(const size_t *) arg;

	if (h->n_replies < n)
		return false;
	for (k = 0; k < n; k++)
		if (!h->reply_tx[k].done)
			return false;
	return true;
}

static void reply_mode(struct h *h, struct sms_pdu_out *out)
{
	struct sms_submit_opts o;

	sms_submit_opts_init(&o);
	o.to = "+256772000001";
	ck_assert_int_eq(sms_encode_submit("ok", 2, &o, out, 1, NULL), 1);
	h->reply = out;
	h->reply_tx = calloc(MAX_RX, sizeof(*h->reply_tx));
	ck_assert_ptr_nonnull(h->reply_tx);
}

/*
 * Reception first (issue 10 item 1): a 40-message burst into a 10-slot SIM
 * while every message queues an acknowledgement that takes the modem
 * 200 ms to send. Sends wait while reads and deletes keep the slots
 * turning over: when the last message is handed over, at most one send
 * per send_starve_ms has gone out (interleaving would have sent ~30);
 * then every acknowledgement goes out.
 */
START_TEST(test_rx_first_burst)
{
	struct h h;
	struct sms_pdu_out out;
	struct sim_config sc;
	struct modem_stats st;
	char text[64];
	uint64_t t0, rx_ms;
	size_t i, n = 40;
	unsigned bound;

	sim_config_init(&sc);
	sc.sm_capacity = 10;
	h_init(&h, &sc, NULL);
	h_wait_ready(&h);
	reply_mode(&h, &out);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_SEND_MS, 200), 0);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_SEND_JITTER_MS, 50), 0);
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		struct sim_sms m = {.text = text, .msg_class = -1};

		snprintf(text, sizeof(text), "burst %zu", i);
		ck_assert_int_eq(sim_inject_sms(h.sim, &m, NULL), 1);
	}
	h_wait_rx(&h, n, 30000);
	rx_ms = now_ms() - t0;
	/* One send may start per starve period (default 4000 ms). */
	bound = 1 + (unsigned) (rx_ms / 4000);
	printf("rx_first: %zu received in %llu ms, %u sends before the "
	       "last (bound %u)\n",
			n, (unsigned long long) rx_ms, h.cmgs_at_rx, bound);
	ck_assert_uint_le(h.cmgs_at_rx, bound);
	ck_assert(h_run(&h, replies_done, &n, 30000));
	for (i = 0; i < n; i++)
		ck_assert_int_eq(h.reply_tx[i].res.status, MODEM_SEND_OK);
	ck_assert_uint_eq(sim_counter(h.sim, "send-delayed"), n);
	modem_get_stats(h.m, &st);
	ck_assert_uint_ge(st.sends_held, 1);
	ck_assert_int_eq(sim_stored(h.sim, "SM"), 0);
	free(h.reply_tx);
	h_free(&h);
}
END_TEST

static void starve_500(struct modem_config *c)
{
	c->send_starve_ms = 500;
}

/*
 * ... and sending is never starved: a message held (not released) keeps
 * reception busy for ever; queued sends still go, after send_starve_ms
 * at most (less once sends are known to be quick).
 */
START_TEST(test_send_not_starved)
{
	struct h h;
	struct sms_pdu_out out[2];
	struct tx tx[2];
	struct sim_sms in = {.text = "held", .msg_class = -1};
	struct modem_stats st;
	uint64_t t0;

	struct sim_config sc;

	/* A 1-slot SIM, full, a second message waiting in the network. */
	sim_config_init(&sc);
	sc.sm_capacity = 1;
	h_init(&h, &sc, starve_500);
	h_wait_ready(&h);
	h_hold_one(&h, &in);
	ck_assert_int_eq(sim_inject_sms(h.sim, &in, NULL), 1);
	h_idle(&h, 50);
	ck_assert_uint_eq(sim_counter(h.sim, "memfull"), 1);
	t0 = now_ms();
	ck_assert_uint_eq(queue_text(&h, "+256772000002", "one", 1, false, out,
					  tx),
			1);
	ck_assert_uint_eq(queue_text(&h, "+256772000003", "two", 2, false,
					  out + 1, tx + 1),
			1);
	ck_assert(h_run(&h, tx_done, &tx[0], 10000));
	/* It waited (a lower bound: load only makes it later)... */
	ck_assert_uint_ge(now_ms() - t0, 500 - 50);
	/* ... and the next one less: sends are quick here (1 ms), so the
	 * bound is ten times their duration. */
	ck_assert(h_run(&h, all_tx_done, tx, 10000));
	ck_assert_int_eq(tx[0].res.status, MODEM_SEND_OK);
	ck_assert_int_eq(tx[1].res.status, MODEM_SEND_OK);
	modem_get_stats(h.m, &st);
	ck_assert_uint_eq(st.sends_starved, 2);
	ck_assert_int_eq(modem_sms_release(h.m, h.held[0], true), 0);
	h_free(&h);
}
END_TEST

static bool valid_utf8(const char *s)
{
	return utf8_valid(s, strlen(s));
}

/*
 * Line noise (issue 10 item 2): 0xFF bytes inside PDU lines and in
 * +CMGR:/+CMGL: headers (before the line, so the prefix does not match,
 * or inside a field) during a 60-message flood into a 30-slot SIM, with
 * junk lines too. Garbled reads are read again at once: every message is
 * handed over exactly once, decoded, and none is left on the SIM.
 */
START_TEST(test_noise_flood)
{
	struct h h;
	struct modem_stats st;
	char text[64];
	bool seen[60] = {false};
	size_t i, n = 60;
	int zero = 0;

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	/* Every 4th data line, every 5th header. */
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_NOISE_PDU, 4), 0);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_NOISE_HDR, 5), 0);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_GARBAGE, 10), 0);
	for (i = 0; i < n; i++) {
		struct sim_sms m = {.text = text, .msg_class = -1};

		snprintf(text, sizeof(text), "noisy %zu", i);
		ck_assert_int_eq(sim_inject_sms(h.sim, &m, NULL), 1);
	}
	h_wait_rx(&h, n, 20000);
	ck_assert(h_run(&h, stored_is, &zero, 10000));
	h_idle(&h, 200);
	ck_assert_uint_eq(h.n_rx, n);
	for (i = 0; i < h.n_rx; i++) {
		unsigned k;

		ck_assert_int_eq(h.rx[i].decode_err, 0);
		ck_assert(!h.rx[i].garbled);
		ck_assert_int_eq(sscanf(h.rx[i].msg.text, "noisy %u", &k), 1);
		ck_assert_uint_lt(k, n);
		ck_assert(!seen[k]);
		seen[k] = true;
	}
	ck_assert_uint_ge(sim_counter(h.sim, "noise-pdu"), 15);
	ck_assert_uint_ge(sim_counter(h.sim, "noise-hdr"), 12);
	modem_get_stats(h.m, &st);
	ck_assert_uint_ge(st.rereads, 15);
	printf("noise_flood: %u noisy data lines, %u noisy headers, %llu "
	       "rereads, %llu sweeps\n",
			sim_counter(h.sim, "noise-pdu"),
			sim_counter(h.sim, "noise-hdr"),
			(unsigned long long) st.rereads,
			(unsigned long long) st.sweeps);
	h_free(&h);
}
END_TEST

/*
 * Noise that does not go away: after REREAD_MAX reads the message is
 * handed over garbled, its pdu_hex the hex of the line's bytes (valid
 * ASCII), and deleted once the caller stores that.
 */
START_TEST(test_noise_persistent)
{
	struct h h;
	struct sim_sms m = {.text = "always noisy", .msg_class = -1};
	int zero = 0;

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_NOISE_PDU, 1), 0);
	ck_assert_int_eq(sim_inject_sms(h.sim, &m, NULL), 1);
	h_wait_rx(&h, 1, 5000);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_NOISE_PDU, 0), 0);
	ck_assert(h.rx[0].garbled);
	ck_assert_uint_eq(h.rx[0].reads, 3);
	ck_assert_int_ne(h.rx[0].decode_err, 0);
	ck_assert(valid_utf8(h.rx[0].hex));
	ck_assert_ptr_nonnull(strstr(h.rx[0].hex, "FF"));
	ck_assert_uint_eq(sim_counter(h.sim, "+CMGR"), 3);
	ck_assert(h_run(&h, stored_is, &zero, 3000));
	h_free(&h);
}
END_TEST

/* The caller could not store it (not an outage): read again at once. */
START_TEST(test_reread_on_request)
{
	struct h h;
	struct sim_sms m = {.text = "store me twice", .msg_class = -1};
	int zero = 0;

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	h_hold_one(&h, &m);
	ck_assert_uint_eq(h.rx[0].reads, 1);
	h.hold = false;
	ck_assert_int_eq(modem_sms_reread(h.m, h.held[0]), 0);
	h_wait_rx(&h, 2, 3000);
	ck_assert_uint_eq(h.rx[1].reads, 2);
	ck_assert_str_eq(h.rx[1].msg.text, "store me twice");
	ck_assert(h_run(&h, stored_is, &zero, 3000));
	h_free(&h);
}
END_TEST

/* Text mode: noise in the header's sender and in the text is replaced
 * (U+FFFD), never handed over as invalid UTF-8. */
START_TEST(test_noise_text_mode)
{
	struct h h;
	struct sim_sms m = {.from = "+256772111222",
			.text = "text mode noise",
			.msg_class = -1};

	h_init(&h, NULL, text_fallback);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_NO_PDU_MODE, 1), 0);
	h_wait_ready(&h);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_NOISE_PDU, 1), 0);
	ck_assert_int_eq(sim_inject_sms(h.sim, &m, NULL), 1);
	h_wait_rx(&h, 1, 3000);
	ck_assert(valid_utf8(h.rx[0].msg.text));
	ck_assert(valid_utf8(h.rx[0].msg.addr.number));
	ck_assert_ptr_nonnull(strstr(h.rx[0].msg.text, "\xef\xbf\xbd"));
	h_free(&h);
}
END_TEST

/*
 * A network-initiated +CUSD (a notice) that arrives while our request
 * still waits behind a 500 ms send is not taken as our reply (issue 10
 * item 3): it is recorded as network-initiated, and our request gets the
 * reply that follows.
 */
START_TEST(test_ussd_notice_while_waiting)
{
	struct h h;
	struct sms_pdu_out out[1];
	struct tx tx[1];
	struct modem_stats st;
	size_t two = 2;

	h_init(&h, NULL, NULL);
	h_wait_ready(&h);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_SEND_MS, 500), 0);
	ck_assert_int_eq(sim_set_ussd_reply(h.sim, "Balance 5"), 0);
	ck_assert_uint_eq(queue_text(&h, "+256772000009", "slow", 1, false, out,
					  tx),
			1);
	h_idle(&h, 100); /* the send is in flight */
	ck_assert_int_eq(modem_ussd(h.m, "*100#", cb_ussd_req, &h), 0);
	ck_assert_int_eq(sim_ussd_notify(h.sim, 0, "Promo: 50% off"), 0);
	ck_assert(h_run(&h, ussd_n, &two, 5000));
	ck_assert(h.ussd[0].network);
	ck_assert_str_eq(h.ussd[0].text, "Promo: 50% off");
	ck_assert(!h.ussd[1].network);
	ck_assert_str_eq(h.ussd[1].text, "Balance 5");
	modem_get_stats(h.m, &st);
	ck_assert_uint_eq(st.ussd_notices, 1);
	ck_assert(h_run(&h, tx_done, &tx[0], 3000));
	h_free(&h);
}
END_TEST

static bool info_reg_is(struct h *h, const void *arg)
{
	return modem_get_info(h->m)->reg_stat == *(const int *) arg;
}

/*
 * LTE-only modem (issue 10 item 4: Quectel EC2x, SIMCom A76xx): +CREG says
 * not registered, +CEREG registered. Registration comes from EPS with
 * TAC/ECI as LAC/CI, +CEREG URCs are routed, and sending is not held.
 */
START_TEST(test_lte_only)
{
	struct h h;
	struct sms_pdu_out out[1];
	struct tx tx[1];
	const struct modem_info *info;
	int five = 5, zero = 0;

	h_init(&h, NULL, NULL);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_LTE_ONLY, 1), 0);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_LAC, 0x1A2B), 0);
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_CI, 0x01234567), 0);
	h_wait_ready(&h);
	info = modem_get_info(h.m);
	ck_assert_int_eq(info->cs_stat, 0);
	ck_assert_int_eq(info->eps_stat, 1);
	ck_assert_int_eq(info->reg_stat, 1);
	ck_assert_str_eq(info->reg_domain, "EPS");
	ck_assert_int_eq(info->lac, 0x1A2B);
	ck_assert_int_eq(info->ci, 0x01234567);
	ck_assert_int_eq(info->act, 7);
	ck_assert_uint_ge(sim_counter(h.sim, "+CEREG"), 2); /* =2 and ? */
	/* Sending is not held back by +CREG: 0. */
	send_one(&h, "+256700000001", "lte", 1, false, out, tx);
	ck_assert_int_eq(tx[0].res.status, MODEM_SEND_OK);
	/* A +CEREG URC: roaming now. */
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_CREG_STAT, 5), 0);
	ck_assert(h_run(&h, info_reg_is, &five, 3000));
	ck_assert_str_eq(modem_get_info(h.m)->reg_domain, "EPS");
	/* Lost everywhere: the circuit state (0). */
	ck_assert_int_eq(sim_set(h.sim, SIM_FAULT_CREG_STAT, 0), 0);
	ck_assert(h_run(&h, info_reg_is, &zero, 3000));
	ck_assert_int_eq(modem_get_info(h.m)->lac, -1);
	h_free(&h);
}
END_TEST

static const struct {
	const char *name;
	const TTest *const *test;
	int loops;
} tests[] = {
		{"bad_args", &test_bad_args, 0},
		{"init_echo_on", &test_init_echo_on, 0},
		{"receive_200", &test_receive_200, 0},
		{"curc_stops_rssi", &test_curc_stops_rssi, 0},
		{"dropped_cmti_sweep", &test_dropped_cmti_sweep, 0},
		{"periodic_sweep", &test_periodic_sweep, 0},
		{"storage_full", &test_storage_full, 0},
		{"uncommitted_stays", &test_uncommitted_stays, 0},
		{"send_50", &test_send_50_temporary_errors, 0},
		{"error_after_send", &test_error_after_send_unknown, 0},
		{"unplug_during_send", &test_unplug_during_send, 0},
		{"wrong_pin", &test_wrong_pin, 0},
		{"pin_ok_and_missing", &test_pin_ok_and_missing, 0},
		{"sim_busy", &test_sim_busy, 0},
		{"reboot", &test_reboot, 0},
		{"direct_cnma", &test_direct_cnma, 0},
		{"direct_cds_acked_in_order", &test_direct_cds_acked_in_order,
				0},
		{"cds_acked_without_direct_cmt",
				&test_cds_acked_without_direct_cmt, 0},
		{"direct_undecodable", &test_direct_undecodable_acked, 0},
		{"ussd", &test_ussd_encodings, 4},
		{"status_report", &test_status_report, 0},
		{"failures_reset", &test_failures_reset, 0},
		{"cmgd_answer_lost", &test_cmgd_answer_lost, 0},
		{"cmgd_not_done", &test_cmgd_not_done, 0},
		{"cmti_other_store", &test_cmti_other_store, 0},
		{"direct_refused", &test_direct_refused_falls_back, 0},
		{"index_base_zero", &test_index_base_zero, 0},
		{"text_mode_fallback", &test_text_mode_fallback, 0},
		{"no_pdu_mode_fails", &test_no_pdu_mode_fails, 0},
		{"reboot_during_send", &test_reboot_during_send, 0},
		{"ussd_timeout", &test_ussd_timeout_late_reply, 0},
		{"info_periodic", &test_info_periodic_and_creg, 0},
		{"free_pending_sends", &test_free_with_pending_sends, 0},
		{"scripted_quirks", &test_scripted_quirks, 0},
		{"reboot_drops_queued_delete", &test_reboot_drops_queued_delete,
				0},
		{"cmti_during_delete", &test_cmti_during_delete, 0},
		{"text_mode_cnmi_no_cds", &test_text_mode_cnmi_no_cds, 0},
		{"cms500_after_pdu", &test_cms500_after_pdu_unknown, 0},
		{"cmti_flood_bounded", &test_cmti_flood_bounded, 0},
		{"sweep_other_stores", &test_sweep_other_stores, 0},
		{"open_esc_answer", &test_open_esc_answer_not_credited, 0},
		{"odd_header", &test_odd_header_handed_over, 0},
		{"creg_urc_before_reply", &test_creg_urc_before_reply, 0},
		{"rx_first_burst", &test_rx_first_burst, 0},
		{"send_not_starved", &test_send_not_starved, 0},
		{"noise_flood", &test_noise_flood, 0},
		{"noise_persistent", &test_noise_persistent, 0},
		{"reread_on_request", &test_reread_on_request, 0},
		{"noise_text_mode", &test_noise_text_mode, 0},
		{"ussd_notice_while_waiting", &test_ussd_notice_while_waiting,
				0},
		{"lte_only", &test_lte_only, 0},
};

/* MODEM_TEST=<name> runs one test (with MODEM_DEBUG=1 for a trace). */
static Suite *suite(void)
{
	Suite *s = suite_create("modem");
	TCase *tc = tcase_create("driver");
	const char *only = getenv("MODEM_TEST");
	size_t i;

	tcase_set_timeout(tc, 60);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (only && strcmp(only, tests[i].name) != 0)
			continue;
		if (tests[i].loops)
			tcase_add_loop_test(
					tc, *tests[i].test, 0, tests[i].loops);
		else
			tcase_add_test(tc, *tests[i].test);
	}
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(suite());
}
