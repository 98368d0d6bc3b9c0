/*
 * gateway/outbound.c - the outbound dispatcher (SPEC §4-§5, LESSONS 5, 6).
 *
 * Woken by NOTIFY fieldgate_outbound (dbconn.c), by a modem becoming
 * READY, by a send completing, and by one timer armed only for a known
 * future event (the queue's next due time from db_outbound_next_due(): a
 * not_before set by any program or a retry's backoff; a token-bucket
 * refill; midnight for a capped modem): never a polling loop.
 *
 * Per idle READY link: db_outbound_claim() one message (FOR UPDATE SKIP
 * LOCKED, so two daemons never take the same row; acks before alerts
 * before bulk by priority), encode it with sms_encode_submit() and store
 * its parts (once: a re-claimed message keeps them), then send one part at
 * a time with modem_send_pdu():
 *   part queued -> submitting (recorded BEFORE the PDU goes out)
 *     OK        -> submitted with TP-MR
 *     TEMPORARY -> queued again after backoff_base_s * 2^(n-1) (capped),
 *                  the message re-queued with that not_before; after
 *                  max_attempts -> failed with the last error
 *     PERMANENT -> failed at once
 *     UNKNOWN   -> unknown: never resent, unless outbound.resend_unknown
 *                  is "with-reject-duplicates": then resent with TP-RD.
 * One part at a time per modem, so a +CMTI read queued by the driver gets
 * its turn between parts: sending never starves receiving.  A per-modem
 * token bucket (send_rate per minute, bursts of 10 s worth; 0 = unpaced)
 * paces parts.
 * No modem status query per part: status is the driver's timer's job.
 * Messages requested for a modem that is not READY here go to another.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/store.h"
#include "gateway/gw.h"
#include "gateway/health.h"
#include "gateway/log.h"
#include "modem/sms_pdu.h"

#define REPORT_WINDOW_S (7 * 86400)
/* Status reports kept while the database is down; the oldest go first. */
#define REPORTS_MAX 10000
#define EXPIRE_EVERY_MS 60000

struct gw_send {
	struct db_outbound_msg msg; /* msg.text owned here */
	struct db_outbound_part *parts;
	size_t n_parts;
	size_t cur;    /* part being / to be sent */
	unsigned sent; /* parts submitted in this claim */
	bool abandon;  /* drop when the send in flight ends */
};

static void send_next(struct gw_link *link);
static bool replay_reports(struct gw_context *ctx);

/*
 * A send outcome that could not be recorded (database down), replayed at
 * the reconnect before db_outbound_recover() would turn its part into
 * 'unknown'.  Lost on a crash, when recovery makes it 'unknown': safe.
 */
struct gw_outcome {
	int64_t part_id;
	enum modem_send_status status;
	int mr;
	int cms;
	int attempts;
	char error[96];
};

static void remember_outcome(struct gw_context *ctx, int64_t part_id,
		int attempts, const struct modem_send_result *res)
{
	struct gw_outcome *o;

	if (ctx->n_outcomes == ctx->cap_outcomes) {
		size_t cap = ctx->cap_outcomes ? ctx->cap_outcomes * 2 : 16;

		/* Freed by gw_outbound_free(). */
		o = realloc(ctx->outcomes, cap * sizeof(*o));
		if (!o)
			return; /* then it becomes 'unknown': safe */
		ctx->outcomes = o;
		ctx->cap_outcomes = cap;
	}
	o = &ctx->outcomes[ctx->n_outcomes++];
	o->part_id = part_id;
	o->status = res->status;
	o->mr = res->mr;
	o->cms = res->cms;
	o->attempts = attempts;
	snprintf(o->error, sizeof(o->error), "%s",
			res->error ? res->error : "");
}

static int backoff_s(const struct gw_config *cfg, int attempts);

