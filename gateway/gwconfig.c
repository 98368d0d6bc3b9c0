/*
 * gateway/gwconfig.c - libconfig -> struct gw_config, with every error
 * collected as "file:line: message".
 *
 * The file's shape is described by tables (struct cw_field): one per
 * group.  The generic walker of rules/confwalk.h (shared with the rule
 * files, so both report errors one way) checks each setting of a group against its table, so
 * "unknown setting", "wrong type", "out of range" and "missing" are
 * written once and every section gets them.  Checks that span settings
 * (duplicate modems, backoff base <= max) run after the walk.
 */
#include <config.h>

#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gwconfig.h"
#include "rules/confwalk.h"

struct ctx {
	struct cw_ctx cw;
	struct diag_list diags;
};

static const char *const storage_names[] = {"SM", "ME", "MT", NULL};
static const char *const delivery_names[] = {"stored", "direct", NULL};
static const char *const ussd_names[] = {"plain", "ucs2", "gsm7-packed", NULL};
static const char *const resend_names[] = {
		"never", "with-reject-duplicates", NULL};

const char *gw_storage_name(enum gw_storage storage)
{
	return (unsigned) storage < 3 ? storage_names[storage] : "?";
}

const char *gw_delivery_name(enum gw_delivery delivery)
{
	return (unsigned) delivery < 2 ? delivery_names[delivery] : "?";
}

const char *gw_ussd_encoding_name(enum gw_ussd_encoding enc)
{
	return (unsigned) enc < 3 ? ussd_names[enc] : "?";
}

const char *gw_resend_unknown_name(enum gw_resend_unknown policy)
{
	return (unsigned) policy < 2 ? resend_names[policy] : "?";
}

/* The rates a serial driver accepts (termios B* constants). */
static const int baud_rates[] = {1200, 2400, 4800, 9600, 19200, 38400, 57600,
		115200, 230400, 460800, 921600, 0};

/* --- string checks -------------------------------------------------- */

static const char *check_nonempty(const char *v)
{
	return *v ? NULL : "must not be empty";
}

static const char *check_modem_name(const char *v)
{
	size_t len = strlen(v);

	if (len == 0 || len > 32)
		return "must be 1 to 32 characters long";
	if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789_.-") != len)
		return "may only contain letters, digits, '_', '.' and '-'";
	return NULL;
}

static const char *check_device(const char *v)
{
	static const char usb[] = "usb-serial:", tty[] = "tty:";

	if (v[0] == '/')
		return NULL;
	if (!strncmp(v, usb, sizeof(usb) - 1))
		return v[sizeof(usb) - 1] ? NULL
					  : "needs a USB serial number after "
					    "\"usb-serial:\"";
	if (!strncmp(v, tty, sizeof(tty) - 1))
		return v[sizeof(tty) - 1] == '/' ? NULL
						 : "needs an absolute path "
						   "after \"tty:\"";
	return "must be an absolute path, \"usb-serial:SERIAL\" or "
	       "\"tty:/PATH\"";
}

static const char *check_pin(const char *v)
{
	size_t len = strlen(v);

	if (len < 4 || len > 8 || strspn(v, "0123456789") != len)
		return "must be 4 to 8 digits";
	return NULL;
}

static const char *check_smsc(const char *v)
{
	const char *d = v[0] == '+' ? v + 1 : v;
	size_t len = strlen(d);

	if (len < 3 || len > 20 || strspn(d, "0123456789") != len)
		return "must be a phone number: an optional '+' and 3 to 20 "
		       "digits";
	return NULL;
}

static const char *check_timezone(const char *v)
{
	size_t len = strlen(v);

	/* A zoneinfo name, e.g. "Asia/Shanghai"; never a path. */
	if (len == 0 || len > 64 || v[0] == '/' || strstr(v, "..") ||
			strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
				  "QRSTUVWXYZ0123456789/_+-") != len)
		return "must be a time zone name such as \"Asia/Shanghai\"";
	return NULL;
}

static const char *check_ack_template(const char *v)
{
	char buf[1];

	if (gw_config_render_ack(v, 0, buf, sizeof(buf)) == -EINVAL)
		return "may only use the placeholders \"%id\" and \"%%\"";
	return NULL;
}

