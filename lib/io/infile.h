/*
 * infile: opens an input file the way every reader wants it, gzip or not.
 *
 * A stream that starts with the gzip magic bytes 1f 8b is decompressed
 * transparently (zlib), whatever its name, so `qe-x data.csv.gz` and
 * `zcat -f | qe-x` and `qe-x < data.csv.gz` all read the same records;
 * concatenated gzip members are read one after the other.  Any other
 * stream is handed back as it is, at no cost.
 *
 * The FILE returned is the caller's to fclose (unless it is stdin): for a
 * gzip stream it is a stdio cookie stream (fopencookie) that owns the
 * compressed source.  Corrupt or truncated gzip data is a read error of
 * that FILE with errno EBADMSG or ENODATA; infile_strerror() names them.
 * Never prints.
 */
#ifndef QE_INFILE_H
#define QE_INFILE_H

#include <stdio.h>

#include "core/diag.h"

/* Opens path for reading ("-" or NULL: stdin).  Sets *gzip (may be NULL)
 * when the input is gzip-compressed.  NULL (e filled: QE_IO, "path:
 * cannot open: ...") on failure. */
FILE *infile_open(const char *path, int *gzip, qe_err *e);

/* The same over a stream already open, read from its current position:
 * returns fp itself for plain input, else a decompressing stream that
 * reads fp (and closes it when closed, if owns).  NULL only when out of
 * memory (fp then closed if owns). */
FILE *infile_wrap(FILE *fp, int owns, int *gzip, qe_err *e);

/* strerror() that also names the errors of a gzip stream: "corrupt gzip
 * data" (EBADMSG), "truncated gzip data" (ENODATA). */
const char *infile_strerror(int errnum);
/* Fills e with "name: read error: <infile_strerror>" for a read that
 * failed with errnum; returns the code: QE_DATA for corrupt or truncated
 * gzip data (the bytes are there, they are bad), QE_IO otherwise. */
int infile_read_error(qe_err *e, const char *name, int errnum);

#endif
