/* Unit tests for lib/core/num, the one number parser (qe-ingest's schema
 * included): its fast path for short decimals and its strtod path agree
 * with strtod, and what strtod would take leniently is refused. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/num.h"
#include "core/rng.h"
#include "unit.h"

/* s parses to exactly what strtod gives (same bits, so -0 too). */
static void same_as_strtod(const char *s)
{
	double a = 12345, b = strtod(s, NULL);
	int st = num_parse_double(s, strlen(s), &a);
	char name[128];
	snprintf(name, sizeof name, "'%s' parses as strtod does", s);
	UT_CHECK(st == NUM_OK && memcmp(&a, &b, sizeof a) == 0, name);
	if (st != NUM_OK || memcmp(&a, &b, sizeof a) != 0)
		printf("#   status %d, got %.17g, strtod %.17g\n", st, a, b);
}

static void refused(const char *s, int want)
{
	double a = 12345;
	char name[128];
	snprintf(name, sizeof name, "'%s' is refused (%d)", s, want);
	UT_EQ_INT(num_parse_double(s, strlen(s), &a), want, name);
	UT_CHECK(a == 12345, "a refused number leaves the output alone");
}


/* s against strtod, bit for bit (a range error counts as agreeing when
 * strtod reports one); prints the first few failures.  1 when they differ. */
static int differs_from_strtod(const char *s, int *shown)
{
	double a = 12345, b;
	errno = 0;
	b = strtod(s, NULL);
	int range = errno == ERANGE && (b == 0 || isinf(b));
	int st = num_parse_double(s, strlen(s), &a);
	int bad = range ? st != NUM_RANGE : (st != NUM_OK || memcmp(&a, &b, sizeof a) != 0);
	if (bad && (*shown)++ < 5)
		printf("# '%s': status %d, got %.17g (%a), strtod %.17g (%a)\n", s, st, a, a, b, b);
	return bad;
}

/* The Eisel-Lemire path (at most 19 significant digits, any exponent):
 * the texts bulk files hold (to_csv's 17 digits), exact ties, the
 * boundaries of the normal range, and millions of random ones. */
static void eisel_lemire_cases(void)
{
	static const char *const edge[] = {
		"4503599627370496.5", "4503599627370497.5", "9007199254740993", "9007199254740995",
		"18014398509481986", "18014398509481990", "9223372036854775807", "9223372036854775808",
		"18446744073709551615", "1844674407370955161.5", "0.1", "0.2", "0.30000000000000004",
		"1.7976931348623157e308", "1.7976931348623158e308", "1.797693134862315807e308",
		"1.7976931348623159e308", "2.2250738585072014e-308", "2.2250738585072011e-308",
		"2.2250738585072012e-308", "2.225073858507201e-308", "4.9406564584124654e-324",
		"2.4703282292062327e-324", "2.4703282292062328e-324", "1e-320", "-0.0000e5", "-0e-5",
		"+0.000000000000000000000000000000000000001e39", "0.0000000000000000000012345678901234567",
		"1234567890123456789e-19", "1234567890123456789e20", "9999999999999999999e288",
		"9999999999999999999e289", "1e-342", "1e-343", "1e308", "1e309", "123456789012345678",
		"8.98846567431158e307", "4.4501477170144023e-308", "3.0e-45", "7.2057594037927933e16",
		"-2.5e-3", "+1.5E+10", "1.e5", ".1e-5", "0000000000000000000001.5",
		"1.00000000000000000000", "100000000000000000000", "1e0023", "5e-324", "2e-323",
		"6.103515625e-05", "0.000030517578125", "1.448997445238699", "2.7182818284590452354"};
	int shown = 0, bad = 0;
	for (size_t k = 0; k < sizeof edge / sizeof *edge; k++)
		bad += differs_from_strtod(edge[k], &shown);
	UT_EQ_INT(bad, 0, "edge decimals parse as strtod does");

	qe_rng rng;
	rng_init(&rng, 20261206, 0);
	char s[80];
	/* every finite double's shortest and 17-digit texts */
	bad = 0;
	for (int k = 0; k < 1000000; k++) {
		uint64_t u = rng_u64(&rng);
		double x;
		memcpy(&x, &u, sizeof x);
		if (!isfinite(x))
			continue;
		snprintf(s, sizeof s, k & 1 ? "%.17g" : "%.16e", x);
		bad += differs_from_strtod(s, &shown);
	}
	UT_EQ_INT(bad, 0, "1000000 random doubles' 17-digit texts parse as strtod does");
	/* to_csv's numbers: values of the bench's sizes, shortest round trip */
	bad = 0;
	for (int k = 0; k < 1000000; k++) {
		double x = (double)(rng_u64(&rng) >> 11) * 0x1p-53 * pow(10, (int)(rng_u64(&rng) % 12) - 4);
		char b[NUM_BUFSZ];
		num_format_double(b, k & 1 ? -x : x);
		bad += differs_from_strtod(b, &shown);
	}
	UT_EQ_INT(bad, 0, "1000000 shortest round-trip texts parse as strtod does");
	/* random 1-19 digit mantissas with exponents over the whole range */
	bad = 0;
	for (int k = 0; k < 1000000; k++) {
		uint64_t u = rng_u64(&rng), m = rng_u64(&rng);
		int digits = 1 + (int)(u % 19);
		uint64_t p10 = 1;
		for (int d = 0; d < digits; d++)
			p10 *= 10;
		m %= p10;
		snprintf(s, sizeof s, "%s%" PRIu64 "e%d", (u >> 8) & 1 ? "-" : "", m,
			 (int)((u >> 16) % 700) - 360);
		bad += differs_from_strtod(s, &shown);
	}
	UT_EQ_INT(bad, 0, "1000000 random mantissas and exponents parse as strtod does");
	/* exact ties and their neighbours: (2^k + odd) / 2 at the rounding
	 * unit, and halves of the first 19-digit integers above 2^53 */
	bad = 0;
	for (int k = 0; k < 200000; k++) {
		uint64_t u = rng_u64(&rng);
		int sh = 53 + (int)(u % 11); /* 2^sh .. 2^(sh+1): ulp 2^(sh - 52) */
		uint64_t n = (UINT64_C(1) << sh) + ((rng_u64(&rng) >> (64 - sh)) & ~UINT64_C(0));
		uint64_t half = UINT64_C(1) << (sh - 53);
		n = (n & ~((half << 1) - 1)) + half + (uint64_t)((int)(u >> 40) % 3) - 1;
		snprintf(s, sizeof s, "%" PRIu64, n);
		bad += differs_from_strtod(s, &shown);
		uint64_t m = (UINT64_C(1) << 52) + (rng_u64(&rng) >> 12);
		snprintf(s, sizeof s, "%" PRIu64 ".5", m & ((UINT64_C(1) << 53) - 1));
		bad += differs_from_strtod(s, &shown);
		snprintf(s, sizeof s, "%" PRIu64 ".5e-%d", m & ((UINT64_C(1) << 53) - 1), (int)(u % 40));
		bad += differs_from_strtod(s, &shown);
	}
	UT_EQ_INT(bad, 0, "600000 ties and near-ties parse as strtod does");
}

