#include "price/impliedvol.h"

#include <float.h>
#include <math.h>

#include "core/normal.h"
#include "price/american.h"

/*
 * Notation of "Let's Be Rational": x = ln(F/K), s = vol sqrt(T),
 * h = x/s, t = s/2, beta the undiscounted premium over sqrt(F K).  After
 * reduction the option is an out-of-the-money call, x <= 0, with
 * 0 < beta < b_max = e^{x/2}.
 */

#define SQRT_2PI 2.50662827463100050241576528481104525L
#define SQRT3 1.73205080756887729352744634150587237

/* Error bounds (in eps) under which nb_otm keeps its double evaluation:
 * full accuracy where the value decides the answer (the last Householder
 * steps, iv_normalised_black), about 1e-10 relative for the initial
 * guess and the first step, which the following steps absorb. */
#define NB_EXACT 16.0
#define NB_GUESS 1048576.0

/* A Householder(3) correction below this fraction of s leaves an error
 * of its fourth power (times a modest constant): below rounding. */
#define IV_STEP_DONE 0x1p-20

/* N(y) in long double: erfcl keeps the lower tail's relative precision. */
static long double cdfl(long double y)
{
	return 0.5L * erfcl(-y * 0.70710678118654752440084436210484904L);
}

/* Y(y) = N(y) / n(y), the Mills ratio of the lower tail. */
static long double mills(long double y)
{
	return cdfl(y) * SQRT_2PI * expl(0.5L * y * y);
}

/* b(x, s) for x <= 0, s > 0.  With n(h + t) e^{x/2} = n(h) e^{-t^2/2},
 * b = n(h) e^{-t^2/2} (Y(h + t) - Y(h - t)).  The direct difference of
 * the two normal terms loses about (|h| + t)/(2t) to cancellation (their
 * Mills ratios are nearly equal), and an argument error of h amplifies by
 * h^2 in the tail; in long double both stay below double rounding while
 * the loss is under 256.  Beyond that t is small against |h|, and the
 * difference of Y is summed without cancellation: by the asymptotic
 * series of Y (Y(-p) ~ sum (-1)^k (2k-1)!! / p^(2k+1)) when h + t <= -10,
 * else by the odd Taylor terms of Y(h +- t) in t (Y' = 1 + hY,
 * Y^(n+1) = h Y^(n) + n Y^(n-1)), the cancellation of 1 + hY costing at
 * most h^2 < 100 in long double. */
static double nb_otm(double x, double s, double ex, double emx, double slack)
{
	if (x == 0)
		return erf(s / (2.0 * M_SQRT2));
	{
		/* double first: kept when its error bound, about eps times
		 * the cancellation loss times the tail's argument
		 * amplification, is within slack eps (16 where the result
		 * decides the answer; looser for the initial guess and the
		 * first step, whose errors the next steps absorb).  ex and
		 * emx are e^{x/2} and e^{-x/2}, computed once per option. */
		double hd = x / s, td = 0.5 * s;
		double t1 = ex * normal_cdf(hd + td), t2 = emx * normal_cdf(hd - td);
		double d = t1 - t2;
		if (d > 0 && t1 / d * (4 + (hd - td) * (hd - td) - x) <= slack)
			return d;
	}
	long double h = (long double)x / s, t = 0.5L * s, b;
	if (-h + t < 512 * t) {
		b = expl(0.5L * x) * cdfl(h + t) - expl(-0.5L * x) * cdfl(h - t);
	} else {
		long double front = 2 * t * expl(-0.5L * (h * h + t * t)) / SQRT_2PI, sum = 0;
		if (h + t <= -10) {
			/* p = -(h + t), q = -(h - t), P = 1/p, Q = 1/q:
			 * p^-m - q^-m = 2t D_m, D_m = sum_{i<m} P^(m-i) Q^(i+1),
			 * D_(m+1) = P (D_m + Q^(m+1)) */
			long double P = -1 / (h + t), Q = -1 / (h - t), D = P * Q, Qm = Q, dfact = 1;
			for (int m = 1; m < 120; m += 2) {
				int k = (m - 1) / 2;
				long double term = (k & 1 ? -dfact : dfact) * D;
				sum += term;
				if (fabsl(term) < 1e-21L * fabsl(sum))
					break;
				dfact *= m; /* (2k+1)!! for the next k */
				Qm *= Q;
				D = P * (D + Qm);
				Qm *= Q;
				D = P * (D + Qm);
			}
		} else {
			/* sum over odd k of Y^(k)(h) t^(k-1) / k! */
			long double yprev = mills(h), y = 1 + h * yprev, w = 1;
			for (int k = 1; k <= 11; k++) {
				if (k & 1)
					sum += y * w;
				long double next = h * y + k * yprev;
				yprev = y, y = next;
				w *= t / (k + 1);
			}
		}
		b = front * sum;
	}
	return b > 0 ? (double)b : 0.0;
}

