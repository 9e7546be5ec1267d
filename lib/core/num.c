#include "core/num.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks the grammar ourselves so strtod's leniency (leading spaces, hex,
 * "infinity", locale decimal point) can never leak in. */
static int decimal_grammar_ok(const char *s, size_t len)
{
	size_t i = 0, digits = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, digits++;
	}
	if (digits == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp_digits = 0;
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, exp_digits++;
		if (exp_digits == 0)
			return 0;
	}
	return i == len;
}

static int looks_nonfinite(const char *s, size_t len)
{
	size_t i = (len > 0 && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
	if (len - i < 3)
		return 0;
	return strncasecmp(s + i, "nan", 3) == 0 || strncasecmp(s + i, "inf", 3) == 0;
}

static const double pow10_exact[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* The fast path for short plain decimals ("-12.375", at most 15 digits,
 * no exponent), the bulk of every input file: the digits as an integer
 * below 10^15 < 2^53 and the power of ten are both exact, so one IEEE
 * division rounds correctly, as strtod does.  0 when it applies. */
static int parse_short_decimal(const char *s, size_t len, double *out)
{
	size_t i = 0;
	int neg = 0, digits = 0, frac = 0;
	uint64_t m = 0;
	if (len && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		m = m * 10 + (uint64_t)(s[i] - '0');
	if (i < len && s[i] == '.')
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++, frac++)
			m = m * 10 + (uint64_t)(s[i] - '0');
	if (i != len || digits == 0 || digits > 15)
		return -1;
	double v = (double)m / pow10_exact[frac];
	*out = neg ? -v : v;
	return 0;
}

#include "core/pow10exact.h"

/* 1 when the 8 bytes v (read from memory, little-endian) are all digits:
 * each byte's high nibble is 3 and adding 6 to the low one does not
 * carry (D. Lemire's test). */
static inline int num_eight_digits(uint64_t v)
{
	return ((v & UINT64_C(0xF0F0F0F0F0F0F0F0)) |
		(((v + UINT64_C(0x0606060606060606)) & UINT64_C(0xF0F0F0F0F0F0F0F0)) >> 4)) ==
	       UINT64_C(0x3333333333333333);
}

/* The value of 8 digit bytes, first byte most significant: pairs, then
 * quadruples, then the whole, by multiplies within the word. */
static inline uint32_t num_eight_digits_value(uint64_t v)
{
	const uint64_t mask = UINT64_C(0x000000FF000000FF);
	const uint64_t mul1 = UINT64_C(100) + (UINT64_C(1000000) << 32);
	const uint64_t mul2 = UINT64_C(1) + (UINT64_C(10000) << 32);
	v -= UINT64_C(0x3030303030303030);
	v = v * 10 + (v >> 8);
	return (uint32_t)(((v & mask) * mul1 + ((v >> 16) & mask) * mul2) >> 32);
}

__extension__ typedef unsigned __int128 num_parse_u128;

/* The correctly rounded parser for every other decimal with at most 19
 * significant digits (to_csv's 17-digit round-trip numbers, exponents):
 * the Eisel-Lemire method (D. Lemire, "Number Parsing at a Gigabyte per
 * Second", 2021).  The digits w (shifted to fill 64 bits) times the
 * 128-bit truncation T of 10^q give a 192-bit P that is below the exact
 * product by less than 2^64 (0 when T is exact, 0 <= q <= 55).  The 53
 * bits, the rounding bit and whether anything is below follow from P
 * unless the bits between the rounding bit and bit 64 are all ones (a
 * carry from the unknown part could reach them): that case, a zero,
 * more digits, a subnormal or out-of-range result are left to strtod.
 * Returns 0 when it applies. */
static int parse_eisel_lemire(const char *s, size_t len, double *out)
{
	size_t i = 0;
	int neg = 0, nd = 0, any = 0;
	uint64_t w = 0;
	long q = 0, ex = 0;
	if (len && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		any = 1;
		if (w == 0 && s[i] == '0')
			continue;
		if (nd++ == 19)
			return -1;
		w = w * 10 + (uint64_t)(s[i] - '0');
	}
	if (i < len && s[i] == '.')
		for (i++; i < len;) {
			/* eight significant digits at once while they fit */
			if (w != 0 && nd <= 11 && len - i >= 8) {
				uint64_t eight;
				memcpy(&eight, s + i, 8);
				if (num_eight_digits(eight)) {
					w = w * 100000000 + num_eight_digits_value(eight);
					nd += 8;
					q -= 8;
					i += 8;
					continue;
				}
			}
			if (s[i] < '0' || s[i] > '9')
				break;
			any = 1;
			q--;
			if (w == 0 && s[i] == '0') {
				i++;
				continue;
			}
			if (nd++ == 19)
				return -1;
			w = w * 10 + (uint64_t)(s[i++] - '0');
		}
	if (!any)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		int eneg = 0, edigits = 0;
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, edigits++)
			if (ex < 100000)
				ex = ex * 10 + (s[i] - '0');
		if (!edigits)
			return -1;
		q += eneg ? -ex : ex;
	}
	if (i != len || w == 0 || q < POW10EXACT_Q_MIN || q > POW10EXACT_Q_MAX)
		return -1;

	int lz = __builtin_clzll(w);
	uint64_t wn = w << lz, th = pow10exact[q - POW10EXACT_Q_MIN].hi,
		 tl = pow10exact[q - POW10EXACT_Q_MIN].lo;
	num_parse_u128 ph = (num_parse_u128)wn * th, pl = (num_parse_u128)wn * tl;
	num_parse_u128 mid = (pl >> 64) + (uint64_t)ph;
	uint64_t w0 = (uint64_t)pl, w1 = (uint64_t)mid, w2 = (uint64_t)(ph >> 64) + (uint64_t)(mid >> 64);
	int upper = (int)(w2 >> 63), shift = 9 + upper; /* P's top bit is 190 + upper */
	uint64_t below = w2 & ((UINT64_C(1) << shift) - 1), m = w2 >> shift; /* 54 bits */
	int exact = q >= 0 && q <= 55, sticky;
	if (exact)
		sticky = below || w1 || w0;
	else if (below == (UINT64_C(1) << shift) - 1 && w1 == UINT64_MAX)
		return -1;
	else
		sticky = 1;
	int round = (int)(m & 1);
	m >>= 1;
	long e2 = 138 + upper + pow10exact[q - POW10EXACT_Q_MIN].e - lz; /* unit of m */
	if (round && (sticky || (m & 1)) && ++m == UINT64_C(1) << 53) {
		m >>= 1;
		e2++;
	}
	long biased = e2 + 1075;
	if (biased < 1 || biased > 2046)
		return -1;
	uint64_t bits = (uint64_t)neg << 63 | (uint64_t)biased << 52 | (m & ((UINT64_C(1) << 52) - 1));
	memcpy(out, &bits, sizeof bits);
	return 0;
}

