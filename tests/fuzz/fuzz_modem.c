/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the modem driver fed arbitrary modem output.
 *
 * The driver talks to a pseudo-terminal whose master side this harness
 * holds: every input is cut into chunks at 0xFF bytes, each chunk is
 * written as "what the modem said", then the driver reads it and the
 * clock moves on (so deadlines, resyncs, resets and reopens happen too).
 * Whatever the driver writes is drained and thrown away. Received SMS are
 * released at once (committed or not), a send and a USSD request are
 * issued when READY. Invariants: no crash, no leak, no sanitizer report,
 * each send callback at most once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "modem/modem.h"

static int master = -1;
static char slave[64];

static int setup(void)
{
	struct termios t;
	char *name;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		return -1;
	name = ptsname(master);
	if (!name)
		return -1;
	snprintf(slave, sizeof(slave), "tty:%s", name);
	if (tcgetattr(master, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(master, TCSANOW, &t);
	}
	return 0;
}

static void drain(void)
{
	char buf[4096];

	while (read(master, buf, sizeof(buf)) > 0)
		;
}

static unsigned sends_done;

static void on_sms(struct modem *m, struct modem_sms *sms, void *ud)
{
	(void) ud;
	modem_sms_release(m, sms, sms->id & 1);
}

static void on_send(struct modem *m, uint64_t id,
		const struct modem_send_result *r, void *ud)
{
	(void) m;
	(void) id;
	(void) r;
	(void) ud;
	sends_done++;
}

static void on_ussd(struct modem *m, const struct modem_ussd_reply *r, void *ud)
{
	(void) m;
	(void) ud;
	if (r->m == 1)
		modem_ussd_cancel(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct modem_callbacks cbs = {
			.sms = on_sms,
			.ussd = on_ussd,
	};
	struct modem_config cfg;
	struct modem *m;
	uint64_t now = 1000;
	size_t i = 1, j;
	bool sent = false, asked = false;
	int64_t id = 0;

	if (master < 0 && setup() < 0)
		return 0;
	if (size < 1 || size > 8192)
		return 0;
	tcflush(master, TCIOFLUSH);
	drain();
	modem_config_init(&cfg);
	cfg.device = slave;
	cfg.delivery = data[0] & 1 ? MODEM_DELIVERY_DIRECT
				   : MODEM_DELIVERY_STORED;
	cfg.text_mode_fallback = data[0] & 2;
	cfg.ussd_mode = (enum ussd_mode)((data[0] >> 2) % 3);
	cfg.pin = data[0] & 32 ? "1234" : NULL;
	cfg.storage = data[0] & 64 ? "ME" : "SM";
	if (modem_new(&cfg, &cbs, NULL, &m) < 0)
		return 0;
	sends_done = 0;
	modem_start(m, now);
	while (i < size) {
		for (j = i; j < size && data[j] != 0xFF; j++)
			;
		drain();
		if (j > i && write(master, data + i, j - i) < 0 &&
				errno != EAGAIN)
			break;
		modem_handle_readable(m, now);
		modem_handle_writable(m, now);
		/* Each chunk separator lets time pass: 0.1 s .. 25 s. */
		now += 100 + (j + 1 < size ? (uint64_t) data[j + 1] * 100 : 0);
		modem_tick(m, now);
		if (modem_get_state(m) == MODEM_STATE_READY) {
			if (!sent) {
				id = modem_send_pdu(m,
						"0001000B915627000000"
						"F000000341E110",
						16, on_send, NULL);
				sent = true;
			} else if (!asked) {
				modem_ussd(m, "*131#", on_ussd, NULL);
				asked = true;
			}
		}
		i = j + 1;
	}
	drain();
	if (getenv("FUZZ_MODEM_TRACE"))
		fprintf(stderr, "final state %s (%s), sends done %u\n",
				modem_state_str(modem_get_state(m)),
				modem_last_error(m), sends_done);
	modem_free(m);
	/* Exactly one completion for the accepted send. */
	if (id > 0 && sends_done != 1)
		abort();
	return 0;
}
