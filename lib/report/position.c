#include "report/position.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "io/formats.h"
#include "screen/rtable.h"
#include "time/period.h"
#include "time/tz.h"

/* One (curve, month) or (commodity, month) cell. */
typedef struct cell {
	int curve;     /* index into the markets table; -1 for a commodity row */
	int comm;      /* index of the commodity name (first curve that has it) */
	long month;    /* date_month_index */
	double delta, prev;
	int has_now, has_prev;
} cell;

typedef struct cells {
	cell *c;
	size_t n, cap;
} cells;

enum { M_CURVE, M_COMM, M_UNIT, M_TZ, M_SHAPE, M_LOT, M_NCOLS };
enum { L_CURVE, L_MONTH, L_DELTA, L_UNIT, L_NCOLS };

static cell *cell_get(cells *s, int curve, int comm, long month, qe_err *e)
{
	for (size_t i = s->n; i-- > 0;) /* ladders come sorted: the hit is usually near the end */
		if (s->c[i].curve == curve && s->c[i].comm == comm && s->c[i].month == month)
			return &s->c[i];
	if (s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 256;
		cell *c = realloc(s->c, nc * sizeof *c);
		if (!c) {
			qe_err_set(e, QE_INTERNAL, "out of memory");
			return NULL;
		}
		s->c = c;
		s->cap = nc;
	}
	cell *c = &s->c[s->n++];
	memset(c, 0, sizeof *c);
	c->curve = curve;
	c->comm = comm;
	c->month = month;
	return c;
}

/* The markets row of a curve's commodity that names it first. */
static int comm_index(const rtable *m, size_t row)
{
	const char *name = rtable_get(m, row, M_COMM);
	for (size_t i = 0; i < row; i++)
		if (strcmp(rtable_get(m, i, M_COMM), name) == 0)
			return (int)i;
	return (int)row;
}

/* The commodity unit of curve row: MWh for MMBtu, else its own. */
static const char *comm_unit(const char *unit, double *factor)
{
	if (strcmp(unit, "MMBtu") == 0) {
		*factor = 1.0 / REPORT_MMBTU_PER_MWH;
		return "MWh";
	}
	*factor = 1.0;
	return unit;
}

static int add_ladder(const char *path, const rtable *m, cells *s, int prev, qe_err *e)
{
	static const char *const cols[L_NCOLS] = {"curve", "month", "delta", "unit"};
	rtable l;
	int rc = rtable_read(path, cols, NULL, L_NCOLS, &l, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < l.n && !rc; i++) {
		long row = rtable_find(m, M_CURVE, rtable_get(&l, i, L_CURVE));
		long month;
		double d;
		const char *ms = rtable_get(&l, i, L_MONTH);
		if (row < 0) {
			rc = rtable_error(&l, i, L_CURVE, e, "curve '%s' is not in %s", rtable_get(&l, i, L_CURVE),
					  m->file);
		} else if (strcmp(rtable_get(&l, i, L_UNIT), rtable_get(m, (size_t)row, M_UNIT)) != 0) {
			rc = rtable_error(&l, i, L_UNIT, e, "unit '%s', but %s gives curve %s in %s",
					  rtable_get(&l, i, L_UNIT), m->file, rtable_get(m, (size_t)row, M_CURVE),
					  rtable_get(m, (size_t)row, M_UNIT));
		} else if (date_month_parse(ms, strlen(ms), &month)) {
			rc = rtable_error(&l, i, L_MONTH, e, "'%s' is not a month YYYY-MM", ms);
		} else if (!(rc = rtable_num(&l, i, L_DELTA, 0, &d, e))) {
			cell *c = cell_get(s, (int)row, comm_index(m, (size_t)row), month, e);
			if (!c) {
				rc = e->code;
			} else if (prev) {
				c->prev += d;
				c->has_prev = 1;
			} else {
				c->delta += d;
				c->has_now = 1;
			}
		}
	}
	rtable_free(&l);
	return rc;
}

static const rtable *sort_m;

static int cmp_cell(const void *a, const void *b)
{
	const cell *x = a, *y = b;
	int r = strcmp(rtable_get(sort_m, (size_t)x->comm, M_COMM), rtable_get(sort_m, (size_t)y->comm, M_COMM));
	if (r)
		return r;
	if ((x->curve < 0) != (y->curve < 0)) /* the commodity's rows after its curves' */
		return x->curve < 0 ? 1 : -1;
	if (x->curve >= 0 && x->curve != y->curve)
		return strcmp(rtable_get(sort_m, (size_t)x->curve, M_CURVE),
			      rtable_get(sort_m, (size_t)y->curve, M_CURVE));
	return (x->month > y->month) - (x->month < y->month);
}

