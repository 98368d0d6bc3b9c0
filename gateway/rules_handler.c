/*
 * gateway/rules_handler.c - reports from rule files (issue 7); see
 * rules_handler.h.  The engine is pure: everything it needs from the
 * database is looked up here, inside the message's one transaction, and
 * everything it decides is applied here before the commit.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/store.h"
#include "db/store_reports.h"
#include "gateway/guard.h"
#include "gateway/gw.h"
#include "gateway/handler.h"
#include "gateway/log.h"
#include "gateway/rules_facts.h"
#include "gateway/rules_handler.h"
#include "gateway/rules_supervise.h"
#include "gateway/sched.h"
#include "gateway/rules_time.h"

struct rules_state {
	struct rules *rules;  /* live; replaced whole by a reload */
	void *rate;	      /* the default handler's reply limiter */
	int64_t last_request; /* newest reload request seen, -1 = none yet */
	struct gw_ref_pool refs;
};

void *gw_rules_handler_new(struct rules *rules)
{
	struct rules_state *st;

	/* Freed by rules_state_free(). */
	st = calloc(1, sizeof(*st));
	if (st)
		st->rate = gw_default_handler_new();
	if (!st || !st->rate) {
		free(st);
		rules_free(rules);
		return NULL;
	}
	st->rules = rules;
	st->last_request = -1;
	/* check the rule file's zone converts (rules_time.h) */
	{
		struct rules_time t;

		gw_rules_time((int64_t) time(NULL), rules_timezone(rules), &t);
	}
	return st;
}

static void rules_state_free(void *state)
{
	struct rules_state *st = state;

	if (!st)
		return;
	rules_free(st->rules);
	free(st->rate);
	free(st);
}

/* A failure found on our side, reported like a database one. */
static void set_err(struct db_error *err, const char *text)
{
	if (!err)
		return;
	db_error_clear(err);
	snprintf(err->message, sizeof(err->message), "%s", text);
}

/* ---- applying the decision --------------------------------------------- */

/* The report to store, when the decision stores one; false otherwise. */
static bool report_of(const struct rules *rules, const struct gw_message *msg,
		const struct db_person *person, const struct rules_decision *d,
		const struct gw_lookups *lk, struct db_report_new *n)
{
	if (d->action != RULES_ACT_STORE && d->action != RULES_ACT_REPLACE)
		return false;
	n->ref = d->report.ref;
	n->form_id = d->report.form_id;
	n->person_id = person ? person->id : 0;
	n->sender = msg->sender;
	n->inbound_id = msg->id;
	n->fields_json = d->report.fields_json;
	n->raw_text = msg->text ? msg->text : "";
	n->period = d->report.period;
	n->late = d->report.late;
	n->rules_hash = rules_hash(rules);
	n->rules_version = rules_version(rules);
	n->sent_at = msg->scts;
	n->replaces_id = d->action == RULES_ACT_REPLACE ? lk->prior_id : 0;
	return true;
}

