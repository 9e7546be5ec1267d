#include "io/outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static int is_stdout_alias(const char *path)
{
	return strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0 ||
	       strcmp(path, "/dev/fd/1") == 0 || strcmp(path, "/proc/self/fd/1") == 0;
}

/* Devices, FIFOs and anything under /dev or /proc are written in place:
 * renaming a temporary file over them would replace the node itself
 * (as root, /dev/stdout -> /proc/self/fd/1 -> a log file is a "regular
 * file" to stat(), and must still not be renamed over). */
static int write_in_place(const char *target)
{
	struct stat st;
	if (strncmp(target, "/dev/", 5) == 0 || strncmp(target, "/proc/", 6) == 0)
		return 1;
	return stat(target, &st) == 0 && !S_ISREG(st.st_mode);
}

int out_resolve_target(const char *path, char **target, qe_err *e)
{
	struct stat lst;
	*target = NULL;
	if (!path || is_stdout_alias(path))
		return OUT_STDOUT;
	/* Through a symlink the temporary file and the rename belong next to
	 * the link's target, so the link survives (as with GNU sort -o). */
	if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
		*target = realpath(path, NULL);
		if (!*target) {
			/* a dangling link is written through, creating its target */
			if (!(*target = strdup(path)))
				return qe_err_set(e, QE_INTERNAL, "%s: out of memory", path), -1;
			return OUT_THROUGH;
		}
	} else if (!(*target = strdup(path))) {
		return qe_err_set(e, QE_INTERNAL, "%s: out of memory", path), -1;
	}
	if (write_in_place(*target)) {
		free(*target);
		if (!(*target = strdup(path)))
			return qe_err_set(e, QE_INTERNAL, "%s: out of memory", path), -1;
		return OUT_SPECIAL;
	}
	return OUT_ATOMIC;
}

