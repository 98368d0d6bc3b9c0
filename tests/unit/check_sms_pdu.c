/*
 * SMS TPDU codec: published vectors decoded field by field, exact encodings,
 * segment boundaries, round-trip property tests and malformed input.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modem/sms_pdu.h"
#include "modem/ucs2.h"
#include "tests/unit/testutil.h"

static struct sms msg; /* large: keep off the stack */

static void decode_ok(const char *hex, unsigned flags)
{
	const char *reason = NULL;
	int rc = sms_decode_hex(hex, strlen(hex), flags, &msg, &reason);

	ck_assert_msg(rc == 0, "decode %s: %d %s", hex, rc,
			reason ? reason : "");
}

/*
 * The classic SMS-DELIVER "hellohello" from dreamfabric.com's "SMS and the
 * PDU format" (mirrored at http://subnets.ru/saved/sms_pdu_format.html):
 * SMSC +27381000015, sender 27838890001 (type C8), SCTS 99-03-29
 * 15:16:59 with zone octet 80, 7-bit "hellohello".
 */
START_TEST(test_vector_dreamfabric_deliver)
{
	int64_t epoch;

	decode_ok("07917283010010F5040BC87238880900F10000993092516195800A"
		  "E8329BFD4697D9EC37",
			0);
	ck_assert_int_eq(msg.type, SMS_TYPE_DELIVER);
	ck_assert(msg.has_smsc);
	ck_assert_str_eq(msg.smsc.number, "+27381000015");
	ck_assert_uint_eq(msg.smsc.ton, SMS_TON_INTERNATIONAL);
	ck_assert_uint_eq(msg.smsc.npi, SMS_NPI_ISDN);
	ck_assert_uint_eq(msg.first_octet, 0x04);
	ck_assert(msg.mms);
	ck_assert(!msg.sri && !msg.udhi && !msg.rp && !msg.lp);
	ck_assert_str_eq(msg.addr.number, "27838890001");
	ck_assert_uint_eq(msg.addr.ton, 4);
	ck_assert_uint_eq(msg.addr.npi, 8);
	ck_assert_uint_eq(msg.pid, 0);
	ck_assert_uint_eq(msg.dcs.raw, 0);
	ck_assert_int_eq(msg.dcs.charset, SMS_CHARSET_GSM7);
	ck_assert_int_eq(msg.dcs.msg_class, -1);
	ck_assert(!msg.dcs.compressed);
	ck_assert_uint_eq(msg.scts.year, 99);
	ck_assert_uint_eq(msg.scts.month, 3);
	ck_assert_uint_eq(msg.scts.day, 29);
	ck_assert_uint_eq(msg.scts.hour, 15);
	ck_assert_uint_eq(msg.scts.minute, 16);
	ck_assert_uint_eq(msg.scts.second, 59);
	ck_assert_int_eq(msg.scts.tz_quarters, 8);
	/* 2099-03-29 15:16:59 +02:00 = 13:16:59 UTC (years read as 20yy). */
	ck_assert_int_eq(sms_scts_to_epoch(&msg.scts, &epoch), 0);
	ck_assert_int_eq(epoch, 4078473419LL);
	ck_assert_uint_eq(msg.udl, 10);
	ck_assert(!msg.udh.present);
	ck_assert_str_eq(msg.text, "hellohello");
	ck_assert_uint_eq(msg.text_len, 10);
	ck_assert_uint_eq(msg.ud_len, 9);
	ck_assert_uint_eq(msg.data_len, 0);
}
END_TEST

/*
 * The matching SMS-SUBMIT from the same page: no SMSC ("00"), MR 0, to
 * +46708251358, VP AA (4 days), "hellohello". Our encoder must produce it
 * byte for byte.
 */
static const char dreamfabric_submit[] =
		"0011000B916407281553F80000AA0AE8329BFD4697D9EC37";

START_TEST(test_vector_dreamfabric_submit)
{
	struct sms_submit_opts o;
	struct sms_pdu_out out[2];
	const char *reason = NULL;

	decode_ok(dreamfabric_submit, 0);
	ck_assert_int_eq(msg.type, SMS_TYPE_SUBMIT);
	ck_assert(!msg.has_smsc);
	ck_assert_str_eq(msg.smsc.number, "");
	ck_assert_uint_eq(msg.mr, 0);
	ck_assert_str_eq(msg.addr.number, "+46708251358");
	ck_assert_uint_eq(msg.addr.ton, SMS_TON_INTERNATIONAL);
	ck_assert_int_eq(msg.vpf, SMS_VPF_RELATIVE);
	ck_assert_uint_eq(msg.vp_relative, 0xaa);
	ck_assert_uint_eq(msg.vp_seconds, 4 * 86400);
	ck_assert(!msg.rd && !msg.srr && !msg.udhi);
	ck_assert_str_eq(msg.text, "hellohello");

	sms_submit_opts_init(&o);
	o.to = "+46708251358";
	o.validity_seconds = 4 * 86400;
	ck_assert_int_eq(sms_encode_submit(
					 "hellohello", 10, &o, out, 2, &reason),
			1);
	ck_assert_str_eq(out[0].hex, dreamfabric_submit);
	ck_assert_uint_eq(out[0].tpdu_len, 23);
	ck_assert_uint_eq(out[0].seq, 1);
	ck_assert_uint_eq(out[0].total, 1);
}
END_TEST

/*
 * cnblogs.com/peihao/p/5269167.html, example 1 (SMS-SUBMIT, SMSC
 * +8613800250500, to +8613693092030, VP 00, "Hello!") and example 2
 * (SMS-DELIVER from +8613693092030, UCS-2 "你好!", first octet 84).
 */
