/*
 * gateway/handler.c - the default message handler (issue 4): store, and
 * acknowledge known senders with "已收到 #<id>" (handler.ack_template).
 *
 * One transaction per message: look the sender up, queue the ack (kind
 * 'ack', in_reply_to = the message, priority DB_PRIO_ACK) and mark the
 * message handled.  The unique (in_reply_to, kind) key makes a re-run after
 * a crash a no-op, so a message gets exactly one ack.
 *
 * No reply to alphanumeric senders or short codes (operator notices,
 * SPEC §5), none to unknown numbers, and at most
 * handler.reply_limit_per_hour replies to one sender per hour (a
 * phone stuck resending, or two gateways answering each other).
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/store.h"
#include "gateway/gw.h"
#include "gateway/handler.h"
#include "gateway/log.h"

#define RATE_SLOTS 512

struct rate_slot {
	char sender[DB_PHONE_MAX];
	int64_t window_start; /* Unix seconds */
	int count;
};

struct default_state {
	struct rate_slot slots[RATE_SLOTS];
	bool seeded; /* slots read back from the database */
};

void *gw_default_handler_new(void)
{
	/* Freed by default_free(). */
	return calloc(1, sizeof(struct default_state));
}

static void default_free(void *state)
{
	free(state);
}

bool gw_handler_no_reply(const char *sender, int ton, int short_max)
{
	size_t digits = 0;
	const char *p = sender;

	if (ton == 5 || !sender || !*sender)
		return true;
	if (*p == '+')
		p++;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return true; /* alphanumeric or odd: never */
		digits++;
	}
	return digits == 0 || digits <= (size_t) short_max;
}

int gw_handler_screen(struct gw_context *ctx, struct db *db,
		const struct gw_message *msg, bool need_text,
		struct db_error *err)
{
	const char *why = msg->decode_error;
	char num[LOG_NUMBER_MAX];
	int r;

	if (!why && need_text && !msg->text)
		why = "no text";
	if (why) {
		/* Stored raw; nobody to answer.  Marked for a human. */
		r = db_inbound_set_state(db, msg->id, "failed", why, err);
		if (r >= 0)
			log_info("modem=%s msg=%" PRId64 " undecodable, stored "
				 "raw: %s",
					msg->modem, msg->id, why);
		return r < 0 ? r : 1;
	}
	if (gw_handler_no_reply(msg->sender, msg->sender_ton,
			    ctx->config->short_code_max_digits)) {
		r = db_inbound_set_state(db, msg->id, "ignored", NULL, err);
		if (r >= 0)
			log_info("modem=%s msg=%" PRId64 " from=%s is a short "
				 "code or alphanumeric: no reply",
					msg->modem, msg->id,
					log_redact_number(msg->sender, num,
							sizeof(num)));
		return r < 0 ? r : 1;
	}
	return 0;
}

/*
 * At the first message after start: the replies of the last hour, from
 * the database, so a restart cannot exceed the limit.  0 or -errno with
 * @err filled.
 */
static int rate_seed(
		struct default_state *st, struct db *db, struct db_error *err)
{
	struct db_reply_count *rc = NULL;
	size_t n = 0, i;
	int r;

	if (!st || st->seeded)
		return 0;
	r = db_outbound_recent_replies(db, 3600, RATE_SLOTS, &rc, &n, err);
	if (r < 0)
		return r;
	for (i = 0; i < n && i < RATE_SLOTS; i++) {
		struct rate_slot *s = &st->slots[i];

		snprintf(s->sender, sizeof(s->sender), "%s", rc[i].recipient);
		s->window_start = rc[i].first_at;
		s->count = rc[i].count;
	}
	free(rc); /* allocated by db_outbound_recent_replies() */
	st->seeded = true;
	if (n)
		log_info("handler: %zu sender%s got replies in the last hour: "
			 "counted for the reply limit",
				n, n == 1 ? "" : "s");
	return 0;
}

/*
 * Counts a reply to @sender (normalized, as the database stores
 * recipients) in a one-hour window; false when the limit is reached.  The
 * table is small and in memory, seeded from the database at start.
 */
