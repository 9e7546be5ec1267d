#include "risk/riskhist.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/schema.h"
#include "io/csvio.h"
#include "risk/riskfactor.h"
#include "time/calendar.h"

int rh_gap_parse(const char *s)
{
	if (strcmp(s, "ffill") == 0)
		return RH_GAP_FFILL;
	if (strcmp(s, "drop") == 0)
		return RH_GAP_DROP;
	if (strcmp(s, "error") == 0)
		return RH_GAP_ERROR;
	return -1;
}

void rh_free(risk_history *h)
{
	free(h->dates);
	sidx_free(h->factors);
	free(h->price);
	free(h->abs);
	free(h->contract);
	memset(h, 0, sizeof *h);
}

struct hrow {
	qe_date d;
	long f, contract;
	double p;
	long line;
};

static int cmp_date(const void *a, const void *b)
{
	qe_date x = *(const qe_date *)a, y = *(const qe_date *)b;
	return (x > y) - (x < y);
}

static long find_date(const qe_date *d, size_t n, qe_date t)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (d[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && d[lo] == t ? (long)lo : -1;
}

/* The contract column of the current row (ingest/schema's rule). */
static int read_contract(csv_reader *r, int col, qe_date d, int64_t tenor, long *out, qe_err *e)
{
	size_t len;
	char why[160];
	const char *s = csvr_field(r, col, &len);
	const char *bad = schema_history_contract(d, tenor, s, len, out, why, sizeof why);
	if (bad)
		return csvr_field_error(r, col, e, "%s '%.*s'", bad, (int)len, s);
	if (*out < 0)
		*out = RH_NO_CONTRACT;
	return 0;
}

int rh_read(risk_history *h, const char *path, qe_err *e)
{
	static const char *const cols[] = {"date", "curve", "tenor", "price"};
	int idx[4], rc = 0, st;
	struct hrow *rows = NULL;
	size_t n = 0, cap = 0;
	qe_date *ud = NULL;
	csv_reader *r;

	memset(h, 0, sizeof *h);
	if (!(h->factors = sidx_new()))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (!(r = csvr_open(path, e))) {
		rh_free(h);
		return e->code;
	}
	if ((rc = csvr_require(r, cols, 4, idx, e)))
		goto out;
	int cc = csvr_col(r, "contract"); /* optional: the 4-column layout derives it */
	h->contract_column = cc >= 0;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		qe_date d;
		int64_t tenor;
		double p;
		const char *curve;
		char name[RISK_FACTOR_NAMESZ];
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if ((rc = csvr_get_date(r, idx[0], &d, e)))
			goto out;
		if (!(curve = csvr_get_str(r, idx[1], e))) {
			rc = QE_DATA;
			goto out;
		}
		if ((rc = csvr_get_int64(r, idx[2], &tenor, e)))
			goto out;
		if (tenor < 0 || tenor > 1200) {
			rc = csvr_field_error(r, idx[2], e, "tenor out of range '%lld'", (long long)tenor);
			goto out;
		}
		if ((rc = csvr_get_double(r, idx[3], &p, e)))
			goto out;
		long contract = RH_NO_CONTRACT;
		if (cc >= 0 && (rc = read_contract(r, cc, d, tenor, &contract, e)))
			goto out;
		if (strlen(curve) > RISK_CURVE_MAX) {
			rc = csvr_field_error(r, idx[1], e, "curve name too long");
			goto out;
		}
		int len = risk_factor_name(name, sizeof name, curve, strlen(curve), tenor);
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			struct hrow *nr = realloc(rows, cap * sizeof *nr);
			if (!nr) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				goto out;
			}
			rows = nr;
		}
		rows[n].d = d;
		rows[n].p = p;
		rows[n].contract = contract;
		rows[n].line = csvr_line(r);
		if ((rows[n].f = sidx_add(h->factors, name, (size_t)len, NULL)) < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		n++;
	}
	if (n == 0) {
		rc = qe_err_set(e, QE_DATA, "%s: no prices", csvr_name(r));
		goto out;
	}
	/* a row cut mid-way can still parse (a price 4.5 for 4.56): a file
	 * whose last line has no end is taken as truncated */
	if (csvr_unterminated(r)) {
		rc = qe_err_set(e, QE_DATA, "%s:%ld: last line has no line end: the file looks truncated",
				csvr_name(r), rows[n - 1].line);
		goto out;
	}
	if (!(ud = malloc(n * sizeof *ud))) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		ud[i] = rows[i].d;
	qsort(ud, n, sizeof *ud, cmp_date);
	size_t nd = 0;
	for (size_t i = 0; i < n; i++)
		if (nd == 0 || ud[i] != ud[nd - 1])
			ud[nd++] = ud[i];
	h->nd = nd;
	h->nf = sidx_count(h->factors);
	h->dates = ud;
	ud = NULL;
	h->price = malloc(h->nd * h->nf * sizeof *h->price);
	h->abs = calloc(h->nf, 1);
	h->contract = malloc(h->nd * h->nf * sizeof *h->contract + 1);
	if (!h->price || !h->abs || !h->contract) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory for %zu dates x %zu factors", h->nd, h->nf);
		goto out;
	}
	for (size_t i = 0; i < h->nd * h->nf; i++) {
		h->price[i] = NAN;
		h->contract[i] = RH_NO_CONTRACT;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = (size_t)find_date(h->dates, h->nd, rows[i].d) * h->nf + (size_t)rows[i].f;
		if (!isnan(h->price[k])) {
			char ds[16];
			date_format(ds, rows[i].d);
			rc = qe_err_set(e, QE_DATA, "%s:%ld: second price for factor '%s' on %s",
					csvr_name(r), rows[i].line, sidx_name(h->factors, (size_t)rows[i].f), ds);
			goto out;
		}
		h->price[k] = rows[i].p;
		h->contract[k] = rows[i].contract;
	}
