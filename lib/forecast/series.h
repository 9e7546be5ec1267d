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
#include <stdint.h>

#include "core/date.h"
#include "core/diag.h"

typedef struct fseries {
	size_t n;
	qe_date *date;  /* increasing; the date each value (return) ends on */
	double *value;
	long *line;     /* the input line of each value (0: none, a history) */
	char name[256]; /* the file name, "-" for stdin, or CURVE:TENOR */
	/* fseries_read_regular only: */
	int timed;        /* 1: a timestamp column, 0: a date column */
	int64_t *utc;     /* the instants (dates: midnight UTC) */
	int32_t *offset;  /* the UTC offset each timestamp was written with */
	int64_t step;     /* seconds between consecutive values */
} fseries;

/* Reads path ("-" or NULL: stdin) with columns date and `column` (NULL:
 * "value").  A value that is not a finite number, a date not after the
 * previous row's, a malformed row: QE_DATA with file:line:col.  With
 * prices set the values are prices (positive, else QE_DATA at their
 * line) and the series becomes their n-1 log returns, each dated on the
 * later day. */
int fseries_read_csv(fseries *s, const char *path, const char *column, int prices, qe_err *e);
/* Reads a regular series from path ("-" or NULL: stdin): a column
 * timestamp (with offset, time/tz) or date, and `column` (NULL: "value");
 * with where_col set, only the rows whose where_col equals where_val (as
 * zone=NL of the LOAD file).  The first two rows set the step; a row not
 * one step after the previous one is QE_DATA at its line and column
 * ("gap" or "not after"), as is a value that is not a finite number. */
int fseries_read_regular(fseries *s, const char *path, const char *column, const char *where_col,
			 const char *where_val, qe_err *e);
/* The time of value i as written in: a date, or a timestamp in its
 * offset.  buf needs 32 bytes. */
void fseries_time_format(const fseries *s, size_t i, char *buf);
/* The time `steps` steps after the last value, in the last value's
 * offset (a timestamp) or as a date. */
void fseries_time_after(const fseries *s, size_t steps, char *buf);

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
