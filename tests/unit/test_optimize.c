/* Unit tests for lib/ising, lib/isingio, lib/anneal and lib/tabu. */
#include <omp.h>
#include <stdlib.h>

#include "opt/anneal.h"
#include "core/fastrng.h"
#include "opt/ising.h"
#include "opt/isingio.h"
#include "opt/tabu.h"
#include "unit.h"

static int rd(opt_problem *p, int kind, const char *text, qe_err *e)
{
	return problem_read_mem(p, kind, FORMAT_AUTO, text, strlen(text), "t", e);
}

static void test_readers(void)
{
	opt_problem p;
	qe_err e;
	UT_EQ_INT(rd(&p, PROBLEM_MAXCUT, "3 3\n1 2 1\n2 3 1\n1 3 2\n", &e), 0, "rudy triangle");
	UT_EQ_INT(p.n, 3, "rudy n");
	UT_EQ_INT(p.m, 3, "rudy m");
	UT_EQ_INT(p.base, 1, "rudy 1-based");
	problem_free(&p);
	UT_EQ_INT(rd(&p, PROBLEM_MAXCUT, "3\n1 2 1\n", &e), QE_DATA, "short header");
	UT_EQ_STR(e.msg, "t:1:1: malformed header '3' (want 'N M')", "header message");
	UT_EQ_INT(rd(&p, PROBLEM_MAXCUT, "3 1\n1 4 1\n", &e), QE_DATA, "node out of range");
	UT_EQ_STR(e.msg, "t:2:3: node 4 outside 1..3", "range message");
	UT_EQ_INT(rd(&p, PROBLEM_MAXCUT, "3 2\n1 2 1\n2 1 5\n", &e), QE_DATA, "reversed duplicate");
	UT_EQ_STR(e.msg, "t:3:1: duplicate edge 2 1 (first on line 2)", "duplicate message");
	UT_EQ_INT(rd(&p, PROBLEM_MAXCUT, "3 1\n1 2 nan\n", &e), QE_DATA, "nan weight");
	UT_EQ_STR(e.msg, "t:2:5: weight: not a finite number 'nan'", "nan message");
	UT_EQ_INT(rd(&p, PROBLEM_MAXCUT, "3 2\n1 2 1\n", &e), QE_DATA, "too few edges");
	UT_EQ_INT(rd(&p, PROBLEM_MAXCUT, "3 1\n2 2 1\n", &e), QE_DATA, "self-loop");
	UT_EQ_INT(rd(&p, PROBLEM_MAXCUT, "", &e), QE_DATA, "empty input");
	UT_EQ_INT(rd(&p, PROBLEM_QUBO, "c x\np qubo 0 3 2 1\n0 0 -1\n2 2 -1\n0 2 2\n", &e), 0, "qbsolv");
	UT_EQ_INT(p.base, 0, "qbsolv 0-based");
	UT_EQ_INT(p.n, 3, "qbsolv maxNodes");
	problem_free(&p);
	UT_EQ_INT(rd(&p, PROBLEM_QUBO, "p qubo 0 3 2 2\n0 0 -1\n2 2 -1\n0 2 2\n", &e), QE_DATA,
		  "qbsolv counts checked");
	UT_EQ_INT(rd(&p, PROBLEM_MAXCUT, "i,j,w\n1,2,1.5\n2,5,1\n", &e), 0, "csv graph");
	UT_EQ_INT(p.n, 5, "csv n is the largest index");
	problem_free(&p);
	UT_EQ_INT(rd(&p, PROBLEM_MAXCUT, "i,j,w\n1,2,1.5\n0,5,1\n", &e), QE_DATA, "csv index 0");
	UT_EQ_INT(rd(&p, PROBLEM_MAXCUT, "i,j\n1,2\n", &e), QE_DATA, "csv missing column");
}

/* A random problem with n variables, integer or real weights. */
static void random_problem(opt_problem *p, int kind, int n, double density, int integral, uint64_t seed)
{
	frng r;
	qe_err e;
	frng_seed(&r, seed, 0);
	problem_init(p, kind);
	p->n = n;
	for (int i = 0; i < n; i++)
		for (int j = i; j < n; j++) {
			if (i == j && kind == PROBLEM_MAXCUT)
				continue;
			if (frng_uniform(&r) > density)
				continue;
			double w = integral ? (double)((int)frng_below(&r, 7) - 3) : frng_uniform(&r) * 2 - 1;
			problem_add(p, i, j, w, &e);
		}
}

