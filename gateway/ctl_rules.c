/*
 * fieldgatectl rules check|test|reload: the rule file offline (check,
 * test: nothing sent or stored) and a reload of every daemon through the
 * database (reload).
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/store.h"
#include "db/store_reports.h"
#include "gateway/ctl.h"
#include "gateway/rules_facts.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_RULES SYSCONFDIR "/fieldgate/rules.conf"

#define WAIT_DEFAULT_S 5

void ctl_rules_usage(FILE *f)
{
	fprintf(f,
			"usage: fieldgatectl rules check [FILE]\n"
			"       fieldgatectl rules test [--rules FILE] [--as "
			"rep|supervisor|admin|unknown]\n"
			"                               [--at ISO-TIME] "
			"[--json] FROM TEXT\n"
			"       fieldgatectl rules reload [--wait SECONDS]\n"
			"\n"
			"check   loads FILE (default %s) as the daemon would:\n"
			"        every key, reference, keyword collision, "
			"template length and\n"
			"        example; prints every problem as file:line. "
			"Exit 0 clean (warnings\n"
			"        allowed), 1 with errors.\n"
			"test    runs the message TEXT from FROM through the "
			"rules and prints the\n"
			"        normalized text, the form, each field, the "
			"reply with its segments\n"
			"        and the alerts. Nothing is sent or stored. "
			"Without --as the sender\n"
			"        is looked up in the database when one is "
			"reachable; lookups that\n"
			"        need one are then shown as not checked. --at "
			"sets the send time\n"
			"        (default now).\n"
			"reload  asks every daemon on every host to reload "
			"its rules file (through\n"
			"        the database) and prints what each one "
			"answered within --wait\n"
			"        seconds (default %d). Exit 1 when one refused "
			"the file.\n" CTL_CONN_HELP,
			DEFAULT_RULES, WAIT_DEFAULT_S);
}

/* Loads @path, printing every diagnostic on stderr; NULL on failure. */
static struct rules *load(const char *prog, const char *path, bool quiet_ok,
		size_t *ret_warnings)
{
	struct diag_list dl = {0};
	struct rules *rules = NULL;
	size_t i;
	int r;

	r = rules_load(path, &rules, &dl);
	for (i = 0; i < dl.n; i++)
		if (!quiet_ok || r < 0 || dl.v[i].level == DIAG_ERROR)
			fprintf(stderr, "%s\n", dl.v[i].line_text);
	if (dl.oom)
		fprintf(stderr, "%s: out of memory\n", prog);
	if (r < 0 && r != -EINVAL)
		fprintf(stderr, "%s: cannot read %s: %s\n", prog, path,
				strerror(-r));
	else if (r < 0)
		fprintf(stderr, "%s: %s: %zu error%s\n", prog, path,
				dl.n_errors, dl.n_errors == 1 ? "" : "s");
	if (ret_warnings)
		*ret_warnings = dl.n - dl.n_errors;
	diag_free(&dl);
	return r < 0 ? NULL : rules;
}

static int rules_check(int argc, char **argv)
{
	const char *prog = "fieldgatectl rules check", *path = NULL;
	struct rules *rules;
	size_t warnings = 0;
	bool json = false;
	int i, r;

	for (i = 1; i < argc; i++) {
		r = ctl_common_option(argc, argv, &i, &json, ctl_rules_usage);
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r;
		if (argv[i][0] == '-' || path)
			return ctl_bad_option(prog, argv[i]);
		path = argv[i];
	}
	if (!path)
		path = DEFAULT_RULES;
	rules = load(prog, path, false, &warnings);
	if (!rules)
		return CTL_EXIT_FAIL;
	printf("%s: OK, version %s, sha256 %.12s, %zu warning%s\n", path,
			*rules_version(rules) ? rules_version(rules) : "-",
			rules_hash(rules), warnings, warnings == 1 ? "" : "s");
	rules_free(rules);
	return CTL_EXIT_OK;
}

/* ---- rules test --------------------------------------------------------- */

