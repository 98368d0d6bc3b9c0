/* SPDX-License-Identifier: MIT */
/*
 * The modem driver storage operations and delivery (modem/modem_internal.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modem/modem_internal.h"
#include "modem/sms_pdu.h"
#include "modem/ucs2.h"

/* ---------------------------------------------------------------- */
/* Storage operations */

struct msg *mdm_find_msg(struct modem *m, const char *store, int index)
{
	struct msg *g;

	for (g = m->msgs; g; g = g->next)
		if (!g->pub.direct && g->pub.index == index &&
				strcmp(g->pub.store, store) == 0)
			return g;
	return NULL;
}

struct del *mdm_find_del(struct modem *m, const char *store, int index)
{
	struct del *d;

	for (d = m->dels; d; d = d->next)
		if (d->index == index && strcmp(d->store, store) == 0)
			return d;
	return NULL;
}

void mdm_del_remove(struct modem *m, struct del *d)
{
	struct del **pp;

	for (pp = &m->dels; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			free(d->pdu);
			free(d);
			return;
		}
	}
}

int mdm_sop_push(struct modem *m, enum sop_kind kind, const char *store,
		int index, struct del *d)
{
	struct sop *o = calloc(1, sizeof(*o));

	if (!o)
		return -ENOMEM;
	o->kind = kind;
	snprintf(o->store, sizeof(o->store), "%s", store);
	o->index = index;
	o->del = d;
	if (m->sop_tail)
		m->sop_tail->next = o;
	else
		m->sop_head = o;
	m->sop_tail = o;
	return 0;
}

static void sop_finish(struct modem *m)
{
	struct sop *o = m->sop_cur;

	m->sop_cur = NULL;
	if (o && o->kind == SOP_DELETE && m->sim_full)
		m->rx_last = m->now;
	free(o);
}

/* Does a hex PDU match what we remember (case-insensitive)? */
static bool same_pdu(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

void mdm_deliver_status_report(struct modem *m, const char *hex)
{
	struct modem_status_report sr;

	memset(&sr, 0, sizeof(sr));
	sr.pdu_hex = hex;
	sr.decode_err = sms_decode_hex(
			hex, strlen(hex), 0, &sr.msg, &sr.decode_reason);
	if (sr.decode_err == 0 && sr.msg.type != SMS_TYPE_STATUS_REPORT) {
		sr.decode_err = -EINVAL;
		sr.decode_reason = "not an SMS-STATUS-REPORT";
	}
	if (m->cbs.status_report)
		m->cbs.status_report(m, &sr, m->ud);
}

/* Text mode: the header and text come from the line, noise included. */
static void text_to_sms(const struct modem_text_msg *tm, struct sms *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->type = SMS_TYPE_DELIVER;
	utf8_sanitize(tm->sender, strlen(tm->sender), ret->addr.number,
			sizeof(ret->addr.number), NULL);
	ret->addr.ton = tm->sender[0] == '+' ? SMS_TON_INTERNATIONAL
					     : SMS_TON_UNKNOWN;
	ret->addr.npi = SMS_NPI_ISDN;
	ret->dcs.charset = SMS_CHARSET_GSM7;
	ret->dcs.msg_class = -1;
	if (tm->has_scts)
		ret->scts = tm->scts;
	ret->text_len = utf8_sanitize(tm->text, strlen(tm->text), ret->text,
			sizeof(ret->text), NULL);
}

/* A PDU line is hex digits only (else line noise got into it). */
static bool clean_hex(const char *hex)
{
	const char *p;

	for (p = hex; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
				    (*p >= 'A' && *p <= 'F')))
			return false;
	return p != hex;
}

static char *hex_of_bytes(const char *s)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t n = strlen(s), i;
	char *out = malloc(2 * n + 1);

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		out[2 * i] = digits[(unsigned char) s[i] >> 4];
		out[2 * i + 1] = digits[(unsigned char) s[i] & 0xf];
	}
	out[2 * n] = '\0';
	return out;
}

static struct reread *reread_find(struct modem *m, const char *store, int index)
{
	struct reread *r;

