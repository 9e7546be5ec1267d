/* qe-var pla: the FRTB P&L attribution test - full-revaluation P&L
 * against the sensitivity-based P&L of each portfolio, Spearman and
 * Kolmogorov-Smirnov with the MAR32 zones; exit 1 when a portfolio is
 * red.  The two P&L come from two cubes, two series (--daily), or from
 * the pricer's inputs: the cube of hs --full and the cube of hs -s with
 * the sensitivities qe-price would write, both computed here. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "io/formats.h"
#include "risk/pla.h"
#include "var.h"

enum { OPT_FULL_CUBE = VAR_OPT_OWN, OPT_SENS_CUBE, OPT_DAILY, OPT_FULL_SERIES, OPT_SENS_SERIES, OPT_PORTFOLIO };

static const var_option options[] = {
	{OPT_FULL_CUBE, "full-cube", "FILE", "P&L cube of full revaluation (CSV, or HDF5 .h5)"},
	{OPT_SENS_CUBE, "sens-cube", "FILE", "P&L cube of the sensitivities (hs --cube)"},
	{OPT_DAILY, "daily", NULL, "compare the daily P&L of two series runs instead"},
	{OPT_FULL_SERIES, "full-series", "FILE", "--daily: series of full revaluation (date,var,pnl)"},
	{OPT_SENS_SERIES, "sens-series", "FILE", "--daily: series of the sensitivities (qe-var series)"},
	{OPT_PORTFOLIO, "portfolio", "P", "--daily: the portfolio the series are of (default total)"},
	VAR_O_HISTORY,
	VAR_O_RETURNS,
	{VAR_OPT_BY, "by", "COLUMN", "group portfolios by this column (default book; none)"},
	{VAR_OPT_FX, "fx", "FILE", "currency,rate (units of --base per unit): convert P&L to"},
	{VAR_OPT_BASE, "base", "CCY", "the base currency before adding"},
	VAR_O_WINDOW,
	VAR_O_HORIZON,
	VAR_O_FULL_INPUTS,
	VAR_O_END,
};

static const var_command command = {
	"pla", "--full-cube FILE --sens-cube FILE | --daily --full-series FILE --sens-series FILE |\n"
	       "    -H FILE -m FILE --asof DATE --trades FILE --curves FILE [OPTIONS]",
	"FRTB P&L attribution: Spearman, KS and zone per portfolio (exit 1: a red zone).", options,
};

static const char *display(const char *path)
{
	return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

static void read_cube(const char *path, pnl_cube *c)
{
	qe_err e;
	int rc = strcmp(path, "-") != 0 && pcube_is_hdf5(path) ? pcube_read_hdf5(c, path, &e)
							       : pcube_read_csv(c, path, &e);
	if (rc)
		cli_die_err(&e);
}

static void read_series(const char *path, const char *portfolio, pnl_cube *c)
{
	bt_series s;
	qe_err e;
	if (bt_read_series(&s, path, &e))
		cli_die_err(&e);
	int rc = pla_series_cube(&s, portfolio, c, &e);
	bt_series_free(&s);
	if (rc)
		cli_die_err(&e);
}

/* The two cubes from the pricer's inputs: full revaluation as hs --full
 * computes it, and the sensitivity P&L of hs -s over the sensitivities
 * the pricer writes for the same book (in-process, through a temporary
 * file), over the same history, window and horizon. */
static void book_cubes(var_args *a, pnl_cube *fc, pnl_cube *sc)
{
	var_inputs in;
	struct val_options vo;
	struct val_outputs out = {0};
	struct val_summary sum;
	var_result r;
	qe_err e;
	var_load(a, 0, &in);
	var_full_hs_cube(a, &in, fc);
	var_inputs_free(&in);
	var_full_options(a, &vo);
	val_book *b = valuation_price(&vo, &e);
	if (!b)
		cli_die_err(&e);
	if (!(out.sensitivities = tmpfile()))
		cli_die(QE_IO, "a temporary file for the sensitivities: %s", strerror(errno));
	int rc = valuation_write(b, &out, &sum, &e);
	valuation_free(b);
	if (rc)
		cli_die_err(&e);
	if (fflush(out.sensitivities) || ferror(out.sensitivities) || fseek(out.sensitivities, 0, SEEK_SET))
		cli_die(QE_IO, "the temporary file of the sensitivities: %s", strerror(errno));
	char name[300];
	snprintf(name, sizeof name, "%.240s (sensitivities)", a->trades);
	if (var_inputs_load_stream(&in, a->history, a->vol_history, a->markets,
				   cli_calendar_dir(a->calendars, a->markets),
				   out.sensitivities, name, a->by, &a->fx, &a->asof, a->gaps, a->horizon, a->hmode,
				   a->returns, &e))
		cli_die_err(&e);
	if (a->have_horizon)
		in.x.theta_days = a->horizon;
	if (in.x.capped)
		cli_info("%s: %zu rows with a tenor beyond the history's longest of their curve mapped to it", name,
			 in.x.capped);
	if (var_hs(&in.h, &in.all, &in.x, &a->sp, &r, sc, &e))
		cli_die_err(&e);
	var_cube_asof(sc, &in);
	var_result_free(&r);
	var_inputs_free(&in);
	fclose(out.sensitivities);
}

