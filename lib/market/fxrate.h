/*
 * fxrate: FX rates (qe-formats(5) "FX RATES": currency,rate = units of
 * the base currency per unit) and curve attributes of the curve master
 * (e.g. each curve's currency), as read by qe-var --fx/--base and
 * qe-optimize hedge --fx/--base.
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

/* curve -> value of column col of the curve master markets: curve k of
 * curves has value (*val_of)[k] of values.  *found = 0 (and nothing read)
 * when the file has no column col. */
int curve_attr_read(const char *markets, const char *col, int *found, strindex *curves, strindex *values,
		    long **val_of, qe_err *e);

#endif
