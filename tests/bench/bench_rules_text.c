/*
 * rules/ lexer throughput: normalize a mix of real rep messages, then
 * split each on spaces and run every token through rv_number_prefix()
 * and the parser its shape suggests (int/decimal, date, ref), as a
 * field parser would.  Prints messages per second for normalization
 * alone and for normalization + value parsing.  The issue's budget for
 * the whole parse (normalize + match + fields + reply) is 1,000,000
 * messages/s on one core; this is the lexer's share of it.
 * Usage: tests/bench/bench_rules_text [seconds-per-test, default 1]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/text.h"
#include "rules/value.h"

/* CPU time of this process: a shared, loaded machine does not skew it
 * the way wall time does ("on one core" is what the budget says). */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static const char *const mix[] = {
		"日报120 3500 8",
		"ＲＢ　１２０，３５００，８",
		"日报 销量120 回款3500 拜访8",
		"RB 12o 3,500 8",
		"日报 一百二 三千五 八",
		"日报，120，3500，8。",
		"周报 560 1.2万 35",
		"到店 JN0231 L460-00-2A1F-3C4D",
		"日报 昨天 110 3000 7",
		"批 R1045 很好",
		"帮助",
		"撤销",
};
#define N_MIX (sizeof(mix) / sizeof(mix[0]))

static volatile int64_t sink;

static void tokens(const char *s, size_t n, const struct rv_num_opts *o)
{
	size_t i = 0, start = 0;

	for (i = 0; i <= n; i++) {
		const char *t = s + start;
		size_t len = i - start, pre;
		int64_t v = 0;
		int y, m, d;
		char ref[16];

		if (i < n && s[i] != ' ')
			continue;
		start = i + 1;
		pre = rv_number_prefix(t, len, o);
		if (pre == len && len) {
			if (rv_parse_int(t, len, o, &v) < 0)
				rv_parse_decimal(t, len, o, 2, &v);
		} else if (rv_parse_date(t, len, 2026, 5, 31, &y, &m, &d) ==
				0) {
			v = y + m + d;
		} else if (rv_parse_ref(t, len, "R", 4, ref, sizeof(ref)) ==
				0) {
			v = ref[1];
		} else if (pre) {
			rv_parse_int(t, pre, o, &v);
		}
		sink += v;
	}
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0, t0, t;
	struct rt_norm_opts no;
	struct rt_norm nc;
	struct rv_num_opts vo;
	size_t lens[N_MIX], i, bytes = 0;
	char out[256];
	unsigned long n;
	int rc;

	rt_norm_opts_default(&no);
	rv_num_opts_default(&vo);
	for (i = 0; i < N_MIX; i++) {
		lens[i] = strlen(mix[i]);
		bytes += lens[i];
	}
	printf("mix: %zu messages, %.1f bytes average\n", N_MIX,
			(double) bytes / N_MIX);

	n = 0;
	t0 = now_s();
	do {
		for (i = 0; i < N_MIX; i++) {
			rc = rt_normalize(
					mix[i], lens[i], &no, out, sizeof(out));
			sink += rc;
		}
		n += N_MIX;
	} while ((t = now_s()) - t0 < secs);
	printf("rt_normalize:             %10.0f msgs/s  %6.1f ns/msg\n",
			n / (t - t0), (t - t0) * 1e9 / n);

	rt_norm_compile(&no, &nc);
	n = 0;
	t0 = now_s();
	do {
		for (i = 0; i < N_MIX; i++) {
			rc = rt_normalize_with(
					mix[i], lens[i], &nc, out, sizeof(out));
			sink += rc;
		}
		n += N_MIX;
	} while ((t = now_s()) - t0 < secs);
	printf("rt_normalize_with:        %10.0f msgs/s  %6.1f ns/msg\n",
			n / (t - t0), (t - t0) * 1e9 / n);

	n = 0;
	t0 = now_s();
	do {
		for (i = 0; i < N_MIX; i++) {
			rc = rt_normalize_with(
					mix[i], lens[i], &nc, out, sizeof(out));
			if (rc > 0)
				tokens(out, (size_t) rc, &vo);
		}
		n += N_MIX;
	} while ((t = now_s()) - t0 < secs);
	printf("normalize + value tokens: %10.0f msgs/s  %6.1f ns/msg\n",
			n / (t - t0), (t - t0) * 1e9 / n);

	n = 0;
	t0 = now_s();
	do {
		for (i = 0; i < N_MIX; i++) {
			rc = rt_sms_segments(mix[i], lens[i], NULL);
			sink += rc;
		}
		n += N_MIX;
	} while ((t = now_s()) - t0 < secs);
	printf("rt_sms_segments:          %10.0f msgs/s  %6.1f ns/msg\n",
			n / (t - t0), (t - t0) * 1e9 / n);
	return 0;
}
