/*
 * gateway/reportq.h - a bounded FIFO of status reports (TS 23.040
 * §9.2.2.3) that could not be matched yet because the database was down.
 * When full, a push drops the oldest: the newest are the likeliest to
 * still have a part waiting for them.  Internal to the daemon.
 *
 * Ownership: the caller owns the struct gw_reportq (e.g. inside its own
 * state); its storage is allocated here and freed by gw_reportq_free().
 */
#ifndef GATEWAY_REPORTQ_H
#define GATEWAY_REPORTQ_H

#include <stddef.h>

#include "db/store.h"	   /* DB_SHORT_MAX */
#include "modem/sms_pdu.h" /* SMS_ADDR_MAX */

/* What db_outbound_match_report() needs of a report. */
struct gw_report {
	char modem[DB_SHORT_MAX];
	char number[SMS_ADDR_MAX]; /* TP-RA */
	int mr;			   /* TP-MR */
	int st;			   /* TP-ST */
};

struct gw_reportq {
	struct gw_report *v; /* a ring of cap entries */
	size_t head, n, cap;
	size_t max; /* the bound */
};

/* An empty queue of at most @max (>= 1) reports; allocates nothing. */
void gw_reportq_init(struct gw_reportq *q, size_t max);

/*
 * Appends a copy of @r.  Returns 0, 1 when the oldest report was dropped
 * to make room, or -ENOMEM (nothing changed).
 */
int gw_reportq_push(struct gw_reportq *q, const struct gw_report *r);

/* The oldest report (borrowed until the next push/pop), NULL if empty. */
const struct gw_report *gw_reportq_peek(const struct gw_reportq *q);

/* Removes the oldest report; no-op when empty. */
void gw_reportq_pop(struct gw_reportq *q);

/* Frees the storage; the queue is empty (same bound) afterwards. */
void gw_reportq_free(struct gw_reportq *q);

#endif /* GATEWAY_REPORTQ_H */
