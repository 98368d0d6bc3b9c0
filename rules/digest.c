/*
 * rules/digest.c - supervisor digests and reminder spread (digest.h).
 *
 * The number of items that fit is found with a running cost per
 * alphabet (septets and UTF-16 units, summed item by item, so a 30,000
 * item list costs one pass), then the chosen text is checked with the
 * codec's own counter, which knows where concatenated parts split.
 */
#include "rules/digest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modem/sms_pdu.h"
#include "modem/ucs2.h"

#define DG_DEFAULT_SEP "\xe3\x80\x81" /* 、 */
#define DG_DEFAULT_MORE                                                        \
	"\xe2\x80\xa6\xe7\xad\x89{{more}}\xe4\xba\xba" /* …等{{more}}人 */

static const char *const list_names[] = {
		"{{list}}", "{{names}}", "{{refs}}", "{{items}}"};

/* Cost of a piece of text in both alphabets. */
struct cost {
	unsigned long g; /* septets (valid only if gsm) */
	unsigned long u; /* UTF-16 units */
	bool gsm;
};

static bool utf8_ok(const char *s)
{
	return ucs2_count_units(s, strlen(s)) >= 0;
}

static int cost_of(const char *s, size_t len, struct cost *c)
{
	struct sms_segments seg;
	int u;

	if (sms_segment_count(s, len, &seg) < 0)
		return -EINVAL;
	u = ucs2_count_units(s, len);
	if (u < 0)
		return -EINVAL;
	c->gsm = seg.charset == SMS_CHARSET_GSM7;
	c->g = c->gsm ? seg.units : 0;
	c->u = (unsigned long) u;
	return 0;
}

static void cost_add(struct cost *a, const struct cost *b)
{
	a->g += b->g;
	a->u += b->u;
	a->gsm = a->gsm && b->gsm;
}

static unsigned long segments_of(const struct cost *c)
{
	unsigned long units = c->gsm ? c->g : c->u;
	unsigned long single = c->gsm ? 160 : 70, part = c->gsm ? 153 : 67;

	if (units <= single)
		return 1;
	return (units + part - 1) / part;
}

/* A growable string. */
struct buf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Appends [s, s+n) with every @key replaced by @val. */
static void buf_subst(struct buf *b, const char *s, size_t n, const char *key,
		const char *val)
{
	size_t klen = strlen(key), i = 0, from = 0;

	while (i + klen <= n) {
		if (memcmp(s + i, key, klen) == 0) {
			buf_add(b, s + from, i - from);
			buf_add(b, val, strlen(val));
			i += klen;
			from = i;
		} else {
			i++;
		}
	}
	buf_add(b, s + from, n - from);
}

/* The "more" text for @rest items left out. */
static int render_more(const char *more, size_t rest, struct buf *b)
{
	char num[24];

	snprintf(num, sizeof(num), "%zu", rest);
	b->len = 0;
	buf_subst(b, more, strlen(more), "{{more}}", num);
	if (b->oom)
		return -ENOMEM;
	if (!b->s)
		buf_add(b, "", 0);
	return b->oom ? -ENOMEM : 0;
}

struct parts {
	struct buf prefix, suffix;
	struct cost cprefix, csuffix, csep;
};

static int split_header(const struct dg_opts *o, size_t n, struct parts *p)
{
	const char *h = o->header, *pos = NULL, *after;
	char num[24];
	size_t i, plen = 0;

	for (i = 0; i < sizeof(list_names) / sizeof(list_names[0]); i++) {
		const char *q = strstr(h, list_names[i]);

		if (q && (!pos || q < pos)) {
			pos = q;
			plen = strlen(list_names[i]);
		}
	}
	if (!pos) {
		pos = h + strlen(h);
		plen = 0;
	}
	after = pos + plen;
	snprintf(num, sizeof(num), "%zu", n);
	buf_subst(&p->prefix, h, (size_t) (pos - h), "{{count}}", num);
	buf_subst(&p->suffix, after, strlen(after), "{{count}}", num);
	buf_add(&p->prefix, "", 0);
	buf_add(&p->suffix, "", 0);
	if (p->prefix.oom || p->suffix.oom)
		return -ENOMEM;
	if (cost_of(p->prefix.s, p->prefix.len, &p->cprefix) < 0 ||
			cost_of(p->suffix.s, p->suffix.len, &p->csuffix) < 0)
		return -EINVAL;
	return 0;
}

