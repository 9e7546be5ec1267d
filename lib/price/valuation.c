#include "price/valuation.h"

#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "price/american.h"
#include "price/asian.h"
#include "price/black76.h"
#include "price/formula.h"
#include "io/csvblock.h"
#include "io/csvio.h"
#include "io/formats.h"
#include "io/h5table.h"
#include "price/kirk.h"
#include "ingest/schema.h"
#include "core/num.h"
#include "core/par.h"
#include "market/market.h"
#include "time/period.h"
#include "core/strindex.h"

enum instr { I_FUTURE, I_FORWARD, I_SWAP, I_PHYSICAL, I_OPTION, I_ASIAN, I_SPREAD, I_SPOT, I_BAD };
static const char *const instr_names[] = {"future", "forward", "swap", "physical",
					  "option", "asian", "spread", "spot"};

typedef struct trade {
	/* identifiers within the limit of ingest/schema.h */
	char id[SCHEMA_ID_MAX + 1], book[SCHEMA_ID_MAX + 1], curve[SCHEMA_ID_MAX + 1];
	char curve2[SCHEMA_ID_MAX + 1], currency[4], unit[8], shape[12];
	char model[16];
	int instr, side, type, american, version, cancel;
	double qty, price, strike, ratio;
	qe_date ds, de, expiry, avg_s, avg_e;
	int has_expiry, has_avg, has_strike, has_ratio;
	char err[200]; /* set when the row itself is bad */
} trade;

typedef struct sens {
	short curve, quote;
	double delta, gamma, vega;
	short curve2, quote2; /* a cross-gamma row: the second factor; -1 otherwise */
} sens;

/* A trade's result.  Every field travels between MPI ranks in
 * pack_result / unpack_result (valuation_price_share): a new field goes
 * there too. */
typedef struct result {
	double npv, undisc, delta, gamma, vega, theta;
	const char *model;
	sens *s;
	int ns, status; /* 0 priced, 1 error, 2 matured */
	char err[200];
} result;

/* ---- trades ------------------------------------------------------------ */

