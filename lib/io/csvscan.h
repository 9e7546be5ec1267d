/*
 * csvscan: a fast RFC 4180 record scanner over a memory buffer.
 *
 * csvio.h reads a stream record by record through libcsv; this module is
 * the fast path for bulk readers (qe-ingest) that hold a block of input in
 * memory, split it at record boundaries and parse the pieces in parallel.
 * Rules match csvio exactly, so both report the same lines and columns:
 * LF or CRLF ends a record, a blank line is skipped, a quoted field may
 * hold commas, doubled quotes and newlines, a quote inside an unquoted
 * field or text after a closing quote is malformed quoting, and a
 * malformed record ends at the end of the physical line where the error
 * was seen (the scanner resynchronises there).  A UTF-8 BOM is the
 * caller's business (skip it before the first call).
 *
 * Owns nothing: fields point into the buffer (unquoted) or into the
 * caller's scratch (quoted, unescaped).  Never prints, never allocates.
 */
#ifndef QE_CSVSCAN_H
#define QE_CSVSCAN_H

#include <stddef.h>
#include <stdint.h>

/* The longest field either reader takes, in bytes.  A longer one makes
 * its record bad ("field longer than ..."), as malformed quoting does: no
 * file of qe-formats(5) has a legitimate field near this size, and the
 * limit keeps a reader's memory flat on a file with no line ends. */
#define CSV_FIELD_MAX 65536

typedef struct csvscan_field {
	const char *p;
	size_t len;
} csvscan_field;

typedef struct csvscan_rec {
	size_t start;    /* offset of the record's first byte */
	size_t raw_len;  /* record text without its line terminator */
	size_t next;     /* offset just after the record (and its terminator) */
	long lines;      /* '\n' characters consumed (terminator included) */
	int nfields;     /* fields found (may exceed the caller's maxf) */
	int bad_col;     /* 0, or the 1-based field where the quoting broke */
	int unterminated; /* bad_col's quote never closes: the record runs to EOF */
	int blank;       /* an empty line: no record */
} csvscan_rec;

/* Scans the record that starts at buf[pos] (pos < len).  Stores up to maxf
 * fields in f; quoted fields are unescaped into scratch, which must hold
 * at least len - pos bytes.  Returns 1 when a record (or a blank line) is
 * complete, 0 when it runs past len and more input may follow (!at_eof). */
int csvscan_next(const char *buf, size_t len, size_t pos, int at_eof, csvscan_field *f,
		 int maxf, char *scratch, csvscan_rec *rec);

/* Offset just after the last '\n' in buf[0..len), or 0 if none.  Only a
 * record boundary when buf holds no quote character at all. */
size_t csvscan_last_newline(const char *buf, size_t len);

/* Number of '\n' in buf[0..len). */
long csvscan_count_lines(const char *buf, size_t len);

#endif
