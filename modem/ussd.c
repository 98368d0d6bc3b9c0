// SPDX-License-Identifier: MIT
/*
 * USSD string codec. DCS per 3GPP TS 23.038 §5 (CBS data coding scheme),
 * packing per §6.1.2.3.1 (USSD: CR fill when 7 spare bits remain).
 */
#include "modem/ussd.h"
#include "modem/gsm7.h"
#include "modem/ucs2.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define USSD_MAX_OCTETS 160 /* 182 septets packed = 160 octets */
#define CR 0x0d

static const char hexd[] = "0123456789ABCDEF";

static int to_hex(const uint8_t *in, size_t n, char *out, size_t out_size)
{
	if (2 * n + 1 > out_size)
		return -EMSGSIZE;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexd[in[i] >> 4];
		out[2 * i + 1] = hexd[in[i] & 15];
	}
	out[2 * n] = '\0';
	return (int) (2 * n);
}

int ussd_encode_request(const char *utf8, enum ussd_mode mode, char *out,
		size_t out_size, int *ret_dcs)
{
	uint8_t sept[USSD_MAX_OCTETS * 8 / 7 + 2];
	uint8_t oct[USSD_MAX_OCTETS * 2];
	size_t n, len = strlen(utf8);
	int r;

	switch (mode) {
	case USSD_MODE_PLAIN:
		if (strpbrk(utf8, "\"\r\n") || !gsm7_is_encodable(utf8, len))
			return -EINVAL;
		if (len + 1 > out_size)
			return -EMSGSIZE;
		memcpy(out, utf8, len + 1);
		*ret_dcs = 15;
		return (int) len;
	case USSD_MODE_UCS2:
		r = ucs2_from_utf8(utf8, len, oct, sizeof(oct));
		if (r < 0)
			return r;
		r = to_hex(oct, (size_t) r, out, out_size);
		if (r >= 0)
			*ret_dcs = 72;
		return r;
	case USSD_MODE_PACKED:
		r = gsm7_from_utf8(utf8, len, sept, sizeof(sept) - 1, &n);
		if (r < 0)
			return r;
		/*
		 * §6.1.2.3.1: if the last octet would carry 7 spare bits the
		 * receiver would read an '@'; fill them with CR instead.
		 */
		if (n % 8 == 7)
			sept[n++] = CR;
		r = gsm7_pack(sept, n, 0, oct, sizeof(oct));
		if (r < 0)
			return r;
		r = to_hex(oct, (size_t) r, out, out_size);
		if (r >= 0)
			*ret_dcs = 15;
		return r;
	}
	return -EINVAL;
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode an even-length, non-empty hex string; -1 when it is not one. */
static int from_hex(const char *s, uint8_t *out, size_t out_size, size_t *ret_n)
{
	size_t len = strlen(s);

	if (len == 0 || len % 2 || len / 2 > out_size)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hexv(s[2 * i]), lo = hexv(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t) (hi << 4 | lo);
	}
	*ret_n = len / 2;
	return 0;
}

static int copy_plain(const char *s, char *out, size_t out_size)
{
	size_t n = strlen(s);

	if (n + 1 > out_size)
		return -EMSGSIZE;
	memcpy(out, s, n + 1);
	return (int) n;
}

/* UCS-2: stop at a U+0000 or U+FFFF unit (Telit garbage tail). */
static int ucs2_out(const uint8_t *b, size_t n, char *out, size_t out_size)
{
	size_t k;

	if (n % 2)
		return -EINVAL;
	for (k = 0; k + 1 < n; k += 2)
		if ((b[k] == 0 && b[k + 1] == 0) ||
				(b[k] == 0xff && b[k + 1] == 0xff))
			break;
	return ucs2_to_utf8(b, k, out, out_size);
}

/* Plausible UCS-2 text: no controls but CR/LF, some Latin/Cyrillic unit. */
static bool looks_ucs2(const uint8_t *b, size_t n)
{
	bool low = false;

	if (n < 2 || n % 2)
		return false;
	for (size_t k = 0; k + 1 < n; k += 2) {
		unsigned u = (unsigned) b[k] << 8 | b[k + 1];

		if (u == 0 || u == 0xffff)
			break; /* tail padding */
		if (u < 0x20 && u != '\r' && u != '\n')
			return false;
		if (b[k] == 0x00 || b[k] == 0x04)
			low = true;
	}
	return low;
}

static bool looks_8bit(const uint8_t *b, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if ((b[k] < 0x20 && b[k] != '\r' && b[k] != '\n') ||
				b[k] == 0x7f)
			return false;
	return true;
}

