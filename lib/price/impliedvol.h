/*
 * impliedvol: implied volatilities of options on futures from their
 * discounted premium - Black-76 (lognormal), Bachelier (normal) and
 * American (Barone-Adesi-Whaley or Bjerksund-Stensland, carry b = 0).
 *
 * Black-76 follows Peter Jaeckel's "Let's Be Rational" (2015): the price
 * is normalised to beta = premium / (D sqrt(F K)) at log-moneyness
 * x = ln(F/K), reduced to an out-of-the-money call, given an initial
 * guess by rational cubic interpolation in one of four regions of beta,
 * and refined by Householder steps of order 3 on the objective function
 * of its region (two from the guess, the first on a price good to about
 * 1e-10; more, up to eight, only in the far corners, until a correction
 * is below 2^-20 of s); the normalised price is evaluated without
 * cancellation (long double where double would lose digits, the
 * asymptotic series of the Mills ratio in the far tail, its Taylor
 * series for tiny total vol).  Bachelier is inverted on the normalised
 * time value psi(z) = n(z) + z N(z): ln psi(z) - ln(-z) = ln(v/|F-K|) is
 * solved by Halley steps kept inside a bracket, to rounding.  American
 * premia are inverted by a safeguarded Newton/bisection solver (bracket
 * kept, a step leaving it bisects) on american_price().
 *
 * Conventions as black76.h: F forward, K strike, r continuously
 * compounded, T years, premium discounted with D = exp(-r T); the vol
 * returned is annualised (lognormal: 0.35 = 35%; normal: price units per
 * sqrt(year)).  The premium must lie within the no-arbitrage bounds:
 * D max(w(F-K),0) <= premium < D F (call) or D K (put) for Black-76; any
 * premium >= the discounted intrinsic value for Bachelier; for American
 * max(w(F-K),0) <= premium < F (call) or K (put), the undiscounted
 * intrinsic being the early-exercise floor.  A premium equal to the
 * intrinsic value gives vol 0.
 *
 * Owns nothing; never prints; pure functions, safe from any thread.
 * Returns OPT_OK, OPT_EDOMAIN with *why set (bad input, premium outside
 * the bounds, T = 0 with time value) or OPT_ENUMERIC (the solver did not
 * converge; American only).
 */
#ifndef QE_IMPLIEDVOL_H
#define QE_IMPLIEDVOL_H

#include "price/black76.h"

/* Black-76 implied vol of a discounted premium. */
int iv_black76(int type, double F, double K, double r, double T, double premium, double *vol,
	       const char **why);

/* Bachelier implied (normal) vol of a discounted premium; F and K any sign. */
int iv_bachelier(int type, double F, double K, double r, double T, double premium, double *vol,
		 const char **why);

/* American option on a future (carry b = 0) priced with method (enum
 * amer_method of american.h): the vol at which american_price() gives
 * premium, the bracket closed to rounding. */
int iv_american(int method, int type, double F, double K, double r, double T, double premium,
		double *vol, const char **why);

/* The normalised Black function b(x, s, theta) = theta (e^{x/2}
 * N(theta(x/s + s/2)) - e^{-x/2} N(theta(x/s - s/2))), s = vol sqrt(T),
 * to full relative precision, and its inverse: the s >= 0 with
 * b(x, s, theta) = beta (-1 when beta is outside [intrinsic, e^{theta x/2})). */
double iv_normalised_black(double x, double s, int theta);
double iv_normalised_implied(double beta, double x, int theta);
/* The same, reporting in *steps the Householder steps it took (0 when no
 * iteration ran): two wherever the initial guess is in its region's
 * range, a few more only in the far corners. */
double iv_normalised_implied_steps(double beta, double x, int theta, int *steps);

#endif
