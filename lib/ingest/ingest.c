#include "ingest/ingest.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvscan.h"
#include "io/infile.h"
#include "core/date.h"
#include "core/keyset.h"
#include "core/num.h"

#define DEFAULT_BLOCK (2u << 20)
#define MAX_PIECES 64
/* Canonical rows are gathered and handed to the output in writes of this
 * size, and the spools get buffers of it: stdio's own buffer is the file
 * system's block (4 KiB), one system call per 4 KiB. */
#define WRITE_CHUNK (1u << 20)

/* One record's outcome, produced by a worker, consumed by the merge. */
typedef struct rowres {
	long line;
	size_t out_off, out_len;   /* canonical row in piece->out */
	/* a reject, formatted in the merge once the line is known */
	int rcol;                  /* 1-based field, 0 none */
	const char *rcolname;      /* "" for the whole record */
	const char *rval;          /* offending value in the block; NULL: in piece->msg */
	size_t rval_off, rvlen;
	size_t reason_off, reason_len; /* in piece->msg */
	size_t raw_off, raw_len;   /* the record in the block */
	uint64_t key;
	int64_t version;
	int life;
	int ok;
} rowres;

typedef struct piece {
	struct run *R;
	const char *buf; /* the block the piece lies in */
	size_t start, end, consumed;
	int eof; /* records end at `end` (else the last one may run past it) */
	long line0, lines;
	strbuf out, rej, msg;
	rowres *rows;
	size_t nrows, cap;
	char *scratch;
	size_t scratch_cap;
	csvscan_field *f;
	int oom;
} piece;

typedef struct run {
	const ingest_opts *o;
	const formats_table *s;
	const formats_table *out_s; /* rows written (meters: settlement periods) */
	meter_agg *meter;
	char cur_meter[256], prev_meter[256];
	const char *cur_unit, *prev_unit;
	const char *name;
	ingest_sink *sink;
	ingest_counts *c;
	schema_ctx ctx;
	int colmap[32];
	int nhdr;
	char **hdr_names;
	keyset *keys;
	int book;          /* trades lifecycle in book mode: spool */
	int discard;       /* no output (sink has neither csv nor h5): counts only */
	FILE *spool;       /* book mode with an output */
	char *spool_buf, *h5spool_buf; /* the spools' stdio buffers (WRITE_CHUNK) */
	strbuf wout;       /* canonical CSV rows not yet written */
	uint32_t accepted; /* rows accepted so far (spool index) */
	h5tab_writer *h5w;
	strbuf tmp, tmp2, rej, msg;
	strbuf keytext;    /* key columns of the current row, comma-joined */
	FILE *h5spool;     /* HDF5 output: canonical rows until the widths are known */
	size_t h5width[32];
	long h5rows;
	const char *buf;   /* current block */
	int at_eof;
} run;

/* --- rejects ----------------------------------------------------------- */

static void put_fmt(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put_fmt(strbuf *b, const char *fmt, ...)
{
	char tmp[1400];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof tmp - 1)
		n = (int)sizeof tmp - 1;
	if (n > 0)
		strbuf_put(b, tmp, (size_t)n);
}

/* Formats a reject: the rejects CSV row into rej and the message into msg.
 * col is the 1-based field (0: none), colname "" for the whole record. */
static void format_reject(const char *name, long line, int col, const char *colname,
			  const char *value, size_t vlen, const char *reason, const char *raw,
			  size_t rawlen, strbuf *rej, strbuf *msg, size_t *roff, size_t *rlen,
			  size_t *moff, size_t *mlen)
{
	*roff = rej->len;
	put_fmt(rej, "%ld,", line);
	strbuf_put_field(rej, colname, strlen(colname));
	strbuf_put(rej, ",", 1);
	strbuf_put_field(rej, value, vlen);
	strbuf_put(rej, ",", 1);
	strbuf_put_field(rej, reason, strlen(reason));
	strbuf_put(rej, ",", 1);
	strbuf_put_field(rej, raw, rawlen);
	strbuf_put(rej, "\n", 1);
	*rlen = rej->len - *roff;

	*moff = msg->len;
	/* a fault of the whole record is placed at its first column */
	put_fmt(msg, "%s:%ld:%d: ", name, line, col > 0 ? col : 1);
	if (*colname)
		put_fmt(msg, "column '%s': ", colname);
	if (vlen) {
		/* one line per message, escaped as schema.h says */
		put_fmt(msg, "%s '", reason);
		schema_show_value(msg, value, vlen);
		strbuf_put(msg, "'", 1);
	} else
		put_fmt(msg, "%s", reason);
	*mlen = msg->len - *moff;
}

/* --- workers ----------------------------------------------------------- */

static rowres *new_row(piece *p)
{
	if (p->nrows == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024;
		rowres *nr = realloc(p->rows, cap * sizeof *nr);
		if (!nr) {
			p->oom = 1;
			return NULL;
		}
		p->rows = nr;
		p->cap = cap;
	}
	rowres *r = &p->rows[p->nrows++];
	memset(r, 0, sizeof *r);
	return r;
}

/* Keeps a reject's value: an unquoted value lies in the block and stays
 * valid; a quoted one lies in the scratch buffer, which the next record
 * overwrites, so it is copied into piece->msg. */
static void keep_rval(piece *p, rowres *r, const char *v, size_t n)
{
	r->rvlen = n;
	r->rval = v;
	if (p->scratch && v >= p->scratch && v < p->scratch + p->scratch_cap) {
		r->rval = NULL;
		r->rval_off = p->msg.len;
		strbuf_put(&p->msg, v, n);
	}
}

/* The 1-based first of f[0..n) longer than CSV_FIELD_MAX, or 0. */
static int long_field(const csvscan_field *f, int n)
{
	for (int i = 0; i < n; i++)
		if (f[i].len > CSV_FIELD_MAX)
			return i + 1;
	return 0;
}

