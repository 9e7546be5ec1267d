#include "ingest/schema.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/csvio.h"
#include "core/date.h"
#include "core/keyset.h"
#include "core/num.h"
#include "time/tz.h"

#define V(...) ((const char *const[]){__VA_ARGS__, NULL})
#define BIG DBL_MAX

/* --- the tables of qe-formats(5) ---------------------------------------- */

static const char *const trade_units[] = {"MMBtu", "bbl", "MWh", "t", "gal", "MW", "MMBtu/d", "lots", NULL};
static const char *const market_units[] = {"MMBtu", "bbl", "MWh", "t", "gal", NULL};
static const char *const meter_units[] = {"kWh", "m3", NULL};
static const char *const shapes[] = {"base", "peak", "offpeak", "5x16", "2x16", "7x8", "7x24", "gasday", NULL};

/* Spellings converted to a canonical unit: quantity x factor. */
static const struct unit_alias {
	const char *from, *to;
	double factor;
} unit_aliases[] = {
	{"kWh", "MWh", 1e-3}, {"GWh", "MWh", 1e3}, {"therm", "MMBtu", 0.1},
	{"kbbl", "bbl", 1e3}, {"tCO2", "t", 1},    {"tCO2e", "t", 1},
	{"Wh", "kWh", 1e-3},  {"m³", "m3", 1},
};

enum {
	TR_ID, TR_VERSION, TR_STATUS, TR_DATE, TR_BOOK, TR_TRADER, TR_CPTY, TR_INSTR, TR_CURVE,
	TR_SIDE, TR_QTY, TR_UNIT, TR_PRICE, TR_CCY, TR_DSTART, TR_DEND, TR_SHAPE, TR_OTYPE,
	TR_STRIKE, TR_EXERCISE, TR_EXPIRY, TR_AVGS, TR_AVGE, TR_CURVE2, TR_RATIO, TR_MODEL, TR_N
};

static const schema_col trades_cols[TR_N] = {
	{"trade_id", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"version", CT_INT, 1, NULL, 1, 2147483647, 0, NULL},
	{"status", CT_ENUM, 1, V("new", "amend", "cancel"), 0, 0, 0, NULL},
	{"trade_date", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"book", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"trader", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"counterparty", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"instrument", CT_ENUM, 1,
	 V("future", "forward", "swap", "physical", "option", "asian", "spread", "spot"), 0, 0, 0, NULL},
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
};

static const schema_col prices_cols[] = {
	{"curve", CT_CURVE, 1, NULL, 0, 0, 0, NULL},
	{"asof", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"delivery_start", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"delivery_end", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"price", CT_NUM, 1, NULL, -BIG, BIG, 0, NULL},
	{"unit", CT_UNIT, 1, market_units, 0, 0, 0, NULL},
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
};

static const schema_col vols_cols[] = {
	{"curve", CT_CURVE, 1, NULL, 0, 0, 0, NULL},
	{"asof", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"delivery_start", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"delivery_end", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"strike", CT_NUM, 0, NULL, -BIG, BIG, 0, NULL},
	{"vol", CT_NUM, 1, NULL, 0, BIG, 1, NULL},
	{"vol_type", CT_ENUM, 1, V("lognormal", "normal"), 0, 0, 0, NULL},
};

