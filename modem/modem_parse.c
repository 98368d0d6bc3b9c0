// SPDX-License-Identifier: MIT
/*
 * Pure parsers of modem response lines. Field syntax per 3GPP TS 27.005 and
 * TS 27.007; tolerated variants come from MODEM-QUIRKS.md and are covered
 * by tests/unit/check_modem_parse.c.
 */
#include "modem/modem_parse.h"
#include "modem/at_result.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(why)                                                              \
	do {                                                                   \
		if (ret_reason)                                                \
			*ret_reason = (why);                                   \
		return -EINVAL;                                                \
	} while (0)

static int num_in(struct at_iter *it, long lo, long hi, int *ret)
{
	long v;
	int r = at_iter_next_number(it, &v);

	if (r)
		return r;
	if (v < lo || v > hi)
		return -ERANGE;
	*ret = (int) v;
	return 0;
}

/* +CMTI / +CDSI: <mem>,<index>[,extra...] */
static int parse_store_index(const char *line, const char *prefix,
		struct modem_cmti *ret, const char **ret_reason)
{
	struct at_iter it;
	struct modem_cmti v;

	if (at_iter_init(&it, line, prefix))
		FAIL("wrong prefix");
	/* Stores are quoted per 27.005; some firmwares drop the quotes. */
	if (at_iter_next_text(&it, v.store, sizeof(v.store)) || !v.store[0])
		FAIL("bad or missing <mem>");
	if (num_in(&it, 0, 65535, &v.index))
		FAIL("bad or missing <index>");
	/* SIM900 "MMS PUSH",2,1 and the like: ignored on purpose. */
	*ret = v;
	return 0;
}

int modem_parse_cmti(const char *line, struct modem_cmti *ret,
		const char **ret_reason)
{
	return parse_store_index(line, "+CMTI:", ret, ret_reason);
}

int modem_parse_cdsi(const char *line, struct modem_cmti *ret,
		const char **ret_reason)
{
	return parse_store_index(line, "+CDSI:", ret, ret_reason);
}

/*
 * Optional alpha field: quoted string, or empty. Returns 0 (has alpha),
 * 1 (empty), -EINVAL.
 */
static int alpha_field(struct at_iter *it, char *buf, size_t size)
{
	int r;

	if (at_iter_next_is_quoted(it)) {
		r = at_iter_next_string(it, buf, size);
		if (r == -ENOSPC) {
			/* Long alpha: keep going without it. */
			at_iter_skip(it);
			buf[0] = '\0';
			return 0;
		}
		return r ? -EINVAL : 0;
	}
	r = at_iter_skip(it);
	buf[0] = '\0';
	return r ? -EINVAL : 1;
}

int modem_parse_cmt(const char *line, struct modem_cmt *ret,
		const char **ret_reason)
{
	struct at_iter it;
	struct modem_cmt v = {0};
	const char *comma;
	int r;

	if (at_iter_init(&it, line, "+CMT:"))
		FAIL("wrong prefix");
	comma = strchr(line, ',');
	if (comma) {
		r = alpha_field(&it, v.alpha, sizeof(v.alpha));
		if (r < 0)
			FAIL("bad <alpha>");
		v.has_alpha = r == 0;
	}
	if (num_in(&it, 0, 255, &v.length))
		FAIL("bad or missing <length>");
	if (!at_iter_at_end(&it))
		FAIL("text-mode +CMT or extra fields");
	*ret = v;
	return 0;
}

int modem_parse_cds(const char *line, int *ret_length, const char **ret_reason)
{
	struct at_iter it;
	int len;

	if (at_iter_init(&it, line, "+CDS:"))
		FAIL("wrong prefix");
	/* ZTE: "+CDS: ,<len>" with an empty leading field. */
	if (strchr(line, ',') && at_iter_skip(&it))
		FAIL("bad leading field");
	if (num_in(&it, 0, 255, &len))
		FAIL("bad or missing <length>");
	if (!at_iter_at_end(&it))
		FAIL("text-mode +CDS or extra fields");
	*ret_length = len;
	return 0;
}

