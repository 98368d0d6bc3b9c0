// SPDX-License-Identifier: MIT
/*
 * AT channel. See at_chan.h and docs/AT-ENGINE.md for the state machine and
 * the order in which each received line is classified.
 */
#include "modem/at_chan.h"
#include "modem/at_lexer.h"
#include "modem/at_result_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTRL_Z 0x1a
#define ESC 0x1b

struct at_cmd {
	struct at_cmd *next;
	int id;
	char *head; /* "AT...\r" */
	size_t head_len;
	char *payload; /* "<pdu>\x1a" or NULL */
	size_t payload_len;
	size_t woff; /* bytes of head/payload written */
	char **prefixes;
	size_t n_prefixes;
	bool data_lines; /* a data line follows each declared line */
	unsigned timeout_ms;
	unsigned prompt_timeout_ms;
	at_cmd_cb cb;
	void *user_data;
	at_destroy_cb destroy;
	bool canceled;
	bool probe;
	bool probe_seen;
	bool payload_sent;
	bool want_pdu;
	struct at_result res;
};

struct at_urc {
	struct at_urc *next;
	int id;
	char *prefix;
	bool has_pdu;
	bool removed;
	at_urc_cb cb;
	void *user_data;
	at_destroy_cb destroy;
};

struct at_chan {
	struct at_chan_config cfg;
	char *probe_cmd;
	char *probe_prefix;
	struct at_lexer *lx;
	enum at_chan_state state;
	struct at_cmd *cur;
	struct at_cmd *queue, *queue_tail;
	struct at_urc *urcs;
	int next_id;
	uint64_t now;
	uint64_t deadline;	 /* cur's deadline */
	uint64_t quiet_deadline; /* RESYNC quiet end */
	uint64_t quiet_cap;	 /* RESYNC: probe by then even if noisy */
	unsigned n_timeouts;
	unsigned n_probes;
	bool esc_pending;
	/* A PDU URC header waiting for its PDU line. */
	char *pend_urc_line;
	int pend_urc_id;
	/* Re-entrancy. */
	unsigned depth;
	bool freeing;
	bool urc_gc;
	at_event_cb event_cb;
	void *event_data;
	at_debug_cb debug_cb;
	void *debug_data;
};

/* Boot banners: a modem that prints these has restarted (MODEM-QUIRKS). */
static const char *const banners[] = {
		"RDY",
		"^BOOT",
		"SMS Ready",
		"Call Ready",
		"+CFUN: 1",
		"START",
		"+QIND: PB DONE",
		NULL,
};

/* ---- helpers ----------------------------------------------------------- */

static void debugf(struct at_chan *c, const char *tag, const char *s, size_t n)
{
	char buf[512];
	size_t o;

	if (!c->debug_cb)
		return;
	o = (size_t) snprintf(buf, sizeof(buf), "%s", tag);
	for (size_t i = 0; i < n && o + 8 < sizeof(buf); i++) {
		unsigned char ch = (unsigned char) s[i];

		if (ch == '\r')
			o += (size_t) snprintf(buf + o, sizeof(buf) - o, "\\r");
		else if (ch == '\n')
			o += (size_t) snprintf(buf + o, sizeof(buf) - o, "\\n");
		else if (ch < 0x20 || ch >= 0x7f || ch == '\\')
			o += (size_t) snprintf(buf + o, sizeof(buf) - o,
					"\\x%02x", ch);
		else
			buf[o++] = (char) ch;
	}
	if (o + 8 >= sizeof(buf))
		o += (size_t) snprintf(buf + o, sizeof(buf) - o, "...");
	buf[o < sizeof(buf) ? o : sizeof(buf) - 1] = '\0';
	c->debug_cb(buf, c->debug_data);
}

static void event(struct at_chan *c, enum at_event ev, const char *line)
{
	if (c->event_cb)
		c->event_cb(ev, line, c->event_data);
}

/* Prefix "X:" matches lines starting with it; "RING" the line itself or
 * "RING:..." (vendors add a colon form, e.g. "^BOOT:..."). */
static bool prefix_match(const char *line, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 0 || strncmp(line, prefix, n) != 0)
		return false;
	if (prefix[n - 1] == ':')
		return true;
	return line[n] == '\0' || line[n] == ':';
}

static bool is_banner(const char *line)
{
	for (size_t i = 0; banners[i]; i++)
		if (prefix_match(line, banners[i]))
			return true;
	return false;
}

