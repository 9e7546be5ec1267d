/*
 * portfolio: the portfolio problem of qe-optimize as a QUBO.
 *
 * Inputs (qe-formats(5)): assets (asset,expected_return,price) and their
 * covariance (asset1,asset2,cov).  Selects exactly K assets (cardinality)
 * costing at most the budget B to minimize the mean-variance objective
 *
 *     q x'Sx - mu'x     over x in {0,1}^n,  q = risk_aversion,
 *
 * with the constraints as penalties: A (sum x - K)^2 + A (price'x +
 * slack - B)^2, prices and budget in integer budget units and the slack
 * in bounded binary (hedge.h), so every affordable selection has zero
 * penalty.  The caller raises A (pp->penalty) and solves again while the
 * answer breaks a constraint.  portfolio_relaxed() gives the continuous
 * unconstrained minimum (LAPACKE_dposv), a lower bound.
 *
 * Owns: everything in a portfolio_problem, released by portfolio_free().
 * Never prints, never exits.
 */
#ifndef QE_PORTFOLIO_H
#define QE_PORTFOLIO_H

#include <stdint.h>

#include "core/diag.h"
#include "opt/ising.h"

typedef struct portfolio_args {
	const char *assets, *cov;
	double budget, risk_aversion;
	int has_budget, cardinality;
} portfolio_args;

typedef struct portfolio_problem {
	int n;
	char **name;
	double *mu, *price;
	double *S;          /* n x n */
	double budget, risk_aversion;
	int cardinality;
	double *punits;     /* prices in budget units */
	int64_t budget_units;
	int slack_bits;     /* budget slack variables after the n assets (0: budget never binds) */
	double slack_step;  /* currency per budget unit */
	double penalty;     /* current penalty weight */
} portfolio_problem;

int portfolio_read(portfolio_problem *pp, const portfolio_args *a, qe_err *e);
void portfolio_free(portfolio_problem *pp);
/* Penalty QUBO over the assets then the slack bits:
 * q x'Sx - mu'x + A (sum x - K)^2 + A (price'x + slack - B)^2, prices and
 * budget in budget units, A = pp->penalty. */
int portfolio_qubo(const portfolio_problem *pp, opt_problem *p, double *constant, qe_err *e);
/* Mean-variance objective q x'Sx - mu'x of a selection (0/1 per asset). */
double portfolio_objective(const portfolio_problem *pp, const int8_t *x);
/* 1 when the selection meets the cardinality and the budget. */
int portfolio_feasible(const portfolio_problem *pp, const int8_t *x, double *spent, int *count);
/* Best-improvement swaps (one asset out, one in) that keep the budget:
 * the polish of a feasible selection (x: spins or 0/1, > 0 = selected). */
void portfolio_polish(const portfolio_problem *pp, int8_t *x);
/* anneal_opts.polish_fn for portfolios (ctx = portfolio_problem): swap
 * polish of a feasible selection, then the slack bits set to match. */
void portfolio_polish_spins(void *ctx, int8_t *spins);
/* Continuous unconstrained minimum of q x'Sx - mu'x (LAPACKE_dposv):
 * a lower bound of the objective of any selection. */
int portfolio_relaxed(const portfolio_problem *pp, double *objective, qe_err *e);

#endif
