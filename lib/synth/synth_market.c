/* synth: the market - curve master, forward curves, vols, rates, history
 * and fixings - and the synth object itself.  The lowest synth file: it
 * calls none of the others. */
#include "synth/synth_impl.h"

#include <gsl/gsl_cdf.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/formats.h"
#include "market/curvemaster.h"
#include "time/contract.h"
#include "time/period.h"

#define GAS_SEASON {1.16, 1.13, 1.02, 0.92, 0.91, 0.92, 0.95, 0.96, 0.95, 0.97, 1.04, 1.12}
#define FLAT_SEASON {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}

/* Levels are late-2026 plausible, not quotes.  Seasonality: winter gas
 * premium; European power dearer in winter, peak cheapest in the solar
 * summer; PJM with summer (cooling) and winter peaks. */
const synth_curve synth_curves[] = {
	{"NG_HH", "gas", "NYMEX", "MMBtu", "USD", "America/Chicago", "NYMEX", "gasday", "black76",
	 10000, 0, 3.90, GAS_SEASON, 0.03, 0.60, 0.30, 0.05, 0.75, 0.010, 0.15, 0.50, 0, 0.001, 0.05, "NG"},
	{"CL_WTI", "crude", "NYMEX", "bbl", "USD", "America/New_York", "NYMEX", "", "black76",
	 1000, 0, 64.0, FLAT_SEASON, -0.04, 0.36, 0.24, 0.012, 0.60, 0, 0, 0, 0, 0.01, 0.5, "CL"},
	{"BRENT", "crude", "ICE", "bbl", "USD", "Europe/London", "ICE_EU", "", "black76",
	 1000, 0, 67.5, FLAT_SEASON, -0.04, 0.33, 0.22, 0.010, 0.60, 0, 0, 0, 0, 0.01, 0.5, "BRENT"},
	{"HO_ULSD", "products", "NYMEX", "gal", "USD", "America/New_York", "NYMEX", "", "black76",
	 42000, 0, 2.35, {1.06, 1.05, 1.02, 0.98, 0.97, 0.97, 0.98, 0.99, 1.0, 1.0, 1.0, 1.03},
	 -0.03, 0.38, 0.25, 0.012, 0.60, 0, 0, 0, 0, 0.0001, 0.05, "HO"},
	{"TTF", "gas", "ICE_ENDEX", "MWh", "EUR", "Europe/Amsterdam", "ICE_EU", "gasday", "black76",
	 1, 0, 31.0, GAS_SEASON, -0.05, 0.65, 0.32, 0.05, 0.70, 0.010, 0.15, 0.60, 0, 0.001, 0.5, NULL},
	{"PJM_WH_PEAK", "power", "OTC", "MWh", "USD", "America/New_York", "NERC", "5x16", "bachelier",
	 1, 1, 68.0, {1.25, 1.15, 0.90, 0.85, 0.88, 1.05, 1.35, 1.30, 0.95, 0.85, 0.90, 1.10},
	 0.02, 0.55, 0.25, 0.12, 0.50, 0.020, 0.5, 2.5, 0.004, 0.01, 1, NULL},
	{"PJM_WH_OFFPEAK", "power", "OTC", "MWh", "USD", "America/New_York", "NERC", "7x8", "bachelier",
	 1, 1, 42.0, {1.30, 1.20, 0.95, 0.85, 0.82, 0.90, 1.10, 1.05, 0.90, 0.85, 0.95, 1.15},
	 0.02, 0.50, 0.22, 0.12, 0.50, 0.010, 0.5, 2.0, 0.015, 0.01, 1, NULL},
	{"DE_BASE", "power", "EEX", "MWh", "EUR", "Europe/Berlin", "EEX", "base", "bachelier",
	 1, 1, 88.0, {1.22, 1.15, 1.02, 0.88, 0.80, 0.82, 0.88, 0.90, 0.95, 1.02, 1.12, 1.18},
	 -0.06, 0.55, 0.25, 0.14, 0.50, 0.020, 0.5, 2.5, 0.020, 0.01, 1, NULL},
	{"DE_PEAK", "power", "EEX", "MWh", "EUR", "Europe/Berlin", "EEX", "peak", "bachelier",
	 1, 1, 99.0, {1.30, 1.20, 1.00, 0.82, 0.72, 0.74, 0.80, 0.84, 0.95, 1.05, 1.20, 1.28},
	 -0.06, 0.60, 0.27, 0.16, 0.50, 0.020, 0.5, 2.5, 0.025, 0.01, 1, NULL},
	{"EUA", "carbon", "ICE_ENDEX", "t", "EUR", "Europe/Amsterdam", "ICE_EU", "", "black76",
	 1000, 0, 78.0, FLAT_SEASON, 0.025, 0.45, 0.38, 0.012, 0.60, 0, 0, 0, 0, 0.01, 1, "EUA"},
	/* RBOB gasoline: summer-grade premium from spring to August */
	{"RBOB", "products", "NYMEX", "gal", "USD", "America/New_York", "NYMEX", "", "black76",
	 42000, 0, 1.95, {0.95, 0.96, 1.02, 1.06, 1.06, 1.05, 1.04, 1.02, 0.98, 0.96, 0.95, 0.95},
	 -0.03, 0.40, 0.26, 0.012, 0.60, 0, 0, 0, 0, 0.0001, 0.05, "RB"},
};
const int synth_ncurves = (int)(sizeof synth_curves / sizeof synth_curves[0]);
_Static_assert(sizeof synth_curves / sizeof synth_curves[0] == SYNTH_NCURVES, "SYNTH_NCURVES is the curve count");

