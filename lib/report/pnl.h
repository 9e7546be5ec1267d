/*
 * pnl: the daily P&L of qe-report and its explain by revaluation between
 * two as-of dates D0 <= D1, each named by its own files (trades, curves,
 * vols, rates, fixings, FX rates) over one curve master (D0 = D1: an
 * intraday P&L, the day's book and prices against the end of day's).
 *
 * Every trade is priced in-process through price/valuation (the pricer
 * of qe-price) and the book is walked from D0 to D1 one step at a time,
 * each step a revaluation of the trades of D0's book on a scenario market
 * (price/valscen) of D1's market:
 *   theta   the date rolled to D1 (D1's fixings), D0's quotes and vols;
 *   price   D1's quotes (vols still D0's), split into delta and gamma by
 *           D0's sensitivities (delta x dF, gamma x dF^2 / 2, cross gamma
 *           of spreads x dF1 dF2), per risk curve; what the Taylor terms
 *           miss goes to unexplained;
 *   vega    D1's vols: D1's market;
 *   fx      D1's FX rates instead of D0's (values are in the base
 *           currency of the FX files: each trade converted at its day's
 *           rate);
 *   trades  D1's book: new trades (D1's value), amended ones (D1's value
 *           less the previous version's on D1's market); an unchanged
 *           trade's difference (none: the same pricer on the same market)
 *           is unexplained.  A cancelled trade leaves the book at its D0
 *           value before the market steps: all its P&L is cancelled;
 *   cash    trades of D0's book that matured by D1 (expiry, delivery or
 *           settlement): the value they settled at, priced on D0's date
 *           with D1's quotes and vols, at D1's FX rate.
 * A quote of D1 takes D0's price of the quote of the same curve covering
 * its last delivery day (no move when there is none); a vol point takes
 * D0's vol of the same curve, type and strike on its first delivery day
 * (market/mkt_vol: sticky strike).
 *
 * Cents: the value of each trade after each step is rounded to cents of
 * the base currency (half away from zero) and each part is the difference
 * of two rounded values, so the parts of a trade add to its total P&L
 * (D1 value + cash - D0 value) exactly, and roll-ups (integer sums) too;
 * delta and gamma are rounded to cents and the price step's remainder
 * goes to unexplained.
 *
 * Never prints; rows go to the caller's csv_writers.
 */
#ifndef QE_REPORT_PNL_H
#define QE_REPORT_PNL_H

#include <stdint.h>

#include "core/date.h"
#include "core/diag.h"
#include "io/csvio.h"

struct report_pnl_day {
	qe_date asof;
	const char *trades, *curves, *vols, *rates, *fixings, *fx; /* vols, rates, fixings may be NULL */
};

struct report_pnl_in {
	const char *markets, *calendars;
	struct report_pnl_day d0, d1;
	const char *base; /* base currency of the FX files (rate 1) */
};

/* The parts of the explain, in cents of the base currency. */
enum { PNL_TOTAL, PNL_THETA, PNL_DELTA, PNL_GAMMA, PNL_VEGA, PNL_FX, PNL_NEW, PNL_AMENDED,
       PNL_CANCELLED, PNL_CASH, PNL_UNEXPLAINED, PNL_NPARTS };

struct report_pnl_totals {
	int64_t part[PNL_NPARTS];
	long trades, changed[5]; /* unchanged, new, amended, cancelled, matured */
};

/* Writes the P&L by trade to by_trade and the roll-ups (all, book, desk,
 * commodity, and delta/gamma per risk curve) to explain (qe-formats(5)
 * PNL, PNL EXPLAIN); either may be NULL.  QE_DATA at file:line:col for a
 * curves file whose as-of is not its day's, D1 before D0, a trade
 * currency the FX file lacks or that changed between the books, a trade
 * that cannot be priced; QE_IO when a file cannot be read. */
int report_pnl(const struct report_pnl_in *in, csv_writer *by_trade, csv_writer *explain,
	       struct report_pnl_totals *tot, qe_err *e);

/* The names of the parts as the columns of PNL EXPLAIN have them. */
const char *report_pnl_part_name(int part);
/* Cents as a decimal string with two places ("-1234.05"); buf >= 32. */
char *report_pnl_cents(char *buf, int64_t cents);

#endif
