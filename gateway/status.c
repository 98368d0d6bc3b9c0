/*
 * gateway/status.c - modem health as data (LESSONS 8): one modem_status
 * row per modem and SIM, upserted on every change the driver reports
 * (state, registration, operator, signal, LAC/CI, SIM identity, storage,
 * last error) and on the driver's periodic refresh (modem
 * status_interval_s), so no timer of our own wakes an idle daemon.
 * While the database is down the row is marked dirty and written when it
 * is back.  last received / last sent are written when traffic happens,
 * at most once per TRAFFIC_WRITE_MS per modem (gw_status_traffic()).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "db/store.h"
#include "gateway/gw.h"
#include "gateway/log.h"

#define TRAFFIC_WRITE_MS 10000

/* +CREG <stat> (TS 27.007 §7.2) as text; the driver's state otherwise. */
static const char *registration(
		const struct gw_link *link, const struct modem_info *info)
{
	static const char *const names[] = {
			"not registered",
			"home",
			"searching",
			"denied",
			"unknown",
			"roaming",
			"home (sms only)",
			"roaming (sms only)",
			"emergency only",
			"home (csfb not preferred)",
			"roaming (csfb not preferred)",
	};

	if (link->state != MODEM_STATE_READY)
		return modem_state_str(link->state);
	if (info && info->reg_stat >= 0 && info->reg_stat <= 10)
		return names[info->reg_stat];
	return "unknown";
}

static int write_status(struct gw_link *link)
{
	struct gw_context *ctx = link->ctx;
	struct db *db = gw_db(ctx);
	const struct modem_info *info =
			link->m ? modem_get_info(link->m) : NULL;
	struct db_modem_status st;
	struct db_error err;
	int r;

	if (!db)
		return -1;
	/*
	 * Rows are keyed by (modem, IMSI, ICCID): wait for the SIM's
	 * identity rather than leave a row with an empty one behind, unless
	 * the modem failed before we could learn it.
	 */
	if ((!info || !info->imsi[0]) &&
			(link->state == MODEM_STATE_CLOSED ||
					link->state == MODEM_STATE_OPENING ||
					link->state == MODEM_STATE_INITIALISING))
		return -1;
	memset(&st, 0, sizeof(st));
	snprintf(st.modem, sizeof(st.modem), "%s", link->name);
	snprintf(st.daemon_host, sizeof(st.daemon_host), "%s", ctx->hostname);
	snprintf(st.device, sizeof(st.device), "%s", link->device);
	snprintf(st.registration, sizeof(st.registration), "%s",
			registration(link, info));
	snprintf(st.last_error, sizeof(st.last_error), "%s", link->last_error);
	st.lac = -1;
	st.ci = -1;
	st.storage_used = -1;
	st.storage_total = -1;
	if (info) {
		snprintf(st.imsi, sizeof(st.imsi), "%s", info->imsi);
		snprintf(st.iccid, sizeof(st.iccid), "%s", info->iccid);
		snprintf(st.operator_name, sizeof(st.operator_name), "%s",
				info->oper);
		if (info->act >= 0)
			snprintf(st.access_tech, sizeof(st.access_tech), "%d",
					info->act);
		st.has_signal = info->signal_known;
		st.signal_dbm = info->signal_dbm;
		st.lac = info->lac;
		st.ci = info->ci;
		st.storage_used = info->store_used;
		st.storage_total = info->store_total;
	}
	st.last_rx_at = link->last_rx_at;
	st.last_tx_at = link->last_tx_at;
	r = db_modem_status_upsert(db, &st, &err);
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "writing modem status");
		return r;
	}
	link->status_dirty = false;
	return 0;
}

void gw_status_changed(struct gw_link *link)
{
	link->status_dirty = true;
	write_status(link);
}

void gw_status_flush(struct gw_context *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_links && gw_db(ctx); i++)
		if (ctx->links[i].status_dirty)
			write_status(&ctx->links[i]);
}

static int64_t on_status_timer(struct loop *loop, int64_t id, void *data)
{
	struct gw_context *ctx = data;

	(void) loop;
	(void) id;
	ctx->status_timer = 0;
	gw_status_flush(ctx);
	return LOOP_TIMER_DONE;
}

void gw_status_traffic(struct gw_link *link, bool sent)
{
	struct gw_context *ctx = link->ctx;
	int64_t *written = sent ? &link->tx_written_ms : &link->rx_written_ms;
	int64_t now = loop_now_ms(), t;

	link->status_dirty = true;
	if (!*written || now - *written >= TRAFFIC_WRITE_MS) {
		*written = now;
		write_status(link);
		return;
	}
	if (ctx->status_timer)
		return; /* the trailing write takes this one too */
	t = loop_add_timer_at(ctx->loop, *written + TRAFFIC_WRITE_MS,
			on_status_timer, ctx, NULL);
	if (t > 0)
		ctx->status_timer = t;
}
