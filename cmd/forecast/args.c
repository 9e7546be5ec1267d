/* The options every qe-forecast subcommand shares, its operand and the
 * usage errors that name the subcommand. */
#include <math.h>
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

void forecast_hw_init(forecast_hw_in *h)
{
	memset(h, 0, sizeof *h);
	h->model.trend = HW_TREND_ADD;
	h->params.phi = 1;
}

static double unit_param(const forecast_opts *o, const char *opt, const char *arg)
{
	double v = cli_double(opt, arg);
	if (!(v >= 0 && v <= 1))
		forecast_usage_error(o, "option %s: must be in [0, 1] '%s'", opt, arg);
	return v;
}

void forecast_hw_periods(const forecast_opts *o, hw_model *m, const char *arg)
{
	double v[3];
	int n = cli_double_list("--period", arg, v, 3);
	if (n < 1 || n > 2)
		forecast_usage_error(o, "option --period: one or two periods (24 or 24,168) '%s'", arg);
	for (int j = 0; j < n; j++) {
		if (!(v[j] >= 2 && v[j] <= HW_PERIOD_MAX) || v[j] != floor(v[j]))
			forecast_usage_error(o, "option --period: a period is an integer in [2, %d] '%s'", HW_PERIOD_MAX,
					     arg);
		m->period[j] = (size_t)v[j];
	}
	m->nperiods = n;
}

int forecast_hw_option(const forecast_opts *o, forecast_hw_in *h, int c, const char *arg)
{
	switch (c) {
	case FORECAST_O_TREND:
		if (strcmp(arg, "add") != 0 && strcmp(arg, "none") != 0)
			forecast_usage_error(o, "option --trend: unknown trend '%s' (add, none)", arg);
		h->model.trend = arg[0] == 'a' ? HW_TREND_ADD : HW_TREND_NONE;
		return 1;
	case FORECAST_O_DAMPED: h->model.damped = 1; return 1;
	case FORECAST_O_SEASONAL:
		if (strcmp(arg, "add") != 0 && strcmp(arg, "mul") != 0)
			forecast_usage_error(o, "option --seasonal: unknown seasonality '%s' (add, mul)", arg);
		h->model.seasonal = arg[0] == 'a' ? HW_SEASONAL_ADD : HW_SEASONAL_MUL;
		return 1;
	case FORECAST_O_ALPHA: h->params.alpha = unit_param(o, "--alpha", arg), h->fixed |= HW_FIX_ALPHA; return 1;
	case FORECAST_O_BETA: h->params.beta = unit_param(o, "--beta", arg), h->fixed |= HW_FIX_BETA; return 1;
	case FORECAST_O_GAMMA: h->params.gamma = unit_param(o, "--gamma", arg), h->fixed |= HW_FIX_GAMMA; return 1;
	case FORECAST_O_GAMMA2:
		h->params.gamma2 = unit_param(o, "--gamma2", arg), h->fixed |= HW_FIX_GAMMA2;
		return 1;
	case FORECAST_O_PHI: h->params.phi = unit_param(o, "--phi", arg), h->fixed |= HW_FIX_PHI; return 1;
	}
	return 0;
}

void forecast_hw_check(const forecast_opts *o, const forecast_hw_in *h)
{
	qe_err e;
	if (h->model.nperiods == 0)
		forecast_usage_error(o, "--period is required");
	if (hw_model_check(&h->model, &e))
		forecast_usage_error(o, "%s", e.msg);
	if ((h->fixed & HW_FIX_BETA) && h->model.trend == HW_TREND_NONE)
		forecast_usage_error(o, "--beta with --trend none");
	if ((h->fixed & HW_FIX_PHI) && !h->model.damped)
		forecast_usage_error(o, "--phi needs --damped");
	if ((h->fixed & HW_FIX_GAMMA2) && h->model.nperiods < 2)
		forecast_usage_error(o, "--gamma2 needs a second period");
}

void forecast_demand_cfg(const char *station, int unit, double base, int lags, const char *calendar,
			 const char *calendars, demand_cfg *cfg, qe_calendar **cal)
{
	qe_err e;
	demand_cfg_station(cfg, station);
	if (unit >= 0 && unit != cfg->fahrenheit) {
		cfg->fahrenheit = unit;
		cfg->base = unit ? 65.0 : 18.0;
	}
	if (!isnan(base))
		cfg->base = base;
	cfg->lags = lags;
	*cal = NULL;
	if (calendar) {
		if (!(*cal = cal_load_named(calendar, cli_calendar_dir(calendars, NULL), &e)))
			cli_die_err(&e);
		cfg->cal = *cal;
	}
}
