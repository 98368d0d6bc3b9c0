/*
 * bench_e2e - fieldgated end to end: inbound message -> acknowledgement,
 * measured at the simulated modem (SPEC §7). Not a test: prints numbers.
 * tests/bench/bench_e2e.sh runs it under a throwaway PostgreSQL with the
 * people it needs; docs/DEMO.md explains the table.
 *
 *   bench_e2e --fieldgated PATH --dir DIR --conninfo STR --prefix DIGITS
 *             --senders N [--mode steady|burst] [--count N] [--rate R]
 *             [--baud B] [--capacity N] [--tag T] [--header]
 *             [--send-ms MS] [--modems 1|2]
 *
 * The simulator runs in this process (tests/sim/libsim.a), so the moment
 * an AT+CMGS PDU arrives is seen without a control-socket round trip. One
 * run = one fresh simulator and one fresh fieldgated:
 *
 *  steady: COUNT messages (Chinese; every tenth in two parts) injected at
 *          RATE per second, senders round robin. Latency of a message =
 *          its injection into the simulator -> the AT+CMGS of its
 *          acknowledgement arriving at the simulator (matched per sender,
 *          first in first out). Throughput = acknowledgements / (last ack
 *          - first injection).
 *  burst:  COUNT messages (every fifth in three parts: 200 -> 280 PDUs)
 *          injected at once into a CAPACITY-slot SIM. Stored-and-queued
 *          rate = COUNT / (injection -> the last acknowledgement row
 *          INSERTed, seen through LISTEN fieldgate_outbound), then the time
 *          until every acknowledgement went out.
 *
 * --send-ms: every AT+CMGS takes MS +- 10 % (the simulator's send-ms /
 * send-jitter: a real modem's network round trip). --modems 2: a second
 * simulated modem on the same daemon; the burst arrives at the first,
 * acknowledgements go out through both ("per modem" column).
 * "wakeups" = the daemon's context switches until all acks were queued.
 *
 * CPU = fieldgated's utime+stime (/proc/PID/stat) over the measured span;
 * RSS = its VmHWM. AT commands per message = the simulator's command
 * counters over the span / COUNT, "rx" without the AT+CMGS of the replies.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/sim/sim.h"

#define RING 64 /* pending injections per sender */

struct opts {
	const char *fieldgated, *dir, *conninfo, *prefix, *mode, *tag;
	int senders, count, baud, capacity, send_rate, send_ms, modems;
	double rate;
	bool header;
	const char *rules; /* --rules: the rules handler; any reply counts */
};

struct sender_q {
	uint64_t t[RING];
	unsigned head, n;
};

struct bench {
	struct opts o;
	struct sim *sim;  /* the modem the burst arrives at */
	struct sim *sim2; /* a second modem (--modems 2): sends only */
	size_t seen_sent2;
	long sent_by[2]; /* acknowledgements per modem */
	pid_t pid;
	struct sender_q *q;
	double *lat;
	size_t nlat, seen_sent;
	long pdus; /* PDUs injected */
	uint64_t first_inject, last_ack;
	long at_base, cmgs_base;
	double cpu_base;
	long csw_base, csw_q;
	PGconn *pg;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

__attribute__((format(printf, 2, 3), noreturn)) static void die(
		struct bench *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench_e2e: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	if (b && b->pid > 0) {
		kill(b->pid, SIGKILL);
		waitpid(b->pid, NULL, 0);
		fprintf(stderr, "bench_e2e: daemon log: %s/bench-daemon.log\n",
				b->o.dir);
	}
	exit(1);
}

/* Sum of the simulator's AT command counters (names not lower case). */
static void at_counts_one(
		struct bench *b, struct sim *sim, long *ret_all, long *ret_cmgs)
{
	char *out = NULL, *line, *save = NULL;
	long all = 0, cmgs = 0;

