// SPDX-License-Identifier: MIT
/*
 * Final result classification. Tables transcribed from 3GPP TS 27.005
 * §3.2.5 (CMS) and TS 27.007 §9.2 (CME); vendor forms from MODEM-QUIRKS.md.
 */
#include "modem/at_error.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct code_text {
	int code;
	const char *text;
};

/* TS 27.005 §3.2.5 and TS 24.011 annex E-2 (RP causes 0..127). */
static const struct code_text cms_table[] = {
		{1, "unassigned (unallocated) number"},
		{8, "operator determined barring"},
		{10, "call barred"},
		{21, "short message transfer rejected"},
		{27, "destination out of service"},
		{28, "unidentified subscriber"},
		{29, "facility rejected"},
		{30, "unknown subscriber"},
		{38, "network out of order"},
		{41, "temporary failure"},
		{42, "congestion"},
		{47, "resources unavailable, unspecified"},
		{50, "requested facility not subscribed"},
		{69, "requested facility not implemented"},
		{81, "invalid short message transfer reference value"},
		{95, "invalid message, unspecified"},
		{96, "invalid mandatory information"},
		{97, "message type non-existent or not implemented"},
		{98, "message not compatible with short message protocol "
		     "state"},
		{99, "information element non-existent or not implemented"},
		{111, "protocol error, unspecified"},
		{127, "interworking, unspecified"},
		{128, "telematic interworking not supported"},
		{129, "short message type 0 not supported"},
		{130, "cannot replace short message"},
		{143, "unspecified TP-PID error"},
		{144, "data coding scheme (alphabet) not supported"},
		{145, "message class not supported"},
		{159, "unspecified TP-DCS error"},
		{160, "command cannot be actioned"},
		{161, "command unsupported"},
		{175, "unspecified TP-Command error"},
		{176, "TPDU not supported"},
		{192, "SC busy"},
		{193, "no SC subscription"},
		{194, "SC system failure"},
		{195, "invalid SME address"},
		{196, "destination SME barred"},
		{197, "SM rejected-duplicate SM"},
		{198, "TP-VPF not supported"},
		{199, "TP-VP not supported"},
		{208, "D0 SIM SMS storage full"},
		{209, "no SMS storage capability in SIM"},
		{210, "error in MS"},
		{211, "memory capacity exceeded"},
		{212, "SIM application toolkit busy"},
		{213, "SIM data download error"},
		{255, "unspecified error cause"},
		{300, "ME failure"},
		{301, "SMS service of ME reserved"},
		{302, "operation not allowed"},
		{303, "operation not supported"},
		{304, "invalid PDU mode parameter"},
		{305, "invalid text mode parameter"},
		{310, "SIM not inserted"},
		{311, "SIM PIN required"},
		{312, "PH-SIM PIN required"},
		{313, "SIM failure"},
		{314, "SIM busy"},
		{315, "SIM wrong"},
		{316, "SIM PUK required"},
		{317, "SIM PIN2 required"},
		{318, "SIM PUK2 required"},
		{320, "memory failure"},
		{321, "invalid memory index"},
		{322, "memory full"},
		{330, "SMSC address unknown"},
		{331, "no network service"},
		{332, "network timeout"},
		{340, "no +CNMA acknowledgement expected"},
		{500, "unknown error"},
		{512, "manufacturer specific (SIMCom: collision with incoming "
		      "SMS)"},
		{532, "SIM not ready (Siemens)"},
};

/* TS 27.007 §9.2.1 / §9.2.2. */
static const struct code_text cme_table[] = {
		{0, "phone failure"},
		{1, "no connection to phone"},
		{2, "phone-adaptor link reserved"},
		{3, "operation not allowed"},
		{4, "operation not supported"},
		{5, "PH-SIM PIN required"},
		{6, "PH-FSIM PIN required"},
		{7, "PH-FSIM PUK required"},
		{10, "SIM not inserted"},
		{11, "SIM PIN required"},
		{12, "SIM PUK required"},
		{13, "SIM failure"},
		{14, "SIM busy"},
		{15, "SIM wrong"},
		{16, "incorrect password"},
		{17, "SIM PIN2 required"},
		{18, "SIM PUK2 required"},
		{20, "memory full"},
		{21, "invalid index"},
		{22, "not found"},
		{23, "memory failure"},
		{24, "text string too long"},
		{25, "invalid characters in text string"},
		{26, "dial string too long"},
		{27, "invalid characters in dial string"},
		{30, "no network service"},
		{31, "network timeout"},
		{32, "network not allowed - emergency calls only"},
		{40, "network personalization PIN required"},
		{41, "network personalization PUK required"},
		{100, "unknown"},
		{258, "phone busy (Siemens)"},
};

