/*
 * fxhist: the FX rate history of qe-var --fx-history (qe-formats(5) "FX
 * HISTORY": date,currency,rate = units of the currency per unit of the
 * base currency) as risk factors FX:CCY of a price history.
 *
 * Each currency of the file other than the base becomes a log-return
 * factor "FX:CCY" whose price on each date of the history is that day's
 * rate, so the scenario returns of riskhist.h carry the log change of
 * the rate next to the price factors.  A rate is needed on every date of
 * the history (no fill: an FX market is open every day a commodity
 * exchange is); rates of other dates are ignored.
 *
 * Owns nothing: it grows the caller's history.  Never prints.
 */
#ifndef QE_FXHIST_H
#define QE_FXHIST_H

#include "core/diag.h"
#include "market/curvemaster.h"
#include "risk/exposure.h"
#include "risk/riskhist.h"

/* The factor name prefix of an FX rate. */
#define FXH_PREFIX "FX:"

/* Appends the factors FX:CCY of the FX history at path to h (after
 * rh_fill_gaps; before rh_returns).  base's rows, if any, must have rate
 * 1.  A rate that is not a finite number above 0, a bad date or currency,
 * a repeated date x currency, or a currency lacking a rate on a date of
 * h is QE_DATA at file:line:col (for a missing rate, the currency's next
 * row after the date, or its last row). */
int fxh_append(risk_history *h, const char *path, const char *base, qe_err *e);

/* The sensitivity mode's factors (var_inputs_load with expo_fx.history):
 * as fxh_append, but the price of FX:CCY is 1 / rate, the value in the
 * base currency of one unit of CCY, so that a position of V units of
 * CCY has the linear P&L V dF, dF the change of that price. */
int fxh_append_value(risk_history *h, const char *path, const char *base, qe_err *e);

/* After expo_read() of sensitivities and valuations (expo_fx.valuations)
 * against h's factors, with the factors of fxh_append_value: each delta
 * on FX:CCY, the npv in the base currency at today's rate, becomes a
 * delta per unit of the factor (divided by its price P on h's last date),
 * and for each portfolio and each factor f of a curve in CCY (by cm; a
 * vol factor by its curve) with base delta d_f it adds the cross term
 * d_f / P dF_f dF_FX (an expo_cross): the first-order local P&L moves
 * with the rate as the value does.  x must have h's factors. */
int fxh_sens_finish(exposure *x, const risk_history *h, const curvemaster *cm, qe_err *e);

/* The factor of currency ccy in h, or -1 (no FX history for it). */
long fxh_factor(const risk_history *h, const char *ccy);
/* 1 when h has any FX factor. */
int fxh_present(const risk_history *h);

#endif
