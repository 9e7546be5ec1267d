/*
 * normal: the standard normal distribution - density, cumulative
 * distribution (accurate in both tails), and the bivariate cumulative
 * distribution (Genz 2004, after Drezner-Wesolowsky).
 *
 * Shared by the option models (qe-price) and the risk measures (qe-var).
 * Owns nothing; never prints; pure functions, safe from any thread.
 */
#ifndef QE_NORMAL_H
#define QE_NORMAL_H

/* n(x) = exp(-x^2/2) / sqrt(2 pi) */
double normal_pdf(double x);
/* N(x) = P(Z <= x), computed as erfc(-x/sqrt 2)/2 so that the lower tail
 * keeps full relative precision. */
double normal_cdf(double x);
/* Inverse of N (Acklam's rational approximation refined by one Halley
 * step, about 1e-15 relative); p outside (0,1) gives -inf/+inf/NaN. */
double normal_quantile(double p);
/* M(a, b; rho) = P(X <= a, Y <= b) for standard normals with correlation
 * rho in [-1, 1]; absolute error below 1e-15 (Genz's BVND). */
double normal_cdf2(double a, double b, double rho);

#endif
