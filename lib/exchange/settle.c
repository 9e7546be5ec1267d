#include "exchange/settle.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "core/num.h"
#include "core/strindex.h"
#include "exchange/impvol.h"
#include "io/csvio.h"
#include "io/formats.h"
#include "io/infile.h"
#include "price/black76.h"

#define MAXF 64

/* One curve's codes, from the curve master. */
typedef struct code_map {
	strindex *keys; /* "CME:F:NG", "ICE:O:B" -> entry */
	int *curve;     /* entry -> curve position */
	int *style;     /* entry -> IMPVOL_EUROPEAN / IMPVOL_AMERICAN (options) */
	double *scale;  /* curve position -> price scale */
	size_t n, cap;
} code_map;

typedef struct fut {
	int curve;
	long m0, m1; /* month indices, inclusive */
	double price;
	long line;
} fut;

typedef struct opt {
	int curve, type, style;
	long month;
	double strike, price, ice_vol, vol;
	qe_date expiry;
	long line;
	int have_vol;
	char *record, *value; /* kept until the underlying is known */
	int col;
} opt;

typedef struct rej {
	long line;
	int col;
	char *colname, *value, *reason, *record;
} rej;

struct exch_day {
	const curvemaster *m;
	char *name;
	qe_date date;
	int have_date;
	double rate;
	fut *f;       /* months after exch_read (strips split) */
	size_t nf, capf;
	opt *o;
	size_t no, capo;
	rej *r;
	size_t nr, capr;
	char **hdr;   /* header names */
	int nhdr;
};

static int oom(qe_err *e)
{
	return qe_err_set(e, QE_INTERNAL, "out of memory");
}

