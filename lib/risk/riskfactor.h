/*
 * riskfactor: the mapping of a position's tenor to its risk factor
 * CURVE:TENOR, shared by every tool that puts deltas on the factors of a
 * price history (qe-var, qe-optimize hedge), so they agree on the book.
 *
 * The bundled histories carry tenors 0..RISK_MAX_TENOR (months after the
 * as-of month); a longer tenor is carried by the factor CURVE:RISK_MAX_TENOR
 * (qe-formats(5), RISK SENSITIVITIES).
 *
 * Owns nothing; never prints.
 */
#ifndef QE_RISKFACTOR_H
#define QE_RISKFACTOR_H

#include <stdint.h>

#define RISK_MAX_TENOR 12

/* The factor tenor of a position tenor (>= 0): min(tenor, RISK_MAX_TENOR). */
int64_t risk_factor_tenor(int64_t tenor);

#endif
