/*
 * rules/digest: one supervisor SMS from a header and a list of reps
 * (real Chinese names and references), cut at max_segments with
 * "…等N人", counted as the codec counts; reminder spread.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modem/sms_pdu.h"
#include "rules/digest.h"
#include "tests/unit/testutil.h"

#define HEADER_CN "今日未交日报({{count}}人):{{names}}"

/* 40 three-character names (UCS-2: 3 units each). */
static const char *const names40[40] = {"王建国", "李秀英", "张伟强", "刘海涛",
		"陈志明", "杨丽娟", "赵国庆", "黄晓东", "周文斌", "吴春梅",
		"徐建华", "孙丽萍", "胡志刚", "朱晓燕", "高建军", "林海峰",
		"何秀兰", "郭振华", "马俊杰", "罗小燕", "梁国栋", "宋建平",
		"郑晓明", "谢志强", "韩雪梅", "唐建新", "冯晓丽", "于海洋",
		"董建伟", "萧美玲", "程志勇", "曹丽华", "袁建明", "邓晓红",
		"许国华", "傅志国", "沈丽芳", "曾建勇", "彭晓峰", "吕志华"};

static void fill(struct dg_item *it, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		it[i].text = names[i];
		it[i].len = strlen(names[i]);
	}
}

static unsigned segs(const char *s)
{
	struct sms_segments seg;

	ck_assert_int_eq(sms_segment_count(s, strlen(s), &seg), 0);
	return seg.parts;
}

START_TEST(test_two_names)
{
	struct dg_item it[2];
	struct dg_opts o = {HEADER_CN, NULL, NULL, 1};
	struct dg_result r;

	fill(it, names40, 2);
	ck_assert_int_eq(dg_build(&o, it, 2, &r), 0);
	ck_assert_str_eq(r.text, "今日未交日报(2人):王建国、李秀英");
	ck_assert_uint_eq(r.len, strlen(r.text));
	ck_assert_uint_eq(r.n_listed, 2);
	ck_assert_uint_eq(r.segments, 1);
	ck_assert(!r.gsm7);
	dg_result_done(&r);
	ck_assert_ptr_null(r.text);
}
END_TEST

/*
 * 40 names of 3 units, header "今日未交日报(40人):" 12 units, "、" 1,
 * "…等NN人" 5: k listed cost 12 + 3k + (k - 1) + 5 units.
 *   1 segment  (70):  k = 13 (68 units);
 *   2 segments (134): k = 29 (132 units);
 *   unlimited: all 40, 171 units = 3 segments of 67.
 */
static const struct {
	unsigned max;
	size_t listed;
	unsigned segments;
	const char *tail;
} cut_cases[] = {
		{1, 13, 1, "吴春梅、徐建华、孙丽萍、胡志刚…等27人"},
		{2, 29, 2, "冯晓丽、于海洋、董建伟…等11人"},
		{3, 40, 3, "彭晓峰、吕志华"},
		{0, 40, 3, "彭晓峰、吕志华"},
};

START_TEST(test_cut)
{
	struct dg_item it[40];
	struct dg_opts o = {HEADER_CN, NULL, NULL, cut_cases[_i].max};
	struct dg_result r;
	size_t tl = strlen(cut_cases[_i].tail);

	fill(it, names40, 40);
	ck_assert_int_eq(dg_build(&o, it, 40, &r), 0);
	ck_assert_uint_eq(r.n_listed, cut_cases[_i].listed);
	ck_assert_uint_eq(r.segments, cut_cases[_i].segments);
	ck_assert_uint_eq(segs(r.text), r.segments);
	ck_assert(strncmp(r.text, "今日未交日报(40人):王建国、", 38) == 0);
	ck_assert_msg(r.len >= tl && strcmp(r.text + r.len - tl,
						     cut_cases[_i].tail) == 0,
			"text: %s", r.text);
	dg_result_done(&r);
}
END_TEST

/* GSM 7-bit: 160 septets in one SMS. "Missing (40): " 14, "Rep001" 6,
 * ", " 2, " +NN more" 9: 14 + 6k + 2(k-1) + 9 <= 160 -> k = 17. */
