/*
 * sim_int.h - internals shared by tests/sim/sim*.c. Not for tests.
 */
#ifndef FIELDGATE_TESTS_SIM_INT_H
#define FIELDGATE_TESTS_SIM_INT_H

#include "tests/sim/sim.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define SIM_STORE_MAX 255
#define SIM_MAX_COUNTERS 64
#define SIM_MAX_CLIENTS 8
#define SIM_LINE_MAX 1024
#define SIM_PDU_IN_MAX 1024

struct sim_chunk {
	struct sim_chunk *next;
	uint64_t not_before; /* monotonic us */
	size_t len, off;
	char data[];
};

enum sim_timer_kind {
	SIM_T_EMIT,  /* write text (a delayed URC) */
	SIM_T_BOOT,  /* boot banner after a reboot */
	SIM_T_RSSI,  /* ^RSSI flood tick */
	SIM_T_CNMA,  /* +CMT ack deadline */
	SIM_T_RETRY, /* try delivering again (SIM busy over) */
};

struct sim_timer {
	struct sim_timer *next;
	uint64_t at;
	enum sim_timer_kind kind;
	char *text;
	unsigned arg;
};

struct sim_slot {
	bool used;
	bool is_report;
	int stat;	  /* 0 REC UNREAD, 1 REC READ, 2 STO UNSENT,
			   * 3 STO SENT (TS 27.005 §3.1 <stat>) */
	char *pdu;	  /* hex with SMSC prefix */
	unsigned hdr_len; /* <length> shown by +CMGR (may lie) */
	char *text;	  /* decoded text for text mode */
	char sender[SMS_ADDR_MAX];
	char scts[72];
	bool noisy; /* last shown with noise: clean next time (N > 1) */
};

struct sim_store {
	char name[4];
	unsigned capacity;
	struct sim_slot slots[SIM_STORE_MAX];
};

struct sim_netmsg {
	struct sim_netmsg *next;
	char *pdu;
	unsigned hdr_len;
	bool is_report;
	char *text;
	char sender[SMS_ADDR_MAX];
	char scts[72];
};

struct sim_client {
	int fd;
	size_t len;
	char buf[4096];
};

enum sim_pin_state {
	SIM_PIN_READY,
	SIM_PIN_NEEDED,
	SIM_PUK_NEEDED,
};

enum sim_mode {
	SIM_MODE_CMD,
	SIM_MODE_PDU,  /* after AT+CMGS=<n> in PDU mode */
	SIM_MODE_TEXT, /* after AT+CMGS="<da>" in text mode */
};

struct sim {
	struct sim_config cfg;
	int epfd, tfd, master, slave_keep, listen_fd;
	uint32_t out_events;
	char pty_path[64];
	struct sim_client clients[SIM_MAX_CLIENTS];

	struct sim_chunk *out_head, *out_tail;
	size_t out_bytes;
	bool want_out;
	uint64_t tx_at;	  /* pacing: next byte not before */
	uint64_t resp_at; /* not_before of output being generated */
	struct sim_timer *timers;

	long fault[SIM_FAULT_MAX];
	char *urc[SIM_URC_POINT_MAX];
	char *ussd_reply;

	/* modem state (power-up values in power_up_state()) */
	bool echo, verbose, booting, curc_off, ussd_session;
	bool post_deliver, post_reboot; /* after the final result */
	int cmee, cmgf, cnmi_mode, cnmi_mt, cnmi_ds, creg_n, csms;
	int cgreg_n, cereg_n; /* AT+CGREG=<n>, AT+CEREG=<n> */
	char cscs[8];
	enum sim_pin_state pin_state;
	unsigned pin_attempts, puk_attempts;
	uint64_t busy_until, silent_until;
	int rssi, creg_stat;
	unsigned index_base;
	unsigned next_mr;
	uint32_t rng;	       /* send-time jitter; fixed seed: runs repeat */
	unsigned noise_seq[2]; /* headers, data lines shown (noise faults) */
	uint16_t next_ref;

	struct sim_store stores[2]; /* SM, ME */
	struct sim_store *mem[3];   /* +CPMS <mem1>,<mem2>,<mem3> */
	bool memfull_shown;

	/* network side */
	struct sim_netmsg *net_head, *net_tail;
	struct sim_netmsg *awaiting_ack; /* +CMT/+CDS shown, no +CNMA yet */
	unsigned ack_seq;

	/* input */
	enum sim_mode mode;
	char lin[SIM_LINE_MAX];
	size_t lin_len;
	bool lin_overflow;
	unsigned echo_count; /* bytes echoed on this line (garble-echo) */
	char pdu_in[SIM_PDU_IN_MAX];
	size_t pdu_len;
	bool pdu_overflow;
	unsigned cmgs_len;
	bool cmgw; /* the prompt belongs to AT+CMGW, not AT+CMGS */
	char cmgs_da[SMS_ADDR_MAX];

	struct sim_sent *sent;
	size_t n_sent, cap_sent;

	struct {
		char name[16];
		unsigned n;
	} counters[SIM_MAX_COUNTERS];
	size_t n_counters;
};

uint64_t sim_now_us(void);
uint64_t sim_fault_us(const struct sim *sim, enum sim_fault f);
const char *sim_pin_text(const struct sim *sim);
void sim_creg_line(struct sim *sim, bool solicited);
void sim_reg_line(struct sim *sim, const char *dom, bool solicited);
void sim_count(struct sim *sim, const char *name);
void sim_out_at(struct sim *sim, uint64_t not_before, const void *data,
		size_t len);
void sim_out(struct sim *sim, const void *data, size_t len);
void sim_out_str(struct sim *sim, const char *s);
void sim_line(struct sim *sim, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
void sim_data_line(struct sim *sim, const char *s);
void sim_out_truncate(struct sim *sim, struct sim_chunk *mark);
int sim_timer_add(struct sim *sim, uint64_t at, enum sim_timer_kind kind,
		const char *text, unsigned arg);
struct sim_store *sim_store_by_name(struct sim *sim, const char *name);
unsigned sim_store_used(const struct sim_store *st);
bool sim_sim_ready(const struct sim *sim, uint64_t now);
void sim_deliver(struct sim *sim);
void sim_store_changed(struct sim *sim);
int sim_netmsg_queue(struct sim *sim, const char *pdu, unsigned hdr_len,
		bool is_report);
void sim_urc_point(struct sim *sim, enum sim_urc_point point);
int sim_sent_add(struct sim *sim, const struct sim_sent *e);
char *sim_ussd_encode(struct sim *sim, const char *text, int *ret_dcs);

void sim_arm(struct sim *sim); /* re-arm the timer after changes */

/* sim_at.c */
void sim_input(struct sim *sim, const uint8_t *buf, size_t len);

/* sim_ctl.c */
void sim_control_accept(struct sim *sim);
void sim_control_read(struct sim *sim, int fd);
void sim_client_close(struct sim *sim, struct sim_client *c);

#endif
