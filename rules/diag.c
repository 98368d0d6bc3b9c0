/*
 * rules/diag.c - the diagnostic list (rules/diag.h).
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/diag.h"

void diag_add(struct diag_list *list, enum diag_level level, const char *file,
		int line, const char *fmt, ...)
{
	char msg[1024], *text = NULL, *file_copy = NULL, *full = NULL;
	const char *warn = level == DIAG_WARNING ? "warning: " : "";
	struct diag *v;
	va_list ap;
	int n;

	if (!list)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	text = strdup(msg);
	if (file)
		file_copy = strdup(file);
	if (!file)
		n = asprintf(&full, "%s%s", warn, msg);
	else if (line > 0)
		n = asprintf(&full, "%s:%d: %s%s", file, line, warn, msg);
	else
		n = asprintf(&full, "%s: %s%s", file, warn, msg);
	if (n < 0)
		full = NULL;
	if (!text || (file && !file_copy) || !full)
		goto fail;
	v = realloc(list->v, (list->n + 1) * sizeof(*v));
	if (!v)
		goto fail;
	list->v = v;
	v[list->n].level = level;
	v[list->n].file = file_copy;
	v[list->n].line = line;
	v[list->n].text = text;
	v[list->n].line_text = full;
	list->n++;
	if (level == DIAG_ERROR)
		list->n_errors++;
	return;
fail:
	free(text);
	free(file_copy);
	free(full);
	list->oom = true;
	if (level == DIAG_ERROR)
		list->n_errors++; /* an error was lost, it still counts */
}

/*
 * Files keep the order in which they first appear (an @include's
 * messages stay where it was included); within a file, by line.
 */
static size_t file_rank(
		const struct diag_list *list, size_t upto, const char *file)
{
	size_t i;

	for (i = 0; i < upto; i++) {
		const char *f = list->v[i].file;

		if ((!f && !file) || (f && file && !strcmp(f, file)))
			return i;
	}
	return upto;
}

void diag_sort(struct diag_list *list)
{
	size_t i, j, *rank;

	if (!list || list->n < 2)
		return;
	rank = malloc(list->n * sizeof(*rank));
	if (!rank) {
		list->oom = true;
		return;
	}
	for (i = 0; i < list->n; i++)
		rank[i] = file_rank(list, i, list->v[i].file);
	/* Stable insertion sort on (rank, line). */
	for (i = 1; i < list->n; i++) {
		struct diag x = list->v[i];
		size_t r = rank[i];

		for (j = i; j > 0 &&
				(rank[j - 1] > r ||
						(rank[j - 1] == r &&
								list->v[j - 1].line >
										x.line));
				j--) {
			list->v[j] = list->v[j - 1];
			rank[j] = rank[j - 1];
		}
		list->v[j] = x;
		rank[j] = r;
	}
	free(rank);
}

void diag_free(struct diag_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->n; i++) {
		free(list->v[i].file);
		free(list->v[i].text);
		free(list->v[i].line_text);
	}
	free(list->v);
	memset(list, 0, sizeof(*list));
}