static int msg_hdr(struct at_iter *it, struct modem_msg_hdr *v,
		const char **ret_reason)
{
	int r;

	if (num_in(it, 0, 4, &v->stat))
		FAIL("bad <stat> (text mode?)");
	r = alpha_field(it, v->alpha, sizeof(v->alpha));
	if (r < 0)
		FAIL("bad <alpha>");
	v->has_alpha = r == 0;
	if (num_in(it, 0, 255, &v->length))
		FAIL("bad or missing <length>");
	return 0;
}

int modem_parse_cmgr(const char *line, struct modem_msg_hdr *ret,
		const char **ret_reason)
{
	struct at_iter it;
	struct modem_msg_hdr v = {.index = -1};

	if (at_iter_init(&it, line, "+CMGR:"))
		FAIL("wrong prefix");
	if (msg_hdr(&it, &v, ret_reason))
		return -EINVAL;
	*ret = v;
	return 0;
}

int modem_parse_cmgl(const char *line, struct modem_msg_hdr *ret,
		const char **ret_reason)
{
	struct at_iter it;
	struct modem_msg_hdr v = {0};

	if (at_iter_init(&it, line, "+CMGL:"))
		FAIL("wrong prefix");
	if (num_in(&it, 0, 65535, &v.index))
		FAIL("bad <index>");
	if (msg_hdr(&it, &v, ret_reason))
		return -EINVAL;
	*ret = v;
	return 0;
}

int modem_parse_cmgs(const char *line, int *ret_mr, const char **ret_reason)
{
	struct at_iter it;
	int mr;

	if (at_iter_init(&it, line, "+CMGS:"))
		FAIL("wrong prefix");
	if (num_in(&it, 0, 255, &mr))
		FAIL("bad or missing <mr>");
	*ret_mr = mr;
	return 0;
}

int modem_parse_cmgw(const char *line, int *ret_index, const char **ret_reason)
{
	struct at_iter it;
	int idx;

	if (at_iter_init(&it, line, "+CMGW:"))
		FAIL("wrong prefix");
	if (num_in(&it, 0, 65535, &idx))
		FAIL("bad or missing <index>");
	*ret_index = idx;
	return 0;
}

int modem_parse_csq(const char *line, struct modem_csq *ret,
		const char **ret_reason)
{
	struct at_iter it;
	struct modem_csq v;

	if (at_iter_init(&it, line, "+CSQ:"))
		FAIL("wrong prefix");
	if (num_in(&it, 0, 99, &v.rssi) || (v.rssi > 31 && v.rssi != 99))
		FAIL("bad <rssi>");
	if (num_in(&it, 0, 99, &v.ber) || (v.ber > 7 && v.ber != 99))
		FAIL("bad <ber>");
	v.known = v.rssi != 99;
	v.dbm = v.known ? -113 + 2 * v.rssi : 0;
	*ret = v;
	return 0;
}

bool modem_reg_is_registered(int stat)
{
	return stat == 1 || stat == 5 || stat == 6 || stat == 7 || stat == 9 ||
	       stat == 10;
}

#define REG_MAXF 10

struct reg_field {
	const char *s, *e; /* trimmed, quotes included */
	bool quoted;
};

/*
 * Split into fields ourselves: registration lines need field counts and
 * quote shapes to tell the two forms apart, and must reject the broken
 * quote forms (MODEM-QUIRKS "Registration").
 */
