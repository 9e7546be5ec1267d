/* margin: a SPAN-style initial margin estimate per account (margin.h). */
#include "settle/margin.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strindex.h"
#include "io/csvio.h"
#include "io/formats.h"
#include "market/market.h"
#include "price/black76.h"
#include "settle/book.h"

/* The 16 scenarios: price move in scans, vol direction, extreme (the
 * move is extreme_move scans and extreme_cover of the loss counts). */
static const struct {
	double frac;
	int vol, extreme;
} scen[MARGIN_NSCEN] = {
	{0, 1, 0},           {0, -1, 0},           {1.0 / 3, 1, 0},  {1.0 / 3, -1, 0},
	{-1.0 / 3, 1, 0},    {-1.0 / 3, -1, 0},    {2.0 / 3, 1, 0},  {2.0 / 3, -1, 0},
	{-2.0 / 3, 1, 0},    {-2.0 / 3, -1, 0},    {1, 1, 0},        {1, -1, 0},
	{-1, 1, 0},          {-1, -1, 0},          {1, 0, 1},        {-1, 0, 1},
};

/* A row of the scan ranges file. */
typedef struct span_range {
	char curve[32];
	double price_scan, vol_scan, extreme_move, extreme_cover, spread_charge, short_option_min;
	long line;
	int col_scan;
} span_range;

typedef struct ranges {
	span_range *v;
	size_t n;
	const char *file;
} ranges;

static const span_range *ranges_find(const ranges *r, const char *curve)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].curve, curve) == 0)
			return &r->v[i];
	return NULL;
}

static int ranges_load(ranges *rg, const char *path, const curvemaster *cm, qe_err *e)
{
	static const char *const cols[] = {"curve",         "price_scan",    "vol_scan",
					   "extreme_move",  "extreme_cover", "spread_charge",
					   "short_option_min"};
	/* bounds of the numbers, in the order of cols[1..] */
	static const double lo[] = {0, 0, 0, 0, 0, 0}, hi[] = {1e12, 0.99, 10, 1, 1e12, 1e12};
	int ix[7], st, rc = 0;
	csv_reader *r = csvr_open(path, e);
	rg->file = path;
	if (!r)
		return e->code;
	if (csvr_require(r, cols, 7, ix, e)) {
		csvr_close(r);
		return e->code;
	}
	while (!rc && (st = csvr_next(r, e)) == CSVR_ROW) {
		span_range x;
		size_t len;
		const char *name = csvr_field(r, ix[0], &len);
		memset(&x, 0, sizeof x);
		if (!curvemaster_find(cm, name) || len >= sizeof x.curve) {
			rc = csvr_field_error(r, ix[0], e, "'%s' is not in %s", name,
					      curvemaster_file(cm));
			break;
		}
		if (ranges_find(rg, name)) {
			rc = csvr_field_error(r, ix[0], e, "'%s' given twice", name);
			break;
		}
		memcpy(x.curve, name, len + 1);
		double *num[] = {&x.price_scan, &x.vol_scan, &x.extreme_move, &x.extreme_cover,
				 &x.spread_charge, &x.short_option_min};
		for (int k = 0; !rc && k < 6; k++) {
			if ((rc = csvr_get_double(r, ix[k + 1], num[k], e)))
				break;
			const char *s = csvr_field(r, ix[k + 1], NULL);
			if (k == 0 && !(*num[k] > 0 && *num[k] <= hi[k]))
				rc = csvr_field_error(r, ix[k + 1], e, "must be above 0 and at most %g, not %s",
						      hi[k], s);
			else if (!(*num[k] >= lo[k] && *num[k] <= hi[k]))
				rc = csvr_field_error(r, ix[k + 1], e, "must be %g..%g, not %s", lo[k], hi[k], s);
		}
		if (rc)
			break;
		x.line = csvr_line(r);
		x.col_scan = ix[1] + 1;
		span_range *v = realloc(rg->v, (rg->n + 1) * sizeof *v);
		if (!v) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			break;
		}
		rg->v = v;
		rg->v[rg->n++] = x;
	}
	if (!rc && (st == CSVR_BADROW || st == CSVR_FATAL))
		rc = e->code;
	csvr_close(r);
	return rc;
}

/* A scanned position: its value per commodity unit is the forward
 * (future) or the option's price. */
typedef struct position {
	int opt_type, normal;
	double F, K, vol, r, T;
	double units;     /* commodity units, signed: + long */
	double contracts; /* lots or MW, signed */
} position;

