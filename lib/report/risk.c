#include "report/risk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strindex.h"
#include "io/formats.h"
#include "market/fxrate.h"
#include "screen/rtable.h"

typedef struct out {
	csv_writer *w;
	long rows;
} out;

static void row(out *o, const char *section, const char *portfolio, const char *item, double value,
		double limit, const char *ccy, const char *status)
{
	csv_writer *w = o->w;
	csvw_str(w, section);
	csvw_str(w, portfolio);
	csvw_str(w, item);
	if (isnan(value))
		csvw_empty(w);
	else
		csvw_double(w, value);
	if (isnan(limit)) {
		csvw_empty(w);
		csvw_empty(w);
	} else {
		csvw_double(w, limit);
		csvw_double(w, value / limit);
	}
	csvw_str(w, ccy);
	csvw_str(w, status);
	csvw_end(w);
	o->rows++;
}

typedef struct fx {
	strindex *ccys;
	double *rate;
} fx;

/* amount in from, in to; -1 when no rate. */
static int fx_to(const fx *f, double amount, const char *from, const char *to, double *res)
{
	if (strcmp(from, to) == 0) {
		*res = amount;
		return 0;
	}
	long a = f->ccys ? sidx_find(f->ccys, from, strlen(from)) : -1;
	long b = f->ccys ? sidx_find(f->ccys, to, strlen(to)) : -1;
	if (a < 0 || b < 0)
		return -1;
	*res = amount * f->rate[a] / f->rate[b];
	return 0;
}

enum { V_PORT, V_METHOD, V_ALPHA, V_HORIZON, V_VAR, V_ES, V_CCY, V_NCOLS };
enum { LI_ID, LI_TYPE, LI_SCOPE, LI_KEY, LI_METRIC, LI_LIMIT, LI_UNIT, LI_NCOLS };

/* The VaR limit row for portfolio port at metric, or -1. */
static long var_limit(const rtable *l, const char *port, const char *metric)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(rtable_get(l, i, LI_TYPE), "var") != 0 || strcmp(rtable_get(l, i, LI_METRIC), metric) != 0)
			continue;
		const char *scope = rtable_get(l, i, LI_SCOPE), *key = rtable_get(l, i, LI_KEY);
		if ((strcmp(scope, "book") == 0 && strcmp(key, port) == 0) ||
		    (strcmp(scope, "firm") == 0 && strcmp(port, "total") == 0))
			return (long)i;
	}
	return -1;
}

static int var_section(const struct report_risk_in *in, const rtable *lim, const fx *f, out *o,
		       long *breaches, qe_err *e)
{
	static const char *const cols[V_NCOLS] = {"portfolio", "method", "alpha", "horizon", "var", "es",
						  "currency"};
	rtable v;
	int rc = rtable_read(in->var, cols, NULL, V_NCOLS, &v, e);
	const char *method = in->method ? in->method : "hs";
	for (size_t i = 0; i < v.n && !rc; i++) {
		if (strcmp(rtable_get(&v, i, V_METHOD), method) != 0)
			continue;
		double alpha, var, es;
		if ((rc = rtable_num(&v, i, V_ALPHA, 0, &alpha, e)) || (rc = rtable_num(&v, i, V_VAR, 0, &var, e)) ||
		    (rc = rtable_num(&v, i, V_ES, 1, &es, e)))
			break;
		if (!(alpha > 0 && alpha < 1)) {
			rc = rtable_error(&v, i, V_ALPHA, e, "confidence %g is not in (0, 1)", alpha);
			break;
		}
		const char *port = rtable_get(&v, i, V_PORT), *ccy = rtable_get(&v, i, V_CCY);
		const char *hz = rtable_get(&v, i, V_HORIZON);
		char vitem[64], eitem[64];
		char pp[24]; /* 99, 97.5: the metric names of the limits file */
		snprintf(pp, sizeof pp, "%.10g", alpha * 100);
		snprintf(vitem, sizeof vitem, "var_%s_%s", pp, hz);
		snprintf(eitem, sizeof eitem, "es_%s_%s", pp, hz);
		double limit = NAN;
		const char *status = "no limit";
		long k = lim ? var_limit(lim, port, vitem) : -1;
		if (k >= 0) {
			double lv;
			if ((rc = rtable_num(lim, (size_t)k, LI_LIMIT, 0, &lv, e)))
				break;
			const char *unit = rtable_get(lim, (size_t)k, LI_UNIT);
			double conv;
			if (strcmp(unit, ccy) != 0 && fx_to(f, lv, unit, ccy, &conv)) {
				status = "no FX rate";
			} else {
				limit = strcmp(unit, ccy) == 0 ? lv : conv;
				status = var > limit ? "breach" : "ok";
				if (var > limit)
					++*breaches;
			}
		}
		row(o, "var", port, vitem, var, limit, ccy, status);
		if (!isnan(es))
			row(o, "es", port, eitem, es, NAN, ccy, "");
	}
	rtable_free(&v);
	return rc;
}

static int stress_section(const char *path, out *o, qe_err *e)
{
	static const char *const cols[] = {"portfolio", "scenario", "pnl"};
	rtable s;
	int rc = rtable_read(path, cols, NULL, 3, &s, e);
	for (size_t i = 0; i < s.n && !rc; i++) {
		double pnl;
		if (!(rc = rtable_num(&s, i, 2, 0, &pnl, e))) {
			const char *p = rtable_get(&s, i, 0), *slash = strchr(p, '/');
			char port[256];
			snprintf(port, sizeof port, "%.*s", slash ? (int)(slash - p) : (int)strlen(p), p);
			row(o, "stress", port, rtable_get(&s, i, 1), pnl, NAN, slash ? slash + 1 : "",
			    pnl < 0 ? "loss" : "gain");
		}
	}
	rtable_free(&s);
	return rc;
}

