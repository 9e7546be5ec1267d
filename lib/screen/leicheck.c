#include "screen/leicheck.h"

#include <stdio.h>

#include "core/lei.h"

const char *leicheck_reason(const char *s, size_t len, char *buf, size_t cap)
{
	if (len == 0) {
		snprintf(buf, cap, "empty");
		return buf;
	}
	if (len != 20) {
		snprintf(buf, cap, "%zu characters, not 20", len);
		return buf;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
			if (c >= 0x20 && c < 0x7f)
				snprintf(buf, cap, "character %zu '%c' is not 0-9 or A-Z", i + 1, c);
			else
				snprintf(buf, cap, "character %zu (byte 0x%02X) is not 0-9 or A-Z", i + 1, c);
			return buf;
		}
	}
	if (s[18] < '0' || s[18] > '9' || s[19] < '0' || s[19] > '9') {
		snprintf(buf, cap, "check digits '%.2s' are not two digits", s + 18);
		return buf;
	}
	int rem = mod97_remainder(s, len);
	if (rem != 1) {
		snprintf(buf, cap, "check digits fail ISO 7064 MOD 97-10 (remainder %d, not 1)", rem);
		return buf;
	}
	return NULL;
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
