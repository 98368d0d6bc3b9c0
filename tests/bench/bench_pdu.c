/*
 * PDU codec throughput: decode and encode a mix of GSM-7 short, UCS-2
 * Chinese and 3-part multipart messages. Prints messages per second.
 * Usage: tests/bench/bench_pdu [seconds-per-test, default 1]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modem/sms_pdu.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static const char *const texts[] = {
		"Stock 12 bags maize, 3 sold. Kampala east.",
		"\xe4\xbb\x8a\xe5\xa4\xa9\xe9\x94\x80\xe5\x94\xae\xe6\x8a\xa5"
		"\xe5\x91"
		"\x8a\xef\xbc\x9a\xe7\x8e\x89\xe7\xb1\xb3\xe5\x8d\x81\xe4\xba"
		"\x8c\xe8"
		"\xa2\x8b",
		NULL, /* long text, filled in main() */
};

int main(int argc, char **argv)
{
	static struct sms_pdu_out pdus[3][8];
	static struct sms m;
	static char longtext[420];
	struct sms_submit_opts so;
	struct sms_deliver_opts dopts;
	const char *mix[3];
	int nparts[3];
	double secs = argc > 1 ? atof(argv[1]) : 1.0, t0, t;
	unsigned long n;
	size_t i;
	int rc;

	memset(longtext, 'x', 400);
	for (i = 0; i < 400; i += 37)
		longtext[i] = ' ';
	longtext[400] = '\0';
	mix[0] = texts[0];
	mix[1] = texts[1];
	mix[2] = longtext;

	sms_deliver_opts_init(&dopts);
	dopts.from = "+256772123456";
	dopts.scts = (struct sms_scts){26, 11, 27, 11, 45, 0, 12};
	for (i = 0; i < 3; i++) {
		nparts[i] = sms_encode_deliver(mix[i], strlen(mix[i]), &dopts,
				pdus[i], 8, NULL);
		if (nparts[i] < 1)
			return 1;
	}

	/* Decode: one "message" is all parts of one of the three texts. */
	n = 0;
	t0 = now_s();
	do {
		for (i = 0; i < 3; i++) {
			for (int k = 0; k < nparts[i]; k++) {
				const char *h = pdus[i][k].hex;

				rc = sms_decode_hex(h, strlen(h), 0, &m, NULL);
				if (rc)
					return 1;
			}
			n++;
		}
		t = now_s();
	} while (t - t0 < secs);
	printf("decode: %.0f messages/s (mix: gsm7 short, ucs2 chinese, "
	       "3-part gsm7; %d PDUs per 3 messages)\n",
			(double) n / (t - t0),
			nparts[0] + nparts[1] + nparts[2]);

	sms_submit_opts_init(&so);
	so.to = "+256772123456";
	so.status_report = true;
	n = 0;
	t0 = now_s();
	do {
		for (i = 0; i < 3; i++) {
			rc = sms_encode_submit(mix[i], strlen(mix[i]), &so,
					pdus[i], 8, NULL);
			if (rc < 1)
				return 1;
			n++;
		}
		t = now_s();
	} while (t - t0 < secs);
	printf("encode: %.0f messages/s (same mix, SMS-SUBMIT)\n",
			(double) n / (t - t0));
	return 0;
}
