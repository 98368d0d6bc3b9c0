/*
 * Reassembly of concatenated SMS (3GPP TS 23.040 §9.2.3.24.1 and .8).
 *
 * Two layers, so the daemon can keep parts in PostgreSQL:
 *  - sms_concat_assemble(): a pure function joining a caller-provided array
 *    of parts (e.g. loaded from the database) into one text, marking gaps;
 *  - struct sms_reasm: an in-memory reassembler built on it (for tests,
 *    fieldgatectl and callers without persistence).
 * Parts are keyed by sender + reference + total + reference width. No
 * global state; the clock is the caller's `now` (any monotonic seconds).
 */
#ifndef FIELDGATE_MODEM_SMS_CONCAT_H
#define FIELDGATE_MODEM_SMS_CONCAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "modem/sms_pdu.h"

/* Shown in place of each missing part of a partial message. */
#define SMS_CONCAT_GAP "[\xe2\x80\xa6]" /* "[…]" */

/* One received part: plain value, safe to store and reload. */
struct sms_part {
	char sender[SMS_ADDR_MAX]; /* key: originator as decoded */
	uint16_t ref;		   /* key: concat reference (0 if single) */
	bool ref16;		   /* key: 16-bit reference */
	uint8_t total;		   /* key: 1..255 (1 for a single SMS) */
	uint8_t seq;		   /* 1..total */
	enum sms_charset charset;
	char text[SMS_TEXT_MAX]; /* decoded text of this part (UTF-8);
				    * 8-bit data is rendered as hex */
	int64_t received;	 /* caller's clock when it arrived */
	/*
	 * The part's code units (struct sms units: GSM-7 septets, UCS-2
	 * octets) when known: parts that all have them are joined before
	 * decoding, so a surrogate pair or an escape split across parts
	 * comes out right. units_len 0: join the texts.
	 */
	uint8_t units[160];
	size_t units_len;
};

/*
 * Fill a part from a decoded DELIVER (or SUBMIT: its recipient is used as
 * the "sender" key). A message without a concat IE becomes part 1 of 1.
 * Returns 0, or -EINVAL (NULL, STATUS-REPORT, text too long for hex).
 */
__attribute__((warn_unused_result)) int sms_part_from_sms(
		const struct sms *msg, int64_t now, struct sms_part *ret_part);

/* True when a and b belong to the same message (same key). */
bool sms_part_same_message(const struct sms_part *a, const struct sms_part *b);

/* A reassembled (possibly partial) message. */
struct sms_concat_result {
	char *text; /* UTF-8, NUL-terminated, caller frees with free() */
	size_t text_len;
	bool complete; /* every part 1..total present */
	char sender[SMS_ADDR_MAX];
	uint16_t ref;
	bool ref16;
	uint8_t total;
	uint8_t n_missing;
	uint8_t missing[SMS_MAX_PARTS]; /* missing part numbers, ascending */
	int64_t first_received;		/* earliest part's `received` */
};

/*
 * Join parts (any order; all must share one key, duplicates of the same seq
 * are fine if identical) into *ret_result. Missing numbers get
 * SMS_CONCAT_GAP in the text and are listed in missing[].
 * parts: borrowed. ret_result->text: allocated, caller frees with free().
 * Errors: -EINVAL (n == 0, NULL, mixed keys, seq out of range), -EEXIST
 * (two different texts for one seq; reason "conflicting duplicate part"),
 * -ENOMEM.
 */
__attribute__((warn_unused_result)) int sms_concat_assemble(
		const struct sms_part *parts, size_t n,
		struct sms_concat_result *ret_result, const char **ret_reason);

/* Free result->text and clear it; accepts NULL and an already-done result. */
void sms_concat_result_done(struct sms_concat_result *result);

/* In-memory reassembler; opaque. */
struct sms_reasm;

/*
 * New reassembler: a message still incomplete `timeout` seconds after its
 * first part is handed out partial by sms_reasm_expire(); at most
 * max_messages incomplete messages are kept (adding a part of a new message
 * beyond that returns -ENOSPC). Returns NULL on allocation failure or a
 * zero argument. Free with sms_reasm_free().
 */
struct sms_reasm *sms_reasm_new(int64_t timeout, size_t max_messages);

/* Free the reassembler and every part it holds; NULL is a no-op. */
void sms_reasm_free(struct sms_reasm *r);

/* Return values of sms_reasm_add() besides negative errno. */
#define SMS_REASM_PENDING 0   /* stored, message still incomplete */
#define SMS_REASM_COMPLETE 1  /* *ret_result holds the whole message */
#define SMS_REASM_DUPLICATE 2 /* identical part already held: ignored */

/*
 * Add one part (copied). When it completes its message, the message is
 * removed from the reassembler and given in *ret_result (caller calls
 * sms_concat_result_done()). A single (total 1) part completes at once.
 * Returns SMS_REASM_PENDING, _COMPLETE or _DUPLICATE; errors: -EINVAL
 * (bad part), -EEXIST (same seq, different text: conflicting duplicate,
 * the first one is kept), -ENOSPC (too many incomplete messages), -ENOMEM.
 */
__attribute__((warn_unused_result)) int sms_reasm_add(struct sms_reasm *r,
		const struct sms_part *part, int64_t now,
		struct sms_concat_result *ret_result, const char **ret_reason);

/*
 * Hand out one message whose first part is at least `timeout` old at `now`,
 * as a partial result (missing parts marked), and forget it. Call until it
 * returns 0. Returns 1 (*ret_result filled, caller calls
 * sms_concat_result_done()), 0 (nothing expired), -ENOMEM.
 */
__attribute__((warn_unused_result)) int sms_reasm_expire(struct sms_reasm *r,
		int64_t now, struct sms_concat_result *ret_result);

/* Number of incomplete messages held. */
size_t sms_reasm_pending(const struct sms_reasm *r);

#endif
