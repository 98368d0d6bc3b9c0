/*
 * gateway/sched.c - firing the rule file's schedules (gateway/sched.h).
 *
 * Each schedule keeps `after`: the last fire it has dealt with (from the
 * database at every connection: the latest of schedule_state.since and
 * its last row in schedule_fires).  The next fire is cron_next() after
 * it, in each zone the schedule covers (its own, or for timezone =
 * "territory" every zone active reps live in: the earliest wins, and all
 * zones with that same instant fire together).  One loop timer is armed
 * at the earliest next fire of all schedules.
 *
 * A due fire is claimed by INSERTing (schedule id, fire time) into
 * schedule_fires in the transaction that queues its messages: another
 * daemon's INSERT finds the row and sends nothing; a crash rolls back
 * both.  Fires missed while no daemon ran: the latest one fires if it is
 * at most `grace` old, the others are skipped, logged and recorded
 * (state 'skipped') so they are never considered again.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/store.h"
#include "db/store_sched.h"
#include "gateway/clock.h"
#include "gateway/gw.h"
#include "gateway/log.h"
#include "gateway/rules_handler.h"
#include "gateway/sched.h"
#include "gateway/zones.h"
#include "rules/cron.h"
#include "rules/digest.h"
#include "rules/sched.h"

#define MAX_CATCHUP 100000
#define TEST_CLOCK_TICK_MS 1000
/* at most this long asleep: a new territory's zone is then seen */
#define ZONES_REFRESH_MS (3600 * 1000)

struct sched_ent {
	char id[64];
	int64_t after; /* last fire dealt with (schedule clock) */
	int64_t next;  /* next fire, 0 = none */
	int64_t nominal;
	bool ready; /* after read from the database */
};

struct gw_sched {
	struct gw_context *ctx;
	struct gw_clock clock;
	struct gw_zones *zones;
	struct sched_ent *v;
	size_t n;
	bool dirty; /* rules changed or database back: re-read */
	int64_t timer;
	int64_t spot_timer;
	char **tzs; /* zones of active reps (per-territory schedules) */
	size_t n_tzs;
};

static int64_t on_timer(struct loop *loop, int64_t id, void *data);
static int64_t on_spot_timer(struct loop *loop, int64_t id, void *data);

static const char *def_zone(const struct rules *r)
{
	const char *z = rules_timezone(r);

	return z && *z ? z : "UTC";
}

static void fmt_local(struct gw_sched *st, const char *zone, int64_t t,
		char *buf, size_t size)
{
	const struct tz_zone *z = gw_zone(st->zones, zone, NULL);
	struct tz_local l;

	if (!z || tz_to_local(z, t, &l) < 0) {
		snprintf(buf, size, "@%" PRId64, t);
		return;
	}
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d %s", l.civil.year,
			l.civil.mon, l.civil.mday, l.civil.hour, l.civil.min,
			l.abbr);
}

/* The zones @s fires in: its own, or every territory zone. */
static size_t zones_of(struct gw_sched *st, const struct rules *r,
		const struct rules_schedule *s, const char **out, size_t max)
{
	size_t i, n = 0;

	if (!s->per_territory) {
		out[0] = *s->timezone ? s->timezone : def_zone(r);
		return 1;
	}
	for (i = 0; i < st->n_tzs && n < max; i++)
		out[n++] = st->tzs[i];
	if (!n)
		out[n++] = def_zone(r);
	return n;
}

/* The next fire after e->after; the zones firing then in @fz. */
static void compute_next(struct gw_sched *st, const struct rules *r,
		const struct rules_schedule *s, struct sched_ent *e,
		const char **fz, size_t *n_fz)
{
	const char *zs[256];
	struct cron_calendar cal;
	size_t n = zones_of(st, r, s, zs, 256), i, k = 0;

	rules_sched_calendar(r, &cal);
	e->next = 0;
	for (i = 0; i < n; i++) {
		const char *why = NULL;
		const struct tz_zone *z = gw_zone(st->zones, zs[i], &why);
		struct cron_fire f;

		if (!z) {
			log_warnx("schedule %s: time zone \"%s\": %s", s->id,
					zs[i], why ? why : "unknown");
			continue;
		}
		if (cron_next(&s->cron, z, &cal, e->after, &f) < 0)
			continue;
		if (!e->next || f.at < e->next) {
			e->next = f.at;
			e->nominal = f.nominal;
			k = 0;
		}
		if (f.at == e->next && fz && k < 256)
			fz[k++] = zs[i];
	}
	if (n_fz)
		*n_fz = k;
}

