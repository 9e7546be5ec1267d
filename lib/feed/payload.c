#include "feed/payload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"
#include "ingest/schema.h"
#include "io/csvscan.h"
#include "io/formats.h"
#include "time/tz.h"

struct feed_parser {
	int period_min;
	const formats_table *s;
	strbuf out;          /* the canonical row */
	char *scratch;       /* unquoted CSV fields, decoded JSON strings */
	size_t scratch_cap;
	char why[200];
	long line;           /* of the record being checked */
};

static const int meters_identity[6] = {0, 1, 2, 3, 4, 5};

feed_parser *feed_parser_new(int period_min, qe_err *e)
{
	if (period_min != 15 && period_min != 30 && period_min != 60) {
		qe_err_set(e, QE_USAGE, "settlement period %d minutes (expected 15, 30 or 60)", period_min);
		return NULL;
	}
	feed_parser *p = calloc(1, sizeof *p);
	if (!p) {
		qe_err_set(e, QE_INTERNAL, "out of memory");
		return NULL;
	}
	p->period_min = period_min;
	p->s = schema_get(FMT_METERS);
	return p;
}

void feed_parser_free(feed_parser *p)
{
	if (!p)
		return;
	strbuf_free(&p->out);
	free(p->scratch);
	free(p);
}

static int scratch_for(feed_parser *p, size_t n, qe_err *e)
{
	if (n + 1 <= p->scratch_cap)
		return 0;
	char *s = realloc(p->scratch, n + 1);
	if (!s)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	p->scratch = s;
	p->scratch_cap = n + 1;
	return 0;
}

static int reject(const feed_parser *p, const feed_sink *k, const char *column, const char *value, size_t vlen,
		  const char *reason, const char *record, size_t rlen, qe_err *e)
{
	feed_reject r = {column, value ? value : "", value ? vlen : 0, reason, record, rlen, p->line};
	return k->reject(k->ctx, &r, e);
}

/* One record of six fields: the validator of qe-ingest, then the rules
 * of a reading on its own. */
static int check_record(feed_parser *p, const csvscan_field *f, int nf, const char *record,
			size_t rlen, const feed_sink *k, qe_err *e)
{
	schema_ctx ctx = {.s = p->s, .markets = NULL, .colmap = meters_identity};
	row_check rc;
	if (nf != 6) {
		snprintf(p->why, sizeof p->why, "expected 6 fields (%s), found %d",
			 "meter_id,timestamp,interval_min,energy,unit,quality", nf);
		return reject(p, k, NULL, NULL, 0, p->why, record, rlen, e);
	}
	p->out.len = 0;
	if (schema_check_row(&ctx, f, nf, &p->out, &rc) != 0)
		return reject(p, k, rc.col >= 0 ? p->s->cols[rc.col].name : NULL, rc.value, rc.value_len,
			      rc.reason, record, rlen, e);
	if (p->out.oom)
		return qe_err_set(e, QE_INTERNAL, "out of memory");

	/* the canonical row's own fields: id, timestamp and interval as written */
	csvscan_field cf[6];
	csvscan_rec rec;
	char cs[1024];
	if (p->out.len > sizeof cs)
		return reject(p, k, NULL, NULL, 0, "record too long", record, rlen, e);
	csvscan_next(p->out.p, p->out.len, 0, 1, cf, 6, cs, &rec);
	qe_ts ts;
	int64_t iv = 0;
	if (rec.nfields != 6 || ts_parse(cf[1].p, cf[1].len, &ts) != 0 ||
	    num_parse_int64(cf[2].p, cf[2].len, &iv) != 0 || iv <= 0)
		return qe_err_set(e, QE_INTERNAL, "canonical meters row does not scan back");
	int64_t step = iv * 60, local = ts.utc + ts.offset;
	if (((local % step) + step) % step != 0) {
		snprintf(p->why, sizeof p->why, "start not on a multiple of its %d-minute interval",
			 (int)iv);
		return reject(p, k, "timestamp", f[1].p, f[1].len, p->why, record, rlen, e);
	}
	if (p->period_min % iv != 0) {
		snprintf(p->why, sizeof p->why, "interval does not divide the %d-minute settlement period",
			 p->period_min);
		return reject(p, k, "interval_min", f[2].p, f[2].len, p->why, record, rlen, e);
	}
	/* cf[0] points into the row or into cs: both live until the sink returns */
	feed_reading r = {p->out.p, p->out.len, cf[0].p, cf[0].len, ts.utc, (int)iv, p->line};
	return k->reading(k->ctx, &r, e);
}

