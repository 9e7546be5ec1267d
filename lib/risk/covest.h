/*
 * covest: covariance estimators for scenario returns, positive
 * semi-definiteness checks and repair, and Cholesky factors.
 *
 *  COV_SAMPLE  mean-centred, divided by n - 1 (numpy.cov)
 *  COV_EWMA    RiskMetrics: zero mean, weight lambda^(n-1-t) on
 *              observation t (t = n - 1 the latest), weights normalised
 *              to sum to one
 *  COV_LW      Ledoit-Wolf (2004) shrinkage of the correlation: the
 *              returns standardized by their sample mean and sd (n - 1),
 *              scikit-learn's ledoit_wolf intensity s on them (target: the
 *              identity), then scaled back by each factor's own sd, so
 *              variances are the sample ones and covariances the sample
 *              ones times 1 - s (factors of different scales or return
 *              types are never shrunk towards one common variance)
 *
 * Matrices are dense, row-major, m x m.  Owns nothing; never prints.
 */
#ifndef QE_COVEST_H
#define QE_COVEST_H

#include <stddef.h>

#include "core/date.h"
#include "core/diag.h"

enum cov_method { COV_SAMPLE = 0, COV_EWMA, COV_LW };

int cov_method_parse(const char *s); /* -1 when unknown */
const char *cov_method_name(int method);

/* S = covariance of the rows of x (n observations x m variables).
 * shrinkage receives the Ledoit-Wolf intensity (0 for the others; may be
 * NULL).  n must be at least 2. */
int cov_estimate(const double *x, size_t n, size_t m, int method, double lambda, double *S,
		 double *shrinkage, qe_err *e);

/* S <- diag(s) S diag(s): from return to price-change units. */
void cov_scale(double *S, size_t m, const double *s);

/* Checks S for positive semi-definiteness (smallest eigenvalue >= -1e-10
 * times the largest).  With repair set, negative eigenvalues are clipped
 * to zero and S rebuilt; *nclipped counts them.  Without repair a negative
 * eigenvalue is QE_NUMERIC.  *min_eig receives the smallest eigenvalue
 * before any repair.  Either pointer may be NULL. */
int cov_psd(double *S, size_t m, int repair, size_t *nclipped, double *min_eig, qe_err *e);

/* Lower Cholesky factor L (row-major, zeros above the diagonal) with
 * S = L L'.  A singular or indefinite S is QE_NUMERIC; with repair set
 * the eigenvalues are first floored at 1e-12 times the largest so the
 * factor exists (*repaired = 1 then). */
int cov_cholesky(const double *S, size_t m, int repair, double *L, int *repaired, qe_err *e);
/* The factor dpotrf failed at on the last QE_NUMERIC of cov_cholesky
 * (0-based), for naming it; -1 if none. */
long cov_cholesky_failed_at(const qe_err *e);

#include "core/strindex.h"
#include "io/h5table.h"

/* --- the covariance CSV reader ----------------------------------------------
 * The one reader of covariances in long form, a CSV with a header naming
 * two name columns and "cov" (factor1,factor2,cov for risk factors,
 * asset1,asset2,cov for assets): one row per pair, in either or both
 * orders.  Every row is read and checked (a number; a variance is not
 * negative); the matrix of the names a caller wants is built afterwards,
 * where a pair given twice with different values, or missing, is QE_DATA
 * naming the pair. */
typedef struct cov_long {
	strindex *names;    /* every name of the file, in order of appearance */
	size_t n, cap;      /* rows read */
	long *a, *b, *line; /* per row: its two names (into names) and its line */
	double *v;          /* per row: the covariance */
	char *file;         /* the file's name, for messages */
} cov_long;

/* Reads path (columns col1, col2, "cov") into c.  canon, when not NULL,
 * rewrites each name into its canonical form or refuses it (returns -1,
 * then the row is QE_DATA "want CURVE:TENOR"); risk_factor_canon is the
 * one for factor names.  c is freed on error. */
int cov_long_read(cov_long *c, const char *path, const char *col1, const char *col2,
		  int (*canon)(const char *name, char *out, size_t outsz), qe_err *e);
/* Dense m x m covariance S (row-major) of the names name[0..m), where
 * map[k] is name k's index in c->names (-1 when the file lacks it).
 * `what` names them in messages ("factors"). */
int cov_long_matrix(const cov_long *c, const long *map, size_t m, char *const *name, const char *what,
		    double *S, qe_err *e);
void cov_long_free(cov_long *c);

/* Reads a covariance written as factor1,factor2,cov (cov_long_read) for
 * the m factors named in `factors` (rows of other factors are checked,
 * then ignored) into S (cov_long_matrix). */
int cov_read_csv(const char *path, const strindex *factors, double *S, qe_err *e);

/* Writes the covariance as HDF5 table "cov" (columns factor1, factor2,
 * cov, asof; every ordered pair, row-major), the same rows as the CSV
 * form, into f.  The file stays the caller's, who commits it (with the run's other
 * outputs) or aborts it, also after a failure here. */
int cov_write_hdf5(h5file *f, const strindex *factors, const double *S, size_t m, const char *units,
		   qe_date asof, qe_err *e);

#endif
