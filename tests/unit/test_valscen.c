/* Unit tests for lib/price/valscen: a scenario market reprices a book
 * through the pricer - base values unchanged, quote and vol moves give
 * the closed forms computed here (Black-76 by hand with erfc), reset
 * restores the base, results do not depend on the thread count. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Random moves of every quote (log-normal, 8%) of s, and of every vol
 * point (up to +-20% of its level) when vols. */
static void random_moves(val_scenario *s, const market *m, unsigned *seed, int vols)
{
	vscen_reset(s);
	for (int c = 0; c < m->nc; c++) {
		for (int q = 0; q < m->c[c].nq; q++) {
			double u1 = (rand_r(seed) + 1.0) / (RAND_MAX + 2.0);
			double u2 = (rand_r(seed) + 1.0) / (RAND_MAX + 2.0);
			double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
			vscen_set_price(s, c, q, vscen_base_price(s, c, q) * exp(0.08 * z));
		}
		for (int k = 0; vols && k < m->c[c].nv; k++) {
			double u = rand_r(seed) / (double)RAND_MAX;
			vscen_shift_vol(s, c, k, m->c[c].v[k].vol * 0.4 * (u - 0.5));
		}
	}
}

/* A block of scenario markets repriced together (vscen_reprice_block)
 * against each repriced alone (vscen_reprice): the same values to the
 * last bit and the same first failure, with moved vols and with the
 * base vols (same_vols: a vol looked up once per trade), on 1 and 2
 * threads; a block larger than one chunk of markets. */
static void block_equals_single(val_scenario *s, long n, unsigned *seed)
{
	enum { NB = 70 };
	const market *m = valuation_market(s->book);
	val_scenario *sc[NB] = {s};
	qe_err e;
	int made = 1;
	for (int k = 1; k < NB; k++)
		made &= (sc[k] = vscen_new_sibling(s, &e)) != NULL;
	UT_CHECK(made, "sibling scenario markets");
	double *blk = malloc(sizeof *blk * (size_t)n * NB), *blk1 = malloc(sizeof *blk1 * (size_t)n * NB);
	double *one = malloc(sizeof *one * (size_t)n);
	for (int vols = 0; vols < 2 && made && blk && blk1 && one; vols++) {
		long diff = 0, bad_single = -1;
		char eb[200] = "", e1[200] = "", es[200] = "";
		for (int k = 0; k < NB; k++)
			random_moves(sc[k], m, seed, vols);
		if (vols) { /* scenario 66 (the second chunk) fails an option */
			for (long i = 0; i < n; i++) {
				struct val_trade_info t;
				valuation_trade(s->book, i, &t);
				if (t.status == 0 && t.model && strcmp(t.model, "black76") == 0) {
					int c, q;
					valuation_trade_quote(s->book, i, 0, &c, &q);
					vscen_set_price(sc[66], c, q, -1.0);
					break;
				}
			}
		}
		long bb = vscen_reprice_block(sc, NB, !vols, blk, eb, sizeof eb);
		omp_set_num_threads(1);
		long b1 = vscen_reprice_block(sc, NB, !vols, blk1, e1, sizeof e1);
		omp_set_num_threads(2);
		for (int k = 0; k < NB; k++) {
			long bad = vscen_reprice(sc[k], one, es, sizeof es);
			if (bad >= 0 && bad_single < 0)
				bad_single = k * n + bad;
			if (bad_single >= 0)
				break; /* a block stops at its first failing chunk */
			for (long i = 0; i < n; i++)
				if (memcmp(&one[i], &blk[k * n + i], sizeof one[i]) != 0 ||
				    memcmp(&one[i], &blk1[k * n + i], sizeof one[i]) != 0) {
					if (diff++ < 5)
						printf("# vols %d scenario %d trade %ld: block %.17g alone %.17g\n",
						       vols, k, i, blk[k * n + i], one[i]);
				}
		}
		UT_EQ_INT(diff, 0, vols ? "block = one scenario at a time, moved vols"
					: "block = one scenario at a time, base vols looked up once");
		UT_CHECK(!vols || bad_single / n == 66, "a negative forward fails scenario 66");
		UT_EQ_INT(bb, bad_single, "block: the same first failure");
		UT_EQ_INT(b1, bad_single, "block on 1 thread: the same first failure");
		UT_CHECK(bb < 0 || (strcmp(eb, es) == 0 && strcmp(e1, es) == 0), "block: the same reason");
	}
	for (int k = 1; k < NB; k++)
		vscen_free(sc[k]);
	vscen_reset(s);
	free(blk);
	free(blk1);
	free(one);
}

