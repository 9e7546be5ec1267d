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
 * output does not depend on the number of threads.  A stream keeps, per
 * thread, a memo of American option greeks by their exact inputs (the
 * same bits whichever thread computed them).
 */
#ifndef QE_VALUATION_H
#define QE_VALUATION_H

#include <stdio.h>

#include "core/date.h"
#include "core/diag.h"
#include "io/h5table.h"

/* The Kirk correlation of the legs of a spread on one pair of curves
 * (either order), e.g. from their price history (risk/spreadcorr.h). */
struct val_corr {
	char curve1[64], curve2[64];
	double rho;
	size_t nret; /* the returns it was estimated from (0: given) */
};

struct val_options {
	qe_date asof;
	const char *trades, *curves, *vols, *rates, *markets, *fixings, *calendars;
	double spread_corr; /* Kirk correlation between the legs of a spread */
	/* per curve pair, before spread_corr (NULL: spread_corr for all); the
	 * caller's, outliving the book */
	const struct val_corr *corr;
	size_t ncorr;
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
/* valuation_price in two steps, shared among the ranks of an MPI run
 * (core/par.h).  valuation_load: every rank loads the market data and
 * the whole book, nothing priced yet (NULL with e set as
 * valuation_price).  valuation_price_share: each rank prices its
 * contiguous block of the trades (par_my_share) and rank 0 receives
 * every other rank's results (values, sensitivities, errors) in trade
 * order, so that its book is valuation_price()'s bit for bit and
 * valuation_write() writes the one process's bytes; the book of another
 * rank holds only its own block's results (never written, only freed).
 * 0, or QE_INTERNAL (e set) when the exchange fails or memory runs out.
 * In one process (the plain build) the two are valuation_price(). */
val_book *valuation_load(const struct val_options *o, qe_err *e);
int valuation_price_share(val_book *b, qe_err *e);
/* The trades of like priced on the market of o, as valuation_price(o)
 * prices them when o names like's trades file and curve master, without
 * reading and checking the trades again (they are copied from like):
 * one book on two days' markets (qe-report pnl).  NULL with e set when
 * the market data cannot be read or memory runs out. */
val_book *valuation_price_again(const val_book *like, const struct val_options *o, qe_err *e);
/* Writes the results and fills s.  QE_OK; QE_DATA when some trades could
 * not be priced (everything is still written and e names the first one);
 * another code when an output could not be written (out of memory, an
 * HDF5 error).  Write errors of the FILE outputs stay sticky in them for
 * the commit to report. */
int valuation_write(const val_book *b, const struct val_outputs *out, struct val_summary *s,
		    qe_err *e);
void valuation_free(val_book *b);
/* Prices the book of o and writes every output of out as it goes: the
 * trades are read in blocks, each block priced in parallel, its rows
 * written in trade order and its deltas added to the ladder (written at
 * the end), so memory does not grow with the book (a first pass over the
 * trades counts the rows of each id, so that a trade leaves once its
 * last amend or cancel is read).  Trades from stdin ("-"), or whose ids
 * read "line N" or "row N" (the names of rejected rows), are valued in
 * memory with valuation_price() and valuation_write().  The bytes are
 * those of valuation_write() for any number of threads.  Returns QE_OK
 * when every output was written, s filled (s->failed trades could not be
 * priced: e then holds the QE_DATA message naming the first); another
 * code (e set) when the market or the trades cannot be read or an output
 * cannot be written. */
int valuation_stream(const struct val_options *o, const struct val_outputs *out,
		     struct val_summary *s, qe_err *e);

/* The Kirk correlation of the pair k of the options' table the book was
 * priced with, when some spread of the book uses it (1), else 0. */
int valuation_corr_used(const val_book *b, size_t k);

/* What full revaluation (price/valscen.h) asks of a priced book. */
struct market; /* market/market.h */
/* A trade as priced: status 0 priced, 1 error (err says why), 2 matured
 * or not yet started; npv of a priced one; nquotes the (curve, quote)
 * pairs of the market it has a sensitivity to; model the pricing model
 * of a priced one ("black76", "kirk", ...; NULL otherwise).  The strings
 * are the book's. */
struct val_trade_info {
	const char *id, *book, *curve, *currency, *err;
	int status, nquotes;
	double npv;
	const char *model;
	int has_expiry;   /* options, Asians, spreads: expiry is their expiry date */
	qe_date expiry, delivery_start, delivery_end;
	int version;      /* the trade version priced */
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
/* The k-th sensitivity row of trade i (k < nquotes): its (curve, quote)
 * as valuation_trade_quote, delta and gamma to that quote, and for a
 * cross-gamma row (a spread's legs) the second quote in curve2, quote2
 * (-1 otherwise; gamma is then d2V/dF1 dF2). */
struct val_sens_row {
	int curve, quote, curve2, quote2;
	double delta, gamma, vega;
};
void valuation_trade_sens(const val_book *b, long i, int k, struct val_sens_row *row);
long valuation_reprice(const val_book *b, const struct market *m, double *npv, char *err,
		       size_t errsz);
/* valuation_reprice of the n trades idx[0..n-1] only (idx NULL: trades
 * 0..n-1; npv[idx[j]]; the other entries of npv are not touched), against a market m whose as-of
 * date may be later than b's (full revaluation at a horizon: risk/fullhz.h):
 * each trade is priced as on that day. */
long valuation_reprice_some(const val_book *b, const struct market *m, const long *idx, long n,
			    double *npv, char *err, size_t errsz);
/* An NPV-only repricing plan of b: per trade, what does not change when
 * quotes and vols move (delivery pieces, volumes, discount factors, year
 * fractions, the quotes an average forward reads and their day counts),
 * so valuation_reprice_plan redoes only the closed form on the moved
 * market - futures, forwards, physicals, spots, swaps, Asians on a
 * futures index, European/American options on one curve and Kirk
 * spread options; other trades take the full path.  The values
 * equal valuation_reprice's bit for bit.  Owns its arrays
 * (valuation_plan_free); b must outlive it.  NULL with e set
 * (QE_INTERNAL) when memory runs out. */
typedef struct val_plan val_plan;
val_plan *valuation_plan_new(const val_book *b, qe_err *e);
void valuation_plan_free(val_plan *p);
/* valuation_reprice through the plan p of b. */
long valuation_reprice_plan(const val_book *b, const val_plan *p, const struct market *m, double *npv,
			    char *err, size_t errsz);
/* valuation_reprice_plan on nm markets at once (a block of scenarios):
 * npv[s n + i] trade i's value on m[s] (n = valuation_count(b)).  One
 * parallel loop over the trades, each repriced on every market of the
 * block, so the work per scenario is not repeated per trade: with
 * same_vols (the caller vouches that every m[s] has the vols of m[0])
 * a trade's vol is looked up once for the block.  Returns -1, or the
 * lowest s n + i of a trade priced at the base that cannot be priced
 * on m[s] (its reason into err); the values and that index do not
 * depend on the number of threads. */
long valuation_reprice_plan_block(const val_book *b, const val_plan *p, const struct market *const *m,
				  size_t nm, int same_vols, double *npv, char *err, size_t errsz);
/* 1 when trade i of b reprices through the plan p, 0 when it takes the
 * full path (price_one); for tests and profiles. */
int valuation_plan_planned(const val_plan *p, long i);

#endif
