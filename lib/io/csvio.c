#include "io/csvio.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"
#include "core/strbuf.h"
#include "io/formats.h"
#include "io/infile.h"

#define READ_CHUNK (64 * 1024)

struct csv_reader {
	FILE *fp;
	int owns_fp;
	char *name;
	struct csv_parser parser;

	/* raw input buffer */
	char *in;
	size_t in_len, in_pos;
	int eof;
	int at_start; /* BOM check pending */
	long line;    /* line number of the next byte to feed */

	/* parsed fields: all NUL-terminated, packed in fbuf */
	char *fbuf;
	size_t fbuf_len, fbuf_cap;
	size_t *foff;
	size_t nfield, field_cap;
	/* completed records: index of their first field; rec_first[nrec] is the end */
	size_t *rec_first;
	long *rec_line;
	int *rec_bad; /* 0, CSVR_BAD_QUOTE, or the 1-based field that is too long (+ CSVR_BAD_LONG) */
	size_t nrec, rec_cap, cur;
	int pending_cr;    /* the last segment fed ended with a '\r' held back */
	long pending_line; /* start line of the record being built, 0 = none */
	long row_line;     /* line of the last segment fed while no row was open */
	int skip_line;     /* after a bad record: drop input up to the next '\n' */
	int long_col;      /* 1-based field of the record in progress that is too long */

	/* current record view */
	size_t cur_first, cur_n;
	long cur_line;
	long records;

	/* header */
	char **cols;
	int ncols;
	long hdr_line;
	int oom;
	int unterminated; /* the file ended inside its last record (no line end) */
};

static void *grow(void *p, size_t *cap, size_t need, size_t elem, int *oom)
{
	if (need <= *cap)
		return p;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	void *np = realloc(p, ncap * elem);
	if (!np) {
		*oom = 1;
		return p;
	}
	*cap = ncap;
	return np;
}

/* rec_bad values: the kind of fault in the low bits, its 1-based field above */
enum { BAD_QUOTE = 1, BAD_LONG = 2, BAD_KIND = 3, BAD_SHIFT = 2 };

static size_t record_first(const csv_reader *r)
{
	return r->nrec ? r->rec_first[r->nrec] : 0;
}

static void on_field(void *data, size_t len, void *ctx)
{
	csv_reader *r = ctx;
	if (r->pending_line == 0)
		r->pending_line = r->row_line;
	if (len > CSV_FIELD_MAX) {
		/* kept empty: the record is reported, never used */
		if (!r->long_col)
			r->long_col = (int)(r->nfield - record_first(r)) + 1;
		len = 0;
	}
	size_t need_f = r->nfield + 1, need_b = r->fbuf_len + len + 1;
	r->foff = grow(r->foff, &r->field_cap, need_f, sizeof *r->foff, &r->oom);
	r->fbuf = grow(r->fbuf, &r->fbuf_cap, need_b, 1, &r->oom);
	if (r->oom)
		return;
	r->foff[r->nfield++] = r->fbuf_len;
	if (len)
		memcpy(r->fbuf + r->fbuf_len, data, len);
	r->fbuf[r->fbuf_len + len] = '\0';
	r->fbuf_len += len + 1;
}

static void push_record(csv_reader *r, size_t first, long line, int bad)
{
	size_t cap = r->rec_cap;
	r->rec_first = grow(r->rec_first, &cap, r->nrec + 2, sizeof *r->rec_first, &r->oom);
	cap = r->rec_cap;
	r->rec_line = grow(r->rec_line, &cap, r->nrec + 2, sizeof *r->rec_line, &r->oom);
	cap = r->rec_cap;
	r->rec_bad = grow(r->rec_bad, &cap, r->nrec + 2, sizeof *r->rec_bad, &r->oom);
	r->rec_cap = cap;
	if (r->oom)
		return;
	r->rec_first[r->nrec] = first;
	r->rec_line[r->nrec] = line;
	r->rec_bad[r->nrec] = bad;
	r->nrec++;
	r->rec_first[r->nrec] = r->nfield;
}

static void on_record(int term, void *ctx)
{
	csv_reader *r = ctx;
	size_t first = record_first(r);
	if (r->nfield == first) /* blank line */
		return;
	/* libcsv ends the last record with -1 when csv_fini() finds it open */
	if (term == -1)
		r->unterminated = 1;
	push_record(r, first, r->pending_line ? r->pending_line : r->line,
		    r->long_col ? BAD_LONG | r->long_col << BAD_SHIFT : 0);
	r->pending_line = 0;
	r->long_col = 0;
}

