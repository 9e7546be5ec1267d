/*
 * regid: the shapes of the fields a trade report (REMIT Table 1, EMIR)
 * names a trade by - the unique transaction identifier (ISO 23897: the
 * generating entity's LEI, then up to 32 characters 0-9 A-Z, at most 52
 * in all), the venue (an ISO 10383 market identifier code, XOFF or XXXX
 * off venue) and the execution timestamp with its UTC offset and an
 * optional fraction of a second.  qe-ingest validates the trades
 * contract with them and qe-screen's regulatory and abuse rules read the
 * same fields through them, so both agree on what is reportable.
 *
 * Owns nothing; never prints.  Strings are s[0..len), not NUL-terminated.
 */
#ifndef QE_REGID_H
#define QE_REGID_H

#include <stddef.h>
#include <stdint.h>

/* NULL when s is a UTI: 21 to 52 characters of [0-9A-Z] whose first 20
 * are a valid LEI (core/lei); else why, written into buf[cap]. */
const char *regid_uti_reason(const char *s, size_t len, char *buf, size_t cap);

/* NULL when s has the shape of a MIC: exactly 4 characters of [0-9A-Z]
 * (whether the code is registered is not checked: the ISO list changes
 * monthly); else why (a static string). */
const char *regid_mic_reason(const char *s, size_t len);

/* The instant of an execution timestamp "YYYY-MM-DDTHH:MM:SS[.f]+HH:MM"
 * (or "...Z"; 1 to 9 fraction digits; offset up to +-14:00, the widest
 * in use; seconds 00-59, a leap second 60 refused as time/tz does): NULL
 * and, when not NULL, *utc (seconds since 1970 UTC, fraction dropped),
 * *offset (seconds east) and *nanos set; else why (a static string). */
const char *regid_timestamp_parse(const char *s, size_t len, int64_t *utc, int32_t *offset, int32_t *nanos);

#endif
