/* Unit tests for lib/forecast: the GARCH likelihood on a series small
 * enough to work by hand, the variance forecast recursion, a fit that
 * recovers the parameters of a long simulated series, and the series
 * checks; the sentiment rule (negation, intensifiers, subjects, the
 * normalization) on headlines worked by hand; Holt-Winters' recursions and
 * forecast worked by hand, its model checks and a fit that recovers a
 * noiseless seasonal series.  tests/forecast.bats compares fits with scipy
 * and statsmodels and the sentiment with a python implementation. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/rng.h"
#include "forecast/garch.h"
#include "forecast/hw.h"
#include "forecast/ols.h"
#include "forecast/series.h"
#include "forecast/sentiment.h"
#include "unit.h"

static void test_loglik_by_hand(void)
{
	/* r = (0.1, -0.2, 0.3): h1 = (0.01 + 0.04 + 0.09)/3 = 0.14/3;
	 * h2 = w + a 0.01 + b h1; h3 = w + (a + g) 0.04 + b h2 */
	double r[] = {0.1, -0.2, 0.3}, h[4];
	garch_fit f = {.model = GARCH_GJR, .dist = GARCH_NORMAL, .omega = 0.01, .alpha = 0.1, .beta = 0.8,
		       .gamma = 0.05};
	double h1 = 0.14 / 3, h2 = 0.01 + 0.1 * 0.01 + 0.8 * h1, h3 = 0.01 + 0.15 * 0.04 + 0.8 * h2;
	double h4 = 0.01 + 0.1 * 0.09 + 0.8 * h3;
	double want = 0;
	double hs[] = {h1, h2, h3};
	for (int t = 0; t < 3; t++)
		want += -0.5 * (log(2 * M_PI) + log(hs[t]) + r[t] * r[t] / hs[t]);
	UT_NEAR(garch_loglik(&f, r, 3, h), want, 1e-14, "GJR normal log-likelihood, constants included");
	UT_NEAR(h[0], h1, 1e-15, "h1 is the mean square");
	UT_NEAR(h[2], h3, 1e-15, "gamma acts after a negative return");
	UT_NEAR(h[3], h4, 1e-15, "h_{n+1}");
	f.dist = GARCH_T;
	f.nu = 5;
	want = 0;
	for (int t = 0; t < 3; t++)
		want += lgamma(3) - lgamma(2.5) - 0.5 * log(M_PI * 3 * hs[t]) -
			3 * log(1 + r[t] * r[t] / (3 * hs[t]));
	UT_NEAR(garch_loglik(&f, r, 3, NULL), want, 1e-14, "Student-t (unit variance) log-likelihood");
	f.model = GARCH_PLAIN;
	f.dist = GARCH_NORMAL;
	f.gamma = 0.3; /* ignored by plain GARCH */
	double h3p = 0.01 + 0.1 * 0.04 + 0.8 * h2;
	garch_loglik(&f, r, 3, h);
	UT_NEAR(h[2], h3p, 1e-15, "plain GARCH ignores gamma");
}

static void test_forecast_path(void)
{
	garch_fit f = {.omega = 0.02, .alpha = 0.1, .beta = 0.8, .gamma = 0.1, .model = GARCH_GJR};
	double v[3];
	f.persistence = 0.95;
	f.h_next = 2;
	garch_forecast(&f, 3, v);
	UT_NEAR(v[0], 2, 0, "day 1 is h_{n+1}");
	UT_NEAR(v[1], 0.02 + 0.95 * 2, 1e-15, "day 2: omega + persistence h");
	UT_NEAR(v[2], 0.02 + 0.95 * (0.02 + 0.95 * 2), 1e-15, "day 3");
}

/* A GARCH(1,1) path of 20000 normal returns recovers its parameters to a
 * few standard errors. */
static void test_fit_recovers(void)
{
	enum { N = 20000 };
	static double r[N];
	qe_rng g;
	double h = 1e-4 / (1 - 0.1 - 0.85);
	rng_init(&g, 42, 0);
	for (int t = 0; t < N; t++) {
		r[t] = sqrt(h) * rng_normal(&g);
		h = 1e-4 + 0.1 * r[t] * r[t] + 0.85 * h;
	}
	garch_fit f = {.model = GARCH_PLAIN, .dist = GARCH_NORMAL};
	qe_err e;
	UT_EQ_INT(garch_estimate(&f, r, N, &e), 0, "fit converges");
	UT_NEAR(f.alpha, 0.1, 0.02, "alpha recovered");
	UT_NEAR(f.beta, 0.85, 0.03, "beta recovered");
	UT_NEAR(f.persistence, f.alpha + f.beta, 1e-15, "persistence alpha + beta");
	UT_NEAR(f.half_life, log(0.5) / log(f.persistence), 1e-12, "half-life");
	UT_NEAR(f.loglik, garch_loglik(&f, r, N, NULL), 1e-12, "loglik is the likelihood of the parameters");
	garch_fit worse = f;
	worse.alpha += 0.01;
	UT_CHECK(garch_loglik(&worse, r, N, NULL) < f.loglik, "a nearby point is worse");
}

