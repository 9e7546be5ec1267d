/* qe-optimize: QUBO/Ising/Max-Cut heuristics (simulated annealing,
 * parallel tempering, simulated bifurcation, exact) and the trading
 * problems that map onto them (hedge, portfolio).  See qe-optimize(1). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opt/anneal.h"
#include "cli.h"
#include "opt/hedge.h"
#include "opt/ising.h"
#include "opt/isingio.h"
#include "opt/optout.h"
#include "io/outfile.h"
#include "risk/riskfactor.h"

static const char usage[] =
	"usage: qe-optimize maxcut|qubo|ising [OPTIONS] [FILE]\n"
	"       qe-optimize hedge --ladder FILE --cov FILE --hedges FILE --asof DATE [OPTIONS]\n"
	"       qe-optimize portfolio --assets FILE --cov FILE --budget B --cardinality K [OPTIONS]\n"
	"Solve Max-Cut (G-set/rudy), QUBO (qbsolv .qubo) or Ising problems, or\n"
	"choose hedges or a portfolio through a QUBO; write the solution as CSV.\n\n"
	"Solver:\n"
	"  --solver NAME       sa (default), pt, bsb, dsb or exact (n <= 30)\n"
	"  --seed N            random seed (default 1)\n"
	"  --sweeps N          sweeps per anneal (SA, PT) or time steps (SB)\n"
	"  --replicas N        replicas per round (PT: temperatures; default 8)\n"
	"  --restarts N        at most N rounds of replicas\n"
	"  --time-limit S      stop starting rounds after S seconds\n"
	"  --target V          stop once the objective reaches V\n"
	"  --schedule KIND     geometric (default) or linear temperature schedule\n"
	"  --t0 T, --t1 T      initial and final temperature (default automatic)\n"
	"  --no-polish         skip the greedy 1-opt polish\n"
	"Problem files:\n"
	"  --format F          auto (default), rudy, qubo or csv\n"
	"  --fields FILE       Ising fields as CSV i,h\n"
	"Hedge:   --ladder F --cov F --hedges F --asof DATE [--book B] [--confidence C]\n"
	"         [--cost-weight W] [--markets F [--calendars DIR]] [--drop-uncovered]\n"
	"         [--fx FILE --base CCY] [--allow-mixed-currency]\n"
	"  --fx FILE, --base CCY  currency,rate (units of CCY per unit): VaR in CCY\n"
	"  --allow-mixed-currency without --fx, add deltas of several currencies 1:1\n"
	"Portfolio: --assets F --cov F --budget B --cardinality K [--risk-aversion Q]\n"
	"Output:\n"
	"  -o, --output FILE   solution CSV (default stdout), written atomically\n"
	"  --summary FILE      one-row CSV summary (instance,solver,seed,objective,...)\n"
	"  --instance NAME     instance name in the summary (default: file name)\n"
	"  -q, --quiet         no summary line or progress on stderr\n"
	"  -h, --help          this help;  -V, --version  version\n"
	"Exit: 0 ok, 1 target not reached, 2 usage, 3 bad data, 4 I/O, 5 numerical.\n";

enum { O_SOLVER = 256, O_SEED, O_SWEEPS, O_REPLICAS, O_RESTARTS, O_TIME, O_TARGET, O_SCHEDULE,
       O_T0, O_T1, O_NOPOLISH, O_FORMAT, O_FIELDS, O_SUMMARY, O_INSTANCE, O_VERSION, O_LADDER,
       O_COV, O_HEDGES, O_ASOF, O_BOOK, O_CONF, O_COSTW, O_DROP, O_ASSETS, O_BUDGET, O_CARD, O_RISK,
       O_MARKETS, O_CALDIR, O_FX, O_BASE, O_MIXED };

static const struct option longopts[] = {
	{"solver", 1, 0, O_SOLVER}, {"seed", 1, 0, O_SEED}, {"sweeps", 1, 0, O_SWEEPS},
	{"replicas", 1, 0, O_REPLICAS}, {"restarts", 1, 0, O_RESTARTS}, {"time-limit", 1, 0, O_TIME},
	{"target", 1, 0, O_TARGET}, {"schedule", 1, 0, O_SCHEDULE}, {"t0", 1, 0, O_T0},
	{"t1", 1, 0, O_T1}, {"no-polish", 0, 0, O_NOPOLISH}, {"format", 1, 0, O_FORMAT},
	{"fields", 1, 0, O_FIELDS}, {"summary", 1, 0, O_SUMMARY}, {"instance", 1, 0, O_INSTANCE},
	{"output", 1, 0, 'o'}, {"quiet", 0, 0, 'q'}, {"help", 0, 0, 'h'}, {"version", 0, 0, 'V'},
	{"ladder", 1, 0, O_LADDER}, {"cov", 1, 0, O_COV}, {"hedges", 1, 0, O_HEDGES},
	{"asof", 1, 0, O_ASOF}, {"book", 1, 0, O_BOOK}, {"confidence", 1, 0, O_CONF},
	{"cost-weight", 1, 0, O_COSTW}, {"drop-uncovered", 0, 0, O_DROP},
	{"assets", 1, 0, O_ASSETS}, {"budget", 1, 0, O_BUDGET}, {"cardinality", 1, 0, O_CARD},
	{"risk-aversion", 1, 0, O_RISK}, {"markets", 1, 0, O_MARKETS}, {"calendars", 1, 0, O_CALDIR},
	{"fx", 1, 0, O_FX}, {"base", 1, 0, O_BASE}, {"allow-mixed-currency", 0, 0, O_MIXED},
	{0, 0, 0, 0}};

typedef struct args {
	anneal_opts ao;
	int format;
	double target;
	int solver_given;
	const char *file, *fields, *out, *summary, *instance;
	hedge_args hedge;
	portfolio_args port;
} args;

static void progress(void *ctx, const anneal_progress *p)
{
	(void)ctx;
	fprintf(stderr, "\r%s: round %lld, best energy %.10g, %.1f s ", cli_prog, (long long)p->rounds,
		p->best_energy, p->elapsed);
}

static void parse(int argc, char **argv, args *a, int cmd)
{
	int c;
	anneal_opts_init(&a->ao);
	a->format = FORMAT_AUTO;
	a->hedge.confidence = 0.99;
	a->hedge.cost_weight = 1;
	a->port.risk_aversion = 1;
	while ((c = getopt_long(argc, argv, "o:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case O_SOLVER:
			a->solver_given = 1;
			if ((a->ao.solver = solver_parse(optarg)) < 0)
				cli_usage_error("option --solver: unknown solver '%s'", optarg);
			break;
		case O_SEED: a->ao.seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case O_SWEEPS: a->ao.sweeps = cli_int("--sweeps", optarg, 1, INT64_MAX / 4096); break;
		case O_REPLICAS: a->ao.replicas = (int)cli_int("--replicas", optarg, 1, 4096); break;
		case O_RESTARTS: a->ao.max_rounds = cli_int("--restarts", optarg, 1, INT64_MAX); break;
		case O_TIME:
			a->ao.time_limit = cli_double("--time-limit", optarg);
			if (!(a->ao.time_limit > 0))
				cli_usage_error("option --time-limit: must be > 0 '%s'", optarg);
			break;
		case O_TARGET: a->target = cli_double("--target", optarg); a->ao.has_target = 1; break;
		case O_SCHEDULE:
			if (strcmp(optarg, "geometric") == 0)
				a->ao.schedule = SCHEDULE_GEOMETRIC;
			else if (strcmp(optarg, "linear") == 0)
				a->ao.schedule = SCHEDULE_LINEAR;
			else
				cli_usage_error("option --schedule: unknown schedule '%s'", optarg);
			break;
		case O_T0: a->ao.t0 = cli_double("--t0", optarg); break;
		case O_T1: a->ao.t1 = cli_double("--t1", optarg); break;
		case O_NOPOLISH: a->ao.no_polish = 1; break;
		case O_FORMAT:
			if ((a->format = problem_format_parse(optarg)) < 0)
				cli_usage_error("option --format: unknown format '%s'", optarg);
			break;
		case O_FIELDS: a->fields = optarg; break;
		case O_SUMMARY: a->summary = optarg; break;
		case O_INSTANCE: a->instance = optarg; break;
		case O_LADDER: a->hedge.ladder = optarg; break;
		case O_COV: a->hedge.cov = a->port.cov = optarg; break;
		case O_HEDGES: a->hedge.hedges = optarg; break;
		case O_ASOF: a->hedge.asof = optarg; break;
		case O_BOOK: a->hedge.book = optarg; break;
		case O_MARKETS: a->hedge.markets = optarg; break;
		case O_CALDIR: a->hedge.calendars = optarg; break;
		case O_FX: a->hedge.fx = optarg; break;
		case O_BASE: a->hedge.base = optarg; break;
		case O_MIXED: a->hedge.allow_mixed = 1; break;
		case O_CONF:
			a->hedge.confidence = cli_double("--confidence", optarg);
			if (!(a->hedge.confidence > 0.5 && a->hedge.confidence < 1))
				cli_usage_error("option --confidence: must be in (0.5, 1) '%s'", optarg);
			break;
		case O_COSTW:
			a->hedge.cost_weight = cli_double("--cost-weight", optarg);
			if (a->hedge.cost_weight < 0)
				cli_usage_error("option --cost-weight: must be >= 0 '%s'", optarg);
			break;
		case O_DROP: a->hedge.drop_uncovered = 1; break;
		case O_ASSETS: a->port.assets = optarg; break;
		case O_BUDGET: a->port.budget = cli_double("--budget", optarg); a->port.has_budget = 1; break;
		case O_CARD: a->port.cardinality = (int)cli_int("--cardinality", optarg, 1, 1 << 20); break;
		case O_RISK:
			a->port.risk_aversion = cli_double("--risk-aversion", optarg);
			if (!(a->port.risk_aversion > 0))
				cli_usage_error("option --risk-aversion: must be > 0 '%s'", optarg);
			break;
		case 'o': a->out = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		case 'V': cli_version();
		default: cli_usage_error("unknown option");
		}
	}
	if (cmd < 0)
		cli_usage_error("missing COMMAND (maxcut, qubo, ising, hedge or portfolio)");
	if (optind < argc)
		a->file = argv[optind++];
	if (optind < argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (!a->hedge.fx != !a->hedge.base)
		cli_usage_error("--fx FILE and --base CCY go together");
	if (a->hedge.fx && a->hedge.allow_mixed)
		cli_usage_error("--allow-mixed-currency is for hedges without --fx");
	if (a->fields && cmd != PROBLEM_ISING)
		cli_usage_error("--fields is for the ising command");
	/* Penalty terms make rugged landscapes where replica exchange is the
	 * more reliable default. */
	if (!a->solver_given && cmd == 11)
		a->ao.solver = SOLVER_PT;
	/* The hedge polish reaches the convex optimum from any start: a short
	 * anneal is enough, and keeps the pipeline step quick. */
	if (cmd == 10 && a->ao.sweeps == 0)
		a->ao.sweeps = 200;
	if (a->ao.has_target && a->ao.time_limit == 0 && a->ao.max_rounds == 0)
		a->ao.time_limit = 60;
	if (!cli_quiet && cli_progress())
		a->ao.progress = progress;
}

