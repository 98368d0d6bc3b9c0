/*
 * SMS TPDU codec: SMS-DELIVER, SMS-SUBMIT and SMS-STATUS-REPORT, per
 * 3GPP TS 23.040 §9.2 (TPDU layout) and TS 23.038 §4 (data coding scheme),
 * in the hex form of TS 27.005 §3 (+CMGR/+CMGL/+CMT/+CDS, AT+CMGS).
 *
 * Everything here is pure: no I/O, no allocation, no global state. struct
 * sms is a fixed-size value the caller owns (about 2 KiB); decode fills it.
 * Encoders write into caller arrays of struct sms_pdu_out.
 *
 * Errors: every function returns 0 or a count on success, a negative errno
 * on failure. The decoder uses
 *   -EINVAL   bad argument (NULL) or malformed PDU/hex (odd length, non-hex,
 *             truncated, a length field that lies, bad UDH, bad UCS-2...)
 * and the encoders
 *   -EINVAL   invalid UTF-8, bad number, bad option
 *   -EMSGSIZE text needs more parts than the caller's array holds (or 255)
 * Beside the errno, *ret_reason (when the pointer is non-NULL) is set to a
 * static, human-readable English string ("PDU truncated in user data",
 * ...) that the caller never frees. It is set on failure only.
 */
#ifndef FIELDGATE_MODEM_SMS_PDU_H
#define FIELDGATE_MODEM_SMS_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMS_ADDR_MAX                                                           \
	48		 /* UTF-8 number/alnum + NUL (20 digits, 11 chars;
			 * longer alphanumeric senders are cut to fit) */
#define SMS_UD_MAX 140	 /* TP-UD octets (TS 23.040 §9.2.3.24) */
#define SMS_TEXT_MAX 512 /* decoded UTF-8 of one PDU + NUL (160 * 2 + 1 fits) */
#define SMS_PDU_HEX_MAX 400 /* SMSC (12) + TPDU (<= 176) octets as hex + NUL */
#define SMS_MAX_PARTS 255   /* concatenation limit (8-bit total field) */

/* TP-MTI, decoded for messages stored on a modem (TS 23.040 §9.2.3.1). */
enum sms_type {
	SMS_TYPE_DELIVER = 0, /* MTI 00, SC -> MS */
	SMS_TYPE_SUBMIT = 1,  /* MTI 01, MS -> SC (a stored outgoing SMS) */
	SMS_TYPE_STATUS_REPORT = 2, /* MTI 10, SC -> MS */
};

/* Character set derived from TP-DCS (TS 23.038 §4). */
enum sms_charset {
	SMS_CHARSET_AUTO = 0, /* encoders only: GSM-7 if it fits, else UCS-2 */
	SMS_CHARSET_GSM7 = 1,
	SMS_CHARSET_8BIT = 2,
	SMS_CHARSET_UCS2 = 3,
};

/* Address (TS 23.040 §9.1.2.5). */
struct sms_address {
	char number[SMS_ADDR_MAX]; /* UTF-8: "+256..." if TON is international,
				    * digits plus * # a b c otherwise, the
				    * decoded name if alphanumeric */
	uint8_t ton;		   /* type of number, 0..7 (1 intl, 2 national,
				    * 5 alphanumeric) */
	uint8_t npi;		   /* numbering plan, 0..15 (1 = E.164) */
};

#define SMS_TON_UNKNOWN 0
#define SMS_TON_INTERNATIONAL 1
#define SMS_TON_NATIONAL 2
#define SMS_TON_ALPHANUMERIC 5
#define SMS_NPI_ISDN 1

/* Time stamp (TS 23.040 §9.2.3.11): local time of the SC plus its zone. */
struct sms_scts {
	uint8_t year;	    /* 0..99, meaning 2000..2099 */
	uint8_t month;	    /* 1..12 */
	uint8_t day;	    /* 1..31 */
	uint8_t hour;	    /* 0..23 */
	uint8_t minute;	    /* 0..59 */
	uint8_t second;	    /* 0..59 */
	int8_t tz_quarters; /* offset from UTC in quarter hours, -79..79 */
};

/* TP-DCS and what it implies (TS 23.038 §4). */
struct sms_dcs {
	uint8_t raw;
	enum sms_charset charset; /* never AUTO after decode */
	int msg_class;		  /* -1 none, else 0..3 */
	bool compressed;	  /* text is compressed (not supported: kept
				   * as bytes in data[]) */
};

