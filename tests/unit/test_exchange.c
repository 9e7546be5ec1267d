/* Unit tests for lib/exchange/impvol: the bracketed inversion gives back
 * the vol an option was priced at (Black-76 and Barone-Adesi-Whaley, calls
 * and puts, in and out of the money), reprices the premium, and refuses
 * premiums outside the no-arbitrage bounds.  The bats tests compare the
 * same vols with QuantLib. */
#include <math.h>
#include <stdint.h>

#include "exchange/impvol.h"
#include "price/black76.h"
#include "unit.h"

static uint64_t state = 88172645463325252ull;

static double uniform(double lo, double hi)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return lo + (hi - lo) * (double)(state >> 11) / 9007199254740992.0;
}

int main(void)
{
	int bad_vol = 0, bad_price = 0, solved = 0;
	for (int i = 0; i < 20000; i++) {
		int style = i % 2 ? IMPVOL_AMERICAN : IMPVOL_EUROPEAN, type = i % 4 < 2 ? OPT_CALL : OPT_PUT;
		double F = uniform(2, 120), K = F * uniform(0.6, 1.5), T = uniform(0.02, 3);
		double vol = uniform(0.08, 1.2), r = uniform(0, 0.08), p, v;
		const char *why;
		if (impvol_price(style, type, F, K, r, T, vol, &p))
			continue;
		int st = impvol_solve(style, type, F, K, r, T, p, &v, &why);
		if (st == IMPVOL_FLAT)
			continue; /* negligible vega: the price does not fix a vol */
		solved++;
		double q;
		impvol_price(style, type, F, K, r, T, v, &q);
		/* below any exchange tick (1e-6 of the future) a premium's
		 * elasticity to the vol is so large that the last ulp of the vol
		 * moves it by more than 1e-13: the vol is still checked.  The
		 * inversion is exact against the normalised Black function
		 * (tests/price.bats "iv:"); the scalar black76() that prices p
		 * and q here carries up to ~2e-13 relative error of its own on
		 * far out-of-the-money premia, hence 5e-13 */
		bad_price += st != IMPVOL_OK || (p > 1e-6 * F && fabs(q - p) > 5e-13 * p);
		bad_vol += st != IMPVOL_OK || fabs(v - vol) > 1e-8 * vol;
	}
	UT_CHECK(solved > 15000, "most random options have a vol");
	UT_EQ_INT(bad_price, 0, "the vol found reprices every premium above 1e-6 of the future to 5e-13 relative");
	UT_EQ_INT(bad_vol, 0, "the vol found is the vol priced at, to 1e-8 relative");

	double v;
	const char *why;
	UT_EQ_INT(impvol_solve(IMPVOL_EUROPEAN, OPT_CALL, 4.25, 3.0, 0.04, 0.05, 1.2, &v, &why), IMPVOL_BOUNDS,
		  "a call below its discounted intrinsic value is out of bounds");
	UT_EQ_INT(impvol_solve(IMPVOL_EUROPEAN, OPT_CALL, 4.25, 3.0, 0.0, 0.05, 4.25, &v, &why), IMPVOL_BOUNDS,
		  "a call at the future's value is out of bounds");
	UT_EQ_INT(impvol_solve(IMPVOL_AMERICAN, OPT_PUT, 50, 60, 0.05, 0.5, 9.9, &v, &why), IMPVOL_BOUNDS,
		  "an American put below immediate exercise is out of bounds");
	UT_EQ_INT(impvol_solve(IMPVOL_EUROPEAN, OPT_PUT, 50, 60, 0.0, 0.0, 10, &v, &why), IMPVOL_FLAT,
		  "at expiry there is no vol");
	double deep;
	impvol_price(IMPVOL_EUROPEAN, OPT_CALL, 100, 50, 0.0, 0.1, 0.3, &deep);
	UT_EQ_INT(impvol_solve(IMPVOL_EUROPEAN, OPT_CALL, 100, 50, 0.0, 0.1, deep, &v, &why), IMPVOL_FLAT,
		  "a deep in-the-money premium with negligible vega (vega x vol < 1e-6 price) gives no vol");
	impvol_price(IMPVOL_EUROPEAN, OPT_CALL, 100, 80, 0.0, 0.1, 0.3, &deep);
	UT_EQ_INT(impvol_solve(IMPVOL_EUROPEAN, OPT_CALL, 100, 80, 0.0, 0.1, deep, &v, &why), IMPVOL_OK,
		  "a less deep one still has its vol");
	return ut_done();
}