/* Records remembered outcomes; false when the database failed again. */
static bool replay_outcomes(struct gw_context *ctx)
{
	const struct gw_config *cfg = ctx->config;
	struct db_error err;
	size_t i;
	int r = 0;

	for (i = 0; i < ctx->n_outcomes; i++) {
		struct gw_outcome *o = &ctx->outcomes[i];
		struct db *db = gw_db(ctx);

		if (!db)
			return false;
		switch (o->status) {
		case MODEM_SEND_OK:
			r = db_outbound_part_submitted(
					db, o->part_id, o->mr, &err);
			break;
		case MODEM_SEND_TEMPORARY:
			if (o->attempts >= cfg->out_max_attempts)
				r = db_outbound_part_failed(db, o->part_id,
						o->cms, o->error, &err);
			else
				r = db_outbound_part_retry(db, o->part_id,
						o->cms, o->error,
						backoff_s(cfg, o->attempts),
						&err);
			break;
		case MODEM_SEND_PERMANENT:
			r = db_outbound_part_failed(
					db, o->part_id, o->cms, o->error, &err);
			break;
		default:
			r = db_outbound_part_unknown(
					db, o->part_id, o->error, &err);
			break;
		}
		if (r < 0 && r != -ESTALE &&
				gw_db_failed(ctx, r, &err,
						"recording a past outcome")) {
			memmove(ctx->outcomes, o,
					(ctx->n_outcomes - i) * sizeof(*o));
			ctx->n_outcomes -= i;
			return false;
		}
	}
	if (ctx->n_outcomes)
		log_info("outbound: %zu send outcome%s recorded after the "
			 "reconnect",
				ctx->n_outcomes,
				ctx->n_outcomes == 1 ? "" : "s");
	ctx->n_outcomes = 0;
	return true;
}

static void send_free(struct gw_send *s)
{
	if (!s)
		return;
	free(s->msg.text);
	db_outbound_parts_free(s->parts, s->n_parts);
	free(s);
}

static int64_t on_kick_timer(struct loop *loop, int64_t id, void *data)
{
	struct gw_context *ctx = data;

	(void) loop;
	(void) id;
	ctx->out_kick_timer = 0;
	ctx->out_kick_at = 0;
	gw_outbound_kick(ctx);
	return LOOP_TIMER_DONE;
}

static void arm_kick(struct gw_context *ctx, int64_t delay_ms)
{
	int64_t at = loop_now_ms() + delay_ms, t;

	if (ctx->out_kick_timer && ctx->out_kick_at <= at)
		return;
	if (ctx->out_kick_timer)
		loop_cancel_timer(ctx->loop, ctx->out_kick_timer);
	ctx->out_kick_timer = 0;
	t = loop_add_timer_at(ctx->loop, at, on_kick_timer, ctx, NULL);
	if (t > 0) {
		ctx->out_kick_timer = t;
		ctx->out_kick_at = at;
	}
}

/* Token bucket: true when a part may go now, else arms the timer. */
static bool take_token(struct gw_link *link)
{
	double rate = link->send_rate / 60000.0; /* per ms */
	double cap = link->send_rate / 6.0;	 /* 10 s worth */
	int64_t now = loop_now_ms();

	if (link->send_rate <= 0)
		return true; /* unpaced: as fast as the modem takes them */
	if (cap < 1)
		cap = 1;
	link->tokens += (double) (now - link->tokens_at) * rate;
	link->tokens_at = now;
	if (link->tokens > cap)
		link->tokens = cap;
	if (link->tokens >= 1) {
		link->tokens -= 1;
		return true;
	}
	arm_kick(link->ctx, (int64_t) ((1 - link->tokens) / rate) + 1);
	return false;
}

/*
 * Puts a claimed message back in the queue (due in @delay_s), so any
 * daemon's modem may take it.  A message whose parts already decided its
 * state is left alone.
 */
static int requeue(struct gw_context *ctx, int64_t msg_id, int delay_s)
{
	struct db *db = gw_db(ctx);
	struct db_error err;
	int r;

	if (!db)
		return -ENOTCONN;
	r = db_outbound_requeue(db, msg_id, delay_s, &err);
	if (r < 0)
		gw_db_failed(ctx, r, &err, "re-queueing a message");
	return r;
}

static void refresh_state(struct gw_context *ctx, int64_t msg_id)
{
	struct db *db = gw_db(ctx);
	struct db_error err;
	int r;

	if (!db)
		return;
	r = db_outbound_refresh(db, msg_id, &err);
	if (r < 0)
		gw_db_failed(ctx, r, &err, "refreshing a message state");
}