static bool rate_take(struct default_state *st, const char *sender, int limit)
{
	int64_t now = (int64_t) time(NULL);
	struct rate_slot *free_slot = NULL, *oldest = NULL;
	size_t i;

	if (!st)
		return true;
	for (i = 0; i < RATE_SLOTS; i++) {
		struct rate_slot *s = &st->slots[i];

		if (s->sender[0] && !strcmp(s->sender, sender)) {
			if (now - s->window_start >= 3600) {
				s->window_start = now;
				s->count = 0;
			}
			if (s->count >= limit)
				return false;
			s->count++;
			return true;
		}
		if (!s->sender[0] && !free_slot)
			free_slot = s;
		if (!oldest || s->window_start < oldest->window_start)
			oldest = s;
	}
	if (!free_slot)
		free_slot = oldest;
	snprintf(free_slot->sender, sizeof(free_slot->sender), "%s", sender);
	free_slot->window_start = now;
	free_slot->count = 1;
	return true;
}

int gw_reply_limit_seed(void *state, struct db *db, struct db_error *err)
{
	return rate_seed(state, db, err);
}

bool gw_reply_limit_take(void *state, const char *sender, int limit)
{
	char key[DB_PHONE_MAX];

	if (db_phone_normalize(sender, key) < 0)
		snprintf(key, sizeof(key), "%s", sender);
	return rate_take(state, key, limit);
}

static int default_handle(struct gw_context *ctx, void *state, struct db *db,
		const struct gw_message *msg, struct db_error *err)
{
	const struct gw_config *cfg = ctx->config;
	struct db_person person;
	struct db_outbound_new out = {0};
	char ack[512], num[LOG_NUMBER_MAX], key[DB_PHONE_MAX];
	int64_t out_id = 0;
	bool is_new = false, known = false, limited = false;
	const char *final = "handled";
	int r;

	r = gw_handler_screen(ctx, db, msg, false, err);
	if (r != 0)
		return r < 0 ? r : 0;

	r = rate_seed(state, db, err);
	if (r < 0)
		return r;
	if (db_phone_normalize(msg->sender, key) < 0)
		snprintf(key, sizeof(key), "%s", msg->sender);
	r = db_begin(db, err);
	if (r < 0)
		return r;
	r = db_people_lookup(db, msg->sender, &person, err);
	if (r == 0)
		known = true;
	else if (r != -ENOENT && r != -EINVAL)
		goto out_rollback;

	if (known && !rate_take(state, key, cfg->reply_limit_per_hour)) {
		log_warnx("modem=%s msg=%" PRId64 " from=%s reply limit of %d "
			  "per hour reached: no ack",
				msg->modem, msg->id,
				log_redact_number(
						msg->sender, num, sizeof(num)),
				cfg->reply_limit_per_hour);
		known = false;
		limited = true;
	}
	if (known) {
		r = gw_config_render_ack(
				cfg->ack_template, msg->id, ack, sizeof(ack));
		if (r < 0) {
			log_warnx("msg=%" PRId64 " cannot render the ack "
				  "template: %s",
					msg->id, strerror(-r));
			final = "failed";
			known = false;
		}
	}
	if (known) {
		out.recipient = msg->sender;
		out.text = ack;
		out.priority = DB_PRIO_ACK;
		out.kind = "ack";
		out.in_reply_to = msg->id;
		r = db_outbound_enqueue(db, &out, &out_id, &is_new, err);
		if (r < 0)
			goto out_rollback;
	}
	r = db_inbound_set_state(db, msg->id, final,
			strcmp(final, "failed") ? NULL : "ack template", err);
	if (r < 0)
		goto out_rollback;
	r = db_commit(db, err);
	if (r < 0)
		goto out_rollback;
	if (known)
		log_info("modem=%s msg=%" PRId64 " from=%s ack queued as "
			 "out=%" PRId64 "%s",
				msg->modem, msg->id,
				log_redact_number(
						msg->sender, num, sizeof(num)),
				out_id, is_new ? "" : " (already queued)");
	else if (!limited)
		log_info("modem=%s msg=%" PRId64 " from=%s unknown sender: "
			 "no reply",
				msg->modem, msg->id,
				log_redact_number(
						msg->sender, num, sizeof(num)));
	return 0;

out_rollback:
	db_rollback(db, NULL);
	return r;
}

const struct gw_handler_ops gw_default_handler = {
		.name = "default",
		.handle = default_handle,
		.free = default_free,
};
