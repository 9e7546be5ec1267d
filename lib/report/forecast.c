#include "report/forecast.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/strindex.h"
#include "report/html.h"

enum { F_SERIES, F_OMEGA, F_PERSIST, F_HALF, F_NCOLS };
enum { P_SERIES, P_DAY, P_VAR, P_VOL, P_TERM, P_NCOLS };
enum { S_DATE, S_COMMODITY, S_MEAN, S_N, S_POS, S_NEG, S_NEU, S_NCOLS }; /* S_N..S_NEU: the counts */

const char *report_garch_series(const report_forecast *f, size_t i)
{
	return rtable_get(&f->fit, f->g[i].row, F_SERIES);
}

static int read_fits(const char *garch, report_forecast *f, strindex *ix, qe_err *e)
{
	static const char *const cols[F_NCOLS] = {"series", "omega", "persistence", "half_life"};
	int rc = rtable_read(garch, cols, NULL, F_NCOLS, &f->fit, e);
	if (rc)
		return rc;
	f->has_fit = 1;
	if (!(f->g = calloc(f->fit.n ? f->fit.n : 1, sizeof *f->g)))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < f->fit.n; i++) {
		report_garch *g = &f->g[f->ng];
		const char *s = rtable_get(&f->fit, i, F_SERIES);
		int added;
		if (!*s)
			return rtable_error(&f->fit, i, F_SERIES, e, "empty, a series name is required");
		if (sidx_add(ix, s, strlen(s), &added) < 0)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		if (!added)
			return rtable_error(&f->fit, i, F_SERIES, e, "series '%s' listed twice", s);
		g->row = i;
		if ((rc = rtable_num(&f->fit, i, F_OMEGA, 0, &g->omega, e)) ||
		    (rc = rtable_num(&f->fit, i, F_PERSIST, 0, &g->persistence, e)) ||
		    (rc = rtable_num(&f->fit, i, F_HALF, 1, &g->half_life, e)))
			return rc;
		if (g->omega <= 0)
			return rtable_error(&f->fit, i, F_OMEGA, e, "must be above 0");
		if (g->persistence < 0)
			return rtable_error(&f->fit, i, F_PERSIST, e, "must not be negative");
		if (g->half_life <= 0)
			return rtable_error(&f->fit, i, F_HALF, e, "must be above 0 or empty");
		g->vol_next = g->vol_last = g->long_run = g->year = NAN;
		f->ng++;
	}
	return 0;
}

static int read_paths(const char *path, report_forecast *f, const strindex *ix, qe_err *e)
{
	static const char *const cols[P_NCOLS] = {"series", "day", "variance", "vol", "term_vol"};
	int rc = rtable_read(path, cols, NULL, P_NCOLS, &f->path, e);
	if (rc)
		return rc;
	f->has_path = 1;
	int *cap = calloc(f->ng ? f->ng : 1, sizeof *cap);
	if (!cap)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < f->path.n && !rc; i++) {
		const char *s = rtable_get(&f->path, i, P_SERIES);
		long k = sidx_find(ix, s, strlen(s));
		if (k < 0)
			continue;
		report_garch *g = &f->g[k];
		double day, var, vol, term;
		if ((rc = rtable_num(&f->path, i, P_DAY, 0, &day, e)) ||
		    (rc = rtable_num(&f->path, i, P_VAR, 0, &var, e)) ||
		    (rc = rtable_num(&f->path, i, P_VOL, 0, &vol, e)) ||
		    (rc = rtable_num(&f->path, i, P_TERM, 0, &term, e)))
			break;
		if (day != g->days + 1) {
			rc = rtable_error(&f->path, i, P_DAY, e, "day %s of '%s': expected %d (days 1, 2, ... in order)",
					  rtable_get(&f->path, i, P_DAY), s, g->days + 1);
			break;
		}
		if (!(var > 0)) {
			rc = rtable_error(&f->path, i, P_VAR, e, "must be above 0");
			break;
		}
		if (vol < 0 || term < 0) {
			rc = rtable_error(&f->path, i, vol < 0 ? P_VOL : P_TERM, e, "a volatility must not be negative");
			break;
		}
		if (g->days == cap[k]) {
			int nc = cap[k] ? 2 * cap[k] : 32;
			double *p = realloc(g->term_vol, (size_t)nc * sizeof *p);
			if (!p) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				break;
			}
			g->term_vol = p;
			cap[k] = nc;
		}
		if (!g->days) {
			g->vol_next = vol;
			g->year = vol * vol / var;
		}
		g->term_vol[g->days++] = term;
		g->vol_last = vol;
	}
	free(cap);
	for (size_t k = 0; k < f->ng && !rc; k++) {
		report_garch *g = &f->g[k];
		if (g->days && g->persistence < 1)
			g->long_run = sqrt(g->year * g->omega / (1 - g->persistence));
	}
	return rc;
}

