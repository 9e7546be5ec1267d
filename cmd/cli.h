/*
 * cli: the command layer's shared helpers - program name, one-line
 * diagnostics on stderr, exit-code mapping, --version, strict option
 * values, the stdout close check, the registry of the run's outputs, and
 * the process-wide settings every tool makes once (GSL's error handler
 * off, in cli_init).  Only cmd/ uses this; lib/ never prints and never
 * handles signals.
 */
#ifndef QE_CLI_H
#define QE_CLI_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdnoreturn.h>

#include "core/diag.h"
#include "io/h5table.h"
#include "io/outfile.h"

extern const char *cli_prog;
extern int cli_quiet;
/* --log-json (or $QE_LOG_JSON=1): every diagnostic is a JSON object on
 * one line of stderr (time, tool, level, message, file, line). */
extern int cli_log_json;

/* Records the program name and arranges for stdout to be closed and
 * checked at exit (a failed write turns into exit 4 with a message).
 * Installs the output registry's clean-up (below): an exit hook, and
 * handlers for SIGINT, SIGTERM and SIGHUP unless they are ignored.  Turns
 * off GSL's abort-on-error handler: lib/ checks GSL's return values
 * instead, and never changes the handler itself. */
void cli_init(const char *prog);
/* After cli_init: takes --log-json out of argv (before a "--"), setting
 * cli_log_json; $QE_LOG_JSON=1 sets it too.  The front command qe hands
 * it on to the tool it runs. */
void cli_log_option(int *argc, char **argv);
/* An MPI run (make MPI=1; core/par.h): on a rank other than 0, whose
 * share of the work has gone to rank 0, removes this rank's temporary
 * outputs and exits 0; on rank 0 (and in the plain build) returns.  In
 * an MPI build cli_init starts MPI, and a failing exit of any rank ends
 * the job with its code. */
void cli_par_done(void);
/* Work every rank did alike (reading the same inputs) ended with rc on
 * this rank (0: fine; e its error): when it failed on any rank, rank 0
 * reports the error of the lowest failing rank, once, and ends the job
 * with its code while the other ranks leave quietly (cli_par_done);
 * else returns.  In one process: cli_die_err(e) when rc. */
void cli_par_check(int rc, const qe_err *e);
/* Work that is not shared: the ranks other than 0 leave at once
 * (cli_par_done) and rank 0 works alone (core/par.h's par_solo). */
void cli_par_solo(void);

void cli_error(const qe_err *e);
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Informational line, suppressed by --quiet. */
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Informational line an option asked for (qe-var --timing), also printed
 * with --quiet. */
void cli_notef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

noreturn void cli_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
noreturn void cli_die_err(const qe_err *e);
/* "prog: msg" + "Try 'prog --help'.", exit 2. */
noreturn void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A subcommand's usage error: "prog: sub: msg" and "Try 'prog sub
 * --help' ...", exit 2. */
noreturn void cli_sub_usage_error(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
noreturn void cli_sub_vusage_error(const char *sub, const char *fmt, va_list ap);
/* The usage error of the command (sub NULL) or of a subcommand sub (a
 * name or words such as "ledger append"): the message and the hint
 * "Try 'prog [sub] --help' ...", exit 2. */
noreturn void cli_vusage(const char *sub, const char *fmt, va_list ap);
/* getopt_long for subcommand sub (argv[0] the subcommand; shortopts must
 * start with ':'): a missing argument, an unknown, ambiguous or
 * abbreviated-wrong option is a usage error naming sub; returns the next
 * option, or -1 at the end. */
struct option;
int cli_sub_getopt(const char *sub, int argc, char **argv, const char *shortopts, const struct option *longopts);
/* getopt_long for a command without subcommands: the same one-line
 * diagnostics (a usage error, exit 2), through --log-json too. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts, int *longindex);
/* A tool made of subcommands (qe-var, qe-forecast, qe-screen): the table of
 * commands, dispatched by main. */
typedef struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
} cli_command;
/* main() of such a tool after cli_init: --help prints usage, --version,
 * else runs the command argv[1] with argv + 1; no command, an option or an
 * unknown command is a usage error. */