static void parse_piece(run *R, piece *p)
{
	const char *buf = p->buf;
	size_t pos = p->start;
	long line = 0; /* relative: pieces are parsed before their first line is known */
	csvscan_rec rec;
	size_t need = p->end - p->start + 1;
	int maxf = R->nhdr + 1, lc;

	p->nrows = 0;
	p->out.len = p->rej.len = p->msg.len = 0;
	p->oom = 0;
	if (p->scratch_cap < need) {
		free(p->scratch);
		p->scratch = malloc(need);
		p->scratch_cap = p->scratch ? need : 0;
	}
	if (!p->f)
		p->f = malloc((size_t)maxf * sizeof *p->f);
	if (!p->scratch || !p->f) {
		p->oom = 1;
		return;
	}
	while (pos < p->end) {
		if (!csvscan_next(buf, p->end, pos, p->eof, p->f, maxf, p->scratch, &rec))
			break;
		if (rec.blank) {
			pos = rec.next;
			line += rec.lines;
			continue;
		}
		rowres *r = new_row(p);
		if (!r)
			return;
		r->line = line;
		r->raw_off = rec.start;
		r->raw_len = rec.raw_len;
		if (rec.bad_col) {
			int bc = rec.bad_col;
			const csvscan_field *bf = bc <= maxf ? &p->f[bc - 1] : NULL;
			r->rcol = bc;
			r->rcolname = bc <= R->nhdr ? R->hdr_names[bc - 1] : "";
			keep_rval(p, r, bf ? bf->p : "", bf ? bf->len : 0);
			r->reason_off = p->msg.len;
			put_fmt(&p->msg, "%s", rec.unterminated ? "malformed CSV (unterminated quote)"
								: "malformed CSV (bad quoting)");
			r->reason_len = p->msg.len - r->reason_off;
		} else if ((lc = long_field(p->f, rec.nfields < maxf ? rec.nfields : maxf))) {
			/* as io/csvio: one bad record, its value not echoed */
			r->rcol = lc;
			r->rcolname = lc <= R->nhdr ? R->hdr_names[lc - 1] : "";
			r->rval = "";
			r->reason_off = p->msg.len;
			put_fmt(&p->msg, "field longer than %d bytes", CSV_FIELD_MAX);
			r->reason_len = p->msg.len - r->reason_off;
		} else if (rec.nfields != R->nhdr) {
			r->rcol = (rec.nfields < R->nhdr ? rec.nfields : R->nhdr) + 1;
			r->rcolname = "";
			r->rval = "";
			r->reason_off = p->msg.len;
			put_fmt(&p->msg, "expected %d fields, found %d", R->nhdr, rec.nfields);
			r->reason_len = p->msg.len - r->reason_off;
		} else {
			row_check rc;
			size_t off = p->out.len;
			if (schema_check_row(&R->ctx, p->f, rec.nfields, &p->out, &rc) == 0) {
				r->ok = 1;
				r->out_off = off;
				r->out_len = p->out.len - off;
				r->key = rc.key;
				r->version = rc.version;
				r->life = rc.life;
			} else {
				r->rcol = rc.col >= 0 ? R->colmap[rc.col] + 1 : 0;
				r->rcolname = rc.col >= 0 ? R->s->cols[rc.col].name : "";
				keep_rval(p, r, rc.value, rc.value_len);
				r->reason_off = p->msg.len;
				put_fmt(&p->msg, "%s", rc.reason);
				r->reason_len = p->msg.len - r->reason_off;
			}
		}
		pos = rec.next;
		line += rec.lines;
	}
	p->consumed = pos;
	p->lines = line;
	if (p->out.oom || p->rej.oom || p->msg.oom)
		p->oom = 1;
}

/* --- output ------------------------------------------------------------ */

