/* qe-forecast backtest: rolling-origin evaluation of a model against the
 * seasonal naive (forecast/rolling.h).  A model is one entry of the
 * table below: how to read its data and which rolling_model it is. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "forecast/demand.h"
#include "forecast/forecast_cmd.h"
#include "forecast/garch.h"
#include "forecast/hw.h"
#include "forecast/ols.h"
#include "forecast/rolling.h"
#include "forecast/series.h"
#include "io/csvio.h"
#include "io/formats.h"

static const char usage[] =
	"usage: qe-forecast backtest MODEL [OPTIONS] [FILE|-]\n"
	"Rolling-origin evaluation: at each origin fit MODEL on the values before\n"
	"it, forecast the next H, and score against the actual values with the\n"
	"seasonal-naive forecast as baseline; write model,origins,forecasts,mae,\n"
	"rmse,mape,mase for MODEL and for snaive.\n\n"
	"Models:\n"
	"  garch               FILE (returns date,value) or -H HISTORY --curve C --tenor T;\n"
	"                      the target is the squared return, the forecast the variance\n"
	"  regress             --y COLUMN --x LIST of FILE: the mean at the next rows' x\n"
	"  hw                  FILE (timestamp|date,value): Holt-Winters of --period M[,M2]\n"
	"                      refitted at each origin from its heuristic initial states\n"
	"  demand              FILE (date,value) regressed on --weather's features of\n"
	"                      --station: the mean at the next days' (known) weather\n"
	"Evaluation:\n"
	"  --initial N         values before the first origin (default half the series)\n"
	"  --horizon H         values forecast at each origin (default 1)\n"
	"  --step S            values between origins (default H)\n"
	"  --period M          season of the naive forecast and of MASE (default 1);\n"
	"                      hw: its period(s) M[,M2], the naive's season the longest\n"
	"garch:\n"
	"  --prices, --column NAME, -H FILE, --curve C, --tenor T, --model garch|gjr,\n"
	"  --dist normal|t     as in qe-forecast garch\n"
	"regress:\n"
	"  --y COLUMN, --x LIST  as in qe-forecast regress\n"
	"hw:\n"
	"  --column NAME, --trend, --damped, --seasonal, --alpha, --beta, --gamma,\n"
	"  --gamma2, --phi     as in qe-forecast hw (a parameter given is fixed)\n"
	"demand:\n"
	"  --column NAME, --weather FILE, --station ID, --lags L, --calendar NAME,\n"
	"  --calendars DIR     as in qe-forecast demand\n"
	"Output:\n"
	FORECAST_SHARED_HELP;

enum { O_INITIAL = FORECAST_OPT_OWN, O_HORIZON, O_STEP, O_PERIOD, O_Y, O_X, O_WEATHER, O_STATION, O_LAGS,
       O_CALENDAR, O_CALENDARS };

static const struct option longopts[] = {
	FORECAST_SHARED_OPTIONS,
	FORECAST_GARCH_OPTIONS,
	FORECAST_HW_OPTIONS,
	{"weather", required_argument, NULL, O_WEATHER}, {"station", required_argument, NULL, O_STATION},
	{"lags", required_argument, NULL, O_LAGS},       {"calendar", required_argument, NULL, O_CALENDAR},
	{"calendars", required_argument, NULL, O_CALENDARS},
	{"initial", required_argument, NULL, O_INITIAL}, {"horizon", required_argument, NULL, O_HORIZON},
	{"step", required_argument, NULL, O_STEP},       {"period", required_argument, NULL, O_PERIOD},
	{"y", required_argument, NULL, O_Y},             {"x", required_argument, NULL, O_X},
	{0},
};

typedef struct bt_args {
	const forecast_opts *o;
	forecast_garch_in in;
	forecast_hw_in hw;
	long initial;
	int horizon, step, period, argc, lags;
	char **argv;
	const char *y, *x, *input, *periods, *weather, *station, *calendar, *calendars;
} bt_args;

/* What a model's reader hands the evaluation: the actual values, the
 * model's data and a name for messages; free releases them. */
typedef struct bt_data {
	double *y;
	size_t n;
	void *ctx;
	size_t min_train; /* 0: the model's */
	char name[256];
	fseries s;
	ols_data d;
	rolling_garch g;
	rolling_hw h;
} bt_data;

typedef struct bt_entry {
	rolling_model model;
	void (*read)(bt_args *a, bt_data *b);
	void (*release)(bt_data *b);
} bt_entry;

static void refuse(const bt_args *a, int given, const char *opt)
{
	if (given)
		forecast_usage_error(a->o, "option %s is not one of this model's", opt);
}

/* The options of hw and demand given to another model. */
static void refuse_hw_demand(const bt_args *a)
{
	refuse(a, a->hw.fixed || a->hw.model.damped || a->hw.model.trend != HW_TREND_ADD ||
			  a->hw.model.seasonal != HW_SEASONAL_ADD,
	       "of hw");
	refuse(a, a->weather || a->station || a->lags >= 0 || a->calendar || a->calendars, "of demand");
}

