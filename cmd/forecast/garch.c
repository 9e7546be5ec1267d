/* qe-forecast garch: GARCH(1,1) or GJR-GARCH(1,1) by maximum likelihood on
 * a return series (forecast/garch.h) and, with --horizon, its variance
 * forecast path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "forecast/forecast_cmd.h"
#include "forecast/garch.h"
#include "forecast/series.h"
#include "io/csvio.h"
#include "io/formats.h"

static const char usage[] =
	"usage: qe-forecast garch [OPTIONS] [FILE|-]\n"
	"       qe-forecast garch -H HISTORY --curve CURVE --tenor T [OPTIONS]\n"
	"Fit GARCH(1,1) or GJR-GARCH(1,1) by maximum likelihood to the returns\n"
	"date,value of FILE (or standard input) and write one row\n"
	"series,model,dist,omega,alpha,beta,gamma,nu,loglik,n,persistence,half_life.\n"
	"Mean zero; the first variance is the mean of the squared returns.\n\n"
	"Input:\n"
	"  --prices            FILE holds prices date,value: fit their log returns\n"
	"  --column NAME       the value column (default value)\n"
	"  -H, --history FILE  price history date,curve,tenor,contract,price\n"
	"  --curve CURVE       with -H: the curve (with FILE: the curve of --to-vols)\n"
	"  --tenor T           with -H: the tenor (log returns of its quotes as read)\n"
	"Model:\n"
	"  --model M           garch (default) or gjr (GJR-GARCH, leverage term gamma)\n"
	"  --dist D            normal (default) or t (Student-t, unit variance)\n"
	"Forecast:\n"
	"  --horizon H         forecast the variance of the next H days ...\n"
	"  --forecast FILE     ... into FILE: series,day,variance,vol,term_vol\n"
	"  --to-vols FILE      ... and/or as a vols file (qe-formats(5) VOLATILITIES):\n"
	"                      ATM lognormal vol of each delivery month starting\n"
	"                      within H weekdays, as of the last return's date\n"
	"  --days-per-year Y   annualisation of vol and term_vol (default 252)\n"
	"Output:\n"
	FORECAST_SHARED_HELP;

enum { O_HORIZON = FORECAST_OPT_OWN, O_FORECAST, O_DPY, O_TO_VOLS };

static const struct option longopts[] = {
	FORECAST_SHARED_OPTIONS,
	FORECAST_GARCH_OPTIONS,
	{"horizon", required_argument, NULL, O_HORIZON},
	{"forecast", required_argument, NULL, O_FORECAST},
	{"days-per-year", required_argument, NULL, O_DPY},
	{"to-vols", required_argument, NULL, O_TO_VOLS},
	{0},
};

typedef struct garch_args {
	forecast_garch_in in;
	int horizon;
	double days_per_year;
	const char *forecast, *to_vols;
} garch_args;

static void parse(forecast_opts *o, garch_args *g, int argc, char **argv)
{
	int c;
	while ((c = forecast_getopt(o, argc, argv, "H:", longopts)) != -1) {
		if (forecast_garch_option(o, &g->in, c, optarg))
			continue;
		switch (c) {
		case O_HORIZON: g->horizon = (int)cli_int("--horizon", optarg, 1, 100000); break;
		case O_FORECAST: g->forecast = optarg; break;
		case O_TO_VOLS: g->to_vols = optarg; break;
		case O_DPY:
			g->days_per_year = cli_double("--days-per-year", optarg);
			if (!(g->days_per_year > 0 && g->days_per_year <= 366))
				forecast_usage_error(o, "option --days-per-year: must be in (0, 366] '%s'", optarg);
			break;
		default: cli_die(QE_INTERNAL, "garch: option %d has no handler", c);
		}
	}
}

static void write_fit(csv_writer *w, const char *series, const garch_fit *f)
{
	csvw_header_of(w, FMT_GARCH);
	csvw_str(w, series);
	csvw_str(w, f->model == GARCH_GJR ? "gjr" : "garch");
	csvw_str(w, f->dist == GARCH_T ? "t" : "normal");
	csvw_double(w, f->omega);
	csvw_double(w, f->alpha);
	csvw_double(w, f->beta);
	if (f->model == GARCH_GJR)
		csvw_double(w, f->gamma);
	else
		csvw_empty(w);
	if (f->dist == GARCH_T)
		csvw_double(w, f->nu);
	else
		csvw_empty(w);
	csvw_double(w, f->loglik);
	csvw_int(w, (int64_t)f->n);
	csvw_double(w, f->persistence);
	if (isnan(f->half_life))
		csvw_empty(w);
	else
		csvw_double(w, f->half_life);
	csvw_end(w);
}

static void write_forecast(csv_writer *w, const char *series, const garch_fit *f, int horizon, double dpy)
{
	double *var = malloc((size_t)horizon * sizeof *var), sum = 0;
	if (!var)
		cli_die(QE_INTERNAL, "out of memory");
	garch_forecast(f, horizon, var);
	csvw_header_of(w, FMT_GARCH_FORECAST);
	for (int k = 0; k < horizon; k++) {
		sum += var[k];
		csvw_str(w, series);
		csvw_int(w, k + 1);
		csvw_double(w, var[k]);
		csvw_double(w, sqrt(dpy * var[k]));
		csvw_double(w, sqrt(dpy * sum / (k + 1)));
		csvw_end(w);
	}
	free(var);
}

/* The forecast as a vols file: one ATM lognormal row per delivery month
 * (forecast/garch.h garch_month_vols), as of the last return's date. */
