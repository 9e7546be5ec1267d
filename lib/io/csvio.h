/*
 * csvio: streaming RFC 4180 CSV reader (on libcsv) and writer.
 *
 * The reader pulls one record at a time, addresses columns by header name,
 * and keeps memory flat whatever the file size: it feeds libcsv one
 * physical line at a time and keeps only the current record.  Typed getters
 * report errors as "file:line:col: column 'name': reason 'value'".
 * A UTF-8 BOM is skipped, CRLF and LF both end records, blank lines are
 * ignored.  Malformed quoting, or a field longer than CSV_FIELD_MAX,
 * rejects that record and resynchronises at the next line (however long
 * the bad line is), so callers can count and report it and keep going.
 *
 * The reader owns its FILE (unless it is stdin) and its buffers; field
 * pointers stay valid until the next csvr_next().  The writer never owns
 * the FILE: write errors are sticky in the FILE and surface at
 * out_commit() (outfile.h).  Neither ever prints.
 */
#ifndef QE_CSVIO_H
#define QE_CSVIO_H

#include <stdint.h>
#include <stdio.h>

#include "core/date.h"
#include "core/diag.h"
#include "io/csvscan.h" /* CSV_FIELD_MAX */

typedef struct csv_reader csv_reader;

/* Opens path ("-" or NULL = stdin) and reads the header; gzip input is
 * decompressed (io/infile.h).  An empty file or a header with an empty or
 * duplicate name is QE_DATA; unreadable or corrupt gzip is QE_IO. */
csv_reader *csvr_open(const char *path, qe_err *e);
/* With owns set, fp is closed by csvr_close() - and at once when opening
 * fails, so the caller never closes it. */
csv_reader *csvr_open_stream(FILE *fp, const char *name, int owns, qe_err *e);
void csvr_close(csv_reader *r);

const char *csvr_name(const csv_reader *r);
int csvr_ncols(const csv_reader *r);
const char *csvr_colname(const csv_reader *r, int col);
/* Column index of a header name, or -1. */
int csvr_col(const csv_reader *r, const char *name);
/* Looks up n names into idx[]; a missing one is QE_DATA naming it (with
 * the delimiter hint below). */
int csvr_require(const csv_reader *r, const char *const *names, int n, int *idx, qe_err *e);

/* Fills e for the required column `missing` absent from r's header and
 * returns QE_DATA: "file:line:1: missing required column 'x'", or, when
 * the header is one name holding ';' or a tab, "file:line:1: header has 1
 * column; the file looks semicolon-delimited, qe reads comma-separated
 * CSV (missing column 'x')". */
int csvr_missing(const csv_reader *r, const char *missing, qe_err *e);
/* The same for a header read by other means (io/csvscan): ncols names,
 * the first one first[0..first_len), on line `line` of file. */
int csv_missing_column(const char *file, long line, int ncols, const char *first,
		       size_t first_len, const char *missing, qe_err *e);
/* "semicolon" or "tab" when a header of ncols names is one name holding
 * that character, else NULL. */
const char *csv_delimiter_hint(int ncols, const char *first, size_t first_len);

enum csvr_status {
	CSVR_ROW = 1,      /* a record is ready */
	CSVR_EOF = 0,
	CSVR_BADROW = -1,  /* this record is malformed (e says why); call again for the next */
	CSVR_FATAL = -2    /* read error (QE_IO; QE_DATA for corrupt gzip); stop */
};
/* Reads the next record.  A record whose field count differs from the
 * header, with malformed quoting or with a field longer than CSV_FIELD_MAX
 * is returned as CSVR_BADROW, e saying "file:line:col: ...", with its
 * fields still accessible (a too-long one reads as empty). */
int csvr_next(csv_reader *r, qe_err *e);

/* Raw access for a bulk reader that scans records itself (io/csvscan),
 * as qe-price's formula mode does.  csvr_raw_read() hands over the input
 * not yet parsed (the reader's buffered bytes first, then the stream):
 * up to cap bytes into buf; returns the count, 0 at end of input, or -1
 * (QE_IO or QE_DATA for bad gzip, e filled).  Only between records, right
 * after the header and before any csvr_next(): it returns -2 (and reads
 * nothing) when the reader holds part of a record (cap 0 only asks).
 * csvr_raw_unread() gives back len bytes that start a record on line
 * `line`: csvr_next() then parses them, then the rest of the stream,
 * with its own rules and messages (a bulk reader hands over what it does
 * not handle); -1 when out of memory. */
long csvr_raw_read(csv_reader *r, char *buf, size_t cap, qe_err *e);
/* The line the next byte csvr_raw_read() hands over is on. */
long csvr_raw_line(const csv_reader *r);
int csvr_raw_unread(csv_reader *r, const char *buf, size_t len, long line);