static void garch_read(bt_args *a, bt_data *b)
{
	refuse(a, a->y || a->x, "--y/--x");
	refuse_hw_demand(a);
	forecast_garch_series(a->o, &a->in, a->argc, a->argv, 0, &b->s);
	b->n = b->s.n;
	if (!(b->y = malloc(b->n * sizeof *b->y)))
		cli_die(QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < b->n; i++)
		b->y[i] = b->s.value[i] * b->s.value[i];
	b->g.r = b->s.value;
	b->g.model = a->in.model;
	b->g.dist = a->in.dist;
	b->ctx = &b->g;
	snprintf(b->name, sizeof b->name, "%s", b->s.name);
}

static void garch_release(bt_data *b)
{
	fseries_free(&b->s);
	free(b->y);
}

static void regress_read(bt_args *a, bt_data *b)
{
	enum { MAXX = 256 };
	char *xnames[MAXX], *list;
	size_t nx = 0;
	qe_err e;
	const forecast_garch_in *g = &a->in;
	refuse(a, g->history || g->curve || g->tenor >= 0 || g->prices || g->column || g->model || g->dist,
	       "of garch");
	refuse_hw_demand(a);
	if (!a->y || !a->x)
		forecast_usage_error(a->o, "regress needs --y and --x");
	if (!(list = strdup(a->x)))
		cli_die(QE_INTERNAL, "out of memory");
	for (char *p = strtok(list, ","); p; p = strtok(NULL, ",")) {
		if (nx == MAXX)
			forecast_usage_error(a->o, "option --x: more than %d columns", MAXX);
		xnames[nx++] = p;
	}
	a->input = forecast_input(a->o, a->argc, a->argv);
	if (ols_read_csv(&b->d, a->input, a->y, (const char *const *)xnames, nx, &e))
		cli_die_err(&e);
	free(list);
	b->y = b->d.y;
	b->n = b->d.n;
	b->ctx = &b->d;
	snprintf(b->name, sizeof b->name, "%s", strcmp(a->input, "-") == 0 ? "<stdin>" : a->input);
}

static void regress_release(bt_data *b)
{
	ols_data_free(&b->d);
}

static void hw_read(bt_args *a, bt_data *b)
{
	const forecast_garch_in *g = &a->in;
	qe_err e;
	refuse(a, a->y || a->x, "--y/--x");
	refuse(a, g->history || g->curve || g->tenor >= 0 || g->prices || g->model || g->dist, "of garch");
	refuse(a, a->weather || a->station || a->lags >= 0 || a->calendar || a->calendars, "of demand");
	if (a->periods)
		forecast_hw_periods(a->o, &a->hw.model, a->periods);
	forecast_hw_check(a->o, &a->hw);
	a->period = (int)a->hw.model.period[a->hw.model.nperiods - 1];
	if (fseries_read_regular(&b->s, forecast_input(a->o, a->argc, a->argv), g->column, NULL, NULL, &e))
		cli_die_err(&e);
	for (size_t i = 0; i < b->s.n; i++)
		if (a->hw.model.seasonal == HW_SEASONAL_MUL && !(b->s.value[i] > 0))
			cli_die(QE_DATA, "%s:%ld: value %.17g not positive (--seasonal mul)", b->s.name, b->s.line[i],
				b->s.value[i]);
	b->y = b->s.value;
	b->n = b->s.n;
	b->h = (rolling_hw){b->s.value, a->hw.model, a->hw.params, a->hw.fixed};
	b->ctx = &b->h;
	b->min_train = hw_min_obs(&a->hw.model);
	snprintf(b->name, sizeof b->name, "%s", b->s.name);
}

static void hw_release(bt_data *b)
{
	fseries_free(&b->s);
}

static void demand_read(bt_args *a, bt_data *b)
{
	const forecast_garch_in *g = &a->in;
	demand_cfg cfg;
	demand_weather w;
	qe_calendar *cal;
	size_t skipped;
	qe_err e;
	refuse(a, a->y || a->x, "--y/--x");
	refuse(a, g->history || g->curve || g->tenor >= 0 || g->prices || g->model || g->dist, "of garch");
	refuse(a, a->hw.fixed || a->hw.model.damped || a->hw.model.trend != HW_TREND_ADD ||
			  a->hw.model.seasonal != HW_SEASONAL_ADD,
	       "of hw");
	if (!a->weather || !a->station)
		forecast_usage_error(a->o, "demand needs --weather and --station");
	if (a->calendars && !a->calendar)
		forecast_usage_error(a->o, "--calendars without --calendar");
	forecast_demand_cfg(a->station, -1, NAN, a->lags >= 0 ? a->lags : 1, a->calendar, a->calendars, &cfg, &cal);
	if (demand_weather_read(&w, a->weather, a->station, 0, &e) ||
	    fseries_read_csv(&b->s, forecast_input(a->o, a->argc, a->argv), g->column, 0, &e) ||
	    demand_design(&cfg, &w, &b->s, &b->d, &skipped, &e))
		cli_die_err(&e);
	if (skipped)
		cli_info("%zu first days left out: their weather starts before %s's", skipped, w.file[0]);
	demand_weather_free(&w);
	cal_free(cal);
	b->y = b->d.y;
	b->n = b->d.n;
	b->ctx = &b->d;
	b->min_train = b->d.nx + 2;
	snprintf(b->name, sizeof b->name, "%s", b->s.name);
}

