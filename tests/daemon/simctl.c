/*
 * tests/daemon/simctl.c - a tiny client for modemsim's control socket
 * (docs/SIMULATOR.md "Control protocol"), so the daemon tests need neither
 * socat nor python.
 *
 *	simctl SOCKET WORD...
 *	simctl SOCKET - < COMMANDS
 *
 * Sends the words joined by spaces as one line, prints the reply lines and
 * exits 0 after "OK", 1 after "ERR ...", 2 on usage or socket errors.
 * With "-", sends each line of stdin in turn on one connection (waiting
 * for each reply; fast for floods) and exits 1 if any got "ERR".
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Reads one reply (lines up to "OK" / "ERR ..."): 0, 1 or 2. */
static int read_reply(int fd, bool quiet)
{
	static char acc[65536];
	static size_t len;
	char buf[4096];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char *start = acc, *nl;
		ssize_t r;

		acc[len] = '\0';
		while ((nl = strchr(start, '\n'))) {
			int rc = -1;

			*nl = '\0';
			if (!quiet)
				printf("%s\n", start);
			if (!strcmp(start, "OK"))
				rc = 0;
			else if (!strncmp(start, "ERR", 3))
				rc = 1;
			start = nl + 1;
			if (rc >= 0) {
				len = strlen(start);
				memmove(acc, start, len + 1);
				return rc;
			}
		}
		len = strlen(start);
		memmove(acc, start, len + 1);
		if (poll(&p, 1, 10000) <= 0) {
			fprintf(stderr, "simctl: no reply\n");
			return 2;
		}
		r = read(fd, buf, sizeof(buf));
		if (r <= 0) {
			fprintf(stderr, "simctl: connection closed\n");
			return 2;
		}
		if (len + (size_t) r >= sizeof(acc)) {
			fprintf(stderr, "simctl: reply too long\n");
			return 2;
		}
		memcpy(acc + len, buf, (size_t) r);
		len += (size_t) r;
		acc[len] = '\0';
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[8192];
	size_t n = 0;
	int fd, i;

	if (argc < 3) {
		fprintf(stderr, "usage: simctl SOCKET WORD...\n");
		return 2;
	}
	if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "simctl: socket path too long\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
		fprintf(stderr, "simctl: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (argc == 3 && !strcmp(argv[2], "-")) {
		int worst = 0;

		while (fgets(line, sizeof(line), stdin)) {
			int rc;

			n = strlen(line);
			if (n == 0 || line[n - 1] != '\n')
				line[n++] = '\n';
			if (write(fd, line, n) != (ssize_t) n) {
				fprintf(stderr, "simctl: write: %s\n",
					strerror(errno));
				return 2;
			}
			rc = read_reply(fd, true);
			if (rc == 2)
				return 2;
			if (rc > worst)
				worst = rc;
		}
		return worst;
	}
	for (i = 2; i < argc; i++) {
		int w = snprintf(line + n, sizeof(line) - n, "%s%s",
				 i > 2 ? " " : "", argv[i]);

		if (w < 0 || (size_t) w >= sizeof(line) - n - 1) {
			fprintf(stderr, "simctl: command too long\n");
			return 2;
		}
		n += (size_t) w;
	}
	line[n++] = '\n';
	if (write(fd, line, n) != (ssize_t) n) {
		fprintf(stderr, "simctl: write: %s\n", strerror(errno));
		return 2;
	}
	return read_reply(fd, false);
}
