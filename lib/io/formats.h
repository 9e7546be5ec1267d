/*
 * formats: the data contract of qe-formats(5) as tables - every file kind
 * the tools read or write (inputs, the canonical outputs of qe-ingest,
 * and the outputs of qe-price, qe-var and qe-optimize), each with its
 * columns in header order (name, type, required flag, enumerated values,
 * range, units) and its key columns, and the one schema version of the
 * whole contract.
 *
 * It is the one place a column name is spelt: the ingest validator
 * (ingest/schema.h) checks rows against these tables, writers take their
 * headers and HDF5 column specs from them (csvw_header_of, h5tab_colspecs)
 * and readers look their columns up by the index enums below.  A unit
 * test checks the tables against man/qe-formats.5.
 *
 * Owns nothing: the tables are static and read-only, so any thread may
 * read them.  Never prints, never exits, never allocates.
 */
#ifndef QE_FORMATS_H
#define QE_FORMATS_H

/* The schema version of qe-formats(5) ("schema version 5"), written as
 * the schema_version attribute of every HDF5 table.  2: every output of
 * qe-var carries an asof column.  3: the history gains the contract month
 * of each quote (contract column).  4: SENSITIVITIES gain theta, curve2,
 * tenor2 (cross-gamma rows); qe-var pla's PNL ATTRIBUTION.  5: FX HISTORY
 * (date,currency,rate), the FX:CCY risk factors of qe-var --fx-history.
 * 3 also: the volatility history (VOL HISTORY) and the factors
 * VOL:CURVE:TENOR.  6: COUNTERPARTIES gain beneficial_owner, parent,
 * market_cap_24m, market_cap_36m, iban, bic (optional); the files of
 * qe-screen, qe-settle, qe-forecast and qe-report added since 5 (headlines,
 * load, mandates, position levels, Islamic terms, thresholds, accounts,
 * scan ranges, margin, pay rejects, reports). */
#define FORMATS_VERSION 6

/* Column types: what a value must look like (the validator's rules,
 * ingest/schema.h) and how it is stored in HDF5 (h5tab_kind_of). */
enum formats_type {
	CT_STR = 1, /* free text */
	CT_ID,      /* identifier: no leading/trailing blanks */
	CT_ENUM,    /* one of values[], case-insensitive, written as listed */
	CT_UNIT,    /* quantity unit: values[] plus convertible spellings */
	CT_CCY,     /* ISO 4217 code: three letters, written upper case */
	CT_COUNTRY, /* ISO 3166 alpha-2: two letters, upper case */
	CT_CURVE,   /* a curve of the markets file (when one is loaded) */
	CT_NUM,     /* finite decimal number within [lo, hi] */
	CT_INT,     /* integer within [lo, hi] */
	CT_DATE,    /* YYYY-MM-DD */
	CT_TS,      /* YYYY-MM-DDTHH:MM:SS+HH:MM */
	CT_LEI,     /* ISO 17442, MOD 97-10 check digits */
	CT_ZONE,    /* IANA time zone name */
	CT_UTI,     /* ISO 23897 UTI: an LEI then up to 32 of 0-9 A-Z (core/regid) */
	CT_MIC,     /* ISO 10383 market identifier code: 4 of 0-9 A-Z */
	CT_EXECTS,  /* YYYY-MM-DDTHH:MM:SS[.fraction]+HH:MM, kept as written */
	CT_IDLIST   /* identifiers joined by ';' or '+' (a list of names), free-text long */
};

typedef struct formats_col {
	const char *name;
	int type;                   /* enum formats_type */
	int required;               /* 1: non-empty value and header column required */
	const char *const *values;  /* CT_ENUM / CT_UNIT: NULL-terminated */
	double lo, hi;              /* CT_NUM / CT_INT: inclusive range */
	int lo_open;                /* 1: value must be > lo */
	const char *units;          /* units attribute in HDF5, or NULL */
} formats_col;

/* The file kinds, in the order of their tables.  The first FMT_NINGEST
 * are the ones qe-ingest validates (schema.h). */