/* The NPV-only plan against qe-price's full path on the bundled book
 * under random moves of every quote (log-normal, 8%) and every vol
 * point (up to +-20% of its level): the same values to the last bit,
 * the same failing trade, on 1 and 2 threads. */
static void bundled_book(const char *top)
{
	char path[7][512];
	const char *names[] = {"curves.csv", "rates.csv", "vols.csv", "trades.csv",
			       "markets.csv", "fixings.csv", "calendars"};
	for (int i = 0; i < 7; i++)
		snprintf(path[i], sizeof path[i], "%s/data/%s", top, names[i]);
	struct val_options o = {0};
	qe_err e;
	date_parse_z("2026-11-25", &o.asof);
	o.curves = path[0], o.rates = path[1], o.vols = path[2], o.trades = path[3];
	o.markets = path[4], o.fixings = path[5], o.calendars = path[6], o.spread_corr = 0.8;
	val_book *b = valuation_price(&o, &e);
	UT_CHECK(b != NULL, "bundled book priced");
	if (!b) {
		printf("# %s\n", e.msg);
		return;
	}
	val_scenario *s = vscen_new(b, &e);
	UT_CHECK(s != NULL, "bundled scenario market");
	if (!s) {
		valuation_free(b);
		return;
	}
	const market *m = valuation_market(b);
	long n = valuation_count(b), priced = 0;
	for (long i = 0; i < n; i++) {
		struct val_trade_info t;
		valuation_trade(b, i, &t);
		priced += t.status == 0;
	}
	UT_CHECK(priced > 1000, "most of the bundled book is priced");
	double *fast = malloc(sizeof *fast * (size_t)n), *full = malloc(sizeof *full * (size_t)n);
	double *one = malloc(sizeof *one * (size_t)n);
	char ef[200] = "", eu[200] = "", eo[200] = "";
	long diff = 0, fails = 0;
	unsigned seed = 12345;
	for (int sc = 0; sc < 12 && fast && full && one; sc++) {
		vscen_reset(s);
		for (int c = 0; c < m->nc; c++) {
			for (int q = 0; q < m->c[c].nq; q++) {
				double u1 = (rand_r(&seed) + 1.0) / (RAND_MAX + 2.0);
				double u2 = (rand_r(&seed) + 1.0) / (RAND_MAX + 2.0);
				double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
				vscen_set_price(s, c, q, vscen_base_price(s, c, q) * exp(0.08 * z));
			}
			for (int k = 0; k < m->c[c].nv; k++) {
				double u = rand_r(&seed) / (double)RAND_MAX;
				vscen_shift_vol(s, c, k, m->c[c].v[k].vol * 0.4 * (u - 0.5));
			}
		}
		long bf = vscen_reprice(s, fast, ef, sizeof ef);
		long bu = vscen_reprice_full(s, full, eu, sizeof eu);
		omp_set_num_threads(1);
		long bo = vscen_reprice(s, one, eo, sizeof eo);
		omp_set_num_threads(2);
		fails += bu >= 0;
		if (bf != bu || bo != bu || (bu >= 0 && (strcmp(ef, eu) != 0 || strcmp(eo, eu) != 0)))
			diff++;
		for (long i = 0; i < n; i++)
			if (memcmp(&fast[i], &full[i], sizeof fast[i]) != 0 ||
			    memcmp(&one[i], &full[i], sizeof one[i]) != 0) {
				if (diff++ < 5)
					printf("# scenario %d trade %ld: plan %.17g full %.17g\n", sc, i, fast[i],
					       full[i]);
			}
	}
	UT_EQ_INT(diff, 0, "plan = full path to the last bit, 12 random scenarios, 1 and 2 threads");
	printf("# scenarios with a failing trade: %ld\n", fails);
	/* Kirk spreads are in the plan (one kirk_price per scenario, not
	 * kirk_greeks_fd's 17), so the comparison above covers them */
	long spreads = 0, spreads_full = 0;
	for (long i = 0; i < n; i++) {
		struct val_trade_info t;
		valuation_trade(b, i, &t);
		if (t.status == 0 && t.model && strcmp(t.model, "kirk") == 0) {
			spreads++;
			spreads_full += !valuation_plan_planned(s->plan, i);
		}
	}
	UT_CHECK(spreads > 10, "the bundled book has priced Kirk spreads");
	UT_EQ_INT(spreads_full, 0, "every priced Kirk spread reprices through the plan");
	block_equals_single(s, n, &seed);
	free(fast);
	free(full);
	free(one);
	vscen_free(s);
	valuation_free(b);
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
	bundled_book(top ? top : ".");
	for (int i = 0; i < 4; i++)
		unlink(p[i]);
	rmdir(dir);
	return ut_done();
}
