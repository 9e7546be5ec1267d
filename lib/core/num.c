#include "core/num.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks the grammar ourselves so strtod's leniency (leading spaces, hex,
 * "infinity", locale decimal point) can never leak in. */
static int decimal_grammar_ok(const char *s, size_t len)
{
	size_t i = 0, digits = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, digits++;
	}
	if (digits == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp_digits = 0;
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, exp_digits++;
		if (exp_digits == 0)
			return 0;
	}
	return i == len;
}

static int looks_nonfinite(const char *s, size_t len)
{
	size_t i = (len > 0 && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
	if (len - i < 3)
		return 0;
	return strncasecmp(s + i, "nan", 3) == 0 || strncasecmp(s + i, "inf", 3) == 0;
}

static const double pow10_exact[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* The fast path for short plain decimals ("-12.375", at most 15 digits,
 * no exponent), the bulk of every input file: the digits as an integer
 * below 10^15 < 2^53 and the power of ten are both exact, so one IEEE
 * division rounds correctly, as strtod does.  0 when it applies. */
static int parse_short_decimal(const char *s, size_t len, double *out)
{
	size_t i = 0;
	int neg = 0, digits = 0, frac = 0;
	uint64_t m = 0;
	if (len && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		m = m * 10 + (uint64_t)(s[i] - '0');
	if (i < len && s[i] == '.')
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++, frac++)
			m = m * 10 + (uint64_t)(s[i] - '0');
	if (i != len || digits == 0 || digits > 15)
		return -1;
	double v = (double)m / pow10_exact[frac];
	*out = neg ? -v : v;
	return 0;
}

int num_parse_double(const char *s, size_t len, double *out)
{
	char stackbuf[64];
	char *buf = stackbuf, *end;
	double v;
	int rc = NUM_OK;

	if (len == 0)
		return NUM_EMPTY;
	if (parse_short_decimal(s, len, out) == 0)
		return NUM_OK;
	if (!decimal_grammar_ok(s, len))
		return looks_nonfinite(s, len) ? NUM_NONFINITE : NUM_SYNTAX;
	if (len >= sizeof stackbuf) {
		buf = malloc(len + 1);
		if (!buf)
			return NUM_RANGE;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (errno == ERANGE && (isinf(v) || v == 0.0))
		rc = NUM_RANGE;
	else if (end != buf + len)
		rc = NUM_SYNTAX;
	if (buf != stackbuf)
		free(buf);
	if (rc == NUM_OK)
		*out = v;
	return rc;
}

int num_parse_double_z(const char *s, double *out)
{
	return num_parse_double(s, strlen(s), out);
}

int num_parse_int64(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	uint64_t acc = 0, limit;

	if (len == 0)
		return NUM_EMPTY;
	if (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return NUM_SYNTAX;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++) {
		unsigned d;
		if (s[i] < '0' || s[i] > '9')
			return NUM_SYNTAX;
		d = (unsigned)(s[i] - '0');
		if (acc > (limit - d) / 10)
			return NUM_RANGE;
		acc = acc * 10 + d;
	}
	*out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
	return NUM_OK;
}

int num_parse_int64_z(const char *s, int64_t *out)
{
	return num_parse_int64(s, strlen(s), out);
}

const char *num_status_str(int status)
{
	switch (status) {
	case NUM_OK: return "ok";
	case NUM_EMPTY: return "empty value";
	case NUM_SYNTAX: return "not a number";
	case NUM_NONFINITE: return "not a finite number";
	case NUM_RANGE: return "number out of range";
	}
	return "bad number";
}

int num_format_double(char *buf, double x)
{
	int n;
	if (isnan(x))
		return (int)(memcpy(buf, "nan", 4), 3);
	if (isinf(x))
		return x > 0 ? (int)(memcpy(buf, "inf", 4), 3) : (int)(memcpy(buf, "-inf", 5), 4);
	if (x == 0.0)
		return (int)(memcpy(buf, "0", 2), 1);
	/* Most values round-trip at 15 or 17 digits; try the short form first
	 * so "0.1" stays "0.1". */
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(buf, NUM_BUFSZ, "%.*g", prec, x);
		if (prec == 17 || strtod(buf, NULL) == x)
			break;
	}
	return n;
}