int cmd_var_pla(int argc, char **argv)
{
	var_args a;
	qe_err e;
	csv_writer w;
	const char *full = NULL, *sens = NULL, *full_series = NULL, *sens_series = NULL, *portfolio = NULL;
	int daily = 0, c;
	var_args_init(&a, &command, argc, argv);
	while ((c = var_args_next(&a)) != -1) {
		switch (c) {
		case OPT_FULL_CUBE: full = optarg; break;
		case OPT_SENS_CUBE: sens = optarg; break;
		case OPT_DAILY: daily = 1; break;
		case OPT_FULL_SERIES: full_series = optarg; break;
		case OPT_SENS_SERIES: sens_series = optarg; break;
		case OPT_PORTFOLIO: portfolio = optarg; break;
		}
	}
	var_args_no_input(&a);
	int book = a.history || a.trades || a.curves || a.markets || a.vols || a.rates || a.fixings ||
		   a.vol_history || a.have_asof;
	if (book) {
		if (daily || full || sens || full_series || sens_series || portfolio)
			var_usage_error(&a, "the pricer's inputs replace --full-cube/--sens-cube and --daily");
		if (!a.history || !a.markets || !a.have_asof || !a.trades || !a.curves)
			var_usage_error(&a, "the book's P&L needs -H, -m, --asof, --trades and --curves");
		a.full = 1;
		var_full_check(&a);
	} else if (daily) {
		if (full || sens)
			var_usage_error(&a, "--daily compares two series (--full-series, --sens-series), not cubes");
		if (!full_series || !sens_series)
			var_usage_error(&a, "--daily needs --full-series FILE and --sens-series FILE");
		if (!portfolio)
			portfolio = "total";
	} else {
		if (full_series || sens_series || portfolio)
			var_usage_error(&a, "--full-series, --sens-series and --portfolio go with --daily");
		if (!full || !sens)
			var_usage_error(&a, "needs --full-cube FILE and --sens-cube FILE");
	}
	if (!book && strcmp(daily ? full_series : full, "-") == 0 && strcmp(daily ? sens_series : sens, "-") == 0)
		var_usage_error(&a, "only one input can be stdin");
	pnl_cube fc, sc;
	const char *fpath = book ? "full revaluation" : daily ? full_series : full;
	const char *spath = book ? "sensitivities" : daily ? sens_series : sens;
	if (book) {
		book_cubes(&a, &fc, &sc);
	} else if (daily) {
		read_series(fpath, portfolio, &fc);
		read_series(spath, portfolio, &sc);
	} else {
		read_cube(fpath, &fc);
		read_cube(spath, &sc);
	}
	pla_result *res = malloc((fc.npf + 1) * sizeof *res);
	if (!res)
		cli_die(QE_INTERNAL, "out of memory");
	if (pla_compare_cubes(&fc, &sc, res, &e)) {
		char why[sizeof e.msg + 2 * 300];
		snprintf(why, sizeof why, "%.256s vs %.256s: %s", display(fpath), display(spath), e.msg);
		free(res);
		pcube_free(&fc);
		pcube_free(&sc);
		cli_die(e.code, "%s", why);
	}
	var_open_out(&a, &w);
	csvw_header_of(&w, FMT_PLA);
	size_t red = 0;
	for (size_t p = 0; p < fc.npf; p++) {
		const pla_result *r = &res[p];
		const char *name = sidx_name(fc.portfolios, p), *slash = strrchr(name, '/');
		if (r->zone == PLA_NONE)
			cli_warnf("portfolio '%s': a constant P&L has no rank correlation: zone n/a", name);
		red += r->zone == PLA_RED;
		if (fc.has_asof || sc.has_asof)
			csvw_date(&w, fc.has_asof ? fc.asof : sc.asof);
		else
			csvw_empty(&w);
		csvw_str(&w, name);
		csvw_int(&w, (int64_t)r->scenarios);
		if (r->zone == PLA_NONE)
			csvw_empty(&w);
		else
			csvw_double(&w, r->spearman);
		csvw_double(&w, r->ks);
		csvw_str(&w, pla_zone_name(r->zone));
		/* a portfolio of several currencies is NAME/CCY in the cube */
		csvw_str(&w, slash ? slash + 1 : "");
		csvw_end(&w);
	}
	size_t npf = fc.npf;
	free(res);
	pcube_free(&fc);
	pcube_free(&sc);
	var_commit();
	if (red)
		cli_info("P&L attribution: %zu of %zu portfolios red", red, npf);
	return red ? QE_NEGATIVE : QE_OK;
}
