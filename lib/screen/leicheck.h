/*
 * leicheck: why an identifier is or is not a valid LEI (ISO 17442), for
 * qe-screen lei and the LEI rules of qe-screen check.  The check digits
 * are core/lei's (ISO 7064 MOD 97-10); this module only names the first
 * reason an identifier fails, in the order length, characters, check
 * digits.
 *
 * Owns nothing; never prints.
 */
#ifndef QE_LEICHECK_H
#define QE_LEICHECK_H

#include <stddef.h>

#include "core/diag.h"
#include "io/csvio.h"

/* NULL when s[0..len) is a valid LEI; else the reason, written into
 * buf[cap] ("empty", "19 characters, not 20", "character 5 'a' is not
 * 0-9 or A-Z", "check digits 'X1' are not two digits", "check digits
 * fail ISO 7064 MOD 97-10 (remainder 45, not 1)"). */
const char *leicheck_reason(const char *s, size_t len, char *buf, size_t cap);

/* qe-screen lei: copies every record of r to w with the columns valid
 * (true/false) and reason appended (header too).  *invalid gets the
 * number of invalid identifiers.  A malformed record is QE_DATA at
 * file:line:col; a missing lei column likewise. */
int leicheck_csv(csv_reader *r, csv_writer *w, long *invalid, qe_err *e);

#endif
