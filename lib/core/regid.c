#include "core/regid.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/lei.h"

static int alnum_upper(int ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z');
}

const char *regid_uti_reason(const char *s, size_t n, char *buf, size_t cap)
{
	if (!n)
		return "empty";
	if (n > 52)
		return snprintf(buf, cap, "%zu characters, more than 52", n), buf;
	for (size_t i = 0; i < n; i++)
		if (!alnum_upper((unsigned char)s[i])) {
			if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f)
				snprintf(buf, cap, "character %zu '%c' is not 0-9 or A-Z", i + 1, s[i]);
			else
				snprintf(buf, cap, "character %zu (byte 0x%02X) is not 0-9 or A-Z", i + 1,
					 (unsigned char)s[i]);
			return buf;
		}
	if (n <= 20)
		return snprintf(buf, cap, "%zu characters: an LEI of 20 and a code after it are needed", n), buf;
	char why[128];
	if (lei_reason(s, 20, why, sizeof why))
		return snprintf(buf, cap, "its first 20 characters are not the generating entity's LEI: %s", why),
		       buf;
	return NULL;
}

const char *regid_mic_reason(const char *s, size_t n)
{
	if (!n)
		return "empty";
	if (n != 4)
		return "a MIC has 4 characters";
	for (int i = 0; i < 4; i++)
		if (!alnum_upper((unsigned char)s[i]))
			return "a MIC is 4 characters A-Z 0-9";
	return NULL;
}

const char *regid_timestamp_parse(const char *s, size_t n, int64_t *utc, int32_t *offset, int32_t *nanos)
{
	if (!n)
		return "empty";
	qe_date d;
	int hh, mm, ss, oh = 0, om = 0, sign = 1;
	int32_t frac = 0;
	if (n < 20 || s[10] != 'T' || date_parse(s, 10, &d))
		return "not YYYY-MM-DDTHH:MM:SS with an offset";
	if (s[13] != ':' || s[16] != ':' || date_digits(s + 11, 2, &hh) || date_digits(s + 14, 2, &mm) ||
	    date_digits(s + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 59)
		return "not a time HH:MM:SS after the T";
	size_t p = 19;
	if (s[p] == '.') {
		size_t q = ++p;
		while (p < n && s[p] >= '0' && s[p] <= '9')
			p++;
		if (p == q || p - q > 9)
			return "fraction of a second of 1 to 9 digits";
		for (size_t k = q; k < q + 9; k++)
			frac = frac * 10 + (k < p ? s[k] - '0' : 0);
	}
	if (n - p == 1 && s[p] == 'Z') {
		/* UTC */
	} else if (n - p != 6 || (s[p] != '+' && s[p] != '-') || s[p + 3] != ':' || date_digits(s + p + 1, 2, &oh) ||
		   date_digits(s + p + 4, 2, &om)) {
		return "no UTC offset (Z or +HH:MM) after the time";
	} else if (om > 59 || oh * 60 + om > 14 * 60) {
		return "UTC offset beyond +-14:00";
	} else {
		sign = s[p] == '-' ? -1 : 1;
	}
	int32_t off = sign * (oh * 3600 + om * 60);
	if (utc)
		*utc = (int64_t)d * 86400 + hh * 3600 + mm * 60 + ss - off;
	if (offset)
		*offset = off;
	if (nanos)
		*nanos = frac;
	return NULL;
}
