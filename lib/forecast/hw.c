/* Holt-Winters and Taylor's double-seasonal exponential smoothing (hw.h):
 * the one-step filter on seasonal rings, the heuristic initial states,
 * the SSE fit with GSL's simplex, the forecasts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <lapacke.h>

#include "forecast/hw.h"
#include "io/csvio.h"
#include "io/formats.h"

/* A prediction this far from finite makes the SSE a wall for the simplex. */
#define HW_WALL 1e10
/* The simplex has converged when its size (mean distance of its
 * vertices from their centre, in u) is below this. */
#define HW_SIZE_TOL 1e-8

int hw_model_check(const hw_model *m, qe_err *e)
{
	if (m->nperiods < 1 || m->nperiods > 2)
		return qe_err_set(e, QE_USAGE, "one or two seasonal periods");
	for (int j = 0; j < m->nperiods; j++)
		if (m->period[j] < 2 || m->period[j] > HW_PERIOD_MAX)
			return qe_err_set(e, QE_USAGE, "a seasonal period is an integer in [2, %d]", HW_PERIOD_MAX);
	if (m->nperiods == 2 && m->period[1] <= m->period[0])
		return qe_err_set(e, QE_USAGE, "the second period must be longer than the first (24,168)");
	if (m->nperiods == 2 && m->seasonal == HW_SEASONAL_MUL)
		return qe_err_set(e, QE_USAGE, "two periods (Taylor's method) are additive only");
	if (m->damped && m->trend == HW_TREND_NONE)
		return qe_err_set(e, QE_USAGE, "a damped trend needs a trend");
	return 0;
}

size_t hw_min_obs(const hw_model *m)
{
	size_t top = m->period[m->nperiods - 1];
	size_t a = 2 * top, b = 10 + 2 * (top / 2);
	return a > b ? a : b;
}

int hw_aic_k(const hw_model *m)
{
	int k = (int)m->period[0] + 2 * (m->trend != HW_TREND_NONE) + 2 + (m->damped != 0);
	if (m->nperiods == 2)
		k += (int)m->period[1] + 1;
	return k;
}

double hw_aic(const hw_model *m, double sse, size_t n)
{
	return (double)n * log(sse / (double)n) + 2.0 * hw_aic_k(m);
}

int hw_states_alloc(hw_states *s, const hw_model *m, qe_err *e)
{
	memset(s, 0, sizeof *s);
	for (int j = 0; j < m->nperiods; j++)
		if (!(s->season[j] = calloc(m->period[j], sizeof(double)))) {
			hw_states_free(s);
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		}
	return 0;
}

void hw_states_free(hw_states *s)
{
	free(s->season[0]);
	free(s->season[1]);
	s->season[0] = s->season[1] = NULL;
}

/* --- initial states from a file ---------------------------------------- */

