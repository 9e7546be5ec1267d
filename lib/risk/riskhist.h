/*
 * riskhist: price histories of risk factors (curve x tenor) and the
 * scenario returns built from them.
 *
 * A risk factor is named "CURVE:TENOR" (see HISTORY in qe-formats(5)).
 * As read, TENOR is the history's tenor: k >= 1 the contract delivering k
 * months after the quote's month, 0 the curve's index; each quote keeps
 * its contract month (the contract column, or derived from the tenor and
 * the product's roll rule, rh_derive_contracts).  rh_contract_factors
 * turns these constant-maturity series into contract factors: CURVE:T is
 * the contract delivering T months after the as-of month, and its returns
 * compare that slot's contract with itself on consecutive days
 * (roll-adjusted).  The history is a dense date x factor matrix after a
 * gap policy has been applied:
 *   RH_GAP_FFILL  a missing price repeats the previous date's price (a zero
 *                 return); dates before a factor's first price are dropped
 *   RH_GAP_DROP   a date where any factor lacks a price is dropped
 *   RH_GAP_ERROR  any missing price is an error naming the factor and date
 * and every repair is counted in rh_gap_report for the caller to print.
 * Returns are log returns, or absolute differences for curves flagged
 * "abs" (markets.csv column returns), over a horizon of h days:
 * overlapping h-day changes, or 1-day changes scaled by sqrt(h).
 *
 * Owns its arrays and names (rh_free, rs_free).  Never prints.
 */
#ifndef QE_RISKHIST_H
#define QE_RISKHIST_H

#include <stddef.h>

#include "core/date.h"
#include "core/diag.h"
#include "core/strindex.h"
#include "market/curvemaster.h"

enum rh_gap { RH_GAP_FFILL = 0, RH_GAP_DROP, RH_GAP_ERROR };
enum rh_horizon { RH_OVERLAP = 0, RH_SQRT };

typedef struct risk_history {
	size_t nd, nf;
	qe_date *dates;     /* increasing */
	strindex *factors;  /* "CURVE:TENOR" */
	double *price;      /* price[d * nf + f]; NaN = missing until rh_fill_gaps */
	unsigned char *abs; /* per factor: 1 = absolute changes, 0 = log returns */
	/* contract[d * nf + f]: the delivery month (date_month_index) of the
	 * quote, RH_NO_CONTRACT for an index quote or a missing price; NULL
	 * once rh_contract_factors, rh_restrict or rh_fill_gaps ran */
	long *contract;
	int contract_column; /* the file had a contract column */
} risk_history;

#define RH_NO_CONTRACT (-1L)

/* How returns are built: of the same contract on consecutive days
 * (roll-adjusted, the default), or of constant-maturity tenors as read. */
enum rh_returns_mode { RH_RET_CONTRACT = 0, RH_RET_CONSTANT };
int rh_returns_parse(const char *s); /* "contract", "constant-maturity"; -1 else */

typedef struct rh_roll_report {
	size_t rolls;    /* returns that followed a contract to another tenor */
	size_t fallback; /* returns left constant-maturity: the contract had no quote the day before or after */
	char first[160]; /* "FACTOR on DATE" of the first fallback */
} rh_roll_report;

typedef struct rh_gap_report {
	size_t filled, dropped;
	char first[160]; /* "FACTOR on DATE" of the first gap, "" if none */
} rh_gap_report;

int rh_gap_parse(const char *s);         /* -1 when unknown */
int rh_read(risk_history *h, const char *path, qe_err *e);
void rh_free(risk_history *h);

/* For a history without a contract column (the 4-column layout): the
 * contract of each quote from its tenor - k >= 1 the month k months after
 * the quote's month; 0 the front month by the product's roll rule
 * (curvemaster_front_month) for a curve whose index is its front-month
 * future, else none (a spot or day-ahead index).  cm NULL, or a curve
 * missing from it, without a calendar in it or with one that does not
 * cover every date of the history: tenor 0 quotes no contract.  A history with the column
 * is left as read. */