enum formats_kind {
	FMT_TRADES,
	FMT_PRICES,
	FMT_FIXINGS,
	FMT_VOLS,
	FMT_RATES,
	FMT_HISTORY,
	FMT_COUNTERPARTIES,
	FMT_LIMITS,
	FMT_METERS,
	FMT_WEATHER,
	FMT_MARKETS,
	FMT_FX_HISTORY,    /* qe-var --fx-history */
	FMT_METER_PERIODS, /* qe-ingest meters output */
	FMT_VOL_HISTORY,   /* qe-ingest vol-history, qe-var --vol-history */
	FMT_HEADLINES,     /* news headlines: qe-ingest, qe-forecast sentiment */
	FMT_NINGEST,
	FMT_REJECTS = FMT_NINGEST, /* qe-ingest --rejects */
	FMT_MANIFEST,              /* the end-of-day run manifest */
	FMT_VALUATIONS,            /* qe-price */
	FMT_SENSITIVITIES,
	FMT_LADDER,
	FMT_PRICE_ERRORS,
	FMT_VAR,                   /* qe-var hs, param, mc */
	FMT_VAR_MEASURES,
	FMT_PNL_CUBE,
	FMT_COV,
	FMT_VAR_SERIES,
	FMT_BACKTEST,
	FMT_PLA,                   /* qe-var pla */
	FMT_VAR_COMPONENTS,
	FMT_FX_RATES,              /* read by qe-var and qe-optimize hedge */
	FMT_STRESS_SHOCKS,
	FMT_STRESS_WINDOWS,
	FMT_EDGES,                 /* qe-optimize problems as CSV */
	FMT_COUPLINGS,
	FMT_FIELDS,
	FMT_SOLUTION,
	FMT_OPT_SUMMARY,
	FMT_HEDGE_MENU,
	FMT_HEDGE_PROPOSAL,
	FMT_HEDGE_SUMMARY,
	FMT_PORTFOLIO_SUMMARY,
	FMT_ASSETS,
	FMT_ASSET_COV,
	FMT_SELECTION,
	FMT_WHATIF,                /* qe-var whatif */
	FMT_BREACHES,              /* qe-screen check */
	FMT_SHARIA_PROFILES,       /* read by qe-screen check */
	FMT_SHARIA_INSTRUMENTS,
	FMT_SPOT_LIMITS,
	FMT_TRADER_MANDATES,       /* qe-screen check --mandates */
	FMT_POSITION_LEVELS,       /* qe-screen check --levels */
	FMT_SCREEN_THRESHOLDS,     /* qe-screen check: abuse, quality, Islamic terms */
	FMT_ISLAMIC_TERMS,
	FMT_CURRENCIES,            /* qe-settle's reference data */
	FMT_PAYMENT_TERMS,
	FMT_SETTLE_FLOWS,          /* qe-settle flows, net, invoice */
	FMT_SETTLE_PAYMENTS,
	FMT_INVOICES,
	FMT_DEBTOR_ACCOUNTS,       /* qe-settle pay: our accounts, its rejects */
	FMT_PAYMENT_REJECTS,
	FMT_GARCH,                 /* qe-forecast garch */
	FMT_GARCH_FORECAST,
	FMT_REGRESSION,            /* qe-forecast regress */
	FMT_REGRESSION_FIT,
	FMT_SENTIMENT,             /* qe-forecast sentiment */
	FMT_SENTIMENT_DAILY,
	FMT_SENTIMENT_LEXICON,     /* read by qe-forecast sentiment */
	FMT_SENTIMENT_COMMODITIES,
	FMT_HW_FORECAST,           /* qe-forecast hw */
	FMT_HW_FITTED,
	FMT_HW_SUMMARY,
	FMT_HW_INIT,               /* qe-forecast hw --init */
	FMT_LOAD,                  /* qe-synth: hourly load by zone */
	FMT_DEMAND_FORECAST,       /* qe-forecast demand --forecast */
	FMT_FORECAST_BACKTEST,     /* qe-forecast backtest */
	FMT_LEDGER,                /* qe-settle ledger: the ledger file */
	FMT_LEDGER_REQUESTS,       /* qe-settle ledger append's input */
	FMT_LEDGER_CHECKPOINT,
	FMT_LEDGER_BALANCE,        /* qe-settle ledger balance */
	FMT_LEDGER_ENTRIES,        /* qe-settle ledger show */
	FMT_SPAN_RANGES,           /* qe-settle margin: scan ranges (read) */
	FMT_MARGIN,                /* qe-settle margin */
	FMT_MARGIN_SCENARIOS,
	FMT_POSITION_REPORT,       /* qe-report position */
	FMT_RISK_REPORT,           /* qe-report risk */
	FMT_FEED_REJECTS,          /* qe-feed: rejected payloads */
	FMT_PNL,                   /* qe-report pnl: by trade */
	FMT_PNL_EXPLAIN,           /* qe-report pnl --explain: roll-ups */
	FMT_REMIT_REPORT,          /* qe-report remit */
	FMT_REMIT_REJECTS,         /* qe-report remit --rejects */
	FMT_COT_REPORT,            /* qe-report cot */
	FMT_AUDIT_LOG,             /* the end-of-day audit log (qe-report audit) */
	FMT_EOD_ALERTS,            /* the end-of-day run's alerts */
	FMT_COUNT
};

