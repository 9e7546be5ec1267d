#include "risk/varcalc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <gsl/gsl_cdf.h>
#include <omp.h>

#include "risk/covest.h"
#include "risk/fxhist.h"
#include "core/par.h"
#include "core/rng.h"
#include "core/zignor.h"
#include "risk/varmeas.h"
#include "risk/volhist.h"

void var_result_free(var_result *r)
{
	free(r->var);
	free(r->es);
	free(r->sd);
	memset(r, 0, sizeof *r);
}

static int result_alloc(var_result *r, size_t npf, int nalpha, qe_err *e)
{
	memset(r, 0, sizeof *r);
	r->npf = npf;
	r->nalpha = nalpha;
	r->var = calloc(npf * (size_t)nalpha + 1, sizeof *r->var);
	r->es = calloc(npf * (size_t)nalpha + 1, sizeof *r->es);
	r->sd = calloc(npf + 1, sizeof *r->sd);
	if (!r->var || !r->es || !r->sd) {
		var_result_free(r);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	return 0;
}

static void oom(qe_err *e)
{
	qe_err_set(e, QE_INTERNAL, "out of memory");
}

/* Hull-White filtering: r*_t = r_t sigma_today / sigma_t with the EWMA
 * variance forecast sigma_t^2 = lambda sigma_{t-1}^2 + (1 - lambda) r_{t-1}^2,
 * started from the mean square of the first 20 returns. */
static void filter_returns(double *ret, size_t n, size_t m, double lambda)
{
	size_t warm = n < 20 ? n : 20;
	for (size_t f = 0; f < m; f++) {
		double var0 = 0;
		for (size_t t = 0; t < warm; t++)
			var0 += ret[t * m + f] * ret[t * m + f];
		var0 /= (double)warm;
		double *sig = malloc(n * sizeof *sig), v = var0;
		if (!sig)
			return;
		for (size_t t = 0; t < n; t++) {
			sig[t] = sqrt(v);
			v = lambda * v + (1 - lambda) * ret[t * m + f] * ret[t * m + f];
		}
		double today = sqrt(v);
		for (size_t t = 0; t < n; t++)
			if (sig[t] > 0)
				ret[t * m + f] *= today / sig[t];
		free(sig);
	}
}

int var_window(const risk_scenarios *all, const var_spec *sp, risk_scenarios *w, qe_err *e)
{
	size_t first = sp->window > 0 && sp->window < all->ns ? all->ns - sp->window : 0;
	size_t m = all->nf;
	memset(w, 0, sizeof *w);
	w->ns = all->ns - first;
	w->nf = m;
	w->date = malloc(w->ns * sizeof *w->date + 1);
	w->ret = malloc(w->ns * m * sizeof *w->ret + 1);
	if (!w->date || !w->ret) {
		rs_free(w);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	memcpy(w->date, all->date + first, w->ns * sizeof *w->date);
	if (sp->fhs_lambda > 0) {
		/* filter over the whole history so the window's first days have
		 * a warmed-up volatility */
		double *tmp = malloc(all->ns * m * sizeof *tmp + 1);
		if (!tmp) {
			rs_free(w);
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		}
		memcpy(tmp, all->ret, all->ns * m * sizeof *tmp);
		filter_returns(tmp, all->ns, m, sp->fhs_lambda);
		memcpy(w->ret, tmp + first * m, w->ns * m * sizeof *tmp);
		free(tmp);
	} else
		memcpy(w->ret, all->ret + first * m, w->ns * m * sizeof *w->ret);
	return 0;
}

/* Scenario P&L in fixed blocks of VAR_PNL_BLOCK scenarios, each block one
 * single-threaded dgemm (qe-var pins OpenBLAS to one thread): an entry's
 * sum over the factors never depends on the thread count. */
#define VAR_PNL_BLOCK 256
/* The scenarios [lo, hi) of the cube (lo a multiple of VAR_PNL_BLOCK):
 * the blocks, and so every entry's sums, are those of the whole. */
static void pnl_share(const exposure *x, const double *dF, size_t nsc, size_t lo, size_t hi, double *pnl)
{
	int npf = (int)x->npf, m = (int)x->nf, ldc = (int)nsc;
	size_t b0 = lo / VAR_PNL_BLOCK, nb = (hi + VAR_PNL_BLOCK - 1) / VAR_PNL_BLOCK;
#pragma omp parallel
	{
		double *sq = x->has_gamma ? malloc((size_t)VAR_PNL_BLOCK * x->nf * sizeof *sq + 1) : NULL;
#pragma omp for schedule(static)
		for (size_t b = b0; b < nb; b++) {
			size_t s0 = b * VAR_PNL_BLOCK, s1 = s0 + VAR_PNL_BLOCK < nsc ? s0 + VAR_PNL_BLOCK : nsc;
			int n = (int)(s1 - s0);
			const double *d = dF + s0 * x->nf;
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, npf, n, m, 1.0, x->delta, m, d, m,
				    0.0, pnl + s0, ldc);
			if (!x->has_gamma)
				continue;
			if (!sq) {
				/* out of memory: mark the block so the finiteness check fails */
				for (int p = 0; p < npf; p++)
					for (int q = 0; q < n; q++)
						pnl[(size_t)p * nsc + s0 + (size_t)q] = NAN;
				continue;
			}
			for (size_t i = 0; i < (size_t)n * x->nf; i++)
				sq[i] = d[i] * d[i];
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, npf, n, m, 0.5, x->gamma, m, sq, m,
				    1.0, pnl + s0, ldc);
		}
		free(sq);
	}
	/* the cross-gammas (each pair's two orders in one row: g dF_i dF_j)
	 * and theta over the horizon, in a fixed order */
	for (size_t k = 0; k < x->ncross; k++) {
		const struct expo_cross *c = &x->cross[k];
		double *row = pnl + c->p * nsc;
		for (size_t s = lo; s < hi; s++)
			row[s] += c->g * dF[s * x->nf + c->f1] * dF[s * x->nf + c->f2];
	}
	if (x->theta && x->theta_days > 0)
		for (size_t p = 0; p < x->npf; p++)
			for (size_t s = lo; s < hi; s++)
				pnl[p * nsc + s] += x->theta[p] * x->theta_days;
}

