/*
 * zignor: fast standard normals for Monte Carlo - Doornik's ZIGNOR
 * variant of the Marsaglia-Tsang ziggurat (128 layers, the layer index and
 * the uniform taken from independent bits of one word) over xoshiro256++,
 * the state of a stream seeded from the first four words of a Philox
 * stream (rng.h) so that (seed, stream) still names it: a Monte Carlo
 * block that seeds its own stream gives the same normals whatever thread
 * runs it.
 *
 * Why not rng_normal(): inversion costs a quantile per draw and Philox
 * costs ten rounds per four words; a Monte Carlo VaR draws 10^8 normals
 * and they were most of its time.  The ziggurat needs one 64-bit word and
 * a multiply for about 98.8% of draws.
 *
 * Owns nothing but the caller's state; the tables are built once, on first
 * use, under a pthread_once.  Never prints.  Not for cryptography.
 */
#ifndef QE_ZIGNOR_H
#define QE_ZIGNOR_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"

typedef struct zig_rng {
	uint64_t s[4];
} zig_rng;

/* Seeds r with the next four words of the Philox stream p (rng.h; never
 * all zero): with p fresh from rng_init(p, seed, stream), (seed, stream)
 * names r's stream.  p may go on serving other draws (a chi-square by
 * rng_gamma) independent of r's. */
void zig_seed(zig_rng *r, qe_rng *p);
/* The next 64 random bits (xoshiro256++, Blackman and Vigna). */
uint64_t zig_u64(zig_rng *r);
/* Uniform on the open interval (0, 1), 53 bits. */
double zig_uniform(zig_rng *r);
/* n standard normals into z. */
void zig_normals(zig_rng *r, double *z, size_t n);

#endif
