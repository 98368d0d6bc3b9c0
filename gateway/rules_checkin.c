/*
 * gateway/rules_checkin.c - check-ins in the rules handler (see the
 * header): verdict facts, the stored row, the outlet's question and its
 * confirmation.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gateway/rules_checkin.h"

void gw_rules_checkin_done(struct gw_checkin_lookup *ck)
{
	if (ck && ck->judged) {
		gw_checkin_verdict_free(&ck->verdict);
		ck->judged = false;
	}
}

int gw_rules_checkin_look_up(const struct rules *rules, struct db *db,
		const struct rules_parsed *parsed, const struct rules_msg *msg,
		struct gw_checkin_lookup *ck, struct rules_facts *facts,
		struct db_error *err)
{
	const struct rules_needs *nd = &parsed->needs;
	const struct db_checkin_facts *f;
	const struct geo_result *g;
	int r;

	if (!db || parsed->error != RULES_E_NONE || !parsed->form_id ||
			!(nd->what & RULES_NEED_OUTLET) || !nd->outlet_code ||
			!msg->sender.person_id)
		return 0;
	r = gw_checkin_judge(db, msg->sender.person_id, nd->outlet_code,
			(nd->what & RULES_NEED_CELL) ? &nd->cell : NULL,
			rules_home_mcc(rules), rules_home_mnc(rules), NULL,
			&ck->verdict, err);
	if (r < 0)
		return r;
	ck->judged = true;
	ck->typed_code = nd->outlet_code;
	f = &ck->verdict.facts;
	g = &ck->verdict.result;
	facts->outlet_status = f->outlet_found ? RULES_FACT_FOUND
					       : RULES_FACT_NOT_FOUND;
	if (f->outlet_found) {
		facts->outlet.code = f->outlet_code;
		facts->outlet.name = f->outlet_name;
		facts->outlet.territory = f->outlet_territory;
	}
	/* any form with an outlet gets its name; only check-ins a verdict */
	ck->is_checkin = rules_form_is_checkin(rules, parsed->form_id);
	if (!ck->is_checkin)
		return 0;
	facts->verdict_status = RULES_FACT_FOUND;
	facts->verdict = geo_verdict_name(g->verdict);
	facts->evidence = geo_evidence_name(g->evidence);
	facts->distance_m = g->distance_m;
	if (f->outlet_found && f->outlet_phone[0] &&
			rules_confirm_window(rules) > 0)
		facts->outlet_phone = f->outlet_phone;
	return 0;
}

int gw_rules_outlet_sender(struct db *db, const char *phone,
		struct gw_checkin_lookup *ck, struct rules_sender *s,
		struct db_error *err)
{
	int r;

	if (!db || !phone)
		return 0;
	r = db_outlet_by_phone(
			db, phone, ck->outlet_code, ck->outlet_name, err);
	if (r == -ENOENT || r == -EINVAL)
		return 0;
	if (r < 0)
		return r;
	s->role = GW_ROLE_OUTLET;
	s->name = ck->outlet_name;
	return 1;
}

int gw_rules_checkin_confirm(struct db *db, const struct rules_parsed *parsed,
		const struct rules_msg *msg, int64_t message_id,
		struct rules_facts *facts, struct db_error *err)
{
	int64_t at = msg->sent.unix ? msg->sent.unix : msg->received.unix;
	int r;

	if (!db || parsed->kind != RULES_KIND_COMMAND ||
			parsed->command != RULES_CMD_CONFIRM ||
			parsed->error != RULES_E_NONE || !parsed->n_refs)
		return 0;
	r = db_checkin_confirm(db, parsed->refs[0], msg->sender.phone, at,
			message_id, NULL, err);
	switch (r) {
	case 0:
	case -EALREADY:
		facts->confirm = RULES_CONFIRM_OK;
		return 0;
	case -ENOENT:
	case -EINVAL:
		facts->confirm = RULES_CONFIRM_NO_CHECKIN;
		return 0;
	case -EPERM:
		facts->confirm = RULES_CONFIRM_REFUSED;
		return 0;
	case -ETIME:
		facts->confirm = RULES_CONFIRM_EXPIRED;
		return 0;
	default:
		return r;
	}
}

int gw_rules_checkin_store(const struct rules *rules, struct db *db,
		const struct gw_checkin_lookup *ck,
		const struct rules_decision *d, const struct rules_msg *msg,
		int64_t message_id, int64_t scts, bool *ret_asked,
		struct db_error *err)
{
	const struct db_checkin_facts *f = &ck->verdict.facts;
	struct db_checkin row;
	bool stored = d->action == RULES_ACT_STORE ||
		      d->action == RULES_ACT_REPLACE;
	bool is_new = false;
	int r;

	if (ret_asked)
		*ret_asked = false;
	if (!ck->judged || !ck->is_checkin)
		return 0;
	gw_checkin_fill(&ck->verdict, msg->sender.person_id,
			f->outlet_found ? f->outlet_code : ck->typed_code,
			message_id, stored ? d->report.ref : NULL, scts,
			msg->received.unix,
			stored && d->outlet_ask ? rules_confirm_window(rules)
						: 0,
			&row);
	r = db_checkin_insert(db, &row, NULL, &is_new, err);
	if (r < 0)
		return r;
	if (is_new && row.confirm_by && d->outlet_ask) {
		struct db_outbound_new out = {0};
		int64_t id = 0;
		bool fresh = false;

		out.recipient = f->outlet_phone;
		out.text = d->outlet_ask;
		out.priority = DB_PRIO_ACK;
		out.kind = "confirm_ask";
		out.in_reply_to = message_id;
		r = db_outbound_enqueue(db, &out, &id, &fresh, err);
		if (r < 0)
			return r;
		if (ret_asked)
			*ret_asked = true;
	}
	return 0;
}
