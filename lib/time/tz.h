/*
 * tz: IANA time zones read from the system zoneinfo (TZif v1/v2/v3 files
 * parsed here, including the POSIX TZ footer for instants after the last
 * listed transition), conversions between local civil time and UTC, and
 * strict ISO 8601 timestamps with a UTC offset.
 *
 * Why not localtime()/setenv("TZ"): those go through process-global state,
 * are not thread-safe and leak the zone between calls.  A qe_tz is an
 * immutable value once loaded, so any number of threads may share one.
 *
 * Vocabulary:
 *   utc    int64 seconds since 1970-01-01T00:00:00Z (leap seconds ignored)
 *   local  int64 "wall-clock seconds": the local civil date-time counted as
 *          if it were UTC, i.e. date_from_ymd(y,m,d)*86400 + h*3600 + mi*60 + s.
 *          local = utc + offset(utc).
 *   offset seconds east of UTC (+3600 for CET, -18000 for EST).
 *
 * Owns: the qe_tz it returns (release with tz_free), and the cache of
 * shared zones behind tz_get() - process-wide state: a static table and
 * mutex in tz.c, filled on first use of each name and freed only by
 * tz_cache_clear().  Never prints, never exits, never calls
 * setenv/tzset/localtime.  Zone files are looked up in $TZDIR (read from
 * the environment at each load) when set, else /usr/share/zoneinfo
 * (Debian package tzdata).
 */
#ifndef QE_TZ_H
#define QE_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/diag.h"

typedef struct qe_tz qe_tz;

/* Loads an IANA zone by name ("Europe/Berlin", "America/Chicago", "UTC").
 * Names with "..", a leading '/', or characters outside [A-Za-z0-9/_+-]
 * are refused (QE_DATA); a missing or corrupt zone file is QE_DATA with
 * the name in the message. */
qe_tz *tz_load(const char *name, qe_err *e);
/* Loads a TZif file by path (tests, odd installations). */
qe_tz *tz_load_file(const char *path, const char *name, qe_err *e);
/* A fixed-offset zone (no DST), e.g. for "+02:00" data; never fails. */
qe_tz *tz_fixed(int32_t offset_seconds);
void tz_free(qe_tz *tz);

/* The process-wide cache: loads a zone once and hands out the same shared,
 * immutable object to every caller and thread (mutex-protected).  The
 * zone stays valid until tz_cache_clear(); never tz_free() it.  Keyed by
 * name only: the first load wins, a later change of $TZDIR is not seen
 * for names already cached, and a failed load is not cached.  Use this
 * when zone names come per row (markets.csv). */
const qe_tz *tz_get(const char *name, qe_err *e);
/* Frees every cached zone (only when no thread still uses one). */
void tz_cache_clear(void);

const char *tz_name(const qe_tz *tz);

/* UTC offset (seconds east) in force at instant utc.  If isdst is not NULL
 * it receives 1 during daylight-saving time.  If abbr is not NULL it
 * receives a pointer to the abbreviation ("CET", "CEST") owned by tz. */
int32_t tz_offset_at(const qe_tz *tz, int64_t utc, int *isdst, const char **abbr);

/* Local wall-clock seconds at instant utc. */
int64_t tz_utc_to_local(const qe_tz *tz, int64_t utc);

/* All UTC instants whose local wall clock reads `local`: returns 0 for a
 * nonexistent time (spring-forward gap), 1 for an ordinary time, 2 for an
 * ambiguous one (fall-back overlap; out[0] < out[1], out[0] is the earlier
 * instant, i.e. the one with the larger, summer-time offset). */
int tz_local_candidates(const qe_tz *tz, int64_t local, int64_t out[2]);

enum tz_local_kind {
	TZ_LOCAL_UNIQUE = 0,
	TZ_LOCAL_AMBIGUOUS = 1, /* fall-back overlap: two instants */
	TZ_LOCAL_GAP = 2        /* spring-forward gap: no instant */
};
/* Classifies a local wall-clock time. */
int tz_local_kind(const qe_tz *tz, int64_t local);

enum tz_resolve {
	TZ_STRICT = 0,  /* gap or overlap is an error (QE_DATA) */
	TZ_EARLIER = 1, /* overlap: earlier instant; gap: the offset before the
	                 * gap (Python zoneinfo fold=0: 02:30 on the Berlin spring
	                 * day -> 01:30Z, which reads 03:30 CEST) */
	TZ_LATER = 2    /* overlap: later instant; gap: the offset after the gap
	                 * (fold=1: 02:30 -> 00:30Z, which reads 01:30 CET) */
};
/* Local wall-clock seconds -> UTC with a policy for gaps and overlaps.
 * Returns 0, or QE_DATA (e filled, naming the local time) under TZ_STRICT. */
int tz_local_to_utc(const qe_tz *tz, int64_t local, int policy, int64_t *utc, qe_err *e);

/* First instant of local calendar day d (normally local midnight; if
 * midnight falls in a gap, the first instant after the gap). */
int64_t tz_day_start(const qe_tz *tz, qe_date d);
/* Length of local day d in seconds (86400, 82800 on a spring-forward day,
 * 90000 on a fall-back day in Europe and the US). */
int64_t tz_day_length(const qe_tz *tz, qe_date d);

/* Composition helpers for wall-clock seconds. */
int64_t tz_local_make(qe_date d, int hour, int minute, int second);
void tz_local_split(int64_t local, qe_date *d, int *hour, int *minute, int *second);

/* --- timestamps with offset ------------------------------------------- */

typedef struct qe_ts {
	int64_t utc;    /* the instant */
	int32_t offset; /* the UTC offset it was written with, seconds east */
} qe_ts;

/* Parses exactly "YYYY-MM-DDTHH:MM:SS+HH:MM", "...-HH:MM" or "...Z"
 * (len bytes; 'T' and 'Z' upper case; seconds 00-59; offsets up to
 * +-18:00; "-00:00" accepted as UTC).  Returns 0, or -1 when malformed or
 * not a real calendar time.  No fractional seconds, no missing offset. */
int ts_parse(const char *s, size_t len, qe_ts *out);
int ts_parse_z(const char *s, qe_ts *out);

/* Writes "YYYY-MM-DDTHH:MM:SS+HH:MM" (or "...Z" when offset is 0 and
 * use_z is set) plus NUL; buf needs TS_BUFSZ bytes.  Returns the length.
 * An offset that is not whole minutes (local mean time before ~1900) is
 * written as UTC, so the text always names the exact instant. */
#define TS_BUFSZ 32
int ts_format(char *buf, qe_ts ts, int use_z);

/* The instant utc stamped with zone tz's offset at that instant. */
qe_ts ts_in_zone(const qe_tz *tz, int64_t utc);

#endif
