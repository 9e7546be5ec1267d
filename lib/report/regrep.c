#include "report/regrep.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lei.h"
#include "core/regid.h"
#include "core/strindex.h"
#include "ingest/schema.h"
#include "io/formats.h"
#include "market/curvemaster.h"
#include "screen/rtable.h"
#include "screen/live.h"
#include "screen/optdelta.h"
#include "time/period.h"
#include "time/tz.h"

enum {
	RT_ID, RT_VERSION, RT_STATUS, RT_BOOK, RT_TRADER, RT_CPTY, RT_INSTR, RT_CURVE, RT_SIDE, RT_QTY, RT_UNIT,
	RT_PRICE, RT_CCY, RT_DSTART, RT_DEND, RT_SHAPE, RT_OTYPE, RT_STRIKE, RT_EXPIRY, RT_UTI, RT_VENUE, RT_EXEC,
	RT_NCOLS
};
static const char *const trade_cols[RT_NCOLS] = {
	"trade_id", "version", "status", "book", "trader", "counterparty", "instrument", "curve",
	"side", "quantity", "unit", "price", "currency", "delivery_start", "delivery_end", "shape",
	"option_type", "strike", "expiry", "uti", "venue", "exec_time",
};
/* the report fields are required for remit, not for cot */
static const int remit_optional[RT_NCOLS] = {[RT_SHAPE] = 1, [RT_OTYPE] = 1, [RT_STRIKE] = 1, [RT_EXPIRY] = 1};
static const int cot_optional[RT_NCOLS] = {[RT_BOOK] = 1,  [RT_TRADER] = 1, [RT_PRICE] = 1, [RT_CCY] = 1,
					   [RT_SHAPE] = 1, [RT_OTYPE] = 1,  [RT_STRIKE] = 1, [RT_EXPIRY] = 1,
					   [RT_UTI] = 1,   [RT_VENUE] = 1,  [RT_EXEC] = 1};

/* The size of one lot of curve c over [a, b] in the curve's unit into
 * *lot: lot_size, on a curve per MWh with a shape (sh, "" for the
 * curve's) lot_size MW over the shape's hours in the curve's zone, their
 * number into *hours (-1 on other curves).  NULL, or why not (into buf); *col
 * the trade column at fault. */
static const char *curve_lot(const curvemaster_curve *c, const char *sh, qe_date a, qe_date b, double *lot,
			     int64_t *hours, int *col, char *buf, size_t cap, qe_err *e)
{
	int shape = c->shape;
	*col = RT_SHAPE;
	if (*sh && shape_parse(sh, strlen(sh), &shape))
		return snprintf(buf, cap, "not a shape"), buf;
	*hours = -1;
	if (strcmp(c->unit, "MWh") == 0 && shape >= 0) {
		const qe_tz *tz = tz_get(c->timezone, e);
		if (!tz || (*hours = shape_hours(shape, a, b, tz, e)) < 0)
			return snprintf(buf, cap, "hours of the shape in zone '%s': %s", c->timezone, e->msg), buf;
	}
	*lot = c->lot_size * (*hours >= 0 ? (double)*hours : 1.0);
	return NULL;
}

/* Why row i cannot be counted (into buf, *col the column), or NULL with
 * *total the quantity in the curve's unit and *lot the size of one lot of
 * the curve over the trade's delivery period. */
static const char *trade_total(const rtable *t, size_t i, const curvemaster_curve *c, double *total, double *lot,
			       int *col, char *buf, size_t cap, qe_err *e)
{
	const char *unit = rtable_get(t, i, RT_UNIT), *why;
	qe_date a, b;
	double q;
	*col = RT_QTY;
	if (rtable_num(t, i, RT_QTY, 0, &q, e) || !(q > 0))
		return snprintf(buf, cap, "not a quantity > 0"), buf;
	*col = RT_DSTART;
	if (date_parse_z(rtable_get(t, i, RT_DSTART), &a) || date_parse_z(rtable_get(t, i, RT_DEND), &b) || b < a)
		return snprintf(buf, cap, "no delivery period (delivery_start <= delivery_end)"), buf;
	int64_t hours;
	if ((why = curve_lot(c, rtable_get(t, i, RT_SHAPE), a, b, lot, &hours, col, buf, cap, e)))
		return why;
	*col = RT_UNIT;
	if (strcmp(unit, "lots") == 0) {
		if (!(c->lot_size > 0))
			return snprintf(buf, cap, "curve %s has no lot_size", c->name), buf;
		*total = q * *lot;
	} else if (strcmp(unit, "MW") == 0 && hours >= 0) {
		*total = q * (double)hours;
	} else if (strcmp(unit, "MMBtu/d") == 0 && strcmp(c->unit, "MMBtu") == 0) {
		*total = q * (double)(b - a + 1);
	} else if (strcmp(unit, c->unit) == 0) {
		*total = q;
	} else {
		return snprintf(buf, cap, "neither lots nor a unit of curve %s (%s)", c->name, c->unit), buf;
	}
	return NULL;
}

