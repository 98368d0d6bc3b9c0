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

/* What one timed loop needs; each step reads one message of the mix. */
struct ctx {
	struct rt_norm_opts no;
	struct rt_norm nc;
	struct rv_num_opts vo;
	size_t lens[N_MIX];
	char out[256];
};

static int step_normalize(struct ctx *c, size_t i)
{
	return rt_normalize(mix[i], c->lens[i], &c->no, c->out, sizeof(c->out));
}

static int step_normalize_with(struct ctx *c, size_t i)
{
	return rt_normalize_with(
			mix[i], c->lens[i], &c->nc, c->out, sizeof(c->out));
}

static int step_tokens(struct ctx *c, size_t i)
{
	int rc = rt_normalize_with(
			mix[i], c->lens[i], &c->nc, c->out, sizeof(c->out));

	if (rc > 0)
		tokens(c->out, (size_t) rc, &c->vo);
	return 0;
}

static int step_segments(struct ctx *c, size_t i)
{
	return rt_sms_segments(mix[i], c->lens[i], NULL);
}

/* Runs step over the whole mix for secs of CPU time; prints the rate. */
static void run(const char *label, int (*step)(struct ctx *, size_t),
		struct ctx *c, double secs)
{
	unsigned long n = 0;
	double t0 = now_s(), t;
	size_t i;

	do {
		for (i = 0; i < N_MIX; i++)
			sink += step(c, i);
		n += N_MIX;
	} while ((t = now_s()) - t0 < secs);
	printf("%-25s %10.0f msgs/s  %6.1f ns/msg\n", label, n / (t - t0),
			(t - t0) * 1e9 / n);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	static struct ctx c;
	size_t i, bytes = 0;

	rt_norm_opts_default(&c.no);
	rv_num_opts_default(&c.vo);
	for (i = 0; i < N_MIX; i++) {
		c.lens[i] = strlen(mix[i]);
		bytes += c.lens[i];
	}
	printf("mix: %zu messages, %.1f bytes average\n", N_MIX,
			(double) bytes / N_MIX);
	run("rt_normalize:", step_normalize, &c, secs);
	rt_norm_compile(&c.no, &c.nc);
	run("rt_normalize_with:", step_normalize_with, &c, secs);
	run("normalize + value tokens:", step_tokens, &c, secs);
	run("rt_sms_segments:", step_segments, &c, secs);
	return 0;
}
