/* market: the indexed vol lookup gives bit for bit the numbers of the
 * linear scan it replaced, on quoted periods (shuffled rows, duplicate
 * strikes, ATM rows, both types); overlapping periods are refused; the
 * months around the quoted ones follow the documented rules. */
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/rng.h"
#include "market/market.h"

/* The lookup of a quoted period as it was before the index: a scan of
 * every point, the smile sorted by insertion. */
static int scan_vol(const mkt_curve *c, qe_date d, double K, int normal, double *vol)
{
	double atm = NAN, ks[64], vs[64];
	int n = 0, covered = 0;
	qe_date next = d + 32;
	for (int i = 0; i < c->nv; i++) {
		const mkt_volpt *v = &c->v[i];
		if (v->normal == normal && d >= v->first && d <= v->last)
			covered = 1;
		if (v->normal == normal && v->first > d && v->first < next)
			next = v->first;
	}
	if (!covered) {
		if (next > d + 31)
			return -1;
		d = next;
	}
	for (int i = 0; i < c->nv; i++) {
		const mkt_volpt *v = &c->v[i];
		if (v->normal != normal || d < v->first || d > v->last)
			continue;
		if (isnan(v->strike)) {
			atm = v->vol;
		} else if (n < 64) {
			int k = n++;
			while (k > 0 && ks[k - 1] > v->strike) {
				ks[k] = ks[k - 1];
				vs[k] = vs[k - 1];
				k--;
			}
			ks[k] = v->strike;
			vs[k] = v->vol;
		}
	}
	if (n == 0 || isnan(K)) {
		if (isnan(atm))
			return -1;
		*vol = atm;
		return 0;
	}
	if (K <= ks[0] || n == 1) {
		*vol = vs[0];
	} else if (K >= ks[n - 1]) {
		*vol = vs[n - 1];
	} else {
		int k = 1;
		while (ks[k] < K)
			k++;
		double w = (K - ks[k - 1]) / (ks[k] - ks[k - 1]);
		*vol = vs[k - 1] + w * (vs[k] - vs[k - 1]);
	}
	return 0;
}

static char dir[] = "/tmp/qe-test-market-XXXXXX";

static void path(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", dir, name);
}

static market *load(const char *vols_text, qe_err *e)
{
	char cp[256], vp[256];
	path(cp, sizeof cp, "curves.csv");
	path(vp, sizeof vp, "vols.csv");
	FILE *f = fopen(cp, "w");
	fputs("curve,asof,delivery_start,delivery_end,price\nA,2026-11-25,2027-01-01,2027-01-31,50\n", f);
	fclose(f);
	f = fopen(vp, "w");
	fputs(vols_text, f);
	fclose(f);
	struct mkt_paths p = {.curves = cp, .vols = vp};
	return mkt_load(&p, date_from_ymd(2026, 11, 25), e);
}

/* Twelve monthly periods per curve and type, rows shuffled, strikes on a
 * coarse grid so that some repeat within a period. */
static char *random_vols(qe_rng *r)
{
	size_t cap = 1 << 20, len = 0;
	char *s = malloc(cap);
	len += (size_t)snprintf(s, cap, "curve,asof,delivery_start,delivery_end,strike,vol,vol_type\n");
	char *rows[4096];
	int nrow = 0;
	static const char *const curves[] = {"A", "B"};
	for (int c = 0; c < 2; c++)
		for (int t = 0; t < 2; t++)
			for (int mo = 0; mo < 12; mo++) {
				qe_date a = date_add_months_first(date_from_ymd(2027, 1, 1), mo);
				qe_date b = date_add_months_first(a, 1) - 1;
				char da[16], db[16];
				date_format(da, a);
				date_format(db, b);
				int n = 1 + (int)(rng_uniform(r) * 12);
				for (int k = -1; k < n && nrow < 4096; k++) {
					char buf[160], strike[32] = "";
					if (k >= 0)
						snprintf(strike, sizeof strike, "%g",
							 20 + 2.5 * (int)(rng_uniform(r) * 12));
					snprintf(buf, sizeof buf, "%s,2026-11-25,%s,%s,%s,%.6f,%s\n", curves[c], da,
						 db, strike, (t ? 5 : 0.2) + rng_uniform(r),
						 t ? "normal" : "lognormal");
					rows[nrow++] = strdup(buf);
				}
			}
	for (int i = nrow - 1; i > 0; i--) {
		int j = (int)(rng_uniform(r) * (i + 1));
		char *x = rows[i];
		rows[i] = rows[j];
		rows[j] = x;
	}
	for (int i = 0; i < nrow; i++) {
		len += (size_t)snprintf(s + len, cap - len, "%s", rows[i]);
		free(rows[i]);
	}
	return s;
}

/* mkt_front_month's table against curvemaster_front_month (the contract
 * rule asked day by day) on the bundled market: every day of every
 * curve whose index is a futures settlement. */
