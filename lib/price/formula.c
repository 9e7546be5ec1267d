#include "price/formula.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/num.h"
#include "io/csvscan.h"
#include "ingest/schema.h"
#include "price/american.h"
#include "price/asian.h"
#include "price/black76.h"
#include "price/impliedvol.h"
#include "price/kirk.h"

enum fmodel { F_BLACK76, F_BACHELIER, F_KIRK, F_ASIAN, F_ASIAN_CURRAN, F_AMERICAN, F_BLACK76_IV,
	      F_BACHELIER_IV, F_NONE };

static const struct {
	const char *name;
	const char *const *in;   /* required columns, NULL-terminated */
	const char *const *opt;  /* optional columns */
	const char *const *out;  /* appended columns */
} models[] = {
	[F_BLACK76] = {"black76", (const char *const[]){"type", "forward", "strike", "vol", "rate", "expiry", NULL},
		       (const char *const[]){NULL},
		       (const char *const[]){"price", "delta", "gamma", "vega", "theta", NULL}},
	[F_BACHELIER] = {"bachelier", (const char *const[]){"type", "forward", "strike", "vol", "rate", "expiry", NULL},
			 (const char *const[]){NULL},
			 (const char *const[]){"price", "delta", "gamma", "vega", "theta", NULL}},
	[F_KIRK] = {"kirk", (const char *const[]){"type", "forward1", "forward2", "strike", "vol1", "vol2", "corr", "rate", "expiry", NULL},
		    (const char *const[]){"ratio", NULL}, (const char *const[]){"price", NULL}},
	[F_ASIAN] = {"asian", (const char *const[]){"type", "forward", "strike", "vol", "rate", "expiry", "avg_start", "avg_end", "fixings", NULL},
		     (const char *const[]){"past_fixings", "past_average", NULL}, (const char *const[]){"price", NULL}},
	[F_ASIAN_CURRAN] = {"asian-curran", (const char *const[]){"type", "forward", "strike", "vol", "rate", "expiry", "avg_start", "avg_end", "fixings", NULL},
			    (const char *const[]){"past_fixings", "past_average", NULL}, (const char *const[]){"price", NULL}},
	[F_AMERICAN] = {"american", (const char *const[]){"type", "spot", "strike", "vol", "rate", "carry", "expiry", NULL},
			(const char *const[]){NULL}, (const char *const[]){"price", NULL}},
	[F_BLACK76_IV] = {"black76-iv", (const char *const[]){"type", "forward", "strike", "rate", "expiry", "price", NULL},
			  (const char *const[]){NULL}, (const char *const[]){"vol", NULL}},
	[F_BACHELIER_IV] = {"bachelier-iv", (const char *const[]){"type", "forward", "strike", "rate", "expiry", "price", NULL},
			    (const char *const[]){NULL}, (const char *const[]){"vol", NULL}},
};

/* One data row of a block, as price_row() reads it: its fields (field c
 * is base[off[c], off[c] + len[c]), not NUL-terminated), its line and the
 * reader for the file name and the header. */
typedef struct frow {
	const csv_reader *r;
	const char *base;
	const size_t *off, *len; /* ncols entries */
	long line;
} frow;

static const char *fr_field(const frow *v, int col, size_t *len)
{
	if (col < 0 || col >= csvr_ncols(v->r)) {
		*len = 0;
		return "";
	}
	*len = v->len[col];
	return v->base + v->off[col];
}

static int fr_is_empty(const frow *v, int col)
{
	return col < 0 || v->len[col] == 0;
}

/* The message of csvr_field_error() for a row of a block. */
static int fr_field_error(const frow *v, int col, qe_err *e, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (col < 0 || col >= csvr_ncols(v->r))
		return qe_err_set(e, QE_DATA, "%s:%ld:%d: %s", csvr_name(v->r), v->line, col + 1, msg);
	return qe_err_set(e, QE_DATA, "%s:%ld:%d: column '%s': %s", csvr_name(v->r), v->line, col + 1,
			  csvr_colname(v->r, col), msg);
}

/* "why 'value'" for a field, the value shown up to max bytes (and, as
 * the NUL-terminated fields of csvio always were, up to a NUL byte). */
