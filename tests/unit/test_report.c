/* lib/report: thousands separators, amounts in minor units, the text buffer, lots of a shaped
 * MWh curve in a DST month, the commodity roll-up, VaR at its limit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/pnl.h"
#include "report/position.h"
#include "report/risk.h"
#include "report/settlement.h"
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
}

/* amounts in minor units, exactly, whatever their size */
static void test_money(void)
{
	char b[40];
	UT_EQ_STR(report_money(b, 0, 2), "0.00", "zero cents");
	UT_EQ_STR(report_money(b, 5, 2), "0.05", "five cents");
	UT_EQ_STR(report_money(b, -123456789, 2), "-1,234,567.89", "negative euros");
	UT_EQ_STR(report_money(b, 123456789, 0), "123,456,789", "yen have no decimals");
	UT_EQ_STR(report_money(b, 1000, 3), "1.000", "three decimals");
	UT_EQ_STR(report_money(b, INT64_MAX, 2), "92,233,720,368,547,758.07", "beyond a double's 53 bits");
	UT_EQ_STR(report_group_digits(b, sizeof b, "-1234.5"), "-1,234.5", "a decimal string grouped");
	UT_EQ_STR(report_group_digits(b, sizeof b, "123"), "123", "three digits alone");
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

static void test_pnl_cents(void)
{
	char b[32];
	UT_EQ_STR(report_pnl_cents(b, 0), "0.00", "zero");
	UT_EQ_STR(report_pnl_cents(b, -5), "-0.05", "a negative under a unit");
	UT_EQ_STR(report_pnl_cents(b, 123456789), "1234567.89", "two places");
	UT_EQ_STR(report_pnl_cents(b, INT64_MIN), "-92233720368547758.08", "the lowest");
}

/* Two days of NG_HH futures: one kept (2 lots, P&L = 2 x 10,000 x the
 * move, all delta), one cancelled (minus its previous value), one new
 * (its value); the parts add to the total. */
static void test_pnl_futures(void)
{
	const char *top = getenv("QE_TOP");
	char markets[512], cal[512];
	snprintf(markets, sizeof markets, "%s/data/markets.csv", top ? top : ".");
	snprintf(cal, sizeof cal, "%s/data/calendars", top ? top : ".");
	static const char head[] =
		"trade_id,version,status,trade_date,book,trader,counterparty,instrument,curve,side,quantity,unit,"
		"price,currency,delivery_start,delivery_end,shape,option_type,strike,exercise,expiry,avg_start,"
		"avg_end,curve2,ratio,model\n";
	char t0[1024], t1[1024];
	snprintf(t0, sizeof t0, "%s%s%s", head,
		 "T1,1,new,2026-11-02,A,ann,CP001,future,NG_HH,buy,2,lots,4.00,USD,2027-01-01,2027-01-31,,,,,,,,,,\n",
		 "T2,1,new,2026-11-02,A,bob,CP001,future,NG_HH,sell,1,lots,4.00,USD,2027-01-01,2027-01-31,,,,,,,,,,\n");
	snprintf(t1, sizeof t1, "%s%s%s%s%s", head,
		 "T1,1,new,2026-11-02,A,ann,CP001,future,NG_HH,buy,2,lots,4.00,USD,2027-01-01,2027-01-31,,,,,,,,,,\n",
		 "T2,1,new,2026-11-02,A,bob,CP001,future,NG_HH,sell,1,lots,4.00,USD,2027-01-01,2027-01-31,,,,,,,,,,\n",
		 "T2,2,cancel,2026-11-02,A,bob,CP001,future,NG_HH,sell,1,lots,4.00,USD,2027-01-01,2027-01-31,,,,,,,,,,\n",
		 "T3,1,new,2026-11-25,B,bob,CP001,future,NG_HH,buy,1,lots,4.50,USD,2027-01-01,2027-01-31,,,,,,,,,,\n");
	char *tr0 = write_tmp(t0), *tr1 = write_tmp(t1);
	char *c0 = write_tmp("curve,asof,delivery_start,delivery_end,price,unit,currency\n"
			     "NG_HH,2026-11-24,2026-12-01,2026-12-31,4.30,MMBtu,USD\n"
			     "NG_HH,2026-11-24,2027-01-01,2027-01-31,4.40,MMBtu,USD\n");
	char *c1 = write_tmp("curve,asof,delivery_start,delivery_end,price,unit,currency\n"
			     "NG_HH,2026-11-25,2026-12-01,2026-12-31,4.35,MMBtu,USD\n"
			     "NG_HH,2026-11-25,2027-01-01,2027-01-31,4.55,MMBtu,USD\n");
	char *fx = write_tmp("currency,rate\nUSD,1\n");
	struct report_pnl_in in = {.markets = markets, .calendars = cal, .base = "USD"};
	in.d0 = (struct report_pnl_day){.asof = date_from_ymd(2026, 11, 24), .trades = tr0, .curves = c0, .fx = fx};
	in.d1 = (struct report_pnl_day){.asof = date_from_ymd(2026, 11, 25), .trades = tr1, .curves = c1, .fx = fx};
	csv_writer w;
	csvw_init_mem(&w);
	struct report_pnl_totals tot;
	qe_err e = {0};
	int rc = report_pnl(&in, &w, NULL, &tot, &e);
	UT_EQ_INT(rc, 0, e.msg);
	UT_EQ_INT(tot.trades, 3, "three trades");
	UT_EQ_INT(tot.changed[1] * 100 + tot.changed[3], 101, "one new, one cancelled");
	UT_EQ_INT((long)tot.part[PNL_TOTAL], 300000 + 400000 + 50000, "total: 3,000 + 4,000 + 500");
	UT_EQ_INT((long)tot.part[PNL_DELTA], 300000, "delta of the kept future: 2 x 10,000 x 0.15");
	UT_EQ_INT((long)tot.part[PNL_CANCELLED], 400000, "cancelled: minus -1 x 10,000 x 0.40");
	UT_EQ_INT((long)tot.part[PNL_NEW], 50000, "new: 10,000 x 0.05");
	int64_t sum = 0;
	for (int p = 1; p < PNL_NPARTS; p++)
		sum += tot.part[p];
	UT_EQ_INT((long)sum, (long)tot.part[PNL_TOTAL], "the parts add to the total");
	/* D1 before D0 */
	in.d1.asof = date_from_ymd(2026, 11, 23);
	csvw_mem_clear(&w);
	rc = report_pnl(&in, &w, NULL, &tot, &e);
	UT_EQ_INT(rc, QE_DATA, "D1 before D0 is bad data");
	/* D0 = D1: the intraday P&L of the day's book on a moved price against
	 * the day's end; no theta */
	char *c2 = write_tmp("curve,asof,delivery_start,delivery_end,price,unit,currency\n"
			     "NG_HH,2026-11-25,2026-12-01,2026-12-31,4.35,MMBtu,USD\n"
			     "NG_HH,2026-11-25,2027-01-01,2027-01-31,4.60,MMBtu,USD\n");
	in.d0 = (struct report_pnl_day){.asof = date_from_ymd(2026, 11, 25), .trades = tr0, .curves = c1, .fx = fx};
	in.d1 = (struct report_pnl_day){.asof = date_from_ymd(2026, 11, 25), .trades = tr1, .curves = c2, .fx = fx};
	csvw_mem_clear(&w);
	qe_err_clear(&e);
	rc = report_pnl(&in, &w, NULL, &tot, &e);
	UT_EQ_INT(rc, 0, e.msg);
	UT_EQ_INT((long)tot.part[PNL_THETA], 0, "intraday: no theta");
	UT_EQ_INT((long)tot.part[PNL_DELTA], 100000, "intraday: delta 2 x 10,000 x 0.05");
	UT_EQ_INT((long)tot.part[PNL_CANCELLED], 550000, "intraday: cancelled minus -1 x 10,000 x 0.55");
	UT_EQ_INT((long)tot.part[PNL_NEW], 100000, "intraday: new 10,000 x 0.10");
	UT_EQ_INT((long)tot.part[PNL_TOTAL], 750000, "intraday: total");
	csvw_mem_free(&w);
	tz_cache_clear();
	const char *files[] = {tr0, tr1, c0, c1, fx, c2};
	for (int i = 0; i < 6; i++) {
		remove(files[i]);
		free((void *)files[i]);
	}
}

int main(void)
{
	test_pnl_cents();
	test_pnl_futures();
	test_thousands();
	test_money();
	test_position();
	test_risk_at_limit();
	return ut_done();
}
