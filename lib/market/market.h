/*
 * market: one day's market data for valuation - forward curves
 * (curves.csv), volatility smiles (vols.csv), zero rates (rates.csv) and
 * daily fixings (fixings.csv) - loaded from CSV and queried by curve, day
 * and strike, with each curve's static data from the curve master
 * (markets.csv, read by curvemaster.h and nowhere else).
 *
 * Owns everything it loads (the curve master and its business-day
 * calendars, curves, quotes, smiles, fixings, the time zones of the
 * curves) until mkt_free().  Never prints.  Queries leave the loaded data
 * as they are and are safe from many threads, but one is not read-only:
 * mkt_shape_hours() fills a memo owned by the market (m->hours) under the
 * OpenMP named critical section "mkt_hours" - a single lock for every
 * market of the process - so the market changes behind its const
 * pointer, and a copy of the struct shares the memo.  mkt_load() also
 * tabulates the front month of every day of a curve whose index is a
 * futures settlement (mkt_front_month), read-only once loaded.
 */
#ifndef QE_MARKET_H
#define QE_MARKET_H

#include "time/calendar.h"
#include "core/date.h"
#include "core/diag.h"
#include "time/tz.h"
#include "market/curvemaster.h"

typedef struct mkt_quote {
	qe_date first, last; /* inclusive delivery period of the quote */
	double price;
} mkt_quote;

typedef struct mkt_volpt {
	qe_date first, last;
	double strike; /* NAN for the at-the-money row */
	double vol;
	int normal;    /* 1: normal (price units), 0: lognormal */
} mkt_volpt;

typedef struct mkt_curve {
	char name[32], commodity[16], unit[8], currency[4], calendar[32], model[16];
	int has_master;     /* listed in markets.csv */
	const curvemaster_curve *master; /* its row of the curve master, or NULL */
	int shape;          /* default delivery shape (enum shape) or -1 */
	double lot_size;
	qe_tz *tz;
	const qe_calendar *cal; /* the curve master's */
	mkt_quote *q;       /* sorted by first */
	int nq;
	mkt_volpt *v;
	int nv;
	qe_date *fix_date;  /* sorted */
	double *fix_price;
	int nfix;
	qe_date asof;       /* the market's, for the time of a vol period */
	/* v indexed by mkt_load (periods by start, strikes ascending): indices
	 * into v, so a copy of the curve with its own v (a scenario with moved
	 * vols) shares it.  Owned by the market; NULL without vols. */
	const struct mkt_volidx *vix;
	/* a curve whose index is a futures settlement: the first day of the
	 * front-month contract of each day front_first + i (i < nfront), -1
	 * where curvemaster_front_month() must be asked; built by mkt_load,
	 * owned by the market, shared by a copy (mkt_front_month) */
	const qe_date *front;
	qe_date front_first;
	long nfront;
} mkt_curve;

typedef struct mkt_rates {
	char currency[4];
	double *t, *rt; /* pillar times (years) and rate x time */
	int n;
} mkt_rates;

typedef struct market {
	qe_date asof;
	mkt_curve *c;
	int nc;
	mkt_rates *r;
	int nr;
	double bump; /* added to every quote price (for reconciliation runs) */
	struct mkt_hcache *hours; /* memo of shape hours, shared by threads */
	curvemaster *master;      /* NULL without a markets file */
} market;

struct mkt_paths {
	const char *markets, *curves, *vols, *rates, *fixings;
	const char *calendars; /* holiday files directory, as the caller chose it
				* (cal_dir_choose); NULL: built-in calendars only */
};

/* Loads the files (NULL vols/rates/fixings: none).  Rows whose asof is not
 * the valuation date are ignored; vol periods of one curve and type that
 * overlap are QE_DATA.  A malformed file is QE_DATA naming
 * file:line:col; every curve of markets.csv gets its zone and calendar. */
market *mkt_load(const struct mkt_paths *p, qe_date asof, qe_err *e);
void mkt_free(market *m);

const mkt_curve *mkt_curve_find(const market *m, const char *name);
/* Index of the quote covering day d, or -1. */
int mkt_quote_at(const mkt_curve *c, qe_date d);
/* Fixing of day d: 0 and *price, or -1 when absent. */
int mkt_fixing(const mkt_curve *c, qe_date d, double *price);
/* Vol for the delivery month containing day d at strike K, from the
 * points of v of that type (lognormal or normal).  Within a quoted period:
 * linear in strike between the quoted strikes, flat beyond them (sticky
 * strike); the ATM row is used only when no strike is quoted, and K = NAN
 * asks for the ATM row itself (sticky, whatever the forward).  A day no
 * period covers: before the first period, the first period's smile (the
 * balance of the current month included); between two periods, linear in
 * total variance sigma^2 t at the same strike, t the act/365 time from the
 * as-of date to each period's delivery start (floored at zero) and to d;
 * after the last period, its smile up to MKT_VOL_EXTRAP_DAYS days after its
 * end, and none further out.  O(log n) on the index of mkt_load.  -1
 * when none. */
#define MKT_VOL_EXTRAP_DAYS 366
int mkt_vol(const mkt_curve *c, qe_date d, double K, int normal, double *vol);
/* The first day of the front-month contract on day d of a curve whose
 * index is a futures settlement, as curvemaster_front_month() gives it,
 * from a table mkt_load() fills for the days from the one after the
 * as-of date to the end of the curve's last quote (a swap or an Asian
 * asks for every pricing day): 1 with *month_first set, 0 when d is not
 * in the table (ask curvemaster_front_month()). */
int mkt_front_month(const mkt_curve *c, qe_date d, qe_date *month_first);
/* Delivery hours of shape over local days [first, last] of curve c (as
 * shape_hours() of lib/period), memoised in m->hours: a book has few
 * distinct periods.  -1 with e filled on error.  Safe from many threads
 * (the memo is read and grown inside critical(mkt_hours)); the memo's
 * memory is the market's until mkt_free(). */
int64_t mkt_shape_hours(const market *m, const mkt_curve *c, int shape, qe_date first,
			qe_date last, qe_err *e);
/* Discount factor to day d in currency ccy: 0, or -1 without rates. */
int mkt_discount(const market *m, const char *ccy, qe_date d, double *df, double *zero);

#endif