static int backtest_section(const char *path, out *o, qe_err *e)
{
	static const char *const cols[] = {"observations", "exceptions", "expected", "alpha", "zone"};
	rtable b;
	int rc = rtable_read(path, cols, NULL, 5, &b, e);
	for (size_t i = 0; i < b.n && !rc; i++) {
		double n, x, ex, alpha;
		if ((rc = rtable_num(&b, i, 0, 0, &n, e)) || (rc = rtable_num(&b, i, 1, 0, &x, e)) ||
		    (rc = rtable_num(&b, i, 2, 0, &ex, e)) || (rc = rtable_num(&b, i, 3, 0, &alpha, e)))
			break;
		char item[64];
		snprintf(item, sizeof item, "exceptions_%.10g_of_%.0f", alpha * 100, n);
		row(o, "backtest", "total", item, x, ex, "", rtable_get(&b, i, 4));
	}
	rtable_free(&b);
	return rc;
}

static int pla_section(const char *path, out *o, qe_err *e)
{
	static const char *const cols[] = {"portfolio", "spearman", "ks", "zone"};
	rtable p;
	int rc = rtable_read(path, cols, NULL, 4, &p, e);
	for (size_t i = 0; i < p.n && !rc; i++) {
		double sp, ks;
		if ((rc = rtable_num(&p, i, 1, 0, &sp, e)) || (rc = rtable_num(&p, i, 2, 0, &ks, e)))
			break;
		row(o, "pla", rtable_get(&p, i, 0), "spearman", sp, NAN, "", rtable_get(&p, i, 3));
		row(o, "pla", rtable_get(&p, i, 0), "ks", ks, NAN, "", rtable_get(&p, i, 3));
	}
	rtable_free(&p);
	return rc;
}

typedef struct contrib {
	size_t row;
	double comp, var;
} contrib;

static int cmp_contrib(const void *a, const void *b)
{
	const contrib *x = a, *y = b;
	double ax = fabs(x->comp), ay = fabs(y->comp);
	if (ax != ay)
		return ax < ay ? 1 : -1;
	return (x->row > y->row) - (x->row < y->row);
}

/* The top contributors among the component rows of the highest
 * confidence, level "factor" (risk factors) or "group" (books). */
static int components_section(const char *path, int top, out *o, qe_err *e)
{
	static const char *const cols[] = {"portfolio", "level", "name", "alpha", "var", "component", "currency"};
	rtable c;
	int rc = rtable_read(path, cols, NULL, 7, &c, e);
	double amax = -1;
	for (size_t i = 0; i < c.n && !rc; i++) {
		double a;
		if (!(rc = rtable_num(&c, i, 3, 0, &a, e)) && a > amax)
			amax = a;
	}
	contrib *v = rc ? NULL : malloc((c.n ? c.n : 1) * sizeof *v);
	if (!rc && !v)
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	static const char *const levels[] = {"group", "factor"};
	for (int lv = 0; lv < 2 && !rc; lv++) {
		size_t n = 0;
		for (size_t i = 0; i < c.n && !rc; i++) {
			double a;
			if (strcmp(rtable_get(&c, i, 1), levels[lv]) != 0 || (rc = rtable_num(&c, i, 3, 0, &a, e)) ||
			    a != amax)
				continue;
			v[n].row = i;
			if (!(rc = rtable_num(&c, i, 5, 0, &v[n].comp, e)) && !(rc = rtable_num(&c, i, 4, 0, &v[n].var, e)))
				n++;
		}
		qsort(v, n, sizeof *v, cmp_contrib);
		for (size_t k = 0; k < n && (int)k < top && !rc; k++) {
			char item[300], share[32];
			snprintf(item, sizeof item, "%s:%s", levels[lv], rtable_get(&c, v[k].row, 2));
			snprintf(share, sizeof share, "%.1f%% of VaR", v[k].var != 0 ? 100 * v[k].comp / v[k].var : 0.0);
			row(o, "component", rtable_get(&c, v[k].row, 0), item, v[k].comp, NAN,
			    rtable_get(&c, v[k].row, 6), share);
		}
	}
	free(v);
	rtable_free(&c);
	return rc;
}

int report_risk(const struct report_risk_in *in, csv_writer *w, long *rows, long *breaches, qe_err *e)
{
	static const char *const lcols[LI_NCOLS] = {"limit_id", "type", "scope", "key", "metric", "limit", "unit"};
	rtable lim;
	fx f = {0};
	int have_lim = 0, rc = 0;
	out o = {w, 0};
	*breaches = 0;
	if (in->limits) {
		if ((rc = rtable_read(in->limits, lcols, NULL, LI_NCOLS, &lim, e)))
			return rc;
		have_lim = 1;
	}
	if (in->fx) {
		if (!(f.ccys = sidx_new()))
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		else
			rc = fx_rates_read(in->fx, NULL, f.ccys, &f.rate, e);
	}
	if (!rc) {
		csvw_header_of(w, FMT_RISK_REPORT);
		rc = var_section(in, have_lim ? &lim : NULL, &f, &o, breaches, e);
	}
	if (!rc && in->stress)
		rc = stress_section(in->stress, &o, e);
	if (!rc && in->backtest)
		rc = backtest_section(in->backtest, &o, e);
	if (!rc && in->pla)
		rc = pla_section(in->pla, &o, e);
	if (!rc && in->components)
		rc = components_section(in->components, in->top > 0 ? in->top : 5, &o, e);
	*rows = o.rows;
	if (f.ccys)
		sidx_free(f.ccys);
	free(f.rate);
	if (have_lim)
		rtable_free(&lim);
	return rc;
}