START_TEST(test_gsm7)
{
	static char names[40][8];
	const char *np[40];
	struct dg_item it[40];
	struct dg_opts o = {"Missing ({{count}}): {{list}}", ", ",
			" +{{more}} more", 1};
	struct dg_result r;
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "Rep%03d", i + 1);
		np[i] = names[i];
	}
	fill(it, np, 40);
	ck_assert_int_eq(dg_build(&o, it, 40, &r), 0);
	ck_assert(r.gsm7);
	ck_assert_uint_eq(r.n_listed, 17);
	ck_assert_uint_eq(r.len, 157);
	ck_assert_str_eq(r.text + r.len - 23, "Rep016, Rep017 +23 more");
	dg_result_done(&r);

	/* one Chinese name makes it UCS-2 (70 units) */
	np[0] = "王五";
	fill(it, np, 40);
	ck_assert_int_eq(dg_build(&o, it, 40, &r), 0);
	ck_assert(!r.gsm7);
	ck_assert_uint_eq(segs(r.text), 1);
	/* 14 + 2 + 8k' ... the exact count is the codec's: just fits */
	ck_assert_uint_gt(r.n_listed, 1);
	ck_assert_uint_lt(r.n_listed, 17);
	dg_result_done(&r);
}
END_TEST

/* Text after the list, {{count}} twice, other placeholders untouched. */
START_TEST(test_template)
{
	static const char *const refs[] = {"R1045", "R1046", "R1050"};
	struct dg_item it[3];
	struct dg_opts o = {
			"待批{{count}}件:{{refs}}。回复 批 编号 ({{count}}) "
			"{{date}}",
			",", NULL, 1};
	struct dg_result r;

	fill(it, refs, 3);
	ck_assert_int_eq(dg_build(&o, it, 3, &r), 0);
	ck_assert_str_eq(r.text,
			"待批3件:R1045,R1046,R1050。回复 批 编号 (3) {{date}}");
	dg_result_done(&r);

	/* no list placeholder: the list goes at the end */
	o.header = "Team: ";
	ck_assert_int_eq(dg_build(&o, it, 3, &r), 0);
	ck_assert_str_eq(r.text, "Team: R1045,R1046,R1050");
	dg_result_done(&r);

	/* zero items */
	o.header = HEADER_CN;
	ck_assert_int_eq(dg_build(&o, NULL, 0, &r), 0);
	ck_assert_str_eq(r.text, "今日未交日报(0人):");
	ck_assert_uint_eq(r.n_listed, 0);
	dg_result_done(&r);
}
END_TEST

START_TEST(test_errors)
{
	struct dg_item it[2] = {{"\xff\xfe", 2}, {"ok", 2}};
	struct dg_opts o = {HEADER_CN, NULL, NULL, 1};
	struct dg_result r;
	char longh[400];

	ck_assert_int_eq(dg_build(&o, it, 2, &r), -EINVAL);
	ck_assert_ptr_null(r.text);
	o.header = NULL;
	ck_assert_int_eq(dg_build(&o, it + 1, 1, &r), -EINVAL);
	o.header = "\xc3(";
	ck_assert_int_eq(dg_build(&o, it + 1, 1, &r), -EINVAL);
	o.header = HEADER_CN;
	o.separator = "\xe3\x80";
	ck_assert_int_eq(dg_build(&o, it + 1, 1, &r), -EINVAL);
	o.separator = NULL;
	/* a header that alone needs two segments */
	memset(longh, 'x', 200);
	strcpy(longh + 200, "{{list}}");
	o.header = longh;
	ck_assert_int_eq(dg_build(&o, it + 1, 1, &r), -E2BIG);
	ck_assert_ptr_nonnull(r.text);
	ck_assert_uint_eq(r.n_listed, 0);
	dg_result_done(&r);
}
END_TEST

