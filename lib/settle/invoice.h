/*
 * invoice: one invoice per counterparty and period (qe-settle invoice):
 * its lines (every flow whose value date lies in the period), its
 * payments (the netted or gross payments of settle/net) and a total per
 * currency, as CSV rows and as a printable, self-contained HTML page
 * (inline style, no script, no external asset; every text escaped).
 * The totals are sums of the rounded minor-unit amounts, so they equal
 * the netted payments exactly.
 *
 * Never prints, never exits; the CSV rows go through io/csvio to the FILE
 * it is given, the HTML page is built as text for the caller to write.
 */
#ifndef QE_SETTLE_INVOICE_H
#define QE_SETTLE_INVOICE_H

#include <stdio.h>

#include "core/strbuf.h"
#include "settle/flows.h"
#include "settle/net.h"
#include "settle/terms.h"

/* The invoice id of counterparty cpty for the period starting from:
 * "INV-YYYYMMDD-<cpty>" into buf (cap >= 96). */
void invoice_id(char *buf, size_t cap, const char *cpty, qe_date from);

/* CSV header: invoice_id,counterparty,row,trade_id,kind,value_date,
 * currency,direction,amount_minor,amount (row: line, payment, total). */
void invoice_csv_header(FILE *fp);
/* Rows of counterparty cpty's invoice: f and p sorted as net_compute
 * leaves them. */
void invoice_csv(FILE *fp, const char *cpty, qe_date from, qe_date to, const flows_list *f,
		 const net_list *p, const settle_terms *t);
/* The HTML invoice of cpty, appended to b (b->oom set when out of
 * memory): the command layer writes it. */
void invoice_html(strbuf *b, const char *cpty, qe_date from, qe_date to, const flows_list *f,
		  const net_list *p, const settle_terms *t);

#endif
