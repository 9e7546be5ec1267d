#include "risk/exposure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "market/fxrate.h"
#include "risk/riskfactor.h"

void expo_free(exposure *x)
{
	for (size_t p = 0; p < x->npf && x->name; p++) {
		free(x->name[p]);
		free(x->label[p]);
		free(x->ccy[p]);
	}
	free(x->name);
	free(x->label);
	free(x->ccy);
	free(x->fccy);
	sidx_free(x->currencies);
	sidx_free(x->portfolios);
	free(x->delta);
	free(x->gamma);
	memset(x, 0, sizeof *x);
}

struct srow {
	long grp, ccy, f;
	double d, g;
};

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Fills name, ccy and label from the portfolio keys "group\037currency". */
static int split_keys(exposure *x)
{
	x->name = calloc(x->npf + 1, sizeof *x->name);
	x->label = calloc(x->npf + 1, sizeof *x->label);
	x->ccy = calloc(x->npf + 1, sizeof *x->ccy);
	if (!x->name || !x->label || !x->ccy)
		return -1;
	for (size_t p = 0; p < x->npf; p++) {
		const char *k = sidx_name(x->portfolios, p), *sep = strchr(k, '\037');
		size_t nl = sep ? (size_t)(sep - k) : strlen(k);
		x->name[p] = dupn(k, nl);
		x->ccy[p] = dupn(sep ? sep + 1 : "", sep ? strlen(sep + 1) : 0);
		if (!x->name[p] || !x->ccy[p])
			return -1;
	}
	for (size_t p = 0; p < x->npf; p++) {
		int dup = 0;
		for (size_t q = 0; q < x->npf && !dup; q++)
			dup = q != p && strcmp(x->name[q], x->name[p]) == 0;
		size_t n = strlen(x->name[p]) + strlen(x->ccy[p]) + 2;
		if (!(x->label[p] = malloc(n)))
			return -1;
		snprintf(x->label[p], n, dup ? "%s/%s" : "%s", x->name[p], x->ccy[p]);
	}
	return 0;
}

static long add_key(strindex *ix, const char *grp, const char *ccy)
{
	size_t n = strlen(grp) + strlen(ccy) + 2;
	char *k = malloc(n);
	if (!k)
		return -1;
	int len = snprintf(k, n, "%s\037%s", grp, ccy);
	long r = sidx_add(ix, k, (size_t)len, NULL);
	free(k);
	return r;
}

