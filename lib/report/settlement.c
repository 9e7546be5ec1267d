#include "report/settlement.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"
#include "core/strindex.h"
#include "report/html.h"
#include "settle/terms.h"

enum { PY_CPTY, PY_CCY, PY_DATE, PY_DIR, PY_AMOUNT, PY_NCOLS };
enum { RJ_CPTY, RJ_CCY, RJ_DATE, RJ_AMOUNT, RJ_REASON, RJ_NCOLS };
enum { MG_ACCOUNT, MG_CCY, MG_SCAN, MG_SPREAD, MG_SHORT, MG_MARGIN, MG_NCOLS };

char *report_money(char *buf, int64_t minor, int exp)
{
	char digits[32];
	terms_format_minor(digits, sizeof digits, minor, exp);
	return report_group_digits(buf, 40, digits);
}

/* A whole number of minor units, 0 or more. */
static int minor_cell(const rtable *t, size_t i, int col, int64_t *out, qe_err *e)
{
	if (num_parse_int64_z(rtable_get(t, i, col), out) || *out < 0)
		return rtable_error(t, i, col, e, "not a whole number of minor units, 0 or more '%s'",
				    rtable_get(t, i, col));
	return 0;
}

static int date_cell(const rtable *t, size_t i, int col, qe_date *out, qe_err *e)
{
	if (date_parse_z(rtable_get(t, i, col), out))
		return rtable_error(t, i, col, e, "not a date YYYY-MM-DD '%s'", rtable_get(t, i, col));
	return 0;
}

/* The total of currency ccy (added at its first sight), its exponent from
 * the currencies file; -1 with e filled when the file lacks it. */
static long ccy_total(report_settlement *s, strindex *ix, const settle_terms *terms, const rtable *t, size_t row,
		      int col, qe_err *e)
{
	const char *c = rtable_get(t, row, col);
	int exp = terms_exponent(terms, c);
	if (exp < 0 || strlen(c) >= sizeof s->ccy->ccy) {
		rtable_error(t, row, col, e, "currency '%s' is not in %s", c, s->in.currencies);
		return -1;
	}
	int added;
	long k = sidx_add(ix, c, strlen(c), &added);
	if (k >= 0 && added) {
		report_ccy_total *p = realloc(s->ccy, ((size_t)k + 1) * sizeof *p);
		if (!p)
			k = -1;
		else {
			s->ccy = p;
			memset(&p[k], 0, sizeof p[k]);
			snprintf(p[k].ccy, sizeof p[k].ccy, "%s", c);
			p[k].exp = exp;
			s->nccy = (size_t)k + 1;
		}
	}
	if (k < 0)
		qe_err_set(e, QE_INTERNAL, "out of memory");
	return k;
}

static int add_minor(int64_t *sum, int64_t x, const rtable *t, size_t row, int col, qe_err *e)
{
	if (__builtin_add_overflow(*sum, x, sum))
		return rtable_error(t, row, col, e, "the total overflows 64-bit minor units");
	return 0;
}

static int cmp_day(const void *a, const void *b)
{
	const report_value_day *x = a, *y = b;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return (x->ccy > y->ccy) - (x->ccy < y->ccy);
}

