/*
 * rules/checkin.c - what the engine knows of check-ins (issue 8): the
 * accessors of rules/rules.h the gateway needs to judge one, and the
 * pseudo-field "verdict" of alert conditions.
 */
#include <config.h>

#include <string.h>

#include "rules/rules_int.h"

int rules_home_mcc(const struct rules *rules)
{
	return rules->home_mcc;
}

int rules_home_mnc(const struct rules *rules)
{
	return rules->home_mnc;
}

int rules_confirm_window(const struct rules *rules)
{
	const struct r_command *c = &rules->commands[RULES_CMD_CONFIRM];

	return c->defined ? c->window_s : 0;
}

bool rules_form_is_checkin(const struct rules *rules, const char *form_id)
{
	size_t i, k;
	bool outlet, cell;

	for (i = 0; form_id && i < rules->n_forms; i++) {
		const struct r_form *f = &rules->forms[i];

		if (strcmp(f->id, form_id))
			continue;
		outlet = cell = false;
		for (k = 0; k < f->n_fields; k++) {
			outlet |= f->fields[k].type == RULES_OUTLET;
			cell |= f->fields[k].type == RULES_CELL;
		}
		return outlet && cell;
	}
	return false;
}