int hw_states_read(hw_states *init, const hw_model *m, const char *path, qe_err *e)
{
	static const char *const names[] = {"level", "trend", "seasonal", "seasonal2"};
	const char *cols[3] = {"component", "index", "value"};
	int idx[3], rc, st;
	size_t have[4] = {0, 0, 0, 0};
	unsigned char *seen[2] = {NULL, NULL};
	csv_reader *r = csvr_open(path, e);
	if (!r)
		return e->code;
	if ((rc = csvr_require(r, cols, 3, idx, e)))
		goto out;
	for (int j = 0; j < m->nperiods; j++)
		if (!(seen[j] = calloc(m->period[j], 1))) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		size_t len;
		int c = -1;
		double v;
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		const char *f = csvr_field(r, idx[0], &len);
		for (int k = 0; k < 4; k++)
			if (len == strlen(names[k]) && memcmp(f, names[k], len) == 0)
				c = k;
		if (c < 0 || (c == 1 && m->trend == HW_TREND_NONE) || (c == 3 && m->nperiods < 2)) {
			rc = csvr_field_error(r, idx[0], e, "component '%s' is not a state of this model (%s)", f,
					      m->nperiods == 2 ? (m->trend ? "level, trend, seasonal, seasonal2"
									   : "level, seasonal, seasonal2")
							       : (m->trend ? "level, trend, seasonal" : "level, seasonal"));
			goto out;
		}
		if ((rc = csvr_get_double(r, idx[2], &v, e)))
			goto out;
		if (c < 2) {
			if (!csvr_is_empty(r, idx[1])) {
				rc = csvr_field_error(r, idx[1], e, "the %s has no index", names[c]);
				goto out;
			}
			if (have[c]++) {
				rc = csvr_field_error(r, idx[0], e, "a second %s", names[c]);
				goto out;
			}
			if (c == 0)
				init->level = v;
			else
				init->trend = v;
			continue;
		}
		int64_t i;
		size_t per = m->period[c - 2];
		if ((rc = csvr_get_int64(r, idx[1], &i, e)))
			goto out;
		if (i < 1 || (uint64_t)i > per) {
			rc = csvr_field_error(r, idx[1], e, "%s index %lld out of 1..%zu", names[c], (long long)i, per);
			goto out;
		}
		if (seen[c - 2][i - 1]++) {
			rc = csvr_field_error(r, idx[1], e, "a second %s %lld", names[c], (long long)i);
			goto out;
		}
		if (m->seasonal == HW_SEASONAL_MUL && !(v > 0)) {
			rc = csvr_field_error(r, idx[2], e, "a multiplicative seasonal must be positive '%s'",
					      csvr_field(r, idx[2], NULL));
			goto out;
		}
		init->season[c - 2][i - 1] = v;
		have[c]++;
	}
	if (!have[0] || (m->trend != HW_TREND_NONE && !have[1]) || have[2] != m->period[0] ||
	    (m->nperiods == 2 && have[3] != m->period[1]))
		rc = qe_err_set(e, QE_DATA,
				"%s: incomplete initial states: level %zu of 1, trend %zu of %d, seasonal %zu of %zu, seasonal2 %zu of %zu",
				csvr_name(r), have[0], have[1], m->trend != HW_TREND_NONE, have[2], m->period[0], have[3],
				m->nperiods == 2 ? m->period[1] : 0);
out:
	free(seen[0]);
	free(seen[1]);
	csvr_close(r);
	return rc;
}

/* --- heuristic initial states ------------------------------------------ */

/* The centred moving average of order p (2 x p when p is even) at i of
 * the values x[0..len) whose running sums are csum, as pandas'
 * rolling(p, center=True) (then shift(-1) and rolling(2) for even p)
 * gives it; NaN where the window leaves x. */
static double centred_ma(size_t len, size_t p, size_t i, const double *csum)
{
	if (p % 2) {
		size_t h = (p - 1) / 2;
		if (i < h || i + h >= len)
			return NAN;
		return (csum[i + h + 1] - csum[i - h]) / (double)p;
	}
	size_t h = p / 2;
	/* MA(i) = mean x[i-h .. i+h-1]; the 2 x p average is (MA(i) + MA(i+1)) / 2 */
	if (i < h || i + h >= len)
		return NAN;
	double a = (csum[i + h] - csum[i - h]) / (double)p;
	double b = (csum[i + h + 1] - csum[i - h + 1]) / (double)p;
	return 0.5 * (a + b);
}

/* Least squares line through v[0..10) at x = 1..10: intercept, slope. */
static void line10(const double *v, double *intercept, double *slope)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	for (int i = 0; i < 10; i++) {
		double x = i + 1;
		sx += x;
		sy += v[i];
		sxx += x * x;
		sxy += x * v[i];
	}
	*slope = (10 * sxy - sx * sy) / (10 * sxx - sx * sx);
	*intercept = (sy - *slope * sx) / 10;
}

