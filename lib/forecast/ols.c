/* OLS with intercept on LAPACK's QR, classical and Newey-West errors
 * (ols.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <lapacke.h>

#include "core/grow.h"
#include "forecast/ols.h"
#include "io/csvio.h"
#include "io/formats.h"

void ols_data_free(ols_data *d)
{
	if (d->names)
		for (size_t j = 0; j < d->nx; j++)
			free(d->names[j]);
	free(d->names);
	free(d->y);
	free(d->x);
	memset(d, 0, sizeof *d);
}

int ols_read_csv(ols_data *d, const char *path, const char *ycol, const char *const *xcols, size_t nx,
		 qe_err *e)
{
	size_t cap = 0;
	int rc = 0, st;
	int *idx = malloc((nx + 1) * sizeof *idx);
	const char **cols = malloc((nx + 1) * sizeof *cols);
	csv_reader *r = NULL;
	memset(d, 0, sizeof *d);
	d->nx = nx;
	snprintf(d->yname, sizeof d->yname, "%s", ycol);
	d->names = calloc(nx ? nx : 1, sizeof *d->names);
	if (!idx || !cols || !d->names) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	cols[0] = ycol;
	for (size_t j = 0; j < nx; j++) {
		cols[j + 1] = xcols[j];
		if (!(d->names[j] = strdup(xcols[j]))) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
	}
	if (!(r = csvr_open(path, e))) {
		rc = e->code;
		goto out;
	}
	if ((rc = csvr_require(r, cols, (int)nx + 1, idx, e)))
		goto out;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		const grow_array a[] = {GROW_ARRAY(d->y), {&d->x, (nx ? nx : 1) * sizeof *d->x}};
		if (grow_arrays(d->n, &cap, 1024, a, 2)) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		if ((rc = csvr_get_double(r, idx[0], &d->y[d->n], e)))
			goto out;
		for (size_t j = 0; j < nx; j++)
			if ((rc = csvr_get_double(r, idx[j + 1], &d->x[d->n * nx + j], e)))
				goto out;
		d->n++;
	}
out:
	if (r)
		csvr_close(r);
	free(idx);
	free(cols);
	if (rc)
		ols_data_free(d);
	return rc;
}

void ols_result_free(ols_result *r)
{
	free(r->coef);
	free(r->se);
	free(r->t);
	free(r->p);
	free(r->cov);
	memset(r, 0, sizeof *r);
}

/* The HAC middle matrix S (k x k, row-major) of the scores u_t = x_t e_t
 * (X row-major n x k). */
static void newey_west(const double *X, const double *res, size_t n, size_t k, int lags, double *S)
{
	memset(S, 0, k * k * sizeof *S);
	for (int l = 0; l <= lags; l++) {
		double w = l == 0 ? 1 : 1 - (double)l / (lags + 1);
		for (size_t t = (size_t)l; t < n; t++) {
			const double *a = X + t * k, *b = X + (t - (size_t)l) * k;
			double ee = w * res[t] * res[t - (size_t)l];
			for (size_t i = 0; i < k; i++)
				for (size_t j = 0; j < k; j++) {
					S[i * k + j] += ee * a[i] * b[j];
					if (l > 0)
						S[i * k + j] += ee * b[i] * a[j];
				}
		}
	}
}

