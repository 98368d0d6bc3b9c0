/*
 * gateway/ussd.c - runs queued USSD requests (ussd_requests, NOTIFY
 * fieldgate_ussd) on the requested modem or, for "any", on any READY one.
 *
 * One session at a time per modem (the driver serialises AT+CUSD with
 * AT+CMGS on the port).  The driver's ussd_timeout bounds a request; a
 * reply that asks for further action (m = 1) is stored and the session
 * ended with AT+CUSD=2, since nobody can answer a menu through the queue.
 * db_ussd_finish() stores the reply and NOTIFYs fieldgate_ussd_done, which
 * `fieldgatectl ussd` waits for.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "db/store.h"
#include "gateway/gw.h"
#include "gateway/health.h"
#include "gateway/log.h"

static void finish(struct gw_link *link, int64_t id, const char *state,
		const char *reply, int dcs, int m, const char *error)
{
	struct gw_context *ctx = link->ctx;
	struct db *db = gw_db(ctx);
	struct db_error err;
	int r;

	if (!db) {
		log_warnx("modem=%s ussd=%" PRId64 " result not stored: "
			  "database down",
				link->name, id);
		return;
	}
	r = db_ussd_finish(db, id, state, reply, dcs, m, error, &err);
	if (r < 0)
		gw_db_failed(ctx, r, &err, "storing a USSD reply");
	gw_health_ussd_done(link, id, state, reply);
}

static void on_reply(struct modem *m, const struct modem_ussd_reply *reply,
		void *data)
{
	struct gw_link *link = data;
	const char *state = "done", *error = reply->error;
	char text[LOG_TEXT_MAX];
	int64_t id = link->ussd_id;

	link->ussd_busy = false;
	link->ussd_id = 0;
	switch (reply->m) {
	case -1:
		state = error && strstr(error, "time") ? "timeout" : "failed";
		if (!error)
			error = "no reply";
		break;
	case 5:
		state = "timeout";
		error = "network time-out";
		break;
	case 4:
		state = "failed";
		error = "operation not supported";
		break;
	case 1:
		/* A menu: nobody can answer it through the queue. */
		if (link->m == m)
			modem_ussd_cancel(m);
		break;
	default:
		break;
	}
	if (reply->decode_err && !strcmp(state, "done"))
		error = "reply could not be decoded; raw kept";
	log_info("modem=%s ussd=%" PRId64 " %s m=%d: %s", link->name, id, state,
			reply->m,
			log_redact_text(reply->text[0] ? reply->text
						       : reply->raw,
					text, sizeof(text)));
	finish(link, id, state,
			reply->text[0] ? reply->text
				       : (reply->raw[0] ? reply->raw : NULL),
			reply->dcs, reply->m,
			strcmp(state, "done") || reply->decode_err ? error
								   : NULL);
	if (link->ctx->stopping)
		gw_check_stopped(link->ctx);
	else
		gw_ussd_kick(link->ctx);
}

/*
 * Requests this daemon left 'running' (it crashed, or the reply came
 * while the database was down) are failed, so nobody waits forever.
 * Only when no request of ours is in flight.
 */
static void recover(struct gw_context *ctx)
{
	struct db_error err;
	int r;

	if (!gw_ussd_idle(ctx) || !gw_db(ctx))
		return;
	r = db_ussd_recover(gw_db(ctx), ctx->daemon_id, &err);
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "recovering USSD requests");
		return;
	}
	ctx->ussd_recover_pending = false;
	if (r > 0)
		log_info("ussd: %d interrupted request%s marked failed", r,
				r == 1 ? "" : "s");
}

void gw_ussd_kick(struct gw_context *ctx)
{
	struct db_error err;
	size_t i;
	int r;

	if (ctx->ussd_recover_pending)
		recover(ctx);

	for (i = 0; i < ctx->n_links && gw_db(ctx) && !ctx->stopping; i++) {
		struct gw_link *link = &ctx->links[i];
		struct db_ussd req;

		if (!link->m || link->ussd_busy ||
				link->state != MODEM_STATE_READY)
			continue;
		r = db_ussd_claim(gw_db(ctx), ctx->daemon_id, link->name, &req,
				&err);
		if (r == -ENOENT)
			continue;
		if (r < 0) {
			gw_db_failed(ctx, r, &err, "claiming a USSD request");
			return;
		}
		log_info("modem=%s ussd=%" PRId64 " running %s", link->name,
				req.id, req.code);
		link->ussd_busy = true;
		link->ussd_id = req.id;
		r = modem_ussd(link->m, req.code, on_reply, link);
		if (r < 0) {
			link->ussd_busy = false;
			link->ussd_id = 0;
			log_warnx("modem=%s ussd=%" PRId64 " cannot run: %s",
					link->name, req.id, strerror(-r));
			finish(link, req.id, "failed", NULL, -1, -1,
					r == -EINVAL ? "not encodable for this "
						       "modem"
						     : strerror(-r));
		}
		db_ussd_done(&req);
	}
}

bool gw_ussd_idle(struct gw_context *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_links; i++)
		if (ctx->links[i].ussd_busy)
			return false;
	return true;
}

void gw_ussd_network(struct gw_link *link, const struct modem_ussd_reply *reply)
{
	char text[LOG_TEXT_MAX];

	/* Network-initiated (or a late reply): logged, nothing to store. */
	log_info("modem=%s network USSD m=%d dcs=%d: %s", link->name, reply->m,
			reply->dcs,
			log_redact_text(reply->text[0] ? reply->text
						       : reply->raw,
					text, sizeof(text)));
}
