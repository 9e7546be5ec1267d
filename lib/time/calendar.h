/*
 * calendar: business-day calendars.  A calendar is a set of holidays read
 * from a holiday file (calendars/NAME.txt: one ISO date a line, '#'
 * comment lines, a header giving the calendar's name, source and the date
 * it was checked - see qe-formats(5) CALENDARS); Saturdays and Sundays are
 * never business days.  Rolling (following, modified following, ...),
 * adding business days and counting them in a range.
 *
 * A calendar knows the years its file covers (from the "# covers:
 * YYYY-YYYY" header line, else the years of its first and last holiday);
 * asking about a date outside them is allowed (only weekends are known
 * there) but cal_covers() lets a tool refuse to guess.
 *
 * Also the rule-based holidays every tool needs: Easter Sunday and the
 * NERC holidays for US power shapes (a Sunday holiday moves to Monday).
 *
 * Owns: the qe_calendar it returns (cal_free).  Immutable after loading,
 * so threads may share one.  Never prints, never exits.
 */
#ifndef QE_CALENDAR_H
#define QE_CALENDAR_H

#include <stddef.h>

#include "core/date.h"
#include "core/diag.h"

typedef struct qe_calendar qe_calendar;

/* Loads a holiday file.  A malformed line is QE_DATA "file:line: ...";
 * an unreadable file QE_IO. */
qe_calendar *cal_load(const char *path, qe_err *e);
/* Loads NAME.txt from directory dir.  NAME is [A-Za-z0-9_-]+; the
 * built-in names "WEEKENDS" (no holidays) and "NERC" (rule-based, any
 * year) need no file.  The caller chooses dir (cal_dir_choose()); this
 * module looks nowhere else: with dir NULL only the built-ins are known.
 * Unknown: QE_DATA naming the file looked for. */
qe_calendar *cal_load_named(const char *name, const char *dir, qe_err *e);
/* The directory a run's calendars come from: the first of these that
 * applies, and only it (qe-formats(5) CALENDARS):
 *   option    the tool's --calendars DIR, when given;
 *   env       $QE_CALENDAR_DIR as the caller read it, when non-empty;
 *   markets   the curve master's path: calendars/ in its directory, when
 *             that directory exists;
 *   sharedir  the installed share directory: sharedir/calendars.
 * NULL or "" skips a source.  Writes the choice into buf[n] and returns
 * buf, or NULL when no source applies or the path does not fit.  Reads
 * no environment and no working directory of its own. */
const char *cal_dir_choose(const char *option, const char *env, const char *markets,
			   const char *sharedir, char *buf, size_t n);
/* Builds a calendar from an explicit holiday list (any order, duplicates
 * allowed); covers [first_year, last_year]. */
qe_calendar *cal_from_dates(const char *name, const qe_date *holidays, size_t n,
			    int first_year, int last_year);
void cal_free(qe_calendar *cal);

const char *cal_name(const qe_calendar *cal);
/* The "# source:" header line, or "" when absent. */
const char *cal_source(const qe_calendar *cal);
/* 1 when d lies in the years the holiday list covers. */
int cal_covers(const qe_calendar *cal, qe_date d);

int cal_is_holiday(const qe_calendar *cal, qe_date d);
/* Not a Saturday, Sunday or holiday. */
int cal_is_business_day(const qe_calendar *cal, qe_date d);

/* d itself if a business day, else the next one after it. */
qe_date cal_following(const qe_calendar *cal, qe_date d);
/* d itself if a business day, else the last one before it. */
qe_date cal_preceding(const qe_calendar *cal, qe_date d);
/* Following, unless that crosses into the next month: then preceding. */
qe_date cal_modified_following(const qe_calendar *cal, qe_date d);
/* Preceding, unless that crosses into the previous month: then following. */
qe_date cal_modified_preceding(const qe_calendar *cal, qe_date d);
/* The first business day strictly after / before d. */
qe_date cal_next_business_day(const qe_calendar *cal, qe_date d);
qe_date cal_prev_business_day(const qe_calendar *cal, qe_date d);
/* Moves n business days from d (n < 0 goes back).  d need not be a
 * business day: adding 1 to a Saturday gives the Monday (if open);
 * adding 0 returns d unchanged. */
qe_date cal_add_business_days(const qe_calendar *cal, qe_date d, int n);
/* Business days in the inclusive range [a, b]; 0 when b < a. */
int cal_business_days(const qe_calendar *cal, qe_date a, qe_date b);
/* Last / first business day of the month containing d. */
qe_date cal_last_business_day_of_month(const qe_calendar *cal, qe_date d);
qe_date cal_first_business_day_of_month(const qe_calendar *cal, qe_date d);

/* --- rule-based holidays ---------------------------------------------- */

/* Easter Sunday of year y (Gregorian computus, Meeus/Jones/Butcher). */
qe_date cal_easter_sunday(int y);
/* The n-th (n >= 1) ISO weekday wd (1 = Monday) of month m, or the last
 * one when n = -1. */
qe_date cal_nth_weekday(int y, int m, int wd, int n);
/* NERC holidays: New Year's Day, Memorial Day, Independence Day, Labor
 * Day, Thanksgiving, Christmas; one falling on a Sunday is observed on the
 * Monday after (a Saturday holiday is not moved). */
int cal_is_nerc_holiday(qe_date d);

#endif
