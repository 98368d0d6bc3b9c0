/*
 * sim.c - the modem simulator: pty, output queue with pacing, timers, the
 * network side (message queue, +CMT acks), and the AT command table.
 * The control protocol lives in sim_ctl.c.
 *
 * AT syntax and result codes follow 3GPP TS 27.007 (general, §9.2 CME
 * errors) and TS 27.005 (SMS, §3.2.5 CMS errors); what real modems do on
 * top of that is in /work/shared/MODEM-QUIRKS.md.
 */
#include "config.h"

#include "tests/sim/sim_int.h"

#include "modem/gsm7.h"
#include "modem/ucs2.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define OUT_QUEUE_MAX (4u << 20) /* bytes; beyond that output is dropped */

uint64_t sim_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

void sim_count(struct sim *sim, const char *name)
{
	size_t i;

	for (i = 0; i < sim->n_counters; i++) {
		if (strcmp(sim->counters[i].name, name) == 0) {
			sim->counters[i].n++;
			return;
		}
	}
	if (sim->n_counters == SIM_MAX_COUNTERS)
		return;
	snprintf(sim->counters[i].name, sizeof(sim->counters[i].name), "%s",
			name);
	sim->counters[i].n = 1;
	sim->n_counters++;
}

unsigned sim_counter(const struct sim *sim, const char *name)
{
	size_t i;

	for (i = 0; i < sim->n_counters; i++)
		if (strcasecmp(sim->counters[i].name, name) == 0)
			return sim->counters[i].n;
	return 0;
}

/* A fault value in milliseconds, as microseconds. */
uint64_t sim_fault_us(const struct sim *sim, enum sim_fault f)
{
	return (uint64_t) sim->fault[f] * 1000u;
}

static uint64_t cnma_deadline(const struct sim *sim, uint64_t now)
{
	return now + sim_fault_us(sim, SIM_FAULT_CNMA_TIMEOUT_MS);
}

/* ---- output queue --------------------------------------------------- */

/* Append raw bytes, not to be written before @not_before (monotonic us). */
void sim_out_at(struct sim *sim, uint64_t not_before, const void *data,
		size_t len)
{
	struct sim_chunk *c;

	if (sim->master < 0 || len == 0)
		return;
	if (sim->out_bytes + len > OUT_QUEUE_MAX) {
		sim_count(sim, "output-dropped");
		return;
	}
	c = malloc(sizeof(*c) + len);
	if (!c)
		return;
	c->next = NULL;
	c->not_before = not_before;
	c->len = len;
	c->off = 0;
	memcpy(c->data, data, len);
	if (sim->out_tail)
		sim->out_tail->next = c;
	else
		sim->out_head = c;
	sim->out_tail = c;
	sim->out_bytes += len;
}

void sim_out(struct sim *sim, const void *data, size_t len)
{
	sim_out_at(sim, sim->resp_at, data, len);
}

void sim_out_str(struct sim *sim, const char *s)
{
	sim_out(sim, s, strlen(s));
}

/* An information or result line: CR LF <text> CR LF (ATV1 framing). */
void sim_line(struct sim *sim, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + 2, sizeof(buf) - 4, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t) n > sizeof(buf) - 5)
		n = (int) sizeof(buf) - 5;
	buf[0] = '\r';
	buf[1] = '\n';
	buf[n + 2] = '\r';
	buf[n + 3] = '\n';
	sim_out(sim, buf, (size_t) n + 4);
}

/*
 * The line that follows an information line (the PDU after +CMGR:/+CMT:,
 * the text in text mode): no leading CR LF (TS 27.005 §3.4.1, §4.1).
 */
void sim_data_line(struct sim *sim, const char *s)
{
	/* Some modems put an empty line first (MODEM-QUIRKS: framing). */
	if (sim->fault[SIM_FAULT_EXTRA_CRLF])
		sim_out(sim, "\r\n", 2);
	sim_out_str(sim, s);
	sim_out(sim, "\r\n", 2);
}

/*
 * Keep only the first half of the output queued after @mark (NULL: the
 * whole queue): a response that stops in the middle of a line.
 */
void sim_out_truncate(struct sim *sim, struct sim_chunk *mark)
{
	struct sim_chunk *c, *next;
	size_t total = 0, keep;

	for (c = mark ? mark->next : sim->out_head; c; c = c->next)
		total += c->len - c->off;
	keep = total / 2;
	for (c = mark ? mark->next : sim->out_head; c; c = c->next) {
		size_t n = c->len - c->off;

		if (n >= keep) {
			sim->out_bytes -= n - keep;
			c->len = c->off + keep;
			break;
		}
		keep -= n;
	}
	if (!c)
		return;
	next = c->next;
	c->next = NULL;
	sim->out_tail = c;
	while (next) {
		struct sim_chunk *f = next;

		next = f->next;
		sim->out_bytes -= f->len - f->off;
		free(f);
	}
}

static void out_free_all(struct sim *sim)
{
	struct sim_chunk *c = sim->out_head, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	sim->out_head = sim->out_tail = NULL;
	sim->out_bytes = 0;
}

/* Microseconds one byte takes on the line, 0 when unpaced. */
static uint64_t byte_time_us(const struct sim *sim)
{
	uint64_t t = 0;

	if (sim->cfg.baud > 0)
		t = 10000000u / (uint64_t) sim->cfg.baud; /* 8N1: 10 bits */
	if (sim->fault[SIM_FAULT_BYTEWISE_US] > 0 &&
			(uint64_t) sim->fault[SIM_FAULT_BYTEWISE_US] > t)
		t = (uint64_t) sim->fault[SIM_FAULT_BYTEWISE_US];
	return t;
}

