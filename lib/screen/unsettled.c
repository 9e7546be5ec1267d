#include "screen/unsettled.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { FL_CPTY, FL_DIR, FL_VDATE, FL_CCY, FL_AMOUNT, FL_NCOLS };
static const char *const flow_cols[] = {"counterparty", "direction", "value_date", "currency", "amount_minor"};
enum { CU_CCY, CU_EXP, CU_NCOLS };
static const char *const ccy_cols[] = {"currency", "exponent"};

int unsettled_add(const char *path, const char *currencies, qe_date asof, const rtable *cp, int id_col,
		  int ccy_col, const live_fx *fx, double *recv, double *pay, qe_err *e)
{
	rtable fl = {0}, cu = {0};
	int rc;
	if (!currencies)
		return qe_err_set(e, QE_USAGE, "settlement flows need the currencies file (minor units)");
	if ((rc = rtable_read(currencies, ccy_cols, NULL, CU_NCOLS, &cu, e)) ||
	    (rc = rtable_read(path, flow_cols, NULL, FL_NCOLS, &fl, e)))
		goto done;
	for (size_t r = 0; r < fl.n; r++) {
		qe_date vd;
		if (date_parse_z(rtable_get(&fl, r, FL_VDATE), &vd)) {
			rc = rtable_error(&fl, r, FL_VDATE, e, "not a date '%s'", rtable_get(&fl, r, FL_VDATE));
			goto done;
		}
		if (vd <= asof)
			continue; /* settled on or before the as-of date */
		const char *dir = rtable_get(&fl, r, FL_DIR), *ccy = rtable_get(&fl, r, FL_CCY);
		int receive = strcmp(dir, "receive") == 0;
		if (!receive && strcmp(dir, "pay") != 0) {
			rc = rtable_error(&fl, r, FL_DIR, e, "direction is pay or receive, not '%s'", dir);
			goto done;
		}
		long c = rtable_find(cp, id_col, rtable_get(&fl, r, FL_CPTY));
		if (c < 0) {
			rc = rtable_error(&fl, r, FL_CPTY, e, "counterparty '%s' is not in %s",
					  rtable_get(&fl, r, FL_CPTY), cp->file);
			goto done;
		}
		long k = rtable_find(&cu, CU_CCY, ccy);
		if (k < 0) {
			rc = rtable_error(&fl, r, FL_CCY, e, "currency '%s' is not in %s", ccy, cu.file);
			goto done;
		}
		double minor, ex, x;
		if ((rc = rtable_num(&fl, r, FL_AMOUNT, 0, &minor, e)) || (rc = rtable_num(&cu, (size_t)k, CU_EXP, 0, &ex, e)))
			goto done;
		if (minor < 0 || minor != floor(minor)) {
			rc = rtable_error(&fl, r, FL_AMOUNT, e, "not a non-negative integer '%s'",
					  rtable_get(&fl, r, FL_AMOUNT));
			goto done;
		}
		char where[600];
		snprintf(where, sizeof where, "%s:%ld", fl.file, fl.line[r]);
		if ((rc = live_fx_convert(fx, minor / pow(10, ex), ccy, rtable_get(cp, (size_t)c, ccy_col), &x, where,
					  e)))
			goto done;
		if (receive)
			recv[c] += x;
		else
			pay[c] += x;
	}
done:
	rtable_free(&fl);
	rtable_free(&cu);
	return rc;
}
