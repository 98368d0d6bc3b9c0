/*
 * gateway/gwconfig.h - fieldgated's configuration file (libconfig syntax).
 *
 * gw_config_load() reads the file into a struct gw_config.  Validation is
 * strict, because a typo in a daemon config should fail loudly at start or
 * at `fieldgated -t`, not be ignored for months: unknown settings, wrong
 * types, out-of-range values, duplicate modem names and devices and missing
 * required settings are all errors.  EVERY error is collected and reported
 * as "file:line: message" (OpenSMTPD's habit); the load fails if there was
 * any.  The one exception is a syntax error: libconfig stops at the first,
 * so that one is reported alone.
 *
 * The reference of every setting is docs/fieldgate.conf.5.
 */
#ifndef GATEWAY_CONFIG_H
#define GATEWAY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gateway/log.h"

/* Preferred SMS storage (3GPP TS 27.005 §3.2.2, AT+CPMS). */
enum gw_storage {
	GW_STORAGE_SM, /* SIM */
	GW_STORAGE_ME, /* modem memory */
	GW_STORAGE_MT, /* both, SIM first */
};

/* How new messages reach us (3GPP TS 27.005 §3.4.1, AT+CNMI). */
enum gw_delivery {
	GW_DELIVERY_STORED, /* stored, +CMTI index; read, then delete */
	GW_DELIVERY_DIRECT, /* +CMT with the PDU; ack with +CNMA */
};

/* How USSD strings are sent and read (3GPP TS 27.007 §7.15, +CUSD). */
enum gw_ussd_encoding {
	GW_USSD_PLAIN, /* plain text in the TE character set */
	GW_USSD_UCS2,  /* hex UCS-2 */
	/* hex of packed GSM 7-bit (3GPP TS 23.038 §6.1.2.3) */
	GW_USSD_GSM7_PACKED,
};

/* What to do with a part whose fate is unknown (SPEC §4). */
enum gw_resend_unknown {
	GW_RESEND_NEVER,	     /* mark it unknown, never resend */
	GW_RESEND_REJECT_DUPLICATES, /* resend with TP-RD set */
};

struct gw_modem_config {
	char *name; /* unique [A-Za-z0-9_.-]{1,32}, logs, DB */
	/* "/dev/...", "usb-serial:SERIAL" or "tty:/dev/pts/N" */
	char *device;
	int baud;
	bool rtscts; /* hardware flow control */
	char *pin;   /* SIM PIN or NULL; never logged */
	enum gw_storage storage;
	enum gw_delivery delivery;
	bool text_mode_fallback; /* use AT+CMGF=1 if PDU mode fails */
	enum gw_ussd_encoding ussd_encoding;
	int send_rate;	       /* messages per minute */
	int daily_cap;	       /* messages per day, 0 = no cap */
	int status_interval_s; /* registration/signal refresh period */
	int sweep_interval_s;  /* storage sweep period, 0 = never */
	char *smsc;	       /* service centre override or NULL (SIM's) */
	int line;	       /* line of the modem's entry, for messages */
};

struct gw_config {
	char *path; /* the file it was loaded from */

	char *db_conninfo; /* libpq connection string */
	int db_statement_timeout_ms;
	int db_connect_timeout_s;
	bool db_auto_migrate; /* db_migrate() at start-up */

	/*
	 * Names this daemon in claimed_by columns, so that a restarted
	 * daemon recovers exactly its own unfinished sends.  NULL: the
	 * host name and the configuration file's path.
	 */
	char *daemon_id;

	char *rules_file; /* NULL: the default handler */
	char *timezone;	  /* NULL: system local time */

	enum log_level log_level;
	unsigned log_categories; /* enum log_category bits */
	bool log_personal_info;
	bool log_timestamps;

	struct gw_modem_config *modems;
	size_t n_modems;

	int out_max_attempts;
	int out_backoff_base_s;
	int out_backoff_max_s;
	enum gw_resend_unknown out_resend_unknown;
	int out_lease_s; /* claim lease, renewed every third of it */

	int multipart_timeout_s; /* then stored as partial */

	char *ack_template;	  /* "%id" = message id, "%%" = '%' */
	int reply_limit_per_hour; /* replies to one sender per hour */
	/* senders of at most this many digits are short codes: no reply */
	int short_code_max_digits;
};

/* Every diagnostic of one load, each "file:line: message". */
struct gw_config_errors {
	char **lines;
	size_t n;
};

/*
 * Loads and validates @path.  On success returns 0 and gives the caller a
 * config in @ret_config (free with gw_config_free()).  On failure returns
 * -EINVAL (the file has errors; every one is appended to @errors),
 * -ENOENT/-EACCES/-EIO (the file cannot be read; one line in @errors), or
 * -ENOMEM.  @errors must be zeroed by the caller; the caller frees its
 * content with gw_config_errors_done() in every case.
 */
int gw_config_load(const char *path, struct gw_config **ret_config,
		struct gw_config_errors *errors)
		__attribute__((warn_unused_result));

/*
 * Same as gw_config_load(), reading from @fp (borrowed, not closed);
 * @path names it in messages and locates "@include"d files.
 */
int gw_config_load_stream(FILE *fp, const char *path,
		struct gw_config **ret_config, struct gw_config_errors *errors)
		__attribute__((warn_unused_result));

/* Frees a config from gw_config_load().  Accepts NULL. */
void gw_config_free(struct gw_config *config);

/* Frees the lines and zeroes @errors. */
void gw_config_errors_done(struct gw_config_errors *errors);

/* The modem called @name, or NULL.  Borrowed from @config. */
const struct gw_modem_config *gw_config_find_modem(
		const struct gw_config *config, const char *name);

/*
 * Renders an acknowledgement template: "%id" becomes @id, "%%" a '%'.
 * Writes a NUL-terminated string into @buf of @size bytes and returns its
 * length, or -EINVAL (another '%' sequence) / -ENOSPC (does not fit).
 */
int gw_config_render_ack(const char *tmpl, int64_t id, char *buf, size_t size);

/* Names as written in the file, for logs and status output. */
const char *gw_storage_name(enum gw_storage storage);
const char *gw_delivery_name(enum gw_delivery delivery);
const char *gw_ussd_encoding_name(enum gw_ussd_encoding enc);
const char *gw_resend_unknown_name(enum gw_resend_unknown policy);

#endif /* GATEWAY_CONFIG_H */
