/* Unit tests for lib/rng: raw Philox words against numpy's independent
 * Philox implementation, and the distributions against scipy (KS tests)
 * on fixed seeds, run through /usr/bin/python3 at test time. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rng.h"
#include "core/zignor.h"
#include "unit.h"

#define PY "/usr/bin/python3"

/* Runs a python snippet and reads its stdout into buf. */
static int python(const char *code, char *buf, size_t n)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, PY " -c '%s'", code);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t got = fread(buf, 1, n - 1, p);
	buf[got] = '\0';
	return pclose(p) == 0 ? 0 : -1;
}

static void test_raw_against_numpy(void)
{
	char out[8192], code[1024];
	qe_rng r;
	snprintf(code, sizeof code,
		 "import numpy as np\n"
		 "g = np.random.Philox(key=[12345, 7], counter=0)\n"
		 "print(\" \".join(str(x) for x in g.random_raw(10)))\n"
		 "g = np.random.Philox(key=[2**64 - 1, 2**63 + 5], counter=1000)\n"
		 "print(\" \".join(str(x) for x in g.random_raw(6)))\n");
	int ok = python(code, out, sizeof out) == 0;
	UT_CHECK(ok, "numpy oracle runs");
	if (!ok)
		return;
	char *p = out, *end;
	int same = 1;
	rng_init(&r, 12345, 7);
	for (int i = 0; i < 10; i++) {
		uint64_t want = strtoull(p, &end, 10), got = rng_u64(&r);
		if (end == p || want != got) {
			same = 0;
			printf("#   word %d: got %" PRIu64 " want %" PRIu64 "\n", i, got, want);
		}
		p = end;
	}
	UT_CHECK(same, "first 10 words equal numpy Philox(key=[12345,7])");
	same = 1;
	rng_init(&r, UINT64_MAX, (UINT64_C(1) << 63) + 5);
	rng_seek(&r, 1000);
	for (int i = 0; i < 6; i++) {
		uint64_t want = strtoull(p, &end, 10), got = rng_u64(&r);
		if (end == p || want != got)
			same = 0;
		p = end;
	}
	UT_CHECK(same, "rng_seek(1000) equals numpy Philox(counter=1000), extreme keys");
}

static void test_streams(void)
{
	qe_rng a, b, c;
	rng_init(&a, 1, 0);
	rng_init(&b, 1, 1);
	rng_init(&c, 2, 0);
	uint64_t a0 = rng_u64(&a);
	UT_CHECK(a0 != rng_u64(&b) && a0 != rng_u64(&c), "streams and seeds differ");
	/* seek reaches the same word as generating up to it */
	rng_init(&a, 9, 3);
	for (int i = 0; i < 4 * 37; i++)
		rng_u64(&a);
	rng_init(&b, 9, 3);
	rng_seek(&b, 37);
	UT_CHECK(rng_u64(&a) == rng_u64(&b), "seek(37) == 148 draws skipped");
	/* copying a generator forks it at the same position */
	c = a;
	UT_CHECK(rng_u64(&a) == rng_u64(&c), "copy continues identically");
	UT_CHECK(rng_stream_id("NG_HH") != rng_stream_id("NG_HI"), "stream ids from names differ");
	UT_CHECK(rng_stream_id("TTF") == rng_stream_id("TTF"), "stream id is a function of the name");
}

static void test_uniform_and_below(void)
{
	qe_rng r;
	rng_init(&r, 42, 0);
	int in_range = 1;
	double sum = 0;
	const int n = 200000;
	for (int i = 0; i < n; i++) {
		double u = rng_uniform(&r);
		if (!(u > 0 && u < 1))
			in_range = 0;
		sum += u;
	}
	UT_CHECK(in_range, "uniform strictly inside (0,1)");
	/* sd of the mean = sqrt(1/12/n) = 6.5e-4; allow 5 sd */
	UT_NEAR(sum / n, 0.5, 3.3e-3, "uniform mean 0.5");
	long counts[7] = {0};
	int below_ok = 1;
	for (int i = 0; i < 70000; i++) {
		uint64_t k = rng_below(&r, 7);
		if (k >= 7)
			below_ok = 0;
		else
			counts[k]++;
	}
	UT_CHECK(below_ok, "rng_below(7) < 7");
	double chi2 = 0;
	for (int k = 0; k < 7; k++)
		chi2 += (counts[k] - 10000.0) * (counts[k] - 10000.0) / 10000.0;
	/* chi-square with 6 dof: 99.99% quantile 27.9 */
	UT_CHECK(chi2 < 27.9, "rng_below(7) uniform (chi-square)");
	UT_EQ_INT(rng_below(&r, 0), 0, "rng_below(0) = 0");
	UT_EQ_INT(rng_below(&r, 1), 0, "rng_below(1) = 0");
}

/* Writes the n numbers x to a file and asks scipy for the KS p-value
 * against dist. */
static double ks_pvalue_of(const double *x, int n, const char *dist)
{
	char path[] = "/tmp/qe-rng-XXXXXX", code[1024], out[256];
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	FILE *fp = fdopen(fd, "w");
	for (int i = 0; i < n; i++)
		fprintf(fp, "%.17g\n", x[i]);
	fclose(fp);
	snprintf(code, sizeof code,
		 "import numpy as np, scipy.stats as st\n"
		 "x = np.loadtxt(\"%s\")\n"
		 "print(st.kstest(x, %s).pvalue)\n",
		 path, dist);
	double p = -1;
	if (python(code, out, sizeof out) == 0)
		p = strtod(out, NULL);
	unlink(path);
	return p;
}

