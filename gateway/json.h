/*
 * Tiny streaming JSON writer for fieldgatectl output. Strings are escaped
 * per RFC 8259 §7 (quote, backslash, control characters); bytes that are
 * not valid UTF-8 are written as U+FFFD so the output is always valid JSON.
 * Nesting is limited to JSON_MAX_DEPTH; deeper calls are ignored.
 */
#ifndef FIELDGATE_GATEWAY_JSON_H
#define FIELDGATE_GATEWAY_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f; /* borrowed; not closed */
	int depth;
	bool first[JSON_MAX_DEPTH]; /* no member written yet at this level */
	bool pretty;		    /* newline + two-space indent */
};

/* Start writing to f (borrowed). */
void json_init(struct json *j, FILE *f, bool pretty);

/*
 * Containers and values. `key` is the member name inside an object, NULL
 * inside an array or at the top level.
 */
void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);
void json_string(struct json *j, const char *key, const char *val);
void json_string_len(
		struct json *j, const char *key, const char *val, size_t len);
void json_hex(struct json *j, const char *key, const uint8_t *p, size_t n);
void json_int(struct json *j, const char *key, long long val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

/* End the document with a newline. */
void json_finish(struct json *j);

/* Write s (len bytes) as a quoted, escaped JSON string to f. */
void json_write_escaped(FILE *f, const char *s, size_t len);

#endif
