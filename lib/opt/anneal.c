#include "opt/anneal.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/fastrng.h"
#include "core/par.h"
#include "opt/tabu.h"

/* CPU seconds of the calling thread: flip rates per core stay meaningful
 * on a machine shared with other jobs. */
static double thread_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int solver_parse(const char *s)
{
	if (strcmp(s, "sa") == 0)
		return SOLVER_SA;
	if (strcmp(s, "pt") == 0)
		return SOLVER_PT;
	if (strcmp(s, "bsb") == 0)
		return SOLVER_SB_BALLISTIC;
	if (strcmp(s, "dsb") == 0)
		return SOLVER_SB_DISCRETE;
	if (strcmp(s, "exact") == 0)
		return SOLVER_EXACT;
	if (strcmp(s, "tabu") == 0)
		return SOLVER_TABU;
	return -1;
}

const char *solver_name(int solver)
{
	static const char *names[] = {"sa", "pt", "bsb", "dsb", "exact", "tabu"};
	return solver >= 0 && solver <= SOLVER_TABU ? names[solver] : "?";
}

void anneal_opts_init(anneal_opts *o)
{
	memset(o, 0, sizeof *o);
	o->solver = SOLVER_SA;
	o->seed = 1;
}

void anneal_result_free(anneal_result *r)
{
	free(r->spins);
	r->spins = NULL;
}

void anneal_auto_temps(const ising_model *m, double *t0, double *t1)
{
	double typ = 0;
	int cnt = 0;
	for (int i = 0; i < m->n; i++) {
		double q2 = m->h[i] * m->h[i];
		for (int64_t q = m->row[i]; q < m->row[i + 1]; q++)
			q2 += m->J[q] * m->J[q];
		if (q2 > 0) {
			typ += sqrt(q2);
			cnt++;
		}
	}
	typ = cnt ? typ / cnt : 1;
	*t0 = 2 * typ / log(10.0);
	/* A coupling far below the typical one (a cost term beside a variance
	 * term) would stretch the schedule over decades where nothing moves. */
	double small = m->min_coupling > 1e-4 * typ ? m->min_coupling : 1e-4 * typ;
	*t1 = 2 * small / log(1000.0);
	if (!(*t1 < *t0))
		*t1 = *t0 / 100;
}

/* --- single-spin Metropolis sweeps ---------------------------------------
 * g = s_i f_i with f_i = h_i + sum_j J_ij s_j; flipping s_i changes the
 * energy by -2 g, so g >= 0 is always accepted and g < 0 with probability
 * exp(2 g beta).  The integer path compares a 32-bit random number with a
 * per-temperature threshold table indexed by -g (no exp, no division), and
 * draws a random number only for uphill moves that can still happen. */

typedef struct replica {
	int8_t *s;
	int32_t *fi;   /* integer path */
	double *fd;    /* float path */
	uint32_t *thr; /* threshold table, imax_field + 1 entries */
	int32_t kcut;  /* largest -g with a nonzero threshold */
	double beta;
	double energy; /* tracked incrementally */
	frng rng;
} replica;

static int replica_alloc(replica *rp, const ising_model *m)
{
	memset(rp, 0, sizeof *rp);
	rp->s = malloc((size_t)m->n + 1);
	if (m->iscale) {
		rp->fi = malloc(((size_t)m->n + 1) * sizeof *rp->fi);
		rp->thr = malloc(((size_t)m->imax_field + 2) * sizeof *rp->thr);
		return rp->s && rp->fi && rp->thr ? 0 : -1;
	}
	rp->fd = malloc(((size_t)m->n + 1) * sizeof *rp->fd);
	return rp->s && rp->fd ? 0 : -1;
}

static void replica_free(replica *rp)
{
	free(rp->s);
	free(rp->fi);
	free(rp->fd);
	free(rp->thr);
}