static void test_mapping(void)
{
	/* The Ising energy must equal the problem's own objective on every state. */
	int kinds[] = {PROBLEM_QUBO, PROBLEM_ISING, PROBLEM_MAXCUT};
	for (int k = 0; k < 3; k++) {
		opt_problem p;
		ising_model m;
		qe_err e;
		int8_t s[10];
		random_problem(&p, kinds[k], 10, 0.6, 0, 11 + k);
		ising_from_problem(&p, &m, &e);
		double worst = 0;
		for (int code = 0; code < 1024; code++) {
			for (int i = 0; i < 10; i++)
				s[i] = (code >> i) & 1 ? 1 : -1;
			double want = problem_energy_for(&p, problem_objective(&p, s));
			double d = fabs(ising_energy(&m, s) - want);
			if (d > worst)
				worst = d;
		}
		UT_CHECK(worst < 1e-12, kinds[k] == PROBLEM_QUBO ? "QUBO -> Ising exact on all states"
				       : kinds[k] == PROBLEM_ISING ? "Ising energy on all states"
								   : "Max-Cut cut = (W - E)/2 on all states");
		ising_free(&m);
		problem_free(&p);
	}
}

static double solve(const ising_model *m, int solver, int threads, int8_t *out, int64_t sweeps)
{
	anneal_opts o;
	anneal_result r;
	qe_err e;
	anneal_opts_init(&o);
	o.solver = solver;
	o.seed = 42;
	o.replicas = 6;
	o.sweeps = sweeps;
	omp_set_num_threads(threads);
	if (anneal_solve(m, &o, &r, &e))
		return NAN;
	if (out)
		memcpy(out, r.spins, (size_t)m->n);
	double E = r.energy;
	anneal_result_free(&r);
	return E;
}

static void test_solvers(void)
{
	opt_problem p;
	ising_model m;
	qe_err e;
	int8_t ex[20], a[20], b[20];
	double Eex;
	/* Known optima: K4 max-cut 4, 5-cycle 4. */
	const char *k4 = "4 6\n1 2 1\n1 3 1\n1 4 1\n2 3 1\n2 4 1\n3 4 1\n";
	rd(&p, PROBLEM_MAXCUT, k4, &e);
	ising_from_problem(&p, &m, &e);
	anneal_exact(&m, ex, &Eex, &e);
	UT_EQ_INT((int)problem_objective(&p, ex), 4, "K4 max cut is 4");
	ising_free(&m);
	problem_free(&p);
	rd(&p, PROBLEM_MAXCUT, "5 5\n1 2 1\n2 3 1\n3 4 1\n4 5 1\n5 1 1\n", &e);
	ising_from_problem(&p, &m, &e);
	anneal_exact(&m, ex, &Eex, &e);
	UT_EQ_INT((int)problem_objective(&p, ex), 4, "C5 max cut is 4");
	ising_free(&m);
	problem_free(&p);

	const char *names[] = {"sa", "pt", "bsb", "dsb"};
	for (int integral = 0; integral < 2; integral++) {
		random_problem(&p, PROBLEM_ISING, 18, 0.4, integral, 5 + integral);
		ising_from_problem(&p, &m, &e);
		UT_EQ_INT(m.iscale != 0, integral, "integer fast path chosen for integer couplings");
		anneal_exact(&m, ex, &Eex, &e);
		for (int s = SOLVER_SA; s <= SOLVER_SB_DISCRETE; s++) {
			char name[96];
			double E1 = solve(&m, s, 1, a, 3000), E2 = solve(&m, s, 2, b, 3000);
			snprintf(name, sizeof name, "%s finds the exact minimum (%s couplings)", names[s],
				 integral ? "integer" : "real");
			if (s <= SOLVER_PT)
				UT_NEAR(E1, Eex, 1e-9, name);
			else
				UT_CHECK(E1 <= Eex + 0.15 * fabs(Eex), name);
			snprintf(name, sizeof name, "%s: same answer with 1 and 2 threads", names[s]);
			UT_CHECK(E1 == E2 && memcmp(a, b, 18) == 0, name);
		}
		/* 1-opt: no single flip improves a polished state. */
		for (int i = 0; i < 18; i++)
			a[i] = (i * 7 % 3) ? 1 : -1;
		anneal_polish(&m, a);
		double E = ising_energy(&m, a);
		int local = 1;
		for (int i = 0; i < 18; i++) {
			a[i] = (int8_t)-a[i];
			if (ising_energy(&m, a) < E - 1e-12)
				local = 0;
			a[i] = (int8_t)-a[i];
		}
		UT_CHECK(local, "polish ends in a 1-opt local minimum");
		ising_free(&m);
		problem_free(&p);
	}
	random_problem(&p, PROBLEM_ISING, 31, 0.2, 1, 3);
	ising_from_problem(&p, &m, &e);
	UT_EQ_INT(anneal_exact(&m, ex, &Eex, &e), QE_USAGE, "exact refuses n > 30");
	ising_free(&m);
	problem_free(&p);
}

