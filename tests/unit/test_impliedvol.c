/* price/impliedvol: premia computed by mpmath at 60 digits from a known
 * vol (tests/price/ivoracle.py's formulas), normalised round trips over
 * the four regions of Let's Be Rational, and American round trips. */
#include "unit.h"

#include <math.h>

#include "price/american.h"
#include "price/impliedvol.h"

static void test_black76(void)
{
	static const struct {
		int type;
		double F, K, vol, r, T, premium;
	} c[] = {
		{OPT_CALL, 100, 5000, 0.5, 0.0, 1.0, 1.0872517227067083e-13},
		{OPT_PUT, 100, 20, 0.3, 0.03, 2.0, 0.0003064548962586323},
		{OPT_PUT, 100, 300, 0.25, 0.02, 1.0, 196.0397834463614},
		{OPT_CALL, 100, 100, 0.2, 0.05, 1.0, 7.577082146427273},
		{OPT_CALL, 100, 100, 3.0, 0.0, 4.0, 99.73002039367398},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		double vol = -1;
		const char *why = NULL;
		UT_EQ_INT(iv_black76(c[i].type, c[i].F, c[i].K, c[i].r, c[i].T, c[i].premium, &vol, &why),
			  OPT_OK, "black76: mpmath premium inverted");
		/* the deep in-the-money put carries time value 4e-6 of its
		 * premium: the vol is as good as the premium's rounding allows */
		double tol = i == 2 ? 1e-9 : i == 4 ? 1e-10 : 1e-13;
		UT_CHECK(fabs(vol - c[i].vol) <= tol * c[i].vol, "black76: the true vol");
		if (fabs(vol - c[i].vol) > tol * c[i].vol)
			printf("# case %zu: %.17g vs %.17g\n", i, vol, c[i].vol);
	}
	double vol;
	const char *why;
	UT_EQ_INT(iv_black76(OPT_CALL, 100, 90, 0, 1, 9.99, &vol, &why), OPT_EDOMAIN, "below intrinsic");
	UT_EQ_INT(iv_black76(OPT_CALL, 100, 90, 0, 1, 100, &vol, &why), OPT_EDOMAIN, "at the upper bound");
	UT_EQ_INT(iv_black76(OPT_PUT, 100, 90, 0, 1, 90, &vol, &why), OPT_EDOMAIN, "put at the strike");
	UT_EQ_INT(iv_black76(OPT_CALL, -1, 90, 0, 1, 1, &vol, &why), OPT_EDOMAIN, "negative forward");
	UT_EQ_INT(iv_black76(OPT_CALL, 100, 90, 0, 1, 10, &vol, &why), OPT_OK, "intrinsic premium");
	UT_CHECK(vol == 0, "intrinsic premium: vol 0");
}

/* b(x, s) -> s over log-moneyness and total vol: every region of the
 * method (lowest, the two middle ones, highest) and both option types;
 * checked where b moves with s (s b'/b >= 1e-4), to 1e-13 relative. */
static void test_normalised(void)
{
	static const double xs[] = {-10, -3, -1, -0.1, -1e-3, 0, 1e-3, 0.1, 1, 3, 10};
	static const double ss[] = {1e-3, 0.01, 0.05, 0.2, 0.5, 1, 2, 4, 8};
	int bad = 0, n = 0;
	for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
		for (size_t j = 0; j < sizeof ss / sizeof ss[0]; j++)
			for (int theta = -1; theta <= 1; theta += 2) {
				double x = xs[i], s = ss[j], b = iv_normalised_black(x, s, theta);
				double otm = theta * x > 0 ? b - theta * (exp(0.5 * x) - exp(-0.5 * x)) : b;
				double bmax = theta > 0 ? exp(0.5 * x) : exp(-0.5 * x);
				double vega = exp(-0.5 * (x * x / (s * s) + s * s / 4)) / sqrt(2 * M_PI);
				if (!(otm > 1e-300) || b >= bmax || s * vega < 1e-4 * b)
					continue;
				n++;
				double back = iv_normalised_implied(b, x, theta);
				if (!(fabs(back - s) <= 1e-13 * s + 4e-16 * b / vega)) {
					bad++;
					printf("# x %g s %g theta %d: %.17g\n", x, s, theta, back);
				}
			}
	UT_CHECK(n > 100, "normalised: enough cases");
	UT_EQ_INT(bad, 0, "normalised: b(x, s) inverted to s");
	UT_CHECK(iv_normalised_implied(2.0, 0.0, 1) < 0, "normalised: above b_max refused");
}

/* The number of Householder steps: two from the rational guess, as
 * "Let's Be Rational" promises, over the desk's range (|x| up to 1.5 s,
 * s from 0.002 to 6: bench/price/iv's options), and never more than
 * three over the wide grid of test_normalised down to b = 1e-300; the
 * answer to 1e-13 (plus the conditioning of b) everywhere. */
