// SPDX-License-Identifier: MIT
/*
 * Table tests of the pure response parsers. Sources of each line:
 *   [Q]    /work/shared/MODEM-QUIRKS.md (captured transcripts and issues)
 *   [05]   3GPP TS 27.005 syntax/examples; [07] 3GPP TS 27.007
 *   [HW]   Huawei MG323 / MU509 AT Command Interface Specification
 *   [SIM]  SIMCom SIM900 AT Commands Manual V1.07, electrodragon SIMCom notes
 *   [QT]   Quectel (EC2x/M35) lines reported in MODEM-QUIRKS / MM
 *   [WM]   Wavecom/Sierra-based Westermo GS-01 manual (spaces in +CPMS)
 *   [TL]   Telit UC864 / ME910 AT Commands Reference Guide
 *   [GS]   GOSUNCN ME3630 reference ("SM",10,40,"SM",10,40,"ME",1,100)
 *   [MM]   ModemManager mailing list (Huawei ^ICCID swapped digits)
 */
#include "modem/modem_parse.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define N(a) ((int) (sizeof(a) / sizeof((a)[0])))

/* ---- +CMTI / +CDSI ---- */
static const struct {
	const char *line;
	int rc;
	const char *store;
	int index;
} cmti[] = {
		{"+CMTI: \"SM\",3", 0, "SM", 3}, /* [05] */
		{"+CMTI: \"ME\",3", 0, "ME", 3}, /* [Q] */
		{"+CMTI:\"SM\",2", 0, "SM", 2},	 /* [SIM] */
		{"+CMTI: \"SM\",1,\"MMS PUSH\",2,1", 0, "SM",
				1},		 /* [Q] SIM900 */
		{"+CMTI: \"MT\",0", 0, "MT", 0}, /* [QT] */
		{"+CMTI: SM,5", 0, "SM", 5},	 /* unquoted */
		{"+CMTI: \"SM\"", -EINVAL, NULL, 0},
		{"+CMTI: \"SM\",x", -EINVAL, NULL, 0},
		{"+CMTI: ,3", -EINVAL, NULL, 0},
		{"+CMTI: \"SM_LONGNAME\",3", -EINVAL, NULL, 0},
		{"+CMT: \"SM\",3", -EINVAL, NULL, 0},
		{"+CMTI: \"SM", -EINVAL, NULL, 0},
};

START_TEST(test_cmti)
{
	struct modem_cmti v = {"zz", -7};
	const char *why = NULL;
	int rc = modem_parse_cmti(cmti[_i].line, &v, &why);

	ck_assert_msg(rc == cmti[_i].rc, "%s: rc %d", cmti[_i].line, rc);
	if (rc == 0) {
		ck_assert_str_eq(v.store, cmti[_i].store);
		ck_assert_int_eq(v.index, cmti[_i].index);
	} else {
		ck_assert_ptr_nonnull(why);
		ck_assert_int_eq(v.index, -7); /* untouched on error */
	}
}
END_TEST

START_TEST(test_cdsi)
{
	struct modem_cmti v;

	ck_assert_int_eq(modem_parse_cdsi("+CDSI: \"SR\",4", &v, NULL), 0);
	ck_assert_str_eq(v.store, "SR"); /* [05] §3.4.1 */
	ck_assert_int_eq(v.index, 4);
	ck_assert_int_eq(
			modem_parse_cdsi("+CMTI: \"SR\",4", &v, NULL), -EINVAL);
}
END_TEST

/* ---- +CMT / +CDS ---- */
static const struct {
	const char *line;
	int rc;
	bool has_alpha;
	const char *alpha;
	int length;
} cmt[] = {
		{"+CMT: ,23", 0, false, "", 23},	  /* [Q] [05] */
		{"+CMT: 23", 0, false, "", 23},		  /* [Q] Gemalto */
		{"+CMT: \"Bob\",30", 0, true, "Bob", 30}, /* [05] */
		{"+CMT: \"\",24", 0, true, "", 24},	  /* [QT] */
		{"+CMT:,159", 0, false, "", 159},	  /* [HW] */
		{"+CMT: ,", -EINVAL, false, NULL, 0},
		{"+CMT: \"+4477\",,\"24/01/01,10:00:00+00\"", -EINVAL, false,
				NULL, 0}, /* text mode */
		{"+CMT: ,999", -EINVAL, false, NULL, 0},
		{"+CMT: \"x,23", -EINVAL, false, NULL, 0},
};

