#include "exposure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"

void expo_free(exposure *x)
{
	sidx_free(x->portfolios);
	free(x->delta);
	free(x->gamma);
	memset(x, 0, sizeof *x);
}

struct srow {
	long pf, f;
	double d, g;
};

/* curve -> value of column `by` of the curve master */
static int read_curve_attr(const char *markets, const char *by, strindex *curves, strindex *values,
			   long **val_of, qe_err *e)
{
	static const char *const cols[] = {"curve"};
	int idx, rc = 0, st, bc;
	size_t cap = 0;
	csv_reader *r = csvr_open(markets, e);
	if (!r)
		return e->code;
	if ((rc = csvr_require(r, cols, 1, &idx, e)))
		goto out;
	if ((bc = csvr_col(r, by)) < 0) {
		rc = qe_err_set(e, QE_DATA, "no column '%s' to group by in the sensitivities or in %s", by,
				markets);
		goto out;
	}
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		const char *c, *v;
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if (!(c = csvr_get_str(r, idx, e)) || !(v = csvr_get_str(r, bc, e))) {
			rc = QE_DATA;
			goto out;
		}
		long k = sidx_add(curves, c, strlen(c), NULL), vk = sidx_add(values, v, strlen(v), NULL);
		if (k < 0 || vk < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		if ((size_t)k >= cap) {
			cap = cap ? 2 * cap : 64;
			long *n = realloc(*val_of, cap * sizeof *n);
			if (!n) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				goto out;
			}
			*val_of = n;
		}
		(*val_of)[k] = vk;
	}
out:
	csvr_close(r);
	return rc;
}

int expo_read(exposure *x, const char *path, const char *by, const char *markets,
	      const strindex *factors, qe_err *e)
{
	strindex *mcurves = NULL, *mvalues = NULL;
	long *mval = NULL;
	static const char *const cols[] = {"curve", "tenor", "delta"};
	int idx[3], rc = 0, st, byc = -1, gc;
	struct srow *rows = NULL;
	size_t n = 0, cap = 0;
	csv_reader *r;

	memset(x, 0, sizeof *x);
	x->nf = sidx_count(factors);
	if (!(x->portfolios = sidx_new()) || sidx_add(x->portfolios, "total", 5, NULL) != 0) {
		expo_free(x);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	if (!(r = csvr_open(path, e))) {
		expo_free(x);
		return e->code;
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
		if ((rc = read_curve_attr(markets, by, mcurves, mvalues, &mval, e)))
			goto out;
	}
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		const char *curve;
		int64_t tenor;
		double d, g = 0;
		char name[256];
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
		if (tenor > EXPO_MAX_TENOR) {
			tenor = EXPO_MAX_TENOR;
			x->capped++;
		}
		if (strlen(curve) > 200) {
			rc = csvr_field_error(r, idx[0], e, "curve name too long");
			goto out;
		}
		int len = snprintf(name, sizeof name, "%s:%d", curve, (int)tenor);
		long f = sidx_find(factors, name, (size_t)len);
		if (f < 0) {
			rc = qe_err_set(e, QE_DATA, "%s:%ld: risk factor '%s' has no price history", csvr_name(r),
					csvr_line(r), name);
			goto out;
		}
		long pf = 0;
		if (mcurves) {
			long k = sidx_find(mcurves, curve, strlen(curve));
			if (k < 0) {
				rc = csvr_field_error(r, idx[0], e, "curve not in %s, cannot group by %s '%s'",
						      markets, by, curve);
				goto out;
			}
			const char *grp = sidx_name(mvalues, (size_t)mval[k]);
			if ((pf = sidx_add(x->portfolios, grp, strlen(grp), NULL)) < 0) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				goto out;
			}
		} else if (byc >= 0) {
			size_t gl;
			const char *grp = csvr_get_str(r, byc, e);
			if (!grp) {
				rc = QE_DATA;
				goto out;
			}
			csvr_field(r, byc, &gl);
			if ((pf = sidx_add(x->portfolios, grp, gl, NULL)) < 0) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				goto out;
			}
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
		rows[n++] = (struct srow){pf, f, d, g};
	}
	if (n == 0) {
		rc = qe_err_set(e, QE_DATA, "%s: no sensitivities", csvr_name(r));
		goto out;
	}
	x->rows = n;
	x->npf = sidx_count(x->portfolios);
	x->delta = calloc(x->npf * x->nf + 1, sizeof *x->delta);
	x->gamma = calloc(x->npf * x->nf + 1, sizeof *x->gamma);
	if (!x->delta || !x->gamma) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t f = (size_t)rows[i].f;
		x->delta[f] += rows[i].d;
		x->gamma[f] += rows[i].g;
		if (rows[i].pf > 0) {
			x->delta[(size_t)rows[i].pf * x->nf + f] += rows[i].d;
			x->gamma[(size_t)rows[i].pf * x->nf + f] += rows[i].g;
		}
		if (rows[i].g != 0)
			x->has_gamma = 1;
	}
out:
	free(rows);
	free(mval);
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
	x->nf = m;
}
