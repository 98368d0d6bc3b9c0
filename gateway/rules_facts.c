/*
 * gateway/rules_facts.c - what the engine asked to look up, looked up
 * (see the header).
 */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "gateway/rules_facts.h"

void gw_rules_lookups_done(struct gw_lookups *lk)
{
	size_t i;

	db_report_done(&lk->prior);
	db_report_done(&lk->last);
	for (i = 0; i < lk->n_reports; i++)
		db_report_done(&lk->reports[i]);
	gw_rules_checkin_done(&lk->checkin);
}

static void report_ref_of(const struct db_report *r, struct rules_report_ref *o)
{
	o->ref = r->ref;
	o->form_id = r->form_id;
	o->period = r->period;
	o->status = r->status;
	o->received = r->received_at;
	o->person_id = r->person_id;
}

/* Found / not found from a lookup's result; other errors are returned. */
static int fact_of(int r, enum rules_fact *ret)
{
	if (r == 0)
		*ret = RULES_FACT_FOUND;
	else if (r == -ENOENT)
		*ret = RULES_FACT_NOT_FOUND;
	else
		return r;
	return 0;
}

int gw_rules_look_up(const struct rules *rules, struct db *db,
		const struct rules_parsed *parsed, const struct rules_msg *msg,
		struct gw_ref_pool *pool, struct gw_lookups *lk,
		struct rules_facts *facts, struct db_error *err)
{
	const struct rules_needs *nd = &parsed->needs;
	int64_t person = msg->sender.person_id;
	int64_t when = msg->sent.unix ? msg->sent.unix : msg->received.unix;
	size_t i, first_history = 0;
	int r;

	if (nd->what & RULES_NEED_REF) {
		int64_t n = 1001; /* an example for `rules test` */

		if (db && pool) {
			if (pool->next >= pool->n) {
				r = db_report_next_refs(
						db, GW_REF_POOL, pool->v, err);
				if (r < 0)
					return r;
				pool->n = (size_t) r;
				pool->next = 0;
				if (!r)
					return -EIO;
			}
			n = pool->v[pool->next++];
		}
		if (rules_ref_format(rules, n, lk->ref, sizeof(lk->ref)) < 0)
			return -ENOSPC;
		facts->ref = lk->ref;
	}
	if (!db)
		return 0; /* the rest: not checked */
	/* the common case, prior report and one history, in one trip */
	if ((nd->what & RULES_NEED_PRIOR) && parsed->form_id && person &&
			(nd->what & RULES_NEED_HISTORY) && nd->n_history) {
		const struct rules_history_need *h = &nd->history[0];
		bool found = false;

		r = db_report_prior_history(db, person, parsed->form_id,
				parsed->period ? parsed->period : "",
				h->form_id, h->field, h->window_days, when,
				&lk->prior, &found, &lk->history[0].average,
				&lk->history[0].count, err);
		if (r < 0)
			return r;
		facts->prior_status =
				found ? RULES_FACT_FOUND : RULES_FACT_NOT_FOUND;
		if (found) {
			report_ref_of(&lk->prior, &facts->prior);
			lk->prior_id = lk->prior.id;
		}
		first_history = 1;
	} else if ((nd->what & RULES_NEED_PRIOR) && parsed->form_id) {
		r = person ? db_report_prior(db, person, parsed->form_id,
					     parsed->period ? parsed->period
							    : "",
					     &lk->prior, err)
			   : -ENOENT;
		if ((r = fact_of(r, &facts->prior_status)) < 0)
			return r;
		if (facts->prior_status == RULES_FACT_FOUND) {
			report_ref_of(&lk->prior, &facts->prior);
			lk->prior_id = lk->prior.id;
		}
	}
	if (nd->what & RULES_NEED_LAST) {
		r = person ? db_report_last(db, person, &lk->last, err)
			   : -ENOENT;
		if ((r = fact_of(r, &facts->last_status)) < 0)
			return r;
		if (facts->last_status == RULES_FACT_FOUND) {
			report_ref_of(&lk->last, &facts->last);
			lk->last_id = lk->last.id;
		}
	}
	if ((nd->what & RULES_NEED_HISTORY) && nd->n_history) {
		size_t n = nd->n_history < GW_RULES_MAX_HISTORY
					   ? nd->n_history
					   : GW_RULES_MAX_HISTORY;

		for (i = first_history; i < n; i++) {
			const struct rules_history_need *h = &nd->history[i];

			if (!person)
				continue; /* no history: count 0 */
			r = db_report_history(db, person, h->form_id, h->field,
					h->window_days, when,
					&lk->history[i].average,
					&lk->history[i].count, err);
			if (r < 0)
				return r;
		}
		facts->history = lk->history;
		facts->n_history = n;
	}
	if ((nd->what & RULES_NEED_REPORTS) && parsed->n_refs) {
		size_t n = parsed->n_refs < GW_RULES_MAX_REFS
					   ? parsed->n_refs
					   : GW_RULES_MAX_REFS;

		for (i = 0; i < n; i++) {
			r = db_report_by_ref(db, parsed->refs[i],
					&lk->reports[i], err);
			lk->n_reports = i + 1;
			if ((r = fact_of(r, &lk->reports_status[i])) < 0)
				return r;
			if (lk->reports_status[i] == RULES_FACT_FOUND)
				report_ref_of(&lk->reports[i],
						&lk->report_refs[i]);
		}
		facts->reports_status = lk->reports_status;
		facts->reports = lk->report_refs;
	}
	/* outlets, cells and the verdict (gateway/rules_checkin.c) */
	return gw_rules_checkin_look_up(
			rules, db, parsed, msg, &lk->checkin, facts, err);
}

void gw_rules_sender(const struct db_person *p, const char *phone,
		struct rules_sender *s)
{
	s->phone = phone;
	if (!p)
		return;
	s->role = db_role_name(p->role);
	s->name = p->name;
	s->territory = p->territory[0] ? p->territory : NULL;
	s->person_id = p->id;
}
