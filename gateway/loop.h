/*
 * gateway/loop.h - the daemon's single-threaded event loop.
 *
 * A small poll()-based loop in the spirit of Redis' ae.c:
 *  - file descriptors with read and/or write interest;
 *  - timers as absolute CLOCK_MONOTONIC deadlines in milliseconds
 *    (loop_now_ms()), kept in a sorted list (the daemon has tens of timers,
 *    not thousands, so a heap would buy nothing);
 *  - signals delivered through a signalfd as ordinary events, so signal
 *    callbacks run in the loop's context and may do anything;
 *  - a before-sleep hook, run once per iteration just before poll().
 *
 * One iteration: before-sleep hook -> poll() with the nearest deadline as
 * the timeout (infinite when there is no timer: an idle loop never wakes
 * up) -> file and signal events -> expired timers.  File events run before
 * timers on purpose: a modem answer that arrived together with its
 * command's deadline must be read before the timeout is judged.
 *
 * Every callback may add or remove any fd, timer or signal, including its
 * own, and may call loop_stop().  Nothing here is thread-safe; the daemon
 * has one thread.
 */
#ifndef GATEWAY_LOOP_H
#define GATEWAY_LOOP_H

#include <stdint.h>

struct loop;

/* Interest and readiness bits for fds. */
enum loop_event {
	LOOP_READ = 1 << 0,
	LOOP_WRITE = 1 << 1,
	LOOP_HUP = 1 << 2,   /* readiness only: peer hung up (POLLHUP) */
	LOOP_ERROR = 1 << 3, /* readiness only: POLLERR or POLLNVAL */
};

/* A timer callback's return value that retires the timer. */
#define LOOP_TIMER_DONE (-1)

/*
 * fd callback: @events is the set of enum loop_event bits that are ready.
 * LOOP_HUP and LOOP_ERROR are reported even without interest in them.
 */
typedef void (*loop_fd_cb)(struct loop *loop, int fd, int events, void *data);

/*
 * Timer callback.  Returns LOOP_TIMER_DONE to retire the timer (its
 * finalizer then runs), or a delay in milliseconds (>= 0) after which it
 * fires again (ae.c's convention: periodic timers need no re-adding).
 * A timer rescheduled with delay 0 runs in the next iteration, not again
 * in this one, so a timer cannot starve file events.
 */
typedef int64_t (*loop_timer_cb)(struct loop *loop, int64_t id, void *data);

/* Called exactly once when a timer is retired, cancelled or the loop freed. */
typedef void (*loop_finalize_cb)(void *data);

/* Signal callback: runs in the loop, not in a signal handler. */
typedef void (*loop_signal_cb)(struct loop *loop, int signo, void *data);

/* Before-sleep hook: runs before every poll(). */
typedef void (*loop_hook_cb)(struct loop *loop, void *data);

/*
 * Counters for tests and for the daemon's status: how often the loop
 * returned from poll() and how many callbacks it ran.
 */
struct loop_stats {
	uint64_t polls;		/* poll() calls that returned */
	uint64_t fd_events;	/* fd callbacks run */
	uint64_t timer_events;	/* timer callbacks run */
	uint64_t signal_events; /* signal callbacks run */
};

/* Current CLOCK_MONOTONIC time in milliseconds. */
int64_t loop_now_ms(void);

/*
 * Creates an empty loop.  Returns NULL when out of memory.  The caller
 * frees it with loop_free().
 */
struct loop *loop_new(void);

/*
 * Frees the loop: runs the finalizer of every remaining timer, restores
 * the signal mask and dispositions changed by loop_add_signal(), closes
 * the signalfd.  Registered fds are not closed (the loop never owns them).
 * Accepts NULL.  Must not be called from inside a callback of this loop.
 */
void loop_free(struct loop *loop);