/* max_attempts under resend_unknown = with-reject-duplicates, else 0. */
static int resend_max(const struct gw_context *ctx)
{
	return ctx->config->out_resend_unknown == GW_RESEND_REJECT_DUPLICATES
			       ? ctx->config->out_max_attempts
			       : 0;
}

/* resend_unknown = with-reject-duplicates: unknown parts go again. */
static void requeue_unknown_parts(struct gw_context *ctx, int64_t msg_id)
{
	struct db *db = gw_db(ctx);
	struct db_error err;
	int r;

	if (!db || !resend_max(ctx))
		return;
	r = db_outbound_requeue_unknown_parts(
			db, msg_id, resend_max(ctx), &err);
	if (r < 0)
		gw_db_failed(ctx, r, &err, "re-queueing unknown parts");
	else if (r > 0)
		log_info("out=%" PRId64 " %d part%s of unknown fate resent "
			 "with reject-duplicates",
				msg_id, r, r == 1 ? "" : "s");
}

/*
 * resend_unknown = with-reject-duplicates: this daemon's messages whose
 * parts went 'unknown' (a modem failed after the PDU went out) are queued
 * again; the claim then resends those parts with TP-RD.  Bounded by
 * max_attempts per part.  (At a restart db_outbound_recover() does the
 * same by itself.)
 */
static void requeue_unknown_messages(struct gw_context *ctx)
{
	struct db *db = gw_db(ctx);
	struct db_error err;
	int r;

	if (!db || !resend_max(ctx))
		return;
	r = db_outbound_requeue_unknown(
			db, ctx->daemon_id, resend_max(ctx), &err);
	if (r < 0)
		gw_db_failed(ctx, r, &err, "re-queueing unknown messages");
	else if (r > 0)
		log_info("outbound: %d message%s of unknown fate queued again "
			 "(resend_unknown)",
				r, r == 1 ? "" : "s");
}

/* Encodes and stores a freshly claimed message's parts. */
static int encode_parts(struct gw_link *link, struct gw_send *s)
{
	struct gw_context *ctx = link->ctx;
	struct sms_submit_opts opts;
	struct sms_pdu_out *out;
	struct db_outbound_part_new *pn;
	struct db_error err;
	const char *reason = NULL;
	int n, i, r;

	sms_submit_opts_init(&opts);
	opts.to = s->msg.recipient;
	opts.smsc = link->smsc;
	opts.status_report = true;
	opts.concat_ref = link->next_ref++;
	/* Freed below. */
	out = calloc(SMS_MAX_PARTS, sizeof(*out));
	pn = calloc(SMS_MAX_PARTS, sizeof(*pn));
	if (!out || !pn) {
		r = -ENOMEM;
		goto out;
	}
	n = sms_encode_submit(s->msg.text, strlen(s->msg.text), &opts, out,
			SMS_MAX_PARTS, &reason);
	if (n < 0) {
		struct db *db = gw_db(ctx);

		log_warnx("modem=%s out=%" PRId64 " cannot be encoded: %s",
				link->name, s->msg.id,
				reason ? reason : strerror(-n));
		/* A message that cannot be encoded never will be. */
		pn[0].seq = 1;
		pn[0].pdu_hex = "00";
		pn[0].tpdu_len = 1;
		r = -EINVAL;
		if (db) {
			int64_t pid;

			/* Stored as one failed placeholder part. */
			if (db_outbound_add_parts(db, s->msg.id, pn, 1, &err) >=
							0 &&
					db_outbound_load_parts(db, s->msg.id,
							&s->parts, &s->n_parts,
							&err) >= 0 &&
					s->n_parts) {
				pid = s->parts[0].id;
				if (db_outbound_part_failed(db, pid, -1,
						    reason ? reason
							   : "cannot encode",
						    &err) < 0)
					gw_db_failed(ctx, -EIO, &err,
							"failing a part");
			}
		}
		goto out;
	}
	for (i = 0; i < n; i++) {
		pn[i].seq = out[i].seq ? out[i].seq : i + 1;
		pn[i].pdu_hex = out[i].hex;
		pn[i].tpdu_len = (int) out[i].tpdu_len;
	}
	r = gw_db(ctx) ? db_outbound_add_parts(gw_db(ctx), s->msg.id, pn,
					 (size_t) n, &err)
		       : -ENOTCONN;
	if (r < 0)
		gw_db_failed(ctx, r, &err, "storing parts");
out:
	free(out);
	free(pn);
	return r < 0 ? r : 0;
}

