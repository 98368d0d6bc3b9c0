/*
 * tests/unit/check_loop.c - gateway/loop.c: ordering, re-entrancy,
 * signals, and that the poll timeout is the nearest deadline.
 *
 * Timers here use deadlines already in the past (so they are due on the
 * first iteration without waiting) or short real delays checked with
 * generous bounds; nothing sleeps to synchronise.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway/loop.h"

/* A log of what ran, in order. */
struct trace {
	char ev[32][16];
	int n;
	struct loop *loop;
	int64_t ids[8];
	int fds[4];
	int finalized;
};

static void note(struct trace *t, const char *what)
{
	ck_assert_int_lt(t->n, 32);
	strncpy(t->ev[t->n], what, sizeof(t->ev[0]) - 1);
	t->ev[t->n][sizeof(t->ev[0]) - 1] = '\0';
	t->n++;
}

static void finalize_count(void *data)
{
	struct trace *t = data;

	t->finalized++;
}

static int64_t timer_a(struct loop *loop, int64_t id, void *data)
{
	note(data, "A");
	return LOOP_TIMER_DONE;
}

static int64_t timer_b(struct loop *loop, int64_t id, void *data)
{
	note(data, "B");
	return LOOP_TIMER_DONE;
}

static int64_t timer_c(struct loop *loop, int64_t id, void *data)
{
	note(data, "C");
	return LOOP_TIMER_DONE;
}

START_TEST(test_timer_order)
{
	struct loop *loop = loop_new();
	struct trace t = {0};
	int64_t now = loop_now_ms();

	ck_assert_ptr_nonnull(loop);
	/* Added out of order; equal deadlines keep insertion order. */
	ck_assert_int_gt(loop_add_timer_at(loop, now - 10, timer_c, &t,
					 finalize_count),
			0);
	ck_assert_int_gt(loop_add_timer_at(loop, now - 30, timer_a, &t,
					 finalize_count),
			0);
	ck_assert_int_gt(loop_add_timer_at(loop, now - 20, timer_b, &t,
					 finalize_count),
			0);
	ck_assert_int_gt(loop_add_timer_at(loop, now - 10, timer_a, &t,
					 finalize_count),
			0);
	ck_assert_int_eq(loop_run_once(loop, 0), 4);
	ck_assert_int_eq(t.n, 4);
	ck_assert_str_eq(t.ev[0], "A");
	ck_assert_str_eq(t.ev[1], "B");
	ck_assert_str_eq(t.ev[2], "C");
	ck_assert_str_eq(t.ev[3], "A");
	ck_assert_int_eq(t.finalized, 4);
	/* All retired: the loop would now sleep forever. */
	ck_assert_int_eq(loop_next_timeout_ms(loop), -1);
	loop_free(loop);
}
END_TEST

/* Cancels the timer in ids[1] (a later one) and then itself. */
static int64_t timer_cancel_others(struct loop *loop, int64_t id, void *data)
{
	struct trace *t = data;

	note(t, "X");
	ck_assert_int_eq(loop_cancel_timer(loop, t->ids[1]), 0);
	ck_assert_int_eq(loop_cancel_timer(loop, t->ids[1]), -ENOENT);
	ck_assert_int_eq(loop_cancel_timer(loop, id), 0);
	ck_assert_int_eq(loop_cancel_timer(loop, id), -ENOENT);
	/* Ignored: the timer was cancelled from its own callback. */
	return 0;
}

START_TEST(test_timer_cancel_in_callback)
{
	struct loop *loop = loop_new();
	struct trace t = {0};
	int64_t now = loop_now_ms();

	t.ids[0] = loop_add_timer_at(
			loop, now - 2, timer_cancel_others, &t, finalize_count);
	t.ids[1] = loop_add_timer_at(
			loop, now - 1, timer_b, &t, finalize_count);
	ck_assert_int_gt(t.ids[0], 0);
	ck_assert_int_gt(t.ids[1], 0);
	ck_assert_int_eq(loop_run_once(loop, 0), 1);
	ck_assert_int_eq(t.n, 1);
	ck_assert_str_eq(t.ev[0], "X");
	/* Both finalized exactly once; nothing left to run. */
	ck_assert_int_eq(t.finalized, 2);
	ck_assert_int_eq(loop_next_timeout_ms(loop), -1);
	ck_assert_int_eq(loop_run_once(loop, 0), 0);
	loop_free(loop);
}
END_TEST

