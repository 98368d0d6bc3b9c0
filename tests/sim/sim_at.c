/*
 * sim_at.c - the modem side of the AT channel: byte input (echo, line
 * assembly, the "> " prompt body), command splitting and the reactive
 * command table. Syntax per ITU-T V.250 §5 and 3GPP TS 27.007 §4; SMS
 * commands per TS 27.005 §3 (PDU mode) and §4 (text mode).
 */
#include "config.h"

#include "tests/sim/sim_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Handler results: R_OK, R_ERROR, R_PROMPT (no final yet), CME/CMS codes. */
#define R_OK 0
#define R_ERROR (-1)
#define R_PROMPT (-2)
#define CME(n) (1000 + (n))
#define CMS(n) (2000 + (n))

enum cmd_type {
	T_EXEC, /* AT+X */
	T_READ, /* AT+X? */
	T_TEST, /* AT+X=? */
	T_SET,	/* AT+X=<args> */
};

#define MAX_ARGS 8

struct cmd {
	enum cmd_type type;
	int argc;
	char *argv[MAX_ARGS]; /* unquoted */
	bool quoted[MAX_ARGS];
	long value; /* basic commands: the number after the letter */
};

static const char *stat_text[] = {
		"REC UNREAD", "REC READ", "STO UNSENT", "STO SENT"};

/* Split "a,"b,c",,d" into unquoted fields (in place). */
static int split_args(char *s, struct cmd *c)
{
	c->argc = 0;
	while (*s) {
		char *start, *w;

		if (c->argc == MAX_ARGS)
			return -EINVAL;
		while (*s == ' ')
			s++;
		c->quoted[c->argc] = false;
		if (*s == '"') {
			start = ++s;
			while (*s && *s != '"')
				s++;
			if (*s != '"')
				return -EINVAL;
			*s++ = '\0';
			c->quoted[c->argc] = true;
			while (*s == ' ')
				s++;
		} else {
			start = s;
			while (*s && *s != ',')
				s++;
			w = s;
			while (w > start && w[-1] == ' ')
				w--;
			if (*s == ',') {
				*w = '\0';
				s++;
				c->argv[c->argc++] = start;
				if (*s == '\0')
					c->argv[c->argc++] = s;
				continue;
			}
			*w = '\0';
		}
		c->argv[c->argc++] = start;
		if (*s == ',') {
			s++;
			if (*s == '\0' && c->argc < MAX_ARGS)
				c->argv[c->argc++] = s;
		} else if (*s) {
			return -EINVAL;
		}
	}
	return 0;
}

