/*
 * pay: the ISO 20022 customer credit transfer (pain.001.001.09) of the
 * payments we owe (qe-settle pay), from the payments of settle/net: a
 * group header (message id, creation time, number of transactions,
 * control sum, initiating party), one payment information block per
 * debtor account (our account in the payment's currency) and requested
 * execution date (the value date), one credit transfer per payment with
 * its end-to-end id, instructed amount and currency, creditor agent
 * (BIC), creditor (name), creditor account (IBAN) and an unstructured
 * remittance naming the invoice (settle/invoice's id).  Elements, order
 * and cardinalities are those of the message definition; the subset is
 * data/schema/pain.001.001.09-subset.xsd.
 *
 * Bank details come from the counterparty master (iban, bic) and the
 * debtor accounts (DEBTOR ACCOUNTS of qe-formats(5)); both are checked
 * (core/iban) before anything is written.  A counterparty's bad details
 * hold its payments back: they become rejects naming the file:line:col
 * of the detail at fault, and the message carries every other payment,
 * its counts and sums computed over what it carries.  The message id and
 * the creation time derive from the run (pay_run), never from the clock,
 * so the same run over the same inputs gives the same bytes.
 *
 * Owns the text and rejects of a pay_result (pay_result_free).  Never
 * prints, never exits, never writes a file: the command layer writes the
 * text it builds.
 */
#ifndef QE_SETTLE_PAY_H
#define QE_SETTLE_PAY_H

#include <stdio.h>

#include "core/date.h"
#include "core/diag.h"
#include "core/strbuf.h"
#include "settle/net.h"
#include "settle/terms.h"

/* The longest run id: the ids made from it (run-P<n>, run-<n>) stay
 * within Max35Text. */
enum { PAY_RUN_ID_MAX = 24 };

typedef struct pay_run {
	const char *run_id;  /* MsgId: 1..PAY_RUN_ID_MAX of [A-Za-z0-9._-] */
	qe_date asof;        /* CreDtTm: this day, 00:00:00 UTC */
	qe_date invoice_from; /* period start of the invoices named; 0: the
			       * first day of each payment's value-date month */
} pay_run;

/* 0 when id is a valid run id, else -1 (why in e, QE_USAGE). */
int pay_run_id_check(const char *id, qe_err *e);

typedef struct pay_reject {
	const settle_payment *p;
	char source[256]; /* file:line:col of the bank detail at fault, or file */
	char reason[320];
} pay_reject;

typedef struct pay_result {
	strbuf xml;        /* the pain.001 document */
	pay_reject *rej;   /* payments held back, in payment order */
	size_t nrej;
	long ntx, nblocks; /* credit transfers, payment information blocks */
	char ctrlsum[48];  /* the control sum as written */
} pay_result;

/* Builds the message of the payments of n that we pay (direction pay,
 * amount above zero): bank details from counterparties (counterparty,
 * name, iban, bic) and our accounts from accounts (currency, iban, bic,
 * name).  QE_DATA (e filled, file:line:col) for a payment in a currency
 * the terms do not know or of a counterparty the master does not list,
 * or a bad debtor account; QE_IO for an unreadable file.  A bad detail of
 * a counterparty, or a currency without a debtor account, is a reject,
 * not an error. */
int pay_build(const net_list *n, const char *counterparties, const char *accounts,
	      const settle_terms *t, const pay_run *run, pay_result *out, qe_err *e);
void pay_result_free(pay_result *r);

/* The rejects as PAYMENT REJECTS rows (header included). */
void pay_rejects_write(FILE *fp, const pay_result *r);

#endif
