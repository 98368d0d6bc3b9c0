/*
 * gateway/fieldgated.c - the daemon's main(): options, startup order,
 * signals, reload, exit codes (0 clean stop, 1 runtime failure, 2 usage or
 * configuration error; GUIDE §4.5).
 *
 * All daemon state lives in one struct gw_context owned by main(); there
 * are no other mutable globals (log.c's sink excepted).  The modem links,
 * the database connection and the pipelines attach to it (see the
 * "attach here" notes) when they are written.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/store.h"
#include "gateway/gwconfig.h"
#include "gateway/gw.h"
#include "gateway/handler.h"
#include "gateway/log.h"
#include "gateway/loop.h"
#include "gateway/health.h"
#include "gateway/rules_handler.h"
#include "gateway/sched.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG SYSCONFDIR "/fieldgate/fieldgated.conf"

#define EXIT_CONFIG 2
/* SIGTERM: how long the command in flight may take to finish. */
#define STOP_GRACE_MS 10000

static void usage(FILE *out)
{
	fprintf(out,
			"usage: fieldgated [-dFntT] [-f FILE] "
			"[--debug=CATEGORIES]\n"
			"\n"
			"  -f, --config FILE    configuration file (default "
			"%s)\n"
			"  -t, -n, --check      check the configuration, print "
			"\"configuration OK\" or\n"
			"                       every error as file:line: "
			"message, "
			"and exit (0 or 2)\n"
			"  -F, --foreground     stay in the foreground, log to "
			"stderr\n"
			"  -d                   debug logging (all categories "
			"but "
			"\"at\")\n"
			"      --debug=LIST     debug logging for the listed "
			"categories:\n"
			"                       "
			"at,sp,db,rules,ctl,sched,loop,all\n"
			"  -T, --timestamps     prefix log lines on stderr "
			"with "
			"ISO 8601 times\n"
			"  -V, --version        print the version and exit\n"
			"  -h, --help           print this help and exit\n"
			"\n"
			"Signals: SIGTERM/SIGINT stop, SIGHUP reloads the "
			"configuration.\n",
			DEFAULT_CONFIG);
}

enum report_to { REPORT_STDERR, REPORT_ERROR, REPORT_WARNING };

/* Prints every diagnostic of a failed load; one line each.  Errors when
 * the daemon cannot start, warnings on a reload it survives. */
static void report_errors(
		const struct gw_config_errors *errors, enum report_to to)
{
	size_t i;

	for (i = 0; i < errors->n; i++) {
		if (to == REPORT_ERROR)
			log_errx("%s", errors->lines[i]);
		else if (to == REPORT_WARNING)
			log_warnx("%s", errors->lines[i]);
		else
			fprintf(stderr, "%s\n", errors->lines[i]);
	}
}

/*
 * rules_file must name a readable file (issue 10 §7): -t says so instead
 * of "configuration OK", before the rules engine reads it (its
 * diagnostics then follow).  Returns 0, or -errno with the reason in @buf.
 */
