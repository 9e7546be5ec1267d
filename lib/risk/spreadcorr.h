/*
 * spreadcorr: the Kirk correlation of each pair of curves from their
 * price history, for the pricer's table (price/valuation.h val_corr).
 *
 * The correlation of a pair is Pearson's, of the daily returns of each
 * curve's tenor 1 (the month after the quote's month, as read, constant
 * maturity) between consecutive dates on which both curves have that
 * price: log returns, or differences for a curve whose returns are
 * "abs" in the curve master; the last `window` such returns (0 = all),
 * dates after asof ignored.  A pair with fewer than 3 returns, or a
 * curve whose returns do not vary, gets no entry (the pricer's default
 * applies).  Never prints.
 */
#ifndef QE_SPREADCORR_H
#define QE_SPREADCORR_H

#include <stddef.h>

#include "core/date.h"
#include "core/diag.h"
#include "price/valuation.h"

/* Reads history (markets may be NULL: log returns for all) and fills a
 * table of every pair of its curves, *tab to free().  QE_DATA / QE_IO as
 * the history reader, QE_DATA for a non-positive price of a log-return
 * curve in a return. */
int spreadcorr_table(const char *history, const char *markets, qe_date asof, size_t window,
		     struct val_corr **tab, size_t *n, qe_err *e);

#endif