static qe_out open_out(const char *path)
{
	qe_out o;
	qe_err e;
	if (out_open(&o, path, &e))
		cli_die_err(&e);
	return o;
}

static void commit_out(qe_out *o)
{
	qe_err e;
	if (out_commit(o, &e))
		cli_die_err(&e);
}

/* The --summary CSV; hedge and portfolio add columns (NaN = empty). */
static void write_summary(const args *a, const char *cmdname, int is_maxcut, const anneal_result *r,
			  double objective, const char *const *xnames, const double *xvals, int nx,
			  const char *currency)
{
	char inst[256];
	const char *f = a->file && strcmp(a->file, "-") != 0 ? a->file : cmdname;
	const char *sl = strrchr(f, '/');
	snprintf(inst, sizeof inst, "%s", sl ? sl + 1 : f);
	opt_summary s = {a->instance ? a->instance : inst, a->ao.solver, a->ao.seed, objective, is_maxcut,
			 a->ao.has_target, r, nx, xnames, xvals, currency};
	qe_out o = open_out(a->summary);
	optout_summary(o.fp, &s);
	commit_out(&o);
}

static void solve(args *a, const opt_problem *p, double constant, anneal_result *r)
{
	ising_model m;
	qe_err e;
	if (ising_from_problem(p, &m, &e))
		cli_die_err(&e);
	m.offset += constant;
	if (anneal_solve(&m, &a->ao, r, &e))
		cli_die_err(&e);
	if (a->ao.progress)
		fputc('\n', stderr);
	ising_free(&m);
}

