/*
 * tests/unit/check_rules_cases.c - rules_parse() + rules_decide() against
 * the table in tests/data/rules/cases.tsv, run on the shipped rule files
 * (docs/examples/rules.zh.conf and rules.en.conf).
 *
 * Columns: file (zh|en), sender role (rep|supervisor|admin|unknown),
 * text (the SMS, with rules_tsv.h escapes), outcome ("ok:FORM",
 * "ok:undo", "error:NAME", "help", "ignored"), detail (ok: the report's
 * period, "late" when it is, and its fields as JSON; error: "field|token"
 * of the error; "-" for none) and
 * the exact reply ("-" = no reply), optionally a 7th column with the
 * SCTS local time ("2026-06-01 21:30"; default 2026-06-01 10:00, a
 * Monday).  Facts as a database would give them: reference R1045, no
 * earlier report in the period, the last report R1044 a minute ago,
 * outlets found ("华联超市").
 *
 * RULES_CASES_PRINT=1 prints each row's line and what the engine said
 * (to review a new row before adding it; the table is the reviewed
 * truth).
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rules.h"
#include "rules/rules_int.h"
#include "rules/text.h"
#include "tests/unit/rules_tsv.h"

static struct tsv_row *rows;
static int n_rows;
static struct rules *zh, *en;

static struct rules *load(const char *name)
{
	struct diag_list d = {0};
	struct rules *r = NULL;
	char path[4096];
	const char *top = getenv("top_srcdir");
	size_t i;

	snprintf(path, sizeof(path), "%s/docs/examples/%s", top ? top : ".",
			name);
	if (rules_load(path, &r, &d) < 0) {
		for (i = 0; i < d.n; i++)
			fprintf(stderr, "%s\n", d.v[i].line_text);
		fprintf(stderr, "cannot load %s\n", path);
		exit(EXIT_FAILURE);
	}
	diag_free(&d);
	return r;
}

static void outcome(const struct rules_parsed *p,
		const struct rules_decision *d, char *buf, size_t size)
{
	if (d->outcome == RULES_OUT_OK)
		snprintf(buf, size, "ok:%s",
				p->kind == RULES_KIND_FORM
						? p->form_id
						: rules_command_name(
								  p->command));
	else if (d->outcome == RULES_OUT_ERROR)
		snprintf(buf, size, "error:%s", rules_error_name(d->error));
	else
		snprintf(buf, size, "%s", rules_outcome_name(d->outcome));
}

/* Runs one row; fills what the engine said. */

/*
 * (supervisors issue) the mock database of the supervisor commands:
 * references R9xxx do not exist, R8xxx belong to another team, R7xxx
 * are decided already, the rest wait for 13800000002 (王二).  团队: 王一
 * complete, 王二 missing both, 王三 on leave.  查 无名: nobody; 查 外人:
 * another team; anyone else is 王二 with a check-in and a report.
 */
static void supervise_facts(const struct rules_parsed *p, struct rules_facts *f,
		enum rules_fact *rstat, struct rules_report_ref *rrefs)
{
	static const struct rules_team_member team[] = {
			{"王一", "13800000011", true, true, false},
			{"王二", "13800000012", false, false, false},
			{"王三", "13800000013", false, false, true},
	};
	size_t i;

	f->sender_name = "张伟";
	for (i = 0; i < p->n_refs && i < 16; i++) {
		rrefs[i].ref = p->refs[i];
		rrefs[i].status =
				p->refs[i][1] == '7' ? "approved" : "received";
		rrefs[i].in_chain = p->refs[i][1] == '8' ? RULES_FACT_NOT_FOUND
							 : RULES_FACT_FOUND;
		rrefs[i].rep_name = "王二";
		rrefs[i].rep_phone = "13800000012";
		rstat[i] = p->refs[i][1] == '9' ? RULES_FACT_NOT_FOUND
						: RULES_FACT_FOUND;
	}
	if (p->n_refs) {
		f->reports_status = rstat;
		f->reports = rrefs;
	}
	f->team_status = RULES_FACT_FOUND;
	f->team = team;
	f->n_team = 3;
	f->person_status = p->command_text && !strcmp(p->command_text, "无名")
					   ? RULES_FACT_NOT_FOUND
					   : RULES_FACT_FOUND;
	f->person_in_chain =
			!p->command_text || strcmp(p->command_text, "外人");
	f->person.name = "王二";
	f->person.phone = "13800000012";
	f->person.checkins_today = 1;
	f->person.last_checkin_outlet = "华联超市";
	f->person.last_checkin_time = "09:05";
	f->person.last_checkin_verdict = "in_territory";
	f->person.reports_today = 1;
	f->person.forms_today = "日报";
	f->person.latest_ref = "R1044";
	f->person.latest_form = "daily";
	f->person.latest_status = "approved";
}

