/*
 * gateway/rules_facts.h - the database lookups a parse asks for
 * (struct rules_needs -> struct rules_facts), shared by the daemon's
 * rules handler and `fieldgatectl rules test`.  Reads only, except the
 * reference number, which is drawn from report_ref_seq only when
 * @allocate_ref (the daemon; the test shows an example reference).
 */
#ifndef GATEWAY_RULES_FACTS_H
#define GATEWAY_RULES_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/store.h"
#include "db/store_reports.h"
#include "gateway/rules_checkin.h"
#include "gateway/rules_time.h"
#include "rules/rules.h"

#define GW_RULES_MAX_REFS 16
#define GW_RULES_MAX_HISTORY 16

/* What the facts point into: zero it, free it after the decision. */
struct gw_lookups {
	char ref[DB_SHORT_MAX];
	struct db_report prior, last;
	struct db_report reports[GW_RULES_MAX_REFS];
	enum rules_fact reports_status[GW_RULES_MAX_REFS];
	struct rules_report_ref report_refs[GW_RULES_MAX_REFS];
	size_t n_reports;
	struct rules_history_fact history[GW_RULES_MAX_HISTORY];
	int64_t prior_id, last_id;	  /* 0 when not found */
	struct gw_checkin_lookup checkin; /* outlets, cells, verdicts */
};

/*
 * Reference numbers drawn from the database a few at a time (the
 * daemon's; zero-initialised = empty).
 */
#define GW_REF_POOL 16
struct gw_ref_pool {
	int64_t v[GW_REF_POOL];
	size_t n, next;
};

/*
 * Fills @facts for @parsed (@db may be NULL: everything stays
 * RULES_FACT_UNCHECKED).  The reference comes from @pool (refilled from
 * report_ref_seq when empty), or is an example when @pool is NULL
 * (`rules test` uses none up).  0, -ENOSPC when the reference does not
 * fit, or a database -errno with @err.
 */
int gw_rules_look_up(const struct rules *rules, struct db *db,
		const struct rules_parsed *parsed, const struct rules_msg *msg,
		struct gw_ref_pool *pool, struct gw_lookups *lk,
		struct rules_facts *facts, struct db_error *err);
void gw_rules_lookups_done(struct gw_lookups *lk);

/* The engine's view of a roster entry (@p NULL: not in the roster). */
void gw_rules_sender(const struct db_person *p, const char *phone,
		struct rules_sender *s);

#endif /* GATEWAY_RULES_FACTS_H */
