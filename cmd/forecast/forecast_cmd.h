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

#include "forecast/demand.h"
#include "forecast/hw.h"

int cmd_forecast_garch(int argc, char **argv);
int cmd_forecast_regress(int argc, char **argv);
int cmd_forecast_sentiment(int argc, char **argv);
int cmd_forecast_hw(int argc, char **argv);
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

/* The series and model options of a GARCH fit, shared by garch and
 * backtest garch: FILE (--prices, --column) or -H HISTORY --curve C
 * --tenor T; --model garch|gjr, --dist normal|t. */
enum { FORECAST_O_PRICES = 1000, FORECAST_O_COLUMN, FORECAST_O_CURVE, FORECAST_O_TENOR, FORECAST_O_MODEL,
       FORECAST_O_DIST };

#define FORECAST_GARCH_OPTIONS                                                                         \
	{"prices", no_argument, NULL, FORECAST_O_PRICES},                                              \
	{"column", required_argument, NULL, FORECAST_O_COLUMN},                                        \
	{"history", required_argument, NULL, 'H'}, {"curve", required_argument, NULL, FORECAST_O_CURVE}, \
	{"tenor", required_argument, NULL, FORECAST_O_TENOR},                                          \
	{"model", required_argument, NULL, FORECAST_O_MODEL}, {"dist", required_argument, NULL, FORECAST_O_DIST}

typedef struct forecast_garch_in {
	int prices, model, dist; /* model, dist: forecast/garch.h enums */
	long tenor;              /* -1 until --tenor */
	const char *column, *history, *curve;
} forecast_garch_in;

typedef struct fseries fseries;

/* The model and parameter options of Holt-Winters, shared by hw and
 * backtest hw: --trend add|none, --damped, --seasonal add|mul, --alpha
 * --beta --gamma --gamma2 --phi (each fixes its parameter).  --period is
 * each command's own (forecast_hw_periods parses its value). */
enum { FORECAST_O_TREND = 1100, FORECAST_O_DAMPED, FORECAST_O_SEASONAL, FORECAST_O_ALPHA, FORECAST_O_BETA,
       FORECAST_O_GAMMA, FORECAST_O_GAMMA2, FORECAST_O_PHI };

#define FORECAST_HW_OPTIONS                                                                            \
	{"trend", required_argument, NULL, FORECAST_O_TREND},                                          \
	{"damped", no_argument, NULL, FORECAST_O_DAMPED},                                              \
	{"seasonal", required_argument, NULL, FORECAST_O_SEASONAL},                                    \
	{"alpha", required_argument, NULL, FORECAST_O_ALPHA}, {"beta", required_argument, NULL, FORECAST_O_BETA}, \
	{"gamma", required_argument, NULL, FORECAST_O_GAMMA},                                          \
	{"gamma2", required_argument, NULL, FORECAST_O_GAMMA2}, {"phi", required_argument, NULL, FORECAST_O_PHI}

typedef struct forecast_hw_in {
	hw_model model;   /* trend add, seasonal add, no period until --period */
	hw_params params; /* the fixed values */
	unsigned fixed;   /* HW_FIX_* */
} forecast_hw_in;

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
/* Parses option c (from forecast_getopt) into g when it is one of
 * FORECAST_GARCH_OPTIONS: 1, else 0. */
int forecast_garch_option(const struct forecast_opts *o, forecast_garch_in *g, int c, const char *arg);
/* Reads the returns g names into s (the operand after optind, or -H),
 * checked for a GARCH fit; exits on a usage or data error.  curve_alone:
 * --curve without -H is allowed (it names the curve of an output). */
void forecast_garch_series(const struct forecast_opts *o, const forecast_garch_in *g, int argc, char **argv,
			   int curve_alone, fseries *s);
/* A forecast_hw_in with the defaults (additive trend and seasonality). */
void forecast_hw_init(forecast_hw_in *h);
/* Parses option c into h when it is one of FORECAST_HW_OPTIONS: 1, else 0. */
int forecast_hw_option(const struct forecast_opts *o, forecast_hw_in *h, int c, const char *arg);
/* --period M[,M2] into m. */
void forecast_hw_periods(const struct forecast_opts *o, hw_model *m, const char *arg);
/* The checks the model implies (a period given, what is fixed exists):
 * usage errors. */
void forecast_hw_check(const struct forecast_opts *o, const forecast_hw_in *h);

/* The demand features of a station (forecast/demand.h): its convention,
 * then unit (-1: the station's; 0 Celsius, 1 Fahrenheit, base 18 or 65)
 * and base (NaN: the unit's) when given, lags, and the holidays of
 * calendar (NULL: none) from the calendars directory; *cal for
 * cal_free().  Exits on a bad calendar. */
void forecast_demand_cfg(const char *station, int unit, double base, int lags, const char *calendar,
			 const char *calendars, demand_cfg *cfg, qe_calendar **cal);

/* Commits every output of the run (cli.h); exits 4 on a write error.
 * Returns 0. */
int forecast_commit(void);

#endif