static int read_payments(report_settlement *s, strindex *ix, const settle_terms *terms, qe_err *e)
{
	static const char *const cols[PY_NCOLS] = {"counterparty", "currency", "value_date", "direction",
						   "amount_minor"};
	int rc = rtable_read(s->in.payments, cols, NULL, PY_NCOLS, &s->pay, e);
	if (rc)
		return rc;
	s->has_pay = 1;
	const rtable *t = &s->pay;
	strindex *days = sidx_new();
	if (!days)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	size_t cap = 0;
	qe_date asof = -1;
	if (s->in.asof && date_parse_z(s->in.asof, &asof))
		asof = -1;
	for (size_t i = 0; i < t->n && !rc; i++) {
		qe_date d;
		int64_t a;
		if ((rc = date_cell(t, i, PY_DATE, &d, e)) || (rc = minor_cell(t, i, PY_AMOUNT, &a, e)))
			break;
		const char *dir = rtable_get(t, i, PY_DIR);
		int pay = strcmp(dir, "pay") == 0;
		if (!pay && strcmp(dir, "receive") != 0) {
			rc = rtable_error(t, i, PY_DIR, e, "pay or receive, not '%s'", dir);
			break;
		}
		long k = ccy_total(s, ix, terms, t, i, PY_CCY, e);
		if (k < 0) {
			rc = e->code;
			break;
		}
		report_ccy_total *c = &s->ccy[k];
		if ((rc = add_minor(pay ? &c->pay : &c->receive, a, t, i, PY_AMOUNT, e)))
			break;
		*(pay ? &c->npay : &c->nreceive) += 1;
		if (!s->npayments++ || d < s->first)
			s->first = d;
		if (s->npayments == 1 || d > s->last)
			s->last = d;
		if (d >= asof && (s->next < 0 || d < s->next))
			s->next = d;
		char key[48];
		int n = snprintf(key, sizeof key, "%ld %ld", (long)d, k), added;
		long j = sidx_add(days, key, (size_t)n, &added);
		if (j >= 0 && added && (size_t)j >= cap) {
			size_t nc = cap ? 2 * cap : 64;
			report_value_day *p = realloc(s->day, nc * sizeof *p);
			if (p) {
				s->day = p;
				cap = nc;
			} else
				j = -1;
		}
		if (j < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			break;
		}
		report_value_day *v = &s->day[j];
		if (added) {
			memset(v, 0, sizeof *v);
			v->date = d;
			v->ccy = (size_t)k;
			s->nday = (size_t)j + 1;
		}
		if ((rc = add_minor(pay ? &v->pay : &v->receive, a, t, i, PY_AMOUNT, e)))
			break;
		v->n++;
	}
	sidx_free(days);
	if (!rc)
		qsort(s->day, s->nday, sizeof *s->day, cmp_day);
	return rc;
}

static int read_rejects(report_settlement *s, strindex *ix, const settle_terms *terms, qe_err *e)
{
	static const char *const cols[RJ_NCOLS] = {"counterparty", "currency", "value_date", "amount_minor",
						   "reason"};
	int rc = rtable_read(s->in.rejects, cols, NULL, RJ_NCOLS, &s->rej, e);
	if (rc)
		return rc;
	s->has_rej = 1;
	const rtable *t = &s->rej;
	s->rej_minor = malloc((t->n ? t->n : 1) * sizeof *s->rej_minor);
	s->rej_exp = malloc((t->n ? t->n : 1) * sizeof *s->rej_exp);
	if (!s->rej_minor || !s->rej_exp)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < t->n && !rc; i++) {
		qe_date d;
		if ((rc = date_cell(t, i, RJ_DATE, &d, e)) || (rc = minor_cell(t, i, RJ_AMOUNT, &s->rej_minor[i], e)))
			break;
		long k = ccy_total(s, ix, terms, t, i, RJ_CCY, e);
		if (k < 0) {
			rc = e->code;
			break;
		}
		s->rej_exp[i] = s->ccy[k].exp;
		if ((rc = add_minor(&s->ccy[k].held, s->rej_minor[i], t, i, RJ_AMOUNT, e)))
			break;
		s->ccy[k].nheld++;
		s->nheld++;
	}
	return rc;
}

