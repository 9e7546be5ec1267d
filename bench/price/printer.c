/* bench/price/printer: the number printer alone, ns per number, the
 * printf/strtod loop it replaced against num_format_double, on N doubles
 * like qe-price's outputs (prices and greeks: full 16-17 digit values) and
 * N like its inputs (short decimals).  Checks both give the same bytes.
 * Usage: printer N */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/num.h"

static int old_format_double(char *buf, double x)
{
	int n = 0;
	if (x != x)
		return (int)(memcpy(buf, "nan", 4), 3);
	if (x == 0.0)
		return (int)(memcpy(buf, "0", 2), 1);
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(buf, NUM_BUFSZ, "%.*g", prec, x);
		if (prec == 17 || strtod(buf, NULL) == x)
			break;
	}
	return n;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return *s;
}

/* seconds to print every x; adds the lengths to *sum */
static double run(int (*fmt)(char *, double), const double *x, long n, unsigned long *sum)
{
	char buf[NUM_BUFSZ];
	double t0 = now();
	for (long i = 0; i < n; i++)
		*sum += (unsigned long)fmt(buf, x[i]) + (unsigned char)buf[0];
	return now() - t0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 5000000;
	double *full = malloc(sizeof *full * (size_t)n), *shrt = malloc(sizeof *shrt * (size_t)n);
	if (!full || !shrt || n <= 0)
		return 2;
	uint64_t s = 88172645463325252ULL;
	for (long i = 0; i < n; i++) {
		double u = (double)(next(&s) >> 11) / 9007199254740992.0;
		full[i] = (i % 5 == 0 ? 100.0 : i % 5 == 1 ? 1.0 : i % 5 == 2 ? 0.01 : 30.0) * u - (i % 7 == 0 ? u : 0);
		shrt[i] = (double)(next(&s) % 100000) / 100.0;
	}
	for (long i = 0; i < 2 * n; i++) {
		double x = i < n ? full[i] : shrt[i - n];
		char a[NUM_BUFSZ], b[NUM_BUFSZ];
		num_format_double(a, x);
		old_format_double(b, x);
		if (strcmp(a, b) != 0) {
			fprintf(stderr, "printer: %.17g: new '%s', old '%s'\n", x, a, b);
			return 1;
		}
	}
	unsigned long c_old = 0, c_new = 0;
	double to = run(old_format_double, full, n, &c_old), tn = run(num_format_double, full, n, &c_new);
	double so = run(old_format_double, shrt, n, &c_old), sn = run(num_format_double, shrt, n, &c_new);
	if (c_old != c_new) {
		fprintf(stderr, "printer: checksums differ\n");
		return 1;
	}
	printf("  printer, %ld computed values (16-17 digits)  old %6.1f ns  new %6.1f ns  %.1fx\n", n,
	       1e9 * to / (double)n, 1e9 * tn / (double)n, to / tn);
	printf("  printer, %ld short decimals (2 places)        old %6.1f ns  new %6.1f ns  %.1fx\n", n,
	       1e9 * so / (double)n, 1e9 * sn / (double)n, so / sn);
	free(full);
	free(shrt);
	return 0;
}