void var_pnl(const exposure *x, const double *dF, size_t nsc, double *pnl)
{
	pnl_share(x, dF, nsc, 0, nsc, pnl);
}

int var_pnl_par(const exposure *x, const double *dF, size_t nsc, double *pnl, qe_err *e)
{
	size_t lo, hi;
	int rc;
	par_my_share(nsc, VAR_PNL_BLOCK, &lo, &hi);
	pnl_share(x, dF, nsc, lo, hi, pnl);
	/* the rank whose scenarios overflow fails, before any gather */
	for (size_t p = 0; p < x->npf; p++)
		for (size_t s = lo; s < hi; s++)
			if (!isfinite(pnl[p * nsc + s]))
				return qe_err_set(e, QE_NUMERIC, "portfolio '%s': %s is not finite (%g): overflow",
						  x->label[p], "scenario P&L", pnl[p * nsc + s]);
	if ((rc = par_gather_cols(pnl, x->npf, nsc, VAR_PNL_BLOCK, e)))
		return rc;
	return 0;
}

/* VaR/ES of every portfolio (rows of pnl, nsc each) at every alpha. */
/* Prefixes e's message with the portfolio's name. */
static int name_err(qe_err *e, const exposure *x, size_t p)
{
	char msg[sizeof e->msg];
	snprintf(msg, sizeof msg, "%s", e->msg);
	return qe_err_set(e, e->code, "portfolio '%s': %s", x->label[p], msg);
}

/* QE_NUMERIC naming the first portfolio (row of `per` values) with a
 * value that is not finite. */
static int check_rows(const double *v, size_t nrows, size_t per, const exposure *x, size_t off,
		      const char *what, qe_err *e)
{
	for (size_t r = 0; r < nrows; r++)
		for (size_t k = 0; k < per; k++)
			if (!isfinite(v[r * per + k]))
				return qe_err_set(e, QE_NUMERIC, "portfolio '%s': %s is not finite (%g): overflow",
						  x ? x->label[r + off] : "total", what,
						  v[r * per + k]);
	return 0;
}

int var_check_pnl(const exposure *x, const double *pnl, size_t nsc, qe_err *e)
{
	return check_rows(pnl, x->npf, nsc, x, 0, "scenario P&L", e);
}

static int measure_all(const double *pnl, size_t npf, size_t nsc, const double *w, const var_spec *sp,
		       const exposure *x, var_result *res, qe_err *e)
{
	int rc = 0;
	res->scenarios = nsc;
#pragma omp parallel
	{
		double *scratch = malloc(2 * nsc * sizeof *scratch + 16);
		qe_err le;
#pragma omp for schedule(dynamic, 8)
		for (size_t p = 0; p < npf; p++)
			for (int a = 0; a < sp->nalpha; a++) {
				size_t k = p * (size_t)sp->nalpha + (size_t)a;
				int lrc = !scratch ? (oom(&le), QE_INTERNAL)
					  : w ? var_measure_weighted(pnl + p * nsc, w, nsc, sp->alpha[a], scratch,
								     &res->var[k], &res->es[k], &le)
					      : var_measure(pnl + p * nsc, nsc, sp->alpha[a], sp->qdef, scratch,
							    &res->var[k], &res->es[k], &le);
				if (lrc) {
#pragma omp critical
					if (!rc) {
						rc = lrc;
						*e = le;
						name_err(e, x, p);
					}
				}
			}
		free(scratch);
	}
	return rc;
}

