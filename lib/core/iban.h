/*
 * iban: International Bank Account Numbers (ISO 13616) and Business
 * Identifier Codes (ISO 9362), checked before a payment file names them.
 *
 * An IBAN is a country code (two letters), two check digits and a
 * country-specific BBAN (letters and digits), of the length the IBAN
 * registry fixes for that country; it is valid when the string moved
 * four characters left (BBAN, country, check digits), letters read as
 * numbers (A = 10 ... Z = 35), is 1 modulo 97 (ISO 7064 MOD 97-10, the
 * remainder of core/lei).  A BIC has the shape of ISO 20022's
 * BICFIDec2014Identifier: [A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?.
 *
 * Owns nothing; never prints.  Electronic form only: no spaces, upper
 * case (the paper form "DE89 3704 ..." is refused; normalise first).
 */
#ifndef QE_IBAN_H
#define QE_IBAN_H

#include <stddef.h>

enum iban_status {
	IBAN_OK = 0,
	IBAN_CHARSET,  /* a character other than A-Z, 0-9 */
	IBAN_COUNTRY,  /* no registry country code in front */
	IBAN_LENGTH,   /* not the length of the country's IBAN */
	IBAN_CHECK     /* MOD 97-10 fails */
};

/* The IBAN length the registry fixes for country cc (two letters), or 0
 * when cc is not in the registry. */
int iban_country_length(const char *cc);
/* Checks s[0..len): an enum iban_status. */
int iban_check(const char *s, size_t len);
/* In words, for a reject's reason ("check digits do not verify (MOD 97-10)"). */
const char *iban_status_text(int status);
/* The check digits of the IBAN of country cc and bban: two digits and a
 * NUL into check.  0, or -1 when cc or bban is not letters and digits. */
int iban_check_digits(const char *cc, const char *bban, char check[3]);

/* 1 when s[0..len) has the shape of a BIC (8 or 11 characters), else 0. */
int bic_valid(const char *s, size_t len);

#endif
