/*
 * varmeas: Value-at-Risk and expected shortfall of a vector of scenario
 * P&L, with the quantile definition spelled out, and the summation numpy
 * uses so results can be compared to the last bit.
 *
 * Conventions: input is P&L (gains positive); VaR and ES are returned as
 * positive loss amounts (a gain at the quantile gives a negative VaR).
 *
 *  VAR_Q_KTH     VaR is the k-th worst loss, k = ceil(n (1 - alpha)) (an
 *                n (1 - alpha) within 1e-9 of an integer counts as that
 *                integer, so 1000 scenarios at 99% give k = 10, not 11);
 *                ES is the mean of the k worst losses.
 *  VAR_Q_LINEAR  VaR is numpy's default quantile of the losses
 *                (method 'linear': index (n - 1) alpha, linear
 *                interpolation); ES is the mean of the losses >= VaR.
 * ES means sum the tail losses in ascending order with numpy's pairwise
 * summation and divide by the count.
 *
 * Owns nothing beyond its arguments; never prints.
 */
#ifndef QE_VARMEAS_H
#define QE_VARMEAS_H

#include <stddef.h>

#include "core/diag.h"

enum var_quantile { VAR_Q_KTH = 0, VAR_Q_LINEAR = 1 };

/* "kth" or "linear" -> enum var_quantile; -1 when unknown. */
int var_quantile_parse(const char *s);
const char *var_quantile_name(int qdef);

/* k = ceil(n (1 - alpha)) with the integer tolerance above. */
size_t var_tail_count(size_t n, double alpha);
/* n (1 - alpha), snapped to an integer within 1e-9 (250 at 99% is 2.5, not
 * 2.500000000000002): the expected number of losses beyond VaR. */
double var_tail_mass(size_t n, double alpha);
/* Fewest scenarios that leave at least one loss beyond VaR at alpha. */
size_t var_min_scenarios(double alpha);

/* numpy's pairwise summation (add.reduce on a contiguous double array). */
double var_pairwise_sum(const double *x, size_t n);

/* VaR and ES of pnl[0..n).  scratch holds n doubles (the losses end up
 * partly sorted there).  QE_DATA when n is below var_min_scenarios(alpha)
 * or alpha is not in (0, 1). */
int var_measure(const double *pnl, size_t n, double alpha, int qdef, double *scratch,
		double *var, double *es, qe_err *e);

/* Same with scenario weights w (>= 0, any positive total; e.g. BRW age
 * weights): losses sorted from the worst, VaR is the first loss at which
 * the cumulative weight reaches 1 - alpha, ES the weighted mean of the
 * tail beyond it with the boundary scenario counted by the part of its
 * weight needed to make up 1 - alpha.  scratch holds 2n doubles. */
int var_measure_weighted(const double *pnl, const double *w, size_t n, double alpha,
			 double *scratch, double *var, double *es, qe_err *e);

/* Age weights of Boudoukh-Richardson-Whitelaw: scenario i of n (0 the
 * oldest) gets lambda^(n-1-i) (1 - lambda) / (1 - lambda^n). */
void var_brw_weights(double *w, size_t n, double lambda);

#endif
