/*
 * Unit tests for lib/tz, lib/calendar and lib/period.  Expected values come
 * from published sources (exchange expiry calendars, holiday lists, the DST
 * rules in law) or are derived by hand in the comments, never from the code
 * under test.
 *
 * With the argument "drive", reads queries from stdin instead and answers
 * them (tests/dates.bats compares the answers with Python's zoneinfo):
 *   u2l ZONE UTC                     -> LOCAL OFFSET
 *   l2u ZONE LOCAL                   -> N C0 C1 EARLIER LATER  (C0/C1 0 when absent)
 *   shape SHAPE ZONE FIRST LAST MIN  -> COUNT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "time/calendar.h"
#include "time/period.h"
#include "time/tz.h"
#include "unit.h"

static qe_date ymd(int y, int m, int d)
{
	return date_from_ymd(y, m, d);
}

static int64_t utc_of(const char *s)
{
	qe_ts t;
	if (ts_parse_z(s, &t)) {
		printf("# bad timestamp in test: %s\n", s);
		abort();
	}
	return t.utc;
}

static int64_t month_count(int shape, int y, int m, const qe_tz *tz, int minutes)
{
	qe_err e;
	return shape_count(shape, ymd(y, m, 1), ymd(y, m, date_days_in_month(y, m)), tz, minutes, &e);
}

static qe_tz *zone(const char *name)
{
	qe_err e;
	qe_tz *z = tz_load(name, &e);
	if (!z) {
		printf("# %s\n", e.msg);
		abort();
	}
	return z;
}

/* --- time zones ------------------------------------------------------------- */