/* b_max - b(x, s) = e^{x/2} N(-h-t) + e^{-x/2} N(h-t): no cancellation. */
static double nb_otm_gap(double x, double s, double ex, double emx)
{
	{
		/* a sum of two positive terms: in double each carries about
		 * eps (1 + y^2) from rounding the argument y of N in the
		 * tail; kept when that is within 16 eps */
		double hd = x / s, td = 0.5 * s, y1 = -hd - td, y2 = hd - td;
		if (y1 * y1 <= 15 && y2 * y2 <= 15)
			return ex * normal_cdf(y1) + emx * normal_cdf(y2);
	}
	long double h = (long double)x / s, t = 0.5L * s;
	return (double)(expl(0.5L * x) * cdfl(-h - t) + expl(-0.5L * x) * cdfl(h - t));
}

/* db/ds = e^{x/2} n(h + t) = exp(-(h^2 + t^2)/2) / sqrt(2 pi). */
static double nb_vega(double x, double s)
{
	/* only the Householder steps use it: in double its relative error,
	 * about eps (h^2 + t^2) / 2 (below 1e-13 until it underflows), moves
	 * a step by that fraction of the step, which the next step (or the
	 * converged residual) absorbs */
	double h = x / s, t = 0.5 * s;
	return exp(-0.5 * (h * h + t * t)) / SQRT_2PI;
}

double iv_normalised_black(double x, double s, int theta)
{
	if (!(s >= 0) || isnan(x) || (theta != 1 && theta != -1))
		return NAN;
	/* b(x, s, theta) = b(-x, s, -theta); the in-the-money side adds its
	 * intrinsic value to the out-of-the-money price by parity */
	double intrinsic = 0;
	if (theta * x > 0)
		intrinsic = theta * (exp(0.5 * x) - exp(-0.5 * x));
	double xo = -fabs(x);
	if (s == 0)
		return intrinsic;
	if (isinf(s))
		return theta > 0 ? exp(0.5 * x) : exp(-0.5 * x);
	return intrinsic + nb_otm(xo, s, exp(0.5 * xo), exp(-0.5 * xo), NB_EXACT);
}

/* Delbourgo-Gregory rational cubic on [xl, xr] through (xl, yl), (xr, yr)
 * with slopes dl, dr and control parameter r (r = 3: cubic Hermite). */
static double rcubic(double xl, double xr, double yl, double yr, double dl, double dr, double r,
		     double x)
{
	double h = xr - xl, u = (x - xl) / h, v = 1 - u;
	if (h <= 0)
		return 0.5 * (yl + yr);
	double num = yr * u * u * u + (r * yr - h * dr) * u * u * v + (r * yl + h * dl) * u * v * v +
		     yl * v * v * v;
	return num / (1 + (r - 3) * u * v);
}

/* The control parameter whose interpolant has second derivative d2 at the
 * left (side 0) or right end, kept at least the one that keeps the
 * interpolant monotone (r >= (dl + dr)/slope) and below a cap. */