static int read_margin(report_settlement *s, qe_err *e)
{
	static const char *const cols[MG_NCOLS] = {"account", "currency", "scan_risk", "spread_charge",
						   "short_option_min", "margin"};
	int rc = rtable_read(s->in.margin, cols, NULL, MG_NCOLS, &s->mar, e);
	if (rc)
		return rc;
	s->has_mar = 1;
	const rtable *t = &s->mar;
	s->mar_num = malloc((t->n ? t->n : 1) * 4 * sizeof *s->mar_num);
	s->mtot = calloc(t->n ? t->n : 1, sizeof *s->mtot);
	if (!s->mar_num || !s->mtot)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < t->n && !rc; i++) {
		for (int j = 0; j < 4 && !rc; j++) {
			double *x = &s->mar_num[4 * i + (size_t)j];
			if (!(rc = rtable_num(t, i, MG_SCAN + j, 0, x, e)) && *x < 0)
				rc = rtable_error(t, i, MG_SCAN + j, e, "must not be negative");
		}
		if (rc)
			break;
		const char *c = rtable_get(t, i, MG_CCY);
		if (!*c || strlen(c) >= sizeof s->mtot->ccy) {
			rc = rtable_error(t, i, MG_CCY, e, "not a currency code '%s'", c);
			break;
		}
		size_t k = 0;
		while (k < s->nmtot && strcmp(s->mtot[k].ccy, c))
			k++;
		if (k == s->nmtot)
			snprintf(s->mtot[s->nmtot++].ccy, sizeof s->mtot->ccy, "%s", c);
		s->mtot[k].margin += s->mar_num[4 * i + 3];
		s->mtot[k].books++;
	}
	return rc;
}

int report_settlement_read(const struct report_settlement_in *in, report_settlement *s, qe_err *e)
{
	memset(s, 0, sizeof *s);
	s->in = *in;
	if (s->in.max_rows <= 0)
		s->in.max_rows = 20;
	s->next = -1;
	int rc = 0;
	if (in->payments || in->rejects) {
		if (!in->currencies)
			return qe_err_set(e, QE_USAGE, "the payments need the currencies file (their minor units)");
		settle_terms *terms = terms_load(in->currencies, NULL, NULL, in->calendars, e);
		strindex *ix = sidx_new();
		if (!terms || !ix)
			rc = terms ? qe_err_set(e, QE_INTERNAL, "out of memory") : e->code;
		if (!rc && in->payments)
			rc = read_payments(s, ix, terms, e);
		if (!rc && in->rejects)
			rc = read_rejects(s, ix, terms, e);
		sidx_free(ix);
		terms_free(terms);
	}
	if (!rc && in->margin)
		rc = read_margin(s, e);
	return rc;
}

void report_settlement_free(report_settlement *s)
{
	if (s->has_pay)
		rtable_free(&s->pay);
	if (s->has_rej)
		rtable_free(&s->rej);
	if (s->has_mar)
		rtable_free(&s->mar);
	free(s->ccy);
	free(s->day);
	free(s->rej_minor);
	free(s->rej_exp);
	free(s->mar_num);
	free(s->mtot);
	memset(s, 0, sizeof *s);
}

/* ---- the panel ----------------------------------------------------------- */

/* "+1,234.50" for what comes in, "-1,234.50" for what goes out */
static char *signed_money(char *buf, int64_t minor, int exp)
{
	char a[40];
	report_money(a, minor, exp);
	snprintf(buf, 48, "%s%s", minor > 0 ? "+" : "", a);
	return buf;
}

static void totals_table(const report_settlement *s, strbuf *t)
{
	char a[40], b[40], c[48], d[40], f0[16], f1[16];
	date_format(f0, s->first);
	date_format(f1, s->last);
	strbuf_addf(t, "<table id=settle-totals><caption>Payments by currency, value dates %s to %s: what we pay, "
		     "what we receive, the net (+ in, &#8722; out) and the payments held back from the payment "
		     "file</caption><tr><th style=\"width:14%%\">currency</th><th class=n>we pay</th><th class=n>we receive</th>"
		     "<th class=\"n wide\">net</th><th class=n>held back</th></tr>", s->npayments ? f0 : "-",
		     s->npayments ? f1 : "-");
	for (size_t k = 0; k < s->nccy; k++) {
		const report_ccy_total *x = &s->ccy[k];
		strbuf_addf(t, "<tr><td>%s</td><td class=n>%s (%ld)</td><td class=n>%s (%ld)</td><td class=\"n wide\">%s</td>",
			   x->ccy, report_money(a, x->pay, x->exp), x->npay, report_money(b, x->receive, x->exp),
			   x->nreceive, signed_money(c, x->receive - x->pay, x->exp));
		if (x->nheld)
			strbuf_addf(t, "<td class=\"n bad\">&#9888; %s (%ld)</td></tr>", report_money(d, x->held, x->exp),
				   x->nheld);
		else
			strbuf_addf(t, "<td class=n>%s</td></tr>", s->has_rej ? "none" : "&#8211;");
	}
	strbuf_addf(t, "</table><p class=note>In brackets: the number of payments.</p>");
}

