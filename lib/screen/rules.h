/*
 * rules: the rule sets of qe-screen check (qe-screen(1) RULE SETS), each
 * reading the files it needs (qe-formats(5)) and appending its findings
 * to a breach list.  Every threshold and table comes from a data file
 * (limits, counterparties, Shariah profiles, instrument rules); none is
 * in the code.  A value exactly at its limit is inside (a breach is
 * strictly above).
 *
 * Owns nothing beyond a call; never prints.
 */
#ifndef QE_RULES_H
#define QE_RULES_H

#include "core/date.h"
#include "core/diag.h"
#include "screen/breach.h"

typedef struct rules_inputs {
	qe_date asof;
	const char *counterparties; /* COUNTERPARTIES */
	const char *limits;         /* LIMITS */
	const char *trades;         /* TRADES (live trades: highest version, cancels removed) */
	const char *new_trades;     /* qe-screen whatif: TRADES added to the book (NULL: none) */
	const char *mandates;       /* TRADER MANDATES (limits) */
	const char *flows;          /* SETTLEMENT FLOWS of qe-settle flows (credit: unsettled amounts) */
	const char *currencies;     /* CURRENCIES: minor-unit exponents of the flows */
	const char *levels;         /* POSITION LEVELS: accountability, reportable, EU limits (regulatory) */
	const char *reporting_lei;  /* our LEI: with it, the reporting fields of every trade (regulatory) */
	const char *valuations;     /* VALUATIONS of qe-price */
	const char *var;            /* VAR RESULTS of qe-var */
	int var_is_whatif;          /* var is qe-var whatif's WHATIF: its var_after is checked */
	const char *ladder;         /* LADDER of qe-price */
	const char *sensitivities;  /* SENSITIVITIES of qe-price: options by delta in the position rules */
	const char *markets;        /* MARKETS */
	const char *fx;             /* FX RATES (units of a base per unit) */
	const char *profiles;       /* SHARIA PROFILES */
	const char *profile;        /* the profile's name */
	const char *instruments;    /* SHARIA INSTRUMENTS */
	const char *spot_limits;    /* SPOT-MONTH LIMITS */
	const char *calendars;      /* holiday files directory (NULL: built-in only) */
	const char *const *islamic_books;
	int nislamic;
	/* abuse, quality's market checks, sharia's contract terms */
	const char *history;        /* HISTORY (settlement prices) */
	const char *fixings;        /* FIXINGS */
	const char *thresholds;     /* SCREEN THRESHOLDS */
	const char *islamic_terms;  /* ISLAMIC TERMS */
	double wash_window;         /* seconds; NaN: the thresholds file's */
	/* the live trades of trades and new_trades, read by the first rule
	 * set that needs them and shared by the others (screen/live's
	 * live_get; the caller's, live_free after the last rule set); NULL:
	 * each rule set reads its own */
	struct live_set *live;
} rules_inputs;

/* limits: VaR by book (var), credit exposure per counterparty
 * (valuations, trades, counterparties; unsettled amounts of flows), net
 * delta by curve (ladder), trader mandates (mandates: screen/mandate),
 * each run when its input is given; limits.csv rows of other metrics are
 * listed as info "not checked". */
int rules_limits(const rules_inputs *in, breach_list *l, qe_err *e);
/* sharia: the profile's counterparty screens and the purification ratio
 * (counterparties; with trades and Islamic books, only their
 * counterparties), and the instrument rules for the trades of the
 * Islamic books. */
int rules_sharia(const rules_inputs *in, breach_list *l, qe_err *e);
/* regulatory: the LEI of every counterparty; with spot-month limits,
 * the net position of the front contract in its spot period; with
 * levels, accountability, reportable and EU levels; with our LEI, the
 * reporting fields of every trade (screen/regulatory).  The positions
 * count an option by its delta with sensitivities (screen/optdelta; a
 * warning for each live option without rows, counted by its quantity),
 * by its quantity without. */
int rules_regulatory(const rules_inputs *in, breach_list *l, qe_err *e);
/* quality: live trades on curves the markets file lacks; counterparties
 * without a valid LEI. */
int rules_quality(const rules_inputs *in, breach_list *l, qe_err *e);

/* abuse (screen/abuse): wash trades by beneficial owner and by
 * offsetting trades within the wash window, prices outside the day's
 * settlement range, bursts of amendments and cancels by one trader. */
int rules_abuse(const rules_inputs *in, breach_list *l, qe_err *e);
/* quality's market checks (screen/quality), run by rules_quality when a
 * history is given: stale, missing and jumping settlement prices, and
 * missing fixings of already fixed swap and Asian days. */
int quality_market(const rules_inputs *in, breach_list *l, qe_err *e);
/* sharia's per-trade contract terms (screen/sharia2), run by
 * rules_sharia when a terms file is given: AAOIFI Standard 20 checks of
 * murabaha, salam, istisna, wa'd and arboun. */
int sharia_terms(const rules_inputs *in, breach_list *l, qe_err *e);

#endif
