/*
 * varcalc: the VaR engines - historical simulation (optionally age
 * weighted or volatility filtered), parametric (delta-normal and
 * delta-gamma Cornish-Fisher), Monte Carlo - plus component VaR, the
 * daily VaR-vs-P&L series for backtesting, and scenario P&L for stress.
 *
 * Positions are sensitivities (exposure.h): the P&L of a price change dF
 * is sum_f delta_f dF_f + 1/2 gamma_f dF_f^2 (sensitivity-based
 * revaluation; no full repricing).  Scenario price changes come from
 * returns applied to the latest prices (riskhist.h).  Parametric and Monte
 * Carlo use the covariance of price changes Sigma_P = diag(F) Sigma_r
 * diag(F) (F = 1 for absolute-change factors); Monte Carlo draws price
 * changes L z with L L' = Sigma_P, z standard normal or multivariate
 * Student-t scaled to unit variance, in blocks of VAR_MC_BLOCK paths, block
 * b drawing from Philox stream b of the seed, so results are identical for
 * any number of threads.
 *
 * Threads: the engines parallelise with OpenMP over fixed blocks, so
 * their results do not depend on OMP_NUM_THREADS, and call BLAS, also
 * from inside their parallel regions (var_pnl, var_mc).  The BLAS thread
 * count is process-wide state and therefore the caller's: a program
 * makes BLAS single-threaded once, before any call here (qe-var's main
 * calls openblas_set_num_threads(1)).  Under a threaded BLAS the results
 * may differ in the last bits with its thread count (dgemm and dsyrk
 * split their sums by it) and var_mc oversubscribes the cores.  This
 * module never changes the thread count itself.
 *
 * Owns the arrays of its results (var_result_free).  Never prints.
 */
#ifndef QE_VARCALC_H
#define QE_VARCALC_H

#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "risk/exposure.h"
#include "risk/pnlcube.h"
#include "risk/riskhist.h"

#define VAR_MAX_ALPHA 16
#define VAR_MC_BLOCK 4096

typedef struct var_spec {
	double alpha[VAR_MAX_ALPHA];
	int nalpha, qdef;
	size_t window;       /* most recent scenarios used; 0 = all */
	double brw_lambda;   /* > 0: BRW age weights */
	double fhs_lambda;   /* > 0: Hull-White EWMA volatility scaling */
	int cov_method;      /* enum cov_method */
	double cov_lambda;   /* EWMA lambda */
	const char *cov_file; /* covariance of price changes given by the user, or NULL */
	int repair;          /* clip/floor eigenvalues instead of failing */
	int cornish_fisher;  /* parametric: delta-gamma Cornish-Fisher */
	size_t paths;
	uint64_t seed;
	double df;           /* Monte Carlo Student-t degrees of freedom; 0 = normal */
} var_spec;

typedef struct var_result {
	size_t npf, scenarios;
	int nalpha;
	double *var, *es;    /* [p * nalpha + a] */
	double *sd;          /* parametric: P&L standard deviation per portfolio */
	char note[512];      /* repairs, shrinkage: for the caller to report */
	double t_pnl, t_measure; /* wall seconds: scenario P&L (or paths), VaR/ES */
	double t_scen;           /* hs: wall seconds building the price changes */
} var_result;

void var_result_free(var_result *r);

/* Scenario returns restricted to the window (the last sp->window of all),
 * filtered when sp->fhs_lambda > 0.  Caller frees with rs_free. */
int var_window(const risk_scenarios *all, const var_spec *sp, risk_scenarios *w, qe_err *e);

/* var_hs, var_mc: in an MPI run (core/par.h) every rank computes its
 * share of the scenarios or blocks of paths and only rank 0 gets the
 * results (res, cube); the other ranks' res is left unmeasured. */
int var_hs(const risk_history *h, const risk_scenarios *all, const exposure *x, const var_spec *sp,
	   var_result *res, pnl_cube *cube, qe_err *e);
/* VaR/ES (sp: alpha, quantile, BRW weights) of every portfolio of x from
 * its scenario P&L pnl[p * nsc + s] (full revaluation: fullrev.h); a
 * P&L that is not finite is QE_NUMERIC. */
int var_from_pnl(const exposure *x, const double *pnl, size_t nsc, const var_spec *sp,
		 var_result *res, qe_err *e);
int var_param(const risk_history *h, const risk_scenarios *all, const exposure *x,
	      const var_spec *sp, var_result *res, qe_err *e);
int var_mc(const risk_history *h, const risk_scenarios *all, const exposure *x, const var_spec *sp,
	   var_result *res, pnl_cube *cube, qe_err *e);
/* var_mc's steps, for full revaluation (fullrev.h) to draw the same
 * paths: the covariance of price changes of the h->nf factors into S and
 * its Cholesky factor into L (both nf x nf; a repair or shrinkage said in
 * note, may be NULL); and block b's np paths (np <= VAR_MC_BLOCK) into Zb
 * (np x nf): the normals (t shocks with sp->df) of Philox stream b of
 * sp->seed, times L' when L is not NULL (price changes). */