out:
	free(ud);
	free(rows);
	csvr_close(r);
	if (rc)
		rh_free(h);
	return rc;
}

int rh_set_returns(risk_history *h, const curvemaster *cm, qe_err *e)
{
	static const char *const cols[] = {"curve", "returns"};
	if (!cm)
		return 0;
	if (curvemaster_require(cm, cols, 2, e))
		return e->code;
	for (size_t k = 0; k < curvemaster_count(cm); k++) {
		const curvemaster_curve *c = curvemaster_at(cm, k);
		size_t cl = strlen(c->name);
		for (size_t f = 0; f < h->nf; f++) {
			const char *name = sidx_name(h->factors, f);
			if (strncmp(name, c->name, cl) == 0 && name[cl] == ':')
				h->abs[f] = (unsigned char)c->returns_abs;
		}
	}
	return 0;
}

int rh_restrict(risk_history *h, const unsigned char *keep, qe_err *e)
{
	strindex *nf = sidx_new();
	size_t m = 0;
	if (!nf)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	free(h->contract); /* contracts are for rh_contract_factors, before */
	h->contract = NULL;
	for (size_t f = 0; f < h->nf; f++) {
		if (!keep[f])
			continue;
		const char *name = sidx_name(h->factors, f);
		sidx_add(nf, name, strlen(name), NULL);
		h->abs[m] = h->abs[f];
		m++;
	}
	/* compact the matrix row by row: row d moves from stride nf to stride m */
	for (size_t d = 0; d < h->nd; d++) {
		size_t j = 0;
		for (size_t f = 0; f < h->nf; f++)
			if (keep[f])
				h->price[d * m + j++] = h->price[d * h->nf + f];
	}
	sidx_free(h->factors);
	h->factors = nf;
	h->nf = m;
	return 0;
}