/* Local fields and energy from scratch. */
static void replica_fields(replica *rp, const ising_model *m)
{
	double pairs = 0, lin = 0;
	for (int i = 0; i < m->n; i++) {
		double f = m->h[i];
		if (m->iscale) {
			int32_t fi = m->hi[i];
			for (int64_t q = m->row[i]; q < m->row[i + 1]; q++)
				fi += m->Ji[q] * rp->s[m->col[q]];
			rp->fi[i] = fi;
		}
		for (int64_t q = m->row[i]; q < m->row[i + 1]; q++)
			f += m->J[q] * rp->s[m->col[q]];
		if (rp->fd)
			rp->fd[i] = f;
		pairs += (f - m->h[i]) * rp->s[i];
		lin += m->h[i] * rp->s[i];
	}
	rp->energy = m->offset + lin + pairs / 2;
}

static void replica_random(replica *rp, const ising_model *m)
{
	for (int i = 0; i < m->n; i++)
		rp->s[i] = (frng_next(&rp->rng) >> 63) ? 1 : -1;
	replica_fields(rp, m);
}

static void replica_set_beta(replica *rp, const ising_model *m, double beta)
{
	rp->beta = beta;
	if (!m->iscale)
		return;
	/* exp(-2 k beta / scale) * 2^32 is below 1 past kcut: reject outright. */
	double step = 2 * beta / m->iscale;
	int32_t kcut = m->imax_field;
	if (step > 0 && 23.0 / step < kcut)
		kcut = (int32_t)(23.0 / step);
	rp->kcut = kcut;
	rp->thr[0] = UINT32_MAX;
	for (int32_t k = 1; k <= kcut; k++) {
		double t = exp(-step * k) * 4294967296.0;
		rp->thr[k] = t >= 4294967295.0 ? UINT32_MAX : (uint32_t)t;
	}
}

/* One sweep in index order; returns the energy change. */
static double sweep_int(replica *rp, const ising_model *m)
{
	int8_t *restrict s = rp->s;
	int32_t *restrict f = rp->fi;
	const uint32_t *restrict thr = rp->thr;
	const int64_t *restrict row = m->row;
	const int32_t *restrict col = m->col;
	const int32_t *restrict J = m->Ji;
	const int32_t kcut = rp->kcut;
	const int n = m->n;
	int64_t dE = 0;
	frng rng = rp->rng;
	for (int i = 0; i < n; i++) {
		int32_t g = s[i] * f[i];
		if (g < 0) {
			if (-g > kcut || frng_u32(&rng) >= thr[-g])
				continue;
		}
		dE -= 2 * (int64_t)g;
		int32_t d = -2 * s[i];
		s[i] = (int8_t)-s[i];
		for (int64_t q = row[i]; q < row[i + 1]; q++)
			f[col[q]] += d * J[q];
	}
	rp->rng = rng;
	return (double)dE / m->iscale;
}

static double sweep_flt(replica *rp, const ising_model *m)
{
	int8_t *restrict s = rp->s;
	double *restrict f = rp->fd;
	const int64_t *restrict row = m->row;
	const int32_t *restrict col = m->col;
	const double *restrict J = m->J;
	const double beta2 = 2 * rp->beta;
	const int n = m->n;
	double dE = 0;
	frng rng = rp->rng;
	for (int i = 0; i < n; i++) {
		double g = s[i] * f[i];
		if (g < 0) {
			double x = -g * beta2;
			if (x > 23 || (double)frng_u32(&rng) * 0x1p-32 >= exp(-x))
				continue;
		}
		dE -= 2 * g;
		double d = -2.0 * s[i];
		s[i] = (int8_t)-s[i];
		for (int64_t q = row[i]; q < row[i + 1]; q++)
			f[col[q]] += d * J[q];
	}
	rp->rng = rng;
	return dE;
}

static double sweep(replica *rp, const ising_model *m)
{
	double d = m->iscale ? sweep_int(rp, m) : sweep_flt(rp, m);
	rp->energy += d;
	return d;
}

/* --- polish and exact --------------------------------------------------- */