static void test_tz(void)
{
	qe_err e;
	qe_tz *ber = zone("Europe/Berlin"), *ny = zone("America/New_York"), *chi = zone("America/Chicago");
	char buf[TS_BUFSZ];
	const char *abbr;
	int dst;

	UT_EQ_INT(tz_day_length(ber, ymd(2026, 3, 29)), 23 * 3600, "Berlin 2026-03-29 is a 23-hour day");
	UT_EQ_INT(tz_day_length(ber, ymd(2026, 10, 25)), 25 * 3600, "Berlin 2026-10-25 is a 25-hour day");
	UT_EQ_INT(tz_day_length(ber, ymd(2026, 10, 24)), 24 * 3600, "Berlin 2026-10-24 is a 24-hour day");
	/* US: second Sunday of March, first Sunday of November, at 02:00 */
	UT_EQ_INT(tz_day_length(ny, ymd(2026, 3, 8)), 23 * 3600, "New York 2026-03-08 (2nd Sunday) 23 h");
	UT_EQ_INT(tz_day_length(ny, ymd(2026, 11, 1)), 25 * 3600, "New York 2026-11-01 (1st Sunday) 25 h");
	UT_EQ_INT(tz_day_length(chi, ymd(2027, 3, 14)), 23 * 3600, "Chicago 2027-03-14 (2nd Sunday) 23 h");
	UT_EQ_INT(tz_day_length(chi, ymd(2027, 11, 7)), 25 * 3600, "Chicago 2027-11-07 (1st Sunday) 25 h");
	UT_EQ_INT(tz_offset_at(ny, utc_of("2026-03-08T06:59:59Z"), &dst, &abbr), -5 * 3600, "01:59:59 EST");
	UT_EQ_STR(abbr, "EST", "abbreviation EST");
	UT_EQ_INT(tz_offset_at(ny, utc_of("2026-03-08T07:00:00Z"), &dst, &abbr), -4 * 3600, "03:00 EDT");
	UT_CHECK(dst == 1, "EDT is daylight time");
	tz_offset_at(ber, utc_of("2026-07-01T00:00:00Z"), NULL, &abbr);
	UT_EQ_STR(abbr, "CEST", "Berlin summer is CEST");

	/* gaps and overlaps */
	int64_t c[2], u;
	int64_t gap = tz_local_make(ymd(2026, 3, 29), 2, 30, 0);
	int64_t lap = tz_local_make(ymd(2026, 10, 25), 2, 30, 0);
	UT_EQ_INT(tz_local_kind(ber, gap), TZ_LOCAL_GAP, "02:30 on 2026-03-29 does not exist");
	UT_EQ_INT(tz_local_kind(ber, lap), TZ_LOCAL_AMBIGUOUS, "02:30 on 2026-10-25 is ambiguous");
	UT_EQ_INT(tz_local_kind(ber, tz_local_make(ymd(2026, 10, 25), 3, 0, 0)), TZ_LOCAL_UNIQUE,
		  "03:00 on 2026-10-25 is unique");
	UT_EQ_INT(tz_local_candidates(ber, lap, c), 2, "two instants");
	UT_CHECK(c[0] == utc_of("2026-10-25T00:30:00Z") && c[1] == utc_of("2026-10-25T01:30:00Z"),
		 "overlap instants 00:30Z (CEST) and 01:30Z (CET)");
	UT_EQ_INT(tz_local_to_utc(ber, gap, TZ_STRICT, &u, &e), QE_DATA, "strict refuses the gap");
	UT_EQ_STR(e.msg, "local time 2026-03-29T02:30:00 does not exist in Europe/Berlin (clocks go forward)",
		  "gap message");
	UT_EQ_INT(tz_local_to_utc(ber, lap, TZ_STRICT, &u, &e), QE_DATA, "strict refuses the overlap");
	tz_local_to_utc(ber, gap, TZ_EARLIER, &u, &e);
	UT_CHECK(u == utc_of("2026-03-29T01:30:00Z"), "gap, earlier policy: offset before (fold=0)");
	tz_local_to_utc(ber, gap, TZ_LATER, &u, &e);
	UT_CHECK(u == utc_of("2026-03-29T00:30:00Z"), "gap, later policy: offset after (fold=1)");
	tz_local_to_utc(ber, lap, TZ_LATER, &u, &e);
	UT_CHECK(u == utc_of("2026-10-25T01:30:00Z"), "overlap, later instant");
	UT_EQ_INT(tz_day_start(ber, ymd(2026, 3, 30)), utc_of("2026-03-29T22:00:00Z"), "day start in CEST");

	/* beyond the last transition in the file: the POSIX footer rule */
	qe_tz *syd = zone("Australia/Sydney");
	UT_EQ_INT(tz_offset_at(ber, utc_of("2100-07-01T00:00:00Z"), NULL, NULL), 7200, "Berlin July 2100 CEST");
	UT_EQ_INT(tz_offset_at(ber, utc_of("2100-01-15T00:00:00Z"), NULL, NULL), 3600, "Berlin Jan 2100 CET");
	UT_EQ_INT(tz_day_length(ber, ymd(2100, 3, 28)), 23 * 3600, "2100-03-28 (last Sunday) 23 h");
	UT_EQ_INT(tz_offset_at(syd, utc_of("2100-01-15T00:00:00Z"), NULL, NULL), 11 * 3600, "Sydney Jan 2100 AEDT");
	UT_EQ_INT(tz_offset_at(syd, utc_of("2100-07-15T00:00:00Z"), NULL, NULL), 10 * 3600, "Sydney Jul 2100 AEST");
	/* Sydney: DST ends first Sunday of April 03:00 -> 02:00; 2026-04-05 */
	UT_EQ_INT(tz_day_length(syd, ymd(2026, 4, 5)), 25 * 3600, "Sydney 2026-04-05 25 h");
	tz_free(syd);

	/* loading */
	UT_CHECK(tz_load("../../etc/passwd", &e) == NULL && e.code == QE_DATA, "path escape refused");
	UT_CHECK(tz_load("Nowhere/Atlantis", &e) == NULL && e.code == QE_DATA, "unknown zone refused");
	UT_CHECK(strstr(e.msg, "Nowhere/Atlantis") != NULL, "message names the zone");
	UT_CHECK(tz_load("", &e) == NULL, "empty zone name refused");
	UT_CHECK(tz_load_file("/etc/hostname", "junk", &e) == NULL && e.code == QE_DATA, "non-TZif refused");
	qe_tz *utc = zone("UTC");
	UT_EQ_INT(tz_offset_at(utc, 1800000000, NULL, NULL), 0, "UTC offset 0");
	tz_free(utc);
	qe_tz *fx = tz_fixed(-(5 * 3600 + 30 * 60));
	UT_EQ_INT(tz_utc_to_local(fx, 0), -(5 * 3600 + 30 * 60), "fixed zone offset");
	UT_EQ_STR(tz_name(fx), "-0530", "fixed zone name");
	tz_free(fx);

	/* timestamps */
	qe_ts t;
	UT_EQ_INT(ts_parse_z("2026-03-29T03:00:00+02:00", &t), 0, "parse with offset");
	UT_CHECK(t.utc == utc_of("2026-03-29T01:00:00Z") && t.offset == 7200, "value and offset kept");
	ts_format(buf, t, 1);
	UT_EQ_STR(buf, "2026-03-29T03:00:00+02:00", "format round trip");
	UT_EQ_INT(ts_parse_z("2026-11-26T00:25:00Z", &t), 0, "parse Z");
	ts_format(buf, t, 1);
	UT_EQ_STR(buf, "2026-11-26T00:25:00Z", "Z kept");
	ts_format(buf, t, 0);
	UT_EQ_STR(buf, "2026-11-26T00:25:00+00:00", "numeric zero offset");
	UT_EQ_INT(ts_parse_z("2026-11-26T00:25:00-00:00", &t), 0, "-00:00 accepted");
	UT_EQ_INT(ts_parse_z("1969-12-31T23:59:59Z", &t), 0, "before the epoch");
	UT_EQ_INT(t.utc, -1, "one second before the epoch");
	ts_format(buf, ts_in_zone(ny, utc_of("2026-11-01T06:30:00Z")), 1);
	UT_EQ_STR(buf, "2026-11-01T01:30:00-05:00", "second 01:30 in New York is EST");
	qe_tz *ams = zone("Europe/Amsterdam");
	ts_format(buf, ts_in_zone(ams, utc_of("1900-01-01T00:00:00Z")), 1);
	UT_EQ_STR(buf, "1900-01-01T00:00:00Z", "Amsterdam mean time (+00:19:32) written as UTC");
	tz_free(ams);
	const char *bad[] = {"2026-03-29T03:00:00", "2026-03-29T03:00:00+2:00", "2026-03-29T24:00:00Z",
			     "2026-02-30T00:00:00Z", "2026-03-29T03:00:00z", "2026-03-29 03:00:00Z",
			     "2026-03-29T03:00:00+19:00", "2026-03-29T03:00:00.5Z", "2026-03-29T03:00:60Z",
			     "2026-03-29T03:00:00+02:60", "2026-03-29T03:00:00+0200", "", "2026-03-29T3:00:00Z"};
	int all = 1;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (ts_parse_z(bad[i], &t) == 0) {
			printf("# accepted '%s'\n", bad[i]);
			all = 0;
		}
	UT_CHECK(all, "malformed timestamps refused");

	/* one zone object shared by threads gives the same answers */
	long serial = 0, parallel = 0;
	for (int i = 0; i < 20000; i++)
		serial += tz_offset_at(ber, 1700000000 + (int64_t)i * 3607, NULL, NULL) / 3600;
#pragma omp parallel for reduction(+ : parallel)
	for (int i = 0; i < 20000; i++)
		parallel += tz_offset_at(ber, 1700000000 + (int64_t)i * 3607, NULL, NULL) / 3600;
	UT_EQ_INT(parallel, serial, "thread-shared zone gives the same offsets");
	tz_free(ber);
	tz_free(ny);
	tz_free(chi);
}


/* Shared cache, and corrupt zone files: every truncation of a real TZif
 * file is refused (none crashes; ASan checks the reads under make sanitize). */