START_TEST(test_vector_cnblogs)
{
	static const char submit[] = "0891683108200505F011000D91683196032930"
				     "F000000006C8329BFD0E01";
	struct sms_submit_opts o;
	struct sms_pdu_out out[1];

	decode_ok(submit, 0);
	ck_assert_int_eq(msg.type, SMS_TYPE_SUBMIT);
	ck_assert_str_eq(msg.smsc.number, "+8613800250500");
	ck_assert_str_eq(msg.addr.number, "+8613693092030");
	ck_assert_uint_eq(msg.vp_relative, 0);
	ck_assert_uint_eq(msg.vp_seconds, 300);
	ck_assert_str_eq(msg.text, "Hello!");

	sms_submit_opts_init(&o);
	o.to = "+8613693092030";
	o.smsc = "+8613800250500";
	o.validity_seconds = 300;
	ck_assert_int_eq(sms_encode_submit("Hello!", 6, &o, out, 1, NULL), 1);
	ck_assert_str_eq(out[0].hex, submit);
	ck_assert_uint_eq(out[0].tpdu_len, 21);

	decode_ok("0891683108200505F0840D91683196032930F00008303021806354"
		  "80064F60597D0021",
			0);
	ck_assert_int_eq(msg.type, SMS_TYPE_DELIVER);
	ck_assert(msg.rp && msg.mms);
	ck_assert_str_eq(msg.addr.number, "+8613693092030");
	ck_assert_int_eq(msg.dcs.charset, SMS_CHARSET_UCS2);
	ck_assert_uint_eq(msg.scts.year, 3);
	ck_assert_uint_eq(msg.scts.month, 3);
	ck_assert_uint_eq(msg.scts.day, 12);
	ck_assert_uint_eq(msg.scts.hour, 8);
	ck_assert_uint_eq(msg.scts.minute, 36);
	ck_assert_uint_eq(msg.scts.second, 45);
	ck_assert_int_eq(msg.scts.tz_quarters, 8);
	ck_assert_uint_eq(msg.udl, 6);
	ck_assert_str_eq(msg.text, "\xe4\xbd\xa0\xe5\xa5\xbd!");
}
END_TEST

/*
 * accessvba.blogsky.com "decode SMS-SUBMIT": SMSC +8613800280500, MR 0x51,
 * national-format DA 1861 (type 81), VP FF (63 weeks), 22 septets.
 */
START_TEST(test_vector_accessvba)
{
	decode_ok("0891683108200805F01151048181160000FF16C8329BFD66B5F320B8BC"
		  "4CA7E741F7B79C4D0E01",
			0);
	ck_assert_int_eq(msg.type, SMS_TYPE_SUBMIT);
	ck_assert_str_eq(msg.smsc.number, "+8613800280500");
	ck_assert_uint_eq(msg.mr, 0x51);
	ck_assert_str_eq(msg.addr.number, "1861");
	ck_assert_uint_eq(msg.addr.ton, SMS_TON_UNKNOWN);
	ck_assert_uint_eq(msg.addr.npi, SMS_NPI_ISDN);
	ck_assert_uint_eq(msg.vp_relative, 0xff);
	ck_assert_uint_eq(msg.vp_seconds, 63u * 7 * 86400);
	ck_assert_uint_eq(msg.udl, 22);
	ck_assert_str_eq(msg.text, "Hello,my pretty world!");

	/* Same site: class 1 (DCS 11) SUBMIT to +447700900123. */
	decode_ok("079144872000626011000C914477000910320011002154747A0E4ACF41"
		  "6190BD2CCF83E6E9369C5D06B5CBF379F85C06E95A29",
			0);
	ck_assert_str_eq(msg.smsc.number, "+447802002606");
	ck_assert_str_eq(msg.addr.number, "+447700900123");
	ck_assert_uint_eq(msg.dcs.raw, 0x11);
	ck_assert_int_eq(msg.dcs.msg_class, 1);
	ck_assert_int_eq(msg.dcs.charset, SMS_CHARSET_GSM7);
	ck_assert_uint_eq(msg.udl, 33);
	ck_assert_uint_eq(msg.text_len, 33);
}
END_TEST

/*
 * 9cbs.com "SMS PDU mode, data format and length calculation": "hello" to
 * 1234657 (type 81), VP AA: AT+CMGS=17 (the SMSC octet excluded).
 */
START_TEST(test_vector_cmgs_length)
{
	struct sms_submit_opts o;
	struct sms_pdu_out out[1];

	sms_submit_opts_init(&o);
	o.to = "1234657";
	o.validity_seconds = 4 * 86400;
	ck_assert_int_eq(sms_encode_submit("hello", 5, &o, out, 1, NULL), 1);
	ck_assert_str_eq(out[0].hex, "0011000781214356F70000AA05E8329BFD06");
	ck_assert_uint_eq(out[0].tpdu_len, 17);
}
END_TEST

/*
 * SMS-STATUS-REPORT laid out per TS 23.040 §9.2.2.3 (hand-built: fo 06,
 * MR 2A, RA +46708251358, SCTS 2012-01-27 14:50:50 -03:00 (zone octet 29:
 * tens 1 | sign bit, units 2), DT 14:50:55, ST 00).
 */
static const char sr_hex[] = "00062A0B916407281553F82110724105052921107241"
			     "05552900";

START_TEST(test_status_report)
{
	struct sms_status_report_opts o;
	struct sms_pdu_out out;
	int64_t epoch;

	decode_ok(sr_hex, 0);
	ck_assert_int_eq(msg.type, SMS_TYPE_STATUS_REPORT);
	ck_assert(msg.mms && !msg.srq);
	ck_assert_uint_eq(msg.mr, 0x2a);
	ck_assert_str_eq(msg.addr.number, "+46708251358");
	ck_assert_uint_eq(msg.scts.year, 12);
	ck_assert_uint_eq(msg.scts.second, 50);
	ck_assert_int_eq(msg.scts.tz_quarters, -12);
	ck_assert_uint_eq(msg.discharge.second, 55);
	ck_assert_uint_eq(msg.status, 0);
	ck_assert_uint_eq(msg.pi, 0);
	ck_assert_int_eq(sms_scts_to_epoch(&msg.scts, &epoch), 0);
	ck_assert_int_eq(epoch, 1327686650LL);

	memset(&o, 0, sizeof(o));
	o.recipient = "+46708251358";
	o.mr = 0x2a;
	o.mms = true;
	o.scts = msg.scts;
	o.discharge = msg.discharge;
	ck_assert_int_eq(sms_encode_status_report(&o, &out, NULL), 1);
	ck_assert_str_eq(out.hex, sr_hex);
	ck_assert_uint_eq(out.tpdu_len, strlen(sr_hex) / 2 - 1);

	/* Trailing FF padding (SIM records) is ignored; other bytes not. */
	decode_ok("00062A0B916407281553F8211072410505292110724105552900FFFF",
			0);
	ck_assert_uint_eq(msg.pi, 0);
	/* With TP-PI: PID and DCS present, no UD. */
	decode_ok("00062A0B916407281553F8211072410505292110724105552946037F08",
			0);
	ck_assert_uint_eq(msg.status, 0x46);
	ck_assert_uint_eq(msg.pi, 3);
	ck_assert_uint_eq(msg.pid, 0x7f);
	ck_assert_int_eq(msg.dcs.charset, SMS_CHARSET_UCS2);
}
END_TEST

/* 16-bit concat reference (IEI 08), hand-built per TS 23.040 §9.2.3.24.8:
 * UDH 06 08 04 1234 03 02 is 56 bits = 8 septets (no fill), then "hi". */