int expo_read(exposure *x, const char *path, const char *by, const char *markets,
	      const expo_fx *fx, const strindex *factors, qe_err *e)
{
	strindex *ccurves = NULL, *cvals = NULL, *groups = NULL, *fxc = NULL;
	long *cval = NULL, *pfmap = NULL;
	int found = 0;
	double *fxr = NULL;
	strindex *mcurves = NULL, *mvalues = NULL;
	long *mval = NULL;
	static const char *const cols[] = {"curve", "tenor", "delta"};
	int idx[3], rc = 0, st, byc = -1, gc;
	struct srow *rows = NULL;
	size_t n = 0, cap = 0;
	csv_reader *r;

	memset(x, 0, sizeof *x);
	x->nf = sidx_count(factors);
	if (!(x->portfolios = sidx_new()) || !(x->currencies = sidx_new()) || !(groups = sidx_new()) ||
	    !(ccurves = sidx_new()) || !(cvals = sidx_new()) || !(fxc = sidx_new())) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		r = NULL;
		goto out;
	}
	if (markets && (rc = curve_attr_read(markets, "currency", &found, ccurves, cvals, &cval, e))) {
		r = NULL;
		goto out;
	}
	if (fx && fx->path) {
		if (!markets || sidx_count(ccurves) == 0) {
			rc = qe_err_set(e, QE_USAGE, "--fx needs a curve master with a currency column (-m)");
			r = NULL;
			goto out;
		}
		if ((rc = fx_rates_read(fx->path, fx->base, fxc, &fxr, e))) {
			r = NULL;
			goto out;
		}
	}
	if (!(r = csvr_open(path, e))) {
		rc = e->code;
		goto out;
	}
	if ((rc = csvr_require(r, cols, 3, idx, e)))
		goto out;
	gc = csvr_col(r, "gamma");
	if (by && (byc = csvr_col(r, by)) < 0) {
		if (!markets) {
			rc = qe_err_set(e, QE_DATA, "%s: no column '%s' to group by", csvr_name(r), by);
			goto out;
		}
		if (!(mcurves = sidx_new()) || !(mvalues = sidx_new())) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		int found_by;
		if ((rc = curve_attr_read(markets, by, &found_by, mcurves, mvalues, &mval, e)))
			goto out;
		if (!found_by) {
			rc = qe_err_set(e, QE_DATA, "no column '%s' to group by in the sensitivities or in %s", by,
					markets);
			goto out;
		}
	}
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		const char *curve;
		int64_t tenor;
		double d, g = 0;
		char name[RISK_FACTOR_NAMESZ];
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if (!(curve = csvr_get_str(r, idx[0], e))) {
			rc = QE_DATA;
			goto out;
		}
		if ((rc = csvr_get_int64(r, idx[1], &tenor, e)) || (rc = csvr_get_double(r, idx[2], &d, e)))
			goto out;
		if (gc >= 0 && !csvr_is_empty(r, gc) && (rc = csvr_get_double(r, gc, &g, e)))
			goto out;
		if (tenor < 0) {
			rc = csvr_field_error(r, idx[1], e, "negative tenor '%lld'", (long long)tenor);
			goto out;
		}
		if (risk_factor_tenor(tenor) != tenor) {
			tenor = risk_factor_tenor(tenor);
			x->capped++;
		}
		if (strlen(curve) > RISK_CURVE_MAX) {
			rc = csvr_field_error(r, idx[0], e, "curve name too long");
			goto out;
		}
		int len = risk_factor_name(name, sizeof name, curve, strlen(curve), tenor);
		long f = sidx_find(factors, name, (size_t)len);
		if (f < 0) {
			rc = qe_err_set(e, QE_DATA, "%s:%ld: risk factor '%s' has no price history", csvr_name(r),
					csvr_line(r), name);
			goto out;
		}
		long grp = -1;
		if (mcurves) {
			long k = sidx_find(mcurves, curve, strlen(curve));
			if (k < 0) {
				rc = csvr_field_error(r, idx[0], e, "curve not in %s, cannot group by %s '%s'",
						      markets, by, curve);
				goto out;
			}
			const char *gname = sidx_name(mvalues, (size_t)mval[k]);
			if ((grp = sidx_add(groups, gname, strlen(gname), NULL)) < 0) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				goto out;
			}
		} else if (byc >= 0) {
			size_t gl;
			const char *gname = csvr_get_str(r, byc, e);
			if (!gname) {
				rc = QE_DATA;
				goto out;
			}
			csvr_field(r, byc, &gl);
			if ((grp = sidx_add(groups, gname, gl, NULL)) < 0) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				goto out;
			}
		}
		const char *ccy = "";
		if (sidx_count(ccurves) > 0) {
			long k = sidx_find(ccurves, curve, strlen(curve));
			if (k < 0) {
				rc = csvr_field_error(r, idx[0], e, "curve not in %s, its currency is unknown '%s'",
						      markets, curve);
				goto out;
			}
			ccy = sidx_name(cvals, (size_t)cval[k]);
		}
		if (fxr) {
			long k = sidx_find(fxc, ccy, strlen(ccy));
			if (k < 0) {
				rc = qe_err_set(e, QE_DATA, "%s:%ld: no FX rate for currency '%s' (curve %s) in %s",
						csvr_name(r), csvr_line(r), ccy, curve, fx->path);
				goto out;
			}
			d *= fxr[k];
			g *= fxr[k];
			ccy = fx->base;
		}
		long ck = sidx_add(x->currencies, ccy, strlen(ccy), NULL);
		if (ck < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			struct srow *nr = realloc(rows, cap * sizeof *nr);
			if (!nr) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				goto out;
			}
			rows = nr;
		}
		rows[n++] = (struct srow){grp, ck, f, d, g};
	}
	if (n == 0) {
		rc = qe_err_set(e, QE_DATA, "%s: no sensitivities", csvr_name(r));
		goto out;
	}
	x->rows = n;
	/* one "total" per currency first, then (group, currency) in order */
	size_t nc = sidx_count(x->currencies);
	for (size_t c = 0; c < nc; c++)
		if (add_key(x->portfolios, "total", sidx_name(x->currencies, c)) < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
	/* portfolio of each (group, currency) pair, added on first use */
	size_t ng = sidx_count(groups);
	pfmap = malloc((ng * nc + 1) * sizeof *pfmap);
	if (!pfmap) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < ng * nc; k++)
		pfmap[k] = -1;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].grp < 0)
			continue;
		size_t k = (size_t)rows[i].grp * nc + (size_t)rows[i].ccy;
		if (pfmap[k] < 0 && (pfmap[k] = add_key(x->portfolios, sidx_name(groups, (size_t)rows[i].grp),
							 sidx_name(x->currencies, (size_t)rows[i].ccy))) < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
	}
	x->npf = sidx_count(x->portfolios);
	x->delta = calloc(x->npf * x->nf + 1, sizeof *x->delta);
	x->gamma = calloc(x->npf * x->nf + 1, sizeof *x->gamma);
	x->fccy = malloc((x->nf + 1) * sizeof *x->fccy);
	if (!x->delta || !x->gamma || !x->fccy || split_keys(x)) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t f = 0; f < x->nf; f++)
		x->fccy[f] = -1;
	for (size_t i = 0; i < n; i++) {
		size_t f = (size_t)rows[i].f, tot = (size_t)rows[i].ccy;
		x->fccy[f] = rows[i].ccy;
		x->delta[tot * x->nf + f] += rows[i].d;
		x->gamma[tot * x->nf + f] += rows[i].g;
		if (rows[i].grp >= 0) {
			size_t pf = (size_t)pfmap[(size_t)rows[i].grp * nc + (size_t)rows[i].ccy];
			x->delta[pf * x->nf + f] += rows[i].d;
			x->gamma[pf * x->nf + f] += rows[i].g;
		}
		if (rows[i].g != 0)
			x->has_gamma = 1;
	}