/* --- remit ---------------------------------------------------------------- */

enum { CP_ID, CP_LEI, CP_CATEGORY, CP_NCOLS };
static const char *const cpty_cols[CP_NCOLS] = {"counterparty", "lei", "category"};

typedef struct remit_state {
	strindex *ids;
	int *state;     /* enum schema_trade_state */
	int64_t *live;  /* live version */
	size_t *first;  /* row of version 1 (its UTI and exec_time) */
} remit_state;

static int reject(csv_writer *rej, const rtable *t, size_t i, int col, const char *value, long *n,
		  const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static int reject(csv_writer *rej, const rtable *t, size_t i, int col, const char *value, long *n,
		  const char *fmt, ...)
{
	(*n)++;
	if (!rej)
		return 1;
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	csvw_str(rej, rtable_get(t, i, RT_ID));
	csvw_str(rej, rtable_get(t, i, RT_VERSION));
	csvw_int(rej, t->line[i]);
	csvw_str(rej, col >= 0 ? trade_cols[col] : "");
	csvw_str(rej, value ? value : "");
	csvw_str(rej, why);
	csvw_end(rej);
	return 1;
}

/* The lifecycle of row i: its enum lifecycle in *life, or a reject. */
static int remit_lifecycle(const rtable *t, size_t i, remit_state *st, int *life, csv_writer *rej, long *nrej,
			   qe_err *e)
{
	const char *id = rtable_get(t, i, RT_ID), *status = rtable_get(t, i, RT_STATUS);
	double v;
	if (rtable_num(t, i, RT_VERSION, 0, &v, e) || v != floor(v) || v < 1 || v > 2147483647)
		return reject(rej, t, i, RT_VERSION, rtable_get(t, i, RT_VERSION), nrej, "not a version >= 1");
	*life = !strcmp(status, "new") ? LIFE_NEW : !strcmp(status, "amend") ? LIFE_AMEND
						 : !strcmp(status, "cancel") ? LIFE_CANCEL : LIFE_NONE;
	if (*life == LIFE_NONE)
		return reject(rej, t, i, RT_STATUS, status, nrej, "status is new, amend or cancel");
	int added;
	long k = sidx_add(st->ids, id, strlen(id), &added);
	if (k < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory"), -1;
	if (added) {
		st->state[k] = TRADE_UNKNOWN;
		st->live[k] = 0;
	}
	char buf[200];
	int col;
	const char *why = schema_lifecycle_check(st->state[k], st->live[k], *life, (int64_t)v, buf, sizeof buf, &col);
	if (why)
		return reject(rej, t, i, col == FMT_TR_VERSION ? RT_VERSION : RT_ID,
			      rtable_get(t, i, col == FMT_TR_VERSION ? RT_VERSION : RT_ID), nrej, "%s", why);
	if (*life == LIFE_NEW)
		st->first[k] = i;
	st->state[k] = *life == LIFE_CANCEL ? TRADE_CANCELLED : TRADE_LIVE;
	st->live[k] = (int64_t)v;
	return 0;
}

static void put_strs(csv_writer *w, const char *const *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		csvw_str(w, s[k]);
}

/* One version: its row in w, or a reject; -1 with e set on failure. */
static int remit_row(const regrep_inputs *in, const rtable *t, size_t i, const rtable *cp, const strindex *cpix,
		     const curvemaster *m, remit_state *st, csv_writer *w, csv_writer *rej, long *nrej, qe_err *e)
{
	int life = LIFE_NONE, col;
	int rc = remit_lifecycle(t, i, st, &life, rej, nrej, e);
	if (rc)
		return rc < 0 ? -1 : 0;
	const char *id = rtable_get(t, i, RT_ID), *cpty = rtable_get(t, i, RT_CPTY), *v;
	size_t first = st->first[sidx_find(st->ids, id, strlen(id))];
	char buf[256];
	const char *why;
	long c = sidx_find(cpix, cpty, strlen(cpty));
	if (c < 0)
		return reject(rej, t, i, RT_CPTY, cpty, nrej, "counterparty not in %s", cp->file), 0;
	const char *lei = rtable_get(cp, (size_t)c, CP_LEI);
	if ((why = lei_reason(lei, strlen(lei), buf, sizeof buf)))
		return reject(rej, t, i, RT_CPTY, cpty, nrej, "its LEI '%s' cannot be reported: %s", lei, why), 0;
	v = rtable_get(t, i, RT_UTI);
	if ((why = regid_uti_reason(v, strlen(v), buf, sizeof buf)))
		return reject(rej, t, i, RT_UTI, v, nrej, "not a UTI (ISO 23897): %s", why), 0;
	if (strcmp(v, rtable_get(t, first, RT_UTI)) != 0)
		return reject(rej, t, i, RT_UTI, v, nrej, "the UTI of version 1 (line %ld) is %s: a UTI never changes",
			      t->line[first], rtable_get(t, first, RT_UTI)), 0;
	v = rtable_get(t, i, RT_VENUE);
	if ((why = regid_mic_reason(v, strlen(v))))
		return reject(rej, t, i, RT_VENUE, v, nrej, "not a MIC (ISO 10383): %s", why), 0;
	v = rtable_get(t, i, RT_EXEC);
	if ((why = regid_timestamp_parse(v, strlen(v), NULL, NULL, NULL)))
		return reject(rej, t, i, RT_EXEC, v, nrej, "not an execution timestamp with offset: %s", why), 0;
	const char *exec = rtable_get(t, first, RT_EXEC);
	if (regid_timestamp_parse(exec, strlen(exec), NULL, NULL, NULL))
		exec = v; /* version 1 was rejected for it: this one's */
	const curvemaster_curve *cv = curvemaster_find(m, rtable_get(t, i, RT_CURVE));
	if (!cv)
		return reject(rej, t, i, RT_CURVE, rtable_get(t, i, RT_CURVE), nrej, "curve not in %s",
			      curvemaster_file(m)), 0;
	double total, lot, price, strike = NAN;
	if ((why = trade_total(t, i, cv, &total, &lot, &col, buf, sizeof buf, e)))
		return reject(rej, t, i, col, rtable_get(t, i, col), nrej, "%s", why), 0;
	if (rtable_num(t, i, RT_PRICE, 1, &price, e) || isnan(price))
		return reject(rej, t, i, RT_PRICE, rtable_get(t, i, RT_PRICE), nrej, "no price to report"), 0;
	int option = strcmp(rtable_get(t, i, RT_INSTR), "option") == 0;
	if (option && (rtable_num(t, i, RT_STRIKE, 1, &strike, e) || isnan(strike)))
		return reject(rej, t, i, RT_STRIKE, rtable_get(t, i, RT_STRIKE), nrej, "an option needs its strike"), 0;
	static const char *const action[] = {"", "new", "modify", "cancel"}, *const code[] = {"", "N", "M", "C"};
	const char *shape = *rtable_get(t, i, RT_SHAPE) || cv->shape < 0 ? rtable_get(t, i, RT_SHAPE)
									   : shape_name(cv->shape);
	const char *const product[] = {
		rtable_get(t, i, RT_UTI), id, rtable_get(t, i, RT_VERSION), action[life], code[life],
		in->reporting_lei, lei, cpty, rtable_get(t, i, RT_SIDE), rtable_get(t, i, RT_BOOK),
		rtable_get(t, i, RT_TRADER), rtable_get(t, i, RT_INSTR), cv->name, cv->commodity,
		rtable_get(t, i, RT_DSTART), rtable_get(t, i, RT_DEND), shape};
	const char *const traded[] = {rtable_get(t, i, RT_CCY), rtable_get(t, i, RT_QTY), rtable_get(t, i, RT_UNIT)};
	const char *const when[] = {rtable_get(t, i, RT_CCY),    exec, v, rtable_get(t, i, RT_VENUE),
				    rtable_get(t, i, RT_OTYPE), rtable_get(t, i, RT_STRIKE), rtable_get(t, i, RT_EXPIRY)};
	put_strs(w, product, sizeof product / sizeof *product);
	csvw_double(w, price);
	put_strs(w, traded, sizeof traded / sizeof *traded);
	csvw_double(w, total);
	csvw_str(w, cv->unit);
	/* an option's notional is on its strike; its price is the premium */
	csvw_double(w, (option ? strike : price) * total);
	put_strs(w, when, sizeof when / sizeof *when);
	csvw_end(w);
	return 1;
}

/* The counterparty master indexed by id; QE_DATA for an id listed twice. */
static int cpty_load(const char *path, int need_category, rtable *cp, strindex **ix, qe_err *e)
{
	static const int opt_lei[CP_NCOLS] = {0, 0, 1}, opt_cat[CP_NCOLS] = {0, 1, 0};
	if (rtable_read(path, cpty_cols, need_category ? opt_cat : opt_lei, CP_NCOLS, cp, e))
		return e->code;
	if (!(*ix = sidx_new()))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < cp->n; i++) {
		const char *id = rtable_get(cp, i, CP_ID);
		if (sidx_add(*ix, id, strlen(id), NULL) != (long)i)
			return rtable_error(cp, i, CP_ID, e, "counterparty '%s' listed twice", id);
	}
	return 0;
}

int regrep_remit(const regrep_inputs *in, csv_writer *w, csv_writer *rej, long *rows, long *rejected,
		 qe_err *e)
{
	char buf[160];
	const char *why = lei_reason(in->reporting_lei, strlen(in->reporting_lei), buf, sizeof buf);
	*rows = *rejected = 0;
	if (why)
		return qe_err_set(e, QE_USAGE, "--reporting-lei '%s' is not a valid LEI: %s", in->reporting_lei, why);
	rtable t = {0}, cp = {0};
	strindex *cpix = NULL;
	curvemaster *m = NULL;
	remit_state st = {0};
	int rc;
	if ((rc = rtable_read(in->trades, trade_cols, remit_optional, RT_NCOLS, &t, e)) ||
	    (rc = cpty_load(in->counterparties, 0, &cp, &cpix, e)))
		goto done;
	if (!(m = curvemaster_load(in->markets, e))) {
		rc = e->code;
		goto done;
	}
	st.ids = sidx_new();
	st.state = malloc((t.n + 1) * sizeof *st.state);
	st.live = malloc((t.n + 1) * sizeof *st.live);
	st.first = calloc(t.n + 1, sizeof *st.first);
	if (!st.ids || !st.state || !st.live || !st.first) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	csvw_header_of(w, FMT_REMIT_REPORT);
	if (rej)
		csvw_header_of(rej, FMT_REMIT_REJECTS);
	for (size_t i = 0; i < t.n; i++) {
		int r = remit_row(in, &t, i, &cp, cpix, m, &st, w, rej, rejected, e);
		if (r < 0) {
			rc = e->code;
			break;
		}
		*rows += r;
	}
done:
	if (st.ids)
		sidx_free(st.ids);
	free(st.state);
	free(st.live);
	free(st.first);
	rtable_free(&t);
	rtable_free(&cp);
	curvemaster_free(m);
	if (cpix)
		sidx_free(cpix);
	return rc;
}

/* --- cot ------------------------------------------------------------------ */

static const char *const *cot_categories(void)
{
	return formats_get(FMT_COT_REPORT)->cols[FMT_COT_CATEGORY].values;
}

static int category_index(const char *s)
{
	const char *const *c = cot_categories();
	for (int k = 0; c[k]; k++)
		if (strcmp(c[k], s) == 0)
			return k;
	return -1;
}

enum { NCAT = 5 };

/* Net lots per (trader, curve, month): one key "trader\037curve\037month". */
typedef struct cot_nets {
	strindex *keys;
	double *net;
	int *cat, *comm;
	size_t cap;
} cot_nets;

static int nets_add(cot_nets *n, const char *trader, const char *curve, long month, int cat, int comm, double lots,
		    qe_err *e)
{
	char key[256];
	int len = snprintf(key, sizeof key, "%s\037%s\037%ld", trader, curve, month);
	long k = sidx_add(n->keys, key, (size_t)len, NULL);
	if (k < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if ((size_t)k >= n->cap) {
		size_t nc = n->cap ? 2 * n->cap : 1024;
		double *a = realloc(n->net, nc * sizeof *a);
		if (a)
			n->net = a;
		int *b = realloc(n->cat, nc * sizeof *b);
		if (b)
			n->cat = b;
		int *c = realloc(n->comm, nc * sizeof *c);
		if (c)
			n->comm = c;
		if (!a || !b || !c)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		memset(n->net + n->cap, 0, (nc - n->cap) * sizeof *n->net);
		n->cap = nc;
	}
	n->net[k] += lots;
	n->cat[k] = cat;
	n->comm[k] = comm;
	return 0;
}

/* Per commodity x category: traders, long, short, spreading. */
typedef struct cot_cell {
	long traders;
	double lng, sht, spr;
} cot_cell;

/* The trader of key k ("trader\037..."), its length. */
static size_t key_trader(const char *key)
{
	const char *p = strchr(key, '\037');
	return p ? (size_t)(p - key) : strlen(key);
}

/* Sums the nets per trader and commodity (keys of one trader and
 * commodity need not be adjacent: a second index groups them). */
static int cot_cells(const cot_nets *n, cot_cell *cell, int ncomm, qe_err *e)
{
	strindex *tc = sidx_new();
	size_t nk = sidx_count(n->keys);
	double *L = calloc(nk + 1, sizeof *L), *S = calloc(nk + 1, sizeof *S);
	int *cat = calloc(nk + 1, sizeof *cat), *comm = calloc(nk + 1, sizeof *comm);
	int rc = 0;
	if (!tc || !L || !S || !cat || !comm) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	for (size_t k = 0; k < nk; k++) {
		const char *key = sidx_name(n->keys, k);
		char id[256];
		int len = snprintf(id, sizeof id, "%.*s\037%d", (int)key_trader(key), key, n->comm[k]);
		long g = sidx_add(tc, id, (size_t)len, NULL);
		if (g < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto done;
		}
		double x = n->net[k];
		if (fabs(x) < 1e-9)
			x = 0; /* a position closed by an offsetting trade */
		if (x > 0)
			L[g] += x;
		else
			S[g] -= x;
		cat[g] = n->cat[k];
		comm[g] = n->comm[k];
	}
	for (size_t g = 0; g < sidx_count(tc); g++) {
		if (comm[g] < 0 || comm[g] >= ncomm)
			continue;
		cot_cell *c = &cell[comm[g] * NCAT + cat[g]];
		double spr = fmin(L[g], S[g]);
		c->traders += L[g] > 0 || S[g] > 0;
		c->lng += L[g] - spr;
		c->sht += S[g] - spr;
		c->spr += spr;
	}
done:
	if (tc)
		sidx_free(tc);
	free(L);
	free(S);
	free(cat);
	free(comm);
	return rc;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

enum { PV_COMM, PV_CAT, PV_LONG, PV_SHORT, PV_SPR, PV_NCOLS };
static const char *const prev_cols[PV_NCOLS] = {"commodity", "category", "long", "short", "spreading"};

/* Writes the rows of commodity names[j] (sorted) with the changes since
 * prev (NULL: none). */
static int cot_write(const regrep_inputs *in, const cot_cell *cell, const char *const *names, int ncomm,
		     const int *order, const rtable *prev, csv_writer *w, long *rows, qe_err *e)
{
	const char *const *cats = cot_categories();
	for (int j = 0; j < ncomm; j++) {
		int ci = order[j];
		double oi = 0;
		for (int k = 0; k < NCAT; k++)
			oi += cell[ci * NCAT + k].lng + cell[ci * NCAT + k].spr;
		for (int k = 0; k < NCAT; k++) {
			const cot_cell *c = &cell[ci * NCAT + k];
			double was[3] = {0, 0, 0};
			if (prev)
				for (size_t r = 0; r < prev->n; r++)
					if (!strcmp(rtable_get(prev, r, PV_COMM), names[ci]) &&
					    !strcmp(rtable_get(prev, r, PV_CAT), cats[k])) {
						for (int x = 0; x < 3; x++)
							if (rtable_num(prev, r, PV_LONG + x, 0, &was[x], e))
								return e->code;
						break;
					}
			csvw_date(w, in->asof);
			csvw_str(w, names[ci]);
			csvw_str(w, cats[k]);
			csvw_int(w, c->traders);
			csvw_double(w, c->lng);
			csvw_double(w, c->sht);
			csvw_double(w, c->spr);
			csvw_double(w, oi);
			if (prev) {
				csvw_double(w, c->lng - was[0]);
				csvw_double(w, c->sht - was[1]);
				csvw_double(w, c->spr - was[2]);
			} else {
				csvw_empty(w);
				csvw_empty(w);
				csvw_empty(w);
			}
			csvw_end(w);
			(*rows)++;
		}
	}
	return 0;
}

/* An option of row i counted by the deltas of its rows in od (first row
 * r): each row's delta over one lot of its curve over the trade's
 * delivery period (the trade's shape on its own curve, the curve's on a
 * spread's other leg), in the month of the row's delivery_start, for the
 * counterparty (the other side) and for us. */
static int cot_option(const rtable *t, size_t i, const optdelta *od, long r, curvemaster *m, strindex *comms,
		      cot_nets *n, int cat, int own, qe_err *e)
{
	qe_date a, b;
	if (date_parse_z(rtable_get(t, i, RT_DSTART), &a) || date_parse_z(rtable_get(t, i, RT_DEND), &b) || b < a)
		return rtable_error(t, i, RT_DSTART, e, "no delivery period (delivery_start <= delivery_end)");
	for (; r >= 0; r = od->next[r]) {
		const char *name = rtable_get(&od->t, (size_t)r, OD_CURVE);
		const curvemaster_curve *cv = curvemaster_find(m, name);
		if (!cv)
			return rtable_error(&od->t, (size_t)r, OD_CURVE, e, "curve '%s' is not in %s", name,
					    curvemaster_file(m));
		int own_curve = strcmp(name, rtable_get(t, i, RT_CURVE)) == 0, col;
		double lot, ours;
		int64_t hours;
		char buf[256];
		const char *why = curve_lot(cv, own_curve ? rtable_get(t, i, RT_SHAPE) : "", a, b, &lot, &hours, &col, buf,
					    sizeof buf, e);
		if (why)
			return rtable_error(t, i, col, e, "%s", why);
		if (!(lot > 0))
			return rtable_error(&od->t, (size_t)r, OD_CURVE, e, "curve %s has no lot to count a delta in lots",
					    name);
		if (optdelta_position(od, r, lot, 1, &ours, e))
			return e->code;
		long comm = sidx_add(comms, cv->commodity, strlen(cv->commodity), NULL);
		long month = date_month_index(od->start[r]);
		if (comm < 0)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		int rc;
		if ((rc = nets_add(n, rtable_get(t, i, RT_CPTY), cv->name, month, cat, (int)comm, -ours, e)) ||
		    (rc = nets_add(n, "\036", cv->name, month, own, (int)comm, ours, e)))
			return rc;
	}
	return 0;
}

int regrep_cot(const regrep_inputs *in, csv_writer *w, long *rows, long *skipped, long *by_delta, qe_err *e)
{
	int own = category_index(in->own_category ? in->own_category : "producer_merchant");
	*rows = *skipped = *by_delta = 0;
	if (own < 0)
		return qe_err_set(e, QE_USAGE, "--own-category '%s' is not a category of qe-formats(5) COT REPORT",
				  in->own_category);
	rtable t = {0}, cp = {0}, prev = {0};
	strindex *cpix = NULL, *comms = sidx_new();
	curvemaster *m = NULL;
	cot_nets n = {.keys = sidx_new()};
	size_t *live = NULL, nlive = 0;
	strindex *ids = NULL;
	long *best = NULL;
	optdelta od = {0};
	int have_od = 0;
	cot_cell *cell = NULL;
	const char **names = NULL;
	int *order = NULL;
	int rc;
	if (!comms || !n.keys) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	if ((rc = rtable_read(in->trades, trade_cols, cot_optional, RT_NCOLS, &t, e)) ||
	    (rc = cpty_load(in->counterparties, 1, &cp, &cpix, e)) ||
	    (in->previous && (rc = rtable_read(in->previous, prev_cols, NULL, PV_NCOLS, &prev, e))) ||
	    (rc = live_versions(&t, RT_ID, RT_VERSION, RT_STATUS, &live, &nlive, &ids, &best, e)))
		goto done;
	if (in->sensitivities) {
		if ((rc = optdelta_read(in->sensitivities, ids, best, in->trades, &od, e)))
			goto done;
		have_od = 1;
	}
	if (!(m = curvemaster_load(in->markets, e))) {
		rc = e->code;
		goto done;
	}
	for (size_t k = 0; k < nlive; k++) {
		size_t i = live[k];
		const char *instr = rtable_get(&t, i, RT_INSTR), *cpty = rtable_get(&t, i, RT_CPTY);
		long r = have_od && optdelta_is_option(instr) ? optdelta_first(&od, rtable_get(&t, i, RT_ID)) : -1;
		if (r < 0 && (!strcmp(instr, "option") || !strcmp(instr, "spread"))) {
			(*skipped)++;
			continue;
		}
		const curvemaster_curve *cv = curvemaster_find(m, rtable_get(&t, i, RT_CURVE));
		if (!cv) {
			rc = rtable_error(&t, i, RT_CURVE, e, "curve '%s' is not in %s", rtable_get(&t, i, RT_CURVE),
					  curvemaster_file(m));
			goto done;
		}
		long c = sidx_find(cpix, cpty, strlen(cpty));
		if (c < 0) {
			rc = rtable_error(&t, i, RT_CPTY, e, "counterparty '%s' is not in %s", cpty, cp.file);
			goto done;
		}
		const char *catname = rtable_get(&cp, (size_t)c, CP_CATEGORY);
		int cat = category_index(catname);
		if (cat < 0) {
			rc = rtable_error(&cp, (size_t)c, CP_CATEGORY, e, "'%s' is not a COT category", catname);
			goto done;
		}
		if (r >= 0) {
			if ((rc = cot_option(&t, i, &od, r, m, comms, &n, cat, own, e)))
				goto done;
			(*by_delta)++;
			continue;
		}
		double total, lot;
		int col;
		char buf[256];
		const char *why = trade_total(&t, i, cv, &total, &lot, &col, buf, sizeof buf, e);
		if (why) {
			rc = rtable_error(&t, i, col, e, "%s", why);
			goto done;
		}
		const char *side = rtable_get(&t, i, RT_SIDE);
		if (strcmp(side, "buy") && strcmp(side, "sell")) {
			rc = rtable_error(&t, i, RT_SIDE, e, "side is buy or sell, not '%s'", side);
			goto done;
		}
		double ours = (strcmp(side, "buy") == 0 ? 1 : -1) * total / lot;
		qe_date ds;
		date_parse_z(rtable_get(&t, i, RT_DSTART), &ds);
		long comm = sidx_add(comms, cv->commodity, strlen(cv->commodity), NULL);
		if (comm < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto done;
		}
		/* the counterparty holds the other side; "\036" names us (no id has it) */
		if ((rc = nets_add(&n, cpty, cv->name, date_month_index(ds), cat, (int)comm, -ours, e)) ||
		    (rc = nets_add(&n, "\036", cv->name, date_month_index(ds), own, (int)comm, ours, e)))
			goto done;
	}
	int ncomm = (int)sidx_count(comms);
	cell = calloc((size_t)ncomm * NCAT + 1, sizeof *cell);
	names = malloc(((size_t)ncomm + 1) * sizeof *names);
	order = malloc(((size_t)ncomm + 1) * sizeof *order);
	if (!cell || !names || !order) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	if ((rc = cot_cells(&n, cell, ncomm, e)))
		goto done;
	const char **sorted = malloc(((size_t)ncomm + 1) * sizeof *sorted);
	if (!sorted) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	for (int j = 0; j < ncomm; j++)
		names[j] = sorted[j] = sidx_name(comms, (size_t)j);
	if (ncomm > 1)
		qsort(sorted, (size_t)ncomm, sizeof *sorted, cmp_name);
	for (int j = 0; j < ncomm; j++)
		order[j] = (int)sidx_find(comms, sorted[j], strlen(sorted[j]));
	free(sorted);
	csvw_header_of(w, FMT_COT_REPORT);
	rc = cot_write(in, cell, names, ncomm, order, in->previous ? &prev : NULL, w, rows, e);
done:
	if (have_od)
		optdelta_free(&od);
	if (ids)
		sidx_free(ids);
	free(best);
	if (cpix)
		sidx_free(cpix);
	if (comms)
		sidx_free(comms);
	if (n.keys)
		sidx_free(n.keys);
	free(n.net);
	free(n.cat);
	free(n.comm);
	free(live);
	free(cell);
	free(names);
	free(order);
	curvemaster_free(m);
	rtable_free(&t);
	rtable_free(&cp);
	rtable_free(&prev);
	return rc;
}
