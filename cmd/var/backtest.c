/* qe-var backtest: Kupiec, Christoffersen and the Basel traffic light on
 * a daily series date,var,pnl; exit 1 when the model is rejected. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "io/formats.h"
#include "risk/backtest.h"
#include "var.h"

enum { OPT_SIGNIFICANCE = VAR_OPT_OWN };

static const var_option options[] = {
	{'a', "alpha", "ALPHA", "confidence level of the VaR (default 0.99)"},
	{OPT_SIGNIFICANCE, "significance", "S", "test level (default 0.05)"},
	VAR_O_END,
};

static const var_command command = {
	"backtest", "[OPTIONS] [FILE|-]",
	"Kupiec, Christoffersen and traffic light on date,var,pnl (exit 1: rejected).", options,
};

int cmd_var_backtest(int argc, char **argv)
{
	var_args a;
	double significance = 0.05;
	bt_series s;
	bt_result r;
	qe_err e;
	csv_writer w;
	int c;
	var_args_init(&a, &command, argc, argv);
	while ((c = var_args_next(&a)) != -1)
		if (c == OPT_SIGNIFICANCE)
			significance = var_unit_interval(&a, "--significance", optarg);
	const char *input = var_args_input(&a);
	if (a.sp.nalpha != 1)
		var_usage_error(&a, "one confidence level only");
	if (bt_read_series(&s, input, &e))
		cli_die_err(&e);
	unsigned char *exc = malloc(s.n);
	if (!exc)
		cli_die(QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < s.n; i++)
		exc[i] = s.pnl[i] < -s.var[i];
	bt_compute(exc, s.n, a.sp.alpha[0], &r);
	if (r.zone == BT_NONE)
		cli_warnf("%s: %zu observations; the traffic-light zone needs %d: zone n/a (not meaningful)",
			  strcmp(input, "-") == 0 ? "<stdin>" : input, r.observations, BT_ZONE_MIN_OBS);
	/* reject on under-coverage only: an over-conservative model (fewer
	 * exceptions than expected) is not an alert */
	int reject = (r.exceptions > r.expected && r.kupiec_p < significance) || r.ind_p < significance ||
		     r.zone == BT_RED;
	var_open_out(&a, &w);
	csvw_header_of(&w, FMT_BACKTEST);
	csvw_int(&w, (int64_t)r.observations);
	csvw_int(&w, (int64_t)r.exceptions);
	csvw_double(&w, r.expected);
	csvw_double(&w, a.sp.alpha[0]);
	csvw_double(&w, r.kupiec_lr);
	csvw_double(&w, r.kupiec_p);
	csvw_double(&w, r.ind_lr);
	csvw_double(&w, r.ind_p);
	csvw_double(&w, r.cc_lr);
	csvw_double(&w, r.cc_p);
	csvw_str(&w, bt_zone_name(r.zone));
	csvw_str(&w, reject ? "reject" : "accept");
	csvw_date(&w, s.date[s.n - 1]); /* as of the last day of the series */
	csvw_end(&w);
	free(exc);
	bt_series_free(&s);
	var_commit();
	if (reject)
		cli_info("model rejected at significance %g: %zu exceptions in %zu days (%g expected), zone %s",
			 significance, r.exceptions, r.observations, r.expected, bt_zone_name(r.zone));
	return reject ? QE_NEGATIVE : QE_OK;
}