static void finish(struct gw_link *link)
{
	struct gw_send *s = link->send;

	link->send = NULL;
	send_free(s);
	if (link->ctx->stopping)
		gw_check_stopped(link->ctx);
	else
		gw_outbound_kick(link->ctx);
}

static int backoff_s(const struct gw_config *cfg, int attempts)
{
	int64_t d = cfg->out_backoff_base_s;
	int i;

	for (i = 1; i < attempts && d < cfg->out_backoff_max_s; i++)
		d *= 2;
	if (d > cfg->out_backoff_max_s)
		d = cfg->out_backoff_max_s;
	return (int) d;
}

static void on_sent(struct modem *m, uint64_t send_id,
		const struct modem_send_result *res, void *data)
{
	struct gw_link *link = data;
	struct gw_context *ctx = link->ctx;
	const struct gw_config *cfg = ctx->config;
	struct gw_send *s = link->send;
	struct db_outbound_part *part;
	struct db_error err;
	struct db *db;
	char num[LOG_NUMBER_MAX], why[160];
	int r = 0, attempts, delay;

	(void) m;
	(void) send_id;
	link->send_in_flight = false;
	link->last_tx_at = (int64_t) time(NULL);
	gw_status_traffic(link, true);
	if (!s)
		return;
	part = &s->parts[s->cur];
	attempts = part->attempts + 1; /* submitting counted this one */
	if (res->status != MODEM_SEND_OK) {
		snprintf(link->last_error, sizeof(link->last_error),
				"send: %s (cms %d)",
				res->error ? res->error : "?", res->cms);
		gw_status_changed(link);
	}
	db = gw_db(ctx);
	if (!db) {
		/* Recorded at the reconnect, before recovery. */
		log_warnx("modem=%s out=%" PRId64 " part %d outcome %d kept "
			  "until the database is back",
				link->name, s->msg.id, part->seq,
				(int) res->status);
		remember_outcome(ctx, part->id, attempts, res);
		finish(link);
		return;
	}
	log_redact_number(s->msg.recipient, num, sizeof(num));
	switch (res->status) {
	case MODEM_SEND_OK:
		r = db_outbound_part_submitted(db, part->id, res->mr, &err);
		log_info("modem=%s out=%" PRId64 " to=%s part %d/%zu "
			 "submitted mr=%d",
				link->name, s->msg.id, num, part->seq,
				s->n_parts, res->mr);
		part->state = DB_PART_SUBMITTED;
		s->sent++;
		s->cur++;
		if (r < 0 && gw_db_failed(ctx, r, &err, "recording a send")) {
			remember_outcome(ctx, part->id, attempts, res);
			finish(link);
			return;
		}
		if (s->abandon || ctx->stopping || !link->m) {
			finish(link);
			return;
		}
		send_next(link);
		return;
	case MODEM_SEND_TEMPORARY:
		if (attempts >= cfg->out_max_attempts) {
			snprintf(why, sizeof(why), "%s (after %d attempts)",
					res->error ? res->error
						   : "temporary error",
					attempts);
			r = db_outbound_part_failed(
					db, part->id, res->cms, why, &err);
			log_warnx("modem=%s out=%" PRId64 " to=%s part %d "
				  "failed: %s",
					link->name, s->msg.id, num, part->seq,
					why);
			break;
		}
		delay = backoff_s(cfg, attempts);
		r = db_outbound_part_retry(db, part->id, res->cms,
				res->error ? res->error : "temporary error",
				delay, &err);
		if (r >= 0)
			r = requeue(ctx, s->msg.id, delay);
		log_warnx("modem=%s out=%" PRId64 " to=%s part %d temporary "
			  "error (cms %d: %s), retry %d in %d s",
				link->name, s->msg.id, num, part->seq, res->cms,
				res->error ? res->error : "?", attempts + 1,
				delay);
		arm_kick(ctx, (int64_t) delay * 1000 + 50);
		break;
	case MODEM_SEND_PERMANENT:
		r = db_outbound_part_failed(db, part->id, res->cms,
				res->error ? res->error : "permanent error",
				&err);
		log_warnx("modem=%s out=%" PRId64 " to=%s part %d failed "
			  "(cms %d: %s)",
				link->name, s->msg.id, num, part->seq, res->cms,
				res->error ? res->error : "?");
		break;
	case MODEM_SEND_UNKNOWN:
	default:
		r = db_outbound_part_unknown(db, part->id,
				res->error ? res->error : "outcome unknown",
				&err);
		log_warnx("modem=%s out=%" PRId64 " to=%s part %d outcome "
			  "unknown (%s): not resent blindly",
				link->name, s->msg.id, num, part->seq,
				res->error ? res->error : "?");
		/* The rest of the message may go through a healthy modem. */
		if (r >= 0)
			r = requeue(ctx, s->msg.id, 1);
		if (r >= 0)
			requeue_unknown_messages(ctx);
		arm_kick(ctx, 1050);
		break;
	}
	if (r < 0 && r != -ESTALE &&
			gw_db_failed(ctx, r, &err, "recording a send outcome"))
		remember_outcome(ctx, part->id, attempts, res);
	finish(link);
}