static double rcubic_control(double xl, double xr, double yl, double yr, double dl, double dr,
			     double d2, int right)
{
	double h = xr - xl, delta = yr - yl, num = 0.5 * h * h * d2 - h * (dl - dr);
	double den = right ? h * dr - delta : delta - h * dl;
	double r = den != 0 ? num / den : 3.0;
	double slope = delta / h, rmin = 0;
	if (slope != 0)
		rmin = (dl + dr) / slope;
	if (!(r >= rmin) || !isfinite(r))
		r = fmax(rmin, 0.0);
	return fmin(r, 1.0 / DBL_EPSILON);
}

/* Lower transform f(s) = 2 pi |x| / (3 sqrt 3) N(z)^3, z = -|x|/(sqrt3 s):
 * f ~ b as s -> 0, so that f(beta) is nearly linear near 0. */
static double flow(double ax, double s, double *fs, double *fss)
{
	double c = 2 * M_PI * ax / (3 * SQRT3), z = -ax / (SQRT3 * s);
	double N = normal_cdf(z), n = normal_pdf(z), zs = -z / s, zss = 2 * z / (s * s);
	if (fs)
		*fs = 3 * c * N * N * n * zs;
	if (fss)
		*fss = 3 * c * (2 * N * n * n * zs * zs + N * N * (-z * n) * zs * zs + N * N * n * zss);
	return c * N * N * N;
}

static double flow_inverse(double ax, double f)
{
	/* N(z) = (3 sqrt3 f / (2 pi |x|))^(1/3) */
	double p = cbrt(3 * SQRT3 * f / (2 * M_PI * ax));
	double z = normal_quantile(p);
	return z < 0 ? -ax / (SQRT3 * z) : NAN;
}

/* Second derivative in beta of f(s(beta)): (f_ss - f_s b_ss/b_s) / b_s^2. */
static double d2_in_beta(double fs, double fss, double bs, double bss)
{
	return (fss - fs * bss / bs) / (bs * bs);
}

/* b''/b' and b'''/b' in s. */
static void nb_ratios(double x, double s, double *r2, double *r3)
{
	double a = x * x / (s * s * s) - 0.25 * s;
	*r2 = a;
	*r3 = a * a - 3 * x * x / (s * s * s * s) - 0.25;
}

enum { R_LOW, R_MIDLOW, R_MIDHIGH, R_HIGH };

/* The Householder step of order 3 for the objective of region reg:
 * the correction to add to s. */
static double householder(int reg, double x, double s, double beta, double bmax, double emx,
			  double slack)
{
	double bs = nb_vega(x, s), r2, r3;
	nb_ratios(x, s, &r2, &r3);
	double bss = bs * r2, bsss = bs * r3, g, g1, g2, g3;
	if (reg == R_LOW) {
		/* g = 1/ln b - 1/ln beta: nearly linear in s for small beta */
		double b = nb_otm(x, s, bmax, emx, slack);
		if (!(b > 0))
			return s; /* far below: double s */
		double L = log(b), L1 = bs / b, L2 = bss / b - L1 * L1,
		       L3 = bsss / b - 3 * L1 * bss / b + 2 * L1 * L1 * L1;
		g = 1 / L - 1 / log(beta);
		g1 = -L1 / (L * L);
		g2 = -L2 / (L * L) + 2 * L1 * L1 / (L * L * L);
		g3 = -L3 / (L * L) + 6 * L1 * L2 / (L * L * L) - 6 * L1 * L1 * L1 / (L * L * L * L);
	} else if (reg == R_HIGH) {
		/* g = ln(b_max - beta) - ln(b_max - b) */
		double c = nb_otm_gap(x, s, bmax, emx);
		g = log((bmax - beta) / c);
		g1 = bs / c;
		g2 = bss / c + bs * bs / (c * c);
		g3 = bsss / c + 3 * bs * bss / (c * c) + 2 * bs * bs * bs / (c * c * c);
	} else {
		g = nb_otm(x, s, bmax, emx, slack) - beta;
		g1 = bs, g2 = bss, g3 = bsss;
	}
	if (!(g1 != 0) || !isfinite(g) || !isfinite(g1))
		return 0;
	double nu = -g / g1, h2 = g2 / g1, h3 = g3 / g1;
	double step = nu * (1 + 0.5 * h2 * nu) / (1 + nu * (h2 + h3 * nu / 6));
	if (!isfinite(step) || (nu > 0 && step < 0) || (nu < 0 && step > 0))
		step = nu; /* Householder's rational factor went wrong: Newton */
	return step;
}

