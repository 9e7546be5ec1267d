/* qe-forecast: volatility forecasts, regressions and Holt-Winters of the market
 * intelligence side.  This file only dispatches: each command is one file
 * in cmd/forecast/ with its own options and --help, as git's builtin/. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "forecast/forecast_cmd.h"

static const cli_command commands[] = {
	{"garch", cmd_forecast_garch},
	{"regress", cmd_forecast_regress},
	{"sentiment", cmd_forecast_sentiment},
	{"hw", cmd_forecast_hw},
	{"demand", cmd_forecast_demand},
	{"backtest", cmd_forecast_backtest},
};

static const char usage[] =
	"usage: qe-forecast COMMAND [OPTIONS] [FILE]\n"
	"\n"
	"Commands:\n"
	"  garch [FILE|-]      GARCH(1,1) / GJR-GARCH(1,1) by maximum likelihood; variance forecasts\n"
	"  regress [FILE|-]    OLS with intercept: coefficients, errors (Newey-West with --hac), R2, F\n"
	"  sentiment [FILE|-]  headline sentiment in [-1, 1] by lexicon; daily index per commodity\n"
	"  hw [FILE|-]         Holt-Winters (Taylor's double seasonal with two periods): forecasts\n"
	"  demand [FILE|-]     demand on degree days, lagged temperature, weekday and holidays;\n"
	"                      forecast from a weather forecast with prediction intervals\n"
	"  backtest MODEL ...  rolling-origin MAE, RMSE, MAPE, MASE against the seasonal naive\n"
	"\n"
	"Each command takes its own options: see 'qe-forecast COMMAND --help'.\n"
	"  -h, --help          this help;  -V, --version  version\n"
	"\n"
	"See qe-forecast(1).\n";

int main(int argc, char **argv)
{
	cli_init(argv[0]);
	cli_log_option(&argc, argv);
	return cli_dispatch(argc, argv, commands, sizeof commands / sizeof commands[0], usage);
}
