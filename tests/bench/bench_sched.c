/*
 * bench_sched: the pure parts of the schedule engine, timed.
 *
 *   - cron_next() fire-time computations per second (Shanghai and New
 *     York zones, with and without holidays and quiet hours);
 *   - the 10:00 check-in deadline's digests for 300 and 30,000 reps
 *     (10 reps per supervisor, Chinese names, up to 3 segments), and one
 *     digest listing 30,000 names;
 *   - reminder spread and sender guards for 30,000 reps.
 *
 * Usage: bench_sched [ZONEINFO_DIR]  (default /usr/share/zoneinfo)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/cron.h"
#include "rules/digest.h"
#include "rules/guard.h"
#include "rules/tz.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static struct tz_zone *load(
		const char *dir, const char *name, const char *fallback)
{
	char path[4096];
	struct tz_zone *z = NULL;
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f) {
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc((size_t) n);
		if (buf && fread(buf, 1, (size_t) n, f) == (size_t) n)
			tz_parse(buf, (size_t) n, name, &z, NULL);
		free(buf);
		fclose(f);
	}
	if (!z) {
		fprintf(stderr, "%s: not found, using %s\n", path, fallback);
		tz_from_posix(fallback, &z, NULL);
	}
	return z;
}

static void bench_next(const char *label, const struct tz_zone *z,
		const char *expr, const struct cron_calendar *cal, long iters)
{
	struct cron_expr e;
	struct cron_fire f;
	int64_t t = 1764640800; /* 2025-12-02 02:00Z */
	double t0;
	long i;

	if (cron_parse(expr, &e, NULL) < 0)
		abort();
	t0 = now_s();
	for (i = 0; i < iters; i++) {
		if (cron_next(&e, z, cal, t, &f) < 0)
			t = 1764640800;
		else
			t = f.at;
	}
	t0 = now_s() - t0;
	printf("cron_next %-34s %-16s %10.0f /s  (%.2f us each)\n", label,
			tz_name(z), (double) iters / t0,
			t0 / (double) iters * 1e6);
}

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵",
		"黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林"};
static const char *const given[] = {"建国", "秀英", "伟强", "海涛", "志明",
		"丽娟", "国庆", "晓东", "文斌", "春梅", "建华", "丽萍"};

/* Digests for @reps reps, @per reps per supervisor, all missing. */
static void bench_digests(size_t reps, size_t per, unsigned max_segments)
{
	struct dg_item *it = malloc(reps * sizeof(*it));
	char(*names)[16] = malloc(reps * sizeof(*names));
	struct dg_opts o = {"今日未签到({{count}}人):{{names}}。回复 查 姓名",
			NULL, NULL, max_segments};
	size_t i, sup = 0, units = 0, segs = 0, listed = 0;
	double t0;

	for (i = 0; i < reps; i++) {
		snprintf(names[i], sizeof(names[i]), "%s%s", surnames[i % 16],
				given[(i / 16) % 12]);
		it[i].text = names[i];
		it[i].len = strlen(names[i]);
	}
	t0 = now_s();
	for (i = 0; i < reps; i += per, sup++) {
		struct dg_result r;
		size_t n = reps - i < per ? reps - i : per;

		if (dg_build(&o, it + i, n, &r) < 0)
			abort();
		units += r.len;
		segs += r.segments;
		listed += r.n_listed;
		dg_result_done(&r);
	}
	t0 = now_s() - t0;
	printf("digest %6zu reps, %5zu per supervisor, max %u seg: %5zu "
	       "digests, %6zu SMS segments, %6zu listed, %8.3f ms\n",
			reps, per, max_segments, sup, segs, listed, t0 * 1e3);
	(void) units;
	free(it);
	free(names);
}

static void bench_spread_guard(size_t reps)
{
	uint32_t *off = malloc(reps * sizeof(*off));
	struct guard_policy p;
	struct guard_window *w = calloc(reps, sizeof(*w));
	char num[32];
	double t0;
	size_t i, may = 0, replies = 0;

	t0 = now_s();
	dg_spread(20261202, reps, 300, off);
	printf("dg_spread %zu reps over 300 s: %.3f ms\n", reps,
			(now_s() - t0) * 1e3);
	t0 = now_s();
	for (i = 0; i < reps; i++) {
		snprintf(num, sizeof(num), "+86138%08zu", i);
		may += guard_may_reply(guard_classify(num, NULL));
	}
	printf("guard_classify %zu senders: %.3f ms (%zu may reply)\n", reps,
			(now_s() - t0) * 1e3, may);
	guard_policy_default(&p);
	t0 = now_s();
	for (i = 0; i < reps * 10; i++) {
		const char *txt = (i % 7) ? "RB 120 3500 8" : "QD JN0231";

		replies += guard_window_check(&p, &w[i % reps],
					   1764640800 + (int64_t) i,
					   guard_text_hash(txt, strlen(txt))) ==
			   GUARD_REPLY;
	}
	printf("guard_window_check %zu messages: %.3f ms (%zu replies)\n",
			reps * 10, (now_s() - t0) * 1e3, replies);
	free(off);
	free(w);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/usr/share/zoneinfo";
	struct tz_zone *sh = load(dir, "Asia/Shanghai", "CST-8");
	struct tz_zone *ny =
			load(dir, "America/New_York", "EST5EDT,M3.2.0,M11.1.0");
	int32_t hol[7];
	struct cron_calendar cal = {hol, 7, 1290, 450, CRON_QUIET_POSTPONE};
	double t0;
	int i;

	for (i = 0; i < 7; i++)
		hol[i] = (int32_t) tz_days_from_civil(2026, 10, 1) + i;
	bench_next("\"0 10 * * 1-6\"", sh, "0 10 * * 1-6", NULL, 200000);
	bench_next("\"*/15 9-18 * * *\"", sh, "*/15 9-18 * * *", NULL, 200000);
	bench_next("\"30 20 * * 1-6\" +holidays+quiet", sh, "30 20 * * 1-6",
			&cal, 200000);
	bench_next("\"0 * * * *\" +holidays+quiet", sh, "0 * * * *", &cal,
			200000);
	bench_next("\"30 1 * * *\" (DST)", ny, "30 1 * * *", NULL, 200000);
	bench_next("\"0 12 29 2 *\" (leap day)", sh, "0 12 29 2 *", NULL,
			20000);

	bench_digests(300, 10, 3);
	bench_digests(30000, 10, 3);
	bench_digests(30000, 30, 1);
	bench_digests(30000, 30000, 3);
	bench_digests(30000, 30000, 0);
	bench_spread_guard(30000);

	/* A whole day for 30,000 reps: 5 schedules, each fire computed per
	 * territory (300 zones/territories at worst), plus the digests. */
	t0 = now_s();
	{
		struct cron_expr e[5];
		const char *ex[5] = {"0 19 * * 1-6", "30 20 * * 1-6",
				"30 10 * * 1-6", "0 18 * * 0", "0 9 * * *"};
		struct cron_fire f;
		int k, terr;

		for (k = 0; k < 5; k++)
			cron_parse(ex[k], &e[k], NULL);
		for (terr = 0; terr < 300; terr++)
			for (k = 0; k < 5; k++)
				cron_next(&e[k], sh, &cal, 1764640800, &f);
	}
	printf("day: 5 schedules x 300 territories next-fire: %.3f ms\n",
			(now_s() - t0) * 1e3);
	tz_free(sh);
	tz_free(ny);
	return 0;
}
