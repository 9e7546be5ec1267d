#include "core/par.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#ifdef QE_MPI
#include <mpi.h>
#endif

static size_t bytes_sent;
static int solo; /* par_solo() */

void par_solo(void)
{
	solo = 1;
}

#ifdef QE_MPI
static int mpi_on(void)
{
	int init = 0, fin = 0;
	if (solo)
		return 0;
	MPI_Initialized(&init);
	if (init)
		MPI_Finalized(&fin);
	return init && !fin;
}
#endif

#ifdef QE_MPI
/* MPI_Comm_rank or MPI_Comm_size of the world, or dflt without MPI. */
static int world(int (*query)(MPI_Comm, int *), int dflt)
{
	int v = dflt;
	if (mpi_on())
		query(MPI_COMM_WORLD, &v);
	return v;
}
#endif

int par_rank(void)
{
#ifdef QE_MPI
	return world(MPI_Comm_rank, 0);
#else
	return 0;
#endif
}

int par_size(void)
{
#ifdef QE_MPI
	return world(MPI_Comm_size, 1);
#else
	return 1;
#endif
}

void par_share(size_t n, size_t block, int r, size_t *lo, size_t *hi)
{
	size_t size = (size_t)par_size();
	if (block < 1)
		block = 1;
	size_t nb = (n + block - 1) / block;
	size_t b0 = nb * (size_t)r / size, b1 = nb * ((size_t)r + 1) / size;
	*lo = b0 * block < n ? b0 * block : n;
	*hi = b1 * block < n ? b1 * block : n;
}

void par_my_share(size_t n, size_t block, size_t *lo, size_t *hi)
{
	par_share(n, block, par_rank(), lo, hi);
}

size_t par_bytes_sent(void)
{
	return bytes_sent;
}

#ifdef QE_MPI
static int mpi_fail(qe_err *e, const char *what, int rc)
{
	char s[MPI_MAX_ERROR_STRING];
	int len = 0;
	if (MPI_Error_string(rc, s, &len) != MPI_SUCCESS)
		strcpy(s, "?");
	return qe_err_set(e, QE_INTERNAL, "MPI %s failed: %s", what, s);
}
#endif

