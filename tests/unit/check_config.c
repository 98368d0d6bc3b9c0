/*
 * tests/unit/check_config.c - gateway/config.c.
 *
 * The example configs must load.  Each tests/data/config/NAME.conf is a
 * broken config whose every expected diagnostic, exactly, is in
 * NAME.diag (golden files): a load must report all errors, not just the
 * first.  Files are loaded by relative name after chdir, so the messages
 * do not depend on where the source tree is.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway/gwconfig.h"
#include "tests/unit/testutil.h"

static void check_example(const char *name)
{
	struct gw_config_errors errors = {0};
	struct gw_config *cfg = NULL;
	const struct gw_modem_config *m;
	int r;

	tu_chdir_top("gateway");
	r = gw_config_load(name, &cfg, &errors);
	ck_assert_msg(r == 0, "%s: %s", name,
			errors.n ? errors.lines[0] : "no message");
	ck_assert_uint_eq(errors.n, 0);
	ck_assert_str_eq(cfg->db_conninfo,
			"dbname=fieldgate user=fieldgate host=/run/postgresql");
	ck_assert_int_eq(cfg->db_statement_timeout_ms, 5000);
	ck_assert_str_eq(cfg->timezone, "Asia/Shanghai");
	ck_assert_str_eq(cfg->rules_file, "/etc/fieldgate/rules.conf");
	ck_assert_int_eq(cfg->log_level, LOG_LEVEL_INFO);
	ck_assert(!cfg->log_personal_info);
	ck_assert_uint_eq(cfg->n_modems, 2);
	m = gw_config_find_modem(cfg, "usb0");
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->baud, 115200);
	ck_assert_int_eq(m->storage, GW_STORAGE_SM);
	ck_assert_int_eq(m->delivery, GW_DELIVERY_STORED);
	ck_assert_ptr_null(m->pin);
	m = gw_config_find_modem(cfg, "usb1");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->device, "usb-serial:0123456789ABCDEF");
	ck_assert_int_eq(m->delivery, GW_DELIVERY_DIRECT);
	ck_assert_int_eq(m->ussd_encoding, GW_USSD_GSM7_PACKED);
	/* Defaults fill what the entry leaves out. */
	ck_assert_int_eq(m->baud, 115200);
	ck_assert_int_eq(m->send_rate, 10);
	ck_assert(m->text_mode_fallback);
	ck_assert_ptr_null(gw_config_find_modem(cfg, "usb2"));
	ck_assert_int_eq(cfg->out_max_attempts, 5);
	ck_assert_int_eq(cfg->out_resend_unknown, GW_RESEND_NEVER);
	ck_assert_int_eq(cfg->multipart_timeout_s, 600);
	ck_assert_str_eq(cfg->ack_template, "已收到 #%id");
	ck_assert_int_eq(cfg->reply_limit_per_hour, 20);
	gw_config_free(cfg);
	gw_config_errors_done(&errors);
}

START_TEST(test_example_en)
{
	check_example("fieldgated.conf.example");
}
END_TEST

START_TEST(test_example_zh)
{
	check_example("fieldgated.conf.zh.example");
}
END_TEST

START_TEST(test_minimal_defaults)
{
	struct gw_config_errors errors = {0};
	struct gw_config *cfg = NULL;

	tu_chdir_top("tests/data/config");
	ck_assert_int_eq(gw_config_load("good-minimal.conf", &cfg, &errors), 0);
	ck_assert_ptr_null(cfg->rules_file);
	ck_assert_ptr_null(cfg->timezone);
	ck_assert_int_eq(cfg->db_connect_timeout_s, 5);
	ck_assert_int_eq(cfg->modems[0].status_interval_s, 60);
	/* Debug categories default to all but the AT trace. */
	ck_assert_uint_eq(cfg->log_categories, LOG_CAT_DEFAULT);
	ck_assert_int_eq(cfg->modems[0].sweep_interval_s, 300);
	ck_assert_str_eq(cfg->modems[0].device, "tty:/dev/pts/5");
	ck_assert_str_eq(cfg->ack_template, "已收到 #%id");
	gw_config_free(cfg);
	gw_config_errors_done(&errors);
}
END_TEST

/* Every broken config, by name; each has NAME.conf and NAME.diag. */
static const char *const bad_configs[] = {
		"bad-syntax",
		"bad-unknown-keys",
		"bad-types",
		"bad-ranges",
		"bad-enums",
		"bad-missing",
		"bad-duplicates",
		"bad-modems-shape",
		"bad-strings",
		"bad-empty",
		"bad-include",
};

START_TEST(test_bad_config)
{
	struct gw_config_errors errors = {0};
	struct gw_config *cfg = NULL;
	char conf[256], diag[256], *want, *got = NULL;
	size_t i, len = 0;
	FILE *mem;

	tu_chdir_top("tests/data/config");
	snprintf(conf, sizeof(conf), "%s.conf", bad_configs[_i]);
	snprintf(diag, sizeof(diag), "%s.diag", bad_configs[_i]);
	ck_assert_int_eq(gw_config_load(conf, &cfg, &errors), -EINVAL);
	ck_assert_ptr_null(cfg);
	mem = open_memstream(&got, &len);
	ck_assert_ptr_nonnull(mem);
	for (i = 0; i < errors.n; i++)
		fprintf(mem, "%s\n", errors.lines[i]);
	fclose(mem);
	want = tu_slurp(diag, NULL);
	ck_assert_msg(!strcmp(got, want),
			"%s: diagnostics differ\n"
			"--- expected\n%s--- got\n%s",
			conf, want, got);
	free(want);
	free(got);
	gw_config_errors_done(&errors);
}
END_TEST

START_TEST(test_missing_file)
{
	struct gw_config_errors errors = {0};
	struct gw_config *cfg = NULL;

	ck_assert_int_eq(gw_config_load("/nonexistent/fieldgated.conf", &cfg,
					 &errors),
			-ENOENT);
	ck_assert_uint_eq(errors.n, 1);
	ck_assert_str_eq(errors.lines[0],
			"/nonexistent/fieldgated.conf: "
			"cannot open: No such file or directory");
	gw_config_errors_done(&errors);
	ck_assert_uint_eq(errors.n, 0);
}
END_TEST

static const struct {
	const char *tmpl;
	int64_t id;
	int ret;
	const char *out;
} acks[] = {
		{"已收到 #%id", 42, 13, "已收到 #42"},
		{"%id%%", 7, 2, "7%"},
		{"no placeholder", 1, 14, "no placeholder"},
		{"bad %x", 1, -EINVAL, NULL},
		{"trailing %", 1, -EINVAL, NULL},
		{"0123456789012345678901234567890123456789 %id", 1, -ENOSPC,
				NULL},
};

START_TEST(test_render_ack)
{
	char buf[32];

	ck_assert_int_eq(gw_config_render_ack(acks[_i].tmpl, acks[_i].id, buf,
					 sizeof(buf)),
			acks[_i].ret);
	if (acks[_i].out)
		ck_assert_str_eq(buf, acks[_i].out);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, test_example_en);
	tcase_add_test(tc, test_example_zh);
	tcase_add_test(tc, test_minimal_defaults);
	tcase_add_loop_test(tc, test_bad_config, 0,
			sizeof(bad_configs) / sizeof(bad_configs[0]));
	tcase_add_test(tc, test_missing_file);
	tcase_add_loop_test(
			tc, test_render_ack, 0, sizeof(acks) / sizeof(acks[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(config_suite());
}
