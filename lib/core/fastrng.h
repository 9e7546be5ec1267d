/*
 * fastrng: small, fast, counter-seeded pseudo-random streams for the
 * optimizers (header only).
 *
 * Why not rng.h directly: the annealers draw one number per uphill spin
 * flip attempt, 10^8 a second, and Philox4x64-10 costs several times more
 * than xoshiro256+.  The naming of streams is still rng.h's: frng_seed()
 * fills the xoshiro state with the first four words of the Philox stream
 * (seed, stream), so replica k of a run gets the same numbers whatever
 * thread runs it and however many threads there are.
 * Owns nothing but the caller's state; never prints.  Not for cryptography.
 */
#ifndef QE_FASTRNG_H
#define QE_FASTRNG_H

#include <stdint.h>

#include "core/rng.h"

typedef struct frng {
	uint64_t s[4];
} frng;

/* Independent stream `stream` of generator `seed`. */
static inline void frng_seed(frng *r, uint64_t seed, uint64_t stream)
{
	qe_rng p;
	rng_init(&p, seed, stream);
	for (int k = 0; k < 4; k++)
		r->s[k] = rng_u64(&p);
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] = 1;
}

static inline uint64_t frng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256+ (Blackman and Vigna): the upper bits are the good ones. */
static inline uint64_t frng_next(frng *r)
{
	uint64_t *s = r->s;
	uint64_t out = s[0] + s[3];
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = frng_rotl(s[3], 45);
	return out;
}

static inline uint32_t frng_u32(frng *r)
{
	return (uint32_t)(frng_next(r) >> 32);
}

/* Uniform double in [0, 1) with 53 random bits. */
static inline double frng_uniform(frng *r)
{
	return (double)(frng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n) (n > 0), Lemire's multiply-shift. */
static inline uint32_t frng_below(frng *r, uint32_t n)
{
	return (uint32_t)(((uint64_t)frng_u32(r) * n) >> 32);
}

#endif