static int64_t timer_periodic(struct loop *loop, int64_t id, void *data)
{
	struct trace *t = data;

	note(t, "P");
	/* Re-armed with delay 0: must wait for the next iteration. */
	return t->n < 3 ? 0 : LOOP_TIMER_DONE;
}

START_TEST(test_timer_rearm_once_per_iteration)
{
	struct loop *loop = loop_new();
	struct trace t = {0};

	ck_assert_int_gt(loop_add_timer(loop, -1, timer_periodic, &t,
					 finalize_count),
			0);
	ck_assert_int_eq(loop_run_once(loop, 0), 1);
	ck_assert_int_eq(loop_run_once(loop, 0), 1);
	ck_assert_int_eq(t.finalized, 0);
	ck_assert_int_eq(loop_run_once(loop, 0), 1);
	ck_assert_int_eq(t.n, 3);
	ck_assert_int_eq(t.finalized, 1);
	loop_free(loop);
}
END_TEST

START_TEST(test_free_finalizes_pending_timers)
{
	struct loop *loop = loop_new();
	struct trace t = {0};

	ck_assert_int_gt(loop_add_timer(loop, 100000, timer_a, &t,
					 finalize_count),
			0);
	ck_assert_int_gt(loop_add_timer(loop, 200000, timer_b, &t,
					 finalize_count),
			0);
	loop_free(loop);
	ck_assert_int_eq(t.finalized, 2);
	ck_assert_int_eq(t.n, 0);
}
END_TEST

/* Reads the byte; the first call also removes the other pipe's end. */
static void fd_remove_other(struct loop *loop, int fd, int events, void *data)
{
	struct trace *t = data;
	char c;

	ck_assert(events & LOOP_READ);
	ck_assert_int_eq(read(fd, &c, 1), 1);
	note(t, fd == t->fds[0] ? "fd0" : "fd1");
	if (t->n == 1)
		ck_assert_int_eq(loop_del_fd(loop, fd == t->fds[0] ? t->fds[1]
								   : t->fds[0]),
				0);
	/* And itself: removing the fd whose callback runs is fine too. */
	ck_assert_int_eq(loop_del_fd(loop, fd), 0);
	ck_assert_int_eq(loop_del_fd(loop, fd), -ENOENT);
}

START_TEST(test_fd_removal_in_callback)
{
	struct loop *loop = loop_new();
	struct trace t = {0};
	int p0[2], p1[2];

	ck_assert_int_eq(pipe(p0), 0);
	ck_assert_int_eq(pipe(p1), 0);
	t.fds[0] = p0[0];
	t.fds[1] = p1[0];
	ck_assert_int_eq(loop_add_fd(loop, p0[0], LOOP_READ, fd_remove_other,
					 &t),
			0);
	ck_assert_int_eq(loop_add_fd(loop, p1[0], LOOP_READ, fd_remove_other,
					 &t),
			0);
	ck_assert_int_eq(loop_add_fd(loop, p1[0], LOOP_READ, fd_remove_other,
					 &t),
			-EEXIST);
	/* Both readable in the same poll: only the first callback runs. */
	ck_assert_int_eq(write(p0[1], "x", 1), 1);
	ck_assert_int_eq(write(p1[1], "y", 1), 1);
	ck_assert_int_eq(loop_run_once(loop, 0), 1);
	ck_assert_int_eq(t.n, 1);
	ck_assert_str_eq(t.ev[0], "fd0");
	/* Removed: still readable, but never dispatched again. */
	ck_assert_int_eq(loop_run_once(loop, 0), 0);
	ck_assert_int_eq(t.n, 1);
	/* The fd number can be registered again after removal. */
	ck_assert_int_eq(loop_add_fd(loop, p1[0], LOOP_READ, fd_remove_other,
					 &t),
			0);
	ck_assert_int_eq(loop_run_once(loop, 0), 1);
	ck_assert_str_eq(t.ev[1], "fd1");
	loop_free(loop);
	close(p0[0]);
	close(p0[1]);
	close(p1[0]);
	close(p1[1]);
}
END_TEST