void anneal_polish(const ising_model *m, int8_t *s)
{
	double *f = malloc(((size_t)m->n + 1) * sizeof *f);
	if (!f)
		return;
	for (int i = 0; i < m->n; i++) {
		double v = m->h[i];
		for (int64_t q = m->row[i]; q < m->row[i + 1]; q++)
			v += m->J[q] * s[m->col[q]];
		f[i] = v;
	}
	/* A flip must gain more than rounding noise, so the descent ends. */
	double tol = 1e-12 * (m->max_field > 1 ? m->max_field : 1);
	for (int pass = 0, improved = 1; improved && pass < 10000; pass++) {
		improved = 0;
		for (int i = 0; i < m->n; i++) {
			if (s[i] * f[i] <= tol)
				continue;
			s[i] = (int8_t)-s[i];
			double d = 2.0 * s[i];
			for (int64_t q = m->row[i]; q < m->row[i + 1]; q++)
				f[m->col[q]] += d * m->J[q];
			improved = 1;
		}
	}
	free(f);
}

int anneal_exact(const ising_model *m, int8_t *best, double *energy, qe_err *e)
{
	int n = m->n;
	if (n > ANNEAL_EXACT_MAX)
		return qe_err_set(e, QE_USAGE, "exact solver: %d variables, at most %d", n, ANNEAL_EXACT_MAX);
	if (n == 0) {
		*energy = m->offset;
		return 0;
	}
	/* The top p spins are fixed per chunk; chunks run in parallel, the low
	 * n - p spins are enumerated in Gray-code order with local fields. */
	int p = n > 6 ? 6 : n - 1;
	int low = n - p;
	int64_t chunks = (int64_t)1 << p;
	double *cbest = malloc((size_t)chunks * sizeof *cbest);
	uint64_t *ccode = malloc((size_t)chunks * sizeof *ccode);
	int fail = !cbest || !ccode;
	if (!fail) {
#pragma omp parallel for schedule(dynamic, 1)
		for (int64_t c = 0; c < chunks; c++) {
			int8_t *s = malloc((size_t)n);
			double *f = malloc((size_t)n * sizeof *f);
			if (!s || !f) {
				cbest[c] = NAN;
				free(s);
				free(f);
				continue;
			}
			for (int i = 0; i < n; i++)
				s[i] = i < low ? -1 : (((c >> (i - low)) & 1) ? 1 : -1);
			double E = 0;
			for (int i = 0; i < n; i++) {
				double v = m->h[i], pr = 0;
				for (int64_t q = m->row[i]; q < m->row[i + 1]; q++)
					pr += m->J[q] * s[m->col[q]];
				f[i] = v + pr;
				E += v * s[i] + pr * s[i] / 2;
			}
			double bE = E;
			uint64_t bcode = 0;
			uint64_t total = (uint64_t)1 << low;
			for (uint64_t k = 1; k < total; k++) {
				int i = __builtin_ctzll(k);
				E -= 2 * s[i] * f[i];
				s[i] = (int8_t)-s[i];
				double d = 2.0 * s[i];
				for (int64_t q = m->row[i]; q < m->row[i + 1]; q++)
					f[m->col[q]] += d * m->J[q];
				if (E < bE) {
					bE = E;
					bcode = k ^ (k >> 1);
				}
			}
			cbest[c] = bE;
			ccode[c] = bcode;
			free(s);
			free(f);
		}
	}
	int64_t bc = -1;
	double bE = INFINITY;
	for (int64_t c = 0; !fail && c < chunks; c++) {
		if (isnan(cbest[c])) {
			fail = 1;
			break;
		}
		/* Recompute exactly: tracked sums drift by rounding. */
		for (int i = 0; i < n; i++)
			best[i] = i < low ? (((ccode[c] >> i) & 1) ? 1 : -1)
					  : (((c >> (i - low)) & 1) ? 1 : -1);
		double E = ising_energy(m, best);
		if (E < bE) {
			bE = E;
			bc = c;
		}
	}
	if (!fail)
		for (int i = 0; i < n; i++)
			best[i] = i < low ? (((ccode[bc] >> i) & 1) ? 1 : -1)
					  : (((bc >> (i - low)) & 1) ? 1 : -1);
	free(cbest);
	free(ccode);
	if (fail)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	*energy = ising_energy(m, best);
	return 0;
}

/* --- the round driver ----------------------------------------------------- */

typedef struct run_ctx {
	const ising_model *m;
	const anneal_opts *o;
	double start;       /* omp_get_wtime() at the start */
	double t0, t1;
	int64_t sweeps;
	int replicas;
	atomic_int out_of_time; /* set by whichever thread sees the limit first */
} run_ctx;