int out_mktemp(char *tmpl)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	size_t n = strlen(tmpl);
	if (n < 6 || strcmp(tmpl + n - 6, "XXXXXX") != 0) {
		errno = EINVAL;
		return -1;
	}
	char *x = tmpl + n - 6;
	for (int attempt = 0; attempt < 1000; attempt++) {
		uint64_t r;
		if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			r = (uint64_t)ts.tv_nsec * 2654435761u ^ (uint64_t)getpid() << 32 ^ (uint64_t)attempt;
		}
		for (int i = 0; i < 6; i++, r /= 62)
			x[i] = abc[r % 62];
		int fd = open(tmpl, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

/* ---- commit journals and leftovers of killed runs ---------------------- */

#define JOURNAL_MAGIC "qe-journal 1"
#define JOURNAL_MAX (64u << 20)

enum journal_kind { JOURNAL_ARMED, JOURNAL_NEW, JOURNAL_SEE };
static const char *const journal_suffix[] = {".qe-journal", ".qe-journal.new", ".qe-journal.see"};

/* A process that still runs (or that we may not signal: it runs too). */
static int pid_alive(long pid)
{
	if (pid <= 0 || pid > INT32_MAX)
		return 0;
	return (pid_t)pid == getpid() || kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Parses the decimal digits s[0..n) into *v; 0 on success. */
static int parse_pid(const char *s, size_t n, long *v)
{
	long x = 0;
	if (n == 0 || n > 9)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

/* A journal's name ".NAME.PID<suffix>": its kind and pid, or -1. */
static int journal_name(const char *name, long *pid)
{
	if (name[0] != '.')
		return -1;
	size_t len = strlen(name);
	for (int k = JOURNAL_ARMED; k <= JOURNAL_SEE; k++) {
		size_t sl = strlen(journal_suffix[k]);
		if (len <= sl + 2 || strcmp(name + len - sl, journal_suffix[k]) != 0)
			continue;
		const char *end = name + len - sl, *dot = end;
		while (dot > name + 1 && dot[-1] != '.')
			dot--;
		if (dot > name + 1 && parse_pid(dot, (size_t)(end - dot), pid) == 0)
			return k;
	}
	return -1;
}

/* A temporary file of target "BASE.tmp.PID.XXXXXX": its pid, or -1. */
static int temp_name(const char *name, const char *base, long *pid)
{
	size_t bl = strlen(base), len = strlen(name);
	if (len < bl + 5 + 1 + 7 || strncmp(name, base, bl) != 0 || strncmp(name + bl, ".tmp.", 5) != 0)
		return -1;
	const char *p = name + bl + 5, *x = name + len - 6;
	if (x[-1] != '.' || x - 1 <= p)
		return -1;
	for (int i = 0; i < 6; i++)
		if (!((x[i] >= 'A' && x[i] <= 'Z') || (x[i] >= 'a' && x[i] <= 'z') ||
		      (x[i] >= '0' && x[i] <= '9')))
			return -1;
	return parse_pid(p, (size_t)(x - 1 - p), pid);
}

/* "dir/name" (dir "" is the working directory), malloc'd. */
static char *join(const char *dir, size_t dlen, const char *name)
{
	char *p = malloc(dlen + strlen(name) + 2);
	if (p)
		snprintf(p, dlen + strlen(name) + 2, "%.*s%s%s", (int)dlen, dir, dlen && dir[dlen - 1] != '/' ? "/" : "", name);
	return p;
}

/* A parsed journal: its fields (NUL-separated in the file) point into buf. */
typedef struct journal {
	char *buf;
	const char *primary;
	size_t npairs, nsee;
	const char **pairs; /* tmp, target, tmp, target, ... */
	const char **see;
} journal;

static void journal_free(journal *j)
{
	free(j->buf);
	free(j->pairs);
	free(j->see);
	memset(j, 0, sizeof *j);
}

/* Reads and checks a whole journal; -1 when it is missing, cut short or
 * not a journal (errno ENOENT when missing). */
static int journal_read(const char *path, journal *j)
{
	memset(j, 0, sizeof *j);
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *b = cap < JOURNAL_MAX ? realloc(buf, cap *= 2) : NULL;
			if (!b) {
				free(buf);
				buf = NULL;
			}
			buf = b;
		}
	}
	int bad = !buf || ferror(f);
	fclose(f);
	if (bad || n == 0 || buf[n - 1] != '\0') {
		free(buf);
		errno = EINVAL;
		return -1;
	}
	/* fields: magic, primary, npairs, (tmp, target)*, nsee, see*, "end" */
	size_t nf = 0;
	for (size_t i = 0; i < n; i++)
		nf += buf[i] == '\0';
	const char **field = malloc(nf * sizeof *field);
	if (!field) {
		free(buf);
		return -1;
	}
	for (size_t i = 0, k = 0; i < n; i += strlen(buf + i) + 1)
		field[k++] = buf + i;
	char *end;
	j->buf = buf;
	if (nf < 5 || strcmp(field[0], JOURNAL_MAGIC) != 0)
		goto bad;
	j->primary = field[1];
	j->npairs = strtoul(field[2], &end, 10);
	if (*end || 3 + 2 * j->npairs + 2 > nf)
		goto bad;
	j->nsee = strtoul(field[3 + 2 * j->npairs], &end, 10);
	if (*end || 3 + 2 * j->npairs + 1 + j->nsee + 1 != nf || strcmp(field[nf - 1], "end") != 0)
		goto bad;
	j->pairs = malloc((2 * j->npairs + 1) * sizeof *j->pairs);
	j->see = malloc((j->nsee + 1) * sizeof *j->see);
	if (!j->pairs || !j->see)
		goto bad;
	memcpy(j->pairs, field + 3, 2 * j->npairs * sizeof *field);
	memcpy(j->see, field + 4 + 2 * j->npairs, j->nsee * sizeof *field);
	free(field);
	return 0;
bad:
	free(field);
	journal_free(j);
	errno = EINVAL;
	return -1;
}

/* Completes the commit of an armed journal: renames every temporary file
 * still there (one that is gone was renamed before the kill), syncs the
 * directories, removes the copies, then the journal itself. */
static int journal_roll_forward(const char *path, qe_err *e)
{
	journal j;
	if (journal_read(path, &j) != 0) {
		if (errno == ENOENT) /* completed by a concurrent run */
			return 0;
		return qe_err_set(e, QE_IO,
				  "%s: cannot read the commit journal of an interrupted run; "
				  "check its outputs and remove it", path);
	}
	for (size_t i = 0; i < j.npairs; i++) {
		const char *tmp = j.pairs[2 * i], *target = j.pairs[2 * i + 1];
		if (rename(tmp, target) != 0 && errno != ENOENT) {
			int err = errno;
			journal_free(&j);
			return qe_err_set(e, QE_IO, "%s: cannot complete the interrupted commit of %s: %s",
					  path, target, strerror(err));
		}
	}
	for (size_t i = 0; i < j.npairs; i++) {
		int err = out_sync_dir(j.pairs[2 * i + 1]);
		if (err && err != ENOENT) {
			journal_free(&j);
			return qe_err_set(e, QE_IO, "%s: syncing the directory of %s: %s", path,
					  j.pairs[2 * i + 1], strerror(err));
		}
	}
	for (size_t i = 0; i < j.nsee; i++)
		unlink(j.see[i]);
	unlink(path);
	journal_free(&j);
	return 0;
}

/* A journal of a dead process found in a directory. */
static int journal_settle(const char *path, int kind, qe_err *e)
{
	if (kind == JOURNAL_ARMED)
		return journal_roll_forward(path, e);
	if (kind == JOURNAL_NEW) {
		/* never armed: nothing was renamed; the temporary files go as
		 * leftovers of a dead process */
		unlink(path);
		return 0;
	}
	/* a copy: the set's journal decides; a copy cut short means the
	 * journal was not even begun */
	journal j;
	if (journal_read(path, &j) != 0) {
		if (errno != ENOENT)
			unlink(path);
		return 0;
	}
	struct stat st;
	int rc = 0;
	if (stat(j.primary, &st) == 0)
		rc = journal_roll_forward(j.primary, e);
	else
		unlink(path);
	journal_free(&j);
	return rc;
}

int out_recover(const char *target, qe_err *e)
{
	const char *slash = strrchr(target, '/');
	size_t dlen = slash ? (size_t)(slash - target) + 1 : 0;
	const char *base = slash ? slash + 1 : target;
	char *dirname = dlen ? strndup(target, dlen) : strdup(".");
	if (!dirname)
		return qe_err_set(e, QE_INTERNAL, "%s: out of memory", target);
	DIR *d = opendir(dirname);
	free(dirname);
	if (!d)
		return 0;
	/* names first, then the changes: a directory is not changed while read */
	char **names = NULL;
	int *kinds = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		long pid;
		int kind = journal_name(de->d_name, &pid);
		if (kind < 0) {
			if (temp_name(de->d_name, base, &pid) != 0)
				continue;
			kind = 3; /* a temporary file of target */
		}
		if (pid_alive(pid))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			char **nn = realloc(names, cap * sizeof *nn);
			int *nk = nn ? realloc(kinds, cap * sizeof *nk) : NULL;
			if (nn)
				names = nn;
			if (nk)
				kinds = nk;
			if (!nn || !nk) {
				rc = qe_err_set(e, QE_INTERNAL, "%s: out of memory", target);
				break;
			}
		}
		if (!(names[n] = join(target, dlen, de->d_name))) {
			rc = qe_err_set(e, QE_INTERNAL, "%s: out of memory", target);
			break;
		}
		kinds[n++] = kind;
	}
	closedir(d);
	/* journals before leftovers: a journal may still need its temporaries */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n && !rc; i++) {
			if ((kinds[i] == 3) != pass)
				continue;
			if (pass == 0)
				rc = journal_settle(names[i], kinds[i], e);
			else
				unlink(names[i]);
		}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(kinds);
	return rc;
}

