/*
 * fieldgatectl ussd CODE: queue a USSD request in the database and wait
 * for the daemon's reply. The wait is a LISTEN on fieldgate_ussd_done (the
 * daemon's db_ussd_finish() notifies with the request id), bounded by
 * --timeout; no polling loop and no daemon socket.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/store.h"
#include "gateway/ctl.h"

#define DEFAULT_TIMEOUT_S 45
#define MAX_TIMEOUT_S 3600

void ctl_ussd_usage(FILE *f)
{
	fprintf(f,
			"usage: fieldgatectl ussd [--modem NAME] [--timeout "
			"SECONDS] "
			"[--json] CODE\n"
			"       fieldgatectl ussd --id ID [--timeout SECONDS] "
			"[--json]\n"
			"\n"
			"Queues the USSD CODE (e.g. *100#; digits, * # +) for "
			"a "
			"daemon to run,\n"
			"on --modem or on any modem, waits for the reply "
			"(default %d "
			"s) and\n"
			"prints it. On timeout it prints the request id: the "
			"daemon "
			"may still\n"
			"answer, and `--id ID` waits for (or shows) that "
			"request "
			"again.\n" CTL_CONN_HELP,
			DEFAULT_TIMEOUT_S);
}

static bool valid_code(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!strchr("0123456789*#+", *s))
			return false;
	return n >= 1 && n <= 160;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct wait_ctx {
	const char *id; /* our request id, as the payload */
	bool done;
};

static void on_notify(const char *channel, const char *payload, void *user)
{
	struct wait_ctx *w = user;

	if (payload && !strcmp(payload, w->id))
		w->done = true;
}

static bool finished(const struct db_ussd *u)
{
	return strcmp(u->state, "queued") && strcmp(u->state, "running");
}

/* Prints a finished request; returns the exit status. */
static int print_result(const char *prog, const struct db_ussd *u, bool json)
{
	bool ok = !strcmp(u->state, "done");
	const char *how = !strcmp(u->state, "timeout")
					  ? "timed out in the daemon"
					  : "failed";

	if (json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_int(&j, "id", u->id);
		json_string(&j, "code", u->code);
		json_string(&j, "state", u->state);
		json_string(&j, "reply", u->reply);
		if (u->reply_dcs >= 0)
			json_int(&j, "reply_dcs", u->reply_dcs);
		else
			json_null(&j, "reply_dcs");
		if (u->session_status >= 0)
			json_int(&j, "session_status", u->session_status);
		else
			json_null(&j, "session_status");
		json_string(&j, "error", u->error);
		json_end_object(&j);
		json_finish(&j);
	} else if (ok) {
		printf("%s\n", u->reply ? u->reply : "");
	}
	if (!ok) {
		fprintf(stderr, "%s: USSD request %lld %s: %s\n", prog,
				(long long) u->id, how,
				u->error ? u->error : "no reason given");
		return CTL_EXIT_FAIL;
	}
	/* TS 27.007 §7.15 <m>=1: the network waits for an answer */
	if (u->session_status == 1)
		fprintf(stderr,
				"%s: note: the network expects a reply; "
				"fieldgatectl does not continue USSD "
				"sessions\n",
				prog);
	return CTL_EXIT_OK;
}

