/*
 * rules/load_guard.c - settings.guard (protections) and settings.health
 * (gateway health checks) of a rule file; see rules/guard_conf.h.
 * Every mistake is one file:line diagnostic through the loader's walker.
 */
#include <config.h>

#include <string.h>

#include "rules/guard_conf.h"
#include "rules/load.h"

static const char *const default_notify[] = {"role:admin"};

void rules_guard_default(struct rules_guard *g)
{
	memset(g, 0, sizeof(*g));
	guard_policy_default(&g->policy);
	g->notify = default_notify;
	g->n_notify = 1;
	g->batch_seconds = 60;
}

void rules_health_default(struct rules_health *h)
{
	memset(h, 0, sizeof(*h));
	h->modem_down_s = 600;
	h->queue_age_s = 1800;
	h->storage_percent = 90;
	h->check_s = 60;
	h->balance_interval_s = 86400;
	h->balance_below_cents = 1000;
	h->notify = default_notify;
	h->n_notify = 1;
	h->batch_seconds = 60;
}

const struct rules_guard *rules_guard(const struct rules *rules)
{
	return &rules->guard;
}

const struct rules_health *rules_health(const struct rules *rules)
{
	return &rules->health;
}

/* "10086", "+86106*", "95*": digits, an optional '+', an optional '*'. */
static const char *check_pattern(const char *v)
{
	size_t n = strlen(v), d;

	if (n && v[n - 1] == '*')
		n--;
	d = strspn(v[0] == '+' ? v + 1 : v, "0123456789");
	if (!n || d == 0 || d + (v[0] == '+') != n)
		return "must be a number or a prefix ending in '*' (\"106*\")";
	return NULL;
}

static const char *check_notify(const char *v)
{
	if (!strcmp(v, "supervisor") || !strncmp(v, "supervisor:", 11) ||
			!strncmp(v, "role:", 5) ||
			(strspn(v, "+0123456789") == strlen(v) &&
					strlen(v) >= 3))
		return NULL;
	return "must be \"role:NAME\" or a phone number";
}

static const char *check_code(const char *v)
{
	size_t n = strlen(v);

	if (!n || n > 40 || strspn(v, "0123456789*#+") != n)
		return "must be a USSD code of digits, '*' and '#' (\"*100#\")";
	return NULL;
}

static const char *check_amount_pattern(const char *v)
{
	if (!strstr(v, "{amount}"))
		return "must contain {amount} where the balance stands "
		       "(\"余额为{amount}元\")";
	return NULL;
}

struct gspec {
	struct cw_strv deny, allow, notify;
	int max_identical, max_any, max_replies_day;
	config_setting_t *loop_window, *dedupe_window, *retell_after, *batch;
};
#define GO(f) offsetof(struct gspec, f)