int cli_dispatch(int argc, char **argv, const cli_command *commands, size_t n, const char *usage);
noreturn void cli_version(void);
/* Prints help text to stdout and exits 0. */
noreturn void cli_help(const char *text);
/* The end of the option switch of a command without subcommands (qe-feed,
 * qe-synth, qe-ingest), called as its default: -q/--quiet sets cli_quiet,
 * -h/--help prints usage and exits 0, -V/--version exits 0; any other
 * option is a usage error. */
void cli_common_option(int opt, const char *usage);
/* After the options of a command that takes no operand: one more
 * argument is a usage error naming it. */
void cli_no_operands(int argc, char **argv);


/* Option values: strict; a bad value is a usage error naming the option. */
double cli_double(const char *opt, const char *arg);
int64_t cli_int(const char *opt, const char *arg, int64_t min, int64_t max);
/* Comma-separated list of doubles into out[max]; returns the count. */
int cli_double_list(const char *opt, const char *arg, double *out, int max);

/* The run's outputs: one set (lib/io/outfile qe_outset) per process.
 * Every output is written to a temporary file beside its target and
 * cli_outputs_commit() renames them all at the end, or none.  Until then
 * any exit (cli_die, a usage error, a return from main) removes the
 * temporary files, and so does SIGINT, SIGTERM or SIGHUP, which is then
 * raised again with its default action (the exit status still says what
 * killed the process).  A signal that arrives while the renames run is
 * acted on after them. */
/* Opens an output (out_open path rules); a failure is fatal (cli_die). */
qe_out *cli_out_open(const char *path);
/* Creates an HDF5 output (h5file_create_in); a failure is fatal. */
h5file *cli_h5_create(const char *path);
/* Drops one output: its temporary file is removed, the others stay. */
void cli_out_discard(qe_out *o);
/* Flushes and fsyncs every output, then renames them all into place.  On
 * failure none is renamed, every temporary file is removed and the
 * previous files are left untouched; e says why. */
int cli_outputs_commit(qe_err *e);
/* Drops every output not committed yet. */
void cli_outputs_abort(void);
/* The calendar directory of a run (cal_dir_choose() in time/calendar.h):
 * option (--calendars), else $QE_CALENDAR_DIR, else calendars/ beside the
 * curve master markets (NULL: none), else the installed QE_SHAREDIR/
 * calendars.  The result lives until the next call. */
const char *cli_calendar_dir(const char *option, const char *markets);
/* A bundled data file (the sentiment lexicon): data/NAME under the working
 * directory when there is one (a run from the top of the tree), else the
 * installed QE_SHAREDIR/data/NAME.  The result lives until the next call
 * with the same slot (0 or 1). */
const char *cli_bundled_data(const char *name, int slot);

/* While flag is armed (not NULL), a SIGINT sets *flag to 1 instead of
 * ending the run, so that a search can stop and write what it has
 * (qe-optimize); a second SIGINT ends the run as usual, as does SIGTERM.
 * cli_interrupt_to(NULL) disarms it. */
void cli_interrupt_to(atomic_int *flag);

/* 1 when progress output is wanted: stderr is a TTY and not --quiet. */
int cli_progress(void);

/* Progress on a terminal.  When cli_progress() says so, a thread redraws
 * one line on stderr (with \r, at most ten times a second) once the run
 * has taken a second, and clears it when the run ends or a diagnostic is
 * printed; otherwise these do nothing.  lib/ is not involved: the meter
 * reads how far the process has read its input files (the file offsets
 * of /proc/self/fdinfo) or how many steps the command says are done.
 *
 * cli_progress_inputs(): the input files paths[0..n) (NULL, "-" and
 * what is not a regular file are skipped): MB read of their total,
 * percent, ETA; once all are read, the time spent since. */
void cli_progress_inputs(const char *const *paths, int n);
/* cli_progress_steps(): a run of n steps (qe-synth: one file each);
 * cli_progress_step(i, label) as step i (0-based) starts;
 * cli_progress_writing(fp): the output the step writes (MB written). */
void cli_progress_steps(int n);
void cli_progress_step(int i, const char *label);
void cli_progress_writing(FILE *fp);
/* Stops the meter and clears its line; done by cli_outputs_commit() and
 * at exit too.  An output to standard output on a terminal stops it for
 * good (cli_out_open): the two would mix on one screen. */
void cli_progress_end(void);

#endif
