/* net: payments netted per counterparty, currency and value date (net.h). */
#include "settle/net.h"

#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "io/formats.h"

static int by_payment(const void *a, const void *b)
{
	const settle_flow *x = a, *y = b;
	int r;
	if ((r = strcmp(x->cpty, y->cpty)) || (r = strcmp(x->ccy, y->ccy)))
		return r;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if ((r = strcmp(x->trade_id, y->trade_id)))
		return r;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	if (x->dir != y->dir)
		return x->dir - y->dir;
	return x->minor < y->minor ? -1 : x->minor > y->minor;
}

int net_compute(flows_list *f, const settle_terms *t, net_list *out, qe_err *e)
{
	memset(out, 0, sizeof *out);
	qsort(f->v, f->n, sizeof *f->v, by_payment);
	if (f->n && !(out->v = calloc(f->n, sizeof *out->v)))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < f->n;) {
		const settle_flow *a = &f->v[i];
		int net = terms_netting(t, a->cpty);
		if (net < 0) {
			net_free(out);
			return qe_err_set(e, QE_DATA, "unknown counterparty '%s' (flow of trade %s)", a->cpty,
					  a->trade_id);
		}
		size_t j = i + 1;
		if (net)
			while (j < f->n && strcmp(f->v[j].cpty, a->cpty) == 0 &&
			       strcmp(f->v[j].ccy, a->ccy) == 0 && f->v[j].value == a->value)
				j++;
		settle_payment *p = &out->v[out->n++];
		memcpy(p->cpty, a->cpty, sizeof p->cpty);
		memcpy(p->ccy, a->ccy, sizeof p->ccy);
		p->value = a->value;
		p->netted = net;
		p->nflows = (long)(j - i);
		if (!net)
			memcpy(p->trade_id, a->trade_id, sizeof p->trade_id);
		int64_t sum = 0;
		for (size_t k = i; k < j; k++)
			sum += f->v[k].dir * f->v[k].minor;
		p->dir = sum < 0 ? -1 : 1;
		p->minor = sum < 0 ? -sum : sum;
		i = j;
	}
	return 0;
}

void net_free(net_list *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

void net_write(FILE *fp, const net_list *l)
{
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_SETTLE_PAYMENTS);
	for (size_t i = 0; i < l->n; i++) {
		const settle_payment *p = &l->v[i];
		csvw_str(&w, p->cpty);
		csvw_str(&w, p->ccy);
		csvw_date(&w, p->value);
		csvw_str(&w, p->netted ? "net" : "gross");
		csvw_int(&w, p->nflows);
		csvw_str(&w, p->dir < 0 ? "pay" : "receive");
		csvw_int(&w, p->minor);
		if (p->netted)
			csvw_empty(&w);
		else
			csvw_str(&w, p->trade_id);
		csvw_end(&w);
	}
}