typedef struct rep_out {
	int8_t *s;
	double energy;
	double finish;      /* seconds since start when this replica ended */
	double busy;
	int64_t sweeps;
	double attempts;
	int fail;
} rep_out;

static uint64_t stream_id(int64_t round, int k)
{
	return ((uint64_t)round << 24) ^ (uint64_t)k;
}

static int stop_asked(const run_ctx *c)
{
	return c->o->stop && atomic_load_explicit(c->o->stop, memory_order_relaxed);
}

/* The time limit is reached, or the caller asks to stop: the same end. */
static int past_limit(const run_ctx *c)
{
	return stop_asked(c) || (c->o->time_limit > 0 && omp_get_wtime() - c->start >= c->o->time_limit);
}

const char *anneal_stop_name(int stop)
{
	static const char *const names[] = {"rounds", "target", "time", "interrupted"};
	return stop >= 0 && stop <= ANNEAL_STOP_INTERRUPTED ? names[stop] : "?";
}

static double temp_at(const run_ctx *c, int64_t k)
{
	double x = c->sweeps > 1 ? (double)k / (double)(c->sweeps - 1) : 1.0;
	if (c->o->schedule == SCHEDULE_LINEAR)
		return c->t0 + (c->t1 - c->t0) * x;
	return c->t0 * pow(c->t1 / c->t0, x);
}

static void run_sa(run_ctx *c, int64_t round, int k, rep_out *out)
{
	const ising_model *m = c->m;
	replica rp;
	double t = thread_cpu();
	if (replica_alloc(&rp, m)) {
		replica_free(&rp);
		out->fail = 1;
		return;
	}
	frng_seed(&rp.rng, c->o->seed, stream_id(round, k));
	replica_random(&rp, m);
	int64_t sw;
	for (sw = 0; sw < c->sweeps; sw++) {
		if ((sw & 63) == 63 && (c->out_of_time || past_limit(c))) {
			c->out_of_time = 1;
			break;
		}
		replica_set_beta(&rp, m, 1.0 / temp_at(c, sw));
		sweep(&rp, m);
	}
	memcpy(out->s, rp.s, (size_t)m->n);
	out->sweeps = sw;
	out->attempts = (double)sw * m->n;
	out->busy = thread_cpu() - t;
	replica_free(&rp);
}

/* Simulated bifurcation (Goto et al., Sci. Adv. 2019 and 2021) for a block
 * of up to SB_LANES replicas at once: positions are stored [n][lanes] so
 * the sparse product J x runs as short vector operations. */
