/*
 * synth_site: the writers of the synthetic sites - meter readings and
 * weather and hourly load (synth_site.c) - and of the news headlines (synth_news.c).
 * Private to lib/synth; called by synth_write (synth.c) only.  They use the market's helpers (synth_impl.h) and never
 * call back into synth.c or synth_book.c.
 */
#ifndef QE_SYNTH_SITE_H
#define QE_SYNTH_SITE_H

#include <stdio.h>

#include "core/diag.h"
#include "synth/synth.h"

int synth_write_meters(synth *s, FILE *fp, qe_err *e);
int synth_write_weather(synth *s, FILE *fp, qe_err *e);
/* News headlines (synth_news.c), tied to the history's price spikes. */
int synth_write_headlines(synth *s, FILE *fp, qe_err *e);
/* Three years (1095 local days) of hourly load by zone ending on the
 * as-of date, in local time (LOAD of qe-formats(5)). */
int synth_write_load(synth *s, FILE *fp, qe_err *e);

#endif
