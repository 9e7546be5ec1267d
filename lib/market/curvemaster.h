/*
 * curvemaster: the curve master (markets.csv, qe-formats(5) MARKETS), the
 * one module that reads it.  Every other module asks it, per curve: the
 * commodity, venue, unit, currency, time zone, business-day calendar,
 * default shape and option model, lot size, return type, the exchange
 * product whose expiry rule its monthly contracts follow, how they settle,
 * and the index a swap on it averages.
 *
 * The curve -> product map is here and only here, so valuation
 * (lib/price) and the hedge menus (lib/opt) can never disagree about
 * which contracts are past their last trading day.  It matches exact
 * curve names: NG_HH, NG -> NG; CL_WTI, CL, WTI -> CL; BRENT, B -> BRENT;
 * HO_ULSD, HO -> HO; RBOB, RB -> RB; EUA -> EUA.  A prefix is never
 * enough: RB_NYH has no listed rule.
 *
 * Only the curve column is required; every other column the file has is
 * checked once here (lot_size > 0, returns log/abs, model black76/
 * bachelier, shape) and a reader that needs one asks with
 * curvemaster_require().  Errors are QE_DATA at file:line:col.
 *
 * Owns: the rows it read and the calendars it loads, until
 * curvemaster_free().  Never prints; queries are read-only and safe from
 * many threads once loading is done.
 */
#ifndef QE_CURVEMASTER_H
#define QE_CURVEMASTER_H

#include <stddef.h>

#include "core/date.h"
#include "core/diag.h"
#include "time/calendar.h"

/* What a swap on the curve averages (DOMAIN.md "Indices, rolls and the
 * life of a contract"), by product: CL, BRENT, HO, RB front; NG lastday;
 * anything else (TTF, power, EUA) spot. */
enum curvemaster_index {
	CURVEMASTER_INDEX_SPOT,    /* day-ahead or spot index of each delivery day */
	CURVEMASTER_INDEX_FRONT,   /* front-month future's settlement, rolling at expiry */
	CURVEMASTER_INDEX_LASTDAY  /* final settlement of the month's own future */
};

typedef struct curvemaster_curve {
	const char *name;
	/* the text of these columns, "" when the file has no such column */
	const char *commodity, *venue, *unit, *currency, *timezone, *calendar;
	const char *model;   /* lower case: "black76", "bachelier" or "" */
	int shape;           /* default delivery shape (period.h) or -1 */
	double lot_size;     /* > 0; 0 when the file has no lot_size column */
	int returns_abs;     /* 1: absolute changes, 0: log returns (also when absent) */
	const char *product; /* contract_expiry() product, NULL: no listed rule */
	int cash_settled;    /* settles in cash: Brent on its final settlement; power
			      * (commodity "power", no listed rule) on the spot index
			      * of its delivery days; else delivers */
	int index;           /* enum curvemaster_index */
	long line;           /* line of its row in the file */
} curvemaster_curve;

typedef struct curvemaster curvemaster;

/* Reads path ("-": stdin).  QE_IO when it cannot be read, QE_DATA at
 * file:line:col for a bad value or a curve listed twice (names compare
 * without case). */
curvemaster *curvemaster_load(const char *path, qe_err *e);
void curvemaster_free(curvemaster *m);

/* The file's name as in messages. */
const char *curvemaster_file(const curvemaster *m);
size_t curvemaster_count(const curvemaster *m);
/* Curve i in file order. */
const curvemaster_curve *curvemaster_at(const curvemaster *m, size_t i);
/* The curve of that exact name, or NULL. */
const curvemaster_curve *curvemaster_find(const curvemaster *m, const char *name);
/* The curve whose name equals s[0..len) without regard to ASCII case
 * (input validation), or NULL. */
const curvemaster_curve *curvemaster_find_nocase(const curvemaster *m, const char *s, size_t len);
/* Position of c in file order (0 .. count-1). */
size_t curvemaster_pos(const curvemaster *m, const curvemaster_curve *c);

/* 1 when the file has column col. */
int curvemaster_has(const curvemaster *m, const char *col);
/* QE_DATA "file:1:1: missing required column 'x'" for the first of cols
 * the file lacks; 0 when it has them all. */
int curvemaster_require(const curvemaster *m, const char *const *cols, int n, qe_err *e);
/* The text of any column col of c's row ("desk", "commodity" ...), or
 * NULL when the file has no such column. */
const char *curvemaster_attr(const curvemaster *m, const curvemaster_curve *c, const char *col);
/* QE_DATA "file:line:col: column 'col': <msg>" at c's row. */
int curvemaster_field_error(const curvemaster *m, const curvemaster_curve *c, const char *col, qe_err *e,
			    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Loads each business-day calendar the calendar column names, once per
 * name, from caldir (NULL: only the built-in WEEKENDS and NERC).  A row
 * with an empty calendar gets none.  QE_DATA / QE_IO with the file name. */
int curvemaster_load_calendars(curvemaster *m, const char *caldir, qe_err *e);
/* c's calendar (after curvemaster_load_calendars), or NULL. */
const qe_calendar *curvemaster_calendar(const curvemaster *m, const curvemaster_curve *c);

/* Last trading day of c's contract for the delivery month starting
 * month_first, by its product's rule on its calendar (contract.h); a
 * curve with no listed rule trades until the business day before
 * delivery.  QE_DATA without a calendar or outside its coverage. */
int curvemaster_last_trade(const curvemaster *m, const curvemaster_curve *c, qe_date month_first,
			   qe_date *out, qe_err *e);

/* What a row of the curve named name gets from the curve -> product map
 * above, without a file: returns its index (enum curvemaster_index) and
 * sets *product (NULL: no listed rule) and *cash_settled when not NULL.
 * The generator (lib/synth) asks this so the data it writes follow the
 * map the readers use. */
int curvemaster_name_index(const char *name, const char **product, int *cash_settled);

/* 1 when c's index is a futures settlement (index front or lastday: NG,
 * CL, BRENT, HO, RB): its fixings and its history's tenor 0 are then the
 * settlement of the front-month contract of curvemaster_front_month()
 * (qe-formats(5) FIXINGS and HISTORY); 0 for a spot or day-ahead index. */
int curvemaster_fixes_front(const curvemaster_curve *c);
/* The same for a curve named name, without a file (the generator);
 * *product, when not NULL, gets its product as curvemaster_name_index(). */
int curvemaster_name_fixes_front(const char *name, const char **product);

/* First day of the delivery month of c's front-month contract on day d:
 * contract_front_month() with c's product on its calendar (a curve with
 * no listed rule: the contract trading until the business day before its
 * delivery month).  QE_DATA without a calendar or outside its coverage. */
int curvemaster_front_month(const curvemaster *m, const curvemaster_curve *c, qe_date d,
			    qe_date *month_first, qe_err *e);

/* "spot", "front", "lastday". */
const char *curvemaster_index_name(int index);

#endif