/* Correlation of daily forward shocks between curves (order of the table). */
static const double curve_corr[SYNTH_NCURVES][SYNTH_NCURVES] = {
	{1.00, 0.25, 0.22, 0.25, 0.35, 0.60, 0.55, 0.25, 0.22, 0.15, 0.22},
	{0.25, 1.00, 0.95, 0.85, 0.25, 0.15, 0.12, 0.20, 0.18, 0.25, 0.85},
	{0.22, 0.95, 1.00, 0.85, 0.30, 0.12, 0.10, 0.25, 0.22, 0.28, 0.82},
	{0.25, 0.85, 0.85, 1.00, 0.25, 0.12, 0.10, 0.20, 0.18, 0.22, 0.80},
	{0.35, 0.25, 0.30, 0.25, 1.00, 0.20, 0.18, 0.70, 0.65, 0.45, 0.22},
	{0.60, 0.15, 0.12, 0.12, 0.20, 1.00, 0.85, 0.15, 0.15, 0.10, 0.12},
	{0.55, 0.12, 0.10, 0.10, 0.18, 0.85, 1.00, 0.12, 0.12, 0.08, 0.10},
	{0.25, 0.20, 0.25, 0.20, 0.70, 0.15, 0.12, 1.00, 0.95, 0.55, 0.18},
	{0.22, 0.18, 0.22, 0.18, 0.65, 0.15, 0.12, 0.95, 1.00, 0.50, 0.16},
	{0.15, 0.25, 0.28, 0.22, 0.45, 0.10, 0.08, 0.55, 0.50, 1.00, 0.20},
	{0.22, 0.85, 0.82, 0.80, 0.22, 0.12, 0.10, 0.18, 0.16, 0.20, 1.00},
};
/* Correlation between tenors of one curve: a common factor with weight
 * tenor_corr plus a curve-specific part correlated month_corr^|k1-k2|
 * between delivery months, so corr = tenor_corr + (1 - tenor_corr)
 * month_corr^|k1-k2|. */
static const double tenor_corr = 0.90;
static const double month_corr = 0.95;
/* Student-t degrees of freedom of the common daily variance weight. */
static const double day_nu = 6.0;
/* Mean reversion of forward deviations: half-life in trading days. */
static const double fwd_half_life = 252.0;

int synth_curve_index(const char *name)
{
	for (int c = 0; c < synth_ncurves; c++)
		if (strcmp(synth_curves[c].curve, name) == 0)
			return c;
	return -1;
}

/* ---- small helpers ---------------------------------------------------- */

double synth_round(double x, double step)
{
	double r = round(x / step) * step;
	/* print 0.30000000000000004 as 0.3: go through the decimal grid */
	double digits = ceil(-log10(step) - 1e-9);
	if (digits > 0) {
		double p = pow(10, digits);
		r = round(r * p) / p;
	}
	return r == 0 ? 0 : r;
}

qe_date synth_month_end(qe_date d)
{
	return date_add_months_first(d, 1) - 1;
}

qe_date synth_add_months(qe_date d, int months)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	qe_date first = date_add_months_first(d, months);
	int y2, m2, d2;
	date_to_ymd(first, &y2, &m2, &d2);
	int dim = date_days_in_month(y2, m2);
	return first + (dd < dim ? dd : dim) - 1;
}

static int calmonth_of(qe_date d)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	return m;
}

/* Base level of curve c for the delivery month `rel` months after the
 * as-of month. */
static double base_level(const synth *s, int c, int rel)
{
	const synth_curve *k = &synth_curves[c];
	qe_date first = date_add_months_first(s->month0, rel);
	double years = rel / 12.0;
	return k->level * k->season[calmonth_of(first) - 1] * (1 + k->carry * years);
}

/* Daily shock scale of curve c at tenor k months (Samuelson effect). */
static double tenor_vol(int c, int k)
{
	const synth_curve *cv = &synth_curves[c];
	if (k < 1)
		k = 1;
	return cv->vol_long + (cv->vol_front - cv->vol_long) * exp(-(k - 1) / 4.0);
}

double synth_fwd(const synth *s, int c, int m)
{
	return s->fwd[c * (s->nmonths + 1) + m];
}

double synth_atm_vol(int c, double t, int calmonth)
{
	const synth_curve *k = &synth_curves[c];
	double v = k->vol_long + (k->vol_front - k->vol_long) * exp(-t / 0.4);
	if (strcmp(k->commodity, "gas") == 0 && (calmonth >= 11 || calmonth <= 2))
		v *= 1.08;
	return v;
}

double synth_smile_vol(int c, double atm, double f, double k)
{
	/* Gas and power: call skew (upside spikes); oil and carbon: put skew. */
	const char *com = synth_curves[c].commodity;
	double skew = (strcmp(com, "gas") == 0 || strcmp(com, "power") == 0) ? 0.25 : -0.35;
	double x = (f > 0 && k > 0) ? log(k / f) : (k - f) / (fabs(f) + 1);
	double v = atm * (1 + skew * x + 0.8 * x * x);
	return v < 0.05 ? 0.05 : v;
}