#define SB_LANES 8
static void run_sb_block(run_ctx *c, int64_t round, int k0, int lanes, rep_out *outs)
{
	const ising_model *m = c->m;
	const int n = m->n, discrete = c->o->solver == SOLVER_SB_DISCRETE;
	float *x = calloc((size_t)n * SB_LANES, sizeof *x);
	float *y = calloc((size_t)n * SB_LANES, sizeof *y);
	float *sx = malloc((size_t)n * SB_LANES * sizeof *sx);
	float *Jf = malloc((size_t)(m->nnz ? m->nnz : 1) * sizeof *Jf);
	double t = thread_cpu();
	if (!x || !y || !sx || !Jf) {
		for (int l = 0; l < lanes; l++)
			outs[l].fail = 1;
		goto done;
	}
	/* c0 = 0.5 / (sqrt(n) sigma), sigma the rms coupling (Goto 2021). */
	double sum2 = 0;
	for (int64_t q = 0; q < m->nnz; q++)
		sum2 += m->J[q] * m->J[q];
	for (int i = 0; i < n; i++)
		sum2 += 2 * m->h[i] * m->h[i];
	double sigma = n > 1 ? sqrt(sum2 / ((double)n * (n - 1))) : 1;
	if (!(sigma > 0))
		sigma = 1;
	const float c0 = (float)(0.5 / (sqrt((double)n) * sigma));
	/* Goto's dt = 1.25 assumes zero-mean dense couplings; a sparse graph
	 * with positive weights has a Perron eigenvalue near its degree that
	 * makes the symplectic step unstable, so dt is capped by the
	 * Gershgorin bound: dt^2 (a0 + c0 max_field) < 4. */
	const float a0 = 1.0f;
	double dtd = 1.8 / sqrt(1.0 + c0 * m->max_field);
	const float dt = (float)(dtd < 1.25 ? dtd : 1.25);
	for (int64_t q = 0; q < m->nnz; q++)
		Jf[q] = (float)m->J[q];
	for (int l = 0; l < lanes; l++) {
		frng r;
		frng_seed(&r, c->o->seed, stream_id(round, k0 + l));
		for (int i = 0; i < n; i++) {
			x[(size_t)i * SB_LANES + l] = (float)(0.2 * frng_uniform(&r) - 0.1);
			y[(size_t)i * SB_LANES + l] = (float)(0.2 * frng_uniform(&r) - 0.1);
		}
	}
	int64_t st;
	for (st = 0; st < c->sweeps; st++) {
		if ((st & 63) == 63 && (c->out_of_time || past_limit(c))) {
			c->out_of_time = 1;
			break;
		}
		const float at = a0 * (float)st / (float)c->sweeps;
		const float* src = x;
		if (discrete) {
			for (size_t q = 0; q < (size_t)n * SB_LANES; q++)
				sx[q] = x[q] > 0 ? 1.0f : (x[q] < 0 ? -1.0f : 0.0f);
			src = sx;
		}
		for (int i = 0; i < n; i++) {
			float acc[SB_LANES];
			const float hi = (float)m->h[i];
			for (int l = 0; l < SB_LANES; l++)
				acc[l] = hi;
			for (int64_t q = m->row[i]; q < m->row[i + 1]; q++) {
				const float w = Jf[q];
				const float *xs = src + (size_t)m->col[q] * SB_LANES;
				for (int l = 0; l < SB_LANES; l++)
					acc[l] += w * xs[l];
			}
			float *yi = y + (size_t)i * SB_LANES;
			const float *xi = x + (size_t)i * SB_LANES;
			for (int l = 0; l < SB_LANES; l++)
				yi[l] += dt * (-(a0 - at) * xi[l] - c0 * acc[l]);
		}
		for (size_t q = 0; q < (size_t)n * SB_LANES; q++) {
			float v = x[q] + dt * a0 * y[q];
			if (v > 1.0f) {
				v = 1.0f;
				y[q] = 0;
			} else if (v < -1.0f) {
				v = -1.0f;
				y[q] = 0;
			}
			x[q] = v;
		}
	}
	for (int l = 0; l < lanes; l++) {
		for (int i = 0; i < n; i++)
			outs[l].s[i] = x[(size_t)i * SB_LANES + l] < 0 ? -1 : 1;
		outs[l].sweeps = st;
		outs[l].attempts = (double)st * n;
		outs[l].busy = (thread_cpu() - t) / lanes;
	}
done:
	free(x);
	free(y);
	free(sx);
	free(Jf);
}

/* Parallel tempering with `replicas` temperatures between t1 and t0.
 * The ladder starts geometric; during the first quarter of the sweeps it
 * is adapted every 50 sweeps so that neighbouring pairs swap at similar
 * rates (log-temperature gaps shrink where swaps are rare). */
/* One parallel-tempering chain, run by one thread: a round runs
 * PT_CHAINS independent chains in parallel, so no barrier ties threads
 * together.  Exchanges every PT_BLOCK sweeps. */
