#include "io/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
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
	size_t n = strlen(target) + 16;
	mode_t mode;
	if (!(*tmp = malloc(n)))
		return qe_err_set(e, QE_INTERNAL, "%s: out of memory", target), -1;
	snprintf(*tmp, n, "%s.tmp.XXXXXX", target);
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
};

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
	size_t done = 0;
	int rc = 0;
	for (; done < s->n && !rc; done++)
		rc = member_rename(s->m[done], e);
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
