/*
 * UTF-8 <-> UTF-16BE ("UCS-2" in 3GPP TS 23.038 §6.2.3; we accept and emit
 * surrogate pairs, which real phones send for emoji). Internal to modem/.
 * Pure functions, caller's buffers, no allocation.
 */
#ifndef FIELDGATE_MODEM_UCS2_H
#define FIELDGATE_MODEM_UCS2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode one UTF-8 sequence at s (len bytes available). Rejects overlong
 * forms, surrogates (U+D800..DFFF) and code points above U+10FFFF.
 * Returns the bytes used (1..4) and sets *ret_cp, or -EINVAL.
 */
int utf8_decode_one(const char *s, size_t len, uint32_t *ret_cp);

/* Encode cp (a valid scalar value) as UTF-8; returns 1..4, or -EINVAL. */
int utf8_encode_one(uint32_t cp, char out[4]);

/* UTF-16 units the UTF-8 text needs (2 per character above U+FFFF), or
 * -EINVAL for invalid UTF-8. */
int ucs2_count_units(const char *utf8, size_t len);

/*
 * UTF-8 -> UTF-16BE octets. Returns the number of octets written, or
 * -EINVAL (invalid UTF-8), -EMSGSIZE (out too small).
 */
int ucs2_from_utf8(const char *utf8, size_t len, uint8_t *out, size_t out_size);

/*
 * UTF-16BE octets -> UTF-8, NUL-terminated. U+0000 (padding some phones
 * send) is dropped so the result stays a C string. Returns the UTF-8
 * length (no NUL), or -EINVAL (odd length, lone or reversed surrogate),
 * -EMSGSIZE.
 */
int ucs2_to_utf8(const uint8_t *in, size_t len, char *out, size_t out_size);

/*
 * utf8_sanitize() - copy @len bytes of possibly invalid UTF-8 (text from
 * the modem line: noise, a garbled header) to @out as valid UTF-8: every
 * byte that does not start a valid sequence (overlong, surrogate, above
 * U+10FFFF, truncated) and every NUL becomes U+FFFD. NUL-terminated;
 * truncated at a character boundary when @out_size is too small
 * (@out_size >= 1). Returns the bytes written (NUL excluded) and sets
 * *@ret_replaced (may be NULL) to the number of replacements.
 */
size_t utf8_sanitize(const char *in, size_t len, char *out, size_t out_size,
		size_t *ret_replaced);
/*
 * ucs2_to_utf8_lenient() - like ucs2_to_utf8(), but a lone surrogate or a
 * trailing odd octet becomes U+FFFD instead of an error (a text a phone
 * broke, or one part of a pair split across concatenated parts). Output
 * truncated at a character boundary when @out_size is too small
 * (@out_size >= 1). Returns the bytes written; *@ret_replaced (may be
 * NULL) counts the replacements.
 */
size_t ucs2_to_utf8_lenient(const uint8_t *in, size_t len, char *out,
		size_t out_size, size_t *ret_replaced);
/* True when @len bytes are valid UTF-8 without NUL. */
bool utf8_valid(const char *s, size_t len);

#endif
