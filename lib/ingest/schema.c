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
#include "core/regid.h"
#include "market/curvemaster.h"
#include "core/num.h"
#include "time/tz.h"

/* Spellings converted to a canonical unit: quantity x factor. */
static const struct unit_alias {
	const char *from, *to;
	double factor;
} unit_aliases[] = {
	{"kWh", "MWh", 1e-3}, {"GWh", "MWh", 1e3}, {"therm", "MMBtu", 0.1},
	{"kbbl", "bbl", 1e3}, {"tCO2", "t", 1},    {"tCO2e", "t", 1},
	{"Wh", "kWh", 1e-3},  {"m³", "m3", 1},
};

/* --- the kinds qe-ingest validates ------------------------------------- */

const formats_table *schema_get(int kind)
{
	return kind >= 0 && kind < FMT_NINGEST ? formats_get(kind) : NULL;
}

const formats_table *schema_find(const char *name)
{
	const formats_table *t = formats_find(name);
	return t && t->kind < FMT_NINGEST ? t : NULL;
}

/* --- output ------------------------------------------------------------- */

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
	/* the range test first: converting a double beyond int64 is undefined */
	if (fabs(x) < 1e15 && x == (double)(int64_t)x) {
		if (x == 0)
			return (int)(memcpy(buf, "0", 2), 1);
		return format_int(buf, (int64_t)x);
	}
	return num_format_double(buf, x);
}

static void strbuf_sink(void *b, const char *s, size_t n)
{
	strbuf_put(b, s, n);
}

void strbuf_put_field(strbuf *b, const char *s, size_t n)
{
	if (csv_field_needs_quotes(s, n))
		csv_quote_field(s, n, strbuf_sink, b);
	else
		strbuf_put(b, s, n);
}

void schema_header(const formats_table *s, strbuf *out)
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

/* The validator's view of the curve master (curvemaster.h reads it). */
struct schema_markets {
	curvemaster *cm;
	char calerr[300]; /* why the calendars are not loaded ("": loaded or not asked) */
	int calendars;    /* schema_markets_load_calendars() was called */
};

typedef curvemaster_curve market_info;

static const market_info *market_find(const schema_markets *mk, const char *s, size_t len)
{
	return mk ? curvemaster_find_nocase(mk->cm, s, len) : NULL;
}

static const market_info *market_at(const schema_markets *mk, int idx)
{
	return curvemaster_at(mk->cm, (size_t)idx);
}

schema_markets *schema_markets_load(const char *path, qe_err *e)
{
	const char *const need[] = {formats_colname(FMT_MARKETS, FMT_MK_CURVE),
				    formats_colname(FMT_MARKETS, FMT_MK_COMMODITY),
				    formats_colname(FMT_MARKETS, FMT_MK_UNIT),
				    formats_colname(FMT_MARKETS, FMT_MK_CCY),
				    formats_colname(FMT_MARKETS, FMT_MK_LOT)};
	schema_markets *mk = calloc(1, sizeof *mk);
	if (!mk) {
		qe_err_set(e, QE_INTERNAL, "%s: out of memory", path);
		return NULL;
	}
	if (!(mk->cm = curvemaster_load(path, e)) || curvemaster_require(mk->cm, need, 5, e))
		goto fail;
	/* the validator compares trades with these: none may be empty */
	for (size_t i = 0; i < curvemaster_count(mk->cm); i++) {
		const market_info *mi = market_at(mk, (int)i);
		for (int k = 1; k < 4; k++)
			if (!curvemaster_attr(mk->cm, mi, need[k])[0]) {
				curvemaster_field_error(mk->cm, mi, need[k], e, "empty value");
				goto fail;
			}
	}
	return mk;
fail:
	schema_markets_free(mk);
	return NULL;
}

int schema_markets_load_calendars(schema_markets *mk, const char *caldir, qe_err *e)
{
	mk->calendars = 1;
	mk->calerr[0] = '\0';
	if (curvemaster_load_calendars(mk->cm, caldir, e)) {
		snprintf(mk->calerr, sizeof mk->calerr, "%s", e->msg);
		return e->code;
	}
	return 0;
}

void schema_markets_free(schema_markets *mk)
{
	if (!mk)
		return;
	curvemaster_free(mk->cm);
	free(mk);
}

int schema_markets_count(const schema_markets *mk) { return mk ? (int)curvemaster_count(mk->cm) : 0; }

