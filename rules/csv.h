/*
 * rules/csv.h - a streaming CSV record reader (RFC 4180): quoted fields
 * with "" for a quote and line breaks inside quotes, CRLF or LF record
 * ends, a UTF-8 byte order mark skipped, every field checked to be valid
 * UTF-8 without NUL, bounded field sizes and counts, and the line number
 * each record starts on.  Pure: the bytes come from the caller's read
 * callback; memory stays bounded by the limits whatever the file size.
 *
 * A bad record (bad UTF-8, a stray quote, a field or record too long) is
 * reported as an error for that record with its line, and reading goes on
 * with the next record, so an import can list every bad row.  Only an
 * unterminated quote at the end of the input ends the file.
 */
#ifndef RULES_CSV_H
#define RULES_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Reads up to @size bytes into @buf: returns how many (0 = end of input),
 * or a negative errno (reading stops and csv_next() returns it).
 */
typedef ssize_t (*csv_read_fn)(void *user, char *buf, size_t size);

struct csv_opts {
	size_t max_field;  /* bytes per field (0: 4096) */
	size_t max_fields; /* fields per record (0: 64) */
	bool skip_blank; /* ignore empty lines (default in csv_opts_default) */
};

void csv_opts_default(struct csv_opts *opts);

struct csv_reader;

/*
 * A new reader pulling bytes through @read(@user).  @opts may be NULL
 * (defaults).  Returns 0 and *ret (free with csv_free()), or -ENOMEM.
 */
int csv_new(const struct csv_opts *opts, csv_read_fn read, void *user,
		struct csv_reader **ret);
void csv_free(struct csv_reader *r);

/*
 * One record.  fields[i] are NUL-terminated, valid UTF-8, owned by the
 * reader and valid until the next csv_next() call; lens[i] their lengths.
 */
struct csv_record {
	const char *const *fields;
	const size_t *lens;
	size_t n;
	int64_t line;	  /* physical line the record starts on, from 1 */
	int64_t end_line; /* line it ends on (quoted line breaks) */
};

/*
 * Reads the next record.  Returns 1 with *rec, 0 at the end of input, or
 * a negative code for a bad record, whose line is csv_error_line() and
 * reason csv_error() (the next call reads the record after it):
 *   -EILSEQ    a field is not valid UTF-8 or holds a NUL byte
 *   -EBADMSG   a quote inside an unquoted field, or text after a closing
 *              quote; or an unterminated quote (then the input is over)
 *   -E2BIG     a field longer than max_field, or more than max_fields
 *   -ENOMEM, or the read callback's error (reading is over)
 */
int csv_next(struct csv_reader *r, struct csv_record *rec);

/* The reason of the last error ("field 3: invalid UTF-8 at byte 5"). */
const char *csv_error(const struct csv_reader *r);
int64_t csv_error_line(const struct csv_reader *r);

/* Bytes consumed so far (for a progress display). */
uint64_t csv_bytes_read(const struct csv_reader *r);

/*
 * Header detection: true when @rec's first field equals @first_name
 * ignoring ASCII case and surrounding spaces ("radio" for OpenCellID,
 * "phone", "code").
 */
bool csv_is_header(const struct csv_record *rec, const char *first_name);

/*
 * Checks @len bytes of UTF-8 (no NUL, no overlong forms, no surrogates,
 * nothing past U+10FFFF).  Returns -1 when valid, else the offset of the
 * first bad byte.
 */
ssize_t csv_utf8_invalid_at(const char *s, size_t len);

#endif /* RULES_CSV_H */