static struct at_urc *find_urc(struct at_chan *c, const char *line)
{
	for (struct at_urc *u = c->urcs; u; u = u->next)
		if (!u->removed && prefix_match(line, u->prefix))
			return u;
	return NULL;
}

static bool in_response(const struct at_chan *c)
{
	return c->cur && (c->state == AT_STATE_WAIT_PROMPT ||
					 c->state == AT_STATE_SENDING_PAYLOAD ||
					 c->state == AT_STATE_WAIT_FINAL);
}

/* Declared prefix of the in-flight command matching @line, or NULL. */
static const char *declared(
		const struct at_chan *c, const char *line, bool wildcard)
{
	if (!in_response(c))
		return NULL;
	for (size_t i = 0; i < c->cur->n_prefixes; i++) {
		const char *p = c->cur->prefixes[i];

		if (wildcard ? p[0] == '\0' : prefix_match(line, p))
			return p;
	}
	return NULL;
}

static void result_clear(struct at_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->lines[i].text);
	free(r->lines);
	memset(r, 0, sizeof(*r));
}

static int result_add(struct at_result *r, const char *text, bool is_pdu)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4;
		struct at_result_line *l;

		l = realloc(r->lines, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		r->lines = l;
		r->cap = cap;
	}
	r->lines[r->n].text = strdup(text);
	if (!r->lines[r->n].text)
		return -ENOMEM;
	r->lines[r->n].is_pdu = is_pdu;
	r->n++;
	return 0;
}

static void cmd_free(struct at_cmd *cmd)
{
	if (!cmd)
		return;
	if (cmd->destroy)
		cmd->destroy(cmd->user_data);
	for (size_t i = 0; i < cmd->n_prefixes; i++)
		free(cmd->prefixes[i]);
	free(cmd->prefixes);
	free(cmd->head);
	free(cmd->payload);
	result_clear(&cmd->res);
	free(cmd);
}

static void enter(struct at_chan *c)
{
	c->depth++;
}

static void really_free(struct at_chan *c);

static void urc_gc(struct at_chan *c)
{
	struct at_urc **pp = &c->urcs;

	c->urc_gc = false;
	while (*pp) {
		struct at_urc *u = *pp;

		if (u->removed) {
			*pp = u->next;
			if (u->destroy)
				u->destroy(u->user_data);
			free(u->prefix);
			free(u);
		} else {
			pp = &u->next;
		}
	}
}

/* Returns true when the channel was freed. */
static bool leave(struct at_chan *c)
{
	if (--c->depth > 0)
		return false;
	if (c->freeing) {
		really_free(c);
		return true;
	}
	if (c->urc_gc) {
		c->depth++;
		urc_gc(c); /* destroy notifies may re-enter */
		c->depth--;
		if (c->freeing) {
			really_free(c);
			return true;
		}
	}
	return false;
}

/* ---- writing ----------------------------------------------------------- */

static void go_dead(struct at_chan *c);
static void kick(struct at_chan *c);

/* Offer bytes; returns accepted count or -1 after going DEAD. */
static ssize_t do_write(struct at_chan *c, const char *buf, size_t len)
{
	ssize_t w = c->cfg.write((const uint8_t *) buf, len, c->cfg.write_data);

	if (w == -EAGAIN || w == -EWOULDBLOCK || w == -EINTR)
		return 0;
	if (w < 0 || (size_t) w > len) {
		debugf(c, "write failed", "", 0);
		go_dead(c);
		return -1;
	}
	if (w > 0)
		debugf(c, "-> ", buf, (size_t) w);
	return w;
}

/* Push pending bytes out; advance states when a part is fully written. */
static void flush(struct at_chan *c)
{
	while (!c->freeing && c->state != AT_STATE_DEAD) {
		struct at_cmd *cmd = c->cur;
		ssize_t w;

		if (c->esc_pending) {
			char esc = ESC;

			w = do_write(c, &esc, 1);
			if (w <= 0)
				return;
			c->esc_pending = false;
			continue;
		}
		if (c->state == AT_STATE_SENDING) {
			w = do_write(c, cmd->head + cmd->woff,
					cmd->head_len - cmd->woff);
			if (w <= 0)
				return;
			cmd->woff += (size_t) w;
			if (cmd->woff < cmd->head_len)
				continue;
			cmd->woff = 0;
			if (cmd->payload) {
				c->state = AT_STATE_WAIT_PROMPT;
				c->deadline = c->now + cmd->prompt_timeout_ms;
			} else {
				c->state = AT_STATE_WAIT_FINAL;
				c->deadline = c->now + cmd->timeout_ms;
			}
			return;
		}
		if (c->state == AT_STATE_SENDING_PAYLOAD) {
			w = do_write(c, cmd->payload + cmd->woff,
					cmd->payload_len - cmd->woff);
			if (w <= 0)
				return;
			cmd->woff += (size_t) w;
			if (cmd->woff < cmd->payload_len)
				continue;
			cmd->payload_sent = true;
			c->state = AT_STATE_WAIT_FINAL;
			c->deadline = c->now + cmd->timeout_ms;
			return;
		}
		return;
	}
}

