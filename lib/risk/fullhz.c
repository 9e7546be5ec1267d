#include "risk/fullhz.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market/curvemaster.h"
#include "market/market.h"
#include "time/calendar.h"

static int oom(qe_err *e)
{
	return qe_err_set(e, QE_INTERNAL, "out of memory");
}

/* The date of trade i: days business days on from today on its curve's
 * calendar, or its expiry when that comes first. */
static int trade_date(const val_book *b, long i, int days, qe_date *d, qe_err *e)
{
	const market *m = valuation_market(b);
	struct val_trade_info t;
	valuation_trade(b, i, &t);
	*d = m->asof;
	if (t.status != 0)
		return 0;
	const mkt_curve *c = mkt_curve_find(m, t.curve);
	if (!c || !c->cal)
		return qe_err_set(e, QE_DATA, "trade %s: curve %s has no business-day calendar to move %d days on",
				  t.id, t.curve, days);
	*d = cal_add_business_days(c->cal, m->asof, days);
	/* an option is priced at the latest on its expiry day, and on the
	 * day before its delivery ends (an Asian expiring on its last
	 * averaging day), the last day qe-price can price it */
	if (t.has_expiry && t.expiry < *d)
		*d = t.expiry;
	if (t.has_expiry && t.delivery_end - 1 < *d)
		*d = t.delivery_end - 1;
	/* a linear trade is valued on the last day it is alive, not at zero
	 * once it has settled: its P&L to the horizon is then that of the
	 * cash it settles for (at the scenario's prices, undiscounted over
	 * the few days), as a future's variation margin or a swap's
	 * settlement would pay it.  A future lives until its delivery starts
	 * (one in delivery, and every other linear trade, until the day
	 * before its delivery ends) */
	if (!t.has_expiry) {
		qe_date last = t.model && strcmp(t.model, "future") == 0 && t.delivery_start > m->asof
				       ? t.delivery_start - 1
				       : t.delivery_end - 1;
		if (last < *d)
			*d = last;
	}
	if (*d < m->asof)
		*d = m->asof;
	return 0;
}

static int cmp_date(const void *a, const void *b)
{
	qe_date x = *(const qe_date *)a, y = *(const qe_date *)b;
	return (x > y) - (x < y);
}

static long date_index(const fullhz *z, qe_date d)
{
	const qe_date *p = bsearch(&d, z->date, (size_t)z->nd, sizeof *z->date, cmp_date);
	return p ? (long)(p - z->date) : -1;
}

/* The fixing arrays: the file's fixings up to today, then one slot for
 * every day after it up to z->last (set per scenario). */
static int alloc_fixings(fullhz *z, const market *m, qe_err *e)
{
	z->nc = m->nc;
	size_t nc = (size_t)m->nc + 1;
	if (!(z->fd = calloc(nc, sizeof *z->fd)) || !(z->fp = calloc(nc, sizeof *z->fp)) ||
	    !(z->nbase = calloc(nc, sizeof *z->nbase)))
		return oom(e);
	size_t extra = (size_t)(z->last - z->today);
	for (int c = 0; c < m->nc; c++) {
		const mkt_curve *cv = &m->c[c];
		int nb = 0;
		while (nb < cv->nfix && cv->fix_date[nb] <= z->today)
			nb++;
		z->nbase[c] = nb;
		if (!(z->fd[c] = malloc(sizeof **z->fd * ((size_t)nb + extra + 1))) ||
		    !(z->fp[c] = malloc(sizeof **z->fp * ((size_t)nb + extra + 1))))
			return oom(e);
		if (nb) {
			memcpy(z->fd[c], cv->fix_date, sizeof **z->fd * (size_t)nb);
			memcpy(z->fp[c], cv->fix_price, sizeof **z->fp * (size_t)nb);
		}
	}
	return 0;
}

