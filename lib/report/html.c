#include "report/html.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/forecast.h"
#include "report/settlement.h"
#include "screen/rtable.h"

#define W 640.0 /* the SVG user space: every chart is W wide and scales to the page */

static void esc(strbuf *t, const char *s)
{
	strbuf_put_markup(t, s, strlen(s), STRBUF_HTML);
}

void report_html_escape(strbuf *t, const char *s)
{
	esc(t, s);
}

static const char css[] =
	"*{box-sizing:border-box}"
	"body{margin:0;padding:12px;font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
	"color:#1a1a1a;background:#f4f5f7}"
	"main{max-width:1100px;margin:0 auto}"
	"h1{font-size:1.4em;margin:0 0 4px}h2{font-size:1.1em;margin:0 0 8px}"
	".sub{color:#555;margin:0 0 12px}"
	".tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px;margin-bottom:12px}"
	".tile{background:#fff;border-radius:6px;padding:8px 10px;border:1px solid #ddd}"
	".tile b{display:block;font-size:1.25em}"
	".card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px;margin-bottom:12px;"
	"break-inside:avoid}"
	"svg.chart{display:block;width:100%;height:auto}"
	"svg text{font:11px system-ui,sans-serif;fill:#333}"
	".note{color:#555;font-size:.9em;margin:6px 0 0}"
	"table{width:100%;border-collapse:collapse;table-layout:fixed;font-size:.9em}"
	"td,th{border-bottom:1px solid #eee;padding:3px 4px;text-align:left;overflow-wrap:anywhere;"
	"vertical-align:top}"
	"td.n,th.n{text-align:right}"
	".bad{color:#b00020;font-weight:600}.ok{color:#1b5e20}"
	"caption{text-align:left;color:#555;font-size:.95em;padding:8px 0 4px}"
	"svg.spark{display:block;width:100%;max-width:180px;height:auto}"
	"tr.bad td{background:#fdecee}tr.total th{border-top:1px solid #999}"
	"@media (max-width:480px){body{padding:6px;font-size:14px}.card{padding:6px}svg text{font-size:17px}}"
	"@media (max-width:480px){table{font-size:.8em}.wide{display:none}}"
	"@media print{body{background:#fff}.card,.tile{border:1px solid #999}}";

/* "1,234,567" */
static const char *th(char *b, double x)
{
	return report_thousands(b, x);
}

/* ---- VaR history ------------------------------------------------------- */

