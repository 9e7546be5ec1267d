/*
 * riskfactor: risk-factor names.  A factor is a curve at a tenor (whole
 * months after the as-of month), named "CURVE:TENOR" ("NG_HH:3").  This
 * module owns that name - how it is built, parsed and canonicalised - and
 * the cap on tenors, so every tool that puts deltas on the factors of a
 * price history (qe-var, qe-optimize hedge) names and caps them alike.
 *
 * qe-optimize hedge carries a tenor beyond RISK_MAX_TENOR (months after
 * the as-of month) on the factor CURVE:RISK_MAX_TENOR (qe-formats(5),
 * HEDGE MENU); qe-var has no such cap: its exposures go to the longest
 * tenor the history has for the curve (risk/exposure).
 *
 * Owns nothing; never prints, never allocates.
 */
#ifndef QE_RISKFACTOR_H
#define QE_RISKFACTOR_H

#include <stddef.h>
#include <stdint.h>

#define RISK_MAX_TENOR 12
/* Longest curve name a factor name is built from, and a buffer that holds
 * any factor name built from one. */
#define RISK_CURVE_MAX 200
#define RISK_FACTOR_NAMESZ 256

/* The factor tenor of a position tenor (>= 0): min(tenor, RISK_MAX_TENOR). */
int64_t risk_factor_tenor(int64_t tenor);

/* Writes "CURVE:TENOR" (curve = the first curvelen bytes of curve, tenor
 * in decimal without leading zeros) and a NUL into buf; returns the length,
 * or -1 when the name does not fit in bufsz (never truncates). */
int risk_factor_name(char *buf, size_t bufsz, const char *curve, size_t curvelen, int64_t tenor);

/* Length of the curve part of a factor name (up to its last ':'; all of
 * it when there is no ':'). */
size_t risk_factor_curve_len(const char *name);

/* Splits "CURVE:TENOR" at the last ':' into the curve length and the
 * tenor.  0 on success; -1 unless the curve is non-empty and the tenor is
 * decimal digits only (leading zeros allowed) of value at most 100000. */
int risk_factor_parse(const char *name, size_t *curvelen, long *tenor);

/* The canonical name of a factor name ("NG:03" -> "NG:3") into out; -1
 * when name does not parse (risk_factor_parse) or does not fit in outsz. */
int risk_factor_canon(const char *name, char *out, size_t outsz);

#endif