	for (r = m->rereads; r; r = r->next)
		if (r->index == index && strcmp(r->store, store) == 0)
			return r;
	return NULL;
}

static unsigned reads_of(struct modem *m, const char *store, int index)
{
	struct reread *r = reread_find(m, store, index);

	return r ? r->reads : 0;
}

static void reread_forget(struct modem *m, const char *store, int index)
{
	struct reread **pp, *r;

	for (pp = &m->rereads; (r = *pp); pp = &r->next) {
		if (r->index == index && strcmp(r->store, store) == 0) {
			*pp = r->next;
			free(r);
			m->n_rereads--;
			return;
		}
	}
}

void mdm_rereads_free(struct modem *m)
{
	struct reread *r;

	while ((r = m->rereads)) {
		m->rereads = r->next;
		free(r);
	}
	m->n_rereads = 0;
}

/*
 * Read @store/@index again now, ahead of the queue: @reads so far. False
 * when that cannot be done (too many tracked, out of memory).
 */
static bool reread_now(
		struct modem *m, const char *store, int index, unsigned reads)
{
	struct reread *r = reread_find(m, store, index);
	struct sop *o;

	if (!r) {
		if (m->n_rereads >= REREAD_SLOTS)
			return false;
		r = calloc(1, sizeof(*r));
		if (!r)
			return false;
		snprintf(r->store, sizeof(r->store), "%s", store);
		r->index = index;
		r->next = m->rereads;
		m->rereads = r;
		m->n_rereads++;
	}
	r->reads = reads;
	o = calloc(1, sizeof(*o));
	if (!o)
		return false;
	o->kind = SOP_READ;
	snprintf(o->store, sizeof(o->store), "%s", store);
	o->index = index;
	o->next = m->sop_head;
	m->sop_head = o;
	if (!m->sop_tail)
		m->sop_tail = o;
	m->stats.rereads++;
	return true;
}

void mdm_msg_free(struct msg *g)
{
	if (!g)
		return;
	free(g->hex);
	free(g->raw_hex);
	free(g);
}

/*
 * Hand a stored (store/index) or direct message to the caller: @hex is
 * the PDU, or in text mode (@tm set) the identity key.
 */
void mdm_deliver(struct modem *m, const char *store, int index, int stat,
		int length, const char *hex, bool direct,
		const struct modem_text_msg *tm)
{
	struct msg *g;
	size_t n = strlen(hex);

	g = calloc(1, sizeof(*g));
	if (!g)
		return; /* stays on the SIM: the next sweep retries */
	g->hex = strdup(hex);
	if (!g->hex) {
		free(g);
		return;
	}
	g->owner = m;
	g->gen = m->gen;
	g->pub.id = ++m->next_msg_id;
	g->pub.pdu_hex = g->hex;
	g->pub.tpdu_len = length > 0 ? (size_t) length : 0;
	g->pub.direct = direct;
	if (!direct)
		snprintf(g->pub.store, sizeof(g->pub.store), "%s", store);
	g->pub.index = direct ? -1 : index;
	g->pub.stat = direct ? -1 : stat;
	g->pub.reads = direct ? 1 : reads_of(m, store, index) + 1;
	if (!direct)
		reread_forget(m, store, index);
	if (tm) {
		g->pub.text_mode = true;
		g->pub.pdu_hex = "";
		text_to_sms(tm, &g->pub.msg);
	} else if (!clean_hex(hex)) {
		g->raw_hex = hex_of_bytes(hex);
		if (!g->raw_hex) {
			mdm_msg_free(g);
			return;
		}
		g->pub.pdu_hex = g->raw_hex;
		g->pub.garbled = true;
		g->pub.decode_err = -EINVAL;
		g->pub.decode_reason = "PDU line garbled (bytes other than hex "
				       "digits): pdu_hex is the line's bytes "
				       "in hex";
	} else {
		g->pub.decode_err = sms_decode_hex(
				hex, n, 0, &g->pub.msg, &g->pub.decode_reason);
	}
	if (direct)
		g->cnma_deadline = m->now + m->cfg.cnma_deadline_ms;
	g->next = m->msgs;
	m->msgs = g;
	m->stats.sms_received++;
	if (m->cbs.sms)
		m->cbs.sms(m, &g->pub, m->ud);
}