static int var_chart(const struct report_html_in *in, strbuf *t, qe_err *e)
{
	static const char *const cols[] = {"date", "var", "pnl"};
	rtable s;
	int rc = rtable_read(in->series, cols, NULL, 3, &s, e);
	if (rc)
		return rc;
	size_t n = s.n;
	double *v = malloc((n ? n : 1) * 2 * sizeof *v);
	if (!v) {
		rtable_free(&s);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	double lo = 0, hi = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if ((rc = rtable_num(&s, i, 1, 0, &v[2 * i], e)) || (rc = rtable_num(&s, i, 2, 0, &v[2 * i + 1], e)))
			break;
		lo = fmin(lo, fmin(-v[2 * i], v[2 * i + 1]));
		hi = fmax(hi, v[2 * i + 1]);
	}
	if (rc) {
		free(v);
		rtable_free(&s);
		return rc;
	}
	long exc = 0;
	for (size_t i = 0; i < n; i++)
		exc += v[2 * i + 1] < -v[2 * i];
	char a[32], b[32];
	strbuf_addf(t, "<section class=card id=var-history><h2>VaR and realized P&amp;L</h2>");
	if (n < 2) {
		strbuf_addf(t, "<p class=note>Fewer than two days in the VaR series.</p></section>");
		free(v);
		rtable_free(&s);
		return 0;
	}
	double H = 260, x0 = 62, x1 = W - 10, y0 = 14, y1 = H - 28;
	if (hi == lo)
		hi = lo + 1;
	double pad = 0.05 * (hi - lo);
	lo -= pad;
	hi += pad;
#define X(i) (x0 + (x1 - x0) * (double)(i) / (double)(n - 1))
#define Y(y) (y0 + (y1 - y0) * (hi - (y)) / (hi - lo))
	strbuf_addf(t, "<svg class=chart id=chart-var viewBox=\"0 0 %.0f %.0f\" role=img aria-label=\"VaR against "
		     "P&amp;L, %ld exceptions\">", W, H, exc);
	strbuf_addf(t, "<line x1=%.1f x2=%.1f y1=%.1f y2=%.1f stroke=#999 />", x0, x1, Y(0), Y(0));
	strbuf_addf(t, "<text x=%.1f y=%.1f text-anchor=end>%s</text>", x0 - 4, Y(hi - pad) + 4, th(a, hi - pad));
	strbuf_addf(t, "<text x=%.1f y=%.1f text-anchor=end>0</text>", x0 - 4, Y(0) + 4);
	strbuf_addf(t, "<text x=%.1f y=%.1f text-anchor=end>%s</text>", x0 - 4, Y(lo + pad) + 4, th(b, lo + pad));
	strbuf_addf(t, "<text x=%.1f y=%.1f>", x0, H - 8);
	esc(t, rtable_get(&s, 0, 0));
	strbuf_addf(t, "</text><text x=%.1f y=%.1f text-anchor=end>", x1, H - 8);
	esc(t, rtable_get(&s, n - 1, 0));
	strbuf_addf(t, "</text>");
	for (size_t i = 0; i < n; i++) {
		double p = v[2 * i + 1];
		if (p < -v[2 * i])
			continue;
		strbuf_addf(t, "<circle class=pnl cx=%.1f cy=%.1f r=1.8 fill=#5477a8 />", X(i), Y(p));
	}
	strbuf_addf(t, "<polyline class=var-line fill=none stroke=#b00020 stroke-width=1.5 points=\"");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(t, "%s%.1f,%.1f", i ? " " : "", X(i), Y(-v[2 * i]));
	strbuf_addf(t, "\" />");
	for (size_t i = 0; i < n; i++) { /* exceptions: a cross, not only a colour */
		double p = v[2 * i + 1];
		if (!(p < -v[2 * i]))
			continue;
		double x = X(i), y = Y(p);
		strbuf_addf(t, "<path class=exception d=\"M%.1f %.1fl8 8m0 -8l-8 8\" stroke=#b00020 stroke-width=2>"
			     "<title>", x - 4, y - 4);
		esc(t, rtable_get(&s, i, 0));
		strbuf_addf(t, ": P&amp;L %s beyond VaR %s</title></path>", th(a, p), th(b, v[2 * i]));
	}
	strbuf_addf(t, "</svg><p class=note>Line: minus the one-day VaR; dots: the day's P&amp;L; crosses: "
		     "<span class=%s>%ld exception%s</span> in %zu days (a loss beyond the VaR).</p></section>",
		     exc ? "bad" : "ok", exc, exc == 1 ? "" : "s", n);
#undef X
#undef Y
	free(v);
	rtable_free(&s);
	return 0;
}

/* ---- P&L explain waterfall --------------------------------------------- */

/* The parts of the "all" row of PNL EXPLAIN as floating bars, each from
 * the running sum before it to the one after, then the total from zero;
 * a gain is blue and points up with a plus sign, a loss orange with a
 * minus sign, so colour is never the only cue. */
