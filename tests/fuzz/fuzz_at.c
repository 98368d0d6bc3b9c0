// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the AT engine: arbitrary bytes go through the
 * framer, through a channel with commands queued (prompt command, +CMGR
 * listing, wildcard, USSD) and URC handlers, with the clock driven by the
 * input; every line the framer yields is also given to every pure parser.
 *
 * Input layout: byte 0 selects options; the rest is split at 0xFF bytes:
 * each chunk is fed, then the clock advances by (chunk length * 97) ms.
 */
#include "modem/at_chan.h"
#include "modem/at_error.h"
#include "modem/at_lexer.h"
#include "modem/at_result.h"
#include "modem/modem_parse.h"
#include "modem/ussd.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ssize_t sink_write(const uint8_t *buf, size_t len, void *ud)
{
	size_t *budget = ud;

	(void) buf;
	/* Accept a varying amount to exercise partial writes. */
	if (*budget == 0)
		return 0;
	if (len > *budget)
		len = *budget;
	*budget -= len > 1 ? len / 2 : len;
	return (ssize_t) (len > 1 ? len / 2 : len);
}

static void parse_all(const char *line)
{
	struct modem_cmti cmti;
	struct modem_cmt cmt;
	struct modem_msg_hdr hdr;
	struct modem_csq csq;
	struct modem_reg reg;
	struct modem_cops cops;
	struct modem_cpms cpms;
	struct modem_cnmi_caps cnmi;
	static struct modem_cusd cusd;
	struct modem_csms csms;
	struct at_error err;
	struct at_iter it;
	enum modem_pin pin;
	char id[MODEM_ID_MAX], num[MODEM_NUMBER_MAX], buf[64];
	uint8_t hex[64];
	size_t hl;
	long v, lo, hi;
	unsigned long uv;
	int i;

	modem_parse_cmti(line, &cmti, NULL);
	modem_parse_cdsi(line, &cmti, NULL);
	modem_parse_cmt(line, &cmt, NULL);
	modem_parse_cds(line, &i, NULL);
	modem_parse_cmgr(line, &hdr, NULL);
	modem_parse_cmgl(line, &hdr, NULL);
	modem_parse_cmgs(line, &i, NULL);
	modem_parse_cmgw(line, &i, NULL);
	modem_parse_csq(line, &csq, NULL);
	modem_parse_creg(line, MODEM_REG_AUTO, &reg, NULL);
	modem_parse_creg(line, MODEM_REG_URC, &reg, NULL);
	modem_parse_creg(line, MODEM_REG_SOLICITED, &reg, NULL);
	modem_parse_cops(line, &cops, NULL);
	modem_parse_cpms(line, &cpms, NULL);
	modem_parse_cnmi_caps(line, &cnmi, NULL);
	modem_parse_cpin(line, &pin, NULL);
	if (modem_parse_cusd(line, &cusd, NULL) == 0) {
		static char txt[4 * MODEM_USSD_MAX];

		for (int m = 0; m < 3; m++)
			ussd_decode(cusd.str, cusd.dcs, (enum ussd_mode) m, txt,
					sizeof(txt), NULL);
	}
	modem_parse_cimi(line, id, NULL);
	modem_parse_ccid(line, id, NULL);
	modem_parse_csca(line, num, &i, NULL);
	modem_parse_cmee(line, &i, NULL);
	modem_parse_csms(line, &csms, NULL);
	at_error_classify(line, AT_CLASSIFY_NUMERIC, &err);
	/* Generic iterator walk, all field kinds, lists. */
	if (at_iter_init(&it, line, NULL) == 0) {
		for (int k = 0; k < 64 && !at_iter_at_end(&it); k++) {
			switch (k % 7) {
			case 0:
				at_iter_next_number(&it, &v);
				break;
			case 1:
				at_iter_next_string(&it, buf, sizeof(buf));
				break;
			case 2:
				at_iter_next_hexstring(
						&it, hex, sizeof(hex), &hl);
				break;
			case 3:
				if (at_iter_open_list(&it) == 0) {
					at_iter_next_range(&it, &lo, &hi);
					at_iter_close_list(&it);
				}
				break;
			case 4:
				at_iter_next_hexnum(&it, &uv);
				break;
			case 5:
				at_iter_next_unquoted(&it, buf, sizeof(buf));
				break;
			default:
				at_iter_skip(&it);
				break;
			}
		}
	}
}

static void dbg(const char *msg, void *ud)
{
	(void) ud;
	(void) strlen(msg);
}

static void ev(enum at_event e, const char *line, void *ud)
{
	(void) e;
	(void) ud;
	if (line)
		parse_all(line);
}

