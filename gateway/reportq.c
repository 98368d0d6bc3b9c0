/*
 * gateway/reportq.c - the bounded FIFO of status reports (reportq.h).
 * Grows by doubling up to the bound, so a short outage costs little
 * memory and a long one at most max entries.
 */
#include <errno.h>
#include <stdlib.h>

#include "gateway/reportq.h"

void gw_reportq_init(struct gw_reportq *q, size_t max)
{
	q->v = NULL;
	q->head = q->n = q->cap = 0;
	q->max = max ? max : 1;
}

/* Reallocates to @cap entries, the oldest first.  0 or -ENOMEM. */
static int grow(struct gw_reportq *q, size_t cap)
{
	struct gw_report *v;
	size_t i;

	/* Freed by gw_reportq_free(). */
	v = malloc(cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < q->n; i++)
		v[i] = q->v[(q->head + i) % q->cap];
	free(q->v);
	q->v = v;
	q->cap = cap;
	q->head = 0;
	return 0;
}

int gw_reportq_push(struct gw_reportq *q, const struct gw_report *r)
{
	int dropped = 0;

	if (q->n == q->cap && q->cap < q->max) {
		size_t cap = q->cap ? q->cap * 2 : 64;

		if (cap > q->max)
			cap = q->max;
		if (grow(q, cap) < 0)
			return -ENOMEM;
	}
	if (q->n == q->cap) {
		gw_reportq_pop(q); /* full at the bound */
		dropped = 1;
	}
	q->v[(q->head + q->n) % q->cap] = *r;
	q->n++;
	return dropped;
}

const struct gw_report *gw_reportq_peek(const struct gw_reportq *q)
{
	return q->n ? &q->v[q->head] : NULL;
}

void gw_reportq_pop(struct gw_reportq *q)
{
	if (!q->n)
		return;
	q->head = (q->head + 1) % q->cap;
	q->n--;
	if (!q->n)
		q->head = 0;
}

void gw_reportq_free(struct gw_reportq *q)
{
	free(q->v);
	gw_reportq_init(q, q->max);
}