/* --- header ---------------------------------------------------------------- */

int schema_map_header(const formats_table *s, const csvscan_field *hdr, int nhdr, int *colmap,
		      int *unknown, const char *name, long line, qe_err *e)
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
			return qe_err_set(e, QE_DATA, "%s:%ld:%d: empty header name", name, line, j + 1);
		for (int k = 0; k < j; k++)
			if (hdr[k].len == hdr[j].len && memcmp(hdr[k].p, hdr[j].p, hdr[j].len) == 0)
				return qe_err_set(e, QE_DATA, "%s:%ld:%d: duplicate header name '%.*s'", name,
						  line, j + 1, (int)(hdr[j].len > 64 ? 64 : hdr[j].len), hdr[j].p);
		if (unknown)
			unknown[j] = hit < 0;
		if (hit >= 0)
			colmap[hit] = j;
	}
	for (int i = 0; i < s->ncols; i++)
		if (s->cols[i].required && colmap[i] < 0)
			return csv_missing_column(name, line, nhdr, nhdr ? hdr[0].p : "",
						  nhdr ? hdr[0].len : 0, s->cols[i].name, e);
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

/* tolower() of the C locale (no tool sets another), without the call. */
static inline unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* Case-insensitive exact match of s[0..n) in a NULL-terminated list. */
static int match_list(const char *const *list, const char *s, size_t n)
{
	for (int i = 0; list[i]; i++) {
		const char *w = list[i];
		size_t k = 0;
		while (k < n && w[k] &&
		       (w[k] == s[k] || ascii_lower((unsigned char)w[k]) == ascii_lower((unsigned char)s[k])))
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

/* 1 when s[0..n) is printable ASCII (no byte below 0x20, 0x7f or above):
 * valid UTF-8 without control characters, the usual field, found in one
 * pass. */
static int plain_ascii(const char *s, size_t n)
{
	unsigned bad = 0;
	for (size_t k = 0; k < n; k++) {
		unsigned char c = (unsigned char)s[k];
		bad |= (unsigned)(c < 0x20) | (unsigned)(c >= 0x7f);
	}
	return !bad;
}

const char *schema_text_problem(const char *s, size_t n, size_t max)
{
	if (n > max)
		return "too long";
	if (plain_ascii(s, n))
		return NULL;
	if (!valid_utf8(s, n))
		return "invalid UTF-8";
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f)
			return "control character";
	return NULL;
}

/* Text of at most max bytes, valid UTF-8, without control characters. */
static int check_text(int i, val *v, size_t max, row_check *rc)
{
	if (v->len > max)
		return fail(rc, i, v, "longer than %zu bytes", max);
	const char *why = schema_text_problem(v->p, v->len, max);
	return why ? fail(rc, i, v, "%s", why) : 0;
}

/* An identifier (ids and curve names): text of at most SCHEMA_ID_MAX
 * bytes without leading or trailing blank. */
static int check_ident(int i, val *v, row_check *rc)
{
	if (v->len <= SCHEMA_ID_MAX && plain_ascii(v->p, v->len))
		return v->p[0] == ' ' || v->p[v->len - 1] == ' ' ? fail(rc, i, v, "leading or trailing blank") : 0;
	if (v->len <= SCHEMA_ID_MAX && valid_utf8(v->p, v->len) &&
	    (isspace((unsigned char)v->p[0]) || isspace((unsigned char)v->p[v->len - 1])))
		return fail(rc, i, v, "leading or trailing blank");
	return check_text(i, v, SCHEMA_ID_MAX, rc);
}

/* A list of identifiers (CT_IDLIST): free text of at most SCHEMA_TEXT_MAX
 * bytes whose items, between the separators ';' and '+', are each an
 * identifier (not empty, at most SCHEMA_ID_MAX bytes, no leading or
 * trailing blank). */
static int check_idlist(int i, val *v, row_check *rc)
{
	if (check_text(i, v, SCHEMA_TEXT_MAX, rc))
		return -1;
	for (size_t a = 0, b; a <= v->len; a = b + 1) {
		for (b = a; b < v->len && v->p[b] != ';' && v->p[b] != '+'; b++)
			;
		const char *item = v->p + a;
		size_t n = b - a;
		if (!n)
			return fail(rc, i, v, "empty item in a list of names");
		if (n > SCHEMA_ID_MAX)
			return fail(rc, i, v, "a name of the list is longer than %d bytes", SCHEMA_ID_MAX);
		if (isspace((unsigned char)item[0]) || isspace((unsigned char)item[n - 1]))
			return fail(rc, i, v, "leading or trailing blank in a name of the list");
	}
	return 0;
}

static int check_field(const schema_ctx *c, int i, val *v, row_check *rc)
{
	const formats_col *col = &c->s->cols[i];
	char list[160];
	switch (col->type) {
	case CT_ID:
		return check_ident(i, v, rc);
	case CT_STR:
		return check_text(i, v, SCHEMA_TEXT_MAX, rc);
	case CT_IDLIST:
		return check_idlist(i, v, rc);
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
			v->canon = mi->name;
			v->idx = (int)curvemaster_pos(c->markets->cm, mi);
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
	case CT_UTI: {
		char why[160];
		const char *bad = regid_uti_reason(v->p, v->len, why, sizeof why);
		return bad ? fail(rc, i, v, "not a UTI (ISO 23897): %s", bad) : 0;
	}
	case CT_MIC: {
		const char *bad = regid_mic_reason(v->p, v->len);
		return bad ? fail(rc, i, v, "not a MIC (ISO 10383, XOFF off venue): %s", bad) : 0;
	}
	case CT_EXECTS: {
		const char *bad = regid_timestamp_parse(v->p, v->len, NULL, NULL, NULL);
		return bad ? fail(rc, i, v, "not an execution timestamp "
					    "YYYY-MM-DDTHH:MM:SS[.fff]+HH:MM: %s", bad) : 0;
	}
	}
	return fail(rc, i, v, "internal: bad column type");
}

static int date_order(row_check *rc, val *v, int a, int b, const formats_table *s)
{
	if (v[a].present && v[b].present && v[a].i > v[b].i)
		return fail(rc, b, &v[b], "before %s %.*s", s->cols[a].name, (int)v[a].len, v[a].p);
	return 0;
}

static int need(row_check *rc, val *v, int col, const formats_table *s, const char *why)
{
	(void)s;
	if (!v[col].present)
		return fail(rc, col, &v[col], "empty value (required %s)", why);
	return 0;
}

static int check_market_unit(const schema_ctx *c, val *v, row_check *rc, int curve, int unit,
			     int ccy);
static int check_option_expiry(const schema_ctx *c, val *v, row_check *rc);

/* |x| <= max for a present number column. */
static int check_magnitude(val *v, int col, double max, row_check *rc)
{
	if (v[col].present && fabs(v[col].d) > max)
		return fail(rc, col, &v[col], "out of range [%g, %g]", -max, max);
	return 0;
}

/* The bounds of schema.h on price, strike and ratio, and the sign of the
 * strike for the model that prices it (valuation: options by the trade's
 * model, else the curve's; Asians by Turnbull-Wakeman; spreads by Kirk). */
static int check_trade_limits(const schema_ctx *c, val *v, row_check *rc)
{
	const char *instr = v[FMT_TR_INSTR].canon;
	if (check_magnitude(v, FMT_TR_PRICE, SCHEMA_PRICE_MAX, rc) ||
	    check_magnitude(v, FMT_TR_STRIKE, SCHEMA_PRICE_MAX, rc))
		return -1;
	if (v[FMT_TR_RATIO].present && v[FMT_TR_RATIO].d > SCHEMA_RATIO_MAX)
		return fail(rc, FMT_TR_RATIO, &v[FMT_TR_RATIO], "out of range (0, %g]", SCHEMA_RATIO_MAX);
	if (!v[FMT_TR_STRIKE].present)
		return 0;
	double k = v[FMT_TR_STRIKE].d;
	if (!strcmp(instr, "spread"))
		return k < 0 ? fail(rc, FMT_TR_STRIKE, &v[FMT_TR_STRIKE], "must be >= 0 (Kirk)") : 0;
	const char *model = NULL; /* NULL: not known without a curve master */
	if (!strcmp(instr, "asian"))
		model = "black76";
	else if (v[FMT_TR_MODEL].present)
		model = v[FMT_TR_MODEL].canon;
	else if (c->markets)
		model = market_at(c->markets, v[FMT_TR_CURVE].idx)->model;
	if (model && strcmp(model, "bachelier") != 0 && !(k > 0))
		return fail(rc, FMT_TR_STRIKE, &v[FMT_TR_STRIKE], "must be > 0 (lognormal model)");
	return 0;
}

static int check_trade(const schema_ctx *c, val *v, row_check *rc)
{
	const formats_table *s = c->s;
	const char *instr = v[FMT_TR_INSTR].canon;
	int is_opt = !strcmp(instr, "option") || !strcmp(instr, "asian") || !strcmp(instr, "spread");
	if (date_order(rc, v, FMT_TR_DSTART, FMT_TR_DEND, s) || date_order(rc, v, FMT_TR_AVGS, FMT_TR_AVGE, s))
		return -1;
	if (is_opt) {
		if (need(rc, v, FMT_TR_OTYPE, s, "for options") || need(rc, v, FMT_TR_STRIKE, s, "for options") ||
		    need(rc, v, FMT_TR_EXPIRY, s, "for options"))
			return -1;
	} else if (need(rc, v, FMT_TR_PRICE, s, "for this instrument")) {
		return -1;
	}
	if (!strcmp(instr, "asian") &&
	    (need(rc, v, FMT_TR_AVGS, s, "for asians") || need(rc, v, FMT_TR_AVGE, s, "for asians")))
		return -1;
	if (!strcmp(instr, "spread") &&
	    (need(rc, v, FMT_TR_CURVE2, s, "for spreads") || need(rc, v, FMT_TR_RATIO, s, "for spreads")))
		return -1;
	/* canonical units: convertible spellings, and lots through the lot size */
	if (v[FMT_TR_UNIT].d != 1) {
		v[FMT_TR_QTY].d *= v[FMT_TR_UNIT].d;
		v[FMT_TR_QTY].changed = 1;
	}
	if (!strcmp(v[FMT_TR_UNIT].canon, "lots") && c->markets) {
		const market_info *mi = market_at(c->markets, v[FMT_TR_CURVE].idx);
		v[FMT_TR_QTY].d *= mi->lot_size;
		v[FMT_TR_QTY].changed = 1;
		/* power and TTF lots are per delivery hour */
		v[FMT_TR_UNIT].canon = strcmp(mi->unit, "MWh") == 0 ? "MW" : mi->unit;
	}
	if (!isfinite(v[FMT_TR_QTY].d))
		return fail(rc, FMT_TR_QTY, &v[FMT_TR_QTY], "number out of range after unit conversion");
	if (v[FMT_TR_QTY].d > SCHEMA_QTY_MAX)
		return fail(rc, FMT_TR_QTY, &v[FMT_TR_QTY], "out of range (0, %g]%s", SCHEMA_QTY_MAX,
			    v[FMT_TR_QTY].changed ? " after unit conversion" : "");
	if (check_trade_limits(c, v, rc))
		return -1;
	if (c->markets) {
		/* the unit and currency of the (first-leg) curve, as qe-price
		 * needs them: MW only on a curve per MWh, MMBtu/d only on one
		 * per MMBtu, any other unit equal to the curve's (lots were
		 * converted above) */
		const market_info *mi = market_at(c->markets, v[FMT_TR_CURVE].idx);
		const char *u = v[FMT_TR_UNIT].canon;
		const char *need_cu = !strcmp(u, "MW") ? "MWh" : !strcmp(u, "MMBtu/d") ? "MMBtu" : u;
		if (strcasecmp(need_cu, mi->unit) != 0)
			return fail(rc, FMT_TR_UNIT, &v[FMT_TR_UNIT], "does not fit the unit of curve %s (%s)",
				    mi->name, mi->unit);
		if (check_market_unit(c, v, rc, FMT_TR_CURVE, -1, FMT_TR_CCY))
			return -1;
	}
	if (!strcmp(instr, "option") && c->markets && check_option_expiry(c, v, rc))
		return -1;
	rc->version = v[FMT_TR_VERSION].i;
	rc->life = LIFE_NEW + v[FMT_TR_STATUS].idx;
	return 0;
}

/* An option on a future expires on or before the future's last trading
 * day (DOMAIN.md), the day the curve master gives for the contract of the
 * delivery month (the same day qe-price checks).  Without calendars
 * (schema_markets_load_calendars not called) nothing is checked; when
 * they could not be loaded, or the curve has a listed expiry rule but no
 * calendar, the option cannot be checked and is rejected with the reason. */
static int check_option_expiry(const schema_ctx *c, val *v, row_check *rc)
{
	const schema_markets *mk = c->markets;
	if (!mk->calendars)
		return 0;
	const market_info *mi = market_at(mk, v[FMT_TR_CURVE].idx);
	val *x = &v[FMT_TR_EXPIRY];
	if (mk->calerr[0])
		return fail(rc, FMT_TR_EXPIRY, x, "cannot check against the underlying future's last trading day: %s",
			    mk->calerr);
	if (!curvemaster_calendar(mk->cm, mi))
		return mi->product ? fail(rc, FMT_TR_EXPIRY, x,
					  "cannot check against the underlying future's last trading day: "
					  "curve %s has no calendar in %s",
					  mi->name, curvemaster_file(mk->cm))
				   : 0;
	qe_date first = date_add_months_first((qe_date)v[FMT_TR_DSTART].i, 0), ltd;
	qe_err e;
	if (curvemaster_last_trade(mk->cm, mi, first, &ltd, &e))
		return fail(rc, FMT_TR_EXPIRY, x, "cannot check against the underlying future's last trading day: %s",
			    e.msg);
	if (x->i <= ltd)
		return 0;
	char lb[16], xb[16];
	int y, mo, d;
	date_format(lb, ltd);
	date_format(xb, (qe_date)x->i);
	date_to_ymd(first, &y, &mo, &d);
	return fail(rc, FMT_TR_EXPIRY, x,
		    "option expiry %s is after %s, the last trading day of the underlying %s %04d-%02d future", xb,
		    lb, mi->name, y, mo);
}

static int check_market_unit(const schema_ctx *c, val *v, row_check *rc, int curve, int unit,
			     int ccy)
{
	if (!c->markets)
		return 0;
	const market_info *mi = market_at(c->markets, v[curve].idx);
	if (unit >= 0 && v[unit].present && strcasecmp(v[unit].canon, mi->unit) != 0)
		return fail(rc, unit, &v[unit], "does not match the unit of curve %s (%s)", mi->name,
			    mi->unit);
	if (ccy >= 0 && v[ccy].present &&
	    (v[ccy].len != strlen(mi->currency) || strncasecmp(v[ccy].p, mi->currency, v[ccy].len)))
		return fail(rc, ccy, &v[ccy], "does not match the currency of curve %s (%s)", mi->name,
			    mi->currency);
	return 0;
}

static int check_cross(const schema_ctx *c, val *v, row_check *rc)
{
	const formats_table *s = c->s;
	switch (s->kind) {
	case FMT_TRADES:
		return check_trade(c, v, rc);
	case FMT_PRICES:
		if (v[5].d != 1)
			return fail(rc, 5, &v[5], "prices must be quoted in a curve unit");
		return date_order(rc, v, 2, 3, s) || check_market_unit(c, v, rc, 0, 5, 6) ? -1 : 0;
	case FMT_VOLS:
		if (date_order(rc, v, 2, 3, s))
			return -1;
		/* a lognormal vol of 35 is a percentage typed by mistake */
		if (v[FMT_VO_TYPE].idx == 0 && schema_lognormal_vol_implausible(v[FMT_VO_VOL].d))
			return fail(rc, FMT_VO_VOL, &v[FMT_VO_VOL], "%s",
				    schema_lognormal_vol_implausible(v[FMT_VO_VOL].d));
		return 0;
	case FMT_FIXINGS:
		return 0;
	case FMT_VOL_HISTORY: {
		int64_t tenor;
		const char *why = schema_vol_contract_tenor(v[FMT_VH_CONTRACT].p, v[FMT_VH_CONTRACT].len,
							    (qe_date)v[FMT_VH_DATE].i, &tenor);
		if (why)
			return fail(rc, FMT_VH_CONTRACT, &v[FMT_VH_CONTRACT], "%s", why);
		if (v[FMT_VH_TYPE].idx == 0 && schema_lognormal_vol_implausible(v[FMT_VH_VOL].d))
			return fail(rc, FMT_VH_VOL, &v[FMT_VH_VOL], "%s",
				    schema_lognormal_vol_implausible(v[FMT_VH_VOL].d));
		return 0;
	}
	case FMT_HISTORY: {
		char why[160];
		long m;
		const val *k = &v[FMT_HI_CONTRACT];
		const char *bad = schema_history_contract((qe_date)v[FMT_HI_DATE].i, v[FMT_HI_TENOR].i,
							  k->present ? k->p : "", k->present ? k->len : 0, &m, why,
							  sizeof why);
		return bad ? fail(rc, FMT_HI_CONTRACT, k, "%s", bad) : 0;
	}
	case FMT_WEATHER:
		if (v[FMT_WE_TMIN].d > v[FMT_WE_TMAX].d)
			return fail(rc, FMT_WE_TMAX, &v[FMT_WE_TMAX], "below tmin %.*s", (int)v[FMT_WE_TMIN].len,
				    v[FMT_WE_TMIN].p);
		if (v[FMT_WE_TMEAN].present &&
		    (v[FMT_WE_TMEAN].d < v[FMT_WE_TMIN].d || v[FMT_WE_TMEAN].d > v[FMT_WE_TMAX].d))
			return fail(rc, FMT_WE_TMEAN, &v[FMT_WE_TMEAN], "outside [tmin, tmax]");
		if (!v[FMT_WE_TMEAN].present) {
			/* the usual convention when no hourly mean is published */
			v[FMT_WE_TMEAN].present = 1;
			v[FMT_WE_TMEAN].d = (v[FMT_WE_TMIN].d + v[FMT_WE_TMAX].d) / 2;
			v[FMT_WE_TMEAN].changed = 1;
		}
		return 0;
	case FMT_HEADLINES: {
		const val *h = &v[FMT_HL_HEADLINE];
		size_t k = 0;
		while (k < h->len && isspace((unsigned char)h->p[k]))
			k++;
		return k == h->len ? fail(rc, FMT_HL_HEADLINE, h, "blank headline") : 0;
	}
	case FMT_METERS:
		if (v[FMT_ME_INTERVAL].i != 1 && v[FMT_ME_INTERVAL].i != 5 && v[FMT_ME_INTERVAL].i != 15 &&
		    v[FMT_ME_INTERVAL].i != 30 && v[FMT_ME_INTERVAL].i != 60)
			return fail(rc, FMT_ME_INTERVAL, &v[FMT_ME_INTERVAL], "unsupported interval (expected 1|5|15|30|60)");
		if (!v[FMT_ME_ENERGY].present && !(v[FMT_ME_QUALITY].present && v[FMT_ME_QUALITY].idx == 2))
			return fail(rc, FMT_ME_ENERGY, &v[FMT_ME_ENERGY], "empty value (required unless quality is M)");
		if (v[FMT_ME_ENERGY].present && v[FMT_ME_UNIT].d != 1) {
			v[FMT_ME_ENERGY].d *= v[FMT_ME_UNIT].d;
			v[FMT_ME_ENERGY].changed = 1;
		}
		return 0;
	default:
		return 0;
	}
}

const char *schema_lognormal_vol_implausible(double vol)
{
	return vol > SCHEMA_LOGNORMAL_VOL_MAX ? "lognormal vol above 5 (500%): a percentage?" : NULL;
}

const char *schema_vol_contract_tenor(const char *s, size_t len, qe_date date, int64_t *tenor)
{
	int64_t t = 0;
	size_t k = 0;
	while (k < len && s[k] >= '0' && s[k] <= '9' && t <= 1200)
		t = 10 * t + (s[k++] - '0');
	if (k == len && len > 0) {
		if (t > 1200)
			return "tenor above 1200 months";
		*tenor = t;
		return NULL;
	}
	long idx;
	if (date_month_parse(s, len, &idx) != 0)
		return "expected a tenor (months, 0..1200) or a contract month YYYY-MM";
	int64_t months = date_months_between(date, date_month_first(idx));
	if (months < 0)
		return "contract month before the month of date (expired)";
	if (months > 1200)
		return "contract month more than 1200 months after date";
	*tenor = months;
	return NULL;
}

const char *schema_history_contract(qe_date date, int64_t tenor, const char *s, size_t len, long *month,
				    char *buf, size_t cap)
{
	long m, qm = date_month_index(date);
	*month = -1;
	if (len == 0) {
		/* not given: tenor k >= 1 is the month k after the date's */
		if (tenor > 0)
			*month = qm + tenor;
		return NULL;
	}
	if (date_month_parse(s, len, &m)) {
		snprintf(buf, cap, "contract month is not YYYY-MM");
		return buf;
	}
	if (tenor > 0 && m != qm + tenor) {
		int y, mo;
		date_month_ym(qm + tenor, &y, &mo);
		snprintf(buf, cap, "contract of tenor %lld on this date is %04d-%02d", (long long)tenor, y, mo);
		return buf;
	}
	if (m < qm) {
		snprintf(buf, cap, "contract delivered before the month of the date");
		return buf;
	}
	*month = m;
	return NULL;
}

/* The bound is the rates file's column range, the one qe-ingest checks
 * every rate of a rates file against. */
const char *schema_rate_implausible(double rate)
{
	const formats_col *c = &formats_get(FMT_RATES)->cols[FMT_RA_RATE];
	return rate < c->lo || rate > c->hi ? "rate of 100% or more in absolute value: a percentage?"
					    : NULL;
}

const char *schema_lifecycle_check(int state, int64_t live, int life, int64_t version, char *buf,
				   size_t cap, int *col)
{
	const char *what = life == LIFE_AMEND ? "amendment" : "cancel";
	*col = FMT_TR_ID;
	if (life == LIFE_NEW) {
		if (state == TRADE_UNKNOWN)
			return NULL;
		snprintf(buf, cap, "%s", state == TRADE_LIVE
						 ? "duplicate trade_id (status new for an existing trade)"
						 : "trade_id of a cancelled trade");
		return buf;
	}
	if (state != TRADE_LIVE) {
		snprintf(buf, cap, "%s of %s trade", what,
			 state == TRADE_UNKNOWN ? "an unknown" : "a cancelled");
		return buf;
	}
	if (life == LIFE_AMEND ? version <= live : version < live) {
		*col = FMT_TR_VERSION;
		snprintf(buf, cap, "version must be %s %lld (the live version)",
			 life == LIFE_AMEND ? "above" : "at least", (long long)live);
		return buf;
	}
	return NULL;
}

const int schema_trades_identity[FMT_TR_N] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
};
_Static_assert(FMT_TR_N == 29, "schema_trades_identity lists every trades column");