static int fr_value_error(const frow *v, int col, qe_err *e, const char *why, size_t max)
{
	size_t len;
	const char *s = fr_field(v, col, &len);
	return fr_field_error(v, col, e, "%s '%.*s'", why, (int)(len < max ? len : max), s);
}

/* csvr_get_double() for a row of a block. */
static int fr_get_double(const frow *v, int col, double *out, qe_err *e)
{
	size_t len;
	const char *s = fr_field(v, col, &len);
	int st = num_parse_double(s, len, out);
	if (st != NUM_OK)
		return fr_value_error(v, col, e, num_status_str(st), 64);
	return 0;
}

static int model_index(const char *name)
{
	for (int i = 0; i < F_NONE; i++)
		if (strcmp(models[i].name, name) == 0)
			return i;
	return F_NONE;
}

int formula_model_known(const char *name)
{
	return model_index(name) != F_NONE;
}

static int count(const char *const *v)
{
	int n = 0;
	while (v[n])
		n++;
	return n;
}

#define MAXCOL 16

/* The input column a model's domain error is about: the first candidate
 * column of the model whose value fails the test, else the first of the
 * model's candidates; -1 when the reason names no column. */
enum { T_ANY, T_NEG, T_NONPOS };
static const struct {
	const char *why;
	int test;
	const char *col[3];
} blames[] = {
	{"negative volatility", T_NEG, {"vol", "vol1", "vol2"}},
	{"negative time to expiry", T_NEG, {"expiry"}},
	{"Black-76 needs a positive forward", T_NONPOS, {"forward"}},
	{"Black-76 needs a positive strike", T_NONPOS, {"strike"}},
	{"correlation outside [-1, 1]", T_ANY, {"corr"}},
	{"Kirk needs positive forwards", T_NONPOS, {"forward1", "forward2"}},
	{"Kirk needs ratio * forward2 + strike > 0", T_ANY, {"strike"}},
	{"lognormal Asian models need a positive forward", T_NONPOS, {"forward"}},
	{"strike must be positive", T_NONPOS, {"strike"}},
	{"spot and strike must be positive", T_NONPOS, {"spot", "strike"}},
	{"need 0 <= past fixings <= fixings and at least one fixing", T_ANY, {"fixings"}},
	{"future fixing times must be >= 0 and ascending", T_ANY, {"avg_start"}},
	{"a fixing lies after the expiry", T_ANY, {"avg_end"}},
	{"averaging ends before it starts", T_ANY, {"avg_end"}},
	{"a fixing counted as past lies after today", T_ANY, {"past_fixings"}},
	{"a future fixing lies before today (past_fixings too small)", T_ANY, {"past_fixings"}},
	{"Bjerksund-Stensland not applicable (negative rate)", T_ANY, {"rate"}},
	{"price below the discounted intrinsic value", T_ANY, {"price"}},
	{"price at or above the no-arbitrage upper bound", T_ANY, {"price"}},
	{"price outside the no-arbitrage bounds", T_ANY, {"price"}},
	{"time value at zero expiry", T_ANY, {"price"}},
};

static int blame(int mi, const char *why, const int *idx, const double *x)
{
	for (size_t b = 0; b < sizeof blames / sizeof blames[0]; b++) {
		if (strcmp(blames[b].why, why) != 0)
			continue;
		int first = -1;
		for (int k = 0; k < 3 && blames[b].col[k]; k++)
			for (int i = 1; models[mi].in[i]; i++) {
				if (strcmp(models[mi].in[i], blames[b].col[k]) != 0)
					continue;
				if (first < 0)
					first = idx[i];
				if (blames[b].test == T_ANY || (blames[b].test == T_NEG && x[i] < 0) ||
				    (blames[b].test == T_NONPOS && !(x[i] > 0)))
					return idx[i];
			}
		return first;
	}
	return -1;
}

/* What a run prices, fixed before the first row: the model, its options,
 * the input columns of its required (idx) and optional (opt) inputs, and
 * which inputs get the percentage-typo check. */
enum { P_NONE, P_RATE, P_LOGVOL };
typedef struct fjob {
	int mi, nin;
	const formula_opts *o;
	int idx[MAXCOL], opt[MAXCOL];
	char plaus[MAXCOL];
} fjob;

/* A pricing thread's scratch: the fields of the row it prices (offsets
 * and lengths), and the fixing times of an Asian row. */
