/* qe-optimize hedge: integer hedge lots that minimize the book's residual
 * variance plus the transaction cost (opt/hedge). */
#include <math.h>
#include <stdlib.h>

#include "cli.h"
#include "optimize/optimize.h"
#include "opt/hedge.h"
#include "opt/optout.h"
#include "risk/riskfactor.h"

static const char usage[] =
	"usage: qe-optimize hedge --ladder FILE --cov FILE --hedges FILE --asof DATE\n"
	"                         [OPTIONS]\n"
	"Choose integer lots of the hedge menu that minimize the residual variance\n"
	"d'Sd of the book's delta ladder plus cost-weight times the cost, through a\n"
	"QUBO; write instrument,curve,month,lots,quantity,cost as CSV.\n\n"
	"Hedge:\n"
	"  --ladder FILE       book,curve,month,delta,unit (qe-price --ladder)\n"
	"  --cov FILE          covariance factor1,factor2,cov (qe-var cov)\n"
	"  --hedges FILE       hedge menu (qe-formats(5) HEDGE MENU)\n"
	"  --asof DATE         as-of date YYYY-MM-DD: months become tenors\n"
	"  --book B            only book B of the ladder\n"
	"  --confidence C      of the VaR figures, in (0.5, 1) (default 0.99)\n"
	"  --cost-weight W     variance units per currency unit of cost (default 1)\n"
	"  --markets FILE      curve master: leave out expired menu rows\n"
	"  --calendars DIR     holiday files for --markets\n"
	"  --drop-uncovered    no tenor mapping: leave out factors without covariance\n"
	"  --fx FILE, --base CCY  currency,rate (units of CCY per unit): VaR in CCY\n"
	"  --allow-mixed-currency without --fx, add deltas of several currencies 1:1\n"
	OPTIMIZE_SHARED_HELP("sa", "200");

enum { O_LADDER = OPTIMIZE_OPT_OWN, O_COV, O_HEDGES, O_ASOF, O_BOOK, O_CONF, O_COSTW, O_DROP,
       O_MARKETS, O_CALDIR, O_FX, O_BASE, O_MIXED };

static const struct option longopts[] = {
	OPTIMIZE_SHARED_OPTIONS,
	{"ladder", required_argument, NULL, O_LADDER}, {"cov", required_argument, NULL, O_COV},
	{"hedges", required_argument, NULL, O_HEDGES}, {"asof", required_argument, NULL, O_ASOF},
	{"book", required_argument, NULL, O_BOOK}, {"confidence", required_argument, NULL, O_CONF},
	{"cost-weight", required_argument, NULL, O_COSTW}, {"drop-uncovered", no_argument, NULL, O_DROP},
	{"markets", required_argument, NULL, O_MARKETS}, {"calendars", required_argument, NULL, O_CALDIR},
	{"fx", required_argument, NULL, O_FX}, {"base", required_argument, NULL, O_BASE},
	{"allow-mixed-currency", no_argument, NULL, O_MIXED}, {0}};

static void parse(optimize_opts *o, hedge_args *h, int argc, char **argv)
{
	int c;
	h->confidence = 0.99;
	h->cost_weight = 1;
	while ((c = optimize_getopt(o, argc, argv, longopts)) != -1) {
		switch (c) {
		case O_LADDER: h->ladder = optarg; break;
		case O_COV: h->cov = optarg; break;
		case O_HEDGES: h->hedges = optarg; break;
		case O_ASOF: h->asof = optarg; break;
		case O_BOOK: h->book = optarg; break;
		case O_MARKETS: h->markets = optarg; break;
		case O_CALDIR: h->calendars = optarg; break;
		case O_FX: h->fx = optarg; break;
		case O_BASE: h->base = optarg; break;
		case O_MIXED: h->allow_mixed = 1; break;
		case O_CONF:
			h->confidence = cli_double("--confidence", optarg);
			if (!(h->confidence > 0.5 && h->confidence < 1))
				cli_usage_error("option --confidence: must be in (0.5, 1) '%s'", optarg);
			break;
		case O_COSTW:
			h->cost_weight = cli_double("--cost-weight", optarg);
			if (h->cost_weight < 0)
				cli_usage_error("option --cost-weight: must be >= 0 '%s'", optarg);
			break;
		case O_DROP: h->drop_uncovered = 1; break;
		default: optimize_unhandled(o, c);
		}
	}
	optimize_no_operands(o, argc, argv);
	if (!h->fx != !h->base)
		optimize_usage_error(o, "--fx FILE and --base CCY go together");
	if (h->fx && h->allow_mixed)
		optimize_usage_error(o, "--allow-mixed-currency is for hedges without --fx");
	/* The hedge polish reaches the convex optimum from any start: a short
	 * anneal is enough, and keeps the pipeline step quick. */
	if (o->ao.sweeps == 0)
		o->ao.sweeps = 200;
	optimize_opts_finish(o);
}

