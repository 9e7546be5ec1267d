/*
 * outfile: atomic outputs and SHA-256 digests.
 *
 * out_open() gives a FILE to write to.  For a regular file path the data
 * go to a temporary file in the same directory; out_commit() flushes,
 * fsyncs and renames it over the target, so a failed run never leaves a
 * half-written file and never clobbers the previous good one.  "-" or
 * NULL means stdout; a path that is not a regular file (/dev/full, a
 * FIFO) is written in place.  Every write error, including ENOSPC, is
 * reported by out_commit() as QE_IO.
 *
 * Owns the temporary file until commit or abort.  Never prints.
 */
#ifndef QE_OUTFILE_H
#define QE_OUTFILE_H

#include <stdio.h>

#include "core/diag.h"

typedef struct qe_out {
	FILE *fp;
	char *path;  /* target, NULL for stdout */
	char *tmp;   /* temporary path, NULL when writing in place */
} qe_out;

/* How an output path is written (out_resolve_target). */
enum out_target {
	OUT_STDOUT,  /* NULL, "-", /dev/stdout, /dev/fd/1, /proc/self/fd/1 */
	OUT_ATOMIC,  /* regular file (or new): temporary beside *target, renamed over it */
	OUT_SPECIAL, /* device, FIFO, anything under /dev or /proc: written in place */
	OUT_THROUGH  /* dangling symlink: written in place, creating its target */
};
/* Resolves an output path: a symlink is followed (realpath) so that the
 * temporary file and the rename act on the link's target and the link
 * survives; nothing under /dev or /proc is ever renamed over.  Returns an
 * enum out_target and sets *target to a malloc'd path to write (NULL for
 * OUT_STDOUT), or -1 with e set when out of memory.  Used by out_open and
 * by other writers that need their own file handling (lib/h5table). */
int out_resolve_target(const char *path, char **target, qe_err *e);

/* Like mkstemp(3): replaces the trailing "XXXXXX" of tmpl and creates
 * that file exclusively, returning an open read-write descriptor or -1
 * with errno set.  Unlike mkstemp the mode is 0666 less the umask, as
 * for any new file a tool writes, applied by the kernel: the umask is
 * never read or changed. */
int out_mktemp(char *tmpl);

int out_open(qe_out *o, const char *path, qe_err *e);
int out_commit(qe_out *o, qe_err *e);
/* Discards a partly written output (removes the temporary file). */
void out_abort(qe_out *o);

/* SHA-256 of a file as 64 lowercase hex digits + NUL (hex needs 65 bytes). */
int sha256_file(const char *path, char hex[65], qe_err *e);

#endif