/* --- the walker (rules/confwalk.h) and the custom settings ---------- */

static void parse_loglevel(struct cw_ctx *c, config_setting_t *s,
		const char *what, void *base, void *user)
{
	const char *v = config_setting_type(s) == CONFIG_TYPE_STRING
					? config_setting_get_string(s)
					: NULL;
	enum log_level lvl;

	(void) user;
	if (!v || log_parse_level(v, &lvl) < 0)
		cw_error_at(c, s,
				"'%s' must be one of \"warning\", \"info\", "
				"\"debug\"",
				what);
	else
		*(enum log_level *) base = lvl;
}

static void parse_logcats(struct cw_ctx *c, config_setting_t *s,
		const char *what, void *base, void *user)
{
	unsigned mask;
	char bad[64];

	(void) user;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		cw_error_at(c, s,
				"'%s' must be a string such as \"db,sched\", "
				"not %s",
				what, cw_type_name(config_setting_type(s)));
	else if (log_parse_categories(config_setting_get_string(s), &mask, bad,
				 sizeof(bad)) < 0)
		cw_error_at(c, s,
				"'%s': unknown category \"%s\" (known: at, "
				"sp, db, rules, ctl, sched, loop, all, none)",
				what, bad);
	else
		*(unsigned *) base = mask;
}

static void parse_modems(struct cw_ctx *c, config_setting_t *list,
		const char *what, void *base, void *user);

/* --- the file's shape ----------------------------------------------- */

#define OFF(f) offsetof(struct gw_config, f)
#define MOFF(f) offsetof(struct gw_modem_config, f)

