/* Unit tests for lib/varmeas, lib/backtest, lib/covest, lib/strindex. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "risk/backtest.h"
#include "risk/covest.h"
#include "risk/riskhist.h"
#include "core/strindex.h"
#include "risk/varcalc.h"
#include "risk/varmeas.h"
#include "unit.h"

static void test_measures(void)
{
	double pnl[100], s[200], var, es;
	qe_err e;
	for (int i = 0; i < 100; i++)
		pnl[i] = -(i + 1); /* losses 1..100 */
	UT_EQ_INT(var_tail_count(1000, 0.99), 10, "1000 at 99%: k = 10, not 11");
	UT_EQ_INT(var_tail_count(250, 0.99), 3, "250 at 99%: k = ceil(2.5) = 3");
	UT_EQ_INT(var_tail_count(250, 0.975), 7, "250 at 97.5%: k = ceil(6.25) = 7");
	UT_EQ_INT(var_min_scenarios(0.99), 100, "99% needs 100 scenarios");
	UT_EQ_INT(var_min_scenarios(0.975), 40, "97.5% needs 40 scenarios");
	UT_EQ_INT(var_measure(pnl, 100, 0.95, VAR_Q_KTH, s, &var, &es, &e), 0, "kth ok");
	UT_CHECK(var == 96 && es == 98, "5th worst of 1..100 is 96, mean of 96..100 is 98");
	UT_EQ_INT(var_measure(pnl, 100, 0.95, VAR_Q_LINEAR, s, &var, &es, &e), 0, "linear ok");
	UT_NEAR(var, 95.05, 1e-12, "linear: 1 + 99 * 0.95");
	UT_CHECK(es == 98, "linear ES: mean of 96..100");
	UT_EQ_INT(var_measure(pnl, 99, 0.99, VAR_Q_KTH, s, &var, &es, &e), QE_DATA, "99 < 100 scenarios refused");
	UT_EQ_INT(var_measure(pnl, 100, 1.0, VAR_Q_KTH, s, &var, &es, &e), QE_USAGE, "alpha 1 refused");
	/* equal weights reproduce the k-th worst when n (1 - alpha) is whole */
	double w[100];
	for (int i = 0; i < 100; i++)
		w[i] = 1;
	UT_EQ_INT(var_measure_weighted(pnl, w, 100, 0.95, s, &var, &es, &e), 0, "weighted ok");
	UT_CHECK(var == 96 && fabs(es - 98) < 1e-12, "equal weights = k-th worst");
	/* BRW weights sum to one and favour recent days */
	var_brw_weights(w, 100, 0.97);
	double sum = 0;
	for (int i = 0; i < 100; i++)
		sum += w[i];
	UT_NEAR(sum, 1.0, 1e-14, "BRW weights sum to 1");
	UT_CHECK(w[99] > w[0], "BRW: latest weighs most");
	/* pairwise summation: exact on integers and better than naive on 0.1s */
	double xs[1000];
	for (int i = 0; i < 1000; i++)
		xs[i] = i + 1;
	UT_CHECK(var_pairwise_sum(xs, 1000) == 500500, "pairwise sum of 1..1000");
	for (int i = 0; i < 1000; i++)
		xs[i] = 0.1;
	UT_NEAR(var_pairwise_sum(xs, 1000), 100.0, 1e-14, "pairwise sum of 0.1 x 1000");
	UT_EQ_INT(var_quantile_parse("linear"), VAR_Q_LINEAR, "parse linear");
	UT_EQ_INT(var_quantile_parse("median"), -1, "unknown definition");
}

