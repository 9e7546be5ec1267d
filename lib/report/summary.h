/*
 * summary: the day in a few lines of at most 80 columns, for a terminal or
 * a cron mail - from the CSV files qe-report risk and position write and
 * the breaches of qe-screen and the P&L explain of qe-report pnl: the
 * day's P&L and its parts, VaR against limits per portfolio, the
 * backtest and P&L attribution zones, the worst stress, breaches by
 * severity and rule set, a line of settlement (payments, the next value
 * date, the payments held back, the margin: report/settlement) and one
 * of the volatility forecast (report/forecast), the largest positions.
 *
 * Numbers are written for people: thousands separators, signs, units;
 * status words (OK, BREACH) carry the meaning, colour (ANSI, when asked)
 * only repeats it.  Never prints: the text goes into a core/strbuf.
 */
#ifndef QE_REPORT_SUMMARY_H
#define QE_REPORT_SUMMARY_H

#include <stddef.h>

#include "core/diag.h"
#include "core/strbuf.h"
#include "screen/rtable.h"

/* x rounded to an integer with a comma every three digits and a leading
 * minus: "-1,234,568".  buf of at least 32 bytes. */
char *report_thousands(char *buf, double x);
/* The decimal number num ("-1234567.5") with a comma every three digits
 * of its integer part ("-1,234,567.5") into buf (cap bytes). */
char *report_group_digits(char *buf, size_t cap, const char *num);

/* The columns of a RISK REPORT (qe-report risk) as report_risk_table()
 * reads them. */
enum { R_SECTION, R_PORT, R_ITEM, R_VALUE, R_LIMIT, R_UTIL, R_CCY, R_STATUS, R_NCOLS };
int report_risk_table(const char *path, rtable *t, qe_err *e);

struct report_summary_in {
	const char *asof;
	const char *risk;      /* qe-report risk output (required) */
	const char *position;  /* qe-report position output (NULL: none) */
	const char *breaches;  /* qe-screen check output (NULL: none) */
	const char *pnl;       /* qe-report pnl --explain output (NULL: none) */
	const char *payments, *pay_rejects, *margin; /* qe-settle outputs (NULL: none) */
	const char *currencies, *calendars; /* with payments or pay_rejects */
	const char *garch, *garch_path; /* qe-forecast garch fits and paths (NULL: none) */
	int top;               /* largest positions listed (default 5) */
	int color;             /* ANSI colour on status words */
};

/* *alerts: VaR rows over their limit plus breaches of severity breach
 * plus payments held back. */
int report_summary(const struct report_summary_in *in, strbuf *out, long *alerts, qe_err *e);

#endif
