/* qe-forecast regress: OLS with intercept (forecast/ols.h), classical or
 * Newey-West errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "forecast/forecast_cmd.h"
#include "forecast/ols.h"
#include "io/csvio.h"
#include "io/formats.h"

static const char usage[] =
	"usage: qe-forecast regress --y COLUMN --x COLUMN[,COLUMN...] [OPTIONS] [FILE|-]\n"
	"Ordinary least squares of --y on an intercept and the --x columns of the\n"
	"CSV FILE (or standard input); write term,coef,se,t,p, the intercept\n"
	"first (term const).\n\n"
	"Model:\n"
	"  --y COLUMN          the dependent variable\n"
	"  --x LIST            the regressors, comma-separated\n"
	"  --hac LAGS          Newey-West (Bartlett) errors with LAGS lags; p-values normal\n"
	"Output:\n"
	"  --summary FILE      one row n,k,r2,adj_r2,f,f_p,sigma,hac_lags\n"
	FORECAST_SHARED_HELP;

enum { O_Y = FORECAST_OPT_OWN, O_X, O_HAC, O_SUMMARY };

static const struct option longopts[] = {
	FORECAST_SHARED_OPTIONS,
	{"y", required_argument, NULL, O_Y},
	{"x", required_argument, NULL, O_X},
	{"hac", required_argument, NULL, O_HAC},
	{"summary", required_argument, NULL, O_SUMMARY},
	{0},
};

/* Splits the --x list in place into at most max names. */
static size_t split_names(const forecast_opts *o, char *list, char **names, size_t max)
{
	size_t n = 0;
	for (char *p = list;; p++) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (!*p)
			forecast_usage_error(o, "option --x: empty column name");
		if (n == max)
			forecast_usage_error(o, "option --x: more than %zu columns", max);
		for (size_t i = 0; i < n; i++)
			if (strcmp(names[i], p) == 0)
				forecast_usage_error(o, "option --x: column '%s' twice", p);
		names[n++] = p;
		if (!comma)
			break;
		p = comma;
	}
	return n;
}

int cmd_forecast_regress(int argc, char **argv)
{
	enum { MAXX = 256 };
	forecast_opts o;
	const char *ycol = NULL, *summary = NULL;
	char *xlist = NULL, *xnames[MAXX];
	int hac = -1, c;
	ols_data d;
	ols_result r;
	csv_writer w, sw;
	qe_err e;
	forecast_opts_init(&o, "regress", usage);
	while ((c = forecast_getopt(&o, argc, argv, NULL, longopts)) != -1) {
		switch (c) {
		case O_Y: ycol = optarg; break;
		case O_X: xlist = optarg; break;
		case O_HAC: hac = (int)cli_int("--hac", optarg, 0, 100000); break;
		case O_SUMMARY: summary = optarg; break;
		default: cli_die(QE_INTERNAL, "regress: option %d has no handler", c);
		}
	}
	if (!ycol || !xlist)
		forecast_usage_error(&o, "needs --y and --x");
	size_t nx = split_names(&o, xlist, xnames, MAXX);
	for (size_t j = 0; j < nx; j++)
		if (strcmp(xnames[j], ycol) == 0)
			forecast_usage_error(&o, "column '%s' is both --y and --x", ycol);
	const char *input = forecast_input(&o, argc, argv);
	if (ols_read_csv(&d, input, ycol, (const char *const *)xnames, nx, &e))
		cli_die_err(&e);
	csvw_init(&w, cli_out_open(o.output)->fp);
	if (summary)
		csvw_init(&sw, cli_out_open(summary)->fp);
	if (ols_fit(&d, hac, &r, &e)) {
		qe_err_prefix(&e, strcmp(input, "-") == 0 ? "<stdin>" : input);
		cli_die_err(&e);
	}
	ols_write_coefficients(&w, &d, &r);
	if (summary)
		ols_write_summary(&sw, &r);
	cli_info("%s on %zu regressors, %zu observations: R2 %.6g%s", ycol, nx, r.n, r.r2,
		 hac >= 0 ? " (Newey-West errors)" : "");
	ols_result_free(&r);
	ols_data_free(&d);
	return forecast_commit();
}