static void start(struct at_chan *c, struct at_cmd *cmd)
{
	c->cur = cmd;
	cmd->woff = 0;
	c->state = AT_STATE_SENDING;
	/* A transport that never drains is a timeout too. */
	c->deadline = c->now +
		      (cmd->payload ? cmd->prompt_timeout_ms : cmd->timeout_ms);
	flush(c);
}

static void kick(struct at_chan *c)
{
	struct at_cmd *cmd;

	if (c->freeing || c->state != AT_STATE_IDLE || c->cur || !c->queue)
		return;
	cmd = c->queue;
	c->queue = cmd->next;
	if (!c->queue)
		c->queue_tail = NULL;
	cmd->next = NULL;
	start(c, cmd);
}

/*
 * Detach the in-flight command, set @next_state, run its callback and
 * destroy notify. The caller decides whether to kick() afterwards.
 */
static void finish(struct at_chan *c, struct at_error *err, const char *final,
		enum at_chan_state next_state)
{
	struct at_cmd *cmd = c->cur;

	c->cur = NULL;
	c->state = next_state;
	c->deadline = 0;
	at_lexer_expect_pdu(c->lx, false);
	if (!cmd)
		return;
	if (err)
		err->payload_sent = cmd->payload_sent;
	cmd->res.final = final;
	if (cmd->cb && !cmd->canceled)
		cmd->cb(err, &cmd->res, cmd->user_data);
	cmd_free(cmd);
}

static void fail_all(struct at_chan *c, enum at_chan_state next)
{
	struct at_error err = {.type = AT_ERR_IO, .code = -1};

	if (c->cur) {
		if (c->cur->probe) {
			struct at_cmd *p = c->cur;

			c->cur = NULL;
			cmd_free(p);
		} else {
			finish(c, &err, NULL, next);
		}
	}
	c->state = next;
	/* Stop if a callback reset the channel (state changed). */
	while (c->queue && !c->freeing && c->state == next) {
		struct at_cmd *cmd = c->queue;

		c->queue = cmd->next;
		if (!c->queue)
			c->queue_tail = NULL;
		err.payload_sent = false;
		if (cmd->cb)
			cmd->cb(&err, &cmd->res, cmd->user_data);
		cmd_free(cmd);
	}
}

static void go_dead(struct at_chan *c)
{
	if (c->state == AT_STATE_DEAD)
		return;
	c->state = AT_STATE_DEAD;
	c->esc_pending = false;
	free(c->pend_urc_line);
	c->pend_urc_line = NULL;
	debugf(c, "channel DEAD", "", 0);
	fail_all(c, AT_STATE_DEAD);
	if (!c->freeing && c->state == AT_STATE_DEAD)
		event(c, AT_EVENT_DEAD, NULL);
}

/* ---- resync ------------------------------------------------------------ */

static void enter_resync(struct at_chan *c)
{
	c->state = AT_STATE_RESYNC;
	c->quiet_deadline = c->now + c->cfg.quiet_ms;
	c->quiet_cap = c->now + 4ull * c->cfg.quiet_ms;
	debugf(c, "RESYNC", "", 0);
}

static struct at_cmd *cmd_new(const struct at_cmd_desc *d);

static void send_probe(struct at_chan *c)
{
	const char *pfx[] = {c->probe_prefix, NULL};
	struct at_cmd_desc d = {
			.cmd = c->probe_cmd,
			.prefixes = pfx,
			.timeout_ms = c->cfg.probe_timeout_ms,
	};
	struct at_cmd *p = cmd_new(&d);

	if (!p) {
		go_dead(c);
		return;
	}
	p->probe = true;
	p->id = 0;
	start(c, p);
}

static void probe_failed(struct at_chan *c)
{
	struct at_cmd *p = c->cur;

	c->cur = NULL;
	cmd_free(p);
	at_lexer_expect_pdu(c->lx, false);
	if (++c->n_probes >= c->cfg.max_probes) {
		go_dead(c);
		return;
	}
	enter_resync(c);
}

