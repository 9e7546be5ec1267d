/* Benchmark driver for lib/tz, lib/period and lib/meters (built by ./run).
 *   bench_dates tz N            N UTC->local conversions in Europe/Berlin
 *   bench_dates shape Y0 Y1     peak hours of every month, Berlin
 *   bench_dates meters M DAYS   M meters x DAYS of 15-minute readings -> hourly
 * Prints "seconds checksum". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/meters.h"
#include "time/period.h"
#include "time/tz.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	qe_err e;
	qe_tz *ber = tz_load("Europe/Berlin", &e);
	if (!ber || argc < 3)
		return 2;
	double t0 = now(), sum = 0;
	if (strcmp(argv[1], "tz") == 0) {
		long n = atol(argv[2]);
		int64_t start = 1577836800; /* 2020-01-01 */
		int64_t acc = 0;
		for (long i = 0; i < n; i++)
			acc += tz_utc_to_local(ber, start + i * 31) & 0xffff;
		sum = (double)acc;
	} else if (strcmp(argv[1], "shape") == 0 && argc > 3) {
		for (int y = atoi(argv[2]); y <= atoi(argv[3]); y++)
			for (int m = 1; m <= 12; m++)
				sum += (double)shape_hours(SHAPE_PEAK, date_from_ymd(y, m, 1),
							   date_from_ymd(y, m, date_days_in_month(y, m)), ber, &e);
	} else if (strcmp(argv[1], "meters") == 0 && argc > 3) {
		int meters = atoi(argv[2]), days = atoi(argv[3]);
		int64_t start = 1767222000; /* 2026-01-01T00:00:00+01:00 */
		long n = (long)days * 96;
		double *v = malloc((size_t)n * sizeof *v);
		for (long i = 0; i < n; i++)
			v[i] = 1.0 + 0.5 * (double)((i * 7919) % 13) / 13.0;
		t0 = now();
		meter_opts o = {ber, 60, 0, 0, 0, 0};
		meter_agg *m = meter_agg_new(&o, &e);
		meter_row r;
		char id[32];
		for (int k = 0; k < meters; k++) {
			snprintf(id, sizeof id, "M%05d", k);
			for (long i = 0; i < n; i++) {
				if (i % 1000 == 999)
					continue; /* a one-reading gap now and then */
				meter_reading rd = {id, start + i * 900, 15, v[i], 'A', 0};
				if (meter_push(m, &rd, &e))
					return 3;
				while (meter_next_row(m, &r))
					sum += r.energy;
			}
		}
		meter_finish(m, &e);
		while (meter_next_row(m, &r))
			sum += r.energy;
		meter_agg_free(m);
		free(v);
	} else {
		return 2;
	}
	printf("%.3f %.6f\n", now() - t0, sum);
	tz_free(ber);
	return 0;
}
