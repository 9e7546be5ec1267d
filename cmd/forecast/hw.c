/* qe-forecast hw: Holt-Winters exponential smoothing (one period) or
 * Taylor's double-seasonal method (two) of a regular series
 * (forecast/hw.h): the fit of the smoothing parameters, the forecast, the
 * in-sample one-step predictions and the fit's summary. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "forecast/forecast_cmd.h"
#include "forecast/hw.h"
#include "forecast/series.h"
#include "io/csvio.h"
#include "io/formats.h"

static const char usage[] =
	"usage: qe-forecast hw --period M[,M2] --horizon H [OPTIONS] [FILE|-]\n"
	"Holt-Winters exponential smoothing of the regular series timestamp|date,value\n"
	"of FILE (or standard input); with two periods (24,168) Taylor's (2003)\n"
	"double-seasonal method.  Writes step,time,forecast for the H steps after\n"
	"the last value.\n\n"
	"Input:\n"
	"  --column NAME       the value column (default value)\n"
	"  --zone Z            only the rows whose zone column is Z (the LOAD file)\n"
	"Model:\n"
	"  --period M[,M2]     the seasonal period(s) in steps (required)\n"
	"  --trend T           add (default) or none\n"
	"  --damped            a damped trend (parameter phi)\n"
	"  --seasonal S        add (default) or mul (one period only)\n"
	"Parameters (fitted by least squares unless given):\n"
	"  --alpha A --beta B --gamma G --gamma2 G2 --phi P   fix them, each in [0, 1]\n"
	"  --init I            initial states: estimated (default: fitted with the\n"
	"                      parameters, from the heuristic ones), heuristic, or a\n"
	"                      FILE component,index,value that fixes them\n"
	"  --max-iter N        simplex iterations per start (default 5000)\n"
	"Output:\n"
	"  --horizon H         forecast H steps (required)\n"
	"  --fitted FILE       the one-step predictions time,value,fitted,residual\n"
	"  --summary FILE      one row of the fit: alpha,beta,gamma,gamma2,phi,sse,aic...\n"
	"  --states FILE       the initial states used, as --init FILE reads them\n" FORECAST_SHARED_HELP;

enum { O_COLUMN = FORECAST_OPT_OWN, O_ZONE, O_PERIOD, O_INIT, O_MAXITER, O_HORIZON, O_FITTED, O_SUMMARY,
       O_STATES };

static const struct option longopts[] = {
	FORECAST_SHARED_OPTIONS,
	{"column", required_argument, NULL, O_COLUMN},
	{"zone", required_argument, NULL, O_ZONE},
	{"period", required_argument, NULL, O_PERIOD},
	FORECAST_HW_OPTIONS,
	{"init", required_argument, NULL, O_INIT},
	{"max-iter", required_argument, NULL, O_MAXITER},
	{"horizon", required_argument, NULL, O_HORIZON},
	{"fitted", required_argument, NULL, O_FITTED},
	{"summary", required_argument, NULL, O_SUMMARY},
	{"states", required_argument, NULL, O_STATES},
	{0},
};

typedef struct hw_args {
	forecast_hw_in h;
	int horizon, max_iter;
	int init_file, estimate; /* --init FILE; --init estimated (the default) */
	const char *column, *zone, *init, *fitted, *summary, *states;
} hw_args;

static void parse(forecast_opts *o, hw_args *a, int argc, char **argv)
{
	int c;
	while ((c = forecast_getopt(o, argc, argv, "", longopts)) != -1) {
		if (forecast_hw_option(o, &a->h, c, optarg))
			continue;
		switch (c) {
		case O_COLUMN: a->column = optarg; break;
		case O_ZONE: a->zone = optarg; break;
		case O_PERIOD: forecast_hw_periods(o, &a->h.model, optarg); break;
		case O_INIT: a->init = optarg; break;
		case O_MAXITER: a->max_iter = (int)cli_int("--max-iter", optarg, 1, 100000000); break;
		case O_HORIZON: a->horizon = (int)cli_int("--horizon", optarg, 1, 10000000); break;
		case O_FITTED: a->fitted = optarg; break;
		case O_SUMMARY: a->summary = optarg; break;
		case O_STATES: a->states = optarg; break;
		default: cli_die(QE_INTERNAL, "hw: option %d has no handler", c);
		}
	}
}