/* Claims and runs (or records as skipped) one fire. */
static void run_fire(struct gw_sched *st, const struct rules *r,
		const struct rules_schedule *s, struct sched_ent *e,
		const char *const *fz, size_t n_fz, bool skip,
		unsigned long n_skipped)
{
	struct gw_context *ctx = st->ctx;
	struct db *db = gw_db(ctx);
	struct db_error err;
	char when[64], note[96] = "";
	int64_t fire_id = 0, now = gw_clock_now(&st->clock);
	bool claimed = false;
	int msgs = 0, people = 0, rr;

	if (!db)
		return;
	fmt_local(st, fz && n_fz ? fz[0] : def_zone(r), e->next, when,
			sizeof(when));
	if (skip)
		snprintf(note, sizeof(note),
				"missed during downtime (%lu), older than the "
				"grace of %ds",
				n_skipped, s->grace_s);
	rr = db_begin(db, &err);
	if (rr < 0)
		goto fail;
	rr = db_sched_claim(db, s->id, e->next, e->nominal, skip,
			ctx->daemon_id, note, &fire_id, &claimed, &err);
	if (rr < 0)
		goto fail_rollback;
	if (!claimed) {
		db_rollback(db, NULL);
		log_debug(LOG_CAT_SCHED,
				"schedule %s: fire %s already claimed by "
				"another daemon",
				s->id, when);
		return;
	}
	if (!skip) {
		msgs = gw_sched_fire(db, r, s, st->zones, def_zone(r),
				s->per_territory ? fz : NULL,
				s->per_territory ? n_fz : 0, e->next, fire_id,
				(int64_t) time(NULL) - now, &people, &err);
		if (msgs < 0) {
			rr = msgs;
			goto fail_rollback;
		}
		rr = db_sched_fire_done(db, fire_id, msgs, people, &err);
		if (rr < 0)
			goto fail_rollback;
	}
	rr = db_commit(db, &err);
	if (rr < 0)
		goto fail_rollback;
	if (skip)
		log_warnx("schedule %s: %lu fire%s missed during downtime "
			  "skipped (latest %s, older than the grace of %ds)",
				s->id, n_skipped, n_skipped == 1 ? "" : "s",
				when, s->grace_s);
	else
		log_info("schedule %s: fired %s%s: %d message%s queued, %d "
			 "people",
				s->id, when,
				e->nominal != e->next ? " (postponed)" : "",
				msgs, msgs == 1 ? "" : "s", people);
	if (s->kind == RULES_SCHED_SPOT && !skip) {
		if (st->spot_timer)
			loop_cancel_timer(ctx->loop, st->spot_timer);
		st->spot_timer = loop_add_timer(
				ctx->loop, 0, on_spot_timer, st, NULL);
	}
	return;

fail_rollback:
	db_rollback(db, NULL);
fail:
	gw_db_failed(ctx, rr, &err, "schedule fire");
	e->ready = false; /* re-read at the reconnect */
	st->dirty = true;
}

/* The zones active reps live in, for per-territory schedules. */
static int refresh_zones(struct gw_sched *st, const struct rules *r)
{
	struct db *db = gw_db(st->ctx);
	struct db_error err;
	char **tzs = NULL;
	size_t n = 0;
	int rr;

	if (!db)
		return -ENOTCONN;
	rr = db_sched_zones(db, def_zone(r), &tzs, &n, &err);
	if (rr < 0) {
		gw_db_failed(st->ctx, rr, &err, "schedule zones");
		st->dirty = true;
		return rr;
	}
	db_sched_zones_free(st->tzs, st->n_tzs);
	st->tzs = tzs;
	st->n_tzs = n;
	return 0;
}

/* Re-reads what the database knows and catches up. */
static void rebuild(struct gw_sched *st, const struct rules *r)
{
	const struct rules_schedule *v;
	struct db *db = gw_db(st->ctx);
	size_t n = rules_schedules(r, &v), i;
	int64_t now = gw_clock_now(&st->clock);
	struct db_error err;
	struct sched_ent *ne;

	ne = calloc(n ? n : 1, sizeof(*ne));
	if (!ne) {
		log_warnx("schedules: out of memory");
		return;
	}
	free(st->v);
	st->v = ne;
	st->n = n;
	st->dirty = false;
	if (!db) {
		st->dirty = true;
		return;
	}
	if (refresh_zones(st, r) < 0)
		return;
	for (i = 0; i < n; i++) {
		struct sched_ent *e = &st->v[i];
		const char *fz[256];
		size_t n_fz = 0;
		unsigned long missed = 0;
		int rr;

		snprintf(e->id, sizeof(e->id), "%s", v[i].id);
		rr = db_sched_since(db, v[i].id, now, &e->after, &err);
		if (rr < 0) {
			gw_db_failed(st->ctx, rr, &err, "schedule state");
			st->dirty = true;
			return;
		}
		e->ready = true;
		/* catch up: fires in (after, now] */
		for (;;) {
			struct sched_ent peek = *e;

			compute_next(st, r, &v[i], e, fz, &n_fz);
			if (!e->next || e->next > now)
				break;
			peek.after = e->next;
			compute_next(st, r, &v[i], &peek, NULL, NULL);
			if (peek.next && peek.next <= now &&
					missed < MAX_CATCHUP) {
				missed++; /* a later one is also past */
				e->after = e->next;
				continue;
			}
			if (now - e->next <= v[i].grace_s) {
				if (missed)
					log_warnx("schedule %s: %lu earlier "
						  "fire%s missed during "
						  "downtime skipped",
							v[i].id, missed,
							missed == 1 ? "" : "s");
				run_fire(st, r, &v[i], e, fz, n_fz, false, 0);
			} else {
				run_fire(st, r, &v[i], e, fz, n_fz, true,
						missed + 1);
			}
			if (st->dirty)
				return;
			e->after = e->next;
			missed = 0;
		}
	}
}

