/*
 * optdelta: the delta-equivalent (futures-equivalent) position of an
 * option, from the SENSITIVITIES of qe-price (qe-formats(5)): per live
 * trade, the curve, delivery period and delta (dV/dF, in the curve's
 * unit, signed) of each of its rows, cross-gamma rows left out.  US
 * position limits (17 CFR part 150), the CFTC commitments-of-traders
 * report and MiFID II position limits count an option by its delta, not
 * its quantity; the regulatory position rules of qe-screen and the cot
 * report of qe-report ask this module for it.  An option is a trade of
 * instrument option, asian or spread (optdelta_is_option).
 *
 * Owns the table it reads (optdelta_free); borrows the caller's trade id
 * map, which must outlive it.  Never prints.
 */
#ifndef QE_OPTDELTA_H
#define QE_OPTDELTA_H

#include <stddef.h>

#include "core/date.h"
#include "core/diag.h"
#include "core/strindex.h"
#include "screen/rtable.h"

enum { OD_ID, OD_CURVE, OD_DSTART, OD_DEND, OD_DELTA, OD_CURVE2, OD_NCOLS };

typedef struct optdelta {
	rtable t;              /* the file's rows, as read */
	const strindex *ids;   /* the caller's: trade_id -> index of head[] */
	long *head;            /* per trade index: its first row, -1 for none */
	long *next;            /* per row: the next row of its trade, -1 */
	qe_date *start, *end;  /* per row: its delivery period */
	double *delta;         /* per row */
	unsigned char *by_qty; /* per trade index: a rule counted the option by quantity */
} optdelta;

/* Reads the sensitivities file path.  ids maps each trade_id of the book
 * to an index of best, the trade's live row or -1 when cancelled (as
 * live_versions makes them; the rows of a cancelled trade are skipped);
 * trades names the book in messages.  QE_DATA at file:line:col for a
 * missing column, a row of a trade the book lacks, a date, a delivery_end before delivery_start,
 * a delta that is not a finite number; QE_IO when it cannot be read. */
int optdelta_read(const char *path, const strindex *ids, const long *best, const char *trades, optdelta *d,
		  qe_err *e);
void optdelta_free(optdelta *d);

/* The first row of trade_id (then d->next[row]), -1 when it has none
 * (not priced, or not in the book). */
long optdelta_first(const optdelta *d, const char *trade_id);

/* Marks trade_id as an option a rule counted by its quantity (it has no
 * rows); optdelta_counted_by_qty() asks. */
void optdelta_mark_qty(optdelta *d, const char *trade_id);
int optdelta_counted_by_qty(const optdelta *d, const char *trade_id);

/* 1 for the instruments counted by their delta: option, asian, spread. */
int optdelta_is_option(const char *instrument);

/* The delta of row r in lots when in_lots (over lot_size), else in the
 * curve's unit.  QE_DATA at the row when in_lots and lot_size is not
 * positive (curve names the curve in the message). */
int optdelta_position(const optdelta *d, long r, double lot_size, int in_lots, double *out, qe_err *e);

#endif
