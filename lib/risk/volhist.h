/*
 * volhist: the at-the-money implied volatility history of full
 * revaluation (qe-formats(5), VOL HISTORY: date,curve,contract,vol,
 * vol_type) as a history of risk factors VOL:CURVE:TENOR, the tenor being
 * the whole months from the row's month to its contract month (as
 * riskfactor.h counts and caps them), whose scenarios are absolute vol
 * changes.  Each factor keeps its vol_type (lognormal or normal): it
 * moves only the market's vol points of that type.
 *
 * This is the small reader qe-var --full needs until the VOL HISTORY of
 * qe-ingest lands; it owns its arrays (volhist_free).  Never prints.
 */
#ifndef QE_VOLHIST_H
#define QE_VOLHIST_H

#include "core/diag.h"
#include "risk/riskhist.h"

typedef struct vol_history {
	risk_history h;        /* price[] holds vols; abs[] is 1 for every factor */
	unsigned char *normal; /* [f] 1: normal vol (price units), 0: lognormal */
} vol_history;

/* Reads path.  A bad date, contract month (YYYY-MM, not before the row's
 * month), vol (finite, > 0 for lognormal) or vol_type, two vols of one
 * factor and day, or one factor with two vol types is QE_DATA at
 * file:line:col. */
int volhist_read(vol_history *v, const char *path, qe_err *e);
void volhist_free(vol_history *v);

#endif
