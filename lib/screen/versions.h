/*
 * versions: the live rows of a trades table read by rtable (the highest
 * version of each trade_id, dropped when its status is cancel), for the
 * rules of screen/abuse and screen/quality.
 *
 * Owns the row array it returns (free() it).  Never prints.
 */
#ifndef QE_VERSIONS_H
#define QE_VERSIONS_H

#include <stddef.h>

#include "core/diag.h"
#include "screen/rtable.h"

/* *rows (malloc'd) gets the live rows of t in the order of each id's
 * first appearance, *n their count; idc, verc, statusc are the columns
 * of trade_id, version and status.  QE_DATA for a bad version. */
int versions_live(const rtable *t, int idc, int verc, int statusc, size_t **rows, size_t *n, qe_err *e);

#endif
