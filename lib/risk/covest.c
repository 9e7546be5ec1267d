#include "risk/covest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "core/grow.h"
#include "io/csvio.h"
#include "io/h5table.h"

int cov_method_parse(const char *s)
{
	if (strcmp(s, "sample") == 0)
		return COV_SAMPLE;
	if (strcmp(s, "ewma") == 0)
		return COV_EWMA;
	if (strcmp(s, "lw") == 0 || strcmp(s, "ledoit-wolf") == 0)
		return COV_LW;
	return -1;
}

const char *cov_method_name(int method)
{
	return method == COV_EWMA ? "ewma" : method == COV_LW ? "lw" : "sample";
}

static void symmetrize_upper_to_full(double *S, size_t m)
{
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < i; j++)
			S[i * m + j] = S[j * m + i];
}

/* Ledoit & Wolf (2004) on the standardized returns z = (x - mean) / sd
 * (sd with n - 1, as the sample estimator): the intensity of
 * sklearn.covariance.ledoit_wolf_shrinkage on z, whose /n covariance has
 * the common diagonal mu = (n - 1) / n, so the target mu I is the identity
 * correlation.  The shrunk correlation (1 - s) R + s I is scaled back by
 * each factor's own sd: variances stay the sample ones, covariances shrink
 * by 1 - s.  Factors of very different scales (or units: log returns and
 * price differences) are only comparable once standardized; shrinking
 * their covariance towards one common variance would drag every small
 * variance towards the large ones.  A factor with no variance (constant)
 * takes no part and keeps zero rows. */
static int cov_lw(const double *x, size_t n, size_t m, double *S, double *shrinkage, qe_err *e)
{
	size_t *act = malloc(m * sizeof *act + 1), k = 0;
	double *sd = malloc(m * sizeof *sd + 1), *z = NULL, *C = NULL;
	int rc = 0;
	if (!act || !sd) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t j = 0; j < m; j++) {
		double mean = 0, ss = 0;
		for (size_t t = 0; t < n; t++)
			mean += x[t * m + j];
		mean /= (double)n;
		for (size_t t = 0; t < n; t++)
			ss += (x[t * m + j] - mean) * (x[t * m + j] - mean);
		sd[j] = sqrt(ss / (double)(n - 1));
		if (sd[j] > 0)
			act[k++] = j;
	}
	z = malloc(n * k * sizeof *z + 1);
	C = malloc(k * k * sizeof *C + 1);
	if (!z || !C) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t a = 0; a < k; a++) {
		size_t j = act[a];
		double mean = 0;
		for (size_t t = 0; t < n; t++)
			mean += x[t * m + j];
		mean /= (double)n;
		for (size_t t = 0; t < n; t++)
			z[t * k + a] = (x[t * m + j] - mean) / sd[j];
	}
	double shrink = 0;
	if (k > 0) {
		/* C = z'z / n, the empirical covariance sklearn shrinks */
		double dn = (double)n, dk = (double)k, trace = 0, beta_ = 0, delta_ = 0;
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)k, (int)n, 1.0 / dn, z, (int)k, 0.0, C,
			    (int)k);
		symmetrize_upper_to_full(C, k);
		for (size_t a = 0; a < k; a++)
			trace += C[a * k + a];
		double mu = trace / dk;
		for (size_t i = 0; i < k * k; i++)
			delta_ += C[i] * C[i];
		for (size_t t = 0; t < n; t++) {
			double rowsq = 0;
			for (size_t a = 0; a < k; a++)
				rowsq += z[t * k + a] * z[t * k + a];
			beta_ += rowsq * rowsq;
		}
		double beta = 1.0 / (dk * dn) * (beta_ / dn - delta_);
		double delta = (delta_ - 2.0 * mu * trace + dk * mu * mu) / dk;
		if (beta > delta)
			beta = delta;
		shrink = beta == 0 ? 0 : beta / delta;
	}
	memset(S, 0, m * m * sizeof *S);
	/* one product per pair, mirrored: the matrix is exactly symmetric (a
	 * reader compares the two orders of a pair bit for bit) */
	for (size_t a = 0; a < k; a++)
		for (size_t b = a; b < k; b++) {
			size_t i = act[a], j = act[b];
			/* the sample correlation is C n / (n - 1) */
			S[i * m + j] = S[j * m + i] =
				a == b ? sd[i] * sd[i]
				       : (1 - shrink) * C[a * k + b] * ((double)n / (double)(n - 1)) * (sd[i] * sd[j]);
		}
	if (shrinkage)
		*shrinkage = shrink;
