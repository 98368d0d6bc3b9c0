/*
 * fieldgatectl pdu decode|encode: offline PDU tools for admins reading
 * +CMGR/+CMGL lines from logs and for checking what the daemon would send.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway/ctl.h"
#include "gateway/json.h"
#include "modem/sms_pdu.h"

void ctl_pdu_usage(FILE *f)
{
	fprintf(f, "usage: fieldgatectl pdu decode [--no-smsc] HEX\n"
		   "       fieldgatectl pdu encode --to NUMBER [--report] "
		   "[--class0]\n"
		   "                    [--smsc NUMBER] [--validity SECONDS] "
		   "[--ucs2]\n"
		   "                    [--ref N] [--json] TEXT\n"
		   "\n"
		   "decode: HEX as +CMGR/+CMGL print it (SMSC prefix first, "
		   "00 = none;\n"
		   "  --no-smsc if it starts with the TPDU). Prints every "
		   "field "
		   "as JSON.\n"
		   "encode: SMS-SUBMIT PDU(s) for TEXT (UTF-8), split into "
		   "concatenated\n"
		   "  parts when needed. One line per part: SEQ/TOTAL "
		   "CMGS_LENGTH HEX\n"
		   "  (CMGS_LENGTH is the <length> for AT+CMGS), or JSON with "
		   "--json.\n");
}

static void put_address(
		struct json *j, const char *key, const struct sms_address *a)
{
	json_begin_object(j, key);
	json_string(j, "number", a->number);
	json_int(j, "ton", a->ton);
	json_int(j, "npi", a->npi);
	json_bool(j, "alphanumeric", a->ton == SMS_TON_ALPHANUMERIC);
	json_end_object(j);
}

static void put_time(struct json *j, const char *key, const struct sms_scts *t)
{
	char iso[40];
	int q = t->tz_quarters < 0 ? -t->tz_quarters : t->tz_quarters;
	int64_t epoch;
	bool have_epoch;
	int year;

	/* The two-digit year nearest to now (a 1999 test vector stays 1999). */
	have_epoch = sms_scts_to_epoch_near(t, (int64_t) time(NULL), &epoch) ==
		     0;
	year = 2000 + t->year;
	if (have_epoch && epoch + t->tz_quarters * 900 < 946684800)
		year = 1900 + t->year;
	json_begin_object(j, key);
	json_int(j, "year", year);
	json_int(j, "month", t->month);
	json_int(j, "day", t->day);
	json_int(j, "hour", t->hour);
	json_int(j, "minute", t->minute);
	json_int(j, "second", t->second);
	json_int(j, "tz_quarters", t->tz_quarters);
	snprintf(iso, sizeof(iso), "%04d-%02u-%02uT%02u:%02u:%02u%c%02d:%02d",
			year, t->month, t->day, t->hour, t->minute, t->second,
			t->tz_quarters < 0 ? '-' : '+', q / 4, (q % 4) * 15);
	json_string(j, "local", iso);
	if (have_epoch)
		json_int(j, "utc_epoch", epoch);
	else
		json_null(j, "utc_epoch");
	json_end_object(j);
}

/* TS 23.040 §9.2.3.15 status ranges. */
static const char *status_class(uint8_t st)
{
	if (st <= 0x1f)
		return "delivered";
	if (st <= 0x3f)
		return "temporary-retrying";
	if (st <= 0x5f)
		return "permanent-error";
	return "temporary-gave-up";
}

