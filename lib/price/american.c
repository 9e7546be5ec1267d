#include "price/american.h"

#include <math.h>
#include <string.h>

#include "core/normal.h"

int amer_method_parse(const char *s)
{
	if (strcmp(s, "bs1993") == 0)
		return AMER_BS1993;
	if (strcmp(s, "bs2002") == 0)
		return AMER_BS2002;
	if (strcmp(s, "baw") == 0)
		return AMER_BAW;
	return 0;
}

const char *amer_method_name(int method)
{
	switch (method) {
	case AMER_BS1993: return "bs1993";
	case AMER_BS2002: return "bs2002";
	case AMER_BAW: return "baw";
	}
	return "?";
}

/* Generalised Black-Scholes (European, cost of carry b). */
static double gbs(int type, double S, double K, double T, double r, double b, double v)
{
	opt_greeks g;
	const char *why;
	if (black76(type, S * exp(b * T), K, v, r, T, &g, &why))
		return NAN;
	return g.price;
}

/* Bjerksund-Stensland phi() with exponents in total (times T) form. */
static double bs_phi(double S, double T, double gamma, double H, double I, double r, double b,
		     double v)
{
	double v2 = v * v, sT = v * sqrt(T);
	double lambda = (-r + gamma * b + 0.5 * gamma * (gamma - 1.0) * v2) * T;
	double d = -(log(S / H) + (b + (gamma - 0.5) * v2) * T) / sT;
	double kappa = 2.0 * b / v2 + (2.0 * gamma - 1.0);
	return exp(lambda) * pow(S, gamma) *
	       (normal_cdf(d) - pow(I / S, kappa) * normal_cdf(d - 2.0 * log(I / S) / sT));
}

static double bs1993_call(double S, double X, double T, double r, double b, double v)
{
	double v2 = v * v;
	double beta = (0.5 - b / v2) + sqrt((b / v2 - 0.5) * (b / v2 - 0.5) + 2.0 * r / v2);
	double Binf = beta / (beta - 1.0) * X;
	double B0 = fmax(X, r / (r - b) * X);
	double ht = -(b * T + 2.0 * v * sqrt(T)) * B0 / (Binf - B0);
	double I = B0 + (Binf - B0) * (1.0 - exp(ht));
	if (S >= I)
		return S - X;
	double alpha = (I - X) * pow(I, -beta);
	return alpha * pow(S, beta) - alpha * bs_phi(S, T, beta, I, I, r, b, v) +
	       bs_phi(S, T, 1.0, I, I, r, b, v) - bs_phi(S, T, 1.0, X, I, r, b, v) -
	       X * bs_phi(S, T, 0.0, I, I, r, b, v) + X * bs_phi(S, T, 0.0, X, I, r, b, v);
}

/* psi() of the 2002 paper (Haug 2007, eq. for the two-step boundary). */
static double bs_psi(double S, double T2, double gamma, double H, double I2, double I1,
		     double t1, double r, double b, double v)
{
	double v2 = v * v, c = (b + (gamma - 0.5) * v2);
	double st1 = v * sqrt(t1), sT2 = v * sqrt(T2);
	double e1 = (log(S / I1) + c * t1) / st1;
	double e2 = (log(I2 * I2 / (S * I1)) + c * t1) / st1;
	double e3 = (log(S / I1) - c * t1) / st1;
	double e4 = (log(I2 * I2 / (S * I1)) - c * t1) / st1;
	double f1 = (log(S / H) + c * T2) / sT2;
	double f2 = (log(I2 * I2 / (S * H)) + c * T2) / sT2;
	double f3 = (log(I1 * I1 / (S * H)) + c * T2) / sT2;
	double f4 = (log(S * I1 * I1 / (H * I2 * I2)) + c * T2) / sT2;
	double rho = sqrt(t1 / T2);
	double lambda = -r + gamma * b + 0.5 * gamma * (gamma - 1.0) * v2;
	double kappa = 2.0 * b / v2 + (2.0 * gamma - 1.0);
	return exp(lambda * T2) * pow(S, gamma) *
	       (normal_cdf2(-e1, -f1, rho) - pow(I2 / S, kappa) * normal_cdf2(-e2, -f2, rho) -
		pow(I1 / S, kappa) * normal_cdf2(-e3, -f3, -rho) +
		pow(I1 / I2, kappa) * normal_cdf2(-e4, -f4, -rho));
}

