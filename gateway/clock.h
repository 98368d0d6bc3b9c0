/*
 * gateway/clock.h - the wall clock schedules follow, which tests can set.
 *
 * Production reads the system clock.  A test sets the environment
 * variable FIELDGATE_CLOCK to a file holding one line:
 *   +3600 / -60        an offset in seconds from the system clock
 *   @1780300800        an absolute Unix time (frozen)
 * The file is re-read at every reading, so a test moves time by
 * rewriting it.  To keep production from being fooled by accident, the
 * file is honoured only when it is a regular file owned by the process's
 * user and writable by no one else; anything else is refused (the real
 * clock is used) and said once in the warning text.  Only the schedules
 * follow this clock; messages keep the database's timestamps.
 */
#ifndef GATEWAY_CLOCK_H
#define GATEWAY_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct gw_clock {
	char path[512]; /* "" = the system clock */
};

/*
 * From the environment.  Returns true when a test clock is in force; a
 * refused one leaves the system clock and a reason in @why.
 */
bool gw_clock_init(struct gw_clock *c, char *why, size_t why_size);
/* Now, in Unix seconds. */
int64_t gw_clock_now(const struct gw_clock *c);
/* Whether a test clock is in force (the scheduler then re-reads it). */
bool gw_clock_is_test(const struct gw_clock *c);

#endif /* GATEWAY_CLOCK_H */
