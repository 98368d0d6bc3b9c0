/*
 * gateway/health.c - gateway health to admins; see health.h.
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
#include "gateway/health.h"
#include "gateway/log.h"
#include "gateway/rules_handler.h"
#include "rules/guard_conf.h"

#define HEALTH_LINKS_MAX 64

struct link_health {
	int64_t down_since;   /* Unix seconds; 0 = READY (or never seen) */
	int64_t balance_next; /* when to ask the balance next */
	int64_t balance_id;   /* our USSD request in flight, 0 none */
};

struct gw_health {
	int64_t timer;
	struct link_health l[HEALTH_LINKS_MAX];
};

static struct gw_health *state_of(struct gw_context *ctx)
{
	return ctx->health;
}

static const struct rules_health *config(
		struct gw_context *ctx, struct rules_health *def)
{
	const struct rules *r = gw_rules_current(ctx);

	if (r)
		return rules_health(r);
	rules_health_default(def);
	return def;
}

static struct link_health *lh_of(struct gw_link *link)
{
	struct gw_context *ctx = link->ctx;
	size_t i = (size_t) (link - ctx->links);

	if (!ctx->health || i >= HEALTH_LINKS_MAX)
		return NULL;
	return &ctx->health->l[i];
}

/*
 * Condition @key active (@text for admins) or cleared (@text NULL): an
 * episode's start raises one alert item per recipient.  Own transaction.
 */
static void condition(struct gw_context *ctx, const struct rules_health *h,
		const char *key, const char *text)
{
	struct db *db = gw_db(ctx);
	struct db_error err;
	char dedupe[160];
	bool fresh = false;
	int episode = 0, r;

	if (!db)
		return;
	if (!text) {
		r = db_health_clear(db, key, &fresh, &err);
		if (r < 0)
			gw_db_failed(ctx, r, &err,
					"clearing a health condition");
		else if (fresh)
			log_info("health: %s recovered", key);
		return;
	}
	r = db_begin(db, &err);
	if (r < 0)
		goto fail;
	r = db_health_raise(db, key, text, &fresh, &episode, &err);
	if (r >= 0 && fresh) {
		snprintf(dedupe, sizeof(dedupe), "health:%s:%d", key, episode);
		r = gw_guard_alert(ctx, db, h->notify, h->n_notify,
				h->batch_seconds, "health", dedupe, text, &err);
	}
	if (r >= 0)
		r = db_commit(db, &err);
	if (r < 0) {
		db_rollback(db, NULL);
		goto fail;
	}
	if (fresh) {
		log_warnx("health: %s (admins told)", text);
		gw_alerts_kick(ctx);
	}
	return;
fail:
	gw_db_failed(ctx, r, &err, "raising a health condition");
}

static void check_link(struct gw_context *ctx, const struct rules_health *h,
		struct gw_link *link, struct link_health *lh, int64_t now)
{
	struct db *db = gw_db(ctx);
	struct db_error err;
	char key[96], text[200];
	int used = 0, total = 0, r;

	snprintf(key, sizeof(key), "modem_down:%s", link->name);
	if (link->state == MODEM_STATE_READY) {
		lh->down_since = 0;
		condition(ctx, h, key, NULL);
	} else {
		if (!lh->down_since)
			lh->down_since = now;
		if (h->modem_down_s &&
				now - lh->down_since >= h->modem_down_s) {
			snprintf(text, sizeof(text),
					"fieldgate: modem %s down for %" PRId64
					" min (%s)",
					link->name,
					(now - lh->down_since + 59) / 60,
					modem_state_str(link->state));
			condition(ctx, h, key, text);
		}
	}
	if (!db || !h->storage_percent)
		goto balance;
	r = db_modem_storage(db, link->name, &used, &total, &err);
	if (r < 0 && r != -ENOENT) {
		gw_db_failed(ctx, r, &err, "reading SIM storage");
		return;
	}
	snprintf(key, sizeof(key), "storage:%s", link->name);
	if (r == 0 && used * 100 >= h->storage_percent * total) {
		snprintf(text, sizeof(text),
				"fieldgate: modem %s SIM storage %d/%d full",
				link->name, used, total);
		condition(ctx, h, key, text);
	} else if (r == 0) {
		condition(ctx, h, key, NULL);
	}
balance:
	if (!h->balance_code || link->state != MODEM_STATE_READY ||
			now < lh->balance_next || !gw_db(ctx))
		return;
	r = db_ussd_enqueue(gw_db(ctx), link->name, h->balance_code,
			&lh->balance_id, &err);
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "queueing the balance query");
		return;
	}
	lh->balance_next = now + h->balance_interval_s;
	log_info("modem=%s ussd=%" PRId64 " balance query %s queued",
			link->name, lh->balance_id, h->balance_code);
	gw_ussd_kick(ctx);
}

