#include "exchange/impvol.h"

#include <float.h>
#include <math.h>

#include "price/american.h"
#include "price/black76.h"
#include "price/impliedvol.h"

int impvol_price(int style, int type, double F, double K, double r, double T, double vol,
		 double *price)
{
	const char *why;
	if (style == IMPVOL_AMERICAN)
		return american_price(AMER_BAW, type, F, K, vol, r, 0.0, T, price, &why);
	opt_greeks g;
	int st = black76(type, F, K, vol, r, T, &g, &why);
	*price = g.price;
	return st;
}

int impvol_solve(int style, int type, double F, double K, double r, double T, double price,
		 double *vol, const char **why)
{
	if (!(F > 0) || !(K > 0) || !isfinite(F) || !isfinite(K))
		return *why = "future and strike must be positive", IMPVOL_BOUNDS;
	if (!isfinite(price) || !isfinite(r) || !(T >= 0))
		return *why = "non-finite input", IMPVOL_BOUNDS;
	double D = style == IMPVOL_AMERICAN ? 1.0 : exp(-r * T);
	double w = type == OPT_CALL ? 1.0 : -1.0;
	double lower = D * fmax(w * (F - K), 0.0), upper = D * (type == OPT_CALL ? F : K);
	if (style == IMPVOL_AMERICAN)
		lower = fmax(lower, exp(-r * T) * fmax(w * (F - K), 0.0));
	if (price < lower * (1 - 4 * DBL_EPSILON) || price >= upper)
		return *why = "price outside the no-arbitrage bounds", IMPVOL_BOUNDS;
	if (T == 0 || price <= lower)
		return *why = "no time value", IMPVOL_FLAT;
	/* the inversion is the pricer's own (price/impliedvol): Let's Be
	 * Rational for Black-76, a safeguarded Newton on BAW for American */
	double v;
	const char *ivwhy = NULL;
	int st = style == IMPVOL_AMERICAN ? iv_american(AMER_BAW, type, F, K, r, T, price, &v, &ivwhy)
					  : iv_black76(type, F, K, r, T, price, &v, &ivwhy);
	if (st == OPT_EDOMAIN)
		return *why = ivwhy ? ivwhy : "price outside the no-arbitrage bounds", IMPVOL_BOUNDS;
	if (st)
		return *why = "the vol search did not converge", IMPVOL_NOCONV;
	if (!(v > 0))
		return *why = "no time value", IMPVOL_FLAT;
	/* vega by a central difference: negligible when vega x vol is below
	 * 1e-6 of the price (the price then barely depends on the vol) */
	double h = 1e-4 * v, up, dn;
	if (impvol_price(style, type, F, K, r, T, v + h, &up) ||
	    impvol_price(style, type, F, K, r, T, v - h, &dn))
		return *why = "the model cannot price the option", IMPVOL_NOCONV;
	if ((up - dn) / (2 * h) * v < 1e-6 * price)
		return *why = "negligible vega", IMPVOL_FLAT;
	*vol = v;
	return IMPVOL_OK;
}