static void test_backtest(void)
{
	unsigned char exc[250] = {0};
	bt_result r;
	/* Basel table, 250 days at 99% */
	UT_EQ_INT(bt_zone_of(250, 4, 0.99), BT_GREEN, "4 exceptions green");
	UT_EQ_INT(bt_zone_of(250, 5, 0.99), BT_YELLOW, "5 exceptions yellow");
	UT_EQ_INT(bt_zone_of(250, 9, 0.99), BT_YELLOW, "9 exceptions yellow");
	UT_EQ_INT(bt_zone_of(250, 10, 0.99), BT_RED, "10 exceptions red");
	for (double x = 0.1; x < 30; x *= 1.7) {
		UT_NEAR(bt_chisq_sf(x, 1), gsl_cdf_chisq_Q(x, 1), 1e-12, "chi2(1) closed form = GSL");
		UT_NEAR(bt_chisq_sf(x, 2), gsl_cdf_chisq_Q(x, 2), 1e-12, "chi2(2) closed form = GSL");
	}
	bt_compute(exc, 250, 0.99, &r);
	UT_EQ_INT(r.exceptions, 0, "no exceptions");
	/* x = 0: LR = -2 n ln(1 - p) */
	UT_NEAR(r.kupiec_lr, -2 * 250 * log(1 - (1 - 0.99)), 1e-12, "Kupiec with no exceptions");
	UT_CHECK(r.ind_lr == 0 && r.ind_p == 1, "independence with no exceptions");
	exc[10] = exc[11] = exc[12] = 1;
	bt_compute(exc, 250, 0.99, &r);
	UT_EQ_INT(r.n11, 2, "two exception-after-exception transitions");
	UT_EQ_INT(r.n01, 1, "one entry into exceptions");
	UT_CHECK(r.ind_p < 0.01, "clustered exceptions reject independence");
	UT_NEAR(r.cc_lr, r.kupiec_lr + r.ind_lr, 1e-15, "cc = pof + ind");
	UT_EQ_INT(r.zone, BT_GREEN, "250 days: a zone");
	/* ten exceptions in 249 days would be red: too few days for a zone */
	for (int i = 0; i < 10; i++)
		exc[20 * i + 5] = 1;
	bt_compute(exc, 249, 0.99, &r);
	UT_EQ_INT(r.zone, BT_NONE, "249 days: no zone");
	UT_CHECK(strcmp(bt_zone_name(r.zone), "n/a") == 0, "no zone is named n/a");
	bt_compute(exc, 250, 0.99, &r);
	UT_EQ_INT(r.zone, BT_RED, "13 exceptions in 250 days: red");
}

static void test_cov(void)
{
	qe_err e;
	/* indefinite: eigenvalues 3 and -1 */
	double S[4] = {1, 2, 2, 1}, L[4];
	size_t clipped = 0;
	double min_eig = 0;
	UT_EQ_INT(cov_psd(S, 2, 0, &clipped, &min_eig, &e), QE_NUMERIC, "non-PSD refused");
	UT_NEAR(min_eig, -1, 1e-12, "smallest eigenvalue -1");
	UT_EQ_INT(cov_psd(S, 2, 1, &clipped, &min_eig, &e), 0, "non-PSD repaired");
	UT_EQ_INT(clipped, 1, "one eigenvalue clipped");
	UT_NEAR(S[0], 1.5, 1e-12, "clipped matrix = 3 v v'");
	UT_NEAR(S[1], 1.5, 1e-12, "clipped matrix off-diagonal");
	int rep = 0;
	UT_EQ_INT(cov_cholesky(S, 2, 0, L, &rep, &e), QE_NUMERIC, "singular refused by Cholesky");
	UT_EQ_INT(cov_cholesky_failed_at(&e), 1, "fails at the second factor");
	UT_EQ_INT(cov_cholesky(S, 2, 1, L, &rep, &e), 0, "singular floored");
	UT_CHECK(rep == 1, "repair reported");
	double A[4] = {4, 2, 2, 3};
	UT_EQ_INT(cov_cholesky(A, 2, 0, L, &rep, &e), 0, "SPD factor");
	UT_CHECK(L[0] == 2 && L[1] == 0 && L[2] == 1 && fabs(L[3] - sqrt(2)) < 1e-15, "L of [[4,2],[2,3]]");
	/* sample covariance of two observations */
	double x[4] = {1, 2, 3, 6}, C[4];
	UT_EQ_INT(cov_estimate(x, 2, 2, COV_SAMPLE, 0, C, NULL, &e), 0, "sample cov");
	UT_CHECK(C[0] == 2 && C[1] == 4 && C[3] == 8, "sample cov of (1,2),(3,6)");
	UT_EQ_INT(cov_estimate(x, 2, 2, COV_EWMA, 0.5, C, NULL, &e), 0, "ewma cov");
	/* weights 1/3 and 2/3, zero mean */
	UT_NEAR(C[0], (1.0 + 2 * 9.0) / 3, 1e-14, "ewma variance");
	UT_EQ_INT(cov_estimate(x, 1, 2, COV_SAMPLE, 0, C, NULL, &e), QE_DATA, "one observation refused");
}

