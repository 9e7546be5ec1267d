/*
 * mandate: the trader mandates of the limits rule set (qe-screen(1)
 * Trader mandates; qe-formats(5) TRADER MANDATES): every live trade
 * against its trader's row - commodities (curve master commodity or
 * curve name), instruments, books, maximum tenor in months and maximum
 * notional per trade - one finding per violated clause.  A value exactly
 * at its limit is inside.
 *
 * Owns nothing beyond a call; never prints.
 */
#ifndef QE_MANDATE_H
#define QE_MANDATE_H

#include "core/diag.h"
#include "screen/breach.h"
#include "screen/rules.h"

/* Needs in->mandates, in->trades (with trader, and quantity, unit, price
 * or strike, currency and delivery dates when a mandate limits tenor or
 * notional) and in->markets; in->fx converts notionals to the mandate's
 * currency. */
int mandate_check(const rules_inputs *in, breach_list *l, qe_err *e);

#endif