/* The permission bits of an existing regular file target into *mode;
 * 0 when there is none (the output is new). */
static int target_mode(const char *target, mode_t *mode)
{
	struct stat st;
	if (stat(target, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	*mode = st.st_mode & 07777;
	return 1;
}

int out_mktemp_beside(const char *target, char **tmp, qe_err *e)
{
	size_t n = strlen(target) + 40;
	mode_t mode;
	*tmp = NULL;
	if (out_recover(target, e))
		return -1;
	if (!(*tmp = malloc(n)))
		return qe_err_set(e, QE_INTERNAL, "%s: out of memory", target), -1;
	snprintf(*tmp, n, "%s.tmp.%ld.XXXXXX", target, (long)getpid());
	int fd = out_mktemp(*tmp), err = fd < 0 ? errno : 0;
	/* Never more open than the file it replaces, even while written:
	 * the target's bits, plus owner read-write so that a writer which
	 * reopens the temporary by name (HDF5) can; out_keep_mode() sets
	 * the exact bits before the rename. */
	if (fd >= 0 && target_mode(target, &mode) &&
	    fchmod(fd, (mode & 0777) | S_IRUSR | S_IWUSR) != 0) {
		err = errno;
		close(fd);
		unlink(*tmp);
		fd = -1;
	}
	if (fd < 0) {
		qe_err_set(e, QE_IO, "%s: cannot create: %s", target, strerror(err));
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	return fd;
}

int out_keep_mode(int fd, const char *target)
{
	mode_t mode;
	if (target_mode(target, &mode) && fchmod(fd, mode) != 0)
		return errno;
	return 0;
}

int out_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!dir)
		return ENOMEM;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;
	free(dir);
	if (fd < 0)
		/* a directory we may write but not read (mode 0300) cannot be
		 * opened to sync: the rename stands, as it did before */
		return errno == EACCES ? 0 : errno;
	/* EINVAL: a file system that cannot sync a directory */
	if (fsync(fd) != 0 && errno != EINVAL)
		err = errno;
	close(fd);
	return err;
}

int out_open(qe_out *o, const char *path, qe_err *e)
{
	memset(o, 0, sizeof *o);
	int how = out_resolve_target(path, &o->path, e);
	if (how < 0)
		return e->code;
	if (how == OUT_STDOUT) {
		o->fp = stdout;
		return 0;
	}
	if (how != OUT_ATOMIC) {
		o->fp = fopen(path, "w");
		if (!o->fp) {
			int rc = qe_err_set(e, QE_IO, "%s: cannot open for writing: %s", path, strerror(errno));
			free(o->path);
			o->path = NULL;
			return rc;
		}
		return 0;
	}
	path = o->path;
	int fd = out_mktemp_beside(path, &o->tmp, e);
	if (fd < 0) {
		free(o->path);
		memset(o, 0, sizeof *o);
		return e->code;
	}
	o->fp = fdopen(fd, "w");
	if (!o->fp) {
		close(fd);
		unlink(o->tmp);
		return qe_err_set(e, QE_IO, "%s: %s", path, strerror(errno));
	}
	return 0;
}

int out_is_null(FILE *fp)
{
	struct stat st, null;
	return fp && fstat(fileno(fp), &st) == 0 && S_ISCHR(st.st_mode) &&
	       stat("/dev/null", &null) == 0 && S_ISCHR(null.st_mode) && st.st_rdev == null.st_rdev;
}

static void release(qe_out *o)
{
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof *o);
}

