#include "core/date.h"

/* Howard Hinnant's days_from_civil / civil_from_days algorithms. */
qe_date date_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	const int era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (qe_date)(era * 146097 + (int)doe - 719468);
}

void date_to_ymd(qe_date t, int *y, int *m, int *d)
{
	int z = t + 719468;
	const int era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	const unsigned dd = doy - (153 * mp + 2) / 5 + 1;
	const unsigned mm = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)yoe + era * 400 + (mm <= 2);
	*m = (int)mm;
	*d = (int)dd;
}

int date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && date_is_leap(y) ? 29 : dim[m - 1];
}

int date_weekday(qe_date t)
{
	/* 1970-01-01 was a Thursday (4). */
	int w = (int)((t % 7 + 7 + 3) % 7);
	return w + 1;
}

int date_digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int date_parse(const char *s, size_t len, qe_date *out)
{
	int y, m, d;
	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (date_digits(s, 4, &y) || date_digits(s + 5, 2, &m) || date_digits(s + 8, 2, &d))
		return -1;
	if (m < 1 || m > 12 || d < 1 || d > date_days_in_month(y, m))
		return -1;
	*out = date_from_ymd(y, m, d);
	return 0;
}

int date_parse_z(const char *s, qe_date *out)
{
	size_t n = 0;
	while (s[n] && n < 11)
		n++;
	return date_parse(s, n, out);
}

void date_format(char *buf, qe_date t)
{
	int y, m, d;
	date_to_ymd(t, &y, &m, &d);
	y = ((y % 10000) + 10000) % 10000;
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
}

double date_yf_act365(qe_date a, qe_date b)
{
	return (double)(b - a) / 365.0;
}

long date_month_index_ym(int y, int m)
{
	return (long)y * 12 + (m - 1);
}

long date_month_index(qe_date t)
{
	int y, m, d;
	date_to_ymd(t, &y, &m, &d);
	return date_month_index_ym(y, m);
}

void date_month_ym(long idx, int *y, int *m)
{
	long ny = idx >= 0 ? idx / 12 : -((-idx + 11) / 12); /* floor */
	*y = (int)ny;
	*m = (int)(idx - ny * 12 + 1);
}

qe_date date_month_first(long idx)
{
	int y, m;
	date_month_ym(idx, &y, &m);
	return date_from_ymd(y, m, 1);
}

long date_months_between(qe_date a, qe_date b)
{
	return date_month_index(b) - date_month_index(a);
}

int date_month_parse(const char *s, size_t len, long *idx)
{
	int y, m;
	if (len != 7 || s[4] != '-' || date_digits(s, 4, &y) || date_digits(s + 5, 2, &m) || m < 1 || m > 12)
		return -1;
	*idx = date_month_index_ym(y, m);
	return 0;
}

qe_date date_add_months_first(qe_date t, int months)
{
	return date_month_first(date_month_index(t) + months);
}