/* The size of one lot of curve row in month: see position.h. */
static int lot_of(const rtable *m, size_t row, long month, double *lot, qe_err *e)
{
	int rc = rtable_num(m, row, M_LOT, 0, lot, e);
	if (rc)
		return rc;
	if (!(*lot > 0))
		return rtable_error(m, row, M_LOT, e, "lot size must be positive");
	const char *shape = rtable_get(m, row, M_SHAPE);
	if (strcmp(rtable_get(m, row, M_UNIT), "MWh") != 0 || !*shape)
		return 0;
	int sh;
	if (shape_parse(shape, strlen(shape), &sh))
		return rtable_error(m, row, M_SHAPE, e, "unknown shape '%s'", shape);
	const qe_tz *tz = tz_get(rtable_get(m, row, M_TZ), e);
	if (!tz)
		return rtable_error(m, row, M_TZ, e, "unknown time zone '%s'", rtable_get(m, row, M_TZ));
	qe_date first = date_month_first(month), last = date_month_first(month + 1) - 1;
	int64_t h = shape_hours(sh, first, last, tz, e);
	if (h < 0)
		return e->code;
	*lot *= (double)h;
	return 0;
}

static void put_num_or_empty(csv_writer *w, int has, double x)
{
	if (has)
		csvw_double(w, x);
	else
		csvw_empty(w);
}

int report_position(const char *ladder, const char *prev, const char *markets, csv_writer *w,
		    long *rows, qe_err *e)
{
	static const char *const mcols[M_NCOLS] = {"curve", "commodity", "unit", "timezone", "shape",
						   "lot_size"};
	static const int mopt[M_NCOLS] = {0, 0, 0, 0, 1, 0};
	rtable m;
	cells s = {0};
	int rc = rtable_read(markets, mcols, mopt, M_NCOLS, &m, e);
	if (rc)
		return rc;
	rc = add_ladder(ladder, &m, &s, 0, e);
	if (!rc && prev)
		rc = add_ladder(prev, &m, &s, 1, e);
	/* commodity rows, in the commodity's unit where the curves' units convert */
	size_t ncurve = s.n;
	for (size_t i = 0; i < ncurve && !rc; i++) {
		cell c = s.c[i];
		double f;
		const char *u = comm_unit(rtable_get(&m, (size_t)c.curve, M_UNIT), &f);
		double f0;
		const char *u0 = comm_unit(rtable_get(&m, (size_t)c.comm, M_UNIT), &f0);
		int convertible = 1;
		for (size_t k = 0; k < m.n; k++) /* every curve of the commodity must convert */
			if (strcmp(rtable_get(&m, k, M_COMM), rtable_get(&m, (size_t)c.comm, M_COMM)) == 0) {
				double fk;
				if (strcmp(comm_unit(rtable_get(&m, k, M_UNIT), &fk), u0) != 0)
					convertible = 0;
			}
		if (!convertible || strcmp(u, u0) != 0)
			continue;
		cell *t = cell_get(&s, -1, c.comm, c.month, e);
		if (!t) {
			rc = e->code;
			break;
		}
		t->delta += c.delta * f;
		t->prev += c.prev * f;
		t->has_now |= c.has_now;
		t->has_prev |= c.has_prev;
	}
	if (!rc) {
		sort_m = &m;
		if (s.n > 1) /* a null base of no rows is undefined */
			qsort(s.c, s.n, sizeof *s.c, cmp_cell);
		csvw_header_of(w, FMT_POSITION_REPORT);
		*rows = 0;
		for (size_t i = 0; i < s.n && !rc; i++) {
			const cell *c = &s.c[i];
			double f, lot = NAN;
			const char *unit = c->curve >= 0 ? rtable_get(&m, (size_t)c->curve, M_UNIT)
							 : comm_unit(rtable_get(&m, (size_t)c->comm, M_UNIT), &f);
			if (c->curve >= 0 && (rc = lot_of(&m, (size_t)c->curve, c->month, &lot, e)))
				break;
			char month[8];
			int y, mo;
			date_month_ym(c->month, &y, &mo);
			snprintf(month, sizeof month, "%04d-%02d", y, mo);
			csvw_str(w, c->curve >= 0 ? "curve" : "commodity");
			csvw_str(w, rtable_get(&m, (size_t)c->comm, M_COMM));
			csvw_str(w, c->curve >= 0 ? rtable_get(&m, (size_t)c->curve, M_CURVE) : "");
			csvw_str(w, month);
			csvw_str(w, unit);
			csvw_double(w, c->delta);
			put_num_or_empty(w, c->curve >= 0, c->delta / lot);
			put_num_or_empty(w, prev != NULL, c->prev);
			put_num_or_empty(w, prev != NULL, c->delta - c->prev);
			csvw_end(w);
			++*rows;
		}
	}
	free(s.c);
	rtable_free(&m);
	return rc;
}
