/* GARCH(1,1) and GJR-GARCH(1,1) by maximum likelihood (garch.h): the
 * likelihood and its analytic gradient, BFGS from several starts, the
 * variance forecast. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_sf_psi.h>

#include "forecast/garch.h"

/* The gradient of the mean negative log-likelihood (in the unconstrained
 * parameters) at which a fit has converged. */
#define NEWTON_GTOL 1e-9

/* The fit runs on returns scaled to a unit mean square (x = r / s), so
 * that omega is of order one whatever the units; a parameter vector u is
 * (w, a, b[, c][, v]) of the header's parameterisation. */
typedef struct garch_problem {
	int model, dist;
	const double *x;
	size_t n;
} garch_problem;

typedef struct garch_params {
	double omega, alpha, beta, gamma, nu;
} garch_params;

static size_t npar(int model, int dist)
{
	return 3 + (model == GARCH_GJR) + (dist == GARCH_T);
}

static garch_params from_u(const garch_problem *p, const gsl_vector *u)
{
	garch_params q;
	size_t k = 3;
	double a = gsl_vector_get(u, 1), b = gsl_vector_get(u, 2);
	q.omega = exp(gsl_vector_get(u, 0));
	q.alpha = a * a;
	q.beta = b * b;
	q.gamma = 0;
	q.nu = 0;
	if (p->model == GARCH_GJR) {
		double c = gsl_vector_get(u, k++);
		q.gamma = c * c - q.alpha;
	}
	if (p->dist == GARCH_T)
		q.nu = 2 + exp(gsl_vector_get(u, k));
	return q;
}

static void to_u(const garch_problem *p, const garch_params *q, gsl_vector *u)
{
	size_t k = 3;
	gsl_vector_set(u, 0, log(q->omega));
	gsl_vector_set(u, 1, sqrt(q->alpha));
	gsl_vector_set(u, 2, sqrt(q->beta));
	if (p->model == GARCH_GJR)
		gsl_vector_set(u, k++, sqrt(q->alpha + q->gamma));
	if (p->dist == GARCH_T)
		gsl_vector_set(u, k, log(q->nu - 2));
}

/* The log-likelihood of x under q and, with grad, its derivatives in
 * (omega, alpha, beta, gamma, nu).  h_1 is the mean square of x. */
static double loglik(int dist, const garch_params *q, const double *x, size_t n, double h1, double *h_out,
		     double grad[5])
{
	double h = h1, dh[4] = {0, 0, 0, 0}, ll = 0, gnu = 0;
	double cnu = 0, dcnu = 0;
	if (grad)
		memset(grad, 0, 5 * sizeof *grad);
	if (dist == GARCH_T) {
		cnu = lgamma((q->nu + 1) / 2) - lgamma(q->nu / 2) - 0.5 * log(M_PI * (q->nu - 2));
		dcnu = 0.5 * gsl_sf_psi((q->nu + 1) / 2) - 0.5 * gsl_sf_psi(q->nu / 2) - 0.5 / (q->nu - 2);
	}
	for (size_t t = 0; t < n; t++) {
		double r2 = x[t] * x[t], dll_dh;
		if (!(h > 0) || !isfinite(h))
			return -INFINITY;
		if (h_out)
			h_out[t] = h;
		if (dist == GARCH_NORMAL) {
			ll += -0.5 * (log(2 * M_PI) + log(h) + r2 / h);
			dll_dh = -0.5 * (1 / h - r2 / (h * h));
		} else {
			double qq = r2 / ((q->nu - 2) * h);
			ll += cnu - 0.5 * log(h) - 0.5 * (q->nu + 1) * log1p(qq);
			dll_dh = -0.5 / h + 0.5 * (q->nu + 1) * qq / (h * (1 + qq));
			if (grad)
				gnu += dcnu - 0.5 * log1p(qq) + 0.5 * (q->nu + 1) * qq / ((q->nu - 2) * (1 + qq));
		}
		if (grad)
			for (int j = 0; j < 4; j++)
				grad[j] += dll_dh * dh[j];
		double neg = x[t] < 0 ? r2 : 0;
		if (grad) {
			dh[0] = 1 + q->beta * dh[0];
			dh[1] = r2 + q->beta * dh[1];
			dh[2] = h + q->beta * dh[2];
			dh[3] = neg + q->beta * dh[3];
		}
		h = q->omega + q->alpha * r2 + q->gamma * neg + q->beta * h;
	}
	if (h_out)
		h_out[n] = h;
	if (grad)
		grad[4] = gnu;
	return ll;
}

static double mean_square(const double *r, size_t n)
{
	double s = 0;
	for (size_t t = 0; t < n; t++)
		s += r[t] * r[t];
	return s / (double)n;
}