#define PT_BLOCK 10
#define PT_CHAINS 2
static void run_pt(run_ctx *c, int64_t round, int chain, rep_out *best_out)
{
	const ising_model *m = c->m;
	const int R = c->replicas < 2 ? 2 : c->replicas;
	replica *rp = calloc((size_t)R, sizeof *rp);
	double *temp = malloc((size_t)R * sizeof *temp);
	double *gap = malloc((size_t)R * sizeof *gap);
	int64_t *tries = calloc((size_t)R, sizeof *tries), *acc = calloc((size_t)R, sizeof *acc);
	int *slot = malloc((size_t)R * sizeof *slot); /* slot[t] = replica at temperature t */
	frng xr;
	double bestE = INFINITY;
	int bad = !rp || !temp || !gap || !tries || !acc || !slot;
	for (int k = 0; !bad && k < R; k++)
		bad = replica_alloc(&rp[k], m);
	if (bad)
		goto done;
	/* streams (round, chain * (R + 1) + k): k < R replicas, k = R exchanges */
	int base = chain * (R + 1);
	frng_seed(&xr, c->o->seed, stream_id(round, base + R));
	for (int k = 0; k < R; k++) {
		temp[k] = c->t1 * pow(c->t0 / c->t1, R > 1 ? (double)k / (R - 1) : 0);
		slot[k] = k;
		frng_seed(&rp[k].rng, c->o->seed, stream_id(round, base + k));
		replica_random(&rp[k], m);
		replica_set_beta(&rp[k], m, 1.0 / temp[k]);
	}
	int64_t sw = (c->sweeps + PT_BLOCK - 1) / PT_BLOCK * PT_BLOCK;
	double tc = thread_cpu();
	for (int64_t s2 = 0; s2 < c->sweeps; s2 += PT_BLOCK) {
		for (int k = 0; k < R; k++)
			for (int b = 0; b < PT_BLOCK; b++)
				sweep(&rp[k], m);
		{
			for (int k = 0; k < R; k++)
				if (rp[k].energy < bestE) {
					bestE = rp[k].energy;
					memcpy(best_out->s, rp[k].s, (size_t)m->n);
					best_out->finish = omp_get_wtime() - c->start;
				}
			/* Replica exchange between neighbouring temperatures. */
			for (int q = (int)((s2 / PT_BLOCK) & 1); q + 1 < R; q += 2) {
				replica *a = &rp[slot[q]], *b = &rp[slot[q + 1]];
				double d = (a->beta - b->beta) * (a->energy - b->energy);
				tries[q]++;
				if (d >= 0 || frng_uniform(&xr) < exp(d)) {
					double ba = a->beta, bb = b->beta;
					replica_set_beta(a, m, bb);
					replica_set_beta(b, m, ba);
					int s = slot[q];
					slot[q] = slot[q + 1];
					slot[q + 1] = s;
					acc[q]++;
				}
			}
			if (s2 < c->sweeps / 4 && (s2 / PT_BLOCK) % 10 == 9 && R > 2) {
				double mean = 0, tot = 0;
				for (int q = 0; q + 1 < R; q++)
					mean += tries[q] ? (double)acc[q] / tries[q] : 0;
				mean /= R - 1;
				for (int q = 0; q + 1 < R; q++) {
					double a = tries[q] ? (double)acc[q] / tries[q] : 0;
					double r = (a + 0.02) / (mean + 0.02);
					r = r < 0.5 ? 0.5 : (r > 2 ? 2 : r);
					gap[q] = log(temp[q + 1] / temp[q]) * r;
					tot += gap[q];
					tries[q] = acc[q] = 0;
				}
				double scale = log(c->t0 / c->t1) / tot;
				for (int q = 0; q + 1 < R; q++)
					temp[q + 1] = temp[q] * exp(gap[q] * scale);
				for (int q = 0; q < R; q++)
					replica_set_beta(&rp[slot[q]], m, 1.0 / temp[q]);
			}
			if (c->o->has_target && bestE <= c->o->target_energy) {
				sw = s2 + PT_BLOCK;
				break;
			}
			if (c->out_of_time || past_limit(c)) {
				c->out_of_time = 1;
				sw = s2 + PT_BLOCK;
				break;
			}
		}
	}
	best_out->sweeps = sw * R;
	best_out->attempts = (double)sw * R * m->n;
	best_out->busy = thread_cpu() - tc;
done:
	if (bad)
		best_out->fail = 1;
	for (int k = 0; rp && k < R; k++)
		replica_free(&rp[k]);
	free(rp);
	free(temp);
	free(gap);
	free(tries);
	free(acc);
	free(slot);
}