static int never_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* Only LF ends a record: libcsv would also end one at a bare CR, where
 * csvscan (and RFC 4180) keep it as data.  The CR of a CRLF is dropped
 * before libcsv sees it (feed_cr). */
static int only_lf(unsigned char c)
{
	return c == '\n';
}

static int init_parser(csv_reader *r)
{
	if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return -1;
	/* libcsv trims blanks around unquoted fields by default; we keep them
	 * so that " 1.5" is reported instead of silently accepted. */
	csv_set_space_func(&r->parser, never_space);
	csv_set_term_func(&r->parser, only_lf);
	return 0;
}

/* libcsv's FIELD_BEGUN state: inside a field (with quoted set, an open
 * quoted one, where a CRLF is data). */
#define LIBCSV_FIELD_BEGUN 2

/* Feeds the CR of a CR that was followed by LF (crlf) or by anything
 * else: data, unless it ends a record (a CRLF outside quotes). */
static size_t feed_cr(csv_reader *r, int crlf)
{
	if (crlf && !(r->parser.quoted && r->parser.pstate == LIBCSV_FIELD_BEGUN))
		return 1;
	return csv_parse(&r->parser, "\r", 1, on_field, on_record, r);
}

/* Refills the raw buffer; returns bytes available, 0 at EOF, -1 on error. */
static long refill(csv_reader *r)
{
	if (r->in_pos < r->in_len)
		return (long)(r->in_len - r->in_pos);
	if (r->eof)
		return 0;
	r->in_len = fread(r->in, 1, READ_CHUNK, r->fp);
	r->in_pos = 0;
	if (r->in_len == 0) {
		if (ferror(r->fp))
			return -1;
		r->eof = 1;
		return 0;
	}
	if (r->at_start) {
		r->at_start = 0;
		if (r->in_len >= 3 && memcmp(r->in, "\xEF\xBB\xBF", 3) == 0)
			r->in_pos = 3;
	}
	return (long)(r->in_len - r->in_pos);
}

/* The record being built is bad (kind BAD_QUOTE or BAD_LONG, in field
 * col): keep what fields it had for the caller's message, mark it bad and
 * restart the parser.  The caller drops the rest of the physical line. */
static void recover_bad_record(csv_reader *r, long err_line, int kind, int col)
{
	size_t first = record_first(r);
	csv_free(&r->parser);
	init_parser(r);
	push_record(r, first, r->pending_line ? r->pending_line : err_line, kind | col << BAD_SHIFT);
	r->pending_line = 0;
	r->long_col = 0;
}

/* 1-based field of the record in progress that the parser is inside. */
static int field_in_progress(const csv_reader *r)
{
	return (int)(r->nfield - record_first(r)) + 1;
}

/* Feeds input until at least one record is complete or input ends.
 * Returns 0, or -1 on read error.
 *
 * Input goes to libcsv one physical line at a time, in pieces of at most
 * READ_CHUNK bytes.  After a bad record the rest of its physical line is
 * dropped however many chunks it spans (skip_line): the tail of a long
 * malformed line is never parsed as a record of its own.  A field that
 * grows past CSV_FIELD_MAX is a bad record too, found between pieces, so
 * libcsv never holds more than CSV_FIELD_MAX + READ_CHUNK bytes of it. */