/* TP-UDH information elements we understand (TS 23.040 §9.2.3.24). */
struct sms_udh {
	bool present;	 /* TP-UDHI set and a header was read */
	uint8_t len;	 /* UDHL: header octets after the length octet */
	bool has_concat; /* IEI 00 (8-bit ref) or 08 (16-bit ref) */
	bool concat_16bit;
	uint16_t concat_ref;
	uint8_t concat_total; /* 1..255 */
	uint8_t concat_seq;   /* 1..concat_total */
	bool has_ports;	      /* IEI 04 (8-bit) or 05 (16-bit) */
	bool ports_16bit;
	uint16_t dst_port;
	uint16_t src_port;
};

/* TP-VPF values (TS 23.040 §9.2.3.3). */
enum sms_vpf {
	SMS_VPF_NONE = 0,
	SMS_VPF_ENHANCED = 1,
	SMS_VPF_RELATIVE = 2,
	SMS_VPF_ABSOLUTE = 3,
};

/*
 * One decoded TPDU. Fields not carried by the type are zero. For
 * SMS_TYPE_STATUS_REPORT, `addr` is the recipient, `scts` the SC time stamp
 * and `discharge` the discharge time; pid/dcs/user data only when TP-PI
 * says they are present.
 */
struct sms {
	enum sms_type type;
	bool has_smsc; /* the hex had an SMSC prefix and it was not 00 */
	struct sms_address smsc; /* TS 24.011 §8.2.5.2 RP address */
	uint8_t first_octet;	 /* raw, for debugging */

	/* First-octet flags (TS 23.040 §9.2.3.2-§9.2.3.26). */
	bool mms;  /* DELIVER/STATUS-REPORT: TP-MMS (as on the wire: true =
		    * NO more messages waiting) */
	bool sri;  /* DELIVER: TP-SRI status report will be returned */
	bool rd;   /* SUBMIT: TP-RD reject duplicates */
	bool srr;  /* SUBMIT: TP-SRR status report requested */
	bool srq;  /* STATUS-REPORT: TP-SRQ (result of an SMS-COMMAND) */
	bool lp;   /* DELIVER/STATUS-REPORT: TP-LP loop prevention */
	bool rp;   /* DELIVER/SUBMIT: TP-RP reply path */
	bool udhi; /* TP-UDHI */

	uint8_t mr;		 /* SUBMIT/STATUS-REPORT: TP-MR */
	struct sms_address addr; /* TP-OA / TP-DA / TP-RA */
	uint8_t pid;		 /* TP-PID */
	struct sms_dcs dcs;
	struct sms_scts scts; /* DELIVER/STATUS-REPORT: TP-SCTS */

	enum sms_vpf vpf;	     /* SUBMIT */
	uint8_t vp_relative;	     /* raw TP-VP octet when RELATIVE */
	uint32_t vp_seconds;	     /* RELATIVE decoded to seconds */
	struct sms_scts vp_absolute; /* when ABSOLUTE */
	uint8_t vp_enhanced[7];	     /* raw when ENHANCED */

	struct sms_scts discharge; /* STATUS-REPORT: TP-DT */
	uint8_t status;		   /* STATUS-REPORT: TP-ST (§9.2.3.15) */
	uint8_t pi;		   /* STATUS-REPORT: TP-PI raw, 0 if absent */

	uint8_t udl; /* TP-UDL as on the wire (septets or octets) */
	struct sms_udh udh;
	uint8_t ud[SMS_UD_MAX]; /* raw TP-UD octets, UDH included */
	size_t ud_len;
	/*
	 * Payload after the UDH. For GSM-7/UCS-2: text, NUL-terminated
	 * UTF-8. For 8-bit data or compressed text: data/data_len, text "".
	 */
	char text[SMS_TEXT_MAX];
	size_t text_len;
	uint8_t data[SMS_UD_MAX];
	size_t data_len;
	/*
	 * The text could not be decoded as it stands (a lone UCS-2
	 * surrogate, an odd octet): text holds it with U+FFFD in place of
	 * what did not decode, everything else (sender, time stamp, UDH) is
	 * valid, and this says why (static). NULL when the text is fine.
	 */
	const char *text_error;
	/*
	 * The payload after the UDH as code units, for reassembly across
	 * parts: GSM-7 septets unpacked one per octet (escapes not
	 * resolved), UCS-2 / 8-bit octets as on the wire.
	 */
	uint8_t units[160];
	size_t units_len;
};

/* Flags for sms_decode*(). */
#define SMS_DECODE_NO_SMSC 0x1 /* the PDU starts with the TPDU (no SCA) */

