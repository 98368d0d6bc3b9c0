/*
 * gateway/loop.c - poll()-based event loop (see loop.h for the contract).
 *
 * Re-entrancy is the whole difficulty of an event loop, so here is how it
 * is handled:
 *  - fds live in an array; removing one only marks it dead.  Dead entries
 *    are compacted away at the start of the next iteration, when no
 *    callback can be holding an index.  A removed fd's pending events are
 *    skipped because the dispatch checks the entry, not the pollfd.
 *  - timers live in a list sorted by deadline.  The timer being run is
 *    unlinked first, so a callback may cancel or add any timer, itself
 *    included; the dispatcher restarts from the list head after every
 *    callback instead of holding a "next" pointer that could dangle.
 *  - a timer fires at most once per iteration ("round"), which bounds the
 *    work of one iteration even if callbacks keep re-arming with delay 0.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "gateway/loop.h"

struct loop_fd {
	int fd;
	int events; /* LOOP_READ | LOOP_WRITE interest */
	loop_fd_cb cb;
	void *data;
	bool dead; /* removed; compacted next iteration */
};

struct loop_timer {
	int64_t id;
	int64_t deadline; /* absolute, CLOCK_MONOTONIC ms */
	uint64_t round;	  /* iteration it was (re)armed in */
	loop_timer_cb cb;
	loop_finalize_cb finalize;
	void *data;
	struct loop_timer *next;
};

struct loop_signal {
	loop_signal_cb cb;
	void *data;
};

struct loop {
	struct loop_fd *fds;
	size_t nfds;
	size_t fds_cap;
	struct pollfd *pfds; /* rebuilt each iteration */
	size_t *pfd_owner;   /* pfds[i] belongs to fds[pfd_owner[i]] */
	size_t pfds_cap;

	struct loop_timer *timers; /* sorted by (deadline, id) */
	int64_t next_timer_id;
	uint64_t round;
	struct loop_timer *running; /* timer whose callback runs now */
	bool running_cancelled;

	int sigfd;	       /* -1 until a signal is added */
	sigset_t sigmask;      /* signals routed to sigfd */
	sigset_t old_procmask; /* restored by loop_free() */
	struct loop_signal signals[NSIG];

	loop_hook_cb before_sleep;
	void *before_sleep_data;

	bool stop;
	struct loop_stats stats;
};

