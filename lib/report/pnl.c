/* pnl: the daily P&L and its explain by revaluation (pnl.h). */
#include "report/pnl.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strindex.h"
#include "io/formats.h"
#include "market/fxrate.h"
#include "market/market.h"
#include "price/valscen.h"
#include "price/valuation.h"
#include "screen/rtable.h"

static const char *const part_names[PNL_NPARTS] = {
	"total", "theta", "delta", "gamma", "vega", "fx", "new", "amended", "cancelled", "cash", "unexplained"};
static const char *const change_names[5] = {"unchanged", "new", "amended", "cancelled", "matured"};
enum { CH_SAME, CH_NEW, CH_AMENDED, CH_CANCELLED, CH_MATURED };

const char *report_pnl_part_name(int part)
{
	return part >= 0 && part < PNL_NPARTS ? part_names[part] : NULL;
}

char *report_pnl_cents(char *buf, int64_t cents)
{
	/* digits from the right: a by-trade file has a dozen per row */
	uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	char tmp[32], *p = tmp + sizeof tmp;
	*--p = '\0';
	*--p = (char)('0' + a % 10);
	*--p = (char)('0' + a / 10 % 10);
	*--p = '.';
	a /= 100;
	do
		*--p = (char)('0' + a % 10);
	while ((a /= 10) != 0);
	if (cents < 0)
		*--p = '-';
	memcpy(buf, p, (size_t)(tmp + sizeof tmp - p));
	return buf;
}

static int64_t cents(double x)
{
	return (int64_t)llround(x * 100);
}

/* One day's inputs read beside the book: the trades' desk and currency
 * rows (the last version of each id) and the FX rates. */
typedef struct pnl_day {
	rtable t;
	strindex *ids; /* id -> row of its last version: row[k] */
	long *row;
	strindex *ccys;
	double *rate;
	val_book *b;
} pnl_day;

enum { TC_ID, TC_TRADER, TC_CCY, TC_N };

static void day_free(pnl_day *d)
{
	rtable_free(&d->t);
	sidx_free(d->ids);
	free(d->row);
	sidx_free(d->ccys);
	free(d->rate);
	valuation_free(d->b);
	memset(d, 0, sizeof *d);
}

/* The curves file's as-of must be the day's. */
static int check_asof(const char *curves, qe_date asof, qe_err *e)
{
	static const char *const cols[] = {"asof"};
	rtable t;
	if (rtable_read(curves, cols, NULL, 1, &t, e))
		return e->code;
	int rc = 0;
	for (size_t r = 0; r < t.n && !rc; r++) {
		qe_date d;
		if (date_parse_z(rtable_get(&t, r, 0), &d) != 0) {
			rc = rtable_error(&t, r, 0, e, "not a date '%s'", rtable_get(&t, r, 0));
		} else if (d != asof) {
			char a[16], b[16];
			date_format(a, d);
			date_format(b, asof);
			rc = rtable_error(&t, r, 0, e, "as-of %s is not the day's %s", a, b);
		}
	}
	if (!rc && t.n == 0)
		rc = qe_err_set(e, QE_DATA, "%s:2:1: no curves", curves);
	rtable_free(&t);
	return rc;
}

static int day_read(pnl_day *d, const struct report_pnl_day *in, const struct report_pnl_in *all,
		    qe_err *e)
{
	static const char *const cols[TC_N] = {"trade_id", "trader", "currency"};
	if (check_asof(in->curves, in->asof, e))
		return e->code;
	if (rtable_read(in->trades, cols, NULL, TC_N, &d->t, e))
		return e->code;
	if (!(d->ids = sidx_new()) || !(d->row = malloc(sizeof(long) * (d->t.n + 1))))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t r = 0; r < d->t.n; r++) {
		const char *id = rtable_get(&d->t, r, TC_ID);
		long k = sidx_add(d->ids, id, strlen(id), NULL);
		if (k < 0)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		d->row[k] = (long)r;
	}
	if (!(d->ccys = sidx_new()))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (fx_rates_read(in->fx, all->base, d->ccys, &d->rate, e))
		return e->code;
	for (size_t r = 0; r < d->t.n; r++) {
		const char *c = rtable_get(&d->t, r, TC_CCY);
		if (sidx_find(d->ccys, c, strlen(c)) < 0)
			return rtable_error(&d->t, r, TC_CCY, e, "currency '%s' is not in %s", c, in->fx);
	}
	return 0;
}