static int pnl_chart(const struct report_html_in *in, strbuf *t, qe_err *e)
{
	static const char *const cols[] = {"level", "key", "currency", "total", "theta", "delta", "gamma",
					   "vega", "fx", "new", "amended", "cancelled", "cash", "unexplained"};
	enum { NP = 11 };
	rtable r;
	int rc = rtable_read(in->pnl, cols, NULL, 14, &r, e);
	if (rc)
		return rc;
	long row = -1;
	for (size_t i = 0; i < r.n; i++)
		if (strcmp(rtable_get(&r, i, 0), "all") == 0)
			row = (long)i;
	strbuf_addf(t, "<section class=card id=pnl-explain><h2>P&amp;L explain</h2>");
	if (row < 0) {
		strbuf_addf(t, "<p class=note>No <q>all</q> row in the P&amp;L explain file.</p></section>");
		rtable_free(&r);
		return 0;
	}
	double v[NP];
	for (int k = 0; k < NP && !rc; k++)
		rc = rtable_num(&r, (size_t)row, 3 + k, 0, &v[k], e);
	if (rc) {
		rtable_free(&r);
		return rc;
	}
	/* bars: the parts (columns 1..10), then the total (column 0) */
	double lo = 0, hi = 0, run = 0;
	for (int k = 1; k < NP; k++) {
		run += v[k];
		lo = fmin(lo, run);
		hi = fmax(hi, run);
	}
	lo = fmin(lo, v[0]);
	hi = fmax(hi, v[0]);
	if (hi == lo)
		hi = lo + 1;
	double H = 320, x0 = 56, x1 = W - 8, y0 = 22, y1 = H - 92, bw = (x1 - x0) / NP;
#define Y(y) (y0 + (y1 - y0) * (hi - (y)) / (hi - lo))
	char a[32], b[32];
	strbuf_addf(t, "<svg class=chart id=chart-pnl viewBox=\"0 0 %.0f %.0f\" role=img aria-label=\"P&amp;L "
		     "explain: total %s ", W, H, th(a, v[0]));
	esc(t, rtable_get(&r, (size_t)row, 2));
	strbuf_addf(t, "\">");
	strbuf_addf(t, "<line x1=%.1f x2=%.1f y1=%.1f y2=%.1f stroke=#999 />", x0, x1, Y(0), Y(0));
	strbuf_addf(t, "<text x=%.1f y=%.1f text-anchor=end>%s</text>", x0 - 4, Y(hi) + 4, th(a, hi / 1000));
	strbuf_addf(t, "<text x=%.1f y=%.1f text-anchor=end>%s</text>", x0 - 4, Y(lo) + 4, th(b, lo / 1000));
	run = 0;
	for (int j = 0; j < NP; j++) {
		int k = j < NP - 1 ? j + 1 : 0;
		double from = k ? run : 0, to = k ? run + v[k] : v[0];
		if (k)
			run = to;
		double top = Y(fmax(from, to)), h = fmax(1.0, Y(fmin(from, to)) - top), x = x0 + j * bw;
		int gain = v[k] >= 0;
		strbuf_addf(t, "<rect class=\"waterfall-bar%s\" x=%.1f y=%.1f width=%.1f height=%.1f fill=%s>"
			     "<title>%s: %s%s</title></rect>",
			     k ? "" : " total", x + 0.12 * bw, top, 0.76 * bw, h,
			     k == 0 ? "#333" : gain ? "#2f6db5" : "#e07b00", cols[3 + k], gain ? "+" : "",
			     th(a, v[k]));
		strbuf_addf(t, "<text x=%.1f y=%.1f text-anchor=middle>%s%s</text>", x + bw / 2,
			   gain ? top - 4 : top + h + 12, gain && k ? "+" : "", th(b, v[k] / 1000));
		strbuf_addf(t, "<text class=part x=%.1f y=%.1f text-anchor=end transform=\"rotate(-40 %.1f %.1f)\">%s"
			     "</text>", x + bw / 2 + 4, y1 + 16, x + bw / 2 + 4, y1 + 16, cols[3 + k]);
	}
#undef Y
	strbuf_addf(t, "</svg><p class=note>Thousands of ");
	esc(t, rtable_get(&r, (size_t)row, 2));
	strbuf_addf(t, ", step by step from the previous day's value: gains up (+, blue), losses down (orange); "
		     "the last bar is the day's P&amp;L, %s ", th(a, v[0]));
	esc(t, rtable_get(&r, (size_t)row, 2));
	strbuf_addf(t, " (unexplained %s).</p></section>", th(b, v[NP - 1]));
	rtable_free(&r);
	return 0;
}

/* ---- risk: limit utilisation and stress --------------------------------- */