static int grow(void **p, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? 2 * *cap : 256;
	void *q = realloc(*p, c * sz);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/* --- the code map ---------------------------------------------------- */

static void map_free(code_map *cm)
{
	sidx_free(cm->keys);
	free(cm->curve);
	free(cm->style);
	free(cm->scale);
}

static int map_add(code_map *cm, const char *key, int curve, int style, qe_err *e)
{
	int added;
	if (grow((void **)&cm->curve, &cm->cap, cm->n, sizeof *cm->curve))
		return oom(e);
	int *s = realloc(cm->style, cm->cap * sizeof *s);
	if (!s)
		return oom(e);
	cm->style = s;
	long k = sidx_add(cm->keys, key, strlen(key), &added);
	if (k < 0)
		return oom(e);
	if (!added)
		return 1;
	cm->curve[k] = curve;
	cm->style[k] = style;
	cm->n++;
	return 0;
}

/* Parses the futures_codes / option_codes / price_scale columns. */
static int map_build(code_map *cm, const curvemaster *m, qe_err *e)
{
	size_t nc = curvemaster_count(m);
	memset(cm, 0, sizeof *cm);
	if (!(cm->keys = sidx_new()) || !(cm->scale = calloc(nc ? nc : 1, sizeof *cm->scale)))
		return oom(e);
	for (size_t i = 0; i < nc; i++) {
		const curvemaster_curve *c = curvemaster_at(m, i);
		const char *sc = curvemaster_attr(m, c, "price_scale");
		cm->scale[i] = 1;
		if (sc && *sc && (num_parse_double_z(sc, &cm->scale[i]) || !(cm->scale[i] > 0)))
			return curvemaster_field_error(m, c, "price_scale", e,
						       "expected a positive number '%s'", sc);
		for (int kind = 0; kind < 2; kind++) {
			const char *col = kind ? "option_codes" : "futures_codes";
			const char *s = curvemaster_attr(m, c, col);
			char tok[128], key[160];
			while (s && *s) {
				while (*s == ' ')
					s++;
				size_t len = strcspn(s, " ");
				if (!len)
					break;
				if (len >= sizeof tok)
					return curvemaster_field_error(m, c, col, e, "code too long");
				memcpy(tok, s, len);
				tok[len] = '\0';
				s += len;
				char *venue = tok, *code = strchr(tok, ':'), *style = NULL;
				if (code)
					*code++ = '\0';
				if (code && kind && (style = strchr(code, ':')))
					*style++ = '\0';
				int st = -1;
				if (style && strcasecmp(style, "european") == 0)
					st = IMPVOL_EUROPEAN;
				else if (style && strcasecmp(style, "american") == 0)
					st = IMPVOL_AMERICAN;
				if (!code || !*code || (strcasecmp(venue, "CME") && strcasecmp(venue, "ICE")) ||
				    (kind && st < 0) || (!kind && strchr(code, ':')))
					return curvemaster_field_error(
						m, c, col, e, "expected %s, got '%s'",
						kind ? "VENUE:CODE:european|american" : "VENUE:CODE",
						curvemaster_attr(m, c, col));
				for (char *p = venue; *p; p++)
					*p = (char)toupper((unsigned char)*p);
				snprintf(key, sizeof key, "%s:%c:%s", venue, kind ? 'O' : 'F', code);
				int rc = map_add(cm, key, (int)i, st, e);
				if (rc < 0 || (rc && rc != 1))
					return e->code;
				if (rc == 1)
					return curvemaster_field_error(m, c, col, e,
								       "code %s:%s mapped twice", venue, code);
			}
		}
	}
	return 0;
}

static long map_find(const code_map *cm, int venue, int option, const char *code)
{
	char key[160];
	snprintf(key, sizeof key, "%s:%c:%s", venue == EXCH_CME ? "CME" : "ICE", option ? 'O' : 'F',
		 code);
	return sidx_find(cm->keys, key, strlen(key));
}

/* --- input ----------------------------------------------------------- */

static int read_zip(const char *path, FILE **out, qe_err *e)
{
	int zerr = 0;
	zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
	if (!z)
		return qe_err_set(e, QE_DATA, "%s: not a readable zip archive", path);
	zip_int64_t n = zip_get_num_entries(z, 0), pick = -1, csvs = 0;
	for (zip_int64_t i = 0; i < n; i++) {
		const char *nm = zip_get_name(z, (zip_uint64_t)i, 0);
		size_t l = nm ? strlen(nm) : 0;
		if (l > 4 && (strcasecmp(nm + l - 4, ".csv") == 0 || strcasecmp(nm + l - 4, ".txt") == 0)) {
			pick = i;
			csvs++;
		}
	}
	if (n == 1)
		pick = 0, csvs = 1;
	if (csvs != 1) {
		zip_close(z);
		return qe_err_set(e, QE_DATA, "%s: zip archive must hold one .csv or .txt file, it has %lld",
				  path, (long long)csvs);
	}
	zip_file_t *zf = zip_fopen_index(z, (zip_uint64_t)pick, 0);
	FILE *tmp = tmpfile();
	if (!zf || !tmp) {
		if (zf)
			zip_fclose(zf);
		if (tmp)
			fclose(tmp);
		zip_close(z);
		return qe_err_set(e, zf ? QE_IO : QE_DATA, "%s: cannot read the zip entry", path);
	}
	char buf[1 << 16];
	zip_int64_t got;
	while ((got = zip_fread(zf, buf, sizeof buf)) > 0)
		if (fwrite(buf, 1, (size_t)got, tmp) != (size_t)got)
			break;
	int bad = got < 0, werr = ferror(tmp) || fflush(tmp);
	zip_fclose(zf);
	zip_close(z);
	if (bad || werr) {
		fclose(tmp);
		return qe_err_set(e, bad ? QE_DATA : QE_IO, "%s: %s", path,
				  bad ? "corrupt zip data" : "cannot write a temporary file");
	}
	rewind(tmp);
	*out = tmp;
	return 0;
}

FILE *exch_open(const char *path, qe_err *e)
{
	if (path && strcmp(path, "-") != 0) {
		FILE *fp = fopen(path, "rb");
		if (!fp) {
			qe_err_set(e, QE_IO, "%s: cannot open: %s", path, strerror(errno));
			return NULL;
		}
		unsigned char magic[4] = {0};
		size_t got = fread(magic, 1, 4, fp);
		fclose(fp);
		if (got == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) {
			FILE *out = NULL;
			return read_zip(path, &out, e) ? NULL : out;
		}
	}
	return infile_open(path, NULL, e);
}

/* Splits line (modified in place) at delim into f[]: a field may be
 * quoted with "" inside (CSV).  Returns the field count, -1 on a bad
 * quote or too many fields. */
static int split(char *line, char delim, char **f, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == max)
			return -1;
		if (*p == '"') {
			char *w = ++p;
			f[n++] = w;
			for (;;) {
				if (!*p)
					return -1;
				if (*p == '"') {
					if (p[1] == '"') {
						*w++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*w++ = *p++;
			}
			*w = '\0';
			if (*p && *p != delim)
				return -1;
		} else {
			f[n++] = p;
			p += strcspn(p, (char[]){delim, '\0'});
		}
		if (!*p)
			return n;
		*p++ = '\0';
	}
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t l = strlen(s);
	while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
		s[--l] = '\0';
	return s;
}

/* --- rows and rejects -------------------------------------------------- */

typedef struct rowctx {
	exch_day *d;
	long line;
	const char *record;
	char **f;
	int nf;
	FILE *rejects;
	void (*on_reject)(void *, const char *);
	void *ctx;
	exch_counts *n;
} rowctx;

static int add_reject(exch_day *d, long line, int col, const char *colname, const char *value,
		      const char *record, const char *reason, qe_err *e)
{
	if (grow((void **)&d->r, &d->capr, d->nr, sizeof *d->r))
		return oom(e);
	rej *r = &d->r[d->nr];
	r->line = line;
	r->col = col;
	r->colname = strdup(colname ? colname : "");
	r->value = strdup(value ? value : "");
	r->reason = strdup(reason);
	r->record = strdup(record ? record : "");
	if (!r->colname || !r->value || !r->reason || !r->record) {
		free(r->colname), free(r->value), free(r->reason), free(r->record);
		return oom(e);
	}
	d->nr++;
	return 0;
}

static int reject(rowctx *x, int col, qe_err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int reject(rowctx *x, int col, qe_err *e, const char *fmt, ...)
{
	char reason[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	const char *cn = col >= 0 && col < x->d->nhdr ? x->d->hdr[col] : NULL;
	const char *v = col >= 0 && col < x->nf ? x->f[col] : NULL;
	return add_reject(x->d, x->line, col, cn, v, x->record, reason, e);
}

static int cmp_rej(const void *a, const void *b)
{
	const rej *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

static void emit_rejects(exch_day *d, FILE *fp, void (*on_reject)(void *, const char *), void *ctx)
{
	if (d->nr > 1)
		qsort(d->r, d->nr, sizeof *d->r, cmp_rej);
	csv_writer w;
	if (fp) {
		csvw_init(&w, fp);
		csvw_header_of(&w, FMT_REJECTS);
	}
	for (size_t i = 0; i < d->nr; i++) {
		rej *r = &d->r[i];
		if (fp) {
			csvw_int(&w, r->line);
			csvw_str(&w, r->colname);
			csvw_str(&w, r->value);
			csvw_str(&w, r->reason);
			csvw_str(&w, r->record);
			csvw_end(&w);
		}
		if (on_reject) {
			char msg[1024], val[256];
			qe_err_escape(val, sizeof val, r->value, strlen(r->value));
			if (r->colname[0])
				snprintf(msg, sizeof msg, "%s:%ld:%d: column '%s': %s '%s'", d->name, r->line,
					 r->col + 1, r->colname, r->reason, val);
			else
				snprintf(msg, sizeof msg, "%s:%ld:1: %s", d->name, r->line, r->reason);
			on_reject(ctx, msg);
		}
	}
}

/* --- field parsing ----------------------------------------------------- */

/* "YYYY-MM-DD", "M/D/YYYY" or "YYYYMMDD". */
static int parse_date(const char *s, qe_date *out)
{
	if (date_parse_z(s, out) == 0)
		return 0;
	int y, m, d;
	size_t l = strlen(s);
	if (l == 8 && date_digits(s, 4, &y) == 0 && date_digits(s + 4, 2, &m) == 0 &&
	    date_digits(s + 6, 2, &d) == 0)
		goto check;
	char tail;
	if (sscanf(s, "%2d/%2d/%4d%c", &m, &d, &y, &tail) != 3 || !isdigit((unsigned char)s[0]) ||
	    strspn(s, "0123456789/") != l || y < 1000)
		return -1;
check:
	if (m < 1 || m > 12 || d < 1 || d > date_days_in_month(y, m))
		return -1;
	*out = date_from_ymd(y, m, d);
	return 0;
}

static const char *const mon_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
					"JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

/* A year of 2 or 4 digits. */
static int parse_year(const char *s, int *y)
{
	size_t l = strlen(s);
	if ((l != 2 && l != 4) || strspn(s, "0123456789") != l || date_digits(s, (int)l, y))
		return -1;
	if (l == 2)
		*y += 2000;
	return 0;
}

/* CME MMY "YYYYMM" into a month index. */
static int parse_mmy(const char *s, long *idx)
{
	int y, m;
	if (strlen(s) != 6 || date_digits(s, 4, &y) || date_digits(s + 4, 2, &m) || m < 1 || m > 12)
		return -1;
	*idx = date_month_index_ym(y, m);
	return 0;
}

/* ICE STRIP: a month (Jan27, Jan-27, JAN2027, 1/1/2027, 2027-01), a
 * quarter (Q127, Q1 27, Q1-2027), a season (Sum27, Win27: Apr-Sep, Oct-Mar)
 * or a calendar year (Cal27), spaces and '-' ignored, case ignored. */
static int parse_strip(const char *s, long *m0, long *m1)
{
	qe_date dt;
	if (parse_date(s, &dt) == 0) {
		*m0 = *m1 = date_month_index(dt);
		return 0;
	}
	if (date_month_parse(s, strlen(s), m0) == 0) {
		*m1 = *m0;
		return 0;
	}
	char t[32];
	size_t n = 0;
	for (; *s && n < sizeof t - 1; s++)
		if (*s != ' ' && *s != '-')
			t[n++] = (char)toupper((unsigned char)*s);
	t[n] = '\0';
	int y;
	if (n >= 4 && t[0] == 'Q' && t[1] >= '1' && t[1] <= '4' && parse_year(t + 2, &y) == 0) {
		*m0 = date_month_index_ym(y, 3 * (t[1] - '1') + 1);
		*m1 = *m0 + 2;
		return 0;
	}
	if (n < 5)
		return -1;
	if (parse_year(t + 3, &y) == 0) {
		for (int k = 0; k < 12; k++)
			if (memcmp(t, mon_names[k], 3) == 0) {
				*m0 = *m1 = date_month_index_ym(y, k + 1);
				return 0;
			}
		if (memcmp(t, "SUM", 3) == 0) {
			*m0 = date_month_index_ym(y, 4);
			*m1 = *m0 + 5;
			return 0;
		}
		if (memcmp(t, "WIN", 3) == 0) {
			*m0 = date_month_index_ym(y, 10);
			*m1 = *m0 + 5;
			return 0;
		}
		if (memcmp(t, "CAL", 3) == 0) {
			*m0 = date_month_index_ym(y, 1);
			*m1 = *m0 + 11;
			return 0;
		}
	}
	return -1;
}

static int get_num(const char *s, double *x)
{
	return num_parse_double_z(s, x) ? -1 : 0;
}

/* --- reading ----------------------------------------------------------- */

enum { C_DATE, C_CODE, C_TYPE, C_MONTH, C_STRIKE, C_PC, C_SETTLE, C_HIGH, C_LOW, C_UMONTH,
       C_EXPIRY, C_EXPIRY2, C_ICEVOL, C_N };

static const char *const cme_cols[C_N] = {"BizDt",     "Sym",      "SecTyp",   "MMY",   "StrkPx",
					  "PutCall",   "SettlePrice", "HighLimit", "LowLimit", "UndlyMMY",
					  "LastTrdDt", "MatDt",    NULL};
static const char *const ice_cols[C_N] = {"TRADE DATE", "CONTRACT", "CONTRACT TYPE", "STRIP",
					  "STRIKE",     NULL,       "SETTLEMENT PRICE", NULL, NULL, NULL,
					  "EXPIRATION DATE", NULL, "OPTION_VOLATILITY"};

/* One data row: futures and options are kept, anything wrong rejected. */
static int read_row(rowctx *x, int venue, const int *col, const code_map *cm, qe_err *e)
{
	exch_day *d = x->d;
	char **f = x->f;
	const char *fv[C_N];
	for (int k = 0; k < C_N; k++)
		fv[k] = col[k] >= 0 && col[k] < x->nf ? f[col[k]] : "";
	qe_date date;
	if (parse_date(fv[C_DATE], &date))
		return reject(x, col[C_DATE], e, "not a date");
	if (!d->have_date) {
		d->date = date;
		d->have_date = 1;
	} else if (date != d->date) {
		char buf[16];
		date_format(buf, d->date);
		return reject(x, col[C_DATE], e, "trade date differs from the file's %s", buf);
	}
	/* futures or option, and the option's type */
	int option = 0, type = 0;
	if (venue == EXCH_CME) {
		if (strcasecmp(fv[C_TYPE], "FUT") == 0)
			option = 0;
		else if (strcasecmp(fv[C_TYPE], "OOF") == 0) {
			option = 1;
			if (strcmp(fv[C_PC], "1") == 0)
				type = OPT_CALL;
			else if (strcmp(fv[C_PC], "0") == 0)
				type = OPT_PUT;
			else
				return reject(x, col[C_PC], e, "expected 1 (call) or 0 (put)");
		} else
			return reject(x, col[C_TYPE], e, "unsupported security type (FUT or OOF)");
	} else {
		if (strcasecmp(fv[C_TYPE], "F") == 0)
			option = 0;
		else if (strcasecmp(fv[C_TYPE], "C") == 0)
			option = 1, type = OPT_CALL;
		else if (strcasecmp(fv[C_TYPE], "P") == 0)
			option = 1, type = OPT_PUT;
		else
			return reject(x, col[C_TYPE], e, "expected F, C or P");
	}
	long k = map_find(cm, venue, option, fv[C_CODE]);
	if (k < 0)
		return reject(x, col[C_CODE], e, "unknown %s code", option ? "option" : "futures");
	int ci = cm->curve[k];
	double scale = cm->scale[ci];
	const curvemaster_curve *c = curvemaster_at(d->m, (size_t)ci);
	long m0, m1;
	if (venue == EXCH_CME ? parse_mmy(fv[C_MONTH], &m0) : parse_strip(fv[C_MONTH], &m0, &m1))
		return reject(x, col[C_MONTH], e, "not a contract month");
	if (venue == EXCH_CME)
		m1 = m0;
	if (option && venue == EXCH_CME) {
		if (!*fv[C_UMONTH])
			return reject(x, col[C_UMONTH], e, "option without its underlying future");
		if (parse_mmy(fv[C_UMONTH], &m0))
			return reject(x, col[C_UMONTH], e, "not a contract month");
		m1 = m0;
	}
	if (option && m1 != m0)
		return reject(x, col[C_MONTH], e, "an option's underlying must be one month");
	double settle;
	if (get_num(fv[C_SETTLE], &settle))
		return reject(x, col[C_SETTLE], e, "not a number");
	settle *= scale;
	if (venue == EXCH_CME) {
		double hi, lo;
		if ((*fv[C_HIGH] && get_num(fv[C_HIGH], &hi)) || (*fv[C_LOW] && get_num(fv[C_LOW], &lo)))
			return reject(x, *fv[C_HIGH] && get_num(fv[C_HIGH], &hi) ? col[C_HIGH] : col[C_LOW], e,
				      "not a number");
		if ((*fv[C_HIGH] && settle > hi * scale) || (*fv[C_LOW] && settle < lo * scale))
			return reject(x, col[C_SETTLE], e, "settlement outside the day's limits [%s, %s]",
				      *fv[C_LOW] ? fv[C_LOW] : "-", *fv[C_HIGH] ? fv[C_HIGH] : "-");
	}
	/* expired: the contract (a strip: its first month) stopped trading */
	qe_date last;
	if (curvemaster_last_trade(d->m, c, date_month_first(m0), &last, e)) {
		if (e->code != QE_DATA)
			return e->code;
		/* a month beyond the calendar's coverage cannot be checked */
		char why[600];
		snprintf(why, sizeof why, "last trading day unknown (%s)", e->msg);
		qe_err_clear(e);
		return reject(x, col[option && venue == EXCH_CME ? C_UMONTH : C_MONTH], e, "%s", why);
	}
	if (last < date) {
		char buf[16];
		date_format(buf, last);
		return reject(x, col[option && venue == EXCH_CME ? C_UMONTH : C_MONTH], e,
			      "expired contract (last trading day %s)", buf);
	}
	if (!option) {
		if (!isfinite(settle) || (!c->returns_abs && !(settle > 0)))
			return reject(x, col[C_SETTLE], e, "settlement must be positive");
		if (grow((void **)&d->f, &d->capf, d->nf, sizeof *d->f))
			return oom(e);
		d->f[d->nf++] = (fut){.curve = ci, .m0 = m0, .m1 = m1, .price = settle, .line = x->line};
		x->n->futures++;
		return 0;
	}
	double strike;
	if (get_num(fv[C_STRIKE], &strike) || !(strike > 0))
		return reject(x, col[C_STRIKE], e, "strike must be a positive number");
	strike *= scale;
	if (!(settle >= 0))
		return reject(x, col[C_SETTLE], e, "premium must not be negative");
	qe_date expiry;
	const char *ex = *fv[C_EXPIRY] ? fv[C_EXPIRY] : fv[C_EXPIRY2];
	int excol = *fv[C_EXPIRY] ? col[C_EXPIRY] : col[C_EXPIRY2];
	if (parse_date(ex, &expiry))
		return reject(x, excol, e, "not an expiry date");
	if (expiry < date)
		return reject(x, excol, e, "expired option");
	if (expiry > last)
		return reject(x, excol, e, "option expires after its future's last trading day");
	double ice_vol = NAN;
	if (venue == EXCH_ICE && *fv[C_ICEVOL] && get_num(fv[C_ICEVOL], &ice_vol))
		return reject(x, col[C_ICEVOL], e, "not a number");
	if (grow((void **)&d->o, &d->capo, d->no, sizeof *d->o))
		return oom(e);
	opt *o = &d->o[d->no];
	*o = (opt){.curve = ci, .type = type, .style = cm->style[k], .month = m0, .strike = strike,
		   .price = settle, .ice_vol = ice_vol, .expiry = expiry, .line = x->line,
		   .col = col[venue == EXCH_CME ? C_UMONTH : C_MONTH]};
	if (!(o->record = strdup(x->record)) || !(o->value = strdup(fv[venue == EXCH_CME ? C_UMONTH : C_MONTH])))
		return free(o->record), oom(e);
	d->no++;
	return 0;
}

static int cmp_fut(const void *a, const void *b)
{
	const fut *x = a, *y = b;
	if (x->curve != y->curve)
		return (x->curve > y->curve) - (x->curve < y->curve);
	return (x->m0 > y->m0) - (x->m0 < y->m0);
}

/* Shorter strips first, then file order. */
static int cmp_strip(const void *a, const void *b)
{
	const fut *x = a, *y = b;
	long lx = x->m1 - x->m0, ly = y->m1 - y->m0;
	if (lx != ly)
		return (lx > ly) - (lx < ly);
	return (x->line > y->line) - (x->line < y->line);
}

static const fut *find_month(const fut *f, size_t n, int curve, long month)
{
	fut key = {.curve = curve, .m0 = month};
	return bsearch(&key, f, n, sizeof *f, cmp_fut);
}

static int days_of(long month)
{
	int y, m;
	date_month_ym(month, &y, &m);
	return date_days_in_month(y, m);
}

/* Months stay as they are (a month quoted twice is a reject); each strip,
 * shortest first, gives its unquoted months the one price that makes the
 * day-weighted average of all its months the strip's price. */
static int split_strips(exch_day *d, rowctx *x, qe_err *e)
{
	size_t nm = 0;
	fut *strips = NULL;
	size_t ns = 0;
	for (size_t i = 0; i < d->nf; i++) {
		if (d->f[i].m0 == d->f[i].m1)
			d->f[nm++] = d->f[i];
		else {
			fut *t = realloc(strips, (ns + 1) * sizeof *t);
			if (!t)
				return free(strips), oom(e);
			strips = t;
			strips[ns++] = d->f[i];
		}
	}
	d->nf = nm;
	if (d->nf > 1)
		qsort(d->f, d->nf, sizeof *d->f, cmp_fut);
	/* duplicates: the later line is the reject */
	size_t w = 0;
	for (size_t i = 0; i < d->nf; i++) {
		if (w && d->f[w - 1].curve == d->f[i].curve && d->f[w - 1].m0 == d->f[i].m0) {
			fut *keep = &d->f[w - 1], *dup = &d->f[i];
			if (dup->line < keep->line) {
				fut t = *keep;
				*keep = *dup;
				*dup = t;
			}
			if (add_reject(d, dup->line, -1, "", "", "", "contract quoted twice", e))
				return free(strips), e->code;
			x->n->futures--;
			x->n->rejected++;
			continue;
		}
		d->f[w++] = d->f[i];
	}
	d->nf = w;
	if (ns > 1) /* no strip: strips is NULL */
		qsort(strips, ns, sizeof *strips, cmp_strip);
	for (size_t s = 0; s < ns; s++) {
		fut *st = &strips[s];
		double known = 0;
		long days = 0, open_days = 0;
		for (long mo = st->m0; mo <= st->m1; mo++) {
			const fut *q = find_month(d->f, d->nf, st->curve, mo);
			days += days_of(mo);
			if (q)
				known += q->price * days_of(mo);
			else
				open_days += days_of(mo);
		}
		if (!open_days)
			continue; /* every month quoted: the strip adds nothing */
		double p = (st->price * (double)days - known) / (double)open_days;
		for (long mo = st->m0; mo <= st->m1; mo++) {
			if (find_month(d->f, d->nf, st->curve, mo))
				continue;
			if (grow((void **)&d->f, &d->capf, d->nf, sizeof *d->f))
				return free(strips), oom(e);
			d->f[d->nf++] = (fut){.curve = st->curve, .m0 = mo, .m1 = mo, .price = p, .line = st->line};
		}
		qsort(d->f, d->nf, sizeof *d->f, cmp_fut);
	}
	free(strips);
	return 0;
}

/* Options: the underlying must be quoted; then the implied vol. */
static int option_vols(exch_day *d, rowctx *x, qe_err *e)
{
	size_t w = 0;
	for (size_t i = 0; i < d->no; i++) {
		opt *o = &d->o[i];
		const fut *u = find_month(d->f, d->nf, o->curve, o->month);
		if (!u) {
			if (add_reject(d, o->line, o->col, d->hdr[o->col], o->value, o->record,
				       "no settlement of the underlying future", e))
				return e->code;
			x->n->rejected++;
			free(o->record);
			free(o->value);
			continue;
		}
		d->o[w++] = *o;
	}
	d->no = w;
	int bad = 0;
	const char **why = calloc(d->no ? d->no : 1, sizeof *why);
	int *st = calloc(d->no ? d->no : 1, sizeof *st);
	if (!why || !st)
		return free(why), free(st), oom(e);
#pragma omp parallel for schedule(dynamic, 64)
	for (size_t i = 0; i < d->no; i++) {
		opt *o = &d->o[i];
		const fut *u = find_month(d->f, d->nf, o->curve, o->month);
		double T = date_yf_act365(d->date, o->expiry);
		st[i] = impvol_solve(o->style, o->type, u->price, o->strike, d->rate, T, o->price, &o->vol,
				     &why[i]);
		o->have_vol = st[i] == IMPVOL_OK;
	}
	w = 0;
	for (size_t i = 0; i < d->no; i++) {
		opt *o = &d->o[i];
		if (st[i] == IMPVOL_BOUNDS || st[i] == IMPVOL_NOCONV) {
			/* the premium column is at fault (named in exch_read) */
			if (add_reject(d, o->line, -2, "", "", o->record, why[i], e)) {
				bad = 1;
				break;
			}
			x->n->rejected++;
			free(o->record);
			free(o->value);
			continue;
		}
		if (st[i] == IMPVOL_FLAT)
			x->n->no_vol++;
		else if (!isnan(o->ice_vol)) {
			x->n->ice_compared++;
			x->n->ice_maxdiff = fmax(x->n->ice_maxdiff, fabs(100 * o->vol - o->ice_vol));
		}
		free(o->record);
		free(o->value);
		o->record = o->value = NULL;
		x->n->options++;
		d->o[w++] = *o;
	}
	d->no = w;
	free(why);
	free(st);
	return bad ? e->code : 0;
}

void exch_day_free(exch_day *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nr; i++) {
		free(d->r[i].colname), free(d->r[i].value), free(d->r[i].reason), free(d->r[i].record);
	}
	for (size_t i = 0; i < d->no; i++)
		free(d->o[i].record), free(d->o[i].value);
	for (int k = 0; k < d->nhdr; k++)
		free(d->hdr[k]);
	free(d->hdr);
	free(d->r);
	free(d->o);
	free(d->f);
	free(d->name);
	free(d);
}

qe_date exch_day_date(const exch_day *d)
{
	return d->date;
}

exch_day *exch_read(FILE *fp, const char *name, int venue, const curvemaster *m, double rate,
		    FILE *rejects, void (*on_reject)(void *ctx, const char *msg), void *ctx,
		    exch_counts *n, qe_err *e)
{
	memset(n, 0, sizeof *n);
	exch_day *d = calloc(1, sizeof *d);
	code_map cm;
	memset(&cm, 0, sizeof cm);
	char *line = NULL, *copy = NULL;
	size_t cap = 0, ccap = 0;
	if (!d || !(d->name = strdup(name))) {
		oom(e);
		goto fail;
	}
	d->m = m;
	d->rate = rate;
	if (map_build(&cm, m, e))
		goto fail;
	char delim = venue == EXCH_CME ? ',' : '|';
	const char *const *want = venue == EXCH_CME ? cme_cols : ice_cols;
	char *f[MAXF];
	ssize_t len;
	long lineno = 0;
	int col[C_N];
	/* the header */
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len)
			break;
	}
	if (len < 0) {
		if (ferror(fp))
			infile_read_error(e, name, errno);
		else
			qe_err_set(e, QE_DATA, "%s: empty file", name);
		goto fail;
	}
	char *hp = line;
	if ((unsigned char)hp[0] == 0xEF && (unsigned char)hp[1] == 0xBB && (unsigned char)hp[2] == 0xBF)
		hp += 3;
	int nh = split(hp, delim, f, MAXF);
	if (nh < 0) {
		qe_err_set(e, QE_DATA, "%s:%ld:1: unreadable header", name, lineno);
		goto fail;
	}
	if (!(d->hdr = calloc((size_t)nh, sizeof *d->hdr))) {
		oom(e);
		goto fail;
	}
	for (int k = 0; k < nh; k++, d->nhdr++)
		if (!(d->hdr[k] = strdup(trim(f[k])))) {
			oom(e);
			goto fail;
		}
	for (int k = 0; k < C_N; k++) {
		col[k] = -1;
		if (!want[k])
			continue;
		for (int j = 0; j < nh; j++)
			if (strcasecmp(d->hdr[j], want[k]) == 0)
				col[k] = j;
		if (col[k] < 0 && k != C_ICEVOL) {
			csv_missing_column(name, lineno, nh, d->hdr[0], strlen(d->hdr[0]), want[k], e);
			goto fail;
		}
	}
	rowctx x = {.d = d, .f = f, .rejects = rejects, .on_reject = on_reject, .ctx = ctx, .n = n};
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len)
			continue;
		if ((size_t)len + 1 > ccap) {
			char *t = realloc(copy, (size_t)len + 1);
			if (!t) {
				oom(e);
				goto fail;
			}
			copy = t;
			ccap = (size_t)len + 1;
		}
		memcpy(copy, line, (size_t)len + 1);
		n->read++;
		x.line = lineno;
		x.record = copy;
		x.nf = split(line, delim, f, MAXF);
		size_t before = d->nr;
		int rc;
		if (x.nf != nh)
			rc = add_reject(d, lineno, -1, "", "", copy,
					x.nf < 0 ? "malformed quoting" : "field count differs from the header", e);
		else {
			for (int k = 0; k < x.nf; k++)
				f[k] = trim(f[k]);
			rc = read_row(&x, venue, col, &cm, e);
		}
		if (rc)
			goto fail;
		if (d->nr > before)
			n->rejected++;
	}
	if (ferror(fp)) {
		infile_read_error(e, name, errno);
		goto fail;
	}
	if (!n->read) {
		qe_err_set(e, QE_DATA, "%s: no data rows", name);
		goto fail;
	}
	if (split_strips(d, &x, e) || option_vols(d, &x, e))
		goto fail;
	/* reject rows of a premium out of bounds name the settlement column */
	int sc = col[C_SETTLE];
	for (size_t i = 0; i < d->nr; i++)
		if (d->r[i].col == -2) {
			char *cn = strdup(d->hdr[sc]);
			if (!cn) {
				oom(e);
				goto fail;
			}
			free(d->r[i].colname);
			d->r[i].colname = cn;
			d->r[i].col = sc;
			/* the value is the premium as written */
			char *rec = strdup(d->r[i].record), *g[MAXF];
			if (!rec) {
				oom(e);
				goto fail;
			}
			int ng = split(rec, delim, g, MAXF);
			char *v = strdup(ng > sc ? trim(g[sc]) : "");
			free(rec);
			if (!v) {
				oom(e);
				goto fail;
			}
			free(d->r[i].value);
			d->r[i].value = v;
		}
	emit_rejects(d, rejects, on_reject, ctx);
	free(line);
	free(copy);
	map_free(&cm);
	return d;
