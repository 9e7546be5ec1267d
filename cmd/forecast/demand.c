/* qe-forecast demand: demand (or a price) regressed on the energy
 * features of one weather station (forecast/demand.h) by OLS
 * (forecast/ols.h), and its forecast from a weather forecast with
 * prediction intervals. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "forecast/demand.h"
#include "forecast/forecast_cmd.h"
#include "forecast/ols.h"
#include "forecast/series.h"
#include "io/csvio.h"
#include "io/formats.h"

static const char usage[] =
	"usage: qe-forecast demand --weather FILE --station ID [OPTIONS] [FILE|-]\n"
	"Regress the daily series date,value of FILE (demand, or a price) by OLS\n"
	"on the features of the station's weather: hdd, cdd, tmean_lag1..L,\n"
	"tue..sun and, with --calendar, holiday; write term,coef,se,t,p.\n\n"
	"Features:\n"
	"  --weather FILE      weather station,date,tmin,tmax,tmean (Celsius)\n"
	"  --station ID        the station (ICAO): K.., P.. count degree days in\n"
	"                      Fahrenheit base 65, EG.. Celsius base 15.5, else base 18\n"
	"  --unit c|f          the degree days' unit instead\n"
	"  --base B            the degree days' base in that unit instead\n"
	"  --lags L            lagged mean temperatures (default 1, at most 30)\n"
	"  --calendar NAME     holiday dummy from the holiday calendar NAME\n"
	"  --calendars DIR     where NAME.txt is (default $QE_CALENDAR_DIR, else installed)\n"
	"  --column NAME       the value column of FILE (default value)\n"
	"Forecast:\n"
	"  --forecast-weather FILE  the station's weather forecast (weather columns)\n"
	"  --forecast FILE     ... predicted for each of its days into FILE:\n"
	"                      date,mean,mean_se,mean_ci_lower,mean_ci_upper,\n"
	"                      obs_ci_lower,obs_ci_upper\n"
	"  --level P           the intervals' confidence (default 0.95)\n"
	"Output:\n"
	"  --summary FILE      one row n,k,r2,adj_r2,f,f_p,sigma,hac_lags\n"
	FORECAST_SHARED_HELP;

/* The options that name a file or a word, stored as given (path[]), then
 * the ones parse() checks. */
enum { P_WEATHER, P_STATION, P_CALENDAR, P_CALENDARS, P_COLUMN, P_FWEATHER, P_FORECAST, P_SUMMARY, NPATH };
enum { O_PATH = FORECAST_OPT_OWN, O_UNIT = O_PATH + NPATH, O_BASE, O_LAGS, O_LEVEL };

static const struct option longopts[] = {
	FORECAST_SHARED_OPTIONS,
	{"weather", required_argument, NULL, O_PATH + P_WEATHER},
	{"station", required_argument, NULL, O_PATH + P_STATION},
	{"calendar", required_argument, NULL, O_PATH + P_CALENDAR},
	{"calendars", required_argument, NULL, O_PATH + P_CALENDARS},
	{"column", required_argument, NULL, O_PATH + P_COLUMN},
	{"forecast-weather", required_argument, NULL, O_PATH + P_FWEATHER},
	{"forecast", required_argument, NULL, O_PATH + P_FORECAST},
	{"summary", required_argument, NULL, O_PATH + P_SUMMARY},
	{"unit", required_argument, NULL, O_UNIT}, {"base", required_argument, NULL, O_BASE},
	{"lags", required_argument, NULL, O_LAGS}, {"level", required_argument, NULL, O_LEVEL},
	{0},
};

typedef struct demand_args {
	const char *path[NPATH];
	int unit, lags; /* unit: -1 station's, 0 c, 1 f */
	double base, level;
} demand_args;

static void parse(forecast_opts *o, demand_args *a, int argc, char **argv)
{
	int c;
	while ((c = forecast_getopt(o, argc, argv, NULL, longopts)) != -1) {
		if (c >= O_PATH && c < O_PATH + NPATH) {
			a->path[c - O_PATH] = optarg;
			continue;
		}
		switch (c) {
		case O_UNIT:
			if (strcmp(optarg, "c") != 0 && strcmp(optarg, "f") != 0)
				forecast_usage_error(o, "option --unit: unknown unit '%s' (c, f)", optarg);
			a->unit = optarg[0] == 'f';
			break;
		case O_BASE:
			a->base = cli_double("--base", optarg);
			if (!(a->base > -100 && a->base < 200))
				forecast_usage_error(o, "option --base: not a plausible temperature '%s'", optarg);
			break;
		case O_LAGS: a->lags = (int)cli_int("--lags", optarg, 0, DEMAND_MAX_LAGS); break;
		case O_LEVEL:
			a->level = cli_double("--level", optarg);
			if (!(a->level > 0 && a->level < 1))
				forecast_usage_error(o, "option --level: must be in (0, 1) '%s'", optarg);
			break;
		default: cli_die(QE_INTERNAL, "demand: option %d has no handler", c);
		}
	}
	if (!a->path[P_WEATHER] || !a->path[P_STATION])
		forecast_usage_error(o, "needs --weather and --station");
	if ((a->path[P_FWEATHER] != NULL) != (a->path[P_FORECAST] != NULL))
		forecast_usage_error(o, "--forecast-weather and --forecast go together");
	if (a->path[P_CALENDARS] && !a->path[P_CALENDAR])
		forecast_usage_error(o, "--calendars without --calendar");
}

