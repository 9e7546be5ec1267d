/*
 * exposure: the risk-factor sensitivities of portfolios, read from the
 * sensitivities file of qe-price (trade_id,book,curve,delivery_start,
 * delivery_end,tenor,delta,gamma,vega,theta,curve2,tenor2) and summed per
 * group; a row with curve2 is a cross-gamma of two factors (expo_cross).
 *
 * A row's risk factor is "CURVE:TENOR"; a tenor beyond the longest the
 * history carries for the curve is mapped to that longest one and
 * counted.  Rows
 * are grouped by the value of one column (book by default; any column of
 * the file, e.g. trader or desk, or, when the file lacks it, a column of
 * the curve master such as commodity or venue, looked up by curve) into
 * portfolios; the total holds everything (per currency).  The total is
 * its own slot, told by its index (expo_is_total), never a group looked
 * up by name, so no group value can add into it; its name in outputs,
 * EXPO_TOTAL, is reserved (expo_read refuses a group value that would be
 * read as it).  delta and gamma are per unit of the factor's price; vega
 * counts only when the factors include vol factors VOL:CURVE:TENOR (a
 * volatility history, volhist.h): then a row's vega is the delta of the
 * vol factor of its curve and tenor (a tenor beyond the vol history's longest goes to it), whose move is
 * an absolute vol change; without them vega is not used.
 *
 * Owns its matrices and names (expo_free).  Never prints.
 */
#ifndef QE_EXPOSURE_H
#define QE_EXPOSURE_H

#include <stddef.h>
#include <stdio.h>

#include "core/diag.h"
#include "core/strindex.h"
#include "market/curvemaster.h"

/* The name of the total in every output ("total", or "total/CCY" when the
 * book has several currencies).  A group value equal to it, or starting
 * with it and '/', would read as the total there and is refused. */
#define EXPO_TOTAL "total"

/* Currencies: with a curve master that has a `currency` column, each row
 * is in its curve's currency.  P&L is never added across currencies:
 * without FX rates a portfolio (and "total") is kept per currency, i.e.
 * one portfolio per (group, currency); with FX rates (fx: currency ->
 * units of the base currency per unit) deltas and gammas are converted to
 * the base currency before they are summed. */
typedef struct expo_fx {
	const char *path; /* CSV currency,rate, or NULL for no conversion */
	const char *base; /* base currency (needed with path) */
	/* The sensitivity mode's FX risk (fxhist.h): the FX history whose
	 * factors FX:CCY var_inputs_load() adds, and the valuations of
	 * qe-price (trade_id,book,curve,...,npv) whose npv, in base units,
	 * expo_read() puts as a delta on FX:CCY of the curve's currency
	 * (fxh_sens_finish() makes it a delta per unit of the factor).  Both
	 * NULL otherwise; valuations needs path and FX factors. */
	const char *history;
	const char *valuations;
} expo_fx;

typedef struct exposure {
	size_t npf, nf;
	/* portfolios 0 .. ntotal-1 are the totals, one per currency in the
	 * order of currencies; then one per (group, currency) pair in order
	 * of first use */
	size_t ntotal;
	char **name;           /* [p] EXPO_TOTAL for a total, else the group (book, ...) */
	char **label;          /* [p] name, or "name/CCY" when the name has several currencies */
	char **ccy;            /* [p] currency ("" when unknown) */
	long *fccy;            /* [f] index into currencies of the factor's currency, -1 unknown */
	strindex *currencies;
	double *delta, *gamma; /* [p * nf + f] */
	size_t rows, capped;   /* rows read; rows beyond their curve's longest tenor, mapped to it */
	int has_gamma;
	/* cross-gammas (rows naming curve2, tenor2): the P&L of price changes
	 * dF adds g dF_f1 dF_f2 for each (f1 may equal f2 when both legs map
	 * to one factor) */
	struct expo_cross {
		size_t p, f1, f2;
		double g;
	} *cross;
	size_t ncross;
	double *theta;         /* [p] value change for one calendar day (column theta) */
	double theta_days;     /* days of theta the scenario P&L adds (var_pnl); 0 by default */
} exposure;

/* Reads path against the factor names of a history.  by = NULL groups
 * nothing (only the totals); cm (may be NULL) is the curve master for
 * grouping columns the file lacks and for the currencies.  A factor
 * without history is QE_DATA naming the file, line and factor; so is a
 * currency missing from fx->path, and a group value reserved for the
 * total (EXPO_TOTAL, EXPO_TOTAL "/..."), named by file:line:column. */
int expo_read(exposure *x, const char *path, const char *by, const curvemaster *cm,
	      const expo_fx *fx, const strindex *factors, qe_err *e);
/* The same from an open stream read from its current position (not
 * closed), named name in the messages: the sensitivities a caller had
 * the pricer write in-process (qe-var pla with the pricer's inputs). */
int expo_read_stream(exposure *x, FILE *fp, const char *name, const char *by, const curvemaster *cm,
		     const expo_fx *fx, const strindex *factors, qe_err *e);

/* The portfolios of currency ccy (its total first, the only one of sub)
 * and their factors of that currency, as a new exposure (for the
 * decomposition of one currency's total). */
int expo_subset(const exposure *x, const char *ccy, exposure *sub, qe_err *e);
void expo_free(exposure *x);

/* The portfolios of n items (the trades of a full revaluation) as
 * expo_read() makes them of rows: item i in currency ccy[i] and group
 * group[i] (group NULL, or an entry NULL: only the totals).  pf[2 i] is
 * the index of item i's total, pf[2 i + 1] of its group's portfolio or
 * -1.  The exposure has no factors (nf 0).  A group reserved for the
 * total, or two groups one label, is QE_DATA naming item[i]. */
int expo_groups(exposure *x, size_t n, const char *const *group, const char *const *ccy,
		const char *const *item, long *pf, qe_err *e);

/* 1 when portfolio p is a total (of one currency), 0 when it is a group. */
static inline int expo_is_total(const exposure *x, size_t p)
{
	return p < x->ntotal;
}

/* Marks in used[] (nf entries, zeroed by the caller) the factors with a
 * non-zero delta or gamma in any portfolio. */
void expo_used(const exposure *x, unsigned char *used);
/* Keeps the factors with keep[f] set, in order (as rh_restrict does). */
void expo_restrict(exposure *x, const unsigned char *keep);

#endif