static void timeout(struct at_chan *c)
{
	struct at_error err = {.type = AT_ERR_TIMEOUT, .code = -1};
	bool in_prompt = c->state == AT_STATE_WAIT_PROMPT ||
			 c->state == AT_STATE_SENDING_PAYLOAD;

	if (c->cur->probe) {
		probe_failed(c);
		return;
	}
	debugf(c, "timeout: ", c->cur->head, c->cur->head_len);
	/* Free a modem stuck waiting for the rest of a PDU (27.005 §3.5.1). */
	if (in_prompt)
		c->esc_pending = true;
	c->n_timeouts++;
	finish(c, &err, NULL, AT_STATE_RESYNC);
	/* The callback may have freed, reset or killed the channel. */
	if (c->freeing || c->state != AT_STATE_RESYNC || c->cur)
		return;
	if (c->n_timeouts >= c->cfg.max_timeouts) {
		go_dead(c);
		return;
	}
	enter_resync(c);
	event(c, AT_EVENT_RESYNC, NULL);
	if (!c->freeing)
		flush(c);
}

/* ---- line routing ------------------------------------------------------ */

static void dispatch_urc(struct at_chan *c, struct at_urc *u, const char *line,
		const char *pdu)
{
	u->cb(line, pdu, u->user_data);
}

/* Resolve a PDU URC whose PDU line never came (or was overlong). */
static void flush_pending_urc(struct at_chan *c, const char *pdu)
{
	char *line = c->pend_urc_line;
	struct at_urc *u;

	if (!line)
		return;
	c->pend_urc_line = NULL;
	for (u = c->urcs; u; u = u->next)
		if (u->id == c->pend_urc_id && !u->removed)
			break;
	if (u)
		dispatch_urc(c, u, line, pdu);
	free(line);
}

static void handle_line(struct at_chan *c, const char *line)
{
	struct at_error err;
	enum at_final fin;
	const char *pfx;
	struct at_urc *u;
	bool banner;

	/* 1. Echo (ATE1): the command in flight repeated before any answer. */
	if (c->cur && c->cur->res.n == 0 && !c->cur->probe_seen &&
			c->cur->head_len > 1 &&
			strlen(line) == c->cur->head_len - 1 &&
			memcmp(line, c->cur->head, c->cur->head_len - 1) == 0) {
		debugf(c, "echo dropped: ", line, strlen(line));
		return;
	}

	/* 2. Final result, only once the command's '\r' has been written. */
	fin = at_error_classify(line,
			c->cfg.numeric_results ? AT_CLASSIFY_NUMERIC : 0, &err);
	if (fin != AT_FINAL_NONE) {
		struct at_cmd *cmd = c->cur;

		if (!in_response(c)) {
			debugf(c, "stale final dropped: ", line, strlen(line));
			event(c, AT_EVENT_STALE_FINAL, line);
			return;
		}
		if (cmd->probe) {
			if (fin == AT_FINAL_OK && cmd->probe_seen) {
				struct at_cmd *p = c->cur;

				c->cur = NULL;
				cmd_free(p);
				c->state = AT_STATE_IDLE;
				c->n_probes = 0;
				event(c, AT_EVENT_RESYNCED, NULL);
				kick(c);
			} else if (fin != AT_FINAL_OK && cmd->probe_seen) {
				/* The probe's own error after its line. */
				probe_failed(c);
			} else {
				/* Late answer of the timed-out command. */
				debugf(c, "late final ignored: ", line,
						strlen(line));
			}
			return;
		}
		c->n_timeouts = 0;
		if (c->state == AT_STATE_WAIT_PROMPT && fin != AT_FINAL_ERROR) {
			err.type = AT_ERR_NO_PROMPT;
			err.code = -1;
			err.line = line;
			fin = AT_FINAL_ERROR;
		}
		finish(c, fin == AT_FINAL_ERROR ? &err : NULL, line,
				AT_STATE_IDLE);
		kick(c);
		return;
	}

	/* 3. Declared response prefix of the command in flight. */
	pfx = declared(c, line, false);
	if (pfx) {
		if (c->cur->probe) {
			c->cur->probe_seen = true;
			return;
		}
		if (result_add(&c->cur->res, line, false) < 0)
			debugf(c, "out of memory, line lost: ", line,
					strlen(line));
		if (c->cur->data_lines) {
			c->cur->want_pdu = true;
			at_lexer_expect_pdu(c->lx, true);
		}
		return;
	}

	/* 4. Boot banners and registered URCs, in or out of a command. */
	banner = is_banner(line);
	if (banner) {
		debugf(c, "modem rebooted: ", line, strlen(line));
		event(c, AT_EVENT_REBOOT, line);
		if (c->freeing)
			return;
	}
	u = find_urc(c, line);
	if (u) {
		if (u->has_pdu) {
			flush_pending_urc(c, NULL);
			if (c->freeing)
				return;
			c->pend_urc_line = strdup(line);
			c->pend_urc_id = u->id;
			if (c->pend_urc_line)
				at_lexer_expect_pdu(c->lx, true);
			return;
		}
		dispatch_urc(c, u, line, NULL);
		return;
	}
	if (banner)
		return;

	/* 5. Wildcard "" prefix: bare information lines (AT+CGSN). */
	if (declared(c, line, true) && !c->cur->probe &&
			c->cur->res.n < AT_RESULT_WILDCARD_MAX) {
		if (result_add(&c->cur->res, line, false) < 0)
			debugf(c, "out of memory, line lost: ", line,
					strlen(line));
		return;
	}

	/* 6. Nobody's: log and drop, the channel stays in step. */
	debugf(c, "unknown line dropped: ", line, strlen(line));
	event(c, AT_EVENT_UNKNOWN, line);
}

