/*
 * h5table: column tables in HDF5 files, streamed in bounded memory.
 *
 * Layout (qe-formats(5) "HDF5 tables"): one group per table, one 1-D
 * dataset per column, chunked with shuffle + deflate and extendible, so
 * rows are appended a chunk at a time and memory stays flat whatever the
 * table size.  Strings are variable-length UTF-8 (or fixed-length,
 * h5tab_begin_fixed), numbers IEEE double,
 * integers int64, dates int64 days since 1970-01-01 and timestamps int64
 * epoch seconds.  Every dataset carries a "kind" attribute (string,
 * double, int64, date, timestamp) and optionally "units"; the group
 * carries "schema" (the table kind), "schema_version" and "columns" (the
 * header in order, comma-separated).  A missing double is NaN, a missing
 * int64/date/timestamp is H5TAB_MISSING_INT (INT64_MIN), a missing string
 * is "".  h5py and pandas (through h5py) read the files with no custom code.
 *
 * Owns: the HDF5 handles and the chunk buffers of its writers and readers;
 * a file being written lives under a temporary name until h5file_commit()
 * renames it over the target (a failed run never leaves a half-written
 * file).  Never prints: errors come back in a qe_err (QE_IO for files that cannot be
 * created, opened or written; QE_DATA for files that are not HDF5, are
 * truncated or corrupt, or do not hold the expected table).  Never exits.
 * Not thread-safe (the serial HDF5 library is not).
 *
 * Process state: every open or create turns off HDF5's automatic
 * error-stack print on the default stack (H5Eset_auto2) - a setting of
 * the HDF5 library for the whole process, not only for these files -
 * and uses the library's global error stack to word messages.
 */
#ifndef QE_H5TABLE_H
#define QE_H5TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "io/formats.h"
#include "io/outfile.h"

enum h5tab_kind {
	H5TAB_STRING = 1,
	H5TAB_DOUBLE,
	H5TAB_INT64,
	H5TAB_DATE,      /* int64 days since 1970-01-01 */
	H5TAB_TIMESTAMP  /* int64 seconds since 1970-01-01T00:00:00Z */
};

#define H5TAB_MISSING_INT INT64_MIN
#define H5TAB_SCHEMA_VERSION FORMATS_VERSION

typedef struct h5tab_col {
	const char *name;
	int kind;          /* enum h5tab_kind */
	const char *units; /* NULL or "" = no units attribute */
} h5tab_colspec;

/* "string", "double", ... for a kind; NULL if unknown. */
const char *h5tab_kind_name(int kind);
/* The HDF5 column kind of a column type of io/formats.h (enum formats_type). */
int h5tab_kind_of(int formats_type);
/* The column specs of file kind `kind` (enum formats_kind) into out[max]:
 * its names, HDF5 kinds and units.  Returns the column count, or -1 when
 * the kind is unknown or has more than max columns. */
int h5tab_colspecs(int kind, h5tab_colspec *out, int max);

/* --- writing ----------------------------------------------------------- */
typedef struct h5file h5file;
typedef struct h5tab_writer h5tab_writer;

/* Creates path (through a temporary file in the same directory). */
h5file *h5file_create(const char *path, qe_err *e);
/* Creates path as a member of an output set (outfile.h): the set holds
 * the temporary file and renames it with the set's other outputs at
 * outset_commit(), which also finishes and closes the file if
 * h5file_commit() was not called.  h5file_abort() removes it from the
 * set. */
h5file *h5file_create_in(qe_outset *s, const char *path, qe_err *e);
/* Finishes any open table writers, closes, fsyncs and renames into place
 * with the replaced file's permission bits, then fsyncs the directory
 * (outfile.h; a member of a set is only finished and closed: the set
 * fsyncs and renames it, and drops it when this fails).  Frees f
 * whatever the outcome. */
int h5file_commit(h5file *f, qe_err *e);
/* Discards the file (removes the temporary); frees f and its writers. */
void h5file_abort(h5file *f);

/* Starts table `table` (a group of that name) with ncols columns.  The
 * column specs are copied.  Several tables may be written to one file, one
 * after the other or interleaved. */
h5tab_writer *h5tab_begin(h5file *f, const char *table, const h5tab_colspec *cols, int ncols,
			  qe_err *e);
/* The same with fixed-length string columns: widths[i] > 0 stores string
 * column i as NUL-padded UTF-8 of exactly widths[i] bytes (h5py reads it as
 * bytes, .asstr() decodes), which compresses well and writes ten times
 * faster than variable-length strings; a longer value is an error at
 * h5tab_end_row.  widths NULL or 0 entries: variable length. */
h5tab_writer *h5tab_begin_fixed(h5file *f, const char *table, const h5tab_colspec *cols,
				int ncols, const size_t *widths, qe_err *e);
/* Sets a field of the current row; unset fields are missing.  The string
 * is copied.  Calling a setter of the wrong kind is a bug (ignored). */
void h5tab_set_str(h5tab_writer *w, int col, const char *s, size_t len);
void h5tab_set_double(h5tab_writer *w, int col, double x);
void h5tab_set_int64(h5tab_writer *w, int col, int64_t x); /* int64, date, timestamp */
/* Ends the row; appends a chunk to the file when the buffer is full. */
int h5tab_end_row(h5tab_writer *w, qe_err *e);
/* Flushes and closes the table; w is freed.  Optional: h5file_commit
 * finishes tables left open. */
int h5tab_finish(h5tab_writer *w, qe_err *e);
int64_t h5tab_rows_written(const h5tab_writer *w);

/* --- reading ----------------------------------------------------------- */
typedef struct h5tab_reader h5tab_reader;

/* Opens table `table` of path; table NULL opens the file's only table
 * (QE_DATA when there are several or none). */
h5tab_reader *h5tab_open(const char *path, const char *table, qe_err *e);
void h5tab_close(h5tab_reader *r);

const char *h5tab_table(const h5tab_reader *r);   /* group name */
const char *h5tab_schema(const h5tab_reader *r);  /* "schema" attribute or "" */
int64_t h5tab_schema_version(const h5tab_reader *r);
int64_t h5tab_nrows(const h5tab_reader *r);
int h5tab_ncols(const h5tab_reader *r);
const char *h5tab_colname(const h5tab_reader *r, int col);
int h5tab_colkind(const h5tab_reader *r, int col);
const char *h5tab_colunits(const h5tab_reader *r, int col); /* "" if none */
int h5tab_col(const h5tab_reader *r, const char *name);     /* index or -1 */

/* Advances to the next row: 1 row ready, 0 end of table, <0 error (e set,
 * QE_DATA for a truncated or corrupt file). */
int h5tab_next(h5tab_reader *r, qe_err *e);
/* Fields of the current row (wrong-kind calls return ""/NaN/missing).
 * String pointers stay valid until the next h5tab_next(). */
const char *h5tab_str(const h5tab_reader *r, int col);
double h5tab_double(const h5tab_reader *r, int col);
int64_t h5tab_int64(const h5tab_reader *r, int col);

#endif
