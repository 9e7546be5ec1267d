/*
 * valuation: revalues a book of trades against one day's market data and
 * writes the valuations, the sensitivity long table, the delta ladder and
 * the errors file (formats in qe-formats(5), "VALUATIONS" and after).
 *
 * Owns the market data and trades it loads for the duration of one
 * valuation_run() call.  Never prints: a trade that cannot be priced is a
 * row of the errors file (and makes the result QE_DATA), every other trade
 * is still priced; nothing is silently valued at zero.
 */
#ifndef QE_VALUATION_H
#define QE_VALUATION_H

#include "date.h"
#include "diag.h"

struct val_options {
	qe_date asof;
	const char *trades, *curves, *vols, *rates, *markets, *fixings; /* paths; NULL = absent */
	const char *out_path, *sens_path, *ladder_path, *errors_path;   /* NULL out = stdout */
};

struct val_summary {
	long priced, failed;
};

/* QE_OK; QE_DATA when some trades could not be priced (outputs still
 * written, e names the first one); other codes when nothing was written. */
int valuation_run(const struct val_options *o, struct val_summary *s, qe_err *e);

#endif