START_TEST(test_udh_16bit_ref)
{
	decode_ok("00440B916407281553F80000211072410505290A06080412340302E834",
			0);
	ck_assert(msg.udhi && msg.udh.present);
	ck_assert_uint_eq(msg.udh.len, 6);
	ck_assert(msg.udh.has_concat && msg.udh.concat_16bit);
	ck_assert_uint_eq(msg.udh.concat_ref, 0x1234);
	ck_assert_uint_eq(msg.udh.concat_total, 3);
	ck_assert_uint_eq(msg.udh.concat_seq, 2);
	ck_assert_str_eq(msg.text, "hi");
}
END_TEST

/* 8-bit data with 16-bit application ports (WAP push 2948 <- 9200),
 * TS 23.040 §9.2.3.24.4. */
START_TEST(test_udh_ports_8bit)
{
	decode_ok("00440B916407281553F8000421107241050529090605040B8423F00102",
			0);
	ck_assert_int_eq(msg.dcs.charset, SMS_CHARSET_8BIT);
	ck_assert(msg.udh.has_ports && msg.udh.ports_16bit);
	ck_assert(!msg.udh.has_concat);
	ck_assert_uint_eq(msg.udh.dst_port, 2948);
	ck_assert_uint_eq(msg.udh.src_port, 9200);
	ck_assert_uint_eq(msg.data_len, 2);
	ck_assert_uint_eq(msg.data[0], 1);
	ck_assert_uint_eq(msg.data[1], 2);
	ck_assert_str_eq(msg.text, "");
}
END_TEST

/* DCS groups of TS 23.038 §4. */
START_TEST(test_dcs_groups)
{
	static const struct {
		uint8_t dcs;
		enum sms_charset cs;
		int cls;
		bool compressed;
	} cases[] = {
			{0x00, SMS_CHARSET_GSM7, -1, false},
			{0x04, SMS_CHARSET_8BIT, -1, false},
			{0x08, SMS_CHARSET_UCS2, -1, false},
			{0x10, SMS_CHARSET_GSM7, 0, false},
			{0x19, SMS_CHARSET_UCS2, 1, false},
			{0x16, SMS_CHARSET_8BIT, 2, false},
			{0x20, SMS_CHARSET_GSM7, -1, true},
			{0x48, SMS_CHARSET_UCS2, -1, false}, /* auto-deletion */
			{0xc8, SMS_CHARSET_GSM7, -1, false}, /* MWI discard */
			{0xd0, SMS_CHARSET_GSM7, -1, false}, /* MWI store */
			{0xe0, SMS_CHARSET_UCS2, -1,
					false}, /* MWI store UCS-2 */
			{0xf0, SMS_CHARSET_GSM7, 0, false},
			{0xf6, SMS_CHARSET_8BIT, 2, false},
			{0xf3, SMS_CHARSET_GSM7, 3, false},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char hex[128];

		/* Empty user data so every charset decodes. */
		snprintf(hex, sizeof(hex),
				"00040B916407281553F800%02X2110724105052900",
				cases[i].dcs);
		decode_ok(hex, 0);
		ck_assert_int_eq(msg.dcs.charset, cases[i].cs);
		ck_assert_int_eq(msg.dcs.msg_class, cases[i].cls);
		ck_assert_int_eq(msg.dcs.compressed, cases[i].compressed);
	}
}
END_TEST

/* Alphanumeric originator (TON 5), as operators and banks send. */
START_TEST(test_alphanumeric_sender)
{
	struct sms_deliver_opts o;
	struct sms_pdu_out out[1];
	const char *names[] = {"MTN", "Airtel", "Bank{1}", "ABCDEFGHIJK", "A"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		sms_deliver_opts_init(&o);
		o.from = names[i];
		o.scts.month = 1;
		o.scts.day = 1;
		ck_assert_int_eq(sms_encode_deliver("x", 1, &o, out, 1, NULL),
				1);
		decode_ok(out[0].hex, 0);
		ck_assert_uint_eq(msg.addr.ton, SMS_TON_ALPHANUMERIC);
		ck_assert_str_eq(msg.addr.number, names[i]);
	}
	/* "MTN" is 3 septets = 21 bits -> 6 semi-octets: 06 D0 CD2A01. */
	sms_deliver_opts_init(&o);
	o.from = "MTN";
	ck_assert_int_eq(sms_encode_deliver("x", 1, &o, out, 1, NULL), 1);
	ck_assert(strncmp(out[0].hex, "000406D04DAA13", 14) == 0);
	o.from = "ABCDEFGHIJKL"; /* 12 characters: too long */
	ck_assert_int_eq(sms_encode_deliver("x", 1, &o, out, 1, NULL), -EINVAL);
}
END_TEST

/* SUBMIT options: SRR, RD, class 0, MR, SMSC, VP encodings. */
START_TEST(test_submit_options)
{
	struct sms_submit_opts o;
	struct sms_pdu_out out[1];
	static const struct {
		uint32_t secs;
		uint8_t vp;
		uint32_t back;
	} vps[] = {
			{1, 0, 300},
			{300, 0, 300},
			{301, 1, 600},
			{12 * 3600, 143, 12 * 3600},
			{12 * 3600 + 1, 144, 12 * 3600 + 1800},
			{86400, 167, 86400},
			{86401, 168, 2 * 86400},
			{30 * 86400, 196, 30 * 86400},
			{31 * 86400, 197, 5 * 7 * 86400},
			{1000 * 86400, 255, 63 * 7 * 86400},
	};
	size_t i;

	sms_submit_opts_init(&o);
	o.to = "0772123456";
	o.status_report = true;
	o.reject_duplicates = true;
	o.class0 = true;
	o.mr = 0x7b;
	o.smsc = "+256772000001";
	ck_assert_int_eq(sms_encode_submit("ping", 4, &o, out, 1, NULL), 1);
	decode_ok(out[0].hex, 0);
	ck_assert(msg.srr && msg.rd);
	ck_assert_uint_eq(msg.mr, 0x7b);
	ck_assert_int_eq(msg.dcs.msg_class, 0);
	ck_assert_uint_eq(msg.dcs.raw, 0x10);
	ck_assert_int_eq(msg.vpf, SMS_VPF_NONE);
	ck_assert_str_eq(msg.smsc.number, "+256772000001");
	ck_assert_str_eq(msg.addr.number, "0772123456");
	ck_assert_uint_eq(msg.addr.ton, SMS_TON_UNKNOWN);
	ck_assert_str_eq(msg.text, "ping");
	/* tpdu_len excludes the SMSC octets (1 + 1 + 6 here). */
	ck_assert_uint_eq(out[0].tpdu_len, strlen(out[0].hex) / 2 - 8);

	for (i = 0; i < sizeof(vps) / sizeof(vps[0]); i++) {
		sms_submit_opts_init(&o);
		o.to = "+1";
		o.validity_seconds = vps[i].secs;
		ck_assert_int_eq(
				sms_encode_submit("v", 1, &o, out, 1, NULL), 1);
		decode_ok(out[0].hex, 0);
		ck_assert_int_eq(msg.vpf, SMS_VPF_RELATIVE);
		ck_assert_uint_eq(msg.vp_relative, vps[i].vp);
		ck_assert_uint_eq(msg.vp_seconds, vps[i].back);
		if (vps[i].secs < 63u * 7 * 86400)
			ck_assert_uint_ge(msg.vp_seconds, vps[i].secs);
	}
}
END_TEST

