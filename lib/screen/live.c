#include "screen/live.h"

#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "market/fxrate.h"
#include "time/period.h"
#include "time/tz.h"

static const char *const trade_cols[TR_NCOLS] = {
	"trade_id", "version", "status", "book", "counterparty", "instrument", "curve", "curve2",
	"side", "quantity", "unit", "delivery_start", "delivery_end", "trader", "price", "currency",
	"strike", "shape", "uti", "venue", "exec_time",
};
/* what only some rules read may be absent for the others */
static const int trade_optional[TR_NCOLS] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

void live_free(live_set *s)
{
	rtable_free(&s->t);
	free(s->row);
	free(s->best);
	if (s->ids)
		sidx_free(s->ids);
	memset(s, 0, sizeof *s);
}

int live_versions(const rtable *t, int idc, int verc, int statusc, size_t **rows, size_t *n, strindex **ids_out,
		  long **best_out, qe_err *e)
{
	strindex *ids = sidx_new();
	long *best = malloc((t->n + 1) * sizeof *best);
	double *ver = malloc((t->n + 1) * sizeof *ver);
	size_t *live = malloc((t->n + 1) * sizeof *live), nlive = 0;
	int rc = 0;
	if (!ids || !best || !ver || !live) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < t->n; i++) {
		double v;
		const char *id = rtable_get(t, i, idc);
		int added;
		if ((rc = rtable_num(t, i, verc, 0, &v, e)))
			goto out;
		long k = sidx_add(ids, id, strlen(id), &added);
		if (k < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		if (added || v >= ver[k]) {
			ver[k] = v;
			best[k] = (long)i;
		}
	}
	for (size_t k = 0; k < sidx_count(ids); k++) {
		size_t i = (size_t)best[k];
		if (strcmp(rtable_get(t, i, statusc), "cancel") == 0)
			best[k] = -1;
		else
			live[nlive++] = i;
	}
	*rows = live;
	*n = nlive;
	live = NULL;
	if (ids_out && best_out) {
		*ids_out = ids;
		*best_out = best;
		ids = NULL;
		best = NULL;
	}
out:
	free(live);
	free(ver);
	free(best);
	if (ids)
		sidx_free(ids);
	return rc;
}

int live_read(const char *path, const char *extra, live_set *s, qe_err *e)
{
	memset(s, 0, sizeof *s);
	if (!path)
		return qe_err_set(e, QE_USAGE, "no trades file given");
	if (rtable_read(path, trade_cols, trade_optional, TR_NCOLS, &s->t, e))
		return e->code;
	if ((extra && rtable_append(extra, trade_optional, &s->t, e)) ||
	    live_versions(&s->t, TR_ID, TR_VERSION, TR_STATUS, &s->row, &s->n, &s->ids, &s->best, e)) {
		live_free(s);
		return e->code;
	}
	return 0;
}

int live_get(const char *path, const char *extra, live_set *cache, live_set *own, const live_set **out,
	     qe_err *e)
{
	memset(own, 0, sizeof *own);
	live_set *s = cache ? cache : own;
	if (!cache || !cache->t.file) {
		if (live_read(path, extra, s, e))
			return e->code;
	}
	*out = s;
	return 0;
}

int live_position(const live_set *s, size_t i, const curvemaster_curve *c, int in_lots, double *out,
		  qe_err *e)
{
	const rtable *t = &s->t;
	double q;
	if (rtable_num(t, i, TR_QTY, 0, &q, e))
		return e->code;
	const char *unit = rtable_get(t, i, TR_UNIT), *side = rtable_get(t, i, TR_SIDE);
	int lots = strcmp(unit, "lots") == 0;
	if (lots != in_lots || (!lots && strcmp(unit, c->unit) != 0)) {
		if (lots != in_lots && !(c->lot_size > 0))
			return rtable_error(t, i, TR_UNIT, e, "curve %s has no lot_size to count '%s' in %s", c->name,
					    unit, in_lots ? "lots" : c->unit);
		if (strcmp(unit, "MMBtu/d") == 0 || strcmp(unit, "MW") == 0) {
			qe_date a, b;
			if (date_parse_z(rtable_get(t, i, TR_DSTART), &a) || date_parse_z(rtable_get(t, i, TR_DEND), &b) ||
			    b < a)
				return rtable_error(t, i, TR_DSTART, e, "delivery dates needed for a rate quantity");
			if (unit[1] == 'M') {
				q *= (double)(b - a + 1);
			} else {
				int shape = c->shape;
				const char *sh = rtable_get(t, i, TR_SHAPE);
				if (*sh && shape_parse(sh, strlen(sh), &shape))
					return rtable_error(t, i, TR_SHAPE, e, "not a shape '%s'", sh);
				const qe_tz *tz = tz_get(c->timezone, e);
				if (!tz || shape < 0)
					return rtable_error(t, i, TR_UNIT, e, "MW of curve %s: no zone or shape to count hours",
							    c->name);
				int64_t h = shape_hours(shape, a, b, tz, e);
				if (h < 0)
					return e->code;
				q *= (double)h;
			}
		} else if (!lots && strcmp(unit, c->unit) != 0) {
			return rtable_error(t, i, TR_UNIT, e, "'%s' is neither lots nor the unit %s of curve %s", unit,
					    c->unit, c->name);
		}
		if (in_lots)
			q /= c->lot_size;
		else if (lots)
			q *= c->lot_size;
	}
	if (strcmp(side, "sell") == 0)
		q = -q;
	else if (strcmp(side, "buy") != 0)
		return rtable_error(t, i, TR_SIDE, e, "side is buy or sell, not '%s'", side);
	*out = q;
	return 0;
}

int live_in_list(const char *list, const char *s)
{
	size_t n = strlen(s);
	for (const char *p = list; *p;) {
		const char *q = strchr(p, ';');
		size_t len = q ? (size_t)(q - p) : strlen(p);
		if (len == n && strncmp(p, s, n) == 0)
			return 1;
		if (!q)
			break;
		p = q + 1;
	}
	return 0;
}

int live_fx_load(const char *path, live_fx *fx, qe_err *e)
{
	memset(fx, 0, sizeof *fx);
	if (!path)
		return 0;
	fx->ccys = sidx_new();
	if (!fx->ccys)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	return fx_rates_read(path, NULL, fx->ccys, &fx->rate, e);
}

void live_fx_free(live_fx *fx)
{
	if (fx->ccys)
		sidx_free(fx->ccys);
	free(fx->rate);
	memset(fx, 0, sizeof *fx);
}

int live_fx_convert(const live_fx *fx, double amount, const char *from, const char *to, double *out,
		    const char *where, qe_err *e)
{
	if (strcmp(from, to) == 0) {
		*out = amount;
		return 0;
	}
	long a = fx->ccys ? sidx_find(fx->ccys, from, strlen(from)) : -1;
	long b = fx->ccys ? sidx_find(fx->ccys, to, strlen(to)) : -1;
	if (a < 0 || b < 0)
		return qe_err_set(e, QE_DATA, "%s: no FX rate to convert %s to %s (FX rates file: %s)", where, from,
				  to, fx->ccys ? "lacks it" : "none given");
	*out = amount * fx->rate[a] / fx->rate[b];
	return 0;
}
