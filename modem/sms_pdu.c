/*
 * SMS TPDU codec (3GPP TS 23.040 §9.2, TS 23.038 §4). The decoder reads
 * through a bounded cursor; every read checks the remaining length and
 * records a static reason on failure. No allocation.
 */
#include <errno.h>
#include <string.h>

#include "modem/gsm7.h"
#include "modem/sms_pdu.h"
#include "modem/ucs2.h"

#define PDU_BIN_MAX 256 /* more than any SMSC + TPDU (12 + 164) */

/* ------------------------------------------------------------------ */
/* Bounded reader                                                      */

struct rd {
	const uint8_t *p;
	size_t len;
	size_t pos;
	const char *reason;
};

static bool rd_take(
		struct rd *r, size_t n, const uint8_t **ret, const char *reason)
{
	if (r->len - r->pos < n) {
		r->reason = reason;
		return false;
	}
	*ret = r->p + r->pos;
	r->pos += n;
	return true;
}

static bool rd_u8(struct rd *r, uint8_t *ret, const char *reason)
{
	const uint8_t *p;

	if (!rd_take(r, 1, &p, reason))
		return false;
	*ret = *p;
	return true;
}

/* ------------------------------------------------------------------ */
/* Hex                                                                 */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int sms_hex_to_bin(const char *hex, size_t hex_len, uint8_t *out,
		size_t out_size, const char **ret_reason)
{
	size_t i;

	if (!hex || (!out && out_size)) {
		if (ret_reason)
			*ret_reason = "missing argument";
		return -EINVAL;
	}
	while (hex_len && is_space(hex[0])) {
		hex++;
		hex_len--;
	}
	while (hex_len && is_space(hex[hex_len - 1]))
		hex_len--;
	for (i = 0; i < hex_len; i++) {
		if (hexval(hex[i]) < 0) {
			if (ret_reason)
				*ret_reason = "non-hex character in PDU";
			return -EINVAL;
		}
	}
	if (hex_len % 2) {
		if (ret_reason)
			*ret_reason = "odd number of hex digits";
		return -EINVAL;
	}
	if (hex_len / 2 > out_size) {
		if (ret_reason)
			*ret_reason = "PDU too long";
		return -EMSGSIZE;
	}
	for (i = 0; i < hex_len / 2; i++)
		out[i] = (uint8_t) (hexval(hex[2 * i]) << 4 |
				    hexval(hex[2 * i + 1]));
	return (int) (hex_len / 2);
}

static void bin_to_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* ------------------------------------------------------------------ */
/* Addresses (TS 23.040 §9.1.2.5, semi-octets §9.1.2.3)               */

static const char bcd_digits[] = "0123456789*#abc";

/*
 * The type-of-address octet (§9.1.2.5: TON bits 6-4, NPI bits 3-0) into a,
 * then `octets` octets of address value, returned in *ret_value.
 */
static bool rd_address(struct rd *r, size_t octets, const char *trunc_toa,
		const char *trunc_value, struct sms_address *a,
		const uint8_t **ret_value)
{
	uint8_t toa;

	if (!rd_u8(r, &toa, trunc_toa))
		return false;
	if (!rd_take(r, octets, ret_value, trunc_value))
		return false;
	a->ton = (toa >> 4) & 0x07;
	a->npi = toa & 0x0f;
	return true;
}

/*
 * n semi-octets, low nibble first, into a->number ('+' first for an
 * international a->ton); 0xF is the filler and ends the number. On failure
 * `reason` goes to r.
 */
static bool decode_bcd_number(struct rd *r, const uint8_t *p, size_t n,
		struct sms_address *a, const char *reason)
{
	char *out = a->number;
	size_t i, o = 0;

	if (a->ton == SMS_TON_INTERNATIONAL)
		out[o++] = '+';
	for (i = 0; i < n; i++) {
		uint8_t nib = i % 2 ? p[i / 2] >> 4 : p[i / 2] & 0x0f;

		if (nib == 0x0f)
			break;
		if (o + 1 >= sizeof(a->number)) {
			r->reason = reason;
			return false;
		}
		out[o++] = bcd_digits[nib];
	}
	out[o] = '\0';
	return true;
}

/*
 * Alphanumeric senders longer than TS 23.040 allows (GoogleVerify: 12
 * characters = 21 semi-octets) are sent by real SMSCs and accepted by
 * phones and gammu: decoded, bounded by the PDU's real length (rd) and
 * this many semi-octets.
 */
#define ALNUM_SEMI_OCTETS_MAX 40

static bool decode_tp_address(struct rd *r, struct sms_address *a)
{
	const uint8_t *p;
	uint8_t n, type;

	if (!rd_u8(r, &n, "PDU truncated in address length"))
		return false;
	/* Peek at the type: only alphanumeric addresses may be longer. */
	if (r->pos >= r->len) {
		r->reason = "PDU truncated in address type";
		return false;
	}
	type = r->p[r->pos];
	if (n > 20 && !(((type >> 4) & 7) == SMS_TON_ALPHANUMERIC &&
				      n <= ALNUM_SEMI_OCTETS_MAX)) {
		r->reason = "address length exceeds 20 digits";
		return false;
	}
	if (!rd_address(r, (n + 1u) / 2, "PDU truncated in address type",
			    "PDU truncated in address", a, &p))
		return false;
	if (a->ton == SMS_TON_ALPHANUMERIC) {
		/* §9.1.2.5: GSM-7 packed; n counts semi-octets used. */
		uint8_t sept[ALNUM_SEMI_OCTETS_MAX * 4 / 7 + 1];
		char name[ALNUM_SEMI_OCTETS_MAX * 3];
		size_t ns = (size_t) n * 4 / 7, k;

		if (gsm7_unpack(p, (n + 1u) / 2, 0, ns, sept, sizeof(sept)) ||
				gsm7_to_utf8(sept, ns, name, sizeof(name),
						NULL)) {
			r->reason = "bad alphanumeric address";
			return false;
		}
		/* Cut to fit at a character boundary (UTF-8 lead byte). */
		k = strlen(name);
		if (k >= sizeof(a->number)) {
			k = sizeof(a->number) - 1;
			while (k > 0 && ((unsigned char) name[k] & 0xc0) ==
							0x80)
				k--;
		}
		memcpy(a->number, name, k);
		a->number[k] = '\0';
		return true;
	}
	return decode_bcd_number(r, p, n, a, "bad address");
}

