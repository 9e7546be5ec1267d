/* qe-var hs: historical-simulation VaR/ES per portfolio, optionally age
 * weighted (--brw) or volatility filtered (--fhs). */
#include <getopt.h>
#include <omp.h>
#include <stdio.h>

#include "cli.h"
#include "var.h"

enum { OPT_BRW = VAR_OPT_OWN, OPT_FHS };

static const var_option options[] = {
	VAR_O_HISTORY,
	VAR_O_RETURNS,
	VAR_O_BOOK,
	VAR_O_WINDOW,
	VAR_O_HORIZON,
	VAR_O_ALPHA,
	VAR_O_QUANTILE,
	{OPT_BRW, "brw", "LAMBDA", "age weights lambda^age (Boudoukh-Richardson-Whitelaw)"},
	{OPT_FHS, "fhs", "LAMBDA", "filter returns by EWMA volatility (Hull-White)"},
	VAR_O_CUBE,
	VAR_O_TIMING,
	VAR_O_FULL,
	VAR_O_FX_HISTORY,
	VAR_O_VALUATIONS,
	VAR_O_END,
};

static const var_command command = {
	"hs", "-H FILE -m FILE (-s FILE | --full --asof DATE --trades FILE --curves FILE) [OPTIONS]", "Historical-simulation VaR/ES per portfolio.", options,
};

int cmd_var_hs(int argc, char **argv)
{
	var_args a;
	var_inputs in;
	var_result r;
	pnl_cube cube;
	var_cube_out co;
	csv_writer w;
	qe_err e;
	int c;
	var_args_init(&a, &command, argc, argv);
	while ((c = var_args_next(&a)) != -1) {
		switch (c) {
		case OPT_BRW: a.sp.brw_lambda = var_unit_interval(&a, "--brw", optarg); break;
		case OPT_FHS: a.sp.fhs_lambda = var_unit_interval(&a, "--fhs", optarg); break;
		}
	}
	var_args_no_input(&a);
	var_full_check(&a);
	const char *method = a.sp.fhs_lambda > 0 ? (a.sp.brw_lambda > 0 ? "fhs-brw" : "fhs")
			     : a.sp.brw_lambda > 0 ? "hs-brw" : "hs";
	if (a.full) {
		char fm[16];
		snprintf(fm, sizeof fm, "%s-full", method);
		var_load(&a, 0, &in);
		var_open_cube(&a, &co);
		var_open_out(&a, &w);
		double t0 = omp_get_wtime();
		var_full_hs_cube(&a, &in, &cube);
		cli_par_done(); /* MPI: rank 0 has every rank's scenarios */
		double t1 = omp_get_wtime();
		if (var_from_pnl(&in.x, cube.pnl, cube.nsc, &a.sp, &r, &e))
			cli_die_err(&e);
		r.t_pnl = t1 - t0;
		if (a.cube)
			var_write_cube(&co, &cube);
		pcube_free(&cube);
		var_write_results(&w, &a, &in, fm, &r);
		var_result_free(&r);
		var_inputs_free(&in);
		return var_commit();
	}
	var_load(&a, 1, &in);
	var_open_cube(&a, &co);
	var_open_out(&a, &w);
	if (var_hs(&in.h, &in.all, &in.x, &a.sp, &r, a.cube ? &cube : NULL, &e))
		cli_die_err(&e);
	cli_par_done(); /* MPI: rank 0 has every rank's scenarios */
	if (a.cube) {
		var_cube_asof(&cube, &in);
		var_write_cube(&co, &cube);
		pcube_free(&cube);
	}
	var_write_results(&w, &a, &in, method, &r);
	var_result_free(&r);
	var_inputs_free(&in);
	return var_commit();
}
