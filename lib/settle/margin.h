/*
 * margin: an estimate of the initial margin of each account with a
 * SPAN-style scan (qe-settle margin).  An account is a book of the trades
 * file; the positions scanned are its live futures and options on a curve
 * that has a row in the scan ranges file (span_ranges.csv: price scan,
 * relative vol scan, extreme move and the fraction of it covered, spread
 * charge, short option minimum), futures whose delivery has not started
 * and options that have not expired by the as-of date.
 *
 * Per account and curve the 16 scenarios move the curve's forward by 0,
 * +-1/3, +-2/3, +-3/3 of the price scan, each with the vols up and down by
 * the vol scan (14), and by +-extreme_move scans with the vols unchanged,
 * of whose loss extreme_cover counts (2).  A future is revalued at the
 * moved forward (value = forward x units, not discounted); an option with
 * Black-76 (Bachelier on a curve whose model is bachelier) of
 * price/black76 at the forward of its underlying's first delivery day, the
 * vol of that day at its strike (market/market's smile) and the zero rate
 * of its currency to its expiry, whatever its exercise style (an American
 * option is scanned as a European one).  The scan risk of a curve is the
 * largest scenario loss (0 when every scenario gains); the inter-month
 * spread charge is spread_charge per spread, the spreads being the smaller
 * of the summed long and summed short net deltas (in contracts: lots or
 * MW, option deltas from Black-76) of the curve's contract months; the
 * short option minimum is short_option_min per short option contract.
 * Per account and currency:
 * margin = max(scan_risk + spread_charge, short_option_min), each term the
 * sum over the account's curves of that currency.  No inter-commodity
 * credit, no time decay, no delivery-month charge: an estimate.
 *
 * Owns the results it returns (margin_free).  Never prints, never exits.
 */
#ifndef QE_SETTLE_MARGIN_H
#define QE_SETTLE_MARGIN_H

#include <stddef.h>
#include <stdio.h>

#include "core/date.h"
#include "core/diag.h"

#define MARGIN_NSCEN 16

struct margin_options {
	const char *trades, *markets, *curves, *vols, *rates, *ranges, *calendars;
	qe_date asof;
};

/* One account x curve: its scenario losses (after the extreme cover). */
typedef struct margin_curve {
	char account[72], curve[32], ccy[4];
	double loss[MARGIN_NSCEN], price_move[MARGIN_NSCEN], vol_move[MARGIN_NSCEN],
		cover[MARGIN_NSCEN];
	double scan_risk, spread_charge, short_option_min;
	long positions;
} margin_curve;

/* One account x currency. */
typedef struct margin_account {
	char account[72], ccy[4];
	double scan_risk, spread_charge, short_option_min, margin;
} margin_account;

typedef struct margin_result {
	margin_curve *curves;     /* sorted by account, currency, curve */
	size_t ncurves;
	margin_account *accounts; /* sorted by account, currency */
	size_t naccounts;
	long positions, skipped;  /* scanned; live futures and options not scanned */
} margin_result;

/* Computes the margin of o into out.  0, or an exit-code class with e
 * filled: QE_DATA at file:line:col for a bad scan range row, a trade the
 * validator rejects, a scanned position without a forward, a vol or a
 * rate, or a scenario that moves a lognormal forward to zero or below. */
int margin_compute(const struct margin_options *o, margin_result *out, qe_err *e);
void margin_free(margin_result *r);

/* account,currency,scan_risk,spread_charge,short_option_min,margin */
void margin_write(FILE *fp, const margin_result *r);
/* account,currency,curve,scenario,price_move,vol_move,cover,loss */
void margin_write_scenarios(FILE *fp, const margin_result *r);

#endif