static void send_next(struct gw_link *link)
{
	struct gw_context *ctx = link->ctx;
	struct gw_send *s = link->send;
	struct db_outbound_part *part;
	struct db_error err;
	struct db *db = gw_db(ctx);
	char *hex;
	int64_t id;
	int r;

	if (!s || link->send_in_flight)
		return;
	while (s->cur < s->n_parts && s->parts[s->cur].state != DB_PART_QUEUED)
		s->cur++;
	if (s->cur >= s->n_parts) {
		if (!s->sent)
			refresh_state(ctx, s->msg.id);
		log_debug(LOG_CAT_SCHED, "modem=%s out=%" PRId64 " done",
				link->name, s->msg.id);
		finish(link);
		return;
	}
	if (!db || !link->m || ctx->stopping || s->abandon) {
		finish(link); /* 'sending': recovered later */
		return;
	}
	if (link->state != MODEM_STATE_READY) {
		/* Let a healthy modem take the rest. */
		requeue(ctx, s->msg.id, 0);
		finish(link);
		return;
	}
	if (!take_token(link))
		return; /* the kick timer resumes it */
	part = &s->parts[s->cur];
	r = db_outbound_part_submitting_as(
			db, part->id, link->name, ctx->daemon_id, &err);
	if (r < 0) {
		if (r == -ESTALE) {
			/* not ours (any more: taken over?): skip */
			log_info("modem=%s out=%" PRId64 " part %d not sent: "
				 "no longer queued under this daemon's claim",
					link->name, s->msg.id, part->seq);
			part->state = DB_PART_FAILED;
			send_next(link);
			return;
		}
		gw_db_failed(ctx, r, &err, "marking a part submitting");
		finish(link);
		return;
	}
	hex = part->pdu_hex;
	if (part->attempts > 0 && ctx->config->out_resend_unknown ==
						  GW_RESEND_REJECT_DUPLICATES)
		(void) sms_submit_hex_set_reject_duplicates(hex); /* a SUBMIT */
	id = modem_send_pdu(
			link->m, hex, (size_t) part->tpdu_len, on_sent, link);
	if (id < 0) {
		log_warnx("modem=%s out=%" PRId64 " part %d not accepted by "
			  "the driver: %s",
				link->name, s->msg.id, part->seq,
				strerror((int) -id));
		if (db_outbound_part_failed(db, part->id, -1,
				    "rejected by the modem driver", &err) < 0)
			gw_db_failed(ctx, -EIO, &err, "failing a part");
		finish(link);
		return;
	}
	link->send_in_flight = true;
	link->sent_today++;
}

