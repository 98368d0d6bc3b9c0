/*
 * rules/arena.c - a bump allocator: a rule set, a parse and a decision
 * each own one, freed at once.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

struct r_chunk {
	struct r_chunk *next;
	size_t size, used;
	max_align_t data[];
};

void *r_alloc(struct r_arena *a, size_t size)
{
	struct r_chunk *c;
	size_t need = (size + 7) & ~(size_t) 7, csize;

	if (a->inline_buf && a->inline_used + need <= a->inline_size) {
		void *p = a->inline_buf + a->inline_used;

		a->inline_used += need;
		return p;
	}
	c = a->head;
	if (c && c->used + need <= c->size) {
		void *p = (char *) c->data + c->used;

		c->used += need;
		return p;
	}
	/* small first chunks for parses, bigger ones for a rule set */
	csize = a->head ? 16384 : 2048;
	if (csize < need)
		csize = need;
	c = malloc(sizeof(*c) + csize);
	if (!c)
		return NULL;
	c->size = csize;
	c->used = need;
	c->next = a->head;
	a->head = c;
	return c->data;
}

void *r_zalloc(struct r_arena *a, size_t size)
{
	void *p = r_alloc(a, size);

	if (p)
		memset(p, 0, size);
	return p;
}

char *r_strndup(struct r_arena *a, const char *s, size_t len)
{
	char *p = r_alloc(a, len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

char *r_strdup(struct r_arena *a, const char *s)
{
	return r_strndup(a, s, strlen(s));
}

void r_arena_free(struct r_arena *a)
{
	struct r_chunk *c = a->head, *n;

	while (c) {
		n = c->next;
		free(c);
		c = n;
	}
	a->head = NULL;
}
