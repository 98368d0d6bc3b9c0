/*
 * bench_sim - how fast the simulator answers through its pty: AT round
 * trips, and receive cycles (inject -> +CMTI -> AT+CMGR -> AT+CMGD), unpaced
 * and at 115200 baud. Prints numbers; not run by make check.
 */
#include "config.h"

#include "modem/transport.h"
#include "tests/sim/sim.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct b {
	struct sim *sim;
	struct transport *tp;
	char buf[8192];
	size_t len;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Pump until @s appears (then drop up to it); -1 after 5 s. */
static int wait_for(struct b *b, const char *s)
{
	double end = now_s() + 5;

	for (;;) {
		char *at = memmem(b->buf, b->len, s, strlen(s));
		struct pollfd p[2] = {
				{.fd = sim_fd(b->sim), .events = POLLIN},
				{.fd = transport_fd(b->tp), .events = POLLIN},
		};
		ssize_t n;
		int t;

		if (at) {
			at += strlen(s);
			b->len -= (size_t) (at - b->buf);
			memmove(b->buf, at, b->len);
			return 0;
		}
		if (now_s() > end)
			return -1;
		t = sim_timeout_ms(b->sim);
		poll(p, 2, t < 0 || t > 10 ? 10 : t);
		sim_dispatch(b->sim);
		n = transport_read(b->tp, b->buf + b->len,
				sizeof(b->buf) - b->len);
		if (n > 0)
			b->len += (size_t) n;
	}
}

static int cmd(struct b *b, const char *c, const char *want)
{
	if (transport_write(b->tp, c, strlen(c)) != (ssize_t) strlen(c))
		return -1;
	return wait_for(b, want);
}

static int run(int baud)
{
	struct sim_config cfg;
	struct sim_sms in = {.text = "Weekly report: malaria 12, cholera 0"};
	char spec[96];
	struct b *b = calloc(1, sizeof(*b));
	double t0, t;
	int i, n = 1000, m = 200;

	if (!b)
		return -1;
	sim_config_init(&cfg);
	cfg.baud = baud;
	cfg.sm_capacity = 30;
	if (sim_new(&cfg, &b->sim, NULL) < 0)
		return -1;
	snprintf(spec, sizeof(spec), "tty:%s", sim_path(b->sim));
	if (transport_open(spec, 115200, false, &b->tp, NULL) < 0)
		return -1;
	if (cmd(b, "ATE0;+CNMI=2,1,0,0,0\r", "OK\r\n") < 0)
		return -1;
	t0 = now_s();
	for (i = 0; i < n; i++)
		if (cmd(b, "AT\r", "OK\r\n") < 0)
			return -1;
	t = now_s() - t0;
	printf("baud %-6s AT round trip: %d in %.3f s = %.1f us each\n",
			baud ? "115200" : "none", n, t, t / n * 1e6);
	t0 = now_s();
	for (i = 0; i < m; i++) {
		if (sim_inject_sms(b->sim, &in, NULL) != 1 ||
				wait_for(b, "+CMTI: \"SM\",1\r\n") < 0 ||
				cmd(b, "AT+CMGR=1\r", "OK\r\n") < 0 ||
				cmd(b, "AT+CMGD=1\r", "OK\r\n") < 0)
			return -1;
	}
	t = now_s() - t0;
	printf("baud %-6s receive cycle (inject, +CMTI, CMGR, CMGD): %d in "
	       "%.3f s = %.2f ms each\n",
			baud ? "115200" : "none", m, t, t / m * 1e3);
	transport_close(b->tp);
	sim_free(b->sim);
	free(b);
	return 0;
}

int main(void)
{
	if (run(0) < 0 || run(115200) < 0) {
		fprintf(stderr, "bench_sim: failed\n");
		return 1;
	}
	return 0;
}
