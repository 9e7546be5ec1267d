/*
 * abuse: the market-abuse rules of qe-screen check (rules.h rules_abuse):
 * wash trades, prices outside the day's settlement range, layering-like
 * bursts of amendments and cancels.  Thresholds from the SCREEN
 * THRESHOLDS file (screen/params); the wash window may come from the
 * command line.  Owns nothing beyond a call; never prints.
 */
#include "screen/rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/regid.h"
#include "core/strindex.h"
#include "time/tz.h"
#include "screen/live.h"
#include "screen/params.h"
#include "screen/rtable.h"
#include "screen/settleidx.h"

enum {
	AB_ID, AB_VERSION, AB_STATUS, AB_DATE, AB_BOOK, AB_TRADER, AB_CPTY, AB_INSTR, AB_CURVE, AB_SIDE, AB_QTY,
	AB_UNIT, AB_PRICE, AB_DSTART, AB_DEND, AB_EXEC, AB_NCOLS
};
static const char *const abuse_cols[] = {
	"trade_id", "version", "status", "trade_date", "book", "trader", "counterparty", "instrument", "curve",
	"side", "quantity", "unit", "price", "delivery_start", "delivery_end", "exec_time",
};
static const int abuse_optional[AB_NCOLS] = {[AB_PRICE] = 1, [AB_EXEC] = 1};

enum { AC_ID, AC_OWNER, AC_NCOLS };
static const char *const acpty_cols[] = {"counterparty", "beneficial_owner"};
static const int acpty_optional[] = {0, 1};

/* A live trade in a group of trades that could offset each other. */
typedef struct wash_item {
	char *key;     /* what must be equal */
	size_t row;
	int buy;
	int64_t at;    /* exec_time (UTC seconds); INT64_MIN when none */
} wash_item;

static int wash_cmp(const void *a, const void *b)
{
	const wash_item *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

static void wash_free(wash_item *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i].key);
	free(w);
}

/* The exec_time of row i in *at (INT64_MIN when the cell is empty or the
 * column absent); QE_DATA when malformed. */
static int exec_at(const rtable *t, size_t i, int64_t *at, qe_err *e)
{
	const char *s = rtable_get(t, i, AB_EXEC);
	*at = INT64_MIN;
	if (!*s)
		return 0;
	if (regid_timestamp_parse(s, strlen(s), at, NULL, NULL))
		return rtable_error(t, i, AB_EXEC, e, "not a timestamp with offset YYYY-MM-DDTHH:MM:SS+HH:MM '%s'",
				    s);
	return 0;
}

/* The beneficial owner of counterparty id: its beneficial_owner, or ""
 * when the master lacks it (the trade then has no known owner). */
static const char *owner_of(const rtable *cp, const strindex *cpix, const char *id)
{
	long k = cp ? sidx_find(cpix, id, strlen(id)) : -1;
	return k < 0 ? "" : rtable_get(cp, (size_t)k, AC_OWNER);
}

/* The live trades as wash items, keyed by owner (by_owner) or by book and
 * price; quantity and price as numbers so 10 and 10.0 match. */
static int wash_items(const rtable *t, const size_t *live, size_t nlive, int by_owner, const rtable *cp,
		      const strindex *cpix, wash_item **out, size_t *nout, qe_err *e)
{
	wash_item *w = calloc(nlive + 1, sizeof *w);
	size_t n = 0;
	if (!w)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t k = 0; k < nlive; k++) {
		size_t i = live[k];
		double q, p = NAN;
		const char *who = by_owner ? owner_of(cp, cpix, rtable_get(t, i, AB_CPTY)) : rtable_get(t, i, AB_BOOK);
		if (!*who)
			continue;
		if (rtable_num(t, i, AB_QTY, 0, &q, e) || (!by_owner && rtable_num(t, i, AB_PRICE, 1, &p, e)) ||
		    exec_at(t, i, &w[n].at, e)) {
			wash_free(w, n);
			return e->code;
		}
		if (!by_owner && (isnan(p) || w[n].at == INT64_MIN))
			continue; /* no price or no time: nothing to offset against */
		char key[1024];
		snprintf(key, sizeof key, "%s|%s|%s|%s|%s|%s|%.17g|%.17g", who, rtable_get(t, i, AB_CURVE),
			 rtable_get(t, i, AB_INSTR), rtable_get(t, i, AB_DSTART), rtable_get(t, i, AB_DEND),
			 rtable_get(t, i, AB_UNIT), q, p);
		if (!(w[n].key = strdup(key))) {
			wash_free(w, n);
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		}
		w[n].row = i;
		w[n].buy = strcmp(rtable_get(t, i, AB_SIDE), "buy") == 0;
		n++;
	}
	if (n > 1) /* a null base of no rows is undefined */
		qsort(w, n, sizeof *w, wash_cmp);
	*out = w;
	*nout = n;
	return 0;
}

/* Pairs, in each group of equal keys, each trade with the first unpaired
 * earlier trade of the other side (by_owner: any time apart; else less
 * than window seconds apart) and adds one finding per pair. */