fail:
	free(line);
	free(copy);
	map_free(&cm);
	exch_day_free(d);
	return NULL;
}

/* --- outputs ----------------------------------------------------------- */

static int write_check(FILE *fp, qe_err *e)
{
	return ferror(fp) ? qe_err_set(e, QE_IO, "write error: %s", strerror(errno)) : 0;
}

int exch_write_curves(const exch_day *d, FILE *fp, exch_counts *n, qe_err *e)
{
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_PRICES);
	for (size_t i = 0; i < d->nf; i++) {
		const fut *q = &d->f[i];
		const curvemaster_curve *c = curvemaster_at(d->m, (size_t)q->curve);
		csvw_str(&w, c->name);
		csvw_date(&w, d->date);
		csvw_date(&w, date_month_first(q->m0));
		csvw_date(&w, date_month_first(q->m0 + 1) - 1);
		csvw_double(&w, q->price);
		csvw_str(&w, c->unit);
		csvw_str(&w, c->currency);
		csvw_end(&w);
		n->curve_rows++;
	}
	return write_check(fp, e);
}

/* One vol per curve, month and strike: the out-of-the-money option's
 * (call at or above the future, put below) when both are quoted. */
static int cmp_vol(const void *a, const void *b, void *ctx)
{
	const opt *x = a, *y = b;
	const exch_day *d = ctx;
	if (x->curve != y->curve)
		return (x->curve > y->curve) - (x->curve < y->curve);
	if (x->month != y->month)
		return (x->month > y->month) - (x->month < y->month);
	if (x->strike != y->strike)
		return (x->strike > y->strike) - (x->strike < y->strike);
	const fut *u = find_month(d->f, d->nf, x->curve, x->month);
	int want = x->strike >= u->price ? OPT_CALL : OPT_PUT;
	return (y->type == want) - (x->type == want);
}