static const schema_col rates_cols[] = {
	{"currency", CT_CCY, 1, NULL, 0, 0, 0, NULL},
	{"asof", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"date", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	/* a zero rate of 1 (100%) or more is a percentage typed by mistake */
	{"rate", CT_NUM, 1, NULL, -0.999999, 0.999999, 0, NULL},
};

static const schema_col fixings_cols[] = {
	{"curve", CT_CURVE, 1, NULL, 0, 0, 0, NULL},
	{"date", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"price", CT_NUM, 1, NULL, -BIG, BIG, 0, NULL},
};

static const schema_col history_cols[] = {
	{"date", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"curve", CT_CURVE, 1, NULL, 0, 0, 0, NULL},
	{"tenor", CT_INT, 1, NULL, 0, 1200, 0, NULL},
	{"price", CT_NUM, 1, NULL, -BIG, BIG, 0, NULL},
};

static const schema_col cpty_cols[] = {
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
};

static const schema_col limits_cols[] = {
	{"limit_id", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"type", CT_ENUM, 1, V("position", "var", "credit", "trader"), 0, 0, 0, NULL},
	{"scope", CT_ENUM, 1, V("firm", "book", "trader", "curve", "counterparty"), 0, 0, 0, NULL},
	{"key", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"metric", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"limit", CT_NUM, 1, NULL, 0, BIG, 0, NULL},
	{"unit", CT_ID, 1, NULL, 0, 0, 0, NULL},
};

enum { ME_ID, ME_TS, ME_INTERVAL, ME_ENERGY, ME_UNIT, ME_QUALITY };
static const schema_col meters_cols[] = {
	{"meter_id", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"timestamp", CT_TS, 1, NULL, 0, 0, 0, NULL},
	{"interval_min", CT_INT, 1, NULL, 1, 60, 0, "min"},
	{"energy", CT_NUM, 0, NULL, -BIG, BIG, 0, NULL},
	{"unit", CT_UNIT, 1, meter_units, 0, 0, 0, NULL},
	{"quality", CT_ENUM, 0, V("A", "E", "M"), 0, 0, 0, NULL},
};

enum { WE_STATION, WE_DATE, WE_TMIN, WE_TMAX, WE_TMEAN };
static const schema_col weather_cols[] = {
	{"station", CT_ID, 1, NULL, 0, 0, 0, NULL},
	{"date", CT_DATE, 1, NULL, 0, 0, 0, NULL},
	{"tmin", CT_NUM, 1, NULL, -90, 60, 0, "degC"},
	{"tmax", CT_NUM, 1, NULL, -90, 60, 0, "degC"},
	{"tmean", CT_NUM, 0, NULL, -90, 60, 0, "degC"},
};

enum { MK_CURVE, MK_COMMODITY, MK_VENUE, MK_UNIT, MK_CCY, MK_TZ, MK_CAL, MK_SHAPE, MK_LOT, MK_RETURNS, MK_MODEL };
static const schema_col markets_cols[] = {
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
};

static const schema_col periods_cols[] = {
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

#define N(a) ((int)(sizeof a / sizeof a[0]))
#define K(...) N(((const int[]){__VA_ARGS__})), ((const int[]){__VA_ARGS__})

static const schema schemas[SK_COUNT] = {
	{SK_TRADES, "trades", TR_N, trades_cols, K(0)},
	{SK_PRICES, "prices", N(prices_cols), prices_cols, K(0, 1, 2, 3)},
	{SK_FIXINGS, "fixings", N(fixings_cols), fixings_cols, K(0, 1)},
	{SK_VOLS, "vols", N(vols_cols), vols_cols, K(0, 1, 2, 3, 4, 6)},
	{SK_RATES, "rates", N(rates_cols), rates_cols, K(0, 1, 2)},
	{SK_HISTORY, "history", N(history_cols), history_cols, K(0, 1, 2)},
	{SK_COUNTERPARTIES, "counterparties", N(cpty_cols), cpty_cols, K(0)},
	{SK_LIMITS, "limits", N(limits_cols), limits_cols, K(0)},
	{SK_METERS, "meters", N(meters_cols), meters_cols, 0, NULL},
	{SK_WEATHER, "weather", N(weather_cols), weather_cols, K(0, 1)},
	{SK_MARKETS, "markets", N(markets_cols), markets_cols, K(0)},
	{SK_METER_PERIODS, "meter_periods", N(periods_cols), periods_cols, K(0, 1)},
};

const schema *schema_get(int kind)
{
	return kind >= 0 && kind < SK_COUNT ? &schemas[kind] : NULL;
}

const schema *schema_find(const char *name)
{
	for (int i = 0; i < SK_COUNT; i++)
		if (strcmp(schemas[i].name, name) == 0)
			return &schemas[i];
	return NULL;
}

int schema_colidx(const schema *s, const char *name)
{
	for (int i = 0; i < s->ncols; i++)
		if (strcmp(s->cols[i].name, name) == 0)
			return i;
	return -1;
}

/* --- strbuf ------------------------------------------------------------- */

static int strbuf_grow(strbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	char *np = realloc(b->p, cap);
	if (!np) {
		b->oom = 1;
		return -1;
	}
	b->p = np;
	b->cap = cap;
	return 0;
}

static inline int strbuf_reserve(strbuf *b, size_t n)
{
	return b->len + n <= b->cap ? 0 : strbuf_grow(b, n);
}

void strbuf_put(strbuf *b, const char *s, size_t n)
{
	if (strbuf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void strbuf_putc(strbuf *b, char c)
{
	if (b->len < b->cap || !strbuf_grow(b, 1))
		b->p[b->len++] = c;
}

/* Decimal text of v into buf (at least 21 bytes); returns the length. */
static int format_int(char *buf, int64_t v)
{
	char tmp[24];
	int n = 0, len = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[len++] = '-';
	while (n)
		buf[len++] = tmp[--n];
	return len;
}

/* num_format_double, with a fast path for integral values: below 1e15 the
 * %.15g form of an integer is its digits. */
static int format_number(char *buf, double x)
{
	if (x == (double)(int64_t)x && fabs(x) < 1e15) {
		if (x == 0)
			return (int)(memcpy(buf, "0", 2), 1);
		return format_int(buf, (int64_t)x);
	}
	return num_format_double(buf, x);
}

void strbuf_free(strbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

static void strbuf_sink(void *b, const char *s, size_t n)
{
	strbuf_put(b, s, n);
}

void strbuf_put_field(strbuf *b, const char *s, size_t n)
{
	csv_quote_field(s, n, strbuf_sink, b);
}

void schema_header(const schema *s, strbuf *out)
{
	for (int i = 0; i < s->ncols; i++) {
		if (i)
			strbuf_putc(out, ',');
		strbuf_put(out, s->cols[i].name, strlen(s->cols[i].name));
	}
	strbuf_putc(out, '\n');
}

/* --- numbers ------------------------------------------------------------- */

int schema_number_is_canonical(const char *s, size_t len)
{
	size_t i = 0, n_int, n_frac = 0, lead_frac_zeros = 0;
	int has_dot = 0;
	if (len && s[0] == '-')
		i = 1;
	size_t is = i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	n_int = i - is;
	if (i < len && s[i] == '.') {
		has_dot = 1;
		size_t fs = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		n_frac = i - fs;
		while (lead_frac_zeros < n_frac && s[fs + lead_frac_zeros] == '0')
			lead_frac_zeros++;
	}
	if (i != len || n_int == 0)
		return 0;
	if (n_int > 1 && s[is] == '0')
		return 0; /* leading zero */
	if (has_dot && (n_frac == 0 || s[len - 1] == '0'))
		return 0; /* "5." or trailing zero */
	int int_is_zero = n_int == 1 && s[is] == '0';
	if (int_is_zero && !has_dot)
		return is == 0; /* "0" yes, "-0" no */
	if (int_is_zero) {
		if (lead_frac_zeros == n_frac)
			return 0; /* 0.0 */
		/* %.15g switches to exponent form below 1e-4 */
		return lead_frac_zeros <= 3 && n_frac - lead_frac_zeros <= 15;
	}
	return n_int + n_frac <= 15;
}

/* --- the curve master ---------------------------------------------------- */

typedef struct market_info {
	char *curve, *unit, *currency, *commodity;
	double lot_size;
} market_info;

struct schema_markets {
	market_info *m;
	int n;
	keyset *index; /* upper-cased curve -> index + 1 */
};

/* upper-cases a curve name of at most 128 bytes into buf */
static void curve_upper(char *buf, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)toupper((unsigned char)s[i]);
}

static const market_info *market_find(const schema_markets *mk, const char *s, size_t len)
{
	char buf[128];
	if (!mk || len > sizeof buf)
		return NULL;
	curve_upper(buf, s, len);
	const keyset_entry *e = keyset_find(mk->index, keyset_hash(buf, len, 0x51ed), buf, len);
	if (!e || !e->a)
		return NULL;
	return &mk->m[e->a - 1];
}

schema_markets *schema_markets_load(const char *path, qe_err *e)
{
	static const char *const need[] = {"curve", "commodity", "unit", "currency", "lot_size"};
	int idx[5];
	double lot;
	csv_reader *r = csvr_open(path, e);
	if (!r)
		return NULL;
	schema_markets *mk = calloc(1, sizeof *mk);
	int cap = 0, rc;
	if (!mk || !(mk->index = keyset_new(256))) {
		free(mk);
		csvr_close(r);
		qe_err_set(e, QE_INTERNAL, "%s: out of memory", path);
		return NULL;
	}
	if (csvr_require(r, need, 5, idx, e))
		goto fail;
	while ((rc = csvr_next(r, e)) != CSVR_EOF) {
		if (rc != CSVR_ROW)
			goto fail;
		const char *curve = csvr_get_str(r, idx[0], e);
		if (!curve || !csvr_get_str(r, idx[1], e) || !csvr_get_str(r, idx[2], e) ||
		    !csvr_get_str(r, idx[3], e) || csvr_get_double(r, idx[4], &lot, e))
			goto fail;
		if (!(lot > 0)) {
			csvr_field_error(r, idx[4], e, "must be > 0 '%s'", csvr_field(r, idx[4], NULL));
			goto fail;
		}
		int found;
		size_t clen = strlen(curve);
		if (clen > 128) {
			csvr_field_error(r, idx[0], e, "longer than 128 bytes '%s'", curve);
			goto fail;
		}
		char ubuf[128];
		curve_upper(ubuf, curve, clen);
		keyset_entry *ke = keyset_upsert(mk->index, keyset_hash(ubuf, clen, 0x51ed), ubuf, clen, &found);
		if (!ke) {
			qe_err_set(e, QE_INTERNAL, "%s: out of memory", path);
			goto fail;
		}
		if (found && ke->a) {
			csvr_field_error(r, idx[0], e, "duplicate curve '%s'", curve);
			goto fail;
		}
		if (mk->n == cap) {
			cap = cap ? cap * 2 : 32;
			market_info *nm = realloc(mk->m, (size_t)cap * sizeof *nm);
			if (!nm) {
				qe_err_set(e, QE_INTERNAL, "%s: out of memory", path);
				goto fail;
			}
			mk->m = nm;
		}
		market_info *mi = &mk->m[mk->n++];
		mi->curve = strdup(curve);
		mi->commodity = strdup(csvr_field(r, idx[1], NULL));
		mi->unit = strdup(csvr_field(r, idx[2], NULL));
		mi->currency = strdup(csvr_field(r, idx[3], NULL));
		mi->lot_size = lot;
		ke->a = (uint32_t)mk->n;
	}
	csvr_close(r);
	return mk;
fail:
	csvr_close(r);
	schema_markets_free(mk);
	return NULL;
}

void schema_markets_free(schema_markets *mk)
{
	if (!mk)
		return;
	for (int i = 0; i < mk->n; i++) {
		free(mk->m[i].curve);
		free(mk->m[i].unit);
		free(mk->m[i].currency);
		free(mk->m[i].commodity);
	}
	free(mk->m);
	keyset_free(mk->index);
	free(mk);
}

int schema_markets_count(const schema_markets *mk) { return mk ? mk->n : 0; }

/* --- header ---------------------------------------------------------------- */

int schema_map_header(const schema *s, const csvscan_field *hdr, int nhdr, int *colmap,
		      int *unknown, const char *name, qe_err *e)
{
	for (int i = 0; i < s->ncols; i++)
		colmap[i] = -1;
	for (int j = 0; j < nhdr; j++) {
		int hit = -1;
		for (int i = 0; i < s->ncols; i++)
			if (strlen(s->cols[i].name) == hdr[j].len &&
			    memcmp(s->cols[i].name, hdr[j].p, hdr[j].len) == 0)
				hit = i;
		if (hdr[j].len == 0)
			return qe_err_set(e, QE_DATA, "%s:1:%d: empty header name", name, j + 1);
		for (int k = 0; k < j; k++)
			if (hdr[k].len == hdr[j].len && memcmp(hdr[k].p, hdr[j].p, hdr[j].len) == 0)
				return qe_err_set(e, QE_DATA, "%s:1:%d: duplicate header name '%.*s'", name,
						  j + 1, (int)hdr[j].len, hdr[j].p);
		if (unknown)
			unknown[j] = hit < 0;
		if (hit >= 0)
			colmap[hit] = j;
	}
	for (int i = 0; i < s->ncols; i++)
		if (s->cols[i].required && colmap[i] < 0)
			return qe_err_set(e, QE_DATA, "%s:1: missing required column '%s'", name,
					  s->cols[i].name);
	return 0;
}

/* --- row validation ----------------------------------------------------- */

typedef struct val {
	const char *p;
	size_t len;
	int present;
	int idx;          /* enum / unit index */
	double d;
	int64_t i;
	const char *canon; /* canonical text when not the input's (units, curves) */
	int changed;      /* number changed by normalization: reformat */
	int num_canon;    /* input number text is canonical */
} val;

static int fail(row_check *rc, int col, const val *v, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(row_check *rc, int col, const val *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rc->reason, sizeof rc->reason, fmt, ap);
	va_end(ap);
	rc->col = col;
	rc->value = v ? v->p : "";
	rc->value_len = v ? v->len : 0;
	return -1;
}

static int valid_utf8(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		int extra;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			extra = 1;
		else if (c >= 0xE0 && c <= 0xEF)
			extra = 2;
		else if (c >= 0xF0 && c <= 0xF4)
			extra = 3;
		else
			return 0;
		if (i + (size_t)extra >= n)
			return 0;
		for (int k = 1; k <= extra; k++)
			if (((unsigned char)s[i + (size_t)k] & 0xC0) != 0x80)
				return 0;
		i += (size_t)extra + 1;
	}
	return 1;
}

/* Case-insensitive exact match of s[0..n) in a NULL-terminated list. */
static int match_list(const char *const *list, const char *s, size_t n)
{
	for (int i = 0; list[i]; i++) {
		const char *w = list[i];
		size_t k = 0;
		while (k < n && w[k] && (w[k] == s[k] || tolower((unsigned char)w[k]) == tolower((unsigned char)s[k])))
			k++;
		if (k == n && w[k] == '\0')
			return i;
	}
	return -1;
}

static void list_text(const char *const *list, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; list[i] && len + 1 < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? "|" : "", list[i]);
}

static int lei_valid(const char *s, size_t n)
{
	unsigned rem = 0;
	if (n != 20)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = toupper((unsigned char)s[i]);
		if (c >= '0' && c <= '9')
			rem = (rem * 10 + (unsigned)(c - '0')) % 97;
		else if (c >= 'A' && c <= 'Z')
			rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
		else
			return 0;
	}
	return rem == 1;
}

static int zone_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 64 || s[0] == '/' || memmem(s, n, "..", 2))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("/_+-", s[i]))
			return 0;
	return 1;
}

