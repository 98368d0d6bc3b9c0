/*
 * GSM 7-bit default alphabet (3GPP TS 23.038 §6.2.1) and extension table
 * (§6.2.1.1), septet packing (§6.1.2.1.1).
 */
#include <errno.h>

#include "modem/gsm7.h"
#include "modem/ucs2.h"

/* Default alphabet: septet value -> Unicode (TS 23.038 §6.2.1). */
static const uint16_t gsm7_default[128] = {
		0x0040,
		0x00a3,
		0x0024,
		0x00a5,
		0x00e8,
		0x00e9,
		0x00f9,
		0x00ec,
		0x00f2,
		0x00c7,
		0x000a,
		0x00d8,
		0x00f8,
		0x000d,
		0x00c5,
		0x00e5,
		0x0394,
		0x005f,
		0x03a6,
		0x0393,
		0x039b,
		0x03a9,
		0x03a0,
		0x03a8,
		0x03a3,
		0x0398,
		0x039e,
		0x00a0,
		0x00c6,
		0x00e6,
		0x00df,
		0x00c9,
		0x0020,
		0x0021,
		0x0022,
		0x0023,
		0x00a4,
		0x0025,
		0x0026,
		0x0027,
		0x0028,
		0x0029,
		0x002a,
		0x002b,
		0x002c,
		0x002d,
		0x002e,
		0x002f,
		0x0030,
		0x0031,
		0x0032,
		0x0033,
		0x0034,
		0x0035,
		0x0036,
		0x0037,
		0x0038,
		0x0039,
		0x003a,
		0x003b,
		0x003c,
		0x003d,
		0x003e,
		0x003f,
		0x00a1,
		0x0041,
		0x0042,
		0x0043,
		0x0044,
		0x0045,
		0x0046,
		0x0047,
		0x0048,
		0x0049,
		0x004a,
		0x004b,
		0x004c,
		0x004d,
		0x004e,
		0x004f,
		0x0050,
		0x0051,
		0x0052,
		0x0053,
		0x0054,
		0x0055,
		0x0056,
		0x0057,
		0x0058,
		0x0059,
		0x005a,
		0x00c4,
		0x00d6,
		0x00d1,
		0x00dc,
		0x00a7,
		0x00bf,
		0x0061,
		0x0062,
		0x0063,
		0x0064,
		0x0065,
		0x0066,
		0x0067,
		0x0068,
		0x0069,
		0x006a,
		0x006b,
		0x006c,
		0x006d,
		0x006e,
		0x006f,
		0x0070,
		0x0071,
		0x0072,
		0x0073,
		0x0074,
		0x0075,
		0x0076,
		0x0077,
		0x0078,
		0x0079,
		0x007a,
		0x00e4,
		0x00f6,
		0x00f1,
		0x00fc,
		0x00e0,
};