/* Extension characters pack as ESC + code: "€" is 1B 65 -> 9B 32. */
START_TEST(test_submit_extension)
{
	struct sms_submit_opts o;
	struct sms_pdu_out out[1];
	const char *text = "\xe2\x82\xac[]{}^~\\|\x0c";

	sms_submit_opts_init(&o);
	o.to = "+1";
	ck_assert_int_eq(sms_encode_submit("\xe2\x82\xac", 3, &o, out, 1, NULL),
			1);
	ck_assert_str_eq(out[0].hex, "0001000191F10000029B32");
	ck_assert_int_eq(
			sms_encode_submit(text, strlen(text), &o, out, 1, NULL),
			1);
	decode_ok(out[0].hex, 0);
	ck_assert_int_eq(msg.dcs.charset, SMS_CHARSET_GSM7);
	ck_assert_uint_eq(msg.udl, 20);
	ck_assert_str_eq(msg.text, text);
}
END_TEST

static void round_trip_submit(const char *text, size_t len, unsigned want_parts,
		enum sms_charset want_cs)
{
	static struct sms_pdu_out out[SMS_MAX_PARTS];
	static char joined[SMS_MAX_PARTS * SMS_TEXT_MAX];
	struct sms_submit_opts o;
	struct sms_segments seg;
	const char *reason = NULL;
	size_t jl = 0;
	int n, i;

	sms_submit_opts_init(&o);
	o.to = "+256700000001";
	o.concat_ref = 0x42;
	n = sms_encode_submit(text, len, &o, out, SMS_MAX_PARTS, &reason);
	ck_assert_msg(n == (int) want_parts, "parts %d want %u (%s)", n,
			want_parts, reason ? reason : "");
	ck_assert_int_eq(sms_segment_count(text, len, &seg), 0);
	ck_assert_uint_eq(seg.parts, want_parts);
	ck_assert_int_eq(seg.charset, want_cs);
	for (i = 0; i < n; i++) {
		decode_ok(out[i].hex, 0);
		ck_assert_int_eq(msg.type, SMS_TYPE_SUBMIT);
		ck_assert_int_eq(msg.dcs.charset, want_cs);
		ck_assert_uint_eq(out[i].tpdu_len, strlen(out[i].hex) / 2 - 1);
		ck_assert_uint_le(msg.ud_len, 140);
		if (n > 1) {
			ck_assert(msg.udh.has_concat && !msg.udh.concat_16bit);
			ck_assert_uint_eq(msg.udh.concat_ref, 0x42);
			ck_assert_uint_eq(msg.udh.concat_total, n);
			ck_assert_uint_eq(msg.udh.concat_seq, i + 1);
		} else {
			ck_assert(!msg.udh.present);
		}
		memcpy(joined + jl, msg.text, msg.text_len);
		jl += msg.text_len;
	}
	ck_assert_uint_eq(jl, len);
	ck_assert(memcmp(joined, text, len) == 0);
}

/* Independent part counter: greedy by characters with unit costs. */
static unsigned expect_parts(const unsigned *costs, size_t n, unsigned single,
		unsigned multi)
{
	unsigned total = 0, parts = 1, used = 0;
	size_t i;

	for (i = 0; i < n; i++)
		total += costs[i];
	if (total <= single)
		return 1;
	for (i = 0; i < n; i++) {
		if (used + costs[i] > multi) {
			parts++;
			used = 0;
		}
		used += costs[i];
	}
	return parts;
}

static const char *const gsm_chars[] = {
		"a",
		"Z",
		"0",
		" ",
		"@",
		"\xc2\xa3",
		"$",
		"\xc3\xa9",
		"\xce\x94",
		"\n",
		"\xc3\x9f",
		"!",
		"?",
		"\xc2\xbf",
		"\xc3\xb1",
		"_",
		/* extension table: 2 septets each */
		"\xe2\x82\xac",
		"[",
		"]",
		"{",
		"}",
		"^",
		"~",
		"\\",
		"|",
};

START_TEST(test_round_trip_gsm7_random)
{
	static char text[4096];
	static unsigned costs[2048];
	struct tu_rng rng;
	int iter;

	tu_rng_seed(&rng, 20261127);
	for (iter = 0; iter < 400; iter++) {
		size_t len = 0, nch = tu_rng_below(&rng, iter % 4 ? 200 : 900);
		size_t i;

		for (i = 0; i < nch; i++) {
			size_t k = tu_rng_below(&rng, iter % 3 ? 16 : 25);
			const char *c = gsm_chars[k];

			memcpy(text + len, c, strlen(c));
			len += strlen(c);
			costs[i] = k >= 16 ? 2 : 1;
		}
		round_trip_submit(text, len, expect_parts(costs, nch, 160, 153),
				SMS_CHARSET_GSM7);
	}
}
END_TEST

START_TEST(test_round_trip_ucs2_random)
{
	static char text[8192];
	static unsigned costs[2048];
	struct tu_rng rng;
	int iter;

	tu_rng_seed(&rng, 7);
	for (iter = 0; iter < 400; iter++) {
		size_t len = 0, nch = 1 + tu_rng_below(&rng, 400);
		size_t i;

		for (i = 0; i < nch; i++) {
			uint32_t r = tu_rng_below(&rng, 10), cp;

			if (i == 0 || r < 6) /* CJK unified ideographs */
				cp = 0x4e00 + tu_rng_below(&rng, 0x5200);
			else if (r < 8) /* emoji: surrogate pairs */
				cp = 0x1f600 + tu_rng_below(&rng, 0x50);
			else
				cp = 'a' + tu_rng_below(&rng, 26);
			tu_put_utf8(text, &len, cp);
			costs[i] = cp > 0xffff ? 2 : 1;
		}
		round_trip_submit(text, len, expect_parts(costs, nch, 70, 67),
				SMS_CHARSET_UCS2);
	}
}
END_TEST