static void test_tz_cache_and_corrupt(void)
{
	qe_err e;
	const qe_tz *a = tz_get("Europe/Amsterdam", &e), *b = tz_get("Europe/Amsterdam", &e);
	UT_CHECK(a && a == b, "tz_get shares one zone per name");
	UT_CHECK(tz_get("Nowhere/Atlantis", &e) == NULL && e.code == QE_DATA, "tz_get refuses unknown zones");
	const qe_tz *seen[64];
#pragma omp parallel for
	for (int i = 0; i < 64; i++)
		seen[i] = tz_get(i % 2 ? "Asia/Tokyo" : "Europe/Amsterdam", NULL);
	int same = 1;
	for (int i = 2; i < 64; i++)
		same &= seen[i] == seen[i % 2];
	UT_CHECK(same && seen[0] == a && seen[1] != a, "tz_get from many threads: one object per zone");
	tz_cache_clear();

	FILE *fp = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");
	unsigned char buf[8192];
	size_t len = fp ? fread(buf, 1, sizeof buf, fp) : 0;
	if (fp)
		fclose(fp);
	UT_CHECK(len > 100 && len < sizeof buf, "read Europe/Berlin");
	char path[] = "/tmp/qe_tzif_XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	int refused = 0, tries = 0;
	for (size_t cut = 0; cut < len; cut += (cut < 120 ? 1 : 7)) {
		fp = fopen(path, "wb");
		fwrite(buf, 1, cut, fp);
		fclose(fp);
		qe_tz *z = tz_load_file(path, "cut", &e);
		refused += z == NULL;
		tries++;
		tz_free(z);
	}
	UT_EQ_INT(refused, tries, "every truncated TZif file refused");
	/* flipped bytes: must not crash; offsets stay within +-26 h when accepted */
	int sane = 1;
	for (size_t pos = 0; pos < len; pos += 5) {
		unsigned char save = buf[pos];
		buf[pos] ^= 0x5a;
		fp = fopen(path, "wb");
		fwrite(buf, 1, len, fp);
		fclose(fp);
		buf[pos] = save;
		qe_tz *z = tz_load_file(path, "flip", &e);
		if (z) {
			for (int64_t u = -4000000000LL; u < 6000000000LL; u += 86400 * 97) {
				int32_t off = tz_offset_at(z, u, NULL, NULL);
				sane &= off > -26 * 3600 && off < 26 * 3600;
				int64_t c[2];
				tz_local_candidates(z, u, c);
			}
			tz_free(z);
		}
	}
	UT_CHECK(sane, "corrupted files give sane offsets or are refused");
	unlink(path);
}

/* --- calendars ----------------------------------------------------------------- */

static const char *top(void)
{
	const char *t = getenv("QE_TOP");
	return t && *t ? t : ".";
}

static qe_calendar *calendar(const char *name)
{
	qe_err e;
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/data/calendars", top());
	qe_calendar *c = cal_load_named(name, dir, &e);
	if (!c) {
		printf("# %s\n", e.msg);
		abort();
	}
	return c;
}

static int list_matches(const qe_calendar *cal, int year, const char *const *dates, int n)
{
	/* every listed date is a holiday, and no other weekday of the year is */
	int listed = 0;
	for (int i = 0; i < n; i++) {
		qe_date d;
		if (date_parse_z(dates[i], &d) || !cal_is_holiday(cal, d)) {
			printf("#   %s not a holiday\n", dates[i]);
			return 0;
		}
		listed += date_weekday(d) < 6;
	}
	int weekday_holidays = 0;
	for (qe_date d = ymd(year, 1, 1); d <= ymd(year, 12, 31); d++)
		weekday_holidays += date_weekday(d) < 6 && cal_is_holiday(cal, d);
	if (weekday_holidays != listed)
		printf("#   %d weekday holidays, %d listed\n", weekday_holidays, listed);
	return weekday_holidays == listed;
}