/* Prices the trades of file trades on the market of day in; with like
 * (the book of the same file on another day's market), its trades
 * without reading the file again. */
static int day_price(pnl_day *d, const char *trades, const val_book *like, const struct report_pnl_day *in,
		     const struct report_pnl_in *all, qe_err *e)
{
	struct val_options o = {.asof = in->asof, .trades = trades, .curves = in->curves,
				.vols = in->vols, .rates = in->rates, .markets = all->markets,
				.fixings = in->fixings, .calendars = all->calendars, .spread_corr = 0.8};
	d->b = like ? valuation_price_again(like, &o, e) : valuation_price(&o, e);
	return d->b ? 0 : e->code;
}

static double day_rate(const pnl_day *d, const char *ccy)
{
	long k = sidx_find(d->ccys, ccy, strlen(ccy));
	return k < 0 ? NAN : d->rate[k];
}

/* The row of trade id's last version in d, or -1. */
static long day_row(const pnl_day *d, const char *id)
{
	long k = sidx_find(d->ids, id, strlen(id));
	return k < 0 ? -1 : d->row[k];
}

/* A trade that could not be priced is bad data: nothing is valued at
 * zero in silence. */
static int book_check(const pnl_day *d, const char *trades, qe_err *e)
{
	long n = valuation_count(d->b);
	for (long i = 0; i < n; i++) {
		struct val_trade_info t;
		valuation_trade(d->b, i, &t);
		if (t.status == 1)
			return qe_err_set(e, QE_DATA, "%s (%s: trade %s cannot be priced)", t.err, trades, t.id);
	}
	return 0;
}

/* Moves the quotes of scenario sc (on market `to`) to the prices of
 * market `from` (the quote of the same curve covering each quote's last
 * delivery day), and its vols to from's (sticky strike on the first
 * delivery day) when vols is set. */
static void scen_move(val_scenario *sc, const market *to, const market *from, int quotes, int vols)
{
	vscen_reset(sc);
	for (int k = 0; k < to->nc; k++) {
		const mkt_curve *c = &to->c[k], *f = mkt_curve_find(from, c->name);
		if (!f)
			continue;
		for (int q = 0; q < c->nq && quotes; q++) {
			int j = mkt_quote_at(f, c->q[q].last);
			if (j >= 0)
				vscen_set_price(sc, k, q, f->q[j].price);
		}
		for (int v = 0; v < c->nv && vols; v++) {
			double vol;
			if (mkt_vol(f, c->v[v].first, c->v[v].strike, c->v[v].normal, &vol) == 0)
				vscen_shift_vol(sc, k, v, vol - c->v[v].vol);
		}
	}
}

/* Through the book's repricing plan (vscen_reprice: the values of the
 * full path bit for bit, without its greeks). */
static int reprice(val_scenario *sc, double *npv, qe_err *e)
{
	char err[256] = "";
	long bad = vscen_reprice(sc, npv, err, sizeof err);
	if (bad >= 0) {
		struct val_trade_info t;
		valuation_trade(sc->book, bad, &t);
		return qe_err_set(e, QE_DATA, "trade %s cannot be repriced between the days: %s", t.id, err);
	}
	return 0;
}

/* Roll-up keys of one level and their sums. */
typedef struct rollup {
	strindex *keys;
	int64_t (*sum)[PNL_NPARTS];
	long *count;
	size_t cap;
} rollup;

