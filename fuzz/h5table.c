/*
 * Fuzz target: the HDF5 table reader (io/h5table.h h5tab_open and
 * h5tab_next) on a file holding the input.  The HDF5 library parses the
 * file's structure; what is ours is what the reader makes of it: a table
 * of the wrong shape, kind or size must be a one-line QE_DATA error, and
 * the rows it does return must have fields of their column's kind.
 * Crashes inside libhdf5 itself are third-party (bench/RESULTS.md).
 */
#include "fuzz.h"

#include <string.h>

#include "io/h5table.h"

enum { MAX_ROWS = 100000 };

void fuzz_one(const uint8_t *data, size_t len)
{
	const char *path = fuzz_file(data, len, ".h5");
	qe_err e;
	qe_err_clear(&e);
	h5tab_reader *r = h5tab_open(path, NULL, &e);
	if (!r) {
		fuzz_check_err(e.code, &e);
		return;
	}
	(void)h5tab_table(r);
	(void)h5tab_schema(r);
	(void)h5tab_schema_version(r);
	int64_t nrows = h5tab_nrows(r);
	int ncols = h5tab_ncols(r);
	if (nrows < 0 || ncols < 0)
		fuzz_fail("%lld rows, %d columns", (long long)nrows, ncols);
	for (int c = 0; c < ncols; c++) {
		const char *name = h5tab_colname(r, c);
		if (!name || !h5tab_colunits(r, c))
			fuzz_fail("column %d has no name or units string", c);
		int k = h5tab_colkind(r, c);
		if (k < H5TAB_STRING || k > H5TAB_TIMESTAMP)
			fuzz_fail("column %d has kind %d", c, k);
		if (h5tab_col(r, name) < 0)
			fuzz_fail("column '%s' is not found by its name", name);
	}
	int64_t rows = 0;
	int st = 0;
	while (rows < MAX_ROWS && (st = h5tab_next(r, &e)) == 1) {
		rows++;
		for (int c = 0; c < ncols; c++) {
			switch (h5tab_colkind(r, c)) {
			case H5TAB_STRING: {
				const char *s = h5tab_str(r, c);
				if (!s)
					fuzz_fail("row %lld column %d: NULL string", (long long)rows, c);
				(void)strlen(s);
				break;
			}
			case H5TAB_DOUBLE:
				(void)h5tab_double(r, c);
				break;
			default:
				(void)h5tab_int64(r, c);
				break;
			}
		}
	}
	if (rows < MAX_ROWS) {
		if (st < 0)
			fuzz_check_err(e.code, &e);
		else if (rows != nrows)
			fuzz_fail("%lld rows read of %lld", (long long)rows, (long long)nrows);
	}
	h5tab_close(r);
}