static int risk_charts(const struct report_html_in *in, strbuf *t, qe_err *e)
{
	rtable r;
	int rc = report_risk_table(in->risk, &r, e);
	if (rc)
		return rc;
	char a[32];
	size_t nl = 0, ns = 0;
	double smax = 0;
	for (size_t i = 0; i < r.n && !rc; i++) {
		const char *sec = rtable_get(&r, i, R_SECTION);
		double x;
		if (strcmp(sec, "var") == 0 && *rtable_get(&r, i, R_UTIL)) {
			nl++;
		} else if (strcmp(sec, "stress") == 0 && strcmp(rtable_get(&r, i, R_PORT), "total") == 0 &&
			   strcmp(rtable_get(&r, i, R_CCY), rtable_get(&r, 0, R_CCY)) == 0) {
			if (!(rc = rtable_num(&r, i, R_VALUE, 0, &x, e))) {
				ns++;
				smax = fmax(smax, fabs(x));
			}
		}
	}
	/* limit utilisation: one bar per VaR limit, the 100% line dashed */
	strbuf_addf(t, "<section class=card id=limits><h2>VaR limit utilisation</h2>");
	if (!nl)
		strbuf_addf(t, "<p class=note>No VaR row has a limit.</p>");
	else {
		double row = 22, H = 20 + row * (double)nl, lx = 200, rx = W - 110, full = (rx - lx) / 2;
		strbuf_addf(t, "<svg class=chart id=chart-limits viewBox=\"0 0 %.0f %.0f\" role=img "
			     "aria-label=\"VaR limit utilisation\">", W, H);
		size_t k = 0;
		for (size_t i = 0; i < r.n && !rc; i++) {
			if (strcmp(rtable_get(&r, i, R_SECTION), "var") != 0 || !*rtable_get(&r, i, R_UTIL))
				continue;
			double u;
			if ((rc = rtable_num(&r, i, R_UTIL, 0, &u, e)))
				break;
			int bad = strcmp(rtable_get(&r, i, R_STATUS), "breach") == 0;
			double y = 10 + row * (double)k++, len = full * fmin(fmax(u, 0), 2);
			strbuf_addf(t, "<text x=%.1f y=%.1f text-anchor=end>", lx - 6, y + 13);
			esc(t, rtable_get(&r, i, R_PORT));
			strbuf_addf(t, " ");
			esc(t, rtable_get(&r, i, R_ITEM));
			strbuf_addf(t, "</text><rect class=\"limit-bar%s\" x=%.1f y=%.1f width=%.1f height=14 fill=%s />",
				     bad ? " breach" : "", lx, y + 2, len, bad ? "#b00020" : "#4f7f52");
			strbuf_addf(t, "<text x=%.1f y=%.1f>%.1f%% %s</text>", rx + 6, y + 13, 100 * u,
				     bad ? "BREACH" : "ok");
		}
		strbuf_addf(t, "<line x1=%.1f x2=%.1f y1=4 y2=%.1f stroke=#333 stroke-dasharray=\"4 3\" />"
			     "<text x=%.1f y=%.1f text-anchor=middle>100%%</text></svg>",
			     lx + full, lx + full, H - 14, lx + full, H - 2);
	}
	strbuf_addf(t, "</section>");
	/* stress: bars from a centre line, losses left */
	strbuf_addf(t, "<section class=card id=stress><h2>Stress scenarios (total)</h2>");
	if (!ns)
		strbuf_addf(t, "<p class=note>No stress results.</p>");
	else {
		double row = 20, H = 14 + row * (double)ns, cx = 330, half = 150;
		strbuf_addf(t, "<svg class=chart id=chart-stress viewBox=\"0 0 %.0f %.0f\" role=img "
			     "aria-label=\"stress results\">", W, H);
		size_t k = 0;
		for (size_t i = 0; i < r.n && !rc; i++) {
			if (strcmp(rtable_get(&r, i, R_SECTION), "stress") != 0 ||
			    strcmp(rtable_get(&r, i, R_PORT), "total") != 0 ||
			    strcmp(rtable_get(&r, i, R_CCY), rtable_get(&r, 0, R_CCY)) != 0)
				continue;
			double x;
			if ((rc = rtable_num(&r, i, R_VALUE, 0, &x, e)))
				break;
			double y = 8 + row * (double)k++, len = smax > 0 ? half * fabs(x) / smax : 0;
			strbuf_addf(t, "<text x=6 y=%.1f>", y + 12);
			esc(t, rtable_get(&r, i, R_ITEM));
			strbuf_addf(t, "</text><rect class=stress-bar x=%.1f y=%.1f width=%.1f height=12 fill=%s />"
				     "<text x=%.1f y=%.1f%s>%s</text>",
				     x < 0 ? cx - len : cx, y + 2, len, x < 0 ? "#c0602a" : "#4f7f52",
				     x < 0 ? cx + 4 : cx - 4, y + 12, x < 0 ? "" : " text-anchor=end", th(a, x));
		}
		strbuf_addf(t, "<line x1=%.1f x2=%.1f y1=2 y2=%.1f stroke=#333 /></svg>", cx, cx, H - 2);
		strbuf_addf(t, "<p class=note>P&amp;L of each scenario in %s; losses to the left, in orange.</p>",
			     rtable_get(&r, 0, R_CCY));
	}
	strbuf_addf(t, "</section>");
	rtable_free(&r);
	return rc;
}