int num_parse_double(const char *s, size_t len, double *out)
{
	char stackbuf[64];
	char *buf = stackbuf, *end;
	double v;
	int rc = NUM_OK;

	if (len == 0)
		return NUM_EMPTY;
	/* one pass over the digits for nearly every number; zeros next */
	if (parse_eisel_lemire(s, len, out) == 0)
		return NUM_OK;
	if (parse_short_decimal(s, len, out) == 0)
		return NUM_OK;
	if (!decimal_grammar_ok(s, len))
		return looks_nonfinite(s, len) ? NUM_NONFINITE : NUM_SYNTAX;
	if (len >= sizeof stackbuf) {
		buf = malloc(len + 1);
		if (!buf)
			return NUM_RANGE;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (errno == ERANGE && (isinf(v) || v == 0.0))
		rc = NUM_RANGE;
	else if (end != buf + len)
		rc = NUM_SYNTAX;
	if (buf != stackbuf)
		free(buf);
	if (rc == NUM_OK)
		*out = v;
	return rc;
}

int num_parse_double_z(const char *s, double *out)
{
	return num_parse_double(s, strlen(s), out);
}

int num_parse_int64(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	uint64_t acc = 0, limit;

	if (len == 0)
		return NUM_EMPTY;
	if (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return NUM_SYNTAX;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++) {
		unsigned d;
		if (s[i] < '0' || s[i] > '9')
			return NUM_SYNTAX;
		d = (unsigned)(s[i] - '0');
		if (acc > (limit - d) / 10)
			return NUM_RANGE;
		acc = acc * 10 + d;
	}
	*out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
	return NUM_OK;
}

int num_parse_int64_z(const char *s, int64_t *out)
{
	return num_parse_int64(s, strlen(s), out);
}

const char *num_status_str(int status)
{
	switch (status) {
	case NUM_OK: return "ok";
	case NUM_EMPTY: return "empty value";
	case NUM_SYNTAX: return "not a number";
	case NUM_NONFINITE: return "not a finite number";
	case NUM_RANGE: return "number out of range";
	}
	return "bad number";
}

/* Printing.
 *
 * The text is the one the tools have always printed: C's "%.15g" when it
 * reads back to x, else "%.16g" when it does, else "%.17g".  It is now
 * computed exactly, without printf or strtod.  Let n be the length of
 * the shortest decimal that reads back to x (the shortest in x's rounding
 * interval, the closest to x of those, ties to even: Schubfach, R.
 * Giulietti, "The Schubfach way to render doubles", 2020).  Then:
 * - n <= 15: no two decimals of 15 digits read to the same double
 *   (DBL_DIG), so "%.15g" prints that shortest decimal;
 * - n == 17: "%.17g", the 17 digits closest to x, always reads back, so
 *   it is in the interval and is the closest one there: the same digits;
 * - n == 16: "%.16g" prints the 16 digits closest to x; when the interval
 *   is symmetric they are in it whenever any 16 digits are, and are the
 *   shortest decimal.  Only at a power of two is the interval narrower
 *   below x than above: there the closest 16 digits may be outside it,
 *   "%.16g" fails to read back and "%.17g" is printed.
 * The precision (15, 16 or 17) also decides where %g switches to the
 * exponent form.  tests/unit/test_num.c keeps the old printer as the
 * oracle. */

__extension__ typedef unsigned __int128 num_u128;

#include "core/pow10tab.h"

#define NUM_Q_MIN (-1074)               /* exponent of the subnormals */
#define NUM_C_MIN (UINT64_C(1) << 52)   /* smallest normal significand */
#define NUM_MASK63 ((UINT64_C(1) << 63) - 1)

/* floor(a / 2^s), without shifting a negative number */
static inline int num_floor_shift(int64_t a, int s)
{
	if (a >= 0)
		return (int)(a >> s);
	return -(int)((-a + ((INT64_C(1) << s) - 1)) >> s);
}

/* floor(q log10 2), floor(log10(3/4 2^q)), floor(e log2 10): exact for
 * |q|, |e| <= 1200 (checked against exact powers in test_num). */
static inline int num_flog10_pow2(int q)
{
	return num_floor_shift((int64_t)q * INT64_C(661971961084), 41);
}

static inline int num_flog10_three_quarters_pow2(int q)
{
	return num_floor_shift((int64_t)q * INT64_C(661971961084) - INT64_C(274743187321), 41);
}

static inline int num_flog2_pow10(int e)
{
	return num_floor_shift((int64_t)e * INT64_C(913124641741), 38);
}

/* g * cp / 2^127 rounded to odd (the floor, its lowest bit set when the
 * quotient is not an integer), g = g[0] 2^63 + g[1].  Compared with an
 * even integer, the result compares as the exact quotient does. */
static inline uint64_t num_round_to_odd(const uint64_t g[2], uint64_t cp)
{
	num_u128 lo = (num_u128)g[1] * cp, hi = (num_u128)g[0] * cp;
	uint64_t z = ((uint64_t)hi >> 1) + (uint64_t)(lo >> 64);
	uint64_t floor_part = (uint64_t)(hi >> 64) + (z >> 63);
	return floor_part | (((z & NUM_MASK63) + NUM_MASK63) >> 63);
}

/* vb = 4 v (rounded to odd) in units of 10^k: s or s + 1, whichever is
 * closer to v, the even one on a tie. */
static inline uint64_t num_closest(uint64_t vb, uint64_t s)
{
	uint64_t mid = 4 * s + 2;
	return vb < mid || (vb == mid && !(s & 1)) ? s : s + 1;
}

/* Same for the multiples of ten sp10 and sp10 + 10. */
static inline uint64_t num_closest10(uint64_t vb, uint64_t sp10)
{
	uint64_t mid = 4 * sp10 + 20;
	return vb < mid || (vb == mid && !((sp10 / 10) & 1)) ? sp10 : sp10 + 10;
}

static const uint64_t num_pow10_u64[20] = {
	UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000), UINT64_C(10000), UINT64_C(100000),
	UINT64_C(1000000), UINT64_C(10000000), UINT64_C(100000000), UINT64_C(1000000000),
	UINT64_C(10000000000), UINT64_C(100000000000), UINT64_C(1000000000000),
	UINT64_C(10000000000000), UINT64_C(100000000000000), UINT64_C(1000000000000000),
	UINT64_C(10000000000000000), UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
	UINT64_C(10000000000000000000)};

