/* Unit tests for lib/settle/terms: rounding to minor units once, half
 * away from zero, and value dates in a payment calendar. */
#include <stdio.h>
#include <stdlib.h>

#include "settle/terms.h"
#include "unit.h"

static void test_rounding(void)
{
	qe_err e;
	int64_t m;
	struct {
		double x;
		int exp;
		int64_t want;
	} c[] = {
		{0.125, 2, 13},   {-0.125, 2, -13}, /* exact halves: away from zero */
		{0.5, 0, 1},      {-0.5, 0, -1},    {2.5, 0, 3},  {-2.5, 0, -3},
		{1234.5678, 2, 123457}, {-0.004, 2, 0}, {0.005, 3, 5},
		/* one rounding of the double x * 10^exp: 1.005 * 100 is
		 * 100.49999999999999, 2.675 * 100 is exactly 267.5 */
		{1.005, 2, 100},  {2.675, 2, 268},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char name[80];
		snprintf(name, sizeof name, "to_minor(%g, %d)", c[i].x, c[i].exp);
		UT_CHECK(terms_to_minor(c[i].x, c[i].exp, &m, &e) == 0 && m == c[i].want, name);
	}
	UT_CHECK(terms_to_minor(1e300, 2, &m, &e) == QE_NUMERIC, "an amount beyond int64 is refused");
	UT_CHECK(terms_to_minor(0.0 / 0.0, 2, &m, &e) == QE_NUMERIC, "NaN is refused");
}

static void test_value_dates(const char *top)
{
	char cur[4096], terms[4096], cals[4096];
	qe_err e;
	snprintf(cur, sizeof cur, "%s/data/currencies.csv", top);
	snprintf(terms, sizeof terms, "%s/data/payment_terms.csv", top);
	snprintf(cals, sizeof cals, "%s/data/calendars", top);
	settle_terms *t = terms_load(cur, terms, NULL, cals, &e);
	UT_CHECK(t != NULL, "bundled currencies and payment terms load");
	if (!t)
		return;
	qe_date v;
	UT_EQ_INT(terms_exponent(t, "JPY"), 0, "JPY has no minor unit");
	UT_EQ_INT(terms_exponent(t, "EUR"), 2, "EUR has 2 decimals");
	UT_EQ_INT(terms_exponent(t, "XXX"), -1, "unknown currency");
	UT_EQ_INT(terms_days(t, SETTLE_VM, "NG_HH"), 1, "variation margin pays next day");
	/* Friday 9 Oct 2026 + 1 USD day: Monday 12 is Columbus Day */
	UT_CHECK(terms_value_date(t, "USD", 1, date_from_ymd(2026, 10, 9), &v, &e) == 0 &&
			 v == date_from_ymd(2026, 10, 13),
		 "USD rolls over Columbus Day");
	/* the same day in EUR: TARGET2 is open on 12 October */
	UT_CHECK(terms_value_date(t, "EUR", 1, date_from_ymd(2026, 10, 9), &v, &e) == 0 &&
			 v == date_from_ymd(2026, 10, 12),
		 "EUR pays on Columbus Day");
	/* Thursday 2 April 2026 + 1 EUR day: Good Friday and Easter Monday */
	UT_CHECK(terms_value_date(t, "EUR", 1, date_from_ymd(2026, 4, 2), &v, &e) == 0 &&
			 v == date_from_ymd(2026, 4, 7),
		 "EUR rolls over Easter");
	UT_CHECK(terms_value_date(t, "JPY", 1, date_from_ymd(2026, 4, 2), &v, &e) == QE_DATA,
		 "a currency without a payment calendar has no value date");
	UT_CHECK(terms_value_date(t, "EUR", 1, date_from_ymd(2040, 1, 2), &v, &e) == QE_DATA,
		 "a day beyond the calendar's years is refused");
	terms_free(t);
}

int main(void)
{
	const char *top = getenv("QE_TOP");
	test_rounding();
	test_value_dates(top ? top : ".");
	return ut_done();
}
