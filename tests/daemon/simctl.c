/*
 * tests/daemon/simctl.c - a tiny client for modemsim's control socket
 * (docs/SIMULATOR.md "Control protocol"), so the daemon tests need neither
 * socat nor python.
 *
 *	simctl SOCKET WORD...
 *
 * Sends the words joined by spaces as one line, prints the reply lines and
 * exits 0 after "OK", 1 after "ERR ...", 2 on usage or socket errors.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[8192], buf[4096], acc[65536];
	size_t n = 0, len = 0;
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
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
		fprintf(stderr, "simctl: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (write(fd, line, n) != (ssize_t) n) {
		fprintf(stderr, "simctl: write: %s\n", strerror(errno));
		return 2;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;
		char *start, *nl;

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
		start = acc;
		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			printf("%s\n", start);
			if (!strcmp(start, "OK"))
				return 0;
			if (!strncmp(start, "ERR", 3))
				return 1;
			start = nl + 1;
		}
		len = strlen(start);
		memmove(acc, start, len + 1);
	}
}
