/*
 * csvblock: the records of a CSV reader read ahead in blocks, the fields
 * of the columns a caller maps copied out of the reader (whose field
 * pointers last only until its next record), so that the records of a
 * block can be checked and parsed in parallel and their results taken in
 * file order - the row-by-row reader's results and messages, on more
 * than one core (settle/book, price/valuation's in-memory book).
 *
 * Owns the copies (csvblock_free).  Never prints.
 */
#ifndef QE_CSVBLOCK_H
#define QE_CSVBLOCK_H

#include <stddef.h>

#include "core/diag.h"
#include "io/csvio.h"
#include "io/csvscan.h"

typedef struct csvblock {
	size_t n;        /* records in the block */
	int st;          /* the reader after it: CSVR_ROW (more to read), CSVR_EOF, CSVR_FATAL */
	qe_err err;      /* the reader's error when st is CSVR_FATAL */
	/* the copies */
	int ncols;
	size_t max;
	char *text;
	size_t len, cap;
	size_t *off, *flen; /* [record * ncols + field] */
	long *line;
	int *bad;           /* per record: -1, or its index in bad_err (CSVR_BADROW) */
	qe_err *bad_err;
	size_t nbad;
} csvblock;

/* Room for blocks of up to max records of ncols fields each (st
 * CSVR_ROW: nothing read yet).  0, or -1 when out of memory. */
int csvblock_init(csvblock *k, int ncols, size_t max);
void csvblock_free(csvblock *k);
/* Reads the next records of r into k, up to max, until the end of the
 * input or a fatal error (k->st says which); field j of a record is the
 * reader's column col[j] ("" when col[j] < 0).  A malformed record
 * (CSVR_BADROW) is a record of the block with its error.  0, or -1 when
 * out of memory. */
int csvblock_fill(csvblock *k, csv_reader *r, const int *col);
/* The fields of record i (each NUL-ended). */
void csvblock_fields(const csvblock *k, size_t i, csvscan_field *f);
/* The line record i starts on (the reader's csvr_line). */
static inline long csvblock_line(const csvblock *k, size_t i)
{
	return k->line[i];
}
/* The reader's error of a malformed record i, NULL for a good one. */
static inline const qe_err *csvblock_bad(const csvblock *k, size_t i)
{
	return k->bad[i] < 0 ? NULL : &k->bad_err[k->bad[i]];
}

#endif