START_TEST(test_cmt)
{
	struct modem_cmt v;
	const char *why = NULL;
	int rc = modem_parse_cmt(cmt[_i].line, &v, &why);

	ck_assert_msg(rc == cmt[_i].rc, "%s: rc %d", cmt[_i].line, rc);
	if (rc == 0) {
		ck_assert(v.has_alpha == cmt[_i].has_alpha);
		ck_assert_str_eq(v.alpha, cmt[_i].alpha);
		ck_assert_int_eq(v.length, cmt[_i].length);
	} else {
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(test_cds)
{
	int len = -1;

	ck_assert_int_eq(modem_parse_cds("+CDS: 25", &len, NULL), 0); /* [05] */
	ck_assert_int_eq(len, 25);
	ck_assert_int_eq(modem_parse_cds("+CDS: ,26", &len, NULL), 0); /* ZTE */
	ck_assert_int_eq(len, 26);
	ck_assert_int_eq(modem_parse_cds("+CDS:24", &len, NULL), 0);
	ck_assert_int_eq(len, 24);
	/* text-mode status report is not ours */
	ck_assert_int_eq(
			modem_parse_cds("+CDS: 6,12,\"+4477\",145", &len, NULL),
			-EINVAL);
	ck_assert_int_eq(modem_parse_cds("+CDS: ", &len, NULL), -EINVAL);
	ck_assert_int_eq(len, 24);
}
END_TEST

/* ---- +CMGR / +CMGL ---- */
static const struct {
	const char *line;
	bool list;
	int rc;
	int index, stat;
	bool has_alpha;
	int length;
} msg[] = {
		{"+CMGR: 0,,23", false, 0, -1, 0, false, 23},	 /* [05] */
		{"+CMGR: 1,\"\",40", false, 0, -1, 1, true, 40}, /* [SIM] */
		{"+CMGR: 0,,0", false, 0, -1, 0, false, 0},	 /* [Q] empty */
		{"+CMGR: 1,\"Mum\",25", false, 0, -1, 1, true, 25},
		{"+CMGR:0,,159", false, 0, -1, 0, false, 159}, /* [HW] */
		{"+CMGR: \"REC UNREAD\",\"+4477\",,\"24/01/01\"", false,
				-EINVAL, 0, 0, false, 0}, /* text */
		{"+CMGR: 7,,23", false, -EINVAL, 0, 0, false, 0},
		{"+CMGR: 0,,", false, -EINVAL, 0, 0, false, 0},
		{"+CMGL: 1,0,,23", true, 0, 1, 0, false, 23}, /* [05] */
		{"+CMGL: 0,1,\"\",151", true, 0, 0, 1, true,
				151},				/* [QT] idx 0 */
		{"+CMGL: 12,3,,40", true, 0, 12, 3, false, 40}, /* [TL] sent */
		{"+CMGL: 1,\"REC READ\",\"+4477\"", true, -EINVAL, 0, 0, false,
				0},
		{"+CMGL: ,0,,23", true, -EINVAL, 0, 0, false, 0},
};

START_TEST(test_msg_hdr)
{
	struct modem_msg_hdr v;
	const char *why = NULL;
	int rc = msg[_i].list ? modem_parse_cmgl(msg[_i].line, &v, &why)
			      : modem_parse_cmgr(msg[_i].line, &v, &why);

	ck_assert_msg(rc == msg[_i].rc, "%s: rc %d", msg[_i].line, rc);
	if (rc)
		return;
	ck_assert_int_eq(v.index, msg[_i].index);
	ck_assert_int_eq(v.stat, msg[_i].stat);
	ck_assert(v.has_alpha == msg[_i].has_alpha);
	ck_assert_int_eq(v.length, msg[_i].length);
}
END_TEST

START_TEST(test_cmgs_cmgw)
{
	int v = -1;

	ck_assert_int_eq(modem_parse_cmgs("+CMGS: 12", &v, NULL), 0); /* [05] */
	ck_assert_int_eq(v, 12);
	/* [SIM] */
	ck_assert_int_eq(modem_parse_cmgs("+CMGS:156", &v, NULL), 0);
	ck_assert_int_eq(v, 156);
	/* with <ackpdu> (27.005 §3.5.1, +CSMS=1) */
	ck_assert_int_eq(modem_parse_cmgs("+CMGS: 5,\"0100\"", &v, NULL), 0);
	ck_assert_int_eq(v, 5);
	ck_assert_int_eq(modem_parse_cmgs("+CMGS: 256", &v, NULL), -EINVAL);
	ck_assert_int_eq(modem_parse_cmgs("+CMGS: -1", &v, NULL), -EINVAL);
	ck_assert_int_eq(modem_parse_cmgs("+CMGS:", &v, NULL), -EINVAL);
	ck_assert_int_eq(v, 5);
	ck_assert_int_eq(modem_parse_cmgw("+CMGW: 4", &v, NULL), 0);
	ck_assert_int_eq(v, 4);
	ck_assert_int_eq(modem_parse_cmgw("+CMGW: x", &v, NULL), -EINVAL);
}
END_TEST

/* ---- +CSQ ---- */
static const struct {
	const char *line;
	int rc, rssi, ber;
	bool known;
	int dbm;
} csq[] = {
		{"+CSQ: 20,99", 0, 20, 99, true, -73}, /* [07] */
		{"+CSQ: 99,99", 0, 99, 99, false, 0},  /* [Q] unknown */
		{"+CSQ: 0,0", 0, 0, 0, true, -113},
		{"+CSQ: 31,7", 0, 31, 7, true, -51},
		{"+CSQ:14,0", 0, 14, 0, true, -85}, /* [HW] no space */
		{"+CSQ: 32,0", -EINVAL, 0, 0, false, 0},
		{"+CSQ: 20", -EINVAL, 0, 0, false, 0},
		{"+CSQ: ,", -EINVAL, 0, 0, false, 0},
};

START_TEST(test_csq)
{
	struct modem_csq v;
	int rc = modem_parse_csq(csq[_i].line, &v, NULL);

	ck_assert_msg(rc == csq[_i].rc, "%s: rc %d", csq[_i].line, rc);
	if (rc)
		return;
	ck_assert_int_eq(v.rssi, csq[_i].rssi);
	ck_assert_int_eq(v.ber, csq[_i].ber);
	ck_assert(v.known == csq[_i].known);
	if (v.known)
		ck_assert_int_eq(v.dbm, csq[_i].dbm);
}
END_TEST

/* ---- +CREG / +CGREG / +CEREG ---- */
#define S MODEM_REG_SOLICITED
#define U MODEM_REG_URC
#define A MODEM_REG_AUTO
static const struct {
	const char *line;
	enum modem_reg_form form;
	int rc;
	bool urc;
	int n, stat;
	long lac, ci;
	int act;
} creg[] = {
		/* [Q] n echoed (solicited) vs URC without n */
		{"+CREG: 0,1", A, 0, false, 0, 1, -1, -1, -1},
		{"+CREG: 1", A, 0, true, -1, 1, -1, -1, -1},
		{"+CREG: 5", U, 0, true, -1, 5, -1, -1, -1},
		/* [HW] MG323 no space, [07] quoted 4 hex */
		{"+CREG:2,1,\"00C3\",\"0010\"", A, 0, false, 2, 1, 0xC3, 0x10,
				-1},
		{"+CREG: 1,\"00C3\",\"0010\"", A, 0, true, -1, 1, 0xC3, 0x10,
				-1},
		/* [Q] 8 hex digits CI with AcT */
		{"+CREG: 2,1,\"2AF5\",\"0B88E350\",2", A, 0, false, 2, 1,
				0x2AF5, 0x0B88E350, 2},
		{"+CREG: 1,\"2AF5\",\"0B88E350\",7", A, 0, true, -1, 1, 0x2AF5,
				0x0B88E350, 7},
		/* unquoted LAC/CI (SIMCom/Telit firmwares) */
		{"+CREG: 2,1,2AF5,E350", S, 0, false, 2, 1, 0x2AF5, 0xE350, -1},
		{"+CREG: 1,2AF5,E350,0", U, 0, true, -1, 1, 0x2AF5, 0xE350, 0},
		/* [Q] Samsung extra fields */
		{"+CREG: 2,1,000B,2816, B, C2816", S, 0, false, 2, 1, 0xB,
				0x2816, -1},
		/* [Q] empty LAC */
		{"+CREG: 2,1,\"\",\"605F\"", A, 0, false, 2, 1, -1, 0x605F, -1},
		/* [Q] broken forms: error, never a crash */
		{"+CREG: 2,1,\"0B,\"0100701\",7", A, -EINVAL, false, 0, 0, 0, 0,
				0},
		{"+CREG: 2,1,\"5E25", A, -EINVAL, false, 0, 0, 0, 0, 0},
		{"+CREG: ", A, -EINVAL, false, 0, 0, 0, 0, 0},
		{"+CREG: 2,1,\"123456789\",\"1\"", A, -EINVAL, false, 0, 0, 0,
				0, 0},
		{"+CREG: 2,1,\"00C3\"", S, -EINVAL, false, 0, 0, 0, 0, 0},
		{"+CREG: x,1", A, -EINVAL, false, 0, 0, 0, 0, 0},
		/* stat 6..10 (27.007 rel 9+: SMS-only, emergency, CSFB) */
		{"+CREG: 0,6", A, 0, false, 0, 6, -1, -1, -1},
		/* [07] +CGREG with RAC, [TL] unsolicited form */
		{"+CGREG: 2,1,\"1A2B\",\"01C3D4E5\",2,\"05\"", A, 0, false, 2,
				1, 0x1A2B, 0x01C3D4E5, 2},
		{"+CGREG: 1", A, 0, true, -1, 1, -1, -1, -1},
		/* [07] +CEREG: TAC and 28-bit CI, AcT 7 (E-UTRAN) */
		{"+CEREG: 2,1,\"3E8\",\"0A1B2C3\",7", A, 0, false, 2, 1, 0x3E8,
				0x0A1B2C3, 7},
		{"+CEREG: 1,\"3E8\",\"0A1B2C3\",7", A, 0, true, -1, 1, 0x3E8,
				0x0A1B2C3, 7},
		{"+CEREG: 0,4", A, 0, false, 0, 4, -1, -1, -1},
		{"+COPS: 0,1", A, -EINVAL, false, 0, 0, 0, 0, 0},
};
#undef S
#undef U
#undef A

START_TEST(test_creg)
{
	struct modem_reg v;
	const char *why = NULL;
	int rc = modem_parse_creg(creg[_i].line, creg[_i].form, &v, &why);

	ck_assert_msg(rc == creg[_i].rc, "%s: rc %d (%s)", creg[_i].line, rc,
			why ? why : "");
	if (rc) {
		ck_assert_ptr_nonnull(why);
		return;
	}
	ck_assert_msg(v.urc == creg[_i].urc, "%s: urc", creg[_i].line);
	ck_assert_int_eq(v.n, creg[_i].n);
	ck_assert_int_eq(v.stat, creg[_i].stat);
	ck_assert_int_eq(v.lac, creg[_i].lac);
	ck_assert_int_eq(v.ci, creg[_i].ci);
	ck_assert_int_eq(v.act, creg[_i].act);
}
END_TEST

START_TEST(test_reg_registered)
{
	ck_assert(modem_reg_is_registered(1));
	ck_assert(modem_reg_is_registered(5));
	ck_assert(!modem_reg_is_registered(2));
	ck_assert(!modem_reg_is_registered(3));
	ck_assert(!modem_reg_is_registered(8)); /* emergency only */
}
END_TEST

/* ---- +COPS? ---- */
static const struct {
	const char *line;
	int rc, mode, format;
	const char *oper;
	int act;
} cops[] = {
		/* [07] */
		{"+COPS: 0,0,\"Vodafone UK\",2", 0, 0, 0, "Vodafone UK", 2},
		{"+COPS: 0,2,\"23415\",7", 0, 0, 2, "23415", 7},
		/* [HW] */
		{"+COPS: 0,0,\"CHINA MOBILE\"", 0, 0, 0, "CHINA MOBILE", -1},
		{"+COPS: 0", 0, 0, -1, "", -1},		    /* not registered */
		{"+COPS: 1,2,23415", 0, 1, 2, "23415", -1}, /* unquoted */
		{"+COPS: (2,\"Voda\",\"Voda\",\"23415\",2),,(0-4),(0-2)",
				-EINVAL, 0, 0, NULL, 0},
		{"+COPS: 0,0,\"Voda", -EINVAL, 0, 0, NULL, 0},
		{"+COPS: 9", -EINVAL, 0, 0, NULL, 0},
};

START_TEST(test_cops)
{
	struct modem_cops v;
	int rc = modem_parse_cops(cops[_i].line, &v, NULL);

	ck_assert_msg(rc == cops[_i].rc, "%s: rc %d", cops[_i].line, rc);
	if (rc)
		return;
	ck_assert_int_eq(v.mode, cops[_i].mode);
	ck_assert_int_eq(v.format, cops[_i].format);
	if (v.format >= 0)
		ck_assert_str_eq(v.oper, cops[_i].oper);
	ck_assert_int_eq(v.act, cops[_i].act);
}
END_TEST

/* ---- +CPMS ---- */
static const struct {
	const char *line;
	int rc, n;
	const char *mem0;
	int used0, total0, used2, total2;
} cpms[] = {
		{"+CPMS: 0,20,0,20,0,20", 0, 3, "", 0, 20, 0, 20}, /* [Q] set */
		{"+CPMS: \"SM\",1,40,\"SM\",1,40,\"SM\",1,40", 0, 3, "SM", 1,
				40, 1, 40}, /* [Q] */
		{"+CPMS: \"SM\",10,40,\"SM\",10,40,\"ME\",1,100", 0, 3, "SM",
				10, 40, 1, 100}, /* [GS] */
		{"+CPMS: \"SM\",3, 10,\"SM\",3,10", 0, 2, "SM", 3, 10, 0, 0},
		/* [WM] */
		{"+CPMS: 2, 20,3,10", 0, 2, "", 2, 20, 0, 0},	/* [WM] */
		{"+CPMS:\"SM\",1,50", 0, 1, "SM", 1, 50, 0, 0}, /* [SIM] */
		{"+CPMS: ", 0, 0, "", 0, 0, 0, 0}, /* [Q] Samsung */
		{"+CPMS: \"SM_P\",1,30,\"ME_P\",0,100,\"SM\",1,30,\"ME\",0,100",
				0, 3, "SM_P", 1, 30, 1, 30}, /* [Q] Alcatel */
		{"+CPMS: (\"ME\",\"SM\"),(\"ME\",\"SM\"),(\"ME\",\"SM\")",
				-EINVAL, 0, NULL, 0, 0, 0, 0}, /* test cmd */
		{"+CPMS: \"SM\",1", -EINVAL, 0, NULL, 0, 0, 0, 0},
		{"+CPMS: \"SM\",a,b", -EINVAL, 0, NULL, 0, 0, 0, 0},
};

START_TEST(test_cpms)
{
	struct modem_cpms v;
	int rc = modem_parse_cpms(cpms[_i].line, &v, NULL);

	ck_assert_msg(rc == cpms[_i].rc, "%s: rc %d", cpms[_i].line, rc);
	if (rc)
		return;
	ck_assert_int_eq(v.n, cpms[_i].n);
	if (v.n == 0)
		return;
	ck_assert_str_eq(v.st[0].mem, cpms[_i].mem0);
	ck_assert_int_eq(v.st[0].used, cpms[_i].used0);
	ck_assert_int_eq(v.st[0].total, cpms[_i].total0);
	if (v.n == 3) {
		ck_assert_int_eq(v.st[2].used, cpms[_i].used2);
		ck_assert_int_eq(v.st[2].total, cpms[_i].total2);
	}
}
END_TEST

/* ---- +CNMI=? ---- */
START_TEST(test_cnmi)
{
	struct modem_cnmi_caps v;

	/* [Q] MSM/Qualcomm */
	ck_assert_int_eq(modem_parse_cnmi_caps(
					 "+CNMI: (0-2),(0,1,3),(0),(0,1),(0,1)",
					 &v, NULL),
			0);
	ck_assert_int_eq(v.n, 5);
	ck_assert_uint_eq(v.mode, 0x7);
	ck_assert_uint_eq(v.mt, 0xb);
	ck_assert_uint_eq(v.bm, 0x1);
	ck_assert_uint_eq(v.ds, 0x3);
	ck_assert_uint_eq(v.bfr, 0x3);
	/* [Q] no-space form */
	ck_assert_int_eq(modem_parse_cnmi_caps(
					 "+CNMI:(0-3),(0-3),(0-3),(0-2),(0,1)",
					 &v, NULL),
			0);
	ck_assert_uint_eq(v.mode, 0xf);
	ck_assert_uint_eq(v.ds, 0x7);
	/* [Q] single values */
	ck_assert_int_eq(modem_parse_cnmi_caps("+CNMI: (2),(1),(0),(2),(0)", &v,
					 NULL),
			0);
	ck_assert_uint_eq(v.mode, 0x4);
	ck_assert_uint_eq(v.ds, 0x4);
	/* bare values without parentheses */
	ck_assert_int_eq(
			modem_parse_cnmi_caps("+CNMI: 2,1,0,2,0", &v, NULL), 0);
	ck_assert_uint_eq(v.mt, 0x2);
	/* [HW] spaces inside lists */
	ck_assert_int_eq(modem_parse_cnmi_caps("+CNMI: (0, 1, "
					       "2),(0-3),(0,2),(0-2),(0,1)",
					 &v, NULL),
			0);
	ck_assert_uint_eq(v.mode, 0x7);
	ck_assert_uint_eq(v.bm, 0x5);
	ck_assert_int_eq(modem_parse_cnmi_caps("+CNMI: (0-2", &v, NULL),
			-EINVAL);
	ck_assert_int_eq(modem_parse_cnmi_caps("+CNMI: (2-0)", &v, NULL),
			-EINVAL);
	ck_assert_int_eq(modem_parse_cnmi_caps("+CNMI: (0-40)", &v, NULL),
			-EINVAL);
	ck_assert_int_eq(modem_parse_cnmi_caps("+CNMI: ", &v, NULL), -EINVAL);
}
END_TEST

/* ---- +CPIN ---- */
START_TEST(test_cpin)
{
	enum modem_pin p;

	ck_assert_int_eq(modem_parse_cpin("+CPIN: READY", &p, NULL), 0);
	ck_assert_int_eq(p, MODEM_PIN_READY);
	ck_assert_int_eq(modem_parse_cpin("+CPIN: SIM PIN", &p, NULL), 0);
	ck_assert_int_eq(p, MODEM_PIN_SIM_PIN);
	ck_assert_int_eq(modem_parse_cpin("+CPIN: SIM PUK", &p, NULL), 0);
	ck_assert_int_eq(p, MODEM_PIN_SIM_PUK);
	ck_assert_int_eq(modem_parse_cpin("+CPIN: PH-SIM PIN", &p, NULL), 0);
	ck_assert_int_eq(p, MODEM_PIN_PH_SIM_PIN);
	/* [Q] PIN2/PUK2 reported when no PIN needed */
	ck_assert_int_eq(modem_parse_cpin("+CPIN: SIM PIN2", &p, NULL), 0);
	ck_assert_int_eq(p, MODEM_PIN_SIM_PIN2);
	ck_assert_int_eq(modem_parse_cpin("+CPIN:READY", &p, NULL), 0);
	ck_assert_int_eq(p, MODEM_PIN_READY);
	ck_assert_int_eq(modem_parse_cpin("+CPIN: \"READY\"", &p, NULL), 0);
	ck_assert_int_eq(p, MODEM_PIN_READY);
	ck_assert_int_eq(modem_parse_cpin("+CPIN: NOT INSERTED", &p, NULL), 0);
	ck_assert_int_eq(p, MODEM_PIN_OTHER);
	ck_assert_int_eq(modem_parse_cpin("+CPIN: ", &p, NULL), -EINVAL);
}
END_TEST

/* ---- +CUSD ---- */
static const struct {
	const char *line;
	int rc, m;
	bool has_str;
	const char *str;
	int dcs;
} cusd[] = {
		/* [Q] Huawei E160 packed 7-bit hex, dcs 15 */
		{"+CUSD: 0,\"49B41C7476B3\",15", 0, 0, true, "49B41C7476B3",
				15},
		/* [Q] unquoted, no dcs */
		{"+CUSD: 0, 49B41C", 0, 0, true, "49B41C", -1},
		/* [Q] plain text, no dcs */
		{"+CUSD: 1,\"Kontostand: 5 EUR\"", 0, 1, true,
				"Kontostand: 5 EUR", -1},
		/* [Q] UCS2 with dcs 72 */
		{"+CUSD: 2,\"004F004B\",72", 0, 2, true, "004F004B", 72},
		/* [Q] empty then the real one */
		{"+CUSD: 0,\"\",15", 0, 0, true, "", 15},
		/* [Q] just <m> */
		{"+CUSD: 5", 0, 5, false, "", -1},
		{"+CUSD: 4", 0, 4, false, "", -1},
		/* [Q] CR/LF inside quotes (multi-line menu) */
		{"+CUSD: 1,\"Menu\r\n1. Bal\r\n2. Data\",15", 0, 1, true,
				"Menu\r\n1. Bal\r\n2. Data", 15},
		/* [TL] dcs 17 with garbage tail kept raw for ussd.c */
		{"+CUSD: 0,\"0400410042\",17", 0, 0, true, "0400410042", 17},
		/* commas and quotes inside the text */
		{"+CUSD: 0,\"Hi, \"you\", ok\",15", 0, 0, true,
				"Hi, \"you\", ok", 15},
		{"+CUSD:0,\"A\",0", 0, 0, true, "A", 0},
		{"+CUSD: 6", -EINVAL, 0, false, NULL, 0},
		{"+CUSD: 0,\"abc", -EINVAL, 0, false, NULL, 0},
		{"+CUSD: 0,\"abc\",x", -EINVAL, 0, false, NULL, 0},
		{"+CUSD: 0,\"abc\",999", -EINVAL, 0, false, NULL, 0},
		{"+CUSD: 0,\"abc\"junk", -EINVAL, 0, false, NULL, 0},
		{"+CUSD: ", -EINVAL, 0, false, NULL, 0},
};

START_TEST(test_cusd)
{
	static struct modem_cusd v;
	int rc = modem_parse_cusd(cusd[_i].line, &v, NULL);

	ck_assert_msg(rc == cusd[_i].rc, "%s: rc %d", cusd[_i].line, rc);
	if (rc)
		return;
	ck_assert_int_eq(v.m, cusd[_i].m);
	ck_assert(v.has_str == cusd[_i].has_str);
	if (v.has_str)
		ck_assert_str_eq(v.str, cusd[_i].str);
	ck_assert_int_eq(v.dcs, cusd[_i].dcs);
}
END_TEST

START_TEST(test_cusd_too_long)
{
	static struct modem_cusd v;
	static char line[MODEM_USSD_MAX + 32];

	strcpy(line, "+CUSD: 0,\"");
	memset(line + 10, 'A', MODEM_USSD_MAX);
	strcpy(line + 10 + MODEM_USSD_MAX, "\",15");
	ck_assert_int_eq(modem_parse_cusd(line, &v, NULL), -EINVAL);
}
END_TEST

/* ---- identities ---- */
START_TEST(test_ids)
{
	char id[MODEM_ID_MAX];

	/* [HW] bare IMSI line */
	ck_assert_int_eq(modem_parse_cimi("234150000000001", id, NULL), 0);
	ck_assert_str_eq(id, "234150000000001");
	ck_assert_int_eq(modem_parse_cimi("+CIMI: 460001234567890", id, NULL),
			0);
	ck_assert_str_eq(id, "460001234567890");
	ck_assert_int_eq(modem_parse_cimi("23415000000000123", id, NULL),
			-EINVAL);
	ck_assert_int_eq(modem_parse_cimi("ERROR", id, NULL), -EINVAL);
	ck_assert_int_eq(modem_parse_cimi("", id, NULL), -EINVAL);
	/* ICCID variants */
	ck_assert_int_eq(modem_parse_ccid("+CCID: \"89860012345678901234\"", id,
					 NULL),
			0);
	ck_assert_str_eq(id, "89860012345678901234");
	ck_assert_int_eq(modem_parse_ccid("+CCID: 8944110068093471123F", id,
					 NULL),
			0); /* [TL] F filler */
	ck_assert_str_eq(id, "8944110068093471123F");
	ck_assert_int_eq(modem_parse_ccid("89014103211118510720", id, NULL),
			0); /* [SIM] bare */
	ck_assert_str_eq(id, "89014103211118510720");
	ck_assert_int_eq(modem_parse_ccid("+QCCID: 89860318740204569532", id,
					 NULL),
			0); /* [QT] */
	ck_assert_str_eq(id, "89860318740204569532");
	/* [MM] Huawei swapped digits */
	ck_assert_int_eq(modem_parse_ccid("^ICCID: 98681000214365870921", id,
					 NULL),
			0);
	ck_assert_str_eq(id, "89860100123456789012");
	ck_assert_int_eq(modem_parse_ccid("^ICCID: \"8986ABCD\"", id, NULL),
			-EINVAL);
	ck_assert_int_eq(modem_parse_ccid("+CCID: ", id, NULL), -EINVAL);
}
END_TEST

/* ---- text mode (AT+CMGF=1) ---- */
static const struct {
	const char *line, *prefix, *text;
	int rc;
	int index, stat;
	const char *sender, *key;
	bool has_scts;
	int year, tz;
} textm[] = {
		/* [05] §4.3 */
		{"+CMGR: \"REC "
		 "UNREAD\",\"+31628870634\",,\"11/01/09,10:26:26+04\"",
				"+CMGR:", "Hello", 0, -1, 0, "+31628870634",
				"T|+31628870634|11/01/09,10:26:26+04|Hello",
				true, 11, 4},
		/* [SIM] +CMGL with alpha and negative zone */
		{"+CMGL: 7,\"REC "
		 "READ\",\"+4479\",\"Bob\",\"24/12/31,23:59:59-20\"",
				"+CMGL:", "x", 0, 7, 1, "+4479",
				"T|+4479|24/12/31,23:59:59-20|x", true, 24,
				-20},
		/* +CMT: no stat, alphanumeric sender, bad time stamp */
		{"+CMT: \"Google\",,\"99/13/01,00:00:00+00\"", "+CMT:", NULL, 0,
				-1, -1, "Google",
				"T|Google|99/13/01,00:00:00+00|", false, 0, 0},
		/* unknown <stat> text: parsed, stat -1 */
		{"+CMGR: \"WEIRD\",\"123\",,\"20/01/01,00:00:00+00\"",
				"+CMGR:", "t", 0, -1, -1, "123",
				"T|123|20/01/01,00:00:00+00|t", true, 20, 0},
		{"+CMGL: x,\"REC READ\",\"1\",,\"\"", "+CMGL:", "", -EINVAL, 0,
				0, NULL, NULL, false, 0, 0},
		{"+CMGR: \"REC READ\"", "+CMGR:", "", -EINVAL, 0, 0, NULL, NULL,
				false, 0, 0},
		{"+CMTI: \"SM\",1", "+CMGR:", "", -EINVAL, 0, 0, NULL, NULL,
				false, 0, 0},
};

START_TEST(test_text_msg)
{
	struct modem_text_msg tm;
	int rc = modem_parse_text(
			textm[_i].line, textm[_i].prefix, textm[_i].text, &tm);

	ck_assert_msg(rc == textm[_i].rc, "%s: rc %d", textm[_i].line, rc);
	if (rc < 0) {
		ck_assert_ptr_null(tm.key);
		return;
	}
	ck_assert_int_eq(tm.index, textm[_i].index);
	ck_assert_int_eq(tm.stat, textm[_i].stat);
	ck_assert_str_eq(tm.sender, textm[_i].sender);
	ck_assert_str_eq(tm.key, textm[_i].key);
	ck_assert_int_eq(tm.has_scts, textm[_i].has_scts);
	if (tm.has_scts) {
		ck_assert_int_eq(tm.scts.year, textm[_i].year);
		ck_assert_int_eq(tm.scts.tz_quarters, textm[_i].tz);
	}
	free(tm.key);
}
END_TEST

static const struct {
	const char *line;
	int rc;
	const char *imei;
} imei[] = {
		{"351234567890123", 0, "351234567890123"},	      /* [HW] */
		{"+CGSN: \"351234567890123\"", 0, "351234567890123"}, /* [QT] */
		{"3512345678901234", 0, "3512345678901234"}, /* IMEISV */
		{"1234567890123", -EINVAL, NULL},	     /* 13 digits */
		{"ERROR", -EINVAL, NULL},
		{"", -EINVAL, NULL},
		{"123456789012345678901234", -EINVAL, NULL},
};

START_TEST(test_imei)
{
	char id[MODEM_ID_MAX] = "untouched";
	const char *why = NULL;
	int rc = modem_parse_imei(imei[_i].line, id, &why);

	ck_assert_msg(rc == imei[_i].rc, "%s: rc %d", imei[_i].line, rc);
	if (rc == 0) {
		ck_assert_str_eq(id, imei[_i].imei);
	} else {
		ck_assert_ptr_nonnull(why);
		ck_assert_str_eq(id, "untouched");
	}
}
END_TEST

START_TEST(test_csca_cmee_csms)
{
	char num[MODEM_NUMBER_MAX];
	int type = 0, n = -1;
	struct modem_csms s;

	ck_assert_int_eq(modem_parse_csca("+CSCA: \"+447785016005\",145", num,
					 &type, NULL),
			0); /* [05] */
	ck_assert_str_eq(num, "+447785016005");
	ck_assert_int_eq(type, 145);
	ck_assert_int_eq(modem_parse_csca("+CSCA: \"\",129", num, &type, NULL),
			0); /* missing */
	ck_assert_str_eq(num, "");
	ck_assert_int_eq(modem_parse_csca("+CSCA: \"+8613800755500\"", num,
					 &type, NULL),
			0); /* [SIM] */
	ck_assert_int_eq(type, -1);
	ck_assert_int_eq(modem_parse_csca("+CSCA: 123,145", num, &type, NULL),
			-EINVAL);
	ck_assert_int_eq(modem_parse_cmee("+CMEE: 1", &n, NULL), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(modem_parse_cmee("+CMEE: 3", &n, NULL), -EINVAL);
	ck_assert_int_eq(modem_parse_csms("+CSMS: 0,1,1,1", &s, NULL), 0);
	ck_assert_int_eq(s.service, 0);
	ck_assert_int_eq(s.bm, 1);
	ck_assert_int_eq(modem_parse_csms("+CSMS: 1,1,0", &s, NULL), 0);
	ck_assert_int_eq(s.service, -1);
	ck_assert_int_eq(s.mt, 1);
	ck_assert_int_eq(s.bm, 0);
	ck_assert_int_eq(modem_parse_csms("+CSMS: 1", &s, NULL), -EINVAL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("modem_parse");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_cmti, 0, N(cmti));
	tcase_add_test(tc, test_cdsi);
	tcase_add_loop_test(tc, test_cmt, 0, N(cmt));
	tcase_add_test(tc, test_cds);
	tcase_add_loop_test(tc, test_msg_hdr, 0, N(msg));
	tcase_add_test(tc, test_cmgs_cmgw);
	tcase_add_loop_test(tc, test_csq, 0, N(csq));
	tcase_add_loop_test(tc, test_creg, 0, N(creg));
	tcase_add_test(tc, test_reg_registered);
	tcase_add_loop_test(tc, test_cops, 0, N(cops));
	tcase_add_loop_test(tc, test_cpms, 0, N(cpms));
	tcase_add_test(tc, test_cnmi);
	tcase_add_test(tc, test_cpin);
	tcase_add_loop_test(tc, test_cusd, 0, N(cusd));
	tcase_add_test(tc, test_cusd_too_long);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_csca_cmee_csms);
	tcase_add_loop_test(tc, test_text_msg, 0, N(textm));
	tcase_add_loop_test(tc, test_imei, 0, N(imei));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
