/* The features of a weather-driven demand regression (demand.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "forecast/demand.h"
#include "ingest/meters.h"
#include "io/csvio.h"

void demand_cfg_station(demand_cfg *c, const char *station)
{
	memset(c, 0, sizeof *c);
	c->lags = 1;
	if (station[0] == 'K' || station[0] == 'P') {
		c->fahrenheit = 1;
		c->base = DEGREE_DAY_BASE_F;
	} else if (strncmp(station, "EG", 2) == 0) {
		c->base = 15.5;
	} else {
		c->base = DEGREE_DAY_BASE_C;
	}
}

void demand_weather_free(demand_weather *w)
{
	free(w->date);
	free(w->tmean);
	free(w->line);
	memset(w, 0, sizeof *w);
}

int demand_weather_read(demand_weather *w, const char *path, const char *station, int forecast,
			qe_err *e)
{
	static const char *const cols[] = {"station", "date", "tmean"};
	int idx[3], rc = 0, st;
	size_t before;
	csv_reader *r;
	if (!forecast) {
		memset(w, 0, sizeof *w);
		snprintf(w->station, sizeof w->station, "%s", station);
	}
	before = w->n;
	snprintf(w->file[forecast != 0], sizeof w->file[0], "%s", path ? path : "-");
	if (!(r = csvr_open(path, e)))
		return e->code;
	if ((rc = csvr_require(r, cols, 3, idx, e)))
		goto out;
	for (st = csvr_next(r, e); st != CSVR_EOF; st = csvr_next(r, e)) {
		size_t len;
		const char *s;
		qe_date d;
		double t;
		if (st < 0)
			break;
		s = csvr_field(r, idx[0], &len);
		if (len != strlen(station) || memcmp(s, station, len) != 0)
			continue;
		if ((rc = csvr_get_date(r, idx[1], &d, e)) || (rc = csvr_get_double(r, idx[2], &t, e)))
			goto out;
		if (!(t > -100 && t < 70)) {
			rc = csvr_field_error(r, idx[2], e, "not a plausible temperature in Celsius '%s'",
					      csvr_field(r, idx[2], NULL));
			goto out;
		}
		if (w->n > 0 && d <= w->date[w->n - 1]) {
			char ds[16];
			date_format(ds, w->date[w->n - 1]);
			rc = csvr_field_error(r, idx[1], e, "%s: date not after %s%s '%s'", station, ds,
					      w->n > before ? "" : forecast ? " (the weather file's last)" : "",
					      csvr_field(r, idx[1], NULL));
			goto out;
		}
		const grow_array a[] = {GROW_ARRAY(w->date), GROW_ARRAY(w->tmean), GROW_ARRAY(w->line)};
		if (grow_arrays(w->n, &w->cap, 1024, a, 3)) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		w->date[w->n] = d;
		w->tmean[w->n] = t;
		w->line[w->n] = csvr_line(r);
		w->n++;
	}
	if (st < 0)
		rc = e->code ? e->code : QE_DATA;
	else if (w->n == before)
		rc = qe_err_set(e, QE_DATA, "%s: no row of station '%s'", csvr_name(r), station);
	if (!forecast)
		w->nhist = w->n;
out:
	csvr_close(r);
	if (rc && !forecast)
		demand_weather_free(w);
	return rc;
}

static const char *const weekday_names[] = {"tue", "wed", "thu", "fri", "sat", "sun"};

size_t demand_nfeatures(const demand_cfg *c)
{
	return 2 + (size_t)c->lags + 6 + (c->cal != NULL);
}

void demand_feature_name(const demand_cfg *c, size_t j, char *buf, size_t n)
{
	size_t L = (size_t)c->lags;
	if (j == 0)
		snprintf(buf, n, "hdd");
	else if (j == 1)
		snprintf(buf, n, "cdd");
	else if (j < 2 + L)
		snprintf(buf, n, "tmean_lag%zu", j - 1);
	else if (j < 8 + L)
		snprintf(buf, n, "%s", weekday_names[j - 2 - L]);
	else
		snprintf(buf, n, "holiday");
}

static int date_cmp(const void *a, const void *b)
{
	qe_date x = *(const qe_date *)a, y = *(const qe_date *)b;
	return (x > y) - (x < y);
}

/* The station's tmean of day d in the unit of c; NaN when absent. */
static double temp_of(const demand_cfg *c, const demand_weather *w, qe_date d)
{
	const qe_date *p = w->n ? bsearch(&d, w->date, w->n, sizeof d, date_cmp) : NULL;
	if (!p)
		return NAN;
	double t = w->tmean[p - w->date];
	return c->fahrenheit ? t * 9 / 5 + 32 : t;
}

int demand_features(const demand_cfg *c, const demand_weather *w, qe_date d, double *x, qe_date *missing,
		    qe_err *e)
{
	char ds[16];
	size_t L = (size_t)c->lags;
	for (size_t l = 0; l <= L; l++) {
		double t = temp_of(c, w, d - (qe_date)l);
		if (isnan(t)) {
			*missing = d - (qe_date)l;
			date_format(ds, *missing);
			return qe_err_set(e, QE_DATA, "no weather of station %s on %s", w->station, ds);
		}
		if (l == 0) {
			x[0] = degree_days_heating(t, c->base);
			x[1] = degree_days_cooling(t, c->base);
		} else {
			x[1 + l] = t;
		}
	}
	int wd = date_weekday(d);
	for (int k = 0; k < 6; k++)
		x[2 + L + (size_t)k] = wd == k + 2;
	if (c->cal) {
		if (!cal_covers(c->cal, d)) {
			date_format(ds, d);
			*missing = d;
			return qe_err_set(e, QE_DATA, "%s is outside the years of holiday calendar %s", ds,
					  cal_name(c->cal));
		}
		x[8 + L] = cal_is_holiday(c->cal, d) != 0;
	}
	return 0;
}

int demand_design(const demand_cfg *c, const demand_weather *w, const fseries *s, ols_data *d, size_t *skipped,
		  qe_err *e)
{
	size_t nx = demand_nfeatures(c);
	char name[64];
	memset(d, 0, sizeof *d);
	*skipped = 0;
	d->nx = nx;
	d->y = malloc((s->n ? s->n : 1) * sizeof *d->y);
	d->x = malloc((s->n ? s->n : 1) * nx * sizeof *d->x);
	d->names = calloc(nx, sizeof *d->names);
	if (!d->y || !d->x || !d->names) {
		ols_data_free(d);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	for (size_t j = 0; j < nx; j++) {
		demand_feature_name(c, j, name, sizeof name);
		if (!(d->names[j] = strdup(name))) {
			ols_data_free(d);
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		qe_date miss;
		if (demand_features(c, w, s->date[i], d->x + d->n * nx, &miss, e)) {
			/* the first days, whose lags precede the weather: left out */
			if (miss < w->date[0] && d->n == 0) {
				(*skipped)++;
				continue;
			}
			char where[300];
			snprintf(where, sizeof where, "%s:%ld", s->name, s->line[i]);
			qe_err_prefix(e, where);
			ols_data_free(d);
			return e->code;
		}
		d->y[d->n++] = s->value[i];
	}
	return 0;
}