static int check_rules_file(const struct gw_config *cfg, char *buf, size_t size)
{
	struct stat st;

	if (!cfg->rules_file)
		return 0;
	if (access(cfg->rules_file, R_OK) < 0 ||
			stat(cfg->rules_file, &st) < 0) {
		int e = errno;

		snprintf(buf, size, "rules_file \"%s\": %s", cfg->rules_file,
				strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(buf, size, "rules_file \"%s\": not a regular file",
				cfg->rules_file);
		return -EINVAL;
	}
	return 0;
}

/*
 * Least privilege (issue 10 §8): a daemon holding a SIM and a database
 * of people needs no root, and its config may hold the database
 * password.  Warnings only: the admin decides.
 */
static void warn_privileges(const char *config_path)
{
	struct stat st;

	if (geteuid() == 0)
		log_warnx("running as root: fieldgated needs no privilege "
			  "(run it as user \"fieldgate\" in group \"dialout\", "
			  "as the systemd unit does)");
	if (config_path && stat(config_path, &st) == 0 &&
			(st.st_mode & (S_IROTH | S_IWOTH)))
		log_warnx("configuration \"%s\" is %s by every user (mode "
			  "%04o) and may hold the database password: chmod "
			  "o-rwx (e.g. root:fieldgate 0640)",
				config_path,
				(st.st_mode & S_IWOTH) ? "writable"
						       : "readable",
				(unsigned) (st.st_mode & 07777));
}

void gw_log_down(struct gw_link *link, const char *state, const char *reason)
{
	unsigned n = 0;
	int next_s = 0;

	if (!log_repeat_allow(&link->down_log, reason, (long long) gw_now_ms(),
			    &n, &next_s)) {
		log_debug(LOG_CAT_LOOP, "modem=%s %s: %s", link->name, state,
				reason);
		return;
	}
	if (n)
		log_warnx("modem=%s %s: %s (%u more times; still retrying, "
			  "next report in %d s)",
				link->name, state, reason, n, next_s);
	else
		log_warnx("modem=%s %s: %s", link->name, state, reason);
}

static void apply_log_settings(const struct gw_context *ctx)
{
	const struct gw_config *cfg = ctx->config;

	if (ctx->opts.debug) {
		log_set_level(LOG_LEVEL_DEBUG);
		log_set_categories(ctx->opts.debug_categories);
	} else {
		log_set_level(cfg->log_level);
		log_set_categories(cfg->log_categories);
	}
	log_set_personal_info(cfg->log_personal_info);
	log_set_timestamps(ctx->opts.timestamps || cfg->log_timestamps);
}

/*
 * Everything idle while stopping (no send, no USSD in flight): put this
 * daemon's unfinished messages back in the queue for anyone, and stop.
 */
void gw_check_stopped(struct gw_context *ctx)
{
	struct db_error err;
	size_t i;
	int r;

	if (!ctx->stopping || !gw_outbound_idle(ctx) || !gw_ussd_idle(ctx))
		return;
	for (i = 0; i < ctx->n_links; i++)
		gw_outbound_abandon(&ctx->links[i]);
	if (gw_db(ctx)) {
		/* Unknown parts are not resent: another daemon may take
		 * the message, under its own resend policy. */
		r = db_outbound_recover(gw_db(ctx), ctx->daemon_id, 0, &err);
		if (r < 0)
			gw_db_failed(ctx, r, &err, "re-queueing at stop");
		else if (r > 0)
			log_info("outbound: %d unfinished message%s "
				 "re-queued",
					r, r == 1 ? "" : "s");
	}
	loop_stop(ctx->loop);
}

/* The grace period is over: abandon what is in flight, safely. */
static int64_t on_stop_timeout(struct loop *loop, int64_t id, void *data)
{
	struct gw_context *ctx = data;

	(void) loop;
	(void) id;
	ctx->stop_timer = 0;
	log_warnx("command in flight did not finish within %d s: "
		  "abandoning it (a send is recorded as unknown)",
			STOP_GRACE_MS / 1000);
	/* The driver calls back pending sends (UNKNOWN) and USSD (m = -1). */
	gw_links_free(ctx);
	gw_check_stopped(ctx);
	loop_stop(ctx->loop);
	return LOOP_TIMER_DONE;
}

/*
 * Stops taking new work: the pipelines stop claiming rows, each modem link
 * finishes the command in flight (bounded by STOP_GRACE_MS, then
 * abandoned: a send whose outcome is unknown is recorded as unknown), and
 * the loop stops when the last one is idle.
 */
static void gw_context_stop(struct gw_context *ctx)
{
	size_t i;
	int64_t t;

	ctx->stopping = true;
	for (i = 0; i < ctx->n_links; i++)
		gw_outbound_abandon(&ctx->links[i]);
	t = loop_add_timer(
			ctx->loop, STOP_GRACE_MS, on_stop_timeout, ctx, NULL);
	if (t > 0)
		ctx->stop_timer = t;
	gw_check_stopped(ctx);
}

static void on_stop_signal(struct loop *loop, int signo, void *data)
{
	struct gw_context *ctx = data;

	if (ctx->stopping) {
		log_info("received %s again while stopping, ignoring",
				strsignal(signo));
		return;
	}
	log_info("received signal %d (%s), stopping", signo, strsignal(signo));
	gw_context_stop(ctx);
}

/*
 * SIGHUP: build a whole new configuration and swap it in only if it is
 * entirely valid; otherwise keep running on the old one (GUIDE §4.10: no
 * half-applied config).  Later the rules file is reloaded here too, and
 * modem links whose device changed are reopened.
 */
static void gw_context_reload(struct gw_context *ctx)
{
	struct gw_config_errors errors = {0};
	struct gw_config *fresh = NULL;
	int r;

	r = gw_config_load(ctx->config_path, &fresh, &errors);
	if (r < 0) {
		report_errors(&errors, REPORT_WARNING);
		log_warnx("reload of \"%s\" failed (%zu error%s), keeping the "
			  "current configuration",
				ctx->config_path, errors.n,
				errors.n == 1 ? "" : "s");
		gw_config_errors_done(&errors);
		return;
	}
	gw_config_errors_done(&errors);
	gw_config_free(ctx->config);
	ctx->config = fresh;
	ctx->reloads++;
	apply_log_settings(ctx);
	/* Modems and the database connection keep their settings. */
	if (ctx->handler == &gw_rules_handler)
		gw_rules_reload(ctx, 0);
	else if (fresh->rules_file)
		log_warnx("rules_file set: restart fieldgated to use it");
	if (fresh->n_modems != ctx->n_links)
		log_warnx("modems added or removed: restart fieldgated to "
			  "apply");
	log_info("configuration \"%s\" reloaded: %zu modem%s", ctx->config_path,
			fresh->n_modems, fresh->n_modems == 1 ? "" : "s");
}

static void on_reload_signal(struct loop *loop, int signo, void *data)
{
	struct gw_context *ctx = data;

	if (ctx->stopping) {
		log_info("received SIGHUP while stopping, ignoring");
		return;
	}
	log_info("received SIGHUP, reloading the configuration");
	gw_context_reload(ctx);
}

/* Before every poll(): the loop follows each modem's fd and deadline. */
static void before_sleep(struct loop *loop, void *data)
{
	(void) loop;
	gw_db_drain(data);
	gw_links_sync(data);
}

/* ---- the pipelines on the database connection (gw_db_register) ---- */

static void status_up(struct gw_context *ctx, void *data)
{
	(void) data;
	gw_status_flush(ctx);
}

static void inbound_up(struct gw_context *ctx, void *data)
{
	(void) data;
	gw_inbound_db_up(ctx);
}

static void outbound_up(struct gw_context *ctx, void *data)
{
	(void) data;
	ctx->recover_pending = true;
	gw_outbound_kick(ctx);
}

static void outbound_notify(
		struct gw_context *ctx, const char *payload, void *data)
{
	(void) payload;
	(void) data;
	gw_outbound_kick(ctx);
}

static void ussd_up(struct gw_context *ctx, void *data)
{
	(void) data;
	ctx->ussd_recover_pending = true;
	gw_ussd_kick(ctx);
}

static void ussd_notify(struct gw_context *ctx, const char *payload, void *data)
{
	(void) payload;
	(void) data;
	gw_ussd_kick(ctx);
}

/* In this order at every (re)connection: status, inbound, out, USSD. */
static int register_pipelines(struct gw_context *ctx)
{
	static const struct gw_db_hook hooks[] = {
			{NULL, status_up, NULL, NULL},
			{NULL, inbound_up, NULL, NULL},
			{"fieldgate_outbound", outbound_up, outbound_notify,
					NULL},
			{"fieldgate_ussd", ussd_up, ussd_notify, NULL},
	};
	size_t i;

	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++)
		if (gw_db_register(ctx, &hooks[i]) < 0)
			return -EINVAL;
	return 0;
}