	if (sim_command(sim, "counters", &out) < 0 || !out)
		die(b, "%s", "simulator counters failed");
	for (line = strtok_r(out, "\n", &save); line;
			line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		long v;

		if (sscanf(line, "count %63s %ld", name, &v) != 2)
			continue;
		if (name[0] >= 'a' && name[0] <= 'z')
			continue; /* an event, not a command */
		all += v;
		if (strcmp(name, "+CMGS") == 0)
			cmgs += v;
	}
	free(out);
	*ret_all = all;
	*ret_cmgs = cmgs;
}

/* Both modems' counters summed. */
static void at_counts(struct bench *b, long *ret_all, long *ret_cmgs)
{
	long a2 = 0, c2 = 0;

	at_counts_one(b, b->sim, ret_all, ret_cmgs);
	if (b->sim2)
		at_counts_one(b, b->sim2, &a2, &c2);
	*ret_all += a2;
	*ret_cmgs += c2;
}

/* fieldgated's user+system CPU seconds so far. */
static double cpu_seconds(struct bench *b)
{
	char path[64], buf[2048], *p;
	unsigned long ut, st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int) b->pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(b, "%s", "cannot read the daemon's /proc stat");
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		die(b, "%s", "cannot read the daemon's /proc stat");
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* after ')': state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime (proc(5) fields 3..15) */
	if (!p || sscanf(p + 2,
				  "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
				  "%*u %lu %lu",
				  &ut, &st) != 2)
		die(b, "%s", "cannot parse the daemon's /proc stat");
	return (double) (ut + st) / (double) sysconf(_SC_CLK_TCK);
}

static long vm_hwm_kb(struct bench *b)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int) b->pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* fieldgated's context switches so far (its wake-ups, roughly). */
static long ctx_switches(struct bench *b)
{
	char path[64], line[256];
	long v = 0, n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int) b->pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		long x;

		if (sscanf(line, "voluntary_ctxt_switches: %ld", &x) == 1)
			v = x;
		else if (sscanf(line, "nonvoluntary_ctxt_switches: %ld", &x) ==
				1)
			n = x;
	}
	fclose(f);
	return v + n;
}

static void check_daemon(struct bench *b)
{
	int st;

	if (waitpid(b->pid, &st, WNOHANG) == b->pid) {
		b->pid = -1;
		die(b, "%s", "fieldgated exited during the run");
	}
}

static void write_config(struct bench *b, char *path, size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/bench.conf", b->o.dir);
	f = fopen(path, "w");
	if (!f)
		die(b, "cannot write %s", path);
	fprintf(f,
			"database = { conninfo = \"%s\"; };\n"
			"log = { level = \"warning\"; };\n"
			"handler = { ack_template = \"已收到 #%%id\";\n"
			"            reply_limit_per_hour = 3600; };\n"
			"modems = ( { name = \"bench\"; device = \"tty:%s\";\n"
			"             storage = \"SM\"; delivery = "
			"\"stored\";\n"
			"             send_rate = %d; }%s",
			b->o.conninfo, sim_path(b->sim), b->o.send_rate,
			b->sim2 ? ",\n" : " );\n");
	if (b->sim2)
		fprintf(f,
				"           { name = \"bench2\"; device = "
				"\"tty:%s\";\n"
				"             storage = \"SM\"; delivery = "
				"\"stored\";\n"
				"             send_rate = %d; } );\n",
				sim_path(b->sim2), b->o.send_rate);
	if (b->o.rules)
		fprintf(f, "rules_file = \"%s\";\n", b->o.rules);
	fclose(f);
}

static void start_daemon(struct bench *b)
{
	char conf[512], log[512];

	write_config(b, conf, sizeof(conf));
	snprintf(log, sizeof(log), "%s/bench-daemon.log", b->o.dir);
	b->pid = fork();
	if (b->pid < 0)
		die(b, "%s", "fork failed");
	if (b->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
			close(fd);
		}
		execl(b->o.fieldgated, "fieldgated", "-F", "-f", conf,
				(char *) NULL);
		_exit(127);
	}
}

/* Runs the simulator (and notices acks) for up to @ms. */
static void pump(struct bench *b, int ms);