/* s with b(x, s) = beta for x <= 0, 0 < beta < e^{x/2}. */
static double implied_s_otm(double beta, double x, int *steps)
{
	int nsteps = 0;
	double bmax = exp(0.5 * x);
	if (x == 0) {
		/* erf(s / 2 sqrt 2) = beta: the initial guess from the
		 * inverse normal, then the middle-region iteration */
		int reg = beta < 0.5 ? R_MIDLOW : R_HIGH;
		double s = reg == R_HIGH ? -2 * normal_quantile(0.5 - 0.5 * beta)
					 : 2 * normal_quantile(0.5 + 0.5 * beta);
		for (int i = 0; i < 4; i++) {
			double ds = householder(reg, x, s, beta, bmax, 1 / bmax, NB_EXACT);
			s += ds;
			nsteps++;
			if (i >= 1 && fabs(ds) <= IV_STEP_DONE * s)
				break;
		}
		if (steps)
			*steps = nsteps;
		return s;
	}
	double emx = exp(-0.5 * x), ax = -x, sc = sqrt(2 * ax);
	/* at the inflection point s_c = sqrt(2|x|), h + t = 0 and
	 * h^2 = t^2 = |x|/2: b_c = e^{x/2}/2 - e^{-x/2} N(-s_c) and
	 * b'(s_c) = e^{x/2} / sqrt(2 pi), one normal CDF and no exp (the
	 * general evaluation where the difference cancels too much) */
	double bc = 0.5 * bmax - emx * normal_cdf(-sc), vc = bmax / (double)SQRT_2PI;
	if (!(bc > 0) || 0.5 * bmax / bc * (4 + sc * sc - x) > NB_GUESS)
		bc = nb_otm(x, sc, bmax, emx, NB_GUESS);
	double s, sl = sc - bc / vc, su = sc + (bmax - bc) / vc;
	int reg;
	if (beta <= bc) {
		double bl = sl > 0 ? nb_otm(x, sl, bmax, emx, NB_GUESS) : 0;
		if (sl > 0 && beta < bl) {
			reg = R_LOW;
			double vl = nb_vega(x, sl), r2, r3, fs, fss;
			nb_ratios(x, sl, &r2, &r3);
			double fl = flow(ax, sl, &fs, &fss);
			double dr = fs / vl, d2 = d2_in_beta(fs, fss, vl, vl * r2);
			double r = rcubic_control(0, bl, 0, fl, 1, dr, d2, 1);
			double f = rcubic(0, bl, 0, fl, 1, dr, r, beta);
			s = f > 0 ? flow_inverse(ax, f) : NAN;
			if (!(s > 0))
				s = sl * 0.5;
		} else {
			reg = R_MIDLOW;
			if (!(sl > 0)) {
				sl = 0, bl = 0;
			}
			double vl = sl > 0 ? nb_vega(x, sl) : 0, r2 = 0, r3;
			if (sl > 0)
				nb_ratios(x, sl, &r2, &r3);
			/* s(beta): slopes 1/b', second derivative -b''/b'^3 */
			double dl = vl > 0 ? 1 / vl : 1e300, dr = 1 / vc;
			double d2 = vl > 0 ? -r2 / (vl * vl) : 0;
			double r = vl > 0 ? rcubic_control(bl, bc, sl, sc, dl, dr, d2, 0) : 3;
			s = vl > 0 ? rcubic(bl, bc, sl, sc, dl, dr, r, beta) : sc * beta / bc;
		}
	} else {
		double bu = nb_otm(x, su, bmax, emx, NB_GUESS);
		if (beta <= bu) {
			reg = R_MIDHIGH;
			double vu = nb_vega(x, su), r2, r3;
			nb_ratios(x, su, &r2, &r3);
			double dl = 1 / vc, dr = 1 / vu, d2 = -r2 / (vu * vu);
			double r = rcubic_control(bc, bu, sc, su, dl, dr, d2, 1);
			s = rcubic(bc, bu, sc, su, dl, dr, r, beta);
		} else {
			reg = R_HIGH;
			/* f = N(-s/2), zero at b_max with slope -1/2 there */
			double vu = nb_vega(x, su), r2, r3;
			nb_ratios(x, su, &r2, &r3);
			double fu = normal_cdf(-0.5 * su), fs = -0.5 * normal_pdf(0.5 * su),
			       fss = 0.125 * su * normal_pdf(0.5 * su);
			double dl = fs / vu, d2 = d2_in_beta(fs, fss, vu, vu * r2);
			double r = rcubic_control(bu, bmax, fu, 0, dl, -0.5, d2, 0);
			double f = rcubic(bu, bmax, fu, 0, dl, -0.5, r, beta);
			s = f > 0 && f < 0.5 ? -2 * normal_quantile(f) : NAN;
			if (!(s > su))
				s = su;
		}
	}
	if (!(s > 0) || !isfinite(s))
		s = sc;
	/* Two steps reach machine precision from the guesses above: the
	 * first (on the guess-accuracy b) leaves an error e, the second (on
	 * the full-accuracy b) about e^4, so a second step below
	 * IV_STEP_DONE s ends the iteration without a third step to confirm
	 * it.  A few more are allowed for the corners (s far in either tail)
	 * where the guess is poorer, until a correction is below
	 * IV_STEP_DONE s or rounding. */
	for (int i = 0; i < 8; i++) {
		double ds = householder(reg, x, s, beta, bmax, emx, i == 0 ? NB_GUESS : NB_EXACT);
		if (s + ds <= 0)
			ds = -0.5 * s;
		s += ds;
		nsteps++;
		if (i >= 1 && fabs(ds) <= IV_STEP_DONE * s)
			break;
	}
	if (steps)
		*steps = nsteps;
	return s;
}

