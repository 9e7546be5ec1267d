#include "screen/optdelta.h"

#include <stdlib.h>
#include <string.h>

static const char *const od_cols[OD_NCOLS] = {"trade_id", "curve", "delivery_start", "delivery_end", "delta",
					      "curve2"};
/* curve2 came with the cross-gamma rows (schema 4): older files still read */
static const int od_optional[OD_NCOLS] = {[OD_CURVE2] = 1};

void optdelta_free(optdelta *d)
{
	rtable_free(&d->t);
	free(d->head);
	free(d->next);
	free(d->start);
	free(d->end);
	free(d->delta);
	free(d->by_qty);
	memset(d, 0, sizeof *d);
}

int optdelta_read(const char *path, const strindex *ids, const long *best, const char *trades, optdelta *d,
		  qe_err *e)
{
	memset(d, 0, sizeof *d);
	if (rtable_read(path, od_cols, od_optional, OD_NCOLS, &d->t, e))
		return e->code;
	size_t n = d->t.n, nids = sidx_count(ids);
	long *tail = malloc((nids + 1) * sizeof *tail);
	d->ids = ids;
	d->head = malloc((nids + 1) * sizeof *d->head);
	d->next = malloc((n + 1) * sizeof *d->next);
	d->start = malloc((n + 1) * sizeof *d->start);
	d->end = malloc((n + 1) * sizeof *d->end);
	d->delta = malloc((n + 1) * sizeof *d->delta);
	d->by_qty = calloc(nids + 1, 1);
	int rc = 0;
	if (!tail || !d->head || !d->next || !d->start || !d->end || !d->delta || !d->by_qty) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	for (size_t k = 0; k < nids; k++)
		d->head[k] = tail[k] = -1;
	for (size_t r = 0; r < n; r++) {
		const char *id = rtable_get(&d->t, r, OD_ID);
		long k = sidx_find(ids, id, strlen(id));
		d->next[r] = -1;
		if (k < 0) {
			rc = rtable_error(&d->t, r, OD_ID, e, "trade '%s' is not in %s", id, trades);
			goto done;
		}
		const char *a = rtable_get(&d->t, r, OD_DSTART), *b = rtable_get(&d->t, r, OD_DEND);
		if (date_parse_z(a, &d->start[r])) {
			rc = rtable_error(&d->t, r, OD_DSTART, e, "not a date YYYY-MM-DD '%s'", a);
			goto done;
		}
		if (date_parse_z(b, &d->end[r]) || d->end[r] < d->start[r]) {
			rc = rtable_error(&d->t, r, OD_DEND, e, "not a date on or after delivery_start '%s'", b);
			goto done;
		}
		if ((rc = rtable_num(&d->t, r, OD_DELTA, 0, &d->delta[r], e)))
			goto done;
		/* a cross-gamma row (its delta is 0); a trade that a whatif's new
		 * trades cancel */
		if (*rtable_get(&d->t, r, OD_CURVE2) || best[k] < 0)
			continue;
		if (tail[k] < 0)
			d->head[k] = (long)r;
		else
			d->next[tail[k]] = (long)r;
		tail[k] = (long)r;
	}
done:
	free(tail);
	if (rc)
		optdelta_free(d);
	return rc;
}

long optdelta_first(const optdelta *d, const char *trade_id)
{
	long k = sidx_find(d->ids, trade_id, strlen(trade_id));
	return k < 0 ? -1 : d->head[k];
}

void optdelta_mark_qty(optdelta *d, const char *trade_id)
{
	long k = sidx_find(d->ids, trade_id, strlen(trade_id));
	if (k >= 0)
		d->by_qty[k] = 1;
}

int optdelta_counted_by_qty(const optdelta *d, const char *trade_id)
{
	long k = sidx_find(d->ids, trade_id, strlen(trade_id));
	return k >= 0 && d->by_qty[k];
}

int optdelta_is_option(const char *instrument)
{
	return strcmp(instrument, "option") == 0 || strcmp(instrument, "asian") == 0 ||
	       strcmp(instrument, "spread") == 0;
}

int optdelta_position(const optdelta *d, long r, double lot_size, int in_lots, double *out, qe_err *e)
{
	double x = d->delta[r];
	if (in_lots) {
		if (!(lot_size > 0))
			return rtable_error(&d->t, (size_t)r, OD_CURVE, e, "curve %s has no lot_size to count a delta in lots",
					    rtable_get(&d->t, (size_t)r, OD_CURVE));
		x /= lot_size;
	}
	*out = x;
	return 0;
}
