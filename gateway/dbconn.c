/*
 * gateway/dbconn.c - the daemon's PostgreSQL connection inside the loop.
 *
 * - Connects with connect_timeout and statement_timeout from the config,
 *   so a slow or vanished database holds the single loop (and so the
 *   modems) for a bounded time only.
 * - While unreachable, retries with a doubling backoff, 1 s up to 60 s,
 *   as one loop timer (no wake-ups once connected).  Meanwhile the modems
 *   keep running and nothing received is released (inbound.c), so the
 *   messages wait on the SIM or in the network (SPEC §5).
 * - On the first connection: db_schema_check(); a NEWER schema than this
 *   program knows stops the daemon (exit 1) with a clear message; an
 *   older one is migrated when database.auto_migrate is set, else the
 *   daemon stops and asks for `fieldgatectl db migrate`.
 * - Pipelines register (gw_db_register()) for "the connection is up" and
 *   for their NOTIFY channel; dbconn LISTENs on every registered channel
 *   and knows no pipeline by name.  The socket is a loop fd, so a NOTIFY
 *   wakes its pipeline at once (no polling).
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/migrate.h"
#include "gateway/gw.h"
#include "gateway/log.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000

struct gw_db {
	struct db *db; /* NULL until the first connection */
	bool up;
	bool schema_ok;
	int fd; /* registered socket, -1 none */
	int64_t retry_timer;
	int64_t backoff_ms;
	unsigned failures; /* consecutive failed attempts */
};

static void db_schedule_retry(struct gw_context *ctx);

struct db *gw_db(struct gw_context *ctx)
{
	struct gw_db *g = ctx->db;

	return g && g->up ? g->db : NULL;
}

static void unwatch(struct gw_context *ctx)
{
	struct gw_db *g = ctx->db;

	if (g->fd >= 0) {
		loop_del_fd(ctx->loop, g->fd);
		g->fd = -1;
	}
}

int gw_db_register(struct gw_context *ctx, const struct gw_db_hook *hook)
{
	struct db_error err;
	int r;

	if (!hook || ctx->n_db_hooks == GW_DB_HOOKS_MAX)
		return -EINVAL;
	ctx->db_hooks[ctx->n_db_hooks++] = *hook;
	/* Registered while connected: listen now (reconnects re-issue it). */
	if (hook->channel && gw_db(ctx)) {
		r = db_listen(ctx->db->db, hook->channel, &err);
		if (r < 0)
			gw_db_failed(ctx, r, &err, "LISTEN");
	}
	return 0;
}

static void on_notify(const char *channel, const char *payload, void *data)
{
	struct gw_context *ctx = data;
	size_t i;

	log_debug(LOG_CAT_DB, "notification on %s", channel);
	for (i = 0; i < ctx->n_db_hooks; i++) {
		const struct gw_db_hook *h = &ctx->db_hooks[i];

		if (h->channel && h->notify && !strcmp(channel, h->channel))
			h->notify(ctx, payload ? payload : "", h->data);
	}
}

static void on_socket(struct loop *loop, int fd, int events, void *data)
{
	struct gw_context *ctx = data;
	struct db_error err;
	int r;

	(void) loop;
	(void) fd;
	(void) events;
	if (!gw_db(ctx))
		return;
	r = db_consume_notifications(ctx->db->db, on_notify, ctx, &err);
	if (r < 0)
		gw_db_failed(ctx, r, &err, "reading notifications");
}

void gw_db_drain(struct gw_context *ctx)
{
	struct db_error err;
	int r;

	if (!gw_db(ctx))
		return;
	r = db_consume_notifications(ctx->db->db, on_notify, ctx, &err);
	if (r < 0)
		gw_db_failed(ctx, r, &err, "reading notifications");
}

static void mark_down(struct gw_context *ctx)
{
	struct gw_db *g = ctx->db;

	unwatch(ctx);
	if (g->up)
		log_warnx("database connection lost; messages stay on the "
			  "modems until it is back");
	g->up = false;
	db_schedule_retry(ctx);
}

bool gw_db_failed(struct gw_context *ctx, int r, const struct db_error *err,
		const char *what)
{
	struct gw_db *g = ctx->db;
	bool lost;

	lost = r == -ENOTCONN || (err && db_is_connection_error(err)) ||
	       (g->db && !db_is_connected(g->db));
	log_warnx("database: %s failed: %s%s%s", what,
			err && err->message[0] ? err->message : strerror(-r),
			err && err->sqlstate[0] ? " sqlstate=" : "",
			err && err->sqlstate[0] ? err->sqlstate : "");
	if (lost && g->up)
		mark_down(ctx);
	return lost;
}