static int wash_pairs(const rtable *t, wash_item *w, size_t n, int by_owner, double window, breach_list *l,
		      qe_err *e)
{
	char *paired = calloc(n + 1, 1);
	int rc = 0;
	if (!paired)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t g = 0; g < n && !rc;) {
		size_t end = g + 1;
		while (end < n && strcmp(w[end].key, w[g].key) == 0)
			end++;
		for (size_t j = g + 1; j < end && !rc; j++) {
			for (size_t i = g; i < j; i++) {
				if (paired[i] || w[i].buy == w[j].buy)
					continue;
				/* one counterparty on both sides (a clearing house, a
				 * close-out) is not a wash by ownership */
				if (by_owner && !strcmp(rtable_get(t, w[i].row, AB_CPTY), rtable_get(t, w[j].row, AB_CPTY)))
					continue;
				double dt = by_owner ? NAN : (double)(w[j].at - w[i].at);
				if (!by_owner && !(dt < window))
					continue;
				paired[i] = paired[j] = 1;
				const char *a = rtable_get(t, w[i].row, AB_ID), *b = rtable_get(t, w[j].row, AB_ID);
				if (by_owner)
					rc = breach_add(l, "abuse", "wash_owner", BREACH_BREACH, "trade", b, NAN, NAN, e,
							"%s and %s offset each other (%s %s of %s) with counterparties %s "
							"and %s of one beneficial owner",
							a, b, rtable_get(t, w[j].row, AB_QTY), rtable_get(t, w[j].row, AB_UNIT),
							rtable_get(t, w[j].row, AB_CURVE), rtable_get(t, w[i].row, AB_CPTY),
							rtable_get(t, w[j].row, AB_CPTY));
				else
					rc = breach_add(l, "abuse", "wash_offset", BREACH_BREACH, "trade", b, dt, window, e,
							"%s and %s in book %s buy and sell %s %s of %s at %s %.0f s apart, "
							"within the wash window of %.0f s",
							a, b, rtable_get(t, w[j].row, AB_BOOK), rtable_get(t, w[j].row, AB_QTY),
							rtable_get(t, w[j].row, AB_UNIT), rtable_get(t, w[j].row, AB_CURVE),
							rtable_get(t, w[j].row, AB_PRICE), dt, window);
				break;
			}
		}
		g = end;
	}
	free(paired);
	return rc;
}

/* Trades whose fixed price is comparable with a settlement price. */
static int price_comparable(const char *instr)
{
	return !strcmp(instr, "future") || !strcmp(instr, "forward") || !strcmp(instr, "swap") ||
	       !strcmp(instr, "physical");
}

/* The day's settlement range of a trade: between the settlement of its
 * delivery month on the trade date and the one before it (up to 10 days
 * back), widened by tolerance times each end's size. */
static int price_range(const rules_inputs *in, const rtable *t, const size_t *live, size_t nlive, double tol,
		       breach_list *l, qe_err *e)
{
	settleidx hs;
	int rc = settleidx_load(in->history, &hs, e);
	if (rc)
		goto done;
	for (size_t k = 0; k < nlive && !rc; k++) {
		size_t i = live[k];
		const char *ds = rtable_get(t, i, AB_DSTART), *de = rtable_get(t, i, AB_DEND);
		qe_date d;
		double price;
		if (!price_comparable(rtable_get(t, i, AB_INSTR)) || strlen(ds) < 7 || strncmp(ds, de, 7) != 0)
			continue; /* strips average several months */
		if ((rc = rtable_num(t, i, AB_PRICE, 1, &price, e)))
			break;
		if (isnan(price) || date_parse_z(rtable_get(t, i, AB_DATE), &d))
			continue;
		const char *curve = rtable_get(t, i, AB_CURVE);
		double today = settleidx_price(&hs, curve, ds, d), before = NAN;
		for (int back = 1; back <= 10 && isnan(before); back++)
			before = settleidx_price(&hs, curve, ds, d - back);
		if (isnan(today))
			continue; /* no settlement that day: no range */
		if (isnan(before))
			before = today;
		double lo = fmin(today, before), hi = fmax(today, before);
		double lo_band = lo - tol * fabs(lo), hi_band = hi + tol * fabs(hi);
		if (price < lo_band || price > hi_band)
			rc = breach_add(l, "abuse", "price_range", BREACH_BREACH, "trade", rtable_get(t, i, AB_ID), price,
					price > hi_band ? hi_band : lo_band, e,
					"%s %s %.7s on %s at %s, outside the day's settlement range %.6g to %.6g "
					"widened by %g (%.6g to %.6g)",
					rtable_get(t, i, AB_ID), curve, ds, rtable_get(t, i, AB_DATE),
					rtable_get(t, i, AB_PRICE), lo, hi, tol, lo_band, hi_band);
	}
done:
	settleidx_free(&hs);
	return rc;
}

typedef struct amend_event {
	const char *trader;
	int64_t at;
} amend_event;

