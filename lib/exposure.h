/*
 * exposure: the risk-factor sensitivities of portfolios, read from the
 * sensitivities file of qe-price (trade_id,book,curve,delivery_start,
 * delivery_end,tenor,delta,gamma,vega) and summed per group.
 *
 * A row's risk factor is "CURVE:TENOR"; tenors beyond 12 months are
 * mapped to 12 (the last factor the history carries) and counted.  Rows
 * are grouped by the value of one column (book by default; any column of
 * the file, e.g. trader or desk, or, when the file lacks it, a column of
 * the curve master such as commodity or venue, looked up by curve) into
 * portfolios; portfolio "total" holds everything.  delta and gamma are per unit of the factor's price; vega is
 * not used (there is no volatility history).
 *
 * Owns its matrices and names (expo_free).  Never prints.
 */
#ifndef QE_EXPOSURE_H
#define QE_EXPOSURE_H

#include <stddef.h>

#include "diag.h"
#include "strindex.h"

#define EXPO_MAX_TENOR 12

typedef struct exposure {
	size_t npf, nf;
	strindex *portfolios; /* "total" first, then groups in order of appearance */
	double *delta, *gamma; /* [p * nf + f] */
	size_t rows, capped;   /* rows read; rows whose tenor was mapped to 12 */
	int has_gamma;
} exposure;

/* Reads path against the factor names of a history.  by = NULL groups
 * nothing (only "total"); markets (may be NULL) is the curve master for
 * grouping columns the file lacks.  A factor without history is QE_DATA
 * naming the file, line and factor. */
int expo_read(exposure *x, const char *path, const char *by, const char *markets,
	      const strindex *factors, qe_err *e);
void expo_free(exposure *x);

/* Marks in used[] (nf entries, zeroed by the caller) the factors with a
 * non-zero delta or gamma in any portfolio. */
void expo_used(const exposure *x, unsigned char *used);
/* Keeps the factors with keep[f] set, in order (as rh_restrict does). */
void expo_restrict(exposure *x, const unsigned char *keep);

#endif