/* ---- positions ----------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int heatmap(const struct report_html_in *in, strbuf *t, qe_err *e)
{
	static const char *const cols[] = {"level", "curve", "month", "lots", "unit", "delta"};
	rtable p;
	int rc = rtable_read(in->position, cols, NULL, 6, &p, e);
	if (rc)
		return rc;
	const char **curves = malloc((p.n ? p.n : 1) * sizeof *curves);
	const char **months = malloc((p.n ? p.n : 1) * sizeof *months);
	size_t nc = 0, nm = 0;
	double amax = 0;
	if (!curves || !months)
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < p.n && !rc; i++) {
		if (strcmp(rtable_get(&p, i, 0), "curve") != 0)
			continue;
		double l;
		if ((rc = rtable_num(&p, i, 3, 0, &l, e)))
			break;
		const char *c = rtable_get(&p, i, 1), *m = rtable_get(&p, i, 2);
		size_t k;
		for (k = 0; k < nc && strcmp(curves[k], c); k++)
			;
		if (k == nc)
			curves[nc++] = c;
		for (k = 0; k < nm && strcmp(months[k], m); k++)
			;
		if (k == nm)
			months[nm++] = m;
	}
	if (!rc)
		qsort(months, nm, sizeof *months, cmp_str);
	int ncols = (int)nm < in->months ? (int)nm : in->months;
	for (size_t i = 0; i < p.n && !rc; i++) {
		double l;
		if (strcmp(rtable_get(&p, i, 0), "curve") != 0 || ncols == 0 ||
		    strcmp(rtable_get(&p, i, 2), months[ncols - 1]) > 0)
			continue;
		if (!(rc = rtable_num(&p, i, 3, 0, &l, e)))
			amax = fmax(amax, fabs(l));
	}
	if (!rc) {
		strbuf_addf(t, "<section class=card id=positions><h2>Net position by curve and month (lots)</h2>");
		if (!nc || !ncols) {
			strbuf_addf(t, "<p class=note>No position.</p>");
		} else {
			double lx = 110, cw = (W - lx - 6) / ncols, ch = 18, H = 26 + ch * (double)nc;
			strbuf_addf(t, "<svg class=chart id=chart-positions viewBox=\"0 0 %.0f %.0f\" role=img "
				     "aria-label=\"position heatmap\">", W, H);
			for (int j = 0; j < ncols; j += 3) {
				strbuf_addf(t, "<text x=%.1f y=12>", lx + cw * j);
				esc(t, months[j] + 2); /* YY-MM */
				strbuf_addf(t, "</text>");
			}
			for (size_t k = 0; k < nc; k++) {
				strbuf_addf(t, "<text x=%.1f y=%.1f text-anchor=end>", lx - 4, 18 + ch * (double)k + 13);
				esc(t, curves[k]);
				strbuf_addf(t, "</text>");
			}
			char a[32];
			for (size_t i = 0; i < p.n && !rc; i++) {
				if (strcmp(rtable_get(&p, i, 0), "curve") != 0)
					continue;
				const char *c = rtable_get(&p, i, 1), *m = rtable_get(&p, i, 2);
				const char **mp = bsearch(&m, months, (size_t)ncols, sizeof *months, cmp_str);
				if (!mp)
					continue;
				size_t k = 0;
				while (strcmp(curves[k], c))
					k++;
				double l;
				if ((rc = rtable_num(&p, i, 3, 0, &l, e)))
					break;
				double f = amax > 0 ? sqrt(fabs(l) / amax) : 0; /* sqrt: small positions stay visible */
				int r0 = l >= 0 ? 33 : 192, g0 = l >= 0 ? 102 : 96, b0 = l >= 0 ? 172 : 42;
				int rr = (int)lround(255 - f * (255 - r0)), gg = (int)lround(255 - f * (255 - g0)),
				    bb = (int)lround(255 - f * (255 - b0));
				double x = lx + cw * (double)(mp - months), y = 18 + ch * (double)k;
				strbuf_addf(t, "<rect class=cell x=%.1f y=%.1f width=%.1f height=%.1f fill=\"#%02x%02x%02x\">"
					     "<title>", x, y, cw - 1, ch - 1, rr, gg, bb);
				esc(t, c);
				strbuf_addf(t, " ");
				esc(t, m);
				strbuf_addf(t, ": %s lots, %s ", th(a, l), l >= 0 ? "long" : "short");
				esc(t, rtable_get(&p, i, 4));
				strbuf_addf(t, "</title></rect>");
				if (f > 0.25) /* the sign, for readers without colour */
					strbuf_addf(t, "<text x=%.1f y=%.1f text-anchor=middle fill=%s>%s</text>", x + cw / 2,
						     y + 13, f > 0.6 ? "#fff" : "#000", l >= 0 ? "+" : "&#8722;");
			}
			strbuf_addf(t, "</svg><p class=note>Blue and + long, orange and &#8722; short; the deeper the "
				     "colour, the larger (largest: %s lots). First %d delivery months.</p>",
				     th(a, amax), ncols);
		}
		strbuf_addf(t, "</section>");
	}
	free(curves);
	free(months);
	rtable_free(&p);
	return rc;
}

