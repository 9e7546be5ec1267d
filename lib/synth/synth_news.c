/* synth: news headlines tied to the synthetic history - on each day a
 * curve's index (tenor 0) moves more than NEWS_Z robust daily standard
 * deviations, a headline that explains the move (up: outages, sanctions,
 * cold; down: mild weather, oversupply), written in the curve's time zone
 * that day; and, on other days, neutral market news and weakly
 * opinionated noise, so a sentiment index has something to separate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/formats.h"
#include "synth/synth_impl.h"
#include "synth/synth_site.h"
#include "time/tz.h"

#define NEWS_Z 4.0

/* Headline groups: a region of a commodity, each curve in one. */
enum { G_POWER_EU, G_POWER_US, G_GAS_EU, G_GAS_US, G_OIL, G_CARBON, G_N };

static const char *const up_news[G_N][6] = {
	{"Unplanned outage at German coal plant tightens power supply",
	 "Cold snap sends German power prices soaring",
	 "Low wind output lifts German day-ahead power prices sharply",
	 "French nuclear outages extended, German power jumps",
	 "German power surges as wind output collapses",
	 "Heatwave drives record power demand in Germany"},
	{"PJM issues conservation alert as cold snap grips the East Coast",
	 "Heat wave drives record power demand in PJM",
	 "Plant outages tighten PJM supply, power prices spike",
	 "Transmission outage lifts PJM West Hub power prices",
	 "Freezing temperatures boost PJM power demand",
	 "PJM power jumps on unplanned nuclear outage"},
	{"Unplanned outage at Norwegian gas field cuts flows to Europe",
	 "Cold snap lifts European gas demand, TTF jumps",
	 "New sanctions threaten Russian LNG supply to Europe",
	 "Strike at Australian LNG plants tightens global gas supply",
	 "TTF surges as Norwegian maintenance outages are extended",
	 "Gas storage withdrawals accelerate in freezing weather"},
	{"Freeze offs cut US gas production, Henry Hub rallies",
	 "Colder forecasts boost US heating demand, natural gas climbs",
	 "Henry Hub jumps after larger than expected storage draw",
	 "Pipeline outage disrupts Texas gas flows",
	 "Heat wave lifts gas burn for power, Henry Hub higher",
	 "US natural gas output drops sharply in cold spell"},
	{"New sanctions on Russian crude exports tighten oil supply",
	 "Refinery fire and pipeline outage send crude sharply higher",
	 "OPEC+ agrees deeper output cuts, Brent jumps",
	 "Attacks on tankers in the Red Sea disrupt oil shipping",
	 "Crude stocks draw more than expected, oil rallies",
	 "Libya oil field shut by protesters, crude surges"},
	{"Cold snap boosts emissions, EUA prices jump",
	 "Auction supply cut tightens EU carbon market",
	 "Carbon allowance demand surges ahead of compliance deadline",
	 "EU proposes tighter emissions cap, EUA futures rally",
	 "Gas to coal switching lifts carbon demand",
	 "Carbon prices soar on strong compliance buying"},
};