qe_date synth_option_expiry(const synth *s, int c, qe_date first)
{
	const synth_curve *k = &synth_curves[c];
	const qe_calendar *cal = s->cal[c];
	qe_date fut;
	qe_err e;
	if (k->expiry_product && contract_expiry(k->expiry_product, first, cal, &fut, &e) == 0) {
		/* listed options expire before their future: NG, WTI 1 business
		 * day, Brent 3, EUA (December) 5 days before */
		int back = strcmp(k->expiry_product, "BRENT") == 0 ? 3
			   : strcmp(k->expiry_product, "EUA") == 0 ? 5 : 1;
		return cal_add_business_days(cal, fut, -back);
	}
	/* TTF and power months: a few business days before delivery starts */
	return cal_add_business_days(cal, first, strcmp(k->commodity, "power") == 0 ? -4 : -5);
}

/* ---- object ----------------------------------------------------------- */

synth *synth_new(const synth_cfg *cfg, qe_err *e)
{
	if (cfg->months < 1 || cfg->months > 120)
		return qe_err_set(e, QE_USAGE, "months %d out of range [1, 120]", cfg->months), NULL;
	if (cfg->history_days < 30 || cfg->history_days > 5000)
		return qe_err_set(e, QE_USAGE, "history days %d out of range [30, 5000]", cfg->history_days),
		       NULL;
	if (cfg->trades < 0)
		return qe_err_set(e, QE_USAGE, "negative trade count"), NULL;
	synth *s = calloc(1, sizeof *s);
	if (!s)
		return qe_err_set(e, QE_INTERNAL, "out of memory"), NULL;
	s->cfg = *cfg;
	s->nmonths = cfg->months;
	s->month0 = date_add_months_first(cfg->asof, 0);
	for (int c = 0; c < synth_ncurves; c++) {
		int prev = -1;
		for (int j = 0; j < c; j++)
			if (strcmp(synth_curves[j].calendar, synth_curves[c].calendar) == 0)
				prev = j;
		if (prev >= 0)
			continue;
		s->cal[c] = cal_load_named(synth_curves[c].calendar, cfg->calendar_dir, e);
		if (!s->cal[c]) {
			synth_free(s);
			return NULL;
		}
	}
	for (int c = 0; c < synth_ncurves; c++)
		if (!s->cal[c])
			for (int j = 0; j < c; j++)
				if (strcmp(synth_curves[j].calendar, synth_curves[c].calendar) == 0 && s->cal[j]) {
					s->cal[c] = s->cal[j];
					break;
				}
	/* As-of forward curve: the seasonal base with a little per-month
	 * noise, so curves do not look drawn with a ruler. */
	s->fwd = malloc(sizeof(double) * (size_t)synth_ncurves * (size_t)(s->nmonths + 1));
	if (!s->fwd) {
		synth_free(s);
		return qe_err_set(e, QE_INTERNAL, "out of memory"), NULL;
	}
	for (int c = 0; c < synth_ncurves; c++) {
		const synth_curve *k = &synth_curves[c];
		qe_rng r;
		rng_init(&r, cfg->seed, synth_stream(STREAM_FWD, (uint64_t)c));
		for (int m = 0; m <= s->nmonths; m++) {
			double b = base_level(s, c, m), z = rng_normal(&r);
			double f = k->abs_returns ? b + 0.02 * b * z : b * exp(0.02 * z);
			s->fwd[c * (s->nmonths + 1) + m] = synth_round(f, k->tick);
		}
	}
	return s;
}

void synth_free(synth *s)
{
	if (!s)
		return;
	for (int c = 0; c < synth_ncurves; c++) {
		int shared = 0;
		for (int j = 0; j < c; j++)
			if (s->cal[j] == s->cal[c])
				shared = 1;
		if (!shared)
			cal_free(s->cal[c]);
	}
	free(s->fwd);
	free(s->days);
	free(s->hist);
	free(s->front);
	free(s);
}

/* ---- markets, curves, vols, rates ------------------------------------- */

/* The exchange codes of each curve in the settlement files (qe-formats(5)
 * MARKETS futures_codes, option_codes; price_scale 1: the exchanges quote
 * in the curve's own unit). */
static const char *const synth_codes[][3] = {
	{"NG_HH", "CME:NG", "CME:LNE:european CME:ON:american"},
	{"CL_WTI", "CME:CL", "CME:LO:american"},
	{"BRENT", "CME:BZ ICE:B", "ICE:B:american"},
	{"HO_ULSD", "CME:HO", "CME:OH:american"},
	/* ICE Endex: Dutch TTF Gas Options (TFO) and EUA Futures Options
	 * (C), both European-style options on the futures */
	{"TTF", "ICE:TFM", "ICE:TFO:european"},
	{"EUA", "ICE:C", "ICE:C:european"},
	{"RBOB", "CME:RB", "CME:OB:american"},
};

const char *const *synth_codes_of(const char *curve)
{
	for (size_t i = 0; i < sizeof synth_codes / sizeof synth_codes[0]; i++)
		if (strcmp(synth_codes[i][0], curve) == 0)
			return synth_codes[i];
	return NULL;
}

