#include "risk/varstress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/csvio.h"
#include "risk/riskfactor.h"

int stress_init(stress_set *st, size_t nf, qe_err *e)
{
	memset(st, 0, sizeof *st);
	st->nf = nf;
	if (!(st->names = sidx_new()))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	return 0;
}

void stress_free(stress_set *st)
{
	sidx_free(st->names);
	free(st->dF);
	memset(st, 0, sizeof *st);
}

/* Appends scenario `name` (or finds it); returns its row of dF. */
static double *scenario_row(stress_set *st, const char *name, int *added, qe_err *e)
{
	long k = sidx_add(st->names, name, strlen(name), added);
	if (k < 0) {
		qe_err_set(e, QE_INTERNAL, "out of memory");
		return NULL;
	}
	if (*added) {
		double *n = realloc(st->dF, ((size_t)k + 1) * st->nf * sizeof *n + 1);
		if (!n) {
			qe_err_set(e, QE_INTERNAL, "out of memory");
			return NULL;
		}
		st->dF = n;
		memset(st->dF + (size_t)k * st->nf, 0, st->nf * sizeof *n);
		st->ns = (size_t)k + 1;
	}
	return st->dF + (size_t)k * st->nf;
}

struct shock {
	long sc;
	char *curve; /* NULL = any */
	long tenor;  /* -1 = any */
	double v;
	int rel;
};

static int specificity(const struct shock *s)
{
	return (s->curve ? 2 : 0) + (s->tenor >= 0 ? 1 : 0);
}

int stress_read_shocks(stress_set *st, const risk_history *h, const char *path, qe_err *e)
{
	static const char *const cols[] = {"scenario", "curve", "tenor", "shock", "type"};
	int idx[5], rc = 0, r_st;
	struct shock *sh = NULL;
	size_t n = 0, cap = 0;
	csv_reader *r = csvr_open(path, e);
	if (!r)
		return e->code;
	if ((rc = csvr_require(r, cols, 5, idx, e)))
		goto out;
	while ((r_st = csvr_next(r, e)) != CSVR_EOF) {
		const char *scn, *curve, *type;
		int64_t tenor = -1;
		double v;
		if (r_st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if (!(scn = csvr_get_str(r, idx[0], e)) || !(curve = csvr_get_str(r, idx[1], e)) ||
		    !(type = csvr_get_str(r, idx[4], e))) {
			rc = QE_DATA;
			goto out;
		}
		if (!csvr_is_empty(r, idx[2])) {
			if ((rc = csvr_get_int64(r, idx[2], &tenor, e)))
				goto out;
			if (tenor < 0 || tenor > 1200) {
				rc = csvr_field_error(r, idx[2], e, "tenor out of range '%lld'", (long long)tenor);
				goto out;
			}
		}
		if ((rc = csvr_get_double(r, idx[3], &v, e)))
			goto out;
		int rel = strcasecmp(type, "rel") == 0;
		if (!rel && strcasecmp(type, "abs") != 0) {
			rc = csvr_field_error(r, idx[4], e, "expected rel or abs, got '%s'", type);
			goto out;
		}
		int volrow = risk_factor_is_vol(curve);
		if (volrow && rel) {
			rc = csvr_field_error(r, idx[4], e, "a vol shock (curve %s) is an absolute vol change: type abs",
					      curve);
			goto out;
		}
		if (rel && v <= -1) {
			rc = csvr_field_error(r, idx[3], e, "a relative shock of %g would make prices negative", v);
			goto out;
		}
		int added;
		if (!scenario_row(st, scn, &added, e)) {
			rc = e->code;
			goto out;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			struct shock *ns = realloc(sh, cap * sizeof *ns);
			if (!ns) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				goto out;
			}
			sh = ns;
		}
		sh[n].sc = sidx_find(st->names, scn, strlen(scn));
		sh[n].curve = strcmp(curve, "*") == 0 ? NULL : strdup(curve);
		sh[n].tenor = (long)tenor;
		sh[n].v = v;
		sh[n].rel = rel;
		n++;
		/* does the row reach any factor?  (a row of the other kind is
		 * the other read's) */
		int hit = (st->rows == STRESS_PRICES && volrow) || (st->rows == STRESS_VOLS && !volrow);
		for (size_t f = 0; f < h->nf && !hit; f++) {
			const char *name = sidx_name(h->factors, f);
			size_t cl = 0;
			long ft = -1;
			risk_factor_parse(name, &cl, &ft); /* rh_read built every name */
			hit = (!sh[n - 1].curve ? !risk_factor_is_vol(name)
						: strlen(sh[n - 1].curve) == cl && strncmp(name, sh[n - 1].curve, cl) == 0) &&
			      (tenor < 0 || ft == tenor);
		}
		if (!hit && st->unmatched++ == 0)
			snprintf(st->first_unmatched, sizeof st->first_unmatched, "%s:%ld: %s:%s", csvr_name(r),
				 csvr_line(r), curve, tenor < 0 ? "*" : csvr_field(r, idx[2], NULL));
	}
	if (n == 0) {
		rc = qe_err_set(e, QE_DATA, "%s: no shocks", csvr_name(r));
		goto out;
	}
	const double *F = rh_latest(h);
	for (size_t f = 0; f < h->nf; f++) {
		const char *name = sidx_name(h->factors, f);
		size_t cl = 0;
		long tenor = -1;
		risk_factor_parse(name, &cl, &tenor); /* rh_read built every name */
		for (size_t s = 0; s < st->ns; s++) {
			const struct shock *best = NULL;
			for (size_t i = 0; i < n; i++) {
				const struct shock *k = &sh[i];
				if ((size_t)k->sc != s || (k->tenor >= 0 && k->tenor != tenor) ||
				    (k->curve && (strlen(k->curve) != cl || strncmp(k->curve, name, cl) != 0)) ||
				    (!k->curve && risk_factor_is_vol(name)))
					continue;
				if (!best || specificity(k) >= specificity(best))
					best = k;
			}
			if (best)
				st->dF[s * st->nf + f] = best->rel ? best->v * F[f] : best->v;
		}
	}
out:
	for (size_t i = 0; i < n; i++)
		free(sh[i].curve);
	free(sh);
	csvr_close(r);
	return rc;
}

