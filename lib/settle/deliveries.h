/*
 * deliveries: the carbon-allowance ledger transfers of a day's EUA
 * deliveries (qe-settle ledger requests) - from the eua_delivery rows of
 * a FLOWS file, the LEDGER REQUESTS that record them in the ledger, so
 * that the ledger is fed from the same flows the payments come from.
 *
 * Rules (qe-settle(1) states them):
 *   - one delivery per eua_delivery flow: the allowances the trade
 *     delivers (settle/book's volume over its delivery period: lots
 *     times the lot size, or the quantity in t), which must be whole;
 *     the unit is the trade's curve name (EUA);
 *   - a flow we receive cash on is a sale: the allowances go from our
 *     account to the counterparty's; one we pay is a purchase: from the
 *     counterparty's to ours.  A counterparty's account is its id in the
 *     counterparty master;
 *   - the serials are the lowest the delivering account holds in the
 *     ledger, after the deliveries before it in the file (flows order:
 *     value date, counterparty, currency, trade); a delivery spread over
 *     several held blocks (or vintages) is one transfer per block;
 *   - the reference "eua_delivery TRADE_ID VALUE_DATE" names the flow;
 *     a delivery whose reference is already in the ledger was recorded
 *     by an earlier run and is skipped, so a rerun appends nothing twice.
 *
 * A flow whose trade is not in the trades file, a quantity that is not
 * whole, or an account that holds too few allowances is QE_DATA at the
 * flows file's line.  Owns the requests it returns (free()).  Never
 * prints, never exits.
 */
#ifndef QE_SETTLE_DELIVERIES_H
#define QE_SETTLE_DELIVERIES_H

#include <stddef.h>

#include "core/diag.h"
#include "settle/ledger.h"

typedef struct deliveries_opts {
	const char *flows;   /* FLOWS (qe-settle flows), "-" stdin */
	const char *trades;  /* the trades the flows come from */
	const char *markets; /* the curve master */
	const char *ledger;  /* the ledger the serials come from */
	const char *account; /* our account in the ledger */
} deliveries_opts;

typedef struct deliveries_result {
	ledger_entry *req;   /* the transfers, in flows order */
	size_t n;
	size_t deliveries;   /* eua_delivery flows turned into requests */
	size_t recorded;     /* those skipped: already in the ledger */
} deliveries_result;

int deliveries_requests(const deliveries_opts *o, deliveries_result *r, qe_err *e);
void deliveries_free(deliveries_result *r);

#endif