static const char *const down_news[G_N][6] = {
	{"Strong winds boost German wind output, power prices slump",
	 "Mild weather cuts power demand in Germany",
	 "Record solar generation depresses German power prices",
	 "French reactors return early, ample supply weighs on German power",
	 "German power prices plunge on windy and mild forecasts",
	 "Industrial power demand falls sharply in Germany"},
	{"Mild weather cuts PJM power demand, prices fall",
	 "Cooler weather eases PJM power prices",
	 "PJM reports ample reserves as new plants come online",
	 "PJM power prices slump on weak demand",
	 "Plants return from outages, PJM power prices drop",
	 "Mild forecasts send PJM West Hub lower"},
	{"Mild weather and full storage send TTF lower",
	 "LNG cargoes flood into Europe as oversupply grows",
	 "Norwegian gas flows resume after outage, TTF tumbles",
	 "European gas demand falls to decade low",
	 "Gas prices fall sharply on warm forecasts",
	 "Record LNG imports ease European supply concerns"},
	{"Record US gas output and mild weather weigh on Henry Hub",
	 "Henry Hub plunges on larger than expected storage build",
	 "Warmer forecasts cut US heating demand, natural gas slides",
	 "US gas production hits new record, prices fall",
	 "Natural gas slumps as mild weather cuts demand",
	 "Freeport LNG outage cuts export demand for US gas"},
	{"Oil slumps as US crude inventories build sharply",
	 "OPEC+ output rises, glut fears weigh on crude",
	 "Ceasefire eases supply fears, crude falls",
	 "Oil prices plunge on weak Chinese demand",
	 "Libya restores output at Sharara, Brent slides",
	 "Refinery margins collapse as fuel demand weakens"},
	{"EUA prices slide as mild weather cuts emissions",
	 "Oversupply of allowances weighs on carbon prices",
	 "Carbon prices plunge as speculators exit long positions",
	 "Emissions from EU power sector drop to record low",
	 "EU considers releasing extra allowances, EUA futures fall",
	 "Carbon prices crash on weak industrial demand"},
};

static const char *const neutral_news[] = {
	"Energy ministers meet in Brussels to discuss market design",
	"Exchange publishes trading calendar for next year",
	"Regulator opens consultation on transparency rules",
	"Utility appoints new chief financial officer",
	"Traders await weekly storage report",
	"Grid operator publishes capacity auction timetable",
	"Oil major reorganizes its trading division",
	"Power futures trade in a narrow range",
	"Gas market quiet ahead of holiday weekend",
	"Carbon registry schedules annual maintenance",
	"Exchange reports quarterly trading volumes",
	"OPEC+ keeps output policy unchanged",
};

/* Mild opinion on a day without a spike: each group, one up, one down. */
static const char *const lean_news[G_N][2] = {
	{"German power edges higher on lower wind forecasts", "German power eases on higher wind forecasts"},
	{"PJM power firms on warmer forecasts", "PJM power softens on cooler forecasts"},
	{"TTF edges up on colder outlook", "TTF slips on milder outlook"},
	{"Henry Hub edges up on colder forecasts", "Henry Hub slips on milder forecasts"},
	{"Crude edges higher on supply concerns", "Crude slips on demand worries"},
	{"EUA futures edge up on auction demand", "EUA futures slip on weak auction demand"},
};

static const char *const sources[] = {"ENERGYWIRE", "GRIDNEWS", "PETROWATCH", "CARBONDESK", "MARKETFEED"};

static int group_of(const synth_curve *k)
{
	int us = strncmp(k->timezone, "America/", 8) == 0;
	if (strcmp(k->commodity, "power") == 0)
		return us ? G_POWER_US : G_POWER_EU;
	if (strcmp(k->commodity, "gas") == 0)
		return us ? G_GAS_US : G_GAS_EU;
	if (strcmp(k->commodity, "carbon") == 0)
		return G_CARBON;
	return G_OIL;
}

typedef struct news {
	qe_ts ts;
	const char *source, *text;
} news;

