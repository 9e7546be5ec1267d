#include "price/black76.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#include "core/normal.h"

int opt_type_parse(const char *s)
{
	return opt_type_parse_n(s, strlen(s));
}

int opt_type_parse_n(const char *s, size_t len)
{
	len = strnlen(s, len);
	if (len == 4 && strncasecmp(s, "call", 4) == 0)
		return OPT_CALL;
	if (len == 3 && strncasecmp(s, "put", 3) == 0)
		return OPT_PUT;
	return 0;
}

static int check_common(int type, double F, double K, double vol, double r, double T,
			const char **why)
{
	if (type != OPT_CALL && type != OPT_PUT)
		return *why = "option type must be call or put", OPT_EDOMAIN;
	if (!isfinite(F) || !isfinite(K) || !isfinite(vol) || !isfinite(r) || !isfinite(T))
		return *why = "non-finite input", OPT_EDOMAIN;
	if (vol < 0)
		return *why = "negative volatility", OPT_EDOMAIN;
	if (T < 0)
		return *why = "negative time to expiry", OPT_EDOMAIN;
	return OPT_OK;
}

/* Expired or zero-vol option: discounted intrinsic value. */
static void intrinsic(int type, double F, double K, double D, double r, opt_greeks *g)
{
	double w = type, payoff = w * (F - K);
	int itm = payoff > 0;
	g->price = itm ? D * payoff : 0.0;
	g->delta = itm ? D * w : 0.0;
	g->gamma = 0.0;
	g->vega = 0.0;
	g->theta = r * g->price;
}

int black76(int type, double F, double K, double vol, double r, double T, opt_greeks *g,
	    const char **why)
{
	int st = check_common(type, F, K, vol, r, T, why);
	if (st)
		return st;
	if (F <= 0)
		return *why = "Black-76 needs a positive forward", OPT_EDOMAIN;
	if (K <= 0)
		return *why = "Black-76 needs a positive strike", OPT_EDOMAIN;
	double D = exp(-r * T), sdev = vol * sqrt(T);
	if (sdev == 0.0) {
		intrinsic(type, F, K, D, r, g);
		return OPT_OK;
	}
	/* Same arrangement as the textbook d1 = (ln(F/K) + s^2/2)/s. */
	double d1 = log(F / K) / sdev + 0.5 * sdev, d2 = d1 - sdev;
	double w = type, nd1 = normal_pdf(d1);
	double Nd1 = normal_cdf(w * d1), Nd2 = normal_cdf(w * d2);
	g->price = D * w * (F * Nd1 - K * Nd2);
	g->delta = D * w * Nd1;
	g->gamma = D * nd1 / (F * sdev);
	g->vega = D * F * nd1 * sqrt(T);
	g->theta = r * g->price - D * F * nd1 * vol / (2.0 * sqrt(T));
	return OPT_OK;
}

int bachelier(int type, double F, double K, double vol, double r, double T, opt_greeks *g,
	      const char **why)
{
	int st = check_common(type, F, K, vol, r, T, why);
	if (st)
		return st;
	double D = exp(-r * T), sdev = vol * sqrt(T);
	if (sdev == 0.0) {
		intrinsic(type, F, K, D, r, g);
		return OPT_OK;
	}
	double w = type, d = w * (F - K) / sdev, nd = normal_pdf(d), Nd = normal_cdf(d);
	g->price = D * (w * (F - K) * Nd + sdev * nd);
	g->delta = D * w * Nd;
	g->gamma = D * nd / sdev;
	g->vega = D * sqrt(T) * nd;
	g->theta = r * g->price - D * vol * nd / (2.0 * sqrt(T));
	return OPT_OK;
}