static int feed(csv_reader *r)
{
	while (r->nrec == r->cur) {
		long avail = refill(r);
		if (avail < 0)
			return -1;
		if (avail == 0) {
			int ok = 1;
			if (r->pending_cr && !r->skip_line)
				ok = feed_cr(r, 0) == 1;
			r->pending_cr = 0;
			if (!r->skip_line && (!ok || csv_fini(&r->parser, on_field, on_record, r) != 0))
				recover_bad_record(r, r->line, BAD_QUOTE, field_in_progress(r));
			r->skip_line = 0;
			return r->oom ? -1 : 0;
		}
		char *start = r->in + r->in_pos;
		char *nl = memchr(start, '\n', (size_t)avail);
		size_t n = nl ? (size_t)(nl - start) + 1 : (size_t)avail;
		long seg_line = r->line;
		r->in_pos += n;
		if (nl)
			r->line++;
		if (r->skip_line) {
			r->pending_cr = 0;
			r->skip_line = !nl;
			continue;
		}
		/* libcsv's ROW_NOT_BEGIN state is 0: a record that starts in this
		 * segment starts on this line, even when its first field (quoted)
		 * only ends lines later. */
		if (r->parser.pstate == 0 && !r->pending_cr)
			r->row_line = seg_line;
		/* A CR is held back until the next byte shows whether it is
		 * the CR of a CRLF (feed_cr). */
		int crlf = nl && n >= 2 && start[n - 2] == '\r';
		int hold = !nl && start[n - 1] == '\r';
		size_t body = n - (size_t)crlf - (size_t)hold - (nl ? 1 : 0);
		int ok = 1;
		if (r->pending_cr) {
			r->pending_cr = 0;
			ok = feed_cr(r, start[0] == '\n') == 1;
		}
		ok = ok && csv_parse(&r->parser, start, body, on_field, on_record, r) == body;
		if (ok && crlf)
			ok = feed_cr(r, 1) == 1;
		if (ok && nl)
			ok = csv_parse(&r->parser, nl, 1, on_field, on_record, r) == 1;
		r->pending_cr = ok && hold;
		if (!ok) {
			recover_bad_record(r, seg_line, BAD_QUOTE, field_in_progress(r));
			r->skip_line = !nl;
		} else if (r->parser.entry_pos > CSV_FIELD_MAX) {
			recover_bad_record(r, r->row_line, BAD_LONG, field_in_progress(r));
			r->skip_line = !nl;
			r->pending_cr = 0;
		}
		if (r->oom)
			return -1;
	}
	return 0;
}

/* Forgets consumed records, keeping the fields of a record in progress. */
static void compact(csv_reader *r)
{
	if (r->cur < r->nrec)
		return;
	size_t keep_from = r->nrec ? r->rec_first[r->nrec] : 0;
	size_t nkeep = r->nfield - keep_from;
	if (nkeep && keep_from) {
		size_t boff = r->foff[keep_from];
		memmove(r->fbuf, r->fbuf + boff, r->fbuf_len - boff);
		r->fbuf_len -= boff;
		for (size_t i = 0; i < nkeep; i++)
			r->foff[i] = r->foff[keep_from + i] - boff;
	} else if (!nkeep) {
		r->fbuf_len = 0;
	}
	r->nfield = nkeep;
	r->nrec = r->cur = 0;
	if (r->rec_first)
		r->rec_first[0] = 0;
}

/* Pops the next completed record into the current view; 0 if none. */
static int pop(csv_reader *r, int *bad)
{
	compact(r);
	if (feed(r) != 0)
		return -1;
	if (r->cur == r->nrec)
		return 0;
	r->cur_first = r->rec_first[r->cur];
	r->cur_n = r->rec_first[r->cur + 1] - r->cur_first;
	r->cur_line = r->rec_line[r->cur];
	*bad = r->rec_bad[r->cur];
	r->cur++;
	return 1;
}

csv_reader *csvr_open_stream(FILE *fp, const char *name, int owns, qe_err *e)
{
	csv_reader *r = calloc(1, sizeof *r);
	int bad = 0;
	if (!r || !(r->in = malloc(READ_CHUNK)) || !(r->name = strdup(name)) || init_parser(r)) {
		qe_err_set(e, QE_INTERNAL, "%s: out of memory", name);
		if (owns && fp != stdin)
			fclose(fp);
		if (r) {
			free(r->in);
			free(r->name);
			free(r);
		}
		return NULL;
	}
	r->fp = fp;
	r->owns_fp = owns;
	r->at_start = 1;
	r->line = 1;
	r->row_line = 1;
	int got = pop(r, &bad);
	if (got < 0) {
		if (r->oom)
			qe_err_set(e, QE_INTERNAL, "%s:%ld: out of memory reading the header", name, r->row_line);
		else
			infile_read_error(e, name, errno);
		csvr_close(r);
		return NULL;
	}
	if (got == 0) {
		qe_err_set(e, QE_DATA, "%s: empty file, expected a header line", name);
		csvr_close(r);
		return NULL;
	}
	if (bad) {
		if ((bad & BAD_KIND) == BAD_LONG)
			qe_err_set(e, QE_DATA, "%s:%ld:%d: malformed header (a name longer than %d bytes)",
				   name, r->cur_line, bad >> BAD_SHIFT, CSV_FIELD_MAX);
		else
			qe_err_set(e, QE_DATA, "%s:%ld:%d: malformed header (bad quoting)", name,
				   r->cur_line, bad >> BAD_SHIFT);
		csvr_close(r);
		return NULL;
	}
	r->ncols = (int)r->cur_n;
	r->hdr_line = r->cur_line;
	r->cols = calloc((size_t)r->ncols + 1, sizeof *r->cols);
	if (!r->cols)
		goto oom;
	for (int i = 0; i < r->ncols; i++) {
		const char *nm = r->fbuf + r->foff[r->cur_first + (size_t)i];
		if (*nm == '\0' || csvr_col(r, nm) >= 0) {
			qe_err_set(e, QE_DATA, "%s:%ld:%d: %s header name '%s'", name, r->cur_line,
				   i + 1, *nm ? "duplicate" : "empty", nm);
			csvr_close(r);
			return NULL;
		}
		if (!(r->cols[i] = strdup(nm)))
			goto oom;
	}
	r->cur_n = 0;
	return r;
oom:
	qe_err_set(e, QE_INTERNAL, "%s:%ld: out of memory reading the header", name, r->cur_line);
	csvr_close(r);
	return NULL;
}

