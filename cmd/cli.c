#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "core/num.h"
#include "time/calendar.h"

#ifndef QE_VERSION
#define QE_VERSION "0"
#endif
#ifndef QE_SHAREDIR
#define QE_SHAREDIR "/usr/local/share/quantaenergi"
#endif

const char *cli_prog = "qe";
int cli_quiet = 0;

static void close_stdout(void)
{
	int err = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		err = errno ? errno : EIO;
	if (fclose(stdout) != 0 && !err)
		err = errno ? errno : EIO;
	if (err) {
		fprintf(stderr, "%s: <stdout>: write error: %s\n", cli_prog, strerror(err));
		_exit(QE_IO);
	}
}

void cli_init(const char *prog)
{
	const char *slash = strrchr(prog, '/');
	cli_prog = slash ? slash + 1 : prog;
	atexit(close_stdout);
	gsl_set_error_handler_off();
}

const char *cli_calendar_dir(const char *option, const char *markets)
{
	static char dir[4096];
	const char *d = cal_dir_choose(option, getenv("QE_CALENDAR_DIR"), markets, QE_SHAREDIR, dir, sizeof dir);
	if (!d)
		cli_usage_error("calendar directory name too long");
	return d;
}

static void vsay(const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", cli_prog, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_error(const qe_err *e)
{
	fprintf(stderr, "%s: %s\n", cli_prog, e->msg[0] ? e->msg : "error");
}

void cli_errorf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
}

void cli_warnf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay("warning: ", fmt, ap);
	va_end(ap);
}

void cli_info(const char *fmt, ...)
{
	va_list ap;
	if (cli_quiet)
		return;
	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
}

void cli_die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
	exit(code);
}

void cli_die_err(const qe_err *e)
{
	cli_error(e);
	exit(e->code ? e->code : QE_INTERNAL);
}

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", cli_prog);
	exit(QE_USAGE);
}

void cli_version(void)
{
	printf("%s (QuantaEnergi) %s\n", cli_prog, QE_VERSION);
	exit(QE_OK);
}

void cli_help(const char *text)
{
	fputs(text, stdout);
	exit(QE_OK);
}

double cli_double(const char *opt, const char *arg)
{
	double v;
	int st = num_parse_double_z(arg, &v);
	if (st != NUM_OK)
		cli_usage_error("option %s: %s '%s'", opt, num_status_str(st), arg);
	return v;
}

int64_t cli_int(const char *opt, const char *arg, int64_t min, int64_t max)
{
	int64_t v;
	int st = num_parse_int64_z(arg, &v);
	if (st != NUM_OK)
		cli_usage_error("option %s: %s '%s' (expected an integer)", opt, num_status_str(st), arg);
	if (v < min || v > max)
		cli_usage_error("option %s: %lld out of range [%lld, %lld]", opt, (long long)v,
				(long long)min, (long long)max);
	return v;
}

int cli_double_list(const char *opt, const char *arg, double *out, int max)
{
	int n = 0;
	const char *p = arg;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int st;
		if (n == max)
			cli_usage_error("option %s: more than %d values", opt, max);
		st = num_parse_double(p, len, &out[n]);
		if (st != NUM_OK)
			cli_usage_error("option %s: %s '%.*s'", opt, num_status_str(st), (int)len, p);
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	return n;
}

int cli_progress(void)
{
	return !cli_quiet && isatty(STDERR_FILENO);
}
