#include "risk/pla.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ranked {
	double v;
	size_t i;
};

static int ranked_cmp(const void *a, const void *b)
{
	double x = ((const struct ranked *)a)->v, y = ((const struct ranked *)b)->v;
	return (x > y) - (x < y);
}

static int all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return 0;
	return 1;
}

int pla_ranks(const double *x, size_t n, double *rank, qe_err *e)
{
	struct ranked *r = malloc((n + 1) * sizeof *r);
	if (!r)
		return qe_err_set(e, QE_INTERNAL, "out of memory for %zu ranks", n);
	for (size_t i = 0; i < n; i++) {
		r[i].v = x[i];
		r[i].i = i;
	}
	qsort(r, n, sizeof *r, ranked_cmp);
	for (size_t lo = 0; lo < n;) {
		size_t hi = lo + 1;
		while (hi < n && r[hi].v == r[lo].v)
			hi++;
		/* positions lo..hi-1 hold ranks lo+1..hi: their mean */
		double mean = 0.5 * ((double)lo + 1 + (double)hi);
		for (size_t k = lo; k < hi; k++)
			rank[r[k].i] = mean;
		lo = hi;
	}
	free(r);
	return 0;
}

int pla_spearman(const double *x, const double *y, size_t n, double *rho, qe_err *e)
{
	*rho = NAN;
	if (n < 2)
		return qe_err_set(e, QE_DATA, "Spearman correlation needs 2 pairs or more, got %zu", n);
	if (!all_finite(x, n) || !all_finite(y, n))
		return qe_err_set(e, QE_DATA, "Spearman correlation of a non-finite value");
	double *rx = malloc(2 * n * sizeof *rx);
	if (!rx)
		return qe_err_set(e, QE_INTERNAL, "out of memory for %zu ranks", n);
	double *ry = rx + n;
	int rc = pla_ranks(x, n, rx, e);
	if (!rc)
		rc = pla_ranks(y, n, ry, e);
	if (rc) {
		free(rx);
		return rc;
	}
	/* Ranks are multiples of 1/2 and so are their deviations from the
	 * mean rank (n+1)/2: every product and sum below is exact in double
	 * up to n of about 2^25, and the only rounding is the last division. */
	double mean = 0.5 * ((double)n + 1), sxy = 0, sxx = 0, syy = 0;
	for (size_t i = 0; i < n; i++) {
		double dx = rx[i] - mean, dy = ry[i] - mean;
		sxy += dx * dy;
		sxx += dx * dx;
		syy += dy * dy;
	}
	free(rx);
	if (sxx == 0 || syy == 0)
		return qe_err_set(e, QE_NUMERIC, "Spearman correlation undefined: %s P&L is constant",
				  sxx == 0 ? "the first" : "the second");
	double r = sxy / sqrt(sxx * syy);
	*rho = r > 1 ? 1 : r < -1 ? -1 : r;
	return 0;
}

static int double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int pla_ks(const double *x, size_t nx, const double *y, size_t ny, double *ks, qe_err *e)
{
	*ks = NAN;
	if (nx == 0 || ny == 0)
		return qe_err_set(e, QE_DATA, "Kolmogorov-Smirnov statistic of an empty sample");
	if (!all_finite(x, nx) || !all_finite(y, ny))
		return qe_err_set(e, QE_DATA, "Kolmogorov-Smirnov statistic of a non-finite value");
	double *sx = malloc((nx + ny) * sizeof *sx);
	if (!sx)
		return qe_err_set(e, QE_INTERNAL, "out of memory for %zu values", nx + ny);
	double *sy = sx + nx;
	memcpy(sx, x, nx * sizeof *sx);
	memcpy(sy, y, ny * sizeof *sy);
	qsort(sx, nx, sizeof *sx, double_cmp);
	qsort(sy, ny, sizeof *sy, double_cmp);
	/* Both empirical distribution functions are steps at the sample
	 * values: compare them just after each distinct value, while both
	 * samples have values left (after one runs out its function is 1 and
	 * the other only climbs towards it). */
	double d = 0;
	size_t i = 0, j = 0;
	while (i < nx && j < ny) {
		double v = sx[i] < sy[j] ? sx[i] : sy[j];
		while (i < nx && sx[i] <= v)
			i++;
		while (j < ny && sy[j] <= v)
			j++;
		double gap = fabs((double)i / (double)nx - (double)j / (double)ny);
		if (gap > d)
			d = gap;
	}
	free(sx);
	*ks = d;
	return 0;
}

