/*
 * valuation: revalues a book of trades (trades.csv) against one day's
 * market data (lib/market) and writes the valuations, the sensitivity
 * long table, the delta ladder and the errors file (formats in
 * qe-formats(5): VALUATIONS, SENSITIVITIES, LADDER, PRICE ERRORS) to
 * outputs the caller opened and commits (together: cmd/cli.h).
 *
 * Trade rows (CSV or HDF5) go through qe-ingest's row validator
 * (ingest/schema.h) and are valued from the canonical row it writes; a
 * row it rejects is a trade of the errors file.
 *
 * Owns the market, trades and results of a val_book.  Never prints,
 * never opens or commits an output file:
 * a trade that cannot be priced becomes a row of the errors file (and the
 * result QE_DATA) while every other trade is still priced; nothing is
 * silently valued at zero.  Trades are priced in parallel (OpenMP); the
 * output does not depend on the number of threads.
 */
#ifndef QE_VALUATION_H
#define QE_VALUATION_H

#include <stdio.h>

#include "core/date.h"
#include "core/diag.h"
#include "io/h5table.h"

struct val_options {
	qe_date asof;
	const char *trades, *curves, *vols, *rates, *markets, *fixings, *calendars;
	double spread_corr; /* Kirk correlation between the legs of a spread */
	double bump;        /* added to every forward quote (reconciliation runs) */
};

/* Where valuation_write() writes; NULL: not wanted.  The HDF5 tables
 * replace the CSV valuations and sensitivities (--to h5). */
struct val_outputs {
	FILE *valuations, *sensitivities, *ladder, *errors;
	h5file *h5_valuations, *h5_sensitivities;
};

struct val_summary {
	long priced, failed, matured, cancelled;
	char first_error[256];
};

typedef struct val_book val_book;

/* Loads the market data and the book and prices every trade (in
 * parallel).  NULL with e set when the market data or the trades cannot
 * be read (QE_DATA, QE_IO) or memory runs out. */
val_book *valuation_price(const struct val_options *o, qe_err *e);
/* Writes the results and fills s.  QE_OK; QE_DATA when some trades could
 * not be priced (everything is still written and e names the first one);
 * another code when an output could not be written (out of memory, an
 * HDF5 error).  Write errors of the FILE outputs stay sticky in them for
 * the commit to report. */
int valuation_write(const val_book *b, const struct val_outputs *out, struct val_summary *s,
		    qe_err *e);
void valuation_free(val_book *b);

/* What full revaluation (price/valscen.h) asks of a priced book. */
struct market; /* market/market.h */
/* A trade as priced: status 0 priced, 1 error (err says why), 2 matured
 * or not yet started; npv of a priced one; nquotes the (curve, quote)
 * pairs of the market it has a sensitivity to.  The strings are the
 * book's. */
struct val_trade_info {
	const char *id, *book, *curve, *currency, *err;
	int status, nquotes;
	double npv;
};
long valuation_count(const val_book *b);
const struct market *valuation_market(const val_book *b);
void valuation_trade(const val_book *b, long i, struct val_trade_info *t);
/* The k-th (curve, quote) pair of trade i: indices into the market's
 * curves and that curve's quotes. */
void valuation_trade_quote(const val_book *b, long i, int k, int *curve, int *quote);
/* Prices every trade of b again, through the same code as
 * valuation_price(), against m: a market with b's market's curves in the
 * same order whose quote prices and vols may differ (valscen.h), the
 * same as-of date.  npv[i]: the trade's value there; 0 for a trade that
 * is matured at the base, NAN for one that failed at the base.  In
 * parallel over trades; the values do not depend on the number of
 * threads.  Returns -1, or the lowest index of a trade priced at the
 * base that cannot be priced on m (its reason into err). */
long valuation_reprice(const val_book *b, const struct market *m, double *npv, char *err,
		       size_t errsz);

#endif