static int amend_cmp(const void *a, const void *b)
{
	const amend_event *x = a, *y = b;
	int c = strcmp(x->trader, y->trader);
	if (c)
		return c;
	return (x->at > y->at) - (x->at < y->at);
}

/* Per trader, the most amend and cancel rows whose exec_times span at
 * most window seconds; above count is a burst. */
static int layering(const rtable *t, double count, double window, breach_list *l, qe_err *e)
{
	amend_event *ev = malloc((t->n + 1) * sizeof *ev);
	size_t n = 0;
	int rc = 0;
	if (!ev)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < t->n; i++) {
		const char *st = rtable_get(t, i, AB_STATUS);
		if (strcmp(st, "amend") != 0 && strcmp(st, "cancel") != 0)
			continue;
		if ((rc = exec_at(t, i, &ev[n].at, e)))
			goto done;
		if (ev[n].at == INT64_MIN)
			continue;
		ev[n++].trader = rtable_get(t, i, AB_TRADER);
	}
	if (n > 1) /* a null base of no rows is undefined */
		qsort(ev, n, sizeof *ev, amend_cmp);
	for (size_t g = 0; g < n && !rc;) {
		size_t end = g, most = 0, first = g;
		while (end < n && strcmp(ev[end].trader, ev[g].trader) == 0)
			end++;
		for (size_t j = g, i = g; j < end; j++) {
			while ((double)(ev[j].at - ev[i].at) > window)
				i++;
			if (j - i + 1 > most) {
				most = j - i + 1;
				first = i;
			}
		}
		if ((double)most > count) {
			char when[TS_BUFSZ];
			ts_format(when, (qe_ts){ev[first].at, 0}, 1);
			rc = breach_add(l, "abuse", "layering", BREACH_BREACH, "trader", ev[g].trader, (double)most, count,
					e, "%s amended or cancelled %zu trade versions within %.0f s from %s, more than %.0f",
					ev[g].trader, most, window, when, count);
		}
		g = end;
	}
done:
	free(ev);
	return rc;
}

int rules_abuse(const rules_inputs *in, breach_list *l, qe_err *e)
{
	screen_params p = {0};
	rtable t = {0}, cp = {0};
	strindex *cpix = NULL;
	size_t *live = NULL, nlive = 0, nw = 0;
	wash_item *w = NULL;
	double window = in->wash_window, tol, count, lwindow;
	int rc;
	if (!in->trades)
		return qe_err_set(e, QE_USAGE, "rule set abuse: no trades file given");
	if ((rc = params_read(in->thresholds, "rule set abuse", &p, e)))
		return rc;
	if ((isnan(window) && (rc = params_get(&p, "abuse", "wash_offset", "window_seconds", &window, e))) ||
	    (rc = params_get(&p, "abuse", "layering", "count", &count, e)) ||
	    (rc = params_get(&p, "abuse", "layering", "window_seconds", &lwindow, e)) ||
	    (in->history && (rc = params_get(&p, "abuse", "price_range", "tolerance", &tol, e))) ||
	    (rc = rtable_read(in->trades, abuse_cols, abuse_optional, AB_NCOLS, &t, e)) ||
	    (rc = live_versions(&t, AB_ID, AB_VERSION, AB_STATUS, &live, &nlive, NULL, NULL, e)))
		goto done;
	int timed = t.filecol[AB_EXEC] >= 0;
	if (in->counterparties) {
		if ((rc = rtable_read(in->counterparties, acpty_cols, acpty_optional, AC_NCOLS, &cp, e)))
			goto done;
		if (!(cpix = sidx_new())) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < cp.n; i++) {
			const char *id = rtable_get(&cp, i, AC_ID);
			if (sidx_add(cpix, id, strlen(id), NULL) != (long)i) {
				rc = rtable_error(&cp, i, AC_ID, e, "counterparty '%s' listed twice", id);
				goto done;
			}
		}
		if ((rc = wash_items(&t, live, nlive, 1, &cp, cpix, &w, &nw, e)) ||
		    (rc = wash_pairs(&t, w, nw, 1, window, l, e)))
			goto done;
		wash_free(w, nw);
		w = NULL;
	}
	if (!timed) {
		rc = breach_add(l, "abuse", "unchecked", BREACH_INFO, "trade", "all", NAN, NAN, e,
				"%s has no exec_time column: wash_offset and layering not checked", t.file);
	} else {
		if ((rc = wash_items(&t, live, nlive, 0, NULL, NULL, &w, &nw, e)) ||
		    (rc = wash_pairs(&t, w, nw, 0, window, l, e)) || (rc = layering(&t, count, lwindow, l, e)))
			goto done;
	}
	if (!rc && in->history)
		rc = price_range(in, &t, live, nlive, tol, l, e);
done:
	if (w)
		wash_free(w, nw);
	if (cpix)
		sidx_free(cpix);
	free(live);
	rtable_free(&t);
	rtable_free(&cp);
	params_free(&p);
	return rc;
}
