/*
 * volhist: the ATM implied volatility history (VOL HISTORY in
 * qe-formats(5): date,curve,contract,vol,vol_type) as volatility risk
 * factors "VOL:CURVE:TENOR" (riskfactor.h names them).
 *
 * A row's contract is a tenor (months after the month of its date) or a
 * contract month YYYY-MM, turned into the tenor of that date
 * (ingest/schema's schema_vol_contract_tenor, the rule qe-ingest checks),
 * so the factors are tenors as the price history's are, and like them
 * become contract factors (riskhist.h, rh_contract_factors) once merged.
 * Each curve has one vol_type (lognormal: Black-76 vols, 0.35 = 35%;
 * normal: price units per sqrt year), the unit in which qe-price's vega of
 * that curve's options is quoted.  Vol factors move by absolute changes
 * (a scenario's dvol = vol(d) - vol(d - h)), so the history is held as a
 * risk_history whose factors are all "abs" and can be merged into the
 * price history (volhist_merge) for the VaR engines, whose P&L is then
 * delta dF + gamma dF^2 / 2 + vega dvol.
 *
 * Owns its arrays (volhist_free).  Never prints.
 */
#ifndef QE_VOLHIST_H
#define QE_VOLHIST_H

#include "core/diag.h"
#include "risk/riskhist.h"

typedef struct vol_history {
	risk_history h;        /* factors VOL:CURVE:TENOR; price[] holds the vols; abs[] all 1 */
	unsigned char *normal; /* [f] 1 = normal vol, 0 = lognormal */
} vol_history;

/* Reads path ("-" = stdin).  A bad field, a non-positive vol, a lognormal
 * vol above 5 (a percentage), a second vol of a factor on one date, or a
 * curve with rows of both vol types is QE_DATA naming file:line:col. */
int volhist_read(vol_history *v, const char *path, qe_err *e);
void volhist_free(vol_history *v);

/* Adds the factors of v to h: the dates become the union of both (a
 * factor has no value - NaN, for the gap policy - on a date only the
 * other has).  When h still has its contracts, each vol of tenor k >= 1
 * quotes the contract k months after its date's month (as HISTORY's
 * tenors do) and a vol of tenor 0 none, so that rh_contract_factors
 * follows a contract's vol across a roll as it does its price.  A factor
 * name in both is QE_DATA. */
int volhist_merge(risk_history *h, const vol_history *v, qe_err *e);

/* Full revaluation's contract vols (qe-var --full with contract
 * returns): the factors of v become contract factors as of asof, as
 * rh_contract_factors makes them of prices (each vol of tenor k >= 1
 * quotes the contract k months after its date's month, tenor 0 none), so
 * VOL:CURVE:T changes by the vol of one contract month from day to day,
 * the month whose price moves CURVE:T.  Before rh_fill_gaps; the vol
 * type of each curve is kept.  rep counts the rolls. */
int volhist_contract_factors(vol_history *v, qe_date asof, rh_roll_report *rep, qe_err *e);

#endif
