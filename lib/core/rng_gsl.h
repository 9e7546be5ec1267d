/*
 * rng_gsl: a GSL generator (gsl_rng) drawing from a qe_rng Philox stream,
 * so GSL's fast samplers (gsl_ran_gaussian_ziggurat, gsl_ran_chisq, ...)
 * can be used while keeping counter-based streams: position the stream
 * with rng_gsl_stream() per unit of work and results do not depend on
 * which thread ran it.
 *
 * Owns the gsl_rng it allocates (gsl_rng_free).  Never prints.
 */
#ifndef QE_RNG_GSL_H
#define QE_RNG_GSL_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

/* A gsl_rng over stream 0 of seed 0; NULL when out of memory. */
gsl_rng *rng_gsl_alloc(void);
/* Restarts r at the beginning of stream `stream` of generator `seed`. */
void rng_gsl_stream(gsl_rng *r, uint64_t seed, uint64_t stream);

/* n standard normals by GSL's ziggurat (gsl_ran_gaussian_ziggurat), and a
 * chi-square variate: wrappers so callers that use OpenBLAS's cblas.h need
 * not include gsl_randist.h, whose gsl_cblas.h clashes with it. */
void rng_gsl_normals(gsl_rng *r, double *z, size_t n);
double rng_gsl_chisq(gsl_rng *r, double nu);

#endif
