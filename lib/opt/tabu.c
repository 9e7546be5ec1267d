#include "opt/tabu.h"

#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/fastrng.h"

/* --- incremental gains ---------------------------------------------------- */

void tabu_gains_reset(tabu_gains *t, const ising_model *m)
{
	double pairs = 0, lin = 0;
	for (int i = 0; i < m->n; i++) {
		double f = m->h[i], c = 0;
		for (int64_t q = m->row[i]; q < m->row[i + 1]; q++)
			c += m->J[q] * t->s[m->col[q]];
		f += c;
		t->g[i] = t->s[i] * f;
		pairs += c * t->s[i];
		lin += m->h[i] * t->s[i];
	}
	t->energy = m->offset + lin + pairs / 2;
}

int tabu_gains_init(tabu_gains *t, const ising_model *m, const int8_t *s)
{
	t->n = m->n;
	t->s = malloc((size_t)m->n + 1);
	t->g = malloc(((size_t)m->n + 1) * sizeof *t->g);
	if (!t->s || !t->g) {
		tabu_gains_free(t);
		return -1;
	}
	if (m->n)
		memcpy(t->s, s, (size_t)m->n);
	tabu_gains_reset(t, m);
	return 0;
}

void tabu_gains_free(tabu_gains *t)
{
	free(t->s);
	free(t->g);
	t->s = NULL;
	t->g = NULL;
}

void tabu_gains_flip(tabu_gains *t, const ising_model *m, int i)
{
	int8_t *restrict s = t->s;
	double *restrict g = t->g;
	const double gi = g[i];
	/* f_j changes by -2 s_i J_ij, so g_j = s_j f_j by -2 s_i s_j J_ij */
	const double d = -2.0 * s[i];
	t->energy -= 2 * gi;
	g[i] = -gi;
	s[i] = (int8_t)-s[i];
	for (int64_t q = m->row[i]; q < m->row[i + 1]; q++) {
		int j = m->col[q];
		g[j] += d * s[j] * m->J[q];
	}
}

/* --- parameters ------------------------------------------------------------ */

void tabu_params_auto(const ising_model *m, tabu_params *p)
{
	int n = m->n;
	double deg = n ? (double)m->nnz / n : 0;
	p->jump_min = n / 100 > 1 ? n / 100 : 1;
	p->jump_max = n / 10 > p->jump_min + 1 ? n / 10 : p->jump_min + 1;
	p->tenure_min = 3 < n ? 3 : (n > 1 ? n - 1 : 1);
	p->tenure_max = n / 10 > p->tenure_min ? n / 10 : p->tenure_min;
	/* A dense graph (every flip moves many gains) is thrown further by a
	 * flip than a sparse one: shorter jumps and tenures. */
	if (deg > 0.02 * n && deg > 16) {
		p->tenure_max = p->tenure_max / 2 > p->tenure_min ? p->tenure_max / 2 : p->tenure_min;
		p->jump_max = p->jump_max / 2 > p->jump_min + 1 ? p->jump_max / 2 : p->jump_min + 1;
	}
	p->stall = 1000;
	p->p0 = 0.8;
	p->q = 0.5;
	p->restart = 8 * p->stall;
	p->elite = 10;
}

/* --- one search ------------------------------------------------------------ */

struct tabu_search {
	const ising_model *m;
	tabu_params p;
	tabu_gains cur;
	frng rng;
	double tol;          /* an energy change smaller than this is rounding */
	int64_t iter;        /* flips made */
	int64_t *tabu_until; /* flipping i is tabu while iter < tabu_until[i] */
	int64_t *last_moved;
	uint64_t *zkey, hash;/* Zobrist hash of the spins */
	int8_t *best;
	double best_energy, best_time;
	int64_t best_iter;
	int64_t omega;       /* consecutive local optima without a new best */
	int64_t since_best;  /* local optima since the best improved (restart clock) */
	int jump;            /* L */
	double prev_energy;  /* the previous local optimum */
	uint64_t prev_hash;
	int nelite;
	int8_t *elite_s;     /* p.elite rows of n spins */
	double *elite_e;
	uint64_t *elite_h;
	int8_t *child;
	int no_fields;       /* h == 0: s and -s are the same solution */
	int *imp, *imp_pos;  /* the spins whose flip lowers the energy, and where (-1: not) */
	int nimp;
};