static int rollup_add(rollup *r, const char *key, const int64_t *part, long count)
{
	if (!r->keys && !(r->keys = sidx_new()))
		return -1;
	long k = sidx_add(r->keys, key, strlen(key), NULL);
	if (k < 0)
		return -1;
	if ((size_t)k >= r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		void *s = realloc(r->sum, cap * sizeof *r->sum), *c = realloc(r->count, cap * sizeof *r->count);
		if (s)
			r->sum = s;
		if (c)
			r->count = c;
		if (!s || !c)
			return -1;
		memset(r->sum + r->cap, 0, (cap - r->cap) * sizeof *r->sum);
		memset(r->count + r->cap, 0, (cap - r->cap) * sizeof *r->count);
		r->cap = cap;
	}
	for (int p = 0; p < PNL_NPARTS; p++)
		r->sum[k][p] += part[p];
	r->count[k] += count;
	return 0;
}

static void rollup_free(rollup *r)
{
	sidx_free(r->keys);
	free(r->sum);
	free(r->count);
}

static const rollup *sort_of;
static int cmp_key(const void *a, const void *b)
{
	return strcmp(sidx_name(sort_of->keys, *(const size_t *)a), sidx_name(sort_of->keys, *(const size_t *)b));
}

static void write_parts(csv_writer *w, const int64_t *part)
{
	char buf[32];
	for (int p = 0; p < PNL_NPARTS; p++)
		csvw_str(w, report_pnl_cents(buf, part[p]));
}

static int rollup_write(csv_writer *w, const char *level, rollup *r, const char *base)
{
	if (!r->keys)
		return 0;
	size_t n = sidx_count(r->keys);
	size_t *ord = malloc(sizeof *ord * (n + 1));
	if (!ord)
		return -1;
	for (size_t k = 0; k < n; k++)
		ord[k] = k;
	sort_of = r;
	if (n > 1)
		qsort(ord, n, sizeof *ord, cmp_key);
	for (size_t j = 0; j < n; j++) {
		size_t k = ord[j];
		csvw_str(w, level);
		csvw_str(w, sidx_name(r->keys, k));
		csvw_str(w, base);
		csvw_int(w, r->count[k]);
		write_parts(w, r->sum[k]);
		csvw_end(w);
	}
	free(ord);
	return 0;
}

enum { LV_ALL, LV_BOOK, LV_DESK, LV_COMMODITY, LV_CURVE, LV_N };
static const char *const level_names[LV_N] = {"all", "book", "desk", "commodity", "risk_curve"};

struct pnl_run {
	const struct report_pnl_in *in;
	pnl_day d0, d01, d1;
	double *v_time, *v_price, *cash;
	strindex *live0, *live1; /* trade id -> index in d0's, d1's book */
	rollup roll[LV_N];
	const mkt_curve **c1_of; /* per curve of D0's market: D1's curve of that name, or NULL */
	strindex *com_keys;      /* curve name -> its commodity (D1's curve, else D0's) */
	const char **com;
};

/* The lookups by curve name of the per-trade loop, made once: D1's curve
 * of each curve of D0's market (mkt_curve_find, the first of the name),
 * and the commodity of a curve name. */
static int curve_maps(struct pnl_run *r)
{
	const market *m0 = valuation_market(r->d0.b), *m1 = valuation_market(r->d1.b);
	if (!(r->c1_of = calloc((size_t)m0->nc + 1, sizeof *r->c1_of)) ||
	    !(r->com = calloc((size_t)m0->nc + (size_t)m1->nc + 1, sizeof *r->com)) || !(r->com_keys = sidx_new()))
		return -1;
	for (int k = 0; k < m0->nc; k++)
		r->c1_of[k] = mkt_curve_find(m1, m0->c[k].name);
	for (int d = 0; d < 2; d++) {
		const market *m = d ? m0 : m1;
		for (int k = 0; k < m->nc; k++) {
			int added;
			long j = sidx_add(r->com_keys, m->c[k].name, strlen(m->c[k].name), &added);
			if (j < 0)
				return -1;
			if (added)
				r->com[j] = m->c[k].commodity;
		}
	}
	return 0;
}