/* DELIVER encode -> decode, 8- and 16-bit references, every charset. */
START_TEST(test_round_trip_deliver)
{
	static struct sms_pdu_out out[8];
	static char text[2048];
	struct sms_deliver_opts o;
	struct tu_rng rng;
	int iter;

	tu_rng_seed(&rng, 99);
	for (iter = 0; iter < 200; iter++) {
		size_t len = 0, nch = tu_rng_below(&rng, 300), i, jl = 0;
		static char joined[8 * SMS_TEXT_MAX];
		int n, k;

		for (i = 0; i < nch; i++) {
			if (iter % 2)
				tu_put_utf8(text, &len,
						0x4e00 + tu_rng_below(&rng,
									 500));
			else
				tu_put_utf8(text, &len,
						'a' + tu_rng_below(&rng, 26));
		}
		sms_deliver_opts_init(&o);
		o.from = iter % 3 ? "+256772123456" : "Operator";
		o.scts.year = 26;
		o.scts.month = 11;
		o.scts.day = 27;
		o.scts.hour = 11;
		o.scts.tz_quarters = (int8_t) (iter % 5 ? 12 : -14);
		o.concat_16bit = iter % 4 == 1;
		o.concat_ref = (uint16_t) (iter * 257);
		o.msg_class = iter % 6 == 0 ? 1 : -1;
		n = sms_encode_deliver(text, len, &o, out, 8, NULL);
		ck_assert_int_ge(n, 1);
		for (k = 0; k < n; k++) {
			decode_ok(out[k].hex, 0);
			ck_assert_int_eq(msg.type, SMS_TYPE_DELIVER);
			ck_assert_str_eq(msg.addr.number, o.from);
			ck_assert_int_eq(msg.scts.tz_quarters,
					o.scts.tz_quarters);
			ck_assert_uint_eq(msg.scts.day, 27);
			ck_assert_int_eq(msg.dcs.msg_class, o.msg_class);
			if (n > 1) {
				uint16_t want = o.concat_16bit ? o.concat_ref
							       : (o.concat_ref & 0xff);

				ck_assert(msg.udh.has_concat);
				ck_assert_int_eq(msg.udh.concat_16bit,
						o.concat_16bit);
				ck_assert_uint_eq(msg.udh.concat_ref, want);
				ck_assert_uint_eq(msg.udh.concat_seq, k + 1);
			}
			memcpy(joined + jl, msg.text, msg.text_len);
			jl += msg.text_len;
		}
		ck_assert_uint_eq(jl, len);
		ck_assert(memcmp(joined, text, len) == 0);
	}
}
END_TEST

START_TEST(test_deliver_8bit)
{
	struct sms_deliver_opts o;
	struct sms_pdu_out out[3];
	uint8_t data[200];
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t) (i * 7);
	sms_deliver_opts_init(&o);
	o.from = "+1555";
	o.charset = SMS_CHARSET_8BIT;
	ck_assert_int_eq(sms_encode_deliver((const char *) data, sizeof(data),
					 &o, out, 3, NULL),
			2);
	decode_ok(out[0].hex, 0);
	ck_assert_int_eq(msg.dcs.charset, SMS_CHARSET_8BIT);
	ck_assert_uint_eq(msg.data_len, 134);
	ck_assert_mem_eq(msg.data, data, 134);
	decode_ok(out[1].hex, 0);
	ck_assert_uint_eq(msg.data_len, 66);
	ck_assert_mem_eq(msg.data, data + 134, 66);
}
END_TEST

static void repeat(char *buf, size_t *len, const char *s, unsigned n)
{
	size_t l = strlen(s);

	while (n--) {
		memcpy(buf + *len, s, l);
		*len += l;
	}
	buf[*len] = '\0';
}

/* Segment boundaries (TS 23.040 §9.2.3.24.1: 6-octet concat UDH). */
START_TEST(test_segment_boundaries)
{
	static const struct {
		const char *ch;
		unsigned count;
		enum sms_charset cs;
		unsigned parts, units, per_part, left;
	} cases[] = {
			{"a", 0, SMS_CHARSET_GSM7, 1, 0, 160, 160},
			{"a", 160, SMS_CHARSET_GSM7, 1, 160, 160, 0},
			{"a", 161, SMS_CHARSET_GSM7, 2, 161, 153, 145},
			{"a", 306, SMS_CHARSET_GSM7, 2, 306, 153, 0},
			{"a", 307, SMS_CHARSET_GSM7, 3, 307, 153, 152},
			{"a", 459, SMS_CHARSET_GSM7, 3, 459, 153, 0},
			{"a", 460, SMS_CHARSET_GSM7, 4, 460, 153, 152},
			{"\xe2\x82\xac", 80, SMS_CHARSET_GSM7, 1, 160, 160, 0},
			/* 76 euros (152 septets) fit part 1: a pair never straddles */
			{"\xe2\x82\xac", 81, SMS_CHARSET_GSM7, 2, 162, 153,
					143},
			{"\xe4\xbd\xa0", 70, SMS_CHARSET_UCS2, 1, 70, 70, 0},
			{"\xe4\xbd\xa0", 71, SMS_CHARSET_UCS2, 2, 71, 67, 63},
			{"\xe4\xbd\xa0", 134, SMS_CHARSET_UCS2, 2, 134, 67, 0},
			{"\xe4\xbd\xa0", 135, SMS_CHARSET_UCS2, 3, 135, 67, 66},
			{"\xf0\x9f\x98\x80", 35, SMS_CHARSET_UCS2, 1, 70, 70,
					0},
			{"\xf0\x9f\x98\x80", 36, SMS_CHARSET_UCS2, 2, 72, 67,
					61},
	};
	static char buf[4096];
	size_t len = 0;
	struct sms_segments seg;

	repeat(buf, &len, cases[_i].ch, cases[_i].count);
	ck_assert_int_eq(sms_segment_count(buf, len, &seg), 0);
	ck_assert_int_eq(seg.charset, cases[_i].cs);
	ck_assert_uint_eq(seg.parts, cases[_i].parts);
	ck_assert_uint_eq(seg.units, cases[_i].units);
	ck_assert_uint_eq(seg.units_per_part, cases[_i].per_part);
	ck_assert_uint_eq(seg.units_left, cases[_i].left);
	round_trip_submit(buf, len, cases[_i].parts, cases[_i].cs);
}
END_TEST

