/*
 * gateway/alerts.c - content alerts (issue 7): raised by the rules
 * handler inside a message's transaction, sent in batches.
 *
 * - Raising resolves each recipient spec of the rule file into phone
 *   numbers: "supervisor" (the rep's), "supervisor:N" (N levels up),
 *   "role:NAME" (every active person with that role) or a number, and
 *   inserts one alerts row per recipient.  The dedupe key (the rule's
 *   key plus the recipient) makes a second raise a no-op; the row joins
 *   the recipient's pending batch, or starts one due after the alert's
 *   batch window.
 * - Sending: one loop timer at the earliest due time (no polling; a
 *   NOTIFY on fieldgate_alerts, sent by every insert, re-arms it in every
 *   daemon).  When it fires, the due recipients' rows are claimed FOR
 *   UPDATE SKIP LOCKED, so two daemons never send one alert twice, and
 *   each recipient gets ONE outbound message (kind 'alert') listing the
 *   items, queued in the same transaction that marks them sent.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "db/store.h"
#include "db/store_reports.h"
#include "gateway/gw.h"
#include "gateway/log.h"
#include "gateway/rules_time.h"
#include "rules/rules.h"

#define CLAIM_LIMIT 500
#define ITEMS_PER_SMS 10 /* more wait for the next message, sent at once */
#define BODY_MAX 1400	 /* bytes: about 10 UCS-2 parts */
#define MAX_RECIPIENTS 64

struct gw_alerts {
	int64_t timer;
	int64_t timer_due_ms; /* wall clock the timer is set for */
};

static int64_t wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* ---- raising ------------------------------------------------------------ */

struct recipient {
	char phone[DB_PHONE_MAX];
	int64_t id;
};

static void add_recipient(
		struct recipient *v, size_t *n, const char *phone, int64_t id)
{
	size_t i;

	if (!phone || !*phone || *n == MAX_RECIPIENTS)
		return;
	for (i = 0; i < *n; i++)
		if (!strcmp(v[i].phone, phone))
			return;
	snprintf(v[*n].phone, sizeof(v[*n].phone), "%s", phone);
	v[*n].id = id;
	(*n)++;
}

/* Resolves one spec; 0 (maybe none found) or a database -errno. */
static int resolve(struct db *db, const struct db_person *sender,
		const char *spec, struct recipient *v, size_t *n,
		struct db_error *err)
{
	char phone[DB_PHONE_MAX];
	int r;

	if (!strncmp(spec, "supervisor", 10) &&
			(spec[10] == '\0' || spec[10] == ':')) {
		int levels = spec[10] == ':' ? atoi(spec + 11) : 1, i;
		struct db_person p;

		if (!sender || levels < 1 || levels > 8)
			return 0;
		p = *sender;
		for (i = 1; i < levels && p.supervisor_phone[0]; i++) {
			r = db_people_lookup(db, p.supervisor_phone, &p, err);
			if (r == -ENOENT)
				return 0;
			if (r < 0)
				return r;
		}
		if (!p.supervisor_phone[0])
			return 0;
		add_recipient(v, n, p.supervisor_phone, p.supervisor_id);
		return 0;
	}
	if (!strncmp(spec, "role:", 5)) {
		struct db_person *people = NULL;
		enum db_role role;
		size_t count = 0, i;

		if (db_role_parse(spec + 5, &role) < 0)
			return 0;
		r = db_people_with_role(db, role, &people, &count, err);
		if (r < 0)
			return r;
		for (i = 0; i < count; i++)
			add_recipient(v, n, people[i].phone, people[i].id);
		free(people); /* allocated by db_people_with_role() */
		return 0;
	}
	if (db_phone_normalize(spec, phone) == 0)
		add_recipient(v, n, phone, 0);
	return 0;
}

int gw_alerts_raise(struct gw_context *ctx, struct db *db,
		const struct db_person *sender, int64_t report_id,
		const struct rules_alert *alerts, size_t n_alerts,
		struct db_error *err)
{
	struct recipient to[MAX_RECIPIENTS];
	size_t i, j, n;
	int r, raised = 0;

	(void) ctx;
	for (i = 0; i < n_alerts; i++) {
		const struct rules_alert *a = &alerts[i];

		n = 0;
		for (j = 0; j < a->n_notify; j++) {
			r = resolve(db, sender, a->notify[j], to, &n, err);
			if (r < 0)
				return r;
		}
		if (!n)
			log_warnx("alert %s: nobody to tell (%zu recipient "
				  "spec%s resolved to no number)",
					a->id, a->n_notify,
					a->n_notify == 1 ? "" : "s");
		for (j = 0; j < n; j++) {
			struct db_alert_new an = {
					.alert_id = a->id,
					.report_id = report_id,
					.recipient = to[j].phone,
					.recipient_id = to[j].id,
					.body = a->text,
					.dedupe_key = a->dedupe_key,
					.batch_seconds =
							a->batch_seconds > 0
									? a->batch_seconds
									: 0,
			};
			bool is_new = false;

			r = db_alert_insert(db, &an, NULL, &is_new, err);
			if (r < 0)
				return r;
			raised += is_new;
		}
	}
	return raised;
}

/* ---- sending ------------------------------------------------------------ */

static void arm(struct gw_context *ctx);