out:
	free(act);
	free(sd);
	free(z);
	free(C);
	return rc;
}

int cov_estimate(const double *x, size_t n, size_t m, int method, double lambda, double *S,
		 double *shrinkage, qe_err *e)
{
	if (shrinkage)
		*shrinkage = 0;
	if (n < 2)
		return qe_err_set(e, QE_DATA, "%zu observations; a covariance needs at least 2", n);
	if (method == COV_EWMA && !(lambda > 0 && lambda < 1))
		return qe_err_set(e, QE_USAGE, "EWMA lambda %g is not in (0, 1)", lambda);
	if (method == COV_LW)
		return cov_lw(x, n, m, S, shrinkage, e);
	double *y = calloc(n * m + 1, sizeof *y);
	if (!y)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	double div = 1.0;
	if (method == COV_EWMA) {
		/* rows scaled by sqrt(weight): S = Y'Y */
		double norm = (1 - lambda) / (1 - pow(lambda, (double)n));
		for (size_t t = 0; t < n; t++) {
			double w = sqrt(norm * pow(lambda, (double)(n - 1 - t)));
			for (size_t j = 0; j < m; j++)
				y[t * m + j] = w * x[t * m + j];
		}
	} else {
		for (size_t j = 0; j < m; j++) {
			double mean = 0;
			for (size_t t = 0; t < n; t++)
				mean += x[t * m + j];
			mean /= (double)n;
			for (size_t t = 0; t < n; t++)
				y[t * m + j] = x[t * m + j] - mean;
		}
		div = (double)(n - 1);
	}
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)m, (int)n, 1.0 / div, y, (int)m, 0.0, S,
		    (int)m);
	symmetrize_upper_to_full(S, m);
	free(y);
	return 0;
}

void cov_scale(double *S, size_t m, const double *s)
{
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < m; j++)
			S[i * m + j] *= s[i] * s[j];
}

/* eigen-decomposition: w ascending, V columns (row-major m x m) */
static int eigen(const double *S, size_t m, double *w, double *V, qe_err *e)
{
	memcpy(V, S, m * m * sizeof *V);
	lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)m, V, (lapack_int)m, w);
	if (info != 0)
		return qe_err_set(e, QE_NUMERIC, "eigen-decomposition of the covariance failed (dsyevd info %d)",
				  (int)info);
	return 0;
}

/* S = V diag(w) V' */
static void rebuild(double *S, size_t m, const double *w, const double *V)
{
	double *VW = calloc(m * m + 1, sizeof *VW);
	if (!VW)
		return;
	for (size_t i = 0; i < m; i++)
		for (size_t k = 0; k < m; k++)
			VW[i * m + k] = V[i * m + k] * w[k];
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)m, (int)m, 1.0, VW, (int)m, V,
		    (int)m, 0.0, S, (int)m);
	free(VW);
	/* exact symmetry */
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < i; j++)
			S[i * m + j] = S[j * m + i] = 0.5 * (S[i * m + j] + S[j * m + i]);
}

int cov_psd(double *S, size_t m, int repair, size_t *nclipped, double *min_eig, qe_err *e)
{
	double *w = malloc(m * sizeof *w), *V = malloc(m * m * sizeof *V);
	int rc = 0;
	size_t clipped = 0;
	if (!w || !V) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	if ((rc = eigen(S, m, w, V, e)))
		goto out;
	if (min_eig)
		*min_eig = w[0];
	double tol = 1e-10 * fabs(w[m - 1]);
	for (size_t k = 0; k < m; k++)
		if (w[k] < -tol)
			clipped++;
	if (clipped && !repair) {
		rc = qe_err_set(e, QE_NUMERIC,
				"covariance is not positive semi-definite: %zu negative eigenvalue%s, "
				"smallest %g (use --repair to clip them)",
				clipped, clipped > 1 ? "s" : "", w[0]);
		goto out;
	}
	if (clipped) {
		for (size_t k = 0; k < m; k++)
			if (w[k] < 0)
				w[k] = 0;
		rebuild(S, m, w, V);
	}
out:
	if (nclipped)
		*nclipped = clipped;
	free(w);
	free(V);
	return rc;
}

