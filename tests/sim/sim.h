/*
 * sim.h - a GSM modem simulator on a pseudo-terminal, for tests and demos.
 *
 * The simulator creates a pty (raw mode before anyone opens the slave) and
 * plays the modem side: echo, AT command parsing, SIM storage, PDU and text
 * mode, USSD, network registration, reboots, and a set of faults seen on real
 * modems (docs/SIMULATOR.md, /work/shared/MODEM-QUIRKS.md). Incoming SMS are
 * SMS-DELIVER PDUs built with the project's codec (modem/sms_pdu.h); every
 * PDU sent to it with AT+CMGS is decoded with the same codec and logged.
 *
 * Event-driven, no threads: sim_fd() is one pollable fd (an epoll set of the
 * pty master, a timer and the control socket); when it is readable, or at
 * least every sim_timeout_ms(), call sim_dispatch(). The same control
 * commands are available as text (sim_command(), the unix socket, modemsim)
 * and as C calls below.
 *
 * Errors: negative errno (-EINVAL bad argument, -ENOMEM, -EIO pty failure,
 * -ENOSPC queue full), with a reason string where useful.
 */
#ifndef FIELDGATE_TESTS_SIM_H
#define FIELDGATE_TESTS_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modem/sms_pdu.h"

struct sim;

/* Power-up configuration. sim_config_init() fills the defaults noted. */
struct sim_config {
	const char *pin;	   /* NULL (default): no PIN needed */
	const char *puk;	   /* default "12345678" */
	unsigned sm_capacity;	   /* SIM store slots, default 30 */
	unsigned me_capacity;	   /* ME store slots, default 50 */
	int baud;		   /* pace output to this rate; 0: unpaced */
	const char *link_path;	   /* stable symlink to the slave, or NULL */
	const char *control_path;  /* unix socket for control, or NULL */
	unsigned sim_busy_ms;	   /* SIM busy (CME 14) after boot, default 0 */
	unsigned cnma_timeout_ms;  /* +CMT ack deadline, default 15000; 0: no
				   * ack needed */
	const char *operator_name; /* default "FIELDNET" */
	const char *imsi, *iccid, *imei, *smsc; /* identities */
	const char *manufacturer, *model, *revision;
	unsigned lac, ci; /* cell, default 0x2AF5 / 0x0B88E350 */
	int creg_stat;	  /* default 1 (registered, home) */
	int rssi;	  /* +CSQ value 0..31 or 99, default 20 */
};

/* Fill @cfg with the defaults above. */
void sim_config_init(struct sim_config *cfg);

/*
 * Create a simulator (pty, control socket if configured). @cfg is copied
 * (strings too). On success stores it in *@ret_sim (free with sim_free())
 * and returns 0. Errors: -EINVAL, -ENOMEM, -EIO (pty), -errno of socket or
 * symlink creation; @reason (may be NULL, 160 bytes) says why.
 */
int sim_new(const struct sim_config *cfg, struct sim **ret_sim, char *reason);

/* Close everything, remove the link and control socket. NULL is a no-op. */
void sim_free(struct sim *sim);

/* Path to open: the link if configured, else the pty slave (owned by sim). */
const char *sim_path(const struct sim *sim);
/* The current pty slave path (changes on replug; owned by sim). */
const char *sim_pty_path(const struct sim *sim);

/* The pollable fd (POLLIN) and the longest wait before sim_dispatch(). */
int sim_fd(const struct sim *sim);
int sim_timeout_ms(const struct sim *sim);

/* Handle whatever is ready now; never blocks. Returns 0 or -errno. */
int sim_dispatch(struct sim *sim);

/* poll(sim_fd) for up to @timeout_ms, then sim_dispatch(). */
int sim_run(struct sim *sim, int timeout_ms);

/*
 * Run one control command (the text protocol of docs/SIMULATOR.md). On
 * success returns 0 and, if there is output, stores a malloc'd text of
 * reply lines ("\n"-terminated) in *@ret_out (caller frees; NULL when no
 * output). On failure returns -errno and a malloc'd error message in
 * *@ret_out (caller frees).
 */
int sim_command(struct sim *sim, const char *line, char **ret_out);

/* How an injected message is damaged (one part, see sim_sms.corrupt_part). */
enum sim_corrupt {
	SIM_CORRUPT_NONE = 0,
	SIM_CORRUPT_BADHEX,   /* a non-hex character inside the PDU */
	SIM_CORRUPT_BADUDL,   /* TP-UDL claims more than the PDU holds */
	SIM_CORRUPT_HDRLEN,   /* the <length> of +CMGR/+CMT lies */
	SIM_CORRUPT_TRUNCATE, /* the last 5 octets missing */
};