/* Records acknowledgements that arrived since the last call. */
static void scan_one(struct bench *b, struct sim *sim, size_t *seen, int k)
{
	size_t n = sim_sent_count(sim), plen = strlen(b->o.prefix);
	uint64_t t = now_us();

	for (; *seen < n; (*seen)++) {
		const struct sim_sent *e = sim_sent_get(sim, *seen);
		struct sender_q *q;
		long idx;

		if (!e || (!b->o.rules && strncmp(e->text, "已收到",
							  strlen("已收到")) !=
							  0))
			continue;
		if (e->to[0] != '+' || strncmp(e->to + 1, b->o.prefix, plen))
			continue;
		idx = strtol(e->to + 1 + plen, NULL, 10) - 1;
		if (idx < 0 || idx >= b->o.senders)
			continue;
		q = &b->q[idx];
		if (q->n == 0)
			continue; /* an ack we did not expect */
		b->lat[b->nlat++] = (double) (t - q->t[q->head]) / 1e6;
		q->head = (q->head + 1) % RING;
		q->n--;
		b->last_ack = t;
		b->sent_by[k]++;
	}
}

static void scan_sent(struct bench *b)
{
	scan_one(b, b->sim, &b->seen_sent, 0);
	if (b->sim2)
		scan_one(b, b->sim2, &b->seen_sent2, 1);
}

static void pump(struct bench *b, int ms)
{
	struct pollfd pfd[3];
	int n = 1, to, t2, pg = -1;

	pfd[0].fd = sim_fd(b->sim);
	pfd[0].events = POLLIN;
	to = sim_timeout_ms(b->sim);
	if (b->sim2) {
		pfd[n].fd = sim_fd(b->sim2);
		pfd[n].events = POLLIN;
		n++;
		t2 = sim_timeout_ms(b->sim2);
		if (t2 >= 0 && (to < 0 || t2 < to))
			to = t2;
	}
	if (b->pg) {
		pg = n;
		pfd[n].fd = PQsocket(b->pg);
		pfd[n].events = POLLIN;
		n++;
	}
	if (to < 0 || to > ms)
		to = ms;
	poll(pfd, (nfds_t) n, to);
	if (sim_dispatch(b->sim) < 0 || (b->sim2 && sim_dispatch(b->sim2) < 0))
		die(b, "%s", "simulator failure");
	if (pg >= 0 && (pfd[pg].revents & POLLIN))
		PQconsumeInput(b->pg);
	scan_sent(b);
}

/* Waits until fieldgated has set the modem up: commands seen, then none
 * for 700 ms. */
static void wait_ready(struct bench *b)
{
	uint64_t deadline = now_us() + 20000000u, quiet_since = 0;
	long last = 0, all, cmgs;

	for (;;) {
		pump(b, 50);
		check_daemon(b);
		at_counts(b, &all, &cmgs);
		if (all != last) {
			last = all;
			quiet_since = now_us();
		} else if (all > 0 && now_us() - quiet_since > 700000u) {
			return;
		}
		if (now_us() > deadline)
			die(b, "%s",
					all ? "the modem set-up never ended"
					    : "fieldgated never sent an AT "
					      "command to the "
					      "modem (are its modem pipelines "
					      "there?)");
	}
}

static const char *const shorts[] = {
		"签到 JN0231",
		"日报 120 3500 8",
		"库存 A12 40 箱",
		"拜访 王记超市 已下单",
		"日报 95 2800 6 天气不好",
};
static const char long_text[] =
		"周报：本周拜访客户二十三家，新开门店四家，回款三万五千元，"
		"王记超市要求下周补货五十箱，李家便利店投诉包装破损，请主管协助"
		"处理。"
		"明天去城东片区继续拜访。";

