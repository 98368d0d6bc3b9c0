/*
 * fieldgatectl status: what the daemons last wrote into modem_status (they
 * do on a timer and on every change) and how deep each queue is. Nothing
 * asks a daemon: a row not refreshed for a while is flagged stale, which
 * usually means its daemon is down or cannot reach the database.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/store.h"
#include "db/store_ctl.h"
#include "gateway/gwconfig.h"
#include "gateway/ctl.h"

#define DEFAULT_STALE_S 300

void ctl_status_usage(FILE *f)
{
	fprintf(f,
			"usage: fieldgatectl status [--stale-after SECONDS] "
			"[--all] "
			"[--json]\n"
			"\n"
			"Each modem as its daemon last reported it: "
			"registration, "
			"operator,\n"
			"signal (dBm), LAC/CI, SIM identity (IMSI/ICCID), SIM "
			"storage "
			"used/total,\n"
			"last error and how old the report is; a report older "
			"than "
			"--stale-after\n"
			"(default %d s) is flagged STALE. --all also shows "
			"rows of "
			"SIMs a modem\n"
			"had before. Then the queue depths by state. With -f "
			"CONFIG, "
			"configured\n"
			"modems that never reported are listed "
			"too.\n" CTL_CONN_HELP,
			DEFAULT_STALE_S);
}

/* Is row i the newest of its modem? (rows are by modem, newest first) */
static bool is_current(const struct db_modem_status *v, size_t i)
{
	return i == 0 || strcmp(v[i - 1].modem, v[i].modem) != 0;
}

static bool has_rows(
		const struct db_modem_status *v, size_t n, const char *modem)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].modem, modem))
			return true;
	return false;
}

static void json_str_opt(struct json *j, const char *key, const char *s)
{
	if (s && *s)
		json_string(j, key, s);
	else
		json_null(j, key);
}

static void json_int_opt(
		struct json *j, const char *key, long long v, bool known)
{
	if (known)
		json_int(j, key, v);
	else
		json_null(j, key);
}

static void modem_json(struct json *j, const struct db_modem_status *m,
		bool current, int64_t now, int stale_s)
{
	int64_t age = now - m->updated_at;

	json_begin_object(j, NULL);
	json_string(j, "modem", m->modem);
	json_bool(j, "current", current);
	json_str_opt(j, "daemon_host", m->daemon_host);
	json_str_opt(j, "device", m->device);
	json_str_opt(j, "registration", m->registration);
	json_str_opt(j, "operator", m->operator_name);
	json_str_opt(j, "access_tech", m->access_tech);
	json_int_opt(j, "signal_dbm", m->signal_dbm, m->has_signal);
	json_int_opt(j, "lac", m->lac, m->lac >= 0);
	json_int_opt(j, "ci", m->ci, m->ci >= 0);
	json_str_opt(j, "imsi", m->imsi);
	json_str_opt(j, "iccid", m->iccid);
	json_int_opt(j, "storage_used", m->storage_used, m->storage_used >= 0);
	json_int_opt(j, "storage_total", m->storage_total,
			m->storage_total >= 0);
	json_str_opt(j, "last_error", m->last_error);
	ctl_json_time(j, "last_rx_at", m->last_rx_at);
	ctl_json_time(j, "last_tx_at", m->last_tx_at);
	ctl_json_time(j, "updated_at", m->updated_at);
	json_int(j, "age_s", age < 0 ? 0 : age);
	json_bool(j, "stale", age > stale_s);
	json_end_object(j);
}

static void modem_text(const struct db_modem_status *m, bool current,
		int64_t now, int stale_s)
{
	char t[CTL_TIME_MAX], age[CTL_TIME_MAX];
	int64_t a = now - m->updated_at;

	ctl_fmt_age(a, age);
	printf("modem %s%s", m->modem, current ? "" : " (older SIM row)");
	if (m->daemon_host[0] || m->device[0])
		printf("  [%s%s%s]", m->daemon_host,
				m->daemon_host[0] && m->device[0] ? " " : "",
				m->device);
	printf("  updated %s ago", age);
	if (a > stale_s)
		printf("  STALE (no report for over %d s: is its fieldgated "
		       "running?)",
				stale_s);
	putchar('\n');
	printf("  registration: %s",
			m->registration[0] ? m->registration : "unknown");
	if (m->operator_name[0])
		printf("  operator: %s", m->operator_name);
	if (m->access_tech[0])
		printf("  (%s)", m->access_tech);
	putchar('\n');
	if (m->has_signal)
		printf("  signal: %d dBm", m->signal_dbm);
	else
		printf("  signal: unknown");
	if (m->lac >= 0)
		printf("  LAC: %lld (0x%llX)", (long long) m->lac,
				(unsigned long long) m->lac);
	if (m->ci >= 0)
		printf("  CI: %lld (0x%llX)", (long long) m->ci,
				(unsigned long long) m->ci);
	putchar('\n');
	printf("  SIM: IMSI %s  ICCID %s\n", m->imsi[0] ? m->imsi : "unknown",
			m->iccid[0] ? m->iccid : "unknown");
	if (m->storage_used >= 0 && m->storage_total >= 0)
		printf("  storage: %d/%d used\n", m->storage_used,
				m->storage_total);
	else
		printf("  storage: unknown\n");
	printf("  last error: %s\n", m->last_error[0] ? m->last_error : "-");
	ctl_fmt_local(m->last_rx_at, t);
	printf("  last received: %s", t);
	ctl_fmt_local(m->last_tx_at, t);
	printf("  last sent: %s\n", t);
}

