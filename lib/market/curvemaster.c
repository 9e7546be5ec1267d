#include "market/curvemaster.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/strindex.h"
#include "io/csvio.h"
#include "time/contract.h"
#include "time/period.h"

/* The columns the master interprets; any other column is kept as text. */
enum { K_CURVE, K_COMMODITY, K_VENUE, K_UNIT, K_CCY, K_TZ, K_CAL, K_SHAPE, K_LOT, K_RETURNS, K_MODEL, K_N };
static const char *const known_cols[K_N] = {"curve",    "commodity", "venue", "unit",     "currency", "timezone",
					    "calendar", "shape",     "lot_size", "returns", "model"};

struct curvemaster {
	char *file;
	int ncols;
	char **colname;       /* header, in file order */
	int col[K_N];         /* header position of each known column, or -1 */
	curvemaster_curve *c; /* rows in file order */
	char ***field;        /* field[row][col]: the row's text */
	char **model;         /* lower-cased model per row */
	size_t n, cap;
	strindex *names;      /* exact name -> row */
	strindex *upper;      /* upper-cased name -> row (same numbering) */
	strindex *calnames;   /* distinct calendar names -> cal[] */
	qe_calendar **cal;
	long *calof;          /* row -> index into cal, or -1 */
};

/* Exact curve names with a listed contract rule: one map for valuation
 * and the hedge menus. */
static const char *const name_products[][2] = {
	{"NG_HH", "NG"}, {"NG", "NG"},       {"CL_WTI", "CL"},   {"CL", "CL"}, {"WTI", "CL"},
	{"BRENT", "BRENT"}, {"B", "BRENT"}, {"HO_ULSD", "HO"}, {"HO", "HO"}, {"RBOB", "RB"},
	{"RB", "RB"},      {"EUA", "EUA"},
};

/* How each product's contracts end and what its swaps average
 * (DOMAIN.md): ICE Brent is cash-settled, the NYMEX futures and EUA
 * deliver; crude and products swaps average the front month, US gas
 * swaps settle on the last day. */
static const struct {
	const char *product;
	int cash, index;
} product_facts[] = {
	{"NG", 0, CURVEMASTER_INDEX_LASTDAY}, {"CL", 0, CURVEMASTER_INDEX_FRONT},
	{"BRENT", 1, CURVEMASTER_INDEX_FRONT}, {"HO", 0, CURVEMASTER_INDEX_FRONT},
	{"RB", 0, CURVEMASTER_INDEX_FRONT},   {"EUA", 0, CURVEMASTER_INDEX_SPOT},
};

static const char *const index_names[] = {"spot", "front", "lastday"};

const char *curvemaster_index_name(int index)
{
	return index >= 0 && index < 3 ? index_names[index] : "?";
}

void curvemaster_free(curvemaster *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		for (int k = 0; m->field[i] && k < m->ncols; k++)
			free(m->field[i][k]);
		free(m->field[i]);
		free(m->model[i]);
	}
	for (size_t k = 0; m->calnames && k < sidx_count(m->calnames); k++)
		cal_free(m->cal[k]);
	for (int k = 0; k < m->ncols; k++)
		free(m->colname[k]);
	free(m->colname);
	free(m->field);
	free(m->model);
	free(m->c);
	free(m->calof);
	free(m->cal);
	sidx_free(m->names);
	sidx_free(m->upper);
	sidx_free(m->calnames);
	free(m->file);
	free(m);
}

static int oom(qe_err *e, const curvemaster *m)
{
	return qe_err_set(e, QE_INTERNAL, "%s: out of memory", m->file ? m->file : "markets");
}

static int grow(curvemaster *m, qe_err *e)
{
	if (m->n < m->cap)
		return 0;
	size_t cap = m->cap ? 2 * m->cap : 32;
	curvemaster_curve *c = realloc(m->c, cap * sizeof *c);
	if (c)
		m->c = c;
	char ***f = realloc(m->field, cap * sizeof *f);
	if (f)
		m->field = f;
	char **md = realloc(m->model, cap * sizeof *md);
	if (md)
		m->model = md;
	if (!c || !f || !md)
		return oom(e, m);
	m->cap = cap;
	return 0;
}

