/*
 * kirk: European spread options on two futures by Kirk's approximation,
 * payoff max(w (F1 - ratio F2 - K), 0) with w = +1 call, -1 put.  The
 * ratio (heat rate for spark/dark spreads, 1 for a plain or crack spread)
 * scales F2 only; vol2 is unchanged.  With G = ratio F2 + K and
 * b = ratio F2 / G, sigma^2 = vol1^2 - 2 rho vol1 vol2 b + vol2^2 b^2 and
 * the value is Black-76 with forward F1, strike G and that vol.
 *
 * Owns nothing; never prints.  Greeks by central differences
 * (kirk_greeks, bumps documented in qe-price(1)).
 */
#ifndef QE_KIRK_H
#define QE_KIRK_H

#include "price/black76.h"

/* Price; OPT_EDOMAIN with *why when inputs make no sense (F1 <= 0,
 * ratio F2 + K <= 0, vol < 0, |corr| > 1, T < 0). */
int kirk_price(int type, double F1, double F2, double K, double vol1, double vol2,
	       double corr, double ratio, double r, double T, double *price, const char **why);

/* Sensitivities: dV/dF1, dV/dF2, d2V/dF1^2, d2V/dF2^2, dV/dvol1,
 * dV/dvol2, theta = -dV/dT (per year), and the cross-gamma d2V/dF1dF2
 * (the four-point central difference with the bumps of the gammas). */
typedef struct kirk_greeks {
	double price, delta1, delta2, gamma1, gamma2, vega1, vega2, theta, gamma12;
} kirk_greeks;

int kirk_greeks_fd(int type, double F1, double F2, double K, double vol1, double vol2,
		   double corr, double ratio, double r, double T, kirk_greeks *g,
		   const char **why);

#endif
