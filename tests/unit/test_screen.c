/* lib/screen: LEI reasons, breach rows and their utilisation, severities;
 * the thresholds file, live trade versions and the settlement index. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "screen/breach.h"
#include "screen/leicheck.h"
#include "screen/live.h"
#include "screen/params.h"
#include "screen/settleidx.h"
#include "unit.h"

static void test_lei_reasons(void)
{
	char buf[128];
	const char *ok = "5493001KJTIIGC8Y1R12";
	UT_CHECK(leicheck_reason(ok, 20, buf, sizeof buf) == NULL, "valid LEI: no reason");
	/* DOMAIN.md: a digit for a letter that MOD 97-10 does not see */
	UT_CHECK(leicheck_reason("549300LKJTIIGC8Y1R12", 20, buf, sizeof buf) == NULL,
		 "549300LKJTIIGC8Y1R12 passes MOD 97-10 too");
	UT_EQ_STR(leicheck_reason("", 0, buf, sizeof buf), "empty", "empty");
	UT_EQ_STR(leicheck_reason(ok, 19, buf, sizeof buf), "19 characters, not 20", "short");
	UT_EQ_STR(leicheck_reason("5493001KJTIIGC8Y1R1 ", 20, buf, sizeof buf),
		  "character 20 ' ' is not 0-9 or A-Z", "blank");
	UT_EQ_STR(leicheck_reason("5493001KJTIIGC8Y1R1\xc3", 20, buf, sizeof buf),
		  "character 20 (byte 0xC3) is not 0-9 or A-Z", "non-ASCII byte");
	UT_EQ_STR(leicheck_reason("5493001KJTIIGC8Y1RA2", 20, buf, sizeof buf),
		  "check digits 'A2' are not two digits", "letter check digit");
	UT_EQ_STR(leicheck_reason("5493001KJTIIGC8Y1R11", 20, buf, sizeof buf),
		  "check digits fail ISO 7064 MOD 97-10 (remainder 0, not 1)", "remainder 0");
}

static void test_breaches(void)
{
	breach_list l;
	qe_err e;
	breach_list_init(&l, 20417);
	UT_EQ_INT(breach_add(&l, "limits", "var", BREACH_BREACH, "book", "B", 3, 2, &e, "m %d", 1), 0, "add");
	UT_EQ_INT(breach_add(&l, "sharia", "x", BREACH_INFO, "trade", "T", NAN, NAN, &e, "n"), 0, "add info");
	UT_EQ_INT(l.n, 2, "two rows");
	UT_EQ_INT(breach_at_least(&l, BREACH_BREACH), 1, "one at breach");
	UT_EQ_INT(breach_at_least(&l, BREACH_INFO), 2, "two at info");
	UT_EQ_INT(breach_at_least(&l, BREACH_WARNING), 1, "one at warning or above");
	UT_NEAR(breach_utilisation(3, 2), 1.5, 0, "utilisation 3/2");
	UT_CHECK(isnan(breach_utilisation(3, 0)), "no utilisation against 0");
	UT_CHECK(isnan(breach_utilisation(NAN, 2)), "no utilisation of NaN");
	UT_EQ_INT(breach_severity_parse("warning"), BREACH_WARNING, "parse warning");
	UT_EQ_INT(breach_severity_parse("Breach"), -1, "case-sensitive");
	UT_EQ_STR(breach_severity_name(BREACH_INFO), "info", "name info");
	csv_writer w;
	csvw_init_mem(&w);
	breach_write(&l, &w);
	const char *want = "asof,rule_set,rule,severity,entity_type,entity_id,value,limit,utilisation,message\n"
			   "2025-11-25,limits,var,breach,book,B,3,2,1.5,m 1\n"
			   "2025-11-25,sharia,x,info,trade,T,,,,n\n";
	int same = !w.oom && w.len == strlen(want) && memcmp(w.mem, want, w.len) == 0;
	UT_CHECK(same, "written rows");
	if (!same && w.len)
		printf("# %.*s", (int)w.len, w.mem);
	csvw_mem_free(&w);
	breach_list_free(&l);
}

