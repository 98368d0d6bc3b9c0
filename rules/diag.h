/*
 * rules/diag.h - diagnostics collected while loading a configuration:
 * every problem as "file:line: [warning: ]message", all of them, sorted
 * by file and line (OpenSMTPD's habit).  Shared by the daemon's config
 * (gateway/gwconfig.c) and the rule files (rules/load.c) so both report
 * errors one way; rules/confwalk.h is the schema walker on top of it.
 *
 * A struct diag_list starts zeroed ({0}) and is freed with diag_free().
 * Adding never fails loudly: out of memory sets ->oom, and the caller
 * reports that once.
 */
#ifndef RULES_DIAG_H
#define RULES_DIAG_H

#include <stdbool.h>
#include <stddef.h>

enum diag_level {
	DIAG_ERROR,
	DIAG_WARNING,
};

struct diag {
	enum diag_level level;
	char *file;	 /* owned; NULL = no file */
	int line;	 /* 0 = the whole file */
	char *text;	 /* owned: the message alone */
	char *line_text; /* owned: the formatted "file:line: ..." */
};

struct diag_list {
	struct diag *v;
	size_t n;
	size_t n_errors;
	bool oom;
};

/* Appends one diagnostic; @file may be NULL and is copied. */
void diag_add(struct diag_list *list, enum diag_level level, const char *file,
		int line, const char *fmt, ...)
		__attribute__((format(printf, 5, 6)));

/* Stable sort by file, then line (insertion order breaks ties). */
void diag_sort(struct diag_list *list);

/* Frees every entry and zeroes @list. */
void diag_free(struct diag_list *list);

#endif /* RULES_DIAG_H */