static int64_t default_sweeps(int solver, const ising_model *m)
{
	(void)m;
	switch (solver) {
	case SOLVER_PT:
		return 2000;
	case SOLVER_SB_BALLISTIC:
	case SOLVER_SB_DISCRETE:
		return 2000;
	default:
		return 2000;
	}
}

/* MPI: the results of a round's replicas [k_lo, k_hi) of this rank go to
 * every rank (energy, sweeps, attempts, busy and finish times), and the
 * state of the round's best replica (lowest energy, then lowest index:
 * the one process's choice) from the rank that ran it. */
static int exchange_round(const ising_model *m, rep_out *outs, int nout, size_t k_lo, size_t k_hi, int unit,
			  double *stats, int *owner, qe_err *e)
{
	size_t n = (size_t)nout;
	int rc;
	for (size_t k = k_lo; k < k_hi; k++) {
		stats[k] = outs[k].energy;
		stats[n + k] = (double)outs[k].sweeps;
		stats[2 * n + k] = outs[k].attempts;
		stats[3 * n + k] = outs[k].busy;
		stats[4 * n + k] = outs[k].finish;
	}
	if ((rc = par_gather_cols(stats, 5, n, (size_t)unit, e)) || (rc = par_bcast(stats, 5 * n, e)))
		return rc;
	int bestk = 0;
	for (int k = 0; k < nout; k++) {
		outs[k].energy = stats[k];
		outs[k].sweeps = (int64_t)stats[n + (size_t)k];
		outs[k].attempts = stats[2 * n + (size_t)k];
		outs[k].busy = stats[3 * n + (size_t)k];
		outs[k].finish = stats[4 * n + (size_t)k];
		if (outs[k].energy < outs[bestk].energy)
			bestk = k;
	}
	for (int r = 0; r < par_size(); r++) {
		size_t lo, hi;
		par_share(n, (size_t)unit, r, &lo, &hi);
		if ((size_t)bestk >= lo && (size_t)bestk < hi)
			*owner = r;
	}
	return par_bcast_bytes(outs[bestk].s, (size_t)m->n, *owner, e);
}