static void arm(struct gw_sched *st)
{
	struct gw_context *ctx = st->ctx;
	int64_t now = gw_clock_now(&st->clock), next = 0, delay_ms;
	size_t i;

	if (st->timer)
		loop_cancel_timer(ctx->loop, st->timer);
	st->timer = 0;
	if (ctx->stopping)
		return;
	for (i = 0; i < st->n; i++)
		if (st->v[i].ready && st->v[i].next &&
				(!next || st->v[i].next < next))
			next = st->v[i].next;
	if (st->dirty)
		delay_ms = 1000;
	else if (!next)
		delay_ms = ZONES_REFRESH_MS;
	else
		delay_ms = next > now ? (next - now) * 1000 : 0;
	if (delay_ms > ZONES_REFRESH_MS)
		delay_ms = ZONES_REFRESH_MS;
	if (gw_clock_is_test(&st->clock) && delay_ms > TEST_CLOCK_TICK_MS)
		delay_ms = TEST_CLOCK_TICK_MS;
	st->timer = loop_add_timer(ctx->loop, delay_ms, on_timer, st, NULL);
	if (st->timer <= 0)
		st->timer = 0;
	else if (next)
		log_debug(LOG_CAT_SCHED,
				"schedules: next fire in %" PRId64 " s",
				next - now);
}

static int64_t on_timer(struct loop *loop, int64_t id, void *data)
{
	struct gw_sched *st = data;
	const struct rules *r = gw_rules_current(st->ctx);
	const struct rules_schedule *v;
	int64_t now;
	size_t i, n;

	(void) loop;
	(void) id;
	st->timer = 0;
	if (!r || st->ctx->stopping)
		return LOOP_TIMER_DONE;
	if (st->dirty)
		rebuild(st, r);
	else if (refresh_zones(st, r) < 0)
		goto out; /* new territory zones are seen at every wake-up */
	n = rules_schedules(r, &v);
	now = gw_clock_now(&st->clock);
	for (i = 0; i < n && i < st->n && !st->dirty; i++) {
		struct sched_ent *e = &st->v[i];
		const char *fz[256];
		size_t n_fz = 0;

		if (!e->ready)
			continue;
		compute_next(st, r, &v[i], e, fz, &n_fz);
		while (e->next && e->next <= now && !st->dirty) {
			/* late by more than the grace (a blocked daemon) */
			run_fire(st, r, &v[i], e, fz, n_fz,
					now - e->next > v[i].grace_s, 1);
			if (st->dirty)
				break;
			e->after = e->next;
			compute_next(st, r, &v[i], e, fz, &n_fz);
		}
	}
out:
	arm(st);
	return LOOP_TIMER_DONE;
}

/* ---- spot checks: the answers ------------------------------------------- */

