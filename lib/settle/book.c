/* book: the trades of a book for the settlement commands (book.h). */
#include "settle/book.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/num.h"
#include "core/strindex.h"
#include "ingest/schema.h"
#include "io/csvblock.h"
#include "io/csvio.h"
#include "io/csvscan.h"
#include "io/formats.h"
#include "price/black76.h"
#include "time/period.h"
#include "time/tz.h"

static const char *const instr_names[] = {"future", "forward", "swap", "physical",
					  "option", "asian", "spread", "spot"};

/* An optional date field: 0 when empty. */
static int opt_date(const csvscan_field *f, qe_date *d)
{
	*d = 0;
	return f->len ? date_parse(f->p, f->len, d) : 0;
}

static void copy_field(char *dst, size_t cap, const csvscan_field *f)
{
	size_t n = f->len < cap ? f->len : cap - 1;
	memcpy(dst, f->p, n);
	dst[n] = '\0';
}

/* One canonical row (ingest/schema) into t. */
static int parse_canon(const strbuf *canon, strbuf *work, settle_trade *t, qe_err *e)
{
	csvscan_field f[FMT_TR_N];
	csvscan_rec rec;
	size_t need = canon->len + 1;
	if (need > work->cap) {
		char *w = realloc(work->p, 2 * need);
		if (!w)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		work->p = w;
		work->cap = 2 * need;
	}
	csvscan_next(canon->p, canon->len, 0, 1, f, FMT_TR_N, work->p, &rec);
	for (int i = rec.nfields; i < FMT_TR_N; i++)
		f[i].len = 0;
	char buf[80];
	copy_field(t->id, sizeof t->id, &f[FMT_TR_ID]);
	copy_field(t->cpty, sizeof t->cpty, &f[FMT_TR_CPTY]);
	copy_field(t->curve, sizeof t->curve, &f[FMT_TR_CURVE]);
	copy_field(t->ccy, sizeof t->ccy, &f[FMT_TR_CCY]);
	copy_field(t->unit, sizeof t->unit, &f[FMT_TR_UNIT]);
	copy_field(t->shape, sizeof t->shape, &f[FMT_TR_SHAPE]);
	copy_field(t->book, sizeof t->book, &f[FMT_TR_BOOK]);
	copy_field(t->curve2, sizeof t->curve2, &f[FMT_TR_CURVE2]);
	t->opt_type = opt_type_parse_n(f[FMT_TR_OTYPE].p, f[FMT_TR_OTYPE].len);
	copy_field(buf, sizeof buf, &f[FMT_TR_EXERCISE]);
	t->american = strcmp(buf, "american") == 0;
	copy_field(buf, sizeof buf, &f[FMT_TR_STATUS]);
	t->cancel = strcmp(buf, "cancel") == 0;
	copy_field(buf, sizeof buf, &f[FMT_TR_INSTR]);
	t->instr = SETTLE_I_OTHER;
	for (int i = 0; i < SETTLE_I_OTHER; i++)
		if (strcmp(buf, instr_names[i]) == 0)
			t->instr = i;
	copy_field(buf, sizeof buf, &f[FMT_TR_SIDE]);
	t->side = strcmp(buf, "sell") == 0 ? -1 : 1;
	t->has_price = f[FMT_TR_PRICE].len > 0;
	if (num_parse_double(f[FMT_TR_QTY].p, f[FMT_TR_QTY].len, &t->qty) != NUM_OK ||
	    (t->has_price &&
	     num_parse_double(f[FMT_TR_PRICE].p, f[FMT_TR_PRICE].len, &t->price) != NUM_OK) ||
	    date_parse(f[FMT_TR_DATE].p, f[FMT_TR_DATE].len, &t->td) ||
	    date_parse(f[FMT_TR_DSTART].p, f[FMT_TR_DSTART].len, &t->ds) ||
	    date_parse(f[FMT_TR_DEND].p, f[FMT_TR_DEND].len, &t->de) ||
	    opt_date(&f[FMT_TR_EXPIRY], &t->expiry) || opt_date(&f[FMT_TR_AVGS], &t->avg_start) ||
	    opt_date(&f[FMT_TR_AVGE], &t->avg_end) ||
	    ((t->has_strike = f[FMT_TR_STRIKE].len > 0) &&
	     num_parse_double(f[FMT_TR_STRIKE].p, f[FMT_TR_STRIKE].len, &t->strike) != NUM_OK) ||
	    (f[FMT_TR_RATIO].len > 0 &&
	     num_parse_double(f[FMT_TR_RATIO].p, f[FMT_TR_RATIO].len, &t->ratio) != NUM_OK))
		return qe_err_set(e, QE_INTERNAL, "trade %s: not a canonical row", t->id);
	return 0;
}