typedef struct fscratch {
	size_t *off, *len;
	double *t;
	size_t tcap;
} fscratch;

/* The percentage-typo check of qe-ingest on the row's vols (lognormal
 * models only: a Bachelier vol is in price units) and rates: the kind of
 * check of each input column. */
static void job_plausible_init(fjob *j)
{
	for (int i = 0; i < MAXCOL; i++)
		j->plaus[i] = P_NONE;
	for (int i = 1; models[j->mi].in[i]; i++) {
		const char *col = models[j->mi].in[i];
		if (strcmp(col, "rate") == 0 || strcmp(col, "carry") == 0)
			j->plaus[i] = P_RATE;
		else if (j->mi != F_BACHELIER && strncmp(col, "vol", 3) == 0)
			j->plaus[i] = P_LOGVOL;
	}
}

/* 0, or QE_DATA with e naming file:line:col, the column and the value. */
static int check_plausible(const fjob *j, const frow *r, const double *x, qe_err *e)
{
	for (int i = 1; i < j->nin; i++) {
		const char *why = NULL;
		if (j->plaus[i] == P_RATE)
			why = schema_rate_implausible(x[i]);
		else if (j->plaus[i] == P_LOGVOL)
			why = schema_lognormal_vol_implausible(x[i]);
		if (why)
			return fr_value_error(r, j->idx[i], e, why, (size_t)-1);
	}
	return QE_OK;
}

/* Prices the current row into res (*nres values): 0, or an error code
 * with e naming file:line:col, the column and the value. */
static int price_row(const fjob *j, const frow *r, fscratch *sc, double *res, int *nres, qe_err *e)
{
	const int mi = j->mi, *idx = j->idx, *opt = j->opt;
	size_t tlen;
	const char *ts = fr_field(r, idx[0], &tlen);
	int type = opt_type_parse_n(ts, tlen);
	if (!type)
		return fr_value_error(r, idx[0], e, "expected call or put", (size_t)-1);
	double x[MAXCOL];
	for (int i = 1; i < j->nin; i++)
		if (fr_get_double(r, idx[i], &x[i], e))
			return e->code;
	if (!j->o->allow_implausible && check_plausible(j, r, x, e))
		return e->code;
	const char *why = NULL;
	int ms = OPT_OK;
	opt_greeks g;
	*nres = 1;
	switch (mi) {
	case F_BLACK76:
	case F_BACHELIER:
		ms = (mi == F_BLACK76 ? black76 : bachelier)(type, x[1], x[2], x[3], x[4], x[5], &g, &why);
		res[0] = g.price, res[1] = g.delta, res[2] = g.gamma, res[3] = g.vega, res[4] = g.theta;
		*nres = 5;
		break;
	case F_KIRK: {
		double ratio = 1.0;
		if (opt[0] >= 0 && !fr_is_empty(r, opt[0]) && fr_get_double(r, opt[0], &ratio, e))
			return e->code;
		ms = kirk_price(type, x[1], x[2], x[3], x[4], x[5], x[6], ratio, x[7], x[8], &res[0], &why);
		break;
	}
	case F_ASIAN:
	case F_ASIAN_CURRAN: {
		double nf = x[8], pf = 0, pa = 0;
		if (nf != floor(nf) || nf < 1 || nf > 100000)
			return fr_value_error(r, idx[8], e, "expected a whole number from 1 to 100000",
					      (size_t)-1);
		if (opt[0] >= 0 && !fr_is_empty(r, opt[0])) {
			if (fr_get_double(r, opt[0], &pf, e))
				return e->code;
			if (pf != floor(pf) || pf < 0 || pf > nf)
				return fr_value_error(r, opt[0], e, "expected a whole number from 0 to fixings",
						      (size_t)-1);
		}
		if (pf > 0) {
			if (opt[1] < 0)
				return fr_field_error(r, opt[0], e, "past_fixings > 0 needs a past_average column");
			if (fr_get_double(r, opt[1], &pa, e))
				return e->code;
		}
		int n = (int)nf, m = (int)pf;
		if (sc->tcap < (size_t)n) {
			double *t = realloc(sc->t, sizeof *t * (size_t)n);
			if (!t)
				return qe_err_set(e, QE_INTERNAL, "out of memory");
			sc->t = t;
			sc->tcap = (size_t)n;
		}
		ms = asian_grid(x[6], x[7], n, m, sc->t, &why);
		if (!ms)
			ms = asian_price(mi == F_ASIAN ? ASIAN_TW : ASIAN_CURRAN, type, x[1], x[2], x[3],
					 x[4], x[5], n, m, pa, sc->t, &res[0], &why);
		break;
	}
	case F_BLACK76_IV:
	case F_BACHELIER_IV:
		ms = (mi == F_BLACK76_IV ? iv_black76 : iv_bachelier)(type, x[1], x[2], x[3], x[4], x[5], &res[0], &why);
		break;
	case F_AMERICAN:
		ms = american_price(j->o->amer_method, type, x[1], x[2], x[3], x[4], x[5], x[6], &res[0], &why);
		break;
	}
	if (!ms) {
		/* an overflow (rate -1000: exp(750) = inf) is a failure of the
		 * row, never a value written */
		for (int i = 0; i < *nres; i++)
			if (!isfinite(res[i]))
				return qe_err_set(e, QE_NUMERIC, "%s:%ld:1: %s: non-finite %s '%s'",
						  csvr_name(r->r), r->line, models[mi].name,
						  models[mi].out[i],
						  isnan(res[i]) ? "nan" : res[i] > 0 ? "inf" : "-inf");
		return QE_OK;
	}
	int col = ms == OPT_EDOMAIN ? blame(mi, why, idx, x) : -1;
	if (col >= 0)
		return fr_value_error(r, col, e, why, (size_t)-1);
	return qe_err_set(e, ms == OPT_EDOMAIN ? QE_DATA : QE_NUMERIC, "%s:%ld:1: %s: %s", csvr_name(r->r),
			  r->line, models[mi].name, why);
}

