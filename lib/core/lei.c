#include "core/lei.h"

#include <stdio.h>
#include <string.h>

int mod97_remainder(const char *s, size_t len)
{
	int rem = 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c >= '0' && c <= '9')
			rem = (rem * 10 + (c - '0')) % 97;
		else if (c >= 'A' && c <= 'Z')
			rem = (rem * 100 + (c - 'A' + 10)) % 97;
		else
			return -1;
	}
	return rem;
}

int lei_check_digits(const char *prefix18, char check[3])
{
	char buf[20];
	if (strlen(prefix18) != 18)
		return -1;
	memcpy(buf, prefix18, 18);
	buf[18] = buf[19] = '0';
	int rem = mod97_remainder(buf, 20);
	if (rem < 0)
		return -1;
	int cd = 98 - rem;
	check[0] = (char)('0' + cd / 10);
	check[1] = (char)('0' + cd % 10);
	check[2] = '\0';
	return 0;
}

int lei_valid(const char *s, size_t len)
{
	if (len != 20)
		return 0;
	if (s[18] < '0' || s[18] > '9' || s[19] < '0' || s[19] > '9')
		return 0;
	return mod97_remainder(s, len) == 1;
}

const char *lei_reason(const char *s, size_t len, char *buf, size_t cap)
{
	if (len == 0) {
		snprintf(buf, cap, "empty");
		return buf;
	}
	if (len != 20) {
		snprintf(buf, cap, "%zu characters, not 20", len);
		return buf;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
			if (c >= 0x20 && c < 0x7f)
				snprintf(buf, cap, "character %zu '%c' is not 0-9 or A-Z", i + 1, c);
			else
				snprintf(buf, cap, "character %zu (byte 0x%02X) is not 0-9 or A-Z", i + 1, c);
			return buf;
		}
	}
	if (s[18] < '0' || s[18] > '9' || s[19] < '0' || s[19] > '9') {
		snprintf(buf, cap, "check digits '%.2s' are not two digits", s + 18);
		return buf;
	}
	int rem = mod97_remainder(s, len);
	if (rem != 1) {
		snprintf(buf, cap, "check digits fail ISO 7064 MOD 97-10 (remainder %d, not 1)", rem);
		return buf;
	}
	return NULL;
}
