#include "opt/ising.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void problem_init(opt_problem *p, int kind)
{
	memset(p, 0, sizeof *p);
	p->kind = kind;
	p->base = 1;
}

void problem_free(opt_problem *p)
{
	free(p->ti);
	free(p->tj);
	free(p->tw);
	memset(p, 0, sizeof *p);
}

int problem_add(opt_problem *p, int32_t i, int32_t j, double w, qe_err *e)
{
	if (p->m == p->cap) {
		int64_t cap = p->cap ? 2 * p->cap : 1024;
		int32_t *ti = realloc(p->ti, (size_t)cap * sizeof *ti);
		if (ti)
			p->ti = ti;
		int32_t *tj = realloc(p->tj, (size_t)cap * sizeof *tj);
		if (tj)
			p->tj = tj;
		double *tw = realloc(p->tw, (size_t)cap * sizeof *tw);
		if (tw)
			p->tw = tw;
		if (!ti || !tj || !tw)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		p->cap = cap;
	}
	p->ti[p->m] = i;
	p->tj[p->m] = j;
	p->tw[p->m] = w;
	p->m++;
	return 0;
}

void ising_free(ising_model *m)
{
	free(m->row);
	free(m->col);
	free(m->J);
	free(m->h);
	free(m->Ji);
	free(m->hi);
	memset(m, 0, sizeof *m);
}

/* Chooses k in {1, 2, 4} so that all k*J and k*h are integers. */
static void setup_integer_path(ising_model *m)
{
	static const int scales[] = {1, 2, 4};
	m->iscale = 0;
	for (int s = 0; s < 3; s++) {
		int k = scales[s], ok = 1;
		double maxf = 0;
		for (int i = 0; i < m->n && ok; i++) {
			double f = fabs(k * m->h[i]);
			if (f != floor(f))
				ok = 0;
			for (int64_t q = m->row[i]; q < m->row[i + 1] && ok; q++) {
				double v = k * m->J[q];
				if (v != floor(v))
					ok = 0;
				f += fabs(v);
			}
			if (f > maxf)
				maxf = f;
		}
		if (!ok)
			continue;
		if (maxf > (double)(1 << 20))
			return;
		m->Ji = malloc((size_t)(m->nnz ? m->nnz : 1) * sizeof *m->Ji);
		m->hi = malloc((size_t)(m->n ? m->n : 1) * sizeof *m->hi);
		if (!m->Ji || !m->hi) {
			free(m->Ji);
			free(m->hi);
			m->Ji = m->hi = NULL;
			return;
		}
		for (int64_t q = 0; q < m->nnz; q++)
			m->Ji[q] = (int32_t)(k * m->J[q]);
		for (int i = 0; i < m->n; i++)
			m->hi[i] = (int32_t)(k * m->h[i]);
		m->iscale = k;
		m->imax_field = (int32_t)maxf;
		return;
	}
}

typedef struct pair {
	int32_t a, b;
	double w;
} pair;

static int pair_cmp(const void *x, const void *y)
{
	const pair *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return 0;
}

