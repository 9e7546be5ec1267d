/*
 * flows: every cash flow of a book due in a range of value dates
 * (qe-settle flows): futures daily variation margin from consecutive
 * settlement prices of the contract (the price history), swap settlements
 * per calculation month from the realised average of the index's fixings
 * (the curve master's index rule), physical deliveries per delivery month
 * (volume of the delivery shape, DST-correct hours and gas days through
 * time/period, times the price), premiums of options, Asians and spread
 * options on the trade date, option exercises at expiry (a European
 * option's intrinsic value in cash; an American one becomes a future at
 * the strike, whose variation margin follows), the final cash settlement
 * of a power future on its index, and EUA deliveries (spot, forwards and
 * expiring futures against allowances).
 * Each flow's value date is its event day plus the payment terms in
 * business days of the payment currency's calendar (settle/terms); its
 * amount is rounded once, half away from zero, to the currency's minor
 * units.  A flow is in the output when its value date lies in the range.
 *
 * Trades are read through qe-ingest's row validator and lifecycle rule
 * (ingest/schema) as qe-price reads them; a rejected row, an unknown
 * counterparty, a missing fixing or settlement for a period that settles
 * in the range, or a currency without a payment calendar is QE_DATA at
 * file:line:col.
 *
 * Owns the flows it returns (flows_free).  Never prints, never exits.
 */
#ifndef QE_SETTLE_FLOWS_H
#define QE_SETTLE_FLOWS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/date.h"
#include "core/diag.h"
#include "settle/terms.h"

struct flows_options {
	const char *trades, *markets, *fixings, *history, *calendars;
	const settle_terms *terms;
	qe_date from, to; /* value dates, inclusive */
};

typedef struct settle_flow {
	char trade_id[72], cpty[72], ccy[4];
	int kind;        /* enum settle_kind */
	int dir;         /* +1 we receive, -1 we pay */
	qe_date event;   /* the day the amount is fixed */
	qe_date value;   /* the day it is paid */
	int64_t minor;   /* >= 0, in minor units of ccy */
	long line;       /* flows_read: its line in the file, else 0 */
} settle_flow;

typedef struct flows_list {
	settle_flow *v;
	size_t n, cap;
} flows_list;

/* Computes the flows of o into out (sorted by value date, counterparty,
 * currency, trade, event, kind).  0, or an exit-code class with e filled. */
int flows_compute(const struct flows_options *o, flows_list *out, qe_err *e);
void flows_free(flows_list *l);

/* Writes trade_id,counterparty,kind,direction,value_date,currency,amount_minor. */
void flows_write(FILE *fp, const flows_list *l);
/* Reads such a file back (qe-settle net and invoice).  QE_DATA at
 * file:line:col for a bad row. */
int flows_read(const char *path, flows_list *out, qe_err *e);

#endif
