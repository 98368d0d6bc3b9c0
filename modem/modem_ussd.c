/* SPDX-License-Identifier: MIT */
/*
 * The modem driver USSD requests (modem/modem_internal.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modem/modem_internal.h"
#include "modem/ucs2.h"
#include "modem/ussd.h"

/* ---------------------------------------------------------------- */
/* USSD */

static void ussd_finish(struct modem *m, struct modem_ussd_reply *r)
{
	modem_ussd_cb cb = m->ussd_cb;
	void *ud = m->ussd_ud;

	m->ussd_pending = false;
	m->ussd_cb = NULL;
	if (cb)
		cb(m, r, ud);
}

void mdm_ussd_fail(struct modem *m, const char *why)
{
	struct modem_ussd_reply r = {
			.m = -1,
			.text = "",
			.raw = "",
			.dcs = -1,
			.error = why,
	};

	if (m->ussd_pending)
		ussd_finish(m, &r);
}

void mdm_ussd_line(struct modem *m, const char *line, bool in_response)
{
	struct modem_cusd *c;
	struct modem_ussd_reply r;
	char *text, *raw = NULL;
	const char *why = NULL;
	int rc;

	c = malloc(sizeof(*c));
	text = malloc(MODEM_USSD_MAX * 3);
	raw = malloc(MODEM_USSD_MAX * 3);
	if (!c || !text || !raw)
		goto out;
	rc = modem_parse_cusd(line, c, &why);
	if (rc < 0) {
		mdm_dbg(m, "bad +CUSD: %s", why);
		goto out;
	}
	memset(&r, 0, sizeof(r));
	r.m = c->m;
	r.dcs = c->dcs;
	/* From the line: valid UTF-8 whatever noise got in. */
	raw[0] = '\0';
	if (c->has_str)
		utf8_sanitize(c->str, strlen(c->str), raw, MODEM_USSD_MAX * 3,
				NULL);
	r.raw = raw;
	text[0] = '\0';
	r.text = text;
	if (c->has_str) {
		rc = ussd_decode(c->str, c->dcs, m->cfg.ussd_mode, text,
				MODEM_USSD_MAX * 3, &why);
		if (rc < 0) {
			r.decode_err = rc;
			text[0] = '\0';
		} else if (!utf8_valid(text, strlen(text))) {
			char *t = strdup(text);

			if (t)
				utf8_sanitize(t, strlen(t), text,
						MODEM_USSD_MAX * 3, NULL);
			else
				text[0] = '\0';
			free(t);
		}
	}
	/*
	 * Ours: inside our AT+CUSD's response, or after its OK. A +CUSD
	 * that comes while our request is still queued behind another
	 * command (a send) cannot be its answer: a network-initiated
	 * notice (m 0/2) or request (m 1), recorded as such.
	 */
	if (m->ussd_pending && (in_response || m->ussd_answered)) {
		ussd_finish(m, &r);
	} else {
		if (m->ussd_pending)
			mdm_dbg(m, "+CUSD before our request was answered: "
				   "network-initiated");
		m->stats.ussd_notices++;
		r.network_initiated = true;
		if (m->cbs.ussd)
			m->cbs.ussd(m, &r, m->ud);
	}
out:
	free(c);
	free(text);
	free(raw);
}

void mdm_ussd_done(struct modem *m, const struct at_error *err,
		const struct at_result *res)
{
	const char *l;

	if (!m->ussd_pending)
		return;
	if (err) {
		mdm_ussd_fail(m, err->line ? err->line
					   : at_error_type_str(err->type));
		return;
	}
	m->ussd_answered = true;
	l = at_result_find(res, "+CUSD:");
	if (l)
		mdm_ussd_line(m, l, true); /* reply before OK */
	/* else: the +CUSD URC comes later (ussd_deadline). */
}

int modem_ussd(struct modem *m, const char *code, modem_ussd_cb cb,
		void *user_data)
{
	static const char *const p_cusd[] = {"+CUSD:", NULL};
	char str[MODEM_USSD_MAX];
	char *cmd;
	int dcs = 15, rc;

	if (!m || !code)
		return -EINVAL;
	if (m->state != MODEM_STATE_READY)
		return -ENOTCONN;
	if (m->ussd_pending)
		return -EBUSY;
	rc = ussd_encode_request(
			code, m->cfg.ussd_mode, str, sizeof(str), &dcs);
	if (rc < 0)
		return rc == -EMSGSIZE ? -EINVAL : rc;
	cmd = malloc(strlen(str) + 40);
	if (!cmd)
		return -ENOMEM;
	sprintf(cmd, "AT+CUSD=1,\"%s\",%d", str, dcs);
	rc = mdm_cmd(m, CK_USSD, 0, cmd, p_cusd, NULL, 0);
	free(cmd);
	if (rc < 0)
		return rc;
	m->ussd_pending = true;
	m->ussd_answered = false;
	m->ussd_cb = cb;
	m->ussd_ud = user_data;
	m->ussd_deadline = m->now + m->cfg.ussd_timeout_ms;
	return 0;
}

int modem_ussd_cancel(struct modem *m)
{
	int rc;

	if (!m)
		return -EINVAL;
	if (m->state != MODEM_STATE_READY)
		return -ENOTCONN;
	rc = mdm_cmd(m, CK_USSD_CANCEL, 0, "AT+CUSD=2", NULL, NULL, 0);
	if (rc < 0)
		return rc;
	mdm_ussd_fail(m, "canceled");
	return 0;
}