/*
 * Decode a PDU given as hex (upper or lower case; leading/trailing white
 * space ignored), as +CMGR/+CMGL/+CMT/+CDS print it: with the SMSC prefix
 * (length octet first, 00 = none) unless flags has SMS_DECODE_NO_SMSC.
 * The type comes from TP-MTI: 00 DELIVER, 01 SUBMIT, 10 STATUS-REPORT;
 * 11 is rejected. Trailing 0xFF padding after the user data is ignored
 * (SIMs pad records); any other trailing octet is an error.
 * ret_msg: caller's storage, filled on success only. ret_reason: may be
 * NULL; see the top of this file. Errors: -EINVAL.
 */
__attribute__((warn_unused_result)) int sms_decode_hex(const char *hex,
		size_t hex_len, unsigned flags, struct sms *ret_msg,
		const char **ret_reason);

/* Same as sms_decode_hex() on raw octets. */
__attribute__((warn_unused_result)) int sms_decode(const uint8_t *pdu,
		size_t len, unsigned flags, struct sms *ret_msg,
		const char **ret_reason);

/*
 * Hex text -> octets (helper shared with the modem driver). Returns the
 * number of octets, or -EINVAL (odd length, non-hex character; reason set),
 * -EMSGSIZE (out too small).
 */
__attribute__((warn_unused_result)) int sms_hex_to_bin(const char *hex,
		size_t hex_len, uint8_t *out, size_t out_size,
		const char **ret_reason);

/*
 * sms_scts_to_epoch_near() - like sms_scts_to_epoch(), but the two-digit
 * year is taken in the century that puts it nearest to @ref_epoch (the
 * caller's clock: the codec reads none), so a 1999 test vector is 1999,
 * not 2099.
 */
__attribute__((warn_unused_result)) int sms_scts_to_epoch_near(
		const struct sms_scts *scts, int64_t ref_epoch,
		int64_t *ret_epoch);

/*
 * Time stamp -> UTC seconds since the epoch (the local time minus the zone
 * offset). Returns 0 and sets *ret_epoch, or -EINVAL if a field is out of
 * range (month 13, 30 February, ...).
 */
__attribute__((warn_unused_result)) int sms_scts_to_epoch(
		const struct sms_scts *scts, int64_t *ret_epoch);

/* UTC epoch seconds + zone (quarter hours) -> time stamp; -EINVAL if the
 * year is outside 2000..2099 or tz outside -79..79. */
__attribute__((warn_unused_result)) int sms_scts_from_epoch(
		int64_t epoch, int tz_quarters, struct sms_scts *ret_scts);

/* One encoded PDU. */
struct sms_pdu_out {
	char hex[SMS_PDU_HEX_MAX]; /* SMSC prefix + TPDU, upper-case hex */
	size_t tpdu_len;	   /* octets after the SMSC prefix: the
				    * <length> of AT+CMGS (TS 27.005 §3.5.1) */
	uint8_t seq;		   /* 1-based part number */
	uint8_t total;		   /* parts in this message */
};

/* Options for sms_encode_submit(). Zero-initialise, then set what you need. */
struct sms_submit_opts {
	const char *to;	  /* required: "+<digits>" international (TON 1),
				 * else digits (and * #) with TON unknown */
	const char *smsc; /* NULL: "00" prefix (modem uses +CSCA); else
				 * "+<digits>" or digits */
	enum sms_charset charset; /* AUTO (the zero value), GSM7, UCS2 or
				   * 8BIT (text is then raw octets) */
	bool status_report;	  /* TP-SRR */
	bool reject_duplicates;	  /* TP-RD (resending a part of unknown fate) */
	bool class0;		  /* DCS message class 0 (flash) */
	uint32_t validity_seconds; /* 0: no TP-VP; else relative VP, rounded up
				    * to the next representable period */
	uint8_t mr;		   /* TP-MR; 0 lets the modem assign it */
	uint8_t pid;		   /* TP-PID, normally 0 */
	uint8_t concat_ref;	   /* 8-bit reference used if split */
};

/* Fill opts with defaults: charset AUTO, everything else 0/NULL/false. */
void sms_submit_opts_init(struct sms_submit_opts *opts);

