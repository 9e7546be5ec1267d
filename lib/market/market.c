#include "market/market.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/csvio.h"
#include "io/formats.h"
#include "time/contract.h"
#include "time/period.h"

struct hentry {
	const mkt_curve *c;
	int shape;
	qe_date first, last;
	int64_t hours;
};

struct mkt_hcache {
	struct hentry *e;
	size_t cap, n; /* open addressing, cap a power of two */
};

/* One quoted vol period of one type: its strike rows are ix[lo..hi) of
 * the index, by ascending strike (file order among equal strikes, as the
 * insertion sort of the scan this replaces kept them). */
struct mkt_volper {
	qe_date first, last;
	int lo, hi;
	int atm; /* index into v of the ATM row (the file's last), or -1 */
};

struct mkt_volidx {
	struct mkt_volper *per[2]; /* [normal], sorted by first, disjoint */
	int nper[2];
	int *ix;                   /* indices into the curve's v */
};


static int add_curve(market *m, const char *name, qe_err *e)
{
	for (int i = 0; i < m->nc; i++)
		if (strcmp(m->c[i].name, name) == 0)
			return i;
	if (strlen(name) >= sizeof m->c[0].name)
		return qe_err_set(e, QE_DATA, "curve name too long '%.64s'", name), -1;
	mkt_curve *c = realloc(m->c, sizeof *c * (size_t)(m->nc + 1));
	if (!c)
		return qe_err_set(e, QE_INTERNAL, "out of memory"), -1;
	m->c = c;
	memset(&c[m->nc], 0, sizeof c[0]);
	strcpy(c[m->nc].name, name);
	c[m->nc].shape = -1;
	return m->nc++;
}

/* add_curve failed on the curve of a row: a data error names its place. */
static int row_curve_error(const csv_reader *r, int col, const char *name, qe_err *e)
{
	if (e->code != QE_DATA)
		return e->code;
	return csvr_field_error(r, col, e, "curve name too long '%.64s'", name);
}

static int copy_field(const csv_reader *r, int col, char *dst, size_t cap, qe_err *e)
{
	size_t len;
	const char *s = col >= 0 ? csvr_field(r, col, &len) : "";
	if (col < 0)
		len = 0;
	if (len >= cap)
		return csvr_field_error(r, col, e, "too long '%s'", s);
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

/* Iterates a CSV file; calls row() for every record.  Bad rows are fatal. */
typedef int (*row_fn)(market *m, csv_reader *r, const int *idx, qe_err *e);

static int each_row(market *m, const char *path, const char *const *cols, int n, row_fn row,
		    qe_err *e)
{
	int idx[16];
	csv_reader *r = csvr_open(path, e);
	if (!r)
		return e->code;
	if (csvr_require(r, cols, n, idx, e)) {
		csvr_close(r);
		return e->code;
	}
	int st, rc = 0;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		if (st != CSVR_ROW) {
			rc = e->code;
			break;
		}
		if ((rc = row(m, r, idx, e)))
			break;
	}
	csvr_close(r);
	return rc;
}

static int asof_matches(market *m, csv_reader *r, int col, int *match, qe_err *e)
{
	qe_date d;
	if (csvr_get_date(r, col, &d, e))
		return e->code;
	*match = d == m->asof;
	return 0;
}

/* Copies a curve master text into a fixed field of mkt_curve. */
static int copy_attr(const curvemaster *cm, const curvemaster_curve *mc, const char *col, const char *s,
		     char *dst, size_t cap, qe_err *e)
{
	size_t len = strlen(s);
	if (len >= cap)
		return curvemaster_field_error(cm, mc, col, e, "too long '%s'", s);
	memcpy(dst, s, len + 1);
	return 0;
}

/* A curve for every row of the curve master, in its order, with its
 * static data and time zone. */