static const struct cw_field guard_fields[] = {
		{"deny", CW_STRINGS, GO(deny), false, 0, 0, NULL, check_pattern,
				NULL, NULL, NULL},
		{"allow", CW_STRINGS, GO(allow), false, 0, 0, NULL,
				check_pattern, NULL, NULL, NULL},
		{"notify", CW_STRINGS, GO(notify), false, 0, 0, NULL,
				check_notify, NULL, NULL, NULL},
		{"max_identical", CW_INT, GO(max_identical), false, 1, 1000,
				NULL, NULL, NULL, NULL, NULL},
		{"max_any", CW_INT, GO(max_any), false, 0, 10000, NULL, NULL,
				NULL, NULL, NULL},
		{"max_replies_day", CW_INT, GO(max_replies_day), false, 0,
				100000, NULL, NULL, NULL, NULL, NULL},
		{"loop_window", CW_CUSTOM, GO(loop_window), false, 0, 0, NULL,
				NULL, NULL, NULL, cw_keep},
		{"dedupe_window", CW_CUSTOM, GO(dedupe_window), false, 0, 0,
				NULL, NULL, NULL, NULL, cw_keep},
		{"retell_after", CW_CUSTOM, GO(retell_after), false, 0, 0, NULL,
				NULL, NULL, NULL, cw_keep},
		{"batch", CW_CUSTOM, GO(batch), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

struct hspec {
	struct cw_strv notify;
	int storage_percent;
	double balance_below;
	char *balance_code, *balance_pattern;
	config_setting_t *modem_down, *queue_age, *check, *balance_interval,
			*batch;
};
#define HO(f) offsetof(struct hspec, f)

static const struct cw_field health_fields[] = {
		{"notify", CW_STRINGS, HO(notify), false, 0, 0, NULL,
				check_notify, NULL, NULL, NULL},
		{"modem_down", CW_CUSTOM, HO(modem_down), false, 0, 0, NULL,
				NULL, NULL, NULL, cw_keep},
		{"queue_age", CW_CUSTOM, HO(queue_age), false, 0, 0, NULL, NULL,
				NULL, NULL, cw_keep},
		{"storage_percent", CW_INT, HO(storage_percent), false, 0, 100,
				NULL, NULL, NULL, NULL, NULL},
		{"check", CW_CUSTOM, HO(check), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{"balance_code", CW_STRING, HO(balance_code), false, 0, 0, NULL,
				check_code, NULL, NULL, NULL},
		{"balance_pattern", CW_STRING, HO(balance_pattern), false, 0, 0,
				NULL, check_amount_pattern, NULL, NULL, NULL},
		{"balance_interval", CW_CUSTOM, HO(balance_interval), false, 0,
				0, NULL, NULL, NULL, NULL, cw_keep},
		{"balance_below", CW_NUMBER, HO(balance_below), false, 0,
				100000000, NULL, NULL, NULL, NULL, NULL},
		{"batch", CW_CUSTOM, HO(batch), false, 0, 0, NULL, NULL, NULL,
				NULL, cw_keep},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

/* A duration setting into *dst (seconds) when present and valid. */
static void dur(struct lctx *l, config_setting_t *s, const char *what, long min,
		int *dst)
{
	long v;

	if (!s)
		return;
	v = l_duration(l, s, what);
	if (v < 0)
		return;
	if (v < min || v > 100 * 86400L) {
		cw_error_at(&l->cw, s,
				"'%s' must be between %lds and 100d (got %lds)",
				what, min, v);
		return;
	}
	*dst = (int) v;
}

static void set_notify(
		const struct cw_strv *v, const char *const **dst, size_t *n)
{
	if (!v->v)
		return;
	*dst = (const char *const *) v->v;
	*n = v->n;
}

static void compile_guard(struct lctx *l, config_setting_t *s)
{
	struct rules_guard *g = &l->r->guard;
	struct gspec sp;
	int v;

	memset(&sp, 0, sizeof(sp));
	sp.max_identical = (int) g->policy.max_identical;
	sp.max_any = (int) g->policy.max_any;
	sp.max_replies_day = (int) g->policy.max_replies_day;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cw_error_at(&l->cw, s,
				"'settings.guard' must be a group { ... }, not "
				"%s",
				cw_type_name(config_setting_type(s)));
		return;
	}
	cw_walk_group(&l->cw, s, "settings.guard", guard_fields, &sp, l);
	g->policy.max_identical = (unsigned) sp.max_identical;
	g->policy.max_any = (unsigned) sp.max_any;
	g->policy.max_replies_day = (unsigned) sp.max_replies_day;
	v = (int) g->policy.loop_window;
	dur(l, sp.loop_window, "settings.guard.loop_window", 60, &v);
	g->policy.loop_window = v;
	v = (int) g->policy.dedupe_window;
	dur(l, sp.dedupe_window, "settings.guard.dedupe_window", 0, &v);
	g->policy.dedupe_window = v;
	v = (int) g->policy.retell_after;
	dur(l, sp.retell_after, "settings.guard.retell_after", 60, &v);
	g->policy.retell_after = v;
	dur(l, sp.batch, "settings.guard.batch", 0, &g->batch_seconds);
	if (g->policy.dedupe_window > g->policy.loop_window && sp.dedupe_window)
		cw_error_at(&l->cw, sp.dedupe_window,
				"'settings.guard.dedupe_window' must not be "
				"longer than loop_window (%llds)",
				(long long) g->policy.loop_window);
	if (sp.deny.v) {
		g->lists.deny = (const char *const *) sp.deny.v;
		g->lists.n_deny = sp.deny.n;
	}
	if (sp.allow.v) {
		g->lists.allow = (const char *const *) sp.allow.v;
		g->lists.n_allow = sp.allow.n;
	}
	set_notify(&sp.notify, &g->notify, &g->n_notify);
}

static void compile_health(struct lctx *l, config_setting_t *s)
{
	struct rules_health *h = &l->r->health;
	struct hspec sp;

	memset(&sp, 0, sizeof(sp));
	sp.storage_percent = h->storage_percent;
	sp.balance_below = (double) h->balance_below_cents / 100.0;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cw_error_at(&l->cw, s,
				"'settings.health' must be a group { ... }, "
				"not %s",
				cw_type_name(config_setting_type(s)));
		return;
	}
	cw_walk_group(&l->cw, s, "settings.health", health_fields, &sp, l);
	h->storage_percent = sp.storage_percent;
	h->balance_below_cents = (int64_t) (sp.balance_below * 100.0 + 0.5);
	dur(l, sp.modem_down, "settings.health.modem_down", 0,
			&h->modem_down_s);
	dur(l, sp.queue_age, "settings.health.queue_age", 0, &h->queue_age_s);
	dur(l, sp.check, "settings.health.check", 1, &h->check_s);
	dur(l, sp.balance_interval, "settings.health.balance_interval", 60,
			&h->balance_interval_s);
	dur(l, sp.batch, "settings.health.batch", 0, &h->batch_seconds);
	h->balance_code = sp.balance_code;
	h->balance_pattern = sp.balance_pattern;
	if (h->balance_pattern && !h->balance_code)
		cw_error_at(&l->cw, s,
				"'settings.health.balance_pattern' needs "
				"balance_code (the USSD code to ask)");
	set_notify(&sp.notify, &h->notify, &h->n_notify);
}

void l_compile_guard(struct lctx *l, config_setting_t *guard,
		config_setting_t *health)
{
	rules_guard_default(&l->r->guard);
	rules_health_default(&l->r->health);
	if (guard)
		compile_guard(l, guard);
	if (health)
		compile_health(l, health);
}
