/*
 * num: strict, locale-independent number parsing and round-trip printing.
 *
 * Every number a tool reads from a file or the command line goes through
 * here, so "1,5", "12abc", " 3", "nan", "inf", "0x1p3" and "1e400" are
 * refused the same way everywhere.  Printing gives the text C's "%.15g"
 * gives when it reads back to the same double, else "%.16g", else
 * "%.17g" (for normal doubles the shortest decimal that reads back, but
 * for a power of two whose closest 16 digits do not), computed exactly
 * with Schubfach's 126-bit multipliers (lib/core/pow10tab.h, written by
 * mk/gen_pow10.py) instead of printf and strtod.  Parsing is correctly
 * rounded, bit for bit strtod's result: short plain decimals by one
 * division, up to 19 significant digits by the Eisel-Lemire method (128-bit
 * powers of ten, lib/core/pow10exact.h from mk/gen_pow10exact.py), the
 * rest (and the rare product too close to a rounding boundary) by strtod.
 * Owns nothing; never prints.  Relies on the process staying in the "C"
 * numeric locale: no tool calls setlocale(LC_ALL, "").
 */
#ifndef QE_NUM_H
#define QE_NUM_H

#include <stddef.h>
#include <stdint.h>

enum num_status {
	NUM_OK = 0,
	NUM_EMPTY,      /* empty string */
	NUM_SYNTAX,     /* not a decimal number, or trailing junk */
	NUM_NONFINITE,  /* nan/inf spelled out */
	NUM_RANGE       /* overflow (1e400) or underflow to zero (1e-400) */
};

/* Parses all of s[0..len) as a finite decimal double.  Accepts an optional
 * sign, digits with one '.', and an exponent.  No spaces, no hex. */
int num_parse_double(const char *s, size_t len, double *out);
/* Same for NUL-terminated strings. */
int num_parse_double_z(const char *s, double *out);
/* Parses a decimal integer (optional sign) that fits in int64. */
int num_parse_int64(const char *s, size_t len, int64_t *out);
int num_parse_int64_z(const char *s, int64_t *out);

/* Human-readable reason for a num_status ("not a number", ...). */
const char *num_status_str(int status);

/* Shortest round-trip representation of x into buf (at least 32 bytes);
 * returns the length.  NaN prints as "nan", infinities as "inf"/"-inf",
 * negative zero as "0". */
#define NUM_BUFSZ 32
int num_format_double(char *buf, double x);

#endif
