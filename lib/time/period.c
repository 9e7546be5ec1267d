/* Delivery periods, shapes and expiry rules; see period.h. */
#include "time/period.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- periods --------------------------------------------------------------- */

qe_period period_month(int y, int m)
{
	qe_period p = {PERIOD_MONTH, date_from_ymd(y, m, 1), date_from_ymd(y, m, date_days_in_month(y, m))};
	return p;
}

qe_period period_quarter(int y, int q)
{
	qe_period p = {PERIOD_QUARTER, date_from_ymd(y, 3 * q - 2, 1),
		       date_from_ymd(y, 3 * q, date_days_in_month(y, 3 * q))};
	return p;
}

qe_period period_season(int y, int summer)
{
	qe_period p;
	p.kind = PERIOD_SEASON;
	if (summer) {
		p.first = date_from_ymd(y, 4, 1);
		p.last = date_from_ymd(y, 9, 30);
	} else {
		p.first = date_from_ymd(y, 10, 1);
		p.last = date_from_ymd(y + 1, 3, 31);
	}
	return p;
}

qe_period period_year(int y)
{
	qe_period p = {PERIOD_YEAR, date_from_ymd(y, 1, 1), date_from_ymd(y, 12, 31)};
	return p;
}

qe_period period_gas_year(int y)
{
	qe_period p = {PERIOD_GAS_YEAR, date_from_ymd(y, 10, 1), date_from_ymd(y + 1, 9, 30)};
	return p;
}

int period_days(const qe_period *p)
{
	return p->last - p->first + 1;
}

int gas_days_in_month(int y, int m)
{
	return date_days_in_month(y, m);
}

qe_period period_from_range(qe_date first, qe_date last)
{
	int y, m, d, y2, m2, d2;
	date_to_ymd(first, &y, &m, &d);
	date_to_ymd(last, &y2, &m2, &d2);
	qe_period p = {PERIOD_RANGE, first, last};
	if (last < first)
		return p;
	if (first == last) {
		p.kind = PERIOD_DAY;
		return p;
	}
	if (last == first + 1 && date_weekday(first) == 6) {
		p.kind = PERIOD_WEEKEND;
		return p;
	}
	if (d != 1 || d2 != date_days_in_month(y2, m2))
		return p;
	long months = date_months_between(first, last) + 1;
	if (months == 1)
		p.kind = PERIOD_MONTH;
	else if (months == 3 && m % 3 == 1)
		p.kind = PERIOD_QUARTER;
	else if (months == 6 && (m == 4 || m == 10))
		p.kind = PERIOD_SEASON;
	else if (months == 12 && m == 1)
		p.kind = PERIOD_YEAR;
	else if (months == 12 && m == 10)
		p.kind = PERIOD_GAS_YEAR;
	return p;
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* "27" -> 2027, "2027" -> 2027; -1 otherwise. */
static int parse_year(const char *s, size_t n)
{
	if (n == 2 && all_digits(s, 2))
		return 2000 + num(s, 2);
	if (n == 4 && all_digits(s, 4))
		return num(s, 4);
	return -1;
}

static int prefix_ci(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word);
	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (tolower((unsigned char)s[i]) != tolower((unsigned char)word[i]))
			return 0;
	return 1;
}

static int equal_ci(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && prefix_ci(s, n, word);
}

