#include "screen/rtable.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"
#include "io/csvio.h"

/* A block of cell text: rows are copied in whole, so a table of n rows
 * costs about n / (BLOCK_SIZE / row bytes) allocations. */
struct rtable_block {
	struct rtable_block *next;
	size_t used, cap;
	char text[];
};
enum { BLOCK_SIZE = 1 << 20 };

/* Room for need bytes of cell text: a pointer into the newest block, or
 * into a new one (a row longer than a block gets a block of its own). */
static char *block_room(rtable *t, size_t need)
{
	struct rtable_block *b = t->blocks;
	if (!b || b->cap - b->used < need) {
		size_t cap = need > BLOCK_SIZE ? need : BLOCK_SIZE;
		if (!(b = malloc(sizeof *b + cap)))
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = t->blocks;
		t->blocks = b;
	}
	char *p = b->text + b->used;
	b->used += need;
	return p;
}

void rtable_free(rtable *t)
{
	for (struct rtable_block *b = t->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(t->cell);
	free(t->line);
	free(t->filecol);
	free(t->file);
	free(t->filecol2);
	free(t->file2);
	memset(t, 0, sizeof *t);
}

static int grow(rtable *t, size_t *cap)
{
	if (t->n < *cap)
		return 0;
	size_t nc = *cap ? 2 * *cap : 64;
	char **cell = realloc(t->cell, nc * (size_t)t->ncols * sizeof *cell);
	if (!cell)
		return -1;
	t->cell = cell;
	long *line = realloc(t->line, nc * sizeof *line);
	if (!line)
		return -1;
	t->line = line;
	*cap = nc;
	return 0;
}

/* Maps the columns of r into filecol (missing required one: QE_DATA). */
static int map_cols(csv_reader *r, const char *const *cols, const int *optional, int ncols, int *filecol,
		    qe_err *e)
{
	for (int j = 0; j < ncols; j++) {
		filecol[j] = csvr_col(r, cols[j]);
		if (filecol[j] < 0 && !(optional && optional[j]))
			return csvr_missing(r, cols[j], e);
	}
	return 0;
}

/* Appends every record of r, columns at filecol. */
static int read_rows(csv_reader *r, const int *filecol, rtable *t, size_t *cap, qe_err *e)
{
	int st, ncols = t->ncols;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		if (st != CSVR_ROW)
			return e->code;
		if (grow(t, cap))
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		char **row = t->cell + t->n * (size_t)ncols;
		size_t need = 0;
		for (int j = 0; j < ncols; j++) {
			size_t len = 0;
			if (filecol[j] >= 0)
				csvr_field(r, filecol[j], &len);
			need += len + 1;
		}
		char *p = block_room(t, need);
		if (!p)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		for (int j = 0; j < ncols; j++) {
			size_t len = 0;
			const char *f = filecol[j] < 0 ? "" : csvr_field(r, filecol[j], &len);
			memcpy(p, f, len);
			p[len] = '\0';
			row[j] = p;
			p += len + 1;
		}
		t->line[t->n++] = csvr_line(r);
	}
	return 0;
}

int rtable_read(const char *path, const char *const *cols, const int *optional, int ncols, rtable *t,
		qe_err *e)
{
	memset(t, 0, sizeof *t);
	csv_reader *r = csvr_open(path, e);
	if (!r)
		return e->code;
	t->ncols = ncols;
	t->names = cols;
	t->file = strdup(csvr_name(r));
	t->filecol = malloc((size_t)ncols * sizeof *t->filecol);
	size_t cap = 0;
	int rc = !t->file || !t->filecol ? qe_err_set(e, QE_INTERNAL, "out of memory")
					 : map_cols(r, cols, optional, ncols, t->filecol, e);
	if (!rc)
		rc = read_rows(r, t->filecol, t, &cap, e);
	csvr_close(r);
	if (rc)
		rtable_free(t);
	return rc;
}

int rtable_append(const char *path, const int *optional, rtable *t, qe_err *e)
{
	if (t->file2)
		return qe_err_set(e, QE_INTERNAL, "rtable_append: a second append");
	csv_reader *r = csvr_open(path, e);
	if (!r)
		return e->code;
	t->first2 = t->n;
	t->file2 = strdup(csvr_name(r));
	t->filecol2 = malloc((size_t)t->ncols * sizeof *t->filecol2);
	size_t cap = t->n; /* grow() doubles from the exact size */
	int rc = !t->file2 || !t->filecol2 ? qe_err_set(e, QE_INTERNAL, "out of memory")
					   : map_cols(r, t->names, optional, t->ncols, t->filecol2, e);
	if (!rc)
		rc = read_rows(r, t->filecol2, t, &cap, e);
	csvr_close(r);
	return rc;
}

int rtable_error(const rtable *t, size_t row, int col, qe_err *e, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const int *filecol = t->file2 && row >= t->first2 ? t->filecol2 : t->filecol;
	return qe_err_set(e, QE_DATA, "%s:%ld:%d: column '%s': %s", rtable_file(t, row), t->line[row],
			  filecol[col] < 0 ? 1 : filecol[col] + 1, t->names[col], msg);
}

int rtable_num(const rtable *t, size_t row, int col, int empty_ok, double *out, qe_err *e)
{
	const char *s = rtable_get(t, row, col);
	if (!*s) {
		if (empty_ok) {
			*out = NAN;
			return 0;
		}
		return rtable_error(t, row, col, e, "empty, a number is required");
	}
	if (num_parse_double_z(s, out) || !isfinite(*out))
		return rtable_error(t, row, col, e, "not a finite number '%s'", s);
	return 0;
}

long rtable_find(const rtable *t, int col, const char *s)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(rtable_get(t, i, col), s) == 0)
			return (long)i;
	return -1;
}
