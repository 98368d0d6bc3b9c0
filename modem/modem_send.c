/* SPDX-License-Identifier: MIT */
/*
 * The modem driver send queue (modem/modem_internal.h).
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
/* Sending */

void mdm_send_complete(struct modem *m, struct send *s,
		const struct modem_send_result *r)
{
	switch (r->status) {
	case MODEM_SEND_OK:
		m->stats.sends_ok++;
		break;
	case MODEM_SEND_UNKNOWN:
		m->stats.sends_unknown++;
		break;
	default:
		m->stats.sends_failed++;
		break;
	}
	if (s->cb)
		s->cb(m, s->id, r, s->user_data);
	free(s->hex);
	free(s);
}

static void send_requeue_front(struct modem *m, struct send *s)
{
	s->next = m->send_head;
	m->send_head = s;
	if (!m->send_tail)
		m->send_tail = s;
}

void mdm_send_done(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	struct send *s = m->send_cur;
	struct modem_send_result r = {.mr = -1, .cms = -1};
	char line[256];
	const char *l;
	enum at_retry cls;

	if (!s)
		return;
	if (m->send_started && m->now >= m->send_started) {
		uint64_t d = m->now - m->send_started + 1;

		m->send_ms_avg = m->send_ms_avg ? (3 * m->send_ms_avg + d) / 4
						: d;
	}
	m->send_cur = NULL;
	if (!err) {
		l = at_result_find(res, "+CMGS:");
		if (l && modem_parse_cmgs(l, &r.mr, NULL) == 0) {
			r.status = MODEM_SEND_OK;
		} else {
			/* OK without +CMGS: sent, reference unknown. */
			r.status = MODEM_SEND_UNKNOWN;
			r.error = "OK without +CMGS: <mr>";
		}
		mdm_send_complete(m, s, &r);
		return;
	}
	if (err->type == AT_ERR_CMS)
		r.cms = err->code;
	if (!err->payload_sent &&
			(err->type == AT_ERR_IO ||
					err->type == AT_ERR_CANCELED)) {
		/* Never reached the modem: it waits for the next READY. */
		mdm_dbg(m, "send %llu not written; requeued",
				(unsigned long long) s->id);
		send_requeue_front(m, s);
		return;
	}
	cls = at_error_retry_class(err);
	/*
	 * CMS 500 "unknown error" is what AT+CMEE=1 modems say where others
	 * say ERROR: after the PDU it names no reason, so "maybe sent".
	 */
	if (err->payload_sent && err->type == AT_ERR_CMS && err->code == 500)
		cls = AT_RETRY_UNKNOWN;
	if (err->type == AT_ERR_CMS && err->code >= 0 &&
			cls != AT_RETRY_UNKNOWN) {
		/*
		 * The modem names a reason: trust its class (for 332/
		 * network timeout after the PDU the caller should resend
		 * with TP-RD, see docs/MODEM-DRIVER.md).
		 */
		r.status = cls == AT_RETRY_PERMANENT ? MODEM_SEND_PERMANENT
						     : MODEM_SEND_TEMPORARY;
	} else if (err->payload_sent) {
		r.status = MODEM_SEND_UNKNOWN;
	} else if (cls == AT_RETRY_PERMANENT) {
		r.status = MODEM_SEND_PERMANENT;
	} else {
		r.status = MODEM_SEND_TEMPORARY;
	}
	r.error = at_error_type_str(err->type);
	if (err->line) {
		/* The modem's line, made valid UTF-8 (it may be stored). */
		utf8_sanitize(err->line, strlen(err->line), line, sizeof(line),
				NULL);
		r.error = line;
	}
	if (r.cms >= 0 && err->type == AT_ERR_CMS)
		r.error = at_cms_error_str(r.cms);
	mdm_send_complete(m, s, &r);
}

/*
 * Text mode (TS 27.005 §3.5.1 text form): AT+CMGS="<da>", the text, Ctrl-Z.
 * Only what text mode can carry: one part, GSM 7-bit, no UDH. Line breaks
 * become spaces (a CR would open a new "> " prompt on most modems).
 */
static void send_text(struct modem *m, struct send *s)
{
	static const char *const p_cmgs[] = {"+CMGS:", NULL};
	struct modem_send_result r = {
			.status = MODEM_SEND_PERMANENT, .mr = -1, .cms = -1};
	struct sms *msg = malloc(sizeof(*msg));
	char cmd[SMS_ADDR_MAX + 16];
	const char *why = NULL;
	size_t i;
	int rc;

	if (!msg) {
		m->send_cur = NULL;
		send_requeue_front(m, s);
		return;
	}
	if (sms_decode_hex(s->hex, strlen(s->hex), 0, msg, &why) < 0 ||
			msg->type != SMS_TYPE_SUBMIT) {
		r.error = why ? why : "not an SMS-SUBMIT PDU";
		goto out_fail;
	}
	if (msg->udh.present || msg->dcs.charset != SMS_CHARSET_GSM7 ||
			strchr(msg->addr.number, '"')) {
		r.error = "text mode: only single-part GSM 7-bit messages";
		goto out_fail;
	}
	for (i = 0; i < msg->text_len; i++)
		if (msg->text[i] == '\r' || msg->text[i] == '\n' ||
				msg->text[i] == 0x1a || msg->text[i] == 0x1b)
			msg->text[i] = ' ';
	snprintf(cmd, sizeof(cmd), "AT+CMGS=\"%s\"", msg->addr.number);
	rc = mdm_cmd(m, CK_SEND, 0, cmd, p_cmgs, msg->text,
			m->cfg.send_timeout_ms);
	free(msg);
	if (rc < 0) {
		m->send_cur = NULL;
		send_requeue_front(m, s);
	}
	return;

out_fail:
	free(msg);
	m->send_cur = NULL;
	mdm_send_complete(m, s, &r);
}

