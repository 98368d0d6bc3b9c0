/* SPDX-License-Identifier: MIT */
/*
 * Final result classification for AT command responses.
 *
 * 3GPP TS 27.007 §5.7 (result codes, V1/V0), §9.2 (+CME ERROR),
 * TS 27.005 §3.2.5 (+CMS ERROR). Vendor forms from MODEM-QUIRKS.md.
 */
#ifndef FIELDGATE_MODEM_AT_ERROR_H
#define FIELDGATE_MODEM_AT_ERROR_H

#include <stdbool.h>

enum at_error_type {
	AT_ERR_NONE = 0, /* OK / CONNECT: not an error */
	AT_ERR_ERROR,	 /* plain ERROR */
	AT_ERR_CME,	 /* +CME ERROR: <n>|<text> */
	AT_ERR_CMS,	 /* +CMS ERROR: <n>|<text> */
	AT_ERR_NO_CARRIER,
	AT_ERR_BUSY,
	AT_ERR_NO_ANSWER,
	AT_ERR_NO_DIALTONE,
	AT_ERR_NOT_SUPPORTED, /* Huawei "COMMAND NOT SUPPORT" */
	AT_ERR_VENDOR,	      /* "MODEM ERROR: <n>" (Motorola), "NA" */
	/* Produced by the channel, never by a modem line: */
	AT_ERR_TIMEOUT,	  /* no final result before the deadline */
	AT_ERR_CANCELED,  /* at_chan_cancel() */
	AT_ERR_IO,	  /* channel dead / transport gone */
	AT_ERR_NO_PROMPT, /* a final "OK" came instead of the "> " */
};

/* Final result kind of a line (OK and CONNECT are successes). */
enum at_final {
	AT_FINAL_NONE = 0, /* not a final result line */
	AT_FINAL_OK,
	AT_FINAL_CONNECT,
	AT_FINAL_ERROR, /* any failure; see at_error.type */
};

/*
 * Describes why a command failed. All strings are borrowed: `line` points into
 * the line that was classified (valid during the callback only).
 */
struct at_error {
	enum at_error_type type;
	int code;	  /* CME/CMS/vendor number, -1 when unknown */
	const char *line; /* the final line as received, or NULL */
	/*
	 * Prompt commands only (AT+CMGS/AT+CMGW): true when the payload and
	 * its Ctrl-Z were completely handed to the writer before the failure.
	 * A send whose payload went out has an UNKNOWN outcome: modems say
	 * ERROR or time out for messages they did send (gammu#416).
	 */
	bool payload_sent;
};

/* Flags for at_error_classify(). */
#define AT_CLASSIFY_NUMERIC 0x1 /* accept V0 numeric codes "0", "4", ... */

/*
 * at_error_classify() - is @line a final result code, and which?
 *
 * Matches the WHOLE line (OK, ERROR, NO CARRIER, ...) or a fixed prefix that
 * ends in ':' (+CME ERROR:, +CMS ERROR:, MODEM ERROR:); never a substring.
 * Textual CME/CMS forms (AT+CMEE=2) are mapped back to their number where the
 * text is one of the 27.005/27.007 strings, otherwise code is -1.
 *
 * @line: NUL-terminated line without CR/LF (borrowed; @ret_err->line points
 *        into it).
 * @flags: AT_CLASSIFY_* bits.
 * @ret_err: filled when the result is AT_FINAL_ERROR; may be NULL.
 *
 * Returns the final kind, AT_FINAL_NONE for a non-final line. No errors.
 */
enum at_final at_error_classify(
		const char *line, unsigned flags, struct at_error *ret_err);

/* Text of a 27.005 §3.2.5 +CMS ERROR code; static string, never NULL. */
const char *at_cms_error_str(int code);
/* Text of a 27.007 §9.2 +CME ERROR code; static string, never NULL. */
const char *at_cme_error_str(int code);
/* Human-readable name of an error type; static string, never NULL. */
const char *at_error_type_str(enum at_error_type type);

enum at_retry {
	AT_RETRY_UNKNOWN = 0, /* no table says; caller's policy */
	AT_RETRY_TRANSIENT,   /* worth retrying later (with a cap) */
	AT_RETRY_PERMANENT,   /* retrying cannot help */
};

/*
 * at_error_retry_class() - retry classification of a failure.
 *
 * Transient: CMS 38, 41, 42, 47, 111, 331, 332, SIM busy (CME 14, CMS 314,
 * Siemens CMS 532), network timeout (CME 31), no service (CME 30), vendor
 * codes >= 512 (meaning differs per vendor, e.g. smstools: 512 = collision
 * with an incoming SMS; the caller must cap the retries), channel timeout
 * and I/O. Permanent: CMS 1, 8, 10, 21, 27, 28, 29, 30, 50, 69, 96, 97, 304,
 * 305, 310-313, 315-318, 321, 330, 500 (Huawei: not supported) and the
 * equivalent CME SIM/PIN codes. Anything else: unknown.
 */
enum at_retry at_error_retry_class(const struct at_error *err);

/* at_error_retry_class(err) == AT_RETRY_TRANSIENT. @err may be NULL (false). */
bool at_error_is_transient(const struct at_error *err);

/* SIM busy / not ready (CME 14, CMS 314, CMS 532): wait it out at start-up. */
bool at_error_is_sim_busy(const struct at_error *err);

#endif
