/*
 * valuation: revalues a book of trades (trades.csv) against one day's
 * market data (lib/market) and writes the valuations, the sensitivity
 * long table, the delta ladder and the errors file (formats in
 * qe-formats(5): VALUATIONS, SENSITIVITIES, LADDER, PRICE ERRORS).
 *
 * Owns the trades and results of one valuation_run() call.  Never prints:
 * a trade that cannot be priced becomes a row of the errors file (and the
 * result QE_DATA) while every other trade is still priced; nothing is
 * silently valued at zero.  Trades are priced in parallel (OpenMP); the
 * output does not depend on the number of threads.
 */
#ifndef QE_VALUATION_H
#define QE_VALUATION_H

#include "core/date.h"
#include "core/diag.h"

struct val_options {
	qe_date asof;
	const char *trades, *curves, *vols, *rates, *markets, *fixings, *calendars;
	const char *out_path, *sens_path, *ladder_path, *errors_path; /* NULL out = stdout */
	double spread_corr; /* Kirk correlation between the legs of a spread */
	double bump;        /* added to every forward quote (reconciliation runs) */
	int to_h5;          /* valuations and sensitivities as HDF5 tables */
};

struct val_summary {
	long priced, failed, matured, cancelled;
	char first_error[256];
};

/* QE_OK; QE_DATA when some trades could not be priced (outputs are still
 * written and e names the first one); any other code when nothing was
 * written (unreadable or malformed market data, I/O errors). */
int valuation_run(const struct val_options *o, struct val_summary *s, qe_err *e);

#endif