static void inject(struct bench *b, int i, unsigned parts)
{
	char from[32], text[1024];
	struct sim_sms sms = {0};
	const char *why = "?";
	struct sender_q *q;
	int idx = i % b->o.senders, r;

	snprintf(from, sizeof(from), "+%s%06d", b->o.prefix, idx + 1);
	if (parts > 1)
		snprintf(text, sizeof(text), "%s #%s%d", long_text, b->o.tag,
				i);
	else if (i % 7 == 3)
		snprintf(text, sizeof(text),
				"REPORT visits 12 sales 3500 #%s%d", b->o.tag,
				i);
	else
		snprintf(text, sizeof(text), "%s #%s%d", shorts[i % 5],
				b->o.tag, i);
	sms.from = from;
	sms.text = text;
	sms.parts = parts;
	if (parts == 3) {
		static const uint8_t order[] = {3, 1, 2};

		sms.order = order;
		sms.n_order = 3;
	}
	r = sim_inject_sms(b->sim, &sms, &why);
	if (r < 0)
		die(b, "injection failed: %s", why);
	b->pdus += r;
	q = &b->q[idx];
	if (q->n == RING)
		die(b, "%s", "too many messages in flight per sender");
	q->t[(q->head + q->n) % RING] = now_us();
	q->n++;
	if (!b->first_inject)
		b->first_inject = now_us();
}

