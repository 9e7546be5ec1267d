/*
 * var: what the subcommands of qe-var (cmd/var/<command>.c, one file per
 * command as git's builtin/) share: a table-driven option parser with the
 * options several commands take (args.c), the loading of a history and a
 * book, and the writers of results (output.c).  A command lists in its
 * own table exactly the options it takes, so an option of another command
 * is a usage error; its --help is generated from that table.
 *
 * Only cmd/qe-var.c (the dispatcher) and cmd/var/ use this.  Nothing here
 * includes cmd/qe-var.c's declarations.
 */
#ifndef QE_CMD_VAR_H
#define QE_CMD_VAR_H

#include <stddef.h>
#include <stdio.h>

#include "io/csvio.h"
#include "io/h5table.h"
#include "price/valuation.h"
#include "risk/varcalc.h"
#include "risk/volhist.h"

/* Codes of the long-only options handled in args.c; a command numbers
 * its own long-only options from VAR_OPT_OWN. */
enum {
	VAR_OPT_QUANTILE = 256, VAR_OPT_BY, VAR_OPT_GAPS, VAR_OPT_ASOF, VAR_OPT_FX,
	VAR_OPT_BASE, VAR_OPT_WINDOW, VAR_OPT_HORIZON, VAR_OPT_SQRT, VAR_OPT_COV, VAR_OPT_LAMBDA,
	VAR_OPT_COV_FILE, VAR_OPT_REPAIR, VAR_OPT_CUBE, VAR_OPT_TIMING, VAR_OPT_CALENDARS,
	VAR_OPT_FULL, VAR_OPT_TRADES, VAR_OPT_CURVES, VAR_OPT_VOLS, VAR_OPT_RATES, VAR_OPT_FIXINGS,
	VAR_OPT_SPREAD_CORR, VAR_OPT_VOL_HISTORY, VAR_OPT_RETURNS,
	VAR_OPT_FX_HISTORY, VAR_OPT_VALUATIONS,
	VAR_OPT_OWN = 512
};

/* One option of a command: the short letter or a code above 255, the long
 * name, the argument's name (NULL for a flag) and one line of help. */
typedef struct var_option {
	int id;
	const char *name;
	const char *arg;
	const char *help;
} var_option;

/* The entries of the options several commands take, to put in a table. */
#define VAR_O_ALPHA {'a', "alpha", "LIST", "confidence levels, comma-separated (default 0.99)"}
#define VAR_O_QUANTILE {VAR_OPT_QUANTILE, "quantile", "DEF", "kth (k-th worst loss, default) or linear (numpy)"}
#define VAR_O_HISTORY \
	{'H', "history", "FILE", "price history date,curve,tenor,contract,price"}, \
	{VAR_OPT_VOL_HISTORY, "vol-history", "FILE", "ATM vol history date,curve,contract,vol,vol_type:\n" \
						    "factors VOL:CURVE:TENOR (vega of -s; --full: vols)"}, \
	{'m', "markets", "FILE", "curve master; column returns = log|abs per curve"}, \
	{VAR_OPT_CALENDARS, "calendars", "DIR", "holiday files of the -m calendars (default: beside -m)"}, \
	{VAR_OPT_GAPS, "gaps", "POLICY", "missing prices: ffill (default), drop, error"}, \
	{VAR_OPT_ASOF, "asof", "DATE", "as-of date (default: the history's last); later dates\n" \
				       "are ignored, a factor lacking its price of that day is exit 3"}
/* Not in cov, whose own --returns is a flag (covariance of returns). */
#define VAR_O_RETURNS \
	{VAR_OPT_RETURNS, "returns", "KIND", "contract (default: the same contract day to day,\n" \
					     "roll-adjusted) or constant-maturity (tenors as read)"}
#define VAR_O_BOOK \
	{'s', "sens", "FILE", "sensitivities of qe-price (delta, gamma per factor)"}, \
	{VAR_OPT_BY, "by", "COLUMN", "group portfolios by this column (default book; none)"}, \
	{VAR_OPT_FX, "fx", "FILE", "currency,rate (units of --base per unit): convert P&L to"}, \
	{VAR_OPT_BASE, "base", "CCY", "the base currency before adding; without them portfolios\n" \
				      "that mix currencies (of -m) are reported per currency"}