static int position_value(const position *p, double F, double volmul, double *v, double *delta,
			  const char **why)
{
	if (!p->opt_type) {
		*v = F;
		*delta = 1;
		return 0;
	}
	opt_greeks g;
	int rc = (p->normal ? bachelier : black76)(p->opt_type, F, p->K, p->vol * volmul, p->r, p->T,
						   &g, why);
	*v = g.price;
	*delta = g.delta;
	return rc;
}

/* A contract month's net delta of a group (for the spread charge). */
typedef struct month_delta {
	long group, month;
	double delta;
} month_delta;

static int month_delta_cmp(const void *a, const void *b)
{
	const month_delta *x = a, *y = b;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->month < y->month ? -1 : x->month > y->month;
}

static int curve_cmp(const void *a, const void *b)
{
	const margin_curve *x = a, *y = b;
	int r;
	if ((r = strcmp(x->account, y->account)) || (r = strcmp(x->ccy, y->ccy)))
		return r;
	return strcmp(x->curve, y->curve);
}

typedef struct mctx {
	const struct margin_options *o;
	market *m;
	ranges rg;
	settle_book b;
	strindex *groups;
	margin_result *out;
	month_delta *md; /* one per scanned position: as many as the book's trades */
	size_t nmd;
} mctx;

/* The group (account x curve) of t, created on first use: its index or -1. */
static long group_of(mctx *c, const settle_trade *t, const span_range *sr, qe_err *e)
{
	char key[160];
	int added, n = snprintf(key, sizeof key, "%s\x1f%s", t->book, t->curve);
	long k = sidx_add(c->groups, key, (size_t)n, &added);
	if (k < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory"), -1;
	if (!added)
		return k;
	margin_result *r = c->out;
	margin_curve *v = realloc(r->curves, (r->ncurves + 1) * sizeof *v);
	if (!v)
		return qe_err_set(e, QE_INTERNAL, "out of memory"), -1;
	r->curves = v;
	margin_curve *g = &v[r->ncurves++];
	memset(g, 0, sizeof *g);
	snprintf(g->account, sizeof g->account, "%s", t->book);
	snprintf(g->curve, sizeof g->curve, "%s", t->curve);
	memcpy(g->ccy, t->ccy, 4);
	for (int s = 0; s < MARGIN_NSCEN; s++) {
		double moves = scen[s].extreme ? scen[s].frac * sr->extreme_move : scen[s].frac;
		g->price_move[s] = moves * sr->price_scan;
		g->vol_move[s] = scen[s].vol * sr->vol_scan;
		g->cover[s] = scen[s].extreme ? sr->extreme_cover : 1.0;
	}
	return k;
}

static int trade_error(const mctx *c, const settle_trade *t, int col, qe_err *e, const char *what)
{
	return qe_err_set(e, QE_DATA, "%s:%ld:%d: trade %s: %s", c->b.path, t->line, col, t->id, what);
}

/* One live trade's scan, worked out on its own (in parallel): st 0
 * scanned (the loss terms of its group's 16 scenarios, its contracts and
 * delta), 1 not scanned, 2 an error (e). */
typedef struct scan_row {
	int st;
	const span_range *sr;
	double term[MARGIN_NSCEN], contracts, d0;
	qe_err e;
} scan_row;

static void scan_work(const mctx *c, const settle_trade *t, scan_row *w)
{
	const struct margin_options *o = c->o;
	qe_err *e = &w->e;
	int fut = t->instr == SETTLE_I_FUTURE, opt = t->instr == SETTLE_I_OPTION;
	w->st = 1;
	if (!fut && !opt)
		return;
	const span_range *sr = ranges_find(&c->rg, t->curve);
	if (!sr || (fut && t->ds <= o->asof) || (opt && t->expiry <= o->asof))
		return;
	w->st = 2;
	w->sr = sr;
	const mkt_curve *mc = mkt_curve_find(c->m, t->curve);
	const curvemaster_curve *cv = curvemaster_find(c->m->master, t->curve);
	char buf[300], day[16];
	int q = mc ? mkt_quote_at(mc, t->ds) : -1;
	if (!cv || q < 0) {
		date_format(day, t->ds);
		snprintf(buf, sizeof buf, "no forward of %s for %s in %s", t->curve, day, o->curves);
		trade_error(c, t, t->col_curve, e, buf);
		return;
	}
	position p = {.F = mc->q[q].price};
	double units;
	if (settle_trade_volume(t, cv, t->ds, t->de, c->b.path, &units, e))
		return;
	p.units = units * t->side;
	/* the canonical row gives lots in commodity units, or MW (hourly) */
	p.contracts = t->qty / cv->lot_size * t->side;
	if (opt) {
		double df, zero;
		p.opt_type = t->opt_type;
		p.normal = strcmp(mc->model, "bachelier") == 0;
		p.K = t->strike;
		p.T = date_yf_act365(o->asof, t->expiry);
		if (mkt_vol(mc, t->ds, p.K, p.normal, &p.vol)) {
			date_format(day, t->ds);
			snprintf(buf, sizeof buf, "no %s vol of %s for %s at strike %g in %s",
				 p.normal ? "normal" : "lognormal", t->curve, day, p.K, o->vols);
			trade_error(c, t, t->col_curve, e, buf);
			return;
		}
		if (mkt_discount(c->m, t->ccy, t->expiry, &df, &zero)) {
			snprintf(buf, sizeof buf, "no %s rates in %s", t->ccy, o->rates);
			trade_error(c, t, t->col_ccy, e, buf);
			return;
		}
		p.r = zero;
	}
	const char *why = NULL;
	double v0, d0;
	if (position_value(&p, p.F, 1.0, &v0, &d0, &why)) {
		trade_error(c, t, t->col_strike, e, why);
		return;
	}
	for (int s = 0; s < MARGIN_NSCEN; s++) {
		/* the group's moves and cover (group_of), from the trade's range */
		double moves = scen[s].extreme ? scen[s].frac * sr->extreme_move : scen[s].frac;
		double price_move = moves * sr->price_scan, vol_move = scen[s].vol * sr->vol_scan;
		double cover = scen[s].extreme ? sr->extreme_cover : 1.0;
		double v, d, F = p.F + price_move;
		if (!p.normal && F <= 0) {
			qe_err_set(e, QE_DATA,
				   "%s:%ld:%d: the scan of %s moves the forward %g of trade %s "
				   "to %g, not above zero",
				   c->rg.file, sr->line, sr->col_scan, t->curve, p.F, t->id, F);
			return;
		}
		if (position_value(&p, F, 1.0 + vol_move, &v, &d, &why)) {
			trade_error(c, t, t->col_strike, e, why);
			return;
		}
		w->term[s] = -p.units * (v - v0) * cover;
	}
	w->contracts = p.contracts;
	w->d0 = d0;
	w->st = 0;
}

/* Adds the scan w of live trade t to its group (in book order, so the
 * sums are those of one pass). */
static int scan_add(mctx *c, const settle_trade *t, const scan_row *w, qe_err *e)
{
	if (w->st == 1) {
		c->out->skipped++;
		return 0;
	}
	if (w->st == 2) {
		*e = w->e;
		return e->code;
	}
	const span_range *sr = w->sr;
	long k = group_of(c, t, sr, e);
	if (k < 0)
		return e->code;
	margin_curve *g = &c->out->curves[k];
	for (int s = 0; s < MARGIN_NSCEN; s++)
		g->loss[s] += w->term[s];
	g->positions++;
	c->out->positions++;
	if (t->instr == SETTLE_I_OPTION && t->side < 0)
		g->short_option_min += -w->contracts * sr->short_option_min;
	int y, mo, dd;
	date_to_ymd(t->ds, &y, &mo, &dd);
	c->md[c->nmd++] = (month_delta){k, date_month_index_ym(y, mo), w->contracts * w->d0};
	return 0;
}

/* The spread charges of the groups from the month deltas. */
static void spread_charges(mctx *c)
{
	if (c->nmd > 1) /* a null base of no rows is undefined */
		qsort(c->md, c->nmd, sizeof *c->md, month_delta_cmp);
	for (size_t i = 0; i < c->nmd;) {
		long k = c->md[i].group;
		double lng = 0, sht = 0;
		while (i < c->nmd && c->md[i].group == k) {
			long mo = c->md[i].month;
			double net = 0;
			for (; i < c->nmd && c->md[i].group == k && c->md[i].month == mo; i++)
				net += c->md[i].delta;
			if (net > 0)
				lng += net;
			else
				sht -= net;
		}
		margin_curve *g = &c->out->curves[k];
		const span_range *sr = ranges_find(&c->rg, g->curve);
		g->spread_charge = (lng < sht ? lng : sht) * sr->spread_charge;
	}
}

static int accounts(margin_result *r, qe_err *e)
{
	if (r->ncurves > 1) /* a null base of no rows is undefined */
		qsort(r->curves, r->ncurves, sizeof *r->curves, curve_cmp);
	for (size_t i = 0; i < r->ncurves; i++) {
		margin_curve *g = &r->curves[i];
		g->scan_risk = 0;
		for (int s = 0; s < MARGIN_NSCEN; s++)
			if (g->loss[s] > g->scan_risk)
				g->scan_risk = g->loss[s];
		margin_account *a = r->naccounts ? &r->accounts[r->naccounts - 1] : NULL;
		if (!a || strcmp(a->account, g->account) || strcmp(a->ccy, g->ccy)) {
			a = realloc(r->accounts, (r->naccounts + 1) * sizeof *a);
			if (!a)
				return qe_err_set(e, QE_INTERNAL, "out of memory");
			r->accounts = a;
			a = &a[r->naccounts++];
			memset(a, 0, sizeof *a);
			memcpy(a->account, g->account, sizeof a->account);
			memcpy(a->ccy, g->ccy, sizeof a->ccy);
		}
		a->scan_risk += g->scan_risk;
		a->spread_charge += g->spread_charge;
		a->short_option_min += g->short_option_min;
	}
	for (size_t i = 0; i < r->naccounts; i++) {
		margin_account *a = &r->accounts[i];
		double m = a->scan_risk + a->spread_charge;
		a->margin = m > a->short_option_min ? m : a->short_option_min;
	}
	return 0;
}

int margin_compute(const struct margin_options *o, margin_result *out, qe_err *e)
{
	mctx c = {.o = o, .out = out};
	struct mkt_paths mp = {.markets = o->markets, .curves = o->curves, .vols = o->vols,
			       .rates = o->rates, .calendars = o->calendars};
	int rc = 0;
	memset(out, 0, sizeof *out);
	qe_err_clear(e);
	if (!(c.m = mkt_load(&mp, o->asof, e)))
		return e->code ? e->code : QE_INTERNAL;
	if (!c.m->master)
		rc = qe_err_set(e, QE_DATA, "%s: no curve master", o->markets);
	else if (ranges_load(&c.rg, o->ranges, c.m->master, e) ||
		 settle_book_load(&c.b, o->trades, o->markets, e))
		rc = e->code ? e->code : QE_INTERNAL;
	else if (!(c.groups = sidx_new()) || !(c.md = malloc((c.b.n + 1) * sizeof *c.md)))
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	/* the scans in parallel chunks, added to their groups in book order */
	enum { CHUNK = 4096 };
	scan_row *w = rc ? NULL : malloc(sizeof *w * CHUNK);
	if (!rc && !w)
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t i0 = 0; !rc && i0 < c.b.n; i0 += CHUNK) {
		long n = (long)(c.b.n - i0 < CHUNK ? c.b.n - i0 : CHUNK);
#pragma omp parallel for schedule(dynamic, 64)
		for (long k = 0; k < n; k++)
			if (!c.b.v[i0 + (size_t)k].cancel)
				scan_work(&c, &c.b.v[i0 + (size_t)k], &w[k]);
		for (long k = 0; !rc && k < n; k++)
			if (!c.b.v[i0 + (size_t)k].cancel)
				rc = scan_add(&c, &c.b.v[i0 + (size_t)k], &w[k], e);
	}
	free(w);
	if (!rc) {
		spread_charges(&c);
		rc = accounts(out, e);
	}
	if (c.groups)
		sidx_free(c.groups);
	free(c.md);
	free(c.rg.v);
	settle_book_free(&c.b);
	mkt_free(c.m);
	if (rc)
		margin_free(out);
	return rc;
}