static int rules_handle(struct gw_context *ctx, void *state, struct db *db,
		const struct gw_message *msg, struct db_error *err)
{
	const struct gw_config *cfg = ctx->config;
	struct rules_state *st = state;
	const struct rules *rules = st->rules;
	struct rules_parsed *parsed = NULL;
	struct rules_decision *d = NULL;
	struct rules_msg rm = {0};
	struct rules_facts facts = {0};
	struct gw_lookups lk;
	struct gw_sup_lookups sl = {0};
	struct db_person person;
	struct db_outbound_new out = {0};
	struct db_report_new rep = {0};
	struct gw_guard_result gres;
	char num[LOG_NUMBER_MAX], phone[DB_PHONE_MAX];
	const char *final = "handled", *tz = rules_timezone(rules);
	int64_t out_id = 0, report_id = 0;
	bool known = false, is_new = false, replied = false, has_report = false;
	bool outlet = false, asked = false;
	bool may = true, told = false;
	int r, n_alerts = 0;

	memset(&lk, 0, sizeof(lk));
	r = gw_handler_screen(ctx, db, msg, true, err);
	if (r != 0)
		return r < 0 ? r : 0;
	r = gw_guard_check(ctx, db, rules_guard(rules), msg, &gres, err);
	if (r >= 0)
		r = gw_guard_apply(db, msg, &gres, err);
	if (r != 0)
		return r < 0 ? r : 0;
	r = gw_reply_limit_seed(st->rate, db, err);
	if (r < 0)
		return r;
	if (db_phone_normalize(msg->sender, phone) < 0)
		snprintf(phone, sizeof(phone), "%s", msg->sender);

	r = db_begin(db, err);
	if (r < 0)
		return r;
	r = db_people_lookup(db, msg->sender, &person, err);
	if (r == 0)
		known = true;
	else if (r != -ENOENT && r != -EINVAL)
		goto out_rollback;

	rm.text = msg->text;
	rm.len = strlen(msg->text);
	gw_rules_sender(known ? &person : NULL, phone, &rm.sender);
	if (!known) {
		/* an outlet's phone may confirm check-ins (role "outlet") */
		r = gw_rules_outlet_sender(
				db, msg->sender, &lk.checkin, &rm.sender, err);
		if (r < 0)
			goto out_rollback;
		outlet = r > 0;
	}
	gw_rules_time(msg->scts, tz, &rm.sent);
	gw_rules_time((int64_t) time(NULL), tz, &rm.received);

	r = rules_parse(rules, &rm, &parsed);
	if (r < 0)
		goto out_oom;
	r = gw_rules_look_up(
			rules, db, parsed, &rm, &st->refs, &lk, &facts, err);
	if (r == -ENOSPC) {
		set_err(err, "reference code does not fit");
		goto out_rollback;
	}
	if (r >= 0)
		r = gw_sup_look_up(db, parsed, known ? &person : NULL, phone,
				&lk, &sl, &facts, err);
	if (r < 0)
		goto out_rollback;
	r = gw_rules_checkin_confirm(db, parsed, &rm, msg->id, &facts, err);
	if (r < 0)
		goto out_rollback;
	r = rules_decide(rules, parsed, &rm, &facts, &d);
	if (r < 0)
		goto out_oom;

	if (d->action == RULES_ACT_WITHDRAW && lk.last_id) {
		report_id = lk.last_id;
		r = db_report_set_status(db, lk.last_id, "withdrawn", err);
		if (r < 0)
			goto out_rollback;
	}
	if (d->reply && *d->reply &&
			!gw_reply_limit_take(st->rate, msg->sender,
					cfg->reply_limit_per_hour)) {
		log_warnx("modem=%s msg=%" PRId64 " from=%s reply limit of %d "
			  "per hour reached: no reply",
				msg->modem, msg->id,
				log_redact_number(
						msg->sender, num, sizeof(num)),
				cfg->reply_limit_per_hour);
	} else if (d->reply && *d->reply &&
			((r = gw_guard_reply_ok(ctx, db, rules_guard(rules),
					  phone, &may, &told, err)) < 0 ||
					!may)) {
		if (r < 0)
			goto out_rollback;
		n_alerts += told;
		log_warnx("modem=%s msg=%" PRId64 " from=%s daily reply cap "
			  "of %u reached: no reply",
				msg->modem, msg->id,
				log_redact_number(
						msg->sender, num, sizeof(num)),
				rules_guard(rules)->policy.max_replies_day);
	} else if (d->reply && *d->reply) {
		out.recipient = msg->sender;
		out.text = d->reply;
		out.priority = DB_PRIO_ACK;
		out.kind = "ack";
		out.in_reply_to = msg->id;
		replied = true;
	}
	if (d->outcome == RULES_OUT_IGNORED)
		final = "ignored";
	/* report, reply and state: one statement */
	/* an outlet's phone never creates a report, whatever the file says */
	has_report = !outlet && report_of(rules, msg, known ? &person : NULL, d,
						&lk, &rep);
	r = db_report_finish(db, has_report ? &rep : NULL,
			replied ? &out : NULL, msg->id, final,
			has_report ? &report_id : NULL, &out_id, err);
	if (r < 0)
		goto out_rollback;
	is_new = out_id != 0;
	if (!outlet && lk.checkin.is_checkin) {
		/* the check-in row (a refused one too), the outlet's question */
		r = gw_rules_checkin_store(rules, db, &lk.checkin, d, &rm,
				msg->id, msg->scts, &asked, err);
		if (r < 0)
			goto out_rollback;
	}
	r = gw_sup_apply(db, msg, known ? &person : NULL, d, &lk, report_id,
			err);
	if (r < 0)
		goto out_rollback;
	if (d->n_alerts && !outlet) {
		r = gw_alerts_raise(ctx, db, known ? &person : NULL, report_id,
				d->alerts, d->n_alerts, err);
		if (r < 0)
			goto out_rollback;
		n_alerts += r;
	}
	r = db_commit(db, err);
	if (r < 0)
		goto out_rollback;

	log_info("modem=%s msg=%" PRId64 " from=%s %s%s%s%s%s%s%s reply=%s%s",
			msg->modem, msg->id,
			log_redact_number(msg->sender, num, sizeof(num)),
			rules_outcome_name(d->outcome),
			d->outcome == RULES_OUT_ERROR ? " error=" : "",
			d->outcome == RULES_OUT_ERROR
					? rules_error_name(d->error)
					: "",
			parsed->form_id ? " form=" : "",
			parsed->form_id ? parsed->form_id : "",
			d->report.ref && d->action != RULES_ACT_NONE ? " ref="
								     : "",
			d->report.ref && d->action != RULES_ACT_NONE
					? d->report.ref
					: "",
			replied ? "queued" : "none",
			replied && !is_new ? " (already queued)" : "");
	if (n_alerts)
		log_info("msg=%" PRId64 " raised %d alert%s", msg->id, n_alerts,
				n_alerts == 1 ? "" : "s");
	if (lk.checkin.is_checkin && facts.verdict)
		log_info("modem=%s msg=%" PRId64 " check-in %s evidence %s%s",
				msg->modem, msg->id, facts.verdict,
				facts.evidence ? facts.evidence : "-",
				asked ? ", outlet asked to confirm" : "");
	gw_rules_lookups_done(&lk);
	gw_sup_lookups_done(&sl);
	rules_decision_free(d);
	rules_parsed_free(parsed);
	if (n_alerts)
		gw_alerts_kick(ctx);
	return 0;

out_oom:
	r = -ENOMEM;
	set_err(err, "out of memory in the rules engine");
out_rollback:
	db_rollback(db, NULL);
	gw_rules_lookups_done(&lk);
	gw_sup_lookups_done(&sl);
	rules_decision_free(d);
	rules_parsed_free(parsed);
	return r;
}

