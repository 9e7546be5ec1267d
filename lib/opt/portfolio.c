#include "opt/portfolio.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "core/strindex.h"
#include "opt/hedge.h"
#include "risk/covest.h"

/* --- portfolio -------------------------------------------------------------- */

void portfolio_free(portfolio_problem *pp)
{
	for (int i = 0; i < pp->n; i++)
		free(pp->name[i]);
	free(pp->name);
	free(pp->mu);
	free(pp->price);
	free(pp->punits);
	free(pp->S);
	memset(pp, 0, sizeof *pp);
}

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

int portfolio_read(portfolio_problem *pp, const portfolio_args *a, qe_err *e)
{
	const char *cols[] = {"asset", "expected_return", "price"};
	int idx[3], st, rc = 0;
	csv_reader *r;
	strindex *names = sidx_new();
	cov_long cov = {0};
	long *map = NULL;
	memset(pp, 0, sizeof *pp);
	pp->risk_aversion = a->risk_aversion;
	pp->cardinality = a->cardinality;
	if (!names)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (!(r = csvr_open(a->assets, e))) {
		sidx_free(names);
		return e->code;
	}
	if ((rc = csvr_require(r, cols, 3, idx, e)))
		goto done;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		const char *nm;
		double mu, price;
		int added;
		if (st != CSVR_ROW || !(nm = csvr_get_str(r, idx[0], e)) ||
		    (rc = csvr_get_double(r, idx[1], &mu, e)) || (rc = csvr_get_double(r, idx[2], &price, e))) {
			rc = e->code ? e->code : QE_DATA;
			goto done;
		}
		if (!(price > 0)) {
			rc = csvr_field_error(r, idx[2], e, "price must be > 0 '%s'", csvr_field(r, idx[2], NULL));
			goto done;
		}
		if (sidx_add(names, nm, strlen(nm), &added) < 0 || !added) {
			rc = added ? qe_err_set(e, QE_INTERNAL, "out of memory")
				   : csvr_field_error(r, idx[0], e, "duplicate asset '%s'", nm);
			goto done;
		}
		char **nn = realloc(pp->name, ((size_t)pp->n + 1) * sizeof *nn);
		if (nn)
			pp->name = nn;
		double *m2 = realloc(pp->mu, ((size_t)pp->n + 1) * sizeof *m2);
		if (m2)
			pp->mu = m2;
		double *p2 = realloc(pp->price, ((size_t)pp->n + 1) * sizeof *p2);
		if (p2)
			pp->price = p2;
		if (!nn || !m2 || !p2 || !(pp->name[pp->n] = strdup(nm))) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto done;
		}
		pp->mu[pp->n] = mu;
		pp->price[pp->n] = price;
		pp->n++;
	}
	if (pp->n == 0 || pp->n > 4000) {
		rc = qe_err_set(e, QE_DATA, "%s: %d assets (want 1 to 4000)", csvr_name(r), pp->n);
		goto done;
	}
	if (pp->cardinality < 1 || pp->cardinality > pp->n) {
		rc = qe_err_set(e, QE_USAGE, "--cardinality %d: want 1..%d (the number of assets)", pp->cardinality, pp->n);
		goto done;
	}
	if ((rc = cov_long_read(&cov, a->cov, "asset1", "asset2", NULL, e)))
		goto done;
	pp->S = calloc((size_t)pp->n * pp->n, sizeof *pp->S);
	map = malloc((size_t)pp->n * sizeof *map);
	if (!pp->S || !map) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	for (int i = 0; i < pp->n; i++)
		if ((map[i] = sidx_find(cov.names, pp->name[i], strlen(pp->name[i]))) < 0) {
			rc = qe_err_set(e, QE_DATA, "%s: no covariance for asset %s", cov.file, pp->name[i]);
			goto done;
		}
	if ((rc = cov_long_matrix(&cov, map, (size_t)pp->n, pp->name, "assets", pp->S, e)))
		goto done;

	/* Budget in integer units: cents, divided by their common divisor, so
	 * that price'x + slack = budget has an exact solution for every
	 * affordable selection.  Coarser units beyond 2^20 (then approximate). */
	double total = 0;
	for (int i = 0; i < pp->n; i++)
		total += pp->price[i];
	pp->budget = a->has_budget ? a->budget : total;
	if (!(pp->budget >= 0)) {
		rc = qe_err_set(e, QE_USAGE, "--budget must be >= 0");
		goto done;
	}
	pp->punits = malloc((size_t)pp->n * sizeof *pp->punits);
	if (!pp->punits) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	if (total > pp->budget) {
		int64_t g = (int64_t)llround(pp->budget * 100);
		if (pp->budget * 100 > 1e15) {
			rc = qe_err_set(e, QE_USAGE, "--budget too large");
			goto done;
		}
		for (int i = 0; i < pp->n; i++)
			g = gcd64(g, (int64_t)llround(pp->price[i] * 100));
		if (g <= 0)
			g = 1;
		pp->slack_step = g / 100.0;
		while (pp->budget / pp->slack_step > (double)(1 << 20))
			pp->slack_step *= 2;
		for (int i = 0; i < pp->n; i++)
			pp->punits[i] = pp->price[i] / pp->slack_step;
		pp->budget_units = (int64_t)floor(pp->budget / pp->slack_step + 1e-9);
		pp->slack_bits = nbits_for(pp->budget_units);
	}
	/* Penalty: more than any single flip can gain in the objective. */
	double G = 0;
	for (int i = 0; i < pp->n; i++) {
		double g = fabs(pp->mu[i]);
		for (int j = 0; j < pp->n; j++)
			g += pp->risk_aversion * fabs(pp->S[(size_t)i * pp->n + j]) * (i == j ? 1 : 2);
		if (g > G)
			G = g;
	}
	pp->penalty = G > 0 ? 2 * G : 1;