/* Full revaluation (full.c): the pricer's inputs, as qe-price reads them. */
#define VAR_O_FULL_INPUTS \
	{VAR_OPT_TRADES, "trades", "FILE", "--full: the book (trades of qe-ingest)"}, \
	{VAR_OPT_CURVES, "curves", "FILE", "--full: forward curves of the as-of date"}, \
	{VAR_OPT_VOLS, "vols", "FILE", "--full: volatility smiles"}, \
	{VAR_OPT_RATES, "rates", "FILE", "--full: zero rates"}, \
	{VAR_OPT_FIXINGS, "fixings", "FILE", "--full: fixings"}, \
	{VAR_OPT_SPREAD_CORR, "spread-corr", "RHO", "--full: Kirk correlation of spread legs (default: each pair's from -H)"}
/* hs (both modes); param, mc, components (the sensitivity mode, with
 * --valuations) */
#define VAR_O_FX_HISTORY \
	{VAR_OPT_FX_HISTORY, "fx-history", "FILE", "date,currency,rate (units per --base unit): FX:CCY\n" \
						     "factors; P&L in --base at the scenario's rate"}
#define VAR_O_VALUATIONS \
	{VAR_OPT_VALUATIONS, "valuations", "FILE", "-s with --fx-history: valuations of qe-price, whose npv\n" \
						   "is each trade's position in its currency's FX:CCY"}
#define VAR_O_FULL \
	{VAR_OPT_FULL, "full", NULL, "reprice every trade under every scenario (no -s;\n" \
				     "needs --asof --trades --curves -m)"}, \
	VAR_O_FULL_INPUTS
#define VAR_O_WINDOW {VAR_OPT_WINDOW, "window", "N", "scenarios used: the last N days (default 250; all)"}
#define VAR_O_HORIZON \
	{VAR_OPT_HORIZON, "horizon", "N", "N-day returns, overlapping (default 1)"}, \
	{VAR_OPT_SQRT, "sqrt-scale", NULL, "N-day returns as 1-day returns times sqrt(N) instead"}
#define VAR_O_COV \
	{VAR_OPT_COV, "cov", "METHOD", "covariance: sample (default), ewma, lw (Ledoit-Wolf)"}, \
	{VAR_OPT_LAMBDA, "lambda", "L", "EWMA decay (default 0.94)"}, \
	{VAR_OPT_REPAIR, "repair", NULL, "clip negative eigenvalues instead of failing (exit 5)"}
#define VAR_O_COV_FILE {VAR_OPT_COV_FILE, "cov-file", "FILE", "covariance of price changes given, not estimated"}
#define VAR_O_CUBE {VAR_OPT_CUBE, "cube", "FILE", "also write the P&L cube (.h5: HDF5, else CSV)"}
#define VAR_O_TIMING {VAR_OPT_TIMING, "timing", NULL, "print the time of the P&L and VaR steps on stderr"}
/* Every table ends with these. */
#define VAR_O_END \
	{'o', "output", "FILE", "write to FILE atomically (default stdout)"}, \
	{'q', "quiet", NULL, "no informational messages"}, \
	{'h', "help", NULL, "this help"}, \
	{'V', "version", NULL, "version"}, \
	{0, NULL, NULL, NULL}

/* A command: its name, the rest of its usage line, what it does (one
 * line) and its option table. */
typedef struct var_command {
	const char *name, *synopsis, *summary;
	const var_option *options;
} var_command;

/* The values of the shared options, with their defaults. */
typedef struct var_args {
	const var_command *cmd;
	var_spec sp;         /* -a, --quantile, --window, --cov, --lambda, --cov-file, --repair */
	const char *output;  /* -o, or NULL */
	const char *history, *markets, *calendars, *sens, *by, *cube;
	const char *vol_history; /* --vol-history (every command of VAR_O_HISTORY), or NULL */
	int gaps, horizon, hmode, timing;
	int have_horizon;    /* --horizon given: the P&L adds theta for its days */
	int returns;         /* --returns: RH_RET_CONTRACT (default) or RH_RET_CONSTANT */
	expo_fx fx;          /* --fx FILE --base CCY */
	int have_asof;       /* --asof DATE given */
	qe_date asof;
	/* --full and the pricer's inputs */
	int full;
	const char *trades, *curves, *vols, *rates, *fixings;
	const char *fx_history; /* --fx-history */
	const char *valuations; /* --valuations (the sensitivity mode's FX positions) */
	double spread_corr;
	int have_spread_corr; /* --spread-corr given: no correlation from the history */
	int argc;
	char **argv;
} var_args;