const struct gw_handler_ops gw_rules_handler = {
		.name = "rules",
		.handle = rules_handle,
		.free = rules_state_free,
};

/* ---- loading and reloading --------------------------------------------- */

/* All diagnostics as one text, "\n"-separated; NULL when out of memory. */
static char *diag_text(const struct diag_list *dl)
{
	size_t i, len = 1;
	char *s, *p;

	for (i = 0; i < dl->n; i++)
		len += strlen(dl->v[i].line_text) + 1;
	/* Freed by the caller. */
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	*p = '\0';
	for (i = 0; i < dl->n; i++) {
		size_t l = strlen(dl->v[i].line_text);

		memcpy(p, dl->v[i].line_text, l);
		p += l;
		if (i + 1 < dl->n)
			*p++ = '\n';
		*p = '\0';
	}
	return s;
}

int gw_rules_check_file(const char *path)
{
	struct diag_list dl = {0};
	struct rules *rules = NULL;
	size_t i;
	int r;

	r = rules_load(path, &rules, &dl);
	for (i = 0; i < dl.n; i++)
		fprintf(stderr, "%s\n", dl.v[i].line_text);
	if (dl.oom)
		fprintf(stderr, "%s: out of memory\n", path);
	if (r < 0 && r != -EINVAL)
		fprintf(stderr, "%s: cannot read the rules file: %s\n", path,
				strerror(-r));
	rules_free(rules);
	diag_free(&dl);
	return r;
}

/* Tells every admin that the rule file was refused. */
static void tell_admins(struct gw_context *ctx, const struct rules *old,
		const struct diag_list *dl)
{
	struct db *db = gw_db(ctx);
	struct db_person *admins = NULL;
	struct db_outbound_new out = {0};
	struct db_error err;
	char text[480];
	size_t n = 0, i, sent = 0;
	int r;

	if (!db)
		return;
	if (rules_refused_text(old, dl, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "rules file refused (%zu errors)",
				dl->n_errors);
	r = db_people_with_role(db, DB_ROLE_ADMIN, &admins, &n, &err);
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "listing admins");
		return;
	}
	out.text = text;
	out.priority = DB_PRIO_ALERT;
	out.kind = "rules_refused";
	for (i = 0; i < n; i++) {
		int64_t id = 0;
		bool is_new = false;

		out.recipient = admins[i].phone;
		r = db_outbound_enqueue(db, &out, &id, &is_new, &err);
		if (r < 0) {
			gw_db_failed(ctx, r, &err, "queueing the refusal");
			break;
		}
		sent++;
	}
	if (sent)
		log_info("rules: refusal sent to %zu admin%s", sent,
				sent == 1 ? "" : "s");
	else if (!n)
		log_warnx("rules: no admin in people: nobody told of the "
			  "refusal by SMS");
	free(admins); /* allocated by db_people_with_role() */
}

