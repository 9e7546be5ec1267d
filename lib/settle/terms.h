/*
 * terms: the reference data of settlement that is not market data: the
 * currencies (ISO 4217 minor-unit exponent and the payment calendar whose
 * business days value dates count in: CURRENCIES of qe-formats(5)), the
 * payment terms per flow kind and curve (PAYMENT TERMS) and the netting
 * flag of each counterparty (counterparties.csv, column netting).
 *
 * Owns the tables it loads and the calendars they name (terms_free).
 * Never prints, never exits; errors are QE_DATA at file:line:col.
 */
#ifndef QE_SETTLE_TERMS_H
#define QE_SETTLE_TERMS_H

#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/diag.h"
#include "time/calendar.h"

/* The kinds of cash flow, in the order of the output's kind column. */
enum settle_kind {
	SETTLE_VM,       /* variation_margin: futures, daily */
	SETTLE_SWAP,     /* swap_settlement: one per calculation period */
	SETTLE_PHYSICAL, /* physical_delivery: one per delivery month */
	SETTLE_PREMIUM,  /* option_premium: on the trade date */
	SETTLE_EUA,      /* eua_delivery: allowances against cash */
	SETTLE_EXERCISE, /* option_exercise: a European option's cash at expiry */
	SETTLE_FINAL,    /* final_settlement: a power future against its index */
	SETTLE_NKINDS
};
const char *terms_kind_name(int kind);
/* -1 when s is no kind name. */
int terms_kind_parse(const char *s);

typedef struct settle_terms settle_terms;

/* Loads currencies (currency,exponent,calendar), payment terms
 * (kind,curve,business_days; curve "*" for every curve without its own
 * row) and counterparties (counterparty,netting,...).  The calendars the
 * currencies name come from caldir. */
settle_terms *terms_load(const char *currencies, const char *payment_terms,
			 const char *counterparties, const char *caldir, qe_err *e);
void terms_free(settle_terms *t);

/* Minor-unit exponent of ccy (0..4), or -1 when the currencies file has no
 * such currency. */
int terms_exponent(const settle_terms *t, const char *ccy);
/* The payment calendar of ccy, or NULL when it has none (or is unknown). */
const qe_calendar *terms_calendar(const settle_terms *t, const char *ccy);
/* Business days of payment terms for a flow of kind on curve; -1 when
 * neither the curve nor "*" has a row for that kind. */
int terms_days(const settle_terms *t, int kind, const char *curve);
/* 1 netting, 0 gross, -1 unknown counterparty. */
int terms_netting(const settle_terms *t, const char *cpty);

/* Value date of an event on day d: the payment-terms business days after
 * it in ccy's calendar.  QE_DATA when ccy has no calendar or d is outside
 * what the calendar covers (a value date is never guessed). */
int terms_value_date(const settle_terms *t, const char *ccy, int days, qe_date d, qe_date *out,
		     qe_err *e);

/* x major units of a currency of exponent exp in minor units, rounded
 * once, half away from zero; QE_NUMERIC (e filled) when x is not finite
 * or out of the int64 range. */
int terms_to_minor(double x, int exp, int64_t *out, qe_err *e);

/* signed_minor minor units of a currency of exponent exp (0..4) as the
 * exact decimal amount ("-1234.50", "1234" for exponent 0) into buf
 * (cap >= 24); no rounding, no floating point. */
void terms_format_minor(char *buf, size_t cap, int64_t signed_minor, int exp);

#endif
