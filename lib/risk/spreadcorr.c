#include "risk/spreadcorr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "risk/riskfactor.h"
#include "risk/riskhist.h"

/* Pearson correlation of the returns of factors f and g (see the header);
 * 0 with *rho set, 1 when it cannot be estimated, QE_DATA in e. */
static int pair_corr(const risk_history *h, size_t f, size_t g, size_t window, double *rho, size_t *nret,
		     qe_err *e)
{
	size_t nf = h->nf, n = 0, prev = h->nd;
	double *x = malloc(h->nd * sizeof *x + 1), *y = malloc(h->nd * sizeof *y + 1);
	int rc = 1;
	if (!x || !y) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t d = 0; d < h->nd; d++) {
		const double *p = h->price + d * nf;
		if (isnan(p[f]) || isnan(p[g]))
			continue;
		if (prev < h->nd) {
			const double *q = h->price + prev * nf;
			size_t k[2] = {f, g};
			double r[2];
			for (int i = 0; i < 2; i++) {
				if (h->abs[k[i]]) {
					r[i] = p[k[i]] - q[k[i]];
					continue;
				}
				if (!(p[k[i]] > 0) || !(q[k[i]] > 0)) {
					char ds[16];
					date_format(ds, h->dates[p[k[i]] > 0 ? prev : d]);
					rc = qe_err_set(e, QE_DATA,
							"history: factor '%s' has price %g on %s; log returns need "
							"positive prices (set returns=abs for the curve)",
							sidx_name(h->factors, k[i]), p[k[i]] > 0 ? q[k[i]] : p[k[i]], ds);
					goto out;
				}
				r[i] = log(p[k[i]] / q[k[i]]);
			}
			x[n] = r[0];
			y[n] = r[1];
			n++;
		}
		prev = d;
	}
	size_t first = window > 0 && window < n ? n - window : 0;
	n -= first;
	if (n < 3)
		goto out;
	double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
	for (size_t i = first; i < first + n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	for (size_t i = first; i < first + n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		syy += (y[i] - my) * (y[i] - my);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	if (!(sxx > 0) || !(syy > 0))
		goto out;
	*rho = sxy / sqrt(sxx * syy);
	if (*rho > 1)
		*rho = 1;
	if (*rho < -1)
		*rho = -1;
	*nret = n;
	rc = 0;
out:
	free(x);
	free(y);
	return rc;
}

int spreadcorr_table(const char *history, const char *markets, qe_date asof, size_t window,
		     struct val_corr **tab, size_t *n, qe_err *e)
{
	risk_history h;
	curvemaster *cm = NULL;
	size_t *f1 = NULL, m = 0, cap = 0;
	struct val_corr *t = NULL;
	int rc;
	*tab = NULL;
	*n = 0;
	if ((rc = rh_read(&h, history, e)))
		return rc;
	rh_cut_after(&h, asof);
	if (markets && (!(cm = curvemaster_load(markets, e)) || rh_set_returns(&h, cm, e))) {
		rc = e->code;
		goto out;
	}
	/* the tenor-1 factor of each curve */
	if (!(f1 = malloc(h.nf * sizeof *f1 + 1))) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	size_t nc = 0;
	for (size_t f = 0; f < h.nf; f++) {
		size_t cl;
		long tenor;
		if (!risk_factor_parse(sidx_name(h.factors, f), &cl, &tenor) && tenor == 1 && cl < sizeof t->curve1)
			f1[nc++] = f;
	}
	for (size_t i = 0; i < nc; i++)
		for (size_t j = i + 1; j < nc; j++) {
			double rho = 0;
			size_t nr = 0;
			int r = pair_corr(&h, f1[i], f1[j], window, &rho, &nr, e);
			if (r == 1)
				continue;
			if (r) {
				rc = r;
				goto out;
			}
			if (m == cap) {
				cap = cap ? 2 * cap : 16;
				struct val_corr *nt = realloc(t, cap * sizeof *nt);
				if (!nt) {
					rc = qe_err_set(e, QE_INTERNAL, "out of memory");
					goto out;
				}
				t = nt;
			}
			const char *a = sidx_name(h.factors, f1[i]), *b = sidx_name(h.factors, f1[j]);
			snprintf(t[m].curve1, sizeof t[m].curve1, "%.*s", (int)risk_factor_curve_len(a), a);
			snprintf(t[m].curve2, sizeof t[m].curve2, "%.*s", (int)risk_factor_curve_len(b), b);
			t[m].rho = rho;
			t[m].nret = nr;
			m++;
		}
	*tab = t;
	*n = m;
	t = NULL;
out:
	free(t);
	free(f1);
	curvemaster_free(cm);
	rh_free(&h);
	return rc;
}
