/* csvblock: CSV records read ahead in blocks (csvblock.h). */
#include "io/csvblock.h"

#include <stdlib.h>
#include <string.h>

int csvblock_init(csvblock *k, int ncols, size_t max)
{
	memset(k, 0, sizeof *k);
	k->st = CSVR_ROW;
	k->ncols = ncols;
	k->max = max;
	size_t nf = max * (size_t)ncols + 1;
	k->off = malloc(nf * sizeof *k->off);
	k->flen = malloc(nf * sizeof *k->flen);
	k->line = malloc((max + 1) * sizeof *k->line);
	k->bad = malloc((max + 1) * sizeof *k->bad);
	return k->off && k->flen && k->line && k->bad ? 0 : -1;
}

void csvblock_free(csvblock *k)
{
	void *own[] = {k->text, k->off, k->flen, k->line, k->bad, k->bad_err};
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		free(own[i]);
	memset(k, 0, sizeof *k);
}

/* Appends n bytes and a NUL to the text; its offset, or -1 when out of memory. */
static long put(csvblock *k, const char *p, size_t n)
{
	if (k->len + n + 1 > k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 1 << 20;
		while (cap < k->len + n + 1)
			cap *= 2;
		char *t = realloc(k->text, cap);
		if (!t)
			return -1;
		k->text = t;
		k->cap = cap;
	}
	long at = (long)k->len;
	memcpy(k->text + k->len, p, n);
	k->text[k->len + n] = '\0';
	k->len += n + 1;
	return at;
}

int csvblock_fill(csvblock *k, csv_reader *r, const int *col)
{
	k->n = k->len = k->nbad = 0;
	while (k->n < k->max) {
		int st = csvr_next(r, &k->err);
		if (st == CSVR_EOF || st == CSVR_FATAL) {
			k->st = st;
			return 0;
		}
		size_t i = k->n++, *off = k->off + i * (size_t)k->ncols, *len = k->flen + i * (size_t)k->ncols;
		k->line[i] = csvr_line(r);
		k->bad[i] = -1;
		if (st == CSVR_BADROW) {
			qe_err *b = realloc(k->bad_err, (k->nbad + 1) * sizeof *b);
			if (!b)
				return -1;
			k->bad_err = b;
			b[k->nbad] = k->err;
			k->bad[i] = (int)k->nbad++;
		}
		for (int j = 0; j < k->ncols; j++) {
			size_t n = 0;
			const char *p = col[j] >= 0 && st == CSVR_ROW ? csvr_field(r, col[j], &n) : "";
			long at = put(k, p, n);
			if (at < 0)
				return -1;
			off[j] = (size_t)at;
			len[j] = n;
		}
	}
	k->st = CSVR_ROW;
	return 0;
}

void csvblock_fields(const csvblock *k, size_t i, csvscan_field *f)
{
	const size_t *off = k->off + i * (size_t)k->ncols, *len = k->flen + i * (size_t)k->ncols;
	for (int j = 0; j < k->ncols; j++) {
		f[j].p = k->text + off[j];
		f[j].len = len[j];
	}
}