/* Gives the temporary file tmp the mode of target (out_keep_mode) and
 * fsyncs it. */
static int fsync_path(const char *tmp, const char *target)
{
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);
	int err = 0;
	if (fd < 0 || (err = out_keep_mode(fd, target)) != 0 || fsync(fd) != 0)
		err = err ? err : errno;
	if (fd >= 0)
		close(fd);
	return err;
}

/* Flushes, fsyncs and closes o (stdout is only flushed); o->fp is NULL
 * afterwards.  The temporary file stays until rename or abort. */
static int member_sync(qe_out *o, qe_err *e)
{
	const char *name = o->path ? o->path : "<stdout>";
	int err = 0;
	if (o->ops) {
		void *ctx = o->ctx;
		o->ctx = NULL;
		if (ctx && o->ops->close(ctx, e))
			return e->code;
		if (o->tmp && (err = fsync_path(o->tmp, o->path)) != 0)
			return qe_err_set(e, QE_IO, "%s: write error: %s", name, strerror(err));
		return 0;
	}
	if (!o->fp)
		return 0;
	if (fflush(o->fp) != 0 || ferror(o->fp))
		err = errno ? errno : EIO;
	if (o->fp == stdout) {
		o->fp = NULL;
		if (err) {
			/* Reported here, once: drop what cannot be written so the
			 * close at exit does not fail and report it a second time. */
			__fpurge(stdout);
			clearerr(stdout);
			return qe_err_set(e, QE_IO, "<stdout>: write error: %s", strerror(err));
		}
		return 0;
	}
	if (!err && o->tmp)
		err = out_keep_mode(fileno(o->fp), o->path);
	if (!err && o->tmp && fsync(fileno(o->fp)) != 0)
		err = errno;
	if (fclose(o->fp) != 0 && !err)
		err = errno;
	o->fp = NULL;
	if (err)
		return qe_err_set(e, QE_IO, "%s: write error: %s", name, strerror(err));
	return 0;
}

