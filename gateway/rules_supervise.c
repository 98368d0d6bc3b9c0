/*
 * gateway/rules_supervise.c - the supervisor commands' lookups and
 * writes (see the header).  Decisions are the engine's (rules/
 * decide_cmd.c); this file only fetches facts and applies data.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/log.h"
#include "gateway/rules_supervise.h"

void gw_sup_lookups_done(struct gw_sup_lookups *sl)
{
	free(sl->team);	      /* from db_sup_team() */
	free(sl->team_facts); /* ours */
	sl->team = NULL;
	sl->team_facts = NULL;
	sl->n_team = 0;
}

static void person_fact(
		const struct db_sup_person *p, struct rules_person_status *o)
{
	o->name = p->name;
	o->phone = p->phone;
	o->checkins_today = p->checkins_today;
	o->last_checkin_outlet = p->outlet;
	o->last_checkin_time = p->checkin_time;
	o->last_checkin_verdict = p->verdict;
	o->reports_today = p->reports_today;
	o->forms_today = p->forms;
	o->latest_ref = p->latest_ref;
	o->latest_form = p->latest_form;
	o->latest_status = p->latest_status;
	o->on_leave = p->on_leave;
	o->pending = p->pending;
}

int gw_sup_look_up(struct db *db, const struct rules_parsed *parsed,
		const struct db_person *sender, const char *phone,
		struct gw_lookups *lk, struct gw_sup_lookups *sl,
		struct rules_facts *facts, struct db_error *err)
{
	const unsigned what = parsed->needs.what;
	bool all;
	size_t i;
	int r;

	if (!sender || parsed->error)
		return 0;
	all = sender->role == DB_ROLE_ADMIN;
	facts->sender_name = sender->name;
	if ((what & RULES_NEED_REPORTS) && facts->reports) {
		for (i = 0; i < lk->n_reports; i++) {
			struct rules_report_ref *rr = &lk->report_refs[i];

			if (lk->reports_status[i] != RULES_FACT_FOUND)
				continue;
			r = db_sup_report(db, lk->reports[i].id, sender->id,
					all, &sl->rep[i], err);
			if (r == -ENOENT) {
				rr->in_chain = RULES_FACT_NOT_FOUND;
				continue;
			}
			if (r < 0)
				return r;
			rr->rep_name = sl->rep[i].rep_name;
			rr->rep_phone = sl->rep[i].rep_phone[0]
							? sl->rep[i].rep_phone
							: NULL;
			rr->in_chain = sl->rep[i].in_chain
						       ? RULES_FACT_FOUND
						       : RULES_FACT_NOT_FOUND;
			rr->is_leave = sl->rep[i].is_leave;
		}
	}
	if (what & RULES_NEED_TEAM) {
		r = db_sup_team(db, sender->id, all, &sl->team, &sl->n_team,
				err);
		if (r < 0)
			return r;
		/* freed by gw_sup_lookups_done() */
		sl->team_facts = calloc(sl->n_team ? sl->n_team : 1,
				sizeof(*sl->team_facts));
		if (!sl->team_facts)
			return -ENOMEM;
		for (i = 0; i < sl->n_team; i++) {
			sl->team_facts[i].name = sl->team[i].name;
			sl->team_facts[i].phone = sl->team[i].phone;
			sl->team_facts[i].checked_in = sl->team[i].checked_in;
			sl->team_facts[i].reported = sl->team[i].reported;
			sl->team_facts[i].on_leave = sl->team[i].on_leave;
		}
		facts->team_status = RULES_FACT_FOUND;
		facts->team = sl->team_facts;
		facts->n_team = sl->n_team;
	}
	if (what & (RULES_NEED_PERSON | RULES_NEED_SELF)) {
		const char *q = (what & RULES_NEED_SELF) ? sender->name
							 : parsed->command_text;
		char num[DB_PHONE_MAX];
		const char *ph = (what & RULES_NEED_SELF) ? phone : NULL;

		if (!ph && db_phone_normalize(q, num) == 0)
			ph = num;
		r = db_sup_person_find(
				db, q, ph, sender->id, all, &sl->person, err);
		if (r == -ENOENT) {
			facts->person_status = RULES_FACT_NOT_FOUND;
			return 0;
		}
		if (r < 0)
			return r;
		facts->person_status = RULES_FACT_FOUND;
		facts->person_in_chain = sl->person.in_chain;
		person_fact(&sl->person, &facts->person);
	}
	return 0;
}

static const char *op_name(enum rules_ref_op op)
{
	return op == RULES_REF_APPROVE	? "approve"
	       : op == RULES_REF_REJECT ? "reject"
					: "note";
}

int gw_sup_apply(struct db *db, const struct gw_message *msg,
		const struct db_person *sender, const struct rules_decision *d,
		const struct gw_lookups *lk, int64_t report_id,
		struct db_error *err)
{
	char num[LOG_NUMBER_MAX];
	size_t i;
	int r, queued = 0;

	if (!sender)
		return 0;
	for (i = 0; i < d->n_ref_decisions; i++) {
		const struct rules_ref_decision *rd = &d->ref_decisions[i];
		struct db_sup_action a = {0};
		bool done = false;

		a.report_id = rd->index < lk->n_reports && lk->reports_status[rd->index] ==
									      RULES_FACT_FOUND
					      ? lk->reports[rd->index].id
					      : 0;
		a.ref = rd->ref;
		a.action = op_name(rd->op);
		a.actor_id = sender->id;
		a.actor_phone = sender->phone;
		a.comment = rd->comment;
		a.refused = rd->refused;
		a.inbound_id = msg->id;
		r = db_sup_act(db, &a, &done, err);
		if (r < 0)
			return r;
		if (rd->refused)
			log_warnx("msg=%" PRId64 " from=%s %s %s refused: %s",
					msg->id,
					log_redact_number(msg->sender, num,
							sizeof(num)),
					a.action, rd->ref, rd->refused);
		else if (!done)
			log_warnx("msg=%" PRId64 " %s %s: decided meanwhile",
					msg->id, a.action, rd->ref);
		else
			log_info("msg=%" PRId64 " %s %s by person %" PRId64,
					msg->id, a.action, rd->ref, sender->id);
	}
	if (d->refused_access && !d->n_ref_decisions)
		log_warnx("msg=%" PRId64 " from=%s lookup outside the chain "
			  "refused",
				msg->id,
				log_redact_number(
						msg->sender, num, sizeof(num)));
	if (d->needs_approval && report_id) {
		r = db_sup_request(db, report_id, sender->id, d->leave_days,
				d->leave_reason, err);
		if (r < 0)
			return r;
	}
	for (i = 0; i < d->n_notices; i++) {
		const struct rules_notice *n = &d->notices[i];
		struct db_outbound_new out = {0};
		int64_t id = 0;
		bool is_new = false;

		out.recipient = n->to_supervisor ? sender->supervisor_phone
						 : n->phone;
		if (!out.recipient || !*out.recipient) {
			log_warnx("msg=%" PRId64 " %s: nobody to tell", msg->id,
					n->to_supervisor ? "no supervisor"
							 : "no phone");
			continue;
		}
		out.text = n->text;
		out.priority = DB_PRIO_ALERT;
		out.kind = n->to_supervisor ? "approval_request" : "decision";
		r = db_outbound_enqueue(db, &out, &id, &is_new, err);
		if (r < 0)
			return r;
		queued++;
	}
	return queued;
}
