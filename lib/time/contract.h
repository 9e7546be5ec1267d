/*
 * contract: the last trading day of a monthly futures contract, given its
 * expiry rule (the product code of contract_expiry() in period.h) and its
 * venue's business-day calendar.  Which curve follows which rule is the
 * curve master's answer (market/curvemaster.h), passed in by the caller:
 * this layer knows rules, not curves.
 *
 * Owns nothing.  Never prints.
 */
#ifndef QE_CONTRACT_H
#define QE_CONTRACT_H

#include "core/date.h"
#include "core/diag.h"
#include "time/calendar.h"

/* Last trading day of the contract for the delivery month starting
 * month_first: product's rule on cal; product NULL (no listed rule: TTF,
 * power) trades until the business day before its delivery month starts.
 * QE_DATA for an unknown product or a day outside cal's coverage. */
int contract_last_trade(const char *product, const qe_calendar *cal, qe_date month_first, qe_date *out,
			qe_err *e);

#endif
