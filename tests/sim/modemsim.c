/*
 * modemsim - the modem simulator as a program, for the daemon's integration
 * tests, the demo and developers (docs/SIMULATOR.md).
 *
 *   modemsim [--link PATH] [--control SOCKET] [--pin PIN] [--baud N]
 *            [--capacity N] [--sim-busy MS] [--cnma-timeout MS]
 *            [--init FILE]
 *
 * Prints the path to open (the link if given, else the pty slave) on stdout
 * as its first line, then serves until SIGINT/SIGTERM.
 */
#include "config.h"

#include "tests/sim/sim.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void) sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: modemsim [--link PATH] [--control SOCKET] [--pin "
		   "PIN]\n"
		   "                [--baud N] [--capacity N] [--sim-busy MS]\n"
		   "                [--cnma-timeout MS] [--init FILE]\n");
}

/* Run control commands from a file, one per line (# comments). */
static int run_init(struct sim *sim, const char *path)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	int lineno = 0;

	if (!f) {
		fprintf(stderr, "modemsim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *out = NULL;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (sim_command(sim, line, &out) < 0) {
			fprintf(stderr, "modemsim: %s:%d: %s\n", path, lineno,
					out ? out : "error");
			free(out);
			fclose(f);
			return -1;
		}
		free(out);
	}
	fclose(f);
	return 0;
}

static unsigned long num(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s) {
		fprintf(stderr, "modemsim: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
			{"link", required_argument, NULL, 'l'},
			{"control", required_argument, NULL, 'c'},
			{"pin", required_argument, NULL, 'p'},
			{"baud", required_argument, NULL, 'b'},
			{"capacity", required_argument, NULL, 'n'},
			{"sim-busy", required_argument, NULL, 's'},
			{"cnma-timeout", required_argument, NULL, 't'},
			{"init", required_argument, NULL, 'i'},
			{"help", no_argument, NULL, 'h'},
			{NULL, 0, NULL, 0},
	};
	struct sim_config cfg;
	struct sigaction sa = {0};
	const char *init = NULL;
	char reason[160] = "";
	struct sim *sim;
	int c, r;

	sim_config_init(&cfg);
	while ((c = getopt_long(argc, argv, "l:c:p:b:n:s:t:i:h", opts, NULL)) !=
			-1) {
		switch (c) {
		case 'l':
			cfg.link_path = optarg;
			break;
		case 'c':
			cfg.control_path = optarg;
			break;
		case 'p':
			cfg.pin = optarg;
			break;
		case 'b':
			cfg.baud = (int) num(optarg, "baud");
			break;
		case 'n':
			cfg.sm_capacity = (unsigned) num(optarg, "capacity");
			break;
		case 's':
			cfg.sim_busy_ms = (unsigned) num(optarg, "sim-busy");
			break;
		case 't':
			cfg.cnma_timeout_ms =
					(unsigned) num(optarg, "cnma-timeout");
			break;
		case 'i':
			init = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	r = sim_new(&cfg, &sim, reason);
	if (r < 0) {
		fprintf(stderr, "modemsim: %s\n",
				reason[0] ? reason : strerror(-r));
		return 1;
	}
	if (init && run_init(sim, init) < 0) {
		sim_free(sim);
		return 1;
	}
	printf("%s\n", sim_path(sim));
	fflush(stdout);
	while (!stop) {
		struct pollfd p = {.fd = sim_fd(sim), .events = POLLIN};

		if (poll(&p, 1, sim_timeout_ms(sim)) < 0 && errno != EINTR)
			break;
		if (sim_dispatch(sim) < 0)
			break;
	}
	sim_free(sim);
	return 0;
}
