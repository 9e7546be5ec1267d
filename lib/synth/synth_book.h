/*
 * synth_book: the writers of the synthetic book - trades, counterparties
 * and limits (synth_book.c).  Private to lib/synth; called by synth_write
 * (synth.c) only.  They read the market (synth_impl.h) and never call
 * back into synth.c or synth_site.c.
 */
#ifndef QE_SYNTH_BOOK_H
#define QE_SYNTH_BOOK_H

#include <stdio.h>

#include "core/diag.h"
#include "synth/synth.h"

int synth_write_trades(synth *s, FILE *fp, qe_err *e);
/* The book of the previous as-of date (synth.h SYNTH_PREV_TRADES). */
int synth_write_prev_trades(synth *s, FILE *fp, qe_err *e);
int synth_write_counterparties(synth *s, FILE *fp, qe_err *e);
/* The contract terms of book ISLAMIC's trades (qe-formats(5) ISLAMIC
 * TERMS): physical and forward trades murabaha or salam, swaps wa'd,
 * options arboun, the rest istisna; a few break Standard 20 on purpose
 * (trade index multiple of 7: the first such murabaha sells a commodity
 * not owned, salam is prepaid in part, others carry late-payment
 * interest). */
int synth_write_islamic_terms(synth *s, FILE *fp, qe_err *e);
int synth_write_limits(synth *s, FILE *fp, qe_err *e);

#endif