static double bs2002_call(double S, double X, double T, double r, double b, double v)
{
	double v2 = v * v, t1 = 0.5 * (sqrt(5.0) - 1.0) * T;
	double beta = (0.5 - b / v2) + sqrt((b / v2 - 0.5) * (b / v2 - 0.5) + 2.0 * r / v2);
	double Binf = beta / (beta - 1.0) * X;
	double B0 = fmax(X, r / (r - b) * X);
	double h1 = -(b * t1 + 2.0 * v * sqrt(t1)) * X * X / ((Binf - B0) * B0);
	double h2 = -(b * T + 2.0 * v * sqrt(T)) * X * X / ((Binf - B0) * B0);
	double I1 = B0 + (Binf - B0) * (1.0 - exp(h1));
	double I2 = B0 + (Binf - B0) * (1.0 - exp(h2));
	if (S >= I2)
		return S - X;
	double a1 = (I1 - X) * pow(I1, -beta), a2 = (I2 - X) * pow(I2, -beta);
	return a2 * pow(S, beta) - a2 * bs_phi(S, t1, beta, I2, I2, r, b, v) +
	       bs_phi(S, t1, 1.0, I2, I2, r, b, v) - bs_phi(S, t1, 1.0, I1, I2, r, b, v) -
	       X * bs_phi(S, t1, 0.0, I2, I2, r, b, v) + X * bs_phi(S, t1, 0.0, I1, I2, r, b, v) +
	       a1 * bs_phi(S, t1, beta, I1, I2, r, b, v) -
	       a1 * bs_psi(S, T, beta, I1, I2, I1, t1, r, b, v) +
	       bs_psi(S, T, 1.0, I1, I2, I1, t1, r, b, v) -
	       bs_psi(S, T, 1.0, X, I2, I1, t1, r, b, v) -
	       X * bs_psi(S, T, 0.0, I1, I2, I1, t1, r, b, v) +
	       X * bs_psi(S, T, 0.0, X, I2, I1, t1, r, b, v);
}

/* Barone-Adesi-Whaley with the critical price found by Newton's method. */
static double baw(int type, double S, double X, double T, double r, double b, double v)
{
	double w = type, v2 = v * v, sT = v * sqrt(T), cc = exp((b - r) * T);
	double N = 2.0 * b / v2, M = 2.0 * r / v2;
	double Kf = -expm1(-r * T);
	double K = Kf > 0 ? M / Kf : 2.0 / (v2 * T);
	double q = (-(N - 1.0) + w * sqrt((N - 1.0) * (N - 1.0) + 4.0 * K)) / 2.0;
	double qinf = (-(N - 1.0) + w * sqrt((N - 1.0) * (N - 1.0) + 4.0 * M)) / 2.0;
	double su = X / (1.0 - 1.0 / qinf), Si;
	if (type == OPT_CALL)
		Si = X + (su - X) * (1.0 - exp(-(b * T + 2.0 * sT) * X / (su - X)));
	else
		Si = su + (X - su) * exp((b * T - 2.0 * sT) * X / (X - su));
	/* Solve w (Si - X) = V_eur(Si) + w (1 - cc N(w d1)) Si / q for Si. */
	for (int it = 0; it < 200; it++) {
		double d1 = (log(Si / X) + (b + v2 / 2.0) * T) / sT;
		double Nw = normal_cdf(w * d1);
		double lhs = w * (Si - X);
		double rhs = gbs(type, Si, X, T, r, b, v) + w * (1.0 - cc * Nw) * Si / q;
		double f = lhs - rhs;
		/* d rhs / d Si */
		double slope = w * cc * Nw + w * (1.0 - cc * Nw) / q - cc * normal_pdf(d1) / (q * sT);
		double fp = w - slope;
		double step = f / fp;
		Si -= step;
		if (!(Si > 0) || !isfinite(Si))
			return NAN;
		if (fabs(step) <= 1e-14 * Si)
			break;
	}
	double d1 = (log(Si / X) + (b + v2 / 2.0) * T) / sT;
	double A = w * (Si / q) * (1.0 - cc * normal_cdf(w * d1));
	if (w * (S - Si) >= 0)
		return w * (S - X);
	return gbs(type, S, X, T, r, b, v) + A * pow(S / Si, q);
}