static void print_sms(const struct sms *m)
{
	struct json j;

	json_init(&j, stdout, true);
	json_begin_object(&j, NULL);
	json_string(&j, "type", sms_type_name(m->type));
	if (m->has_smsc)
		put_address(&j, "smsc", &m->smsc);
	else
		json_null(&j, "smsc");
	json_int(&j, "first_octet", m->first_octet);
	json_begin_object(&j, "flags");
	if (m->type != SMS_TYPE_SUBMIT) {
		json_bool(&j, "mms", m->mms);
		json_bool(&j, "lp", m->lp);
	}
	if (m->type == SMS_TYPE_DELIVER)
		json_bool(&j, "sri", m->sri);
	if (m->type == SMS_TYPE_SUBMIT) {
		json_bool(&j, "rd", m->rd);
		json_bool(&j, "srr", m->srr);
	}
	if (m->type == SMS_TYPE_STATUS_REPORT)
		json_bool(&j, "srq", m->srq);
	if (m->type != SMS_TYPE_STATUS_REPORT)
		json_bool(&j, "rp", m->rp);
	json_bool(&j, "udhi", m->udhi);
	json_end_object(&j);
	if (m->type != SMS_TYPE_DELIVER)
		json_int(&j, "mr", m->mr);
	put_address(&j,
			m->type == SMS_TYPE_DELIVER  ? "originator"
			: m->type == SMS_TYPE_SUBMIT ? "destination"
						     : "recipient",
			&m->addr);
	json_int(&j, "pid", m->pid);
	json_begin_object(&j, "dcs");
	json_int(&j, "raw", m->dcs.raw);
	json_string(&j, "charset", sms_charset_name(m->dcs.charset));
	if (m->dcs.msg_class >= 0)
		json_int(&j, "class", m->dcs.msg_class);
	else
		json_null(&j, "class");
	json_bool(&j, "compressed", m->dcs.compressed);
	json_end_object(&j);
	if (m->type != SMS_TYPE_SUBMIT)
		put_time(&j, "scts", &m->scts);
	if (m->type == SMS_TYPE_SUBMIT) {
		json_begin_object(&j, "validity");
		switch (m->vpf) {
		case SMS_VPF_NONE:
			json_string(&j, "format", "none");
			break;
		case SMS_VPF_RELATIVE:
			json_string(&j, "format", "relative");
			json_int(&j, "raw", m->vp_relative);
			json_int(&j, "seconds", m->vp_seconds);
			break;
		case SMS_VPF_ABSOLUTE:
			json_string(&j, "format", "absolute");
			put_time(&j, "time", &m->vp_absolute);
			break;
		case SMS_VPF_ENHANCED:
			json_string(&j, "format", "enhanced");
			json_hex(&j, "raw", m->vp_enhanced, 7);
			break;
		}
		json_end_object(&j);
	}
	if (m->type == SMS_TYPE_STATUS_REPORT) {
		put_time(&j, "discharge_time", &m->discharge);
		json_int(&j, "status", m->status);
		json_string(&j, "status_class", status_class(m->status));
		json_int(&j, "pi", m->pi);
	}
	json_int(&j, "udl", m->udl);
	if (m->udh.present) {
		json_begin_object(&j, "udh");
		json_int(&j, "length", m->udh.len);
		if (m->udh.has_concat) {
			json_begin_object(&j, "concat");
			json_int(&j, "ref", m->udh.concat_ref);
			json_bool(&j, "ref16", m->udh.concat_16bit);
			json_int(&j, "total", m->udh.concat_total);
			json_int(&j, "seq", m->udh.concat_seq);
			json_end_object(&j);
		}
		if (m->udh.has_ports) {
			json_begin_object(&j, "ports");
			json_int(&j, "dst", m->udh.dst_port);
			json_int(&j, "src", m->udh.src_port);
			json_bool(&j, "ports16", m->udh.ports_16bit);
			json_end_object(&j);
		}
		json_end_object(&j);
	} else {
		json_null(&j, "udh");
	}
	if (m->data_len || m->dcs.charset == SMS_CHARSET_8BIT ||
			m->dcs.compressed) {
		json_null(&j, "text");
		json_hex(&j, "data", m->data, m->data_len);
	} else {
		json_string_len(&j, "text", m->text, m->text_len);
	}
	json_hex(&j, "ud", m->ud, m->ud_len);
	json_end_object(&j);
	json_finish(&j);
}

static int cmd_decode(int argc, char **argv)
{
	static struct sms m;
	const char *hex = NULL, *reason = "unknown error";
	unsigned flags = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--no-smsc")) {
			flags |= SMS_DECODE_NO_SMSC;
		} else if (!strcmp(argv[i], "--help")) {
			ctl_pdu_usage(stdout);
			return CTL_EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(stderr,
					"fieldgatectl pdu decode: unknown "
					"option '%s'\n",
					argv[i]);
			return CTL_EXIT_USAGE;
		} else if (!hex) {
			hex = argv[i];
		} else {
			fprintf(stderr, "fieldgatectl pdu decode: one PDU "
					"only\n");
			return CTL_EXIT_USAGE;
		}
	}
	if (!hex) {
		fprintf(stderr, "fieldgatectl pdu decode: missing HEX (the PDU "
				"to decode, as +CMGR/+CMGL print it)\n");
		ctl_pdu_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (sms_decode_hex(hex, strlen(hex), flags, &m, &reason) < 0) {
		fprintf(stderr, "fieldgatectl pdu decode: invalid PDU: %s\n",
				reason);
		return CTL_EXIT_FAIL;
	}
	print_sms(&m);
	return CTL_EXIT_OK;
}