int var_mc_factor(const risk_history *h, const risk_scenarios *all, const var_spec *sp, double *S,
		  double *L, char *note, size_t notesz, qe_err *e);
void var_mc_draw(const var_spec *sp, const double *L, size_t m, size_t b, size_t np, double *Zb);

/* Covariance of price changes (or of returns when returns is set) of the
 * window - or read from sp->cov_file (price changes) - PSD-checked
 * (repaired when sp->repair).  S has nf x nf entries. */
int var_covariance(const risk_history *h, const risk_scenarios *all, const var_spec *sp, int returns,
		   double *S, char *note, size_t notesz, qe_err *e);

/* Delta-normal decomposition of the total (portfolio 0) over the groups
 * (portfolios 1..): for each group and alpha, marginal VaR (dVaR/ds at
 * s = 1 when the group's positions are scaled by s; by Euler's theorem it
 * equals the component), component VaR (sums to the total's VaR) and
 * incremental VaR (total VaR minus the VaR without the group).  Arrays [(g-1)*nalpha + a]
 * for g = 1..npf-1, allocated here. */
typedef struct var_components {
	size_t ngroups, nfactors;
	int nalpha;
	double *total, *marginal, *component, *incremental;
	/* the same per risk factor f ([f * nalpha + a]): marginal VaR per unit
	 * of delta, z (Sigma d)_f / sigma; component = d_f x marginal;
	 * incremental = VaR minus the VaR without factor f */
	double *fmarginal, *fcomponent, *fincremental;
} var_components;
int var_component(const risk_history *h, const risk_scenarios *all, const exposure *x,
		  const var_spec *sp, var_components *c, qe_err *e);
void var_components_free(var_components *c);

/* Historical-simulation VaR of portfolio pf (first alpha) on each of the
 * last ndays days from the `window` scenarios before it, with the P&L of
 * the same positions on that day: the series qe-var backtest reads. */
int var_series(const risk_history *h, const risk_scenarios *all, const exposure *x,
	       const var_spec *sp, size_t pf, size_t ndays, qe_date *date, double *var, double *pnl,
	       qe_err *e);

/* P&L of every portfolio under given price changes dF (nsc x nf): cube
 * pnl[p * nsc + s]. */
void var_pnl(const exposure *x, const double *dF, size_t nsc, double *pnl);

/* var_pnl of this rank's share of the scenarios (core/par.h; all of
 * them in one process), checked finite (QE_NUMERIC naming the portfolio),
 * then gathered: rank 0's pnl holds the whole cube, entries identical to
 * var_pnl's for any number of ranks. */
int var_pnl_par(const exposure *x, const double *dF, size_t nsc, double *pnl, qe_err *e);

/* QE_NUMERIC naming the first portfolio whose P&L (cube pnl[p * nsc + s])
 * is not finite (an overflow of finite positions, or NaN). */
int var_check_pnl(const exposure *x, const double *pnl, size_t nsc, qe_err *e);



/* Everything a VaR run reads: the history (restricted to the factors the
 * sensitivities use, when given), the exposures, and all scenario returns
 * of the horizon, as of one date: asof when given (later dates of the
 * history are ignored and counted in cut), else the last date of the
 * history.  Every factor must have a price on the last day on or before
 * that date its exchange was open, by the calendars of the curve master
 * read from caldir (rh_check_asof): QE_DATA otherwise.  returns_mode
 * RH_RET_CONTRACT (default) puts the positions on contract factors
 * (rh_contract_factors), RH_RET_CONSTANT on the history's tenors as read.
 * With a volatility history (vol_path not NULL, volhist.h) its factors
 * VOL:CURVE:TENOR join the price factors before that (dates: the union of
 * both files; a vol missing on a date follows the gap policy as a price
 * does; vols follow their contracts as prices do) and the sensitivities'
 * vega is their position.  The gap report, roll report, cut and x.capped
 * are for the caller to print. */
typedef struct var_inputs {
	risk_history h;
	exposure x;
	risk_scenarios all;
	rh_gap_report gaps;
	size_t closed; /* prices carried over days their exchange was closed (rh_carry_closed) */
	rh_roll_report rolls; /* contract returns: how many changes followed a contract */
	int have_x;
	qe_date asof;  /* the as-of date of the run */
	qe_date last;  /* the last date of the history file */
	size_t cut;    /* dates after asof ignored */
} var_inputs;

int var_inputs_load(var_inputs *in, const char *history, const char *vol_path, const char *markets,
		    const char *caldir, const char *sens, const char *by, const expo_fx *fx, const qe_date *asof,
		    int gap_policy, int horizon, int horizon_mode, int returns_mode, qe_err *e);
/* The same with the sensitivities read from an open stream (its current
 * position, not closed), named sens_name in the messages. */
int var_inputs_load_stream(var_inputs *in, const char *history, const char *vol_path, const char *markets,
			   const char *caldir, FILE *sens_fp, const char *sens_name, const char *by,
			   const expo_fx *fx, const qe_date *asof, int gap_policy, int horizon, int horizon_mode,
			   int returns_mode, qe_err *e);
void var_inputs_free(var_inputs *in);

#endif
