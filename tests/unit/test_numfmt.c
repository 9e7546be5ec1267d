/* Unit tests for num_format_double, lib/core/num's shortest round-trip
 * printer: its text is byte for byte the one of the printer it replaced
 * (kept below as the oracle: "%.15g", "%.16g" or "%.17g", the first that
 * strtod reads back), on special values, every power of two and of ten
 * and their neighbours, halfway cases, integers and QE_NUMFMT_N (default
 * ten million) random bit patterns; its digits are those of Python's
 * repr() (the shortest round trip) on random doubles. */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/num.h"
#include "unit.h"

/* The printer before Schubfach, verbatim: the oracle. */
static int old_format_double(char *buf, double x)
{
	int n;
	if (isnan(x))
		return (int)(memcpy(buf, "nan", 4), 3);
	if (isinf(x))
		return x > 0 ? (int)(memcpy(buf, "inf", 4), 3) : (int)(memcpy(buf, "-inf", 5), 4);
	if (x == 0.0)
		return (int)(memcpy(buf, "0", 2), 1);
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(buf, NUM_BUFSZ, "%.*g", prec, x);
		if (prec == 17 || strtod(buf, NULL) == x)
			break;
	}
	return n;
}

static long n_checked, n_differ;

/* Counts a difference, printing the first few. */
static void same_as_old(double x)
{
	char a[NUM_BUFSZ + 8], b[NUM_BUFSZ + 8];
	memset(a, 'X', sizeof a);
	int na = num_format_double(a, x), nb = old_format_double(b, x);
	n_checked++;
	if (na != nb || strcmp(a, b) != 0 || a[na] != '\0') {
		if (n_differ++ < 10) {
			uint64_t bits;
			memcpy(&bits, &x, sizeof bits);
			printf("#   %016" PRIx64 ": new '%s' (%d), old '%s' (%d)\n", bits, a, na, b, nb);
		}
	}
}

static double from_bits(uint64_t bits)
{
	double x;
	memcpy(&x, &bits, sizeof x);
	return x;
}

static uint64_t to_bits(double x)
{
	uint64_t bits;
	memcpy(&bits, &x, sizeof bits);
	return bits;
}