/* The option checks a model implies: what is fixed must exist. */
static void check_args(const forecast_opts *o, const hw_args *a)
{
	forecast_hw_check(o, &a->h);
	if (a->horizon == 0)
		forecast_usage_error(o, "--horizon is required");
}

/* Multiplicative seasonality divides by the data's scale: every value
 * must be positive. */
static void check_values(const fseries *s, const hw_model *m)
{
	for (size_t i = 0; i < s->n; i++)
		if (m->seasonal == HW_SEASONAL_MUL && !(s->value[i] > 0))
			cli_die(QE_DATA, "%s:%ld: value %.17g not positive (--seasonal mul)", s->name, s->line[i],
				s->value[i]);
}

static void write_summary(csv_writer *w, const fseries *s, const hw_args *a, const hw_fit_info *info)
{
	const hw_model *m = &a->h.model;
	char periods[64];
	if (m->nperiods == 2)
		snprintf(periods, sizeof periods, "%zu,%zu", m->period[0], m->period[1]);
	else
		snprintf(periods, sizeof periods, "%zu", m->period[0]);
	csvw_header_of(w, FMT_HW_SUMMARY);
	csvw_str(w, s->name);
	csvw_str(w, m->trend == HW_TREND_NONE ? "none" : "add");
	csvw_int(w, m->damped);
	csvw_str(w, m->seasonal == HW_SEASONAL_MUL ? "mul" : "add");
	csvw_str(w, periods);
	csvw_int(w, (int64_t)s->n);
	csvw_double(w, a->h.params.alpha);
	if (m->trend == HW_TREND_NONE)
		csvw_empty(w);
	else
		csvw_double(w, a->h.params.beta);
	csvw_double(w, a->h.params.gamma);
	if (m->nperiods < 2)
		csvw_empty(w);
	else
		csvw_double(w, a->h.params.gamma2);
	if (!m->damped)
		csvw_empty(w);
	else
		csvw_double(w, a->h.params.phi);
	csvw_double(w, info->sse);
	csvw_double(w, info->aic);
	csvw_str(w, a->init_file ? "file" : a->estimate ? "estimated" : "heuristic");
	csvw_end(w);
}

static void write_states(csv_writer *w, const hw_model *m, const hw_states *st)
{
	static const char *const names[] = {"seasonal", "seasonal2"};
	csvw_header_of(w, FMT_HW_INIT);
	csvw_str(w, "level");
	csvw_empty(w);
	csvw_double(w, st->level);
	csvw_end(w);
	if (m->trend != HW_TREND_NONE) {
		csvw_str(w, "trend");
		csvw_empty(w);
		csvw_double(w, st->trend);
		csvw_end(w);
	}
	for (int j = 0; j < m->nperiods; j++)
		for (size_t i = 0; i < m->period[j]; i++) {
			csvw_str(w, names[j]);
			csvw_int(w, (int64_t)i + 1);
			csvw_double(w, st->season[j][i]);
			csvw_end(w);
		}
}

static void write_fitted(csv_writer *w, const fseries *s, const double *fitted)
{
	char t[32];
	csvw_header_of(w, FMT_HW_FITTED);
	for (size_t i = 0; i < s->n; i++) {
		fseries_time_format(s, i, t);
		csvw_str(w, t);
		csvw_double(w, s->value[i]);
		csvw_double(w, fitted[i]);
		csvw_double(w, s->value[i] - fitted[i]);
		csvw_end(w);
	}
}

