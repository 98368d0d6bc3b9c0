/*
 * fieldgatectl: the admin tool. A table of subcommands; each lives in its
 * own gateway/ctl_*.c file.
 */
#include <stdio.h>
#include <string.h>

#include <config.h>
#include "gateway/ctl.h"

static const struct ctl_cmd commands[] = {
	{ "pdu", "decode or encode SMS PDUs (offline, no database)",
	  ctl_pdu_run, ctl_pdu_usage },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: fieldgatectl [--help | --version] COMMAND [ARGS]\n"
		   "       fieldgatectl help COMMAND\n\ncommands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
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

	if (argc < 2) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("fieldgatectl %s\n", PACKAGE_VERSION);
		return CTL_EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return CTL_EXIT_OK;
		}
		cmd = find(argv[2]);
		if (!cmd) {
			fprintf(stderr, "fieldgatectl: unknown command '%s'\n",
				argv[2]);
			return CTL_EXIT_USAGE;
		}
		cmd->usage(stdout);
		return CTL_EXIT_OK;
	}
	cmd = find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "fieldgatectl: unknown command '%s'\n",
			argv[1]);
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