/* Write what may be written now; sets sim->want_out on EAGAIN. */
static void flush_output(struct sim *sim, uint64_t now)
{
	uint64_t bt = byte_time_us(sim);

	sim->want_out = false;
	while (sim->out_head && sim->master >= 0) {
		struct sim_chunk *c = sim->out_head;
		size_t n = c->len - c->off;
		ssize_t w;

		if (c->not_before > now || sim->tx_at > now)
			return;
		if (bt) {
			/* Paced: the bytes one millisecond carries, at least
			 * one; bytewise: exactly one. */
			size_t k = sim->fault[SIM_FAULT_BYTEWISE_US] > 0
						   ? 1
						   : (size_t) (1000 / bt);

			if (k == 0)
				k = 1;
			if (n > k)
				n = k;
		}
		w = write(sim->master, c->data + c->off, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				sim->want_out = true;
			return; /* EIO: nobody reads; keep it queued */
		}
		c->off += (size_t) w;
		sim->out_bytes -= (size_t) w;
		if (bt)
			sim->tx_at = now + bt * (uint64_t) w;
		if (c->off == c->len) {
			sim->out_head = c->next;
			if (!sim->out_head)
				sim->out_tail = NULL;
			free(c);
		}
	}
}

/* ---- timers ---------------------------------------------------------- */

