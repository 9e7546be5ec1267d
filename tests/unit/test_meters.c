/* Unit tests for lib/meters: aggregation across DST days, VEE rules. */
#include <stdlib.h>

#include "ingest/meters.h"
#include "unit.h"

static qe_tz *ber, *chi;

static int64_t at(const char *ts)
{
	qe_ts t;
	if (ts_parse_z(ts, &t))
		abort();
	return t.utc;
}

/* Pushes n readings of `iv` minutes from utc0 with energies v[] (NULL: 1.0). */
static int push_series(meter_agg *m, const char *id, int64_t utc0, int iv, int n, const double *v,
		       qe_err *e)
{
	for (int i = 0; i < n; i++) {
		meter_reading r = {id, utc0 + (int64_t)i * iv * 60, iv, v ? v[i] : 1.0, 'A', i + 2};
		int rc = meter_push(m, &r, e);
		if (rc)
			return rc;
	}
	return 0;
}

static meter_agg *agg(const qe_tz *tz, int period)
{
	qe_err e;
	meter_opts o = {tz, period, 0, 0, 0, 0};
	return meter_agg_new(&o, &e);
}

static int drain(meter_agg *m, meter_row *rows, int cap)
{
	int n = 0;
	meter_row r;
	while (meter_next_row(m, &r))
		if (n < cap)
			rows[n++] = r;
		else
			n++;
	return n;
}

static void test_dst_days(void)
{
	qe_err e;
	meter_row rows[200];
	char buf[TS_BUFSZ];
	/* the 23-hour day: 92 quarter-hours into hourly periods */
	meter_agg *m = agg(ber, 60);
	UT_EQ_INT(push_series(m, "M1", at("2026-03-29T00:00:00+01:00"), 15, 92, NULL, &e), 0, "push 92 quarters");
	UT_EQ_INT(meter_finish(m, &e), 0, "finish");
	int n = drain(m, rows, 200);
	UT_EQ_INT(n, 23, "spring-forward day gives 23 hourly rows");
	int ok = 1;
	for (int i = 0; i < n && i < 200; i++)
		ok &= rows[i].energy == 4.0 && rows[i].quality == 'A' && rows[i].flags == 0 &&
		      rows[i].readings == 4 && rows[i].expected == 4;
	UT_CHECK(ok, "every hour complete with 4 kWh");
	ts_format(buf, (qe_ts){rows[2].utc, rows[2].offset}, 0);
	UT_EQ_STR(buf, "2026-03-29T03:00:00+02:00", "third hour starts 03:00 CEST");
	meter_agg_free(m);

	/* the 25-hour day: 100 quarter-hours into hourly and 30-minute periods */
	m = agg(ber, 60);
	push_series(m, "M1", at("2026-10-25T00:00:00+02:00"), 15, 100, NULL, &e);
	meter_finish(m, &e);
	n = drain(m, rows, 200);
	UT_EQ_INT(n, 25, "fall-back day gives 25 hourly rows");
	ts_format(buf, (qe_ts){rows[2].utc, rows[2].offset}, 0);
	UT_EQ_STR(buf, "2026-10-25T02:00:00+02:00", "first 02:00 is CEST");
	ts_format(buf, (qe_ts){rows[3].utc, rows[3].offset}, 0);
	UT_EQ_STR(buf, "2026-10-25T02:00:00+01:00", "second 02:00 is CET");
	meter_agg_free(m);

	m = agg(ber, 30);
	push_series(m, "M1", at("2026-10-25T00:00:00+02:00"), 15, 100, NULL, &e);
	meter_finish(m, &e);
	UT_EQ_INT(drain(m, rows, 200), 50, "fall-back day gives 50 half-hour rows");
	meter_agg_free(m);

	/* US: 5-minute readings into 15-minute periods on 2026-03-08 (Chicago) */
	m = agg(chi, 15);
	push_series(m, "US1", at("2026-03-08T00:00:00-06:00"), 5, 23 * 12, NULL, &e);
	meter_finish(m, &e);
	n = drain(m, rows, 200);
	UT_EQ_INT(n, 92, "Chicago 2026-03-08: 92 quarter-hour periods");
	UT_CHECK(rows[0].energy == 3.0 && rows[0].expected == 3, "three 5-minute readings per quarter");
	meter_agg_free(m);
	m = agg(chi, 60);
	push_series(m, "US1", at("2026-11-01T00:00:00-05:00"), 60, 25, NULL, &e);
	meter_finish(m, &e);
	UT_EQ_INT(drain(m, rows, 200), 25, "Chicago 2026-11-01: 25 hourly periods");
	meter_agg_free(m);
}