/* Converts a canonical row (valid by construction) into an HDF5 row. */
static int emit_h5(run *R, const char *row, size_t len, qe_err *e)
{
	csvscan_field f[32];
	csvscan_rec rec;
	const formats_table *s = R->out_s;
	if (R->tmp.cap < len + 1) {
		free(R->tmp.p);
		R->tmp.p = malloc(len + 1);
		R->tmp.cap = R->tmp.p ? len + 1 : 0;
		if (!R->tmp.p)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	csvscan_next(row, len, 0, 1, f, 32, R->tmp.p, &rec);
	if (rec.nfields != s->ncols || rec.bad_col)
		return qe_err_set(e, QE_INTERNAL, "%s: canonical row does not parse", R->name);
	for (int i = 0; i < s->ncols; i++) {
		if (f[i].len == 0 && s->cols[i].type != CT_STR && s->cols[i].type != CT_ID &&
		    s->cols[i].type != CT_IDLIST)
			continue; /* missing */
		switch (h5tab_kind_of(s->cols[i].type)) {
		case H5TAB_DOUBLE: {
			double x;
			if (num_parse_double(f[i].p, f[i].len, &x) == NUM_OK)
				h5tab_set_double(R->h5w, i, x);
			break;
		}
		case H5TAB_INT64: {
			int64_t x;
			if (num_parse_int64(f[i].p, f[i].len, &x) == NUM_OK)
				h5tab_set_int64(R->h5w, i, x);
			break;
		}
		case H5TAB_DATE: {
			qe_date d;
			if (date_parse(f[i].p, f[i].len, &d) == 0)
				h5tab_set_int64(R->h5w, i, d);
			break;
		}
		case H5TAB_TIMESTAMP: {
			qe_ts ts;
			if (ts_parse(f[i].p, f[i].len, &ts) == 0)
				h5tab_set_int64(R->h5w, i, ts.utc);
			break;
		}
		default:
			h5tab_set_str(R->h5w, i, f[i].p, f[i].len);
		}
	}
	return h5tab_end_row(R->h5w, e);
}

/* HDF5 rows are spooled first: string columns are written fixed-length,
 * and their widths are known only when every row has been seen. */
static int spool_h5(run *R, const char *row, size_t len, qe_err *e)
{
	csvscan_field f[32];
	csvscan_rec rec;
	const formats_table *s = R->out_s;
	uint32_t n = (uint32_t)len;
	if (R->tmp.cap < len + 1) {
		free(R->tmp.p);
		R->tmp.p = malloc(len + 1);
		R->tmp.cap = R->tmp.p ? len + 1 : 0;
		if (!R->tmp.p)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	csvscan_next(row, len, 0, 1, f, 32, R->tmp.p, &rec);
	if (rec.nfields != s->ncols || rec.bad_col)
		return qe_err_set(e, QE_INTERNAL, "%s: canonical row does not parse", R->name);
	for (int i = 0; i < s->ncols; i++)
		if (f[i].len > R->h5width[i])
			R->h5width[i] = f[i].len;
	if (fwrite(&n, sizeof n, 1, R->h5spool) != 1 || fwrite(row, 1, len, R->h5spool) != len)
		return qe_err_set(e, QE_IO, "%s: spool write error: %s", R->name, strerror(errno));
	R->h5rows++;
	return 0;
}

static int finish_h5(run *R, qe_err *e)
{
	const formats_table *s = R->out_s;
	h5tab_colspec cols[32];
	size_t widths[32];
	char *row = NULL;
	size_t cap = 0;
	int rc = 0;
	if (h5tab_colspecs(s->kind, cols, 32) != s->ncols)
		return qe_err_set(e, QE_INTERNAL, "%s: no HDF5 columns for %s", R->name, s->name);
	for (int i = 0; i < s->ncols; i++)
		widths[i] = cols[i].kind == H5TAB_STRING ? (R->h5width[i] ? R->h5width[i] : 1) : 0;
	R->h5w = h5tab_begin_fixed(R->sink->h5, s->name, cols, s->ncols, widths, e);
	if (!R->h5w)
		return e->code;
	if (fflush(R->h5spool) != 0 || fseek(R->h5spool, 0, SEEK_SET) != 0)
		return qe_err_set(e, QE_IO, "%s: spool error: %s", R->name, strerror(errno));
	for (long i = 0; i < R->h5rows && !rc; i++) {
		uint32_t n;
		if (fread(&n, sizeof n, 1, R->h5spool) != 1) {
			rc = qe_err_set(e, QE_IO, "%s: spool read error", R->name);
			break;
		}
		if (n > cap) {
			free(row);
			cap = (size_t)n * 2;
			if (!(row = malloc(cap))) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				break;
			}
		}
		if (fread(row, 1, n, R->h5spool) != n)
			rc = qe_err_set(e, QE_IO, "%s: spool read error", R->name);
		else
			rc = emit_h5(R, row, n, e);
	}
	free(row);
	if (!rc)
		rc = h5tab_finish(R->h5w, e);
	R->h5w = NULL;
	return rc;
}

/* Hands the gathered canonical rows to the output in one write. */
static int flush_out(run *R, qe_err *e)
{
	if (R->wout.oom)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (R->wout.len && fwrite(R->wout.p, 1, R->wout.len, R->sink->csv) != R->wout.len)
		return qe_err_set(e, QE_IO, "write error: %s", strerror(errno));
	R->wout.len = 0;
	return 0;
}

static int emit(run *R, const char *row, size_t len, qe_err *e)
{
	if (R->discard)
		return 0;
	if (R->h5spool)
		return spool_h5(R, row, len, e);
	strbuf_put(&R->wout, row, len);
	return R->wout.len >= WRITE_CHUNK || R->wout.oom ? flush_out(R, e) : 0;
}

/* A spool: a temporary file with a WRITE_CHUNK buffer of its own (glibc
 * ignores the size of setvbuf without a buffer). */
static FILE *spool_open(char **buf)
{
	FILE *f = tmpfile();
	if (f && (*buf = malloc(WRITE_CHUNK)))
		setvbuf(f, *buf, _IOFBF, WRITE_CHUNK);
	return f;
}

static int accept_row(run *R, const char *row, size_t len, qe_err *e)
{
	if (R->spool) {
		uint32_t n = (uint32_t)len;
		if (fwrite(&n, sizeof n, 1, R->spool) != 1 || fwrite(row, 1, len, R->spool) != len)
			return qe_err_set(e, QE_IO, "%s: spool write error: %s", R->name, strerror(errno));
	} else if (!R->book) {
		int rc = emit(R, row, len, e);
		if (rc)
			return rc;
		R->c->written++;
	}
	R->accepted++;
	return 0;
}

/* --- merge (cross-row rules) ------------------------------------------- */

/* Writes a reject of record r (field fc, 1-based or 0) to the rejects file
 * and the callback. */
static int emit_reject(run *R, const rowres *r, int fc, const char *cn, const char *value,
		       size_t vlen, const char *reason, qe_err *e)
{
	size_t ro, rl, mo, ml;
	int rc = 0;
	R->rej.len = R->msg.len = 0;
	format_reject(R->name, r->line, fc, cn, value, vlen, reason, R->buf + r->raw_off, r->raw_len,
		      &R->rej, &R->msg, &ro, &rl, &mo, &ml);
	strbuf_put(&R->msg, "", 1);
	if (R->rej.oom || R->msg.oom)
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	if (!rc && R->sink->rejects && fwrite(R->rej.p, 1, rl, R->sink->rejects) != rl)
		rc = qe_err_set(e, QE_IO, "rejects: write error: %s", strerror(errno));
	if (!rc && R->sink->on_reject)
		R->sink->on_reject(R->sink->ctx, R->msg.p);
	R->c->rejected++;
	return rc;
}

static int reject_now(run *R, const rowres *r, const piece *p, int schema_col,
		      const char *value, size_t vlen, const char *reason, qe_err *e)
{
	(void)p;
	return emit_reject(R, r, schema_col >= 0 ? R->colmap[schema_col] + 1 : 0,
			   schema_col >= 0 ? R->s->cols[schema_col].name : "", value, vlen, reason, e);
}

/* The canonical text of schema column col in a canonical row. */
static void row_field(const char *row, size_t len, int col, const char **v, size_t *vlen)
{
	/* key columns never need quoting in practice; scan honouring quotes */
	int c = 0, inq = 0;
	size_t i = 0, start = 0;
	for (; i < len; i++) {
		char ch = row[i];
		if (ch == '"')
			inq = !inq;
		else if (!inq && (ch == ',' || ch == '\n')) {
			if (c == col)
				break;
			c++;
			start = i + 1;
		}
	}
	*v = row + start;
	*vlen = i - start;
}

/* --- meters ------------------------------------------------------------ */

static int meter_drain(run *R, qe_err *e)
{
	meter_row mr;
	char nb[NUM_BUFSZ], tb[TS_BUFSZ], fl[8];
	while (meter_next_row(R->meter, &mr)) {
		const char *unit = strcmp(mr.meter_id, R->cur_meter) == 0 ? R->cur_unit : R->prev_unit;
		qe_ts ts = {mr.utc, mr.offset};
		R->tmp2.len = 0;
		strbuf_put_field(&R->tmp2, mr.meter_id, strlen(mr.meter_id));
		strbuf_put(&R->tmp2, ",", 1);
		strbuf_put(&R->tmp2, tb, (size_t)ts_format(tb, ts, 0));
		put_fmt(&R->tmp2, ",%d,%d,", (int)(mr.offset / 60), mr.period_min);
		if (!isnan(mr.energy))
			strbuf_put(&R->tmp2, nb, (size_t)num_format_double(nb, mr.energy));
		meter_flags_format(fl, mr.flags);
		put_fmt(&R->tmp2, ",%s,%c,%s,%d,%d\n", unit ? unit : "", mr.quality, fl, mr.readings,
			mr.expected);
		if (R->tmp2.oom)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		int rc = emit(R, R->tmp2.p, R->tmp2.len, e);
		if (rc)
			return rc;
	}
	return 0;
}

static int meter_feed(run *R, const piece *p, const rowres *r, const char *row, size_t len,
		      qe_err *e)
{
	csvscan_field f[8];
	csvscan_rec rec;
	char scratch[1024], id[256];
	meter_reading m;
	qe_ts ts;
	int64_t iv = 0;
	qe_err me;
	if (len >= sizeof scratch)
		return reject_now(R, r, p, FMT_ME_ID, row, 0, "record too long", e);
	csvscan_next(row, len, 0, 1, f, 8, scratch, &rec);
	if (rec.nfields != 6 || f[0].len >= sizeof id)
		return reject_now(R, r, p, 0, f[0].p, f[0].len, "meter id too long", e);
	memcpy(id, f[0].p, f[0].len);
	id[f[0].len] = '\0';
	ts_parse(f[1].p, f[1].len, &ts);
	num_parse_int64(f[2].p, f[2].len, &iv);
	m.meter_id = id;
	m.utc = ts.utc;
	m.interval_min = (int)iv;
	m.energy = NAN;
	if (f[3].len)
		num_parse_double(f[3].p, f[3].len, &m.energy);
	m.quality = f[5].len ? f[5].p[0] : 'A';
	m.line = 0;
	const char *unit = f[4].len == 3 ? "kWh" : "m3";
	/* a wall-clock time in the DST gap, or an offset from another zone */
	int32_t zoff = tz_offset_at(R->o->tz, ts.utc, NULL, NULL);
	if (R->o->check_offsets && ts.offset != 0 && ts.offset != zoff) {
		char why[160];
		snprintf(why, sizeof why, "UTC offset %+03d:%02d is not the offset of %s at this instant (%+03d:%02d)",
			 ts.offset / 3600, abs(ts.offset) / 60 % 60, tz_name(R->o->tz), zoff / 3600,
			 abs(zoff) / 60 % 60);
		return reject_now(R, r, p, 1, f[1].p, f[1].len, why, e);
	}
	if (strcmp(id, R->cur_meter) == 0 && R->cur_unit && strcmp(unit, R->cur_unit) != 0)
		return reject_now(R, r, p, 4, f[4].p, f[4].len,
				  "unit differs from the earlier readings of this meter", e);
	int rc = meter_push(R->meter, &m, &me);
	if (rc == QE_DATA)
		return reject_now(R, r, p, 1, f[1].p, f[1].len, me.msg, e);
	if (rc)
		return qe_err_set(e, rc, "%s", me.msg);
	if (strcmp(id, R->cur_meter) != 0) {
		memcpy(R->prev_meter, R->cur_meter, sizeof id);
		R->prev_unit = R->cur_unit;
		memcpy(R->cur_meter, id, sizeof id);
		R->cur_unit = unit;
	}
	R->c->written++;
	return meter_drain(R, e);
}

static int merge_row(run *R, const piece *p, const rowres *r, qe_err *e)
{
	R->c->read++;
	if (!r->ok) {
		char reason[400];
		size_t n = r->reason_len < sizeof reason - 1 ? r->reason_len : sizeof reason - 1;
		memcpy(reason, p->msg.p + r->reason_off, n);
		reason[n] = '\0';
		return emit_reject(R, r, r->rcol, r->rcolname, r->rval ? r->rval : p->msg.p + r->rval_off,
				   r->rvlen, reason, e);
	}
	/* only now: a piece whose rows were all rejected has no output
	 * buffer, and NULL + 0 is undefined */
	const char *row = p->out.p + r->out_off;
	if (R->meter)
		return meter_feed(R, p, r, row, r->out_len, e);
	if (!R->s->nkey)
		return accept_row(R, row, r->out_len, e);

	int found;
	const char *kv;
	size_t kl;
	char reason[200];
	int kc = R->s->key[0];
	row_field(row, r->out_len, kc, &kv, &kl);
	/* the exact key: canonical (CSV-quoted) fields joined by commas */
	const char *kt = kv;
	size_t ktl = kl;
	if (R->s->nkey > 1) {
		R->keytext.len = 0;
		for (int j = 0; j < R->s->nkey; j++) {
			const char *fv;
			size_t fl;
			row_field(row, r->out_len, R->s->key[j], &fv, &fl);
			if (j)
				strbuf_put(&R->keytext, ",", 1);
			strbuf_put(&R->keytext, fv, fl);
		}
		if (R->keytext.oom)
			return qe_err_set(e, QE_INTERNAL, "out of memory (key table)");
		kt = R->keytext.p;
		ktl = R->keytext.len;
	}
	keyset_entry *k = keyset_upsert(R->keys, r->key, kt, ktl, &found);
	if (!k)
		return qe_err_set(e, QE_INTERNAL, "out of memory (key table)");
	if (R->s->kind != FMT_TRADES) {
		if (found) {
			if (R->s->nkey == 1)
				snprintf(reason, sizeof reason, "duplicate %s (first on line %u)",
					 R->s->cols[kc].name, k->a);
			else
				snprintf(reason, sizeof reason, "duplicate key (first on line %u)", k->a);
			return reject_now(R, r, p, kc, kv, kl, reason, e);
		}
		k->a = (uint32_t)r->line;
		return accept_row(R, row, r->out_len, e);
	}
	/* trades: a = accepted index + 1 of the live version (0: cancelled),
	 * b = its version; a new entry has a = b = 0 and found = 0. */
	int state = !found || k->b == UINT32_MAX ? TRADE_UNKNOWN : k->a ? TRADE_LIVE : TRADE_CANCELLED;
	int col;
	if (schema_lifecycle_check(state, k->b, r->life, r->version, reason, sizeof reason, &col)) {
		if (!found) {
			/* keep the slot as a tombstone: the id stays unknown */
			k->a = 0;
			k->b = UINT32_MAX;
		}
		if (col == FMT_TR_VERSION)
			row_field(row, r->out_len, FMT_TR_VERSION, &kv, &kl);
		return reject_now(R, r, p, col, kv, kl, reason, e);
	}
	k->a = r->life == LIFE_CANCEL ? 0 : R->accepted + 1;
	k->b = (uint32_t)r->version;
	return accept_row(R, row, r->out_len, e);
}

/* --- book mode: winners from the spool ---------------------------------- */

static int write_header_row(const formats_table *t, FILE *fp, const char *what, qe_err *e);

static void mark_winner(const keyset_entry *k, void *ctx)
{
	uint8_t *bits = ctx;
	if (k->a && k->b != UINT32_MAX)
		bits[(k->a - 1) >> 3] |= (uint8_t)(1u << ((k->a - 1) & 7));
}

/* Writes the live version of a trade with status `new`: the book is a
 * trades file in its own right, and an `amend` of a trade the file has
 * not introduced would be rejected when the book is ingested again.  The
 * version is kept, so an amended trade still shows it was amended. */
static int emit_live(run *R, const char *row, size_t len, qe_err *e)
{
	const char *st;
	size_t sl;
	static const char live[] = "new";
	row_field(row, len, FMT_TR_STATUS, &st, &sl);
	if (sl == sizeof live - 1 && memcmp(st, live, sl) == 0)
		return emit(R, row, len, e);
	R->tmp2.len = 0;
	strbuf_put(&R->tmp2, row, (size_t)(st - row));
	strbuf_put(&R->tmp2, live, sizeof live - 1);
	strbuf_put(&R->tmp2, st + sl, len - (size_t)(st - row) - sl);
	if (R->tmp2.oom)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	return emit(R, R->tmp2.p, R->tmp2.len, e);
}

static void count_winner(const keyset_entry *k, void *ctx)
{
	if (k->a && k->b != UINT32_MAX)
		(*(long *)ctx)++;
}

/* The book's counts when nothing is written: the live versions are the
 * written rows, every other accepted record was superseded. */
static void count_book(run *R)
{
	long live = 0;
	if (R->keys)
		keyset_each(R->keys, count_winner, &live);
	R->c->written += live;
	R->c->superseded += (long)R->accepted - live;
}

static int emit_book(run *R, qe_err *e)
{
	uint8_t *bits = calloc((size_t)R->accepted / 8 + 1, 1);
	char *row = NULL;
	size_t cap = 0;
	int rc = 0;
	if (!bits)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (R->sink->csv && write_header_row(R->out_s, R->sink->csv, "", e)) {
		free(bits);
		return e->code;
	}
	if (R->keys)
		keyset_each(R->keys, mark_winner, bits);
	if (fflush(R->spool) != 0 || fseek(R->spool, 0, SEEK_SET) != 0) {
		free(bits);
		return qe_err_set(e, QE_IO, "%s: spool error: %s", R->name, strerror(errno));
	}
	for (uint32_t i = 0; i < R->accepted && !rc; i++) {
		uint32_t n;
		if (fread(&n, sizeof n, 1, R->spool) != 1) {
			rc = qe_err_set(e, QE_IO, "%s: spool read error", R->name);
			break;
		}
		if (n > cap) {
			free(row);
			cap = n * 2;
			row = malloc(cap);
			if (!row) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				break;
			}
		}
		if (fread(row, 1, n, R->spool) != n) {
			rc = qe_err_set(e, QE_IO, "%s: spool read error", R->name);
			break;
		}
		if (bits[i >> 3] & (1u << (i & 7))) {
			rc = emit_live(R, row, n, e);
			R->c->written++;
		} else {
			R->c->superseded++;
		}
	}
	free(row);
	free(bits);
	return rc;
}