static void front_months(void)
{
	const char *top = getenv("QE_TOP");
	char path[4][512];
	const char *names[] = {"curves.csv", "markets.csv", "calendars", "fixings.csv"};
	for (int i = 0; i < 4; i++)
		snprintf(path[i], sizeof path[i], "%s/data/%s", top ? top : ".", names[i]);
	struct mkt_paths p = {.curves = path[0], .markets = path[1], .calendars = path[2],
			      .fixings = path[3]};
	qe_err e = {0};
	market *m = mkt_load(&p, date_from_ymd(2026, 11, 25), &e);
	UT_CHECK(m != NULL, "bundled market loads");
	long days = 0, diff = 0, tables = 0;
	for (int c = 0; m && c < m->nc; c++) {
		const mkt_curve *cv = &m->c[c];
		if (!cv->master || !curvemaster_fixes_front(cv->master) || cv->nq == 0)
			continue;
		tables += cv->front != NULL;
		for (qe_date d = m->asof - 3; d <= cv->q[cv->nq - 1].last + 3; d++) {
			qe_date a = -1, b = -1;
			int in = mkt_front_month(cv, d, &a);
			int rb = curvemaster_front_month(m->master, cv->master, d, &b, &e);
			if (!in) {
				/* outside the table: only before the as-of date or past the quotes */
				diff += d > m->asof && d <= cv->q[cv->nq - 1].last && rb == 0;
				continue;
			}
			days++;
			diff += rb != 0 || a != b;
		}
	}
	UT_CHECK(tables >= 3, "futures-index curves have a front-month table");
	UT_CHECK(days > 3000, "many days compared");
	UT_EQ_INT(diff, 0, "the table gives curvemaster_front_month's month on every day");
	mkt_free(m);
}

int main(void)
{
	front_months();
	if (!mkdtemp(dir))
		return 70;
	qe_err e = {0};
	qe_rng rs, *r = &rs;
	rng_init(r, 20261206, 0);
	char *text = random_vols(r);
	market *m = load(text, &e);
	UT_CHECK(m != NULL, "random smiles load");
	long same = 0, diff = 0;
	for (int c = 0; m && c < m->nc; c++) {
		const mkt_curve *cv = &m->c[c];
		for (qe_date d = date_from_ymd(2026, 12, 1); d <= date_from_ymd(2027, 12, 31); d++)
			for (int t = 0; t < 2; t++)
				for (int j = 0; j < 12; j++) {
					double K = j == 0 ? NAN : 10 + 4 * rng_uniform(r) * 12;
					if (j == 1)
						K = 20 + 2.5 * (int)(rng_uniform(r) * 12); /* on a strike */
					double a = -1, b = -1;
					int ra = mkt_vol(cv, d, K, t, &a), rb = scan_vol(cv, d, K, t, &b);
					if (ra == rb && (ra || memcmp(&a, &b, sizeof a) == 0))
						same++;
					else
						diff++;
				}
	}
	UT_CHECK(same > 10000, "many lookups compared");
	UT_EQ_INT(diff, 0, "indexed lookup is bit-identical to the scan on quoted periods");
	mkt_free(m);
	free(text);

	/* a month and a quarter over it: which smile is meant is unclear */
	e = (qe_err){0};
	m = load("curve,asof,delivery_start,delivery_end,strike,vol,vol_type\n"
		 "A,2026-11-25,2027-01-01,2027-01-31,50,0.3,lognormal\n"
		 "A,2026-11-25,2027-01-01,2027-03-31,50,0.3,lognormal\n",
		 &e);
	UT_CHECK(m == NULL && e.code == QE_DATA, "overlapping vol periods are bad data");
	UT_CHECK(strstr(e.msg, "lognormal vol periods from 2027-01-01 and 2027-01-01 overlap") != NULL,
		 "the message names the periods");
	mkt_free(m);

	/* the same periods in different types do not overlap */
	e = (qe_err){0};
	m = load("curve,asof,delivery_start,delivery_end,strike,vol,vol_type\n"
		 "A,2026-11-25,2027-01-01,2027-01-31,50,0.3,lognormal\n"
		 "A,2026-11-25,2027-01-01,2027-01-31,50,15,normal\n"
		 "A,2026-11-25,2027-03-01,2027-03-31,40,0.5,lognormal\n"
		 "A,2026-11-25,2027-03-01,2027-03-31,60,0.7,lognormal\n",
		 &e);
	UT_CHECK(m != NULL, "a lognormal and a normal smile of one month");
	if (m) {
		const mkt_curve *cv = &m->c[0];
		double v = 0;
		UT_CHECK(mkt_vol(cv, date_from_ymd(2026, 12, 1), 50, 0, &v) == 0 && v == 0.3,
			 "before the first month: its smile");
		UT_CHECK(mkt_vol(cv, date_from_ymd(2026, 11, 26), 50, 1, &v) == 0 && v == 15,
			 "the current month borrows the next");
		UT_CHECK(mkt_vol(cv, date_from_ymd(2027, 2, 1), 50, 1, &v) == 0 && v == 15,
			 "after the last normal month: flat");
		UT_CHECK(mkt_vol(cv, date_from_ymd(2028, 3, 31), 50, 0, &v) == 0 && v == 0.6,
			 "flat up to a year after the last month");
		UT_CHECK(mkt_vol(cv, date_from_ymd(2028, 4, 1), 50, 0, &v) == -1,
			 "no vol further out");
		double t1 = date_yf_act365(m->asof, date_from_ymd(2027, 1, 1)),
		       t2 = date_yf_act365(m->asof, date_from_ymd(2027, 3, 1)),
		       t = date_yf_act365(m->asof, date_from_ymd(2027, 2, 1));
		/* the month between: sigma^2 t linear in t, strike 50 of the
		 * March smile is 0.6 */
		double want = sqrt(((t2 - t) * 0.09 * t1 + (t - t1) * 0.36 * t2) / (t2 - t1) / t);
		UT_CHECK(mkt_vol(cv, date_from_ymd(2027, 2, 1), 50, 0, &v) == 0, "the month between");
		UT_NEAR(v, want, 1e-15, "in total variance");
		UT_CHECK(v > 0.3 && v < 0.6, "between its neighbours");
	}
	mkt_free(m);
	char p[256];
	path(p, sizeof p, "curves.csv");
	unlink(p);
	path(p, sizeof p, "vols.csv");
	unlink(p);
	rmdir(dir);
	return ut_done();
}
