/*
 * fieldgatectl db migrate|status: the schema. Migrations are compiled into
 * the program (db/migrate.h); `migrate` applies the newer ones, `status`
 * compares versions without changing anything.
 */
#include <errno.h>
#include <string.h>

#include "db/migrate.h"
#include "db/store_ctl.h"
#include "gateway/ctl.h"

void ctl_db_usage(FILE *f)
{
	fprintf(f, "usage: fieldgatectl db migrate [--json]\n"
		   "       fieldgatectl db status [--json]\n"
		   "\n"
		   "migrate: apply every migration newer than the database's "
		   "schema (each in\n"
		   "  its own transaction, under an advisory lock); prints "
		   "FROM -> TO.\n"
		   "status: the database's schema version and this program's; "
		   "exit 0 when\n"
		   "  they match, 1 when the database needs `db migrate` or is "
		   "newer.\n" CTL_CONN_HELP);
}

/*
 * Parses [--json] and connection options: 0 to go on, -1 after --help,
 * else an exit status.
 */
static int parse(const char *prog, int argc, char **argv, bool *json)
{
	int i, r;

	for (i = 1; i < argc; i++) {
		r = ctl_common_option(argc, argv, &i, json, ctl_db_usage);
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r == CTL_EXIT_OK ? -1 : r;
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog,
				argv[i]);
		return CTL_EXIT_USAGE;
	}
	return 0;
}

static int cmd_migrate(int argc, char **argv)
{
	static const char prog[] = "fieldgatectl db migrate";
	struct ctl_session s;
	struct db_error err;
	bool json = false;
	int r, from, to;

	r = parse(prog, argc, argv, &json);
	if (r)
		return r < 0 ? CTL_EXIT_OK : r;
	if (ctl_open(prog, false, &s) < 0)
		return CTL_EXIT_FAIL;
	r = db_ctl_schema_version(s.db, &from, &err);
	if (r < 0) {
		ctl_db_error(&s, "reading the schema version", r, &err);
		goto out_fail;
	}
	r = db_migrate(s.db, &to, &err);
	if (r < 0) {
		if (r == -EPROTO)
			fprintf(stderr, "%s: %s; upgrade fieldgate\n", prog,
					err.message);
		else
			ctl_db_error(&s, "migrating", r, &err);
		goto out_fail;
	}
	if (json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_int(&j, "from", from);
		json_int(&j, "to", to);
		json_int(&j, "applied", r);
		json_end_object(&j);
		json_finish(&j);
	} else if (r == 0) {
		printf("schema up to date: version %d\n", to);
	} else {
		printf("schema migrated: %d -> %d (%d migration%s applied)\n",
				from, to, r, r == 1 ? "" : "s");
	}
	ctl_close(&s);
	return CTL_EXIT_OK;
out_fail:
	ctl_close(&s);
	return CTL_EXIT_FAIL;
}

static int cmd_status(int argc, char **argv)
{
	static const char prog[] = "fieldgatectl db status";
	struct ctl_session s;
	struct db_error err;
	bool json = false;
	const char *verdict;
	int r, have, want = db_schema_version_known();

	r = parse(prog, argc, argv, &json);
	if (r)
		return r < 0 ? CTL_EXIT_OK : r;
	if (ctl_open(prog, false, &s) < 0)
		return CTL_EXIT_FAIL;
	r = db_ctl_schema_version(s.db, &have, &err);
	if (r < 0) {
		ctl_db_error(&s, "reading the schema version", r, &err);
		ctl_close(&s);
		return CTL_EXIT_FAIL;
	}
	ctl_close(&s);
	if (have == want)
		verdict = "up-to-date";
	else if (have < want)
		verdict = "needs-migrate";
	else
		verdict = "newer-than-program";
	if (json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_int(&j, "database_version", have);
		json_int(&j, "program_version", want);
		json_string(&j, "status", verdict);
		json_end_object(&j);
		json_finish(&j);
	} else {
		printf("database schema version: %d%s\n", have,
				have ? "" : " (empty)");
		printf("program schema version:  %d\n", want);
		if (have == want)
			printf("status: up to date\n");
		else if (have < want)
			printf("status: run `fieldgatectl db migrate`\n");
		else
			printf("status: the database is newer than this "
			       "program: upgrade fieldgate\n");
	}
	return have == want ? CTL_EXIT_OK : CTL_EXIT_FAIL;
}

int ctl_db_run(int argc, char **argv)
{
	static const struct ctl_subcmd subs[] = {
			{"migrate", cmd_migrate},
			{"status", cmd_status},
	};

	return ctl_run_subcmd("fieldgatectl db", subs,
			sizeof(subs) / sizeof(subs[0]), ctl_db_usage, argc,
			argv);
}