static int lower_copy(char *dst, size_t cap, const char *s, size_t len)
{
	if (len >= cap)
		return -1;
	for (size_t i = 0; i < len; i++)
		dst[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	dst[len] = '\0';
	return 0;
}

enum tcol { C_ID, C_VERSION, C_STATUS, C_BOOK, C_INSTR, C_CURVE, C_SIDE, C_QTY, C_UNIT, C_PRICE,
	    C_CCY, C_DS, C_DE, C_SHAPE, C_OTYPE, C_STRIKE, C_EXERCISE, C_EXPIRY, C_AVGS, C_AVGE,
	    C_CURVE2, C_RATIO, C_MODEL, C_N };

/* The trades columns (io/formats.h) of enum tcol. */
static const int tcols_fmt[C_N] = {
	FMT_TR_ID, FMT_TR_VERSION, FMT_TR_STATUS, FMT_TR_BOOK, FMT_TR_INSTR, FMT_TR_CURVE, FMT_TR_SIDE,
	FMT_TR_QTY, FMT_TR_UNIT, FMT_TR_PRICE, FMT_TR_CCY, FMT_TR_DSTART, FMT_TR_DEND, FMT_TR_SHAPE,
	FMT_TR_OTYPE, FMT_TR_STRIKE, FMT_TR_EXERCISE, FMT_TR_EXPIRY, FMT_TR_AVGS, FMT_TR_AVGE,
	FMT_TR_CURVE2, FMT_TR_RATIO, FMT_TR_MODEL};

/* A row of trades.csv or of the HDF5 table /trades (qe-ingest --to h5). */
typedef struct rowsrc {
	csv_reader *c;
	h5tab_reader *h;
	long row;
} rowsrc;

static long rs_line(const rowsrc *r)
{
	return r->c ? csvr_line(r->c) : r->row;
}

/* The text of source column col (-1: absent) as the validator reads it:
 * the CSV field, or the HDF5 value printed as `qe-ingest --from h5` prints
 * it (buf holds NUM_BUFSZ bytes). */
static csvscan_field rs_text(const rowsrc *r, int col, char *buf)
{
	csvscan_field f = {"", 0};
	if (col < 0)
		return f;
	if (r->c) {
		f.p = csvr_field(r->c, col, &f.len);
		return f;
	}
	switch (h5tab_colkind(r->h, col)) {
	case H5TAB_STRING:
		f.p = h5tab_str(r->h, col);
		f.len = strlen(f.p);
		return f;
	case H5TAB_DOUBLE: {
		double x = h5tab_double(r->h, col);
		if (!isnan(x))
			f.len = (size_t)num_format_double(buf, x);
		break;
	}
	case H5TAB_DATE: {
		int64_t d = h5tab_int64(r->h, col);
		if (d != H5TAB_MISSING_INT && d > -1000000 && d < 1000000) {
			date_format(buf, (qe_date)d);
			f.len = 10;
		}
		break;
	}
	default: {
		int64_t x = h5tab_int64(r->h, col);
		if (x != H5TAB_MISSING_INT)
			f.len = (size_t)snprintf(buf, NUM_BUFSZ, "%lld", (long long)x);
	}
	}
	f.p = buf;
	return f;
}

/* A canonical trades row (ingest/schema.h), one NUL-terminated field per
 * trades column in schema order: what parse_trade reads. */
typedef struct canon_row {
	const char *v[FMT_TR_N];
	size_t len[FMT_TR_N];
} canon_row;

static const char *rs_field(const canon_row *r, int col, size_t *len)
{
	if (len)
		*len = r->len[col];
	return r->v[col];
}

static int rs_empty(const canon_row *r, int col)
{
	return r->len[col] == 0;
}

/* A canonical row holds only values the validator accepted. */
static int rs_bad(int col, qe_err *e)
{
	return qe_err_set(e, QE_INTERNAL, "column '%s': not a canonical value",
			  formats_colname(FMT_TRADES, col));
}

static int rs_double(const canon_row *r, int col, double *out, qe_err *e)
{
	return num_parse_double(r->v[col], r->len[col], out) == NUM_OK ? 0 : rs_bad(col, e);
}

static int rs_int(const canon_row *r, int col, int64_t *out, qe_err *e)
{
	return num_parse_int64(r->v[col], r->len[col], out) == NUM_OK ? 0 : rs_bad(col, e);
}

static int rs_date(const canon_row *r, int col, qe_date *out, qe_err *e)
{
	return date_parse(r->v[col], r->len[col], out) == 0 ? 0 : rs_bad(col, e);
}

#define TERR(...) (snprintf(t->err, sizeof t->err, __VA_ARGS__), 0)

/* Parses one canonical row (validated by ingest/schema) into t; a field
 * pricing cannot use sets t->err (the row is still kept so the trade is
 * reported by id).  ix maps enum tcol to the row's columns. */
static int parse_trade(const canon_row *r, const int *ix, trade *t)
{
	qe_err e;
	size_t len;
	const char *s;
	memset(t, 0, sizeof *t);
	s = rs_field(r, ix[C_ID], &len);
	memcpy(t->id, s, len < sizeof t->id ? len : sizeof t->id - 1);
#define GETD(col, dst) (rs_double(r, ix[col], dst, &e) ? TERR("%s", e.msg) : 1)
#define GETDATE(col, dst) (rs_date(r, ix[col], dst, &e) ? TERR("%s", e.msg) : 1)
#define OPTCOL(col) (ix[col] >= 0 && !rs_empty(r, ix[col]))
	int64_t v = 1;
	if (ix[C_VERSION] >= 0 && !rs_empty(r, ix[C_VERSION]) &&
	    rs_int(r, ix[C_VERSION], &v, &e))
		return TERR("%s", e.msg);
	t->version = (int)v;
	s = ix[C_STATUS] >= 0 ? rs_field(r, ix[C_STATUS], &len) : "";
	t->cancel = strcasecmp(s, "cancel") == 0;
	if (s[0] && !t->cancel && strcasecmp(s, "new") && strcasecmp(s, "amend"))
		return TERR("unknown status '%s'", s);
	s = rs_field(r, ix[C_BOOK], &len);
	if (lower_copy(t->book, sizeof t->book, s, len))
		return TERR("book name too long");
	memcpy(t->book, s, len); /* books keep their case */
	s = rs_field(r, ix[C_INSTR], &len);
	t->instr = I_BAD;
	for (int i = 0; i < I_BAD; i++)
		if (strlen(instr_names[i]) == len && strncasecmp(s, instr_names[i], len) == 0)
			t->instr = i;
	if (t->instr == I_BAD)
		return TERR("unknown instrument '%s'", s);
	s = rs_field(r, ix[C_CURVE], &len);
	if (len == 0 || len >= sizeof t->curve)
		return TERR("missing or too long curve '%s'", s);
	memcpy(t->curve, s, len);
	s = rs_field(r, ix[C_SIDE], &len);
	t->side = strcasecmp(s, "buy") == 0 ? 1 : strcasecmp(s, "sell") == 0 ? -1 : 0;
	if (!t->side)
		return TERR("side must be buy or sell '%s'", s);
	/* the validator requires a price but of options (premium, not valued) */
	if (!GETD(C_QTY, &t->qty) || (OPTCOL(C_PRICE) && !GETD(C_PRICE, &t->price)))
		return 0;
	if (!(t->qty > 0))
		return TERR("quantity must be positive '%s'", rs_field(r, ix[C_QTY], NULL));
	s = rs_field(r, ix[C_UNIT], &len);
	if (len == 0 || len >= sizeof t->unit)
		return TERR("missing or unknown unit '%s'", s);
	memcpy(t->unit, s, len);
	s = rs_field(r, ix[C_CCY], &len);
	if (len != 3)
		return TERR("currency must be an ISO 4217 code '%s'", s);
	memcpy(t->currency, s, len);
	if (!GETDATE(C_DS, &t->ds) || !GETDATE(C_DE, &t->de))
		return 0;
	if (t->de < t->ds)
		return TERR("delivery_end before delivery_start");
	s = ix[C_SHAPE] >= 0 ? rs_field(r, ix[C_SHAPE], &len) : "";
	if (ix[C_SHAPE] < 0)
		len = 0;
	if (lower_copy(t->shape, sizeof t->shape, s, len))
		return TERR("unknown shape '%s'", s);
	if (OPTCOL(C_MODEL)) {
		s = rs_field(r, ix[C_MODEL], &len);
		if (lower_copy(t->model, sizeof t->model, s, len) ||
		    (strcmp(t->model, "black76") && strcmp(t->model, "bachelier")))
			return TERR("model must be black76 or bachelier '%s'", s);
	}
	if (t->instr == I_OPTION || t->instr == I_ASIAN || t->instr == I_SPREAD) {
		s = ix[C_OTYPE] >= 0 ? rs_field(r, ix[C_OTYPE], &len) : "";
		if (!(t->type = opt_type_parse(s)))
			return TERR("option_type must be call or put '%s'", s);
		if (!OPTCOL(C_STRIKE))
			return TERR("missing strike");
		if (!GETD(C_STRIKE, &t->strike))
			return 0;
		if (!OPTCOL(C_EXPIRY))
			return TERR("missing expiry");
		if (!GETDATE(C_EXPIRY, &t->expiry))
			return 0;
		t->has_expiry = 1;
		s = ix[C_EXERCISE] >= 0 ? rs_field(r, ix[C_EXERCISE], &len) : "";
		if (strcasecmp(s, "american") == 0)
			t->american = 1;
		else if (s[0] && strcasecmp(s, "european"))
			return TERR("exercise must be european or american '%s'", s);
	}
	if (t->instr == I_ASIAN && OPTCOL(C_AVGS) && OPTCOL(C_AVGE)) {
		if (!GETDATE(C_AVGS, &t->avg_s) || !GETDATE(C_AVGE, &t->avg_e))
			return 0;
		if (t->avg_e < t->avg_s)
			return TERR("avg_end before avg_start");
		t->has_avg = 1;
	}
	if (t->instr == I_SPREAD) {
		s = ix[C_CURVE2] >= 0 ? rs_field(r, ix[C_CURVE2], &len) : "";
		if (ix[C_CURVE2] < 0 || len == 0 || len >= sizeof t->curve2)
			return TERR("spread needs curve2");
		memcpy(t->curve2, s, len);
		t->ratio = 1.0;
		if (OPTCOL(C_RATIO) && !GETD(C_RATIO, &t->ratio))
			return 0;
	}
	return 0;
}

/* ---- pricing helpers ---------------------------------------------------- */

static int rerr(result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int rerr(result *res, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->err, sizeof res->err, fmt, ap);
	va_end(ap);
	res->status = 1;
	return -1;
}
#define RERR(...) rerr(res, __VA_ARGS__)

static int add_sens(result *res, int curve, int quote, double d, double g, double v)
{
	for (int i = 0; i < res->ns; i++)
		if (res->s[i].curve == curve && res->s[i].quote == quote && res->s[i].curve2 < 0) {
			res->s[i].delta += d;
			res->s[i].gamma += g;
			res->s[i].vega += v;
			return 0;
		}
	sens *ns = realloc(res->s, sizeof *ns * (size_t)(res->ns + 1));
	if (!ns)
		return RERR("out of memory");
	res->s = ns;
	res->s[res->ns++] = (sens){(short)curve, (short)quote, d, g, v, -1, -1};
	return 0;
}

/* A cross-gamma row: d2V/dF_i dF_j of quote i (curve, quote) and quote j
 * (curve2, quote2), one row for the pair (qe-formats(5), SENSITIVITIES). */
static int add_cross(result *res, int curve, int quote, int curve2, int quote2, double g)
{
	for (int i = 0; i < res->ns; i++)
		if (res->s[i].curve == curve && res->s[i].quote == quote && res->s[i].curve2 == curve2 &&
		    res->s[i].quote2 == quote2) {
			res->s[i].gamma += g;
			return 0;
		}
	sens *ns = realloc(res->s, sizeof *ns * (size_t)(res->ns + 1));
	if (!ns)
		return RERR("out of memory");
	res->s = ns;
	res->s[res->ns++] = (sens){(short)curve, (short)quote, 0, g, 0, (short)curve2, (short)quote2};
	return 0;
}

static int trade_shape(const trade *t, const mkt_curve *c, int *shape)
{
	if (t->shape[0])
		return shape_parse(t->shape, strlen(t->shape), shape);
	*shape = c->shape;
	return 0;
}

static int is_unit(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* Commodity units delivered over the days [first, last] of the trade's
 * delivery period [t->ds, t->de]. */
static int piece_volume(const market *m, const trade *t, const mkt_curve *c, qe_date first,
			qe_date last, double *out, result *res)
{
	int shape = -1;
	qe_err e;
	int hourly = is_unit(c->unit, "MWh");
	if (trade_shape(t, c, &shape))
		return RERR("unknown shape '%s'", t->shape);
	if (is_unit(t->unit, "MW") || (is_unit(t->unit, "lots") && hourly)) {
		if (!hourly)
			return RERR("unit %s needs a curve priced per MWh, %s is per %s", t->unit, c->name, c->unit);
		if (shape < 0)
			return RERR("no delivery shape for %s", t->unit);
		if (!c->tz)
			return RERR("curve %s has no time zone (not in markets)", c->name);
		int64_t h = mkt_shape_hours(m, c, shape, first, last, &e);
		if (h < 0)
			return RERR("%s", e.msg);
		*out = t->qty * (double)h * (is_unit(t->unit, "lots") ? c->lot_size : 1.0);
		return 0;
	}
	double frac = (double)(last - first + 1) / (double)(t->de - t->ds + 1);
	if (hourly && shape >= 0 && c->tz && (last > first || first != t->ds || last != t->de)) {
		int64_t hp = mkt_shape_hours(m, c, shape, first, last, &e);
		int64_t ht = hp >= 0 ? mkt_shape_hours(m, c, shape, t->ds, t->de, &e) : -1;
		if (hp < 0 || ht < 0)
			return RERR("%s", e.msg);
		frac = ht > 0 ? (double)hp / (double)ht : 0.0;
	}
	if (is_unit(t->unit, "MMBtu/d")) {
		if (!is_unit(c->unit, "MMBtu"))
			return RERR("unit MMBtu/d needs a curve priced per MMBtu, %s is per %s", c->name, c->unit);
		*out = t->qty * (double)(last - first + 1);
		return 0;
	}
	if (is_unit(t->unit, "lots")) {
		*out = t->qty * c->lot_size * frac;
		return 0;
	}
	if (!is_unit(t->unit, c->unit))
		return RERR("unit %s does not match curve %s priced per %s", t->unit, c->name, c->unit);
	*out = t->qty * frac;
	return 0;
}

/* Day-weighted average forward of curve c over [a, b]; quote weights go
 * to w (indexed by quote, zeroed by the caller). */
static int avg_forward(const market *m, const mkt_curve *c, qe_date a, qe_date b, double *F,
		       double *w, result *res)
{
	double sum = 0;
	qe_date d = a;
	while (d <= b) {
		int q = mkt_quote_at(c, d);
		if (q < 0) {
			char buf[16];
			date_format(buf, d);
			return RERR("no forward price for %s on %s", c->name, buf);
		}
		qe_date end = c->q[q].last < b ? c->q[q].last : b;
		double n = (double)(end - d + 1);
		sum += n * (c->q[q].price + m->bump);
		w[q] += n;
		d = end + 1;
	}
	double tot = (double)(b - a + 1);
	for (int q = 0; q < c->nq; q++)
		w[q] /= tot;
	*F = sum / tot;
	return 0;
}

/* The quote that projects the index fixing of pricing day d (after the
 * as-of date) of a swap or an Asian: for a curve whose index is a
 * futures settlement (curvemaster_fixes_front) the quote of the contract
 * that is front month on d - the one the fixing of d will be - not the
 * quote of the calendar month containing d; for a spot or day-ahead index
 * the quote covering d.  *month_first is the quoted month's day that the
 * vol surface is asked for. */
static int index_quote(const market *m, const mkt_curve *c, qe_date d, int *q, qe_date *month_first,
		       result *res)
{
	char buf[16], mb[16];
	qe_date at = d;
	if (mkt_front_month(c, d, &at)) {
		/* the market's table */
	} else if (c->master && m->master && curvemaster_fixes_front(c->master)) {
		qe_err e;
		if (curvemaster_front_month(m->master, c->master, d, &at, &e))
			return RERR("front month of %s on pricing day: %s", c->name, e.msg);
	}
	if ((*q = mkt_quote_at(c, at)) < 0) {
		date_format(buf, d);
		if (at == d)
			return RERR("no forward price for %s on %s", c->name, buf);
		date_format(mb, at);
		return RERR("no forward price for %s's %.7s contract, front month on %s", c->name, mb, buf);
	}
	*month_first = at;
	return 0;
}

static int discount(const market *m, const trade *t, qe_date d, double *D, double *z, result *res)
{
	if (mkt_discount(m, t->currency, d, D, z))
		return RERR("no %s rates", t->currency);
	return 0;
}

static const mkt_curve *need_curve(const market *m, const char *name, result *res)
{
	const mkt_curve *c = mkt_curve_find(m, name);
	if (!c || !c->has_master)
		return RERR("unknown curve '%s' (not in markets)", name), NULL;
	return c;
}

static int curve_index(const market *m, const mkt_curve *c)
{
	return (int)(c - m->c);
}

/* ---- instruments -------------------------------------------------------- */

static int price_linear(const market *m, const trade *t, const mkt_curve *c, result *res)
{
	qe_date a = t->ds > m->asof ? t->ds : m->asof + 1;
	int future = t->instr == I_FUTURE;
	if (future ? t->ds <= m->asof : t->de <= m->asof)
		return res->status = 2, 0;
	if (a > t->de)
		return res->status = 2, 0;
	res->model = future ? "future" : t->instr == I_SPOT ? "spot" : "forward";
	qe_date d = a;
	while (d <= t->de) {
		int q = mkt_quote_at(c, d);
		if (q < 0) {
			char buf[16];
			date_format(buf, d);
			return RERR("no forward price for %s on %s", c->name, buf);
		}
		qe_date end = c->q[q].last < t->de ? c->q[q].last : t->de;
		double vol, D = 1, z = 0, F = c->q[q].price + m->bump;
		if (piece_volume(m, t, c, d, end, &vol, res))
			return -1;
		if (!future && discount(m, t, end, &D, &z, res))
			return -1;
		double und = t->side * vol * (F - t->price);
		res->undisc += und;
		res->npv += und * D;
		res->delta += t->side * vol * D;
		res->theta += z * und * D;
		if (add_sens(res, curve_index(m, c), q, t->side * vol * D, 0, 0))
			return -1;
		d = end + 1;
	}
	return 0;
}

static int price_swap(const market *m, const trade *t, const mkt_curve *c, result *res)
{
	if (t->de <= m->asof)
		return res->status = 2, 0;
	if (!c->cal)
		return RERR("curve %s has no business-day calendar", c->name);
	res->model = "swap";
	int total = 0;
	for (qe_date d = t->ds; d <= t->de; d++)
		total += cal_is_business_day(c->cal, d);
	if (total == 0)
		return RERR("no pricing days in the calculation period");
	double *w = calloc((size_t)c->nq + 1, sizeof *w);
	if (!w)
		return RERR("out of memory");
	qe_date p0 = t->ds;
	int rc = 0;
	while (p0 <= t->de && !rc) {
		int y, mo, dd;
		date_to_ymd(p0, &y, &mo, &dd);
		qe_date p1 = date_from_ymd(y, mo, date_days_in_month(y, mo));
		if (p1 > t->de)
			p1 = t->de;
		int n = 0;
		double sum = 0;
		memset(w, 0, sizeof *w * (size_t)c->nq);
		for (qe_date d = p0; d <= p1 && !rc; d++) {
			if (!cal_is_business_day(c->cal, d))
				continue;
			n++;
			double fx;
			char buf[16];
			if (d <= m->asof) {
				if (mkt_fixing(c, d, &fx)) {
					date_format(buf, d);
					rc = RERR("missing fixing for %s on %s", c->name, buf);
					break;
				}
				sum += fx;
			} else {
				int q;
				qe_date mf;
				if ((rc = index_quote(m, c, d, &q, &mf, res)))
					break;
				sum += c->q[q].price + m->bump;
				w[q] += 1;
			}
		}
		if (!rc && n > 0 && p1 > m->asof) {
			double Qp, D, z;
			/* quantity split over the periods by pricing days */
			trade tt = *t;
			if (piece_volume(m, &tt, c, t->ds, t->de, &Qp, res)) {
				rc = -1;
				break;
			}
			Qp *= (double)n / total;
			if (discount(m, t, p1, &D, &z, res)) {
				rc = -1;
				break;
			}
			double und = t->side * Qp * (sum / n - t->price);
			res->undisc += und;
			res->npv += und * D;
			res->theta += z * und * D;
			for (int q = 0; q < c->nq && !rc; q++)
				if (w[q] > 0) {
					double dq = t->side * Qp * D * w[q] / n;
					res->delta += dq;
					rc = add_sens(res, curve_index(m, c), q, dq, 0, 0);
				}
		}
		p0 = p1 + 1;
	}
	free(w);
	return rc;
}

static int model_of(const trade *t, const mkt_curve *c)
{
	const char *mdl = t->model[0] ? t->model : c->model;
	return strcmp(mdl, "bachelier") == 0;
}

static int option_common(const market *m, const trade *t, const mkt_curve *c, qe_date *a,
			 double *T, double *D, double *z, double *Q, result *res)
{
	if (t->expiry < m->asof)
		return RERR("expiry in the past");
	*a = t->ds > m->asof ? t->ds : m->asof + 1;
	if (*a > t->de)
		return RERR("underlying delivery period is over");
	*T = date_yf_act365(m->asof, t->expiry);
	if (discount(m, t, t->expiry, D, z, res))
		return -1;
	return piece_volume(m, t, c, t->ds, t->de, Q, res);
}

static int scale_greeks(const market *m, const trade *t, const mkt_curve *c, const double *w,
			const opt_greeks *g, double Q, double D, result *res)
{
	double s = t->side * Q;
	res->npv = s * g->price;
	res->undisc = D > 0 ? res->npv / D : res->npv;
	res->delta = s * g->delta;
	res->gamma = s * g->gamma;
	res->vega = s * g->vega;
	res->theta = s * g->theta;
	for (int q = 0; q < c->nq; q++)
		if (w[q] > 0 && add_sens(res, curve_index(m, c), q, w[q] * res->delta, w[q] * res->gamma,
					 w[q] * res->vega))
			return -1;
	return 0;
}

/* A thread's memo of American option greeks by their exact inputs
 * (compared bit for bit): a book holds many options on one contract,
 * strike and expiry, and an American costs many bivariate normals.  The
 * values are american_greeks_fd's whichever thread or order filled it. */
enum { AMEMO_SLOTS = 4096 };
typedef struct amer_entry {
	double key[5]; /* F, K, vol, r, T */
	int type, used, st;
	opt_greeks g;
	const char *why;
} amer_entry;
typedef struct amer_memo {
	amer_entry e[AMEMO_SLOTS];
} amer_memo;

/* american_greeks_fd (BS2002, futures) through the memo mm (NULL: none). */
static int american_memo(amer_memo *mm, int type, double F, double K, double vol, double r,
			 double T, opt_greeks *g, const char **why)
{
	if (!mm)
		return american_greeks_fd(AMER_BS2002, type, F, K, vol, r, 0.0, T, g, why);
	double key[5] = {F, K, vol, r, T};
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)type;
	const unsigned char *kb = (const unsigned char *)key;
	for (size_t i = 0; i < sizeof key; i++)
		h = (h ^ kb[i]) * 1099511628211ULL;
	amer_entry *e = &mm->e[(h ^ (h >> 32)) & (AMEMO_SLOTS - 1)];
	if (e->used && e->type == type && memcmp(e->key, key, sizeof key) == 0) {
		*g = e->g;
		*why = e->why;
		return e->st;
	}
	int st = american_greeks_fd(AMER_BS2002, type, F, K, vol, r, 0.0, T, g, why);
	memcpy(e->key, key, sizeof key);
	e->type = type;
	e->used = 1;
	e->st = st;
	e->g = *g;
	e->why = *why;
	return st;
}

static int price_option(const market *m, const trade *t, const mkt_curve *c, amer_memo *mm,
			result *res)
{
	qe_date a;
	double T, D, z, Q, F, vol;
	if (option_common(m, t, c, &a, &T, &D, &z, &Q, res))
		return -1;
	double *w = calloc((size_t)c->nq + 1, sizeof *w);
	if (!w)
		return RERR("out of memory");
	int rc = avg_forward(m, c, a, t->de, &F, w, res), normal = model_of(t, c);
	if (!rc && mkt_vol(c, a, t->strike, normal, &vol))
		rc = RERR("no %s vol for %s", normal ? "normal" : "lognormal", c->name);
	opt_greeks g;
	const char *why = NULL;
	if (!rc) {
		int st;
		if (t->american) {
			if (normal)
				st = (why = "American exercise needs a lognormal model", OPT_EDOMAIN);
			else
				st = american_memo(mm, t->type, F, t->strike, vol, z, T, &g, &why);
			res->model = "bs2002";
		} else {
			st = (normal ? bachelier : black76)(t->type, F, t->strike, vol, z, T, &g, &why);
			res->model = normal ? "bachelier" : "black76";
		}
		if (st)
			rc = RERR("%s", why);
	}
	if (!rc)
		rc = scale_greeks(m, t, c, w, &g, Q, D, res);
	free(w);
	return rc;
}

static int price_asian(const market *m, const trade *t, const mkt_curve *c, result *res)
{
	qe_date a;
	double T, D, z, Q, vol;
	if (option_common(m, t, c, &a, &T, &D, &z, &Q, res))
		return -1;
	if (model_of(t, c))
		return RERR("Asian options need a lognormal model");
	if (!c->cal)
		return RERR("curve %s has no business-day calendar", c->name);
	qe_date s0 = t->has_avg ? t->avg_s : t->ds, s1 = t->has_avg ? t->avg_e : t->de;
	int n = 0, past = 0;
	for (qe_date d = s0; d <= s1; d++)
		n += cal_is_business_day(c->cal, d);
	if (n == 0)
		return RERR("no business days in the averaging period");
	double *tt = malloc(sizeof *tt * (size_t)n), *w = calloc((size_t)c->nq + 1, sizeof *w);
	/* on a futures index each remaining day has its contract's forward
	 * and vol (NAN: the surface lacks that month) */
	double *Fd = malloc(sizeof *Fd * (size_t)n), *vd = malloc(sizeof *vd * (size_t)n);
	double sumfix = 0, sumF = 0;
	int k = 0, rc = 0, nvol = 0;
	int front = c->master && m->master && curvemaster_fixes_front(c->master);
	if (!tt || !w || !Fd || !vd)
		rc = RERR("out of memory");
	for (qe_date d = s0; d <= s1 && !rc; d++) {
		if (!cal_is_business_day(c->cal, d))
			continue;
		char buf[16];
		double fx;
		if (d <= m->asof) {
			if (mkt_fixing(c, d, &fx)) {
				date_format(buf, d);
				rc = RERR("missing fixing for %s on %s", c->name, buf);
			}
			sumfix += fx;
			past++;
		} else {
			int q;
			qe_date mf;
			if ((rc = index_quote(m, c, d, &q, &mf, res)))
				break;
			sumF += c->q[q].price + m->bump;
			w[q] += 1;
			Fd[k] = c->q[q].price + m->bump;
			if (front && !mkt_vol(c, mf, t->strike, 0, &vd[k]))
				nvol++;
			else
				vd[k] = NAN;
			tt[k++] = date_yf_act365(m->asof, d);
		}
	}
	opt_greeks g;
	const char *why = NULL;
	if (!rc) {
		double F = k ? sumF / k : 1.0;
		for (int q = 0; q < c->nq; q++)
			w[q] = k ? w[q] / k : 0;
		/* the vol of the first remaining delivery day: the one vol
		 * of a spot index, and of a futures-index day whose contract
		 * month the surface lacks */
		vol = NAN;
		if (!(front && k > 0 && nvol == k) && mkt_vol(c, a, t->strike, 0, &vol))
			rc = RERR("no lognormal vol for %s", c->name);
		double A = past ? sumfix / past : 0;
		if (!rc && front) {
			/* a futures index rolls through contracts: each remaining
			 * fixing at its own contract's forward and vol */
			for (int i = 0; i < k; i++)
				if (isnan(vd[i]))
					vd[i] = vol;
			if (asian_tw_strip_greeks_fd(t->type, Fd, vd, t->strike, z, T, n, past, A, tt, &g, &why))
				rc = RERR("%s", why);
		} else if (!rc && asian_greeks_fd(ASIAN_TW, t->type, F, t->strike, vol, z, T, n, past, A, tt,
						  &g, &why)) {
			rc = RERR("%s", why);
		}
		res->model = "turnbull-wakeman";
	}
	if (!rc)
		rc = scale_greeks(m, t, c, w, &g, Q, D, res);
	free(tt);
	free(w);
	free(Fd);
	free(vd);
	return rc;
}

static int price_spread(const market *m, const trade *t, const mkt_curve *c, double corr,
			result *res)
{
	const mkt_curve *c2 = need_curve(m, t->curve2, res);
	if (!c2)
		return -1;
	qe_date a;
	double T, D, z, Q, F1, F2, v1, v2;
	if (option_common(m, t, c, &a, &T, &D, &z, &Q, res))
		return -1;
	double *w1 = calloc((size_t)c->nq + 1, sizeof *w1), *w2 = calloc((size_t)c2->nq + 1, sizeof *w2);
	int rc = 0;
	if (!w1 || !w2)
		rc = RERR("out of memory");
	if (!rc)
		rc = avg_forward(m, c, a, t->de, &F1, w1, res);
	if (!rc)
		rc = avg_forward(m, c2, a, t->de, &F2, w2, res);
	/* each leg at its at-the-money vol */
	if (!rc && mkt_vol(c, a, NAN, 0, &v1))
		rc = RERR("no lognormal ATM vol for %s", c->name);
	if (!rc && mkt_vol(c2, a, NAN, 0, &v2))
		rc = RERR("no lognormal ATM vol for %s", c2->name);
	kirk_greeks g;
	const char *why = NULL;
	if (!rc && kirk_greeks_fd(t->type, F1, F2, t->strike, v1, v2, corr, t->ratio, z, T, &g, &why))
		rc = RERR("%s", why);
	if (!rc) {
		double s = t->side * Q;
		res->model = "kirk";
		res->npv = s * g.price;
		res->undisc = res->npv / D;
		res->delta = s * g.delta1;
		res->gamma = s * g.gamma1;
		res->vega = s * (g.vega1 + g.vega2);
		res->theta = s * g.theta;
		/* a leg's vega rows per unit of its curve's own vol type (that
		 * of its options and of its vol history): per 1.00 of normal vol
		 * on a Bachelier curve, dsigma_ln = dsigma_n / F */
		double k1 = strcmp(c->model, "bachelier") == 0 ? 1 / F1 : 1;
		double k2 = strcmp(c2->model, "bachelier") == 0 ? 1 / F2 : 1;
		for (int q = 0; q < c->nq && !rc; q++)
			if (w1[q] > 0)
				rc = add_sens(res, curve_index(m, c), q, w1[q] * s * g.delta1,
					      w1[q] * s * g.gamma1, w1[q] * s * g.vega1 * k1);
		for (int q = 0; q < c2->nq && !rc; q++)
			if (w2[q] > 0)
				rc = add_sens(res, curve_index(m, c2), q, w2[q] * s * g.delta2,
					      w2[q] * s * g.gamma2, w2[q] * s * g.vega2 * k2);
		/* the cross-gamma of the legs, pro rata to both legs' quotes */
		for (int q = 0; q < c->nq && !rc; q++)
			for (int q2 = 0; q2 < c2->nq && !rc && w1[q] > 0; q2++)
				if (w2[q2] > 0)
					rc = add_cross(res, curve_index(m, c), q, curve_index(m, c2), q2,
						       w1[q] * w2[q2] * s * g.gamma12);
	}
	free(w1);
	free(w2);
	return rc;
}

/* ---- futures in their delivery period ------------------------------------ */

/* A future whose last trading day falls inside its delivery month (ICE
 * EUA: the last Monday, or the penultimate one) still trades after
 * delivery starts: until that day it is marked to the forward like any
 * live future, the whole volume at the forward of the days left in the
 * delivery period (the balance-of-month quote), not discounted. */
static int price_future_to_ltd(const market *m, const trade *t, const mkt_curve *c, result *res)
{
	qe_date a = m->asof + 1 > t->ds ? m->asof + 1 : t->ds;
	if (a > t->de)
		return RERR("future still trading after its delivery period ends");
	double vol, F;
	if (piece_volume(m, t, c, t->ds, t->de, &vol, res))
		return -1;
	double *w = calloc((size_t)c->nq + 1, sizeof *w);
	if (!w)
		return RERR("out of memory");
	int rc = avg_forward(m, c, a, t->de, &F, w, res);
	if (!rc) {
		res->model = "future";
		res->npv = res->undisc = t->side * vol * (F - t->price);
		res->delta = t->side * vol;
		for (int q = 0; q < c->nq && !rc; q++)
			if (w[q] > 0)
				rc = add_sens(res, curve_index(m, c), q, w[q] * res->delta, 0, 0);
	}
	free(w);
	return rc;
}

/* A cash-settled future on a spot index (power: the curve master's
 * cash_settled without a listed product) in its delivery period, until
 * delivery_end: its final settlement is the average of the index over
 * the delivery hours, so it is worth the delivered days at their fixings
 * plus the days left at the forward, like an average-price swap, each
 * day weighted by its delivery volume (the hours of the shape that day:
 * 23 or 25 on the clock-change days, none on a weekend for peak), not
 * discounted (daily settled).  Only the days left carry delta.  A
 * delivered day with volume and no fixing is an error.  Returns 1 when
 * the trade was handled (res filled, or an error), 0 when it is not such
 * a future in delivery. */
static int price_index_future(const market *m, const trade *t, const mkt_curve *c, result *res)
{
	if (!c->master || c->master->product || !c->master->cash_settled || t->ds > m->asof ||
	    t->de <= m->asof)
		return 0;
	res->model = "future";
	for (qe_date d = t->ds; d <= m->asof; d++) {
		double vol, fx;
		if (piece_volume(m, t, c, d, d, &vol, res))
			return 1;
		if (vol == 0)
			continue;
		if (mkt_fixing(c, d, &fx)) {
			char buf[16];
			date_format(buf, d);
			return RERR("missing fixing for %s on %s (a delivered day of the future)", c->name, buf), 1;
		}
		res->npv += t->side * vol * (fx - t->price);
	}
	for (qe_date d = m->asof + 1; d <= t->de;) {
		int q = mkt_quote_at(c, d);
		if (q < 0) {
			char buf[16];
			date_format(buf, d);
			return RERR("no forward price for %s on %s", c->name, buf), 1;
		}
		qe_date end = c->q[q].last < t->de ? c->q[q].last : t->de;
		double vol;
		if (piece_volume(m, t, c, d, end, &vol, res))
			return 1;
		res->npv += t->side * vol * (c->q[q].price + m->bump - t->price);
		res->delta += t->side * vol;
		if (add_sens(res, curve_index(m, c), q, t->side * vol, 0, 0))
			return 1;
		d = end + 1;
	}
	res->undisc = res->npv;
	return 1;
}

/* ---- futures past their last trading day ------------------------------- */

/* A future (or an option on one) of a curve whose contracts follow a
 * listed expiry rule (the curve master's product: the same map that
 * leaves expired rows out of the hedge menus) and whose last trading
 * day is before the as-of date no longer trades: its price is the final
 * settlement, read as the curve's fixing on the last trading day.
 *   cash-settled (Brent)  npv = side x volume x (settlement - price),
 *                         model "settled", no delta
 *   physical (CL, NG, HO, RB, EUA)  in delivery until delivery_end: the
 *                         whole volume is invoiced at the settlement price, so
 *                         the same npv and no delta to the forward curve, model
 *                         "delivery"
 * A future whose last trading day falls inside its delivery month (EUA)
 * and is not yet past goes to price_future_to_ltd().
 * An option on such a future is worth its intrinsic value against the
 * settlement (exercised into the expired future if in the money), no
 * greeks (an option expiring after its underlying future's last trading
 * day never gets here: check_option_expiry()).
 * Returns 1 when the trade was handled (res filled, or an error), 0 when
 * the future is still live before its delivery (or has no known expiry
 * rule). */
static int price_expired(const market *m, const trade *t, const mkt_curve *c, result *res)
{
	char buf[16];
	const char *prod = c->master ? c->master->product : NULL;
	int cash = prod ? c->master->cash_settled : -1;
	/* every rule expires at most about two months before delivery; a
	 * cash-settled future is over once delivery starts, a physical one
	 * once the delivery period ends (the delivery-start/-end rules of
	 * price_linear apply then) */
	if (cash < 0 || t->ds > m->asof + 100 || (cash ? t->ds <= m->asof : t->de <= m->asof))
		return 0;
	if (!c->cal)
		return RERR("curve %s has no business-day calendar for the contract expiry", c->name), 1;
	qe_date ltd;
	qe_err e;
	if (contract_expiry(prod, t->ds, c->cal, &ltd, &e))
		return RERR("contract expiry: %s", e.msg), 1;
	/* a last trading day inside the delivery month (EUA): the future
	 * trades on after delivery starts, until that day */
	if (ltd >= m->asof)
		return t->instr == I_FUTURE && t->ds <= m->asof ? (price_future_to_ltd(m, t, c, res), 1) : 0;
	date_format(buf, ltd);
	double fsp, vol;
	if (mkt_fixing(c, ltd, &fsp))
		return RERR("future expired on %s: no final settlement (fixing) for %s on that day", buf,
			    c->name), 1;
	if (piece_volume(m, t, c, t->ds, t->de, &vol, res))
		return 1;
	double v;
	if (t->instr == I_OPTION) {
		double x = t->type == OPT_CALL ? fsp - t->strike : t->strike - fsp;
		v = t->side * vol * (x > 0 ? x : 0);
	} else {
		v = t->side * vol * (fsp - t->price);
	}
	res->npv = res->undisc = v;
	res->model = cash ? "settled" : "delivery";
	return 1;
}

/* An option on a future must expire on or before the future's last
 * trading day (DOMAIN.md): the day the curve master gives for the
 * contract of the option's delivery month (its product's exchange rule,
 * or the business day before delivery for a curve with no listed rule),
 * the same day qe-ingest checks.  0 when the expiry is on or before it,
 * -1 with the error in res otherwise.  A curve with no calendar has no
 * known last trading day: an error when its product has a listed rule,
 * else nothing to check. */
static int check_option_expiry(const market *m, const trade *t, const mkt_curve *c, result *res)
{
	if (!c->cal || !m->master)
		return c->master && c->master->product
			       ? RERR("curve %s has no business-day calendar for the contract expiry", c->name)
			       : 0;
	qe_date ltd;
	qe_err e;
	if (curvemaster_last_trade(m->master, c->master, date_add_months_first(t->ds, 0), &ltd, &e))
		return RERR("contract expiry: %s", e.msg);
	if (t->expiry <= ltd)
		return 0;
	char lb[16], xb[16];
	date_format(lb, ltd);
	date_format(xb, t->expiry);
	return RERR("option expiry after the underlying future's last trading day %s (expiry %s)", lb, xb);
}

/* Prices t on m into res; mm: the calling thread's memo of American
 * options (NULL: none). */
static void price_one_memo(const market *m, const trade *t, double corr, amer_memo *mm, result *res)
{
	memset(res, 0, sizeof *res);
	if (t->err[0]) {
		snprintf(res->err, sizeof res->err, "%s", t->err);
		res->status = 1;
		return;
	}
	const mkt_curve *c = need_curve(m, t->curve, res);
	if (!c)
		return;
	if (strcmp(t->currency, c->currency) != 0) {
		RERR("currency %s differs from curve %s's %s", t->currency, c->name, c->currency);
		return;
	}
	int rc = 0;
	if (t->instr == I_OPTION && check_option_expiry(m, t, c, res))
		goto check;
	if ((t->instr == I_FUTURE || t->instr == I_OPTION) && price_expired(m, t, c, res))
		goto check;
	if (t->instr == I_FUTURE && price_index_future(m, t, c, res))
		goto check;
	switch (t->instr) {
	case I_FUTURE:
	case I_FORWARD:
	case I_PHYSICAL:
	case I_SPOT: rc = price_linear(m, t, c, res); break;
	case I_SWAP: rc = price_swap(m, t, c, res); break;
	case I_OPTION: rc = price_option(m, t, c, mm, res); break;
	case I_ASIAN: rc = price_asian(m, t, c, res); break;
	case I_SPREAD: rc = price_spread(m, t, c, corr, res); break;
	}
check:
	if (!rc && res->status == 0 &&
	    !(isfinite(res->npv) && isfinite(res->delta) && isfinite(res->gamma) &&
	      isfinite(res->vega) && isfinite(res->theta)))
		RERR("numerical failure (non-finite result)");
	if (res->status == 1) {
		free(res->s);
		res->s = NULL;
		res->ns = 0;
	}
}

static void price_one(const market *m, const trade *t, double corr, result *res)
{
	price_one_memo(m, t, corr, NULL, res);
}

/* ---- driver -------------------------------------------------------------- */

static int is_hdf5(const char *path)
{
	unsigned char sig[8];
	FILE *f = path && strcmp(path, "-") ? fopen(path, "rb") : NULL;
	int yes = f && fread(sig, 1, 8, f) == 8 && memcmp(sig, "\x89HDF\r\n\x1a\n", 8) == 0;
	if (f)
		fclose(f);
	return yes;
}

/* The validator of qe-ingest over the source's header: colmap[i] is the
 * source column of trades column i (-1 absent); a missing required column
 * is QE_DATA, as in qe-ingest. */
static int map_trades_header(const rowsrc *src, const char *path, int *colmap, qe_err *e)
{
	int n = src->c ? csvr_ncols(src->c) : h5tab_ncols(src->h);
	csvscan_field *hdr = calloc((size_t)n + 1, sizeof *hdr);
	if (!hdr)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (int j = 0; j < n; j++) {
		hdr[j].p = src->c ? csvr_colname(src->c, j) : h5tab_colname(src->h, j);
		hdr[j].len = strlen(hdr[j].p);
	}
	int rc = schema_map_header(schema_get(FMT_TRADES), hdr, n, colmap, NULL, path,
				   src->c ? csvr_line(src->c) : 1, e);
	free(hdr);
	return rc;
}

/* t->err = the reject rc of a row on line `line` (HDF5, !csv: row
 * `line`), located as qe-ingest locates it: "file:line:col: column 'x':
 * reason 'value'" (HDF5: "file: row N: ..."). */
static void trade_reject_at(trade *t, int csv, long line, const char *path, const int *colmap,
			    const row_check *rc)
{
	char why[sizeof t->err];
	schema_reject_text(schema_get(FMT_TRADES), rc, why, sizeof why);
	if (!csv)
		snprintf(t->err, sizeof t->err, "%s: row %ld: %s", path, line, why);
	else if (rc->col >= 0 && colmap[rc->col] >= 0)
		snprintf(t->err, sizeof t->err, "%s:%ld:%d: %s", path, line, colmap[rc->col] + 1, why);
	else
		snprintf(t->err, sizeof t->err, "%s:%ld: %s", path, line, why);
}

/* Reads a row's fields f (in trades column order, "" for an absent
 * column) into t through the row validator of qe-ingest
 * (ingest/schema.h) and parses the canonical row it writes; a row it
 * rejects keeps t->err (trade_reject_at), under its id when the id
 * itself is valid, else under "line N" ("row N": !csv).  canon and work
 * are the caller's buffers (no allocation per row once they have
 * grown).  0, or QE_INTERNAL when out of memory. */
static int read_fields(const csvscan_field *f, int csv, long line, const char *path,
		       const int *colmap, const schema_ctx *ctx, strbuf *canon, strbuf *work,
		       trade *t, int *life)
{
	row_check rc;
	canon->len = 0;
	*life = LIFE_NONE;
	if (schema_check_row(ctx, f, FMT_TR_N, canon, &rc)) {
		memset(t, 0, sizeof *t);
		/* columns are checked in order: past the id, the id is valid */
		if (rc.col > FMT_TR_ID)
			memcpy(t->id, f[FMT_TR_ID].p, f[FMT_TR_ID].len);
		else
			snprintf(t->id, sizeof t->id, "%s %ld", csv ? "line" : "row", line);
		trade_reject_at(t, csv, line, path, colmap, &rc);
		return canon->oom ? QE_INTERNAL : 0;
	}
	*life = rc.life;
	/* the canonical row, one NUL-terminated field per column */
	canon_row cr;
	csvscan_field cf[FMT_TR_N];
	csvscan_rec rec;
	size_t need = 2 * canon->len + FMT_TR_N + 1;
	if (need > work->cap) {
		char *nw = realloc(work->p, 2 * need);
		if (!nw)
			return QE_INTERNAL;
		work->p = nw;
		work->cap = 2 * need;
	}
	char *text = work->p, *scratch = text + canon->len + FMT_TR_N;
	csvscan_next(canon->p, canon->len, 0, 1, cf, FMT_TR_N, scratch, &rec);
	char *w = text;
	for (int i = 0; i < FMT_TR_N; i++) {
		size_t len = i < rec.nfields ? cf[i].len : 0;
		if (len)
			memcpy(w, cf[i].p, len);
		w[len] = '\0';
		cr.v[i] = w;
		cr.len[i] = len;
		w += len + 1;
	}
	parse_trade(&cr, tcols_fmt, t);
	return 0;
}

/* read_fields of the source's current row. */
static int read_trade(const rowsrc *src, const char *path, const int *colmap,
		      const schema_ctx *ctx, strbuf *canon, strbuf *work, trade *t, int *life)
{
	csvscan_field f[FMT_TR_N];
	char nb[FMT_TR_N][NUM_BUFSZ];
	for (int i = 0; i < FMT_TR_N; i++)
		f[i] = rs_text(src, colmap[i], nb[i]);
	return read_fields(f, src->c != NULL, rs_line(src), path, colmap, ctx, canon, work, t, life);
}

/* The rows of a CSV book read ahead in blocks (io/csvblock), each row
 * read_fields'd in parallel (the result depends on the row alone), then
 * handed to load_trades in file order: its lifecycle rule, its
 * messages, on more than one core. */
enum { AHEAD_ROWS = 8192 };

typedef struct trade_ahead {
	csvblock k;
	trade *t;
	int *life, *rc;
	size_t next;
	strbuf *canon, *work; /* per thread */
	int nthr;
} trade_ahead;

static int ahead_init(trade_ahead *a)
{
	memset(a, 0, sizeof *a);
	a->nthr = omp_get_max_threads();
	a->t = malloc(sizeof *a->t * AHEAD_ROWS);
	a->life = malloc(sizeof *a->life * AHEAD_ROWS);
	a->rc = malloc(sizeof *a->rc * AHEAD_ROWS);
	a->canon = calloc((size_t)a->nthr, sizeof *a->canon);
	a->work = calloc((size_t)a->nthr, sizeof *a->work);
	return !csvblock_init(&a->k, FMT_TR_N, AHEAD_ROWS) && a->t && a->life && a->rc && a->canon && a->work ? 0 : -1;
}

static void ahead_free(trade_ahead *a)
{
	for (int i = 0; a->canon && a->work && i < a->nthr; i++) {
		strbuf_free(&a->canon[i]);
		strbuf_free(&a->work[i]);
	}
	csvblock_free(&a->k);
	free(a->t), free(a->life), free(a->rc), free(a->canon), free(a->work);
}

/* Reads and parses the next block of r into a.  0, or -1 when out of memory. */
static int ahead_fill(trade_ahead *a, csv_reader *r, const char *path, const int *colmap,
		      const schema_ctx *ctx)
{
	a->next = 0;
	if (csvblock_fill(&a->k, r, colmap))
		return -1;
	long n = (long)a->k.n;
#pragma omp parallel for schedule(dynamic, 64)
	for (long i = 0; i < n; i++) {
		trade *t = &a->t[i];
		long line = csvblock_line(&a->k, (size_t)i);
		const qe_err *bad = csvblock_bad(&a->k, (size_t)i);
		a->life[i] = LIFE_NONE;
		a->rc[i] = 0;
		if (bad) {
			memset(t, 0, sizeof *t);
			snprintf(t->id, sizeof t->id, "line %ld", line);
			snprintf(t->err, sizeof t->err, "%s", bad->msg);
			continue;
		}
		int me = omp_get_thread_num();
		csvscan_field f[FMT_TR_N];
		csvblock_fields(&a->k, (size_t)i, f);
		a->rc[i] = read_fields(f, 1, line, path, colmap, ctx, &a->canon[me], &a->work[me], t, &a->life[i]);
	}
	return 0;
}

static int load_trades(const struct val_options *o, trade **out, long *n, long *ncancel, qe_err *e)
{
	const char *path = o->trades;
	int colmap[FMT_TR_N];
	rowsrc src = {0};
	if (is_hdf5(path)) {
		if (!(src.h = h5tab_open(path, "trades", e)))
			return e->code;
	} else if (!(src.c = csvr_open(path, e))) {
		return e->code;
	}
	schema_markets *mk = NULL;
	if (map_trades_header(&src, path, colmap, e) || !(mk = schema_markets_load(o->markets, e))) {
		csvr_close(src.c);
		h5tab_close(src.h);
		return e->code;
	}
	schema_ctx ctx = {.s = schema_get(FMT_TRADES), .markets = mk, .colmap = schema_trades_identity};
	strbuf canon = {0}, work = {0};
	strindex *ids = sidx_new();
	trade *tr = NULL;
	long cap = 0, cnt = 0;
	int st, rc = 0;
	trade_ahead ahead;
	if (ahead_init(&ahead) || !ids)
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	while (!rc) {
		trade t;
		int life = LIFE_NONE;
		long line;
		if (src.c) {
			if (ahead.next == ahead.k.n) {
				if (ahead.k.st == CSVR_FATAL) {
					*e = ahead.k.err;
					rc = e->code;
					break;
				}
				if (ahead.k.st == CSVR_EOF)
					break;
				if (ahead_fill(&ahead, src.c, path, colmap, &ctx)) {
					rc = qe_err_set(e, QE_INTERNAL, "out of memory");
					break;
				}
				continue;
			}
			size_t i = ahead.next++;
			if (ahead.rc[i]) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				break;
			}
			t = ahead.t[i];
			life = ahead.life[i];
			line = csvblock_line(&ahead.k, i);
		} else {
			st = h5tab_next(src.h, e);
			st = st > 0 ? CSVR_ROW : st == 0 ? CSVR_EOF : CSVR_FATAL;
			src.row++;
			if (st == CSVR_EOF)
				break;
			if (st == CSVR_FATAL) {
				rc = e->code;
				break;
			}
			line = rs_line(&src);
			if (read_trade(&src, path, colmap, &ctx, &canon, &work, &t, &life)) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				break;
			}
		}
		int added = 0;
		long k = sidx_add(ids, t.id, strlen(t.id), &added);
		if (k < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			break;
		}
		/* the lifecycle rule of qe-ingest, in file order */
		if (!t.err[0] && (added || !tr[k].err[0])) {
			int state = added ? TRADE_UNKNOWN : tr[k].cancel ? TRADE_CANCELLED : TRADE_LIVE;
			char vtext[24];
			row_check lc = {0};
			if (schema_lifecycle_check(state, added ? 0 : tr[k].version, life, t.version,
						   lc.reason, sizeof lc.reason, &lc.col)) {
				snprintf(vtext, sizeof vtext, "%d", t.version);
				lc.value = lc.col == FMT_TR_VERSION ? vtext : t.id;
				lc.value_len = strlen(lc.value);
				trade_reject_at(&t, src.c != NULL, line, path, colmap, &lc);
			}
		}
		if (added) {
			if (cnt == cap) {
				cap = cap ? 2 * cap : 4096;
				trade *nt = realloc(tr, sizeof *nt * (size_t)cap);
				if (!nt) {
					rc = qe_err_set(e, QE_INTERNAL, "out of memory");
					break;
				}
				tr = nt;
			}
			tr[cnt++] = t;
		} else if (tr[k].err[0]) {
			/* a bad version leaves the trade unpriced: a later one may
			 * amend what the bad one was meant to say */
		} else if (t.err[0]) {
			snprintf(tr[k].err, sizeof tr[k].err, "%s", t.err);
		} else {
			tr[k] = t; /* an amend or cancel that supersedes */
		}
	}
	if (src.c)
		csvr_close(src.c);
	if (src.h)
		h5tab_close(src.h);
	sidx_free(ids);
	strbuf_free(&canon);
	strbuf_free(&work);
	ahead_free(&ahead);
	schema_markets_free(mk);
	if (rc) {
		free(tr);
		return rc;
	}
	/* drop cancelled trades, keep input order */
	long j = 0;
	*ncancel = 0;
	for (long i = 0; i < cnt; i++) {
		if (tr[i].cancel && !tr[i].err[0])
			(*ncancel)++;
		else
			tr[j++] = tr[i];
	}
	*out = tr;
	*n = j;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The delta ladder as it accumulates: book x curve x quote sums of the
 * priced trades' deltas, added in trade order (so the sums do not depend
 * on how the trades were split into blocks). */
