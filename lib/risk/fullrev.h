/*
 * fullrev: full revaluation - the P&L of every trade of a priced book
 * (price/valuation.h) under each scenario of a price history, by
 * repricing it on a moved market (price/valscen.h) through qe-price's
 * pricer, summed into portfolios as exposure.h groups sensitivities
 * (totals per currency, groups by --by, labels, FX to a base currency).
 *
 * A scenario moves each forward quote by the return of its risk factor
 * CURVE:TENOR (riskfactor.h: tenor = whole months from the as-of month
 * to the quote's first delivery month, capped; a quote that starts
 * before the as-of month is tenor 0): F exp(r) for a log-return factor,
 * F + r for an absolute one (the curve master's returns column), the
 * move qe-var's sensitivity mode applies to the history's price.
 * With an FX history (fxhist.h factors FX:CCY in h) the P&L of a trade
 * in a currency other than the base is (V + dV) exp(-x) / rate - V / rate
 * in the base currency, x the log change of the rate (units of CCY per
 * base unit, rate = 1 / fx's today), so FX moves are risk.
 * Quotes of curves or tenors the history lacks stay where they are; a
 * trade with a sensitivity to one is QE_DATA at fullrev_init.  With a
 * volatility history (riskhist.h matrix of factors VOL:CURVE:TENOR,
 * absolute changes) each vol point of the market moves by the change of
 * its factor, matched to the price scenarios by date.  Time does not
 * pass (the scenario market has the base's as-of date) unless
 * fullrev_set_horizon moves it (fullhz.h): the P&L is then the value at
 * the horizon date under the scenario minus the value today.
 *
 * Scenarios are processed one at a time (memory does not grow with
 * their number beyond the P&L cube), trades in parallel; the P&L of a
 * portfolio sums its trades in book order, so the result does not
 * depend on the number of threads.
 *
 * Owns its maps, portfolios and scenario market (fullrev_free); the book
 * and histories stay the caller's and must outlive it.  Never prints.
 */
#ifndef QE_FULLREV_H
#define QE_FULLREV_H

#include <stddef.h>

#include "core/diag.h"
#include "price/valscen.h"
#include "price/valuation.h"
#include "risk/exposure.h"
#include "risk/fullhz.h"
#include "risk/pnlcube.h"
#include "risk/riskhist.h"
#include "risk/varcalc.h"
#include "risk/volhist.h"

typedef struct fullrev {
	const val_book *book;
	const risk_history *h;  /* price factors */
	const vol_history *vh;  /* vol factors (VOL:CURVE:TENOR), or NULL */
	val_scenario *sc;
	exposure x;      /* the portfolios (no factors) */
	long n;          /* trades */
	long *pf;        /* [2 i] trade i's total, [2 i + 1] its group or -1 */
	double *fx;      /* [i] units of the portfolio's currency per unit of the trade's */
	long *xf;        /* [i] the factor FX:CCY of the trade's currency in h, or -1 */
	double *base;    /* [i] value at the base market */
	long **qf;       /* [curve][quote] price factor or -1 */
	long **vf;       /* [curve][vol point] vol factor or -1 */
	double **vk;     /* [curve][vol point] factor change to vol change: 1, or
			  * 1/F (F) for a lognormal (normal) point moved by a
			  * normal (lognormal) factor */
	double *npv;     /* [i] scratch: value on the scenario market */
	fullhz *hz;      /* --horizon: the time move (fullrev_set_horizon), or NULL */
} fullrev;

/* Maps the book's quotes (and vol points, vh not NULL) to the factors of
 * h and puts its trades into portfolios: by NULL (totals only), "book",
 * or a column of the market's curve master; fx as exposure.h.  A trade
 * that failed at the base is QE_DATA naming it (nothing is valued at
 * zero). */
int fullrev_init(fullrev *fr, const val_book *b, const risk_history *h, const vol_history *vh,
		 const char *by, const expo_fx *fx, qe_err *e);
void fullrev_free(fullrev *fr);
/* Moves the scenario valuation date `days` business days forward
 * (fullhz.h); days 0 leaves time where it is.  QE_DATA as fullhz_init. */
int fullrev_set_horizon(fullrev *fr, int days, qe_err *e);

/* P&L of every portfolio under ns scenarios: ret[s * h->nf + f] the
 * return of price factor f (log or absolute per h->abs), vret (NULL: no
 * vol move) vret[s * vh->h.nf + g] the change of vol factor g.
 * pnl[p * ns + s].  A trade that cannot be priced under a scenario is
 * QE_NUMERIC naming it and the scenario (names[s], may be NULL). */
int fullrev_pnl(fullrev *fr, const double *ret, const double *vret, size_t ns, const char *const *names,
		double *pnl, qe_err *e);

/* Historical-simulation P&L cube of full revaluation: the scenarios of
 * in->all restricted to the window of sp (and filtered, sp->fhs_lambda),
 * vol changes of the same dates from vs (NULL: none; a scenario date vs
 * lacks is QE_DATA), as a cube of the portfolios' labels x scenario
 * dates as of in->asof.  The cube is the caller's (pcube_free). */
int fullrev_hs_cube(fullrev *fr, const var_inputs *in, const risk_scenarios *vs, const var_spec *sp,
		    pnl_cube *cube, qe_err *e);

/* Everything in one call (qe-var hs --full, qe-var pla): prices the book
 * of vo, builds the full-revaluation cube over the history of in (loaded
 * without sensitivities) and returns it with its portfolios in pf
 * (expo_free).  vh/vs: vol history and its scenarios, or NULL; hz_days
 * business days of time move (fullrev_set_horizon), 0 none. */
int fullrev_cube(const struct val_options *vo, const var_inputs *in, const vol_history *vh,
		 const risk_scenarios *vs, const char *by, const expo_fx *fx, const var_spec *sp, int hz_days,
		 pnl_cube *cube, exposure *pf, qe_err *e);

/* Monte Carlo of full revaluation (qe-var mc --full): the paths of
 * var_mc (varcalc.h: the same seed, Philox stream per block of
 * VAR_MC_BLOCK paths, normal or Student-t shocks of sp) over the factors
 * of in's history that the book of vo depends on (in->h is restricted to
 * them and in->all recomputed with horizon and horizon_mode, so a book
 * whose positions are those factors draws the same price changes as the
 * sensitivity mode).  Each path's price changes dF become returns,
 * log(1 + dF/F) for log-return factors (F the factor's latest price, as
 * varcalc's covariance scales), dF for absolute ones, so a quote at the
 * history's price moves by exactly dF; a path that takes a log-return
 * factor to a price <= 0 is QE_NUMERIC.  The book is repriced block by
 * block (memory: one block of paths and the cube of portfolios x paths,
 * scenarios named path1..pathN as var_mc's cube); fn (NULL: none) sees
 * each block's returns, np x h->nf, first path q0 (0-based), before it
 * is repriced; hz_days business days of time move (fullrev_set_horizon).
 * Portfolios into pf (expo_free), the number of factors
 * into nfactors, the covariance's notes into note. */
typedef int fullrev_paths_fn(void *ctx, const risk_history *h, size_t q0, size_t np, const double *ret,
			     qe_err *e);
int fullrev_mc_cube(const struct val_options *vo, var_inputs *in, int horizon, int horizon_mode, int hz_days,
		    const char *by, const expo_fx *fx, const var_spec *sp, fullrev_paths_fn *fn, void *ctx,
		    pnl_cube *cube, exposure *pf, size_t *nfactors, char *note, size_t notesz, qe_err *e);

#endif
