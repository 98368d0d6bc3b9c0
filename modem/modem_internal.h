/* SPDX-License-Identifier: MIT */
/*
 * The modem driver's private state, shared by its files (not installed,
 * not for callers: modem/modem.h is the API). docs/MODEM-DRIVER.md
 * explains the design.
 *
 *  modem_core.c   channel plumbing, command dispatch, lifecycle,
 *                 deferred transitions, poll integration, accessors
 *  modem_init.c   the start-up sequence, a table of steps
 *  modem_store.c  storage operations (read, delete, sweep), delivery
 *                 to the caller and release
 *  modem_send.c   the send queue (AT+CMGS)
 *  modem_ussd.c   USSD requests and +CUSD
 *  modem_info.c   network info (CSQ/CREG/COPS/CPMS)
 *  modem_urc.c    unsolicited result codes
 *
 * Structure:
 *  - every AT command goes through mdm_cmd() with a small context (struct
 *    cmd_ctx) that remembers the driver "generation": a reopen, reboot or
 *    reset bumps m->gen, and late completions of an older generation are
 *    ignored (except sends, whose outcome is always reported);
 *  - state transitions that tear things down (DOWN, re-init) are never done
 *    inside an at_chan callback: they are flagged and run by mdm_process()
 *    at the end of every public entry point;
 *  - storage operations (read, delete, sweep) run one at a time from a FIFO
 *    (struct sop), because AT+CPMS selects the store for every later
 *    AT+CMGR/AT+CMGD/AT+CMGL: an operation on another store must not
 *    interleave with one on the configured store;
 *  - sends run one at a time from their own FIFO, only in READY.
 */
#ifndef FIELDGATE_MODEM_MODEM_INTERNAL_H
#define FIELDGATE_MODEM_MODEM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "modem/at_chan.h"
#include "modem/at_error.h"
#include "modem/at_result.h"
#include "modem/modem.h"
#include "modem/modem_parse.h"

#define SYNC_TRIES 5
/*
 * Queued reads (one per +CMTI) beyond this are replaced by one sweep: a
 * +CMTI flood must not grow the queue without bound, and one AT+CMGL
 * then reads everything anyway.
 */
#define READS_QUEUED_MAX 128
#define XSTORES_MAX 3 /* other stores named by +CMTI, swept too */
#define SIM_BUSY_STEP_MAX_MS 5000
#define LIST_TIMEOUT_MS 30000 /* AT+CMGL of a full store is long */
/*
 * After a delete on a full SIM, sends wait this long more: the +CMTI of
 * the message the network puts into the slot just freed comes right
 * after the AT+CMGD's OK, maybe in the next read. When none comes, the
 * network holds nothing more (sim_full is cleared).
 */
#define RX_GRACE_MS 5
#define TRICKLE_MS 3   /* partial reads this close: a paced line */
#define RX_BURST_OPS 4 /* storage operations queued: a burst, reception first */
#define REREAD_MAX 3   /* reads of a garbled slot before handing it over */
#define REREAD_SLOTS 64	   /* slots tracked at once */
#define NOISY_SWEEPS_MAX 3 /* sweeps re-run at once after line noise */

enum init_step {
	IS_SYNC,
	IS_ECHO,
	IS_CMEE,
	IS_CURC, /* AT^CURC=0, optional: Huawei periodic URCs off */
	IS_CPIN,
	IS_PIN,
	IS_CMGF,
	IS_CMGF_TEXT, /* text-mode fallback */
	IS_CPMS,
	IS_CSMS,
	IS_CNMI,
	IS_CREG,
	IS_CGREG, /* optional: GPRS registration URCs */
	IS_CEREG, /* optional: EPS (LTE) registration URCs */
	IS_CIMI,
	IS_CCID,
	IS_CGSN,
	IS_DONE,
};

enum cmd_kind {
	CK_INIT, /* arg: init step */
	CK_SOP,	 /* a storage operation step */
	CK_SEND,
	CK_CNMA,
	CK_USSD,
	CK_USSD_CANCEL,
	CK_INFO, /* arg: which query */
	CK_RESET,
	CK_OTHER,
};

struct cmd_ctx {
	struct modem *m;
	unsigned gen;
	enum cmd_kind kind;
	int arg;
};

enum sop_kind {
	SOP_READ,   /* AT+CMGR=<index> (after +CMTI / +CDSI) */
	SOP_DELETE, /* AT+CMGD=<index> */
	SOP_SWEEP,  /* AT+CMGL=4 */
	SOP_CHECK,  /* AT+CPMS? then AT+CMGL=4 if used > 0 */
};