int cov_cholesky(const double *S, size_t m, int repair, double *L, int *repaired, qe_err *e)
{
	lapack_int info;
	if (repaired)
		*repaired = 0;
	memcpy(L, S, m * m * sizeof *L);
	info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)m, L, (lapack_int)m);
	/* rounding lets an exactly singular matrix through with a pivot of
	 * 1e-20: a factor whose variance is not at least 1e-12 unexplained by
	 * the ones before it is a linear combination of them */
	for (size_t i = 0; info == 0 && i < m; i++)
		if (!(L[i * m + i] * L[i * m + i] > 1e-12 * S[i * m + i]))
			info = (lapack_int)i + 1;
	if (info != 0) {
		if (!repair)
			return qe_err_set(e, QE_NUMERIC,
					  "covariance is not positive definite: Cholesky fails at factor #%d; "
					  "use --repair to floor its eigenvalues",
					  (int)info);
		double *w = malloc(m * sizeof *w), *V = malloc(m * m * sizeof *V);
		if (!w || !V) {
			free(w);
			free(V);
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		}
		int rc = eigen(S, m, w, V, e);
		if (!rc) {
			double floor_ = 1e-12 * fabs(w[m - 1]);
			if (floor_ == 0)
				floor_ = 1e-300;
			for (size_t k = 0; k < m; k++)
				if (w[k] < floor_)
					w[k] = floor_;
			rebuild(L, m, w, V);
			info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)m, L, (lapack_int)m);
			if (info != 0)
				rc = qe_err_set(e, QE_NUMERIC, "covariance repair failed (Cholesky info %d)",
						(int)info);
		}
		free(w);
		free(V);
		if (rc)
			return rc;
		if (repaired)
			*repaired = 1;
	}
	for (size_t i = 0; i < m; i++)
		for (size_t j = i + 1; j < m; j++)
			L[i * m + j] = 0;
	return 0;
}

int cov_write_hdf5(h5file *f, const strindex *factors, const double *S, size_t m, const char *units,
		   qe_date asof, qe_err *e)
{
	const h5tab_colspec cols[] = {
		{"factor1", H5TAB_STRING, NULL},
		{"factor2", H5TAB_STRING, NULL},
		{"cov", H5TAB_DOUBLE, units},
		{"asof", H5TAB_DATE, NULL},
	};
	h5tab_writer *w = h5tab_begin(f, "cov", cols, 4, e);
	if (!w)
		return e->code;
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < m; j++) {
			const char *a = sidx_name(factors, i), *b = sidx_name(factors, j);
			h5tab_set_str(w, 0, a, strlen(a));
			h5tab_set_str(w, 1, b, strlen(b));
			h5tab_set_double(w, 2, S[i * m + j]);
			h5tab_set_int64(w, 3, asof);
			if (h5tab_end_row(w, e))
				return e->code;
		}
	return h5tab_finish(w, e);
}

long cov_cholesky_failed_at(const qe_err *e)
{
	const char *p = strstr(e->msg, "factor #");
	return p ? strtol(p + 8, NULL, 10) - 1 : -1;
}

void cov_long_free(cov_long *c)
{
	sidx_free(c->names);
	free(c->a);
	free(c->b);
	free(c->line);
	free(c->v);
	free(c->file);
	memset(c, 0, sizeof *c);
}

/* Makes room for one more row. */
static int cov_long_grow(cov_long *c)
{
	const grow_array a[] = {GROW_ARRAY(c->a), GROW_ARRAY(c->b), GROW_ARRAY(c->line), GROW_ARRAY(c->v)};
	return grow_arrays(c->n, &c->cap, 256, a, 4);
}

