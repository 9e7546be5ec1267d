#include "core/rng.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

__extension__ typedef unsigned __int128 rng_u128;

#define PHILOX_M0 UINT64_C(0xD2E7470EE14C6C93)
#define PHILOX_M1 UINT64_C(0xCA5A826395121157)
#define PHILOX_W0 UINT64_C(0x9E3779B97F4A7C15)
#define PHILOX_W1 UINT64_C(0xBB67AE8584CAA73B)

void philox4x64_10(const uint64_t ctr[4], const uint64_t key[2], uint64_t out[4])
{
	uint64_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
	uint64_t k0 = key[0], k1 = key[1];
	for (int round = 0; round < 10; round++) {
		if (round) {
			k0 += PHILOX_W0;
			k1 += PHILOX_W1;
		}
		rng_u128 p0 = (rng_u128)PHILOX_M0 * c0;
		rng_u128 p1 = (rng_u128)PHILOX_M1 * c2;
		uint64_t hi0 = (uint64_t)(p0 >> 64), lo0 = (uint64_t)p0;
		uint64_t hi1 = (uint64_t)(p1 >> 64), lo1 = (uint64_t)p1;
		c0 = hi1 ^ c1 ^ k0;
		c1 = lo1;
		c2 = hi0 ^ c3 ^ k1;
		c3 = lo0;
	}
	out[0] = c0;
	out[1] = c1;
	out[2] = c2;
	out[3] = c3;
}

void rng_init(qe_rng *r, uint64_t seed, uint64_t stream)
{
	r->key[0] = seed;
	r->key[1] = stream;
	rng_seek(r, 0);
}

void rng_seek(qe_rng *r, uint64_t block)
{
	/* The counter is incremented before each block is made (as numpy's
	 * Philox does), so block b is philox(b + 1). */
	r->ctr[0] = block;
	r->ctr[1] = r->ctr[2] = r->ctr[3] = 0;
	r->pos = 4;
}

uint64_t rng_mix64(uint64_t x)
{
	x += UINT64_C(0x9E3779B97F4A7C15);
	x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
	return x ^ (x >> 31);
}

uint64_t rng_stream_id(const char *name)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= UINT64_C(0x100000001b3);
	}
	return rng_mix64(h);
}

uint64_t rng_u64(qe_rng *r)
{
	if (r->pos >= 4) {
		for (int i = 0; i < 4; i++)
			if (++r->ctr[i] != 0)
				break;
		philox4x64_10(r->ctr, r->key, r->buf);
		r->pos = 0;
	}
	return r->buf[r->pos++];
}

double rng_uniform(qe_rng *r)
{
	return ((double)(rng_u64(r) >> 11) + 0.5) * 0x1p-53;
}

uint64_t rng_below(qe_rng *r, uint64_t n)
{
	if (n == 0)
		return 0;
	rng_u128 m = (rng_u128)rng_u64(r) * n;
	uint64_t low = (uint64_t)m;
	if (low < n) {
		uint64_t threshold = (0 - n) % n;
		while (low < threshold) {
			m = (rng_u128)rng_u64(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double rng_normal(qe_rng *r)
{
	return gsl_cdf_ugaussian_Pinv(rng_uniform(r));
}

double rng_exponential(qe_rng *r)
{
	return -log(rng_uniform(r));
}

double rng_gamma(qe_rng *r, double shape)
{
	if (!(shape > 0) || !isfinite(shape))
		return NAN;
	if (shape < 1) {
		/* Gamma(a) = Gamma(a + 1) * U^(1/a) */
		double g = rng_gamma(r, shape + 1);
		return g * pow(rng_uniform(r), 1.0 / shape);
	}
	double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
	for (;;) {
		double x = rng_normal(r), v = 1.0 + c * x;
		if (v <= 0)
			continue;
		v = v * v * v;
		double u = rng_uniform(r), x2 = x * x;
		if (u < 1.0 - 0.0331 * x2 * x2)
			return d * v;
		if (log(u) < 0.5 * x2 + d * (1.0 - v + log(v)))
			return d * v;
	}
}

double rng_student_t(qe_rng *r, double nu)
{
	if (!(nu > 0) || !isfinite(nu))
		return NAN;
	double z = rng_normal(r);
	double chi2 = 2.0 * rng_gamma(r, nu / 2.0);
	return z / sqrt(chi2 / nu);
}

double rng_student_t_std(qe_rng *r, double nu)
{
	if (!(nu > 2) || !isfinite(nu))
		return NAN;
	return rng_student_t(r, nu) * sqrt((nu - 2.0) / nu);
}
