/*
 * hw: Holt-Winters exponential smoothing of a regular series - one
 * seasonal period (additive or multiplicative seasonality, additive,
 * damped or no trend) or two (Taylor's 2003 double-seasonal method,
 * additive) - its one-step filter, its initial states, the fit of its
 * smoothing parameters and its forecasts.
 *
 * Conventions, fixed so that another implementation reproduces a run
 * (qe-forecast(1) states them):
 *   one period m: the recursions of statsmodels' ExponentialSmoothing
 *   (Hyndman and Athanasopoulos, section 8.3), with yhat_t = l + phi b
 *   (+ or x) s_{t-m}:
 *     add  l_t = alpha (y_t - s_{t-m}) + (1 - alpha)(l + phi b)
 *          s_t = gamma (y_t - l - phi b) + (1 - gamma) s_{t-m}
 *     mul  l_t = alpha y_t / s_{t-m} + (1 - alpha)(l + phi b)
 *          s_t = gamma y_t / (l + phi b) + (1 - gamma) s_{t-m}
 *     b_t = beta (l_t - l) + (1 - beta) phi b      (l, b: of t-1)
 *   two periods m1 < m2 (Taylor 2003, additive, no AR error term):
 *     yhat_t = l + phi b + d_{t-m1} + w_{t-m2}
 *     l_t = alpha (y_t - d_{t-m1} - w_{t-m2}) + (1 - alpha)(l + phi b)
 *     d_t = gamma (y_t - l_t - w_{t-m2}) + (1 - gamma) d_{t-m1}
 *     w_t = gamma2 (y_t - l_t - d_{t-m1}) + (1 - gamma2) w_{t-m2}
 *   no trend: b = 0; not damped: phi = 1.  The forecast k steps after the
 *   last value n is l_n + (phi + ... + phi^k) b_n with the latest
 *   seasonal of the step's phase (s_{n+k-m(floor((k-1)/m)+1)}).
 *   Initial states "heuristic" (statsmodels' initialization_method):
 *   the seasonals are the mean detrended values of the first min(5, n/m)
 *   cycles (at least enough for 10 + 2 floor(m/2) values) around a
 *   centred 2 x m moving average, normalised to mean 0 (add) or 1 (mul);
 *   level and trend are the intercept and slope of a line through the
 *   first 10 values of that moving average (x = 1..10).  With two
 *   periods the moving average is of order m2, the daily seasonal d is
 *   the mean of the weekly profile over the phases t mod m1 and the weekly
 *   w what remains.  "estimated" (hw_fit's estimate_init) starts there.
 *   The fit minimises the sum of squared one-step errors over every
 *   parameter not fixed, each in [0, 1], with GSL's Nelder-Mead simplex
 *   (nmsimplex2) on a box transform p = sin^2(u), from several starts,
 *   each restarted where it stops until it no longer improves.
 *   aic = n log(sse / n) + 2 k, as statsmodels' holtwinters: k counts
 *   every seasonal, the level, alpha, (trend and beta), (phi), fixed or
 *   not (with two periods, both seasonal sets and gamma2).
 *
 * Owns the states it allocates (hw_states_free).  Never prints, never
 * exits.
 */
#ifndef QE_FORECAST_HW_H
#define QE_FORECAST_HW_H

#include <stddef.h>

#include "core/diag.h"

enum hw_trend { HW_TREND_NONE = 0, HW_TREND_ADD };
enum hw_seasonal { HW_SEASONAL_ADD = 0, HW_SEASONAL_MUL };

/* Which parameters the caller fixes (hw_fit leaves them as given). */
enum { HW_FIX_ALPHA = 1, HW_FIX_BETA = 2, HW_FIX_GAMMA = 4, HW_FIX_GAMMA2 = 8, HW_FIX_PHI = 16 };

/* The longest seasonal period accepted. */
#define HW_PERIOD_MAX 100000

typedef struct hw_model {
	int trend;        /* enum hw_trend */
	int damped;       /* 1: phi is a parameter (needs a trend) */
	int seasonal;     /* enum hw_seasonal; two periods: add only */
	int nperiods;     /* 1, or 2 (Taylor) */
	size_t period[2]; /* m, or m1 < m2 */
} hw_model;

typedef struct hw_params {
	double alpha, beta, gamma, gamma2, phi; /* beta, gamma2, phi unused when absent */
} hw_params;

/* The states of one time: level, trend and the seasonals of the next
 * period[j] steps in order (season[j][0] applies to the next value). */
typedef struct hw_states {
	double level, trend;
	double *season[2];
} hw_states;

typedef struct hw_fit_info {
	double sse, aic;
	int starts;      /* starts run */
	int evaluations; /* SSE evaluations, all starts */
	int converged;   /* 1: the kept start's simplex shrank below tolerance */
} hw_fit_info;

/* QE_USAGE when the model is inconsistent (damped without a trend, two
 * periods multiplicative or not increasing, a period < 2). */
int hw_model_check(const hw_model *m, qe_err *e);
/* The fewest values a model takes: two cycles of the longest period and
 * 10 + 2 floor(m/2) for the initial states. */
size_t hw_min_obs(const hw_model *m);
/* The number of parameters aic counts. */
int hw_aic_k(const hw_model *m);
double hw_aic(const hw_model *m, double sse, size_t n);

int hw_states_alloc(hw_states *s, const hw_model *m, qe_err *e);
void hw_states_free(hw_states *s);

/* Reads initial states from path (HOLT-WINTERS INIT of qe-formats(5):
 * component,index,value - one level, one trend when the model has one,
 * seasonal 1..m and, with two periods, seasonal2 1..m2, seasonal i
 * applying to the i-th value).  A missing, repeated or extra state, an
 * index out of range: QE_DATA with file:line:col. */
int hw_states_read(hw_states *init, const hw_model *m, const char *path, qe_err *e);

/* The heuristic initial states of y[0..n) (header).  QE_DATA when the
 * series is too short, or, multiplicative, has a value <= 0 or a
 * moving average <= 0. */
int hw_init_heuristic(const hw_model *m, const double *y, size_t n, hw_states *init, qe_err *e);

/* Runs the recursions over y[0..n) from init and returns the sum of
 * squared one-step errors (+inf when a prediction is not finite).  With
 * fitted not NULL, the one-step predictions; with last not NULL
 * (allocated for m), the states after y[n-1]. */
double hw_filter(const hw_model *m, const hw_params *p, const hw_states *init, const double *y, size_t n,
		 double *fitted, hw_states *last);

/* The forecasts of the horizon steps after the states last. */
void hw_forecast(const hw_model *m, const hw_params *p, const hw_states *last, size_t horizon, double *out);

/* The simplex iterations a start may take (max_iter 0 in hw_fit). */
#define HW_MAX_ITER 5000

/* Fits the parameters not in fixed (a mask of HW_FIX_*) to y[0..n) from
 * init, p holding the fixed values, into p; each start takes at most
 * max_iter simplex iterations (0: HW_MAX_ITER).  With estimate_init the
 * initial states are fitted too, from init (the heuristic ones), into
 * init: the parameters by the simplex and the states by Gauss-Newton in
 * turn until a round lowers the SSE by less than 1e-8 of it.
 * QE_NUMERIC when no start converges: p holds the best iterate and e
 * names it; info is filled either way. */
int hw_fit(const hw_model *m, hw_params *p, unsigned fixed, hw_states *init, int estimate_init, const double *y,
	   size_t n, int max_iter, hw_fit_info *info, qe_err *e);

#endif