void margin_free(margin_result *r)
{
	free(r->curves);
	free(r->accounts);
	memset(r, 0, sizeof *r);
}

void margin_write(FILE *fp, const margin_result *r)
{
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_MARGIN);
	for (size_t i = 0; i < r->naccounts; i++) {
		const margin_account *a = &r->accounts[i];
		csvw_str(&w, a->account);
		csvw_str(&w, a->ccy);
		csvw_double(&w, a->scan_risk);
		csvw_double(&w, a->spread_charge);
		csvw_double(&w, a->short_option_min);
		csvw_double(&w, a->margin);
		csvw_end(&w);
	}
}

void margin_write_scenarios(FILE *fp, const margin_result *r)
{
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_MARGIN_SCENARIOS);
	for (size_t i = 0; i < r->ncurves; i++) {
		const margin_curve *g = &r->curves[i];
		for (int s = 0; s < MARGIN_NSCEN; s++) {
			csvw_str(&w, g->account);
			csvw_str(&w, g->ccy);
			csvw_str(&w, g->curve);
			csvw_int(&w, s + 1);
			csvw_double(&w, g->price_move[s]);
			csvw_double(&w, g->vol_move[s]);
			csvw_double(&w, g->cover[s]);
			csvw_double(&w, g->loss[s]);
			csvw_end(&w);
		}
	}
}
