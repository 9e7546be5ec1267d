/*
 * meters: validation, estimation and editing (VEE) of interval meter
 * readings, and their aggregation into settlement periods of the market's
 * local time; plus heating/cooling degree days.
 *
 * Streaming per meter: feed readings sorted by meter id, then time, with
 * meter_push(); when the meter id changes (or at meter_finish()) the
 * previous meter's series is validated, gaps are filled and settlement
 * rows are queued; take them with meter_next_row().  Memory holds one
 * meter's readings at a time.  Input that is not sorted is an error
 * (QE_DATA) that names both timestamps; a meter id that comes back after
 * another meter is an error too.
 *
 * Rules (also in qe-formats(5) METERS):
 *  - A reading covers [utc, utc + interval_min); interval_min is 1, 5, 15,
 *    30 or 60 and must divide the settlement period (15, 30 or 60).
 *  - Settlement periods are aligned on the local wall clock of the zone:
 *    on a fall-back day the repeated hour gives distinct periods (same
 *    local time, different offset); on a spring-forward day the missing
 *    hour gives none.  A period's expected readings are
 *    period_min / interval_min.
 *  - Duplicate: a reading with the same start as the previous one of the
 *    meter.  An identical value is dropped silently (counted); a different
 *    one is dropped, counted, and the period flagged METER_F_DUPLICATE.  A
 *    reading that starts inside the previous one (overlap) likewise.
 *  - Negative energy: rejected (treated as missing, flagged
 *    METER_F_NEGATIVE); a reading of quality M is missing too.
 *  - Outlier: robust z-score z = 0.6745 (x - median) / MAD over a centred
 *    rolling window of `outlier_window` readings (default 97: +-48) of the
 *    meter; |z| > outlier_z (default 3.5, Iglewicz-Hoaglin) flags the
 *    period METER_F_OUTLIER.  When MAD = 0, the mean absolute deviation
 *    times 1.2533 replaces it; when that is 0 too, nothing is flagged.
 *    Outliers are flagged, never changed.
 *  - Gaps: consecutive missing intervals of at most max_gap_min minutes
 *    (default 60) between two valid readings are filled by linear
 *    interpolation of the interval energy between the neighbours and
 *    marked estimated (quality E, METER_F_ESTIMATED).  Longer gaps, and
 *    gaps at the start or end of a meter's series, stay missing: the
 *    period has quality M, no energy (NaN), METER_F_GAP.
 *  - Clock drift: a start up to max_drift_s seconds (default 0) off its
 *    interval grid is snapped to the nearest boundary and the period
 *    flagged METER_F_CLOCK; further off is an error (QE_DATA).
 *  - Period quality: M if any expected reading is missing, else E if any
 *    reading is estimated (input E or filled), else A.
 *
 * Owns: the meter_agg and every meter id string; a row's meter_id stays
 * valid until meter_agg_free().  Never prints, never exits.
 */
#ifndef QE_METERS_H
#define QE_METERS_H

#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "time/tz.h"

typedef struct meter_reading {
	const char *meter_id; /* copied by meter_push */
	int64_t utc;          /* interval start */
	int interval_min;     /* 1, 5, 15, 30, 60 */
	double energy;        /* NaN allowed when quality is 'M' */
	char quality;         /* 'A', 'E' or 'M' */
	long line;            /* source line for messages, 0 if none */
} meter_reading;

enum meter_flag {
	METER_F_GAP = 1 << 0,        /* some expected reading is missing */
	METER_F_DUPLICATE = 1 << 1,  /* conflicting duplicate/overlapping reading dropped */
	METER_F_NEGATIVE = 1 << 2,   /* a negative reading was rejected */
	METER_F_OUTLIER = 1 << 3,    /* a reading failed the robust z-score test */
	METER_F_ESTIMATED = 1 << 4,  /* a reading was filled by interpolation */
	METER_F_INPUT_EST = 1 << 5,  /* a reading arrived with quality E */
	METER_F_CLOCK = 1 << 6       /* a drifted timestamp was snapped to its interval */
};

