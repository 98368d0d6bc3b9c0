/*
 * gateway/inbound.c - received SMS: decode -> store -> COMMIT -> release
 * -> (assemble) -> handler (SPEC §5 "nothing received is lost", LESSONS 1
 * and 2).
 *
 * - Single messages: db_inbound_store() (one INSERT ... ON CONFLICT DO
 *   NOTHING on the natural key: SIM, sender, SCTS, PDU hash; its own
 *   transaction), and only after it committed modem_sms_release(true),
 *   i.e. AT+CMGD or AT+CNMA.  The raw PDU is always stored; a PDU that does
 *   not decode is stored raw with its reason, never dropped.
 * - Parts: stored one by one (idempotent on sender, reference, width,
 *   total, seq, SCTS, hash), released, then, when the group is complete,
 *   loaded back, joined with sms_concat_assemble() and inserted as one
 *   message with its parts linked (db_inbound_assemble(), one
 *   transaction).  Groups still incomplete after multipart.timeout_s are
 *   stored partial by a timer that is armed only while parts wait.
 * - While the database is unreachable nothing is released: stored
 *   messages stay on the SIM (the next sweep re-reads them), direct ones
 *   are not acked (the network delivers them again).  When the database
 *   is back the modems are swept at once.
 * - New messages go to the handler (handler.h); messages left 'stored' by
 *   a crash are handed to it again when the database (re)connects.
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
#include "gateway/log.h"
#include "modem/sms_concat.h"
#include "modem/ucs2.h"

#define UNHANDLED_BATCH 100

/*
 * Code units of recently stored parts (by row id), so that assembly joins
 * them before decoding (a surrogate pair or escape split across parts);
 * after a restart the stored texts are joined instead.
 */
#define UNITS_CACHE 256
struct part_units {
	int64_t id; /* 0: empty */
	enum sms_charset charset;
	uint8_t units[160];
	size_t len;
};

struct gw_inbound {
	int64_t stale_timer;	 /* partial-assembly timer, 0 = none */
	int64_t unhandled_timer; /* continue handling 'stored' rows */
	uint64_t stored, duplicates, deferred, assembled;
	uint64_t parts; /* new parts stored (their message counts as assembled) */
	struct part_units units[UNITS_CACHE];
	size_t units_next;
};

static void units_remember(
		struct gw_inbound *ib, int64_t id, const struct sms *msg)
{
	struct part_units *u;

	if (!ib || !msg->units_len || msg->units_len > sizeof(u->units))
		return;
	u = &ib->units[ib->units_next++ % UNITS_CACHE];
	u->id = id;
	u->charset = msg->dcs.charset;
	memcpy(u->units, msg->units, msg->units_len);
	u->len = msg->units_len;
}

static const struct part_units *units_find(
		const struct gw_inbound *ib, int64_t id)
{
	size_t i;

	for (i = 0; ib && i < UNITS_CACHE; i++)
		if (ib->units[i].id == id)
			return &ib->units[i];
	return NULL;
}

static void arm_stale_timer(struct gw_context *ctx, int64_t delay_s);

static int64_t cfg_timeout(const struct gw_context *ctx)
{
	return ctx->config->multipart_timeout_s;
}

static void handle(struct gw_context *ctx, const struct gw_message *msg)
{
	struct db *db = gw_db(ctx);
	struct db_error err;
	int r;

	if (!db)
		return; /* stays 'stored': handled after the reconnect */
	r = ctx->handler->handle(ctx, ctx->handler_state, db, msg, &err);
	if (r >= 0)
		return;
	if (gw_db_failed(ctx, r, &err, "handling a message"))
		return;
	/* The statement itself failed: mark it so it is not retried. */
	db = gw_db(ctx);
	if (db && db_inbound_set_state(
				  db, msg->id, "failed", err.message, &err) < 0)
		gw_db_failed(ctx, -EIO, &err, "marking a message failed");
	log_warnx("modem=%s msg=%" PRId64 " handler %s failed", msg->modem,
			msg->id, ctx->handler->name);
}