/* A line that cannot be a PDU: a final, a declared line, URC or banner. */
static bool looks_like_line(struct at_chan *c, const char *text)
{
	if (at_error_classify(text,
			    c->cfg.numeric_results ? AT_CLASSIFY_NUMERIC : 0,
			    NULL) != AT_FINAL_NONE)
		return true;
	if (declared(c, text, false) || find_urc(c, text) || is_banner(text))
		return true;
	/*
	 * A PDU is hex digits; a ':' or a leading '^', '+', '#' marks an AT
	 * line (an unknown URC such as ^RSSI between +CMGR: and its PDU).
	 */
	if (strchr(text, ':') || strchr("^+#*", text[0]))
		return true;
	return false;
}

static void handle_pdu(struct at_chan *c, const char *text)
{
	bool cmd_wants = in_response(c) && c->cur->want_pdu;

	if (!c->pend_urc_line && !cmd_wants) {
		handle_line(c, text);
		return;
	}
	if (looks_like_line(c, text)) {
		bool final = at_error_classify(text,
					     c->cfg.numeric_results
							     ? AT_CLASSIFY_NUMERIC
							     : 0,
					     NULL) != AT_FINAL_NONE;

		if (!final && !declared(c, text, false)) {
			/*
			 * A URC or banner between a header and its PDU line:
			 * route it, then still expect the PDU.
			 */
			handle_line(c, text);
			if (!c->freeing &&
					(c->pend_urc_line ||
							(in_response(c) &&
									c->cur->want_pdu)))
				at_lexer_expect_pdu(c->lx, true);
			return;
		}
		/* The data line is missing (+CMGR: 0,,0 then OK). */
		if (c->pend_urc_line)
			flush_pending_urc(c, NULL);
		else
			c->cur->want_pdu = false;
		if (!c->freeing)
			handle_line(c, text);
		return;
	}
	if (c->pend_urc_line) {
		flush_pending_urc(c, text);
		return;
	}
	c->cur->want_pdu = false;
	if (result_add(&c->cur->res, text, true) < 0)
		debugf(c, "out of memory, PDU lost", "", 0);
}

static void handle_prompt(struct at_chan *c)
{
	struct at_cmd *cmd = c->cur;

	if (c->state != AT_STATE_WAIT_PROMPT) {
		debugf(c, "unexpected prompt dropped", "", 0);
		return;
	}
	if (cmd->canceled) {
		/* Abort the send; the modem answers with a final we eat. */
		c->esc_pending = true;
		c->state = AT_STATE_WAIT_FINAL;
		c->deadline = c->now + cmd->timeout_ms;
		flush(c);
		return;
	}
	c->state = AT_STATE_SENDING_PAYLOAD;
	cmd->woff = 0;
	c->deadline = c->now + cmd->timeout_ms;
	flush(c);
}