static void check_all(struct gw_context *ctx)
{
	struct rules_health def;
	const struct rules_health *h = config(ctx, &def);
	int64_t now = (int64_t) time(NULL), age = 0;
	struct db_error err;
	char text[200];
	size_t i;
	int r;

	for (i = 0; i < ctx->n_links && i < HEALTH_LINKS_MAX; i++)
		check_link(ctx, h, &ctx->links[i], &ctx->health->l[i], now);
	if (!h->queue_age_s || !gw_db(ctx))
		return;
	r = db_outbound_oldest_queued_age(gw_db(ctx), &age, &err);
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "reading the queue age");
		return;
	}
	if (age >= h->queue_age_s) {
		snprintf(text, sizeof(text),
				"fieldgate: outbound queue backing up (oldest "
				"queued %" PRId64 " min ago)",
				age / 60);
		condition(ctx, h, "queue", text);
	} else {
		condition(ctx, h, "queue", NULL);
	}
}

static int64_t on_timer(struct loop *loop, int64_t id, void *data)
{
	struct gw_context *ctx = data;
	struct rules_health def;

	(void) loop;
	(void) id;
	if (ctx->stopping)
		return LOOP_TIMER_DONE;
	check_all(ctx);
	return (int64_t) config(ctx, &def)->check_s * 1000;
}

int gw_health_start(struct gw_context *ctx)
{
	struct rules_health def;
	int64_t t;

	/* Freed by gw_health_free(). */
	ctx->health = calloc(1, sizeof(*ctx->health));
	if (!ctx->health)
		return -ENOMEM;
	t = loop_add_timer(ctx->loop,
			(int64_t) config(ctx, &def)->check_s * 1000, on_timer,
			ctx, NULL);
	if (t < 0)
		return (int) t;
	ctx->health->timer = t;
	return 0;
}

void gw_health_free(struct gw_context *ctx)
{
	struct gw_health *h = state_of(ctx);

	if (!h)
		return;
	if (h->timer && ctx->loop)
		loop_cancel_timer(ctx->loop, h->timer);
	free(h);
	ctx->health = NULL;
}

void gw_health_cap_reached(struct gw_link *link)
{
	struct gw_context *ctx = link->ctx;
	struct rules_health def;
	time_t now = time(NULL);
	struct tm tm;
	char key[96], day[16], text[200];

	if (!ctx->health || !localtime_r(&now, &tm))
		return;
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	snprintf(key, sizeof(key), "cap:%s:%s", link->name, day);
	snprintf(text, sizeof(text),
			"fieldgate: modem %s reached its daily cap of %d "
			"parts: "
			"not sending until midnight",
			link->name, link->daily_cap);
	condition(ctx, config(ctx, &def), key, text);
}

void gw_health_ussd_done(struct gw_link *link, int64_t id, const char *state,
		const char *reply)
{
	struct gw_context *ctx = link->ctx;
	struct link_health *lh = lh_of(link);
	struct rules_health def;
	const struct rules_health *h;
	struct db_error err;
	int64_t cents = 0;
	char key[96], text[200];
	int r;

	if (!lh || !id || lh->balance_id != id)
		return;
	lh->balance_id = 0;
	h = config(ctx, &def);
	if (strcmp(state, "done") || !reply) {
		log_warnx("modem=%s ussd=%" PRId64 " balance query %s",
				link->name, id, state);
		return;
	}
	r = guard_balance_extract(
			h->balance_pattern, reply, strlen(reply), &cents);
	if (r < 0) {
		log_warnx("modem=%s ussd=%" PRId64 " no balance in the reply "
			  "(settings.health.balance_pattern)",
				link->name, id);
		return;
	}
	log_info("modem=%s ussd=%" PRId64 " SIM balance %" PRId64 ".%02d",
			link->name, id, cents / 100,
			(int) ((cents < 0 ? -cents : cents) % 100));
	if (gw_db(ctx)) {
		r = db_sim_balance_set(
				gw_db(ctx), link->name, cents, reply, &err);
		if (r < 0)
			gw_db_failed(ctx, r, &err, "recording the SIM balance");
	}
	snprintf(key, sizeof(key), "balance:%s", link->name);
	if (cents < h->balance_below_cents) {
		snprintf(text, sizeof(text),
				"fieldgate: modem %s SIM balance %s%" PRId64
				".%02d, below %" PRId64 ".%02d",
				link->name, cents < 0 ? "-" : "",
				(cents < 0 ? -cents : cents) / 100,
				(int) ((cents < 0 ? -cents : cents) % 100),
				h->balance_below_cents / 100,
				(int) (h->balance_below_cents % 100));
		condition(ctx, h, key, text);
	} else {
		condition(ctx, h, key, NULL);
	}
}
