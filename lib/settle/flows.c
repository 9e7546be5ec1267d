/* flows: the cash flows of a book in a range of value dates (flows.h). */
#include "settle/flows.h"
#include "settle/book.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/num.h"
#include "ingest/schema.h"
#include "io/csvio.h"
#include "io/formats.h"
#include "market/curvemaster.h"
#include "price/black76.h"
#include "time/period.h"
#include "time/tz.h"

/* ---- market data: fixings and the price history ------------------------ */

typedef struct quote {
	int curve;   /* curvemaster_pos */
	long month;  /* contract month (history), 0 for fixings */
	qe_date d;
	double p;
} quote;

typedef struct quotes {
	quote *v;
	size_t n, cap;
	const char *file;
} quotes;

static int quote_cmp(const void *a, const void *b)
{
	const quote *x = a, *y = b;
	if (x->curve != y->curve)
		return x->curve < y->curve ? -1 : 1;
	if (x->month != y->month)
		return x->month < y->month ? -1 : 1;
	return x->d < y->d ? -1 : x->d > y->d;
}

static int quotes_push(quotes *q, quote x)
{
	if (q->n == q->cap) {
		size_t n = q->cap ? 2 * q->cap : 4096;
		quote *v = realloc(q->v, n * sizeof *v);
		if (!v)
			return -1;
		q->v = v;
		q->cap = n;
	}
	q->v[q->n++] = x;
	return 0;
}

/* Reads fixings (curve,date,price) or, with hist, the history
 * (date,curve,tenor,contract,price: contract quotes only).  Curves not in
 * the curve master are skipped; a day given twice keeps its first price. */
static int quotes_load(quotes *q, const char *path, int hist, const curvemaster *m, qe_err *e)
{
	static const char *const cols[] = {"curve", "date", "price", "tenor", "contract"};
	int ix[5], st, rc = 0;
	csv_reader *r = csvr_open(path, e);
	q->file = path;
	if (!r)
		return e->code;
	if (csvr_require(r, cols, hist ? 5 : 3, ix, e)) {
		csvr_close(r);
		return e->code;
	}
	while ((st = csvr_next(r, e)) == CSVR_ROW) {
		size_t len;
		const char *name = csvr_field(r, ix[0], &len);
		const curvemaster_curve *c = curvemaster_find(m, name);
		quote x = {0};
		if (!c)
			continue;
		x.curve = (int)curvemaster_pos(m, c);
		if ((rc = csvr_get_date(r, ix[1], &x.d, e)) || (rc = csvr_get_double(r, ix[2], &x.p, e)))
			break;
		if (!isfinite(x.p)) {
			rc = csvr_field_error(r, ix[2], e, "price must be finite");
			break;
		}
		if (hist) {
			int64_t tenor;
			char why[120];
			const char *s = csvr_field(r, ix[4], &len), *bad;
			if ((rc = csvr_get_int64(r, ix[3], &tenor, e)))
				break;
			if ((bad = schema_history_contract(x.d, tenor, s, len, &x.month, why, sizeof why))) {
				rc = csvr_field_error(r, ix[4], e, "%s", bad);
				break;
			}
			if (x.month < 0)
				continue; /* an index, no contract */
		}
		if (quotes_push(q, x)) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			break;
		}
	}
	if (!rc && (st == CSVR_BADROW || st == CSVR_FATAL))
		rc = e->code;
	csvr_close(r);
	if (rc)
		return rc;
	if (q->n > 1) /* a null base of no rows is undefined */
		qsort(q->v, q->n, sizeof *q->v, quote_cmp);
	size_t w = 0;
	for (size_t i = 0; i < q->n; i++)
		if (!w || quote_cmp(&q->v[w - 1], &q->v[i]))
			q->v[w++] = q->v[i];
	q->n = w;
	return 0;
}

