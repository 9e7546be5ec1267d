/*
 * synth: a deterministic synthetic energy market and trading book, written
 * in the contract formats of qe-formats(5).
 *
 * One seed names the whole data set.  Every file kind draws from its own
 * random streams (lib/rng.h, named by kind, curve, trade number ...), so a
 * kind written alone (--only) is byte-identical to the same kind written
 * with all the others, and a block of trades is the same whichever thread
 * made it.  The market is built once in memory (a dozen curves x a few
 * years: small); trades are streamed in blocks, so memory stays flat
 * whatever --trades is.
 *
 * The model, in brief (qe-synth(1) has the numbers):
 *   forward(curve, month) = level x seasonality(month) x carry, times
 *     exp(Y) for log-return curves or plus Y for absolute-return curves
 *     (power), where Y is a mean-reverting random walk per delivery month
 *     driven by daily shocks correlated across curves (a fixed correlation
 *     matrix through a Cholesky factor) and tenors (one common factor per
 *     curve), with Student-t day weights for fat tails.  The walk is run
 *     backwards from the as-of date, so the history ends exactly on the
 *     as-of forward curve.
 *   spot (tenor 0) = front forward plus a fast mean-reverting deviation
 *     with spikes; power also has negative-price days.
 *   ATM vol history (curve x tenor) = the term structure of the ATM vol
 *     times exp(X), X mean-reverting in log-vol (half-life 20 days),
 *     shocks common to a curve's tenors, jumping up on the days the price
 *     of that tenor moves more than 2.5 daily standard deviations.
 *   headlines: on each day a curve's index (tenor 0) moves more than
 *     4 robust daily standard deviations, a headline that
 *     explains the move (outages, sanctions, cold up; mild weather,
 *     oversupply down), plus neutral and weakly opinionated noise.
 *
 * Owns: the synth object and everything in it (synth_free).  Never prints,
 * never exits; errors come back in qe_err.
 */
#ifndef QE_SYNTH_H
#define QE_SYNTH_H

#include <stdint.h>
#include <stdio.h>

#include "core/date.h"
#include "core/diag.h"

enum synth_kind {
	SYNTH_MARKETS,
	SYNTH_PRICES,   /* curves.csv */
	SYNTH_VOLS,
	SYNTH_RATES,
	SYNTH_HISTORY,
	SYNTH_FIXINGS,
	SYNTH_TRADES,
	SYNTH_COUNTERPARTIES,
	SYNTH_LIMITS,
	SYNTH_METERS,
	SYNTH_WEATHER,
	SYNTH_FX_HISTORY, /* fx_history.csv: EUR per USD on the history's dates */
	SYNTH_VOL_HISTORY, /* vol_history.csv */
	SYNTH_ISLAMIC_TERMS, /* islamic_terms.csv: contract terms of book ISLAMIC's trades */
	SYNTH_HEADLINES,   /* headlines.csv: news tied to the history's spikes */
	SYNTH_LOAD,     /* load.csv: three years of hourly load by zone */
	/* The previous as-of date (the history's day before the last), in
	 * prev/ of a directory: its curves (the history's previous row), vols
	 * (the same smile on that day's forwards), rates, fixings up to that
	 * day, FX RATES (the fx history's rate) and the book as it stood:
	 * without the trades dated the as-of date, and without the last
	 * version of the trades amended or cancelled that day (about one in
	 * four of those with a later version, drawn per trade). */
	SYNTH_PREV_PRICES,
	SYNTH_NBASE = SYNTH_PREV_PRICES, /* kinds written by -d without --prev */
	SYNTH_PREV_VOLS,
	SYNTH_PREV_RATES,
	SYNTH_PREV_FIXINGS,
	SYNTH_PREV_FX,
	SYNTH_PREV_TRADES,
	SYNTH_NKINDS
};

typedef struct synth_cfg {
	uint64_t seed;
	int64_t trades;        /* trade ids (each may have amend/cancel versions) */
	qe_date asof;
	int months;            /* monthly forward points after the as-of month */
	int history_days;      /* weekdays of history ending on the as-of date */
	const char *calendar_dir; /* holiday files (NULL: built-in calendars only) */
} synth_cfg;

/* Defaults: seed 1, 1000 trades, as-of 2026-11-25, 36 months, 750 days. */
void synth_cfg_default(synth_cfg *cfg);

/* Kind name as on the command line ("markets", "prices", "trades" ...),
 * the file it is written to in a directory ("curves.csv" for prices,
 * "prev/curves.csv" for prev-prices), and
 * the reverse lookup ("curves" is accepted for prices); -1 if unknown. */
const char *synth_kind_name(int kind);
const char *synth_kind_file(int kind);
int synth_kind_parse(const char *name);

typedef struct synth synth;

/* Builds the market (curves, calendars, history).  QE_USAGE for a bad
 * configuration, QE_DATA/QE_IO when a calendar cannot be loaded. */
synth *synth_new(const synth_cfg *cfg, qe_err *e);
void synth_free(synth *s);

/* Writes one kind as CSV with its header to fp.  Write errors are left
 * sticky in fp (the caller's out_commit reports them); the return value is
 * 0 or an error code with e filled. */
int synth_write(synth *s, int kind, FILE *fp, qe_err *e);

/* The market as an exchange's end-of-day settlement file (synth_exchange.c):
 * venue "cme" (CME Group's 29-column CSV) or "ice" (ICE's pipe report),
 * for every curve the markets file gives a code of that venue: the
 * futures of each month whose options have not expired, and for each
 * option code a call and a put at `strikes` strikes around the forward,
 * priced at the smile of the vols file (Black-76 or Barone-Adesi-Whaley
 * by the code's exercise style, rate 0).  QE_USAGE for another venue. */
int synth_write_exchange(synth *s, const char *venue, int strikes, FILE *fp, qe_err *e);

#endif