static int member_rename(qe_out *o, qe_err *e)
{
	if (!o->tmp)
		return 0;
	if (rename(o->tmp, o->path) != 0)
		return qe_err_set(e, QE_IO, "%s: write error: %s", o->path, strerror(errno));
	free(o->tmp);
	o->tmp = NULL;
	o->renamed = 1;
	return 0;
}

/* The length of path's directory part ("" for a bare name). */
static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? (size_t)(slash - path) + 1 : 0;
}

/* After the renames: syncs the directory of every renamed member of
 * m[0..n), each directory once, so that the new names survive a crash. */
static int sync_dirs(qe_out *const *m, size_t n, qe_err *e)
{
	for (size_t i = 0; i < n; i++) {
		if (!m[i]->renamed)
			continue;
		size_t len = dir_len(m[i]->path), j = 0;
		while (j < i && !(m[j]->renamed && dir_len(m[j]->path) == len &&
				  strncmp(m[j]->path, m[i]->path, len) == 0))
			j++;
		int err = j < i ? 0 : out_sync_dir(m[i]->path);
		if (err)
			return qe_err_set(e, QE_IO, "%s: write error: syncing its directory: %s",
					  m[i]->path, strerror(err));
	}
	return 0;
}

int out_commit(qe_out *o, qe_err *e)
{
	int rc = member_sync(o, e);
	if (!rc)
		rc = member_rename(o, e);
	if (!rc)
		rc = sync_dirs(&o, 1, e);
	if (rc)
		out_abort(o);
	else
		release(o);
	return rc;
}

void out_abort(qe_out *o)
{
	if (o->ops && o->ctx)
		o->ops->discard(o->ctx);
	if (o->fp && o->fp != stdout)
		fclose(o->fp);
	if (o->tmp)
		unlink(o->tmp);
	release(o);
}

/* ---- output sets ---------------------------------------------------------- */

struct qe_outset {
	qe_out **m;
	size_t n, cap;
	int synced; /* outset_sync done: only the renames are left */
	void (*hook)(void *ctx, size_t renamed); /* outset_set_commit_hook */
	void *hook_ctx;
};