/* SMSC: TS 24.011 §8.2.5.2, length in octets incl. the type octet. */
static bool decode_smsc(struct rd *r, struct sms *m)
{
	const uint8_t *p;
	uint8_t n;

	if (!rd_u8(r, &n, "PDU empty (no SMSC length)"))
		return false;
	if (n == 0)
		return true;
	if (n > 11) {
		r->reason = "SMSC length exceeds 11 octets";
		return false;
	}
	if (!rd_address(r, n - 1u, "PDU truncated in SMSC",
			    "PDU truncated in SMSC", &m->smsc, &p))
		return false;
	m->has_smsc = true;
	return decode_bcd_number(
			r, p, (n - 1u) * 2u, &m->smsc, "bad SMSC address");
}

/* ------------------------------------------------------------------ */
/* Time stamps (§9.2.3.11)                                             */

static bool swapped_bcd(uint8_t b, uint8_t *ret)
{
	uint8_t lo = b & 0x0f, hi = b >> 4;

	if (lo > 9 || hi > 9)
		return false;
	*ret = (uint8_t) (lo * 10 + hi);
	return true;
}

static bool decode_scts(struct rd *r, struct sms_scts *t, const char *what)
{
	const uint8_t *p;
	uint8_t lo, hi;
	int q;

	if (!rd_take(r, 7, &p, what))
		return false;
	if (!swapped_bcd(p[0], &t->year) || !swapped_bcd(p[1], &t->month) ||
			!swapped_bcd(p[2], &t->day) ||
			!swapped_bcd(p[3], &t->hour) ||
			!swapped_bcd(p[4], &t->minute) ||
			!swapped_bcd(p[5], &t->second)) {
		r->reason = "bad BCD digit in time stamp";
		return false;
	}
	/* Zone: tens in the low nibble (bit 3 = sign), units in the high. */
	lo = p[6] & 0x07;
	hi = p[6] >> 4;
	if (hi > 9) {
		r->reason = "bad BCD digit in time zone";
		return false;
	}
	q = lo * 10 + hi;
	t->tz_quarters = (int8_t) ((p[6] & 0x08) ? -q : q);
	return true;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned) (y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t) doe - 719468;
}

