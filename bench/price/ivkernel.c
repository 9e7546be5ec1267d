/* bench/price/ivkernel: the Black-76 implied-vol kernel alone, as the
 * QuantLib-Python peer of bench/price/iv is timed (kernel only, reading
 * not timed): reads the first M rows of the CSV of `qe-price formula
 * black76-iv` (type,forward,strike,rate,expiry,price) into arrays, then
 * times iv_black76() over them.  Prints "seconds options failed checksum
 * cpu_seconds": wall time, and the thread's CPU time, which a shared
 * machine disturbs less (no time waiting for a core).
 * Usage: ivkernel FILE M */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "price/black76.h"
#include "price/impliedvol.h"

static double now(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ivkernel FILE M\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	long m = atol(argv[2]);
	if (!f || m <= 0) {
		fprintf(stderr, "ivkernel: cannot read %s\n", argv[1]);
		return 4;
	}
	int *w = malloc(sizeof *w * (size_t)m);
	double *x = malloc(sizeof *x * 5 * (size_t)m), *vol = malloc(sizeof *vol * (size_t)m);
	char line[512];
	long n = 0;
	if (!w || !x || !vol || !fgets(line, sizeof line, f))
		return 4;
	while (n < m && fgets(line, sizeof line, f)) {
		char *p = strchr(line, ',');
		if (!p)
			break;
		w[n] = strncmp(line, "call", 4) == 0 ? OPT_CALL : OPT_PUT;
		for (int k = 0; k < 5; k++)
			x[5 * n + k] = strtod(p + 1, &p);
		n++;
	}
	fclose(f);
	long failed = 0;
	double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
	for (long i = 0; i < n; i++) {
		const double *r = x + 5 * i;
		const char *why;
		if (iv_black76(w[i], r[0], r[1], r[2], r[3], r[4], &vol[i], &why))
			failed++;
	}
	double t1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_THREAD_CPUTIME_ID);
	double sum = 0;
	for (long i = 0; i < n; i++)
		sum += vol[i];
	printf("%.6f %ld %ld %.3f %.6f\n", t1 - t0, n, failed, sum, c1 - c0);
	free(w);
	free(x);
	free(vol);
	return 0;
}
