/*
 * gateway/rules_time.h - Unix seconds to the broken-down local time the
 * rules engine wants (struct rules_time, rules/rules.h), in the rule
 * file's time zone.
 *
 * rules/ reads no clock and no time-zone database, so the gateway
 * converts, with the zone file parsed by rules/tz.h (gateway/zones.h):
 * the process's TZ is not touched, so log timestamps and other uses of
 * the C library's local time follow the system's zone.  An empty or
 * unreadable zone falls back to the process's own (localtime_r()).
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
