/*
 * pnlcube: the scenario x portfolio P&L cube - P&L of every portfolio
 * under every scenario - so VaR, ES, stress and attribution can be re-cut
 * without recomputing it - as of one date.  Read from and written to a
 * long CSV (portfolio,scenario,pnl,asof) or an HDF5 table /pnl_cube with
 * the same columns (qe-formats(5), PNL CUBE); asof is optional on input
 * (a cube from elsewhere), one date for every row when present.
 *
 * Owns its matrix and name tables (pcube_free).  Never prints.
 */
#ifndef QE_PNLCUBE_H
#define QE_PNLCUBE_H

#include <stddef.h>
#include <stdio.h>

#include "core/date.h"
#include "core/diag.h"
#include "core/strindex.h"
#include "io/h5table.h"

#define PCUBE_TABLE "pnl_cube"

typedef struct pnl_cube {
	strindex *portfolios, *scenarios;
	size_t npf, nsc;
	double *pnl; /* pnl[p * nsc + s], portfolio-major */
	qe_date asof; /* the as-of date of the positions and prices */
	int has_asof; /* 0: unknown (written empty) */
} pnl_cube;

/* A cube of npf x nsc zeros with names to be added by the caller. */
int pcube_init(pnl_cube *c, qe_err *e);
int pcube_alloc(pnl_cube *c, qe_err *e); /* after names are in: sizes the matrix */
void pcube_free(pnl_cube *c);

/* Reads the long CSV (stdin for "-" or NULL).  Every portfolio must have
 * exactly one finite P&L for every scenario named in the file: a
 * duplicate, a gap or a bad number is QE_DATA naming the line or the pair;
 * so is an asof column with an empty or bad date, or two different
 * dates. */
int pcube_read_csv(pnl_cube *c, const char *path, qe_err *e);
int pcube_write_csv(const pnl_cube *c, FILE *fp);

/* 1 when the file starts with the HDF5 signature. */
int pcube_is_hdf5(const char *path);
int pcube_read_hdf5(pnl_cube *c, const char *path, qe_err *e);
/* Writes table /pnl_cube into f.  The file stays the caller's, who
 * commits it (with the run's other outputs) or aborts it, also after a
 * failure here. */
int pcube_write_hdf5(const pnl_cube *c, h5file *f, qe_err *e);

#endif
