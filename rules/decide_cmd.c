/*
 * rules/decide_cmd.c - the supervisor commands (issue 9): 批 / 驳 / 注 on
 * references, 团队, 查 and 我的, decided from the facts the gateway
 * looked up.  Pure: the replies are composed from settings.texts words
 * (r_sup_keys[]), the changes returned as data (struct
 * rules_ref_decision, struct rules_notice).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rules/rules_int.h"
#include "rules/text.h"

const char *const r_sup_keys[R_SUP_N + 1] = {"approved", "rejected", "noted",
		"already_decided", "not_in_chain", "no_such_ref", "team_all",
		"missing", "no_checkin", "no_report", "on_leave",
		"no_such_person", "today", "checkins", "reports", "latest",
		"pending", "word_in_territory", "word_outside", NULL};

const char *const r_sup_defaults[R_SUP_N] = {"approved", "sent back", "note",
		"already decided", "not in your team", "no such report",
		"All your reps checked in and reported today.", "Missing",
		"no check-in", "no report", "on leave", "No such rep", "today",
		"check-ins", "reports", "latest", "pending", "in territory",
		"outside"};

#define MAX_REFS 16

/* A bounded string builder: stops at a character boundary when full. */
struct sb {
	char *s;
	size_t n, size;
};

static void put(struct sb *b, const char *t)
{
	size_t l = t ? strlen(t) : 0;

	if (b->n + l + 1 > b->size) {
		l = b->size - b->n - 1;
		while (l && ((unsigned char) t[l] & 0xC0) == 0x80)
			l--;
	}
	memcpy(b->s + b->n, t, l);
	b->n += l;
	b->s[b->n] = '\0';
}

static void putn(struct sb *b, long v)
{
	char num[24];

	snprintf(num, sizeof(num), "%ld", v);
	put(b, num);
}

static const char *W(const struct rules *r, enum r_sup_text t)
{
	return r->sup_text[t];
}

/* ASCII words are spaced; Chinese ones are not. */
static bool ascii_word(const char *s)
{
	return s && *s && !((unsigned char) *s & 0x80);
}

static void word(struct sb *b, const struct rules *r, enum r_sup_text t)
{
	if (ascii_word(W(r, t)) && b->n && b->s[b->n - 1] != ' ')
		put(b, " ");
	put(b, W(r, t));
}

static const char *verdict_word(const struct rules *r, const char *v)
{
	if (v && !strcmp(v, "in_territory"))
		return W(r, SUP_IN_TERRITORY);
	if (v && !strcmp(v, "outside"))
		return W(r, SUP_OUTSIDE);
	return v ? v : "";
}

static bool one_segment(const char *s, size_t len)
{
	bool gsm7;

	return rt_sms_segments(s, len, &gsm7) == 1;
}

/* Cuts @b to one SMS segment, ending in "…", when it is longer. */
static void fit_one(struct sb *b)
{
	static const char ell[] = "\xE2\x80\xA6"; /* … */

	if (one_segment(b->s, b->n))
		return;
	while (b->n) {
		do
			b->n--;
		while (b->n && ((unsigned char) b->s[b->n] & 0xC0) == 0x80);
		b->s[b->n] = '\0';
		if (b->n + 3 < b->size) {
			memcpy(b->s + b->n, ell, 4);
			if (one_segment(b->s, b->n + 3)) {
				b->n += 3;
				return;
			}
			b->s[b->n] = '\0';
		}
	}
}

static int on_refs(const struct rules *r, const struct r_command *cmd,
		const struct rules_parsed *p, const struct rules_facts *fa,
		struct r_arena *a, struct rules_decision *d, struct sb *b)
{
	enum rules_ref_op op = cmd->cmd == RULES_CMD_APPROVE ? RULES_REF_APPROVE
			       : cmd->cmd == RULES_CMD_REJECT ? RULES_REF_REJECT
							      : RULES_REF_NOTE;
	enum r_sup_text done = op == RULES_REF_APPROVE	? SUP_APPROVED
			       : op == RULES_REF_REJECT ? SUP_REJECTED
							: SUP_NOTED;
	const char *comment = p->command_text ? p->command_text : "";
	size_t n = p->n_refs < MAX_REFS ? p->n_refs : MAX_REFS, i, j, k;
	struct rules_ref_decision *rd;
	struct rules_notice *nt;
	bool notified[MAX_REFS] = {false};
	size_t n_ok = 0, n_notices = 0;
	enum rules_error first = RULES_E_NONE;