/* First quote of (curve, month) on or after d, or NULL. */
static const quote *quotes_from(const quotes *q, int curve, long month, qe_date d)
{
	size_t lo = 0, hi = q->n;
	quote key = {curve, month, d, 0};
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (quote_cmp(&q->v[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < q->n && q->v[lo].curve == curve && q->v[lo].month == month ? &q->v[lo] : NULL;
}

static const quote *quotes_at(const quotes *q, int curve, long month, qe_date d)
{
	const quote *x = quotes_from(q, curve, month, d);
	return x && x->d == d ? x : NULL;
}

/* ---- flows ------------------------------------------------------------- */

typedef struct ctx {
	const struct flows_options *o;
	const curvemaster *m;
	quotes fix, hist;
	flows_list *out;
	const char *path;
} ctx;

/* The value date of a flow of kind fixed on day event into *v; *in = 1
 * when it lies in the range (and the amount is wanted). */
static int due(ctx *c, const settle_trade *t, int kind, qe_date event, qe_date *v, int *in, qe_err *e)
{
	const settle_terms *tm = c->o->terms;
	int days = terms_days(tm, kind, t->curve);
	*in = 0;
	if (event > c->o->to || event < c->o->from - 100)
		return 0; /* at most 60 business days of terms: cannot pay in the range */
	if (days < 0)
		return qe_err_set(e, QE_DATA, "%s:%ld:%d: trade %s: no payment terms for %s on %s",
				  c->path, t->line, t->col_curve, t->id, terms_kind_name(kind), t->curve);
	if (terms_exponent(tm, t->ccy) < 0)
		return qe_err_set(e, QE_DATA, "%s:%ld:%d: trade %s: currency %s is not in the currencies file",
				  c->path, t->line, t->col_ccy, t->id, t->ccy);
	if (terms_value_date(tm, t->ccy, days, event, v, e))
		return qe_err_set(e, QE_DATA, "%s:%ld:%d: trade %s: %s", c->path, t->line, t->col_ccy,
				  t->id, e->msg);
	*in = *v >= c->o->from && *v <= c->o->to;
	return 0;
}

/* Adds the flow of amount (major units, signed: + we receive) fixed on
 * event and paid on v. */
static int flow_add(ctx *c, const settle_trade *t, int kind, qe_date event, qe_date v, double amount,
		    qe_err *e)
{
	int exp = terms_exponent(c->o->terms, t->ccy);
	settle_flow f;
	memset(&f, 0, sizeof f);
	snprintf(f.trade_id, sizeof f.trade_id, "%s", t->id);
	snprintf(f.cpty, sizeof f.cpty, "%s", t->cpty);
	memcpy(f.ccy, t->ccy, 4);
	f.kind = kind;
	f.event = event;
	f.value = v;
	int64_t minor;
	if (terms_to_minor(amount, exp, &minor, e))
		return qe_err_set(e, QE_NUMERIC, "%s:%ld: trade %s: %s", c->path, t->line, t->id, e->msg);
	f.dir = minor < 0 ? -1 : 1;
	f.minor = minor < 0 ? -minor : minor;
	flows_list *l = c->out;
	if (l->n == l->cap) {
		size_t n = l->cap ? 2 * l->cap : 1024;
		settle_flow *nv = realloc(l->v, n * sizeof *nv);
		if (!nv)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		l->v = nv;
		l->cap = n;
	}
	l->v[l->n++] = f;
	return 0;
}

static int missing(ctx *c, const settle_trade *t, const char *what, const char *file, qe_date d, qe_err *e)
{
	char buf[16];
	date_format(buf, d);
	return qe_err_set(e, QE_DATA, "%s:%ld:%d: trade %s: no %s of %s on %s in %s", c->path, t->line,
			  t->col_curve, t->id, what, t->curve, buf, file);
}

static int realised(ctx *c, const settle_trade *t, const curvemaster_curve *cv, int pos,
		    qe_date first, qe_date last, double *avg, qe_err *e);

/* Daily variation margin of a future: (settle today - settle before) x
 * units, the first against the trade price; the final cash settlement of
 * a power future; the delivery of an EUA future. */
static int flows_future(ctx *c, const settle_trade *t, const curvemaster_curve *cv, int pos, qe_err *e)
{
	double units;
	qe_date v;
	int in;
	if (!t->has_price)
		return 0;
	if (settle_trade_volume(t, cv, t->ds, t->de, c->path, &units, e))
		return e->code;
	int y, mo, d;
	date_to_ymd(t->ds, &y, &mo, &d);
	long month = date_month_index_ym(y, mo);
	double prev = t->price;
	/* no quote of the month (a contract beyond the history's tenors): no
	 * margin, as on a day without a settlement */
	for (const quote *q = quotes_from(&c->hist, pos, month, t->td);
	     q && q < c->hist.v + c->hist.n && q->curve == pos && q->month == month && q->d <= c->o->to;
	     q++) {
		if (due(c, t, SETTLE_VM, q->d, &v, &in, e) ||
		    (in && flow_add(c, t, SETTLE_VM, q->d, v, (q->p - prev) * units * t->side, e)))
			return e->code;
		prev = q->p;
	}
	/* a power future settles in cash on the index of its delivery days */
	if (cv->cash_settled && strcmp(cv->commodity, "power") == 0) {
		double avg;
		if (due(c, t, SETTLE_FINAL, t->de, &v, &in, e))
			return e->code;
		if (!in)
			return 0;
		if (realised(c, t, cv, pos, t->ds, t->de, &avg, e))
			return e->code;
		return flow_add(c, t, SETTLE_FINAL, t->de, v, (avg - prev) * units * t->side, e);
	}
	/* an EUA future delivers allowances at its last settlement */
	if (strcmp(cv->commodity, "carbon") == 0 && cv->product) {
		qe_date ltd;
		if (curvemaster_last_trade(c->m, cv, date_from_ymd(y, mo, 1), &ltd, e))
			return qe_err_set(e, QE_DATA, "%s:%ld: trade %s: %s", c->path, t->line, t->id, e->msg);
		if (ltd < t->td || due(c, t, SETTLE_EUA, ltd, &v, &in, e))
			return e->code;
		if (!in)
			return 0;
		const quote *q = quotes_at(&c->hist, pos, month, ltd);
		if (!q)
			return missing(c, t, "final settlement", c->hist.file, ltd, e);
		return flow_add(c, t, SETTLE_EUA, ltd, v, -q->p * units * t->side, e);
	}
	return 0;
}

/* The index of the pricing days of [first, last]: the mean of the
 * fixings of the curve calendar's business days (a swap on NG's final
 * settlement: the fixing of the month future's last trading day). */
static int realised(ctx *c, const settle_trade *t, const curvemaster_curve *cv, int pos, qe_date first,
		    qe_date last, double *avg, qe_err *e)
{
	const qe_calendar *cal = curvemaster_calendar(c->m, cv);
	if (cv->index == CURVEMASTER_INDEX_LASTDAY) {
		qe_date ltd;
		int y, mo, d;
		date_to_ymd(first, &y, &mo, &d);
		if (curvemaster_last_trade(c->m, cv, date_from_ymd(y, mo, 1), &ltd, e))
			return qe_err_set(e, QE_DATA, "%s:%ld: trade %s: %s", c->path, t->line, t->id, e->msg);
		const quote *q = quotes_at(&c->fix, pos, 0, ltd);
		if (!q)
			return missing(c, t, "fixing", c->fix.file, ltd, e);
		*avg = q->p;
		return 0;
	}
	double sum = 0;
	int n = 0;
	for (qe_date d = first; d <= last; d++) {
		if (cal ? !cal_is_business_day(cal, d) : date_weekday(d) > 5)
			continue;
		const quote *q = quotes_at(&c->fix, pos, 0, d);
		if (!q)
			return missing(c, t, "fixing", c->fix.file, d, e);
		sum += q->p;
		n++;
	}
	if (!n)
		return qe_err_set(e, QE_DATA, "%s:%ld: trade %s: no pricing day in a calculation period",
				  c->path, t->line, t->id);
	*avg = sum / n;
	return 0;
}

/* Swaps, physical deliveries and forwards: one flow per delivery month. */
static int flows_monthly(ctx *c, const settle_trade *t, const curvemaster_curve *cv, int pos, qe_err *e)
{
	for (qe_date first = t->ds; first <= t->de;) {
		int y, mo, d;
		date_to_ymd(first, &y, &mo, &d);
		qe_date last = date_from_ymd(y, mo, date_days_in_month(y, mo));
		if (last > t->de)
			last = t->de;
		double vol, avg = 0;
		int kind = t->instr == SETTLE_I_SWAP ? SETTLE_SWAP : SETTLE_PHYSICAL, in;
		qe_date v;
		if (due(c, t, kind, last, &v, &in, e))
			return e->code;
		if (in) {
			if (settle_trade_volume(t, cv, first, last, c->path, &vol, e))
				return e->code;
			if (kind == SETTLE_SWAP) {
				if (realised(c, t, cv, pos, first, last, &avg, e) ||
				    flow_add(c, t, kind, last, v, (avg - t->price) * vol * t->side, e))
					return e->code;
			} else if (flow_add(c, t, kind, last, v, -t->price * vol * t->side, e)) {
				return e->code;
			}
		}
		first = last + 1;
	}
	return 0;
}

/* The premium of an option, an Asian or a spread option on the trade
 * date: price x the volume of its (first leg's) delivery period. */
static int flows_premium(ctx *c, const settle_trade *t, const curvemaster_curve *cv, qe_err *e)
{
	double vol;
	qe_date v;
	int in;
	if (!t->has_price)
		return 0;
	if (due(c, t, SETTLE_PREMIUM, t->td, &v, &in, e) ||
	    (in && settle_trade_volume(t, cv, t->ds, t->de, c->path, &vol, e)))
		return e->code;
	return in ? flow_add(c, t, SETTLE_PREMIUM, t->td, v, -t->price * vol * t->side, e) : 0;
}

/* The exercise of an option at its expiry, against the settlement price
 * S of its underlying contract that day (the price history), when it is
 * in the money: a European option pays its intrinsic value in cash
 * (option_exercise); an American one is exercised into a future on the
 * same contract at the strike (a call's holder long, a put's short),
 * whose variation margin starts with S - strike on the expiry day. */
static int flows_exercise(ctx *c, const settle_trade *t, const curvemaster_curve *cv, int pos,
			  qe_err *e)
{
	int y, mo, d, in, w = t->opt_type == OPT_PUT ? -1 : 1;
	qe_date v;
	if (!t->expiry || !t->has_strike || !t->opt_type || t->expiry > c->o->to)
		return 0;
	if (t->american) {
		if (t->expiry < c->o->from - 100)
			return 0;
		date_to_ymd(t->ds, &y, &mo, &d);
		const quote *q = quotes_at(&c->hist, pos, date_month_index_ym(y, mo), t->expiry);
		if (!q)
			return missing(c, t, "settlement", c->hist.file, t->expiry, e);
		if (w * (q->p - t->strike) <= 0)
			return 0;
		settle_trade f = *t;
		f.instr = SETTLE_I_FUTURE;
		f.price = t->strike;
		f.has_price = 1;
		f.td = t->expiry;
		f.side = t->side * w;
		return flows_future(c, &f, cv, pos, e);
	}
	if (due(c, t, SETTLE_EXERCISE, t->expiry, &v, &in, e) || !in)
		return e->code;
	date_to_ymd(t->ds, &y, &mo, &d);
	const quote *q = quotes_at(&c->hist, pos, date_month_index_ym(y, mo), t->expiry);
	if (!q)
		return missing(c, t, "settlement", c->hist.file, t->expiry, e);
	double intrinsic = w * (q->p - t->strike), vol;
	if (intrinsic <= 0)
		return 0;
	if (settle_trade_volume(t, cv, t->ds, t->de, c->path, &vol, e))
		return e->code;
	return flow_add(c, t, SETTLE_EXERCISE, t->expiry, v, intrinsic * vol * t->side, e);
}

static int trade_flows(ctx *c, const settle_trade *t, qe_err *e)
{
	const curvemaster_curve *cv = curvemaster_find(c->m, t->curve);
	if (!cv)
		return qe_err_set(e, QE_DATA, "%s:%ld:%d: trade %s: curve %s is not in %s", c->path, t->line,
				  t->col_curve, t->id, t->curve, curvemaster_file(c->m));
	if (terms_netting(c->o->terms, t->cpty) < 0)
		return qe_err_set(e, QE_DATA, "%s:%ld:%d: trade %s: unknown counterparty '%s'", c->path,
				  t->line, t->col_cpty, t->id, t->cpty);
	int pos = (int)curvemaster_pos(c->m, cv);
	int carbon = strcmp(cv->commodity, "carbon") == 0;
	double vol;
	qe_date ev, v;
	int in;
	switch (t->instr) {
	case SETTLE_I_FUTURE:
		return flows_future(c, t, cv, pos, e);
	case SETTLE_I_SWAP:
		return t->has_price ? flows_monthly(c, t, cv, pos, e) : 0;
	case SETTLE_I_PHYSICAL:
	case SETTLE_I_FORWARD:
	case SETTLE_I_SPOT:
		if (!t->has_price)
			return 0;
		if (!carbon)
			return flows_monthly(c, t, cv, pos, e);
		/* allowances delivered against cash on the delivery day */
		ev = t->instr == SETTLE_I_SPOT ? t->ds : t->de;
		if (due(c, t, SETTLE_EUA, ev, &v, &in, e) ||
		    (in && settle_trade_volume(t, cv, t->ds, t->de, c->path, &vol, e)))
			return e->code;
		return in ? flow_add(c, t, SETTLE_EUA, ev, v, -t->price * vol * t->side, e) : 0;
	case SETTLE_I_OPTION:
		if (flows_exercise(c, t, cv, pos, e))
			return e->code;
		return flows_premium(c, t, cv, e);
	case SETTLE_I_ASIAN:
	case SETTLE_I_SPREAD:
		return flows_premium(c, t, cv, e);
	default:
		return 0;
	}
}

/* The flows of a book's live trades: chunks of trades worked out in
 * parallel (a trade's flows depend on it alone), each thread into its own
 * list, then appended to c->out in book order, the first error in book
 * order reported: the list and the message of one pass. */
static int book_flows(ctx *c, const settle_book *b, qe_err *e)
{
	enum { CHUNK = 4096 };
	typedef struct {
		int thr, rc;
		size_t first, n;
		qe_err e;
	} trade_out;
	int nthr = omp_get_max_threads(), rc = 0;
	flows_list *tl = calloc((size_t)nthr, sizeof *tl);
	trade_out *w = malloc(sizeof *w * CHUNK);
	if (!tl || !w)
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t i0 = 0; !rc && i0 < b->n; i0 += CHUNK) {
		long n = (long)(b->n - i0 < CHUNK ? b->n - i0 : CHUNK);
		for (int t = 0; t < nthr; t++)
			tl[t].n = 0;
#pragma omp parallel for schedule(dynamic, 16)
		for (long k = 0; k < n; k++) {
			int me = omp_get_thread_num();
			ctx mine = *c;
			mine.out = &tl[me];
			w[k].thr = me;
			w[k].first = tl[me].n;
			qe_err_clear(&w[k].e);
			w[k].rc = b->v[i0 + (size_t)k].cancel ? 0 : trade_flows(&mine, &b->v[i0 + (size_t)k], &w[k].e);
			w[k].n = tl[me].n - w[k].first;
		}
		flows_list *l = c->out;
		for (long k = 0; !rc && k < n; k++) {
			if (w[k].rc) {
				*e = w[k].e;
				rc = w[k].rc;
				break;
			}
			if (l->n + w[k].n > l->cap) {
				size_t cap = l->cap ? 2 * l->cap : 1024;
				while (cap < l->n + w[k].n)
					cap *= 2;
				settle_flow *nv = realloc(l->v, cap * sizeof *nv);
				if (!nv) {
					rc = qe_err_set(e, QE_INTERNAL, "out of memory");
					break;
				}
				l->v = nv;
				l->cap = cap;
			}
			if (w[k].n)
				memcpy(l->v + l->n, tl[w[k].thr].v + w[k].first, w[k].n * sizeof *l->v);
			l->n += w[k].n;
		}
	}
	for (int t = 0; tl && t < nthr; t++)
		free(tl[t].v);
	free(tl);
	free(w);
	return rc;
}

static int flow_cmp(const void *a, const void *b)
{
	const settle_flow *x = a, *y = b;
	int r;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if ((r = strcmp(x->cpty, y->cpty)) || (r = strcmp(x->ccy, y->ccy)) ||
	    (r = strcmp(x->trade_id, y->trade_id)))
		return r;
	if (x->event != y->event)
		return x->event < y->event ? -1 : 1;
	return x->kind - y->kind;
}

int flows_compute(const struct flows_options *o, flows_list *out, qe_err *e)
{
	ctx c = {.o = o, .out = out, .path = o->trades};
	settle_book b = {0};
	curvemaster *m = curvemaster_load(o->markets, e);
	int rc = 0;
	qe_err_clear(e);
	if (!m || curvemaster_load_calendars(m, o->calendars, e) ||
	    quotes_load(&c.fix, o->fixings, 0, m, e) || quotes_load(&c.hist, o->history, 1, m, e) ||
	    settle_book_load(&b, o->trades, o->markets, e))
		rc = e->code ? e->code : QE_INTERNAL;
	c.m = m;
	if (!rc)
		rc = book_flows(&c, &b, e);
	if (!rc && out->n) /* qsort of no rows: a null base is undefined */
		qsort(out->v, out->n, sizeof *out->v, flow_cmp);
	settle_book_free(&b);
	free(c.fix.v);
	free(c.hist.v);
	curvemaster_free(m);
	return rc;
}

void flows_free(flows_list *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

void flows_write(FILE *fp, const flows_list *l)
{
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_SETTLE_FLOWS);
	for (size_t i = 0; i < l->n; i++) {
		const settle_flow *f = &l->v[i];
		csvw_str(&w, f->trade_id);
		csvw_str(&w, f->cpty);
		csvw_str(&w, terms_kind_name(f->kind));
		csvw_str(&w, f->dir < 0 ? "pay" : "receive");
		csvw_date(&w, f->value);
		csvw_str(&w, f->ccy);
		csvw_int(&w, f->minor);
		csvw_end(&w);
	}
}

int flows_read(const char *path, flows_list *out, qe_err *e)
{
	static const char *const cols[] = {"trade_id", "counterparty", "kind", "direction",
					   "value_date", "currency", "amount_minor"};
	int ix[7], st, rc = 0;
	csv_reader *r = csvr_open(path, e);
	if (!r)
		return e->code;
	if (csvr_require(r, cols, 7, ix, e)) {
		csvr_close(r);
		return e->code;
	}
	while ((st = csvr_next(r, e)) == CSVR_ROW) {
		settle_flow f;
		size_t len;
		const char *s;
		memset(&f, 0, sizeof f);
		s = csvr_field(r, ix[0], &len);
		if (!len || len >= sizeof f.trade_id) {
			rc = csvr_field_error(r, ix[0], e, "a trade id of 1..%zu bytes", sizeof f.trade_id - 1);
			break;
		}
		memcpy(f.trade_id, s, len);
		s = csvr_field(r, ix[1], &len);
		if (!len || len >= sizeof f.cpty) {
			rc = csvr_field_error(r, ix[1], e, "a counterparty of 1..%zu bytes", sizeof f.cpty - 1);
			break;
		}
		memcpy(f.cpty, s, len);
		if ((f.kind = terms_kind_parse(csvr_field(r, ix[2], NULL))) < 0) {
			rc = csvr_field_error(r, ix[2], e, "unknown kind '%s'", csvr_field(r, ix[2], NULL));
			break;
		}
		s = csvr_field(r, ix[3], NULL);
		f.dir = strcmp(s, "pay") == 0 ? -1 : strcmp(s, "receive") == 0 ? 1 : 0;
		if (!f.dir) {
			rc = csvr_field_error(r, ix[3], e, "direction must be pay or receive '%s'", s);
			break;
		}
		if ((rc = csvr_get_date(r, ix[4], &f.value, e)))
			break;
		f.event = f.value;
		f.line = csvr_line(r);
		s = csvr_field(r, ix[5], &len);
		if (len != 3) {
			rc = csvr_field_error(r, ix[5], e, "not an ISO 4217 code '%s'", s);
			break;
		}
		memcpy(f.ccy, s, 3);
		if ((rc = csvr_get_int64(r, ix[6], &f.minor, e)))
			break;
		if (f.minor < 0 || f.minor > INT64_MAX / 1024) {
			rc = csvr_field_error(r, ix[6], e, "amount must be 0..%lld minor units",
					      (long long)(INT64_MAX / 1024));
			break;
		}
		if (out->n == out->cap) {
			size_t n = out->cap ? 2 * out->cap : 1024;
			settle_flow *v = realloc(out->v, n * sizeof *v);
			if (!v) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				break;
			}
			out->v = v;
			out->cap = n;
		}
		out->v[out->n++] = f;
	}
	if (!rc && (st == CSVR_BADROW || st == CSVR_FATAL))
		rc = e->code;
	csvr_close(r);
	return rc;
}