static const char *product_of_name(const char *curve)
{
	for (size_t k = 0; k < sizeof name_products / sizeof name_products[0]; k++)
		if (strcmp(curve, name_products[k][0]) == 0)
			return name_products[k][1];
	return NULL;
}

int curvemaster_name_index(const char *name, const char **product, int *cash_settled)
{
	const char *prod = product_of_name(name);
	int index = CURVEMASTER_INDEX_SPOT, cash = 0;
	for (size_t k = 0; prod && k < sizeof product_facts / sizeof product_facts[0]; k++)
		if (strcmp(prod, product_facts[k].product) == 0) {
			cash = product_facts[k].cash;
			index = product_facts[k].index;
		}
	if (product)
		*product = prod;
	if (cash_settled)
		*cash_settled = cash;
	return index;
}

/* Checks and interprets the known columns of the current row into c. */
static int read_row(curvemaster *m, csv_reader *r, curvemaster_curve *c, char **fields, qe_err *e)
{
	static const char *const empty = "";
	const int *col = m->col;
	const char **txt[] = {NULL,	     &c->commodity, &c->venue, &c->unit,
			      &c->currency, &c->timezone,  &c->calendar};
	for (int k = K_COMMODITY; k <= K_CAL; k++)
		*txt[k] = col[k] >= 0 ? fields[col[k]] : empty;
	c->shape = -1;
	if (col[K_SHAPE] >= 0 && fields[col[K_SHAPE]][0] &&
	    shape_parse(fields[col[K_SHAPE]], strlen(fields[col[K_SHAPE]]), &c->shape))
		return csvr_field_error(r, col[K_SHAPE], e, "unknown shape '%s'", fields[col[K_SHAPE]]);
	c->lot_size = 0;
	if (col[K_LOT] >= 0) {
		if (csvr_get_double(r, col[K_LOT], &c->lot_size, e))
			return e->code;
		if (!(c->lot_size > 0))
			return csvr_field_error(r, col[K_LOT], e, "lot size must be positive '%s'",
						fields[col[K_LOT]]);
	}
	c->returns_abs = 0;
	if (col[K_RETURNS] >= 0) {
		const char *s = fields[col[K_RETURNS]];
		if (strcasecmp(s, "abs") == 0)
			c->returns_abs = 1;
		else if (strcasecmp(s, "log") != 0)
			return csvr_field_error(r, col[K_RETURNS], e, "expected log or abs, got '%s'", s);
	}
	c->model = m->model[m->n];
	if (c->model[0] && strcmp(c->model, "black76") && strcmp(c->model, "bachelier"))
		return csvr_field_error(r, col[K_MODEL], e, "expected black76 or bachelier '%s'",
					fields[col[K_MODEL]]);
	c->index = curvemaster_name_index(c->name, &c->product, &c->cash_settled);
	/* power futures (EEX Phelix DE, PJM) settle in cash on the spot index
	 * of their delivery days (DOMAIN.md) */
	if (!c->product && strcasecmp(c->commodity, "power") == 0)
		c->cash_settled = 1;
	return 0;
}

