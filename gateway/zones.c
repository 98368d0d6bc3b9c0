/*
 * gateway/zones.c - a cache of parsed time zones (see the header).
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/zones.h"

#define MAX_ZONES 256
#define MAX_TZIF (1 << 20)

struct zone_ent {
	char *name;
	struct tz_zone *zone;
};

struct gw_zones {
	struct zone_ent v[MAX_ZONES];
	size_t n;
};

struct gw_zones *gw_zones_new(void)
{
	return calloc(1, sizeof(struct gw_zones));
}

void gw_zones_free(struct gw_zones *z)
{
	size_t i;

	if (!z)
		return;
	for (i = 0; i < z->n; i++) {
		free(z->v[i].name);
		tz_free(z->v[i].zone);
	}
	free(z);
}

static struct tz_zone *read_zone(const char *name, const char **why)
{
	const char *dir = getenv("TZDIR");
	char path[1024];
	uint8_t *buf = NULL;
	size_t len = 0;
	struct tz_zone *zone = NULL;
	const char *reason = NULL;
	FILE *fp;

	if (!name || !*name || name[0] == '/' || strstr(name, "..")) {
		*why = "not a zone name";
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s",
			dir && *dir ? dir : "/usr/share/zoneinfo", name);
	fp = fopen(path, "rb");
	if (!fp) {
		*why = "no such zone in the zoneinfo directory";
		return NULL;
	}
	buf = malloc(MAX_TZIF);
	if (buf)
		len = fread(buf, 1, MAX_TZIF, fp);
	fclose(fp);
	if (!buf) {
		*why = "out of memory";
		return NULL;
	}
	if (tz_parse(buf, len, name, &zone, &reason) < 0) {
		*why = reason ? reason : "bad zone file";
		zone = NULL;
	}
	free(buf);
	return zone;
}

const struct tz_zone *gw_zone(
		struct gw_zones *z, const char *name, const char **why)
{
	const char *dummy = NULL;
	struct tz_zone *zone;
	size_t i;

	if (!why)
		why = &dummy;
	if (!z || !name)
		return NULL;
	for (i = 0; i < z->n; i++)
		if (!strcmp(z->v[i].name, name))
			return z->v[i].zone;
	zone = read_zone(name, why);
	if (!zone)
		return NULL;
	if (z->n == MAX_ZONES) {
		*why = "too many zones";
		tz_free(zone);
		return NULL;
	}
	z->v[z->n].name = strdup(name);
	if (!z->v[z->n].name) {
		tz_free(zone);
		*why = "out of memory";
		return NULL;
	}
	z->v[z->n].zone = zone;
	return z->v[z->n++].zone;
}
