/* lib/screen: LEI reasons, breach rows and their utilisation, severities. */
#include <math.h>
#include <stdlib.h>

#include "screen/breach.h"
#include "screen/leicheck.h"
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

int main(void)
{
	test_lei_reasons();
	test_breaches();
	return ut_done();
}