static void test_gaps(void)
{
	qe_err e;
	meter_row rows[50];
	meter_counts c;
	int64_t t0 = at("2026-06-01T00:00:00+02:00");
	/* 15-min readings 1, 2, (gap of 3), 6, 7, ... : the gap is filled 3, 4, 5 */
	meter_agg *m = agg(ber, 60);
	double v1[] = {1, 2}, v2[] = {6, 7, 8, 9};
	push_series(m, "G", t0, 15, 2, v1, &e);
	push_series(m, "G", t0 + 5 * 900, 15, 3, v2, &e);
	meter_finish(m, &e);
	int n = drain(m, rows, 50);
	UT_EQ_INT(n, 2, "two hourly rows");
	UT_NEAR(rows[0].energy, 1 + 2 + 3 + 4, 1e-12, "first hour 1+2+3+4 (3, 4 estimated)");
	UT_EQ_INT(rows[0].quality, 'E', "first hour estimated");
	UT_CHECK(rows[0].flags & METER_F_ESTIMATED, "first hour flagged estimated");
	UT_NEAR(rows[1].energy, 5 + 6 + 7 + 8, 1e-12, "second hour 5+6+7+8");
	meter_get_counts(m, &c);
	UT_EQ_INT(c.filled, 3, "three intervals filled");
	meter_agg_free(m);

	/* a 2-hour hole stays missing */
	m = agg(ber, 60);
	push_series(m, "G", t0, 15, 4, NULL, &e);
	push_series(m, "G", t0 + 12 * 900, 15, 4, NULL, &e);
	meter_finish(m, &e);
	n = drain(m, rows, 50);
	UT_EQ_INT(n, 4, "four hourly rows across a 2-hour hole");
	UT_CHECK(rows[1].quality == 'M' && isnan(rows[1].energy) && (rows[1].flags & METER_F_GAP) &&
		 rows[1].readings == 0, "hole hour 1 missing");
	UT_CHECK(rows[2].quality == 'M', "hole hour 2 missing");
	UT_CHECK(rows[3].quality == 'A' && rows[3].energy == 4, "after the hole actual again");
	meter_get_counts(m, &c);
	UT_EQ_INT(c.missing, 8, "eight intervals missing");
	UT_EQ_INT(c.rows_missing, 2, "two rows missing");
	meter_agg_free(m);

	/* max gap 0 minutes: a 15-minute hole is not filled */
	meter_opts o = {ber, 60, -1, 0, 0, 0};
	m = meter_agg_new(&o, &e);
	push_series(m, "G", t0, 15, 1, NULL, &e);
	push_series(m, "G", t0 + 2 * 900, 15, 2, NULL, &e);
	meter_finish(m, &e);
	n = drain(m, rows, 50);
	UT_CHECK(n == 1 && rows[0].quality == 'M' && rows[0].readings == 3, "no filling when disabled");
	meter_agg_free(m);

	/* a series starting mid-hour: the first hour is incomplete */
	m = agg(ber, 60);
	push_series(m, "G", t0 + 900, 15, 7, NULL, &e);
	meter_finish(m, &e);
	n = drain(m, rows, 50);
	UT_CHECK(n == 2 && rows[0].quality == 'M' && rows[0].readings == 3 && rows[1].quality == 'A',
		 "partial first hour missing, second actual");
	meter_agg_free(m);
}

