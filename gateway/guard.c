/*
 * gateway/guard.c - protections wired to the database; see guard.h.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/store.h"
#include "db/store_health.h"
#include "gateway/guard.h"
#include "gateway/gw.h"
#include "gateway/log.h"
#include "rules/rules.h"
#include "rules/text.h"

#define RECENT_MAX 64

int gw_guard_alert(struct gw_context *ctx, struct db *db,
		const char *const *notify, size_t n_notify, int batch_seconds,
		const char *id, const char *dedupe, const char *text,
		struct db_error *err)
{
	struct rules_alert a;

	memset(&a, 0, sizeof(a));
	a.id = id;
	a.notify = notify;
	a.n_notify = n_notify;
	a.text = text;
	a.batch_seconds = batch_seconds;
	a.dedupe_key = dedupe;
	return gw_alerts_raise(ctx, db, NULL, 0, &a, 1, err);
}

/* The hash of @text after the default normalization (rules/text.h). */
static uint64_t text_hash(const char *text)
{
	struct rt_norm_opts o;
	size_t len = strlen(text), cap = 3 * len + 1;
	char *out = malloc(cap);
	uint64_t h;
	int n;

	rt_norm_opts_default(&o);
	n = out ? rt_normalize(text, len, &o, out, cap) : -ENOMEM;
	h = n >= 0 ? guard_text_hash(out, (size_t) n)
		   : guard_text_hash(text, len);
	free(out);
	return h;
}

/* The loop was just detected: record the telling and alert, committed. */
static int tell_loop(struct gw_context *ctx, struct db *db,
		const struct rules_guard *g, const char *phone, size_t n,
		struct db_error *err)
{
	char text[200], key[96];
	int r;

	snprintf(text, sizeof(text),
			"fieldgate: %s sends the same text again and again "
			"(%zu in %" PRId64 " min): no more replies to it",
			phone, n, (int64_t) g->policy.loop_window / 60);
	snprintf(key, sizeof(key), "guard_loop:%s:%" PRId64, phone,
			(int64_t) time(NULL) / 60);
	r = db_begin(db, err);
	if (r < 0)
		return r;
	r = db_guard_loop_told(db, phone, err);
	if (r >= 0)
		r = gw_guard_alert(ctx, db, g->notify, g->n_notify,
				g->batch_seconds, "guard_loop", key, text, err);
	if (r >= 0)
		r = db_commit(db, err);
	if (r < 0) {
		db_rollback(db, NULL);
		return r;
	}
	gw_alerts_kick(ctx);
	return 0;
}

int gw_guard_check(struct gw_context *ctx, struct db *db,
		const struct rules_guard *g, const struct gw_message *msg,
		struct gw_guard_result *res, struct db_error *err)
{
	struct db_recent_msg *rows = NULL;
	struct guard_event ev[RECENT_MAX];
	size_t n = 0, i, k = 0, same = 0;
	int64_t now = (int64_t) time(NULL), told = 0;
	uint64_t hash;
	char phone[DB_PHONE_MAX];
	int r;

	memset(res, 0, sizeof(*res));
	res->cls = guard_classify(msg->sender, &g->lists);
	res->repeat = GUARD_REPLY;
	if (!guard_may_reply(res->cls) || !msg->text)
		return 0;
	r = db_guard_recent(db, msg->sender, msg->id,
			(int) g->policy.loop_window, RECENT_MAX, &rows, &n,
			err);
	if (r < 0)
		return r;
	hash = text_hash(msg->text);
	for (i = 0; i < n; i++) {
		if (rows[i].id == msg->id) {
			now = rows[i].at;
			continue;
		}
		ev[k].at = rows[i].at;
		ev[k].hash = rows[i].body ? text_hash(rows[i].body) : 0;
		if (ev[k].hash == hash) {
			same++;
			if (!res->duplicate_of)
				res->duplicate_of = rows[i].id; /* newest */
		}
		k++;
	}
	db_recent_free(rows, n);
	if (!k)
		return 0;
	if (db_phone_normalize(msg->sender, phone) < 0)
		snprintf(phone, sizeof(phone), "%s", msg->sender);
	r = db_guard_loop_get(db, phone, &told, err);
	if (r < 0)
		return r;
	res->repeat = guard_repeat(&g->policy, ev, k, now, hash, told);
	if (res->repeat == GUARD_SUPPRESS_TELL_ADMINS)
		return tell_loop(ctx, db, g, phone, same + 1, err);
	return 0;
}