/* Delta and gamma of trade i of d0's book for D1's move, per risk curve
 * (cents of the base, at D0's rate): added to cs[curve of D0's market]
 * (delta, gamma, their total; touched[curve] set), a thread's sums of the
 * curve roll-up, integers whose order of addition does not matter. */
static void taylor(const struct pnl_run *r, long i, double fx0, int64_t (*cs)[3], char *touched, int64_t *dsum,
		   int64_t *gsum)
{
	const val_book *b = r->d0.b;
	const market *m0 = valuation_market(b);
	struct val_trade_info t;
	valuation_trade(b, i, &t);
	*dsum = *gsum = 0;
	for (int k = 0; k < t.nquotes; k++) {
		struct val_sens_row s;
		valuation_trade_sens(b, i, k, &s);
		const mkt_curve *c0 = &m0->c[s.curve];
		const mkt_curve *c1 = r->c1_of[s.curve];
		double dF = 0, dF2 = 0;
		if (c1) {
			int j = mkt_quote_at(c1, c0->q[s.quote].last);
			if (j >= 0)
				dF = c1->q[j].price - c0->q[s.quote].price;
		}
		if (s.curve2 >= 0) {
			const mkt_curve *a0 = &m0->c[s.curve2], *a1 = r->c1_of[s.curve2];
			if (a1) {
				int j = mkt_quote_at(a1, a0->q[s.quote2].last);
				if (j >= 0)
					dF2 = a1->q[j].price - a0->q[s.quote2].price;
			}
		}
		double d = s.curve2 >= 0 ? 0 : s.delta * dF;
		double g = s.curve2 >= 0 ? s.gamma * dF * dF2 : 0.5 * s.gamma * dF * dF;
		int64_t pd = cents(d * fx0), pg = cents(g * fx0);
		cs[s.curve][0] += pd;
		cs[s.curve][1] += pg;
		cs[s.curve][2] += pd + pg;
		touched[s.curve] = 1;
		*dsum += pd;
		*gsum += pg;
	}
}

/* A trade of D0's book worked out (in parallel) before it is written (in
 * book order): bad 1 when the books' orders differ, 2 when D1's FX file
 * lacks its currency. */
typedef struct pnl_row {
	int64_t part[PNL_NPARTS], L0, Lx;
	const char *desk;
	int change, bad;
} pnl_row;