typedef struct ladder_acc {
	strindex *books;
	double **acc; /* per book: nc * maxq sums */
	char **used;
	size_t cap;
	int nc, maxq;
} ladder_acc;

static void ladder_free(ladder_acc *l)
{
	size_t nb = l->books ? sidx_count(l->books) : 0;
	for (size_t b = 0; b < nb && b < l->cap; b++)
		free(l->acc[b]), free(l->used[b]);
	free(l->acc), free(l->used);
	sidx_free(l->books);
	memset(l, 0, sizeof *l);
}

static int ladder_init(ladder_acc *l, const market *m)
{
	memset(l, 0, sizeof *l);
	l->nc = m->nc;
	l->maxq = 1;
	for (int c = 0; c < m->nc; c++)
		l->maxq = m->c[c].nq > l->maxq ? m->c[c].nq : l->maxq;
	return (l->books = sidx_new()) ? 0 : -1;
}

/* Adds a priced trade's deltas.  0 or -1 (out of memory). */
static int ladder_add(ladder_acc *l, const trade *t, const result *r)
{
	if (r->status)
		return 0;
	int added = 0;
	long b = sidx_add(l->books, t->book, strlen(t->book), &added);
	if (b < 0)
		return -1;
	size_t cells = (size_t)l->nc * (size_t)l->maxq + 1;
	if (added) {
		if ((size_t)b >= l->cap) {
			size_t nc = l->cap ? 2 * l->cap : 16;
			double **na = realloc(l->acc, nc * sizeof *na);
			if (!na)
				return -1;
			l->acc = na;
			char **nu = realloc(l->used, nc * sizeof *nu);
			if (!nu)
				return -1;
			l->used = nu;
			l->cap = nc;
		}
		l->acc[b] = calloc(cells, sizeof **l->acc);
		l->used[b] = calloc(cells, 1);
		if (!l->acc[b] || !l->used[b])
			return -1;
	}
	for (int k = 0; k < r->ns; k++) {
		size_t at = (size_t)r->s[k].curve * (size_t)l->maxq + (size_t)r->s[k].quote;
		l->acc[b][at] += r->s[k].delta;
		l->used[b][at] = 1;
	}
	return 0;
}