int ols_fit(const ols_data *d, int hac_lags, ols_result *r, qe_err *e)
{
	size_t n = d->n, k = d->nx + 1;
	int rc = 0;
	memset(r, 0, sizeof *r);
	r->hac_lags = hac_lags;
	r->n = n;
	r->k = k;
	if (n <= k)
		return qe_err_set(e, QE_DATA, "%zu observations for %zu coefficients: OLS needs more observations than coefficients",
				  n, k);
	double *X = malloc(n * k * sizeof *X), *QR = malloc(n * k * sizeof *QR), *qty = malloc(n * sizeof *qty);
	double *tau = malloc(k * sizeof *tau), *Rinv = calloc(k * k, sizeof *Rinv), *V = calloc(k * k, sizeof *V);
	double *res = malloc(n * sizeof *res), *S = malloc(k * k * sizeof *S), *T = malloc(k * k * sizeof *T);
	r->coef = calloc(k, sizeof *r->coef);
	r->se = calloc(k, sizeof *r->se);
	r->t = calloc(k, sizeof *r->t);
	r->p = calloc(k, sizeof *r->p);
	r->cov = calloc(k * k, sizeof *r->cov);
	if (!r->cov || !X || !QR || !qty || !tau || !Rinv || !V || !res || !S || !T || !r->coef || !r->se || !r->t || !r->p) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		X[i * k] = 1;
		for (size_t j = 1; j < k; j++)
			X[i * k + j] = d->x[i * d->nx + j - 1];
	}
	memcpy(QR, X, n * k * sizeof *QR);
	memcpy(qty, d->y, n * sizeof *qty);
	lapack_int info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)k, QR, (lapack_int)k, tau);
	if (info != 0) {
		rc = qe_err_set(e, QE_NUMERIC, "QR decomposition failed (LAPACKE_dgeqrf info %d)", (int)info);
		goto out;
	}
	/* a diagonal of R tiny against its column's norm: that column is
	 * (nearly) a combination of the ones before it */
	for (size_t j = 0; j < k; j++) {
		double norm = 0;
		for (size_t i = 0; i < n; i++)
			norm += X[i * k + j] * X[i * k + j];
		if (!(fabs(QR[j * k + j]) > 1e-10 * sqrt(norm))) {
			rc = qe_err_set(e, QE_NUMERIC, "regressor '%s' is collinear with the intercept%s (rank-deficient design)",
					j == 0 ? "const" : d->names[j - 1], j > 1 ? " and the regressors before it" : "");
			goto out;
		}
	}
	info = LAPACKE_dormqr(LAPACK_ROW_MAJOR, 'L', 'T', (lapack_int)n, 1, (lapack_int)k, QR, (lapack_int)k, tau,
			      qty, 1);
	if (info != 0) {
		rc = qe_err_set(e, QE_NUMERIC, "LAPACKE_dormqr info %d", (int)info);
		goto out;
	}
	/* R b = (Q'y)[0..k); R^-1 for (X'X)^-1 = R^-1 R^-T */
	for (size_t i = 0; i < k; i++)
		for (size_t j = i; j < k; j++)
			Rinv[i * k + j] = QR[i * k + j];
	memcpy(r->coef, qty, k * sizeof *r->coef);
	info = LAPACKE_dtrtrs(LAPACK_ROW_MAJOR, 'U', 'N', 'N', (lapack_int)k, 1, Rinv, (lapack_int)k, r->coef, 1);
	if (info == 0)
		info = LAPACKE_dtrtri(LAPACK_ROW_MAJOR, 'U', 'N', (lapack_int)k, Rinv, (lapack_int)k);
	if (info != 0) {
		rc = qe_err_set(e, QE_NUMERIC, "triangular solve failed (LAPACK info %d)", (int)info);
		goto out;
	}
	double ybar = 0, ssr = 0, sst = 0;
	for (size_t i = 0; i < n; i++)
		ybar += d->y[i];
	ybar /= (double)n;
	for (size_t i = 0; i < n; i++) {
		double fit = 0;
		for (size_t j = 0; j < k; j++)
			fit += X[i * k + j] * r->coef[j];
		res[i] = d->y[i] - fit;
		ssr += res[i] * res[i];
		sst += (d->y[i] - ybar) * (d->y[i] - ybar);
	}
	double dof = (double)(n - k), s2 = ssr / dof;
	r->sigma = sqrt(s2);
	r->r2 = sst > 0 ? 1 - ssr / sst : NAN;
	r->adj_r2 = 1 - (1 - r->r2) * (double)(n - 1) / dof;
	/* (X'X)^-1 = Rinv Rinv' into T */
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++) {
			double s = 0;
			for (size_t m = (i > j ? i : j); m < k; m++)
				s += Rinv[i * k + m] * Rinv[j * k + m];
			T[i * k + j] = s;
		}
	if (hac_lags < 0) {
		for (size_t i = 0; i < k * k; i++)
			V[i] = s2 * T[i];
	} else {
		double *M = Rinv; /* reused: T S */
		newey_west(X, res, n, k, hac_lags, S);
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < k; j++) {
				double s = 0;
				for (size_t m = 0; m < k; m++)
					s += T[i * k + m] * S[m * k + j];
				M[i * k + j] = s;
			}
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < k; j++) {
				double s = 0;
				for (size_t m = 0; m < k; m++)
					s += M[i * k + m] * T[m * k + j];
				V[i * k + j] = s;
			}
	}
	memcpy(r->cov, V, k * k * sizeof *V);
	for (size_t j = 0; j < k; j++) {
		r->se[j] = sqrt(V[j * k + j]);
		r->t[j] = r->coef[j] / r->se[j];
		r->p[j] = hac_lags < 0 ? 2 * gsl_cdf_tdist_Q(fabs(r->t[j]), dof) : 2 * gsl_cdf_ugaussian_Q(fabs(r->t[j]));
	}
	r->f = r->f_p = NAN;
	if (k > 1) {
		/* Wald statistic of the slopes: b' V_s^-1 b over the slope block */
		size_t q = k - 1;
		for (size_t i = 0; i < q; i++)
			for (size_t j = 0; j < q; j++)
				S[i * q + j] = V[(i + 1) * k + j + 1];
		info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', (lapack_int)q, S, (lapack_int)q);
		if (info == 0) {
			memcpy(qty, r->coef + 1, q * sizeof *qty);
			info = LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'U', (lapack_int)q, 1, S, (lapack_int)q, qty, 1);
		}
		if (info != 0) {
			rc = qe_err_set(e, QE_NUMERIC, "the covariance of the slopes is not positive definite");
			goto out;
		}
		double w = 0;
		for (size_t i = 0; i < q; i++)
			w += r->coef[i + 1] * qty[i];
		r->f = w / (double)q;
		r->f_p = gsl_cdf_fdist_Q(r->f, (double)q, dof);
	}