/* A field's value as text ("120", "3500.00", "2026-06-01", ...). */
static void value_text(const struct rules_value *v, char *buf, size_t size)
{
	switch (v->type) {
	case RULES_INT:
		snprintf(buf, size, "%" PRId64, v->v.i);
		return;
	case RULES_BOOL:
		snprintf(buf, size, "%s", v->v.i ? "true" : "false");
		return;
	case RULES_DECIMAL: {
		int64_t u = v->v.dec.units, p = 1;
		int k, scale = v->v.dec.scale;

		if (scale < 0 || scale > 9)
			scale = 0;
		for (k = 0; k < scale; k++)
			p *= 10;
		if (scale == 0)
			snprintf(buf, size, "%" PRId64, u);
		else
			snprintf(buf, size, "%s%" PRId64 ".%0*" PRId64,
					u < 0 ? "-" : "", (u < 0 ? -u : u) / p,
					scale & 15, (u < 0 ? -u : u) % p);
		return;
	}
	case RULES_DATE:
		snprintf(buf, size, "%04d-%02d-%02d", v->v.date.year,
				v->v.date.month, v->v.date.day);
		return;
	case RULES_TIME:
		snprintf(buf, size, "%02d:%02d", v->v.time.hour,
				v->v.time.minute);
		return;
	case RULES_CELL:
		snprintf(buf, size, "L%03d-%0*d-%X-%X", v->v.cell.mcc,
				v->v.cell.mnc_3digits ? 3 : 2, v->v.cell.mnc,
				v->v.cell.lac, v->v.cell.cid);
		return;
	case RULES_ENUM:
	case RULES_TEXT:
	case RULES_PHONE:
	case RULES_OUTLET:
		break;
	}
	snprintf(buf, size, "%s", v->text ? v->text : v->raw);
}

struct test_opts {
	const char *rules_file;
	const char *as; /* NULL: look up */
	int64_t at;
	bool at_given; /* then the schedules at that time too */
	bool json;
	const char *from, *text;
};

/* A check-in's verdict line (check-ins issue), or "not checked". */
static void print_verdict(const struct rules *rules,
		const struct rules_parsed *p, const struct rules_facts *f,
		const struct rules_decision *d)
{
	if (p->kind != RULES_KIND_FORM || p->error != RULES_E_NONE ||
			!rules_form_is_checkin(rules, p->form_id))
		return;
	if (f->verdict_status != RULES_FACT_FOUND || !f->verdict) {
		printf("verdict:    not checked\n");
		return;
	}
	printf("verdict:    %s", f->verdict);
	if (f->distance_m > 0)
		printf(" (%" PRId64 " m)", f->distance_m);
	printf(", evidence %s%s\n", f->evidence ? f->evidence : "-",
			d->outlet_ask ? ", the outlet would be asked to confirm"
				      : "");
}

static void print_text(const struct rules *rules, const struct rules_parsed *p,
		const struct rules_decision *d, const struct rules_msg *m,
		const struct rules_facts *facts, const char *lookup_note)
{
	char buf[256], shown[256];
	size_t i;

	printf("sender:     %s (%s%s%s)\n", m->sender.phone,
			m->sender.role ? m->sender.role : "unknown",
			m->sender.name ? ", " : "",
			m->sender.name ? m->sender.name : "");
	printf("normalized: %s\n", p->normalized ? p->normalized : "");
	if (p->kind == RULES_KIND_FORM)
		printf("form:       %s (keyword %s%s)\n", p->form_id,
				p->keyword ? p->keyword : "",
				p->fuzzy_keyword ? ", fuzzy" : "");
	else if (p->kind == RULES_KIND_COMMAND)
		printf("command:    %s (keyword %s)\n",
				rules_command_name(p->command),
				p->keyword ? p->keyword : "");
	else
		printf("form:       none\n");
	for (i = 0; i < p->n_fields; i++) {
		const struct rules_value *v = &p->fields[i];

		if (!v->name)
			continue;
		shown[0] = '\0';
		if (v->present) {
			value_text(v, buf, sizeof(buf));
			rules_value_text(rules, v, shown, sizeof(shown));
		}
		/* the stored value, and as replies show it when different */
		printf("  %-12s %-8s %s%s%s%s%s\n", v->name,
				rules_type_name(v->type),
				v->present ? buf : "(absent)",
				*shown && strcmp(shown, buf) ? " (shown \""
							     : "",
				*shown && strcmp(shown, buf) ? shown : "",
				*shown && strcmp(shown, buf) ? "\")" : "",
				v->defaulted ? " (default)" : "");
	}
	if (p->period && *p->period)
		printf("period:     %s%s%s\n", p->period,
				p->period_explicit ? " (named)" : "",
				p->late ? ", late" : "");
	printf("outcome:    %s", rules_outcome_name(d->outcome));
	if (d->outcome == RULES_OUT_ERROR)
		printf(" (%s%s%s%s%s)", rules_error_name(d->error),
				p->error_field ? ", field " : "",
				p->error_field ? p->error_field : "",
				p->error_token ? ", token " : "",
				p->error_token ? p->error_token : "");
	printf("\n");
	print_verdict(rules, p, facts, d);
	if (d->action != RULES_ACT_NONE && d->report.ref)
		printf("report:     %s %s\n", d->report.ref,
				d->report.fields_json ? d->report.fields_json
						      : "");
	if (d->reply)
		printf("reply:      %s\nsegments:   %d (%s)\n", d->reply,
				d->reply_segments,
				d->reply_gsm7 ? "GSM 7-bit" : "UCS-2");
	else
		printf("reply:      none\n");
	if (!d->n_alerts)
		printf("alerts:     none\n");
	for (i = 0; i < d->n_alerts; i++) {
		const struct rules_alert *a = &d->alerts[i];
		size_t k;

		printf("alert:      %s -> ", a->id);
		for (k = 0; k < a->n_notify; k++)
			printf("%s%s", k ? ", " : "", a->notify[k]);
		printf(" (batch %d s): %s\n", a->batch_seconds, a->text);
	}
	if (lookup_note)
		printf("lookups:    %s\n", lookup_note);
}