struct sop {
	struct sop *next;
	enum sop_kind kind;
	char store[MODEM_STORE_MAX];
	int index;
	bool status_report; /* READ of a +CDSI slot */
	struct del *del;    /* SOP_DELETE */
};

/* A committed message whose deletion is queued, running or unverified. */
enum del_state {
	DEL_QUEUED,
	DEL_INFLIGHT,
	DEL_UNVERIFIED, /* AT+CMGD failed/timed out: re-list first */
};

struct del {
	struct del *next;
	char store[MODEM_STORE_MAX];
	int index;
	char *pdu; /* as read, to recognise the message in a listing */
	enum del_state state;
	bool seen; /* in the current sweep's listing */
};

/* A slot read again: how many reads so far (garbled lines, rereads). */
struct reread {
	struct reread *next;
	char store[MODEM_STORE_MAX];
	int index;
	unsigned reads;
};

struct msg {
	struct modem_sms pub; /* first: the handle given out */
	struct msg *next;
	struct modem *owner;
	char *hex;
	char *raw_hex; /* garbled: hex of the line's bytes (pub.pdu_hex) */
	uint64_t cnma_deadline; /* direct only */
	bool cnma_expired;	/* too late: the modem gave up on it */
	unsigned gen;		/* direct: the +CMT's generation */
};

struct send {
	struct send *next;
	uint64_t id;
	char *hex;
	size_t tpdu_len;
	modem_send_cb cb;
	void *user_data;
};

struct modem {
	struct modem_config cfg;
	char *name, *device, *pin, *storage;
	struct modem_callbacks cbs;
	void *ud;

	enum modem_state state;
	char error[256];
	uint64_t now;
	unsigned gen;

	struct transport *tp;
	struct at_chan *chan;

	/* Reopen. */
	uint64_t reopen_at;
	unsigned backoff_ms;

	/* Init. */
	enum init_step step;
	unsigned step_tries;
	bool step_waiting; /* waiting for step_at before (re)issuing */
	uint64_t step_at;
	uint64_t busy_since; /* first SIM busy answer, 0: none */
	unsigned busy_delay;
	bool pin_sent;	  /* PIN entered during this init */
	int cnmi_try;	  /* index into cnmi_ladder() */
	bool cpms_one;	  /* AT+CPMS with one store (3 refused) */
	bool direct;	  /* +CMT routing in effect */
	bool csms1;	  /* AT+CSMS=1 accepted: +CMT/+CDS need +CNMA */
	bool text_mode;	  /* AT+CMGF=1 fallback in effect */
	bool sync_settle; /* quiet period before the first "AT" */
	char cnmi[32];	  /* the AT+CNMI that was accepted */

	/* Deferred transitions (see mdm_process()). */
	bool down_pending;
	char down_reason[200];
	bool reinit_pending; /* boot banner: re-init at reinit_at */
	uint64_t reinit_at;
	bool reset_waiting; /* AT+CFUN=1,1 issued, waiting for banner */
	uint64_t reset_deadline;
	bool fail_pending;
	char fail_reason[200];

	unsigned failures; /* consecutive command failures */
	bool closing;	   /* close_port(): the DEAD event is ours */

	/* Storage. */
	char mem1[MODEM_STORE_MAX]; /* store AT+CMGR/CMGD/CMGL act on */
	struct sop *sop_head, *sop_tail;
	struct sop *sop_cur; /* in flight */
	bool sweep_queued;
	uint64_t next_sweep;
	struct del *dels;
	struct msg *msgs; /* handed out, not yet released */
	char xstores[XSTORES_MAX][MODEM_STORE_MAX];
	size_t n_xstores;
	uint64_t next_msg_id;
	struct reread *rereads;
	size_t n_rereads;
	bool rx_noise;	       /* unknown line during the storage operation */
	unsigned noisy_sweeps; /* consecutive sweeps re-run for noise */

	/* Sending. */
	struct send *send_head, *send_tail;
	struct send *send_cur;
	uint64_t next_send_id;
	uint64_t send_held_since; /* a send waits for reception; 0: none */
	uint64_t send_started;	  /* the send in flight went out */
	uint64_t send_ms_avg;	  /* AT+CMGS duration, moving average */
	uint64_t rx_last;	  /* last delete on a full SIM finished */
	bool sim_full; /* the store was seen full: the network may hold more */
	uint64_t read_hold_until; /* coalescing a response: no read before */
	uint64_t last_partial;	  /* last read that left a response open */

