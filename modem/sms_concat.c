/*
 * Concatenated SMS reassembly (3GPP TS 23.040 §9.2.3.24.1, .8).
 * sms_concat_assemble() is pure (one allocation: the result text); the
 * reassembler keeps parts in plain arrays, fine for the handful of
 * incomplete messages a gateway holds at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modem/sms_concat.h"
#include "modem/ucs2.h"
#include "modem/gsm7.h"

int sms_part_from_sms(
		const struct sms *msg, int64_t now, struct sms_part *ret_part)
{
	struct sms_part p;

	if (!msg || !ret_part || msg->type == SMS_TYPE_STATUS_REPORT)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	memcpy(p.sender, msg->addr.number, sizeof(p.sender));
	p.sender[sizeof(p.sender) - 1] = '\0';
	if (msg->udh.has_concat) {
		p.ref = msg->udh.concat_ref;
		p.ref16 = msg->udh.concat_16bit;
		p.total = msg->udh.concat_total;
		p.seq = msg->udh.concat_seq;
	} else {
		p.total = 1;
		p.seq = 1;
	}
	p.charset = msg->dcs.charset;
	if (msg->data_len) {
		static const char digits[] = "0123456789ABCDEF";
		size_t i;

		if (msg->data_len * 2 + 1 > sizeof(p.text))
			return -EINVAL;
		for (i = 0; i < msg->data_len; i++) {
			p.text[2 * i] = digits[msg->data[i] >> 4];
			p.text[2 * i + 1] = digits[msg->data[i] & 0x0f];
		}
		p.text[2 * msg->data_len] = '\0';
	} else {
		memcpy(p.text, msg->text, sizeof(p.text));
		p.text[sizeof(p.text) - 1] = '\0';
	}
	if ((p.charset == SMS_CHARSET_GSM7 || p.charset == SMS_CHARSET_UCS2) &&
			!msg->dcs.compressed &&
			msg->units_len <= sizeof(p.units)) {
		memcpy(p.units, msg->units, msg->units_len);
		p.units_len = msg->units_len;
	}
	p.received = now;
	*ret_part = p;
	return 0;
}

bool sms_part_same_message(const struct sms_part *a, const struct sms_part *b)
{
	return a->ref == b->ref && a->ref16 == b->ref16 &&
	       a->total == b->total &&
	       strncmp(a->sender, b->sender, sizeof(a->sender)) == 0;
}

static bool part_valid(const struct sms_part *p)
{
	return p->total >= 1 && p->seq >= 1 && p->seq <= p->total &&
	       memchr(p->sender, '\0', sizeof(p->sender)) &&
	       memchr(p->text, '\0', sizeof(p->text));
}

static bool same_text(const struct sms_part *a, const struct sms_part *b)
{
	return strcmp(a->text, b->text) == 0;
}

/* Decode one run of joined code units, appending to @out at *@o. */
static void decode_run(enum sms_charset cs, const uint8_t *u, size_t n,
		char *out, size_t size, size_t *o)
{
	size_t len = 0;

	if (cs == SMS_CHARSET_UCS2) {
		*o += ucs2_to_utf8_lenient(u, n, out + *o, size - *o, NULL);
		return;
	}
	if (gsm7_to_utf8(u, n, out + *o, size - *o, &len) == 0)
		*o += len;
}

/*
 * Join the parts' code units run by run (consecutive parts present) and
 * decode each run. Returns 0 with res->text set, or -1 when the parts do
 * not all carry units of one text charset (the caller joins texts).
 */
static int join_units(const struct sms_part *const *by_seq,
		struct sms_concat_result *res)
{
	enum sms_charset cs = SMS_CHARSET_AUTO;
	size_t units = 0, run = 0, size, o = 0;
	uint8_t *buf;
	unsigned seq;

