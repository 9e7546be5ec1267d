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

/* The front-month contract on day d (DOMAIN.md "Indices, rolls and the
 * life of a contract"): the contract with the earliest last trading day
 * on or after d, the expiring contract counting through its last trading
 * day, by the same rule as contract_last_trade().  Its delivery month's
 * first day goes to *month_first.  This is the one place that maps a day
 * to a contract: the fixings of a futures index, the history's tenor 0
 * of such a curve and the projection of a swap's future pricing days all
 * name the contract it gives.  QE_DATA as contract_last_trade(). */
int contract_front_month(const char *product, const qe_calendar *cal, qe_date d, qe_date *month_first,
			 qe_err *e);

#endif