/* Is @hex a status report (TP-MTI 10)? Decoding tells. */
static bool is_status_report(const char *hex)
{
	struct sms s;

	return sms_decode_hex(hex, strlen(hex), 0, &s, NULL) == 0 &&
	       s.type == SMS_TYPE_STATUS_REPORT;
}

/* One stored message seen by AT+CMGR or AT+CMGL. */
static void stored_seen(struct modem *m, const char *store, int index, int stat,
		int length, const char *hex, const struct modem_text_msg *tm)
{
	struct del *d;

	if (mdm_find_msg(m, store, index))
		return; /* the caller has it and has not answered yet */
	d = mdm_find_del(m, store, index);
	if (d) {
		d->seen = true;
		if (d->state != DEL_UNVERIFIED)
			return; /* deletion queued or running */
		if (same_pdu(d->pdu, hex)) {
			/* Committed earlier, the delete did not finish. */
			d->state = DEL_QUEUED;
			mdm_sop_push(m, SOP_DELETE, store, index, d);
			return;
		}
		mdm_del_remove(m, d); /* the slot was reused */
	}
	if (!tm && reads_of(m, store, index) + 1 < REREAD_MAX) {
		struct sms *dec = malloc(sizeof(*dec));
		bool ok = dec && clean_hex(hex) &&
			  sms_decode_hex(hex, strlen(hex), 0, dec, NULL) == 0;

		free(dec);
		/* Line noise? A second read is usually clean. */
		if (!ok && reread_now(m, store, index,
					   reads_of(m, store, index) + 1))
			return;
	}
	if (!tm && is_status_report(hex)) {
		mdm_deliver_status_report(m, hex);
		d = calloc(1, sizeof(*d));
		if (!d)
			return;
		snprintf(d->store, sizeof(d->store), "%s", store);
		d->index = index;
		d->pdu = strdup(hex);
		d->next = m->dels;
		m->dels = d;
		mdm_sop_push(m, SOP_DELETE, store, index, d);
		return;
	}
	mdm_deliver(m, store, index, stat, length, hex, false, tm);
}

/* A +CMGR:/+CMGL: header and its data line, in PDU or text mode. */
static void stored_entry(struct modem *m, const char *store, int index,
		const char *hdr, const char *data)
{
	struct modem_msg_hdr h;
	struct modem_text_msg tm;
	bool list = strncmp(hdr, "+CMGL:", 6) == 0;

	if (m->text_mode) {
		if (modem_parse_text(hdr, list ? "+CMGL:" : "+CMGR:", data,
				    &tm) < 0) {
			free(tm.key);
			return;
		}
		stored_seen(m, store, list ? tm.index : index, tm.stat, -1,
				tm.key, &tm);
		free(tm.key);
		return;
	}
	if ((list ? modem_parse_cmgl(hdr, &h, NULL)
		  : modem_parse_cmgr(hdr, &h, NULL)) < 0) {
		struct at_iter it;
		long idx = index;

		/*
		 * An odd header (<stat> 5, <length> 0 or out of range) with a
		 * PDU line: skipping it would leave it on the SIM for ever,
		 * filling the store (MODEM-QUIRKS: corrupt PDUs must still be
		 * deleted). Hand it over; the decoder judges the PDU. Only
		 * the index is needed, and +CMGR's comes from the request.
		 */
		if (list && (at_iter_init(&it, hdr, "+CMGL:") < 0 ||
					    at_iter_next_number(&it, &idx) <
							    0 ||
					    idx < 0 || idx > 65535))
			return;
		h.index = (int) idx;
		h.stat = -1;
		h.length = -1;
	}
	stored_seen(m, store, list ? h.index : index, h.stat, h.length, data,
			NULL);
}