/* A block of rows read serially and priced in parallel.  Rows are
 * priced in chunks of FCHUNK consecutive rows; a chunk's printed rows go
 * to the chunk's own buffer, so that the block's output is its chunks'
 * buffers in order, written while the next block is priced. */
#define FBLOCK_ROWS 8192
#define FCHUNK 128
#define FNCHUNK (FBLOCK_ROWS / FCHUNK)

typedef struct fblock {
	int ncols, n;
	long *line;
	qe_err **err;    /* per row: NULL, or why the row is bad */
	size_t *off, *len; /* n * ncols */
	strbuf arena;    /* the fields, each NUL-terminated */
	/* raw rows (the fast path): row i is text[rstart[i], rstart[i + 1]),
	 * its line end included, split into fields by the thread pricing it */
	int raw;
	strbuf text;
	size_t *rstart;  /* FBLOCK_ROWS + 1 entries */
	strbuf out[FNCHUNK];
	/* filled by the reader */
	int rc, eof;
	qe_err e;
} fblock;

/* The fast reader's state: input bytes read but not yet in a block (the
 * start of a row cut by a read), the line they start on, and whether the
 * rest of the input goes to csvr_next() (slow). */
typedef struct fraw {
	strbuf carry;
	long line;
	int eof, slow;
} fraw;

/* Bytes read from the stream at a time by the fast reader. */
#define FRAW_READ (256 * 1024)

static int fblock_init(fblock *b, int ncols, qe_err *e)
{
	memset(b, 0, sizeof *b);
	b->ncols = ncols;
	b->line = malloc(sizeof *b->line * FBLOCK_ROWS);
	b->err = calloc(FBLOCK_ROWS, sizeof *b->err);
	b->off = malloc(sizeof *b->off * FBLOCK_ROWS * (size_t)ncols);
	b->len = malloc(sizeof *b->len * FBLOCK_ROWS * (size_t)ncols);
	b->rstart = malloc(sizeof *b->rstart * (FBLOCK_ROWS + 1));
	if (!b->line || !b->err || !b->off || !b->len || !b->rstart)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	return QE_OK;
}

static void fblock_clear(fblock *b)
{
	for (int i = 0; i < b->n; i++) {
		free(b->err[i]);
		b->err[i] = NULL;
	}
	b->n = 0;
	b->arena.len = 0;
	b->text.len = 0;
	b->raw = 0;
}

static void fblock_free(fblock *b)
{
	if (b->err)
		fblock_clear(b);
	free(b->line);
	free(b->err);
	free(b->off);
	free(b->len);
	free(b->rstart);
	strbuf_free(&b->arena);
	strbuf_free(&b->text);
	for (int c = 0; c < FNCHUNK; c++)
		strbuf_free(&b->out[c]);
}

