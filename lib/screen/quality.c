/*
 * quality: the market-data checks of qe-screen check --rules quality
 * (rules.h quality_market): stale, missing and jumping settlement prices
 * of the history, and missing fixings of the swap and Asian days already
 * fixed.  Thresholds from the SCREEN THRESHOLDS file (screen/params).
 * Owns nothing beyond a call; never prints.
 */
#include "screen/rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"
#include "core/strindex.h"
#include "market/curvemaster.h"
#include "time/calendar.h"
#include "screen/live.h"
#include "screen/params.h"
#include "screen/rtable.h"
#include "screen/settleidx.h"


enum {
	QT_ID, QT_VERSION, QT_STATUS, QT_INSTR, QT_CURVE, QT_CURVE2, QT_DSTART, QT_DEND, QT_AVG_START, QT_AVG_END,
	QT_NCOLS
};
static const char *const qtrade_cols[] = {
	"trade_id", "version", "status", "instrument", "curve", "curve2",
	"delivery_start", "delivery_end", "avg_start", "avg_end",
};
static const int qtrade_optional[QT_NCOLS] = {[QT_CURVE2] = 1, [QT_AVG_START] = 1, [QT_AVG_END] = 1};

typedef struct quality_ctx {
	const rules_inputs *in;
	curvemaster *m;
	breach_list *l;
	qe_err *e;
	settleidx hs;    /* history */
	size_t *order;   /* its rows up to as-of by curve, contract, date, one a date */
	size_t norder;
	strindex *due;   /* curve|YYYY-MM settled on the curve's day */
	strindex *dcurve; /* curves that settled on their day ... */
	long *lo, *hi;   /* ... with their first and last contract month */
	strindex *seen;  /* curve:month findings already made */
} quality_ctx;

/* A history row as the sort sees it. */
typedef struct hist_key {
	const char *curve, *contract, *date;
	size_t row;
} hist_key;

static int hist_cmp(const void *a, const void *b)
{
	const hist_key *x = a, *y = b;
	int r = strcmp(x->curve, y->curve);
	if (!r)
		r = strcmp(x->contract, y->contract);
	if (!r)
		r = strcmp(x->date, y->date);
	return r ? r : (x->row > y->row) - (x->row < y->row);
}

/* The day a curve's settlement is due for the as-of date: the last
 * business day of its calendar on or before it (the as-of date itself
 * when the curve has no calendar). */
