#include "report/summary.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/forecast.h"
#include "report/settlement.h"
#include "screen/rtable.h"

char *report_group_digits(char *buf, size_t cap, const char *num)
{
	const char *s = num[0] == '-' ? num + 1 : num, *dot = strchr(s, '.');
	size_t n = dot ? (size_t)(dot - s) : strlen(s), k = 0;
	if (num[0] == '-' && k + 1 < cap)
		buf[k++] = '-';
	for (size_t i = 0; i < n && k + 2 < cap; i++) {
		if (i && (n - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = s[i];
	}
	snprintf(buf + k, cap - k, "%s", dot ? dot : "");
	return buf;
}

char *report_thousands(char *buf, double x)
{
	if (!isfinite(x)) {
		snprintf(buf, 32, "%s", isnan(x) ? "n/a" : x > 0 ? "inf" : "-inf");
		return buf;
	}
	char digits[32];
	snprintf(digits, sizeof digits, "%s%.0f", x <= -0.5 ? "-" : "", fabs(x));
	return report_group_digits(buf, 32, digits);
}

int report_risk_table(const char *path, rtable *t, qe_err *e)
{
	static const char *const cols[R_NCOLS] = {"section", "portfolio", "item", "value", "limit",
						  "utilisation", "currency", "status"};
	return rtable_read(path, cols, NULL, R_NCOLS, t, e);
}

static const char *paint(const struct report_summary_in *in, const char *word, int bad)
{
	if (!in->color)
		return word;
	static char buf[4][64];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "\033[%sm%s\033[0m", bad ? "1;31" : "32", word);
	return buf[k];
}

static int risk_lines(const struct report_summary_in *in, strbuf *t, long *alerts, qe_err *e)
{
	rtable r;
	int rc = report_risk_table(in->risk, &r, e);
	if (rc)
		return rc;
	char a[32], b[32];
	int head = 0;
	/* VaR against limits */
	for (size_t i = 0; i < r.n && !rc; i++) {
		if (strcmp(rtable_get(&r, i, R_SECTION), "var") != 0)
			continue;
		double v, lim = NAN, u = NAN;
		if ((rc = rtable_num(&r, i, R_VALUE, 0, &v, e)) || (rc = rtable_num(&r, i, R_LIMIT, 1, &lim, e)) ||
		    (rc = rtable_num(&r, i, R_UTIL, 1, &u, e)))
			break;
		if (isnan(lim) && strcmp(rtable_get(&r, i, R_PORT), "total") != 0)
			continue; /* books without a limit at this confidence: in the CSV */
		if (!head++)
			strbuf_addf(t, "%-12.12s %-11s %15s %15s %6s %s\n", "VaR", "measure", "value", "limit", "used",
				     "status");
		const char *st = rtable_get(&r, i, R_STATUS);
		int bad = strcmp(st, "breach") == 0;
		*alerts += bad;
		char used[16] = "";
		if (!isnan(u))
			snprintf(used, sizeof used, "%5.1f%%", 100 * u);
		char val[40], lm[40];
		snprintf(val, sizeof val, "%s %s", report_thousands(a, v), rtable_get(&r, i, R_CCY));
		snprintf(lm, sizeof lm, "%s", isnan(lim) ? "-" : report_thousands(b, lim));
		strbuf_addf(t, "%-12.12s %-11.11s %15s %15s %6s %s\n", rtable_get(&r, i, R_PORT),
			     rtable_get(&r, i, R_ITEM), val, lm, used,
			     paint(in, bad ? "BREACH" : isnan(lim) ? "-" : "OK", bad));
	}
	/* backtest, P&L attribution, stress */
	long zones[3] = {0}, nworst = -1;
	double worst = INFINITY;
	for (size_t i = 0; i < r.n && !rc; i++) {
		const char *sec = rtable_get(&r, i, R_SECTION), *st = rtable_get(&r, i, R_STATUS);
		double v, lim;
		if (strcmp(sec, "backtest") == 0) {
			if ((rc = rtable_num(&r, i, R_VALUE, 0, &v, e)) || (rc = rtable_num(&r, i, R_LIMIT, 1, &lim, e)))
				break;
			int bad = strcmp(st, "green") != 0;
			strbuf_addf(t, "Backtest %s: %.0f exceptions (expected %.1f), zone %s\n",
				     rtable_get(&r, i, R_ITEM), v, lim, paint(in, st, bad));
		} else if (strcmp(sec, "pla") == 0 && strcmp(rtable_get(&r, i, R_ITEM), "spearman") == 0) {
			zones[strcmp(st, "green") == 0 ? 0 : strcmp(st, "amber") == 0 ? 1 : 2]++;
		} else if (strcmp(sec, "stress") == 0) {
			if ((rc = rtable_num(&r, i, R_VALUE, 0, &v, e)))
				break;
			if (strcmp(rtable_get(&r, i, R_PORT), "total") == 0 && v < worst) {
				worst = v;
				nworst = (long)i;
			}
		}
	}
	if (!rc && zones[0] + zones[1] + zones[2])
		strbuf_addf(t, "P&L attribution: %ld green, %ld amber, %ld red\n", zones[0], zones[1], zones[2]);
	if (!rc && nworst >= 0)
		strbuf_addf(t, "Worst stress: %.30s %s %s\n", rtable_get(&r, (size_t)nworst, R_ITEM),
			     report_thousands(a, worst), rtable_get(&r, (size_t)nworst, R_CCY));
	rtable_free(&r);
	return rc;
}

static int breach_lines(const struct report_summary_in *in, strbuf *t, long *alerts, qe_err *e)
{
	static const char *const cols[] = {"rule_set", "severity"};
	rtable b;
	int rc = rtable_read(in->breaches, cols, NULL, 2, &b, e);
	if (rc)
		return rc;
	static const char *const sev[] = {"breach", "warning", "info"};
	long n[3] = {0};
	for (size_t i = 0; i < b.n; i++)
		for (int k = 0; k < 3; k++)
			if (strcmp(rtable_get(&b, i, 1), sev[k]) == 0)
				n[k]++;
	*alerts += n[0];
	strbuf_addf(t, "Compliance: %s %ld, warning %ld, info %ld\n", paint(in, "breach", n[0] > 0), n[0], n[1],
		     n[2]);
	/* the breaches per rule set, in file order */
	for (size_t i = 0; i < b.n; i++) {
		if (strcmp(rtable_get(&b, i, 1), "breach") != 0)
			continue;
		const char *rs = rtable_get(&b, i, 0);
		size_t j = 0;
		while (j < i && !(strcmp(rtable_get(&b, j, 1), "breach") == 0 && strcmp(rtable_get(&b, j, 0), rs) == 0))
			j++;
		if (j < i)
			continue;
		long c = 0;
		for (size_t k = i; k < b.n; k++)
			c += strcmp(rtable_get(&b, k, 1), "breach") == 0 && strcmp(rtable_get(&b, k, 0), rs) == 0;
		strbuf_addf(t, "  %-32.32s %ld breach%s\n", rs, c, c == 1 ? "" : "es");
	}
	rtable_free(&b);
	return 0;
}

typedef struct pos {
	size_t row;
	double lots;
} pos;

static int cmp_pos(const void *a, const void *b)
{
	const pos *x = a, *y = b;
	double ax = fabs(x->lots), ay = fabs(y->lots);
	if (ax != ay)
		return ax < ay ? 1 : -1;
	return (x->row > y->row) - (x->row < y->row);
}

static int position_lines(const struct report_summary_in *in, strbuf *t, qe_err *e)
{
	static const char *const cols[] = {"level", "curve", "month", "unit", "delta", "lots"};
	rtable p;
	int rc = rtable_read(in->position, cols, NULL, 6, &p, e);
	if (rc)
		return rc;
	pos *v = malloc((p.n ? p.n : 1) * sizeof *v);
	size_t n = 0;
	if (!v)
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < p.n && !rc; i++) {
		if (strcmp(rtable_get(&p, i, 0), "curve") != 0)
			continue;
		v[n].row = i;
		if (!(rc = rtable_num(&p, i, 5, 0, &v[n].lots, e)))
			n++;
	}
	if (!rc && n) {
		qsort(v, n, sizeof *v, cmp_pos);
		int top = in->top > 0 ? in->top : 5;
		strbuf_addf(t, "Largest positions (lots, net of books):\n");
		for (size_t k = 0; k < n && (int)k < top; k++) {
			char a[32], b[32];
			double d;
			if ((rc = rtable_num(&p, v[k].row, 4, 0, &d, e)))
				break;
			strbuf_addf(t, "  %-16.16s %-7.7s %12s lots %18s %.5s\n", rtable_get(&p, v[k].row, 1),
				     rtable_get(&p, v[k].row, 2), report_thousands(a, v[k].lots), report_thousands(b, d),
				     rtable_get(&p, v[k].row, 3));
		}
	}
	free(v);
	rtable_free(&p);
	return rc;
}