int ctl_status_run(int argc, char **argv)
{
	static const char prog[] = "fieldgatectl status";
	struct db_modem_status *v = NULL;
	struct db_ctl_depth *d = NULL;
	struct ctl_session s;
	struct db_error err;
	bool json = false, all = false;
	unsigned long stale = DEFAULT_STALE_S;
	size_t n = 0, nd = 0, i, shown = 0;
	int64_t now;
	int k, r;

	for (k = 1; k < argc; k++) {
		r = ctl_common_option(argc, argv, &k, &json, ctl_status_usage);
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r;
		if (!strcmp(argv[k], "--all")) {
			all = true;
		} else if (!strcmp(argv[k], "--stale-after") && k + 1 < argc) {
			if (ctl_parse_uint(argv[++k], 366UL * 86400, &stale) <
					0) {
				fprintf(stderr, "%s: bad --stale-after '%s'\n",
						prog, argv[k]);
				return CTL_EXIT_USAGE;
			}
		} else {
			return ctl_bad_option(prog, argv[k]);
		}
	}
	if (ctl_open(prog, true, &s) < 0)
		return CTL_EXIT_FAIL;
	r = db_modem_status_list(s.db, &v, &n, &err);
	if (r < 0) {
		ctl_db_error(&s, "reading modem status", r, &err);
		goto out_fail;
	}
	r = db_ctl_queue_depths(s.db, &d, &nd, &err);
	if (r < 0) {
		ctl_db_error(&s, "reading queue depths", r, &err);
		goto out_fail;
	}
	/* updated_at is the server's clock: measure ages against it too */
	r = db_ctl_server_time(s.db, &now, &err);
	if (r < 0) {
		ctl_db_error(&s, "reading the server's time", r, &err);
		goto out_fail;
	}

	if (json) {
		struct json j;
		const char *q = "";

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_int(&j, "stale_after_s", (long long) stale);
		json_begin_array(&j, "modems");
		for (i = 0; i < n; i++)
			if (all || is_current(v, i))
				modem_json(&j, &v[i], is_current(v, i), now,
						(int) stale);
		json_end_array(&j);
		json_begin_array(&j, "unreported");
		for (i = 0; s.config && i < s.config->n_modems; i++)
			if (!has_rows(v, n, s.config->modems[i].name))
				json_string(&j, NULL, s.config->modems[i].name);
		json_end_array(&j);
		json_begin_object(&j, "queues");
		for (i = 0; i < nd; i++) {
			if (strcmp(q, d[i].queue)) {
				if (*q)
					json_end_object(&j);
				q = d[i].queue;
				json_begin_object(&j, q);
			}
			json_int(&j, d[i].state, d[i].count);
		}
		if (*q)
			json_end_object(&j);
		json_end_object(&j);
		json_end_object(&j);
		json_finish(&j);
	} else {
		const char *q = "";

		for (i = 0; i < n; i++) {
			if (!all && !is_current(v, i))
				continue;
			if (shown++)
				putchar('\n');
			modem_text(&v[i], is_current(v, i), now, (int) stale);
		}
		for (i = 0; s.config && i < s.config->n_modems; i++) {
			if (has_rows(v, n, s.config->modems[i].name))
				continue;
			if (shown++)
				putchar('\n');
			printf("modem %s  [%s]  configured, never reported "
			       "(is fieldgated running?)\n",
					s.config->modems[i].name,
					s.config->modems[i].device);
		}
		if (!shown)
			printf("no modem has reported yet (is fieldgated "
			       "running?)\n");
		printf("\nqueues:");
		for (i = 0; i < nd; i++) {
			if (strcmp(q, d[i].queue)) {
				q = d[i].queue;
				printf("\n  %-15s", q);
			} else {
				putchar(',');
			}
			printf(" %s %lld", d[i].state, (long long) d[i].count);
		}
		printf("%s\n", nd ? "" : " all empty");
	}
	free(v);
	free(d);
	ctl_close(&s);
	return CTL_EXIT_OK;
out_fail:
	free(v);
	free(d);
	ctl_close(&s);
	return CTL_EXIT_FAIL;
}