static int render(const struct parts *p, const struct dg_item *items, size_t k,
		size_t n, const char *sep, const char *more, struct buf *out)
{
	size_t i;
	int rc;

	out->len = 0;
	buf_add(out, p->prefix.s, p->prefix.len);
	for (i = 0; i < k; i++) {
		if (i)
			buf_add(out, sep, strlen(sep));
		buf_add(out, items[i].text, items[i].len);
	}
	if (k < n) {
		struct buf m = {0};

		rc = render_more(more, n - k, &m);
		if (rc == 0)
			buf_add(out, m.s, m.len);
		free(m.s);
		if (rc < 0)
			return rc;
	}
	buf_add(out, p->suffix.s, p->suffix.len);
	return out->oom ? -ENOMEM : 0;
}

/* The largest k whose estimated cost fits @max segments, or -1. */
static int choose_k(const struct parts *p, size_t n, const char *more,
		unsigned max, const struct cost *ci, size_t *ret_k)
{
	struct cost base = p->cprefix, run;
	struct buf m = {0};
	long best = -1;
	size_t k;
	int rc = 0;

	cost_add(&base, &p->csuffix);
	run = base;
	for (k = 0; k <= n; k++) {
		struct cost c = run, cm;

		if (k > 0) {
			if (k > 1)
				cost_add(&run, &p->csep);
			cost_add(&run, &ci[k - 1]);
			c = run;
		}
		if (segments_of(&run) > max)
			break; /* items alone are over: larger k only worse */
		if (k < n) {
			rc = render_more(more, n - k, &m);
			if (rc < 0)
				goto out;
			if (cost_of(m.s, m.len, &cm) < 0) {
				rc = -EINVAL;
				goto out;
			}
			cost_add(&c, &cm);
		}
		if (segments_of(&c) <= max)
			best = (long) k;
	}
	*ret_k = best < 0 ? 0 : (size_t) best;
	rc = best < 0 ? -E2BIG : 0;
out:
	free(m.s);
	return rc;
}

int dg_build(const struct dg_opts *opts, const struct dg_item *items, size_t n,
		struct dg_result *out)
{
	const char *sep, *more;
	struct parts p;
	struct cost *ci = NULL;
	struct buf text = {0};
	struct sms_segments seg;
	size_t i, k = n;
	int rc = -EINVAL, fit = 0;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	if (!opts || !opts->header || (n && !items))
		return -EINVAL;
	sep = opts->separator ? opts->separator : DG_DEFAULT_SEP;
	more = opts->more ? opts->more : DG_DEFAULT_MORE;
	if (!utf8_ok(sep) || !utf8_ok(more) || !utf8_ok(opts->header))
		goto fail;
	rc = split_header(opts, n, &p);
	if (rc < 0)
		goto fail;
	rc = cost_of(sep, strlen(sep), &p.csep);
	if (rc < 0)
		goto fail;
	if (opts->max_segments) {
		rc = -ENOMEM;
		ci = malloc((n ? n : 1) * sizeof(*ci));
		if (!ci)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		struct cost c;

		rc = -EINVAL;
		if (!items[i].text && items[i].len)
			goto fail;
		if (cost_of(items[i].text ? items[i].text : "", items[i].len,
				    &c) < 0)
			goto fail;
		if (ci)
			ci[i] = c;
	}
	if (opts->max_segments) {
		fit = choose_k(&p, n, more, opts->max_segments, ci, &k);
		if (fit < 0 && fit != -E2BIG) {
			rc = fit;
			goto fail;
		}
	}
	for (;;) {
		rc = render(&p, items, k, n, sep, more, &text);
		if (rc < 0)
			goto fail;
		rc = sms_segment_count(text.s, text.len, &seg);
		if (rc < 0)
			goto fail;
		/* The estimate ignores where parts split; the codec knows. */
		if (!opts->max_segments || seg.parts <= opts->max_segments ||
				k == 0)
			break;
		k--;
	}
	if (opts->max_segments && seg.parts > opts->max_segments)
		fit = -E2BIG;
	out->text = text.s;
	out->len = text.len;
	out->n_listed = k;
	out->segments = seg.parts;
	out->gsm7 = seg.charset == SMS_CHARSET_GSM7;
	free(ci);
	free(p.prefix.s);
	free(p.suffix.s);
	return fit < 0 ? fit : 0;
fail:
	free(text.s);
	free(ci);
	free(p.prefix.s);
	free(p.suffix.s);
	memset(out, 0, sizeof(*out));
	return rc;
}

void dg_result_done(struct dg_result *out)
{
	if (!out)
		return;
	free(out->text);
	memset(out, 0, sizeof(*out));
}

/* ---- batching ---------------------------------------------------------- */

static bool same_key(const struct dg_item *items, const char *const *keys,
		size_t a, size_t b)
{
	const char *ka = keys ? keys[a] : NULL, *kb = keys ? keys[b] : NULL;

	if (ka && kb)
		return strcmp(ka, kb) == 0;
	if (ka || kb)
		return false;
	return items[a].len == items[b].len &&
	       memcmp(items[a].text, items[b].text, items[a].len) == 0;
}