/* "+1,234" for gains, "-1,234" for losses, "0" */
static char *signed_thousands(char *buf, double x)
{
	char a[32];
	report_thousands(a, x);
	snprintf(buf, 34, "%s%s", x >= 0.5 ? "+" : "", a);
	return buf;
}

/* The day's P&L from the "all" row of PNL EXPLAIN, then its parts three
 * to a line (at most 79 columns). */
static int pnl_lines(const struct report_summary_in *in, strbuf *t, qe_err *e)
{
	static const char *const cols[] = {"level", "currency", "total", "theta", "delta", "gamma", "vega",
					   "fx", "new", "amended", "cancelled", "cash", "unexplained"};
	enum { NC = 13 };
	rtable r;
	int rc = rtable_read(in->pnl, cols, NULL, NC, &r, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < r.n && !rc; i++) {
		if (strcmp(rtable_get(&r, i, 0), "all") != 0)
			continue;
		double v[NC];
		for (int k = 2; k < NC && !rc; k++)
			rc = rtable_num(&r, i, k, 0, &v[k], e);
		if (rc)
			break;
		char a[40], b[40];
		strbuf_addf(t, "P&L %s %.3s, unexplained %s", signed_thousands(a, v[2]), rtable_get(&r, i, 1),
			     signed_thousands(b, v[NC - 1]));
		if (v[2] != 0)
			strbuf_addf(t, " (%.2f%%)", 100 * fabs(v[NC - 1] / v[2]));
		strbuf_addf(t, "\n");
		for (int k = 3; k < NC - 1; k++)
			strbuf_addf(t, "%s%-10s%15s%s", (k - 3) % 3 ? " " : "  ", cols[k], signed_thousands(a, v[k]),
				     (k - 3) % 3 == 2 || k == NC - 2 ? "\n" : "");
		break;
	}
	rtable_free(&r);
	return rc;
}

