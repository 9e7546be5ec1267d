/*
 * outfile: atomic outputs and SHA-256 digests.
 *
 * out_open() gives a FILE to write to.  For a regular file path the data
 * go to a temporary file in the same directory; out_commit() flushes,
 * fsyncs and renames it over the target, then fsyncs the directory, so a
 * failed run never leaves a half-written file and never clobbers the
 * previous good one.  A replaced file keeps its permission bits (the
 * temporary file gets them); a new one is 0666 less the umask.  "-" or
 * NULL means stdout; a path that is not a regular file (/dev/full, a
 * FIFO) is written in place.  Every write error, including ENOSPC, is
 * reported by out_commit() as QE_IO.
 *
 * A run with several outputs puts them in one qe_outset: outset_commit()
 * first flushes and fsyncs every one, and only when all of them are
 * written renames them all into place; on any failure it removes every
 * temporary file and leaves every previous file untouched.  HDF5 files
 * (lib/h5table) join a set through outset_add_file().
 *
 * A commit of two or more temporary files is journaled, so that a kill
 * (SIGKILL, a crash) between its renames never leaves a mix of old and
 * new outputs for good: before the first rename outset_commit() writes
 * and fsyncs a journal listing every temporary -> target pair (absolute
 * paths), ".NAME.PID.qe-journal" beside the first target NAME (written as
 * ".qe-journal.new" and renamed: the rename arms it), plus a copy
 * ".NAME.PID.qe-journal.see" in every other directory of the set, written
 * before the journal is armed; it removes them after the last rename.
 * The next run that opens an output in one of those directories
 * (out_recover) rolls an armed journal of a dead process forward: it
 * completes the renames, so the set ends all new; a journal that was never
 * armed is removed, and with it the run's temporary files: all old.
 * Temporary files are named "<target>.tmp.<pid>.XXXXXX"; the next run that
 * writes the same target removes those whose process is gone.  A process
 * is "gone" when kill(pid, 0) says so: runs sharing a directory must share
 * a pid namespace (one machine, one container).
 *
 * Owns the temporary files until commit or abort.  Never prints, never
 * installs signal handlers or exit hooks: removing the temporary files of
 * an interrupted process is the command layer's job (cmd/cli.h), which
 * reads their names from the set (outset_member).
 */
#ifndef QE_OUTFILE_H
#define QE_OUTFILE_H

#include <stdio.h>

#include "core/diag.h"

struct out_file_ops;

