/*
 * valscen: a scenario market - a copy of a priced book's market whose
 * forward quotes and volatilities are moved - and the repricing of the
 * book on it through the pricer of qe-price (valuation.h), so full
 * revaluation has no second pricer.
 *
 * The copy shares everything but the quote and vol arrays with the base
 * market (curve master, calendars, zones, fixings, rates, the shape-hours
 * memo), so it lives no longer than the book.  A move is set per quote
 * (vscen_set_price) and per vol point (vscen_shift_vol) and undone by
 * vscen_reset.  The as-of date is the base's: time does not pass.
 *
 * Owns the copied quote and vol arrays and the plan (vscen_free).  Never prints.
 */
#ifndef QE_VALSCEN_H
#define QE_VALSCEN_H

#include <stddef.h>

#include "core/diag.h"
#include "market/market.h"
#include "price/valuation.h"

typedef struct val_scenario {
	const val_book *book;
	market m;      /* the moved market; m.c[k].q and m.c[k].v are ours */
	mkt_curve *c;  /* m.c */
	val_plan *plan; /* the book's NPV-only repricing plan */
} val_scenario;

/* A scenario market equal to the book's.  NULL with e set (QE_INTERNAL)
 * when memory runs out. */
val_scenario *vscen_new(const val_book *b, qe_err *e);
void vscen_free(val_scenario *s);
/* Back to the base market's quotes and vols. */
void vscen_reset(val_scenario *s);
/* The base price of quote q of curve c, and its moved price. */
double vscen_base_price(const val_scenario *s, int c, int q);
void vscen_set_price(val_scenario *s, int c, int q, double price);
/* Adds dvol to vol point k of curve c (an absolute vol change, in the
 * point's own units). */
void vscen_shift_vol(val_scenario *s, int c, int k, double dvol);
/* Every trade's value on the scenario market, NPV only, through the
 * book's plan (valuation_reprice_plan): equal to vscen_reprice_full. */
long vscen_reprice(const val_scenario *s, double *npv, char *err, size_t errsz);
/* The same through qe-price's full path (valuation_reprice). */
long vscen_reprice_full(const val_scenario *s, double *npv, char *err, size_t errsz);

#endif
