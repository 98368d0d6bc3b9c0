/*
 * sim_inject.c - incoming SMS "from the network": SMS-DELIVER PDUs built
 * with the project's codec (modem/sms_pdu.h), split, reordered, duplicated,
 * dropped or damaged on request.
 */
#include "config.h"

#include "tests/sim/sim_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int hex_octet(const char *hex, size_t len, size_t i)
{
	int hi, lo;

	if (2 * i + 1 >= len)
		return -1;
	hi = hexval(hex[2 * i]);
	lo = hexval(hex[2 * i + 1]);
	return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

static void put_octet(char *hex, size_t i, unsigned v)
{
	static const char d[] = "0123456789ABCDEF";

	hex[2 * i] = d[(v >> 4) & 15];
	hex[2 * i + 1] = d[v & 15];
}

/*
 * Octet index of TP-UDL in an SMS-DELIVER (TS 23.040 §9.2.2.1): SCA, first
 * octet, TP-OA (length in semi-octets, TOA, digits), PID, DCS, SCTS (7).
 */
static int udl_index(const char *hex)
{
	size_t len = strlen(hex);
	int sca = hex_octet(hex, len, 0), oa;

	if (sca < 0)
		return -EINVAL;
	oa = hex_octet(hex, len, (size_t) sca + 2);
	if (oa < 0)
		return -EINVAL;
	return sca + 1 + 1 + 2 + (oa + 1) / 2 + 1 + 1 + 7;
}

/* Rewrite total and sequence of the concat IE that starts the UDH. */
static int patch_concat(char *hex, bool ref16, unsigned total, unsigned seq)
{
	int u = udl_index(hex);
	size_t p;

	if (u < 0)
		return u;
	/* UDL, UDHL, IEI, IEDL, ref (1 or 2), total, seq */
	p = (size_t) u + 4 + (ref16 ? 2 : 1);
	if (2 * (p + 2) > strlen(hex))
		return -EINVAL;
	put_octet(hex, p, total);
	put_octet(hex, p + 1, seq);
	return 0;
}

static size_t utf8_count(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char) *s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Byte offset of code point @k in @s. */
static size_t utf8_offset(const char *s, size_t k)
{
	size_t i = 0, n = 0;

	for (; s[i]; i++) {
		if (((unsigned char) s[i] & 0xc0) != 0x80) {
			if (n == k)
				return i;
			n++;
		}
	}
	return i;
}

static bool in_list(const uint8_t *list, size_t n, unsigned v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

static void corrupt(char *hex, unsigned *hdr_len, enum sim_corrupt how)
{
	size_t len = strlen(hex);
	int u;

	switch (how) {
	case SIM_CORRUPT_BADHEX:
		if (len > 6)
			hex[len - 5] = 'G';
		break;
	case SIM_CORRUPT_BADUDL:
		u = udl_index(hex);
		if (u >= 0 && 2 * (size_t) u + 1 < len) {
			int v = hex_octet(hex, len, (size_t) u);

			put_octet(hex, (size_t) u,
					(unsigned) (v + 20 > 255 ? 255
								 : v + 20));
		}
		break;
	case SIM_CORRUPT_HDRLEN:
		*hdr_len += 3;
		break;
	case SIM_CORRUPT_TRUNCATE:
		if (len > 30)
			hex[len - 10] = '\0';
		break;
	case SIM_CORRUPT_NONE:
		break;
	}
}

int sim_inject_sms(struct sim *sim, const struct sim_sms *sms,
		const char **ret_reason)
{
	struct sms_deliver_opts o;
	struct sms_pdu_out *out;
	uint8_t seqv[2 * SMS_MAX_PARTS];
	size_t nseq = 0, i;
	const char *why = NULL;
	int n, r;

	if (!sms || !sms->text) {
		why = "no text";
		r = -EINVAL;
		goto out_reason;
	}
	out = calloc(SMS_MAX_PARTS, sizeof(*out));
	if (!out)
		return -ENOMEM;
	sms_deliver_opts_init(&o);
	o.from = sms->from ? sms->from : "+256772000001";
	o.charset = sms->charset;
	o.msg_class = sms->class0 ? 0 : -1;
	o.concat_16bit = sms->ref16;
	o.force_concat = sms->force_concat;
	if (sms->ref) {
		o.concat_ref = sms->ref;
	} else {
		o.concat_ref = sim->next_ref++;
		if (!sms->ref16)
			o.concat_ref &= 0xff;
	}
	if (sms_scts_from_epoch((int64_t) time(NULL), 12, &o.scts) < 0) {
		why = "clock outside 2000..2099";
		r = -EINVAL;
		goto out_free;
	}
	if (sms->parts == 0) {
		n = sms_encode_deliver(sms->text, strlen(sms->text), &o, out,
				SMS_MAX_PARTS, &why);
		if (n < 0) {
			r = n;
			goto out_free;
		}
	} else {
		/* Exactly N parts: cut the text into N runs of characters,
		 * all in one charset, and number them ourselves. */
		size_t chars = utf8_count(sms->text);
		struct sms_segments seg;

		if (sms->parts > SMS_MAX_PARTS || sms->parts > chars) {
			why = "more parts than characters";
			r = -EINVAL;
			goto out_free;
		}
		if (o.charset == SMS_CHARSET_AUTO) {
			r = sms_segment_count(
					sms->text, strlen(sms->text), &seg);
			if (r < 0) {
				why = "invalid UTF-8";
				goto out_free;
			}
			o.charset = seg.charset;
		}
		o.force_concat = true;
		for (i = 0; i < sms->parts; i++) {
			size_t a = utf8_offset(
					sms->text, chars * i / sms->parts);
			size_t b = utf8_offset(sms->text,
					chars * (i + 1) / sms->parts);

			r = sms_encode_deliver(sms->text + a, b - a, &o,
					&out[i], 1, &why);
			if (r < 0)
				goto out_free;
			r = patch_concat(out[i].hex, sms->ref16, sms->parts,
					(unsigned) i + 1);
			if (r < 0) {
				why = "cannot number parts";
				goto out_free;
			}
		}
		n = (int) sms->parts;
	}

	/* Delivery order: listed parts, the rest ascending, then dups. */
	for (i = 0; i < sms->n_order; i++) {
		unsigned p = sms->order[i];

		if (p < 1 || p > (unsigned) n || in_list(seqv, nseq, p)) {
			why = "bad part number in order";
			r = -EINVAL;
			goto out_free;
		}
		seqv[nseq++] = (uint8_t) p;
	}
	for (i = 1; i <= (size_t) n; i++)
		if (!in_list(seqv, nseq, (unsigned) i))
			seqv[nseq++] = (uint8_t) i;
	for (i = 0; i < sms->n_dup && nseq < sizeof(seqv); i++) {
		if (sms->dup[i] < 1 || sms->dup[i] > n) {
			why = "bad part number in dup";
			r = -EINVAL;
			goto out_free;
		}
		seqv[nseq++] = sms->dup[i];
	}
	r = 0;
	for (i = 0; i < nseq; i++) {
		unsigned p = seqv[i], hdr;
		char hex[SMS_PDU_HEX_MAX];

		if (in_list(sms->missing, sms->n_missing, p))
			continue;
		snprintf(hex, sizeof(hex), "%s", out[p - 1].hex);
		hdr = (unsigned) out[p - 1].tpdu_len;
		if (sms->corrupt != SIM_CORRUPT_NONE &&
				p == (sms->corrupt_part ? sms->corrupt_part
							: 1))
			corrupt(hex, &hdr, sms->corrupt);
		if (sim_netmsg_queue(sim, hex, hdr, false) < 0) {
			r = -ENOMEM;
			goto out_free;
		}
		r++;
	}
	free(out);
	sim_count(sim, "injected");
	sim_deliver(sim);
	sim_arm(sim);
	return r;

out_free:
	free(out);
out_reason:
	if (ret_reason)
		*ret_reason = why ? why : "cannot encode";
	return r;
}

int sim_inject_pdu(struct sim *sim, const char *hex)
{
	size_t len;
	int sca, r;

	if (!hex)
		return -EINVAL;
	len = strlen(hex);
	if (len < 2 || len >= SMS_PDU_HEX_MAX)
		return -EINVAL;
	/* The <length> shown is computed as a modem would, from the SCA. */
	sca = hex_octet(hex, len, 0);
	if (sca < 0 || (size_t) (sca + 1) * 2 > len)
		sca = 0;
	r = sim_netmsg_queue(sim, hex, (unsigned) (len / 2 - (size_t) sca - 1),
			false);
	if (r < 0)
		return r;
	sim_count(sim, "injected");
	sim_deliver(sim);
	sim_arm(sim);
	return 1;
}
