/* qe-forecast: volatility forecasts and regressions of the market
 * intelligence side.  This file only dispatches: each command is one file
 * in cmd/forecast/ with its own options and --help, as git's builtin/. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "forecast/forecast_cmd.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"garch", cmd_forecast_garch},
	{"regress", cmd_forecast_regress},
};

static const char usage[] =
	"usage: qe-forecast COMMAND [OPTIONS] [FILE]\n"
	"\n"
	"Commands:\n"
	"  garch [FILE|-]      GARCH(1,1) / GJR-GARCH(1,1) by maximum likelihood; variance forecasts\n"
	"  regress [FILE|-]    OLS with intercept: coefficients, errors (Newey-West with --hac), R2, F\n"
	"\n"
	"Each command takes its own options: see 'qe-forecast COMMAND --help'.\n"
	"  -h, --help          this help;  -V, --version  version\n"
	"\n"
	"See qe-forecast(1).\n";

int main(int argc, char **argv)
{
	cli_init(argv[0]);
	if (argc < 2)
		cli_usage_error("missing COMMAND");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		cli_help(usage);
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0)
		cli_version();
	if (cmd[0] == '-')
		cli_usage_error("unrecognized option '%s'", cmd);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	cli_usage_error("unknown command '%s'", cmd);
}
