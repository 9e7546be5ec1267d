/*
 * ols: ordinary least squares with an intercept - coefficients, their
 * standard errors (classical, or Newey-West HAC), t statistics and
 * p-values, R^2, adjusted R^2 and the F test of all slopes - by the QR
 * decomposition of LAPACK (dgeqrf), and the reading of its columns from
 * a CSV.
 *
 * Conventions, those of statsmodels' OLS so that the two agree: the
 * classical covariance is s^2 (X'X)^-1 with s^2 = SSR / (n - k); the
 * Newey-West covariance with L lags is (X'X)^-1 S (X'X)^-1 (no small-
 * sample factor),
 * S = sum_t u_t u_t' + sum_{l=1..L} (1 - l/(L+1)) sum_t (u_t u_{t-l}' +
 * u_{t-l} u_t'), u_t = x_t e_t (Bartlett weights); p-values of t use
 * Student's t with n - k degrees of freedom, and with HAC the normal law;
 * F is the Wald statistic of all slopes zero divided by k - 1 (the
 * classical F without HAC), its p-value from F(k-1, n-k).
 *
 * Owns its arrays (ols_data_free, ols_result_free).  Never prints.
 */
#ifndef QE_FORECAST_OLS_H
#define QE_FORECAST_OLS_H

#include <stddef.h>

#include "core/diag.h"
#include "io/csvio.h"

typedef struct ols_data {
	size_t n, nx;  /* observations, regressors (the intercept not counted) */
	double *y;     /* y[i] */
	double *x;     /* x[i * nx + j] */
	char **names;  /* the nx regressor names */
	char yname[256];
} ols_data;

/* Reads columns ycol and xcols[0..nx) of the CSV at path ("-": stdin);
 * every value a finite number (QE_DATA with file:line:col else). */
int ols_read_csv(ols_data *d, const char *path, const char *ycol, const char *const *xcols, size_t nx,
		 qe_err *e);
void ols_data_free(ols_data *d);

typedef struct ols_result {
	size_t n, k;      /* observations, coefficients (intercept first) */
	double *coef, *se, *t, *p;
	double *cov;      /* k x k covariance of coef (classical or HAC), row-major */
	double r2, adj_r2, f, f_p, sigma;
	int hac_lags;     /* -1: classical errors */
} ols_result;

/* Fits y on an intercept and the regressors; hac_lags >= 0 asks for
 * Newey-West errors with that many lags.  QE_DATA when n <= k; QE_NUMERIC
 * when the regressors (with the intercept) are collinear, naming the
 * first that is. */
int ols_fit(const ols_data *d, int hac_lags, ols_result *r, qe_err *e);
void ols_result_free(ols_result *r);

/* The prediction of a fit at the regressors x[0..k-1) (intercept not
 * included), statsmodels' get_prediction().summary_frame(alpha = 1 -
 * level): the mean x'b, its standard error sqrt(x' V x) with V the
 * fit's coefficient covariance, the confidence interval of the mean and
 * the prediction interval of an observation, mean -+ t se with se^2 =
 * mean_se^2 + sigma^2 for the latter, t the 1 - (1 - level)/2 quantile of
 * Student's t with n - k degrees of freedom. */
typedef struct ols_prediction {
	double mean, mean_se, mean_lo, mean_hi, obs_lo, obs_hi;
} ols_prediction;
/* The fit as REGRESSION rows term,coef,se,t,p (intercept "const"
 * first) and its summary row n,k,r2,adj_r2,f,f_p,sigma,hac_lags
 * (qe-formats(5)), headers included. */
void ols_write_coefficients(csv_writer *w, const ols_data *d, const ols_result *r);
void ols_write_summary(csv_writer *w, const ols_result *r);

void ols_predict(const ols_result *r, const double *x, double level, ols_prediction *p);

#endif