static void row_work(const struct pnl_run *r, long i, pnl_row *w, int64_t (*cs)[3], char *touched)
{
	struct val_trade_info t0, t01;
	valuation_trade(r->d0.b, i, &t0);
	valuation_trade(r->d01.b, i, &t01);
	memset(w, 0, sizeof *w);
	if (strcmp(t0.id, t01.id)) {
		w->bad = 1;
		return;
	}
	double fx0 = day_rate(&r->d0, t0.currency), fx1 = day_rate(&r->d1, t0.currency);
	if (isnan(fx1)) {
		w->bad = 2;
		return;
	}
	double v0 = t0.status == 0 ? t0.npv : 0, v01 = t01.status == 0 ? t01.npv : 0;
	int64_t L0 = cents(v0 * fx0), Lt = cents(r->v_time[i] * fx0), Lp = cents(r->v_price[i] * fx0);
	int64_t Lv = cents(v01 * fx0), Lf = cents(v01 * fx1), Lx = 0, cash = 0;
	int64_t *part = w->part;
	int change = CH_SAME;
	double v1 = 0;
	long j = sidx_find(r->live1, t0.id, strlen(t0.id));
	if (j >= 0) {
		struct val_trade_info t1;
		valuation_trade(r->d1.b, j, &t1);
		v1 = t1.status == 0 ? t1.npv : 0;
		if (t1.version != t0.version)
			change = CH_AMENDED;
	}
	if (j < 0)
		change = CH_CANCELLED;
	else
		Lx = cents(v1 * fx1);
	if (t0.status == 0 && t01.status == 2) {
		cash = cents(r->cash[i] * fx1);
		if (change == CH_SAME)
			change = CH_MATURED;
	}
	int64_t dsum = 0, gsum = 0;
	if (t0.status == 0 && change != CH_CANCELLED)
		taylor(r, i, fx0, cs, touched, &dsum, &gsum);
	part[PNL_THETA] = Lt - L0;
	part[PNL_DELTA] = dsum;
	part[PNL_GAMMA] = gsum;
	part[PNL_UNEXPLAINED] = (Lp - Lt) - dsum - gsum;
	part[PNL_VEGA] = Lv - Lp;
	part[PNL_FX] = Lf - Lv;
	if (change == CH_CANCELLED) {
		/* out of the book at its D0 value: no market P&L */
		memset(w->part, 0, sizeof w->part);
		part[PNL_CANCELLED] = -L0;
	} else if (change == CH_AMENDED)
		part[PNL_AMENDED] = Lx - Lf;
	else
		part[PNL_UNEXPLAINED] += Lx - Lf;
	if (change != CH_CANCELLED)
		part[PNL_CASH] = cash;
	part[PNL_TOTAL] = change == CH_CANCELLED ? -L0 : Lx + cash - L0;
	long row = day_row(j >= 0 ? &r->d1 : &r->d0, t0.id);
	const rtable *tt = j >= 0 ? &r->d1.t : &r->d0.t;
	w->desk = row >= 0 ? rtable_get(tt, (size_t)row, TC_TRADER) : "";
	w->change = change;
	w->L0 = L0;
	w->Lx = Lx;
}

static const char *commodity_of(const struct pnl_run *r, const char *curve)
{
	long k = sidx_find(r->com_keys, curve, strlen(curve));
	return k < 0 ? "" : r->com[k];
}

static int emit(struct pnl_run *r, csv_writer *by_trade, struct report_pnl_totals *tot, const char *id,
		const char *book, const char *desk, const char *curve, int change, int64_t v0, int64_t v1,
		const int64_t *part)
{
	const char *com = commodity_of(r, curve);
	if (by_trade) {
		char buf[32];
		csvw_str(by_trade, id);
		csvw_str(by_trade, book);
		csvw_str(by_trade, desk);
		csvw_str(by_trade, com);
		csvw_str(by_trade, curve);
		csvw_str(by_trade, r->in->base);
		csvw_str(by_trade, change_names[change]);
		csvw_str(by_trade, report_pnl_cents(buf, v0));
		csvw_str(by_trade, report_pnl_cents(buf, v1));
		write_parts(by_trade, part);
		csvw_end(by_trade);
	}
	for (int p = 0; p < PNL_NPARTS; p++)
		tot->part[p] += part[p];
	tot->trades++;
	tot->changed[change]++;
	if (rollup_add(&r->roll[LV_ALL], "all", part, 1) || rollup_add(&r->roll[LV_BOOK], book, part, 1) ||
	    rollup_add(&r->roll[LV_DESK], desk, part, 1) || rollup_add(&r->roll[LV_COMMODITY], com, part, 1))
		return -1;
	return 0;
}