csv_reader *csvr_open(const char *path, qe_err *e)
{
	int std = !path || strcmp(path, "-") == 0;
	FILE *fp = infile_open(path, NULL, e); /* gzip or not */
	if (!fp)
		return NULL;
	/* on failure csvr_open_stream has already closed the FILE it owns */
	return csvr_open_stream(fp, std ? "<stdin>" : path, fp != stdin, e);
}

void csvr_close(csv_reader *r)
{
	if (!r)
		return;
	if (r->owns_fp && r->fp)
		fclose(r->fp);
	csv_free(&r->parser);
	for (int i = 0; r->cols && i < r->ncols; i++)
		free(r->cols[i]);
	free(r->cols);
	free(r->in);
	free(r->name);
	free(r->fbuf);
	free(r->foff);
	free(r->rec_first);
	free(r->rec_line);
	free(r->rec_bad);
	free(r);
}

const char *csvr_name(const csv_reader *r) { return r->name; }
int csvr_ncols(const csv_reader *r) { return r->ncols; }
const char *csvr_colname(const csv_reader *r, int col)
{
	return col >= 0 && col < r->ncols ? r->cols[col] : "?";
}
long csvr_line(const csv_reader *r) { return r->cur_line; }
long csvr_records(const csv_reader *r) { return r->records; }
int csvr_unterminated(const csv_reader *r) { return r->unterminated; }
int csvr_nfields(const csv_reader *r) { return (int)r->cur_n; }

int csvr_col(const csv_reader *r, const char *name)
{
	for (int i = 0; r->cols && i < r->ncols; i++)
		if (r->cols[i] && strcmp(r->cols[i], name) == 0)
			return i;
	return -1;
}

const char *csv_delimiter_hint(int ncols, const char *first, size_t first_len)
{
	if (ncols != 1)
		return NULL;
	if (memchr(first, ';', first_len))
		return "semicolon";
	if (memchr(first, '\t', first_len))
		return "tab";
	return NULL;
}

int csv_missing_column(const char *file, long line, int ncols, const char *first,
		       size_t first_len, const char *missing, qe_err *e)
{
	const char *delim = csv_delimiter_hint(ncols, first, first_len);
	if (delim)
		return qe_err_set(e, QE_DATA,
				  "%s:%ld:1: header has 1 column; the file looks %s-delimited, qe reads "
				  "comma-separated CSV (missing column '%s')",
				  file, line, delim, missing);
	return qe_err_set(e, QE_DATA, "%s:%ld:1: missing required column '%s'", file, line, missing);
}

int csvr_missing(const csv_reader *r, const char *missing, qe_err *e)
{
	const char *first = r->ncols ? r->cols[0] : "";
	return csv_missing_column(r->name, r->hdr_line, r->ncols, first, strlen(first), missing, e);
}

int csvr_require(const csv_reader *r, const char *const *names, int n, int *idx, qe_err *e)
{
	for (int i = 0; i < n; i++) {
		idx[i] = csvr_col(r, names[i]);
		if (idx[i] < 0)
			return csvr_missing(r, names[i], e);
	}
	return 0;
}

