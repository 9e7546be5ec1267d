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
 * keys, trade lifecycle) are applied by the caller (ingest.h, qe-price's
 * price/valuation), which gets the row's key hash, version and status
 * from here and asks schema_lifecycle_check whether a version may follow
 * the trade's state.
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
#include "core/date.h"
#include "core/diag.h"
#include "core/strbuf.h"

/* The kinds of io/formats.h that qe-ingest validates (kind <
 * FMT_NINGEST: the input files and meter periods); NULL for the others. */
const formats_table *schema_get(int kind);
const formats_table *schema_find(const char *name);

/* --- the curve master -------------------------------------------------- */
typedef struct schema_markets schema_markets;
/* Loads markets.csv (qe-formats(5) MARKETS); QE_DATA/QE_IO on failure. */
schema_markets *schema_markets_load(const char *path, qe_err *e);
/* Loads the business-day calendars the curve master names, from caldir
 * (NULL: only the built-in ones), so that options are checked against
 * their underlying future's last trading day (time/contract's rule for
 * the curve's product, asked through curvemaster_last_trade()).  Not
 * called: no such check.  A failure is returned (QE_DATA/QE_IO, e
 * filled) and also kept: every option is then rejected with it as the
 * reason, so a caller may go on validating everything else. */
int schema_markets_load_calendars(schema_markets *m, const char *caldir, qe_err *e);
void schema_markets_free(schema_markets *m);
int schema_markets_count(const schema_markets *m);

/* --- row validation ---------------------------------------------------- */
/* Appends s[0..n) to a core/strbuf as one CSV field, quoted as
 * csv_quote_field() says. */
void strbuf_put_field(strbuf *b, const char *s, size_t n);

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
	/* 0: the canonical row has every column; else only the columns of
	 * this mask (bit i: schema column i) get their text, the others are
	 * left empty (every field is still checked): for a run that keeps
	 * nothing but the keys */
	uint32_t out_cols;
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

/* --- the trade lifecycle ------------------------------------------------
 * The cross-row rule of trades, in file order (qe-ingest's merge and
 * qe-price's book mode both apply it): a trade id first appears with
 * status new; an amend with a higher version supersedes the live version;
 * a cancel with a version not lower removes the trade; a new for a live
 * or cancelled id, an amend or cancel of an unknown or cancelled trade
 * and a version that does not supersede are bad. */
enum schema_trade_state { TRADE_UNKNOWN, TRADE_LIVE, TRADE_CANCELLED };
/* NULL when a record of lifecycle `life` (enum lifecycle) and `version`
 * may follow a trade in `state` (TRADE_LIVE: at version `live`); else the
 * reason, written into buf, and *col = the schema column it is about
 * (FMT_TR_ID or FMT_TR_VERSION). */
const char *schema_lifecycle_check(int state, int64_t live, int life, int64_t version, char *buf,
				   size_t cap, int *col);

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

/* The tenor of the contract field of a volatility history row (VOL
 * HISTORY): a tenor, decimal digits of value 0..1200 (whole months after
 * the month of the row's date), or a contract month YYYY-MM, whose tenor
 * is the number of months from the month of date to it.  NULL and *tenor
 * set when valid, else the reason (a static string). */
const char *schema_vol_contract_tenor(const char *s, size_t len, qe_date date, int64_t *tenor);

/* --- the contract of a history quote -------------------------------------
 * The contract column of HISTORY (qe-formats(5)): YYYY-MM, and for tenor
 * k >= 1 the month k months after the month of the quote's date; for
 * tenor 0 a month not before the quote's (the front month), or empty for
 * an index that is no contract (spot, day-ahead).  Empty for tenor k >= 1
 * means that month.  qe-ingest and qe-var's history reader both apply it.
 * Puts the month index (date_month_index) or -1 (no contract) in *month
 * and returns NULL, or the reason into buf. */
const char *schema_history_contract(qe_date date, int64_t tenor, const char *s, size_t len, long *month,
				    char *buf, size_t cap);

/* --- limits of a value ---------------------------------------------------
 * The bounds every validated file keeps, whichever tool reads it (qe-ingest
 * and qe-price's book mode both validate trades through schema_check_row):
 * an identifier (ids, curve names) is at most SCHEMA_ID_MAX bytes and free
 * text (names) at most SCHEMA_TEXT_MAX, both valid UTF-8 without control
 * characters; a list of names (CT_IDLIST) is such text whose items
 * between ';' and '+' are each an identifier; a trade's |price| and |strike| are at most SCHEMA_PRICE_MAX,
 * its quantity (in the canonical unit, after conversion) at most
 * SCHEMA_QTY_MAX and its ratio at most SCHEMA_RATIO_MAX; the strike of an
 * option or Asian priced by Black-76 is > 0, of a spread >= 0 (a normal
 * (Bachelier) model takes any strike). */
#define SCHEMA_ID_MAX 64
#define SCHEMA_TEXT_MAX 256
#define SCHEMA_PRICE_MAX 1e6
#define SCHEMA_QTY_MAX 1e12
#define SCHEMA_RATIO_MAX 1e3

/* The trades table with every column at its own index (schema column i
 * is field i), for readers that hold one trade's fields in schema order
 * (qe-price's book mode): pass it as schema_ctx.colmap. */
extern const int schema_trades_identity[FMT_TR_N];

/* "column 'x': reason 'value'" for a failed rc of table s, into buf (always
 * terminated): the reason part of qe-ingest's reject message. */
void schema_reject_text(const formats_table *s, const row_check *rc, char *buf, size_t cap);

/* Appends a bad value as shown in a message: at most SCHEMA_VALUE_SHOWN
 * bytes (cut at a character boundary, "..." added when cut), control
 * characters escaped (\n, \r, \xNN) and, when the value is not valid
 * UTF-8, every byte above 0x7f escaped too, so a message is one line of
 * valid UTF-8. */
#define SCHEMA_VALUE_SHOWN 64
void schema_show_value(strbuf *b, const char *v, size_t n);

/* NULL when s[0..n) is free text as the validator accepts it (at most
 * max bytes, valid UTF-8, no control character), else the reason ("too
 * long", "invalid UTF-8", "control character"): for readers of a file
 * kind that check its text columns themselves (qe-forecast sentiment). */
const char *schema_text_problem(const char *s, size_t n, size_t max);

/* Writes the canonical header row of s. */
void schema_header(const formats_table *s, strbuf *out);

/* Shortest round-trip text of a decimal number already known to be valid:
 * 1 when the input text is already canonical (num_format_double would
 * print it unchanged).  Exposed for tests. */
int schema_number_is_canonical(const char *s, size_t len);

#endif
