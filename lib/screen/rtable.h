/*
 * rtable: the small input tables of qe-screen (counterparties, limits,
 * Shariah profiles and instrument rules, VaR results, valuations, the
 * ladder, the live trades) read whole into memory as text, by the column
 * names a rule needs, with each row's line for messages.
 *
 * Owns copies of the file name and of every cell; rtable_free() releases
 * them.  The cells of a table live in a few large blocks (one allocation
 * per block, not per cell: a million-row trades file is read without
 * twenty million mallocs); a cell is never freed or replaced on its own.
 * Never prints.  Numbers are parsed on demand (core/num), with
 * errors at file:line:col naming the column and the value.
 */
#ifndef QE_RTABLE_H
#define QE_RTABLE_H

#include <stddef.h>

#include "core/diag.h"

typedef struct rtable {
	char *file;      /* as in messages */
	int ncols;       /* the columns asked for */
	const char *const *names; /* their names (the caller's array, which must outlive t) */
	int *filecol;    /* their 0-based position in the file */
	size_t n;        /* rows */
	char **cell;     /* cell[row * ncols + col] */
	long *line;      /* line of each row */
	/* rows [first2, n) come from a second file (rtable_append), with its
	 * own name and column positions; file2 NULL when none */
	char *file2;
	int *filecol2;
	size_t first2;
	struct rtable_block *blocks; /* the cells' storage, newest first */
} rtable;

/* Reads path (gzip too) keeping columns cols[0..ncols) (missing one:
 * QE_DATA "file:1:1: missing required column 'x'"); optional[i] set
 * means column i may be absent (its cells are then "").  A malformed
 * record is QE_DATA at file:line:col; an unreadable file QE_IO. */
int rtable_read(const char *path, const char *const *cols, const int *optional, int ncols, rtable *t,
		qe_err *e);
void rtable_free(rtable *t);
/* Appends the rows of a second file with the same columns (its own
 * order); messages about them name that file.  At most one append. */
int rtable_append(const char *path, const int *optional, rtable *t, qe_err *e);
/* The file row came from, as in messages. */
static inline const char *rtable_file(const rtable *t, size_t row)
{
	return t->file2 && row >= t->first2 ? t->file2 : t->file;
}

static inline const char *rtable_get(const rtable *t, size_t row, int col)
{
	return t->cell[row * (size_t)t->ncols + (size_t)col];
}

/* The number in cell (row, col): finite, or QE_DATA at file:line:col.
 * An empty cell is NaN when empty_ok, else QE_DATA. */
int rtable_num(const rtable *t, size_t row, int col, int empty_ok, double *out, qe_err *e);
/* QE_DATA "file:line:col: column 'name': <msg>" at cell (row, col). */
int rtable_error(const rtable *t, size_t row, int col, qe_err *e, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* First row whose column col equals s, or -1 (linear; tables are small). */
long rtable_find(const rtable *t, int col, const char *s);

#endif