static int fill_cube(pnl_cube *cube, const exposure *x, const qe_date *dates, size_t nsc,
		     double *pnl, qe_err *e)
{
	int rc = pcube_init(cube, e);
	if (rc)
		return rc;
	for (size_t p = 0; p < x->npf; p++) {
		const char *nm = x->label[p];
		sidx_add(cube->portfolios, nm, strlen(nm), NULL);
	}
	for (size_t s = 0; s < nsc; s++) {
		char name[32];
		if (dates)
			date_format(name, dates[s]);
		else
			snprintf(name, sizeof name, "path%zu", s + 1);
		if (sidx_add(cube->scenarios, name, strlen(name), NULL) < 0) {
			pcube_free(cube);
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		}
	}
	cube->npf = x->npf;
	cube->nsc = nsc;
	cube->pnl = pnl;
	return 0;
}

/* n doubles, 64-byte aligned (a cache line: dgemm's packing reads whole
 * lines), every page mapped by a write now: a page first written inside
 * the parallel P&L step faults there, and with two threads each fault
 * also interrupts the other CPU to flush its TLB. */
static double *alloc_mapped(size_t n)
{
	size_t bytes = (n * sizeof(double) / 64 + 1) * 64;
	volatile unsigned char *p = aligned_alloc(64, bytes);
	for (size_t i = 0; p && i < bytes; i += 4096)
		p[i] = 0;
	return (double *)(void *)p;
}

int var_hs(const risk_history *h, const risk_scenarios *all, const exposure *x, const var_spec *sp,
	   var_result *res, pnl_cube *cube, qe_err *e)
{
	risk_scenarios w;
	int rc;
	double *dF = NULL, *pnl = NULL, *wt = NULL;
	memset(res, 0, sizeof *res); /* freeable on every error path */
	if ((rc = var_window(all, sp, &w, e)))
		return rc;
	if ((rc = result_alloc(res, x->npf, sp->nalpha, e)))
		goto out;
	dF = alloc_mapped(w.ns * w.nf);
	pnl = alloc_mapped(x->npf * w.ns);
	if (sp->brw_lambda > 0)
		wt = malloc(w.ns * sizeof *wt);
	if (!dF || !pnl || (sp->brw_lambda > 0 && !wt)) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	/* the P&L step is the matrix product alone; the price changes it
	 * multiplies are timed apart (t_scen) */
	double ts = omp_get_wtime();
	rh_price_changes(h, &w, dF);
	double t0 = omp_get_wtime();
	if ((rc = var_pnl_par(x, dF, w.ns, pnl, e)))
		goto out;
	double t1 = omp_get_wtime();
	if (par_rank() != 0)
		goto out; /* rank 0 measures */
	if (wt)
		var_brw_weights(wt, w.ns, sp->brw_lambda);
	if ((rc = measure_all(pnl, x->npf, w.ns, wt, sp, x, res, e)))
		goto out;
	res->t_scen = t0 - ts;
	res->t_pnl = t1 - t0;
	res->t_measure = omp_get_wtime() - t1;
	if (cube) {
		if ((rc = fill_cube(cube, x, w.date, w.ns, pnl, e)))
			goto out;
		pnl = NULL;
	}
out:
	if (rc)
		var_result_free(res);
	free(dF);
	free(pnl);
	free(wt);
	rs_free(&w);
	return rc;
}

int var_from_pnl(const exposure *x, const double *pnl, size_t nsc, const var_spec *sp,
		 var_result *res, qe_err *e)
{
	int rc;
	double *wt = NULL;
	memset(res, 0, sizeof *res);
	if ((rc = var_check_pnl(x, pnl, nsc, e)) || (rc = result_alloc(res, x->npf, sp->nalpha, e)))
		return rc;
	if (sp->brw_lambda > 0) {
		if (!(wt = malloc(nsc * sizeof *wt + 1))) {
			var_result_free(res);
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		}
		var_brw_weights(wt, nsc, sp->brw_lambda);
	}
	double t1 = omp_get_wtime();
	if ((rc = measure_all(pnl, x->npf, nsc, wt, sp, x, res, e)))
		var_result_free(res);
	else
		res->t_measure = omp_get_wtime() - t1;
	free(wt);
	return rc;
}

int var_covariance(const risk_history *h, const risk_scenarios *all, const var_spec *sp, int returns,
		   double *S, char *note, size_t notesz, qe_err *e)
{
	risk_scenarios w;
	double shrink = 0, min_eig = 0;
	size_t clipped = 0;
	int rc;
	if (note)
		note[0] = '\0';
	if (sp->cov_file) {
		if (returns)
			return qe_err_set(e, QE_USAGE, "a covariance file holds price changes, not returns");
		if ((rc = cov_read_csv(sp->cov_file, h->factors, S, e)))
			return rc;
		goto check;
	}
	if ((rc = var_window(all, sp, &w, e)))
		return rc;
	rc = cov_estimate(w.ret, w.ns, w.nf, sp->cov_method, sp->cov_lambda, S, &shrink, e);
	rs_free(&w);
	if (rc)
		return rc;
	if (!returns) {
		double *scale = malloc(h->nf * sizeof *scale + 1);
		if (!scale)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		rh_change_scale(h, scale);
		cov_scale(S, h->nf, scale);
		free(scale);
	}
check:
	if ((rc = cov_psd(S, h->nf, sp->repair, &clipped, &min_eig, e)))
		return rc;
	if (note) {
		size_t at = 0;
		if (sp->cov_method == COV_LW && !sp->cov_file)
			at += (size_t)snprintf(note, notesz, "Ledoit-Wolf shrinkage intensity %.17g (of the correlations)", shrink);
		if (clipped && at < notesz)
			snprintf(note + at, notesz - at, "%scovariance repaired: %zu negative eigenvalue%s clipped (smallest %g)",
				 at ? "; " : "", clipped, clipped > 1 ? "s" : "", min_eig);
	}
	return 0;
}