/* index of the last date <= t, or -1 */
static long date_at_or_before(const risk_history *h, qe_date t)
{
	long lo = 0, hi = (long)h->nd - 1, ans = -1;
	while (lo <= hi) {
		long mid = (lo + hi) / 2;
		if (h->dates[mid] <= t) {
			ans = mid;
			lo = mid + 1;
		} else
			hi = mid - 1;
	}
	return ans;
}

int stress_read_windows(stress_set *st, const risk_history *h, const char *path, qe_err *e)
{
	static const char *const cols[] = {"name", "start", "end"};
	int idx[3], rc = 0, r_st;
	size_t count = 0;
	csv_reader *r = csvr_open(path, e);
	if (!r)
		return e->code;
	if ((rc = csvr_require(r, cols, 3, idx, e)))
		goto out;
	const double *F = rh_latest(h);
	while ((r_st = csvr_next(r, e)) != CSVR_EOF) {
		const char *name;
		qe_date a, b;
		if (r_st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if (!(name = csvr_get_str(r, idx[0], e))) {
			rc = QE_DATA;
			goto out;
		}
		if ((rc = csvr_get_date(r, idx[1], &a, e)) || (rc = csvr_get_date(r, idx[2], &b, e)))
			goto out;
		if (b <= a) {
			rc = csvr_field_error(r, idx[2], e, "window ends before it starts '%s'",
					      csvr_field(r, idx[2], NULL));
			goto out;
		}
		long ia = date_at_or_before(h, a), ib = date_at_or_before(h, b);
		if (ia < 0 || b > h->dates[h->nd - 1]) {
			char lo[16], hi[16];
			date_format(lo, h->dates[0]);
			date_format(hi, h->dates[h->nd - 1]);
			rc = csvr_field_error(r, ia < 0 ? idx[1] : idx[2], e,
					      "window '%s' is outside the history (%s to %s) '%s'", name, lo, hi,
					      csvr_field(r, ia < 0 ? idx[1] : idx[2], NULL));
			goto out;
		}
		int added;
		double *row = scenario_row(st, name, &added, e);
		if (!row) {
			rc = e->code;
			goto out;
		}
		if (!added) {
			rc = csvr_field_error(r, idx[0], e, "duplicate scenario name '%s'", name);
			goto out;
		}
		const double *pa = h->price + (size_t)ia * h->nf, *pb = h->price + (size_t)ib * h->nf;
		for (size_t f = 0; f < h->nf; f++) {
			if (h->abs[f])
				row[f] = pb[f] - pa[f];
			else if (pa[f] > 0 && pb[f] > 0)
				row[f] = F[f] * expm1(log(pb[f] / pa[f]));
			else {
				rc = csvr_field_error(r, idx[0], e,
						      "window '%s': factor '%s' has a non-positive price and log returns '%s'",
						      name, sidx_name(h->factors, f), name);
				goto out;
			}
		}
		count++;
	}
	if (count == 0)
		rc = qe_err_set(e, QE_DATA, "%s: no windows", csvr_name(r));
out:
	csvr_close(r);
	return rc;
}

int stress_add_worst(stress_set *st, const risk_history *h, const risk_scenarios *s, const double *pnl,
		     int horizon, qe_err *e)
{
	size_t worst = 0;
	char name[64], ds[16];
	for (size_t i = 1; i < s->ns; i++)
		if (pnl[i] < pnl[worst])
			worst = i;
	date_format(ds, s->date[worst]);
	snprintf(name, sizeof name, "worst-%dd-%s", horizon, ds);
	int added;
	double *row = scenario_row(st, name, &added, e);
	if (!row)
		return e->code;
	const double *F = rh_latest(h);
	for (size_t f = 0; f < h->nf; f++) {
		double r = s->ret[worst * s->nf + f];
		row[f] = h->abs[f] ? r : F[f] * expm1(r);
	}
	return 0;
}
