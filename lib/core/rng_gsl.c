#include "core/rng_gsl.h"

#include <gsl/gsl_randist.h>

#include "core/rng.h"

/* A 64-bit Philox word serves two 32-bit draws (high half first). */
struct philox_state {
	qe_rng r;
	uint64_t low;
	int have_low;
};

static void philox_set(void *state, unsigned long seed)
{
	struct philox_state *s = state;
	rng_init(&s->r, (uint64_t)seed, 0);
	s->have_low = 0;
}

/* 32 bits a call: GSL's ziggurat takes its index and its uniform from one
 * 32-bit word when max - min is 2^32 - 1 */
static unsigned long philox_get(void *state)
{
	struct philox_state *s = state;
	if (s->have_low) {
		s->have_low = 0;
		return (unsigned long)(s->low & 0xffffffffUL);
	}
	uint64_t w = rng_u64(&s->r);
	s->low = w;
	s->have_low = 1;
	return (unsigned long)(w >> 32);
}

static double philox_get_double(void *state)
{
	struct philox_state *s = state;
	s->have_low = 0;
	return (double)(rng_u64(&s->r) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type philox_type = {
	"qe_philox4x64", 0xffffffffUL, 0, sizeof(struct philox_state), philox_set, philox_get,
	philox_get_double,
};

gsl_rng *rng_gsl_alloc(void)
{
	return gsl_rng_alloc(&philox_type);
}

void rng_gsl_stream(gsl_rng *r, uint64_t seed, uint64_t stream)
{
	struct philox_state *s = r->state;
	rng_init(&s->r, seed, stream);
	s->have_low = 0;
}

void rng_gsl_normals(gsl_rng *r, double *z, size_t n)
{
	for (size_t i = 0; i < n; i++)
		z[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
}

double rng_gsl_chisq(gsl_rng *r, double nu)
{
	return gsl_ran_chisq(r, nu);
}
