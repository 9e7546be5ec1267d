/* qe-var pla: the FRTB P&L attribution test - full-revaluation P&L
 * against the sensitivity-based P&L of each portfolio, Spearman and
 * Kolmogorov-Smirnov with the MAR32 zones; exit 1 when a portfolio is
 * red. */
#include <getopt.h>
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
	VAR_O_END,
};

static const var_command command = {
	"pla", "--full-cube FILE --sens-cube FILE | --daily --full-series FILE --sens-series FILE",
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
	if (daily) {
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
	if (strcmp(daily ? full_series : full, "-") == 0 && strcmp(daily ? sens_series : sens, "-") == 0)
		var_usage_error(&a, "only one input can be stdin");
	pnl_cube fc, sc;
	const char *fpath = daily ? full_series : full, *spath = daily ? sens_series : sens;
	if (daily) {
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
