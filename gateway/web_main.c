/*
 * gateway/web_main.c: fieldgate-web, the read-only web dashboard
 * (docs/fieldgate-web.8). Reads its configuration, starts the server and
 * waits for SIGTERM/SIGINT.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/log.h"
#include "gateway/web.h"
#include "gateway/web_config.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static void usage(FILE *fp)
{
	fprintf(fp,
			"usage: fieldgate-web [-t] [-f FILE] [-p FILE]\n"
			"  -f FILE  configuration (default "
			"%s/fieldgate-web.conf)\n"
			"  -t       check the configuration and exit\n"
			"  -p FILE  write the port listened on to FILE\n"
			"  -V       version\n",
			SYSCONFDIR);
}

int main(int argc, char **argv)
{
	const char *path = SYSCONFDIR "/fieldgate-web.conf";
	const char *port_file = NULL;
	struct web_config *cfg = NULL;
	struct web_server *srv = NULL;
	char *errors = NULL;
	bool test = false;
	sigset_t set;
	int opt, sig, r;

	while ((opt = getopt(argc, argv, "f:tp:Vh")) != -1) {
		switch (opt) {
		case 'f':
			path = optarg;
			break;
		case 't':
			test = true;
			break;
		case 'p':
			port_file = optarg;
			break;
		case 'V':
			printf("fieldgate-web %s\n", PACKAGE_VERSION);
			return 0;
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
	log_init(true, LOG_LEVEL_INFO, LOG_CAT_DEFAULT, "fieldgate-web");
	r = web_config_load(path, &cfg, &errors);
	if (errors)
		fputs(errors, stderr);
	free(errors);
	if (r < 0) {
		log_warnx("%s: configuration not loaded", path);
		return 1;
	}
	if (test) {
		printf("%s: configuration OK\n", path);
		web_config_free(cfg);
		return 0;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	r = web_server_start(cfg, &srv);
	if (r < 0) {
		web_config_free(cfg);
		return 1;
	}
	log_info("listening on port %d", web_server_port(srv));
	if (port_file) {
		FILE *fp = fopen(port_file, "w");
		if (fp) {
			fprintf(fp, "%d\n", web_server_port(srv));
			fclose(fp);
		}
	}
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP)
			continue; /* nothing to reload: sessions live in the db */
		break;
	}
	log_info("stopping");
	web_server_stop(srv);
	web_config_free(cfg);
	return 0;
}
