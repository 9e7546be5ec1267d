/*
 * book: the trades of a book as the settlement commands read them
 * (qe-settle flows, margin): each row through qe-ingest's row validator
 * and lifecycle rule (ingest/schema), as qe-price reads them, keeping the
 * live version of each trade (a cancelled one is kept, marked), with the
 * line and columns of the row for messages; and the commodity units a
 * trade delivers over part of its delivery period, the rule of qe-price.
 *
 * Owns the trades it returns (settle_book_free).  Never prints, never
 * exits.
 */
#ifndef QE_SETTLE_BOOK_H
#define QE_SETTLE_BOOK_H

#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/diag.h"
#include "market/curvemaster.h"

enum settle_instr { SETTLE_I_FUTURE, SETTLE_I_FORWARD, SETTLE_I_SWAP, SETTLE_I_PHYSICAL,
		    SETTLE_I_OPTION, SETTLE_I_ASIAN, SETTLE_I_SPREAD, SETTLE_I_SPOT, SETTLE_I_OTHER };

typedef struct settle_trade {
	char id[72], book[72], cpty[72], curve[72], curve2[72], ccy[4], unit[12], shape[16];
	int instr, side, cancel, has_price;
	int opt_type;        /* OPT_CALL, OPT_PUT (price/black76.h), 0 when none */
	int american;        /* exercise american */
	int64_t version;
	double qty, price, strike, ratio;
	int has_strike;
	qe_date td, ds, de, expiry, avg_start, avg_end; /* expiry etc. 0 when empty */
	long line;
	int col_cpty, col_curve, col_ccy, col_strike; /* 1-based columns in the file */
} settle_trade;

typedef struct settle_book {
	settle_trade *v;
	size_t n, cap;
	const char *path;
} settle_book;

/* Reads the trades of path (CSV) against the curve master markets.
 * QE_DATA at file:line:col for a row the validator or the lifecycle rule
 * rejects. */
int settle_book_load(settle_book *b, const char *path, const char *markets, qe_err *e);
void settle_book_free(settle_book *b);

/* Commodity units t delivers over [first, last] of its delivery period
 * (cv its curve): MW and lots of an hourly curve by the shape's hours in
 * the curve's zone, MMBtu/d by days, other units and lots in proportion
 * of the days (hours for hourly curves).  QE_DATA naming path:line. */
int settle_trade_volume(const settle_trade *t, const curvemaster_curve *cv, qe_date first,
			qe_date last, const char *path, double *out, qe_err *e);

#endif