static int lex_cb(enum at_token tok, const char *text, size_t len, void *ud)
{
	(void) tok;
	(void) len;
	(void) ud;
	parse_all(text);
	return 0;
}

/*
 * Invariants: a command's callback runs at most once, its destroy exactly
 * once (checked by the outstanding count after at_chan_free() and by ASan
 * for double frees).
 */
static long outstanding;

struct tag {
	int called;
};

static void tag_destroy(void *ud)
{
	outstanding--;
	free(ud);
}

static void done(const struct at_error *err, const struct at_result *res,
		void *ud)
{
	struct tag *t = ud;

	(void) err;
	if (t && t->called++)
		abort();
	for (size_t i = 0; i < at_result_count(res); i++)
		parse_all(at_result_line(res, i, NULL));
}

static int send_tagged(struct at_chan *c, const struct at_cmd_desc *d)
{
	struct tag *t = calloc(1, sizeof(*t));
	int id;

	if (!t)
		return -1;
	outstanding++;
	id = at_chan_send(c, d, done, t, tag_destroy);
	if (id < 0) {
		outstanding--;
		free(t);
	}
	return id;
}

static void urc(const char *line, const char *pdu, void *ud)
{
	struct at_chan *c = ud;
	static const char *const p[] = {"+CMGR:", NULL};
	struct at_cmd_desc d = {
			.cmd = "AT+CMGR=1", .prefixes = p, .data_lines = true};

	(void) pdu;
	parse_all(line);
	/* Re-entrancy: send from a URC handler. */
	if (line[0] == '+' && line[1] == 'C' && line[2] == 'M')
		send_tagged(c, &d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const p_cmgs[] = {"+CMGS:", NULL};
	static const char *const p_cmgl[] = {"+CMGL:", NULL};
	static const char *const p_any[] = {"", NULL};
	static const char *const p_cusd[] = {"+CUSD:", NULL};
	struct at_cmd_desc d[] = {
			{.cmd = "AT+CMGS=23",
					.prefixes = p_cmgs,
					.payload = "0011",
					.timeout_ms = 2000,
					.prompt_timeout_ms = 500},
			{.cmd = "AT+CMGL=4",
					.prefixes = p_cmgl,
					.timeout_ms = 900},
			{.cmd = "AT+CIMI", .prefixes = p_any},
			{.cmd = "AT+CUSD=1,\"*100#\",15", .prefixes = p_cusd},
	};
	struct at_chan_config cfg = {.quiet_ms = 50, .line_max = 256};
	size_t budget = 1 << 20;
	struct at_lexer *lx;
	struct at_chan *c;
	uint64_t now = 0;
	size_t i, start;
	int ids[4];

	if (size < 1)
		return 0;
	cfg.write = sink_write;
	cfg.write_data = &budget;
	cfg.numeric_results = data[0] & 1;
	cfg.max_timeouts = 1 + (data[0] >> 1 & 3);
	c = at_chan_new(&cfg);
	lx = at_lexer_new(128, lex_cb, NULL);
	if (!c || !lx)
		goto out;
	at_chan_set_debug(c, dbg, NULL);
	at_chan_set_event_cb(c, ev, NULL);
	at_chan_register_urc(c, "+CMTI:", false, urc, c, NULL);
	at_chan_register_urc(c, "+CMT:", true, urc, c, NULL);
	at_chan_register_urc(c, "+CDS:", true, urc, c, NULL);
	at_chan_register_urc(c, "+CUSD:", false, urc, c, NULL);
	at_chan_register_urc(c, "RING", false, urc, c, NULL);
	for (i = 0; i < 4; i++)
		ids[i] = send_tagged(c, &d[(i + data[0]) % 4]);
	if (data[0] & 0x80)
		at_chan_cancel(c, ids[1]);
	start = 1;
	for (i = 1; i <= size; i++) {
		if (i < size && data[i] != 0xff)
			continue;
		at_lexer_feed(lx, data + start, i - start);
		at_chan_feed(c, data + start, i - start, now);
		now += (i - start) * 97;
		budget += 7;
		at_chan_writable(c, now);
		at_chan_tick(c, now);
		if (at_chan_get_state(c) == AT_STATE_DEAD)
			at_chan_reset(c, now);
		if (at_chan_pending(c) < 2)
			send_tagged(c, &d[i % 4]);
		start = i + 1;
	}
	(void) at_chan_next_deadline(c);
out:
	at_lexer_free(lx);
	at_chan_free(c);
	if (outstanding != 0)
		abort(); /* a destroy notify was lost or doubled */
	return 0;
}