static double flips(const anneal_result *r)
{
	return r->busy_seconds > 0 ? r->attempts / r->busy_seconds : 0;
}

static int run_problem(args *a, int kind, const char *cmdname)
{
	opt_problem p;
	anneal_result r;
	qe_err e;
	if (problem_read(&p, kind, a->format, a->file, a->fields, &e))
		cli_die_err(&e);
	if (a->ao.has_target)
		a->ao.target_energy = problem_energy_for(&p, a->target);
	solve(a, &p, 0, &r);
	double obj = problem_objective(&p, r.spins);
	qe_out o = open_out(a->out);
	optout_solution(o.fp, &p, r.spins);
	commit_out(&o);
	if (a->summary)
		write_summary(a, cmdname, kind == PROBLEM_MAXCUT, &r, obj, NULL, NULL, 0, NULL);
	cli_info("%s %s seed %llu: %s %.17g, energy %.17g; best at %.3f s of %.3f s; %lld sweeps, %.3g flips/s",
		 cmdname, solver_name(a->ao.solver), (unsigned long long)a->ao.seed,
		 kind == PROBLEM_MAXCUT ? "cut" : "objective", obj, r.energy, r.time_to_best, r.elapsed,
		 (long long)r.sweeps, flips(&r));
	int miss = a->ao.has_target && !r.hit_target;
	anneal_result_free(&r);
	problem_free(&p);
	return miss ? QE_NEGATIVE : QE_OK;
}