	for (seq = 1; seq <= res->total; seq++) {
		const struct sms_part *p = by_seq[seq];

		if (!p)
			continue;
		if (!p->units_len || (cs && p->charset != cs) ||
				(p->charset != SMS_CHARSET_GSM7 &&
						p->charset != SMS_CHARSET_UCS2))
			return -1;
		cs = p->charset;
		units += p->units_len;
	}
	if (!cs)
		return -1;
	/* UTF-8: at most 3 octets per septet or UCS-2 unit. */
	size = 3 * units + res->total * (sizeof(SMS_CONCAT_GAP) - 1) + 1;
	buf = malloc(units ? units : 1);
	res->text = malloc(size);
	if (!buf || !res->text) {
		free(buf);
		free(res->text);
		res->text = NULL;
		return -1;
	}
	res->text[0] = '\0';
	for (seq = 1; seq <= res->total; seq++) {
		const struct sms_part *p = by_seq[seq];

		if (p) {
			memcpy(buf + run, p->units, p->units_len);
			run += p->units_len;
			continue;
		}
		decode_run(cs, buf, run, res->text, size, &o);
		run = 0;
		res->missing[res->n_missing++] = (uint8_t) seq;
		memcpy(res->text + o, SMS_CONCAT_GAP,
				sizeof(SMS_CONCAT_GAP) - 1);
		o += sizeof(SMS_CONCAT_GAP) - 1;
		res->text[o] = '\0';
	}
	decode_run(cs, buf, run, res->text, size, &o);
	free(buf);
	res->text[o] = '\0';
	res->text_len = o;
	res->complete = res->n_missing == 0;
	return 0;
}

int sms_concat_assemble(const struct sms_part *parts, size_t n,
		struct sms_concat_result *ret_result, const char **ret_reason)
{
	const struct sms_part *by_seq[SMS_MAX_PARTS + 1] = {NULL};
	struct sms_concat_result res;
	const char *reason = "bad argument";
	size_t i, size = 1, o = 0;
	unsigned seq;
	int rc = -EINVAL;

	if (!parts || n == 0 || !ret_result)
		goto out_fail;
	for (i = 0; i < n; i++) {
		const struct sms_part *p = &parts[i];

		if (!part_valid(p)) {
			reason = "part number out of range";
			goto out_fail;
		}
		if (!sms_part_same_message(p, &parts[0])) {
			reason = "parts of different messages";
			goto out_fail;
		}
		if (by_seq[p->seq]) {
			if (!same_text(by_seq[p->seq], p)) {
				reason = "conflicting duplicate part";
				rc = -EEXIST;
				goto out_fail;
			}
			continue;
		}
		by_seq[p->seq] = p;
	}
	memset(&res, 0, sizeof(res));
	memcpy(res.sender, parts[0].sender, sizeof(res.sender));
	res.ref = parts[0].ref;
	res.ref16 = parts[0].ref16;
	res.total = parts[0].total;
	res.first_received = parts[0].received;
	for (i = 1; i < n; i++)
		if (parts[i].received < res.first_received)
			res.first_received = parts[i].received;
	if (join_units(by_seq, &res) == 0) {
		*ret_result = res;
		return 0;
	}
	for (seq = 1; seq <= res.total; seq++)
		size += by_seq[seq] ? strlen(by_seq[seq]->text)
				    : sizeof(SMS_CONCAT_GAP) - 1;
	res.text = malloc(size);
	if (!res.text) {
		reason = "out of memory";
		rc = -ENOMEM;
		goto out_fail;
	}
	for (seq = 1; seq <= res.total; seq++) {
		const char *t = SMS_CONCAT_GAP;
		size_t l;

		if (by_seq[seq])
			t = by_seq[seq]->text;
		else
			res.missing[res.n_missing++] = (uint8_t) seq;
		l = strlen(t);
		memcpy(res.text + o, t, l);
		o += l;
	}
	res.text[o] = '\0';
	res.text_len = o;
	res.complete = res.n_missing == 0;
	*ret_result = res;
	return 0;

out_fail:
	if (ret_reason)
		*ret_reason = reason;
	return rc;
}

void sms_concat_result_done(struct sms_concat_result *result)
{
	if (!result)
		return;
	free(result->text);
	result->text = NULL;
	result->text_len = 0;
}

