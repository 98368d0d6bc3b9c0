/*
 * libFuzzer target for the schedule parsers of outside input: cron
 * expressions (rule files), TZif bytes (zoneinfo files), POSIX TZ
 * strings, sender numbers (guard_classify), USSD balance replies and
 * digest items (names from
 * the roster, one per line).  The first byte picks the parser; what parses is then used
 * (next fires, catch-up, conversions both ways), which must never crash
 * and must keep its promises (a fire is after its start; a local time
 * maps back to an instant whose local time is not earlier).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cron.h"
#include "rules/digest.h"
#include "rules/guard.h"
#include "rules/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void use_zone(const struct tz_zone *z, const uint8_t *d, size_t n)
{
	static const int64_t base[] = {0, 1764640800, -2000000000LL,
			4102444800LL, 2147483647LL};
	size_t i;

	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		struct tz_local l;
		int64_t t = base[i] + (n ? (int64_t) d[i % n] * 86413 : 0),
			back;

		if (tz_to_local(z, t, &l) != 0)
			abort();
		if (tz_local_to_utc(z, &l.civil, &back) != 0 || back > t)
			abort();
	}
}

static void use_cron(const struct cron_expr *e)
{
	static struct tz_zone *ny;
	struct cron_calendar cal = {NULL, 0, 1290, 450, CRON_QUIET_POSTPONE};
	struct cron_fire f;
	struct cron_catchup c;
	int64_t t = 1764640800;
	int i;

	if (!ny && tz_from_posix("EST5EDT,M3.2.0,M11.1.0", &ny, NULL) != 0)
		abort();
	for (i = 0; i < 4; i++) {
		int rc = cron_next(e, ny, i % 2 ? &cal : NULL, t, &f);

		if (rc == -ENOENT)
			break;
		if (rc != 0 || f.at <= t || f.nominal > f.at)
			abort();
		t = f.at;
	}
	i = cron_catchup(e, ny, NULL, 1764640800, 1764640800 + 3 * 86400, 600,
			&c);
	if (i != 0 && i != -ENOENT)
		abort();
	if (c.fire && c.due.at > 1764640800 + 3 * 86400)
		abort();
}

static void use_guard(const char *s)
{
	static const char *const deny[] = {"106*", "+8695*", "10086"};
	static const char *const allow[] = {"1069000*", ""};
	const struct guard_lists lists = {deny, 3, allow, 2};
	enum guard_sender a = guard_classify(s, NULL);
	enum guard_sender b = guard_classify(s, &lists);

	if (a == GUARD_SENDER_ALLOWED || a == GUARD_SENDER_DENIED)
		abort();
	if (guard_may_reply(a) && !guard_may_reply(b) &&
			b != GUARD_SENDER_DENIED)
		abort();
	/* the same bytes as an operator's balance reply */
	{
		int64_t v;
		int rc = guard_balance_extract(NULL, s, strlen(s), &v);

		if (rc != 0 && rc != -ENOENT && rc != -EINVAL)
			abort();
		rc = guard_balance_extract(
				"余额为{amount}元", s, strlen(s), &v);
		if (rc != 0 && rc != -ENOENT && rc != -EINVAL)
			abort();
		rc = guard_balance_extract("{amount}", s, strlen(s), &v);
		if (rc != 0 && rc != -ENOENT && rc != -EINVAL)
			abort();
	}
}

static void use_digest(const char *s, size_t len, unsigned max)
{
	struct dg_item it[64];
	struct dg_opts o = {"今日未交日报({{count}}人):{{names}}", NULL, NULL,
			max % 4};
	struct dg_result r;
	size_t n = 0, i = 0, from = 0;
	int rc;

	for (i = 0; i <= len && n < 64; i++) {
		if (i == len || s[i] == '\n') {
			it[n].text = s + from;
			it[n++].len = i - from;
			from = i + 1;
		}
	}
	rc = dg_build(&o, it, n, &r);
	if (rc == 0 || rc == -E2BIG) {
		if (!r.text || r.n_listed > n ||
				(o.max_segments && rc == 0 &&
						r.segments > o.max_segments))
			abort();
		dg_result_done(&r);
	} else if (rc != -EINVAL || r.text) {
		abort();
	}
	{
		struct dg_pack_result pr;
		size_t k, got = 0;

		rc = dg_pack("({{count}})", NULL, max % 4 + 1, it, NULL, n,
				&pr);
		if (rc == 0) {
			for (k = 0; k < pr.n_msgs; k++)
				got += pr.msgs[k].n_items;
			if (got + pr.n_duplicates != n)
				abort();
			dg_pack_done(&pr);
		} else if (rc != -EINVAL || pr.msgs) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1 || size > 65536)
		return 0;
	if (data[0] % 5 == 1) {
		struct tz_zone *z = NULL;
		const char *why = NULL;

		if (tz_parse(data + 1, size - 1, "fuzz", &z, &why) == 0) {
			use_zone(z, data, size);
			tz_free(z);
		} else if (z || !why) {
			abort();
		}
		return 0;
	}
	if (size > 512)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] % 5 == 3) {
		use_guard(s);
	} else if (data[0] % 5 == 4) {
		use_digest(s, size - 1, data[0] / 5);
	} else if (data[0] % 5 == 0) {
		struct cron_expr e;
		struct cron_error err;

		if (cron_parse(s, &e, &err) == 0)
			use_cron(&e);
		else if (!err.reason || err.offset > strlen(s))
			abort();
	} else {
		struct tz_zone *z = NULL;

		if (tz_from_posix(s, &z, NULL) == 0) {
			use_zone(z, data, size);
			tz_free(z);
		}
	}
	free(s);
	return 0;
}
