/*
 * gateway/config.c - libconfig -> struct gw_config, with every error
 * collected as "file:line: message".
 *
 * The file's shape is described by tables (struct field): one per group.
 * A generic walker checks each setting of a group against its table, so
 * "unknown setting", "wrong type", "out of range" and "missing" are
 * written once and every section gets them.  Checks that span settings
 * (duplicate modems, backoff base <= max) run after the walk.
 */
#include <config.h>

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gwconfig.h"

enum field_type {
	FIELD_STRING,
	FIELD_INT,
	FIELD_BOOL,
	FIELD_ENUM,	/* a string from `choices`, stored as an int */
	FIELD_GROUP,	/* a nested group described by `sub` */
	FIELD_MODEMS,	/* the list of modem groups */
	FIELD_LOGCATS,	/* "at,db" -> enum log_category bits */
	FIELD_LOGLEVEL, /* "info" -> enum log_level */
};

struct field;

/* A string check: returns NULL if fine, else a message (static string). */
typedef const char *(*string_check_fn)(const char *value);

struct field {
	const char *name;
	enum field_type type;
	size_t offset; /* into the struct being filled */
	bool required;
	long long min, max;	    /* FIELD_INT */
	const char *const *choices; /* FIELD_ENUM, NULL-terminated */
	string_check_fn check;	    /* FIELD_STRING */
	const struct field *sub;    /* FIELD_GROUP */
	const int *allowed;	    /* FIELD_INT: only these, 0-ended */
};

/* One diagnostic before sorting; file is borrowed (libconfig or path). */
struct pending {
	char *text;
	const char *file;
	int line;
};

struct ctx {
	const char *path;
	char *dir;	       /* path's directory, NULL if none */
	struct pending *diags; /* this load's diagnostics */
	size_t ndiags;
	bool oom;
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

/* Appends "file:line: message"; line 0 means "the whole file". */
/*
 * Records "file:line: message"; line 0 means "the whole file".  A file
 * name from an @include is relative to the including file's directory,
 * so that directory is put in front to make the name usable.
 */
static void __attribute__((format(printf, 4, 5)))
diag(struct ctx *c, const char *file, int line, const char *fmt, ...)
{
	char msg[512], *full;
	struct pending *d;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!file)
		file = c->path;
	if (strcmp(file, c->path) && file[0] != '/' && c->dir)
		n = asprintf(&full, "%s/%s:%d: %s", c->dir, file, line, msg);
	else if (line > 0)
		n = asprintf(&full, "%s:%d: %s", file, line, msg);
	else
		n = asprintf(&full, "%s: %s", file, msg);
	if (n < 0) {
		c->oom = true;
		return;
	}
	d = realloc(c->diags, (c->ndiags + 1) * sizeof(*d));
	if (!d) {
		free(full);
		c->oom = true;
		return;
	}
	c->diags = d;
	d[c->ndiags].text = full;
	d[c->ndiags].file = file;
	d[c->ndiags].line = line;
	c->ndiags++;
}

static void diag_at(struct ctx *c, const config_setting_t *s, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));

static void diag_at(
		struct ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag(c, config_setting_source_file(s),
			(int) config_setting_source_line(s), "%s", msg);
}

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number with a fraction";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "something else";
	}
}

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

/* --- the file's shape ----------------------------------------------- */

#define OFF(f) offsetof(struct gw_config, f)
#define MOFF(f) offsetof(struct gw_modem_config, f)