double iv_normalised_implied(double beta, double x, int theta)
{
	return iv_normalised_implied_steps(beta, x, theta, NULL);
}

double iv_normalised_implied_steps(double beta, double x, int theta, int *steps)
{
	if (steps)
		*steps = 0;
	if (isnan(beta) || isnan(x) || (theta != 1 && theta != -1))
		return -1;
	double intrinsic = theta * x > 0 ? theta * (exp(0.5 * x) - exp(-0.5 * x)) : 0;
	double bmax = theta > 0 ? exp(0.5 * x) : exp(-0.5 * x);
	if (beta < intrinsic || beta >= bmax)
		return -1;
	double b = beta - intrinsic;
	if (b == 0)
		return 0;
	return implied_s_otm(b, -fabs(x), steps);
}

static int check_inputs(int type, double F, double K, double r, double T, double premium,
			const char **why)
{
	if (type != OPT_CALL && type != OPT_PUT)
		return *why = "option type must be call or put", OPT_EDOMAIN;
	if (!isfinite(F) || !isfinite(K) || !isfinite(r) || !isfinite(T) || !isfinite(premium))
		return *why = "non-finite input", OPT_EDOMAIN;
	if (T < 0)
		return *why = "negative time to expiry", OPT_EDOMAIN;
	return OPT_OK;
}

