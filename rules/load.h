/*
 * rules/load.h - internal to the loader files (rules/load*.c): the load
 * context and the compile steps.  Includes libconfig.h (via confwalk.h),
 * so only loader files include it.
 */
#ifndef RULES_LOAD_H
#define RULES_LOAD_H

#include "rules/confwalk.h"
#include "rules/rules_int.h"

struct lctx {
	struct cw_ctx cw;
	struct rules *r;
	size_t errors_before;
};

char *l_norm(struct lctx *l, const char *s);
/* String checks of the schema tables (NULL = fine, else the reason). */
const char *l_check_ident(const char *v); /* lower-case ASCII id */
const char *l_check_nonempty(const char *v);
/* The length of list @s, or -1 (reported) when it is not a list. */
int l_want_list(struct lctx *l, config_setting_t *s, const char *what);
void l_tmpl(struct lctx *l, config_setting_t *g, const char *key,
		const struct r_form *form, struct r_tmpl *t, const char *what);
void l_check_errors_group(struct cw_ctx *c, config_setting_t *s,
		const char *what, void *dst, void *user);

/* rules/load_forms.c */
void l_compile_lists(struct lctx *l, config_setting_t *s);
void l_compile_forms(struct lctx *l, config_setting_t *s);
/* rules/load_alerts.c */
void l_compile_commands(struct lctx *l, config_setting_t *s);
void l_compile_alerts(struct lctx *l, config_setting_t *s);
void l_compile_tests(struct lctx *l, config_setting_t *s);
/* rules/load_guard.c: settings.guard and settings.health (defaults
 * when NULL) */
void l_compile_guard(struct lctx *l, config_setting_t *guard,
		config_setting_t *health);
/* rules/load_sched.c: schedules, settings.holidays / quiet_hours */
void l_compile_schedules(struct lctx *l, config_setting_t *schedules,
		config_setting_t *holidays, config_setting_t *quiet);
/* rules/load_check.c: keywords, segments, examples */
void l_check(struct lctx *l);
/* role names -> bits; unknown ones are errors at @s */
unsigned l_role_bits(struct lctx *l, config_setting_t *s,
		const struct cw_strv *v, const char *what);
long l_duration(struct lctx *l, config_setting_t *s, const char *what);
void l_example(struct lctx *l, config_setting_t *s, const char *what,
		const char *def_role, const char *def_expect,
		struct r_example *ex);

#endif /* RULES_LOAD_H */
