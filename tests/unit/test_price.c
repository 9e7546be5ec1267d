/* Unit tests for lib/normal and the option models (lib/black76, kirk,
 * asian, american): reference values from tables and identities. */
#include <math.h>

#include "price/american.h"
#include "price/asian.h"
#include "price/black76.h"
#include "price/kirk.h"
#include "core/normal.h"
#include "unit.h"

static void test_normal(void)
{
	/* Abramowitz & Stegun table 26.1 */
	UT_NEAR(normal_cdf(1.0), 0.841344746068542948, 1e-15, "N(1)");
	UT_NEAR(normal_cdf(-1.96), 0.0249978951482204, 1e-15, "N(-1.96)");
	UT_CHECK(fabs(normal_cdf(-10.0) / 7.61985302416047e-24 - 1) < 1e-13, "N(-10) relative");
	UT_NEAR(normal_pdf(0.0), 0.398942280401432678, 1e-16, "n(0)");
	UT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-14, "quantile 97.5%");
	UT_NEAR(normal_quantile(1e-10), -6.361340902404056, 1e-12, "quantile 1e-10");
	/* bivariate: M(0,0;rho) = 1/4 + asin(rho)/(2 pi) */
	double worst = 0;
	for (double rho = -0.99; rho <= 0.99; rho += 0.01) {
		double want = 0.25 + asin(rho) / (2 * M_PI);
		worst = fmax(worst, fabs(normal_cdf2(0, 0, rho) - want));
	}
	UT_CHECK(worst < 1e-15, "M(0,0;rho) closed form for rho in [-0.99, 0.99]");
	UT_NEAR(normal_cdf2(1.0, -0.5, 0.0), normal_cdf(1.0) * normal_cdf(-0.5), 1e-16,
		"independent case factorises");
	UT_NEAR(normal_cdf2(0.3, 0.7, 1.0), normal_cdf(0.3), 1e-15, "rho = 1");
	UT_NEAR(normal_cdf2(0.3, 0.7, -1.0), normal_cdf(0.3) - normal_cdf(-0.7), 1e-15, "rho = -1");
	/* symmetry M(a,b;r) = M(b,a;r) */
	UT_NEAR(normal_cdf2(-0.4, 1.3, 0.8), normal_cdf2(1.3, -0.4, 0.8), 1e-15, "symmetry");
	/* a value does not depend on the correlations asked before (the
	 * sines of the last two are kept per thread): each (a, b, rho) alone
	 * after a different rho, then all interleaved over five
	 * correlations, three of one Gauss-Legendre rule */
	const double rhos[5] = {0.786151377757423, -0.786151377757423, 0.8, 0.5, -0.2};
	double alone[5][7], mixed[5][7];
	for (int j = 0; j < 5; j++)
		for (int i = 0; i < 7; i++) {
			(void)normal_cdf2(0.1, 0.2, 0.6 - 0.1 * j); /* another rho first */
			alone[j][i] = normal_cdf2(-1.5 + 0.5 * i, 0.3 * i - 1, rhos[j]);
		}
	for (int i = 0; i < 7; i++)
		for (int j = 0; j < 5; j++)
			mixed[(j * 3) % 5][i] = normal_cdf2(-1.5 + 0.5 * i, 0.3 * i - 1, rhos[(j * 3) % 5]);
	UT_CHECK(memcmp(alone, mixed, sizeof alone) == 0, "M(a,b;rho) the same bits whatever rho came before");
	UT_NEAR(normal_cdf2(0, 0, rhos[0]), 0.25 + asin(rhos[0]) / (2 * M_PI), 1e-15,
		"M(0,0;rho) closed form after the memo is warm");
}

