/*
 * payload: the readings of one smart-meter message, as qe-feed receives
 * them from an MQTT broker.  A payload is either CSV, one or more rows of
 * the METERS format of qe-formats(5) without a header
 * (meter_id,timestamp,interval_min,energy,unit,quality), or one small
 * JSON object with the same six keys (numbers as JSON numbers or
 * strings; quality and energy may be null or absent).
 *
 * Every record goes through the row validator of `qe-ingest meters`
 * (ingest/schema's schema_check_row on the METERS table), which also
 * gives the canonical row, plus the two rules qe-ingest applies to a
 * reading on its own (ingest/meters): the start lies on a multiple of its
 * interval in the local time of its own offset, and the interval divides
 * the settlement period.  A record that fails becomes a feed_reject with
 * the column, the value and the reason, in the words of qe-ingest.
 *
 * Owns its buffers (the reading and reject handed to the callbacks point
 * into them and live until the callback returns).  Never prints, never
 * exits; not thread-safe (one parser per thread).
 */
#ifndef QE_FEED_PAYLOAD_H
#define QE_FEED_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"

/* Payloads (and the rows of a file read back) longer than this are
 * rejected whole. */
#define FEED_PAYLOAD_MAX (1 << 20)

typedef struct feed_reading {
	const char *row;      /* canonical METERS row, "\n" included */
	size_t row_len;
	const char *meter_id; /* the canonical meter id (not terminated) */
	size_t id_len;
	int64_t utc;          /* interval start */
	int interval_min;
	long line;            /* line of the payload or text where the record starts */
} feed_reading;

typedef struct feed_reject {
	const char *column;   /* schema column at fault, or NULL (the whole record) */
	const char *value;    /* the offending value, shown escaped by the caller */
	size_t value_len;
	const char *reason;   /* in words, one line */
	const char *record;   /* the CSV record or the whole JSON payload */
	size_t record_len;
	long line;            /* line of the payload or text where the record starts */
} feed_reject;

/* Each returns 0 to go on, or an exit-code class (with e filled) to stop. */
typedef struct feed_sink {
	int (*reading)(void *ctx, const feed_reading *r, qe_err *e);
	int (*reject)(void *ctx, const feed_reject *r, qe_err *e);
	void *ctx;
} feed_sink;

typedef struct feed_parser feed_parser;

/* period_min: the settlement period readings must divide (15, 30, 60);
 * anything else is QE_USAGE. */
feed_parser *feed_parser_new(int period_min, qe_err *e);
void feed_parser_free(feed_parser *p);

/* Parses one payload and hands every reading and reject to the sink, in
 * payload order.  An empty payload is one reject.  Returns 0, a sink's
 * code, or QE_INTERNAL when out of memory. */
int feed_parse(feed_parser *p, const char *payload, size_t len, const feed_sink *sink, qe_err *e);

/* Parses CSV records only (a file of readings read back, header already
 * skipped): the same as feed_parse for a payload that is not JSON. */
int feed_parse_csv(feed_parser *p, const char *text, size_t len, const feed_sink *sink, qe_err *e);

#endif
