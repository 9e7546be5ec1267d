/* qe-var series: the daily HS VaR of one portfolio against the P&L of
 * today's positions, the input of qe-var backtest. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "io/formats.h"
#include "var.h"

enum { OPT_BRW = VAR_OPT_OWN, OPT_DAYS, OPT_PORTFOLIO };

static const var_option options[] = {
	VAR_O_HISTORY,
	VAR_O_RETURNS,
	VAR_O_BOOK,
	VAR_O_WINDOW,
	VAR_O_HORIZON,
	{'a', "alpha", "ALPHA", "confidence level (default 0.99; the first of a list)"},
	VAR_O_QUANTILE,
	{OPT_BRW, "brw", "LAMBDA", "age weights lambda^age (Boudoukh-Richardson-Whitelaw)"},
	{OPT_DAYS, "days", "N", "number of days (default 250)"},
	{OPT_PORTFOLIO, "portfolio", "P", "the portfolio, or NAME/CCY (default total)"},
	VAR_O_END,
};

static const var_command command = {
	"series", "-H FILE -s FILE [OPTIONS]", "Daily HS VaR vs P&L of today's book (the input of backtest).",
	options,
};

int cmd_var_series(int argc, char **argv)
{
	var_args a;
	var_inputs in;
	qe_err e;
	csv_writer w;
	size_t days = 250;
	const char *portfolio = "total";
	int c;
	var_args_init(&a, &command, argc, argv);
	while ((c = var_args_next(&a)) != -1) {
		switch (c) {
		case OPT_BRW: a.sp.brw_lambda = var_unit_interval(&a, "--brw", optarg); break;
		case OPT_DAYS: days = (size_t)cli_int("--days", optarg, 2, 100000); break;
		case OPT_PORTFOLIO: portfolio = optarg; break;
		}
	}
	var_args_no_input(&a);
	var_load(&a, 1, &in);
	long pf = -1;
	for (size_t p = 0; p < in.x.npf && pf < 0; p++) {
		size_t nl = strlen(in.x.name[p]);
		/* the label, or NAME/CURRENCY also when NAME has one currency */
		if (strcmp(in.x.label[p], portfolio) == 0 ||
		    (strncmp(portfolio, in.x.name[p], nl) == 0 && portfolio[nl] == '/' &&
		     strcmp(portfolio + nl + 1, in.x.ccy[p]) == 0))
			pf = (long)p;
	}
	if (pf < 0) {
		for (size_t p = 0; p < in.x.npf; p++)
			if (strcmp(in.x.name[p], portfolio) == 0)
				cli_die(QE_DATA, "%s: portfolio '%s' holds several currencies: choose one as '%s'",
					a.sens, portfolio, in.x.label[p]);
		cli_die(QE_DATA, "%s: no portfolio '%s'", a.sens, portfolio);
	}
	qe_date *d = malloc(days * sizeof *d);
	double *v = malloc(days * sizeof *v), *p = malloc(days * sizeof *p);
	if (!d || !v || !p)
		cli_die(QE_INTERNAL, "out of memory");
	var_open_out(&a, &w);
	if (var_series(&in.h, &in.all, &in.x, &a.sp, (size_t)pf, days, d, v, p, &e))
		cli_die_err(&e);
	csvw_header_of(&w, FMT_VAR_SERIES);
	for (size_t i = 0; i < days; i++) {
		csvw_date(&w, d[i]);
		csvw_double(&w, v[i]);
		csvw_double(&w, p[i]);
		csvw_date(&w, in.asof);
		csvw_end(&w);
	}
	free(d);
	free(v);
	free(p);
	var_inputs_free(&in);
	return var_commit();
}