/* Rows are read in blocks (io/csvblock), checked and parsed in parallel
 * (the row validator and parse_canon depend on the row alone), then
 * taken in file order through the lifecycle rule, so the book and the
 * first error are those of a row-by-row read. */
enum { BOOK_BLOCK = 8192 };

/* A block's parsed rows: st 0 parsed, 1 rejected by the validator, 2 not
 * canonical, 3 a malformed record. */
typedef struct book_rows {
	settle_trade *t;
	int *life, *st;
} book_rows;

/* Checks and parses record i of k into w->t[i] (w->st[i], w->life[i]). */
static void book_row(const csvblock *k, size_t i, book_rows *w, const schema_ctx *ctx, strbuf *canon,
		     strbuf *work)
{
	csvscan_field f[FMT_TR_N];
	row_check ck;
	qe_err e;
	if (csvblock_bad(k, i)) {
		w->st[i] = 3;
		return;
	}
	csvblock_fields(k, i, f);
	canon->len = 0;
	if (schema_check_row(ctx, f, FMT_TR_N, canon, &ck)) {
		w->st[i] = 1;
		return;
	}
	settle_trade *t = &w->t[i];
	memset(t, 0, sizeof *t);
	w->st[i] = parse_canon(canon, work, t, &e) ? 2 : 0;
	t->version = ck.version;
	w->life[i] = ck.life;
}

/* The error of row i of k, which book_row did not take (st 1, 2, 3). */
static int book_row_error(const csvblock *k, size_t i, const book_rows *w, const schema_ctx *ctx,
			  const int *colmap, const char *path, strbuf *canon, qe_err *e)
{
	long line = csvblock_line(k, i);
	if (w->st[i] == 3) {
		*e = *csvblock_bad(k, i);
		return e->code;
	}
	if (w->st[i] == 2)
		return qe_err_set(e, QE_INTERNAL, "trade %s: not a canonical row", w->t[i].id);
	/* again, alone, for the validator's reason */
	csvscan_field f[FMT_TR_N];
	row_check ck;
	char why[300];
	csvblock_fields(k, i, f);
	canon->len = 0;
	schema_check_row(ctx, f, FMT_TR_N, canon, &ck);
	schema_reject_text(schema_get(FMT_TRADES), &ck, why, sizeof why);
	if (ck.col >= 0 && colmap[ck.col] >= 0)
		return qe_err_set(e, QE_DATA, "%s:%ld:%d: %s", path, line, colmap[ck.col] + 1, why);
	return qe_err_set(e, QE_DATA, "%s:%ld: %s", path, line, why);
}