static int reg_split(const char *p, struct reg_field *f, int max)
{
	int n = 0;

	while (*p == ' ')
		p++;
	if (*p == '\0')
		return 0;
	for (;;) {
		const char *s = p, *e;
		bool inq = false;

		for (; *p && (inq || *p != ','); p++)
			if (*p == '"')
				inq = !inq;
		if (inq)
			return -1; /* unterminated quote */
		e = p;
		while (s < e && *s == ' ')
			s++;
		while (e > s && e[-1] == ' ')
			e--;
		if (n == max)
			return -1;
		f[n].s = s;
		f[n].e = e;
		f[n].quoted = e - s >= 2 && *s == '"' && e[-1] == '"';
		if (!f[n].quoted && memchr(s, '"', (size_t) (e - s)))
			return -1; /* stray quote inside a field */
		n++;
		if (*p == '\0')
			break;
		p++;
	}
	return n;
}

static int f_dec(const struct reg_field *f, long lo, long hi, long *ret)
{
	long v = 0;
	const char *s = f->s;

	if (f->quoted || s == f->e)
		return -1;
	for (; s < f->e; s++) {
		if (!isdigit((unsigned char) *s) || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*ret = v;
	return 0;
}

/* Hex LAC/CI: quoted or not; empty ("" or nothing) → -1. */
static int f_hex(const struct reg_field *f, long *ret)
{
	const char *s = f->s, *e = f->e;
	long v = 0;

	if (f->quoted) {
		s++;
		e--;
	}
	if (s == e) {
		*ret = -1;
		return 0;
	}
	if (e - s > 8)
		return -1;
	for (; s < e; s++) {
		int d;

		if (!isxdigit((unsigned char) *s))
			return -1;
		d = isdigit((unsigned char) *s)
				    ? *s - '0'
				    : tolower((unsigned char) *s) - 'a' + 10;
		v = v * 16 + d;
	}
	*ret = v;
	return 0;
}

int modem_parse_creg(const char *line, enum modem_reg_form form,
		struct modem_reg *ret, const char **ret_reason)
{
	static const char *const pfx[] = {
			"+CREG:",
			"+CGREG:",
			"+CEREG:",
			"+C5GREG:",
			NULL,
	};
	struct reg_field f[REG_MAXF];
	struct modem_reg v = {
			.n = -1, .lac = -1, .ci = -1, .act = -1, .rac = -1};
	const char *p = NULL;
	long x;
	int nf, i = 0;
	bool urc;

	for (size_t k = 0; pfx[k]; k++)
		if (strncmp(line, pfx[k], strlen(pfx[k])) == 0)
			p = line + strlen(pfx[k]);
	if (!p)
		FAIL("wrong prefix");
	nf = reg_split(p, f, REG_MAXF);
	if (nf < 0)
		FAIL("mismatched quotes or too many fields");
	if (nf == 0)
		FAIL("no fields");
	switch (form) {
	case MODEM_REG_SOLICITED:
		urc = false;
		break;
	case MODEM_REG_URC:
		urc = true;
		break;
	default:
		/*
		 * URC: <stat>[,<lac>,<ci>[,<AcT>...]]; solicited:
		 * <n>,<stat>[,<lac>,<ci>...]. 1 or 3 fields: URC; 2: solicited;
		 * otherwise the second field tells: a quoted or non-decimal
		 * field there is a LAC, so the line is a URC.
		 */
		if (nf == 1 || nf == 3)
			urc = true;
		else if (nf == 2)
			urc = false;
		else
			urc = f[1].quoted || f_dec(&f[1], 0, 10, &x) != 0;
		break;
	}
	if (!urc) {
		if (f_dec(&f[i++], 0, 5, &x))
			FAIL("bad <n>");
		v.n = (int) x;
		if (i >= nf)
			FAIL("missing <stat>");
	}
	if (f_dec(&f[i++], 0, 11, &x))
		FAIL("bad <stat>");
	v.stat = (int) x;
	v.urc = urc;
	if (i < nf) {
		if (i + 1 >= nf)
			FAIL("<lac> without <ci>");
		if (f_hex(&f[i++], &v.lac))
			FAIL("bad <lac>/<tac>");
		if (f_hex(&f[i++], &v.ci))
			FAIL("bad <ci>");
	}
	if (i < nf) {
		/* AcT (27.007 §7.3: 0..13); Samsung puts hex junk here. */
		if (f_dec(&f[i], 0, 13, &x) == 0)
			v.act = (int) x;
		i++;
	}
	if (i < nf) {
		/* +CGREG RAC (hex); +CEREG cause type; vendor extras. */
		if (f_hex(&f[i], &x) == 0)
			v.rac = x;
	}
	*ret = v;
	return 0;
}

int modem_parse_cops(const char *line, struct modem_cops *ret,
		const char **ret_reason)
{
	struct at_iter it;
	struct modem_cops v = {.format = -1, .act = -1};
	int r;

	if (at_iter_init(&it, line, "+COPS:"))
		FAIL("wrong prefix");
	if (at_iter_next_is_quoted(&it) || (line[6] && strchr(line, '(')))
		FAIL("test-command reply, not a query reply");
	if (num_in(&it, 0, 4, &v.mode))
		FAIL("bad <mode>");
	if (at_iter_at_end(&it))
		goto out;
	if (num_in(&it, 0, 3, &v.format))
		FAIL("bad <format>");
	r = at_iter_next_text(&it, v.oper, sizeof(v.oper));
	if (r == -ENOSPC) {
		at_iter_skip(&it);
		v.oper[0] = '\0';
	} else if (r) {
		FAIL("bad <oper>");
	}
	if (!at_iter_at_end(&it)) {
		r = num_in(&it, 0, 13, &v.act);
		if (r && r != -ENODATA)
			FAIL("bad <AcT>");
	}
out:
	*ret = v;
	return 0;
}

int modem_parse_cpms(const char *line, struct modem_cpms *ret,
		const char **ret_reason)
{
	struct at_iter it;
	struct modem_cpms v = {0};
	bool named;

	if (at_iter_init(&it, line, "+CPMS:"))
		FAIL("wrong prefix");
	if (strchr(line, '('))
		FAIL("test-command reply, not a query reply");
	named = at_iter_next_is_quoted(&it);
	while (!at_iter_at_end(&it)) {
		if (v.n == 3) {
			/* Alcatel "SM_P","ME_P" extras: keep the first 3. */
			break;
		}
		if (named) {
			if (at_iter_next_text(&it, v.st[v.n].mem,
					    sizeof(v.st[v.n].mem)))
				FAIL("bad <mem>");
		}
		if (num_in(&it, 0, 65535, &v.st[v.n].used))
			FAIL("bad <used>");
		if (num_in(&it, 0, 65535, &v.st[v.n].total))
			FAIL("bad <total>");
		v.n++;
	}
	*ret = v;
	return 0;
}

static int mask_list(struct at_iter *it, unsigned *ret)
{
	unsigned m = 0;
	long lo, hi;
	int r;

	if (!at_iter_next_is_quoted(it) && at_iter_open_list(it) == 0) {
		while ((r = at_iter_next_range(it, &lo, &hi)) == 0) {
			if (hi > 31)
				return -EINVAL;
			for (long k = lo; k <= hi; k++)
				m |= 1u << k;
		}
		if (r != -ENOENT)
			return -EINVAL;
		if (at_iter_close_list(it))
			return -EINVAL;
	} else {
		/* A bare value "2" without parentheses. */
		r = at_iter_next_range(it, &lo, &hi);
		if (r || hi > 31)
			return -EINVAL;
		for (long k = lo; k <= hi; k++)
			m |= 1u << k;
	}
	*ret = m;
	return 0;
}

int modem_parse_cnmi_caps(const char *line, struct modem_cnmi_caps *ret,
		const char **ret_reason)
{
	struct at_iter it;
	struct modem_cnmi_caps v = {0};
	unsigned *slot[] = {&v.mode, &v.mt, &v.bm, &v.ds, &v.bfr};

	if (at_iter_init(&it, line, "+CNMI:"))
		FAIL("wrong prefix");
	while (!at_iter_at_end(&it) && v.n < 5) {
		if (mask_list(&it, slot[v.n]))
			FAIL("bad parameter list");
		v.n++;
	}
	if (v.n == 0)
		FAIL("no lists");
	*ret = v;
	return 0;
}

int modem_parse_cpin(
		const char *line, enum modem_pin *ret, const char **ret_reason)
{
	static const struct {
		const char *s;
		enum modem_pin p;
	} t[] = {
			{"READY", MODEM_PIN_READY},
			{"SIM PIN", MODEM_PIN_SIM_PIN},
			{"SIM PUK", MODEM_PIN_SIM_PUK},
			{"PH-SIM PIN", MODEM_PIN_PH_SIM_PIN},
			{"PH-SIM PUK", MODEM_PIN_PH_SIM_PUK},
			{"SIM PIN2", MODEM_PIN_SIM_PIN2},
			{"SIM PUK2", MODEM_PIN_SIM_PUK2},
			{"PH-NET PIN", MODEM_PIN_PH_NET_PIN},
	};
	struct at_iter it;
	char code[32];

	if (at_iter_init(&it, line, "+CPIN:"))
		FAIL("wrong prefix");
	if (at_iter_next_text(&it, code, sizeof(code)) || !code[0])
		FAIL("bad <code>");
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(code, t[i].s) == 0) {
			*ret = t[i].p;
			return 0;
		}
	}
	*ret = MODEM_PIN_OTHER;
	return 0;
}

