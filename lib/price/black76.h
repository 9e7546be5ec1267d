/*
 * black76: European options on futures and forwards - Black-76
 * (lognormal) and Bachelier (normal) - with analytic greeks, one option
 * at a time or a whole array at once (OpenMP threads + SIMD lanes).
 *
 * Conventions (DOMAIN.md): F forward, K strike, vol annualised (lognormal:
 * 0.35 = 35%; normal: price units per sqrt(year)), r continuously
 * compounded, T years ACT/365F, premium discounted with D = exp(-r T).
 * Greeks per unit of underlying: delta = dV/dF, gamma = d2V/dF2, vega =
 * dV/dvol per 1.00 of vol, theta = -dV/dT per year (calendar time passing).
 * At T = 0 or vol = 0 the value is the discounted intrinsic value, delta
 * the discounted exercise indicator and gamma = vega = 0.
 *
 * Owns nothing; never prints.  Inputs out of the model's domain give
 * OPT_EDOMAIN and a reason string, never a silent zero.
 */
#ifndef QE_BLACK76_H
#define QE_BLACK76_H

#include <stddef.h>

typedef struct opt_greeks {
	double price, delta, gamma, vega, theta;
} opt_greeks;

enum opt_type { OPT_CALL = 1, OPT_PUT = -1 };

enum opt_status { OPT_OK = 0, OPT_EDOMAIN = 1, OPT_ENUMERIC = 2 };

/* Parses "call"/"put" (case-insensitive); 0 when neither. */
int opt_type_parse(const char *s);
/* Same for s[0..len), which ends at its first NUL byte if it has one. */
int opt_type_parse_n(const char *s, size_t len);

/* Returns OPT_OK, or OPT_EDOMAIN with *why set (F <= 0, K <= 0, vol < 0,
 * T < 0, non-finite input). */
int black76(int type, double F, double K, double vol, double r, double T, opt_greeks *g,
	    const char **why);
int bachelier(int type, double F, double K, double vol, double r, double T, opt_greeks *g,
	      const char **why);

#endif