static int master_curves(market *m, qe_err *e)
{
	static const char *const mcols[] = {"curve", "commodity", "unit", "currency", "timezone",
					    "shape", "calendar", "lot_size", "model"};
	const curvemaster *cm = m->master;
	if (curvemaster_require(cm, mcols, 9, e))
		return e->code;
	for (size_t k = 0; k < curvemaster_count(cm); k++) {
		const curvemaster_curve *mc = curvemaster_at(cm, k);
		int i = add_curve(m, mc->name, e);
		if (i < 0)
			return e->code == QE_DATA ? curvemaster_field_error(cm, mc, "curve", e,
									      "curve name too long '%.64s'",
									      mc->name)
						  : e->code;
		mkt_curve *c = &m->c[i];
		c->has_master = 1;
		c->master = mc;
		if (copy_attr(cm, mc, "commodity", mc->commodity, c->commodity, sizeof c->commodity, e) ||
		    copy_attr(cm, mc, "unit", mc->unit, c->unit, sizeof c->unit, e) ||
		    copy_attr(cm, mc, "currency", mc->currency, c->currency, sizeof c->currency, e) ||
		    copy_attr(cm, mc, "calendar", mc->calendar, c->calendar, sizeof c->calendar, e) ||
		    copy_attr(cm, mc, "model", mc->model, c->model, sizeof c->model, e))
			return e->code;
		c->lot_size = mc->lot_size;
		c->shape = mc->shape;
		if (!mc->timezone[0])
			return curvemaster_field_error(cm, mc, "timezone", e, "empty value");
		if (!(c->tz = tz_load(mc->timezone, e)))
			return qe_err_prefix(e, curvemaster_file(cm)), e->code;
	}
	return 0;
}

/* The curve a curves/vols row (curve in idx[0], as-of in idx[1]) belongs
 * to; *out stays NULL for a row of another as-of date. */
static int curve_of_row(market *m, csv_reader *r, const int *idx, mkt_curve **out, qe_err *e)
{
	int match = 0;
	*out = NULL;
	if (asof_matches(m, r, idx[1], &match, e))
		return e->code;
	if (!match)
		return 0;
	const char *name = csvr_get_str(r, idx[0], e);
	if (!name)
		return e->code;
	int i = add_curve(m, name, e);
	if (i < 0)
		return row_curve_error(r, idx[0], name, e);
	*out = &m->c[i];
	return 0;
}

static int row_curve(market *m, csv_reader *r, const int *idx, qe_err *e)
{
	mkt_curve *c;
	if (curve_of_row(m, r, idx, &c, e))
		return e->code;
	if (!c)
		return 0;
	mkt_quote q;
	if (csvr_get_date(r, idx[2], &q.first, e) || csvr_get_date(r, idx[3], &q.last, e) ||
	    csvr_get_double(r, idx[4], &q.price, e))
		return e->code;
	if (q.last < q.first)
		return csvr_field_error(r, idx[3], e, "delivery ends before it starts '%s'",
					csvr_field(r, idx[3], NULL));
	mkt_quote *nq = realloc(c->q, sizeof *nq * (size_t)(c->nq + 1));
	if (!nq)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	c->q = nq;
	c->q[c->nq++] = q;
	return 0;
}

static int row_vol(market *m, csv_reader *r, const int *idx, qe_err *e)
{
	mkt_curve *c;
	if (curve_of_row(m, r, idx, &c, e))
		return e->code;
	if (!c)
		return 0;
	mkt_volpt v;
	if (csvr_get_date(r, idx[2], &v.first, e) || csvr_get_date(r, idx[3], &v.last, e) ||
	    csvr_get_double(r, idx[5], &v.vol, e))
		return e->code;
	v.strike = NAN;
	if (!csvr_is_empty(r, idx[4]) && csvr_get_double(r, idx[4], &v.strike, e))
		return e->code;
	const char *t = csvr_field(r, idx[6], NULL);
	if (strcasecmp(t, "normal") == 0)
		v.normal = 1;
	else if (strcasecmp(t, "lognormal") == 0)
		v.normal = 0;
	else
		return csvr_field_error(r, idx[6], e, "expected lognormal or normal '%s'", t);
	mkt_volpt *nv = realloc(c->v, sizeof *nv * (size_t)(c->nv + 1));
	if (!nv)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	c->v = nv;
	c->v[c->nv++] = v;
	return 0;
}