int csvr_next(csv_reader *r, qe_err *e)
{
	int bad = 0;
	int got = pop(r, &bad);
	if (got < 0) {
		r->cur_n = 0;
		if (r->oom)
			qe_err_set(e, QE_INTERNAL, "%s:%ld: out of memory", r->name, r->line);
		else
			infile_read_error(e, r->name, errno);
		return CSVR_FATAL;
	}
	if (got == 0)
		return CSVR_EOF;
	r->records++;
	if (bad) {
		int col = bad >> BAD_SHIFT;
		if ((bad & BAD_KIND) == BAD_LONG)
			csvr_field_error(r, col - 1, e, "field longer than %d bytes", CSV_FIELD_MAX);
		else
			qe_err_set(e, QE_DATA, "%s:%ld:%d: malformed CSV record (bad quoting)", r->name,
				   r->cur_line, col);
		return CSVR_BADROW;
	}
	if ((int)r->cur_n != r->ncols) {
		/* the column of the first missing or the first extra field */
		int col = (int)r->cur_n < r->ncols ? (int)r->cur_n + 1 : r->ncols + 1;
		qe_err_set(e, QE_DATA, "%s:%ld:%d: expected %d fields, found %zu", r->name, r->cur_line,
			   col, r->ncols, r->cur_n);
		return CSVR_BADROW;
	}
	return CSVR_ROW;
}

long csvr_raw_read(csv_reader *r, char *buf, size_t cap, qe_err *e)
{
	if (r->cur != r->nrec || r->parser.pstate != 0 || r->pending_cr || r->skip_line ||
	    r->nfield != record_first(r))
		return -2;
	if (cap == 0)
		return 0;
	if (r->in_pos < r->in_len) {
		size_t n = r->in_len - r->in_pos < cap ? r->in_len - r->in_pos : cap;
		memcpy(buf, r->in + r->in_pos, n);
		r->in_pos += n;
		return (long)n;
	}
	if (r->eof || cap == 0)
		return 0;
	size_t n = fread(buf, 1, cap, r->fp);
	if (n == 0) {
		if (ferror(r->fp)) {
			infile_read_error(e, r->name, errno);
			return -1;
		}
		r->eof = 1;
	}
	return (long)n;
}

long csvr_raw_line(const csv_reader *r)
{
	return r->line;
}

int csvr_raw_unread(csv_reader *r, const char *buf, size_t len, long line)
{
	size_t pend = r->in_len - r->in_pos;
	char *in = malloc(len + pend > READ_CHUNK ? len + pend : READ_CHUNK);
	if (!in)
		return -1;
	memcpy(in, buf, len);
	memcpy(in + len, r->in + r->in_pos, pend);
	free(r->in);
	r->in = in;
	r->in_pos = 0;
	r->in_len = len + pend;
	r->line = r->row_line = line;
	return 0;
}

const char *csvr_field(const csv_reader *r, int col, size_t *len)
{
	if (col < 0 || (size_t)col >= r->cur_n) {
		if (len)
			*len = 0;
		return "";
	}
	size_t i = r->cur_first + (size_t)col;
	const char *s = r->fbuf + r->foff[i];
	if (len) {
		size_t end = i + 1 < r->nfield ? r->foff[i + 1] - 1 : r->fbuf_len - 1;
		*len = end - r->foff[i];
	}
	return s;
}

int csvr_field_error(const csv_reader *r, int col, qe_err *e, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (col < 0 || col >= r->ncols) /* a field beyond the header has no name */
		return qe_err_set(e, QE_DATA, "%s:%ld:%d: %s", r->name, r->cur_line, col + 1, msg);
	return qe_err_set(e, QE_DATA, "%s:%ld:%d: column '%s': %s", r->name, r->cur_line, col + 1,
			  csvr_colname(r, col), msg);
}

int csvr_is_empty(const csv_reader *r, int col)
{
	size_t len;
	if (col < 0)
		return 1;
	csvr_field(r, col, &len);
	return len == 0;
}

int csvr_get_double(const csv_reader *r, int col, double *out, qe_err *e)
{
	size_t len;
	const char *s = csvr_field(r, col, &len);
	int st = num_parse_double(s, len, out);
	if (st != NUM_OK)
		return csvr_field_error(r, col, e, "%s '%.64s'", num_status_str(st), s);
	return 0;
}

