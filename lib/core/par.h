/*
 * par: the process group of an MPI run (make MPI=1), as the engines see
 * it: this process's rank and the group's size, the contiguous share of
 * n items (scenarios, blocks of paths, replicas) a rank computes, and the
 * gathers that bring every rank's share to rank 0 in rank order.  Rank 0
 * then computes what follows (quantiles, sums) on the whole array, in the
 * same order as one process does, so that the results are byte-identical
 * for any number of ranks: nothing is ever reduced in MPI's own order.
 *
 * In the plain build (no QE_MPI) and in a process that did not start MPI
 * the group is one process of rank 0: the shares are everything and the
 * gathers do nothing, so a tool has one code path.
 *
 * Owns: a count of the bytes this rank sent (par_bytes_sent) and the
 * solo switch (par_solo).  Never
 * prints, never starts or ends MPI (MPI_Init, MPI_Finalize, MPI_Abort are
 * the command layer's, cmd/cli.c: process-wide state).
 */
#ifndef QE_PAR_H
#define QE_PAR_H

#include <stddef.h>

#include "core/diag.h"

/* This process's rank, 0..par_size()-1, and the number of ranks. */
int par_rank(void);
int par_size(void);

/* The share [*lo, *hi) of n items of rank r among par_size() ranks:
 * contiguous, in rank order, sizes differing by at most one.  With
 * block > 1 the boundaries fall on multiples of block (shares of whole
 * blocks; the last block may be short). */
void par_share(size_t n, size_t block, int r, size_t *lo, size_t *hi);
/* par_share() of this rank. */
void par_my_share(size_t n, size_t block, size_t *lo, size_t *hi);

/* a is nrows x ncols row-major (a[r * ncols + c]) on every rank, and
 * each rank computed the columns of its par_my_share(ncols, block):
 * afterwards rank 0's a holds every column (the other ranks' a is
 * unchanged).  QE_INTERNAL when MPI fails or a share is too large for
 * MPI's int counts. */
int par_gather_cols(double *a, size_t nrows, size_t ncols, size_t block, qe_err *e);

/* Each rank gives n doubles (the same n everywhere); rank 0 receives
 * them all in rank order into all (n * par_size(); NULL elsewhere). */
int par_gather(const double *mine, size_t n, double *all, qe_err *e);
/* Each rank gives n bytes (n may differ from rank to rank, 0 too); rank
 * 0 receives them all, one rank after another in rank order, into *all
 * (malloc'd, *alln bytes, the caller's to free; may be NULL when 0).  On
 * the other ranks *all = NULL and *alln = 0.  Sent in pieces of at most
 * PAR_PIECE bytes, so a share is not limited by MPI's int counts.
 * QE_INTERNAL when MPI fails or memory runs out. */
enum { PAR_PIECE = 1 << 30 };
int par_gather_bytes(const void *mine, size_t n, void **all, size_t *alln, qe_err *e);
/* Work every rank did alike (reading the same inputs) ended with rc on
 * this rank (0: fine, else a QE_* code with e set).  Returns the code of
 * the lowest failing rank, and e becomes that rank's error on every
 * rank; 0 when none failed (e untouched).  -1, with e set (QE_INTERNAL),
 * when the exchange itself fails.  In one process: rc. */
int par_first_error(int rc, qe_err *e);
/* Rank 0's n doubles to every rank. */
int par_bcast(double *a, size_t n, qe_err *e);
/* n bytes of rank root's a to every rank. */
int par_bcast_bytes(void *a, size_t n, int root, qe_err *e);

/* From now on this process works alone, as rank 0 of 1 (the command
 * layer's choice for work that is not shared: cli_par_solo). */
void par_solo(void);

/* Bytes this rank has sent through the functions above. */
size_t par_bytes_sent(void);

#endif
