/*
 * tests/bench/bench_rules.c - the rules engine's speed: loading the
 * shipped rule file with all its examples run, and parse + decide
 * (normalize, match, fields, reply rendering, no database) over a
 * realistic mix of the messages reps send, in CPU seconds of one core.
 * Usage: tests/bench/bench_rules [rules-file] [seconds, default 1]
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/rules.h"

/*
 * CPU time of this thread: the machine may be shared, and the figure
 * that matters is what one core does.
 */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* What a day of traffic looks like: mostly daily reports and check-ins. */
static const char *const mix[] = {
		"日报 120 3500 8",
		"日报120 3500 8",
		"RB 销量120 回款3500 拜访8",
		"ＲＢ　１２０，３５００，８",
		"日报 一百二 三千五 八",
		"日报 12o 3,500 8 竞品 某品牌买一赠一",
		"签到 JN0231",
		"签到 JN0231 L460-00-2A1F-3C4D",
		"QD JN0232",
		"签到 JN0233",
		"周报 800 35 2 本地经销商压货",
		"竞品 某品牌 买一赠一",
		"请假 2 家事",
		"日报 120",
		"日报 abc 3500 8",
		"帮助",
		"撤销",
		"陈列 JN0231 是 涨 0530",
		"新客 王老板 13912345678 15:30",
		"你好",
};
#define N_MIX (sizeof(mix) / sizeof(mix[0]))

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : RULES_FILE;
	double secs = argc > 2 ? atof(argv[2]) : 1.0, t0, t, best = 1e9;
	struct rules_facts facts = {.ref = "R1045",
			.prior_status = RULES_FACT_NOT_FOUND,
			.last_status = RULES_FACT_FOUND,
			.outlet_status = RULES_FACT_FOUND};
	struct rules_msg msg[N_MIX];
	struct rules *r = NULL;
	unsigned long n = 0, bytes = 0;
	size_t i;
	int k;

	/* load: best of 20 (every example and test runs each time) */
	for (k = 0; k < 20; k++) {
		struct diag_list d = {0};

		t0 = now_s();
		if (rules_load(path, &r, &d) < 0) {
			fprintf(stderr, "cannot load %s: %s\n", path,
					d.n ? d.v[0].line_text : "?");
			return 1;
		}
		t = now_s() - t0;
		if (t < best)
			best = t;
		diag_free(&d);
		if (k < 19)
			rules_free(r);
	}
	printf("load %s with all examples: %.2f ms (best of 20)\n", path,
			best * 1e3);
	facts.outlet.name = "华联超市";
	memset(msg, 0, sizeof(msg));
	for (i = 0; i < N_MIX; i++) {
		msg[i].text = mix[i];
		msg[i].len = strlen(mix[i]);
		msg[i].sender.role = "rep";
		msg[i].sender.phone = "13800000001";
		msg[i].sender.name = "张伟";
		msg[i].sent.year = 2026;
		msg[i].sent.month = 6;
		msg[i].sent.day = 1;
		msg[i].sent.hour = 10;
		msg[i].sent.unix = 1780000000;
		msg[i].received = msg[i].sent;
	}
	t0 = now_s();
	do {
		for (k = 0; k < 1000; k++) {
			const struct rules_msg *m = &msg[n % N_MIX];
			struct rules_parsed *p;
			struct rules_decision *d;

			if (rules_parse(r, m, &p) < 0 ||
					rules_decide(r, p, m, &facts, &d) < 0)
				return 1;
			bytes += d->reply ? strlen(d->reply) : 0;
			rules_decision_free(d);
			rules_parsed_free(p);
			n++;
		}
		t = now_s() - t0;
	} while (t < secs);
	printf("parse+decide: %.0f msgs/s per core (%lu messages of a "
	       "%zu-message mix in %.2f CPU s, %lu reply bytes)\n",
			(double) n / t, n, N_MIX, t, bytes);
	rules_free(r);
	return 0;
}
