/*
 * fieldgatectl send NUMBER TEXT: queue one SMS by inserting its row
 * (db_outbound_enqueue()); the table's trigger NOTIFYs the daemons
 * (fieldgate_outbound) at commit, so nothing here talks to a daemon.
 */
#include <errno.h>
#include <string.h>

#include "db/store.h"
#include "gateway/ctl.h"
#include "modem/sms_pdu.h"

void ctl_send_usage(FILE *f)
{
	fprintf(f, "usage: fieldgatectl send [--priority "
		   "ack|alert|normal|bulk] "
		   "[--modem NAME]\n"
		   "                         [--json] NUMBER TEXT\n"
		   "\n"
		   "Queues TEXT (UTF-8) for NUMBER and prints the message id. "
		   "NUMBER is '+'\n"
		   "and 3-20 digits (spaces, dashes, dots and brackets are "
		   "dropped, 00 becomes\n"
		   "+). A running fieldgated is woken by the database and "
		   "sends "
		   "it; watch it\n"
		   "with `fieldgatectl outbox`. A warning on stderr says when "
		   "TEXT needs\n"
		   "several SMS. --priority: normal by default; ack and alert "
		   "go first, bulk\n"
		   "last. --modem: send through that modem "
		   "only.\n" CTL_CONN_HELP);
}

static int parse_priority(const char *s, int *ret)
{
	static const struct {
		const char *name;
		int prio;
	} prios[] = {
			{"ack", DB_PRIO_ACK},
			{"alert", DB_PRIO_ALERT},
			{"normal", DB_PRIO_NORMAL},
			{"bulk", DB_PRIO_BULK},
	};
	size_t i;

	for (i = 0; i < sizeof(prios) / sizeof(prios[0]); i++) {
		if (!strcmp(s, prios[i].name)) {
			*ret = prios[i].prio;
			return 0;
		}
	}
	return -EINVAL;
}

int ctl_send_run(int argc, char **argv)
{
	static const char prog[] = "fieldgatectl send";
	struct db_outbound_new msg = {0};
	const char *number = NULL, *text = NULL, *modem = NULL;
	char norm[DB_PHONE_MAX];
	struct sms_segments seg;
	struct ctl_session s;
	struct db_error err;
	bool json = false, is_new, dashdash = false;
	int64_t id;
	int i, r, prio = DB_PRIO_NORMAL;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!dashdash && a[0] == '-' && a[1]) {
			r = ctl_common_option(
					argc, argv, &i, &json, ctl_send_usage);
			if (r == CTL_OPT_TAKEN)
				continue;
			if (r != CTL_OPT_OTHER)
				return r;
			if (!strcmp(a, "--")) {
				dashdash = true;
			} else if (!strcmp(a, "--priority") && i + 1 < argc) {
				if (parse_priority(argv[++i], &prio) < 0) {
					fprintf(stderr,
							"%s: bad --priority "
							"'%s' (ack, alert, "
							"normal or bulk)\n",
							prog, argv[i]);
					return CTL_EXIT_USAGE;
				}
			} else if (!strcmp(a, "--modem") && i + 1 < argc) {
				modem = argv[++i];
			} else {
				return ctl_bad_option(prog, a);
			}
		} else if (!number) {
			number = a;
		} else if (!text) {
			text = a;
		} else {
			fprintf(stderr,
					"%s: one NUMBER and one TEXT (quote "
					"the text)\n",
					prog);
			return CTL_EXIT_USAGE;
		}
	}
	if (!number || !text) {
		ctl_send_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (db_phone_normalize(number, norm) < 0) {
		fprintf(stderr,
				"%s: invalid number '%s': expected '+' and "
				"3-20 digits, e.g. +8613800138000\n",
				prog, number);
		return CTL_EXIT_FAIL;
	}
	if (!*text) {
		fprintf(stderr, "%s: empty text\n", prog);
		return CTL_EXIT_FAIL;
	}
	if (sms_segment_count(text, strlen(text), &seg) < 0) {
		fprintf(stderr, "%s: the text is not valid UTF-8\n", prog);
		return CTL_EXIT_FAIL;
	}
	if (seg.parts > SMS_MAX_PARTS) {
		fprintf(stderr,
				"%s: the text needs %u SMS; at most %d can "
				"be joined\n",
				prog, seg.parts, SMS_MAX_PARTS);
		return CTL_EXIT_FAIL;
	}
	if (seg.parts > 1)
		fprintf(stderr,
				"%s: warning: the text needs %u SMS (%s, %u "
				"characters, %u per part)\n",
				prog, seg.parts, sms_charset_name(seg.charset),
				seg.units, seg.units_per_part);
	if (norm[0] != '+')
		fprintf(stderr,
				"%s: warning: %s has no country code; the "
				"modem's network will read it as a national "
				"number\n",
				prog, norm);

	if (ctl_open(prog, true, &s) < 0)
		return CTL_EXIT_FAIL;
	if (modem && ctl_check_modem(&s, modem) < 0)
		goto out_fail;
	msg.recipient = norm;
	msg.text = text;
	msg.priority = prio;
	msg.kind = "manual";
	msg.requested_modem = modem;
	r = db_outbound_enqueue(s.db, &msg, &id, &is_new, &err);
	if (r < 0) {
		ctl_db_error(&s, "queueing the message", r, &err);
		goto out_fail;
	}
	ctl_close(&s);
	if (json) {
		struct json j;

		json_init(&j, stdout, true);
		json_begin_object(&j, NULL);
		json_int(&j, "id", id);
		json_string(&j, "recipient", norm);
		json_int(&j, "parts", seg.parts);
		json_string(&j, "charset", sms_charset_name(seg.charset));
		json_end_object(&j);
		json_finish(&j);
	} else {
		printf("%lld\n", (long long) id);
	}
	return CTL_EXIT_OK;
out_fail:
	ctl_close(&s);
	return CTL_EXIT_FAIL;
}