static void demand_release(bt_data *b)
{
	ols_data_free(&b->d);
	fseries_free(&b->s);
}

static const bt_entry models[] = {
	{{"garch", GARCH_MIN_OBS, rolling_garch_forecast}, garch_read, garch_release},
	{{"regress", 3, rolling_ols_forecast}, regress_read, regress_release},
	{{"hw", 0, rolling_hw_forecast}, hw_read, hw_release},
	{{"demand", 3, rolling_ols_forecast}, demand_read, demand_release},
};

static void write_score(csv_writer *w, const char *name, const rolling_score *s)
{
	const double opt[2] = {s->mape, s->mase};
	csvw_str(w, name);
	csvw_int(w, (int64_t)s->origins);
	csvw_int(w, (int64_t)s->forecasts);
	csvw_double(w, s->mae);
	csvw_double(w, s->rmse);
	for (int k = 0; k < 2; k++) {
		if (isnan(opt[k]))
			csvw_empty(w);
		else
			csvw_double(w, opt[k]);
	}
	csvw_end(w);
}

int cmd_forecast_backtest(int argc, char **argv)
{
	forecast_opts o;
	bt_args a = {.o = &o, .in.tenor = -1, .initial = -1, .horizon = 1, .period = 1, .lags = -1, .argc = argc,
		     .argv = argv};
	const bt_entry *m = NULL;
	bt_data b;
	rolling_score sm, sn;
	csv_writer w;
	qe_err e;
	int c;
	forecast_opts_init(&o, "backtest", usage);
	forecast_hw_init(&a.hw);
	while ((c = forecast_getopt(&o, argc, argv, "H:", longopts)) != -1) {
		if (forecast_garch_option(&o, &a.in, c, optarg) || forecast_hw_option(&o, &a.hw, c, optarg))
			continue;
		switch (c) {
		case O_INITIAL: a.initial = (long)cli_int("--initial", optarg, 1, 100000000); break;
		case O_HORIZON: a.horizon = (int)cli_int("--horizon", optarg, 1, 100000); break;
		case O_STEP: a.step = (int)cli_int("--step", optarg, 1, 100000); break;
		case O_PERIOD: a.periods = optarg; break;
		case O_Y: a.y = optarg; break;
		case O_X: a.x = optarg; break;
		case O_WEATHER: a.weather = optarg; break;
		case O_STATION: a.station = optarg; break;
		case O_LAGS: a.lags = (int)cli_int("--lags", optarg, 0, DEMAND_MAX_LAGS); break;
		case O_CALENDAR: a.calendar = optarg; break;
		case O_CALENDARS: a.calendars = optarg; break;
		default: cli_die(QE_INTERNAL, "backtest: option %d has no handler", c);
		}
	}
	if (optind >= argc)
		forecast_usage_error(&o, "needs a MODEL (garch, regress, hw, demand)");
	for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
		if (strcmp(argv[optind], models[i].model.name) == 0)
			m = &models[i];
	if (!m)
		forecast_usage_error(&o, "unknown model '%s' (garch, regress, hw, demand)", argv[optind]);
	optind++;
	if (a.periods && strcmp(m->model.name, "hw") != 0)
		a.period = (int)cli_int("--period", a.periods, 1, 100000);
	memset(&b, 0, sizeof b);
	m->read(&a, &b);
	rolling_opts ro = {.initial = a.initial >= 0 ? (size_t)a.initial : b.n / 2,
			   .horizon = (size_t)a.horizon,
			   .step = (size_t)(a.step ? a.step : a.horizon),
			   .period = (size_t)a.period};
	rolling_model rm = m->model;
	if (b.min_train)
		rm.min_train = b.min_train;
	csvw_init(&w, cli_out_open(o.output)->fp);
	if (rolling_run(&rm, b.ctx, b.y, b.n, &ro, &sm, &sn, &e)) {
		qe_err_prefix(&e, b.name);
		cli_die_err(&e);
	}
	csvw_header_of(&w, FMT_FORECAST_BACKTEST);
	write_score(&w, m->model.name, &sm);
	write_score(&w, "snaive", &sn);
	cli_info("%s: %s over %zu origins of %zu values: MAE %.6g (seasonal naive %.6g), MASE %.6g", b.name,
		 m->model.name, sm.origins, b.n, sm.mae, sn.mae, sm.mase);
	m->release(&b);
	return forecast_commit();
}