static void test_calendar(void)
{
	qe_err e;
	qe_calendar *nymex = calendar("NYMEX"), *ice = calendar("ICE_EU"), *eex = calendar("EEX");
	UT_EQ_STR(cal_name(nymex), "NYMEX", "name from the header");
	UT_CHECK(strstr(cal_source(nymex), "CME Group") != NULL, "source from the header");
	UT_CHECK(cal_covers(nymex, ymd(2023, 1, 1)) && cal_covers(nymex, ymd(2036, 12, 31)), "covers 2023-2036");
	UT_CHECK(!cal_covers(nymex, ymd(2037, 1, 1)), "does not cover 2037");
	/* CME Group 2025 and 2026 holiday calendars (US federal holidays + Good Friday) */
	static const char *const cme2025[] = {"2025-01-01", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26",
					      "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25"};
	static const char *const cme2026[] = {"2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25",
					      "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"};
	UT_CHECK(list_matches(nymex, 2025, cme2025, 10), "NYMEX 2025 holidays as published");
	UT_CHECK(list_matches(nymex, 2026, cme2026, 10), "NYMEX 2026 holidays (4 July Saturday -> 3 July)");
	/* 2022-01-01 was a Saturday: NYSE/CME stayed open on Friday 2021-12-31; the
	 * same happens on 2028-01-01 (Saturday) */
	UT_CHECK(cal_is_business_day(nymex, ymd(2027, 12, 31)), "NYMEX open 2027-12-31 (New Year Saturday)");
	static const char *const eex2026[] = {"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01",
					      "2026-12-24", "2026-12-25", "2026-12-31"};
	UT_CHECK(list_matches(eex, 2026, eex2026, 7), "EEX 2026 holidays (26 Dec is a Saturday)");
	static const char *const ice2027[] = {"2027-01-01", "2027-03-26", "2027-12-27", "2027-12-28"};
	UT_CHECK(list_matches(ice, 2027, ice2027, 4), "ICE_EU 2027: Christmas/Boxing substitutes 27/28 Dec");
	UT_CHECK(cal_is_business_day(ice, ymd(2027, 3, 29)), "Brent trades on Easter Monday");
	qe_calendar *uk = calendar("UK_BANK");
	static const char *const uk2024[] = {"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06",
					     "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26"};
	UT_CHECK(list_matches(uk, 2024, uk2024, 8), "UK bank holidays 2024 as published by GOV.UK");
	cal_free(uk);

	/* rolling (EEX): 2026-05-01 is a Friday holiday, 2026-05-31 a Sunday */
	UT_EQ_INT(cal_following(eex, ymd(2026, 5, 1)), ymd(2026, 5, 4), "following over Labour Day");
	UT_EQ_INT(cal_modified_following(eex, ymd(2026, 5, 1)), ymd(2026, 5, 4), "modified following stays in May");
	UT_EQ_INT(cal_modified_following(eex, ymd(2026, 5, 31)), ymd(2026, 5, 29), "modified following rolls back at month end");
	UT_EQ_INT(cal_preceding(eex, ymd(2026, 5, 1)), ymd(2026, 4, 30), "preceding");
	UT_EQ_INT(cal_modified_preceding(eex, ymd(2026, 11, 1)), ymd(2026, 11, 2), "modified preceding rolls forward");
	UT_EQ_INT(cal_modified_following(eex, ymd(2026, 6, 10)), ymd(2026, 6, 10), "business day unchanged");
	UT_EQ_INT(cal_next_business_day(nymex, ymd(2026, 12, 24)), ymd(2026, 12, 28), "next after Christmas Eve");
	UT_EQ_INT(cal_prev_business_day(nymex, ymd(2026, 12, 28)), ymd(2026, 12, 24), "previous before Christmas");
	UT_EQ_INT(cal_add_business_days(nymex, ymd(2026, 12, 24), 1), ymd(2026, 12, 28), "+1 business day");
	UT_EQ_INT(cal_add_business_days(nymex, ymd(2026, 12, 28), -3), ymd(2026, 12, 22), "-3 business days");
	UT_EQ_INT(cal_add_business_days(nymex, ymd(2026, 12, 26), 0), ymd(2026, 12, 26), "+0 leaves a Saturday alone");
	/* December 2026: 23 weekdays, minus Christmas */
	UT_EQ_INT(cal_business_days(nymex, ymd(2026, 12, 1), ymd(2026, 12, 31)), 22, "NYMEX business days Dec 2026");
	UT_EQ_INT(cal_business_days(nymex, ymd(2026, 12, 31), ymd(2026, 12, 1)), 0, "empty range");
	UT_EQ_INT(cal_last_business_day_of_month(ice, ymd(2027, 12, 5)), ymd(2027, 12, 31), "last business day Dec 2027");
	UT_EQ_INT(cal_first_business_day_of_month(eex, ymd(2027, 1, 20)), ymd(2027, 1, 4), "first business day Jan 2027");

	/* Easter (published tables) */
	UT_EQ_INT(cal_easter_sunday(2024), ymd(2024, 3, 31), "Easter 2024");
	UT_EQ_INT(cal_easter_sunday(2025), ymd(2025, 4, 20), "Easter 2025");
	UT_EQ_INT(cal_easter_sunday(2027), ymd(2027, 3, 28), "Easter 2027");
	UT_EQ_INT(cal_easter_sunday(2038), ymd(2038, 4, 25), "Easter 2038 (latest possible)");
	UT_EQ_INT(cal_easter_sunday(2285), ymd(2285, 3, 22), "Easter 2285 (earliest possible)");
	UT_EQ_INT(cal_nth_weekday(2026, 11, 4, 4), ymd(2026, 11, 26), "Thanksgiving 2026");
	UT_EQ_INT(cal_nth_weekday(2026, 5, 1, -1), ymd(2026, 5, 25), "last Monday of May 2026");

	/* NERC holidays: Sunday moves to Monday, Saturday does not move */
	UT_CHECK(cal_is_nerc_holiday(ymd(2027, 7, 5)), "NERC: 4 July 2027 (Sunday) observed Monday 5 July");
	UT_CHECK(!cal_is_nerc_holiday(ymd(2026, 7, 3)), "NERC: 4 July 2026 (Saturday) not moved to Friday");
	UT_CHECK(cal_is_nerc_holiday(ymd(2026, 7, 4)), "NERC: 4 July 2026 itself");
	UT_CHECK(cal_is_nerc_holiday(ymd(2022, 12, 26)), "NERC: Christmas 2022 (Sunday) observed 26 Dec");
	UT_CHECK(cal_is_nerc_holiday(ymd(2023, 1, 2)), "NERC: New Year 2023 (Sunday) observed 2 Jan");
	UT_CHECK(!cal_is_nerc_holiday(ymd(2026, 1, 19)), "NERC: MLK day is not a NERC holiday");
	int n2026 = 0;
	for (qe_date d = ymd(2026, 1, 1); d <= ymd(2026, 12, 31); d++)
		n2026 += cal_is_nerc_holiday(d);
	UT_EQ_INT(n2026, 6, "six NERC holidays in 2026");
	qe_calendar *nerc = cal_load_named("NERC", NULL, &e);
	UT_CHECK(nerc && cal_is_holiday(nerc, ymd(2026, 11, 26)), "built-in NERC calendar");
	cal_free(nerc);

	/* holiday file errors */
	char path[] = "/tmp/qe_cal_XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");
	fputs("# calendar: BAD\n2026-01-01\n2026-02-30\n", fp);
	fclose(fp);
	UT_CHECK(cal_load(path, &e) == NULL && e.code == QE_DATA, "impossible date refused");
	UT_CHECK(strstr(e.msg, ":3:1: not an ISO date '2026-02-30'") != NULL, "message names line 3");
	fp = fopen(path, "w");
	fputs("2026-01-01 Christmas\n", fp);
	fclose(fp);
	UT_CHECK(cal_load(path, &e) == NULL, "trailing text without '#' refused");
	fp = fopen(path, "w");
	fputs("# covers: 2026-2026\n2027-01-01\n", fp);
	fclose(fp);
	UT_CHECK(cal_load(path, &e) == NULL && strstr(e.msg, "outside the covered years"), "holiday outside covers refused");
	fp = fopen(path, "w");
	fputs("\n# only comments\n  2026-12-25   # spaces allowed\r\n", fp);
	fclose(fp);
	qe_calendar *ok = cal_load(path, &e);
	UT_CHECK(ok && cal_is_holiday(ok, ymd(2026, 12, 25)), "blank lines, CRLF and comments accepted");
	cal_free(ok);
	unlink(path);
	UT_CHECK(cal_load_named("NOPE", "/nonexistent", &e) == NULL && e.code == QE_DATA, "unknown calendar");
	char dir[] = "/tmp/qe_caldir_XXXXXX", file[4200];
	UT_CHECK(mkdtemp(dir) != NULL, "temp calendar dir");
	snprintf(file, sizeof file, "%s/MINE.txt", dir);
	fp = fopen(file, "w");
	fputs("# calendar: MINE\n2026-06-01\n", fp);
	fclose(fp);
	qe_calendar *mine = cal_load_named("MINE", dir, &e);
	UT_CHECK(mine && cal_is_holiday(mine, ymd(2026, 6, 1)), "the given directory is read");
	cal_free(mine);
	UT_CHECK(cal_load_named("EEX", dir, &e) == NULL && e.code == QE_DATA, "and only it");
	UT_CHECK(strstr(e.msg, "MINE") == NULL && strstr(e.msg, "/EEX.txt") != NULL, "message names the file looked for");
	/* no directory: no search of the working directory or the binary's */
	if (chdir(top()) == 0) {
		UT_CHECK(cal_load_named("EEX", NULL, &e) == NULL && e.code == QE_DATA,
			 "no directory given: ./data/calendars is not searched");
		UT_CHECK(strstr(e.msg, "--calendars") != NULL, "and the message says how to give one");
	}
	setenv("QE_CALENDAR_DIR", dir, 1);
	UT_CHECK(cal_load_named("MINE", NULL, &e) == NULL, "the library does not read QE_CALENDAR_DIR");
	unsetenv("QE_CALENDAR_DIR");

	/* cal_dir_choose: the order of qe-formats(5) CALENDARS */
	char got[4200], mk[4200], sub[4200];
	snprintf(mk, sizeof mk, "%s/markets.csv", dir);
	snprintf(sub, sizeof sub, "%s/calendars", dir);
	UT_EQ_STR(cal_dir_choose("opt", "env", mk, "/share", got, sizeof got), "opt", "--calendars first");
	UT_EQ_STR(cal_dir_choose(NULL, "env", mk, "/share", got, sizeof got), "env", "then QE_CALENDAR_DIR");
	UT_EQ_STR(cal_dir_choose("", "", mk, "/share", got, sizeof got), "/share/calendars",
		  "empty values skipped; no calendars/ beside markets: share");
	UT_CHECK(mkdir(sub, 0777) == 0, "make calendars/ beside markets");
	UT_EQ_STR(cal_dir_choose(NULL, NULL, mk, "/share", got, sizeof got), sub, "calendars/ beside --markets");
	UT_EQ_STR(cal_dir_choose(NULL, "env", mk, "/share", got, sizeof got), "env", "QE_CALENDAR_DIR before it");
	UT_EQ_STR(cal_dir_choose(NULL, NULL, "/markets.csv", "/nonexistent-share", got, sizeof got),
		  "/nonexistent-share/calendars", "markets in / without /calendars: share");
	UT_CHECK(cal_dir_choose(NULL, NULL, NULL, NULL, got, sizeof got) == NULL, "nothing applies: NULL");
	UT_CHECK(cal_dir_choose("0123456789", NULL, NULL, NULL, got, 5) == NULL, "too long: NULL");
	rmdir(sub);
	unlink(file);
	rmdir(dir);
	UT_CHECK(cal_load_named("../x", NULL, &e) == NULL && e.code == QE_DATA, "bad calendar name");

	cal_free(nymex);
	cal_free(ice);
	cal_free(eex);
}

