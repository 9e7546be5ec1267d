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
	if (f->n > 1) /* a null base of no rows is undefined */
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

/* Copies field col of r into dst (cap bytes with the NUL): 1..cap-1 bytes
 * unless it may be empty. */
static int field_copy(csv_reader *r, int col, char *dst, size_t cap, int may_be_empty, qe_err *e)
{
	size_t len;
	const char *s = csvr_field(r, col, &len);
	if ((!len && !may_be_empty) || len >= cap)
		return csvr_field_error(r, col, e, "%s1..%zu bytes '%s'", may_be_empty ? "0 or " : "",
					cap - 1, s);
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

int net_read(const char *path, net_list *out, qe_err *e)
{
	static const char *const cols[] = {"counterparty", "currency", "value_date", "basis",
					   "flows", "direction", "amount_minor", "trade_id"};
	int ix[8], st, rc = 0;
	size_t cap = 0;
	memset(out, 0, sizeof *out);
	out->path = path;
	csv_reader *r = csvr_open(path, e);
	if (!r)
		return e->code;
	if (csvr_require(r, cols, 8, ix, e)) {
		csvr_close(r);
		return e->code;
	}
	while ((st = csvr_next(r, e)) == CSVR_ROW) {
		settle_payment p;
		memset(&p, 0, sizeof p);
		p.line = csvr_line(r);
		if ((rc = field_copy(r, ix[0], p.cpty, sizeof p.cpty, 0, e)))
			break;
		const char *s = csvr_field(r, ix[1], NULL);
		if (strlen(s) != 3) {
			rc = csvr_field_error(r, ix[1], e, "not an ISO 4217 code '%s'", s);
			break;
		}
		memcpy(p.ccy, s, 4);
		if ((rc = csvr_get_date(r, ix[2], &p.value, e)))
			break;
		s = csvr_field(r, ix[3], NULL);
		p.netted = strcmp(s, "net") == 0 ? 1 : strcmp(s, "gross") == 0 ? 0 : -1;
		if (p.netted < 0) {
			rc = csvr_field_error(r, ix[3], e, "basis must be net or gross '%s'", s);
			break;
		}
		int64_t k;
		if ((rc = csvr_get_int64(r, ix[4], &k, e)))
			break;
		if (k < 1) {
			rc = csvr_field_error(r, ix[4], e, "at least one flow '%s'", csvr_field(r, ix[4], NULL));
			break;
		}
		p.nflows = (long)k;
		s = csvr_field(r, ix[5], NULL);
		p.dir = strcmp(s, "pay") == 0 ? -1 : strcmp(s, "receive") == 0 ? 1 : 0;
		if (!p.dir) {
			rc = csvr_field_error(r, ix[5], e, "direction must be pay or receive '%s'", s);
			break;
		}
		if ((rc = csvr_get_int64(r, ix[6], &p.minor, e)))
			break;
		if (p.minor < 0 || p.minor > INT64_MAX / 1024) {
			rc = csvr_field_error(r, ix[6], e, "amount must be 0..%lld minor units '%s'",
					      (long long)(INT64_MAX / 1024), csvr_field(r, ix[6], NULL));
			break;
		}
		if ((rc = field_copy(r, ix[7], p.trade_id, sizeof p.trade_id, p.netted, e)))
			break;
		if (out->n == cap) {
			size_t nc = cap ? 2 * cap : 256;
			settle_payment *v = realloc(out->v, nc * sizeof *v);
			if (!v) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				break;
			}
			out->v = v;
			cap = nc;
		}
		out->v[out->n++] = p;
	}
	if (!rc && st != CSVR_EOF)
		rc = e->code;
	csvr_close(r);
	if (rc) {
		net_free(out);
		out->path = path;
	}
	return rc;
}
