/*
 * rules/guard_conf.h - the rule file's protections (settings.guard) and
 * gateway health checks (settings.health), as loaded by rules_load()
 * (rules/load_guard.c).  Pure data: the gateway acts on it.
 *
 * Ownership: both structs live inside the struct rules they come from
 * (every pointer too) and are valid as long as it is.
 */
#ifndef RULES_GUARD_CONF_H
#define RULES_GUARD_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "rules/guard.h"

struct rules;

struct rules_guard {
	struct guard_policy policy; /* loop, dedupe, reply cap */
	struct guard_lists lists;   /* deny / allow patterns */
	/* alert recipients ("role:admin", a number ...) and batch window */
	const char *const *notify;
	size_t n_notify;
	int batch_seconds;
};

struct rules_health {
	int modem_down_s;    /* a modem not READY this long: alert; 0 off */
	int queue_age_s;     /* oldest queued outbound older: alert; 0 off */
	int storage_percent; /* SIM storage used >= this %: alert; 0 off */
	int check_s;	     /* how often the conditions are evaluated */
	/* balance query: USSD code (NULL: off), every interval_s seconds */
	const char *balance_code;
	const char *balance_pattern; /* with {amount}; NULL: "余额" rule */
	int balance_interval_s;
	int64_t balance_below_cents; /* alert when the balance is below */
	const char *const *notify;
	size_t n_notify;
	int batch_seconds;
};

/* The file's settings.guard, with defaults for what it does not say. */
const struct rules_guard *rules_guard(const struct rules *rules);
/* The file's settings.health, with defaults. */
const struct rules_health *rules_health(const struct rules *rules);
/* The defaults alone (no rule file: the default handler). */
void rules_guard_default(struct rules_guard *g);
void rules_health_default(struct rules_health *h);

#endif /* RULES_GUARD_CONF_H */
