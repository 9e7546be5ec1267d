/*
 * fxrate: FX rates (qe-formats(5) "FX RATES": currency,rate = units of
 * the base currency per unit), as read by qe-var --fx/--base and
 * qe-optimize hedge --fx/--base.  Each curve's currency is the curve
 * master's (curvemaster.h).
 *
 * Owns nothing: the caller owns the strindex sets and the arrays filled
 * (free()).  Never prints.
 */
#ifndef QE_FXRATE_H
#define QE_FXRATE_H

#include "core/diag.h"
#include "core/strindex.h"

/* Reads currency,rate rows of path: currency k of ccys gets (*rate)[k]
 * (> 0).  A duplicate currency or a rate that is not positive is QE_DATA
 * at file:line:col; so is a base currency (may be NULL) listed with a
 * rate other than 1. */
int fx_rates_read(const char *path, const char *base, strindex *ccys, double **rate, qe_err *e);

#endif