int ising_from_problem(const opt_problem *p, ising_model *m, qe_err *e)
{
	int n = p->n;
	pair *pr = NULL;
	int64_t np = 0;
	memset(m, 0, sizeof *m);
	m->n = n;
	m->h = calloc((size_t)(n ? n : 1), sizeof *m->h);
	m->row = calloc((size_t)n + 1, sizeof *m->row);
	pr = malloc((size_t)(2 * p->m + 1) * sizeof *pr);
	if (!m->h || !m->row || !pr)
		goto oom;
	for (int64_t t = 0; t < p->m; t++) {
		int32_t i = p->ti[t], j = p->tj[t];
		double w = p->tw[t], J = 0;
		if (i == j) {
			if (p->kind == PROBLEM_QUBO) {
				m->h[i] += w / 2;
				m->offset += w / 2;
			} else {
				m->h[i] += w;
			}
			continue;
		}
		switch (p->kind) {
		case PROBLEM_MAXCUT:
		case PROBLEM_ISING:
			J = w;
			break;
		case PROBLEM_QUBO:
			J = w / 4;
			m->h[i] += w / 4;
			m->h[j] += w / 4;
			m->offset += w / 4;
			break;
		}
		pr[np++] = (pair){i, j, J};
		pr[np++] = (pair){j, i, J};
	}
	/* Couplings are merged per (i, j): loaders reject duplicates, but a
	 * builder (hedge, portfolio) may add the same pair more than once. */
	qsort(pr, (size_t)np, sizeof *pr, pair_cmp);
	int64_t k = 0;
	for (int64_t t = 0; t < np; t++) {
		if (k > 0 && pr[k - 1].a == pr[t].a && pr[k - 1].b == pr[t].b)
			pr[k - 1].w += pr[t].w;
		else
			pr[k++] = pr[t];
	}
	np = k;
	m->nnz = np;
	m->col = malloc((size_t)(np ? np : 1) * sizeof *m->col);
	m->J = malloc((size_t)(np ? np : 1) * sizeof *m->J);
	if (!m->col || !m->J)
		goto oom;
	for (int64_t t = 0; t < np; t++) {
		m->row[pr[t].a + 1]++;
		m->col[t] = pr[t].b;
		m->J[t] = pr[t].w;
	}
	for (int i = 0; i < n; i++)
		m->row[i + 1] += m->row[i];
	free(pr);
	m->max_field = 0;
	m->min_coupling = INFINITY;
	for (int i = 0; i < n; i++) {
		double f = fabs(m->h[i]);
		if (m->h[i] != 0 && fabs(m->h[i]) < m->min_coupling)
			m->min_coupling = fabs(m->h[i]);
		for (int64_t q = m->row[i]; q < m->row[i + 1]; q++) {
			f += fabs(m->J[q]);
			if (m->J[q] != 0 && fabs(m->J[q]) < m->min_coupling)
				m->min_coupling = fabs(m->J[q]);
		}
		if (f > m->max_field)
			m->max_field = f;
	}
	if (!isfinite(m->min_coupling))
		m->min_coupling = 1;
	if (!isfinite(m->max_field) || !isfinite(m->offset)) {
		ising_free(m);
		return qe_err_set(e, QE_NUMERIC, "couplings overflow a double");
	}
	setup_integer_path(m);
	return 0;
oom:
	free(pr);
	ising_free(m);
	return qe_err_set(e, QE_INTERNAL, "out of memory");
}

double ising_energy(const ising_model *m, const int8_t *s)
{
	double pairs = 0, lin = 0;
	for (int i = 0; i < m->n; i++) {
		double f = 0;
		for (int64_t q = m->row[i]; q < m->row[i + 1]; q++)
			if (m->col[q] > i)
				f += m->J[q] * s[m->col[q]];
		pairs += f * s[i];
		lin += m->h[i] * s[i];
	}
	return m->offset + lin + pairs;
}

double problem_objective(const opt_problem *p, const int8_t *s)
{
	double v = 0;
	for (int64_t t = 0; t < p->m; t++) {
		int32_t i = p->ti[t], j = p->tj[t];
		double w = p->tw[t];
		switch (p->kind) {
		case PROBLEM_MAXCUT:
			if (s[i] != s[j])
				v += w;
			break;
		case PROBLEM_QUBO:
			if (s[i] > 0 && s[j] > 0)
				v += w;
			break;
		case PROBLEM_ISING:
			v += i == j ? w * s[i] : w * s[i] * s[j];
			break;
		}
	}
	return v;
}

double problem_total_weight(const opt_problem *p)
{
	double w = 0;
	for (int64_t t = 0; t < p->m; t++)
		if (p->ti[t] != p->tj[t])
			w += p->tw[t];
	return w;
}

int problem_maximizes(const opt_problem *p)
{
	return p->kind == PROBLEM_MAXCUT;
}

double problem_energy_for(const opt_problem *p, double v)
{
	return p->kind == PROBLEM_MAXCUT ? problem_total_weight(p) - 2 * v : v;
}

double problem_objective_for(const opt_problem *p, double E)
{
	return p->kind == PROBLEM_MAXCUT ? (problem_total_weight(p) - E) / 2 : E;
}
