/*
 * live: what several rule sets of qe-screen share about the book - the
 * live trades (highest version of each trade_id, cancels removed; the one
 * rule, live_versions, also for the tables abuse and quality read with
 * their own columns) of a trades file, or of a book file and a file of
 * new trades (qe-screen whatif: a new version of a book trade replaces it); a trade's signed
 * position in lots or in its curve's unit; amounts converted through an
 * FX RATES file; ';'-separated lists of the data files.
 *
 * Owns the tables it reads (live_free, live_fx_free).  Never prints.
 */
#ifndef QE_LIVE_H
#define QE_LIVE_H

#include <stddef.h>

#include "core/diag.h"
#include "core/strindex.h"
#include "market/curvemaster.h"
#include "screen/rtable.h"

/* Columns of TRADES the rules read; from TR_CURVE2 on they may be absent
 * (a rule that needs one says so at the row). */
enum {
	TR_ID, TR_VERSION, TR_STATUS, TR_BOOK, TR_CPTY, TR_INSTR, TR_CURVE, TR_CURVE2, TR_SIDE, TR_QTY, TR_UNIT,
	TR_DSTART, TR_DEND, TR_TRADER, TR_PRICE, TR_CCY, TR_STRIKE, TR_SHAPE, TR_UTI, TR_VENUE, TR_EXEC_TIME,
	TR_NCOLS
};

typedef struct live_set {
	rtable t;
	size_t *row;   /* the live rows, in the order of first appearance */
	size_t n;
	strindex *ids; /* trade_id -> index into best[] */
	long *best;    /* per id: its live row, or -1 when cancelled */
} live_set;

/* The live rows of a trades table: the highest version of each trade_id
 * (the later row on a tie), dropped when its status is cancel.  idc,
 * verc, statusc are the columns of trade_id, version and status.  *rows
 * (malloc'd) gets the live rows in the order of each id's first
 * appearance, *n their count; with ids and best not NULL, *ids (sidx_free)
 * maps each trade_id to an index into *best (malloc'd), its live row or
 * -1 when cancelled.  QE_DATA for a bad version. */
int live_versions(const rtable *t, int idc, int verc, int statusc, size_t **rows, size_t *n, strindex **ids,
		  long **best, qe_err *e);

/* Reads path and, when extra is not NULL, the trades of extra after it. */
int live_read(const char *path, const char *extra, live_set *s, qe_err *e);
/* The live trades of path (and extra) for a rule set, read once per run:
 * with cache not NULL, the first call reads them into *cache and later
 * calls find them there (the caller of the rule sets frees it,
 * live_free); with cache NULL they are read into *own (live_free by the
 * caller either way: a no-op when cache was used).  *out is the set to
 * read. */
int live_get(const char *path, const char *extra, live_set *cache, live_set *own, const live_set **out,
	     qe_err *e);
void live_free(live_set *s);

/* The signed position of live row i on curve c (buy positive): in lots
 * when in_lots (quantities in lots as they are, else the curve quantity
 * over the lot size), else in the curve's unit (lots times the lot size).
 * Curve quantities: the curve's unit as it is; MMBtu/d per day and MW per
 * hour of the trade's shape (default: the curve's) in the curve's zone
 * over the delivery period.  QE_DATA at the row for another unit or a
 * missing lot size. */
int live_position(const live_set *s, size_t i, const curvemaster_curve *c, int in_lots, double *out,
		  qe_err *e);

/* 1 when s is one of the ';'-separated items of list. */
int live_in_list(const char *list, const char *s);

/* FX: amounts converted through units of the file's base per unit. */
typedef struct live_fx {
	strindex *ccys;
	double *rate;
} live_fx;

/* path NULL: an empty table (only same-currency conversions). */
int live_fx_load(const char *path, live_fx *fx, qe_err *e);
void live_fx_free(live_fx *fx);
/* amount in `from` expressed in `to`; QE_DATA naming where when no rate. */
int live_fx_convert(const live_fx *fx, double amount, const char *from, const char *to, double *out,
		    const char *where, qe_err *e);

#endif
