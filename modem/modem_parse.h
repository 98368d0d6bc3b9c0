/* SPDX-License-Identifier: MIT */
/*
 * Pure parsers of modem response lines: one line in, one struct out.
 * Every parser returns 0 on success or -EINVAL with *@ret_reason (may be
 * NULL) set to a static string saying what is wrong; ret_ structs are only
 * written on success. Lines are borrowed, never kept.
 */
#ifndef FIELDGATE_MODEM_MODEM_PARSE_H
#define FIELDGATE_MODEM_MODEM_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "modem/sms_pdu.h"

#define MODEM_STORE_MAX 8 /* "SM", "ME", "MT", "SR", "BM", "SM_P" */
#define MODEM_ALPHA_MAX 64
#define MODEM_NUMBER_MAX 48
#define MODEM_OPER_MAX 64
#define MODEM_ID_MAX 24	    /* IMSI 15, ICCID 19-20 digits */
#define MODEM_USSD_MAX 1024 /* raw +CUSD <str> (hex of 182 octets fits) */

/* +CMTI: <mem>,<index>[,...] (27.005 §3.4.1); extra fields ignored (SIM900). */
struct modem_cmti {
	char store[MODEM_STORE_MAX];
	int index;
};
int modem_parse_cmti(const char *line, struct modem_cmti *ret,
		const char **ret_reason);
/* +CDSI: <mem>,<index> (27.005 §3.4.1), same layout. */
int modem_parse_cdsi(const char *line, struct modem_cmti *ret,
		const char **ret_reason);

/* +CMT: [<alpha>],<length> (PDU mode, 27.005 §3.4.1); Gemalto "+CMT: 23". */
struct modem_cmt {
	bool has_alpha;
	char alpha[MODEM_ALPHA_MAX];
	int length; /* TPDU octets (SCA excluded) */
};
int modem_parse_cmt(const char *line, struct modem_cmt *ret,
		const char **ret_reason);
/* +CDS: <length> (PDU mode); ZTE "+CDS: ,<length>". */
int modem_parse_cds(const char *line, int *ret_length, const char **ret_reason);

/*
 * +CMGR: <stat>,[<alpha>],<length> and +CMGL: <index>,<stat>,[<alpha>],
 * <length> (27.005 §3.4.2/§3.4.3, PDU mode). Empty slot "+CMGR: 0,,0" gives
 * length 0 (no PDU follows).
 */
struct modem_msg_hdr {
	int index; /* +CMGL only, -1 for +CMGR */
	int stat;  /* 0 unread, 1 read, 2 unsent, 3 sent, 4 all */
	bool has_alpha;
	char alpha[MODEM_ALPHA_MAX];
	int length;
};
int modem_parse_cmgr(const char *line, struct modem_msg_hdr *ret,
		const char **ret_reason);
int modem_parse_cmgl(const char *line, struct modem_msg_hdr *ret,
		const char **ret_reason);

/* +CMGS: <mr>[,<ackpdu>] → TP-MR 0..255; +CMGW: <index>. */
int modem_parse_cmgs(const char *line, int *ret_mr, const char **ret_reason);
int modem_parse_cmgw(const char *line, int *ret_index, const char **ret_reason);

/* +CSQ: <rssi>,<ber> (27.007 §8.5); dBm = -113 + 2 * rssi. */
struct modem_csq {
	int rssi;   /* 0..31, 99 unknown */
	int ber;    /* 0..7, 99 unknown */
	bool known; /* rssi != 99 */
	int dbm;    /* valid when known */
};
int modem_parse_csq(const char *line, struct modem_csq *ret,
		const char **ret_reason);

/* Which layout of +CREG/+CGREG/+CEREG a line has. */
enum modem_reg_form {
	MODEM_REG_AUTO,	     /* guess from the fields */
	MODEM_REG_SOLICITED, /* reply to AT+CREG?: <n>,<stat>[,...] */
	MODEM_REG_URC,	     /* unsolicited: <stat>[,...] */
};

/*
 * +CREG / +CGREG / +CEREG / +C5GREG (27.007 §7.2, §10.1.20, §10.1.22).
 * LAC/TAC and CI quoted or not, 4 or 8 hex digits, optional AcT and
 * RAC; Samsung extra fields tolerated. -1 marks an absent field.
 */
struct modem_reg {
	int n;	  /* -1 in the URC form */
	int stat; /* 0..10 */
	long lac; /* LAC or TAC */
	long ci;
	int act;
	long rac;
	bool urc; /* which form was parsed */
};
int modem_parse_creg(const char *line, enum modem_reg_form form,
		struct modem_reg *ret, const char **ret_reason);
/* True when @stat means registered (1 home, 5 roaming, 6/7 SMS-only). */
bool modem_reg_is_registered(int stat);

/* +COPS: <mode>[,<format>,<oper>[,<AcT>]] (27.007 §7.3). */
struct modem_cops {
	int mode;
	int format; /* -1 when absent (not registered) */
	char oper[MODEM_OPER_MAX];
	int act; /* -1 when absent */
};
int modem_parse_cops(const char *line, struct modem_cops *ret,
		const char **ret_reason);