static void start_message(struct gw_link *link, struct db_outbound_msg *msg)
{
	struct gw_context *ctx = link->ctx;
	struct gw_send *s;
	struct db_error err;
	char num[LOG_NUMBER_MAX];
	int r;

	/* Freed by send_free(). */
	s = calloc(1, sizeof(*s));
	if (!s) {
		free(msg->text);
		return; /* stays 'sending': recovered at restart */
	}
	s->msg = *msg;
	msg->text = NULL;
	link->send = s;
	log_info("modem=%s out=%" PRId64 " to=%s kind=%s claimed (attempt "
		 "%d)",
			link->name, s->msg.id,
			log_redact_number(s->msg.recipient, num, sizeof(num)),
			s->msg.kind, s->msg.attempts);
	requeue_unknown_parts(ctx, s->msg.id);
	if (!gw_db(ctx)) {
		finish(link);
		return;
	}
	r = db_outbound_load_parts(
			gw_db(ctx), s->msg.id, &s->parts, &s->n_parts, &err);
	if (r >= 0 && s->n_parts == 0) {
		/* An empty array may still be allocated. */
		db_outbound_parts_free(s->parts, s->n_parts);
		s->parts = NULL;
		if (encode_parts(link, s) < 0 || s->n_parts) {
			finish(link);
			return;
		}
		r = gw_db(ctx) ? db_outbound_load_parts(gw_db(ctx), s->msg.id,
						 &s->parts, &s->n_parts, &err)
			       : -ENOTCONN;
	}
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "loading parts");
		finish(link);
		return;
	}
	send_next(link);
}

/* Local day number, for the daily cap. */
static int local_day(time_t t)
{
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return 0;
	return (tm.tm_year + 1900) * 1000 + tm.tm_yday;
}

/* Seconds until local midnight (+1), when a capped modem may send again. */
static int64_t until_midnight_s(time_t t)
{
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return 3600;
	return 86400 - (tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec) + 1;
}

/* Unix time of the last local midnight. */
static time_t local_midnight(time_t t)
{
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return t - t % 86400;
	tm.tm_hour = 0;
	tm.tm_min = 0;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/*
 * Daily cap per modem (SPEC §5 "no credit drain"), per local day.  The
 * count starts from the database on a new day and at start-up (parts
 * this modem handed over since midnight), so a restart cannot exceed the
 * cap; in between it is counted in memory.  True when the modem may send
 * another part.
 */
static bool under_daily_cap(struct gw_link *link)
{
	struct gw_context *ctx = link->ctx;
	time_t now = time(NULL);
	int day = local_day(now);

	if (link->daily_cap <= 0) {
		link->today = 0; /* a cap set by a reload reads the DB */
		return true;
	}
	if (day != link->today) {
		struct db_error err;
		int64_t n = 0;
		int r = gw_db(ctx) ? db_outbound_modem_parts_since(gw_db(ctx),
						     link->name,
						     local_midnight(now), &n,
						     &err)
				   : -ENOTCONN;

		if (r < 0) {
			if (r != -ENOTCONN)
				gw_db_failed(ctx, r, &err,
						"counting today's parts");
			return false; /* the reconnect kicks again */
		}
		link->today = day;
		link->sent_today = n > INT32_MAX ? INT32_MAX : (int) n;
		link->cap_logged = false;
		if (n > 0)
			log_info("modem=%s %" PRId64 " part%s handed over "
				 "today (daily cap %d)",
					link->name, n, n == 1 ? "" : "s",
					link->daily_cap);
	}
	if (link->sent_today < link->daily_cap)
		return true;
	if (!link->cap_logged) {
		log_warnx("modem=%s daily cap of %d parts reached: not sending "
			  "until midnight",
				link->name, link->daily_cap);
		link->cap_logged = true;
		gw_health_cap_reached(link);
	}
	arm_kick(ctx, until_midnight_s(now) * 1000);
	return false;
}

static bool others_down(struct gw_context *ctx, const struct gw_link *self)
{
	size_t i;

	for (i = 0; i < ctx->n_links; i++)
		if (&ctx->links[i] != self &&
				ctx->links[i].state != MODEM_STATE_READY)
			return true;
	return false;
}

/*
 * Work queued for later (a not_before set by any program, a part's retry
 * time) wakes the dispatcher through its one timer, at the time the
 * database gives: no polling.  Work due now was just claimed (or waits for
 * a modem, which kicks when it is free).
 */
static void arm_next_due(struct gw_context *ctx)
{
	struct db *db = gw_db(ctx);
	struct db_error err;
	int64_t in_ms;
	int r;

	if (!db || ctx->stopping)
		return;
	r = db_outbound_next_due(db, &in_ms, &err);
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "finding the next due message");
		return;
	}
	if (r > 0) {
		log_debug(LOG_CAT_SCHED,
				"outbound: next message due in %" PRId64 " ms",
				in_ms);
		/* 20 ms late rather than early: a claim sees the row due */
		arm_kick(ctx, in_ms + 20);
	}
}

