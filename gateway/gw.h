/*
 * gateway/gw.h - fieldgated's shared state and the functions its parts
 * (fieldgated.c, link.c, dbconn.c, inbound.c, outbound.c, ussd.c,
 * status.c, handler.c) call on each other.  Internal to the daemon: not a
 * library API.
 *
 * Everything runs on one thread in one loop (gateway/loop.h).  Database
 * calls are synchronous but bounded by statement_timeout and
 * connect_timeout (config "database"), so a slow database holds the modems
 * for at most that long; the modems' own deadlines are loop timers and
 * their fds loop fds (link.c).
 *
 * Ownership: main() owns the struct gw_context; each part allocates its
 * own state in its *_start() and frees it in its *_free().
 */
#ifndef GATEWAY_GW_H
#define GATEWAY_GW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "gateway/log.h"
#include "gateway/gwconfig.h"
#include "gateway/handler.h"
#include "gateway/loop.h"
#include "gateway/reportq.h"
#include "modem/modem.h"

struct gw_options {
	const char *config_file;
	bool check_only; /* -t */
	bool foreground; /* -F */
	bool debug;	 /* -d / --debug */
	unsigned debug_categories;
	bool timestamps; /* -T */
};

struct gw_db;
struct gw_alerts;
struct gw_health;
struct gw_sched;
struct db_person;
struct rules_alert;
struct gw_inbound;
struct gw_send;
struct gw_outcome;

/* One configured modem and the loop's view of it (link.c). */
struct gw_link {
	struct gw_context *ctx;
	char *name; /* copied from the config: survives reloads */
	char *device;
	char *smsc;	/* NULL: the SIM's service centre */
	int send_rate;	/* per minute, 0 = unpaced */
	int daily_cap;	/* parts per day, 0 = no cap */
	int sent_today; /* parts handed over on day @today */
	int today;	/* local year * 1000 + day of the year */
	bool cap_logged;
	struct modem *m;
	enum modem_state state;
	int fd;		  /* registered with the loop, or -1 */
	int fd_events;	  /* LOOP_READ | LOOP_WRITE now registered */
	int64_t timer_id; /* modem deadline timer, 0 = none */
	int64_t timer_at;

	/* outbound.c */
	struct gw_send *send; /* message being sent, NULL when idle */
	bool send_in_flight;  /* a modem_send_pdu() awaits its callback */
	double tokens;	      /* token bucket (parts) */
	int64_t tokens_at;    /* monotonic ms of the last refill */
	uint8_t next_ref;     /* concatenation reference of the next split */

	/* ussd.c */
	bool ussd_busy;
	int64_t ussd_id;

	/* status.c */
	bool status_dirty;  /* changed since the last successful write */
	int64_t last_rx_at; /* Unix seconds */
	int64_t last_tx_at;
	int64_t rx_written_ms; /* loop ms of the last write for a receive */
	int64_t tx_written_ms; /* ... and for a send */
	char last_error[128];
	struct log_repeat down_log; /* fieldgated.c: gw_log_down() */
};

/*
 * A pipeline's hooks on the database connection (gw_db_register()): @up
 * after every (re)connection, in registration order; @notify for each
 * NOTIFY on @channel (LISTENed on every connection).  Either may be NULL.
 */
struct gw_db_hook {
	const char *channel; /* static string, or NULL */
	void (*up)(struct gw_context *ctx, void *data);
	void (*notify)(struct gw_context *ctx, const char *payload, void *data);
	void *data;
};
#define GW_DB_HOOKS_MAX 16

struct gw_context {
	struct gw_options opts;
	char *config_path;	  /* absolute: survives chdir */
	struct gw_config *config; /* the configuration in force */
	struct loop *loop;
	bool stopping;	     /* SIGTERM seen: no new work */
	unsigned reloads;    /* successful reloads, for status */
	int exit_code;	     /* loop_run() ended: exit with this */
	char daemon_id[320]; /* claimed_by in the database */
	char hostname[64];

	struct gw_db *db; /* dbconn.c */
	struct gw_db_hook db_hooks[GW_DB_HOOKS_MAX];
	size_t n_db_hooks;
	struct gw_link *links; /* link.c, n_links of them */
	size_t n_links;

	const struct gw_handler_ops *handler; /* handler.h */
	void *handler_state;
	struct gw_alerts *alerts; /* alerts.c */
	struct gw_health *health; /* health.c */
	struct gw_sched *sched;	  /* sched.c (gateway/sched.h) */

	struct gw_inbound *inbound; /* inbound.c */
	int64_t stop_timer;	    /* bounded wait at SIGTERM */
	bool recover_pending;	    /* outbound.c: db_outbound_recover */
	bool ussd_recover_pending;  /* ussd.c: interrupted requests */
	int64_t out_kick_timer;	    /* outbound.c: next known event */
	int64_t out_kick_at;
	int64_t out_last_expire_ms;
	int64_t lease_timer; /* lease.c: renewal and takeover */
	int64_t lease_at;
	int64_t status_timer;	     /* status.c: the trailing traffic write */
	struct gw_outcome *outcomes; /* outbound.c: while the DB is down */
	size_t n_outcomes, cap_outcomes;
	struct gw_reportq reports; /* outbound.c: status reports kept */
	size_t reports_dropped;	   /* oldest dropped at the bound */
};

/* ---- dbconn.c --------------------------------------------------------- */

/*
 * Connects (retrying with backoff 1 s .. 60 s while unreachable), checks
 * the schema on the first connection (refusing a newer one: the loop is
 * stopped with exit code 1), LISTENs on every registered channel, watches
 * the socket and runs the registered "up" hooks.  0 or -ENOMEM.
 */
