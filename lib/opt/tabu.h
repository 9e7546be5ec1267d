/*
 * tabu: breakout local search for a sparse Ising model (ising.h), after
 * Benlic and Hao, "Breakout local search for the Max-Cut problem", Eng.
 * Appl. of AI 26 (2013) 1162-1173, with restarts from a combination of
 * elite solutions.
 *
 * One search walks from local optimum to local optimum: a steepest descent
 * of one-spin flips (the gain of every flip kept incrementally, O(degree)
 * per flip), then a perturbation of L flips, chosen adaptively as in BLS:
 * directed (the best flip not forbidden by the tabu list, with aspiration),
 * recency-based (the spin left alone longest) or random; L grows while the
 * search falls back into the local optimum it left, and a long run of
 * local optima without a new best triggers a strong random perturbation.
 * The search keeps the best distinct local optima it met (its elite); when
 * it stagnates it restarts from a child of two elite solutions (the spins
 * on which they agree, the others random).
 *
 * Reproducibility: a search draws only from its own stream (fastrng.h)
 * and counts its moves, so its path is a function of (seed, stream) alone.
 * tabu_solve() runs `replicas` searches in parallel and, with a target,
 * answers with the search that reached it in the fewest moves (ties: the
 * lowest replica), so the answer for a seed does not depend on
 * OMP_NUM_THREADS unless a time limit or an interrupt ends the run.
 *
 * Owns: its scratch memory (tabu_free, tabu_gains_free); the result's
 * spins belong to the caller (anneal_result_free).  Never prints.
 */
#ifndef QE_TABU_H
#define QE_TABU_H

#include <stdint.h>

#include "core/diag.h"
#include "opt/anneal.h"
#include "opt/ising.h"

/* Spins with the gain of every one-spin flip.  g[i] = s_i f_i with
 * f_i = h_i + sum_j J_ij s_j: flipping spin i lowers the energy by 2 g[i]. */
typedef struct tabu_gains {
	int n;
	int8_t *s;
	double *g;
	double energy;
} tabu_gains;

/* Copies the spins s and computes the gains and energy from scratch. */
int tabu_gains_init(tabu_gains *t, const ising_model *m, const int8_t *s);
/* Recomputes the gains and energy of the current spins from scratch. */
void tabu_gains_reset(tabu_gains *t, const ising_model *m);
/* Flips spin i and updates the gains of i and its neighbours, O(degree). */
void tabu_gains_flip(tabu_gains *t, const ising_model *m, int i);
void tabu_gains_free(tabu_gains *t);

/* Parameters of one search; tabu_params_auto() derives them from the model. */
typedef struct tabu_params {
	int tenure_min, tenure_max; /* a directed flip is tabu for a random tenure in this range */
	int jump_min, jump_max;     /* perturbation strength L0 and Lmax (flips) */
	int64_t stall;              /* T: non-improving local optima before a strong perturbation */
	double p0;                  /* least probability of a directed perturbation */
	double q;                   /* recency-based rather than random, when not directed */
	int64_t restart;            /* local optima without a new best before a recombination */
	int elite;                  /* elite pool size */
} tabu_params;

/* BLS's settings scaled to the model: L0 = n/100, Lmax = n/10, tenure 3
 * to n/10, T = 1000, P0 = 0.8, Q = 0.5 (the paper's), narrower jumps and
 * tenures for dense or weighted models; restart after 8T. */
void tabu_params_auto(const ising_model *m, tabu_params *p);

typedef struct tabu_search tabu_search;

/* A search of stream `stream` of `seed` from the spins `start` (NULL: a
 * random state); NULL when out of memory. */
tabu_search *tabu_new(const ising_model *m, const tabu_params *p, uint64_t seed, uint64_t stream,
		      const int8_t *start);
void tabu_free(tabu_search *t);

enum tabu_end { TABU_BUDGET, TABU_HIT, TABU_HALTED };

/* Continues the search for about `moves` more flips (it stops between
 * perturbations, so it may run over by one descent).  With has_target it
 * returns TABU_HIT as soon as its best energy is <= target.  halt(ctx,
 * moves so far) is asked between perturbations; non-zero ends the run
 * (TABU_HALTED). */
int tabu_run(tabu_search *t, int64_t moves, int has_target, double target,
	     int (*halt)(void *ctx, int64_t moves), void *ctx);
/* Flips made since tabu_new(). */
int64_t tabu_moves(const tabu_search *t);
/* The best state so far, its (tracked) energy, the move count and the
 * omp_get_wtime() at which it was found. */
const int8_t *tabu_best(const tabu_search *t, double *energy, int64_t *at_move, double *at_time);

/* The whole solve for anneal_solve() (solver "tabu"): o->replicas searches
 * (default 2), rounds of o->sweeps * n flips each (default 1000 * n),
 * continued from round to round, until the target, the round limit, the
 * time limit or the stop flag. */
int tabu_solve(const ising_model *m, const anneal_opts *o, anneal_result *r, qe_err *e);

#endif
