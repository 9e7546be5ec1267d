/* Unit tests for lib/risk/pla: ranks, Spearman, two-sample KS, the MAR32
 * zones and the comparison of two cubes.  Expected values are worked by
 * hand in the comments; tests/var.bats compares with scipy on random
 * data. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "risk/pla.h"
#include "unit.h"

static void test_ranks(void)
{
	double x[] = {3, 1, 4, 1, 5, 4, 4}, r[7];
	qe_err e;
	UT_EQ_INT(pla_ranks(x, 7, r, &e), 0, "ranks ok");
	/* sorted 1 1 3 4 4 4 5: the 1s share ranks 1,2; the 4s ranks 4,5,6 */
	UT_CHECK(r[0] == 3 && r[1] == 1.5 && r[3] == 1.5 && r[2] == 5 && r[5] == 5 && r[6] == 5 && r[4] == 7,
		 "average ranks for ties");
}

static void test_spearman(void)
{
	double x[] = {1, 2, 3, 4, 5}, cube[5], rev[5], y[] = {2, 1, 4, 3, 5}, flat[] = {7, 7, 7, 7, 7}, rho;
	qe_err e;
	for (int i = 0; i < 5; i++) {
		cube[i] = x[i] * x[i] * x[i] - 10;
		rev[i] = -x[i];
	}
	UT_EQ_INT(pla_spearman(x, cube, 5, &rho, &e), 0, "monotone ok");
	UT_CHECK(rho == 1, "a monotone transform has rho 1");
	UT_EQ_INT(pla_spearman(x, rev, 5, &rho, &e), 0, "reversed ok");
	UT_CHECK(rho == -1, "reversed order has rho -1");
	/* no ties: 1 - 6 sum d^2 / (n (n^2 - 1)) = 1 - 6 * 4 / 120 = 0.8 */
	UT_EQ_INT(pla_spearman(x, y, 5, &rho, &e), 0, "swapped pairs ok");
	UT_NEAR(rho, 0.8, 1e-15, "two swapped pairs: 0.8");
	/* ties: ranks of (1,1,2,3) are (1.5,1.5,3,4), of (1,2,3,4) (1,2,3,4):
	 * deviations (-1,-1,.5,1.5) and (-1.5,-.5,.5,1.5):
	 * sxy = 1.5 + .5 + .25 + 2.25 = 4.5, sxx = 4.5, syy = 5 */
	double t[] = {1, 1, 2, 3}, u[] = {1, 2, 3, 4};
	UT_EQ_INT(pla_spearman(t, u, 4, &rho, &e), 0, "ties ok");
	UT_NEAR(rho, 4.5 / sqrt(4.5 * 5), 1e-15, "ties: Pearson of the average ranks");
	UT_EQ_INT(pla_spearman(x, flat, 5, &rho, &e), QE_NUMERIC, "a constant P&L: undefined");
	UT_CHECK(isnan(rho), "undefined is NaN");
	UT_EQ_INT(pla_spearman(x, y, 1, &rho, &e), QE_DATA, "one pair refused");
	double bad[] = {1, NAN, 3, 4, 5};
	UT_EQ_INT(pla_spearman(x, bad, 5, &rho, &e), QE_DATA, "NaN refused");
}

static void test_ks(void)
{
	double a[] = {3, 1, 2}, b[] = {6, 4, 5}, c[] = {1, 2, 3, 4}, d[] = {8, 3, 4, 5, 6, 7}, ks;
	qe_err e;
	UT_EQ_INT(pla_ks(a, 3, b, 3, &ks, &e), 0, "disjoint ok");
	UT_CHECK(ks == 1, "disjoint samples: 1");
	UT_EQ_INT(pla_ks(c, 4, c, 4, &ks, &e), 0, "same ok");
	UT_CHECK(ks == 0, "same sample: 0");
	/* after 4: F_c = 1, F_d = 2/6 */
	UT_EQ_INT(pla_ks(c, 4, d, 6, &ks, &e), 0, "unequal sizes ok");
	UT_NEAR(ks, 1 - 2.0 / 6, 1e-15, "1 - 2/6 after the value 4");
	/* ties across the samples: after 2 both are 1/2 and 2/3 ... */
	double f[] = {1, 2, 2, 3}, g[] = {2, 2, 2};
	UT_EQ_INT(pla_ks(f, 4, g, 3, &ks, &e), 0, "tied values ok");
	UT_NEAR(ks, 0.25, 1e-15, "a jump compared after the whole tie: max(1/4, |3/4-1|)");
	UT_EQ_INT(pla_ks(f, 0, g, 3, &ks, &e), QE_DATA, "empty sample refused");
}