int american_price(int method, int type, double S, double K, double vol, double r, double b,
		   double T, double *price, const char **why)
{
	if (type != OPT_CALL && type != OPT_PUT)
		return *why = "option type must be call or put", OPT_EDOMAIN;
	if (method != AMER_BS1993 && method != AMER_BS2002 && method != AMER_BAW)
		return *why = "unknown American method", OPT_EDOMAIN;
	if (!isfinite(S) || !isfinite(K) || !isfinite(vol) || !isfinite(r) || !isfinite(b) ||
	    !isfinite(T))
		return *why = "non-finite input", OPT_EDOMAIN;
	if (S <= 0 || K <= 0)
		return *why = "spot and strike must be positive", OPT_EDOMAIN;
	if (vol < 0)
		return *why = "negative volatility", OPT_EDOMAIN;
	if (T < 0)
		return *why = "negative time to expiry", OPT_EDOMAIN;
	double w = type;
	if (T == 0 || vol == 0) {
		/* no optionality left: immediate exercise or the forward intrinsic */
		double eur = exp(-r * T) * fmax(w * (S * exp(b * T) - K), 0.0);
		*price = fmax(eur, fmax(w * (S - K), 0.0));
		return OPT_OK;
	}
	/* Early exercise never optimal: call with b >= r, put with r <= 0. */
	if ((type == OPT_CALL && b >= r) || (type == OPT_PUT && r <= 0)) {
		*price = gbs(type, S, K, T, r, b, vol);
		return isfinite(*price) ? OPT_OK : (*why = "numerical failure", OPT_ENUMERIC);
	}
	double v;
	if (method == AMER_BAW) {
		v = baw(type, S, K, T, r, b, vol);
	} else {
		double (*call)(double, double, double, double, double, double) =
			method == AMER_BS1993 ? bs1993_call : bs2002_call;
		double rr = r, bb = b, s = S, x = K;
		if (type == OPT_PUT) {
			s = K;
			x = S;
			rr = r - b;
			bb = -b;
		}
		double disc = (bb / (vol * vol) - 0.5) * (bb / (vol * vol) - 0.5) + 2.0 * rr / (vol * vol);
		if (disc < 0)
			return *why = "Bjerksund-Stensland not applicable (negative rate)", OPT_EDOMAIN;
		v = call(s, x, T, rr, bb, vol);
	}
	if (!isfinite(v))
		return *why = "numerical failure", OPT_ENUMERIC;
	*price = v;
	return OPT_OK;
}

int american_greeks_fd(int method, int type, double S, double K, double vol, double r,
		       double b, double T, opt_greeks *g, const char **why)
{
	double up, dn, h;
	int st = american_price(method, type, S, K, vol, r, b, T, &g->price, why);
	if (st)
		return st;
	h = 1e-4 * S;
	if ((st = american_price(method, type, S + h, K, vol, r, b, T, &up, why)) ||
	    (st = american_price(method, type, S - h, K, vol, r, b, T, &dn, why)))
		return st;
	g->delta = (up - dn) / (2 * h);
	g->gamma = (up - 2 * g->price + dn) / (h * h);
	h = 1e-4;
	double vlo = vol > h ? vol - h : 0;
	if ((st = american_price(method, type, S, K, vol + h, r, b, T, &up, why)) ||
	    (st = american_price(method, type, S, K, vlo, r, b, T, &dn, why)))
		return st;
	g->vega = (up - dn) / (vol + h - vlo);
	h = T > 2.0 / 365 ? 1.0 / 365 : T / 2;
	if (h > 0) {
		if ((st = american_price(method, type, S, K, vol, r, b, T + h, &up, why)) ||
		    (st = american_price(method, type, S, K, vol, r, b, T - h, &dn, why)))
			return st;
		g->theta = -(up - dn) / (2 * h);
	} else {
		g->theta = 0;
	}
	return OPT_OK;
}
