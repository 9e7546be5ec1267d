/* bench/price/b76: times black76_batch() (lib/black76.h) on the inputs in
 * a binary file written by peer.py (n, then type, F, K, vol, r, T as
 * doubles) and writes price, delta, gamma, vega, theta back as doubles.
 * Prints the best of 3 wall times in seconds on stdout. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "black76.h"

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	FILE *in = fopen(argv[1], "rb");
	double nd;
	if (!in || fread(&nd, sizeof nd, 1, in) != 1)
		return 4;
	size_t n = (size_t)nd;
	double *a = malloc(sizeof *a * n * 11);
	int *type = malloc(sizeof *type * n);
	if (!a || !type || fread(a, sizeof *a, n * 6, in) != n * 6)
		return 4;
	fclose(in);
	for (size_t i = 0; i < n; i++)
		type[i] = a[i] > 0 ? OPT_CALL : OPT_PUT;
	double *F = a + n, *K = a + 2 * n, *v = a + 3 * n, *r = a + 4 * n, *T = a + 5 * n;
	double *out = a + 6 * n, best = 1e300;
	for (int rep = 0; rep < 3; rep++) {
		double t0 = omp_get_wtime();
		black76_batch(n, type, F, K, v, r, T, out, out + n, out + 2 * n, out + 3 * n, out + 4 * n);
		double t = omp_get_wtime() - t0;
		best = t < best ? t : best;
	}
	FILE *o = fopen(argv[2], "wb");
	if (!o || fwrite(out, sizeof *out, n * 5, o) != n * 5 || fclose(o))
		return 4;
	printf("%.6f\n", best);
	return 0;
}