int csvr_get_int64(const csv_reader *r, int col, int64_t *out, qe_err *e)
{
	size_t len;
	const char *s = csvr_field(r, col, &len);
	int st = num_parse_int64(s, len, out);
	if (st != NUM_OK)
		return csvr_field_error(r, col, e, "%s '%.64s' (expected an integer)",
					num_status_str(st), s);
	return 0;
}

int csvr_get_date(const csv_reader *r, int col, qe_date *out, qe_err *e)
{
	size_t len;
	const char *s = csvr_field(r, col, &len);
	if (len == 0)
		return csvr_field_error(r, col, e, "empty value (expected a date YYYY-MM-DD)");
	if (date_parse(s, len, out) != 0)
		return csvr_field_error(r, col, e, "invalid date '%.64s' (expected YYYY-MM-DD)", s);
	return 0;
}

const char *csvr_get_str(const csv_reader *r, int col, qe_err *e)
{
	size_t len;
	const char *s = csvr_field(r, col, &len);
	if (len == 0) {
		csvr_field_error(r, col, e, "empty value");
		return NULL;
	}
	return s;
}

/* --- writer ------------------------------------------------------------ */

void csvw_init(csv_writer *w, FILE *fp)
{
	memset(w, 0, sizeof *w);
	w->fp = fp;
}

void csvw_init_mem(csv_writer *w)
{
	memset(w, 0, sizeof *w);
}

void csvw_mem_clear(csv_writer *w)
{
	w->len = 0;
	w->col = 0;
	w->oom = 0;
}

void csvw_mem_free(csv_writer *w)
{
	free(w->mem);
	csvw_init_mem(w);
}

/* Appends p[0..n) to the writer's FILE or memory. */
static void emit(csv_writer *w, const char *p, size_t n)
{
	if (w->fp) {
		fwrite(p, 1, n, w->fp);
		return;
	}
	if (w->len + n > w->cap) {
		/* grown as a core/strbuf is */
		strbuf b = {w->mem, w->len, w->cap, w->oom};
		if (strbuf_room(&b, n)) {
			w->oom = 1;
			return;
		}
		w->mem = b.p;
		w->cap = b.cap;
	}
	memcpy(w->mem + w->len, p, n);
	w->len += n;
}

static void sep(csv_writer *w)
{
	if (w->col++)
		emit(w, ",", 1);
}

int csv_field_needs_quotes(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			return 1;
	return 0;
}

void csv_quote_field(const char *s, size_t len, void (*put)(void *ctx, const char *p, size_t n), void *ctx)
{
	if (!csv_field_needs_quotes(s, len)) {
		put(ctx, s, len);
		return;
	}
	put(ctx, "\"", 1);
	const char *end = s + len, *q;
	/* each run up to and including a quote, then the quote again */
	while ((q = memchr(s, '"', (size_t)(end - s)))) {
		put(ctx, s, (size_t)(q - s) + 1);
		put(ctx, "\"", 1);
		s = q + 1;
	}
	if (s < end)
		put(ctx, s, (size_t)(end - s));
	put(ctx, "\"", 1);
}

static void put_writer(void *w, const char *p, size_t n)
{
	emit(w, p, n);
}

void csvw_strn(csv_writer *w, const char *s, size_t len)
{
	sep(w);
	csv_quote_field(s, len, put_writer, w);
}

void csvw_str(csv_writer *w, const char *s)
{
	csvw_strn(w, s ? s : "", s ? strlen(s) : 0);
}

void csvw_double(csv_writer *w, double x)
{
	char buf[NUM_BUFSZ];
	int n = num_format_double(buf, x);
	sep(w);
	emit(w, buf, (size_t)n);
}

void csvw_int(csv_writer *w, int64_t x)
{
	char buf[24];
	int n = snprintf(buf, sizeof buf, "%lld", (long long)x);
	sep(w);
	emit(w, buf, (size_t)n);
}

void csvw_date(csv_writer *w, qe_date d)
{
	char buf[16];
	date_format(buf, d);
	sep(w);
	emit(w, buf, 10);
}

void csvw_empty(csv_writer *w)
{
	sep(w);
}

void csvw_cells(csv_writer *w, const char *text, size_t len, int n)
{
	sep(w);
	emit(w, text, len);
	w->col += n - 1;
}

void csvw_end(csv_writer *w)
{
	emit(w, "\n", 1);
	w->col = 0;
}

