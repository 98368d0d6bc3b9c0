/*
 * check_sim.c - the modem simulator driven through its pty with raw AT
 * strings (over the project's transport), asserting the modem's replies,
 * and decoding what it delivers with the project's codec.
 */
#include "config.h"

#include "modem/sms_concat.h"
#include "modem/sms_pdu.h"
#include "modem/gsm7.h"
#include "modem/transport.h"
#include "modem/ucs2.h"
#include "tests/sim/sim.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 5000

struct h {
	struct sim *sim;
	struct transport *tp;
	char buf[1 << 16];
	size_t len;
	unsigned reads;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void h_attach(struct h *h)
{
	char spec[PATH_MAX + 8], reason[TRANSPORT_REASON_MAX] = "";
	int r;

	snprintf(spec, sizeof(spec), "tty:%s", sim_path(h->sim));
	r = transport_open(spec, 115200, false, &h->tp, reason);
	ck_assert_msg(r >= 0, "open %s: %s", spec, reason);
	h->len = 0;
}

static struct h *h_new(const struct sim_config *cfg)
{
	struct h *h = calloc(1, sizeof(*h));
	char reason[160] = "";
	int r;

	ck_assert_ptr_nonnull(h);
	r = sim_new(cfg, &h->sim, reason);
	ck_assert_msg(r == 0, "sim_new: %d %s", r, reason);
	h_attach(h);
	return h;
}

static struct h *h_default(void)
{
	struct sim_config cfg;

	sim_config_init(&cfg);
	return h_new(&cfg);
}

static void h_free(struct h *h)
{
	transport_close(h->tp);
	sim_free(h->sim);
	free(h);
}

/* Run the simulator and collect bytes until @ms pass (or @stop is seen). */
static bool h_pump(struct h *h, const char *stop, size_t stop_len, int ms)
{
	int64_t end = now_ms() + ms;

	for (;;) {
		struct pollfd p[2] = {
				{.fd = h->sim ? sim_fd(h->sim) : -1,
						.events = POLLIN},
				{.fd = h->tp ? transport_fd(h->tp) : -1,
						.events = POLLIN},
		};
		int64_t left = end - now_ms();
		int t = h->sim ? sim_timeout_ms(h->sim) : 10;
		ssize_t n;

		if (stop && memmem(h->buf, h->len, stop, stop_len))
			return true;
		if (left <= 0)
			return false;
		if (t < 0 || t > left)
			t = (int) left;
		poll(p, 2, t);
		if (h->sim)
			ck_assert_int_eq(sim_dispatch(h->sim), 0);
		if (!h->tp)
			continue;
		while (h->len < sizeof(h->buf) - 1) {
			n = transport_read(h->tp, h->buf + h->len,
					sizeof(h->buf) - 1 - h->len);
			if (n <= 0)
				break;
			h->len += (size_t) n;
			h->reads++;
		}
		h->buf[h->len] = '\0';
	}
}

/* Wait for @s; then drop everything up to its end from the buffer. */
static void h_expect(struct h *h, const char *s)
{
	char *at;

	ck_assert_msg(h_pump(h, s, strlen(s), WAIT_MS),
			"did not see '%s' in '%s'", s, h->buf);
	at = memmem(h->buf, h->len, s, strlen(s));
	at += strlen(s);
	h->len -= (size_t) (at - h->buf);
	memmove(h->buf, at, h->len + 1);
}

/* Nothing containing @s arrives within @ms. */
static void h_absent(struct h *h, const char *s, int ms)
{
	ck_assert_msg(!h_pump(h, s, strlen(s), ms), "unexpected '%s' in '%s'",
			s, h->buf);
}

/* Wait for a complete line; copy it (without CR LF) and drop it. */
static void h_take_line(struct h *h, char *out, size_t size)
{
	char *e;

	ck_assert_msg(h_pump(h, "\r\n", 2, WAIT_MS), "no line in '%s'", h->buf);
	e = memmem(h->buf, h->len, "\r\n", 2);
	ck_assert_uint_lt((size_t) (e - h->buf), size);
	memcpy(out, h->buf, (size_t) (e - h->buf));
	out[e - h->buf] = '\0';
	h->len -= (size_t) (e + 2 - h->buf);
	memmove(h->buf, e + 2, h->len + 1);
}

static void h_send(struct h *h, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = transport_write(h->tp, s + off, len - off);

		if (n == -EAGAIN) {
			h_pump(h, NULL, 0, 5);
			continue;
		}
		ck_assert_int_gt(n, 0);
		off += (size_t) n;
	}
}

/* Send "<cmd>\r" and return (malloc'd) the reply up to its final result. */
static char *h_cmd(struct h *h, const char *cmd)
{
	static const char *const finals[] = {
			"\r\nOK\r\n", "\r\nERROR\r\n", "ERROR: "};
	int64_t end = now_ms() + WAIT_MS;
	char line[1024];
	char *reply;
	size_t i;

	h->len = 0;
	snprintf(line, sizeof(line), "%s\r", cmd);
	h_send(h, line);
	while (now_ms() < end) {
		h_pump(h, NULL, 0, 10);
		for (i = 0; i < 3; i++) {
			char *f = memmem(h->buf, h->len, finals[i],
					strlen(finals[i]));

			if (f && (i < 2 || strstr(f, "\r\n"))) {
				if (i == 2 && !strstr(f + 7, "\r\n"))
					continue;
				reply = strdup(h->buf);
				ck_assert_ptr_nonnull(reply);
				h->len = 0;
				return reply;
			}
		}
	}
	ck_abort_msg("no final result for %s: '%s'", cmd, h->buf);
	return NULL;
}

static void h_ok(struct h *h, const char *cmd, const char *want)
{
	char *r = h_cmd(h, cmd);

	ck_assert_msg(strstr(r, want) != NULL, "%s: want '%s', got '%s'", cmd,
			want, r);
	free(r);
}

/* The line after "<prefix>...\r\n" in @reply (first match), copied. */
static void line_after(
		const char *reply, const char *prefix, char *out, size_t size)
{
	const char *p = strstr(reply, prefix), *e;

	ck_assert_msg(p != NULL, "no %s in '%s'", prefix, reply);
	p = strstr(p, "\r\n");
	ck_assert_ptr_nonnull(p);
	p += 2;
	e = strstr(p, "\r\n");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_lt((size_t) (e - p), size);
	memcpy(out, p, (size_t) (e - p));
	out[e - p] = '\0';
}

static void setup_pdu(struct h *h)
{
	h_ok(h, "ATE0", "OK");
	h_ok(h, "AT+CMEE=1", "OK");
	h_ok(h, "AT+CMGF=0", "OK");
	h_ok(h, "AT+CNMI=2,1,0,0,0", "OK");
}

/* ---- echo and basic commands -------------------------------------------- */

START_TEST(test_echo)
{
	struct h *h = h_default();
	char *r;

	/* Power-up: echo on. */
	r = h_cmd(h, "AT");
	ck_assert_str_eq(r, "AT\r\r\nOK\r\n");
	free(r);
	r = h_cmd(h, "ATE0");
	ck_assert_str_eq(r, "ATE0\r\r\nOK\r\n");
	free(r);
	r = h_cmd(h, "AT");
	ck_assert_str_eq(r, "\r\nOK\r\n");
	free(r);
	/* ATZ resets echo to on. */
	r = h_cmd(h, "ATZ");
	ck_assert_str_eq(r, "\r\nOK\r\n");
	free(r);
	r = h_cmd(h, "at");
	ck_assert_str_eq(r, "at\r\r\nOK\r\n");
	free(r);
	h_ok(h, "ATE1", "OK");
	/* Garbage before AT is skipped; unknown commands say ERROR. */
	h_ok(h, "ATE0", "OK");
	r = h_cmd(h, "\x7fxxAT");
	ck_assert_str_eq(r, "\r\nOK\r\n");
	free(r);
	r = h_cmd(h, "AT+BOGUS");
	ck_assert_str_eq(r, "\r\nERROR\r\n");
	free(r);
	ck_assert_uint_eq(sim_counter(h->sim, "+BOGUS"), 1);
	ck_assert_uint_eq(sim_counter(h->sim, "E"), 3);
	h_free(h);
}
END_TEST