done:
	csvr_close(r);
	free(map);
	cov_long_free(&cov);
	sidx_free(names);
	if (rc)
		portfolio_free(pp);
	return rc;
}

int portfolio_qubo(const portfolio_problem *pp, opt_problem *p, double *constant, qe_err *e)
{
	int n = pp->n, nv = n + pp->slack_bits, rc = 0;
	double A = pp->penalty, q = pp->risk_aversion, K = pp->cardinality, B = (double)pp->budget_units;
	double *a = malloc((size_t)(nv ? nv : 1) * sizeof *a);
	problem_init(p, PROBLEM_QUBO);
	p->n = nv;
	if (!a)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (int i = 0; i < n; i++)
		a[i] = pp->slack_bits ? pp->punits[i] : 0;
	for (int b = 0; b < pp->slack_bits; b++)
		a[n + b] = (double)bit_coef(pp->budget_units, pp->slack_bits, b);
	*constant = A * K * K + (pp->slack_bits ? A * B * B : 0);
	for (int i = 0; i < nv && !rc; i++) {
		/* budget: A (a'z - B)^2, zero when there is no slack (a = 0) */
		double lin = A * (a[i] * a[i] - 2 * B * a[i]);
		if (i < n)
			lin += q * pp->S[(size_t)i * n + i] - pp->mu[i] + A * (1 - 2 * K);
		rc = problem_add(p, i, i, lin, e);
		for (int j = i + 1; j < nv && !rc; j++) {
			double w = 2 * A * a[i] * a[j];
			if (i < n && j < n)
				w += 2 * q * pp->S[(size_t)i * n + j] + 2 * A;
			if (w != 0)
				rc = problem_add(p, i, j, w, e);
		}
	}
	free(a);
	if (rc)
		problem_free(p);
	return rc;
}

double portfolio_objective(const portfolio_problem *pp, const int8_t *x)
{
	double v = 0;
	for (int i = 0; i < pp->n; i++) {
		if (x[i] <= 0)
			continue;
		v -= pp->mu[i];
		for (int j = 0; j < pp->n; j++)
			if (x[j] > 0)
				v += pp->risk_aversion * pp->S[(size_t)i * pp->n + j];
	}
	return v;
}