/* An incoming SMS to inject. Zero-initialise, then set what you need. */
struct sim_sms {
	const char *from;	  /* "+256...", digits or an alphanumeric name;
				 * NULL: "+256772000001" */
	const char *text;	  /* UTF-8, required */
	enum sms_charset charset; /* AUTO (0), GSM7, UCS2 */
	unsigned parts;		  /* split into exactly this many parts; 0: as
				 * many as the text needs */
	const uint8_t *order;	  /* delivery order of part numbers (1-based),
				 * n_order long; unlisted parts follow */
	size_t n_order;
	const uint8_t *dup; /* parts delivered a second time, at the end */
	size_t n_dup;
	const uint8_t *missing; /* parts never delivered */
	size_t n_missing;
	bool ref16;	   /* 16-bit concat reference (IEI 08) */
	uint16_t ref;	   /* 0: the simulator picks one */
	bool force_concat; /* concat UDH even for a single part */
	enum sim_corrupt corrupt;
	unsigned corrupt_part; /* 1-based; 0 means 1 */
	int msg_class;	       /* -1 or 0 (default when 0-initialised: class
				 * 0 is set only if class0 is true) */
	bool class0;	       /* flash SMS */
};

/*
 * Queue an SMS "in the network"; it is delivered (+CMTI/+CMT) as the modem
 * state allows. Returns the number of PDUs queued. Errors: -EINVAL (bad
 * text/number/options; reason set, static), -ENOMEM, -EMSGSIZE.
 */
int sim_inject_sms(struct sim *sim, const struct sim_sms *sms,
		const char **ret_reason);

/* Queue one raw PDU (hex with SMSC prefix) as if from the network. */
int sim_inject_pdu(struct sim *sim, const char *hex);

/* Emit a line (a URC) now, framed with CR LF. */
int sim_inject_urc(struct sim *sim, const char *line);

/* One SMS received from the gateway (AT+CMGS), decoded. */
struct sim_sent {
	char to[SMS_ADDR_MAX];
	char text[SMS_TEXT_MAX]; /* decoded part text (UTF-8) */
	enum sms_charset charset;
	uint8_t mr;	    /* the MR the simulator replied */
	uint8_t seq, total; /* 1/1 for a single SMS */
	uint16_t ref;
	bool ref16;
	bool srr;		   /* status report requested */
	bool error_reply;	   /* delivered, but answered ERROR */
	bool text_mode;		   /* sent with AT+CMGF=1 */
	char pdu[SMS_PDU_HEX_MAX]; /* as received (PDU mode) */
};

/* Sent log: count and entry @i (owned by sim, valid until sim_free() or
 * sim_sent_clear()); NULL if out of range. */
size_t sim_sent_count(const struct sim *sim);
const struct sim_sent *sim_sent_get(const struct sim *sim, size_t i);
void sim_sent_clear(struct sim *sim);

/* Times a command was seen: "+CMGS", "+CMGR", "E", "Z", "AT" (bare), ...
 * and internal counters "cmt-redelivered", "pin-wrong", "memfull". */
unsigned sim_counter(const struct sim *sim, const char *name);

/* Messages stored in "SM" or "ME" now; -EINVAL for another store. */
int sim_stored(const struct sim *sim, const char *store);
/* Messages waiting "in the network" (not yet delivered). */
size_t sim_pending(const struct sim *sim);