/* Cornish-Fisher quantile and tail mean of a standardised P&L with skew s
 * and excess kurtosis k, at lower-tail probability q. */
static void cornish_fisher(double q, double s, double k, double *wq, double *wes)
{
	double z = gsl_cdf_ugaussian_Pinv(q), phi = exp(-0.5 * z * z) / sqrt(2 * M_PI);
	double z2 = z * z, z3 = z2 * z;
	*wq = z + (z2 - 1) * s / 6 + (z3 - 3 * z) * k / 24 - (2 * z3 - 5 * z) * s * s / 36;
	/* E[Z^j | Z < z] for j = 1, 2, 3 */
	double m1 = -phi / q, m2 = 1 - z * phi / q, m3 = -(z2 + 2) * phi / q;
	*wes = m1 + (m2 - 1) * s / 6 + (m3 - 3 * m1) * k / 24 - (2 * m3 - 5 * m1) * s * s / 36;
}

static double trace_pow(const double *B, size_t m, int power, double *T1, double *T2)
{
	/* T1 = B^power, trace */
	memcpy(T1, B, m * m * sizeof *T1);
	for (int p = 1; p < power; p++) {
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)m, (int)m, 1.0, T1, (int)m, B,
			    (int)m, 0.0, T2, (int)m);
		memcpy(T1, T2, m * m * sizeof *T1);
	}
	double t = 0;
	for (size_t i = 0; i < m; i++)
		t += T1[i * m + i];
	return t;
}

int var_param(const risk_history *h, const risk_scenarios *all, const exposure *x,
	      const var_spec *sp, var_result *res, qe_err *e)
{
	size_t m = x->nf;
	double *S = malloc(m * m * sizeof *S + 1), *v = malloc(m * sizeof *v + 1);
	double *B = NULL, *T1 = NULL, *T2 = NULL, *gv = NULL, *u = NULL;
	int rc = 0;
	memset(res, 0, sizeof *res); /* freeable on every error path */
	if (!S || !v) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	if ((rc = result_alloc(res, x->npf, sp->nalpha, e)))
		goto out;
	if ((rc = var_covariance(h, all, sp, 0, S, res->note, sizeof res->note, e)))
		goto out;
	res->scenarios = sp->window > 0 && sp->window < all->ns ? sp->window : all->ns;
	int cf = sp->cornish_fisher && x->has_gamma;
	if (cf) {
		B = malloc(m * m * sizeof *B);
		T1 = malloc(m * m * sizeof *T1);
		T2 = malloc(m * m * sizeof *T2);
		gv = malloc(m * sizeof *gv);
		u = malloc(m * sizeof *u);
		if (!B || !T1 || !T2 || !gv || !u) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
	}
	for (size_t p = 0; p < x->npf; p++) {
		const double *d = x->delta + p * m, *g = x->gamma + p * m;
		cblas_dsymv(CblasRowMajor, CblasUpper, (int)m, 1.0, S, (int)m, d, 1, 0.0, v, 1);
		double dsd = cblas_ddot((int)m, d, 1, v, 1);
		double mu = 0, var = dsd, k3 = 0, k4 = 0;
		if (cf) {
			/* moments of d'x + x'Gx/2, x ~ N(0, S), G = diag(g) */
			for (size_t i = 0; i < m; i++)
				for (size_t j = 0; j < m; j++)
					B[i * m + j] = g[i] * S[i * m + j];
			for (size_t i = 0; i < m; i++) {
				mu += 0.5 * B[i * m + i];
				gv[i] = g[i] * v[i];
			}
			cblas_dsymv(CblasRowMajor, CblasUpper, (int)m, 1.0, S, (int)m, gv, 1, 0.0, u, 1);
			double vgv = cblas_ddot((int)m, v, 1, gv, 1);  /* d'S G S d */
			double gugu = cblas_ddot((int)m, gv, 1, u, 1); /* d'S G S G S d */
			var += 0.5 * trace_pow(B, m, 2, T1, T2);
			k3 = 3 * vgv + trace_pow(B, m, 3, T1, T2);
			k4 = 12 * gugu + 3 * trace_pow(B, m, 4, T1, T2);
		}
		double sd = sqrt(var > 0 ? var : 0);
		res->sd[p] = sd;
		for (int a = 0; a < sp->nalpha; a++) {
			size_t k = p * (size_t)sp->nalpha + (size_t)a;
			double q = 1 - sp->alpha[a], wq, wes;
			double s = sd > 0 ? k3 / (sd * sd * sd) : 0, ku = sd > 0 ? k4 / (var * var) : 0;
			cornish_fisher(q, s, ku, &wq, &wes);
			res->var[k] = -(mu + sd * wq);
			res->es[k] = -(mu + sd * wes);
		}
	}
	if ((rc = check_rows(res->var, x->npf, (size_t)sp->nalpha, x, 0, "VaR", e)) ||
	    (rc = check_rows(res->es, x->npf, (size_t)sp->nalpha, x, 0, "ES", e)))
		goto out;
out:
	if (rc)
		var_result_free(res);
	free(S);
	free(v);
	free(B);
	free(T1);
	free(T2);
	free(gv);
	free(u);
	return rc;
}