void schema_show_value(strbuf *b, const char *v, size_t n)
{
	int utf8 = valid_utf8(v, n);
	size_t shown = n > SCHEMA_VALUE_SHOWN ? SCHEMA_VALUE_SHOWN : n;
	/* a cut inside a UTF-8 sequence would leave a broken character */
	while (utf8 && shown < n && shown > 0 && ((unsigned char)v[shown] & 0xC0) == 0x80)
		shown--;
	for (size_t i = 0; i < shown; i++) {
		unsigned char ch = (unsigned char)v[i];
		char esc[8];
		if (ch == '\n')
			strbuf_put(b, "\\n", 2);
		else if (ch == '\r')
			strbuf_put(b, "\\r", 2);
		else if (ch < 0x20 || ch == 0x7f || (ch > 0x7f && !utf8))
			strbuf_put(b, esc, (size_t)snprintf(esc, sizeof esc, "\\x%02x", ch));
		else
			strbuf_putc(b, (char)ch);
	}
	if (shown < n)
		strbuf_put(b, "...", 3);
}

void schema_reject_text(const formats_table *s, const row_check *rc, char *buf, size_t cap)
{
	strbuf b = {0};
	if (rc->col >= 0 && rc->col < s->ncols) {
		strbuf_put(&b, "column '", 8);
		strbuf_put(&b, s->cols[rc->col].name, strlen(s->cols[rc->col].name));
		strbuf_put(&b, "': ", 3);
	}
	strbuf_put(&b, rc->reason, strlen(rc->reason));
	if (rc->value_len) {
		strbuf_put(&b, " '", 2);
		schema_show_value(&b, rc->value, rc->value_len);
		strbuf_putc(&b, '\'');
	}
	if (cap && b.oom) {
		snprintf(buf, cap, "%s", rc->reason);
	} else if (cap) {
		size_t n = b.len < cap - 1 ? b.len : cap - 1;
		memcpy(buf, b.p, n);
		buf[n] = '\0';
	}
	strbuf_free(&b);
}

static void put_upper(strbuf *b, const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		strbuf_putc(b, (char)toupper((unsigned char)s[k]));
}

int schema_check_row(const schema_ctx *c, const csvscan_field *f, int nf, strbuf *out,
		     row_check *rc)
{
	const formats_table *s = c->s;
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
		const formats_col *col = &s->cols[i];
		if (i)
			strbuf_putc(out, ',');
		koff[i] = out->len;
		if (!v[i].present || (c->out_cols && !(c->out_cols >> i & 1))) {
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