START_TEST(test_info_commands)
{
	struct h *h = h_default();

	h_ok(h, "ATE0", "OK");
	h_ok(h, "AT+CSQ", "\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
	h_ok(h, "AT+COPS?", "+COPS: 0,0,\"FIELDNET\",2");
	h_ok(h, "AT+CREG=2", "OK");
	h_ok(h, "AT+CREG?", "+CREG: 2,1,\"2AF5\",\"0B88E350\"");
	h_ok(h, "AT+CIMI", "\r\n641100123456789\r\n");
	h_ok(h, "AT+CCID", "+CCID: 89256110012345678901");
	h_ok(h, "AT+ICCID", "+ICCID: 89256110012345678901");
	h_ok(h, "AT+CGSN", "861234567890123");
	h_ok(h, "AT+CGMI", "fieldgate");
	h_ok(h, "AT+CGMM", "modemsim");
	h_ok(h, "AT+CSCA?", "+CSCA: \"+256772000100\",145");
	h_ok(h, "AT+CNMI=?", "+CNMI: (0-3),(0-3),(0,2),(0-2),(0,1)");
	h_ok(h, "AT+CPMS=\"SM\",\"SM\",\"SM\"", "+CPMS: 0,30,0,30,0,30");
	h_ok(h, "AT+CPMS?", "+CPMS: \"SM\",0,30,\"SM\",0,30,\"SM\",0,30");
	h_ok(h, "AT+CPMS=\"XX\"", "+CMS ERROR: 302");
	h_ok(h, "AT+CSCS=\"UCS2\"", "OK");
	h_ok(h, "AT+CSCS?", "+CSCS: \"UCS2\"");
	h_ok(h, "AT+CMEE=1;+CSQ", "+CSQ: 20,99");
	/* Registration change URC with LAC/CI. */
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_CREG_STAT, 5), 0);
	h_expect(h, "\r\n+CREG: 5,\"2AF5\",\"0B88E350\"\r\n");
	/* Cell change in the other forms; registration loss. */
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_LAC, 0x605F), 0);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_CI, 0x100701), 0);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_CREG_STYLE, 1), 0);
	h_ok(h, "AT+CREG?", "\r\n+CREG: 2,5,605F,00100701\r\n");
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_CREG_STYLE, 2), 0);
	h_ok(h, "AT+CREG?", "\r\n+CREG: 2,5,\"605F\",\"00100701\",7\r\n");
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_CREG_STYLE, 3), -EINVAL);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_CREG_STAT, 0), 0);
	h_expect(h, "\r\n+CREG: 0\r\n");
	h_ok(h, "AT+COPS?", "\r\n+COPS: 0\r\n");
	h_ok(h, "AT+CMEE=1", "OK");
	h_ok(h, "AT+CUSD=1,\"*100#\",15", "+CME ERROR: 30");
	h_free(h);
}
END_TEST

/* ---- receive ------------------------------------------------------------ */

/* Read slot @idx with AT+CMGR and decode it into *ret. */
static void read_slot(struct h *h, unsigned idx, struct sms *ret)
{
	char cmd[32], pdu[SMS_PDU_HEX_MAX], *r;
	const char *why = NULL;

	snprintf(cmd, sizeof(cmd), "AT+CMGR=%u", idx);
	r = h_cmd(h, cmd);
	line_after(r, "+CMGR: ", pdu, sizeof(pdu));
	ck_assert_msg(sms_decode_hex(pdu, strlen(pdu), 0, ret, &why) == 0,
			"decode %s: %s", pdu, why);
	free(r);
}

#define CHINESE                                                                \
	"\xe6\x9c\xac\xe5\x91\xa8\xe7\x96\x9f\xe7\x96\xbe\xe7\x97\x85\xe4"     \
	"\xbe\x8b\xe6\x8a\xa5\xe5\x91\x8a\xef\xbc\x9a\xe4\xb8\x89\xe5\x8d"     \
	"\x81\xe4\xba\x8c\xe4\xbe\x8b\xef\xbc\x8c\xe5\x85\xb6\xe4\xb8\xad"     \
	"\xe5\x84\xbf\xe7\xab\xa5\xe5\x8d\x81\xe4\xba\x94\xe4\xbe\x8b\xe3"     \
	"\x80\x82\xe8\xaf\xb7\xe5\x8d\xab\xe7\x94\x9f\xe5\xb1\x80\xe5\x8f"     \
	"\x8a\xe6\x97\xb6\xe5\xa4\x84\xe7\x90\x86\xe5\xb9\xb6\xe5\x9b\x9e"     \
	"\xe5\xa4\x8d\xe3\x80\x82\xe5\x8c\x97\xe5\x8c\xba\xe8\xa1\xa5\xe7"     \
	"\xbb\x99\xe7\xab\x99\xe5\xba\x93\xe5\xad\x98\xe4\xb8\x8d\xe8\xb6"     \
	"\xb3\xef\xbc\x8c\xe9\x9c\x80\xe8\xa6\x81\xe4\xba\x8c\xe5\x8d\x81"     \
	"\xe7\xae\xb1\xe5\x8f\xa3\xe6\x9c\x8d\xe8\xa1\xa5\xe6\xb6\xb2\xe7"     \
	"\x9b\x90\xe5\x92\x8c\xe5\x8d\x81\xe7\x9b\x92\xe9\xa9\xb1\xe8\x99"     \
	"\xab\xe8\x8d\xaf\xe3\x80\x82"                                         \
	"\xe8\xb0\xa2\xe8\xb0\xa2\xe3\x80\x82"
static const char chinese[] = CHINESE CHINESE;

/* Join decoded parts with the codec's reassembly. */
static char *assemble(struct sms *msgs, size_t n)
{
	struct sms_part *parts = calloc(n, sizeof(*parts));
	struct sms_concat_result res;
	const char *why = NULL;
	size_t i;
	char *text;

	ck_assert_ptr_nonnull(parts);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(sms_part_from_sms(&msgs[i], 0, &parts[i]), 0);
	ck_assert_msg(sms_concat_assemble(parts, n, &res, &why) == 0, "%s",
			why);
	ck_assert(res.complete);
	text = res.text;
	res.text = NULL;
	free(parts);
	return text;
}

START_TEST(test_inject_chinese_multipart)
{
	struct sim_sms in = {.from = "+256772111222", .text = chinese};
	struct h *h = h_default();
	struct sms msgs[2];
	char *text;
	int n;

	setup_pdu(h);
	n = sim_inject_sms(h->sim, &in, NULL);
	ck_assert_int_eq(n, 2); /* 73 UCS-2 units: two parts */
	h_expect(h, "\r\n+CMTI: \"SM\",1\r\n");
	h_expect(h, "\r\n+CMTI: \"SM\",2\r\n");
	ck_assert_int_eq(sim_stored(h->sim, "SM"), 2);
	read_slot(h, 1, &msgs[0]);
	read_slot(h, 2, &msgs[1]);
	ck_assert_int_eq(msgs[0].type, SMS_TYPE_DELIVER);
	ck_assert_str_eq(msgs[0].addr.number, "+256772111222");
	ck_assert_int_eq(msgs[0].dcs.charset, SMS_CHARSET_UCS2);
	ck_assert(msgs[0].udh.has_concat);
	ck_assert_uint_eq(msgs[0].udh.concat_total, 2);
	text = assemble(msgs, 2);
	ck_assert_str_eq(text, chinese);
	free(text);
	/* Read messages are listed as REC READ (stat 1) by AT+CMGL=4. */
	h_ok(h, "AT+CMGL=4", "+CMGL: 2,1,,");
	h_ok(h, "AT+CMGD=1", "OK");
	h_ok(h, "AT+CMGD=2", "OK");
	ck_assert_int_eq(sim_stored(h->sim, "SM"), 0);
	h_ok(h, "AT+CMGR=1", "\r\nOK\r\n"); /* empty slot: bare OK */
	h_ok(h, "AT+CMGR=99", "+CMS ERROR: 321");
	h_free(h);
}
END_TEST

