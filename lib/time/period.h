/*
 * period: delivery periods, delivery shapes and contract expiry rules.
 *
 * A period is an inclusive range of local calendar days (gas days for gas
 * products) with a kind; labels follow trading-screen usage:
 *   2027-01-15            day
 *   2027-01 / Jan-27      month
 *   2027-Q1 / Q1-27       quarter
 *   Sum-27 / Win-27       season: summer Apr-Sep 2027, winter Oct 2027-Mar 2028
 *   Cal-27 / 2027         calendar year
 *   GY-27                 gas year 1 Oct 2027 - 30 Sep 2028
 *   BOM                   balance of month: the day after asof to month end
 *   WE                    the weekend (Sat-Sun) after asof
 *   DA                    the day after asof
 * Two-digit years mean 20YY; four digits are accepted too (Cal-2027).
 *
 * Shapes say which hours of a period are delivered, in the market's local
 * time zone (DST-correct: a Europe/Berlin March base month has 743 hours):
 *   base, peak, offpeak   EEX: peak = Mon-Fri 08:00-20:00 local, public
 *                         holidays included; offpeak = base - peak
 *   5x16, 2x16, 7x8, 7x24 NERC: hours ending 07-22 (06:00-22:00) Mon-Fri
 *                         except NERC holidays / Sat, Sun and NERC
 *                         holidays / hours ending 01-06 and 23-24 every day
 *                         / every hour
 *   gasday_eu             gas days 06:00-06:00 local time of the zone given
 *   gasday_us             NAESB gas days 09:00-09:00 America/Chicago
 *                         (whatever zone is given)
 *   gasday                gasday_us for an America/ zone, else gasday_eu
 * For gas-day shapes the period's days are gas days: gas day D starts on
 * day D at 06:00 (09:00) and ends on day D+1.
 *
 * Owns nothing beyond what the caller passes; never prints, never exits.
 */
#ifndef QE_PERIOD_H
#define QE_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include "time/calendar.h"
#include "core/date.h"
#include "core/diag.h"
#include "time/tz.h"

enum period_kind {
	PERIOD_DAY,
	PERIOD_WEEKEND,
	PERIOD_BOM,
	PERIOD_MONTH,
	PERIOD_QUARTER,
	PERIOD_SEASON,   /* summer Apr-Sep or winter Oct-Mar */
	PERIOD_YEAR,     /* calendar year */
	PERIOD_GAS_YEAR, /* 1 Oct - 30 Sep */
	PERIOD_RANGE     /* any other inclusive range */
};

typedef struct qe_period {
	int kind;      /* enum period_kind */
	qe_date first; /* inclusive */
	qe_date last;  /* inclusive */
} qe_period;

/* Parses a label (len bytes, case-insensitive).  asof is needed only by
 * the relative labels BOM, WE and DA.  Returns 0 or QE_DATA (e names the
 * label).  BOM on the last day of a month is QE_DATA (nothing left). */
int period_parse(const char *label, size_t len, qe_date asof, qe_period *out, qe_err *e);
int period_parse_z(const char *label, qe_date asof, qe_period *out, qe_err *e);
/* Canonical label ("2027-01", "2027-Q1", "Sum-27", "Win-27", "Cal-27",
 * "GY-27", "2027-01-15"; weekend/BOM/range as "2027-01-09/2027-01-10";
 * years outside 2000-2099 with four digits, "Cal-2105") into buf
 * (PERIOD_BUFSZ bytes).  Returns the length. */
#define PERIOD_BUFSZ 32
int period_format(char *buf, const qe_period *p);
/* Classifies an inclusive date range (month, quarter, ...) or RANGE. */
qe_period period_from_range(qe_date first, qe_date last);
/* Constructors. */
qe_period period_month(int y, int m);
qe_period period_quarter(int y, int q);
qe_period period_season(int y, int summer);  /* summer=1: Apr-Sep y; 0: Oct y - Mar y+1 */
qe_period period_year(int y);
qe_period period_gas_year(int y);             /* 1 Oct y - 30 Sep y+1 */
/* Number of (gas) days in the period. */
int period_days(const qe_period *p);
/* Gas days in month m of year y (a gas month runs from its first gas day
 * to its last, so this equals the calendar days). */
int gas_days_in_month(int y, int m);

/* --- shapes ------------------------------------------------------------ */

enum shape {
	SHAPE_BASE,
	SHAPE_PEAK,
	SHAPE_OFFPEAK,
	SHAPE_5X16,
	SHAPE_2X16,
	SHAPE_7X8,
	SHAPE_7X24,
	SHAPE_GASDAY,    /* resolved per zone, see above */
	SHAPE_GASDAY_EU,
	SHAPE_GASDAY_US
};

/* Parses a shape name (case-insensitive; "7x24" and "base" are distinct
 * names for the same hours).  Returns 0, or -1 if unknown. */
int shape_parse(const char *s, size_t len, int *shape);
const char *shape_name(int shape);
/* 1 for the gas-day shapes. */
int shape_is_gas(int shape);

/* Delivery intervals of `minutes` (15 or 60; also 5 and 30) of the shape
 * over the inclusive local days [first, last] in zone tz: counts them.
 * A shape hour belongs to a shape when the local wall-clock hour at its
 * start does, so a fall-back night adds a 7x8 / offpeak hour and a
 * spring-forward night removes one.  Returns the count (>= 0) or -1 with e
 * filled (bad minutes, last < first, more than 100 years). */
int64_t shape_count(int shape, qe_date first, qe_date last, const qe_tz *tz,
		    int minutes, qe_err *e);
/* Shorthand: hours (minutes = 60). */
int64_t shape_hours(int shape, qe_date first, qe_date last, const qe_tz *tz, qe_err *e);

/* Enumerates the UTC start instants of the shape's intervals in time
 * order into out[0..cap); returns the total count (which may exceed cap:
 * call with out = NULL, cap = 0 to size a buffer) or -1 with e filled. */
int64_t shape_intervals(int shape, qe_date first, qe_date last, const qe_tz *tz,
			int minutes, int64_t *out, size_t cap, qe_err *e);

/* 1 when the interval starting at instant utc belongs to the shape.
 * For gas-day shapes every instant belongs. */
int shape_contains(int shape, const qe_tz *tz, int64_t utc);

/* --- contract expiry --------------------------------------------------- */

/* Last trading day of a futures contract:
 *   NG     3 business days before the first calendar day of the delivery month
 *   CL     3 business days before the 25th calendar day of the month before
 *          delivery; if the 25th is not a business day, 3 business days
 *          before the last business day preceding the 25th
 *   BRENT  last business day of the second month preceding delivery
 *          (also "B")
 *   RB, HO last business day of the month before delivery
 *   EUA    last Monday of the contract month; if it is not a business day,
 *          or a non-business day falls in the 4 days after it, the
 *          penultimate Monday (ICE Endex EUA futures rule, which names UK
 *          bank holidays: pass the UK_BANK calendar)
 * delivery_month is any day of the delivery month; cal the venue's
 * business-day calendar.  Returns 0, or QE_DATA for an unknown product or
 * a date outside the calendar's coverage. */
int contract_expiry(const char *product, qe_date delivery_month, const qe_calendar *cal,
		    qe_date *out, qe_err *e);

#endif