int sim_timer_add(struct sim *sim, uint64_t at, enum sim_timer_kind kind,
		const char *text, unsigned arg)
{
	struct sim_timer *t = calloc(1, sizeof(*t)), **pp;

	if (!t)
		return -ENOMEM;
	t->at = at;
	t->kind = kind;
	t->arg = arg;
	if (text) {
		t->text = strdup(text);
		if (!t->text) {
			free(t);
			return -ENOMEM;
		}
	}
	/* Sorted by time, FIFO among equals. */
	for (pp = &sim->timers; *pp && (*pp)->at <= at; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	return 0;
}

static void timers_drop_kind(struct sim *sim, enum sim_timer_kind kind)
{
	struct sim_timer **pp = &sim->timers;

	while (*pp) {
		struct sim_timer *t = *pp;

		if (t->kind == kind) {
			*pp = t->next;
			free(t->text);
			free(t);
		} else {
			pp = &t->next;
		}
	}
}

static void timers_free(struct sim *sim)
{
	while (sim->timers) {
		struct sim_timer *t = sim->timers;

		sim->timers = t->next;
		free(t->text);
		free(t);
	}
}

/* Earliest moment something has to happen (UINT64_MAX: nothing). */
static uint64_t next_deadline(const struct sim *sim)
{
	uint64_t d = UINT64_MAX;

	if (sim->timers)
		d = sim->timers->at;
	if (sim->out_head && !sim->want_out && sim->master >= 0) {
		uint64_t o = sim->out_head->not_before;

		if (sim->tx_at > o)
			o = sim->tx_at;
		if (o < d)
			d = o;
	}
	return d;
}

void sim_arm(struct sim *sim)
{
	struct itimerspec its = {0};
	uint64_t d = next_deadline(sim), now = sim_now_us();

	if (d != UINT64_MAX) {
		uint64_t rel = d > now ? d - now : 1;

		its.it_value.tv_sec = (time_t) (rel / 1000000u);
		its.it_value.tv_nsec = (long) (rel % 1000000u) * 1000;
	}
	timerfd_settime(sim->tfd, 0, &its, NULL);
}

int sim_timeout_ms(const struct sim *sim)
{
	uint64_t d = next_deadline(sim), now = sim_now_us();

	if (d == UINT64_MAX)
		return -1;
	if (d <= now)
		return 0;
	return (int) ((d - now + 999) / 1000);
}

/* ---- SIM storage and the network side -------------------------------- */

struct sim_store *sim_store_by_name(struct sim *sim, const char *name)
{
	if (strcasecmp(name, "SM") == 0)
		return &sim->stores[0];
	if (strcasecmp(name, "ME") == 0)
		return &sim->stores[1];
	return NULL;
}

unsigned sim_store_used(const struct sim_store *st)
{
	unsigned i, n = 0;

	for (i = 0; i < st->capacity && i < SIM_STORE_MAX; i++)
		n += st->slots[i].used;
	return n;
}

int sim_stored(const struct sim *sim, const char *store)
{
	const struct sim_store *st;

	if (strcasecmp(store, "SM") == 0)
		st = &sim->stores[0];
	else if (strcasecmp(store, "ME") == 0)
		st = &sim->stores[1];
	else
		return -EINVAL;
	return (int) sim_store_used(st);
}

size_t sim_pending(const struct sim *sim)
{
	size_t n = 0;
	const struct sim_netmsg *m;

	for (m = sim->net_head; m; m = m->next)
		n++;
	return n;
}

static void slot_clear(struct sim_slot *s)
{
	free(s->pdu);
	free(s->text);
	memset(s, 0, sizeof(*s));
}

static void netmsg_free(struct sim_netmsg *m)
{
	if (!m)
		return;
	free(m->pdu);
	free(m->text);
	free(m);
}

/* The SIM is usable for SMS: ready, not busy, not rebooting. */
bool sim_sim_ready(const struct sim *sim, uint64_t now)
{
	return sim->pin_state == SIM_PIN_READY && now >= sim->busy_until &&
	       !sim->booting;
}

/*
 * A direct indication: +CMT for an SMS-DELIVER, +CDS for a status report
 * (TS 27.005 §3.4.1; +CDS is always shown in PDU form here).
 */
static void emit_direct(struct sim *sim, const struct sim_netmsg *m)
{
	if (m->is_report) {
		sim_line(sim, "+CDS: %u", m->hdr_len);
		sim_data_line(sim, m->pdu);
	} else if (sim->cmgf) {
		sim_line(sim, "+CMT: \"%s\",,\"%s\"", m->sender, m->scts);
		sim_data_line(sim, m->text ? m->text : "");
	} else {
		sim_line(sim, "+CMT: ,%u", m->hdr_len);
		sim_data_line(sim, m->pdu);
	}
}

/*
 * Deliver what the network holds, as far as the modem state allows. Called
 * whenever that state may have changed (inject, delete, ack, CNMI, boot).
 * Stored delivery needs a free slot in the receive store (<mem3>): when
 * there is none the messages wait, as a real network retries later, and a
 * Huawei-style ^SMMEMFULL is shown once.
 */
void sim_deliver(struct sim *sim)
{
	uint64_t now = sim_now_us();

	sim->resp_at = now;
	while (sim->net_head && sim->master >= 0 && sim_sim_ready(sim, now)) {
		struct sim_netmsg *m = sim->net_head;
		struct sim_store *st = sim->mem[2];
		unsigned i;

		/*
		 * TS 27.005 §3.4.1: the TA sends no other +CMT or +CDS
		 * before the previous one is acknowledged with +CNMA (or
		 * its timer expires), so one +CNMA always answers the one
		 * indication before it.
		 */
		if (m->is_report ? sim->cnmi_ds == 1 : sim->cnmi_mt == 2) {
			if (sim->awaiting_ack)
				return; /* blocked until +CNMA */
			emit_direct(sim, m);
			sim->net_head = m->next;
			if (!sim->net_head)
				sim->net_tail = NULL;
			/*
			 * +CNMA exists only with +CSMS=1 (TS 27.005
			 * §3.2.1, §3.4.4); with service 0 the ME
			 * acknowledges by itself.
			 */
			if (sim->csms == 1 &&
					sim->fault[SIM_FAULT_CNMA_TIMEOUT_MS] >
							0) {
				m->next = NULL;
				sim->awaiting_ack = m;
				sim_timer_add(sim, cnma_deadline(sim, now),
						SIM_T_CNMA, NULL,
						++sim->ack_seq);
				return;
			}
			netmsg_free(m);
			continue;
		}
		for (i = 0; i < st->capacity && i < SIM_STORE_MAX; i++)
			if (!st->slots[i].used)
				break;
		if (i >= st->capacity || i >= SIM_STORE_MAX) {
			if (!sim->memfull_shown) {
				sim->memfull_shown = true;
				sim_count(sim, "memfull");
				if (sim->fault[SIM_FAULT_MEMFULL_URC])
					sim_line(sim, "^SMMEMFULL: \"%s\"",
							st->name);
			}
			return;
		}
		st->slots[i].used = true;
		st->slots[i].stat = 0; /* REC UNREAD */
		st->slots[i].pdu = m->pdu;
		st->slots[i].hdr_len = m->hdr_len;
		st->slots[i].text = m->text;
		snprintf(st->slots[i].sender, sizeof(st->slots[i].sender), "%s",
				m->sender);
		snprintf(st->slots[i].scts, sizeof(st->slots[i].scts), "%s",
				m->scts);
		st->slots[i].is_report = m->is_report;
		m->pdu = NULL;
		m->text = NULL;
		sim->net_head = m->next;
		if (!sim->net_head)
			sim->net_tail = NULL;
		if (sim->fault[SIM_FAULT_DROP_CMTI] > 0 &&
				(sim->cnmi_mt == 1 || sim->cnmi_mt == 3 ||
						(m->is_report &&
								sim->cnmi_ds == 2))) {
			sim->fault[SIM_FAULT_DROP_CMTI]--;
			sim_count(sim, "cmti-dropped");
		} else if (sim->cnmi_mt == 1 || sim->cnmi_mt == 3 ||
				(m->is_report && sim->cnmi_ds == 2))
			sim_line(sim, "+%s: \"%s\",%u",
					m->is_report ? "CDSI" : "CMTI",
					st->name, i + sim->index_base);
		netmsg_free(m);
	}
}

/* Free space appeared: a full store may take messages again. */
void sim_store_changed(struct sim *sim)
{
	const struct sim_store *st = sim->mem[2];

	if (sim_store_used(st) < st->capacity)
		sim->memfull_shown = false;
	sim_deliver(sim);
}

int sim_netmsg_queue(struct sim *sim, const char *pdu, unsigned hdr_len,
		bool is_report)
{
	struct sim_netmsg *m = calloc(1, sizeof(*m));
	struct sms dec;
	const char *why;
	struct tm tm;
	time_t t = time(NULL);

	if (!m)
		return -ENOMEM;
	m->pdu = strdup(pdu);
	if (!m->pdu) {
		free(m);
		return -ENOMEM;
	}
	m->hdr_len = hdr_len;
	m->is_report = is_report;
	/* Text mode shows the decoded fields; a corrupt PDU shows its hex. */
	localtime_r(&t, &tm);
	/* Text-mode time stamp, TS 27.005 §3.3.1: "yy/MM/dd,hh:mm:ss+zz". */
	snprintf(m->scts, sizeof(m->scts), "%02d/%02d/%02d,%02d:%02d:%02d+00",
			tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			tm.tm_min, tm.tm_sec);
	if (sms_decode_hex(pdu, strlen(pdu), 0, &dec, &why) == 0) {
		snprintf(m->sender, sizeof(m->sender), "%s", dec.addr.number);
		m->text = strdup(dec.text);
	} else {
		snprintf(m->sender, sizeof(m->sender), "unknown");
		m->text = strdup(pdu);
	}
	if (!m->text) {
		netmsg_free(m);
		return -ENOMEM;
	}
	if (sim->net_tail)
		sim->net_tail->next = m;
	else
		sim->net_head = m;
	sim->net_tail = m;
	return 0;
}

/* ---- power-up state -------------------------------------------------- */

static void power_up_state(struct sim *sim, uint64_t now)
{
	sim->echo = true;
	sim->verbose = true;
	sim->cmee = 0;
	sim->cmgf = 0;
	sim->cnmi_mode = 0;
	sim->cnmi_mt = 0;
	sim->cnmi_ds = 0;
	sim->creg_n = 0;
	sim->cgreg_n = sim->cereg_n = 0;
	sim->csms = 0;
	snprintf(sim->cscs, sizeof(sim->cscs), "IRA");
	sim->mem[0] = sim->mem[1] = sim->mem[2] = &sim->stores[0];
	sim->pin_state = sim->cfg.pin ? SIM_PIN_NEEDED : SIM_PIN_READY;
	if (sim->pin_state == SIM_PIN_NEEDED && sim->pin_attempts == 0)
		sim->pin_state = SIM_PUK_NEEDED;
	sim->busy_until = now + (uint64_t) sim->cfg.sim_busy_ms * 1000u;
	if (sim->cfg.sim_busy_ms) /* deliver what waited, when ready */
		sim_timer_add(sim, sim->busy_until, SIM_T_RETRY, NULL, 0);
	sim->mode = SIM_MODE_CMD;
	sim->lin_len = 0;
	sim->pdu_len = 0;
	sim->ussd_session = false;
	if (sim->awaiting_ack) {
		/* Unacked +CMT: the network still has it. */
		sim->awaiting_ack->next = sim->net_head;
		sim->net_head = sim->awaiting_ack;
		if (!sim->net_tail)
			sim->net_tail = sim->awaiting_ack;
		sim->awaiting_ack = NULL;
	}
	timers_drop_kind(sim, SIM_T_CNMA);
}

/*
 * +CREG (TS 27.007 §7.2): solicited replies echo <n>, the URC does not;
 * LAC/CI only with n=2 and while registered, in one of the forms real
 * modems use (MODEM-QUIRKS "Registration / cell ID").
 */
/*
 * One registration line of domain @dom ("CREG" circuit, "CGREG" GPRS,
 * "CEREG" EPS) in the current style. LTE-only: CS and GPRS say 0 (not
 * registered, not searching), EPS has the state, TAC and ECI.
 */
void sim_reg_line(struct sim *sim, const char *dom, bool solicited)
{
	char n[8] = "";
	bool eps = strcmp(dom, "CEREG") == 0;
	bool lte = sim->fault[SIM_FAULT_LTE_ONLY] != 0;
	int set = eps			      ? sim->cereg_n
		  : strcmp(dom, "CGREG") == 0 ? sim->cgreg_n
					      : sim->creg_n;
	int stat = lte && !eps ? 0 : sim->creg_stat;
	bool reg = stat == 1 || stat == 5;

	if (solicited)
		snprintf(n, sizeof(n), "%d,", set);
	if (set < 2 || !reg) {
		sim_line(sim, "+%s: %s%d", dom, n, stat);
		return;
	}
	if (eps || lte) {
		/* TS 27.007 §10.1.22: <tac> 2 octets, <ci> 28 bits, AcT 7. */
		sim_line(sim, "+%s: %s%d,\"%04X\",\"%08X\",7", dom, n, stat,
				sim->cfg.lac, sim->cfg.ci);
		return;
	}
	switch (sim->fault[SIM_FAULT_CREG_STYLE]) {
	case 1:
		sim_line(sim, "+%s: %s%d,%04X,%08X", dom, n, stat, sim->cfg.lac,
				sim->cfg.ci);
		break;
	case 2:
		sim_line(sim, "+%s: %s%d,\"%04X\",\"%08X\",7", dom, n, stat,
				sim->cfg.lac, sim->cfg.ci);
		break;
	default:
		sim_line(sim, "+%s: %s%d,\"%04X\",\"%08X\"", dom, n, stat,
				sim->cfg.lac, sim->cfg.ci);
		break;
	}
}

void sim_creg_line(struct sim *sim, bool solicited)
{
	sim_reg_line(sim, "CREG", solicited);
}

/* The +CPIN: state text (TS 27.007 §8.3). */
const char *sim_pin_text(const struct sim *sim)
{
	switch (sim->pin_state) {
	case SIM_PIN_READY:
		return "READY";
	case SIM_PIN_NEEDED:
		return "SIM PIN";
	default:
		return "SIM PUK";
	}
}

/* Called when the modem has booted (banner shown) or power-up completed. */
static void boot_done(struct sim *sim)
{
	sim->booting = false;
	sim_line(sim, "RDY");
	sim_line(sim, "+CFUN: 1");
	sim_line(sim, "+CPIN: %s", sim_pin_text(sim));
	if (sim->pin_state == SIM_PIN_READY) {
		sim_line(sim, "Call Ready");
		sim_line(sim, "SMS Ready");
	}
}

int sim_reboot(struct sim *sim)
{
	uint64_t now = sim_now_us();

	if (sim->master < 0)
		return -ENODEV;
	sim_count(sim, "reboot");
	power_up_state(sim, now);
	sim->booting = true;
	timers_drop_kind(sim, SIM_T_BOOT);
	sim_timer_add(sim, now + 200000u, SIM_T_BOOT, NULL, 0);
	sim_arm(sim);
	return 0;
}

/* ---- pty lifecycle ---------------------------------------------------- */

static int set_reason_errno(char *reason, const char *what, int e)
{
	if (reason)
		snprintf(reason, 160, "%s: %s", what, strerror(e));
	return -e;
}

/* Re-point the stable link at the current slave, atomically. */
static int update_link(struct sim *sim)
{
	char tmp[PATH_MAX];

	if (!sim->cfg.link_path)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", sim->cfg.link_path,
			(long) getpid());
	unlink(tmp);
	if (symlink(sim->pty_path, tmp) < 0)
		return -errno;
	if (rename(tmp, sim->cfg.link_path) < 0) {
		int e = errno;

		unlink(tmp);
		return -e;
	}
	return 0;
}

