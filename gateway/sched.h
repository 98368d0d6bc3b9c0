/*
 * gateway/sched.h - the daemon's schedules (issue 9 part B): the rule
 * file's `schedules` fired at their cron times in their time zones,
 * claimed in PostgreSQL so a fire happens once with several daemons and
 * across restarts, caught up within its grace after downtime.
 *
 * One loop timer at the next fire (no polling; at most 1 h away, when
 * the zones of active reps are re-read; with a test clock,
 * gateway/clock.h, at most 1 s so that a rewritten clock file is seen).  The parts:
 *   gw_sched_start()         allocates, registers the database hook
 *   gw_sched_rules_changed() after a rule reload: recompute
 *   gw_sched_free()
 * The building blocks are pure: rules/sched.h (what the file says),
 * rules/cron.h, rules/tz.h, rules/digest.h; the SQL is db/store_sched.h.
 */
#ifndef GATEWAY_SCHED_H
#define GATEWAY_SCHED_H

#include <stddef.h>
#include <stdint.h>

struct gw_context;
struct db;
struct rules;
struct rules_schedule;
struct gw_zones;
struct db_error;

int gw_sched_start(struct gw_context *ctx);
void gw_sched_rules_changed(struct gw_context *ctx);
void gw_sched_free(struct gw_context *ctx);

/*
 * One fire of @s at @at (nominal @nominal) for the reps whose zone is one
 * of @zones (per-territory schedules) or all (@n_zones 0: the schedule's
 * own zone, @def_zone when it names none), inside the caller's
 * transaction: computes who gets what and queues it (outbound, kind
 * "schedule").  @real_offset = system time - schedule clock (messages are
 * timed on the system clock).  Returns messages queued (*ret_people: the
 * people named or reminded), or a database -errno.  Shared with the
 * benchmark.
 */
int gw_sched_fire(struct db *db, const struct rules *rules,
		const struct rules_schedule *s, struct gw_zones *zc,
		const char *def_zone, const char *const *zones, size_t n_zones,
		int64_t at, int64_t fire_id, int64_t real_offset,
		int *ret_people, struct db_error *err);

#endif /* GATEWAY_SCHED_H */