/* Sends the batches due now; true when more may be due at once. */
static bool dispatch(struct gw_context *ctx)
{
	struct db *db = gw_db(ctx);
	struct db_alert_item *items = NULL;
	struct db_error err;
	size_t n = 0, i, j, sent_msgs = 0, sent_items = 0;
	bool more = false;
	int r;

	if (!db || ctx->stopping)
		return false;
	r = db_begin(db, &err);
	if (r < 0)
		goto fail;
	r = db_alerts_claim_due(db, CLAIM_LIMIT, &items, &n, &err);
	if (r < 0)
		goto fail_rollback;
	more = n == CLAIM_LIMIT;
	for (i = 0; i < n; i = j) {
		struct db_outbound_new out = {0};
		int64_t ids[ITEMS_PER_SMS], out_id = 0;
		char body[BODY_MAX + 1];
		size_t len = 0, k = 0;

		for (j = i; j < n &&
				!strcmp(items[j].recipient, items[i].recipient);
				j++) {
			size_t l = strlen(items[j].body);

			if (k == ITEMS_PER_SMS || len + l + 1 > BODY_MAX) {
				more = true; /* the rest: next message */
				continue;
			}
			if (k)
				body[len++] = '\n';
			memcpy(body + len, items[j].body, l);
			len += l;
			ids[k++] = items[j].id;
		}
		if (!k) {
			/* one item alone longer than BODY_MAX: cut it */
			snprintf(body, sizeof(body), "%s", items[i].body);
			ids[k++] = items[i].id;
			len = strlen(body);
		}
		body[len] = '\0';
		out.recipient = items[i].recipient;
		out.text = body;
		out.priority = DB_PRIO_ALERT;
		out.kind = "alert";
		r = db_outbound_enqueue(db, &out, &out_id, NULL, &err);
		if (r < 0)
			goto fail_rollback;
		r = db_alerts_mark_sent(db, ids, k, out_id, &err);
		if (r < 0)
			goto fail_rollback;
		sent_msgs++;
		sent_items += k;
		log_info("alerts: %zu item%s for %s queued as out=%" PRId64, k,
				k == 1 ? "" : "s", items[i].recipient, out_id);
	}
	r = db_commit(db, &err);
	if (r < 0)
		goto fail_rollback;
	db_alert_items_free(items, n);
	if (sent_msgs)
		log_debug(LOG_CAT_SCHED, "alerts: %zu message%s, %zu items",
				sent_msgs, sent_msgs == 1 ? "" : "s",
				sent_items);
	return more;

fail_rollback:
	db_rollback(db, NULL);
	db_alert_items_free(items, n);
fail:
	gw_db_failed(ctx, r, &err, "sending alerts");
	return false;
}

static int64_t on_timer(struct loop *loop, int64_t id, void *data)
{
	struct gw_context *ctx = data;

	(void) loop;
	(void) id;
	ctx->alerts->timer = 0;
	ctx->alerts->timer_due_ms = 0;
	arm(ctx);
	return LOOP_TIMER_DONE;
}

/* Sends what is due, then sets the timer for the next due time. */
static void arm(struct gw_context *ctx)
{
	struct gw_alerts *a = ctx->alerts;
	struct db_error err;
	int64_t due = 0, now, t;
	int rounds = 0, r;

	if (!a || !gw_db(ctx) || ctx->stopping)
		return;
	for (;;) {
		r = db_alert_next_due(gw_db(ctx), &due, &err);
		if (r < 0) {
			gw_db_failed(ctx, r, &err, "reading alert due times");
			return;
		}
		now = wall_ms();
		if (!due || due > now || rounds++ > 20)
			break;
		if (!dispatch(ctx) && !gw_db(ctx))
			return;
	}
	if (!due)
		return;
	if (a->timer && a->timer_due_ms == due)
		return;
	if (a->timer)
		loop_cancel_timer(ctx->loop, a->timer);
	a->timer = 0;
	/* a little after: the database's now() must have passed it */
	t = loop_add_timer(ctx->loop, due > now ? due - now + 20 : 20, on_timer,
			ctx, NULL);
	if (t > 0) {
		a->timer = t;
		a->timer_due_ms = due;
	}
	log_debug(LOG_CAT_SCHED, "alerts: next batch in %" PRId64 " ms",
			due > now ? due - now : 0);
}

void gw_alerts_kick(struct gw_context *ctx)
{
	arm(ctx);
}

static void on_up(struct gw_context *ctx, void *data)
{
	(void) data;
	arm(ctx);
}

static void on_notify(struct gw_context *ctx, const char *payload, void *data)
{
	(void) payload;
	(void) data;
	arm(ctx);
}

int gw_alerts_start(struct gw_context *ctx)
{
	static const struct gw_db_hook hook = {
			"fieldgate_alerts", on_up, on_notify, NULL};

	/* Freed by gw_alerts_free(). */
	ctx->alerts = calloc(1, sizeof(*ctx->alerts));
	if (!ctx->alerts)
		return -ENOMEM;
	return gw_db_register(ctx, &hook);
}

void gw_alerts_free(struct gw_context *ctx)
{
	if (!ctx->alerts)
		return;
	if (ctx->alerts->timer && ctx->loop)
		loop_cancel_timer(ctx->loop, ctx->alerts->timer);
	free(ctx->alerts);
	ctx->alerts = NULL;
}