START_TEST(test_inject_out_of_order_dup_missing)
{
	static const uint8_t order[] = {3, 1, 2}, dup[] = {2}, miss[] = {4};
	static const char text[] = "Weekly report: malaria 12, cholera 0, "
				   "measles 3. Stock of ORS low at Gulu "
				   "HC III; please send 20 boxes.";
	struct sim_sms in = {.text = text,
			.parts = 4,
			.order = order,
			.n_order = 3,
			.dup = dup,
			.n_dup = 1,
			.missing = miss,
			.n_missing = 1,
			.ref16 = true,
			.ref = 0x1234};
	struct h *h = h_default();
	struct sms m[4];
	unsigned i;

	setup_pdu(h);
	ck_assert_int_eq(sim_inject_sms(h->sim, &in, NULL), 4);
	h_expect(h, "+CMTI: \"SM\",4\r\n");
	for (i = 0; i < 4; i++) {
		read_slot(h, i + 1, &m[i]);
		ck_assert(m[i].udh.has_concat);
		ck_assert(m[i].udh.concat_16bit);
		ck_assert_uint_eq(m[i].udh.concat_ref, 0x1234);
		ck_assert_uint_eq(m[i].udh.concat_total, 4);
		ck_assert_int_eq(m[i].dcs.charset, SMS_CHARSET_GSM7);
	}
	/* Delivery order 3,1,2 then the duplicate of 2; 4 never comes. */
	ck_assert_uint_eq(m[0].udh.concat_seq, 3);
	ck_assert_uint_eq(m[1].udh.concat_seq, 1);
	ck_assert_uint_eq(m[2].udh.concat_seq, 2);
	ck_assert_uint_eq(m[3].udh.concat_seq, 2);
	ck_assert_str_eq(m[2].text, m[3].text);
	h_free(h);
}
END_TEST

START_TEST(test_inject_corrupt)
{
	struct sim_sms in = {.text = "corrupt me please, thank you"};
	struct h *h = h_default();
	char pdu[SMS_PDU_HEX_MAX], *r;
	struct sms dec;
	const char *why;
	unsigned len;

	setup_pdu(h);
	in.corrupt = SIM_CORRUPT_BADHEX;
	ck_assert_int_eq(sim_inject_sms(h->sim, &in, NULL), 1);
	in.corrupt = SIM_CORRUPT_BADUDL;
	ck_assert_int_eq(sim_inject_sms(h->sim, &in, NULL), 1);
	in.corrupt = SIM_CORRUPT_HDRLEN;
	ck_assert_int_eq(sim_inject_sms(h->sim, &in, NULL), 1);
	h_expect(h, "+CMTI: \"SM\",3\r\n");
	r = h_cmd(h, "AT+CMGR=1");
	line_after(r, "+CMGR: ", pdu, sizeof(pdu));
	free(r);
	ck_assert_int_eq(sms_decode_hex(pdu, strlen(pdu), 0, &dec, &why),
			-EINVAL);
	r = h_cmd(h, "AT+CMGR=2");
	line_after(r, "+CMGR: ", pdu, sizeof(pdu));
	free(r);
	ck_assert_int_eq(sms_decode_hex(pdu, strlen(pdu), 0, &dec, &why),
			-EINVAL);
	/* A lying <length>: the PDU itself is fine. */
	r = h_cmd(h, "AT+CMGR=3");
	ck_assert_int_eq(sscanf(strstr(r, "+CMGR: "), "+CMGR: 0,,%u", &len), 1);
	line_after(r, "+CMGR: ", pdu, sizeof(pdu));
	free(r);
	ck_assert_int_eq(sms_decode_hex(pdu, strlen(pdu), 0, &dec, &why), 0);
	ck_assert_uint_ne(len, strlen(pdu) / 2 - 1);
	h_free(h);
}
END_TEST

START_TEST(test_storage_full)
{
	struct sim_config cfg;
	struct sim_sms in = {.text = "x"};
	struct h *h;

	sim_config_init(&cfg);
	cfg.sm_capacity = 2;
	h = h_new(&cfg);
	setup_pdu(h);
	ck_assert_int_eq(sim_inject_sms(h->sim, &in, NULL), 1);
	ck_assert_int_eq(sim_inject_sms(h->sim, &in, NULL), 1);
	ck_assert_int_eq(sim_inject_sms(h->sim, &in, NULL), 1);
	h_expect(h, "+CMTI: \"SM\",2\r\n");
	h_expect(h, "\r\n^SMMEMFULL: \"SM\"\r\n");
	h_absent(h, "+CMTI", 100);
	ck_assert_uint_eq(sim_pending(h->sim), 1);
	h_ok(h, "AT+CPMS?", "+CPMS: \"SM\",2,2,");
	/* Space frees: the waiting message comes in (like a network retry). */
	h_ok(h, "AT+CMGD=1", "\r\nOK\r\n\r\n+CMTI: \"SM\",1\r\n");
	ck_assert_uint_eq(sim_pending(h->sim), 0);
	ck_assert_uint_eq(sim_counter(h->sim, "memfull"), 1);
	h_free(h);
}
END_TEST

START_TEST(test_cmt_needs_cnma)
{
	struct sim_sms a = {.text = "first"}, b = {.text = "second"};
	char pdu[SMS_PDU_HEX_MAX];
	struct sms dec;
	const char *why;
	struct h *h = h_default();

	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_CNMA_TIMEOUT_MS, 150), 0);
	h_ok(h, "ATE0", "OK");
	h_ok(h, "AT+CSMS=1", "OK");
	h_ok(h, "AT+CNMI=2,2,0,0,0", "OK");
	ck_assert_int_eq(sim_inject_sms(h->sim, &a, NULL), 1);
	ck_assert_int_eq(sim_inject_sms(h->sim, &b, NULL), 1);
	h_expect(h, "\r\n+CMT: ,");
	h_take_line(h, pdu, sizeof(pdu)); /* the rest of the +CMT line */
	h_take_line(h, pdu, sizeof(pdu));
	ck_assert_int_eq(sms_decode_hex(pdu, strlen(pdu), 0, &dec, &why), 0);
	ck_assert_str_eq(dec.text, "first");
	/* No ack: the same message again, the second one held back. */
	h->len = 0;
	h_expect(h, "\r\n+CMT: ,");
	h_expect(h, pdu);
	ck_assert_uint_ge(sim_counter(h->sim, "cmt-redelivered"), 1);
	ck_assert_uint_eq(sim_pending(h->sim), 1);
	/* Ack: the next one arrives; a stray ack is refused. */
	h_ok(h, "AT+CNMA", "\r\nOK\r\n\r\n+CMT: ,");
	h_ok(h, "AT+CNMA", "\r\nOK\r\n");
	h_ok(h, "AT+CNMA", "+CMS ERROR: 340");
	ck_assert_uint_eq(sim_pending(h->sim), 0);
	h_free(h);
}
END_TEST

START_TEST(test_urc_inside_cmgr)
{
	struct sim_sms in = {.text = "hello"};
	struct h *h = h_default();
	char *r, *hdr, *urc, *ok;

	setup_pdu(h);
	ck_assert_int_eq(sim_inject_sms(h->sim, &in, NULL), 1);
	h_expect(h, "+CMTI: \"SM\",1\r\n");
	ck_assert_int_eq(
			sim_set_urc(h->sim, SIM_URC_IN_CMGR, "+CMTI: \"ME\",7"),
			0);
	r = h_cmd(h, "AT+CMGR=1");
	hdr = strstr(r, "+CMGR: 0,,");
	urc = strstr(r, "+CMTI: \"ME\",7");
	ok = strstr(r, "\r\nOK\r\n");
	ck_assert(hdr && urc && ok && hdr < urc && urc < ok);
	free(r);
	ck_assert_uint_eq(sim_counter(h->sim, "urc-injected"), 1);
	/* And between +CMGL entries. */
	ck_assert_int_eq(sim_inject_sms(h->sim, &in, NULL), 1);
	h_expect(h, "+CMTI: \"SM\",2\r\n");
	ck_assert_int_eq(sim_command(h->sim, "urc-at cmgl ^SMMEMFULL: \"SM\"",
					 &r),
			0);
	free(r);
	r = h_cmd(h, "AT+CMGL=4");
	hdr = strstr(r, "+CMGL: 1,");
	urc = strstr(r, "^SMMEMFULL: \"SM\"");
	ok = strstr(r, "+CMGL: 2,");
	ck_assert(hdr && urc && ok && hdr < urc && urc < ok);
	free(r);
	h_free(h);
}
END_TEST