static void fblock_fill(fblock *b, csv_reader *r);

/* The fast reader: fills b with up to FBLOCK_ROWS raw rows, each a line
 * of text (blank lines skipped, as csvio does).  Lines are found with
 * memchr alone; the fields are split by the pricing threads.  A line with
 * a double quote (a quoted field may hold line ends, so lines are no
 * longer rows) or longer than CSV_FIELD_MAX (the field limit) is handed
 * back to the csv_reader with everything after it, and the rest of the
 * input is read by csvr_next() (fblock_fill): its rules, its messages. */
int formula_lines_fill(formula_lines *L, csv_reader *r, qe_err *e)
{
	strbuf *t = L->text;
	int rc = 0;
	L->n = 0;
	if (strbuf_room(t, L->carry->len + FRAW_READ))
		goto oom;
	if (L->carry->len)
		memcpy(t->p, L->carry->p, L->carry->len);
	t->len = L->carry->len;
	L->carry->len = 0;
	size_t pos = 0;
	while (L->n < L->max) {
		char *nl = memchr(t->p + pos, '\n', t->len - pos);
		if (!nl && !L->eof && t->len - pos <= CSV_FIELD_MAX) {
			if (strbuf_room(t, FRAW_READ))
				goto oom;
			long got = csvr_raw_read(r, t->p + t->len, FRAW_READ, e);
			if (got == -1) {
				rc = e->code;
				break;
			}
			if (got == 0)
				L->eof = 1;
			t->len += (size_t)got;
			continue;
		}
		size_t next = nl ? (size_t)(nl - t->p) + 1 : t->len;
		if (next == pos)
			break; /* end of input */
		if (next - pos > CSV_FIELD_MAX || memchr(t->p + pos, '"', next - pos)) {
			if (csvr_raw_unread(r, t->p + pos, t->len - pos, L->next_line))
				goto oom;
			t->len = pos;
			L->slow = 1;
			break;
		}
		size_t body = next - pos - (nl ? 1 : 0);
		if (nl && (body == 0 || (body == 1 && t->p[pos] == '\r'))) {
			L->next_line++;
			pos = next;
			continue; /* blank line */
		}
		L->start[L->n] = pos; /* a row ends at its first '\n' (csvscan) */
		L->line[L->n++] = L->next_line++;
		pos = next;
	}
	L->start[L->n] = pos;
	if (!L->slow && pos < t->len) {
		strbuf_put(L->carry, t->p + pos, t->len - pos);
		if (L->carry->oom)
			goto oom;
	}
	return rc;
oom:
	return qe_err_set(e, QE_INTERNAL, "%s: out of memory", csvr_name(r));
}

/* The fast reader: fills b with up to FBLOCK_ROWS raw rows
 * (formula_lines_fill); the fields are split by the pricing threads. */
static void fblock_fill_raw(fblock *b, csv_reader *r, fraw *st)
{
	fblock_clear(b);
	b->rc = QE_OK;
	b->raw = 1;
	formula_lines L = {&b->text, &st->carry, b->rstart, b->line, 0, FBLOCK_ROWS, st->line,
			   st->eof, st->slow};
	b->rc = formula_lines_fill(&L, r, &b->e);
	b->n = (int)L.n;
	st->line = L.next_line;
	st->eof = L.eof;
	st->slow = L.slow;
	if (b->rc)
		return;
	b->eof = st->eof && !st->slow && st->carry.len == 0;
	if (st->slow && b->n == 0)
		fblock_fill(b, r); /* handed over before any row: this block too */
}

/* Reads up to FBLOCK_ROWS records into b, b->eof set at the end of input.
 * A malformed record keeps its error and no fields.  b->rc is 0, or the
 * reader's fatal error (or QE_INTERNAL) with b->e filled. */