int anneal_solve(const ising_model *m, const anneal_opts *o, anneal_result *r, qe_err *e)
{
	run_ctx c = {0};
	int rc = 0;
	memset(r, 0, sizeof *r);
	c.m = m;
	c.o = o;
	c.start = omp_get_wtime();
	c.sweeps = o->sweeps > 0 ? o->sweeps : default_sweeps(o->solver, m);
	c.replicas = o->replicas > 0 ? o->replicas : 8;
	anneal_auto_temps(m, &c.t0, &c.t1);
	if (o->t0 > 0)
		c.t0 = o->t0;
	if (o->t1 > 0)
		c.t1 = o->t1;
	if (!(c.t1 > 0) || !(c.t0 >= c.t1))
		return qe_err_set(e, QE_USAGE, "temperatures must satisfy t0 >= t1 > 0 (t0 %g, t1 %g)", c.t0, c.t1);
	r->t0 = c.t0;
	r->t1 = c.t1;
	if (o->solver == SOLVER_TABU)
		return tabu_solve(m, o, r, e);
	r->spins = malloc((size_t)m->n + 1);
	if (!r->spins)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	r->energy = INFINITY;

	if (o->solver == SOLVER_EXACT) {
		int xrc = anneal_exact(m, r->spins, &r->energy, e);
		r->elapsed = r->time_to_best = r->busy_seconds = omp_get_wtime() - c.start;
		r->attempts = m->n ? ldexp(1.0, m->n) : 0;
		r->rounds = 1;
		r->hit_target = o->has_target && r->energy <= o->target_energy;
		if (xrc)
			anneal_result_free(r);
		return xrc;
	}

	int64_t max_rounds = o->max_rounds;
	if (max_rounds <= 0)
		max_rounds = (o->time_limit > 0 || o->has_target) ? INT64_MAX : 1;
	int nout = o->solver == SOLVER_PT ? PT_CHAINS : c.replicas;
	rep_out *outs = calloc((size_t)nout, sizeof *outs);
	/* MPI (core/par.h): the replicas of a round (SA; SB by blocks of
	 * lanes) are shared among the ranks, which exchange their results
	 * and the round's elite state after every round, so that every rank
	 * takes the same decisions and the answer is the one process's */
	int unit = o->solver == SOLVER_SA ? 1 : SB_LANES, share = par_size() > 1 && o->solver != SOLVER_PT;
	size_t k_lo = 0, k_hi = (size_t)nout;
	double *stats = share ? malloc(sizeof *stats * (5 * (size_t)nout + 1)) : NULL;
	if (share)
		par_my_share((size_t)nout, (size_t)unit, &k_lo, &k_hi);
	int fail = !outs || (share && !stats);
	for (int k = 0; !fail && k < nout; k++)
		fail = !(outs[k].s = malloc((size_t)m->n + 1));
	for (int64_t round = 0; !fail && round < max_rounds; round++) {
		for (int k = 0; k < nout; k++) {
			outs[k].fail = 0;
			outs[k].finish = 0;
		}
		if (o->solver == SOLVER_PT) {
#pragma omp parallel for schedule(static, 1)
			for (int k = 0; k < nout; k++)
				run_pt(&c, round, k, &outs[k]);
		} else if (o->solver == SOLVER_SA) {
#pragma omp parallel for schedule(dynamic, 1)
			for (int k = (int)k_lo; k < (int)k_hi; k++) {
				run_sa(&c, round, k, &outs[k]);
				outs[k].finish = omp_get_wtime() - c.start;
			}
		} else {
			int blocks = ((int)k_hi + SB_LANES - 1) / SB_LANES;
#pragma omp parallel for schedule(dynamic, 1)
			for (int b = (int)k_lo / SB_LANES; b < blocks; b++) {
				int lanes = nout - b * SB_LANES < SB_LANES ? nout - b * SB_LANES : SB_LANES;
				run_sb_block(&c, round, b * SB_LANES, lanes, &outs[b * SB_LANES]);
				for (int l = 0; l < lanes; l++)
					outs[b * SB_LANES + l].finish = omp_get_wtime() - c.start;
			}
		}
		int bestk = -1;
		for (int k = (int)k_lo; k < (int)k_hi; k++) {
			if (outs[k].fail) {
				fail = 1;
				break;
			}
			if (!o->no_polish) {
				anneal_polish(m, outs[k].s);
				if (o->polish_fn)
					o->polish_fn(o->polish_ctx, outs[k].s);
			}
			outs[k].energy = ising_energy(m, outs[k].s);
		}
		if (fail)
			break;
		int owner = 0;
		if (share && (rc = exchange_round(m, outs, nout, k_lo, k_hi, unit, stats, &owner, e)))
			break;
		for (int k = 0; k < nout; k++) {
			r->sweeps += outs[k].sweeps;
			r->attempts += outs[k].attempts;
			r->busy_seconds += outs[k].busy;
			if (bestk < 0 || outs[k].energy < outs[bestk].energy)
				bestk = k;
		}
		r->rounds = round + 1;
		if (outs[bestk].energy < r->energy) {
			r->energy = outs[bestk].energy;
			memcpy(r->spins, outs[bestk].s, (size_t)m->n);
			r->time_to_best = outs[bestk].finish;
		}
		if (o->progress) {
			anneal_progress pg = {round + 1, r->energy, omp_get_wtime() - c.start};
			o->progress(o->progress_ctx, &pg);
		}
		if (o->has_target && r->energy <= o->target_energy) {
			r->hit_target = 1;
			r->stop = ANNEAL_STOP_TARGET;
			break;
		}
		/* rank 0's clock and stop flag decide for every rank */
		double stop = c.out_of_time || past_limit(&c) ? (stop_asked(&c) ? 2 : 1) : 0;
		if (share && (rc = par_bcast(&stop, 1, e)))
			break;
		if (stop > 0) {
			r->stop = stop > 1 ? ANNEAL_STOP_INTERRUPTED : ANNEAL_STOP_TIME;
			break;
		}
	}
	for (int k = 0; outs && k < nout; k++)
		free(outs[k].s);
	free(outs);
	free(stats);
	r->elapsed = omp_get_wtime() - c.start;
	if (fail || rc) {
		anneal_result_free(r);
		return rc ? rc : qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	return 0;
}