/* Numeric faults and settings (docs/SIMULATOR.md describes each). */
enum sim_fault {
	SIM_FAULT_RSSI_FLOOD_MS,    /* ^RSSI every N ms; 0 off */
	SIM_FAULT_GARBAGE,	    /* next N responses preceded by junk line */
	SIM_FAULT_NULS,		    /* next N responses preceded by NULs */
	SIM_FAULT_BYTEWISE_US,	    /* write one byte per N us; 0 off */
	SIM_FAULT_DELAY_MS,	    /* delay every response by N ms */
	SIM_FAULT_CMS_COUNT,	    /* next N sends fail ... */
	SIM_FAULT_CMS_CODE,	    /* ... with +CMS ERROR: <this code> */
	SIM_FAULT_ERROR_AFTER_SEND, /* next N sends: delivered, reply ERROR */
	SIM_FAULT_SIM_BUSY_MS,	    /* SIM busy for N ms from now */
	SIM_FAULT_SILENCE_MS,	    /* ignore all input for N ms from now */
	SIM_FAULT_CNMA_TIMEOUT_MS,  /* +CMT ack deadline; 0 none needed */
	SIM_FAULT_SM_CAPACITY,	    /* SIM store size (storage full) */
	SIM_FAULT_ME_CAPACITY,
	SIM_FAULT_USSD_ENCODING,  /* enum sim_ussd_encoding */
	SIM_FAULT_USSD_AFTER_OK,  /* 1: +CUSD after OK, 0: before */
	SIM_FAULT_USSD_DELAY_MS,  /* delay of a +CUSD after OK */
	SIM_FAULT_USSD_SPLIT,	  /* 1: +CUSD written in two pieces */
	SIM_FAULT_STATUS_REPORTS, /* 1: honour TP-SRR (default 1) */
	SIM_FAULT_SR_DELAY_MS,	  /* delay of a status report */
	SIM_FAULT_SR_BEFORE_OK,	  /* 1: status report before +CMGS's OK */
	SIM_FAULT_NEXT_MR,	  /* next TP-MR to assign (wraps at 255) */
	SIM_FAULT_RSSI,		  /* +CSQ value */
	SIM_FAULT_CREG_STAT,	  /* registration state (URC if enabled) */
	SIM_FAULT_MEMFULL_URC,	  /* 1: ^SMMEMFULL when full (default 1) */
	SIM_FAULT_EXTRA_CRLF,	  /* 1: empty line before a PDU/text line */
	SIM_FAULT_TRUNCATE,	  /* next N responses cut in half, rest lost */
	SIM_FAULT_GARBLE_ECHO,	  /* next N command echoes garbled */
	SIM_FAULT_INDEX_BASE,	  /* first storage index: 1 (default) or 0 */
	SIM_FAULT_REJECT_DIRECT,  /* 1: +CNMI mt=2 / ds=1 refused (CMS 303)
				   * although +CNMI=? advertises them */
	SIM_FAULT_LAC,		  /* location area code (16 bits) */
	SIM_FAULT_CI,		  /* cell id (28 bits) */
	SIM_FAULT_CREG_STYLE,	  /* LAC/CI form: 0 "2AF5","0B88E350";
				   * 1 unquoted; 2 with AcT ,7 */
	SIM_FAULT_DROP_CMTI,	  /* next N +CMTI/+CDSI lost (stored only) */
	SIM_FAULT_NO_PDU_MODE,	  /* 1: AT+CMGF=0 refused (text-only modem) */
	SIM_FAULT_SEND_MS,	  /* AT+CMGS network round trip per part (the
				   * +CMGS/OK come this much later); 0 off */
	SIM_FAULT_SEND_JITTER_MS, /* ... plus or minus up to this, uniform */
	SIM_FAULT_NOISE_PDU,	  /* every Nth +CMGR/+CMGL data line (PDU or
				   * text) gets a 0xFF byte in the middle */
	SIM_FAULT_LTE_ONLY,	  /* 1: registered on LTE only (Quectel EC2x,
				   * SIMCom A76xx): +CREG/+CGREG say 0, +CEREG
				   * says `creg` with TAC/ECI; SMS works */
	SIM_FAULT_NOISE_HDR,	  /* every Nth +CMGR:/+CMGL: header gets one:
				   * in turn before the line, in a field */
	SIM_FAULT_MAX
};

enum sim_ussd_encoding {
	SIM_USSD_TEXT = 0,    /* +CUSD: 0,"plain text",15 */
	SIM_USSD_UCS2 = 1,    /* +CUSD: 0,"0042...",72 */
	SIM_USSD_GSM7HEX = 2, /* +CUSD: 0,"C2303B...",15 (Huawei) */
};

/* Set/read a numeric fault or setting. -EINVAL: unknown or out of range. */
int sim_set(struct sim *sim, enum sim_fault fault, long value);
long sim_get(const struct sim *sim, enum sim_fault fault);

/* Where a one-shot URC is slipped into a response. */
enum sim_urc_point {
	SIM_URC_BEFORE_PROMPT, /* between AT+CMGS and "> " */
	SIM_URC_BEFORE_CMGS,   /* between the PDU and "+CMGS: <mr>" */
	SIM_URC_IN_CMGR,       /* between the +CMGR: line and the PDU */
	SIM_URC_IN_CMGL,       /* after the first entry of a +CMGL list */
	SIM_URC_POINT_MAX
};

/* Arm a one-shot URC @line at @point (copied; NULL disarms). */
int sim_set_urc(struct sim *sim, enum sim_urc_point point, const char *line);

/* Set the USSD reply text (UTF-8, copied). */
int sim_set_ussd_reply(struct sim *sim, const char *text);

/* Network-initiated USSD: +CUSD: <m>,"text",dcs in the current encoding. */
int sim_ussd_notify(struct sim *sim, int m, const char *text);

/* Spontaneous reboot: state reset and boot banner (RDY, +CFUN: 1, ...). */
int sim_reboot(struct sim *sim);

/* Unplug: close the pty (the other side sees EIO/HUP), remove the link. */
int sim_unplug(struct sim *sim);
/* Replug: a new pty (new path), link re-pointed, modem powered up. */
int sim_replug(struct sim *sim);
bool sim_plugged(const struct sim *sim);

#endif /* FIELDGATE_TESTS_SIM_H */