static void days_table(const report_settlement *s, strbuf *t)
{
	strbuf_addf(t, "<table id=settle-dates><caption>The next value dates (up to %d, from ", REPORT_NEXT_DAYS);
	report_html_escape(t, s->in.asof ? s->in.asof : "the first");
	strbuf_addf(t, ")</caption><tr><th style=\"width:23%%\">value date</th><th style=\"width:13%%\">currency</th>"
		     "<th class=n>we pay</th><th class=n>we receive</th><th class=n style=\"width:14%%\">payments</th></tr>");
	int ndates = 0;
	qe_date prev = -1;
	for (size_t i = 0; i < s->nday; i++) {
		const report_value_day *v = &s->day[i];
		if (v->date < s->next || s->next < 0)
			continue;
		if (v->date != prev && ++ndates > REPORT_NEXT_DAYS)
			break;
		prev = v->date;
		const report_ccy_total *c = &s->ccy[v->ccy];
		char d[16], a[40], b[40];
		date_format(d, v->date);
		strbuf_addf(t, "<tr><td>%s</td><td>%s</td><td class=n>%s</td><td class=n>%s</td><td class=n>%ld</td></tr>",
			   d, c->ccy, report_money(a, v->pay, c->exp), report_money(b, v->receive, c->exp), v->n);
	}
	strbuf_addf(t, "</table>");
	if (s->next < 0)
		strbuf_addf(t, "<p class=note>No payment on or after the day.</p>");
}

static void held_table(const report_settlement *s, strbuf *t)
{
	const rtable *r = &s->rej;
	if (!r->n) {
		strbuf_addf(t, "<p class=\"note ok\" id=pay-held-none>No payment held back: the payment file carries "
			     "them all.</p>");
		return;
	}
	strbuf_addf(t, "<table id=pay-held class=held><caption><span class=bad>&#9888; %ld payment%s held back"
		     "</span> from the payment file for bad bank details: pay them by hand or fix the details"
		     "</caption><tr><th style=\"width:18%%\">counterparty</th><th>currency</th><th>value date</th>"
		     "<th class=n>amount</th><th style=\"width:34%%\">reason</th></tr>",
		     (long)r->n, r->n == 1 ? "" : "s");
	size_t shown = 0;
	for (size_t i = 0; i < r->n && (int)shown < s->in.max_rows; i++, shown++) {
		char a[40];
		strbuf_addf(t, "<tr class=bad><td>&#9888; ");
		report_html_escape(t, rtable_get(r, i, RJ_CPTY));
		strbuf_addf(t, "</td><td>");
		report_html_escape(t, rtable_get(r, i, RJ_CCY));
		strbuf_addf(t, "</td><td>");
		report_html_escape(t, rtable_get(r, i, RJ_DATE));
		strbuf_addf(t, "</td><td class=n>%s</td><td>", report_money(a, s->rej_minor[i], s->rej_exp[i]));
		report_html_escape(t, rtable_get(r, i, RJ_REASON));
		strbuf_addf(t, "</td></tr>");
	}
	strbuf_addf(t, "</table>");
	if (shown < r->n)
		strbuf_addf(t, "<p class=note>%zu of %zu held-back payments shown; all are in the rejects file.</p>", shown,
			   r->n);
}

/* A bar per book, to scale within its currency (amounts in two
 * currencies are not compared), the amount written beside it. */
