/*
 * impvol: the implied volatility of one option-on-futures settlement, by
 * the pricer's inversions (price/impliedvol.h): Black-76 (Let's Be
 * Rational) for European exercise, Barone-Adesi-Whaley (cost of carry
 * b = 0) for American.  This module adds the exchange's view of a
 * settlement: which prices have no vol, and why.
 *
 * A price outside the model's no-arbitrage bounds (below the intrinsic
 * value, at or above the discounted forward for a call or the discounted
 * strike for a put) has no implied vol: IMPVOL_BOUNDS.  A price whose
 * vega is negligible (vega x vol below 1e-6 of the price, issue 21's
 * definition), or an option at expiry, determines no vol either:
 * IMPVOL_FLAT, the caller skips it.
 *
 * Owns nothing; never prints; safe from many threads.
 */
#ifndef QE_IMPVOL_H
#define QE_IMPVOL_H

enum impvol_style { IMPVOL_EUROPEAN = 0, IMPVOL_AMERICAN = 1 };
enum impvol_status { IMPVOL_OK = 0, IMPVOL_BOUNDS = 1, IMPVOL_FLAT = 2, IMPVOL_NOCONV = 3 };

/* type: OPT_CALL or OPT_PUT (price/black76.h); F future, K strike (both
 * > 0), r continuously compounded rate, T years ACT/365F (>= 0), price the
 * premium (discounted for European exercise).  Sets *vol on IMPVOL_OK;
 * *why says why otherwise. */
int impvol_solve(int style, int type, double F, double K, double r, double T, double price,
		 double *vol, const char **why);

/* The model price at vol (the function impvol_solve inverts), for tests. */
int impvol_price(int style, int type, double F, double K, double r, double T, double vol,
		 double *price);

#endif