/* Renders header + items[idx[0..k)] into *b; returns its segments. */
static int pack_render(const char *header, const char *sep,
		const struct dg_item *items, const size_t *idx, size_t k,
		struct buf *b, unsigned *ret_segs)
{
	struct sms_segments seg;
	char num[24];
	size_t i;

	b->len = 0;
	buf_add(b, "", 0);
	if (header) {
		snprintf(num, sizeof(num), "%zu", k);
		buf_subst(b, header, strlen(header), "{{count}}", num);
	}
	for (i = 0; i < k; i++) {
		if (i)
			buf_add(b, sep, strlen(sep));
		buf_add(b, items[idx[i]].text, items[idx[i]].len);
	}
	if (b->oom)
		return -ENOMEM;
	if (sms_segment_count(b->s, b->len, &seg) < 0)
		return -EINVAL;
	*ret_segs = seg.parts;
	return 0;
}

static int pack_emit(struct dg_pack_result *out, struct buf *b, size_t k,
		unsigned segs)
{
	struct dg_message *m;

	m = realloc(out->msgs, (out->n_msgs + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	out->msgs = m;
	m += out->n_msgs++;
	m->text = b->s;
	m->len = b->len;
	m->n_items = k;
	m->segments = segs;
	memset(b, 0, sizeof(*b));
	return 0;
}

int dg_pack(const char *header, const char *separator, unsigned max_segments,
		const struct dg_item *items, const char *const *keys, size_t n,
		struct dg_pack_result *out)
{
	const char *sep = separator ? separator : "\n";
	struct buf b = {0}, keep = {0};
	size_t *idx = NULL, k = 0, i, j;
	unsigned segs = 0, keep_segs = 0;
	int rc = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (max_segments == 0 || (n && !items) || !utf8_ok(sep) ||
			(header && !utf8_ok(header)))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if ((!items[i].text && items[i].len) ||
				ucs2_count_units(items[i].text ? items[i].text
							       : "",
						items[i].len) < 0)
			return -EINVAL;
	idx = malloc((n ? n : 1) * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		bool dup = false;

		for (j = 0; j < i && !dup; j++)
			dup = same_key(items, keys, i, j);
		if (dup) {
			out->n_duplicates++;
			continue;
		}
		idx[k] = i;
		rc = pack_render(header, sep, items, idx, k + 1, &b, &segs);
		if (rc < 0)
			goto fail;
		if (segs <= max_segments) {
			/* fits: keep this rendering as the best so far */
			struct buf t = keep;

			keep = b;
			b = t;
			keep_segs = segs;
			k++;
			continue;
		}
		if (k > 0) {
			/* full: send what fits, start over with this item */
			rc = pack_emit(out, &keep, k, keep_segs);
			if (rc < 0)
				goto fail;
			idx[0] = i;
			k = 0;
			rc = pack_render(header, sep, items, idx, 1, &b, &segs);
			if (rc < 0)
				goto fail;
		}
		if (segs > max_segments) {
			/* too long alone: its own message */
			out->n_oversize++;
			rc = pack_emit(out, &b, 1, segs);
			if (rc < 0)
				goto fail;
			continue;
		}
		{
			struct buf t = keep;

			keep = b;
			b = t;
			keep_segs = segs;
			idx[0] = i;
			k = 1;
		}
	}
	if (k > 0) {
		rc = pack_emit(out, &keep, k, keep_segs);
		if (rc < 0)
			goto fail;
	}
	free(b.s);
	free(keep.s);
	free(idx);
	return 0;
fail:
	free(b.s);
	free(keep.s);
	free(idx);
	dg_pack_done(out);
	return rc;
}

void dg_pack_done(struct dg_pack_result *out)
{
	size_t i;

	if (!out)
		return;
	for (i = 0; i < out->n_msgs; i++)
		free(out->msgs[i].text);
	free(out->msgs);
	memset(out, 0, sizeof(*out));
}

/* ---- spread ------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void dg_spread(uint64_t seed, size_t n, uint32_t window, uint32_t *offsets)
{
	uint64_t st = seed;
	size_t i;

	for (i = 0; i < n; i++)
		offsets[i] = window ? (uint32_t) (((uint64_t) i * window) / n)
				    : 0;
	for (i = n; i > 1; i--) {
		size_t j = (size_t) (splitmix64(&st) % i);
		uint32_t t = offsets[i - 1];

		offsets[i - 1] = offsets[j];
		offsets[j] = t;
	}
}

uint32_t dg_spread_key(uint64_t seed, uint64_t key, uint32_t window)
{
	uint64_t st = seed ^ (key * 0x9e3779b97f4a7c15ULL);

	if (!window)
		return 0;
	return (uint32_t) (splitmix64(&st) % window);
}