static const char *encoding_name(enum sms_charset cs)
{
	switch (cs) {
	case SMS_CHARSET_GSM7:
		return "gsm7";
	case SMS_CHARSET_UCS2:
		return "ucs2";
	case SMS_CHARSET_8BIT:
		return "8bit";
	default:
		return NULL;
	}
}

static bool str_ok(const char *s)
{
	return !s || utf8_valid(s, strlen(s));
}

/* A garbled read is usually clean the next time: reads before storing raw. */
#define READS_BEFORE_RAW 2
#define READS_MAX 3

/* What we store of one received PDU; strings borrowed from @sms/@buf. */
static void fill_inbound(struct gw_link *link, const struct modem_sms *sms,
		struct db_inbound *in, char *hexbuf, size_t hexsize)
{
	const struct modem_info *info = modem_get_info(link->m);
	const struct sms *msg = &sms->msg;
	int64_t t;

	memset(in, 0, sizeof(*in));
	in->modem = link->name;
	/* The SIM, not the port, owns a message: IMSI, else ICCID. */
	in->sim_imsi = NULL;
	if (info && info->imsi[0])
		in->sim_imsi = info->imsi;
	else if (info && info->iccid[0])
		in->sim_imsi = info->iccid;
	in->pdu_hex = sms->pdu_hex;
	in->sender_ton = -1;
	in->dcs = -1;
	if (sms->decode_err) {
		in->decode_error = sms->decode_reason ? sms->decode_reason
						      : "undecodable PDU";
		return;
	}
	if (msg->type != SMS_TYPE_DELIVER) {
		in->decode_error = "not an SMS-DELIVER";
		return;
	}
	in->sender = msg->addr.number;
	in->sender_ton = msg->addr.ton;
	in->smsc = msg->has_smsc ? msg->smsc.number : NULL;
	/* Two-digit year: the century nearest to now. */
	if (sms_scts_to_epoch_near(&msg->scts, (int64_t) time(NULL), &t) == 0) {
		in->scts = t;
		in->scts_tz_minutes = msg->scts.tz_quarters * 15;
	}
	in->dcs = msg->dcs.raw;
	in->encoding = encoding_name(msg->dcs.charset);
	if (msg->dcs.charset == SMS_CHARSET_8BIT || msg->dcs.compressed) {
		/* Binary payload: keep it as hex text; the PDU has it all. */
		size_t i, n = 0;

		for (i = 0; i < msg->data_len && n + 3 < hexsize; i++)
			n += (size_t) snprintf(hexbuf + n, hexsize - n, "%02X",
					msg->data[i]);
		hexbuf[n] = '\0';
		in->text = hexbuf;
	} else {
		in->text = msg->text;
	}
	/*
	 * Nothing reaches PostgreSQL as invalid UTF-8: the driver and codec
	 * guarantee it; should one not, the message is kept raw (the PDU
	 * hex is ASCII) and marked rather than rejected by the database.
	 */
	if (!str_ok(in->text) || !str_ok(in->sender) || !str_ok(in->smsc) ||
			!str_ok(in->pdu_hex)) {
		in->decode_error = "invalid UTF-8 from the modem; stored raw";
		in->text = NULL;
		in->sender = NULL;
		in->smsc = NULL;
		if (!str_ok(in->pdu_hex))
			in->pdu_hex = NULL;
	}
}

static void msg_from_inbound(
		const struct db_inbound *in, int64_t id, struct gw_message *out)
{
	memset(out, 0, sizeof(*out));
	out->id = id;
	out->modem = in->modem;
	out->sender = in->sender ? in->sender : "";
	out->sender_ton = in->sender_ton;
	out->text = in->text;
	out->decode_error = in->decode_error;
	out->scts = in->scts;
}

/*
 * Loads a group's parts and, when all are there (or @partial), inserts
 * the assembled message and hands it to the handler.
 */