/* Random lists: the cut always fits, and one more item never would. */
START_TEST(test_random_fit)
{
	static const char *const pool[] = {"王建国", "李秀英", "Li Wei",
			"欧阳娜娜", "R1045", "Zhang{San}", "刘€", "A", "马",
			"😀小明"};
	struct tu_rng rng;
	int round;

	tu_rng_seed(&rng, 9);
	for (round = 0; round < 300; round++) {
		size_t n = tu_rng_below(&rng, 120), i, k;
		struct dg_item *it = calloc(n + 1, sizeof(*it));
		struct dg_opts o = {round % 2 ? HEADER_CN
					      : "Missing {{count}}: {{list}}",
				round % 3 ? NULL : ", ", NULL,
				1 + tu_rng_below(&rng, 3)};
		struct dg_result r;

		for (i = 0; i < n; i++) {
			it[i].text = pool[tu_rng_below(&rng, 10)];
			it[i].len = strlen(it[i].text);
		}
		ck_assert_int_eq(dg_build(&o, it, n, &r), 0);
		ck_assert_uint_le(r.segments, o.max_segments);
		ck_assert_uint_eq(segs(r.text), r.segments);
		k = r.n_listed;
		if (k < n) {
			/* the same text with one more item listed */
			const char *sep = o.separator ? o.separator : "、";
			size_t cap = 256 + (k + 1) * 32, j;
			char *t = malloc(cap);
			int len;

			len = round % 2 ? snprintf(t, cap,
							  "今日未交日报(%zu人)"
							  ":",
							  n)
					: snprintf(t, cap, "Missing %zu: ", n);
			for (j = 0; j <= k; j++)
				len += snprintf(t + len, cap - (size_t) len,
						"%s%s", j ? sep : "",
						it[j].text);
			if (k + 1 < n)
				snprintf(t + len, cap - (size_t) len,
						"…等%zu人", n - k - 1);
			ck_assert_msg(segs(t) > o.max_segments,
					"%zu of %zu listed, %zu fit: %s", k, n,
					k + 1, t);
			/* and the listed text is what the library made */
			t[0] = '\0';
			free(t);
		}
		dg_result_done(&r);
		free(it);
	}
}
END_TEST

/* Alert batching: every item kept, in order, in as few messages as fit. */
START_TEST(test_pack)
{
	static const char *const alerts[] = {
			"王建国日报销量600箱(≥500)。批复:批 R1045",
			"李秀英在辖区外签到: 历下店(SD-QD) 09:12",
			"竞品动态 张伟强/SD-JN: 某品牌买一赠一",
			"刘海涛销量900，为近4周均值3倍以上，请核实 R1050",
			"模块2已断开15分钟",
			"SIM余额12.50元，低于20元",
	};
	struct dg_item it[60];
	struct dg_pack_result r;
	size_t i, total = 0, pos = 0;
	char joined[8192] = "";

	for (i = 0; i < 60; i++) {
		it[i].text = alerts[i % 6];
		it[i].len = strlen(alerts[i % 6]);
	}
	/* 5 fit in 3 segments; a header with the per-message count */
	ck_assert_int_eq(
			dg_pack("告警({{count}}):\n", NULL, 3, it, NULL, 5, &r),
			0);
	ck_assert_uint_eq(r.n_msgs, 1);
	ck_assert_uint_eq(r.msgs[0].n_items, 5);
	ck_assert(strncmp(r.msgs[0].text, "告警(5):\n王建国", 20) == 0);
	ck_assert_uint_le(r.msgs[0].segments, 3);
	dg_pack_done(&r);

	/* 60 with distinct keys, one segment each message */
	{
		static char keys[60][8];
		const char *kp[60];

		for (i = 0; i < 60; i++) {
			snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
			kp[i] = keys[i];
		}
		ck_assert_int_eq(dg_pack(NULL, NULL, 1, it, kp, 60, &r), 0);
	}
	ck_assert_uint_eq(r.n_duplicates, 0);
	ck_assert_uint_gt(r.n_msgs, 10);
	for (i = 0; i < r.n_msgs; i++) {
		ck_assert_uint_eq(r.msgs[i].segments, 1);
		ck_assert_uint_eq(segs(r.msgs[i].text), 1);
		total += r.msgs[i].n_items;
		if (i + 1 < r.n_msgs) {
			/* maximal: the next item would not have fitted */
			char t[1024];

			snprintf(t, sizeof(t), "%s\n%s", r.msgs[i].text,
					it[total].text);
			ck_assert_uint_gt(segs(t), 1);
		}
		pos += (size_t) snprintf(joined + pos, sizeof(joined) - pos,
				"%s%s", i ? "\n" : "", r.msgs[i].text);
	}
	ck_assert_uint_eq(total, 60);
	/* nothing lost, order kept */
	{
		char want[8192] = "";
		size_t wp = 0;

		for (i = 0; i < 60; i++)
			wp += (size_t) snprintf(want + wp, sizeof(want) - wp,
					"%s%s", i ? "\n" : "", it[i].text);
		ck_assert_str_eq(joined, want);
	}
	dg_pack_done(&r);

	/* without keys the text is the key: 6 distinct of 60 */
	ck_assert_int_eq(dg_pack(NULL, "；", 3, it, NULL, 60, &r), 0);
	ck_assert_uint_eq(r.n_duplicates, 54);
	for (i = 0, total = 0; i < r.n_msgs; i++)
		total += r.msgs[i].n_items;
	ck_assert_uint_eq(total, 6);
	dg_pack_done(&r);
}
END_TEST