int var_mc_factor(const risk_history *h, const risk_scenarios *all, const var_spec *sp, double *S,
		  double *L, char *note, size_t notesz, qe_err *e)
{
	size_t m = h->nf;
	int rc, repaired = 0;
	if ((rc = var_covariance(h, all, sp, 0, S, note, notesz, e)))
		return rc;
	if ((rc = cov_cholesky(S, m, sp->repair, L, &repaired, e))) {
		long f = cov_cholesky_failed_at(e);
		if (f >= 0 && (size_t)f < m)
			qe_err_set(e, rc,
				   "covariance is not positive definite: factor '%s' is a linear combination "
				   "of the others (Cholesky fails there); use --repair to floor the eigenvalues",
				   sidx_name(h->factors, (size_t)f));
		return rc;
	}
	if (repaired && note) {
		size_t at = strlen(note);
		snprintf(note + at, notesz - at, "%scovariance is singular: eigenvalues floored for the Cholesky factor",
			 at ? "; " : "");
	}
	return 0;
}

void var_mc_draw(const var_spec *sp, const double *L, size_t m, size_t b, size_t np, double *Zb)
{
	/* block b: Philox stream b seeds the normals' generator and then
	 * draws the chi-squares of t shocks */
	qe_rng p;
	zig_rng g;
	rng_init(&p, sp->seed, (uint64_t)b);
	zig_seed(&g, &p);
	for (size_t q = 0; q < np; q++) {
		double *z = Zb + q * m;
		zig_normals(&g, z, m);
		if (sp->df > 0) {
			double c = sqrt((sp->df - 2) / (2.0 * rng_gamma(&p, sp->df / 2)));
			for (size_t f = 0; f < m; f++)
				z[f] *= c;
		}
	}
	/* Z <- Z L' in place (triangular: half a dgemm's flops), each row a
	 * correlated price change */
	if (L)
		cblas_dtrmm(CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, (int)np, (int)m,
			    1.0, L, (int)m, Zb, (int)m);
}

int var_mc(const risk_history *h, const risk_scenarios *all, const exposure *x, const var_spec *sp,
	   var_result *res, pnl_cube *cube, qe_err *e)
{
	size_t m = x->nf, npf = x->npf, N = sp->paths;
	double *S = malloc(m * m * sizeof *S + 1), *L = malloc(m * m * sizeof *L + 1);
	double *pnl = NULL, *DL = NULL;
	int rc = 0;
	memset(res, 0, sizeof *res); /* freeable on every error path */
	if (!S || !L) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	if (N == 0) {
		rc = qe_err_set(e, QE_USAGE, "no Monte Carlo paths");
		goto out;
	}
	if ((rc = result_alloc(res, npf, sp->nalpha, e)))
		goto out;
	if ((rc = var_mc_factor(h, all, sp, S, L, res->note, sizeof res->note, e)))
		goto out;
	pnl = malloc(npf * N * sizeof *pnl);
	if (!pnl) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory for %zu paths", N);
		goto out;
	}
	/* A book without gammas needs only d' L z = (L' d)' z: the deltas
	 * carried through L once (DL = D L, portfolios x factors) make each
	 * path's P&L a dot product of m terms instead of a triangular product
	 * of m^2/2 and then one of m. */
	if (!x->has_gamma) {
		DL = malloc(npf * m * sizeof *DL + 1);
		if (!DL) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		memcpy(DL, x->delta, npf * m * sizeof *DL);
		cblas_dtrmm(CblasRowMajor, CblasRight, CblasLower, CblasNoTrans, CblasNonUnit, (int)npf, (int)m, 1.0,
			    L, (int)m, DL, (int)m);
	}
	/* Each block is generated and multiplied by one thread; BLAS is
	 * single-threaded by the caller's setting (varcalc.h): a threaded
	 * dgemm may split the sums differently with the thread count and
	 * change the last bits. */
	int alloc_fail = 0;
	/* this rank's blocks of paths (all of them in one process); rank 0
	 * gathers the others' and measures */
	size_t q_lo, q_hi;
	par_my_share(N, VAR_MC_BLOCK, &q_lo, &q_hi);
	size_t b0 = q_lo / VAR_MC_BLOCK, b1 = (q_hi + VAR_MC_BLOCK - 1) / VAR_MC_BLOCK;
	double t0 = omp_get_wtime();