static int try_assemble(struct gw_context *ctx, const char *modem_name,
		const struct db_part_group *group, bool partial)
{
	struct db *db = gw_db(ctx);
	struct db_part_row *rows = NULL;
	struct sms_part *parts = NULL;
	int64_t *ids = NULL;
	int missing[SMS_MAX_PARTS];
	struct sms_concat_result res = {0};
	struct db_assembled as = {0};
	struct db_error err;
	struct gw_message msg;
	const char *reason = NULL;
	size_t n = 0, k = 0, n_ids = 0, i;
	int64_t id;
	int r;

	if (!db)
		return -ENOTCONN;
	r = db_inbound_load_group(db, group, &rows, &n, &err);
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "loading parts");
		return r;
	}
	if (n == 0)
		goto out;
	/* Freed below. */
	parts = calloc(n, sizeof(*parts));
	ids = calloc(n, sizeof(*ids));
	if (!parts || !ids) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct sms_part *p = &parts[k];
		const char *t = rows[i].text ? rows[i].text : "";

		/*
		 * Duplicates of one seq come out adjacent: keep the first.
		 * One with the same text (the network delivered the part
		 * again with another time stamp) is linked too; one with
		 * another text is left alone, quarantined in a group of its
		 * own that the timeout stores as partial (LESSONS 2).
		 */
		if (k && parts[k - 1].seq == rows[i].seq) {
			if (!strcmp(parts[k - 1].text, t))
				ids[n_ids++] = rows[i].id;
			continue;
		}
		snprintf(p->sender, sizeof(p->sender), "%s", group->sender);
		p->ref = (uint16_t) group->concat_ref;
		p->ref16 = group->concat_16bit;
		p->total = (uint8_t) group->total;
		p->seq = (uint8_t) rows[i].seq;
		/* Informational only: the texts are already UTF-8. */
		p->charset = SMS_CHARSET_UCS2;
		snprintf(p->text, sizeof(p->text), "%s", t);
		{
			const struct part_units *u =
					units_find(ctx->inbound, rows[i].id);

			if (u) {
				p->charset = u->charset;
				memcpy(p->units, u->units, u->len);
				p->units_len = u->len;
			}
		}
		ids[n_ids++] = rows[i].id;
		k++;
	}
	if ((int) k < group->total && !partial) {
		r = 0; /* not yet: wait for the rest (or the timeout) */
		goto out;
	}
	r = sms_concat_assemble(parts, k, &res, &reason);
	if (r < 0) {
		log_warnx("modem=%s cannot assemble %d parts of ref %d: %s",
				modem_name, group->total, group->concat_ref,
				reason ? reason : strerror(-r));
		goto out;
	}
	for (i = 0; i < res.n_missing; i++)
		missing[i] = res.missing[i];
	as.part_ids = ids;
	as.n_parts = n_ids;
	as.text = res.text;
	as.partial = !res.complete;
	as.missing = missing;
	as.n_missing = res.n_missing;
	as.dcs = rows[0].dcs;
	as.scts = rows[0].scts;
	as.scts_tz_minutes = rows[0].scts_tz_minutes;
	as.sender_ton = rows[0].sender_ton;
	as.smsc = rows[0].smsc;
	for (i = 0; i < n; i++)
		if (rows[i].decode_error) {
			as.decode_error = rows[i].decode_error;
			break;
		}
	r = db_inbound_assemble(db, group, &as, &id, &err);
	if (r == -EALREADY) {
		log_debug(LOG_CAT_DB,
				"modem=%s group ref %d assembled "
				"elsewhere",
				modem_name, group->concat_ref);
		r = 0;
		goto out;
	}
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "assembling a message");
		goto out;
	}
	ctx->inbound->assembled++;
	log_info("modem=%s msg=%" PRId64 " assembled from %zu of %d parts%s",
			modem_name, id, k, group->total,
			as.partial ? " (partial: timeout)" : "");
	memset(&msg, 0, sizeof(msg));
	msg.id = id;
	msg.modem = modem_name;
	msg.sender = group->sender;
	msg.sender_ton = as.sender_ton;
	msg.text = res.text;
	msg.decode_error = NULL;
	msg.partial = as.partial;
	msg.scts = as.scts;
	handle(ctx, &msg);
	r = 1;
out:
	sms_concat_result_done(&res);
	free(parts);
	free(ids);
	db_part_rows_free(rows, n);
	return r;
}

