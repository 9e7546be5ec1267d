/*
 * regulatory: the position levels and the trade-report fields of the
 * regulatory rule set (qe-screen(1) Position levels, Reporting fields).
 *
 * Position levels (qe-formats(5) POSITION LEVELS): exchange single-month
 * and all-months accountability levels (warning above), reportable
 * (large-trader) levels (info at or above: "equals or exceeds", 17 CFR
 * 15.00), and EU position limits for the spot month and the other months
 * together (breach above), each on the net position - long minus short,
 * all books, futures and economically equivalent swaps per the row's
 * instruments - a trade spread over its delivery months by days; with
 * sensitivities an option (screen/optdelta) by the delta of each of its
 * rows on the curve, spread over the row's delivery period by days (a
 * spread option counts on both legs' curves).
 *
 * Reporting fields: per live trade, the UTI (ISO 23897: at most 52
 * characters A-Z 0-9, the first 20 the generating entity's LEI), both
 * LEIs (ours, and the counterparty's from the master), the venue (an ISO
 * 10383 MIC: 4 characters A-Z 0-9) and the execution timestamp with its
 * UTC offset.
 *
 * Owns nothing beyond a call; never prints.
 */
#ifndef QE_REGULATORY_H
#define QE_REGULATORY_H

#include <stddef.h>

#include "core/diag.h"
#include "market/curvemaster.h"
#include "screen/breach.h"
#include "screen/live.h"
#include "screen/optdelta.h"
#include "screen/rules.h"

/* The levels of in->levels on the live trades of live (m with its
 * calendars, for the spot month); od NULL: options by quantity (with od,
 * an option without rows is counted so and marked in od). */
int regulatory_levels(const rules_inputs *in, const live_set *live, optdelta *od, curvemaster *m,
		      breach_list *l, qe_err *e);
/* A warning (rule no_delta, entity the trade) for each live option of
 * live without rows in od that a position rule counted by quantity. */
int regulatory_no_delta(const rules_inputs *in, const live_set *live, const optdelta *od, breach_list *l,
			qe_err *e);
/* Needs in->reporting_lei, in->trades, in->counterparties. */
int regulatory_report_fields(const rules_inputs *in, breach_list *l, qe_err *e);


#endif