/* Decimal digits of f: floor(log10 f) + 1 from the bit length (1233 /
 * 4096 is log10 2 a little low), corrected by one comparison. */
static inline int num_digit_count(uint64_t f)
{
	int t = (64 - __builtin_clzll(f | 1)) * 1233 >> 12;
	return t + (f >= num_pow10_u64[t]);
}

static inline uint64_t num_strip_zeros(uint64_t f, int *e)
{
	while (f % 10 == 0)
		f /= 10, ++*e;
	return f;
}

/* The decimal f 10^e (no trailing zeros) the old printer printed for
 * x = c 2^q > 0; returns the precision it printed with. */
static int num_old_printer_decimal(uint64_t c, int q, uint64_t *fp, int *ep)
{
	*ep = 0;
	if (q < 0 && q > -53 && ((c >> -q) << -q) == c) {
		/* an integer below 2^53 is its own shortest decimal */
		*fp = num_strip_zeros(c >> -q, ep);
		return num_digit_count(*fp) <= 15 ? 15 : 16;
	}
	int asym = c == NUM_C_MIN && q != NUM_Q_MIN;
	uint64_t cb = c << 2, cbr = cb + 2, cbl = asym ? cb - 1 : cb - 2;
	int k = asym ? num_flog10_three_quarters_pow2(q) : num_flog10_pow2(q);
	int h = q + num_flog2_pow10(-k) + 2;
	const uint64_t *g = pow10tab[k - POW10TAB_K_MIN];
	uint64_t vb = num_round_to_odd(g, cb << h);
	uint64_t vbl = num_round_to_odd(g, cbl << h), vbr = num_round_to_odd(g, cbr << h);
	uint64_t out = c & 1; /* the interval's ends read back to x iff c is even */
	uint64_t s = vb >> 2, sp10 = s / 10 * 10, tp10 = sp10 + 10, f;
	/* The interval is less than 10 units wide: at most one multiple of
	 * ten lies in it, and if one does it is shorter than s. */
	int sp10_in = vbl + out <= sp10 << 2, tp10_in = (tp10 << 2) + out <= vbr;
	if (sp10_in != tp10_in) {
		f = sp10_in ? sp10 : tp10;
	} else {
		int s_in = vbl + out <= s << 2, t_in = ((s + 1) << 2) + out <= vbr;
		f = s_in != t_in ? (s_in ? s : s + 1) : num_closest(vb, s);
	}
	int e = k;
	uint64_t shortest = num_strip_zeros(f, &e);
	int n = num_digit_count(shortest);
	*fp = shortest;
	*ep = e;
	if (n <= 15)
		return 15;
	if (n == 17 || !asym)
		return n;
	/* n == 16 at a power of two: is it the closest 16 digits? */
	int long_s = s >= UINT64_C(10000000000000000);
	uint64_t closest16 = long_s ? num_closest10(vb, sp10) : num_closest(vb, s);
	if (closest16 == f)
		return 16;
	/* No: "%.17g", the closest 17 digits, at 10^k or at 10^(k-1). */
	if (long_s) {
		e = k;
		f = num_closest(vb, s);
	} else {
		e = k - 1;
		h = q + num_flog2_pow10(-e) + 2;
		vb = num_round_to_odd(pow10tab[e - POW10TAB_K_MIN], cb << h);
		f = num_closest(vb, vb >> 2);
	}
	*fp = num_strip_zeros(f, &e);
	*ep = e;
	return 17;
}