int modem_parse_cusd(const char *line, struct modem_cusd *ret,
		const char **ret_reason)
{
	struct modem_cusd v = {.dcs = -1};
	const char *p;
	long x;
	struct at_iter it;
	int r;

	if (at_iter_init(&it, line, "+CUSD:"))
		FAIL("wrong prefix");
	if (num_in(&it, 0, 5, &v.m))
		FAIL("bad <m>");
	if (at_iter_at_end(&it))
		goto out;
	/*
	 * <str> may hold CR/LF and, unquoted (Huawei "+CUSD: 0, 49B4..."),
	 * no comma. Scan by hand: a quoted string ends at the LAST quote,
	 * because some networks put '"' inside the text.
	 */
	p = it.p;
	if (*p == '"') {
		const char *q = strrchr(p + 1, '"');
		size_t n;

		if (!q)
			FAIL("unterminated <str>");
		n = (size_t) (q - p - 1);
		if (n >= sizeof(v.str))
			FAIL("<str> too long");
		memcpy(v.str, p + 1, n);
		v.str[n] = '\0';
		v.quoted = true;
		v.has_str = true;
		p = q + 1;
	} else {
		const char *q = strrchr(p, ',');
		size_t n;

		q = q ? q : p + strlen(p);
		n = (size_t) (q - p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n >= sizeof(v.str))
			FAIL("<str> too long");
		memcpy(v.str, p, n);
		v.str[n] = '\0';
		v.has_str = n > 0;
		p = q;
	}
	while (*p == ' ')
		p++;
	if (*p == '\0')
		goto out;
	if (*p != ',')
		FAIL("junk after <str>");
	p++;
	if (at_iter_init(&it, p, NULL))
		FAIL("bad <dcs>");
	if (at_iter_at_end(&it))
		goto out;
	r = at_iter_next_number(&it, &x);
	if (r || x < 0 || x > 255 || !at_iter_at_end(&it))
		FAIL("bad <dcs>");
	v.dcs = (int) x;
out:
	*ret = v;
	return 0;
}

