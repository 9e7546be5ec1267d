/*
 * invoice: one invoice per counterparty and period (qe-settle invoice):
 * its lines (every flow whose value date lies in the period), its
 * payments (the netted or gross payments of settle/net) and a total per
 * currency, as CSV rows and as a printable, self-contained HTML page
 * (inline style, no script, no external asset; every text escaped).
 * The totals are sums of the rounded minor-unit amounts, so they equal
 * the netted payments exactly.
 *
 * Never prints, never exits; writes only to the FILEs it is given.
 */
#ifndef QE_SETTLE_INVOICE_H
#define QE_SETTLE_INVOICE_H

#include <stdio.h>

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
/* The HTML invoice of cpty. */
void invoice_html(FILE *fp, const char *cpty, qe_date from, qe_date to, const flows_list *f,
		  const net_list *p, const settle_terms *t);

#endif
