/*
 * backtest: VaR backtesting statistics on a daily series of exceptions -
 * Kupiec's proportion-of-failures test, Christoffersen's independence and
 * conditional-coverage tests, and the Basel traffic-light zone.
 *
 * Definitions (p = 1 - alpha, n days, x exceptions, an exception being a
 * loss greater than VaR, i.e. pnl < -var):
 *   LR_pof = -2 ln[(1-p)^(n-x) p^x] + 2 ln[(1-x/n)^(n-x) (x/n)^x]   chi2(1)
 *   LR_ind from the transition counts n_ij (state i yesterday, j today):
 *          -2 ln[(1-pi)^(n00+n10) pi^(n01+n11)]
 *          + 2 ln[(1-pi0)^n00 pi0^n01 (1-pi1)^n10 pi1^n11]           chi2(1)
 *   LR_cc  = LR_pof + LR_ind                                         chi2(2)
 * with 0 ln 0 = 0.  Zone (Basel Committee 1996, generalised by the same
 * rule to any n and alpha): green while the binomial probability of at
 * most x exceptions is below 95%, red once it reaches 99.99%, yellow in
 * between; for 250 days at 99% that is green 0-4, yellow 5-9, red >= 10.
 * The Basel rule is stated for 250 observations: on fewer, bt_compute()
 * gives no zone (BT_NONE, "n/a"), since a handful of days cannot place a
 * model in a zone.
 *
 * Owns nothing; never prints.  The binomial and chi-square tails come from
 * GSL; this module leaves GSL's error handler as the process has it (the
 * tools turn it off once, in cli_init()).
 */
#ifndef QE_BACKTEST_H
#define QE_BACKTEST_H

#include <stddef.h>

enum bt_zone { BT_GREEN = 0, BT_YELLOW = 1, BT_RED = 2, BT_NONE = 3 };

/* Observations the traffic-light zone needs (Basel Committee 1996). */
#define BT_ZONE_MIN_OBS 250

typedef struct bt_result {
	size_t observations, exceptions;
	size_t n00, n01, n10, n11;
	double expected;          /* n p */
	double kupiec_lr, kupiec_p;
	double ind_lr, ind_p;
	double cc_lr, cc_p;
	int zone;                 /* BT_NONE below BT_ZONE_MIN_OBS observations */
} bt_result;

/* exc[i] is 1 when day i is an exception.  n >= 2. */
void bt_compute(const unsigned char *exc, size_t n, double alpha, bt_result *r);

/* Survival function of the chi-square distribution (1 or 2 degrees of
 * freedom in closed form, others through GSL). */
double bt_chisq_sf(double x, int dof);
/* "green", "yellow", "red", or "n/a" for BT_NONE. */
const char *bt_zone_name(int zone);
/* The zone of x exceptions in n days by the binomial rule, whatever n. */
int bt_zone_of(size_t n, size_t x, double alpha);

#include "core/date.h"
#include "core/diag.h"

/* A daily VaR series read from CSV date,var,pnl (qe-formats(5), VAR
 * SERIES); dates strictly increasing. */
typedef struct bt_series {
	size_t n;
	qe_date *date;
	double *var, *pnl;
} bt_series;

int bt_read_series(bt_series *s, const char *path, qe_err *e);
void bt_series_free(bt_series *s);

#endif
