/*
 * fieldgatectl subcommands. Each is one entry of the table in
 * fieldgatectl.c: add a function with this signature and a row there.
 * run() gets argv starting at the subcommand name and returns the exit
 * status: 0 success, 1 failure (message on stderr), 2 usage error.
 */
#ifndef FIELDGATE_GATEWAY_CTL_H
#define FIELDGATE_GATEWAY_CTL_H

#include <stdio.h>

#define CTL_EXIT_OK 0
#define CTL_EXIT_FAIL 1
#define CTL_EXIT_USAGE 2

struct ctl_cmd {
	const char *name;
	const char *summary;			/* one line for --help */
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *f);			/* detailed help */
};

/* `fieldgatectl pdu ...` (gateway/ctl_pdu.c) */
int ctl_pdu_run(int argc, char **argv);
void ctl_pdu_usage(FILE *f);

#endif