int portfolio_feasible(const portfolio_problem *pp, const int8_t *x, double *spent, int *count)
{
	double s = 0;
	int c = 0;
	for (int i = 0; i < pp->n; i++)
		if (x[i] > 0) {
			s += pp->price[i];
			c++;
		}
	*spent = s;
	*count = c;
	return c == pp->cardinality && s <= pp->budget * (1 + 1e-12);
}

int portfolio_relaxed(const portfolio_problem *pp, double *objective, qe_err *e)
{
	int n = pp->n;
	double *A = malloc((size_t)n * n * sizeof *A), *x = malloc((size_t)n * sizeof *x);
	if (!A || !x) {
		free(A);
		free(x);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	for (size_t k = 0; k < (size_t)n * n; k++)
		A[k] = 2 * pp->risk_aversion * pp->S[k];
	memcpy(x, pp->mu, (size_t)n * sizeof *x);
	lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', n, 1, A, n, x, 1);
	if (info == 0) {
		double v = 0;
		for (int i = 0; i < n; i++) {
			v -= pp->mu[i] * x[i];
			for (int j = 0; j < n; j++)
				v += pp->risk_aversion * x[i] * pp->S[(size_t)i * n + j] * x[j];
		}
		*objective = v;
	}
	free(A);
	free(x);
	if (info != 0)
		return qe_err_set(e, QE_NUMERIC, "relaxation: covariance is not positive definite (LAPACKE_dposv info %d)", (int)info);
	return 0;
}

/* --- polish ------------------------------------------------------------------ */

void portfolio_polish(const portfolio_problem *pp, int8_t *x)
{
	int n = pp->n;
	double spent;
	int count;
	double *y = malloc((size_t)n * sizeof *y);
	if (!y)
		return;
	if (!portfolio_feasible(pp, x, &spent, &count)) {
		free(y);
		return;
	}
	for (int i = 0; i < n; i++) {
		y[i] = 0;
		for (int j = 0; j < n; j++)
			if (x[j] > 0)
				y[i] += pp->S[(size_t)i * n + j];
	}
	double q = pp->risk_aversion;
	for (int pass = 0; pass < 10000; pass++) {
		int bi = -1, bj = -1;
		double bd = -1e-12 * (1 + fabs(portfolio_objective(pp, x)));
		for (int i = 0; i < n; i++) {
			if (x[i] <= 0)
				continue;
			for (int j = 0; j < n; j++) {
				if (x[j] > 0 || spent - pp->price[i] + pp->price[j] > pp->budget * (1 + 1e-12))
					continue;
				double d = q * (pp->S[(size_t)i * n + i] + pp->S[(size_t)j * n + j] - 2 * y[i] + 2 * y[j] -
						2 * pp->S[(size_t)i * n + j]) + pp->mu[i] - pp->mu[j];
				if (d < bd) {
					bd = d;
					bi = i;
					bj = j;
				}
			}
		}
		if (bi < 0)
			break;
		x[bi] = -1;
		x[bj] = 1;
		spent += pp->price[bj] - pp->price[bi];
		for (int k = 0; k < n; k++)
			y[k] += pp->S[(size_t)k * n + bj] - pp->S[(size_t)k * n + bi];
	}
	free(y);
}

void portfolio_polish_spins(void *ctx, int8_t *spins)
{
	const portfolio_problem *pp = ctx;
	double spent;
	int count;
	if (!portfolio_feasible(pp, spins, &spent, &count))
		return;
	portfolio_polish(pp, spins);
	if (!pp->slack_bits)
		return;
	double used = 0;
	for (int i = 0; i < pp->n; i++)
		if (spins[i] > 0)
			used += pp->punits[i];
	int64_t slack = pp->budget_units - (int64_t)llround(used);
	if (slack >= 0 && slack <= pp->budget_units)
		encode_bounded(slack, pp->budget_units, pp->slack_bits, spins + pp->n);
}