static void vol_row(csv_writer *w, const exch_day *d, const opt *o, int atm, double vol)
{
	const curvemaster_curve *c = curvemaster_at(d->m, (size_t)o->curve);
	csvw_str(w, c->name);
	csvw_date(w, d->date);
	csvw_date(w, date_month_first(o->month));
	csvw_date(w, date_month_first(o->month + 1) - 1);
	if (atm)
		csvw_empty(w);
	else
		csvw_double(w, o->strike);
	csvw_double(w, vol);
	csvw_str(w, "lognormal");
	csvw_end(w);
}

int exch_write_vols(const exch_day *d, FILE *fp, exch_counts *n, qe_err *e)
{
	size_t nv = 0;
	opt *v = malloc((d->no ? d->no : 1) * sizeof *v);
	if (!v)
		return oom(e);
	for (size_t i = 0; i < d->no; i++)
		if (d->o[i].have_vol)
			v[nv++] = d->o[i];
	qsort_r(v, nv, sizeof *v, cmp_vol, (void *)d);
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_VOLS);
	for (size_t i = 0; i < nv;) {
		size_t j = i;
		while (j < nv && v[j].curve == v[i].curve && v[j].month == v[i].month)
			j++;
		/* the at-the-money vol: linear in strike between the strikes
		 * around the future, flat beyond the quoted strikes */
		double F = find_month(d->f, d->nf, v[i].curve, v[i].month)->price, atm = v[i].vol;
		const opt *prev = NULL;
		for (size_t k = i; k < j; k++) {
			if (k > i && v[k].strike == v[k - 1].strike)
				continue;
			if (v[k].strike >= F) {
				atm = prev ? prev->vol + (v[k].vol - prev->vol) * (F - prev->strike) /
								 (v[k].strike - prev->strike)
					   : v[k].vol;
				prev = NULL;
				break;
			}
			prev = &v[k];
		}
		if (prev)
			atm = prev->vol;
		vol_row(&w, d, &v[i], 1, atm);
		n->vols++;
		for (size_t k = i; k < j; k++) {
			if (k > i && v[k].strike == v[k - 1].strike)
				continue;
			vol_row(&w, d, &v[k], 0, v[k].vol);
			n->vols++;
		}
		i = j;
	}
	free(v);
	return write_check(fp, e);
}