static void write_vols(csv_writer *w, const char *curve, qe_date asof, const garch_fit *f, int horizon,
		       double dpy)
{
	size_t max = (size_t)horizon / 15 + 2;
	double *var = malloc((size_t)horizon * sizeof *var);
	garch_month_vol *mv = malloc(max * sizeof *mv);
	if (!var || !mv)
		cli_die(QE_INTERNAL, "out of memory");
	garch_forecast(f, horizon, var);
	size_t m = garch_month_vols(var, horizon, dpy, asof, mv, max);
	csvw_header_of(w, FMT_VOLS);
	for (size_t i = 0; i < m; i++) {
		csvw_str(w, curve);
		csvw_date(w, asof);
		csvw_date(w, mv[i].start);
		csvw_date(w, mv[i].end);
		csvw_empty(w);
		csvw_double(w, mv[i].vol);
		csvw_str(w, "lognormal");
		csvw_end(w);
	}
	free(var);
	free(mv);
}

int cmd_forecast_garch(int argc, char **argv)
{
	forecast_opts o;
	garch_args g = {0};
	fseries s;
	garch_fit f = {0};
	csv_writer w, fw, vw;
	qe_err e;
	g.in.tenor = -1;
	g.days_per_year = 252;
	forecast_opts_init(&o, "garch", usage);
	parse(&o, &g, argc, argv);
	if ((g.horizon > 0) != (g.forecast != NULL || g.to_vols != NULL))
		forecast_usage_error(&o, "--horizon goes with --forecast or --to-vols");
	if (g.to_vols && !g.in.curve)
		forecast_usage_error(&o, "--to-vols needs the curve: -H with --curve, or --curve");
	forecast_garch_series(&o, &g.in, argc, argv, g.to_vols != NULL, &s);
	/* outputs open before the fit: a bad path fails first */
	csvw_init(&w, cli_out_open(o.output)->fp);
	if (g.forecast)
		csvw_init(&fw, cli_out_open(g.forecast)->fp);
	if (g.to_vols)
		csvw_init(&vw, cli_out_open(g.to_vols)->fp);
	f.model = g.in.model;
	f.dist = g.in.dist;
	if (garch_estimate(&f, s.value, s.n, &e)) {
		qe_err_prefix(&e, s.name);
		cli_die_err(&e);
	}
	write_fit(&w, s.name, &f);
	if (g.forecast)
		write_forecast(&fw, s.name, &f, g.horizon, g.days_per_year);
	if (g.to_vols)
		write_vols(&vw, g.in.curve, s.date[s.n - 1], &f, g.horizon, g.days_per_year);
	cli_info("%s: %s-%s fit of %zu returns in %d BFGS iterations: loglik %.10g, persistence %.6g",
		 s.name, f.model == GARCH_GJR ? "gjr" : "garch", f.dist == GARCH_T ? "t" : "normal", f.n,
		 f.iterations, f.loglik, f.persistence);
	fseries_free(&s);
	return forecast_commit();
}