/* An identifier (ids and curve names): valid UTF-8, no leading or
 * trailing blank, no control character anywhere. */
static int check_ident(int i, val *v, row_check *rc)
{
	if (!valid_utf8(v->p, v->len))
		return fail(rc, i, v, "invalid UTF-8");
	if (isspace((unsigned char)v->p[0]) || isspace((unsigned char)v->p[v->len - 1]))
		return fail(rc, i, v, "leading or trailing blank");
	for (size_t k = 0; k < v->len; k++)
		if ((unsigned char)v->p[k] < 0x20 || v->p[k] == 0x7f)
			return fail(rc, i, v, "control character");
	return 0;
}

static int check_field(const schema_ctx *c, int i, val *v, row_check *rc)
{
	const schema_col *col = &c->s->cols[i];
	char list[160];
	switch (col->type) {
	case CT_ID:
		return check_ident(i, v, rc);
	case CT_STR:
		if (!valid_utf8(v->p, v->len))
			return fail(rc, i, v, "invalid UTF-8");
		return 0;
	case CT_ENUM:
		v->idx = match_list(col->values, v->p, v->len);
		if (v->idx < 0) {
			list_text(col->values, list, sizeof list);
			return fail(rc, i, v, "unknown value (expected %s)", list);
		}
		v->canon = col->values[v->idx];
		return 0;
	case CT_UNIT:
		v->idx = match_list(col->values, v->p, v->len);
		if (v->idx >= 0) {
			v->canon = col->values[v->idx];
			v->d = 1;
			return 0;
		}
		for (size_t k = 0; k < sizeof unit_aliases / sizeof unit_aliases[0]; k++) {
			const struct unit_alias *a = &unit_aliases[k];
			int to = match_list(col->values, a->to, strlen(a->to));
			if (to >= 0 && strlen(a->from) == v->len && strncasecmp(a->from, v->p, v->len) == 0) {
				v->idx = to;
				v->canon = col->values[to];
				v->d = a->factor;
				return 0;
			}
		}
		list_text(col->values, list, sizeof list);
		return fail(rc, i, v, "unknown unit (expected %s)", list);
	case CT_CCY:
	case CT_COUNTRY: {
		size_t want = col->type == CT_CCY ? 3 : 2;
		int ok = v->len == want;
		for (size_t k = 0; ok && k < v->len; k++)
			ok = isalpha((unsigned char)v->p[k]) && !(v->p[k] & 0x80);
		if (!ok)
			return fail(rc, i, v, col->type == CT_CCY ? "not an ISO 4217 currency code"
								  : "not an ISO 3166 country code");
		return 0;
	}
	case CT_CURVE:
		if (check_ident(i, v, rc))
			return -1;
		if (c->markets) {
			const market_info *mi = market_find(c->markets, v->p, v->len);
			if (!mi)
				return fail(rc, i, v, "unknown curve (not in the markets file)");
			v->canon = mi->curve;
			v->idx = (int)(mi - c->markets->m);
		}
		return 0;
	case CT_NUM: {
		int st = num_parse_double(v->p, v->len, &v->d);
		if (st != NUM_OK)
			return fail(rc, i, v, "%s", num_status_str(st));
		if (col->lo_open ? !(v->d > col->lo) : !(v->d >= col->lo)) {
			if (col->lo == 0)
				return fail(rc, i, v, col->lo_open ? "must be > 0" : "must be >= 0");
			return fail(rc, i, v, "out of range [%g, %g]", col->lo, col->hi);
		}
		if (v->d > col->hi)
			return fail(rc, i, v, "out of range [%g, %g]", col->lo, col->hi);
		v->num_canon = schema_number_is_canonical(v->p, v->len);
		return 0;
	}
	case CT_INT: {
		int st = num_parse_int64(v->p, v->len, &v->i);
		if (st != NUM_OK)
			return fail(rc, i, v, "%s (expected an integer)", num_status_str(st));
		if ((double)v->i < col->lo || (double)v->i > col->hi)
			return fail(rc, i, v, "out of range [%.0f, %.0f]", col->lo, col->hi);
		v->changed = 1; /* always printed from the value: "+1", "007" */
		return 0;
	}
	case CT_DATE: {
		qe_date d;
		if (date_parse(v->p, v->len, &d) != 0)
			return fail(rc, i, v, "invalid date (expected YYYY-MM-DD)");
		v->i = d;
		return 0;
	}
	case CT_TS: {
		qe_ts ts;
		if (ts_parse(v->p, v->len, &ts) != 0)
			return fail(rc, i, v, "invalid timestamp (expected YYYY-MM-DDTHH:MM:SS+HH:MM)");
		v->i = ts.utc;
		v->d = ts.offset;
		return 0;
	}
	case CT_LEI:
		if (!lei_valid(v->p, v->len))
			return fail(rc, i, v, "invalid LEI (ISO 17442: 20 characters, MOD 97-10 check)");
		return 0;
	case CT_ZONE:
		if (!zone_name_ok(v->p, v->len))
			return fail(rc, i, v, "not an IANA time zone name");
		return 0;
	}
	return fail(rc, i, v, "internal: bad column type");
}