int hw_init_heuristic(const hw_model *m, const double *y, size_t n, hw_states *init, qe_err *e)
{
	size_t p = m->period[m->nperiods - 1];
	size_t min_obs = 10 + 2 * (p / 2);
	if (n < hw_min_obs(m))
		return qe_err_set(e, QE_DATA, "%zu values; the heuristic initial states need at least %zu (two cycles of %zu)",
				  n, hw_min_obs(m), p);
	size_t k = n / p < 5 ? n / p : 5;
	size_t kmin = (min_obs + p - 1) / p;
	if (k < kmin)
		k = kmin;
	size_t len = k * p < n ? k * p : n;
	double *csum = malloc((len + 1) * sizeof *csum), *trend = malloc(len * sizeof *trend);
	double *sum = calloc(p, sizeof *sum);
	size_t *cnt = calloc(p, sizeof *cnt), nt = 0;
	int rc = 0;
	if (!csum || !trend || !sum || !cnt) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	csum[0] = 0;
	for (size_t i = 0; i < len; i++)
		csum[i + 1] = csum[i] + y[i];
	for (size_t i = 0; i < len; i++) {
		double t = centred_ma(len, p, i, csum);
		if (isnan(t))
			continue;
		if (m->seasonal == HW_SEASONAL_MUL && !(t > 0)) {
			rc = qe_err_set(e, QE_DATA, "value %zu: the moving average %g is not positive (multiplicative seasonality)",
					i + 1, t);
			goto out;
		}
		sum[i % p] += m->seasonal == HW_SEASONAL_MUL ? y[i] / t : y[i] - t;
		cnt[i % p]++;
		trend[nt++] = t;
	}
	if (nt < 10) {
		rc = qe_err_set(e, QE_DATA, "%zu values; the heuristic initial states need at least %zu", n, min_obs);
		goto out;
	}
	double mean = 0;
	for (size_t j = 0; j < p; j++) {
		sum[j] = cnt[j] ? sum[j] / (double)cnt[j] : NAN;
		mean += sum[j];
	}
	mean /= (double)p;
	for (size_t j = 0; j < p; j++)
		sum[j] = m->seasonal == HW_SEASONAL_MUL ? sum[j] / mean : sum[j] - mean;
	if (m->nperiods == 1) {
		memcpy(init->season[0], sum, p * sizeof *sum);
	} else {
		/* the daily profile: the weekly one averaged over each phase t mod m1 */
		size_t m1 = m->period[0];
		double *d = init->season[0], dmean = 0;
		size_t *dc = calloc(m1, sizeof *dc);
		if (!dc) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		memset(d, 0, m1 * sizeof *d);
		for (size_t j = 0; j < p; j++) {
			d[j % m1] += sum[j];
			dc[j % m1]++;
		}
		for (size_t j = 0; j < m1; j++) {
			d[j] /= (double)dc[j];
			dmean += d[j];
		}
		dmean /= (double)m1;
		for (size_t j = 0; j < m1; j++)
			d[j] -= dmean;
		for (size_t j = 0; j < p; j++)
			init->season[1][j] = sum[j] - d[j % m1];
		free(dc);
	}
	double level, slope;
	line10(trend, &level, &slope);
	init->level = level;
	init->trend = m->trend == HW_TREND_NONE ? 0 : slope;
out:
	free(csum);
	free(trend);
	free(sum);
	free(cnt);
	return rc;
}

/* --- the filter ---------------------------------------------------------- */

