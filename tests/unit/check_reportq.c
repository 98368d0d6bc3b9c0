/*
 * tests/unit/check_reportq.c - the bounded FIFO of status reports kept
 * while the database is down: order, the bound (oldest dropped), growth
 * across the ring's wrap.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "gateway/reportq.h"

static struct gw_report rep(int mr)
{
	struct gw_report r = {.mr = mr, .st = mr % 256};

	snprintf(r.modem, sizeof(r.modem), "m%d", mr % 3);
	snprintf(r.number, sizeof(r.number), "+86139%08d", mr);
	return r;
}

START_TEST(test_fifo_order)
{
	struct gw_reportq q;
	struct gw_report r;
	int i;

	gw_reportq_init(&q, 10000);
	ck_assert_ptr_null(gw_reportq_peek(&q));
	gw_reportq_pop(&q); /* empty: no-op */
	/* past the first allocation (64), with pops between: the ring
	 * wraps and then grows */
	for (i = 0; i < 50; i++) {
		r = rep(i);
		ck_assert_int_eq(gw_reportq_push(&q, &r), 0);
	}
	for (i = 0; i < 30; i++) {
		ck_assert_int_eq(gw_reportq_peek(&q)->mr, i);
		gw_reportq_pop(&q);
	}
	for (i = 50; i < 300; i++) {
		r = rep(i);
		ck_assert_int_eq(gw_reportq_push(&q, &r), 0);
	}
	ck_assert_uint_eq(q.n, 270);
	for (i = 30; i < 300; i++) {
		const struct gw_report *p = gw_reportq_peek(&q);

		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(p->mr, i);
		r = rep(i);
		ck_assert_str_eq(p->number, r.number);
		ck_assert_str_eq(p->modem, r.modem);
		gw_reportq_pop(&q);
	}
	ck_assert_ptr_null(gw_reportq_peek(&q));
	gw_reportq_free(&q);
}
END_TEST

START_TEST(test_bound_drops_oldest)
{
	struct gw_reportq q;
	struct gw_report r;
	int i, dropped = 0;

	gw_reportq_init(&q, 10000);
	for (i = 0; i < 10500; i++) {
		int d;

		r = rep(i);
		d = gw_reportq_push(&q, &r);
		ck_assert_int_ge(d, 0);
		dropped += d;
	}
	ck_assert_int_eq(dropped, 500);
	ck_assert_uint_eq(q.n, 10000);
	ck_assert_uint_le(q.cap, 10000);
	/* the 500 oldest went; the rest in order */
	for (i = 500; i < 10500; i++) {
		ck_assert_int_eq(gw_reportq_peek(&q)->mr, i);
		gw_reportq_pop(&q);
	}
	ck_assert_uint_eq(q.n, 0);
	/* usable again after free */
	gw_reportq_free(&q);
	r = rep(7);
	ck_assert_int_eq(gw_reportq_push(&q, &r), 0);
	ck_assert_int_eq(gw_reportq_peek(&q)->mr, 7);
	gw_reportq_free(&q);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reportq");
	TCase *tc = tcase_create("reportq");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_fifo_order);
	tcase_add_test(tc, test_bound_drops_oldest);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