static void test_bad_series(void)
{
	double r[40];
	garch_fit f = {0};
	qe_err e;
	for (int t = 0; t < 40; t++)
		r[t] = 0;
	UT_EQ_INT(garch_estimate(&f, r, 40, &e), QE_DATA, "all-zero returns are bad data");
	UT_EQ_INT(garch_estimate(&f, r, 10, &e), QE_DATA, "too few returns");
	UT_CHECK(strstr(e.msg, "at least 30") != NULL, "the message says how many are needed");
	r[3] = NAN;
	UT_EQ_INT(garch_estimate(&f, r, 40, &e), QE_DATA, "a NaN return is bad data");
	double v[3] = {1, 1, 1};
	long line[3] = {2, 3, 4};
	fseries s = {.n = 3, .value = v, .line = line};
	snprintf(s.name, sizeof s.name, "x.csv");
	UT_EQ_INT(fseries_check(&s, 2, "a GARCH fit", &e), QE_DATA, "constant series");
	UT_EQ_STR(e.msg, "x.csv:4: every value from line 2 on is 1: a GARCH fit cannot fit a constant series",
		  "constant series names the file and line");
	v[1] = 2;
	UT_EQ_INT(fseries_check(&s, 2, "a GARCH fit", &e), 0, "varying series ok");
	UT_EQ_INT(fseries_check(&s, 4, "a GARCH fit", &e), QE_DATA, "too short for the model");
}

/* x = 0..3, y = 1 3 4 8: slope Sxy/Sxx = 11/5, intercept 4 - 2.2 * 1.5;
 * residuals 0.3 0.1 -1.1 0.7, SSR 1.8, s^2 0.9, SST 26. */
static void test_ols_by_hand(void)
{
	double x[] = {0, 1, 2, 3}, y[] = {1, 3, 4, 8};
	char name[] = "x", *names[] = {name};
	ols_data d = {.n = 4, .nx = 1, .y = y, .x = x, .names = names};
	ols_result r;
	qe_err e;
	UT_EQ_INT(ols_fit(&d, -1, &r, &e), 0, "OLS fits");
	UT_NEAR(r.coef[0], 0.7, 1e-14, "intercept");
	UT_NEAR(r.coef[1], 2.2, 1e-14, "slope");
	UT_NEAR(r.se[1], sqrt(0.9 / 5), 1e-14, "slope standard error s^2 / Sxx");
	UT_NEAR(r.se[0], sqrt(0.9 * (0.25 + 1.5 * 1.5 / 5)), 1e-14, "intercept standard error");
	UT_NEAR(r.r2, 1 - 1.8 / 26, 1e-14, "R2");
	UT_NEAR(r.adj_r2, 1 - (1.8 / 26) * 3 / 2, 1e-14, "adjusted R2");
	UT_NEAR(r.f, (26 - 1.8) / 0.9, 1e-12, "F is the squared t of the one slope");
	UT_NEAR(r.f, r.t[1] * r.t[1], 1e-12, "F = t^2");
	UT_NEAR(r.sigma, sqrt(0.9), 1e-14, "sigma");
	ols_result_free(&r);
	/* White (HAC, 0 lags): sum of x_i^2 e_i^2 sandwich; slope
	 * variance sum (x_i - xbar)^2 e_i^2 / Sxx^2 */
	UT_EQ_INT(ols_fit(&d, 0, &r, &e), 0, "HAC 0 fits");
	double w = (2.25 * 0.09 + 0.25 * 0.01 + 0.25 * 1.21 + 2.25 * 0.49) / 25;
	UT_NEAR(r.se[1], sqrt(w), 1e-14, "White standard error of the slope");
	ols_result_free(&r);
	double xx[] = {0, 0, 1, 2, 2, 4, 3, 6}; /* the second column twice the first */
	char n2[] = "x2", *names2[] = {name, n2};
	ols_data d2 = {.n = 4, .nx = 2, .y = y, .x = xx, .names = names2};
	UT_EQ_INT(ols_fit(&d2, -1, &r, &e), QE_NUMERIC, "collinear regressors");
	UT_CHECK(strstr(e.msg, "'x2' is collinear") != NULL, "the message names the collinear one");
	d.n = 2;
	UT_EQ_INT(ols_fit(&d, -1, &r, &e), QE_DATA, "as many observations as coefficients");
}

