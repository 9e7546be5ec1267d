/* deliveries: ledger transfers of the EUA deliveries of a flows file
 * (deliveries.h). */
#include "settle/deliveries.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strindex.h"
#include "market/curvemaster.h"
#include "settle/book.h"
#include "settle/flows.h"
#include "settle/terms.h"

typedef struct refs {
	strindex *seen; /* the references of the ledger's entries */
} refs;

static int note_ref(void *ctx, const ledger_entry *en, const char *signer)
{
	(void)signer;
	refs *r = ctx;
	if (en->reference[0] && sidx_add(r->seen, en->reference, strlen(en->reference), NULL) < 0)
		return QE_INTERNAL;
	return 0;
}

static int push(deliveries_result *r, size_t *cap, const ledger_entry *en, qe_err *e)
{
	if (r->n == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		ledger_entry *v = realloc(r->req, c * sizeof *v);
		if (!v)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		r->req = v;
		*cap = c;
	}
	r->req[r->n++] = *en;
	return 0;
}

/* The transfers of one delivery of qty allowances from en->from, lowest
 * held serials first, each applied to s. */
static int allocate(ledger_state *s, ledger_entry *en, int64_t qty, deliveries_result *r, size_t *cap,
		    const char *where, qe_err *e)
{
	ledger_block *b;
	size_t nb, k = 0;
	int64_t held = 0;
	int rc = ledger_state_held(s, en->from, en->unit, &b, &nb, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < nb; i++)
		held += b[i].last - b[i].first + 1;
	if (held < qty) {
		rc = qe_err_set(e, QE_DATA, "%s: account %s holds %lld %s, the delivery needs %lld", where, en->from,
				(long long)held, en->unit, (long long)qty);
		goto done;
	}
	/* take the blocks first (applying a transfer changes the holdings) */
	ledger_entry *part = malloc((nb ? nb : 1) * sizeof *part);
	if (!part) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	for (int64_t left = qty; left > 0; k++) {
		int64_t take = b[k].last - b[k].first + 1;
		if (take > left)
			take = left;
		part[k] = *en;
		part[k].vintage = b[k].vintage;
		part[k].first = b[k].first;
		part[k].last = b[k].first + take - 1;
		part[k].quantity = take;
		left -= take;
	}
	for (size_t i = 0; i < k && !rc; i++) {
		if (!(rc = ledger_state_apply(s, &part[i], e)))
			rc = push(r, cap, &part[i], e);
		else
			qe_err_prefix(e, where);
	}
	free(part);
done:
	free(b);
	return rc;
}

static int account_ok(const char *a)
{
	size_t n = strlen(a);
	if (n < 1 || n > LEDGER_ACCOUNT_MAX)
		return 0;
	for (const char *p = a; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      strchr("._:/@-", *p)))
			return 0;
	return 1;
}

int deliveries_requests(const deliveries_opts *o, deliveries_result *r, qe_err *e)
{
	flows_list fl = {0};
	settle_book book = {0};
	curvemaster *m = NULL;
	strindex *ids = NULL;
	ledger_state *s = NULL;
	refs seen = {0};
	size_t cap = 0;
	int rc;
	memset(r, 0, sizeof *r);
	if (!account_ok(o->account))
		return qe_err_set(e, QE_USAGE, "account '%s': 1 to %d of A-Z a-z 0-9 . _ : / @ -", o->account,
				  LEDGER_ACCOUNT_MAX);
	if ((rc = flows_read(o->flows, &fl, e)) || !(m = curvemaster_load(o->markets, e)) ||
	    (rc = settle_book_load(&book, o->trades, o->markets, e))) {
		rc = rc ? rc : e->code;
		goto done;
	}
	if (!(ids = sidx_new()) || !(s = ledger_state_new()) || !(seen.seen = sidx_new())) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	/* the book keeps one row per trade id: index k is row k */
	for (size_t i = 0; i < book.n; i++)
		if (sidx_add(ids, book.v[i].id, strlen(book.v[i].id), NULL) != (long)i) {
			rc = qe_err_set(e, QE_INTERNAL, "trade %s twice in the book", book.v[i].id);
			goto done;
		}
	ledger_scan_opts so = {.each = note_ref, .ctx = &seen};
	ledger_scan_result sr;
	if ((rc = ledger_scan(o->ledger, s, &so, &sr, e))) {
		if (rc == QE_NEGATIVE)
			rc = e->code = QE_DATA; /* a bad ledger is bad input here */
		goto done;
	}
	const char *fname = strcmp(o->flows, "-") ? o->flows : "<stdin>";
	for (size_t i = 0; i < fl.n && !rc; i++) {
		const settle_flow *f = &fl.v[i];
		char where[512], vd[16];
		if (f->kind != SETTLE_EUA)
			continue;
		snprintf(where, sizeof where, "%s:%ld: trade %s", fname, f->line, f->trade_id);
		long k = sidx_find(ids, f->trade_id, strlen(f->trade_id));
		if (k < 0 || book.v[k].cancel) {
			rc = qe_err_set(e, QE_DATA, "%s: not a live trade of %s", where, o->trades);
			break;
		}
		const settle_trade *t = &book.v[k];
		const curvemaster_curve *cv = curvemaster_find(m, t->curve);
		double vol;
		if (!cv) { /* settle_book_load checked the curve: not reached */
			rc = qe_err_set(e, QE_DATA, "%s: curve %s is not in %s", where, t->curve, o->markets);
			break;
		}
		if ((rc = settle_trade_volume(t, cv, t->ds, t->de, o->trades, &vol, e)))
			break;
		if (!(vol >= 1 && vol <= (double)LEDGER_SERIAL_MAX) || vol != floor(vol)) {
			rc = qe_err_set(e, QE_DATA, "%s: %.17g %s is not a whole number of allowances", where, vol,
					t->curve);
			break;
		}
		ledger_entry en = {.kind = LEDGER_TRANSFER, .line = f->line};
		date_format(vd, f->value);
		snprintf(en.reference, sizeof en.reference, "eua_delivery %s %s", f->trade_id, vd);
		r->deliveries++;
		if (sidx_find(seen.seen, en.reference, strlen(en.reference)) >= 0) {
			r->recorded++;
			continue;
		}
		if (!account_ok(f->cpty)) {
			rc = qe_err_set(e, QE_DATA, "%s: counterparty '%s' is not a ledger account name", where,
					f->cpty);
			break;
		}
		/* we receive cash: we sold and deliver; we pay: we bought */
		snprintf(en.from, sizeof en.from, "%s", f->dir > 0 ? o->account : f->cpty);
		snprintf(en.to, sizeof en.to, "%s", f->dir > 0 ? f->cpty : o->account);
		snprintf(en.unit, sizeof en.unit, "%s", t->curve);
		rc = allocate(s, &en, (int64_t)vol, r, &cap, where, e);
	}
done:
	if (rc)
		deliveries_free(r);
	flows_free(&fl);
	settle_book_free(&book);
	curvemaster_free(m);
	if (ids)
		sidx_free(ids);
	if (seen.seen)
		sidx_free(seen.seen);
	ledger_state_free(s);
	return rc;
}

void deliveries_free(deliveries_result *r)
{
	free(r->req);
	memset(r, 0, sizeof *r);
}