int synth_write_markets(synth *s, FILE *fp, qe_err *e)
{
	(void)s;
	(void)e;
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_MARKETS);
	for (int c = 0; c < synth_ncurves; c++) {
		const synth_curve *k = &synth_curves[c];
		csvw_str(&w, k->curve);
		csvw_str(&w, k->commodity);
		csvw_str(&w, k->venue);
		csvw_str(&w, k->unit);
		csvw_str(&w, k->currency);
		csvw_str(&w, k->timezone);
		csvw_str(&w, k->calendar);
		csvw_str(&w, k->shape);
		csvw_double(&w, k->lot_size);
		csvw_str(&w, k->abs_returns ? "abs" : "log");
		csvw_str(&w, k->model);
		const char *const *codes = synth_codes_of(k->curve);
		csvw_str(&w, codes ? codes[1] : "");
		csvw_str(&w, codes ? codes[2] : "");
		if (codes)
			csvw_double(&w, 1);
		else
			csvw_empty(&w);
		csvw_end(&w);
	}
	return 0;
}

/* The previous as-of date of the prev kinds: the history's day before the
 * last (the weekday before the as-of date). */
static qe_date prev_asof(const synth *s)
{
	return s->days[s->ndays - 2];
}

/* The forward of curve c for month m (after the as-of month) on the
 * previous day, in whose month m0 (0 or -1) its balance falls: the
 * history's previous row at that month's tenor; the balance of the month
 * moves as the next month did (by its ratio, or its change for an
 * absolute-return curve). */
static double prev_fwd(const synth *s, int c, int m, int m0)
{
	const synth_curve *k = &synth_curves[c];
	int t = s->ndays - 2, ten = m - m0;
	if (ten >= 1 && ten < s->ntenors)
		return synth_hist_price(s, t, c, ten);
	double p1 = synth_hist_price(s, t, c, 1);
	if (m0 < 0)
		return p1;
	double f1 = synth_fwd(s, c, m0 + 1), f0 = synth_fwd(s, c, m0);
	double p = k->abs_returns ? f0 + (p1 - f1) : (f1 != 0 ? f0 * p1 / f1 : f0);
	return synth_round(p, k->tick);
}

/* Curves of the as-of date, or of the previous day (prev). */
static int write_prices_day(synth *s, FILE *fp, int prev, qe_err *e)
{
	if (prev && synth_build_history(s, e))
		return e->code;
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_PRICES);
	qe_date asof = prev ? prev_asof(s) : s->cfg.asof, mend = synth_month_end(asof);
	int m0 = prev ? (int)date_months_between(s->month0, asof) : 0;
	for (int c = 0; c < synth_ncurves; c++) {
		const synth_curve *k = &synth_curves[c];
		for (int m = asof < mend ? m0 : m0 + 1; m <= s->nmonths; m++) {
			/* m = m0: the balance of the as-of month, for swaps and
			 * Asians whose averaging has started */
			qe_date first = m == m0 ? asof + 1 : date_add_months_first(s->month0, m);
			csvw_str(&w, k->curve);
			csvw_date(&w, asof);
			csvw_date(&w, first);
			csvw_date(&w, synth_month_end(first));
			csvw_double(&w, prev ? prev_fwd(s, c, m, m0) : synth_fwd(s, c, m));
			csvw_str(&w, k->unit);
			csvw_str(&w, k->currency);
			csvw_end(&w);
		}
	}
	return 0;
}

int synth_write_prices(synth *s, FILE *fp, qe_err *e)
{
	return write_prices_day(s, fp, 0, e);
}

int synth_write_prev_prices(synth *s, FILE *fp, qe_err *e)
{
	return write_prices_day(s, fp, 1, e);
}

/* Vols of the as-of date, or of the previous day (prev): the same smile
 * on that day's forward and time to expiry. */
static int write_vols_day(synth *s, FILE *fp, int prev, qe_err *e)
{
	if (prev && synth_build_history(s, e))
		return e->code;
	static const double moneyness[] = {0.7, 0.85, 1.0, 1.15, 1.3};
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_VOLS);
	qe_date asof = prev ? prev_asof(s) : s->cfg.asof;
	int m0 = prev ? (int)date_months_between(s->month0, asof) : 0;
	for (int c = 0; c < synth_ncurves; c++) {
		const synth_curve *k = &synth_curves[c];
		for (int m = m0 + 1; m <= s->nmonths; m++) {
			qe_date first = date_add_months_first(s->month0, m), last = synth_month_end(first);
			qe_date exp = synth_option_expiry(s, c, first);
			double t = (exp - asof) / 365.0, f = prev ? prev_fwd(s, c, m, m0) : synth_fwd(s, c, m);
			double atm = synth_atm_vol(c, t > 0 ? t : 1 / 365.0, calmonth_of(first));
			/* lognormal rows, then normal rows (price units per sqrt
			 * year, ~ lognormal vol x forward): every curve has both so
			 * a per-trade model override always finds its vol */
			for (int type = 0; type < 2; type++) {
				for (int j = -1; j < 5; j++) {
					double kk = j < 0 ? f : synth_round(f * moneyness[j], k->strike_step);
					double v = synth_smile_vol(c, atm, f, kk);
					csvw_str(&w, k->curve);
					csvw_date(&w, asof);
					csvw_date(&w, first);
					csvw_date(&w, last);
					if (j < 0)
						csvw_empty(&w);
					else
						csvw_double(&w, kk);
					if (type == 0)
						csvw_double(&w, synth_round(v, 0.0001));
					else
						csvw_double(&w, synth_round(v * f, k->tick < 0.01 ? 0.0001 : 0.01));
					csvw_str(&w, type == 0 ? "lognormal" : "normal");
					csvw_end(&w);
				}
			}
		}
	}
	return 0;
}

