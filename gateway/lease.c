/*
 * gateway/lease.c - claim leases between daemons sharing one database
 * (issue 10 §5).
 *
 * A claim ('sending') lasts outbound.lease_s.  While this daemon holds a
 * message (a link sending it or waiting for a token), one timer renews
 * all its claims every third of the lease, in one UPDATE.  The same timer
 * takes over other daemons' claims whose lease ran out
 * (db_outbound_takeover(): queued parts back to the queue, a part being
 * submitted marked unknown), then sleeps until the earliest lease of
 * another daemon ends, or one lease when no other daemon holds anything:
 * an idle daemon wakes once a lease.  The re-queued messages' NOTIFY wakes
 * the dispatchers of every daemon.
 */
#include <config.h>

#include "db/store.h"
#include "gateway/gw.h"
#include "gateway/log.h"

/* After another daemon's lease ends: room for the database clock. */
#define LEASE_SLACK_MS 100

static void arm(struct gw_context *ctx, int64_t delay_ms);

static int64_t on_lease_timer(struct loop *loop, int64_t id, void *data)
{
	struct gw_context *ctx = data;
	int64_t lease_ms = (int64_t) ctx->config->out_lease_s * 1000;
	int64_t next = lease_ms, in_ms;
	struct db_error err;
	struct db *db = gw_db(ctx);
	bool holding = !gw_outbound_idle(ctx);
	int r, taken = 0;

	(void) loop;
	(void) id;
	ctx->lease_timer = 0;
	/* re-armed by the dispatcher's next kick (the reconnect's) */
	if (!db || ctx->stopping)
		return LOOP_TIMER_DONE;
	if (holding) {
		r = db_outbound_renew(db, ctx->daemon_id,
				ctx->config->out_lease_s, &err);
		if (r < 0) {
			gw_db_failed(ctx, r, &err, "renewing claim leases");
			return LOOP_TIMER_DONE;
		}
		log_debug(LOG_CAT_SCHED,
				"outbound: %d claim%s renewed for %d s", r,
				r == 1 ? "" : "s", ctx->config->out_lease_s);
		next = lease_ms / 3;
	}
	r = db_outbound_takeover(db, ctx->daemon_id, &taken, &err);
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "taking over expired claims");
		return LOOP_TIMER_DONE;
	}
	if (taken > 0)
		log_warnx("outbound: took over %d message%s whose claim lease "
			  "(%d s) ran out (daemon gone?): %d re-queued, the "
			  "others unknown or finished",
				taken, taken == 1 ? "" : "s",
				ctx->config->out_lease_s, r);
	r = db_outbound_next_lease_end(db, ctx->daemon_id, &in_ms, &err);
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "finding the next lease end");
		return LOOP_TIMER_DONE;
	}
	if (r > 0 && in_ms + LEASE_SLACK_MS < next)
		next = in_ms + LEASE_SLACK_MS;
	arm(ctx, next);
	return LOOP_TIMER_DONE;
}

/* Fires in @delay_ms, or earlier if it already would. */
static void arm(struct gw_context *ctx, int64_t delay_ms)
{
	int64_t at = loop_now_ms() + delay_ms, t;

	if (ctx->lease_timer && ctx->lease_at <= at)
		return;
	if (ctx->lease_timer)
		loop_cancel_timer(ctx->loop, ctx->lease_timer);
	ctx->lease_timer = 0;
	t = loop_add_timer_at(ctx->loop, at, on_lease_timer, ctx, NULL);
	if (t > 0) {
		ctx->lease_timer = t;
		ctx->lease_at = at;
	}
}

void gw_lease_kick(struct gw_context *ctx)
{
	if (!ctx->lease_timer && !ctx->stopping)
		arm(ctx, 0);
}

void gw_lease_claimed(struct gw_context *ctx)
{
	if (!ctx->stopping)
		arm(ctx, (int64_t) ctx->config->out_lease_s * 1000 / 3);
}

void gw_lease_free(struct gw_context *ctx)
{
	if (ctx->lease_timer)
		loop_cancel_timer(ctx->loop, ctx->lease_timer);
	ctx->lease_timer = 0;
}