static int date_order(row_check *rc, val *v, int a, int b, const schema *s)
{
	if (v[a].present && v[b].present && v[a].i > v[b].i)
		return fail(rc, b, &v[b], "before %s %.*s", s->cols[a].name, (int)v[a].len, v[a].p);
	return 0;
}

static int need(row_check *rc, val *v, int col, const schema *s, const char *why)
{
	(void)s;
	if (!v[col].present)
		return fail(rc, col, &v[col], "empty value (required %s)", why);
	return 0;
}

static int check_market_unit(const schema_ctx *c, val *v, row_check *rc, int curve, int unit,
			     int ccy);

static int check_trade(const schema_ctx *c, val *v, row_check *rc)
{
	const schema *s = c->s;
	const char *instr = v[TR_INSTR].canon;
	int is_opt = !strcmp(instr, "option") || !strcmp(instr, "asian") || !strcmp(instr, "spread");
	if (date_order(rc, v, TR_DSTART, TR_DEND, s) || date_order(rc, v, TR_AVGS, TR_AVGE, s))
		return -1;
	if (is_opt) {
		if (need(rc, v, TR_OTYPE, s, "for options") || need(rc, v, TR_STRIKE, s, "for options") ||
		    need(rc, v, TR_EXPIRY, s, "for options"))
			return -1;
	} else if (need(rc, v, TR_PRICE, s, "for this instrument")) {
		return -1;
	}
	if (!strcmp(instr, "asian") &&
	    (need(rc, v, TR_AVGS, s, "for asians") || need(rc, v, TR_AVGE, s, "for asians")))
		return -1;
	if (!strcmp(instr, "spread") &&
	    (need(rc, v, TR_CURVE2, s, "for spreads") || need(rc, v, TR_RATIO, s, "for spreads")))
		return -1;
	/* canonical units: convertible spellings, and lots through the lot size */
	if (v[TR_UNIT].d != 1) {
		v[TR_QTY].d *= v[TR_UNIT].d;
		v[TR_QTY].changed = 1;
	}
	if (!strcmp(v[TR_UNIT].canon, "lots") && c->markets) {
		const market_info *mi = &c->markets->m[v[TR_CURVE].idx];
		v[TR_QTY].d *= mi->lot_size;
		v[TR_QTY].changed = 1;
		/* power and TTF lots are per delivery hour */
		v[TR_UNIT].canon = strcmp(mi->unit, "MWh") == 0 ? "MW" : mi->unit;
	}
	if (!isfinite(v[TR_QTY].d))
		return fail(rc, TR_QTY, &v[TR_QTY], "number out of range after unit conversion");
	if (c->markets) {
		/* the unit and currency of the (first-leg) curve, as qe-price
		 * needs them: MW only on a curve per MWh, MMBtu/d only on one
		 * per MMBtu, any other unit equal to the curve's (lots were
		 * converted above) */
		const market_info *mi = &c->markets->m[v[TR_CURVE].idx];
		const char *u = v[TR_UNIT].canon;
		const char *need_cu = !strcmp(u, "MW") ? "MWh" : !strcmp(u, "MMBtu/d") ? "MMBtu" : u;
		if (strcasecmp(need_cu, mi->unit) != 0)
			return fail(rc, TR_UNIT, &v[TR_UNIT], "does not fit the unit of curve %s (%s)",
				    mi->curve, mi->unit);
		if (check_market_unit(c, v, rc, TR_CURVE, -1, TR_CCY))
			return -1;
	}
	rc->version = v[TR_VERSION].i;
	rc->life = LIFE_NEW + v[TR_STATUS].idx;
	return 0;
}