/* Strict decimal in [lo, hi]. */
static int arg_int(const struct cmd *c, int i, long lo, long hi, long *ret)
{
	char *end;
	long v;

	if (i >= c->argc || c->argv[i][0] == '\0')
		return -ENOENT;
	errno = 0;
	v = strtol(c->argv[i], &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*ret = v;
	return 0;
}

static bool have_arg(const struct cmd *c, int i)
{
	return i < c->argc && c->argv[i][0] != '\0';
}

/* SIM gate: busy first (the SIM cannot even say its PIN state), then PIN. */
static int need_sim(struct sim *sim, bool sms)
{
	uint64_t now = sim_now_us();

	if (now < sim->busy_until || sim->booting)
		return sms ? CMS(314) : CME(14);
	if (sim->pin_state == SIM_PIN_NEEDED)
		return sms ? CMS(311) : CME(11);
	if (sim->pin_state == SIM_PUK_NEEDED)
		return sms ? CMS(316) : CME(12);
	return 0;
}

/*
 * The gate of an SMS command with a set form only (its test form handled
 * before): true when the command ends here with *@ret its result (ERROR
 * for another form, else need_sim()'s error), false to go on.
 */
static bool sms_set_ends(struct sim *sim, const struct cmd *c, int *ret)
{
	if (c->type != T_SET) {
		*ret = R_ERROR;
		return true;
	}
	*ret = need_sim(sim, true);
	return *ret != 0;
}

static bool registered(const struct sim *sim)
{
	return sim->creg_stat == 1 || sim->creg_stat == 5;
}

/* ---- basic commands ---------------------------------------------------- */

static void settings_reset(struct sim *sim)
{
	/* ATZ / AT&F: profile back to power-up values; SIM state kept. */
	sim->echo = true;
	sim->verbose = true;
	sim->cmee = 0;
	sim->cmgf = 0;
	sim->cnmi_mode = sim->cnmi_mt = sim->cnmi_ds = 0;
	sim->creg_n = 0;
	sim->cgreg_n = sim->cereg_n = 0;
}

static int basic(struct sim *sim, char letter, const struct cmd *c)
{
	switch (letter) {
	case 'E':
		if (c->value > 1)
			return R_ERROR;
		sim->echo = c->value == 1;
		return R_OK;
	case 'Z':
	case 'F': /* &F */
		settings_reset(sim);
		return R_OK;
	case 'V':
		if (c->value > 1)
			return R_ERROR;
		sim->verbose = c->value == 1;
		return R_OK;
	case 'I':
		sim_line(sim, "%s", sim->cfg.manufacturer);
		sim_line(sim, "%s", sim->cfg.model);
		sim_line(sim, "Revision: %s", sim->cfg.revision);
		return R_OK;
	case 'Q':
	case 'X':
	case 'W': /* &W */
	case 'C': /* &C */
	case 'D': /* &D */
	case 'S':
		return R_OK;
	default:
		return R_ERROR;
	}
}

/* ---- extended commands ------------------------------------------------- */

/*
 * A plain numeric setting (TS 27.007 set/read/test forms): the set form
 * takes 0..@max into *@val, the read form answers "@name: <val>", the
 * test form "@name: @range".
 */
static int int_setting(struct sim *sim, struct cmd *c, const char *name,
		long max, const char *range, int *val)
{
	long v;

	switch (c->type) {
	case T_SET:
		if (arg_int(c, 0, 0, max, &v) < 0)
			return R_ERROR;
		*val = (int) v;
		return R_OK;
	case T_READ:
		sim_line(sim, "%s: %d", name, *val);
		return R_OK;
	case T_TEST:
		sim_line(sim, "%s: %s", name, range);
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_cmee(struct sim *sim, struct cmd *c)
{
	return int_setting(sim, c, "+CMEE", 2, "(0-2)", &sim->cmee);
}

static int h_cpin(struct sim *sim, struct cmd *c)
{
	uint64_t now = sim_now_us();

	if (c->type == T_TEST)
		return R_OK;
	if (now < sim->busy_until || sim->booting)
		return CME(14);
	if (c->type == T_READ) {
		sim_line(sim, "+CPIN: %s", sim_pin_text(sim));
		return R_OK;
	}
	if (c->type != T_SET || c->argc < 1)
		return R_ERROR;
	switch (sim->pin_state) {
	case SIM_PIN_READY:
		return CME(3); /* operation not allowed */
	case SIM_PIN_NEEDED:
		if (strcmp(c->argv[0], sim->cfg.pin) == 0) {
			sim->pin_state = SIM_PIN_READY;
			sim->pin_attempts = 3;
			sim->post_deliver = true;
			return R_OK;
		}
		sim_count(sim, "pin-wrong");
		if (--sim->pin_attempts == 0)
			sim->pin_state = SIM_PUK_NEEDED;
		return CME(16); /* incorrect password */
	case SIM_PUK_NEEDED:
		if (c->argc < 2)
			return CME(12);
		if (strcmp(c->argv[0], sim->cfg.puk) != 0) {
			sim_count(sim, "puk-wrong");
			return CME(16);
		}
		free((char *) sim->cfg.pin);
		sim->cfg.pin = strdup(c->argv[1]);
		if (!sim->cfg.pin)
			return CME(4);
		sim->pin_state = SIM_PIN_READY;
		sim->pin_attempts = 3;
		sim->post_deliver = true;
		return R_OK;
	}
	return R_ERROR;
}

static int h_cmgf(struct sim *sim, struct cmd *c)
{
	long v;

	/* A modem without PDU mode refuses AT+CMGF=0. */
	if (c->type == T_SET && sim->fault[SIM_FAULT_NO_PDU_MODE] &&
			arg_int(c, 0, 0, 1, &v) == 0 && v == 0)
		return R_ERROR;
	return int_setting(sim, c, "+CMGF", 1, "(0,1)", &sim->cmgf);
}

static int h_cscs(struct sim *sim, struct cmd *c)
{
	static const char *const known[] = {
			"GSM", "IRA", "UCS2", "HEX", "8859-1"};
	size_t i;

	switch (c->type) {
	case T_SET:
		if (c->argc < 1)
			return R_ERROR;
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			if (strcasecmp(c->argv[0], known[i]) == 0) {
				snprintf(sim->cscs, sizeof(sim->cscs), "%s",
						known[i]);
				return R_OK;
			}
		}
		return CME(4);
	case T_READ:
		sim_line(sim, "+CSCS: \"%s\"", sim->cscs);
		return R_OK;
	case T_TEST:
		sim_line(sim, "+CSCS: (\"GSM\",\"IRA\",\"UCS2\",\"HEX\","
			      "\"8859-1\")");
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_cpms(struct sim *sim, struct cmd *c)
{
	struct sim_store *st[3];
	int i, r;

	if (c->type == T_TEST) {
		sim_line(sim, "+CPMS: (\"SM\",\"ME\"),(\"SM\",\"ME\"),"
			      "(\"SM\",\"ME\")");
		return R_OK;
	}
	r = need_sim(sim, true);
	if (r)
		return r;
	if (c->type == T_READ) {
		sim_line(sim, "+CPMS: \"%s\",%u,%u,\"%s\",%u,%u,\"%s\",%u,%u",
				sim->mem[0]->name, sim_store_used(sim->mem[0]),
				sim->mem[0]->capacity, sim->mem[1]->name,
				sim_store_used(sim->mem[1]),
				sim->mem[1]->capacity, sim->mem[2]->name,
				sim_store_used(sim->mem[2]),
				sim->mem[2]->capacity);
		return R_OK;
	}
	if (c->type != T_SET || c->argc < 1 || c->argc > 3)
		return R_ERROR;
	for (i = 0; i < 3; i++) {
		st[i] = sim->mem[i];
		if (i < c->argc && c->argv[i][0]) {
			st[i] = sim_store_by_name(sim, c->argv[i]);
			if (!st[i])
				return CMS(302);
		}
	}
	for (i = 0; i < 3; i++)
		sim->mem[i] = st[i];
	/* 27.005 §3.2.2: used and total of each store set. */
	sim_line(sim, "+CPMS: %u,%u,%u,%u,%u,%u", sim_store_used(st[0]),
			st[0]->capacity, sim_store_used(st[1]), st[1]->capacity,
			sim_store_used(st[2]), st[2]->capacity);
	sim->post_deliver = true;
	return R_OK;
}

static int h_cnmi(struct sim *sim, struct cmd *c)
{
	long v[5];
	static const long max[5] = {3, 3, 3, 2, 1};
	int i;

	switch (c->type) {
	case T_TEST:
		sim_line(sim, "+CNMI: (0-3),(0-3),(0,2),(0-2),(0,1)");
		return R_OK;
	case T_READ:
		sim_line(sim, "+CNMI: %d,%d,0,%d,0", sim->cnmi_mode,
				sim->cnmi_mt, sim->cnmi_ds);
		return R_OK;
	case T_SET:
		if (c->argc > 5)
			return CMS(303);
		v[0] = sim->cnmi_mode;
		v[1] = sim->cnmi_mt;
		v[2] = 0;
		v[3] = sim->cnmi_ds;
		v[4] = 0;
		for (i = 0; i < c->argc; i++) {
			int r = arg_int(c, i, 0, max[i], &v[i]);

			if (r == -EINVAL)
				return CMS(303);
		}
		/* MSM/Qualcomm: advertised in +CNMI=?, refused here. */
		if (sim->fault[SIM_FAULT_REJECT_DIRECT] &&
				(v[1] == 2 || v[3] == 1))
			return CMS(303);
		sim->cnmi_mode = (int) v[0];
		sim->cnmi_mt = (int) v[1];
		sim->cnmi_ds = (int) v[3];
		sim->post_deliver = true;
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_cnma(struct sim *sim, struct cmd *c)
{
	long v = 0;

	if (c->type == T_TEST) {
		sim_line(sim, "+CNMA: (0-2)");
		return R_OK;
	}
	if (c->type == T_SET && arg_int(c, 0, 0, 2, &v) < 0)
		return R_ERROR;
	if (!sim->awaiting_ack)
		return CMS(340); /* no +CNMA acknowledgement expected */
	if (v == 2) {
		/* RP-ERROR: the network will try again later. */
		sim->awaiting_ack->next = sim->net_head;
		sim->net_head = sim->awaiting_ack;
		if (!sim->net_tail)
			sim->net_tail = sim->awaiting_ack;
		sim->awaiting_ack = NULL;
		sim_count(sim, "cnma-nack");
		sim->post_deliver = true;
		return R_OK;
	}
	free(sim->awaiting_ack->pdu);
	free(sim->awaiting_ack->text);
	free(sim->awaiting_ack);
	sim->awaiting_ack = NULL;
	sim->ack_seq++;
	sim->post_deliver = true;
	return R_OK;
}

#define SIM_LINE_NOISE_MAX 1400 /* a PDU line (352 hex) or a text */

/*
 * Line noise (faults noise-hdr, noise-pdu): a 0xFF byte put into a line,
 * before it (the prefix no longer matches) or after its first comma (a
 * field no longer parses), or in the middle of a data line.
 */
static bool noisy(struct sim *sim, char *buf, size_t size, bool hdr)
{
	enum sim_fault f = hdr ? SIM_FAULT_NOISE_HDR : SIM_FAULT_NOISE_PDU;
	unsigned *seq = hdr ? &sim->noise_seq[0] : &sim->noise_seq[1];
	size_t n = strlen(buf), at;
	const char *comma;

	if (sim->fault[f] <= 0 || n + 2 > size)
		return false;
	if (++*seq % (unsigned long) sim->fault[f] != 0)
		return false;
	sim_count(sim, hdr ? "noise-hdr" : "noise-pdu");
	comma = strchr(buf, ',');
	if (!hdr)
		at = n / 2;
	else if ((*seq / (unsigned long) sim->fault[f]) % 2 == 0 || !comma)
		at = 0;
	else
		at = (size_t) (comma - buf) + 1;
	memmove(buf + at + 1, buf + at, n - at + 1);
	buf[at] = (char) 0xff;
	return true;
}

static void show_slot(struct sim *sim, const char *cmd, unsigned idx,
		struct sim_slot *s, bool in_list)
{
	char hdr[256], data[SIM_LINE_NOISE_MAX];

	if (sim->cmgf && !s->is_report) {
		if (in_list)
			snprintf(hdr, sizeof(hdr),
					"+CMGL: %u,\"%s\",\"%s\",,\"%s\"", idx,
					stat_text[s->stat], s->sender, s->scts);
		else
			snprintf(hdr, sizeof(hdr),
					"+CMGR: \"%s\",\"%s\",,\"%s\"",
					stat_text[s->stat], s->sender, s->scts);
		snprintf(data, sizeof(data), "%s", s->text ? s->text : "");
	} else {
		if (in_list)
			snprintf(hdr, sizeof(hdr), "+CMGL: %u,%d,,%u", idx,
					s->stat, s->hdr_len);
		else
			snprintf(hdr, sizeof(hdr), "+%s: %d,,%u", cmd, s->stat,
					s->hdr_len);
		snprintf(data, sizeof(data), "%s", s->pdu ? s->pdu : "");
	}
	/*
	 * Noise is random on a real line: a slot shown garbled comes out
	 * clean the next time (unless every line is noisy, N = 1).
	 */
	if (s->noisy && sim->fault[SIM_FAULT_NOISE_PDU] != 1 &&
			sim->fault[SIM_FAULT_NOISE_HDR] != 1) {
		s->noisy = false;
	} else {
		bool a = noisy(sim, hdr, sizeof(hdr), true);
		bool b = noisy(sim, data, sizeof(data), false);

		s->noisy = a || b;
	}
	sim_line(sim, "%s", hdr);
	if (!in_list)
		sim_urc_point(sim, SIM_URC_IN_CMGR);
	sim_data_line(sim, data);
	if (s->stat == 0)
		s->stat = 1;
}

/* Index argument -> slot, or a CMS error. */
static int slot_arg(struct sim *sim, struct cmd *c, struct sim_slot **ret,
		unsigned *ret_idx)
{
	struct sim_store *st = sim->mem[0];
	long v;

	if (arg_int(c, 0, 0, 100000, &v) < 0)
		return R_ERROR;
	if (v < (long) sim->index_base ||
			v >= (long) (st->capacity + sim->index_base))
		return CMS(321); /* invalid memory index */
	*ret = &st->slots[v - (long) sim->index_base];
	*ret_idx = (unsigned) v;
	return 0;
}

static int h_cmgr(struct sim *sim, struct cmd *c)
{
	struct sim_slot *s;
	unsigned idx;
	int r;

	if (c->type == T_TEST)
		return R_OK;
	if (sms_set_ends(sim, c, &r))
		return r;
	r = slot_arg(sim, c, &s, &idx);
	if (r)
		return r;
	if (s->used)
		show_slot(sim, "CMGR", idx, s, false);
	return R_OK; /* empty slot: a bare OK, as most modems */
}

static int h_cmgl(struct sim *sim, struct cmd *c)
{
	struct sim_store *st = sim->mem[0];
	int want = 0, r;
	unsigned i;
	long v;

	if (c->type == T_TEST) {
		if (sim->cmgf)
			sim_line(sim, "+CMGL: (\"REC UNREAD\",\"REC READ\","
				      "\"STO UNSENT\",\"STO SENT\",\"ALL\")");
		else
			sim_line(sim, "+CMGL: (0-4)");
		return R_OK;
	}
	r = need_sim(sim, true);
	if (r)
		return r;
	if (c->type == T_SET) {
		if (sim->cmgf) {
			if (!c->quoted[0])
				return CMS(302);
			for (want = 0; want < 4; want++)
				if (strcasecmp(c->argv[0], stat_text[want]) ==
						0)
					break;
			if (want == 4 && strcasecmp(c->argv[0], "ALL") != 0)
				return CMS(302);
		} else {
			if (c->quoted[0] || arg_int(c, 0, 0, 4, &v) < 0)
				return CMS(302);
			want = (int) v;
		}
	} else if (c->type != T_EXEC) {
		return R_ERROR;
	}
	for (i = 0; i < st->capacity; i++) {
		struct sim_slot *s = &st->slots[i];

		if (s->used && (want == 4 || s->stat == want)) {
			show_slot(sim, "CMGL", i + sim->index_base, s, true);
			sim_urc_point(sim, SIM_URC_IN_CMGL);
		}
	}
	return R_OK;
}

static void slot_free(struct sim_slot *s)
{
	free(s->pdu);
	free(s->text);
	memset(s, 0, sizeof(*s));
}

static int h_cmgd(struct sim *sim, struct cmd *c)
{
	struct sim_store *st = sim->mem[0];
	struct sim_slot *s;
	unsigned idx, i;
	long flag = 0;
	int r;

	if (c->type == T_TEST) {
		sim_line(sim, "+CMGD: (%u-%u),(0-4)", sim->index_base,
				st->capacity + sim->index_base - 1);
		return R_OK;
	}
	if (sms_set_ends(sim, c, &r))
		return r;
	if (have_arg(c, 1) && arg_int(c, 1, 0, 4, &flag) < 0)
		return CMS(302);
	if (flag == 0) {
		r = slot_arg(sim, c, &s, &idx);
		if (r)
			return r;
		slot_free(s);
	} else {
		/* 27.005 §3.5.4: 1 read, 2 read+sent, 3 +unsent, 4 all. */
		for (i = 0; i < st->capacity; i++) {
			s = &st->slots[i];
			if (s->used && (flag == 4 || s->stat == 1 ||
						       (flag >= 2 && s->stat == 3) ||
						       (flag >= 3 && s->stat == 2)))
				slot_free(s);
		}
	}
	sim->post_deliver = true;
	return R_OK;
}

static int prompt(struct sim *sim, struct cmd *c, bool cmgw)
{
	long v;
	int r;

	if (c->type == T_TEST)
		return R_OK;
	if (sms_set_ends(sim, c, &r))
		return r;
	sim->cmgw = cmgw;
	if (cmgw && sim->cmgf)
		return CMS(303); /* text-mode CMGW: not simulated */
	if (sim->cmgf) {
		if (c->argc < 1 || !c->quoted[0] || c->argv[0][0] == '\0')
			return CMS(304);
		snprintf(sim->cmgs_da, sizeof(sim->cmgs_da), "%s", c->argv[0]);
		sim->mode = SIM_MODE_TEXT;
	} else {
		/* TS 27.005 §3.5.1: <length> = TPDU octets, SCA excluded. */
		if (arg_int(c, 0, 1, 175, &v) < 0)
			return CMS(304);
		sim->cmgs_len = (unsigned) v;
		sim->mode = SIM_MODE_PDU;
	}
	sim->pdu_len = 0;
	sim->pdu_overflow = false;
	sim_urc_point(sim, SIM_URC_BEFORE_PROMPT);
	sim_out_str(sim, "\r\n> ");
	return R_PROMPT;
}

static int h_cmgs(struct sim *sim, struct cmd *c)
{
	return prompt(sim, c, false);
}

static int h_cmgw(struct sim *sim, struct cmd *c)
{
	return prompt(sim, c, true);
}

static int h_csq(struct sim *sim, struct cmd *c)
{
	if (c->type == T_TEST) {
		sim_line(sim, "+CSQ: (0-31,99),(0-7,99)");
		return R_OK;
	}
	if (c->type != T_EXEC)
		return R_ERROR;
	sim_line(sim, "+CSQ: %d,99", sim->rssi);
	return R_OK;
}

static int h_cops(struct sim *sim, struct cmd *c)
{
	switch (c->type) {
	case T_READ:
		if (registered(sim))
			sim_line(sim, "+COPS: 0,0,\"%s\",2",
					sim->cfg.operator_name);
		else
			sim_line(sim, "+COPS: 0");
		return R_OK;
	case T_TEST:
		sim_line(sim,
				"+COPS: (2,\"%s\",\"%s\",\"64110\",2),,(0-4),"
				"(0-2)",
				sim->cfg.operator_name, sim->cfg.operator_name);
		return R_OK;
	case T_SET:
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_creg(struct sim *sim, struct cmd *c)
{
	if (c->type == T_READ) {
		sim_creg_line(sim, true);
		return R_OK;
	}
	return int_setting(sim, c, "+CREG", 2, "(0-2)", &sim->creg_n);
}

static int h_cgreg(struct sim *sim, struct cmd *c)
{
	if (c->type == T_READ) {
		sim_reg_line(sim, "CGREG", true);
		return R_OK;
	}
	return int_setting(sim, c, "+CGREG", 2, "(0-2)", &sim->cgreg_n);
}

static int h_cereg(struct sim *sim, struct cmd *c)
{
	if (c->type == T_READ) {
		sim_reg_line(sim, "CEREG", true);
		return R_OK;
	}
	return int_setting(sim, c, "+CEREG", 2, "(0-2)", &sim->cereg_n);
}

static int h_ident(struct sim *sim, struct cmd *c, const char *prefix,
		const char *value, bool need)
{
	int r;

	if (c->type == T_TEST)
		return R_OK;
	if (c->type != T_EXEC)
		return R_ERROR;
	if (need) {
		r = need_sim(sim, false);
		if (r)
			return r;
	}
	if (prefix)
		sim_line(sim, "%s: %s", prefix, value);
	else
		sim_line(sim, "%s", value);
	return R_OK;
}

static int h_csca(struct sim *sim, struct cmd *c)
{
	char *n;

	switch (c->type) {
	case T_READ:
		sim_line(sim, "+CSCA: \"%s\",%d", sim->cfg.smsc,
				sim->cfg.smsc[0] == '+' ? 145 : 129);
		return R_OK;
	case T_SET:
		if (c->argc < 1 || !c->quoted[0])
			return R_ERROR;
		n = strdup(c->argv[0]);
		if (!n)
			return CME(4);
		free((char *) sim->cfg.smsc);
		sim->cfg.smsc = n;
		return R_OK;
	case T_TEST:
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_cusd(struct sim *sim, struct cmd *c)
{
	char line[2048];
	uint64_t now = sim_now_us();
	char *enc;
	long n;
	int dcs, len;

	switch (c->type) {
	case T_READ:
		sim_line(sim, "+CUSD: 1");
		return R_OK;
	case T_TEST:
		sim_line(sim, "+CUSD: (0-2)");
		return R_OK;
	case T_SET:
		break;
	default:
		return R_ERROR;
	}
	if (arg_int(c, 0, 0, 2, &n) < 0)
		return R_ERROR;
	if (n == 2) {
		sim->ussd_session = false;
		return R_OK;
	}
	if (!have_arg(c, 1))
		return R_OK;
	if (!registered(sim))
		return CME(30); /* no network service */
	sim_count(sim, "ussd-request");
	enc = sim_ussd_encode(sim, sim->ussd_reply, &dcs);
	if (!enc)
		return CME(4);
	len = snprintf(line, sizeof(line), "\r\n+CUSD: 0,\"%s\",%d\r\n", enc,
			dcs);
	free(enc);
	if (len < 0 || (size_t) len >= sizeof(line))
		return CME(4);
	sim->ussd_session = false;
	if (sim->fault[SIM_FAULT_USSD_AFTER_OK]) {
		uint64_t at = now + sim_fault_us(sim, SIM_FAULT_USSD_DELAY_MS);

		if (sim->resp_at > at)
			at = sim->resp_at + 1000u;
		if (sim->fault[SIM_FAULT_USSD_SPLIT]) {
			/* Cut inside the quotes: a reader must join reads. */
			char tail[2048];
			int cut = len / 2;

			snprintf(tail, sizeof(tail), "%s", line + cut);
			line[cut] = '\0';
			sim_timer_add(sim, at, SIM_T_EMIT, line, 0);
			sim_timer_add(sim, at + 30000u, SIM_T_EMIT, tail, 0);
		} else {
			sim_timer_add(sim, at, SIM_T_EMIT, line, 0);
		}
	} else if (sim->fault[SIM_FAULT_USSD_SPLIT]) {
		int cut = len / 2;

		sim_out(sim, line, (size_t) cut);
		sim_out_at(sim, sim->resp_at + 30000u, line + cut,
				(size_t) (len - cut));
		sim->resp_at += 30000u;
	} else {
		sim_out(sim, line, (size_t) len);
	}
	return R_OK;
}

static int h_cfun(struct sim *sim, struct cmd *c)
{
	long f, rst = 0;

	switch (c->type) {
	case T_READ:
		sim_line(sim, "+CFUN: 1");
		return R_OK;
	case T_TEST:
		sim_line(sim, "+CFUN: (0,1,4),(0,1)");
		return R_OK;
	case T_SET:
		if (arg_int(c, 0, 0, 4, &f) < 0 ||
				(have_arg(c, 1) &&
						arg_int(c, 1, 0, 1, &rst) < 0))
			return R_ERROR;
		if (rst)
			sim->post_reboot = true;
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_csms(struct sim *sim, struct cmd *c)
{
	long v;

	switch (c->type) {
	case T_SET:
		if (arg_int(c, 0, 0, 1, &v) < 0)
			return CMS(303);
		sim->csms = (int) v;
		sim_line(sim, "+CSMS: 1,1,1");
		return R_OK;
	case T_READ:
		sim_line(sim, "+CSMS: %d,1,1,1", sim->csms);
		return R_OK;
	case T_TEST:
		sim_line(sim, "+CSMS: (0,1)");
		return R_OK;
	default:
		return R_ERROR;
	}
}

static int h_curc(struct sim *sim, struct cmd *c)
{
	long v;

	if (c->type == T_SET) {
		if (arg_int(c, 0, 0, 1, &v) < 0)
			return R_ERROR;
		sim->curc_off = v == 0;
	} else if (c->type == T_READ) {
		sim_line(sim, "^CURC: %d", !sim->curc_off);
	}
	return R_OK;
}

static int h_ok(struct sim *sim, struct cmd *c)
{
	return R_OK;
}

static int h_csmp(struct sim *sim, struct cmd *c)
{
	if (c->type == T_READ)
		sim_line(sim, "+CSMP: 17,167,0,0");
	return R_OK;
}

static int dispatch_ext(struct sim *sim, const char *name, struct cmd *c)
{
	static const struct {
		const char *name;
		int (*fn)(struct sim *, struct cmd *);
	} table[] = {
			{"+CMEE", h_cmee},
			{"+CPIN", h_cpin},
			{"+CMGF", h_cmgf},
			{"+CSCS", h_cscs},
			{"+CPMS", h_cpms},
			{"+CNMI", h_cnmi},
			{"+CNMA", h_cnma},
			{"+CMGR", h_cmgr},
			{"+CMGL", h_cmgl},
			{"+CMGD", h_cmgd},
			{"+CMGS", h_cmgs},
			{"+CMGW", h_cmgw},
			{"+CSQ", h_csq},
			{"+COPS", h_cops},
			{"+CREG", h_creg},
			{"+CGREG", h_cgreg},
			{"+CEREG", h_cereg},
			{"+CSCA", h_csca},
			{"+CUSD", h_cusd},
			{"+CFUN", h_cfun},
			{"+CSMS", h_csms},
			{"+CSMP", h_csmp},
			{"^CURC", h_curc},
			{"+CLIP", h_ok},
			{"+CRC", h_ok},
			{"+CMMS", h_ok},
			{"+CSDH", h_ok},
	};
	const struct sim_config *cfg = &sim->cfg;
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(name, table[i].name) == 0)
			return table[i].fn(sim, c);
	if (strcmp(name, "+CIMI") == 0)
		return h_ident(sim, c, NULL, cfg->imsi, true);
	if (strcmp(name, "+CCID") == 0)
		return h_ident(sim, c, "+CCID", cfg->iccid, true);
	if (strcmp(name, "+ICCID") == 0)
		return h_ident(sim, c, "+ICCID", cfg->iccid, true);
	if (strcmp(name, "^ICCID") == 0)
		return h_ident(sim, c, "^ICCID", cfg->iccid, true);
	if (strcmp(name, "+CGSN") == 0 || strcmp(name, "+GSN") == 0)
		return h_ident(sim, c, NULL, cfg->imei, false);
	if (strcmp(name, "+CGMI") == 0 || strcmp(name, "+GMI") == 0)
		return h_ident(sim, c, NULL, cfg->manufacturer, false);
	if (strcmp(name, "+CGMM") == 0 || strcmp(name, "+GMM") == 0)
		return h_ident(sim, c, NULL, cfg->model, false);
	if (strcmp(name, "+CGMR") == 0 || strcmp(name, "+GMR") == 0)
		return h_ident(sim, c, NULL, cfg->revision, false);
	return R_ERROR; /* unknown command */
}

/* ---- final results ----------------------------------------------------- */

static const char *cme_text(int n)
{
	switch (n) {
	case 3:
		return "operation not allowed";
	case 4:
		return "operation not supported";
	case 10:
		return "SIM not inserted";
	case 11:
		return "SIM PIN required";
	case 12:
		return "SIM PUK required";
	case 14:
		return "SIM busy";
	case 16:
		return "incorrect password";
	case 30:
		return "no network service";
	default:
		return "unknown";
	}
}

static void final(struct sim *sim, int r)
{
	if (r == R_PROMPT)
		return;
	if (r >= CMS(0)) {
		sim_line(sim, "+CMS ERROR: %d", r - CMS(0));
		return;
	}
	if (r >= CME(0)) {
		if (sim->cmee == 1)
			sim_line(sim, "+CME ERROR: %d", r - CME(0));
		else if (sim->cmee == 2)
			sim_line(sim, "+CME ERROR: %s", cme_text(r - CME(0)));
		else
			r = R_ERROR;
		if (r != R_ERROR)
			return;
	}
	if (!sim->verbose) {
		/* ATV0: numeric codes, V.250 §6.2.6. */
		sim_out_str(sim, r == R_OK ? "0\r" : "4\r");
		return;
	}
	sim_line(sim, "%s", r == R_OK ? "OK" : "ERROR");
}

/* ---- command line execution -------------------------------------------- */

static void before_response(struct sim *sim)
{
	if (sim->fault[SIM_FAULT_NULS] > 0) {
		sim->fault[SIM_FAULT_NULS]--;
		sim_out(sim, "\0\0\0", 3);
	}
	if (sim->fault[SIM_FAULT_GARBAGE] > 0) {
		sim->fault[SIM_FAULT_GARBAGE]--;
		sim_out_str(sim, "\r\n\x7f\xfe#~\x11Z%\xff\r\n");
	}
}

/* Run the commands after "AT" (V.250 §5.2: basic ones, then ;-separated
 * extended ones). */
static void exec_line(struct sim *sim, char *p)
{
	int r = R_OK;

	if (*p == '\0') {
		sim_count(sim, "AT");
		final(sim, R_OK);
		return;
	}
	while (*p && r == R_OK) {
		struct cmd c = {0};
		char name[16];
		size_t n = 0;

		while (*p == ' ' || *p == ';')
			p++;
		if (!*p)
			break;
		if (*p == '+' || *p == '^' || *p == '#' || *p == '$') {
			char *args, *end;
			bool inq = false;

			name[n++] = *p++;
			while (*p &&
					(isalnum((unsigned char) *p) ||
							*p == '_') &&
					n < sizeof(name) - 1)
				name[n++] = (char) toupper(
						(unsigned char) *p++);
			name[n] = '\0';
			/* The arguments end at ';' outside quotes. */
			for (end = p; *end; end++) {
				if (*end == '"')
					inq = !inq;
				else if (*end == ';' && !inq)
					break;
			}
			if (*end)
				*end++ = '\0';
			if (strcmp(p, "=?") == 0) {
				c.type = T_TEST;
			} else if (strcmp(p, "?") == 0) {
				c.type = T_READ;
			} else if (*p == '=') {
				c.type = T_SET;
				args = p + 1;
				if (split_args(args, &c) < 0) {
					sim_count(sim, name);
					r = R_ERROR;
					break;
				}
			} else if (*p == '\0') {
				c.type = T_EXEC;
			} else {
				r = R_ERROR;
				break;
			}
			p = end;
			sim_count(sim, name);
			r = dispatch_ext(sim, name, &c);
		} else {
			char letter;

			if (*p == '&')
				name[n++] = *p++;
			letter = (char) toupper((unsigned char) *p);
			if (!isalpha((unsigned char) letter)) {
				r = R_ERROR;
				break;
			}
			name[n++] = letter;
			name[n] = '\0';
			p++;
			if (letter == 'S') {
				/* S-register: Sn=v or Sn? - accept. */
				while (*p && *p != ';' &&
						!isalpha((unsigned char) *p))
					p++;
			}
			c.value = 0;
			while (isdigit((unsigned char) *p))
				c.value = c.value * 10 + (*p++ - '0');
			sim_count(sim, name);
			r = basic(sim, letter, &c);
		}
	}
	final(sim, r);
}

static void run_line(struct sim *sim, char *line)
{
	struct sim_chunk *mark;
	char *p;

	/* Garbage before the command (line noise, a half-sent command) is
	 * skipped up to the "AT" prefix; a line without one is ignored. */
	for (p = line; *p; p++)
		if (toupper((unsigned char) p[0]) == 'A' &&
				toupper((unsigned char) p[1]) == 'T')
			break;
	if (!*p) {
		if (line[0])
			sim_count(sim, "junk-line");
		return;
	}
	sim->resp_at = sim_now_us() + sim_fault_us(sim, SIM_FAULT_DELAY_MS);
	sim->post_deliver = false;
	sim->post_reboot = false;
	mark = sim->out_tail;
	before_response(sim);
	exec_line(sim, p + 2);
	if (sim->fault[SIM_FAULT_TRUNCATE] > 0) {
		sim->fault[SIM_FAULT_TRUNCATE]--;
		sim_count(sim, "truncated");
		sim_out_truncate(sim, mark);
	}
	if (sim->post_deliver)
		sim_store_changed(sim);
	if (sim->post_reboot)
		sim_reboot(sim);
}

/* ---- the body after "> " ------------------------------------------------ */

static void send_status_report(
		struct sim *sim, const struct sms *sub, uint8_t mr)
{
	struct sms_status_report_opts o = {0};
	struct sms_pdu_out out;
	const char *why;
	time_t t = time(NULL);

	o.recipient = sub->addr.number;
	o.mr = mr;
	o.status = 0; /* delivered */
	if (sms_scts_from_epoch((int64_t) t, 0, &o.scts) < 0 ||
			sms_scts_from_epoch((int64_t) t, 0, &o.discharge) < 0)
		return;
	if (sms_encode_status_report(&o, &out, &why) != 1)
		return;
	sim_count(sim, "status-report");
	/*
	 * Stored (ds=2) or shown as +CDS (ds=1): either way it goes through
	 * the network queue, so a +CDS waits while a +CMT or +CDS before it
	 * awaits its +CNMA (sim_deliver()).
	 */
	if (sim_netmsg_queue(sim, out.hex, (unsigned) out.tpdu_len, true) < 0)
		return;
	if (sim->fault[SIM_FAULT_SR_BEFORE_OK]) {
		uint64_t at = sim->resp_at;

		sim_deliver(sim);
		sim->resp_at = at; /* the OK keeps its own delay */
	} else {
		sim_timer_add(sim,
				sim->resp_at + sim_fault_us(sim,
							       SIM_FAULT_SR_DELAY_MS),
				SIM_T_RETRY, NULL, 0);
	}
}

/*
 * The network round trip of one AT+CMGS (0.2 s to 4 s on real modems): the
 * answer comes send-ms +- send-jitter later. Nothing else is answered
 * meanwhile (the driver waits for the final anyway); indications queue
 * behind it, as on a modem buffering URCs (+CNMI mode 2).
 */
static uint64_t send_time_us(struct sim *sim)
{
	long ms = sim->fault[SIM_FAULT_SEND_MS];
	long j = sim->fault[SIM_FAULT_SEND_JITTER_MS];

	if (j > 0) {
		sim->rng ^= sim->rng << 13;
		sim->rng ^= sim->rng >> 17;
		sim->rng ^= sim->rng << 5;
		ms += (long) (sim->rng % (uint32_t) (2 * j + 1)) - j;
	}
	return ms > 0 ? (uint64_t) ms * 1000u : 0;
}

/* A message goes out: MR assigned, faults applied, logged. */
static void submit(struct sim *sim, struct sim_sent *e, const struct sms *dec)
{
	bool err_after;
	uint8_t mr;

	sim->resp_at += send_time_us(sim);
	if (sim->fault[SIM_FAULT_SEND_MS] > 0)
		sim_count(sim, "send-delayed");

	if (sim->fault[SIM_FAULT_CMS_COUNT] > 0) {
		sim->fault[SIM_FAULT_CMS_COUNT]--;
		sim_count(sim, "cms-injected");
		final(sim, CMS((int) sim->fault[SIM_FAULT_CMS_CODE]));
		return;
	}
	/* TP-MR is one octet and wraps from 255 to 0 (TS 23.040 §9.2.3.6). */
	mr = (uint8_t) sim->next_mr;
	sim->next_mr = (sim->next_mr + 1) & 0xff;
	e->mr = mr;
	err_after = sim->fault[SIM_FAULT_ERROR_AFTER_SEND] > 0;
	e->error_reply = err_after;
	sim_sent_add(sim, e);
	sim_urc_point(sim, SIM_URC_BEFORE_CMGS);
	if (err_after) {
		sim->fault[SIM_FAULT_ERROR_AFTER_SEND]--;
		sim_count(sim, "error-after-send");
		final(sim, R_ERROR);
	} else {
		sim_line(sim, "+CMGS: %u", mr);
	}
	if (dec && dec->srr && sim->fault[SIM_FAULT_STATUS_REPORTS] &&
			sim->cnmi_ds)
		send_status_report(sim, dec, mr);
	if (!err_after)
		final(sim, R_OK);
}

/*
 * AT+CMGW: keep the PDU in <mem2> as STO UNSENT (TS 27.005 §3.5.3);
 * a full store answers +CMS ERROR: 322 (memory full, §3.2.5).
 */
static void write_to_store(struct sim *sim, const char *hex, unsigned len,
		const struct sms *dec)
{
	struct sim_store *st = sim->mem[1];
	struct sim_slot *s;
	unsigned i;

	for (i = 0; i < st->capacity; i++)
		if (!st->slots[i].used)
			break;
	if (i == st->capacity) {
		sim_count(sim, "cmgw-full");
		final(sim, CMS(322));
		return;
	}
	s = &st->slots[i];
	s->pdu = strdup(hex);
	s->text = strdup(dec->text);
	if (!s->pdu || !s->text) {
		slot_free(s);
		final(sim, CMS(500));
		return;
	}
	s->used = true;
	s->stat = 2; /* STO UNSENT */
	s->hdr_len = len;
	snprintf(s->sender, sizeof(s->sender), "%s", dec->addr.number);
	s->scts[0] = '\0';
	sim_line(sim, "+CMGW: %u", i + sim->index_base);
	final(sim, R_OK);
}

static void pdu_done(struct sim *sim)
{
	struct sim_sent e = {0};
	struct sms dec;
	const char *why;
	char *hex = sim->pdu_in;
	size_t len;
	unsigned sca;
	int r;

	sim->mode = SIM_MODE_CMD;
	sim->resp_at = sim_now_us() + sim_fault_us(sim, SIM_FAULT_DELAY_MS);
	sim->post_deliver = false;
	sim->pdu_in[sim->pdu_len] = '\0';
	while (*hex == ' ')
		hex++;
	len = strlen(hex);
	while (len && hex[len - 1] == ' ')
		hex[--len] = '\0';
	if (sim->pdu_overflow || len < 2 || len % 2 ||
			sscanf(hex, "%2x", &sca) != 1) {
		sim_count(sim, "cmgs-bad-pdu");
		final(sim, CMS(304));
		return;
	}
	/* The <length> given to AT+CMGS must match the TPDU. */
	if (len / 2 != sca + 1 + sim->cmgs_len) {
		sim_count(sim, "cmgs-bad-length");
		final(sim, R_ERROR);
		return;
	}
	r = sms_decode_hex(hex, len, 0, &dec, &why);
	if (r < 0 || (dec.type != SMS_TYPE_SUBMIT && !sim->cmgw)) {
		sim_count(sim, "cmgs-bad-pdu");
		final(sim, CMS(304));
		return;
	}
	if (sim->cmgw) {
		write_to_store(sim, hex, sim->cmgs_len, &dec);
		return;
	}
	snprintf(e.to, sizeof(e.to), "%s", dec.addr.number);
	snprintf(e.text, sizeof(e.text), "%s", dec.text);
	snprintf(e.pdu, sizeof(e.pdu), "%s", hex);
	e.charset = dec.dcs.charset;
	e.srr = dec.srr;
	e.seq = e.total = 1;
	if (dec.udh.has_concat) {
		e.seq = dec.udh.concat_seq;
		e.total = dec.udh.concat_total;
		e.ref = dec.udh.concat_ref;
		e.ref16 = dec.udh.concat_16bit;
	}
	submit(sim, &e, &dec);
}

static void text_done(struct sim *sim)
{
	struct sim_sent e = {0};
	size_t len;

	sim->mode = SIM_MODE_CMD;
	sim->resp_at = sim_now_us() + sim_fault_us(sim, SIM_FAULT_DELAY_MS);
	sim->pdu_in[sim->pdu_len] = '\0';
	snprintf(e.to, sizeof(e.to), "%s", sim->cmgs_da);
	len = sim->pdu_len < sizeof(e.text) - 1 ? sim->pdu_len
						: sizeof(e.text) - 1;
	memcpy(e.text, sim->pdu_in, len);
	e.text[len] = '\0';
	e.charset = SMS_CHARSET_GSM7;
	e.seq = e.total = 1;
	e.text_mode = true;
	submit(sim, &e, NULL);
}

void sim_input(struct sim *sim, const uint8_t *buf, size_t len)
{
	uint64_t now = sim_now_us();
	size_t i;

	for (i = 0; i < len && sim->master >= 0; i++) {
		uint8_t b = buf[i];

		if (now < sim->silent_until || sim->booting) {
			sim_count(sim, "ignored-bytes");
			continue;
		}
		if (sim->echo) {
			uint8_t e = b;

			/* Garbled echo: what a modem without RTS/CTS may
			 * send back (every third byte lost to noise). */
			if (sim->fault[SIM_FAULT_GARBLE_ECHO] > 0 &&
					sim->mode == SIM_MODE_CMD &&
					b != '\r' && ++sim->echo_count % 3 == 0)
				e = '~';
			sim_out_at(sim, now, &e, 1);
		}
		if (sim->mode != SIM_MODE_CMD) {
			if (b == 0x1a) {
				if (sim->mode == SIM_MODE_PDU)
					pdu_done(sim);
				else
					text_done(sim);
				if (sim->post_deliver)
					sim_store_changed(sim);
			} else if (b == 0x1b) {
				/* ESC cancels the message (27.005 §3.5.1). */
				sim->mode = SIM_MODE_CMD;
				sim->resp_at = now;
				sim_count(sim, "cmgs-aborted");
				final(sim, R_OK);
			} else if (b == '\r' && sim->mode == SIM_MODE_TEXT) {
				if (sim->pdu_len < SIM_PDU_IN_MAX - 1)
					sim->pdu_in[sim->pdu_len++] = '\n';
				sim->resp_at = now;
				sim_out_str(sim, "\r\n> ");
			} else if (b == '\r' || b == '\n') {
				continue;
			} else if (sim->pdu_len < SIM_PDU_IN_MAX - 1) {
				sim->pdu_in[sim->pdu_len++] = (char) b;
			} else {
				sim->pdu_overflow = true;
			}
			continue;
		}
		if (b == '\r') {
			if (sim->fault[SIM_FAULT_GARBLE_ECHO] > 0 &&
					sim->echo_count) {
				sim->fault[SIM_FAULT_GARBLE_ECHO]--;
				sim_count(sim, "garbled-echo");
			}
			sim->echo_count = 0;
			sim->lin[sim->lin_len] = '\0';
			if (!sim->lin_overflow)
				run_line(sim, sim->lin);
			else
				sim_count(sim, "line-too-long");
			sim->lin_len = 0;
			sim->lin_overflow = false;
		} else if (b == '\n' || b == '\0') {
			continue;
		} else if (b == 0x08 || b == 0x7f) {
			if (sim->lin_len)
				sim->lin_len--;
		} else if (sim->lin_len < SIM_LINE_MAX - 1) {
			sim->lin[sim->lin_len++] = (char) b;
		} else {
			sim->lin_overflow = true;
		}
	}
}
