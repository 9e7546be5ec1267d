/*
 * net: the payments of a set of flows (qe-settle net).  Per counterparty,
 * currency and value date, the flows of a counterparty whose netting flag
 * (counterparties.csv) is yes make one payment, the sum of their rounded
 * minor-unit amounts (so a net reconciles exactly with its gross flows);
 * a counterparty without netting is paid gross, one payment per flow.
 *
 * Owns the payments it returns (net_free).  Never prints, never exits.
 */
#ifndef QE_SETTLE_NET_H
#define QE_SETTLE_NET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "settle/flows.h"
#include "settle/terms.h"

typedef struct settle_payment {
	char cpty[72], ccy[4], trade_id[72]; /* trade_id: gross only */
	qe_date value;
	int netted;    /* 1 a net of flows, 0 one gross flow */
	long nflows;
	int dir;       /* +1 we receive, -1 we pay */
	int64_t minor; /* >= 0 */
	long line;     /* net_read: the row's line in its file */
} settle_payment;

typedef struct net_list {
	settle_payment *v;
	size_t n;
	const char *path; /* net_read: the file read (the caller's string) */
} net_list;

/* Nets the flows (any order; sorted in place by counterparty, currency,
 * value date, trade).  QE_DATA for a counterparty the terms do not know. */
int net_compute(flows_list *f, const settle_terms *t, net_list *out, qe_err *e);
void net_free(net_list *l);
/* counterparty,currency,value_date,basis,flows,direction,amount_minor,trade_id */
void net_write(FILE *fp, const net_list *l);
/* Reads what net_write wrote (SETTLEMENT PAYMENTS; "-" is stdin), in file
 * order, each payment with its line.  QE_DATA at file:line:col for a bad
 * row or a missing column, QE_IO when unreadable. */
int net_read(const char *path, net_list *out, qe_err *e);

#endif
