/* Small helpers shared by the unit tests. */
#ifndef FIELDGATE_TESTS_TESTUTIL_H
#define FIELDGATE_TESTS_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/* One hex digit's value (either case), or -1. */
int tu_hexval(int c);

/* Hex (no spaces) -> octets; returns the count or -1 on bad hex/overflow. */
int tu_hex_to_bin(const char *hex, uint8_t *out, size_t out_size);

/* Octets -> upper-case hex, NUL-terminated; out needs 2 * n + 1 bytes. */
void tu_bin_to_hex(const uint8_t *in, size_t n, char *out);

/* Deterministic PRNG (xorshift64*), seeded by the caller. */
struct tu_rng {
	uint64_t s;
};
void tu_rng_seed(struct tu_rng *r, uint64_t seed);
uint32_t tu_rng_next(struct tu_rng *r);
/* Uniform in [0, n). */
uint32_t tu_rng_below(struct tu_rng *r, uint32_t n);

/* Append cp as UTF-8 to buf at *len (buf must have 5 bytes of room). */
void tu_put_utf8(char *buf, size_t *len, uint32_t cp);

/*
 * "$top_srcdir/@rel" (or "./@rel" when top_srcdir is unset) into buf
 * (truncated to size); returns buf.
 */
const char *tu_top_path(const char *rel, char *buf, size_t size);

/* chdir() to tu_top_path(@sub); a failed check when it cannot. */
void tu_chdir_top(const char *sub);

/*
 * The whole file @path, NUL-terminated (malloc'd; the caller frees);
 * its length in *ret_len unless NULL. A failed check when unreadable.
 */
char *tu_slurp(const char *path, size_t *ret_len);

/*
 * Runs every test of @s (CK_NORMAL output) and frees the runner, which
 * owns @s; returns EXIT_FAILURE when any test failed, else EXIT_SUCCESS.
 */
int tu_run_suite(Suite *s);

#endif