int gw_db_start(struct gw_context *ctx);
void gw_db_free(struct gw_context *ctx);
/*
 * Registers a pipeline's hooks (copied; at most GW_DB_HOOKS_MAX).  Call
 * before gw_db_start() or at any time after.  0 or -EINVAL.
 */
int gw_db_register(struct gw_context *ctx, const struct gw_db_hook *hook);
/*
 * Handles notifications already received: libpq reads those of our own
 * transactions together with the COMMIT's answer, so the socket never
 * becomes readable for them.  Called before every poll().
 */
void gw_db_drain(struct gw_context *ctx);
/* The connection when it is up, else NULL (borrowed). */
struct db *gw_db(struct gw_context *ctx);
/*
 * Reports a failed database call: logs "@what: message" and, when the
 * connection itself is gone, marks it down and schedules a reconnect.
 * Returns true when the connection was lost.
 */
bool gw_db_failed(struct gw_context *ctx, int r, const struct db_error *err,
		const char *what);

/* ---- link.c ----------------------------------------------------------- */

/* Creates and starts one link per configured modem. 0 or -errno. */
int gw_links_start(struct gw_context *ctx);
/* Before every poll(): fds, write interest and deadlines follow modems. */
void gw_links_sync(struct gw_context *ctx);
/* Closes every modem (pending sends get their callbacks). */
void gw_links_free(struct gw_context *ctx);
/* Monotonic ms for the modem driver. */
uint64_t gw_now_ms(void);
/* A READY link, preferring @name; NULL when none. */
struct gw_link *gw_link_find(struct gw_context *ctx, const char *name);

/* ---- inbound.c -------------------------------------------------------- */

int gw_inbound_start(struct gw_context *ctx);
void gw_inbound_free(struct gw_context *ctx);
/* The driver's received-SMS callback, routed here by link.c. */
void gw_inbound_sms(struct gw_link *link, struct modem_sms *sms);
/* Database back: re-read the SIMs, handle 'stored' rows, arm the timer. */
void gw_inbound_db_up(struct gw_context *ctx);

/* ---- outbound.c ------------------------------------------------------- */

/* Claims and sends what idle READY links can take now. */
void gw_outbound_kick(struct gw_context *ctx);
/*
 * A status report from a link (TS 23.040 §9.2.2.3): matched to its part,
 * or, while the database is down, kept (at most 10,000, the oldest
 * dropped) and matched at the reconnect.
 */
void gw_outbound_report(
		struct gw_link *link, const struct modem_status_report *sr);
/* True when no link has a message or a send in flight. */
bool gw_outbound_idle(struct gw_context *ctx);
/* Drops a link's current message (stop, DB lost); recovered later. */
void gw_outbound_abandon(struct gw_link *link);
void gw_outbound_free(struct gw_context *ctx);

/* ---- lease.c -------------------------------------------------------- */

/* Arms the lease timer if it is not (first check: at once). */
void gw_lease_kick(struct gw_context *ctx);
/* A message was claimed: its lease is renewed within a third of it. */
void gw_lease_claimed(struct gw_context *ctx);
void gw_lease_free(struct gw_context *ctx);

/* ---- ussd.c ----------------------------------------------------------- */

void gw_ussd_kick(struct gw_context *ctx);
bool gw_ussd_idle(struct gw_context *ctx);
void gw_ussd_network(
		struct gw_link *link, const struct modem_ussd_reply *reply);

/* ---- alerts.c --------------------------------------------------------- */

/* Allocates the dispatcher and registers its database hooks. */
int gw_alerts_start(struct gw_context *ctx);
void gw_alerts_free(struct gw_context *ctx);
/*
 * Inside the caller's transaction: resolves each alert's recipients
 * (the rep @sender's supervisor, N levels up, a role, a number) and
 * inserts one row per recipient (dedupe key + recipient unique).  Returns
 * how many were new, or a database -errno with @err filled.
 */
int gw_alerts_raise(struct gw_context *ctx, struct db *db,
		const struct db_person *sender, int64_t report_id,
		const struct rules_alert *alerts, size_t n_alerts,
		struct db_error *err);
/* After a commit that raised alerts: send what is due, re-arm the timer. */
void gw_alerts_kick(struct gw_context *ctx);

/* ---- status.c --------------------------------------------------------- */

/* Marks a link's status changed and writes it when the DB is up. */
void gw_status_changed(struct gw_link *link);
/* Writes every dirty link (after a reconnect). */
void gw_status_flush(struct gw_context *ctx);
/*
 * A message was received (@sent false: last_rx_at just set) or sent
 * (last_tx_at): the row is written at once when the last write for that
 * kind of traffic is 10 s old or more (the first after idle), else once
 * at the end of that 10 s (one timer, armed only then): at most two
 * writes per 10 s per modem, however many messages.
 */
void gw_status_traffic(struct gw_link *link, bool sent);

/* ---- fieldgated.c ----------------------------------------------------- */

/*
 * Logs a link going down (@state, @reason) as a warning, backing off a
 * repetition of the same reason (a device that does not exist): then at
 * 10 s, 20 s, 40 s ... up to 1 h apart, with the count of those left out.
 */
void gw_log_down(struct gw_link *link, const char *state, const char *reason);
/* Everything idle while stopping: finish the stop. */
void gw_check_stopped(struct gw_context *ctx);

#endif /* GATEWAY_GW_H */