static void test_strindex(void)
{
	strindex *s = sidx_new();
	char name[32];
	int ok = 1;
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(name, sizeof name, "f%d", i);
		if (sidx_add(s, name, (size_t)n, NULL) != i)
			ok = 0;
	}
	UT_CHECK(ok, "5000 names numbered in order");
	int added = 1;
	UT_EQ_INT(sidx_add(s, "f42", 3, &added), 42, "existing name found");
	UT_EQ_INT(added, 0, "not added twice");
	UT_EQ_INT(sidx_find(s, "nope", 4), -1, "absent name");
	UT_EQ_STR(sidx_name(s, 4999), "f4999", "name by index");
	sidx_free(s);
}

/* An engine that fails before it fills its result leaves the result
 * empty (freeable), whatever the caller's variable held before: it used
 * to free the caller's uninitialised pointers (trust issue, item 11). */
static void test_early_error(void)
{
	var_result r;
	var_spec sp;
	exposure x;
	qe_err e;
	memset(&r, 0xA5, sizeof r);
	memset(&sp, 0, sizeof sp);
	memset(&x, 0, sizeof x);
	x.nf = 1;
	x.npf = 1;
	sp.nalpha = 1;
	sp.alpha[0] = 0.99;
	sp.paths = 0;
	UT_CHECK(var_mc(NULL, NULL, &x, &sp, &r, NULL, &e) != 0, "mc with no paths fails");
	UT_CHECK(r.var == NULL && r.es == NULL && r.sd == NULL, "mc early error: empty result");
	var_result_free(&r);
}

/* Ledoit-Wolf shrinks correlations, not variances: the diagonal is the
 * sample one, every covariance the sample one times the same 1 - s, and s
 * does not depend on the units of a factor; a constant factor keeps zero
 * rows and does not move the others. */
static void test_cov_lw(void)
{
	enum { N = 8, M = 3 };
	const double base[N][M] = {{0.01, 2, -0.02}, {-0.02, 1, 0.01}, {0.03, -3, 0.02}, {0.0, 4, -0.01},
				   {0.015, -1, 0.03}, {-0.01, 2.5, -0.02}, {0.02, -2, 0.0}, {-0.005, 0.5, 0.01}};
	double x[N * M], y[N * 4], L[M * M], S[M * M], L2[M * M], L4[16], s1 = 0, s2 = 0, s4 = 0;
	qe_err e;
	for (int t = 0; t < N; t++)
		for (int j = 0; j < M; j++)
			x[t * M + j] = base[t][j];
	UT_EQ_INT(cov_estimate(x, N, M, COV_LW, 0, L, &s1, &e), 0, "lw cov");
	UT_EQ_INT(cov_estimate(x, N, M, COV_SAMPLE, 0, S, NULL, &e), 0, "sample cov");
	UT_CHECK(s1 > 0 && s1 < 1, "lw intensity in (0, 1)");
	for (int i = 0; i < M; i++)
		for (int j = 0; j < M; j++)
			UT_CHECK(L[i * M + j] == L[j * M + i], "lw covariance exactly symmetric");
	for (int i = 0; i < M; i++)
		for (int j = 0; j < M; j++) {
			double want = i == j ? S[i * M + j] : (1 - s1) * S[i * M + j];
			UT_NEAR(L[i * M + j], want, 1e-12 * fabs(S[i * M + i] > S[j * M + j] ? S[i * M + i] : S[j * M + j]),
				i == j ? "lw variance = sample variance" : "lw covariance = (1 - s) sample covariance");
		}
	/* factor 1 in other units (x 1000): the same intensity */
	for (int t = 0; t < N; t++)
		x[t * M + 1] *= 1000;
	UT_EQ_INT(cov_estimate(x, N, M, COV_LW, 0, L2, &s2, &e), 0, "lw cov, rescaled factor");
	UT_NEAR(s2, s1, 1e-12, "lw intensity does not depend on a factor's units");
	UT_NEAR(L2[1 * M + 1], 1e6 * L[1 * M + 1], 1e-9 * L2[1 * M + 1], "rescaled variance scales by 1e6");
	/* a constant factor appended: zero row, the others unchanged */
	for (int t = 0; t < N; t++) {
		for (int j = 0; j < M; j++)
			y[t * 4 + j] = base[t][j];
		y[t * 4 + 3] = 5;
	}
	UT_EQ_INT(cov_estimate(y, N, 4, COV_LW, 0, L4, &s4, &e), 0, "lw cov with a constant factor");
	UT_NEAR(s4, s1, 1e-12, "a constant factor does not change the intensity");
	UT_CHECK(L4[3 * 4 + 3] == 0 && L4[0 * 4 + 3] == 0 && L4[3 * 4 + 2] == 0, "constant factor: zero row");
	UT_NEAR(L4[0 * 4 + 2], L[0 * M + 2], 1e-15, "others unchanged");
}

