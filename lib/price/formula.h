/*
 * formula: qe-price's formula mode, the analyst's calculator.  Reads one
 * case per CSV row, prices it with one model and writes the same row with
 * the results appended (input fields are copied through unchanged, unknown
 * columns included):
 *   black76, bachelier  type,forward,strike,vol,rate,expiry
 *                       -> price,delta,gamma,vega,theta
 *   kirk                type,forward1,forward2,strike,vol1,vol2,corr,rate,
 *                       expiry[,ratio] -> price
 *   asian[-curran]      type,forward,strike,vol,rate,expiry,avg_start,
 *                       avg_end,fixings[,past_fixings,past_average] -> price
 *   american            type,spot,strike,vol,rate,carry,expiry -> price
 *   black76-iv,         type,forward,strike,rate,expiry,price -> vol
 *   bachelier-iv        (price the discounted premium; impliedvol.h)
 *
 * Owns nothing beyond one call; never prints.  A bad row ("file:line:col:
 * column 'x': reason 'value'", or "file:line: model: reason" when no
 * column is to blame) is handed to the caller's report function and
 * skipped: every good row is written, and the result says whether any
 * row was bad.  Bad rows are: a field that is not a value of its column;
 * an input outside the model's domain (for the -iv models a price outside
 * the no-arbitrage bounds); unless allowed, a lognormal vol or
 * a rate (also american's carry) that qe-ingest would read as a
 * percentage typo (ingest/schema.h, the same rules); and a row whose
 * results are not all finite (numerical failure: "file:line: model:
 * non-finite price 'inf'"), so no inf or nan is ever written.
 */
#ifndef QE_FORMULA_H
#define QE_FORMULA_H

#include <stdio.h>

#include "io/csvio.h"
#include "core/diag.h"
#include "ingest/schema.h"

/* 1 when name is a formula model. */
int formula_model_known(const char *name);

/* The fast row reader of formula mode and of the book's trades
 * (price/valuation): up to max lines of r's input after its header,
 * found with memchr, each a record (blank lines skipped, as csvio does)
 * while it holds no double quote and is no longer than CSV_FIELD_MAX;
 * the first line that is not so simple is handed back to r with
 * everything after it (slow set: csvr_next() reads on, with its rules
 * and messages).  text holds the lines (start[i] .. start[i + 1], the
 * line number line[i]); carry the start of a line cut by a read, for the
 * next call; next_line the line the next byte is on (the caller sets it
 * from csvr_raw_line() first).  0, or the code of e (a read error, out
 * of memory). */
typedef struct formula_lines {
	strbuf *text, *carry;
	size_t *start; /* max + 1 entries */
	long *line;    /* max entries */
	long n, max, next_line;
	int eof, slow;
} formula_lines;
int formula_lines_fill(formula_lines *L, csv_reader *r, qe_err *e);

/* Called once per bad row with its error (e->code QE_DATA or QE_NUMERIC),
 * on the thread that called formula_run, in file order (a block's bad
 * rows are reported once the block after it has been priced). */
typedef void (*formula_report_fn)(void *ctx, const qe_err *e);

typedef struct formula_opts {
	int amer_method;       /* enum amer_method ("american" only) */
	int allow_implausible; /* 1: price vols and rates that look like percentages */
} formula_opts;

/* Returns QE_OK; QE_DATA when some row was bad (QE_NUMERIC when every bad
 * row failed numerically), with *nbad rows reported and e summarising, the
 * good rows still written; any other code (missing columns, read errors)
 * stops at once. */
int formula_run(const char *model, const formula_opts *o, csv_reader *r, FILE *out,
		formula_report_fn report, void *ctx, long *nbad, qe_err *e);

#endif