static const struct cw_field database_fields[] = {
		{"conninfo", CW_STRING, OFF(db_conninfo), true, 0, 0, NULL,
				check_nonempty, NULL, NULL, NULL},
		{"statement_timeout_ms", CW_INT, OFF(db_statement_timeout_ms),
				false, 100, 600000, NULL, NULL, NULL, NULL,
				NULL},
		{"connect_timeout_s", CW_INT, OFF(db_connect_timeout_s), false,
				1, 300, NULL, NULL, NULL, NULL, NULL},
		{"auto_migrate", CW_BOOL, OFF(db_auto_migrate), false, 0, 0,
				NULL, NULL, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct cw_field log_fields[] = {
		{"level", CW_CUSTOM, OFF(log_level), false, 0, 0, NULL, NULL,
				NULL, NULL, parse_loglevel},
		{"categories", CW_CUSTOM, OFF(log_categories), false, 0, 0,
				NULL, NULL, NULL, NULL, parse_logcats},
		{"personal_info", CW_BOOL, OFF(log_personal_info), false, 0, 0,
				NULL, NULL, NULL, NULL, NULL},
		{"timestamps", CW_BOOL, OFF(log_timestamps), false, 0, 0, NULL,
				NULL, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct cw_field outbound_fields[] = {
		{"max_attempts", CW_INT, OFF(out_max_attempts), false, 1, 100,
				NULL, NULL, NULL, NULL, NULL},
		{"backoff_base_s", CW_INT, OFF(out_backoff_base_s), false, 1,
				86400, NULL, NULL, NULL, NULL, NULL},
		{"backoff_max_s", CW_INT, OFF(out_backoff_max_s), false, 1,
				604800, NULL, NULL, NULL, NULL, NULL},
		{"resend_unknown", CW_ENUM, OFF(out_resend_unknown), false, 0,
				0, resend_names, NULL, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct cw_field multipart_fields[] = {
		{"timeout_s", CW_INT, OFF(multipart_timeout_s), false, 10,
				604800, NULL, NULL, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct cw_field handler_fields[] = {
		{"ack_template", CW_STRING, OFF(ack_template), false, 0, 0,
				NULL, check_ack_template, NULL, NULL, NULL},
		{"reply_limit_per_hour", CW_INT, OFF(reply_limit_per_hour),
				false, 1, 3600, NULL, NULL, NULL, NULL, NULL},
		{"short_code_max_digits", CW_INT, OFF(short_code_max_digits),
				false, 0, 15, NULL, NULL, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct cw_field modem_fields[] = {
		{"name", CW_STRING, MOFF(name), true, 0, 0, NULL,
				check_modem_name, NULL, NULL, NULL},
		{"device", CW_STRING, MOFF(device), true, 0, 0, NULL,
				check_device, NULL, NULL, NULL},
		{"baud", CW_INT, MOFF(baud), false, 1200, 921600, NULL, NULL,
				NULL, baud_rates, NULL},
		{"rtscts", CW_BOOL, MOFF(rtscts), false, 0, 0, NULL, NULL, NULL,
				NULL, NULL},
		{"pin", CW_STRING, MOFF(pin), false, 0, 0, NULL, check_pin,
				NULL, NULL, NULL},
		{"storage", CW_ENUM, MOFF(storage), false, 0, 0, storage_names,
				NULL, NULL, NULL, NULL},
		{"delivery", CW_ENUM, MOFF(delivery), false, 0, 0,
				delivery_names, NULL, NULL, NULL, NULL},
		{"text_mode_fallback", CW_BOOL, MOFF(text_mode_fallback), false,
				0, 0, NULL, NULL, NULL, NULL, NULL},
		{"ussd_encoding", CW_ENUM, MOFF(ussd_encoding), false, 0, 0,
				ussd_names, NULL, NULL, NULL, NULL},
		{"send_rate", CW_INT, MOFF(send_rate), false, 0, 60000, NULL,
				NULL, NULL, NULL, NULL},
		{"daily_cap", CW_INT, MOFF(daily_cap), false, 0, 1000000, NULL,
				NULL, NULL, NULL, NULL},
		{"status_interval_s", CW_INT, MOFF(status_interval_s), false,
				10, 86400, NULL, NULL, NULL, NULL, NULL},
		{"sweep_interval_s", CW_INT, MOFF(sweep_interval_s), false, 0,
				86400, NULL, NULL, NULL, NULL, NULL},
		{"smsc", CW_STRING, MOFF(smsc), false, 0, 0, NULL, check_smsc,
				NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct cw_field root_fields[] = {
		{"database", CW_GROUP, 0, true, 0, 0, NULL, NULL,
				database_fields, NULL, NULL},
		{"daemon_id", CW_STRING, OFF(daemon_id), false, 0, 0, NULL,
				check_nonempty, NULL, NULL, NULL},
		{"rules_file", CW_STRING, OFF(rules_file), false, 0, 0, NULL,
				check_nonempty, NULL, NULL, NULL},
		{"timezone", CW_STRING, OFF(timezone), false, 0, 0, NULL,
				check_timezone, NULL, NULL, NULL},
		{"log", CW_GROUP, 0, false, 0, 0, NULL, NULL, log_fields, NULL,
				NULL},
		{"modems", CW_CUSTOM, 0, true, 0, 0, NULL, NULL, NULL, NULL,
				parse_modems},
		{"outbound", CW_GROUP, 0, false, 0, 0, NULL, NULL,
				outbound_fields, NULL, NULL},
		{"multipart", CW_GROUP, 0, false, 0, 0, NULL, NULL,
				multipart_fields, NULL, NULL},
		{"handler", CW_GROUP, 0, false, 0, 0, NULL, NULL,
				handler_fields, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static void set_defaults(struct gw_config *cfg)
{
	cfg->db_statement_timeout_ms = 5000;
	cfg->db_connect_timeout_s = 5;
	cfg->log_level = LOG_LEVEL_INFO;
	cfg->log_categories = LOG_CAT_DEFAULT;
	cfg->out_max_attempts = 5;
	cfg->out_backoff_base_s = 30;
	cfg->out_backoff_max_s = 3600;
	cfg->out_resend_unknown = GW_RESEND_NEVER;
	cfg->multipart_timeout_s = 600;
	cfg->reply_limit_per_hour = 20;
	cfg->short_code_max_digits = 6;
}

static void set_modem_defaults(struct gw_modem_config *m)
{
	m->baud = 115200;
	m->storage = GW_STORAGE_SM;
	m->delivery = GW_DELIVERY_STORED;
	m->text_mode_fallback = true;
	m->ussd_encoding = GW_USSD_PLAIN;
	m->send_rate = 10;
	m->daily_cap = 0;
	m->status_interval_s = 60;
	m->sweep_interval_s = 300;
}

static void parse_modems(struct cw_ctx *c, config_setting_t *list,
		const char *unused, void *base, void *user)
{
	struct gw_config *cfg = base;
	int i, j, count;

	(void) unused;
	(void) user;

	if (config_setting_type(list) != CONFIG_TYPE_LIST) {
		cw_error_at(c, list,
				"'modems' must be a list ( { ... }, ... ), "
				"not %s",
				cw_type_name(config_setting_type(list)));
		return;
	}
	count = config_setting_length(list);
	if (count == 0) {
		cw_error_at(c, list, "'modems' must list at least one modem");
		return;
	}
	cfg->modems = calloc((size_t) count, sizeof(*cfg->modems));
	if (!cfg->modems) {
		c->oom = true;
		return;
	}
	for (i = 0; i < count; i++) {
		config_setting_t *s =
				config_setting_get_elem(list, (unsigned) i);
		struct gw_modem_config *m = &cfg->modems[cfg->n_modems];
		char what[32];

		if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
			cw_error_at(c, s,
					"'modems[%d]' must be a group { ... }, "
					"not %s",
					i,
					cw_type_name(config_setting_type(s)));
			continue;
		}
		cfg->n_modems++;
		set_modem_defaults(m);
		m->line = (int) config_setting_source_line(s);
		snprintf(what, sizeof(what), "modems[%d]", i);
		cw_walk_group(c, s, what, modem_fields, m, cfg);
	}
	/* Two entries for one name or one device can only be a mistake. */
	for (i = 0; i < (int) cfg->n_modems; i++) {
		struct gw_modem_config *m = &cfg->modems[i];

		for (j = 0; j < i; j++) {
			struct gw_modem_config *o = &cfg->modems[j];

			if (m->name && o->name && !strcmp(m->name, o->name)) {
				cw_diag(c, DIAG_ERROR,
						config_setting_source_file(
								list),
						m->line,
						"duplicate modem name "
						"\"%s\" (first defined at line "
						"%d)",
						m->name, o->line);
				break;
			}
		}
		for (j = 0; j < i; j++) {
			struct gw_modem_config *o = &cfg->modems[j];

			if (m->device && o->device &&
					!strcmp(m->device, o->device)) {
				cw_diag(c, DIAG_ERROR,
						config_setting_source_file(
								list),
						m->line,
						"duplicate modem "
						"device \"%s\" (also used by "
						"the modem at line %d)",
						m->device, o->line);
				break;
			}
		}
	}
}

static void check_cross(struct cw_ctx *c, config_t *cf, struct gw_config *cfg)
{
	config_setting_t *s = config_lookup(cf, "outbound.backoff_base_s");

	if (s && cfg->out_backoff_base_s > cfg->out_backoff_max_s)
		cw_error_at(c, s,
				"'outbound.backoff_base_s' (%d) must not "
				"exceed "
				"'outbound.backoff_max_s' (%d)",
				cfg->out_backoff_base_s,
				cfg->out_backoff_max_s);
}

/*
 * Moves the diagnostics into @errors sorted by line within each file, so
 * they read top to bottom ("missing" ones are found after a group's
 * settings but belong to its first line); an @include's messages stay
 * where it was included (diag_sort()).
 */
static void flush_diags(struct ctx *c, struct gw_config_errors *errors)
{
	struct diag_list *d = &c->diags;
	char **lines;
	size_t i;

	diag_sort(d);
	if (d->oom)
		c->cw.oom = true;
	if (d->n) {
		lines = realloc(errors->lines,
				(errors->n + d->n) * sizeof(*lines));
		if (!lines) {
			c->cw.oom = true;
		} else {
			for (i = 0; i < d->n; i++) {
				lines[errors->n++] = d->v[i].line_text;
				d->v[i].line_text = NULL;
			}
			errors->lines = lines;
		}
	}
	diag_free(d);
}

static void ctx_init(struct ctx *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->cw.path = path;
	c->cw.diags = &c->diags;
}

int gw_config_load_stream(FILE *fp, const char *path,
		struct gw_config **ret_config, struct gw_config_errors *errors)
{
	struct gw_config *cfg = NULL;
	struct ctx c;
	config_t cf;
	int r;

	if (!fp || !path || !ret_config || !errors)
		return -EINVAL;
	ctx_init(&c, path);
	config_init(&cf);
	r = cw_read(&c.cw, &cf, fp);
	if (r < 0)
		goto out_destroy;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		r = -ENOMEM;
		goto out_destroy;
	}
	set_defaults(cfg);
	cfg->path = strdup(path);
	cfg->ack_template = strdup("已收到 #%id");
	if (!cfg->path || !cfg->ack_template)
		c.cw.oom = true;
	cw_walk_group(&c.cw, config_root_setting(&cf), "", root_fields, cfg,
			cfg);
	check_cross(&c.cw, &cf, cfg);
	r = c.diags.n ? -EINVAL : 0;

out_destroy:
	flush_diags(&c, errors);
	config_destroy(&cf);
	cw_ctx_done(&c.cw);
	if (c.cw.oom)
		r = -ENOMEM;
	if (r < 0) {
		gw_config_free(cfg);
		return r;
	}
	*ret_config = cfg;
	return 0;
}

int gw_config_load(const char *path, struct gw_config **ret_config,
		struct gw_config_errors *errors)
{
	struct ctx c;
	FILE *fp;
	int r;

	if (!path || !ret_config || !errors)
		return -EINVAL;
	/* Open it ourselves: libconfig does not tell "missing" from "bad". */
	fp = fopen(path, "r");
	if (!fp) {
		r = -errno;
		ctx_init(&c, path);
		cw_diag(&c.cw, DIAG_ERROR, NULL, 0, "cannot open: %s",
				strerror(-r));
		flush_diags(&c, errors);
		return c.cw.oom ? -ENOMEM : r;
	}
	r = gw_config_load_stream(fp, path, ret_config, errors);
	fclose(fp);
	return r;
}

void gw_config_free(struct gw_config *config)
{
	size_t i;

	if (!config)
		return;
	for (i = 0; i < config->n_modems; i++) {
		free(config->modems[i].name);
		free(config->modems[i].device);
		free(config->modems[i].pin);
		free(config->modems[i].smsc);
	}
	free(config->modems);
	free(config->path);
	free(config->db_conninfo);
	free(config->rules_file);
	free(config->timezone);
	free(config->daemon_id);
	free(config->ack_template);
	free(config);
}

void gw_config_errors_done(struct gw_config_errors *errors)
{
	size_t i;

	for (i = 0; i < errors->n; i++)
		free(errors->lines[i]);
	free(errors->lines);
	errors->lines = NULL;
	errors->n = 0;
}

const struct gw_modem_config *gw_config_find_modem(
		const struct gw_config *config, const char *name)
{
	size_t i;

	for (i = 0; i < config->n_modems; i++)
		if (config->modems[i].name &&
				!strcmp(config->modems[i].name, name))
			return &config->modems[i];
	return NULL;
}

int gw_config_render_ack(const char *tmpl, int64_t id, char *buf, size_t size)
{
	size_t o = 0;
	bool full = false;
	const char *p;

	if (!tmpl || !buf || !size)
		return -EINVAL;
	for (p = tmpl; *p; p++) {
		char num[24];
		const char *piece = p;
		size_t len = 1;

		if (*p == '%') {
			if (p[1] == '%') {
				p++;
			} else if (!strncmp(p + 1, "id", 2)) {
				len = (size_t) snprintf(num, sizeof(num),
						"%lld", (long long) id);
				piece = num;
				p += 2;
			} else {
				return -EINVAL;
			}
		}
		/* Keep scanning when full, so a bad '%' is still -EINVAL. */
		if (full || o + len >= size) {
			full = true;
			continue;
		}
		memcpy(buf + o, piece, len);
		o += len;
	}
	buf[o] = '\0';
	return full ? -ENOSPC : (int) o;
}
