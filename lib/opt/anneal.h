/*
 * anneal: heuristic and exact minimizers of a sparse Ising model
 * (ising.h) - simulated annealing, parallel tempering, simulated
 * bifurcation (ballistic and discrete), a greedy 1-opt polish and an
 * exhaustive solver for n <= 30.
 *
 * Reproducibility: every replica draws from its own counter-seeded stream
 * (fastrng.h) keyed by (seed, round, replica), replicas never share
 * state, and the best is chosen by (energy, round, replica), so the answer
 * for a given seed is byte-identical whatever OMP_NUM_THREADS is - as long
 * as the run stops on sweeps, rounds or target, not on wall time (a time
 * limit makes the number of rounds depend on the machine).
 *
 * Work is split into rounds: a round runs `replicas` independent anneals
 * (SA, SB) or two parallel-tempering chains of `replicas` temperatures
 * each, in parallel with OpenMP (no barrier inside a round); rounds repeat (restarts) until the target energy
 * is reached, the round limit or the time limit.
 *
 * Owns: its scratch memory; the result's spins belong to the caller
 * (anneal_result_free).  Never prints: progress goes through a callback.
 */
#ifndef QE_ANNEAL_H
#define QE_ANNEAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/diag.h"
#include "opt/ising.h"

enum solver_kind { SOLVER_SA, SOLVER_PT, SOLVER_SB_BALLISTIC, SOLVER_SB_DISCRETE, SOLVER_EXACT, SOLVER_TABU };
enum schedule_kind { SCHEDULE_GEOMETRIC, SCHEDULE_LINEAR };

#define ANNEAL_EXACT_MAX 30

/* Parses "sa", "pt", "bsb", "dsb", "exact", "tabu" (opt/tabu.h); -1 when unknown. */
int solver_parse(const char *s);
const char *solver_name(int solver);

typedef struct anneal_progress {
	int64_t rounds;
	double best_energy;
	double elapsed;
} anneal_progress;

typedef struct anneal_opts {
	int solver;
	uint64_t seed;
	int64_t sweeps;     /* sweeps per anneal (SA, PT) or time steps (SB); 0 = default */
	int replicas;       /* per round; 0 = default */
	int64_t max_rounds; /* 0 = 1 round, unless a time limit or target is set (then unlimited) */
	double time_limit;  /* seconds, 0 = none */
	int has_target;
	double target_energy;
	int schedule;       /* SA */
	double t0, t1;      /* initial and final temperature; 0 = automatic */
	int no_polish;
	/* Problem-specific polish run after the 1-opt one on every replica's
	 * state (serially, in replica order), before the best is chosen. */
	void (*polish_fn)(void *ctx, int8_t *spins);
	void *polish_ctx;
	void (*progress)(void *ctx, const anneal_progress *p);
	void *progress_ctx;
	/* Set non-zero from anywhere (a signal handler of the command layer)
	 * to end the search as the time limit does: running anneals stop
	 * early, no round starts, and the best state so far is returned
	 * (stop = ANNEAL_STOP_INTERRUPTED).  NULL: none.  The exact solver
	 * does not look at it. */
	const atomic_int *stop;
} anneal_opts;

/* Why the search ended (anneal_result.stop). */
enum anneal_stop {
	ANNEAL_STOP_ROUNDS,     /* every round (restarts, sweeps) done; exact: searched */
	ANNEAL_STOP_TARGET,     /* the target energy was reached */
	ANNEAL_STOP_TIME,       /* the time limit */
	ANNEAL_STOP_INTERRUPTED /* the stop flag */
};
/* "rounds", "target", "time", "interrupted". */
const char *anneal_stop_name(int stop);

typedef struct anneal_result {
	int8_t *spins;       /* n spins -1/+1, caller frees via anneal_result_free */
	double energy;       /* ising_energy(spins), recomputed */
	double time_to_best; /* seconds from the start until the best was found */
	double elapsed;      /* seconds, whole solve */
	int64_t sweeps;      /* sweeps (or SB steps) done, summed over replicas */
	double attempts;     /* spin-flip attempts (or SB spin updates) */
	double busy_seconds; /* replica CPU time (thread CPU clock) summed over replicas */
	int64_t rounds;
	int hit_target;
	int stop;            /* enum anneal_stop */
	double t0, t1;       /* temperatures used (SA, PT) */
} anneal_result;

void anneal_opts_init(anneal_opts *o);
int anneal_solve(const ising_model *m, const anneal_opts *o, anneal_result *r, qe_err *e);
void anneal_result_free(anneal_result *r);

/* Greedy 1-opt descent: flips single spins while the energy drops. */
void anneal_polish(const ising_model *m, int8_t *s);
/* Exhaustive minimum over all 2^n states (n <= ANNEAL_EXACT_MAX); ties
 * go to the first state in Gray-code order. */
int anneal_exact(const ising_model *m, int8_t *best, double *energy, qe_err *e);
/* Automatic temperatures from the coupling scale: T0 accepts a typical
 * uphill move (twice the root-sum-square coupling of a spin) with
 * probability 1/10 - a random start is already hotter than that - and T1
 * the smallest one with 1/1000. */
void anneal_auto_temps(const ising_model *m, double *t0, double *t1);

#endif