void outset_set_commit_hook(qe_outset *s, void (*fn)(void *ctx, size_t renamed), void *ctx)
{
	s->hook = fn;
	s->hook_ctx = ctx;
}

/* The journal of one commit: the armed journal and its copies. */
typedef struct commit_journal {
	char *primary, *fresh; /* ".qe-journal" and ".qe-journal.new" */
	char **see;
	size_t nsee;
	int armed;
} commit_journal;

/* "realdir/base" for path, malloc'd; NULL with errno set. */
static char *abs_path(const char *path)
{
	size_t dlen = dir_len(path);
	char *dir = dlen ? strndup(path, dlen) : strdup(".");
	char *real = dir ? realpath(dir, NULL) : NULL;
	free(dir);
	if (!real)
		return NULL;
	char *p = join(real, strlen(real), path + dlen);
	free(real);
	return p;
}

/* Writes buf[0..n) to a new file at path and fsyncs it; 0 or errno. */
static int write_synced(const char *path, const char *buf, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666), err = 0;
	if (fd < 0)
		return errno;
	for (size_t off = 0; off < n && !err;) {
		ssize_t w = write(fd, buf + off, n - off);
		if (w < 0 && errno != EINTR)
			err = errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (err)
		unlink(path);
	return err;
}

/* Removes what a commit journal wrote; the set's commit is over. */
static void journal_end(commit_journal *cj)
{
	for (size_t i = 0; i < cj->nsee; i++) {
		if (cj->see[i])
			unlink(cj->see[i]);
		free(cj->see[i]);
	}
	if (cj->fresh)
		unlink(cj->fresh);
	if (cj->primary && cj->armed)
		unlink(cj->primary);
	free(cj->see);
	free(cj->fresh);
	free(cj->primary);
	memset(cj, 0, sizeof *cj);
}

/* A field of the journal: the text and its NUL (the journal is a
 * sequence of NUL-terminated fields; counts are decimal). */
static void put_field(FILE *mem, const char *text)
{
	fwrite(text, 1, strlen(text) + 1, mem);
}

static void put_count(FILE *mem, size_t n)
{
	char num[32];
	snprintf(num, sizeof num, "%zu", n);
	put_field(mem, num);
}

/* Writes and arms the journal of a commit of the temporary members of s
 * (out_recover reads it): the copies in the other directories first, then
 * the journal, armed by its rename.  Nothing is renamed before. */
