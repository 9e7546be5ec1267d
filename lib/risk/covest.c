#include "risk/covest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "io/csvio.h"
#include "io/h5table.h"

int cov_method_parse(const char *s)
{
	if (strcmp(s, "sample") == 0)
		return COV_SAMPLE;
	if (strcmp(s, "ewma") == 0)
		return COV_EWMA;
	if (strcmp(s, "lw") == 0 || strcmp(s, "ledoit-wolf") == 0)
		return COV_LW;
	return -1;
}

const char *cov_method_name(int method)
{
	return method == COV_EWMA ? "ewma" : method == COV_LW ? "lw" : "sample";
}

static void symmetrize_upper_to_full(double *S, size_t m)
{
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < i; j++)
			S[i * m + j] = S[j * m + i];
}

int cov_estimate(const double *x, size_t n, size_t m, int method, double lambda, double *S,
		 double *shrinkage, qe_err *e)
{
	if (shrinkage)
		*shrinkage = 0;
	if (n < 2)
		return qe_err_set(e, QE_DATA, "%zu observations; a covariance needs at least 2", n);
	if (method == COV_EWMA && !(lambda > 0 && lambda < 1))
		return qe_err_set(e, QE_USAGE, "EWMA lambda %g is not in (0, 1)", lambda);
	double *y = calloc(n * m + 1, sizeof *y);
	if (!y)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	double div = 1.0;
	if (method == COV_EWMA) {
		/* rows scaled by sqrt(weight): S = Y'Y */
		double norm = (1 - lambda) / (1 - pow(lambda, (double)n));
		for (size_t t = 0; t < n; t++) {
			double w = sqrt(norm * pow(lambda, (double)(n - 1 - t)));
			for (size_t j = 0; j < m; j++)
				y[t * m + j] = w * x[t * m + j];
		}
	} else {
		for (size_t j = 0; j < m; j++) {
			double mean = 0;
			for (size_t t = 0; t < n; t++)
				mean += x[t * m + j];
			mean /= (double)n;
			for (size_t t = 0; t < n; t++)
				y[t * m + j] = x[t * m + j] - mean;
		}
		div = method == COV_SAMPLE ? (double)(n - 1) : (double)n;
	}
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)m, (int)n, 1.0 / div, y, (int)m, 0.0, S,
		    (int)m);
	symmetrize_upper_to_full(S, m);
	if (method == COV_LW) {
		/* Ledoit & Wolf (2004), as in sklearn.covariance.ledoit_wolf_shrinkage */
		double dn = (double)n, dm = (double)m, trace = 0, beta_ = 0, delta_ = 0;
		for (size_t j = 0; j < m; j++)
			trace += S[j * m + j];
		double mu = trace / dm;
		for (size_t i = 0; i < m * m; i++)
			delta_ += S[i] * S[i]; /* sum (X'X/n)^2 */
		/* beta_ = sum_ij sum_t x_ti^2 x_tj^2 / n^2 ... computed as ||X2' X2|| sum */
		for (size_t t = 0; t < n; t++) {
			double rowsq = 0;
			for (size_t j = 0; j < m; j++)
				rowsq += y[t * m + j] * y[t * m + j];
			beta_ += rowsq * rowsq;
		}
		double beta = 1.0 / (dm * dn) * (beta_ / dn - delta_);
		double delta = (delta_ - 2.0 * mu * trace + dm * mu * mu) / dm;
		if (beta > delta)
			beta = delta;
		double shrink = beta == 0 ? 0 : beta / delta;
		for (size_t i = 0; i < m * m; i++)
			S[i] *= 1 - shrink;
		for (size_t j = 0; j < m; j++)
			S[j * m + j] += shrink * mu;
		if (shrinkage)
			*shrinkage = shrink;
	}
	free(y);
	return 0;
}

void cov_scale(double *S, size_t m, const double *s)
{
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < m; j++)
			S[i * m + j] *= s[i] * s[j];
}

/* eigen-decomposition: w ascending, V columns (row-major m x m) */
static int eigen(const double *S, size_t m, double *w, double *V, qe_err *e)
{
	memcpy(V, S, m * m * sizeof *V);
	lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)m, V, (lapack_int)m, w);
	if (info != 0)
		return qe_err_set(e, QE_NUMERIC, "eigen-decomposition of the covariance failed (dsyevd info %d)",
				  (int)info);
	return 0;
}

/* S = V diag(w) V' */
static void rebuild(double *S, size_t m, const double *w, const double *V)
{
	double *VW = calloc(m * m + 1, sizeof *VW);
	if (!VW)
		return;
	for (size_t i = 0; i < m; i++)
		for (size_t k = 0; k < m; k++)
			VW[i * m + k] = V[i * m + k] * w[k];
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)m, (int)m, 1.0, VW, (int)m, V,
		    (int)m, 0.0, S, (int)m);
	free(VW);
	/* exact symmetry */
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < i; j++)
			S[i * m + j] = S[j * m + i] = 0.5 * (S[i * m + j] + S[j * m + i]);
}