/* n draws of one of rng.h's distributions on a fixed stream, KS-tested. */
static double ks_pvalue(const char *dist, double (*draw)(qe_rng *, double), double par, int n)
{
	double *x = malloc((size_t)n * sizeof *x);
	if (!x)
		return -1;
	qe_rng r;
	rng_init(&r, 2026, 11);
	for (int i = 0; i < n; i++)
		x[i] = draw(&r, par);
	double p = ks_pvalue_of(x, n, dist);
	free(x);
	return p;
}

static double draw_normal(qe_rng *r, double par) { (void)par; return rng_normal(r); }
static double draw_t(qe_rng *r, double nu) { return rng_student_t(r, nu); }
static double draw_gamma(qe_rng *r, double a) { return rng_gamma(r, a); }
static double draw_exp(qe_rng *r, double par) { (void)par; return rng_exponential(r); }

static void test_distributions(void)
{
	/* Fixed seeds, so these are deterministic; the threshold only guards
	 * against a wrong distribution (a bug gives p ~ 0). */
	UT_CHECK(ks_pvalue("\"norm\"", draw_normal, 0, 50000) > 1e-3, "normal: KS vs scipy norm");
	UT_CHECK(ks_pvalue("st.t(4).cdf", draw_t, 4, 50000) > 1e-3, "student-t(4): KS vs scipy t");
	UT_CHECK(ks_pvalue("st.t(2.5).cdf", draw_t, 2.5, 50000) > 1e-3, "student-t(2.5): KS vs scipy t");
	UT_CHECK(ks_pvalue("st.gamma(0.4).cdf", draw_gamma, 0.4, 50000) > 1e-3, "gamma(0.4): KS vs scipy");
	UT_CHECK(ks_pvalue("st.gamma(3.7).cdf", draw_gamma, 3.7, 50000) > 1e-3, "gamma(3.7): KS vs scipy");
	UT_CHECK(ks_pvalue("\"expon\"", draw_exp, 0, 50000) > 1e-3, "exponential: KS vs scipy");
	/* the KS test is not blind: a shifted normal is refused */
	UT_CHECK(ks_pvalue("st.norm(0.05).cdf", draw_normal, 0, 50000) < 1e-6, "KS detects a wrong mean");
	qe_rng r;
	rng_init(&r, 1, 1);
	double sum2 = 0;
	for (int i = 0; i < 100000; i++) {
		double x = rng_student_t_std(&r, 5);
		sum2 += x * x;
	}
	UT_NEAR(sum2 / 100000, 1.0, 0.05, "standardized t(5) has unit variance");
	UT_CHECK(isnan(rng_gamma(&r, 0)) && isnan(rng_student_t(&r, -1)) && isnan(rng_student_t_std(&r, 2)),
		 "bad parameters give NaN");
}

/* The Monte Carlo normals (zignor.h): the whole law by KS against scipy,
 * the layers' edges and the tail beyond R = 3.4426 (0.06% of draws, where
 * a wrong tail sampler would hide from a KS test of the whole law), and
 * the naming of streams. */
static void test_ziggurat(void)
{
	enum { N = 200000, NT = 4000 };
	double *x = malloc(N * sizeof *x), *tail = malloc(NT * sizeof *tail);
	if (!x || !tail) {
		UT_CHECK(0, "memory");
		free(x);
		free(tail);
		return;
	}
	qe_rng p;
	zig_rng g;
	rng_init(&p, 2026, 12);
	zig_seed(&g, &p);
	zig_normals(&g, x, N);
	UT_CHECK(ks_pvalue_of(x, N, "\"norm\"") > 1e-3, "ziggurat: KS vs scipy norm");
	/* KS of the shifted law refuses it: the test can fail */
	for (int i = 0; i < N; i++)
		x[i] -= 0.02;
	UT_CHECK(ks_pvalue_of(x, N, "\"norm\"") < 1e-6, "ziggurat: KS detects a shift of 0.02");
	/* the tail beyond R (the tail sampler's draws) against the truncated
	 * normal */
	int nt = 0;
	long beyond_r = 0, total = 0;
	while (nt < NT) {
		zig_normals(&g, x, N);
		for (int i = 0; i < N; i++) {
			double a = fabs(x[i]);
			beyond_r += a > 3.442619855899;
			if (a > 3.442619855899 && nt < NT)
				tail[nt++] = a;
		}
		total += N;
	}
	UT_CHECK(ks_pvalue_of(tail, NT, "st.truncnorm(3.442619855899, np.inf).cdf") > 1e-3,
		 "ziggurat: |z| beyond R follows the truncated normal (KS vs scipy)");
	/* count beyond R: binomial, expected total * 2 (1 - N(R)) */
	double pr = erfc(3.442619855899 / sqrt(2)), mean = total * pr, sd = sqrt(total * pr * (1 - pr));
	UT_CHECK(fabs(beyond_r - mean) < 5 * sd, "ziggurat: frequency beyond R within 5 sd");
	/* (seed, stream) names the stream */
	zig_rng a, b;
	rng_init(&p, 7, 3);
	zig_seed(&a, &p);
	rng_init(&p, 7, 3);
	zig_seed(&b, &p);
	double za[64], zb[64];
	zig_normals(&a, za, 64);
	zig_normals(&b, zb, 64);
	UT_CHECK(memcmp(za, zb, sizeof za) == 0, "ziggurat: same stream, same normals");
	rng_init(&p, 7, 4);
	zig_seed(&b, &p);
	zig_normals(&b, zb, 64);
	UT_CHECK(memcmp(za, zb, sizeof za) != 0, "ziggurat: another stream, other normals");
	free(x);
	free(tail);
}

int main(void)
{
	test_raw_against_numpy();
	test_streams();
	test_uniform_and_below();
	test_distributions();
	test_ziggurat();
	return ut_done();
}
