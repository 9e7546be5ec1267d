#include "io/formats.h"

#include <float.h>
#include <stddef.h>
#include <string.h>

#define V(...) ((const char *const[]){__VA_ARGS__, NULL})
#define BIG DBL_MAX

/* --- inputs, validated by qe-ingest -------------------------------------- */

static const char *const trade_units[] = {"MMBtu", "bbl", "MWh", "t", "gal", "MW", "MMBtu/d", "lots", NULL};
static const char *const market_units[] = {"MMBtu", "bbl", "MWh", "t", "gal", NULL};
static const char *const meter_units[] = {"kWh", "m3", NULL};
static const char *const shapes[] = {"base", "peak", "offpeak", "5x16", "2x16", "7x8", "7x24", "gasday", NULL};
static const char *const instruments[] = {"future", "forward", "swap", "physical", "option",
					   "asian", "spread", "spot", NULL};

static const formats_col trades_cols[FMT_TR_N] = {
	{"trade_id", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"version", CT_INT, 1, NULL, 1, 2147483647, 0, NULL},
	{"status", CT_ENUM, 1, V("new", "amend", "cancel"), 0, 0, 0, NULL},
	{"trade_date", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"book", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"trader", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"counterparty", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"instrument", CT_ENUM, 1, instruments, 0, 0, 0, NULL},
	{"curve", CT_CURVE, 1, NULL, 0, 0, 0, NULL},
	{"side", CT_ENUM, 1, V("buy", "sell"), 0, 0, 0, NULL},
	{"quantity", CT_NUM, 1, NULL, 0, BIG, 1, NULL},
	{"unit", CT_UNIT, 1, trade_units, 0, 0, 0, NULL},
	{"price", CT_NUM, 0, NULL, -BIG, BIG, 0, NULL},
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
	{"delivery_start", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"delivery_end", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"shape", CT_ENUM, 0, shapes, 0, 0, 0, NULL},
	{"option_type", CT_ENUM, 0, V("call", "put"), 0, 0, 0, NULL},
	{"strike", CT_NUM, 0, NULL, -BIG, BIG, 0, NULL},
	{"exercise", CT_ENUM, 0, V("european", "american"), 0, 0, 0, NULL},
	{"expiry", CT_DATE, 0, NULL, 0, 0, 0, NULL},
	{"avg_start", CT_DATE, 0, NULL, 0, 0, 0, NULL},
	{"avg_end", CT_DATE, 0, NULL, 0, 0, 0, NULL},
	{"curve2", CT_CURVE, 0, NULL, 0, 0, 0, NULL},
	{"ratio", CT_NUM, 0, NULL, 0, BIG, 1, NULL},
	{"model", CT_ENUM, 0, V("black76", "bachelier"), 0, 0, 0, NULL},
	/* the trade report's fields (REMIT Table 1, EMIR): optional columns */
	{"uti", CT_UTI, 0, NULL, 0, 0, 0, NULL},
	{"venue", CT_MIC, 0, NULL, 0, 0, 0, NULL},
	{"exec_time", CT_EXECTS, 0, NULL, 0, 0, 0, NULL},
};

static const formats_col prices_cols[] = {
	{"curve", CT_CURVE, 1, NULL, 0, 0, 0, NULL},
	{"asof", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"delivery_start", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"delivery_end", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"price", CT_NUM, 1, NULL, -BIG, BIG, 0, NULL},
	{"unit", CT_UNIT, 1, market_units, 0, 0, 0, NULL},
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
};

static const formats_col vols_cols[] = {
	{"curve", CT_CURVE, 1, NULL, 0, 0, 0, NULL},
	{"asof", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"delivery_start", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"delivery_end", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"strike", CT_NUM, 0, NULL, -BIG, BIG, 0, NULL},
	{"vol", CT_NUM, 1, NULL, 0, BIG, 1, NULL},
	{"vol_type", CT_ENUM, 1, V("lognormal", "normal"), 0, 0, 0, NULL},
};