void csvw_header(csv_writer *w, const char *const *names)
{
	for (; *names; names++)
		csvw_str(w, *names);
	csvw_end(w);
}

void csvw_header_of(csv_writer *w, int kind)
{
	const formats_table *t = formats_get(kind);
	for (int i = 0; t && i < t->ncols; i++)
		csvw_str(w, t->cols[i].name);
	csvw_end(w);
}

/* ---- one column, fast (csv_scan_column) ---------------------------------- */

enum { SCAN_CHUNK = 1 << 20 };

int csv_scan_column(const char *path, int ncols, int col,
		    int (*fn)(void *ctx, const char *text, size_t len), void *ctx, qe_err *e)
{
	FILE *fp = infile_open(path, NULL, e);
	if (!fp)
		return e->code;
	size_t cap = SCAN_CHUNK, len = 0, pos = 0;
	char *buf = malloc(cap), *scratch = malloc(cap);
	csvscan_field *f = calloc((size_t)ncols + 1, sizeof *f);
	int rc = 0, eof = 0, header = 1, first = 1;
	if (!buf || !scratch || !f)
		rc = qe_err_set(e, QE_INTERNAL, "%s: out of memory", path);
	while (!rc) {
		if (pos == len && eof)
			break;
		/* a whole line with no quote, no longer than the field limit:
		 * csvscan's record split at its commas, without csvscan */
		const char *nl = pos < len ? memchr(buf + pos, '\n', len - pos) : NULL;
		if (nl && (size_t)(nl - (buf + pos)) <= CSV_FIELD_MAX &&
		    !memchr(buf + pos, '"', (size_t)(nl - (buf + pos)))) {
			const char *q = buf + pos, *end = nl, *f0 = NULL, *f1 = NULL;
			if (end > q && end[-1] == '\r')
				end--; /* CRLF */
			pos = (size_t)(nl - buf) + 1;
			if (end == q)
				continue; /* a blank line */
			int nf = 0;
			for (const char *c = q; c < end; c++)
				if (*c == ',') {
					if (nf++ == col)
						f0 = q, f1 = c;
					q = c + 1;
				}
			if (nf++ == col)
				f0 = q, f1 = end;
			if (header) {
				header = 0;
				continue;
			}
			if (nf == ncols && fn(ctx, f0, (size_t)(f1 - f0)))
				rc = 1;
			continue;
		}
		csvscan_rec rec;
		if (pos == len || !csvscan_next(buf, len, pos, eof, f, ncols + 1, scratch, &rec)) {
			/* the record runs past the buffer: keep it, read more */
			memmove(buf, buf + pos, len - pos);
			len -= pos;
			pos = 0;
			if (len == cap) {
				/* a record of ncols fields of at most CSV_FIELD_MAX
				 * bytes (each at worst quoted and doubled) fits */
				if (cap > 2 * ((size_t)ncols + 1) * (CSV_FIELD_MAX + 3)) {
					rc = -1;
					break;
				}
				char *nb = realloc(buf, 2 * cap), *ns = nb ? realloc(scratch, 2 * cap) : NULL;
				if (nb)
					buf = nb;
				if (ns)
					scratch = ns;
				if (!ns) {
					rc = qe_err_set(e, QE_INTERNAL, "%s: out of memory", path);
					break;
				}
				cap *= 2;
			}
			size_t got = fread(buf + len, 1, cap - len, fp);
			if (got == 0) {
				if (ferror(fp)) {
					rc = infile_read_error(e, path, errno);
					break;
				}
				eof = 1;
			}
			if (first && len + got >= 3) {
				first = 0;
				if (memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
					pos = 3;
			} else if (first && eof) {
				first = 0;
			}
			len += got;
			continue;
		}
		pos = rec.next;
		if (rec.blank)
			continue;
		/* a quoted field past the limit is a bad record in csvr, which
		 * then drops the rest of its physical line only */
		for (int i = 0; i < rec.nfields && i <= ncols; i++)
			if (f[i].len > CSV_FIELD_MAX)
				rc = -1;
		if (rc)
			break;
		if (header) {
			header = 0;
			continue;
		}
		if (rec.bad_col || rec.nfields != ncols)
			continue;
		if (fn(ctx, f[col].p, f[col].len))
			rc = 1;
	}
	free(buf);
	free(scratch);
	free(f);
	if (fp != stdin)
		fclose(fp);
	return rc;
}