static int open_pty(struct sim *sim, char *reason)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct termios tio;
	int m, s, r;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (m < 0)
		return set_reason_errno(reason, "posix_openpt", errno);
	if (grantpt(m) < 0 || unlockpt(m) < 0 ||
			ptsname_r(m, sim->pty_path, sizeof(sim->pty_path)) !=
					0) {
		r = set_reason_errno(reason, "pty setup", errno);
		goto out_m;
	}
	/*
	 * Raw mode on the slave before anyone opens it: in cooked mode the
	 * line discipline turns CR into LF and buffers lines. We keep our own
	 * slave fd open so the master never sees a hang-up while the gateway
	 * has the port closed (that would make poll() spin).
	 */
	s = open(sim->pty_path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (s < 0) {
		r = set_reason_errno(reason, "open slave", errno);
		goto out_m;
	}
	if (tcgetattr(s, &tio) < 0) {
		r = set_reason_errno(reason, "tcgetattr", errno);
		goto out_s;
	}
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	if (tcsetattr(s, TCSANOW, &tio) < 0) {
		r = set_reason_errno(reason, "tcsetattr", errno);
		goto out_s;
	}
	ev.data.fd = m;
	if (epoll_ctl(sim->epfd, EPOLL_CTL_ADD, m, &ev) < 0) {
		r = set_reason_errno(reason, "epoll_ctl", errno);
		goto out_s;
	}
	sim->master = m;
	sim->slave_keep = s;
	sim->out_events = EPOLLIN;
	r = update_link(sim);
	if (r < 0) {
		set_reason_errno(reason, "symlink", -r);
		epoll_ctl(sim->epfd, EPOLL_CTL_DEL, m, NULL);
		sim->master = -1;
		sim->slave_keep = -1;
		goto out_s;
	}
	return 0;

out_s:
	close(s);
out_m:
	close(m);
	return r;
}