/*
 * Encode text as SMS-SUBMIT PDU(s). text: UTF-8, len bytes (for
 * SMS_CHARSET_8BIT: raw octets). Text that does not fit one PDU is split into
 * concatenated parts with an 8-bit reference (153 septets / 67 UCS-2 units /
 * 134 octets per part); a split never cuts an escape sequence or a
 * surrogate pair. Empty text gives one empty part.
 * out: caller's array of max_parts entries; parts are written in order.
 * Returns the number of parts (>= 1). Errors: -EINVAL (bad UTF-8, a
 * character not in GSM-7 with charset GSM7, bad number, NULL), -EMSGSIZE
 * (more than max_parts or 255 parts). ret_reason as above.
 */
__attribute__((warn_unused_result)) int sms_encode_submit(const char *text,
		size_t len, const struct sms_submit_opts *opts,
		struct sms_pdu_out *out, size_t max_parts,
		const char **ret_reason);

/* Options for sms_encode_deliver() (for simulators and tests). */
struct sms_deliver_opts {
	const char *from;     /* "+<digits>", digits, or an alphanumeric name
				 * (any other text, <= 11 GSM-7 septets) */
	const char *smsc;     /* NULL: "00" prefix; else a number */
	struct sms_scts scts; /* TP-SCTS with its zone */
	enum sms_charset charset; /* AUTO, GSM7, UCS2 or 8BIT (raw octets) */
	int msg_class;		  /* -1 none, 0..3 */
	uint8_t pid;
	bool sri;	   /* TP-SRI */
	bool force_concat; /* add a concat UDH even for one part */
	bool concat_16bit; /* IEI 08 instead of 00 */
	uint16_t concat_ref;
};

/* Defaults: charset AUTO, msg_class -1, everything else 0/NULL/false. */
void sms_deliver_opts_init(struct sms_deliver_opts *opts);

/*
 * Encode text as SMS-DELIVER PDU(s), split like sms_encode_submit() (a
 * 16-bit reference leaves 152 septets / 66 units / 133 octets per part).
 * Returns the number of parts; errors as sms_encode_submit().
 */
__attribute__((warn_unused_result)) int sms_encode_deliver(const char *text,
		size_t len, const struct sms_deliver_opts *opts,
		struct sms_pdu_out *out, size_t max_parts,
		const char **ret_reason);

/* Options for sms_encode_status_report(). */
struct sms_status_report_opts {
	const char *recipient;	   /* TP-RA: the number the SMS went to */
	const char *smsc;	   /* NULL: "00" prefix */
	uint8_t mr;		   /* TP-MR of the SUBMIT this reports on */
	struct sms_scts scts;	   /* TP-SCTS */
	struct sms_scts discharge; /* TP-DT */
	uint8_t status;		   /* TP-ST: 0x00 delivered, 0x20..0x3F
				    * temporary, 0x40..0x7F permanent */
	bool srq;		   /* TP-SRQ */
	bool mms;		   /* TP-MMS as on the wire */
};

/*
 * Encode one SMS-STATUS-REPORT (no TP-PI / user data). Returns 1 (one PDU
 * in *ret_out), or -EINVAL (bad number, NULL).
 */
__attribute__((warn_unused_result)) int sms_encode_status_report(
		const struct sms_status_report_opts *opts,
		struct sms_pdu_out *ret_out, const char **ret_reason);

/* What a text costs. */
struct sms_segments {
	enum sms_charset charset; /* GSM7 or UCS2 (AUTO choice) */
	unsigned parts;		  /* SMS needed (1 for empty text) */
	unsigned units;		  /* septets (GSM7, escapes count 2) or
				   * UTF-16 units (UCS2) */
	unsigned units_per_part;  /* 160/153 or 70/67 */
	unsigned units_left;	  /* free units in the last part */
};

/*
 * Segment calculator: which encoding sms_encode_submit() would choose for
 * this UTF-8 text, and how many parts it makes (same splitting rules).
 * Returns 0, or -EINVAL (invalid UTF-8).
 */
__attribute__((warn_unused_result)) int sms_segment_count(
		const char *text, size_t len, struct sms_segments *ret_seg);

/* Short names for JSON/logs: "deliver", "gsm7", ... (static strings). */
const char *sms_type_name(enum sms_type type);
const char *sms_charset_name(enum sms_charset cs);

/*
 * Set TP-RD (reject duplicates, TS 23.040 §9.2.3.25) in the first octet
 * of an SMS-SUBMIT given as hex with its SMSC prefix, in place (a resend
 * after an unknown outcome: the SMSC drops it if it has the first copy).
 * Returns 0, or -EINVAL (not hex, too short, not an SMS-SUBMIT; @hex is
 * then unchanged).
 */
int sms_submit_hex_set_reject_duplicates(char *hex);

#endif