	rd = r_zalloc(a, (n ? n : 1) * sizeof(*rd));
	nt = r_zalloc(a, (n ? n : 1) * sizeof(*nt));
	if (!rd || !nt)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		enum rules_fact st = fa && fa->reports_status
						     ? fa->reports_status[i]
						     : RULES_FACT_UNCHECKED;
		const struct rules_report_ref *rr =
				st == RULES_FACT_FOUND ? &fa->reports[i] : NULL;
		enum rules_error e = RULES_E_NONE;

		rd[i].index = i;
		rd[i].ref = p->refs[i];
		rd[i].op = op;
		rd[i].comment = comment;
		if (st == RULES_FACT_NOT_FOUND) {
			e = RULES_E_NO_SUCH_REF;
			rd[i].refused = "not_found";
		} else if (rr && rr->in_chain == RULES_FACT_NOT_FOUND) {
			e = RULES_E_NOT_IN_CHAIN;
			rd[i].refused = "not_in_chain";
			d->refused_access = true;
		} else if (rr && op != RULES_REF_NOTE && rr->status &&
				strcmp(rr->status, "received")) {
			e = RULES_E_ALREADY_DECIDED;
			rd[i].refused = "already_decided";
		}
		if (i)
			put(b, ascii_word(W(r, done)) ? "; " : ";");
		put(b, p->refs[i]);
		if (e == RULES_E_NONE) {
			n_ok++;
			word(b, r, done);
		} else {
			if (!first)
				first = e;
			word(b, r,
					e == RULES_E_NO_SUCH_REF
							? SUP_NO_SUCH_REF
					: e == RULES_E_NOT_IN_CHAIN
							? SUP_NOT_IN_CHAIN
							: SUP_ALREADY);
			if (e == RULES_E_ALREADY_DECIDED) {
				put(b, "(");
				put(b, !strcmp(rr->status, "approved")
								? W(r, SUP_APPROVED)
						: !strcmp(rr->status,
								  "rejected")
								? W(r, SUP_REJECTED)
								: rr->status);
				put(b, ")");
			}
		}
	}
	if (n_ok && *comment) {
		put(b, ascii_word(W(r, done)) ? ": " : ":");
		put(b, comment);
	}
	if (n > 1 && !one_segment(b->s, b->n)) {
		/* too long for one SMS: the refusals, then a count */
		b->n = 0;
		b->s[0] = '\0';
		for (i = 0; i < n; i++) {
			if (!rd[i].refused)
				continue;
			put(b, p->refs[i]);
			word(b, r,
					!strcmp(rd[i].refused, "not_found")
							? SUP_NO_SUCH_REF
					: !strcmp(rd[i].refused, "not_in_chain")
							? SUP_NOT_IN_CHAIN
							: SUP_ALREADY);
			put(b, ascii_word(W(r, done)) ? "; " : ";");
		}
		if (n_ok) {
			put(b, W(r, done));
			put(b, "\xC3\x97"); /* × */
			putn(b, (long) n_ok);
			if (*comment) {
				put(b, ascii_word(W(r, done)) ? ": " : ":");
				put(b, comment);
			}
		} else if (b->n > 1)
			b->s[b->n -= ascii_word(W(r, done)) ? 2 : 1] = '\0';
		fit_one(b);
	}
	fit_one(b);
	/* one SMS per rep: the references done for them, the comment */
	for (i = 0; i < n; i++) {
		const struct rules_report_ref *ri;
		char text[480];
		struct sb t = {text, 0, sizeof(text)};

		if (rd[i].refused || notified[i] || !fa || !fa->reports ||
				!fa->reports_status ||
				fa->reports_status[i] != RULES_FACT_FOUND ||
				!fa->reports[i].rep_phone)
			continue;
		ri = &fa->reports[i];
		text[0] = '\0';
		for (j = i, k = 0; j < n; j++) {
			const struct rules_report_ref *rj = &fa->reports[j];

			if (rd[j].refused || notified[j] ||
					fa->reports_status[j] !=
							RULES_FACT_FOUND ||
					!rj->rep_phone ||
					strcmp(rj->rep_phone, ri->rep_phone))
				continue;
			notified[j] = true;
			if (k++)
				put(&t, " ");
			put(&t, p->refs[j]);
		}
		word(&t, r, done);
		if (*comment) {
			put(&t, ascii_word(W(r, done)) ? ": " : ":");
			put(&t, comment);
		}
		if (fa->sender_name && *fa->sender_name) {
			put(&t, " —");
			put(&t, fa->sender_name);
		}
		nt[n_notices].phone = ri->rep_phone;
		nt[n_notices].text = r_strdup(a, text);
		if (!nt[n_notices].text)
			return -ENOMEM;
		n_notices++;
	}
	d->ref_decisions = rd;
	d->n_ref_decisions = n;
	d->notices = nt;
	d->n_notices = n_notices;
	d->outcome = n_ok ? RULES_OUT_OK : RULES_OUT_ERROR;
	d->error = n_ok ? RULES_E_NONE : first;
	return 0;
}

