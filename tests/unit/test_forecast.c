/* Unit tests for lib/forecast: the GARCH likelihood on a series small
 * enough to work by hand, the variance forecast recursion, a fit that
 * recovers the parameters of a long simulated series, and the series
 * checks.  tests/forecast.bats compares fits with scipy. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/rng.h"
#include "forecast/garch.h"
#include "forecast/series.h"
#include "unit.h"

static void test_loglik_by_hand(void)
{
	/* r = (0.1, -0.2, 0.3): h1 = (0.01 + 0.04 + 0.09)/3 = 0.14/3;
	 * h2 = w + a 0.01 + b h1; h3 = w + (a + g) 0.04 + b h2 */
	double r[] = {0.1, -0.2, 0.3}, h[4];
	garch_fit f = {.model = GARCH_GJR, .dist = GARCH_NORMAL, .omega = 0.01, .alpha = 0.1, .beta = 0.8,
		       .gamma = 0.05};
	double h1 = 0.14 / 3, h2 = 0.01 + 0.1 * 0.01 + 0.8 * h1, h3 = 0.01 + 0.15 * 0.04 + 0.8 * h2;
	double h4 = 0.01 + 0.1 * 0.09 + 0.8 * h3;
	double want = 0;
	double hs[] = {h1, h2, h3};
	for (int t = 0; t < 3; t++)
		want += -0.5 * (log(2 * M_PI) + log(hs[t]) + r[t] * r[t] / hs[t]);
	UT_NEAR(garch_loglik(&f, r, 3, h), want, 1e-14, "GJR normal log-likelihood, constants included");
	UT_NEAR(h[0], h1, 1e-15, "h1 is the mean square");
	UT_NEAR(h[2], h3, 1e-15, "gamma acts after a negative return");
	UT_NEAR(h[3], h4, 1e-15, "h_{n+1}");
	f.dist = GARCH_T;
	f.nu = 5;
	want = 0;
	for (int t = 0; t < 3; t++)
		want += lgamma(3) - lgamma(2.5) - 0.5 * log(M_PI * 3 * hs[t]) -
			3 * log(1 + r[t] * r[t] / (3 * hs[t]));
	UT_NEAR(garch_loglik(&f, r, 3, NULL), want, 1e-14, "Student-t (unit variance) log-likelihood");
	f.model = GARCH_PLAIN;
	f.dist = GARCH_NORMAL;
	f.gamma = 0.3; /* ignored by plain GARCH */
	double h3p = 0.01 + 0.1 * 0.04 + 0.8 * h2;
	garch_loglik(&f, r, 3, h);
	UT_NEAR(h[2], h3p, 1e-15, "plain GARCH ignores gamma");
}

static void test_forecast_path(void)
{
	garch_fit f = {.omega = 0.02, .alpha = 0.1, .beta = 0.8, .gamma = 0.1, .model = GARCH_GJR};
	double v[3];
	f.persistence = 0.95;
	f.h_next = 2;
	garch_forecast(&f, 3, v);
	UT_NEAR(v[0], 2, 0, "day 1 is h_{n+1}");
	UT_NEAR(v[1], 0.02 + 0.95 * 2, 1e-15, "day 2: omega + persistence h");
	UT_NEAR(v[2], 0.02 + 0.95 * (0.02 + 0.95 * 2), 1e-15, "day 3");
}

/* A GARCH(1,1) path of 20000 normal returns recovers its parameters to a
 * few standard errors. */
static void test_fit_recovers(void)
{
	enum { N = 20000 };
	static double r[N];
	qe_rng g;
	double h = 1e-4 / (1 - 0.1 - 0.85);
	rng_init(&g, 42, 0);
	for (int t = 0; t < N; t++) {
		r[t] = sqrt(h) * rng_normal(&g);
		h = 1e-4 + 0.1 * r[t] * r[t] + 0.85 * h;
	}
	garch_fit f = {.model = GARCH_PLAIN, .dist = GARCH_NORMAL};
	qe_err e;
	UT_EQ_INT(garch_estimate(&f, r, N, &e), 0, "fit converges");
	UT_NEAR(f.alpha, 0.1, 0.02, "alpha recovered");
	UT_NEAR(f.beta, 0.85, 0.03, "beta recovered");
	UT_NEAR(f.persistence, f.alpha + f.beta, 1e-15, "persistence alpha + beta");
	UT_NEAR(f.half_life, log(0.5) / log(f.persistence), 1e-12, "half-life");
	UT_NEAR(f.loglik, garch_loglik(&f, r, N, NULL), 1e-12, "loglik is the likelihood of the parameters");
	garch_fit worse = f;
	worse.alpha += 0.01;
	UT_CHECK(garch_loglik(&worse, r, N, NULL) < f.loglik, "a nearby point is worse");
}

static void test_bad_series(void)
{
	double r[40];
	garch_fit f = {0};
	qe_err e;
	for (int t = 0; t < 40; t++)
		r[t] = 0;
	UT_EQ_INT(garch_estimate(&f, r, 40, &e), QE_DATA, "all-zero returns are bad data");
	UT_EQ_INT(garch_estimate(&f, r, 10, &e), QE_DATA, "too few returns");
	UT_CHECK(strstr(e.msg, "at least 30") != NULL, "the message says how many are needed");
	r[3] = NAN;
	UT_EQ_INT(garch_estimate(&f, r, 40, &e), QE_DATA, "a NaN return is bad data");
	double v[3] = {1, 1, 1};
	long line[3] = {2, 3, 4};
	fseries s = {.n = 3, .value = v, .line = line};
	snprintf(s.name, sizeof s.name, "x.csv");
	UT_EQ_INT(fseries_check(&s, 2, "a GARCH fit", &e), QE_DATA, "constant series");
	UT_EQ_STR(e.msg, "x.csv:4: every value from line 2 on is 1: a GARCH fit cannot fit a constant series",
		  "constant series names the file and line");
	v[1] = 2;
	UT_EQ_INT(fseries_check(&s, 2, "a GARCH fit", &e), 0, "varying series ok");
	UT_EQ_INT(fseries_check(&s, 4, "a GARCH fit", &e), QE_DATA, "too short for the model");
}

int main(void)
{
	test_loglik_by_hand();
	test_forecast_path();
	test_fit_recovers();
	test_bad_series();
	return ut_done();
}