static int64_t on_spot_timer(struct loop *loop, int64_t id, void *data)
{
	struct gw_sched *st = data;
	struct gw_context *ctx = st->ctx;
	const struct rules *r = gw_rules_current(ctx);
	struct db *db = gw_db(ctx);
	struct db_spot_result *v = NULL;
	struct dg_item *items = NULL;
	struct db_error err;
	size_t n = 0, i, j, k;
	int64_t due_ms = 0;
	int rr, sent = 0;

	(void) loop;
	(void) id;
	st->spot_timer = 0;
	if (!db || !r || ctx->stopping)
		return LOOP_TIMER_DONE;
	rr = db_begin(db, &err);
	if (rr < 0)
		goto fail;
	rr = db_spot_resolve_due(db, &v, &n, &err);
	if (rr < 0)
		goto fail_rollback;
	items = calloc(n ? n : 1, sizeof(*items));
	if (!items) {
		rr = -ENOMEM;
		snprintf(err.message, sizeof(err.message), "out of memory");
		goto fail_rollback;
	}
	for (i = 0; i < n; i = j) {
		const struct rules_schedule *s =
				rules_schedule_find(r, v[i].schedule_id);

		for (j = i, k = 0;
				j < n &&
				!strcmp(v[j].schedule_id, v[i].schedule_id) &&
				v[j].supervisor_id == v[i].supervisor_id;
				j++) {
			if (!strcmp(v[j].outcome, "ok"))
				continue;
			log_info("spot check %s: %s %s", v[j].schedule_id,
					v[j].name, v[j].outcome);
			items[k].text = v[j].name;
			items[k++].len = strlen(v[j].name);
		}
		if (k && s && s->alert && v[i].supervisor_phone[0]) {
			struct rules_sched_vars sv = {0};
			struct dg_opts o = {0};
			struct dg_result res = {0};
			struct db_outbound_new out = {0};
			char head[1024], count[24];
			int64_t out_id = 0;

			snprintf(count, sizeof(count), "%zu", k);
			sv.count = count;
			rules_sched_render(s->alert, &sv, head, sizeof(head));
			o.header = head;
			o.max_segments = 6;
			if (dg_build(&o, items, k, &res) < 0) {
				rr = -ENOMEM;
				snprintf(err.message, sizeof(err.message),
						"out of memory");
				goto fail_rollback;
			}
			out.recipient = v[i].supervisor_phone;
			out.text = res.text;
			out.priority = DB_PRIO_ALERT;
			out.kind = "schedule";
			rr = db_outbound_enqueue(db, &out, &out_id, NULL, &err);
			dg_result_done(&res);
			if (rr < 0)
				goto fail_rollback;
			sent++;
		}
	}
	rr = db_commit(db, &err);
	if (rr < 0)
		goto fail_rollback;
	if (n)
		log_info("spot checks: %zu answer%s due, %d alert%s queued", n,
				n == 1 ? "" : "s", sent, sent == 1 ? "" : "s");
	free(items);
	free(v);
	rr = db_spot_next_due(db, &due_ms, NULL, &err);
	if (rr == 0)
		st->spot_timer = loop_add_timer(ctx->loop,
				due_ms > 0 ? due_ms + 50 : 50, on_spot_timer,
				st, NULL);
	else if (rr != -ENOENT)
		gw_db_failed(ctx, rr, &err, "spot checks");
	if (st->spot_timer < 0)
		st->spot_timer = 0;
	return LOOP_TIMER_DONE;

fail_rollback:
	db_rollback(db, NULL);
fail:
	free(items);
	free(v);
	gw_db_failed(ctx, rr, &err, "spot checks");
	return LOOP_TIMER_DONE;
}

/* ---- hooks ---------------------------------------------------------------- */

static void on_up(struct gw_context *ctx, void *data)
{
	struct gw_sched *st = data;

	(void) ctx;
	st->dirty = true;
	if (st->timer)
		loop_cancel_timer(st->ctx->loop, st->timer);
	st->timer = loop_add_timer(st->ctx->loop, 0, on_timer, st, NULL);
	if (st->timer < 0)
		st->timer = 0;
	if (!st->spot_timer) {
		st->spot_timer = loop_add_timer(
				st->ctx->loop, 0, on_spot_timer, st, NULL);
		if (st->spot_timer < 0)
			st->spot_timer = 0;
	}
}

int gw_sched_start(struct gw_context *ctx)
{
	struct gw_sched *st;
	struct gw_db_hook hook = {NULL, on_up, NULL, NULL};
	char why[640];

	/* Freed by gw_sched_free(). */
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->zones = gw_zones_new();
	if (!st->zones) {
		free(st);
		return -ENOMEM;
	}
	st->ctx = ctx;
	st->dirty = true;
	if (gw_clock_init(&st->clock, why, sizeof(why)) || why[0])
		log_warnx("schedules: %s", why);
	ctx->sched = st;
	hook.data = st;
	return gw_db_register(ctx, &hook);
}

void gw_sched_rules_changed(struct gw_context *ctx)
{
	struct gw_sched *st = ctx ? ctx->sched : NULL;

	if (!st)
		return;
	st->dirty = true;
	if (st->timer)
		loop_cancel_timer(ctx->loop, st->timer);
	st->timer = loop_add_timer(ctx->loop, 0, on_timer, st, NULL);
	if (st->timer < 0)
		st->timer = 0;
}

void gw_sched_free(struct gw_context *ctx)
{
	struct gw_sched *st = ctx ? ctx->sched : NULL;

	if (!st)
		return;
	if (st->timer && ctx->loop)
		loop_cancel_timer(ctx->loop, st->timer);
	if (st->spot_timer && ctx->loop)
		loop_cancel_timer(ctx->loop, st->spot_timer);
	db_sched_zones_free(st->tzs, st->n_tzs);
	gw_zones_free(st->zones);
	free(st->v);
	free(st);
	ctx->sched = NULL;
}
