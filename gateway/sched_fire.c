/*
 * gateway/sched_fire.c - what one schedule fire sends (gateway/sched.h):
 * the missing lists per supervisor as ONE digest each, reminders to reps
 * spread over a few minutes, pending approvals, the daily digest, spot
 * checks' asks.  Inside the caller's transaction; no clock of its own.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/store.h"
#include "db/store_reports.h"
#include "db/store_sched.h"
#include "gateway/sched.h"
#include "gateway/zones.h"
#include "rules/digest.h"
#include "rules/sched.h"
#include "rules/tz.h"

#define DIGEST_MAX_SEGMENTS 6 /* a longer list is cut: …等N人 */
#define MAX_DAYS 256

struct fire {
	struct db *db;
	const struct rules_schedule *s;
	int64_t at, fire_id, real_offset;
	char date[16]; /* M月D日 / the local date shown */
	char time[8];
	int messages, people;
	struct db_error *err;
};

static void set_err(struct db_error *err, const char *text)
{
	if (err && !err->message[0])
		snprintf(err->message, sizeof(err->message), "%s", text);
}

static int queue(struct fire *f, const char *to, const char *text,
		int64_t delay_s, int prio)
{
	struct db_outbound_new out = {0};
	int64_t id = 0;
	int r;

	out.recipient = to;
	out.text = text;
	out.priority = prio;
	out.kind = "schedule";
	if (delay_s > 0)
		out.not_before = f->at + f->real_offset + delay_s;
	r = db_outbound_enqueue(f->db, &out, &id, NULL, f->err);
	if (r == -EINVAL)
		return 0; /* a bad number in the roster: nothing to send */
	if (r < 0)
		return r;
	f->messages++;
	return 0;
}

static bool excused(
		const struct rules_schedule *s, const struct db_sched_rep *p)
{
	if ((s->unless & RULES_UNLESS_CHECKED_IN) && p->checkins > 0)
		return true;
	if ((s->unless & RULES_UNLESS_REPORTED) && p->reported)
		return true;
	if ((s->unless & RULES_UNLESS_ON_LEAVE) && p->on_leave)
		return true;
	return false;
}

/* The template with the fire's values, then the list. */
static int digest_text(struct fire *f, const char *tmpl,
		const struct rules_sched_vars *extra,
		const struct dg_item *items, size_t n, struct dg_result *res)
{
	struct rules_sched_vars v = {0};
	struct dg_opts o = {0};
	char head[1024], count[24];

	if (extra)
		v = *extra;
	snprintf(count, sizeof(count), "%zu", n);
	v.count = count;
	v.date = f->date;
	v.time = f->time;
	v.form = f->s->form;
	rules_sched_render(tmpl, &v, head, sizeof(head));
	o.header = head;
	o.max_segments = DIGEST_MAX_SEGMENTS;
	return dg_build(&o, items, n, res);
}

/* Sends one digest of @items (names) to @to. */
static int send_digest(struct fire *f, const char *to, const char *tmpl,
		const struct rules_sched_vars *extra,
		const struct dg_item *items, size_t n)
{
	struct dg_result res = {0};
	int r;

	if (!to || !*to)
		return 0;
	r = digest_text(f, tmpl, extra, items, n, &res);
	if (r < 0) {
		set_err(f->err, "digest: out of memory");
		return r;
	}
	r = queue(f, to, res.text, 0, DB_PRIO_ALERT);
	dg_result_done(&res);
	return r;
}

static uint64_t seed_of(const struct fire *f)
{
	uint64_t h = 1469598103934665603ULL;
	const char *p;

	for (p = f->s->id; *p; p++)
		h = (h ^ (unsigned char) *p) * 1099511628211ULL;
	return h ^ (uint64_t) f->at;
}

/* ---- kinds ------------------------------------------------------------------ */

static int fire_missing(struct fire *f, struct db_sched_rep *reps, size_t n,
		struct db *db)
{
	const struct rules_schedule *s = f->s;
	struct dg_item *items = NULL;
	size_t i, j, k;
	int r = 0;