START_TEST(test_pack_edges)
{
	struct dg_item it[5] = {
			{"x", 1}, {"y", 1}, {"z", 1}, {"w", 1}, {"w", 1}};
	const char *keys[5] = {"a", "b", "a", NULL, NULL};
	struct dg_pack_result r;
	char longtext[700];
	size_t i;

	ck_assert_int_eq(dg_pack(NULL, ",", 1, it, keys, 5, &r), 0);
	ck_assert_uint_eq(r.n_duplicates, 2);
	ck_assert_uint_eq(r.n_msgs, 1);
	ck_assert_str_eq(r.msgs[0].text, "x,y,w");
	dg_pack_done(&r);

	/* 200 Chinese characters: too long for one segment, sent alone */
	for (i = 0; i < 200; i++)
		memcpy(longtext + 3 * i, "长", 3);
	longtext[600] = '\0';
	it[1].text = longtext;
	it[1].len = 600;
	ck_assert_int_eq(dg_pack(NULL, ",", 1, it, NULL, 3, &r), 0);
	ck_assert_uint_eq(r.n_oversize, 1);
	ck_assert_uint_eq(r.n_msgs, 3);
	ck_assert_str_eq(r.msgs[0].text, "x");
	ck_assert_uint_eq(r.msgs[1].segments, 3);
	ck_assert_uint_eq(r.msgs[1].n_items, 1);
	ck_assert_str_eq(r.msgs[2].text, "z");
	dg_pack_done(&r);

	ck_assert_int_eq(dg_pack(NULL, NULL, 0, it, NULL, 1, &r), -EINVAL);
	it[0].text = "\xff";
	ck_assert_int_eq(dg_pack(NULL, NULL, 1, it, NULL, 1, &r), -EINVAL);
	ck_assert_ptr_null(r.msgs);
	ck_assert_int_eq(dg_pack(NULL, NULL, 1, NULL, NULL, 0, &r), 0);
	ck_assert_uint_eq(r.n_msgs, 0);
	dg_pack_done(&r);
}
END_TEST

START_TEST(test_spread)
{
	uint32_t a[300], b[300], c[300];
	size_t i, buckets[10] = {0};
	int differ = 0;
	bool seen[300] = {false};

	dg_spread(42, 300, 300, a);
	dg_spread(42, 300, 300, b);
	dg_spread(43, 300, 300, c);
	for (i = 0; i < 300; i++) {
		ck_assert_uint_eq(a[i], b[i]);
		ck_assert_uint_lt(a[i], 300);
		ck_assert(!seen[a[i]]); /* evenly spaced: one per second */
		seen[a[i]] = true;
		differ += a[i] != c[i];
	}
	ck_assert_int_gt(differ, 250);
	dg_spread(1, 3, 0, a);
	ck_assert_uint_eq(a[0] + a[1] + a[2], 0);
	/* 30,000 over 5 minutes: 100 per second */
	{
		uint32_t *big = malloc(30000 * sizeof(*big));
		size_t per[300] = {0};

		dg_spread(7, 30000, 300, big);
		for (i = 0; i < 30000; i++)
			per[big[i]]++;
		for (i = 0; i < 300; i++)
			ck_assert_uint_eq(per[i], 100);
		free(big);
	}
	for (i = 0; i < 10000; i++) {
		uint32_t o = dg_spread_key(5, i, 600);

		ck_assert_uint_lt(o, 600);
		ck_assert_uint_eq(o, dg_spread_key(5, i, 600));
		buckets[o / 60]++;
	}
	for (i = 0; i < 10; i++) {
		ck_assert_uint_gt(buckets[i], 850);
		ck_assert_uint_lt(buckets[i], 1150);
	}
	ck_assert_uint_eq(dg_spread_key(5, 1, 0), 0);
}
END_TEST

static Suite *digest_suite(void)
{
	Suite *s = suite_create("digest");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_two_names);
	tcase_add_loop_test(tc, test_cut, 0,
			sizeof(cut_cases) / sizeof(cut_cases[0]));
	tcase_add_test(tc, test_gsm7);
	tcase_add_test(tc, test_template);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_random_fit);
	tcase_add_test(tc, test_pack);
	tcase_add_test(tc, test_pack_edges);
	tcase_add_test(tc, test_spread);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(digest_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
