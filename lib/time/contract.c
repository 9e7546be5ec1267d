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
