/*
 * settlement: the settlement figures of the dashboard and the summary,
 * from the outputs of qe-settle: the netted payments (SETTLEMENT PAYMENTS
 * of qe-formats(5)) totalled per currency, what we pay and what we
 * receive, and per value date and currency; the payments held back from
 * the payment file for bad bank details (PAYMENT REJECTS), per currency
 * and listed; the initial margin per book and currency (MARGIN) and its
 * total per currency.
 *
 * Amounts of payments are whole minor units summed exactly as integers
 * and shown with the currency's exponent (CURRENCIES, read by
 * settle/terms), never through floating point.  Owns the tables it reads
 * and what it derives (report_settlement_free).  Never prints: the HTML
 * panel goes into a strbuf; the summary line is written by
 * report/summary.
 */
#ifndef QE_REPORT_SETTLEMENT_H
#define QE_REPORT_SETTLEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/diag.h"
#include "report/summary.h"
#include "screen/rtable.h"

#define REPORT_NEXT_DAYS 5 /* value dates in the panel's table */

typedef struct report_ccy_total {
	char ccy[8];
	int exp;
	int64_t pay, receive, held; /* minor units */
	long npay, nreceive, nheld;
} report_ccy_total;

typedef struct report_value_day {
	qe_date date;
	size_t ccy;                 /* index in ccy[] */
	int64_t pay, receive;
	long n;
} report_value_day;

typedef struct report_margin_total {
	char ccy[8];
	double margin;
	long books;
} report_margin_total;

struct report_settlement_in {
	const char *payments;   /* qe-settle net (NULL: none) */
	const char *rejects;    /* qe-settle pay --rejects (NULL: none) */
	const char *margin;     /* qe-settle margin (NULL: none) */
	const char *currencies; /* CURRENCIES: needed with payments or rejects */
	const char *calendars;  /* the holiday files the currencies name */
	const char *asof;       /* the next value dates are on or after it (NULL: all) */
	int max_rows;           /* held-back payments listed (default 20) */
};

typedef struct report_settlement {
	struct report_settlement_in in;
	rtable pay, rej, mar;
	int has_pay, has_rej, has_mar;
	report_ccy_total *ccy;      /* in order of first appearance */
	size_t nccy;
	report_value_day *day;      /* by date, then currency */
	size_t nday;
	long npayments, nheld;
	qe_date first, last;        /* the value dates of the payments */
	qe_date next;               /* the first on or after the as-of date; -1: none */
	int64_t *rej_minor;         /* [rej.n] */
	int *rej_exp;               /* [rej.n] */
	double *mar_num;            /* [mar.n * 4]: scan risk, spread, short option minimum, margin */
	report_margin_total *mtot;  /* in order of first appearance */
	size_t nmtot;
} report_settlement;

/* Reads the files given (at least one).  Errors are QE_DATA at
 * file:line:col (a currency the currencies file lacks, a direction other
 * than pay or receive, an amount that is not a whole number of minor
 * units, 0 or more), QE_IO for a file that cannot be read. */
int report_settlement_read(const struct report_settlement_in *in, report_settlement *s, qe_err *e);
void report_settlement_free(report_settlement *s);

/* "-1,234,567.89": minor units with the exponent's decimals and a comma
 * every three digits; buf of at least 40 bytes. */
char *report_money(char *buf, int64_t minor, int exp);

/* The dashboard's settlement panel: payments by currency, the next value
 * dates, the held-back payments (highlighted) and the margin by book. */
void report_settlement_html(const report_settlement *s, strbuf *t);

#endif