/* ------------------------------------------------------------------ */

struct reasm_msg {
	struct sms_part *parts; /* distinct seq numbers only */
	size_t n;
	int64_t first_seen; /* caller's `now` at the first part */
};

struct sms_reasm {
	int64_t timeout;
	size_t max_messages;
	struct reasm_msg *msgs;
	size_t n_msgs;
};

struct sms_reasm *sms_reasm_new(int64_t timeout, size_t max_messages)
{
	struct sms_reasm *r;

	if (timeout <= 0 || max_messages == 0)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->msgs = calloc(max_messages, sizeof(*r->msgs));
	if (!r->msgs) {
		free(r);
		return NULL;
	}
	r->timeout = timeout;
	r->max_messages = max_messages;
	return r;
}

void sms_reasm_free(struct sms_reasm *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_msgs; i++)
		free(r->msgs[i].parts);
	free(r->msgs);
	free(r);
}

size_t sms_reasm_pending(const struct sms_reasm *r)
{
	return r ? r->n_msgs : 0;
}

static void remove_msg(struct sms_reasm *r, size_t i)
{
	free(r->msgs[i].parts);
	r->msgs[i] = r->msgs[r->n_msgs - 1];
	r->n_msgs--;
}

int sms_reasm_add(struct sms_reasm *r, const struct sms_part *part, int64_t now,
		struct sms_concat_result *ret_result, const char **ret_reason)
{
	struct reasm_msg *m = NULL;
	struct sms_part *grown;
	const char *reason = "bad part";
	size_t i;
	int rc;

	if (!r || !part || !ret_result || !part_valid(part)) {
		rc = -EINVAL;
		goto out_fail;
	}
	if (part->total == 1)
		goto out_assemble_single;
	for (i = 0; i < r->n_msgs; i++) {
		if (sms_part_same_message(&r->msgs[i].parts[0], part)) {
			m = &r->msgs[i];
			break;
		}
	}
	if (m) {
		for (i = 0; i < m->n; i++) {
			if (m->parts[i].seq != part->seq)
				continue;
			if (same_text(&m->parts[i], part))
				return SMS_REASM_DUPLICATE;
			reason = "conflicting duplicate part";
			rc = -EEXIST;
			goto out_fail;
		}
	} else {
		if (r->n_msgs >= r->max_messages) {
			reason = "too many incomplete messages";
			rc = -ENOSPC;
			goto out_fail;
		}
		m = &r->msgs[r->n_msgs];
		memset(m, 0, sizeof(*m));
		m->first_seen = now;
	}
	grown = realloc(m->parts, (m->n + 1) * sizeof(*m->parts));
	if (!grown) {
		reason = "out of memory";
		rc = -ENOMEM;
		goto out_fail;
	}
	if (m == &r->msgs[r->n_msgs])
		r->n_msgs++;
	m->parts = grown;
	m->parts[m->n++] = *part;
	if (m->n < part->total)
		return SMS_REASM_PENDING;
	rc = sms_concat_assemble(m->parts, m->n, ret_result, &reason);
	if (rc < 0)
		goto out_fail;
	remove_msg(r, (size_t) (m - r->msgs));
	return SMS_REASM_COMPLETE;

out_assemble_single:
	rc = sms_concat_assemble(part, 1, ret_result, &reason);
	if (rc < 0)
		goto out_fail;
	return SMS_REASM_COMPLETE;

out_fail:
	if (ret_reason)
		*ret_reason = reason;
	return rc;
}

int sms_reasm_expire(struct sms_reasm *r, int64_t now,
		struct sms_concat_result *ret_result)
{
	size_t i;
	int rc;

	if (!r || !ret_result)
		return -EINVAL;
	for (i = 0; i < r->n_msgs; i++) {
		if (now - r->msgs[i].first_seen < r->timeout)
			continue;
		rc = sms_concat_assemble(r->msgs[i].parts, r->msgs[i].n,
				ret_result, NULL);
		if (rc < 0)
			return rc;
		remove_msg(r, i);
		return 1;
	}
	return 0;
}
