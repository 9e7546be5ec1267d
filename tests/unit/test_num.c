/* Unit tests for lib/core/num, the one number parser (qe-ingest's schema
 * included): its fast path for short decimals and its strtod path agree
 * with strtod, and what strtod would take leniently is refused. */
#include <errno.h>
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
	return ut_done();
}