static void test_vee(void)
{
	qe_err e;
	meter_row rows[50];
	meter_counts c;
	int64_t t0 = at("2026-06-01T00:00:00+02:00");
	meter_agg *m = agg(ber, 60);
	meter_reading r = {"V", t0, 15, 1.0, 'A', 2};
	UT_EQ_INT(meter_push(m, &r, &e), 0, "first reading");
	UT_EQ_INT(meter_push(m, &r, &e), 0, "identical duplicate accepted");
	r.utc += 900;
	meter_push(m, &r, &e);
	r.energy = 5.0;
	UT_EQ_INT(meter_push(m, &r, &e), 0, "conflicting duplicate accepted");
	r.utc += 900;
	r.energy = -2.0;
	UT_EQ_INT(meter_push(m, &r, &e), 0, "negative reading accepted");
	r.utc += 900;
	r.energy = 1.0;
	meter_push(m, &r, &e);
	r.utc -= 1800;
	UT_EQ_INT(meter_push(m, &r, &e), QE_DATA, "going back in time refused");
	UT_CHECK(strstr(e.msg, "sorted") != NULL, "message says why");
	r.utc += 1800 + 60;
	UT_EQ_INT(meter_push(m, &r, &e), QE_DATA, "misaligned reading refused");
	r.utc = t0 + 3600;
	r.interval_min = 7;
	UT_EQ_INT(meter_push(m, &r, &e), QE_DATA, "7-minute interval refused");
	r.interval_min = 15;
	r.energy = NAN;
	UT_EQ_INT(meter_push(m, &r, &e), QE_DATA, "NaN energy refused");
	r.energy = 1;
	r.quality = 'X';
	UT_EQ_INT(meter_push(m, &r, &e), QE_DATA, "quality X refused");
	meter_finish(m, &e);
	int n = drain(m, rows, 50);
	UT_EQ_INT(n, 1, "one hour");
	UT_CHECK(rows[0].flags & METER_F_DUPLICATE, "conflicting duplicate flagged");
	UT_CHECK(rows[0].flags & METER_F_NEGATIVE, "negative flagged");
	UT_CHECK(rows[0].quality == 'E' && rows[0].energy == 4.0, "negative replaced by interpolation: 1+1+1+1");
	meter_get_counts(m, &c);
	UT_EQ_INT(c.duplicates, 2, "two duplicates counted");
	UT_EQ_INT(c.negatives, 1, "one negative counted");
	UT_EQ_INT(c.readings, 6, "six readings accepted, the five refused ones not counted");
	meter_agg_free(m);

	/* meter ids must not come back */
	m = agg(ber, 60);
	push_series(m, "A", t0, 60, 2, NULL, &e);
	push_series(m, "B", t0, 60, 2, NULL, &e);
	UT_EQ_INT(drain(m, rows, 50), 2, "meter A's rows are ready once B starts");
	UT_EQ_STR(rows[0].meter_id, "A", "row names meter A");
	UT_EQ_INT(push_series(m, "A", t0 + 7200, 60, 1, NULL, &e), QE_DATA, "meter A again refused");
	meter_finish(m, &e);
	UT_EQ_INT(drain(m, rows, 50), 2, "meter B's rows at finish");
	meter_agg_free(m);

	/* 60-minute readings cannot fill 15-minute periods */
	m = agg(ber, 15);
	UT_EQ_INT(push_series(m, "A", t0, 60, 1, NULL, &e), QE_DATA, "interval longer than period refused");
	meter_agg_free(m);

	/* input quality E and M */
	m = agg(ber, 60);
	meter_reading q = {"Q", t0, 30, 1.0, 'E', 2};
	meter_push(m, &q, &e);
	q.utc += 1800;
	q.quality = 'A';
	meter_push(m, &q, &e);
	q.utc += 1800;
	q.quality = 'M';
	q.energy = NAN;
	UT_EQ_INT(meter_push(m, &q, &e), 0, "quality M with empty energy accepted");
	meter_finish(m, &e);
	n = drain(m, rows, 50);
	UT_CHECK(n == 2 && rows[0].quality == 'E' && (rows[0].flags & METER_F_INPUT_EST), "input E kept");
	UT_CHECK(rows[1].quality == 'M', "trailing M stays missing");
	meter_agg_free(m);
}

static void test_outliers(void)
{
	qe_err e;
	meter_row rows[50];
	double v[96];
	for (int i = 0; i < 96; i++)
		v[i] = 1.0 + 0.01 * (i % 7);
	v[50] = 9.0;
	meter_agg *m = agg(ber, 60);
	push_series(m, "O", at("2026-06-01T00:00:00+02:00"), 15, 96, v, &e);
	meter_finish(m, &e);
	int n = drain(m, rows, 50);
	int flagged = 0, which = -1;
	for (int i = 0; i < n; i++)
		if (rows[i].flags & METER_F_OUTLIER) {
			flagged++;
			which = i;
		}
	UT_EQ_INT(flagged, 1, "exactly one hour flagged as outlier");
	UT_EQ_INT(which, 12, "the spike's hour (reading 50 is in hour 12)");
	UT_EQ_INT(rows[12].quality, 'A', "outliers keep their quality");
	char fb[8];
	meter_flags_format(fb, rows[12].flags);
	UT_EQ_STR(fb, "O", "flag string");
	meter_flags_format(fb, METER_F_GAP | METER_F_NEGATIVE | METER_F_ESTIMATED);
	UT_EQ_STR(fb, "GNE", "flag string order");
	meter_agg_free(m);

	/* constant series: MAD = 0 and mean deviation = 0: nothing flagged */
	m = agg(ber, 60);
	push_series(m, "C", at("2026-06-01T00:00:00+02:00"), 15, 96, NULL, &e);
	meter_finish(m, &e);
	n = drain(m, rows, 50);
	flagged = 0;
	for (int i = 0; i < n; i++)
		flagged += !!(rows[i].flags & METER_F_OUTLIER);
	UT_EQ_INT(flagged, 0, "constant series has no outliers");
	meter_agg_free(m);
}


