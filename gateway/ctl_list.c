/*
 * fieldgatectl inbox / outbox: recent messages with their state, newest
 * first. The outbox shows every part: its state, TP-MR, attempts, errors
 * and the status report (TS 23.040 §9.2.3.15 TP-ST) that settled it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/store.h"
#include "db/store_ctl.h"
#include "gateway/ctl.h"

#define DEFAULT_LIMIT 20
#define MAX_LIMIT 10000

void ctl_inbox_usage(FILE *f)
{
	fprintf(f,
			"usage: fieldgatectl inbox [--from NUMBER] [--since "
			"TIME] "
			"[--until TIME]\n"
			"                          [--limit N] [--json]\n"
			"\n"
			"Received messages, newest first (default %d): time, "
			"sender, "
			"modem,\n"
			"state (stored, handled, failed, ignored) and text. "
			"Partial "
			"and undecodable\n"
			"messages are marked. TIME is relative (90s, 15m, 2h, "
			"1d, 1w "
			"ago) or ISO\n"
			"(2026-11-27, '2026-11-27 08:30', "
			"2026-11-27T08:30:00+08:00; "
			"local time\n"
			"when no zone is given).\n" CTL_CONN_HELP,
			DEFAULT_LIMIT);
}

void ctl_outbox_usage(FILE *f)
{
	fprintf(f,
			"usage: fieldgatectl outbox [--to NUMBER] [--since "
			"TIME] "
			"[--until TIME]\n"
			"                           [--limit N] [--json]\n"
			"\n"
			"Queued and sent messages, newest first (default %d), "
			"with "
			"each part's\n"
			"state (queued, submitting, submitted, delivered, "
			"failed, "
			"expired, unknown),\n"
			"message reference, attempts, last error and delivery "
			"report. "
			"TIME as for\n"
			"inbox.\n" CTL_CONN_HELP,
			DEFAULT_LIMIT);
}

/* Options shared by both listings. */
struct list_opts {
	struct db_list_filter filter;
	bool json;
};

/*
 * number_opt is "--from" or "--to". Returns 0 to go on, -1 after --help,
 * else an exit status.
 */
static int parse(const char *prog, const char *number_opt,
		void (*usage)(FILE *), int argc, char **argv,
		struct list_opts *o)
{
	int64_t now = (int64_t) time(NULL);
	unsigned long v;
	int i, r;

	o->filter.limit = DEFAULT_LIMIT;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;

		r = ctl_common_option(argc, argv, &i, &o->json, usage);
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r == CTL_EXIT_OK ? -1 : r;
		if (!strcmp(a, number_opt) && has_val) {
			char norm[DB_PHONE_MAX];

			o->filter.number = argv[++i];
			if (db_phone_normalize(o->filter.number, norm) < 0) {
				fprintf(stderr, "%s: invalid number '%s'\n",
						prog, o->filter.number);
				return CTL_EXIT_USAGE;
			}
		} else if ((!strcmp(a, "--since") || !strcmp(a, "--until")) &&
				has_val) {
			int64_t *t = a[2] == 's' ? &o->filter.since
						 : &o->filter.until;

			if (ctl_parse_time(argv[++i], now, t) < 0) {
				fprintf(stderr,
						"%s: bad %s '%s' (e.g. 2h, 1d, "
						"2026-11-27 or "
						"2026-11-27T08:30)\n",
						prog, a, argv[i]);
				return CTL_EXIT_USAGE;
			}
			if (*t <= 0)
				*t = 1; /* 0 would mean "no bound" */
		} else if (!strcmp(a, "--limit") && has_val) {
			if (ctl_parse_uint(argv[++i], MAX_LIMIT, &v) < 0 ||
					v == 0) {
				fprintf(stderr,
						"%s: bad --limit '%s' "
						"(1..%d)\n",
						prog, argv[i], MAX_LIMIT);
				return CTL_EXIT_USAGE;
			}
			o->filter.limit = v;
		} else {
			return ctl_bad_option(prog, a);
		}
	}
	return 0;
}

/* Text on one table line: control characters (newlines) become spaces. */
static void put_text(const char *s)
{
	for (; s && *s; s++)
		putchar((unsigned char) *s < 0x20 || *s == 0x7f ? ' ' : *s);
}

static const char *prio_name(int prio, char buf[16])
{
	static const char *const names[] = {"ack", "alert", "normal", "bulk"};

	if (prio >= 0 && prio < 4)
		return names[prio];
	snprintf(buf, 16, "%d", prio);
	return buf;
}

/* TS 23.040 §9.2.3.15 TP-Status ranges. */
static const char *report_meaning(int st)
{
	if (st < 0)
		return NULL;
	if (st <= 0x1f)
		return "delivered";
	if (st <= 0x3f)
		return "SC still trying";
	if (st <= 0x5f)
		return "permanent error";
	return "SC gave up";
}

