/*
 * rolling: rolling-origin evaluation of a forecasting model (qe-forecast
 * backtest).  At each origin t = initial, initial + step, ... (while
 * t + horizon <= n) the model is fitted on y[0..t) alone and forecasts
 * y[t..t+horizon); the forecasts are scored against the actual values
 * together with those of the seasonal-naive forecast of period m,
 * y[t - m + (j mod m)] for step j = 0..horizon-1:
 *   MAE  mean |e|,  RMSE  sqrt(mean e^2),
 *   MAPE 100 mean |e / y| - NaN (undefined) when an actual is zero,
 *   MASE mean |e| / q_t, q_t = mean_{i=m..t-1} |y_i - y_{i-m}| the
 *        in-sample MAE of the seasonal-naive one-step forecast on the
 *        training values of the origin (Hyndman and Koehler 2006) - NaN
 *        when some q_t is zero.
 *
 * A model is a table entry (rolling_model): its name, the fewest
 * training values it needs, and a function that fits on the first
 * `origin` values and forecasts the next `horizon`; its data is the
 * caller's (ctx).  This module owns no model: GARCH, OLS and
 * Holt-Winters adapters are below; a new model adds its own.  Never prints, never exits.
 */
#ifndef QE_FORECAST_ROLLING_H
#define QE_FORECAST_ROLLING_H

#include <stddef.h>

#include "core/diag.h"
#include "forecast/hw.h"
#include "forecast/ols.h"

typedef int (*rolling_forecast_fn)(void *ctx, size_t origin, size_t horizon, double *out, qe_err *e);

typedef struct rolling_model {
	const char *name;
	size_t min_train;
	rolling_forecast_fn forecast;
} rolling_model;

typedef struct rolling_opts {
	size_t initial, horizon, step, period;
} rolling_opts;

typedef struct rolling_score {
	size_t origins, forecasts;
	double mae, rmse, mape, mase; /* mape, mase NaN when undefined */
} rolling_score;

/* Runs the evaluation of model m (data ctx) on the actual values y[n].
 * QE_DATA when the options leave no origin (initial below the model's
 * minimum or the period's, or initial + horizon > n); a model's error
 * at an origin is returned with that origin named. */
int rolling_run(const rolling_model *m, void *ctx, const double *y, size_t n, const rolling_opts *o,
		rolling_score *model, rolling_score *naive, qe_err *e);

/* GARCH: ctx a rolling_garch; the target is the squared return, the
 * forecast the variance path (forecast/garch.h). */
typedef struct rolling_garch {
	const double *r;
	int model, dist;
} rolling_garch;
int rolling_garch_forecast(void *ctx, size_t origin, size_t horizon, double *out, qe_err *e);

/* OLS: ctx an ols_data; fitted on rows [0, origin), the forecasts the
 * fit's means at the regressors of the next rows (known regressors). */
int rolling_ols_forecast(void *ctx, size_t origin, size_t horizon, double *out, qe_err *e);

/* Holt-Winters: ctx a rolling_hw; at each origin the heuristic initial
 * states of the training values, the parameters not in fixed fitted to
 * them (hw_fit, states not estimated), and the forecast of the next
 * values from the states after the last training value. */
typedef struct rolling_hw {
	const double *y;
	hw_model model;
	hw_params params; /* the fixed values */
	unsigned fixed;   /* HW_FIX_* */
} rolling_hw;
int rolling_hw_forecast(void *ctx, size_t origin, size_t horizon, double *out, qe_err *e);

#endif
