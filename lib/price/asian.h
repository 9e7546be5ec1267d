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

/* Turnbull-Wakeman on a strip: the k = n - m remaining fixings each have
 * their own forward F[i] and vol vol[i] (an index rolling through several
 * futures contracts), treated as perfectly correlated:
 *   M1 = mean F[i],  M2 = (1/k^2) sum_i sum_j F[i] F[j] exp(vol[i] vol[j] min(t_i, t_j)),
 * the average lognormal with forward M1 and total variance ln(M2/M1^2),
 * partly fixed averages as in asian_price().  With every F[i] and vol[i]
 * equal it is asian_price(ASIAN_TW, ...). */
int asian_tw_strip(int type, const double *F, const double *vol, double K, double r, double T, int n,
		   int m, double past_average, const double *t, double *price, const char **why);
/* Its price and greeks by central differences, as asian_greeks_fd() with
 * parallel bumps: delta/gamma shift every F[i] by 1e-4 x mean F (per unit
 * of the mean forward), vega every vol[i] by 1e-4. */
int asian_tw_strip_greeks_fd(int type, const double *F, const double *vol, double K, double r, double T,
			     int n, int m, double past_average, const double *t, opt_greeks *g,
			     const char **why);

#endif