static int check_market_unit(const schema_ctx *c, val *v, row_check *rc, int curve, int unit,
			     int ccy)
{
	if (!c->markets)
		return 0;
	const market_info *mi = &c->markets->m[v[curve].idx];
	if (unit >= 0 && v[unit].present && strcasecmp(v[unit].canon, mi->unit) != 0)
		return fail(rc, unit, &v[unit], "does not match the unit of curve %s (%s)", mi->curve,
			    mi->unit);
	if (ccy >= 0 && v[ccy].present &&
	    (v[ccy].len != strlen(mi->currency) || strncasecmp(v[ccy].p, mi->currency, v[ccy].len)))
		return fail(rc, ccy, &v[ccy], "does not match the currency of curve %s (%s)", mi->curve,
			    mi->currency);
	return 0;
}

static int check_cross(const schema_ctx *c, val *v, row_check *rc)
{
	const schema *s = c->s;
	switch (s->kind) {
	case SK_TRADES:
		return check_trade(c, v, rc);
	case SK_PRICES:
		if (v[5].d != 1)
			return fail(rc, 5, &v[5], "prices must be quoted in a curve unit");
		return date_order(rc, v, 2, 3, s) || check_market_unit(c, v, rc, 0, 5, 6) ? -1 : 0;
	case SK_VOLS:
		if (date_order(rc, v, 2, 3, s))
			return -1;
		/* a lognormal vol of 35 is a percentage typed by mistake */
		if (v[6].idx == 0 && v[5].d > 5)
			return fail(rc, 5, &v[5], "lognormal vol above 5 (500%%): a percentage?");
		return 0;
	case SK_FIXINGS:
	case SK_HISTORY:
		return 0;
	case SK_WEATHER:
		if (v[WE_TMIN].d > v[WE_TMAX].d)
			return fail(rc, WE_TMAX, &v[WE_TMAX], "below tmin %.*s", (int)v[WE_TMIN].len,
				    v[WE_TMIN].p);
		if (v[WE_TMEAN].present &&
		    (v[WE_TMEAN].d < v[WE_TMIN].d || v[WE_TMEAN].d > v[WE_TMAX].d))
			return fail(rc, WE_TMEAN, &v[WE_TMEAN], "outside [tmin, tmax]");
		if (!v[WE_TMEAN].present) {
			/* the usual convention when no hourly mean is published */
			v[WE_TMEAN].present = 1;
			v[WE_TMEAN].d = (v[WE_TMIN].d + v[WE_TMAX].d) / 2;
			v[WE_TMEAN].changed = 1;
		}
		return 0;
	case SK_METERS:
		if (v[ME_INTERVAL].i != 1 && v[ME_INTERVAL].i != 5 && v[ME_INTERVAL].i != 15 &&
		    v[ME_INTERVAL].i != 30 && v[ME_INTERVAL].i != 60)
			return fail(rc, ME_INTERVAL, &v[ME_INTERVAL], "unsupported interval (expected 1|5|15|30|60)");
		if (!v[ME_ENERGY].present && !(v[ME_QUALITY].present && v[ME_QUALITY].idx == 2))
			return fail(rc, ME_ENERGY, &v[ME_ENERGY], "empty value (required unless quality is M)");
		if (v[ME_ENERGY].present && v[ME_UNIT].d != 1) {
			v[ME_ENERGY].d *= v[ME_UNIT].d;
			v[ME_ENERGY].changed = 1;
		}
		return 0;
	default:
		return 0;
	}
}

