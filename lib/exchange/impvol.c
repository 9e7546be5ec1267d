#include "exchange/impvol.h"

#include <float.h>
#include <math.h>

#include "price/american.h"
#include "price/black76.h"

#define VOL_LO 1e-8
#define VOL_HI 20.0

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

/* Brent-Dekker on f(v) = price(v) - target over [a, b] with f(a) < 0 <
 * f(b): inverse quadratic interpolation or secant steps, bisection when
 * they stray or stall, to a bracket of a few ulps. */
static int brent(int style, int type, double F, double K, double r, double T, double target,
		 double a, double fa, double b, double fb, double *root)
{
	double c = a, fc = fa, d = b - a, e = d;
	for (int it = 0; it < 200; it++) {
		if ((fb > 0) == (fc > 0)) {
			c = a;
			fc = fa;
			d = e = b - a;
		}
		if (fabs(fc) < fabs(fb)) {
			a = b; b = c; c = a;
			fa = fb; fb = fc; fc = fa;
		}
		double tol = 2 * DBL_EPSILON * fabs(b) + 1e-300, m = 0.5 * (c - b);
		if (fabs(m) <= tol || fb == 0) {
			*root = b;
			return IMPVOL_OK;
		}
		if (fabs(e) >= tol && fabs(fa) > fabs(fb)) {
			double s = fb / fa, p, q;
			if (a == c) {
				p = 2 * m * s;
				q = 1 - s;
			} else {
				double qa = fa / fc, rr = fb / fc;
				p = s * (2 * m * qa * (qa - rr) - (b - a) * (rr - 1));
				q = (qa - 1) * (rr - 1) * (s - 1);
			}
			if (p > 0)
				q = -q;
			else
				p = -p;
			if (2 * p < fmin(3 * m * q - fabs(tol * q), fabs(e * q))) {
				e = d;
				d = p / q;
			} else {
				d = m;
				e = m;
			}
		} else {
			d = m;
			e = m;
		}
		a = b;
		fa = fb;
		b += fabs(d) > tol ? d : (m > 0 ? tol : -tol);
		double pb;
		if (impvol_price(style, type, F, K, r, T, b, &pb))
			return IMPVOL_NOCONV;
		fb = pb - target;
	}
	*root = b;
	return IMPVOL_NOCONV;
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
	double flo, fhi;
	if (impvol_price(style, type, F, K, r, T, VOL_LO, &flo) ||
	    impvol_price(style, type, F, K, r, T, VOL_HI, &fhi))
		return *why = "the model cannot price the option", IMPVOL_NOCONV;
	flo -= price;
	fhi -= price;
	if (flo >= 0)
		return *why = "no time value", IMPVOL_FLAT;
	if (fhi <= 0)
		return *why = "price outside the no-arbitrage bounds", IMPVOL_BOUNDS;
	double v;
	if (brent(style, type, F, K, r, T, price, VOL_LO, flo, VOL_HI, fhi, &v))
		return *why = "the vol search did not converge", IMPVOL_NOCONV;
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