int synth_write_vols(synth *s, FILE *fp, qe_err *e)
{
	return write_vols_day(s, fp, 0, e);
}

int synth_write_prev_vols(synth *s, FILE *fp, qe_err *e)
{
	return write_vols_day(s, fp, 1, e);
}

/* Rates of the as-of date asof: one draw per seed, whatever the day. */
static int write_rates_day(synth *s, FILE *fp, qe_date asof)
{
	static const int pillar_months[] = {1, 3, 6, 12, 24, 36, 60, 84, 120};
	static const double usd[] = {3.85, 3.80, 3.72, 3.60, 3.45, 3.45, 3.55, 3.70, 3.90};
	static const double eur[] = {1.95, 1.98, 2.02, 2.08, 2.15, 2.25, 2.45, 2.60, 2.80};
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_RATES);
	for (int ccy = 0; ccy < 2; ccy++) {
		qe_rng r;
		rng_init(&r, s->cfg.seed, synth_stream(STREAM_RATES, (uint64_t)ccy));
		double shift = 0.05 * rng_normal(&r); /* whole-curve level, in percent */
		for (int p = 0; p < 9; p++) {
			double pct = (ccy == 0 ? usd[p] : eur[p]) + shift + 0.01 * rng_normal(&r);
			csvw_str(&w, ccy == 0 ? "USD" : "EUR");
			csvw_date(&w, asof);
			csvw_date(&w, synth_add_months(asof, pillar_months[p]));
			csvw_double(&w, synth_round(pct, 0.0001) / 100);
			csvw_end(&w);
		}
	}
	return 0;
}

int synth_write_rates(synth *s, FILE *fp, qe_err *e)
{
	(void)e;
	return write_rates_day(s, fp, s->cfg.asof);
}

int synth_write_prev_rates(synth *s, FILE *fp, qe_err *e)
{
	if (synth_build_history(s, e))
		return e->code;
	return write_rates_day(s, fp, prev_asof(s));
}

/* ---- history ---------------------------------------------------------- */

static double *hist_at(const synth *s, int day, int c, int tenor)
{
	return &s->hist[((size_t)day * (size_t)synth_ncurves + (size_t)c) * (size_t)s->ntenors + (size_t)tenor];
}

double synth_hist_price(const synth *s, int day, int c, int tenor)
{
	return *hist_at(s, day, c, tenor);
}

