/*
 * gateway/zones.h - time zones by name for the gateway, read once from
 * the zoneinfo directory (TZDIR, else /usr/share/zoneinfo) and parsed by
 * rules/tz.h.  Replaces setting TZ on the process.
 *
 * Ownership: gw_zones_free() frees the cache and every zone it handed
 * out; gw_zone() returns a borrowed zone.
 */
#ifndef GATEWAY_ZONES_H
#define GATEWAY_ZONES_H

#include "rules/tz.h"

struct gw_zones;

struct gw_zones *gw_zones_new(void);
void gw_zones_free(struct gw_zones *z);
/*
 * The zone @name ("Asia/Shanghai", "UTC"); NULL when it cannot be read
 * or parsed (@why, if not NULL, gets the reason).  Names with ".." or a
 * leading '/' are refused.
 */
const struct tz_zone *gw_zone(
		struct gw_zones *z, const char *name, const char **why);

#endif /* GATEWAY_ZONES_H */