int gw_guard_reply_ok(struct gw_context *ctx, struct db *db,
		const struct rules_guard *g, const char *phone, bool *ret_ok,
		bool *ret_told, struct db_error *err)
{
	time_t now = time(NULL);
	struct tm tm;
	int64_t used = 0;
	char text[200], key[96], day[16];
	int r;

	*ret_ok = true;
	if (ret_told)
		*ret_told = false;
	if (!g->policy.max_replies_day)
		return 0;
	if (!localtime_r(&now, &tm))
		return 0;
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	r = db_guard_replies_since(
			db, phone, (int64_t) mktime(&tm), &used, err);
	if (r < 0)
		return r;
	switch (guard_cap(g->policy.max_replies_day,
			used > 1000000 ? 1000000 : (unsigned) used)) {
	case GUARD_CAP_OK:
		return 0;
	case GUARD_CAP_REACHED:
		*ret_ok = false;
		return 0;
	case GUARD_CAP_REACHED_TELL:
		break;
	}
	*ret_ok = false;
	snprintf(text, sizeof(text),
			"fieldgate: %s reached the daily cap of %u automatic "
			"replies: no more today",
			phone, g->policy.max_replies_day);
	snprintf(key, sizeof(key), "guard_cap:%s:%s", phone, day);
	r = gw_guard_alert(ctx, db, g->notify, g->n_notify, g->batch_seconds,
			"guard_cap", key, text, err);
	if (r > 0 && ret_told)
		*ret_told = true;
	return r < 0 ? r : 0;
}

int gw_guard_apply(struct db *db, const struct gw_message *msg,
		const struct gw_guard_result *res, struct db_error *err)
{
	char num[LOG_NUMBER_MAX], note[64];
	int r;

	log_redact_number(msg->sender, num, sizeof(num));
	if (!guard_may_reply(res->cls)) {
		snprintf(note, sizeof(note), "sender %s",
				guard_sender_name(res->cls));
		r = db_inbound_set_state(db, msg->id, "ignored", note, err);
		if (r >= 0)
			log_info("modem=%s msg=%" PRId64 " from=%s is %s: no "
				 "reply",
					msg->modem, msg->id, num,
					guard_sender_name(res->cls));
		return r < 0 ? r : 1;
	}
	switch (res->repeat) {
	case GUARD_REPLY:
		return 0;
	case GUARD_DUPLICATE:
		snprintf(note, sizeof(note), "resend of #%" PRId64,
				res->duplicate_of);
		r = db_inbound_set_state(db, msg->id, "duplicate", note, err);
		if (r >= 0)
			log_info("modem=%s msg=%" PRId64 " from=%s %s: no "
				 "report, no reply",
					msg->modem, msg->id, num, note);
		return r < 0 ? r : 1;
	case GUARD_SUPPRESS:
	case GUARD_SUPPRESS_TELL_ADMINS:
		r = db_inbound_set_state(db, msg->id, "ignored", "loop", err);
		if (r >= 0)
			log_warnx("modem=%s msg=%" PRId64 " from=%s loops: no "
				  "reply%s",
					msg->modem, msg->id, num,
					res->repeat == GUARD_SUPPRESS
							? ""
							: " (admins told)");
		return r < 0 ? r : 1;
	}
	return 0;
}