static void put_upper(strbuf *b, const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		strbuf_putc(b, (char)toupper((unsigned char)s[k]));
}

int schema_check_row(const schema_ctx *c, const csvscan_field *f, int nf, strbuf *out,
		     row_check *rc)
{
	const schema *s = c->s;
	val v[32];
	size_t start = out->len;
	size_t koff[32], klen[32];
	char nb[NUM_BUFSZ];

	rc->key = 0;
	rc->version = 0;
	rc->life = LIFE_NONE;
	for (int i = 0; i < s->ncols; i++) {
		int fi = c->colmap[i];
		memset(&v[i], 0, sizeof v[i]);
		if (fi >= 0 && fi < nf) {
			v[i].p = f[fi].p;
			v[i].len = f[fi].len;
		} else {
			v[i].p = "";
		}
		if (v[i].len == 0) {
			if (s->cols[i].required)
				return fail(rc, i, &v[i], "empty value");
			continue;
		}
		v[i].present = 1;
		if (check_field(c, i, &v[i], rc))
			return -1;
	}
	if (check_cross(c, v, rc))
		return -1;

	for (int i = 0; i < s->ncols; i++) {
		const schema_col *col = &s->cols[i];
		if (i)
			strbuf_putc(out, ',');
		koff[i] = out->len;
		if (!v[i].present) {
			klen[i] = 0;
			continue;
		}
		switch (col->type) {
		case CT_ENUM:
		case CT_UNIT:
			strbuf_put(out, v[i].canon, strlen(v[i].canon));
			break;
		case CT_CURVE:
			if (v[i].canon)
				strbuf_put_field(out, v[i].canon, strlen(v[i].canon));
			else
				strbuf_put_field(out, v[i].p, v[i].len);
			break;
		case CT_CCY:
		case CT_COUNTRY:
		case CT_LEI:
			put_upper(out, v[i].p, v[i].len);
			break;
		case CT_NUM:
			if (v[i].num_canon && !v[i].changed)
				strbuf_put(out, v[i].p, v[i].len);
			else
				strbuf_put(out, nb, (size_t)format_number(nb, v[i].d));
			break;
		case CT_INT:
			strbuf_put(out, nb, (size_t)format_int(nb, v[i].i));
			break;
		case CT_TS: {
			char tb[TS_BUFSZ];
			qe_ts ts = {v[i].i, (int32_t)v[i].d};
			strbuf_put(out, tb, (size_t)ts_format(tb, ts, 0));
			break;
		}
		default:
			strbuf_put_field(out, v[i].p, v[i].len);
		}
		klen[i] = out->len - koff[i];
	}
	strbuf_putc(out, '\n');
	if (out->oom) {
		out->len = start;
		return fail(rc, -1, NULL, "out of memory");
	}
	if (s->nkey) {
		uint64_t h = 0x9e3779b97f4a7c15ULL;
		for (int k = 0; k < s->nkey; k++) {
			int i = s->key[k];
			h = keyset_hash(out->p + koff[i], klen[i], h);
		}
		rc->key = h;
	}
	return 0;
}