/*
 * The handler: the rules handler when rules_file is set (a file that
 * does not load stops the start, exit 2, with every reason logged), else
 * the default acknowledgements.  0 or an exit code.
 */
static int start_handler(struct gw_context *ctx)
{
	const char *path = ctx->config->rules_file;
	struct diag_list dl = {0};
	struct rules *rules = NULL;
	size_t i;
	int r;

	if (!path) {
		ctx->handler = &gw_default_handler;
		ctx->handler_state = gw_default_handler_new();
		return 0;
	}
	r = rules_load(path, &rules, &dl);
	for (i = 0; i < dl.n; i++)
		log_warnx("%s%s", dl.v[i].level == DIAG_ERROR ? "error: " : "",
				dl.v[i].line_text);
	diag_free(&dl);
	if (r < 0) {
		log_warnx("error: cannot start: rules file \"%s\" %s", path,
				r == -EINVAL ? "has errors" : strerror(-r));
		return EXIT_CONFIG;
	}
	log_info("rules \"%s\" loaded: version %s sha256 %.12s", path,
			*rules_version(rules) ? rules_version(rules) : "-",
			rules_hash(rules));
	ctx->handler = &gw_rules_handler;
	ctx->handler_state = gw_rules_handler_new(rules);
	return 0;
}

