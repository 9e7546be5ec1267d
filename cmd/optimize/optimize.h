/*
 * optimize/optimize.h: what the subcommands of qe-optimize share, as git's
 * builtin.h.  Each subcommand is one file cmd/optimize/<sub>.c with its
 * own option table and --help text and a thin cmd_optimize_<sub>(); the
 * options every subcommand takes (the solver and the outputs) are spliced
 * into each table by OPTIMIZE_SHARED_OPTIONS and parsed by
 * optimize_getopt() alone (cmd/optimize/anneal_opts.c); the solve and the
 * outputs are cmd/optimize/solve.c.  Linked into qe-optimize only.
 */
#ifndef QE_OPTIMIZE_CMD_H
#define QE_OPTIMIZE_CMD_H

#include <getopt.h>
#include <stdio.h>
#include <stdnoreturn.h>

#include "opt/anneal.h"
#include "opt/ising.h"

int cmd_optimize_maxcut(int argc, char **argv);
int cmd_optimize_qubo(int argc, char **argv);
int cmd_optimize_ising(int argc, char **argv);
int cmd_optimize_hedge(int argc, char **argv);
int cmd_optimize_portfolio(int argc, char **argv);

/* Option ids of the shared options; a subcommand numbers its own from
 * OPTIMIZE_OPT_OWN. */
enum optimize_opt {
	OPTIMIZE_OPT_SOLVER = 256, OPTIMIZE_OPT_SEED, OPTIMIZE_OPT_SWEEPS, OPTIMIZE_OPT_REPLICAS,
	OPTIMIZE_OPT_RESTARTS, OPTIMIZE_OPT_TIME_LIMIT, OPTIMIZE_OPT_TARGET, OPTIMIZE_OPT_SCHEDULE,
	OPTIMIZE_OPT_T0, OPTIMIZE_OPT_T1, OPTIMIZE_OPT_NO_POLISH, OPTIMIZE_OPT_SUMMARY,
	OPTIMIZE_OPT_INSTANCE, OPTIMIZE_OPT_FORMAT, OPTIMIZE_OPT_OWN
};

/* The solver and output options of every subcommand, first in its table. */
#define OPTIMIZE_SHARED_OPTIONS                                                                        \
	{"solver", required_argument, NULL, OPTIMIZE_OPT_SOLVER},                                      \
	{"seed", required_argument, NULL, OPTIMIZE_OPT_SEED},                                          \
	{"sweeps", required_argument, NULL, OPTIMIZE_OPT_SWEEPS},                                      \
	{"replicas", required_argument, NULL, OPTIMIZE_OPT_REPLICAS},                                  \
	{"restarts", required_argument, NULL, OPTIMIZE_OPT_RESTARTS},                                  \
	{"time-limit", required_argument, NULL, OPTIMIZE_OPT_TIME_LIMIT},                              \
	{"target", required_argument, NULL, OPTIMIZE_OPT_TARGET},                                      \
	{"schedule", required_argument, NULL, OPTIMIZE_OPT_SCHEDULE},                                  \
	{"t0", required_argument, NULL, OPTIMIZE_OPT_T0},                                              \
	{"t1", required_argument, NULL, OPTIMIZE_OPT_T1},                                              \
	{"no-polish", no_argument, NULL, OPTIMIZE_OPT_NO_POLISH},                                      \
	{"summary", required_argument, NULL, OPTIMIZE_OPT_SUMMARY},                                    \
	{"instance", required_argument, NULL, OPTIMIZE_OPT_INSTANCE},                                  \
	{"output", required_argument, NULL, 'o'}, {"quiet", no_argument, NULL, 'q'},                   \
	{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}