double hw_filter(const hw_model *m, const hw_params *p, const hw_states *init, const double *y, size_t n,
		 double *fitted, hw_states *last)
{
	size_t m1 = m->period[0], m2 = m->nperiods == 2 ? m->period[1] : 1;
	double *s = malloc((m1 + m2) * sizeof *s), *w = s + m1;
	double l = init->level, b = m->trend == HW_TREND_NONE ? 0 : init->trend;
	double phi = m->damped ? p->phi : 1, sse = 0;
	double a = p->alpha, be = p->beta, g = p->gamma, g2 = p->gamma2;
	int has_trend = m->trend != HW_TREND_NONE;
	size_t i1 = 0, i2 = 0;
	if (!s)
		return NAN;
	memcpy(s, init->season[0], m1 * sizeof *s);
	if (m->nperiods == 2)
		memcpy(w, init->season[1], m2 * sizeof *w);
	for (size_t t = 0; t < n; t++) {
		double lb = l + phi * b, pred, ln;
		double sd = s[i1];
		if (m->nperiods == 2) {
			double sw = w[i2];
			pred = lb + sd + sw;
			ln = a * (y[t] - sd - sw) + (1 - a) * lb;
			s[i1] = g * (y[t] - ln - sw) + (1 - g) * sd;
			w[i2] = g2 * (y[t] - ln - sd) + (1 - g2) * sw;
		} else if (m->seasonal == HW_SEASONAL_MUL) {
			pred = lb * sd;
			ln = a * y[t] / sd + (1 - a) * lb;
			s[i1] = g * y[t] / lb + (1 - g) * sd;
		} else {
			pred = lb + sd;
			ln = a * (y[t] - sd) + (1 - a) * lb;
			s[i1] = g * (y[t] - lb) + (1 - g) * sd;
		}
		if (has_trend)
			b = be * (ln - l) + (1 - be) * phi * b;
		l = ln;
		if (fitted)
			fitted[t] = pred;
		double err = y[t] - pred;
		sse += err * err;
		if (++i1 == m1)
			i1 = 0;
		if (++i2 == m2)
			i2 = 0;
	}
	if (last) {
		last->level = l;
		last->trend = b;
		for (size_t k = 0; k < m1; k++)
			last->season[0][k] = s[(i1 + k) % m1];
		if (m->nperiods == 2)
			for (size_t k = 0; k < m2; k++)
				last->season[1][k] = w[(i2 + k) % m2];
	}
	free(s);
	return isfinite(sse) ? sse : INFINITY;
}

void hw_forecast(const hw_model *m, const hw_params *p, const hw_states *last, size_t horizon, double *out)
{
	double phi = m->damped ? p->phi : 1, damp = 0, pw = 1;
	for (size_t k = 0; k < horizon; k++) {
		pw *= phi;
		damp += pw;
		double lb = last->level + (m->trend == HW_TREND_NONE ? 0 : damp * last->trend);
		double sd = last->season[0][k % m->period[0]];
		if (m->nperiods == 2)
			out[k] = lb + sd + last->season[1][k % m->period[1]];
		else
			out[k] = m->seasonal == HW_SEASONAL_MUL ? lb * sd : lb + sd;
	}
}

/* --- the fit -------------------------------------------------------------- */

typedef struct hw_problem {
	const hw_model *m;
	const hw_states *init;
	const double *y;
	size_t n;
	hw_params base;  /* the fixed values */
	int index[5];    /* the free parameters, 0 alpha .. 4 phi */
	int nfree;
	double scale;    /* the SSE of the mean forecast: the objective is relative */
	int evaluations;
} hw_problem;

static double *param_slot(hw_params *p, int i)
{
	switch (i) {
	case 0: return &p->alpha;
	case 1: return &p->beta;
	case 2: return &p->gamma;
	case 3: return &p->gamma2;
	default: return &p->phi;
	}
}

static hw_params params_of(const hw_problem *pr, const gsl_vector *u)
{
	hw_params p = pr->base;
	for (int k = 0; k < pr->nfree; k++) {
		double s = sin(gsl_vector_get(u, (size_t)k));
		*param_slot(&p, pr->index[k]) = s * s;
	}
	return p;
}

static double objective(const gsl_vector *u, void *ctx)
{
	hw_problem *pr = ctx;
	hw_params p = params_of(pr, u);
	pr->evaluations++;
	double sse = hw_filter(pr->m, &p, pr->init, pr->y, pr->n, NULL, NULL);
	double f = sse / pr->scale;
	return isfinite(f) && f < HW_WALL ? f : HW_WALL;
}

/* One simplex run from u: returns 1 when its size fell below tolerance
 * within max_iter iterations, -1 when out of memory; u and f are the
 * best vertex's. */