static void write_forecast(csv_writer *w, const fseries *s, const double *fc, int horizon)
{
	char t[32];
	csvw_header_of(w, FMT_HW_FORECAST);
	for (int k = 0; k < horizon; k++) {
		fseries_time_after(s, (size_t)k + 1, t);
		csvw_int(w, k + 1);
		csvw_str(w, t);
		csvw_double(w, fc[k]);
		csvw_end(w);
	}
}

int cmd_forecast_hw(int argc, char **argv)
{
	forecast_opts o;
	hw_args a = {0};
	fseries s;
	hw_states init, last;
	hw_fit_info info;
	csv_writer w, fw, sw, stw;
	qe_err e;
	forecast_hw_init(&a.h);
	forecast_opts_init(&o, "hw", usage);
	parse(&o, &a, argc, argv);
	check_args(&o, &a);
	a.estimate = !a.init || strcmp(a.init, "estimated") == 0;
	a.init_file = a.init && strcmp(a.init, "estimated") != 0 && strcmp(a.init, "heuristic") != 0;
	if (fseries_read_regular(&s, forecast_input(&o, argc, argv), a.column, a.zone ? "zone" : NULL, a.zone, &e))
		cli_die_err(&e);
	if (a.zone && s.n == 0)
		cli_die(QE_DATA, "%s: no rows of zone '%s'", s.name, a.zone);
	char model_name[64];
	snprintf(model_name, sizeof model_name, "Holt-Winters with period %zu", a.h.model.period[a.h.model.nperiods - 1]);
	if (fseries_check(&s, hw_min_obs(&a.h.model), model_name, &e))
		cli_die_err(&e);
	check_values(&s, &a.h.model);
	if (hw_states_alloc(&init, &a.h.model, &e) || hw_states_alloc(&last, &a.h.model, &e))
		cli_die_err(&e);
	if (a.init_file ? hw_states_read(&init, &a.h.model, a.init, &e)
			: hw_init_heuristic(&a.h.model, s.value, s.n, &init, &e)) {
		if (!a.init_file)
			qe_err_prefix(&e, s.name);
		cli_die_err(&e);
	}
	/* outputs open before the fit: a bad path fails first */
	csvw_init(&w, cli_out_open(o.output)->fp);
	if (a.fitted)
		csvw_init(&fw, cli_out_open(a.fitted)->fp);
	if (a.summary)
		csvw_init(&sw, cli_out_open(a.summary)->fp);
	if (a.states)
		csvw_init(&stw, cli_out_open(a.states)->fp);
	if (hw_fit(&a.h.model, &a.h.params, a.h.fixed, &init, a.estimate, s.value, s.n, a.max_iter, &info, &e)) {
		qe_err_prefix(&e, s.name);
		cli_die_err(&e);
	}
	double *fitted = malloc(s.n * sizeof *fitted), *fc = malloc((size_t)a.horizon * sizeof *fc);
	if (!fitted || !fc)
		cli_die(QE_INTERNAL, "out of memory");
	double sse = hw_filter(&a.h.model, &a.h.params, &init, s.value, s.n, fitted, &last);
	if (!isfinite(sse))
		cli_die(QE_NUMERIC, "%s: the one-step predictions are not finite (alpha=%g gamma=%g)", s.name,
			a.h.params.alpha, a.h.params.gamma);
	hw_forecast(&a.h.model, &a.h.params, &last, (size_t)a.horizon, fc);
	write_forecast(&w, &s, fc, a.horizon);
	if (a.fitted)
		write_fitted(&fw, &s, fitted);
	if (a.summary)
		write_summary(&sw, &s, &a, &info);
	if (a.states)
		write_states(&stw, &a.h.model, &init);
	cli_info("%s: %zu values, %d starts, %d SSE evaluations: alpha %.6g gamma %.6g sse %.10g", s.name, s.n,
		 info.starts, info.evaluations, a.h.params.alpha, a.h.params.gamma, info.sse);
	free(fitted);
	free(fc);
	hw_states_free(&init);
	hw_states_free(&last);
	fseries_free(&s);
	return forecast_commit();
}