/* Escape pairs and surrogate pairs are never split across parts. */
START_TEST(test_no_split_inside_pairs)
{
	static struct sms_pdu_out out[4];
	static char buf[1024];
	struct sms_submit_opts o;
	size_t len = 0;

	/* 152 'a' then '€': the escape pair would straddle septet 153. */
	repeat(buf, &len, "a", 152);
	repeat(buf, &len, "\xe2\x82\xac", 5);
	sms_submit_opts_init(&o);
	o.to = "+1";
	ck_assert_int_eq(sms_encode_submit(buf, len, &o, out, 4, NULL), 2);
	decode_ok(out[0].hex, 0);
	ck_assert_uint_eq(msg.text_len, 152);
	ck_assert_uint_eq(msg.udl, 7 + 152);
	decode_ok(out[1].hex, 0);
	ck_assert_str_eq(msg.text, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
				   "\xe2\x82\xac\xe2\x82\xac");

	/* 65 CJK + 'x' = 66 units; the emoji would straddle unit 67. */
	len = 0;
	repeat(buf, &len, "\xe4\xbd\xa0", 65);
	repeat(buf, &len, "x", 1);
	repeat(buf, &len, "\xf0\x9f\x98\x80", 1);
	repeat(buf, &len, "\xe4\xbd\xa0", 10);
	ck_assert_int_eq(sms_encode_submit(buf, len, &o, out, 4, NULL), 2);
	decode_ok(out[0].hex, 0);
	ck_assert_uint_eq(msg.udl, 6 + 66 * 2);
	decode_ok(out[1].hex, 0);
	ck_assert(strncmp(msg.text, "\xf0\x9f\x98\x80", 4) == 0);
}
END_TEST

START_TEST(test_encode_errors)
{
	static struct sms_pdu_out out[SMS_MAX_PARTS];
	static char big[160 * 300];
	struct sms_submit_opts o;
	const char *reason = NULL;
	static const char *const bad_utf8[] = {
			"\xff",
			"abc\xc3",
			"\xed\xa0\x80",
			"\xc0\x80",
			"\xf8\x88\x80\x80\x80",
	};
	size_t i;

	sms_submit_opts_init(&o);
	o.to = "+256700000001";
	for (i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
		struct sms_segments seg;

		reason = NULL;
		ck_assert_int_eq(sms_encode_submit(bad_utf8[i],
						 strlen(bad_utf8[i]), &o, out,
						 4, &reason),
				-EINVAL);
		ck_assert_ptr_nonnull(reason);
		ck_assert(strstr(reason, "UTF-8") != NULL);
		ck_assert_int_eq(sms_segment_count(bad_utf8[i],
						 strlen(bad_utf8[i]), &seg),
				-EINVAL);
	}
	/* Forced GSM7 with a Chinese character. */
	o.charset = SMS_CHARSET_GSM7;
	ck_assert_int_eq(sms_encode_submit("\xe4\xbd\xa0", 3, &o, out, 4,
					 &reason),
			-EINVAL);
	o.charset = SMS_CHARSET_AUTO;
	/* Bad numbers. */
	static const char *const bad_to[] = {
			"", "+", "12a4", "+1 555", "123456789012345678901"};
	for (i = 0; i < sizeof(bad_to) / sizeof(bad_to[0]); i++) {
		o.to = bad_to[i];
		reason = NULL;
		ck_assert_int_eq(sms_encode_submit("x", 1, &o, out, 4, &reason),
				-EINVAL);
		ck_assert_ptr_nonnull(reason);
	}
	o.to = "+1";
	o.smsc = "abc";
	ck_assert_int_eq(sms_encode_submit("x", 1, &o, out, 4, &reason),
			-EINVAL);
	o.smsc = NULL;
	o.to = NULL;
	ck_assert_int_eq(sms_encode_submit("x", 1, &o, out, 4, &reason),
			-EINVAL);
	o.to = "+1";
	/* Too many parts for the caller's array, and beyond 255. */
	memset(big, 'a', sizeof(big));
	ck_assert_int_eq(sms_encode_submit(big, 1000, &o, out, 4, &reason),
			-EMSGSIZE);
	ck_assert_int_eq(sms_encode_submit(big, sizeof(big), &o, out,
					 SMS_MAX_PARTS, &reason),
			-EMSGSIZE);
	ck_assert_str_eq(reason, "text needs too many parts");
	ck_assert_int_eq(sms_encode_submit(big, 153 * 255, &o, out,
					 SMS_MAX_PARTS, &reason),
			255);
}
END_TEST

/* ---- malformed input ---------------------------------------------- */

static const char *const valid_vectors[] = {
		"07917283010010F5040BC87238880900F10000993092516195800AE8329BFD"
		"4697D9"
		"EC37",
		"0011000B916407281553F80000AA0AE8329BFD4697D9EC37",
		"0891683108200505F0840D91683196032930F0000830302180635480064F60"
		"597D"
		"0021",
		"00440B916407281553F80000211072410505290A06080412340302E834",
		"00440B916407281553F8000421107241050529090605040B8423F00102",
		"00062A0B916407281553F8211072410505292110724105552900",
		"00062A0B916407281553F8211072410505292110724105552946037F08",
		"000406D04DAA130000211072410505290178",
};

/* Every proper prefix of a valid PDU fails with a reason, in hex and bin. */
START_TEST(test_truncated_every_prefix)
{
	const char *hex = valid_vectors[_i];
	uint8_t bin[200];
	int n = tu_hex_to_bin(hex, bin, sizeof(bin));
	size_t cut;

	ck_assert_int_gt(n, 0);
	decode_ok(hex, 0);
	for (cut = 0; cut < (size_t) n; cut++) {
		const char *reason = NULL;

		/*
		 * A STATUS-REPORT cut right after TP-ST is complete: TP-PI
		 * and what follows are optional (§9.2.2.3).
		 */
		if (cut == 26 && bin[1] == 0x06)
			continue;
		ck_assert_msg(sms_decode(bin, cut, 0, &msg, &reason) == -EINVAL,
				"prefix %zu of %s decoded", cut, hex);
		ck_assert_ptr_nonnull(reason);
	}
	for (cut = 0; cut < strlen(hex); cut++) {
		const char *reason = NULL;

		if (cut == 52 && bin[1] == 0x06)
			continue;

		ck_assert_int_eq(sms_decode_hex(hex, cut, 0, &msg, &reason),
				-EINVAL);
		ck_assert_ptr_nonnull(reason);
	}
	/* Without the SMSC prefix (skip the SMSC bytes). */
	for (cut = (size_t) bin[0] + 1; cut < (size_t) n; cut++) {
		const char *reason = NULL;

		if (cut == 26 && bin[1] == 0x06)
			continue;

		ck_assert_int_eq(sms_decode(bin + bin[0] + 1, cut - bin[0] - 1,
						 SMS_DECODE_NO_SMSC, &msg,
						 &reason),
				-EINVAL);
	}
	ck_assert_int_eq(sms_decode(bin + bin[0] + 1, (size_t) n - bin[0] - 1,
					 SMS_DECODE_NO_SMSC, &msg, NULL),
			0);
}
END_TEST

