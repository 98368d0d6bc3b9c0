/*
 * gateway/rules_time.h - Unix seconds to the broken-down local time the
 * rules engine wants (struct rules_time, rules/rules.h), in the rule
 * file's time zone.
 *
 * rules/ reads no clock and no time-zone database, so the gateway
 * converts.  It does so through the C library: the process's TZ is set to
 * the rule file's settings.timezone (setenv + tzset) when it differs from
 * the one in force, then localtime_r().  fieldgated and fieldgatectl are
 * single-threaded, and their log timestamps (which are UTC or local as
 * the logger decides) follow the same zone.  An empty zone keeps the
 * process's own TZ.
 */
#ifndef GATEWAY_RULES_TIME_H
#define GATEWAY_RULES_TIME_H

#include <stdint.h>

#include "rules/rules.h"

/*
 * Fills @out for @unix in zone @tz ("Asia/Shanghai", "" = the process's).
 * @unix 0 gives an all-zero @out (unknown).  0, or -EINVAL when the C
 * library cannot convert.
 */
int gw_rules_time(int64_t unix_s, const char *tz, struct rules_time *out);

#endif /* GATEWAY_RULES_TIME_H */
