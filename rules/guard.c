/*
 * rules/guard.c - sender classification, loop breaker, resend dedupe and
 * daily caps (guard.h).
 */
#include "rules/guard.h"

#include <errno.h>
#include <string.h>

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool guard_pattern_match(const char *pattern, const char *number)
{
	size_t n;

	if (!pattern || !number || !*pattern)
		return false;
	n = strlen(pattern);
	if (pattern[n - 1] == '*')
		return strncmp(pattern, number, n - 1) == 0;
	return strcmp(pattern, number) == 0;
}

/*
 * The national (Chinese) form of @s, or NULL for a foreign number:
 * "+86..." and "0086..." lose the country code, as does "86" before an
 * 11-digit mobile number (modems that drop the '+').
 */
static const char *national_form(const char *s)
{
	if (s[0] == '+')
		return starts(s, "+86") ? s + 3 : NULL;
	if (starts(s, "0086"))
		return s + 4;
	if (starts(s, "861") && strlen(s) == 13)
		return s + 2;
	return s;
}

static bool list_match(const char *const *list, size_t n, const char *raw,
		const char *national)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *pn;

		if (!list[i])
			continue;
		if (guard_pattern_match(list[i], raw))
			return true;
		if (!national)
			continue;
		if (guard_pattern_match(list[i], national))
			return true;
		/* "+86106*" also matches "106..." */
		pn = national_form(list[i]);
		if (pn && pn != list[i] && guard_pattern_match(pn, national))
			return true;
	}
	return false;
}

enum guard_sender guard_classify(
		const char *sender, const struct guard_lists *lists)
{
	const char *national, *p;
	bool letters = false, other = false;
	size_t digits = 0;

	if (!sender || !*sender)
		return GUARD_SENDER_EMPTY;
	national = national_form(sender);
	if (lists && list_match(lists->allow, lists->n_allow, sender, national))
		return GUARD_SENDER_ALLOWED;
	if (lists && list_match(lists->deny, lists->n_deny, sender, national))
		return GUARD_SENDER_DENIED;
	for (p = sender; *p; p++) {
		unsigned char c = (unsigned char) *p;

		if (is_digit(c))
			digits++;
		else if (c == '+' && p == sender)
			continue;
		else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				c >= 0x80)
			letters = true;
		else
			other = true;
	}
	if (letters)
		return GUARD_SENDER_ALPHANUMERIC;
	if (other || digits == 0)
		return GUARD_SENDER_EMPTY;
	if (!national)
		return digits < 7 ? GUARD_SENDER_SHORT_CODE
				  : GUARD_SENDER_NUMBER;
	if (starts(national, "10086") || starts(national, "10010") ||
			starts(national, "10000"))
		return GUARD_SENDER_SERVICE;
	if (starts(national, "106"))
		return GUARD_SENDER_ENTERPRISE;
	if (strlen(national) < 7)
		return GUARD_SENDER_SHORT_CODE;
	return GUARD_SENDER_NUMBER;
}

bool guard_may_reply(enum guard_sender cls)
{
	return cls == GUARD_SENDER_NUMBER || cls == GUARD_SENDER_ALLOWED;
}

const char *guard_sender_name(enum guard_sender cls)
{
	switch (cls) {
	case GUARD_SENDER_NUMBER:
		return "number";
	case GUARD_SENDER_ALLOWED:
		return "allowed";
	case GUARD_SENDER_EMPTY:
		return "empty";
	case GUARD_SENDER_ALPHANUMERIC:
		return "alphanumeric";
	case GUARD_SENDER_SHORT_CODE:
		return "short_code";
	case GUARD_SENDER_SERVICE:
		return "service";
	case GUARD_SENDER_ENTERPRISE:
		return "enterprise";
	case GUARD_SENDER_DENIED:
		return "denied";
	}
	return "?";
}