static int on_token(enum at_token tok, const char *text, size_t len,
		void *user_data)
{
	struct at_chan *c = user_data;

	if (c->state == AT_STATE_DEAD)
		return 0;
	switch (tok) {
	case AT_TOK_LINE:
		debugf(c, "<- ", text, len);
		handle_line(c, text);
		break;
	case AT_TOK_PDU:
		debugf(c, "<- pdu ", text, len);
		handle_pdu(c, text);
		break;
	case AT_TOK_PROMPT:
		debugf(c, "<- ", "> ", 2);
		handle_prompt(c);
		break;
	case AT_TOK_CTRLZ:
		debugf(c, "echo of payload dropped: ", text, len);
		break;
	case AT_TOK_OVERFLOW:
		debugf(c, "overlong line dropped: ", text, len);
		if (c->pend_urc_line)
			flush_pending_urc(c, NULL);
		else if (in_response(c))
			c->cur->want_pdu = false;
		if (!c->freeing)
			event(c, AT_EVENT_OVERFLOW, text);
		break;
	}
	return c->freeing ? 1 : 0;
}

/* ---- public API -------------------------------------------------------- */

struct at_chan *at_chan_new(const struct at_chan_config *cfg)
{
	struct at_chan *c;

	if (!cfg || !cfg->write)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cfg = *cfg;
	if (!c->cfg.quiet_ms)
		c->cfg.quiet_ms = 500;
	if (!c->cfg.probe_timeout_ms)
		c->cfg.probe_timeout_ms = 3000;
	if (!c->cfg.max_probes)
		c->cfg.max_probes = 3;
	if (!c->cfg.max_timeouts)
		c->cfg.max_timeouts = 3;
	c->probe_cmd = strdup(cfg->probe_cmd ? cfg->probe_cmd : "AT+CMEE?");
	c->probe_prefix = strdup(
			cfg->probe_prefix ? cfg->probe_prefix : "+CMEE:");
	c->cfg.probe_cmd = NULL;
	c->cfg.probe_prefix = NULL;
	c->lx = at_lexer_new(cfg->line_max, on_token, c);
	if (!c->probe_cmd || !c->probe_prefix || !c->lx) {
		at_lexer_free(c->lx);
		free(c->probe_cmd);
		free(c->probe_prefix);
		free(c);
		return NULL;
	}
	c->next_id = 1;
	c->state = AT_STATE_IDLE;
	return c;
}

static void really_free(struct at_chan *c)
{
	struct at_cmd *cmd;

	c->depth = 1; /* destroy notifies may call back in: keep deferred */
	cmd_free(c->cur);
	c->cur = NULL;
	while ((cmd = c->queue)) {
		c->queue = cmd->next;
		cmd_free(cmd);
	}
	for (struct at_urc *u = c->urcs; u; u = u->next)
		u->removed = true;
	urc_gc(c);
	free(c->pend_urc_line);
	at_lexer_free(c->lx);
	free(c->probe_cmd);
	free(c->probe_prefix);
	free(c);
}

void at_chan_free(struct at_chan *chan)
{
	if (!chan || chan->freeing)
		return;
	chan->freeing = true;
	if (chan->depth == 0)
		really_free(chan);
}

void at_chan_set_event_cb(struct at_chan *chan, at_event_cb cb, void *user_data)
{
	chan->event_cb = cb;
	chan->event_data = user_data;
}

void at_chan_set_debug(struct at_chan *chan, at_debug_cb cb, void *user_data)
{
	chan->debug_cb = cb;
	chan->debug_data = user_data;
}

static struct at_cmd *cmd_new(const struct at_cmd_desc *d)
{
	struct at_cmd *cmd = calloc(1, sizeof(*cmd));
	size_t n = strlen(d->cmd);

	if (!cmd)
		return NULL;
	cmd->head = malloc(n + 2);
	if (!cmd->head)
		goto out_free;
	memcpy(cmd->head, d->cmd, n);
	cmd->head[n] = '\r';
	cmd->head[n + 1] = '\0';
	cmd->head_len = n + 1;
	if (d->payload) {
		size_t m = strlen(d->payload);

		cmd->payload = malloc(m + 2);
		if (!cmd->payload)
			goto out_free;
		memcpy(cmd->payload, d->payload, m);
		cmd->payload[m] = CTRL_Z;
		cmd->payload[m + 1] = '\0';
		cmd->payload_len = m + 1;
	}
	for (const char *const *p = d->prefixes; p && *p; p++)
		cmd->n_prefixes++;
	if (cmd->n_prefixes) {
		cmd->prefixes = calloc(cmd->n_prefixes, sizeof(char *));
		if (!cmd->prefixes)
			goto out_free;
		for (size_t i = 0; i < cmd->n_prefixes; i++) {
			cmd->prefixes[i] = strdup(d->prefixes[i]);
			if (!cmd->prefixes[i])
				goto out_free;
		}
	}
	cmd->data_lines = d->data_lines;
	cmd->timeout_ms = d->timeout_ms ? d->timeout_ms : AT_TIMEOUT_DEFAULT_MS;
	cmd->prompt_timeout_ms = d->prompt_timeout_ms ? d->prompt_timeout_ms
						      : AT_TIMEOUT_PROMPT_MS;
	return cmd;
out_free:
	cmd_free(cmd);
	return NULL;
}