static void fblock_fill(fblock *b, csv_reader *r)
{
	fblock_clear(b);
	b->rc = QE_OK;
	while (b->n < FBLOCK_ROWS) {
		int st = csvr_next(r, &b->e);
		if (st == CSVR_EOF) {
			b->eof = 1;
			break;
		}
		if (st == CSVR_FATAL) {
			b->rc = b->e.code;
			return;
		}
		int i = b->n++;
		b->line[i] = csvr_line(r);
		if (st == CSVR_BADROW) {
			if (!(b->err[i] = malloc(sizeof *b->err[i]))) {
				b->rc = qe_err_set(&b->e, QE_INTERNAL, "out of memory");
				return;
			}
			*b->err[i] = b->e;
			continue;
		}
		size_t *off = b->off + (size_t)i * (size_t)b->ncols, *len = b->len + (size_t)i * (size_t)b->ncols;
		for (int c = 0; c < b->ncols; c++) {
			const char *f = csvr_field(r, c, &len[c]);
			off[c] = b->arena.len;
			strbuf_put(&b->arena, f, len[c]);
			strbuf_put(&b->arena, "", 1);
		}
		if (b->arena.oom) {
			b->rc = qe_err_set(&b->e, QE_INTERNAL, "%s: out of memory", csvr_name(r));
			return;
		}
	}
}

/* 1 when one of the 8 bytes v is a ',', '\n' or '\r': a byte of v ^ c
 * is 0 where v holds c, and (x - 0x01..) & ~x & 0x80.. is nonzero iff x
 * has a zero byte. */
static inline int fsplit_has_special(uint64_t v)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
	uint64_t a = v ^ (ones * ','), b = v ^ (ones * '\n'), c = v ^ (ones * '\r');
	return (((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c)) & highs ? 1 : 0;
}

/* Splits raw row i of b into fields in sc, pointing into b->text: a row
 * of the fast reader holds no quote, so its fields are the text between
 * commas, the last one ending before the row's "\n" or "\r\n" (at the
 * end of input with no line end, before nothing: csvscan's rules, which
 * are csvio's).  Sets *body to the row's length without its line end and
 * *plain to 1 when it holds no '\r', i.e. when printing its fields as CSV
 * gives the same bytes back.  0, or QE_DATA with e saying what
 * csvr_next() says of a row with the wrong number of fields. */
static int fblock_split(const fblock *b, int i, const csv_reader *r, fscratch *sc, size_t *body,
			int *plain, qe_err *e)
{
	size_t start = b->rstart[i], n = b->rstart[i + 1] - start, k;
	const char *p = b->text.p + start;
	int nf = 0, ncols = b->ncols;
	size_t f0 = 0, ncr = 0;
	/* a row ends at its first '\n' (blank lines after it are in its span) */
	for (k = 0; k < n; k++) {
		/* skip 8 bytes at a time while none is a ',', '\n' or '\r' */
		while (k + 8 <= n) {
			uint64_t v;
			memcpy(&v, p + k, 8);
			if (fsplit_has_special(v))
				break;
			k += 8;
		}
		if (k == n)
			break;
		char ch = p[k];
		if (ch == ',') {
			if (nf < ncols) {
				sc->off[nf] = start + f0;
				sc->len[nf] = k - f0;
			}
			nf++;
			f0 = k + 1;
		} else if (ch == '\n') {
			break;
		} else if (ch == '\r') {
			ncr++;
		}
	}
	if (k < n && k > f0 && p[k - 1] == '\r') {
		k--; /* CRLF */
		ncr--;
	}
	if (nf < ncols) {
		sc->off[nf] = start + f0;
		sc->len[nf] = k - f0;
	}
	nf++;
	*body = k;
	*plain = ncr == 0;
	if (nf != ncols) {
		int col = nf < ncols ? nf + 1 : ncols + 1;
		return qe_err_set(e, QE_DATA, "%s:%ld:%d: expected %d fields, found %d", csvr_name(r),
				  b->line[i], col, ncols, nf);
	}
	return 0;
}

/* Keeps row i's error (a copy of e) in b: 0, or -1 when out of memory. */
static int fblock_row_bad(fblock *b, int i, const qe_err *e)
{
	if (!(b->err[i] = malloc(sizeof *e)))
		return -1;
	*b->err[i] = *e;
	return 0;
}

/* Prices row i of b and prints it with its results into w; a row that
 * fails gets its error in b->err (0), -1 when out of memory. */
