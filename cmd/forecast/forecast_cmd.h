/*
 * forecast/forecast_cmd.h: what the subcommands of qe-forecast share, as git's
 * builtin.h.  Each subcommand is one file cmd/forecast/<sub>.c with its
 * own option table and --help text and a thin cmd_forecast_<sub>(); the
 * options every one takes (-o, -q, -h, -V) are spliced into each table by
 * FORECAST_SHARED_OPTIONS and parsed by forecast_getopt() alone
 * (cmd/forecast/args.c), so an option of another subcommand is a usage
 * error naming this one.  Linked into qe-forecast only.
 */
#ifndef QE_FORECAST_CMD_H
#define QE_FORECAST_CMD_H

#include <getopt.h>
#include <stdnoreturn.h>

int cmd_forecast_garch(int argc, char **argv);
int cmd_forecast_regress(int argc, char **argv);
int cmd_forecast_demand(int argc, char **argv);
int cmd_forecast_backtest(int argc, char **argv);

/* A subcommand numbers its own long-only options from FORECAST_OPT_OWN. */
enum { FORECAST_OPT_OWN = 256 };

#define FORECAST_SHARED_OPTIONS                                                                       \
	{"output", required_argument, NULL, 'o'}, {"quiet", no_argument, NULL, 'q'},                   \
	{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}

#define FORECAST_SHARED_HELP                                                                           \
	"  -o, --output FILE   write to FILE atomically (default stdout)\n"                           \
	"  -q, --quiet         no informational messages\n"                                           \
	"  -h, --help          this help;  -V, --version  version\n"                                  \
	"Exit: 0 ok, 2 usage, 3 bad data, 4 I/O, 5 numerical (no convergence).\n"

typedef struct forecast_opts {
	const char *cmd;    /* the subcommand, for messages */
	const char *help;   /* its --help text */
	const char *output; /* -o, or NULL (stdout) */
} forecast_opts;

void forecast_opts_init(forecast_opts *o, const char *cmd, const char *help);
/* getopt_long over argv (argv[0] the subcommand) with shortopts (the
 * subcommand's short options; -o, -q, -h, -V are added) and longopts:
 * parses the shared options itself and returns the next option of the
 * subcommand's own, or -1 at the end.  An unknown option, or one without
 * its argument, is a usage error naming the subcommand. */
int forecast_getopt(forecast_opts *o, int argc, char **argv, const char *shortopts,
		    const struct option *longopts);
/* The operand after the options: "-" when there is none; more than one
 * is a usage error. */
const char *forecast_input(const forecast_opts *o, int argc, char **argv);
/* "qe-forecast: <sub>: msg" and "Try 'qe-forecast <sub> --help' ...", exit 2. */
noreturn void forecast_usage_error(const forecast_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Commits every output of the run (cli.h); exits 4 on a write error.
 * Returns 0. */
int forecast_commit(void);

#endif