/* Exit-code-returning startup; returns 0 or an exit code. */
static int gw_context_start(struct gw_context *ctx)
{
	static const int stop_signals[] = {SIGTERM, SIGINT};
	size_t i;
	int r;

	ctx->loop = loop_new();
	if (!ctx->loop) {
		log_errx("cannot create the event loop: out of memory");
		return 1;
	}
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		r = loop_add_signal(ctx->loop, stop_signals[i], on_stop_signal,
				ctx);
		if (r < 0) {
			log_errx("cannot watch signal %d: %s", stop_signals[i],
					strerror(-r));
			return 1;
		}
	}
	r = loop_add_signal(ctx->loop, SIGHUP, on_reload_signal, ctx);
	if (r < 0) {
		log_errx("cannot watch SIGHUP: %s", strerror(-r));
		return 1;
	}
	/* A vanished peer is an error return, not a process death. */
	signal(SIGPIPE, SIG_IGN);

	if (gethostname(ctx->hostname, sizeof(ctx->hostname)) < 0)
		snprintf(ctx->hostname, sizeof(ctx->hostname), "localhost");
	ctx->hostname[sizeof(ctx->hostname) - 1] = '\0';
	/* Stable across restarts, distinct for two daemons on one host. */
	if (ctx->config->daemon_id)
		snprintf(ctx->daemon_id, sizeof(ctx->daemon_id), "%s",
				ctx->config->daemon_id);
	else
		snprintf(ctx->daemon_id, sizeof(ctx->daemon_id), "%s:%s",
				ctx->hostname,
				ctx->config_path ? ctx->config_path
						 : ctx->opts.config_file);

	r = start_handler(ctx);
	if (r)
		return r;
	if (!ctx->handler_state || gw_inbound_start(ctx) < 0) {
		log_errx("cannot start: out of memory");
		return 1;
	}
	r = gw_links_start(ctx);
	if (r < 0)
		return 1;
	loop_set_before_sleep(ctx->loop, before_sleep, ctx);
	if (register_pipelines(ctx) < 0 || gw_alerts_start(ctx) < 0 ||
			gw_health_start(ctx) < 0 ||
			(ctx->handler == &gw_rules_handler &&
					(gw_rules_register(ctx) < 0 ||
							gw_sched_start(ctx) <
									0))) {
		log_warnx("cannot register the pipelines");
		return 1;
	}
	r = gw_db_start(ctx);
	if (r < 0) {
		log_errx("cannot start the database connection: %s",
				strerror(-r));
		return 1;
	}
	return 0;
}

static void gw_context_done(struct gw_context *ctx)
{
	if (ctx->stop_timer)
		loop_cancel_timer(ctx->loop, ctx->stop_timer);
	ctx->stop_timer = 0;
	if (ctx->loop)
		gw_links_free(ctx);
	gw_inbound_free(ctx);
	gw_alerts_free(ctx);
	gw_health_free(ctx);
	gw_sched_free(ctx);
	gw_db_free(ctx);
	if (ctx->handler && ctx->handler->free)
		ctx->handler->free(ctx->handler_state);
	loop_free(ctx->loop);
	gw_config_free(ctx->config);
	free(ctx->config_path);
}

