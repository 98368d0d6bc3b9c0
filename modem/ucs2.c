/*
 * UTF-8 <-> UTF-16BE for TP-DCS UCS-2 messages (3GPP TS 23.038 §6.2.3).
 * Phones put UTF-16 surrogate pairs in "UCS-2" messages for characters
 * above U+FFFF (emoji), so we do too, and reject lone surrogates.
 */
#include <errno.h>
#include <stdbool.h>

#include "modem/ucs2.h"

int utf8_decode_one(const char *str, size_t len, uint32_t *ret_cp)
{
	const unsigned char *s = (const unsigned char *) str;
	uint32_t cp;
	size_t n, i;

	if (len == 0)
		return -EINVAL;
	if (s[0] < 0x80) {
		*ret_cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return -EINVAL;
	}
	if (len < n)
		return -EINVAL;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -EINVAL;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values beyond Unicode. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
			(n == 4 && cp < 0x10000) || cp > 0x10ffff ||
			(cp >= 0xd800 && cp <= 0xdfff))
		return -EINVAL;
	*ret_cp = cp;
	return (int) n;
}

int utf8_encode_one(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char) (0xc0 | (cp >> 6));
		out[1] = (char) (0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return -EINVAL;
	if (cp < 0x10000) {
		out[0] = (char) (0xe0 | (cp >> 12));
		out[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char) (0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp > 0x10ffff)
		return -EINVAL;
	out[0] = (char) (0xf0 | (cp >> 18));
	out[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char) (0x80 | (cp & 0x3f));
	return 4;
}

/*
 * UTF-8 to UTF-16BE, code points above U+FFFF as a surrogate pair. Writes
 * into out[out_size] when `store`, else only counts; *ret_len is the byte
 * length either way. Callers check their arguments.
 */
static int encode_utf16be(const char *utf8, size_t len, bool store,
		uint8_t *out, size_t out_size, size_t *ret_len)
{
	size_t pos = 0, o = 0;

	while (pos < len) {
		uint32_t cp, u[2];
		int n = utf8_decode_one(utf8 + pos, len - pos, &cp);
		size_t k = 1, j;

		if (n < 0)
			return -EINVAL;
		pos += (size_t) n;
		u[0] = cp;
		if (cp > 0xffff) {
			uint32_t v = cp - 0x10000;

			u[0] = 0xd800 | (v >> 10);
			u[1] = 0xdc00 | (v & 0x3ff);
			k = 2;
		}
		if (store) {
			if (out_size - o < 2 * k)
				return -EMSGSIZE;
			for (j = 0; j < k; j++) {
				out[o + 2 * j] = (uint8_t) (u[j] >> 8);
				out[o + 2 * j + 1] = (uint8_t) (u[j] & 0xff);
			}
		}
		o += 2 * k;
	}
	*ret_len = o;
	return 0;
}

int ucs2_count_units(const char *utf8, size_t len)
{
	size_t n;
	int r;

	if (!utf8 && len)
		return -EINVAL;
	r = encode_utf16be(utf8, len, false, NULL, 0, &n);
	return r < 0 ? r : (int) (n / 2);
}

int ucs2_from_utf8(const char *utf8, size_t len, uint8_t *out, size_t out_size)
{
	size_t n;
	int r;

	if ((!utf8 && len) || (!out && out_size))
		return -EINVAL;
	r = encode_utf16be(utf8, len, true, out, out_size, &n);
	return r < 0 ? r : (int) n;
}

int ucs2_to_utf8(const uint8_t *in, size_t len, char *out, size_t out_size)
{
	size_t i = 0, o = 0;

	if ((!in && len) || !out || out_size == 0)
		return -EINVAL;
	if (len % 2)
		return -EINVAL;
	while (i < len) {
		uint32_t cp = ((uint32_t) in[i] << 8) | in[i + 1];
		char buf[4];
		int k;

		i += 2;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return -EINVAL; /* low surrogate first */
		if (cp >= 0xd800 && cp <= 0xdbff) {
			uint32_t lo;

			if (i + 2 > len)
				return -EINVAL; /* lone high surrogate */
			lo = ((uint32_t) in[i] << 8) | in[i + 1];
			if (lo < 0xdc00 || lo > 0xdfff)
				return -EINVAL;
			i += 2;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		if (cp == 0)
			continue; /* keep the result a C string */
		k = utf8_encode_one(cp, buf);
		if (k < 0)
			return -EINVAL;
		if (out_size - o <= (size_t) k)
			return -EMSGSIZE;
		for (int j = 0; j < k; j++)
			out[o++] = buf[j];
	}
	out[o] = '\0';
	return (int) o;
}

size_t utf8_sanitize(const char *in, size_t len, char *out, size_t out_size,
		size_t *ret_replaced)
{
	static const char fffd[] = "\xEF\xBF\xBD";
	size_t i = 0, o = 0, rep = 0;

	if (!out_size)
		return 0;
	while (i < len) {
		uint32_t cp;
		int n = utf8_decode_one(in + i, len - i, &cp);
		const char *src = in + i;
		size_t k;

		if (n < 0 || cp == 0) {
			src = fffd;
			k = 3;
			n = 1;
			rep++;
		} else {
			k = (size_t) n;
		}
		if (o + k >= out_size)
			break;
		for (size_t j = 0; j < k; j++)
			out[o + j] = src[j];
		o += k;
		i += (size_t) n;
	}
	out[o] = '\0';
	if (ret_replaced)
		*ret_replaced = rep;
	return o;
}

bool utf8_valid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		int n = utf8_decode_one(s + i, len - i, &cp);

		if (n < 0 || cp == 0)
			return false;
		i += (size_t) n;
	}
	return true;
}

size_t ucs2_to_utf8_lenient(const uint8_t *in, size_t len, char *out,
		size_t out_size, size_t *ret_replaced)
{
	size_t i = 0, o = 0, rep = 0;

	if (!out_size)
		return 0;
	while (i < len) {
		uint32_t cp = 0xfffd;
		char buf[4];
		int k;

		if (i + 2 > len) {
			i = len; /* odd trailing octet */
			rep++;
		} else {
			cp = ((uint32_t) in[i] << 8) | in[i + 1];
			i += 2;
			if (cp >= 0xd800 && cp <= 0xdbff && i + 2 <= len) {
				uint32_t lo = ((uint32_t) in[i] << 8) |
					      in[i + 1];

				if (lo >= 0xdc00 && lo <= 0xdfff) {
					i += 2;
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
				}
			}
			if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd;
				rep++;
			}
		}
		if (cp == 0)
			continue;
		k = utf8_encode_one(cp, buf);
		if (k < 0 || o + (size_t) k >= out_size)
			break;
		for (int j = 0; j < k; j++)
			out[o++] = buf[j];
	}
	out[o] = '\0';
	if (ret_replaced)
		*ret_replaced = rep;
	return o;
}
