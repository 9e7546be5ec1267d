#include "price/asian.h"

#include <math.h>
#include <stdlib.h>

#include "core/normal.h"

/* Black formula from the total standard deviation and a discount factor. */
static double black_sdev(int type, double F, double K, double sdev, double D)
{
	double w = type;
	if (sdev <= 0)
		return D * fmax(w * (F - K), 0.0);
	double d1 = log(F / K) / sdev + 0.5 * sdev, d2 = d1 - sdev;
	return D * w * (F * normal_cdf(w * d1) - K * normal_cdf(w * d2));
}

static double tw_remaining(int type, double F, double Ks, double vol, double D, int k,
			   const double *t)
{
	/* sum_i sum_j exp(s^2 min(t_i,t_j)) / k^2 - 1, summed as expm1 terms
	 * weighted by how often t_i is the smaller time (t ascending). */
	double s = 0.0, s2 = vol * vol;
	for (int i = 0; i < k; i++)
		s += expm1(s2 * t[i]) * (double)(2 * (k - 1 - i) + 1);
	double v = log1p(s / ((double)k * (double)k));
	return black_sdev(type, F, Ks, sqrt(v), D);
}

static double curran_remaining(int type, double F, double Ks, double vol, double D, int k,
			       const double *t)
{
	double s2 = vol * vol, lnF = log(F), prefix = 0.0, sx2 = 0.0;
	double *sxi = malloc(sizeof *sxi * (size_t)k);
	double mu = 0.0, tsum = 0.0;
	if (!sxi)
		return NAN;
	for (int i = 0; i < k; i++)
		tsum += t[i];
	/* sum_j min(t_i, t_j) = prefix(0..i) + (k-1-i) t_i with t ascending */
	for (int i = 0; i < k; i++) {
		prefix += t[i];
		sxi[i] = s2 * (prefix + (double)(k - 1 - i) * t[i]) / k;
		sx2 += sxi[i];
	}
	sx2 /= k;
	mu = lnF - 0.5 * s2 * tsum / k;
	double w = type, value;
	if (sx2 <= 0) {
		free(sxi);
		return D * fmax(w * (F - Ks), 0.0);
	}
	double sx = sqrt(sx2), lnK = log(Ks), khat = 2.0 * Ks, acc = 0.0;
	for (int i = 0; i < k; i++) {
		double mui = lnF - 0.5 * s2 * t[i], si2 = s2 * t[i];
		khat -= exp(mui + sxi[i] * (lnK - mu) / sx2 + 0.5 * (si2 - sxi[i] * sxi[i] / sx2)) / k;
	}
	if (khat <= 0) {
		value = D * (F - Ks);
	} else {
		double z = (mu - log(khat)) / sx;
		for (int i = 0; i < k; i++)
			acc += normal_cdf(z + sxi[i] / sx);
		value = D * (F * acc / k - Ks * normal_cdf(z));
	}
	free(sxi);
	if (type == OPT_PUT)
		value -= D * (F - Ks);
	return value;
}

int asian_price(int method, int type, double F, double K, double vol, double r, double T,
		int n, int m, double past_average, const double *t, double *price,
		const char **why)
{
	if (type != OPT_CALL && type != OPT_PUT)
		return *why = "option type must be call or put", OPT_EDOMAIN;
	if (!isfinite(F) || !isfinite(K) || !isfinite(vol) || !isfinite(r) || !isfinite(T) ||
	    (m > 0 && !isfinite(past_average)))
		return *why = "non-finite input", OPT_EDOMAIN;
	if (n < 1 || m < 0 || m > n)
		return *why = "need 0 <= past fixings <= fixings and at least one fixing",
		       OPT_EDOMAIN;
	if (vol < 0)
		return *why = "negative volatility", OPT_EDOMAIN;
	if (T < 0)
		return *why = "negative time to expiry", OPT_EDOMAIN;
	if (F <= 0 && m < n)
		return *why = "lognormal Asian models need a positive forward", OPT_EDOMAIN;
	if (K <= 0)
		return *why = "strike must be positive", OPT_EDOMAIN;
	int k = n - m;
	for (int i = 0; i < k; i++) {
		if (!(t[i] >= 0) || (i > 0 && t[i] < t[i - 1]))
			return *why = "future fixing times must be >= 0 and ascending", OPT_EDOMAIN;
		if (t[i] > T + 1e-12)
			return *why = "a fixing lies after the expiry", OPT_EDOMAIN;
	}
	double D = exp(-r * T), w = type;
	if (k == 0) {
		*price = D * fmax(w * (past_average - K), 0.0);
		return OPT_OK;
	}
	double Ks = ((double)n * K - (double)m * past_average) / k, scale = (double)k / n;
	if (Ks <= 0) {
		*price = type == OPT_CALL ? D * scale * (F - Ks) : 0.0;
		return OPT_OK;
	}
	double v = method == ASIAN_CURRAN ? curran_remaining(type, F, Ks, vol, D, k, t)
					  : tw_remaining(type, F, Ks, vol, D, k, t);
	if (!isfinite(v))
		return *why = "numerical failure", OPT_ENUMERIC;
	*price = scale * v;
	return OPT_OK;
}