int at_chan_send(struct at_chan *chan, const struct at_cmd_desc *desc,
		at_cmd_cb cb, void *user_data, at_destroy_cb destroy)
{
	struct at_cmd *cmd;
	int id;

	if (!desc || !desc->cmd || !desc->cmd[0] ||
			strpbrk(desc->cmd, "\r\n\x1a\x1b") ||
			(desc->payload && strpbrk(desc->payload, "\x1a\x1b")))
		return -EINVAL;
	if (chan->state == AT_STATE_DEAD || chan->freeing)
		return -ENOTCONN;
	cmd = cmd_new(desc);
	if (!cmd)
		return -ENOMEM;
	cmd->cb = cb;
	cmd->user_data = user_data;
	cmd->destroy = destroy;
	id = cmd->id = chan->next_id++;
	if (chan->next_id <= 0)
		chan->next_id = 1;
	if (chan->queue_tail)
		chan->queue_tail->next = cmd;
	else
		chan->queue = cmd;
	chan->queue_tail = cmd;
	/* @cmd may be gone after kick() (write error → DEAD → callback). */
	enter(chan);
	kick(chan);
	leave(chan);
	return id;
}

int at_chan_cancel(struct at_chan *chan, int id)
{
	struct at_cmd **pp, *cmd;
	struct at_error err = {.type = AT_ERR_CANCELED, .code = -1};

	if (id <= 0)
		return -ENOENT;
	for (pp = &chan->queue; *pp; pp = &(*pp)->next) {
		if ((*pp)->id != id)
			continue;
		cmd = *pp;
		*pp = cmd->next;
		if (chan->queue_tail == cmd) {
			chan->queue_tail = NULL;
			for (struct at_cmd *q = chan->queue; q; q = q->next)
				chan->queue_tail = q;
		}
		enter(chan);
		cmd_free(cmd);
		leave(chan);
		return 0;
	}
	cmd = chan->cur;
	if (!cmd || cmd->id != id || cmd->canceled)
		return -ENOENT;
	/*
	 * It cannot be unsent: keep it in flight so its answer is consumed,
	 * but tell the owner now so it can drop its data.
	 */
	cmd->canceled = true;
	enter(chan);
	err.payload_sent = cmd->payload_sent;
	if (cmd->cb) {
		at_cmd_cb cb = cmd->cb;

		cmd->cb = NULL;
		cb(&err, &cmd->res, cmd->user_data);
	}
	if (!chan->freeing && chan->cur == cmd && cmd->destroy) {
		at_destroy_cb d = cmd->destroy;

		cmd->destroy = NULL;
		d(cmd->user_data);
	}
	leave(chan);
	return 0;
}

int at_chan_register_urc(struct at_chan *chan, const char *prefix, bool has_pdu,
		at_urc_cb cb, void *user_data, at_destroy_cb destroy)
{
	struct at_urc *u, **pp;

	if (!prefix || !prefix[0] || !cb)
		return -EINVAL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->prefix = strdup(prefix);
	if (!u->prefix) {
		free(u);
		return -ENOMEM;
	}
	u->has_pdu = has_pdu;
	u->cb = cb;
	u->user_data = user_data;
	u->destroy = destroy;
	u->id = chan->next_id++;
	if (chan->next_id <= 0)
		chan->next_id = 1;
	for (pp = &chan->urcs; *pp; pp = &(*pp)->next)
		;
	*pp = u;
	return u->id;
}

int at_chan_unregister_urc(struct at_chan *chan, int id)
{
	for (struct at_urc *u = chan->urcs; u; u = u->next) {
		if (u->id == id && !u->removed) {
			u->removed = true;
			chan->urc_gc = true;
			if (chan->depth == 0) {
				enter(chan);
				leave(chan);
			}
			return 0;
		}
	}
	return -ENOENT;
}

static void run_deadlines(struct at_chan *c)
{
	if (c->freeing)
		return;
	switch (c->state) {
	case AT_STATE_SENDING:
	case AT_STATE_WAIT_PROMPT:
	case AT_STATE_SENDING_PAYLOAD:
	case AT_STATE_WAIT_FINAL:
		if (c->now >= c->deadline)
			timeout(c);
		break;
	case AT_STATE_RESYNC:
		if (!c->cur && !c->esc_pending && c->now >= c->quiet_deadline)
			send_probe(c);
		break;
	default:
		break;
	}
}