static void note_first(rh_gap_report *rep, const risk_history *h, size_t d, size_t f)
{
	if (rep->first[0])
		return;
	char ds[16];
	date_format(ds, h->dates[d]);
	snprintf(rep->first, sizeof rep->first, "%s on %s", sidx_name(h->factors, f), ds);
}

int rh_fill_gaps(risk_history *h, int policy, rh_gap_report *rep, qe_err *e)
{
	memset(rep, 0, sizeof *rep);
	size_t nf = h->nf, w = 0;
	free(h->contract); /* contracts are for rh_contract_factors, before */
	h->contract = NULL;
	/* compact in place: row w receives the next kept row */
	for (size_t d = 0; d < h->nd; d++) {
		double *row = h->price + d * nf;
		int missing = 0, leading = 0;
		for (size_t f = 0; f < nf; f++) {
			if (!isnan(row[f]))
				continue;
			if (policy == RH_GAP_ERROR) {
				char ds[16];
				date_format(ds, h->dates[d]);
				return qe_err_set(e, QE_DATA,
						  "history: no price for factor '%s' on %s (gap policy 'error')",
						  sidx_name(h->factors, f), ds);
			}
			missing = 1;
			if (w == 0)
				leading = 1;
		}
		if (missing && (policy == RH_GAP_DROP || leading)) {
			for (size_t f = 0; f < nf && !rep->first[0]; f++)
				if (isnan(row[f]))
					note_first(rep, h, d, f);
			rep->dropped++;
			continue;
		}
		if (missing)
			for (size_t f = 0; f < nf; f++)
				if (isnan(row[f])) {
					note_first(rep, h, d, f);
					row[f] = h->price[(w - 1) * nf + f];
					rep->filled++;
				}
		if (w != d) {
			memmove(h->price + w * nf, row, nf * sizeof *row);
			h->dates[w] = h->dates[d];
		}
		w++;
	}
	h->nd = w;
	if (h->nd < 2)
		return qe_err_set(e, QE_DATA, "history: %zu complete dates left after the gap policy; need at least 2",
				  h->nd);
	return 0;
}

size_t rh_carry_closed(risk_history *h, const curvemaster *cm)
{
	size_t n = 0, nf = h->nf;
	if (!cm)
		return 0;
	for (size_t f = 0; f < nf; f++) {
		const char *name = sidx_name(h->factors, f);
		char curve[RISK_FACTOR_NAMESZ];
		snprintf(curve, sizeof curve, "%.*s", (int)risk_factor_curve_len(name), name);
		const curvemaster_curve *c = curvemaster_find(cm, curve);
		const qe_calendar *cal = c ? curvemaster_calendar(cm, c) : NULL;
		if (!cal)
			continue;
		for (size_t d = 1; d < h->nd; d++) {
			double *p = &h->price[d * nf + f];
			qe_date t = h->dates[d];
			if (isnan(*p) && !isnan(p[-(ptrdiff_t)nf]) && cal_covers(cal, t) &&
			    !cal_is_business_day(cal, t)) {
				*p = p[-(ptrdiff_t)nf];
				n++;
			}
		}
	}
	return n;
}

const double *rh_latest(const risk_history *h)
{
	return h->price + (h->nd - 1) * h->nf;
}

void rs_free(risk_scenarios *s)
{
	free(s->date);
	free(s->ret);
	memset(s, 0, sizeof *s);
}