/* --- driver ------------------------------------------------------------- */

/* Reads the header record: 0 (used = bytes, lines = lines consumed), -1
 * when more input is needed, or an error code. */
static int header(run *R, const char *buf, size_t len, int at_eof, size_t *used, long *lines,
		  qe_err *e)
{
	csvscan_field f[256];
	csvscan_rec rec;
	size_t pos = 0;
	char *scratch = malloc(len + 1);
	if (!scratch)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	long line = 1;
	for (;;) {
		if (pos >= len) {
			free(scratch);
			if (!at_eof)
				return -1;
			return qe_err_set(e, QE_DATA, "%s: empty file, expected a header line", R->name);
		}
		if (!csvscan_next(buf, len, pos, at_eof, f, 256, scratch, &rec)) {
			free(scratch);
			return -1;
		}
		if (!rec.blank)
			break;
		pos = rec.next;
		line += rec.lines;
	}
	if (rec.bad_col || rec.nfields > 256) {
		free(scratch);
		return qe_err_set(e, QE_DATA, "%s:%ld:%d: malformed header%s", R->name, line,
				  rec.bad_col ? rec.bad_col : 257,
				  rec.bad_col ? " (bad quoting)" : " (too many columns)");
	}
	int lc = long_field(f, rec.nfields);
	if (lc) {
		free(scratch);
		return qe_err_set(e, QE_DATA, "%s:%ld:%d: malformed header (a name longer than %d bytes)",
				  R->name, line, lc, CSV_FIELD_MAX);
	}
	R->nhdr = rec.nfields;
	int unknown[256];
	int rc = schema_map_header(R->s, f, rec.nfields, R->colmap, unknown, R->name, line, e);
	R->hdr_names = calloc((size_t)R->nhdr, sizeof *R->hdr_names);
	for (int i = 0; !rc && R->hdr_names && i < R->nhdr; i++)
		R->hdr_names[i] = strndup(f[i].p, f[i].len);
	free(scratch);
	if (rc)
		return rc;
	if (!R->hdr_names)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	*used = rec.next;
	*lines = line - 1 + rec.lines;
	return 0;
}