/* ---- send --------------------------------------------------------------- */

/* AT+CMGS one PDU; returns the reply after the PDU. */
static char *send_pdu(struct h *h, const struct sms_pdu_out *p)
{
	char cmd[32], body[SMS_PDU_HEX_MAX + 2];

	snprintf(cmd, sizeof(cmd), "AT+CMGS=%zu\r", p->tpdu_len);
	h->len = 0;
	h_send(h, cmd);
	h_expect(h, "\r\n> ");
	snprintf(body, sizeof(body), "%s\x1a", p->hex);
	return h_cmd(h, body) /* sends body + CR: CR after ^Z is a no-op */;
}

static int encode(const char *to, const char *text, bool srr,
		struct sms_pdu_out *out, size_t max)
{
	struct sms_submit_opts o;

	sms_submit_opts_init(&o);
	o.to = to;
	o.status_report = srr;
	return sms_encode_submit(text, strlen(text), &o, out, max, NULL);
}

START_TEST(test_cmgs_flow)
{
	struct sms_pdu_out p[3];
	const struct sim_sent *e;
	struct h *h = h_default();
	char *r;
	int n, i;

	setup_pdu(h);
	ck_assert_int_eq(encode("+256772999888", "Thanks, report received",
					 false, p, 3),
			1);
	r = send_pdu(h, &p[0]);
	ck_assert_str_eq(r, "\r\n+CMGS: 0\r\n\r\nOK\r\n");
	free(r);
	ck_assert_uint_eq(sim_sent_count(h->sim), 1);
	e = sim_sent_get(h->sim, 0);
	ck_assert_str_eq(e->to, "+256772999888");
	ck_assert_str_eq(e->text, "Thanks, report received");
	ck_assert_str_eq(e->pdu, p[0].hex);
	ck_assert_uint_eq(e->mr, 0);
	ck_assert(!e->error_reply);

	/* Multipart, and MR wrapping 255 -> 0. */
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_NEXT_MR, 255), 0);
	n = encode("+256772999888", chinese, false, p, 3);
	ck_assert_int_eq(n, 2);
	for (i = 0; i < n; i++) {
		r = send_pdu(h, &p[i]);
		ck_assert_str_eq(r, i == 0 ? "\r\n+CMGS: 255\r\n\r\nOK\r\n"
					   : "\r\n+CMGS: 0\r\n\r\nOK\r\n");
		free(r);
	}
	e = sim_sent_get(h->sim, 2);
	ck_assert_uint_eq(e->seq, 2);
	ck_assert_uint_eq(e->total, 2);
	ck_assert_int_eq(e->charset, SMS_CHARSET_UCS2);

	/* A <length> that does not match the TPDU: ERROR, nothing sent. */
	h_send(h, "AT+CMGS=5\r");
	h_expect(h, "> ");
	h->len = 0;
	r = h_cmd(h, "0001000C91527677998888000005C8329BFD06\x1a");
	ck_assert_str_eq(r, "\r\nERROR\r\n");
	free(r);
	/* ESC aborts. */
	h_send(h, "AT+CMGS=10\r");
	h_expect(h, "> ");
	r = h_cmd(h, "0011\x1b");
	ck_assert_str_eq(r, "\r\nOK\r\n");
	free(r);
	ck_assert_uint_eq(sim_sent_count(h->sim), 3);
	h_free(h);
}
END_TEST

START_TEST(test_cms_faults)
{
	struct sms_pdu_out p;
	struct h *h = h_default();
	char *r;

	setup_pdu(h);
	ck_assert_int_eq(encode("+256772999888", "hi", false, &p, 1), 1);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_CMS_CODE, 332), 0);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_CMS_COUNT, 2), 0);
	r = send_pdu(h, &p);
	ck_assert_str_eq(r, "\r\n+CMS ERROR: 332\r\n");
	free(r);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_CMS_CODE, 21), 0);
	r = send_pdu(h, &p);
	ck_assert_str_eq(r, "\r\n+CMS ERROR: 21\r\n");
	free(r);
	ck_assert_uint_eq(sim_sent_count(h->sim), 0);
	r = send_pdu(h, &p);
	ck_assert_str_eq(r, "\r\n+CMGS: 0\r\n\r\nOK\r\n");
	free(r);
	/* ERROR although delivered: logged anyway. */
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_ERROR_AFTER_SEND, 1), 0);
	r = send_pdu(h, &p);
	ck_assert_str_eq(r, "\r\nERROR\r\n");
	free(r);
	ck_assert_uint_eq(sim_sent_count(h->sim), 2);
	ck_assert(sim_sent_get(h->sim, 1)->error_reply);
	/* URC between prompt request and "> ", and before +CMGS. */
	ck_assert_int_eq(sim_set_urc(h->sim, SIM_URC_BEFORE_PROMPT, "+CREG: 1"),
			0);
	ck_assert_int_eq(sim_set_urc(h->sim, SIM_URC_BEFORE_CMGS, "RING"), 0);
	h->len = 0;
	h_send(h, "AT+CMGS=15\r");
	h_expect(h, "\r\n+CREG: 1\r\n\r\n> ");
	h_send(h, p.hex);
	r = h_cmd(h, "\x1a");
	ck_assert_str_eq(r, "\r\nRING\r\n\r\n+CMGS: 2\r\n\r\nOK\r\n");
	free(r);
	h_free(h);
}
END_TEST

/* Wait for a +CDS; its PDU must be a status report for @mr. */
static void h_take_report(struct h *h, unsigned mr, struct sms *ret)
{
	char pdu[SMS_PDU_HEX_MAX];
	const char *why;

	h_expect(h, "\r\n+CDS: ");
	h_take_line(h, pdu, sizeof(pdu));
	h_take_line(h, pdu, sizeof(pdu));
	ck_assert_int_eq(sms_decode_hex(pdu, strlen(pdu), 0, ret, &why), 0);
	ck_assert_int_eq(ret->type, SMS_TYPE_STATUS_REPORT);
	ck_assert_uint_eq(ret->mr, mr);
}

START_TEST(test_status_report)
{
	struct sms_pdu_out p;
	struct h *h = h_default();
	char cmd[32];
	struct sms dec;
	char *r;

	setup_pdu(h);
	h_ok(h, "AT+CNMI=2,1,0,1,0", "OK");
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_SR_DELAY_MS, 300), 0);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_NEXT_MR, 42), 0);
	ck_assert_int_eq(encode("+256772999888", "report me", true, &p, 1), 1);
	snprintf(cmd, sizeof(cmd), "AT+CMGS=%zu\r", p.tpdu_len);
	h->len = 0;
	h_send(h, cmd);
	h_expect(h, "\r\n> ");
	h_send(h, p.hex);
	h_send(h, "\x1a");
	/* The report comes after the OK (sr-delay). */
	h_expect(h, "\r\n+CMGS: 42\r\n\r\nOK\r\n");
	h_take_report(h, 42, &dec);
	ck_assert_str_eq(dec.addr.number, "+256772999888");
	/* +CSMS=0: the ME acks by itself, the next +CDS needs no +CNMA. */
	r = send_pdu(h, &p);
	ck_assert_str_eq(r, "\r\n+CMGS: 43\r\n\r\nOK\r\n");
	free(r);
	h_expect(h, "\r\n+CDS: ");
	h_ok(h, "AT+CNMA", "+CMS ERROR: 340");
	h_free(h);
}
END_TEST

