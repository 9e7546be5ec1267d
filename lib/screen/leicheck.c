#include "screen/leicheck.h"

#include <stdio.h>

#include "core/lei.h"

const char *leicheck_reason(const char *s, size_t len, char *buf, size_t cap)
{
	return lei_reason(s, len, buf, cap);
}

int leicheck_csv(csv_reader *r, csv_writer *w, long *invalid, qe_err *e)
{
	static const char *const need[] = {"lei"};
	int col;
	if (csvr_require(r, need, 1, &col, e))
		return e->code;
	int ncols = csvr_ncols(r);
	for (int i = 0; i < ncols; i++)
		csvw_str(w, csvr_colname(r, i));
	csvw_str(w, "valid");
	csvw_str(w, "reason");
	csvw_end(w);
	*invalid = 0;
	int st;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		if (st != CSVR_ROW)
			return e->code;
		for (int i = 0; i < ncols; i++) {
			size_t len;
			const char *f = csvr_field(r, i, &len);
			csvw_strn(w, f, len);
		}
		size_t len;
		const char *lei = csvr_field(r, col, &len);
		char buf[128];
		const char *why = leicheck_reason(lei, len, buf, sizeof buf);
		csvw_str(w, why ? "false" : "true");
		csvw_str(w, why ? why : "");
		csvw_end(w);
		if (why)
			(*invalid)++;
	}
	return 0;
}