/* The header row of t to fp; what prefixes the message of a write error. */
static int write_header_row(const formats_table *t, FILE *fp, const char *what, qe_err *e)
{
	strbuf h = {0};
	int rc = 0;
	schema_header(t, &h);
	if (h.oom || fwrite(h.p, 1, h.len, fp) != h.len)
		rc = qe_err_set(e, QE_IO, "%swrite error: %s", what, strerror(errno));
	strbuf_free(&h);
	return rc;
}

static int write_headers(run *R, qe_err *e)
{
	if (R->sink->rejects &&
	    write_header_row(formats_get(FMT_REJECTS), R->sink->rejects, "rejects: ", e))
		return e->code;
	if (R->sink->h5) {
		if (!(R->h5spool = spool_open(&R->h5spool_buf)))
			return qe_err_set(e, QE_IO, "cannot create a temporary file: %s", strerror(errno));
		return 0;
	}
	/* the book's header comes with its rows (emit_book): nothing reaches
	 * the output before every record is in */
	return R->discard || R->book ? 0 : write_header_row(R->out_s, R->sink->csv, "", e);
}

static void free_pieces(piece *pc, int n)
{
	for (int i = 0; i < n; i++) {
		strbuf_free(&pc[i].out);
		strbuf_free(&pc[i].rej);
		strbuf_free(&pc[i].msg);
		free(pc[i].rows);
		free(pc[i].scratch);
		free(pc[i].f);
	}
}

