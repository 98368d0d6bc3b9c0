/*
 * gateway/rules_handler.h - the message handler of deployments with a
 * rules file (config key rules_file): every message from a rep becomes a
 * typed report with a receipt, or a precise error (issue 7).  It drives
 * the pure engine (rules/rules.h) around ONE database transaction per
 * message: sender lookup, parse, the lookups the parse asks for
 * (reference, prior report in the period, last report, history), decide,
 * then the report, its alerts, exactly one reply and the message state.
 *
 * Reloads (SIGHUP, `fieldgatectl rules reload` through the database):
 * the new file is loaded whole; a refused file leaves the old rules live,
 * is logged with every reason, recorded in rule_reloads and sent by SMS
 * to every admin; a good one swaps in at once.  Every attempt is
 * recorded in rule_reloads.
 */
#ifndef GATEWAY_RULES_HANDLER_H
#define GATEWAY_RULES_HANDLER_H

#include <stdint.h>

#include "gateway/handler.h"
#include "rules/rules.h"

struct gw_context;

extern const struct gw_handler_ops gw_rules_handler;

/*
 * The handler's state around @rules (taken over: freed with the state by
 * gw_rules_handler.free()).  NULL when out of memory (@rules is then
 * freed too).
 */
void *gw_rules_handler_new(struct rules *rules);

/*
 * Loads the configured rules file again and swaps it in when it loads
 * clean; @request_id is the rule_reload_requests row that asked (0 =
 * SIGHUP).  Does nothing unless the rules handler is in use.  Returns 0
 * when the new rules are live, -EINVAL when refused, other -errno.
 */
int gw_rules_reload(struct gw_context *ctx, int64_t request_id);

/*
 * Registers the handler's database hooks (reload requests on
 * fieldgate_rules, and catching up on requests missed while the
 * connection was down).  0 or -EINVAL.
 */
int gw_rules_register(struct gw_context *ctx);

/*
 * Prints every diagnostic of loading @path to stderr (for fieldgated -t):
 * 0 when it loads (warnings allowed), -EINVAL with errors, other -errno
 * when it cannot be read (also printed).
 */
int gw_rules_check_file(const char *path);

/*
 * The rules in force (borrowed until the next reload), or NULL when the
 * rules handler is not in use.
 */
const struct rules *gw_rules_current(struct gw_context *ctx);

#endif /* GATEWAY_RULES_HANDLER_H */
