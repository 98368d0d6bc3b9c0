/* SPDX-License-Identifier: MIT */
/*
 * AT response framer: bytes in, tokens out, one byte at a time, so data may
 * be split anywhere (GUIDE.md §4.9 layer 1).
 */
#ifndef FIELDGATE_MODEM_AT_LEXER_H
#define FIELDGATE_MODEM_AT_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AT_LINE_MAX_DEFAULT 2048

enum at_token {
	AT_TOK_LINE,	 /* a non-empty line, CR/LF stripped */
	AT_TOK_PROMPT,	 /* "> " (no line end) or ">" + CRLF */
	AT_TOK_PDU,	 /* the line after at_lexer_expect_pdu() */
	AT_TOK_CTRLZ,	 /* text ended by Ctrl-Z/ESC: PDU echo */
	AT_TOK_OVERFLOW, /* a line longer than the maximum was dropped */
};

/*
 * Token callback. @text is NUL-terminated, borrowed for the call only; for
 * AT_TOK_PROMPT it is ">" and for AT_TOK_OVERFLOW the first bytes of the
 * dropped line. Return 0 to go on, non-zero to stop at_lexer_feed() at once
 * (the owner is being freed or reset).
 */
typedef int (*at_lexer_cb)(enum at_token tok, const char *text, size_t len,
		void *user_data);

struct at_lexer;

/*
 * at_lexer_new() - allocate a framer.
 * @line_max: longest line kept (0: AT_LINE_MAX_DEFAULT); longer ones are
 *            dropped whole and reported as AT_TOK_OVERFLOW, never truncated.
 * @cb, @user_data: token sink (borrowed).
 * Returns the framer (caller frees with at_lexer_free()) or NULL (ENOMEM).
 */
struct at_lexer *at_lexer_new(size_t line_max, at_lexer_cb cb, void *user_data);
/* Free a framer; NULL is a no-op. */
void at_lexer_free(struct at_lexer *lx);

/*
 * at_lexer_feed() - push bytes through the framer.
 * Emits zero or more tokens. NUL bytes are dropped. Returns the number of
 * bytes consumed: @len unless the callback asked to stop.
 */
size_t at_lexer_feed(struct at_lexer *lx, const uint8_t *buf, size_t len);

/*
 * at_lexer_expect_pdu() - the next non-empty line is a PDU (after +CMT:,
 * +CDS:, +CBM:, +CMGR:, +CMGL:), because a hex line cannot be recognised by
 * its content. Cleared when that line is emitted or with @on = false.
 */
void at_lexer_expect_pdu(struct at_lexer *lx, bool on);

/* Forget any partial line and hint (after a reset or reopen). */
void at_lexer_reset(struct at_lexer *lx);

/* Number of overlong lines dropped since creation. */
unsigned long at_lexer_overflows(const struct at_lexer *lx);

#endif