/*
 * TS 27.005 §3.4.1 (+CSMS=1): no +CMT or +CDS goes to the TE while the
 * previous one awaits its +CNMA, so each +CNMA acknowledges exactly the
 * indication before it. A +CDS behind an unacknowledged +CMT waits, and a
 * +CMT behind an unacknowledged +CDS waits too.
 */
START_TEST(test_cds_waits_for_cnma)
{
	struct sim_sms in = {.text = "inbound"};
	struct sms_pdu_out p;
	struct h *h = h_default();
	char line[SMS_PDU_HEX_MAX];
	struct sms dec;
	char *r;

	setup_pdu(h);
	h_ok(h, "AT+CSMS=1", "OK");
	h_ok(h, "AT+CNMI=2,2,0,1,0", "OK");
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_CNMA_TIMEOUT_MS, 5000), 0);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_SR_DELAY_MS, 20), 0);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_NEXT_MR, 9), 0);
	ck_assert_int_eq(sim_inject_sms(h->sim, &in, NULL), 1);
	h_expect(h, "\r\n+CMT: ,");
	h_take_line(h, line, sizeof(line));
	h_take_line(h, line, sizeof(line));
	/* A sent message asks for a report while the +CMT is unacked. */
	ck_assert_int_eq(encode("+256772999888", "report me", true, &p, 1), 1);
	r = send_pdu(h, &p);
	ck_assert_str_eq(r, "\r\n+CMGS: 9\r\n\r\nOK\r\n");
	free(r);
	h_absent(h, "+CDS", 300);
	/* This +CNMA is for the +CMT; only then does the +CDS come. */
	h->len = 0;
	h_send(h, "AT+CNMA\r");
	h_expect(h, "\r\nOK\r\n");
	h_take_report(h, 9, &dec);
	/* The +CDS awaits its own +CNMA: a new +CMT waits behind it. */
	ck_assert_int_eq(sim_inject_sms(h->sim, &in, NULL), 1);
	h_absent(h, "+CMT", 300);
	ck_assert_uint_eq(sim_pending(h->sim), 1);
	h->len = 0;
	h_send(h, "AT+CNMA\r");
	h_expect(h, "\r\nOK\r\n");
	h_expect(h, "\r\n+CMT: ,");
	h_ok(h, "AT+CNMA", "\r\nOK\r\n");
	h_ok(h, "AT+CNMA", "+CMS ERROR: 340");
	ck_assert_uint_eq(sim_pending(h->sim), 0);
	ck_assert_uint_eq(sim_counter(h->sim, "cmt-redelivered"), 0);
	h_free(h);
}
END_TEST

START_TEST(test_cdsi_and_cmgw)
{
	struct sms_pdu_out p;
	struct h *h;
	struct sim_config cfg;
	struct sms dec;
	char cmd[32], *r;
	int i;

	sim_config_init(&cfg);
	cfg.sm_capacity = 2;
	h = h_new(&cfg);
	setup_pdu(h);
	/* ds=2: the report is stored and announced with +CDSI. */
	h_ok(h, "AT+CNMI=2,1,0,2,0", "OK");
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_SR_BEFORE_OK, 1), 0);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_NEXT_MR, 7), 0);
	ck_assert_int_eq(encode("+256772999888", "ack?", true, &p, 1), 1);
	r = send_pdu(h, &p);
	ck_assert_str_eq(r, "\r\n+CMGS: 7\r\n\r\n+CDSI: \"SM\",1\r\n"
			    "\r\nOK\r\n");
	free(r);
	read_slot(h, 1, &dec);
	ck_assert_int_eq(dec.type, SMS_TYPE_STATUS_REPORT);
	ck_assert_uint_eq(dec.mr, 7);
	/* AT+CMGW into a store with one free slot, then memory full. */
	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "AT+CMGW=%zu\r", p.tpdu_len);
		h->len = 0;
		h_send(h, cmd);
		h_expect(h, "> ");
		h_send(h, p.hex);
		r = h_cmd(h, "\x1a");
		ck_assert_str_eq(r, i == 0 ? "\r\n+CMGW: 2\r\n\r\nOK\r\n"
					   : "\r\n+CMS ERROR: 322\r\n");
		free(r);
	}
	h_ok(h, "AT+CMGL=2", "+CMGL: 2,2,,");
	ck_assert_uint_eq(sim_sent_count(h->sim), 1);
	h_free(h);
}
END_TEST