static void record(struct gw_context *ctx, const char *path,
		const struct rules *rules, bool ok, const char *errors,
		int64_t request_id)
{
	struct db *db = gw_db(ctx);
	struct db_rule_reload rr = {0};
	struct db_error err;
	int r;

	if (!db) {
		log_warnx("rules: database down, reload of \"%s\" not "
			  "recorded in rule_reloads",
				path);
		return;
	}
	rr.daemon_host = ctx->daemon_id;
	rr.path = path;
	rr.version = rules ? rules_version(rules) : NULL;
	rr.sha256 = rules ? rules_hash(rules) : NULL;
	rr.ok = ok;
	rr.errors = errors;
	r = db_rule_reload_record_for(db, &rr, request_id, NULL, &err);
	if (r < 0)
		gw_db_failed(ctx, r, &err, "recording the rule reload");
}

int gw_rules_reload(struct gw_context *ctx, int64_t request_id)
{
	struct rules_state *st;
	struct diag_list dl = {0};
	struct rules *fresh = NULL;
	const char *path = ctx->config->rules_file;
	char *errors;
	size_t i;
	int r;

	if (ctx->handler != &gw_rules_handler || !ctx->handler_state)
		return 0;
	st = ctx->handler_state;
	if (!path) {
		log_warnx("rules: rules_file removed from the configuration: "
			  "restart fieldgated to use the default handler");
		return -EINVAL;
	}
	r = rules_load(path, &fresh, &dl);
	if (r < 0) {
		/* The daemon goes on with the old rules, but the file is
		 * broken: its errors are errors (level error). */
		for (i = 0; i < dl.n; i++) {
			if (dl.v[i].level == DIAG_ERROR)
				log_errx("%s", dl.v[i].line_text);
			else
				log_warnx("%s", dl.v[i].line_text);
		}
		if (r != -EINVAL)
			log_errx("rules: cannot read \"%s\": %s", path,
					strerror(-r));
		log_errx("rules file \"%s\" refused (%zu error%s), "
			 "keeping version %.12s",
				path, dl.n_errors, dl.n_errors == 1 ? "" : "s",
				rules_hash(st->rules));
		errors = diag_text(&dl);
		record(ctx, path, NULL, false,
				errors && *errors ? errors : strerror(-r),
				request_id);
		free(errors);
		tell_admins(ctx, st->rules, &dl);
		diag_free(&dl);
		return r == -EINVAL ? -EINVAL : r;
	}
	for (i = 0; i < dl.n; i++)
		log_info("rules: %s", dl.v[i].line_text);
	log_info("rules \"%s\" reloaded: version %s sha256 %.12s (was "
		 "%.12s)",
			path,
			*rules_version(fresh) ? rules_version(fresh) : "-",
			rules_hash(fresh), rules_hash(st->rules));
	rules_free(st->rules);
	st->rules = fresh;
	{
		struct rules_time t;

		gw_rules_time((int64_t) time(NULL), rules_timezone(fresh), &t);
	}
	record(ctx, path, fresh, true, NULL, request_id);
	diag_free(&dl);
	gw_sched_rules_changed(ctx);
	return 0;
}

const struct rules *gw_rules_current(struct gw_context *ctx)
{
	const struct rules_state *st;

	if (!ctx || ctx->handler != &gw_rules_handler)
		return NULL;
	st = ctx->handler_state;
	return st ? st->rules : NULL;
}

static void on_request(struct gw_context *ctx, const char *payload, void *data)
{
	struct rules_state *st;
	int64_t id;
	char *end;

	(void) data;
	if (ctx->handler != &gw_rules_handler || ctx->stopping)
		return;
	st = ctx->handler_state;
	id = strtoll(payload, &end, 10);
	if (*end || id <= 0)
		id = 0;
	if (id && id <= st->last_request)
		return; /* seen already */
	if (id)
		st->last_request = id;
	log_info("rules: reload requested through the database "
		 "(request %" PRId64 ")",
			id);
	gw_rules_reload(ctx, id);
}

/* At each (re)connection: a request made while we were away counts. */
static void on_up(struct gw_context *ctx, void *data)
{
	struct rules_state *st;
	struct db_error err;
	int64_t last = 0;
	int r;

	(void) data;
	if (ctx->handler != &gw_rules_handler || !gw_db(ctx))
		return;
	st = ctx->handler_state;
	r = db_rule_reload_last_request(gw_db(ctx), &last, &err);
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "reading rule reload requests");
		return;
	}
	if (st->last_request < 0) {
		st->last_request = last; /* start: the file is fresh */
		return;
	}
	if (last > st->last_request) {
		st->last_request = last;
		log_info("rules: reload requested while the database was "
			 "away (request %" PRId64 ")",
				last);
		gw_rules_reload(ctx, last);
	}
}

int gw_rules_register(struct gw_context *ctx)
{
	static const struct gw_db_hook hook = {
			"fieldgate_rules", on_up, on_request, NULL};

	return gw_db_register(ctx, &hook);
}