static void civil_from_days(
		int64_t z, int *ret_y, unsigned *ret_m, unsigned *ret_d)
{
	int64_t era, y;
	unsigned doe, yoe, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned) (z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t) yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	*ret_y = (int) (y + (m <= 2));
	*ret_m = m;
	*ret_d = d;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const uint8_t dim[12] = {
			31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

int sms_scts_to_epoch(const struct sms_scts *t, int64_t *ret_epoch)
{
	unsigned y;
	int64_t days;

	if (!t || !ret_epoch)
		return -EINVAL;
	y = 2000u + t->year;
	if (t->year > 99 || t->month < 1 || t->month > 12 || t->day < 1 ||
			t->day > days_in_month(y, t->month) || t->hour > 23 ||
			t->minute > 59 || t->second > 59 ||
			t->tz_quarters < -79 || t->tz_quarters > 79)
		return -EINVAL;
	days = days_from_civil(y, t->month, t->day);
	*ret_epoch = days * 86400 + t->hour * 3600 + t->minute * 60 +
		     t->second - (int64_t) t->tz_quarters * 900;
	return 0;
}

int sms_scts_to_epoch_near(
		const struct sms_scts *t, int64_t ref_epoch, int64_t *ret_epoch)
{
	int64_t best = 0, best_d = -1;
	int64_t e;

	if (!t || !ret_epoch || sms_scts_to_epoch(t, &e) < 0)
		return -EINVAL; /* also checks the fields */
	for (unsigned y = 1900u + t->year; y <= 2100u + t->year; y += 100) {
		int64_t x, d;

		if (t->day > days_in_month(y, t->month))
			continue; /* 29 February of 1900 or 2100 */
		x = days_from_civil(y, t->month, t->day) * 86400 +
		    t->hour * 3600 + t->minute * 60 + t->second -
		    (int64_t) t->tz_quarters * 900;
		d = x > ref_epoch ? x - ref_epoch : ref_epoch - x;
		if (best_d < 0 || d < best_d) {
			best_d = d;
			best = x;
		}
	}
	*ret_epoch = best;
	return 0;
}

int sms_scts_from_epoch(
		int64_t epoch, int tz_quarters, struct sms_scts *ret_scts)
{
	int64_t local, days, secs;
	int y;
	unsigned m, d;

	if (!ret_scts || tz_quarters < -79 || tz_quarters > 79)
		return -EINVAL;
	local = epoch + (int64_t) tz_quarters * 900;
	days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	secs = local - days * 86400;
	civil_from_days(days, &y, &m, &d);
	if (y < 2000 || y > 2099)
		return -EINVAL;
	ret_scts->year = (uint8_t) (y - 2000);
	ret_scts->month = (uint8_t) m;
	ret_scts->day = (uint8_t) d;
	ret_scts->hour = (uint8_t) (secs / 3600);
	ret_scts->minute = (uint8_t) (secs / 60 % 60);
	ret_scts->second = (uint8_t) (secs % 60);
	ret_scts->tz_quarters = (int8_t) tz_quarters;
	return 0;
}

/* ------------------------------------------------------------------ */
/* DCS (TS 23.038 §4)                                                  */

static void decode_dcs(uint8_t raw, struct sms_dcs *d)
{
	d->raw = raw;
	d->charset = SMS_CHARSET_GSM7;
	d->msg_class = -1;
	d->compressed = false;
	if ((raw & 0x80) == 0) {
		/* 00xx/01xx: general data coding (01: automatic deletion). */
		d->compressed = raw & 0x20;
		if (raw & 0x10)
			d->msg_class = raw & 0x03;
		switch ((raw >> 2) & 0x03) {
		case 1:
			d->charset = SMS_CHARSET_8BIT;
			break;
		case 2:
			d->charset = SMS_CHARSET_UCS2;
			break;
		default: /* 0, and reserved 3 read as GSM-7 */
			break;
		}
	} else if ((raw & 0xf0) == 0xf0) {
		/* 1111: data coding / message class. */
		d->charset = (raw & 0x04) ? SMS_CHARSET_8BIT : SMS_CHARSET_GSM7;
		d->msg_class = raw & 0x03;
	} else if ((raw & 0xf0) == 0xe0) {
		/* 1110: message waiting indication, store, UCS-2. */
		d->charset = SMS_CHARSET_UCS2;
	}
	/* 1100/1101 MWI (GSM-7) and reserved 1000..1011: GSM-7. */
}

/* ------------------------------------------------------------------ */
/* User data (§9.2.3.16, §9.2.3.24)                                    */

static bool decode_udh(struct sms *m, const uint8_t *ud, size_t octets,
		const char **reason)
{
	size_t udhl, pos;

	if (octets < 1) {
		*reason = "UDH indicated but user data is empty";
		return false;
	}
	udhl = ud[0];
	if (udhl + 1 > octets) {
		*reason = "UDH length beyond user data";
		return false;
	}
	m->udh.present = true;
	m->udh.len = (uint8_t) udhl;
	pos = 1;
	while (pos < udhl + 1) {
		uint8_t iei, iel;
		const uint8_t *v;

		if (udhl + 1 - pos < 2) {
			*reason = "UDH information element truncated";
			return false;
		}
		iei = ud[pos];
		iel = ud[pos + 1];
		if (udhl + 1 - pos - 2 < iel) {
			*reason = "UDH information element truncated";
			return false;
		}
		v = ud + pos + 2;
		pos += 2u + iel;
		/*
		 * §9.2.3.24.1/.8: a concat IE with total 0, seq 0 or
		 * seq > total is ignored, as is a wrongly sized IE.
		 */
		if (iei == 0x00 && iel == 3 && v[1] && v[2] && v[2] <= v[1]) {
			m->udh.has_concat = true;
			m->udh.concat_16bit = false;
			m->udh.concat_ref = v[0];
			m->udh.concat_total = v[1];
			m->udh.concat_seq = v[2];
		} else if (iei == 0x08 && iel == 4 && v[2] && v[3] &&
				v[3] <= v[2]) {
			m->udh.has_concat = true;
			m->udh.concat_16bit = true;
			m->udh.concat_ref = (uint16_t) (v[0] << 8 | v[1]);
			m->udh.concat_total = v[2];
			m->udh.concat_seq = v[3];
		} else if (iei == 0x04 && iel == 2) {
			/* §9.2.3.24.3 */
			m->udh.has_ports = true;
			m->udh.ports_16bit = false;
			m->udh.dst_port = v[0];
			m->udh.src_port = v[1];
		} else if (iei == 0x05 && iel == 4) {
			/* §9.2.3.24.4 */
			m->udh.has_ports = true;
			m->udh.ports_16bit = true;
			m->udh.dst_port = (uint16_t) (v[0] << 8 | v[1]);
			m->udh.src_port = (uint16_t) (v[2] << 8 | v[3]);
		}
	}
	return true;
}

static bool decode_ud(struct rd *r, struct sms *m)
{
	const uint8_t *p;
	size_t octets, hdr = 0;
	bool septets = m->dcs.charset == SMS_CHARSET_GSM7 && !m->dcs.compressed;

	if (!rd_u8(r, &m->udl, "PDU truncated in user data length"))
		return false;
	if (septets) {
		if (m->udl > 160) {
			r->reason = "user data length exceeds 160 septets";
			return false;
		}
		octets = ((size_t) m->udl * 7 + 7) / 8;
	} else {
		if (m->udl > SMS_UD_MAX) {
			r->reason = "user data length exceeds 140 octets";
			return false;
		}
		octets = m->udl;
	}
	if (!rd_take(r, octets, &p, "PDU truncated in user data"))
		return false;
	memcpy(m->ud, p, octets);
	m->ud_len = octets;
	if (m->udhi) {
		if (!decode_udh(m, p, octets, &r->reason))
			return false;
		hdr = (size_t) m->udh.len + 1;
	}
	if (septets) {
		uint8_t sept[160];
		size_t skip = 0, fill = 0, n;

		if (hdr) {
			/* §9.2.3.24: the header fills whole septets. */
			skip = (hdr * 8 + 6) / 7;
			fill = skip * 7 - hdr * 8;
			if (skip > m->udl) {
				r->reason = "UDH longer than user data length";
				return false;
			}
		}
		n = m->udl - skip;
		if (gsm7_unpack(p + hdr, octets - hdr, (unsigned) fill, n, sept,
				    sizeof(sept))) {
			r->reason = "bad GSM 7-bit user data";
			return false;
		}
		memcpy(m->units, sept, n);
		m->units_len = n;
		if (gsm7_to_utf8(sept, n, m->text, sizeof(m->text),
				    &m->text_len)) {
			m->text[0] = '\0';
			m->text_len = 0;
			m->text_error = "bad GSM 7-bit text";
		}
		return true;
	}
	memcpy(m->units, p + hdr, octets - hdr);
	m->units_len = octets - hdr;
	if (m->dcs.charset == SMS_CHARSET_UCS2 && !m->dcs.compressed) {
		int k = ucs2_to_utf8(p + hdr, octets - hdr, m->text,
				sizeof(m->text));

		if (k < 0) {
			/*
			 * Each field on its own: the sender, time stamp and
			 * UDH stay valid; the text keeps what decodes.
			 */
			if ((octets - hdr) % 2)
				m->text_error = "odd number of octets in "
						"UCS-2 text";
			else
				m->text_error = "invalid UCS-2 (lone "
						"surrogate)";
			m->text_len = ucs2_to_utf8_lenient(p + hdr,
					octets - hdr, m->text, sizeof(m->text),
					NULL);
			return true;
		}
		m->text_len = (size_t) k;
		return true;
	}
	memcpy(m->data, p + hdr, octets - hdr);
	m->data_len = octets - hdr;
	return true;
}

/* ------------------------------------------------------------------ */
/* TPDUs                                                               */

static uint32_t vp_relative_seconds(uint8_t vp)
{
	/* §9.2.3.12.1 */
	if (vp <= 143)
		return (vp + 1u) * 5 * 60;
	if (vp <= 167)
		return 12 * 3600 + (vp - 143u) * 30 * 60;
	if (vp <= 196)
		return (vp - 166u) * 86400;
	return (vp - 192u) * 7 * 86400;
}

/* TP-DCS (§9.2.3.10), raw and decoded. */
static bool rd_dcs(struct rd *r, struct sms_dcs *d)
{
	if (!rd_u8(r, &d->raw, "PDU truncated at TP-DCS"))
		return false;
	decode_dcs(d->raw, d);
	return true;
}

/* TP-OA/DA, TP-PID, TP-DCS: in this order in DELIVER and SUBMIT. */
static bool decode_addr_pid_dcs(struct rd *r, struct sms *m)
{
	if (!decode_tp_address(r, &m->addr))
		return false;
	if (!rd_u8(r, &m->pid, "PDU truncated at TP-PID"))
		return false;
	return rd_dcs(r, &m->dcs);
}

static bool decode_deliver(struct rd *r, struct sms *m)
{
	uint8_t fo = m->first_octet;

	/* §9.2.2.1 */
	m->mms = fo & 0x04;
	m->lp = fo & 0x08;
	m->sri = fo & 0x20;
	m->udhi = fo & 0x40;
	m->rp = fo & 0x80;
	if (!decode_addr_pid_dcs(r, m))
		return false;
	if (!decode_scts(r, &m->scts, "PDU truncated in time stamp"))
		return false;
	return decode_ud(r, m);
}

static bool decode_submit(struct rd *r, struct sms *m)
{
	uint8_t fo = m->first_octet;
	const uint8_t *p;

	/* §9.2.2.2 */
	m->rd = fo & 0x04;
	m->vpf = (enum sms_vpf)((fo >> 3) & 0x03);
	m->srr = fo & 0x20;
	m->udhi = fo & 0x40;
	m->rp = fo & 0x80;
	if (!rd_u8(r, &m->mr, "PDU truncated at TP-MR"))
		return false;
	if (!decode_addr_pid_dcs(r, m))
		return false;
	switch (m->vpf) {
	case SMS_VPF_NONE:
		break;
	case SMS_VPF_RELATIVE:
		if (!rd_u8(r, &m->vp_relative,
				    "PDU truncated in validity period"))
			return false;
		m->vp_seconds = vp_relative_seconds(m->vp_relative);
		break;
	case SMS_VPF_ABSOLUTE:
		if (!decode_scts(r, &m->vp_absolute,
				    "PDU truncated in validity period"))
			return false;
		break;
	case SMS_VPF_ENHANCED:
		if (!rd_take(r, 7, &p, "PDU truncated in validity period"))
			return false;
		memcpy(m->vp_enhanced, p, 7);
		break;
	}
	return decode_ud(r, m);
}

static bool only_padding(const struct rd *r)
{
	size_t i;

	for (i = r->pos; i < r->len; i++)
		if (r->p[i] != 0xff)
			return false;
	return true;
}

static bool decode_status_report(struct rd *r, struct sms *m)
{
	uint8_t fo = m->first_octet, pi;

	/* §9.2.2.3 */
	m->mms = fo & 0x04;
	m->lp = fo & 0x08;
	m->srq = fo & 0x20;
	m->udhi = fo & 0x40;
	if (!rd_u8(r, &m->mr, "PDU truncated at TP-MR"))
		return false;
	if (!decode_tp_address(r, &m->addr))
		return false;
	if (!decode_scts(r, &m->scts, "PDU truncated in time stamp"))
		return false;
	if (!decode_scts(r, &m->discharge, "PDU truncated in discharge time"))
		return false;
	if (!rd_u8(r, &m->status, "PDU truncated at TP-ST"))
		return false;
	m->dcs.charset = SMS_CHARSET_GSM7;
	m->dcs.msg_class = -1;
	/* TP-PI and what follows are optional (§9.2.3.27). */
	if (only_padding(r))
		return true;
	if (!rd_u8(r, &pi, "PDU truncated at TP-PI"))
		return false;
	m->pi = pi;
	while (pi & 0x80) { /* extension octets: skip */
		if (!rd_u8(r, &pi, "PDU truncated in TP-PI extension"))
			return false;
	}
	if ((m->pi & 0x01) && !rd_u8(r, &m->pid, "PDU truncated at TP-PID"))
		return false;
	if (m->pi & 0x02) {
		if (!rd_dcs(r, &m->dcs))
			return false;
	}
	if (m->pi & 0x04)
		return decode_ud(r, m);
	return true;
}

int sms_decode(const uint8_t *pdu, size_t len, unsigned flags,
		struct sms *ret_msg, const char **ret_reason)
{
	struct sms m;
	struct rd r = {.p = pdu, .len = len};
	bool ok;

	if (!pdu || !ret_msg) {
		if (ret_reason)
			*ret_reason = "missing argument";
		return -EINVAL;
	}
	memset(&m, 0, sizeof(m));
	m.dcs.msg_class = -1;
	if (!(flags & SMS_DECODE_NO_SMSC) && !decode_smsc(&r, &m))
		goto out_fail;
	if (!rd_u8(&r, &m.first_octet, "PDU truncated before first octet"))
		goto out_fail;
	switch (m.first_octet & 0x03) {
	case 0:
		m.type = SMS_TYPE_DELIVER;
		ok = decode_deliver(&r, &m);
		break;
	case 1:
		m.type = SMS_TYPE_SUBMIT;
		ok = decode_submit(&r, &m);
		break;
	case 2:
		m.type = SMS_TYPE_STATUS_REPORT;
		ok = decode_status_report(&r, &m);
		break;
	default:
		r.reason = "reserved message type (TP-MTI 11)";
		ok = false;
		break;
	}
	if (!ok)
		goto out_fail;
	if (!only_padding(&r)) {
		r.reason = "trailing data after user data";
		goto out_fail;
	}
	*ret_msg = m;
	return 0;

out_fail:
	if (ret_reason)
		*ret_reason = r.reason ? r.reason : "malformed PDU";
	return -EINVAL;
}

int sms_decode_hex(const char *hex, size_t hex_len, unsigned flags,
		struct sms *ret_msg, const char **ret_reason)
{
	uint8_t buf[PDU_BIN_MAX];
	int n;

	n = sms_hex_to_bin(hex, hex_len, buf, sizeof(buf), ret_reason);
	if (n < 0)
		return -EINVAL;
	return sms_decode(buf, (size_t) n, flags, ret_msg, ret_reason);
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

struct wr {
	uint8_t buf[PDU_BIN_MAX];
	size_t len;
};

static void wr_u8(struct wr *w, uint8_t v)
{
	/* Sizes are bounded by construction (<= 176 octets). */
	if (w->len < sizeof(w->buf))
		w->buf[w->len++] = v;
}

static void wr_bytes(struct wr *w, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		wr_u8(w, p[i]);
}

static bool is_dial_char(char c)
{
	return (c >= '0' && c <= '9') || c == '*' || c == '#';
}

/*
 * Parse a number for encoding: "+digits" -> international, "digits" ->
 * unknown TON (what handsets send for national numbers). Writes the BCD
 * semi-octets to out and returns the digit count, or -EINVAL.
 */
static int parse_number(
		const char *s, uint8_t *ret_toa, uint8_t *out, size_t out_size)
{
	size_t i, n;
	bool intl = s[0] == '+';

	if (intl)
		s++;
	n = strlen(s);
	if (n == 0 || n > 20 || (n + 1) / 2 > out_size)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!is_dial_char(s[i]))
			return -EINVAL;
	for (i = 0; i < (n + 1) / 2; i++)
		out[i] = 0xff;
	for (i = 0; i < n; i++) {
		uint8_t v = (uint8_t) (s[i] == '*'   ? 0x0a
				       : s[i] == '#' ? 0x0b
						     : s[i] - '0');

		if (i % 2)
			out[i / 2] = (uint8_t) ((out[i / 2] & 0x0f) | v << 4);
		else
			out[i / 2] = (uint8_t) ((out[i / 2] & 0xf0) | v);
	}
	*ret_toa = intl ? 0x91 : 0x81;
	return (int) n;
}

static bool looks_numeric(const char *s)
{
	if (*s == '+')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (!is_dial_char(*s))
			return false;
	return true;
}

/*
 * A number as address length, type and BCD digits (§9.1.2.5). The length
 * counts semi-octets of digits in a TP address, octets of type and digits
 * in the SMSC prefix (TS 24.011 §8.2.5.2). -EINVAL for a bad number.
 */
static int put_number(struct wr *w, const char *s, bool smsc)
{
	uint8_t bcd[10], toa;
	size_t octets;
	int n;

	n = parse_number(s, &toa, bcd, sizeof(bcd));
	if (n < 0)
		return -EINVAL;
	octets = ((size_t) n + 1) / 2;
	wr_u8(w, (uint8_t) (smsc ? 1 + octets : (size_t) n));
	wr_u8(w, toa);
	wr_bytes(w, bcd, octets);
	return 0;
}

/* TP address (§9.1.2.5): length in semi-octets, type, digits. */
static int put_tp_address(struct wr *w, const char *s, bool allow_alnum,
		const char **reason)
{
	if (!s || !*s) {
		*reason = "missing address";
		return -EINVAL;
	}
	if (allow_alnum && !looks_numeric(s)) {
		uint8_t sept[24], packed[12];
		size_t ns;
		int octets;

		if (gsm7_from_utf8(s, strlen(s), sept, sizeof(sept), &ns) ||
				ns > 11 || ns == 0) {
			*reason = "alphanumeric address must be 1-11 GSM "
				  "7-bit characters";
			return -EINVAL;
		}
		octets = gsm7_pack(sept, ns, 0, packed, sizeof(packed));
		if (octets < 0) {
			*reason = "bad alphanumeric address";
			return -EINVAL;
		}
		wr_u8(w, (uint8_t) ((ns * 7 + 3) / 4));
		wr_u8(w, 0xd0); /* TON 5 alphanumeric, NPI 0 */
		wr_bytes(w, packed, (size_t) octets);
		return 0;
	}
	if (put_number(w, s, false) < 0) {
		*reason = "bad phone number (want +digits or digits, "
			  "at most 20)";
		return -EINVAL;
	}
	return 0;
}

/* SMSC prefix (TS 24.011 §8.2.5.2): "00" when none is given. */
static int put_smsc(struct wr *w, const char *s, const char **reason)
{
	if (!s || !*s) {
		wr_u8(w, 0);
		return 0;
	}
	if (put_number(w, s, true) < 0) {
		*reason = "bad SMSC number";
		return -EINVAL;
	}
	return 0;
}

static bool put_scts(struct wr *w, const struct sms_scts *t)
{
	const uint8_t v[6] = {t->year, t->month, t->day, t->hour, t->minute,
			t->second};
	int q = t->tz_quarters < 0 ? -t->tz_quarters : t->tz_quarters;
	size_t i;

	if (q > 79)
		return false;
	for (i = 0; i < 6; i++) {
		if (v[i] > 99)
			return false;
		wr_u8(w, (uint8_t) ((v[i] % 10) << 4 | v[i] / 10));
	}
	wr_u8(w, (uint8_t) ((q % 10) << 4 | (q / 10) |
				 (t->tz_quarters < 0 ? 0x08 : 0)));
	return true;
}

static uint8_t vp_relative_encode(uint32_t seconds)
{
	uint32_t minutes = (seconds + 59) / 60, days, weeks;

	/* §9.2.3.12.1, rounding up so the message lives at least as asked. */
	if (minutes <= 720)
		return (uint8_t) (minutes <= 5 ? 0 : (minutes + 4) / 5 - 1);
	if (minutes <= 1440)
		return (uint8_t) (143 + (minutes - 720 + 29) / 30);
	days = (minutes + 1439) / 1440;
	if (days <= 30)
		return (uint8_t) (166 + days);
	weeks = (days + 6) / 7;
	if (weeks > 63)
		weeks = 63;
	return (uint8_t) (192 + weeks);
}

/* ---- splitting ---------------------------------------------------- */

/* Per-part capacity in units (septets, UTF-16 units or octets). */
static unsigned part_cap(enum sms_charset cs, size_t udh_octets)
{
	switch (cs) {
	case SMS_CHARSET_GSM7:
		return (unsigned) (160 - (udh_octets * 8 + 6) / 7);
	case SMS_CHARSET_UCS2:
		return (unsigned) ((140 - udh_octets) / 2);
	default:
		return (unsigned) (140 - udh_octets);
	}
}

/*
 * Take characters from text[*pos..len) while they fit in cap units; writes
 * the part's payload (septets, UTF-16BE octets, or raw octets) into buf and
 * its unit count in *ret_units. Never splits an escape pair or a surrogate
 * pair: a character is taken whole or left for the next part.
 */
static int take_part(const char *text, size_t len, size_t *pos,
		enum sms_charset cs, unsigned cap, uint8_t *buf,
		size_t *ret_bytes, unsigned *ret_units)
{
	unsigned units = 0;
	size_t o = 0;

	if (cs == SMS_CHARSET_8BIT) {
		size_t n = len - *pos < cap ? len - *pos : cap;

		if (buf)
			memcpy(buf, text + *pos, n);
		*pos += n;
		*ret_bytes = n;
		*ret_units = (unsigned) n;
		return 0;
	}
	while (*pos < len) {
		uint32_t cp;
		uint8_t s[4];
		unsigned need;
		int n = utf8_decode_one(text + *pos, len - *pos, &cp);

		if (n < 0)
			return -EINVAL;
		if (cs == SMS_CHARSET_GSM7) {
			int k = gsm7_from_codepoint(cp, s);

			if (k < 0)
				return -EINVAL;
			need = (unsigned) k;
		} else {
			need = cp > 0xffff ? 2 : 1;
		}
		if (units + need > cap)
			break;
		if (buf) {
			if (cs == SMS_CHARSET_GSM7) {
				buf[o++] = s[0];
				if (need == 2)
					buf[o++] = s[1];
			} else {
				int k = ucs2_from_utf8(text + *pos, (size_t) n,
						buf + o, 4);

				if (k < 0)
					return -EINVAL;
				o += (size_t) k;
			}
		}
		units += need;
		*pos += (size_t) n;
	}
	*ret_bytes = o;
	*ret_units = units;
	return 0;
}

/* Number of parts text needs at cap units per part, or -EINVAL. */
static int count_parts(const char *text, size_t len, enum sms_charset cs,
		unsigned cap, unsigned *ret_units_total,
		unsigned *ret_last_units)
{
	size_t pos = 0, bytes;
	unsigned units = 0, total = 0;
	int parts = 0;

	do {
		int rc = take_part(
				text, len, &pos, cs, cap, NULL, &bytes, &units);

		if (rc < 0)
			return rc;
		total += units;
		parts++;
		if (parts > 100000)
			return -EMSGSIZE;
	} while (pos < len);
	if (ret_units_total)
		*ret_units_total = total;
	if (ret_last_units)
		*ret_last_units = units;
	return parts;
}

static enum sms_charset choose_charset(const char *text, size_t len)
{
	return gsm7_is_encodable(text, len) ? SMS_CHARSET_GSM7
					    : SMS_CHARSET_UCS2;
}

int sms_segment_count(
		const char *text, size_t len, struct sms_segments *ret_seg)
{
	struct sms_segments seg;
	unsigned last;
	int parts;

	if ((!text && len) || !ret_seg)
		return -EINVAL;
	if (ucs2_count_units(text, len) < 0)
		return -EINVAL;
	seg.charset = choose_charset(text, len);
	seg.units_per_part = part_cap(seg.charset, 0);
	parts = count_parts(text, len, seg.charset, seg.units_per_part,
			&seg.units, &last);
	if (parts < 0)
		return parts;
	if (parts > 1) {
		seg.units_per_part = part_cap(seg.charset, 6);
		parts = count_parts(text, len, seg.charset, seg.units_per_part,
				&seg.units, &last);
		if (parts < 0)
			return parts;
	}
	seg.parts = (unsigned) parts;
	seg.units_left = seg.units_per_part - last;
	*ret_seg = seg;
	return 0;
}

/* Common to SUBMIT and DELIVER: the pieces that differ per type. */
struct enc_ctx {
	enum sms_type type;
	const char *smsc;
	enum sms_charset cs;
	uint8_t dcs;
	bool concat16;
	uint16_t ref;
	bool force_concat;
	const struct sms_submit_opts *submit;
	const struct sms_deliver_opts *deliver;
};

static uint8_t make_dcs(enum sms_charset cs, int msg_class)
{
	/* TS 23.038 §4, general data coding group 00xx. */
	uint8_t dcs = cs == SMS_CHARSET_UCS2   ? 0x08
		      : cs == SMS_CHARSET_8BIT ? 0x04
					       : 0x00;

	if (msg_class >= 0 && msg_class <= 3)
		dcs |= (uint8_t) (0x10 | msg_class);
	return dcs;
}

static int encode_one(const struct enc_ctx *c, const uint8_t *payload,
		size_t bytes, unsigned units, unsigned seq, unsigned total,
		struct sms_pdu_out *out, const char **reason)
{
	struct wr w = {.len = 0};
	uint8_t udh[8], ud[SMS_UD_MAX];
	size_t udh_len = 0, ud_len, prefix;
	unsigned udl;
	bool udhi = total > 1 || c->force_concat;

	if (udhi) {
		if (c->concat16) {
			udh[0] = 6;
			udh[1] = 0x08;
			udh[2] = 4;
			udh[3] = (uint8_t) (c->ref >> 8);
			udh[4] = (uint8_t) (c->ref & 0xff);
			udh[5] = (uint8_t) total;
			udh[6] = (uint8_t) seq;
			udh_len = 7;
		} else {
			udh[0] = 5;
			udh[1] = 0x00;
			udh[2] = 3;
			udh[3] = (uint8_t) c->ref;
			udh[4] = (uint8_t) total;
			udh[5] = (uint8_t) seq;
			udh_len = 6;
		}
	}
	memcpy(ud, udh, udh_len);
	if (c->cs == SMS_CHARSET_GSM7) {
		size_t skip = (udh_len * 8 + 6) / 7;
		int k = gsm7_pack(payload, bytes,
				(unsigned) (skip * 7 - udh_len * 8),
				ud + udh_len, sizeof(ud) - udh_len);

		if (k < 0) {
			*reason = "internal: GSM 7-bit packing failed";
			return -EINVAL;
		}
		ud_len = udh_len + (size_t) k;
		udl = (unsigned) skip + units;
	} else {
		memcpy(ud + udh_len, payload, bytes);
		ud_len = udh_len + bytes;
		udl = (unsigned) ud_len;
	}

	if (put_smsc(&w, c->smsc, reason) < 0)
		return -EINVAL;
	prefix = w.len;
	if (c->type == SMS_TYPE_SUBMIT) {
		const struct sms_submit_opts *o = c->submit;
		uint8_t fo = 0x01;

		/* §9.2.2.2 first octet */
		if (o->reject_duplicates)
			fo |= 0x04;
		if (o->validity_seconds)
			fo |= SMS_VPF_RELATIVE << 3;
		if (o->status_report)
			fo |= 0x20;
		if (udhi)
			fo |= 0x40;
		wr_u8(&w, fo);
		wr_u8(&w, o->mr);
		if (put_tp_address(&w, o->to, false, reason) < 0)
			return -EINVAL;
		wr_u8(&w, o->pid);
		wr_u8(&w, c->dcs);
		if (o->validity_seconds)
			wr_u8(&w, vp_relative_encode(o->validity_seconds));
	} else {
		const struct sms_deliver_opts *o = c->deliver;
		/* §9.2.2.1: MMS set = no more messages waiting. */
		uint8_t fo = 0x04;

		if (o->sri)
			fo |= 0x20;
		if (udhi)
			fo |= 0x40;
		wr_u8(&w, fo);
		if (put_tp_address(&w, o->from, true, reason) < 0)
			return -EINVAL;
		wr_u8(&w, o->pid);
		wr_u8(&w, c->dcs);
		if (!put_scts(&w, &o->scts)) {
			*reason = "time stamp field out of range";
			return -EINVAL;
		}
	}
	wr_u8(&w, (uint8_t) udl);
	wr_bytes(&w, ud, ud_len);
	bin_to_hex(w.buf, w.len, out->hex);
	out->tpdu_len = w.len - prefix;
	out->seq = (uint8_t) seq;
	out->total = (uint8_t) total;
	return 0;
}

static int encode_parts(struct enc_ctx *c, const char *text, size_t len,
		int msg_class, struct sms_pdu_out *out, size_t max_parts,
		const char **reason)
{
	size_t pos = 0, udh_octets;
	unsigned cap, total, seq;
	int parts;

	if (!text && len) {
		*reason = "missing text";
		return -EINVAL;
	}
	if (c->cs == SMS_CHARSET_AUTO) {
		if (ucs2_count_units(text, len) < 0) {
			*reason = "text is not valid UTF-8";
			return -EINVAL;
		}
		c->cs = choose_charset(text, len);
	}
	c->dcs = make_dcs(c->cs, msg_class);
	udh_octets = c->force_concat ? (c->concat16 ? 7 : 6) : 0;
	cap = part_cap(c->cs, udh_octets);
	parts = count_parts(text, len, c->cs, cap, NULL, NULL);
	if (parts > 1 && !c->force_concat) {
		udh_octets = c->concat16 ? 7 : 6;
		cap = part_cap(c->cs, udh_octets);
		parts = count_parts(text, len, c->cs, cap, NULL, NULL);
	}
	if (parts == -EINVAL) {
		*reason = c->cs == SMS_CHARSET_GSM7 ? "text is not valid UTF-8 "
						      "or has characters "
						      "outside GSM 7-bit"
						    : "text is not valid UTF-8";
		return -EINVAL;
	}
	if (parts < 0 || parts > SMS_MAX_PARTS || (size_t) parts > max_parts) {
		*reason = "text needs too many parts";
		return -EMSGSIZE;
	}
	total = (unsigned) parts;
	for (seq = 1; seq <= total; seq++) {
		uint8_t payload[SMS_UD_MAX * 2];
		size_t bytes;
		unsigned units;
		int rc;

		rc = take_part(text, len, &pos, c->cs, cap, payload, &bytes,
				&units);
		if (rc < 0) {
			*reason = "internal: split failed";
			return rc;
		}
		rc = encode_one(c, payload, bytes, units, seq, total,
				&out[seq - 1], reason);
		if (rc < 0)
			return rc;
	}
	return (int) total;
}

void sms_submit_opts_init(struct sms_submit_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->charset = SMS_CHARSET_AUTO;
}

void sms_deliver_opts_init(struct sms_deliver_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->charset = SMS_CHARSET_AUTO;
	opts->msg_class = -1;
}

int sms_encode_submit(const char *text, size_t len,
		const struct sms_submit_opts *opts, struct sms_pdu_out *out,
		size_t max_parts, const char **ret_reason)
{
	struct enc_ctx c = {.type = SMS_TYPE_SUBMIT};
	const char *reason = "bad argument";
	int rc;

	if (!opts || !out || max_parts == 0 || !opts->to) {
		rc = -EINVAL;
		if (opts && !opts->to)
			reason = "missing destination number";
		goto out_fail;
	}
	if (!looks_numeric(opts->to)) {
		reason = "bad destination number (want +digits or digits)";
		rc = -EINVAL;
		goto out_fail;
	}
	c.smsc = opts->smsc;
	c.cs = opts->charset;
	c.ref = opts->concat_ref;
	c.submit = opts;
	rc = encode_parts(&c, text, len, opts->class0 ? 0 : -1, out, max_parts,
			&reason);
	if (rc >= 0)
		return rc;
out_fail:
	if (ret_reason)
		*ret_reason = reason;
	return rc;
}

int sms_encode_deliver(const char *text, size_t len,
		const struct sms_deliver_opts *opts, struct sms_pdu_out *out,
		size_t max_parts, const char **ret_reason)
{
	struct enc_ctx c = {.type = SMS_TYPE_DELIVER};
	const char *reason = "bad argument";
	int rc;

	if (!opts || !out || max_parts == 0 || !opts->from ||
			opts->msg_class > 3) {
		rc = -EINVAL;
		goto out_fail;
	}
	c.smsc = opts->smsc;
	c.cs = opts->charset;
	c.ref = opts->concat_ref;
	c.concat16 = opts->concat_16bit;
	c.force_concat = opts->force_concat;
	c.deliver = opts;
	rc = encode_parts(&c, text, len, opts->msg_class, out, max_parts,
			&reason);
	if (rc >= 0)
		return rc;
out_fail:
	if (ret_reason)
		*ret_reason = reason;
	return rc;
}

int sms_encode_status_report(const struct sms_status_report_opts *opts,
		struct sms_pdu_out *ret_out, const char **ret_reason)
{
	struct wr w = {.len = 0};
	const char *reason = "bad argument";
	size_t prefix;
	uint8_t fo = 0x02;

	if (!opts || !ret_out)
		goto out_fail;
	if (put_smsc(&w, opts->smsc, &reason) < 0)
		goto out_fail;
	prefix = w.len;
	/* §9.2.2.3 */
	if (opts->mms)
		fo |= 0x04;
	if (opts->srq)
		fo |= 0x20;
	wr_u8(&w, fo);
	wr_u8(&w, opts->mr);
	if (put_tp_address(&w, opts->recipient, false, &reason) < 0)
		goto out_fail;
	if (!put_scts(&w, &opts->scts) || !put_scts(&w, &opts->discharge)) {
		reason = "time stamp field out of range";
		goto out_fail;
	}
	wr_u8(&w, opts->status);
	bin_to_hex(w.buf, w.len, ret_out->hex);
	ret_out->tpdu_len = w.len - prefix;
	ret_out->seq = 1;
	ret_out->total = 1;
	return 1;

out_fail:
	if (ret_reason)
		*ret_reason = reason;
	return -EINVAL;
}

const char *sms_type_name(enum sms_type type)
{
	switch (type) {
	case SMS_TYPE_DELIVER:
		return "deliver";
	case SMS_TYPE_SUBMIT:
		return "submit";
	case SMS_TYPE_STATUS_REPORT:
		return "status-report";
	}
	return "unknown";
}

const char *sms_charset_name(enum sms_charset cs)
{
	switch (cs) {
	case SMS_CHARSET_AUTO:
		return "auto";
	case SMS_CHARSET_GSM7:
		return "gsm7";
	case SMS_CHARSET_8BIT:
		return "8bit";
	case SMS_CHARSET_UCS2:
		return "ucs2";
	}
	return "unknown";
}

int sms_submit_hex_set_reject_duplicates(char *hex)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t n, pos;
	int l0, l1, f0, f1, smsc_len, fo;

	if (!hex)
		return -EINVAL;
	n = strlen(hex);
	if (n < 4 || (l0 = hexval(hex[0])) < 0 || (l1 = hexval(hex[1])) < 0)
		return -EINVAL;
	smsc_len = l0 << 4 | l1;
	pos = 2 + (size_t) smsc_len * 2;
	if (n < pos + 2 || (f0 = hexval(hex[pos])) < 0 ||
			(f1 = hexval(hex[pos + 1])) < 0)
		return -EINVAL;
	fo = f0 << 4 | f1;
	if ((fo & 0x03) != 0x01)
		return -EINVAL; /* TP-MTI 01: SMS-SUBMIT only */
	fo |= 0x04;
	hex[pos] = digits[(fo >> 4) & 0xF];
	hex[pos + 1] = digits[fo & 0xF];
	return 0;
}
