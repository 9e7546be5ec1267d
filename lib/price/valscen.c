#include "price/valscen.h"

#include <stdlib.h>
#include <string.h>

/* The scenario market of b, a copy of its base, without a plan. */
static val_scenario *vscen_market(const val_book *b, qe_err *e)
{
	const market *base = valuation_market(b);
	val_scenario *s = calloc(1, sizeof *s);
	if (!s)
		return qe_err_set(e, QE_INTERNAL, "out of memory"), NULL;
	s->book = b;
	s->m = *base;
	s->c = calloc((size_t)base->nc + 1, sizeof *s->c);
	if (!s->c) {
		free(s);
		return qe_err_set(e, QE_INTERNAL, "out of memory"), NULL;
	}
	s->m.c = s->c;
	for (int k = 0; k < base->nc; k++) {
		const mkt_curve *bc = &base->c[k];
		mkt_curve *c = &s->c[k];
		*c = *bc;
		c->q = malloc(sizeof *c->q * ((size_t)bc->nq + 1));
		c->v = malloc(sizeof *c->v * ((size_t)bc->nv + 1));
		if (!c->q || !c->v) {
			vscen_free(s);
			return qe_err_set(e, QE_INTERNAL, "out of memory"), NULL;
		}
	}
	vscen_reset(s);
	return s;
}

val_scenario *vscen_new(const val_book *b, qe_err *e)
{
	val_scenario *s = vscen_market(b, e);
	if (!s)
		return NULL;
	s->owns_plan = 1;
	if (!(s->plan = valuation_plan_new(b, e))) {
		vscen_free(s);
		return NULL;
	}
	return s;
}

val_scenario *vscen_new_sibling(const val_scenario *s, qe_err *e)
{
	val_scenario *t = vscen_market(s->book, e);
	if (t)
		t->plan = s->plan;
	return t;
}

void vscen_free(val_scenario *s)
{
	if (!s)
		return;
	for (int k = 0; s->c && k < s->m.nc; k++) {
		free(s->c[k].q);
		free(s->c[k].v);
	}
	free(s->c);
	if (s->owns_plan)
		valuation_plan_free(s->plan);
	free(s);
}

void vscen_reset(val_scenario *s)
{
	const market *base = valuation_market(s->book);
	for (int k = 0; k < base->nc; k++) {
		if (base->c[k].nq)
			memcpy(s->c[k].q, base->c[k].q, sizeof *s->c[k].q * (size_t)base->c[k].nq);
		if (base->c[k].nv)
			memcpy(s->c[k].v, base->c[k].v, sizeof *s->c[k].v * (size_t)base->c[k].nv);
	}
}

double vscen_base_price(const val_scenario *s, int c, int q)
{
	return valuation_market(s->book)->c[c].q[q].price;
}

void vscen_set_price(val_scenario *s, int c, int q, double price)
{
	s->c[c].q[q].price = price;
}

void vscen_shift_vol(val_scenario *s, int c, int k, double dvol)
{
	s->c[c].v[k].vol = valuation_market(s->book)->c[c].v[k].vol + dvol;
}

long vscen_reprice(const val_scenario *s, double *npv, char *err, size_t errsz)
{
	return valuation_reprice_plan(s->book, s->plan, &s->m, npv, err, errsz);
}

long vscen_reprice_full(const val_scenario *s, double *npv, char *err, size_t errsz)
{
	return valuation_reprice(s->book, &s->m, npv, err, errsz);
}

long vscen_reprice_block(val_scenario *const *s, size_t ns, int same_vols, double *npv, char *err,
			 size_t errsz)
{
	/* in chunks of markets, in order, so the first failing chunk holds
	 * the lowest failure */
	enum { CHUNK = 64 };
	const market *mk[CHUNK];
	long n = valuation_count(s[0]->book);
	for (size_t k0 = 0; k0 < ns; k0 += CHUNK) {
		size_t nk = ns - k0 < CHUNK ? ns - k0 : CHUNK;
		for (size_t k = 0; k < nk; k++)
			mk[k] = &s[k0 + k]->m;
		long bad = valuation_reprice_plan_block(s[0]->book, s[0]->plan, mk, nk, same_vols,
							npv + (long)k0 * n, err, errsz);
		if (bad >= 0)
			return bad + (long)k0 * n;
	}
	return -1;
}