static void test_steps(void)
{
	int n = 0, over2 = 0, over3 = 0, bad = 0, hist[9] = {0};
	for (int i = 0; i <= 60; i++) {
		double s = 0.002 * pow(3000.0, i / 60.0);
		for (int j = -20; j <= 20; j++)
			for (int theta = -1; theta <= 1; theta += 2) {
				double x = 1.5 * s * j / 20, b = iv_normalised_black(x, s, theta);
				int steps = -1;
				double back = iv_normalised_implied_steps(b, x, theta, &steps);
				double vega = exp(-0.5 * (x * x / (s * s) + s * s / 4)) / sqrt(2 * M_PI);
				n++;
				over2 += steps > 2;
				if (steps >= 0 && steps <= 8)
					hist[steps]++;
				if (!(fabs(back - s) <= 1e-13 * s + 4e-16 * b / vega))
					bad++;
			}
	}
	for (double x = -40; x <= 40; x += 0.5)
		for (int i = 0; i <= 40; i++) {
			double s = 1e-3 * pow(1e4, i / 40.0);
			for (int theta = -1; theta <= 1; theta += 2) {
				double b = iv_normalised_black(x, s, theta);
				double otm = theta * x > 0 ? b - theta * (exp(0.5 * x) - exp(-0.5 * x)) : b;
				double bmax = theta > 0 ? exp(0.5 * x) : exp(-0.5 * x);
				if (!(otm > 1e-300) || b >= bmax)
					continue;
				int steps = -1;
				iv_normalised_implied_steps(b, x, theta, &steps);
				if (steps >= 0 && steps <= 8)
					hist[steps]++;
				over3 += steps > 3;
			}
		}
	printf("# steps: 1:%d 2:%d 3:%d 4+:%d\n", hist[1], hist[2], hist[3],
	       hist[4] + hist[5] + hist[6] + hist[7] + hist[8]);
	UT_CHECK(n > 4000, "steps: enough cases");
	UT_EQ_INT(over2, 0, "steps: two Householder steps over the desk's range");
	UT_EQ_INT(over3, 0, "steps: at most three anywhere");
	UT_EQ_INT(bad, 0, "steps: the answer to 1e-13 over the desk's range");
}

static void test_bachelier(void)
{
	double vol;
	const char *why;
	UT_EQ_INT(iv_bachelier(OPT_CALL, -5, 3, 0, 1, 1.4290516864811334e-05, &vol, &why), OPT_OK, "bachelier: negative forward");
	UT_NEAR(vol, 2.0, 2e-13, "bachelier: deep OTM call, mpmath");
	iv_bachelier(OPT_PUT, -5, -4, 0.01, 0.5, 1.193657992786413, &vol, &why);
	UT_NEAR(vol, 2.0, 1e-14, "bachelier: ITM put, mpmath");
	iv_bachelier(OPT_CALL, 50, 250, 0, 1, 1.4949120509178656e-23, &vol, &why);
	UT_NEAR(vol, 20.0, 2e-12, "bachelier: 10 sd out of the money, mpmath");
	UT_EQ_INT(iv_bachelier(OPT_CALL, 50, 40, 0, 1, 9, &vol, &why), OPT_EDOMAIN, "bachelier: below intrinsic");
}

static void test_american(void)
{
	static const int methods[] = {AMER_BAW, AMER_BS2002, AMER_BS1993};
	static const double Ks[] = {60, 90, 100, 110, 160}, vols[] = {0.05, 0.3, 1.2};
	int bad = 0;
	for (size_t m = 0; m < 3; m++)
		for (int type = -1; type <= 1; type += 2)
			for (size_t k = 0; k < 5; k++)
				for (size_t v = 0; v < 3; v++) {
					double p, vol = -1;
					const char *why;
					if (american_price(methods[m], type, 100, Ks[k], vols[v], 0.08, 0, 1.5, &p, &why))
						continue;
					double intrinsic = fmax(type * (100 - Ks[k]), 0);
					/* vega negligible: the premium is its exercise value */
					if (!(p > intrinsic) || p - intrinsic < 1e-6 * p)
						continue;
					int st = iv_american(methods[m], type, 100, Ks[k], 0.08, 1.5, p, &vol, &why);
					if (st || fabs(vol - vols[v]) > 1e-9 * vols[v]) {
						bad++;
						printf("# %s %d K %g vol %g: st %d %.17g\n", amer_method_name(methods[m]),
						       type, Ks[k], vols[v], st, vol);
					}
				}
	UT_EQ_INT(bad, 0, "american: premium inverted to its vol (BAW, BS2002, BS1993)");
	double vol;
	const char *why;
	UT_EQ_INT(iv_american(AMER_BAW, OPT_PUT, 100, 120, 0.05, 1, 19.9, &vol, &why), OPT_EDOMAIN,
		  "american: below the exercise value");
}

int main(void)
{
	test_black76();
	test_normalised();
	test_steps();
	test_bachelier();
	test_american();
	return ut_done();
}