int iv_black76(int type, double F, double K, double r, double T, double premium, double *vol,
	       const char **why)
{
	int st = check_inputs(type, F, K, r, T, premium, why);
	if (st)
		return st;
	if (F <= 0)
		return *why = "Black-76 needs a positive forward", OPT_EDOMAIN;
	if (K <= 0)
		return *why = "Black-76 needs a positive strike", OPT_EDOMAIN;
	double D = exp(-r * T), p = premium / D, w = type;
	double intrinsic = fmax(w * (F - K), 0.0), upper = type == OPT_CALL ? F : K;
	if (p < intrinsic)
		return *why = "price below the discounted intrinsic value", OPT_EDOMAIN;
	if (p >= upper)
		return *why = "price at or above the no-arbitrage upper bound", OPT_EDOMAIN;
	if (p == intrinsic) {
		*vol = 0;
		return OPT_OK;
	}
	if (T == 0)
		return *why = "time value at zero expiry", OPT_EDOMAIN;
	/* the time value of the out-of-the-money twin (put-call parity),
	 * taken in price units: p - (F - K) is exact when the two are close,
	 * where subtracting the normalised intrinsic value would not be */
	double x = log(F / K), tv = p - intrinsic;
	/* near the money F/K rounds to eps, which is 1/|x| times more in x;
	 * F - K is exact there (Sterbenz) */
	if (F <= 2 * K && K <= 2 * F)
		x = log1p((F - K) / K);
	double s = implied_s_otm(tv / sqrt(F * K), -fabs(x), NULL);
	if (!(s > 0) || !isfinite(s))
		return *why = "price outside the no-arbitrage bounds", OPT_EDOMAIN;
	*vol = s / sqrt(T);
	return OPT_OK;
}

/* psi(z) = n(z) + z N(z) for z <= 0, the normalised Bachelier time value;
 * long double: psi loses about z^2 digits to cancellation in the tail. */
static long double bach_psi(long double z)
{
	return expl(-0.5L * z * z) / SQRT_2PI + z * cdfl(z);
}

int iv_bachelier(int type, double F, double K, double r, double T, double premium, double *vol,
		 const char **why)
{
	int st = check_inputs(type, F, K, r, T, premium, why);
	if (st)
		return st;
	double D = exp(-r * T), p = premium / D, w = type;
	double intrinsic = fmax(w * (F - K), 0.0);
	if (p < intrinsic)
		return *why = "price below the discounted intrinsic value", OPT_EDOMAIN;
	if (p == intrinsic) {
		*vol = 0;
		return OPT_OK;
	}
	if (T == 0)
		return *why = "time value at zero expiry", OPT_EDOMAIN;
	/* the time value v of the out-of-the-money twin (put-call parity):
	 * v = sd psi(z), z = -|F - K| / sd */
	double v = p - intrinsic, m = fabs(F - K);
	if (m == 0) {
		*vol = v * (double)SQRT_2PI / sqrt(T);
		return OPT_OK;
	}
	/* solve ln psi(z) - ln(-z) = ln(v / m) for z < 0: increasing in z,
	 * with slope N/psi - 1/z; Halley steps kept inside a bracket */
	double target = log(v / m), lo = -40, hi = 0, z;
	/* initial guess: the tail asymptote psi ~ n(z)/z^2 for small v/m,
	 * the at-the-money line psi ~ n(0) + z/2 for large */
	if (v / m < 0.1) {
		double L = -target - 0.5 * log(2 * M_PI);
		z = -sqrt(fmax(2 * L, 1.0));
		for (int i = 0; i < 3; i++)
			z = -sqrt(fmax(2 * (L - 3 * log(-z)), 1e-6));
	} else {
		z = -m / (v * (double)SQRT_2PI + 0.5 * m);
	}
	for (int i = 0; i < 60; i++) {
		long double ps = bach_psi(z);
		if (!(ps > 0)) {
			lo = z;
			z = 0.5 * (lo + hi);
			continue;
		}
		double f = (double)(logl(ps) - logl(-(long double)z)) - target;
		if (f > 0)
			hi = z;
		else
			lo = z;
		double N = (double)cdfl(z), n = normal_pdf(z), psd = (double)ps;
		double f1 = N / psd - 1 / z, f2 = (n * psd - N * N) / (psd * psd) + 1 / (z * z);
		double nu = -f / f1, dz = nu / (1 - 0.5 * nu * f2 / f1);
		if (!isfinite(dz) || dz * nu < 0)
			dz = nu;
		double zn = z + dz;
		if (!(zn > lo && zn < hi))
			zn = 0.5 * (lo + hi);
		if (fabs(zn - z) <= 2 * DBL_EPSILON * fabs(z)) {
			z = zn;
			break;
		}
		z = zn;
	}
	*vol = -m / z / sqrt(T);
	return OPT_OK;
}

