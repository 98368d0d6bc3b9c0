/* SPDX-License-Identifier: MIT */
/*
 * The modem driver unsolicited result codes (modem/modem_internal.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modem/modem_internal.h"

/* ---------------------------------------------------------------- */
/* URCs */

/*
 * +CMTI/+CDSI named a store other than the configured one (MODEM-QUIRKS:
 * "+CMTI may name a store other than the configured one"): sweeps cover
 * it from now on, so a lost indication there is found too.
 */
void mdm_note_store(struct modem *m, const char *store)
{
	size_t i;

	if (strcmp(store, m->storage) == 0)
		return;
	for (i = 0; i < m->n_xstores; i++)
		if (strcmp(m->xstores[i], store) == 0)
			return;
	if (m->n_xstores == XSTORES_MAX)
		return;
	snprintf(m->xstores[m->n_xstores++], MODEM_STORE_MAX, "%s", store);
}

void mdm_drop_store(struct modem *m, const char *store)
{
	size_t i;

	for (i = 0; i < m->n_xstores; i++) {
		if (strcmp(m->xstores[i], store) != 0)
			continue;
		memmove(m->xstores[i], m->xstores[i + 1],
				(m->n_xstores - i - 1) * sizeof(m->xstores[0]));
		m->n_xstores--;
		return;
	}
}

static void urc_cmti(const char *line, const char *pdu, void *ud)
{
	struct modem *m = ud;
	struct modem_cmti c;
	const char *why;
	bool sr = strncmp(line, "+CDSI:", 6) == 0;
	struct del *d;
	struct sop *o;
	size_t n;

	(void) pdu;
	if ((sr ? modem_parse_cdsi(line, &c, &why)
		: modem_parse_cmti(line, &c, &why)) < 0) {
		mdm_dbg(m, "bad %s (%s): sweeping", line, why);
		mdm_request_sweep(m, 0);
		return;
	}
	mdm_note_store(m, c.store);
	if (m->state != MODEM_STATE_READY) {
		mdm_request_sweep(m, 0); /* init ends with a sweep anyway */
		return;
	}
	if (mdm_find_msg(m, c.store, c.index))
		return; /* the slot is still taken: a message we hold */
	d = mdm_find_del(m, c.store, c.index);
	if (d && d->state == DEL_QUEUED)
		return; /* still taken: AT+CMGD not sent yet */
	/*
	 * Otherwise, once AT+CMGD was sent, the modem may already have put
	 * a new message in the freed slot (its +CMTI can come before the
	 * OK): read it after the delete; stored_seen() tells the two apart
	 * by their PDU.
	 */
	n = 0;
	for (o = m->sop_head; o; o = o->next) {
		if (o->kind != SOP_READ)
			continue;
		if (o->index == c.index && strcmp(o->store, c.store) == 0)
			return; /* a repeated indication: read once */
		n++;
	}
	if (n >= READS_QUEUED_MAX) {
		mdm_dbg(m, "%zu reads queued: sweeping instead", n);
		mdm_request_sweep(m, 0);
		return;
	}
	mdm_sop_push(m, SOP_READ, c.store, c.index, NULL);
}

static void urc_cmt(const char *line, const char *pdu, void *ud)
{
	struct modem *m = ud;
	struct modem_cmt c;
	const char *why = NULL;

	struct modem_text_msg tm;

	if (!pdu) {
		mdm_dbg(m, "+CMT without PDU line (%s)", line);
		return; /* not acked: the network re-delivers it */
	}
	if (m->text_mode) {
		if (modem_parse_text(line, "+CMT:", pdu, &tm) == 0)
			mdm_deliver(m, "", -1, -1, -1, tm.key, true, &tm);
		free(tm.key);
		return;
	}
	if (modem_parse_cmt(line, &c, &why) < 0)
		c.length = -1;
	mdm_deliver(m, "", -1, -1, c.length, pdu, true, NULL);
}

static void urc_cds(const char *line, const char *pdu, void *ud)
{
	struct modem *m = ud;

	(void) line;
	if (!pdu)
		return;
	mdm_deliver_status_report(m, pdu);
	/*
	 * AT+CSMS=1 makes +CDS need an acknowledgement too (TS 27.005
	 * §3.4.4), also when +CMT routing fell back to +CMTI but ds=1 was
	 * accepted; a report is not worth a re-delivery. The modem shows
	 * no other +CMT/+CDS before this one is acked (§3.4.1), so this
	 * +CNMA cannot be taken for another indication's.
	 */
	if (m->csms1)
		mdm_cmd(m, CK_OTHER, 0, "AT+CNMA", NULL, NULL, 0);
}

static void urc_cusd(const char *line, const char *pdu, void *ud)
{
	(void) pdu;
	mdm_ussd_line(ud, line, false);
}

/* +CREG/+CGREG/+CEREG: registration from whichever domain has it. */
static void urc_creg(const char *line, const char *pdu, void *ud)
{
	struct modem *m = ud;

	(void) pdu;
	if (mdm_reg_line(m, line, MODEM_REG_URC) < 0)
		return;
	if (m->cbs.info)
		m->cbs.info(m, &m->info, m->ud);
}

static void urc_memfull(const char *line, const char *pdu, void *ud)
{
	struct modem *m = ud;

	(void) pdu;
	m->sim_full = true;
	mdm_dbg(m, "%s: sweeping", line);
	mdm_request_sweep(m, 0);
}

static void urc_ignore(const char *line, const char *pdu, void *ud)
{
	(void) line;
	(void) pdu;
	(void) ud;
}

int mdm_register_urcs(struct modem *m)
{
	static const struct {
		const char *prefix;
		bool has_pdu;
		at_urc_cb cb;
	} t[] = {
			{"+CMTI:", false, urc_cmti},
			{"+CDSI:", false, urc_cmti},
			{"+CMT:", true, urc_cmt},
			{"+CDS:", true, urc_cds},
			{"+CUSD:", false, urc_cusd},
			{"+CREG:", false, urc_creg},
			{"+CGREG:", false, urc_creg},
			{"+CEREG:", false, urc_creg},
			{"^SMMEMFULL:", false, urc_memfull},
			{"^SMMEMFULL", false, urc_memfull},
			{"RING", false, urc_ignore},
			{"^RSSI:", false, urc_ignore},
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = at_chan_register_urc(m->chan, t[i].prefix, t[i].has_pdu,
				t[i].cb, m, NULL);
		if (rc < 0)
			return rc;
	}
	return 0;
}
