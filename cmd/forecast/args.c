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
	fprintf(stderr, "%s: %s: ", cli_prog, o->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s %s --help' for more information.\n", cli_prog, o->cmd);
	exit(QE_USAGE);
}

int forecast_getopt(forecast_opts *o, int argc, char **argv, const char *shortopts,
		    const struct option *longopts)
{
	char spec[64];
	int c;
	snprintf(spec, sizeof spec, ":o:qhV%s", shortopts ? shortopts : "");
	opterr = 0; /* one diagnostic, naming the subcommand */
	while ((c = getopt_long(argc, argv, spec, longopts, NULL)) != -1) {
		const char *opt = argv[optind - 1];
		if (c == ':') {
			if (strncmp(opt, "--", 2) == 0)
				forecast_usage_error(o, "option '%s' requires an argument", opt);
			forecast_usage_error(o, "option requires an argument -- '%c'", optopt);
		}
		if (c == '?') {
			if (strncmp(opt, "--", 2) != 0)
				forecast_usage_error(o, "invalid option -- '%c'", optopt);
			if (optopt == 0)
				forecast_usage_error(o, "unrecognized option '%s'", opt);
			forecast_usage_error(o, "option '%.*s' doesn't allow an argument", (int)strcspn(opt, "="),
					     opt);
		}
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
