/* Unit tests for lib/tz, lib/calendar and lib/period. */
#include <stdlib.h>

#include "calendar.h"
#include "period.h"
#include "tz.h"
#include "unit.h"

static qe_date ymd(int y, int m, int d)
{
	return date_from_ymd(y, m, d);
}

static int64_t month_hours(int shape, int y, int m, const qe_tz *tz)
{
	qe_err e;
	return shape_hours(shape, ymd(y, m, 1), ymd(y, m, date_days_in_month(y, m)), tz, &e);
}

static void test_tz_basics(void)
{
	qe_err e;
	qe_tz *ber = tz_load("Europe/Berlin", &e);
	UT_CHECK(ber != NULL, "load Europe/Berlin");
	if (!ber)
		return;
	UT_EQ_INT(month_hours(SHAPE_BASE, 2026, 3, ber), 743, "Berlin March 2026 base = 743 h");
	UT_EQ_INT(month_hours(SHAPE_BASE, 2026, 10, ber), 745, "Berlin October 2026 base = 745 h");
	UT_EQ_INT(month_hours(SHAPE_BASE, 2026, 1, ber), 744, "Berlin January 2026 base = 744 h");
	UT_EQ_INT(shape_count(SHAPE_BASE, ymd(2026, 3, 29), ymd(2026, 3, 29), ber, 15, &e), 92,
		  "2026-03-29 has 92 quarters");
	UT_EQ_INT(shape_count(SHAPE_BASE, ymd(2026, 10, 25), ymd(2026, 10, 25), ber, 15, &e), 100,
		  "2026-10-25 has 100 quarters");
	tz_free(ber);
}

int main(void)
{
	test_tz_basics();
	return ut_done();
}
