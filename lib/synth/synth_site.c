/* synth: sites - 15-minute meter readings across the DST changes, with the
 * defects a VEE step must catch - and daily weather by station. */
#include "synth/synth_site.h"

#include <math.h>
#include <string.h>

#include "io/formats.h"
#include "synth/synth_impl.h"
#include "time/tz.h"

/* European sites (one file is validated against one market zone), each
 * meter read for the week around one clock change: the spring week for
 * meters 001-003, the autumn week for 004-006. */
static const struct {
	const char *meter, *zone;
	double base, day;     /* kWh per quarter hour: night load, daytime extra */
	int weekday_only;     /* office-like: daytime extra on weekdays only */
	int spring;           /* 1: the March change, 0: October */
} sites[] = {
	{"MTR_BER_001", "Europe/Berlin", 80, 60, 0, 1},
	{"MTR_AMS_002", "Europe/Amsterdam", 10, 8, 1, 1},
	{"MTR_MUC_003", "Europe/Berlin", 15, 10, 0, 1},
	{"MTR_BER_004", "Europe/Berlin", 80, 60, 0, 0},
	{"MTR_AMS_005", "Europe/Amsterdam", 10, 8, 1, 0},
	{"MTR_MUC_006", "Europe/Berlin", 15, 10, 0, 0},
};

/* Local day of the spring / autumn clock change in year y for the zone:
 * the day whose length is not 24 hours (found with tz, not a rule). */
static qe_date dst_day(const qe_tz *tz, int y, int spring)
{
	qe_date d = date_from_ymd(y, spring ? 3 : 10, 1), end = date_from_ymd(y, spring ? 4 : 11, 30);
	for (; d <= end; d++)
		if (tz_day_length(tz, d) != 86400 && ((tz_day_length(tz, d) < 86400) == spring))
			return d;
	return date_from_ymd(y, spring ? 3 : 10, 15);
}

int synth_write_meters(synth *s, FILE *fp, qe_err *e)
{
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_METERS);
	int y, mo, d;
	date_to_ymd(s->cfg.asof, &y, &mo, &d);
	/* the year's clock changes that lie before the as-of date */
	if (mo < 11)
		y--;
	for (size_t si = 0; si < sizeof sites / sizeof sites[0]; si++) {
		qe_tz *tz = tz_load(sites[si].zone, e);
		if (!tz)
			return e->code;
		qe_rng r;
		rng_init(&r, s->cfg.seed, synth_stream(STREAM_METERS, si));
		{
			qe_date c = dst_day(tz, y, sites[si].spring);
			int64_t t0 = tz_day_start(tz, c - 3), t1 = tz_day_start(tz, c + 4);
			int64_t n = (t1 - t0) / 900;
			/* defects at fixed-but-seeded places of the window */
			int64_t gap_short = 40 + (int64_t)rng_below(&r, 100);
			int64_t gap_long = 300 + (int64_t)rng_below(&r, 100);
			int64_t dup = 150 + (int64_t)rng_below(&r, 100);
			int64_t neg = 450 + (int64_t)rng_below(&r, 100);
			int64_t spike = 520 + (int64_t)rng_below(&r, 100);
			double noise_state = 0;
			for (int64_t i = 0; i < n; i++) {
				int64_t utc = t0 + i * 900;
				qe_date ld;
				int hh, mm, ss;
				tz_local_split(tz_utc_to_local(tz, utc), &ld, &hh, &mm, &ss);
				double hour = hh + mm / 60.0;
				int weekday = date_weekday(ld) <= 5;
				/* a smooth daily cycle peaking mid-afternoon (no flat
				 * half-day, so a rolling robust z-score sees the spikes
				 * and not the cycle), smaller at weekends for offices */
				double dayshape = 0.5 + 0.5 * cos(2 * M_PI * (hour - 14) / 24);
				if (sites[si].weekday_only && !weekday)
					dayshape *= 0.6;
				noise_state = 0.8 * noise_state + 0.03 * rng_normal(&r);
				double kwh = (sites[si].base + sites[si].day * dayshape) * (1 + noise_state);
				if (i == neg)
					kwh = -kwh * 0.5;
				else if (i == spike)
					kwh *= 25;
				if ((i >= gap_short && i < gap_short + 2) || (i >= gap_long && i < gap_long + 12))
					continue; /* readings lost: a 30-minute and a 3-hour gap */
				char ts[TS_BUFSZ];
				ts_format(ts, ts_in_zone(tz, utc), 0);
				for (int rep = 0; rep < (i == dup ? 2 : 1); rep++) {
					csvw_str(&w, sites[si].meter);
					csvw_str(&w, ts);
					csvw_int(&w, 15);
					/* odd meters repeat the reading with another value
					 * (a conflicting duplicate), even ones verbatim */
					csvw_double(&w, synth_round(rep && si % 2 ? kwh * 1.02 : kwh, 0.001));
					csvw_str(&w, "kWh");
					csvw_str(&w, "A");
					csvw_end(&w);
				}
			}
		}
		tz_free(tz);
	}
	return 0;
}

