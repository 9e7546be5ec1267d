#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "core/num.h"
#include "core/par.h"
#include "time/calendar.h"

#ifdef QE_MPI
#include <mpi.h>
#endif

#ifndef QE_VERSION
#define QE_VERSION "0"
#endif
#ifndef QE_SHAREDIR
#define QE_SHAREDIR "/usr/local/share/quantaenergi"
#endif

const char *cli_prog = "qe";
int cli_quiet = 0;
int cli_log_json = 0;

static void say_line(const char *kind, const char *msg);
static void vsay_hint(const char *kind, const char *hint, const char *fmt, va_list ap);

static void close_stdout(void)
{
	int err = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		err = errno ? errno : EIO;
	if (fclose(stdout) != 0 && !err)
		err = errno ? errno : EIO;
	if (err) {
		char msg[256];
		snprintf(msg, sizeof msg, "<stdout>: write error: %s", strerror(err));
		say_line("", msg);
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
static _Atomic(atomic_int *) soft_interrupt; /* cli_interrupt_to */
static atomic_int progress_drawn; /* a progress line is on the terminal */
/* An output goes to standard output on a terminal: a progress line on
 * the same terminal would mix with it. */
static int stdout_output_on_tty;
static void progress_hold(void);
static void progress_release(void);

static _Noreturn void die_exit(int code);
#ifdef QE_MPI
static int mpi_failed; /* die_exit: leave without MPI_Finalize */
#endif

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
	atomic_int *soft = atomic_load(&soft_interrupt);
	if (sig == SIGINT && soft && !atomic_exchange(soft, 1)) {
		/* the first ^C ends the search; a second one the run */
		errno = saved;
		return;
	}
	if (atomic_load(&renaming)) {
		/* the commit is renaming: all of them or none, then the signal */
		atomic_store(&pending_signal, sig);
		errno = saved;
		return;
	}
	remove_temps();
	if (atomic_load(&progress_drawn))
		(void)!write(STDERR_FILENO, "\n", 1); /* the next line starts clean */
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
	if (o->fp == stdout && isatty(STDOUT_FILENO)) {
		cli_progress_end();
		stdout_output_on_tty = 1;
	}
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
	cli_progress_end(); /* the work is done; messages follow */
	if (!outputs)
		return 0;
	if (par_rank() != 0) { /* MPI: rank 0 alone writes */
		cli_outputs_abort();
		return 0;
	}
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

#ifdef QE_MPI
static void mpi_end_at_exit(void)
{
	int fin = 0;
	MPI_Finalized(&fin);
	if (getenv("QE_MPI_STATS"))
		fprintf(stderr, "%s: rank %d of %d: %zu bytes sent\n", cli_prog, par_rank(), par_size(),
			par_bytes_sent());
	if (!fin && !mpi_failed)
		MPI_Finalize();
}

/* MPI starts here, not in lib/ (process-wide state).  The ranks other
 * than 0 compute their share and leave (cli_par_done): their stdout goes
 * nowhere and their informational messages are rank 0's too. */
static void mpi_start(void)
{
	int provided;
	if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
		fprintf(stderr, "%s: MPI_Init failed\n", cli_prog);
		exit(QE_INTERNAL);
	}
	atexit(mpi_end_at_exit); /* runs before the temps' removal and the stdout check */
	if (par_rank() != 0) {
		cli_quiet = 1;
		if (!freopen("/dev/null", "w", stdout))
			die_exit(QE_IO);
	}
}
#endif

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
#ifdef QE_MPI
	mpi_start();
#endif
}

void cli_par_solo(void)
{
	cli_par_done();
	par_solo();
}

void cli_par_done(void)
{
	if (par_rank() == 0)
		return;
	/* this rank's share is with rank 0, which writes every output */
	cli_outputs_abort();
	exit(QE_OK);
}