/* The LADDER rows: books and curves in name order, quotes of a month
 * merged.  0 or -1 (out of memory). */
static int ladder_write(const ladder_acc *l, const market *m, FILE *fp)
{
	size_t nb = sidx_count(l->books);
	const char **bnames = malloc(sizeof *bnames * (nb + 1));
	int *corder = malloc(sizeof *corder * (size_t)(m->nc + 1));
	if (!bnames || !corder) {
		free(bnames), free(corder);
		return -1;
	}
	for (size_t b = 0; b < nb; b++)
		bnames[b] = sidx_name(l->books, b);
	qsort(bnames, nb, sizeof *bnames, cmp_str);
	/* curves in name order */
	for (int c = 0; c < m->nc; c++) {
		int k = c;
		while (k > 0 && strcmp(m->c[corder[k - 1]].name, m->c[c].name) > 0) {
			corder[k] = corder[k - 1];
			k--;
		}
		corder[k] = c;
	}
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_LADDER);
	for (size_t bi = 0; bi < nb; bi++) {
		size_t b = (size_t)sidx_find(l->books, bnames[bi], strlen(bnames[bi]));
		for (int ci = 0; ci < m->nc; ci++) {
			int c = corder[ci];
			const mkt_curve *cv = &m->c[c];
			/* quotes are sorted; merge quotes of the same month */
			for (int q = 0; q < cv->nq;) {
				int y, mo, d, y2, mo2;
				date_to_ymd(cv->q[q].first, &y, &mo, &d);
				double sum = 0;
				int any = 0, q2 = q;
				for (; q2 < cv->nq; q2++) {
					date_to_ymd(cv->q[q2].first, &y2, &mo2, &d);
					if (y2 != y || mo2 != mo)
						break;
					size_t at = (size_t)c * (size_t)l->maxq + (size_t)q2;
					sum += l->acc[b][at];
					any |= l->used[b][at];
				}
				if (any) {
					char month[16];
					snprintf(month, sizeof month, "%04d-%02d", y, mo);
					csvw_str(&w, bnames[bi]);
					csvw_str(&w, cv->name);
					csvw_str(&w, month);
					csvw_double(&w, sum);
					csvw_str(&w, cv->unit);
					csvw_end(&w);
				}
				q = q2;
			}
		}
	}
	free(corder), free(bnames);
	return 0;
}

static int write_ladder(const market *m, const trade *tr, const result *res, long n, FILE *fp)
{
	ladder_acc l;
	int rc = ladder_init(&l, m);
	for (long i = 0; i < n && !rc; i++)
		rc = ladder_add(&l, &tr[i], &res[i]);
	if (!rc)
		rc = ladder_write(&l, m, fp);
	ladder_free(&l);
	return rc;
}

/* ---- outputs -------------------------------------------------------------- */

/* The curve, first, last and tenor cells of a sensitivity row for every
 * quote of the market, formatted once per run: a quote is on the rows of
 * many trades. */
typedef struct quote_cells {
	int *base;   /* per curve: the index of its first quote */
	size_t *off; /* per quote: its cells in w.mem[off[k]..off[k + 1]) */
	csv_writer w;
} quote_cells;

static void qcells_free(quote_cells *qc)
{
	free(qc->base);
	free(qc->off);
	csvw_mem_free(&qc->w);
	memset(qc, 0, sizeof *qc);
}

/* 0, or -1 when out of memory. */
static int qcells_init(quote_cells *qc, const market *m)
{
	size_t nq = 0;
	for (int c = 0; c < m->nc; c++)
		nq += (size_t)m->c[c].nq;
	memset(qc, 0, sizeof *qc);
	csvw_init_mem(&qc->w);
	qc->base = malloc(sizeof *qc->base * (size_t)(m->nc + 1));
	qc->off = malloc(sizeof *qc->off * (nq + 1));
	if (!qc->base || !qc->off) {
		qcells_free(qc);
		return -1;
	}
	long asof_month = date_month_index(m->asof);
	size_t k = 0;
	for (int c = 0; c < m->nc; c++) {
		const mkt_curve *cv = &m->c[c];
		qc->base[c] = (int)k;
		for (int q = 0; q < cv->nq; q++) {
			qc->off[k++] = qc->w.len;
			csvw_str(&qc->w, cv->name);
			csvw_date(&qc->w, cv->q[q].first);
			csvw_date(&qc->w, cv->q[q].last);
			csvw_int(&qc->w, date_month_index(cv->q[q].first) - asof_month);
			qc->w.col = 0; /* cells, not a row */
		}
	}
	qc->off[k] = qc->w.len;
	if (qc->w.oom) {
		qcells_free(qc);
		return -1;
	}
	return 0;
}

struct val_book {
	const quote_cells *qc; /* formatting a book's CSV sensitivities */
	market *m;
	trade *tr;
	result *res;
	long n, cancelled;
	double spread_corr; /* the Kirk correlation it was priced with */
	const struct val_corr *corr; /* per curve pair, before spread_corr */
	size_t ncorr;
	/* the model names of results received from other MPI ranks
	 * (unpack_result), which res[].model points into */
	char **models;
	int nmodels;
};

static void h5_valuation_row(h5tab_writer *w, const trade *t, const result *r)
{
	const char *sv[] = {t->id, t->book, instr_names[t->instr], t->curve, t->currency};
	for (int c = 0; c < 5; c++)
		h5tab_set_str(w, c, sv[c], strlen(sv[c]));
	const double dv[] = {r->npv, r->undisc, r->delta, r->gamma, r->vega, r->theta};
	for (int c = 0; c < 6; c++)
		h5tab_set_double(w, 5 + c, dv[c]);
	h5tab_set_str(w, 11, r->model, strlen(r->model));
}

/* The theta of sensitivity row k: the value change of the trade for one
 * calendar day (theta per year / 365) on its first row, 0 on the others. */
static double sens_theta(const result *r, int k)
{
	return k == 0 ? r->theta / 365 : 0;
}

static int h5_sensitivity_rows(h5tab_writer *w, const market *m, const trade *t, const result *r,
			       qe_err *e)
{
	long asof_month = date_month_index(m->asof);
	for (int k = 0; k < r->ns; k++) {
		const mkt_curve *c = &m->c[r->s[k].curve];
		const mkt_quote *q = &c->q[r->s[k].quote];
		h5tab_set_str(w, 0, t->id, strlen(t->id));
		h5tab_set_str(w, 1, t->book, strlen(t->book));
		h5tab_set_str(w, 2, c->name, strlen(c->name));
		h5tab_set_int64(w, 3, q->first);
		h5tab_set_int64(w, 4, q->last);
		h5tab_set_int64(w, 5, date_month_index(q->first) - asof_month);
		h5tab_set_double(w, 6, r->s[k].delta);
		h5tab_set_double(w, 7, r->s[k].gamma);
		h5tab_set_double(w, 8, r->s[k].vega);
		h5tab_set_double(w, 9, sens_theta(r, k));
		if (r->s[k].curve2 >= 0) {
			const mkt_curve *c2 = &m->c[r->s[k].curve2];
			h5tab_set_str(w, 10, c2->name, strlen(c2->name));
			h5tab_set_int64(w, 11, date_month_index(c2->q[r->s[k].quote2].first) - asof_month);
		} else {
			h5tab_set_str(w, 10, "", 0);
			h5tab_set_int64(w, 11, H5TAB_MISSING_INT);
		}
		if (h5tab_end_row(w, e))
			return e->code;
	}
	return 0;
}

/* Valuations and sensitivities as HDF5 tables /valuations and
 * /sensitivities of qe-formats(5), into files the caller commits. */
static int write_h5(const val_book *b, h5file *vf, h5file *sf, qe_err *e)
{
	h5tab_colspec vcols[12], scols[12];
	h5tab_colspecs(FMT_VALUATIONS, vcols, 12);
	h5tab_colspecs(FMT_SENSITIVITIES, scols, 12);
	h5tab_writer *vw = NULL, *sw = NULL;
	if ((vf && !(vw = h5tab_begin(vf, "valuations", vcols, 12, e))) ||
	    (sf && !(sw = h5tab_begin(sf, "sensitivities", scols, 12, e))))
		return e->code;
	for (long i = 0; i < b->n; i++) {
		const result *r = &b->res[i];
		if (r->status)
			continue;
		if (vw) {
			h5_valuation_row(vw, &b->tr[i], r);
			if (h5tab_end_row(vw, e))
				return e->code;
		}
		if (sw && h5_sensitivity_rows(sw, b->m, &b->tr[i], r, e))
			return e->code;
	}
	return 0;
}

static void csv_valuation_row(csv_writer *w, const trade *t, const result *r)
{
	csvw_str(w, t->id);
	csvw_str(w, t->book);
	csvw_str(w, instr_names[t->instr]);
	csvw_str(w, t->curve);
	csvw_str(w, t->currency);
	csvw_double(w, r->npv);
	csvw_double(w, r->undisc);
	csvw_double(w, r->delta);
	csvw_double(w, r->gamma);
	csvw_double(w, r->vega);
	csvw_double(w, r->theta);
	csvw_str(w, r->model);
	csvw_end(w);
}

static void csv_sensitivity_rows(csv_writer *w, const market *m, const quote_cells *qc,
				 const trade *t, const result *r)
{
	long asof_month = date_month_index(m->asof);
	for (int k = 0; k < r->ns; k++) {
		size_t at = (size_t)qc->base[r->s[k].curve] + (size_t)r->s[k].quote;
		csvw_str(w, t->id);
		csvw_str(w, t->book);
		csvw_cells(w, qc->w.mem + qc->off[at], qc->off[at + 1] - qc->off[at], 4);
		csvw_double(w, r->s[k].delta);
		csvw_double(w, r->s[k].gamma);
		csvw_double(w, r->s[k].vega);
		csvw_double(w, sens_theta(r, k));
		if (r->s[k].curve2 >= 0) {
			const mkt_curve *c2 = &m->c[r->s[k].curve2];
			csvw_str(w, c2->name);
			csvw_int(w, date_month_index(c2->q[r->s[k].quote2].first) - asof_month);
		} else {
			csvw_empty(w);
			csvw_empty(w);
		}
		csvw_end(w);
	}
}

enum { BLOCK = 2048 };

/* One block of trades' valuation and sensitivity rows, each into a
 * memory writer (vw or sw NULL: not wanted).  0 or -1. */
static int format_block(const val_book *b, long blk, csv_writer *vw, csv_writer *sw)
{
	if (vw)
		csvw_mem_clear(vw);
	if (sw)
		csvw_mem_clear(sw);
	long hi = (blk + 1) * BLOCK < b->n ? (blk + 1) * BLOCK : b->n;
	for (long i = blk * BLOCK; i < hi; i++) {
		if (b->res[i].status)
			continue;
		if (vw)
			csv_valuation_row(vw, &b->tr[i], &b->res[i]);
		if (sw)
			csv_sensitivity_rows(sw, b->m, b->qc, &b->tr[i], &b->res[i]);
	}
	return (vw && vw->oom) || (sw && sw->oom) ? -1 : 0;
}

/* Valuations and sensitivities as CSV (either fp may be NULL).  Rows are
 * formatted in parallel, a block of trades per memory stream, and written
 * in block order: the bytes do not depend on the number of threads. */
static void csv_headers(FILE *vfp, FILE *sfp)
{
	csv_writer w;
	if (vfp) {
		csvw_init(&w, vfp);
		csvw_header_of(&w, FMT_VALUATIONS);
	}
	if (sfp) {
		csvw_init(&w, sfp);
		csvw_header_of(&w, FMT_SENSITIVITIES);
	}
}

/* Memory writers of the blocks of write_csv_rows, two per block
 * (valuations, sensitivities), kept by a stream from one flush to the
 * next so that formatting allocates nothing once they have grown. */
typedef struct fmt_pool {
	csv_writer *w;
	long n;
} fmt_pool;

static void fmt_pool_free(fmt_pool *p)
{
	for (long i = 0; i < p->n; i++)
		csvw_mem_free(&p->w[i]);
	free(p->w);
	p->w = NULL;
	p->n = 0;
}