/* Writes text to a fresh temp file; its path into path[64]. */
static int temp_with(char path[64], const char *text)
{
	snprintf(path, 64, "/tmp/qe-test-screen-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	size_t n = strlen(text);
	int ok = write(fd, text, n) == (ssize_t)n;
	close(fd);
	return ok ? 0 : -1;
}

static void test_params(void)
{
	char path[64];
	qe_err e;
	screen_params p;
	double v = -1;
	UT_EQ_INT(temp_with(path, "rule_set,rule,parameter,value\nabuse,layering,count,5\nquality,jump,k,-1\n"), 0,
		  "thresholds file");
	UT_EQ_INT(params_read(path, "test", &p, &e), 0, "read thresholds");
	UT_EQ_INT(params_get(&p, "abuse", "layering", "count", &v, &e), 0, "present row");
	UT_NEAR(v, 5, 0, "its value");
	UT_EQ_INT(params_get(&p, "abuse", "layering", "window_seconds", &v, &e), QE_DATA, "missing row");
	UT_CHECK(strstr(e.msg, "no row abuse,layering,window_seconds") != NULL, "missing row named");
	UT_EQ_INT(params_get(&p, "quality", "jump", "k", &v, &e), QE_DATA, "negative threshold");
	UT_CHECK(strstr(e.msg, ":3:4:") != NULL, "negative threshold at its cell");
	params_free(&p);
	UT_EQ_INT(params_read(NULL, "rule set x", &p, &e), QE_USAGE, "no file is a usage error");
	unlink(path);
}

static void test_versions(void)
{
	char path[64];
	static const char *const cols[] = {"trade_id", "version", "status"};
	rtable t;
	qe_err e;
	size_t *rows = NULL, n = 0;
	UT_EQ_INT(temp_with(path, "trade_id,version,status\nA,1,new\nB,1,new\nA,2,amend\nB,2,cancel\nC,2,amend\n"
				  "C,1,new\nD,1,new\nD,1,cancel\n"),
		  0, "trades file");
	UT_EQ_INT(rtable_read(path, cols, NULL, 3, &t, &e), 0, "read trades");
	strindex *ids = NULL;
	long *best = NULL;
	UT_EQ_INT(live_versions(&t, 0, 1, 2, &rows, &n, &ids, &best, &e), 0, "live versions");
	/* A's version 2 (row 2), C's version 2 though listed first (row 4);
	 * B cancelled; D's later row of the same version wins: cancelled */
	UT_EQ_INT(n, 2, "two live trades");
	UT_CHECK(n == 2 && rows[0] == 2 && rows[1] == 4, "highest versions, in first-appearance order");
	UT_CHECK(ids && sidx_count(ids) == 4 && best[sidx_find(ids, "A", 1)] == 2 && best[sidx_find(ids, "B", 1)] == -1 &&
			 best[sidx_find(ids, "D", 1)] == -1,
		 "per id: the live row, -1 when cancelled");
	free(rows);
	free(best);
	if (ids)
		sidx_free(ids);
	/* without the index */
	UT_EQ_INT(live_versions(&t, 0, 1, 2, &rows, &n, NULL, NULL, &e), 0, "live versions, rows only");
	UT_CHECK(n == 2 && rows[0] == 2 && rows[1] == 4, "the same rows");
	free(rows);
	rtable_free(&t);
	UT_EQ_INT(temp_with(path, "trade_id,version,status\nA,x,new\n"), 0, "bad version file");
	UT_EQ_INT(rtable_read(path, cols, NULL, 3, &t, &e), 0, "read it");
	UT_EQ_INT(live_versions(&t, 0, 1, 2, &rows, &n, NULL, NULL, &e), QE_DATA, "bad version");
	rtable_free(&t);
	unlink(path);
}

static void test_settleidx(void)
{
	char path[64];
	settleidx s;
	qe_err e;
	UT_EQ_INT(temp_with(path, "date,curve,tenor,contract,price\n2026-11-25,NG_HH,1,2026-12,4.3\n"
				  "2026-11-25,NG_HH,2,2026-12,9\n2026-11-25,NG_HH,3,,4.5\n2026-11-25,TTF,0,,30\n"),
		  0, "history file");
	UT_EQ_INT(settleidx_load(path, &s, &e), 0, "load");
	qe_date d;
	date_parse_z("2026-11-25", &d);
	UT_NEAR(settleidx_price(&s, "NG_HH", "2026-12", d), 4.3, 0, "first of two tenors on one contract");
	UT_NEAR(settleidx_price(&s, "NG_HH", "2027-02-01", d), 4.5, 0, "empty contract of tenor 3: Feb 2027");
	UT_NEAR(settleidx_price(&s, "TTF", "spot", d), 30, 0, "tenor 0 without contract: spot");
	UT_CHECK(isnan(settleidx_price(&s, "NG_HH", "2026-12", d - 1)), "no price the day before");
	settleidx_free(&s);
	UT_EQ_INT(temp_with(path, "date,curve,tenor,contract,price\n2026-11-25,NG_HH,1,2026-1,4.3\n"), 0, "bad");
	UT_EQ_INT(settleidx_load(path, &s, &e), QE_DATA, "bad contract");
	UT_CHECK(strstr(e.msg, ":2:4: column 'contract'") != NULL, "at its cell");
	settleidx_free(&s);
	unlink(path);
}

int main(void)
{
	test_lei_reasons();
	test_breaches();
	test_params();
	test_versions();
	test_settleidx();
	return ut_done();
}