int synth_write_weather(synth *s, FILE *fp, qe_err *e)
{
	(void)e;
	static const struct {
		const char *station;
		double mean, amplitude, range;
	} stations[] = {
		{"EDDF", 10.5, 9.5, 9.0},  /* Frankfurt */
		{"EHAM", 10.8, 7.0, 7.0},  /* Amsterdam Schiphol */
		{"KNYC", 13.0, 12.0, 8.0}, /* New York Central Park */
		{"KORD", 10.0, 14.0, 10.0} /* Chicago O'Hare */
	};
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_WEATHER);
	/* calendar days covering the price history */
	qe_date last = s->cfg.asof;
	qe_date first = last - (qe_date)(s->cfg.history_days * 7 / 5);
	for (size_t st = 0; st < sizeof stations / sizeof stations[0]; st++) {
		qe_rng r;
		rng_init(&r, s->cfg.seed, synth_stream(STREAM_WEATHER, st));
		double anomaly = 0;
		for (qe_date d = first; d <= last; d++) {
			int y, m, dd;
			date_to_ymd(d, &y, &m, &dd);
			double doy = d - date_from_ymd(y, 1, 1);
			anomaly = 0.7 * anomaly + 2.2 * rng_normal(&r);
			double mean = stations[st].mean - stations[st].amplitude * cos(2 * M_PI * (doy - 15) / 365.25) +
				      anomaly;
			double range = stations[st].range * (0.6 + 0.8 * rng_uniform(&r));
			double skew = 0.35 + 0.3 * rng_uniform(&r);
			double tmean = synth_round(mean, 0.1);
			csvw_str(&w, stations[st].station);
			csvw_date(&w, d);
			csvw_double(&w, synth_round(tmean - range * skew, 0.1));
			csvw_double(&w, synth_round(tmean + range * (1 - skew), 0.1));
			csvw_double(&w, tmean);
			csvw_end(&w);
		}
	}
	return 0;
}

/* The calendar of the curves whose holiday calendar is name, or NULL. */
static const qe_calendar *calendar_named(const synth *s, const char *name)
{
	for (int c = 0; c < synth_ncurves; c++)
		if (strcmp(synth_curves[c].calendar, name) == 0)
			return s->cal[c];
	return NULL;
}

/* Hourly load: a local-time daily profile (night trough, morning and
 * evening peaks), weekends and holidays (the zone's calendar) as Sunday,
 * heating below 15 C and cooling above 22 C on an hourly temperature (a
 * seasonal mean, an AR(1) daily anomaly and a diurnal swing), a slow
 * drift and AR(1) noise.  Hours are the zone's local hours: the spring
 * DST day has 23 rows, the autumn one 25 (its repeated hour twice, with
 * two offsets), so the instants are a regular hourly UTC grid. */
int synth_write_load(synth *s, FILE *fp, qe_err *e)
{
	static const struct {
		const char *zone, *tz, *calendar;
		double base, tmean, tamp, heat, cool;
	} zones[] = {
		{"DE_LU", "Europe/Berlin", "EEX", 55000, 10.5, 9.5, 0.010, 0.012},
		{"NL", "Europe/Amsterdam", "ICE_EU", 12500, 10.8, 7.0, 0.011, 0.010},
		{"PJM", "America/New_York", "NERC", 90000, 12.5, 12.0, 0.008, 0.030},
	};
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_LOAD);
	qe_date first = s->cfg.asof - 1094, last = s->cfg.asof;
	for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
		const qe_tz *tz = tz_get(zones[z].tz, e);
		const qe_calendar *cal = calendar_named(s, zones[z].calendar);
		if (!tz)
			return e->code;
		qe_rng r;
		rng_init(&r, s->cfg.seed, synth_stream(STREAM_LOAD, z));
		/* local midnight of the first day to local midnight after the last */
		int64_t utc = tz_local_make(first, 0, 0, 0) - ts_in_zone(tz, tz_local_make(first, 0, 0, 0)).offset;
		int64_t end = tz_local_make(last + 1, 0, 0, 0) - ts_in_zone(tz, tz_local_make(last + 1, 0, 0, 0)).offset;
		double anomaly = 0, noise = 0;
		qe_date day = -1;
		for (; utc < end; utc += 3600) {
			qe_ts ts = ts_in_zone(tz, utc);
			qe_date d;
			int hour, minute, second, y, m, dd;
			tz_local_split(utc + ts.offset, &d, &hour, &minute, &second);
			if (d != day) {
				anomaly = 0.75 * anomaly + 2.0 * rng_normal(&r);
				day = d;
			}
			date_to_ymd(d, &y, &m, &dd);
			double doy = d - date_from_ymd(y, 1, 1);
			double temp = zones[z].tmean - zones[z].tamp * cos(2 * M_PI * (doy - 15) / 365.25) + anomaly +
				      4.0 * sin(2 * M_PI * (hour - 9) / 24.0);
			int dow = (int)(((d % 7) + 7 + 3) % 7); /* 0 Monday (1970-01-01 was a Thursday) */
			int holiday = cal && cal_covers(cal, d) && cal_is_holiday(cal, d) && dow < 5;
			double week = holiday || dow == 6 ? 0.80 : dow == 5 ? 0.88 : 1.0;
			double profile = 0.78 + 0.16 * exp(-pow((hour - 9.5) / 3.0, 2)) + 0.22 * exp(-pow((hour - 19.0) / 2.5, 2)) +
					 0.08 * (hour >= 7 && hour <= 21);
			double weather = 1 + zones[z].heat * fmax(0, 15 - temp) + zones[z].cool * fmax(0, temp - 22);
			noise = 0.9 * noise + 0.006 * rng_normal(&r);
			double load = zones[z].base * profile * (week + (1 - week) * 0.3 * (hour < 7)) * weather *
				      (1 + 0.00001 * (d - first)) * (1 + noise);
			char buf[TS_BUFSZ];
			ts_format(buf, ts, 0);
			csvw_str(&w, zones[z].zone);
			csvw_str(&w, buf);
			csvw_double(&w, synth_round(load, 0.1));
			csvw_double(&w, synth_round(temp, 0.1));
			csvw_int(&w, holiday);
			csvw_end(&w);
		}
	}
	return 0;
}