int rh_returns(const risk_history *h, int horizon, int mode, size_t window, risk_scenarios *s,
	       qe_err *e)
{
	size_t lag = mode == RH_OVERLAP ? (size_t)horizon : 1, nf = h->nf;
	double scale = mode == RH_SQRT ? sqrt((double)horizon) : 1.0;
	memset(s, 0, sizeof *s);
	if (horizon < 1)
		return qe_err_set(e, QE_USAGE, "horizon %d is not a positive number of days", horizon);
	if (h->nd <= lag)
		return qe_err_set(e, QE_DATA, "history: %zu dates give no %zu-day returns", h->nd, lag);
	size_t total = h->nd - lag, first = 0;
	if (window > 0 && window < total)
		first = total - window;
	s->ns = total - first;
	s->nf = nf;
	s->date = malloc(s->ns * sizeof *s->date);
	s->ret = malloc(s->ns * nf * sizeof *s->ret + 1);
	if (!s->date || !s->ret) {
		rs_free(s);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < s->ns; i++) {
		size_t d = first + i + lag;
		const double *now = h->price + d * nf, *then = h->price + (d - lag) * nf;
		s->date[i] = h->dates[d];
		for (size_t f = 0; f < nf; f++) {
			double r;
			if (h->abs[f])
				r = now[f] - then[f];
			else {
				if (!(now[f] > 0) || !(then[f] > 0)) {
					char ds[16];
					date_format(ds, h->dates[now[f] > 0 ? d - lag : d]);
					rs_free(s);
					return qe_err_set(e, QE_DATA,
							  "history: factor '%s' has price %g on %s; log returns need "
							  "positive prices (set returns=abs for the curve)",
							  sidx_name(h->factors, f), now[f] > 0 ? then[f] : now[f], ds);
				}
				r = log(now[f] / then[f]);
			}
			s->ret[i * nf + f] = r * scale;
		}
	}
	return 0;
}

void rh_price_changes(const risk_history *h, const risk_scenarios *s, double *out)
{
	const double *F = rh_latest(h);
	for (size_t i = 0; i < s->ns; i++)
		for (size_t f = 0; f < s->nf; f++) {
			double r = s->ret[i * s->nf + f];
			out[i * s->nf + f] = h->abs[f] ? r : F[f] * expm1(r);
		}
}

void rh_change_scale(const risk_history *h, double *scale)
{
	const double *F = rh_latest(h);
	for (size_t f = 0; f < h->nf; f++)
		scale[f] = h->abs[f] ? 1.0 : F[f];
}

size_t rh_cut_after(risk_history *h, qe_date asof)
{
	size_t nd = h->nd;
	while (nd > 0 && h->dates[nd - 1] > asof)
		nd--;
	size_t cut = h->nd - nd;
	h->nd = nd;
	return cut;
}

/* Appends to buf (size n, used *at) without overflowing; "..." once full. */
static void say(char *buf, size_t n, size_t *at, const char *fmt, ...)
{
	va_list ap;
	if (*at >= n)
		return;
	va_start(ap, fmt);
	int k = vsnprintf(buf + *at, n - *at, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= n - *at) {
		if (n > 4)
			memcpy(buf + n - 4, "...", 4);
		*at = n;
	} else
		*at += (size_t)k;
}

