#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
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

/* ---- the output registry ------------------------------------------------
 *
 * The signal handler may run on any thread at any moment, so it reads
 * only this table of temporary paths: a slot's path is written before it
 * is marked live, and slots are never reused.  unlink() and raise() are
 * async-signal-safe; the set itself is never touched from the handler. */
enum { MAX_TEMPS = 128 };
static struct temp_slot {
	atomic_int live;
	char path[PATH_MAX];
} temps[MAX_TEMPS];
static atomic_int ntemps;
static atomic_int renaming, pending_signal;
static qe_outset *outputs;

static void remove_temps(void)
{
	int n = atomic_load(&ntemps);
	for (int i = 0; i < n; i++)
		if (atomic_load(&temps[i].live))
			unlink(temps[i].path);
}

static void on_signal(int sig)
{
	int saved = errno;
	if (atomic_load(&renaming)) {
		/* the commit is renaming: all of them or none, then the signal */
		atomic_store(&pending_signal, sig);
		errno = saved;
		return;
	}
	remove_temps();
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved;
}

static void remove_temps_at_exit(void)
{
	remove_temps();
}

static int is_member_temp(const char *path)
{
	qe_out *o;
	for (size_t i = 0; outputs && (o = outset_member(outputs, i)); i++)
		if (o->tmp && strcmp(o->tmp, path) == 0)
			return 1;
	return 0;
}

/* Brings the slots in line with the set: new temporary files get a slot,
 * the slots of committed or discarded ones are retired. */
static void track_temps(void)
{
	int n = atomic_load(&ntemps);
	qe_out *o;
	for (int i = 0; i < n; i++)
		if (atomic_load(&temps[i].live) && !is_member_temp(temps[i].path))
			atomic_store(&temps[i].live, 0);
	for (size_t i = 0; outputs && (o = outset_member(outputs, i)); i++) {
		int known = 0;
		for (int k = 0; k < n && o->tmp && !known; k++)
			known = atomic_load(&temps[k].live) && strcmp(temps[k].path, o->tmp) == 0;
		if (!o->tmp || known)
			continue;
		if (n == MAX_TEMPS || strlen(o->tmp) >= sizeof temps[n].path)
			cli_die(QE_INTERNAL, "%s: too many outputs or too long a name", o->path);
		strcpy(temps[n].path, o->tmp);
		atomic_store(&temps[n].live, 1);
		atomic_store(&ntemps, ++n);
	}
}

/* Signals wait while the set and the slots disagree. */
static void block_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static void restore_signals(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

static qe_outset *registry(void)
{
	if (!outputs && !(outputs = outset_new()))
		cli_die(QE_INTERNAL, "out of memory");
	return outputs;
}

qe_out *cli_out_open(const char *path)
{
	qe_err e;
	sigset_t old;
	qe_outset *s = registry();
	block_signals(&old);
	qe_out *o = outset_open(s, path, &e);
	track_temps();
	restore_signals(&old);
	if (!o)
		cli_die_err(&e);
	return o;
}

h5file *cli_h5_create(const char *path)
{
	qe_err e;
	sigset_t old;
	qe_outset *s = registry();
	block_signals(&old);
	h5file *f = h5file_create_in(s, path, &e);
	track_temps();
	restore_signals(&old);
	if (!f)
		cli_die_err(&e);
	return f;
}

void cli_out_discard(qe_out *o)
{
	sigset_t old;
	block_signals(&old);
	outset_discard(registry(), o);
	track_temps();
	restore_signals(&old);
}

void cli_outputs_abort(void)
{
	sigset_t old;
	block_signals(&old);
	if (outputs)
		outset_abort(outputs);
	track_temps();
	restore_signals(&old);
}

int cli_outputs_commit(qe_err *e)
{
	sigset_t old;
	int rc;
	if (!outputs)
		return 0;
	/* until every output is written and synced, a signal removes them */
	if ((rc = outset_sync(outputs, e)) != 0) {
		cli_outputs_abort();
		return rc;
	}
	block_signals(&old);
	atomic_store(&renaming, 1);
	rc = outset_commit(outputs, e);
	track_temps();
	atomic_store(&renaming, 0);
	restore_signals(&old);
	int sig = atomic_exchange(&pending_signal, 0);
	if (sig) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return rc;
}

static void catch_signal(int sig)
{
	struct sigaction sa, old;
	/* an ignored signal (nohup, a background job) stays ignored */
	if (sigaction(sig, NULL, &old) != 0 || old.sa_handler == SIG_IGN)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(sig, &sa, NULL);
}

void cli_init(const char *prog)
{
	const char *slash = strrchr(prog, '/');
	cli_prog = slash ? slash + 1 : prog;
	atexit(close_stdout);
	/* runs before close_stdout, which may _exit */
	atexit(remove_temps_at_exit);
	catch_signal(SIGINT);
	catch_signal(SIGTERM);
	catch_signal(SIGHUP);
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

/* Every diagnostic is one line of valid UTF-8, whatever bytes a value
 * echoed in it holds (core/diag.h qe_err_escape). */
static void say_line(const char *kind, const char *msg)
{
	size_t len = strlen(msg);
	char *esc = malloc(4 * len + 1);
	if (esc)
		qe_err_escape(esc, 4 * len + 1, msg, len);
	fprintf(stderr, "%s: %s%s\n", cli_prog, kind, esc ? esc : "out of memory");
	free(esc);
}

static void vsay(const char *kind, const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	say_line(kind, msg ? msg : "out of memory");
	free(msg);
}

void cli_error(const qe_err *e)
{
	say_line("", e->msg[0] ? e->msg : "error");
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