#pragma omp parallel
	{
		double *Zb = malloc(VAR_MC_BLOCK * m * sizeof *Zb), *Xb = malloc(VAR_MC_BLOCK * m * sizeof *Xb);
		if (!Zb || !Xb) {
#pragma omp atomic write
			alloc_fail = 1;
		}
#pragma omp for schedule(dynamic, 1)
		for (size_t b = b0; b < b1; b++) {
			if (!Zb || !Xb)
				continue;
			size_t q0 = b * VAR_MC_BLOCK, q1 = q0 + VAR_MC_BLOCK < N ? q0 + VAR_MC_BLOCK : N;
			int np = (int)(q1 - q0);
			var_mc_draw(sp, DL ? NULL : L, m, b, (size_t)np, Zb);
			if (DL) {
				cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)npf, np, (int)m, 1.0, DL,
					    (int)m, Zb, (int)m, 0.0, pnl + q0, (int)N);
				continue;
			}
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)npf, np, (int)m, 1.0, x->delta,
				    (int)m, Zb, (int)m, 0.0, pnl + q0, (int)N);
			if (x->has_gamma) {
				for (size_t i = 0; i < (size_t)np * m; i++)
					Xb[i] = Zb[i] * Zb[i];
				cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)npf, np, (int)m, 0.5,
					    x->gamma, (int)m, Xb, (int)m, 1.0, pnl + q0, (int)N);
			}
		}
		free(Zb);
		free(Xb);
	}
	if (alloc_fail) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	if ((rc = par_gather_cols(pnl, npf, N, VAR_MC_BLOCK, e)))
		goto out;
	double t1 = omp_get_wtime();
	if (par_rank() != 0)
		goto out;
	if ((rc = measure_all(pnl, npf, N, NULL, sp, x, res, e)))
		goto out;
	res->t_pnl = t1 - t0;
	res->t_measure = omp_get_wtime() - t1;
	if (cube) {
		if ((rc = fill_cube(cube, x, NULL, N, pnl, e)))
			goto out;
		pnl = NULL;
	}
out:
	if (rc)
		var_result_free(res);
	free(S);
	free(L);
	free(DL);
	free(pnl);
	return rc;
}

void var_components_free(var_components *c)
{
	free(c->total);
	free(c->marginal);
	free(c->component);
	free(c->incremental);
	free(c->fmarginal);
	free(c->fcomponent);
	free(c->fincremental);
	memset(c, 0, sizeof *c);
}

