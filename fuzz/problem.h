/*
 * The shared body of the problem-file fuzz targets (gset.c, qbsolv.c,
 * csvproblem.c): reads one input with opt/isingio.h and checks what the
 * reader promises - a bad file is a one-line QE_DATA error, and a
 * problem read has every term inside its n variables with a finite
 * weight, and converts to an Ising model.
 */
#ifndef QE_FUZZ_PROBLEM_H
#define QE_FUZZ_PROBLEM_H

#include <math.h>

#include "fuzz.h"
#include "opt/isingio.h"

static void fuzz_problem(int kind, int format, const uint8_t *data, size_t len)
{
	opt_problem p;
	problem_init(&p, kind);
	qe_err e;
	qe_err_clear(&e);
	int rc = problem_read_mem(&p, kind, format, (const char *)data, len, "fuzz", &e);
	fuzz_check_err(rc, &e);
	if (rc == 0) {
		if (p.n < 0 || p.m < 0 || p.m > p.cap)
			fuzz_fail("n %d, m %lld, cap %lld", p.n, (long long)p.m, (long long)p.cap);
		for (int64_t t = 0; t < p.m; t++) {
			if (p.ti[t] < 0 || p.ti[t] >= p.n || p.tj[t] < 0 || p.tj[t] >= p.n)
				fuzz_fail("term %lld (%d, %d) outside %d variables", (long long)t, p.ti[t],
					  p.tj[t], p.n);
			if (!isfinite(p.tw[t]))
				fuzz_fail("term %lld has weight %g", (long long)t, p.tw[t]);
		}
		(void)problem_total_weight(&p);
		/* a huge but valid n is the caller's memory to spend, not a bug */
		if (p.n <= 1000000) {
			ising_model m;
			qe_err me;
			qe_err_clear(&me);
			int mrc = ising_from_problem(&p, &m, &me);
			fuzz_check_err(mrc, &me);
			if (mrc == 0)
				ising_free(&m);
		}
	}
	problem_free(&p);
}

#endif