/* Extension table (TS 23.038 §6.2.1.1): code after ESC -> Unicode. */
static const struct {
	uint8_t code;
	uint16_t cp;
} gsm7_ext[] = {
		{0x0a, 0x000c}, /* form feed (page break) */
		{0x14, '^'}, {0x28, '{'}, {0x29, '}'}, {0x2f, '\\'},
		{0x3c, '['}, {0x3d, '~'}, {0x3e, ']'}, {0x40, '|'},
		{0x65, 0x20ac}, /* euro sign */
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

int gsm7_from_codepoint(uint32_t cp, uint8_t ret_septets[2])
{
	size_t i;

	/*
	 * Fast path: these ASCII characters have the same value in the GSM
	 * default alphabet ('$' 0x24 and '@' 0x40 do not).
	 */
	if ((cp >= 0x20 && cp <= 0x23) || (cp >= 0x25 && cp <= 0x3f) ||
			(cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
			cp == '\n' || cp == '\r') {
		ret_septets[0] = (uint8_t) cp;
		return 1;
	}
	/*
	 * 0x1B is the escape; U+00A0 (its display form) is not encodable on
	 * purpose: sending it would start an escape sequence.
	 */
	for (i = 0; i < 128; i++) {
		if (gsm7_default[i] == cp && i != GSM7_ESC) {
			ret_septets[0] = (uint8_t) i;
			return 1;
		}
	}
	for (i = 0; i < ARRAY_SIZE(gsm7_ext); i++) {
		if (gsm7_ext[i].cp == cp) {
			ret_septets[0] = GSM7_ESC;
			ret_septets[1] = gsm7_ext[i].code;
			return 2;
		}
	}
	return -EINVAL;
}

/*
 * Fast path for ASCII: septet for each code point below 128, 0xff when
 * absent, 0x80 | code for the extension table.
 */
static int ascii_septets(uint32_t cp, uint8_t ret[2])
{
	if (cp >= 'a' && cp <= 'z') {
		ret[0] = (uint8_t) cp;
		return 1;
	}
	if (cp >= 'A' && cp <= 'Z') {
		ret[0] = (uint8_t) cp;
		return 1;
	}
	if (cp >= '0' && cp <= '9') {
		ret[0] = (uint8_t) cp;
		return 1;
	}
	if (cp == ' ') {
		ret[0] = 0x20;
		return 1;
	}
	return gsm7_from_codepoint(cp, ret);
}

/*
 * UTF-8 to unpacked septets, an extension character as ESC + code (TS 23.038
 * §6.2.1.1). Writes into out[out_size] when `store`, else only counts;
 * *ret_len is the septet count either way. Callers check their arguments.
 */
static int encode_septets(const char *utf8, size_t len, bool store,
		uint8_t *out, size_t out_size, size_t *ret_len)
{
	size_t pos = 0, o = 0;

	while (pos < len) {
		uint32_t cp;
		uint8_t s[2];
		int n = utf8_decode_one(utf8 + pos, len - pos, &cp);
		int k;

		if (n < 0)
			return -EINVAL;
		k = ascii_septets(cp, s);
		if (k < 0)
			return -EINVAL;
		if (store) {
			if (out_size - o < (size_t) k)
				return -EMSGSIZE;
			out[o] = s[0];
			if (k == 2)
				out[o + 1] = s[1];
		}
		o += (size_t) k;
		pos += (size_t) n;
	}
	*ret_len = o;
	return 0;
}

int gsm7_count_septets(const char *utf8, size_t len)
{
	size_t n;
	int r;

	if (!utf8 && len)
		return -EINVAL;
	r = encode_septets(utf8, len, false, NULL, 0, &n);
	return r < 0 ? r : (int) n;
}

bool gsm7_is_encodable(const char *utf8, size_t len)
{
	return gsm7_count_septets(utf8, len) >= 0;
}

int gsm7_from_utf8(const char *utf8, size_t len, uint8_t *out, size_t out_size,
		size_t *ret_len)
{
	if ((!utf8 && len) || (!out && out_size) || !ret_len)
		return -EINVAL;
	return encode_septets(utf8, len, true, out, out_size, ret_len);
}

static uint32_t ext_lookup(uint8_t code)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(gsm7_ext); i++)
		if (gsm7_ext[i].code == code)
			return gsm7_ext[i].cp;
	/* TS 23.038 §6.2.1.1: show the default-alphabet character instead. */
	return code == GSM7_ESC ? ' ' : gsm7_default[code];
}

int gsm7_to_utf8(const uint8_t *septets, size_t n, char *out, size_t out_size,
		size_t *ret_len)
{
	size_t i, o = 0;

	if ((!septets && n) || !out || out_size == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		uint32_t cp;
		char buf[4];
		int k;

		if (septets[i] > 0x7f)
			return -EINVAL;
		if (septets[i] == GSM7_ESC) {
			if (i + 1 < n) {
				if (septets[i + 1] > 0x7f)
					return -EINVAL;
				cp = ext_lookup(septets[++i]);
			} else {
				cp = ' '; /* lone escape at the end */
			}
		} else {
			cp = gsm7_default[septets[i]];
		}
		k = utf8_encode_one(cp, buf);
		if (k < 0)
			return -EINVAL;
		if (out_size - o <= (size_t) k)
			return -EMSGSIZE;
		for (int j = 0; j < k; j++)
			out[o++] = buf[j];
	}
	out[o] = '\0';
	if (ret_len)
		*ret_len = o;
	return 0;
}

int gsm7_pack(const uint8_t *septets, size_t n, unsigned fill_bits,
		uint8_t *out, size_t out_size)
{
	size_t bits, octets, i;

	if (fill_bits > 6 || (!septets && n) || (!out && out_size))
		return -EINVAL;
	bits = fill_bits + n * 7;
	octets = (bits + 7) / 8;
	if (octets > out_size)
		return -EMSGSIZE;
	for (i = 0; i < octets; i++)
		out[i] = 0;
	for (i = 0; i < n; i++) {
		size_t bit = fill_bits + i * 7;
		size_t byte = bit / 8;
		unsigned shift = bit % 8;
		unsigned v;

		if (septets[i] > 0x7f)
			return -EINVAL;
		v = (unsigned) septets[i] << shift;
		out[byte] |= (uint8_t) (v & 0xff);
		if (shift > 1)
			out[byte + 1] |= (uint8_t) (v >> 8);
	}
	return (int) octets;
}

int gsm7_unpack(const uint8_t *in, size_t in_len, unsigned fill_bits, size_t n,
		uint8_t *out, size_t out_size)
{
	size_t i;

	if (fill_bits > 6 || (!in && in_len) || (!out && out_size))
		return -EINVAL;
	if (n > out_size)
		return -EMSGSIZE;
	if (fill_bits + n * 7 > in_len * 8)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		size_t bit = fill_bits + i * 7;
		size_t byte = bit / 8;
		unsigned shift = bit % 8;
		unsigned v = in[byte] >> shift;

		if (shift > 1)
			v |= (unsigned) in[byte + 1] << (8 - shift);
		out[i] = (uint8_t) (v & 0x7f);
	}
	return 0;
}
