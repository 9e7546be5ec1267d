/*
 * position: the position report of qe-report - the delta ladder of
 * qe-price summed over books per curve and delivery month, in the curve's
 * unit and in exchange lots, rolled up per commodity in one unit of
 * energy or volume, with the change since a previous day's ladder.
 *
 * Lots: a curve whose unit is MWh and that has a delivery shape (power,
 * TTF gas) trades in MW for every hour of its shape, so a month's lot is
 * lot_size x the shape's hours in that month in the curve's time zone
 * (743 or 745 in the DST months of a base load); any other curve's lot is
 * lot_size of its unit (10,000 MMBtu, 1,000 bbl, 42,000 gal, 1,000 t).
 * Commodity rows convert MMBtu to MWh (1 MWh = 3.412141633 MMBtu, the
 * International Table BTU) and add curves of the same unit otherwise; a
 * commodity whose curves have units that do not convert gets no row
 * (the curve rows still say it all).
 *
 * Never prints; rows go to the caller's csv_writer.
 */
#ifndef QE_REPORT_POSITION_H
#define QE_REPORT_POSITION_H

#include "core/diag.h"
#include "io/csvio.h"

#define REPORT_MMBTU_PER_MWH 3.412141633

/* Reads the ladder (book,curve,month,delta,unit), the optional previous
 * ladder (NULL: none; prev_delta and change then empty) and the markets
 * file (curve,commodity,unit,timezone,shape,lot_size) and writes
 * level,commodity,curve,month,unit,delta,lots,prev_delta,change.
 * QE_DATA at file:line:col for a curve the markets file lacks, a ladder
 * unit other than the curve's, a bad month or number; QE_IO when a file
 * cannot be read. */
int report_position(const char *ladder, const char *prev, const char *markets, csv_writer *w,
		    long *rows, qe_err *e);

#endif