uint64_t guard_text_hash(const char *text, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char) text[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void guard_policy_default(struct guard_policy *p)
{
	p->max_identical = 3;
	p->max_any = 20;
	p->loop_window = 3600;
	p->dedupe_window = 600;
	p->retell_after = 86400;
	p->max_replies_day = 30;
}

const char *guard_verdict_name(enum guard_verdict v)
{
	switch (v) {
	case GUARD_REPLY:
		return "reply";
	case GUARD_DUPLICATE:
		return "duplicate";
	case GUARD_SUPPRESS:
		return "suppress";
	case GUARD_SUPPRESS_TELL_ADMINS:
		return "suppress_tell_admins";
	}
	return "?";
}

/* Age of an event; events stamped after now (clock skew) count as now. */
static int64_t age(const struct guard_event *e, int64_t now)
{
	return e->at > now ? 0 : now - e->at;
}

enum guard_verdict guard_repeat(const struct guard_policy *p,
		const struct guard_event *ev, size_t n, int64_t now,
		uint64_t hash, int64_t last_told)
{
	unsigned identical = 1, any = 1;
	bool dup = false;
	size_t i;

	for (i = 0; i < n; i++) {
		int64_t a = age(&ev[i], now);

		if (a < p->loop_window) {
			any++;
			if (ev[i].hash == hash)
				identical++;
		}
		if (ev[i].hash == hash && a < p->dedupe_window)
			dup = true;
	}
	if (identical > p->max_identical || (p->max_any && any > p->max_any)) {
		if (last_told == 0 || now - last_told >= p->retell_after)
			return GUARD_SUPPRESS_TELL_ADMINS;
		return GUARD_SUPPRESS;
	}
	return dup ? GUARD_DUPLICATE : GUARD_REPLY;
}

enum guard_verdict guard_window_check(const struct guard_policy *p,
		struct guard_window *w, int64_t now, uint64_t hash)
{
	enum guard_verdict v;

	v = guard_repeat(p, w->ev, w->n, now, hash, w->last_told);
	w->ev[w->next].at = now;
	w->ev[w->next].hash = hash;
	w->next = (w->next + 1) % GUARD_WINDOW;
	if (w->n < GUARD_WINDOW)
		w->n++;
	if (v == GUARD_SUPPRESS_TELL_ADMINS)
		w->last_told = now;
	return v;
}

enum guard_cap_verdict guard_cap(unsigned cap, unsigned used)
{
	if (cap == 0 || used < cap)
		return GUARD_CAP_OK;
	return used == cap ? GUARD_CAP_REACHED_TELL : GUARD_CAP_REACHED;
}

/* ---- USSD balance --------------------------------------------------------- */

/* A digit at s (ASCII or full-width U+FF10..U+FF19): its value and
 * length, or -1. */
static int digit_at(const char *s, const char *end, int *len)
{
	const unsigned char *u = (const unsigned char *) s;

	if (s < end && *u >= '0' && *u <= '9') {
		*len = 1;
		return *u - '0';
	}
	if (end - s >= 3 && u[0] == 0xef && u[1] == 0xbc && u[2] >= 0x90 &&
			u[2] <= 0x99) {
		*len = 3;
		return u[2] - 0x90;
	}
	return -1;
}

static int point_at(const char *s, const char *end)
{
	if (s < end && *s == '.')
		return 1;
	if (end - s >= 3 && memcmp(s, "\xef\xbc\x8e", 3) == 0) /* ． */
		return 3;
	return 0;
}

/* Parses an amount at s; returns bytes used (0: none) or -EINVAL. */
static int parse_amount(const char *s, const char *end, int64_t *ret)
{
	const char *p = s;
	int64_t v = 0;
	int d, len, digits = 0, dec = -1, sign = 1;

	if (p < end && (*p == '-' || *p == '+')) {
		sign = *p == '-' ? -1 : 1;
		p++;
	}
	for (;;) {
		int pl;

		d = digit_at(p, end, &len);
		if (d >= 0) {
			if (dec >= 0 && ++dec > 2)
				return -EINVAL;
			if (v > (INT64_MAX / 100 - 9) / 10)
				return -EINVAL;
			v = v * 10 + d;
			digits++;
			p += len;
			continue;
		}
		/* a thousands comma between digits, before the point */
		if (dec < 0 && digits > 0 && p < end && *p == ',' &&
				digit_at(p + 1, end, &len) >= 0) {
			p++;
			continue;
		}
		pl = point_at(p, end);
		if (pl && dec < 0 && digits > 0 &&
				digit_at(p + pl, end, &len) >= 0) {
			dec = 0;
			p += pl;
			continue;
		}
		break;
	}
	if (digits == 0)
		return 0;
	if (dec < 0)
		dec = 0;
	while (dec++ < 2)
		v *= 10;
	*ret = sign * v;
	return (int) (p - s);
}

static const char *find_bytes(const char *hay, const char *end,
		const char *needle, size_t n, bool fold)
{
	const char *p;
	size_t i;

	for (p = hay; p + n <= end; p++) {
		for (i = 0; i < n; i++) {
			char a = p[i], b = needle[i];

			if (fold && a >= 'A' && a <= 'Z')
				a = (char) (a - 'A' + 'a');
			if (a != b)
				break;
		}
		if (i == n)
			return p;
	}
	return NULL;
}

static bool skip_spaces_match(
		const char **pp, const char *end, const char *lit, size_t n)
{
	const char *p = *pp;

	while (p < end && *p == ' ')
		p++;
	if ((size_t) (end - p) < n || memcmp(p, lit, n) != 0)
		return false;
	*pp = p + n;
	return true;
}

int guard_balance_extract(const char *pattern, const char *text, size_t len,
		int64_t *ret_cents)
{
	static const char *const keys[] = {
			"\xe4\xbd\x99\xe9\xa2\x9d", /* 余额 */
			"balance"};
	const char *end = text + len, *p, *hole, *suffix;
	size_t plen, slen;

	if (!text)
		return -EINVAL;
	if (!pattern) {
		size_t k;

		for (k = 0; k < 2; k++) {
			const char *q = find_bytes(text, end, keys[k],
					strlen(keys[k]), k == 1);

			for (; q && q < end; q++) {
				int64_t v;
				int n = parse_amount(q, end, &v);

				if (n < 0)
					return n;
				if (n > 0) {
					*ret_cents = v;
					return 0;
				}
			}
		}
		return -ENOENT;
	}
	hole = strstr(pattern, "{amount}");
	if (!hole)
		return -EINVAL;
	plen = (size_t) (hole - pattern);
	suffix = hole + 8;
	slen = strlen(suffix);
	for (p = text; p <= end;) {
		const char *q = plen ? find_bytes(p, end, pattern, plen, false)
				     : p;
		const char *r;
		int64_t v;
		int n;

		if (!q)
			return -ENOENT;
		r = q + plen;
		while (r < end && *r == ' ')
			r++;
		n = parse_amount(r, end, &v);
		if (n < 0)
			return n;
		if (n > 0) {
			r += n;
			if (slen == 0 || skip_spaces_match(&r, end, suffix,
							 slen)) {
				*ret_cents = v;
				return 0;
			}
		}
		p = q + (plen ? plen : 1);
		if (!plen && q >= end)
			break;
	}
	return -ENOENT;
}