static int row_rate(market *m, csv_reader *r, const int *idx, qe_err *e)
{
	int match = 0;
	if (asof_matches(m, r, idx[1], &match, e))
		return e->code;
	if (!match)
		return 0;
	char ccy[4];
	if (copy_field(r, idx[0], ccy, sizeof ccy, e))
		return e->code;
	qe_date d;
	double rate;
	if (csvr_get_date(r, idx[2], &d, e) || csvr_get_double(r, idx[3], &rate, e))
		return e->code;
	double t = date_yf_act365(m->asof, d);
	if (!(t > 0))
		return csvr_field_error(r, idx[2], e, "pillar not after the as-of date '%s'",
					csvr_field(r, idx[2], NULL));
	int i;
	for (i = 0; i < m->nr && strcmp(m->r[i].currency, ccy); i++)
		;
	if (i == m->nr) {
		mkt_rates *nr = realloc(m->r, sizeof *nr * (size_t)(m->nr + 1));
		if (!nr)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		m->r = nr;
		memset(&m->r[i], 0, sizeof m->r[i]);
		strcpy(m->r[i].currency, ccy);
		m->nr++;
	}
	mkt_rates *R = &m->r[i];
	double *nt = realloc(R->t, sizeof *nt * (size_t)(R->n + 1));
	if (!nt)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	R->t = nt;
	double *nrt = realloc(R->rt, sizeof *nrt * (size_t)(R->n + 1));
	if (!nrt)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	R->rt = nrt;
	/* keep pillars sorted by time (insertion; files are short) */
	int k = R->n;
	while (k > 0 && R->t[k - 1] > t) {
		R->t[k] = R->t[k - 1];
		R->rt[k] = R->rt[k - 1];
		k--;
	}
	if (k > 0 && R->t[k - 1] == t)
		return csvr_field_error(r, idx[2], e, "duplicate pillar '%s'", csvr_field(r, idx[2], NULL));
	R->t[k] = t;
	R->rt[k] = rate * t;
	R->n++;
	return 0;
}

static int row_fixing(market *m, csv_reader *r, const int *idx, qe_err *e)
{
	const char *name = csvr_get_str(r, idx[0], e);
	if (!name)
		return e->code;
	int i = add_curve(m, name, e);
	if (i < 0)
		return row_curve_error(r, idx[0], name, e);
	mkt_curve *c = &m->c[i];
	qe_date d;
	double p;
	if (csvr_get_date(r, idx[1], &d, e) || csvr_get_double(r, idx[2], &p, e))
		return e->code;
	if (c->nfix && c->fix_date[c->nfix - 1] >= d) {
		/* keep sorted; the bundled files are, others may not be */
		int k = c->nfix - 1;
		while (k >= 0 && c->fix_date[k] > d)
			k--;
		if (k >= 0 && c->fix_date[k] == d)
			return csvr_field_error(r, idx[1], e, "duplicate fixing '%s'", csvr_field(r, idx[1], NULL));
	}
	qe_date *nd = realloc(c->fix_date, sizeof *nd * (size_t)(c->nfix + 1));
	if (!nd)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	c->fix_date = nd;
	double *np = realloc(c->fix_price, sizeof *np * (size_t)(c->nfix + 1));
	if (!np)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	c->fix_price = np;
	int k = c->nfix;
	while (k > 0 && c->fix_date[k - 1] > d) {
		c->fix_date[k] = c->fix_date[k - 1];
		c->fix_price[k] = c->fix_price[k - 1];
		k--;
	}
	c->fix_date[k] = d;
	c->fix_price[k] = p;
	c->nfix++;
	return 0;
}

static int cmp_quote(const void *a, const void *b)
{
	const mkt_quote *x = a, *y = b;
	return (x->first > y->first) - (x->first < y->first);
}

/* A vol point's sort key: type, period, then strike with the ATM rows
 * first, then file order (so equal strikes keep it). */
struct volkey {
	int normal, atm, i;
	qe_date first, last;
	double strike;
};

