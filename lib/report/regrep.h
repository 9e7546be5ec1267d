/*
 * regrep: the regulatory reports of qe-report - the trade report in the
 * shape of REMIT Table 1 / EMIR (one row per trade version: UTI, both
 * LEIs, product, price, quantity, notional, execution timestamp with
 * offset, venue, action type new/modify/cancel from the trade lifecycle)
 * and a commitments-of-traders style report (open interest in lots by
 * commodity and trader category, long, short and spreading, with the
 * change since a previous report; options futures-equivalent, by the
 * deltas of qe-price's sensitivities through screen/optdelta).
 *
 * Quantities: a trade's total quantity is in its curve's unit - lots
 * times the lot size, MW times the hours of the trade's shape (default:
 * the curve's) over the delivery period in the curve's zone, MMBtu/d
 * times the days, the curve's unit as it is; a lot of a curve whose unit
 * is MWh and that has a shape is lot_size MW over those hours (as
 * qe-ingest and qe-report position count lots).  The lifecycle is
 * ingest/schema's; the identifiers' shapes are core/regid's.
 *
 * Owns nothing beyond a call; never prints: rows go to the caller's
 * csv_writers, errors to qe_err.
 */
#ifndef QE_REPORT_REGREP_H
#define QE_REPORT_REGREP_H

#include "core/date.h"
#include "core/diag.h"
#include "io/csvio.h"

typedef struct regrep_inputs {
	const char *trades;         /* every version, as qe-synth writes them */
	const char *counterparties; /* counterparty, lei (remit), category (cot) */
	const char *markets;        /* the curve master */
	const char *reporting_lei;  /* remit: our LEI */
	qe_date asof;               /* cot: the date of the rows */
	const char *previous;       /* cot: a previous report, or NULL */
	const char *own_category;   /* cot: our own category */
	const char *sensitivities;  /* cot: qe-price's SENSITIVITIES (options by delta), or NULL */
} regrep_inputs;

/* Writes the header and one row per reportable version of in->trades in
 * file order to w; a version that cannot be reported (a broken lifecycle,
 * a UTI, MIC or timestamp of the wrong shape, a UTI that changes between
 * versions, a counterparty without a valid LEI, an unknown curve or
 * unit, no price) goes to rej (NULL: only counted) with its line, column,
 * value and reason.  QE_USAGE for a bad reporting LEI; QE_DATA at
 * file:line:col for a missing column or a malformed record; QE_IO when a
 * file cannot be read. */
int regrep_remit(const regrep_inputs *in, csv_writer *w, csv_writer *rej, long *rows, long *rejected,
		 qe_err *e);

/* Writes the header and, per commodity (by name) and category (in the
 * order of qe-formats(5)), the counterparties' and our live positions in
 * lots netted per curve and delivery month.  With in->sensitivities an
 * option (option, asian, spread) with rows there counts futures-
 * equivalent: each row's delta over one lot of its curve over the
 * trade's delivery period, in the month of the row's delivery_start
 * (*by_delta counts these trades).  Options and spreads without rows are
 * left out (*skipped counts them); an Asian without rows counts by its
 * quantity.  QE_USAGE for an unknown own category; QE_DATA at
 * file:line:col for a counterparty not in the master or without a
 * category, an unknown curve or unit, a previous report with another
 * layout, a bad sensitivities file (screen/optdelta). */
int regrep_cot(const regrep_inputs *in, csv_writer *w, long *rows, long *skipped, long *by_delta, qe_err *e);

#endif