/* --- periods and shapes --------------------------------------------------------- */

static void check_label(const char *label, qe_date asof, int kind, qe_date first, qe_date last)
{
	qe_period p;
	qe_err e;
	char name[96];
	snprintf(name, sizeof name, "period '%s'", label);
	int rc = period_parse_z(label, asof, &p, &e);
	UT_CHECK(rc == 0 && p.kind == kind && p.first == first && p.last == last, name);
	if (rc)
		printf("#   %s\n", e.msg);
}

static void test_periods(void)
{
	qe_date asof = ymd(2026, 11, 26); /* a Thursday */
	qe_period p;
	qe_err e;
	char buf[PERIOD_BUFSZ];
	check_label("2027-01", asof, PERIOD_MONTH, ymd(2027, 1, 1), ymd(2027, 1, 31));
	check_label("Jan-27", asof, PERIOD_MONTH, ymd(2027, 1, 1), ymd(2027, 1, 31));
	check_label("feb-2028", asof, PERIOD_MONTH, ymd(2028, 2, 1), ymd(2028, 2, 29));
	check_label("2027-Q1", asof, PERIOD_QUARTER, ymd(2027, 1, 1), ymd(2027, 3, 31));
	check_label("Q4-27", asof, PERIOD_QUARTER, ymd(2027, 10, 1), ymd(2027, 12, 31));
	check_label("Sum-27", asof, PERIOD_SEASON, ymd(2027, 4, 1), ymd(2027, 9, 30));
	check_label("Win-27", asof, PERIOD_SEASON, ymd(2027, 10, 1), ymd(2028, 3, 31));
	check_label("Cal-27", asof, PERIOD_YEAR, ymd(2027, 1, 1), ymd(2027, 12, 31));
	check_label("2027", asof, PERIOD_YEAR, ymd(2027, 1, 1), ymd(2027, 12, 31));
	check_label("GY-27", asof, PERIOD_GAS_YEAR, ymd(2027, 10, 1), ymd(2028, 9, 30));
	check_label("BOM", asof, PERIOD_BOM, ymd(2026, 11, 27), ymd(2026, 11, 30));
	check_label("WE", asof, PERIOD_WEEKEND, ymd(2026, 11, 28), ymd(2026, 11, 29));
	check_label("WE", ymd(2026, 11, 28), PERIOD_WEEKEND, ymd(2026, 12, 5), ymd(2026, 12, 6));
	check_label("DA", asof, PERIOD_DAY, ymd(2026, 11, 27), ymd(2026, 11, 27));
	check_label("2027-01-15", asof, PERIOD_DAY, ymd(2027, 1, 15), ymd(2027, 1, 15));
	check_label("2027-01-01/2027-03-31", asof, PERIOD_QUARTER, ymd(2027, 1, 1), ymd(2027, 3, 31));
	check_label("2027-01-05/2027-01-20", asof, PERIOD_RANGE, ymd(2027, 1, 5), ymd(2027, 1, 20));
	const char *bad[] = {"2027-13", "Q5-27", "Sum-2", "Foo-27", "", "2027-Q0", "BOMX", "Jan27",
			     "2027-02-30", "2027-03-31/2027-01-01", "Cal-", "-27", "Win-027"};
	int all = 1;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (period_parse_z(bad[i], asof, &p, &e) == 0) {
			printf("# accepted '%s'\n", bad[i]);
			all = 0;
		}
	UT_CHECK(all, "malformed period labels refused");
	UT_EQ_INT(period_parse_z("Foo-27", asof, &p, &e), QE_DATA, "bad label is bad data");
	UT_EQ_STR(e.msg, "unknown delivery period 'Foo-27'", "message names the label");
	UT_EQ_INT(period_parse_z("BOM", ymd(2026, 11, 30), &p, &e), QE_DATA, "BOM on the last day refused");

	const char *canon[] = {"2027-01", "2027-Q3", "Sum-27", "Win-27", "Cal-27", "GY-27", "2027-01-15",
			       "2027-01-05/2027-01-20"};
	all = 1;
	for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++) {
		period_parse_z(canon[i], asof, &p, &e);
		period_format(buf, &p);
		if (strcmp(buf, canon[i]) != 0) {
			printf("# '%s' formats as '%s'\n", canon[i], buf);
			all = 0;
		}
	}
	UT_CHECK(all, "canonical labels round-trip");
	period_parse_z("Jan-27", asof, &p, &e);
	period_format(buf, &p);
	UT_EQ_STR(buf, "2027-01", "Jan-27 formats as 2027-01");
	period_parse_z("Cal-2105", asof, &p, &e);
	period_format(buf, &p);
	UT_EQ_STR(buf, "Cal-2105", "a year beyond 2099 keeps four digits");
	p = period_season(1999, 0);
	period_format(buf, &p);
	UT_EQ_STR(buf, "Win-1999", "and one before 2000");
	period_parse_z("Win-27", asof, &p, &e);
	UT_EQ_INT(period_days(&p), 183, "Win-27 has 183 days (Feb 2028 is leap)");
	UT_EQ_INT(gas_days_in_month(2028, 2), 29, "29 gas days in Feb 2028");
	UT_EQ_INT(period_from_range(ymd(2027, 4, 1), ymd(2027, 9, 30)).kind, PERIOD_SEASON, "range is a season");
	UT_EQ_INT(period_from_range(ymd(2027, 10, 1), ymd(2028, 9, 30)).kind, PERIOD_GAS_YEAR, "range is a gas year");
	UT_EQ_INT(period_from_range(ymd(2026, 11, 28), ymd(2026, 11, 29)).kind, PERIOD_WEEKEND, "range is a weekend");
}

