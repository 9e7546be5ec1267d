/*
 * demand: the energy features of a weather-driven demand (or price)
 * regression, qe-forecast demand - heating and cooling degree days
 * (ingest/meters' HDD/CDD), the lagged mean temperature, weekday and
 * holiday dummies - built from one station of a WEATHER file
 * (qe-formats(5)) and a holiday calendar (time/calendar), for the days
 * of a demand series and of a weather forecast.
 *
 * Conventions (qe-forecast(1) states them): the weather file's
 * temperatures are Celsius; a station counts degree days in Fahrenheit
 * (T_F = 9/5 T_C + 32, base 65 F) when it is in the US - its ICAO
 * identifier starts with K or P - else in Celsius with base 18 C, 15.5 C
 * for a UK station (EG..), as DOMAIN.md says; the caller may set either.
 * The features of day d, in this order: hdd, cdd (of tmean in the
 * unit), tmean_lag1..tmean_lagL (the unit's tmean of days d-1..d-L),
 * tue, wed, thu, fri, sat, sun (1 on that ISO weekday; Monday is the
 * base), holiday (1 on a holiday of the calendar, when one is given).
 *
 * Owns its arrays (demand_weather_free).  Never prints, never exits.
 */
#ifndef QE_FORECAST_DEMAND_H
#define QE_FORECAST_DEMAND_H

#include <stddef.h>

#include "core/date.h"
#include "core/diag.h"
#include "forecast/ols.h"
#include "forecast/series.h"
#include "time/calendar.h"

#define DEMAND_MAX_LAGS 30

typedef struct demand_cfg {
	int fahrenheit;          /* degree days of tmean in F (else C) */
	double base;             /* their base, in that unit */
	int lags;                /* lagged temperatures, 0..DEMAND_MAX_LAGS */
	const qe_calendar *cal;  /* holidays; NULL: no holiday feature */
} demand_cfg;

/* The defaults of a station (ICAO identifier): US Fahrenheit base 65,
 * UK Celsius base 15.5, else Celsius base 18; one lag; no calendar. */
void demand_cfg_station(demand_cfg *c, const char *station);

/* The mean temperatures (Celsius) of one station: a weather file's rows,
 * then optionally a forecast file's, all dates increasing. */
typedef struct demand_weather {
	size_t n, cap;
	qe_date *date;
	double *tmean;
	long *line;
	size_t nhist;            /* rows [0, nhist) from the weather file */
	char station[64];
	char file[2][256];       /* weather file, forecast file */
} demand_weather;

/* Reads the rows of station from path (WEATHER: station,date,tmin,tmax,
 * tmean; the station's dates strictly increasing and, in a forecast
 * file, after the weather file's last).  forecast 0 for the weather
 * file (read first), 1 for a forecast file.  QE_DATA with file:line:col
 * for a bad row, or when the file has no row of the station. */
int demand_weather_read(demand_weather *w, const char *path, const char *station, int forecast,
			qe_err *e);
void demand_weather_free(demand_weather *w);

/* Number of features of c and the name of feature j into buf[n]. */
size_t demand_nfeatures(const demand_cfg *c);
void demand_feature_name(const demand_cfg *c, size_t j, char *buf, size_t n);

/* The features of day d into x[demand_nfeatures]: 0, or QE_DATA when the
 * weather lacks a day it needs (*missing set to that day) or d is
 * outside the calendar's years. */
int demand_features(const demand_cfg *c, const demand_weather *w, qe_date d, double *x, qe_date *missing,
		    qe_err *e);

/* The regression data of series s on the features of c (d: its names,
 * y and x, ols_data_free), the days in order.  The first days, whose
 * lags precede the weather, are left out (*skipped counts them); any
 * other day without its features is QE_DATA "file:line: ..." at the
 * series' line. */
int demand_design(const demand_cfg *c, const demand_weather *w, const fseries *s, ols_data *d, size_t *skipped,
		  qe_err *e);

#endif