static const struct {
	const char *hex;
	const char *reason; /* substring expected in the reason */
} malformed[] = {
		{"0", "odd"},
		{"00110", "odd"},
		{"0011000B91640728155 F80000AA0AE8329BFD4697D9EC37", "non-hex"},
		{"0011000B916407281553F80000AA0AE8329BFD4697D9EC3G", "non-hex"},
		{"", "empty"},
		/* SMSC length 12 > 11 */
		{"0C91000000000000000000000004", "SMSC length"},
		/* reserved MTI 11 */
		{"0003", "reserved"},
		/* UDL says 11 septets, 9 octets hold only 10 */
		{"0011000B916407281553F80000AA0BE8329BFD4697D9EC37",
				"truncated"},
		/* UDL 200 > 160 septets */
		{"0011000B916407281553F80000AAC8E8329BFD4697D9EC37", "160"},
		/* 8-bit UDL 141 > 140 */
		{"0011000B916407281553F80004AA8D00", "140"},
		/* address length 21 digits */
		{"0011001591640728155300000000000000000000000000", "20 digits"},
		/* address length lies (20 digits, 3 octets present) */
		{"001100149164072815", "address"},
		/* trailing data after user data */
		{"0011000B916407281553F80000AA0AE8329BFD4697D9EC3700",
				"trailing"},
		/* UDHI with UDHL 0x09 beyond 9-octet UD (8-bit, UDL 9) */
		{"00440B916407281553F8000421107241050529090905040B8423F00102",
				"UDH length beyond"},
		/* IE length overruns the header */
		{"00440B916407281553F8000421107241050529090605060B8423F00102",
				"element truncated"},
		/* UDHI set, UD empty */
		{"00440B916407281553F8000421107241050529"
		 "00",
				"empty"},
		/* 7-bit: UDH takes 8 septets but UDL says 5 */
		{"00440B916407281553F80000211072410505290706080412340302",
				"UDH longer"},
		/* UCS-2 lone high surrogate, but not hex */
		{"00040B916407281553F8000821107241050529 04D83D0041",
				"non-hex"},
		/* bad BCD in the time stamp */
		{"00040B916407281553F80000A1107241050529"
		 "00",
				"BCD"},
		/* 7 bit UDL = 1 but no UD octet */
		{"00040B916407281553F8000021107241050529"
		 "01",
				"truncated"},
};

START_TEST(test_malformed)
{
	const char *reason = NULL;
	int rc = sms_decode_hex(malformed[_i].hex, strlen(malformed[_i].hex), 0,
			&msg, &reason);

	ck_assert_msg(rc == -EINVAL, "%s: rc %d", malformed[_i].hex, rc);
	ck_assert_ptr_nonnull(reason);
	ck_assert_msg(strstr(reason, malformed[_i].reason) != NULL,
			"%s: reason '%s' lacks '%s'", malformed[_i].hex, reason,
			malformed[_i].reason);
}
END_TEST

START_TEST(test_scts_epoch)
{
	struct sms_scts t = {26, 11, 27, 11, 45, 0, 12}, back;
	int64_t e;

	/* 2026-11-27 11:45:00 +03:00 = 08:45:00 UTC = 1795769100. */
	ck_assert_int_eq(sms_scts_to_epoch(&t, &e), 0);
	ck_assert_int_eq(e, 1795769100LL);
	ck_assert_int_eq(sms_scts_from_epoch(e, 12, &back), 0);
	ck_assert_mem_eq(&back, &t, sizeof(t));
	t.month = 2;
	t.day = 29; /* 2026 is not a leap year */
	ck_assert_int_eq(sms_scts_to_epoch(&t, &e), -EINVAL);
	t.year = 24;
	ck_assert_int_eq(sms_scts_to_epoch(&t, &e), 0);
	t.month = 13;
	ck_assert_int_eq(sms_scts_to_epoch(&t, &e), -EINVAL);
	ck_assert_int_eq(sms_scts_from_epoch(0, 0, &back), -EINVAL);
	ck_assert_int_eq(sms_scts_from_epoch(1795769100LL, 80, &back), -EINVAL);
}
END_TEST

/* TP-RD on an encoded SUBMIT (the gateway's resend after "unknown"). */
static const struct {
	const char *in, *out;
	int rc;
} rd[] = {
		{"0011000B916407281553F80000AA0AE8329BFD4697D9EC37",
				"0015000B916407281553F80000AA0AE8329BFD4697D9EC"
				"37",
				0},
		/* SMSC given, already set (idempotent), lower case kept */
		{"07914477650160f531000b916407281553f80000aa01e8",
				"07914477650160f535000b916407281553f80000aa01e"
				"8",
				0},
		{"0015000B91", "0015000B91", 0},
		{"0004", "0004", -EINVAL},	   /* a DELIVER */
		{"0002", "0002", -EINVAL},	   /* a STATUS-REPORT */
		{"07914477", "07914477", -EINVAL}, /* no first octet */
		{"0G11", "0G11", -EINVAL},
		{"", "", -EINVAL},
};

START_TEST(test_set_reject_duplicates)
{
	char buf[128];
	int rc;

	snprintf(buf, sizeof(buf), "%s", rd[_i].in);
	rc = sms_submit_hex_set_reject_duplicates(buf);
	ck_assert_int_eq(rc, rd[_i].rc);
	ck_assert_str_eq(buf, rd[_i].out);
}
END_TEST