int var_component(const risk_history *h, const risk_scenarios *all, const exposure *x,
		  const var_spec *sp, var_components *c, qe_err *e)
{
	size_t m = x->nf, ng = x->npf - 1;
	double *S = malloc(m * m * sizeof *S + 1), *v = malloc(m * sizeof *v + 1);
	double *dm = malloc(m * sizeof *dm + 1), *vm = malloc(m * sizeof *vm + 1);
	int rc = 0;
	memset(c, 0, sizeof *c);
	c->ngroups = ng;
	c->nalpha = sp->nalpha;
	size_t n = ng * (size_t)sp->nalpha + 1;
	c->total = calloc((size_t)sp->nalpha + 1, sizeof *c->total);
	c->marginal = calloc(n, sizeof *c->marginal);
	c->component = calloc(n, sizeof *c->component);
	c->incremental = calloc(n, sizeof *c->incremental);
	c->nfactors = m;
	size_t nfa = m * (size_t)sp->nalpha + 1;
	c->fmarginal = calloc(nfa, sizeof *c->fmarginal);
	c->fcomponent = calloc(nfa, sizeof *c->fcomponent);
	c->fincremental = calloc(nfa, sizeof *c->fincremental);
	if (!S || !v || !dm || !vm || !c->total || !c->marginal || !c->component || !c->incremental ||
	    !c->fmarginal || !c->fcomponent || !c->fincremental) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	if ((rc = var_covariance(h, all, sp, 0, S, NULL, 0, e)))
		goto out;
	const double *d = x->delta;
	cblas_dsymv(CblasRowMajor, CblasUpper, (int)m, 1.0, S, (int)m, d, 1, 0.0, v, 1);
	double sig = sqrt(cblas_ddot((int)m, d, 1, v, 1));
	for (int a = 0; a < sp->nalpha; a++)
		c->total[a] = gsl_cdf_ugaussian_Pinv(sp->alpha[a]) * sig;
	for (size_t g = 0; g < ng; g++) {
		const double *dg = x->delta + (g + 1) * m;
		double contrib = sig > 0 ? cblas_ddot((int)m, dg, 1, v, 1) / sig : 0;
		for (size_t f = 0; f < m; f++)
			dm[f] = d[f] - dg[f];
		cblas_dsymv(CblasRowMajor, CblasUpper, (int)m, 1.0, S, (int)m, dm, 1, 0.0, vm, 1);
		double dd = cblas_ddot((int)m, dm, 1, vm, 1), sig_without = sqrt(dd > 0 ? dd : 0);
		for (int a = 0; a < sp->nalpha; a++) {
			double z = gsl_cdf_ugaussian_Pinv(sp->alpha[a]);
			size_t k = g * (size_t)sp->nalpha + (size_t)a;
			c->marginal[k] = z * contrib;
			c->component[k] = z * contrib;
			c->incremental[k] = c->total[a] - z * sig_without;
		}
	}
	double sig2 = sig * sig;
	for (size_t f = 0; f < m; f++) {
		double mf = sig > 0 ? v[f] / sig : 0;
		/* without factor f: d'Sd - 2 d_f (Sd)_f + d_f^2 S_ff */
		double w2 = sig2 - 2 * d[f] * v[f] + d[f] * d[f] * S[f * m + f];
		double sig_without = sqrt(w2 > 0 ? w2 : 0);
		for (int a = 0; a < sp->nalpha; a++) {
			double z = gsl_cdf_ugaussian_Pinv(sp->alpha[a]);
			size_t k = f * (size_t)sp->nalpha + (size_t)a;
			c->fmarginal[k] = z * mf;
			c->fcomponent[k] = z * mf * d[f];
			c->fincremental[k] = c->total[a] - z * sig_without;
		}
	}
	size_t na = (size_t)sp->nalpha;
	if ((rc = check_rows(c->total, 1, na, x, 0, "VaR", e)) ||
	    (rc = check_rows(c->marginal, ng, na, x, 1, "marginal VaR", e)) ||
	    (rc = check_rows(c->component, ng, na, x, 1, "component VaR", e)) ||
	    (rc = check_rows(c->incremental, ng, na, x, 1, "incremental VaR", e)) ||
	    (rc = check_rows(c->fmarginal, 1, m * na, x, 0, "factor marginal VaR", e)) ||
	    (rc = check_rows(c->fcomponent, 1, m * na, x, 0, "factor component VaR", e)) ||
	    (rc = check_rows(c->fincremental, 1, m * na, x, 0, "factor incremental VaR", e)))
		goto out;
out:
	if (rc)
		var_components_free(c);
	free(S);
	free(v);
	free(dm);
	free(vm);
	return rc;
}

int var_series(const risk_history *h, const risk_scenarios *all, const exposure *x,
	       const var_spec *sp, size_t pf, size_t ndays, qe_date *date, double *var, double *pnl,
	       qe_err *e)
{
	size_t W = sp->window, ns = all->ns;
	if (W == 0)
		return qe_err_set(e, QE_USAGE, "a backtest series needs a finite window");
	if (ns < W + ndays)
		return qe_err_set(e, QE_DATA,
				  "history gives %zu scenarios; a %zu-day series with a %zu-day window needs %zu",
				  ns, ndays, W, W + ndays);
	double *dF = malloc(ns * all->nf * sizeof *dF + 1), *all_pnl = malloc(x->npf * ns * sizeof *all_pnl + 1);
	double *scratch = malloc(2 * W * sizeof *scratch + 16), *wt = NULL;
	int rc = 0;
	if (sp->brw_lambda > 0)
		wt = malloc(W * sizeof *wt);
	if (!dF || !all_pnl || !scratch || (sp->brw_lambda > 0 && !wt)) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	rh_price_changes(h, all, dF);
	var_pnl(x, dF, ns, all_pnl);
	if (wt)
		var_brw_weights(wt, W, sp->brw_lambda);
	const double *p = all_pnl + pf * ns;
	for (size_t i = 0; i < ndays; i++) {
		size_t t = ns - ndays + i;
		double es;
		rc = wt ? var_measure_weighted(p + t - W, wt, W, sp->alpha[0], scratch, &var[i], &es, e)
			: var_measure(p + t - W, W, sp->alpha[0], sp->qdef, scratch, &var[i], &es, e);
		if (rc) {
			name_err(e, x, pf);
			goto out;
		}
		date[i] = all->date[t];
		pnl[i] = p[t];
		if (!isfinite(p[t])) {
			rc = qe_err_set(e, QE_NUMERIC, "portfolio '%s': P&L on %s is not finite (%g): overflow",
					x->label[pf], "the series day", p[t]);
			goto out;
		}
	}
out:
	free(dF);
	free(all_pnl);
	free(scratch);
	free(wt);
	return rc;
}

void var_inputs_free(var_inputs *in)
{
	rh_free(&in->h);
	if (in->have_x)
		expo_free(&in->x);
	rs_free(&in->all);
	memset(in, 0, sizeof *in);
}