int asian_grid(double avg_start, double avg_end, int n, int m, double *t, const char **why)
{
	if (!isfinite(avg_start) || !isfinite(avg_end))
		return *why = "non-finite input", OPT_EDOMAIN;
	if (n < 1 || m < 0 || m > n)
		return *why = "need 0 <= past fixings <= fixings and at least one fixing",
		       OPT_EDOMAIN;
	if (avg_end < avg_start)
		return *why = "averaging ends before it starts", OPT_EDOMAIN;
	const double eps = 1e-9;
	for (int i = 0; i < n; i++) {
		double ti = n == 1 ? avg_end : avg_start + (avg_end - avg_start) * i / (n - 1);
		if (i < m && ti > eps)
			return *why = "a fixing counted as past lies after today", OPT_EDOMAIN;
		if (i >= m) {
			if (ti < -eps)
				return *why = "a future fixing lies before today (past_fixings too small)",
				       OPT_EDOMAIN;
			t[i - m] = ti < 0 ? 0 : ti;
		}
	}
	return OPT_OK;
}

int asian_greeks_fd(int method, int type, double F, double K, double vol, double r,
		    double T, int n, int m, double past_average, const double *t,
		    opt_greeks *g, const char **why)
{
	int k = n - m, st;
	double up, dn, h;
	st = asian_price(method, type, F, K, vol, r, T, n, m, past_average, t, &g->price, why);
	if (st)
		return st;
	h = 1e-4 * F;
	if ((st = asian_price(method, type, F + h, K, vol, r, T, n, m, past_average, t, &up, why)) ||
	    (st = asian_price(method, type, F - h, K, vol, r, T, n, m, past_average, t, &dn, why)))
		return st;
	g->delta = (up - dn) / (2 * h);
	g->gamma = (up - 2 * g->price + dn) / (h * h);
	h = 1e-4;
	double vlo = vol > h ? vol - h : 0;
	if ((st = asian_price(method, type, F, K, vol + h, r, T, n, m, past_average, t, &up, why)) ||
	    (st = asian_price(method, type, F, K, vlo, r, T, n, m, past_average, t, &dn, why)))
		return st;
	g->vega = (up - dn) / (vol + h - vlo);
	h = T > 2.0 / 365 ? 1.0 / 365 : T / 2;
	g->theta = r * g->price;
	if (h > 0 && k > 0) {
		double *tt = malloc(sizeof *tt * (size_t)k);
		if (!tt)
			return *why = "out of memory", OPT_ENUMERIC;
		for (int s = 1; s >= -1; s -= 2) {
			for (int i = 0; i < k; i++)
				tt[i] = fmax(0.0, t[i] + s * h);
			st = asian_price(method, type, F, K, vol, r, T + s * h, n, m, past_average, tt,
					 s > 0 ? &up : &dn, why);
			if (st)
				break;
		}
		free(tt);
		if (st)
			return st;
		g->theta = -(up - dn) / (2 * h);
	}
	return OPT_OK;
}