static int cmp_volkey(const void *a, const void *b)
{
	const struct volkey *x = a, *y = b;
	if (x->normal != y->normal)
		return x->normal - y->normal;
	if (x->first != y->first)
		return (x->first > y->first) - (x->first < y->first);
	if (x->last != y->last)
		return (x->last > y->last) - (x->last < y->last);
	if (x->atm != y->atm)
		return y->atm - x->atm;
	if (!x->atm && x->strike != y->strike)
		return (x->strike > y->strike) - (x->strike < y->strike);
	return (x->i > y->i) - (x->i < y->i);
}

/* Indexes the vol points of c once, so that mkt_vol is a binary search
 * rather than a scan of every point of the curve per call. */
static int vol_index(mkt_curve *c, const char *path, qe_err *e)
{
	struct mkt_volidx *x = calloc(1, sizeof *x);
	if (!x || !(x->ix = malloc(sizeof *x->ix * (size_t)c->nv)) ||
	    !(x->per[0] = malloc(sizeof *x->per[0] * (size_t)c->nv)) ||
	    !(x->per[1] = malloc(sizeof *x->per[1] * (size_t)c->nv))) {
		if (x) {
			free(x->ix);
			free(x->per[0]);
			free(x);
		}
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	c->vix = x;
	struct volkey *k = malloc(sizeof *k * (size_t)c->nv);
	if (!k)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (int i = 0; i < c->nv; i++) {
		const mkt_volpt *v = &c->v[i];
		k[i] = (struct volkey){v->normal, isnan(v->strike) != 0, i, v->first, v->last, v->strike};
	}
	qsort(k, (size_t)c->nv, sizeof *k, cmp_volkey);
	for (int i = 0; i < c->nv; i++)
		x->ix[i] = k[i].i;
	free(k);
	for (int i = 0; i < c->nv;) {
		const mkt_volpt *v = &c->v[x->ix[i]];
		int t = v->normal;
		struct mkt_volper *p = &x->per[t][x->nper[t]];
		if (x->nper[t] && p[-1].last >= v->first) {
			char a[16], b[16];
			date_format(a, p[-1].first);
			date_format(b, v->first);
			return qe_err_set(e, QE_DATA, "%s: curve %s: %s vol periods from %s and %s overlap",
					  path, c->name, t ? "normal" : "lognormal", a, b);
		}
		*p = (struct mkt_volper){v->first, v->last, i, i, -1};
		for (; i < c->nv; i++) {
			const mkt_volpt *w = &c->v[x->ix[i]];
			if (w->normal != t || w->first != p->first || w->last != p->last)
				break;
			if (isnan(w->strike)) { /* ATM rows sort first, in file order */
				p->atm = x->ix[i];
				p->lo = i + 1;
			}
		}
		p->hi = i;
		x->nper[t]++;
	}
	return 0;
}


/* c->front: the front month of each day from the one after the as-of
 * date to the end of c's last quote, by contract_front_month()'s rule
 * (the first month from d's on whose contract's last trading day is on
 * or after d, within 24 months) walked once over the days: the front
 * month never goes back, so each month's last trading day is asked
 * once.  A day whose answer is an error stays -1 (the caller asks
 * curvemaster_front_month(), which reports it).  0, or -1 when out of
 * memory. */
static int front_table(const market *m, mkt_curve *c)
{
	if (!c->master || !m->master || !c->cal || c->nq == 0 || !curvemaster_fixes_front(c->master))
		return 0;
	qe_date first = m->asof + 1, last = c->q[c->nq - 1].last;
	if (last < first)
		return 0;
	long n = (long)(last - first) + 1;
	qe_date *at = malloc(sizeof *at * (size_t)n);
	if (!at)
		return -1;
	for (long i = 0; i < n; i++)
		at[i] = -1;
	qe_date month = 0, ltd = 0;
	int have = 0;
	qe_err le;
	for (long i = 0; i < n; i++) {
		qe_date d = first + (qe_date)i, m0 = date_add_months_first(d, 0);
		qe_date mend = date_add_months_first(m0, 24);
		if (!have || month < m0) {
			month = m0;
			if (contract_last_trade(c->master->product, c->cal, month, &ltd, &le))
				break;
			have = 1;
		}
		int ok = 1;
		while (ltd < d) {
			month = date_add_months_first(month, 1);
			if (month >= mend || contract_last_trade(c->master->product, c->cal, month, &ltd, &le)) {
				ok = 0;
				break;
			}
		}
		if (!ok)
			break;
		at[i] = month;
	}
	c->front = at;
	c->front_first = first;
	c->nfront = n;
	return 0;
}
market *mkt_load(const struct mkt_paths *p, qe_date asof, qe_err *e)
{
	market *m = calloc(1, sizeof *m);
	if (!m) {
		qe_err_set(e, QE_INTERNAL, "out of memory");
		return NULL;
	}
	m->asof = asof;
	if ((m->hours = calloc(1, sizeof *m->hours)) &&
	    !(m->hours->e = calloc(m->hours->cap = 1024, sizeof *m->hours->e))) {
		free(m->hours);
		m->hours = NULL;
	}

#define CCOL(c) formats_colname(FMT_PRICES, FMT_PR_##c)
#define VCOL(c) formats_colname(FMT_VOLS, FMT_VO_##c)
#define RCOL(c) formats_colname(FMT_RATES, FMT_RA_##c)
#define FCOL(c) formats_colname(FMT_FIXINGS, FMT_FI_##c)
	const char *const ccols[] = {CCOL(CURVE), CCOL(ASOF), CCOL(DSTART), CCOL(DEND), CCOL(PRICE)};
	const char *const vcols[] = {VCOL(CURVE), VCOL(ASOF), VCOL(DSTART), VCOL(DEND),
				     VCOL(STRIKE), VCOL(VOL), VCOL(TYPE)};
	const char *const rcols[] = {RCOL(CCY), RCOL(ASOF), RCOL(DATE), RCOL(RATE)};
	const char *const fcols[] = {FCOL(CURVE), FCOL(DATE), FCOL(PRICE)};
#undef CCOL
#undef VCOL
#undef RCOL
#undef FCOL
	if ((p->markets && (!(m->master = curvemaster_load(p->markets, e)) || master_curves(m, e))) ||
	    each_row(m, p->curves, ccols, 5, row_curve, e) ||
	    (p->vols && each_row(m, p->vols, vcols, 7, row_vol, e)) ||
	    (p->rates && each_row(m, p->rates, rcols, 4, row_rate, e)) ||
	    (p->fixings && each_row(m, p->fixings, fcols, 3, row_fixing, e))) {
		mkt_free(m);
		return NULL;
	}
	for (int i = 0; i < m->nc; i++) {
		mkt_curve *c = &m->c[i];
		if (c->nq > 1) /* a curve of the master may have no quote (q NULL) */
			qsort(c->q, (size_t)c->nq, sizeof *c->q, cmp_quote);
		for (int k = 1; k < c->nq; k++)
			if (c->q[k].first <= c->q[k - 1].last) {
				char a[16], b[16];
				date_format(a, c->q[k - 1].first);
				date_format(b, c->q[k].first);
				qe_err_set(e, QE_DATA, "%s: curve %s: quotes from %s and %s overlap",
					   p->curves, c->name, a, b);
				mkt_free(m);
				return NULL;
			}
	}
	for (int i = 0; i < m->nc; i++) {
		m->c[i].asof = asof;
		if (m->c[i].nv && vol_index(&m->c[i], p->vols, e)) {
			mkt_free(m);
			return NULL;
		}
	}
	if (m->master) {
		if (curvemaster_load_calendars(m->master, p->calendars, e)) {
			mkt_free(m);
			return NULL;
		}
		for (int i = 0; i < m->nc; i++)
			if (m->c[i].master)
				m->c[i].cal = curvemaster_calendar(m->master, m->c[i].master);
		for (int i = 0; i < m->nc; i++)
			if (front_table(m, &m->c[i])) {
				mkt_free(m);
				qe_err_set(e, QE_INTERNAL, "out of memory");
				return NULL;
			}
	}
	return m;
}

int mkt_front_month(const mkt_curve *c, qe_date d, qe_date *month_first)
{
	long i = (long)d - (long)c->front_first;
	if (!c->front || i < 0 || i >= c->nfront || c->front[i] < 0)
		return 0;
	*month_first = c->front[i];
	return 1;
}

static size_t hslot(const struct mkt_hcache *h, const mkt_curve *c, int shape, qe_date a, qe_date b)
{
	uint64_t k = (uint64_t)(uintptr_t)c * 0x9E3779B97F4A7C15ull ^ (uint64_t)shape * 0xC2B2AE3D27D4EB4Full ^
		     (uint64_t)(uint32_t)a * 0x165667B19E3779F9ull ^ (uint64_t)(uint32_t)b * 0x27D4EB2F165667C5ull;
	k ^= k >> 29;
	size_t i = (size_t)k & (h->cap - 1);
	while (h->e[i].c && !(h->e[i].c == c && h->e[i].shape == shape && h->e[i].first == a &&
			      h->e[i].last == b))
		i = (i + 1) & (h->cap - 1);
	return i;
}

int64_t mkt_shape_hours(const market *m, const mkt_curve *c, int shape, qe_date first,
			qe_date last, qe_err *e)
{
	struct mkt_hcache *h = m->hours;
	int64_t got = -2;
	if (h) {
#pragma omp critical(mkt_hours)
		{
			size_t i = hslot(h, c, shape, first, last);
			if (h->e[i].c)
				got = h->e[i].hours;
		}
		if (got != -2)
			return got;
	}
	int64_t hours = shape_hours(shape, first, last, c->tz, e);
	if (hours < 0 || !h)
		return hours;
#pragma omp critical(mkt_hours)
	{
		if (2 * (h->n + 1) > h->cap) {
			/* grow and rehash */
			struct mkt_hcache old = *h;
			size_t cap = old.cap * 2;
			struct hentry *ne = calloc(cap, sizeof *ne);
			if (ne) {
				h->e = ne;
				h->cap = cap;
				h->n = 0;
				for (size_t k = 0; k < old.cap; k++)
					if (old.e[k].c) {
						h->e[hslot(h, old.e[k].c, old.e[k].shape, old.e[k].first,
							   old.e[k].last)] = old.e[k];
						h->n++;
					}
				free(old.e);
			}
		}
		if (2 * (h->n + 1) <= h->cap) {
			size_t i = hslot(h, c, shape, first, last);
			if (!h->e[i].c) {
				h->e[i] = (struct hentry){c, shape, first, last, hours};
				h->n++;
			}
		}
	}
	return hours;
}

void mkt_free(market *m)
{
	if (!m)
		return;
	if (m->hours) {
		free(m->hours->e);
		free(m->hours);
	}
	for (int i = 0; i < m->nc; i++) {
		mkt_curve *c = &m->c[i];
		tz_free(c->tz);
		free(c->q);
		free(c->v);
		if (c->vix) {
			free(c->vix->per[0]);
			free(c->vix->per[1]);
			free(c->vix->ix);
			free((struct mkt_volidx *)c->vix);
		}
		free(c->fix_date);
		free(c->fix_price);
		free((qe_date *)c->front);
	}
	for (int i = 0; i < m->nr; i++) {
		free(m->r[i].t);
		free(m->r[i].rt);
	}
	free(m->c);
	free(m->r);
	curvemaster_free(m->master);
	free(m);
}

const mkt_curve *mkt_curve_find(const market *m, const char *name)
{
	for (int i = 0; i < m->nc; i++)
		if (strcmp(m->c[i].name, name) == 0)
			return &m->c[i];
	return NULL;
}

int mkt_quote_at(const mkt_curve *c, qe_date d)
{
	int lo = 0, hi = c->nq - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (d < c->q[mid].first)
			hi = mid - 1;
		else if (d > c->q[mid].last)
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

int mkt_fixing(const mkt_curve *c, qe_date d, double *price)
{
	int lo = 0, hi = c->nfix - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (c->fix_date[mid] == d) {
			*price = c->fix_price[mid];
			return 0;
		}
		if (c->fix_date[mid] < d)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* The smile of period p at strike K: linear between the quoted strikes,
 * flat beyond them, the ATM row without strikes or for K = NAN. */
static int vol_smile(const mkt_curve *c, const struct mkt_volper *p, double K, double *vol)
{
	const int *ix = c->vix->ix + p->lo;
	int n = p->hi - p->lo;
	if (n == 0 || isnan(K)) {
		if (p->atm < 0)
			return -1;
		*vol = c->v[p->atm].vol;
		return 0;
	}
	const mkt_volpt *v = c->v;
	if (K <= v[ix[0]].strike || n == 1) {
		*vol = v[ix[0]].vol;
	} else if (K >= v[ix[n - 1]].strike) {
		*vol = v[ix[n - 1]].vol;
	} else {
		int lo = 1, hi = n - 1; /* the first strike not below K */
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (v[ix[mid]].strike < K)
				lo = mid + 1;
			else
				hi = mid;
		}
		const mkt_volpt *a = &v[ix[lo - 1]], *b = &v[ix[lo]];
		double w = (K - a->strike) / (b->strike - a->strike);
		*vol = a->vol + w * (b->vol - a->vol);
	}
	return 0;
}

int mkt_vol(const mkt_curve *c, qe_date d, double K, int normal, double *vol)
{
	const struct mkt_volidx *x = c->vix;
	int t = normal ? 1 : 0;
	if (!x || x->nper[t] == 0)
		return -1;
	const struct mkt_volper *p = x->per[t];
	int n = x->nper[t], lo = 0, hi = n; /* lo: the first period starting after d */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (p[mid].first <= d)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && d <= p[lo - 1].last)
		return vol_smile(c, &p[lo - 1], K, vol);
	/* before the first period: flat, which is also what total variance
	 * interpolated from zero at the as-of date gives */
	if (lo == 0)
		return vol_smile(c, &p[0], K, vol);
	if (lo == n)
		return d - p[n - 1].last > MKT_VOL_EXTRAP_DAYS ? -1 : vol_smile(c, &p[n - 1], K, vol);
	double s1, s2;
	if (vol_smile(c, &p[lo - 1], K, &s1) || vol_smile(c, &p[lo], K, &s2))
		return -1;
	double tt = date_yf_act365(c->asof, d), t1 = date_yf_act365(c->asof, p[lo - 1].first),
	       t2 = date_yf_act365(c->asof, p[lo].first);
	if (!(s1 >= 0 && s2 >= 0) || !(tt > 0)) {
		/* a bad vol goes on to the pricer, which names it */
		*vol = !(s1 >= 0) ? s1 : s2;
		return 0;
	}
	t1 = t1 > 0 ? t1 : 0;
	double w = (tt - t1) / (t2 - t1);
	*vol = sqrt(((1 - w) * s1 * s1 * t1 + w * s2 * s2 * t2) / tt);
	return 0;
}

int mkt_discount(const market *m, const char *ccy, qe_date d, double *df, double *zero)
{
	const mkt_rates *R = NULL;
	for (int i = 0; i < m->nr; i++)
		if (strcmp(m->r[i].currency, ccy) == 0)
			R = &m->r[i];
	if (!R || R->n == 0)
		return -1;
	double t = date_yf_act365(m->asof, d), z;
	if (t <= R->t[0]) {
		z = R->rt[0] / R->t[0];
	} else if (t >= R->t[R->n - 1]) {
		z = R->rt[R->n - 1] / R->t[R->n - 1];
	} else {
		int k = 1;
		while (R->t[k] < t)
			k++;
		double w = (t - R->t[k - 1]) / (R->t[k] - R->t[k - 1]);
		z = (R->rt[k - 1] + w * (R->rt[k] - R->rt[k - 1])) / t;
	}
	*zero = z;
	*df = exp(-z * (t > 0 ? t : 0));
	return 0;
}