static void save_best(tabu_search *t)
{
	t->best_energy = t->cur.energy;
	t->best_iter = t->iter;
	t->best_time = omp_get_wtime();
	memcpy(t->best, t->cur.s, (size_t)t->m->n);
}

/* Keeps spin i in the improving set exactly when its flip gains. */
static inline void imp_update(tabu_search *t, int i)
{
	int in = t->imp_pos[i] >= 0, want = t->cur.g[i] > t->tol;
	if (want && !in) {
		t->imp_pos[i] = t->nimp;
		t->imp[t->nimp++] = i;
	} else if (!want && in) {
		int last = t->imp[--t->nimp];
		t->imp[t->imp_pos[i]] = last;
		t->imp_pos[last] = t->imp_pos[i];
		t->imp_pos[i] = -1;
	}
}

static void imp_rebuild(tabu_search *t)
{
	t->nimp = 0;
	for (int i = 0; i < t->m->n; i++) {
		t->imp_pos[i] = -1;
		imp_update(t, i);
	}
}

/* The gains, energy, hash and improving set of the spins in cur.s. */
static void state_reset(tabu_search *t)
{
	tabu_gains_reset(&t->cur, t->m);
	imp_rebuild(t);
	t->hash = 0;
	for (int i = 0; i < t->m->n; i++)
		if (t->cur.s[i] > 0)
			t->hash ^= t->zkey[i];
}

static void flip(tabu_search *t, int i)
{
	const ising_model *m = t->m;
	tabu_gains_flip(&t->cur, m, i);
	imp_update(t, i);
	for (int64_t q = m->row[i]; q < m->row[i + 1]; q++)
		imp_update(t, m->col[q]);
	t->hash ^= t->zkey[i];
	t->last_moved[i] = t->iter;
	t->iter++;
}

/* Steepest descent: the best improving flip (ties at random) until none. */
static void descend(tabu_search *t)
{
	const double *g = t->cur.g;
	while (t->nimp > 0) {
		int bi = t->imp[0], ties = 1;
		double bg = g[bi];
		for (int k = 1; k < t->nimp; k++) {
			int i = t->imp[k];
			if (g[i] > bg + t->tol) {
				bg = g[i];
				bi = i;
				ties = 1;
			} else if (g[i] >= bg - t->tol && frng_below(&t->rng, (uint32_t)++ties) == 0) {
				bi = i;
			}
		}
		flip(t, bi);
	}
}

/* The best flip not tabu, or tabu but reaching a new best (aspiration);
 * ties at random.  Two passes: a branch-free maximum, then the ties. */
static int directed_move(tabu_search *t)
{
	const int n = t->m->n;
	const double *restrict g = t->cur.g;
	const int64_t *restrict tu = t->tabu_until;
	const int64_t now = t->iter;
	/* a flip gaining more than this beats the best */
	const double aspire = (t->cur.energy - t->best_energy) / 2 + t->tol;
	double bg = -INFINITY;
	for (int i = 0; i < n; i++) {
		double v = (tu[i] <= now || g[i] > aspire) ? g[i] : -INFINITY;
		bg = v > bg ? v : bg;
	}
	if (bg == -INFINITY)
		return (int)frng_below(&t->rng, (uint32_t)n);
	int bi = -1, ties = 0;
	const double lo = bg - t->tol;
	for (int i = 0; i < n; i++)
		if (g[i] >= lo && (tu[i] <= now || g[i] > aspire) && frng_below(&t->rng, (uint32_t)++ties) == 0)
			bi = i;
	return bi;
}

/* The spin left alone longest (ties: the first). */
static int recency_move(tabu_search *t)
{
	int bi = 0;
	for (int i = 1; i < t->m->n; i++)
		if (t->last_moved[i] < t->last_moved[bi])
			bi = i;
	return bi;
}

enum { PERTURB_DIRECTED, PERTURB_RECENCY, PERTURB_RANDOM };

static void perturb(tabu_search *t, int kind, int moves)
{
	const int n = t->m->n;
	const uint32_t span = (uint32_t)(t->p.tenure_max - t->p.tenure_min + 1);
	for (int k = 0; k < moves; k++) {
		int i = kind == PERTURB_DIRECTED  ? directed_move(t)
			: kind == PERTURB_RECENCY ? recency_move(t)
						  : (int)frng_below(&t->rng, (uint32_t)n);
		flip(t, i);
		t->tabu_until[i] = t->iter + t->p.tenure_min + frng_below(&t->rng, span);
		if (t->cur.energy < t->best_energy - t->tol)
			save_best(t);
	}
}