static const char *const month_abbr[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int period_parse(const char *s, size_t n, qe_date asof, qe_period *out, qe_err *e)
{
	int y;
	qe_date d1, d2;
	if (n == 10 && date_parse(s, n, &d1) == 0) {
		*out = period_from_range(d1, d1);
		return 0;
	}
	if (n == 21 && s[10] == '/' && date_parse(s, 10, &d1) == 0 && date_parse(s + 11, 10, &d2) == 0 &&
	    d1 <= d2) {
		*out = period_from_range(d1, d2);
		return 0;
	}
	if (n == 7 && s[4] == '-' && all_digits(s, 4)) {
		y = num(s, 4);
		if (all_digits(s + 5, 2) && num(s + 5, 2) >= 1 && num(s + 5, 2) <= 12) {
			*out = period_month(y, num(s + 5, 2));
			return 0;
		}
		if ((s[5] == 'Q' || s[5] == 'q') && s[6] >= '1' && s[6] <= '4') {
			*out = period_quarter(y, s[6] - '0');
			return 0;
		}
	}
	if (n == 4 && all_digits(s, 4)) {
		*out = period_year(num(s, 4));
		return 0;
	}
	if (equal_ci(s, n, "BOM")) {
		int yy, mm, dd;
		date_to_ymd(asof, &yy, &mm, &dd);
		if (dd == date_days_in_month(yy, mm))
			return qe_err_set(e, QE_DATA, "period 'BOM': nothing left of the month after %04d-%02d-%02d",
					  yy, mm, dd);
		out->kind = PERIOD_BOM;
		out->first = asof + 1;
		out->last = date_from_ymd(yy, mm, date_days_in_month(yy, mm));
		return 0;
	}
	if (equal_ci(s, n, "WE")) {
		/* the next Saturday strictly after asof */
		qe_date sat = asof + 1 + (6 - date_weekday(asof + 1) + 7) % 7;
		out->kind = PERIOD_WEEKEND;
		out->first = sat;
		out->last = sat + 1;
		return 0;
	}
	if (equal_ci(s, n, "DA")) {
		*out = period_from_range(asof + 1, asof + 1);
		return 0;
	}
	const char *dash = memchr(s, '-', n);
	if (dash) {
		size_t pre = (size_t)(dash - s), post = n - pre - 1;
		y = parse_year(dash + 1, post);
		if (y >= 0) {
			for (int m = 0; m < 12; m++)
				if (equal_ci(s, pre, month_abbr[m])) {
					*out = period_month(y, m + 1);
					return 0;
				}
			if (pre == 2 && (s[0] == 'Q' || s[0] == 'q') && s[1] >= '1' && s[1] <= '4') {
				*out = period_quarter(y, s[1] - '0');
				return 0;
			}
			if (equal_ci(s, pre, "Sum") || equal_ci(s, pre, "Summer")) {
				*out = period_season(y, 1);
				return 0;
			}
			if (equal_ci(s, pre, "Win") || equal_ci(s, pre, "Winter")) {
				*out = period_season(y, 0);
				return 0;
			}
			if (equal_ci(s, pre, "Cal")) {
				*out = period_year(y);
				return 0;
			}
			if (equal_ci(s, pre, "GY")) {
				*out = period_gas_year(y);
				return 0;
			}
		}
	}
	return qe_err_set(e, QE_DATA, "unknown delivery period '%.*s'", (int)(n > 60 ? 60 : n), s);
}

int period_parse_z(const char *label, qe_date asof, qe_period *out, qe_err *e)
{
	return period_parse(label, strlen(label), asof, out, e);
}

int period_format(char *buf, const qe_period *p)
{
	int y, m, d;
	date_to_ymd(p->first, &y, &m, &d);
	/* two-digit years read back as 20YY, so other centuries keep four */
	int short_year = y >= 2000 && y <= 2099;
	switch (p->kind) {
	case PERIOD_DAY:
		date_format(buf, p->first);
		return 10;
	case PERIOD_MONTH:
		return snprintf(buf, PERIOD_BUFSZ, "%04d-%02d", y, m);
	case PERIOD_QUARTER:
		return snprintf(buf, PERIOD_BUFSZ, "%04d-Q%d", y, (m + 2) / 3);
	case PERIOD_SEASON:
		return snprintf(buf, PERIOD_BUFSZ, "%s-%0*d", m == 4 ? "Sum" : "Win", short_year ? 2 : 4,
				short_year ? y % 100 : y);
	case PERIOD_YEAR:
		return snprintf(buf, PERIOD_BUFSZ, "Cal-%0*d", short_year ? 2 : 4, short_year ? y % 100 : y);
	case PERIOD_GAS_YEAR:
		return snprintf(buf, PERIOD_BUFSZ, "GY-%0*d", short_year ? 2 : 4, short_year ? y % 100 : y);
	default:
		date_format(buf, p->first);
		buf[10] = '/';
		date_format(buf + 11, p->last);
		return 21;
	}
}

/* --- shapes ------------------------------------------------------------------ */

static const char *const shape_names[] = {"base", "peak", "offpeak", "5x16", "2x16",
					  "7x8", "7x24", "gasday", "gasday_eu", "gasday_us"};

int shape_parse(const char *s, size_t n, int *shape)
{
	for (int i = 0; i < (int)(sizeof shape_names / sizeof shape_names[0]); i++)
		if (equal_ci(s, n, shape_names[i])) {
			*shape = i;
			return 0;
		}
	return -1;
}

const char *shape_name(int shape)
{
	if (shape < 0 || shape >= (int)(sizeof shape_names / sizeof shape_names[0]))
		return "?";
	return shape_names[shape];
}

int shape_is_gas(int shape)
{
	return shape == SHAPE_GASDAY || shape == SHAPE_GASDAY_EU || shape == SHAPE_GASDAY_US;
}

static int local_hour_in_shape(int shape, qe_date d, int h)
{
	int wd = date_weekday(d);
	switch (shape) {
	case SHAPE_PEAK:
		return wd <= 5 && h >= 8 && h < 20;
	case SHAPE_OFFPEAK:
		return !(wd <= 5 && h >= 8 && h < 20);
	case SHAPE_5X16:
		return wd <= 5 && h >= 6 && h < 22 && !cal_is_nerc_holiday(d);
	case SHAPE_2X16:
		return (wd > 5 || cal_is_nerc_holiday(d)) && h >= 6 && h < 22;
	case SHAPE_7X8:
		return h < 6 || h >= 22;
	default:
		return 1;
	}
}

int shape_contains(int shape, const qe_tz *tz, int64_t utc)
{
	qe_date d;
	int h, mi, s;
	tz_local_split(tz_utc_to_local(tz, utc), &d, &h, &mi, &s);
	return local_hour_in_shape(shape, d, h);
}

static int valid_minutes(int minutes)
{
	return minutes == 5 || minutes == 15 || minutes == 30 || minutes == 60;
}

int64_t shape_intervals(int shape, qe_date first, qe_date last, const qe_tz *tz, int minutes,
			int64_t *out, size_t cap, qe_err *e)
{
	if (!valid_minutes(minutes)) {
		qe_err_set(e, QE_USAGE, "interval of %d minutes not supported (5, 15, 30 or 60)", minutes);
		return -1;
	}
	if (shape < 0 || shape > SHAPE_GASDAY_US) {
		qe_err_set(e, QE_USAGE, "unknown shape %d", shape);
		return -1;
	}
	if (last < first || last - first > 36600) {
		qe_err_set(e, QE_DATA, "bad delivery range (%d days)", (int)(last - first + 1));
		return -1;
	}
	const int64_t step = (int64_t)minutes * 60;
	int64_t count = 0;
	if (shape_is_gas(shape)) {
		int us = shape == SHAPE_GASDAY_US ||
			 (shape == SHAPE_GASDAY && strncmp(tz_name(tz), "America/", 8) == 0);
		const qe_tz *z = us ? tz_get("America/Chicago", e) : tz;
		if (!z)
			return -1;
		int start_hour = us ? 9 : 6;
		int64_t a, b;
		tz_local_to_utc(z, tz_local_make(first, start_hour, 0, 0), TZ_EARLIER, &a, NULL);
		tz_local_to_utc(z, tz_local_make(last + 1, start_hour, 0, 0), TZ_EARLIER, &b, NULL);
		for (int64_t u = a; u < b; u += step, count++)
			if (out && (size_t)count < cap)
				out[count] = u;
		return count;
	}
	for (qe_date d = first; d <= last; d++) {
		int64_t a = tz_day_start(tz, d), b = tz_day_start(tz, d + 1);
		for (int64_t u = a; u < b; u += step) {
			if (shape != SHAPE_BASE && shape != SHAPE_7X24 && !shape_contains(shape, tz, u))
				continue;
			if (out && (size_t)count < cap)
				out[count] = u;
			count++;
		}
	}
	return count;
}

int64_t shape_count(int shape, qe_date first, qe_date last, const qe_tz *tz, int minutes, qe_err *e)
{
	return shape_intervals(shape, first, last, tz, minutes, NULL, 0, e);
}

int64_t shape_hours(int shape, qe_date first, qe_date last, const qe_tz *tz, qe_err *e)
{
	return shape_intervals(shape, first, last, tz, 60, NULL, 0, e);
}

/* --- expiry --------------------------------------------------------------------- */

int contract_expiry(const char *product, qe_date delivery_month, const qe_calendar *cal, qe_date *out,
		    qe_err *e)
{
	size_t n = strlen(product);
	qe_date first = date_add_months_first(delivery_month, 0);
	qe_date x;
	if (equal_ci(product, n, "NG")) {
		x = cal_add_business_days(cal, first, -3);
	} else if (equal_ci(product, n, "CL")) {
		qe_date prev = date_add_months_first(first, -1);
		qe_date d25 = prev + 24;
		qe_date base = cal_is_business_day(cal, d25) ? d25 : cal_prev_business_day(cal, d25);
		x = cal_add_business_days(cal, base, -3);
	} else if (equal_ci(product, n, "BRENT") || equal_ci(product, n, "B")) {
		x = cal_last_business_day_of_month(cal, date_add_months_first(first, -2));
	} else if (equal_ci(product, n, "RB") || equal_ci(product, n, "HO")) {
		x = cal_last_business_day_of_month(cal, date_add_months_first(first, -1));
	} else if (equal_ci(product, n, "EUA")) {
		int y, m, d;
		date_to_ymd(first, &y, &m, &d);
		qe_date mon = cal_nth_weekday(y, m, 1, -1);
		int closed = !cal_is_business_day(cal, mon);
		for (int k = 1; k <= 4; k++)
			closed |= !cal_is_business_day(cal, mon + k);
		x = closed ? mon - 7 : mon;
	} else {
		return qe_err_set(e, QE_DATA, "no expiry rule for product '%s' (NG, CL, BRENT, RB, HO, EUA)",
				  product);
	}
	if (!cal_covers(cal, x) || !cal_covers(cal, first)) {
		char b1[16];
		date_format(b1, x);
		return qe_err_set(e, QE_DATA, "calendar %s does not cover %s (expiry of %s)", cal_name(cal), b1,
				  product);
	}
	*out = x;
	return 0;
}