int synth_build_history(synth *s, qe_err *e)
{
	if (s->hist_ready)
		return 0;
	const int nc = synth_ncurves, n = s->cfg.history_days;
	/* weekdays ending at the as-of date (or the weekday before it) */
	s->ntenors = (s->nmonths > SYNTH_MIN_TENOR ? s->nmonths : SYNTH_MIN_TENOR) + 1;
	s->days = malloc(sizeof(qe_date) * (size_t)n);
	s->hist = malloc(sizeof(double) * (size_t)n * (size_t)nc * (size_t)s->ntenors);
	s->front = calloc((size_t)n * (size_t)nc, 1);
	if (!s->days || !s->hist || !s->front)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	qe_date d = s->cfg.asof;
	for (int i = n - 1; i >= 0; i--) {
		while (date_weekday(d) > 5)
			d--;
		s->days[i] = d--;
	}
	s->ndays = n;

	/* Cholesky factor of the curve correlation */
	double L[SYNTH_NCURVES * SYNTH_NCURVES];
	memcpy(L, curve_corr, sizeof L);
	if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', nc, L, nc) != 0)
		return qe_err_set(e, QE_INTERNAL, "curve correlation matrix is not positive definite");
	for (int i = 0; i < nc; i++)
		for (int j = i + 1; j < nc; j++)
			L[i * nc + j] = 0;

	/* Deviation Y per curve and delivery month (relative to the as-of
	 * month) from mlo to mhi. */
	const int mlo = (int)date_months_between(s->month0, s->days[0]);
	const int mhi = s->ntenors - 1;
	const int nm = mhi - mlo + 1;
	double *Y = calloc((size_t)nc * (size_t)nm, sizeof(double));
	double *front = malloc(sizeof(double) * (size_t)n * (size_t)nc);
	if (!Y || !front) {
		free(Y);
		free(front);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	/* Start from the as-of curve: Y such that base (+|x) exp(Y) = fwd. */
	for (int c = 0; c < nc; c++)
		for (int m = mlo; m <= mhi; m++) {
			double b = base_level(s, c, m), y = 0;
			if (m >= 0 && m <= s->nmonths) {
				double f = synth_fwd(s, c, m);
				y = synth_curves[c].abs_returns ? f - b : log(f / b);
			}
			Y[c * nm + (m - mlo)] = y;
		}
	const double phi = exp(-log(2.0) / fwd_half_life);
	qe_rng r;
	rng_init(&r, s->cfg.seed, synth_stream(STREAM_HISTORY, 0));
	for (int t = n - 1; t >= 0; t--) {
		int mt = (int)date_months_between(s->month0, s->days[t]);
		for (int c = 0; c < nc; c++) {
			const synth_curve *k = &synth_curves[c];
			for (int ten = 0; ten < s->ntenors; ten++) {
				int m = mt + ten;
				double b = base_level(s, c, m), y = Y[c * nm + (m - mlo)];
				double p = k->abs_returns ? b + y : b * exp(y);
				*hist_at(s, t, c, ten) = synth_round(p, k->tick);
			}
			front[t * nc + c] = *hist_at(s, t, c, 0);
		}
		/* The shock that led from day t-1 to day t, undone backwards:
		 * Y(t-1) = phi Y(t) - shock(t). */
		double xi[SYNTH_NCURVES], z[SYNTH_NCURVES];
		for (int c = 0; c < nc; c++)
			xi[c] = rng_normal(&r);
		for (int c = 0; c < nc; c++) {
			z[c] = 0;
			for (int j = 0; j <= c; j++)
				z[c] += L[c * nc + j] * xi[j];
		}
		double w = sqrt((day_nu - 2.0) / (2.0 * rng_gamma(&r, day_nu / 2.0)));
		for (int c = 0; c < nc; c++) {
			const synth_curve *k = &synth_curves[c];
			double eps = 0;
			for (int m = mlo; m <= mhi; m++) {
				/* the curve-specific part is smooth across delivery
				 * months (AR(1) in the month), so neighbours move
				 * together more than distant months */
				eps = m == mlo ? rng_normal(&r)
					       : month_corr * eps + sqrt(1 - month_corr * month_corr) * rng_normal(&r);
				int ten = m - mt;
				double sd = tenor_vol(c, ten) / sqrt(252.0);
				if (k->abs_returns)
					sd *= base_level(s, c, m);
				double shock = w * sd * (sqrt(tenor_corr) * z[c] + sqrt(1 - tenor_corr) * eps);
				double *y = &Y[c * nm + (m - mlo)];
				*y = phi * *y - shock;
			}
		}
	}
	free(Y);

	/* Tenor 0 of a curve with a futures-settlement index (NG, WTI, Brent,
	 * heating oil): the front-month contract of each day by the product's
	 * expiry rule (the curve master's map and time/contract's rule, as
	 * the pricer and qe-formats(5) HISTORY have it), which is the month
	 * tenor j of that day for the j the rule gives. */
	int rc = 0;
	for (int c = 0; c < nc && !rc; c++) {
		const char *prod;
		if (!curvemaster_name_fixes_front(synth_curves[c].curve, &prod))
			continue;
		for (int t = 0; t < n && !rc; t++) {
			qe_date mf;
			if ((rc = contract_front_month(prod, s->cal[c], s->days[t], &mf, e))) {
				char where[80], day[16];
				date_format(day, s->days[t]);
				snprintf(where, sizeof where, "%s: front month on %s", synth_curves[c].curve, day);
				qe_err_prefix(e, where);
				break;
			}
			long j = date_months_between(date_add_months_first(s->days[t], 0), mf);
			if (j < 1 || j >= s->ntenors || j > SCHAR_MAX) {
				rc = qe_err_set(e, QE_INTERNAL, "%s: front month %ld months ahead", synth_curves[c].curve, j);
				break;
			}
			*hist_at(s, t, c, 0) = *hist_at(s, t, c, (int)j);
			s->front[t * nc + c] = (signed char)j;
		}
	}
	if (rc) {
		free(front);
		return rc;
	}
	/* Spot / day-ahead (tenor 0) of the other curves, forward in time:
	 * the as-of-month forward plus a fast mean-reverting deviation with
	 * spikes; power has negative days, twice as likely in the solar
	 * half-year. */
	for (int c = 0; c < nc; c++) {
		const synth_curve *k = &synth_curves[c];
		if (curvemaster_name_fixes_front(k->curve, NULL))
			continue;
		qe_rng rs;
		rng_init(&rs, s->cfg.seed, synth_stream(STREAM_SPOT, (uint64_t)c));
		double dev = 0;
		for (int t = 0; t < n; t++) {
			double f = front[t * nc + c];
			int cm = calmonth_of(s->days[t]);
			double spike_p = k->spike_prob * ((cm >= 12 || cm <= 2) && strcmp(k->commodity, "gas") == 0 ? 3 : 1);
			dev = k->spot_phi * dev + k->spot_sd * rng_normal(&rs);
			double u = rng_uniform(&rs), size = rng_uniform(&rs), neg = rng_uniform(&rs);
			if (u < spike_p)
				dev += k->spike_lo + (k->spike_hi - k->spike_lo) * size;
			double p = k->abs_returns ? f + dev * k->level : f * exp(dev);
			double neg_p = k->neg_prob * (cm >= 4 && cm <= 9 ? 2 : 1);
			if (k->abs_returns && neg < neg_p)
				p = -(1 + 59 * size);
			*hist_at(s, t, c, 0) = synth_round(p, k->tick);
		}
	}
	free(front);
	s->hist_ready = 1;
	return 0;
}

int synth_write_history(synth *s, FILE *fp, qe_err *e)
{
	if (synth_build_history(s, e))
		return e->code;
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_HISTORY);
	for (int t = 0; t < s->ndays; t++)
		for (int c = 0; c < synth_ncurves; c++) {
			if (!cal_is_business_day(s->cal[c], s->days[t]))
				continue;
			for (int ten = 0; ten < s->ntenors; ten++) {
				/* the contract: tenor k >= 1 delivers k months after
				 * the day's month; tenor 0 is the front month, or no
				 * contract for a spot index */
				int k = ten ? ten : s->front[t * synth_ncurves + c];
				csvw_date(&w, s->days[t]);
				csvw_str(&w, synth_curves[c].curve);
				csvw_int(&w, ten);
				if (k) {
					int y, mo;
					char month[16];
					date_month_ym(date_month_index(s->days[t]) + k, &y, &mo);
					snprintf(month, sizeof month, "%04d-%02d", y, mo);
					csvw_str(&w, month);
				} else {
					csvw_empty(&w);
				}
				csvw_double(&w, *hist_at(s, t, c, ten));
				csvw_end(&w);
			}
		}
	return 0;
}