static void test_shapes(void)
{
	qe_err e;
	qe_tz *ber = zone("Europe/Berlin"), *ny = zone("America/New_York"), *ams = zone("Europe/Amsterdam");
	int s;
	UT_EQ_INT(shape_parse("5X16", 4, &s), 0, "shape names case-insensitive");
	UT_EQ_INT(s, SHAPE_5X16, "5x16");
	UT_EQ_INT(shape_parse("6x16", 4, &s), -1, "unknown shape");
	UT_EQ_STR(shape_name(SHAPE_OFFPEAK), "offpeak", "shape name");

	/* EEX base: 744 - 1 in March, + 1 in October (DST) */
	UT_EQ_INT(month_count(SHAPE_BASE, 2026, 3, ber, 60), 743, "Berlin base March 2026: 743 h");
	UT_EQ_INT(month_count(SHAPE_BASE, 2026, 10, ber, 60), 745, "Berlin base October 2026: 745 h");
	UT_EQ_INT(month_count(SHAPE_BASE, 2026, 7, ber, 60), 744, "Berlin base July 2026: 744 h");
	UT_EQ_INT(month_count(SHAPE_BASE, 2027, 3, ber, 60), 743, "Berlin base March 2027: 743 h");
	UT_EQ_INT(month_count(SHAPE_BASE, 2026, 3, ber, 15), 743 * 4, "Berlin base March 2026: 2972 quarters");
	qe_date d29 = ymd(2026, 3, 29), d25 = ymd(2026, 10, 25);
	UT_EQ_INT(shape_count(SHAPE_BASE, d29, d29, ber, 15, &e), 92, "2026-03-29: 92 quarter-hours");
	UT_EQ_INT(shape_count(SHAPE_BASE, d25, d25, ber, 15, &e), 100, "2026-10-25: 100 quarter-hours");
	/* peak: March 2026 has 22 weekdays x 12 hours, holidays included */
	UT_EQ_INT(month_count(SHAPE_PEAK, 2026, 3, ber, 60), 264, "Berlin peak March 2026: 264 h");
	UT_EQ_INT(month_count(SHAPE_OFFPEAK, 2026, 3, ber, 60), 743 - 264, "Berlin offpeak March 2026: 479 h");
	/* May 2026: 21 weekdays incl. 1 May (Labour Day) and Ascension, both peak */
	UT_EQ_INT(month_count(SHAPE_PEAK, 2026, 5, ber, 60), 21 * 12, "Berlin peak May 2026 includes holidays");
	UT_EQ_INT(shape_hours(SHAPE_BASE, ymd(2026, 1, 1), ymd(2026, 12, 31), ber, &e), 8760, "Cal-26 base 8760 h");
	UT_EQ_INT(shape_hours(SHAPE_BASE, ymd(2028, 1, 1), ymd(2028, 12, 31), ams, &e), 8784, "Cal-28 base 8784 h");

	/* NERC, New York.  November 2026: 21 weekdays, Thanksgiving 26th -> 20 */
	UT_EQ_INT(month_count(SHAPE_5X16, 2026, 11, ny, 60), 20 * 16, "5x16 Nov 2026: 320 h");
	UT_EQ_INT(month_count(SHAPE_2X16, 2026, 11, ny, 60), 10 * 16, "2x16 Nov 2026: 160 h");
	UT_EQ_INT(month_count(SHAPE_7X8, 2026, 11, ny, 60), 30 * 8 + 1, "7x8 Nov 2026: 241 h (fall-back hour)");
	UT_EQ_INT(month_count(SHAPE_7X24, 2026, 11, ny, 60), 721, "7x24 Nov 2026: 721 h");
	/* March 2026: 22 weekdays, no NERC holiday; 2 am skipped on the 8th */
	UT_EQ_INT(month_count(SHAPE_5X16, 2026, 3, ny, 60), 22 * 16, "5x16 Mar 2026: 352 h");
	UT_EQ_INT(month_count(SHAPE_7X8, 2026, 3, ny, 60), 31 * 8 - 1, "7x8 Mar 2026: 247 h");
	/* July 2026: 23 weekdays; 4 July is a Saturday (not moved) -> 2x16 */
	UT_EQ_INT(month_count(SHAPE_5X16, 2026, 7, ny, 60), 23 * 16, "5x16 Jul 2026: 368 h");
	UT_EQ_INT(month_count(SHAPE_2X16, 2026, 7, ny, 60), 8 * 16, "2x16 Jul 2026: 128 h");

	/* gas days: the DST gas day is the one that starts the day before */
	qe_date g28 = ymd(2026, 3, 28);
	UT_EQ_INT(shape_hours(SHAPE_GASDAY_EU, g28, g28, ber, &e), 23, "EU gas day 2026-03-28: 23 h");
	UT_EQ_INT(shape_hours(SHAPE_GASDAY_EU, d29, d29, ber, &e), 24, "EU gas day 2026-03-29: 24 h");
	UT_EQ_INT(shape_hours(SHAPE_GASDAY_EU, ymd(2026, 10, 24), ymd(2026, 10, 24), ber, &e), 25,
		  "EU gas day 2026-10-24: 25 h");
	UT_EQ_INT(month_count(SHAPE_GASDAY, 2026, 3, ams, 60), 743, "TTF gas month March 2026: 743 h");
	UT_EQ_INT(shape_hours(SHAPE_GASDAY_US, ymd(2026, 3, 7), ymd(2026, 3, 7), ber, &e), 23,
		  "US gas day 2026-03-07 (Chicago clock, whatever zone): 23 h");
	UT_EQ_INT(shape_hours(SHAPE_GASDAY, ymd(2026, 10, 31), ymd(2026, 10, 31), ny, &e), 25,
		  "US gas day 2026-10-31: 25 h");
	int64_t first[2];
	shape_intervals(SHAPE_GASDAY, ymd(2026, 1, 1), ymd(2026, 1, 1), ny, 60, first, 1, &e);
	UT_EQ_INT(first[0], utc_of("2026-01-01T09:00:00-06:00"), "US gas day starts 09:00 Central");

	/* enumeration */
	int64_t n = shape_intervals(SHAPE_PEAK, ymd(2026, 1, 1), ymd(2026, 1, 31), ber, 60, NULL, 0, &e);
	int64_t *iv = malloc((size_t)n * sizeof *iv);
	UT_EQ_INT(shape_intervals(SHAPE_PEAK, ymd(2026, 1, 1), ymd(2026, 1, 31), ber, 60, iv, (size_t)n, &e), n,
		  "enumeration count equals the count");
	UT_EQ_INT(iv[0], utc_of("2026-01-01T07:00:00Z"), "first Jan 2026 peak hour: 08:00 CET on New Year's Day");
	UT_EQ_INT(iv[n - 1], utc_of("2026-01-30T18:00:00Z"), "last: 19:00 CET Friday 30 January");
	int sorted = 1;
	for (int64_t i = 1; i < n; i++)
		sorted &= iv[i] > iv[i - 1];
	UT_CHECK(sorted, "instants strictly increasing");
	int64_t few[3] = {0, 0, -7};
	UT_EQ_INT(shape_intervals(SHAPE_PEAK, ymd(2026, 1, 1), ymd(2026, 1, 31), ber, 60, few, 2, &e), n,
		  "a short buffer still gets the total count");
	UT_CHECK(few[0] == utc_of("2026-01-01T07:00:00Z") && few[2] == -7, "and is not overrun");
	free(iv);
	UT_CHECK(shape_contains(SHAPE_PEAK, ber, utc_of("2026-03-30T06:00:00Z")), "08:00 CEST Monday is peak");
	UT_CHECK(!shape_contains(SHAPE_PEAK, ber, utc_of("2026-03-30T05:00:00Z")), "07:00 CEST is not peak");
	UT_EQ_INT(shape_count(SHAPE_BASE, d29, d29, ber, 7, &e), -1, "7-minute intervals refused");
	UT_EQ_INT(e.code, QE_USAGE, "as a usage error");
	UT_EQ_INT(shape_count(SHAPE_BASE, d29, d29 - 1, ber, 60, &e), -1, "reversed range refused");
	tz_free(ber);
	tz_free(ny);
	tz_free(ams);
}

