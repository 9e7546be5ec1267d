/* Rolling-origin evaluation against the seasonal naive (rolling.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/garch.h"
#include "forecast/rolling.h"

typedef struct acc {
	double abs, sq, ape, ase;
	size_t n;
	int ape_undef, ase_undef;
} acc;

static void acc_add(acc *a, double y, double f, double q)
{
	double err = fabs(y - f);
	a->abs += err;
	a->sq += err * err;
	if (y == 0)
		a->ape_undef = 1;
	else
		a->ape += err / fabs(y);
	if (!(q > 0))
		a->ase_undef = 1;
	else
		a->ase += err / q;
	a->n++;
}

static void acc_score(const acc *a, size_t origins, rolling_score *s)
{
	double n = (double)a->n;
	s->origins = origins;
	s->forecasts = a->n;
	s->mae = a->abs / n;
	s->rmse = sqrt(a->sq / n);
	s->mape = a->ape_undef ? NAN : 100 * a->ape / n;
	s->mase = a->ase_undef ? NAN : a->ase / n;
}

int rolling_run(const rolling_model *m, void *ctx, const double *y, size_t n, const rolling_opts *o,
		rolling_score *model, rolling_score *naive, qe_err *e)
{
	size_t H = o->horizon, per = o->period ? o->period : 1, origins = 0;
	if (o->initial < m->min_train)
		return qe_err_set(e, QE_DATA, "initial window of %zu values; %s needs at least %zu", o->initial,
				  m->name, m->min_train);
	if (o->initial <= per)
		return qe_err_set(e, QE_DATA, "initial window of %zu values: the seasonal naive of period %zu needs more",
				  o->initial, per);
	if (H < 1 || o->step < 1 || o->initial + H > n)
		return qe_err_set(e, QE_DATA, "%zu values: no origin with an initial window of %zu and a horizon of %zu",
				  n, o->initial, H);
	double *f = malloc(H * sizeof *f);
	acc am = {0}, an = {0};
	if (!f)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t t = o->initial; t + H <= n; t += o->step) {
		double q = 0;
		for (size_t i = per; i < t; i++)
			q += fabs(y[i] - y[i - per]);
		q /= (double)(t - per);
		int rc = m->forecast(ctx, t, H, f, e);
		if (rc) {
			char where[64];
			snprintf(where, sizeof where, "%s at origin %zu", m->name, t);
			qe_err_prefix(e, where);
			free(f);
			return rc;
		}
		for (size_t j = 0; j < H; j++) {
			acc_add(&am, y[t + j], f[j], q);
			acc_add(&an, y[t + j], y[t - per + j % per], q);
		}
		origins++;
	}
	free(f);
	acc_score(&am, origins, model);
	acc_score(&an, origins, naive);
	return 0;
}

int rolling_garch_forecast(void *ctx, size_t origin, size_t horizon, double *out, qe_err *e)
{
	const rolling_garch *g = ctx;
	garch_fit f = {0};
	f.model = g->model;
	f.dist = g->dist;
	int rc = garch_estimate(&f, g->r, origin, e);
	if (rc == 0)
		garch_forecast(&f, (int)horizon, out);
	return rc;
}

int rolling_ols_forecast(void *ctx, size_t origin, size_t horizon, double *out, qe_err *e)
{
	const ols_data *d = ctx;
	ols_data train = *d;
	ols_result r;
	train.n = origin;
	int rc = ols_fit(&train, -1, &r, e);
	if (rc)
		return rc;
	for (size_t j = 0; j < horizon; j++) {
		ols_prediction p;
		ols_predict(&r, d->x + (origin + j) * d->nx, 0.95, &p);
		out[j] = p.mean;
	}
	ols_result_free(&r);
	return 0;
}

int rolling_hw_forecast(void *ctx, size_t origin, size_t horizon, double *out, qe_err *e)
{
	const rolling_hw *h = ctx;
	const hw_model *m = &h->model;
	unsigned every = HW_FIX_ALPHA | HW_FIX_GAMMA | (m->trend != HW_TREND_NONE ? HW_FIX_BETA : 0) |
			 (m->nperiods > 1 ? HW_FIX_GAMMA2 : 0) | (m->damped ? HW_FIX_PHI : 0);
	hw_params p = h->params;
	hw_states init = {0}, last = {0};
	hw_fit_info info;
	int rc;
	if (!m->damped)
		p.phi = 1;
	if ((rc = hw_states_alloc(&init, m, e)) || (rc = hw_states_alloc(&last, m, e)) ||
	    (rc = hw_init_heuristic(m, h->y, origin, &init, e)) ||
	    ((h->fixed & every) != every &&
	     (rc = hw_fit(m, &p, h->fixed, &init, 0, h->y, origin, 0, &info, e))))
		goto done;
	if (!isfinite(hw_filter(m, &p, &init, h->y, origin, NULL, &last))) {
		rc = qe_err_set(e, QE_NUMERIC, "the one-step predictions are not finite (alpha=%g gamma=%g)", p.alpha,
				p.gamma);
		goto done;
	}
	hw_forecast(m, &p, &last, horizon, out);
done:
	hw_states_free(&init);
	hw_states_free(&last);
	return rc;
}
