/* Unit tests for lib/h5table: round trip across chunk boundaries, missing
 * values, several tables per file, atomic commit/abort, and clear errors
 * for missing, non-HDF5 and truncated files. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/h5table.h"
#include "unit.h"

#define NROWS 40000 /* more than two chunks */

static const h5tab_colspec cols[] = {
	{"id", H5TAB_STRING, NULL},
	{"qty", H5TAB_DOUBLE, "MWh"},
	{"version", H5TAB_INT64, NULL},
	{"day", H5TAB_DATE, NULL},
	{"ts", H5TAB_TIMESTAMP, "s"},
};

static int write_file(const char *path, qe_err *e)
{
	char id[32];
	h5file *f = h5file_create(path, e);
	if (!f)
		return e->code;
	h5tab_writer *w = h5tab_begin(f, "trades", cols, 5, e);
	h5tab_writer *w2 = w ? h5tab_begin(f, "other", cols, 1, e) : NULL;
	if (!w || !w2) {
		h5file_abort(f);
		return e->code;
	}
	for (int i = 0; i < NROWS; i++) {
		int n = snprintf(id, sizeof id, "T%06d,\"x\"", i);
		h5tab_set_str(w, 0, id, (size_t)n);
		if (i % 7)
			h5tab_set_double(w, 1, i * 0.1);
		h5tab_set_int64(w, 2, i);
		if (i % 5)
			h5tab_set_int64(w, 3, 20000 + i);
		h5tab_set_int64(w, 4, (int64_t)i * 3600);
		if (h5tab_end_row(w, e))
			break;
		if (i < 3) {
			h5tab_set_str(w2, 0, "é", 2);
			h5tab_end_row(w2, e);
		}
	}
	UT_EQ_INT(h5tab_rows_written(w), NROWS, "rows counted while writing");
	return h5file_commit(f, e);
}

static void test_round_trip(const char *dir)
{
	char path[256], id[32];
	qe_err e;
	snprintf(path, sizeof path, "%s/t.h5", dir);
	UT_EQ_INT(write_file(path, &e), 0, "write and commit");
	h5tab_reader *r = h5tab_open(path, "trades", &e);
	UT_CHECK(r != NULL, "open table trades");
	if (!r)
		return;
	UT_EQ_INT(h5tab_nrows(r), NROWS, "row count");
	UT_EQ_INT(h5tab_ncols(r), 5, "column count");
	UT_EQ_STR(h5tab_schema(r), "trades", "schema attribute");
	UT_EQ_INT(h5tab_schema_version(r), FORMATS_VERSION, "schema version");
	UT_EQ_STR(h5tab_colname(r, 3), "day", "column order kept");
	UT_EQ_INT(h5tab_colkind(r, 3), H5TAB_DATE, "date kind");
	UT_EQ_INT(h5tab_colkind(r, 4), H5TAB_TIMESTAMP, "timestamp kind");
	UT_EQ_STR(h5tab_colunits(r, 1), "MWh", "units attribute");
	UT_EQ_STR(h5tab_colunits(r, 0), "", "no units");
	UT_EQ_INT(h5tab_col(r, "ts"), 4, "column lookup");
	int ok = 1, n = 0, rc;
	while ((rc = h5tab_next(r, &e)) == 1) {
		snprintf(id, sizeof id, "T%06d,\"x\"", n);
		if (strcmp(h5tab_str(r, 0), id) != 0)
			ok = 0;
		if (n % 7 ? h5tab_double(r, 1) != n * 0.1 : !isnan(h5tab_double(r, 1)))
			ok = 0;
		if (h5tab_int64(r, 2) != n)
			ok = 0;
		if (h5tab_int64(r, 3) != (n % 5 ? 20000 + n : H5TAB_MISSING_INT))
			ok = 0;
		if (h5tab_int64(r, 4) != (int64_t)n * 3600)
			ok = 0;
		n++;
	}
	UT_EQ_INT(rc, 0, "clean end of table");
	UT_EQ_INT(n, NROWS, "all rows read back");
	UT_CHECK(ok, "every value identical, missing values kept");
	h5tab_close(r);

	r = h5tab_open(path, NULL, &e);
	UT_CHECK(r == NULL && e.code == QE_DATA, "two tables: must name one");
	r = h5tab_open(path, "other", &e);
	UT_CHECK(r && h5tab_nrows(r) == 3, "second table in the same file");
	if (r && h5tab_next(r, &e) == 1)
		UT_EQ_STR(h5tab_str(r, 0), "é", "UTF-8 string");
	h5tab_close(r);
	r = h5tab_open(path, "nope", &e);
	UT_CHECK(r == NULL && e.code == QE_DATA, "unknown table is bad data");

	/* truncated copy */
	char trunc[300];
	snprintf(trunc, sizeof trunc, "%s/trunc.h5", dir);
	struct stat st;
	stat(path, &st);
	FILE *in = fopen(path, "rb"), *out = fopen(trunc, "wb");
	char *buf = malloc((size_t)st.st_size);
	size_t got = fread(buf, 1, (size_t)st.st_size, in);
	fwrite(buf, 1, got / 2, out);
	fclose(in);
	fclose(out);
	free(buf);
	r = h5tab_open(trunc, "trades", &e);
	if (r) {
		while ((rc = h5tab_next(r, &e)) == 1)
			;
		h5tab_close(r);
		UT_CHECK(rc < 0 && e.code == QE_DATA, "truncated file: read error is bad data");
	} else {
		UT_CHECK(e.code == QE_DATA, "truncated file: open fails as bad data");
	}
	UT_CHECK(strstr(e.msg, "trunc.h5") != NULL, "message names the file");
	unlink(trunc);

	r = h5tab_open("/nonexistent/x.h5", NULL, &e);
	UT_CHECK(r == NULL && e.code == QE_IO, "missing file is an I/O error");
	snprintf(trunc, sizeof trunc, "%s/text.h5", dir);
	out = fopen(trunc, "w");
	fputs("curve,price\nNG,3\n", out);
	fclose(out);
	r = h5tab_open(trunc, NULL, &e);
	UT_CHECK(r == NULL && e.code == QE_DATA, "CSV is not HDF5");
	unlink(trunc);

	/* abort keeps the previous file */
	struct stat before, after;
	stat(path, &before);
	h5file *f = h5file_create(path, &e);
	h5tab_writer *w = h5tab_begin(f, "x", cols, 2, &e);
	h5tab_set_str(w, 0, "a", 1);
	h5tab_end_row(w, &e);
	h5file_abort(f);
	stat(path, &after);
	UT_CHECK(before.st_size == after.st_size && before.st_ino == after.st_ino,
		 "abort leaves the old file untouched");
	unlink(path);
}