static int cmp_senti(const void *a, const void *b)
{
	return strcmp(((const report_sentiment *)a)->commodity, ((const report_sentiment *)b)->commodity);
}

/* A count column: a whole number, 0 or more. */
static int count_cell(const rtable *t, size_t i, int col, long *out, qe_err *e)
{
	double x;
	int rc = rtable_num(t, i, col, 0, &x, e);
	if (rc)
		return rc;
	if (x < 0 || x != floor(x) || x > 1e15)
		return rtable_error(t, i, col, e, "a count (a whole number, 0 or more) '%s'", rtable_get(t, i, col));
	*out = (long)x;
	return 0;
}

static int read_sentiment(const char *path, const char *asof, report_forecast *f, qe_err *e)
{
	static const char *const cols[S_NCOLS] = {"date", "commodity", "mean_score", "n", "pos", "neg", "neu"};
	int rc = rtable_read(path, cols, NULL, S_NCOLS, &f->senti, e);
	if (rc)
		return rc;
	f->has_senti = 1;
	const rtable *t = &f->senti;
	strindex *ix = sidx_new();
	if (!ix || !(f->s = calloc(t->n ? t->n : 1, sizeof *f->s))) {
		sidx_free(ix);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	qe_date until = 0, prev = 0;
	int bounded = asof && date_parse_z(asof, &until) == 0;
	for (size_t i = 0; i < t->n && !rc; i++) {
		qe_date d;
		const char *c = rtable_get(t, i, S_COMMODITY);
		if (date_parse_z(rtable_get(t, i, S_DATE), &d)) {
			rc = rtable_error(t, i, S_DATE, e, "not a date YYYY-MM-DD '%s'", rtable_get(t, i, S_DATE));
			break;
		}
		if (i && d < prev) {
			rc = rtable_error(t, i, S_DATE, e, "%s is before the date of the row above (sorted by date)",
					  rtable_get(t, i, S_DATE));
			break;
		}
		prev = d;
		if (!*c) {
			rc = rtable_error(t, i, S_COMMODITY, e, "empty, a commodity is required");
			break;
		}
		double score;
		long count[4];
		for (int j = 0; j < 4 && !rc; j++)
			rc = count_cell(t, i, S_N + j, &count[j], e);
		if (rc || (rc = rtable_num(t, i, S_MEAN, 0, &score, e)))
			break;
		if (score < -1 || score > 1) {
			rc = rtable_error(t, i, S_MEAN, e, "a score is between -1 and 1, not %s", rtable_get(t, i, S_MEAN));
			break;
		}
		if (bounded && d > until)
			continue;
		int added;
		long k = sidx_add(ix, c, strlen(c), &added);
		if (k < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			break;
		}
		report_sentiment *s = &f->s[k];
		if (added)
			f->ns++;
		s->commodity = c;
		s->last = i;
		s->score = score;
		memcpy(s->count, count, sizeof count);
		if (s->nspark == REPORT_SPARK_DAYS)
			memmove(s->spark, s->spark + 1, (REPORT_SPARK_DAYS - 1) * sizeof *s->spark);
		else
			s->nspark++;
		s->spark[s->nspark - 1] = score;
	}
	sidx_free(ix);
	if (!rc)
		qsort(f->s, f->ns, sizeof *f->s, cmp_senti);
	return rc;
}

int report_forecast_read(const char *garch, const char *path, const char *sentiment, const char *asof,
			 report_forecast *f, qe_err *e)
{
	memset(f, 0, sizeof *f);
	int rc = 0;
	if (garch) {
		strindex *ix = sidx_new();
		if (!ix)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		rc = read_fits(garch, f, ix, e);
		if (!rc && path)
			rc = read_paths(path, f, ix, e);
		sidx_free(ix);
	}
	if (!rc && sentiment)
		rc = read_sentiment(sentiment, asof, f, e);
	return rc;
}

void report_forecast_free(report_forecast *f)
{
	for (size_t i = 0; i < f->ng; i++)
		free(f->g[i].term_vol);
	free(f->g);
	free(f->s);
	if (f->has_fit)
		rtable_free(&f->fit);
	if (f->has_path)
		rtable_free(&f->path);
	if (f->has_senti)
		rtable_free(&f->senti);
	memset(f, 0, sizeof *f);
}

/* ---- the panel ----------------------------------------------------------- */

/* "45.3%", or an en dash when not known */
static const char *pct(char *b, double x)
{
	if (isnan(x))
		snprintf(b, 32, "&#8211;");
	else
		snprintf(b, 32, "%.1f%%", 100 * x);
	return b;
}

/* A small line of v[0..n) (and a dashed level, when ref is a number),
 * scaled to its own range: the shape, not the level, which the cells
 * beside it give. */
static void spark(strbuf *t, const double *v, int n, double ref, const char *cls, const char *label,
		  const char *what)
{
	const double w = 120, h = 28, pad = 3;
	double lo = INFINITY, hi = -INFINITY;
	for (int i = 0; i < n; i++) {
		lo = fmin(lo, v[i]);
		hi = fmax(hi, v[i]);
	}
	if (!isnan(ref)) {
		lo = fmin(lo, ref);
		hi = fmax(hi, ref);
	}
	if (!(hi > lo)) {
		lo -= 1;
		hi += 1;
	}
#define SX(i) (n > 1 ? pad + (w - 2 * pad) * (double)(i) / (double)(n - 1) : w / 2)
#define SY(y) (pad + (h - 2 * pad) * (hi - (y)) / (hi - lo))
	strbuf_addf(t, "<svg class=spark viewBox=\"0 0 %.0f %.0f\" role=img aria-label=\"", w, h);
	report_html_escape(t, label);
	strbuf_addf(t, ": %s\">", what);
	if (!isnan(ref))
		strbuf_addf(t, "<line class=level x1=%.1f x2=%.1f y1=%.1f y2=%.1f stroke=#888 stroke-dasharray=\"3 2\" />",
			   pad, w - pad, SY(ref), SY(ref));
	strbuf_addf(t, "<polyline class=%s fill=none stroke=#2f6db5 stroke-width=1.6 points=\"", cls);
	if (n == 1)
		strbuf_addf(t, "%.1f,%.1f %.1f,%.1f", pad, SY(v[0]), w - pad, SY(v[0]));
	for (int i = 0; n > 1 && i < n; i++)
		strbuf_addf(t, "%s%.1f,%.1f", i ? " " : "", SX(i), SY(v[i]));
	strbuf_addf(t, "\" /><circle cx=%.1f cy=%.1f r=2.2 fill=#2f6db5 /></svg>", n > 1 ? SX(n - 1) : w - pad,
		   SY(v[n - 1]));
#undef SX
#undef SY
}

/* A row's first cell: its name, escaped. */
static void row_name(strbuf *t, const char *name)
{
	strbuf_addf(t, "<tr><td>");
	report_html_escape(t, name);
	strbuf_addf(t, "</td>");
}

static void garch_table(const report_forecast *f, strbuf *t)
{
	int horizon = 0;
	for (size_t i = 0; i < f->ng; i++)
		horizon = f->g[i].days > horizon ? f->g[i].days : horizon;
	strbuf_addf(t, "<table id=garch><caption>GARCH(1,1) volatility, annualised: the next day, the term vol "
		     "over the forecast horizon (%d days) and the long run; the line is the term structure, the "
		     "dashed level the long run</caption><tr><th style=\"width:17%%\">series</th>"
		     "<th class=n>next day</th><th class=n>term</th><th class=n>long run</th>"
		     "<th style=\"width:22%%\">term structure</th><th class=n>persis&shy;tence</th>"
		     "<th class=n>half-life</th></tr>", horizon);
	for (size_t i = 0; i < f->ng; i++) {
		const report_garch *g = &f->g[i];
		char a[32], b[32], c[32];
		row_name(t, report_garch_series(f, i));
		strbuf_addf(t, "<td class=n>%s</td><td class=n>%s", pct(a, g->vol_next),
			   pct(b, g->days ? g->term_vol[g->days - 1] : NAN));
		if (g->days > 1) /* the direction in a sign as well as the line */
			strbuf_addf(t, " %s", g->term_vol[g->days - 1] > g->vol_next ? "&#9650;" :
					      g->term_vol[g->days - 1] < g->vol_next ? "&#9660;" : "=");
		strbuf_addf(t, "</td><td class=n>%s</td><td>", pct(c, g->long_run));
		if (g->days) {
			char what[96];
			snprintf(what, sizeof what, "term vol from %.1f%% to %.1f%% over %d days", 100 * g->term_vol[0],
				 100 * g->term_vol[g->days - 1], g->days);
			spark(t, g->term_vol, g->days, g->long_run, "term-line", report_garch_series(f, i), what);
		} else {
			strbuf_addf(t, "no forecast");
		}
		strbuf_addf(t, "</td><td class=n>%.3f</td><td class=n>", g->persistence);
		if (isnan(g->half_life))
			strbuf_addf(t, "none</td></tr>");
		else
			strbuf_addf(t, "%.1f d</td></tr>", g->half_life);
	}
	strbuf_addf(t, "</table>");
}

static void sentiment_table(const report_forecast *f, strbuf *t)
{
	static const char head[] = "<tr><th style=\"width:17%\">commodity</th><th>date</th><th class=n>score</th>"
				   "<th class=n>head&shy;lines</th><th class=n>+ / &#8722; / =</th>"
				   "<th style=\"width:22%\">recent days</th></tr>";
	strbuf_addf(t, "<table id=sentiment><caption>Headline sentiment, the latest day of each commodity: the mean "
		     "score from &#8722;1 (bearish) to +1 (bullish), the headlines and their labels; the line is "
		     "the mean score of its last %d days</caption>%s", REPORT_SPARK_DAYS, head);
	for (size_t i = 0; i < f->ns; i++) {
		const report_sentiment *s = &f->s[i];
		row_name(t, s->commodity);
		strbuf_addf(t, "<td>");
		report_html_escape(t, rtable_get(&f->senti, s->last, S_DATE));
		strbuf_addf(t, "</td><td class=n>%+.2f %s</td><td class=n>%ld</td><td class=n>%ld / %ld / %ld</td><td>", s->score,
			   s->score > 0 ? "bullish" : s->score < 0 ? "bearish" : "neutral", s->count[0], s->count[1],
			   s->count[2], s->count[3]);
		char what[64];
		snprintf(what, sizeof what, "mean score of the last %d days", s->nspark);
		spark(t, s->spark, s->nspark, 0, "score-line", s->commodity, what);
		strbuf_addf(t, "</td></tr>");
	}
	strbuf_addf(t, "</table>");
}

void report_forecast_html(const report_forecast *f, strbuf *t)
{
	strbuf_addf(t, "<section class=card id=forecast><h2>Volatility forecast and sentiment</h2>");
	if (f->has_fit) {
		if (f->ng)
			garch_table(f, t);
		else
			strbuf_addf(t, "<p class=note>No GARCH fit.</p>");
		if (f->has_path)
			strbuf_addf(t, "<p class=note>&#9650; the term vol rises over the horizon, &#9660; it falls. "
				     "Half-life: the days a shock to the variance takes to halve.</p>");
	}
	if (f->has_senti) {
		if (f->ns)
			sentiment_table(f, t);
		else
			strbuf_addf(t, "<p class=note>No headline sentiment up to the day.</p>");
	}
	strbuf_addf(t, "</section>");
}