/* The read buffer: bytes [pos, len) of p are not consumed yet; line is
 * the line number where pos starts. */
typedef struct inbuf {
	FILE *in;
	char *p;
	size_t cap, len, pos;
	int first; /* nothing read yet: a UTF-8 BOM may follow */
	long line;
} inbuf;

/* No complete record fits in p[pos..len): drop the consumed prefix, or
 * double the buffer when there is nothing to drop. */
static int make_room(inbuf *b, qe_err *e)
{
	if (b->pos > 0) {
		memmove(b->p, b->p + b->pos, b->len - b->pos);
		b->len -= b->pos;
		b->pos = 0;
		return 0;
	}
	char *nb = realloc(b->p, 2 * b->cap + 1);
	if (!nb)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	b->p = nb;
	b->cap *= 2;
	return 0;
}

/* Tops the buffer up from the input (dropping a leading BOM); sets
 * R->at_eof at the end of the input. */
static int fill_buffer(run *R, inbuf *b, qe_err *e)
{
	if (R->at_eof || b->len >= b->cap)
		return 0;
	size_t got = fread(b->p + b->len, 1, b->cap - b->len, b->in);
	if (got < b->cap - b->len) {
		if (ferror(b->in))
			return infile_read_error(e, R->name, errno);
		R->at_eof = 1;
	}
	b->len += got;
	if (b->first && b->len >= 3 && memcmp(b->p, "\xEF\xBB\xBF", 3) == 0) {
		memmove(b->p, b->p + 3, b->len - 3);
		b->len -= 3;
	}
	b->first = 0;
	return 0;
}

/* Reads the header and writes the output headers: *ready is set once done,
 * left 0 (the buffer grown if full) when the header needs more input. */
static int read_header(run *R, inbuf *b, int *ready, qe_err *e)
{
	size_t used = 0;
	long hl = 0;
	int h = header(R, b->p, b->len, R->at_eof, &used, &hl, e);
	if (h < 0)
		return b->len == b->cap ? make_room(b, e) : 0;
	if (h)
		return h;
	int rc = write_headers(R, e);
	if (rc)
		return rc;
	*ready = 1;
	b->pos = used;
	b->line = 1 + hl;
	return 0;
}

/* Cuts [pos, end) of buf into at most np pieces at line ends (one piece
 * for a small span); returns the number of pieces. */
static int split_pieces(const char *buf, size_t pos, size_t end, piece *pc, int np)
{
	size_t span = end - pos;
	if (span < 65536)
		np = 1;
	pc[0].start = pos;
	for (int k = 1; k < np; k++) {
		size_t cut = pos + span * (size_t)k / (size_t)np;
		if (cut < pc[k - 1].start)
			cut = pc[k - 1].start;
		const char *nl = memchr(buf + cut, '\n', end - cut);
		cut = nl ? (size_t)(nl - buf) + 1 : end;
		pc[k - 1].end = cut;
		pc[k].start = cut;
	}
	pc[np - 1].end = end;
	return np;
}

/* A block of the input: its buffer, its pieces and their threads. */
typedef struct block {
	inbuf b;
	piece pc[MAX_PIECES];
	pthread_t th[MAX_PIECES];
	int started[MAX_PIECES];
	int np;
} block;

enum { BLOCK_READY, BLOCK_NEEDS_ROOM, BLOCK_NONE };

/* Splits the complete records of k's buffer into at most npieces pieces:
 * BLOCK_READY, BLOCK_NEEDS_ROOM when no complete record is in the buffer
 * yet, BLOCK_NONE at the end of the input. */
static int split_block(run *R, block *k, int npieces)
{
	inbuf *b = &k->b;
	k->np = 0;
	if (b->pos >= b->len && R->at_eof)
		return BLOCK_NONE;
	/* the region of complete records: quoted fields may hold line ends,
	 * so a block with quotes is one piece that finds its own end */
	int quoted = memchr(b->p + b->pos, '"', b->len - b->pos) != NULL;
	size_t end = R->at_eof || quoted ? b->len : b->pos + csvscan_last_newline(b->p + b->pos, b->len - b->pos);
	if (end <= b->pos && !R->at_eof)
		return BLOCK_NEEDS_ROOM;
	k->np = split_pieces(b->p, b->pos, end, k->pc, quoted ? 1 : npieces);
	for (int i = 0; i < k->np; i++) {
		k->pc[i].eof = R->at_eof || !quoted;
		k->pc[i].buf = b->p;
		k->pc[i].R = R;
	}
	return BLOCK_READY;
}

static void *parse_piece_thread(void *arg)
{
	piece *p = arg;
	parse_piece(p->R, p);
	return NULL;
}

/* Starts the parse of pieces from..np-1 of k on threads of their own (the
 * others are parsed by finish_parse on the calling thread).  The threads
 * last one block: no thread outlives it to spin or wait (libgomp's
 * workers spin between parallel regions and, on a busy machine, took the
 * CPU the merge needed).  A thread that cannot start leaves its piece to
 * the calling thread; the output does not depend on who parsed what. */
static void start_parse(block *k, int from)
{
	for (int i = 0; i < k->np; i++)
		k->started[i] = i >= from &&
				pthread_create(&k->th[i], NULL, parse_piece_thread, &k->pc[i]) == 0;
}

/* Parses what start_parse left, waits for the threads, and numbers the
 * rows from the block's first line (known only now). */
static void finish_parse(run *R, block *k)
{
	for (int i = 0; i < k->np; i++)
		if (!k->started[i])
			parse_piece(R, &k->pc[i]);
	for (int i = 0; i < k->np; i++)
		if (k->started[i])
			pthread_join(k->th[i], NULL);
	piece *pc = k->pc;
	if (k->np)
		pc[0].line0 = k->b.line;
	for (int i = 1; i < k->np; i++)
		pc[i].line0 = pc[i - 1].line0 + pc[i - 1].lines;
	for (int i = 0; i < k->np; i++)
		for (size_t j = 0; j < pc[i].nrows; j++)
			pc[i].rows[j].line += pc[i].line0;
}