static int add_row(curvemaster *m, csv_reader *r, qe_err *e)
{
	if (grow(m, e))
		return e->code;
	const char *name = csvr_get_str(r, m->col[K_CURVE], e);
	if (!name)
		return e->code;
	size_t len = strlen(name);
	char **fields = calloc((size_t)m->ncols, sizeof *fields);
	char *model = NULL, *up = malloc(len + 1);
	m->field[m->n] = fields;
	if (!fields || !up) {
		free(up);
		free(fields);
		return oom(e, m);
	}
	for (int k = 0; k < m->ncols; k++)
		if (!(fields[k] = strdup(csvr_field(r, k, NULL))))
			goto nomem;
	if (!(model = strdup(m->col[K_MODEL] >= 0 ? fields[m->col[K_MODEL]] : "")))
		goto nomem;
	for (char *p = model; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (size_t i = 0; i < len; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[len] = '\0';
	int added;
	if (sidx_add(m->upper, up, len, &added) < 0)
		goto nomem;
	if (!added) {
		free(up);
		for (int k = 0; k < m->ncols; k++)
			free(fields[k]);
		free(fields);
		free(model);
		return csvr_field_error(r, m->col[K_CURVE], e, "duplicate curve '%s'", name);
	}
	free(up);
	up = NULL;
	if (sidx_add(m->names, name, len, NULL) < 0)
		goto nomem;
	m->model[m->n] = model;
	curvemaster_curve *c = &m->c[m->n];
	memset(c, 0, sizeof *c);
	c->name = fields[m->col[K_CURVE]];
	c->line = csvr_line(r);
	/* the row counts from here on (curvemaster_free releases it) */
	int rc = read_row(m, r, c, fields, e);
	m->n++;
	return rc;
nomem:
	for (int k = 0; k < m->ncols; k++)
		free(fields[k]);
	free(fields);
	free(model);
	free(up);
	return oom(e, m);
}

curvemaster *curvemaster_load(const char *path, qe_err *e)
{
	curvemaster *m = calloc(1, sizeof *m);
	csv_reader *r = NULL;
	int st;
	if (!m || !(m->names = sidx_new()) || !(m->upper = sidx_new()) || !(m->calnames = sidx_new())) {
		qe_err_set(e, QE_INTERNAL, "out of memory");
		goto fail;
	}
	if (!(r = csvr_open(path, e)))
		goto fail;
	if (!(m->file = strdup(csvr_name(r)))) {
		oom(e, m);
		goto fail;
	}
	if (csvr_require(r, known_cols, 1, &m->col[K_CURVE], e))
		goto fail;
	m->ncols = csvr_ncols(r);
	if (!(m->colname = calloc((size_t)m->ncols, sizeof *m->colname))) {
		oom(e, m);
		goto fail;
	}
	for (int k = 0; k < m->ncols; k++)
		if (!(m->colname[k] = strdup(csvr_colname(r, k)))) {
			oom(e, m);
			goto fail;
		}
	for (int k = 0; k < K_N; k++)
		m->col[k] = csvr_col(r, known_cols[k]);
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		if (st != CSVR_ROW) {
			if (!e->code)
				qe_err_set(e, QE_DATA, "%s:%ld:1: unreadable row", m->file, csvr_line(r));
			goto fail;
		}
		if (add_row(m, r, e))
			goto fail;
	}
	csvr_close(r);
	return m;
fail:
	if (r)
		csvr_close(r);
	curvemaster_free(m);
	return NULL;
}

const char *curvemaster_file(const curvemaster *m) { return m->file; }

size_t curvemaster_count(const curvemaster *m) { return m ? m->n : 0; }

const curvemaster_curve *curvemaster_at(const curvemaster *m, size_t i) { return i < m->n ? &m->c[i] : NULL; }

size_t curvemaster_pos(const curvemaster *m, const curvemaster_curve *c) { return (size_t)(c - m->c); }

const curvemaster_curve *curvemaster_find(const curvemaster *m, const char *name)
{
	long k = sidx_find(m->names, name, strlen(name));
	return k < 0 ? NULL : &m->c[k];
}

const curvemaster_curve *curvemaster_find_nocase(const curvemaster *m, const char *s, size_t len)
{
	char buf[256];
	if (len >= sizeof buf)
		return NULL; /* longer than any name worth looking up */
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)toupper((unsigned char)s[i]);
	long k = sidx_find(m->upper, buf, len);
	return k < 0 ? NULL : &m->c[k];
}

