/* SPDX-License-Identifier: MIT */
/*
 * The modem driver network info (modem/modem_internal.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modem/modem_internal.h"

/* ---------------------------------------------------------------- */
/* Network info */

enum { INFO_CSQ, INFO_CREG, INFO_COPS, INFO_CPMS, INFO_CGREG, INFO_CEREG };

static int domain_of(const char *line)
{
	if (strncmp(line, "+CGREG:", 7) == 0)
		return 1;
	if (strncmp(line, "+CEREG:", 7) == 0)
		return 2;
	return 0;
}

/* Registered domain first: CS, then EPS (LTE only), then PS. */
static void reg_effective(struct modem *m)
{
	static const int order[3] = {0, 2, 1};
	static const char *const names[3] = {"CS", "PS", "EPS"};
	const int st[3] = {m->info.cs_stat, m->info.ps_stat, m->info.eps_stat};
	int d = -1;

	for (int k = 0; k < 3 && d < 0; k++)
		if (modem_reg_is_registered(st[order[k]]))
			d = order[k];
	if (d < 0) {
		/* None registered: the circuit state, else any known. */
		for (int k = 0; k < 3 && d < 0; k++)
			if (st[order[k]] >= 0)
				d = order[k];
		if (d < 0)
			return;
	}
	m->info.reg_stat = st[d];
	m->info.reg_domain = names[d];
	m->info.lac = m->dom_lac[d];
	m->info.ci = m->dom_ci[d];
	m->info.act = m->dom_act[d];
}

int mdm_reg_line(struct modem *m, const char *line, enum modem_reg_form form)
{
	struct modem_reg reg;
	int d = domain_of(line);
	int *st[3] = {&m->info.cs_stat, &m->info.ps_stat, &m->info.eps_stat};

	if (modem_parse_creg(line, form, &reg, NULL) < 0)
		return -EINVAL;
	if (form == MODEM_REG_AUTO && reg.urc)
		return -EINVAL; /* a URC collected with the reply */
	*st[d] = reg.stat;
	if (!modem_reg_is_registered(reg.stat)) {
		m->dom_lac[d] = m->dom_ci[d] = -1;
		m->dom_act[d] = -1;
	}
	if (reg.lac >= 0)
		m->dom_lac[d] = reg.lac;
	if (reg.ci >= 0)
		m->dom_ci[d] = reg.ci;
	if (reg.act >= 0)
		m->dom_act[d] = reg.act;
	reg_effective(m);
	return 0;
}

void mdm_info_done(struct modem *m, int which, const struct at_error *err,
		const struct at_result *res)
{
	struct modem_csq csq;
	struct modem_cops cops;
	struct modem_cpms cpms;
	const char *l;

	if (!err) {
		switch (which) {
		case INFO_CSQ:
			l = at_result_find(res, "+CSQ:");
			if (l && modem_parse_csq(l, &csq, NULL) == 0) {
				m->info.rssi = csq.rssi;
				m->info.signal_known = csq.known;
				m->info.signal_dbm = csq.known ? csq.dbm : 0;
			}
			break;
		case INFO_CREG:
		case INFO_CGREG:
		case INFO_CEREG:
			/*
			 * A URC (no <n>) that came in before the reply is
			 * collected too: take the line that parses as the
			 * solicited form, not merely the first.
			 */
			for (size_t k = 0; k < at_result_count(res); k++) {
				const char *x = at_result_line(res, k, NULL);

				if (x && mdm_reg_line(m, x, MODEM_REG_AUTO) ==
								0)
					break;
			}
			break;
		case INFO_COPS:
			l = at_result_find(res, "+COPS:");
			if (l && modem_parse_cops(l, &cops, NULL) == 0)
				snprintf(m->info.oper, sizeof(m->info.oper),
						"%s",
						cops.format >= 0 ? cops.oper
								 : "");
			break;
		case INFO_CPMS:
			l = at_result_find(res, "+CPMS:");
			if (l && modem_parse_cpms(l, &cpms, NULL) == 0 &&
					cpms.n > 2) {
				/* <mem3>: where new messages are stored. */
				snprintf(m->info.store, sizeof(m->info.store),
						"%s", cpms.st[2].mem);
				m->info.store_used = cpms.st[2].used;
				m->info.store_total = cpms.st[2].total;
				if (cpms.st[2].total > 0 &&
						cpms.st[2].used >=
								cpms.st[2].total) {
					m->sim_full = true;
					mdm_request_sweep(m, 0);
				}
			}
			break;
		}
	}
	if (m->info_outstanding && --m->info_outstanding == 0 && m->cbs.info)
		m->cbs.info(m, &m->info, m->ud);
}

int modem_refresh_info(struct modem *m)
{
	static const char *const p_csq[] = {"+CSQ:", NULL};
	static const char *const p_creg[] = {"+CREG:", NULL};
	static const char *const p_cgreg[] = {"+CGREG:", NULL};
	static const char *const p_cereg[] = {"+CEREG:", NULL};
	static const char *const p_cops[] = {"+COPS:", NULL};
	static const char *const p_cpms[] = {"+CPMS:", NULL};

	if (!m)
		return -EINVAL;
	if (m->state != MODEM_STATE_READY)
		return -ENOTCONN;
	m->next_status = m->now + m->cfg.status_interval_ms;
	if (m->info_outstanding)
		return 0;
	if (mdm_cmd(m, CK_INFO, INFO_CSQ, "AT+CSQ", p_csq, NULL, 0) > 0)
		m->info_outstanding++;
	if (mdm_cmd(m, CK_INFO, INFO_CREG, "AT+CREG?", p_creg, NULL, 0) > 0)
		m->info_outstanding++;
	if (m->has_cgreg && mdm_cmd(m, CK_INFO, INFO_CGREG, "AT+CGREG?",
					    p_cgreg, NULL, 0) > 0)
		m->info_outstanding++;
	if (m->has_cereg && mdm_cmd(m, CK_INFO, INFO_CEREG, "AT+CEREG?",
					    p_cereg, NULL, 0) > 0)
		m->info_outstanding++;
	if (mdm_cmd(m, CK_INFO, INFO_COPS, "AT+COPS?", p_cops, NULL, 0) > 0)
		m->info_outstanding++;
	if (mdm_cmd(m, CK_INFO, INFO_CPMS, "AT+CPMS?", p_cpms, NULL, 0) > 0)
		m->info_outstanding++;
	m->next_status = m->now + m->cfg.status_interval_ms;
	return m->info_outstanding ? 0 : -ENOTCONN;
}

int modem_sweep(struct modem *m)
{
	if (!m)
		return -EINVAL;
	if (m->state != MODEM_STATE_READY)
		return -ENOTCONN;
	mdm_queue_sweep(m, false);
	if (m->depth == 0)
		mdm_sop_pump(m);
	return 0;
}
