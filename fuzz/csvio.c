/*
 * Fuzz target: the streaming CSV reader (io/csvio.h) - header, records,
 * and the typed getters on every field.  Promises checked: a bad header
 * or record is a one-line QE_DATA error, never a crash; records and line
 * numbers only go forward; a field is as long as its string.
 */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

#include "io/csvio.h"

void fuzz_one(const uint8_t *data, size_t len)
{
	/* fmemopen refuses a zero-length buffer */
	FILE *fp = len ? fmemopen((void *)data, len, "rb") : fopen("/dev/null", "rb");
	if (!fp)
		fuzz_fail("cannot open the input stream");
	qe_err e;
	qe_err_clear(&e);
	csv_reader *r = csvr_open_stream(fp, "fuzz.csv", 1, &e);
	if (!r) {
		fuzz_check_err(e.code, &e);
		return;
	}
	int ncols = csvr_ncols(r);
	for (int c = 0; c < ncols; c++)
		if (csvr_col(r, csvr_colname(r, c)) != c)
			fuzz_fail("header name %d is not found at its own column", c);
	long last_line = 1, last_records = 0;
	for (;;) {
		qe_err_clear(&e);
		int st = csvr_next(r, &e);
		if (st == CSVR_EOF)
			break;
		if (st == CSVR_FATAL) {
			fuzz_check_err(e.code, &e);
			break;
		}
		if (st == CSVR_BADROW)
			fuzz_check_err(e.code ? e.code : QE_DATA, &e);
		else if (st != CSVR_ROW)
			fuzz_fail("csvr_next returned %d", st);
		if (csvr_line(r) <= last_line)
			fuzz_fail("record line %ld after line %ld", csvr_line(r), last_line);
		if (csvr_records(r) != last_records + 1)
			fuzz_fail("record count %ld after %ld", csvr_records(r), last_records);
		last_line = csvr_line(r);
		last_records = csvr_records(r);
		int nf = csvr_nfields(r);
		for (int c = 0; c < ncols + 1; c++) {
			size_t flen;
			const char *f = csvr_field(r, c, &flen);
			if (!f || strlen(f) > flen)
				fuzz_fail("field %d: NULL or longer than its length", c);
			if (c >= nf && flen)
				fuzz_fail("field %d beyond the record's %d is not empty", c, nf);
			if (c >= ncols)
				continue;
			double d;
			int64_t i;
			qe_date dt;
			qe_err fe;
			int rc = csvr_get_double(r, c, &d, &fe);
			fuzz_check_err(rc, &fe);
			rc = csvr_get_int64(r, c, &i, &fe);
			fuzz_check_err(rc, &fe);
			rc = csvr_get_date(r, c, &dt, &fe);
			fuzz_check_err(rc, &fe);
			if (!csvr_get_str(r, c, &fe))
				fuzz_check_err(QE_DATA, &fe);
			(void)csvr_is_empty(r, c);
		}
	}
	csvr_close(r);
}
