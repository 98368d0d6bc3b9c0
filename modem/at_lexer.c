// SPDX-License-Identifier: MIT
/*
 * AT response framer. States: between lines, in a line, in a quoted string
 * inside a line, skipping an overlong line, just after a prompt '>'.
 *
 * Line ends: CR, LF, CRLF, CR CR LF and a lone LF all end a line; empty
 * lines are dropped, so any combination works (MODEM-QUIRKS "Framing").
 * Quoted strings: a '"' toggles in-string; inside a string CR and LF are
 * kept only for lines whose text may span lines (+CUSD: menus), so that an
 * unterminated quote such as `+CREG: 2,1,"5E25` cannot swallow the OK that
 * follows.
 */
#include "modem/at_lexer.h"

#include <stdlib.h>
#include <string.h>

enum lx_state {
	LX_IDLE, /* between lines */
	LX_LINE,
	LX_SKIP,   /* dropping an overlong line up to its end */
	LX_PROMPT, /* after '>' at line start: swallow one ' ' */
};

struct at_lexer {
	enum lx_state state;
	bool in_quote;
	bool expect_pdu;
	size_t len;
	size_t max;
	unsigned long overflows;
	at_lexer_cb cb;
	void *user_data;
	char *buf; /* max + 1 bytes */
};

/* Lines that may legitimately carry CR/LF inside a quoted string. */
static bool multiline_ok(const char *buf, size_t len)
{
	return len >= 6 && memcmp(buf, "+CUSD:", 6) == 0;
}

struct at_lexer *at_lexer_new(size_t line_max, at_lexer_cb cb, void *user_data)
{
	struct at_lexer *lx = calloc(1, sizeof(*lx));

	if (!lx)
		return NULL;
	lx->max = line_max ? line_max : AT_LINE_MAX_DEFAULT;
	lx->buf = malloc(lx->max + 1);
	if (!lx->buf) {
		free(lx);
		return NULL;
	}
	lx->cb = cb;
	lx->user_data = user_data;
	return lx;
}

void at_lexer_free(struct at_lexer *lx)
{
	if (!lx)
		return;
	free(lx->buf);
	free(lx);
}

void at_lexer_expect_pdu(struct at_lexer *lx, bool on)
{
	lx->expect_pdu = on;
}

void at_lexer_reset(struct at_lexer *lx)
{
	lx->state = LX_IDLE;
	lx->in_quote = false;
	lx->expect_pdu = false;
	lx->len = 0;
}

unsigned long at_lexer_overflows(const struct at_lexer *lx)
{
	return lx->overflows;
}

static int emit(struct at_lexer *lx, enum at_token tok)
{
	size_t len = lx->len;

	lx->buf[len] = '\0';
	lx->len = 0;
	lx->in_quote = false;
	lx->state = LX_IDLE;
	if (tok == AT_TOK_LINE && len == 0)
		return 0;
	if (tok == AT_TOK_LINE && lx->expect_pdu) {
		tok = AT_TOK_PDU;
		lx->expect_pdu = false;
	}
	return lx->cb(tok, lx->buf, len, lx->user_data);
}

static int overflow(struct at_lexer *lx)
{
	size_t keep = lx->len < 32 ? lx->len : 32;

	lx->overflows++;
	lx->buf[keep] = '\0';
	lx->len = 0;
	lx->in_quote = false;
	lx->state = LX_SKIP;
	/* The hinted PDU (if it was this line) is gone too. */
	lx->expect_pdu = false;
	return lx->cb(AT_TOK_OVERFLOW, lx->buf, keep, lx->user_data);
}

size_t at_lexer_feed(struct at_lexer *lx, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];
		int stop = 0;

		if (c == '\0')
			continue;
		switch (lx->state) {
		case LX_PROMPT:
			lx->state = LX_IDLE;
			if (c == ' ')
				break;
			/* other bytes start normally */
			__attribute__((fallthrough));
		case LX_IDLE:
			if (c == '\r' || c == '\n')
				break;
			if (c == '>' && !lx->expect_pdu) {
				lx->state = LX_PROMPT;
				lx->buf[0] = '>';
				lx->buf[1] = '\0';
				stop = lx->cb(AT_TOK_PROMPT, lx->buf, 1,
						lx->user_data);
				break;
			}
			lx->state = LX_LINE;
			__attribute__((fallthrough));
		case LX_LINE:
			if (c == '"') {
				lx->in_quote = !lx->in_quote;
			} else if (c == '\r' || c == '\n') {
				if (!lx->in_quote || !multiline_ok(lx->buf,
								     lx->len)) {
					stop = emit(lx, AT_TOK_LINE);
					break;
				}
			} else if ((c == 0x1a || c == 0x1b) && !lx->in_quote) {
				stop = emit(lx, AT_TOK_CTRLZ);
				break;
			}
			if (lx->len >= lx->max) {
				stop = overflow(lx);
				break;
			}
			lx->buf[lx->len++] = (char) c;
			break;
		case LX_SKIP:
			if (c == '\r' || c == '\n')
				lx->state = LX_IDLE;
			break;
		}
		if (stop)
			return i + 1;
	}
	return len;
}