int sim_unplug(struct sim *sim)
{
	if (sim->master < 0)
		return -ENODEV;
	sim_count(sim, "unplug");
	epoll_ctl(sim->epfd, EPOLL_CTL_DEL, sim->master, NULL);
	close(sim->master);
	close(sim->slave_keep);
	sim->master = sim->slave_keep = -1;
	out_free_all(sim);
	sim->tx_at = 0;
	if (sim->cfg.link_path)
		unlink(sim->cfg.link_path);
	timers_drop_kind(sim, SIM_T_BOOT);
	timers_drop_kind(sim, SIM_T_EMIT);
	return 0;
}

int sim_replug(struct sim *sim)
{
	int r;

	if (sim->master >= 0)
		return -EBUSY;
	r = open_pty(sim, NULL);
	if (r < 0)
		return r;
	sim_count(sim, "replug");
	power_up_state(sim, sim_now_us());
	sim_deliver(sim); /* what arrived while unplugged is stored */
	sim_arm(sim);
	return 0;
}

bool sim_plugged(const struct sim *sim)
{
	return sim->master >= 0;
}

const char *sim_path(const struct sim *sim)
{
	return sim->cfg.link_path ? sim->cfg.link_path : sim->pty_path;
}

const char *sim_pty_path(const struct sim *sim)
{
	return sim->pty_path;
}

int sim_fd(const struct sim *sim)
{
	return sim->epfd;
}

/* ---- construction ----------------------------------------------------- */

void sim_config_init(struct sim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->puk = "12345678";
	cfg->sm_capacity = 30;
	cfg->me_capacity = 50;
	cfg->cnma_timeout_ms = 15000;
	cfg->operator_name = "FIELDNET";
	cfg->imsi = "641100123456789";
	cfg->iccid = "89256110012345678901";
	cfg->imei = "861234567890123";
	cfg->smsc = "+256772000100";
	cfg->manufacturer = "fieldgate";
	cfg->model = "modemsim";
	cfg->revision = "1.0";
	cfg->lac = 0x2AF5;
	cfg->ci = 0x0B88E350;
	cfg->creg_stat = 1;
	cfg->rssi = 20;
}

static void cfg_free(struct sim_config *c)
{
	free((char *) c->pin);
	free((char *) c->puk);
	free((char *) c->link_path);
	free((char *) c->control_path);
	free((char *) c->operator_name);
	free((char *) c->imsi);
	free((char *) c->iccid);
	free((char *) c->imei);
	free((char *) c->smsc);
	free((char *) c->manufacturer);
	free((char *) c->model);
	free((char *) c->revision);
}

static int cfg_copy(struct sim_config *dst, const struct sim_config *src)
{
	*dst = *src;
	dst->pin = xstrdup(src->pin);
	dst->puk = xstrdup(src->puk ? src->puk : "12345678");
	dst->link_path = xstrdup(src->link_path);
	dst->control_path = xstrdup(src->control_path);
	dst->operator_name = xstrdup(
			src->operator_name ? src->operator_name : "FIELDNET");
	dst->imsi = xstrdup(src->imsi ? src->imsi : "641100123456789");
	dst->iccid = xstrdup(src->iccid ? src->iccid : "89256110012345678901");
	dst->imei = xstrdup(src->imei ? src->imei : "861234567890123");
	dst->smsc = xstrdup(src->smsc ? src->smsc : "+256772000100");
	dst->manufacturer = xstrdup(
			src->manufacturer ? src->manufacturer : "fieldgate");
	dst->model = xstrdup(src->model ? src->model : "modemsim");
	dst->revision = xstrdup(src->revision ? src->revision : "1.0");
	if ((src->pin && !dst->pin) || !dst->puk ||
			(src->link_path && !dst->link_path) ||
			(src->control_path && !dst->control_path) ||
			!dst->operator_name || !dst->imsi || !dst->iccid ||
			!dst->imei || !dst->smsc || !dst->manufacturer ||
			!dst->model || !dst->revision)
		return -ENOMEM;
	return 0;
}

static int open_control(struct sim *sim, char *reason)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct epoll_event ev = {.events = EPOLLIN};
	int fd;

	if (strlen(sim->cfg.control_path) >= sizeof(sa.sun_path)) {
		if (reason)
			snprintf(reason, 160, "control path too long");
		return -EINVAL;
	}
	strcpy(sa.sun_path, sim->cfg.control_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return set_reason_errno(reason, "socket", errno);
	unlink(sa.sun_path); /* a stale socket of an earlier run */
	if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
			listen(fd, 8) < 0) {
		int e = errno;

		close(fd);
		return set_reason_errno(reason, sim->cfg.control_path, e);
	}
	ev.data.fd = fd;
	if (epoll_ctl(sim->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = errno;

		close(fd);
		unlink(sa.sun_path);
		return set_reason_errno(reason, "epoll_ctl", e);
	}
	sim->listen_fd = fd;
	return 0;
}

