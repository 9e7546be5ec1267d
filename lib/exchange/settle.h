/*
 * settle: exchange end-of-day settlement files into our contract - CME
 * Group's settlement CSV (29 columns, futures FUT and options on futures
 * OOF) and ICE's pipe-delimited settlement report - read into one day of
 * futures quotes and option settlements, then written as forward curves
 * (PRICES), implied vols (VOLATILITIES), the day's fixings (FIXINGS) and
 * a price history with the day merged in (HISTORY), all per
 * qe-formats(5).
 *
 * Which exchange code is which curve is the curve master's data, never
 * code: its columns futures_codes (VENUE:CODE ...), option_codes
 * (VENUE:CODE:european|american ...) and price_scale (exchange price x
 * scale = our price, strikes too; 1 when absent).  A master without
 * these columns maps nothing.
 *
 * Quarter, season and calendar strips (ICE) become months so that the
 * strip's delivery-day-weighted average is the strip's price: months the
 * file quotes (or a shorter strip gave) keep their price, the others get
 * one common price (qe-formats(5) PRICES).
 *
 * A bad row (unknown code, expired month, settlement outside the day's
 * limits, an option without its underlying future, a premium outside the
 * no-arbitrage bounds, an unreadable field) is rejected with its line,
 * column, value and reason (REJECTS), in input order, and reported
 * through on_reject; the other rows still count.
 *
 * Owns the day it read until exch_day_free().  Never prints.
 */
#ifndef QE_EXCH_SETTLE_H
#define QE_EXCH_SETTLE_H

#include <stdio.h>

#include "core/date.h"
#include "core/diag.h"
#include "market/curvemaster.h"

enum exch_venue { EXCH_CME = 1, EXCH_ICE = 2 };

typedef struct exch_counts {
	long read;        /* data rows */
	long futures;     /* futures rows kept (months and strips) */
	long options;     /* option rows kept */
	long rejected;    /* read = futures + options + rejected */
	long curve_rows;  /* months written to the curves */
	long vols;        /* vol rows written (one per curve, month, strike, plus ATM) */
	long no_vol;      /* options whose price determines no vol (no time value, negligible vega) */
	long fixings;
	long ice_compared;   /* ICE: options with a published OPTION_VOLATILITY and a vol of ours */
	double ice_maxdiff;  /* their largest |ours - ICE's| in vol points (percent) */
} exch_counts;

typedef struct exch_day exch_day;

/* Opens a settlement file for reading: plain, gzip (io/infile) or a zip
 * archive (libzip; its one entry, or its one entry ending in .csv/.txt).
 * path "-" is stdin (not zip).  QE_IO / QE_DATA with the file's name. */
FILE *exch_open(const char *path, qe_err *e);

/* Reads a settlement file of the venue from fp (name for messages) with
 * the curve master m (calendars loaded: expiries are checked).  Rejected
 * rows go to rejects (REJECTS CSV with its header; NULL: none) and to
 * on_reject(ctx, "file:line:col: column 'x': reason 'value'").  rate:
 * the continuously compounded rate that discounts European premiums.
 * NULL with e filled on a fatal error (unreadable file, missing column,
 * bad curve master columns, no data row). */
exch_day *exch_read(FILE *fp, const char *name, int venue, const curvemaster *m, double rate,
		    FILE *rejects, void (*on_reject)(void *ctx, const char *msg), void *ctx,
		    exch_counts *n, qe_err *e);
void exch_day_free(exch_day *d);

/* The trade date of the file. */
qe_date exch_day_date(const exch_day *d);

/* The outputs, each a CSV with its header.  Counts go to n. */
int exch_write_curves(const exch_day *d, FILE *fp, exch_counts *n, qe_err *e);
int exch_write_vols(const exch_day *d, FILE *fp, exch_counts *n, qe_err *e);
int exch_write_fixings(const exch_day *d, FILE *fp, exch_counts *n, qe_err *e);
/* Writes the history old (NULL or an empty file: none; name for
 * messages) with the day's rows merged in date order: tenor k >= 1 the
 * contract delivering k months after the date's month, tenor 0 the
 * fixing.  A date already there for one of the day's curves is QE_DATA
 * at its line unless replace, which drops the rows the day writes anew
 * (same date, curve and tenor) and keeps the others. */
int exch_write_history(const exch_day *d, FILE *old, const char *name, int replace, FILE *fp,
		       qe_err *e);

#endif
