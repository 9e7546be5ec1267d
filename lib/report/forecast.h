/*
 * forecast: the volatility forecast and the headline sentiment of the
 * dashboard and the summary, from the outputs of qe-forecast.
 *
 * Per GARCH series (GARCH FIT of qe-formats(5), one row a series) its
 * persistence and half-life and, with its forecast path (GARCH FORECAST,
 * days 1..H), the annualised vol of the next day and of day H, the term
 * vol over days 1..H and the long-run vol sqrt(Y omega / (1 - persistence))
 * (none when the persistence is 1 or more), Y the days per year the path
 * was annualised with (vol^2 / variance of its first day, so that the
 * long-run vol is on the path's scale).  Per commodity of the daily
 * sentiment index (SENTIMENT, qe-forecast sentiment --daily) its latest
 * day up to the as-of date: the mean score, the headlines and their
 * labels, and the mean scores of its last REPORT_SPARK_DAYS days.
 *
 * Owns the tables it reads and what it derives (report_forecast_free).
 * Never prints: the HTML panel goes into a strbuf; the summary line
 * is written by report/summary.
 */
#ifndef QE_REPORT_FORECAST_H
#define QE_REPORT_FORECAST_H

#include <stddef.h>

#include "core/diag.h"
#include "report/summary.h"
#include "screen/rtable.h"

#define REPORT_SPARK_DAYS 30

typedef struct report_garch {
	size_t row;          /* its row of the fit table */
	double omega, persistence, half_life; /* half_life NaN: none */
	int days;            /* days of its path, 0 without one */
	double *term_vol;    /* [days]: annualised term vol over days 1..d */
	double year;         /* Y of the path */
	double vol_next, vol_last, long_run; /* NaN when not known */
} report_garch;

typedef struct report_sentiment {
	const char *commodity;
	size_t last;         /* the row of its latest day */
	double score;        /* that day's mean score */
	long count[4];       /* that day's headlines: all, positive, negative, neutral */
	int nspark;          /* the mean scores of its last days, oldest first */
	double spark[REPORT_SPARK_DAYS];
} report_sentiment;

typedef struct report_forecast {
	rtable fit, path, senti;
	int has_fit, has_path, has_senti;
	report_garch *g;
	size_t ng;
	report_sentiment *s; /* sorted by commodity */
	size_t ns;
} report_forecast;

/* Reads the fits (garch), their paths (path, NULL: none; rows of series
 * that have no fit are ignored) and the daily sentiment index (sentiment,
 * NULL: none; days after asof, when given, are left out).  At least one
 * file.  A path's days must run 1, 2, ... per series, its variances be
 * above 0 and its vols not negative; the index must be sorted by date.
 * Errors are QE_DATA at file:line:col. */
int report_forecast_read(const char *garch, const char *path, const char *sentiment, const char *asof,
			 report_forecast *f, qe_err *e);
void report_forecast_free(report_forecast *f);

/* The series of the fit table (its "series" cell). */
const char *report_garch_series(const report_forecast *f, size_t i);

/* The dashboard's forecast panel: a table of the series with a line of
 * its term structure each, and a table of the sentiment per commodity. */
void report_forecast_html(const report_forecast *f, strbuf *t);

#endif