/* Line number where the current record starts (header = line 1). */
long csvr_line(const csv_reader *r);
/* Number of records returned so far (CSVR_ROW and CSVR_BADROW), excluding the header. */
long csvr_records(const csv_reader *r);
int csvr_nfields(const csv_reader *r);
/* After CSVR_EOF: 1 when the file's last record had no line end, the mark
 * of a file cut short (a reader for which a cut row is still a valid row
 * asks). */
int csvr_unterminated(const csv_reader *r);
/* Field text (NUL-terminated); "" for a column beyond the record. */
const char *csvr_field(const csv_reader *r, int col, size_t *len);

/* Fills e with "file:line:col: column 'name': <msg>" and returns QE_DATA. */
int csvr_field_error(const csv_reader *r, int col, qe_err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Typed getters: 0 on success, QE_DATA (e filled) on a bad or empty value. */
int csvr_get_double(const csv_reader *r, int col, double *out, qe_err *e);
int csvr_get_int64(const csv_reader *r, int col, int64_t *out, qe_err *e);
int csvr_get_date(const csv_reader *r, int col, qe_date *out, qe_err *e);
/* Non-empty string; returns NULL (e filled) when empty. */
const char *csvr_get_str(const csv_reader *r, int col, qe_err *e);
/* 1 if the field is empty or the column is absent (col < 0). */
int csvr_is_empty(const csv_reader *r, int col);

/* A fast first pass over one column: calls fn(ctx, text, len) with field
 * col of every record of path (gzip or not; not stdin) that csvr_next
 * would return as CSVR_ROW under a header of ncols names, in file order,
 * the header itself skipped.  Records are split by csvscan in large reads,
 * with no per-field copy (quoted fields are unescaped), for a reader that
 * needs one column of the whole file before it reads the file through
 * csvr (qe-price's ids).  Returns 0; 1 when fn returned nonzero (the scan
 * stops there); -1 when a field is longer than CSV_FIELD_MAX (where csvr
 * resynchronises differently: the caller must not rely on the pass);
 * else the code of e (QE_IO, QE_DATA for corrupt gzip, QE_INTERNAL). */
int csv_scan_column(const char *path, int ncols, int col,
		    int (*fn)(void *ctx, const char *text, size_t len), void *ctx, qe_err *e);

/* --- RFC 4180 quoting ---------------------------------------------------
 * The one implementation of output quoting, for every CSV a tool writes
 * (the writer below, and qe-ingest's canonical rows and rejects): a field
 * is quoted when it holds a comma, a double quote, CR or LF, and a double
 * quote inside is doubled.  Anything else, leading and trailing spaces
 * included, is written as it is (RFC 4180: spaces are part of a field; the
 * reader keeps them). */
int csv_field_needs_quotes(const char *s, size_t len);
/* Emits s[0..len) as one CSV field through put(ctx, bytes, n): the field
 * itself in one piece when it needs no quotes, else in pieces. */
void csv_quote_field(const char *s, size_t len, void (*put)(void *ctx, const char *p, size_t n), void *ctx);

/* --- writer ------------------------------------------------------------ */
typedef struct csv_writer {
	FILE *fp;
	int col; /* fields written on the current row */
	/* a memory writer (fp NULL): the text, its length and capacity; oom
	 * set when growing it failed (the text is then incomplete) */
	char *mem;
	size_t len, cap;
	int oom;
} csv_writer;

void csvw_init(csv_writer *w, FILE *fp);
/* A writer into memory (w->mem, w->len), for rows formatted in parallel
 * and written in order later: no FILE, no lock per byte.  csvw_mem_clear
 * empties it and keeps its buffer for the next rows; csvw_mem_free frees
 * it. */
void csvw_init_mem(csv_writer *w);
void csvw_mem_clear(csv_writer *w);
void csvw_mem_free(csv_writer *w);
void csvw_str(csv_writer *w, const char *s);
void csvw_strn(csv_writer *w, const char *s, size_t len);
void csvw_double(csv_writer *w, double x);   /* round-trip digits */
void csvw_int(csv_writer *w, int64_t x);
void csvw_date(csv_writer *w, qe_date d);
void csvw_empty(csv_writer *w);
/* n fields already formatted by a writer (quoted where needed, joined by
 * commas): text[0..len), e.g. cells that many rows repeat, formatted once. */
void csvw_cells(csv_writer *w, const char *text, size_t len, int n);
void csvw_end(csv_writer *w);                 /* ends the row with "\n" */
/* Writes a whole header row from a NULL-terminated list. */
void csvw_header(csv_writer *w, const char *const *names);
/* Writes the header row of file kind `kind` of io/formats.h. */
void csvw_header_of(csv_writer *w, int kind);

#endif
