/* The options every qe-forecast subcommand shares, its operand and the
 * usage errors that name the subcommand. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "forecast/forecast_cmd.h"
#include "forecast/garch.h"
#include "forecast/series.h"
#include "risk/riskfactor.h"

void forecast_opts_init(forecast_opts *o, const char *cmd, const char *help)
{
	memset(o, 0, sizeof *o);
	o->cmd = cmd;
	o->help = help;
}

void forecast_usage_error(const forecast_opts *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_sub_vusage_error(o->cmd, fmt, ap);
}

int forecast_getopt(forecast_opts *o, int argc, char **argv, const char *shortopts,
		    const struct option *longopts)
{
	char spec[64];
	int c;
	snprintf(spec, sizeof spec, ":o:qhV%s", shortopts ? shortopts : "");
	while ((c = cli_sub_getopt(o->cmd, argc, argv, spec, longopts)) != -1) {
		switch (c) {
		case 'o': o->output = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(o->help);
		case 'V': cli_version();
		default: return c;
		}
	}
	return -1;
}

const char *forecast_input(const forecast_opts *o, int argc, char **argv)
{
	if (optind < argc - 1)
		forecast_usage_error(o, "more than one input file ('%s', '%s')", argv[optind], argv[optind + 1]);
	return optind < argc ? argv[optind] : "-";
}

int forecast_commit(void)
{
	qe_err e;
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	return 0;
}

int forecast_garch_option(const forecast_opts *o, forecast_garch_in *g, int c, const char *arg)
{
	switch (c) {
	case FORECAST_O_PRICES: g->prices = 1; return 1;
	case FORECAST_O_COLUMN: g->column = arg; return 1;
	case 'H': g->history = arg; return 1;
	case FORECAST_O_CURVE: g->curve = arg; return 1;
	case FORECAST_O_TENOR: g->tenor = (long)cli_int("--tenor", arg, 0, 100000); return 1;
	case FORECAST_O_MODEL:
		if (strcmp(arg, "garch") != 0 && strcmp(arg, "gjr") != 0)
			forecast_usage_error(o, "option --model: unknown model '%s' (garch, gjr)", arg);
		g->model = arg[1] == 'j' ? GARCH_GJR : GARCH_PLAIN;
		return 1;
	case FORECAST_O_DIST:
		if (strcmp(arg, "normal") != 0 && strcmp(arg, "t") != 0)
			forecast_usage_error(o, "option --dist: unknown distribution '%s' (normal, t)", arg);
		g->dist = arg[0] == 't' ? GARCH_T : GARCH_NORMAL;
		return 1;
	}
	return 0;
}

void forecast_garch_series(const forecast_opts *o, const forecast_garch_in *g, int argc, char **argv,
			   int curve_alone, fseries *s)
{
	qe_err e;
	if (g->history) {
		char factor[RISK_FACTOR_NAMESZ];
		if (optind < argc)
			forecast_usage_error(o, "-H and an input file '%s' together", argv[optind]);
		if (!g->curve || g->tenor < 0)
			forecast_usage_error(o, "-H needs --curve and --tenor");
		if (g->prices || g->column)
			forecast_usage_error(o, "--prices and --column are for FILE, not -H");
		if (risk_factor_name(factor, sizeof factor, g->curve, strlen(g->curve), g->tenor) < 0)
			forecast_usage_error(o, "option --curve: name too long");
		if (fseries_read_history(s, g->history, factor, &e))
			cli_die_err(&e);
	} else {
		if (g->tenor >= 0 || (g->curve && !curve_alone))
			forecast_usage_error(o, "--curve and --tenor need -H%s",
					     curve_alone ? " (--curve alone names the curve of --to-vols)" : "");
		if (fseries_read_csv(s, forecast_input(o, argc, argv), g->column, g->prices, &e))
			cli_die_err(&e);
	}
	if (fseries_check(s, GARCH_MIN_OBS, "a GARCH fit", &e))
		cli_die_err(&e);
}