static int run_hedge(args *a)
{
	hedge_problem h;
	opt_problem p;
	anneal_result r;
	qe_err e;
	double constant, relaxed_var = NAN;
	if (!a->hedge.ladder || !a->hedge.cov || !a->hedge.hedges || !a->hedge.asof)
		cli_usage_error("hedge needs --ladder, --cov, --hedges and --asof");
	a->hedge.calendars = a->hedge.markets ? cli_calendar_dir(a->hedge.calendars, a->hedge.markets) : NULL;
	if (hedge_read(&h, &a->hedge, &e) || hedge_qubo(&h, &p, &constant, &e))
		cli_die_err(&e);
	if (h.dropped)
		cli_warnf("%s: %d ladder factors without covariance left out (sum |delta| %.10g): "
			  "the VaR figures cover only the rest of the book",
			  a->hedge.ladder, h.dropped, h.dropped_delta);
	if (h.mapped)
		cli_info("%s: %d ladder rows beyond tenor %d carried by CURVE:%d (sum |delta| %.10g), as in qe-var",
			 a->hedge.ladder, h.mapped, RISK_MAX_TENOR, RISK_MAX_TENOR, h.mapped_delta);
	if (h.mixed[0])
		cli_warnf("%s: --allow-mixed-currency: deltas in %s added 1:1, the VaR figures mix currencies",
			  a->hedge.ladder, h.mixed);
	if (h.expired)
		cli_info("%s: %d menu rows at or past their last trading day left out", a->hedge.hedges, h.expired);
	if (!a->hedge.markets)
		cli_warnf("no --markets: last trading days not checked (only contracts in delivery left out)");
	if (a->ao.has_target)
		a->ao.target_energy = a->target;
	a->ao.polish_fn = hedge_polish_spins;
	a->ao.polish_ctx = &h;
	solve(a, &p, constant, &r);
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
	qe_out o = open_out(a->out);
	optout_hedge(o.fp, &h, lots);
	commit_out(&o);
	if (a->summary) {
		const char *xn[] = {"variance_before", "variance_after", "var_before", "var_after", "hedge_cost",
				    "relaxed_variance", "confidence", "mapped_rows", "mapped_abs_delta",
				    "uncovered_factors", "uncovered_abs_delta", "expired_menu_rows"};
		double xv[] = {v0, v1, h.z * sqrt(v0), h.z * sqrt(v1), cost, relaxed_var, a->hedge.confidence,
			       h.mapped, h.mapped_delta, h.dropped, h.dropped_delta, h.expired};
		write_summary(a, "hedge", 0, &r, obj, xn, xv, 12, h.currency);
	}
	cli_info("hedge %s seed %llu: VaR(%g) %.6g -> %.6g%s%s, cost %.6g, variance %.6g -> %.6g (relaxed bound %.6g)",
		 solver_name(a->ao.solver), (unsigned long long)a->ao.seed, a->hedge.confidence,
		 h.z * sqrt(v0), h.z * sqrt(v1), h.currency[0] ? " " : "", h.currency, cost, v0, v1, relaxed_var);
	int miss = a->ao.has_target && !r.hit_target;
	free(lots);
	free(dl);
	anneal_result_free(&r);
	problem_free(&p);
	hedge_free(&h);
	return miss ? QE_NEGATIVE : QE_OK;
}