/* ---- breaches ------------------------------------------------------------- */

static int breach_table(const struct report_html_in *in, strbuf *t, qe_err *e)
{
	static const char *const cols[] = {"rule_set", "rule", "severity", "entity_type", "entity_id", "message"};
	rtable b;
	int rc = rtable_read(in->breaches, cols, NULL, 6, &b, e);
	if (rc)
		return rc;
	static const char *const sev[] = {"breach", "warning", "info"};
	strbuf_addf(t, "<section class=card id=breaches><h2>Compliance findings</h2><table id=breach-counts>"
		     "<tr><th>rule set</th><th class=n>breach</th><th class=n>warning</th><th class=n>info</th></tr>");
	for (size_t i = 0; i < b.n; i++) {
		const char *rs = rtable_get(&b, i, 0);
		size_t j = 0;
		while (j < i && strcmp(rtable_get(&b, j, 0), rs))
			j++;
		if (j < i)
			continue;
		long n[3] = {0};
		for (size_t k = i; k < b.n; k++)
			if (strcmp(rtable_get(&b, k, 0), rs) == 0)
				for (int s = 0; s < 3; s++)
					n[s] += strcmp(rtable_get(&b, k, 2), sev[s]) == 0;
		strbuf_addf(t, "<tr><td>");
		esc(t, rs);
		strbuf_addf(t, "</td><td class=\"n%s\">%ld</td><td class=n>%ld</td><td class=n>%ld</td></tr>",
			     n[0] ? " bad" : "", n[0], n[1], n[2]);
	}
	strbuf_addf(t, "</table>");
	long shown = 0, total = 0;
	for (size_t i = 0; i < b.n; i++)
		total += strcmp(rtable_get(&b, i, 2), "breach") == 0;
	if (total) {
		strbuf_addf(t, "<h2 style=\"margin-top:10px\">Breaches</h2><table id=breach-rows><tr><th style=\"width:22%%\">"
			     "rule</th><th style=\"width:22%%\">entity</th><th>message</th></tr>");
		for (size_t i = 0; i < b.n && shown < in->max_breaches; i++) {
			if (strcmp(rtable_get(&b, i, 2), "breach") != 0)
				continue;
			shown++;
			strbuf_addf(t, "<tr><td>");
			esc(t, rtable_get(&b, i, 0));
			strbuf_addf(t, " ");
			esc(t, rtable_get(&b, i, 1));
			strbuf_addf(t, "</td><td>");
			esc(t, rtable_get(&b, i, 3));
			strbuf_addf(t, " ");
			esc(t, rtable_get(&b, i, 4));
			strbuf_addf(t, "</td><td>");
			esc(t, rtable_get(&b, i, 5));
			strbuf_addf(t, "</td></tr>");
		}
		strbuf_addf(t, "</table>");
		if (shown < total)
			strbuf_addf(t, "<p class=note>%ld of %ld breaches shown; all are in the breaches file.</p>", shown,
				     total);
	}
	strbuf_addf(t, "</section>");
	rtable_free(&b);
	return 0;
}

/* The key figures: the payments held back, the total's VaR rows, the
 * backtest zone, the VaR limit breaches. */