START_TEST(test_text_mode)
{
	struct sim_sms in = {.from = "+256772000777", .text = "CASES 12"};
	struct h *h = h_default();
	const struct sim_sent *e;
	char *r;

	h_ok(h, "ATE0", "OK");
	h_ok(h, "AT+CMGF=1", "OK");
	h_ok(h, "AT+CNMI=2,1,0,0,0", "OK");
	ck_assert_int_eq(sim_inject_sms(h->sim, &in, NULL), 1);
	h_expect(h, "+CMTI: \"SM\",1");
	h_ok(h, "AT+CMGR=1", "+CMGR: \"REC UNREAD\",\"+256772000777\",,\"");
	h_ok(h, "AT+CMGL=\"ALL\"", "\r\nCASES 12\r\n");
	h->len = 0;
	h_send(h, "AT+CMGS=\"+256772000777\"\r");
	h_expect(h, "> ");
	r = h_cmd(h, "Thank you\x1a");
	ck_assert(strstr(r, "+CMGS: 0") != NULL);
	free(r);
	e = sim_sent_get(h->sim, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert(e->text_mode);
	ck_assert_str_eq(e->to, "+256772000777");
	ck_assert_str_eq(e->text, "Thank you");
	h_free(h);
}
END_TEST

/* ---- SIM ---------------------------------------------------------------- */

START_TEST(test_sim_busy_after_boot)
{
	struct sim_config cfg;
	struct h *h;
	char *r;
	int busy = 0;
	int64_t end;

	sim_config_init(&cfg);
	cfg.sim_busy_ms = 1500;
	h = h_new(&cfg);
	h_ok(h, "ATE0", "OK");
	h_ok(h, "AT+CMEE=1", "OK");
	h_ok(h, "AT+CPIN?", "+CME ERROR: 14");
	h_ok(h, "AT+CPMS?", "+CMS ERROR: 314");
	/* Retry (bounded) as a gateway would, until the SIM is ready. */
	end = now_ms() + WAIT_MS;
	for (;;) {
		r = h_cmd(h, "AT+CPIN?");
		if (strstr(r, "+CPIN: READY")) {
			free(r);
			break;
		}
		ck_assert(strstr(r, "+CME ERROR: 14") != NULL);
		free(r);
		busy++;
		ck_assert(now_ms() < end);
		h_pump(h, NULL, 0, 50);
	}
	ck_assert_int_ge(busy, 1);
	h_free(h);
}
END_TEST

START_TEST(test_pin)
{
	struct sim_config cfg;
	struct h *h;

	sim_config_init(&cfg);
	cfg.pin = "1234";
	h = h_new(&cfg);
	h_ok(h, "ATE0", "OK");
	h_ok(h, "AT+CPIN?", "+CPIN: SIM PIN");
	h_ok(h, "AT+CMGL=4", "ERROR"); /* CMEE=0: plain ERROR for CME... */
	h_ok(h, "AT+CMEE=1", "OK");
	h_ok(h, "AT+CMGL=4", "+CMS ERROR: 311");
	h_ok(h, "AT+CPIN=\"0000\"", "+CME ERROR: 16");
	h_ok(h, "AT+CPIN=\"1234\"", "\r\nOK\r\n");
	h_ok(h, "AT+CPIN?", "+CPIN: READY");
	h_free(h);

	h = h_new(&cfg);
	h_ok(h, "ATE0;+CMEE=1", "OK");
	h_ok(h, "AT+CPIN=\"0000\"", "+CME ERROR: 16");
	h_ok(h, "AT+CPIN=\"1111\"", "+CME ERROR: 16");
	h_ok(h, "AT+CPIN=\"2222\"", "+CME ERROR: 16");
	h_ok(h, "AT+CPIN?", "+CPIN: SIM PUK");
	h_ok(h, "AT+CPIN=\"1234\"", "+CME ERROR: 12");
	ck_assert_uint_eq(sim_counter(h->sim, "pin-wrong"), 3);
	h_ok(h, "AT+CPIN=\"12345678\",\"4321\"", "\r\nOK\r\n");
	h_ok(h, "AT+CPIN?", "+CPIN: READY");
	h_free(h);
}
END_TEST

START_TEST(test_reboot)
{
	struct h *h = h_default();
	char *r;

	h_ok(h, "ATE0", "OK");
	h_ok(h, "AT+CFUN=1,1", "OK");
	h_expect(h, "\r\nRDY\r\n");
	h_expect(h, "\r\n+CFUN: 1\r\n");
	h_expect(h, "\r\n+CPIN: READY\r\n");
	h_expect(h, "\r\nSMS Ready\r\n");
	r = h_cmd(h, "AT");
	ck_assert_str_eq(r, "AT\r\r\nOK\r\n"); /* echo back on */
	free(r);
	/* Spontaneous reboot. */
	ck_assert_int_eq(sim_reboot(h->sim), 0);
	h_expect(h, "\r\nRDY\r\n");
	ck_assert_uint_eq(sim_counter(h->sim, "reboot"), 2);
	h_free(h);
}
END_TEST

/* ---- USSD --------------------------------------------------------------- */

START_TEST(test_ussd_encodings)
{
	static const char reply[] = "Balance 1500 UGX";
	struct h *h = h_default();
	char *r, *p, hex[256];
	uint8_t oct[128], sept[160];
	char text[256];
	int enc;

	h_ok(h, "ATE0", "OK");
	ck_assert_int_eq(sim_set_ussd_reply(h->sim, reply), 0);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_USSD_DELAY_MS, 300), 0);
	for (enc = SIM_USSD_TEXT; enc <= SIM_USSD_GSM7HEX; enc++) {
		int dcs, n;

		ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_USSD_ENCODING, enc),
				0);
		h->len = 0;
		h_send(h, "AT+CUSD=1,\"*100#\",15\r");
		/* The reply comes after the OK (anything before is dropped
		 * by this h_expect, so the next one would fail). */
		h_expect(h, "\r\nOK\r\n");
		h_expect(h, "\r\n+CUSD: 0,\"");
		ck_assert(h_pump(h, "\r\n", 2, WAIT_MS));
		p = strchr(h->buf, '"');
		ck_assert_ptr_nonnull(p);
		memcpy(hex, h->buf, (size_t) (p - h->buf));
		hex[p - h->buf] = '\0';
		ck_assert_int_eq(sscanf(p, "\",%d", &dcs), 1);
		h->len = 0;
		if (enc == SIM_USSD_TEXT) {
			ck_assert_str_eq(hex, reply);
			ck_assert_int_eq(dcs, 15);
			continue;
		}
		n = sms_hex_to_bin(hex, strlen(hex), oct, sizeof(oct), NULL);
		ck_assert_int_gt(n, 0);
		if (enc == SIM_USSD_UCS2) {
			ck_assert_int_eq(dcs, 72);
			ck_assert_int_gt(ucs2_to_utf8(oct, (size_t) n, text,
							 sizeof(text)),
					0);
		} else {
			size_t ns = (size_t) n * 8 / 7, tl;

			ck_assert_int_eq(dcs, 15);
			ck_assert_int_eq(gsm7_unpack(oct, (size_t) n, 0, ns,
							 sept, sizeof(sept)),
					0);
			if (ns && sept[ns - 1] == '\r')
				ns--; /* padding CR, TS 23.038 §6.1.2.3.1 */
			ck_assert_int_eq(gsm7_to_utf8(sept, ns, text,
							 sizeof(text), &tl),
					0);
		}
		ck_assert_str_eq(text, reply);
	}
	/* Before OK, split in two writes. */
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_USSD_ENCODING, 0), 0);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_USSD_AFTER_OK, 0), 0);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_USSD_SPLIT, 1), 0);
	r = h_cmd(h, "AT+CUSD=1,\"*100#\",15");
	ck_assert_str_eq(r, "\r\n+CUSD: 0,\"Balance 1500 UGX\",15\r\n"
			    "\r\nOK\r\n");
	free(r);
	/* Network-initiated. */
	ck_assert_int_eq(sim_ussd_notify(h->sim, 1, "Reply 1 to confirm"), 0);
	h_expect(h, "\r\n+CUSD: 1,\"Reply 1 to confirm\",15\r\n");
	h_free(h);
}
END_TEST

/* ---- line faults -------------------------------------------------------- */

START_TEST(test_garbage_and_bytewise)
{
	struct h *h = h_default();
	char *r;

	h_ok(h, "ATE0", "OK");
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_NULS, 1), 0);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_GARBAGE, 1), 0);
	h->len = 0;
	h_send(h, "AT\r");
	ck_assert(h_pump(h, "\r\nOK\r\n", 6, WAIT_MS));
	ck_assert_int_eq(h->buf[0], '\0');
	ck_assert(memmem(h->buf, h->len, "\x7f\xfe", 2) != NULL);
	r = h_cmd(h, "AT"); /* one-shot: clean again */
	ck_assert_str_eq(r, "\r\nOK\r\n");
	free(r);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_BYTEWISE_US, 300), 0);
	h->reads = 0;
	r = h_cmd(h, "AT+CGMI");
	ck_assert_str_eq(r, "\r\nfieldgate\r\n\r\nOK\r\n");
	free(r);
	ck_assert_uint_ge(h->reads, 10); /* arrived in pieces */
	h_free(h);
}
END_TEST

START_TEST(test_silence_and_delay)
{
	struct h *h = h_default();
	int64_t t0;
	char *r;

	h_ok(h, "ATE0", "OK");
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_SILENCE_MS, 800), 0);
	h->len = 0;
	h_send(h, "AT\r");
	h_absent(h, "OK", 300);
	ck_assert_uint_ge(sim_counter(h->sim, "ignored-bytes"), 3);
	h_pump(h, NULL, 0, 600); /* until the silence is over */
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_DELAY_MS, 150), 0);
	t0 = now_ms();
	r = h_cmd(h, "AT");
	ck_assert_str_eq(r, "\r\nOK\r\n");
	free(r);
	ck_assert_int_ge(now_ms() - t0, 140);
	h_free(h);
}
END_TEST

START_TEST(test_baud_pacing)
{
	struct sim_config cfg;
	struct h *h;
	int64_t t0, dt;
	char *r;

	sim_config_init(&cfg);
	cfg.baud = 9600; /* 960 bytes/s */
	h = h_new(&cfg);
	h_ok(h, "ATE0", "OK");
	t0 = now_ms();
	r = h_cmd(h, "AT+CPMS=?;+CNMI=?;+CSCS=?;+CMGL=?"); /* ~150 bytes */
	dt = now_ms() - t0;
	ck_assert_int_ge((int64_t) strlen(r) * 1000 / 960 * 8 / 10, 50);
	ck_assert_msg(dt >= (int64_t) strlen(r) * 1000 / 960 * 8 / 10,
			"%zu bytes in %lld ms", strlen(r), (long long) dt);
	free(r);
	h_free(h);
}
END_TEST

START_TEST(test_unplug_replug)
{
	char dir[] = "/tmp/fieldgate-sim-XXXXXX", link[PATH_MAX], buf[64];
	char target[PATH_MAX], first[64];
	struct sim_config cfg;
	struct stat st;
	struct h *h;
	struct pollfd p;
	ssize_t n;
	char *r;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/modem", dir);
	sim_config_init(&cfg);
	cfg.link_path = link;
	h = h_new(&cfg);
	ck_assert_str_eq(sim_path(h->sim), link);
	snprintf(first, sizeof(first), "%s", sim_pty_path(h->sim));
	h_ok(h, "AT", "OK");

	ck_assert_int_eq(sim_unplug(h->sim), 0);
	ck_assert(!sim_plugged(h->sim));
	p = (struct pollfd){.fd = transport_fd(h->tp), .events = POLLIN};
	ck_assert_int_eq(poll(&p, 1, WAIT_MS), 1);
	n = transport_read(h->tp, buf, sizeof(buf));
	ck_assert_int_eq(n, -ECONNRESET);
	ck_assert_int_eq(lstat(link, &st), -1);
	transport_close(h->tp);
	h->tp = NULL;

	ck_assert_int_eq(sim_replug(h->sim), 0);
	ck_assert_int_eq(sim_replug(h->sim), -EBUSY);
	n = readlink(link, target, sizeof(target) - 1);
	ck_assert_int_gt(n, 0);
	target[n] = '\0';
	ck_assert_str_eq(target, sim_pty_path(h->sim));
	h_attach(h);
	r = h_cmd(h, "AT");
	ck_assert_str_eq(r, "AT\r\r\nOK\r\n"); /* powered up again */
	free(r);
	h_free(h);
	ck_assert_int_eq(lstat(link, &st), -1); /* removed by sim_free */
	rmdir(dir);
}
END_TEST