typedef struct qe_out {
	FILE *fp;
	char *path;  /* target, NULL for stdout */
	char *tmp;   /* temporary path, NULL when writing in place */
	/* a member of a set written by its own file code (outset_add_file) */
	const struct out_file_ops *ops;
	void *ctx;   /* NULL once closed */
	int renamed; /* the temporary file was renamed over path */
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

/* Recovery after a killed run, in the directory of target (out_mktemp_beside
 * calls it before it creates a temporary file): every commit journal of
 * a dead process in that directory is rolled forward (armed) or removed
 * (never armed), then the temporary files of target left by dead
 * processes are removed.  Journals and temporary files of live processes
 * are left alone.  Returns 0, or QE_IO with e naming the journal when a
 * rename it lists fails or an armed journal cannot be read (it is kept:
 * it must be settled before any new output replaces those targets).  A
 * directory that cannot be read is not an error here. */
int out_recover(const char *target, qe_err *e);

/* Like mkstemp(3): replaces the trailing "XXXXXX" of tmpl and creates
 * that file exclusively, returning an open read-write descriptor or -1
 * with errno set.  Unlike mkstemp the mode is 0666 less the umask, as
 * for any new file a tool writes, applied by the kernel: the umask is
 * never read or changed. */
int out_mktemp(char *tmpl);
/* The temporary file of an atomic output: out_recover(target), then
 * out_mktemp() on "<target>.tmp.<pid>.XXXXXX", *tmp set to its malloc'd
 * name.  When target
 * exists the file is never more open than target while it is written:
 * target's permission bits plus owner read-write (out_keep_mode() gives
 * the exact bits before the rename).  Returns the descriptor, or -1 with
 * e set (QE_IO) and *tmp NULL. */
int out_mktemp_beside(const char *target, char **tmp, qe_err *e);
/* Gives fd (a temporary file) the permission bits of target, when target
 * is an existing regular file, so that renaming over target keeps its
 * mode: a 0600 file stays 0600.  Returns 0 or an errno value. */
int out_keep_mode(int fd, const char *target);
/* After a rename: fsyncs the directory that holds path.  Returns 0 or an
 * errno value; a directory that cannot be read (EACCES) or a file system
 * that cannot sync directories (EINVAL) is not an error. */
int out_sync_dir(const char *path);

int out_open(qe_out *o, const char *path, qe_err *e);
/* 1 when fp writes to the null device (-o /dev/null, or stdout redirected
 * there): whatever is written is discarded, so a writer may skip it. */
int out_is_null(FILE *fp);
int out_commit(qe_out *o, qe_err *e);
/* Discards a partly written output (removes the temporary file). */
void out_abort(qe_out *o);

/* --- output sets ------------------------------------------------------- */
typedef struct qe_outset qe_outset;

/* How a set closes and discards a member written by its own file code
 * (an HDF5 file): close() finishes and closes the file, before the set
 * fsyncs and renames it, and frees ctx whatever the outcome; discard()
 * frees ctx without finishing.  The set calls one of them, once. */
struct out_file_ops {
	int (*close)(void *ctx, qe_err *e);
	void (*discard)(void *ctx);
};

/* NULL when out of memory. */
qe_outset *outset_new(void);
/* Discards what is left uncommitted and frees the set. */
void outset_free(qe_outset *s);
/* Opens one more output of the set, as out_open; write to the returned
 * member's fp.  The member belongs to the set (valid until commit or
 * discard).  NULL with e set on failure; the set is unchanged. */
qe_out *outset_open(qe_outset *s, const char *path, qe_err *e);
/* Adds an output written by its own file code: the set creates the
 * temporary file, the writer writes to member->tmp (or member->path when
 * the output is written in place: OUT_THROUGH).  Standard output and
 * devices are refused (such writers seek).  ops and ctx as above; ctx may
 * be set later (member->ctx).  NULL with e set on failure. */
qe_out *outset_add_file(qe_outset *s, const char *path, const struct out_file_ops *ops,
			void *ctx, qe_err *e);
/* Removes one member: closes it, removes its temporary file. */
void outset_discard(qe_outset *s, qe_out *member);
/* The members in the order they were added; NULL past the end.  The
 * command layer reads their temporary paths to clean up after signals. */
qe_out *outset_member(const qe_outset *s, size_t i);
/* First step of a commit: flushes, fsyncs and closes every member
 * (temporary files first, then outputs written in place such as stdout);
 * a temporary file gets its target's permission bits (out_keep_mode).
 * On failure every member is discarded and e names the output. */
int outset_sync(qe_outset *s, qe_err *e);
/* outset_sync() if not yet done, then renames every temporary file over
 * its target and fsyncs their directories (a failure there is QE_IO,
 * with every output already in place).  The set is empty afterwards,
 * whatever the outcome, and can be used again. */
int outset_commit(qe_outset *s, qe_err *e);
/* Discards every member (removes their temporary files). */
void outset_abort(qe_outset *s);
/* For fault tests: outset_commit() calls fn(ctx, k) once the journal is
 * armed (k = 0) and after its k-th rename (k = 1..n), so that a test can
 * stop the process inside the commit (tests/unit/test_outfile.c).  Only
 * journaled commits (two or more temporary files) call it. */
void outset_set_commit_hook(qe_outset *s, void (*fn)(void *ctx, size_t renamed), void *ctx);

/* SHA-256 of a file as 64 lowercase hex digits + NUL (hex needs 65 bytes). */
int sha256_file(const char *path, char hex[65], qe_err *e);

#endif