/* Their --help text; the default solver and sweeps differ by subcommand. */
#define OPTIMIZE_SHARED_HELP(default_solver, default_sweeps)                                           \
	"Solver:\n"                                                                                    \
	"  --solver NAME       tabu, sa, pt, bsb, dsb or exact (n <= 30); default " default_solver "\n" \
	"  --seed N            random seed (default 1)\n"                                              \
	"  --sweeps N          sweeps (SA, PT) or time steps (SB); default " default_sweeps "\n"     \
	"  --replicas N        replicas per round (PT: temperatures; default 8)\n"                     \
	"  --restarts N        at most N rounds of replicas\n"                                         \
	"  --time-limit S      stop starting rounds after S seconds\n"                                 \
	"  --target V          stop once the objective reaches V\n"                                    \
	"  --schedule KIND     geometric (default) or linear temperature schedule\n"                   \
	"  --t0 T, --t1 T      initial and final temperature (default automatic)\n"                    \
	"  --no-polish         skip the greedy 1-opt polish\n"                                         \
	"Output:\n"                                                                                    \
	"  -o, --output FILE   solution CSV (default stdout), written atomically\n"                    \
	"  --summary FILE      one-row CSV summary (instance,solver,seed,objective,...)\n"             \
	"  --instance NAME     instance name in the summary (default: file name)\n"                    \
	"  -q, --quiet         no summary line or progress on stderr\n"                                \
	"  -h, --help          this help;  -V, --version  version\n"                                   \
	"Exit: 0 ok, 1 target not reached, 2 usage, 3 bad data, 4 I/O, 5 numerical.\n"

/* The problem-file subcommands (maxcut, qubo, ising) add --format. */
#define OPTIMIZE_FILE_OPTIONS {"format", required_argument, NULL, OPTIMIZE_OPT_FORMAT}
#define OPTIMIZE_FILE_HELP "  --format F          auto (default), rudy, qubo or csv\n"

typedef struct optimize_opts {
	const char *cmd;  /* the subcommand, for messages */
	const char *help; /* its --help text */
	anneal_opts ao;
	double target;    /* --target, in the problem's own objective */
	int solver_given;
	const char *out, *summary, *instance;
	/* the open outputs (optimize_open_outputs), NULL before */
	FILE *out_fp, *summary_fp;
} optimize_opts;

/* A problem file (maxcut, qubo, ising): FILE or stdin, its format. */
typedef struct optimize_file {
	const char *path, *fields;
	int format;
} optimize_file;

void optimize_opts_init(optimize_opts *o, const char *cmd, const char *help);
/* getopt_long over argv (argv[0] the subcommand) and longopts: parses the
 * shared options itself and returns the next option of the subcommand's
 * own, or -1 at the end.  An option not in longopts, or one without its
 * argument, is a usage error naming the subcommand. */
int optimize_getopt(optimize_opts *o, int argc, char **argv, const struct option *longopts);
/* The defaults that depend on other options (with --target and no limit,
 * 60 seconds) and progress on a terminal; call after the last option. */
void optimize_opts_finish(optimize_opts *o);
/* "qe-optimize: <sub>: msg" and "Try 'qe-optimize <sub> --help' ...", exit 2. */
noreturn void optimize_usage_error(const optimize_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A subcommand option that reached no case of its switch: a bug. */
noreturn void optimize_unhandled(const optimize_opts *o, int c);

/* Options of the problem-file subcommands: --format; then the operands
 * (at most one FILE) and optimize_opts_finish(). */
void optimize_file_option(optimize_opts *o, optimize_file *f, int c);
void optimize_file_operands(optimize_opts *o, optimize_file *f, int argc, char **argv);
/* Reads, solves and writes a problem file of the given kind. */
int optimize_run_file(optimize_opts *o, const optimize_file *f, int kind);

/* No operands after the options (hedge, portfolio). */
void optimize_no_operands(const optimize_opts *o, int argc, char **argv);

/* The outputs of a run (-o and --summary) are opened in the command
 * layer's registry (cmd/cli.h) once the input is read, before the search,
 * so that a bad output path fails before a long run and an interrupted run
 * leaves no temporary file; optimize_commit_outputs() renames them all into
 * place after the last write, or none.  Failures exit with their code. */
void optimize_open_outputs(optimize_opts *o);
void optimize_commit_outputs(void);
/* Builds the Ising model of p (plus constant) and anneals it. */
void optimize_solve(optimize_opts *o, const opt_problem *p, double constant, anneal_result *r);
/* The --summary CSV, to o->summary_fp; input names the instance unless
 * --instance (NULL or "-": the subcommand); hedge and portfolio add
 * columns (NaN = empty). */
void optimize_write_summary(const optimize_opts *o, const char *input, int is_maxcut,
			    const anneal_result *r, double objective, const char *const *xnames,
			    const double *xvals, int nx, const char *currency);
/* Spin-flip attempts per busy CPU second. */
double optimize_flips(const anneal_result *r);

#endif