static void on_team(const struct rules *r, const struct rules_facts *fa,
		struct rules_decision *d, struct sb *b)
{
	size_t i, n_missing = 0, n_leave = 0;

	d->outcome = RULES_OUT_OK;
	if (!fa || fa->team_status != RULES_FACT_FOUND) {
		put(b, W(r, SUP_TEAM_ALL));
		return;
	}
	for (i = 0; i < fa->n_team; i++) {
		if (fa->team[i].on_leave)
			n_leave++;
		else if (!fa->team[i].checked_in || !fa->team[i].reported)
			n_missing++;
	}
	if (!n_missing)
		put(b, W(r, SUP_TEAM_ALL));
	else {
		put(b, W(r, SUP_MISSING));
		put(b, "(");
		putn(b, (long) n_missing);
		put(b, "):");
		for (i = 0; i < fa->n_team; i++) {
			const struct rules_team_member *m = &fa->team[i];

			if (m->on_leave || (m->checked_in && m->reported))
				continue;
			put(b, m->name);
			put(b, "(");
			if (!m->checked_in)
				put(b, W(r, SUP_NO_CHECKIN));
			if (!m->checked_in && !m->reported)
				put(b, ",");
			if (!m->reported)
				put(b, W(r, SUP_NO_REPORT));
			put(b, ") ");
		}
		if (b->n && b->s[b->n - 1] == ' ')
			b->s[--b->n] = '\0';
	}
	if (n_leave) {
		put(b, ascii_word(W(r, SUP_ON_LEAVE)) ? "; " : ";");
		put(b, W(r, SUP_ON_LEAVE));
		put(b, ":");
		for (i = 0; i < fa->n_team; i++)
			if (fa->team[i].on_leave) {
				put(b, fa->team[i].name);
				put(b, " ");
			}
		b->s[--b->n] = '\0';
	}
}

/* "daily weekly" as the forms' titles, "日报 周报". */
static void put_forms(struct sb *b, const struct rules *r, const char *ids)
{
	const char *p = ids;

	while (*p) {
		size_t l = strcspn(p, " "), i;

		for (i = 0; i < r->n_forms; i++)
			if (strlen(r->forms[i].id) == l &&
					!strncmp(r->forms[i].id, p, l))
				break;
		if (p != ids)
			put(b, " ");
		if (i < r->n_forms)
			put(b, r->forms[i].title);
		else {
			char id[64];

			snprintf(id, sizeof(id), "%.*s",
					(int) (l < 63 ? l : 63), p);
			put(b, id);
		}
		p += l;
		while (*p == ' ')
			p++;
	}
}

/* 查 and 我的: one rep's day. */
static void on_person(const struct rules *r, const struct rules_parsed *p,
		const struct rules_facts *fa, struct rules_decision *d,
		struct sb *b)
{
	const struct rules_person_status *ps = fa ? &fa->person : NULL;
	bool sp = ascii_word(W(r, SUP_TODAY));

