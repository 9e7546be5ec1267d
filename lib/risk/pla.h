/*
 * pla: the P&L attribution test of Basel FRTB (MAR32) - how closely the
 * P&L of a fast model (qe-var's delta-gamma sensitivities) follows the
 * P&L of full revaluation over the same scenarios or days.  Two
 * statistics: Spearman's rank correlation of the pairs (average ranks for
 * ties, as scipy.stats.spearmanr) and the two-sample Kolmogorov-Smirnov
 * statistic of the two distributions (as scipy.stats.ks_2samp's
 * statistic); and the zone they put the model in.  pla_compare_cubes
 * applies them to two P&L cubes (risk/pnlcube.h) portfolio by portfolio,
 * after checking that both hold the same portfolios and scenarios.
 *
 * Owns nothing past a call (its scratch is freed before returning).
 * Never prints.
 */
#ifndef QE_PLA_H
#define QE_PLA_H

#include <stddef.h>

#include "core/diag.h"
#include "risk/backtest.h"
#include "risk/pnlcube.h"

/* MAR32.44: green when Spearman > 0.80 and KS < 0.09; red when
 * Spearman < 0.70 or KS > 0.12; amber otherwise.  PLA_NONE: Spearman is
 * undefined (one of the two P&L vectors is constant). */
enum pla_zone { PLA_GREEN, PLA_AMBER, PLA_RED, PLA_NONE };

#define PLA_SPEARMAN_GREEN 0.80
#define PLA_SPEARMAN_RED 0.70
#define PLA_KS_GREEN 0.09
#define PLA_KS_RED 0.12

/* Ranks of x[0..n) into rank[], 1-based, ties given the mean of the ranks
 * they span.  QE_INTERNAL when out of memory. */
int pla_ranks(const double *x, size_t n, double *rank, qe_err *e);

/* Spearman's rank correlation of the pairs (x[i], y[i]), n >= 2: the
 * Pearson correlation of the average ranks.  QE_DATA for n < 2 or a
 * non-finite value; QE_NUMERIC when x or y is constant (the correlation
 * is undefined; *rho is NaN then). */
int pla_spearman(const double *x, const double *y, size_t n, double *rho, qe_err *e);

/* The two-sample Kolmogorov-Smirnov statistic sup |F_x - F_y| of the
 * empirical distributions of x[0..nx) and y[0..ny) (both >= 1).  QE_DATA
 * for an empty sample or a non-finite value. */
int pla_ks(const double *x, size_t nx, const double *y, size_t ny, double *ks, qe_err *e);

/* The zone of a Spearman correlation (NaN: PLA_NONE) and a KS statistic. */
int pla_zone_of(double spearman, double ks);
/* "green", "amber", "red" or "n/a". */
const char *pla_zone_name(int zone);

/* One portfolio's result. */
typedef struct pla_result {
	size_t scenarios;
	double spearman; /* NaN when undefined (zone PLA_NONE) */
	double ks;
	int zone;
} pla_result;

/* Compares the two cubes portfolio by portfolio, res[p] for full's
 * portfolio p.  Both must name the same portfolios and the same scenarios
 * (in any order) and, when both carry one, the same as-of date: otherwise
 * QE_DATA with a message naming the first difference (which cube lacks
 * what), to be prefixed with the file names by the caller. */
int pla_compare_cubes(const pnl_cube *full, const pnl_cube *sens, pla_result *res, qe_err *e);

/* The daily P&L of a series (qe-formats(5), VAR SERIES) as a cube of one
 * portfolio whose scenarios are the days (YYYY-MM-DD), as of the last
 * day, so that two series compare as two cubes. */
int pla_series_cube(const bt_series *s, const char *portfolio, pnl_cube *c, qe_err *e);

#endif