	/* USSD. */
	bool ussd_pending;
	modem_ussd_cb ussd_cb;
	void *ussd_ud;
	uint64_t ussd_deadline;
	bool ussd_answered; /* our AT+CUSD got its final result */

	/* Info: per domain (0 CS, 1 PS, 2 EPS) lac/ci/act. */
	struct modem_info info;
	long dom_lac[3], dom_ci[3];
	bool has_cgreg, has_cereg; /* AT+CGREG=2 / AT+CEREG=2 accepted */
	int dom_act[3];
	unsigned info_outstanding;
	uint64_t next_status;

	struct modem_stats stats;
	int depth; /* public entry nesting, for mdm_process() */
};

/* ---- modem_core.c ---- */
void mdm_dbg(struct modem *m, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
void mdm_set_state(struct modem *m, enum modem_state st, const char *reason);
/* Flag a transition; mdm_process() runs it outside callbacks. */
void mdm_request_down(struct modem *m, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
void mdm_request_fail(struct modem *m, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
void mdm_request_sweep(struct modem *m, uint64_t delay);
/*
 * Queue one AT command. @data_lines: a data line follows each declared
 * line (+CMGR:/+CMGL:). Returns the channel id (> 0) or a negative errno;
 * on failure the completion is never called.
 */
int mdm_cmd_data(struct modem *m, enum cmd_kind kind, int arg, const char *cmd,
		const char *const *prefixes, bool data_lines,
		const char *payload, unsigned timeout_ms);
int mdm_cmd(struct modem *m, enum cmd_kind kind, int arg, const char *cmd,
		const char *const *prefixes, const char *payload,
		unsigned timeout_ms);
void mdm_go_ready(struct modem *m);
void mdm_process(struct modem *m);

/* ---- modem_init.c ---- */
void mdm_init_start(struct modem *m);
void mdm_init_issue(struct modem *m);
void mdm_init_done(struct modem *m, const struct cmd_ctx *ctx,
		const struct at_error *err, const struct at_result *res);

/* ---- modem_store.c ---- */
struct msg *mdm_find_msg(struct modem *m, const char *store, int index);
struct del *mdm_find_del(struct modem *m, const char *store, int index);
void mdm_del_remove(struct modem *m, struct del *d);
int mdm_sop_push(struct modem *m, enum sop_kind kind, const char *store,
		int index, struct del *d);
void mdm_sop_pump(struct modem *m);
void mdm_sop_done(struct modem *m, const struct cmd_ctx *ctx,
		const struct at_error *err, const struct at_result *res);
void mdm_sop_reset_all(struct modem *m);
void mdm_msg_free(struct msg *g);
void mdm_rereads_free(struct modem *m);
void mdm_queue_sweep(struct modem *m, bool check_first);
void mdm_deliver_status_report(struct modem *m, const char *hex);
void mdm_deliver(struct modem *m, const char *store, int index, int stat,
		int length, const char *hex, bool direct,
		const struct modem_text_msg *tm);

/* ---- modem_send.c ---- */
/* Reception work queued, running, or handed out and not yet released. */
bool mdm_rx_pending(const struct modem *m);
/* When a queued send may start: m->now (now), or a later time. */
uint64_t mdm_send_due(const struct modem *m);
void mdm_send_pump(struct modem *m);
void mdm_send_done(struct modem *m, const struct at_error *err,
		const struct at_result *res);
void mdm_send_complete(struct modem *m, struct send *s,
		const struct modem_send_result *r);

/* ---- modem_ussd.c ---- */
void mdm_ussd_fail(struct modem *m, const char *why);
/* @in_response: the line came inside our AT+CUSD's response. */
void mdm_ussd_line(struct modem *m, const char *line, bool in_response);
void mdm_ussd_done(struct modem *m, const struct at_error *err,
		const struct at_result *res);

/* ---- modem_info.c ---- */
void mdm_info_done(struct modem *m, int which, const struct at_error *err,
		const struct at_result *res);

/*
 * A registration line (+CREG:/+CGREG:/+CEREG:, @form solicited or URC)
 * into m->info and the effective registration. Returns 0 or -EINVAL.
 */
int mdm_reg_line(struct modem *m, const char *line, enum modem_reg_form form);

/* ---- modem_urc.c ---- */
int mdm_register_urcs(struct modem *m);
void mdm_note_store(struct modem *m, const char *store);
void mdm_drop_store(struct modem *m, const char *store);

#endif
