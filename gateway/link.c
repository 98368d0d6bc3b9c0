/*
 * gateway/link.c - each configured modem's struct modem inside the loop.
 *
 * The driver (modem/modem.h) owns its fd and deadlines but no loop; here,
 * before every poll() (the loop's before-sleep hook), each link makes the
 * loop follow its modem:
 *  - the fd: registered again when it changed (a reopen after an unplug
 *    gives a new one) and removed while the modem is closed;
 *  - write interest only while the driver has output queued;
 *  - one loop timer at the driver's next deadline (command timeouts,
 *    reopen backoff, the periodic status refresh and storage sweep).
 * So an idle daemon wakes only for the configured periodic modem checks.
 *
 * The driver's callbacks are routed to inbound.c, outbound.c, ussd.c and
 * status.c.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway/gw.h"
#include "gateway/log.h"

uint64_t gw_now_ms(void)
{
	return (uint64_t) loop_now_ms();
}

struct gw_link *gw_link_find(struct gw_context *ctx, const char *name)
{
	size_t i;

	for (i = 0; i < ctx->n_links; i++)
		if (name && !strcmp(ctx->links[i].name, name) &&
				ctx->links[i].state == MODEM_STATE_READY)
			return &ctx->links[i];
	for (i = 0; i < ctx->n_links; i++)
		if (ctx->links[i].state == MODEM_STATE_READY)
			return &ctx->links[i];
	return NULL;
}

/* ---- driver callbacks ------------------------------------------------- */

static void cb_state(struct modem *m, enum modem_state st, const char *reason,
		void *data)
{
	struct gw_link *link = data;
	enum modem_state old = link->state;

	(void) m;
	link->state = st;
	if (st == MODEM_STATE_DOWN || st == MODEM_STATE_FAILED) {
		gw_log_down(link, modem_state_str(st), reason ? reason : "");
		snprintf(link->last_error, sizeof(link->last_error), "%s",
				reason ? reason : modem_state_str(st));
	} else if (st == MODEM_STATE_READY ||
			!log_repeat_active(&link->down_log)) {
		log_repeat_reset(&link->down_log);
		log_info("modem=%s %s", link->name, modem_state_str(st));
	} else { /* the retry of a failure reported above */
		log_debug(LOG_CAT_LOOP, "modem=%s %s", link->name,
				modem_state_str(st));
	}
	gw_status_changed(link);
	if (st == MODEM_STATE_READY && old != MODEM_STATE_READY) {
		gw_outbound_kick(link->ctx);
		gw_ussd_kick(link->ctx);
	} else if (old == MODEM_STATE_READY) {
		/* Its queue may go to another healthy modem. */
		gw_outbound_kick(link->ctx);
	}
}

static void cb_sms(struct modem *m, struct modem_sms *sms, void *data)
{
	struct gw_link *link = data;

	(void) m;
	link->last_rx_at = (int64_t) time(NULL);
	gw_status_traffic(link, false);
	gw_inbound_sms(link, sms);
}

static void cb_report(struct modem *m, const struct modem_status_report *sr,
		void *data)
{
	(void) m;
	gw_outbound_report(data, sr);
}

static void cb_ussd(struct modem *m, const struct modem_ussd_reply *reply,
		void *data)
{
	(void) m;
	gw_ussd_network(data, reply);
}

static void cb_info(struct modem *m, const struct modem_info *info, void *data)
{
	(void) m;
	(void) info;
	gw_status_changed(data);
}

static void cb_debug(struct modem *m, const char *msg, void *data)
{
	struct gw_link *link = data;
	char buf[LOG_TEXT_MAX * 2];

	(void) m;
	if (!log_debug_enabled(LOG_CAT_AT))
		return;
	log_debug(LOG_CAT_AT, "modem=%s %s", link->name,
			log_escape(msg, strlen(msg), buf, sizeof(buf)));
}

static const struct modem_callbacks link_callbacks = {
		.state = cb_state,
		.sms = cb_sms,
		.status_report = cb_report,
		.ussd = cb_ussd,
		.info = cb_info,
		.debug = cb_debug,
};

/* ---- loop integration ------------------------------------------------- */

static void on_fd(struct loop *loop, int fd, int events, void *data)
{
	struct gw_link *link = data;
	uint64_t now = gw_now_ms();

	(void) loop;
	(void) fd;
	if (!link->m)
		return;
	if (events & (LOOP_HUP | LOOP_ERROR))
		modem_handle_hangup(link->m, now);
	else {
		if (events & LOOP_READ)
			modem_handle_readable(link->m, now);
		if ((events & LOOP_WRITE) && modem_fd(link->m) == fd)
			modem_handle_writable(link->m, now);
	}
	modem_tick(link->m, gw_now_ms());
}

static int64_t on_deadline(struct loop *loop, int64_t id, void *data)
{
	struct gw_link *link = data;

	(void) loop;
	(void) id;
	link->timer_id = 0;
	link->timer_at = -1;
	if (link->m)
		modem_tick(link->m, gw_now_ms());
	return LOOP_TIMER_DONE;
}

