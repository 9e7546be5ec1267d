/* invoice: CSV and HTML invoices per counterparty and period (invoice.h). */
#include "settle/invoice.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "io/formats.h"

static void put(strbuf *b, const char *s) { strbuf_put(b, s, strlen(s)); }

void invoice_id(char *buf, size_t cap, const char *cpty, qe_date from)
{
	int y, m, d;
	date_to_ymd(from, &y, &m, &d);
	snprintf(buf, cap, "INV-%04d%02d%02d-%s", y, m, d, cpty);
}

void invoice_csv_header(FILE *fp)
{
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_INVOICES);
}

/* The currencies of cpty's payments in the period, in payment order. */
typedef struct total {
	char ccy[4];
	int64_t sum;
} total;

static size_t totals(const char *cpty, qe_date from, qe_date to, const net_list *p, total *t,
		     size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++) {
		const settle_payment *x = &p->v[i];
		if (strcmp(x->cpty, cpty) || x->value < from || x->value > to)
			continue;
		size_t k = 0;
		while (k < n && strcmp(t[k].ccy, x->ccy))
			k++;
		if (k == n) {
			if (n == cap)
				continue;
			memcpy(t[n].ccy, x->ccy, 4);
			t[n++].sum = 0;
		}
		t[k].sum += x->dir * x->minor;
	}
	return n;
}

static void csv_row(csv_writer *w, const char *id, const char *cpty, const char *row,
		    const char *trade, const char *kind, qe_date value, const char *ccy,
		    int64_t signed_minor, const settle_terms *t)
{
	char amt[48];
	csvw_str(w, id);
	csvw_str(w, cpty);
	csvw_str(w, row);
	if (trade)
		csvw_str(w, trade);
	else
		csvw_empty(w);
	if (kind)
		csvw_str(w, kind);
	else
		csvw_empty(w);
	if (value)
		csvw_date(w, value);
	else
		csvw_empty(w);
	csvw_str(w, ccy);
	csvw_str(w, signed_minor < 0 ? "pay" : "receive");
	csvw_int(w, signed_minor < 0 ? -signed_minor : signed_minor);
	terms_format_minor(amt, sizeof amt, signed_minor, terms_exponent(t, ccy));
	csvw_str(w, amt);
	csvw_end(w);
}

void invoice_csv(FILE *fp, const char *cpty, qe_date from, qe_date to, const flows_list *f,
		 const net_list *p, const settle_terms *t)
{
	char id[160];
	csv_writer w;
	total tot[64];
	csvw_init(&w, fp);
	invoice_id(id, sizeof id, cpty, from);
	for (size_t i = 0; i < f->n; i++) {
		const settle_flow *x = &f->v[i];
		if (!strcmp(x->cpty, cpty) && x->value >= from && x->value <= to)
			csv_row(&w, id, cpty, "line", x->trade_id, terms_kind_name(x->kind), x->value,
				x->ccy, x->dir * x->minor, t);
	}
	for (size_t i = 0; i < p->n; i++) {
		const settle_payment *x = &p->v[i];
		if (!strcmp(x->cpty, cpty) && x->value >= from && x->value <= to)
			csv_row(&w, id, cpty, "payment", x->netted ? NULL : x->trade_id,
				x->netted ? "net" : "gross", x->value, x->ccy, x->dir * x->minor, t);
	}
	size_t n = totals(cpty, from, to, p, tot, 64);
	for (size_t k = 0; k < n; k++)
		csv_row(&w, id, cpty, "total", NULL, NULL, 0, tot[k].ccy, tot[k].sum, t);
}

static void html_text(strbuf *b, const char *s)
{
	strbuf_put_markup(b, s, strlen(s), STRBUF_HTML);
}

static void html_cell(strbuf *b, const char *s, int num)
{
	put(b, num ? "<td class=\"n\">" : "<td>");
	html_text(b, s);
	put(b, "</td>");
}

static void html_amount(strbuf *b, int64_t signed_minor, const char *ccy, const settle_terms *t)
{
	char amt[48];
	terms_format_minor(amt, sizeof amt, signed_minor, terms_exponent(t, ccy));
	html_cell(b, amt, 1);
}

void invoice_html(strbuf *b, const char *cpty, qe_date from, qe_date to, const flows_list *f,
		  const net_list *p, const settle_terms *t)
{
	char id[160], d1[16], d2[16];
	total tot[64];
	invoice_id(id, sizeof id, cpty, from);
	date_format(d1, from);
	date_format(d2, to);
	put(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	html_text(b, id);
	put(b, "</title>\n<style>\nbody{font-family:serif;margin:2em}table{border-collapse:collapse;"
	      "margin-bottom:1.5em}td,th{border:1px solid #888;padding:2px 6px}td.n{text-align:right}"
	      "\n@media print{body{margin:0}}\n</style>\n</head>\n<body>\n<h1>Invoice ");
	html_text(b, id);
	put(b, "</h1>\n<p>Counterparty: ");
	html_text(b, cpty);
	char para[512];
	snprintf(para, sizeof para, "<br>Period: value dates %s to %s<br>Signs: positive amounts are due to us, "
		    "negative ones are due from us.<br>EU wholesale gas and power between businesses: "
		    "reverse charge, no VAT charged.</p>\n<h2>Lines</h2>\n<table>\n<tr><th>trade</th>"
		    "<th>kind</th><th>value date</th><th>currency</th><th>amount</th></tr>\n", d1, d2);
	put(b, para);
	for (size_t i = 0; i < f->n; i++) {
		const settle_flow *x = &f->v[i];
		char d[16];
		if (strcmp(x->cpty, cpty) || x->value < from || x->value > to)
			continue;
		date_format(d, x->value);
		put(b, "<tr>");
		html_cell(b, x->trade_id, 0);
		html_cell(b, terms_kind_name(x->kind), 0);
		html_cell(b, d, 0);
		html_cell(b, x->ccy, 0);
		html_amount(b, x->dir * x->minor, x->ccy, t);
		put(b, "</tr>\n");
	}
	put(b, "</table>\n<h2>Payments</h2>\n<table>\n<tr><th>value date</th><th>currency</th>"
	      "<th>basis</th><th>flows</th><th>amount</th></tr>\n");
	for (size_t i = 0; i < p->n; i++) {
		const settle_payment *x = &p->v[i];
		char d[16], nb[24];
		if (strcmp(x->cpty, cpty) || x->value < from || x->value > to)
			continue;
		date_format(d, x->value);
		snprintf(nb, sizeof nb, "%ld", x->nflows);
		put(b, "<tr>");
		html_cell(b, d, 0);
		html_cell(b, x->ccy, 0);
		html_cell(b, x->netted ? "net" : "gross", 0);
		html_cell(b, nb, 1);
		html_amount(b, x->dir * x->minor, x->ccy, t);
		put(b, "</tr>\n");
	}
	put(b, "</table>\n<h2>Totals</h2>\n<table>\n<tr><th>currency</th><th>total</th></tr>\n");
	size_t n = totals(cpty, from, to, p, tot, 64);
	for (size_t k = 0; k < n; k++) {
		put(b, "<tr>");
		html_cell(b, tot[k].ccy, 0);
		html_amount(b, tot[k].sum, tot[k].ccy, t);
		put(b, "</tr>\n");
	}
	put(b, "</table>\n</body>\n</html>\n");
}
