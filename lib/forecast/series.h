/*
 * series: the one-column time series the models of qe-forecast fit - a
 * CSV date,value read strictly (dates increasing, finite values), a price
 * series turned into log returns, or one CURVE:TENOR of a price history
 * (risk/riskhist) as log returns of its quotes in date order.
 *
 * Owns its arrays (fseries_free).  Never prints, never exits.  Every
 * error names the file and, where one applies, its line and column.
 */
#ifndef QE_FORECAST_SERIES_H
#define QE_FORECAST_SERIES_H

#include <stddef.h>

#include "core/date.h"
#include "core/diag.h"

typedef struct fseries {
	size_t n;
	qe_date *date;  /* increasing; the date each value (return) ends on */
	double *value;
	long *line;     /* the input line of each value (0: none, a history) */
	char name[256]; /* the file name, "-" for stdin, or CURVE:TENOR */
} fseries;

/* Reads path ("-" or NULL: stdin) with columns date and `column` (NULL:
 * "value").  A value that is not a finite number, a date not after the
 * previous row's, a malformed row: QE_DATA with file:line:col.  With
 * prices set the values are prices (positive, else QE_DATA at their
 * line) and the series becomes their n-1 log returns, each dated on the
 * later day. */
int fseries_read_csv(fseries *s, const char *path, const char *column, int prices, qe_err *e);
/* The log returns of factor (CURVE:TENOR, risk/riskfactor) of the price
 * history at path (HISTORY of qe-formats(5)): its quotes as read (the
 * constant-maturity tenor, not roll-adjusted) in date order, days without
 * one skipped.  A factor missing from the history, or a non-positive
 * price, is QE_DATA naming it. */
int fseries_read_history(fseries *s, const char *path, const char *factor, qe_err *e);
void fseries_free(fseries *s);

/* QE_DATA when s has fewer than min values ("FILE: N returns; MODEL needs
 * at least MIN") or is constant ("FILE:LINE: every value is V: ..."). */
int fseries_check(const fseries *s, size_t min, const char *model, qe_err *e);

#endif