typedef struct meter_row {
	const char *meter_id;
	int64_t utc;         /* period start */
	int32_t offset;      /* local UTC offset at the period start */
	int period_min;
	double energy;       /* sum of the period's readings; NaN when quality M */
	char quality;        /* 'A', 'E' or 'M' */
	unsigned flags;      /* enum meter_flag bits */
	int readings;        /* valid readings (actual + estimated) */
	int expected;        /* period_min / interval_min */
} meter_row;

typedef struct meter_counts {
	long readings;       /* accepted by meter_push (duplicates included) */
	long meters;
	long rows;           /* settlement rows produced */
	long rows_actual, rows_estimated, rows_missing;
	long duplicates;     /* readings dropped as duplicates or overlaps */
	long negatives;      /* readings rejected as negative */
	long outliers;       /* readings flagged as outliers */
	long filled;         /* intervals filled by interpolation */
	long missing;        /* intervals left missing inside a series */
	long drifted;        /* readings whose timestamp was snapped (clock drift) */
} meter_counts;

typedef struct meter_opts {
	const qe_tz *tz;     /* market zone (required) */
	int period_min;      /* 15, 30 or 60; 0 = 60 */
	int max_gap_min;     /* longest gap filled; 0 = 60, < 0 = never fill */
	int outlier_window;  /* readings in the rolling window (odd); 0 = 97 */
	double outlier_z;    /* threshold; 0 = 3.5, < 0 = no outlier test */
	int max_drift_s;     /* clock drift tolerated, seconds (0-300); 0 = none */
} meter_opts;

typedef struct meter_agg meter_agg;

/* opts is copied (tz must outlive the aggregator).  Bad options: QE_USAGE. */
meter_agg *meter_agg_new(const meter_opts *opts, qe_err *e);
void meter_agg_free(meter_agg *m);

/* Adds one reading.  Returns 0, or QE_DATA for unsorted input, an
 * unsupported interval, a start not aligned on its interval (in local
 * time), or a non-finite energy with quality A/E.  After an error the
 * offending reading is ignored and the stream may continue. */
int meter_push(meter_agg *m, const meter_reading *r, qe_err *e);
/* Ends the input: processes the last meter. */
int meter_finish(meter_agg *m, qe_err *e);
/* Next queued settlement row: 1 and *row filled, or 0 when none is queued
 * (call after every meter_push and after meter_finish). */
int meter_next_row(meter_agg *m, meter_row *row);
void meter_get_counts(const meter_agg *m, meter_counts *out);

/* One-letter flag string ("G", "DN", ...; "" when none) into buf (8 bytes):
 * G gap, D duplicate, N negative, O outlier, E estimated, I input
 * estimate, C clock drift snapped. */
void meter_flags_format(char *buf, unsigned flags);

/* --- cumulative registers ------------------------------------------------ */

enum meter_register_status {
	METER_REG_OK = 0,       /* cur >= prev */
	METER_REG_ROLLOVER = 1, /* the register wrapped past `rollover` */
	METER_REG_NEGATIVE = -1 /* went backwards: reject the interval */
};
/* Consumption between two reads of a cumulative register that wraps at
 * `rollover` (1e6 for a 6-digit kWh register; 0 = never wraps).  A wrap
 * is believed only when both reads are below `rollover` and the implied
 * consumption (rollover - prev + cur) is at most half the register's
 * range; otherwise a fall is negative consumption (meter exchange or bad
 * read) and *delta is cur - prev (< 0).  Non-finite input is NEGATIVE. */
int meter_register_delta(double prev, double cur, double rollover, double *delta);

/* --- degree days ------------------------------------------------------- */

#define DEGREE_DAY_BASE_C 18.0
#define DEGREE_DAY_BASE_F 65.0
/* HDD = max(0, base - mean), CDD = max(0, mean - base); mean is the
 * daily mean temperature in the base's unit. */
double degree_days_heating(double mean, double base);
double degree_days_cooling(double mean, double base);
/* Daily mean from min and max ((tmin + tmax) / 2), the usual convention
 * when no hourly mean is published. */
double degree_days_mean(double tmin, double tmax);

#endif