/* The value s of option opt, 0..max; says on stderr when it is bad. */
static bool opt_uint(const char *opt, const char *s, unsigned long max,
		unsigned long *ret)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-')
		goto out_bad;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		goto out_bad;
	*ret = v;
	return true;
out_bad:
	fprintf(stderr, "fieldgatectl pdu encode: bad %s '%s'\n", opt, s);
	return false;
}

static int cmd_encode(int argc, char **argv)
{
	static struct sms_pdu_out out[SMS_MAX_PARTS];
	struct sms_submit_opts o;
	const char *text = NULL, *reason = "unknown error";
	bool json = false;
	unsigned long v;
	int i, n;

	sms_submit_opts_init(&o);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;

		if (!strcmp(a, "--to") && has_val) {
			o.to = argv[++i];
		} else if (!strcmp(a, "--smsc") && has_val) {
			o.smsc = argv[++i];
		} else if (!strcmp(a, "--report")) {
			o.status_report = true;
		} else if (!strcmp(a, "--class0")) {
			o.class0 = true;
		} else if (!strcmp(a, "--ucs2")) {
			o.charset = SMS_CHARSET_UCS2;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--validity") && has_val) {
			if (!opt_uint(a, argv[++i], 100000000UL, &v))
				return CTL_EXIT_USAGE;
			o.validity_seconds = (uint32_t) v;
		} else if (!strcmp(a, "--ref") && has_val) {
			if (!opt_uint(a, argv[++i], 255, &v))
				return CTL_EXIT_USAGE;
			o.concat_ref = (uint8_t) v;
		} else if (!strcmp(a, "--")) {
			if (i + 1 < argc && !text)
				text = argv[++i];
			if (i + 1 < argc) {
				fprintf(stderr, "fieldgatectl pdu encode: one "
						"TEXT argument only\n");
				return CTL_EXIT_USAGE;
			}
		} else if (a[0] == '-' && a[1] == '-') {
			fprintf(stderr,
					"fieldgatectl pdu encode: unknown "
					"option or missing value '%s'\n",
					a);
			return CTL_EXIT_USAGE;
		} else if (!text) {
			text = a;
		} else {
			fprintf(stderr, "fieldgatectl pdu encode: one TEXT "
					"argument only (quote it)\n");
			return CTL_EXIT_USAGE;
		}
	}
	if (!o.to || !text) {
		fprintf(stderr, "fieldgatectl pdu encode: need --to NUMBER "
				"and TEXT\n");
		ctl_pdu_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	n = sms_encode_submit(
			text, strlen(text), &o, out, SMS_MAX_PARTS, &reason);
	if (n < 0) {
		fprintf(stderr, "fieldgatectl pdu encode: %s\n", reason);
		return CTL_EXIT_FAIL;
	}
	if (json) {
		struct sms_segments seg;
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		if (sms_segment_count(text, strlen(text), &seg) == 0) {
			json_string(&j, "charset",
					sms_charset_name(
							o.charset == SMS_CHARSET_AUTO
									? seg.charset
									: o.charset));
		}
		json_int(&j, "parts", n);
		json_begin_array(&j, "pdus");
		for (i = 0; i < n; i++) {
			json_begin_object(&j, NULL);
			json_int(&j, "seq", out[i].seq);
			json_int(&j, "total", out[i].total);
			json_int(&j, "cmgs_length",
					(long long) out[i].tpdu_len);
			json_string(&j, "pdu", out[i].hex);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_end_object(&j);
		json_finish(&j);
	} else {
		for (i = 0; i < n; i++)
			printf("%u/%u %zu %s\n", out[i].seq, out[i].total,
					out[i].tpdu_len, out[i].hex);
	}
	return CTL_EXIT_OK;
}

int ctl_pdu_run(int argc, char **argv)
{
	static const struct ctl_subcmd subs[] = {
			{"decode", cmd_decode},
			{"encode", cmd_encode},
	};

	return ctl_run_subcmd("fieldgatectl pdu", subs,
			sizeof(subs) / sizeof(subs[0]), ctl_pdu_usage, argc,
			argv);
}