static void sop_issue(struct modem *m);
/* The store holds nothing: every unverified delete there is done. */
static void dels_store_empty(struct modem *m, const char *store)
{
	struct del *d, *dn;

	for (d = m->dels; d; d = dn) {
		dn = d->next;
		if (d->state == DEL_UNVERIFIED && strcmp(d->store, store) == 0)
			mdm_del_remove(m, d);
	}
}

void mdm_sop_done(struct modem *m, const struct cmd_ctx *ctx,
		const struct at_error *err, const struct at_result *res)
{
	struct sop *o = m->sop_cur;
	struct modem_cpms cpms;
	const char *l;
	size_t i, n, listed = 0;
	struct del *d, *dn;

	if (!o)
		return;
	if (ctx->arg == 1) {
		/* The AT+CPMS store selection before the operation. */
		if (err) {
			m->mem1[0] = '\0';
			if (err->type != AT_ERR_IO)
				mdm_dbg(m, "cannot select store %s", o->store);
			if (o->kind == SOP_DELETE && o->del)
				o->del->state = DEL_UNVERIFIED;
			if (o->kind == SOP_SWEEP && err->type != AT_ERR_IO &&
					err->type != AT_ERR_TIMEOUT &&
					strcmp(o->store, m->storage) != 0) {
				/* Refused: stop sweeping it (no retry loop). */
				mdm_drop_store(m, o->store);
				sop_finish(m);
				return;
			}
			sop_finish(m);
			mdm_request_sweep(m, 2 * m->cfg.resync_quiet_ms);
			return;
		}
		snprintf(m->mem1, sizeof(m->mem1), "%s", o->store);
		l = at_result_find(res, "+CPMS:");
		if (o->kind == SOP_CHECK && l &&
				modem_parse_cpms(l, &cpms, NULL) == 0 &&
				cpms.n > 0 &&
				strcmp(o->store, m->storage) == 0) {
			m->info.store_used = cpms.st[0].used;
			m->info.store_total = cpms.st[0].total;
			if (cpms.st[0].used == 0) {
				dels_store_empty(m, o->store);
				sop_finish(m);
				return;
			}
			o->kind = SOP_SWEEP;
		}
		sop_issue(m);
		return;
	}
	switch (o->kind) {
	case SOP_CHECK: /* AT+CPMS? answered */
		if (!err) {
			l = at_result_find(res, "+CPMS:");
			if (l && modem_parse_cpms(l, &cpms, NULL) == 0 &&
					cpms.n > 0) {
				m->info.store_used = cpms.st[0].used;
				m->info.store_total = cpms.st[0].total;
				if (cpms.st[0].used == 0 &&
						strcmp(cpms.st[0].mem,
								m->storage) ==
								0) {
					dels_store_empty(m, o->store);
					sop_finish(m);
					return;
				}
			}
		}
		if (err && err->type == AT_ERR_IO) {
			sop_finish(m);
			return;
		}
		o->kind = SOP_SWEEP;
		sop_issue(m);
		return;
	case SOP_SWEEP:
		listed = 0;
		if (err) {
			sop_finish(m);
			if (err->type != AT_ERR_IO)
				mdm_request_sweep(
						m, 10 * m->cfg.resync_quiet_ms);
			return;
		}
		m->stats.sweeps++;
		for (d = m->dels; d; d = d->next)
			d->seen = false;
		n = at_result_count(res);
		for (i = 0; i < n; i++) {
			bool is_pdu;
			const char *pdu;

			l = at_result_line(res, i, &is_pdu);
			if (!l || is_pdu || strncmp(l, "+CMGL:", 6) != 0)
				continue;
			pdu = at_result_line(res, i + 1, &is_pdu);
			if (!pdu || !is_pdu)
				continue;
			i++;
			listed++;
			stored_entry(m, o->store, -1, l, pdu);
		}
		if (m->info.store_total > 0 &&
				listed >= (size_t) m->info.store_total &&
				strcmp(o->store, m->storage) == 0)
			m->sim_full = true;
		/*
		 * Line noise hid an entry (an unknown line during the
		 * listing): list again at once, a few times, so a message
		 * is not left until the next periodic sweep.
		 */
		if (m->rx_noise && m->noisy_sweeps < NOISY_SWEEPS_MAX) {
			m->noisy_sweeps++;
			mdm_request_sweep(m, 0);
		} else if (!m->rx_noise) {
			m->noisy_sweeps = 0;
		}
		/* Unverified deletes whose message is gone: done. */
		for (d = m->dels; d; d = dn) {
			dn = d->next;
			if (d->state == DEL_UNVERIFIED && !d->seen &&
					strcmp(d->store, o->store) == 0)
				mdm_del_remove(m, d);
		}
		sop_finish(m);
		return;
	case SOP_READ:
		if (err) {
			sop_finish(m);
			if (err->type != AT_ERR_IO &&
					!(err->type == AT_ERR_CMS &&
							err->code == 321))
				mdm_request_sweep(
						m, 2 * m->cfg.resync_quiet_ms);
			return;
		}
		l = at_result_find(res, "+CMGR:");
		n = at_result_count(res);
		for (i = 0; l && i < n; i++) {
			bool is_pdu;
			const char *pdu = at_result_line(res, i, &is_pdu);

			if (pdu && is_pdu) {
				stored_entry(m, o->store, o->index, l, pdu);
				break;
			}
		}
		if (!l && m->rx_noise) {
			/* The header was garbled into an unknown line. */
			unsigned r = reads_of(m, o->store, o->index) + 1;

			if (r >= REREAD_MAX ||
					!reread_now(m, o->store, o->index, r))
				mdm_request_sweep(m, 0);
		}
		sop_finish(m);
		return;
	case SOP_DELETE:
		d = o->del;
		if (!err || (err->type == AT_ERR_CMS && err->code == 321)) {
			if (!err)
				m->stats.sms_deleted++;
			if (d)
				mdm_del_remove(m, d);
		} else if (d) {
			/*
			 * Never repeat AT+CMGD blindly: the slot may hold a
			 * new message by now. Re-list, then decide.
			 */
			d->state = DEL_UNVERIFIED;
			mdm_request_sweep(m,
					err->type == AT_ERR_IO
							? 0
							: 2 * m->cfg.resync_quiet_ms);
		}
		sop_finish(m);
		return;
	}
}