int ctl_ussd_run(int argc, char **argv)
{
	static const char prog[] = "fieldgatectl ussd";
	const char *code = NULL, *modem = NULL;
	unsigned long timeout_s = DEFAULT_TIMEOUT_S, idv = 0;
	char idbuf[24];
	struct wait_ctx w = {.id = idbuf};
	struct db_ussd u;
	struct ctl_session s;
	struct db_error err;
	bool json = false, have_u = false, by_id = false, given_id = false;
	int64_t id, deadline;
	int i, r, rc = CTL_EXIT_FAIL;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;

		r = ctl_common_option(argc, argv, &i, &json, ctl_ussd_usage);
		if (r == CTL_OPT_TAKEN)
			continue;
		if (r != CTL_OPT_OTHER)
			return r;
		if (!strcmp(a, "--modem") && has_val) {
			modem = argv[++i];
		} else if (!strcmp(a, "--timeout") && has_val) {
			if (ctl_parse_uint(argv[++i], MAX_TIMEOUT_S,
					    &timeout_s) < 0) {
				fprintf(stderr,
						"%s: bad --timeout '%s' "
						"(0..%d seconds)\n",
						prog, argv[i], MAX_TIMEOUT_S);
				return CTL_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--id") && has_val) {
			if (ctl_parse_uint(argv[++i], (unsigned long) -1 >> 1,
					    &idv) < 0 ||
					idv == 0) {
				fprintf(stderr, "%s: bad --id '%s'\n", prog,
						argv[i]);
				return CTL_EXIT_USAGE;
			}
			by_id = given_id = true;
		} else if (a[0] == '-' && a[1] == '-') {
			return ctl_bad_option(prog, a);
		} else if (!code) {
			code = a;
		} else {
			fprintf(stderr, "%s: one CODE only\n", prog);
			return CTL_EXIT_USAGE;
		}
	}
	if (by_id == !!code || (by_id && modem)) {
		fprintf(stderr,
				"%s: give a CODE (and maybe --modem), or "
				"--id ID\n",
				prog);
		return CTL_EXIT_USAGE;
	}
	if (code && !valid_code(code)) {
		fprintf(stderr,
				"%s: invalid USSD code '%s': 1 to 160 of "
				"0-9 * # +, e.g. *100#\n",
				prog, code);
		return CTL_EXIT_FAIL;
	}
	if (ctl_open(prog, true, &s) < 0)
		return CTL_EXIT_FAIL;
	if (modem && ctl_check_modem(&s, modem) < 0)
		goto out;
	/* LISTEN before queueing, so the reply cannot slip in between */
	r = db_listen(s.db, "fieldgate_ussd_done", &err);
	if (r < 0) {
		ctl_db_error(&s, "LISTEN", r, &err);
		goto out;
	}
	if (by_id) {
		id = (int64_t) idv;
	} else {
		r = db_ussd_enqueue(s.db, modem, code, &id, &err);
		if (r < 0) {
			ctl_db_error(&s, "queueing the request", r, &err);
			goto out;
		}
	}
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long) id);
	deadline = now_ms() + (int64_t) timeout_s * 1000;
	for (;;) {
		int64_t left;
		struct pollfd pfd;

		/* read the row: at start (--id), and after our NOTIFY */
		if (by_id || w.done || !have_u) {
			if (have_u)
				db_ussd_done(&u);
			have_u = false;
			r = db_ussd_get(s.db, id, &u, &err);
			if (r == -ENOENT) {
				fprintf(stderr, "%s: no USSD request %lld\n",
						prog, (long long) id);
				goto out;
			}
			if (r < 0) {
				ctl_db_error(&s, "reading the reply", r, &err);
				goto out;
			}
			have_u = true;
			by_id = false;
			w.done = false;
			if (finished(&u)) {
				rc = print_result(prog, &u, json);
				goto out;
			}
		}
		left = deadline - now_ms();
		if (left <= 0)
			break;
		pfd.fd = db_socket(s.db);
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int) left);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "%s: poll: %s\n", prog,
					strerror(errno));
			goto out;
		}
		if (r <= 0)
			continue;
		r = db_consume_notifications(s.db, on_notify, &w, &err);
		if (r < 0) {
			ctl_db_error(&s, "waiting for the reply", r, &err);
			goto out;
		}
	}
	/* a last look, in case the reply was written without a NOTIFY */
	if (have_u)
		db_ussd_done(&u);
	have_u = false;
	r = db_ussd_get(s.db, id, &u, &err);
	if (r < 0) {
		ctl_db_error(&s, "reading the reply", r, &err);
		goto out;
	}
	have_u = true;
	if (finished(&u)) {
		rc = print_result(prog, &u, json);
		goto out;
	}
	/* already waiting by id: the hint is to wait longer, not itself */
	if (given_id)
		fprintf(stderr,
				"%s: no reply within %lu s: request %lld is "
				"still %s; the daemon may still answer (wait "
				"longer with `--timeout SECONDS`, up to %d; is "
				"a daemon running? see `fieldgatectl "
				"status`)\n",
				prog, timeout_s, (long long) id, u.state,
				MAX_TIMEOUT_S);
	else
		fprintf(stderr,
				"%s: no reply within %lu s: request %lld is "
				"still %s; the daemon may still answer (see "
				"`fieldgatectl ussd --id %lld`)\n",
				prog, timeout_s, (long long) id, u.state,
				(long long) id);
	if (json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_int(&j, "id", id);
		json_string(&j, "code", u.code);
		json_string(&j, "state", u.state);
		json_null(&j, "reply");
		json_bool(&j, "timed_out", true);
		json_end_object(&j);
		json_finish(&j);
	}
out:
	if (have_u)
		db_ussd_done(&u);
	ctl_close(&s);
	return rc;
}