bool gw_outbound_idle(struct gw_context *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_links; i++)
		if (ctx->links[i].send || ctx->links[i].send_in_flight)
			return false;
	return true;
}

void gw_outbound_kick(struct gw_context *ctx)
{
	struct db_error err;
	struct db *db;
	bool starved = false;
	size_t i;
	int r;

	db = gw_db(ctx);
	if (!db || ctx->stopping)
		return;
	if (ctx->recover_pending) {
		/* Messages waiting between parts are recovered too. */
		for (i = 0; i < ctx->n_links; i++)
			gw_outbound_abandon(&ctx->links[i]);
		if (!gw_outbound_idle(ctx))
			return; /* after the sends in flight end */
		if (!replay_outcomes(ctx) || !replay_reports(ctx))
			return;
		r = db_outbound_recover(
				db, ctx->daemon_id, resend_max(ctx), &err);
		if (r < 0) {
			gw_db_failed(ctx, r, &err, "recovering sends");
			return;
		}
		ctx->recover_pending = false;
		if (r > 0)
			log_info("outbound: %d unfinished message%s of this "
				 "daemon re-queued",
					r, r == 1 ? "" : "s");
	}
	gw_lease_kick(ctx);
	if (!ctx->out_last_expire_ms ||
			loop_now_ms() - ctx->out_last_expire_ms >=
					EXPIRE_EVERY_MS) {
		ctx->out_last_expire_ms = loop_now_ms();
		r = db_outbound_expire(db, &err);
		if (r < 0 && gw_db_failed(ctx, r, &err, "expiring messages"))
			return;
		if (r > 0)
			log_info("outbound: %d message%s expired", r,
					r == 1 ? "" : "s");
	}
	for (i = 0; i < ctx->n_links && gw_db(ctx) && !ctx->stopping; i++) {
		struct gw_link *link = &ctx->links[i];
		struct db_outbound_msg *msgs = NULL;
		size_t n = 0;

		if (!link->m || link->state != MODEM_STATE_READY)
			continue;
		if (link->send) {
			send_next(link); /* waiting for a token */
			continue;
		}
		if (!under_daily_cap(link))
			continue;
		r = db_outbound_claim_leased(gw_db(ctx), ctx->daemon_id,
				link->name, others_down(ctx, link), 1,
				ctx->config->out_lease_s, &msgs, &n, &err);
		if (r < 0) {
			gw_db_failed(ctx, r, &err, "claiming messages");
			return;
		}
		if (n > 0) {
			gw_lease_claimed(ctx);
			start_message(link, &msgs[0]);
		} else
			starved = true;
		db_outbound_msgs_free(msgs, n);
	}
	/* A busy modem kicks again when it is done: ask only when one is
	 * idle for lack of due work (a flood does no extra query). */
	if (starved)
		arm_next_due(ctx);
}

/*
 * A status report that arrived while the database was down (or before
 * the reconnect's outcomes were recorded: it may be about one of them) is
 * kept and matched at the reconnect.  Lost on a crash: the part stays
 * 'submitted'.
 */
static void remember_report(
		struct gw_link *link, const struct modem_status_report *sr)
{
	struct gw_context *ctx = link->ctx;
	struct gw_report r;
	int d;

	if (!ctx->reports.max) /* the context starts zeroed */
		gw_reportq_init(&ctx->reports, REPORTS_MAX);
	snprintf(r.modem, sizeof(r.modem), "%s", link->name);
	snprintf(r.number, sizeof(r.number), "%s", sr->msg.addr.number);
	r.mr = sr->msg.mr;
	r.st = sr->msg.status;
	d = gw_reportq_push(&ctx->reports, &r);
	if (d < 0)
		log_warnx("modem=%s status report mr=%d lost: out of memory",
				link->name, r.mr);
	else if (d > 0 && !ctx->reports_dropped++)
		/* Bounded: the oldest is the least likely still awaited. */
		log_warnx("outbound: %d status reports kept while the "
			  "database is down: dropping the oldest",
				REPORTS_MAX);
}

