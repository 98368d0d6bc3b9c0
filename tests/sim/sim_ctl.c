/*
 * sim_ctl.c - the control protocol: one text command per line, reply lines
 * then "OK" or "ERR <message>" (docs/SIMULATOR.md). The same text runs
 * through sim_command() in-process and over the unix socket.
 */
#include "config.h"

#include "tests/sim/sim_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t) n < room) {
			b->len += (size_t) n;
			return;
		}
		{
			size_t cap = (b->cap + (size_t) n + 1) * 2;
			char *s = realloc(b->s, cap);

			if (!s) {
				b->oom = true;
				return;
			}
			b->s = s;
			b->cap = cap;
		}
	}
}

static const struct {
	const char *name;
	enum sim_fault fault;
	const char *help;
} settings[] = {
		{"rssi-flood", SIM_FAULT_RSSI_FLOOD_MS,
				"^RSSI URC every N ms (0 off)"},
		{"garbage", SIM_FAULT_GARBAGE,
				"next N responses get a junk line first"},
		{"nuls", SIM_FAULT_NULS,
				"next N responses get leading NUL bytes"},
		{"bytewise", SIM_FAULT_BYTEWISE_US,
				"write one byte every N us (0 off)"},
		{"delay", SIM_FAULT_DELAY_MS, "delay every response by N ms"},
		{"cms-count", SIM_FAULT_CMS_COUNT,
				"next N sends fail with cms-code"},
		{"cms-code", SIM_FAULT_CMS_CODE,
				"+CMS ERROR code for cms-count (332)"},
		{"error-after-send", SIM_FAULT_ERROR_AFTER_SEND,
				"next N sends delivered but answered ERROR"},
		{"sim-busy", SIM_FAULT_SIM_BUSY_MS,
				"SIM busy (CME 14 / CMS 314) for N ms from "
				"now"},
		{"silence", SIM_FAULT_SILENCE_MS,
				"ignore all input for N ms from now"},
		{"cnma-timeout", SIM_FAULT_CNMA_TIMEOUT_MS,
				"+CMT ack deadline in ms (0: no ack needed)"},
		{"sm-capacity", SIM_FAULT_SM_CAPACITY, "slots of the SM store"},
		{"me-capacity", SIM_FAULT_ME_CAPACITY, "slots of the ME store"},
		{"ussd-encoding", SIM_FAULT_USSD_ENCODING, "text|ucs2|gsm7hex"},
		{"ussd-after-ok", SIM_FAULT_USSD_AFTER_OK,
				"1: +CUSD after OK, 0: before"},
		{"ussd-delay", SIM_FAULT_USSD_DELAY_MS,
				"ms between OK and +CUSD"},
		{"ussd-split", SIM_FAULT_USSD_SPLIT,
				"1: +CUSD written in two pieces"},
		{"status-reports", SIM_FAULT_STATUS_REPORTS,
				"1: honour TP-SRR"},
		{"sr-delay", SIM_FAULT_SR_DELAY_MS,
				"ms before a status report"},
		{"sr-before-ok", SIM_FAULT_SR_BEFORE_OK,
				"1: status report before +CMGS's OK"},
		{"next-mr", SIM_FAULT_NEXT_MR, "next TP-MR (0-255)"},
		{"rssi", SIM_FAULT_RSSI, "+CSQ rssi (0-31, 99)"},
		{"creg", SIM_FAULT_CREG_STAT,
				"registration state (URC if +CREG=1/2)"},
		{"memfull-urc", SIM_FAULT_MEMFULL_URC,
				"1: ^SMMEMFULL when the store fills"},
		{"extra-crlf", SIM_FAULT_EXTRA_CRLF,
				"1: empty line between +CMGR:/+CMT: and the "
				"PDU"},
		{"truncate", SIM_FAULT_TRUNCATE,
				"next N responses: first half only, then "
				"nothing"},
		{"garble-echo", SIM_FAULT_GARBLE_ECHO,
				"next N command echoes garbled (no RTS/CTS)"},
		{"send-ms", SIM_FAULT_SEND_MS,
				"AT+CMGS takes N ms per part (network round "
				"trip)"},
		{"send-jitter", SIM_FAULT_SEND_JITTER_MS,
				"send-ms varies by up to +-N ms"},
		{"noise-pdu", SIM_FAULT_NOISE_PDU,
				"every Nth +CMGR/+CMGL data line gets a 0xFF "
				"byte (0 off)"},
		{"lte-only", SIM_FAULT_LTE_ONLY,
				"1: registered on LTE only (+CREG 0, +CEREG "
				"registered)"},
		{"noise-hdr", SIM_FAULT_NOISE_HDR,
				"every Nth +CMGR:/+CMGL: header gets a 0xFF "
				"byte (0 off)"},
		{"lac", SIM_FAULT_LAC, "location area code, 0-65535 (+CREG)"},
		{"ci", SIM_FAULT_CI, "cell id, 0-268435455 (+CREG)"},
		{"creg-style", SIM_FAULT_CREG_STYLE,
				"0 quoted LAC/CI, 1 unquoted, 2 quoted with "
				"AcT"},
		{"index-base", SIM_FAULT_INDEX_BASE,
				"first storage index, 1 or 0"},
		{"reject-direct", SIM_FAULT_REJECT_DIRECT,
				"1: +CNMI=?,2 and ds=1 refused (CMS 303) "
				"though advertised"},
		{"drop-cmti", SIM_FAULT_DROP_CMTI,
				"next N +CMTI/+CDSI indications lost (stored)"},
		{"no-pdu-mode", SIM_FAULT_NO_PDU_MODE,
				"1: AT+CMGF=0 refused (text-only modem)"},
};