static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double med_of(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_dbl);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The documented rule, computed the slow way: sort every window. */
static int brute_outlier(const double *x, size_t n, size_t i, size_t w, double thr)
{
	double buf[256], dev[256];
	if (w > n)
		w = n;
	size_t lo = i >= w / 2 ? i - w / 2 : 0;
	if (lo + w > n)
		lo = n - w;
	memcpy(buf, x + lo, w * sizeof *x);
	double med = med_of(buf, w), mean_abs = 0;
	for (size_t j = 0; j < w; j++) {
		dev[j] = fabs(x[lo + j] - med);
		mean_abs += dev[j] / (double)w;
	}
	double mad = med_of(dev, w), z = 0;
	if (mad > 0)
		z = 0.6745 * (x[i] - med) / mad;
	else if (mean_abs > 0)
		z = (x[i] - med) / (1.2533 * mean_abs);
	return fabs(z) > thr;
}

static void test_outliers_brute(void)
{
	qe_err e;
	enum { N = 400 };
	static double v[N];
	static meter_row rows[N];
	unsigned long long s = 12345;
	int windows[] = {5, 6, 11, 97, 255};
	int all = 1, flagged_total = 0;
	for (int round = 0; round < 3; round++)
		for (size_t wi = 0; wi < sizeof windows / sizeof windows[0]; wi++) {
			for (int i = 0; i < N; i++) {
				s = s * 6364136223846793005ull + 1442695040888963407ull;
				double u = (double)(s >> 11) / 9007199254740992.0;
				/* plateaus (MAD 0 windows) in round 0, noise plus spikes otherwise */
				v[i] = round == 0 ? (i / 50 % 2 ? 2.0 : 1.0) + (u > 0.97 ? 5 : 0)
						  : 1.0 + u + (u > 0.98 ? 20.0 * u : 0);
			}
			meter_opts o = {ber, 15, 0, windows[wi], round == 2 ? 2.0 : 0, 0};
			meter_agg *m = meter_agg_new(&o, &e);
			push_series(m, "R", at("2026-01-05T00:00:00+01:00"), 15, N, v, &e);
			meter_finish(m, &e);
			int n = drain(m, rows, N);
			for (int i = 0; i < n && i < N; i++) {
				int want = brute_outlier(v, N, (size_t)i, (size_t)windows[wi], round == 2 ? 2.0 : 3.5);
				int got = !!(rows[i].flags & METER_F_OUTLIER);
				flagged_total += got;
				if (want != got) {
					if (all)
						printf("#   round %d window %d reading %d: got %d want %d\n", round,
						       windows[wi], i, got, want);
					all = 0;
				}
			}
			all &= n == N;
			meter_agg_free(m);
		}
	UT_CHECK(all, "sliding-window outlier flags equal a sort-every-window count");
	UT_CHECK(flagged_total > 20, "and the random series do contain outliers");
}