/* format_block of block k into the pool's writers, unless another block
 * failed; a failure sets *fail. */
static void format_block_once(const val_book *b, long k, FILE *vfp, FILE *sfp, fmt_pool *p,
			      int *fail)
{
	int failed; /* another thread may be setting it: read it atomically */
#pragma omp atomic read
	failed = *fail;
	if (!failed && format_block(b, k, vfp ? &p->w[2 * k] : NULL, sfp ? &p->w[2 * k + 1] : NULL)) {
#pragma omp atomic write
		*fail = 1;
	}
}

/* The rows of write_csv (no headers): also one block of a stream, with
 * the stream's pool (NULL: a pool of this call). */
static int write_csv_rows(const val_book *b, FILE *vfp, FILE *sfp, fmt_pool *pool, qe_err *e)
{
	long nblocks = (b->n + BLOCK - 1) / BLOCK;
	fmt_pool own = {0};
	fmt_pool *p = pool ? pool : &own;
	int fmt_fail = 0;
	if (p->n < 2 * nblocks) {
		csv_writer *nw = realloc(p->w, sizeof *nw * (size_t)(2 * nblocks));
		if (nw) {
			p->w = nw;
			for (long i = p->n; i < 2 * nblocks; i++)
				csvw_init_mem(&p->w[i]);
			p->n = 2 * nblocks;
		} else {
			fmt_fail = 1;
		}
	}
	/* within a stream's parallel region (a task of stream_rows): tasks
	 * for the team's idle threads; else a team of its own */
	if (omp_in_parallel()) {
		/* an unsigned count: clang's taskloop compares it unsigned */
		size_t nb = (size_t)nblocks;
#pragma omp taskloop grainsize(1) shared(fmt_fail)
		for (size_t k = 0; k < nb; k++)
			format_block_once(b, (long)k, vfp, sfp, p, &fmt_fail);
	} else {
#pragma omp parallel for schedule(dynamic, 1)
		for (long k = 0; k < nblocks; k++)
			format_block_once(b, k, vfp, sfp, p, &fmt_fail);
	}
	for (long k = 0; k < nblocks && !fmt_fail; k++) {
		if (vfp && p->w[2 * k].len)
			fwrite(p->w[2 * k].mem, 1, p->w[2 * k].len, vfp);
		if (sfp && p->w[2 * k + 1].len)
			fwrite(p->w[2 * k + 1].mem, 1, p->w[2 * k + 1].len, sfp);
	}
	fmt_pool_free(&own);
	if (fmt_fail)
		return qe_err_set(e, QE_INTERNAL, "out of memory formatting the outputs");
	return 0;
}

static int write_csv(const val_book *b, FILE *vfp, FILE *sfp, qe_err *e)
{
	quote_cells qc;
	if (qcells_init(&qc, b->m))
		return qe_err_set(e, QE_INTERNAL, "out of memory formatting the outputs");
	val_book bq = *b;
	bq.qc = &qc;
	csv_headers(vfp, sfp);
	int rc = write_csv_rows(&bq, vfp, sfp, NULL, e);
	qcells_free(&qc);
	return rc;
}

static void write_error_rows(const val_book *b, FILE *fp)
{
	csv_writer w;
	csvw_init(&w, fp);
	for (long i = 0; i < b->n; i++)
		if (b->res[i].status == 1) {
			csvw_str(&w, b->tr[i].id);
			csvw_str(&w, b->res[i].err);
			csvw_end(&w);
		}
}

static void write_errors(const val_book *b, FILE *fp)
{
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_PRICE_ERRORS);
	write_error_rows(b, fp);
}

/* Adds b's trades to the counts of s (cancelled not included). */
static void summarize_add(const val_book *b, struct val_summary *s)
{
	for (long i = 0; i < b->n; i++) {
		const result *r = &b->res[i];
		if (r->status == 2) {
			s->matured++;
		} else if (r->status == 1) {
			if (!s->failed)
				snprintf(s->first_error, sizeof s->first_error, "trade %s: %s",
					 b->tr[i].id, r->err);
			s->failed++;
		} else {
			s->priced++;
		}
	}
}

static void summarize(const val_book *b, struct val_summary *s)
{
	memset(s, 0, sizeof *s);
	s->cancelled = b->cancelled;
	summarize_add(b, s);
}

/* ---- driver -------------------------------------------------------------- */

/* The pair of the table t's legs are (either order), or -1. */
static long corr_pair(const val_book *b, const trade *t)
{
	if (t->instr != I_SPREAD)
		return -1;
	for (size_t k = 0; k < b->ncorr; k++) {
		const struct val_corr *p = &b->corr[k];
		if ((strcmp(p->curve1, t->curve) == 0 && strcmp(p->curve2, t->curve2) == 0) ||
		    (strcmp(p->curve2, t->curve) == 0 && strcmp(p->curve1, t->curve2) == 0))
			return (long)k;
	}
	return -1;
}

static double trade_corr(const val_book *b, const trade *t)
{
	long k = corr_pair(b, t);
	return k >= 0 ? b->corr[k].rho : b->spread_corr;
}

int valuation_corr_used(const val_book *b, size_t k)
{
	for (long i = 0; i < b->n; i++)
		if (!b->tr[i].err[0] && corr_pair(b, &b->tr[i]) == (long)k)
			return 1;
	return 0;
}

val_book *valuation_load(const struct val_options *o, qe_err *e)
{
	struct mkt_paths p = {o->markets, o->curves, o->vols, o->rates, o->fixings, o->calendars};
	val_book *b = calloc(1, sizeof *b);
	if (!b)
		return qe_err_set(e, QE_INTERNAL, "out of memory"), NULL;
	market *m = mkt_load(&p, o->asof, e);
	if (!m) {
		free(b);
		return NULL;
	}
	m->bump = o->bump;
	b->m = m;
	b->spread_corr = o->spread_corr;
	b->corr = o->corr;
	b->ncorr = o->ncorr;
	if (load_trades(o, &b->tr, &b->n, &b->cancelled, e)) {
		valuation_free(b);
		return NULL;
	}
	if (!(b->res = calloc((size_t)b->n + 1, sizeof *b->res))) {
		valuation_free(b);
		return qe_err_set(e, QE_INTERNAL, "out of memory"), NULL;
	}
	return b;
}

/* Prices the trades [lo, hi) of b, in parallel. */
static void book_price(val_book *b, long lo, long hi)
{
#pragma omp parallel for schedule(dynamic, 64)
	for (long i = lo; i < hi; i++)
		price_one(b->m, &b->tr[i], trade_corr(b, &b->tr[i]), &b->res[i]);
}

val_book *valuation_price(const struct val_options *o, qe_err *e)
{
	val_book *b = valuation_load(o, e);
	if (b)
		book_price(b, 0, b->n);
	return b;
}

/* ---- sharing the book among MPI ranks (valuation_price_share) -------------
 *
 * A rank's results travel as bytes, trade after trade: the six values,
 * the status and the number of sensitivity rows (int32), the model
 * (uint32 length + 1, 0 for none, then its text), the reason of an error
 * (uint32 length, its text), then per sensitivity row its four int16
 * indices and three values.  Doubles are copied bit for bit. */

/* Copies n bytes of v to buf + at (buf NULL: only counts); the offset
 * after them. */
static size_t pack_put(unsigned char *buf, size_t at, const void *v, size_t n)
{
	if (buf)
		memcpy(buf + at, v, n);
	return at + n;
}

/* The bytes of r at buf + at (buf NULL: only counts); the offset after
 * them. */
static size_t pack_result(unsigned char *buf, size_t at, const result *r)
{
	const double v[6] = {r->npv, r->undisc, r->delta, r->gamma, r->vega, r->theta};
	const int32_t st[2] = {r->status, r->ns};
	uint32_t ml = r->model ? (uint32_t)strlen(r->model) + 1 : 0, el = (uint32_t)strlen(r->err);
	at = pack_put(buf, at, v, sizeof v);
	at = pack_put(buf, at, st, sizeof st);
	at = pack_put(buf, at, &ml, sizeof ml);
	if (ml)
		at = pack_put(buf, at, r->model, ml - 1);
	at = pack_put(buf, at, &el, sizeof el);
	at = pack_put(buf, at, r->err, el);
	for (int k = 0; k < r->ns; k++) {
		const sens *x = &r->s[k];
		const int16_t ix[4] = {x->curve, x->quote, x->curve2, x->quote2};
		const double sv[3] = {x->delta, x->gamma, x->vega};
		at = pack_put(buf, at, ix, sizeof ix);
		at = pack_put(buf, at, sv, sizeof sv);
	}
	return at;
}

/* Takes n bytes at *at of buf (len bytes) into v.  0, or -1 when fewer
 * are left. */
static int pack_take(const unsigned char *buf, size_t len, size_t *at, void *v, size_t n)
{
	if (len - *at < n)
		return -1;
	memcpy(v, buf + *at, n);
	*at += n;
	return 0;
}

/* b's copy of the model name text[0..n) (one per name): the result's
 * model points to it.  NULL when out of memory. */
static const char *book_model(val_book *b, const unsigned char *text, size_t n)
{
	for (int k = 0; k < b->nmodels; k++)
		if (strlen(b->models[k]) == n && memcmp(b->models[k], text, n) == 0)
			return b->models[k];
	char **nm = realloc(b->models, sizeof *nm * (size_t)(b->nmodels + 1));
	if (!nm)
		return NULL;
	b->models = nm;
	if (!(nm[b->nmodels] = malloc(n + 1)))
		return NULL;
	memcpy(nm[b->nmodels], text, n);
	nm[b->nmodels][n] = '\0';
	return nm[b->nmodels++];
}

/* The result r (zeroed) from buf + *at (len bytes in all), as
 * pack_result wrote it.  0, or QE_INTERNAL (e set) when the bytes end
 * early or memory runs out. */
static int unpack_result(val_book *b, const unsigned char *buf, size_t len, size_t *at, result *r,
			 qe_err *e)
{
	double v[6];
	int32_t st[2];
	uint32_t ml, el;
	if (pack_take(buf, len, at, v, sizeof v) || pack_take(buf, len, at, st, sizeof st) ||
	    pack_take(buf, len, at, &ml, sizeof ml) || (ml && len - *at < ml - 1))
		goto short_read;
	r->npv = v[0], r->undisc = v[1], r->delta = v[2], r->gamma = v[3], r->vega = v[4], r->theta = v[5];
	r->status = st[0];
	if (ml && !(r->model = book_model(b, buf + *at, ml - 1)))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	*at += ml ? ml - 1 : 0;
	if (pack_take(buf, len, at, &el, sizeof el) || el >= sizeof r->err ||
	    pack_take(buf, len, at, r->err, el) || st[1] < 0)
		goto short_read;
	if (st[1] && !(r->s = calloc((size_t)st[1], sizeof *r->s)))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (int k = 0; k < st[1]; k++) {
		int16_t ix[4];
		double sv[3];
		if (pack_take(buf, len, at, ix, sizeof ix) || pack_take(buf, len, at, sv, sizeof sv))
			goto short_read;
		sens *x = &r->s[r->ns++];
		x->curve = ix[0], x->quote = ix[1], x->curve2 = ix[2], x->quote2 = ix[3];
		x->delta = sv[0], x->gamma = sv[1], x->vega = sv[2];
	}
	return 0;
short_read:
	return qe_err_set(e, QE_INTERNAL, "MPI: the results of the other ranks end early");
}

/* Sends the results of this rank's trades [lo, hi) to rank 0, which has
 * priced [0, hi) itself and receives the rest, in trade order. */
static int gather_results(val_book *b, long lo, long hi, qe_err *e)
{
	unsigned char *mine = NULL;
	void *all = NULL;
	size_t n = 0, alln = 0;
	int rank = par_rank(), rc;
	size_t at = 0;
	if (rank != 0) {
		for (long i = lo; i < hi; i++)
			n = pack_result(NULL, n, &b->res[i]);
		if (!(mine = malloc(n + 1)))
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		for (long i = lo; i < hi; i++)
			at = pack_result(mine, at, &b->res[i]);
		at = 0;
	}
	rc = par_gather_bytes(mine, n, &all, &alln, e);
	free(mine);
	for (long i = hi; !rc && rank == 0 && i < b->n; i++)
		rc = unpack_result(b, all, alln, &at, &b->res[i], e);
	if (!rc && at != alln)
		rc = qe_err_set(e, QE_INTERNAL, "MPI: %zu bytes of the other ranks' results left over", alln - at);
	free(all);
	return rc;
}

int valuation_price_share(val_book *b, qe_err *e)
{
	size_t lo, hi;
	par_my_share((size_t)b->n, 1, &lo, &hi);
	book_price(b, (long)lo, (long)hi);
	return par_size() > 1 ? gather_results(b, (long)lo, (long)hi, e) : 0;
}

int valuation_write(const val_book *b, const struct val_outputs *out, struct val_summary *s,
		    qe_err *e)
{
	summarize(b, s);
	if ((out->h5_valuations || out->h5_sensitivities) &&
	    write_h5(b, out->h5_valuations, out->h5_sensitivities, e))
		return e->code;
	if ((out->valuations || out->sensitivities) &&
	    write_csv(b, out->valuations, out->sensitivities, e))
		return e->code;
	if (out->errors)
		write_errors(b, out->errors);
	if (out->ladder && write_ladder(b->m, b->tr, b->res, b->n, out->ladder))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (s->failed)
		return qe_err_set(e, QE_DATA, "%ld trade%s could not be priced (first: %s)", s->failed,
				  s->failed == 1 ? "" : "s", s->first_error);
	return QE_OK;
}

void valuation_free(val_book *b)
{
	if (!b)
		return;
	for (long i = 0; b->res && i < b->n; i++)
		free(b->res[i].s);
	free(b->res);
	free(b->tr);
	mkt_free(b->m);
	for (int k = 0; k < b->nmodels; k++)
		free(b->models[k]);
	free(b->models);
	free(b);
}

/* ---- scenario repricing (price/valscen.h) ---------------------------------- */

long valuation_count(const val_book *b)
{
	return b->n;
}

const market *valuation_market(const val_book *b)
{
	return b->m;
}

void valuation_trade(const val_book *b, long i, struct val_trade_info *t)
{
	const trade *tr = &b->tr[i];
	const result *r = &b->res[i];
	t->id = tr->id;
	t->book = tr->book;
	t->curve = tr->curve;
	t->currency = tr->currency;
	t->status = r->status;
	t->err = r->err;
	t->npv = r->npv;
	t->nquotes = r->ns;
	t->model = r->status == 0 ? r->model : NULL;
	t->has_expiry = tr->has_expiry;
	t->expiry = tr->has_expiry ? tr->expiry : 0;
	t->delivery_start = tr->ds;
	t->delivery_end = tr->de;
	t->version = tr->version;
}

void valuation_trade_sens(const val_book *b, long i, int k, struct val_sens_row *row)
{
	const sens *x = &b->res[i].s[k];
	row->curve = x->curve;
	row->quote = x->quote;
	row->curve2 = x->curve2;
	row->quote2 = x->quote2;
	row->delta = x->delta;
	row->gamma = x->gamma;
	row->vega = x->vega;
}

/* The NPV of trade i from its repricing r into npv[i] (matured 0, failed
 * NaN); a failure of the lowest index so far becomes *bad, its message
 * err.  Called from the threads of a parallel loop. */
static void reprice_keep(long i, const result *r, double *npv, long *bad, char *err, size_t errsz)
{
	npv[i] = r->status == 0 ? r->npv : r->status == 2 ? 0.0 : NAN;
	if (r->status == 1) {
#pragma omp critical(valuation_reprice)
		if (*bad < 0 || i < *bad) {
			*bad = i;
			snprintf(err, errsz, "%s", r->err);
		}
	}
}

void valuation_trade_quote(const val_book *b, long i, int k, int *curve, int *quote)
{
	*curve = b->res[i].s[k].curve;
	*quote = b->res[i].s[k].quote;
}

long valuation_reprice(const val_book *b, const market *m, double *npv, char *err, size_t errsz)
{
	return valuation_reprice_some(b, m, NULL, b->n, npv, err, errsz);
}

long valuation_reprice_some(const val_book *b, const market *m, const long *idx, long n, double *npv,
			    char *err, size_t errsz)
{
	long bad = -1;
#pragma omp parallel for schedule(dynamic, 64)
	for (long j = 0; j < n; j++) {
		long i = idx ? idx[j] : j;
		result r;
		if (b->res[i].status) {
			npv[i] = b->res[i].status == 2 ? 0.0 : NAN;
			continue;
		}
		price_one(m, &b->tr[i], trade_corr(b, &b->tr[i]), &r);
		free(r.s);
		reprice_keep(i, &r, npv, &bad, err, errsz);
	}
	return bad;
}

val_book *valuation_price_again(const val_book *like, const struct val_options *o, qe_err *e)
{
	struct mkt_paths paths = {o->markets, o->curves, o->vols, o->rates, o->fixings, o->calendars};
	val_book *b = calloc(1, sizeof *b);
	if (!b)
		return qe_err_set(e, QE_INTERNAL, "out of memory"), NULL;
	if (!(b->m = mkt_load(&paths, o->asof, e))) {
		free(b);
		return NULL;
	}
	b->m->bump = o->bump;
	b->spread_corr = o->spread_corr;
	b->corr = o->corr;
	b->ncorr = o->ncorr;
	b->n = like->n;
	b->cancelled = like->cancelled;
	b->tr = malloc(sizeof *b->tr * ((size_t)like->n + 1));
	b->res = calloc((size_t)like->n + 1, sizeof *b->res);
	if (!b->tr || !b->res) {
		valuation_free(b);
		return qe_err_set(e, QE_INTERNAL, "out of memory"), NULL;
	}
	if (like->n)
		memcpy(b->tr, like->tr, sizeof *b->tr * (size_t)like->n);
	const market *m = b->m;
#pragma omp parallel for schedule(dynamic, 64)
	for (long i = 0; i < b->n; i++)
		price_one(m, &b->tr[i], trade_corr(b, &b->tr[i]), &b->res[i]);
	return b;
}