/* The front-month settlement of each curve whose index is a futures
 * price (curvemaster_fixes_front); other curves' index is a spot price
 * the file does not have. */
static int fixing_of(const exch_day *d, int curve, double *price, qe_err *e)
{
	const curvemaster_curve *c = curvemaster_at(d->m, (size_t)curve);
	if (!curvemaster_fixes_front(c))
		return 0;
	qe_date first;
	if (curvemaster_front_month(d->m, c, d->date, &first, e))
		return -1;
	const fut *q = find_month(d->f, d->nf, curve, date_month_index(first));
	if (!q)
		return 0;
	*price = q->price;
	return 1;
}

int exch_write_fixings(const exch_day *d, FILE *fp, exch_counts *n, qe_err *e)
{
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_FIXINGS);
	for (size_t i = 0; i < d->nf; i++) {
		if (i && d->f[i].curve == d->f[i - 1].curve)
			continue;
		double p;
		int rc = fixing_of(d, d->f[i].curve, &p, e);
		if (rc < 0)
			return e->code;
		if (!rc)
			continue;
		csvw_str(&w, curvemaster_at(d->m, (size_t)d->f[i].curve)->name);
		csvw_date(&w, d->date);
		csvw_double(&w, p);
		csvw_end(&w);
		n->fixings++;
	}
	return write_check(fp, e);
}

