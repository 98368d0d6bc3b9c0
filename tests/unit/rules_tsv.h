/*
 * tests/unit/rules_tsv.h - the data files of the rules/ lexer tests
 * (tests/data/rules/NAME.tsv): one case per line, fields separated by TAB,
 * '#' comment lines and blank lines skipped.
 *
 * Escapes inside a field, so invisible characters stay readable:
 *   \t \n \r \\   tab, line feed, carriage return, backslash
 *   \xHH          one raw byte (may make the field invalid UTF-8)
 *   \uXXXX        one code point (4 hex digits) as UTF-8
 *   \UXXXXXX      one code point (6 hex digits) as UTF-8
 *   \s            a space (where a trailing space would be invisible)
 * A field that is exactly "" is the empty string.
 */
#ifndef FIELDGATE_TESTS_RULES_TSV_H
#define FIELDGATE_TESTS_RULES_TSV_H

#include <stddef.h>

#define TSV_MAX_FIELDS 8

struct tsv_row {
	int line;		    /* 1-based line in the file */
	int n;			    /* fields */
	char *f[TSV_MAX_FIELDS];    /* unescaped, NUL-terminated */
	size_t len[TSV_MAX_FIELDS]; /* bytes (a field may hold \x00) */
};

/*
 * Loads $top_srcdir/@rel (or ./@rel); returns the rows (malloc'd, never
 * freed: test programs exit) and sets *ret_n.  Exits the program with a
 * message on a missing file or a malformed escape.
 */
struct tsv_row *tsv_load(const char *rel, int *ret_n);

/* The path tsv_load() read, for messages. */
const char *tsv_path(void);

#endif