/* The end of what k's pieces consumed. */
static size_t block_consumed(const block *k)
{
	return k->np ? k->pc[k->np - 1].consumed : k->b.pos;
}

/* Parses block k now (pieces from `from` on threads), growing its buffer
 * until it holds a complete record or the input ends. */
static int parse_block_now(run *R, block *k, int npieces, int from, qe_err *e)
{
	for (;;) {
		int st = split_block(R, k, npieces);
		if (st == BLOCK_NONE)
			return 0;
		if (st == BLOCK_READY) {
			start_parse(k, from);
			finish_parse(R, k);
			/* a quoted record may run past the buffer */
			if (block_consumed(k) > k->b.pos || R->at_eof)
				return 0;
		}
		k->np = 0;
		int rc = make_room(&k->b, e);
		if (!rc)
			rc = fill_buffer(R, &k->b, e);
		if (rc)
			return rc;
	}
}

/* Starts block nx with what block k did not consume, topped up from the
 * input. */
static int carry_over(run *R, const block *k, block *nx, qe_err *e)
{
	size_t used = block_consumed(k), left = k->b.len - used;
	if (nx->b.cap < k->b.cap || !nx->b.p) {
		char *np = realloc(nx->b.p, k->b.cap + 1);
		if (!np)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		nx->b.p = np;
		nx->b.cap = k->b.cap;
	}
	memcpy(nx->b.p, k->b.p + used, left);
	nx->b.in = k->b.in;
	nx->b.len = left;
	nx->b.pos = 0;
	nx->b.first = 0;
	nx->b.line = k->np ? k->pc[k->np - 1].line0 + k->pc[k->np - 1].lines : k->b.line;
	return fill_buffer(R, &nx->b, e);
}

/* Creates the key table, sized once from the first block (rows per byte
 * times the input size), so that it does not grow (and briefly double) on
 * big files. */
static int make_keys(run *R, const piece *pc, int np, size_t pos, qe_err *e)
{
	if (!R->s->nkey || R->keys)
		return 0;
	size_t rows = 0, expected = 0;
	for (int k = 0; k < np; k++)
		rows += pc[k].nrows;
	size_t bytes = np ? pc[np - 1].consumed - pos : 0;
	if (R->o->size_hint > 0 && rows && bytes)
		expected = (size_t)((double)R->o->size_hint / (double)bytes * (double)rows * 1.02);
	if (!(R->keys = keyset_new(expected)))
		return qe_err_set(e, QE_INTERNAL, "out of memory (key table)");
	return 0;
}

/* Merges the pieces' rows in input order (cross-row rules, output,
 * rejects); stops at the --max-rejects limit. */
static int merge_pieces(run *R, piece *pc, int np, qe_err *e)
{
	const formats_table *s = R->s;
	int rc = 0;
	for (int k = 0; k < np && !rc; k++) {
		if (pc[k].oom)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		for (size_t i = 0; i < pc[k].nrows && !rc; i++) {
			/* key lookups miss the cache: ask for the slot early */
			if (R->keys && i + 8 < pc[k].nrows && pc[k].rows[i + 8].ok) {
				const rowres *pr = &pc[k].rows[i + 8];
				const char *kv = NULL;
				size_t kl = 0;
				if (s->nkey == 1)
					row_field(pc[k].out.p + pr->out_off, pr->out_len, s->key[0], &kv, &kl);
				keyset_prefetch(R->keys, pr->key, kv, kl);
			}
			rc = merge_row(R, &pc[k], &pc[k].rows[i], e);
			if (!rc && R->o->max_rejects >= 0 && R->c->rejected > R->o->max_rejects)
				rc = qe_err_set(e, QE_DATA,
						"%s: more than %ld rejected records (--max-rejects); "
						"nothing written",
						R->name, R->o->max_rejects);
		}
	}
	return rc;
}

/* Sets up the run of o over name; R is zeroed first. */
static int run_init(run *R, const char *name, const ingest_opts *o, ingest_sink *sink,
		    ingest_counts *c, qe_err *e)
{
	memset(R, 0, sizeof *R);
	memset(c, 0, sizeof *c);
	R->o = o;
	R->s = o->s;
	R->name = name;
	R->sink = sink;
	R->c = c;
	R->ctx.s = o->s;
	R->ctx.markets = o->markets;
	R->ctx.colmap = R->colmap;
	R->book = o->s->kind == FMT_TRADES && !o->all_versions;
	R->discard = !sink->csv && !sink->h5;
	/* nothing written: the canonical row needs only what the merge reads
	 * (the key, and the version a lifecycle reject shows); meters are
	 * aggregated from the whole row */
	if (R->discard && o->s->kind != FMT_METERS && o->s->ncols <= 32) {
		for (int k = 0; k < o->s->nkey; k++)
			R->ctx.out_cols |= (uint32_t)1 << o->s->key[k];
		if (o->s->kind == FMT_TRADES)
			R->ctx.out_cols |= (uint32_t)1 << FMT_TR_VERSION;
	}
	R->out_s = o->s;
	if (o->s->kind == FMT_METERS) {
		meter_opts mo = {.tz = o->tz, .period_min = o->period_min, .max_gap_min = o->max_gap_min};
		R->out_s = schema_get(FMT_METER_PERIODS);
		if (!(R->meter = meter_agg_new(&mo, e)))
			return e->code;
	}
	if (R->book && !R->discard && !(R->spool = spool_open(&R->spool_buf)))
		return qe_err_set(e, QE_IO, "cannot create a temporary file: %s", strerror(errno));
	return 0;
}

/* What is written once every record is in: the book, the meter periods
 * still held, the HDF5 table. */
static int finish_run(run *R, qe_err *e)
{
	int rc = 0;
	if (R->book && R->discard)
		count_book(R);
	else if (R->book)
		rc = emit_book(R, e);
	if (!rc && R->meter) {
		rc = meter_finish(R->meter, e);
		if (!rc)
			rc = meter_drain(R, e);
		meter_get_counts(R->meter, &R->c->meters);
	}
	if (!rc && R->h5spool)
		rc = finish_h5(R, e);
	if (!rc && R->sink->csv)
		rc = flush_out(R, e);
	return rc;
}

