/*
 * libFuzzer target: every decode entry point on arbitrary bytes (binary
 * with and without SMSC, and as hex text), then feed what decodes into the
 * reassembler. Decoders must return 0 or -EINVAL, never crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modem/sms_concat.h"
#include "modem/sms_pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed(struct sms_reasm *r, const struct sms *m, int64_t now)
{
	struct sms_part p;
	struct sms_concat_result res;
	int rc;

	if (sms_part_from_sms(m, now, &p) < 0)
		return;
	rc = sms_reasm_add(r, &p, now, &res, NULL);
	if (rc == SMS_REASM_COMPLETE) {
		if (strlen(res.text) != res.text_len)
			abort();
		sms_concat_result_done(&res);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sms m;
	struct sms_reasm *r = sms_reasm_new(10, 4);
	struct sms_concat_result res;
	const char *reason = NULL;
	int rc;

	if (!r)
		return 0;
	rc = sms_decode(data, size, 0, &m, &reason);
	if (rc != 0 && (rc != -EINVAL || !reason))
		abort();
	if (rc == 0) {
		if (strlen(m.text) != m.text_len)
			abort();
		feed(r, &m, 1);
	}
	rc = sms_decode(data, size, SMS_DECODE_NO_SMSC, &m, &reason);
	if (rc == 0)
		feed(r, &m, 2);
	rc = sms_decode_hex((const char *) data, size, 0, &m, &reason);
	if (rc == 0)
		feed(r, &m, 3);
	/* Split the input in two PDUs: parts of one message, maybe. */
	if (size > 2) {
		size_t half = data[0] % size;

		if (sms_decode(data + 1, half, 0, &m, NULL) == 0)
			feed(r, &m, 4);
		if (sms_decode(data + 1 + half, size - 1 - half, 0, &m, NULL) ==
				0)
			feed(r, &m, 5);
	}
	while (sms_reasm_expire(r, 100, &res) == 1)
		sms_concat_result_done(&res);
	sms_reasm_free(r);
	return 0;
}
