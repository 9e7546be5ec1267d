/* What the qe-optimize subcommands do alike: outputs, the solve, the
 * --summary row, and the whole run of a problem file (maxcut, qubo,
 * ising). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "optimize/optimize.h"
#include "opt/isingio.h"
#include "opt/optout.h"

void optimize_open_outputs(optimize_opts *o)
{
	o->out_fp = cli_out_open(o->out)->fp;
	if (o->summary)
		o->summary_fp = cli_out_open(o->summary)->fp;
}

void optimize_commit_outputs(void)
{
	qe_err e;
	qe_err_clear(&e);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
}

void optimize_write_summary(const optimize_opts *o, const char *input, int is_maxcut,
			    const anneal_result *r, double objective, const char *const *xnames,
			    const double *xvals, int nx, const char *currency)
{
	char inst[256];
	const char *f = input && strcmp(input, "-") != 0 ? input : o->cmd;
	const char *sl = strrchr(f, '/');
	snprintf(inst, sizeof inst, "%s", sl ? sl + 1 : f);
	opt_summary s = {o->instance ? o->instance : inst, o->ao.solver, o->ao.seed, objective, is_maxcut,
			 o->ao.has_target, r, nx, xnames, xvals, currency};
	optout_summary(o->summary_fp, &s);
}

void optimize_solve(optimize_opts *o, const opt_problem *p, double constant, anneal_result *r)
{
	ising_model m;
	qe_err e;
	if (ising_from_problem(p, &m, &e))
		cli_die_err(&e);
	m.offset += constant;
	/* SIGINT ends the search as --time-limit does; the best state found
	 * is written as a complete result (stop "interrupted") */
	static atomic_int interrupted;
	atomic_store(&interrupted, 0);
	if (o->ao.solver != SOLVER_EXACT) { /* which cannot stop half-way */
		o->ao.stop = &interrupted;
		cli_interrupt_to(&interrupted);
	}
	/* MPI: the replicas of sa, bsb and dsb are shared among the ranks;
	 * the other solvers run on rank 0 alone */
	if (o->ao.solver != SOLVER_SA && o->ao.solver != SOLVER_SB_BALLISTIC && o->ao.solver != SOLVER_SB_DISCRETE)
		cli_par_solo();
	int rc = anneal_solve(&m, &o->ao, r, &e);
	cli_interrupt_to(NULL);
	o->ao.stop = NULL;
	if (rc)
		cli_die_err(&e);
	cli_par_done(); /* MPI: every rank has the answer; rank 0 writes it */
	if (o->ao.progress)
		fputc('\n', stderr);
	ising_free(&m);
}

double optimize_flips(const anneal_result *r)
{
	return r->busy_seconds > 0 ? r->attempts / r->busy_seconds : 0;
}

void optimize_file_option(optimize_opts *o, optimize_file *f, int c)
{
	if (c != OPTIMIZE_OPT_FORMAT)
		optimize_unhandled(o, c);
	if ((f->format = problem_format_parse(optarg)) < 0)
		cli_usage_error("option --format: unknown format '%s'", optarg);
}

void optimize_file_operands(optimize_opts *o, optimize_file *f, int argc, char **argv)
{
	if (optind < argc)
		f->path = argv[optind++];
	optimize_no_operands(o, argc, argv);
	optimize_opts_finish(o);
}

void optimize_no_operands(const optimize_opts *o, int argc, char **argv)
{
	if (optind < argc)
		optimize_usage_error(o, "unexpected argument '%s'", argv[optind]);
}

int optimize_run_file(optimize_opts *o, const optimize_file *f, int kind)
{
	opt_problem p;
	anneal_result r;
	qe_err e;
	if (problem_read(&p, kind, f->format, f->path, f->fields, &e))
		cli_die_err(&e);
	if (o->ao.has_target)
		o->ao.target_energy = problem_energy_for(&p, o->target);
	optimize_open_outputs(o);
	optimize_solve(o, &p, 0, &r);
	double obj = problem_objective(&p, r.spins);
	optout_solution(o->out_fp, &p, r.spins);
	if (o->summary)
		optimize_write_summary(o, f->path, kind == PROBLEM_MAXCUT, &r, obj, NULL, NULL, 0, NULL);
	optimize_commit_outputs();
	cli_info("%s %s seed %llu: %s %.17g, energy %.17g; best at %.3f s of %.3f s; %lld sweeps, %.3g flips/s",
		 o->cmd, solver_name(o->ao.solver), (unsigned long long)o->ao.seed,
		 kind == PROBLEM_MAXCUT ? "cut" : "objective", obj, r.energy, r.time_to_best, r.elapsed,
		 (long long)r.sweeps, optimize_flips(&r));
	int miss = o->ao.has_target && !r.hit_target;
	anneal_result_free(&r);
	problem_free(&p);
	return miss ? QE_NEGATIVE : QE_OK;
}