/* Text from the line made valid UTF-8 before PostgreSQL sees it. */
static const struct {
	const char *in;
	size_t len;
	const char *out;
	size_t replaced;
} san[] = {
		{"plain", 5, "plain", 0},
		{"\xe4\xbd\xa0\xe5\xa5\xbd", 6, "\xe4\xbd\xa0\xe5\xa5\xbd", 0},
		{"a\xff"
		 "b",
				3,
				"a\xef\xbf\xbd"
				"b",
				1},
		{"\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd", 2}, /* overlong */
		{"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3},
		{"x\xe4\xbd", 3, "x\xef\xbf\xbd\xef\xbf\xbd",
				2}, /* truncated */
		{"a\0b", 3,
				"a\xef\xbf\xbd"
				"b",
				1}, /* NUL */
		{"", 0, "", 0},
};

START_TEST(test_utf8_sanitize)
{
	char out[64];
	size_t rep = 99, n;

	n = utf8_sanitize(san[_i].in, san[_i].len, out, sizeof(out), &rep);
	ck_assert_str_eq(out, san[_i].out);
	ck_assert_uint_eq(n, strlen(san[_i].out));
	ck_assert_uint_eq(rep, san[_i].replaced);
	ck_assert(utf8_valid(out, n));
	ck_assert(utf8_valid(san[_i].in, san[_i].len) ==
			(san[_i].replaced == 0));
	/* Too small: cut at a character boundary, still valid. */
	n = utf8_sanitize(san[_i].in, san[_i].len, out, 3, NULL);
	ck_assert_uint_le(n, 2);
	ck_assert(utf8_valid(out, n));
}
END_TEST

/*
 * Each field on its own (issue 10 item 3): a text that does not decode
 * keeps the sender, time stamp and UDH; the text has U+FFFD where it broke.
 */
static const struct {
	const char *hex, *text, *error;
} text_errors[] = {
		/* UCS-2 odd octet count: "A" then a lone octet */
		{"00040B916407281553F80008211072410505290300410A",
				"A\xef\xbf\xbd", "odd number"},
		/* lone high surrogate, then "A" */
		{"00040B916407281553F800082110724105052904D83D0041",
				"\xef\xbf\xbd"
				"A",
				"surrogate"},
		/* lone low surrogate */
		{"00040B916407281553F800082110724105052902DE00", "\xef\xbf\xbd",
				"surrogate"},
};

START_TEST(test_text_errors)
{
	struct sms m;
	const char *why = NULL;
	const char *hex = text_errors[_i].hex;

	ck_assert_int_eq(sms_decode_hex(hex, strlen(hex), 0, &m, &why), 0);
	ck_assert_str_eq(m.addr.number, "+46708251358");
	ck_assert_int_eq(m.scts.year, 12);
	ck_assert_int_eq(m.scts.month, 1);
	ck_assert_str_eq(m.text, text_errors[_i].text);
	ck_assert_ptr_nonnull(m.text_error);
	ck_assert_ptr_nonnull(strstr(m.text_error, text_errors[_i].error));
}
END_TEST

/*
 * A 12-character alphanumeric sender (21 semi-octets, above the 20 that
 * TS 23.040 allows), as SMSCs send "GoogleVerify": decoded.
 */
START_TEST(test_long_alnum_sender)
{
	/* SMSC 00, DELIVER 04, OA 21 semi-octets TON 5 "GoogleVerify",
	 * PID 00, DCS 00, SCTS, UDL 5 "hello". */
	static const char hex[] = "000415D0C7F7FBCC2E5BCBF2B4390F0000"
				  "21107241050529"
				  "05E8329BFD06";
	struct sms m;
	const char *why = NULL;

	ck_assert_int_eq(sms_decode_hex(hex, strlen(hex), 0, &m, &why), 0);
	ck_assert_str_eq(m.addr.number, "GoogleVerify");
	ck_assert_int_eq(m.addr.ton, SMS_TON_ALPHANUMERIC);
	ck_assert_str_eq(m.text, "hello");
	/* A numeric address that long is still refused. */
	ck_assert_int_eq(
			sms_decode_hex("000415916407281553F8", 20, 0, &m, &why),
			-EINVAL);
	/* Bounded by the PDU: a length beyond its end is refused. */
	ck_assert_int_eq(sms_decode_hex("000428D0C7F7FBCC", 16, 0, &m, &why),
			-EINVAL);
}
END_TEST

/* Two-digit years: the century nearest to the caller's reference time. */
START_TEST(test_scts_near)
{
	struct sms_scts t = {.year = 99, .month = 12, .day = 31, .hour = 23};
	int64_t e;

	/* Reference 2026-12-02: 1999 (27 years back), not 2099. */
	ck_assert_int_eq(sms_scts_to_epoch_near(&t, 1796169600, &e), 0);
	ck_assert_int_eq(e, 946681200);
	t.year = 26;
	ck_assert_int_eq(sms_scts_to_epoch_near(&t, 1796169600, &e), 0);
	ck_assert_int_eq(e, 1798758000); /* 2026-12-31 23:00 */
	/* Reference 2090: "05" is 2105. */
	t.year = 5;
	ck_assert_int_eq(sms_scts_to_epoch_near(&t, 3786912000, &e), 0);
	ck_assert_int_gt(e, 4102444800); /* after 2100-01-01 */
	/* 29 February 2000 stays 2000 (1900 and 2100 have none). */
	t.year = 0;
	t.month = 2;
	t.day = 29;
	t.hour = 0;
	ck_assert_int_eq(sms_scts_to_epoch_near(&t, 4102444800, &e), 0);
	ck_assert_int_eq(e, 951782400);
	t.month = 13;
	ck_assert_int_eq(sms_scts_to_epoch_near(&t, 0, &e), -EINVAL);
}
END_TEST

static Suite *pdu_suite(void)
{
	Suite *s = suite_create("sms_pdu");
	TCase *tc = tcase_create("vectors");

	tcase_add_test(tc, test_vector_dreamfabric_deliver);
	tcase_add_test(tc, test_vector_dreamfabric_submit);
	tcase_add_test(tc, test_vector_cnblogs);
	tcase_add_test(tc, test_vector_accessvba);
	tcase_add_test(tc, test_vector_cmgs_length);
	tcase_add_test(tc, test_status_report);
	tcase_add_test(tc, test_udh_16bit_ref);
	tcase_add_test(tc, test_udh_ports_8bit);
	tcase_add_test(tc, test_dcs_groups);
	tcase_add_test(tc, test_alphanumeric_sender);
	tcase_add_test(tc, test_scts_epoch);
	suite_add_tcase(s, tc);

	tc = tcase_create("encode");
	tcase_add_test(tc, test_submit_options);
	tcase_add_test(tc, test_submit_extension);
	tcase_add_loop_test(tc, test_segment_boundaries, 0, 15);
	tcase_add_test(tc, test_no_split_inside_pairs);
	tcase_add_test(tc, test_encode_errors);
	tcase_add_test(tc, test_deliver_8bit);
	suite_add_tcase(s, tc);

	tc = tcase_create("round-trip");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_round_trip_gsm7_random);
	tcase_add_test(tc, test_round_trip_ucs2_random);
	tcase_add_test(tc, test_round_trip_deliver);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_loop_test(tc, test_truncated_every_prefix, 0,
			sizeof(valid_vectors) / sizeof(valid_vectors[0]));
	tcase_add_loop_test(tc, test_malformed, 0,
			sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_loop_test(tc, test_text_errors, 0,
			sizeof(text_errors) / sizeof(text_errors[0]));
	tcase_add_test(tc, test_long_alnum_sender);
	tcase_add_test(tc, test_scts_near);
	tcase_add_loop_test(tc, test_utf8_sanitize, 0,
			sizeof(san) / sizeof(san[0]));
	tcase_add_loop_test(tc, test_set_reject_duplicates, 0,
			sizeof(rd) / sizeof(rd[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pdu_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
