/*
 * isingio: readers for the problem files of qe-optimize, with strict
 * checks that report "file:line: reason".
 *
 *   rudy (G-set): "N M" then M lines "i j w", nodes 1..N;
 *   qbsolv .qubo: "c" comments, "p qubo 0 maxNodes nNodes nCouplers",
 *                 then "i i Q_ii" and "i j Q_ij" lines, nodes 0..maxNodes-1;
 *   CSV:          "i,j,w" (or "i,j,J" for Ising), nodes 1..max index; the
 *                 Ising fields come from a second CSV "i,h".
 *
 * A malformed header, a node outside the range, a self-loop in a graph, a
 * duplicate edge (i j and j i count as the same) and a non-finite weight
 * are QE_DATA.  Owns nothing after return (the opt_problem is the
 * caller's); never prints.
 */
#ifndef QE_ISINGIO_H
#define QE_ISINGIO_H

#include <stddef.h>

#include "opt/ising.h"

enum problem_format { FORMAT_AUTO, FORMAT_RUDY, FORMAT_QUBO, FORMAT_CSV };

/* Parses "auto", "rudy", "qubo", "csv"; -1 when unknown. */
int problem_format_parse(const char *s);

/* Reads path ("-" or NULL = stdin) as a problem of the given kind.
 * fields_path (Ising only, may be NULL) adds the "i,h" fields. */
int problem_read(opt_problem *p, int kind, int format, const char *path,
		 const char *fields_path, qe_err *e);

/* Reads from a memory buffer (used by the unit tests); name labels errors. */
int problem_read_mem(opt_problem *p, int kind, int format, const char *buf, size_t len,
		     const char *name, qe_err *e);

#endif