static void fd_note(struct loop *loop, int fd, int events, void *data)
{
	char c;

	if (events & LOOP_READ)
		ck_assert_int_eq(read(fd, &c, 1), 1);
	note(data, "F");
}

START_TEST(test_file_events_before_timers)
{
	struct loop *loop = loop_new();
	struct trace t = {0};
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	/* The timer was due first, yet the fd event is handled first. */
	ck_assert_int_gt(loop_add_timer_at(loop, loop_now_ms() - 1000, timer_a,
					 &t, NULL),
			0);
	ck_assert_int_eq(loop_add_fd(loop, p[0], LOOP_READ, fd_note, &t), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(loop_run_once(loop, 1), 2);
	ck_assert_int_eq(t.n, 2);
	ck_assert_str_eq(t.ev[0], "F");
	ck_assert_str_eq(t.ev[1], "A");
	loop_free(loop);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_write_interest)
{
	struct loop *loop = loop_new();
	struct trace t = {0};
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	/* No interest: an empty pipe's write end is writable but silent. */
	ck_assert_int_eq(loop_add_fd(loop, p[1], 0, fd_note, &t), 0);
	ck_assert_int_eq(loop_run_once(loop, 0), 0);
	ck_assert_int_eq(loop_set_fd_events(loop, p[1], LOOP_WRITE), 0);
	ck_assert_int_eq(loop_run_once(loop, 0), 1);
	ck_assert_int_eq(loop_set_fd_events(loop, 12345, LOOP_WRITE), -ENOENT);
	ck_assert_int_eq(
			loop_add_fd(loop, -1, LOOP_READ, fd_note, &t), -EINVAL);
	loop_free(loop);
	close(p[0]);
	close(p[1]);
}
END_TEST

static void on_signal(struct loop *loop, int signo, void *data)
{
	struct trace *t = data;

	note(t, signo == SIGUSR1 ? "USR1" : signo == SIGALRM ? "ALRM" : "SIG?");
	loop_stop(loop);
}

START_TEST(test_signal_as_event)
{
	struct loop *loop = loop_new();
	struct trace t = {0};
	sigset_t cur;

	ck_assert_int_eq(loop_add_signal(loop, SIGUSR1, on_signal, &t), 0);
	ck_assert_int_eq(
			loop_add_signal(loop, SIGKILL, on_signal, &t), -EINVAL);
	/* Without the loop, SIGUSR1 would kill this process. */
	ck_assert_int_eq(raise(SIGUSR1), 0);
	ck_assert_int_eq(loop_run(loop), 0);
	ck_assert_int_eq(t.n, 1);
	ck_assert_str_eq(t.ev[0], "USR1");
	/* Two deliveries before a read coalesce into one event. */
	ck_assert_int_eq(raise(SIGUSR1), 0);
	ck_assert_int_eq(raise(SIGUSR1), 0);
	ck_assert_int_eq(loop_run_once(loop, 0), 1);
	ck_assert_int_eq(t.n, 2);
	loop_free(loop);
	/* loop_free() restored the signal mask. */
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, NULL, &cur), 0);
	ck_assert(!sigismember(&cur, SIGUSR1));
}
END_TEST

START_TEST(test_timeout_is_nearest_deadline)
{
	struct loop *loop = loop_new();
	struct trace t = {0};
	int64_t now = loop_now_ms(), id;
	int to;

	ck_assert_int_eq(loop_next_timeout_ms(loop), -1);
	ck_assert_int_gt(
			loop_add_timer_at(loop, now + 50000, timer_a, &t, NULL),
			0);
	id = loop_add_timer_at(loop, now + 20000, timer_b, &t, NULL);
	ck_assert_int_gt(id, 0);
	to = loop_next_timeout_ms(loop);
	/* 20 s away, give or take the time this test took to get here. */
	ck_assert_int_le(to, 20000);
	ck_assert_int_gt(to, 19000);
	ck_assert_int_eq(loop_cancel_timer(loop, id), 0);
	to = loop_next_timeout_ms(loop);
	ck_assert_int_le(to, 50000);
	ck_assert_int_gt(to, 49000);
	loop_stop(loop);
	ck_assert_int_eq(loop_next_timeout_ms(loop), 0);
	loop_free(loop);
}
END_TEST

