/*
 * gateway/rules_checkin.h - check-ins in the rules handler (issue 8):
 * the verdict of a check-in form as facts for rules_decide(), the row
 * stored with the report, the question to the outlet's phone, an
 * outlet's phone recognised as a sender (role "outlet", confirm only)
 * and its confirmation applied.  Everything runs inside the message's
 * one transaction (rules_handler.c).
 */
#ifndef GATEWAY_RULES_CHECKIN_H
#define GATEWAY_RULES_CHECKIN_H

#include <stdbool.h>
#include <stdint.h>

#include "db/store.h"
#include "db/store_checkin.h"
#include "gateway/checkin.h"
#include "rules/rules.h"

/* The role an outlet's phone gets (the rule file must list it). */
#define GW_ROLE_OUTLET "outlet"

/* What the facts point into: zero it, gw_rules_checkin_done() after. */
struct gw_checkin_lookup {
	bool judged;	 /* verdict below is valid (and owned) */
	bool is_checkin; /* ... and the form is a check-in */
	struct gw_checkin_verdict verdict;
	const char *typed_code; /* the outlet code as typed (parsed's) */
	char outlet_code[DB_OUTLET_MAX]; /* outlet sender: its outlet */
	char outlet_name[DB_NAME_MAX];
};
void gw_rules_checkin_done(struct gw_checkin_lookup *ck);

/*
 * For a form with an outlet to look up (NEED_OUTLET) from a known
 * person: judges it (gw_checkin_judge, the rule file's home MCC/MNC) and
 * fills facts->outlet*; for a check-in form (rules_form_is_checkin) also
 * verdict* and outlet_phone (only when the file's confirm window is
 * > 0).  Other messages: nothing.  0 or a database -errno with @err.
 */
int gw_rules_checkin_look_up(const struct rules *rules, struct db *db,
		const struct rules_parsed *parsed, const struct rules_msg *msg,
		struct gw_checkin_lookup *ck, struct rules_facts *facts,
		struct db_error *err);

/*
 * A sender not in the roster: when @phone is an outlet's registered
 * phone, sets s->role = GW_ROLE_OUTLET and s->name to the outlet's name
 * (borrowed from @ck) and returns 1; 0 when it is not; a database
 * -errno with @err.
 */
int gw_rules_outlet_sender(struct db *db, const char *phone,
		struct gw_checkin_lookup *ck, struct rules_sender *s,
		struct db_error *err);

/*
 * RULES_CMD_CONFIRM from @msg's sender (an outlet): db_checkin_confirm()
 * of parsed->refs[0] at the message's time, its result in
 * facts->confirm.  0 or a database
 * -errno with @err.
 */
int gw_rules_checkin_confirm(struct db *db, const struct rules_parsed *parsed,
		const struct rules_msg *msg, int64_t message_id,
		struct rules_facts *facts, struct db_error *err);

/*
 * After a decision on a judged check-in: stores its row (linked to
 * @message_id and the report's reference when the decision stored one)
 * and, when the outlet has a phone and the decision asks it, queues the
 * question to that phone.  *ret_asked (may be NULL): the question was
 * queued.  0 or a database -errno with @err.
 */
int gw_rules_checkin_store(const struct rules *rules, struct db *db,
		const struct gw_checkin_lookup *ck,
		const struct rules_decision *d, const struct rules_msg *msg,
		int64_t message_id, int64_t scts, bool *ret_asked,
		struct db_error *err);

#endif /* GATEWAY_RULES_CHECKIN_H */