int sim_new(const struct sim_config *cfg, struct sim **ret_sim, char *reason)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct sim *sim;
	int r;

	if (!cfg || !ret_sim || cfg->sm_capacity > SIM_STORE_MAX ||
			cfg->me_capacity > SIM_STORE_MAX || cfg->baud < 0) {
		if (reason)
			snprintf(reason, 160, "bad configuration");
		return -EINVAL;
	}
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return -ENOMEM;
	sim->master = sim->slave_keep = sim->listen_fd = -1;
	sim->epfd = sim->tfd = -1;
	for (r = 0; r < SIM_MAX_CLIENTS; r++)
		sim->clients[r].fd = -1;
	r = cfg_copy(&sim->cfg, cfg);
	if (r < 0)
		goto out_free;
	snprintf(sim->stores[0].name, sizeof(sim->stores[0].name), "SM");
	snprintf(sim->stores[1].name, sizeof(sim->stores[1].name), "ME");
	sim->stores[0].capacity = cfg->sm_capacity;
	sim->stores[1].capacity = cfg->me_capacity;
	sim->index_base = 1;
	sim->pin_attempts = 3;
	sim->next_mr = 0;
	if (!sim->rng)
		sim->rng = 0x2545F491u;
	sim->next_ref = 0x40;
	sim->rssi = cfg->rssi;
	sim->creg_stat = cfg->creg_stat;
	sim->fault[SIM_FAULT_CNMA_TIMEOUT_MS] = cfg->cnma_timeout_ms;
	sim->fault[SIM_FAULT_SM_CAPACITY] = cfg->sm_capacity;
	sim->fault[SIM_FAULT_ME_CAPACITY] = cfg->me_capacity;
	sim->fault[SIM_FAULT_STATUS_REPORTS] = 1;
	sim->fault[SIM_FAULT_USSD_AFTER_OK] = 1;
	sim->fault[SIM_FAULT_USSD_DELAY_MS] = 100;
	sim->fault[SIM_FAULT_SR_DELAY_MS] = 200;
	sim->fault[SIM_FAULT_CMS_CODE] = 332;
	sim->fault[SIM_FAULT_MEMFULL_URC] = 1;
	sim->fault[SIM_FAULT_INDEX_BASE] = 1;
	sim->ussd_reply = strdup("Your balance is 1500 UGX. "
				 "Valid until 31/12.");
	if (!sim->ussd_reply) {
		r = -ENOMEM;
		goto out_free;
	}
	sim->epfd = epoll_create1(EPOLL_CLOEXEC);
	sim->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (sim->epfd < 0 || sim->tfd < 0) {
		r = set_reason_errno(reason, "epoll/timerfd", errno);
		goto out_free;
	}
	ev.data.fd = sim->tfd;
	if (epoll_ctl(sim->epfd, EPOLL_CTL_ADD, sim->tfd, &ev) < 0) {
		r = set_reason_errno(reason, "epoll_ctl", errno);
		goto out_free;
	}
	r = open_pty(sim, reason);
	if (r < 0)
		goto out_free;
	if (sim->cfg.control_path) {
		r = open_control(sim, reason);
		if (r < 0)
			goto out_free;
	}
	power_up_state(sim, sim_now_us());
	*ret_sim = sim;
	return 0;

out_free:
	sim_free(sim);
	return r;
}

void sim_free(struct sim *sim)
{
	size_t i;

	if (!sim)
		return;
	if (sim->master >= 0)
		sim_unplug(sim);
	for (i = 0; i < SIM_MAX_CLIENTS; i++)
		sim_client_close(sim, &sim->clients[i]);
	if (sim->listen_fd >= 0) {
		close(sim->listen_fd);
		unlink(sim->cfg.control_path);
	}
	if (sim->tfd >= 0)
		close(sim->tfd);
	if (sim->epfd >= 0)
		close(sim->epfd);
	timers_free(sim);
	out_free_all(sim);
	while (sim->net_head) {
		struct sim_netmsg *m = sim->net_head;

		sim->net_head = m->next;
		netmsg_free(m);
	}
	netmsg_free(sim->awaiting_ack);
	for (i = 0; i < 2; i++) {
		unsigned j;

		for (j = 0; j < SIM_STORE_MAX; j++)
			slot_clear(&sim->stores[i].slots[j]);
	}
	for (i = 0; i < SIM_URC_POINT_MAX; i++)
		free(sim->urc[i]);
	free(sim->sent);
	free(sim->ussd_reply);
	cfg_free(&sim->cfg);
	free(sim);
}

/* ---- faults and settings --------------------------------------------- */

