/*
 * html: the dashboard of qe-report - one self-contained HTML file (inline
 * CSS and SVG, no script, no font, no request of any kind) with the VaR
 * history against the realized P&L (exceptions marked), the P&L explain
 * waterfall (the "all" row of qe-report pnl --explain), the limit
 * utilisation, the position heatmap, the stress results and the
 * compliance findings, the settlement (report/settlement) and the
 * volatility forecast and sentiment (report/forecast), from the CSV files
 * the other commands and tools write.  It aggregates and never lists trades, so its size does not grow
 * with the book.  Readable at a 390-pixel-wide viewport (every chart
 * scales to the width, tables wrap) and printable.
 *
 * Numbers carry thousands separators and units; long and short, breach
 * and inside are told by a sign, a word or a shape as well as a colour.
 * Never prints: the page goes into a strbuf.
 */
#ifndef QE_REPORT_HTML_H
#define QE_REPORT_HTML_H

#include "core/diag.h"
#include "report/summary.h"

struct report_html_in {
	const char *asof;
	const char *risk;      /* qe-report risk (limits, stress) */
	const char *position;  /* qe-report position (heatmap) */
	const char *breaches;  /* qe-screen check */
	const char *series;    /* qe-var series: date,var,pnl (VaR history) */
	const char *pnl;       /* qe-report pnl --explain (the P&L explain waterfall) */
	const char *garch;     /* qe-forecast garch fits (GARCH FIT) */
	const char *garch_path; /* their forecasts (GARCH FORECAST), with garch */
	const char *sentiment; /* qe-forecast sentiment --daily */
	const char *payments;  /* qe-settle net */
	const char *pay_rejects; /* qe-settle pay --rejects */
	const char *margin;    /* qe-settle margin */
	const char *currencies; /* CURRENCIES, with payments or pay_rejects */
	const char *calendars; /* the holiday files the currencies name */
	int months;            /* heatmap columns (default 24) */
	int max_breaches;      /* breach rows listed (default 20), and held-back payments */
};

/* At least one input must be given (QE_USAGE otherwise is the caller's
 * business); a section whose file is not given says so on the page. */
int report_html(const struct report_html_in *in, strbuf *out, qe_err *e);

/* s with & < > " ' as character references, for text and attributes. */
void report_html_escape(strbuf *t, const char *s);

#endif
