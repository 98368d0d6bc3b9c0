#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/testutil.h"

int tu_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int tu_hex_to_bin(const char *hex, uint8_t *out, size_t out_size)
{
	size_t n = strlen(hex), i;

	if (n % 2 || n / 2 > out_size)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = tu_hexval((unsigned char) hex[2 * i]),
		    lo = tu_hexval((unsigned char) hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t) (hi << 4 | lo);
	}
	return (int) (n / 2);
}

void tu_bin_to_hex(const uint8_t *in, size_t n, char *out)
{
	static const char d[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void tu_rng_seed(struct tu_rng *r, uint64_t seed)
{
	r->s = seed ? seed : 0x9e3779b97f4a7c15ull;
}

uint32_t tu_rng_next(struct tu_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t) ((r->s * 0x2545f4914f6cdd1dull) >> 32);
}

uint32_t tu_rng_below(struct tu_rng *r, uint32_t n)
{
	return n ? tu_rng_next(r) % n : 0;
}

void tu_put_utf8(char *buf, size_t *len, uint32_t cp)
{
	size_t o = *len;

	if (cp < 0x80) {
		buf[o++] = (char) cp;
	} else if (cp < 0x800) {
		buf[o++] = (char) (0xc0 | (cp >> 6));
		buf[o++] = (char) (0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		buf[o++] = (char) (0xe0 | (cp >> 12));
		buf[o++] = (char) (0x80 | ((cp >> 6) & 0x3f));
		buf[o++] = (char) (0x80 | (cp & 0x3f));
	} else {
		buf[o++] = (char) (0xf0 | (cp >> 18));
		buf[o++] = (char) (0x80 | ((cp >> 12) & 0x3f));
		buf[o++] = (char) (0x80 | ((cp >> 6) & 0x3f));
		buf[o++] = (char) (0x80 | (cp & 0x3f));
	}
	buf[o] = '\0';
	*len = o;
}

const char *tu_top_path(const char *rel, char *buf, size_t size)
{
	const char *top = getenv("top_srcdir");

	snprintf(buf, size, "%s/%s", top ? top : ".", rel);
	return buf;
}

void tu_chdir_top(const char *sub)
{
	char path[4096];

	ck_assert_msg(chdir(tu_top_path(sub, path, sizeof(path))) == 0,
			"cannot chdir to %s", path);
}

char *tu_slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	ck_assert_int_ge(len, 0);
	rewind(f);
	buf = calloc(1, (size_t) len + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t) len, f), (size_t) len);
	fclose(f);
	if (ret_len)
		*ret_len = (size_t) len;
	return buf;
}

int tu_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
