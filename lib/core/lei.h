/*
 * lei: Legal Entity Identifiers (ISO 17442): 20 characters, 18
 * alphanumeric then 2 check digits, valid when the whole string, letters
 * replaced by numbers (A = 10 ... Z = 35), is 1 modulo 97 (ISO 7064
 * MOD 97-10, the same check as IBAN).
 *
 * Owns nothing; never prints.  Upper case only: a lower-case letter makes
 * an identifier invalid (ISO 17442 uses upper case; normalise first).
 */
#ifndef QE_LEI_H
#define QE_LEI_H

#include <stddef.h>

/* Remainder modulo 97 of the digit string made from s[0..len) (letters as
 * two digits); -1 if s holds a character other than 0-9 or A-Z. */
int mod97_remainder(const char *s, size_t len);

/* Check digits for an 18-character prefix: writes two digits and a NUL
 * into check.  Returns 0, or -1 for a prefix that is not 18 of [0-9A-Z]. */
int lei_check_digits(const char *prefix18, char check[3]);

/* 1 when s is exactly 20 characters of [0-9A-Z], the last two digits, and
 * the MOD 97-10 check passes; else 0. */
int lei_valid(const char *s, size_t len);

/* NULL when s[0..len) is a valid LEI; else the first reason it fails, in
 * the order length, characters, check digits, written into buf[cap]
 * ("empty", "19 characters, not 20", "character 5 'a' is not 0-9 or
 * A-Z", "check digits 'X1' are not two digits", "check digits fail ISO
 * 7064 MOD 97-10 (remainder 45, not 1)"). */
const char *lei_reason(const char *s, size_t len, char *buf, size_t cap);

#endif