static int journal_begin(const qe_outset *s, commit_journal *cj, qe_err *e)
{
	char *buf = NULL, *first = NULL, **dirs = NULL;
	size_t len = 0, ndirs = 0;
	int err = 0;
	const char *what = "";
	FILE *mem = open_memstream(&buf, &len);
	if (!mem || !(dirs = calloc(s->n, sizeof *dirs)) || !(cj->see = calloc(s->n, sizeof *cj->see))) {
		err = ENOMEM;
		goto out;
	}
	/* the pairs, and the directories in order of first appearance */
	size_t npairs = 0;
	for (size_t i = 0; i < s->n; i++)
		npairs += s->m[i]->tmp != NULL;
	put_field(mem, JOURNAL_MAGIC);
	long pid = (long)getpid();
	for (size_t i = 0; i < s->n && !err; i++) {
		qe_out *o = s->m[i];
		if (!o->tmp)
			continue;
		char *t = abs_path(o->tmp), *p = t ? abs_path(o->path) : NULL;
		if (!p) {
			err = errno;
			what = o->path;
			free(t);
			break;
		}
		size_t dl = dir_len(p), k = 0;
		while (k < ndirs && !(strlen(dirs[k]) == dl && strncmp(dirs[k], p, dl) == 0))
			k++;
		if (k == ndirs && !(dirs[ndirs++] = strndup(p, dl)))
			err = ENOMEM;
		if (!first && !err) {
			/* the first target names the journal */
			size_t n = dl + strlen(p + dl) + 64;
			if ((first = malloc(n)) && (cj->primary = malloc(n)) && (cj->fresh = malloc(n))) {
				snprintf(first, n, "%s", p);
				snprintf(cj->primary, n, "%.*s.%s.%ld%s", (int)dl, p, p + dl, pid,
					 journal_suffix[JOURNAL_ARMED]);
				snprintf(cj->fresh, n, "%s%s", cj->primary, ".new");
				put_field(mem, cj->primary);
				put_count(mem, npairs);
			} else {
				err = ENOMEM;
			}
		}
		put_field(mem, t);
		put_field(mem, p);
		free(t);
		free(p);
	}
	if (err)
		goto out;
	const char *base = first + dir_len(first);
	put_count(mem, ndirs - 1);
	for (size_t k = 1; k < ndirs; k++) {
		size_t n = strlen(dirs[k]) + strlen(base) + 64;
		if (!(cj->see[cj->nsee] = malloc(n))) {
			err = ENOMEM;
			goto out;
		}
		snprintf(cj->see[cj->nsee++], n, "%s.%s.%ld%s", dirs[k], base, pid,
			 journal_suffix[JOURNAL_SEE]);
		put_field(mem, cj->see[cj->nsee - 1]);
	}
	put_field(mem, "end");
	if (fclose(mem) != 0) {
		mem = NULL;
		err = ENOMEM;
		goto out;
	}
	mem = NULL;
	for (size_t k = 0; k < cj->nsee && !err; k++)
		if ((err = write_synced(cj->see[k], buf, len)) != 0 || (err = out_sync_dir(cj->see[k])) != 0)
			what = cj->see[k];
	if (!err && (err = write_synced(cj->fresh, buf, len)) != 0)
		what = cj->fresh;
	if (!err && rename(cj->fresh, cj->primary) != 0) {
		err = errno;
		what = cj->primary;
	}
	if (!err) {
		cj->armed = 1;
		free(cj->fresh);
		cj->fresh = NULL;
		if ((err = out_sync_dir(cj->primary)) != 0)
			what = cj->primary;
	}
out:
	if (mem)
		fclose(mem);
	free(buf);
	free(first);
	for (size_t k = 0; dirs && k < ndirs; k++)
		free(dirs[k]);
	free(dirs);
	if (!err)
		return 0;
	if (err == ENOMEM)
		qe_err_set(e, QE_INTERNAL, "commit journal: out of memory");
	else
		qe_err_set(e, QE_IO, "%s: cannot write the commit journal: %s", what, strerror(err));
	cj->armed = 1; /* remove the journal too if the rename went through */
	journal_end(cj);
	return e->code;
}

qe_outset *outset_new(void)
{
	return calloc(1, sizeof(qe_outset));
}

void outset_free(qe_outset *s)
{
	if (!s)
		return;
	outset_abort(s);
	free(s->m);
	free(s);
}

/* A new zeroed member at the end of the set, or NULL. */
static qe_out *add_member(qe_outset *s, const char *path, qe_err *e)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		qe_out **m = realloc(s->m, cap * sizeof *m);
		if (!m)
			return qe_err_set(e, QE_INTERNAL, "%s: out of memory", path ? path : "-"), NULL;
		s->m = m;
		s->cap = cap;
	}
	qe_out *o = calloc(1, sizeof *o);
	if (!o)
		return qe_err_set(e, QE_INTERNAL, "%s: out of memory", path ? path : "-"), NULL;
	s->synced = 0;
	return s->m[s->n++] = o;
}

static void drop_last(qe_outset *s)
{
	free(s->m[--s->n]);
}

qe_out *outset_open(qe_outset *s, const char *path, qe_err *e)
{
	qe_out *o = add_member(s, path, e);
	if (o && out_open(o, path, e)) {
		drop_last(s);
		return NULL;
	}
	return o;
}