	if (s->to == RULES_SCHED_TO_REPS) {
		for (i = 0; i < n; i++) {
			struct rules_sched_vars v = {0};
			char text[1024];
			int64_t delay = 0;

			if (excused(s, &reps[i]))
				continue;
			v.date = f->date;
			v.time = f->time;
			v.form = s->form;
			rules_sched_render(s->text, &v, text, sizeof(text));
			if (s->spread_s > 0)
				delay = dg_spread_key(seed_of(f),
						(uint64_t) reps[i].id,
						(uint32_t) s->spread_s);
			r = queue(f, reps[i].phone, text, delay, DB_PRIO_BULK);
			if (r < 0)
				return r;
			f->people++;
		}
		return 0;
	}
	items = calloc(n ? n : 1, sizeof(*items));
	if (!items)
		return -ENOMEM;
	if (s->to == RULES_SCHED_TO_ADMINS) {
		struct db_person *admins = NULL;
		size_t n_admins = 0;

		for (i = 0, k = 0; i < n; i++)
			if (!excused(s, &reps[i])) {
				items[k].text = reps[i].name;
				items[k++].len = strlen(reps[i].name);
			}
		f->people += (int) k;
		if (k)
			r = db_people_with_role(db, DB_ROLE_ADMIN, &admins,
					&n_admins, f->err);
		for (i = 0; r >= 0 && i < n_admins; i++)
			r = send_digest(f, admins[i].phone, s->text, NULL,
					items, k);
		free(admins);
		free(items);
		return r < 0 ? r : 0;
	}
	/* one message per supervisor (rows come ordered by supervisor) */
	for (i = 0; i < n && r >= 0; i = j) {
		k = 0;
		for (j = i; j < n &&
				reps[j].supervisor_id == reps[i].supervisor_id;
				j++)
			if (!excused(s, &reps[j])) {
				items[k].text = reps[j].name;
				items[k++].len = strlen(reps[j].name);
			}
		if (!k || !reps[i].supervisor_id)
			continue;
		f->people += (int) k;
		r = send_digest(f, reps[i].supervisor_phone, s->text, NULL,
				items, k);
	}
	free(items);
	return r < 0 ? r : 0;
}

static int fire_pending(struct fire *f, struct db *db)
{
	struct db_sched_pending *v = NULL;
	struct dg_item *items;
	size_t n = 0, i, j, k;
	int r;

	r = db_sched_pending(db, &v, &n, f->err);
	if (r < 0)
		return r;
	items = calloc(n ? n : 1, sizeof(*items));
	if (!items) {
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < n && r >= 0; i = j) {
		for (j = i, k = 0; j < n &&
				   v[j].supervisor_id == v[i].supervisor_id;
				j++) {
			items[k].text = v[j].ref;
			items[k++].len = strlen(v[j].ref);
		}
		f->people += (int) k;
		r = send_digest(f, v[i].phone, f->s->text, NULL, items, k);
	}
	free(items);
	free(v);
	return r < 0 ? r : 0;
}

static int fire_daily(struct fire *f, struct db_sched_rep *reps, size_t n,
		struct db *db)
{
	struct db_sched_pending *pend = NULL;
	struct dg_item *items;
	size_t n_pend = 0, i, j, k, q;
	int r;

	r = db_sched_pending(db, &pend, &n_pend, f->err);
	if (r < 0)
		return r;
	items = calloc(n ? n : 1, sizeof(*items));
	if (!items) {
		free(pend);
		return -ENOMEM;
	}
	for (i = 0; i < n && r >= 0; i = j) {
		int in = 0, reports = 0, missing = 0, outside = 0, pending = 0;
		char b[5][16];
		struct rules_sched_vars v = {0};

		for (j = i, k = 0;
				j < n &&
				reps[j].supervisor_id == reps[i].supervisor_id;
				j++) {
			const struct db_sched_rep *p = &reps[j];

			in += p->checkins > 0;
			reports += p->reports;
			outside += p->outside > 0;
			if (!p->checkins && !p->on_leave) {
				missing++;
				items[k].text = p->name;
				items[k++].len = strlen(p->name);
			}
		}
		if (!reps[i].supervisor_id)
			continue;
		for (q = 0; q < n_pend; q++)
			pending += pend[q].supervisor_id ==
				   reps[i].supervisor_id;
		snprintf(b[0], sizeof(b[0]), "%d", in);
		snprintf(b[1], sizeof(b[1]), "%d", reports);
		snprintf(b[2], sizeof(b[2]), "%d", missing);
		snprintf(b[3], sizeof(b[3]), "%d", outside);
		snprintf(b[4], sizeof(b[4]), "%d", pending);
		v.checkins = b[0];
		v.reports = b[1];
		v.missing = b[2];
		v.outside = b[3];
		v.pending = b[4];
		f->people += (int) (j - i);
		r = send_digest(f, reps[i].supervisor_phone, f->s->text, &v,
				items, k);
	}
	free(items);
	free(pend);
	return r < 0 ? r : 0;
}

