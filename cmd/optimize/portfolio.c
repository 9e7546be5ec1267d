/* qe-optimize portfolio: K assets under a budget by mean-variance, as a
 * penalty QUBO (opt/portfolio). */
#include <math.h>

#include "cli.h"
#include "optimize/optimize.h"
#include "opt/optout.h"
#include "opt/portfolio.h"

static const char usage[] =
	"usage: qe-optimize portfolio --assets FILE --cov FILE --cardinality K [OPTIONS]\n"
	"Select exactly K assets costing at most the budget that minimize\n"
	"q x'Sx - mu'x, through a penalty QUBO; write\n"
	"asset,selected,price,expected_return as CSV.\n\n"
	"Portfolio:\n"
	"  --assets FILE       assets asset,expected_return,price\n"
	"  --cov FILE          covariance asset1,asset2,cov\n"
	"  --cardinality K     number of assets to select\n"
	"  --budget B          at most B spent (default: no budget)\n"
	"  --risk-aversion Q   q > 0 (default 1)\n"
	OPTIMIZE_SHARED_HELP("pt", "2000");

enum { O_ASSETS = OPTIMIZE_OPT_OWN, O_COV, O_BUDGET, O_CARD, O_RISK };

static const struct option longopts[] = {
	OPTIMIZE_SHARED_OPTIONS,
	{"assets", required_argument, NULL, O_ASSETS}, {"cov", required_argument, NULL, O_COV},
	{"budget", required_argument, NULL, O_BUDGET}, {"cardinality", required_argument, NULL, O_CARD},
	{"risk-aversion", required_argument, NULL, O_RISK}, {0}};

static void parse(optimize_opts *o, portfolio_args *pa, int argc, char **argv)
{
	int c;
	pa->risk_aversion = 1;
	while ((c = optimize_getopt(o, argc, argv, longopts)) != -1) {
		switch (c) {
		case O_ASSETS: pa->assets = optarg; break;
		case O_COV: pa->cov = optarg; break;
		case O_BUDGET: pa->budget = cli_double("--budget", optarg); pa->has_budget = 1; break;
		case O_CARD: pa->cardinality = (int)cli_int("--cardinality", optarg, 1, 1 << 20); break;
		case O_RISK:
			pa->risk_aversion = cli_double("--risk-aversion", optarg);
			if (!(pa->risk_aversion > 0))
				cli_usage_error("option --risk-aversion: must be > 0 '%s'", optarg);
			break;
		default: optimize_unhandled(o, c);
		}
	}
	optimize_no_operands(o, argc, argv);
	/* Penalty terms make rugged landscapes where replica exchange is the
	 * more reliable default. */
	if (!o->solver_given)
		o->ao.solver = SOLVER_PT;
	optimize_opts_finish(o);
}

/* The penalty starts above any single-flip gain and is raised until the
 * returned selection meets both constraints (at most 8 times). */
int cmd_optimize_portfolio(int argc, char **argv)
{
	optimize_opts o;
	portfolio_args pa = {0};
	portfolio_problem pp;
	opt_problem p;
	anneal_result r = {0};
	qe_err e;
	double constant, spent = 0, relaxed = NAN;
	int count = 0, ok = 0;
	optimize_opts_init(&o, "portfolio", usage);
	parse(&o, &pa, argc, argv);
	if (!pa.assets || !pa.cov || !pa.cardinality)
		optimize_usage_error(&o, "needs --assets, --cov and --cardinality");
	if (portfolio_read(&pp, &pa, &e))
		cli_die_err(&e);
	if (o.ao.has_target)
		o.ao.target_energy = o.target;
	o.ao.polish_fn = portfolio_polish_spins;
	o.ao.polish_ctx = &pp;
	optimize_open_outputs(&o);
	for (int attempt = 0; attempt < 8 && !ok; attempt++) {
		if (attempt) {
			anneal_result_free(&r);
			pp.penalty *= 4;
		}
		if (portfolio_qubo(&pp, &p, &constant, &e))
			cli_die_err(&e);
		optimize_solve(&o, &p, constant, &r);
		problem_free(&p);
		ok = portfolio_feasible(&pp, r.spins, &spent, &count);
	}
	if (portfolio_relaxed(&pp, &relaxed, &e))
		cli_warnf("%s", e.msg);
	double obj = portfolio_objective(&pp, r.spins);
	optout_portfolio(o.out_fp, &pp, r.spins);
	if (o.summary) {
		const char *xn[] = {"selected", "spent", "budget", "feasible", "penalty", "relaxed_objective"};
		double xv[] = {count, spent, pp.budget, ok, pp.penalty, relaxed};
		optimize_write_summary(&o, NULL, 0, &r, obj, xn, xv, 6, NULL);
	}
	optimize_commit_outputs();
	cli_info("portfolio %s seed %llu: objective %.10g, %d assets for %.10g of %.10g, %s (penalty %g)",
		 solver_name(o.ao.solver), (unsigned long long)o.ao.seed, obj, count, spent, pp.budget,
		 ok ? "constraints met" : "CONSTRAINTS NOT MET", pp.penalty);
	anneal_result_free(&r);
	portfolio_free(&pp);
	return ok ? QE_OK : QE_NUMERIC;
}