static int write_day_history(const exch_day *d, csv_writer *w, qe_err *e)
{
	long mdate = date_month_index(d->date);
	for (size_t i = 0; i < d->nf; i++) {
		const fut *q = &d->f[i];
		const char *name = curvemaster_at(d->m, (size_t)q->curve)->name;
		if (i == 0 || q->curve != d->f[i - 1].curve) {
			double p;
			int rc = fixing_of(d, q->curve, &p, e);
			if (rc < 0)
				return e->code;
			if (rc) {
				/* tenor 0: the index's fixing, no one contract */
				csvw_date(w, d->date);
				csvw_str(w, name);
				csvw_int(w, 0);
				csvw_empty(w);
				csvw_double(w, p);
				csvw_end(w);
			}
		}
		if (q->m0 <= mdate)
			continue;
		int y, mo;
		char ym[16];
		date_month_ym(q->m0, &y, &mo);
		snprintf(ym, sizeof ym, "%04d-%02d", y, mo);
		csvw_date(w, d->date);
		csvw_str(w, name);
		csvw_int(w, q->m0 - mdate);
		csvw_str(w, ym);
		csvw_double(w, q->price);
		csvw_end(w);
	}
	return 0;
}

static int day_has_curve(const exch_day *d, const char *curve)
{
	for (size_t i = 0; i < d->nf; i++)
		if (strcmp(curvemaster_at(d->m, (size_t)d->f[i].curve)->name, curve) == 0)
			return 1;
	return 0;
}