/* Takes parsed row t (of line `line`) through the lifecycle rule into b. */
static int book_take(settle_book *b, strindex *ids, settle_trade *t, int life, long line, const int *colmap,
		     const char *path, qe_err *e)
{
	t->line = line;
	t->col_cpty = colmap[FMT_TR_CPTY] + 1;
	t->col_curve = colmap[FMT_TR_CURVE] + 1;
	t->col_ccy = colmap[FMT_TR_CCY] + 1;
	t->col_strike = colmap[FMT_TR_STRIKE] + 1;
	int added;
	long j = sidx_add(ids, t->id, strlen(t->id), &added);
	if (j < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	int state = added ? TRADE_UNKNOWN : b->v[j].cancel ? TRADE_CANCELLED : TRADE_LIVE;
	char why[200];
	int col;
	if (schema_lifecycle_check(state, added ? 0 : b->v[j].version, life, t->version, why, sizeof why, &col))
		return qe_err_set(e, QE_DATA, "%s:%ld:%d: %s", path, t->line, colmap[col] + 1, why);
	if (added) {
		if (b->n == b->cap) {
			size_t cap = b->cap ? 2 * b->cap : 1024;
			settle_trade *v = realloc(b->v, cap * sizeof *v);
			if (!v)
				return qe_err_set(e, QE_INTERNAL, "out of memory");
			b->v = v;
			b->cap = cap;
		}
		b->n++;
	}
	b->v[j] = *t;
	return 0;
}

/* Reads the trades through the row validator and lifecycle rule of
 * qe-ingest: the live version of each trade, cancelled ones dropped. */
int settle_book_load(settle_book *b, const char *path, const char *markets, qe_err *e)
{
	int colmap[FMT_TR_N], rc = 0;
	csv_reader *r = csvr_open(path, e);
	b->path = path;
	if (!r)
		return e->code;
	int nh = csvr_ncols(r);
	csvscan_field *hdr = calloc((size_t)nh + 1, sizeof *hdr);
	if (!hdr) {
		csvr_close(r);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	for (int j = 0; j < nh; j++) {
		hdr[j].p = csvr_colname(r, j);
		hdr[j].len = strlen(hdr[j].p);
	}
	rc = schema_map_header(schema_get(FMT_TRADES), hdr, nh, colmap, NULL, path, 1, e);
	free(hdr);
	schema_markets *mk = rc ? NULL : schema_markets_load(markets, e);
	if (!mk) {
		csvr_close(r);
		return e->code;
	}
	schema_ctx ctx = {.s = schema_get(FMT_TRADES), .markets = mk, .colmap = schema_trades_identity};
	int nthr = omp_get_max_threads();
	strbuf *canon = calloc((size_t)nthr, sizeof *canon), *work = calloc((size_t)nthr, sizeof *work);
	csvblock k;
	book_rows w = {malloc(sizeof *w.t * BOOK_BLOCK), malloc(sizeof *w.life * BOOK_BLOCK),
		       malloc(sizeof *w.st * BOOK_BLOCK)};
	strindex *ids = sidx_new();
	if (csvblock_init(&k, FMT_TR_N, BOOK_BLOCK) || !ids || !canon || !work || !w.t || !w.life || !w.st)
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	while (!rc && k.st == CSVR_ROW) {
		if (csvblock_fill(&k, r, colmap)) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			break;
		}
		long n = (long)k.n;
#pragma omp parallel for schedule(dynamic, 64)
		for (long i = 0; i < n; i++) {
			int me = omp_get_thread_num();
			book_row(&k, (size_t)i, &w, &ctx, &canon[me], &work[me]);
		}
		for (size_t i = 0; !rc && i < k.n; i++)
			rc = w.st[i] ? book_row_error(&k, i, &w, &ctx, colmap, path, &canon[0], e)
				     : book_take(b, ids, &w.t[i], w.life[i], csvblock_line(&k, i), colmap, path, e);
	}
	if (!rc && k.st == CSVR_FATAL) {
		*e = k.err;
		rc = e->code;
	}
	sidx_free(ids);
	for (int i = 0; canon && work && i < nthr; i++) {
		strbuf_free(&canon[i]);
		strbuf_free(&work[i]);
	}
	free(canon);
	free(work);
	free(w.t);
	free(w.life);
	free(w.st);
	csvblock_free(&k);
	schema_markets_free(mk);
	csvr_close(r);
	return rc;
}

int settle_trade_volume(const settle_trade *t, const curvemaster_curve *cv, qe_date first,
			qe_date last, const char *path, double *out, qe_err *e)
{
	int shape = cv->shape, hourly = strcasecmp(cv->unit, "MWh") == 0;
	int lots = strcmp(t->unit, "lots") == 0;
	const qe_tz *tz = NULL;
	if (t->shape[0] && shape_parse(t->shape, strlen(t->shape), &shape))
		return qe_err_set(e, QE_DATA, "%s:%ld: trade %s: unknown shape '%s'", path, t->line,
				  t->id, t->shape);
	if (hourly && shape >= 0 && !(tz = tz_get(cv->timezone, e)))
		return qe_err_set(e, QE_DATA, "%s:%ld:%d: trade %s: %s", path, t->line, t->col_curve,
				  t->id, e->msg);
	if (strcmp(t->unit, "MW") == 0 || (lots && hourly)) {
		if (!tz)
			return qe_err_set(e, QE_DATA, "%s:%ld:%d: trade %s: unit %s needs an hourly curve with a shape",
					  path, t->line, t->col_curve, t->id, t->unit);
		int64_t h = shape_hours(shape, first, last, tz, e);
		if (h < 0)
			return e->code;
		*out = t->qty * (double)h * (lots ? cv->lot_size : 1.0);
		return 0;
	}
	if (strcmp(t->unit, "MMBtu/d") == 0) {
		*out = t->qty * (double)(last - first + 1);
		return 0;
	}
	double frac = (double)(last - first + 1) / (double)(t->de - t->ds + 1);
	if (tz && (first != t->ds || last != t->de)) {
		int64_t hp = shape_hours(shape, first, last, tz, e);
		int64_t ht = hp >= 0 ? shape_hours(shape, t->ds, t->de, tz, e) : -1;
		if (hp < 0 || ht < 0)
			return e->code;
		frac = ht > 0 ? (double)hp / (double)ht : 0.0;
	}
	*out = t->qty * (lots ? cv->lot_size : 1.0) * frac;
	return 0;
}

void settle_book_free(settle_book *b)
{
	free(b->v);
	memset(b, 0, sizeof *b);
}
