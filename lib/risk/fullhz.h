/*
 * fullhz: the time move of full revaluation (qe-var --full --horizon N):
 * every trade of a priced book is repriced on a scenario market
 * (price/valscen.h) whose as-of date is N business days after today's,
 * on the calendar of the trade's curve (the curve master's calendar
 * column, as qe-price's contract rules use it), or on its expiry day when
 * an option, Asian or spread expires before that date (priced there as
 * qe-price prices it on its expiry day: the intrinsic value on the
 * scenario's forward), or on the day before its delivery ends when that
 * comes first (the last day qe-price prices an Asian expiring on its last
 * averaging day: that day's price still projected).
 *
 * The days between today and the horizon are not known today: each
 * calendar day d after the as-of date, up to the last horizon date, gets
 * a fixing equal to the scenario's moved price of the quote that fixes on
 * d (the front-month contract of the curve master's index rule, else the
 * quote delivering on d), as if the market stayed at the scenario's
 * prices until the horizon.  Fixings of today and before are the file's.
 * Rates keep their zero curve by tenor (qe-price on the horizon date
 * with the same rates file); quotes and vols keep their contract months.
 *
 * Owns its date groups and fixing arrays (fullhz_free); the book and the
 * scenario market stay the caller's.  Never prints.
 */
#ifndef QE_FULLHZ_H
#define QE_FULLHZ_H

#include <stddef.h>

#include "core/date.h"
#include "core/diag.h"
#include "price/valscen.h"
#include "price/valuation.h"

typedef struct fullhz {
	int days;        /* business days moved */
	qe_date today, last;
	int nd;          /* distinct valuation dates */
	qe_date *date;   /* [k] sorted */
	long *start;     /* trades of date k: order[start[k] .. start[k + 1]) */
	long *order;
	int nc;          /* curves of the market */
	qe_date **fd;    /* [curve] fixing dates: the file's up to today, then every day to last */
	double **fp;     /* [curve] their prices */
	int *nbase;      /* [curve] the file's fixings on or before today */
} fullhz;

/* The valuation date of every trade of b, days (>= 1) business days after
 * its market's as-of date.  A priced trade whose curve has no calendar is
 * QE_DATA naming it. */
int fullhz_init(fullhz *z, const val_book *b, int days, qe_err *e);
void fullhz_free(fullhz *z);
/* Every trade's value at its horizon date on the moved market of sc
 * (quotes and vols as the caller set them): npv as vscen_reprice fills it
 * (0 for a trade matured at the base, NAN for one failed there).  sc's
 * as-of date and fixings are back to the base's on return.  -1, or the
 * lowest index of a trade that cannot be priced (err says why). */
long fullhz_reprice(fullhz *z, val_scenario *sc, double *npv, char *err, size_t errsz);

#endif
