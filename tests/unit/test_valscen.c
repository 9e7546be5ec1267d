/* Unit tests for lib/price/valscen: a scenario market reprices a book
 * through the pricer - base values unchanged, quote and vol moves give
 * the closed forms computed here (Black-76 by hand with erfc), reset
 * restores the base, results do not depend on the thread count. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "price/valscen.h"
#include "unit.h"

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static double ncdf(double x)
{
	return 0.5 * erfc(-x / sqrt(2.0));
}

/* Black-76 call on a future, by hand. */
static double black_call(double F, double K, double vol, double T, double D)
{
	double s = vol * sqrt(T), d1 = (log(F / K) + s * s / 2) / s;
	return D * (F * ncdf(d1) - K * ncdf(d1 - s));
}

static int quote_of(const market *m, int c, int y, int mo)
{
	for (int q = 0; q < m->c[c].nq; q++) {
		int yy, mm, dd;
		date_to_ymd(m->c[c].q[q].first, &yy, &mm, &dd);
		if (yy == y && mm == mo)
			return q;
	}
	return -1;
}

int main(void)
{
	char dir[] = "/tmp/qe-valscen-XXXXXX", p[4][512], markets[512], cal[512];
	const char *top = getenv("QE_TOP");
	qe_err e;
	UT_CHECK(mkdtemp(dir) != NULL, "temp dir");
	snprintf(markets, sizeof markets, "%s/data/markets.csv", top ? top : ".");
	snprintf(cal, sizeof cal, "%s/data/calendars", top ? top : ".");
	write_file(dir, "curves.csv",
		   "curve,asof,delivery_start,delivery_end,price,unit,currency\n"
		   "NG_HH,2026-11-25,2027-01-01,2027-01-31,4.0,MMBtu,USD\n"
		   "NG_HH,2026-11-25,2027-03-01,2027-03-31,3.9,MMBtu,USD\n");
	write_file(dir, "rates.csv",
		   "currency,asof,date,rate\nUSD,2026-11-25,2026-12-01,0.03\nUSD,2026-11-25,2031-01-01,0.03\n");
	write_file(dir, "vols.csv",
		   "curve,asof,delivery_start,delivery_end,strike,vol,vol_type\n"
		   "NG_HH,2026-11-25,2027-03-01,2027-03-31,,0.5,lognormal\n");
	write_file(dir, "trades.csv",
		   "trade_id,version,status,trade_date,book,trader,counterparty,instrument,curve,side,quantity,"
		   "unit,price,currency,delivery_start,delivery_end,shape,option_type,strike,exercise,expiry,"
		   "avg_start,avg_end,curve2,ratio,model\n"
		   "F1,1,new,2026-10-01,B,t,CME_CLEARING,future,NG_HH,buy,2,lots,3.8,USD,2027-01-01,2027-01-31,"
		   "gasday,,,,,,,,,\n"
		   "O1,1,new,2026-10-01,B,t,CME_CLEARING,option,NG_HH,sell,10,lots,0.3,USD,2027-03-01,2027-03-31,"
		   "gasday,call,3.9,european,2027-02-19,,,,,\n");
	const char *names[] = {"curves.csv", "rates.csv", "vols.csv", "trades.csv"};
	for (int i = 0; i < 4; i++)
		snprintf(p[i], sizeof p[i], "%s/%s", dir, names[i]);
	struct val_options o = {0};
	date_parse_z("2026-11-25", &o.asof);
	o.curves = p[0], o.rates = p[1], o.vols = p[2], o.trades = p[3];
	o.markets = markets, o.calendars = cal, o.spread_corr = 0.8;
	val_book *b = valuation_price(&o, &e);
	UT_CHECK(b != NULL, "book priced");
	if (!b) {
		printf("# %s\n", e.msg);
		return ut_done();
	}
	UT_EQ_INT(valuation_count(b), 2, "two trades");
	struct val_trade_info f1, o1;
	valuation_trade(b, 0, &f1);
	valuation_trade(b, 1, &o1);
	UT_CHECK(f1.status == 0 && o1.status == 0, "both priced");
	const double T = 86.0 / 365.0, D = exp(-0.03 * T), Q = 10 * 10000.0;
	UT_NEAR(o1.npv, -Q * black_call(3.9, 3.9, 0.5, T, D), 1e-12, "base option = Black-76 by hand");

	val_scenario *s = vscen_new(b, &e);
	UT_CHECK(s != NULL, "scenario market");
	double npv[2];
	char why[200];
	UT_EQ_INT(vscen_reprice(s, npv, why, sizeof why), -1, "base reprices");
	UT_CHECK(npv[0] == f1.npv && npv[1] == o1.npv, "unmoved market: the base values exactly");

	const market *m = valuation_market(b);
	int c = (int)(mkt_curve_find(m, "NG_HH") - m->c);
	int jan = quote_of(m, c, 2027, 1), mar = quote_of(m, c, 2027, 3);
	UT_CHECK(jan >= 0 && mar >= 0, "quotes found");
	UT_CHECK(vscen_base_price(s, c, jan) == 4.0, "base price of January");
	vscen_set_price(s, c, jan, 4.4);
	vscen_reprice(s, npv, why, sizeof why);
	UT_NEAR(npv[0] - f1.npv, 2 * 10000 * 0.4, 1e-12, "future: lots x lot x move, undiscounted");
	UT_CHECK(npv[1] == o1.npv, "the March option ignores January");
	vscen_set_price(s, c, mar, 3.9 * 1.1);
	vscen_shift_vol(s, c, 0, 0.1);
	vscen_shift_vol(s, c, 0, 0.05); /* a shift is from the base, not cumulative */
	vscen_reprice(s, npv, why, sizeof why);
	UT_NEAR(npv[1], -Q * black_call(3.9 * 1.1, 3.9, 0.55, T, D), 1e-12, "moved forward and vol = Black-76");
	double one[2];
	omp_set_num_threads(1);
	vscen_reprice(s, one, why, sizeof why);
	omp_set_num_threads(2);
	UT_CHECK(one[0] == npv[0] && one[1] == npv[1], "same values on 1 and 2 threads");
	/* a move the pricer cannot take is reported by trade */
	vscen_set_price(s, c, mar, -1.0);
	UT_EQ_INT(vscen_reprice(s, npv, why, sizeof why), 1, "negative forward: the option fails");
	vscen_reset(s);
	vscen_reprice(s, npv, why, sizeof why);
	UT_CHECK(npv[0] == f1.npv && npv[1] == o1.npv, "reset: the base again");
	vscen_free(s);
	valuation_free(b);
	for (int i = 0; i < 4; i++)
		unlink(p[i]);
	rmdir(dir);
	return ut_done();
}
