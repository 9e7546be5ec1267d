/*
 * hedge: the hedge-selection problem of qe-optimize as a QUBO.
 *
 * Inputs (qe-formats(5)): the book's delta ladder (qe-price --ladder:
 * book,curve,month,delta,unit), the covariance of daily price changes of
 * the risk factors CURVE:TENOR (qe-var cov: factor1,factor2,cov; tenor =
 * months from the as-of month to the delivery month) and a menu of hedge
 * instruments (instrument,curve,month,lot_size,cost_per_lot,min_lots,
 * max_lots).  The residual delta is d = d0 + sum_k n_k lot_k e_f(k), and the
 * problem is
 *
 *     minimize  d' S d + cost_weight * sum_k cost_k |n_k|
 *
 * (with FX rates, d and S in the base currency: see hedge_args.fx)
 *     over integer lots min_k <= n_k <= max_k.
 *
 * Each n_k = p_k - q_k (buys and sells, so the cost is linear) and p, q are
 * written in bounded binary (1, 2, 4, ..., remainder), exact for every
 * integer in range.  Ladder months and menu months map to factors as in
 * qe-var: tenor = months after the as-of month, tenors beyond
 * RISK_MAX_TENOR on CURVE:RISK_MAX_TENOR (riskfactor.h), unless
 * drop_uncovered.  Menu rows at or past their contract's last trading day
 * (contract.h, with a curve master) are left out and counted.
 * hedge_relaxed() solves the continuous, unbounded,
 * cost-free problem (LAPACKE least squares on the normal equations): a
 * lower bound on the residual variance, and the cross-check of the QUBO.
 *
 * Owns: everything in a hedge_problem, released by hedge_free().  Never
 * prints.  The portfolio problem, which shares the covariance reader and
 * the bounded binary encoding below, is opt/portfolio.h.
 */
#ifndef QE_HEDGE_H
#define QE_HEDGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "core/strindex.h"
#include "opt/ising.h"

typedef struct hedge_args {
	const char *ladder, *cov, *hedges, *asof, *book;
	const char *markets;   /* curve master: menu rows at or past their last
				* trading day are left out (NULL: only months
				* whose delivery has started) */
	const char *calendars; /* holiday files directory, chosen by the
				* command layer (cli_calendar_dir); NULL: only
				* the built-in calendars */
	double confidence;  /* for the VaR figures, e.g. 0.99 */
	double cost_weight; /* variance units per currency unit of cost */
	/* 0 (default): tenors beyond RISK_MAX_TENOR go to CURVE:RISK_MAX_TENOR
	 * as in qe-var (riskfactor.h), so the VaR covers the whole book;
	 * 1: no mapping, ladder factors without covariance are left out */
	int drop_uncovered;
	/* FX rates (qe-formats(5) "FX RATES") and the base currency: each
	 * factor's deltas (ladder and menu) are converted to the base
	 * currency by its curve's currency (markets) before the objective is
	 * formed; NULL: no conversion, and factors in more than one currency
	 * are QE_DATA unless allow_mixed (then added 1:1) */
	const char *fx, *base;
	int allow_mixed;
} hedge_args;

typedef struct hedge_instr {
	char *name, *curve, month[8];
	int factor;
	double lot_size, cost;
	int64_t min_lots, max_lots;
	int64_t plo, phi, qlo, qhi; /* n = p - q, p in [plo, phi], q in [qlo, qhi] */
	int pbit0, pbits, qbit0, qbits;
} hedge_instr;

typedef struct hedge_problem {
	int nf;            /* factors used */
	char **factor;     /* "CURVE:TENOR" */
	double *S;         /* nf x nf covariance, row-major */
	double *d0;        /* book delta per factor */
	int ni;
	hedge_instr *ins;
	int nbits;
	double cost_weight;
	double z;          /* normal quantile of the confidence */
	int dropped;       /* ladder factors left out for want of a covariance */
	double dropped_delta; /* their sum of |delta| */
	int mapped;        /* ladder rows beyond RISK_MAX_TENOR */
	double mapped_delta;  /* their sum of |delta| */
	int expired;       /* menu rows left out: at or past the last trading day */
	double *rate;      /* [nf] units of base per unit of the factor's currency (1 without fx) */
	char currency[16]; /* of the variance and VaR: base, or the one currency ("" unknown/mixed) */
	char mixed[256];   /* "EUR, USD" when factors mix currencies without fx */
} hedge_problem;

int hedge_read(hedge_problem *h, const hedge_args *a, qe_err *e);
void hedge_free(hedge_problem *h);
/* The QUBO over the lot bits; *constant is added to the QUBO value to get
 * the objective d'Sd + cost_weight * cost. */
int hedge_qubo(const hedge_problem *h, opt_problem *p, double *constant, qe_err *e);
/* Net lots from QUBO spins (bit = spin > 0). */
void hedge_decode(const hedge_problem *h, const int8_t *spins, int64_t *lots);
/* Residual variance d'Sd for real-valued lots (NULL = no hedge). */
double hedge_variance(const hedge_problem *h, const double *lots);
double hedge_cost(const hedge_problem *h, const int64_t *lots);
/* The polish of an annealed hedge in the lots themselves, not the bits:
 * continuous coordinate descent to the real-valued optimum in the box
 * (convex: soft threshold for the cost, clipped to the limits), rounding,
 * then integer coordinate moves and paired one-lot moves until none
 * improves. */
void hedge_polish(const hedge_problem *h, int64_t *lots);
/* Lots back into QUBO spins (net lots as buys or sells only). */
void hedge_encode(const hedge_problem *h, const int64_t *lots, int8_t *spins);
/* anneal_opts.polish_fn for hedges (ctx = hedge_problem): decode, polish,
 * encode, so every replica is judged after its polish. */
void hedge_polish_spins(void *ctx, int8_t *spins);
/* Continuous relaxation: real lots minimizing d'Sd, and that variance. */
int hedge_relaxed(const hedge_problem *h, double *lots, double *variance, qe_err *e);

/* Shared with opt/portfolio.c (and defined in hedge.c): the bounded
 * binary encoding of an integer 0..range in QUBO bits.  The covariance
 * reader both use is risk/covest.h's cov_long. */
/* Bits of the bounded binary encoding of 0..range (1, 2, 4, ...,
 * remainder: exactly the integers in range). */
int nbits_for(int64_t range);
/* Coefficient of bit b of the bounded binary encoding of 0..range. */
int64_t bit_coef(int64_t range, int nb, int b);
/* Bits of v in the bounded binary encoding of 0..range (nb spins). */
void encode_bounded(int64_t v, int64_t range, int nb, int8_t *s);

#endif