void cli_par_check(int rc, const qe_err *e)
{
	qe_err first;
	if (rc)
		first = *e;
	else
		qe_err_clear(&first);
	int code = par_first_error(rc, &first);
	if (code < 0) /* the exchange failed: this rank ends the job */
		cli_die_err(&first);
	if (code == 0)
		return;
	cli_par_done(); /* rank 0 reports it */
	cli_die_err(&first);
}

/* --log-json, anywhere before a "--", is taken out of argv here so that
 * every tool's own option parsing never sees it; $QE_LOG_JSON (1) asks for
 * the same. */
void cli_log_option(int *argc, char **argv)
{
	int k = 1;
	const char *env = getenv("QE_LOG_JSON");
	if (env && strcmp(env, "1") == 0)
		cli_log_json = 1;
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < *argc)
				argv[k++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--log-json") == 0)
			cli_log_json = 1;
		else
			argv[k++] = argv[i];
	}
	argv[k] = NULL;
	*argc = k;
}

const char *cli_bundled_data(const char *name, int slot)
{
	static char path[2][4096];
	char *p = path[slot ? 1 : 0];
	snprintf(p, sizeof path[0], "data/%s", name);
	if (access(p, F_OK) != 0)
		snprintf(p, sizeof path[0], "%s/data/%s", QE_SHAREDIR, name);
	return p;
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
/* ---- structured log lines (--log-json) -----------------------------------
 *
 * One JSON object a line: time (UTC, milliseconds), tool, level (error,
 * warning, info), message, file and line (null when the message names no
 * location), column when it names one, the run id of $QE_RUN_ID, and a
 * usage error's hint.  The message is already one line of valid UTF-8
 * (qe_err_escape), so escaping '"', '\\' and control characters is all
 * JSON needs. */
static void json_string(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* "file:line:col: rest" or "file:line: rest" (a digit run after the last
 * two colons of the first field), or "file: rest" when the first field
 * has no blank and names an existing path or one with a '.' or '/' in it.
 * Returns the length of the prefix up to the rest (0: no location). */
static size_t json_location(const char *msg, size_t *flen, long *line, long *col)
{
	const char *end = strstr(msg, ": ");
	*flen = 0;
	*line = *col = 0;
	if (!end || end == msg)
		return 0;
	size_t n = (size_t)(end - msg);
	if (memchr(msg, ' ', n))
		return 0;
	/* trailing :digits fields, at most two */
	size_t f = n;
	long nums[2];
	int k = 0;
	while (k < 2) {
		size_t j = f;
		while (j > 0 && msg[j - 1] >= '0' && msg[j - 1] <= '9')
			j--;
		if (j == f || j < 2 || msg[j - 1] != ':' || f - j > 9)
			break;
		nums[k++] = strtol(msg + j, NULL, 10);
		f = j - 1;
	}
	if (k == 2) {
		*line = nums[1];
		*col = nums[0];
	} else if (k == 1) {
		*line = nums[0];
	} else {
		char path[PATH_MAX];
		int named = memchr(msg, '.', n) || memchr(msg, '/', n) || (msg[0] == '<' && msg[n - 1] == '>');
		if (!named && n < sizeof path) {
			memcpy(path, msg, n);
			path[n] = '\0';
			named = access(path, F_OK) == 0;
		}
		if (!named)
			return 0;
	}
	*flen = f;
	return n + 2;
}

static void say_json(const char *level, const char *msg, const char *hint)
{
	struct timespec ts;
	struct tm tm;
	char when[40];
	size_t flen;
	long line, col;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t w = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + w, sizeof when - w, ".%03ldZ", ts.tv_nsec / 1000000);
	size_t skip = json_location(msg, &flen, &line, &col);
	const char *run = getenv("QE_RUN_ID");
	flockfile(stderr);
	fprintf(stderr, "{\"time\":\"%s\",\"tool\":", when);
	json_string(stderr, cli_prog, strlen(cli_prog));
	fprintf(stderr, ",\"level\":\"%s\",\"message\":", level);
	json_string(stderr, msg + skip, strlen(msg + skip));
	fputs(",\"file\":", stderr);
	if (flen)
		json_string(stderr, msg, flen);
	else
		fputs("null", stderr);
	if (line)
		fprintf(stderr, ",\"line\":%ld", line);
	else
		fputs(",\"line\":null", stderr);
	if (col)
		fprintf(stderr, ",\"column\":%ld", col);
	fputs(",\"pid\":", stderr);
	fprintf(stderr, "%ld", (long)getpid());
	if (run && *run) {
		fputs(",\"run_id\":", stderr);
		json_string(stderr, run, strlen(run));
	}
	if (hint) {
		fputs(",\"hint\":", stderr);
		json_string(stderr, hint, strlen(hint));
	}
	fputs("}\n", stderr);
	funlockfile(stderr);
}

/* kind: "" (an error), "warning: " or "info: "; the info kind is printed
 * without its prefix on a plain line. */
static void say_line_hint(const char *kind, const char *msg, const char *hint)
{
	size_t len = strlen(msg);
	char *esc = malloc(4 * len + 1);
	if (esc)
		qe_err_escape(esc, 4 * len + 1, msg, len);
	progress_hold();
	if (cli_log_json) {
		const char *level = kind[0] == 'w' ? "warning" : kind[0] == 'i' ? "info" : "error";
		say_json(level, esc ? esc : "out of memory", hint);
	} else {
		fprintf(stderr, "%s: %s%s\n", cli_prog, kind[0] == 'i' ? "" : kind, esc ? esc : "out of memory");
		if (hint)
			fprintf(stderr, "%s\n", hint);
	}
	progress_release();
	free(esc);
}

static void say_line(const char *kind, const char *msg)
{
	say_line_hint(kind, msg, NULL);
}

static void vsay_hint(const char *kind, const char *hint, const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	say_line_hint(kind, msg ? msg : "out of memory", hint);
	free(msg);
}

static void vsay(const char *kind, const char *fmt, va_list ap)
{
	vsay_hint(kind, NULL, fmt, ap);
}

void cli_vusage(const char *sub, const char *fmt, va_list ap)
{
	char *hint = NULL, *f = NULL;
	cli_progress_end();
	if (asprintf(&hint, "Try '%s%s%s --help' for more information.", cli_prog, sub ? " " : "", sub ? sub : "") < 0)
		hint = NULL;
	/* "sub: " before the message, as the plain line always had */
	if (sub && asprintf(&f, "%s: %s", sub, fmt) < 0)
		f = NULL;
	if (sub && !f) {
		say_line("", "out of memory");
		die_exit(QE_USAGE);
	}
	vsay_hint("", hint, sub ? f : fmt, ap);
	free(hint);
	free(f);
	die_exit(QE_USAGE);
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

void cli_notef(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay("info: ", fmt, ap);
	va_end(ap);
}

void cli_info(const char *fmt, ...)
{
	va_list ap;
	if (cli_quiet)
		return;
	va_start(ap, fmt);
	vsay("info: ", fmt, ap);
	va_end(ap);
}

/* Every failing exit of the command layer.  In an MPI run a failure
 * anywhere ends the whole job with its code: the rank leaves without
 * MPI_Finalize, so mpirun (or srun) ends the other ranks (SIGTERM:
 * on_signal removes their temporary files) and exits with this code.
 * Not MPI_Abort: Open MPI 4.1's mpirun at times crashes or hangs on it. */
static _Noreturn void die_exit(int code)
{
#ifdef QE_MPI
	if (code != QE_OK)
		mpi_failed = 1;
#endif
	exit(code);
}

void cli_die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
	die_exit(code);
}

void cli_die_err(const qe_err *e)
{
	cli_error(e);
	die_exit(e->code ? e->code : QE_INTERNAL);
}

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_vusage(NULL, fmt, ap);
}

