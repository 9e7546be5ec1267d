/* Unit tests for lib/hedge: the binary encoding of lots, the QUBO of the
 * hedge and portfolio problems against direct evaluation, the polish. */
#include <stdlib.h>
#include <unistd.h>

#include "opt/hedge.h"
#include "opt/ising.h"
#include "opt/portfolio.h"
#include "unit.h"

static char dir[] = "/tmp/qe-test-hedge-XXXXXX";

static const char *put(const char *name, const char *text)
{
	static char path[8][128];
	static int k;
	char *p = path[k++ % 8];
	snprintf(p, 128, "%s/%s", dir, name);
	FILE *fp = fopen(p, "w");
	fputs(text, fp);
	fclose(fp);
	return p;
}

/* QUBO value of spins from the problem's own terms, plus the constant. */
static double qubo_value(const opt_problem *p, const int8_t *s, double constant)
{
	return problem_objective(p, s) + constant;
}

static void test_hedge(void)
{
	hedge_args a = {0};
	hedge_problem h;
	opt_problem p;
	qe_err e;
	double constant;
	qe_err_clear(&e);
	a.ladder = put("l.csv", "book,curve,month,delta,unit\nX,NG,2027-01,123456,MMBtu\nX,NG,2027-02,-54321,MMBtu\n"
				"X,CL,2027-01,7777,bbl\n");
	a.cov = put("c.csv", "factor1,factor2,cov\nNG:2,NG:2,0.01\nNG:2,NG:3,0.008\nNG:3,NG:3,0.011\n"
			     "CL:2,CL:2,1.5\nCL:2,NG:2,0.05\nCL:2,NG:3,0.04\n");
	a.hedges = put("h.csv", "instrument,curve,month,lot_size,cost_per_lot,min_lots,max_lots\n"
				"A,NG,2027-01,10000,2.5,-7,5\nB,NG,2027-02,10000,2.5,2,9\nC,CL,2027-01,1000,1,-13,-3\n");
	a.asof = "2026-11-26";
	a.confidence = 0.99;
	a.cost_weight = 1;
	UT_EQ_INT(hedge_read(&h, &a, &e), 0, "hedge inputs read");
	if (e.code)
		printf("# %s\n", e.msg);
	UT_EQ_INT(h.nf, 3, "three factors");
	UT_EQ_INT(h.ni, 3, "three instruments");
	UT_EQ_INT(hedge_qubo(&h, &p, &constant, &e), 0, "hedge QUBO built");
	/* Every lot vector in range encodes and decodes exactly, and the
	 * QUBO value equals variance + cost computed directly. */
	int8_t *s = malloc((size_t)p.n);
	int roundtrip = 1, value = 1;
	for (int64_t x = -7; x <= 5; x++)
		for (int64_t y = 2; y <= 9; y++)
			for (int64_t z = -13; z <= -3; z++) {
				int64_t lots[3] = {x, y, z}, back[3];
				double dl[3] = {(double)x, (double)y, (double)z};
				hedge_encode(&h, lots, s);
				hedge_decode(&h, s, back);
				if (back[0] != x || back[1] != y || back[2] != z)
					roundtrip = 0;
				double want = hedge_variance(&h, dl) + hedge_cost(&h, lots);
				if (fabs(qubo_value(&p, s, constant) - want) > 1e-9 * fabs(want))
					value = 0;
			}
	UT_CHECK(roundtrip, "lots -> bits -> lots over the whole box");
	UT_CHECK(value, "QUBO value = d'Sd + cost over the whole box");
	/* Polish from the box corner reaches a point no single or paired
	 * one-lot move improves. */
	int64_t lots[3] = {-7, 9, -3};
	hedge_polish(&h, lots);
	double dl[3] = {(double)lots[0], (double)lots[1], (double)lots[2]};
	double f0 = hedge_variance(&h, dl) + hedge_cost(&h, lots);
	int local = 1;
	for (int k = 0; k < 3; k++)
		for (int t = -1; t <= 1; t += 2) {
			int64_t l2[3] = {lots[0], lots[1], lots[2]};
			l2[k] += t;
			if (l2[0] < -7 || l2[0] > 5 || l2[1] < 2 || l2[1] > 9 || l2[2] < -13 || l2[2] > -3)
				continue;
			double d2[3] = {(double)l2[0], (double)l2[1], (double)l2[2]};
			if (hedge_variance(&h, d2) + hedge_cost(&h, l2) < f0 - 1e-9)
				local = 0;
		}
	UT_CHECK(local, "hedge polish ends where no one-lot move improves");
	free(s);
	problem_free(&p);
	hedge_free(&h);
}

static void test_portfolio(void)
{
	portfolio_args a = {0};
	portfolio_problem pp;
	opt_problem p;
	qe_err e;
	double constant;
	qe_err_clear(&e);
	a.assets = put("a.csv", "asset,expected_return,price\nA,0.1,10.5\nB,0.2,21\nC,0.15,31.5\nD,0.05,7\n");
	a.cov = put("pc.csv", "asset1,asset2,cov\nA,A,0.04\nB,B,0.09\nC,C,0.0625\nD,D,0.01\nA,B,0.01\n"
			      "A,C,0.005\nA,D,0\nB,C,0.02\nB,D,0.001\nC,D,0.002\n");
	a.budget = 42;
	a.has_budget = 1;
	a.cardinality = 2;
	a.risk_aversion = 2;
	UT_EQ_INT(portfolio_read(&pp, &a, &e), 0, "portfolio inputs read");
	if (e.code)
		printf("# %s\n", e.msg);
	UT_NEAR(pp.slack_step, 3.5, 1e-12, "budget unit = gcd of the prices in cents (3.50)");
	UT_EQ_INT(pp.budget_units, 12, "budget 42 = 12 units");
	UT_EQ_INT(portfolio_qubo(&pp, &p, &constant, &e), 0, "portfolio QUBO built");
	int8_t *s = malloc((size_t)p.n);
	int ok = 1;
	for (int code = 0; code < 16; code++) {
		for (int i = 0; i < 4; i++)
			s[i] = (code >> i) & 1 ? 1 : -1;
		for (int i = 4; i < p.n; i++)
			s[i] = -1;
		double spent;
		int count;
		if (!portfolio_feasible(&pp, s, &spent, &count))
			continue;
		portfolio_polish_spins(&pp, s); /* sets the slack (and may swap) */
		if (fabs(qubo_value(&p, s, constant) - portfolio_objective(&pp, s)) > 1e-12)
			ok = 0;
	}
	UT_CHECK(ok, "feasible selections carry zero penalty once the slack is set");
	for (int i = 0; i < p.n; i++)
		s[i] = -1;
	s[0] = s[1] = s[2] = 1; /* three assets: breaks the cardinality */
	UT_CHECK(qubo_value(&p, s, constant) > portfolio_objective(&pp, s) + pp.penalty / 2,
		 "a broken constraint costs the penalty");
	free(s);
	problem_free(&p);
	portfolio_free(&pp);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_hedge();
	test_portfolio();
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return ut_done();
}
