/*
 * Fuzz target: the holiday-file reader (time/calendar.h cal_load) and
 * the rolls and counts over what it read.  Promises checked: a malformed
 * file is a one-line QE_DATA error; a loaded calendar rolls to business
 * days, and counting the business days of a range agrees with adding them.
 */
#include "fuzz.h"

#include "time/calendar.h"

void fuzz_one(const uint8_t *data, size_t len)
{
	const char *path = fuzz_file(data, len, ".txt");
	qe_err e;
	qe_err_clear(&e);
	qe_calendar *cal = cal_load(path, &e);
	if (!cal) {
		fuzz_check_err(e.code, &e);
		return;
	}
	(void)cal_name(cal);
	(void)cal_source(cal);
	qe_date a = date_from_ymd(2024, 1, 1);
	for (qe_date d = a; d < a + 3 * 366; d += 13) {
		(void)cal_covers(cal, d);
		qe_date f = cal_following(cal, d), p = cal_preceding(cal, d);
		qe_date mf = cal_modified_following(cal, d), mp = cal_modified_preceding(cal, d);
		if (!cal_is_business_day(cal, f) || !cal_is_business_day(cal, p) ||
		    !cal_is_business_day(cal, mf) || !cal_is_business_day(cal, mp))
			fuzz_fail("a roll of %d lands on a holiday", (int)d);
		if (f < d || p > d)
			fuzz_fail("following/preceding of %d go the wrong way", (int)d);
		qe_date n = cal_add_business_days(cal, f, 5);
		if (cal_business_days(cal, f, n) != 6)
			fuzz_fail("[%d, 5 business days on] counted as %d, not 6", (int)f,
				  cal_business_days(cal, f, n));
		(void)cal_last_business_day_of_month(cal, d);
		(void)cal_first_business_day_of_month(cal, d);
	}
	cal_free(cal);
}