/* Stores @in as a single message; 0, or -ENOTCONN when the DB is gone. */
static int store_single(struct gw_link *link, struct db_inbound *in,
		int64_t *ret_id, bool *ret_new)
{
	struct gw_context *ctx = link->ctx;
	struct db *db = gw_db(ctx);
	struct db_error err;
	int r;

	if (!db)
		return -ENOTCONN;
	r = db_inbound_store(db, in, ret_id, ret_new, &err);
	if (r >= 0)
		return 0;
	if (gw_db_failed(ctx, r, &err, "storing a message"))
		return -ENOTCONN;
	return r;
}

void gw_inbound_sms(struct gw_link *link, struct modem_sms *sms)
{
	struct gw_context *ctx = link->ctx;
	struct gw_inbound *ib = ctx->inbound;
	struct db_inbound in;
	struct gw_message msg;
	char hexbuf[2 * SMS_UD_MAX + 1], num[LOG_NUMBER_MAX];
	char sender[SMS_ADDR_MAX], text[SMS_TEXT_MAX];
	const struct sms_udh *udh = &sms->msg.udh;
	int64_t id = 0;
	bool is_new = false;
	int r;

	if (!gw_db(ctx)) {
		/* Not committed: the modem keeps it (SPEC §5). */
		ib->deferred++;
		log_debug(LOG_CAT_DB,
				"modem=%s database down: message left "
				"on the modem",
				link->name);
		modem_sms_release(link->m, sms, false);
		return;
	}
	if (link->state != MODEM_STATE_READY) {
		/*
		 * The SIM's identity (read during init) is part of the
		 * natural key. A +CMT re-sent by the network as soon as the
		 * port opens, before AT+CIMI answered, would be stored under
		 * an empty identity and again under the real one after the
		 * next delivery: two rows, two acks. Not committed here
		 * means not acked: the network (or the start-up sweep)
		 * brings it back once the modem is ready.
		 */
		ib->deferred++;
		log_debug(LOG_CAT_DB,
				"modem=%s not ready: message left on "
				"the modem",
				link->name);
		modem_sms_release(link->m, sms, false);
		return;
	}
	fill_inbound(link, sms, &in, hexbuf, sizeof(hexbuf));
	if (!in.decode_error && sms->msg.text_error)
		log_info("modem=%s text partly undecodable (%s): stored with "
			 "U+FFFD and the raw PDU",
				link->name, sms->msg.text_error);

	if (!in.decode_error && udh->has_concat && udh->concat_total > 1) {
		struct db_inbound_part part = {.msg = in};
		struct db_part_group group;
		struct db *db = gw_db(ctx);
		struct db_error err;

		part.concat_ref = udh->concat_ref;
		part.concat_16bit = udh->concat_16bit;
		part.total = udh->concat_total;
		part.seq = udh->concat_seq;
		r = db_inbound_store_part(db, &part, &id, &is_new, &err);
		if (r >= 0) {
			if (is_new)
				ib->parts++;
			else
				ib->duplicates++;
			units_remember(ib, id, &sms->msg);
			/* Keys only from here: @sms is freed by the release. */
			db_part_group_from_part(&part, &group);
			modem_sms_release(link->m, sms, true);
			log_info("modem=%s part=%" PRId64 " from=%s %d/%d "
				 "ref=%d %s",
					link->name, id,
					log_redact_number(group.sender, num,
							sizeof(num)),
					part.seq, part.total, part.concat_ref,
					is_new ? "stored" : "already stored");
			r = try_assemble(ctx, link->name, &group, false);
			if (r == 0) /* incomplete: wait for the rest */
				arm_stale_timer(ctx, cfg_timeout(ctx));
			return;
		}
		if (gw_db_failed(ctx, r, &err, "storing a part")) {
			modem_sms_release(link->m, sms, false);
			return;
		}
		/* Rejected as a part: keep it as a single, raw and marked. */
		in.decode_error = "could not be stored as a part";
	}

	r = store_single(link, &in, &id, &is_new);
	if (r < 0 && r != -ENOTCONN && !sms->direct &&
			sms->reads < READS_BEFORE_RAW) {
		/* Not an outage: read it again now (not at the sweep). */
		log_warnx("modem=%s storing a message failed (read %u): "
			  "reading it again",
				link->name, sms->reads);
		modem_sms_reread(link->m, sms);
		return;
	}
	if (r < 0 && r != -ENOTCONN && !in.decode_error) {
		/* Rejected decoded: store it raw and marked, never drop it. */
		fill_inbound(link, sms, &in, hexbuf, sizeof(hexbuf));
		in.decode_error = "rejected by the database; stored raw";
		in.sender = NULL;
		in.text = NULL;
		in.scts = 0;
		r = store_single(link, &in, &id, &is_new);
	}
	if (r < 0 && r != -ENOTCONN && !sms->direct && sms->reads < READS_MAX) {
		log_warnx("modem=%s storing a message raw failed (read %u): "
			  "reading it again",
				link->name, sms->reads);
		modem_sms_reread(link->m, sms);
		return;
	}
	if (r < 0) {
		if (r != -ENOTCONN)
			log_warnx("modem=%s a message cannot be stored even "
				  "raw "
				  "after %u reads: left on the modem until the "
				  "next sweep",
					link->name, sms->reads);
		modem_sms_release(link->m, sms, false);
		return;
	}
	/* @sms is freed by the release: keep what the handler needs. */
	snprintf(sender, sizeof(sender), "%s", in.sender ? in.sender : "");
	snprintf(text, sizeof(text), "%s", in.text ? in.text : "");
	in.sender = in.sender ? sender : NULL;
	in.text = in.text ? text : NULL;
	in.pdu_hex = NULL;
	in.smsc = NULL;
	modem_sms_release(link->m, sms, true);
	if (is_new)
		ib->stored++;
	else
		ib->duplicates++;
	log_info("modem=%s msg=%" PRId64 " from=%s %s%s%s", link->name, id,
			log_redact_number(in.sender ? in.sender : "", num,
					sizeof(num)),
			is_new ? "stored" : "already stored (duplicate read)",
			in.decode_error ? ", undecodable: " : "",
			in.decode_error ? in.decode_error : "");
	if (!is_new)
		return;
	msg_from_inbound(&in, id, &msg);
	handle(ctx, &msg);
}