	if (!fa || fa->person_status == RULES_FACT_UNCHECKED) {
		d->outcome = RULES_OUT_OK;
		put(b, r->unchecked);
		return;
	}
	if (fa->person_status == RULES_FACT_NOT_FOUND) {
		d->outcome = RULES_OUT_ERROR;
		d->error = RULES_E_NO_SUCH_PERSON;
		put(b, W(r, SUP_NO_SUCH_PERSON));
		put(b, ":");
		put(b, p->command_text);
		fit_one(b);
		return;
	}
	if (!fa->person_in_chain) {
		d->outcome = RULES_OUT_ERROR;
		d->error = RULES_E_NOT_IN_CHAIN;
		d->refused_access = true;
		put(b, p->command_text);
		put(b, sp ? " " : "");
		put(b, W(r, SUP_NOT_IN_CHAIN));
		fit_one(b);
		return;
	}
	d->outcome = RULES_OUT_OK;
	put(b, ps->name);
	put(b, " ");
	put(b, W(r, SUP_TODAY));
	put(b, sp ? " " : "");
	if (ps->on_leave) {
		put(b, W(r, SUP_ON_LEAVE));
		put(b, sp ? "; " : ";");
	}
	put(b, W(r, SUP_CHECKINS));
	put(b, sp ? " " : "");
	putn(b, ps->checkins_today);
	if (ps->checkins_today && ps->last_checkin_outlet) {
		put(b, "(");
		put(b, ps->last_checkin_outlet);
		put(b, " ");
		put(b, ps->last_checkin_time ? ps->last_checkin_time : "");
		put(b, " ");
		put(b, verdict_word(r, ps->last_checkin_verdict));
		put(b, ")");
	}
	put(b, sp ? "; " : ";");
	put(b, W(r, SUP_REPORTS));
	put(b, sp ? " " : "");
	putn(b, ps->reports_today);
	if (ps->reports_today && ps->forms_today && *ps->forms_today) {
		put(b, "(");
		put_forms(b, r, ps->forms_today);
		put(b, ")");
	}
	if (ps->latest_ref && *ps->latest_ref && ps->latest_status) {
		put(b, sp ? "; " : ";");
		put(b, W(r, SUP_LATEST));
		put(b, sp ? " " : "");
		put(b, ps->latest_ref);
		put(b, " ");
		put(b, !strcmp(ps->latest_status, "approved")
						? W(r, SUP_APPROVED)
				: !strcmp(ps->latest_status, "rejected")
						? W(r, SUP_REJECTED)
				: !strcmp(ps->latest_status, "received") &&
								ps->pending
						? W(r, SUP_PENDING)
						: ps->latest_status);
	}
	fit_one(b);
}

int r_decide_supervise(const struct rules *r, const struct r_command *cmd,
		const struct rules_parsed *p, const struct rules_facts *fa,
		struct r_arena *a, struct rules_decision *d, char *buf,
		size_t size)
{
	struct sb b = {buf, 0, size};

	buf[0] = '\0';
	switch (cmd->cmd) {
	case RULES_CMD_APPROVE:
	case RULES_CMD_REJECT:
	case RULES_CMD_NOTE:
		if (p->error)
			return 0;
		return on_refs(r, cmd, p, fa, a, d, &b) < 0 ? -ENOMEM : 1;
	case RULES_CMD_TEAM:
		on_team(r, fa, d, &b);
		return 1;
	case RULES_CMD_LOOKUP:
	case RULES_CMD_MY:
		if (p->error)
			return 0;
		on_person(r, p, fa, d, &b);
		return 1;
	default:
		return 0;
	}
}

/* A report of a form with needs_approval: flagged, and its request to
 * the rep's supervisor; a leave form gives its days and reason. */
int r_decide_request(const struct rules *r, const struct r_form *form,
		struct r_render *rc, struct r_arena *a,
		struct rules_decision *d)
{
	const struct rules_parsed *p = rc->parsed;
	struct rules_notice *nt;
	char text[480];
	size_t i;

	if (!form->needs_approval)
		return 0;
	d->needs_approval = true;
	if (form->leave) {
		for (i = 0; i < p->n_fields; i++) {
			const struct rules_value *v = &p->fields[i];

			if (!v->present)
				continue;
			if (!strcmp(v->name, "days") && v->type == RULES_INT)
				d->leave_days = (int) v->v.i;
			else if (!strcmp(v->name, "reason") && v->text)
				d->leave_reason = v->text;
		}
		if (d->leave_days <= 0)
			d->leave_days = 1;
		if (!d->leave_reason)
			d->leave_reason = "";
	}
	if (form->approval_request.src) {
		r_render(rc, &form->approval_request, text, 0, sizeof(text));
	} else {
		const struct rules_sender *s = &rc->msg->sender;

		snprintf(text, sizeof(text), "%s: %s %s",
				s->name	   ? s->name
				: s->phone ? s->phone
					   : "",
				p->normalized ? p->normalized : "",
				rc->ref ? rc->ref : "");
	}
	nt = r_zalloc(a, sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	nt->to_supervisor = true;
	nt->text = r_strdup(a, text);
	if (!nt->text)
		return -ENOMEM;
	d->notices = nt;
	d->n_notices = 1;
	return 0;
}
