/*
 * gateway/clock.c - the schedules' clock (see the header).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gateway/clock.h"

static const char *check_file(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return "cannot stat the file";
	if (!S_ISREG(st.st_mode))
		return "not a regular file";
	if (st.st_uid != geteuid())
		return "not owned by the daemon's user";
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return "writable by group or others";
	return NULL;
}

bool gw_clock_init(struct gw_clock *c, char *why, size_t why_size)
{
	const char *env = getenv("FIELDGATE_CLOCK"), *bad;

	c->path[0] = '\0';
	if (why_size)
		why[0] = '\0';
	if (!env || !*env)
		return false;
	bad = check_file(env);
	if (bad || strlen(env) >= sizeof(c->path)) {
		snprintf(why, why_size, "FIELDGATE_CLOCK=%s refused: %s", env,
				bad ? bad : "path too long");
		return false;
	}
	snprintf(c->path, sizeof(c->path), "%s", env);
	snprintf(why, why_size,
			"TEST CLOCK in force: FIELDGATE_CLOCK=%s (schedules "
			"follow it, not the system clock)",
			env);
	return true;
}

bool gw_clock_is_test(const struct gw_clock *c)
{
	return c && c->path[0];
}

int64_t gw_clock_now(const struct gw_clock *c)
{
	int64_t now = (int64_t) time(NULL);
	char line[64];
	FILE *fp;
	long long v;
	char *end;

	if (!gw_clock_is_test(c) || check_file(c->path))
		return now;
	fp = fopen(c->path, "r");
	if (!fp)
		return now;
	if (!fgets(line, sizeof(line), fp)) {
		fclose(fp);
		return now;
	}
	fclose(fp);
	errno = 0;
	v = strtoll(line + (line[0] == '@'), &end, 10);
	if (errno || end == line || (*end && *end != '\n'))
		return now;
	return line[0] == '@' ? (int64_t) v : now + (int64_t) v;
}