static void print_json(const struct rules *rules, const struct rules_parsed *p,
		const struct rules_decision *d, const struct rules_msg *m,
		const struct rules_facts *facts, bool checked)
{
	struct json j;
	char buf[256];
	size_t i, k;

	json_init(&j, stdout, true);
	json_begin_object(&j, NULL);
	json_string(&j, "outcome", rules_outcome_name(d->outcome));
	if (d->outcome == RULES_OUT_ERROR)
		json_string(&j, "error", rules_error_name(d->error));
	else
		json_null(&j, "error");
	if (p->error_field)
		json_string(&j, "error_field", p->error_field);
	if (p->error_token)
		json_string(&j, "error_token", p->error_token);
	json_string(&j, "sender", m->sender.phone);
	if (m->sender.role)
		json_string(&j, "role", m->sender.role);
	else
		json_null(&j, "role");
	json_string(&j, "normalized", p->normalized ? p->normalized : "");
	if (p->kind == RULES_KIND_FORM)
		json_string(&j, "form", p->form_id);
	else
		json_null(&j, "form");
	if (p->kind == RULES_KIND_COMMAND)
		json_string(&j, "command", rules_command_name(p->command));
	if (p->keyword)
		json_string(&j, "keyword", p->keyword);
	else
		json_null(&j, "keyword");
	json_begin_object(&j, "fields");
	for (i = 0; i < p->n_fields; i++) {
		const struct rules_value *v = &p->fields[i];

		if (!v->name)
			continue;
		if (!v->present) {
			json_null(&j, v->name);
			continue;
		}
		value_text(v, buf, sizeof(buf));
		if (v->type == RULES_INT)
			json_int(&j, v->name, (long long) v->v.i);
		else if (v->type == RULES_BOOL)
			json_bool(&j, v->name, v->v.i != 0);
		else
			json_string(&j, v->name, buf);
	}
	json_end_object(&j);
	json_string(&j, "period", p->period ? p->period : "");
	json_bool(&j, "late", p->late);
	if (p->kind == RULES_KIND_FORM && p->error == RULES_E_NONE &&
			rules_form_is_checkin(rules, p->form_id)) {
		/* null: not checked (no database) */
		if (facts->verdict_status == RULES_FACT_FOUND &&
				facts->verdict) {
			json_begin_object(&j, "verdict");
			json_string(&j, "verdict", facts->verdict);
			json_string(&j, "evidence",
					facts->evidence ? facts->evidence : "");
			if (facts->distance_m >= 0)
				json_int(&j, "distance_m",
						(long long) facts->distance_m);
			else
				json_null(&j, "distance_m");
			json_bool(&j, "outlet_asked", d->outlet_ask != NULL);
			json_end_object(&j);
		} else {
			json_null(&j, "verdict");
		}
	}
	if (d->action != RULES_ACT_NONE && d->report.ref)
		json_string(&j, "ref", d->report.ref);
	if (d->reply)
		json_string(&j, "reply", d->reply);
	else
		json_null(&j, "reply");
	json_int(&j, "segments", d->reply ? d->reply_segments : 0);
	json_bool(&j, "gsm7", d->reply_gsm7);
	json_begin_array(&j, "alerts");
	for (i = 0; i < d->n_alerts; i++) {
		const struct rules_alert *a = &d->alerts[i];

		json_begin_object(&j, NULL);
		json_string(&j, "id", a->id);
		json_begin_array(&j, "notify");
		for (k = 0; k < a->n_notify; k++)
			json_string(&j, NULL, a->notify[k]);
		json_end_array(&j);
		json_string(&j, "text", a->text);
		json_int(&j, "batch_seconds", a->batch_seconds);
		json_string(&j, "dedupe_key", a->dedupe_key);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_bool(&j, "lookups_checked", checked);
	json_end_object(&j);
	json_finish(&j);
}

static int parse_test(int argc, char **argv, struct test_opts *o)
{
	const char *prog = "fieldgatectl rules test";
	int64_t now = (int64_t) time(NULL);
	int i, r, n_pos = 0;

	o->at = now;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;

		r = ctl_common_option(
				argc, argv, &i, &o->json, ctl_rules_usage);
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r == CTL_EXIT_OK ? -1 : r;
		if (!strcmp(a, "--rules") && has_val) {
			o->rules_file = argv[++i];
		} else if (!strcmp(a, "--as") && has_val) {
			o->as = argv[++i];
			if (strcmp(o->as, "rep") &&
					strcmp(o->as, "supervisor") &&
					strcmp(o->as, "admin") &&
					strcmp(o->as, "unknown")) {
				fprintf(stderr,
						"%s: --as takes rep, "
						"supervisor, admin or "
						"unknown, not '%s'\n",
						prog, o->as);
				return CTL_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--at") && has_val) {
			if (ctl_parse_time(argv[++i], now, &o->at) < 0) {
				fprintf(stderr,
						"%s: bad --at '%s' (e.g. "
						"2026-06-01T08:30 or "
						"2026-06-01T08:30+08:00)\n",
						prog, argv[i]);
				return CTL_EXIT_USAGE;
			}
			o->at_given = true;
		} else if (a[0] == '-' && a[1] && n_pos < 1) {
			return ctl_bad_option(prog, a);
		} else if (n_pos == 0) {
			o->from = a;
			n_pos++;
		} else if (n_pos == 1) {
			o->text = a;
			n_pos++;
		} else {
			fprintf(stderr, "%s: one TEXT only (quote it)\n", prog);
			return CTL_EXIT_USAGE;
		}
	}
	if (n_pos < 2) {
		fprintf(stderr,
				"%s: missing %s (usage: rules test FROM "
				"TEXT)\n",
				prog, n_pos ? "TEXT" : "FROM and TEXT");
		return CTL_EXIT_USAGE;
	}
	return 0;
}

static int rules_test(int argc, char **argv)
{
	const char *prog = "fieldgatectl rules test";
	struct test_opts o = {0};
	struct rules *rules = NULL;
	struct rules_parsed *parsed = NULL;
	struct rules_decision *d = NULL;
	struct rules_msg m = {0};
	struct rules_facts facts = {0};
	struct gw_lookups lk;
	struct ctl_session s = {0};
	struct db_person person;
	struct db_error err;
	char phone[DB_PHONE_MAX];
	const char *note = NULL;
	bool have_db = false, known = false, outlet = false;
	int r, rc = CTL_EXIT_FAIL;

	memset(&lk, 0, sizeof(lk));
	r = parse_test(argc, argv, &o);
	if (r)
		return r < 0 ? CTL_EXIT_OK : r;
	if (db_phone_normalize(o.from, phone) < 0)
		snprintf(phone, sizeof(phone), "%s", o.from);
	rules = load(prog, o.rules_file ? o.rules_file : DEFAULT_RULES, true,
			NULL);
	if (!rules)
		return CTL_EXIT_FAIL;

	m.text = o.text;
	m.len = strlen(o.text);
	m.sender.phone = phone;
	if (o.as) {
		if (strcmp(o.as, "unknown")) {
			m.sender.role = o.as;
			m.sender.name = "test";
		}
	} else if (ctl_open(prog, true, &s) == 0) {
		have_db = true;
		r = db_people_lookup(s.db, phone, &person, &err);
		if (r == 0) {
			known = true;
			gw_rules_sender(&person, phone, &m.sender);
		} else if (r != -ENOENT && r != -EINVAL) {
			ctl_db_error(&s, "looking the sender up", r, &err);
			goto out;
		} else {
			/* an outlet's phone: role outlet (no confirmation is
			 * tried: rules test changes nothing) */
			r = gw_rules_outlet_sender(s.db, phone, &lk.checkin,
					&m.sender, &err);
			if (r < 0) {
				ctl_db_error(&s, "looking the outlet up", r,
						&err);
				goto out;
			}
			outlet = r > 0;
		}
	} else {
		/* the parse alone: as a rep would send it (--as to choose) */
		m.sender.role = "rep";
		note = "no database: sender taken as a rep, lookups not "
		       "checked";
	}
	if (!have_db && !note)
		note = "--as given: database lookups not checked";
	gw_rules_time(o.at, rules_timezone(rules), &m.sent);
	m.received = m.sent;

	r = rules_parse(rules, &m, &parsed);
	if (r < 0)
		goto out_oom;
	r = gw_rules_look_up(rules, have_db && known ? s.db : NULL, parsed, &m,
			NULL, &lk, &facts, &err);
	if (r < 0 && r != -ENOSPC) {
		ctl_db_error(&s, "lookups", r, &err);
		goto out;
	}
	if (have_db && !known)
		note = outlet ? "an outlet's phone (role outlet); the "
				"confirmation itself not tried"
			      : "sender not in the roster";
	r = rules_decide(rules, parsed, &m, &facts, &d);
	if (r < 0)
		goto out_oom;
	if (o.json)
		print_json(rules, parsed, d, &m, &facts, have_db && known);
	else
		print_text(rules, parsed, d, &m, &facts, note);
	if (!o.json && o.at_given)
		ctl_sched_at(rules, o.at, stdout);
	rc = CTL_EXIT_OK;
	goto out;

out_oom:
	fprintf(stderr, "%s: out of memory\n", prog);
out:
	gw_rules_lookups_done(&lk);
	rules_decision_free(d);
	rules_parsed_free(parsed);
	rules_free(rules);
	if (have_db)
		ctl_close(&s);
	return rc;
}

/* ---- rules reload -------------------------------------------------------- */

static int rules_reload(int argc, char **argv)
{
	const char *prog = "fieldgatectl rules reload";
	struct ctl_session s;
	struct db_error err;
	struct db_rule_reload_row *rows = NULL;
	unsigned long wait_s = WAIT_DEFAULT_S;
	size_t n = 0, i, seen = 0;
	char by[160], host[64];
	int64_t id = 0;
	bool json = false, refused = false;
	int r, ticks, quiet_ticks = 0;

	for (i = 1; i < (size_t) argc; i++) {
		int k = (int) i;

		r = ctl_common_option(argc, argv, &k, &json, ctl_rules_usage);
		i = (size_t) k;
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r;
		if (!strcmp(argv[i], "--wait") && i + 1 < (size_t) argc) {
			if (ctl_parse_uint(argv[++i], 600, &wait_s) < 0) {
				fprintf(stderr, "%s: bad --wait '%s'\n", prog,
						argv[i]);
				return CTL_EXIT_USAGE;
			}
		} else {
			return ctl_bad_option(prog, argv[i]);
		}
	}
	if (ctl_open(prog, true, &s) < 0)
		return CTL_EXIT_FAIL;
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "?");
	host[sizeof(host) - 1] = '\0';
	snprintf(by, sizeof(by), "fieldgatectl@%s", host);
	r = db_rule_reload_request(s.db, by, &id, &err);
	if (r < 0) {
		ctl_db_error(&s, "requesting the reload", r, &err);
		ctl_close(&s);
		return CTL_EXIT_FAIL;
	}
	printf("reload request %" PRId64 " sent to every daemon\n", id);
	fflush(stdout);
	/* until one answered and the others had 1 s more, or --wait */
	for (ticks = 0; ticks < (int) wait_s * 10; ticks++) {
		usleep(100000);
		r = db_rule_reload_outcomes(s.db, id, &rows, &n, &err);
		if (r < 0) {
			ctl_db_error(&s, "reading the outcome", r, &err);
			ctl_close(&s);
			return CTL_EXIT_FAIL;
		}
		for (i = seen; i < n; i++) {
			printf("%s: %s%s%.12s\n", rows[i].daemon_host,
					rows[i].ok ? "reloaded" : "REFUSED",
					rows[i].ok ? ", sha256 " : "",
					rows[i].ok ? rows[i].sha256 : "");
			if (!rows[i].ok) {
				refused = true;
				printf("%s\n", rows[i].errors ? rows[i].errors
							      : "");
			}
		}
		if (n > seen)
			quiet_ticks = 0;
		seen = n;
		db_rule_reload_rows_free(rows, n);
		if (seen && ++quiet_ticks >= 10)
			break;
	}
	if (!seen)
		printf("no daemon answered within %lu s (none running, or "
		       "no rules_file in their configuration)\n",
				wait_s);
	ctl_close(&s);
	return refused ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}

int ctl_rules_run(int argc, char **argv)
{
	static const struct ctl_subcmd subs[] = {
			{"check", rules_check},
			{"test", rules_test},
			{"reload", rules_reload},
	};

	return ctl_run_subcmd("fieldgatectl rules", subs,
			sizeof(subs) / sizeof(subs[0]), ctl_rules_usage, argc,
			argv);
}
