#include "time/contract.h"

#include "time/period.h"

int contract_last_trade(const char *product, const qe_calendar *cal, qe_date month_first, qe_date *out,
			qe_err *e)
{
	if (product)
		return contract_expiry(product, month_first, cal, out, e);
	qe_date d = cal_prev_business_day(cal, month_first);
	if (!cal_covers(cal, d) || !cal_covers(cal, month_first)) {
		char b[16];
		date_format(b, month_first);
		return qe_err_set(e, QE_DATA, "calendar %s does not cover the delivery month starting %s",
				  cal_name(cal), b);
	}
	*out = d;
	return 0;
}

int contract_front_month(const char *product, const qe_calendar *cal, qe_date d, qe_date *month_first,
			 qe_err *e)
{
	/* every rule's last trading day lies on or before the end of the
	 * contract month, so no contract of an earlier month is alive on d;
	 * last trading days increase with the month, so the first month
	 * whose contract still trades on d is the front month */
	qe_date first = date_add_months_first(d, 0);
	for (int k = 0; k < 24; k++, first = date_add_months_first(first, 1)) {
		qe_date ltd;
		if (contract_last_trade(product, cal, first, &ltd, e))
			return e->code;
		if (ltd >= d) {
			*month_first = first;
			return 0;
		}
	}
	char b[16];
	date_format(b, d);
	return qe_err_set(e, QE_INTERNAL, "no contract of %s trades on %s", product ? product : "the curve", b);
}