static int id_digits(const char *s, size_t min, size_t max, bool allow_f,
		char out[MODEM_ID_MAX])
{
	size_t n = 0;

	while (*s == ' ' || *s == '"')
		s++;
	for (; s[n] && s[n] != '"' && s[n] != ' '; n++) {
		if (isdigit((unsigned char) s[n]))
			continue;
		/* ICCID filler nibble / Luhn digit shown as F. */
		if (allow_f && (s[n] == 'F' || s[n] == 'f'))
			continue;
		return -1;
	}
	if (n < min || n > max || n >= MODEM_ID_MAX)
		return -1;
	for (const char *t = s + n; *t; t++)
		if (*t != '"' && *t != ' ')
			return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int modem_parse_cimi(const char *line, char ret_imsi[MODEM_ID_MAX],
		const char **ret_reason)
{
	char tmp[MODEM_ID_MAX];

	if (strncmp(line, "+CIMI:", 6) == 0) /* some Quectel firmwares */
		line += 6;
	if (id_digits(line, 6, 15, false, tmp))
		FAIL("not an IMSI (6..15 digits)");
	memcpy(ret_imsi, tmp, sizeof(tmp));
	return 0;
}

int modem_parse_ccid(const char *line, char ret_iccid[MODEM_ID_MAX],
		const char **ret_reason)
{
	static const char *const pfx[] = {
			"+CCID:",
			"^ICCID:",
			"+ICCID:",
			"+QCCID:",
			"^SCID:",
			NULL,
	};
	char tmp[MODEM_ID_MAX];

	for (size_t i = 0; pfx[i]; i++) {
		if (strncmp(line, pfx[i], strlen(pfx[i])) == 0) {
			line += strlen(pfx[i]);
			break;
		}
	}
	if (id_digits(line, 18, 22, true, tmp))
		FAIL("not an ICCID (18..22 digits)");
	/*
	 * Some Huawei firmwares report ^ICCID with each digit pair swapped
	 * (ModemManager list, "huawei: fix ^ICCID parsing", 2013-09): every
	 * ICCID starts with the ISO 7812 telecom MII 89, so "98" means
	 * swapped.
	 */
	if (tmp[0] == '9' && tmp[1] == '8') {
		size_t n = strlen(tmp);

		for (size_t i = 0; i + 1 < n; i += 2) {
			char t = tmp[i];

			tmp[i] = tmp[i + 1];
			tmp[i + 1] = t;
		}
	}
	memcpy(ret_iccid, tmp, sizeof(tmp));
	return 0;
}

int modem_parse_csca(const char *line, char ret_number[MODEM_NUMBER_MAX],
		int *ret_type, const char **ret_reason)
{
	struct at_iter it;
	char num[MODEM_NUMBER_MAX];
	int type = -1;

	if (at_iter_init(&it, line, "+CSCA:"))
		FAIL("wrong prefix");
	if (at_iter_next_string(&it, num, sizeof(num)))
		FAIL("bad <sca>");
	if (!at_iter_at_end(&it) && num_in(&it, 0, 255, &type))
		FAIL("bad <tosca>");
	memcpy(ret_number, num, sizeof(num));
	*ret_type = type;
	return 0;
}

int modem_parse_cmee(const char *line, int *ret_n, const char **ret_reason)
{
	struct at_iter it;
	int n;

	if (at_iter_init(&it, line, "+CMEE:"))
		FAIL("wrong prefix");
	if (num_in(&it, 0, 2, &n))
		FAIL("bad <n>");
	*ret_n = n;
	return 0;
}

int modem_parse_csms(const char *line, struct modem_csms *ret,
		const char **ret_reason)
{
	struct at_iter it;
	struct modem_csms v = {.service = -1};
	int f[4], n = 0;

	if (at_iter_init(&it, line, "+CSMS:"))
		FAIL("wrong prefix");
	while (!at_iter_at_end(&it) && n < 4)
		if (num_in(&it, 0, 255, &f[n++]))
			FAIL("bad field");
	if (!at_iter_at_end(&it) || n < 3)
		FAIL("wrong number of fields");
	if (n == 4)
		v.service = f[0];
	v.mt = f[n - 3];
	v.mo = f[n - 2];
	v.bm = f[n - 1];
	*ret = v;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Text mode and identities (moved from the driver). */

/* AT+CGSN: 14..17 digits (IMEI/IMEISV), maybe "+CGSN: " prefixed. */
int modem_parse_imei(const char *line, char ret_imei[MODEM_ID_MAX],
		const char **ret_reason)
{
	const char *p = line;
	size_t n = 0;

	if (strncmp(p, "+CGSN:", 6) == 0)
		p += 6;
	while (*p == ' ' || *p == '"')
		p++;
	while (p[n] >= '0' && p[n] <= '9')
		n++;
	if (n < 14 || n >= MODEM_ID_MAX)
		FAIL("not 14..17 digits");
	memcpy(ret_imei, p, n);
	ret_imei[n] = '\0';
	return 0;
}

/*
 * Text mode (AT+CMGF=1, TS 27.005 §4.1/§4.3): a header
 *   +CMGR: <stat>,<oa>,[<alpha>],<scts>
 *   +CMGL: <index>,<stat>,<oa>,[<alpha>],<scts>
 *   +CMT: <oa>,[<alpha>],<scts>
 * then the text line. The message is identified (for deletes and
 * duplicates) by a key made of sender, time stamp and text.
 */

static int text_stat(const char *s)
{
	static const char *const t[] = {
			"REC UNREAD", "REC READ", "STO UNSENT", "STO SENT"};
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, t[i]) == 0)
			return i;
	return -1;
}