/*
 * Watches @fd for @events (LOOP_READ and/or LOOP_WRITE; 0 keeps it
 * registered but silent).  @data is borrowed and passed to @cb.
 * Returns 0, -EINVAL (negative fd, NULL cb, bad bits), -EEXIST (fd already
 * watched) or -ENOMEM.  Safe from callbacks.
 */
int loop_add_fd(struct loop *loop, int fd, int events, loop_fd_cb cb,
		void *data) __attribute__((warn_unused_result));

/*
 * Changes the interest set of a watched fd (e.g. add LOOP_WRITE while an
 * output buffer is non-empty).  Returns 0, -EINVAL or -ENOENT.
 */
int loop_set_fd_events(struct loop *loop, int fd, int events);

/*
 * Stops watching @fd.  Safe from any callback, including @fd's own: a
 * removed fd's pending events of this iteration are dropped.  Does not
 * close the fd.  Returns 0 or -ENOENT.
 */
int loop_del_fd(struct loop *loop, int fd);

/*
 * Adds a timer firing at the absolute monotonic time @deadline_ms (see
 * loop_now_ms()); a deadline in the past fires in the next iteration.
 * Timers with equal deadlines fire in the order they were added.
 * @finalize (may be NULL) runs once with @data when the timer is retired.
 * Returns the timer id (> 0) or -EINVAL (NULL cb) / -ENOMEM.
 */
int64_t loop_add_timer_at(struct loop *loop, int64_t deadline_ms,
		loop_timer_cb cb, void *data, loop_finalize_cb finalize)
		__attribute__((warn_unused_result));

/* Same as loop_add_timer_at(loop, loop_now_ms() + delay_ms, ...). */
int64_t loop_add_timer(struct loop *loop, int64_t delay_ms, loop_timer_cb cb,
		void *data, loop_finalize_cb finalize)
		__attribute__((warn_unused_result));

/*
 * Cancels a timer; its finalizer runs now (or, when called from the
 * timer's own callback, right after that callback returns, whose return
 * value is then ignored).  Returns 0 or -ENOENT (unknown or already
 * retired id).
 */
int loop_cancel_timer(struct loop *loop, int64_t id);

/*
 * Delivers @signo to @cb as a loop event.  The signal is blocked in the
 * process and read from a signalfd, so the callback is an ordinary
 * function; repeated deliveries before the loop reads them coalesce into
 * one.  One callback per signal; adding again replaces it.  Children
 * started later inherit the blocked mask: unblock before exec.
 * Returns 0, -EINVAL (bad signo, SIGKILL, SIGSTOP) or a negative errno
 * from signalfd()/sigprocmask().
 */
int loop_add_signal(struct loop *loop, int signo, loop_signal_cb cb, void *data)
		__attribute__((warn_unused_result));

/* Sets (or clears with NULL) the before-sleep hook. */
void loop_set_before_sleep(struct loop *loop, loop_hook_cb cb, void *data);

/*
 * Returns the poll() timeout the loop would use now, in milliseconds:
 * -1 when there is no timer (sleep until an fd or signal), 0 when a timer
 * is due or a stop is pending, otherwise the time to the nearest deadline
 * (rounded up, so a timer never fires early).
 */
int loop_next_timeout_ms(const struct loop *loop);

/*
 * Runs iterations until loop_stop() is called.  Returns 0 after a stop,
 * or a negative errno when poll() fails (not for EINTR, which is retried).
 * Not re-entrant: never call it from a callback.
 */
int loop_run(struct loop *loop);

/*
 * Runs one iteration; @block false polls with a zero timeout.  Returns the
 * number of callbacks run, or a negative errno.  For tests and for loops
 * embedded in another driver.
 */
int loop_run_once(struct loop *loop, int block);

/*
 * Makes loop_run() return after the current iteration's callbacks.
 * Safe from any callback.
 */
void loop_stop(struct loop *loop);

/* Copies the loop's counters into @ret_stats. */
void loop_get_stats(const struct loop *loop, struct loop_stats *ret_stats);

#endif /* GATEWAY_LOOP_H */
