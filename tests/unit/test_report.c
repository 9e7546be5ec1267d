/* lib/report: thousands separators, the text buffer, lots of a shaped
 * MWh curve in a DST month, the commodity roll-up, VaR at its limit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/position.h"
#include "report/risk.h"
#include "report/summary.h"
#include "time/tz.h"
#include "unit.h"

static void test_thousands(void)
{
	char b[32];
	UT_EQ_STR(report_thousands(b, 0), "0", "zero");
	UT_EQ_STR(report_thousands(b, 999.4), "999", "three digits");
	UT_EQ_STR(report_thousands(b, 1000), "1,000", "four digits");
	UT_EQ_STR(report_thousands(b, -1234567.5), "-1,234,568", "negative, rounded half away");
	UT_EQ_STR(report_thousands(b, -0.4), "0", "no minus for a rounded zero");
	UT_EQ_STR(report_thousands(b, 1e15), "1,000,000,000,000,000", "large");
	UT_EQ_STR(report_thousands(b, NAN), "n/a", "nan");
	report_text t = {0};
	for (int i = 0; i < 500; i++)
		rtext_addf(&t, "%04d|", i);
	UT_EQ_INT((long)t.len, 2500, "text grows");
	UT_CHECK(!t.oom && memcmp(t.s + 2495, "0499|", 5) == 0, "text keeps what it was given");
	rtext_free(&t);
}

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/test_report.XXXXXX");
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
	return path;
}

static void test_position(void)
{
	char *mk = write_tmp("curve,commodity,unit,timezone,shape,lot_size\n"
			     "DE_BASE,power,MWh,Europe/Berlin,base,1\n"
			     "TTF,gas,MWh,Europe/Amsterdam,gasday,1\n"
			     "NG_HH,gas,MMBtu,America/Chicago,gasday,10000\n");
	char *l = write_tmp("book,curve,month,delta,unit\n"
			    "A,DE_BASE,2027-10,1490,MWh\n"
			    "B,DE_BASE,2027-10,-745,MWh\n"
			    "A,TTF,2027-03,743,MWh\n"
			    "A,NG_HH,2027-03,-34121.41633,MMBtu\n");
	csv_writer w;
	csvw_init_mem(&w);
	qe_err e;
	long rows = 0;
	UT_EQ_INT(report_position(l, NULL, mk, &w, &rows, &e), 0, "position");
	UT_EQ_INT(rows, 5, "three curve rows, two commodity rows");
	const char *want = "level,commodity,curve,month,unit,delta,lots,prev_delta,change\n"
			   "curve,gas,NG_HH,2027-03,MMBtu,-34121.41633,-3.412141633,,\n"
			   "curve,gas,TTF,2027-03,MWh,743,1,,\n"
			   "commodity,gas,,2027-03,MWh,-9257,,,\n"
			   "curve,power,DE_BASE,2027-10,MWh,745,1,,\n"
			   "commodity,power,,2027-10,MWh,745,,,\n";
	int same = !w.oom && w.len == strlen(want) && memcmp(w.mem, want, w.len) == 0;
	UT_CHECK(same, "745-hour October base, 743-hour March gas month, MMBtu in MWh");
	if (!same && w.len)
		printf("# %.*s", (int)w.len, w.mem);
	csvw_mem_free(&w);
	remove(l);
	remove(mk);
	free(l);
	free(mk);
	tz_cache_clear();
}

static void test_risk_at_limit(void)
{
	char *v = write_tmp("portfolio,method,alpha,horizon,scenarios,var,es,currency\n"
			    "A,hs,0.99,1d,500,100,110,USD\nB,hs,0.99,1d,500,100.0000001,,USD\n");
	char *l = write_tmp("limit_id,type,scope,key,metric,limit,unit\n"
			    "L1,var,book,A,var_99_1d,100,USD\nL2,var,book,B,var_99_1d,100,USD\n");
	struct report_risk_in in = {.var = v, .limits = l, .top = 5};
	csv_writer w;
	csvw_init_mem(&w);
	qe_err e;
	long rows, breaches;
	UT_EQ_INT(report_risk(&in, &w, &rows, &breaches, &e), 0, "risk");
	UT_EQ_INT(breaches, 1, "at the limit is inside, a hair above is a breach");
	UT_EQ_INT(rows, 3, "two VaR rows and one ES (B has none)");
	csvw_mem_free(&w);
	remove(v);
	remove(l);
	free(v);
	free(l);
}

int main(void)
{
	test_thousands();
	test_position();
	test_risk_at_limit();
	return ut_done();
}