/* Writes text to a temporary file; its name into path. */
static int write_tmp(char *path, size_t n, const char *text)
{
	snprintf(path, n, "/tmp/qe_test_var_XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	FILE *fp = fdopen(fd, "w");
	if (!fp)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

/* A history cut mid-row (no line end) is refused at its last line; the
 * as-of check names a factor without a price on the last open day. */
static void test_history_asof(void)
{
	char path[64];
	risk_history h;
	qe_err e;
	qe_date d2, d3, d4;
	date_parse_z("2025-01-02", &d2);
	date_parse_z("2025-01-03", &d3); /* a Friday */
	date_parse_z("2025-01-04", &d4);
	UT_EQ_INT(write_tmp(path, sizeof path, "date,curve,tenor,price\n2025-01-02,A,0,1\n2025-01-02,B,0,2\n"
			    "2025-01-03,A,0,1.1\n2025-01-03,B,0,2.0"), 0, "history written");
	UT_EQ_INT(rh_read(&h, path, &e), QE_DATA, "history without a final line end refused");
	UT_CHECK(strstr(e.msg, ":5: last line has no line end") != NULL, "names the last line");
	unlink(path);
	UT_EQ_INT(write_tmp(path, sizeof path, "date,curve,tenor,price\n2025-01-02,A,0,1\n2025-01-02,B,0,2\n"
			    "2025-01-03,A,0,1.1\n"), 0, "history written");
	UT_EQ_INT(rh_read(&h, path, &e), 0, "history read");
	UT_EQ_INT(rh_check_asof(&h, "h.csv", d2, NULL, &e), 0, "complete on 2025-01-02");
	UT_EQ_INT(rh_check_asof(&h, "h.csv", d3, NULL, &e), QE_DATA, "B lacks Friday 2025-01-03");
	UT_CHECK(strstr(e.msg, "h.csv: as of 2025-01-03, 1 factor of 1 curve lack") != NULL &&
			 strstr(e.msg, "B:0 (calendar WEEKENDS open on 2025-01-03; last price 2025-01-02)") != NULL,
		 "names the factor, the day and its last price");
	UT_EQ_INT(rh_check_asof(&h, "h.csv", d4, NULL, &e), QE_DATA, "a Saturday asks for Friday's price");
	UT_EQ_INT(rh_cut_after(&h, d2), 1, "one date after 2025-01-02");
	UT_EQ_INT(h.nd, 1, "one date left");
	UT_EQ_INT(rh_check_asof(&h, "h.csv", d2, NULL, &e), 0, "complete once cut");
	rh_free(&h);
	unlink(path);
}

int main(void)
{
	test_early_error();
	test_measures();
	test_backtest();
	test_cov();
	test_cov_lw();
	test_history_asof();
	test_strindex();
	return ut_done();
}