static int col_of(const curvemaster *m, const char *col)
{
	for (int k = 0; k < m->ncols; k++)
		if (strcmp(m->colname[k], col) == 0)
			return k;
	return -1;
}

int curvemaster_has(const curvemaster *m, const char *col) { return col_of(m, col) >= 0; }

int curvemaster_require(const curvemaster *m, const char *const *cols, int n, qe_err *e)
{
	for (int i = 0; i < n; i++)
		if (col_of(m, cols[i]) < 0)
			return csv_missing_column(m->file, 1, m->ncols, m->ncols ? m->colname[0] : "",
						  m->ncols ? strlen(m->colname[0]) : 0, cols[i], e);
	return 0;
}

const char *curvemaster_attr(const curvemaster *m, const curvemaster_curve *c, const char *col)
{
	int k = col_of(m, col);
	return k < 0 ? NULL : m->field[curvemaster_pos(m, c)][k];
}

int curvemaster_field_error(const curvemaster *m, const curvemaster_curve *c, const char *col, qe_err *e,
			    const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return qe_err_set(e, QE_DATA, "%s:%ld:%d: column '%s': %s", m->file, c->line, col_of(m, col) + 1, col,
			  msg);
}

int curvemaster_load_calendars(curvemaster *m, const char *caldir, qe_err *e)
{
	if (m->calof)
		return 0; /* loaded */
	if (!(m->calof = malloc((m->n + 1) * sizeof *m->calof)))
		return oom(e, m);
	for (size_t i = 0; i < m->n; i++) {
		const char *name = m->c[i].calendar;
		m->calof[i] = -1;
		if (!name[0])
			continue;
		long k = sidx_find(m->calnames, name, strlen(name));
		if (k < 0) {
			qe_calendar *cal = cal_load_named(name, caldir, e);
			if (!cal) {
				qe_err_prefix(e, m->file);
				free(m->calof); /* not loaded: a later call tries again */
				m->calof = NULL;
				return e->code;
			}
			qe_calendar **nc = realloc(m->cal, (sidx_count(m->calnames) + 1) * sizeof *nc);
			if (nc)
				m->cal = nc;
			if (!nc || (k = sidx_add(m->calnames, name, strlen(name), NULL)) < 0) {
				cal_free(cal);
				free(m->calof);
				m->calof = NULL;
				return oom(e, m);
			}
			m->cal[k] = cal;
		}
		m->calof[i] = k;
	}
	return 0;
}

const qe_calendar *curvemaster_calendar(const curvemaster *m, const curvemaster_curve *c)
{
	if (!m->calof)
		return NULL;
	long k = m->calof[curvemaster_pos(m, c)];
	return k < 0 ? NULL : m->cal[k];
}

int curvemaster_last_trade(const curvemaster *m, const curvemaster_curve *c, qe_date month_first,
			   qe_date *out, qe_err *e)
{
	const qe_calendar *cal = curvemaster_calendar(m, c);
	if (!cal)
		return qe_err_set(e, QE_DATA, "curve %s has no business-day calendar in %s", c->name, m->file);
	return contract_last_trade(c->product, cal, month_first, out, e);
}

int curvemaster_name_fixes_front(const char *name, const char **product)
{
	const char *prod;
	int index = curvemaster_name_index(name, &prod, NULL);
	if (product)
		*product = prod;
	return prod && index != CURVEMASTER_INDEX_SPOT;
}

int curvemaster_fixes_front(const curvemaster_curve *c)
{
	return curvemaster_name_fixes_front(c->name, NULL);
}

int curvemaster_front_month(const curvemaster *m, const curvemaster_curve *c, qe_date d,
			    qe_date *month_first, qe_err *e)
{
	const qe_calendar *cal = curvemaster_calendar(m, c);
	if (!cal)
		return qe_err_set(e, QE_DATA, "curve %s has no business-day calendar in %s", c->name, m->file);
	return contract_front_month(c->product, cal, d, month_first, e);
}