static void test_expiry(void)
{
	qe_err e;
	qe_calendar *nymex = calendar("NYMEX"), *ice = calendar("ICE_EU"), *uk = calendar("UK_BANK");
	struct {
		const char *product;
		qe_date month, want;
		const qe_calendar *cal;
		const char *what;
	} cases[] = {
		/* CME Group published last trade dates */
		{"NG", ymd(2027, 1, 1), ymd(2026, 12, 29), nymex, "NG Jan-27 expires 2026-12-29"},
		{"NG", ymd(2025, 1, 1), ymd(2024, 12, 27), nymex, "NG Jan-25 expired 2024-12-27"},
		{"NG", ymd(2024, 11, 1), ymd(2024, 10, 29), nymex, "NG Nov-24 expired 2024-10-29"},
		{"NG", ymd(2026, 11, 15), ymd(2026, 10, 28), nymex, "NG Nov-26 (1 Nov a Sunday) expired 2026-10-28"},
		{"CL", ymd(2025, 1, 1), ymd(2024, 12, 19), nymex, "CL Jan-25 expired 2024-12-19 (25th a holiday)"},
		{"CL", ymd(2025, 2, 1), ymd(2025, 1, 21), nymex, "CL Feb-25 expired 2025-01-21 (25th a Saturday)"},
		{"CL", ymd(2024, 12, 1), ymd(2024, 11, 20), nymex, "CL Dec-24 expired 2024-11-20"},
		{"RB", ymd(2025, 1, 1), ymd(2024, 12, 31), nymex, "RB Jan-25 expired 2024-12-31"},
		{"HO", ymd(2026, 6, 1), ymd(2026, 5, 29), nymex, "HO Jun-26 expired 2026-05-29"},
		/* ICE Futures Europe Brent: last business day of the second month before */
		{"BRENT", ymd(2025, 3, 1), ymd(2025, 1, 31), ice, "Brent Mar-25 expired 2025-01-31"},
		{"B", ymd(2025, 1, 1), ymd(2024, 11, 29), ice, "Brent Jan-25 expired 2024-11-29"},
		{"brent", ymd(2027, 2, 1), ymd(2026, 12, 31), ice, "Brent Feb-27 expires 2026-12-31"},
		/* ICE EUA: last Monday of December 2023 was Christmas -> 18 December */
		{"EUA", ymd(2023, 12, 1), ymd(2023, 12, 18), ice, "EUA Dec-23 expired 2023-12-18"},
		{"EUA", ymd(2026, 12, 1), ymd(2026, 12, 21), ice, "EUA Dec-26: 28 Dec followed by 1 Jan -> 21 Dec"},
		{"EUA", ymd(2026, 6, 1), ymd(2026, 6, 29), uk, "EUA Jun-26: last Monday 29 June"},
		{"EUA", ymd(2027, 3, 1), ymd(2027, 3, 22), uk, "EUA Mar-27: last Monday is Easter Monday -> 22 March"},
		{"EUA", ymd(2023, 12, 1), ymd(2023, 12, 18), uk, "EUA Dec-23 on UK bank holidays: 18 December"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		qe_date x = 0;
		int rc = contract_expiry(cases[i].product, cases[i].month, cases[i].cal, &x, &e);
		UT_EQ_INT(rc ? -1 : x, cases[i].want, cases[i].what);
	}
	qe_date x;
	UT_EQ_INT(contract_expiry("XYZ", ymd(2027, 1, 1), nymex, &x, &e), QE_DATA, "unknown product refused");
	UT_EQ_INT(contract_expiry("NG", ymd(2038, 1, 1), nymex, &x, &e), QE_DATA, "month beyond the calendar refused");
	UT_CHECK(strstr(e.msg, "does not cover") != NULL, "message says the calendar does not cover it");
	cal_free(nymex);
	cal_free(ice);
	cal_free(uk);
}

/* --- driver for tests/dates.bats ------------------------------------------------- */

static const qe_tz *drive_zone(const char *name)
{
	static qe_tz *zones[16];
	static int n;
	for (int i = 0; i < n; i++)
		if (strcmp(tz_name(zones[i]), name) == 0)
			return zones[i];
	qe_err e;
	qe_tz *z = tz_load(name, &e);
	if (!z || n == 16) {
		fprintf(stderr, "drive: %s\n", z ? "too many zones" : e.msg);
		exit(3);
	}
	return zones[n++] = z;
}

static int drive(void)
{
	char line[256], cmd[16], zn[64], a[32], b[32], sh[16];
	long long v, mins;
	qe_err e;
	while (fgets(line, sizeof line, stdin)) {
		if (sscanf(line, "%15s", cmd) != 1)
			continue;
		if (strcmp(cmd, "u2l") == 0 && sscanf(line, "%*s %63s %lld", zn, &v) == 2) {
			const qe_tz *z = drive_zone(zn);
			printf("%lld %d\n", (long long)tz_utc_to_local(z, v), (int)tz_offset_at(z, v, NULL, NULL));
		} else if (strcmp(cmd, "l2u") == 0 && sscanf(line, "%*s %63s %lld", zn, &v) == 2) {
			const qe_tz *z = drive_zone(zn);
			int64_t c[2] = {0, 0}, early, late;
			int n = tz_local_candidates(z, v, c);
			tz_local_to_utc(z, v, TZ_EARLIER, &early, &e);
			tz_local_to_utc(z, v, TZ_LATER, &late, &e);
			printf("%d %lld %lld %lld %lld\n", n, (long long)c[0], (long long)c[1], (long long)early,
			       (long long)late);
		} else if (strcmp(cmd, "shape") == 0 &&
			   sscanf(line, "%*s %15s %63s %31s %31s %lld", sh, zn, a, b, &mins) == 5) {
			int s;
			qe_date d1, d2;
			if (shape_parse(sh, strlen(sh), &s) || date_parse_z(a, &d1) || date_parse_z(b, &d2)) {
				fprintf(stderr, "drive: bad query: %s", line);
				return 2;
			}
			printf("%lld\n", (long long)shape_count(s, d1, d2, drive_zone(zn), (int)mins, &e));
		} else {
			fprintf(stderr, "drive: bad query: %s", line);
			return 2;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "drive") == 0)
		return drive();
	test_tz();
	test_tz_cache_and_corrupt();
	test_calendar();
	test_periods();
	test_shapes();
	test_expiry();
	return ut_done();
}