qe_out *outset_add_file(qe_outset *s, const char *path, const struct out_file_ops *ops,
			void *ctx, qe_err *e)
{
	qe_out *o = add_member(s, path, e);
	if (!o)
		return NULL;
	int how = out_resolve_target(path, &o->path, e), fd = -1;
	if (how == OUT_STDOUT || how == OUT_SPECIAL)
		qe_err_set(e, QE_IO, "%s: needs a regular file, not standard output or a device",
			   path ? path : "-");
	else if (how == OUT_ATOMIC && (fd = out_mktemp_beside(o->path, &o->tmp, e)) >= 0)
		close(fd);
	if (how < 0 || how == OUT_STDOUT || how == OUT_SPECIAL || (how == OUT_ATOMIC && fd < 0)) {
		free(o->path);
		drop_last(s);
		return NULL;
	}
	o->ops = ops;
	o->ctx = ctx;
	return o;
}

void outset_discard(qe_outset *s, qe_out *member)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->m[i] == member) {
			out_abort(member);
			free(member);
			memmove(&s->m[i], &s->m[i + 1], (s->n - i - 1) * sizeof *s->m);
			s->n--;
			return;
		}
}

qe_out *outset_member(const qe_outset *s, size_t i)
{
	return i < s->n ? s->m[i] : NULL;
}

void outset_abort(qe_outset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		out_abort(s->m[i]);
		free(s->m[i]);
	}
	s->n = 0;
	s->synced = 0;
}

int outset_sync(qe_outset *s, qe_err *e)
{
	if (s->synced)
		return 0;
	/* temporary files first: a failure there must come before anything
	 * written in place (stdout) goes out */
	for (int in_place = 0; in_place < 2; in_place++)
		for (size_t i = 0; i < s->n; i++)
			if ((s->m[i]->tmp == NULL) == in_place && member_sync(s->m[i], e)) {
				outset_abort(s);
				return e->code;
			}
	s->synced = 1;
	return 0;
}

int outset_commit(qe_outset *s, qe_err *e)
{
	if (outset_sync(s, e))
		return e->code;
	size_t done = 0, ntemps = 0, renamed = 0;
	int rc = 0;
	commit_journal cj = {0};
	for (size_t i = 0; i < s->n; i++)
		ntemps += s->m[i]->tmp != NULL;
	/* one rename is atomic by itself; two or more need the journal */
	if (ntemps >= 2 && (rc = journal_begin(s, &cj, e)) != 0) {
		outset_abort(s);
		return rc;
	}
	if (cj.armed && s->hook)
		s->hook(s->hook_ctx, 0);
	for (; done < s->n && !rc; done++) {
		int had_tmp = s->m[done]->tmp != NULL;
		rc = member_rename(s->m[done], e);
		if (!rc && had_tmp && cj.armed && s->hook)
			s->hook(s->hook_ctx, ++renamed);
	}
	if (rc && done > 1) {
		/* cannot happen short of a concurrent change to the directory:
		 * every temporary file sits beside its target */
		char msg[sizeof e->msg];
		memcpy(msg, e->msg, sizeof msg);
		qe_err_set(e, QE_IO, "%s (%zu other output%s already replaced)", msg, done - 1,
			   done == 2 ? "" : "s");
	}
	/* every output is in place; a failure here means the new names may
	 * not survive a crash, and is a write error all the same */
	if (!rc)
		rc = sync_dirs(s->m, s->n, e);
	journal_end(&cj);
	outset_abort(s); /* removes the temporary files a failure left */
	return rc;
}

int sha256_file(const char *path, char hex[65], qe_err *e)
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t n;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return qe_err_set(e, QE_IO, "%s: cannot open: %s", path, strerror(errno));
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		fclose(fp);
		EVP_MD_CTX_free(ctx);
		return qe_err_set(e, QE_INTERNAL, "sha256: cannot initialise");
	}
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		EVP_DigestUpdate(ctx, buf, n);
	int rd_err = ferror(fp);
	fclose(fp);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (rd_err)
		return qe_err_set(e, QE_IO, "%s: read error", path);
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}