static int fblock_row(fblock *b, int i, const fjob *j, const csv_reader *r, strbuf *w, fscratch *sc)
{
	if (b->err[i])
		return 0;
	frow v = {r, b->arena.p, b->off + (size_t)i * (size_t)b->ncols,
		  b->len + (size_t)i * (size_t)b->ncols, b->line[i]};
	size_t body = 0;
	int plain = 0;
	qe_err e;
	if (b->raw) {
		if (fblock_split(b, i, r, sc, &body, &plain, &e))
			return fblock_row_bad(b, i, &e);
		v.base = b->text.p;
		v.off = sc->off;
		v.len = sc->len;
	}
	double res[5];
	int nres = 0;
	if (price_row(j, &v, sc, res, &nres, &e))
		return fblock_row_bad(b, i, &e);
	if (plain) {
		/* the fields and their commas are the row's text */
		if (strbuf_room(w, body + (size_t)nres * (NUM_BUFSZ + 1) + 1))
			return -1;
		memcpy(w->p + w->len, b->text.p + b->rstart[i], body);
		w->len += body;
	} else {
		for (int c = 0; c < b->ncols; c++) {
			if (c)
				strbuf_put(w, ",", 1);
			strbuf_put_field(w, v.base + v.off[c], v.len[c]);
		}
		if (strbuf_room(w, (size_t)nres * (NUM_BUFSZ + 1) + 1))
			return -1;
	}
	char *p = w->p + w->len;
	for (int k = 0; k < nres; k++) {
		*p++ = ',';
		p += num_format_double(p, res[k]);
	}
	*p++ = '\n';
	w->len = (size_t)(p - w->p);
	return 0;
}

/* The first row of b whose failure stops the run (out of memory while
 * pricing it), or b->n. */
static int fblock_fatal_row(const fblock *b)
{
	for (int i = 0; i < b->n; i++)
		if (b->err[i] && b->err[i]->code == QE_INTERNAL)
			return i;
	return b->n;
}

/* Writes b's output, its chunks in row order; nothing when a row's
 * failure stops the run. */
static void fblock_write(const fblock *b, FILE *out)
{
	if (fblock_fatal_row(b) < b->n)
		return;
	for (int c = 0; c < FNCHUNK && c * FCHUNK < b->n; c++)
		if (b->out[c].len)
			fwrite(b->out[c].p, 1, b->out[c].len, out);
}

/* Reports b's bad rows in file order, up to one whose failure stops the
 * run; then the reader's error that ended b, if any.  Returns 0 or the
 * code that stops the run, with e filled. */
static int fblock_report(const fblock *b, formula_report_fn report, void *ctx, long *nbad, int *worst,
			 qe_err *e)
{
	for (int i = 0; i < b->n; i++) {
		if (!b->err[i])
			continue;
		if (b->err[i]->code == QE_INTERNAL) {
			*e = *b->err[i];
			return QE_INTERNAL;
		}
		(*nbad)++;
		if (report)
			report(ctx, b->err[i]);
		if (*worst != QE_DATA)
			*worst = b->err[i]->code;
	}
	if (b->rc) {
		*e = b->e;
		return b->rc;
	}
	return QE_OK;
}