static const char num_digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* The n decimal digits of f (n = num_digit_count(f)) at q[0..n), from
 * the right, 8 at a time and two per table look-up.  Written where they
 * go, not copied there: a copy would read back bytes just stored in
 * pieces, which the CPU cannot forward (a stall per number). */
static inline void num_put_digits(char *q, uint64_t f, int n)
{
	char *e = q + n;
	while (f >= 100000000) {
		uint32_t lo = (uint32_t)(f % 100000000), hi = lo / 10000, lo4 = lo % 10000;
		f /= 100000000;
		e -= 8;
		memcpy(e, num_digit_pairs + 2 * (hi / 100), 2);
		memcpy(e + 2, num_digit_pairs + 2 * (hi % 100), 2);
		memcpy(e + 4, num_digit_pairs + 2 * (lo4 / 100), 2);
		memcpy(e + 6, num_digit_pairs + 2 * (lo4 % 100), 2);
	}
	uint32_t v = (uint32_t)f;
	while (v >= 100) {
		e -= 2;
		memcpy(e, num_digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(e - 2, num_digit_pairs + 2 * v, 2);
	else
		e[-1] = (char)('0' + v);
}

/* f 10^e as "%.{prec}g" prints it (f has no trailing zeros). */
static int num_format_g(char *buf, int negative, uint64_t f, int e, int prec)
{
	int n = num_digit_count(f);
	int x = n - 1 + e; /* f 10^e = d.ddd 10^x */
	char *p = buf;
	if (negative)
		*p++ = '-';
	if (x < -4 || x >= prec) {
		/* the digits one to the right, then the first moved before the point */
		num_put_digits(p + 1, f, n);
		p[0] = p[1];
		if (n > 1) {
			p[1] = '.';
			p += n + 1;
		} else {
			p++;
		}
		*p++ = 'e';
		*p++ = x < 0 ? '-' : '+';
		int ax = x < 0 ? -x : x;
		if (ax >= 100)
			*p++ = (char)('0' + ax / 100);
		*p++ = (char)('0' + ax / 10 % 10);
		*p++ = (char)('0' + ax % 10);
	} else if (x >= 0) {
		if (n <= x + 1) {
			num_put_digits(p, f, n);
			p += n;
			memset(p, '0', (size_t)(x + 1 - n));
			p += x + 1 - n;
		} else {
			num_put_digits(p + 1, f, n);
			for (int i = 0; i <= x; i++)
				p[i] = p[i + 1];
			p[x + 1] = '.';
			p += n + 1;
		}
	} else {
		*p++ = '0';
		*p++ = '.';
		memset(p, '0', (size_t)(-x - 1));
		p += -x - 1;
		num_put_digits(p, f, n);
		p += n;
	}
	*p = '\0';
	return (int)(p - buf);
}

int num_format_double(char *buf, double x)
{
	if (isnan(x))
		return (int)(memcpy(buf, "nan", 4), 3);
	if (isinf(x))
		return x > 0 ? (int)(memcpy(buf, "inf", 4), 3) : (int)(memcpy(buf, "-inf", 5), 4);
	if (x == 0.0)
		return (int)(memcpy(buf, "0", 2), 1);
	uint64_t bits;
	memcpy(&bits, &x, sizeof bits);
	int biased = (int)(bits >> 52 & 0x7ff);
	uint64_t c = bits & (NUM_C_MIN - 1);
	if (biased == 0) {
		/* A subnormal has fewer than 15 significant digits of precision,
		 * so "%.15g" usually reads back while being longer than the
		 * shortest decimal, and the reasoning above fails.  They never
		 * occur in market data: ask printf and strtod, as before. */
		int n = 0;
		for (int prec = 15; prec <= 17; prec++) {
			n = snprintf(buf, NUM_BUFSZ, "%.*g", prec, x);
			if (prec == 17 || strtod(buf, NULL) == x)
				break;
		}
		return n;
	}
	uint64_t f;
	int e;
	int prec = num_old_printer_decimal(c | NUM_C_MIN, biased - 1075, &f, &e);
	return num_format_g(buf, (int)(bits >> 63), f, e, prec);
}