/* ---- control protocol --------------------------------------------------- */

START_TEST(test_control_text)
{
	struct h *h = h_default();
	char *out = NULL;

	setup_pdu(h);
	ck_assert_int_eq(sim_command(h->sim,
					 "inject from=MTN enc=ucs2 parts=2 "
					 "order=2,1 text=Hello\\nworld",
					 &out),
			0);
	ck_assert_str_eq(out, "queued 2\n");
	free(out);
	h_expect(h, "+CMTI: \"SM\",2");
	ck_assert_int_eq(sim_command(h->sim, "set cms-count 1", &out), 0);
	free(out);
	ck_assert_int_eq(sim_get(h->sim, SIM_FAULT_CMS_COUNT), 1);
	ck_assert_int_eq(sim_command(h->sim, "set ussd-encoding gsm7hex", &out),
			0);
	free(out);
	ck_assert_int_eq(sim_get(h->sim, SIM_FAULT_USSD_ENCODING),
			SIM_USSD_GSM7HEX);
	ck_assert_int_eq(sim_command(h->sim, "counters", &out), 0);
	ck_assert(strstr(out, "stored SM 2/30\n") != NULL);
	ck_assert(strstr(out, "count +CNMI 1\n") != NULL);
	free(out);
	ck_assert_int_eq(sim_command(h->sim, "bogus", &out), -EINVAL);
	ck_assert(strstr(out, "unknown command") != NULL);
	free(out);
	ck_assert_int_eq(sim_command(h->sim, "set nosuch 1", &out), -EINVAL);
	free(out);
	ck_assert_int_eq(sim_command(h->sim, "inject parts=0 text=x", &out),
			-EINVAL);
	free(out);
	h_free(h);
}
END_TEST

/* Bad control input is refused with a reason, never a crash. */
static const char *const bad_control[] = {
		"",
		"inject",
		"inject parts=999 text=x",
		"inject parts=5 text=abc",
		"inject order=0 text=x",
		"inject order=1,1 text=x",
		"inject order=9 text=x",
		"inject dup=7 text=x",
		"inject corrupt=x text=x",
		"inject enc=latin1 text=x",
		"inject ref=70000 text=x",
		"inject nonsense text=x",
		"inject enc=gsm7 text=\xe4\xb8\xad",
		"inject text=\xff\xfe",
		"urc-at",
		"urc-at nowhere +CMTI: 1",
		"urc-at cmgr",
		"set",
		"set delay",
		"set delay -1",
		"set delay 12x",
		"set ussd-encoding klingon",
		"set next-mr 256",
		"set sm-capacity 1000",
		"set index-base 2",
		"get",
		"get nosuch",
		"ussd-notify",
		"ussd-notify 9 hi",
		"inject-pdu",
		"replug",
		"ussd-reply",
};

START_TEST(test_control_bad_input)
{
	struct h *h = h_default();
	char *out = NULL;
	int r;

	r = sim_command(h->sim, bad_control[_i], &out);
	ck_assert_msg(r < 0, "'%s' accepted", bad_control[_i]);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(out[0] != '\0', "'%s': no reason", bad_control[_i]);
	free(out);
	ck_assert_uint_eq(sim_pending(h->sim), 0);
	h_ok(h, "AT", "OK"); /* still alive */
	h_free(h);
}
END_TEST

/* Random bytes from the gateway side: the modem survives and answers. */
START_TEST(test_random_input)
{
	struct h *h = h_default();
	unsigned seed = 12345u + (unsigned) _i;
	char buf[4096];
	size_t i;

	for (i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (char) (seed >> 16);
	}
	for (i = 0; i + 256 <= sizeof(buf); i += 256) {
		ck_assert_int_eq(transport_write(h->tp, buf + i, 256), 256);
		h_pump(h, NULL, 0, 5);
	}
	/* Leave any prompt (ESC), end the line, restore verbose results. */
	h_send(h, "\x1b\rATV1\r");
	h_pump(h, NULL, 0, 300); /* a random AT+CFUN=1,1 would reboot */
	h_ok(h, "AT", "OK\r\n");
	h_free(h);
}
END_TEST

START_TEST(test_control_socket)
{
	char dir[] = "/tmp/fieldgate-simc-XXXXXX", path[PATH_MAX];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[4096];
	struct sim_config cfg;
	size_t len = 0;
	struct h *h;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl", dir);
	sim_config_init(&cfg);
	cfg.control_path = path;
	h = h_new(&cfg);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(path), sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	ck_assert_int_eq(write(fd, "path\nbogus\n", 11), 11);
	while (!strstr(buf, "ERR ")) {
		ssize_t n;

		h_pump(h, NULL, 0, 10);
		n = recv(fd, buf + len, sizeof(buf) - 1 - len, MSG_DONTWAIT);
		if (n > 0)
			len += (size_t) n;
		buf[len] = '\0';
		ck_assert_uint_lt(len, sizeof(buf) - 1);
	}
	ck_assert(strstr(buf, "path ") == buf);
	ck_assert(strstr(buf, "plugged yes\nOK\nERR unknown command") != NULL);
	close(fd);
	h_free(h);
	rmdir(dir);
}
END_TEST

START_TEST(test_more_quirks)
{
	struct sim_sms in = {.text = "quirk"};
	struct h *h = h_default();
	char *r;
	int i;

	/* ^RSSI flood, silenced by AT^CURC=0. */
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_RSSI_FLOOD_MS, 20), 0);
	h_expect(h, "\r\n^RSSI: ");
	h_expect(h, "\r\n^RSSI: ");
	h_ok(h, "ATE0;^CURC=0", "OK");
	h->len = 0;
	h_absent(h, "^RSSI", 100);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_RSSI_FLOOD_MS, 0), 0);

	/* Numeric results after ATV0. */
	h->len = 0;
	h_send(h, "ATV0\r");
	h_expect(h, "0\r");
	ck_assert_uint_eq(h->len, 0);
	h_send(h, "AT+BOGUS\r");
	h_expect(h, "4\r");
	h_ok(h, "ATV1", "OK");

	/* An empty line between +CMGR: and the PDU. */
	h_ok(h, "AT+CNMI=2,1,0,0,0", "OK");
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(sim_inject_sms(h->sim, &in, NULL), 1);
	h_expect(h, "+CMTI: \"SM\",3");
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_EXTRA_CRLF, 1), 0);
	h_ok(h, "AT+CMGR=1", ",,24\r\n\r\n0");
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_EXTRA_CRLF, 0), 0);
	/* CMGD with a flag: 1 deletes the read ones. */
	h_ok(h, "AT+CMGD=1,1", "OK");
	ck_assert_int_eq(sim_stored(h->sim, "SM"), 2);
	h_ok(h, "AT+CMGD=0,4", "OK");
	ck_assert_int_eq(sim_stored(h->sim, "SM"), 0);

	/* Slots numbered from 0; +CNMI=2,2 advertised but refused. */
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_INDEX_BASE, 0), 0);
	ck_assert_int_eq(sim_inject_sms(h->sim, &in, NULL), 1);
	h_expect(h, "\r\n+CMTI: \"SM\",0\r\n");
	h_ok(h, "AT+CMGR=0", "+CMGR: 0,,24");
	h_ok(h, "AT+CMGD=0", "\r\nOK\r\n");
	ck_assert_int_eq(sim_stored(h->sim, "SM"), 0);
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_REJECT_DIRECT, 1), 0);
	h_ok(h, "AT+CNMI=2,2,0,0,0", "+CMS ERROR: 303");
	h_ok(h, "AT+CNMI=2,1,0,2,0", "\r\nOK\r\n");

	/* A response cut in half, then nothing. */
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_TRUNCATE, 1), 0);
	h->len = 0;
	h_send(h, "AT+CGMI\r");
	h_absent(h, "OK", 150);
	ck_assert_str_eq(h->buf, "\r\nfieldga"); /* 9 of 19 bytes */
	h_ok(h, "AT", "\r\nOK\r\n");

	/* Garbled echo of one command line. */
	h_ok(h, "ATE1", "OK");
	ck_assert_int_eq(sim_set(h->sim, SIM_FAULT_GARBLE_ECHO, 1), 0);
	r = h_cmd(h, "AT+CSQ");
	ck_assert_str_eq(r, "AT~CS~\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
	free(r);
	r = h_cmd(h, "AT");
	ck_assert_str_eq(r, "AT\r\r\nOK\r\n");
	free(r);
	h_free(h);
}
END_TEST