/* The score of text under lx with the default parameters. */
static double score_of(const sent_lexicon *lx, const char *text, sent_result *r)
{
	sent_params p;
	qe_err e;
	sent_params_default(&p);
	if (sent_score(lx, &p, text, strlen(text), r, &e))
		return NAN;
	return r->score;
}

static void test_sentiment_rule(void)
{
	qe_err e;
	sent_result r;
	sent_lexicon *lx = sent_lexicon_new();
	UT_CHECK(lx != NULL, "lexicon");
	UT_EQ_INT(sent_lexicon_add(lx, "outage", SENT_POLAR, 1, &e), 0, "polar term");
	UT_EQ_INT(sent_lexicon_add(lx, "Mild weather", SENT_POLAR, -1, &e), 0, "two-word polar term");
	UT_EQ_INT(sent_lexicon_add(lx, "rises", SENT_UP, 1, &e), 0, "up");
	UT_EQ_INT(sent_lexicon_add(lx, "falls", SENT_DOWN, 1, &e), 0, "down");
	UT_EQ_INT(sent_lexicon_add(lx, "output", SENT_SUPPLY, 0, &e), 0, "supply");
	UT_EQ_INT(sent_lexicon_add(lx, "demand", SENT_DEMAND, 0, &e), 0, "demand");
	UT_EQ_INT(sent_lexicon_add(lx, "not", SENT_NEGATOR, 0, &e), 0, "negator");
	UT_EQ_INT(sent_lexicon_add(lx, "fails to", SENT_NEGATOR, 0, &e), 0, "two-word negator");
	UT_EQ_INT(sent_lexicon_add(lx, "sharply", SENT_INTENSIFIER, 1.5, &e), 0, "intensifier");
	UT_EQ_INT(sent_lexicon_add(lx, "record", SENT_INTENSIFIER, 2, &e), 0, "intensifier 2");
	UT_EQ_INT(sent_lexicon_add_keyword(lx, "gas", "gas", &e), 0, "keyword");
	UT_EQ_INT(sent_lexicon_add_keyword(lx, "natural gas", "gas", &e), 0, "two-word keyword");
	UT_EQ_INT(sent_lexicon_add_keyword(lx, "power", "power", &e), 0, "keyword 2");
	UT_EQ_INT(sent_lexicon_add(lx, "OUTAGE", SENT_POLAR, 1, &e), QE_DATA, "a term twice (any case)");
	UT_EQ_INT(sent_lexicon_add(lx, "a b c d e", SENT_POLAR, 1, &e), QE_DATA, "five words");
	UT_EQ_INT(sent_lexicon_add(lx, "--", SENT_POLAR, 1, &e), QE_DATA, "no word");
	UT_EQ_INT(sent_lexicon_add(lx, "jumps", SENT_UP, -1, &e), QE_DATA, "a direction's weight is > 0");
	UT_EQ_INT(sent_lexicon_add_keyword(lx, "gas", "power", &e), QE_DATA, "a keyword of two commodities");

	const double one = 1 / sqrt(5.0); /* S = 1, alpha 4 */
	UT_NEAR(score_of(lx, "Outage at gas plant", &r), one, 1e-15, "one polar term: 1/sqrt(5)");
	UT_EQ_INT(r.label, SENT_POSITIVE, "positive above 0.1");
	UT_EQ_INT((int)r.commodities, 1, "tagged gas");
	UT_NEAR(score_of(lx, "Mild weather; no outage news", &r), 0, 0, "two terms cancel");
	UT_EQ_INT(r.label, SENT_NEUTRAL, "zero is neutral");
	/* negation: a negator flips the terms starting < 3 words after it */
	UT_NEAR(score_of(lx, "Outage not expected", &r), one, 1e-15, "a negator after the term does nothing");
	UT_NEAR(score_of(lx, "Not an outage", &r), -one, 1e-15, "negator 1 word before: flipped");
	UT_NEAR(score_of(lx, "Not a big outage", &r), -one, 1e-15, "negator 2 words before: flipped");
	UT_NEAR(score_of(lx, "Not a big new outage", &r), one, 1e-15, "3 words before: outside the window");
	UT_NEAR(score_of(lx, "Repair fails to end outage", &r), -one, 1e-15, "a two-word negator");
	UT_NEAR(score_of(lx, "Not not outage", &r), one, 1e-15, "two negators cancel");
	/* intensifiers multiply terms within the window on either side */
	double s15 = 1.5 / sqrt(1.5 * 1.5 + 4);
	UT_NEAR(score_of(lx, "Outage sharply", &r), s15, 1e-15, "intensifier after");
	UT_NEAR(score_of(lx, "Sharply higher outage", &r), s15, 1e-15, "intensifier 1 word before");
	UT_NEAR(score_of(lx, "Record outage, sharply", &r), 3 / sqrt(9 + 4.0), 1e-15, "two intensifiers multiply");
	UT_NEAR(score_of(lx, "Sharply a b c outage", &r), one, 1e-15, "3 words away: outside the window");
	UT_NEAR(score_of(lx, "Not a sharply outage", &r), -s15, 1e-15, "negated and intensified");
	/* directions take their sign from the nearest subject */
	UT_NEAR(score_of(lx, "Prices rises", &r), one, 1e-15, "no subject: the price, up");
	UT_NEAR(score_of(lx, "Output falls", &r), one, 1e-15, "supply down: bullish");
	UT_NEAR(score_of(lx, "Output rises sharply", &r), -s15, 1e-15, "supply up, intensified: bearish");
	UT_NEAR(score_of(lx, "Demand falls", &r), -one, 1e-15, "demand down: bearish");
	UT_NEAR(score_of(lx, "Demand for natural gas falls", &r), -one, 1e-15, "demand 2 words before");
	UT_EQ_INT((int)r.commodities, 1, "natural gas is gas (longest keyword and the word gas)");
	UT_NEAR(score_of(lx, "Output falls as demand rises", &r), 2 / sqrt(8.0), 1e-15,
		"each direction takes its nearest subject");
	UT_NEAR(score_of(lx, "Output does not fall, it falls", &r), one, 1e-15, "fall is not a term: falls is");
	UT_NEAR(score_of(lx, "Gas and power outage", &r), one, 1e-15, "score");
	UT_EQ_INT((int)r.commodities, 3, "two commodities");
	/* a threshold of 0.5 makes one plain term neutral */
	sent_params p;
	sent_params_default(&p);
	p.threshold = 0.5;
	UT_EQ_INT(sent_score(lx, &p, "Outage", 6, &r, &e), 0, "scored");
	UT_EQ_INT(r.label, SENT_NEUTRAL, "0.447 is neutral at threshold 0.5");
	p.window = 5;
	UT_EQ_INT(sent_score(lx, &p, "Not a big new outage", 20, &r, &e), 0, "scored");
	UT_NEAR(r.score, -one, 1e-15, "a window of 5 reaches 3 words");
	sent_lexicon_free(lx);
}