static void sop_issue(struct modem *m)
{
	static const char *const p_cpms[] = {"+CPMS:", NULL};
	static const char *const p_cmgr[] = {"+CMGR:", NULL};
	static const char *const p_cmgl[] = {"+CMGL:", NULL};
	struct sop *o = m->sop_cur;
	char cmd[64];
	int rc;

	m->rx_noise = false;
	if (strcmp(m->mem1, o->store) != 0) {
		/* TS 27.005 §3.2.2: <mem1> is read/list/delete's store. */
		snprintf(cmd, sizeof(cmd), "AT+CPMS=\"%s\"", o->store);
		rc = mdm_cmd(m, CK_SOP, 1, cmd, p_cpms, NULL, 0);
		goto out;
	}
	switch (o->kind) {
	case SOP_READ:
		snprintf(cmd, sizeof(cmd), "AT+CMGR=%d", o->index);
		rc = mdm_cmd_data(m, CK_SOP, 0, cmd, p_cmgr, true, NULL, 0);
		break;
	case SOP_DELETE:
		snprintf(cmd, sizeof(cmd), "AT+CMGD=%d", o->index);
		if (o->del)
			o->del->state = DEL_INFLIGHT;
		rc = mdm_cmd(m, CK_SOP, 0, cmd, NULL, NULL, 0);
		break;
	case SOP_CHECK:
		rc = mdm_cmd(m, CK_SOP, 0, "AT+CPMS?", p_cpms, NULL, 0);
		break;
	case SOP_SWEEP:
	default:
		rc = mdm_cmd_data(m, CK_SOP, 0,
				m->text_mode ? "AT+CMGL=\"ALL\"" : "AT+CMGL=4",
				p_cmgl, true, NULL, LIST_TIMEOUT_MS);
		break;
	}
out:
	if (rc < 0) {
		if (o->kind == SOP_DELETE && o->del)
			o->del->state = DEL_UNVERIFIED;
		sop_finish(m);
	}
}