/* Keeps the current local optimum among the elite when it is new and
 * better than the worst kept. */
static void elite_offer(tabu_search *t)
{
	const int n = t->m->n;
	int worst = 0, k;
	for (k = 0; k < t->nelite; k++) {
		if (t->elite_h[k] == t->hash && fabs(t->elite_e[k] - t->cur.energy) <= t->tol)
			return;
		if (t->elite_e[k] > t->elite_e[worst])
			worst = k;
	}
	if (t->nelite < t->p.elite)
		k = t->nelite++;
	else if (t->cur.energy < t->elite_e[worst] - t->tol)
		k = worst;
	else
		return;
	memcpy(t->elite_s + (size_t)k * n, t->cur.s, (size_t)n);
	t->elite_e[k] = t->cur.energy;
	t->elite_h[k] = t->hash;
}

/* Restart from a child of two elite solutions: where they agree (after
 * turning one over when that brings them closer and s ~ -s) keep it, else
 * a random spin.  Fewer than two elite: a random state. */
static void recombine(tabu_search *t)
{
	const int n = t->m->n;
	int8_t *c = t->child;
	if (t->nelite >= 2) {
		int a = (int)frng_below(&t->rng, (uint32_t)t->nelite);
		int b = (int)frng_below(&t->rng, (uint32_t)(t->nelite - 1));
		b += b >= a;
		const int8_t *sa = t->elite_s + (size_t)a * n, *sb = t->elite_s + (size_t)b * n;
		int diff = 0;
		for (int i = 0; i < n; i++)
			diff += sa[i] != sb[i];
		int turn = t->no_fields && 2 * diff > n ? -1 : 1;
		for (int i = 0; i < n; i++)
			c[i] = sa[i] == turn * sb[i] ? sa[i] : ((frng_next(&t->rng) >> 63) ? 1 : -1);
	} else {
		for (int i = 0; i < n; i++)
			c[i] = (frng_next(&t->rng) >> 63) ? 1 : -1;
	}
	memcpy(t->cur.s, c, (size_t)n);
	state_reset(t);
	for (int i = 0; i < n; i++)
		t->tabu_until[i] = 0;
}

tabu_search *tabu_new(const ising_model *m, const tabu_params *p, uint64_t seed, uint64_t stream,
		      const int8_t *start)
{
	const size_t n = (size_t)m->n;
	tabu_search *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->m = m;
	t->p = *p;
	if (t->p.elite < 2)
		t->p.elite = 2;
	frng_seed(&t->rng, seed, stream);
	t->cur.n = m->n;
	t->cur.s = malloc(n + 1);
	t->cur.g = malloc((n + 1) * sizeof *t->cur.g);
	t->tabu_until = calloc(n + 1, sizeof *t->tabu_until);
	t->last_moved = calloc(n + 1, sizeof *t->last_moved);
	t->zkey = malloc((n + 1) * sizeof *t->zkey);
	t->best = malloc(n + 1);
	t->elite_s = malloc((size_t)t->p.elite * n + 1);
	t->elite_e = malloc((size_t)t->p.elite * sizeof *t->elite_e);
	t->elite_h = malloc((size_t)t->p.elite * sizeof *t->elite_h);
	t->child = malloc(n + 1);
	t->imp = malloc((n + 1) * sizeof *t->imp);
	t->imp_pos = malloc((n + 1) * sizeof *t->imp_pos);
	if (!t->imp || !t->imp_pos || !t->cur.s || !t->cur.g || !t->tabu_until || !t->last_moved || !t->zkey || !t->best ||
	    !t->elite_s || !t->elite_e || !t->elite_h || !t->child) {
		tabu_free(t);
		return NULL;
	}
	t->tol = 1e-10 * (m->max_field > 1 ? m->max_field : 1);
	t->no_fields = 1;
	for (size_t i = 0; i < n; i++) {
		t->zkey[i] = frng_next(&t->rng);
		if (m->h[i] != 0)
			t->no_fields = 0;
	}
	recombine(t); /* no elite yet: a random state */
	if (start) {
		memcpy(t->cur.s, start, n);
		state_reset(t);
	}
	t->best_energy = INFINITY;
	t->jump = t->p.jump_min;
	t->prev_energy = INFINITY;
	return t;
}

