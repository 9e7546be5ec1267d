#include "price/valscen.h"

#include <stdlib.h>
#include <string.h>

val_scenario *vscen_new(const val_book *b, qe_err *e)
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
	if (!(s->plan = valuation_plan_new(b, e))) {
		vscen_free(s);
		return NULL;
	}
	vscen_reset(s);
	return s;
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
