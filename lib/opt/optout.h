/*
 * optout: the CSV outputs of qe-optimize - the solution table
 * (variable,value), the one-row run summary, the hedge proposal and the
 * portfolio selection (qe-formats(5)).
 *
 * Writes to a FILE the caller opened (through outfile.h, so that output
 * is atomic); write errors stay sticky in the FILE and surface when the
 * caller commits it (out_commit() or its output set's outset_commit()).
 * Owns nothing; never prints to stdout or stderr.
 */
#ifndef QE_OPTOUT_H
#define QE_OPTOUT_H

#include <stdint.h>
#include <stdio.h>

#include "opt/anneal.h"
#include "opt/hedge.h"
#include "opt/ising.h"
#include "opt/portfolio.h"

typedef struct opt_summary {
	const char *instance;
	int solver;
	uint64_t seed;
	double objective;
	int has_cut;     /* Max-Cut: the cut column repeats the objective */
	int has_target;  /* hit_target is 0/1, else empty */
	const anneal_result *r;
	int nx;          /* extra columns (hedge, portfolio); NaN = empty */
	const char *const *xnames;
	const double *xvals;
	const char *currency; /* non-NULL: a last column "currency" (hedge) */
} opt_summary;

/* Header and one row: instance,solver,seed,objective,cut,energy,
 * time_to_best_s,sweeps,flips_per_s,rounds,elapsed_s,hit_target,stop[,extra]. */
void optout_summary(FILE *fp, const opt_summary *s);
/* variable,value: sides or bits 0/1 (Max-Cut, QUBO), spins -1/+1 (Ising),
 * variables numbered from the problem's base. */
void optout_solution(FILE *fp, const opt_problem *p, const int8_t *spins);
/* instrument,curve,month,lots,quantity,cost */
void optout_hedge(FILE *fp, const hedge_problem *h, const int64_t *lots);
/* asset,selected,price,expected_return */
void optout_portfolio(FILE *fp, const portfolio_problem *pp, const int8_t *x);

#endif