static int tiles(const struct report_html_in *in, const report_settlement *st, strbuf *t, qe_err *e)
{
	strbuf_addf(t, "<div class=tiles>");
	if (st) /* the payments held back: someone must act today */
		strbuf_addf(t, "<div class=tile>Payments held back<b class=%s>%s%ld</b></div>", st->nheld ? "bad" : "ok",
			   st->nheld ? "&#9888; " : "", st->nheld);
	if (in->risk) {
		rtable r;
		int rc = report_risk_table(in->risk, &r, e);
		if (rc)
			return rc;
		long breaches = 0;
		char a[32];
		for (size_t i = 0; i < r.n && !rc; i++) {
			const char *sec = rtable_get(&r, i, R_SECTION);
			breaches += strcmp(sec, "var") == 0 && strcmp(rtable_get(&r, i, R_STATUS), "breach") == 0;
			if (strcmp(sec, "var") == 0 && strcmp(rtable_get(&r, i, R_PORT), "total") == 0) {
				double v;
				if ((rc = rtable_num(&r, i, R_VALUE, 0, &v, e)))
					break;
				strbuf_addf(t, "<div class=tile>VaR total ");
				esc(t, rtable_get(&r, i, R_ITEM));
				strbuf_addf(t, "<b>%s ", th(a, v));
				esc(t, rtable_get(&r, i, R_CCY));
				strbuf_addf(t, "</b></div>");
			} else if (strcmp(sec, "backtest") == 0) {
				strbuf_addf(t, "<div class=tile>Backtest zone<b>");
				esc(t, rtable_get(&r, i, R_STATUS));
				strbuf_addf(t, "</b></div>");
			}
		}
		if (!rc)
			strbuf_addf(t, "<div class=tile>VaR limit breaches<b class=%s>%ld</b></div>", breaches ? "bad" : "ok",
				     breaches);
		rtable_free(&r);
		if (rc)
			return rc;
	}
	strbuf_addf(t, "</div>");
	return 0;
}

int report_html(const struct report_html_in *in, strbuf *out, qe_err *e)
{
	struct report_html_in x = *in;
	if (x.months <= 0)
		x.months = 24;
	if (x.max_breaches <= 0)
		x.max_breaches = 20;
	/* the settlement and forecast files first: a bad one writes no page */
	report_settlement st = {0};
	report_forecast fc = {0};
	int has_st = x.payments || x.pay_rejects || x.margin, has_fc = x.garch || x.sentiment, rc = 0;
	if (has_st) {
		struct report_settlement_in si = {.payments = x.payments, .rejects = x.pay_rejects, .margin = x.margin,
						  .currencies = x.currencies, .calendars = x.calendars, .asof = x.asof,
						  .max_rows = x.max_breaches};
		rc = report_settlement_read(&si, &st, e);
	}
	if (!rc && has_fc)
		rc = report_forecast_read(x.garch, x.garch_path, x.sentiment, x.asof, &fc, e);
	if (rc) {
		report_settlement_free(&st);
		report_forecast_free(&fc);
		return rc;
	}
	strbuf_addf(out, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
			  "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
			  "<title>QuantaEnergi end of day ");
	esc(out, x.asof ? x.asof : "");
	strbuf_addf(out, "</title><style>%s</style></head><body><main><h1>QuantaEnergi end of day ", css);
	esc(out, x.asof ? x.asof : "");
	strbuf_addf(out, "</h1><p class=sub>P&amp;L, risk, positions%s.</p>",
		   has_st && has_fc ? ", compliance, settlement and forecasts" : has_st ? ", compliance and settlement"
		   : has_fc ? ", compliance and forecasts" : " and compliance");
	rc = tiles(&x, has_st && st.has_rej ? &st : NULL, out, e);
	if (!rc && x.pnl)
		rc = pnl_chart(&x, out, e);
	if (!rc && x.series)
		rc = var_chart(&x, out, e);
	if (!rc && x.risk)
		rc = risk_charts(&x, out, e);
	if (!rc && x.position)
		rc = heatmap(&x, out, e);
	if (!rc && x.breaches)
		rc = breach_table(&x, out, e);
	if (!rc && has_st)
		report_settlement_html(&st, out);
	if (!rc && has_fc)
		report_forecast_html(&fc, out);
	strbuf_addf(out, "</main></body></html>\n");
	report_settlement_free(&st);
	report_forecast_free(&fc);
	if (!rc && out->oom)
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	return rc;
}
