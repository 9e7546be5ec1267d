/* Unit tests of lib/core/iban: the published IBAN examples of the IBAN
 * registry verify, every single-character corruption of them is judged
 * as an independent MOD 97-10 computation (written here, big-number
 * arithmetic on the digit string in chunks of nine digits) says, and BIC
 * shapes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/iban.h"
#include "unit.h"

/* Published examples (IBAN registry, ECBS): electronic form. */
static const char *const examples[] = {
	"GB82WEST12345698765432", "DE89370400440532013000", "FR1420041010050500013M02606",
	"NL91ABNA0417164300",     "NO9386011117947",        "BE68539007547034",
	"CH9300762011623852957",  "IT60X0542811101000000123456", "ES9121000418450200051332",
	"SA0380000000608010167519", "AT611904300234573201",  "FI2112345600000785",
	"PL61109010140000071219812874", "MT84MALT011000012345MTLCAST001S",
};

/* The textbook check: move the first four characters to the end, expand
 * letters to two digits, take the remainder of the decimal number mod 97
 * nine digits at a time. */
static int oracle_mod97(const char *iban)
{
	char moved[64], digits[160];
	size_t n = strlen(iban), k = 0;
	snprintf(moved, sizeof moved, "%s%.4s", iban + 4, iban);
	for (size_t i = 0; i < n; i++) {
		char c = moved[i];
		if (c >= '0' && c <= '9')
			digits[k++] = c;
		else if (c >= 'A' && c <= 'Z')
			k += (size_t)snprintf(digits + k, sizeof digits - k, "%d", c - 'A' + 10);
		else
			return -1;
	}
	digits[k] = '\0';
	uint64_t rem = 0;
	for (size_t i = 0; i < k; i += 7) {
		char chunk[32];
		snprintf(chunk, sizeof chunk, "%02llu%.7s", (unsigned long long)rem, digits + i);
		rem = strtoull(chunk, NULL, 10) % 97;
	}
	return (int)rem;
}

static int oracle_valid(const char *iban)
{
	size_t n = strlen(iban);
	char cc[3] = {iban[0], iban[1], '\0'};
	if (n < 4 || iban_country_length(cc) != (int)n || iban[2] < '0' || iban[2] > '9' ||
	    iban[3] < '0' || iban[3] > '9')
		return 0;
	return oracle_mod97(iban) == 1;
}

static void test_examples(void)
{
	static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
		const char *x = examples[i];
		size_t n = strlen(x);
		char name[120], check[3], bban[40], cc[3] = {x[0], x[1], '\0'};
		snprintf(name, sizeof name, "%s verifies", x);
		UT_EQ_INT(iban_check(x, n), IBAN_OK, name);
		UT_EQ_INT(oracle_mod97(x), 1, "the oracle agrees");
		snprintf(bban, sizeof bban, "%s", x + 4);
		snprintf(name, sizeof name, "%s: check digits computed", x);
		UT_CHECK(iban_check_digits(cc, bban, check) == 0 && check[0] == x[2] && check[1] == x[3],
			 name);
		/* every single-character substitution, each judged by the oracle */
		long tried = 0, agree = 0, caught = 0;
		for (size_t p = 0; p < n; p++)
			for (const char *a = alnum; *a; a++) {
				char bad[40];
				if (*a == x[p])
					continue;
				memcpy(bad, x, n + 1);
				bad[p] = *a;
				int ok = iban_check(bad, n) == IBAN_OK;
				tried++;
				agree += ok == oracle_valid(bad);
				caught += !ok;
			}
		snprintf(name, sizeof name, "%s: %ld corruptions judged as the oracle does", x, tried);
		UT_EQ_INT(agree, tried, name);
		/* MOD 97-10 catches every substitution of a digit by a digit or a
		 * letter by a letter in the check digits and BBAN (one changes
		 * the number by d * 10^k, the other by d * 100^k, |d| < 97) */
		long inner = 0, inner_caught = 0;
		for (size_t p = 2; p < n; p++)
			for (const char *a = alnum; *a; a++) {
				char bad[40];
				int digit_a = *a >= '0' && *a <= '9', digit_x = x[p] >= '0' && x[p] <= '9';
				if (*a == x[p] || digit_a != digit_x)
					continue;
				memcpy(bad, x, n + 1);
				bad[p] = *a;
				inner++;
				inner_caught += iban_check(bad, n) != IBAN_OK;
			}
		snprintf(name, sizeof name, "%s: every one of %ld same-kind substitutions caught", x,
			 inner);
		UT_EQ_INT(inner_caught, inner, name);
		(void)caught;
		/* lower case, a space, a cut are refused with their reason */
		char low[40];
		memcpy(low, x, n + 1);
		low[n - 1] = (char)(low[n - 1] | 0x20);
		if (low[n - 1] != x[n - 1])
			UT_EQ_INT(iban_check(low, n), IBAN_CHARSET, "lower case refused");
		UT_EQ_INT(iban_check(x, n - 1), IBAN_LENGTH, "a cut IBAN is a length error");
	}
	UT_EQ_INT(iban_check("DE89 3704 0044 0532 0130 00", 27), IBAN_CHARSET, "paper form refused");
	UT_EQ_INT(iban_check("ZZ89370400440532013000", 22), IBAN_COUNTRY, "unknown country");
	UT_EQ_INT(iban_check("", 0), IBAN_COUNTRY, "empty");
	UT_EQ_INT(iban_check("DE88370400440532013000", 22), IBAN_CHECK, "wrong check digits");
	UT_CHECK(strstr(iban_status_text(IBAN_CHECK), "MOD 97-10") != NULL, "reason in words");
	char c[3];
	UT_EQ_INT(iban_check_digits("de", "370400440532013000", c), -1, "lower-case country refused");
}

static void test_bic(void)
{
	UT_CHECK(bic_valid("DEUTDEFF", 8), "8-character BIC");
	UT_CHECK(bic_valid("DEUTDEFF500", 11), "11-character BIC");
	UT_CHECK(bic_valid("1234DEFFXXX", 11), "ISO 9362:2014 allows digits in the party prefix");
	UT_CHECK(!bic_valid("DEUTDEF", 7), "7 characters refused");
	UT_CHECK(!bic_valid("DEUTDEFF50", 10), "10 characters refused");
	UT_CHECK(!bic_valid("DEUT1EFF", 8), "country must be letters");
	UT_CHECK(!bic_valid("deutdeff", 8), "lower case refused");
	UT_CHECK(!bic_valid("DEUT-EFF", 8), "punctuation refused");
}

int main(void)
{
	test_examples();
	test_bic();
	return ut_done();
}