typedef struct formats_table {
	int kind;           /* enum formats_kind */
	const char *name;   /* "trades": the HDF5 group and qe-ingest's KIND */
	const char *section; /* the section of qe-formats(5) that describes it */
	int ncols;
	const formats_col *cols;
	int nkey;
	const int *key;     /* key columns (unique per file) */
} formats_table;

/* Column indices of the kinds whose readers address columns one by one. */
enum {
	FMT_TR_ID, FMT_TR_VERSION, FMT_TR_STATUS, FMT_TR_DATE, FMT_TR_BOOK, FMT_TR_TRADER,
	FMT_TR_CPTY, FMT_TR_INSTR, FMT_TR_CURVE, FMT_TR_SIDE, FMT_TR_QTY, FMT_TR_UNIT,
	FMT_TR_PRICE, FMT_TR_CCY, FMT_TR_DSTART, FMT_TR_DEND, FMT_TR_SHAPE, FMT_TR_OTYPE,
	FMT_TR_STRIKE, FMT_TR_EXERCISE, FMT_TR_EXPIRY, FMT_TR_AVGS, FMT_TR_AVGE, FMT_TR_CURVE2,
	FMT_TR_RATIO, FMT_TR_MODEL, FMT_TR_UTI, FMT_TR_VENUE, FMT_TR_EXEC_TIME, FMT_TR_N
};
enum { FMT_PR_CURVE, FMT_PR_ASOF, FMT_PR_DSTART, FMT_PR_DEND, FMT_PR_PRICE, FMT_PR_UNIT, FMT_PR_CCY };
enum { FMT_FI_CURVE, FMT_FI_DATE, FMT_FI_PRICE };
enum { FMT_VO_CURVE, FMT_VO_ASOF, FMT_VO_DSTART, FMT_VO_DEND, FMT_VO_STRIKE, FMT_VO_VOL, FMT_VO_TYPE };
enum { FMT_RA_CCY, FMT_RA_ASOF, FMT_RA_DATE, FMT_RA_RATE };
enum { FMT_ME_ID, FMT_ME_TS, FMT_ME_INTERVAL, FMT_ME_ENERGY, FMT_ME_UNIT, FMT_ME_QUALITY };
enum { FMT_WE_STATION, FMT_WE_DATE, FMT_WE_TMIN, FMT_WE_TMAX, FMT_WE_TMEAN };
enum { FMT_HI_DATE, FMT_HI_CURVE, FMT_HI_TENOR, FMT_HI_CONTRACT, FMT_HI_PRICE };
enum {
	FMT_MK_CURVE, FMT_MK_COMMODITY, FMT_MK_VENUE, FMT_MK_UNIT, FMT_MK_CCY, FMT_MK_TZ, FMT_MK_CAL,
	FMT_MK_SHAPE, FMT_MK_LOT, FMT_MK_RETURNS, FMT_MK_MODEL
};
enum { FMT_FX_CCY, FMT_FX_RATE };
enum { FMT_VH_DATE, FMT_VH_CURVE, FMT_VH_CONTRACT, FMT_VH_VOL, FMT_VH_TYPE };
enum { FMT_FH_DATE, FMT_FH_CCY, FMT_FH_RATE };
enum { FMT_HL_TS, FMT_HL_SOURCE, FMT_HL_HEADLINE };
enum { FMT_SL_TERM, FMT_SL_KIND, FMT_SL_WEIGHT };
enum { FMT_SC_KEYWORD, FMT_SC_COMMODITY };
enum {
	FMT_COT_ASOF, FMT_COT_COMMODITY, FMT_COT_CATEGORY, FMT_COT_TRADERS, FMT_COT_LONG, FMT_COT_SHORT,
	FMT_COT_SPREADING, FMT_COT_OI, FMT_COT_LONG_CHG, FMT_COT_SHORT_CHG, FMT_COT_SPREADING_CHG, FMT_COT_N
};

/* The table of a kind; NULL if kind is out of range. */
const formats_table *formats_get(int kind);
/* By name ("trades", "valuations", ...); NULL if unknown. */
const formats_table *formats_find(const char *name);
/* Index of a column by name, or -1. */
int formats_colidx(const formats_table *t, const char *name);
/* Name of column col of kind (a valid pair: a bug otherwise, NULL). */
const char *formats_colname(int kind, int col);

#endif