int asian_tw_strip(int type, const double *F, const double *vol, double K, double r, double T, int n,
		   int m, double past_average, const double *t, double *price, const char **why)
{
	int k = n - m;
	if (n < 1 || m < 0 || m > n)
		return *why = "need 0 <= past fixings <= fixings and at least one fixing", OPT_EDOMAIN;
	double sumF = 0, vmax = 0;
	for (int i = 0; i < k; i++) {
		if (!isfinite(F[i]) || !isfinite(vol[i]))
			return *why = "non-finite input", OPT_EDOMAIN;
		if (vol[i] < 0)
			return *why = "negative volatility", OPT_EDOMAIN;
		if (F[i] <= 0)
			return *why = "lognormal Asian models need a positive forward", OPT_EDOMAIN;
		sumF += F[i];
		vmax = vol[i] > vmax ? vol[i] : vmax;
	}
	/* the checks of the one-forward model, at the mean forward */
	double Fm = k ? sumF / k : 1.0;
	int st = asian_price(ASIAN_TW, type, Fm, K, vmax, r, T, n, m, past_average, t, price, why);
	if (st || k == 0)
		return st;
	double D = exp(-r * T), Ks = ((double)n * K - (double)m * past_average) / k, scale = (double)k / n;
	if (Ks <= 0)
		return OPT_OK; /* a forward: asian_price() has it, vols do not matter */
	/* M2/M1^2 - 1 = sum_i sum_j F_i F_j expm1(s_i s_j min(t_i, t_j)) / (sum F)^2 */
	double acc = 0;
	for (int i = 0; i < k; i++) {
		acc += F[i] * F[i] * expm1(vol[i] * vol[i] * t[i]);
		for (int j = i + 1; j < k; j++)
			acc += 2 * F[i] * F[j] * expm1(vol[i] * vol[j] * (t[i] < t[j] ? t[i] : t[j]));
	}
	double v = log1p(acc / (sumF * sumF));
	double p = black_sdev(type, Fm, Ks, sqrt(v), D);
	if (!isfinite(p))
		return *why = "numerical failure", OPT_ENUMERIC;
	*price = scale * p;
	return OPT_OK;
}

int asian_tw_strip_greeks_fd(int type, const double *F, const double *vol, double K, double r, double T,
			     int n, int m, double past_average, const double *t, opt_greeks *g,
			     const char **why)
{
	int k = n - m, st;
	if (n < 1 || m < 0 || m > n)
		return *why = "need 0 <= past fixings <= fixings and at least one fixing", OPT_EDOMAIN;
	st = asian_tw_strip(type, F, vol, K, r, T, n, m, past_average, t, &g->price, why);
	if (st)
		return st;
	g->delta = g->gamma = g->vega = 0;
	g->theta = r * g->price;
	if (k == 0)
		return OPT_OK;
	double *x = malloc(sizeof *x * (size_t)k), up, dn, mean = 0;
	if (!x)
		return *why = "out of memory", OPT_ENUMERIC;
	for (int i = 0; i < k; i++)
		mean += F[i] / k;
	double h = 1e-4 * mean;
	for (int s = 1; s >= -1 && !st; s -= 2) {
		for (int i = 0; i < k; i++)
			x[i] = F[i] + s * h;
		st = asian_tw_strip(type, x, vol, K, r, T, n, m, past_average, t, s > 0 ? &up : &dn, why);
	}
	if (!st) {
		g->delta = (up - dn) / (2 * h);
		g->gamma = (up - 2 * g->price + dn) / (h * h);
	}
	double hv = 1e-4, lo = 0;
	for (int s = 1; s >= -1 && !st; s -= 2) {
		for (int i = 0; i < k; i++)
			x[i] = s > 0 ? vol[i] + hv : (vol[i] > hv ? vol[i] - hv : 0);
		if (s < 0)
			for (int i = 0; i < k; i++)
				lo += (vol[i] + hv - x[i]) / k;
		st = asian_tw_strip(type, F, x, K, r, T, n, m, past_average, t, s > 0 ? &up : &dn, why);
	}
	if (!st)
		g->vega = (up - dn) / lo;
	double ht = T > 2.0 / 365 ? 1.0 / 365 : T / 2;
	if (!st && ht > 0) {
		for (int s = 1; s >= -1 && !st; s -= 2) {
			for (int i = 0; i < k; i++)
				x[i] = fmax(0.0, t[i] + s * ht);
			st = asian_tw_strip(type, F, vol, K, r, T + s * ht, n, m, past_average, x,
					    s > 0 ? &up : &dn, why);
		}
		if (!st)
			g->theta = -(up - dn) / (2 * ht);
	}
	free(x);
	return st;
}
