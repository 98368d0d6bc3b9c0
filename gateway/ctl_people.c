/*
 * fieldgatectl people add|list: the reps, supervisors and admins the
 * gateway knows (acknowledgements go to known senders only).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/store.h"
#include "gateway/ctl.h"

void ctl_people_usage(FILE *f)
{
	fprintf(f, "usage: fieldgatectl people add NUMBER NAME --role "
		   "rep|supervisor|admin\n"
		   "                         [--supervisor NUMBER] "
		   "[--territory TEXT] [--json]\n"
		   "       fieldgatectl people list [--role ROLE] [--json]\n"
		   "\n"
		   "add: registers a person and prints the id. --supervisor "
		   "must "
		   "name a\n"
		   "  registered, active supervisor. A number already "
		   "registered "
		   "is an error.\n"
		   "list: everyone, by role then name; --role keeps one "
		   "role.\n" CTL_CONN_HELP);
}

static int parse_role(const char *prog, const char *s, enum db_role *ret)
{
	if (db_role_parse(s, ret) == 0)
		return 0;
	fprintf(stderr, "%s: bad role '%s' (rep, supervisor or admin)\n", prog,
			s);
	return -1;
}

static int cmd_add(int argc, char **argv)
{
	static const char prog[] = "fieldgatectl people add";
	const char *number = NULL, *name = NULL, *sup = NULL, *terr = NULL;
	char norm[DB_PHONE_MAX];
	struct db_person boss, old;
	struct ctl_session s;
	struct db_error err;
	enum db_role role = DB_ROLE_REP;
	bool json = false, has_role = false;
	int64_t id;
	int i, r;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		r = ctl_common_option(argc, argv, &i, &json, ctl_people_usage);
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r;
		if (!strcmp(a, "--role") && i + 1 < argc) {
			if (parse_role(prog, argv[++i], &role) < 0)
				return CTL_EXIT_USAGE;
			has_role = true;
		} else if (!strcmp(a, "--supervisor") && i + 1 < argc) {
			sup = argv[++i];
		} else if (!strcmp(a, "--territory") && i + 1 < argc) {
			terr = argv[++i];
		} else if (a[0] == '-' && a[1] == '-') {
			return ctl_bad_option(prog, a);
		} else if (!number) {
			number = a;
		} else if (!name) {
			name = a;
		} else {
			fprintf(stderr,
					"%s: one NUMBER and one NAME (quote a "
					"name with spaces)\n",
					prog);
			return CTL_EXIT_USAGE;
		}
	}
	if (!number || !name || !has_role) {
		fprintf(stderr, "%s: need NUMBER, NAME and --role\n", prog);
		return CTL_EXIT_USAGE;
	}
	if (db_phone_normalize(number, norm) < 0) {
		fprintf(stderr,
				"%s: invalid number '%s': expected '+' and "
				"3-20 digits\n",
				prog, number);
		return CTL_EXIT_FAIL;
	}
	if (!*name) {
		fprintf(stderr, "%s: empty name\n", prog);
		return CTL_EXIT_FAIL;
	}
	if (sup && db_phone_normalize(sup, boss.phone) < 0) {
		fprintf(stderr, "%s: invalid supervisor number '%s'\n", prog,
				sup);
		return CTL_EXIT_FAIL;
	}
	if (ctl_open(prog, true, &s) < 0)
		return CTL_EXIT_FAIL;
	if (sup) {
		r = db_people_lookup(s.db, sup, &boss, &err);
		if (r == -ENOENT) {
			fprintf(stderr,
					"%s: supervisor %s is not registered "
					"(add them first)\n",
					prog, sup);
			goto out_fail;
		}
		if (r < 0) {
			ctl_db_error(&s, "looking up the supervisor", r, &err);
			goto out_fail;
		}
		if (boss.role != DB_ROLE_SUPERVISOR) {
			fprintf(stderr,
					"%s: %s (%s) is a %s, not a "
					"supervisor\n",
					prog, boss.phone, boss.name,
					db_role_name(boss.role));
			goto out_fail;
		}
		if (!strcmp(boss.phone, norm)) {
			fprintf(stderr,
					"%s: a person cannot supervise "
					"themselves\n",
					prog);
			goto out_fail;
		}
	}
	r = db_people_add(s.db, norm, name, role, sup ? boss.phone : NULL, terr,
			&id, &err);
	if (r == -EEXIST) {
		if (db_people_lookup(s.db, norm, &old, &err) == 0)
			fprintf(stderr,
					"%s: %s is already registered (%s, "
					"%s, id %lld)\n",
					prog, norm, old.name,
					db_role_name(old.role),
					(long long) old.id);
		else
			fprintf(stderr, "%s: %s is already registered\n", prog,
					norm);
		goto out_fail;
	}
	if (r == -ENOENT) {
		/* the supervisor vanished between lookup and insert */
		fprintf(stderr, "%s: supervisor %s is not registered\n", prog,
				sup);
		goto out_fail;
	}
	if (r < 0) {
		ctl_db_error(&s, "adding the person", r, &err);
		goto out_fail;
	}
	ctl_close(&s);
	if (json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_int(&j, "id", id);
		json_string(&j, "phone", norm);
		json_string(&j, "name", name);
		json_string(&j, "role", db_role_name(role));
		json_end_object(&j);
		json_finish(&j);
	} else {
		printf("%lld\n", (long long) id);
	}
	return CTL_EXIT_OK;