void tabu_free(tabu_search *t)
{
	if (!t)
		return;
	tabu_gains_free(&t->cur);
	free(t->tabu_until);
	free(t->last_moved);
	free(t->zkey);
	free(t->best);
	free(t->elite_s);
	free(t->elite_e);
	free(t->elite_h);
	free(t->child);
	free(t->imp);
	free(t->imp_pos);
	free(t);
}

int64_t tabu_moves(const tabu_search *t)
{
	return t->iter;
}

const int8_t *tabu_best(const tabu_search *t, double *energy, int64_t *at_move, double *at_time)
{
	if (energy)
		*energy = t->best_energy;
	if (at_move)
		*at_move = t->best_iter;
	if (at_time)
		*at_time = t->best_time;
	return t->best;
}

int tabu_run(tabu_search *t, int64_t moves, int has_target, double target,
	     int (*halt)(void *ctx, int64_t moves), void *ctx)
{
	const int64_t end = t->iter + moves;
	if (t->m->n == 0) {
		t->best_energy = t->m->offset;
		t->best_time = omp_get_wtime();
		return has_target && t->best_energy <= target ? TABU_HIT : TABU_BUDGET;
	}
	for (;;) {
		descend(t);
		/* a local optimum */
		if (t->cur.energy < t->best_energy - t->tol) {
			save_best(t);
			t->omega = 0;
			t->since_best = 0;
		} else {
			t->omega++;
			t->since_best++;
		}
		if (has_target && t->best_energy <= target + t->tol)
			return TABU_HIT;
		elite_offer(t);
		if (t->iter >= end)
			return TABU_BUDGET;
		if (halt && halt(ctx, t->iter))
			return TABU_HALTED;
		/* back where the last perturbation started: jump further */
		if (t->hash == t->prev_hash && fabs(t->cur.energy - t->prev_energy) <= t->tol)
			t->jump = t->jump < t->p.jump_max ? t->jump + 1 : t->p.jump_max;
		else
			t->jump = t->p.jump_min;
		t->prev_hash = t->hash;
		t->prev_energy = t->cur.energy;
		if (t->since_best > t->p.restart) {
			recombine(t);
			t->since_best = t->omega = 0;
			t->jump = t->p.jump_min;
			continue;
		}
		if (t->omega > t->p.stall) {
			perturb(t, PERTURB_RANDOM, t->p.jump_max);
			t->omega = 0;
			/* rounding drift of the tracked gains stops here */
			state_reset(t);
			continue;
		}
		double pd = exp(-(double)t->omega / (double)t->p.stall);
		if (pd < t->p.p0)
			pd = t->p.p0;
		int kind = frng_uniform(&t->rng) < pd		? PERTURB_DIRECTED
			   : frng_uniform(&t->rng) < t->p.q ? PERTURB_RECENCY
							    : PERTURB_RANDOM;
		perturb(t, kind, t->jump);
	}
}

/* --- the parallel driver --------------------------------------------------- */

static double thread_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define TABU_MAX_REPLICAS 4096

typedef struct drive {
	const anneal_opts *o;
	double start;
	atomic_int out_of_time;
	/* the first hit so far as moves * TABU_MAX_REPLICAS + replica */
	atomic_llong first_hit;
} drive;

typedef struct halt_ctx {
	drive *d;
	int k;
} halt_ctx;

static int past_limit(drive *d)
{
	const anneal_opts *o = d->o;
	if (atomic_load_explicit(&d->out_of_time, memory_order_relaxed))
		return 1;
	if ((o->stop && atomic_load_explicit(o->stop, memory_order_relaxed)) ||
	    (o->time_limit > 0 && omp_get_wtime() - d->start >= o->time_limit)) {
		atomic_store(&d->out_of_time, 1);
		return 1;
	}
	return 0;
}

/* A search that can no longer reach the target before the first hit so far
 * (fewer moves, or as many and a lower replica) stops: its answer would
 * not be chosen, whatever the thread count. */
static int halt_search(void *ctx, int64_t moves)
{
	halt_ctx *h = ctx;
	long long hit = atomic_load_explicit(&h->d->first_hit, memory_order_relaxed);
	if ((long long)moves * TABU_MAX_REPLICAS + h->k > hit)
		return 1;
	return past_limit(h->d);
}