/* 1 when the day writes a row for curve and tenor (text, as in the
 * history file). */
static int day_has_row(const exch_day *d, const char *curve, const char *tenor, qe_err *e)
{
	int64_t k;
	if (num_parse_int64_z(tenor, &k))
		return 0;
	long mdate = date_month_index(d->date);
	for (size_t i = 0; i < d->nf; i++) {
		const fut *q = &d->f[i];
		if (strcmp(curvemaster_at(d->m, (size_t)q->curve)->name, curve) != 0)
			continue;
		if (k == 0) {
			double p;
			int rc = fixing_of(d, q->curve, &p, e);
			return rc < 0 ? -1 : rc;
		}
		if (q->m0 - mdate == k)
			return 1;
	}
	return 0;
}

/* A row of the existing history as it was (date, curve, tenor, contract
 * (empty when the file has none), price). */
static void copy_history_row(const csv_reader *r, const int idx[4], int ccol, csv_writer *w)
{
	for (int k = 0; k < 3; k++)
		csvw_str(w, csvr_field(r, idx[k], NULL));
	csvw_str(w, ccol >= 0 ? csvr_field(r, ccol, NULL) : "");
	csvw_str(w, csvr_field(r, idx[3], NULL));
	csvw_end(w);
}

int exch_write_history(const exch_day *d, FILE *old, const char *name, int replace, FILE *fp,
		       qe_err *e)
{
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_HISTORY);
	int done = 0;
	if (old) {
		int c = fgetc(old);
		if (c != EOF) {
			ungetc(c, old);
			csv_reader *r = csvr_open_stream(old, name, 0, e);
			if (!r)
				return e->code;
			static const char *const cols[] = {"date", "curve", "tenor", "price"};
			int idx[4], st;
			if (csvr_require(r, cols, 4, idx, e))
				return csvr_close(r), e->code;
			/* an old 4-column history gains an empty contract (derived
			 * from the tenor when read, qe-formats(5) HISTORY) */
			int ccol = csvr_col(r, "contract");
			while ((st = csvr_next(r, e)) != CSVR_EOF) {
				qe_date dt;
				if (st != CSVR_ROW || csvr_get_date(r, idx[0], &dt, e))
					return csvr_close(r), st == CSVR_FATAL ? e->code : QE_DATA;
				const char *curve = csvr_field(r, idx[1], NULL);
				if (dt == d->date && day_has_curve(d, curve)) {
					/* --replace drops the rows the day writes anew; the
					 * others of the date (a spot tenor 0, a tenor the
					 * file no longer lists) stay */
					int has = replace ? day_has_row(d, curve, csvr_field(r, idx[2], NULL), e) : 0;
					if (has < 0)
						return csvr_close(r), e->code;
					if (has)
						continue;
					if (replace) {
						copy_history_row(r, idx, ccol, &w);
						continue;
					}
					char buf[16];
					date_format(buf, d->date);
					csvr_field_error(r, idx[0], e,
							 "the history already has %s for %s (--replace replaces it)",
							 buf, curve);
					return csvr_close(r), QE_DATA;
				}
				if (dt > d->date && !done) {
					if (write_day_history(d, &w, e))
						return csvr_close(r), e->code;
					done = 1;
				}
				copy_history_row(r, idx, ccol, &w);
			}
			csvr_close(r);
		}
	}
	if (!done && write_day_history(d, &w, e))
		return e->code;
	return write_check(fp, e);
}