/* A part of a line, when the line stays within 79 columns; col counts
 * what is printed (colour codes aside). */
static void part(strbuf *t, int *col, const char *paint_, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void part(strbuf *t, int *col, const char *painted, const char *fmt, ...)
{
	char b[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	if (n < 0 || *col + n > 79)
		return;
	*col += n;
	strbuf_addf(t, "%s", painted ? painted : b);
}

/* Settlement: 45 payments, next 2026-11-26, 3 HELD BACK; margin 1,234 USD */
static int settlement_line(const struct report_summary_in *in, strbuf *t, long *alerts, qe_err *e)
{
	struct report_settlement_in si = {.payments = in->payments, .rejects = in->pay_rejects, .margin = in->margin,
					  .currencies = in->currencies, .calendars = in->calendars, .asof = in->asof};
	report_settlement s;
	int rc = report_settlement_read(&si, &s, e);
	if (rc) {
		report_settlement_free(&s);
		return rc;
	}
	int col = 0;
	const char *sep = "";
	part(t, &col, NULL, "Settlement:");
	if (s.has_pay) {
		char d[16] = "none";
		if (s.next >= 0)
			date_format(d, s.next);
		part(t, &col, NULL, " %ld payment%s, next %s", s.npayments, s.npayments == 1 ? "" : "s", d);
		sep = ",";
	}
	if (s.has_rej) {
		char w[32];
		snprintf(w, sizeof w, "%ld HELD BACK", s.nheld);
		part(t, &col, NULL, "%s ", sep);
		part(t, &col, s.nheld ? paint(in, w, 1) : NULL, "%s", s.nheld ? w : "none held back");
		*alerts += s.nheld;
		sep = ";";
	}
	for (size_t k = 0; k < s.nmtot; k++) {
		char a[32];
		report_thousands(a, s.mtot[k].margin);
		if (k)
			part(t, &col, NULL, ", %s %s", a, s.mtot[k].ccy);
		else
			part(t, &col, NULL, "%s margin %s %s", sep, a, s.mtot[k].ccy);
	}
	strbuf_addf(t, "\n");
	report_settlement_free(&s);
	return 0;
}

/* Vol forecast: 21 series, highest TTF:1 45.6% now, 38.0% 20-day term */
static int forecast_line(const struct report_summary_in *in, strbuf *t, qe_err *e)
{
	report_forecast f;
	int rc = report_forecast_read(in->garch, in->garch_path, NULL, NULL, &f, e);
	if (rc) {
		report_forecast_free(&f);
		return rc;
	}
	long top = -1;
	double plo = INFINITY, phi = -INFINITY;
	for (size_t i = 0; i < f.ng; i++) {
		if (f.g[i].days && (top < 0 || f.g[i].vol_next > f.g[top].vol_next))
			top = (long)i;
		plo = fmin(plo, f.g[i].persistence);
		phi = fmax(phi, f.g[i].persistence);
	}
	int col = 0;
	part(t, &col, NULL, "Vol forecast: %zu series", f.ng);
	if (top >= 0) {
		const report_garch *g = &f.g[top];
		part(t, &col, NULL, ", highest %.12s %.1f%% now, %.1f%% %d-day term", report_garch_series(&f, (size_t)top),
		     100 * g->vol_next, 100 * g->term_vol[g->days - 1], g->days);
	} else if (f.ng) {
		part(t, &col, NULL, ", persistence %.3f to %.3f", plo, phi);
	}
	strbuf_addf(t, "\n");
	report_forecast_free(&f);
	return 0;
}

int report_summary(const struct report_summary_in *in, strbuf *out, long *alerts, qe_err *e)
{
	*alerts = 0;
	strbuf_addf(out, "QuantaEnergi end of day %s\n", in->asof ? in->asof : "");
	int rc = in->pnl ? pnl_lines(in, out, e) : 0;
	if (!rc)
		rc = risk_lines(in, out, alerts, e);
	if (!rc && in->breaches)
		rc = breach_lines(in, out, alerts, e);
	if (!rc && (in->payments || in->pay_rejects || in->margin))
		rc = settlement_line(in, out, alerts, e);
	if (!rc && in->garch)
		rc = forecast_line(in, out, e);
	if (!rc && in->position)
		rc = position_lines(in, out, e);
	if (!rc && out->oom)
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	return rc;
}