static const char *lookup(const struct code_text *t, size_t n, int code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].text;
	return NULL;
}

static int rlookup(const struct code_text *t, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(t[i].text, text) == 0)
			return t[i].code;
	return -1;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *at_cms_error_str(int code)
{
	const char *s = lookup(cms_table, N(cms_table), code);

	if (s)
		return s;
	if (code >= 512)
		return "manufacturer specific";
	return "unknown CMS error";
}

const char *at_cme_error_str(int code)
{
	const char *s = lookup(cme_table, N(cme_table), code);

	if (s)
		return s;
	if (code >= 256)
		return "manufacturer specific";
	return "unknown CME error";
}

const char *at_error_type_str(enum at_error_type type)
{
	switch (type) {
	case AT_ERR_NONE:
		return "ok";
	case AT_ERR_ERROR:
		return "ERROR";
	case AT_ERR_CME:
		return "+CME ERROR";
	case AT_ERR_CMS:
		return "+CMS ERROR";
	case AT_ERR_NO_CARRIER:
		return "NO CARRIER";
	case AT_ERR_BUSY:
		return "BUSY";
	case AT_ERR_NO_ANSWER:
		return "NO ANSWER";
	case AT_ERR_NO_DIALTONE:
		return "NO DIALTONE";
	case AT_ERR_NOT_SUPPORTED:
		return "COMMAND NOT SUPPORT";
	case AT_ERR_VENDOR:
		return "vendor error";
	case AT_ERR_TIMEOUT:
		return "timeout";
	case AT_ERR_CANCELED:
		return "canceled";
	case AT_ERR_IO:
		return "channel dead";
	case AT_ERR_NO_PROMPT:
		return "no prompt";
	}
	return "?";
}

/*
 * Parse the argument of "+CME ERROR: " / "+CMS ERROR: ": a decimal number
 * (possibly negative, Samsung "-1" = empty slot) or a verbose text.
 */
static int error_code(const char *arg, const struct code_text *t, size_t n)
{
	char *end;
	long v;

	while (*arg == ' ')
		arg++;
	if (*arg == '\0')
		return -1;
	if (isdigit((unsigned char) *arg) ||
			(*arg == '-' && isdigit((unsigned char) arg[1]))) {
		v = strtol(arg, &end, 10);
		while (*end == ' ')
			end++;
		if (*end == '\0' && v >= -1 && v <= 65535)
			return (int) v;
		return -1;
	}
	return rlookup(t, n, arg);
}

struct final_word {
	const char *text;
	enum at_final kind;
	enum at_error_type type;
	char numeric; /* V0 code, 0 if none */
};

/* Whole-line matches (TS 27.007 §5.7.1 table 1 plus vendor forms). */
static const struct final_word whole[] = {
		{"OK", AT_FINAL_OK, AT_ERR_NONE, '0'},
		{"CONNECT", AT_FINAL_CONNECT, AT_ERR_NONE, '1'},
		{"NO CARRIER", AT_FINAL_ERROR, AT_ERR_NO_CARRIER, '3'},
		{"ERROR", AT_FINAL_ERROR, AT_ERR_ERROR, '4'},
		{"NO DIALTONE", AT_FINAL_ERROR, AT_ERR_NO_DIALTONE, '6'},
		{"BUSY", AT_FINAL_ERROR, AT_ERR_BUSY, '7'},
		{"NO ANSWER", AT_FINAL_ERROR, AT_ERR_NO_ANSWER, '8'},
		{"COMMAND NOT SUPPORT", AT_FINAL_ERROR, AT_ERR_NOT_SUPPORTED,
				0},
		{"NA", AT_FINAL_ERROR, AT_ERR_VENDOR, 0},
};

static void fill(struct at_error *e, enum at_error_type type, int code,
		const char *line)
{
	if (!e)
		return;
	e->type = type;
	e->code = code;
	e->line = line;
	e->payload_sent = false;
}

