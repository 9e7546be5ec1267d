#include "price/kirk.h"

#include <math.h>

int kirk_price(int type, double F1, double F2, double K, double vol1, double vol2,
	       double corr, double ratio, double r, double T, double *price, const char **why)
{
	opt_greeks g;
	if (!isfinite(F1) || !isfinite(F2) || !isfinite(K) || !isfinite(vol1) ||
	    !isfinite(vol2) || !isfinite(corr) || !isfinite(ratio) || !isfinite(r) ||
	    !isfinite(T))
		return *why = "non-finite input", OPT_EDOMAIN;
	if (vol1 < 0 || vol2 < 0)
		return *why = "negative volatility", OPT_EDOMAIN;
	if (corr < -1 || corr > 1)
		return *why = "correlation outside [-1, 1]", OPT_EDOMAIN;
	if (F1 <= 0 || F2 <= 0)
		return *why = "Kirk needs positive forwards", OPT_EDOMAIN;
	double f2 = ratio * F2, G = f2 + K;
	if (G <= 0)
		return *why = "Kirk needs ratio * forward2 + strike > 0", OPT_EDOMAIN;
	double b = f2 / G;
	double var = vol1 * vol1 + vol2 * b * vol2 * b - 2.0 * corr * vol1 * vol2 * b;
	double sigma = sqrt(var > 0 ? var : 0);
	/* Black-76 on F1/G with strike 1, scaled by G: the same arrangement
	 * as the textbook and QuantLib's KirkEngine. */
	int st = black76(type, F1 / G, 1.0, sigma, r, T, &g, why);
	if (st)
		return st;
	*price = G * g.price;
	return OPT_OK;
}

int kirk_greeks_fd(int type, double F1, double F2, double K, double vol1, double vol2,
		   double corr, double ratio, double r, double T, kirk_greeks *g,
		   const char **why)
{
	double p0, up, dn, h;
	int st = kirk_price(type, F1, F2, K, vol1, vol2, corr, ratio, r, T, &p0, why);
	if (st)
		return st;
	g->price = p0;
#define KP(f1, f2, v1, v2, t, out) kirk_price(type, f1, f2, K, v1, v2, corr, ratio, r, t, out, why)
	h = 1e-4 * F1;
	if ((st = KP(F1 + h, F2, vol1, vol2, T, &up)) || (st = KP(F1 - h, F2, vol1, vol2, T, &dn)))
		return st;
	g->delta1 = (up - dn) / (2 * h);
	g->gamma1 = (up - 2 * p0 + dn) / (h * h);
	h = 1e-4 * F2;
	if ((st = KP(F1, F2 + h, vol1, vol2, T, &up)) || (st = KP(F1, F2 - h, vol1, vol2, T, &dn)))
		return st;
	g->delta2 = (up - dn) / (2 * h);
	g->gamma2 = (up - 2 * p0 + dn) / (h * h);
	{
		double h1 = 1e-4 * F1, h2 = 1e-4 * F2, pp, pm, mp, mm;
		if ((st = KP(F1 + h1, F2 + h2, vol1, vol2, T, &pp)) ||
		    (st = KP(F1 + h1, F2 - h2, vol1, vol2, T, &pm)) ||
		    (st = KP(F1 - h1, F2 + h2, vol1, vol2, T, &mp)) ||
		    (st = KP(F1 - h1, F2 - h2, vol1, vol2, T, &mm)))
			return st;
		g->gamma12 = (pp - pm - mp + mm) / (4 * h1 * h2);
	}
	h = 1e-4;
	if ((st = KP(F1, F2, vol1 + h, vol2, T, &up)) ||
	    (st = KP(F1, F2, vol1 > h ? vol1 - h : 0, vol2, T, &dn)))
		return st;
	g->vega1 = (up - dn) / (vol1 + h - (vol1 > h ? vol1 - h : 0));
	if ((st = KP(F1, F2, vol1, vol2 + h, T, &up)) ||
	    (st = KP(F1, F2, vol1, vol2 > h ? vol2 - h : 0, T, &dn)))
		return st;
	g->vega2 = (up - dn) / (vol2 + h - (vol2 > h ? vol2 - h : 0));
	h = T > 2.0 / 365 ? 1.0 / 365 : T / 2;
	if (h > 0) {
		if ((st = KP(F1, F2, vol1, vol2, T + h, &up)) ||
		    (st = KP(F1, F2, vol1, vol2, T - h, &dn)))
			return st;
		g->theta = -(up - dn) / (2 * h);
	} else {
		g->theta = r * p0;
	}
#undef KP
	return OPT_OK;
}
