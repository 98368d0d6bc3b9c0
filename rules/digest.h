/*
 * rules/digest.h - one supervisor digest SMS from a header and a list,
 * and the spread of many reminders over a few minutes.
 *
 * A digest is ONE message (the modem sends it as one concatenated SMS
 * when it needs several segments): the header template with {{count}}
 * replaced by the number of items and the list placeholder ({{list}},
 * {{names}}, {{refs}} or {{items}}: the first one found) replaced by the
 * items joined with the separator.  Other {{...}} are left as they are:
 * render the rest of the template (date, team...) first.
 *
 * Cost is counted as the codec counts it (modem/sms_pdu.h,
 * sms_segment_count): 160 GSM 7-bit septets or 70 UCS-2 units in one
 * segment, 153 / 67 per segment when concatenated.  With max_segments
 * set, as many items as fit in that many segments are listed, followed
 * by the "more" text ("…等{{more}}人"); with max_segments 0 every item is
 * listed, in as many segments as needed.
 *
 * Pure: no clock, no I/O; digest text is allocated (see dg_build).
 */
#ifndef RULES_DIGEST_H
#define RULES_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One list entry: a name ("张三"), a reference ("R1045")... (UTF-8). */
struct dg_item {
	const char *text;
	size_t len;
};

struct dg_opts {
	const char *header; /* "今日未交日报({{count}}人):{{names}}" */
	const char *separator; /* between items; NULL: "、" */
	const char *more;      /* after a cut list; NULL: "…等{{more}}人" */
	unsigned max_segments; /* 0: unlimited */
};

struct dg_result {
	char *text; /* NUL-terminated UTF-8, malloc'd: the caller
			    * owns it (dg_result_done) */
	size_t len;
	size_t n_listed;   /* items in the text (the first n_listed) */
	unsigned segments; /* SMS segments of text */
	bool gsm7;	   /* encoded GSM 7-bit (else UCS-2) */
};

/*
 * Builds the digest of @items[0..n).  Returns 0 and fills *out, -EINVAL
 * (NULL header, invalid UTF-8 in header, separator, more text or an item),
 * -E2BIG (max_segments set and even the header with no item and the
 * "more" text does not fit: *out is still filled, with 0 items listed)
 * or -ENOMEM.  On -EINVAL / -ENOMEM out->text is NULL.
 */
int dg_build(const struct dg_opts *opts, const struct dg_item *items, size_t n,
		struct dg_result *out);

/* Frees out->text (NULL-safe) and clears *out. */
void dg_result_done(struct dg_result *out);

/*
 * Batching (alerts and gateway-health notices per recipient): pack
 * @items[0..n) into as few messages as possible, each at most
 * @max_segments (>= 1) segments, never dropping an item: @header (may be
 * NULL; "{{count}}" = the items in that message) starts each message,
 * items are joined with @separator (NULL: "\n").  Items whose dedupe key
 * (@keys[i], or the item text when @keys is NULL or @keys[i] is NULL)
 * equals an earlier item's are dropped and counted in n_duplicates.  An
 * item too long for max_segments on its own goes alone in a longer
 * message (n_oversize counts those).  Order is kept.
 */
struct dg_message {
	char *text; /* NUL-terminated, owned by the dg_pack_result */
	size_t len;
	size_t n_items;
	unsigned segments;
};

struct dg_pack_result {
	struct dg_message *msgs; /* malloc'd array of n_msgs */
	size_t n_msgs;
	size_t n_duplicates;
	size_t n_oversize;
};

/*
 * Returns 0, -EINVAL (bad arguments, invalid UTF-8) or -ENOMEM; on error
 * *out is empty.  Free with dg_pack_done().  Dedupe is quadratic in n:
 * meant for one recipient's batch window (hundreds of items at most).
 */
int dg_pack(const char *header, const char *separator, unsigned max_segments,
		const struct dg_item *items, const char *const *keys, size_t n,
		struct dg_pack_result *out);

void dg_pack_done(struct dg_pack_result *out);

/*
 * Spread: offsets (seconds, 0 <= offset < @window) for @n reminders,
 * evenly spaced over the window and shuffled deterministically by @seed
 * (same seed, same offsets).  Writes @offsets[0..n).  @window 0: all 0.
 */
void dg_spread(uint64_t seed, size_t n, uint32_t window, uint32_t *offsets);

/*
 * Spread by key: a stable offset in [0, window) for one recipient
 * (@key: e.g. the rep id), independent of how many others there are.
 */
uint32_t dg_spread_key(uint64_t seed, uint64_t key, uint32_t window);

#endif /* RULES_DIGEST_H */