out:
	free(X);
	free(QR);
	free(qty);
	free(tau);
	free(Rinv);
	free(V);
	free(res);
	free(S);
	free(T);
	if (rc)
		ols_result_free(r);
	return rc;
}

void ols_predict(const ols_result *r, const double *x, double level, ols_prediction *p)
{
	size_t k = r->k;
	double mean = r->coef[0], q = 0;
	for (size_t j = 1; j < k; j++)
		mean += r->coef[j] * x[j - 1];
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++)
			q += (i ? x[i - 1] : 1) * r->cov[i * k + j] * (j ? x[j - 1] : 1);
	double t = gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, (double)(r->n - k));
	double se = sqrt(q > 0 ? q : 0), obs = sqrt(q + r->sigma * r->sigma);
	p->mean = mean;
	p->mean_se = se;
	p->mean_lo = mean - t * se;
	p->mean_hi = mean + t * se;
	p->obs_lo = mean - t * obs;
	p->obs_hi = mean + t * obs;
}

static void write_opt(csv_writer *w, double v)
{
	if (isnan(v))
		csvw_empty(w);
	else
		csvw_double(w, v);
}

void ols_write_coefficients(csv_writer *w, const ols_data *d, const ols_result *r)
{
	csvw_header_of(w, FMT_REGRESSION);
	for (size_t j = 0; j < r->k; j++) {
		csvw_str(w, j == 0 ? "const" : d->names[j - 1]);
		csvw_double(w, r->coef[j]);
		csvw_double(w, r->se[j]);
		csvw_double(w, r->t[j]);
		csvw_double(w, r->p[j]);
		csvw_end(w);
	}
}

void ols_write_summary(csv_writer *w, const ols_result *r)
{
	csvw_header_of(w, FMT_REGRESSION_FIT);
	csvw_int(w, (int64_t)r->n);
	csvw_int(w, (int64_t)r->k);
	csvw_double(w, r->r2);
	csvw_double(w, r->adj_r2);
	write_opt(w, r->f);
	write_opt(w, r->f_p);
	csvw_double(w, r->sigma);
	if (r->hac_lags >= 0)
		csvw_int(w, r->hac_lags);
	else
		csvw_empty(w);
	csvw_end(w);
}