/* Fixed-length string columns: values round trip, a value longer than
 * the width is refused at end of row. */
static void test_fixed(const char *dir)
{
	char path[256];
	qe_err e;
	size_t widths[2] = {6, 0};
	snprintf(path, sizeof path, "%s/f.h5", dir);
	h5file *f = h5file_create(path, &e);
	h5tab_writer *w = f ? h5tab_begin_fixed(f, "t", cols, 2, widths, &e) : NULL;
	UT_CHECK(w != NULL, "fixed-width table");
	if (!w) {
		h5file_abort(f);
		return;
	}
	const char *vals[] = {"abcdef", "", "é", "x,y"};
	for (int i = 0; i < 4; i++) {
		h5tab_set_str(w, 0, vals[i], strlen(vals[i]));
		h5tab_set_double(w, 1, i);
		h5tab_end_row(w, &e);
	}
	UT_EQ_INT(h5file_commit(f, &e), 0, "commit fixed-width");
	h5tab_reader *r = h5tab_open(path, NULL, &e);
	int ok = r != NULL, n = 0;
	while (r && h5tab_next(r, &e) == 1) {
		if (strcmp(h5tab_str(r, 0), vals[n]) != 0 || h5tab_double(r, 1) != n)
			ok = 0;
		n++;
	}
	UT_CHECK(ok && n == 4, "fixed-width strings read back");
	h5tab_close(r);
	f = h5file_create(path, &e);
	w = h5tab_begin_fixed(f, "t", cols, 2, widths, &e);
	h5tab_set_str(w, 0, "toolong", 7);
	UT_EQ_INT(h5tab_end_row(w, &e), QE_INTERNAL, "value longer than the width refused");
	h5file_abort(f);
	unlink(path);
}

int main(void)
{
	char dir[] = "/tmp/qe-h5unit-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	test_round_trip(dir);
	test_fixed(dir);
	rmdir(dir);
	return ut_done();
}