/* m = 2, additive, trend: two steps by hand, then the forecast. */
static void test_hw_by_hand(void)
{
	hw_model m = {HW_TREND_ADD, 0, HW_SEASONAL_ADD, 1, {2, 0}};
	hw_params p = {0.5, 0.2, 0.3, 0, 1};
	double s0[2] = {1, -1}, y[2] = {12, 9}, fit[2], fc[3];
	hw_states init = {10, 0.5, {s0, NULL}}, last;
	qe_err e;
	UT_EQ_INT(hw_states_alloc(&last, &m, &e), 0, "states allocate");
	/* t=0: yhat = 10 + 0.5 + 1 = 11.5; l = .5(12-1) + .5(10.5) = 10.75;
	 * b = .2(0.75) + .8(.5) = .55; s = .3(12-10.5) + .7(1) = 1.15
	 * t=1: yhat = 10.75 + .55 - 1 = 10.3; l = .5(9+1) + .5(11.3) = 10.65;
	 * b = .2(-.1) + .8(.55) = .42; s = .3(9-11.3) + .7(-1) = -1.39 */
	double sse = hw_filter(&m, &p, &init, y, 2, fit, &last);
	UT_NEAR(fit[0], 11.5, 1e-14, "first one-step prediction");
	UT_NEAR(fit[1], 10.3, 1e-14, "second one-step prediction");
	UT_NEAR(sse, 0.25 + 1.3 * 1.3, 1e-13, "sse");
	UT_NEAR(last.level, 10.65, 1e-14, "last level");
	UT_NEAR(last.trend, 0.42, 1e-14, "last trend");
	UT_NEAR(last.season[0][0], 1.15, 1e-14, "next step's seasonal");
	UT_NEAR(last.season[0][1], -1.39, 1e-14, "the one after");
	hw_forecast(&m, &p, &last, 3, fc);
	UT_NEAR(fc[0], 10.65 + 0.42 + 1.15, 1e-13, "forecast 1");
	UT_NEAR(fc[1], 10.65 + 0.84 - 1.39, 1e-13, "forecast 2");
	UT_NEAR(fc[2], 10.65 + 1.26 + 1.15, 1e-13, "forecast 3 wraps to the latest seasonal");
	m.damped = 1;
	p.phi = 0.5;
	hw_forecast(&m, &p, &last, 2, fc);
	UT_NEAR(fc[1], 10.65 + 0.75 * 0.42 - 1.39, 1e-13, "damped: (phi + phi^2) b");
	hw_states_free(&last);
}

