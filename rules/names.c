/*
 * rules/names.c - names of the enums of rules/rules.h, accessors of a
 * loaded set, reference codes and the refused-file text.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

static const char *const type_names[] = {"int", "decimal", "enum", "text",
		"date", "time", "phone", "bool", "outlet", "cell"};

const char *rules_type_name(enum rules_type type)
{
	return (unsigned) type < sizeof(type_names) / sizeof(type_names[0])
			       ? type_names[type]
			       : "?";
}

static const char *const command_names[] = {"none", "help", "undo", "approve",
		"reject", "note", "team", "lookup", "my", "confirm"};

const char *rules_command_name(enum rules_command cmd)
{
	return (unsigned) cmd < sizeof(command_names) / sizeof(command_names[0])
			       ? command_names[cmd]
			       : "?";
}

static const char *const error_names[] = {"none", "unknown_sender",
		"unknown_code", "not_allowed", "missing", "type_int",
		"type_decimal", "type_date", "type_time", "type_phone",
		"type_bool", "type_cell", "type_outlet", "enum", "range",
		"too_long", "extra", "duplicate", "needs_text", "needs_ref",
		"unknown_outlet", "resubmit", "nothing_to_undo", "undo_expired",
		"not_available", "no_such_ref", "not_in_chain",
		"already_decided", "no_such_person"};

const char *rules_error_name(enum rules_error e)
{
	return (unsigned) e < sizeof(error_names) / sizeof(error_names[0])
			       ? error_names[e]
			       : "?";
}

int r_error_by_name(const char *name)
{
	size_t i;

	for (i = 1; i < sizeof(error_names) / sizeof(error_names[0]); i++)
		if (!strcmp(name, error_names[i]))
			return (int) i;
	return -1;
}

static const char *const outcome_names[] = {"ok", "error", "help", "ignored"};

const char *rules_outcome_name(enum rules_outcome o)
{
	return (unsigned) o < 4 ? outcome_names[o] : "?";
}

int r_role_index(const struct rules *r, const char *role)
{
	size_t i;

	if (!role)
		return -1;
	for (i = 0; i < r->n_roles; i++)
		if (!strcmp(r->roles[i], role))
			return (int) i;
	return -1;
}

bool r_role_may(const struct rules *r, unsigned roles, const char *role)
{
	int i = r_role_index(r, role);

	return i >= 0 && (roles & (1u << i));
}

const char *rules_hash(const struct rules *rules)
{
	return rules->hash;
}

const char *rules_version(const struct rules *rules)
{
	return rules->version ? rules->version : "";
}

const char *rules_timezone(const struct rules *rules)
{
	return rules->timezone ? rules->timezone : "";
}

const char *rules_path(const struct rules *rules)
{
	return rules->path;
}

const char *rules_ref_prefix(const struct rules *rules)
{
	return rules->ref_prefix;
}

int rules_ref_digits(const struct rules *rules)
{
	return rules->ref_digits;
}

int rules_ref_format(
		const struct rules *rules, int64_t n, char *buf, size_t size)
{
	int64_t mod = 1;
	int i, len;

	/* wraps within the digits: R9999 is followed by R0000 */
	for (i = 0; i < rules->ref_digits; i++)
		mod *= 10;
	if (n < 0)
		n = -n;
	len = snprintf(buf, size, "%s%0*lld", rules->ref_prefix,
			rules->ref_digits, (long long) (n % mod));
	if (len < 0 || (size_t) len >= size)
		return -ENOSPC;
	return len;
}

int rules_refused_text(const struct rules *rules, const struct diag_list *d,
		char *buf, size_t size)
{
	char errs[512];
	struct r_render rc = {.rules = rules};
	size_t i, n = 0, len;

	errs[0] = '\0';
	for (i = 0; d && i < d->n && n < sizeof(errs) - 1; i++) {
		const struct diag *x = &d->v[i];
		const char *base;

		if (x->level != DIAG_ERROR)
			continue;
		base = x->file ? strrchr(x->file, '/') : NULL;
		base = base ? base + 1 : x->file ? x->file : "";
		n += (size_t) snprintf(errs + n, sizeof(errs) - n, "%s%s:%d %s",
				n ? "; " : "", base, x->line, x->text);
	}
	if (n >= sizeof(errs))
		n = sizeof(errs) - 1;
	rc.errors = errs;
	if (!size)
		return -ENOSPC;
	len = r_render(&rc, &rules->t_refused, buf, 0, size);
	return (int) len;
}

void rules_free(struct rules *rules)
{
	struct r_arena a;

	if (!rules)
		return;
	a = rules->arena;
	r_arena_free(&a);
	free(rules);
}

int rules_value_text(const struct rules *rules, const struct rules_value *v,
		char *buf, size_t size)
{
	const struct r_field *f = NULL;
	size_t i, k;

	if (!size)
		return 0;
	buf[0] = '\0';
	if (!v || !v->present)
		return 0;
	/* the parser hands out the field's own name: find it by pointer */
	for (i = 0; !f && i < rules->n_forms; i++)
		for (k = 0; k < rules->forms[i].n_fields; k++)
			if (rules->forms[i].fields[k].name == v->name) {
				f = &rules->forms[i].fields[k];
				break;
			}
	return (int) r_fmt_value(rules, v, f, buf, size);
}