int64_t loop_now_ms(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer on Linux. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *loop_new(void)
{
	struct loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->sigfd = -1;
	loop->next_timer_id = 1;
	sigemptyset(&loop->sigmask);
	sigemptyset(&loop->old_procmask);
	return loop;
}

void loop_free(struct loop *loop)
{
	struct loop_timer *t;

	if (!loop)
		return;
	while ((t = loop->timers)) {
		loop->timers = t->next;
		if (t->finalize)
			t->finalize(t->data);
		free(t);
	}
	if (loop->sigfd >= 0) {
		struct signalfd_siginfo si;

		/*
		 * Consume what is pending first: unblocking a pending SIGTERM
		 * would kill the process on its way out with the wrong status.
		 */
		while (read(loop->sigfd, &si, sizeof(si)) > 0)
			;
		sigprocmask(SIG_SETMASK, &loop->old_procmask, NULL);
		close(loop->sigfd);
	}
	free(loop->fds);
	free(loop->pfds);
	free(loop->pfd_owner);
	free(loop);
}

static struct loop_fd *find_fd(struct loop *loop, int fd)
{
	size_t i;

	for (i = 0; i < loop->nfds; i++)
		if (!loop->fds[i].dead && loop->fds[i].fd == fd)
			return &loop->fds[i];
	return NULL;
}

int loop_add_fd(struct loop *loop, int fd, int events, loop_fd_cb cb,
		void *data)
{
	struct loop_fd *e;

	if (!loop || fd < 0 || !cb || (events & ~(LOOP_READ | LOOP_WRITE)))
		return -EINVAL;
	if (find_fd(loop, fd))
		return -EEXIST;
	if (loop->nfds == loop->fds_cap) {
		size_t cap = loop->fds_cap ? loop->fds_cap * 2 : 8;

		e = realloc(loop->fds, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		loop->fds = e;
		loop->fds_cap = cap;
	}
	e = &loop->fds[loop->nfds++];
	e->fd = fd;
	e->events = events;
	e->cb = cb;
	e->data = data;
	e->dead = false;
	return 0;
}

int loop_set_fd_events(struct loop *loop, int fd, int events)
{
	struct loop_fd *e;

	if (!loop || (events & ~(LOOP_READ | LOOP_WRITE)))
		return -EINVAL;
	e = find_fd(loop, fd);
	if (!e)
		return -ENOENT;
	e->events = events;
	return 0;
}

int loop_del_fd(struct loop *loop, int fd)
{
	struct loop_fd *e = loop ? find_fd(loop, fd) : NULL;

	if (!e)
		return -ENOENT;
	e->dead = true;
	return 0;
}

static void compact_fds(struct loop *loop)
{
	size_t i, j = 0;

	for (i = 0; i < loop->nfds; i++)
		if (!loop->fds[i].dead)
			loop->fds[j++] = loop->fds[i];
	loop->nfds = j;
}

/* Inserts keeping (deadline, id) order; ids grow, so ties stay FIFO. */
static void insert_timer(struct loop *loop, struct loop_timer *t)
{
	struct loop_timer **pp = &loop->timers;

	while (*pp && ((*pp)->deadline < t->deadline ||
				      ((*pp)->deadline == t->deadline &&
						      (*pp)->id < t->id)))
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
}

int64_t loop_add_timer_at(struct loop *loop, int64_t deadline_ms,
		loop_timer_cb cb, void *data, loop_finalize_cb finalize)
{
	struct loop_timer *t;

	if (!loop || !cb)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->id = loop->next_timer_id++;
	t->deadline = deadline_ms;
	t->round = loop->round;
	t->cb = cb;
	t->data = data;
	t->finalize = finalize;
	insert_timer(loop, t);
	return t->id;
}

int64_t loop_add_timer(struct loop *loop, int64_t delay_ms, loop_timer_cb cb,
		void *data, loop_finalize_cb finalize)
{
	return loop_add_timer_at(
			loop, loop_now_ms() + delay_ms, cb, data, finalize);
}

int loop_cancel_timer(struct loop *loop, int64_t id)
{
	struct loop_timer **pp, *t;

	if (!loop)
		return -ENOENT;
	if (loop->running && loop->running->id == id) {
		if (loop->running_cancelled)
			return -ENOENT;
		loop->running_cancelled = true;
		return 0;
	}
	for (pp = &loop->timers; *pp; pp = &(*pp)->next) {
		if ((*pp)->id != id)
			continue;
		t = *pp;
		*pp = t->next;
		if (t->finalize)
			t->finalize(t->data);
		free(t);
		return 0;
	}
	return -ENOENT;
}

int loop_add_signal(struct loop *loop, int signo, loop_signal_cb cb, void *data)
{
	struct loop_signal *s;
	sigset_t block, *old;
	int fd;

	if (!loop || !cb || signo <= 0 || signo >= NSIG || signo == SIGKILL ||
			signo == SIGSTOP)
		return -EINVAL;
	s = &loop->signals[signo];
	if (!sigismember(&loop->sigmask, signo)) {
		sigemptyset(&block);
		sigaddset(&block, signo);
		/*
		 * Remember the mask from before our first change only, so
		 * loop_free() restores what the process had.
		 */
		old = loop->sigfd < 0 ? &loop->old_procmask : NULL;
		if (sigprocmask(SIG_BLOCK, &block, old) < 0)
			return -errno;
		sigaddset(&loop->sigmask, signo);
		fd = signalfd(loop->sigfd, &loop->sigmask,
				SFD_NONBLOCK | SFD_CLOEXEC);
		if (fd < 0) {
			int err = -errno;

			sigdelset(&loop->sigmask, signo);
			return err;
		}
		/*
		 * No sigaction() needed: a blocked signal stays pending even
		 * when its disposition is "ignore" (Linux never discards a
		 * blocked signal), and the signalfd reads it from there.
		 */
		loop->sigfd = fd;
	}
	s->cb = cb;
	s->data = data;
	return 0;
}

void loop_set_before_sleep(struct loop *loop, loop_hook_cb cb, void *data)
{
	loop->before_sleep = cb;
	loop->before_sleep_data = data;
}

int loop_next_timeout_ms(const struct loop *loop)
{
	int64_t delta;

	if (loop->stop)
		return 0;
	if (!loop->timers)
		return -1;
	delta = loop->timers->deadline - loop_now_ms();
	if (delta <= 0)
		return 0;
	return delta > INT32_MAX ? INT32_MAX : (int) delta;
}

static int build_pollfds(struct loop *loop)
{
	size_t n = loop->nfds + 1, i, k = 0;

	if (n > loop->pfds_cap) {
		struct pollfd *p = realloc(loop->pfds, n * sizeof(*p));
		size_t *o;

		if (!p)
			return -ENOMEM;
		loop->pfds = p;
		o = realloc(loop->pfd_owner, n * sizeof(*o));
		if (!o)
			return -ENOMEM;
		loop->pfd_owner = o;
		loop->pfds_cap = n;
	}
	for (i = 0; i < loop->nfds; i++) {
		struct loop_fd *e = &loop->fds[i];

		loop->pfds[k].fd = e->fd;
		loop->pfds[k].events =
				(short) (((e->events & LOOP_READ) ? POLLIN
								  : 0) |
						((e->events & LOOP_WRITE) ? POLLOUT
									  : 0));
		loop->pfds[k].revents = 0;
		loop->pfd_owner[k++] = i;
	}
	if (loop->sigfd >= 0) {
		loop->pfds[k].fd = loop->sigfd;
		loop->pfds[k].events = POLLIN;
		loop->pfds[k].revents = 0;
		loop->pfd_owner[k++] = SIZE_MAX;
	}
	return (int) k;
}

static int dispatch_signals(struct loop *loop)
{
	struct signalfd_siginfo si;
	int ran = 0;

	while (read(loop->sigfd, &si, sizeof(si)) == (ssize_t) sizeof(si)) {
		struct loop_signal *s;

		if (si.ssi_signo == 0 || si.ssi_signo >= (uint32_t) NSIG)
			continue;
		s = &loop->signals[si.ssi_signo];
		if (!s->cb)
			continue;
		loop->stats.signal_events++;
		ran++;
		s->cb(loop, (int) si.ssi_signo, s->data);
	}
	return ran;
}

static int dispatch_fds(struct loop *loop, int npfds)
{
	int i, ran = 0;

	for (i = 0; i < npfds; i++) {
		struct pollfd *p = &loop->pfds[i];
		struct loop_fd *e;
		int ev = 0;

		if (!p->revents)
			continue;
		if (loop->pfd_owner[i] == SIZE_MAX) {
			ran += dispatch_signals(loop);
			continue;
		}
		/* Index, not pointer: a callback's loop_add_fd may realloc. */
		e = &loop->fds[loop->pfd_owner[i]];
		if (e->dead)
			continue;
		if (p->revents & POLLIN)
			ev |= LOOP_READ;
		if (p->revents & POLLOUT)
			ev |= LOOP_WRITE;
		if (p->revents & POLLHUP)
			ev |= LOOP_HUP;
		if (p->revents & (POLLERR | POLLNVAL))
			ev |= LOOP_ERROR;
		loop->stats.fd_events++;
		ran++;
		e->cb(loop, e->fd, ev, e->data);
	}
	return ran;
}

/* The first timer due now that was not armed in this round, unlinked. */
static struct loop_timer *take_due_timer(struct loop *loop, int64_t now)
{
	struct loop_timer **pp;

	for (pp = &loop->timers; *pp && (*pp)->deadline <= now;
			pp = &(*pp)->next) {
		struct loop_timer *t = *pp;

		if (t->round == loop->round)
			continue;
		*pp = t->next;
		t->next = NULL;
		return t;
	}
	return NULL;
}

static int dispatch_timers(struct loop *loop)
{
	struct loop_timer *t;
	int64_t now = loop_now_ms();
	int ran = 0;

	while ((t = take_due_timer(loop, now))) {
		int64_t again;

		loop->running = t;
		loop->running_cancelled = false;
		loop->stats.timer_events++;
		ran++;
		again = t->cb(loop, t->id, t->data);
		loop->running = NULL;
		if (loop->running_cancelled || again < 0) {
			if (t->finalize)
				t->finalize(t->data);
			free(t);
			continue;
		}
		t->deadline = now + again;
		t->round = loop->round;
		insert_timer(loop, t);
	}
	return ran;
}

int loop_run_once(struct loop *loop, int block)
{
	int npfds, timeout, n, ran;

	compact_fds(loop);
	if (loop->before_sleep)
		loop->before_sleep(loop, loop->before_sleep_data);
	/* The hook may have added fds or timers; compute after it. */
	npfds = build_pollfds(loop);
	if (npfds < 0)
		return npfds;
	timeout = block ? loop_next_timeout_ms(loop) : 0;
	n = poll(loop->pfds, (nfds_t) npfds, timeout);
	if (n < 0) {
		if (errno != EINTR)
			return -errno;
		n = 0;
	}
	loop->stats.polls++;
	/* Timers armed from here on wait for the next iteration. */
	loop->round++;
	ran = n > 0 ? dispatch_fds(loop, npfds) : 0;
	ran += dispatch_timers(loop);
	return ran;
}

int loop_run(struct loop *loop)
{
	int r = 0;

	while (!loop->stop) {
		r = loop_run_once(loop, 1);
		if (r < 0)
			break;
		r = 0;
	}
	loop->stop = false;
	return r;
}

void loop_stop(struct loop *loop)
{
	loop->stop = true;
}

void loop_get_stats(const struct loop *loop, struct loop_stats *ret_stats)
{
	*ret_stats = loop->stats;
}