/* Read one line from a blocking fd (the child's stdout). */
static void read_line_fd(int fd, char *out, size_t size)
{
	size_t n = 0;

	while (n < size - 1) {
		ssize_t r = read(fd, out + n, 1);

		ck_assert_int_eq(r, 1);
		if (out[n] == '\n')
			break;
		n++;
	}
	out[n] = '\0';
}

/* One control command over a socket; returns the reply (malloc'd). */
static char *ctl(int fd, const char *cmd)
{
	char buf[8192];
	size_t len = 0;
	int64_t end = now_ms() + WAIT_MS;

	ck_assert_int_eq(write(fd, cmd, strlen(cmd)), (ssize_t) strlen(cmd));
	buf[0] = '\0';
	while (!strstr(buf, "OK\n") && !strstr(buf, "ERR ")) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		ck_assert(now_ms() < end);
		poll(&p, 1, 100);
		n = recv(fd, buf + len, sizeof(buf) - 1 - len, MSG_DONTWAIT);
		if (n > 0)
			len += (size_t) n;
		buf[len] = '\0';
	}
	return strdup(buf);
}

START_TEST(test_modemsim_program)
{
	const char *bld = getenv("top_builddir");
	const char *src = getenv("top_srcdir");
	char dir[] = "/tmp/fieldgate-msim-XXXXXX", prog[PATH_MAX];
	char scen[PATH_MAX];
	char link[256], sock[256], path[PATH_MAX], buf[64];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct h *h = calloc(1, sizeof(*h));
	int out[2], fd, status;
	struct pollfd p;
	struct stat st;
	pid_t pid;
	char *r;

	ck_assert_ptr_nonnull(h);
	snprintf(prog, sizeof(prog), "%s/tests/sim/modemsim", bld ? bld : ".");
	snprintf(scen, sizeof(scen), "%s/tests/sim/scenarios/demo.sim",
			src ? src : "..");
	ck_assert_msg(access(prog, X_OK) == 0, "no %s", prog);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/modem", dir);
	snprintf(sock, sizeof(sock), "%s/ctl", dir);
	ck_assert_int_eq(pipe(out), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(out[1], 1);
		execl(prog, prog, "--link", link, "--control", sock,
				"--capacity", "5", "--init", scen,
				(char *) NULL);
		_exit(127);
	}
	close(out[1]);
	read_line_fd(out[0], path, sizeof(path));
	ck_assert_str_eq(path, link);

	/* The program serves the pty and the control socket. */
	snprintf(path, sizeof(path), "tty:%s", link);
	ck_assert_int_ge(transport_open(path, 115200, false, &h->tp, NULL), 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_uint_lt(strlen(sock), sizeof(sa.sun_path));
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	ck_assert_int_eq(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	/* The demo scenario: SIM busy, 6 PDUs waiting in the network. */
	h_ok(h, "ATE0;+CMEE=1", "OK");
	h_ok(h, "AT+CPMS?", "+CMS ERROR: 314");
	r = ctl(fd, "set sim-busy 0\n");
	free(r);
	h_ok(h, "AT+CNMI=2,1,0,0,0", "OK");
	r = ctl(fd, "counters\n");
	ck_assert_msg(strstr(r, "stored SM 6/10\n") != NULL, "%s", r);
	free(r);
	h_ok(h, "AT+CMGD=0,4", "OK");
	r = ctl(fd, "inject from=+256700000001 text=CASES 3\n");
	ck_assert_str_eq(r, "queued 1\nOK\n");
	free(r);
	h_expect(h, "\r\n+CMTI: \"SM\",1\r\n");
	r = ctl(fd, "counters\n");
	ck_assert(strstr(r, "stored SM 1/10\n") != NULL);
	free(r);

	/* Unplug: the transport sees the device go; replug: same link. */
	r = ctl(fd, "unplug\n");
	free(r);
	p = (struct pollfd){.fd = transport_fd(h->tp), .events = POLLIN};
	ck_assert_int_eq(poll(&p, 1, WAIT_MS), 1);
	ck_assert_int_eq(transport_read(h->tp, buf, sizeof(buf)), -ECONNRESET);
	transport_close(h->tp);
	h->tp = NULL;
	r = ctl(fd, "replug\n");
	ck_assert(strstr(r, "path ") == r);
	free(r);
	ck_assert_int_ge(transport_open(path, 115200, false, &h->tp, NULL), 0);
	h->len = 0;
	h_ok(h, "AT+CMGR=1", "+CMGR: 0,,"); /* the SIM kept the message */

	close(fd);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(lstat(link, &st), -1);
	ck_assert_int_eq(lstat(sock, &st), -1);
	close(out[0]);
	transport_close(h->tp);
	free(h);
	rmdir(dir);
}
END_TEST

static Suite *sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *tc;

	tc = tcase_create("at");
	tcase_add_test(tc, test_echo);
	tcase_add_test(tc, test_info_commands);
	tcase_add_test(tc, test_reboot);
	suite_add_tcase(s, tc);

	tc = tcase_create("receive");
	tcase_add_test(tc, test_inject_chinese_multipart);
	tcase_add_test(tc, test_inject_out_of_order_dup_missing);
	tcase_add_test(tc, test_inject_corrupt);
	tcase_add_test(tc, test_storage_full);
	tcase_add_test(tc, test_cmt_needs_cnma);
	tcase_add_test(tc, test_cds_waits_for_cnma);
	tcase_add_test(tc, test_urc_inside_cmgr);
	tcase_add_test(tc, test_text_mode);
	suite_add_tcase(s, tc);

	tc = tcase_create("send");
	tcase_add_test(tc, test_cmgs_flow);
	tcase_add_test(tc, test_cms_faults);
	tcase_add_test(tc, test_status_report);
	tcase_add_test(tc, test_cdsi_and_cmgw);
	suite_add_tcase(s, tc);

	tc = tcase_create("sim");
	tcase_add_test(tc, test_sim_busy_after_boot);
	tcase_add_test(tc, test_pin);
	suite_add_tcase(s, tc);

	tc = tcase_create("ussd");
	tcase_add_test(tc, test_ussd_encodings);
	suite_add_tcase(s, tc);

	tc = tcase_create("faults");
	tcase_add_test(tc, test_garbage_and_bytewise);
	tcase_add_test(tc, test_silence_and_delay);
	tcase_add_test(tc, test_baud_pacing);
	tcase_add_test(tc, test_unplug_replug);
	tcase_add_test(tc, test_more_quirks);
	suite_add_tcase(s, tc);

	tc = tcase_create("control");
	tcase_add_test(tc, test_control_text);
	tcase_add_test(tc, test_control_socket);
	tcase_add_loop_test(tc, test_control_bad_input, 0,
			sizeof(bad_control) / sizeof(bad_control[0]));
	tcase_add_loop_test(tc, test_random_input, 0, 8);
	tcase_add_test(tc, test_modemsim_program);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sim_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