static int64_t timer_stop(struct loop *loop, int64_t id, void *data)
{
	note(data, "S");
	loop_stop(loop);
	return LOOP_TIMER_DONE;
}

START_TEST(test_run_sleeps_until_deadline)
{
	struct loop *loop = loop_new();
	struct trace t = {0};
	struct loop_stats st;
	int64_t start = loop_now_ms(), elapsed;

	ck_assert_int_gt(loop_add_timer(loop, 300, timer_stop, &t, NULL), 0);
	ck_assert_int_eq(loop_run(loop), 0);
	elapsed = loop_now_ms() - start;
	ck_assert_int_ge(elapsed, 300);
	ck_assert_int_lt(elapsed, 5000);
	loop_get_stats(loop, &st);
	/* One poll that slept the whole 300 ms: no intermediate wake-ups. */
	ck_assert_uint_eq(st.polls, 1);
	ck_assert_uint_eq(st.timer_events, 1);
	loop_free(loop);
}
END_TEST

static int hook_calls;

static void before_sleep(struct loop *loop, void *data)
{
	hook_calls++;
}

START_TEST(test_idle_loop_blocks)
{
	struct loop *loop = loop_new();
	struct trace t = {0};
	struct loop_stats st;
	int64_t start = loop_now_ms(), elapsed;

	/*
	 * No fd activity, no timer: the loop must sleep in one poll() until
	 * the alarm (the bound) arrives as a signal event.  A busy or
	 * periodically waking loop would show up as polls > 1.
	 */
	hook_calls = 0;
	loop_set_before_sleep(loop, before_sleep, NULL);
	ck_assert_int_eq(loop_add_signal(loop, SIGALRM, on_signal, &t), 0);
	alarm(1);
	ck_assert_int_eq(loop_run(loop), 0);
	elapsed = loop_now_ms() - start;
	ck_assert_int_eq(t.n, 1);
	ck_assert_str_eq(t.ev[0], "ALRM");
	ck_assert_int_ge(elapsed, 900);
	loop_get_stats(loop, &st);
	ck_assert_uint_eq(st.polls, 1);
	ck_assert_uint_eq(st.signal_events, 1);
	ck_assert_int_eq(hook_calls, 1);
	loop_free(loop);
}
END_TEST

static int64_t timer_adds_fd(struct loop *loop, int64_t id, void *data)
{
	struct trace *t = data;

	/* Adding an fd from a timer makes the array grow mid-dispatch. */
	for (int i = 0; i < 20; i++) {
		int r = loop_add_fd(loop, 100 + i, LOOP_READ, fd_note, t);

		ck_assert_int_eq(r, 0);
	}
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(loop_del_fd(loop, 100 + i), 0);
	note(t, "T");
	return LOOP_TIMER_DONE;
}

START_TEST(test_add_fds_from_callback)
{
	struct loop *loop = loop_new();
	struct trace t = {0};

	ck_assert_int_gt(loop_add_timer(loop, -1, timer_adds_fd, &t, NULL), 0);
	ck_assert_int_eq(loop_run_once(loop, 0), 1);
	ck_assert_int_eq(loop_run_once(loop, 0), 0);
	ck_assert_int_eq(t.n, 1);
	loop_free(loop);
}
END_TEST

static Suite *loop_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_timer_order);
	tcase_add_test(tc, test_timer_cancel_in_callback);
	tcase_add_test(tc, test_timer_rearm_once_per_iteration);
	tcase_add_test(tc, test_free_finalizes_pending_timers);
	tcase_add_test(tc, test_fd_removal_in_callback);
	tcase_add_test(tc, test_file_events_before_timers);
	tcase_add_test(tc, test_write_interest);
	tcase_add_test(tc, test_signal_as_event);
	tcase_add_test(tc, test_timeout_is_nearest_deadline);
	tcase_add_test(tc, test_run_sleeps_until_deadline);
	tcase_add_test(tc, test_idle_loop_blocks);
	tcase_add_test(tc, test_add_fds_from_callback);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(loop_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
