/* qe-var mc: Monte Carlo VaR/ES with correlated normal or Student-t
 * shocks, reproducible by --seed whatever the thread count. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "var.h"

enum { OPT_PATHS = VAR_OPT_OWN, OPT_SEED, OPT_DIST, OPT_DF };

static const var_option options[] = {
	VAR_O_HISTORY,
	VAR_O_RETURNS,
	VAR_O_BOOK,
	VAR_O_WINDOW,
	VAR_O_HORIZON,
	VAR_O_ALPHA,
	VAR_O_QUANTILE,
	VAR_O_COV,
	VAR_O_COV_FILE,
	{OPT_PATHS, "paths", "N", "number of paths (default 100000)"},
	{OPT_SEED, "seed", "N", "random seed (default 1)"},
	{OPT_DIST, "dist", "D", "normal (default) or t"},
	{OPT_DF, "df", "NU", "Student-t degrees of freedom (default 5)"},
	VAR_O_CUBE,
	VAR_O_TIMING,
	VAR_O_END,
};

static const var_command command = {
	"mc", "-H FILE -s FILE [OPTIONS]", "Monte Carlo VaR/ES (correlated normal or Student-t shocks).",
	options,
};

int cmd_var_mc(int argc, char **argv)
{
	var_args a;
	var_inputs in;
	var_result r;
	pnl_cube cube;
	var_cube_out co;
	csv_writer w;
	qe_err e;
	int c, student = 0;
	double df = 5;
	var_args_init(&a, &command, argc, argv);
	while ((c = var_args_next(&a)) != -1) {
		switch (c) {
		case OPT_PATHS: a.sp.paths = (size_t)cli_int("--paths", optarg, 1, 100000000); break;
		case OPT_SEED: a.sp.seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case OPT_DIST:
			if (strcmp(optarg, "t") != 0 && strcmp(optarg, "normal") != 0)
				var_usage_error(&a, "option --dist: unknown distribution '%s' (normal, t)", optarg);
			student = optarg[0] == 't';
			break;
		case OPT_DF:
			df = cli_double("--df", optarg);
			if (!(df > 2 && df <= 1e6))
				var_usage_error(&a, "option --df: %g must be above 2 (finite variance)", df);
			break;
		}
	}
	var_args_no_input(&a);
	a.sp.df = student ? df : 0;
	var_load(&a, 1, &in);
	var_open_cube(&a, &co);
	var_open_out(&a, &w);
	if (var_mc(&in.h, &in.all, &in.x, &a.sp, &r, a.cube ? &cube : NULL, &e))
		cli_die_err(&e);
	if (a.cube) {
		var_cube_asof(&cube, &in);
		var_write_cube(&co, &cube);
		pcube_free(&cube);
	}
	var_write_results(&w, &a, &in, a.sp.df > 0 ? "mc-t" : "mc-normal", &r);
	var_result_free(&r);
	var_inputs_free(&in);
	return var_commit();
}