double garch_loglik(const garch_fit *f, const double *r, size_t n, double *h)
{
	garch_params q = {f->omega, f->alpha, f->beta, f->model == GARCH_GJR ? f->gamma : 0, f->nu};
	if (n == 0)
		return -INFINITY;
	return loglik(f->dist, &q, r, n, mean_square(r, n), h, NULL);
}

/* GSL's objective: minus the mean log-likelihood per return. */
static void objective_fdf(const gsl_vector *u, void *ctx, double *fval, gsl_vector *g)
{
	const garch_problem *p = ctx;
	garch_params q = from_u(p, u);
	double gr[5];
	double ll = loglik(p->dist, &q, p->x, p->n, 1.0, NULL, g ? gr : NULL);
	double scale = -1.0 / (double)p->n;
	if (fval)
		*fval = isfinite(ll) ? scale * ll : GSL_POSINF;
	if (!g)
		return;
	if (!isfinite(ll)) {
		gsl_vector_set_zero(g);
		return;
	}
	size_t k = 3;
	double a = gsl_vector_get(u, 1), b = gsl_vector_get(u, 2);
	gsl_vector_set(g, 0, scale * gr[0] * q.omega);
	gsl_vector_set(g, 1, scale * 2 * a * (gr[1] - (p->model == GARCH_GJR ? gr[3] : 0)));
	gsl_vector_set(g, 2, scale * 2 * b * gr[2]);
	if (p->model == GARCH_GJR) {
		double c = gsl_vector_get(u, k);
		gsl_vector_set(g, k++, scale * 2 * c * gr[3]);
	}
	if (p->dist == GARCH_T)
		gsl_vector_set(g, k, scale * gr[4] * (q.nu - 2));
}

static double objective_f(const gsl_vector *u, void *ctx)
{
	double f;
	objective_fdf(u, ctx, &f, NULL);
	return f;
}

static void objective_df(const gsl_vector *u, void *ctx, gsl_vector *g)
{
	objective_fdf(u, ctx, NULL, g);
}

/* One start: BFGS, restarted from where it stalls (its Hessian estimate
 * reset) up to a few times.  Returns 1 when the gradient is below the
 * tolerance at the end; x, f and the iteration count are the last
 * iterate's. */
static int minimise(const garch_problem *p, gsl_vector *x, double *fval, int *iters)
{
	gsl_multimin_function_fdf fn = {objective_f, objective_df, objective_fdf, npar(p->model, p->dist),
					(void *)p};
	gsl_multimin_fdfminimizer *m = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2,
								       fn.n);
	int converged = 0;
	*iters = 0;
	if (!m)
		return -1;
	for (int round = 0; round < 4 && !converged; round++) {
		if (gsl_multimin_fdfminimizer_set(m, &fn, x, 0.1, 0.1) != GSL_SUCCESS)
			break;
		for (int it = 0; it < 2000; it++) {
			int st = gsl_multimin_fdfminimizer_iterate(m);
			++*iters;
			if (gsl_multimin_test_gradient(m->gradient, 1e-9) == GSL_SUCCESS) {
				converged = 1;
				break;
			}
			if (st != GSL_SUCCESS)
				break;
		}
		gsl_vector_memcpy(x, m->x);
		/* a stall this close to a stationary point is as good as it
		 * gets in double precision */
		if (!converged && gsl_blas_dnrm2(m->gradient) < 1e-6 && round == 3)
			converged = 1;
	}
	*fval = m->f;
	if (!converged && gsl_blas_dnrm2(m->gradient) < 1e-6)
		converged = 1;
	gsl_multimin_fdfminimizer_free(m);
	return converged;
}

/* A squared parameter (alpha = a^2, beta = b^2, alpha + gamma = c^2) is
 * stationary in u at zero whatever the likelihood's slope there, so BFGS
 * may stop at a = 0 where raising alpha would still gain.  Where the
 * objective falls as such a parameter leaves zero, it is set off zero for
 * another run; returns 1 when it moved one. */
static int leave_false_boundary(const garch_problem *p, gsl_vector *u)
{
	garch_params q = from_u(p, u);
	double gr[5], scale = -1.0 / (double)p->n;
	if (!isfinite(loglik(p->dist, &q, p->x, p->n, 1.0, NULL, gr)))
		return 0;
	double slope[3] = {scale * (gr[1] - (p->model == GARCH_GJR ? gr[3] : 0)), scale * gr[2], scale * gr[3]};
	size_t index[3] = {1, 2, 3};
	double restart[3] = {0.1, 0.7, 0.1};
	int moved = 0;
	for (int j = 0; j < (p->model == GARCH_GJR ? 3 : 2); j++) {
		double v = gsl_vector_get(u, index[j]);
		if (v * v < 1e-6 && slope[j] < -1e-7) {
			gsl_vector_set(u, index[j], sqrt(restart[j]));
			moved = 1;
		}
	}
	return moved;
}