/* ---- streaming (valuation_stream) ------------------------------------------ */

enum { STREAM_BLOCK = 16384 };

static void src_close(rowsrc *src)
{
	if (src->c)
		csvr_close(src->c);
	if (src->h)
		h5tab_close(src->h);
	memset(src, 0, sizeof *src);
}

static int src_open(const char *path, rowsrc *src, int *colmap, qe_err *e)
{
	memset(src, 0, sizeof *src);
	if (is_hdf5(path)) {
		if (!(src->h = h5tab_open(path, "trades", e)))
			return e->code;
	} else if (!(src->c = csvr_open(path, e))) {
		return e->code;
	}
	if (map_trades_header(src, path, colmap, e)) {
		src_close(src);
		return e->code;
	}
	return 0;
}

/* CSVR_ROW, CSVR_BADROW, CSVR_EOF or CSVR_FATAL, as load_trades reads. */
static int src_next(rowsrc *src, qe_err *e)
{
	if (src->c)
		return csvr_next(src->c, e);
	int st = h5tab_next(src->h, e);
	src->row++;
	return st > 0 ? CSVR_ROW : st == 0 ? CSVR_EOF : CSVR_FATAL;
}

/* The state of a stream: the rows of every id of the file (counted by a
 * first pass), the trades read but not yet written (in order of first
 * appearance; a trade is done when the last row of its id was read) and
 * what accumulates over the whole book. */
typedef struct vstream {
	const struct val_options *o;
	const struct val_outputs *out;
	market *m;
	strindex *ids;     /* the id text of every good row */
	long *left, *slot; /* per id: rows still to read; its trade (absolute index) or -1 */
	uint32_t *rowid;   /* per good row of pass 1, in file order: its id */
	long nrows, rowcap, nrow; /* rows in rowid, its capacity, rows pass 2 has read */
	trade *q;          /* pending trades, q[0] has absolute index base */
	char *done;
	long qn, qcap, base, ndone;
	result *res;
	/* the batch being priced and written while the next is read: its
	 * trades and results, and how it ended (rc, be) */
	trade *bt;
	long bn, bcap;
	int brc;
	qe_err be;
	/* what only the batch side touches */
	h5tab_writer *vw, *sw;
	ladder_acc lad;
	fmt_pool pool; /* write_csv_rows' writers */
	quote_cells qc;
	amer_memo *amemo; /* one per thread of the team */
	int namemo;
	struct val_summary sum;
} vstream;

/* The calling thread's memo of American options, or NULL. */
static amer_memo *thread_memo(const vstream *v)
{
	int k = omp_get_thread_num();
	return k < v->namemo ? &v->amemo[k] : NULL;
}

/* Pass 1: how many rows each id has.  *plain = 0 when an id reads like
 * the "line N"/"row N" name a rejected row gets (then ids could clash
 * and the caller values the book in memory). */
/* What count_id stops at, besides an id. */
enum { COUNT_OK, COUNT_NOT_PLAIN, COUNT_OOM };

typedef struct id_count {
	vstream *v;
	long cap;
	int stop;
} id_count;

/* One good row's id into the counts; nonzero stops the pass. */
static int count_id(void *ctx, const char *p, size_t len)
{
	id_count *c = ctx;
	vstream *v = c->v;
	if ((len >= 5 && memcmp(p, "line ", 5) == 0) || (len >= 4 && memcmp(p, "row ", 4) == 0))
		return c->stop = COUNT_NOT_PLAIN;
	long k = sidx_add(v->ids, p, len, NULL);
	if (k < 0)
		return c->stop = COUNT_OOM;
	if (k >= c->cap) {
		long nc = c->cap ? 2 * c->cap : 65536;
		long *nl = realloc(v->left, sizeof *nl * (size_t)nc);
		if (nl)
			v->left = nl;
		long *ns = nl ? realloc(v->slot, sizeof *ns * (size_t)nc) : NULL;
		if (ns)
			v->slot = ns;
		if (!ns)
			return c->stop = COUNT_OOM;
		for (long i = c->cap; i < nc; i++)
			v->left[i] = 0, v->slot[i] = -1;
		c->cap = nc;
	}
	v->left[k]++;
	if (v->nrows == v->rowcap) {
		long nc = v->rowcap ? 2 * v->rowcap : 65536;
		uint32_t *nr = k <= (long)UINT32_MAX ? realloc(v->rowid, sizeof *nr * (size_t)nc) : NULL;
		if (!nr)
			return c->stop = COUNT_OOM;
		v->rowid = nr;
		v->rowcap = nc;
	}
	v->rowid[v->nrows++] = (uint32_t)k;
	return 0;
}

/* Pass 2: the id of the next good row, as pass 1 found it (no second
 * lookup), or -1 when the row's id p[0..len) is not the one pass 1 read
 * there (the file changed between the passes). */
static long next_row_id(vstream *v, const char *p, size_t len)
{
	if (v->nrow >= v->nrows)
		return -1;
	long k = v->rowid[v->nrow++];
	const char *name = sidx_name(v->ids, (size_t)k);
	return strlen(name) == len && memcmp(name, p, len) == 0 ? k : -1;
}

static int count_ids(vstream *v, int *plain, qe_err *e)
{
	rowsrc src;
	int colmap[FMT_TR_N], rc = 0, st;
	char nb[NUM_BUFSZ];
	id_count c = {v, 0, COUNT_OK};
	*plain = 1;
	if (src_open(v->o->trades, &src, colmap, e))
		return e->code;
	if (src.c) {
		/* CSV: only the id column, split by csvscan (io/csvio.h), not
		 * parsed field by field as pass 2 parses it */
		int ncols = csvr_ncols(src.c);
		src_close(&src);
		rc = csv_scan_column(v->o->trades, ncols, colmap[FMT_TR_ID], count_id, &c, e);
		if (rc < 0)
			*plain = 0; /* a field past the limit: the in-memory path says so */
		else if (c.stop == COUNT_NOT_PLAIN)
			*plain = 0;
		else if (c.stop == COUNT_OOM)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		return rc > 1 ? rc : 0;
	}
	while ((st = src_next(&src, e)) != CSVR_EOF) {
		if (st == CSVR_FATAL) {
			rc = e->code;
			break;
		}
		if (st != CSVR_ROW)
			continue;
		csvscan_field f = rs_text(&src, colmap[FMT_TR_ID], nb);
		if (count_id(&c, f.p, f.len))
			break;
	}
	src_close(&src);
	if (!rc && c.stop == COUNT_NOT_PLAIN)
		*plain = 0;
	else if (!rc && c.stop == COUNT_OOM)
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	return rc;
}

/* Prices, writes and folds the batch (v->bt[0..bn)): the batch side,
 * which alone touches the outputs, the ladder and the summary.  Its
 * pricing and formatting are tasks for the idle threads of the team;
 * each trade's numbers do not depend on which thread priced it, and the
 * rows go out in trade order. */
static int batch_write(vstream *v, qe_err *e)
{
	long j = 0, n = v->bn;
	trade *q = v->bt;
	for (long i = 0; i < n; i++) {
		if (q[i].cancel && !q[i].err[0])
			v->sum.cancelled++;
		else if (j++ != i)
			q[j - 1] = q[i];
	}
	if (omp_in_parallel()) {
		size_t nj = (size_t)j;
#pragma omp taskloop grainsize(64)
		for (size_t i = 0; i < nj; i++)
			price_one_memo(v->m, &q[i], v->o->spread_corr, thread_memo(v), &v->res[i]);
	} else {
#pragma omp parallel for schedule(dynamic, 64)
		for (long i = 0; i < j; i++)
			price_one_memo(v->m, &q[i], v->o->spread_corr, thread_memo(v), &v->res[i]);
	}
	val_book blk = {.qc = &v->qc, .m = v->m, .tr = q, .res = v->res, .n = j};
	int rc = 0;
	summarize_add(&blk, &v->sum);
	for (long i = 0; i < j && !rc && (v->vw || v->sw); i++) {
		const result *r = &v->res[i];
		if (r->status)
			continue;
		if (v->vw) {
			h5_valuation_row(v->vw, &q[i], r);
			rc = h5tab_end_row(v->vw, e);
		}
		if (!rc && v->sw)
			rc = h5_sensitivity_rows(v->sw, v->m, &q[i], r, e);
	}
	if (!rc && (v->out->valuations || v->out->sensitivities))
		rc = write_csv_rows(&blk, v->out->valuations, v->out->sensitivities, &v->pool, e);
	if (!rc && v->out->errors)
		write_error_rows(&blk, v->out->errors);
	for (long i = 0; i < j && !rc && v->out->ladder; i++)
		if (ladder_add(&v->lad, &q[i], &v->res[i]))
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	for (long i = 0; i < j; i++) {
		free(v->res[i].s);
		v->res[i].s = NULL;
	}
	return rc ? e->code : 0;
}

/* Waits for the batch in flight (a task of stream_rows' team, or none);
 * its code, e filled from it. */
static int batch_wait(vstream *v, qe_err *e)
{
#pragma omp taskwait
	if (v->brc)
		*e = v->be;
	return v->brc;
}

/* The reader side: hands the first n pending trades (all done) to the
 * batch side and drops them from the queue.  Inside stream_rows' team
 * the batch is a task, priced and written while the reader reads on; the
 * previous batch is finished first, so batches go out in order. */
static int stream_flush(vstream *v, long n, qe_err *e)
{
	if (batch_wait(v, e))
		return e->code;
	if (n > v->bcap) {
		trade *nb = realloc(v->bt, sizeof *nb * (size_t)n);
		result *nr = nb ? realloc(v->res, sizeof *nr * (size_t)n) : NULL;
		if (nb)
			v->bt = nb;
		if (!nr)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		v->res = nr;
		v->bcap = n;
	}
	memcpy(v->bt, v->q, sizeof *v->q * (size_t)n);
	v->bn = n;
	memmove(v->q, v->q + n, sizeof *v->q * (size_t)(v->qn - n));
	memmove(v->done, v->done + n, (size_t)(v->qn - n));
	v->qn -= n;
	v->ndone -= n;
	v->base += n;
#pragma omp task firstprivate(v)
	v->brc = batch_write(v, &v->be);
	return 0;
}

/* Appends t to the pending trades; its absolute index. */
static long stream_push(vstream *v, const trade *t, int done, qe_err *e)
{
	if (v->qn == v->qcap) {
		long nc = v->qcap ? 2 * v->qcap : STREAM_BLOCK;
		trade *nq = realloc(v->q, sizeof *nq * (size_t)nc);
		if (nq)
			v->q = nq;
		char *nd = nq ? realloc(v->done, (size_t)nc) : NULL;
		if (!nd)
			return qe_err_set(e, QE_INTERNAL, "out of memory"), -1;
		v->done = nd;
		v->qcap = nc;
	}
	v->q[v->qn] = *t;
	v->done[v->qn] = (char)done;
	return v->base + v->qn++;
}

/* One row of pass 2 into the pending trades, in file order: t as read
 * (rk its id's index from pass 1, -1 for a row that is not CSVR_ROW;
 * idok: t is filed under that id, not as a rejected row of its own),
 * through the lifecycle rule of qe-ingest; flushes the trades that are
 * final.  0 or the code of e. */
static int stream_merge(vstream *v, trade *t, int life, long rk, int idok, int csv, long line,
			const int *colmap, qe_err *e)
{
	const char *path = v->o->trades;
	long k = idok ? rk : -1;
	long at = k >= 0 ? v->slot[k] : -1;
	if (at >= 0 && at < v->base)
		return qe_err_set(e, QE_IO, "%s: changed while being read", path);
	trade *prev = at >= 0 ? &v->q[at - v->base] : NULL;
	/* the lifecycle rule of qe-ingest, in file order */
	if (!t->err[0] && (!prev || !prev->err[0])) {
		int state = !prev ? TRADE_UNKNOWN : prev->cancel ? TRADE_CANCELLED : TRADE_LIVE;
		char vtext[24];
		row_check lc = {0};
		if (schema_lifecycle_check(state, prev ? prev->version : 0, life, t->version, lc.reason,
					   sizeof lc.reason, &lc.col)) {
			snprintf(vtext, sizeof vtext, "%d", t->version);
			lc.value = lc.col == FMT_TR_VERSION ? vtext : t->id;
			lc.value_len = strlen(lc.value);
			trade_reject_at(t, csv, line, path, colmap, &lc);
		}
	}
	if (!prev) {
		if ((at = stream_push(v, t, k < 0, e)) < 0)
			return e->code;
		if (k >= 0)
			v->slot[k] = at;
	} else if (prev->err[0]) {
		/* a bad version leaves the trade unpriced */
	} else if (t->err[0]) {
		snprintf(prev->err, sizeof prev->err, "%s", t->err);
	} else {
		*prev = *t; /* an amend or cancel that supersedes */
	}
	if (rk >= 0 && --v->left[rk] == 0 && v->slot[rk] >= 0)
		v->done[v->slot[rk] - v->base] = 1;
	while (v->ndone < v->qn && v->done[v->ndone])
		v->ndone++;
	if (v->ndone >= STREAM_BLOCK)
		return stream_flush(v, v->ndone, e);
	return 0;
}

/* ---- pass 2 over CSV without libcsv ---------------------------------------
 * Formula mode's reader (formula_lines_fill): lines found with memchr,
 * each a record while it holds no double quote and is no longer than the
 * field limit, split by csvscan (csvio's rules), validated and parsed in
 * parallel, then merged in file order.  The first line that is not so
 * simple is handed back to the csv_reader with the rest of the input,
 * and csvr_next() reads on: its rules, its messages. */

enum { RAW_ROWS = 8192, RAW_GRAIN = 128 };

typedef struct rawblk {
	strbuf text, carry;
	size_t start[RAW_ROWS + 1];
	long line[RAW_ROWS];
	long n, next_line;
	int eof, slow;
	/* per row, filled by the parsing threads */
	trade *t;
	int *life;
	long *rk;   /* -1 a good record, -2 a bad one */
	const char **idp; /* a good record's id text (in text), idlen bytes */
	size_t *idlen;
	char *idok;
} rawblk;

/* A parsing thread's buffers. */
typedef struct rawscr {
	strbuf canon, work, scratch;
	csvscan_field *f;
} rawscr;

/* Fills b with up to RAW_ROWS simple lines (formula_lines_fill); b->slow
 * once a line was handed back to r.  0, or the code of e. */
static int raw_fill(rawblk *b, csv_reader *r, qe_err *e)
{
	formula_lines L = {&b->text, &b->carry, b->start, b->line, 0, RAW_ROWS, b->next_line, b->eof,
			   b->slow};
	int rc = formula_lines_fill(&L, r, e);
	b->n = L.n;
	b->next_line = L.next_line;
	b->eof = L.eof;
	b->slow = L.slow;
	return rc;
}

/* Splits, validates and parses line i of b into b->t[i] as stream_rows
 * reads a row of csvr_next.  0, or -1 when out of memory. */
static int raw_row(const vstream *v, rawblk *b, long i, const csv_reader *r, const int *colmap,
		   const schema_ctx *ctx, rawscr *sc)
{
	const char *p = b->text.p + b->start[i];
	size_t n = b->start[i + 1] - b->start[i];
	int ncols = csvr_ncols(r);
	trade *t = &b->t[i];
	csvscan_rec rec;
	b->life[i] = LIFE_NONE;
	b->rk[i] = -2; /* not a CSVR_ROW */
	b->idok[i] = 0;
	sc->scratch.len = 0;
	if (strbuf_room(&sc->scratch, n + 1))
		return -1;
	csvscan_next(p, n, 0, 1, sc->f, ncols + 1, sc->scratch.p, &rec);
	if (rec.nfields != ncols) {
		/* csvr_next's CSVR_BADROW */
		int col = rec.nfields < ncols ? rec.nfields + 1 : ncols + 1;
		memset(t, 0, sizeof *t);
		snprintf(t->id, sizeof t->id, "line %ld", b->line[i]);
		snprintf(t->err, sizeof t->err, "%s:%ld:%d: expected %d fields, found %d", csvr_name(r),
			 b->line[i], col, ncols, rec.nfields);
		return 0;
	}
	csvscan_field f[FMT_TR_N];
	for (int c = 0; c < FMT_TR_N; c++)
		f[c] = colmap[c] >= 0 ? sc->f[colmap[c]] : (csvscan_field){"", 0};
	b->rk[i] = -1;
	b->idp[i] = f[FMT_TR_ID].p;
	b->idlen[i] = f[FMT_TR_ID].len;
	int life;
	if (read_fields(f, 1, b->line[i], v->o->trades, colmap, ctx, &sc->canon, &sc->work, t, &life))
		return -1;
	b->life[i] = life;
	/* a row rejected before its id is valid is a trade of its own */
	b->idok[i] = strlen(t->id) == f[FMT_TR_ID].len && memcmp(t->id, f[FMT_TR_ID].p, f[FMT_TR_ID].len) == 0;
	return 0;
}

