/* The options every qe-forecast subcommand shares, its operand and the
 * usage errors that name the subcommand. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "forecast/forecast_cmd.h"

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
