/* SPDX-License-Identifier: MIT */
/*
 * USSD string codec for AT+CUSD (3GPP TS 27.007 §7.15): builds the <str>
 * of a request in the form a modem wants, and turns the <str>,<dcs> of a
 * +CUSD reply into UTF-8 using the CBS data coding scheme (3GPP TS 23.038
 * §5) and the vendor quirks of MODEM-QUIRKS.md ("USSD").
 * Pure functions, caller's buffers.
 */
#ifndef FIELDGATE_MODEM_USSD_H
#define FIELDGATE_MODEM_USSD_H

#include <stddef.h>

enum ussd_mode {
	USSD_MODE_PLAIN,  /* <str> as text in the TE charset (GSM/IRA) */
	USSD_MODE_UCS2,	  /* <str> as UCS-2 hex (AT+CSCS="UCS2") */
	USSD_MODE_PACKED, /* Huawei: packed GSM 7-bit as hex */
};

/*
 * ussd_encode_request() - the <str> and <dcs> for AT+CUSD=1,"<str>",<dcs>.
 * PLAIN: the text itself (GSM-7 characters only, no '"', CR or LF);
 * UCS2: UTF-16BE hex, dcs 72; PACKED: GSM-7 septets packed per TS 23.038
 * §6.1.2.3.1 with a CR pad when 7 spare bits would remain, as hex, dcs 15.
 * @out: NUL-terminated result (caller's buffer of @out_size bytes).
 * Returns the length of @out, -EINVAL (text not representable, bad mode),
 * -EMSGSIZE (@out too small; USSD is limited to 182 septets anyway).
 */
int ussd_encode_request(const char *utf8, enum ussd_mode mode, char *out,
		size_t out_size, int *ret_dcs);

/*
 * ussd_decode() - decode a +CUSD reply <str> (quotes removed) to UTF-8.
 * @dcs: the <dcs> field, -1 when absent. @mode: the modem's configured
 * mode (PACKED makes hex replies with a GSM-7 dcs be unpacked).
 * Handles: plain text (any dcs, when the modem already converted it);
 * dcs 15/0 packed 7-bit hex (Huawei, trailing CR pad stripped); dcs 15
 * carrying UCS-2 hex (Quectel M35); dcs 0 carrying 8-bit hex (gammu#513);
 * dcs 17 UCS-2 with a language prefix and a 0000/FFFF garbage tail
 * (Telit HE910); dcs 72 UCS-2; dcs 68 8-bit.
 * Returns the UTF-8 length written to @out (NUL-terminated), -EINVAL with
 * *@ret_reason (may be NULL) for undecodable input, -ENOTSUP for a
 * compressed or unsupported DCS, -EMSGSIZE when @out is too small.
 */
int ussd_decode(const char *str, int dcs, enum ussd_mode mode, char *out,
		size_t out_size, const char **ret_reason);

#endif
