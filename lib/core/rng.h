/*
 * rng: counter-based random streams (Philox4x64-10) and the distributions
 * the tools draw from: uniform, bounded integers, normal, exponential,
 * gamma, Student-t.
 *
 * Why counter-based: a stream is fully named by (seed, stream id), and any
 * block of it can be reached by rng_seek() without generating what comes
 * before.  Give each unit of work (a Monte Carlo block, an annealing
 * replica, a curve in qe-synth) its own stream id and results are
 * byte-identical whatever OMP_NUM_THREADS is, because no draw depends on
 * which thread ran first.  The raw 64-bit output is the same sequence as
 * numpy.random.Philox(key=[seed, stream], counter=0).random_raw(), so any
 * stream can be reproduced outside C (tests/unit/test_rng.c checks this).
 *
 * Owns: nothing but the caller's qe_rng (plain value; copy it to fork a
 * stream at its current position).  Never prints, never allocates, no
 * global state: safe to use one qe_rng per thread.
 */
#ifndef QE_RNG_H
#define QE_RNG_H

#include <stdint.h>

typedef struct qe_rng {
	uint64_t key[2];  /* {seed, stream} */
	uint64_t ctr[4];  /* block counter, incremented before each block */
	uint64_t buf[4];  /* current output block */
	int pos;          /* next unused word of buf (4 = empty) */
} qe_rng;

/* The Philox4x64 bijection with 10 rounds: out = philox(ctr, key). */
void philox4x64_10(const uint64_t ctr[4], const uint64_t key[2], uint64_t out[4]);

/* Stream `stream` of generator `seed`, at its start. */
void rng_init(qe_rng *r, uint64_t seed, uint64_t stream);
/* Jumps to the start of block `block` (4 words each) of the stream: the
 * next rng_u64() is word 0 of block `block`.  rng_seek(r, 0) rewinds. */
void rng_seek(qe_rng *r, uint64_t block);
/* Mixes any 64-bit value into a well-spread stream id (splitmix64
 * finalizer), for naming streams by e.g. hashing a curve name. */
uint64_t rng_mix64(uint64_t x);
/* FNV-1a of a string then rng_mix64: a stream id from a name. */
uint64_t rng_stream_id(const char *name);

uint64_t rng_u64(qe_rng *r);
/* Uniform on the open interval (0, 1), 53 random bits: never 0 or 1, so
 * log(u) and quantile functions are always finite. */
double rng_uniform(qe_rng *r);
/* Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject);
 * n = 0 returns 0. */
uint64_t rng_below(qe_rng *r, uint64_t n);
/* Standard normal by inversion of one uniform (GSL's AS241 quantile, about
 * 1e-16 relative): one draw, one word, so draws line up with counters. */
double rng_normal(qe_rng *r);
/* Exponential with mean 1. */
double rng_exponential(qe_rng *r);
/* Gamma(shape, scale 1), shape > 0 (Marsaglia-Tsang; shape < 1 by the
 * u^(1/shape) boost).  Returns NaN for shape <= 0 or not finite. */
double rng_gamma(qe_rng *r, double shape);
/* Student-t with nu > 0 degrees of freedom (unscaled: variance nu/(nu-2)
 * for nu > 2).  Z / sqrt(G / nu) with G ~ chi-square(nu) = 2 Gamma(nu/2).
 * Returns NaN for nu <= 0. */
double rng_student_t(qe_rng *r, double nu);
/* Student-t scaled to unit variance (nu > 2), for fat-tailed shocks that
 * keep a given volatility.  NaN for nu <= 2. */
double rng_student_t_std(qe_rng *r, double nu);

#endif