static const char *const help_text =
		"help\n"
		"path\n"
		"inject [from=N] [enc=gsm7|ucs2|auto] [parts=N] [order=3,1,2] "
		"[dup=2] "
		"[missing=3] [ref=N] [ref16] [concat] [class0] "
		"[corrupt=badhex|badudl|hdrlen|truncate[:part]] text=<rest of "
		"line>\n"
		"inject-pdu <hex>\n"
		"urc <line>\n"
		"urc-at prompt|cmgs|cmgr|cmgl <line>\n"
		"ussd-reply <text>\n"
		"ussd-notify <m> <text>\n"
		"sent\n"
		"sent-clear\n"
		"counters\n"
		"set <name> <value>\n"
		"get <name>\n"
		"reboot\n"
		"unplug\n"
		"replug\n";

static int parse_list(const char *s, uint8_t *out, size_t max, size_t *ret_n)
{
	size_t n = 0;

	while (*s) {
		char *end;
		long v = strtol(s, &end, 10);

		if (end == s || v < 1 || v > 255 || n == max)
			return -EINVAL;
		out[n++] = (uint8_t) v;
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -EINVAL;
	}
	*ret_n = n;
	return 0;
}

/* Undo "\n" escapes so a one-line command can carry a multi-line text. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*w++ = '\n';
			s++;
		} else if (s[0] == '\\' && s[1] == '\\') {
			*w++ = '\\';
			s++;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static int cmd_inject(
		struct sim *sim, char *args, struct sbuf *out, const char **err)
{
	uint8_t order[SMS_MAX_PARTS], dup[SMS_MAX_PARTS], miss[SMS_MAX_PARTS];
	struct sim_sms sms = {0};
	char *text = strstr(args, "text=");
	char *tok, *save = NULL;
	int r;

	if (!text) {
		*err = "inject needs text=";
		return -EINVAL;
	}
	*text = '\0';
	text += 5;
	unescape(text);
	sms.text = text;
	for (tok = strtok_r(args, " ", &save); tok;
			tok = strtok_r(NULL, " ", &save)) {
		char *v = strchr(tok, '=');
		long n;

		if (v)
			*v++ = '\0';
		if (strcmp(tok, "from") == 0 && v) {
			sms.from = v;
		} else if (strcmp(tok, "enc") == 0 && v) {
			if (strcmp(v, "gsm7") == 0)
				sms.charset = SMS_CHARSET_GSM7;
			else if (strcmp(v, "ucs2") == 0)
				sms.charset = SMS_CHARSET_UCS2;
			else if (strcmp(v, "auto") == 0)
				sms.charset = SMS_CHARSET_AUTO;
			else
				goto bad;
		} else if (strcmp(tok, "parts") == 0 && v) {
			n = strtol(v, NULL, 10);
			if (n < 1 || n > 255)
				goto bad;
			sms.parts = (unsigned) n;
		} else if (strcmp(tok, "ref") == 0 && v) {
			n = strtol(v, NULL, 10);
			if (n < 1 || n > 65535)
				goto bad;
			sms.ref = (uint16_t) n;
		} else if (strcmp(tok, "order") == 0 && v) {
			if (parse_list(v, order, SMS_MAX_PARTS, &sms.n_order))
				goto bad;
			sms.order = order;
		} else if (strcmp(tok, "dup") == 0 && v) {
			if (parse_list(v, dup, SMS_MAX_PARTS, &sms.n_dup))
				goto bad;
			sms.dup = dup;
		} else if (strcmp(tok, "missing") == 0 && v) {
			if (parse_list(v, miss, SMS_MAX_PARTS, &sms.n_missing))
				goto bad;
			sms.missing = miss;
		} else if (strcmp(tok, "ref16") == 0 && !v) {
			sms.ref16 = true;
		} else if (strcmp(tok, "concat") == 0 && !v) {
			sms.force_concat = true;
		} else if (strcmp(tok, "class0") == 0 && !v) {
			sms.class0 = true;
		} else if (strcmp(tok, "corrupt") == 0 && v) {
			char *part = strchr(v, ':');

			if (part) {
				*part++ = '\0';
				sms.corrupt_part = (unsigned) strtoul(
						part, NULL, 10);
			}
			if (strcmp(v, "badhex") == 0)
				sms.corrupt = SIM_CORRUPT_BADHEX;
			else if (strcmp(v, "badudl") == 0)
				sms.corrupt = SIM_CORRUPT_BADUDL;
			else if (strcmp(v, "hdrlen") == 0)
				sms.corrupt = SIM_CORRUPT_HDRLEN;
			else if (strcmp(v, "truncate") == 0)
				sms.corrupt = SIM_CORRUPT_TRUNCATE;
			else
				goto bad;
		} else {
			goto bad;
		}
	}
	r = sim_inject_sms(sim, &sms, err);
	if (r < 0)
		return r;
	sb_printf(out, "queued %d\n", r);
	return 0;
bad:
	*err = "bad inject option";
	return -EINVAL;
}

static const char *charset_name(enum sms_charset cs)
{
	switch (cs) {
	case SMS_CHARSET_GSM7:
		return "gsm7";
	case SMS_CHARSET_UCS2:
		return "ucs2";
	case SMS_CHARSET_8BIT:
		return "8bit";
	default:
		return "auto";
	}
}

static void print_sent(struct sim *sim, struct sbuf *out)
{
	size_t i;

	for (i = 0; i < sim->n_sent; i++) {
		const struct sim_sent *e = &sim->sent[i];
		const char *t;

		sb_printf(out,
				"sent %zu mr=%u to=%s part=%u/%u ref=%u "
				"ref16=%d "
				"cs=%s srr=%d status=%s mode=%s pdu=%s text=",
				i, e->mr, e->to, e->seq, e->total, e->ref,
				e->ref16, charset_name(e->charset), e->srr,
				e->error_reply ? "error" : "ok",
				e->text_mode ? "text" : "pdu",
				e->pdu[0] ? e->pdu : "-");
		for (t = e->text; *t; t++) {
			if (*t == '\n')
				sb_printf(out, "\\n");
			else if (*t == '\\')
				sb_printf(out, "\\\\");
			else
				sb_printf(out, "%c", *t);
		}
		sb_printf(out, "\n");
	}
}

static int find_setting(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (strcmp(settings[i].name, name) == 0)
			return (int) i;
	return -1;
}

static int cmd_set(struct sim *sim, char *args, const char **err)
{
	char *save = NULL, *end;
	char *name = strtok_r(args, " ", &save);
	char *val = strtok_r(NULL, " ", &save);
	long v;
	int i;

	if (!name || !val) {
		*err = "usage: set <name> <value>";
		return -EINVAL;
	}
	i = find_setting(name);
	if (i < 0) {
		*err = "unknown setting (see help)";
		return -EINVAL;
	}
	if (strcmp(val, "on") == 0) {
		v = settings[i].fault == SIM_FAULT_BYTEWISE_US ? 200 : 1;
	} else if (strcmp(val, "off") == 0) {
		v = 0;
	} else if (settings[i].fault == SIM_FAULT_USSD_ENCODING &&
			strcmp(val, "text") == 0) {
		v = SIM_USSD_TEXT;
	} else if (settings[i].fault == SIM_FAULT_USSD_ENCODING &&
			strcmp(val, "ucs2") == 0) {
		v = SIM_USSD_UCS2;
	} else if (settings[i].fault == SIM_FAULT_USSD_ENCODING &&
			strcmp(val, "gsm7hex") == 0) {
		v = SIM_USSD_GSM7HEX;
	} else {
		v = strtol(val, &end, 0);
		if (*end || end == val) {
			*err = "bad value";
			return -EINVAL;
		}
	}
	if (sim_set(sim, settings[i].fault, v) < 0) {
		*err = "value out of range";
		return -EINVAL;
	}
	return 0;
}

int sim_command(struct sim *sim, const char *line, char **ret_out)
{
	struct sbuf out = {0};
	const char *err = NULL;
	char *copy, *cmd, *args;
	size_t i;
	int r = 0;

	copy = strdup(line ? line : "");
	if (!copy)
		return -ENOMEM;
	copy[strcspn(copy, "\r\n")] = '\0';
	cmd = copy;
	while (*cmd == ' ')
		cmd++;
	args = cmd + strcspn(cmd, " ");
	if (*args)
		*args++ = '\0';

	if (strcmp(cmd, "help") == 0) {
		sb_printf(&out, "%s", help_text);
		for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
			sb_printf(&out, "  set %s: %s\n", settings[i].name,
					settings[i].help);
	} else if (strcmp(cmd, "path") == 0) {
		sb_printf(&out, "path %s\npty %s\nplugged %s\n", sim_path(sim),
				sim->master >= 0 ? sim->pty_path : "-",
				sim->master >= 0 ? "yes" : "no");
	} else if (strcmp(cmd, "inject") == 0) {
		r = cmd_inject(sim, args, &out, &err);
	} else if (strcmp(cmd, "inject-pdu") == 0) {
		r = sim_inject_pdu(sim, args);
		if (r >= 0)
			sb_printf(&out, "queued %d\n", r);
		err = "bad PDU";
	} else if (strcmp(cmd, "urc") == 0) {
		r = sim_inject_urc(sim, args);
		err = "unplugged";
	} else if (strcmp(cmd, "urc-at") == 0) {
		char *save = NULL;
		char *where = strtok_r(args, " ", &save);
		char *rest = strtok_r(NULL, "", &save);
		enum sim_urc_point p = SIM_URC_POINT_MAX;

		if (where && strcmp(where, "prompt") == 0)
			p = SIM_URC_BEFORE_PROMPT;
		else if (where && strcmp(where, "cmgs") == 0)
			p = SIM_URC_BEFORE_CMGS;
		else if (where && strcmp(where, "cmgr") == 0)
			p = SIM_URC_IN_CMGR;
		else if (where && strcmp(where, "cmgl") == 0)
			p = SIM_URC_IN_CMGL;
		r = rest ? sim_set_urc(sim, p, rest) : -EINVAL;
		err = "usage: urc-at prompt|cmgs|cmgr|cmgl <line>";
	} else if (strcmp(cmd, "ussd-reply") == 0) {
		unescape(args);
		r = args[0] ? sim_set_ussd_reply(sim, args) : -EINVAL;
		err = "usage: ussd-reply <text>";
	} else if (strcmp(cmd, "ussd-notify") == 0) {
		char *end;
		long m = strtol(args, &end, 10);

		if (*end == ' ')
			end++;
		unescape(end);
		r = end == args ? -EINVAL : sim_ussd_notify(sim, (int) m, end);
		err = "usage: ussd-notify <m> <text>";
	} else if (strcmp(cmd, "sent") == 0) {
		print_sent(sim, &out);
	} else if (strcmp(cmd, "sent-clear") == 0) {
		sim_sent_clear(sim);
	} else if (strcmp(cmd, "counters") == 0) {
		for (i = 0; i < sim->n_counters; i++)
			sb_printf(&out, "count %s %u\n", sim->counters[i].name,
					sim->counters[i].n);
		for (i = 0; i < 2; i++)
			sb_printf(&out, "stored %s %u/%u\n",
					sim->stores[i].name,
					sim_store_used(&sim->stores[i]),
					sim->stores[i].capacity);
		sb_printf(&out, "pending %zu\nsent %zu\n", sim_pending(sim),
				sim->n_sent);
	} else if (strcmp(cmd, "set") == 0) {
		r = cmd_set(sim, args, &err);
	} else if (strcmp(cmd, "get") == 0) {
		int k = find_setting(args);

		if (k < 0) {
			r = -EINVAL;
			err = "unknown setting";
		} else {
			sb_printf(&out, "%s %ld\n", settings[k].name,
					sim_get(sim, settings[k].fault));
		}
	} else if (strcmp(cmd, "reboot") == 0) {
		r = sim_reboot(sim);
		err = "unplugged";
	} else if (strcmp(cmd, "unplug") == 0) {
		r = sim_unplug(sim);
		err = "already unplugged";
	} else if (strcmp(cmd, "replug") == 0) {
		r = sim_replug(sim);
		err = "cannot replug (still plugged?)";
		if (r >= 0)
			sb_printf(&out, "path %s\npty %s\n", sim_path(sim),
					sim->pty_path);
	} else {
		r = -EINVAL;
		err = "unknown command (try help)";
	}
	free(copy);
	sim_arm(sim);
	if (out.oom) {
		free(out.s);
		return -ENOMEM;
	}
	if (r < 0) {
		free(out.s);
		out = (struct sbuf){0};
		sb_printf(&out, "%s", err ? err : strerror(-r));
		*ret_out = out.s;
		return r < 0 ? r : -EINVAL;
	}
	*ret_out = out.s;
	return 0;
}

/* ---- the unix socket ------------------------------------------------- */

