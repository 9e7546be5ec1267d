/*
 * store: where qe-feed puts the readings it receives: one file of
 * readings per settlement period, deduplicated on (meter_id, timestamp),
 * late readings and rejected payloads on the side.
 *
 * Files, in the directory the caller names (periods start on UTC
 * multiples of the period; NAME-YYYYMMDDTHHMMZ.csv is the period's UTC
 * start):
 *  - meters-<start>.csv: the readings of that period, METERS format with
 *    its header (qe-formats(5)), sorted by meter_id then timestamp, so
 *    `qe-ingest meters` reads it as it is;
 *  - late-<start>.csv: the same, for readings that arrived after their
 *    period had closed (period end + grace);
 *  - rejects-<start>.csv: FEED REJECTS rows, for payloads received in
 *    that period.
 * Every write replaces a whole file atomically (io/outfile: temporary
 * file, fsync, rename), so a reader never sees half a file; a file of
 * an open period is rewritten at each flush that has something new for
 * it.  Readings wait in memory between flushes: the caller flushes on a
 * timer and before it exits.
 *
 * Deduplication survives restarts: a period's keys are loaded from its
 * files the first time a reading of that period arrives, and kept until
 * the period has been closed for keep_s seconds; a reading whose period
 * is older than that and whose files are gone is taken as new.
 *
 * Owns every reading and key it holds and its parser.  Writes only its
 * own files in the directory; never prints, never exits; not
 * thread-safe.
 */
#ifndef QE_FEED_STORE_H
#define QE_FEED_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"

typedef struct feed_store_opts {
	const char *dir;
	int period_min;  /* settlement period: 15, 30 or 60 */
	int64_t grace_s; /* a period closes grace_s seconds after its end (>= 0) */
	int64_t keep_s;  /* keys of a closed period are kept this long (>= 0) */
} feed_store_opts;

typedef struct feed_counts {
	long messages;   /* payloads */
	long readings;   /* valid readings in them */
	long written;    /* new readings put in a period file */
	long duplicates; /* readings whose (meter_id, timestamp) was already stored */
	long late;       /* new readings put in a late file */
	long rejected;   /* records (or whole payloads) rejected */
	long commits;    /* files written */
} feed_counts;

typedef struct feed_store feed_store;

/* Checks that dir is a directory we can write to.  NULL with e set
 * (QE_IO, QE_USAGE for bad options, QE_INTERNAL when out of memory). */
feed_store *feed_store_open(const feed_store_opts *o, qe_err *e);
void feed_store_free(feed_store *s);

/* One payload received at `now` (Unix seconds) on `topic`: parsed
 * (feed/payload), each reading deduplicated and queued for its period
 * file or a late file, each reject queued for the rejects file.  Returns
 * 0; QE_DATA when a file of the directory that must be read back is not
 * valid (e names it, file:line:column); QE_IO; QE_INTERNAL. */
int feed_store_message(feed_store *s, const char *topic, const void *payload, size_t len,
		       int64_t now, qe_err *e);

/* Writes every file that has something new, then forgets the readings of
 * closed periods and the keys of periods closed longer than keep_s.
 * Returns 0 or QE_IO (the files not written keep their readings, so a
 * later flush may try again). */
int feed_store_flush(feed_store *s, int64_t now, qe_err *e);

/* Readings and rejects received since the last successful flush. */
long feed_store_pending(const feed_store *s);
void feed_store_counts(const feed_store *s, feed_counts *c);

/* "PREFIX-YYYYMMDDTHHMMZ.csv" for a period starting at `start` (UTC);
 * buf holds at least 64 bytes. */
void feed_store_file_name(char *buf, size_t cap, const char *prefix, int64_t start);

#endif