static int parse_options(int argc, char **argv, struct gw_options *opts)
{
	static const struct option longopts[] = {
			{"config", required_argument, NULL, 'f'},
			{"check", no_argument, NULL, 't'},
			{"foreground", no_argument, NULL, 'F'},
			{"debug", optional_argument, NULL, 'D'},
			{"timestamps", no_argument, NULL, 'T'},
			{"version", no_argument, NULL, 'V'},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	char bad[64];
	int ch;

	opts->config_file = DEFAULT_CONFIG;
	opts->debug_categories = LOG_CAT_DEFAULT;
	while ((ch = getopt_long(argc, argv, "f:tnFdTVh", longopts, NULL)) !=
			-1) {
		switch (ch) {
		case 'f':
			opts->config_file = optarg;
			break;
		case 't':
		case 'n': /* OpenSMTPD's spelling, GUIDE §4.10 */
			opts->check_only = true;
			break;
		case 'F':
			opts->foreground = true;
			break;
		case 'd':
			opts->debug = true;
			break;
		case 'D':
			opts->debug = true;
			if (optarg && log_parse_categories(optarg,
						      &opts->debug_categories,
						      bad, sizeof(bad)) < 0) {
				fprintf(stderr,
						"fieldgated: unknown debug "
						"category \"%s\"\n",
						bad);
				return EXIT_CONFIG;
			}
			break;
		case 'T':
			opts->timestamps = true;
			break;
		case 'V':
			printf("fieldgated %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return EXIT_CONFIG;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fieldgated: unexpected argument \"%s\"\n",
				argv[optind]);
		usage(stderr);
		return EXIT_CONFIG;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct gw_context ctx = {0};
	struct gw_config_errors errors = {0};
	int r;

	r = parse_options(argc, argv, &ctx.opts);
	if (r)
		return r;

	if (ctx.opts.check_only) {
		char why[PATH_MAX + 64];

		r = gw_config_load(ctx.opts.config_file, &ctx.config, &errors);
		report_errors(&errors, REPORT_STDERR);
		gw_config_errors_done(&errors);
		if (r < 0)
			return EXIT_CONFIG;
		if (check_rules_file(ctx.config, why, sizeof(why)) < 0) {
			fprintf(stderr, "%s: %s\n", ctx.opts.config_file, why);
			gw_config_free(ctx.config);
			return EXIT_CONFIG;
		}
		/* the rules file is part of the configuration */
		if (ctx.config->rules_file &&
				gw_rules_check_file(ctx.config->rules_file) <
						0) {
			gw_config_free(ctx.config);
			return EXIT_CONFIG;
		}
		printf("configuration OK\n");
		gw_config_free(ctx.config);
		return 0;
	}

	/* Until the config says otherwise, errors go to stderr. */
	log_init(true, LOG_LEVEL_INFO, LOG_CAT_DEFAULT, "fieldgated");
	ctx.config_path = realpath(ctx.opts.config_file, NULL);
	r = gw_config_load(ctx.config_path ? ctx.config_path
					   : ctx.opts.config_file,
			&ctx.config, &errors);
	report_errors(&errors, REPORT_ERROR);
	gw_config_errors_done(&errors);
	if (r < 0) {
		log_errx("cannot start: configuration \"%s\" has errors",
				ctx.opts.config_file);
		free(ctx.config_path);
		return EXIT_CONFIG;
	}
	{
		char why[PATH_MAX + 64];

		if (check_rules_file(ctx.config, why, sizeof(why)) < 0) {
			log_errx("cannot start: configuration \"%s\": %s",
					ctx.opts.config_file, why);
			gw_config_free(ctx.config);
			free(ctx.config_path);
			return EXIT_CONFIG;
		}
	}
	apply_log_settings(&ctx);
	warn_privileges(ctx.config_path);

	if (!ctx.opts.foreground) {
		/* Classic detach; under systemd run with -F instead. */
		if (daemon(0, 0) < 0)
			fatal("cannot become a daemon");
		log_init(false, LOG_LEVEL_INFO, LOG_CAT_DEFAULT, "fieldgated");
		apply_log_settings(&ctx);
	}

	r = gw_context_start(&ctx);
	if (r) {
		gw_context_done(&ctx);
		return r;
	}
	log_info("fieldgated %s started: config \"%s\", %zu modem%s, "
		 "pid %ld",
			PACKAGE_VERSION, ctx.config_path, ctx.config->n_modems,
			ctx.config->n_modems == 1 ? "" : "s", (long) getpid());
	r = loop_run(ctx.loop);
	if (r < 0) {
		log_errx("event loop failed: %s", strerror(-r));
		gw_context_done(&ctx);
		return 1;
	}
	r = ctx.exit_code;
	gw_context_done(&ctx);
	log_info("stopped");
	return r;
}