/* Schema check (and migration) on the first connection. */
static int check_schema(struct gw_context *ctx)
{
	struct gw_db *g = ctx->db;
	struct db_error err;
	int version = 0, r;

	r = db_schema_check(g->db, &version, &err);
	if (r == -ESTALE && ctx->config->db_auto_migrate) {
		log_info("database schema is older than version %d: "
			 "migrating (database.auto_migrate)",
				db_schema_version_known());
		r = db_migrate(g->db, &version, &err);
		if (r >= 0) {
			log_info("database migrated to schema version %d",
					version);
			r = 0;
		}
	}
	if (r == 0) {
		g->schema_ok = true;
		return 0;
	}
	if (r == -EPROTO) {
		log_warnx("cannot run: %s (this fieldgated knows schema "
			  "version %d)",
				err.message, db_schema_version_known());
	} else if (r == -ESTALE) {
		log_warnx("cannot run: %s; run `fieldgatectl db migrate` "
			  "or set database.auto_migrate = true",
				err.message);
	} else {
		gw_db_failed(ctx, r, &err, "schema check");
		return r; /* connection trouble: retry later */
	}
	ctx->exit_code = 1;
	ctx->stopping = true;
	loop_stop(ctx->loop);
	return r;
}

/* The connection is up (again): LISTEN, watch, tell the pipelines. */
static int came_up(struct gw_context *ctx)
{
	struct gw_db *g = ctx->db;
	struct db_error err;
	size_t i;
	int r;

	if (!g->schema_ok) {
		r = check_schema(ctx);
		if (r < 0)
			return r;
	}
	for (i = 0; i < ctx->n_db_hooks; i++) {
		if (!ctx->db_hooks[i].channel)
			continue;
		r = db_listen(g->db, ctx->db_hooks[i].channel, &err);
		if (r < 0) {
			gw_db_failed(ctx, r, &err, "LISTEN");
			return r;
		}
	}
	g->fd = db_socket(g->db);
	if (g->fd >= 0 && loop_add_fd(ctx->loop, g->fd, LOOP_READ, on_socket,
					  ctx) < 0) {
		g->fd = -1;
		return -ENOMEM;
	}
	g->up = true;
	g->failures = 0;
	g->backoff_ms = BACKOFF_MIN_MS;
	log_info("database connected");
	/* In registration order; a hook may find the connection lost. */
	for (i = 0; i < ctx->n_db_hooks && g->up; i++)
		if (ctx->db_hooks[i].up)
			ctx->db_hooks[i].up(ctx, ctx->db_hooks[i].data);
	return 0;
}

static void try_connect(struct gw_context *ctx)
{
	struct gw_db *g = ctx->db;
	const struct gw_config *cfg = ctx->config;
	struct db_error err;
	int r;

	if (ctx->stopping)
		return;
	if (!g->db)
		r = db_connect(cfg->db_conninfo, "fieldgated",
				cfg->db_connect_timeout_s,
				cfg->db_statement_timeout_ms, &g->db, &err);
	else
		r = db_reconnect(g->db, &err);
	if (r < 0) {
		g->failures++;
		/* One line per outage, then quiet until it changes. */
		if (g->failures == 1 || g->backoff_ms >= BACKOFF_MAX_MS)
			log_warnx("database: cannot connect: %s (retrying in "
				  "%lld s)",
					err.message,
					(long long) g->backoff_ms / 1000);
		else
			log_debug(LOG_CAT_DB, "cannot connect: %s",
					err.message);
		db_schedule_retry(ctx);
		return;
	}
	if (came_up(ctx) < 0 && !ctx->stopping && !g->up)
		db_schedule_retry(ctx);
}

static int64_t on_retry(struct loop *loop, int64_t id, void *data)
{
	struct gw_context *ctx = data;

	(void) loop;
	(void) id;
	ctx->db->retry_timer = 0;
	try_connect(ctx);
	return LOOP_TIMER_DONE;
}

static void db_schedule_retry(struct gw_context *ctx)
{
	struct gw_db *g = ctx->db;
	int64_t t;

	if (g->retry_timer || ctx->stopping)
		return;
	t = loop_add_timer(ctx->loop, g->backoff_ms, on_retry, ctx, NULL);
	if (t > 0)
		g->retry_timer = t;
	g->backoff_ms *= 2;
	if (g->backoff_ms > BACKOFF_MAX_MS)
		g->backoff_ms = BACKOFF_MAX_MS;
}

int gw_db_start(struct gw_context *ctx)
{
	struct gw_db *g;

	/* Freed by gw_db_free(). */
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->fd = -1;
	g->backoff_ms = BACKOFF_MIN_MS;
	ctx->db = g;
	try_connect(ctx);
	return 0;
}

void gw_db_free(struct gw_context *ctx)
{
	struct gw_db *g = ctx->db;

	if (!g)
		return;
	unwatch(ctx);
	if (g->retry_timer)
		loop_cancel_timer(ctx->loop, g->retry_timer);
	db_free(g->db);
	free(g);
	ctx->db = NULL;
}
