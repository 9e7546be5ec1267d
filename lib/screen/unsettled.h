/*
 * unsettled: the amounts of qe-settle flows (qe-formats(5) SETTLEMENT
 * FLOWS) not yet settled on the as-of date - value date after it - per
 * counterparty, receivables and payables apart, converted to each
 * counterparty's currency, for the credit exposure of the limits rule set
 * (receivables add to the exposure; payables subtract where the
 * counterparty has a netting agreement).
 *
 * Owns nothing beyond a call; never prints.
 */
#ifndef QE_UNSETTLED_H
#define QE_UNSETTLED_H

#include "core/date.h"
#include "core/diag.h"
#include "screen/live.h"
#include "screen/rtable.h"

/* Adds to recv[i] and pay[i] (i: the row of cp, the counterparty master,
 * whose column id_col names the counterparty and ccy_col its currency)
 * the flows of path with value_date > asof; amount_minor is scaled by the
 * exponent of currencies (qe-formats(5) CURRENCIES).  QE_DATA at the flow
 * for a counterparty not in cp, a currency not in currencies or without
 * an FX rate, a direction other than pay or receive. */
int unsettled_add(const char *path, const char *currencies, qe_date asof, const rtable *cp, int id_col,
		  int ccy_col, const live_fx *fx, double *recv, double *pay, qe_err *e);

#endif