/* Fixings up to the as-of date, or to the previous day (prev). */
static int write_fixings_day(synth *s, FILE *fp, int prev, qe_err *e)
{
	if (synth_build_history(s, e))
		return e->code;
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_FIXINGS);
	/* from the first day of the month three months before the as-of
	 * month, so every averaging period that has started is covered */
	qe_date upto = prev ? prev_asof(s) : s->cfg.asof;
	qe_date from = date_add_months_first(s->cfg.asof, -3);
	for (int c = 0; c < synth_ncurves; c++)
		for (int t = 0; t < s->ndays; t++) {
			if (s->days[t] < from || s->days[t] > upto || !cal_is_business_day(s->cal[c], s->days[t]))
				continue;
			csvw_str(&w, synth_curves[c].curve);
			csvw_date(&w, s->days[t]);
			csvw_double(&w, *hist_at(s, t, c, 0));
			csvw_end(&w);
		}
	return 0;
}

int synth_write_fixings(synth *s, FILE *fp, qe_err *e)
{
	return write_fixings_day(s, fp, 0, e);
}

int synth_write_prev_fixings(synth *s, FILE *fp, qe_err *e)
{
	return write_fixings_day(s, fp, 1, e);
}

/* ---- ATM volatility history ------------------------------------------- */

/* The price move of curve c at tenor ten from day t-1 to day t: a log
 * return, or a change for an absolute-return curve. */