int feed_parse_csv(feed_parser *p, const char *text, size_t len, const feed_sink *k, qe_err *e)
{
	csvscan_field f[8];
	csvscan_rec rec;
	int rc = scratch_for(p, len, e);
	if (rc)
		return rc;
	size_t pos = 0;
	long line = 1;
	while (pos < len) {
		csvscan_next(text, len, pos, 1, f, 8, p->scratch, &rec);
		p->line = line;
		line += rec.lines;
		const char *record = text + rec.start;
		size_t rlen = rec.raw_len;
		if (rlen && record[rlen - 1] == '\r')
			rlen--;
		pos = rec.next > pos ? rec.next : len;
		if (rec.blank)
			continue;
		if (rec.bad_col) {
			snprintf(p->why, sizeof p->why, "%s quote in field %d",
				 rec.unterminated ? "unterminated" : "misplaced", rec.bad_col);
			rc = reject(p, k, NULL, NULL, 0, p->why, record, rlen, e);
		} else {
			/* a CR left at the end of the last field of a CRLF line */
			if (rec.nfields > 0 && rec.nfields <= 8) {
				csvscan_field *l = &f[rec.nfields - 1];
				if (l->len && l->p[l->len - 1] == '\r')
					l->len--;
			}
			rc = check_record(p, f, rec.nfields, record, rlen, k, e);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* --- the small JSON object ------------------------------------------------ */

static size_t skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A JSON string at s[*i] == '"', decoded into *o (advanced).  NULL, or
 * the reason. */
static const char *json_string(const char *s, size_t len, size_t *i, char **o)
{
	size_t k = *i + 1;
	char *w = *o;
	while (k < len && s[k] != '"') {
		unsigned char c = (unsigned char)s[k];
		if (c < 0x20)
			return "control character in a JSON string";
		if (c != '\\') {
			*w++ = (char)c;
			k++;
			continue;
		}
		if (k + 1 >= len)
			break;
		char esc = s[k + 1];
		k += 2;
		switch (esc) {
		case '"': *w++ = '"'; break;
		case '\\': *w++ = '\\'; break;
		case '/': *w++ = '/'; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (k + 4 > len || hex4(s + k, &cp))
				return "bad \\u escape in a JSON string";
			k += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (k + 6 > len || s[k] != '\\' || s[k + 1] != 'u' || hex4(s + k + 2, &lo) ||
				    lo < 0xdc00 || lo >= 0xe000)
					return "unpaired surrogate in a JSON string";
				k += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				return "unpaired surrogate in a JSON string";
			}
			w += put_utf8(w, cp);
			break;
		}
		default:
			return "bad escape in a JSON string";
		}
	}
	if (k >= len)
		return "unterminated JSON string";
	*i = k + 1;
	*o = w;
	return NULL;
}

/* Fills f[6] (schema order) from one JSON object; NULL, or the reason
 * (column and value set when it is about one). */
static const char *json_fields(feed_parser *p, const char *s, size_t len, csvscan_field *f,
			       const char **column, const char **value, size_t *vlen)
{
	static const char *const keys[6] = {"meter_id", "timestamp", "interval_min",
					     "energy",   "unit",      "quality"};
	int seen[6] = {0};
	char *w = p->scratch;
	size_t i = skip_ws(s, len, 0);
	for (int c = 0; c < 6; c++)
		f[c].p = "", f[c].len = 0;
	if (i >= len || s[i] != '{')
		return "expected a JSON object";
	i = skip_ws(s, len, i + 1);
	if (i < len && s[i] == '}') {
		i++;
		goto end;
	}
	for (;;) {
		if (i >= len || s[i] != '"')
			return "expected a key (a JSON string)";
		char *key = w;
		const char *why = json_string(s, len, &i, &w);
		if (why)
			return why;
		size_t klen = (size_t)(w - key);
		int c = 0;
		while (c < 6 && !(strlen(keys[c]) == klen && memcmp(keys[c], key, klen) == 0))
			c++;
		if (c == 6) {
			*value = key, *vlen = klen;
			return "unknown key (expected meter_id, timestamp, interval_min, energy, unit, quality)";
		}
		if (seen[c]++) {
			*value = key, *vlen = klen;
			return "key given twice";
		}
		i = skip_ws(s, len, i);
		if (i >= len || s[i] != ':')
			return "expected ':' after a key";
		i = skip_ws(s, len, i + 1);
		if (i >= len)
			return "expected a value";
		if (s[i] == '"') {
			char *v = w;
			if ((why = json_string(s, len, &i, &w)))
				return why;
			f[c].p = v, f[c].len = (size_t)(w - v);
		} else if (len - i >= 4 && memcmp(s + i, "null", 4) == 0) {
			i += 4;
		} else if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) {
			size_t k = i;
			while (k < len && (s[k] == '-' || s[k] == '+' || s[k] == '.' || s[k] == 'e' ||
					   s[k] == 'E' || (s[k] >= '0' && s[k] <= '9')))
				k++;
			/* the text of the number, parsed by the validator as any CSV field */
			f[c].p = s + i, f[c].len = k - i;
			i = k;
		} else {
			*column = keys[c];
			*value = s + i, *vlen = len - i < 16 ? len - i : 16;
			return "expected a string, a number or null";
		}
		i = skip_ws(s, len, i);
		if (i < len && s[i] == ',') {
			i = skip_ws(s, len, i + 1);
			continue;
		}
		if (i < len && s[i] == '}') {
			i++;
			break;
		}
		return "expected ',' or '}' in a JSON object";
	}
end:
	i = skip_ws(s, len, i);
	if (i != len)
		return "text after the JSON object";
	return NULL;
}

int feed_parse(feed_parser *p, const char *payload, size_t len, const feed_sink *k, qe_err *e)
{
	p->line = 1;
	if (len > FEED_PAYLOAD_MAX)
		return reject(p, k, NULL, NULL, 0, "payload longer than 1 MiB", payload, 256, e);
	size_t i = skip_ws(payload, len, 0);
	if (i == len)
		return reject(p, k, NULL, NULL, 0, "empty payload", payload, len, e);
	if (payload[i] != '{')
		return feed_parse_csv(p, payload, len, k, e);

	int rc = scratch_for(p, len, e);
	if (rc)
		return rc;
	csvscan_field f[6];
	const char *column = NULL, *value = NULL;
	size_t vlen = 0;
	const char *why = json_fields(p, payload, len, f, &column, &value, &vlen);
	if (why)
		return reject(p, k, column, value, vlen, why, payload, len, e);
	return check_record(p, f, 6, payload, len, k, e);
}