int formula_run(const char *model, const formula_opts *o, csv_reader *r, FILE *out,
		formula_report_fn report, void *ctx, long *nbad, qe_err *e)
{
	fjob job = {.mi = model_index(model), .o = o};
	int mi = job.mi;
	if (mi == F_NONE)
		return qe_err_set(e, QE_USAGE, "unknown model '%s'", model);
	job.nin = count(models[mi].in);
	int nopt = count(models[mi].opt);
	if (csvr_require(r, models[mi].in, job.nin, job.idx, e))
		return e->code;
	for (int i = 0; i < nopt; i++)
		job.opt[i] = csvr_col(r, models[mi].opt[i]);
	for (int i = 0; models[mi].out[i]; i++)
		if (csvr_col(r, models[mi].out[i]) >= 0)
			return qe_err_set(e, QE_DATA, "%s: input already has a column '%s'",
					  csvr_name(r), models[mi].out[i]);
	job_plausible_init(&job);

	csv_writer w;
	csvw_init(&w, out);
	for (int c = 0; c < csvr_ncols(r); c++)
		csvw_str(&w, csvr_colname(r, c));
	for (int i = 0; models[mi].out[i]; i++)
		csvw_str(&w, models[mi].out[i]);
	csvw_end(&w);

	/* A pipeline of three blocks: while the threads price block k (in
	 * chunks of rows, each printed into the chunk's buffer), one thread
	 * reads block k + 1 and another writes block k - 1 (its chunks in
	 * order); the calling thread then reports block k - 1's bad rows in
	 * file order, so the output and the messages are the same for any
	 * number of threads.  The reader only finds line ends
	 * (fblock_fill_raw); splitting the fields and parsing the numbers is
	 * done by the thread that prices the row.  A bad row is reported and
	 * skipped; the worst code is returned. */
	int worst = QE_OK, rc = QE_OK, nthr = 1;
#ifdef _OPENMP
	nthr = omp_get_max_threads();
#endif
	*nbad = 0;
	fblock blk[3];
	fraw st = {.line = 0};
	fscratch *scr = calloc((size_t)nthr, sizeof *scr);
	int oom = !scr, ncols = csvr_ncols(r);
	memset(blk, 0, sizeof blk);
	for (int t = 0; !oom && t < nthr; t++) {
		scr[t].off = malloc(sizeof *scr[t].off * (size_t)ncols);
		scr[t].len = malloc(sizeof *scr[t].len * (size_t)ncols);
		oom = !scr[t].off || !scr[t].len;
	}
	for (int k = 0; k < 3 && !oom; k++)
		oom = fblock_init(&blk[k], ncols, e) != QE_OK;
	if (oom) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	/* the first line after the header; a reader holding part of a record
	 * (never, after a header) keeps every row to csvr_next() */
	st.line = csvr_raw_line(r);
	fblock *prev = NULL, *cur = &blk[0], *next = &blk[1], *spare = &blk[2];
	{
		long got = csvr_raw_read(r, NULL, 0, e);
		st.slow = got == -2;
	}
	if (st.slow)
		fblock_fill(cur, r);
	else
		fblock_fill_raw(cur, r, &st);
	while (cur || prev) {
		if (cur && cur->n == 0 && !cur->rc)
			cur = NULL; /* end of input */
		if (!cur && !prev)
			break;
		int more = cur && !cur->eof && !cur->rc;
		int nch = cur ? (cur->n + FCHUNK - 1) / FCHUNK : 0;
		for (int c = 0; c < nch; c++)
			cur->out[c].len = 0;
#pragma omp parallel num_threads(nthr)
		{
#pragma omp single nowait
			if (more) {
				if (st.slow)
					fblock_fill(next, r);
				else
					fblock_fill_raw(next, r, &st);
			}
#pragma omp single nowait
			if (prev)
				fblock_write(prev, out);
			int t = 0;
#ifdef _OPENMP
			t = omp_get_thread_num();
#endif
#pragma omp for schedule(dynamic, 1)
			for (int c = 0; c < nch; c++) {
				int end = (c + 1) * FCHUNK < cur->n ? (c + 1) * FCHUNK : cur->n;
				for (int i = c * FCHUNK; i < end; i++)
					if (fblock_row(cur, i, &job, r, &cur->out[c], &scr[t]))
						cur->out[c].oom = 1;
			}
		}
		for (int c = 0; c < nch; c++)
			if (cur->out[c].oom)
				oom = 1;
		if (prev && (rc = fblock_report(prev, report, ctx, nbad, &worst, e)))
			break;
		if (oom) {
			rc = qe_err_set(e, QE_INTERNAL, "%s: out of memory", csvr_name(r));
			break;
		}
		/* block k - 1's buffers take block k + 2 */
		fblock *done_blk = prev ? prev : spare;
		prev = cur;
		if (more) {
			cur = next;
			next = done_blk;
		} else {
			/* the last block: written and reported alone */
			cur = NULL;
			if (prev) {
				fblock_write(prev, out);
				rc = fblock_report(prev, report, ctx, nbad, &worst, e);
			}
			break;
		}
		spare = NULL;
	}
done:
	for (int k = 0; k < 3; k++)
		fblock_free(&blk[k]);
	for (int t = 0; scr && t < nthr; t++) {
		free(scr[t].off);
		free(scr[t].len);
		free(scr[t].t);
	}
	free(scr);
	strbuf_free(&st.carry);
	if (rc)
		return rc;
	if (worst)
		qe_err_set(e, worst, "%s: %ld bad row%s not priced", csvr_name(r), *nbad,
			   *nbad == 1 ? "" : "s");
	return worst;
}