static qe_date settle_day(const quality_ctx *q, const char *curve)
{
	const curvemaster_curve *c = curvemaster_find(q->m, curve);
	const qe_calendar *cal = c ? curvemaster_calendar(q->m, c) : NULL;
	return cal ? cal_preceding(cal, q->in->asof) : q->in->asof;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
	if (n > 1) /* a null base of no rows is undefined */
		qsort(v, n, sizeof *v, dbl_cmp);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Stale and jump checks of one series: rows order[a..b) (one curve and
 * contract, by date, one row per date), dated up to as-of. */
static int check_series(quality_ctx *q, size_t a, size_t b, double stale_days, double k, double window,
			double min_returns, double *scratch)
{
	const rtable *h = &q->hs.h;
	size_t last = q->order[b - 1];
	const char *curve = rtable_get(h, last, SX_CURVE), *contract = q->hs.contract[last];
	qe_date d, due = settle_day(q, curve);
	if (date_parse_z(rtable_get(h, last, SX_DATE), &d) || d != due)
		return 0; /* not settled on its day: the missing rule's business */
	char id[128];
	snprintf(id, sizeof id, "%s:%s", curve, contract);
	size_t run = 0;
	for (size_t j = b - 1; j > a && q->hs.price[q->order[j]] == q->hs.price[q->order[j - 1]]; j--)
		run++;
	if ((double)run > stale_days &&
	    breach_add(q->l, "quality", "stale", BREACH_WARNING, "curve", id, (double)run, stale_days, q->e,
		       "%s settled at %.10g unchanged for %zu days up to %s, more than %.0f", id,
		       q->hs.price[last], run, rtable_get(h, last, SX_DATE), stale_days))
		return q->e->code;
	/* returns: log when every price is positive, else differences */
	size_t n = b - a;
	if (n < 3 || (double)(n - 2) < min_returns)
		return 0;
	size_t from = (double)(n - 2) > window ? b - 1 - (size_t)window - 1 : a;
	int logret = 1;
	for (size_t j = from; j < b; j++)
		logret &= q->hs.price[q->order[j]] > 0;
	size_t m = 0;
	for (size_t j = from + 1; j < b; j++) {
		double x = q->hs.price[q->order[j - 1]], y = q->hs.price[q->order[j]];
		scratch[m++] = logret ? log(y / x) : y - x;
	}
	double today = scratch[--m]; /* the last return, tested against the ones before */
	double med = median_of(scratch, m);
	for (size_t j = 0; j < m; j++)
		scratch[j] = fabs(scratch[j] - med);
	double sigma = 1.4826 * median_of(scratch, m);
	if (!(sigma > 0))
		return 0; /* flat history: the stale rule speaks */
	double z = fabs(today - med) / sigma;
	if (z > k &&
	    breach_add(q->l, "quality", "jump", BREACH_WARNING, "curve", id, z, k, q->e,
		       "%s moved %.6g %s on %s, %.3g robust standard deviations (1.4826 MAD of %zu returns) "
		       "from their median, more than %g",
		       id, today, logret ? "in log" : "", rtable_get(h, last, SX_DATE), z, m, k))
		return q->e->code;
	return 0;
}

/* 1 when the history has curve's contract month on its day; *known set
 * when the curve settled at all that day (contracts lo..hi). */
static int has_contract(const quality_ctx *q, const char *curve, long month, int *known, long *lo, long *hi)
{
	long c = sidx_find(q->dcurve, curve, strlen(curve));
	*known = c >= 0;
	if (c < 0)
		return 0;
	*lo = q->lo[c];
	*hi = q->hi[c];
	char key[256];
	int y, mo;
	date_month_ym(month, &y, &mo);
	int len = snprintf(key, sizeof key, "%s|%04d-%02d", curve, y, mo);
	return sidx_find(q->due, key, (size_t)len) >= 0;
}

/* Indexes the contracts each curve settled on its day (order[0..norder)). */
static int index_due(quality_ctx *q)
{
	if (!(q->due = sidx_new()) || !(q->dcurve = sidx_new()) ||
	    !(q->lo = malloc((curvemaster_count(q->m) + 1) * sizeof *q->lo)) ||
	    !(q->hi = malloc((curvemaster_count(q->m) + 1) * sizeof *q->hi)))
		return qe_err_set(q->e, QE_INTERNAL, "out of memory");
	for (size_t j = 0; j < q->norder; j++) {
		size_t r = q->order[j];
		const char *curve = rtable_get(&q->hs.h, r, SX_CURVE), *contract = q->hs.contract[r];
		qe_date d;
		long idx;
		if (!curvemaster_find(q->m, curve) || date_parse_z(rtable_get(&q->hs.h, r, SX_DATE), &d) ||
		    d != settle_day(q, curve))
			continue;
		if (date_month_parse(contract, strlen(contract), &idx))
			continue; /* the spot index */
		char key[256];
		int len = snprintf(key, sizeof key, "%s|%s", curve, contract), fresh;
		long c = sidx_add(q->dcurve, curve, strlen(curve), &fresh);
		if (c < 0 || sidx_add(q->due, key, (size_t)len, NULL) < 0)
			return qe_err_set(q->e, QE_INTERNAL, "out of memory");
		if (fresh || idx < q->lo[c])
			q->lo[c] = idx;
		if (fresh || idx > q->hi[c])
			q->hi[c] = idx;
	}
	return 0;
}

/* A missing settlement for curve's month of a live trade: once per
 * curve and month (once per curve when it did not settle at all). */
static int missing_settlement(quality_ctx *q, const char *curve, long month, const char *tid)
{
	qe_date day = settle_day(q, curve);
	int known;
	long lo = 0, hi = 0;
	if (!curvemaster_find(q->m, curve) || has_contract(q, curve, month, &known, &lo, &hi))
		return 0; /* unknown curves: the unknown_curve rule */
	if (known && (month < lo || month > hi))
		return 0; /* delivered already, or beyond the history's longest tenor */
	char id[128], ds[16];
	int y, mo;
	date_month_ym(month, &y, &mo);
	date_format(ds, day);
	if (known)
		snprintf(id, sizeof id, "%s:%04d-%02d", curve, y, mo);
	else
		snprintf(id, sizeof id, "%s", curve);
	int fresh;
	if (sidx_add(q->seen, id, strlen(id), &fresh) < 0)
		return qe_err_set(q->e, QE_INTERNAL, "out of memory");
	if (!fresh)
		return 0;
	return breach_add(q->l, "quality", "missing_settlement", BREACH_BREACH, "curve", id, NAN, NAN, q->e,
			  known ? "%s has no settlement price on %s, between the curve's settled contracts "
				  "(first found for live trade %s)"
				: "%s has no settlement prices at all on %s (first found for live trade %s)",
			  id, ds, tid);
}

/* Business days of c's calendar in [a, min(b, asof)] without a fixing of
 * curve: one finding per trade with the count and the first. */
static int missing_fixings(quality_ctx *q, const strindex *fix, const char *curve, qe_date a, qe_date b,
			   const char *tid)
{
	const curvemaster_curve *c = curvemaster_find(q->m, curve);
	const qe_calendar *cal = c ? curvemaster_calendar(q->m, c) : NULL;
	if (!c)
		return 0;
	if (b > q->in->asof)
		b = q->in->asof;
	int n = 0, days = 0;
	char first[16] = "", ds[16], key[256];
	for (qe_date d = a; d <= b; d++) {
		if (cal ? !cal_is_business_day(cal, d) : date_weekday(d) >= 5)
			continue;
		days++;
		date_format(ds, d);
		int len = snprintf(key, sizeof key, "%s|%s", curve, ds);
		if (sidx_find(fix, key, (size_t)len) >= 0)
			continue;
		if (!n++)
			strcpy(first, ds);
	}
	if (!n)
		return 0;
	return breach_add(q->l, "quality", "missing_fixing", BREACH_BREACH, "trade", tid, n, 0, q->e,
			  "%s: %d of the %d fixed pricing days of %s have no fixing (first %s)", tid, n, days, curve,
			  first);
}

enum { QF_CURVE, QF_DATE, QF_NCOLS };
static const char *const qfix_cols[] = {"curve", "date"};

static int trades_checks(quality_ctx *q)
{
	rtable t = {0}, fx = {0};
	strindex *fix = NULL;
	size_t *live = NULL, nlive = 0;
	int rc;
	if (!q->in->trades)
		return 0;
	if ((rc = rtable_read(q->in->trades, qtrade_cols, qtrade_optional, QT_NCOLS, &t, q->e)) ||
	    (rc = live_versions(&t, QT_ID, QT_VERSION, QT_STATUS, &live, &nlive, NULL, NULL, q->e)))
		goto done;
	if (q->in->fixings) {
		if ((rc = rtable_read(q->in->fixings, qfix_cols, NULL, QF_NCOLS, &fx, q->e)))
			goto done;
		if (!(fix = sidx_new())) {
			rc = qe_err_set(q->e, QE_INTERNAL, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < fx.n; i++) {
			char key[256];
			int len = snprintf(key, sizeof key, "%s|%s", rtable_get(&fx, i, QF_CURVE), rtable_get(&fx, i, QF_DATE));
			if (sidx_add(fix, key, (size_t)len, NULL) < 0) {
				rc = qe_err_set(q->e, QE_INTERNAL, "out of memory");
				goto done;
			}
		}
	}
	for (size_t k = 0; k < nlive && !rc; k++) {
		size_t i = live[k];
		const char *tid = rtable_get(&t, i, QT_ID), *instr = rtable_get(&t, i, QT_INSTR);
		qe_date ds, de, as, ae;
		if (date_parse_z(rtable_get(&t, i, QT_DSTART), &ds) || date_parse_z(rtable_get(&t, i, QT_DEND), &de)) {
			rc = rtable_error(&t, i, QT_DSTART, q->e, "delivery dates YYYY-MM-DD needed");
			break;
		}
		if (q->due && strcmp(instr, "spot") != 0)
			for (int c = QT_CURVE; c <= QT_CURVE2 && !rc; c++) {
				const char *curve = rtable_get(&t, i, c);
				for (long mo = date_month_index(ds); *curve && mo <= date_month_index(de) && !rc; mo++)
					rc = missing_settlement(q, curve, mo, tid);
			}
		if (rc || !fix)
			continue;
		if (!strcmp(instr, "swap")) {
			rc = missing_fixings(q, fix, rtable_get(&t, i, QT_CURVE), ds, de, tid);
		} else if (!strcmp(instr, "asian")) {
			if (date_parse_z(rtable_get(&t, i, QT_AVG_START), &as))
				as = ds;
			if (date_parse_z(rtable_get(&t, i, QT_AVG_END), &ae))
				ae = de;
			rc = missing_fixings(q, fix, rtable_get(&t, i, QT_CURVE), as, ae, tid);
		}
	}
done:
	if (fix)
		sidx_free(fix);
	free(live);
	rtable_free(&t);
	rtable_free(&fx);
	return rc;
}

static int history_checks(quality_ctx *q, const screen_params *p)
{
	double stale_days, k, window, min_returns;
	int rc;
	if ((rc = params_get(p, "quality", "stale", "days", &stale_days, q->e)) ||
	    (rc = params_get(p, "quality", "jump", "k", &k, q->e)) ||
	    (rc = params_get(p, "quality", "jump", "window", &window, q->e)) ||
	    (rc = params_get(p, "quality", "jump", "min_returns", &min_returns, q->e)))
		return rc;
	if ((rc = settleidx_load(q->in->history, &q->hs, q->e)))
		return rc;
	q->order = malloc((q->hs.h.n + 1) * sizeof *q->order);
	double *scratch = malloc((q->hs.h.n + 1) * sizeof *scratch);
	if (!q->order || !scratch) {
		free(scratch);
		return qe_err_set(q->e, QE_INTERNAL, "out of memory");
	}
	size_t n = 0;
	char asof[16];
	date_format(asof, q->in->asof);
	for (size_t i = 0; i < q->hs.h.n; i++)
		if (strcmp(rtable_get(&q->hs.h, i, SX_DATE), asof) <= 0)
			q->order[n++] = i;
	hist_key *hk = rc ? NULL : malloc((n + 1) * sizeof *hk);
	if (!rc && !hk)
		rc = qe_err_set(q->e, QE_INTERNAL, "out of memory");
	if (!rc) {
		for (size_t j = 0; j < n; j++) {
			size_t r = q->order[j];
			hk[j] = (hist_key){rtable_get(&q->hs.h, r, SX_CURVE), q->hs.contract[r],
					   rtable_get(&q->hs.h, r, SX_DATE), r};
		}
		if (n > 1) /* a null base of no rows is undefined */
			qsort(hk, n, sizeof *hk, hist_cmp);
		/* one row per curve, contract and date (tenors share contracts) */
		size_t u = 0;
		for (size_t j = 0; j < n; j++) {
			if (u && !strcmp(hk[u - 1].curve, hk[j].curve) && !strcmp(hk[u - 1].contract, hk[j].contract) &&
			    !strcmp(hk[u - 1].date, hk[j].date))
				continue;
			hk[u++] = hk[j];
		}
		for (size_t j = 0; j < u; j++)
			q->order[j] = hk[j].row;
		q->norder = u;
		for (size_t a = 0; a < u && !rc;) {
			size_t b = a + 1;
			while (b < u && !strcmp(hk[b].curve, hk[a].curve) && !strcmp(hk[b].contract, hk[a].contract))
				b++;
			rc = check_series(q, a, b, stale_days, k, window, min_returns, scratch);
			a = b;
		}
		if (!rc)
			rc = index_due(q);
	}
	free(hk);
	free(scratch);
	return rc;
}

int quality_market(const rules_inputs *in, breach_list *l, qe_err *e)
{
	quality_ctx q = {.in = in, .l = l, .e = e};
	screen_params p = {0};
	int rc;
	if (!in->markets)
		return qe_err_set(e, QE_USAGE, "rule set quality: needs the markets file");
	if (!(q.m = curvemaster_load(in->markets, e)) || curvemaster_load_calendars(q.m, in->calendars, e) ||
	    !(q.seen = sidx_new())) {
		rc = q.m && !q.seen ? qe_err_set(e, QE_INTERNAL, "out of memory") : e->code;
		goto done;
	}
	if (in->history && ((rc = params_read(in->thresholds, "rule set quality", &p, e)) ||
			    (rc = history_checks(&q, &p))))
		goto done;
	rc = trades_checks(&q);
done:
	params_free(&p);
	settleidx_free(&q.hs);
	free(q.order);
	free(q.lo);
	free(q.hi);
	if (q.due)
		sidx_free(q.due);
	if (q.dcurve)
		sidx_free(q.dcurve);
	if (q.seen)
		sidx_free(q.seen);
	curvemaster_free(q.m);
	return rc;
}