/* The registered name of a sender, or NULL (people are few: a scan). */
static const char *name_of(
		const struct db_person *people, size_t np, const char *phone)
{
	size_t i;

	for (i = 0; phone[0] && i < np; i++)
		if (!strcmp(people[i].phone, phone))
			return people[i].name;
	return NULL;
}

static void inbox_json(const struct db_inbox_row *v, size_t n,
		const struct db_person *people, size_t np)
{
	struct json j;
	size_t i;

	json_init(&j, stdout, true);
	json_begin_array(&j, NULL);
	for (i = 0; i < n; i++) {
		json_begin_object(&j, NULL);
		json_int(&j, "id", v[i].id);
		ctl_json_time(&j, "received_at", v[i].received_at);
		ctl_json_time(&j, "scts", v[i].scts);
		json_string(&j, "sender", v[i].sender);
		json_string(&j, "sender_name",
				name_of(people, np, v[i].sender));
		json_string(&j, "modem", v[i].modem);
		json_string(&j, "kind", v[i].kind);
		json_string(&j, "state", v[i].state);
		json_int(&j, "part_count", v[i].part_count);
		json_bool(&j, "partial", v[i].partial);
		json_string(&j, "text", v[i].text);
		json_string(&j, "decode_error", v[i].decode_error);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_finish(&j);
}

static void inbox_text(const struct db_inbox_row *v, size_t n,
		const struct db_person *people, size_t np)
{
	char when[CTL_TIME_MAX];
	size_t i;

	if (!n) {
		printf("no messages\n");
		return;
	}
	printf("%-6s %-19s %-16s %-10s %-8s %s\n", "ID", "RECEIVED", "FROM",
			"MODEM", "STATE", "TEXT");
	for (i = 0; i < n; i++) {
		ctl_fmt_local(v[i].received_at, when);
		printf("%-6lld %-19s %-16s %-10s %-8s ", (long long) v[i].id,
				when, v[i].sender[0] ? v[i].sender : "?",
				v[i].modem, v[i].state);
		if (v[i].decode_error) {
			printf("[undecodable: ");
			put_text(v[i].decode_error);
			printf("] ");
		}
		if (name_of(people, np, v[i].sender)) {
			printf("(");
			put_text(name_of(people, np, v[i].sender));
			printf(") ");
		}
		if (v[i].partial)
			printf("[partial, %d parts expected] ",
					v[i].part_count);
		else if (v[i].part_count > 1)
			printf("[%d parts] ", v[i].part_count);
		put_text(v[i].text);
		putchar('\n');
	}
}

int ctl_inbox_run(int argc, char **argv)
{
	static const char prog[] = "fieldgatectl inbox";
	struct list_opts o = {0};
	struct db_inbox_row *v = NULL;
	struct db_person *people = NULL;
	struct ctl_session s;
	struct db_error err;
	size_t n = 0, np = 0;
	int r;

	r = parse(prog, "--from", ctl_inbox_usage, argc, argv, &o);
	if (r)
		return r < 0 ? CTL_EXIT_OK : r;
	if (ctl_open(prog, true, &s) < 0)
		return CTL_EXIT_FAIL;
	r = db_inbox_list(s.db, &o.filter, &v, &n, &err);
	if (r < 0) {
		ctl_db_error(&s, "listing the inbox", r, &err);
		ctl_close(&s);
		return CTL_EXIT_FAIL;
	}
	r = db_people_list(s.db, &people, &np, &err);
	if (r < 0) {
		ctl_db_error(&s, "listing people", r, &err);
		ctl_close(&s);
		db_inbox_rows_free(v, n);
		return CTL_EXIT_FAIL;
	}
	ctl_close(&s);
	if (o.json)
		inbox_json(v, n, people, np);
	else
		inbox_text(v, n, people, np);
	free(people);
	db_inbox_rows_free(v, n);
	return CTL_EXIT_OK;
}

static void part_json(struct json *j, const struct db_ctl_part *p)
{
	json_begin_object(j, NULL);
	json_int(j, "seq", p->seq);
	json_string(j, "state", p->state);
	if (p->modem[0])
		json_string(j, "modem", p->modem);
	else
		json_null(j, "modem");
	if (p->mr >= 0)
		json_int(j, "mr", p->mr);
	else
		json_null(j, "mr");
	json_int(j, "attempts", p->attempts);
	if (p->last_cms_error >= 0)
		json_int(j, "cms_error", p->last_cms_error);
	else
		json_null(j, "cms_error");
	json_string(j, "last_error", p->last_error);
	ctl_json_time(j, "submitted_at", p->submitted_at);
	ctl_json_time(j, "delivered_at", p->delivered_at);
	if (p->report_status >= 0) {
		json_begin_object(j, "report");
		json_int(j, "status", p->report_status);
		json_string(j, "meaning", report_meaning(p->report_status));
		json_end_object(j);
	} else {
		json_null(j, "report");
	}
	json_end_object(j);
}

static void outbox_json(const struct db_outbox_row *v, size_t n,
		const struct db_ctl_part *parts, size_t np)
{
	char pb[16];
	struct json j;
	size_t i, k;

	json_init(&j, stdout, true);
	json_begin_array(&j, NULL);
	for (i = 0; i < n; i++) {
		json_begin_object(&j, NULL);
		json_int(&j, "id", v[i].id);
		ctl_json_time(&j, "created_at", v[i].created_at);
		json_string(&j, "recipient", v[i].recipient);
		json_string(&j, "kind", v[i].kind);
		json_string(&j, "priority", prio_name(v[i].priority, pb));
		json_string(&j, "state", v[i].state);
		json_int(&j, "attempts", v[i].attempts);
		if (v[i].modem[0])
			json_string(&j, "modem", v[i].modem);
		else
			json_null(&j, "modem");
		json_int(&j, "parts_total", v[i].parts);
		json_int(&j, "parts_delivered", v[i].parts_delivered);
		json_string(&j, "text", v[i].text);
		json_string(&j, "last_error", v[i].last_error);
		json_begin_array(&j, "parts");
		for (k = 0; k < np; k++)
			if (parts[k].message_id == v[i].id)
				part_json(&j, &parts[k]);
		json_end_array(&j);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_finish(&j);
}

static void part_text(const struct db_ctl_part *p)
{
	char t[CTL_TIME_MAX];

	printf("       part %d: %-10s", p->seq, p->state);
	if (p->modem[0])
		printf(" modem %s", p->modem);
	if (p->mr >= 0)
		printf(" mr %d", p->mr);
	printf(" attempts %d", p->attempts);
	if (p->submitted_at) {
		ctl_fmt_local(p->submitted_at, t);
		printf(" submitted %s", t);
	}
	if (p->report_status >= 0)
		printf(" report 0x%02X (%s)", p->report_status,
				report_meaning(p->report_status));
	if (p->delivered_at) {
		ctl_fmt_local(p->delivered_at, t);
		printf(" at %s", t);
	}
	if (p->last_cms_error >= 0)
		printf(" +CMS ERROR %d", p->last_cms_error);
	if (p->last_error) {
		printf(" error: ");
		put_text(p->last_error);
	}
	putchar('\n');
}

static void outbox_text(const struct db_outbox_row *v, size_t n,
		const struct db_ctl_part *parts, size_t np)
{
	char when[CTL_TIME_MAX], pb[16], cnt[24];
	size_t i, k;

	if (!n) {
		printf("no messages\n");
		return;
	}
	printf("%-6s %-19s %-16s %-6s %-9s %-5s %-10s %s\n", "ID", "CREATED",
			"TO", "PRIO", "STATE", "DLVD", "MODEM", "TEXT");
	for (i = 0; i < n; i++) {
		ctl_fmt_local(v[i].created_at, when);
		if (v[i].parts)
			snprintf(cnt, sizeof(cnt), "%d/%d",
					v[i].parts_delivered, v[i].parts);
		else
			snprintf(cnt, sizeof(cnt), "-");
		printf("%-6lld %-19s %-16s %-6s %-9s %-5s %-10s ",
				(long long) v[i].id, when, v[i].recipient,
				prio_name(v[i].priority, pb), v[i].state, cnt,
				v[i].modem[0] ? v[i].modem : "-");
		put_text(v[i].text);
		putchar('\n');
		for (k = 0; k < np; k++)
			if (parts[k].message_id == v[i].id)
				part_text(&parts[k]);
		if (v[i].last_error) {
			printf("       error: ");
			put_text(v[i].last_error);
			putchar('\n');
		}
	}
}

int ctl_outbox_run(int argc, char **argv)
{
	static const char prog[] = "fieldgatectl outbox";
	struct list_opts o = {0};
	struct db_outbox_row *v = NULL;
	struct db_ctl_part *parts = NULL;
	int64_t *ids = NULL;
	struct ctl_session s;
	struct db_error err;
	size_t n = 0, np = 0, i;
	int r, rc = CTL_EXIT_FAIL;

	r = parse(prog, "--to", ctl_outbox_usage, argc, argv, &o);
	if (r)
		return r < 0 ? CTL_EXIT_OK : r;
	if (ctl_open(prog, true, &s) < 0)
		return CTL_EXIT_FAIL;
	r = db_outbox_list(s.db, &o.filter, &v, &n, &err);
	if (r < 0) {
		ctl_db_error(&s, "listing the outbox", r, &err);
		goto out;
	}
	ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out;
	}
	for (i = 0; i < n; i++)
		ids[i] = v[i].id;
	r = db_ctl_outbox_parts(s.db, ids, n, &parts, &np, &err);
	if (r < 0) {
		ctl_db_error(&s, "listing message parts", r, &err);
		goto out;
	}
	if (o.json)
		outbox_json(v, n, parts, np);
	else
		outbox_text(v, n, parts, np);
	rc = CTL_EXIT_OK;
out:
	ctl_close(&s);
	free(ids);
	db_ctl_parts_free(parts, np);
	db_outbox_rows_free(v, n);
	return rc;
}