static void test_hw_model(void)
{
	hw_model m = {HW_TREND_NONE, 1, HW_SEASONAL_ADD, 1, {24, 0}};
	qe_err e;
	UT_EQ_INT(hw_model_check(&m, &e), QE_USAGE, "damped without a trend");
	m.damped = 0;
	UT_EQ_INT(hw_model_check(&m, &e), 0, "add, no trend");
	UT_EQ_INT((int)hw_min_obs(&m), 48, "two cycles");
	UT_EQ_INT(hw_aic_k(&m), 24 + 2, "k: seasonals, level, alpha");
	m.trend = HW_TREND_ADD;
	m.damped = 1;
	UT_EQ_INT(hw_aic_k(&m), 24 + 2 + 2 + 1, "k: and trend, beta, phi");
	m.nperiods = 2;
	m.period[1] = 168;
	m.seasonal = HW_SEASONAL_MUL;
	UT_EQ_INT(hw_model_check(&m, &e), QE_USAGE, "Taylor is additive only");
	m.seasonal = HW_SEASONAL_ADD;
	UT_EQ_INT(hw_model_check(&m, &e), 0, "24,168");
	UT_EQ_INT((int)hw_min_obs(&m), 336, "two weeks");
	m.period[1] = 12;
	UT_EQ_INT(hw_model_check(&m, &e), QE_USAGE, "periods must increase");
	m.nperiods = 1;
	m.period[0] = 2;
	UT_EQ_INT((int)hw_min_obs(&m), 12, "10 + 2 floor(m/2) for the heuristic");
}

/* A noiseless additive seasonal series with a level shift is fitted to
 * an SSE far below the series' own variation. */
static void test_hw_fit(void)
{
	enum { N = 24 * 20 };
	static double y[N];
	hw_model m = {HW_TREND_NONE, 0, HW_SEASONAL_ADD, 1, {24, 0}};
	hw_params p = {0, 0, 0, 0, 1};
	hw_states init;
	hw_fit_info info;
	qe_err e;
	for (int t = 0; t < N; t++)
		y[t] = 100 + 10 * sin(2 * M_PI * t / 24) + (t >= N / 2 ? 5 : 0);
	UT_EQ_INT(hw_states_alloc(&init, &m, &e), 0, "states allocate");
	UT_EQ_INT(hw_init_heuristic(&m, y, N, &init, &e), 0, "heuristic states");
	UT_NEAR(init.season[0][6], 10, 1e-9, "the seasonal of the peak hour");
	UT_EQ_INT(hw_fit(&m, &p, 0, &init, 0, y, N, 0, &info, &e), 0, "fit converges");
	UT_CHECK(info.sse < 100, "the level shift costs about one 5^2 error, against 24,000 of variation");
	UT_CHECK(p.alpha > 0.5, "alpha follows the shift");
	UT_NEAR(info.aic, N * log(info.sse / N) + 2 * 26, 1e-9, "aic");
	UT_EQ_INT(hw_fit(&m, &p, 0, &init, 0, y, N, 2, &info, &e), QE_NUMERIC, "two iterations do not converge");
	UT_CHECK(strstr(e.msg, "last iterate alpha=") != NULL, "the message names the last iterate");
	hw_states_free(&init);
}

int main(void)
{
	test_sentiment_rule();
	test_hw_by_hand();
	test_hw_model();
	test_hw_fit();
	test_loglik_by_hand();
	test_forecast_path();
	test_fit_recovers();
	test_bad_series();
	test_ols_by_hand();
	return ut_done();
}