out_fail:
	ctl_close(&s);
	return CTL_EXIT_FAIL;
}

static void print_json(const struct db_person *v, size_t n, bool has_role,
		enum db_role role)
{
	struct json j;
	size_t i;

	json_init(&j, stdout, true);
	json_begin_array(&j, NULL);
	for (i = 0; i < n; i++) {
		if (has_role && v[i].role != role)
			continue;
		json_begin_object(&j, NULL);
		json_int(&j, "id", v[i].id);
		json_string(&j, "phone", v[i].phone);
		json_string(&j, "name", v[i].name);
		json_string(&j, "role", db_role_name(v[i].role));
		ctl_json_text(&j, "supervisor", v[i].supervisor_phone);
		ctl_json_text(&j, "territory", v[i].territory);
		json_bool(&j, "active", v[i].active);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_finish(&j);
}

static int cmd_list(int argc, char **argv)
{
	static const char prog[] = "fieldgatectl people list";
	struct db_person *v = NULL;
	struct ctl_session s;
	struct db_error err;
	enum db_role role = DB_ROLE_REP;
	bool json = false, has_role = false;
	size_t n = 0, i, shown = 0;
	int r, k;

	for (k = 1; k < argc; k++) {
		r = ctl_common_option(argc, argv, &k, &json, ctl_people_usage);
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r;
		if (!strcmp(argv[k], "--role") && k + 1 < argc) {
			if (parse_role(prog, argv[++k], &role) < 0)
				return CTL_EXIT_USAGE;
			has_role = true;
		} else {
			fprintf(stderr, "%s: unexpected argument '%s'\n", prog,
					argv[k]);
			return CTL_EXIT_USAGE;
		}
	}
	if (ctl_open(prog, true, &s) < 0)
		return CTL_EXIT_FAIL;
	r = db_people_list(s.db, &v, &n, &err);
	if (r < 0) {
		ctl_db_error(&s, "listing people", r, &err);
		ctl_close(&s);
		return CTL_EXIT_FAIL;
	}
	ctl_close(&s);
	if (json) {
		print_json(v, n, has_role, role);
		free(v);
		return CTL_EXIT_OK;
	}
	for (i = 0; i < n; i++) {
		if (has_role && v[i].role != role)
			continue;
		if (!shown++)
			printf("%-6s %-16s %-10s %-16s %-8s %s\n", "ID",
					"PHONE", "ROLE", "SUPERVISOR", "ACTIVE",
					"NAME");
		printf("%-6lld %-16s %-10s %-16s %-8s %s%s%s\n",
				(long long) v[i].id, v[i].phone,
				db_role_name(v[i].role),
				v[i].supervisor_phone[0] ? v[i].supervisor_phone
							 : "-",
				v[i].active ? "yes" : "no", v[i].name,
				v[i].territory[0] ? "  @" : "", v[i].territory);
	}
	if (!shown)
		printf("no people%s%s registered\n",
				has_role ? " with role " : "",
				has_role ? db_role_name(role) : "");
	free(v);
	return CTL_EXIT_OK;
}

int ctl_people_run(int argc, char **argv)
{
	static const struct ctl_subcmd subs[] = {
			{"add", cmd_add},
			{"list", cmd_list},
	};

	return ctl_run_subcmd("fieldgatectl people", subs,
			sizeof(subs) / sizeof(subs[0]), ctl_people_usage, argc,
			argv);
}
