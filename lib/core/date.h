/*
 * date: civil dates as days since 1970-01-01 (proleptic Gregorian), strict
 * ISO 8601 parsing (YYYY-MM-DD; 2026-02-30 is refused) and formatting.
 *
 * Owns nothing; never prints.  Time zones, calendars and delivery periods
 * build on this in their own modules.
 */
#ifndef QE_DATE_H
#define QE_DATE_H

#include <stddef.h>
#include <stdint.h>

typedef int32_t qe_date; /* days since 1970-01-01 */

qe_date date_from_ymd(int y, int m, int d);
void date_to_ymd(qe_date t, int *y, int *m, int *d);
int date_is_leap(int y);
int date_days_in_month(int y, int m);
/* ISO weekday: 1 = Monday ... 7 = Sunday */
int date_weekday(qe_date t);

/* Parses exactly "YYYY-MM-DD" (len bytes); returns 0 on success, -1 when
 * malformed or not a real calendar day. */
int date_parse(const char *s, size_t len, qe_date *out);
int date_parse_z(const char *s, qe_date *out);
/* Parses exactly n decimal digits (no sign) into *out; -1 on anything
 * else.  The building block of the fixed-width ISO parsers. */
int date_digits(const char *s, int n, int *out);
/* Writes "YYYY-MM-DD" plus NUL into buf (at least 11 bytes). */
void date_format(char *buf, qe_date t);

/* Year fraction ACT/365F between two dates (b - a) / 365. */
double date_yf_act365(qe_date a, qe_date b);

/* Month arithmetic, owned here: a month is an index, months since
 * January of year 0 (y * 12 + m - 1), so adding months and months between
 * are integer sums and differences.  Indices may be negative. */
long date_month_index(qe_date t);
long date_month_index_ym(int y, int m);
/* The year and month (1..12) of a month index. */
void date_month_ym(long idx, int *y, int *m);
/* The first day of a month index. */
qe_date date_month_first(long idx);
/* Calendar months from the month of a to the month of b (negative when b
 * is in an earlier month): 2026-11-30 to 2027-01-01 is 2. */
long date_months_between(qe_date a, qe_date b);
/* Parses exactly "YYYY-MM" (len bytes) into a month index; -1 when
 * malformed (the month must be 01..12). */
int date_month_parse(const char *s, size_t len, long *idx);
/* First day of the month `months` after the month of t (months may be <0). */
qe_date date_add_months_first(qe_date t, int months);

#endif
