/*
 * schema: the row validator of qe-ingest, which checks one record against
 * the table of its file kind (io/formats.h: the columns of trades, prices,
 * fixings, vols, rates, history, counterparties, limits, meters, weather,
 * markets, with their types, enums, ranges and keys) and writes the
 * canonical CSV row (lower-case enums, canonical unit spellings and units,
 * ISO dates, shortest round-trip numbers).
 *
 * The validator is pure: it reads the fields it is given and the curve
 * master, and appends to the caller's buffer, so any number of threads
 * may validate rows of the same file at once.  Cross-row rules (unique
 * keys, trade lifecycle) belong to the caller (ingest.h), which gets the
 * row's key hash, version and status from here.
 *
 * Owns: its handle on the curve master it loads through curvemaster.h
 * (schema_markets_free).  Never prints, never exits.
 */
#ifndef QE_SCHEMA_H
#define QE_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "io/csvscan.h"
#include "io/formats.h"
#include "core/diag.h"

/* The kinds of io/formats.h that qe-ingest validates (kind <
 * FMT_NINGEST: the input files and meter periods); NULL for the others. */
const formats_table *schema_get(int kind);
const formats_table *schema_find(const char *name);

/* --- the curve master -------------------------------------------------- */
typedef struct schema_markets schema_markets;
/* Loads markets.csv (qe-formats(5) MARKETS); QE_DATA/QE_IO on failure. */
schema_markets *schema_markets_load(const char *path, qe_err *e);
void schema_markets_free(schema_markets *m);
int schema_markets_count(const schema_markets *m);

/* --- row validation ---------------------------------------------------- */
typedef struct strbuf {
	char *p;
	size_t len, cap;
	int oom;
} strbuf;
void strbuf_put(strbuf *b, const char *s, size_t n);
/* Appends s[0..n) as one CSV field, quoted as csv_quote_field() says. */
void strbuf_put_field(strbuf *b, const char *s, size_t n);
void strbuf_free(strbuf *b);

enum lifecycle { LIFE_NONE = 0, LIFE_NEW, LIFE_AMEND, LIFE_CANCEL };

typedef struct row_check {
	/* on failure */
	int col;            /* schema column, or -1 for the whole record */
	char reason[200];
	const char *value;  /* offending value (points into the fields) */
	size_t value_len;
	/* on success */
	uint64_t key;       /* hash of the key columns' canonical text */
	int64_t version;    /* trades */
	int life;           /* trades: enum lifecycle */
} row_check;

typedef struct schema_ctx {
	const formats_table *s;
	const schema_markets *markets; /* NULL: curves not checked */
	const int *colmap;  /* schema column -> field index in the record, -1 absent */
} schema_ctx;

/* Builds colmap (s->ncols entries) from the header on line `line`; a
 * missing required column is QE_DATA "name:line:1: missing required column
 * 'x'" (with io/csvio's delimiter hint).  unknown[] (header ncols entries)
 * is set to 1 for columns the schema ignores. */
int schema_map_header(const formats_table *s, const csvscan_field *hdr, int nhdr, int *colmap,
		      int *unknown, const char *name, long line, qe_err *e);

/* Validates one record of nf fields and appends its canonical CSV row
 * (with "\n") to out.  Returns 0, or -1 with rc filled (out unchanged). */
int schema_check_row(const schema_ctx *c, const csvscan_field *f, int nf, strbuf *out,
		     row_check *rc);

/* --- plausibility of quotes --------------------------------------------
 * The percentage-typo rules of qe-ingest, which qe-price's formula mode
 * applies too, so that both read a quote the same way: a lognormal vol
 * above 5 (500%) or a zero rate outside the range of the rates file's
 * 'rate' column (io/formats.h: |rate| < 1, i.e. 100%) was typed as a
 * percentage (vol 28, rate 10).  Each returns NULL when the value is
 * plausible, else the reason (a static string, no value in it).  A
 * normal (Bachelier) vol is in price units and has no such bound. */
#define SCHEMA_LOGNORMAL_VOL_MAX 5.0
const char *schema_lognormal_vol_implausible(double vol);
const char *schema_rate_implausible(double rate);

/* Writes the canonical header row of s. */
void schema_header(const formats_table *s, strbuf *out);

/* Shortest round-trip text of a decimal number already known to be valid:
 * 1 when the input text is already canonical (num_format_double would
 * print it unchanged).  Exposed for tests. */
int schema_number_is_canonical(const char *s, size_t len);

#endif