/* Newton's method from where BFGS stops, on a Hessian of central
 * differences of the analytic gradient (Levenberg-damped until Cholesky
 * succeeds, backtracking on the objective): BFGS's Hessian estimate
 * stalls on the flat valleys GARCH likelihoods have (alpha near zero, beta
 * near one) a little short of the optimum.  Returns 1 when the gradient
 * is below the tolerance at the end, -1 when out of memory. */
static int newton_polish(const garch_problem *p, gsl_vector *u, double *fval)
{
	size_t k = npar(p->model, p->dist);
	gsl_matrix *H = gsl_matrix_alloc(k, k), *L = gsl_matrix_alloc(k, k);
	gsl_vector *g = gsl_vector_alloc(k), *gp = gsl_vector_alloc(k), *gm = gsl_vector_alloc(k);
	gsl_vector *d = gsl_vector_alloc(k), *trial = gsl_vector_alloc(k), *v = gsl_vector_alloc(k);
	int ok = -1;
	if (!H || !L || !g || !gp || !gm || !d || !trial || !v)
		goto out;
	ok = 0;
	objective_fdf(u, (void *)p, fval, g);
	for (int it = 0; it < 50; it++) {
		if (gsl_blas_dnrm2(g) < NEWTON_GTOL) {
			ok = 1;
			break;
		}
		for (size_t i = 0; i < k; i++) {
			double ui = gsl_vector_get(u, i), step = 1e-5 * (1 + fabs(ui));
			gsl_vector_memcpy(v, u);
			gsl_vector_set(v, i, ui + step);
			objective_df(v, (void *)p, gp);
			gsl_vector_set(v, i, ui - step);
			objective_df(v, (void *)p, gm);
			for (size_t j = 0; j < k; j++)
				gsl_matrix_set(H, i, j, (gsl_vector_get(gp, j) - gsl_vector_get(gm, j)) / (2 * step));
		}
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < i; j++) {
				double m = 0.5 * (gsl_matrix_get(H, i, j) + gsl_matrix_get(H, j, i));
				gsl_matrix_set(H, i, j, m);
				gsl_matrix_set(H, j, i, m);
			}
		int improved = 0;
		for (double lambda = 0; lambda < 1e8 && !improved; lambda = lambda ? lambda * 10 : 1e-8) {
			gsl_matrix_memcpy(L, H);
			for (size_t i = 0; i < k; i++)
				gsl_matrix_set(L, i, i, gsl_matrix_get(L, i, i) + lambda);
			if (gsl_linalg_cholesky_decomp1(L) != GSL_SUCCESS)
				continue;
			if (gsl_linalg_cholesky_solve(L, g, d) != GSL_SUCCESS)
				continue;
			for (double t = 1; t > 1e-4 && !improved; t /= 2) {
				double ft;
				gsl_vector_memcpy(trial, u);
				gsl_blas_daxpy(-t, d, trial);
				ft = objective_f(trial, (void *)p);
				if (ft <= *fval) {
					gsl_vector_memcpy(u, trial);
					*fval = ft;
					improved = 1;
				}
			}
		}
		objective_fdf(u, (void *)p, fval, g);
		if (!improved) {
			ok = gsl_blas_dnrm2(g) < NEWTON_GTOL;
			break;
		}
	}
out:
	if (H) gsl_matrix_free(H);
	if (L) gsl_matrix_free(L);
	if (g) gsl_vector_free(g);
	if (gp) gsl_vector_free(gp);
	if (gm) gsl_vector_free(gm);
	if (d) gsl_vector_free(d);
	if (trial) gsl_vector_free(trial);
	if (v) gsl_vector_free(v);
	return ok;
}

static void fill_fit(garch_fit *f, const garch_params *q, double s2)
{
	f->omega = q->omega * s2;
	f->alpha = q->alpha;
	f->beta = q->beta;
	f->gamma = f->model == GARCH_GJR ? q->gamma : 0;
	f->nu = f->dist == GARCH_T ? q->nu : 0;
	f->persistence = f->alpha + f->beta + f->gamma / 2;
	f->half_life = f->persistence < 1 ? log(0.5) / log(f->persistence) : NAN;
}

