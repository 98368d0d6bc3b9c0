// SPDX-License-Identifier: MIT
/*
 * AT channel throughput: a session of +CMGL listings interleaved with URCs
 * and ^RSSI noise, fed in 64-byte reads. Prints MB/s and lines/s.
 */
#include "modem/at_chan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static ssize_t sink(const uint8_t *b, size_t n, void *ud)
{
	(void) b;
	(void) ud;
	return (ssize_t) n;
}

static unsigned long n_lines;

static void done(const struct at_error *e, const struct at_result *r, void *ud)
{
	(void) e;
	(void) ud;
	n_lines += at_result_count(r);
}

static void urc(const char *l, const char *p, void *ud)
{
	(void) l;
	(void) p;
	(void) ud;
	n_lines++;
}

int main(void)
{
	static const char *const pfx[] = {"+CMGL:", NULL};
	struct at_cmd_desc d = {.cmd = "AT+CMGL=4", .prefixes = pfx};
	struct at_chan_config cfg = {.write = sink};
	const char *entry =
			"+CMGL: 1,0,,40\r\n07914477790000F0040B914477"
			"0000000000000011102131000000A0E8329BFD06DDDF723619\r\n"
			"+CMTI: \"SM\",5\r\n^RSSI:17\r\n";
	size_t elen = strlen(entry);
	size_t per_cmd = 50, rounds = 4000, total = 0;
	char *buf = malloc(elen * per_cmd + 8);
	struct at_chan *c = at_chan_new(&cfg);
	struct timespec t0, t1;
	double s;

	if (!buf || !c)
		return 1;
	for (size_t i = 0; i < per_cmd; i++)
		memcpy(buf + i * elen, entry, elen);
	memcpy(buf + per_cmd * elen, "OK\r\n", 5);
	at_chan_register_urc(c, "+CMTI:", false, urc, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t r = 0; r < rounds; r++) {
		size_t len = per_cmd * elen + 4;

		at_chan_send(c, &d, done, NULL, NULL);
		for (size_t o = 0; o < len; o += 64)
			at_chan_feed(c, (const uint8_t *) buf + o,
					len - o < 64 ? len - o : 64, r);
		total += len;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double) (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("bench_at: %zu bytes, %lu lines delivered in %.3f s: "
	       "%.1f MB/s, %.0f lines/s\n",
			total, n_lines, s, total / s / 1e6, n_lines / s);
	at_chan_free(c);
	free(buf);
	return 0;
}
