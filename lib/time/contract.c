#include "time/contract.h"

#include <strings.h>

#include "time/period.h"

/* The rules of contract_expiry() (period.c), by canonical name. */
static const char *const rules[][2] = {
	{"NG", "NG"}, {"CL", "CL"}, {"BRENT", "BRENT"}, {"B", "BRENT"}, {"RB", "RB"}, {"HO", "HO"}, {"EUA", "EUA"},
};

const char *contract_rule_name(const char *product)
{
	for (size_t k = 0; k < sizeof rules / sizeof rules[0]; k++)
		if (strcasecmp(product, rules[k][0]) == 0)
			return rules[k][1];
	return NULL;
}

const char *contract_rule_list(void) { return "NG, CL, BRENT, RB, HO, EUA"; }

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