int sim_set(struct sim *sim, enum sim_fault fault, long value)
{
	uint64_t now = sim_now_us();

	if ((int) fault < 0 || fault >= SIM_FAULT_MAX || value < 0)
		return -EINVAL;
	switch (fault) {
	case SIM_FAULT_SM_CAPACITY:
	case SIM_FAULT_ME_CAPACITY:
		if (value > SIM_STORE_MAX)
			return -EINVAL;
		sim->stores[fault == SIM_FAULT_ME_CAPACITY].capacity =
				(unsigned) value;
		break;
	case SIM_FAULT_USSD_ENCODING:
		if (value > SIM_USSD_GSM7HEX)
			return -EINVAL;
		break;
	case SIM_FAULT_INDEX_BASE:
		if (value > 1)
			return -EINVAL;
		sim->index_base = (unsigned) value;
		break;
	case SIM_FAULT_NEXT_MR:
		if (value > 255)
			return -EINVAL;
		sim->next_mr = (unsigned) value;
		break;
	case SIM_FAULT_SIM_BUSY_MS:
		sim->busy_until = now + (uint64_t) value * 1000u;
		sim_timer_add(sim, sim->busy_until, SIM_T_RETRY, NULL, 0);
		break;
	case SIM_FAULT_SILENCE_MS:
		sim->silent_until = now + (uint64_t) value * 1000u;
		break;
	case SIM_FAULT_RSSI:
		if (value > 99)
			return -EINVAL;
		sim->rssi = (int) value;
		break;
	case SIM_FAULT_CREG_STAT:
		if (value > 10)
			return -EINVAL;
		sim->creg_stat = (int) value;
		sim->resp_at = now;
		if (sim->creg_n >= 1)
			sim_creg_line(sim, false);
		if (sim->cgreg_n >= 1)
			sim_reg_line(sim, "CGREG", false);
		if (sim->cereg_n >= 1)
			sim_reg_line(sim, "CEREG", false);
		break;
	case SIM_FAULT_LAC:
		if (value > 0xffff)
			return -EINVAL;
		sim->cfg.lac = (unsigned) value;
		break;
	case SIM_FAULT_CI:
		if (value > 0xfffffff)
			return -EINVAL;
		sim->cfg.ci = (unsigned) value;
		break;
	case SIM_FAULT_CREG_STYLE:
		if (value > 2)
			return -EINVAL;
		break;
	case SIM_FAULT_RSSI_FLOOD_MS:
		timers_drop_kind(sim, SIM_T_RSSI);
		if (value > 0)
			sim_timer_add(sim, now + (uint64_t) value * 1000u,
					SIM_T_RSSI, NULL, 0);
		break;
	default:
		break;
	}
	sim->fault[fault] = value;
	if (fault == SIM_FAULT_SM_CAPACITY || fault == SIM_FAULT_ME_CAPACITY ||
			fault == SIM_FAULT_CNMA_TIMEOUT_MS)
		sim_store_changed(sim);
	sim_arm(sim);
	return 0;
}

long sim_get(const struct sim *sim, enum sim_fault fault)
{
	if ((int) fault < 0 || fault >= SIM_FAULT_MAX)
		return -EINVAL;
	if (fault == SIM_FAULT_NEXT_MR)
		return sim->next_mr;
	if (fault == SIM_FAULT_LAC)
		return sim->cfg.lac;
	if (fault == SIM_FAULT_CI)
		return sim->cfg.ci;
	return sim->fault[fault];
}

int sim_set_urc(struct sim *sim, enum sim_urc_point point, const char *line)
{
	char *copy = NULL;

	if ((int) point < 0 || point >= SIM_URC_POINT_MAX)
		return -EINVAL;
	if (line) {
		copy = strdup(line);
		if (!copy)
			return -ENOMEM;
	}
	free(sim->urc[point]);
	sim->urc[point] = copy;
	return 0;
}

/* Emit and disarm the one-shot URC of @point, if armed. */
void sim_urc_point(struct sim *sim, enum sim_urc_point point)
{
	if (!sim->urc[point])
		return;
	sim_line(sim, "%s", sim->urc[point]);
	free(sim->urc[point]);
	sim->urc[point] = NULL;
	sim_count(sim, "urc-injected");
}

int sim_set_ussd_reply(struct sim *sim, const char *text)
{
	char *copy;

	if (!text)
		return -EINVAL;
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	free(sim->ussd_reply);
	sim->ussd_reply = copy;
	return 0;
}

int sim_inject_urc(struct sim *sim, const char *line)
{
	if (!line)
		return -EINVAL;
	if (sim->master < 0)
		return -ENODEV;
	sim->resp_at = sim_now_us();
	sim_line(sim, "%s", line);
	sim_arm(sim);
	return 0;
}

/* ---- sent log --------------------------------------------------------- */

