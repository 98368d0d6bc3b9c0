/*
 * rules/guard.h - protections against reply storms and credit drain.
 *
 * Pure decisions; the daemon keeps the state (a small window of recent
 * messages per sender, reply counts per day) and acts on the verdicts.
 * No clock: every function takes "now" (UTC seconds).
 *
 * 1. Who may get an automatic reply (guard_classify): never alphanumeric
 *    senders, short codes, operator service numbers (10086, 10010,
 *    10000 and what follows them, e.g. 1008611) or enterprise senders
 *    (106...); a configurable deny list; an allow list that overrides
 *    everything.  List entries are exact numbers or prefixes ending in
 *    '*' ("106*", "+8695*"); they are compared with the sender as given
 *    and with its national form (without +86 / 0086).
 * 2. Loops and resends (guard_repeat): from the sender's recent messages
 *    (time, text hash): the same text more than max_identical times in
 *    loop_window, or more than max_any messages of any text in
 *    loop_window, is a loop: stop replying, tell admins once; the same
 *    text again within dedupe_window is one report sent twice.
 * 3. Daily caps (guard_cap): the per-sender reply cap and the per-modem
 *    outbound cap: allowed under the cap, refused at it, and the first
 *    refusal tells admins.
 */
#ifndef RULES_GUARD_H
#define RULES_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum guard_sender {
	GUARD_SENDER_NUMBER = 0,   /* an ordinary phone number: may reply */
	GUARD_SENDER_ALLOWED,	   /* on the allow list: may reply */
	GUARD_SENDER_EMPTY,	   /* no sender, or not a number at all */
	GUARD_SENDER_ALPHANUMERIC, /* letters in the sender ("CMCC") */
	GUARD_SENDER_SHORT_CODE,   /* fewer than 7 digits */
	GUARD_SENDER_SERVICE,	   /* 10086 / 10010 / 10000... */
	GUARD_SENDER_ENTERPRISE,   /* 106... bulk / enterprise sender */
	GUARD_SENDER_DENIED,	   /* on the deny list */
};

/* Caller-owned lists (arrays of NUL-terminated patterns). */
struct guard_lists {
	const char *const *deny;
	size_t n_deny;
	const char *const *allow;
	size_t n_allow;
};

/*
 * Classifies @sender (NUL-terminated, as decoded from the PDU; any
 * bytes).  @lists may be NULL.  Order: allow list, deny list, then the
 * shape of the number.
 */
enum guard_sender guard_classify(
		const char *sender, const struct guard_lists *lists);

/* True for NUMBER and ALLOWED. */
bool guard_may_reply(enum guard_sender cls);

/* "number", "allowed", "empty", "alphanumeric", ... (static). */
const char *guard_sender_name(enum guard_sender cls);

/* True when @pattern (exact, or prefix with trailing '*') matches. */
bool guard_pattern_match(const char *pattern, const char *number);

/* 64-bit FNV-1a of @len bytes: hash the NORMALIZED text (rt_normalize),
 * so "日报 1 2 3" and "日报1,2,3" count as the same. */
uint64_t guard_text_hash(const char *text, size_t len);

/* One earlier message from the sender. */
struct guard_event {
	int64_t at; /* UTC seconds (SMS-centre time or arrival) */
	uint64_t hash;
};

struct guard_policy {
	unsigned max_identical;	  /* loop: more than this many identical
				  * in loop_window (default 3) */
	unsigned max_any;	  /* loop: more than this many of any text
				  * in loop_window (0: off; default 20) */
	int64_t loop_window;	  /* seconds (default 3600) */
	int64_t dedupe_window;	  /* seconds (default 600) */
	int64_t retell_after;	  /* tell admins again after this long in
				  * the same loop (default 86400) */
	unsigned max_replies_day; /* per-sender reply cap (default 30) */
};

/* The defaults above (LESSONS.md §8.2). */
void guard_policy_default(struct guard_policy *p);

enum guard_verdict {
	GUARD_REPLY = 0,	    /* process and reply normally */
	GUARD_DUPLICATE,	    /* a resend: treat as the earlier report,
				   * store the raw message, no new report,
				   * no reply */
	GUARD_SUPPRESS,		    /* a loop: store, do not reply */
	GUARD_SUPPRESS_TELL_ADMINS, /* a loop just detected: store, do not
				     * reply, tell admins (once) */
};

const char *guard_verdict_name(enum guard_verdict v);

/*
 * The verdict for a message with text hash @hash at @now, given the
 * sender's earlier messages @ev[0..n) (any order; only those within
 * loop_window of now matter, so the caller may keep just those) and
 * @last_told (when admins were last told of this sender's loop; 0 never).
 * The current message is not in @ev.  A loop wins over a duplicate.
 */
enum guard_verdict guard_repeat(const struct guard_policy *p,
		const struct guard_event *ev, size_t n, int64_t now,
		uint64_t hash, int64_t last_told);

/*
 * A fixed-size per-sender window the daemon may keep in memory (a
 * ring of the latest GUARD_WINDOW events plus the told time).
 * guard_window_check() runs guard_repeat() over it, then records the
 * message (and the telling, if the verdict says so).
 */
#define GUARD_WINDOW 32
struct guard_window {
	struct guard_event ev[GUARD_WINDOW];
	size_t n;    /* events held (<= GUARD_WINDOW) */
	size_t next; /* ring position of the next write */
	int64_t last_told;
};

enum guard_verdict guard_window_check(const struct guard_policy *p,
		struct guard_window *w, int64_t now, uint64_t hash);

enum guard_cap_verdict {
	GUARD_CAP_OK = 0,	/* under the cap: send */
	GUARD_CAP_REACHED_TELL, /* first refusal today: don't send, tell
				 * admins */
	GUARD_CAP_REACHED,	/* later refusals: don't send */
};

/*
 * A daily cap decision: @used is how many were already sent today (local
 * day of the sender's territory, counted by the daemon); @cap 0 means no
 * cap.  Stateless: the refusal with used == cap is the first one.
 */
enum guard_cap_verdict guard_cap(unsigned cap, unsigned used);

/*
 * Gateway health: the SIM balance from an operator's USSD reply (outside
 * text, any bytes).  @pattern is the rule file's, with "{amount}" where
 * the amount stands: "余额为{amount}元" matches "尊敬的客户，您的账户余额
 * 为12.50元，..." (the text before {amount} is searched, the text after
 * it must follow the number, spaces allowed in between).  NULL pattern:
 * the first number after "余额" (or "balance", any case).  The amount:
 * optional '-', digits, optional '.' and up to two decimals; full-width
 * digits and '．' are accepted; thousands commas ("1,234.50") too.
 * Returns 0 and *ret_cents (12.50 -> 1250), -ENOENT (no match) or
 * -EINVAL (a pattern without "{amount}", or an amount with more than two
 * decimals or too large).
 */
int guard_balance_extract(const char *pattern, const char *text, size_t len,
		int64_t *ret_cents);

#endif /* RULES_GUARD_H */
