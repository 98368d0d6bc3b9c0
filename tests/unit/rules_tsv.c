/* tests/unit/rules_tsv.c - reader for tests/data/rules/NAME.tsv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modem/ucs2.h"
#include "tests/unit/rules_tsv.h"
#include "tests/unit/testutil.h"

static char path_buf[4096];

const char *tsv_path(void)
{
	return path_buf;
}

static void die(int line, const char *what)
{
	fprintf(stderr, "%s:%d: %s\n", path_buf, line, what);
	exit(99);
}

static unsigned long hexn(const char *s, int n, int line)
{
	unsigned long v = 0;
	int i;

	for (i = 0; i < n; i++) {
		int h = tu_hexval((unsigned char) s[i]);

		if (h < 0)
			die(line, "bad hex escape");
		v = v * 16 + (unsigned long) h;
	}
	return v;
}

/* Unescapes @s in place; returns the new length. */
static size_t unescape(char *s, int line)
{
	char *w = s;
	const char *r = s;

	if (strcmp(s, "\"\"") == 0) {
		*s = '\0';
		return 0;
	}
	while (*r) {
		char enc[4];
		int k;

		if (*r != '\\') {
			*w++ = *r++;
			continue;
		}
		r++;
		switch (*r) {
		case 't':
			*w++ = '\t';
			r++;
			break;
		case 'n':
			*w++ = '\n';
			r++;
			break;
		case 'r':
			*w++ = '\r';
			r++;
			break;
		case 's':
			*w++ = ' ';
			r++;
			break;
		case '\\':
			*w++ = '\\';
			r++;
			break;
		case 'x':
			if (strlen(r + 1) < 2)
				die(line, "short \\x escape");
			*w++ = (char) hexn(r + 1, 2, line);
			r += 3;
			break;
		case 'u':
		case 'U': {
			int digits = *r == 'u' ? 4 : 6;

			if ((int) strlen(r + 1) < digits)
				die(line, "short \\u escape");
			k = utf8_encode_one(
					(uint32_t) hexn(r + 1, digits, line),
					enc);
			if (k < 0)
				die(line, "bad code point");
			memcpy(w, enc, (size_t) k);
			w += k;
			r += 1 + digits;
			break;
		}
		default:
			die(line, "unknown escape");
		}
	}
	*w = '\0';
	return (size_t) (w - s);
}

struct tsv_row *tsv_load(const char *rel, int *ret_n)
{
	struct tsv_row *rows = NULL;
	int n = 0, cap = 0, line = 0;
	char buf[8192];
	FILE *f;

	f = fopen(tu_top_path(rel, path_buf, sizeof(path_buf)), "r");
	if (!f)
		die(0, "cannot open (is top_srcdir set?)");
	while (fgets(buf, sizeof(buf), f)) {
		struct tsv_row row;
		char *p, *tab;
		size_t l = strlen(buf);

		line++;
		if (l && buf[l - 1] == '\n')
			buf[--l] = '\0';
		if (l == 0 || buf[0] == '#')
			continue;
		memset(&row, 0, sizeof(row));
		row.line = line;
		p = strdup(buf);
		if (!p)
			die(line, "out of memory");
		for (;;) {
			if (row.n == TSV_MAX_FIELDS)
				die(line, "too many fields");
			tab = strchr(p, '\t');
			if (tab)
				*tab = '\0';
			row.f[row.n] = p;
			row.len[row.n] = unescape(p, line);
			row.n++;
			if (!tab)
				break;
			p = tab + 1;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			rows = realloc(rows, (size_t) cap * sizeof(*rows));
			if (!rows)
				die(line, "out of memory");
		}
		rows[n++] = row;
	}
	fclose(f);
	*ret_n = n;
	return rows;
}