static void rawblk_free(rawblk *b)
{
	strbuf_free(&b->text);
	strbuf_free(&b->carry);
	free(b->t), free(b->life), free(b->rk), free(b->idok), free(b->idp), free(b->idlen);
}

/* Pass 2 over the lines of the fast path, until the input ends or a line
 * goes back to src's reader (*slow). */
static int stream_raw(vstream *v, rowsrc *src, const int *colmap, const schema_ctx *ctx, int *slow,
		      qe_err *e)
{
	rawblk *b = calloc(1, sizeof *b);
	int nthr = omp_get_max_threads(), rc = 0, oom = 0;
	if (omp_in_parallel())
		nthr = omp_get_num_threads();
	rawscr *scr = calloc((size_t)nthr, sizeof *scr);
	int ncols = csvr_ncols(src->c);
	if (b) {
		b->t = malloc(sizeof *b->t * RAW_ROWS);
		b->life = malloc(sizeof *b->life * RAW_ROWS);
		b->rk = malloc(sizeof *b->rk * RAW_ROWS);
		b->idok = malloc(RAW_ROWS);
		b->idp = malloc(sizeof *b->idp * RAW_ROWS);
		b->idlen = malloc(sizeof *b->idlen * RAW_ROWS);
	}
	oom = !b || !scr || !b->t || !b->life || !b->rk || !b->idok || !b->idp || !b->idlen;
	for (int k = 0; k < nthr && !oom; k++)
		oom = !(scr[k].f = malloc(sizeof *scr[k].f * (size_t)(ncols + 1)));
	if (oom) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	b->next_line = csvr_raw_line(src->c);
	while (!rc) {
		if ((rc = raw_fill(b, src->c, e)))
			break;
		long n = b->n;
		int fail = 0;
		if (omp_in_parallel()) {
			size_t nn = (size_t)n;
#pragma omp taskloop grainsize(RAW_GRAIN) shared(fail)
			for (size_t i = 0; i < nn; i++) {
				int failed;
#pragma omp atomic read
				failed = fail;
				if (!failed && raw_row(v, b, (long)i, src->c, colmap, ctx, &scr[omp_get_thread_num()])) {
#pragma omp atomic write
					fail = 1;
				}
			}
		} else {
			for (long i = 0; i < n && !fail; i++)
				fail = raw_row(v, b, i, src->c, colmap, ctx, &scr[0]);
		}
		if (fail) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			break;
		}
		for (long i = 0; i < n && !rc; i++) {
			long rk = b->rk[i] == -1 ? next_row_id(v, b->idp[i], b->idlen[i]) : -2;
			if (rk == -1 || (rk >= 0 && v->left[rk] <= 0)) {
				rc = qe_err_set(e, QE_IO, "%s: changed while being read", v->o->trades);
				break;
			}
			rc = stream_merge(v, &b->t[i], b->life[i], rk < 0 ? -1 : rk, b->idok[i], 1, b->line[i],
					  colmap, e);
		}
		if (rc || b->slow || n == 0)
			break;
	}
	*slow = b->slow;
done:
	if (b)
		rawblk_free(b);
	free(b);
	for (int k = 0; scr && k < nthr; k++) {
		strbuf_free(&scr[k].canon);
		strbuf_free(&scr[k].work);
		strbuf_free(&scr[k].scratch);
		free(scr[k].f);
	}
	free(scr);
	return rc;
}

/* Pass 2: load_trades' loop, a trade leaving for the outputs as soon as
 * it and every trade before it are final. */
static int stream_rows(vstream *v, qe_err *e)
{
	const char *path = v->o->trades;
	rowsrc src;
	int colmap[FMT_TR_N], rc = 0, st;
	char nb[NUM_BUFSZ];
	schema_markets *mk = NULL;
	if (src_open(path, &src, colmap, e))
		return e->code;
	if (!(mk = schema_markets_load(v->o->markets, e))) {
		src_close(&src);
		return e->code;
	}
	schema_ctx ctx = {.s = schema_get(FMT_TRADES), .markets = mk, .colmap = schema_trades_identity};
	strbuf canon = {0}, work = {0};
	int slow = 1;
	/* a reader holding part of a record (never, after a header) keeps
	 * every row to csvr_next() */
	if (src.c && csvr_raw_read(src.c, NULL, 0, e) != -2)
		rc = stream_raw(v, &src, colmap, &ctx, &slow, e);
	while (!rc && slow && (st = src_next(&src, e)) != CSVR_EOF) {
		if (st == CSVR_FATAL) {
			rc = e->code;
			break;
		}
		trade t;
		int life = LIFE_NONE;
		long rk = -1;
		int idok = 0;
		if (st == CSVR_BADROW) {
			memset(&t, 0, sizeof t);
			snprintf(t.id, sizeof t.id, "line %ld", rs_line(&src));
			snprintf(t.err, sizeof t.err, "%s", e->msg);
		} else {
			csvscan_field f = rs_text(&src, colmap[FMT_TR_ID], nb);
			if ((rk = next_row_id(v, f.p, f.len)) < 0 || v->left[rk] <= 0) {
				rc = qe_err_set(e, QE_IO, "%s: changed while being read", path);
				break;
			}
			if (read_trade(&src, path, colmap, &ctx, &canon, &work, &t, &life)) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				break;
			}
			/* a row rejected before its id is valid is a trade of its own */
			idok = strlen(t.id) == f.len && memcmp(t.id, f.p, f.len) == 0;
		}
		rc = stream_merge(v, &t, life, rk, idok, src.c != NULL, rs_line(&src), colmap, e);
	}
	src_close(&src);
	strbuf_free(&canon);
	strbuf_free(&work);
	schema_markets_free(mk);
	return rc;
}

/* stream_rows on one thread of a team whose other threads price and
 * write the batches (stream_flush's tasks), then the last batch. */
static int stream_team(vstream *v, qe_err *e)
{
	int rc = 0;
#pragma omp parallel shared(rc)
#pragma omp single
	{
		rc = stream_rows(v, e);
		if (!rc && v->qn)
			rc = stream_flush(v, v->qn, e); /* at the end every trade is final */
#pragma omp taskwait
		if (!rc && v->brc) {
			*e = v->be;
			rc = v->brc;
		}
	}
	return rc;
}

int valuation_stream(const struct val_options *o, const struct val_outputs *out,
		     struct val_summary *s, qe_err *e)
{
	vstream v = {.o = o, .out = out};
	int plain = 0, rc;
	memset(s, 0, sizeof *s);
	struct mkt_paths p = {o->markets, o->curves, o->vols, o->rates, o->fixings, o->calendars};
	if (o->trades && strcmp(o->trades, "-") != 0) {
		/* the market first: its errors come first, as in valuation_price */
		if (!(v.m = mkt_load(&p, o->asof, e)))
			return e->code;
		v.m->bump = o->bump;
		if (!(v.ids = sidx_new())) {
			mkt_free(v.m);
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		}
		rc = count_ids(&v, &plain, e);
		if (rc || !plain) {
			sidx_free(v.ids);
			free(v.left), free(v.slot), free(v.rowid);
			mkt_free(v.m);
			if (rc)
				return rc;
		}
	}
	if (!plain) {
		/* stdin is read once, and ids that clash with the names of
		 * rejected rows: the whole book in memory */
		val_book *b = valuation_price(o, e);
		if (!b)
			return e->code;
		rc = valuation_write(b, out, s, e);
		valuation_free(b);
		return rc == QE_DATA && s->failed ? 0 : rc;
	}
	rc = 0;
	h5tab_colspec vcols[12], scols[12];
	h5tab_colspecs(FMT_VALUATIONS, vcols, 12);
	h5tab_colspecs(FMT_SENSITIVITIES, scols, 12);
	if (!rc && ((out->h5_valuations &&
		     !(v.vw = h5tab_begin(out->h5_valuations, "valuations", vcols, 12, e))) ||
		    (out->h5_sensitivities &&
		     !(v.sw = h5tab_begin(out->h5_sensitivities, "sensitivities", scols, 12, e)))))
		rc = e->code;
	if (!rc && out->ladder && ladder_init(&v.lad, v.m))
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	if (!rc && qcells_init(&v.qc, v.m))
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	if (!rc) {
		/* no memo when out of memory: the same values, priced each time */
		v.namemo = omp_get_max_threads();
		if (!(v.amemo = calloc((size_t)v.namemo, sizeof *v.amemo)))
			v.namemo = 0;
	}
	if (!rc) {
		csv_headers(out->valuations, out->sensitivities);
		if (out->errors) {
			csv_writer w;
			csvw_init(&w, out->errors);
			csvw_header_of(&w, FMT_PRICE_ERRORS);
		}
		rc = stream_team(&v, e);
	}
	if (!rc && out->ladder && ladder_write(&v.lad, v.m, out->ladder))
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	*s = v.sum;
	ladder_free(&v.lad);
	qcells_free(&v.qc);
	free(v.amemo);
	fmt_pool_free(&v.pool);
	sidx_free(v.ids);
	free(v.left), free(v.slot), free(v.rowid), free(v.q), free(v.done), free(v.res), free(v.bt);
	mkt_free(v.m);
	if (!rc && s->failed)
		qe_err_set(e, QE_DATA, "%ld trade%s could not be priced (first: %s)", s->failed,
			   s->failed == 1 ? "" : "s", s->first_error);
	return rc;
}

/* ---- NPV-only repricing plan ---------------------------------------------
 * What price_linear and price_option compute from dates alone (delivery
 * pieces, their volumes and discount factors, year fractions, the quote
 * day weights of an average forward) is fixed across scenarios, so a
 * plan keeps it per trade and a scenario only redoes the arithmetic on
 * the moved quotes and vols, in the same order and through the same
 * closed forms, so the values equal the full path's bit for bit.  A
 * trade of any other kind keeps the full path (price_one). */

enum { VP_FULL, VP_LINEAR, VP_OPTION, VP_SWAP, VP_ASIAN, VP_SPREAD };

typedef struct vp_piece {
	int q;       /* swap: a period's count of quote runs, then a run's quote */
	int n;       /* swap: a period's pricing days, then a run's days; Asian: a run's days */
	/* Asian: b the run's contract month day (a qe_date, exact in a double) */
	double a, b; /* linear: side x volume, D; option: days; swap period: Qp, D */
	double z;    /* linear: zero rate of D; swap period: sum of its fixings */
} vp_piece;

typedef struct vp_trade {
	int kind, curve, np;
	long off; /* first piece in plan->pc */
	/* option */
	qe_date a;
	double T, D, z, Q, tot;
	int normal;
	/* spread: the second leg's curve and its pieces after the first
	 * leg's np; the pair's correlation (fixed for the book) */
	int curve2, np2;
	double corr;
	/* Asian: fixings, past ones, remaining ones, on a futures index;
	 * past average; times of the remaining ones at plan->tt + toff */
	int n, past, k, front;
	double A;
	long toff;
} vp_trade;

struct val_plan {
	vp_trade *t;
	vp_piece *pc;
	long npc, cap;
	double *tt;
	long ntt, ttcap;
	int oom;
};

static vp_piece *vp_add(val_plan *p)
{
	if (p->npc == p->cap) {
		long cap = p->cap ? 2 * p->cap : 1024;
		vp_piece *n = realloc(p->pc, sizeof *n * (size_t)cap);
		if (!n)
			return p->oom = 1, NULL;
		p->pc = n, p->cap = cap;
	}
	return &p->pc[p->npc++];
}

/* The pieces of price_linear: the same loop, on the base market. */
static int vp_linear(val_plan *p, vp_trade *v, const market *m, const trade *t, const mkt_curve *c)
{
	result scratch = {0}, *res = &scratch;
	int future = t->instr == I_FUTURE;
	qe_date d = t->ds > m->asof ? t->ds : m->asof + 1;
	while (d <= t->de) {
		int q = mkt_quote_at(c, d);
		if (q < 0)
			return -1;
		qe_date end = c->q[q].last < t->de ? c->q[q].last : t->de;
		double vol, D = 1, z = 0;
		if (piece_volume(m, t, c, d, end, &vol, res))
			return -1;
		if (!future && discount(m, t, end, &D, &z, res))
			return -1;
		vp_piece *pc = vp_add(p);
		if (!pc)
			return -1;
		*pc = (vp_piece){.q = q, .a = t->side * vol, .b = D, .z = z};
		v->np++;
		d = end + 1;
	}
	v->kind = VP_LINEAR;
	return 0;
}

/* The fixed inputs of price_option: dates, T, D, volume, and the day
 * count of each quote avg_forward reads. */
static int vp_option(val_plan *p, vp_trade *v, const market *m, const trade *t, const mkt_curve *c)
{
	result scratch = {0}, *res = &scratch;
	if (option_common(m, t, c, &v->a, &v->T, &v->D, &v->z, &v->Q, res))
		return -1;
	qe_date d = v->a;
	while (d <= t->de) {
		int q = mkt_quote_at(c, d);
		if (q < 0)
			return -1;
		qe_date end = c->q[q].last < t->de ? c->q[q].last : t->de;
		vp_piece *pc = vp_add(p);
		if (!pc)
			return -1;
		*pc = (vp_piece){.q = q, .a = (double)(end - d + 1)};
		v->np++;
		d = end + 1;
	}
	v->tot = (double)(t->de - v->a + 1);
	v->normal = model_of(t, c);
	v->kind = VP_OPTION;
	return 0;
}

/* The pieces of one leg's avg_forward from a to b (as vp_option's). */
static int vp_leg(val_plan *p, const mkt_curve *c, qe_date a, qe_date b, int *np)
{
	qe_date d = a;
	while (d <= b) {
		int q = mkt_quote_at(c, d);
		if (q < 0)
			return -1;
		qe_date end = c->q[q].last < b ? c->q[q].last : b;
		vp_piece *pc = vp_add(p);
		if (!pc)
			return -1;
		*pc = (vp_piece){.q = q, .a = (double)(end - d + 1)};
		(*np)++;
		d = end + 1;
	}
	return 0;
}

/* The fixed inputs of price_spread: option_common's, both legs' average
 * forward pieces, the pair's correlation.  Kirk's greeks by bumping are
 * not needed for an NPV, so a scenario costs one kirk_price instead of
 * kirk_greeks_fd's seventeen. */
static int vp_spread(val_plan *p, vp_trade *v, const market *m, const trade *t, const mkt_curve *c,
		     double corr)
{
	result scratch = {0}, *res = &scratch;
	const mkt_curve *c2 = mkt_curve_find(m, t->curve2);
	if (!c2 || option_common(m, t, c, &v->a, &v->T, &v->D, &v->z, &v->Q, res))
		return -1;
	v->np = v->np2 = 0;
	if (vp_leg(p, c, v->a, t->de, &v->np) || vp_leg(p, c2, v->a, t->de, &v->np2))
		return -1;
	v->curve2 = curve_index(m, c2);
	v->tot = (double)(t->de - v->a + 1);
	v->corr = corr;
	v->kind = VP_SPREAD;
	return 0;
}

/* The fixed parts of price_swap: per calculation period with a day
 * after the as-of date, its quantity Qp, discount factor D and the sum of
 * its past fixings (added first, as price_swap meets them first), then
 * the quotes of its remaining pricing days as runs of equal quotes in
 * day order, so a scenario adds the same prices in the same order. */
static int vp_swap(val_plan *p, vp_trade *v, const market *m, const trade *t, const mkt_curve *c)
{
	result scratch = {0}, *res = &scratch;
	if (!c->cal)
		return -1;
	int total = 0;
	for (qe_date d = t->ds; d <= t->de; d++)
		total += cal_is_business_day(c->cal, d);
	if (total == 0)
		return -1;
	qe_date p0 = t->ds;
	while (p0 <= t->de) {
		int y, mo, dd;
		date_to_ymd(p0, &y, &mo, &dd);
		qe_date p1 = date_from_ymd(y, mo, date_days_in_month(y, mo));
		if (p1 > t->de)
			p1 = t->de;
		long hdr = p->npc;
		if (!vp_add(p))
			return -1;
		int n = 0, nr = 0;
		double sum = 0;
		for (qe_date d = p0; d <= p1; d++) {
			if (!cal_is_business_day(c->cal, d))
				continue;
			n++;
			if (d <= m->asof) {
				double fx;
				if (mkt_fixing(c, d, &fx))
					return -1;
				sum += fx;
				continue;
			}
			int q;
			qe_date mf;
			if (index_quote(m, c, d, &q, &mf, res))
				return -1;
			if (nr > 0 && p->pc[p->npc - 1].q == q) {
				p->pc[p->npc - 1].n++;
			} else {
				vp_piece *pc = vp_add(p);
				if (!pc)
					return -1;
				*pc = (vp_piece){.q = q, .n = 1};
				nr++;
			}
		}
		if (n > 0 && p1 > m->asof) {
			double Qp, D, z;
			trade tt = *t;
			if (piece_volume(m, &tt, c, t->ds, t->de, &Qp, res) || discount(m, t, p1, &D, &z, res))
				return -1;
			Qp *= (double)n / total;
			p->pc[hdr] = (vp_piece){.q = nr, .n = n, .a = Qp, .b = D, .z = sum};
			v->np += 1 + nr;
		} else {
			p->npc = hdr;
		}
		p0 = p1 + 1;
	}
	v->kind = VP_SWAP;
	return 0;
}

