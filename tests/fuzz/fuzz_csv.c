/*
 * tests/fuzz/fuzz_csv.c - rules/csv.h on arbitrary bytes, read in chunks
 * whose sizes come from the input: every record is valid UTF-8 without
 * NUL and within the limits, errors carry a reason, the reader ends.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
	const uint8_t *p;
	size_t len, chunk;
};

static ssize_t src_read(void *user, char *buf, size_t size)
{
	struct src *s = user;
	size_t n = s->len < size ? s->len : size;

	if (n > s->chunk)
		n = s->chunk;
	memcpy(buf, s->p, n);
	s->p += n;
	s->len -= n;
	return (ssize_t) n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_opts o;
	struct csv_reader *r;
	struct csv_record rec;
	struct src s;
	size_t i, records = 0;
	int rc;

	if (size < 1)
		return 0;
	csv_opts_default(&o);
	o.max_field = 64;
	o.max_fields = 8;
	o.skip_blank = data[0] & 1;
	s.p = data + 1;
	s.len = size - 1;
	s.chunk = (data[0] >> 1) + 1;
	if (csv_new(&o, src_read, &s, &r) < 0)
		return 0;
	while ((rc = csv_next(r, &rec)) != 0) {
		if (rc < 0) {
			if (!csv_error(r)[0])
				abort();
			if (rc != -EILSEQ && rc != -EBADMSG && rc != -E2BIG)
				abort();
			continue;
		}
		if (rec.n == 0 || rec.n > o.max_fields || rec.line < 1 ||
				rec.end_line < rec.line)
			abort();
		for (i = 0; i < rec.n; i++)
			if (rec.lens[i] > o.max_field ||
					strlen(rec.fields[i]) != rec.lens[i] ||
					csv_utf8_invalid_at(rec.fields[i],
							rec.lens[i]) >= 0)
				abort();
		if (++records > size + 1)
			abort();
	}
	if (csv_bytes_read(r) != size - 1)
		abort();
	csv_free(r);
	return 0;
}
