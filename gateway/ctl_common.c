/*
 * What every database command of fieldgatectl shares: choosing and opening
 * the connection, the schema check, one-line error messages, modem names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/migrate.h"
#include "db/store_ctl.h"
#include "gateway/gwconfig.h"
#include "gateway/ctl.h"

/* Seconds to wait for the server before saying it is unreachable. */
#define CTL_CONNECT_TIMEOUT_S 5
/* A query of an admin tool never needs longer than this. */
#define CTL_STATEMENT_TIMEOUT_MS 15000

/*
 * The connection options. Program-wide on purpose: they are parsed from
 * argv (before or after the command name) and read once by ctl_open().
 */
static const char *opt_db;
static const char *opt_config;

int ctl_conn_option(int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	const char **slot;

	if (!strcmp(a, "--db"))
		slot = &opt_db;
	else if (!strcmp(a, "-f") || !strcmp(a, "--config"))
		slot = &opt_config;
	else if (!strncmp(a, "--db=", 5)) {
		opt_db = a + 5;
		return 1;
	} else if (!strncmp(a, "--config=", 9)) {
		opt_config = a + 9;
		return 1;
	} else
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "fieldgatectl: %s needs a value\n", a);
		return -1;
	}
	*slot = argv[++*i];
	return 1;
}

int ctl_common_option(int argc, char **argv, int *i, bool *json,
		void (*usage)(FILE *f))
{
	int r = ctl_conn_option(argc, argv, i);

	if (r < 0)
		return CTL_EXIT_USAGE;
	if (r > 0)
		return CTL_OPT_TAKEN;
	if (!strcmp(argv[*i], "--json")) {
		*json = true;
		return CTL_OPT_TAKEN;
	}
	if (!strcmp(argv[*i], "--help")) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	return CTL_OPT_OTHER;
}

int ctl_run_subcmd(const char *prog, const struct ctl_subcmd *subs, size_t n,
		void (*usage)(FILE *f), int argc, char **argv)
{
	size_t k;

	if (argc < 2) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	for (k = 0; k < n; k++)
		if (!strcmp(argv[1], subs[k].name))
			return subs[k].run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	fprintf(stderr, "%s: unknown subcommand '%s'\n", prog, argv[1]);
	usage(stderr);
	return CTL_EXIT_USAGE;
}

int ctl_bad_option(const char *prog, const char *arg)
{
	fprintf(stderr, "%s: unknown option or missing value '%s'\n", prog,
			arg);
	return CTL_EXIT_USAGE;
}

static int load_config(struct ctl_session *s)
{
	struct gw_config_errors errors = {0};
	size_t i;
	int r;

	r = gw_config_load(opt_config, &s->config, &errors);
	if (r < 0) {
		/* the first diagnostic is enough for one line; others follow */
		fprintf(stderr, "%s: cannot use config %s: %s\n", s->prog,
				opt_config,
				errors.n ? errors.lines[0] : strerror(-r));
		for (i = 1; i < errors.n; i++)
			fprintf(stderr, "  %s\n", errors.lines[i]);
		gw_config_errors_done(&errors);
		return -1;
	}
	gw_config_errors_done(&errors);
	return 0;
}

int ctl_open(const char *prog, bool check_schema, struct ctl_session *ret)
{
	struct ctl_session s = {.prog = prog};
	struct db_error err;
	const char *conninfo, *from;
	int connect_s = CTL_CONNECT_TIMEOUT_S;
	int stmt_ms = CTL_STATEMENT_TIMEOUT_MS;
	int r;

	if (opt_config && load_config(&s) < 0)
		return -1;
	if (opt_db) {
		conninfo = opt_db;
		from = "--db";
	} else if (s.config) {
		conninfo = s.config->db_conninfo ? s.config->db_conninfo : "";
		from = s.config->path ? s.config->path : opt_config;
		if (s.config->db_connect_timeout_s > 0)
			connect_s = s.config->db_connect_timeout_s;
	} else if (getenv("FIELDGATE_DB") && *getenv("FIELDGATE_DB")) {
		conninfo = getenv("FIELDGATE_DB");
		from = "$FIELDGATE_DB";
	} else {
		conninfo = "";
		from = "PG* environment";
	}
	r = db_connect(conninfo, "fieldgatectl", connect_s, stmt_ms, &s.db,
			&err);
	if (r < 0) {
		/* never print the conninfo itself: it may hold a password */
		fprintf(stderr,
				"%s: database unreachable (conninfo from %s): "
				"%s\n",
				prog, from, err.message);
		gw_config_free(s.config);
		return -1;
	}
	if (check_schema) {
		r = db_schema_check(s.db, NULL, &err);
		if (r < 0) {
			if (r == -ESTALE || r == -EPROTO)
				fprintf(stderr, "%s: %s\n", prog, err.message);
			else
				ctl_db_error(&s, "schema check", r, &err);
			ctl_close(&s);
			return -1;
		}
	}
	*ret = s;
	return 0;
}

void ctl_close(struct ctl_session *s)
{
	if (!s)
		return;
	db_free(s->db);
	gw_config_free(s->config);
	s->db = NULL;
	s->config = NULL;
}

void ctl_db_error(const struct ctl_session *s, const char *what, int r,
		const struct db_error *err)
{
	const char *prog = s && s->prog ? s->prog : "fieldgatectl";
	const char *msg = err && err->message[0] ? err->message
						 : strerror(r < 0 ? -r : r);

	if (err && db_is_connection_error(err))
		fprintf(stderr, "%s: %s: database connection lost: %s\n", prog,
				what, msg);
	else if (r == -ETIMEDOUT)
		fprintf(stderr, "%s: %s: timed out: %s\n", prog, what, msg);
	else
		fprintf(stderr, "%s: %s: %s\n", prog, what, msg);
}

int ctl_check_modem(struct ctl_session *s, const char *name)
{
	struct db_error err;
	char **names = NULL;
	size_t n = 0, i;
	bool first = true;
	int r;

	if (s->config && gw_config_find_modem(s->config, name))
		return 0;
	r = db_ctl_modem_names(s->db, &names, &n, &err);
	if (r < 0) {
		ctl_db_error(s, "listing modems", r, &err);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!strcmp(names[i], name)) {
			free(names);
			return 0;
		}
	}
	if (!n && !(s->config && s->config->n_modems)) {
		fprintf(stderr,
				"%s: unknown modem '%s' (no modem known yet: "
				"none has reported status; pass -f CONFIG to "
				"use the config's modems)\n",
				s->prog, name);
		free(names);
		return -1;
	}
	fprintf(stderr, "%s: unknown modem '%s' (known: ", s->prog, name);
	for (i = 0; i < n; i++) {
		fprintf(stderr, "%s%s", first ? "" : ", ", names[i]);
		first = false;
	}
	for (i = 0; s->config && i < s->config->n_modems; i++) {
		const char *cn = s->config->modems[i].name;
		size_t k;

		for (k = 0; k < n && strcmp(names[k], cn); k++)
			;
		if (k < n)
			continue; /* already listed */
		fprintf(stderr, "%s%s", first ? "" : ", ", cn);
		first = false;
	}
	fprintf(stderr, ")\n");
	free(names);
	return -1;
}
