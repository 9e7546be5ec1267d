/* The options every qe-optimize subcommand shares - solver, seed, limits,
 * temperatures, outputs - parsed once for all of them, and the usage
 * errors that name the subcommand. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "optimize/optimize.h"

void optimize_opts_init(optimize_opts *o, const char *cmd, const char *help)
{
	memset(o, 0, sizeof *o);
	o->cmd = cmd;
	o->help = help;
	anneal_opts_init(&o->ao);
}

void optimize_usage_error(const optimize_opts *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_sub_vusage_error(o->cmd, fmt, ap);
}

void optimize_unhandled(const optimize_opts *o, int c)
{
	cli_die(QE_INTERNAL, "%s: option %d has no handler", o->cmd, c);
}

/* Returns 1 when c was a shared option. */
static int shared_option(optimize_opts *o, int c, const char *arg)
{
	anneal_opts *ao = &o->ao;
	switch (c) {
	case OPTIMIZE_OPT_SOLVER:
		o->solver_given = 1;
		if ((ao->solver = solver_parse(arg)) < 0)
			cli_usage_error("option --solver: unknown solver '%s'", arg);
		return 1;
	case OPTIMIZE_OPT_SEED: ao->seed = (uint64_t)cli_int("--seed", arg, 0, INT64_MAX); return 1;
	case OPTIMIZE_OPT_SWEEPS: ao->sweeps = cli_int("--sweeps", arg, 1, INT64_MAX / 4096); return 1;
	case OPTIMIZE_OPT_REPLICAS: ao->replicas = (int)cli_int("--replicas", arg, 1, 4096); return 1;
	case OPTIMIZE_OPT_RESTARTS: ao->max_rounds = cli_int("--restarts", arg, 1, INT64_MAX); return 1;
	case OPTIMIZE_OPT_TIME_LIMIT:
		ao->time_limit = cli_double("--time-limit", arg);
		if (!(ao->time_limit > 0))
			cli_usage_error("option --time-limit: must be > 0 '%s'", arg);
		return 1;
	case OPTIMIZE_OPT_TARGET: o->target = cli_double("--target", arg); ao->has_target = 1; return 1;
	case OPTIMIZE_OPT_SCHEDULE:
		if (strcmp(arg, "geometric") == 0)
			ao->schedule = SCHEDULE_GEOMETRIC;
		else if (strcmp(arg, "linear") == 0)
			ao->schedule = SCHEDULE_LINEAR;
		else
			cli_usage_error("option --schedule: unknown schedule '%s'", arg);
		return 1;
	case OPTIMIZE_OPT_T0: ao->t0 = cli_double("--t0", arg); return 1;
	case OPTIMIZE_OPT_T1: ao->t1 = cli_double("--t1", arg); return 1;
	case OPTIMIZE_OPT_NO_POLISH: ao->no_polish = 1; return 1;
	case OPTIMIZE_OPT_SUMMARY: o->summary = arg; return 1;
	case OPTIMIZE_OPT_INSTANCE: o->instance = arg; return 1;
	case 'o': o->out = arg; return 1;
	case 'q': cli_quiet = 1; return 1;
	case 'h': cli_help(o->help);
	case 'V': cli_version();
	default: return 0;
	}
}

int optimize_getopt(optimize_opts *o, int argc, char **argv, const struct option *longopts)
{
	int c;
	while ((c = cli_sub_getopt(o->cmd, argc, argv, ":o:qhV", longopts)) != -1) {
		if (!shared_option(o, c, optarg))
			return c;
	}
	return -1;
}

static void progress(void *ctx, const anneal_progress *p)
{
	(void)ctx;
	fprintf(stderr, "\r%s: round %lld, best energy %.10g, %.1f s ", cli_prog, (long long)p->rounds,
		p->best_energy, p->elapsed);
}

void optimize_opts_finish(optimize_opts *o)
{
	if (o->ao.has_target && o->ao.time_limit == 0 && o->ao.max_rounds == 0)
		o->ao.time_limit = 60;
	if (!cli_quiet && cli_progress())
		o->ao.progress = progress;
}