int rh_check_asof(const risk_history *h, const char *file, qe_date asof, const curvemaster *cm, qe_err *e)
{
	qe_calendar *weekdays = cal_load_named("WEEKENDS", NULL, e);
	unsigned char *done = calloc(h->nf + 1, 1);
	char list[768], a[16];
	size_t at = 0, nmissing = 0, ncurves = 0;
	int rc = 0;
	if (!weekdays || !done) {
		rc = weekdays ? qe_err_set(e, QE_INTERNAL, "out of memory") : e->code;
		goto out;
	}
	list[0] = '\0';
	date_format(a, asof);
	for (size_t f = 0; f < h->nf; f++) {
		if (done[f])
			continue;
		const char *name = sidx_name(h->factors, f);
		size_t cl = risk_factor_curve_len(name);
		char curve[RISK_FACTOR_NAMESZ];
		snprintf(curve, sizeof curve, "%.*s", (int)cl, name);
		/* a vol factor VOL:CURVE:TENOR is quoted on its curve's days */
		const char *under = risk_factor_underlying(curve);
		const curvemaster_curve *c = cm ? curvemaster_find(cm, under) : NULL;
		const qe_calendar *cal = c ? curvemaster_calendar(cm, c) : NULL;
		if (!cal)
			cal = weekdays;
		/* the last day on or before the as-of date the exchange was open */
		qe_date open = cal_preceding(cal, asof);
		long d = find_date(h->dates, h->nd, open);
		size_t nt = 0, nmiss = 0;
		qe_date last = 0;
		int have_last = 0;
		char tenors[256];
		size_t tat = 0;
		tenors[0] = '\0';
		for (size_t g = f; g < h->nf; g++) {
			const char *n2 = sidx_name(h->factors, g);
			if (strncmp(n2, name, cl) != 0 || n2[cl] != ':')
				continue;
			done[g] = 1;
			nt++;
			if (d >= 0 && !isnan(h->price[(size_t)d * h->nf + g]))
				continue;
			nmiss++;
			say(tenors, sizeof tenors, &tat, "%s%s", nmiss > 1 ? "," : "", n2 + cl + 1);
			for (size_t k = h->nd; k-- > 0;)
				if (!isnan(h->price[k * h->nf + g])) {
					if (!have_last || h->dates[k] > last)
						last = h->dates[k];
					have_last = 1;
					break;
				}
		}
		if (!nmiss)
			continue;
		char od[16], ld[16];
		date_format(od, open);
		if (have_last)
			date_format(ld, last);
		nmissing += nmiss;
		if (nmiss == nt && nt > 1)
			say(list, sizeof list, &at, "%s%s (every tenor", ncurves ? ", " : "", curve);
		else
			say(list, sizeof list, &at, "%s%s:%s (", ncurves ? ", " : "", curve, tenors);
		say(list, sizeof list, &at, "%scalendar %s open on %s; last price %s)", nmiss == nt && nt > 1 ? "; " : "",
		    cal_name(cal), od, have_last ? ld : "none");
		ncurves++;
	}
	if (nmissing)
		rc = qe_err_set(e, QE_DATA,
				"%s: as of %s, %zu factor%s of %zu curve%s lack a price for a day their exchange was "
				"open (truncated or stale history): %s",
				file, a, nmissing, nmissing > 1 ? "s" : "", ncurves, ncurves > 1 ? "s" : "", list);
out:
	cal_free(weekdays);
	free(done);
	return rc;
}

int rh_returns_parse(const char *s)
{
	if (strcmp(s, "contract") == 0)
		return RH_RET_CONTRACT;
	if (strcmp(s, "constant-maturity") == 0)
		return RH_RET_CONSTANT;
	return -1;
}

int rh_derive_contracts(risk_history *h, const curvemaster *cm, qe_err *e)
{
	if (h->contract_column || !h->contract)
		return 0;
	for (size_t f = 0; f < h->nf; f++) {
		const char *name = sidx_name(h->factors, f);
		size_t cl;
		long tenor;
		char curve[RISK_FACTOR_NAMESZ];
		risk_factor_parse(name, &cl, &tenor); /* rh_read built every name */
		snprintf(curve, sizeof curve, "%.*s", (int)cl, name);
		const curvemaster_curve *c = cm ? curvemaster_find(cm, curve) : NULL;
		/* the front month is the exchange's: without its calendar it
		 * cannot be told, and tenor 0 is left without a contract */
		int front = tenor == 0 && c && curvemaster_fixes_front(c) && curvemaster_calendar(cm, c);
		for (size_t d = 0; d < h->nd && front; d++) {
			/* nor when its calendar does not cover every day */
			qe_date mf;
			if (!isnan(h->price[d * h->nf + f]) && curvemaster_front_month(cm, c, h->dates[d], &mf, e))
				front = 0;
		}
		qe_err_clear(e);
		for (size_t d = 0; d < h->nd; d++) {
			long *k = &h->contract[d * h->nf + f];
			if (isnan(h->price[d * h->nf + f]))
				continue;
			if (tenor > 0) {
				*k = date_month_index(h->dates[d]) + tenor;
			} else if (front) {
				qe_date mf;
				if (curvemaster_front_month(cm, c, h->dates[d], &mf, e)) {
					char ds[16], where[RISK_FACTOR_NAMESZ + 64];
					date_format(ds, h->dates[d]);
					snprintf(where, sizeof where, "history: front month of %s on %s", curve, ds);
					qe_err_prefix(e, where);
					return e->code;
				}
				*k = date_month_index(mf);
			}
		}
	}
	return 0;
}