static int simplex(hw_problem *pr, gsl_vector *u, double step, int max_iter, double *f)
{
	size_t k = (size_t)pr->nfree;
	gsl_multimin_function fn = {objective, k, pr};
	gsl_multimin_fminimizer *s = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, k);
	gsl_vector *ss = gsl_vector_alloc(k);
	int converged = 0;
	if (!s || !ss) {
		if (s)
			gsl_multimin_fminimizer_free(s);
		if (ss)
			gsl_vector_free(ss);
		return -1;
	}
	gsl_vector_set_all(ss, step);
	if (gsl_multimin_fminimizer_set(s, &fn, u, ss) == GSL_SUCCESS) {
		double fbest = gsl_multimin_fminimizer_minimum(s);
		int since = 0, window = 50 * ((int)k + 1);
		for (int it = 0; it < max_iter; it++) {
			if (gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS)
				break;
			if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), HW_SIZE_TOL) == GSL_SUCCESS) {
				converged = 1;
				break;
			}
			/* a parameter at a bound of the box is flat in u there, and the
			 * simplex may roll along it without shrinking: no gain over a
			 * long window is convergence too */
			double fnow = gsl_multimin_fminimizer_minimum(s);
			if (fnow < fbest - 1e-13 * fabs(fbest)) {
				fbest = fnow;
				since = 0;
			} else if (++since >= window) {
				converged = 1;
				break;
			}
		}
		gsl_vector_memcpy(u, gsl_multimin_fminimizer_x(s));
		*f = gsl_multimin_fminimizer_minimum(s);
	} else {
		*f = objective(u, pr);
	}
	gsl_multimin_fminimizer_free(s);
	gsl_vector_free(ss);
	return converged;
}

/* --- estimated initial states ------------------------------------------- */

static size_t nstates(const hw_model *m)
{
	return 1 + (m->trend != HW_TREND_NONE) + m->period[0] + (m->nperiods == 2 ? m->period[1] : 0);
}

static double *state_slot(const hw_model *m, hw_states *s, size_t j)
{
	if (j == 0)
		return &s->level;
	j--;
	if (m->trend != HW_TREND_NONE) {
		if (j == 0)
			return &s->trend;
		j--;
	}
	if (j < m->period[0])
		return &s->season[0][j];
	return &s->season[1][j - m->period[0]];
}

/* The one-step errors y - yhat under p from the states st into r. */
static double residuals(const hw_model *m, const hw_params *p, const hw_states *st, const double *y, size_t n,
			double *r)
{
	double sse = hw_filter(m, p, st, y, n, r, NULL);
	for (size_t t = 0; t < n; t++)
		r[t] = y[t] - r[t];
	return sse;
}

/* Gauss-Newton on the initial states and the np free parameters pidx of
 * p (kept in [0, 1] by projection): the errors are linear in the states
 * of an additive model, so with the parameters fixed one step is exact;
 * the parameters join so that a direction coupling them with the states
 * (beta with the initial trend) is not left to alternation.  The Jacobian is of forward differences; the step
 * solves its least squares by LAPACK's rank-revealing QR (dgelsy: the
 * level and the mean seasonal trade off exactly in an additive model, so
 * the Jacobian is rank deficient, and with both seasonal smoothings near
 * zero a daily pattern trades off between Taylor's two seasonal sets
 * nearly so: directions below 1e-7 of the largest are not moved along),
 * halved until the SSE falls; an additive model's seasonal means then go
 * into the level, which leaves every prediction as it is.  Returns
 * the SSE, init updated; NaN when out of memory. */