static int cmp_double(const void *a, const void *c)
{
	double x = *(const double *) a, y = *(const double *) c;

	return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return -1;
	i = (size_t) (p / 100.0 * (double) (n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static void baseline(struct bench *b)
{
	at_counts(b, &b->at_base, &b->cmgs_base);
	b->cpu_base = cpu_seconds(b);
	b->csw_base = ctx_switches(b);
}

static void run_steady(struct bench *b)
{
	uint64_t t0, next, deadline = 0;
	int i = 0;
	long all, cmgs;
	double cpu, span;

	baseline(b);
	t0 = now_us();
	next = t0;
	while ((int) b->nlat < b->o.count) {
		uint64_t t = now_us();

		if (i < b->o.count && t >= next) {
			inject(b, i, i % 10 == 9 ? 2 : 1);
			i++;
			next = t0 + (uint64_t) ((double) i * 1e6 / b->o.rate);
			deadline = now_us() + 30000000u;
			continue;
		}
		pump(b, i < b->o.count ? (int) ((next - t) / 1000 + 1) : 100);
		check_daemon(b);
		if (i == b->o.count && now_us() > deadline)
			break;
	}
	cpu = cpu_seconds(b) - b->cpu_base;
	at_counts(b, &all, &cmgs);
	span = b->last_ack > b->first_inject
			       ? (double) (b->last_ack - b->first_inject) / 1e6
			       : 0;
	qsort(b->lat, b->nlat, sizeof(double), cmp_double);
	if (b->o.header)
		printf("%-22s %6s %7s %7s %6s %6s %6s %6s %9s %8s %6s %6s\n",
				"run", "msgs", "acked", "ack/s", "p50 s",
				"p90 s", "p99 s", "max s", "cpu/1000", "rss kB",
				"AT/msg", "rx AT");
	printf("%-22s %6d %7zu %7.1f %6.3f %6.3f %6.3f %6.3f %9.3f %8ld "
	       "%6.2f %6.2f\n",
			b->o.tag, b->o.count, b->nlat,
			span > 0 ? (double) b->nlat / span : 0,
			pct(b->lat, b->nlat, 50), pct(b->lat, b->nlat, 90),
			pct(b->lat, b->nlat, 99), pct(b->lat, b->nlat, 100),
			cpu * 1000.0 / b->o.count, vm_hwm_kb(b),
			(double) (all - b->at_base) / b->o.count,
			(double) (all - b->at_base - (cmgs - b->cmgs_base)) /
					b->o.count);
	if ((int) b->nlat < b->o.count)
		fprintf(stderr,
				"bench_e2e: %s: only %zu of %d acknowledged "
				"within 30 s of the last injection\n",
				b->o.tag, b->nlat, b->o.count);
}

/* Acknowledgement rows of this burst queued so far. */
static long acks_queued(struct bench *b)
{
	char sql[512];
	PGresult *r;
	long n = -1;

	snprintf(sql, sizeof(sql),
			"SELECT count(*) FROM outbound_messages o "
			"JOIN inbound_messages i ON i.id = o.in_reply_to "
			"WHERE i.body LIKE '%%#%s%%'",
			b->o.tag);
	r = PQexec(b->pg, sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	while (PQnotifies(b->pg))
		; /* folded: one query answers them all */
	return n;
}

static void run_burst(struct bench *b)
{
	uint64_t t0, t_queued = 0, deadline;
	double cpu_q = 0, cpu_all;
	long all_q = 0, cmgs_q = 0;
	int i;

	b->pg = PQconnectdb(b->o.conninfo);
	if (PQstatus(b->pg) != CONNECTION_OK)
		die(b, "cannot connect: %s", PQerrorMessage(b->pg));
	PQclear(PQexec(b->pg, "LISTEN fieldgate_outbound"));
	baseline(b);
	t0 = now_us();
	for (i = 0; i < b->o.count; i++)
		inject(b, i, i % 5 == 0 ? 3 : 1);
	/* The acknowledgements take count x send time on one modem. */
	deadline = t0 + 120000000u +
		   (uint64_t) b->o.count * (uint64_t) b->o.send_ms * 1500u;
	while (now_us() < deadline) {
		pump(b, 100);
		check_daemon(b);
		if (!t_queued && acks_queued(b) >= b->o.count) {
			t_queued = now_us();
			cpu_q = cpu_seconds(b) - b->cpu_base;
			b->csw_q = ctx_switches(b);
			at_counts(b, &all_q, &cmgs_q);
		}
		if (t_queued && (int) b->nlat >= b->o.count)
			break;
	}
	cpu_all = cpu_seconds(b) - b->cpu_base;
	if (b->o.header)
		printf("%-22s %6s %5s %9s %8s %9s %8s %8s %8s %8s %9s %7s\n",
				"run", "msgs", "PDUs", "stored s", "msgs/s",
				"cpu s", "rx AT", "acked", "all s", "cpu all",
				"per modem", "wakeups");
	if (!t_queued) {
		printf("%-22s %6d: only %ld acknowledgements queued in 120 s\n",
				b->o.tag, b->o.count, acks_queued(b));
		return;
	}
	printf("%-22s %6d %5ld %9.2f %8.1f %9.3f %8.2f %8zu %8.2f %8.3f "
	       "%4ld/%ld %7ld\n",
			b->o.tag, b->o.count, b->pdus,
			(double) (t_queued - t0) / 1e6,
			b->o.count / ((double) (t_queued - t0) / 1e6), cpu_q,
			(double) (all_q - b->at_base -
					(cmgs_q - b->cmgs_base)) /
					b->o.count,
			b->nlat,
			b->last_ack ? (double) (b->last_ack - t0) / 1e6 : -1.0,
			cpu_all, b->sent_by[0], b->sent_by[1],
			b->csw_q - b->csw_base);
}

static void stop_daemon(struct bench *b)
{
	uint64_t deadline = now_us() + 10000000u;
	int st;

	kill(b->pid, SIGTERM);
	while (waitpid(b->pid, &st, WNOHANG) != b->pid) {
		if (now_us() > deadline) {
			kill(b->pid, SIGKILL);
			waitpid(b->pid, &st, 0);
			break;
		}
		pump(b, 20);
	}
	b->pid = -1;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
			{"fieldgated", required_argument, NULL, 'f'},
			{"dir", required_argument, NULL, 'd'},
			{"conninfo", required_argument, NULL, 'c'},
			{"prefix", required_argument, NULL, 'p'},
			{"senders", required_argument, NULL, 's'},
			{"mode", required_argument, NULL, 'm'},
			{"count", required_argument, NULL, 'n'},
			{"rate", required_argument, NULL, 'r'},
			{"baud", required_argument, NULL, 'b'},
			{"capacity", required_argument, NULL, 'C'},
			{"send-rate", required_argument, NULL, 'S'},
			{"send-ms", required_argument, NULL, 'M'},
			{"modems", required_argument, NULL, 'N'},
			{"tag", required_argument, NULL, 't'},
			{"header", no_argument, NULL, 'H'},
			{"rules", required_argument, NULL, 'R'},
			{NULL, 0, NULL, 0},
	};
	struct bench b = {.pid = -1};
	struct sim_config cfg;
	char link[512], reason[160] = "";
	int c;

	b.o.mode = "steady";
	b.o.tag = "S";
	b.o.senders = 50;
	b.o.count = 200;
	b.o.rate = 5;
	b.o.capacity = 30;
	b.o.send_rate = 600;
	b.o.modems = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			b.o.fieldgated = optarg;
			break;
		case 'd':
			b.o.dir = optarg;
			break;
		case 'c':
			b.o.conninfo = optarg;
			break;
		case 'p':
			b.o.prefix = optarg;
			break;
		case 's':
			b.o.senders = atoi(optarg);
			break;
		case 'm':
			b.o.mode = optarg;
			break;
		case 'n':
			b.o.count = atoi(optarg);
			break;
		case 'r':
			b.o.rate = atof(optarg);
			break;
		case 'b':
			b.o.baud = atoi(optarg);
			break;
		case 'C':
			b.o.capacity = atoi(optarg);
			break;
		case 'S':
			b.o.send_rate = atoi(optarg);
			break;
		case 'M':
			b.o.send_ms = atoi(optarg);
			break;
		case 'N':
			b.o.modems = atoi(optarg);
			break;
		case 't':
			b.o.tag = optarg;
			break;
		case 'H':
			b.o.header = true;
			break;
		case 'R':
			b.o.rules = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!b.o.fieldgated || !b.o.dir || !b.o.conninfo || !b.o.prefix ||
			b.o.senders < 1 || b.o.count < 1 || b.o.rate <= 0 ||
			b.o.capacity < 1 || b.o.capacity > 255 ||
			b.o.send_ms < 0 || b.o.modems < 1 || b.o.modems > 2) {
		fprintf(stderr, "usage: bench_e2e --fieldgated PATH --dir DIR "
				"--conninfo STR --prefix DIGITS --senders N\n"
				"  [--mode steady|burst] [--count N] [--rate "
				"R] "
				"[--baud B] [--capacity N] [--send-rate N] "
				"[--tag T] "
				"[--header]\n  [--send-ms MS] [--modems "
				"1|2] [--rules FILE]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	b.q = calloc((size_t) b.o.senders, sizeof(*b.q));
	b.lat = calloc((size_t) b.o.count * 2, sizeof(double));
	if (!b.q || !b.lat)
		die(&b, "%s", "out of memory");
	sim_config_init(&cfg);
	snprintf(link, sizeof(link), "%s/bench-%s.tty", b.o.dir, b.o.tag);
	cfg.link_path = link;
	cfg.baud = b.o.baud;
	cfg.sm_capacity = (unsigned) b.o.capacity;
	if (sim_new(&cfg, &b.sim, reason) < 0)
		die(&b, "simulator: %s", reason);
	if (b.o.modems == 2) {
		char link2[512];

		snprintf(link2, sizeof(link2), "%s/bench-%s-2.tty", b.o.dir,
				b.o.tag);
		cfg.link_path = link2;
		if (sim_new(&cfg, &b.sim2, reason) < 0)
			die(&b, "simulator 2: %s", reason);
	}
	/* AT+CMGS network round trip, +-10 % (issue 10: 0.2 s and 2 s). */
	if (sim_set(b.sim, SIM_FAULT_SEND_MS, b.o.send_ms) < 0 ||
			sim_set(b.sim, SIM_FAULT_SEND_JITTER_MS,
					b.o.send_ms / 10) < 0 ||
			(b.sim2 && (sim_set(b.sim2, SIM_FAULT_SEND_MS,
						    b.o.send_ms) < 0 ||
						   sim_set(b.sim2, SIM_FAULT_SEND_JITTER_MS,
								   b.o.send_ms / 10) <
								   0)))
		die(&b, "%s", "cannot set the send time");
	start_daemon(&b);
	wait_ready(&b);
	if (strcmp(b.o.mode, "burst") == 0)
		run_burst(&b);
	else
		run_steady(&b);
	fflush(stdout);
	stop_daemon(&b);
	if (b.pg)
		PQfinish(b.pg);
	sim_free(b.sim);
	sim_free(b.sim2);
	free(b.q);
	free(b.lat);
	return 0;
}