int rh_derive_contracts(risk_history *h, const curvemaster *cm, qe_err *e);

/* After rh_set_returns and before rh_restrict: replaces the factors by
 * contract factors as of asof.  Per curve, on the last date (<= asof) it
 * has prices, tenor 0 (the index) becomes CURVE:0 and tenor k >= 1 with
 * contract M becomes CURVE:T, T = months from the as-of month to M
 * (T >= 1).  Each one's prices are back-adjusted from that date: the
 * change from one priced date to the next is the change of one contract
 * (the slot's contract on the later date, found in whichever tenor quotes
 * it on the earlier date; else the slot's contract of the earlier date
 * found on the later date; else, counted in rep, the slot's own change).
 * A quote without a contract (a spot index) changes as read.  QE_DATA for
 * two tenors quoting one contract on a day, or a non-positive price of a
 * log-return curve in a change. */
int rh_contract_factors(risk_history *h, qe_date asof, rh_roll_report *rep, qe_err *e);

/* Sets the return type of every factor from the curve master's returns
 * column (log|abs); cm NULL leaves the default: log for all.  Curves
 * missing from it keep the default. */
int rh_set_returns(risk_history *h, const curvemaster *cm, qe_err *e);

/* Keeps only the factors with keep[f] set (renumbered in order). */
int rh_restrict(risk_history *h, const unsigned char *keep, qe_err *e);

int rh_fill_gaps(risk_history *h, int policy, rh_gap_report *rep, qe_err *e);

/* Before rh_fill_gaps: the dates are the union of the markets' business
 * days, so a curve lacks prices on the days its own exchange is closed.
 * On such a day (a holiday or weekend of the calendar cm gives the curve,
 * within the years it covers) a missing price repeats the curve's
 * previous date: the closed market contributes no move that day, and its
 * next open day's return compares with its last open day.  Not a gap:
 * the gap policy sees only prices missing on open days (and closed days
 * before a factor's first price).  A curve without a calendar (or cm
 * NULL) has no closed days here.  Returns how many prices it carried. */
size_t rh_carry_closed(risk_history *h, const curvemaster *cm);

/* Forgets the dates after asof (a run as of an earlier day); returns how
 * many. */
size_t rh_cut_after(risk_history *h, qe_date asof);

/* Before rh_fill_gaps: every factor must have a price on the last day on
 * or before asof that its curve's exchange was open - by the calendar the
 * curve master cm gives the curve (after curvemaster_load_calendars), or
 * WEEKENDS (Monday to Friday) for a curve without one (or cm NULL).  A history cut
 * short or gone stale lacks some: QE_DATA "file: as of DATE, N factors of
 * M curves lack a price ...", naming each curve with its missing tenors
 * ("*" for all), its calendar, that day and its last price. */
int rh_check_asof(const risk_history *h, const char *file, qe_date asof, const curvemaster *cm,
		  qe_err *e);

/* Latest price of each factor (after gap filling). */
const double *rh_latest(const risk_history *h);

typedef struct risk_scenarios {
	size_t ns, nf;
	qe_date *date; /* the date each scenario ends on */
	double *ret;   /* ret[s * nf + f] */
} risk_scenarios;

/* Returns over `horizon` days (overlapping, or 1-day scaled by sqrt
 * (horizon)); the most recent `window` scenarios (0 = all).  A log return
 * of a non-positive price is QE_DATA naming factor and date. */
int rh_returns(const risk_history *h, int horizon, int mode, size_t window, risk_scenarios *s,
	       qe_err *e);
void rs_free(risk_scenarios *s);

/* Price changes of scenario returns applied to today's prices F:
 * F (exp(r) - 1) for log-return factors, r for absolute ones.  out has
 * ns x nf entries. */
void rh_price_changes(const risk_history *h, const risk_scenarios *s, double *out);

/* Scale from return to price-change units for the covariance: F for log
 * factors, 1 for absolute ones. */
void rh_change_scale(const risk_history *h, double *scale);

#endif
