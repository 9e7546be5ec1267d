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
	int owns_plan;  /* 0 for a sibling (vscen_new_sibling) */
} val_scenario;

/* A scenario market equal to the book's.  NULL with e set (QE_INTERNAL)
 * when memory runs out. */
val_scenario *vscen_new(const val_book *b, qe_err *e);
/* Another scenario market of s's book, equal to the base, sharing s's
 * plan (s must outlive it): the markets of a block of scenarios
 * repriced together (vscen_reprice_block).  NULL with e set (QE_INTERNAL)
 * when memory runs out. */
val_scenario *vscen_new_sibling(const val_scenario *s, qe_err *e);
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
/* vscen_reprice on the markets s[0..ns) of one book (s[0] and its
 * siblings) at once: npv[k n + i] trade i's value on s[k], through
 * valuation_reprice_plan_block (same_vols as there).  Returns -1 or the
 * lowest k n + i that fails (its reason into err). */
long vscen_reprice_block(val_scenario *const *s, size_t ns, int same_vols, double *npv, char *err,
			 size_t errsz);
/* The same through qe-price's full path (valuation_reprice). */
long vscen_reprice_full(const val_scenario *s, double *npv, char *err, size_t errsz);

#endif
