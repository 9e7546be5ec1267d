/* qe-optimize: QUBO/Ising/Max-Cut heuristics (simulated annealing,
 * parallel tempering, simulated bifurcation, exact) and the trading
 * problems that map onto them (hedge, portfolio).  See qe-optimize(1). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anneal.h"
#include "cli.h"
#include "csvio.h"
#include "hedge.h"
#include "ising.h"
#include "isingio.h"
#include "outfile.h"

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
	"Portfolio: --assets F --cov F --budget B --cardinality K [--risk-aversion Q]\n"
	"Output:\n"
	"  -o, --output FILE   solution CSV (default stdout), written atomically\n"
	"  --summary FILE      one-row CSV summary (instance,solver,seed,objective,...)\n"
	"  --instance NAME     instance name in the summary (default: file name)\n"
	"  -q, --quiet         no summary line or progress on stderr\n"
	"  -h, --help          this help;  --version  version\n"
	"Exit: 0 ok, 1 target not reached, 2 usage, 3 bad data, 4 I/O, 5 numerical.\n";

enum { O_SOLVER = 256, O_SEED, O_SWEEPS, O_REPLICAS, O_RESTARTS, O_TIME, O_TARGET, O_SCHEDULE,
       O_T0, O_T1, O_NOPOLISH, O_FORMAT, O_FIELDS, O_SUMMARY, O_INSTANCE, O_VERSION, O_LADDER,
       O_COV, O_HEDGES, O_ASOF, O_BOOK, O_CONF, O_ASSETS, O_BUDGET, O_CARD, O_RISK };

static const struct option longopts[] = {
	{"solver", 1, 0, O_SOLVER}, {"seed", 1, 0, O_SEED}, {"sweeps", 1, 0, O_SWEEPS},
	{"replicas", 1, 0, O_REPLICAS}, {"restarts", 1, 0, O_RESTARTS}, {"time-limit", 1, 0, O_TIME},
	{"target", 1, 0, O_TARGET}, {"schedule", 1, 0, O_SCHEDULE}, {"t0", 1, 0, O_T0},
	{"t1", 1, 0, O_T1}, {"no-polish", 0, 0, O_NOPOLISH}, {"format", 1, 0, O_FORMAT},
	{"fields", 1, 0, O_FIELDS}, {"summary", 1, 0, O_SUMMARY}, {"instance", 1, 0, O_INSTANCE},
	{"output", 1, 0, 'o'}, {"quiet", 0, 0, 'q'}, {"help", 0, 0, 'h'}, {"version", 0, 0, O_VERSION},
	{"ladder", 1, 0, O_LADDER}, {"cov", 1, 0, O_COV}, {"hedges", 1, 0, O_HEDGES},
	{"asof", 1, 0, O_ASOF}, {"book", 1, 0, O_BOOK}, {"confidence", 1, 0, O_CONF},
	{"assets", 1, 0, O_ASSETS}, {"budget", 1, 0, O_BUDGET}, {"cardinality", 1, 0, O_CARD},
	{"risk-aversion", 1, 0, O_RISK}, {0, 0, 0, 0}};

typedef struct args {
	anneal_opts ao;
	int format;
	double target;
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
	a->port.risk_aversion = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case O_SOLVER:
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
		case O_CONF:
			a->hedge.confidence = cli_double("--confidence", optarg);
			if (!(a->hedge.confidence > 0.5 && a->hedge.confidence < 1))
				cli_usage_error("option --confidence: must be in (0.5, 1) '%s'", optarg);
			break;
		case O_ASSETS: a->port.assets = optarg; break;
		case O_BUDGET: a->port.budget = cli_double("--budget", optarg); a->port.has_budget = 1; break;
		case O_CARD: a->port.cardinality = (int)cli_int("--cardinality", optarg, 1, 1 << 20); break;
		case O_RISK: a->port.risk_aversion = cli_double("--risk-aversion", optarg); break;
		case 'o': a->out = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		case O_VERSION: cli_version();
		default: cli_usage_error("unknown option");
		}
	}
	if (cmd < 0)
		cli_usage_error("missing COMMAND (maxcut, qubo, ising, hedge or portfolio)");
	if (optind < argc)
		a->file = argv[optind++];
	if (optind < argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (a->fields && cmd != PROBLEM_ISING)
		cli_usage_error("--fields is for the ising command");
	if (a->ao.has_target && a->ao.time_limit == 0 && a->ao.max_rounds == 0)
		a->ao.time_limit = 60;
	if (!cli_quiet && cli_progress())
		a->ao.progress = progress;
}

/* Writes the summary CSV row (and header); extra columns for hedge and
 * portfolio come from the report. */