int garch_estimate(garch_fit *f, const double *r, size_t n, qe_err *e)
{
	static const double starts[][2] = {{0.05, 0.90}, {0.10, 0.80}, {0.03, 0.96}, {0.01, 0.98}, {0.15, 0.60}, {0.25, 0.40}};
	const int nstart = (int)(sizeof starts / sizeof starts[0]);
	f->n = n;
	if (n < GARCH_MIN_OBS)
		return qe_err_set(e, QE_DATA, "%zu returns; a GARCH fit needs at least %d", n, GARCH_MIN_OBS);
	for (size_t t = 0; t < n; t++)
		if (!isfinite(r[t]))
			return qe_err_set(e, QE_DATA, "return %zu is not finite", t + 1);
	double s2 = mean_square(r, n);
	if (!(s2 > 0) || !isfinite(s2))
		return qe_err_set(e, QE_DATA, "every return is zero (or their squares overflow): no variance to model");
	double s = sqrt(s2);
	double *x = malloc(n * sizeof *x);
	gsl_vector *u = gsl_vector_alloc(npar(f->model, f->dist));
	gsl_vector *best = gsl_vector_alloc(npar(f->model, f->dist));
	if (!x || !u || !best) {
		free(x);
		if (u)
			gsl_vector_free(u);
		if (best)
			gsl_vector_free(best);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	for (size_t t = 0; t < n; t++)
		x[t] = r[t] / s;
	garch_problem p = {f->model, f->dist, x, n};
	double best_f = INFINITY, any_f = INFINITY;
	int best_ok = 0, rc = 0;
	for (int k = 0; k < nstart; k++) {
		garch_params q = {0, starts[k][0], starts[k][1], f->model == GARCH_GJR ? 0.05 : 0, 8};
		double persist = q.alpha + q.beta + q.gamma / 2;
		q.omega = persist < 0.99 ? 1 - persist : 0.01;
		to_u(&p, &q, u);
		double fv;
		int iters;
		int ok = minimise(&p, u, &fv, &iters);
		if (ok >= 0)
			ok = newton_polish(&p, u, &fv);
		for (int again = 0; ok >= 0 && again < 5 && leave_false_boundary(&p, u); again++) {
			int more;
			ok = minimise(&p, u, &fv, &more);
			iters += more;
			if (ok >= 0)
				ok = newton_polish(&p, u, &fv);
		}
		if (ok < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		if (!isfinite(fv))
			continue;
		/* a converged start beats any that did not; among equals the
		 * lower objective wins */
		if ((ok && (!best_ok || fv < best_f)) || (!best_ok && !ok && fv < any_f)) {
			gsl_vector_memcpy(best, u);
			best_f = fv;
			any_f = fv;
			best_ok = ok;
			f->iterations = iters;
		}
	}
	if (!isfinite(best_f)) {
		rc = qe_err_set(e, QE_NUMERIC, "the likelihood is not finite at any start");
		goto out;
	}
	garch_params q = from_u(&p, best);
	fill_fit(f, &q, s2);
	double *h = malloc((n + 1) * sizeof *h);
	if (!h) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	f->loglik = loglik(f->dist, &q, x, n, 1.0, h, NULL) - (double)n * log(s);
	f->h_next = h[n] * s2;
	free(h);
	if (!best_ok || (f->dist == GARCH_T && f->nu > GARCH_NU_MAX)) {
		char nu[64] = "";
		if (f->dist == GARCH_T)
			snprintf(nu, sizeof nu, " nu=%.6g", f->nu);
		rc = qe_err_set(e, QE_NUMERIC,
				"the likelihood did not converge%s; last iterate omega=%.6g alpha=%.6g beta=%.6g gamma=%.6g%s loglik=%.10g",
				f->dist == GARCH_T && f->nu > GARCH_NU_MAX
					? " (nu runs off to infinity: no fat tails, fit the normal)"
					: "",
				f->omega, f->alpha, f->beta, f->gamma, nu, f->loglik);
	}
out:
	free(x);
	gsl_vector_free(u);
	gsl_vector_free(best);
	return rc;
}

void garch_forecast(const garch_fit *f, int horizon, double *var)
{
	if (horizon < 1)
		return;
	var[0] = f->h_next;
	for (int k = 1; k < horizon; k++)
		var[k] = f->omega + f->persistence * var[k - 1];
}

size_t garch_month_vols(const double *var, int horizon, double days_per_year, qe_date asof,
			garch_month_vol *out, size_t max)
{
	size_t m = 0;
	int days = 0;
	double sum = 0; /* variances of days 1..days */
	qe_date d = asof;
	for (int months = 1; m < max && horizon >= 1; months++) {
		qe_date start = date_add_months_first(asof, months);
		for (; d + 1 < start; d++)
			if (date_weekday(d + 1) <= 5)
				days++;
		int k = days < 1 ? 1 : days;
		if (m > 0 && k > horizon)
			break;
		if (k > horizon)
			k = horizon;
		sum = 0;
		for (int j = 0; j < k; j++)
			sum += var[j];
		out[m].start = start;
		out[m].end = date_add_months_first(asof, months + 1) - 1;
		out[m].days = k;
		out[m].vol = sqrt(days_per_year * sum / k);
		m++;
	}
	return m;
}
