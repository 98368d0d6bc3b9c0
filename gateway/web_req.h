/*
 * gateway/web_req.h: parsing what a browser sends the web dashboard
 * (pure functions, fuzzed by tests/fuzz/fuzz_web_req.c): the request
 * target (path and query string), application/x-www-form-urlencoded
 * bodies and the Cookie header. Anything malformed is -EINVAL (the
 * server answers 400); nothing here allocates without a bound.
 */
#ifndef GATEWAY_WEB_REQ_H
#define GATEWAY_WEB_REQ_H

#include <stdbool.h>
#include <stddef.h>

#define WEB_FORM_MAX_PAIRS 32
#define WEB_TARGET_MAX 2048

/* Length (1..4) of the valid UTF-8 sequence at s (n bytes left), or 0. */
size_t web_utf8_seq(const char *s, size_t n);
/* True when s[0..n) is valid UTF-8 without NUL or C0 controls but tab. */
bool web_text_ok(const char *s, size_t n);

struct web_kv {
	char *key, *val; /* owned, decoded, valid UTF-8 */
};

struct web_form {
	struct web_kv v[WEB_FORM_MAX_PAIRS];
	size_t n;
};

/*
 * Parses "a=1&b=%E4%B8%AD+x" (n bytes, not necessarily NUL-terminated)
 * into *ret (which the caller zeroed or freed). A pair without '=' has
 * the value "". -EINVAL for a bad %-escape, invalid UTF-8 or a control
 * character after decoding; -E2BIG for more than WEB_FORM_MAX_PAIRS
 * pairs; -ENOMEM. On failure *ret is left empty.
 */
int web_form_parse(const char *s, size_t n, struct web_form *ret);
/* Frees the pairs of f and empties it. */
void web_form_free(struct web_form *f);
/* The first value of key, or NULL. Borrowed from f. */
const char *web_form_get(const struct web_form *f, const char *key);

/*
 * Splits a request target "/path?query" (NUL-terminated) into its path
 * (copied to path, size bytes) and query (*ret_query points into target,
 * "" when none). The path must start with '/', be at most size-1 bytes,
 * and hold only [A-Za-z0-9/_.-] with no "//" and no "..": -EINVAL
 * otherwise (nothing is %-decoded in a path).
 */
int web_target_split(const char *target, char *path, size_t size,
		const char **ret_query);

/*
 * The value of cookie name in a Cookie header ("a=1; b=2"), copied into
 * out (size bytes). -ENOENT when absent, -EINVAL when the header is
 * malformed or the value does not fit or holds anything but
 * [A-Za-z0-9_-].
 */
int web_cookie_get(
		const char *header, const char *name, char *out, size_t size);

/* True for exactly len lowercase hex digits. */
bool web_hex_ok(const char *s, size_t len);

#endif /* GATEWAY_WEB_REQ_H */