/* ---- timeouts and catching up ---------------------------------------- */

static int64_t on_stale(struct loop *loop, int64_t id, void *data)
{
	struct gw_context *ctx = data;
	struct db *db = gw_db(ctx);
	struct db_part_group *groups = NULL;
	struct db_queue_depths depths;
	struct db_error err;
	size_t n = 0, i;
	int r;

	(void) loop;
	(void) id;
	ctx->inbound->stale_timer = 0;
	if (!db)
		return LOOP_TIMER_DONE; /* re-armed when it is back */
	r = db_inbound_stale_groups(db, ctx->config->multipart_timeout_s,
			&groups, &n, &err);
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "listing stale parts");
		return LOOP_TIMER_DONE;
	}
	for (i = 0; i < n && gw_db(ctx); i++)
		try_assemble(ctx, groups[i].modem, &groups[i], true);
	free(groups);
	db = gw_db(ctx);
	if (db && db_queue_depths(db, &depths, &err) == 0 &&
			depths.parts_waiting > 0) {
		int64_t d = ctx->config->multipart_timeout_s / 10;

		arm_stale_timer(ctx, d < 1 ? 1 : d);
	}
	return LOOP_TIMER_DONE;
}

static void arm_stale_timer(struct gw_context *ctx, int64_t delay_s)
{
	struct gw_inbound *ib = ctx->inbound;
	int64_t t;

	if (ib->stale_timer)
		return;
	/* One second late, so "older than the timeout" holds. */
	t = loop_add_timer(
			ctx->loop, delay_s * 1000 + 1000, on_stale, ctx, NULL);
	if (t > 0)
		ib->stale_timer = t;
}

