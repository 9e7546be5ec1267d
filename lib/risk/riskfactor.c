#include "risk/riskfactor.h"

#include <stdio.h>
#include <string.h>

int64_t risk_factor_tenor(int64_t tenor)
{
	return tenor > RISK_MAX_TENOR ? RISK_MAX_TENOR : tenor;
}

/* Written by hand, not with snprintf: qe-var names a factor for each of
 * a million sensitivity rows, and snprintf was 10% of its run. */
int risk_factor_name(char *buf, size_t bufsz, const char *curve, size_t curvelen, int64_t tenor)
{
	char digits[24];
	size_t nd = 0;
	uint64_t u = tenor < 0 ? 0 - (uint64_t)tenor : (uint64_t)tenor;
	if (curvelen > (size_t)INT32_MAX)
		return -1;
	curvelen = strnlen(curve, curvelen); /* as %.*s: up to a NUL */
	do {
		digits[nd++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (tenor < 0)
		digits[nd++] = '-';
	if (curvelen + 1 + nd >= bufsz)
		return -1;
	memcpy(buf, curve, curvelen);
	buf[curvelen] = ':';
	for (size_t i = 0; i < nd; i++)
		buf[curvelen + 1 + i] = digits[nd - 1 - i];
	buf[curvelen + 1 + nd] = '\0';
	return (int)(curvelen + 1 + nd);
}

size_t risk_factor_curve_len(const char *name)
{
	const char *colon = strrchr(name, ':');
	return colon ? (size_t)(colon - name) : strlen(name);
}

int risk_factor_parse(const char *name, size_t *curvelen, long *tenor)
{
	const char *colon = strrchr(name, ':');
	long t = 0;
	if (!colon || colon == name || !colon[1])
		return -1;
	for (const char *p = colon + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		t = t * 10 + (*p - '0');
		if (t > 100000)
			return -1;
	}
	*curvelen = (size_t)(colon - name);
	*tenor = t;
	return 0;
}

int risk_factor_canon(const char *name, char *out, size_t outsz)
{
	size_t cl;
	long t;
	if (risk_factor_parse(name, &cl, &t))
		return -1;
	return risk_factor_name(out, outsz, name, cl, t) < 0 ? -1 : 0;
}

int risk_vol_factor_name(char *buf, size_t bufsz, const char *curve, size_t curvelen, int64_t tenor)
{
	size_t k = sizeof RISK_VOL_PREFIX - 1;
	if (bufsz <= k)
		return -1;
	memcpy(buf, RISK_VOL_PREFIX, k);
	int n = risk_factor_name(buf + k, bufsz - k, curve, curvelen, tenor);
	return n < 0 ? -1 : n + (int)k;
}

int risk_factor_is_vol(const char *name)
{
	return strncmp(name, RISK_VOL_PREFIX, sizeof RISK_VOL_PREFIX - 1) == 0;
}

const char *risk_factor_underlying(const char *name)
{
	return risk_factor_is_vol(name) ? name + sizeof RISK_VOL_PREFIX - 1 : name;
}
