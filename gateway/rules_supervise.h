/*
 * gateway/rules_supervise.h - the supervisor commands' database side
 * (issue 9): what 批 / 驳 / 注 / 团队 / 查 / 我的 need looked up, and
 * applying what rules_decide() decided (report_actions, statuses, leave
 * requests, the SMS to reps and supervisors), inside the message's one
 * transaction.
 */
#ifndef GATEWAY_RULES_SUPERVISE_H
#define GATEWAY_RULES_SUPERVISE_H

#include <stddef.h>
#include <stdint.h>

#include "db/store.h"
#include "db/store_supervise.h"
#include "gateway/handler.h"
#include "gateway/rules_facts.h"
#include "rules/rules.h"

/* What the supervisor facts point into: zero it, then _done(). */
struct gw_sup_lookups {
	struct db_sup_report rep[GW_RULES_MAX_REFS];
	struct db_sup_member *team; /* db_sup_team() */
	struct rules_team_member *team_facts;
	size_t n_team;
	struct db_sup_person person;
};
void gw_sup_lookups_done(struct gw_sup_lookups *sl);

/*
 * Adds to @facts (already filled by gw_rules_look_up() into @lk) what
 * the supervisor commands need.  @sender NULL (unknown number): nothing.
 */
int gw_sup_look_up(struct db *db, const struct rules_parsed *parsed,
		const struct db_person *sender, const char *phone,
		struct gw_lookups *lk, struct gw_sup_lookups *sl,
		struct rules_facts *facts, struct db_error *err);

/*
 * Applies @d: each reference decision (report_actions, the report's
 * status), the notices (one SMS per rep; a request to the sender's
 * supervisor), the leave request of a stored report (@report_id).
 * Logs refusals.  Returns the number of SMS queued, or a database
 * -errno with @err.
 */
int gw_sup_apply(struct db *db, const struct gw_message *msg,
		const struct db_person *sender, const struct rules_decision *d,
		const struct gw_lookups *lk, int64_t report_id,
		struct db_error *err);

#endif /* GATEWAY_RULES_SUPERVISE_H */