static const struct field database_fields[] = {
		{"conninfo", FIELD_STRING, OFF(db_conninfo), true, 0, 0, NULL,
				check_nonempty, NULL, NULL},
		{"statement_timeout_ms", FIELD_INT,
				OFF(db_statement_timeout_ms), false, 100,
				600000, NULL, NULL, NULL, NULL},
		{"connect_timeout_s", FIELD_INT, OFF(db_connect_timeout_s),
				false, 1, 300, NULL, NULL, NULL, NULL},
		{"auto_migrate", FIELD_BOOL, OFF(db_auto_migrate), false, 0, 0,
				NULL, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct field log_fields[] = {
		{"level", FIELD_LOGLEVEL, OFF(log_level), false, 0, 0, NULL,
				NULL, NULL, NULL},
		{"categories", FIELD_LOGCATS, OFF(log_categories), false, 0, 0,
				NULL, NULL, NULL, NULL},
		{"personal_info", FIELD_BOOL, OFF(log_personal_info), false, 0,
				0, NULL, NULL, NULL, NULL},
		{"timestamps", FIELD_BOOL, OFF(log_timestamps), false, 0, 0,
				NULL, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct field outbound_fields[] = {
		{"max_attempts", FIELD_INT, OFF(out_max_attempts), false, 1,
				100, NULL, NULL, NULL, NULL},
		{"backoff_base_s", FIELD_INT, OFF(out_backoff_base_s), false, 1,
				86400, NULL, NULL, NULL, NULL},
		{"backoff_max_s", FIELD_INT, OFF(out_backoff_max_s), false, 1,
				604800, NULL, NULL, NULL, NULL},
		{"resend_unknown", FIELD_ENUM, OFF(out_resend_unknown), false,
				0, 0, resend_names, NULL, NULL, NULL},
		{"lease_s", FIELD_INT, OFF(out_lease_s), false, 2, 3600, NULL,
				NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct field multipart_fields[] = {
		{"timeout_s", FIELD_INT, OFF(multipart_timeout_s), false, 10,
				604800, NULL, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct field handler_fields[] = {
		{"ack_template", FIELD_STRING, OFF(ack_template), false, 0, 0,
				NULL, check_ack_template, NULL, NULL},
		{"reply_limit_per_hour", FIELD_INT, OFF(reply_limit_per_hour),
				false, 1, 3600, NULL, NULL, NULL, NULL},
		{"short_code_max_digits", FIELD_INT, OFF(short_code_max_digits),
				false, 0, 15, NULL, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct field modem_fields[] = {
		{"name", FIELD_STRING, MOFF(name), true, 0, 0, NULL,
				check_modem_name, NULL, NULL},
		{"device", FIELD_STRING, MOFF(device), true, 0, 0, NULL,
				check_device, NULL, NULL},
		{"baud", FIELD_INT, MOFF(baud), false, 1200, 921600, NULL, NULL,
				NULL, baud_rates},
		{"rtscts", FIELD_BOOL, MOFF(rtscts), false, 0, 0, NULL, NULL,
				NULL, NULL},
		{"pin", FIELD_STRING, MOFF(pin), false, 0, 0, NULL, check_pin,
				NULL, NULL},
		{"storage", FIELD_ENUM, MOFF(storage), false, 0, 0,
				storage_names, NULL, NULL, NULL},
		{"delivery", FIELD_ENUM, MOFF(delivery), false, 0, 0,
				delivery_names, NULL, NULL, NULL},
		{"text_mode_fallback", FIELD_BOOL, MOFF(text_mode_fallback),
				false, 0, 0, NULL, NULL, NULL, NULL},
		{"ussd_encoding", FIELD_ENUM, MOFF(ussd_encoding), false, 0, 0,
				ussd_names, NULL, NULL, NULL},
		{"send_rate", FIELD_INT, MOFF(send_rate), false, 0, 60000, NULL,
				NULL, NULL, NULL},
		{"daily_cap", FIELD_INT, MOFF(daily_cap), false, 0, 1000000,
				NULL, NULL, NULL, NULL},
		{"status_interval_s", FIELD_INT, MOFF(status_interval_s), false,
				10, 86400, NULL, NULL, NULL, NULL},
		{"sweep_interval_s", FIELD_INT, MOFF(sweep_interval_s), false,
				0, 86400, NULL, NULL, NULL, NULL},
		{"smsc", FIELD_STRING, MOFF(smsc), false, 0, 0, NULL,
				check_smsc, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct field root_fields[] = {
		{"database", FIELD_GROUP, 0, true, 0, 0, NULL, NULL,
				database_fields, NULL},
		{"daemon_id", FIELD_STRING, OFF(daemon_id), false, 0, 0, NULL,
				check_nonempty, NULL, NULL},
		{"rules_file", FIELD_STRING, OFF(rules_file), false, 0, 0, NULL,
				check_nonempty, NULL, NULL},
		{"timezone", FIELD_STRING, OFF(timezone), false, 0, 0, NULL,
				check_timezone, NULL, NULL},
		{"log", FIELD_GROUP, 0, false, 0, 0, NULL, NULL, log_fields,
				NULL},
		{"modems", FIELD_MODEMS, 0, true, 0, 0, NULL, NULL, NULL, NULL},
		{"outbound", FIELD_GROUP, 0, false, 0, 0, NULL, NULL,
				outbound_fields, NULL},
		{"multipart", FIELD_GROUP, 0, false, 0, 0, NULL, NULL,
				multipart_fields, NULL},
		{"handler", FIELD_GROUP, 0, false, 0, 0, NULL, NULL,
				handler_fields, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL},
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
	cfg->out_lease_s = 60;
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

/* --- the walker ----------------------------------------------------- */

static void parse_modems(
		struct ctx *c, config_setting_t *list, struct gw_config *cfg);

/* "modems[0].baud" style names for messages. */
static void join(char *buf, size_t size, const char *prefix, const char *name)
{
	if (*prefix)
		snprintf(buf, size, "%s.%s", prefix, name);
	else
		snprintf(buf, size, "%s", name);
}

static void parse_string(struct ctx *c, config_setting_t *s,
		const struct field *f, const char *what, char **dst)
{
	const char *v, *why;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		diag_at(c, s, "'%s' must be a string, not %s", what,
				type_name(config_setting_type(s)));
		return;
	}
	v = config_setting_get_string(s);
	if (f->check && (why = f->check(v))) {
		diag_at(c, s, "'%s' %s (got \"%s\")", what, why, v);
		return;
	}
	free(*dst);
	*dst = strdup(v);
	if (!*dst)
		c->oom = true;
}

static void parse_int(struct ctx *c, config_setting_t *s, const struct field *f,
		const char *what, int *dst)
{
	long long v;
	size_t i;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
			config_setting_type(s) != CONFIG_TYPE_INT64) {
		diag_at(c, s, "'%s' must be an integer, not %s", what,
				type_name(config_setting_type(s)));
		return;
	}
	v = config_setting_get_int64(s);
	if (f->allowed) {
		for (i = 0; f->allowed[i]; i++)
			if (v == f->allowed[i])
				break;
		if (!f->allowed[i]) {
			char list[256] = "";
			size_t n = 0;

			for (i = 0; f->allowed[i] && n < sizeof(list); i++)
				n += (size_t) snprintf(list + n,
						sizeof(list) - n, "%s%d",
						i ? ", " : "", f->allowed[i]);
			diag_at(c, s, "'%s' must be one of %s (got %lld)", what,
					list, v);
			return;
		}
	} else if (v < f->min || v > f->max) {
		diag_at(c, s, "'%s' must be between %lld and %lld (got %lld)",
				what, f->min, f->max, v);
		return;
	}
	*dst = (int) v;
}

static void parse_enum(struct ctx *c, config_setting_t *s,
		const struct field *f, const char *what, int *dst)
{
	const char *v;
	char list[256] = "";
	size_t i, n = 0;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		v = config_setting_get_string(s);
		for (i = 0; f->choices[i]; i++) {
			if (!strcmp(v, f->choices[i])) {
				*dst = (int) i;
				return;
			}
		}
	}
	for (i = 0; f->choices[i]; i++)
		n += (size_t) snprintf(list + n, sizeof(list) - n, "%s\"%s\"",
				i ? ", " : "", f->choices[i]);
	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		diag_at(c, s, "'%s' must be one of %s (got \"%s\")", what, list,
				config_setting_get_string(s));
	else
		diag_at(c, s, "'%s' must be one of %s, not %s", what, list,
				type_name(config_setting_type(s)));
}

/*
 * Checks every setting of @group against @fields and fills @base.
 * @prefix names the group in messages ("" for the top level).
 */
static void parse_group(struct ctx *c, config_setting_t *group,
		const char *prefix, const struct field *fields, void *base,
		struct gw_config *cfg)
{
	unsigned long long seen = 0;
	char what[128];
	int i, count = config_setting_length(group);

	for (i = 0; i < count; i++) {
		config_setting_t *s =
				config_setting_get_elem(group, (unsigned) i);
		const char *name = config_setting_name(s);
		const struct field *f;
		size_t k;

		for (k = 0; fields[k].name; k++)
			if (name && !strcmp(name, fields[k].name))
				break;
		f = &fields[k];
		join(what, sizeof(what), prefix, name ? name : "?");
		if (!f->name) {
			diag_at(c, s, "unknown setting '%s'", what);
			continue;
		}
		seen |= 1ull << k;
		switch (f->type) {
		case FIELD_STRING:
			parse_string(c, s, f, what,
					(char **) ((char *) base + f->offset));
			break;
		case FIELD_INT:
			parse_int(c, s, f, what,
					(int *) ((char *) base + f->offset));
			break;
		case FIELD_BOOL:
			if (config_setting_type(s) != CONFIG_TYPE_BOOL)
				diag_at(c, s,
						"'%s' must be true or false, "
						"not %s",
						what,
						type_name(config_setting_type(
								s)));
			else
				*(bool *) ((char *) base + f->offset) =
						config_setting_get_bool(s);
			break;
		case FIELD_ENUM:
			parse_enum(c, s, f, what,
					(int *) ((char *) base + f->offset));
			break;
		case FIELD_LOGLEVEL: {
			enum log_level lvl;

			const char *v = config_setting_type(
							s) == CONFIG_TYPE_STRING
							? config_setting_get_string(
									  s)
							: NULL;

			if (!v || log_parse_level(v, &lvl) < 0)
				diag_at(c, s,
						"'%s' must be one of "
						"\"warning\", \"info\", "
						"\"debug\"",
						what);
			else
				*(enum log_level *) ((char *) base +
						     f->offset) = lvl;
			break;
		}
		case FIELD_LOGCATS: {
			unsigned mask;
			char bad[64];

			if (config_setting_type(s) != CONFIG_TYPE_STRING)
				diag_at(c, s,
						"'%s' must be a string such as "
						"\"db,sched\", not %s",
						what,
						type_name(config_setting_type(
								s)));
			else if (log_parse_categories(
						 config_setting_get_string(s),
						 &mask, bad, sizeof(bad)) < 0)
				diag_at(c, s,
						"'%s': unknown category \"%s\" "
						"(known: at, sp, db, rules, "
						"ctl, sched, loop, all, none)",
						what, bad);
			else
				*(unsigned *) ((char *) base + f->offset) =
						mask;
			break;
		}
		case FIELD_GROUP:
			if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
				diag_at(c, s,
						"'%s' must be a group { ... }, "
						"not %s",
						what,
						type_name(config_setting_type(
								s)));
				break;
			}
			/* Nested groups fill the same flat struct. */
			parse_group(c, s, what, f->sub, base, cfg);
			break;
		case FIELD_MODEMS:
			parse_modems(c, s, cfg);
			break;
		}
	}
	for (i = 0; fields[i].name; i++) {
		if (!fields[i].required || (seen & (1ull << i)))
			continue;
		join(what, sizeof(what), prefix, fields[i].name);
		if (*prefix)
			diag_at(c, group, "missing required setting '%s'",
					what);
		else
			diag(c, NULL, 0, "missing required setting '%s'", what);
	}
}

static void parse_modems(
		struct ctx *c, config_setting_t *list, struct gw_config *cfg)
{
	int i, j, count;

	if (config_setting_type(list) != CONFIG_TYPE_LIST) {
		diag_at(c, list,
				"'modems' must be a list ( { ... }, ... ), "
				"not %s",
				type_name(config_setting_type(list)));
		return;
	}
	count = config_setting_length(list);
	if (count == 0) {
		diag_at(c, list, "'modems' must list at least one modem");
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
			diag_at(c, s,
					"'modems[%d]' must be a group { ... }, "
					"not %s",
					i, type_name(config_setting_type(s)));
			continue;
		}
		cfg->n_modems++;
		set_modem_defaults(m);
		m->line = (int) config_setting_source_line(s);
		snprintf(what, sizeof(what), "modems[%d]", i);
		parse_group(c, s, what, modem_fields, m, cfg);
	}
	/* Two entries for one name or one device can only be a mistake. */
	for (i = 0; i < (int) cfg->n_modems; i++) {
		struct gw_modem_config *m = &cfg->modems[i];

		for (j = 0; j < i; j++) {
			struct gw_modem_config *o = &cfg->modems[j];

			if (m->name && o->name && !strcmp(m->name, o->name)) {
				diag(c, config_setting_source_file(list),
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
				diag(c, config_setting_source_file(list),
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

static void check_cross(struct ctx *c, config_t *cf, struct gw_config *cfg)
{
	config_setting_t *s = config_lookup(cf, "outbound.backoff_base_s");

	if (s && cfg->out_backoff_base_s > cfg->out_backoff_max_s)
		diag_at(c, s,
				"'outbound.backoff_base_s' (%d) must not "
				"exceed "
				"'outbound.backoff_max_s' (%d)",
				cfg->out_backoff_base_s,
				cfg->out_backoff_max_s);
}

/*
 * Moves the diagnostics into @errors sorted by line within each file, so
 * they read top to bottom ("missing" ones are found after a group's
 * settings but belong to its first line).  A stable insertion sort that
 * never moves one past another file's message keeps includes in place.
 */
static void flush_diags(struct ctx *c, struct gw_config_errors *errors)
{
	size_t i, j;
	char **lines;

	for (i = 1; i < c->ndiags; i++) {
		struct pending x = c->diags[i];

		for (j = i; j > 0 && !strcmp(c->diags[j - 1].file, x.file) &&
				c->diags[j - 1].line > x.line;
				j--)
			c->diags[j] = c->diags[j - 1];
		c->diags[j] = x;
	}
	if (!c->ndiags)
		return;
	lines = realloc(errors->lines,
			(errors->n + c->ndiags) * sizeof(*lines));
	if (!lines) {
		for (i = 0; i < c->ndiags; i++)
			free(c->diags[i].text);
		c->oom = true;
	} else {
		for (i = 0; i < c->ndiags; i++)
			lines[errors->n++] = c->diags[i].text;
		errors->lines = lines;
	}
	free(c->diags);
	c->diags = NULL;
	c->ndiags = 0;
}

int gw_config_load_stream(FILE *fp, const char *path,
		struct gw_config **ret_config, struct gw_config_errors *errors)
{
	struct ctx c = {.path = path};
	struct gw_config *cfg = NULL;
	const char *slash;
	config_t cf;
	int r;

	if (!fp || !path || !ret_config || !errors)
		return -EINVAL;
	config_init(&cf);
	/*
	 * "@include" names are relative to the including file's directory,
	 * not to wherever the daemon was started (libconfig copies it).
	 */
	slash = strrchr(path, '/');
	if (slash) {
		c.dir = strndup(path,
				slash == path ? 1 : (size_t) (slash - path));
		if (!c.dir) {
			r = -ENOMEM;
			goto out_destroy;
		}
		config_set_include_dir(&cf, c.dir);
	}
	if (!config_read(&cf, fp)) {
		const char *file = config_error_file(&cf);

		/* libconfig stops at the first syntax error. */
		diag(&c, file ? file : path, config_error_line(&cf), "%s",
				config_error_text(&cf));
		r = -EINVAL;
		goto out_destroy;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		r = -ENOMEM;
		goto out_destroy;
	}
	set_defaults(cfg);
	cfg->path = strdup(path);
	cfg->ack_template = strdup("已收到 #%id");
	if (!cfg->path || !cfg->ack_template)
		c.oom = true;
	parse_group(&c, config_root_setting(&cf), "", root_fields, cfg, cfg);
	check_cross(&c, &cf, cfg);
	r = c.ndiags ? -EINVAL : 0;

out_destroy:
	/* Before config_destroy(): the pending file names point into it. */
	flush_diags(&c, errors);
	config_destroy(&cf);
	free(c.dir);
	if (c.oom)
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
	struct ctx c = {.path = path};
	FILE *fp;
	int r;

	if (!path || !ret_config || !errors)
		return -EINVAL;
	/* Open it ourselves: libconfig does not tell "missing" from "bad". */
	fp = fopen(path, "r");
	if (!fp) {
		r = -errno;
		diag(&c, NULL, 0, "cannot open: %s", strerror(-r));
		flush_diags(&c, errors);
		return c.oom ? -ENOMEM : r;
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