out:
	free(rows);
	free(mval);
	free(cval);
	free(pfmap);
	free(fxr);
	sidx_free(ccurves);
	sidx_free(cvals);
	sidx_free(groups);
	sidx_free(fxc);
	sidx_free(mcurves);
	sidx_free(mvalues);
	csvr_close(r);
	if (rc)
		expo_free(x);
	return rc;
}

void expo_used(const exposure *x, unsigned char *used)
{
	for (size_t p = 0; p < x->npf; p++)
		for (size_t f = 0; f < x->nf; f++)
			if (x->delta[p * x->nf + f] != 0 || x->gamma[p * x->nf + f] != 0)
				used[f] = 1;
}

void expo_restrict(exposure *x, const unsigned char *keep)
{
	size_t m = 0;
	for (size_t f = 0; f < x->nf; f++)
		m += keep[f] != 0;
	for (size_t p = 0; p < x->npf; p++) {
		size_t j = 0;
		for (size_t f = 0; f < x->nf; f++)
			if (keep[f]) {
				x->delta[p * m + j] = x->delta[p * x->nf + f];
				x->gamma[p * m + j] = x->gamma[p * x->nf + f];
				j++;
			}
	}
	for (size_t f = 0, j = 0; f < x->nf; f++)
		if (keep[f])
			x->fccy[j++] = x->fccy[f];
	x->nf = m;
}

int expo_subset(const exposure *x, const char *ccy, exposure *sub, qe_err *e)
{
	memset(sub, 0, sizeof *sub);
	sub->nf = x->nf;
	sub->rows = x->rows;
	sub->has_gamma = x->has_gamma;
	if (!(sub->portfolios = sidx_new()) || !(sub->currencies = sidx_new()))
		goto oom;
	for (size_t c = 0; c < sidx_count(x->currencies); c++) {
		const char *cn = sidx_name(x->currencies, c);
		if (sidx_add(sub->currencies, cn, strlen(cn), NULL) < 0)
			goto oom;
	}
	size_t *pick = malloc((x->npf + 1) * sizeof *pick), np = 0;
	if (!pick)
		goto oom;
	for (size_t p = 0; p < x->npf; p++)
		if (strcmp(x->ccy[p], ccy) == 0)
			pick[np++] = p;
	sub->delta = calloc(np * x->nf + 1, sizeof *sub->delta);
	sub->gamma = calloc(np * x->nf + 1, sizeof *sub->gamma);
	sub->fccy = malloc((x->nf + 1) * sizeof *sub->fccy);
	if (!sub->delta || !sub->gamma || !sub->fccy) {
		free(pick);
		goto oom;
	}
	memcpy(sub->fccy, x->fccy, x->nf * sizeof *sub->fccy);
	for (size_t i = 0; i < np; i++) {
		const char *k = sidx_name(x->portfolios, pick[i]);
		if (sidx_add(sub->portfolios, k, strlen(k), NULL) < 0) {
			free(pick);
			goto oom;
		}
		memcpy(sub->delta + i * x->nf, x->delta + pick[i] * x->nf, x->nf * sizeof *sub->delta);
		memcpy(sub->gamma + i * x->nf, x->gamma + pick[i] * x->nf, x->nf * sizeof *sub->gamma);
	}
	free(pick);
	sub->npf = np;
	if (split_keys(sub))
		goto oom;
	/* labels as in the whole book */
	for (size_t p = 0; p < np; p++) {
		long q = sidx_find(x->portfolios, sidx_name(sub->portfolios, p), strlen(sidx_name(sub->portfolios, p)));
		free(sub->label[p]);
		if (!(sub->label[p] = dupn(x->label[q], strlen(x->label[q]))))
			goto oom;
	}
	return 0;
oom:
	expo_free(sub);
	return qe_err_set(e, QE_INTERNAL, "out of memory");
}