static void test_models(void)
{
	opt_greeks g;
	const char *why = NULL;
	UT_EQ_INT(black76(OPT_PUT, 19, 19, 0.28, 0.10, 0.75, &g, &why), OPT_OK, "black76 ok");
	UT_NEAR(g.price, 1.7011, 5e-5, "Haug Black-76 put 1.7011");
	UT_EQ_INT(black76(OPT_CALL, -1, 19, 0.28, 0.10, 0.75, &g, &why), OPT_EDOMAIN, "negative F refused");
	UT_EQ_INT(black76(OPT_CALL, 1, 19, -0.28, 0.10, 0.75, &g, &why), OPT_EDOMAIN, "negative vol refused");
	UT_EQ_INT(bachelier(OPT_CALL, -5, -3, 2, 0.0, 1, &g, &why), OPT_OK, "bachelier negative prices");
	UT_NEAR(g.price, 2 * (-1 * normal_cdf(-1) + normal_pdf(-1)), 1e-15, "bachelier closed form");

	double price;
	UT_EQ_INT(kirk_price(OPT_CALL, 28, 20, 7, 0.29, 0.36, 0.42, 1.0, 0.05, 0.25, &price, &why), OPT_OK, "kirk ok");
	UT_NEAR(price, 2.1670, 5e-5, "Haug Kirk 2.1670");
	/* ratio a: same as a plain spread on a*F2 */
	double p2;
	kirk_price(OPT_CALL, 50, 20, 3, 0.3, 0.4, 0.5, 2.0, 0.05, 1, &price, &why);
	kirk_price(OPT_CALL, 50, 40, 3, 0.3, 0.4, 0.5, 1.0, 0.05, 1, &p2, &why);
	UT_NEAR(price, p2, 1e-14, "kirk ratio scales F2");

	double t[26];
	UT_EQ_INT(asian_grid(1.0 / 52, 0.5, 26, 0, t, &why), OPT_OK, "asian grid");
	asian_price(ASIAN_TW, OPT_CALL, 100, 80, 0.2, 0.05, 0.5, 26, 0, 0, t, &price, &why);
	UT_NEAR(price, 19.5152, 5e-5, "Haug TW 19.5152");
	/* fully fixed average: deterministic payoff */
	asian_price(ASIAN_TW, OPT_CALL, 100, 80, 0.2, 0.05, 0.5, 4, 4, 90, t, &price, &why);
	UT_NEAR(price, 10 * exp(-0.025), 1e-14, "fully fixed Asian");
	/* K* <= 0: the call is a forward on the rest */
	asian_price(ASIAN_TW, OPT_CALL, 100, 10, 0.2, 0.05, 0.5, 4, 2, 90, t, &price, &why);
	UT_NEAR(price, exp(-0.025) * (0.5 * 100 + 0.5 * 90 - 10), 1e-13, "certain exercise is a forward");

	/* a strip of equal forwards and vols is the one-forward model */
	{
		double Fs[26], vs[26], sp;
		opt_greeks g1, g2;
		for (int i = 0; i < 26; i++)
			Fs[i] = 100, vs[i] = 0.2;
		UT_EQ_INT(asian_tw_strip(OPT_CALL, Fs, vs, 80, 0.05, 0.5, 26, 0, 0, t, &sp, &why), OPT_OK, "strip");
		asian_price(ASIAN_TW, OPT_CALL, 100, 80, 0.2, 0.05, 0.5, 26, 0, 0, t, &price, &why);
		UT_NEAR(sp, price, 1e-12, "equal strip = Turnbull-Wakeman");
		asian_tw_strip_greeks_fd(OPT_PUT, Fs, vs, 95, 0.05, 0.5, 28, 2, 97, t, &g1, &why);
		asian_greeks_fd(ASIAN_TW, OPT_PUT, 100, 95, 0.2, 0.05, 0.5, 28, 2, 97, t, &g2, &why);
		UT_NEAR(g1.price, g2.price, 1e-12, "equal strip, partly fixed: price");
		UT_NEAR(g1.delta, g2.delta, 1e-7, "equal strip: delta");
		UT_NEAR(g1.vega, g2.vega, 1e-6, "equal strip: vega");
		UT_NEAR(g1.theta, g2.theta, 1e-6, "equal strip: theta");
		/* two fixings, hand moment matching: M1 = 95, M2 = (90^2 e^(0.04 x 0.25)
		 * + 2 x 90 x 100 e^(0.2 x 0.3 x 0.25) + 100^2 e^(0.09 x 0.5)) / 4 */
		double F2[2] = {90, 100}, v2[2] = {0.2, 0.3}, t2[2] = {0.25, 0.5};
		double M2 = (8100 * exp(0.01) + 18000 * exp(0.015) + 10000 * exp(0.045)) / 4;
		double sd = sqrt(log(M2 / (95.0 * 95.0))), d1 = log(95.0 / 94) / sd + sd / 2;
		double want = exp(-0.05 * 0.5) * (95 * normal_cdf(d1) - 94 * normal_cdf(d1 - sd));
		asian_tw_strip(OPT_CALL, F2, v2, 94, 0.05, 0.5, 2, 0, 0, t2, &sp, &why);
		UT_NEAR(sp, want, 1e-12, "two-contract strip by hand");
		F2[0] = -1;
		UT_EQ_INT(asian_tw_strip(OPT_CALL, F2, v2, 94, 0.05, 0.5, 2, 0, 0, t2, &sp, &why), OPT_EDOMAIN,
			  "strip: a non-positive forward is refused");
	}

	UT_EQ_INT(american_price(AMER_BS1993, OPT_CALL, 42, 40, 0.35, 0.04, -0.04, 0.75, &price, &why), OPT_OK, "bs1993");
	UT_NEAR(price, 5.2704, 5e-5, "Haug BS1993 5.2704");
	/* call with b >= r is European */
	american_price(AMER_BAW, OPT_CALL, 100, 100, 0.2, 0.05, 0.05, 1, &price, &why);
	black76(OPT_CALL, 100 * exp(0.05), 100, 0.2, 0.05, 1, &g, &why);
	UT_NEAR(price, g.price, 1e-14, "no early exercise when b >= r");
	UT_EQ_INT(american_price(AMER_BAW, OPT_PUT, -1, 100, 0.2, 0.05, 0, 1, &price, &why), OPT_EDOMAIN, "negative spot refused");
}

int main(void)
{
	test_normal();
	test_models();
	return ut_done();
}