int main(void)
{
	/* fast path: plain decimals of at most 15 digits */
	const char *fast[] = {"0", "-0", "+0", "1", "+1", "-1", "1.", ".5", "-.5", "+.25", "0.1", "0.3",
			      "123456789012345", "-99999999999999.9", "0.000000000000001", "1.00000000000000",
			      "000000000000007", "3.14159265358979", "0.000001"};
	for (size_t k = 0; k < sizeof fast / sizeof *fast; k++)
		same_as_strtod(fast[k]);
	/* slow path: exponents, 16+ digits, subnormals, the extremes */
	const char *slow[] = {"1e0", "1E+2", "-2.5e-3", "1e22", "1e23", "1.7976931348623157e308",
			      "2.2250738585072014e-308", "2.2250738585072011e-308", "4.9406564584124654e-324",
			      "5e-324", "1e-310", "0.30000000000000004", "1234567890123456",
			      "12345678901234567", "123456789012345678901234567890", "9007199254740993",
			      "0.1000000000000000055511151231257827", "+1.5e+10", ".5e1", "5.e-1",
			      "0000000000000000000000000001"};
	for (size_t k = 0; k < sizeof slow / sizeof *slow; k++)
		same_as_strtod(slow[k]);

	/* what strtod would take and num refuses */
	const char *syntax[] = {"0x10", "0X1p3", "-0x1", "1,5", " 1", "1 ", "12abc", "1e", "1e+", "e5", ".",
				"-", "+", "--1", "+-1", "1..2", "1.2.3", "\t1", "1_000", "١"};
	for (size_t k = 0; k < sizeof syntax / sizeof *syntax; k++)
		refused(syntax[k], NUM_SYNTAX);
	const char *nonfinite[] = {"nan", "NaN", "-nan", "+nan", "inf", "-inf", "Inf", "infinity", "-Infinity",
				   "nan(0x1)"};
	for (size_t k = 0; k < sizeof nonfinite / sizeof *nonfinite; k++)
		refused(nonfinite[k], NUM_NONFINITE);
	refused("1e400", NUM_RANGE);
	refused("-1e400", NUM_RANGE);
	refused("1e-400", NUM_RANGE);
	refused("", NUM_EMPTY);
	double x = 0;
	UT_EQ_INT(num_parse_double("1.5xyz", 3, &x), NUM_OK, "only len bytes are read");
	UT_CHECK(x == 1.5, "1.5 of '1.5xyz'");

	/* random decimals either side of the fast path's 15 digits, with and
	 * without exponents, against strtod */
	qe_rng rng;
	rng_init(&rng, 20261125, 0);
	int bad = 0;
	for (int k = 0; k < 300000; k++) {
		char s[64];
		uint64_t u = rng_u64(&rng);
		int digits = 1 + (int)(u % 20), point = (int)((u >> 8) % 24), sign = (int)((u >> 16) % 3);
		int n = 0;
		if (sign)
			s[n++] = sign == 1 ? '-' : '+';
		for (int d = 0; d < digits; d++) {
			if (d == point)
				s[n++] = '.';
			s[n++] = (char)('0' + rng_u64(&rng) % 10);
		}
		if ((u >> 24) % 4 == 0)
			n += snprintf(s + n, sizeof s - (size_t)n, "e%d", (int)((u >> 32) % 640) - 330);
		s[n] = '\0';
		double a, b;
		errno = 0;
		b = strtod(s, NULL);
		int st = num_parse_double(s, (size_t)n, &a);
		int range = errno == ERANGE && (b == 0 || b > 1e308 || b < -1e308);
		if (range ? st != NUM_RANGE : (st != NUM_OK || memcmp(&a, &b, sizeof a) != 0)) {
			if (bad++ < 5)
				printf("# '%s': status %d, got %.17g, strtod %.17g\n", s, st, a, b);
		}
	}
	UT_EQ_INT(bad, 0, "300000 random decimals parse as strtod does");
	eisel_lemire_cases();
	return ut_done();
}