/* The one-flip gains kept incrementally by tabu_gains_flip() equal, after
 * many random flips, the gains recomputed from scratch, and each gain is
 * the energy drop of its flip measured with ising_energy(). */
static void test_tabu_gains(void)
{
	for (int integral = 0; integral < 2; integral++) {
		opt_problem p;
		ising_model m;
		qe_err e;
		tabu_gains g, fresh;
		int8_t s[40];
		frng r;
		random_problem(&p, PROBLEM_ISING, 40, 0.3, integral, 21 + integral);
		ising_from_problem(&p, &m, &e);
		frng_seed(&r, 7, integral);
		for (int i = 0; i < 40; i++)
			s[i] = (frng_next(&r) >> 63) ? 1 : -1;
		UT_EQ_INT(tabu_gains_init(&g, &m, s), 0, "gains allocated");
		double worst_g = 0, worst_drop = 0, worst_e = 0;
		for (int k = 0; k < 5000; k++) {
			tabu_gains_flip(&g, &m, (int)frng_below(&r, 40));
			if (k % 500 != 499)
				continue;
			tabu_gains_init(&fresh, &m, g.s);
			for (int i = 0; i < 40; i++) {
				worst_g = fmax(worst_g, fabs(g.g[i] - fresh.g[i]));
				double before = ising_energy(&m, g.s);
				g.s[i] = (int8_t)-g.s[i];
				worst_drop = fmax(worst_drop, fabs(before - ising_energy(&m, g.s) - 2 * g.g[i]));
				g.s[i] = (int8_t)-g.s[i];
			}
			worst_e = fmax(worst_e, fabs(g.energy - ising_energy(&m, g.s)));
			tabu_gains_free(&fresh);
		}
		UT_CHECK(worst_g < 1e-9, integral ? "incremental gains = recomputed (integer couplings)"
						  : "incremental gains = recomputed (real couplings)");
		UT_CHECK(worst_drop < 1e-9, "2 g_i is the energy drop of flipping i");
		UT_CHECK(worst_e < 1e-9, "tracked energy = ising_energy after the flips");
		tabu_gains_free(&g);
		ising_free(&m);
		problem_free(&p);
	}
}

/* Breakout local search: the exact minimum of small models, the same
 * answer for any thread count, and a target stops it. */
static void test_tabu_solver(void)
{
	for (int integral = 0; integral < 2; integral++) {
		opt_problem p;
		ising_model m;
		qe_err e;
		int8_t ex[20], a[20], b[20];
		double Eex;
		random_problem(&p, PROBLEM_ISING, 20, 0.4, integral, 40 + integral);
		ising_from_problem(&p, &m, &e);
		anneal_exact(&m, ex, &Eex, &e);
		double E1 = solve(&m, SOLVER_TABU, 1, a, 50), E3 = solve(&m, SOLVER_TABU, 3, b, 50);
		UT_NEAR(E1, Eex, 1e-9, integral ? "tabu finds the exact minimum (integer couplings)"
						: "tabu finds the exact minimum (real couplings)");
		UT_CHECK(E1 == E3 && memcmp(a, b, 20) == 0, "tabu: same answer with 1 and 3 threads");
		anneal_opts o;
		anneal_result r;
		anneal_opts_init(&o);
		o.solver = SOLVER_TABU;
		o.has_target = 1;
		o.target_energy = Eex;
		UT_EQ_INT(anneal_solve(&m, &o, &r, &e), 0, "tabu with a target");
		UT_CHECK(r.hit_target && r.stop == ANNEAL_STOP_TARGET && fabs(r.energy - Eex) < 1e-9,
			 "tabu stops at the target");
		anneal_result_free(&r);
		ising_free(&m);
		problem_free(&p);
	}
}

int main(void)
{
	test_readers();
	test_mapping();
	test_solvers();
	test_tabu_gains();
	test_tabu_solver();
	return ut_done();
}