/*
 * +CPMS: reply to the query (<mem1>,<used1>,<total1>,...) or to the set
 * command (<used1>,<total1>,...) (27.005 §3.2.2). Up to three stores.
 * Samsung's empty "+CPMS: " yields n = 0.
 */
struct modem_cpms {
	int n;
	struct {
		char mem[MODEM_STORE_MAX]; /* "" in the set-reply form */
		int used;
		int total;
	} st[3];
};
int modem_parse_cpms(const char *line, struct modem_cpms *ret,
		const char **ret_reason);

/*
 * +CNMI: (mode),(mt),(bm),(ds),(bfr) reply to AT+CNMI=? (27.005 §3.4.1):
 * bit v of each mask set when value v is supported (values 0..31).
 */
struct modem_cnmi_caps {
	unsigned mode, mt, bm, ds, bfr;
	int n; /* lists present */
};
int modem_parse_cnmi_caps(const char *line, struct modem_cnmi_caps *ret,
		const char **ret_reason);

/* +CPIN: <code> (27.007 §8.3). */
enum modem_pin {
	MODEM_PIN_READY,
	MODEM_PIN_SIM_PIN,
	MODEM_PIN_SIM_PUK,
	MODEM_PIN_PH_SIM_PIN,
	MODEM_PIN_PH_SIM_PUK,
	MODEM_PIN_SIM_PIN2,
	MODEM_PIN_SIM_PUK2,
	MODEM_PIN_PH_NET_PIN,
	MODEM_PIN_OTHER, /* any other code: treat as "needs attention" */
};
int modem_parse_cpin(
		const char *line, enum modem_pin *ret, const char **ret_reason);

/*
 * +CUSD: <m>[,<str>[,<dcs>]] (27.007 §7.15). @ret->str is the raw string
 * (quotes removed, CR/LF inside kept); decoding by DCS is modem/ussd.c's.
 */
struct modem_cusd {
	int m; /* 0..5 */
	bool has_str;
	bool quoted;
	char str[MODEM_USSD_MAX];
	int dcs; /* -1 when absent */
};
int modem_parse_cusd(const char *line, struct modem_cusd *ret,
		const char **ret_reason);

/* AT+CIMI reply: a bare line of 6..15 digits (27.007 §5.6). */
int modem_parse_cimi(const char *line, char ret_imsi[MODEM_ID_MAX],
		const char **ret_reason);
/*
 * ICCID replies: "+CCID: 8986...", "+CCID: \"8986...\"", "^ICCID: ...",
 * "+ICCID: ...", "+QCCID: ..." or bare digits; 18..22 characters, digits
 * and a trailing F filler allowed. A digit-pair-swapped ICCID (starting
 * "98", some Huawei) is swapped back.
 */
int modem_parse_ccid(const char *line, char ret_iccid[MODEM_ID_MAX],
		const char **ret_reason);

/* +CSCA: <sca>,<tosca> (27.005 §3.3.1). */
int modem_parse_csca(const char *line, char ret_number[MODEM_NUMBER_MAX],
		int *ret_type, const char **ret_reason);
/* +CMEE: <n> (27.007 §9.1). */
int modem_parse_cmee(const char *line, int *ret_n, const char **ret_reason);
/* +CSMS: [<service>,]<mt>,<mo>,<bm> (27.005 §3.2.1). service -1 if absent. */
struct modem_csms {
	int service, mt, mo, bm;
};
int modem_parse_csms(const char *line, struct modem_csms *ret,
		const char **ret_reason);

/*
 * Text mode (AT+CMGF=1, TS 27.005 §4.1/§4.3): a header
 *   +CMGR: <stat>,<oa>,[<alpha>],<scts>
 *   +CMGL: <index>,<stat>,<oa>,[<alpha>],<scts>
 *   +CMT: <oa>,[<alpha>],<scts>
 * then the text line. The message is identified (for deletes and
 * duplicates) by a key made of sender, time stamp and text.
 */
struct modem_text_msg {
	int index; /* +CMGL only, else -1 */
	int stat;  /* 0..3, -1 for +CMT: or an unknown <stat> */
	char sender[SMS_ADDR_MAX];
	char scts_str[32];
	struct sms_scts scts;
	bool has_scts;
	const char *text; /* borrowed: @text of modem_parse_text() */
	char *key;	  /* "T|sender|scts|text", malloc'd: caller frees */
};
/*
 * modem_parse_text() - parse a text-mode header (@prefix "+CMGR:",
 * "+CMGL:" or "+CMT:") and its text line @text (may be NULL: "").
 * Returns 0, -EINVAL or -ENOMEM. ret->key is allocated on success only
 * (NULL otherwise); the caller frees it with free().
 */
int modem_parse_text(const char *line, const char *prefix, const char *text,
		struct modem_text_msg *ret);
/* "yy/MM/dd,hh:mm:ss±zz" (zone in quarter hours); false when malformed. */
bool modem_parse_text_scts(const char *s, struct sms_scts *ret);
/* AT+CGSN: 14..17 digits (IMEI/IMEISV), maybe "+CGSN: " prefixed. */
int modem_parse_imei(const char *line, char ret_imei[MODEM_ID_MAX],
		const char **ret_reason);

#endif