/* The tenor of curve slots[i] quoting contract c on day d with a price,
 * the slot `prefer` first, then the forward tenors, the index last; -1
 * when none does. */
static long slot_quoting(const risk_history *h, const size_t *slots, const long *tenor, size_t ns, size_t d,
			 long c, size_t prefer)
{
	const long *ct = h->contract + d * h->nf;
	const double *p = h->price + d * h->nf;
	if (c == RH_NO_CONTRACT)
		return -1;
	if (ct[prefer] == c && !isnan(p[prefer]))
		return (long)prefer;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < ns; i++)
			if ((tenor[i] == 0) == pass && ct[slots[i]] == c && !isnan(p[slots[i]]))
				return (long)slots[i];
	return -1;
}

/* The back-adjusted series of slot g (of the curve's slots) from the
 * anchor date a into out[d * stride]. */
static int roll_adjust(const risk_history *h, const size_t *slots, const long *tenor, size_t ns, size_t g,
		       size_t a, int abs_ret, double *out, size_t stride, rh_roll_report *rep, qe_err *e)
{
	size_t nf = h->nf, cur = a;
	double val = h->price[a * nf + g];
	for (size_t d = h->nd; d-- > 0;)
		out[d * stride] = NAN;
	out[a * stride] = val;
	for (size_t d = a; d-- > 0;) {
		double then = h->price[d * nf + g], now = h->price[cur * nf + g];
		if (isnan(then))
			continue;
		long c = h->contract[cur * nf + g], s;
		if (c != RH_NO_CONTRACT) {
			if ((s = slot_quoting(h, slots, tenor, ns, d, c, g)) >= 0) {
				then = h->price[d * nf + (size_t)s];
			} else if ((s = slot_quoting(h, slots, tenor, ns, cur, h->contract[d * nf + g], g)) >= 0) {
				now = h->price[cur * nf + (size_t)s];
			} else {
				if (!rep->first[0]) {
					char ds[16];
					date_format(ds, h->dates[cur]);
					snprintf(rep->first, sizeof rep->first, "%s on %s", sidx_name(h->factors, g), ds);
				}
				rep->fallback++;
			}
			if (s >= 0 && (size_t)s != g)
				rep->rolls++;
		}
		if (abs_ret) {
			val -= now - then;
		} else {
			if (!(now > 0) || !(then > 0)) {
				char ds[16];
				date_format(ds, h->dates[now > 0 ? d : cur]);
				return qe_err_set(e, QE_DATA,
						  "history: factor '%s' has price %g on %s; log returns need positive "
						  "prices (set returns=abs for the curve)",
						  sidx_name(h->factors, g), now > 0 ? then : now, ds);
			}
			val *= then / now;
		}
		out[d * stride] = val;
		cur = d;
	}
	return 0;
}