static int cmp_news(const void *a, const void *b)
{
	const news *x = a, *y = b;
	if (x->ts.utc != y->ts.utc)
		return x->ts.utc < y->ts.utc ? -1 : 1;
	return strcmp(x->text, y->text);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The move of curve c's index from day t-1 to t (log or absolute), or
 * NAN across a roll of a front-month index. */
static double index_move(const synth *s, int c, int t)
{
	if (s->front[t * synth_ncurves + c] != s->front[(t - 1) * synth_ncurves + c] ||
	    date_month_index(s->days[t]) != date_month_index(s->days[t - 1]))
		return NAN;
	double p1 = synth_hist_price(s, t, c, 0), p0 = synth_hist_price(s, t - 1, c, 0);
	if (synth_curves[c].abs_returns)
		return p1 - p0;
	return p0 > 0 && p1 > 0 ? log(p1 / p0) : NAN;
}

/* The headline's instant: hour:minute local time of zone tz on day d. */
static qe_ts news_time(const qe_tz *tz, qe_date d, qe_rng *r)
{
	int64_t local = tz_local_make(d, 6 + (int)rng_below(r, 13), (int)rng_below(r, 60), 0), utc;
	tz_local_to_utc(tz, local, TZ_EARLIER, &utc, NULL);
	return ts_in_zone(tz, utc);
}

int synth_write_headlines(synth *s, FILE *fp, qe_err *e)
{
	if (synth_build_history(s, e))
		return e->code;
	const int n = s->ndays, nc = synth_ncurves;
	double scale[SYNTH_NCURVES];
	qe_tz *tz[SYNTH_NCURVES] = {0};
	double *m = malloc(sizeof(double) * (size_t)n);
	int rc = 0;
	if (!m)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	/* the robust daily scale of each index: 1.4826 x median |move| */
	for (int c = 0; c < nc && !rc; c++) {
		int k = 0;
		for (int t = 1; t < n; t++) {
			double mv = index_move(s, c, t);
			if (!isnan(mv))
				m[k++] = fabs(mv);
		}
		qsort(m, (size_t)k, sizeof *m, cmp_double);
		scale[c] = k ? 1.4826 * m[k / 2] : 1;
		if (!(scale[c] > 0))
			scale[c] = 1;
		if (!(tz[c] = tz_load(synth_curves[c].timezone, e)))
			rc = e->code;
	}
	free(m);
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_HEADLINES);
	qe_rng r;
	rng_init(&r, s->cfg.seed, synth_stream(STREAM_NEWS, 0));
	for (int t = 1; t < n && !rc; t++) {
		news day[SYNTH_NCURVES + 4];
		int nd = 0, said[G_N] = {0};
		for (int c = 0; c < nc; c++) {
			const synth_curve *k = &synth_curves[c];
			/* the same draws whatever the day holds */
			double pick = rng_uniform(&r);
			qe_ts ts = news_time(tz[c], s->days[t], &r);
			double mv = index_move(s, c, t);
			int g = group_of(k);
			if (isnan(mv) || fabs(mv) < NEWS_Z * scale[c] || said[g] ||
			    !cal_is_business_day(s->cal[c], s->days[t]))
				continue;
			said[g] = 1;
			day[nd].ts = ts;
			day[nd].source = sources[g == G_OIL ? 2 : g == G_CARBON ? 3 : g <= G_POWER_US ? 1 : 0];
			day[nd].text = (mv > 0 ? up_news : down_news)[g][(int)(pick * 6) % 6];
			nd++;
		}
		/* noise: neutral news most days, a mild lean now and then */
		double u = rng_uniform(&r), v = rng_uniform(&r), lean = rng_uniform(&r);
		int g = (int)rng_below(&r, G_N), side = (int)rng_below(&r, 2);
		int gc = g == G_POWER_US || g == G_GAS_US ? synth_curve_index("NG_HH") : synth_curve_index("TTF");
		qe_ts ts1 = news_time(tz[gc], s->days[t], &r), ts2 = news_time(tz[gc], s->days[t], &r);
		if (u < 0.7) {
			day[nd].ts = ts1;
			day[nd].source = sources[4];
			day[nd].text = neutral_news[(size_t)(v * (double)(sizeof neutral_news / sizeof neutral_news[0]))];
			nd++;
		}
		if (lean < 0.25 && !said[g]) {
			day[nd].ts = ts2;
			day[nd].source = sources[4];
			day[nd].text = lean_news[g][side];
			nd++;
		}
		qsort(day, (size_t)nd, sizeof day[0], cmp_news);
		for (int i = 0; i < nd; i++) {
			char tb[TS_BUFSZ];
			ts_format(tb, day[i].ts, 0);
			csvw_str(&w, tb);
			csvw_str(&w, day[i].source);
			csvw_str(&w, day[i].text);
			csvw_end(&w);
		}
	}
	for (int c = 0; c < nc; c++)
		tz_free(tz[c]);
	return rc;
}
