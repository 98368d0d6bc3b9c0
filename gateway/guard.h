/*
 * gateway/guard.h - protections (issue 9) applied by the rules handler
 * (rules/guard.h decides; this file gathers the state from the database
 * and tells admins through the alert batching, gateway/alerts.c).
 *
 * - gw_guard_check(): before a message is parsed: who may get a reply
 *   (sender class, settings.guard deny/allow), then the sender's recent
 *   messages from inbound_messages (so restarts and several daemons
 *   agree): a loop or an identical resend.
 * - gw_guard_reply_ok(): before a reply is queued: the per-sender daily
 *   reply cap, counted from outbound_messages since local midnight.
 */
#ifndef GATEWAY_GUARD_H
#define GATEWAY_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "gateway/handler.h"
#include "rules/guard.h"
#include "rules/guard_conf.h"

struct gw_context;

struct gw_guard_result {
	enum guard_sender cls;	   /* the sender's class */
	enum guard_verdict repeat; /* GUARD_REPLY when not a repeat */
	int64_t duplicate_of;	   /* the earlier message, for DUPLICATE */
};

/*
 * Classifies @msg's sender and, for one that may get replies, checks its
 * recent messages.  For a loop just detected (SUPPRESS_TELL_ADMINS) the
 * telling is recorded and the admins' alert raised here, in one
 * transaction of its own.  0, or -errno with @err filled (the message
 * then stays 'stored' and is retried).
 */
int gw_guard_check(struct gw_context *ctx, struct db *db,
		const struct rules_guard *g, const struct gw_message *msg,
		struct gw_guard_result *res, struct db_error *err);

/*
 * Finishes @msg when @res says so: 'ignored' (a sender class that gets no
 * reply, or a loop) or 'duplicate' (an identical resend), logged.
 * Returns 1 when finished, 0 when the message goes on normally, or
 * -errno.
 */
int gw_guard_apply(struct db *db, const struct gw_message *msg,
		const struct gw_guard_result *res, struct db_error *err);

/*
 * Inside the caller's transaction: may @phone get one more automatic
 * reply today (settings.guard.max_replies_day)?  At the first refusal
 * of the day the admins' alert is raised (de-duplicated per sender and
 * day).  0 and *ret_ok, or -errno.
 */
int gw_guard_reply_ok(struct gw_context *ctx, struct db *db,
		const struct rules_guard *g, const char *phone, bool *ret_ok,
		bool *ret_told, struct db_error *err);

/*
 * Inside the caller's transaction: one alert item @text to @notify's
 * recipients, de-duplicated by @dedupe (across daemons), batched after
 * @batch_seconds.  Returns how many rows were new, or -errno.
 */
int gw_guard_alert(struct gw_context *ctx, struct db *db,
		const char *const *notify, size_t n_notify, int batch_seconds,
		const char *id, const char *dedupe, const char *text,
		struct db_error *err);

#endif /* GATEWAY_GUARD_H */