int cmd_optimize_hedge(int argc, char **argv)
{
	optimize_opts o;
	hedge_args ha = {0};
	hedge_problem h;
	opt_problem p;
	anneal_result r;
	qe_err e;
	double constant, relaxed_var = NAN;
	optimize_opts_init(&o, "hedge", usage);
	parse(&o, &ha, argc, argv);
	if (!ha.ladder || !ha.cov || !ha.hedges || !ha.asof)
		optimize_usage_error(&o, "needs --ladder, --cov, --hedges and --asof");
	ha.calendars = ha.markets ? cli_calendar_dir(ha.calendars, ha.markets) : NULL;
	if (hedge_read(&h, &ha, &e) || hedge_qubo(&h, &p, &constant, &e))
		cli_die_err(&e);
	if (h.dropped)
		cli_warnf("%s: %d ladder factors without covariance left out (sum |delta| %.10g): "
			  "the VaR figures cover only the rest of the book",
			  ha.ladder, h.dropped, h.dropped_delta);
	if (h.mapped)
		cli_info("%s: %d ladder rows beyond tenor %d carried by CURVE:%d (sum |delta| %.10g), as in qe-var",
			 ha.ladder, h.mapped, RISK_MAX_TENOR, RISK_MAX_TENOR, h.mapped_delta);
	if (h.mixed[0])
		cli_warnf("%s: --allow-mixed-currency: deltas in %s added 1:1, the VaR figures mix currencies",
			  ha.ladder, h.mixed);
	if (h.expired)
		cli_info("%s: %d menu rows at or past their last trading day left out", ha.hedges, h.expired);
	if (!ha.markets)
		cli_warnf("no --markets: last trading days not checked (only contracts in delivery left out)");
	if (o.ao.has_target)
		o.ao.target_energy = o.target;
	o.ao.polish_fn = hedge_polish_spins;
	o.ao.polish_ctx = &h;
	optimize_open_outputs(&o);
	optimize_solve(&o, &p, constant, &r);
	int64_t *lots = malloc(((size_t)h.ni + 1) * sizeof *lots);
	double *dl = malloc(((size_t)h.ni + 1) * sizeof *dl);
	if (!lots || !dl)
		cli_die(QE_INTERNAL, "out of memory");
	hedge_decode(&h, r.spins, lots);
	for (int k = 0; k < h.ni; k++)
		dl[k] = (double)lots[k];
	double v0 = hedge_variance(&h, NULL), v1 = hedge_variance(&h, dl), cost = hedge_cost(&h, lots);
	double obj = v1 + h.cost_weight * cost;
	if (hedge_relaxed(&h, dl, &relaxed_var, &e))
		cli_warnf("%s", e.msg);
	optout_hedge(o.out_fp, &h, lots);
	if (o.summary) {
		const char *xn[] = {"variance_before", "variance_after", "var_before", "var_after", "hedge_cost",
				    "relaxed_variance", "confidence", "mapped_rows", "mapped_abs_delta",
				    "uncovered_factors", "uncovered_abs_delta", "expired_menu_rows"};
		double xv[] = {v0, v1, h.z * sqrt(v0), h.z * sqrt(v1), cost, relaxed_var, ha.confidence,
			       h.mapped, h.mapped_delta, h.dropped, h.dropped_delta, h.expired};
		optimize_write_summary(&o, NULL, 0, &r, obj, xn, xv, 12, h.currency);
	}
	optimize_commit_outputs();
	cli_info("hedge %s seed %llu: VaR(%g) %.6g -> %.6g%s%s, cost %.6g, variance %.6g -> %.6g (relaxed bound %.6g)",
		 solver_name(o.ao.solver), (unsigned long long)o.ao.seed, ha.confidence,
		 h.z * sqrt(v0), h.z * sqrt(v1), h.currency[0] ? " " : "", h.currency, cost, v0, v1, relaxed_var);
	int miss = o.ao.has_target && !r.hit_target;
	free(lots);
	free(dl);
	anneal_result_free(&r);
	problem_free(&p);
	hedge_free(&h);
	return miss ? QE_NEGATIVE : QE_OK;
}
