/*
 * gateway/web_auth.c: random tokens and codes (gateway/web_auth.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/random.h>

#include "gateway/web_auth.h"

static int fill(void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom((char *) buf + got, n - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t) r;
	}
	return 0;
}

int web_random_hex(char *out, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[64];
	size_t i;
	int r;

	if (nbytes > sizeof(buf))
		return -EINVAL;
	if ((r = fill(buf, nbytes)) < 0)
		return r;
	for (i = 0; i < nbytes; i++) {
		out[2 * i] = hex[buf[i] >> 4];
		out[2 * i + 1] = hex[buf[i] & 15];
	}
	out[2 * nbytes] = '\0';
	return 0;
}

int web_random_code(char out[7])
{
	uint32_t v;
	int r;

	/* rejection sampling: 4294000000 is a multiple of 10^6 */
	do {
		if ((r = fill(&v, sizeof(v))) < 0)
			return r;
	} while (v >= 4294000000u);
	snprintf(out, 7, "%06u", (unsigned) (v % 1000000u));
	return 0;
}
