/* iban: IBAN check digits and BIC shape (iban.h). */
#include "core/iban.h"

#include <string.h>

#include "core/lei.h"

/* The IBAN registry (SWIFT, ISO 13616): country and IBAN length. */
static const struct {
	char cc[3];
	unsigned char len;
} registry[] = {
	{"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16},
	{"BG", 22}, {"BH", 22}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28},
	{"CZ", 24}, {"DE", 22}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24},
	{"FI", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18},
	{"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23},
	{"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32},
	{"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24}, {"ME", 22},
	{"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24},
	{"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24},
	{"SC", 31}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"ST", 25}, {"SV", 28},
	{"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
};

int iban_country_length(const char *cc)
{
	for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
		if (cc[0] == registry[i].cc[0] && cc[0] && cc[1] == registry[i].cc[1])
			return registry[i].len;
	return 0;
}

static int alnum_upper(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* MOD 97-10 remainder of the IBAN s[0..len) read BBAN first. */
static int rearranged_remainder(const char *s, size_t len)
{
	char buf[40];
	memcpy(buf, s + 4, len - 4);
	memcpy(buf + len - 4, s, 4);
	return mod97_remainder(buf, len);
}

int iban_check(const char *s, size_t len)
{
	if (!alnum_upper(s, len))
		return IBAN_CHARSET;
	if (len < 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return IBAN_COUNTRY;
	char cc[3] = {s[0], s[1], '\0'};
	int want = iban_country_length(cc);
	if (!want)
		return IBAN_COUNTRY;
	if (len != (size_t)want)
		return IBAN_LENGTH;
	if (s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9')
		return IBAN_CHECK;
	return rearranged_remainder(s, len) == 1 ? IBAN_OK : IBAN_CHECK;
}

const char *iban_status_text(int status)
{
	switch (status) {
	case IBAN_OK: return "valid";
	case IBAN_CHARSET: return "IBAN holds a character other than A-Z, 0-9";
	case IBAN_COUNTRY: return "IBAN does not start with a country of the IBAN registry";
	case IBAN_LENGTH: return "IBAN length is not its country's";
	default: return "IBAN check digits do not verify (MOD 97-10)";
	}
}

int iban_check_digits(const char *cc, const char *bban, char check[3])
{
	size_t n = strlen(bban);
	char buf[40];
	if (strlen(cc) != 2 || n + 4 > sizeof buf || !alnum_upper(cc, 2) || !alnum_upper(bban, n))
		return -1;
	memcpy(buf, bban, n);
	memcpy(buf + n, cc, 2);
	buf[n + 2] = buf[n + 3] = '0';
	int cd = 98 - mod97_remainder(buf, n + 4);
	check[0] = (char)('0' + cd / 10);
	check[1] = (char)('0' + cd % 10);
	check[2] = '\0';
	return 0;
}

int bic_valid(const char *s, size_t len)
{
	if ((len != 8 && len != 11) || !alnum_upper(s, len))
		return 0;
	return s[4] >= 'A' && s[4] <= 'Z' && s[5] >= 'A' && s[5] <= 'Z';
}
