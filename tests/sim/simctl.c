/*
 * simctl - a client for modemsim's control socket (docs/SIMULATOR.md), for
 * the daemon and end-to-end tests, the demo and the benchmark scripts.
 *
 *   simctl SOCKET COMMAND...   run each argument as one command
 *   simctl SOCKET              run every line of stdin as one command
 *
 * Replies are printed on stdout without the final "OK". A command answered
 * "ERR <message>" prints "simctl: <command>: <message>" on stderr; the run
 * goes on with the next command and the exit status is 1. Exit 2: usage,
 * 3: cannot connect or the connection broke.
 *
 * One connection serves every command, so injecting 500 messages costs one
 * process and one connect. No socat needed (it is not in scripts/install-deps).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Read buffer of the connection: a reply line can be a long sent-log entry. */
struct conn {
	int fd;
	char buf[65536];
	size_t len;
};

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t) w;
	}
	return 0;
}

/*
 * Reads one line (without the newline) into @line of @size bytes. A longer
 * line is cut to fit (the rest is dropped). Returns 0, or -EPIPE at EOF /
 * -errno.
 */
static int read_line(struct conn *c, char *line, size_t size)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		ssize_t r;

		if (nl) {
			size_t n = (size_t) (nl - c->buf);
			size_t k = n < size - 1 ? n : size - 1;

			memcpy(line, c->buf, k);
			line[k] = '\0';
			if (k > 0 && line[k - 1] == '\r')
				line[k - 1] = '\0';
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return 0;
		}
		if (c->len == sizeof(c->buf)) {
			/* A line longer than the buffer: deliver a piece. */
			size_t k = size - 1 < c->len ? size - 1 : c->len;

			memcpy(line, c->buf, k);
			line[k] = '\0';
			c->len = 0;
			return 0;
		}
		r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EPIPE;
		c->len += (size_t) r;
	}
}

/* Runs one command; 0 OK, 1 ERR, negative: connection failure. */
static int run(struct conn *c, const char *cmd)
{
	static char line[65536];
	size_t n = strlen(cmd);
	int r;

	while (n > 0 && (cmd[n - 1] == '\n' || cmd[n - 1] == '\r'))
		n--;
	if (n == 0)
		return 0;
	r = write_all(c->fd, cmd, n);
	if (r == 0)
		r = write_all(c->fd, "\n", 1);
	if (r < 0)
		return r;
	for (;;) {
		r = read_line(c, line, sizeof(line));
		if (r < 0)
			return r;
		if (strcmp(line, "OK") == 0)
			return 0;
		if (strncmp(line, "ERR", 3) == 0 &&
				(line[3] == ' ' || line[3] == '\0')) {
			fprintf(stderr, "simctl: %.*s: %s\n", (int) n, cmd,
					line[3] ? line + 4 : "error");
			return 1;
		}
		fputs(line, stdout);
		fputc('\n', stdout);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	static struct conn c;
	int status = 0, r, i;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fprintf(argc < 2 ? stderr : stdout,
				"usage: simctl SOCKET [COMMAND...]\n"
				"Without COMMANDs, each line of stdin is "
				"one.\n");
		return argc < 2 ? 2 : 0;
	}
	if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "simctl: socket path too long: %s\n", argv[1]);
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	c.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c.fd < 0 || connect(c.fd, (struct sockaddr *) &sa, sizeof(sa))) {
		fprintf(stderr, "simctl: %s: %s\n", argv[1], strerror(errno));
		return 3;
	}
	if (argc > 2) {
		for (i = 2; i < argc; i++) {
			r = run(&c, argv[i]);
			if (r < 0)
				goto broken;
			status |= r;
		}
	} else {
		char *line = NULL;
		size_t cap = 0;

		while (getline(&line, &cap, stdin) > 0) {
			r = run(&c, line);
			if (r < 0) {
				free(line);
				goto broken;
			}
			status |= r;
		}
		free(line);
	}
	close(c.fd);
	return status;
broken:
	fprintf(stderr, "simctl: %s: connection lost: %s\n", argv[1],
			strerror(-r));
	close(c.fd);
	return 3;
}