static void run_free(run *R, block *blk)
{
	if (R->spool)
		fclose(R->spool);
	if (R->h5spool)
		fclose(R->h5spool);
	free(R->spool_buf);
	free(R->h5spool_buf);
	strbuf_free(&R->wout);
	for (int k = 0; k < 2; k++) {
		free_pieces(blk[k].pc, MAX_PIECES);
		free(blk[k].b.p);
	}
	for (int i = 0; R->hdr_names && i < R->nhdr; i++)
		free(R->hdr_names[i]);
	free(R->hdr_names);
	strbuf_free(&R->tmp);
	strbuf_free(&R->tmp2);
	strbuf_free(&R->keytext);
	strbuf_free(&R->rej);
	strbuf_free(&R->msg);
	meter_agg_free(R->meter);
	keyset_free(R->keys);
}

/* Validates and merges every record after the header (blk[0] holds the
 * bytes after it).  With two or more threads the blocks are pipelined:
 * while the calling thread merges block k (the serial part: keys,
 * lifecycle, output), the next block is parsed and validated on threads
 * of its own, pieces cut at line ends.  The merge is always in input
 * order, so nothing written depends on the number of threads. */
static int ingest_blocks(run *R, block *blk, int nthreads, qe_err *e)
{
	int npieces = nthreads > MAX_PIECES ? MAX_PIECES : nthreads;
	int from = nthreads > 1 ? 1 : MAX_PIECES; /* piece 0 on the calling thread */
	int cur = 0;
	int rc = parse_block_now(R, &blk[0], npieces, from, e);
	while (!rc) {
		block *k = &blk[cur], *nx = &blk[!cur];
		size_t used = block_consumed(k);
		int done = R->at_eof && (used == k->b.len || used == k->b.pos);
		int ahead = 0;
		if (!done && !(rc = carry_over(R, k, nx, e)) && nthreads > 1 &&
		    split_block(R, nx, npieces) == BLOCK_READY) {
			start_parse(nx, 0);
			ahead = 1;
		}
		if (!rc)
			rc = make_keys(R, k->pc, k->np, k->b.pos, e);
		if (!rc) {
			R->buf = k->b.p;
			rc = merge_pieces(R, k->pc, k->np, e);
		}
		if (ahead)
			finish_parse(R, nx); /* before any return: the threads read nx */
		if (rc || done)
			break;
		if (!ahead || (block_consumed(nx) == nx->b.pos && !R->at_eof)) {
			nx->np = 0;
			rc = parse_block_now(R, nx, npieces, from, e);
		}
		cur = !cur;
	}
	return rc;
}

int ingest_writes_early(const ingest_opts *o)
{
	return !(o->s->kind == FMT_TRADES && !o->all_versions);
}

int ingest_run(FILE *in, const char *name, const ingest_opts *o, ingest_sink *sink,
	       ingest_counts *c, qe_err *e)
{
	run R;
	block *blk = calloc(2, sizeof *blk);
	if (!blk)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	inbuf *b = &blk[0].b;
	*b = (inbuf){.in = in, .cap = o->block_size ? o->block_size : DEFAULT_BLOCK, .first = 1, .line = 1};
	int nthreads = o->threads > 0 ? o->threads : omp_get_max_threads();
	int have_header = 0;

	int rc = run_init(&R, name, o, sink, c, e);
	if (!rc && !(b->p = malloc(b->cap + 1)))
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	while (!rc && !have_header) {
		if ((rc = fill_buffer(&R, b, e)))
			break;
		R.buf = b->p;
		rc = read_header(&R, b, &have_header, e);
	}
	if (!rc)
		rc = ingest_blocks(&R, blk, nthreads, e);
	if (!rc)
		rc = finish_run(&R, e);
	run_free(&R, blk);
	free(blk);
	return rc;
}

/* --- HDF5 back to CSV ---------------------------------------------------- */

int ingest_h5_to_csv(const char *path, const char *table, FILE *out, long *rows, qe_err *e)
{
	h5tab_reader *r = h5tab_open(path, table, e);
	strbuf b = {0};
	char nb[NUM_BUFSZ];
	int rc;
	*rows = 0;
	if (!r)
		return e->code;
	int n = h5tab_ncols(r);
	int offcol = h5tab_col(r, "utc_offset");
	for (int i = 0; i < n; i++) {
		if (i)
			strbuf_put(&b, ",", 1);
		strbuf_put_field(&b, h5tab_colname(r, i), strlen(h5tab_colname(r, i)));
	}
	strbuf_put(&b, "\n", 1);
	while ((rc = h5tab_next(r, e)) == 1) {
		for (int i = 0; i < n; i++) {
			if (i)
				strbuf_put(&b, ",", 1);
			switch (h5tab_colkind(r, i)) {
			case H5TAB_STRING: {
				const char *s = h5tab_str(r, i);
				strbuf_put_field(&b, s, strlen(s));
				break;
			}
			case H5TAB_DOUBLE: {
				double x = h5tab_double(r, i);
				if (!isnan(x))
					strbuf_put(&b, nb, (size_t)num_format_double(nb, x));
				break;
			}
			case H5TAB_DATE: {
				int64_t d = h5tab_int64(r, i);
				if (d != H5TAB_MISSING_INT) {
					date_format(nb, (qe_date)d);
					strbuf_put(&b, nb, 10);
				}
				break;
			}
			case H5TAB_TIMESTAMP: {
				int64_t t = h5tab_int64(r, i);
				int64_t off = offcol >= 0 ? h5tab_int64(r, offcol) : 0;
				if (t != H5TAB_MISSING_INT) {
					qe_ts ts = {t, (int32_t)(off == H5TAB_MISSING_INT ? 0 : off * 60)};
					strbuf_put(&b, nb, (size_t)ts_format(nb, ts, 0));
				}
				break;
			}
			default: {
				int64_t x = h5tab_int64(r, i);
				if (x != H5TAB_MISSING_INT)
					strbuf_put(&b, nb, (size_t)snprintf(nb, sizeof nb, "%lld", (long long)x));
			}
			}
		}
		strbuf_put(&b, "\n", 1);
		(*rows)++;
		if (b.len > (1u << 20)) {
			if (fwrite(b.p, 1, b.len, out) != b.len) {
				rc = -qe_err_set(e, QE_IO, "write error: %s", strerror(errno));
				break;
			}
			b.len = 0;
		}
	}
	if (rc == 0 && b.len && fwrite(b.p, 1, b.len, out) != b.len)
		rc = -qe_err_set(e, QE_IO, "write error: %s", strerror(errno));
	if (rc == 0 && b.oom)
		rc = -qe_err_set(e, QE_INTERNAL, "out of memory");
	strbuf_free(&b);
	h5tab_close(r);
	return rc < 0 ? -rc : 0;
}
