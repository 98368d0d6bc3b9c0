/*
 * gateway/handler.h - what happens to a received message once it is
 * safely stored (and, for concatenated SMS, assembled).
 *
 * The inbound pipeline (inbound.c) calls handler->handle() for every new
 * message in state 'stored'.  The handler decides what to answer and must
 * move the message out of 'stored' ("handled", "failed" or "ignored") in
 * the SAME transaction as any reply it queues, so that a crash can give
 * neither two replies nor none (db_outbound_enqueue()'s (in_reply_to,
 * kind) key absorbs a re-run).  After a crash, messages still 'stored' are
 * handed to it again.
 *
 * The default handler (handler.c) acknowledges known senders with the
 * configured template; the rules issue replaces it with report parsing by
 * pointing gw_context.handler at its own ops.
 */
#ifndef GATEWAY_HANDLER_H
#define GATEWAY_HANDLER_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct gw_context;

/* A stored message, as the handler sees it.  All borrowed for the call. */
struct gw_message {
	int64_t id; /* inbound_messages.id */
	const char *modem;
	const char *sender;	  /* "" when the PDU did not decode */
	int sender_ton;		  /* TS 23.040 §9.1.2.5 TON, -1 unknown */
	const char *text;	  /* UTF-8, NULL when not decoded */
	const char *decode_error; /* NULL when decoded */
	bool partial;		  /* assembled after a timeout, parts missing */
	int64_t scts;		  /* Unix seconds, 0 unknown */
};

struct gw_handler_ops {
	const char *name;
	/*
	 * Handles @msg with the open connection @db (no transaction open).
	 * Returns 0, or a negative errno with @err filled when the database
	 * failed (the message then stays 'stored' and is offered again).
	 */
	int (*handle)(struct gw_context *ctx, void *state, struct db *db,
			const struct gw_message *msg, struct db_error *err);
	/* Frees @state (may be NULL). */
	void (*free)(void *state);
};

/* The default handler: acknowledgements for known senders. */
extern const struct gw_handler_ops gw_default_handler;
/*
 * Its state (the per-sender reply counters).  NULL when out of memory;
 * freed with gw_default_handler.free().
 */
void *gw_default_handler_new(void);

/*
 * The reply limit (handler.reply_limit_per_hour) on a state made by
 * gw_default_handler_new(), for other handlers to share: seed reads the
 * last hour's replies from the database once (0 or -errno); take counts
 * a reply to @sender and returns false when the limit is reached.
 */
int gw_reply_limit_seed(void *state, struct db *db, struct db_error *err);
bool gw_reply_limit_take(void *state, const char *sender, int limit);

/*
 * True when @sender must never get an automatic reply: alphanumeric
 * (TON 5), empty, containing anything but an optional '+' and digits, or
 * a short code of at most @short_max digits (operator notices, 10086).
 */
bool gw_handler_no_reply(const char *sender, int ton, int short_max);

/*
 * The checks every handler makes first: an undecodable message (or, with
 * @need_text, one without text) is marked 'failed', one from a sender
 * that must never get a reply (gw_handler_no_reply()) 'ignored', each
 * logged.  Returns 1 when @msg was settled so, 0 when the handler goes
 * on, or a negative errno with @err filled when the database failed.
 */
int gw_handler_screen(struct gw_context *ctx, struct db *db,
		const struct gw_message *msg, bool need_text,
		struct db_error *err);

#endif /* GATEWAY_HANDLER_H */