/* The index in c->names of the name in column col of the current row. */
static int cov_long_name(cov_long *c, csv_reader *r, int col,
			 int (*canon)(const char *, char *, size_t), long *out, qe_err *e)
{
	char buf[256];
	const char *s = csvr_get_str(r, col, e);
	if (!s)
		return e->code;
	if (canon) {
		if (canon(s, buf, sizeof buf))
			return csvr_field_error(r, col, e, "want CURVE:TENOR '%s'", s);
		s = buf;
	}
	if ((*out = sidx_add(c->names, s, strlen(s), NULL)) < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	return 0;
}

int cov_long_read(cov_long *c, const char *path, const char *col1, const char *col2,
		  int (*canon)(const char *name, char *out, size_t outsz), qe_err *e)
{
	const char *cols[] = {col1, col2, "cov"};
	int idx[3], st, rc = 0;
	csv_reader *r;
	memset(c, 0, sizeof *c);
	if (!(c->names = sidx_new()))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (!(r = csvr_open(path, e))) {
		cov_long_free(c);
		return e->code;
	}
	if (!(c->file = strdup(csvr_name(r)))) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	if ((rc = csvr_require(r, cols, 3, idx, e)))
		goto out;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		long i, j;
		double v;
		if (st != CSVR_ROW) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if ((rc = cov_long_name(c, r, idx[0], canon, &i, e)) ||
		    (rc = cov_long_name(c, r, idx[1], canon, &j, e)) ||
		    (rc = csvr_get_double(r, idx[2], &v, e)))
			goto out;
		if (i == j && v < 0) {
			rc = csvr_field_error(r, idx[2], e, "negative variance '%s'", csvr_field(r, idx[2], NULL));
			goto out;
		}
		if (cov_long_grow(c)) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		c->a[c->n] = i;
		c->b[c->n] = j;
		c->v[c->n] = v;
		c->line[c->n] = csvr_line(r);
		c->n++;
	}
out:
	csvr_close(r);
	if (rc)
		cov_long_free(c);
	return rc;
}

int cov_long_matrix(const cov_long *c, const long *map, size_t m, char *const *name, const char *what,
		    double *S, qe_err *e)
{
	size_t nc = sidx_count(c->names);
	long *pos = malloc((nc + 1) * sizeof *pos);
	long *seen = calloc(m * m + 1, sizeof *seen); /* line of the value, 0 = none yet */
	int rc = 0;
	if (!pos || !seen) {
		free(pos);
		free(seen);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	for (size_t k = 0; k < nc; k++)
		pos[k] = -1;
	for (size_t k = 0; k < m; k++)
		if (map[k] >= 0)
			pos[map[k]] = (long)k;
	for (size_t t = 0; t < c->n && !rc; t++) {
		long i = pos[c->a[t]], j = pos[c->b[t]];
		if (i < 0 || j < 0)
			continue;
		for (int pass = 0; pass < 2 && !rc; pass++) {
			size_t x = (size_t)(pass ? j : i), y = (size_t)(pass ? i : j);
			long *sl = &seen[x * m + y];
			if (*sl && S[x * m + y] != c->v[t])
				rc = qe_err_set(e, QE_DATA, "%s:%ld: covariance of '%s' and '%s' differs from line %ld",
						c->file, c->line[t], name[i], name[j], *sl);
			S[x * m + y] = c->v[t];
			*sl = c->line[t];
		}
	}
	for (size_t i = 0; i < m && !rc; i++)
		for (size_t j = 0; j <= i && !rc; j++)
			if (!seen[i * m + j])
				rc = qe_err_set(e, QE_DATA, "%s: no covariance for %s '%s' and '%s'", c->file, what,
						name[i], name[j]);
	free(pos);
	free(seen);
	return rc;
}

int cov_read_csv(const char *path, const strindex *factors, double *S, qe_err *e)
{
	size_t m = sidx_count(factors);
	cov_long c;
	long *map = malloc((m + 1) * sizeof *map);
	char **name = malloc((m + 1) * sizeof *name);
	int rc;
	if (!map || !name) {
		free(map);
		free(name);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	if (!(rc = cov_long_read(&c, path, "factor1", "factor2", NULL, e))) {
		for (size_t k = 0; k < m; k++) {
			name[k] = (char *)sidx_name(factors, k);
			map[k] = sidx_find(c.names, name[k], strlen(name[k]));
		}
		rc = cov_long_matrix(&c, map, m, name, "factors", S, e);
		cov_long_free(&c);
	}
	free(map);
	free(name);
	return rc;
}
