/*
 * settleidx: the settlement prices of a HISTORY file (qe-formats(5)) for
 * the abuse and quality rules, each row's contract resolved (an empty
 * contract of tenor k >= 1 is the month k months after the date's; of
 * tenor 0, the spot index, named "spot"; the 4-column layout without
 * contract likewise) and indexed by curve, contract and date.
 *
 * Owns the table, the resolved contracts, the prices and the index;
 * settleidx_free() releases them.  Never prints.
 */
#ifndef QE_SETTLEIDX_H
#define QE_SETTLEIDX_H

#include "core/date.h"
#include "core/diag.h"
#include "core/strindex.h"
#include "screen/rtable.h"

enum { SX_DATE, SX_CURVE, SX_TENOR, SX_CONTRACT, SX_PRICE, SX_NCOLS };

typedef struct settleidx {
	rtable h;
	char (*contract)[8]; /* per row: "YYYY-MM" or "spot" */
	double *price;       /* per row */
	strindex *ix;        /* "curve|contract|date" -> hrow[] */
	size_t *hrow;        /* first row of each key (tenors may share a contract) */
} settleidx;

/* QE_DATA at file:line:col for a bad price, tenor or contract. */
int settleidx_load(const char *path, settleidx *s, qe_err *e);
void settleidx_free(settleidx *s);
/* The settlement of curve's contract (YYYY-MM, only its first 7
 * characters read) on day d, or NaN. */
double settleidx_price(const settleidx *s, const char *curve, const char *contract, qe_date d);

#endif
