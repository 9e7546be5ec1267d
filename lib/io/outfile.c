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
	size_t n = strlen(path) + 16;
	o->tmp = malloc(n);
	if (!o->tmp)
		return qe_err_set(e, QE_INTERNAL, "%s: out of memory", path);
	snprintf(o->tmp, n, "%s.tmp.XXXXXX", path);
	int fd = out_mktemp(o->tmp);
	if (fd < 0) {
		int rc = qe_err_set(e, QE_IO, "%s: cannot create: %s", path, strerror(errno));
		free(o->tmp);
		free(o->path);
		memset(o, 0, sizeof *o);
		return rc;
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

int out_commit(qe_out *o, qe_err *e)
{
	const char *name = o->path ? o->path : "<stdout>";
	int err = 0;
	if (!o->fp)
		return 0;
	if (fflush(o->fp) != 0 || ferror(o->fp))
		err = errno ? errno : EIO;
	if (o->fp == stdout) {
		o->fp = NULL;
		release(o);
		if (err) {
			/* Reported here, once: drop what cannot be written so the
			 * close at exit does not fail and report it a second time. */
			__fpurge(stdout);
			clearerr(stdout);
			return qe_err_set(e, QE_IO, "<stdout>: write error: %s", strerror(err));
		}
		return 0;
	}
	if (!err && o->tmp && fsync(fileno(o->fp)) != 0)
		err = errno;
	if (fclose(o->fp) != 0 && !err)
		err = errno;
	o->fp = NULL;
	if (!err && o->tmp && rename(o->tmp, o->path) != 0)
		err = errno;
	if (err) {
		int rc = qe_err_set(e, QE_IO, "%s: write error: %s", name, strerror(err));
		if (o->tmp)
			unlink(o->tmp);
		release(o);
		return rc;
	}
	release(o);
	return 0;
}

void out_abort(qe_out *o)
{
	if (o->fp && o->fp != stdout)
		fclose(o->fp);
	if (o->tmp)
		unlink(o->tmp);
	release(o);
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