static void test_zones(void)
{
	UT_EQ_INT(pla_zone_of(0.85, 0.05), PLA_GREEN, "0.85, 0.05 green");
	UT_EQ_INT(pla_zone_of(0.80, 0.05), PLA_AMBER, "Spearman 0.80 is not above 0.80: amber");
	UT_EQ_INT(pla_zone_of(0.85, 0.09), PLA_AMBER, "KS 0.09 is not below 0.09: amber");
	UT_EQ_INT(pla_zone_of(0.70, 0.12), PLA_AMBER, "0.70 and 0.12 exactly: amber");
	UT_EQ_INT(pla_zone_of(0.6999, 0.01), PLA_RED, "Spearman below 0.70: red");
	UT_EQ_INT(pla_zone_of(0.99, 0.1201), PLA_RED, "KS above 0.12: red");
	UT_EQ_INT(pla_zone_of(NAN, 0.01), PLA_NONE, "undefined Spearman: no zone");
	UT_EQ_STR(pla_zone_name(PLA_AMBER), "amber", "name amber");
	UT_EQ_STR(pla_zone_name(PLA_NONE), "n/a", "name n/a");
}

static void cube(pnl_cube *c, const char *const *pf, int npf, const char *const *sc, int nsc, const double *v)
{
	qe_err e;
	pcube_init(c, &e);
	for (int i = 0; i < npf; i++)
		sidx_add(c->portfolios, pf[i], strlen(pf[i]), NULL);
	for (int i = 0; i < nsc; i++)
		sidx_add(c->scenarios, sc[i], strlen(sc[i]), NULL);
	pcube_alloc(c, &e);
	memcpy(c->pnl, v, (size_t)(npf * nsc) * sizeof *v);
}

static void test_cubes(void)
{
	static const char *const pf[] = {"A", "B"}, *const pf2[] = {"B", "A"}, *const pf3[] = {"A", "C"};
	static const char *const sc[] = {"d1", "d2", "d3", "d4"}, *const sc2[] = {"d4", "d3", "d2", "d1"},
				 *const sc3[] = {"d1", "d2", "d3", "d5"};
	/* the second cube holds the same P&L in another order of portfolios and scenarios */
	double v[] = {1, 2, 3, 4, 5, 5, 5, 5}, w[] = {5, 5, 5, 5, 4, 3, 2, 1};
	pnl_cube a, b, c, d;
	pla_result r[2];
	qe_err e;
	cube(&a, pf, 2, sc, 4, v);
	cube(&b, pf2, 2, sc2, 4, w);
	UT_EQ_INT(pla_compare_cubes(&a, &b, r, &e), 0, "reordered cube ok");
	UT_CHECK(r[0].scenarios == 4 && r[0].spearman == 1 && r[0].ks == 0 && r[0].zone == PLA_GREEN,
		 "same P&L matched by name: rho 1, KS 0, green");
	UT_CHECK(r[1].zone == PLA_NONE && r[1].ks == 0, "constant portfolio: no zone, KS 0");
	cube(&c, pf3, 2, sc, 4, v);
	UT_EQ_INT(pla_compare_cubes(&a, &c, r, &e), QE_DATA, "other portfolios refused");
	UT_CHECK(strstr(e.msg, "portfolio 'B'") != NULL, "names the missing portfolio");
	cube(&d, pf, 2, sc3, 4, v);
	UT_EQ_INT(pla_compare_cubes(&a, &d, r, &e), QE_DATA, "other scenarios refused");
	UT_CHECK(strstr(e.msg, "scenario 'd4'") != NULL, "names the missing scenario");
	b.has_asof = a.has_asof = 1;
	a.asof = 20000;
	b.asof = 20001;
	UT_EQ_INT(pla_compare_cubes(&a, &b, r, &e), QE_DATA, "other as-of dates refused");
	pcube_free(&a);
	pcube_free(&b);
	pcube_free(&c);
	pcube_free(&d);
}

int main(void)
{
	test_ranks();
	test_spearman();
	test_ks();
	test_zones();
	test_cubes();
	return ut_done();
}
