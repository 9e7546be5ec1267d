#include "screen/mandate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "market/curvemaster.h"
#include "screen/live.h"
#include "screen/rtable.h"

enum { MA_TRADER, MA_COMMODITIES, MA_INSTRUMENTS, MA_TENOR, MA_NOTIONAL, MA_CCY, MA_BOOKS, MA_NCOLS };
static const char *const mandate_cols[] = {
	"trader", "commodities", "instruments", "max_tenor_months", "max_notional", "currency", "books",
};

/* "*" allows all; else s must be one of the ';' items. */
static int allowed(const char *list, const char *s)
{
	return strcmp(list, "*") == 0 || live_in_list(list, s);
}

static int curve_allowed(const rtable *ma, size_t r, const curvemaster_curve *c)
{
	const char *list = rtable_get(ma, r, MA_COMMODITIES);
	return allowed(list, c->name) || (*c->commodity && live_in_list(list, c->commodity));
}

/* The trade's notional in its currency: |quantity in curve units| times
 * the strike (options) or price. */
static int notional(const live_set *live, size_t i, const curvemaster_curve *c, double *out, qe_err *e)
{
	const rtable *t = &live->t;
	int col = strcmp(rtable_get(t, i, TR_INSTR), "option") == 0 && *rtable_get(t, i, TR_STRIKE) ? TR_STRIKE
												      : TR_PRICE;
	double q, p;
	if (live_position(live, i, c, 0, &q, e) || rtable_num(t, i, col, 0, &p, e))
		return e->code;
	*out = fabs(q) * fabs(p);
	return 0;
}

static int check_trade(const rules_inputs *in, const rtable *ma, size_t r, const live_set *live, size_t i,
		       const curvemaster *m, const live_fx *fx, breach_list *l, qe_err *e)
{
	const rtable *t = &live->t;
	const char *trader = rtable_get(t, i, TR_TRADER), *tid = rtable_get(t, i, TR_ID);
	const char *book = rtable_get(t, i, TR_BOOK), *instr = rtable_get(t, i, TR_INSTR);
	const curvemaster_curve *c = NULL;
	for (int col = TR_CURVE; col <= TR_CURVE2; col++) {
		const char *name = rtable_get(t, i, col);
		if (!*name)
			continue;
		const curvemaster_curve *k = curvemaster_find(m, name);
		if (!k)
			return rtable_error(t, i, col, e, "curve '%s' is not in %s", name, curvemaster_file(m));
		if (col == TR_CURVE)
			c = k;
		if (!curve_allowed(ma, r, k) &&
		    breach_add(l, "limits", "mandate_commodity", BREACH_BREACH, "trader", trader, NAN, NAN, e,
			       "trade %s of %s is on %s (%s), outside the mandate's commodities '%s'", tid, trader,
			       k->name, k->commodity, rtable_get(ma, r, MA_COMMODITIES)))
			return e->code;
	}
	if (!allowed(rtable_get(ma, r, MA_INSTRUMENTS), instr) &&
	    breach_add(l, "limits", "mandate_instrument", BREACH_BREACH, "trader", trader, NAN, NAN, e,
		       "trade %s of %s is instrument %s, outside the mandate's instruments '%s'", tid, trader, instr,
		       rtable_get(ma, r, MA_INSTRUMENTS)))
		return e->code;
	if (!allowed(rtable_get(ma, r, MA_BOOKS), book) &&
	    breach_add(l, "limits", "mandate_book", BREACH_BREACH, "trader", trader, NAN, NAN, e,
		       "trade %s of %s is booked into %s, outside the mandate's books '%s'", tid, trader, book,
		       rtable_get(ma, r, MA_BOOKS)))
		return e->code;
	double max_tenor, max_notional;
	if (rtable_num(ma, r, MA_TENOR, 1, &max_tenor, e) || rtable_num(ma, r, MA_NOTIONAL, 1, &max_notional, e))
		return e->code;
	if (!isnan(max_tenor)) {
		qe_date end;
		if (date_parse_z(rtable_get(t, i, TR_DEND), &end))
			return rtable_error(t, i, TR_DEND, e, "not a date '%s'", rtable_get(t, i, TR_DEND));
		double months = (double)(date_month_index(end) - date_month_index(in->asof));
		if (months > max_tenor &&
		    breach_add(l, "limits", "mandate_tenor", BREACH_BREACH, "trader", trader, months, max_tenor, e,
			       "trade %s of %s delivers to %s, %.0f months after the as-of month, above the "
			       "mandate's %.0f",
			       tid, trader, rtable_get(t, i, TR_DEND), months, max_tenor))
			return e->code;
	}
	if (!isnan(max_notional)) {
		double x = 0, y = 0;
		const char *ccy = rtable_get(ma, r, MA_CCY);
		char where[600];
		snprintf(where, sizeof where, "%s:%ld", rtable_file(t, i), t->line[i]);
		if (notional(live, i, c, &x, e) || live_fx_convert(fx, x, rtable_get(t, i, TR_CCY), ccy, &y, where, e))
			return e->code;
		if (y > max_notional &&
		    breach_add(l, "limits", "mandate_notional", BREACH_BREACH, "trader", trader, y, max_notional, e,
			       "trade %s of %s has a notional of %.2f %s, %.4g%% of the mandate's %.0f", tid, trader,
			       y, ccy, 100 * y / max_notional, max_notional))
			return e->code;
	}
	return 0;
}

int mandate_check(const rules_inputs *in, breach_list *l, qe_err *e)
{
	if (!in->trades || !in->markets)
		return qe_err_set(e, QE_USAGE, "trader mandates need the trades and markets files");
	rtable ma = {0};
	live_set live = {0};
	live_fx fx = {0};
	curvemaster *m = NULL;
	int rc;
	if ((rc = rtable_read(in->mandates, mandate_cols, NULL, MA_NCOLS, &ma, e)) ||
	    (rc = live_fx_load(in->fx, &fx, e)) || (rc = live_read(in->trades, in->new_trades, &live, e)))
		goto done;
	if (!(m = curvemaster_load(in->markets, e))) {
		rc = e->code;
		goto done;
	}
	for (size_t r = 0; r < ma.n; r++)
		if (rtable_find(&ma, MA_TRADER, rtable_get(&ma, r, MA_TRADER)) != (long)r) {
			rc = rtable_error(&ma, r, MA_TRADER, e, "trader '%s' listed twice", rtable_get(&ma, r, MA_TRADER));
			goto done;
		}
	for (size_t k = 0; k < live.n; k++) {
		size_t i = live.row[k];
		const char *trader = rtable_get(&live.t, i, TR_TRADER);
		if (!*trader) {
			rc = rtable_error(&live.t, i, TR_TRADER, e, "empty: mandates need the trader of every trade");
			goto done;
		}
		long r = rtable_find(&ma, MA_TRADER, trader);
		if (r < 0)
			rc = breach_add(l, "limits", "mandate_trader", BREACH_BREACH, "trader", trader, NAN, NAN, e,
					"trade %s of %s: the trader has no mandate in %s", rtable_get(&live.t, i, TR_ID),
					trader, ma.file);
		else
			rc = check_trade(in, &ma, (size_t)r, &live, i, m, &fx, l, e);
		if (rc)
			goto done;
	}
done:
	rtable_free(&ma);
	live_free(&live);
	live_fx_free(&fx);
	curvemaster_free(m);
	return rc;
}
