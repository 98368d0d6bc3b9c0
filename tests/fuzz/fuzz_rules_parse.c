/*
 * tests/fuzz/fuzz_rules_parse.c - rules_parse() and rules_decide() on
 * arbitrary bytes as a message, against the shipped rule file (loaded
 * once), from each role and with facts found / not found: never a
 * crash, every reply valid UTF-8 and one SMS at most... unless the
 * sender typed a long text that is not echoed (replies are bounded by
 * the load-time check, so more than one segment is a bug).
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "rules/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rules *rules;

static void load(void)
{
	struct diag_list d = {0};

	if (rules_load(RULES_FILE, &rules, &d) < 0) {
		fprintf(stderr, "cannot load %s\n", RULES_FILE);
		abort();
	}
	diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const roles[] = {"rep", "supervisor", NULL};
	struct rules_history_fact h = {.average = 10, .count = 9};
	struct rules_facts facts = {.ref = "R0042",
			.prior_status = RULES_FACT_FOUND,
			.last_status = RULES_FACT_FOUND,
			.outlet_status = RULES_FACT_NOT_FOUND,
			.history = &h,
			.n_history = 1};
	size_t i;

	if (!rules)
		load();
	for (i = 0; i < 3; i++) {
		struct rules_msg msg = {0};
		struct rules_parsed *p = NULL;
		struct rules_decision *d = NULL;

		msg.text = (const char *) data;
		msg.len = size;
		msg.sender.role = roles[i];
		msg.sender.phone = "13800000001";
		msg.sent.year = 2026;
		msg.sent.month = 6;
		msg.sent.day = 1;
		msg.sent.hour = 21;
		msg.sent.unix = 1780000000;
		msg.received = msg.sent;
		if (rules_parse(rules, &msg, &p) < 0)
			continue;
		if (!p->normalized || !rt_utf8_valid(p->normalized,
						      strlen(p->normalized)))
			__builtin_trap();
		if (rules_decide(rules, p, &msg, i == 1 ? NULL : &facts, &d) ==
				0) {
			if (d->reply && (!rt_utf8_valid(d->reply,
							 strlen(d->reply)) ||
							d->reply_segments != 1))
				__builtin_trap();
			rules_decision_free(d);
		}
		rules_parsed_free(p);
	}
	return 0;
}