static int run(struct pnl_run *r, csv_writer *by_trade, csv_writer *explain, struct report_pnl_totals *tot,
	       qe_err *e)
{
	const struct report_pnl_in *in = r->in;
	/* D0 == D1: the same day twice, an intraday P&L (theta is zero) */
	if (in->d0.asof > in->d1.asof) {
		char a[16], b[16];
		date_format(a, in->d1.asof);
		date_format(b, in->d0.asof);
		return qe_err_set(e, QE_DATA, "%s:2:2: as-of %s is before the previous day's %s", in->d1.curves, a,
				  b);
	}
	if (day_read(&r->d0, &in->d0, in, e) || day_read(&r->d1, &in->d1, in, e))
		return e->code;
	/* a trade's currency cannot change between the books */
	for (size_t row = 0; row < r->d1.t.n; row++) {
		long r0 = day_row(&r->d0, rtable_get(&r->d1.t, row, TC_ID));
		if (r0 >= 0 && strcmp(rtable_get(&r->d0.t, (size_t)r0, TC_CCY), rtable_get(&r->d1.t, row, TC_CCY)))
			return rtable_error(&r->d1.t, row, TC_CCY, e, "currency '%s' is not the trade's '%s' of %s",
					    rtable_get(&r->d1.t, row, TC_CCY), rtable_get(&r->d0.t, (size_t)r0, TC_CCY),
					    in->d0.trades);
	}
	/* each book on its market, and D0's book on D1's market */
	if (day_price(&r->d0, in->d0.trades, NULL, &in->d0, in, e) ||
	    day_price(&r->d1, in->d1.trades, NULL, &in->d1, in, e) ||
	    day_price(&r->d01, in->d0.trades, r->d0.b, &in->d1, in, e))
		return e->code;
	if (book_check(&r->d0, in->d0.trades, e) || book_check(&r->d01, in->d0.trades, e) ||
	    book_check(&r->d1, in->d1.trades, e))
		return e->code;
	long n0 = valuation_count(r->d0.b), n1 = valuation_count(r->d1.b);
	if (valuation_count(r->d01.b) != n0)
		return qe_err_set(e, QE_INTERNAL, "%s: the book differs between the days", in->d0.trades);
	if (!(r->live0 = sidx_new()) || !(r->live1 = sidx_new()) || curve_maps(r))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (int d = 0; d < 2; d++) {
		const val_book *b = d ? r->d1.b : r->d0.b;
		for (long i = 0, n = valuation_count(b); i < n; i++) {
			struct val_trade_info t;
			valuation_trade(b, i, &t);
			if (sidx_add(d ? r->live1 : r->live0, t.id, strlen(t.id), NULL) != i)
				return qe_err_set(e, QE_INTERNAL, "%s: trade %s twice in the book",
						  d ? in->d1.trades : in->d0.trades, t.id);
		}
	}
	size_t nn = (size_t)(n0 > 0 ? n0 : 1);
	r->v_time = malloc(nn * sizeof(double));
	r->v_price = malloc(nn * sizeof(double));
	r->cash = malloc(nn * sizeof(double));
	if (!r->v_time || !r->v_price || !r->cash)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	const market *m0 = valuation_market(r->d0.b), *m1 = valuation_market(r->d01.b);
	val_scenario *sc = vscen_new(r->d01.b, e);
	if (!sc)
		return e->code;
	int rc = 0;
	scen_move(sc, m1, m0, 1, 1);
	rc = reprice(sc, r->v_time, e);
	if (!rc) {
		scen_move(sc, m1, m0, 0, 1);
		rc = reprice(sc, r->v_price, e);
	}
	vscen_free(sc);
	if (rc)
		return rc;
	/* what matured trades settled at: D0's date, D1's quotes and vols */
	if (!(sc = vscen_new(r->d0.b, e)))
		return e->code;
	scen_move(sc, m0, m1, 1, 1);
	rc = reprice(sc, r->cash, e);
	vscen_free(sc);
	if (rc)
		return rc;

	/* D0's trades, in chunks worked out in parallel and written in book
	 * order; the curve roll-up summed per thread and curve */
	enum { CHUNK = 16384 };
	int nthr = omp_get_max_threads(), nc0 = m0->nc;
	pnl_row *w = malloc(sizeof *w * CHUNK);
	int64_t (*cs)[3] = calloc((size_t)nthr * (size_t)nc0 + 1, sizeof *cs);
	char *touched = calloc((size_t)nthr * (size_t)nc0 + 1, 1);
	rc = !w || !cs || !touched ? qe_err_set(e, QE_INTERNAL, "out of memory") : 0;
	for (long i0 = 0; !rc && i0 < n0; i0 += CHUNK) {
		long n = n0 - i0 < CHUNK ? n0 - i0 : CHUNK;
#pragma omp parallel for schedule(dynamic, 256)
		for (long k = 0; k < n; k++) {
			int me = omp_get_thread_num();
			row_work(r, i0 + k, &w[k], cs + (size_t)me * (size_t)nc0, touched + (size_t)me * (size_t)nc0);
		}
		for (long k = 0; !rc && k < n; k++) {
			struct val_trade_info t0;
			valuation_trade(r->d0.b, i0 + k, &t0);
			if (w[k].bad == 1) {
				rc = qe_err_set(e, QE_INTERNAL, "%s: trade order differs between the days", in->d0.trades);
			} else if (w[k].bad == 2) {
				long row = day_row(&r->d0, t0.id);
				rc = rtable_error(&r->d0.t, (size_t)(row < 0 ? 0 : row), TC_CCY, e,
						  "currency '%s' is not in %s", t0.currency, in->d1.fx);
			} else if (emit(r, by_trade, tot, t0.id, t0.book, w[k].desk, t0.curve, w[k].change, w[k].L0,
					w[k].change == CH_CANCELLED ? 0 : w[k].Lx, w[k].part)) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			}
		}
	}
	for (int k = 0; !rc && k < nc0; k++) {
		int64_t part[PNL_NPARTS] = {0};
		int any = 0;
		for (int t = 0; t < nthr; t++) {
			size_t x = (size_t)t * (size_t)nc0 + (size_t)k;
			any |= touched[x];
			part[PNL_DELTA] += cs[x][0];
			part[PNL_GAMMA] += cs[x][1];
			part[PNL_TOTAL] += cs[x][2];
		}
		if (any && rollup_add(&r->roll[LV_CURVE], m0->c[k].name, part, 0))
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	free(w);
	free(cs);
	free(touched);
	if (rc)
		return rc;
	/* new trades of D1's book */
	for (long k = 0; k < n1; k++) {
		struct val_trade_info t1;
		valuation_trade(r->d1.b, k, &t1);
		if (sidx_find(r->live0, t1.id, strlen(t1.id)) >= 0)
			continue; /* live on D0: done above */
		double fx1 = day_rate(&r->d1, t1.currency), v1 = t1.status == 0 ? t1.npv : 0;
		int64_t part[PNL_NPARTS] = {0};
		part[PNL_NEW] = part[PNL_TOTAL] = cents(v1 * fx1);
		long row = day_row(&r->d1, t1.id);
		if (emit(r, by_trade, tot, t1.id, t1.book, row >= 0 ? rtable_get(&r->d1.t, (size_t)row, TC_TRADER) : "",
			 t1.curve, CH_NEW, 0, part[PNL_NEW], part))
			return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	if (explain)
		for (int l = 0; l < LV_N; l++)
			if (rollup_write(explain, level_names[l], &r->roll[l], in->base))
				return qe_err_set(e, QE_INTERNAL, "out of memory");
	return 0;
}

int report_pnl(const struct report_pnl_in *in, csv_writer *by_trade, csv_writer *explain,
	       struct report_pnl_totals *tot, qe_err *e)
{
	struct pnl_run r;
	memset(&r, 0, sizeof r);
	memset(tot, 0, sizeof *tot);
	r.in = in;
	if (by_trade)
		csvw_header_of(by_trade, FMT_PNL);
	if (explain)
		csvw_header_of(explain, FMT_PNL_EXPLAIN);
	int rc = run(&r, by_trade, explain, tot, e);
	day_free(&r.d0);
	day_free(&r.d01);
	day_free(&r.d1);
	free(r.v_time);
	free(r.v_price);
	free(r.cash);
	sidx_free(r.live0);
	sidx_free(r.live1);
	free(r.c1_of);
	free(r.com);
	sidx_free(r.com_keys);
	for (int l = 0; l < LV_N; l++)
		rollup_free(&r.roll[l]);
	return rc;
}