/* Hands messages left 'stored' (a crash between commit and handling). */
static int64_t on_unhandled(struct loop *loop, int64_t id, void *data)
{
	struct gw_context *ctx = data;
	struct db *db = gw_db(ctx);
	struct db_inbox_row *rows = NULL;
	struct db_error err;
	size_t n = 0, i;
	int r;

	(void) loop;
	(void) id;
	ctx->inbound->unhandled_timer = 0;
	if (!db || ctx->stopping)
		return LOOP_TIMER_DONE;
	r = db_inbound_unhandled(db, UNHANDLED_BATCH, &rows, &n, &err);
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "listing unhandled messages");
		return LOOP_TIMER_DONE;
	}
	for (i = 0; i < n && gw_db(ctx); i++) {
		struct gw_message msg = {
				.id = rows[i].id,
				.modem = rows[i].modem,
				.sender = rows[i].sender,
				.sender_ton = -1,
				.text = rows[i].text,
				.decode_error = rows[i].decode_error,
				.partial = rows[i].partial,
				.scts = rows[i].scts,
		};

		log_info("modem=%s msg=%" PRId64 " was stored but not "
			 "handled: handling it now",
				msg.modem, msg.id);
		handle(ctx, &msg);
	}
	db_inbox_rows_free(rows, n);
	/* More: continue in the next iteration, letting the modems in. */
	if (n == UNHANDLED_BATCH && gw_db(ctx)) {
		int64_t t = loop_add_timer(
				ctx->loop, 0, on_unhandled, ctx, NULL);

		if (t > 0)
			ctx->inbound->unhandled_timer = t;
	}
	return LOOP_TIMER_DONE;
}

/*
 * A group whose last part was committed just before the database went
 * away never got its assembly (try_assemble failed with the connection),
 * and the stale timer would only find it after the whole multipart
 * timeout. Complete groups are assembled now; incomplete ones keep
 * waiting for their parts or the timeout.
 */
static void assemble_complete_groups(struct gw_context *ctx)
{
	struct db *db = gw_db(ctx);
	struct db_part_group *groups = NULL;
	struct db_error err;
	size_t n = 0, i;
	int r;

	if (!db)
		return;
	r = db_inbound_stale_groups(db, 0, &groups, &n, &err);
	if (r < 0) {
		gw_db_failed(ctx, r, &err, "listing waiting parts");
		return;
	}
	for (i = 0; i < n && gw_db(ctx); i++)
		if (groups[i].have >= groups[i].total)
			try_assemble(ctx, groups[i].modem, &groups[i], false);
	free(groups);
}

void gw_inbound_db_up(struct gw_context *ctx)
{
	struct gw_inbound *ib = ctx->inbound;
	size_t i;
	int64_t t;

	/* Re-read what waited on the SIMs during the outage. */
	for (i = 0; i < ctx->n_links; i++)
		if (ctx->links[i].m && ctx->links[i].state == MODEM_STATE_READY)
			modem_sweep(ctx->links[i].m);
	if (!ib->unhandled_timer) {
		t = loop_add_timer(ctx->loop, 0, on_unhandled, ctx, NULL);
		if (t > 0)
			ib->unhandled_timer = t;
	}
	assemble_complete_groups(ctx);
	/* Parts waiting from before: check them after a full timeout. */
	arm_stale_timer(ctx, 0);
}

int gw_inbound_start(struct gw_context *ctx)
{
	/* Freed by gw_inbound_free(). */
	ctx->inbound = calloc(1, sizeof(*ctx->inbound));
	return ctx->inbound ? 0 : -ENOMEM;
}

void gw_inbound_free(struct gw_context *ctx)
{
	struct gw_inbound *ib = ctx->inbound;

	if (!ib)
		return;
	if (ib->stale_timer)
		loop_cancel_timer(ctx->loop, ib->stale_timer);
	if (ib->unhandled_timer)
		loop_cancel_timer(ctx->loop, ib->unhandled_timer);
	/*
	 * Messages first (what a person counts), then what they came in:
	 * "stored" alone was read as covering the assembled ones too.
	 */
	log_info("inbound: %" PRIu64 " new messages (%" PRIu64
		 " single-part, %" PRIu64 " assembled from %" PRIu64
		 " parts), %" PRIu64 " duplicate reads ignored, %" PRIu64
		 " left on the modem while the database was down",
			ib->stored + ib->assembled, ib->stored, ib->assembled,
			ib->parts, ib->duplicates, ib->deferred);
	free(ib);
	ctx->inbound = NULL;
}