static void link_sync(struct gw_link *link)
{
	struct loop *loop = link->ctx->loop;
	int fd, events;
	int64_t deadline;

	if (!link->m)
		return;
	fd = modem_fd(link->m);
	/* Read interest off while the driver coalesces a response. */
	events = fd >= 0 ? (modem_wants_read(link->m) ? LOOP_READ : 0) |
						 (modem_wants_write(link->m) ? LOOP_WRITE
									     : 0)
			 : 0;
	if (fd != link->fd) {
		if (link->fd >= 0)
			loop_del_fd(loop, link->fd);
		link->fd = -1;
		if (fd >= 0) {
			if (loop_add_fd(loop, fd, events, on_fd, link) < 0) {
				log_warnx("modem=%s cannot watch fd %d",
						link->name, fd);
			} else {
				link->fd = fd;
				link->fd_events = events;
			}
		}
	} else if (fd >= 0 && events != link->fd_events) {
		loop_set_fd_events(loop, fd, events);
		link->fd_events = events;
	}

	deadline = modem_next_deadline(link->m);
	if (deadline == link->timer_at && (link->timer_id || deadline < 0))
		return;
	if (link->timer_id) {
		loop_cancel_timer(loop, link->timer_id);
		link->timer_id = 0;
	}
	link->timer_at = deadline;
	if (deadline >= 0) {
		int64_t t = loop_add_timer_at(
				loop, deadline, on_deadline, link, NULL);

		if (t > 0)
			link->timer_id = t;
	}
}

void gw_links_sync(struct gw_context *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_links; i++)
		link_sync(&ctx->links[i]);
}

static enum modem_delivery map_delivery(enum gw_delivery d)
{
	return d == GW_DELIVERY_DIRECT ? MODEM_DELIVERY_DIRECT
				       : MODEM_DELIVERY_STORED;
}

static enum ussd_mode map_ussd(enum gw_ussd_encoding e)
{
	switch (e) {
	case GW_USSD_UCS2:
		return USSD_MODE_UCS2;
	case GW_USSD_GSM7_PACKED:
		return USSD_MODE_PACKED;
	case GW_USSD_PLAIN:
	default:
		return USSD_MODE_PLAIN;
	}
}

int gw_links_start(struct gw_context *ctx)
{
	const struct gw_config *cfg = ctx->config;
	size_t i;
	int r;

	/* Freed by gw_links_free(). */
	ctx->links = calloc(
			cfg->n_modems ? cfg->n_modems : 1, sizeof(*ctx->links));
	if (!ctx->links)
		return -ENOMEM;
	for (i = 0; i < cfg->n_modems; i++) {
		const struct gw_modem_config *mc = &cfg->modems[i];
		struct gw_link *link = &ctx->links[i];
		struct modem_config c;

		link->ctx = ctx;
		link->fd = -1;
		link->timer_at = -1;
		link->state = MODEM_STATE_CLOSED;
		link->send_rate = mc->send_rate;
		link->daily_cap = mc->daily_cap;
		/* A full bucket (10 s worth, see outbound.c) to start. */
		link->tokens = mc->send_rate / 6.0;
		if (link->tokens < 1)
			link->tokens = 1;
		link->tokens_at = loop_now_ms();
		link->next_ref = (uint8_t) (time(NULL) + i * 37);
		link->name = strdup(mc->name);
		link->device = strdup(mc->device);
		link->smsc = mc->smsc ? strdup(mc->smsc) : NULL;
		ctx->n_links++;
		if (!link->name || !link->device || (mc->smsc && !link->smsc))
			return -ENOMEM;

		modem_config_init(&c);
		c.name = mc->name;
		c.device = mc->device;
		c.baud = mc->baud;
		c.rtscts = mc->rtscts;
		c.pin = mc->pin;
		c.storage = gw_storage_name(mc->storage);
		c.delivery = map_delivery(mc->delivery);
		c.text_mode_fallback = mc->text_mode_fallback;
		c.ussd_mode = map_ussd(mc->ussd_encoding);
		c.status_interval_ms = (unsigned) mc->status_interval_s * 1000;
		/* 0 = never sweep on a timer (start-up and reconnects do). */
		c.sweep_interval_ms = (unsigned) mc->sweep_interval_s * 1000;
		r = modem_new(&c, &link_callbacks, link, &link->m);
		if (r < 0) {
			log_warnx("modem=%s cannot create the driver: %s",
					mc->name, strerror(-r));
			return r;
		}
		r = modem_start(link->m, gw_now_ms());
		if (r < 0) {
			log_warnx("modem=%s cannot start: %s", mc->name,
					strerror(-r));
			return r;
		}
		log_info("modem=%s device %s, delivery %s", mc->name,
				mc->device, gw_delivery_name(mc->delivery));
	}
	return 0;
}

void gw_links_free(struct gw_context *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_links; i++) {
		struct gw_link *link = &ctx->links[i];

		if (link->fd >= 0)
			loop_del_fd(ctx->loop, link->fd);
		link->fd = -1;
		if (link->timer_id)
			loop_cancel_timer(ctx->loop, link->timer_id);
		link->timer_id = 0;
		/*
		 * Pending sends get their callbacks (recorded) here; with
		 * link->m NULL first, no callback queues anything new.
		 */
		{
			struct modem *m = link->m;

			link->m = NULL;
			modem_free(m);
		}
	}
	gw_outbound_free(ctx);
	for (i = 0; i < ctx->n_links; i++) {
		free(ctx->links[i].name);
		free(ctx->links[i].device);
		free(ctx->links[i].smsc);
	}
	free(ctx->links);
	ctx->links = NULL;
	ctx->n_links = 0;
}