static const formats_col rates_cols[] = {
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
	{"asof", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"date", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	/* a zero rate of 1 (100%) or more is a percentage typed by mistake */
	{"rate", CT_NUM, 1, NULL, -0.999999, 0.999999, 0, NULL},
};

static const formats_col fixings_cols[] = {
	{"curve", CT_CURVE, 1, NULL, 0, 0, 0, NULL},
	{"date", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"price", CT_NUM, 1, NULL, -BIG, BIG, 0, NULL},
};

static const formats_col history_cols[] = {
	{"date", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"curve", CT_CURVE, 1, NULL, 0, 0, 0, NULL},
	{"tenor", CT_INT, 1, NULL, 0, 1200, 0, NULL},
	{"contract", CT_STR, 0, NULL, 0, 0, 0, NULL},
	{"price", CT_NUM, 1, NULL, -BIG, BIG, 0, NULL},
};

/* contract: a tenor (whole months after the month of date, 0..1200) or a
 * contract month YYYY-MM, checked by ingest/schema */
static const formats_col vol_history_cols[] = {
	{"date", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"curve", CT_CURVE, 1, NULL, 0, 0, 0, NULL},
	{"contract", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"vol", CT_NUM, 1, NULL, 0, BIG, 1, NULL},
	{"vol_type", CT_ENUM, 1, V("lognormal", "normal"), 0, 0, 0, NULL},
};

/* units of the currency per one unit of the base currency (USD) */
static const formats_col fx_history_cols[] = {
	{"date", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
	{"rate", CT_NUM, 1, NULL, 0, BIG, 1, NULL},
};

static const formats_col cpty_cols[] = {
	{"counterparty", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"name", CT_STR, 1, NULL, 0, 0, 0, NULL},
	{"lei", CT_LEI, 0, NULL, 0, 0, 0, NULL},
	{"country", CT_COUNTRY, 0, NULL, 0, 0, 0, NULL},
	{"sector", CT_STR, 0, NULL, 0, 0, 0, NULL},
	{"credit_limit", CT_NUM, 0, NULL, 0, BIG, 0, NULL},
	{"currency", CT_CCY, 0, NULL, 0, 0, 0, NULL},
	{"netting", CT_ENUM, 0, V("yes", "no"), 0, 0, 0, NULL},
	{"total_assets", CT_NUM, 0, NULL, 0, BIG, 0, NULL},
	{"market_cap", CT_NUM, 0, NULL, 0, BIG, 0, NULL},
	{"debt", CT_NUM, 0, NULL, 0, BIG, 0, NULL},
	{"cash", CT_NUM, 0, NULL, 0, BIG, 0, NULL},
	{"receivables", CT_NUM, 0, NULL, 0, BIG, 0, NULL},
	{"revenue", CT_NUM, 0, NULL, 0, BIG, 0, NULL},
	{"nonpermissible_income", CT_NUM, 0, NULL, 0, BIG, 0, NULL},
	{"beneficial_owner", CT_ID, 0, NULL, 0, 0, 0, NULL},
	{"parent", CT_ID, 0, NULL, 0, 0, 0, NULL},
	{"market_cap_24m", CT_NUM, 0, NULL, 0, BIG, 0, NULL},
	{"market_cap_36m", CT_NUM, 0, NULL, 0, BIG, 0, NULL},
	{"iban", CT_ID, 0, NULL, 0, 0, 0, NULL},
	{"bic", CT_ID, 0, NULL, 0, 0, 0, NULL},
	/* trader category of qe-report cot (CFTC disaggregated COT) */
	{"category", CT_ENUM, 0,
	 V("producer_merchant", "swap_dealer", "managed_money", "other_reportable", "nonreportable"), 0, 0, 0, NULL},
};

static const formats_col limits_cols[] = {
	{"limit_id", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"type", CT_ENUM, 1, V("position", "var", "credit", "trader"), 0, 0, 0, NULL},
	{"scope", CT_ENUM, 1, V("firm", "book", "trader", "curve", "counterparty"), 0, 0, 0, NULL},
	{"key", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"metric", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"limit", CT_NUM, 1, NULL, 0, BIG, 0, NULL},
	{"unit", CT_ID, 1, NULL, 0, 0, 0, NULL},
};

static const formats_col meters_cols[] = {
	{"meter_id", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"timestamp", CT_TS, 1, NULL, 0, 0, 0, NULL},
	{"interval_min", CT_INT, 1, NULL, 1, 60, 0, "min"},
	{"energy", CT_NUM, 0, NULL, -BIG, BIG, 0, NULL},
	{"unit", CT_UNIT, 1, meter_units, 0, 0, 0, NULL},
	{"quality", CT_ENUM, 0, V("A", "E", "M"), 0, 0, 0, NULL},
};

static const formats_col weather_cols[] = {
	{"station", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"date", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"tmin", CT_NUM, 1, NULL, -90, 60, 0, "degC"},
	{"tmax", CT_NUM, 1, NULL, -90, 60, 0, "degC"},
	{"tmean", CT_NUM, 0, NULL, -90, 60, 0, "degC"},
};

/* A headline is free text (SCHEMA_TEXT_MAX bytes, valid UTF-8); the
 * source an identifier (a wire, a desk, a feed). */
static const formats_col headlines_cols[] = {
	{"timestamp", CT_TS, 1, NULL, 0, 0, 0, NULL},
	{"source", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"headline", CT_STR, 1, NULL, 0, 0, 0, NULL},
};

static const formats_col markets_cols[] = {
	{"curve", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"commodity", CT_ENUM, 1, V("gas", "crude", "power", "carbon", "products"), 0, 0, 0, NULL},
	{"venue", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"unit", CT_UNIT, 1, market_units, 0, 0, 0, NULL},
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
	{"timezone", CT_ZONE, 1, NULL, 0, 0, 0, NULL},
	{"calendar", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"shape", CT_ENUM, 0, shapes, 0, 0, 0, NULL},
	{"lot_size", CT_NUM, 1, NULL, 0, BIG, 1, NULL},
	{"returns", CT_ENUM, 1, V("log", "abs"), 0, 0, 0, NULL},
	{"model", CT_ENUM, 1, V("black76", "bachelier"), 0, 0, 0, NULL},
	/* exchange codes (qe-ingest cme-settle, ice-settle): optional */
	{"futures_codes", CT_STR, 0, NULL, 0, 0, 0, NULL},
	{"option_codes", CT_STR, 0, NULL, 0, 0, 0, NULL},
	{"price_scale", CT_NUM, 0, NULL, 0, BIG, 1, NULL},
};

static const formats_col periods_cols[] = {
	{"meter_id", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"period_start", CT_TS, 1, NULL, 0, 0, 0, "s"},
	{"utc_offset", CT_INT, 1, NULL, -1080, 1080, 0, "min"},
	{"period_min", CT_INT, 1, NULL, 15, 60, 0, "min"},
	{"energy", CT_NUM, 0, NULL, -BIG, BIG, 0, NULL},
	{"unit", CT_UNIT, 1, meter_units, 0, 0, 0, NULL},
	{"quality", CT_ENUM, 1, V("A", "E", "M"), 0, 0, 0, NULL},
	{"flags", CT_STR, 0, NULL, 0, 0, 0, NULL},
	{"readings", CT_INT, 1, NULL, 0, 3600, 0, NULL},
	{"expected", CT_INT, 1, NULL, 1, 3600, 0, NULL},
};

/* --- outputs and the other tools' inputs --------------------------------- */

/* An unconstrained column: name, type, required. */
#define COL(n, t, r) {n, t, r, NULL, 0, 0, 0, NULL}
#define NUM(n, r) {n, CT_NUM, r, NULL, -BIG, BIG, 0, NULL}
#define INT(n, r) {n, CT_INT, r, NULL, -BIG, BIG, 0, NULL}

static const formats_col rejects_cols[] = {
	{"line", CT_INT, 1, NULL, 1, BIG, 0, NULL},
	COL("column", CT_STR, 0),
	COL("value", CT_STR, 0),
	COL("reason", CT_STR, 1),
	COL("record", CT_STR, 0),
};

static const formats_col manifest_cols[] = {
	{"role", CT_ENUM, 1, V("run", "previous", "input", "output", "tool", "step"), 0, 0, 0, NULL},
	COL("path", CT_STR, 1),
	{"bytes", CT_INT, 0, NULL, 0, BIG, 0, NULL},
	COL("sha256", CT_STR, 0),
	COL("note", CT_STR, 0),
};

static const formats_col audit_log_cols[] = {
	{"seq", CT_INT, 1, NULL, 1, BIG, 0, NULL},
	COL("time", CT_STR, 1),
	COL("run_id", CT_STR, 1),
	COL("asof", CT_DATE, 1),
	{"status", CT_ENUM, 1, V("ok", "failed"), 0, 0, 0, NULL},
	COL("root", CT_STR, 1),
	COL("manifest", CT_STR, 1),
	COL("previous", CT_STR, 0),
	COL("sha256", CT_STR, 1),
};

static const formats_col eod_alerts_cols[] = {
	COL("time", CT_STR, 1),
	COL("run_id", CT_STR, 1),
	COL("asof", CT_DATE, 1),
	{"kind", CT_ENUM, 1, V("screen_breach", "backtest_red", "pla_red", "price_errors", "step_failed"), 0, 0, 0,
	 NULL},
	{"severity", CT_ENUM, 1, V("warning", "breach", "critical"), 0, 0, 0, NULL},
	COL("subject", CT_STR, 1),
	COL("message", CT_STR, 1),
	COL("file", CT_STR, 0),
};

static const formats_col valuations_cols[] = {
	COL("trade_id", CT_ID, 1),
	COL("book", CT_ID, 1),
	{"instrument", CT_ENUM, 1, instruments, 0, 0, 0, NULL},
	COL("curve", CT_CURVE, 1),
	COL("currency", CT_CCY, 1),
	NUM("npv", 1),
	NUM("undiscounted", 1),
	NUM("delta", 1),
	NUM("gamma", 1),
	NUM("vega", 1),
	NUM("theta", 1),
	{"model", CT_ENUM, 1,
	 V("future", "forward", "spot", "swap", "black76", "bachelier", "bs2002", "turnbull-wakeman",
	   "kirk", "settled", "delivery"), 0, 0, 0, NULL},
};

static const formats_col sensitivities_cols[] = {
	COL("trade_id", CT_ID, 1),
	COL("book", CT_ID, 1),
	COL("curve", CT_CURVE, 1),
	COL("delivery_start", CT_DATE, 1),
	COL("delivery_end", CT_DATE, 1),
	{"tenor", CT_INT, 1, NULL, 0, BIG, 0, "months"},
	NUM("delta", 1),
	NUM("gamma", 0),
	NUM("vega", 0),
	NUM("theta", 0),
	COL("curve2", CT_CURVE, 0),
	{"tenor2", CT_INT, 0, NULL, 0, BIG, 0, "months"},
};

static const formats_col ladder_cols[] = {
	COL("book", CT_ID, 1),
	COL("curve", CT_CURVE, 1),
	COL("month", CT_STR, 1),
	NUM("delta", 1),
	COL("unit", CT_STR, 1),
};

static const formats_col price_errors_cols[] = {
	COL("trade_id", CT_ID, 1),
	COL("reason", CT_STR, 1),
};

static const formats_col var_cols[] = {
	COL("portfolio", CT_ID, 1),
	{"method", CT_ENUM, 1,
	 V("hs", "hs-brw", "fhs", "fhs-brw", "delta-normal", "cornish-fisher", "mc-normal", "mc-t",
	   "hs-full", "hs-brw-full", "fhs-full", "fhs-brw-full"), 0, 0,
	 0, NULL},
	{"alpha", CT_NUM, 1, NULL, 0, 1, 1, NULL},
	COL("horizon", CT_STR, 1),
	{"scenarios", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	NUM("var", 1),
	NUM("es", 1),
	COL("currency", CT_CCY, 0),
	COL("asof", CT_DATE, 1),
};

static const formats_col whatif_cols[] = {
	COL("portfolio", CT_ID, 1),
	{"alpha", CT_NUM, 1, NULL, 0, 1, 1, NULL},
	NUM("var_before", 1),
	NUM("var_after", 1),
	NUM("incremental_var", 1),
	NUM("es_before", 1),
	NUM("es_after", 1),
	COL("currency", CT_CCY, 0),
	COL("asof", CT_DATE, 1),
};

static const formats_col breaches_cols[] = {
	COL("asof", CT_DATE, 1),
	COL("rule_set", CT_ID, 1),
	COL("rule", CT_ID, 1),
	{"severity", CT_ENUM, 1, V("info", "warning", "breach"), 0, 0, 0, NULL},
	{"entity_type", CT_ENUM, 1, V("trade", "counterparty", "book", "trader", "curve"), 0, 0, 0, NULL},
	COL("entity_id", CT_ID, 1),
	NUM("value", 0),
	NUM("limit", 0),
	NUM("utilisation", 0),
	COL("message", CT_STR, 1),
};

static const formats_col sharia_profiles_cols[] = {
	COL("profile", CT_ID, 1),
	COL("rule", CT_ID, 1),
	{"test", CT_ENUM, 1, V("sector", "ratio"), 0, 0, 0, NULL},
	/* sectors joined by ';' (test sector), figures joined by '+' (ratio) */
	COL("fields", CT_IDLIST, 1),
	COL("base", CT_ID, 0),
	{"threshold", CT_NUM, 0, NULL, 0, BIG, 0, NULL},
};

static const formats_col sharia_instruments_cols[] = {
	COL("instrument", CT_ID, 1),
	{"severity", CT_ENUM, 1, V("none", "info", "warning", "breach"), 0, 0, 0, NULL},
	COL("reason", CT_STR, 1),
};

static const formats_col spot_limits_cols[] = {
	COL("curve", CT_CURVE, 1),
	{"days_left", CT_INT, 1, NULL, 0, 1000, 0, NULL},
	{"limit", CT_NUM, 1, NULL, 0, BIG, 0, "lots"},
	COL("instruments", CT_ID, 1),
};

static const formats_col trader_mandates_cols[] = {
	COL("trader", CT_ID, 1),
	COL("commodities", CT_STR, 1),
	COL("instruments", CT_STR, 1),
	{"max_tenor_months", CT_NUM, 0, NULL, 0, BIG, 0, "months"},
	{"max_notional", CT_NUM, 0, NULL, 0, BIG, 0, NULL},
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
	COL("books", CT_STR, 1),
};

static const formats_col position_levels_cols[] = {
	COL("curve", CT_CURVE, 1),
	{"kind", CT_ENUM, 1, V("accountability_single", "accountability_all", "reportable", "eu_spot_month",
			      "eu_other_months"), 0, 0, 0, NULL},
	{"level", CT_NUM, 1, NULL, 0, BIG, 1, NULL},
	COL("unit", CT_ID, 1),
	COL("instruments", CT_ID, 1),
	COL("source", CT_STR, 0),
};

static const formats_col screen_thresholds_cols[] = {
	{"rule_set", CT_ENUM, 1, V("abuse", "quality", "sharia"), 0, 0, 0, NULL},
	COL("rule", CT_ID, 1),
	COL("parameter", CT_ID, 1),
	{"value", CT_NUM, 1, NULL, 0, BIG, 0, NULL},
};

static const formats_col islamic_terms_cols[] = {
	COL("trade_id", CT_ID, 1),
	{"contract", CT_ENUM, 1, V("murabaha", "salam", "istisna", "wa'd", "arboun"), 0, 0, 0, NULL},
	{"owned_commodity", CT_ENUM, 1, V("yes", "no"), 0, 0, 0, NULL},
	{"markup_disclosed", CT_ENUM, 1, V("yes", "no"), 0, 0, 0, NULL},
	{"prepaid_fraction", CT_NUM, 1, NULL, 0, 1, 0, NULL},
	{"late_payment_interest", CT_ENUM, 1, V("yes", "no"), 0, 0, 0, NULL},
};

static const formats_col garch_cols[] = {
	COL("series", CT_STR, 1),
	{"model", CT_ENUM, 1, V("garch", "gjr"), 0, 0, 0, NULL},
	{"dist", CT_ENUM, 1, V("normal", "t"), 0, 0, 0, NULL},
	{"omega", CT_NUM, 1, NULL, 0, BIG, 1, NULL},
	{"alpha", CT_NUM, 1, NULL, 0, BIG, 0, NULL},
	{"beta", CT_NUM, 1, NULL, 0, BIG, 0, NULL},
	NUM("gamma", 0),
	{"nu", CT_NUM, 0, NULL, 2, BIG, 1, NULL},
	NUM("loglik", 1),
	{"n", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	{"persistence", CT_NUM, 1, NULL, 0, BIG, 0, NULL},
	{"half_life", CT_NUM, 0, NULL, 0, BIG, 0, "days"},
};

static const formats_col garch_forecast_cols[] = {
	COL("series", CT_STR, 1),
	{"day", CT_INT, 1, NULL, 1, BIG, 0, NULL},
	{"variance", CT_NUM, 1, NULL, 0, BIG, 1, NULL},
	{"vol", CT_NUM, 1, NULL, 0, BIG, 1, NULL},
	{"term_vol", CT_NUM, 1, NULL, 0, BIG, 1, NULL},
};

static const formats_col regression_cols[] = {
	COL("term", CT_STR, 1),
	NUM("coef", 1),
	NUM("se", 1),
	NUM("t", 1),
	{"p", CT_NUM, 1, NULL, 0, 1, 0, NULL},
};

/* a number of at least 0, required or not, in a unit (NULL: none) */
#define NONNEG(n, r, u) {n, CT_NUM, r, NULL, 0, BIG, 0, u}
#define COUNT(n) {n, CT_INT, 1, NULL, 1, BIG, 0, NULL}

static const formats_col demand_forecast_cols[] = {
	COL("date", CT_DATE, 1),       NUM("mean", 1),          NONNEG("mean_se", 1, NULL),
	NUM("mean_ci_lower", 1), NUM("mean_ci_upper", 1), NUM("obs_ci_lower", 1),
	NUM("obs_ci_upper", 1),
};

static const formats_col forecast_backtest_cols[] = {
	COL("model", CT_STR, 1),      COUNT("origins"),             COUNT("forecasts"),
	NONNEG("mae", 1, NULL),       NONNEG("rmse", 1, NULL),      NONNEG("mape", 0, "percent"),
	NONNEG("mase", 0, NULL),
};

static const formats_col regression_fit_cols[] = {
	{"n", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	{"k", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	NUM("r2", 1),
	NUM("adj_r2", 1),
	NUM("f", 0),
	{"f_p", CT_NUM, 0, NULL, 0, 1, 0, NULL},
	{"sigma", CT_NUM, 1, NULL, 0, BIG, 0, NULL},
	{"hac_lags", CT_INT, 0, NULL, 0, BIG, 0, NULL},
};

static const formats_col hw_forecast_cols[] = {
	{"step", CT_INT, 1, NULL, 1, BIG, 0, NULL},
	COL("time", CT_STR, 1),
	NUM("forecast", 1),
};

static const formats_col hw_fitted_cols[] = {
	COL("time", CT_STR, 1),
	NUM("value", 1),
	NUM("fitted", 1),
	NUM("residual", 1),
};

static const formats_col hw_summary_cols[] = {
	COL("series", CT_STR, 1),
	{"trend", CT_ENUM, 1, V("add", "none"), 0, 0, 0, NULL},
	{"damped", CT_INT, 1, NULL, 0, 1, 0, NULL},
	{"seasonal", CT_ENUM, 1, V("add", "mul"), 0, 0, 0, NULL},
	COL("periods", CT_STR, 1),
	{"n", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	{"alpha", CT_NUM, 1, NULL, 0, 1, 0, NULL},
	{"beta", CT_NUM, 0, NULL, 0, 1, 0, NULL},
	{"gamma", CT_NUM, 1, NULL, 0, 1, 0, NULL},
	{"gamma2", CT_NUM, 0, NULL, 0, 1, 0, NULL},
	{"phi", CT_NUM, 0, NULL, 0, 1, 0, NULL},
	{"sse", CT_NUM, 1, NULL, 0, BIG, 0, NULL},
	NUM("aic", 1),
	{"init", CT_ENUM, 1, V("estimated", "heuristic", "file"), 0, 0, 0, NULL},
};

static const formats_col hw_init_cols[] = {
	{"component", CT_ENUM, 1, V("level", "trend", "seasonal", "seasonal2"), 0, 0, 0, NULL},
	{"index", CT_INT, 0, NULL, 1, BIG, 0, NULL},
	NUM("value", 1),
};

static const formats_col load_cols[] = {
	COL("zone", CT_ID, 1),
	COL("timestamp", CT_TS, 1),
	{"load", CT_NUM, 1, NULL, 0, BIG, 0, "MW"},
	{"temperature", CT_NUM, 1, NULL, -90, 60, 0, "degC"},
	{"holiday", CT_INT, 1, NULL, 0, 1, 0, NULL},
};

static const formats_col var_measures_cols[] = {
	COL("portfolio", CT_ID, 1),
	{"alpha", CT_NUM, 1, NULL, 0, 1, 1, NULL},
	COL("quantile", CT_STR, 1),
	{"scenarios", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	NUM("var", 1),
	NUM("es", 1),
	COL("asof", CT_DATE, 0),
};

static const formats_col pnl_cube_cols[] = {
	COL("portfolio", CT_ID, 1),
	COL("scenario", CT_ID, 1),
	NUM("pnl", 1),
	COL("asof", CT_DATE, 0),
};

static const formats_col cov_cols[] = {
	COL("factor1", CT_ID, 1),
	COL("factor2", CT_ID, 1),
	NUM("cov", 1), /* units price^2 or return^2, set by the writer */
	COL("asof", CT_DATE, 0),
};

static const formats_col var_series_cols[] = {
	COL("date", CT_DATE, 1),
	NUM("var", 1),
	NUM("pnl", 1),
	COL("asof", CT_DATE, 0),
};

static const formats_col backtest_cols[] = {
	{"observations", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	{"exceptions", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	NUM("expected", 1),
	{"alpha", CT_NUM, 1, NULL, 0, 1, 1, NULL},
	NUM("kupiec_lr", 0),
	NUM("kupiec_p", 0),
	NUM("ind_lr", 0),
	NUM("ind_p", 0),
	NUM("cc_lr", 0),
	NUM("cc_p", 0),
	{"zone", CT_ENUM, 1, V("green", "yellow", "red", "n/a"), 0, 0, 0, NULL},
	{"result", CT_ENUM, 1, V("accept", "reject"), 0, 0, 0, NULL},
	COL("asof", CT_DATE, 1),
};

static const formats_col pla_cols[] = {
	COL("asof", CT_DATE, 0),
	COL("portfolio", CT_ID, 1),
	{"scenarios", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	{"spearman", CT_NUM, 0, NULL, -1, 1, 0, NULL},
	{"ks", CT_NUM, 1, NULL, 0, 1, 0, NULL},
	{"zone", CT_ENUM, 1, V("green", "amber", "red", "n/a"), 0, 0, 0, NULL},
	COL("currency", CT_CCY, 0),
};

static const formats_col var_components_cols[] = {
	COL("portfolio", CT_ID, 1),
	{"level", CT_ENUM, 1, V("group", "factor"), 0, 0, 0, NULL},
	COL("name", CT_ID, 1),
	{"alpha", CT_NUM, 1, NULL, 0, 1, 1, NULL},
	NUM("var", 1),
	NUM("marginal", 1),
	NUM("component", 1),
	NUM("incremental", 1),
	COL("currency", CT_CCY, 0),
	COL("asof", CT_DATE, 1),
};

static const formats_col fx_rates_cols[] = {
	COL("currency", CT_CCY, 1),
	{"rate", CT_NUM, 1, NULL, 0, BIG, 1, NULL},
};

static const formats_col stress_shocks_cols[] = {
	COL("scenario", CT_ID, 1),
	COL("curve", CT_ID, 1),
	{"tenor", CT_INT, 0, NULL, 0, BIG, 0, NULL},
	NUM("shock", 1),
	{"type", CT_ENUM, 1, V("rel", "abs"), 0, 0, 0, NULL},
};

static const formats_col stress_windows_cols[] = {
	COL("name", CT_ID, 1),
	COL("start", CT_DATE, 1),
	COL("end", CT_DATE, 1),
};

static const formats_col edges_cols[] = {INT("i", 1), INT("j", 1), NUM("w", 1)};
static const formats_col couplings_cols[] = {INT("i", 1), INT("j", 1), NUM("J", 1)};
static const formats_col fields_cols[] = {INT("i", 1), NUM("h", 1)};
static const formats_col solution_cols[] = {INT("variable", 1), INT("value", 1)};

#define OPT_SUMMARY_COLS                                                                        \
	COL("instance", CT_STR, 1), COL("solver", CT_ID, 1), INT("seed", 1), NUM("objective", 1), \
	NUM("cut", 0), NUM("energy", 1), {"time_to_best_s", CT_NUM, 1, NULL, 0, BIG, 0, "s"},   \
	INT("sweeps", 1), NUM("flips_per_s", 1), INT("rounds", 1),                               \
	{"elapsed_s", CT_NUM, 1, NULL, 0, BIG, 0, "s"}, INT("hit_target", 0),                    \
	{"stop", CT_ENUM, 1, V("rounds", "target", "time", "interrupted"), 0, 0, 0, NULL}

static const formats_col opt_summary_cols[] = {OPT_SUMMARY_COLS};

static const formats_col hedge_menu_cols[] = {
	COL("instrument", CT_ID, 1),
	COL("curve", CT_CURVE, 1),
	COL("month", CT_STR, 1),
	{"lot_size", CT_NUM, 1, NULL, 0, BIG, 1, NULL},
	{"cost_per_lot", CT_NUM, 1, NULL, 0, BIG, 0, NULL},
	{"min_lots", CT_INT, 1, NULL, -1048576, 1048576, 0, NULL},
	{"max_lots", CT_INT, 1, NULL, -1048576, 1048576, 0, NULL},
};

static const formats_col currencies_cols[] = {
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
	{"exponent", CT_INT, 1, NULL, 0, 4, 0, NULL},
	COL("calendar", CT_ID, 0),
};

static const formats_col payment_terms_cols[] = {
	COL("kind", CT_ID, 1),
	COL("curve", CT_ID, 1),
	{"business_days", CT_INT, 1, NULL, 0, 60, 0, NULL},
};

static const formats_col settle_flows_cols[] = {
	COL("trade_id", CT_ID, 1),
	COL("counterparty", CT_ID, 1),
	COL("kind", CT_ID, 1),
	COL("direction", CT_ID, 1),
	COL("value_date", CT_DATE, 1),
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
	INT("amount_minor", 1),
};

static const formats_col settle_payments_cols[] = {
	COL("counterparty", CT_ID, 1),
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
	COL("value_date", CT_DATE, 1),
	COL("basis", CT_ID, 1),
	INT("flows", 1),
	COL("direction", CT_ID, 1),
	INT("amount_minor", 1),
	COL("trade_id", CT_ID, 0),
};

static const formats_col invoices_cols[] = {
	COL("invoice_id", CT_ID, 1),
	COL("counterparty", CT_ID, 1),
	COL("row", CT_ID, 1),
	COL("trade_id", CT_ID, 0),
	COL("kind", CT_ID, 0),
	COL("value_date", CT_DATE, 0),
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
	COL("direction", CT_ID, 1),
	INT("amount_minor", 1),
	COL("amount", CT_STR, 1),
};

/* scan ranges of qe-settle margin: numbers 0..hi (open: above 0) */
#define SPAN(n, hi, open) {n, CT_NUM, 1, NULL, 0, hi, open, NULL}
static const formats_col span_ranges_cols[] = {
	COL("curve", CT_CURVE, 1), SPAN("price_scan", 1e12, 1), SPAN("vol_scan", 0.99, 0),
	SPAN("extreme_move", 10, 0), SPAN("extreme_cover", 1, 0), SPAN("spread_charge", 1e12, 0),
	SPAN("short_option_min", 1e12, 0),
};

/* qe-settle margin: per account and currency, and per scenario */
#define MARGIN_KEY COL("account", CT_ID, 1), {"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL}
static const formats_col margin_cols[] = {
	MARGIN_KEY, NUM("scan_risk", 1), NUM("spread_charge", 1), NUM("short_option_min", 1),
	NUM("margin", 1),
};
static const formats_col margin_scenarios_cols[] = {
	MARGIN_KEY, COL("curve", CT_CURVE, 1), {"scenario", CT_INT, 1, NULL, 1, 16, 0, NULL},
	NUM("price_move", 1), NUM("vol_move", 1), NUM("cover", 1), NUM("loss", 1),
};

static const formats_col position_report_cols[] = {
	{"level", CT_ENUM, 1, V("curve", "commodity"), 0, 0, 0, NULL},
	COL("commodity", CT_ID, 1),
	COL("curve", CT_ID, 0),
	COL("month", CT_ID, 1),
	COL("unit", CT_ID, 1),
	NUM("delta", 1),
	NUM("lots", 0),
	NUM("prev_delta", 0),
	NUM("change", 0),
};

static const formats_col risk_report_cols[] = {
	{"section", CT_ENUM, 1, V("var", "es", "stress", "backtest", "pla", "component"), 0, 0, 0, NULL},
	COL("portfolio", CT_ID, 1),
	COL("item", CT_STR, 1),
	NUM("value", 0),
	NUM("limit", 0),
	NUM("utilisation", 0),
	COL("currency", CT_ID, 0),
	COL("status", CT_STR, 0),
};

/* qe-feed: a payload (or one record of it) that is not a valid reading */
static const formats_col feed_rejects_cols[] = {
	COL("received", CT_TS, 1), COL("topic", CT_STR, 1), {"line", CT_INT, 1, NULL, 1, BIG, 0, NULL},
	COL("column", CT_STR, 0), COL("value", CT_STR, 0), COL("reason", CT_STR, 1),
	COL("record", CT_STR, 0),
};

#define PNL_PARTS                                                                              \
	NUM("total", 1), NUM("theta", 1), NUM("delta", 1), NUM("gamma", 1), NUM("vega", 1),   \
		NUM("fx", 1), NUM("new", 1), NUM("amended", 1), NUM("cancelled", 1), NUM("cash", 1), \
		NUM("unexplained", 1)
static const formats_col pnl_cols[] = {
	COL("trade_id", CT_ID, 1),
	COL("book", CT_ID, 1),
	COL("desk", CT_ID, 1),
	COL("commodity", CT_ID, 1),
	COL("curve", CT_ID, 1),
	COL("currency", CT_CCY, 1),
	{"change", CT_ENUM, 1, V("unchanged", "new", "amended", "cancelled", "matured"), 0, 0, 0, NULL},
	NUM("v0", 1),
	NUM("v1", 1),
	PNL_PARTS,
};

static const formats_col pnl_explain_cols[] = {
	{"level", CT_ENUM, 1, V("all", "book", "desk", "commodity", "risk_curve"), 0, 0, 0, NULL},
	COL("key", CT_ID, 1),
	COL("currency", CT_CCY, 1),
	{"trades", CT_INT, 1, NULL, 0, 2147483647, 0, NULL},
	PNL_PARTS,
};

/* qe-report remit: one row per reportable trade version (REMIT Table 1 /
 * EMIR), rejects of the versions that cannot be reported */
static const formats_col remit_report_cols[] = {
	COL("uti", CT_UTI, 1),
	COL("trade_id", CT_ID, 1),
	{"version", CT_INT, 1, NULL, 1, 2147483647, 0, NULL},
	{"action_type", CT_ENUM, 1, V("new", "modify", "cancel"), 0, 0, 0, NULL},
	{"action_code", CT_ENUM, 1, V("N", "M", "C"), 0, 0, 0, NULL},
	COL("reporting_lei", CT_LEI, 1),
	COL("other_lei", CT_LEI, 1),
	COL("counterparty", CT_ID, 1),
	{"side", CT_ENUM, 1, V("buy", "sell"), 0, 0, 0, NULL},
	COL("book", CT_ID, 1),
	COL("trader", CT_ID, 1),
	{"instrument", CT_ENUM, 1, instruments, 0, 0, 0, NULL},
	COL("curve", CT_ID, 1),
	COL("commodity", CT_ID, 1),
	{"delivery_start", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"delivery_end", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	COL("shape", CT_ID, 0),
	NUM("price", 1),
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
	NUM("quantity", 1),
	COL("quantity_unit", CT_ID, 1),
	NUM("total_quantity", 1),
	COL("total_unit", CT_ID, 1),
	NUM("notional", 1),
	{"notional_currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
	COL("exec_time", CT_EXECTS, 1),
	COL("event_time", CT_EXECTS, 1),
	COL("venue", CT_MIC, 1),
	{"option_type", CT_ENUM, 0, V("call", "put"), 0, 0, 0, NULL},
	NUM("strike", 0),
	{"expiry", CT_DATE, 0, NULL, 0, 0, 0, NULL},
};
static const formats_col remit_rejects_cols[] = {
	COL("trade_id", CT_ID, 1),
	{"version", CT_INT, 0, NULL, 1, 2147483647, 0, NULL},
	{"line", CT_INT, 1, NULL, 1, BIG, 0, NULL},
	COL("column", CT_STR, 0),
	COL("value", CT_STR, 0),
	COL("reason", CT_STR, 1),
};

/* qe-report cot: open interest in lots by commodity and trader category */
static const formats_col cot_report_cols[FMT_COT_N] = {
	{"asof", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	COL("commodity", CT_ID, 1),
	{"category", CT_ENUM, 1,
	 V("producer_merchant", "swap_dealer", "managed_money", "other_reportable", "nonreportable"), 0, 0, 0, NULL},
	{"traders", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	{"long", CT_NUM, 1, NULL, 0, BIG, 0, NULL},
	{"short", CT_NUM, 1, NULL, 0, BIG, 0, NULL},
	{"spreading", CT_NUM, 1, NULL, 0, BIG, 0, NULL},
	{"open_interest", CT_NUM, 1, NULL, 0, BIG, 0, NULL},
	NUM("long_change", 0),
	NUM("short_change", 0),
	NUM("spreading_change", 0),
};

static const formats_col debtor_accounts_cols[] = {
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
	COL("iban", CT_ID, 1),
	COL("bic", CT_ID, 1),
	COL("name", CT_STR, 1),
};

static const formats_col payment_rejects_cols[] = {
	COL("counterparty", CT_ID, 1),
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
	COL("value_date", CT_DATE, 1),
	INT("amount_minor", 1),
	COL("source", CT_STR, 1),
	COL("reason", CT_STR, 1),
};

static const formats_col hedge_proposal_cols[] = {
	COL("instrument", CT_ID, 1),
	COL("curve", CT_CURVE, 1),
	COL("month", CT_STR, 1),
	INT("lots", 1),
	NUM("quantity", 1),
	NUM("cost", 1),
};

static const formats_col hedge_summary_cols[] = {
	OPT_SUMMARY_COLS,
	NUM("variance_before", 0),
	NUM("variance_after", 0),
	NUM("var_before", 0),
	NUM("var_after", 0),
	NUM("hedge_cost", 0),
	NUM("relaxed_variance", 0),
	NUM("confidence", 0),
	INT("mapped_rows", 0),
	NUM("mapped_abs_delta", 0),
	INT("uncovered_factors", 0),
	NUM("uncovered_abs_delta", 0),
	INT("expired_menu_rows", 0),
	COL("currency", CT_CCY, 0),
};

static const formats_col portfolio_summary_cols[] = {
	OPT_SUMMARY_COLS,
	{"selected", CT_INT, 0, NULL, 0, BIG, 0, NULL},
	NUM("spent", 0),
	NUM("budget", 0),
	{"feasible", CT_INT, 0, NULL, 0, 1, 0, NULL},
	NUM("penalty", 0),
	NUM("relaxed_objective", 0),
};

static const formats_col assets_cols[] = {
	COL("asset", CT_ID, 1),
	NUM("expected_return", 1),
	NUM("price", 1),
};

static const formats_col asset_cov_cols[] = {
	COL("asset1", CT_ID, 1),
	COL("asset2", CT_ID, 1),
	NUM("cov", 1),
};

static const formats_col selection_cols[] = {
	COL("asset", CT_ID, 1),
	{"selected", CT_INT, 1, NULL, 0, 1, 0, NULL},
	NUM("price", 1),
	NUM("expected_return", 1),
};

/* qe-settle ledger (settle/ledger.h checks the values itself) */
#define LEDGER_KIND {"kind", CT_ENUM, 1, V("issue", "transfer", "surrender", "retire"), 0, 0, 0, NULL}
#define LEDGER_MOVE_COLS \
	COL("from_account", CT_ID, 0), \
	COL("to_account", CT_ID, 0), \
	COL("unit", CT_ID, 1), \
	{"vintage", CT_INT, 1, NULL, 1990, 2199, 0, NULL}, \
	{"quantity", CT_INT, 1, NULL, 1, 1e15, 0, NULL}, \
	{"serial_first", CT_INT, 1, NULL, 1, 1e15, 0, NULL}, \
	{"serial_last", CT_INT, 1, NULL, 1, 1e15, 0, NULL}, \
	COL("reference", CT_STR, 0)
#define LEDGER_ENTRY_COLS \
	{"seq", CT_INT, 1, NULL, 1, BIG, 0, NULL}, \
	COL("time", CT_STR, 1), \
	LEDGER_KIND, \
	LEDGER_MOVE_COLS, \
	COL("signer", CT_STR, 1)

static const formats_col ledger_cols[] = {
	LEDGER_ENTRY_COLS,
	COL("prev_hash", CT_STR, 1),
	COL("hash", CT_STR, 1),
	COL("signature", CT_STR, 1),
};

static const formats_col ledger_entries_cols[] = {LEDGER_ENTRY_COLS};

static const formats_col ledger_requests_cols[] = {LEDGER_KIND, LEDGER_MOVE_COLS};

static const formats_col ledger_checkpoint_cols[] = {
	{"entries", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	COL("head", CT_STR, 1),
};

static const formats_col ledger_balance_cols[] = {
	COL("account", CT_ID, 1),
	COL("unit", CT_ID, 1),
	{"vintage", CT_INT, 1, NULL, 1990, 2199, 0, NULL},
	{"held", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	{"surrendered", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	{"retired", CT_INT, 1, NULL, 0, BIG, 0, NULL},
};

static const char *const sentiment_labels[] = {"positive", "negative", "neutral", NULL};

static const formats_col sentiment_cols[] = {
	{"timestamp", CT_TS, 1, NULL, 0, 0, 0, NULL},
	COL("source", CT_ID, 1),
	COL("headline", CT_STR, 1),
	{"score", CT_NUM, 1, NULL, -1, 1, 0, NULL},
	{"label", CT_ENUM, 1, sentiment_labels, 0, 0, 0, NULL},
	COL("commodities", CT_STR, 0),
};

static const formats_col sentiment_daily_cols[] = {
	COL("date", CT_DATE, 1),
	COL("commodity", CT_ID, 1),
	{"n", CT_INT, 1, NULL, 1, BIG, 0, NULL},
	{"mean_score", CT_NUM, 1, NULL, -1, 1, 0, NULL},
	{"pos", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	{"neg", CT_INT, 1, NULL, 0, BIG, 0, NULL},
	{"neu", CT_INT, 1, NULL, 0, BIG, 0, NULL},
};

static const formats_col sentiment_lexicon_cols[] = {
	COL("term", CT_STR, 1),
	{"kind", CT_ENUM, 1, V("polar", "up", "down", "supply", "demand", "price", "negator", "intensifier"),
	 0, 0, 0, NULL},
	NUM("weight", 0),
};

static const formats_col sentiment_commodities_cols[] = {
	COL("keyword", CT_STR, 1),
	COL("commodity", CT_ID, 1),
};

#define N(a) ((int)(sizeof a / sizeof a[0]))
#define K(...) N(((const int[]){__VA_ARGS__})), ((const int[]){__VA_ARGS__})
#define T(kind, name, section, cols) kind, name, section, N(cols), cols

static const formats_table tables[FMT_COUNT] = {
	{T(FMT_TRADES, "trades", "TRADES", trades_cols), K(0)},
	{T(FMT_PRICES, "prices", "PRICES", prices_cols), K(0, 1, 2, 3)},
	{T(FMT_FIXINGS, "fixings", "FIXINGS", fixings_cols), K(0, 1)},
	{T(FMT_VOLS, "vols", "VOLATILITIES", vols_cols), K(0, 1, 2, 3, 4, 6)},
	{T(FMT_RATES, "rates", "RATES", rates_cols), K(0, 1, 2)},
	{T(FMT_HISTORY, "history", "HISTORY", history_cols), K(0, 1, 2)},
	{T(FMT_COUNTERPARTIES, "counterparties", "COUNTERPARTIES", cpty_cols), K(0)},
	{T(FMT_LIMITS, "limits", "LIMITS", limits_cols), K(0)},
	{T(FMT_METERS, "meters", "METERS", meters_cols), 0, NULL},
	{T(FMT_WEATHER, "weather", "WEATHER", weather_cols), K(0, 1)},
	{T(FMT_MARKETS, "markets", "MARKETS", markets_cols), K(0)},
	{T(FMT_FX_HISTORY, "fx_history", "FX HISTORY", fx_history_cols), K(0, 1)},
	{T(FMT_METER_PERIODS, "meter_periods", "METER PERIODS", periods_cols), K(0, 1)},
	{T(FMT_VOL_HISTORY, "vol-history", "VOL HISTORY", vol_history_cols), K(0, 1, 2)},
	{T(FMT_HEADLINES, "headlines", "HEADLINES", headlines_cols), 0, NULL},
	{T(FMT_REJECTS, "rejects", "REJECTS", rejects_cols), 0, NULL},
	{T(FMT_MANIFEST, "manifest", "RUN MANIFEST", manifest_cols), K(0, 1)},
	{T(FMT_VALUATIONS, "valuations", "VALUATIONS", valuations_cols), K(0)},
	{T(FMT_SENSITIVITIES, "sensitivities", "SENSITIVITIES", sensitivities_cols), K(0, 2, 3, 4, 10, 11)},
	{T(FMT_LADDER, "ladder", "LADDER", ladder_cols), K(0, 1, 2)},
	{T(FMT_PRICE_ERRORS, "price_errors", "PRICE ERRORS", price_errors_cols), K(0)},
	{T(FMT_VAR, "var", "VAR RESULTS", var_cols), K(0, 1, 2, 3, 7)},
	{T(FMT_VAR_MEASURES, "var_measures", "VAR RESULTS", var_measures_cols), K(0, 1)},
	{T(FMT_PNL_CUBE, "pnl_cube", "PNL CUBE", pnl_cube_cols), K(0, 1)},
	{T(FMT_COV, "cov", "COVARIANCE", cov_cols), K(0, 1)},
	{T(FMT_VAR_SERIES, "var_series", "VAR SERIES", var_series_cols), K(0)},
	{T(FMT_BACKTEST, "backtest", "BACKTEST", backtest_cols), 0, NULL},
	{T(FMT_PLA, "pla", "PNL ATTRIBUTION", pla_cols), K(1)},
	{T(FMT_VAR_COMPONENTS, "var_components", "VAR COMPONENTS", var_components_cols), K(0, 1, 2, 8)},
	{T(FMT_FX_RATES, "fx_rates", "FX RATES", fx_rates_cols), K(0)},
	{T(FMT_STRESS_SHOCKS, "stress_shocks", "STRESS SHOCKS", stress_shocks_cols), K(0, 1, 2)},
	{T(FMT_STRESS_WINDOWS, "stress_windows", "STRESS WINDOWS", stress_windows_cols), K(0)},
	{T(FMT_EDGES, "edges", "OPTIMIZATION PROBLEMS", edges_cols), K(0, 1)},
	{T(FMT_COUPLINGS, "couplings", "OPTIMIZATION PROBLEMS", couplings_cols), K(0, 1)},
	{T(FMT_FIELDS, "fields", "OPTIMIZATION PROBLEMS", fields_cols), K(0)},
	{T(FMT_SOLUTION, "solution", "SOLUTIONS", solution_cols), K(0)},
	{T(FMT_OPT_SUMMARY, "opt_summary", "OPTIMIZATION SUMMARY", opt_summary_cols), 0, NULL},
	{T(FMT_HEDGE_MENU, "hedge_menu", "HEDGE MENU", hedge_menu_cols), K(0)},
	{T(FMT_HEDGE_PROPOSAL, "hedge_proposal", "HEDGE PROPOSAL", hedge_proposal_cols), K(0)},
	{T(FMT_HEDGE_SUMMARY, "hedge_summary", "OPTIMIZATION SUMMARY", hedge_summary_cols), 0, NULL},
	{T(FMT_PORTFOLIO_SUMMARY, "portfolio_summary", "OPTIMIZATION SUMMARY", portfolio_summary_cols), 0,
	 NULL},
	{T(FMT_ASSETS, "assets", "ASSETS", assets_cols), K(0)},
	{T(FMT_ASSET_COV, "asset_cov", "ASSETS", asset_cov_cols), K(0, 1)},
	{T(FMT_SELECTION, "selection", "ASSETS", selection_cols), K(0)},
	{T(FMT_WHATIF, "whatif", "WHATIF", whatif_cols), K(0, 1)},
	{T(FMT_BREACHES, "breaches", "BREACHES", breaches_cols), 0, NULL},
	{T(FMT_SHARIA_PROFILES, "sharia_profiles", "SHARIA PROFILES", sharia_profiles_cols), K(0, 1)},
	{T(FMT_SHARIA_INSTRUMENTS, "sharia_instruments", "SHARIA INSTRUMENTS", sharia_instruments_cols), K(0)},
	{T(FMT_SPOT_LIMITS, "spot_month_limits", "SPOT-MONTH LIMITS", spot_limits_cols), K(0, 1)},
	{T(FMT_TRADER_MANDATES, "trader_mandates", "TRADER MANDATES", trader_mandates_cols), K(0)},
	{T(FMT_POSITION_LEVELS, "position_levels", "POSITION LEVELS", position_levels_cols), K(0, 1)},
	{T(FMT_SCREEN_THRESHOLDS, "screen_thresholds", "SCREEN THRESHOLDS", screen_thresholds_cols), K(0, 1, 2)},
	{T(FMT_ISLAMIC_TERMS, "islamic_terms", "ISLAMIC TERMS", islamic_terms_cols), K(0)},
	{T(FMT_CURRENCIES, "currencies", "CURRENCIES", currencies_cols), K(0)},
	{T(FMT_PAYMENT_TERMS, "payment_terms", "PAYMENT TERMS", payment_terms_cols), K(0, 1)},
	{T(FMT_SETTLE_FLOWS, "settlement_flows", "SETTLEMENT FLOWS", settle_flows_cols), 0, NULL},
	{T(FMT_SETTLE_PAYMENTS, "settlement_payments", "SETTLEMENT PAYMENTS", settle_payments_cols), 0,
	 NULL},
	{T(FMT_INVOICES, "invoices", "INVOICES", invoices_cols), 0, NULL},
	{T(FMT_DEBTOR_ACCOUNTS, "debtor_accounts", "DEBTOR ACCOUNTS", debtor_accounts_cols), K(0)},
	{T(FMT_PAYMENT_REJECTS, "payment_rejects", "PAYMENT REJECTS", payment_rejects_cols), 0, NULL},
	{T(FMT_GARCH, "garch", "GARCH FIT", garch_cols), K(0)},
	{T(FMT_GARCH_FORECAST, "garch_forecast", "GARCH FORECAST", garch_forecast_cols), K(0, 1)},
	{T(FMT_REGRESSION, "regression", "REGRESSION", regression_cols), K(0)},
	{T(FMT_REGRESSION_FIT, "regression_fit", "REGRESSION", regression_fit_cols), 0, NULL},
	{T(FMT_SENTIMENT, "sentiment", "SENTIMENT", sentiment_cols), 0, NULL},
	{T(FMT_SENTIMENT_DAILY, "sentiment_daily", "SENTIMENT", sentiment_daily_cols), K(0, 1)},
	{T(FMT_SENTIMENT_LEXICON, "sentiment_lexicon", "SENTIMENT LEXICON", sentiment_lexicon_cols), K(0)},
	{T(FMT_SENTIMENT_COMMODITIES, "sentiment_commodities", "SENTIMENT LEXICON", sentiment_commodities_cols),
	 K(0, 1)},
	{T(FMT_HW_FORECAST, "hw_forecast", "HOLT-WINTERS", hw_forecast_cols), K(0)},
	{T(FMT_HW_FITTED, "hw_fitted", "HOLT-WINTERS", hw_fitted_cols), K(0)},
	{T(FMT_HW_SUMMARY, "hw_summary", "HOLT-WINTERS", hw_summary_cols), 0, NULL},
	{T(FMT_HW_INIT, "hw_init", "HOLT-WINTERS INIT", hw_init_cols), K(0, 1)},
	{T(FMT_LOAD, "load", "LOAD", load_cols), K(0, 1)},
	{T(FMT_DEMAND_FORECAST, "demand_forecast", "DEMAND FORECAST", demand_forecast_cols), K(0)},
	{T(FMT_FORECAST_BACKTEST, "forecast_backtest", "FORECAST BACKTEST", forecast_backtest_cols), K(0)},
	{T(FMT_LEDGER, "ledger", "LEDGER", ledger_cols), K(0)},
	{T(FMT_LEDGER_REQUESTS, "ledger_requests", "LEDGER REQUESTS", ledger_requests_cols), 0, NULL},
	{T(FMT_LEDGER_CHECKPOINT, "ledger_checkpoint", "LEDGER CHECKPOINT", ledger_checkpoint_cols), 0, NULL},
	{T(FMT_LEDGER_BALANCE, "ledger_balance", "LEDGER BALANCE", ledger_balance_cols), K(0, 1, 2)},
	{T(FMT_LEDGER_ENTRIES, "ledger_entries", "LEDGER", ledger_entries_cols), K(0)},
	{T(FMT_SPAN_RANGES, "span_ranges", "SPAN RANGES", span_ranges_cols), K(0)},
	{T(FMT_MARGIN, "margin", "MARGIN", margin_cols), K(0, 1)},
	{T(FMT_MARGIN_SCENARIOS, "margin_scenarios", "MARGIN", margin_scenarios_cols), K(0, 2, 3)},
	{T(FMT_POSITION_REPORT, "position_report", "POSITION REPORT", position_report_cols), K(0, 1, 2, 3)},
	{T(FMT_RISK_REPORT, "risk_report", "RISK REPORT", risk_report_cols), 0, NULL},
	{T(FMT_FEED_REJECTS, "feed_rejects", "FEED REJECTS", feed_rejects_cols), 0, NULL},
	{T(FMT_PNL, "pnl", "PNL", pnl_cols), K(0)},
	{T(FMT_PNL_EXPLAIN, "pnl_explain", "PNL EXPLAIN", pnl_explain_cols), K(0, 1)},
	{T(FMT_REMIT_REPORT, "remit_report", "REMIT REPORT", remit_report_cols), K(1, 2)},
	{T(FMT_REMIT_REJECTS, "remit_rejects", "REMIT REPORT", remit_rejects_cols), 0, NULL},
	{T(FMT_COT_REPORT, "cot_report", "COT REPORT", cot_report_cols), K(1, 2)},
	{T(FMT_AUDIT_LOG, "audit_log", "AUDIT LOG", audit_log_cols), K(0)},
	{T(FMT_EOD_ALERTS, "eod_alerts", "EOD ALERTS", eod_alerts_cols), 0, NULL},
};

const formats_table *formats_get(int kind)
{
	return kind >= 0 && kind < FMT_COUNT ? &tables[kind] : NULL;
}

const formats_table *formats_find(const char *name)
{
	for (int i = 0; i < FMT_COUNT; i++)
		if (strcmp(tables[i].name, name) == 0)
			return &tables[i];
	return NULL;
}

int formats_colidx(const formats_table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return i;
	return -1;
}

const char *formats_colname(int kind, int col)
{
	const formats_table *t = formats_get(kind);
	return t && col >= 0 && col < t->ncols ? t->cols[col].name : NULL;
}