static int inputs_load(var_inputs *in, const char *history, const char *vol_path, const char *markets,
		       const char *caldir, const char *sens, FILE *sens_fp, const char *by, const expo_fx *fx,
		       const qe_date *asof, int gap_policy, int horizon, int horizon_mode, int returns_mode,
		       qe_err *e);

int var_inputs_load(var_inputs *in, const char *history, const char *vol_path, const char *markets,
		    const char *caldir, const char *sens, const char *by, const expo_fx *fx, const qe_date *asof,
		    int gap_policy, int horizon, int horizon_mode, int returns_mode, qe_err *e)
{
	return inputs_load(in, history, vol_path, markets, caldir, sens, NULL, by, fx, asof, gap_policy, horizon,
			   horizon_mode, returns_mode, e);
}

int var_inputs_load_stream(var_inputs *in, const char *history, const char *vol_path, const char *markets,
			   const char *caldir, FILE *sens_fp, const char *sens_name, const char *by, const expo_fx *fx,
			   const qe_date *asof, int gap_policy, int horizon, int horizon_mode, int returns_mode,
			   qe_err *e)
{
	return inputs_load(in, history, vol_path, markets, caldir, sens_name, sens_fp, by, fx, asof, gap_policy, horizon,
			   horizon_mode, returns_mode, e);
}

static int inputs_load(var_inputs *in, const char *history, const char *vol_path, const char *markets,
		       const char *caldir, const char *sens, FILE *sens_fp, const char *by, const expo_fx *fx,
		       const qe_date *asof, int gap_policy, int horizon, int horizon_mode, int returns_mode,
		       qe_err *e)
{
	int rc;
	curvemaster *cm = NULL; /* read once, for the return types, calendars and exposures */
	const char *hname = !history || strcmp(history, "-") == 0 ? "<stdin>" : history;
	memset(in, 0, sizeof *in);
	if ((rc = rh_read(&in->h, history, e)))
		return rc;
	in->last = in->h.dates[in->h.nd - 1];
	if (vol_path) {
		vol_history v;
		if ((rc = volhist_read(&v, vol_path, e)))
			goto fail;
		rc = volhist_merge(&in->h, &v, e);
		volhist_free(&v);
		if (rc)
			goto fail;
	}
	if (asof) {
		char ds[16];
		in->cut = rh_cut_after(&in->h, *asof);
		if (in->h.nd == 0) {
			date_format(ds, *asof);
			rc = qe_err_set(e, QE_DATA, "%s: no date on or before the as-of date %s", hname, ds);
			goto fail;
		}
		in->asof = *asof;
	} else
		in->asof = in->last;
	if (markets && (!(cm = curvemaster_load(markets, e)) || curvemaster_load_calendars(cm, caldir, e))) {
		rc = e->code;
		goto fail;
	}
	if ((rc = rh_set_returns(&in->h, cm, e)))
		goto fail;
	if (returns_mode == RH_RET_CONTRACT && ((rc = rh_derive_contracts(&in->h, cm, e)) ||
						(rc = rh_contract_factors(&in->h, in->asof, &in->rolls, e))))
		goto fail;
	/* the sensitivity mode's FX factors, whose price is the value of one
	 * unit of the currency (fxhist.h) */
	if (sens && fx && fx->history && (rc = fxh_append_value(&in->h, fx->history, fx->base, e)))
		goto fail;
	if (sens) {
		if ((rc = sens_fp ? expo_read_stream(&in->x, sens_fp, sens, by, cm, fx, in->h.factors, e)
				  : expo_read(&in->x, sens, by, cm, fx, in->h.factors, e)))
			goto fail;
		in->have_x = 1;
		if (fx && fx->history && (rc = fxh_sens_finish(&in->x, &in->h, cm, e)))
			goto fail;
		unsigned char *used = calloc(in->h.nf + 1, 1);
		if (!used) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto fail;
		}
		expo_used(&in->x, used);
		size_t n = 0;
		for (size_t f = 0; f < in->h.nf; f++)
			n += used[f];
		if (n == 0) {
			free(used);
			rc = qe_err_set(e, QE_DATA, "%s: every delta and gamma is zero; nothing to measure", sens);
			goto fail;
		}
		rc = rh_restrict(&in->h, used, e);
		if (!rc)
			expo_restrict(&in->x, used);
		free(used);
		if (rc)
			goto fail;
	}
	if ((rc = rh_check_asof(&in->h, hname, in->asof, cm, e)))
		goto fail;
	in->closed = rh_carry_closed(&in->h, cm);
	if ((rc = rh_fill_gaps(&in->h, gap_policy, &in->gaps, e)))
		goto fail;
	if ((rc = rh_returns(&in->h, horizon, horizon_mode, 0, &in->all, e)))
		goto fail;
	curvemaster_free(cm);
	return 0;
fail:
	curvemaster_free(cm);
	var_inputs_free(in);
	return rc;
}
