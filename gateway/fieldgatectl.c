/*
 * fieldgatectl: the admin tool. A table of subcommands; each lives in its
 * own gateway/ctl_*.c file. Everything but `pdu` and `modems` talks to
 * PostgreSQL only, never to a daemon, so it works from any host that
 * reaches the database.
 */
#include <stdio.h>
#include <string.h>

#include <config.h>
#include "gateway/ctl.h"

static const struct ctl_cmd commands[] = {
		{"send", "queue an SMS: send NUMBER TEXT", ctl_send_run,
				ctl_send_usage},
		{"status", "modems as last reported, queue depths",
				ctl_status_run, ctl_status_usage},
		{"inbox",
				"received messages (--from --since --until "
				"--limit)",
				ctl_inbox_run, ctl_inbox_usage},
		{"outbox", "queued/sent messages with part states and reports",
				ctl_outbox_run, ctl_outbox_usage},
		{"ussd", "run a USSD code through a daemon, print the reply",
				ctl_ussd_run, ctl_ussd_usage},
		{"people", "add or list reps, supervisors and admins",
				ctl_people_run, ctl_people_usage},
		{"rules", "rule file: rules check, rules test, rules reload",
				ctl_rules_run, ctl_rules_usage},
		{"reports", "stored reports (filters: --from --form --since)",
				ctl_reports_run, ctl_reports_usage},
		{"report", "dashboard views: report compliance|today|approvals",
				ctl_report_run, ctl_report_usage},
		{"modems",
				"serial ports on THIS host, with USB ids (no "
				"database)",
				ctl_modems_run, ctl_modems_usage},
		{"db", "schema: db migrate, db status", ctl_db_run,
				ctl_db_usage},
		{"pdu", "decode or encode SMS PDUs (offline, no database)",
				ctl_pdu_run, ctl_pdu_usage},
		{"import", "load people|territories|outlets|cells from CSV",
				ctl_import_run, ctl_import_usage},
		{"export", "write people|territories|outlets|cells as CSV",
				ctl_export_run, ctl_import_usage},
		{"where", "a rep's territories and latest check-ins",
				ctl_where_run, ctl_where_usage},
		{"checkins", "check-ins with verdicts (--since --verdict)",
				ctl_checkins_run, ctl_checkins_usage},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: fieldgatectl [--db CONNINFO | -f CONFIG] COMMAND "
		   "[ARGS]\n"
		   "       fieldgatectl --help | --version | help COMMAND\n"
		   "\ncommands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name,
				commands[i].summary);
	fprintf(f, "\nListings take --json. Exit status: 0 ok, 1 failure, "
		   "2 usage error.\n" CTL_CONN_HELP);
}

static const struct ctl_cmd *find(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ctl_cmd *cmd;
	int i = 1, r;

	/* connection options may come before the command */
	while (i < argc && argv[i][0] == '-') {
		r = ctl_conn_option(argc, argv, &i);
		if (r < 0)
			return CTL_EXIT_USAGE;
		if (r == 0)
			break;
		i++;
	}
	if (i >= argc) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	if (!strcmp(argv[i], "--version")) {
		printf("fieldgatectl %s\n", PACKAGE_VERSION);
		return CTL_EXIT_OK;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 >= argc) {
			usage(stdout);
			return CTL_EXIT_OK;
		}
		cmd = find(argv[i + 1]);
		if (!cmd) {
			fprintf(stderr, "fieldgatectl: unknown command '%s'\n",
					argv[i + 1]);
			return CTL_EXIT_USAGE;
		}
		cmd->usage(stdout);
		return CTL_EXIT_OK;
	}
	cmd = find(argv[i]);
	if (!cmd) {
		fprintf(stderr, "fieldgatectl: unknown command '%s'\n",
				argv[i]);
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	return cmd->run(argc - i, argv + i);
}
