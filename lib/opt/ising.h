/*
 * ising: the optimization problems qe-optimize solves - Max-Cut, QUBO and
 * Ising - held as their original list of terms, and the sparse Ising model
 * (CSR couplings, fields, constant) every solver works on.
 *
 * Conventions.  Spins s_i are -1/+1, bits x_i = (1 + s_i) / 2.  The Ising
 * energy minimized is E(s) = offset + sum_i h_i s_i + sum_{i<j} J_ij s_i s_j.
 * Max-Cut maximizes cut(s) = sum_edges w_ij [s_i != s_j]; it maps to
 * J = w, h = 0, so cut = (W - E) / 2 with W the total weight.  QUBO
 * minimizes sum_i Q_ii x_i + sum_{i<j} Q_ij x_i x_j, mapped exactly (the
 * offset makes E equal the QUBO value).
 *
 * Owns: the arrays of an opt_problem and of an ising_model, released by
 * problem_free()/ising_free().  Never prints, never exits.
 */
#ifndef QE_ISING_H
#define QE_ISING_H

#include <stdint.h>

#include "core/diag.h"

enum problem_kind { PROBLEM_MAXCUT, PROBLEM_QUBO, PROBLEM_ISING };

typedef struct ising_model {
	int n;
	int64_t nnz;   /* directed CSR entries: two per coupling */
	int64_t *row;  /* n + 1 offsets into col/J */
	int32_t *col;
	double *J;     /* symmetric */
	double *h;
	double offset;
	/* Integer fast path: when every k*J and k*h (k = iscale in 1, 2, 4)
	 * is an integer and local fields fit, Ji/hi hold them scaled. */
	int iscale;    /* 0 when the fast path does not apply */
	int32_t *Ji, *hi;
	int32_t imax_field; /* max_i |k h_i| + sum_j |k J_ij| */
	double max_field;   /* max_i |h_i| + sum_j |J_ij| */
	double min_coupling;/* smallest nonzero |J| or |h| */
} ising_model;

typedef struct opt_problem {
	int kind;      /* enum problem_kind */
	int n;         /* variables */
	int base;      /* first variable number in the input (0 or 1) */
	int64_t m;     /* terms */
	int32_t *ti, *tj; /* 0-based; ti == tj is a linear term (QUBO diagonal, Ising field) */
	double *tw;
	int64_t cap;
} opt_problem;

void problem_init(opt_problem *p, int kind);
void problem_free(opt_problem *p);
/* Appends a term (0-based indices). */
int problem_add(opt_problem *p, int32_t i, int32_t j, double w, qe_err *e);

/* Builds the Ising model; ising_free() releases it. */
int ising_from_problem(const opt_problem *p, ising_model *m, qe_err *e);
void ising_free(ising_model *m);

/* Energy of spins s (int8 -1/+1), summed in a fixed order. */
double ising_energy(const ising_model *m, const int8_t *s);

/* The problem's objective recomputed from its own terms: cut weight for
 * Max-Cut, QUBO value, Ising energy. */
double problem_objective(const opt_problem *p, const int8_t *s);
/* Total edge weight W (Max-Cut). */
double problem_total_weight(const opt_problem *p);
/* 1 when a larger objective is better (Max-Cut). */
int problem_maximizes(const opt_problem *p);
/* Ising energy that corresponds to objective value v. */
double problem_energy_for(const opt_problem *p, double v);
/* Objective value of Ising energy E. */
double problem_objective_for(const opt_problem *p, double E);

#endif