int tabu_solve(const ising_model *m, const anneal_opts *o, anneal_result *r, qe_err *e)
{
	drive d = {.o = o, .start = omp_get_wtime()};
	atomic_init(&d.out_of_time, 0);
	atomic_init(&d.first_hit, LLONG_MAX);
	const int R = o->replicas > 0 ? o->replicas : 2;
	if (R > TABU_MAX_REPLICAS)
		return qe_err_set(e, QE_USAGE, "tabu solver: at most %d replicas", TABU_MAX_REPLICAS);
	const int64_t per_round = (o->sweeps > 0 ? o->sweeps : 1000) * (m->n > 0 ? m->n : 1);
	int64_t max_rounds = o->max_rounds;
	if (max_rounds <= 0)
		max_rounds = (o->time_limit > 0 || o->has_target) ? INT64_MAX : 1;
	tabu_params p;
	tabu_params_auto(m, &p);
	tabu_search **ts = calloc((size_t)R, sizeof *ts);
	double *busy = calloc((size_t)R, sizeof *busy);
	int *hit = calloc((size_t)R, sizeof *hit);
	int fail = !ts || !busy || !hit;
	for (int k = 0; !fail && k < R; k++)
		fail = !(ts[k] = tabu_new(m, &p, o->seed, (uint64_t)k, NULL));
	r->spins = malloc((size_t)m->n + 1);
	fail = fail || !r->spins;
	int64_t round;
	int winner = -1;
	for (round = 0; !fail && round < max_rounds; round++) {
#pragma omp parallel for schedule(dynamic, 1)
		for (int k = 0; k < R; k++) {
			halt_ctx h = {&d, k};
			double t0 = thread_cpu();
			hit[k] = tabu_run(ts[k], per_round, o->has_target, o->target_energy, halt_search, &h) == TABU_HIT;
			if (hit[k]) {
				int64_t at;
				tabu_best(ts[k], NULL, &at, NULL);
				long long key = (long long)at * TABU_MAX_REPLICAS + k;
				long long cur = atomic_load(&d.first_hit);
				while (key < cur && !atomic_compare_exchange_weak(&d.first_hit, &cur, key))
					;
			}
			busy[k] += thread_cpu() - t0;
		}
		r->rounds = round + 1;
		long long fh = atomic_load(&d.first_hit);
		winner = -1;
		if (fh != LLONG_MAX) {
			winner = (int)(fh % TABU_MAX_REPLICAS);
		} else {
			double be = INFINITY;
			for (int k = 0; k < R; k++) {
				double ek;
				tabu_best(ts[k], &ek, NULL, NULL);
				if (winner < 0 || ek < be) {
					be = ek;
					winner = k;
				}
			}
		}
		if (o->progress) {
			double be;
			tabu_best(ts[winner], &be, NULL, NULL);
			anneal_progress pg = {round + 1, be, omp_get_wtime() - d.start};
			o->progress(o->progress_ctx, &pg);
		}
		if (fh != LLONG_MAX || past_limit(&d))
			break;
	}
	if (!fail) {
		double at;
		memcpy(r->spins, tabu_best(ts[winner], NULL, NULL, &at), (size_t)m->n);
		r->time_to_best = at - d.start;
		if (!o->no_polish) {
			anneal_polish(m, r->spins);
			if (o->polish_fn)
				o->polish_fn(o->polish_ctx, r->spins);
		}
		r->energy = ising_energy(m, r->spins);
		for (int k = 0; k < R; k++) {
			int64_t mv = tabu_moves(ts[k]);
			r->attempts += (double)mv;
			r->sweeps += m->n ? (mv + m->n - 1) / m->n : 0;
			r->busy_seconds += busy[k];
		}
		r->hit_target = o->has_target && r->energy <= o->target_energy;
		r->stop = r->hit_target ? ANNEAL_STOP_TARGET
			  : atomic_load(&d.out_of_time)
			  ? (o->stop && atomic_load(o->stop) ? ANNEAL_STOP_INTERRUPTED : ANNEAL_STOP_TIME)
			  : ANNEAL_STOP_ROUNDS;
	}
	for (int k = 0; ts && k < R; k++)
		tabu_free(ts[k]);
	free(ts);
	free(busy);
	free(hit);
	r->elapsed = omp_get_wtime() - d.start;
	if (fail) {
		anneal_result_free(r);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	return 0;
}