int fullhz_init(fullhz *z, const val_book *b, int days, qe_err *e)
{
	const market *m = valuation_market(b);
	long n = valuation_count(b);
	qe_date *td = NULL;
	long *cnt = NULL;
	int rc = 0;
	memset(z, 0, sizeof *z);
	z->days = days;
	z->today = z->last = m->asof;
	if (days < 1)
		return qe_err_set(e, QE_USAGE, "horizon %d is not a positive number of days", days);
	if (!(td = malloc(sizeof *td * ((size_t)n + 1))) || !(z->date = malloc(sizeof *z->date * ((size_t)n + 1))) ||
	    !(z->order = malloc(sizeof *z->order * ((size_t)n + 1)))) {
		rc = oom(e);
		goto out;
	}
	for (long i = 0; i < n; i++) {
		if ((rc = trade_date(b, i, days, &td[i], e)))
			goto out;
		z->date[i] = td[i];
		if (td[i] > z->last)
			z->last = td[i];
	}
	/* the distinct dates, and the trades of each in book order */
	qsort(z->date, (size_t)n, sizeof *z->date, cmp_date);
	for (long i = 0; i < n; i++)
		if (z->nd == 0 || z->date[z->nd - 1] != z->date[i])
			z->date[z->nd++] = z->date[i];
	if (!(z->start = calloc((size_t)z->nd + 2, sizeof *z->start)) ||
	    !(cnt = calloc((size_t)z->nd + 1, sizeof *cnt))) {
		rc = oom(e);
		goto out;
	}
	for (long i = 0; i < n; i++)
		z->start[date_index(z, td[i]) + 1]++;
	for (int k = 0; k < z->nd; k++)
		z->start[k + 1] += z->start[k];
	for (long i = 0; i < n; i++) {
		long k = date_index(z, td[i]);
		z->order[z->start[k] + cnt[k]++] = i;
	}
	rc = alloc_fixings(z, m, e);
out:
	free(td);
	free(cnt);
	if (rc)
		fullhz_free(z);
	return rc;
}

void fullhz_free(fullhz *z)
{
	for (int c = 0; c < z->nc; c++) {
		if (z->fd)
			free(z->fd[c]);
		if (z->fp)
			free(z->fp[c]);
	}
	free(z->fd);
	free(z->fp);
	free(z->nbase);
	free(z->date);
	free(z->start);
	free(z->order);
	memset(z, 0, sizeof *z);
}

/* The moved price of the quote that fixes on day d, or NAN. */
static double fixing_of(const market *m, const mkt_curve *c, qe_date d)
{
	qe_date at = d;
	if (c->master && m->master && curvemaster_fixes_front(c->master)) {
		qe_err e;
		if (curvemaster_front_month(m->master, c->master, d, &at, &e))
			return NAN;
	}
	int q = mkt_quote_at(c, at);
	return q < 0 ? NAN : c->q[q].price;
}

long fullhz_reprice(fullhz *z, val_scenario *sc, double *npv, char *err, size_t errsz)
{
	market *m = &sc->m;
	const market *base = valuation_market(sc->book);
	long bad = -1;
	/* the days to the horizon fix at the scenario's prices */
	for (int c = 0; c < z->nc; c++) {
		mkt_curve *cv = &sc->c[c];
		int n = z->nbase[c];
		for (qe_date d = z->today + 1; d <= z->last; d++) {
			double p = fixing_of(m, cv, d);
			if (isnan(p))
				continue;
			z->fd[c][n] = d;
			z->fp[c][n++] = p;
		}
		cv->fix_date = z->fd[c];
		cv->fix_price = z->fp[c];
		cv->nfix = n;
	}
	for (int k = 0; k < z->nd; k++) {
		m->asof = z->date[k];
		char why[256];
		long b = valuation_reprice_some(sc->book, m, z->order + z->start[k], z->start[k + 1] - z->start[k],
						npv, why, sizeof why);
		if (b >= 0 && (bad < 0 || b < bad)) {
			bad = b;
			snprintf(err, errsz, "%s", why);
		}
	}
	m->asof = base->asof;
	for (int c = 0; c < z->nc; c++) {
		sc->c[c].fix_date = base->c[c].fix_date;
		sc->c[c].fix_price = base->c[c].fix_price;
		sc->c[c].nfix = base->c[c].nfix;
	}
	return bad;
}