/* Matches one report; false when the database connection was lost. */
static bool match_report(struct gw_context *ctx, const char *modem,
		const char *number, int mr, int st)
{
	struct db *db = gw_db(ctx);
	struct db_error err;
	char num[LOG_NUMBER_MAX];
	int64_t part_id = 0;
	int r;

	if (!db)
		return false;
	log_redact_number(number, num, sizeof(num));
	r = db_outbound_match_report(db, modem, mr, number, st, REPORT_WINDOW_S,
			&part_id, &err);
	if (r == -ENOENT) {
		log_info("modem=%s status report mr=%d to=%s st=0x%02x "
			 "matches no part",
				modem, mr, num, st);
		return true;
	}
	if (r < 0)
		return !gw_db_failed(ctx, r, &err, "matching a status report");
	log_info("modem=%s part=%" PRId64 " to=%s status report st=0x%02x "
		 "(%s)",
			modem, part_id, num, st,
			st < 0x20   ? "delivered"
			: st < 0x40 ? "still trying"
				    : "failed");
	return true;
}

/* Matches the kept reports, oldest first; false when the DB failed. */
static bool replay_reports(struct gw_context *ctx)
{
	const struct gw_report *r;
	size_t done = 0;

	if (ctx->reports_dropped)
		log_warnx("outbound: %zu status report%s dropped while the "
			  "database was down (bound %d)",
				ctx->reports_dropped,
				ctx->reports_dropped == 1 ? "" : "s",
				REPORTS_MAX);
	ctx->reports_dropped = 0;
	while ((r = gw_reportq_peek(&ctx->reports))) {
		if (!match_report(ctx, r->modem, r->number, r->mr, r->st))
			return false; /* kept: the next reconnect */
		gw_reportq_pop(&ctx->reports);
		done++;
	}
	if (done)
		log_info("outbound: %zu status report%s matched after the "
			 "reconnect",
				done, done == 1 ? "" : "s");
	return true;
}

void gw_outbound_report(
		struct gw_link *link, const struct modem_status_report *sr)
{
	struct gw_context *ctx = link->ctx;
	char num[LOG_NUMBER_MAX];

	if (sr->decode_err) {
		log_warnx("modem=%s undecodable status report: %s", link->name,
				sr->decode_reason ? sr->decode_reason : "?");
		return;
	}
	/* Kept in order, after the outcomes it may report on. */
	if (gw_db(ctx) && !ctx->recover_pending && !ctx->reports.n &&
			match_report(ctx, link->name, sr->msg.addr.number,
					sr->msg.mr, sr->msg.status))
		return;
	log_redact_number(sr->msg.addr.number, num, sizeof(num));
	log_info("modem=%s status report mr=%d to=%s st=0x%02x kept until "
		 "the database is back",
			link->name, sr->msg.mr, num, sr->msg.status);
	remember_report(link, sr);
}

void gw_outbound_abandon(struct gw_link *link)
{
	if (!link->send)
		return;
	if (link->send_in_flight) {
		link->send->abandon = true;
		return;
	}
	send_free(link->send);
	link->send = NULL;
}

void gw_outbound_free(struct gw_context *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_links; i++) {
		send_free(ctx->links[i].send);
		ctx->links[i].send = NULL;
	}
	if (ctx->out_kick_timer)
		loop_cancel_timer(ctx->loop, ctx->out_kick_timer);
	ctx->out_kick_timer = 0;
	gw_lease_free(ctx);
	free(ctx->outcomes);
	ctx->outcomes = NULL;
	ctx->n_outcomes = ctx->cap_outcomes = 0;
	if (ctx->reports.n)
		log_warnx("outbound: %zu status report%s not matched: the "
			  "database is down at stop",
				ctx->reports.n, ctx->reports.n == 1 ? "" : "s");
	gw_reportq_free(&ctx->reports);
}