int iv_american(int method, int type, double F, double K, double r, double T, double premium,
		double *vol, const char **why)
{
	int st = check_inputs(type, F, K, r, T, premium, why);
	if (st)
		return st;
	if (method != AMER_BAW && method != AMER_BS1993 && method != AMER_BS2002)
		return *why = "unknown American method", OPT_EDOMAIN;
	if (F <= 0 || K <= 0)
		return *why = "spot and strike must be positive", OPT_EDOMAIN;
	double w = type, intrinsic = fmax(w * (F - K), 0.0), upper = type == OPT_CALL ? F : K;
	if (premium < intrinsic)
		return *why = "price below the intrinsic value", OPT_EDOMAIN;
	if (premium >= upper)
		return *why = "price at or above the no-arbitrage upper bound", OPT_EDOMAIN;
	if (premium == intrinsic) {
		*vol = 0;
		return OPT_OK;
	}
	if (T == 0)
		return *why = "time value at zero expiry", OPT_EDOMAIN;
	/* The American premium is at least the European one, so the Black-76
	 * vol of the premium (where defined) bounds the answer from above. */
	double lo = 0, hi, sig, p;
	const char *w2;
	if (iv_black76(type, F, K, r, T, premium, &hi, &w2) || !(hi > 0))
		hi = 1;
	for (;;) {
		if (american_price(method, type, F, K, hi, r, 0.0, T, &p, why))
			return OPT_EDOMAIN;
		if (p >= premium)
			break;
		lo = hi, hi *= 2;
		if (hi > 1e3)
			return *why = "price above the model's range (vol above 1000)", OPT_EDOMAIN;
	}
	/* Newton with a finite-difference vega, bisecting whenever a step
	 * leaves the bracket [lo, hi] or the premium barely moves */
	sig = hi;
	for (int i = 0; i < 200; i++) {
		if (american_price(method, type, F, K, sig, r, 0.0, T, &p, why))
			return OPT_EDOMAIN;
		double diff = p - premium;
		if (diff == 0 || hi - lo <= 2 * DBL_EPSILON * hi)
			break;
		if (diff > 0)
			hi = sig;
		else
			lo = sig;
		double dv = 1e-7 * fmax(sig, 1e-4), pu, pd;
		if (american_price(method, type, F, K, sig + dv, r, 0.0, T, &pu, why) ||
		    american_price(method, type, F, K, fmax(sig - dv, 0.0), r, 0.0, T, &pd, why))
			return OPT_EDOMAIN;
		double vega = (pu - pd) / (sig + dv - fmax(sig - dv, 0.0));
		double next = vega > 0 ? sig - diff / vega : NAN;
		if (!(next > lo && next < hi))
			next = 0.5 * (lo + hi);
		if (fabs(next - sig) <= 2 * DBL_EPSILON * sig) {
			sig = next;
			*vol = sig;
			return OPT_OK;
		}
		sig = next;
	}
	if (hi - lo > 1e-10 * hi && fabs(p - premium) > 1e-12 * premium)
		return *why = "implied vol did not converge", OPT_ENUMERIC;
	*vol = sig;
	return OPT_OK;
}