int cov_psd(double *S, size_t m, int repair, size_t *nclipped, double *min_eig, qe_err *e)
{
	double *w = malloc(m * sizeof *w), *V = malloc(m * m * sizeof *V);
	int rc = 0;
	size_t clipped = 0;
	if (!w || !V) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	if ((rc = eigen(S, m, w, V, e)))
		goto out;
	if (min_eig)
		*min_eig = w[0];
	double tol = 1e-10 * fabs(w[m - 1]);
	for (size_t k = 0; k < m; k++)
		if (w[k] < -tol)
			clipped++;
	if (clipped && !repair) {
		rc = qe_err_set(e, QE_NUMERIC,
				"covariance is not positive semi-definite: %zu negative eigenvalue%s, "
				"smallest %g (use --repair to clip them)",
				clipped, clipped > 1 ? "s" : "", w[0]);
		goto out;
	}
	if (clipped) {
		for (size_t k = 0; k < m; k++)
			if (w[k] < 0)
				w[k] = 0;
		rebuild(S, m, w, V);
	}
out:
	if (nclipped)
		*nclipped = clipped;
	free(w);
	free(V);
	return rc;
}

int cov_cholesky(const double *S, size_t m, int repair, double *L, int *repaired, qe_err *e)
{
	lapack_int info;
	if (repaired)
		*repaired = 0;
	memcpy(L, S, m * m * sizeof *L);
	info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)m, L, (lapack_int)m);
	/* rounding lets an exactly singular matrix through with a pivot of
	 * 1e-20: a factor whose variance is not at least 1e-12 unexplained by
	 * the ones before it is a linear combination of them */
	for (size_t i = 0; info == 0 && i < m; i++)
		if (!(L[i * m + i] * L[i * m + i] > 1e-12 * S[i * m + i]))
			info = (lapack_int)i + 1;
	if (info != 0) {
		if (!repair)
			return qe_err_set(e, QE_NUMERIC,
					  "covariance is not positive definite: Cholesky fails at factor #%d; "
					  "use --repair to floor its eigenvalues",
					  (int)info);
		double *w = malloc(m * sizeof *w), *V = malloc(m * m * sizeof *V);
		if (!w || !V) {
			free(w);
			free(V);
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		}
		int rc = eigen(S, m, w, V, e);
		if (!rc) {
			double floor_ = 1e-12 * fabs(w[m - 1]);
			if (floor_ == 0)
				floor_ = 1e-300;
			for (size_t k = 0; k < m; k++)
				if (w[k] < floor_)
					w[k] = floor_;
			rebuild(L, m, w, V);
			info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)m, L, (lapack_int)m);
			if (info != 0)
				rc = qe_err_set(e, QE_NUMERIC, "covariance repair failed (Cholesky info %d)",
						(int)info);
		}
		free(w);
		free(V);
		if (rc)
			return rc;
		if (repaired)
			*repaired = 1;
	}
	for (size_t i = 0; i < m; i++)
		for (size_t j = i + 1; j < m; j++)
			L[i * m + j] = 0;
	return 0;
}

int cov_write_hdf5(h5file *f, const strindex *factors, const double *S, size_t m, const char *units,
		   qe_err *e)
{
	const h5tab_colspec cols[] = {
		{"factor1", H5TAB_STRING, NULL},
		{"factor2", H5TAB_STRING, NULL},
		{"cov", H5TAB_DOUBLE, units},
	};
	h5tab_writer *w = h5tab_begin(f, "cov", cols, 3, e);
	if (!w)
		return e->code;
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < m; j++) {
			const char *a = sidx_name(factors, i), *b = sidx_name(factors, j);
			h5tab_set_str(w, 0, a, strlen(a));
			h5tab_set_str(w, 1, b, strlen(b));
			h5tab_set_double(w, 2, S[i * m + j]);
			if (h5tab_end_row(w, e))
				return e->code;
		}
	return h5tab_finish(w, e);
}

long cov_cholesky_failed_at(const qe_err *e)
{
	const char *p = strstr(e->msg, "factor #");
	return p ? strtol(p + 8, NULL, 10) - 1 : -1;
}

int cov_read_csv(const char *path, const strindex *factors, double *S, qe_err *e)
{
	static const char *const cols[] = {"factor1", "factor2", "cov"};
	size_t m = sidx_count(factors);
	int idx[3], rc = 0, st;
	unsigned char *seen = calloc(m * m + 1, 1);
	csv_reader *r = seen ? csvr_open(path, e) : NULL;
	if (!seen)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (!r) {
		free(seen);
		return e->code;
	}
	if ((rc = csvr_require(r, cols, 3, idx, e)))
		goto out;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		size_t la, lb;
		double v;
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		const char *a = csvr_field(r, idx[0], &la), *b = csvr_field(r, idx[1], &lb);
		long i = sidx_find(factors, a, la), j = sidx_find(factors, b, lb);
		if (i < 0 || j < 0)
			continue;
		if ((rc = csvr_get_double(r, idx[2], &v, e)))
			goto out;
		size_t k1 = (size_t)i * m + (size_t)j, k2 = (size_t)j * m + (size_t)i;
		if (seen[k1] && S[k1] != v) {
			rc = csvr_field_error(r, idx[2], e, "covariance of '%s' and '%s' given as %g before '%s'",
					      a, b, S[k1], csvr_field(r, idx[2], NULL));
			goto out;
		}
		S[k1] = S[k2] = v;
		seen[k1] = seen[k2] = 1;
	}
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j <= i; j++)
			if (!seen[i * m + j]) {
				rc = qe_err_set(e, QE_DATA, "%s: no covariance for factors '%s' and '%s'", path,
						sidx_name(factors, i), sidx_name(factors, j));
				goto out;
			}
out:
	free(seen);
	csvr_close(r);
	return rc;
}
