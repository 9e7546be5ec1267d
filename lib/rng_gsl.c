#include "rng_gsl.h"

#include <gsl/gsl_randist.h>

#include "rng.h"

static void philox_set(void *state, unsigned long seed)
{
	rng_init((qe_rng *)state, (uint64_t)seed, 0);
}

/* 32 bits a call: GSL's ziggurat takes its index and its uniform from one
 * 32-bit word when max - min is 2^32 - 1 */
static unsigned long philox_get(void *state)
{
	return (unsigned long)(rng_u64((qe_rng *)state) >> 32);
}

static double philox_get_double(void *state)
{
	return (double)(rng_u64((qe_rng *)state) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type philox_type = {
	"qe_philox4x64", 0xffffffffUL, 0, sizeof(qe_rng), philox_set, philox_get, philox_get_double,
};

gsl_rng *rng_gsl_alloc(void)
{
	return gsl_rng_alloc(&philox_type);
}

void rng_gsl_stream(gsl_rng *r, uint64_t seed, uint64_t stream)
{
	rng_init((qe_rng *)r->state, seed, stream);
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