/*
 * Reception work that a send must not delay. Reading promptly matters
 * when the SIM is full (the network holds the rest until a slot frees)
 * or a burst is queued: then any queued or running storage operation, or
 * a stored message out and not yet released (its AT+CMGD follows the
 * release), counts. With free slots and a short queue, the network stores
 * into the SIM meanwhile anyway, and sends interleave.
 */
bool mdm_rx_pending(const struct modem *m)
{
	const struct msg *g;
	const struct sop *o;
	size_t n = m->sop_cur ? 1 : 0;

	for (o = m->sop_head; o; o = o->next)
		n++;
	if (n >= RX_BURST_OPS)
		return true;
	if (!m->sim_full)
		return false;
	if (n)
		return true;
	for (g = m->msgs; g; g = g->next)
		if (!g->pub.direct)
			return true;
	return false;
}

/*
 * Reception first: while reading and deleting keeps the SIM's slots
 * turning over, a send (0.2 to 4 s of network round trip in AT+CMGS)
 * waits; otherwise the SIM stays full while acknowledgements go out and
 * new messages wait in the network. A send waits at most send_starve_ms,
 * so a continuous flood still lets one through every few seconds. A
 * +CNMA never waits (it is not a send).
 */
/*
 * How long a send may wait for reception: send_starve_ms, or less when
 * sends are quick: ten times the average AT+CMGS duration, so that a send
 * slipped in costs reception at most about a tenth of its time (a modem
 * answering in 1 ms is not made to hold acks for seconds).
 */
static uint64_t hold_limit(const struct modem *m)
{
	uint64_t l = m->cfg.send_starve_ms;

	if (m->send_ms_avg && 10 * m->send_ms_avg < l)
		l = 10 * m->send_ms_avg;
	return l;
}

uint64_t mdm_send_due(const struct modem *m)
{
	uint64_t t;

	if (!mdm_rx_pending(m)) {
		t = m->sim_full ? m->rx_last + RX_GRACE_MS : 0;
		return t > m->now ? t : m->now;
	}
	if (!m->send_held_since)
		return m->now; /* not judged yet: at the next pump */
	t = m->send_held_since + hold_limit(m);
	return t > m->now ? t : m->now;
}

void mdm_send_pump(struct modem *m)
{
	static const char *const p_cmgs[] = {"+CMGS:", NULL};
	struct send *s;
	char cmd[32];
	int rc;

	if (m->send_cur || !m->send_head || m->state != MODEM_STATE_READY)
		return;
	if (m->sim_full && !mdm_rx_pending(m) &&
			m->now >= m->rx_last + RX_GRACE_MS)
		m->sim_full = false; /* no new message came into the slot */
	if (mdm_rx_pending(m) ||
			(m->sim_full && m->now < m->rx_last + RX_GRACE_MS)) {
		if (!m->send_held_since) {
			m->send_held_since = m->now ? m->now : 1;
			m->stats.sends_held++;
		}
		if (!mdm_rx_pending(m) ||
				m->now < m->send_held_since + hold_limit(m))
			return;
		m->stats.sends_starved++;
		mdm_dbg(m, "send waited %llu ms for reception: sending one",
				(unsigned long long) (m->now -
						      m->send_held_since));
	}
	m->send_held_since = 0;
	m->send_started = m->now;
	s = m->send_head;
	m->send_head = s->next;
	if (!m->send_head)
		m->send_tail = NULL;
	s->next = NULL;
	m->send_cur = s;
	if (m->text_mode) {
		send_text(m, s);
		return;
	}
	snprintf(cmd, sizeof(cmd), "AT+CMGS=%zu", s->tpdu_len);
	rc = mdm_cmd(m, CK_SEND, 0, cmd, p_cmgs, s->hex,
			m->cfg.send_timeout_ms);
	if (rc < 0) {
		m->send_cur = NULL;
		send_requeue_front(m, s);
	}
}

int64_t modem_send_pdu(struct modem *m, const char *hex, size_t tpdu_len,
		modem_send_cb cb, void *user_data)
{
	struct send *s;
	size_t n, i;

	if (!m || !hex)
		return -EINVAL;
	n = strlen(hex);
	if (n < 2 || n % 2 || n >= SMS_PDU_HEX_MAX || tpdu_len == 0 ||
			tpdu_len * 2 >= n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char c = hex[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				    (c >= 'A' && c <= 'F')))
			return -EINVAL;
	}
	if (m->state == MODEM_STATE_FAILED)
		return -ENOTCONN;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->hex = strdup(hex);
	if (!s->hex) {
		free(s);
		return -ENOMEM;
	}
	s->id = ++m->next_send_id;
	s->tpdu_len = tpdu_len;
	s->cb = cb;
	s->user_data = user_data;
	if (m->send_tail)
		m->send_tail->next = s;
	else
		m->send_head = s;
	m->send_tail = s;
	/*
	 * Not started here: the callback must never run before this
	 * returns. modem_next_deadline() says "now" until the next
	 * modem_tick() starts it.
	 */
	return (int64_t) s->id;
}