static void run(const struct tsv_row *row, char *out, size_t out_size,
		char *detail, size_t detail_size, char *reply,
		size_t reply_size)
{
	enum rules_fact rstat[16];
	struct rules_report_ref rrefs[16];
	struct rules *r = !strcmp(row->f[0], "en") ? en : zh;
	struct rules_msg msg;
	struct rules_facts facts;
	struct rules_parsed *p = NULL;
	struct rules_decision *d = NULL;

	memset(&msg, 0, sizeof(msg));
	memset(&facts, 0, sizeof(facts));
	memset(rrefs, 0, sizeof(rrefs));
	msg.text = row->f[2];
	msg.len = row->len[2];
	msg.sender.phone = "13800000001";
	msg.sender.role = strcmp(row->f[1], "unknown") ? row->f[1] : NULL;
	msg.sender.name = msg.sender.role ? "张伟" : NULL;
	msg.sender.person_id = msg.sender.role ? 7 : 0;
	ck_assert_int_eq(r_time_parse(row->n > 6 ? row->f[6]
						 : "2026-06-01 10:00",
					 &msg.sent),
			0);
	msg.received = msg.sent;
	facts.ref = "R1045";
	facts.prior_status = RULES_FACT_NOT_FOUND;
	facts.last_status = RULES_FACT_FOUND;
	facts.last.ref = "R1044";
	facts.last.status = "received";
	facts.last.received = msg.sent.unix - 60;
	ck_assert_int_eq(rules_parse(r, &msg, &p), 0);
	supervise_facts(p, &facts, rstat, rrefs);
	facts.outlet_status = RULES_FACT_FOUND;
	facts.outlet.code = p->needs.outlet_code;
	facts.outlet.name = "华联超市";
	ck_assert_int_eq(rules_decide(r, p, &msg, &facts, &d), 0);
	outcome(p, d, out, out_size);
	if (d->outcome == RULES_OUT_OK && d->report.fields_json)
		snprintf(detail, detail_size, "%s%s%s%s", d->report.period,
				*d->report.period ? " " : "",
				d->report.late ? "late " : "",
				d->report.fields_json);
	else if (d->outcome == RULES_OUT_ERROR && p->error_field)
		snprintf(detail, detail_size, "%s|%s", p->error_field,
				p->error_token ? p->error_token : "");
	else
		snprintf(detail, detail_size, "-");
	snprintf(reply, reply_size, "%s", d->reply ? d->reply : "-");
	/* every reply the shipped files give fits one SMS, counted as the
	 * codec counts it */
	if (d->reply) {
		bool gsm7 = false;

		ck_assert_int_eq(d->reply_segments, 1);
		ck_assert_int_eq(rt_sms_segments(d->reply, strlen(d->reply),
						 &gsm7),
				d->reply_segments);
		ck_assert(gsm7 == d->reply_gsm7);
	}
	rules_decision_free(d);
	rules_parsed_free(p);
}

START_TEST(test_case)
{
	const struct tsv_row *row = &rows[_i];
	char out[96], detail[1024], reply[1024];

	ck_assert_msg(row->n >= 6, "%s:%d: needs 6 columns", tsv_path(),
			row->line);
	run(row, out, sizeof(out), detail, sizeof(detail), reply,
			sizeof(reply));
	if (getenv("RULES_CASES_PRINT"))
		printf("%d\t%s\t%s\t%s\n", row->line, out, detail, reply);
	ck_assert_msg(!strcmp(out, row->f[3]),
			"%s:%d: \"%s\": outcome %s, "
			"expected %s",
			tsv_path(), row->line, row->f[2], out, row->f[3]);
	ck_assert_msg(!strcmp(detail, row->f[4]),
			"%s:%d: \"%s\": detail %s, expected %s", tsv_path(),
			row->line, row->f[2], detail, row->f[4]);
	ck_assert_msg(!strcmp(reply, row->f[5]),
			"%s:%d: \"%s\": reply \"%s\", expected \"%s\"",
			tsv_path(), row->line, row->f[2], reply, row->f[5]);
}
END_TEST

START_TEST(test_enough_cases)
{
	/* the issue asks for at least 200 parser cases */
	ck_assert_int_ge(n_rows, 200);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rules_cases");
	TCase *tc = tcase_create("cases");
	SRunner *sr;
	int failed;

	rows = tsv_load("tests/data/rules/cases.tsv", &n_rows);
	zh = load("rules.zh.conf");
	en = load("rules.en.conf");
	tcase_add_test(tc, test_enough_cases);
	tcase_add_loop_test(tc, test_case, 0, n_rows);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rules_free(zh);
	rules_free(en);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
