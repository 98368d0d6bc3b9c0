/*
 * tests/bench/bench_web.c: load generator for fieldgate-web (make bench;
 * run by tests/bench/bench_web.sh). One thread per session token (a file
 * of tokens, one a line), each sending REQUESTS GET requests for PATH
 * one after another on fresh connections, all threads at once. Prints
 * requests, errors, throughput and the latency percentiles.
 *
 *   bench_web PORT PATH TOKENS-FILE REQUESTS
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct worker {
	pthread_t th;
	int port;
	const char *path;
	char token[128];
	int n;
	double *lat_ms;
	int errors;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

/* One request; 0 when the answer was 200 with a body. */
static int one(const struct worker *w)
{
	struct sockaddr_in sin = {0};
	char req[512], buf[65536];
	size_t total = 0;
	ssize_t got;
	int fd, status = 0, len;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short) w->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) < 0)
		goto fail;
	len = snprintf(req, sizeof(req),
			"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			"Cookie: fg_session=%s\r\nConnection: close\r\n\r\n",
			w->path, w->token);
	if (write(fd, req, (size_t) len) != len)
		goto fail;
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		if (!total && got > 12)
			status = atoi(buf + 9);
		total += (size_t) got;
	}
	close(fd);
	return status == 200 && total > 1000 ? 0 : -1;
fail:
	close(fd);
	return -1;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < w->n; i++) {
		double t0 = now_ms();
		if (one(w) < 0)
			w->errors++;
		w->lat_ms[i] = now_ms() - t0;
	}
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct worker *ws = NULL;
	double *all, t0, secs;
	char line[128];
	size_t nw = 0, i, k, total;
	int errors = 0, n;
	FILE *fp;

	if (argc != 5) {
		fprintf(stderr, "usage: bench_web PORT PATH TOKENS REQUESTS\n");
		return 2;
	}
	n = atoi(argv[4]);
	fp = fopen(argv[3], "r");
	if (!fp || n < 1) {
		perror(argv[3]);
		return 2;
	}
	while (fgets(line, sizeof(line), fp)) {
		struct worker *tmp = realloc(ws, (nw + 1) * sizeof(*ws));
		if (!tmp)
			return 1;
		ws = tmp;
		memset(&ws[nw], 0, sizeof(ws[nw]));
		line[strcspn(line, "\r\n")] = '\0';
		snprintf(ws[nw].token, sizeof(ws[nw].token), "%s", line);
		ws[nw].port = atoi(argv[1]);
		ws[nw].path = argv[2];
		ws[nw].n = n;
		ws[nw].lat_ms = calloc((size_t) n, sizeof(double));
		if (!ws[nw].lat_ms)
			return 1;
		nw++;
	}
	fclose(fp);
	if (!nw)
		return 2;
	t0 = now_ms();
	for (i = 0; i < nw; i++)
		pthread_create(&ws[i].th, NULL, run, &ws[i]);
	for (i = 0; i < nw; i++)
		pthread_join(ws[i].th, NULL);
	secs = (now_ms() - t0) / 1e3;
	total = nw * (size_t) n;
	all = malloc(total * sizeof(double));
	if (!all)
		return 1;
	for (i = 0, k = 0; i < nw; i++) {
		errors += ws[i].errors;
		memcpy(all + k, ws[i].lat_ms, (size_t) n * sizeof(double));
		k += (size_t) n;
	}
	qsort(all, total, sizeof(double), cmp);
	printf("bench_web: %zu sessions x %d requests of %s: %zu requests, "
	       "%d errors, %.1f s, %.1f req/s\n",
			nw, n, argv[2], total, errors, secs,
			(double) total / secs);
	printf("bench_web: latency ms: p50 %.1f  p90 %.1f  p99 %.1f  max "
	       "%.1f\n",
			all[total / 2], all[total * 90 / 100],
			all[total * 99 / 100], all[total - 1]);
	for (i = 0; i < nw; i++)
		free(ws[i].lat_ms);
	free(ws);
	free(all);
	return errors ? 1 : 0;
}