/* "yy/MM/dd,hh:mm:ss±zz" (zone in quarter hours). */
bool modem_parse_text_scts(const char *s, struct sms_scts *ret)
{
	unsigned y, mo, d, h, mi, se, z = 0;
	char sign = '+';
	int n = sscanf(s, "%2u/%2u/%2u,%2u:%2u:%2u%c%2u", &y, &mo, &d, &h, &mi,
			&se, &sign, &z);

	if (n < 6 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
			mi > 59 || se > 59 || z > 79)
		return false;
	memset(ret, 0, sizeof(*ret));
	ret->year = (uint8_t) y;
	ret->month = (uint8_t) mo;
	ret->day = (uint8_t) d;
	ret->hour = (uint8_t) h;
	ret->minute = (uint8_t) mi;
	ret->second = (uint8_t) se;
	ret->tz_quarters = (int8_t) (sign == '-' ? -(int) z : (int) z);
	return true;
}

/* @prefix: "+CMGR:", "+CMGL:" or "+CMT:". Returns 0 or -EINVAL. */
int modem_parse_text(const char *line, const char *prefix, const char *text,
		struct modem_text_msg *ret)
{
	struct at_iter it;
	char st[24];
	long idx = -1;
	size_t n;

	memset(ret, 0, sizeof(*ret));
	ret->stat = -1;
	if (at_iter_init(&it, line, prefix) < 0)
		return -EINVAL;
	if (strcmp(prefix, "+CMGL:") == 0 && at_iter_next_number(&it, &idx) < 0)
		return -EINVAL;
	if (strcmp(prefix, "+CMT:") != 0) {
		if (at_iter_next_text(&it, st, sizeof(st)) < 0)
			return -EINVAL;
		ret->stat = text_stat(st);
	}
	if (at_iter_next_string(&it, ret->sender, sizeof(ret->sender)) < 0)
		return -EINVAL;
	(void) at_iter_skip(&it); /* <alpha> */
	if (at_iter_next_string(&it, ret->scts_str, sizeof(ret->scts_str)) == 0)
		ret->has_scts = modem_parse_text_scts(
				ret->scts_str, &ret->scts);
	ret->index = (int) idx;
	ret->text = text ? text : "";
	n = strlen(ret->sender) + strlen(ret->scts_str) + strlen(ret->text) + 8;
	ret->key = malloc(n);
	if (!ret->key)
		return -ENOMEM;
	snprintf(ret->key, n, "T|%s|%s|%s", ret->sender, ret->scts_str,
			ret->text);
	return 0;
}
