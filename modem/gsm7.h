/*
 * GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1,
 * §6.2.1.1), UTF-8 conversion and septet packing (3GPP TS 23.038 §6.1.2.1).
 *
 * "Septets" here are unpacked: one septet value (0..127) per byte, an
 * extension character being two septets, GSM7_ESC then its code. "Packed"
 * means the on-air form: septets laid LSB first into octets.
 *
 * Pure functions: no allocation, no global state. Every output buffer is the
 * caller's, with its size given; nothing is written past it.
 */
#ifndef FIELDGATE_MODEM_GSM7_H
#define FIELDGATE_MODEM_GSM7_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GSM7_ESC 0x1b /* escape to the extension table (TS 23.038 §6.2.1) */

/*
 * Map one Unicode code point to GSM septets. Writes 1 or 2 septets into
 * ret_septets (two for an extension-table character: GSM7_ESC, code).
 * Returns the number of septets (1 or 2), or -EINVAL when the code point has
 * no GSM 7-bit representation (ret_septets untouched).
 */
__attribute__((warn_unused_result)) int gsm7_from_codepoint(
		uint32_t cp, uint8_t ret_septets[2]);

/*
 * True when every character of the UTF-8 string (len bytes, NUL not needed)
 * exists in the default alphabet or its extension table. False for invalid
 * UTF-8.
 */
bool gsm7_is_encodable(const char *utf8, size_t len);

/*
 * Number of septets the UTF-8 string needs (extension characters count 2).
 * Returns the count, or -EINVAL for invalid UTF-8 or a character that GSM-7
 * cannot represent.
 */
__attribute__((warn_unused_result)) int gsm7_count_septets(
		const char *utf8, size_t len);

/*
 * UTF-8 -> unpacked septets. out/out_size: caller's buffer. On success sets
 * *ret_len to the number of septets written and returns 0.
 * Errors: -EINVAL (invalid UTF-8 or a character GSM-7 lacks), -EMSGSIZE
 * (out too small). On error *ret_len is untouched, out may be partly written.
 */
__attribute__((warn_unused_result)) int gsm7_from_utf8(const char *utf8,
		size_t len, uint8_t *out, size_t out_size, size_t *ret_len);

/*
 * Unpacked septets -> UTF-8, NUL-terminated. An escape followed by a code
 * the extension table lacks shows the default-alphabet character for that
 * code; a lone trailing escape shows a space (TS 23.038 §6.2.1.1 notes).
 * Values above 127 are -EINVAL. On success *ret_len (may be NULL) is the
 * byte length without the NUL. Errors: -EINVAL, -EMSGSIZE (out too small,
 * out_size must leave room for the NUL).
 */
__attribute__((warn_unused_result)) int gsm7_to_utf8(const uint8_t *septets,
		size_t n, char *out, size_t out_size, size_t *ret_len);

/*
 * Pack n septets into octets, starting fill_bits (0..6) bits into the first
 * octet (the fill bits after a user-data header, TS 23.040 §9.2.3.24; they
 * are written as zero). Returns the number of octets written, or -EINVAL
 * (fill_bits > 6, septet > 127), -EMSGSIZE (out too small).
 */
__attribute__((warn_unused_result)) int gsm7_pack(const uint8_t *septets,
		size_t n, unsigned fill_bits, uint8_t *out, size_t out_size);

/*
 * Unpack n septets from in (in_len octets), skipping fill_bits (0..6) first.
 * Returns 0, or -EINVAL (fill_bits > 6), -EMSGSIZE (in holds fewer than n
 * septets after the fill bits, or out_size < n).
 */
__attribute__((warn_unused_result)) int gsm7_unpack(const uint8_t *in,
		size_t in_len, unsigned fill_bits, size_t n, uint8_t *out,
		size_t out_size);

#endif
