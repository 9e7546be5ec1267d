/*
 * asian: arithmetic-average (Asian) options on a future with discrete
 * fixings - Turnbull-Wakeman moment matching (the model used for
 * valuation) and Curran's geometric-conditioning approximation (the
 * cross-check) - including partly fixed averages.
 *
 * n fixings in all; the first m are known and average A; the remaining
 * n - m are at times t[0..n-m) in years from today (ascending, >= 0).
 * Remaining fixings must average K* = (n K - m A)/(n - m); the option is
 * worth (n - m)/n times an option on that average at strike K*; when
 * K* <= 0 the call is certain to pay and is valued as a forward.  The
 * premium is paid at expiry T (discount exp(-r T)).
 *
 * Owns nothing; never prints.
 */
#ifndef QE_ASIAN_H
#define QE_ASIAN_H

#include "price/black76.h"

enum asian_method { ASIAN_TW = 0, ASIAN_CURRAN = 1 };

int asian_price(int method, int type, double F, double K, double vol, double r, double T,
		int n, int m, double past_average, const double *t, double *price,
		const char **why);

/* Equally spaced fixing grid from avg_start to avg_end inclusive (years
 * from today; avg_start < 0 once averaging has begun), the first m of
 * which are past: fills t[0..n-m) with the future times.  Checks that
 * exactly the first m lie at or before today. */
int asian_grid(double avg_start, double avg_end, int n, int m, double *t, const char **why);

/* Price and greeks by central differences: delta/gamma bump F by 1e-4 F,
 * vega bumps vol by 1e-4, theta moves T and every future fixing one day
 * (or half the time left) closer. */
int asian_greeks_fd(int method, int type, double F, double K, double vol, double r,
		    double T, int n, int m, double past_average, const double *t,
		    opt_greeks *g, const char **why);

#endif