static int vp_add_time(val_plan *p, double t)
{
	if (p->ntt == p->ttcap) {
		long cap = p->ttcap ? 2 * p->ttcap : 1024;
		double *n = realloc(p->tt, sizeof *n * (size_t)cap);
		if (!n)
			return p->oom = 1, -1;
		p->tt = n, p->ttcap = cap;
	}
	p->tt[p->ntt++] = t;
	return 0;
}

/* The fixed parts of price_asian on a futures index: option_common's, the fixing counts,
 * the past average, the time of each remaining fixing and its quote and
 * contract month as runs in day order. */
static int vp_asian(val_plan *p, vp_trade *v, const market *m, const trade *t, const mkt_curve *c)
{
	result scratch = {0}, *res = &scratch;
	if (option_common(m, t, c, &v->a, &v->T, &v->D, &v->z, &v->Q, res) || model_of(t, c) || !c->cal)
		return -1;
	qe_date s0 = t->has_avg ? t->avg_s : t->ds, s1 = t->has_avg ? t->avg_e : t->de;
	double sumfix = 0;
	v->n = v->past = v->k = 0;
	v->front = c->master && m->master && curvemaster_fixes_front(c->master);
	if (!v->front) /* a spot index's Asian keeps the full path */
		return -1;
	v->toff = p->ntt;
	for (qe_date d = s0; d <= s1; d++) {
		if (!cal_is_business_day(c->cal, d))
			continue;
		v->n++;
		if (d <= m->asof) {
			double fx;
			if (mkt_fixing(c, d, &fx))
				return -1;
			sumfix += fx;
			v->past++;
			continue;
		}
		int q;
		qe_date mf;
		if (index_quote(m, c, d, &q, &mf, res) || vp_add_time(p, date_yf_act365(m->asof, d)))
			return -1;
		vp_piece *last = v->np ? &p->pc[p->npc - 1] : NULL;
		if (last && last->q == q && last->b == (double)mf) {
			last->n++;
		} else {
			vp_piece *pc = vp_add(p);
			if (!pc)
				return -1;
			*pc = (vp_piece){.q = q, .n = 1, .b = (double)mf};
			v->np++;
		}
		v->k++;
	}
	if (v->n == 0)
		return -1;
	v->A = v->past ? sumfix / v->past : 0;
	v->kind = VP_ASIAN;
	return 0;
}

val_plan *valuation_plan_new(const val_book *b, qe_err *e)
{
	val_plan *p = calloc(1, sizeof *p);
	if (!p || !(p->t = calloc((size_t)b->n + 1, sizeof *p->t))) {
		free(p);
		return qe_err_set(e, QE_INTERNAL, "out of memory"), NULL;
	}
	const market *m = b->m;
	for (long i = 0; i < b->n; i++) {
		const trade *t = &b->tr[i];
		const result *r = &b->res[i];
		vp_trade *v = &p->t[i];
		v->kind = VP_FULL;
		v->off = p->npc;
		if (r->status != 0 || !r->model || m->bump != 0)
			continue;
		const mkt_curve *c = mkt_curve_find(m, t->curve);
		if (!c)
			continue;
		v->curve = curve_index(m, c);
		/* the branches of price_one that end in price_linear or
		 * price_option, told apart by their model (dates alone decide
		 * them, so a scenario takes the same branch) */
		int linear = t->instr == I_FORWARD || t->instr == I_PHYSICAL || t->instr == I_SPOT ||
			     (t->instr == I_FUTURE && strcmp(r->model, "future") == 0 && t->ds > m->asof);
		int option = t->instr == I_OPTION &&
			     (strcmp(r->model, "black76") == 0 || strcmp(r->model, "bachelier") == 0 ||
			      strcmp(r->model, "bs2002") == 0);
		int swap = t->instr == I_SWAP && strcmp(r->model, "swap") == 0;
		int asian = t->instr == I_ASIAN && strcmp(r->model, "turnbull-wakeman") == 0;
		int spread = t->instr == I_SPREAD && strcmp(r->model, "kirk") == 0;
		long ntt = p->ntt;
		int rc = linear ? vp_linear(p, v, m, t, c)
			 : option ? vp_option(p, v, m, t, c)
			 : swap	  ? vp_swap(p, v, m, t, c)
			 : asian  ? vp_asian(p, v, m, t, c)
			 : spread ? vp_spread(p, v, m, t, c, trade_corr(b, t))
				  : 0;
		if (p->oom) {
			valuation_plan_free(p);
			return qe_err_set(e, QE_INTERNAL, "out of memory"), NULL;
		}
		if (rc) { /* not at a trade priced at the base; the full path then */
			p->npc = v->off;
			p->ntt = ntt;
			v->kind = VP_FULL;
			v->np = 0;
		}
	}
	return p;
}

void valuation_plan_free(val_plan *p)
{
	if (!p)
		return;
	free(p->t);
	free(p->pc);
	free(p->tt);
	free(p);
}

/* price_linear's arithmetic on the moved quotes. */
static void vp_price_linear(const vp_trade *v, const vp_piece *pc, const mkt_curve *c, const trade *t,
			    result *res)
{
	for (int k = 0; k < v->np; k++) {
		double F = c->q[pc[k].q].price + 0.0;
		double und = pc[k].a * (F - t->price);
		res->undisc += und;
		res->npv += und * pc[k].b;
		res->delta += pc[k].a * pc[k].b;
		res->theta += pc[k].z * und * pc[k].b;
	}
}

/* price_swap's NPV on the moved quotes. */
static void vp_price_swap(const vp_trade *v, const vp_piece *pc, const mkt_curve *c, const trade *t,
			  result *res)
{
	for (int k = 0; k < v->np;) {
		const vp_piece *h = &pc[k++];
		double sum = h->z;
		for (int r = 0; r < h->q; r++, k++) {
			double F = c->q[pc[k].q].price + 0.0;
			for (int j = 0; j < pc[k].n; j++)
				sum += F;
		}
		double und = t->side * h->a * (sum / h->n - t->price);
		res->undisc += und;
		res->npv += und * h->b;
	}
}

/* The vol of each remaining fixing of an Asian of the plan on c's vols,
 * into vd[v->k]: 0, or -1 with res's error set. */
static int vp_asian_vols(const vp_trade *v, const vp_piece *pc, const mkt_curve *c, const trade *t, double *vd,
			 result *res)
{
	double vol = NAN;
	int k = v->k, nvol = 0, i = 0;
	for (int r = 0; r < v->np; r++) {
		double vr = NAN;
		int ok = v->front && !mkt_vol(c, (qe_date)pc[r].b, t->strike, 0, &vr);
		for (int j = 0; j < pc[r].n; j++, i++) {
			vd[i] = ok ? vr : NAN;
			nvol += ok;
		}
	}
	if (!(v->front && k > 0 && nvol == k) && mkt_vol(c, v->a, t->strike, 0, &vol))
		return RERR("no lognormal vol for %s", c->name);
	for (i = 0; i < k; i++)
		if (isnan(vd[i]))
			vd[i] = vol;
	return 0;
}

/* price_asian's NPV on the moved quotes and vols for a futures index
 * (each fixing at its contract's forward and vol): the value
 * asian_tw_strip_greeks_fd starts from, without its bumped
 * revaluations.  vols: the fixings' vols from vp_asian_vols when the
 * caller has them (unmoved vols), else NULL to look them up on c. */
static void vp_price_asian(const val_plan *p, const vp_trade *v, const vp_piece *pc, const mkt_curve *c,
			   const trade *t, const double *vols, result *res)
{
	double Fbuf[256], vbuf[256], *Fd = Fbuf, *vd = vbuf, price;
	const double *tt = p->tt + v->toff;
	int k = v->k, i = 0, st;
	const char *why = NULL;
	if (k > 256) {
		Fd = malloc(sizeof *Fd * (size_t)k);
		vd = malloc(sizeof *vd * (size_t)k);
		if (!Fd || !vd) {
			RERR("out of memory");
			goto out;
		}
	}
	for (int r = 0; r < v->np; r++) {
		double F = c->q[pc[r].q].price + 0.0;
		for (int j = 0; j < pc[r].n; j++, i++)
			Fd[i] = F;
	}
	if (vols)
		memcpy(vd, vols, sizeof *vd * (size_t)k);
	else if (vp_asian_vols(v, pc, c, t, vd, res))
		goto out;
	st = asian_tw_strip(t->type, Fd, vd, t->strike, v->z, v->T, v->n, v->past, v->A, tt, &price, &why);
	if (st)
		RERR("%s", why);
	else
		res->npv = t->side * v->Q * price;
out:
	if (Fd != Fbuf)
		free(Fd);
	if (vd != vbuf)
		free(vd);
}

/* price_option's vol lookup on the moved vols: 0, or -1 with res's
 * error set. */
static int vp_option_vol(const vp_trade *v, const mkt_curve *c, const trade *t, double *vol, result *res)
{
	if (mkt_vol(c, v->a, t->strike, v->normal, vol))
		return RERR("no %s vol for %s", v->normal ? "normal" : "lognormal", c->name);
	return 0;
}

/* price_option's arithmetic on the moved quotes at vol (vp_option_vol's). */
static void vp_price_option(const vp_trade *v, const vp_piece *pc, const mkt_curve *c, const trade *t,
			    double vol, result *res)
{
	double sum = 0;
	for (int k = 0; k < v->np; k++)
		sum += pc[k].a * (c->q[pc[k].q].price + 0.0);
	double F = sum / v->tot;
	opt_greeks g;
	const char *why = NULL;
	int st;
	if (t->american) {
		/* NPV only: the price american_greeks_fd starts from, without
		 * its six bumped repricings (a bump that would fail no longer
		 * fails the scenario) */
		if (v->normal)
			st = (why = "American exercise needs a lognormal model", OPT_EDOMAIN);
		else
			st = american_price(AMER_BS2002, t->type, F, t->strike, vol, v->z, 0.0, v->T, &g.price,
					    &why);
		if (!st)
			res->npv = t->side * v->Q * g.price;
		else
			RERR("%s", why);
		return;
	} else {
		st = (v->normal ? bachelier : black76)(t->type, F, t->strike, vol, v->z, v->T, &g, &why);
	}
	if (st) {
		RERR("%s", why);
		return;
	}
	double s = t->side * v->Q;
	res->npv = s * g.price;
	res->delta = s * g.delta;
	res->gamma = s * g.gamma;
	res->vega = s * g.vega;
	res->theta = s * g.theta;
}

/* price_spread's vol lookups (each leg at its ATM vol) on the moved
 * vols: 0, or -1 with res's error set. */
static int vp_spread_vols(const vp_trade *v, const mkt_curve *c, const mkt_curve *c2, double *v1, double *v2,
			  result *res)
{
	if (mkt_vol(c, v->a, NAN, 0, v1))
		return RERR("no lognormal ATM vol for %s", c->name);
	if (mkt_vol(c2, v->a, NAN, 0, v2))
		return RERR("no lognormal ATM vol for %s", c2->name);
	return 0;
}

/* One leg's avg_forward on the moved quotes. */
static double vp_leg_forward(const vp_trade *v, const vp_piece *pc, int np, const mkt_curve *c)
{
	double sum = 0;
	for (int k = 0; k < np; k++)
		sum += pc[k].a * (c->q[pc[k].q].price + 0.0);
	return sum / v->tot;
}

/* price_spread's NPV on the moved quotes at the legs' vols v1, v2: the
 * value kirk_greeks_fd starts from, without its bumped repricings (a
 * bump that would fail no longer fails the scenario). */
static void vp_price_spread(const vp_trade *v, const vp_piece *pc, const mkt_curve *c, const mkt_curve *c2,
			    const trade *t, double v1, double v2, result *res)
{
	double F1 = vp_leg_forward(v, pc, v->np, c), F2 = vp_leg_forward(v, pc + v->np, v->np2, c2), price;
	const char *why = NULL;
	if (kirk_price(t->type, F1, F2, t->strike, v1, v2, v->corr, t->ratio, v->z, v->T, &price, &why))
		RERR("%s", why);
	else
		res->npv = t->side * v->Q * price;
}

/* A result as memset would leave it, without clearing the message
 * buffer (read only once rerr has written it): 272 bytes per
 * (scenario, trade) cost a linear trade as much as its arithmetic. */
static void vp_result_clear(result *r)
{
	r->npv = r->undisc = r->delta = r->gamma = r->vega = r->theta = 0.0;
	r->model = NULL;
	r->s = NULL;
	r->ns = r->status = 0;
	r->err[0] = '\0';
}

/* Trade i of the plan on market m; vol (and vol2, spreads) the trade's
 * vol there, from vp_option_vol / vp_spread_vols, for an option or a
 * spread; avols an Asian's fixing vols there or NULL (vp_price_asian). */
static void vp_price(const val_book *b, const val_plan *p, long i, const market *m, double vol, double vol2,
		     const double *avols, result *r)
{
	const vp_trade *v = &p->t[i];
	vp_result_clear(r);
	if (v->kind == VP_LINEAR)
		vp_price_linear(v, p->pc + v->off, &m->c[v->curve], &b->tr[i], r);
	else if (v->kind == VP_SWAP)
		vp_price_swap(v, p->pc + v->off, &m->c[v->curve], &b->tr[i], r);
	else if (v->kind == VP_ASIAN)
		vp_price_asian(p, v, p->pc + v->off, &m->c[v->curve], &b->tr[i], avols, r);
	else if (v->kind == VP_SPREAD)
		vp_price_spread(v, p->pc + v->off, &m->c[v->curve], &m->c[v->curve2], &b->tr[i], vol, vol2, r);
	else
		vp_price_option(v, p->pc + v->off, &m->c[v->curve], &b->tr[i], vol, r);
	if (r->status == 0 && !(isfinite(r->npv) && isfinite(r->delta) && isfinite(r->gamma) &&
				isfinite(r->vega) && isfinite(r->theta)))
		rerr(r, "numerical failure (non-finite result)");
}

/* The vols trade i of the plan reads on m: 0, or -1 with r's error set. */
static int vp_vols(const val_plan *p, long i, const market *m, const trade *t, double *vol, double *vol2,
		   result *r)
{
	const vp_trade *v = &p->t[i];
	vp_result_clear(r);
	*vol = *vol2 = NAN;
	if (v->kind == VP_OPTION)
		return vp_option_vol(v, &m->c[v->curve], t, vol, r);
	if (v->kind == VP_SPREAD)
		return vp_spread_vols(v, &m->c[v->curve], &m->c[v->curve2], vol, vol2, r);
	return 0;
}

int valuation_plan_planned(const val_plan *p, long i)
{
	return p->t[i].kind != VP_FULL;
}

long valuation_reprice_plan_block(const val_book *b, const val_plan *p, const market *const *m, size_t nm,
				  int same_vols, double *npv, char *err, size_t errsz)
{
	long bad = -1, n = b->n;
	/* a fixed split of the trades; each (scenario, trade) value is
	 * computed alone and stored in its own cell, so the values do not
	 * depend on the threads, and the failure kept is the one of the
	 * lowest scenario, then trade (index s n + i) */
#pragma omp parallel for schedule(static, 64)
	for (long i = 0; i < n; i++) {
		result r;
		const vp_trade *v = &p->t[i];
		const trade *t = &b->tr[i];
		if (b->res[i].status) {
			for (size_t s = 0; s < nm; s++)
				npv[(long)s * n + i] = b->res[i].status == 2 ? 0.0 : NAN;
			continue;
		}
		if (v->kind == VP_FULL) {
			double corr = trade_corr(b, t);
			for (size_t s = 0; s < nm; s++) {
				price_one(m[s], t, corr, &r);
				free(r.s);
				reprice_keep((long)s * n + i, &r, npv, &bad, err, errsz);
			}
			continue;
		}
		/* unmoved vols: the trade's vols looked up once, not per scenario */
		double vol = NAN, vol2 = NAN, abuf[256], *avols = NULL;
		int vok = same_vols ? vp_vols(p, i, m[0], t, &vol, &vol2, &r) : 0;
		if (same_vols && v->kind == VP_ASIAN) {
			avols = v->k <= 256 ? abuf : malloc(sizeof *avols * (size_t)v->k);
			if (avols)
				vok = vp_asian_vols(v, p->pc + v->off, &m[0]->c[v->curve], t, avols, &r);
			else
				vok = rerr(&r, "out of memory");
		}
		for (size_t s = 0; s < nm; s++) {
			if (!same_vols)
				vok = vp_vols(p, i, m[s], t, &vol, &vol2, &r);
			if (vok == 0)
				vp_price(b, p, i, m[s], vol, vol2, avols, &r);
			reprice_keep((long)s * n + i, &r, npv, &bad, err, errsz);
		}
		if (avols != abuf)
			free(avols);
	}
	return bad;
}

long valuation_reprice_plan(const val_book *b, const val_plan *p, const market *m, double *npv, char *err,
			    size_t errsz)
{
	long bad = -1;
#pragma omp parallel for schedule(dynamic, 64)
	for (long i = 0; i < b->n; i++) {
		result r;
		const vp_trade *v = &p->t[i];
		if (b->res[i].status) {
			npv[i] = b->res[i].status == 2 ? 0.0 : NAN;
			continue;
		}
		if (v->kind == VP_FULL) {
			price_one(m, &b->tr[i], trade_corr(b, &b->tr[i]), &r);
			free(r.s);
		} else {
			double vol, vol2;
			if (vp_vols(p, i, m, &b->tr[i], &vol, &vol2, &r) == 0)
				vp_price(b, p, i, m, vol, vol2, NULL, &r);
		}
		reprice_keep(i, &r, npv, &bad, err, errsz);
	}
	return bad;
}