static void test_clock_drift(void)
{
	qe_err e;
	meter_row rows[8];
	meter_counts c;
	int64_t t0 = at("2026-06-01T00:00:00+02:00");
	meter_opts o = {ber, 60, 0, 0, 0, 30};
	meter_agg *m = meter_agg_new(&o, &e);
	meter_reading r = {"C", t0, 15, 1.0, 'A', 0};
	meter_push(m, &r, &e);
	r.utc = t0 + 900 + 20; /* 20 s late */
	UT_EQ_INT(meter_push(m, &r, &e), 0, "20 s drift accepted with a 30 s tolerance");
	r.utc = t0 + 1800 - 25; /* 25 s early */
	UT_EQ_INT(meter_push(m, &r, &e), 0, "25 s early accepted");
	r.utc = t0 + 2700 + 31;
	UT_EQ_INT(meter_push(m, &r, &e), QE_DATA, "31 s drift refused");
	r.utc = t0 + 2700;
	meter_push(m, &r, &e);
	meter_finish(m, &e);
	int n = drain(m, rows, 8);
	UT_CHECK(n == 1 && rows[0].quality == 'A' && rows[0].energy == 4.0 && rows[0].readings == 4,
		 "snapped readings fill the hour");
	char fb[8];
	meter_flags_format(fb, rows[0].flags);
	UT_EQ_STR(fb, "C", "hour flagged C");
	meter_get_counts(m, &c);
	UT_EQ_INT(c.drifted, 2, "two readings snapped");
	meter_agg_free(m);
	o.max_drift_s = 301;
	UT_CHECK(meter_agg_new(&o, &e) == NULL && e.code == QE_USAGE, "tolerance over 300 s refused");
	meter_flags_format(fb, 0x7f);
	UT_EQ_STR(fb, "GDNOEIC", "all seven flags fit the buffer");
}

/* A half-hour zone: hourly periods start at :30 UTC. */
static void test_half_hour_zone(void)
{
	qe_err e;
	meter_row rows[8];
	char buf[TS_BUFSZ];
	qe_tz *kol = tz_load("Asia/Kolkata", &e);
	meter_agg *m = agg(kol, 60);
	push_series(m, "K", at("2026-06-01T00:00:00+05:30"), 15, 8, NULL, &e);
	meter_finish(m, &e);
	int n = drain(m, rows, 8);
	ts_format(buf, (qe_ts){rows[1].utc, rows[1].offset}, 0);
	UT_CHECK(n == 2 && rows[0].energy == 4.0, "two local hours in Kolkata");
	UT_EQ_STR(buf, "2026-06-01T01:00:00+05:30", "second hour starts 01:00 local (19:30Z)");
	meter_agg_free(m);
	tz_free(kol);
}

static void test_registers(void)
{
	double d;
	UT_EQ_INT(meter_register_delta(100, 150, 1e6, &d), METER_REG_OK, "register up");
	UT_NEAR(d, 50, 0, "50 consumed");
	UT_EQ_INT(meter_register_delta(999990, 15, 1e6, &d), METER_REG_ROLLOVER, "6-digit register wraps");
	UT_NEAR(d, 25, 0, "25 consumed across the wrap");
	UT_EQ_INT(meter_register_delta(500, 400, 1e6, &d), METER_REG_NEGATIVE, "a fall mid-range is negative");
	UT_NEAR(d, -100, 0, "delta -100");
	UT_EQ_INT(meter_register_delta(10, 5, 0, &d), METER_REG_NEGATIVE, "no rollover given: negative");
	UT_EQ_INT(meter_register_delta(1e6 + 5, 3, 1e6, &d), METER_REG_NEGATIVE, "read above the range: negative");
	UT_EQ_INT(meter_register_delta(NAN, 3, 1e6, &d), METER_REG_NEGATIVE, "NaN refused");
}

static void test_degree_days(void)
{
	UT_NEAR(degree_days_heating(10.0, DEGREE_DAY_BASE_C), 8.0, 0, "HDD 10 C = 8");
	UT_NEAR(degree_days_heating(20.0, DEGREE_DAY_BASE_C), 0.0, 0, "HDD 20 C = 0");
	UT_NEAR(degree_days_cooling(75.0, DEGREE_DAY_BASE_F), 10.0, 0, "CDD 75 F = 10");
	UT_NEAR(degree_days_cooling(60.0, DEGREE_DAY_BASE_F), 0.0, 0, "CDD 60 F = 0");
	UT_NEAR(degree_days_mean(4.0, 12.0), 8.0, 0, "mean of min and max");
}

int main(void)
{
	qe_err e;
	ber = tz_load("Europe/Berlin", &e);
	chi = tz_load("America/Chicago", &e);
	if (!ber || !chi) {
		printf("not ok 1 - load zones: %s\n", e.msg);
		return 1;
	}
	test_dst_days();
	test_gaps();
	test_vee();
	test_outliers();
	test_outliers_brute();
	test_clock_drift();
	test_half_hour_zone();
	test_registers();
	test_degree_days();
	tz_free(ber);
	tz_free(chi);
	return ut_done();
}
