#include "core/zignor.h"

#include <math.h>
#include <pthread.h>

#include "core/fastrng.h"
#include "core/rng.h"

/* Doornik (2005), "An Improved Ziggurat Method to Generate Normal Random
 * Samples": 128 layers of equal area V, the base layer's right end at R. */
#define ZIG_C 128
#define ZIG_R 3.442619855899
#define ZIG_V 9.91256303526217e-3

static double zig_x[ZIG_C + 1]; /* right ends of the layers, decreasing; x[0] = V / f(R) */
static double zig_ratio[ZIG_C]; /* x[i+1] / x[i]: |u| below it is inside the layer's box */
static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

static void zig_tables(void)
{
	double f = exp(-0.5 * ZIG_R * ZIG_R);
	zig_x[0] = ZIG_V / f;
	zig_x[1] = ZIG_R;
	zig_x[ZIG_C] = 0;
	for (int i = 2; i < ZIG_C; i++) {
		zig_x[i] = sqrt(-2 * log(ZIG_V / zig_x[i - 1] + f));
		f = exp(-0.5 * zig_x[i] * zig_x[i]);
	}
	for (int i = 0; i < ZIG_C; i++)
		zig_ratio[i] = zig_x[i + 1] / zig_x[i];
}

uint64_t zig_u64(zig_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = frng_rotl(s[0] + s[3], 23) + s[0];
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = frng_rotl(s[3], 45);
	return out;
}

double zig_uniform(zig_rng *r)
{
	/* (k + 1/2) / 2^53: never 0, never 1 */
	return ((double)(zig_u64(r) >> 11) + 0.5) * 0x1.0p-53;
}

void zig_seed(zig_rng *r, qe_rng *p)
{
	for (int k = 0; k < 4; k++)
		r->s[k] = rng_u64(p);
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] = 1;
	pthread_once(&zig_once, zig_tables);
}

/* Beyond R (Marsaglia 1964): the tail's exponential proposal. */
static double zig_tail(zig_rng *r, int negative)
{
	double x, y;
	do {
		x = log(zig_uniform(r)) / ZIG_R;
		y = log(zig_uniform(r));
	} while (-2 * y < x * x);
	return negative ? x - ZIG_R : ZIG_R - x;
}

static inline double zig_one(zig_rng *r)
{
	for (;;) {
		uint64_t w = zig_u64(r);
		/* the layer from the low 7 bits, the uniform from the top 53:
		 * independent bits (Doornik's fix of the original's correlation) */
		int i = (int)(w & (ZIG_C - 1));
		double u = 2 * ((double)(w >> 11) * 0x1.0p-53) - 1;
		if (fabs(u) < zig_ratio[i])
			return u * zig_x[i];
		if (i == 0)
			return zig_tail(r, u < 0);
		double x = u * zig_x[i], x2 = x * x;
		double f0 = exp(-0.5 * (zig_x[i] * zig_x[i] - x2));
		double f1 = exp(-0.5 * (zig_x[i + 1] * zig_x[i + 1] - x2));
		if (f1 + zig_uniform(r) * (f0 - f1) < 1.0)
			return x;
	}
}

void zig_normals(zig_rng *r, double *z, size_t n)
{
	for (size_t k = 0; k < n; k++)
		z[k] = zig_one(r);
}