void mdm_sop_pump(struct modem *m)
{
	if (m->sop_cur || !m->sop_head || m->state != MODEM_STATE_READY)
		return;
	m->sop_cur = m->sop_head;
	if (m->sop_cur->kind == SOP_SWEEP || m->sop_cur->kind == SOP_CHECK)
		m->sweep_queued = false; /* a new request queues again */
	m->sop_head = m->sop_cur->next;
	if (!m->sop_head)
		m->sop_tail = NULL;
	m->sop_cur->next = NULL;
	sop_issue(m);
}

/*
 * After a recovery (reopen, reboot, reset) nothing queued or in flight is
 * trusted: every pending delete becomes "unverified" and the sweep that
 * ends every init re-lists the store, deleting only what is still there
 * with the same PDU (never a blind repeat of AT+CMGD).
 */
void mdm_sop_reset_all(struct modem *m)
{
	struct sop *o;
	struct del *d;

	free(m->sop_cur);
	m->sop_cur = NULL;
	while ((o = m->sop_head)) {
		m->sop_head = o->next;
		free(o);
	}
	m->sop_tail = NULL;
	m->sweep_queued = false;
	for (d = m->dels; d; d = d->next)
		d->state = DEL_UNVERIFIED;
}

void mdm_queue_sweep(struct modem *m, bool check_first)
{
	size_t i;

	if (m->sweep_queued)
		return;
	if (mdm_sop_push(m, check_first ? SOP_CHECK : SOP_SWEEP, m->storage, -1,
			    NULL) == 0)
		m->sweep_queued = true;
	for (i = 0; i < m->n_xstores; i++)
		mdm_sop_push(m, SOP_SWEEP, m->xstores[i], -1, NULL);
}

/* ---------------------------------------------------------------- */
/* Release */

int modem_sms_release(struct modem *m, struct modem_sms *sms, bool committed)
{
	struct msg *g = (struct msg *) sms, **pp;
	struct del *d;

	if (!m || !sms)
		return -EINVAL;
	for (pp = &m->msgs; *pp && *pp != g; pp = &(*pp)->next)
		;
	if (!*pp)
		return -EINVAL;
	*pp = g->next;
	if (g->pub.direct) {
		if (committed && !g->cnma_expired && g->gen == m->gen &&
				m->state == MODEM_STATE_READY) {
			/* TS 27.005 §3.4.4: +CNMA (=0 in PDU mode). */
			mdm_cmd(m, CK_CNMA, 0, "AT+CNMA", NULL, NULL, 0);
		}
		/* Not committed: no ack, the network delivers it again. */
		goto out;
	}
	if (!committed)
		goto out; /* stays on the SIM; the next sweep re-reads */
	d = calloc(1, sizeof(*d));
	if (!d)
		goto out; /* the next sweep hands it over again */
	snprintf(d->store, sizeof(d->store), "%s", g->pub.store);
	d->index = g->pub.index;
	d->pdu = g->hex;
	g->hex = NULL;
	d->state = DEL_QUEUED;
	d->next = m->dels;
	m->dels = d;
	mdm_sop_push(m, SOP_DELETE, d->store, d->index, d);
out:
	mdm_msg_free(g);
	mdm_process(m);
	return 0;
}

int modem_sms_reread(struct modem *m, struct modem_sms *sms)
{
	char store[MODEM_STORE_MAX];
	int index;
	unsigned reads;
	bool direct;
	int rc;

	if (!m || !sms)
		return -EINVAL;
	direct = sms->direct;
	snprintf(store, sizeof(store), "%s", sms->store);
	index = sms->index;
	reads = sms->reads;
	rc = modem_sms_release(m, sms, false);
	if (rc < 0 || direct || m->state != MODEM_STATE_READY)
		return rc;
	if (!reread_now(m, store, index, reads))
		mdm_request_sweep(m, 0);
	mdm_process(m);
	return 0;
}
