/* Unit tests for the month arithmetic of lib/core/date (the one owner):
 * month indices, months between, adding months and "YYYY-MM", checked
 * day by day against the civil calendar. */
#include "core/date.h"
#include "unit.h"

int main(void)
{
	int bad = 0;
	qe_date lo = date_from_ymd(1899, 1, 1), hi = date_from_ymd(2101, 12, 31);
	for (qe_date t = lo; t <= hi; t++) {
		int y, m, d, y2, m2;
		date_to_ymd(t, &y, &m, &d);
		long idx = date_month_index(t);
		date_month_ym(idx, &y2, &m2);
		bad += idx != (long)y * 12 + m - 1 || idx != date_month_index_ym(y, m) || y2 != y || m2 != m ||
		       date_month_first(idx) != t - (d - 1) ||
		       date_add_months_first(t, 13) != date_from_ymd(m == 12 ? y + 2 : y + 1, m == 12 ? 1 : m + 1, 1) ||
		       date_add_months_first(t, -1) != date_from_ymd(m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1, 1);
	}
	UT_EQ_INT(bad, 0, "index, year/month, first day and adding months agree with the calendar, 1899-2101");

	int y, m;
	date_month_ym(-1, &y, &m);
	UT_CHECK(y == -1 && m == 12, "index -1 is December of year -1");
	date_month_ym(-12, &y, &m);
	UT_CHECK(y == -1 && m == 1, "index -12 is January of year -1");
	date_month_ym(0, &y, &m);
	UT_CHECK(y == 0 && m == 1, "index 0 is January of year 0");
	UT_EQ_INT(date_add_months_first(date_from_ymd(0, 2, 10), -2), date_from_ymd(-1, 12, 1),
		  "adding months crosses year 0 backwards");

	qe_date a = date_from_ymd(2026, 11, 30);
	UT_EQ_INT(date_months_between(a, date_from_ymd(2027, 1, 1)), 2, "2026-11-30 to 2027-01-01: 2 months");
	UT_EQ_INT(date_months_between(a, date_from_ymd(2026, 11, 1)), 0, "same month: 0");
	UT_EQ_INT(date_months_between(a, date_from_ymd(2025, 12, 31)), -11, "earlier month: negative");
	UT_EQ_INT(date_months_between(a, date_from_ymd(2028, 7, 15)), 20, "20 months out");

	long idx = -5;
	UT_EQ_INT(date_month_parse("2026-11", 7, &idx), 0, "YYYY-MM parses");
	UT_EQ_INT(idx, date_month_index(a), "to the month index of the month");
	UT_EQ_INT(date_month_parse("0000-01", 7, &idx), 0, "year 0 parses");
	UT_EQ_INT(idx, 0, "January of year 0 is index 0");
	const char *bad_months[] = {"2026-13", "2026-00", "2026-1", "2026/11", "26-11-1", "2026-1x", "+026-11",
				    "2026-11-01", ""};
	for (size_t k = 0; k < sizeof bad_months / sizeof *bad_months; k++)
		UT_EQ_INT(date_month_parse(bad_months[k], strlen(bad_months[k]), &idx), -1, bad_months[k]);
	UT_EQ_INT(date_month_parse("2026-11x", 7, &idx), 0, "only len bytes are read");
	return ut_done();
}