static double estimate_states(const hw_model *m, hw_params *p, const int *pidx, int np, hw_states *init,
			      const double *y, size_t n)
{
	size_t ks = nstates(m), k = ks + (size_t)np;
	double *J = malloc(n * k * sizeof *J), *r0 = malloc(n * sizeof *r0), *rj = malloc(n * sizeof *rj);
	double *x0 = malloc(k * sizeof *x0);
	lapack_int *jpvt = calloc(k, sizeof *jpvt);
	hw_states trial = {0, 0, {NULL, NULL}};
	double sse = NAN;
	qe_err e;
	if (!J || !r0 || !rj || !x0 || !jpvt || hw_states_alloc(&trial, m, &e))
		goto out;
	sse = residuals(m, p, init, y, n, r0);
	for (int it = 0; it < 20 && isfinite(sse); it++) {
		for (size_t j = 0; j < k; j++) {
			double *slot = j < ks ? state_slot(m, init, j) : param_slot(p, pidx[j - ks]);
			double keep = *slot, h = j < ks ? 1e-4 * (1 + fabs(keep)) : keep > 0.5 ? -1e-7 : 1e-7;
			*slot = keep + h;
			residuals(m, p, init, y, n, rj);
			*slot = keep;
			for (size_t t = 0; t < n; t++)
				J[j * n + t] = (rj[t] - r0[t]) / h; /* column major */
			x0[j] = keep;
		}
		/* min |J d + r0|: solve J d = -r0 */
		for (size_t t = 0; t < n; t++)
			rj[t] = -r0[t];
		memset(jpvt, 0, k * sizeof *jpvt);
		lapack_int rank;
		if (LAPACKE_dgelsy(LAPACK_COL_MAJOR, (lapack_int)n, (lapack_int)k, 1, J, (lapack_int)n, rj, (lapack_int)n,
				   jpvt, 1e-7, &rank) != 0)
			break;
		int improved = 0;
		for (double step = 1; step > 1e-6 && !improved; step /= 2) {
			trial.level = init->level;
			trial.trend = init->trend;
			for (int q = 0; q < m->nperiods; q++)
				memcpy(trial.season[q], init->season[q], m->period[q] * sizeof(double));
			hw_params tp = *p;
			for (size_t j = 0; j < ks; j++)
				*state_slot(m, &trial, j) = x0[j] + step * rj[j];
			for (size_t j = ks; j < k; j++)
				*param_slot(&tp, pidx[j - ks]) = fmin(1, fmax(0, x0[j] + step * rj[j]));
			double st = hw_filter(m, &tp, &trial, y, n, NULL, NULL);
			if (st < sse) {
				for (size_t j = 0; j < ks; j++)
					*state_slot(m, init, j) = *state_slot(m, &trial, j);
				*p = tp;
				improved = 1;
				double gain = (sse - st) / sse;
				sse = residuals(m, p, init, y, n, r0);
				if (gain < 1e-12)
					it = 20;
			}
		}
		if (!improved)
			break;
	}
	if (m->seasonal == HW_SEASONAL_ADD && isfinite(sse))
		for (int q = 0; q < m->nperiods; q++) {
			double mean = 0;
			for (size_t j = 0; j < m->period[q]; j++)
				mean += init->season[q][j];
			mean /= (double)m->period[q];
			for (size_t j = 0; j < m->period[q]; j++)
				init->season[q][j] -= mean;
			init->level += mean;
		}
out:
	free(J);
	free(r0);
	free(rj);
	free(x0);
	free(jpvt);
	hw_states_free(&trial);
	return sse;
}

/* The parameters by the simplex from each start in starts (rows of
 * alpha, beta, gamma, gamma2, phi), the best into p; returns 1 when the
 * kept start converged, -1 when out of memory, and its objective in f. */
static int fit_params(hw_problem *pr, const double (*starts)[5], int nstart, int max_iter, hw_params *p, double *best_f,
		      int *nstarts)
{
	gsl_vector *u = gsl_vector_alloc((size_t)pr->nfree), *best = gsl_vector_alloc((size_t)pr->nfree);
	int best_ok = 0, rc = 0;
	*best_f = INFINITY;
	if (!u || !best) {
		rc = -1;
		goto out;
	}
	for (int s = 0; s < nstart; s++) {
		for (int k = 0; k < pr->nfree; k++)
			gsl_vector_set(u, (size_t)k, asin(sqrt(starts[s][pr->index[k]])));
		double f, prev = INFINITY;
		int ok = simplex(pr, u, 0.3, max_iter, &f);
		/* a simplex may collapse short of the minimum: restart it where
		 * it stopped until a restart gains nothing */
		for (int round = 0; ok == 1 && round < 20 && f < prev * (1 - 1e-12); round++) {
			prev = f;
			ok = simplex(pr, u, 0.05, max_iter, &f);
		}
		if (ok < 0) {
			rc = -1;
			goto out;
		}
		++*nstarts;
		if ((ok && (!best_ok || f < *best_f)) || (!best_ok && !ok && f < *best_f)) {
			gsl_vector_memcpy(best, u);
			*best_f = f;
			best_ok = ok;
		}
	}
	*p = params_of(pr, best);
	rc = best_ok;
out:
	if (u)
		gsl_vector_free(u);
	if (best)
		gsl_vector_free(best);
	return rc;
}