enum at_final at_error_classify(
		const char *line, unsigned flags, struct at_error *ret_err)
{
	size_t n = strlen(line);

	/* Tolerate trailing blanks some modems add ("OK "). */
	while (n > 0 && line[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < N(whole); i++) {
		if (strlen(whole[i].text) == n &&
				strncmp(line, whole[i].text, n) == 0) {
			fill(ret_err, whole[i].type, -1, line);
			return whole[i].kind;
		}
	}
	/* "CONNECT <rate>" (V.250 §6.2.x) is also a final. */
	if (strncmp(line, "CONNECT ", 8) == 0)
		return AT_FINAL_CONNECT;
	if (strncmp(line, "+CME ERROR:", 11) == 0) {
		fill(ret_err, AT_ERR_CME,
				error_code(line + 11, cme_table, N(cme_table)),
				line);
		return AT_FINAL_ERROR;
	}
	if (strncmp(line, "+CMS ERROR:", 11) == 0) {
		fill(ret_err, AT_ERR_CMS,
				error_code(line + 11, cms_table, N(cms_table)),
				line);
		return AT_FINAL_ERROR;
	}
	if (strncmp(line, "MODEM ERROR:", 12) == 0) {
		fill(ret_err, AT_ERR_VENDOR, error_code(line + 12, NULL, 0),
				line);
		return AT_FINAL_ERROR;
	}
	if ((flags & AT_CLASSIFY_NUMERIC) && n == 1) {
		for (size_t i = 0; i < N(whole); i++) {
			if (whole[i].numeric && whole[i].numeric == line[0]) {
				fill(ret_err, whole[i].type, -1, line);
				return whole[i].kind;
			}
		}
	}
	return AT_FINAL_NONE;
}

static bool in_list(const int *l, size_t n, int code)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == code)
			return true;
	return false;
}

/* TS 24.011 E-2: "temporary" causes; 27.005: 331/332; SIM busy codes. */
static const int cms_transient[] = {38, 41, 42, 47, 111, 314, 331, 332, 532};
static const int cms_permanent[] = {
		1,
		8,
		10,
		21,
		27,
		28,
		29,
		30,
		50,
		69,
		96,
		97,
		144,
		145,
		195,
		196,
		300,
		301,
		302,
		303,
		304,
		305,
		310,
		311,
		312,
		313,
		315,
		316,
		317,
		318,
		321,
		330,
		500,
};
static const int cme_transient[] = {14, 30, 31, 100, 258};
static const int cme_permanent[] = {
		3,
		4,
		5,
		10,
		11,
		12,
		13,
		15,
		16,
		17,
		18,
		24,
		25,
		26,
		27,
		32,
};

enum at_retry at_error_retry_class(const struct at_error *err)
{
	if (!err)
		return AT_RETRY_UNKNOWN;
	switch (err->type) {
	case AT_ERR_TIMEOUT:
	case AT_ERR_IO:
		return AT_RETRY_TRANSIENT;
	case AT_ERR_NOT_SUPPORTED:
		return AT_RETRY_PERMANENT;
	case AT_ERR_CMS:
		if (in_list(cms_transient, N(cms_transient), err->code))
			return AT_RETRY_TRANSIENT;
		if (in_list(cms_permanent, N(cms_permanent), err->code))
			return AT_RETRY_PERMANENT;
		if (err->code >= 512)
			return AT_RETRY_TRANSIENT;
		return AT_RETRY_UNKNOWN;
	case AT_ERR_CME:
		if (in_list(cme_transient, N(cme_transient), err->code))
			return AT_RETRY_TRANSIENT;
		if (in_list(cme_permanent, N(cme_permanent), err->code))
			return AT_RETRY_PERMANENT;
		if (err->code >= 512)
			return AT_RETRY_TRANSIENT;
		return AT_RETRY_UNKNOWN;
	default:
		return AT_RETRY_UNKNOWN;
	}
}

bool at_error_is_transient(const struct at_error *err)
{
	return at_error_retry_class(err) == AT_RETRY_TRANSIENT;
}

bool at_error_is_sim_busy(const struct at_error *err)
{
	if (!err)
		return false;
	if (err->type == AT_ERR_CME)
		return err->code == 14;
	if (err->type == AT_ERR_CMS)
		return err->code == 314 || err->code == 532;
	return false;
}