static void write_summary(const args *a, const char *cmdname, const opt_problem *p,
			  const anneal_result *r, double objective, const report_row *extra)
{
	qe_out o;
	qe_err e;
	csv_writer w;
	char inst[256];
	const char *name = a->instance;
	if (!name) {
		const char *f = a->file && strcmp(a->file, "-") != 0 ? a->file : cmdname;
		const char *sl = strrchr(f, '/');
		snprintf(inst, sizeof inst, "%s", sl ? sl + 1 : f);
		name = inst;
	}
	if (out_open(&o, a->summary, &e))
		cli_die_err(&e);
	csvw_init(&w, o.fp);
	const char *hdr[] = {"instance", "solver", "seed", "objective", "cut", "energy", "time_to_best_s",
			     "sweeps", "flips_per_s", "rounds", "elapsed_s", "hit_target", NULL};
	csvw_header(&w, hdr);
	csvw_str(&w, name);
	csvw_str(&w, solver_name(a->ao.solver));
	csvw_int(&w, (int64_t)a->ao.seed);
	csvw_double(&w, objective);
	if (p && p->kind == PROBLEM_MAXCUT)
		csvw_double(&w, objective);
	else
		csvw_empty(&w);
	csvw_double(&w, r->energy);
	csvw_double(&w, r->time_to_best);
	csvw_int(&w, r->sweeps);
	csvw_double(&w, r->busy_seconds > 0 ? r->attempts / r->busy_seconds : 0);
	csvw_int(&w, r->rounds);
	csvw_double(&w, r->elapsed);
	if (a->ao.has_target)
		csvw_int(&w, r->hit_target);
	else
		csvw_empty(&w);
	csvw_end(&w);
	(void)extra;
	if (out_commit(&o, &e))
		cli_die_err(&e);
}

static int run_problem(args *a, int kind, const char *cmdname)
{
	opt_problem p;
	ising_model m;
	anneal_result r;
	qe_err e;
	qe_out o;
	if (problem_read(&p, kind, a->format, a->file, a->fields, &e) ||
	    ising_from_problem(&p, &m, &e))
		cli_die_err(&e);
	if (a->ao.has_target)
		a->ao.target_energy = problem_energy_for(&p, a->target);
	if (anneal_solve(&m, &a->ao, &r, &e))
		cli_die_err(&e);
	if (a->ao.progress)
		fputc('\n', stderr);
	double obj = problem_objective(&p, r.spins);
	if (out_open(&o, a->out, &e))
		cli_die_err(&e);
	csv_writer w;
	csvw_init(&w, o.fp);
	const char *hdr[] = {"variable", "value", NULL};
	csvw_header(&w, hdr);
	for (int i = 0; i < p.n; i++) {
		csvw_int(&w, i + p.base);
		csvw_int(&w, kind == PROBLEM_ISING ? r.spins[i] : (r.spins[i] > 0));
		csvw_end(&w);
	}
	if (out_commit(&o, &e))
		cli_die_err(&e);
	if (a->summary)
		write_summary(a, cmdname, &p, &r, obj, NULL);
	cli_info("%s %s seed %llu: %s %.17g, energy %.17g; best at %.3f s of %.3f s; %lld sweeps, %.3g flips/s",
		 cmdname, solver_name(a->ao.solver), (unsigned long long)a->ao.seed,
		 kind == PROBLEM_MAXCUT ? "cut" : "objective", obj, r.energy, r.time_to_best, r.elapsed,
		 (long long)r.sweeps, r.busy_seconds > 0 ? r.attempts / r.busy_seconds : 0);
	int miss = a->ao.has_target && !r.hit_target;
	anneal_result_free(&r);
	ising_free(&m);
	problem_free(&p);
	return miss ? QE_NEGATIVE : QE_OK;
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
	cli_die(QE_USAGE, "%s: not implemented yet", argv[1]);
}
