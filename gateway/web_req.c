/*
 * gateway/web_req.c: request target, form and cookie parsing
 * (gateway/web_req.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/web_req.h"

size_t web_utf8_seq(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *) str;
	size_t len, i;
	uint32_t cp;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
			cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool web_text_ok(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		unsigned char c = (unsigned char) s[i];
		if (c < 0x20 && c != '\t')
			return false;
		if (c == 0x7f)
			return false;
		k = web_utf8_seq(s + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n) into a new string; NULL with *ret_err set. */
static char *decode(const char *s, size_t n, int *ret_err)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (!out) {
		*ret_err = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			int hi, lo;
			if (i + 2 >= n)
				goto bad;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			out[o++] = (char) (hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (!web_text_ok(out, o))
		goto bad;
	return out;
bad:
	free(out);
	*ret_err = -EINVAL;
	return NULL;
}

void web_form_free(struct web_form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].key);
		free(f->v[i].val);
	}
	memset(f, 0, sizeof(*f));
}

int web_form_parse(const char *s, size_t n, struct web_form *ret)
{
	size_t i = 0;
	int err = 0;

	memset(ret, 0, sizeof(*ret));
	if (!s)
		return 0;
	while (i < n) {
		size_t end = i, eq;
		while (end < n && s[end] != '&')
			end++;
		if (end == i) {
			i++;
			continue;
		}
		if (ret->n == WEB_FORM_MAX_PAIRS) {
			err = -E2BIG;
			goto fail;
		}
		eq = i;
		while (eq < end && s[eq] != '=')
			eq++;
		ret->v[ret->n].key = decode(s + i, eq - i, &err);
		if (!ret->v[ret->n].key)
			goto fail;
		ret->v[ret->n].val = eq < end ? decode(s + eq + 1, end - eq - 1,
								&err)
					      : decode("", 0, &err);
		if (!ret->v[ret->n].val) {
			free(ret->v[ret->n].key);
			goto fail;
		}
		ret->n++;
		i = end + 1;
	}
	return 0;
fail:
	web_form_free(ret);
	return err;
}

const char *web_form_get(const struct web_form *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].key, key))
			return f->v[i].val;
	return NULL;
}

int web_target_split(const char *target, char *path, size_t size,
		const char **ret_query)
{
	const char *q;
	size_t n, i;

	if (!target || !path || !size || target[0] != '/')
		return -EINVAL;
	q = strchr(target, '?');
	n = q ? (size_t) (q - target) : strlen(target);
	if (n >= size)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char c = target[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				    (c >= '0' && c <= '9') || c == '/' ||
				    c == '_' || c == '.' || c == '-'))
			return -EINVAL;
		if (c == '/' && i + 1 < n && target[i + 1] == '/')
			return -EINVAL;
		if (c == '.' && i + 1 < n && target[i + 1] == '.')
			return -EINVAL;
	}
	memcpy(path, target, n);
	path[n] = '\0';
	if (ret_query)
		*ret_query = q ? q + 1 : "";
	return 0;
}

static bool cookie_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int web_cookie_get(const char *header, const char *name, char *out, size_t size)
{
	const char *p = header;
	size_t nlen;

	if (!header || !name || !out || !size)
		return -EINVAL;
	nlen = strlen(name);
	while (*p) {
		const char *k, *v, *e;
		while (*p == ' ' || *p == ';')
			p++;
		if (!*p)
			break;
		k = p;
		while (*p && *p != '=' && *p != ';')
			p++;
		if (*p != '=')
			return -EINVAL;
		v = ++p;
		while (*p && *p != ';')
			p++;
		e = p;
		while (e > v && e[-1] == ' ')
			e--;
		if ((size_t) (v - 1 - k) == nlen && !memcmp(k, name, nlen)) {
			size_t len = (size_t) (e - v), i;
			if (len >= size)
				return -EINVAL;
			for (i = 0; i < len; i++)
				if (!cookie_char(v[i]))
					return -EINVAL;
			memcpy(out, v, len);
			out[len] = '\0';
			return 0;
		}
	}
	return -ENOENT;
}

bool web_hex_ok(const char *s, size_t len)
{
	size_t i;

	if (!s || strlen(s) != len)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
				    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}
