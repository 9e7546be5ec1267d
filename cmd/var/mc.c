/* qe-var mc: Monte Carlo VaR/ES with correlated normal or Student-t
 * shocks, reproducible by --seed whatever the thread count; with --full
 * each path reprices the book (risk/fullrev.h). */
#include <getopt.h>
#include <omp.h>
#include <string.h>

#include "cli.h"
#include "risk/fullrev.h"
#include "var.h"

enum { OPT_PATHS = VAR_OPT_OWN, OPT_SEED, OPT_DIST, OPT_DF, OPT_FACTOR_RETURNS };

static const var_option options[] = {
	VAR_O_HISTORY,
	VAR_O_RETURNS,
	VAR_O_BOOK,
	VAR_O_FX_HISTORY,
	VAR_O_VALUATIONS,
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
	/* --full without --vol-history: the paths move prices only */
	{VAR_OPT_FULL, "full", NULL, "reprice every trade on every path (no -s;\n"
				     "needs --asof --trades --curves -m)"},
	{VAR_OPT_TRADES, "trades", "FILE", "--full: the book (trades of qe-ingest)"},
	{VAR_OPT_CURVES, "curves", "FILE", "--full: forward curves of the as-of date"},
	{VAR_OPT_VOLS, "vols", "FILE", "--full: volatility smiles"},
	{VAR_OPT_RATES, "rates", "FILE", "--full: zero rates"},
	{VAR_OPT_FIXINGS, "fixings", "FILE", "--full: fixings"},
	{VAR_OPT_SPREAD_CORR, "spread-corr", "RHO", "--full: Kirk correlation of spread legs (default: each pair's from -H)"},
	{OPT_FACTOR_RETURNS, "factor-returns", "FILE", "--full: also write each path's factor returns\n"
						       "(scenario,factor,return)"},
	VAR_O_END,
};

static const var_command command = {
	"mc", "-H FILE -m FILE (-s FILE | --full --asof DATE --trades FILE --curves FILE) [OPTIONS]",
	"Monte Carlo VaR/ES (correlated normal or Student-t shocks).", options,
};

/* --factor-returns: one row per path and factor, as the block is drawn. */
static int write_returns(void *ctx, const risk_history *h, size_t q0, size_t np, const double *ret, qe_err *e)
{
	csv_writer *w = ctx;
	char nm[32];
	(void)e;
	for (size_t q = 0; q < np; q++) {
		snprintf(nm, sizeof nm, "path%zu", q0 + q + 1);
		for (size_t f = 0; f < h->nf; f++) {
			csvw_str(w, nm);
			csvw_str(w, sidx_name(h->factors, f));
			csvw_double(w, ret[q * h->nf + f]);
			csvw_end(w);
		}
	}
	return 0; /* write errors: var_commit() */
}

static int mc_full(var_args *a, const char *returns_path)
{
	var_inputs in;
	var_result r;
	pnl_cube cube;
	var_cube_out co;
	csv_writer w, rw;
	struct val_options vo;
	qe_err e;
	size_t nf;
	char note[sizeof r.note] = "";
	static const char *const rcols[] = {"scenario", "factor", "return", NULL};
	var_load(a, 0, &in);
	var_open_cube(a, &co);
	var_open_out(a, &w);
	if (returns_path) {
		csvw_init(&rw, cli_out_open(returns_path)->fp);
		csvw_header(&rw, rcols);
	}
	var_full_options(a, &vo);
	double t0 = omp_get_wtime();
	if (fullrev_mc_cube(&vo, &in, a->horizon, a->hmode, var_full_hz_days(a), a->by, &a->fx, &a->sp,
			    returns_path ? write_returns : NULL, &rw, &cube, &in.x, &nf, note, sizeof note, &e))
		cli_die_err(&e);
	cli_par_done(); /* MPI: rank 0 has every rank's paths */
	in.have_x = 1;
	double t1 = omp_get_wtime();
	if (var_from_pnl(&in.x, cube.pnl, cube.nsc, &a->sp, &r, &e))
		cli_die_err(&e);
	r.t_pnl = t1 - t0;
	snprintf(r.note, sizeof r.note, "%s", note);
	if (a->cube)
		var_write_cube(&co, &cube);
	pcube_free(&cube);
	var_write_results(&w, a, &in, a->sp.df > 0 ? "mc-t-full" : "mc-full", &r);
	var_result_free(&r);
	var_inputs_free(&in);
	return var_commit();
}

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
	const char *returns_path = NULL;
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
		case OPT_FACTOR_RETURNS: returns_path = optarg; break;
		}
	}
	var_args_no_input(&a);
	var_full_check(&a);
	a.sp.df = student ? df : 0;
	if (returns_path && !a.full)
		var_usage_error(&a, "--factor-returns needs --full");
	if (a.full && a.fx_history)
		var_usage_error(&a, "--fx-history is for the sensitivity mode (-s) of mc; mc --full has no FX factors");
	if (returns_path)
		cli_par_solo(); /* the paths' returns are written as they are drawn: one process */
	if (a.full)
		return mc_full(&a, returns_path);
	var_load(&a, 1, &in);
	var_open_cube(&a, &co);
	var_open_out(&a, &w);
	if (var_mc(&in.h, &in.all, &in.x, &a.sp, &r, a.cube ? &cube : NULL, &e))
		cli_die_err(&e);
	cli_par_done(); /* MPI: rank 0 has every rank's paths */
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