void cli_sub_vusage_error(const char *sub, const char *fmt, va_list ap)
{
	cli_vusage(sub, fmt, ap);
}

void cli_sub_usage_error(const char *sub, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_sub_vusage_error(sub, fmt, ap);
}

/* A usage error of the command (sub NULL) or a subcommand. */
static noreturn void usage_of(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static noreturn void usage_of(const char *sub, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_vusage(sub, fmt, ap);
}

/* getopt_long with ':' first (after a '+' or '-'), its own messages off:
 * one diagnostic through cli_vusage, naming sub when there is one. */
static int getopt_one(const char *sub, int argc, char **argv, const char *shortopts,
		      const struct option *longopts, int *longindex)
{
	char opts[256];
	size_t lead = (shortopts[0] == '+' || shortopts[0] == '-') ? 1 : 0;
	if (strlen(shortopts) + 2 > sizeof opts)
		cli_die(QE_INTERNAL, "option string too long");
	memcpy(opts, shortopts, lead);
	opts[lead] = ':';
	strcpy(opts + lead + 1, shortopts + lead + (shortopts[lead] == ':'));
	opterr = 0;
	int c = getopt_long(argc, argv, opts, longopts, longindex);
	if (c != ':' && c != '?')
		return c;
	const char *opt = argv[optind - 1];
	if (c == ':') {
		if (strncmp(opt, "--", 2) == 0)
			usage_of(sub, "option '%s' requires an argument", opt);
		usage_of(sub, "option requires an argument -- '%c'", optopt);
	}
	if (strncmp(opt, "--", 2) != 0)
		usage_of(sub, "invalid option -- '%c'", optopt);
	if (optopt == 0) /* unknown here (maybe another subcommand's), or ambiguous */
		usage_of(sub, "unrecognized option '%s'", opt);
	usage_of(sub, "option '%.*s' doesn't allow an argument", (int)strcspn(opt, "="), opt);
}

int cli_sub_getopt(const char *sub, int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	return getopt_one(sub, argc, argv, shortopts, longopts, NULL);
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts, int *longindex)
{
	return getopt_one(NULL, argc, argv, shortopts, longopts, longindex);
}

int cli_dispatch(int argc, char **argv, const cli_command *commands, size_t n, const char *usage)
{
	if (argc < 2)
		cli_usage_error("missing COMMAND");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		cli_help(usage);
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0)
		cli_version();
	if (cmd[0] == '-')
		cli_usage_error("unrecognized option '%s'", cmd);
	for (size_t i = 0; i < n; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	cli_usage_error("unknown command '%s'", cmd);
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

void cli_common_option(int opt, const char *usage)
{
	switch (opt) {
	case 'q': cli_quiet = 1; break;
	case 'h': cli_help(usage);
	case 'V': cli_version();
	default: cli_usage_error("unknown option");
	}
}

void cli_no_operands(int argc, char **argv)
{
	if (optind < argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
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

void cli_interrupt_to(atomic_int *flag)
{
	atomic_store(&soft_interrupt, flag);
}

int cli_progress(void)
{
	return !cli_quiet && !cli_log_json && !stdout_output_on_tty && isatty(STDERR_FILENO);
}

/* ---- progress on a terminal ---------------------------------------------- */

enum { MAX_METER_INPUTS = 16 };
static struct {
	pthread_mutex_t lock; /* the line on stderr and the fields below */
	pthread_t thread;
	int running;
	atomic_int stop;
	struct timespec start;
	size_t width;         /* of the line drawn, to blank it */
	/* inputs */
	int ninputs;
	struct meter_input {
		char *path;      /* realpath */
		double size, read;
		int seen, done;
	} in[MAX_METER_INPUTS];
	double read_done_at; /* seconds when every input was read, or < 0 */
	/* steps */
	int nsteps, step;
	char label[64];
	FILE *fp;
	double delay; /* seconds before the first line */
} meter = {.lock = PTHREAD_MUTEX_INITIALIZER, .read_done_at = -1, .delay = 1.0};

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Blanks the line; the caller holds the lock. */
static void progress_blank(void)
{
	if (!atomic_load(&progress_drawn))
		return;
	fprintf(stderr, "\r%*s\r", (int)meter.width, "");
	fflush(stderr);
	atomic_store(&progress_drawn, 0);
}

/* Around a diagnostic: the line is blanked and not redrawn until the
 * message is out (it comes back below it). */
static void progress_hold(void)
{
	pthread_mutex_lock(&meter.lock);
	progress_blank();
}

static void progress_release(void)
{
	pthread_mutex_unlock(&meter.lock);
}

/* The offset of every open descriptor of an input, from /proc/self/fdinfo;
 * an input seen open and now closed has been read. */
static void sample_inputs(void)
{
	int open_now[MAX_METER_INPUTS] = {0};
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char link[PATH_MAX + 1], name[64], buf[256];
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(name, sizeof name, "/proc/self/fd/%s", de->d_name);
		ssize_t n = readlink(name, link, sizeof link - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		for (int i = 0; i < meter.ninputs; i++) {
			if (strcmp(link, meter.in[i].path) != 0)
				continue;
			snprintf(name, sizeof name, "/proc/self/fdinfo/%s", de->d_name);
			int fd = open(name, O_RDONLY | O_CLOEXEC);
			ssize_t got = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
			if (fd >= 0)
				close(fd);
			if (got <= 0)
				continue;
			buf[got] = '\0';
			long long pos;
			if (sscanf(buf, "pos: %lld", &pos) == 1) {
				open_now[i] = 1;
				meter.in[i].seen = 1;
				if ((double)pos > meter.in[i].read)
					meter.in[i].read = (double)pos;
			}
		}
	}
	if (d)
		closedir(d);
	/* none open: all read (the meter starts once they are about to be
	 * opened, and small ones come and go between two samples) */
	int any_open = 0;
	for (int i = 0; i < meter.ninputs; i++)
		any_open |= open_now[i];
	for (int i = 0; i < meter.ninputs; i++)
		if ((meter.in[i].seen || !any_open) && !open_now[i])
			meter.in[i].done = 1;
}

static void format_eta(char *out, size_t n, double s)
{
	if (s < 60)
		snprintf(out, n, "%.0f s", s);
	else if (s < 3600)
		snprintf(out, n, "%d min %02d s", (int)(s / 60), (int)s % 60);
	else
		snprintf(out, n, "%d h %02d min", (int)(s / 3600), (int)(s / 60) % 60);
}

/* The text of the line, from the inputs or the steps. */
static void progress_text(char *line, size_t n, double t)
{
	char eta[32];
	double frac = -1;
	if (meter.ninputs) {
		double total = 0, read = 0;
		sample_inputs();
		for (int i = 0; i < meter.ninputs; i++) {
			total += meter.in[i].size;
			read += meter.in[i].done ? meter.in[i].size : meter.in[i].read;
		}
		if (read >= total) {
			if (meter.read_done_at < 0)
				meter.read_done_at = t;
			snprintf(line, n, "%s: read %.1f MB; computing for %.0f s", cli_prog, total / 1e6,
				 t - meter.read_done_at);
			return;
		}
		frac = total > 0 ? read / total : 0;
		int len = snprintf(line, n, "%s: read %.1f of %.1f MB (%.0f%%)", cli_prog, read / 1e6,
				   total / 1e6, 100 * frac);
		if (frac > 0.01 && len > 0 && (size_t)len < n) {
			format_eta(eta, sizeof eta, t * (1 - frac) / frac);
			snprintf(line + len, n - (size_t)len, ", ETA %s", eta);
		}
		return;
	}
	double mb = -1;
	if (meter.fp) {
		off_t pos = lseek(fileno(meter.fp), 0, SEEK_CUR);
		if (pos >= 0)
			mb = (double)pos / 1e6;
	}
	frac = meter.nsteps ? (double)meter.step / meter.nsteps : 0;
	int len = snprintf(line, n, "%s: %s (%d of %d, %.0f%%)", cli_prog, meter.label, meter.step + 1,
			   meter.nsteps, 100 * frac);
	if (mb >= 0 && len > 0 && (size_t)len < n)
		len += snprintf(line + len, n - (size_t)len, ", %.1f MB written", mb);
	if (frac > 0 && len > 0 && (size_t)len < n) {
		format_eta(eta, sizeof eta, t * (1 - frac) / frac);
		snprintf(line + len, n - (size_t)len, ", ETA %s", eta);
	}
}

static void *progress_thread(void *arg)
{
	(void)arg;
	const struct timespec tick = {0, 100 * 1000 * 1000};
	char line[256];
	while (!atomic_load(&meter.stop)) {
		nanosleep(&tick, NULL);
		if (atomic_load(&meter.stop))
			break;
		double t = seconds_since(&meter.start);
		pthread_mutex_lock(&meter.lock);
		if (t >= meter.delay) {
			progress_text(line, sizeof line, t);
			size_t len = strlen(line);
			fprintf(stderr, "\r%s%*s", line, meter.width > len ? (int)(meter.width - len) : 0, "");
			fflush(stderr);
			meter.width = len;
			atomic_store(&progress_drawn, 1);
		}
		pthread_mutex_unlock(&meter.lock);
	}
	return NULL;
}

static void progress_end_at_exit(void)
{
	cli_progress_end();
}

/* Starts the thread; 0 when no progress is wanted. */
static int progress_start(void)
{
	if (meter.running || !cli_progress())
		return meter.running;
	/* QE_PROGRESS_DELAY: seconds before the first line (tests draw at once) */
	const char *d = getenv("QE_PROGRESS_DELAY");
	if (d && *d) {
		char *end;
		double v = strtod(d, &end);
		if (*end == '\0' && v >= 0 && v <= 3600)
			meter.delay = v;
	}
	clock_gettime(CLOCK_MONOTONIC, &meter.start);
	atomic_store(&meter.stop, 0);
	sigset_t set, old;
	/* the thread never takes a signal: the handlers run on the main one */
	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	int rc = pthread_create(&meter.thread, NULL, progress_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return 0;
	meter.running = 1;
	atexit(progress_end_at_exit); /* runs before the stdout check */
	return 1;
}

void cli_progress_inputs(const char *const *paths, int n)
{
	if (!cli_progress())
		return;
	pthread_mutex_lock(&meter.lock);
	for (int i = 0; i < n && meter.ninputs < MAX_METER_INPUTS; i++) {
		struct stat st;
		char *real;
		if (!paths[i] || strcmp(paths[i], "-") == 0 || stat(paths[i], &st) != 0 || !S_ISREG(st.st_mode) ||
		    !(real = realpath(paths[i], NULL)))
			continue;
		meter.in[meter.ninputs].path = real;
		meter.in[meter.ninputs++].size = (double)st.st_size;
	}
	pthread_mutex_unlock(&meter.lock);
	if (meter.ninputs)
		progress_start();
}

void cli_progress_steps(int n)
{
	if (!cli_progress())
		return;
	pthread_mutex_lock(&meter.lock);
	meter.nsteps = n;
	meter.step = 0;
	pthread_mutex_unlock(&meter.lock);
	progress_start();
}

void cli_progress_step(int i, const char *label)
{
	if (!meter.running)
		return;
	pthread_mutex_lock(&meter.lock);
	meter.step = i;
	snprintf(meter.label, sizeof meter.label, "%s", label);
	meter.fp = NULL;
	pthread_mutex_unlock(&meter.lock);
}

void cli_progress_writing(FILE *fp)
{
	if (!meter.running)
		return;
	pthread_mutex_lock(&meter.lock);
	meter.fp = fp;
	pthread_mutex_unlock(&meter.lock);
}

void cli_progress_end(void)
{
	if (!meter.running)
		return;
	atomic_store(&meter.stop, 1);
	pthread_join(meter.thread, NULL);
	meter.running = 0;
	pthread_mutex_lock(&meter.lock);
	progress_blank();
	meter.fp = NULL;
	for (int i = 0; i < meter.ninputs; i++)
		free(meter.in[i].path);
	meter.ninputs = 0;
	pthread_mutex_unlock(&meter.lock);
}
