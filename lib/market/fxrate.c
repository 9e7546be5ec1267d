#include "market/fxrate.h"

#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "io/formats.h"

int fx_rates_read(const char *path, const char *base, strindex *ccys, double **rate, qe_err *e)
{
	const char *const cols[] = {formats_colname(FMT_FX_RATES, FMT_FX_CCY),
				    formats_colname(FMT_FX_RATES, FMT_FX_RATE)};
	int idx[2], rc = 0, st;
	size_t cap = 0;
	csv_reader *r = csvr_open(path, e);
	if (!r)
		return e->code;
	if ((rc = csvr_require(r, cols, 2, idx, e)))
		goto out;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		const char *c;
		double v;
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if (!(c = csvr_get_str(r, idx[0], e))) {
			rc = QE_DATA;
			goto out;
		}
		if ((rc = csvr_get_double(r, idx[1], &v, e)))
			goto out;
		if (!(v > 0)) {
			rc = csvr_field_error(r, idx[1], e, "not a positive rate '%s'", csvr_field(r, idx[1], NULL));
			goto out;
		}
		size_t before = sidx_count(ccys);
		long k = sidx_add(ccys, c, strlen(c), NULL);
		if (k < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		if ((size_t)k < before) {
			rc = csvr_field_error(r, idx[0], e, "duplicate currency '%s'", c);
			goto out;
		}
		if ((size_t)k >= cap) {
			cap = cap ? 2 * cap : 16;
			double *n = realloc(*rate, cap * sizeof *n);
			if (!n) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				goto out;
			}
			*rate = n;
		}
		(*rate)[k] = v;
	}
	long b = base ? sidx_find(ccys, base, strlen(base)) : -1;
	if (b >= 0 && (*rate)[b] != 1)
		rc = qe_err_set(e, QE_DATA, "%s: base currency %s has rate %g, not 1", path, base, (*rate)[b]);
out:
	csvr_close(r);
	return rc;
}