/* x and its neighbours up to k ulps away, both signs. */
static void around(double x, int k)
{
	if (!isfinite(x))
		return;
	uint64_t b = to_bits(fabs(x));
	for (int d = -k; d <= k; d++) {
		if ((d < 0 && b < (uint64_t)-d))
			continue;
		double y = from_bits(b + (uint64_t)(int64_t)d);
		if (!isfinite(y))
			continue;
		same_as_old(y);
		same_as_old(-y);
	}
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* The digits without leading or trailing zeros and the exponent x of
 * d.ddd 10^x of a decimal text ("1.5e-07", "0.0012", "-3000"). */
static void digits_of(const char *s, char *dig, int *exp10)
{
	char all[64];
	int n = 0, before = -1, e = 0;
	const char *p = s + (*s == '-');
	for (; *p && *p != 'e' && *p != 'E' && n < 63; p++) {
		if (*p == '.')
			before = n;
		else
			all[n++] = *p;
	}
	if (before < 0)
		before = n;
	if (*p == 'e' || *p == 'E')
		e = atoi(p + 1);
	int z = 0;
	while (z < n - 1 && all[z] == '0')
		z++;
	int m = n;
	while (m > z + 1 && all[m - 1] == '0')
		m--;
	memcpy(dig, all + z, (size_t)(m - z));
	dig[m - z] = '\0';
	*exp10 = before - 1 - z + e;
}

static void python_repr_digits(void)
{
	/* Python prints bit patterns and repr(); non-finite ones are skipped. */
	const char *cmd = "/usr/bin/python3 -c '"
			  "import random, struct\n"
			  "r = random.Random(20261205)\n"
			  "n = 0\n"
			  "while n < 200000:\n"
			  "    b = r.getrandbits(64)\n"
			  "    x = struct.unpack(\"<d\", struct.pack(\"<Q\", b))[0]\n"
			  "    if x != x or x in (float(\"inf\"), float(\"-inf\")) or abs(x) < 2.2250738585072014e-308: continue\n"
			  "    print(\"%016x %s\" % (b, repr(x)))\n"
			  "    n += 1\n"
			  "'";
	FILE *py = popen(cmd, "r");
	UT_CHECK(py != NULL, "python3 runs");
	if (!py)
		return;
	char line[128];
	long lines = 0, bad = 0;
	while (fgets(line, sizeof line, py)) {
		uint64_t bits = strtoull(line, NULL, 16);
		char *repr = line + 17;
		repr[strcspn(repr, "\n")] = '\0';
		char ours[NUM_BUFSZ], d1[32], d2[32];
		int e1, e2;
		num_format_double(ours, from_bits(bits));
		digits_of(ours, d1, &e1);
		digits_of(repr, d2, &e2);
		lines++;
		if (strcmp(d1, d2) != 0 || e1 != e2) {
			if (bad++ < 10)
				printf("#   %016" PRIx64 ": ours '%s' (%s e%d), repr '%s' (%s e%d)\n", bits, ours, d1,
				       e1, repr, d2, e2);
		}
	}
	UT_EQ_INT(pclose(py), 0, "python3 exits 0");
	UT_EQ_INT(lines, 200000, "python3 gave 200000 doubles");
	UT_EQ_INT(bad, 0, "the digits and exponent are those of Python's repr()");
}

static void check_digits_of(const char *s, const char *want, int want_e)
{
	char d[32];
	int e;
	digits_of(s, d, &e);
	char name[96];
	snprintf(name, sizeof name, "digits_of('%s')", s);
	UT_CHECK(strcmp(d, want) == 0 && e == want_e, name);
}

static void report(const char *what)
{
	char name[160];
	snprintf(name, sizeof name, "%s: %ld texts as the old printer's", what, n_checked);
	UT_EQ_INT(n_differ, 0, name);
	n_checked = n_differ = 0;
}

int main(void)
{
	/* the exact text of a few */
	struct {
		double x;
		const char *want;
	} fixed[] = {
		{0.1, "0.1"}, {-0.0, "0"}, {1e15, "1e+15"}, {123456789012345.0, "123456789012345"},
		{9007199254740991.0, "9007199254740991"}, {2251799813685248.5, "2251799813685248.5"},
		{0.0001, "0.0001"}, {0.00001, "1e-05"}, {1e100, "1e+100"}, {5e-324, "4.94065645841247e-324"},
		{DBL_MAX, "1.7976931348623157e+308"}, {1.0 / 3, "0.3333333333333333"}, {2.0 / 3, "0.6666666666666666"},
		{0.1 + 0.2, "0.30000000000000004"}, {-19.5, "-19.5"}, {1e23, "1e+23"},
	};
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
		char buf[NUM_BUFSZ], name[96];
		num_format_double(buf, fixed[i].x);
		snprintf(name, sizeof name, "prints %s", fixed[i].want);
		UT_EQ_STR(buf, fixed[i].want, name);
	}
	same_as_old(NAN);
	same_as_old(INFINITY);
	same_as_old(-INFINITY);
	same_as_old(0.0);
	same_as_old(-0.0);
	report("nan, inf, zeros");

	/* every power of two, normal and subnormal, and its neighbours */
	for (int e = -1074; e <= 1023; e++)
		around(ldexp(1.0, e), 3);
	report("powers of two +-3 ulps");

	/* every power of ten and its neighbours */
	for (int e = -323; e <= 308; e++) {
		char s[16];
		snprintf(s, sizeof s, "1e%d", e);
		around(strtod(s, NULL), 3);
	}
	report("powers of ten +-3 ulps");

	/* integers, and around 2^53 */
	for (int i = 1; i <= 200000; i++)
		same_as_old((double)i), same_as_old(-(double)i);
	for (int e = 48; e <= 60; e++)
		around(ldexp(1.0, e), 1000);
	report("integers");

	/* halfway cases: N + 1/2 in [2^51, 2^52) sits between two 16-digit
	 * decimals, N + 1/4 in [2^50, 2^51) between two of 17 digits */
	uint64_t seed = 12345;
	for (int i = 0; i < 200000; i++) {
		uint64_t r = splitmix(&seed);
		same_as_old(ldexp(1.0, 51) + (double)(r % (UINT64_C(1) << 51)) + 0.5);
		same_as_old(ldexp(1.0, 50) + (double)(r % (UINT64_C(1) << 50)) + 0.25);
		same_as_old(ldexp(1.0, 50) + (double)(r % (UINT64_C(1) << 50)) + 0.75);
	}
	report("halfway cases");

	/* short decimals (what files hold): d digits at a random exponent */
	for (int i = 0; i < 500000; i++) {
		uint64_t r = splitmix(&seed);
		int digits = 1 + (int)(r % 17), e = (int)((r >> 8) % 600) - 300;
		uint64_t m = splitmix(&seed) % (uint64_t)pow(10, digits);
		char s[48];
		snprintf(s, sizeof s, "%" PRIu64 "e%d", m, e);
		same_as_old(strtod(s, NULL));
	}
	report("short decimals");

	/* random bit patterns: every exponent, subnormals included */
	long n = 10000000;
	const char *env = getenv("QE_NUMFMT_N");
	if (env)
		n = atol(env);
	for (long i = 0; i < n; i++) {
		double x = from_bits(splitmix(&seed));
		same_as_old(x);
	}
	report("random bit patterns");
	for (long i = 0; i < 200000; i++) {
		/* subnormals with few significant bits */
		same_as_old(from_bits(splitmix(&seed) % 100000));
		same_as_old(from_bits(splitmix(&seed) % (UINT64_C(1) << 52)));
	}
	report("subnormals");

	check_digits_of("1.5e-07", "15", -7);
	check_digits_of("0.0012", "12", -3);
	check_digits_of("-3000", "3", 3);
	check_digits_of("5e-324", "5", -324);
	check_digits_of("1e+16", "1", 16);
	check_digits_of("123.45", "12345", 2);
	python_repr_digits();
	return ut_done();
}
