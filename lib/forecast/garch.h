/*
 * garch: GARCH(1,1) and GJR-GARCH(1,1) volatility models of a return
 * series, fitted by maximum likelihood, and their variance forecasts.
 *
 * Conventions, fixed so that another implementation reproduces a fit
 * (qe-forecast(1) states them):
 *   mean zero: the returns r_1..r_n are the innovations;
 *   h_1 = (1/n) sum r_t^2, the mean of the squared returns;
 *   h_t = omega + (alpha + gamma [r_{t-1} < 0]) r_{t-1}^2 + beta h_{t-1};
 *   the log-likelihood is the full one, constants included:
 *     normal  -1/2 sum (log 2pi + log h_t + r_t^2 / h_t)
 *     t(nu)   sum log G((nu+1)/2) - log G(nu/2) - 1/2 log(pi (nu-2) h_t)
 *             - (nu+1)/2 log(1 + r_t^2 / ((nu-2) h_t))
 *     (Student-t scaled to unit variance);
 *   the parameter space: omega > 0, alpha >= 0, beta >= 0, alpha + gamma
 *   >= 0 (GJR; gamma may be negative), nu > 2; stationarity is not
 *   imposed (persistence alpha + beta + gamma/2 may reach 1).
 * The fit maximises over that space with GSL's BFGS (gsl_multimin
 * vector_bfgs2, analytic gradient) on an unconstrained parameterisation
 * (omega = e^w, alpha = a^2, beta = b^2, gamma = c^2 - a^2, nu = 2 + e^v)
 * from several fixed starts, and keeps the best converged one.
 *
 * Owns nothing beyond the call.  Never prints, never exits.
 */
#ifndef QE_FORECAST_GARCH_H
#define QE_FORECAST_GARCH_H

#include <stddef.h>

#include "core/date.h"
#include "core/diag.h"

enum garch_model { GARCH_PLAIN = 0, GARCH_GJR };
enum garch_dist { GARCH_NORMAL = 0, GARCH_T };

/* The fewest returns a fit accepts. */
#define GARCH_MIN_OBS 30
/* A t fit whose nu passes this has no fat tails to speak of: it does not
 * converge in nu (QE_NUMERIC), fit the normal instead. */
#define GARCH_NU_MAX 1000.0

typedef struct garch_fit {
	int model, dist;
	double omega, alpha, beta, gamma; /* gamma 0 for GARCH_PLAIN */
	double nu;                        /* 0 for GARCH_NORMAL */
	double loglik;
	size_t n;
	double persistence; /* alpha + beta + gamma/2 */
	double half_life;   /* log(1/2) / log(persistence) days; NaN when persistence >= 1 */
	double h_next;      /* the variance of the day after the last return */
	int iterations;     /* BFGS iterations of the kept start */
} garch_fit;

/* Log-likelihood of the returns r[0..n) under the parameters of f
 * (model, dist, omega, alpha, beta, gamma, nu), by the conventions above;
 * -inf when a variance is not positive.  With h (n+1 entries) not NULL,
 * the conditional variances h_1..h_{n+1}. */
double garch_loglik(const garch_fit *f, const double *r, size_t n, double *h);

/* Fits f->model and f->dist (set by the caller) to r[0..n).  QE_DATA for
 * fewer than GARCH_MIN_OBS returns, a non-finite one or all of them zero;
 * QE_NUMERIC when no start converges, e naming the best iterate. */
int garch_estimate(garch_fit *f, const double *r, size_t n, qe_err *e);

/* The forecast variances of the days 1..horizon after the last return
 * into var[horizon]: h_{n+1}, then h_{n+k} = omega + persistence h_{n+k-1}
 * (the innovations are symmetric, so E[r^2 [r < 0]] = h/2). */
void garch_forecast(const garch_fit *f, int horizon, double *var);

/* One monthly row of a vols file made from a forecast (qe-forecast
 * garch --to-vols): the delivery month [start, end], the trading days
 * from the as-of date to its start (weekdays after asof and before
 * start, at least 1, at most the horizon) and the annualised vol of
 * the return over those days, sqrt(Y/days * sum of their variances). */
typedef struct garch_month_vol {
	qe_date start, end;
	int days;
	double vol;
} garch_month_vol;

/* The delivery months whose start lies within horizon trading days of
 * asof (weekdays counted), the first month after asof's always, into
 * out[max] from the forecast variances var[horizon]; returns how many
 * (at most max).  Y = days_per_year. */
size_t garch_month_vols(const double *var, int horizon, double days_per_year, qe_date asof,
			garch_month_vol *out, size_t max);

#endif