/* "file:line: " before e's message, then exit. */
static void die_at(qe_err *e, const char *file, long line)
{
	char where[300];
	snprintf(where, sizeof where, "%s:%ld", file, line);
	qe_err_prefix(e, where);
	cli_die_err(e);
}

static void design(const demand_cfg *cfg, const demand_weather *w, const fseries *s, ols_data *d)
{
	size_t skipped;
	qe_err e;
	if (demand_design(cfg, w, s, d, &skipped, &e))
		cli_die_err(&e);
	if (skipped)
		cli_info("%zu first days left out: their weather starts before %s's", skipped, w->file[0]);
}

static void write_forecast(csv_writer *fw, const demand_cfg *cfg, const demand_weather *w, const ols_result *r,
			   double level)
{
	double *x = malloc(demand_nfeatures(cfg) * sizeof *x);
	qe_err e;
	if (!x)
		cli_die(QE_INTERNAL, "out of memory");
	csvw_header_of(fw, FMT_DEMAND_FORECAST);
	for (size_t i = w->nhist; i < w->n; i++) {
		qe_date miss;
		ols_prediction p;
		if (demand_features(cfg, w, w->date[i], x, &miss, &e))
			die_at(&e, w->file[1], w->line[i]);
		ols_predict(r, x, level, &p);
		csvw_date(fw, w->date[i]);
		csvw_double(fw, p.mean);
		csvw_double(fw, p.mean_se);
		csvw_double(fw, p.mean_lo);
		csvw_double(fw, p.mean_hi);
		csvw_double(fw, p.obs_lo);
		csvw_double(fw, p.obs_hi);
		csvw_end(fw);
	}
	free(x);
}

int cmd_forecast_demand(int argc, char **argv)
{
	forecast_opts o;
	demand_args a = {.unit = -1, .lags = 1, .base = NAN, .level = 0.95};
	demand_cfg cfg;
	demand_weather w;
	fseries s;
	ols_data d;
	ols_result r;
	csv_writer cw, sw, fw;
	qe_calendar *cal = NULL;
	qe_err e;
	forecast_opts_init(&o, "demand", usage);
	parse(&o, &a, argc, argv);
	const char *input = forecast_input(&o, argc, argv);
	forecast_demand_cfg(a.path[P_STATION], a.unit, a.base, a.lags, a.path[P_CALENDAR], a.path[P_CALENDARS], &cfg,
			    &cal);
	if (demand_weather_read(&w, a.path[P_WEATHER], a.path[P_STATION], 0, &e))
		cli_die_err(&e);
	if (a.path[P_FWEATHER] && demand_weather_read(&w, a.path[P_FWEATHER], a.path[P_STATION], 1, &e))
		cli_die_err(&e);
	if (fseries_read_csv(&s, input, a.path[P_COLUMN], 0, &e))
		cli_die_err(&e);
	design(&cfg, &w, &s, &d);
	csvw_init(&cw, cli_out_open(o.output)->fp);
	if (a.path[P_SUMMARY])
		csvw_init(&sw, cli_out_open(a.path[P_SUMMARY])->fp);
	if (a.path[P_FORECAST])
		csvw_init(&fw, cli_out_open(a.path[P_FORECAST])->fp);
	if (ols_fit(&d, -1, &r, &e)) {
		qe_err_prefix(&e, s.name);
		cli_die_err(&e);
	}
	ols_write_coefficients(&cw, &d, &r);
	if (a.path[P_SUMMARY])
		ols_write_summary(&sw, &r);
	if (a.path[P_FORECAST])
		write_forecast(&fw, &cfg, &w, &r, a.level);
	cli_info("%s on %s (%s, base %g): %zu days, %zu features, R2 %.6g", s.name, a.path[P_STATION],
		 cfg.fahrenheit ? "F" : "C", cfg.base, r.n, d.nx, r.r2);
	ols_result_free(&r);
	ols_data_free(&d);
	fseries_free(&s);
	demand_weather_free(&w);
	cal_free(cal);
	return forecast_commit();
}