/* ISO 8859-1 → UTF-8 (8-bit data shown as Latin-1). */
static int latin1_out(const uint8_t *b, size_t n, char *out, size_t out_size)
{
	size_t o = 0;

	for (size_t k = 0; k < n; k++) {
		if (o + 3 > out_size)
			return -EMSGSIZE;
		if (b[k] < 0x80) {
			out[o++] = (char) b[k];
		} else {
			out[o++] = (char) (0xc0 | b[k] >> 6);
			out[o++] = (char) (0x80 | (b[k] & 0x3f));
		}
	}
	if (o + 1 > out_size)
		return -EMSGSIZE;
	out[o] = '\0';
	return (int) o;
}

static int packed_out(const uint8_t *b, size_t n, char *out, size_t out_size)
{
	uint8_t sept[USSD_MAX_OCTETS * 8 / 7 + 2];
	size_t ns = n * 8 / 7;
	size_t len;
	int r;

	if (ns > sizeof(sept))
		return -EMSGSIZE;
	r = gsm7_unpack(b, n, 0, ns, sept, sizeof(sept));
	if (r < 0)
		return r;
	/*
	 * A multiple of 7 octets holds 8k septets; the last one is the CR
	 * pad (§6.1.2.3.1) or a real CR: either way drop it (MM Huawei).
	 */
	if (n % 7 == 0 && ns > 0 && sept[ns - 1] == CR)
		ns--;
	r = gsm7_to_utf8(sept, ns, out, out_size, &len);
	if (r < 0)
		return r;
	return (int) len;
}

#define FAILR(code, why)                                                       \
	do {                                                                   \
		if (ret_reason)                                                \
			*ret_reason = (why);                                   \
		return (code);                                                 \
	} while (0)

enum alpha { A_GSM7, A_8BIT, A_UCS2, A_UCS2_LANG, A_UNSUP };

/* TS 23.038 §5: CBS data coding scheme → alphabet. */
static enum alpha dcs_alpha(int dcs)
{
	if (dcs < 0)
		return A_GSM7;
	switch (dcs >> 4) {
	case 0x0: /* languages, GSM 7 bit */
	case 0x2:
	case 0x3: /* reserved: treat as GSM 7 bit */
		return A_GSM7;
	case 0x1:
		if (dcs == 0x10)
			return A_GSM7; /* GSM 7 bit, language prefix */
		if (dcs == 0x11)
			return A_UCS2_LANG;
		return A_GSM7;
	case 0x4:
	case 0x5:
	case 0x6:
	case 0x7:
		if (dcs & 0x20)
			return A_UNSUP; /* compressed */
		switch ((dcs >> 2) & 3) {
		case 0:
			return A_GSM7;
		case 1:
			return A_8BIT;
		case 2:
			return A_UCS2;
		default:
			return A_GSM7; /* reserved */
		}
	case 0xf:
		return (dcs & 0x04) ? A_8BIT : A_GSM7;
	default:
		return A_UNSUP; /* 8..E: reserved, WAP, ... */
	}
}

int ussd_decode(const char *str, int dcs, enum ussd_mode mode, char *out,
		size_t out_size, const char **ret_reason)
{
	uint8_t b[USSD_MAX_OCTETS * 2] = {0};
	size_t n;
	bool hex;
	enum alpha a;

	if (!str || dcs > 255)
		FAILR(-EINVAL, "bad arguments");
	a = dcs_alpha(dcs);
	if (a == A_UNSUP)
		FAILR(-ENOTSUP, "unsupported or compressed DCS");
	hex = from_hex(str, b, sizeof(b), &n) == 0;
	/* Not hex: the modem already converted it to text. */
	if (!hex)
		return copy_plain(str, out, out_size);
	switch (a) {
	case A_UCS2:
		return ucs2_out(b, n, out, out_size);
	case A_UCS2_LANG:
		/*
		 * §5: two GSM-7 characters of ISO 639 language packed into
		 * two octets, then UCS-2. Skip them only when they look like
		 * letters; some modems strip them already.
		 */
		if (n >= 4 && n % 2 == 0 && islower(b[0] & 0x7f) &&
				islower(((b[0] >> 7) | (b[1] << 1)) & 0x7f))
			return ucs2_out(b + 2, n - 2, out, out_size);
		return ucs2_out(b, n, out, out_size);
	case A_8BIT:
		return latin1_out(b, n, out, out_size);
	default:
		break;
	}
	/* GSM 7 bit family (dcs 15, 0, absent, ...). */
	if (mode == USSD_MODE_PACKED)
		return packed_out(b, n, out, out_size);
	if (mode == USSD_MODE_UCS2 || looks_ucs2(b, n))
		return ucs2_out(b, n, out, out_size); /* Quectel M35 */
	if (dcs == 0 && looks_8bit(b, n))
		return latin1_out(b, n, out, out_size); /* gammu#513 */
	return copy_plain(str, out, out_size);
}
