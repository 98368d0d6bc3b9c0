/*
 * gateway/health.h - gateway health to admins by SMS (issue 9), through
 * the alert batching (gateway/alerts.c).
 *
 * One loop timer every settings.health.check seconds evaluates, for this
 * daemon's modems: a modem not READY for modem_down; the outbound queue's
 * oldest queued message older than queue_age; SIM storage at or above
 * storage_percent; and queues the balance USSD query (balance_code)
 * every balance_interval per READY modem, whose reply (gw_health_ussd_done)
 * is parsed with balance_pattern, recorded in sim_balances and compared
 * with balance_below.  Also told: a modem reaching its daily outbound cap
 * (gw_health_cap_reached, once per modem and day).
 *
 * Every condition is a health_conditions row: admins are told when an
 * episode starts (whichever daemon sees it first), not again until it
 * has cleared (recovered) and come back.
 */
#ifndef GATEWAY_HEALTH_H
#define GATEWAY_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

struct gw_context;
struct gw_link;
struct rules;

/* Allocates the state and arms the timer. 0 or -ENOMEM. */
int gw_health_start(struct gw_context *ctx);
void gw_health_free(struct gw_context *ctx);
/* @link just refused to send a part: its daily cap is reached. */
void gw_health_cap_reached(struct gw_link *link);
/* A USSD request finished (ussd.c): a balance query of ours is parsed. */
void gw_health_ussd_done(struct gw_link *link, int64_t id, const char *state,
		const char *reply);
#endif /* GATEWAY_HEALTH_H */