/* The penalty starts above any single-flip gain and is raised until the
 * returned selection meets both constraints (at most 8 times). */
static int run_portfolio(args *a)
{
	portfolio_problem pp;
	opt_problem p;
	anneal_result r = {0};
	qe_err e;
	double constant, spent = 0, relaxed = NAN;
	int count = 0, ok = 0;
	if (!a->port.assets || !a->port.cov || !a->port.cardinality)
		cli_usage_error("portfolio needs --assets, --cov and --cardinality");
	if (portfolio_read(&pp, &a->port, &e))
		cli_die_err(&e);
	if (a->ao.has_target)
		a->ao.target_energy = a->target;
	a->ao.polish_fn = portfolio_polish_spins;
	a->ao.polish_ctx = &pp;
	for (int attempt = 0; attempt < 8 && !ok; attempt++) {
		if (attempt) {
			anneal_result_free(&r);
			pp.penalty *= 4;
		}
		if (portfolio_qubo(&pp, &p, &constant, &e))
			cli_die_err(&e);
		solve(a, &p, constant, &r);
		problem_free(&p);
		ok = portfolio_feasible(&pp, r.spins, &spent, &count);
	}
	if (portfolio_relaxed(&pp, &relaxed, &e))
		cli_warnf("%s", e.msg);
	double obj = portfolio_objective(&pp, r.spins);
	qe_out o = open_out(a->out);
	optout_portfolio(o.fp, &pp, r.spins);
	commit_out(&o);
	if (a->summary) {
		const char *xn[] = {"selected", "spent", "budget", "feasible", "penalty", "relaxed_objective"};
		double xv[] = {count, spent, pp.budget, ok, pp.penalty, relaxed};
		write_summary(a, "portfolio", 0, &r, obj, xn, xv, 6, NULL);
	}
	cli_info("portfolio %s seed %llu: objective %.10g, %d assets for %.10g of %.10g, %s (penalty %g)",
		 solver_name(a->ao.solver), (unsigned long long)a->ao.seed, obj, count, spent, pp.budget,
		 ok ? "constraints met" : "CONSTRAINTS NOT MET", pp.penalty);
	anneal_result_free(&r);
	portfolio_free(&pp);
	return ok ? QE_OK : QE_NUMERIC;
}

int main(int argc, char **argv)
{
	args a;
	int cmd = -1;
	cli_init(argv[0]);
	memset(&a, 0, sizeof a);
	if (argc > 1 && argv[1][0] != '-') {
		const char *c = argv[1];
		cmd = strcmp(c, "maxcut") == 0 ? PROBLEM_MAXCUT
		    : strcmp(c, "qubo") == 0   ? PROBLEM_QUBO
		    : strcmp(c, "ising") == 0  ? PROBLEM_ISING
		    : strcmp(c, "hedge") == 0  ? 10
		    : strcmp(c, "portfolio") == 0 ? 11 : -2;
		if (cmd == -2)
			cli_usage_error("unknown command '%s'", c);
		optind = 2;
	}
	parse(argc, argv, &a, cmd);
	if (cmd <= PROBLEM_ISING)
		return run_problem(&a, cmd, argv[1]);
	return cmd == 10 ? run_hedge(&a) : run_portfolio(&a);
}
