/*
 * cli: the command layer's shared helpers - program name, one-line
 * diagnostics on stderr, exit-code mapping, --version, strict option
 * values, the stdout close check, and the process-wide settings every
 * tool makes once (GSL's error handler off, in cli_init).  Only cmd/ uses this; lib/ never
 * prints.
 */
#ifndef QE_CLI_H
#define QE_CLI_H

#include <stdint.h>
#include <stdnoreturn.h>

#include "core/diag.h"

extern const char *cli_prog;
extern int cli_quiet;

/* Records the program name, arranges for stdout to be closed and checked
 * at exit (a failed write turns into exit 4 with a message), and turns
 * off GSL's abort-on-error handler: lib/ checks GSL's return values
 * instead, and never changes the handler itself. */
void cli_init(const char *prog);

void cli_error(const qe_err *e);
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Informational line, suppressed by --quiet. */
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

noreturn void cli_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
noreturn void cli_die_err(const qe_err *e);
/* "prog: msg" + "Try 'prog --help'.", exit 2. */
noreturn void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void cli_version(void);
/* Prints help text to stdout and exits 0. */
noreturn void cli_help(const char *text);

/* Option values: strict; a bad value is a usage error naming the option. */
double cli_double(const char *opt, const char *arg);
int64_t cli_int(const char *opt, const char *arg, int64_t min, int64_t max);
/* Comma-separated list of doubles into out[max]; returns the count. */
int cli_double_list(const char *opt, const char *arg, double *out, int max);

/* The calendar directory of a run (cal_dir_choose() in time/calendar.h):
 * option (--calendars), else $QE_CALENDAR_DIR, else calendars/ beside the
 * curve master markets (NULL: none), else the installed QE_SHAREDIR/
 * calendars.  The result lives until the next call. */
const char *cli_calendar_dir(const char *option, const char *markets);

/* 1 when progress output is wanted: stderr is a TTY and not --quiet. */
int cli_progress(void);

#endif