void sim_client_close(struct sim *sim, struct sim_client *c)
{
	if (c->fd < 0)
		return;
	epoll_ctl(sim->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

void sim_control_accept(struct sim *sim)
{
	struct epoll_event ev = {.events = EPOLLIN};
	size_t i;
	int fd;

	fd = accept4(sim->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < SIM_MAX_CLIENTS; i++)
		if (sim->clients[i].fd < 0)
			break;
	if (i == SIM_MAX_CLIENTS) {
		close(fd); /* bounded number of clients */
		return;
	}
	ev.data.fd = fd;
	if (epoll_ctl(sim->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		return;
	}
	sim->clients[i].fd = fd;
	sim->clients[i].len = 0;
}

/* Blocking write of a whole reply: control clients are tests that read. */
static void write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t) n;
	}
}

void sim_control_read(struct sim *sim, int fd)
{
	struct sim_client *c = NULL;
	char *nl;
	ssize_t n;
	size_t i;

	for (i = 0; i < SIM_MAX_CLIENTS; i++)
		if (sim->clients[i].fd == fd)
			c = &sim->clients[i];
	if (!c)
		return;
	n = recv(fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len,
			MSG_DONTWAIT);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		sim_client_close(sim, c);
		return;
	}
	c->len += (size_t) n;
	c->buf[c->len] = '\0';
	while ((nl = strchr(c->buf, '\n'))) {
		char *out = NULL;
		int r;

		*nl = '\0';
		r = sim_command(sim, c->buf, &out);
		if (r < 0) {
			write_all(fd, "ERR ", 4);
			if (out)
				write_all(fd, out, strlen(out));
			write_all(fd, "\n", 1);
		} else {
			if (out)
				write_all(fd, out, strlen(out));
			write_all(fd, "OK\n", 3);
		}
		free(out);
		c->len -= (size_t) (nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len + 1);
	}
	if (c->len == sizeof(c->buf) - 1) {
		write_all(fd, "ERR line too long\n", 18);
		sim_client_close(sim, c);
	}
}