int sim_sent_add(struct sim *sim, const struct sim_sent *e)
{
	if (sim->n_sent == sim->cap_sent) {
		size_t cap = sim->cap_sent ? sim->cap_sent * 2 : 16;
		struct sim_sent *n = realloc(sim->sent, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		sim->sent = n;
		sim->cap_sent = cap;
	}
	sim->sent[sim->n_sent++] = *e;
	return 0;
}

size_t sim_sent_count(const struct sim *sim)
{
	return sim->n_sent;
}

const struct sim_sent *sim_sent_get(const struct sim *sim, size_t i)
{
	return i < sim->n_sent ? &sim->sent[i] : NULL;
}

void sim_sent_clear(struct sim *sim)
{
	sim->n_sent = 0;
}

/* ---- event loop -------------------------------------------------------- */

/* The flood also makes the signal swing a little, as real ones do. */
static int rssi_swing(const struct sim *sim, uint64_t now)
{
	if (sim->rssi == 99)
		return 99;
	return (sim->rssi + (int) (now / 1000u % 3)) % 32;
}

static void run_timers(struct sim *sim, uint64_t now)
{
	while (sim->timers && sim->timers->at <= now) {
		struct sim_timer *t = sim->timers;

		sim->timers = t->next;
		sim->resp_at = now;
		switch (t->kind) {
		case SIM_T_EMIT:
			if (sim->master >= 0)
				sim_out_str(sim, t->text);
			break;
		case SIM_T_BOOT:
			boot_done(sim);
			sim_deliver(sim);
			break;
		case SIM_T_RSSI:
			if (sim->fault[SIM_FAULT_RSSI_FLOOD_MS] > 0) {
				if (sim->master >= 0 && !sim->curc_off) {
					sim_count(sim, "rssi");
					sim_line(sim, "^RSSI: %d",
							rssi_swing(sim, now));
				}
				sim_timer_add(sim,
						now + sim_fault_us(sim,
								      SIM_FAULT_RSSI_FLOOD_MS),
						SIM_T_RSSI, NULL, 0);
			}
			break;
		case SIM_T_CNMA:
			/*
			 * The network got no RP-ACK in time: it resends the
			 * same message (a duplicate for the gateway) and
			 * holds back everything queued behind it.
			 */
			if (sim->awaiting_ack && t->arg == sim->ack_seq &&
					sim->master >= 0) {
				sim_count(sim, "cmt-redelivered");
				emit_direct(sim, sim->awaiting_ack);
				sim_timer_add(sim, cnma_deadline(sim, now),
						SIM_T_CNMA, NULL, t->arg);
			}
			break;
		case SIM_T_RETRY:
			sim_deliver(sim);
			break;
		}
		free(t->text);
		free(t);
	}
}

static void read_master(struct sim *sim)
{
	uint8_t buf[512];
	ssize_t n;

	for (;;) {
		n = read(sim->master, buf, sizeof(buf));
		if (n > 0) {
			sim_input(sim, buf, (size_t) n);
			if (sim->master < 0)
				return;
			continue;
		}
		/* EAGAIN, or EIO: no slave open right now. */
		return;
	}
}

int sim_dispatch(struct sim *sim)
{
	struct epoll_event evs[16];
	uint64_t now, exp;
	int n, i;

	n = epoll_wait(sim->epfd, evs, 16, 0);
	if (n < 0 && errno != EINTR)
		return -errno;
	for (i = 0; i < n; i++) {
		int fd = evs[i].data.fd;

		if (fd == sim->tfd) {
			if (read(sim->tfd, &exp, sizeof(exp)) < 0)
				continue;
		} else if (fd == sim->master && sim->master >= 0) {
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				read_master(sim);
		} else if (fd == sim->listen_fd) {
			sim_control_accept(sim);
		} else {
			sim_control_read(sim, fd);
		}
	}
	now = sim_now_us();
	run_timers(sim, now);
	flush_output(sim, now);
	if (sim->master >= 0) {
		uint32_t want = EPOLLIN | (sim->want_out ? EPOLLOUT : 0);

		if (want != sim->out_events) {
			struct epoll_event ev = {
					.events = want, .data.fd = sim->master};

			epoll_ctl(sim->epfd, EPOLL_CTL_MOD, sim->master, &ev);
			sim->out_events = want;
		}
	}
	sim_arm(sim);
	return 0;
}

int sim_run(struct sim *sim, int timeout_ms)
{
	struct pollfd p = {.fd = sim->epfd, .events = POLLIN};
	int t = sim_timeout_ms(sim);

	if (t < 0 || t > timeout_ms)
		t = timeout_ms;
	if (poll(&p, 1, t) < 0 && errno != EINTR)
		return -errno;
	return sim_dispatch(sim);
}

/* ---- USSD helpers ------------------------------------------------------ */

/* Encode @text for a +CUSD line in the configured encoding; malloc'd. */
char *sim_ussd_encode(struct sim *sim, const char *text, int *ret_dcs)
{
	size_t len = strlen(text), i;
	uint8_t oct[512], sept[512];
	char *out;
	int n;

	switch (sim->fault[SIM_FAULT_USSD_ENCODING]) {
	case SIM_USSD_UCS2:
		n = ucs2_from_utf8(text, len, oct, sizeof(oct));
		if (n < 0)
			return NULL;
		*ret_dcs = 72;
		break;
	case SIM_USSD_GSM7HEX: {
		size_t ns;

		if (gsm7_from_utf8(text, len, sept, sizeof(sept) - 1, &ns) < 0)
			return NULL;
		/*
		 * TS 23.038 §6.1.2.3.1: 7 spare bits at the end would read as
		 * an '@'; a CR fills them (and readers strip it).
		 */
		if (ns % 8 == 7)
			sept[ns++] = '\r';
		n = gsm7_pack(sept, ns, 0, oct, sizeof(oct));
		if (n < 0)
			return NULL;
		*ret_dcs = 15;
		break;
	}
	default:
		*ret_dcs = 15;
		return strdup(text);
	}
	out = malloc((size_t) n * 2 + 1);
	if (!out)
		return NULL;
	for (i = 0; i < (size_t) n; i++)
		snprintf(out + 2 * i, 3, "%02X", oct[i]);
	return out;
}

/*
 * An unsolicited line shown now, ahead of output still held back (a
 * response delayed by send-ms or delay): a real modem interleaves URCs
 * with a command in progress.
 */
static void out_line_now(struct sim *sim, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

static void out_line_now(struct sim *sim, const char *fmt, ...)
{
	struct sim_chunk *c, **pp, *tail;
	uint64_t now = sim_now_us();
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + 2, sizeof(buf) - 4, fmt, ap);
	va_end(ap);
	if (n < 0 || sim->master < 0)
		return;
	if ((size_t) n > sizeof(buf) - 5)
		n = (int) sizeof(buf) - 5;
	buf[0] = '\r';
	buf[1] = '\n';
	buf[n + 2] = '\r';
	buf[n + 3] = '\n';
	tail = sim->out_tail;
	sim->resp_at = now;
	sim_out(sim, buf, (size_t) n + 4);
	c = sim->out_tail;
	if (!c || c == tail)
		return;
	/* Unlink the new chunk, put it before the first held-back one. */
	for (pp = &sim->out_head; *pp && *pp != c; pp = &(*pp)->next)
		if ((*pp)->not_before > now && (*pp)->off == 0)
			break;
	if (*pp == c)
		return; /* nothing held back */
	tail->next = NULL;
	sim->out_tail = tail;
	c->next = *pp;
	*pp = c;
}

int sim_ussd_notify(struct sim *sim, int m, const char *text)
{
	char *enc;
	int dcs;

	if (m < 0 || m > 5 || !text)
		return -EINVAL;
	if (sim->master < 0)
		return -ENODEV;
	enc = sim_ussd_encode(sim, text, &dcs);
	if (!enc)
		return -EINVAL;
	out_line_now(sim, "+CUSD: %d,\"%s\",%d", m, enc, dcs);
	free(enc);
	if (m == 1)
		sim->ussd_session = true;
	sim_arm(sim);
	return 0;
}
