#include "core/normal.h"

#include <math.h>

#define INV_SQRT_2PI 0.398942280401432677939946059934
#define TWO_PI 6.28318530717958647692528676656

double normal_pdf(double x)
{
	return INV_SQRT_2PI * exp(-0.5 * x * x);
}

double normal_cdf(double x)
{
	return 0.5 * erfc(-x * M_SQRT1_2);
}

double normal_quantile(double p)
{
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
				   -2.759285104469687e+02, 1.383577518672690e+02,
				   -3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
				   -1.556989798598866e+02, 6.680131188771972e+01,
				   -1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
				   -2.400758277161838e+00, -2.549732539343734e+00,
				   4.374664141464968e+00, 2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
				   2.445134137142996e+00, 3.754408661907416e+00};
	double q, r, x;
	if (!(p > 0.0 && p < 1.0)) {
		if (p == 0.0)
			return -INFINITY;
		if (p == 1.0)
			return INFINITY;
		return NAN;
	}
	if (p < 0.02425) {
		q = sqrt(-2.0 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	} else if (p > 1.0 - 0.02425) {
		q = sqrt(-2.0 * log1p(-p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	} else {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
	}
	/* Halley refinement: the rational form alone is only good to 1e-9. */
	for (int i = 0; i < 2; i++) {
		double e = normal_cdf(x) - p;
		double u = e * sqrt(TWO_PI) * exp(0.5 * x * x);
		x = x - u / (1.0 + 0.5 * x * u);
	}
	return x;
}

/* Gauss-Legendre half-rules with 6, 12 and 20 points (negative nodes). */
static const double gl_x[3][10] = {
	{-0.932469514203152, -0.6612093864662645, -0.23861918608319693},
	{-0.9815606342467192, -0.9041172563704748, -0.7699026741943047, -0.5873179542866175,
	 -0.3678314989981802, -0.1252334085114689},
	{-0.9931285991850949, -0.9639719272779138, -0.9122344282513258, -0.8391169718222188,
	 -0.7463319064601508, -0.636053680726515, -0.5108670019508271, -0.37370608871541955,
	 -0.2277858511416451, -0.07652652113349734}};
static const double gl_w[3][10] = {
	{0.17132449237916975, 0.36076157304813894, 0.46791393457269137},
	{0.04717533638651202, 0.10693932599531888, 0.1600783285433461, 0.20316742672306565,
	 0.23349253653835464, 0.2491470458134027},
	{0.017614007139153273, 0.04060142980038622, 0.06267204833410944, 0.08327674157670467,
	 0.10193011981724026, 0.11819453196151825, 0.13168863844917653, 0.14209610931838187,
	 0.14917298647260366, 0.15275338713072578}};

/* The sines of Genz's rule for correlation r (|r| < 0.925, r != 0):
 * sn[2 i] and sn[2 i + 1] at the nodes +-x_i, and asin(r).  They depend
 * on r alone, and a caller meets few correlations (Bjerksund-Stensland
 * asks for +-sqrt(t1 / T) four times per psi, and full revaluation
 * reprices one trade under many scenarios at the same T), so the last
 * two of each thread are kept: the same expressions, so the same bits,
 * without 20 sines and an arcsine per call. */
typedef struct bvnd_sines {
	double r, asr, sn[20];
	int valid;
} bvnd_sines;

static const double *bvnd_sines_of(double r, int ng, int lg, double *asr)
{
	static _Thread_local bvnd_sines memo[2];
	static _Thread_local int next;
	for (int k = 0; k < 2; k++)
		if (memo[k].valid && memo[k].r == r) {
			*asr = memo[k].asr;
			return memo[k].sn;
		}
	bvnd_sines *m = &memo[next];
	next ^= 1;
	m->r = r;
	m->asr = asin(r);
	for (int i = 0; i < lg; i++) {
		m->sn[2 * i] = sin(m->asr * (gl_x[ng][i] + 1.0) / 2.0);
		m->sn[2 * i + 1] = sin(m->asr * (-gl_x[ng][i] + 1.0) / 2.0);
	}
	m->valid = 1;
	*asr = m->asr;
	return m->sn;
}

/* Genz's BVND: P(X > dh, Y > dk) with correlation r. */
static double bvnd(double dh, double dk, double r)
{
	int ng, lg;
	double h = dh, k = dk, hk = h * k, bvn = 0.0;
	if (fabs(r) < 0.3) {
		ng = 0;
		lg = 3;
	} else if (fabs(r) < 0.75) {
		ng = 1;
		lg = 6;
	} else {
		ng = 2;
		lg = 10;
	}
	if (fabs(r) < 0.925) {
		if (r != 0.0) {
			double hs = (h * h + k * k) / 2.0, asr;
			const double *sines = bvnd_sines_of(r, ng, lg, &asr);
			for (int i = 0; i < lg; i++) {
				double sn = sines[2 * i];
				bvn += gl_w[ng][i] * exp((sn * hk - hs) / (1.0 - sn * sn));
				sn = sines[2 * i + 1];
				bvn += gl_w[ng][i] * exp((sn * hk - hs) / (1.0 - sn * sn));
			}
			bvn = bvn * asr / (2.0 * TWO_PI);
		}
		return bvn + normal_cdf(-h) * normal_cdf(-k);
	}
	if (r < 0.0) {
		k = -k;
		hk = -hk;
	}
	if (fabs(r) < 1.0) {
		double as = (1.0 - r) * (1.0 + r), a = sqrt(as), bs = (h - k) * (h - k);
		double c = (4.0 - hk) / 8.0, d = (12.0 - hk) / 16.0;
		double asr = -(bs / as + hk) / 2.0;
		if (asr > -100.0)
			bvn = a * exp(asr) *
			      (1.0 - c * (bs - as) * (1.0 - d * bs / 5.0) / 3.0 + c * d * as * as / 5.0);
		if (-hk < 100.0) {
			double b = sqrt(bs);
			bvn -= exp(-hk / 2.0) * sqrt(TWO_PI) * normal_cdf(-b / a) * b *
			       (1.0 - c * bs * (1.0 - d * bs / 5.0) / 3.0);
		}
		a /= 2.0;
		for (int i = 0; i < lg; i++) {
			for (int s = -1; s <= 1; s += 2) {
				double xs = a * (s * gl_x[ng][i] + 1.0);
				xs *= xs;
				double rs = sqrt(1.0 - xs);
				asr = -(bs / xs + hk) / 2.0;
				if (asr > -100.0)
					bvn += a * gl_w[ng][i] * exp(asr) *
					       (exp(-hk * (1.0 - rs) / (2.0 * (1.0 + rs))) / rs -
						(1.0 + c * xs * (1.0 + d * xs)));
			}
		}
		bvn = -bvn / TWO_PI;
	}
	if (r > 0.0)
		return bvn + normal_cdf(-fmax(h, k));
	bvn = -bvn;
	if (k > h)
		bvn += normal_cdf(k) - normal_cdf(h);
	return bvn;
}

double normal_cdf2(double a, double b, double rho)
{
	double p = bvnd(-a, -b, rho);
	return p < 0.0 ? 0.0 : (p > 1.0 ? 1.0 : p);
}