static double price_move(const synth *s, int c, int ten, int t)
{
	/* the same contract the day before: across a month end the contract
	 * of tenor ten was that of tenor ten + 1 (tenor 0, the index, stays) */
	int ten0 = ten + (ten > 0 ? (int)(date_month_index(s->days[t]) - date_month_index(s->days[t - 1])) : 0);
	if (ten0 >= s->ntenors)
		ten0 = ten;
	double p1 = *hist_at(s, t, c, ten), p0 = *hist_at(s, t - 1, c, ten0);
	if (synth_curves[c].abs_returns)
		return p1 - p0;
	return p0 > 0 && p1 > 0 ? log(p1 / p0) : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The typical daily move of a tenor: 1.4826 x the median absolute move
 * (a robust standard deviation, so that the spikes stand out of it). */
static int move_mad(const synth *s, int c, int ten, double *scale)
{
	int n = s->ndays;
	double *m = malloc(sizeof(double) * (size_t)n);
	if (!m)
		return -1;
	for (int t = 1; t < n; t++)
		m[t - 1] = fabs(price_move(s, c, ten, t));
	qsort(m, (size_t)(n - 1), sizeof *m, cmp_double);
	*scale = 1.4826 * m[(n - 1) / 2];
	if (!(*scale > 0))
		*scale = 1;
	free(m);
	return 0;
}

int synth_write_vol_history(synth *s, FILE *fp, qe_err *e)
{
	const double phi = exp(-log(2.0) / 20.0), sd_vol = 0.03, common = 0.7;
	const int n = s->cfg.history_days, nc = synth_ncurves;
	if (synth_build_history(s, e))
		return e->code;
	/* the price history's tenors (as far as the book trades) */
	const int NT = s->ntenors;
	/* each contract month has its own vol shock, so that a contract's
	 * vol moves smoothly across a month end as its price does (the
	 * contract of tenor k becomes that of tenor k - 1): one state per
	 * contract month from the first day's month to the last's + NT */
	const long m0 = date_month_index(s->days[0]);
	const int NM = (int)(date_month_index(s->days[n - 1]) - m0) + NT + 1;
	double *vol = malloc(sizeof(double) * (size_t)n * (size_t)nc * (size_t)NT);
	double *x = malloc(sizeof(double) * (size_t)NM), *move_scale = malloc(sizeof(double) * (size_t)NT);
	unsigned char *seen = malloc((size_t)NM);
	if (!vol || !x || !move_scale || !seen) {
		free(vol);
		free(x);
		free(move_scale);
		free(seen);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	for (int c = 0; c < nc; c++) {
		const synth_curve *k = &synth_curves[c];
		int normal = strcmp(k->model, "bachelier") == 0;
		memset(seen, 0, (size_t)NM);
		for (int ten = 0; ten < NT; ten++) {
			if (move_mad(s, c, ten, &move_scale[ten])) {
				free(vol);
				free(x);
				free(move_scale);
				free(seen);
				return qe_err_set(e, QE_INTERNAL, "out of memory");
			}
		}
		qe_rng r;
		rng_init(&r, s->cfg.seed, synth_stream(STREAM_VOLHIST, (uint64_t)c));
		for (int t = 0; t < n; t++) {
			double zc = rng_normal(&r);
			long mt = date_month_index(s->days[t]);
			for (int ten = 0; ten < NT; ten++) {
				double z = sqrt(common) * zc + sqrt(1 - common) * rng_normal(&r), jump = 0;
				if (t > 0) {
					double mv = price_move(s, c, ten, t) / move_scale[ten];
					if (fabs(mv) > 2.5)
						jump = fmin(0.1 * (fabs(mv) - 2.5), 0.5);
				}
				/* tenor 0 (the balance of the month) borrows the
				 * front month's contract, as qe-price's vols do */
				int cm = (int)(mt - m0) + (ten < 1 ? 1 : ten);
				if (ten == 0) {
					/* its own draw, not a second step of the front's */
				} else if (!seen[cm]) {
					x[cm] = sd_vol / sqrt(1 - phi * phi) * z;
					seen[cm] = 1;
				} else {
					x[cm] = phi * x[cm] + sd_vol * z + jump;
				}
				qe_date first = date_add_months_first(s->days[t], ten < 1 ? 1 : ten);
				/* time to delivery in days: the Samuelson decay is
				 * continuous, not a step at each month end */
				double years = (double)(first - s->days[t]) / 365.25;
				if (years < 1 / 24.0)
					years = 1 / 24.0;
				double xs = seen[cm] ? x[cm] : 0;
				double v = synth_atm_vol(c, years, calmonth_of(first)) * exp(xs);
				/* a normal vol: the lognormal one times that contract's
				 * price that day */
				if (normal)
					v *= fabs(*hist_at(s, t, c, ten < 1 ? 1 : ten));
				vol[((size_t)t * (size_t)nc + (size_t)c) * (size_t)NT + (size_t)ten] = v;
			}
		}
	}
	free(seen);
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_VOL_HISTORY);
	for (int t = 0; t < n; t++)
		for (int c = 0; c < nc; c++) {
			const synth_curve *k = &synth_curves[c];
			int normal = strcmp(k->model, "bachelier") == 0;
			if (!cal_is_business_day(s->cal[c], s->days[t]))
				continue;
			for (int ten = 0; ten < NT; ten++) {
				double v = vol[((size_t)t * (size_t)nc + (size_t)c) * (size_t)NT + (size_t)ten];
				/* the contract month of the tenor, as in the price
				 * history (tenor 0: the day's own month) */
				int y, mo;
				char month[16];
				date_month_ym(date_month_index(s->days[t]) + ten, &y, &mo);
				snprintf(month, sizeof month, "%04d-%02d", y, mo);
				csvw_date(&w, s->days[t]);
				csvw_str(&w, k->curve);
				csvw_str(&w, month);
				csvw_double(&w, synth_round(v, normal && k->tick >= 0.01 ? 0.01 : 0.0001));
				csvw_str(&w, normal ? "normal" : "lognormal");
				csvw_end(&w);
			}
		}
	free(vol);
	free(x);
	free(move_scale);
	return 0;
}

/* The FX history: EUR per USD (qe-formats(5) "FX HISTORY"), the one
 * currency other than USD the curves use.  A random walk of daily log
 * returns with sd 0.5% (EUR/USD's usual daily move), run backwards from
 * the as-of date so that its last rate is data/fx.csv's EUR 1.05 USD per
 * EUR inverted; written on every day some curve trades (the dates of the
 * history file). */
#define SYNTH_USD_PER_EUR 1.05
#define SYNTH_FX_DAILY_SD 0.005

/* The log of EUR per USD on each day of the history, ending at the
 * bundled rate: ndays entries, the caller's to free; NULL with e set. */
static double *fx_log_rates(synth *s, qe_err *e)
{
	if (synth_build_history(s, e))
		return NULL;
	double *logr = malloc((size_t)s->ndays * sizeof *logr);
	if (!logr)
		return qe_err_set(e, QE_INTERNAL, "out of memory"), NULL;
	qe_rng r;
	rng_init(&r, s->cfg.seed, synth_stream(STREAM_FX, 0));
	logr[s->ndays - 1] = -log(SYNTH_USD_PER_EUR);
	for (int t = s->ndays - 1; t > 0; t--)
		logr[t - 1] = logr[t] - SYNTH_FX_DAILY_SD * rng_normal(&r);
	return logr;
}

int synth_write_fx_history(synth *s, FILE *fp, qe_err *e)
{
	double *logr = fx_log_rates(s, e);
	if (!logr)
		return e->code;
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_FX_HISTORY);
	for (int t = 0; t < s->ndays; t++) {
		int open = 0;
		for (int c = 0; c < synth_ncurves && !open; c++)
			open = cal_is_business_day(s->cal[c], s->days[t]);
		if (!open)
			continue;
		csvw_date(&w, s->days[t]);
		csvw_str(&w, "EUR");
		csvw_double(&w, synth_round(exp(logr[t]), 1e-6));
		csvw_end(&w);
	}
	free(logr);
	return 0;
}

/* FX RATES of the previous day (USD per unit): the fx history's rate of
 * that day (the as-of day's is the bundled fx.csv's 1.05). */
int synth_write_prev_fx(synth *s, FILE *fp, qe_err *e)
{
	double *logr = fx_log_rates(s, e);
	if (!logr)
		return e->code;
	double eur_per_usd = synth_round(exp(logr[s->ndays - 2]), 1e-6);
	free(logr);
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_FX_RATES);
	csvw_str(&w, "USD");
	csvw_double(&w, 1);
	csvw_end(&w);
	csvw_str(&w, "EUR");
	csvw_double(&w, synth_round(1 / eur_per_usd, 1e-6));
	csvw_end(&w);
	return 0;
}