int pla_zone_of(double spearman, double ks)
{
	if (isnan(spearman))
		return PLA_NONE;
	if (spearman < PLA_SPEARMAN_RED || ks > PLA_KS_RED)
		return PLA_RED;
	if (spearman > PLA_SPEARMAN_GREEN && ks < PLA_KS_GREEN)
		return PLA_GREEN;
	return PLA_AMBER;
}

const char *pla_zone_name(int zone)
{
	switch (zone) {
	case PLA_GREEN: return "green";
	case PLA_AMBER: return "amber";
	case PLA_RED: return "red";
	default: return "n/a";
	}
}

/* The first name of a that b lacks, or NULL. */
static const char *first_missing(const strindex *a, const strindex *b)
{
	for (size_t i = 0; i < sidx_count(a); i++) {
		const char *n = sidx_name(a, i);
		if (sidx_find(b, n, strlen(n)) < 0)
			return n;
	}
	return NULL;
}

static int same_names(const strindex *full, const strindex *sens, const char *what, qe_err *e)
{
	const char *n;
	if ((n = first_missing(full, sens)))
		return qe_err_set(e, QE_DATA, "%s '%s' of the full-revaluation cube is not in the sensitivity cube",
				  what, n);
	if ((n = first_missing(sens, full)))
		return qe_err_set(e, QE_DATA, "%s '%s' of the sensitivity cube is not in the full-revaluation cube",
				  what, n);
	return 0;
}

int pla_compare_cubes(const pnl_cube *full, const pnl_cube *sens, pla_result *res, qe_err *e)
{
	int rc;
	if ((rc = same_names(full->portfolios, sens->portfolios, "portfolio", e)) ||
	    (rc = same_names(full->scenarios, sens->scenarios, "scenario", e)))
		return rc;
	if (full->has_asof && sens->has_asof && full->asof != sens->asof) {
		char a[32], b[32];
		date_format(a, full->asof);
		date_format(b, sens->asof);
		return qe_err_set(e, QE_DATA, "as-of dates differ: %s in the full-revaluation cube, %s in the sensitivity cube",
				  a, b);
	}
	size_t nsc = full->nsc;
	double *y = malloc((nsc + 1) * sizeof *y);
	size_t *sc_of = malloc((nsc + 1) * sizeof *sc_of);
	if (!y || !sc_of) {
		free(y);
		free(sc_of);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	for (size_t s = 0; s < nsc; s++) {
		const char *n = sidx_name(full->scenarios, s);
		sc_of[s] = (size_t)sidx_find(sens->scenarios, n, strlen(n));
	}
	for (size_t p = 0; p < full->npf && !rc; p++) {
		const char *n = sidx_name(full->portfolios, p);
		size_t q = (size_t)sidx_find(sens->portfolios, n, strlen(n));
		const double *x = full->pnl + p * nsc;
		for (size_t s = 0; s < nsc; s++)
			y[s] = sens->pnl[q * sens->nsc + sc_of[s]];
		pla_result *r = &res[p];
		r->scenarios = nsc;
		rc = pla_ks(x, nsc, y, nsc, &r->ks, e);
		if (!rc && (rc = pla_spearman(x, y, nsc, &r->spearman, e)) == QE_NUMERIC)
			rc = 0; /* a constant P&L: no zone, not a failure */
		if (!rc)
			r->zone = pla_zone_of(r->spearman, r->ks);
		else if (e) {
			char why[sizeof e->msg];
			snprintf(why, sizeof why, "%s", e->msg);
			rc = qe_err_set(e, rc, "portfolio '%s': %s", n, why);
		}
	}
	free(y);
	free(sc_of);
	return rc;
}

int pla_series_cube(const bt_series *s, const char *portfolio, pnl_cube *c, qe_err *e)
{
	int rc;
	if ((rc = pcube_init(c, e)))
		return rc;
	if (sidx_add(c->portfolios, portfolio, strlen(portfolio), NULL) < 0)
		goto oom;
	for (size_t i = 0; i < s->n; i++) {
		char d[32];
		date_format(d, s->date[i]);
		if (sidx_add(c->scenarios, d, strlen(d), NULL) < 0)
			goto oom;
	}
	if ((rc = pcube_alloc(c, e))) {
		pcube_free(c);
		return rc;
	}
	memcpy(c->pnl, s->pnl, s->n * sizeof *c->pnl);
	if (s->n > 0) {
		c->asof = s->date[s->n - 1];
		c->has_asof = 1;
	}
	return 0;
oom:
	pcube_free(c);
	return qe_err_set(e, QE_INTERNAL, "out of memory");
}