int hw_fit(const hw_model *m, hw_params *p, unsigned fixed, hw_states *init, int estimate_init, const double *y,
	   size_t n, int max_iter, hw_fit_info *info, qe_err *e)
{
	static const double starts[][5] = {
		{0.5, 0.1, 0.1, 0.1, 0.98}, {0.2, 0.01, 0.05, 0.05, 0.95}, {0.9, 0.05, 0.3, 0.2, 0.9},
		{0.05, 0.001, 0.5, 0.5, 0.99}, {0.7, 0.3, 0.02, 0.02, 0.85},
	};
	const int nstart = (int)(sizeof starts / sizeof starts[0]);
	hw_problem pr = {m, init, y, n, *p, {0}, 0, 1, 0};
	int present[5] = {1, m->trend != HW_TREND_NONE, 1, m->nperiods == 2, m->damped != 0};
	int ok = 1;
	memset(info, 0, sizeof *info);
	if (max_iter <= 0)
		max_iter = HW_MAX_ITER;
	for (int i = 0; i < 5; i++)
		if (present[i] && !(fixed & (1u << i)))
			pr.index[pr.nfree++] = i;
	double mean = 0, ss = 0;
	for (size_t t = 0; t < n; t++)
		mean += y[t];
	mean /= (double)n;
	for (size_t t = 0; t < n; t++)
		ss += (y[t] - mean) * (y[t] - mean);
	pr.scale = ss > 0 ? ss : 1;
	double sse = hw_filter(m, p, init, y, n, NULL, NULL);
	/* parameters and states in turn, each step lowering the SSE, until
	 * a round gains less than 1e-8 of it */
	for (int round = 0; round < (estimate_init ? 30 : 1); round++) {
		double prev = sse, f;
		if (pr.nfree > 0) {
			/* every round from the starts and from where the last one
			 * ended: new states can move the best basin */
			double here[8][5];
			memcpy(here, starts, sizeof starts);
			here[nstart][0] = p->alpha;
			here[nstart][1] = p->beta;
			here[nstart][2] = p->gamma;
			here[nstart][3] = p->gamma2;
			here[nstart][4] = p->phi;
			pr.base = *p;
			ok = fit_params(&pr, (const double(*)[5])here, nstart + (round > 0), max_iter, p, &f, &info->starts);
			if (ok < 0)
				return qe_err_set(e, QE_INTERNAL, "out of memory");
		}
		sse = hw_filter(m, p, init, y, n, NULL, NULL);
		if (estimate_init) {
			double s2 = estimate_states(m, p, pr.index, 0, init, y, n);
			if (isnan(s2))
				return qe_err_set(e, QE_INTERNAL, "out of memory");
			sse = s2;
		}
		if (!(sse < prev * (1 - 1e-8)) && round > 0)
			break;
	}
	if (estimate_init && pr.nfree > 0) {
		/* a last joint polish of states and parameters */
		double s2 = estimate_states(m, p, pr.index, pr.nfree, init, y, n);
		if (isnan(s2))
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		sse = s2;
	}
	info->sse = sse;
	info->aic = hw_aic(m, info->sse, n);
	info->converged = ok;
	info->evaluations = pr.evaluations;
	if (!ok || !isfinite(info->sse))
		return qe_err_set(e, QE_NUMERIC,
				  "the SSE minimisation did not converge in %d iterations; last iterate alpha=%.6g beta=%.6g gamma=%.6g gamma2=%.6g phi=%.6g sse=%.10g",
				  max_iter, p->alpha, p->beta, p->gamma, p->gamma2, p->phi, info->sse);
	return 0;
}