int rh_contract_factors(risk_history *h, qe_date asof, rh_roll_report *rep, qe_err *e)
{
	size_t nf = h->nf, nd = h->nd, m = 0;
	strindex *names = sidx_new();
	double *price = malloc(nd * nf * sizeof *price + 1);
	unsigned char *abs = calloc(nf + 1, 1), *done = calloc(nf + 1, 1);
	size_t *slots = malloc(nf * sizeof *slots + 1);
	long *tenor = malloc(nf * sizeof *tenor + 1), asof_month = date_month_index(asof);
	int rc = 0;
	memset(rep, 0, sizeof *rep);
	if (!names || !price || !abs || !done || !slots || !tenor || !h->contract) {
		rc = qe_err_set(e, QE_INTERNAL, h->contract ? "out of memory" : "history: contracts already dropped");
		goto out;
	}
	for (size_t f = 0; f < nf; f++) {
		if (done[f])
			continue;
		const char *name = sidx_name(h->factors, f);
		size_t cl = risk_factor_curve_len(name), ns = 0;
		for (size_t g = f; g < nf; g++) {
			const char *n2 = sidx_name(h->factors, g);
			size_t cl2;
			if (risk_factor_parse(n2, &cl2, &tenor[ns]) || cl2 != cl || strncmp(n2, name, cl) != 0)
				continue;
			done[g] = 1;
			slots[ns++] = g;
		}
		/* the last date this curve has a price: the as-of day of its factors */
		size_t a = nd;
		for (size_t d = nd; d-- > 0 && a == nd;)
			for (size_t i = 0; i < ns; i++)
				if (!isnan(h->price[d * nf + slots[i]])) {
					a = d;
					break;
				}
		if (a == nd)
			continue;
		for (size_t i = 0; i < ns; i++) {
			/* tenor k >= 1 quotes the month k after the date's month
			 * (HISTORY): a tenor the as-of day lacks (a cut or stale
			 * history) keeps its factor, for rh_check_asof to name */
			long T = 0;
			if (tenor[i] > 0 && (T = date_month_index(h->dates[a]) + tenor[i] - asof_month) < 1)
				continue; /* delivering in the as-of month or before: carried by the index */
			char fname[RISK_FACTOR_NAMESZ];
			int len = risk_factor_name(fname, sizeof fname, name, cl, T);
			if (sidx_find(names, fname, (size_t)len) >= 0) {
				char ds[16];
				date_format(ds, h->dates[a]);
				rc = qe_err_set(e, QE_DATA, "history: two tenors of %.*s quote the contract of factor %s on %s",
						(int)cl, name, fname, ds);
				goto out;
			}
			if (sidx_add(names, fname, (size_t)len, NULL) < 0) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				goto out;
			}
			abs[m] = h->abs[slots[i]];
			m++;
		}
	}
	/* the series, column by column in the order of the names */
	double *col = malloc(nd * sizeof *col + 1);
	if (!col) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t j = 0; j < m && !rc; j++) {
		const char *fname = sidx_name(names, j);
		size_t cl, ns = 0, a = nd, g = nf;
		long T;
		risk_factor_parse(fname, &cl, &T); /* built above */
		for (size_t f = 0; f < nf; f++) {
			const char *n2 = sidx_name(h->factors, f);
			size_t cl2;
			if (risk_factor_parse(n2, &cl2, &tenor[ns]) || cl2 != cl || strncmp(n2, fname, cl) != 0)
				continue;
			slots[ns++] = f;
		}
		for (size_t d = nd; d-- > 0 && a == nd;)
			for (size_t i = 0; i < ns; i++)
				if (!isnan(h->price[d * nf + slots[i]])) {
					a = d;
					break;
				}
		for (size_t i = 0; i < ns && g == nf; i++)
			if (T == 0 ? tenor[i] == 0
				   : tenor[i] > 0 && date_month_index(h->dates[a]) + tenor[i] == asof_month + T)
				g = slots[i];
		/* the series starts from the slot's own last price */
		while (a > 0 && isnan(h->price[a * nf + g]))
			a--;
		rc = roll_adjust(h, slots, tenor, ns, g, a, abs[j], col, 1, rep, e);
		for (size_t d = 0; d < nd; d++)
			price[d * m + j] = col[d];
	}
	free(col);
	if (rc)
		goto out;
	sidx_free(h->factors);
	free(h->price);
	free(h->abs);
	free(h->contract);
	h->factors = names;
	h->price = price;
	h->abs = abs;
	h->contract = NULL;
	h->nf = m;
	names = NULL;
	price = NULL;
	abs = NULL;
out:
	sidx_free(names);
	free(price);
	free(abs);
	free(done);
	free(slots);
	free(tenor);
	return rc;
}