/* Sets the defaults; argv[0] is the command's name. */
void var_args_init(var_args *a, const var_command *cmd, int argc, char **argv);
/* The next option of the command line: handles the shared ones (and
 * --help, --version) itself and returns the code of the command's own,
 * or -1 at the end.  An option missing from the command's table, an
 * abbreviated one or a missing argument is a usage error naming the
 * command. */
int var_args_next(var_args *a);
/* The operand after the options: "-" when there is none; more than one is
 * a usage error.  Also checks that --fx and --base come together. */
const char *var_args_input(var_args *a);
/* For a command that reads no FILE: any operand is a usage error. */
void var_args_no_input(var_args *a);
/* A usage error the command finds (an option, its value, a missing
 * input): "qe-var: CMD: msg" and the hint to the command's --help, exit 2.
 * (A value that is not a number is reported by cli.h, for every tool.) */
_Noreturn void var_usage_error(const var_args *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The value of option opt in (0, 1), else a usage error. */
double var_unit_interval(const var_args *a, const char *opt, const char *arg);

/* Reads the history (-H, -m, --calendars, --gaps, --asof, --horizon) and,
 * with need_sens, the book (-s, --by, --fx); reports the as-of date when
 * not given, gaps, capped tenors and a short history on stderr.  Exits on
 * failure. */
void var_load(const var_args *a, int need_sens, var_inputs *in);

/* Every output of a run is a member of the run's output set (cli.h):
 * written to a temporary file beside its target, and var_commit() renames
 * them all into place at the end, or none.  A command opens its outputs
 * before its long computation, so that a bad path fails early; a failure
 * or a signal before the commit leaves no temporary file and the previous
 * files untouched. */
/* Opens -o (or stdout) for a CSV table; exits on failure. */
void var_open_out(const var_args *a, csv_writer *w);
/* Commits every output of the run; exits 4 on a write error (none is
 * renamed then).  Returns QE_OK. */
int var_commit(void);
/* hs, param, mc: writes the VaR/ES table of r to w (and the engine's
 * note, --timing, on stderr). */
void var_write_results(csv_writer *w, const var_args *a, const var_inputs *in, const char *method,
		       const var_result *r);
/* Sets the cube's as-of date to the run's. */
void var_cube_asof(pnl_cube *c, const var_inputs *in);
/* hs, mc: the P&L cube of --cube, HDF5 when it ends in .h5, else CSV; both
 * NULL without --cube. */
typedef struct var_cube_out {
	FILE *csv;
	h5file *h5;
} var_cube_out;
/* Opens --cube, if given, as an output of the run; exits on failure. */
void var_open_cube(const var_args *a, var_cube_out *co);
/* Writes the cube to the output of var_open_cube(); exits on failure. */
void var_write_cube(const var_cube_out *co, const pnl_cube *c);

/* Full revaluation (full.c).  The usage checks of --full (its required
 * inputs, no -s) and of the pricer's options given without it. */
void var_full_check(const var_args *a);
/* The pricer's options of the run. */
void var_full_options(const var_args *a, struct val_options *vo);
/* The volatility history of --vol-history and its changes over the
 * horizon (both zeroed and unused without it); exits on failure. */
void var_full_vols(const var_args *a, const var_inputs *in, vol_history *vh, risk_scenarios *vs);
/* --fx-history of the full mode: its factors FX:CCY join in->h and the
 * scenarios in->all are rebuilt with them (nothing without it); exits on
 * failure. */
void var_full_fx(const var_args *a, var_inputs *in);
/* The full-revaluation P&L cube of hs over the window (its portfolios
 * into in->x, which the caller frees with var_inputs_free); exits on
 * failure. */
void var_full_hs_cube(const var_args *a, var_inputs *in, pnl_cube *cube);
/* The business days --full moves the valuation date (--horizon given),
 * else 0 (time does not pass). */
int var_full_hz_days(const var_args *a);

/* The commands, cmd/var/<name>.c. */
int cmd_var_measures(int argc, char **argv);
int cmd_var_backtest(int argc, char **argv);
int cmd_var_hs(int argc, char **argv);
int cmd_var_param(int argc, char **argv);
int cmd_var_mc(int argc, char **argv);
int cmd_var_components(int argc, char **argv);
int cmd_var_series(int argc, char **argv);
int cmd_var_cov(int argc, char **argv);
int cmd_var_stress(int argc, char **argv);
int cmd_var_pla(int argc, char **argv);
int cmd_var_whatif(int argc, char **argv);

#endif