static void margin_chart(const report_settlement *s, strbuf *t)
{
	const rtable *m = &s->mar;
	const double W = 640, row = 22, H = 12 + row * (double)m->n, lx = 170, rx = W - 170;
	strbuf_addf(t, "<svg class=chart id=chart-margin viewBox=\"0 0 %.0f %.0f\" role=img aria-label=\"initial "
		     "margin by book\">", W, H);
	for (size_t i = 0; i < m->n; i++) {
		const char *c = rtable_get(m, i, MG_CCY);
		double mx = 0;
		for (size_t j = 0; j < m->n; j++)
			if (strcmp(rtable_get(m, j, MG_CCY), c) == 0)
				mx = fmax(mx, s->mar_num[4 * j + 3]);
		double x = s->mar_num[4 * i + 3], y = 6 + row * (double)i, len = mx > 0 ? (rx - lx) * x / mx : 0;
		char a[32];
		strbuf_addf(t, "<text x=%.1f y=%.1f text-anchor=end>", lx - 6, y + 13);
		report_html_escape(t, rtable_get(m, i, MG_ACCOUNT));
		strbuf_addf(t, "</text><rect class=margin-bar x=%.1f y=%.1f width=%.1f height=14 fill=#5477a8 />"
			     "<text x=%.1f y=%.1f>%s ", lx, y + 2, fmax(len, 1), lx + len + 6, y + 13,
			     report_thousands(a, x));
		report_html_escape(t, c);
		strbuf_addf(t, "</text>");
	}
	strbuf_addf(t, "</svg>");
}

static void margin_table(const report_settlement *s, strbuf *t)
{
	const rtable *m = &s->mar;
	strbuf_addf(t, "<table id=margin-books><caption>Initial margin by book (SPAN-style estimate): the scan risk, "
		     "the inter-month spread charge, the short option minimum and the margin</caption><tr>"
		     "<th style=\"width:20%%\">book</th><th>currency</th><th class=\"n wide\">scan risk</th>"
		     "<th class=\"n wide\">spread</th><th class=\"n wide\">short option min.</th><th class=n>margin</th></tr>");
	for (size_t i = 0; i < m->n; i++) {
		char a[4][32];
		strbuf_addf(t, "<tr><td>");
		report_html_escape(t, rtable_get(m, i, MG_ACCOUNT));
		strbuf_addf(t, "</td><td>");
		report_html_escape(t, rtable_get(m, i, MG_CCY));
		strbuf_addf(t, "</td>");
		for (int j = 0; j < 4; j++)
			strbuf_addf(t, "<td class=\"n%s\">%s</td>", j < 3 ? " wide" : "",
				   report_thousands(a[j], s->mar_num[4 * i + (size_t)j]));
		strbuf_addf(t, "</tr>");
	}
	for (size_t k = 0; k < s->nmtot; k++) {
		char a[32];
		strbuf_addf(t, "<tr class=total><th>all books</th><th>");
		report_html_escape(t, s->mtot[k].ccy);
		strbuf_addf(t, "</th><td class=wide></td><td class=wide></td><td class=wide></td><th class=n>%s</th></tr>",
			   report_thousands(a, s->mtot[k].margin));
	}
	strbuf_addf(t, "</table>");
}

void report_settlement_html(const report_settlement *s, strbuf *t)
{
	strbuf_addf(t, "<section class=card id=settlement><h2>Settlement</h2>");
	if (s->has_pay) {
		if (s->npayments) {
			totals_table(s, t);
			days_table(s, t);
		} else {
			strbuf_addf(t, "<p class=note>No payment in the payments file.</p>");
		}
	}
	if (s->has_rej)
		held_table(s, t);
	if (s->has_mar) {
		strbuf_addf(t, "<h2 style=\"margin-top:10px\">Initial margin</h2>");
		if (s->mar.n) {
			margin_chart(s, t);
			strbuf_addf(t, "<p class=note>Bars to scale within a currency; amounts rounded to units.</p>");
			margin_table(s, t);
		} else {
			strbuf_addf(t, "<p class=note>No book in the margin file.</p>");
		}
	}
	strbuf_addf(t, "</section>");
}