void at_chan_feed(struct at_chan *chan, const uint8_t *buf, size_t len,
		uint64_t now_ms)
{
	enter(chan);
	chan->now = now_ms;
	if (chan->state == AT_STATE_RESYNC && !chan->cur && len > 0) {
		/* Bytes are still coming: extend the quiet period (capped, so
		 * that a ^RSSI flood cannot postpone the probe for ever). */
		uint64_t q = now_ms + chan->cfg.quiet_ms;

		chan->quiet_deadline =
				q < chan->quiet_cap ? q : chan->quiet_cap;
	}
	if (chan->state != AT_STATE_DEAD)
		at_lexer_feed(chan->lx, buf, len);
	leave(chan);
}

void at_chan_tick(struct at_chan *chan, uint64_t now_ms)
{
	enter(chan);
	chan->now = now_ms;
	run_deadlines(chan);
	leave(chan);
}

void at_chan_writable(struct at_chan *chan, uint64_t now_ms)
{
	enter(chan);
	chan->now = now_ms;
	flush(chan);
	run_deadlines(chan);
	leave(chan);
}

bool at_chan_wants_write(const struct at_chan *chan)
{
	return chan->esc_pending || chan->state == AT_STATE_SENDING ||
	       chan->state == AT_STATE_SENDING_PAYLOAD;
}

int64_t at_chan_next_deadline(const struct at_chan *chan)
{
	switch (chan->state) {
	case AT_STATE_SENDING:
	case AT_STATE_WAIT_PROMPT:
	case AT_STATE_SENDING_PAYLOAD:
	case AT_STATE_WAIT_FINAL:
		return (int64_t) chan->deadline;
	case AT_STATE_RESYNC:
		return chan->cur ? (int64_t) chan->deadline
				 : (int64_t) chan->quiet_deadline;
	default:
		return -1;
	}
}

void at_chan_set_dead(struct at_chan *chan)
{
	enter(chan);
	go_dead(chan);
	leave(chan);
}

void at_chan_reset(struct at_chan *chan, uint64_t now_ms)
{
	enter(chan);
	chan->now = now_ms;
	if (chan->state != AT_STATE_DEAD)
		fail_all(chan, AT_STATE_IDLE);
	if (!chan->freeing) {
		free(chan->pend_urc_line);
		chan->pend_urc_line = NULL;
		at_lexer_reset(chan->lx);
		chan->state = AT_STATE_IDLE;
		chan->esc_pending = false;
		chan->n_timeouts = 0;
		chan->n_probes = 0;
		chan->deadline = 0;
		kick(chan);
	}
	leave(chan);
}

size_t at_chan_fail_queued(struct at_chan *chan)
{
	struct at_error err = {.type = AT_ERR_CANCELED, .code = -1};
	struct at_cmd *q = chan->queue, *cmd;
	size_t n = 0;

	/* Detached first: callbacks may queue new commands meanwhile. */
	chan->queue = NULL;
	chan->queue_tail = NULL;
	enter(chan);
	while ((cmd = q)) {
		q = cmd->next;
		cmd->next = NULL;
		if (cmd->cb && !chan->freeing)
			cmd->cb(&err, &cmd->res, cmd->user_data);
		cmd_free(cmd);
		n++;
	}
	leave(chan);
	return n;
}

enum at_chan_state at_chan_get_state(const struct at_chan *chan)
{
	if (chan->cur && chan->cur->probe)
		return AT_STATE_RESYNC;
	return chan->state;
}

const char *at_chan_state_str(enum at_chan_state st)
{
	switch (st) {
	case AT_STATE_IDLE:
		return "IDLE";
	case AT_STATE_SENDING:
		return "SENDING";
	case AT_STATE_WAIT_PROMPT:
		return "WAIT_PROMPT";
	case AT_STATE_SENDING_PAYLOAD:
		return "SENDING_PAYLOAD";
	case AT_STATE_WAIT_FINAL:
		return "WAIT_FINAL";
	case AT_STATE_RESYNC:
		return "RESYNC";
	case AT_STATE_DEAD:
		return "DEAD";
	}
	return "?";
}

size_t at_chan_pending(const struct at_chan *chan)
{
	size_t n = chan->cur && !chan->cur->probe ? 1 : 0;

	for (struct at_cmd *q = chan->queue; q; q = q->next)
		n++;
	return n;
}