static int fire_spot(struct fire *f, struct db_sched_rep *reps, size_t n,
		struct db *db)
{
	const struct rules_schedule *s = f->s;
	uint64_t x = seed_of(f) | 1;
	size_t *idx, m = 0, i, want;
	int r = 0;

	idx = calloc(n ? n : 1, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (!reps[i].on_leave)
			idx[m++] = i;
	want = (size_t) s->sample < m ? (size_t) s->sample : m;
	/* a partial Fisher-Yates shuffle with xorshift64, seeded by the fire */
	for (i = 0; i < want; i++) {
		size_t j, t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = i + (size_t) (x % (m - i));
		t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
	for (i = 0; i < want && r >= 0; i++) {
		const struct db_sched_rep *p = &reps[idx[i]];
		struct rules_sched_vars v = {0};
		char text[1024], within[16];
		int64_t delay = s->window_s > 0 ? dg_spread_key(seed_of(f),
								  (uint64_t) p->id,
								  (uint32_t) s->window_s)
						: 0;

		snprintf(within, sizeof(within), "%d", (s->within_s + 59) / 60);
		v.within = within;
		v.date = f->date;
		v.time = f->time;
		rules_sched_render(s->text, &v, text, sizeof(text));
		r = queue(f, p->phone, text, delay, DB_PRIO_ALERT);
		if (r >= 0)
			r = db_spot_ask(db, f->fire_id, s->id, p->id, delay,
					s->within_s, f->err);
		f->people++;
	}
	free(idx);
	return r < 0 ? r : 0;
}

int gw_sched_fire(struct db *db, const struct rules *rules,
		const struct rules_schedule *s, struct gw_zones *zc,
		const char *def_zone, const char *const *zones, size_t n_zones,
		int64_t at, int64_t fire_id, int64_t real_offset,
		int *ret_people, struct db_error *err)
{
	struct db_sched_day days[MAX_DAYS];
	char dates[MAX_DAYS][16];
	struct db_sched_rep *reps = NULL;
	struct fire f;
	size_t n = 0, i, nd = 0;
	const char *own = *s->timezone && !s->per_territory ? s->timezone
							    : def_zone;
	int r;

	(void) rules;
	memset(&f, 0, sizeof(f));
	f.db = db;
	f.s = s;
	f.at = at;
	f.fire_id = fire_id;
	f.real_offset = real_offset;
	f.err = err;
	db_error_clear(err);
	for (i = 0; i < (n_zones ? n_zones : 1) && nd < MAX_DAYS; i++) {
		const char *name = n_zones ? zones[i] : own;
		const struct tz_zone *z = gw_zone(zc, name, NULL);
		struct tz_local l;

		if (!z ||
				tz_day_bounds(z, at, &days[nd].start,
						&days[nd].end) < 0 ||
				tz_to_local(z, at, &l) < 0)
			continue;
		snprintf(dates[nd], sizeof(dates[nd]), "%04d-%02d-%02d",
				l.civil.year, l.civil.mon, l.civil.mday);
		days[nd].zone = n_zones ? name : "*";
		days[nd].date = dates[nd];
		if (nd == 0) {
			snprintf(f.date, sizeof(f.date), "%d月%d日",
					l.civil.mon, l.civil.mday);
			snprintf(f.time, sizeof(f.time), "%02d:%02d",
					l.civil.hour, l.civil.min);
		}
		nd++;
	}
	if (!nd) {
		set_err(err, "no usable time zone");
		return -EINVAL;
	}
	if (s->kind != RULES_SCHED_PENDING) {
		r = db_sched_reps(db, days, nd, def_zone,
				(s->unless & RULES_UNLESS_REPORTED) ? s->form
								    : NULL,
				&reps, &n, err);
		if (r < 0)
			return r;
	}
	switch (s->kind) {
	case RULES_SCHED_MISSING:
		r = fire_missing(&f, reps, n, db);
		break;
	case RULES_SCHED_PENDING:
		r = fire_pending(&f, db);
		break;
	case RULES_SCHED_DAILY:
		r = fire_daily(&f, reps, n, db);
		break;
	case RULES_SCHED_SPOT:
		r = fire_spot(&f, reps, n, db);
		break;
	default:
		r = 0;
	}
	free(reps);
	if (r == -ENOMEM)
		set_err(err, "out of memory");
	if (ret_people)
		*ret_people = f.people;
	return r < 0 ? r : f.messages;
}