int par_gather_cols(double *a, size_t nrows, size_t ncols, size_t block, qe_err *e)
{
	int size = par_size();
	if (size == 1 || nrows == 0)
		return 0;
#ifdef QE_MPI
	int rank = par_rank(), rc;
	size_t lo, hi;
	par_my_share(ncols, block, &lo, &hi);
	size_t mine = nrows * (hi - lo);
	if (nrows * ncols > INT_MAX)
		return qe_err_set(e, QE_INTERNAL, "MPI gather of %zu x %zu values: too many for one message",
				  nrows, ncols);
	double *buf = malloc((rank == 0 ? nrows * ncols : mine) * sizeof *buf + 1);
	int *counts = malloc((size_t)size * 2 * sizeof *counts);
	if (!buf || !counts) {
		free(buf);
		free(counts);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	/* each rank's columns packed row by row, the ranks one after another */
	for (int r = 0; r < size; r++) {
		size_t l, h;
		par_share(ncols, block, r, &l, &h);
		counts[r] = (int)(nrows * (h - l));
		counts[size + r] = (int)(nrows * l);
	}
	double *pack = rank == 0 ? buf + nrows * lo : buf;
	for (size_t r = 0; r < nrows; r++)
		memcpy(pack + r * (hi - lo), a + r * ncols + lo, (hi - lo) * sizeof *a);
	if (rank == 0)
		rc = MPI_Gatherv(MPI_IN_PLACE, counts[0], MPI_DOUBLE, buf, counts, counts + size, MPI_DOUBLE, 0,
				 MPI_COMM_WORLD);
	else
		rc = MPI_Gatherv(pack, (int)mine, MPI_DOUBLE, NULL, NULL, NULL, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	if (rc == MPI_SUCCESS && rank != 0)
		bytes_sent += mine * sizeof *a;
	if (rc == MPI_SUCCESS && rank == 0)
		for (int k = 0; k < size; k++) {
			size_t l, h;
			par_share(ncols, block, k, &l, &h);
			const double *src = buf + nrows * l;
			for (size_t r = 0; r < nrows; r++)
				memcpy(a + r * ncols + l, src + r * (h - l), (h - l) * sizeof *a);
		}
	free(buf);
	free(counts);
	return rc == MPI_SUCCESS ? 0 : mpi_fail(e, "gather", rc);
#else
	(void)a;
	(void)ncols;
	(void)block;
	return qe_err_set(e, QE_INTERNAL, "no MPI in this build");
#endif
}

int par_gather(const double *mine, size_t n, double *all, qe_err *e)
{
	if (par_size() == 1) {
		if (all != mine)
			memmove(all, mine, n * sizeof *all);
		return 0;
	}
#ifdef QE_MPI
	if (n > INT_MAX)
		return qe_err_set(e, QE_INTERNAL, "MPI gather of %zu values: too many for one message", n);
	int rc = MPI_Gather(mine, (int)n, MPI_DOUBLE, all, (int)n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	if (rc != MPI_SUCCESS)
		return mpi_fail(e, "gather", rc);
	if (par_rank() != 0)
		bytes_sent += n * sizeof *mine;
	return 0;
#else
	return qe_err_set(e, QE_INTERNAL, "no MPI in this build");
#endif
}

int par_gather_bytes(const void *mine, size_t n, void **all, size_t *alln, qe_err *e)
{
	*all = NULL;
	*alln = 0;
	if (par_size() == 1) {
		if (n && !(*all = malloc(n)))
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		if (n)
			memcpy(*all, mine, n);
		*alln = n;
		return 0;
	}
#ifdef QE_MPI
	enum { TAG = 20 };
	int size = par_size(), rank = par_rank(), rc;
	unsigned long long count = n, *counts = NULL;
	if (rank == 0 && !(counts = malloc(sizeof *counts * (size_t)size)))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	rc = MPI_Gather(&count, 1, MPI_UNSIGNED_LONG_LONG, counts, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
	if (rc != MPI_SUCCESS) {
		free(counts);
		return mpi_fail(e, "gather", rc);
	}
	if (rank != 0) {
		/* pieces from one sender with one tag arrive in the order sent */
		const unsigned char *p = mine;
		for (size_t at = 0; at < n && rc == MPI_SUCCESS; at += PAR_PIECE) {
			size_t k = n - at < PAR_PIECE ? n - at : PAR_PIECE;
			rc = MPI_Send(p + at, (int)k, MPI_BYTE, 0, TAG, MPI_COMM_WORLD);
		}
		if (rc != MPI_SUCCESS)
			return mpi_fail(e, "send", rc);
		bytes_sent += n;
		return 0;
	}
	size_t total = 0;
	for (int r = 0; r < size; r++)
		total += (size_t)counts[r];
	unsigned char *buf = malloc(total + 1);
	if (!buf) {
		free(counts);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	if (n)
		memcpy(buf, mine, n);
	size_t at = n;
	for (int r = 1; r < size && rc == MPI_SUCCESS; r++)
		for (size_t done = 0; done < (size_t)counts[r] && rc == MPI_SUCCESS; done += PAR_PIECE) {
			size_t k = (size_t)counts[r] - done < PAR_PIECE ? (size_t)counts[r] - done : PAR_PIECE;
			rc = MPI_Recv(buf + at, (int)k, MPI_BYTE, r, TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			at += k;
		}
	free(counts);
	if (rc != MPI_SUCCESS) {
		free(buf);
		return mpi_fail(e, "receive", rc);
	}
	*all = buf;
	*alln = total;
	return 0;
#else
	(void)mine;
	return qe_err_set(e, QE_INTERNAL, "no MPI in this build");
#endif
}

int par_bcast(double *a, size_t n, qe_err *e)
{
	if (par_size() == 1)
		return 0;
#ifdef QE_MPI
	if (n > INT_MAX)
		return qe_err_set(e, QE_INTERNAL, "MPI broadcast of %zu values: too many for one message", n);
	int rc = MPI_Bcast(a, (int)n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	if (rc != MPI_SUCCESS)
		return mpi_fail(e, "broadcast", rc);
	if (par_rank() == 0)
		bytes_sent += n * sizeof *a * (size_t)(par_size() - 1);
	return 0;
#else
	(void)a;
	(void)n;
	return qe_err_set(e, QE_INTERNAL, "no MPI in this build");
#endif
}

int par_first_error(int rc, qe_err *e)
{
	if (par_size() == 1)
		return rc;
#ifdef QE_MPI
	int size = par_size(), k = 0, mrc;
	int *codes = malloc(sizeof *codes * (size_t)size);
	if (!codes) {
		qe_err_set(e, QE_INTERNAL, "out of memory");
		return -1;
	}
	mrc = MPI_Allgather(&rc, 1, MPI_INT, codes, 1, MPI_INT, MPI_COMM_WORLD);
	if (mrc != MPI_SUCCESS) {
		free(codes);
		mpi_fail(e, "allgather", mrc);
		return -1;
	}
	bytes_sent += sizeof rc * (size_t)(size - 1);
	while (k < size && codes[k] == 0)
		k++;
	int code = k < size ? codes[k] : 0;
	free(codes);
	qe_err be;
	if (code && par_bcast_bytes(e, sizeof *e, k, &be)) {
		*e = be;
		return -1;
	}
	return code;
#else
	qe_err_set(e, QE_INTERNAL, "no MPI in this build");
	return -1;
#endif
}

int par_bcast_bytes(void *a, size_t n, int root, qe_err *e)
{
	if (par_size() == 1)
		return 0;
#ifdef QE_MPI
	if (n > INT_MAX)
		return qe_err_set(e, QE_INTERNAL, "MPI broadcast of %zu bytes: too many for one message", n);
	int rc = MPI_Bcast(a, (int)n, MPI_BYTE, root, MPI_COMM_WORLD);
	if (rc != MPI_SUCCESS)
		return mpi_fail(e, "broadcast", rc);
	if (par_rank() == root)
		bytes_sent += n * (size_t)(par_size() - 1);
	return 0;
#else
	(void)a;
	(void)n;
	(void)root;
	return qe_err_set(e, QE_INTERNAL, "no MPI in this build");
#endif
}
