/*
 * synth_impl: the market of the generator (synth_market.c) as the other
 * synth files see it - the curve table, the in-memory market, stream
 * names, small date and rounding helpers and the market's writers.  The
 * lowest synth header: everything declared here is defined in
 * synth_market.c, which calls no other synth file, so the book
 * (synth_book.h) and the sites (synth_site.h) depend on the market and
 * never the reverse.  Private to lib/synth; tools include synth.h only.
 *
 * Owns nothing itself; the synth object (synth_market.c) owns the arrays.
 * Never prints.
 */
#ifndef QE_SYNTH_IMPL_H
#define QE_SYNTH_IMPL_H

#include <stdint.h>
#include <stdio.h>

#include "time/calendar.h"
#include "io/csvio.h"
#include "core/rng.h"
#include "synth/synth.h"

/* History tenors 0..max(months, SYNTH_MIN_TENOR): as far as the book trades. */
enum { SYNTH_MIN_TENOR = 12 };
/* Curves in synth_curves (the correlation matrix is this square). */
enum { SYNTH_NCURVES = 11 };

typedef struct synth_curve {
	const char *curve, *commodity, *venue, *unit, *currency, *timezone;
	const char *calendar, *shape, *model;
	double lot_size;
	int abs_returns;        /* 1: absolute returns (power) */
	double level;           /* average price */
	double season[12];      /* multiplicative seasonality by calendar month */
	double carry;           /* per year of delivery distance */
	double vol_front, vol_long; /* lognormal forward vols, annual */
	double spot_sd, spot_phi;   /* daily spot deviation (log, or x level) */
	double spike_prob, spike_lo, spike_hi; /* spike probability and size */
	double neg_prob;        /* negative-price days (power, Apr-Sep x2) */
	double tick;            /* price rounding */
	double strike_step;     /* option strike grid */
	const char *expiry_product; /* contract_expiry() product, or NULL */
} synth_curve;

extern const synth_curve synth_curves[];
extern const int synth_ncurves;
int synth_curve_index(const char *name);

struct synth {
	synth_cfg cfg;
	qe_calendar *cal[16];
	qe_date month0;   /* first day of the as-of month */
	int nmonths;      /* cfg.months */
	double *fwd;      /* [curve][0..nmonths]: 0 = as-of month (balance) */
	/* history, built on first use */
	int hist_ready;
	int ndays;
	qe_date *days;    /* weekdays, ending at the as-of date */
	double *hist;     /* [day][curve][tenor] */
	int ntenors;      /* tenors 0 .. ntenors-1 */
	signed char *front; /* [day][curve]: the tenor tenor 0 quotes (its front
			     * month), 0 for a spot index */
};

/* Stream ids: a kind tag in the top 16 bits, an index below. */
enum {
	STREAM_FWD = 1,
	STREAM_HISTORY,
	STREAM_SPOT,
	STREAM_TRADES,
	STREAM_CPTY,
	STREAM_RATES,
	STREAM_METERS,
	STREAM_WEATHER,
	STREAM_FX,
	STREAM_VOLHIST,
	STREAM_TERMS,
	STREAM_NEWS,
	STREAM_LOAD,
	STREAM_EXEC, /* execution times of trades (drawn apart: the book keeps its draws) */
	STREAM_PREV  /* which trade versions were done on the as-of date */
};
static inline uint64_t synth_stream(int tag, uint64_t index)
{
	return ((uint64_t)tag << 48) ^ index;
}

double synth_round(double x, double step);
/* Forward of curve c for month m after the as-of month (0 = as-of month). */
double synth_fwd(const synth *s, int c, int m);
/* ATM lognormal vol of curve c for an option expiring t years ahead on
 * delivery month m (calendar month 1..12 for the winter premium). */
double synth_atm_vol(int c, double t, int calmonth);
/* Smile: vol at strike k for forward f given the ATM vol. */
double synth_smile_vol(int c, double atm, double f, double k);
/* Option expiry for delivery month starting at first (business day of the
 * curve's calendar). */
qe_date synth_option_expiry(const synth *s, int c, qe_date first);
/* Last day of the month of d. */
qe_date synth_month_end(qe_date d);
/* The curve's exchange codes {curve, futures_codes, option_codes} as the
 * markets file has them, or NULL (synth_market.c). */
const char *const *synth_codes_of(const char *curve);
qe_date synth_add_months(qe_date d, int months);

int synth_build_history(synth *s, qe_err *e);
/* The built history's price of curve c at tenor on day (index in days). */
double synth_hist_price(const synth *s, int day, int c, int tenor);

int synth_write_markets(synth *s, FILE *fp, qe_err *e);
int synth_write_prices(synth *s, FILE *fp, qe_err *e);
int synth_write_vols(synth *s, FILE *fp, qe_err *e);
int synth_write_rates(synth *s, FILE *fp, qe_err *e);
int synth_write_history(synth *s, FILE *fp, qe_err *e);
int synth_write_fixings(synth *s, FILE *fp, qe_err *e);
int synth_write_vol_history(synth *s, FILE *fp, qe_err *e);
/* The previous as-of date's market (synth.h SYNTH_PREV_*). */
int synth_write_prev_prices(synth *s, FILE *fp, qe_err *e);
int synth_write_prev_vols(synth *s, FILE *fp, qe_err *e);
int synth_write_prev_rates(synth *s, FILE *fp, qe_err *e);
int synth_write_prev_fixings(synth *s, FILE *fp, qe_err *e);
int synth_write_prev_fx(synth *s, FILE *fp, qe_err *e);
int synth_write_fx_history(synth *s, FILE *fp, qe_err *e);

#endif
