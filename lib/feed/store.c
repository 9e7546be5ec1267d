#include "feed/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/keyset.h"
#include "feed/payload.h"
#include "ingest/schema.h"
#include "io/formats.h"
#include "io/csvscan.h"
#include "io/outfile.h"
#include "time/tz.h"

enum { B_METERS, B_LATE, B_REJECTS };
static const char *const bucket_prefix[] = {"meters", "late", "rejects"};

/* One line of a file: the row text ("\n" included), and for readings the
 * meter id (inside the same block, after the row) and the start. */
typedef struct frow {
	char *text;
	const char *id;
	uint32_t len, idlen;
	int64_t utc;
} frow;

typedef struct fbucket {
	int kind;
	int64_t start;
	frow *rows;
	size_t n, cap;
	int loaded; /* rows hold the file's contents (read back, or none yet) */
	int dirty;  /* rows not yet in the file */
} fbucket;

typedef struct fperiod {
	int64_t start;
	keyset *keys; /* meter_id + 8 bytes of utc */
	fbucket meters, late;
} fperiod;

struct feed_store {
	char *dir;
	int64_t period_s, grace_s, keep_s;
	feed_parser *parser;
	/* files are read back while a payload is being parsed (the first
	 * reading of a period loads its files): never with the same parser */
	feed_parser *load_parser;
	fperiod **periods;
	size_t np, pcap;
	fbucket **rejects; /* by period of receipt */
	size_t nr, rcap;
	feed_counts c;
	long pending;
	/* the message being stored */
	int64_t now;
	const char *topic;
	/* reading a file back */
	fperiod *load_period;
	fbucket *load_bucket;
	const char *load_path;
	strbuf tmp;
};

void feed_store_file_name(char *buf, size_t cap, const char *prefix, int64_t start)
{
	time_t t = (time_t)start;
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(buf, cap, "%s-%04d%02d%02dT%02d%02dZ.csv", prefix, tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min);
}

static int64_t floor_to(int64_t t, int64_t step)
{
	int64_t q = t / step;
	if (t % step < 0)
		q--;
	return q * step;
}

static int is_closed(const feed_store *s, int64_t start, int64_t now)
{
	return now >= start + s->period_s + s->grace_s;
}

static char *path_of(const feed_store *s, const fbucket *b)
{
	char name[64];
	feed_store_file_name(name, sizeof name, bucket_prefix[b->kind], b->start);
	size_t n = strlen(s->dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", s->dir, name);
	return p;
}

static void bucket_clear(fbucket *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->rows[i].text);
	free(b->rows);
	b->rows = NULL;
	b->n = b->cap = 0;
	b->loaded = 0;
}

static int bucket_add(fbucket *b, const char *text, size_t len, const char *id, size_t idlen,
		      int64_t utc, qe_err *e)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		frow *r = realloc(b->rows, cap * sizeof *r);
		if (!r)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		b->rows = r;
		b->cap = cap;
	}
	int nl = len == 0 || text[len - 1] != '\n';
	char *block = malloc(len + (size_t)nl + idlen + 1);
	if (!block)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	memcpy(block, text, len);
	if (nl)
		block[len++] = '\n';
	memcpy(block + len, id, idlen);
	block[len + idlen] = '\0';
	b->rows[b->n++] = (frow){block, block + len, (uint32_t)len, (uint32_t)idlen, utc};
	return 0;
}

/* --- reading a file back ------------------------------------------------ */

static int load_reading(void *ctx, const feed_reading *r, qe_err *e)
{
	feed_store *s = ctx;
	char key[300];
	if (r->id_len + 8 > sizeof key)
		return qe_err_set(e, QE_DATA, "%s:%ld:1: meter id too long", s->load_path, r->line + 1);
	memcpy(key, r->meter_id, r->id_len);
	memcpy(key + r->id_len, &r->utc, 8);
	int found;
	if (!keyset_upsert(s->load_period->keys, keyset_hash(key, r->id_len + 8, 0), key,
			   r->id_len + 8, &found))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (!s->load_bucket)
		return 0;
	return bucket_add(s->load_bucket, r->row, r->row_len, r->meter_id, r->id_len, r->utc, e);
}

static int load_reject(void *ctx, const feed_reject *r, qe_err *e)
{
	feed_store *s = ctx;
	char why[400];
	strbuf *b = &s->tmp;
	b->len = 0;
	schema_show_value(b, r->value, r->value_len);
	snprintf(why, sizeof why, "%.*s", (int)b->len, b->p ? b->p : "");
	if (r->column)
		return qe_err_set(e, QE_DATA, "%s:%ld:1: column '%s': %s '%s'", s->load_path, r->line + 1,
				  r->column, r->reason, why);
	return qe_err_set(e, QE_DATA, "%s:%ld:1: %s", s->load_path, r->line + 1, r->reason);
}

static int read_whole(const char *path, char **text, size_t *len, qe_err *e)
{
	*text = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return qe_err_set(e, QE_IO, "%s: %s", path, strerror(errno));
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fclose(f);
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		}
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		char *nb = realloc(buf, cap * 2);
		if (!nb)
			free(buf);
		buf = nb;
		cap *= 2;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return qe_err_set(e, QE_IO, "%s: read error", path);
	}
	*text = buf;
	*len = n;
	return 0;
}

/* Loads the file of b (when there is one): its keys into per->keys
 * (readings), its rows into b. */
static int bucket_load(feed_store *s, fperiod *per, fbucket *b, qe_err *e)
{
	char *path = path_of(s, b), *text;
	size_t len;
	if (!path)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	int rc = read_whole(path, &text, &len, e);
	b->loaded = 1;
	if (rc || !text) {
		free(path);
		return rc;
	}
	/* the header line */
	const formats_table *t = formats_get(b->kind == B_REJECTS ? FMT_FEED_REJECTS : FMT_METERS);
	s->tmp.len = 0;
	schema_header(t, &s->tmp);
	size_t hl = s->tmp.len;
	if (len < hl || memcmp(text, s->tmp.p, hl) != 0) {
		rc = qe_err_set(e, QE_DATA, "%s:1:1: not the header of %s (qe-formats(5) %s)", path,
				t->name, t->section);
	} else if (b->kind == B_REJECTS) {
		/* kept as they are: records after the header, one per line end
		 * outside quotes */
		size_t i = hl;
		while (!rc && i < len) {
			size_t j = i;
			int inq = 0;
			while (j < len && (inq || text[j] != '\n')) {
				if (text[j] == '"')
					inq = !inq;
				j++;
			}
			if (j < len)
				j++;
			rc = bucket_add(b, text + i, j - i, "", 0, 0, e);
			i = j;
		}
	} else {
		feed_sink k = {load_reading, load_reject, s};
		s->load_period = per;
		s->load_bucket = b;
		s->load_path = path;
		rc = feed_parse_csv(s->load_parser, text + hl, len - hl, &k, e);
		s->load_bucket = NULL;
	}
	free(text);
	free(path);
	return rc;
}

/* --- periods ------------------------------------------------------------- */

static void period_free(fperiod *p)
{
	if (!p)
		return;
	keyset_free(p->keys);
	bucket_clear(&p->meters);
	bucket_clear(&p->late);
	free(p);
}

static fperiod *period_get(feed_store *s, int64_t start, qe_err *e)
{
	for (size_t i = s->np; i-- > 0;)
		if (s->periods[i]->start == start)
			return s->periods[i];
	if (s->np == s->pcap) {
		size_t cap = s->pcap ? s->pcap * 2 : 16;
		fperiod **np = realloc(s->periods, cap * sizeof *np);
		if (!np) {
			qe_err_set(e, QE_INTERNAL, "out of memory");
			return NULL;
		}
		s->periods = np;
		s->pcap = cap;
	}
	fperiod *p = calloc(1, sizeof *p);
	if (!p || !(p->keys = keyset_new(0))) {
		free(p);
		qe_err_set(e, QE_INTERNAL, "out of memory");
		return NULL;
	}
	p->start = start;
	p->meters = (fbucket){.kind = B_METERS, .start = start};
	p->late = (fbucket){.kind = B_LATE, .start = start};
	/* the keys of what an earlier run wrote; the rows too while the
	 * period is open, since its file is rewritten whole */
	if (bucket_load(s, p, &p->meters, e) || bucket_load(s, p, &p->late, e)) {
		period_free(p);
		return NULL;
	}
	bucket_clear(&p->late);
	if (is_closed(s, start, s->now))
		bucket_clear(&p->meters);
	s->periods[s->np++] = p;
	return p;
}

static int store_reading(void *ctx, const feed_reading *r, qe_err *e)
{
	feed_store *s = ctx;
	char key[300];
	s->c.readings++;
	if (r->id_len + 8 > sizeof key)
		return qe_err_set(e, QE_INTERNAL, "meter id longer than the validator allows");
	int64_t start = floor_to(r->utc, s->period_s);
	fperiod *p = period_get(s, start, e);
	if (!p)
		return e->code;
	memcpy(key, r->meter_id, r->id_len);
	memcpy(key + r->id_len, &r->utc, 8);
	int found;
	if (!keyset_upsert(p->keys, keyset_hash(key, r->id_len + 8, 0), key, r->id_len + 8, &found))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (found) {
		s->c.duplicates++;
		return 0;
	}
	fbucket *b = &p->meters;
	if (is_closed(s, start, s->now)) {
		b = &p->late;
		s->c.late++;
	} else {
		s->c.written++;
	}
	if (!b->loaded) {
		int rc = bucket_load(s, p, b, e);
		if (rc)
			return rc;
	}
	b->dirty = 1;
	s->pending++;
	return bucket_add(b, r->row, r->row_len, r->meter_id, r->id_len, r->utc, e);
}

/* The record as received: kept as it is when it is one line of valid
 * UTF-8 text, else with every byte outside printable ASCII as \xNN. */
static void put_record(strbuf *b, const char *rec, size_t len)
{
	if (len > CSV_FIELD_MAX / 4)
		len = CSV_FIELD_MAX / 4;
	if (!schema_text_problem(rec, len, (size_t)-1)) {
		strbuf_put_field(b, rec, len);
		return;
	}
	strbuf esc = {0};
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)rec[i];
		if (c >= 0x20 && c < 0x7f) {
			strbuf_put(&esc, (const char *)&c, 1);
		} else {
			char h[5];
			snprintf(h, sizeof h, "\\x%02x", c);
			strbuf_put(&esc, h, 4);
		}
	}
	strbuf_put_field(b, esc.p ? esc.p : "", esc.len);
	if (esc.oom)
		b->oom = 1;
	strbuf_free(&esc);
}

static int store_reject(void *ctx, const feed_reject *r, qe_err *e)
{
	feed_store *s = ctx;
	int64_t start = floor_to(s->now, s->period_s);
	fbucket *b = NULL;
	s->c.rejected++;
	for (size_t i = s->nr; i-- > 0 && !b;)
		if (s->rejects[i]->start == start)
			b = s->rejects[i];
	if (!b) {
		if (s->nr == s->rcap) {
			size_t cap = s->rcap ? s->rcap * 2 : 8;
			fbucket **nr = realloc(s->rejects, cap * sizeof *nr);
			if (!nr)
				return qe_err_set(e, QE_INTERNAL, "out of memory");
			s->rejects = nr;
			s->rcap = cap;
		}
		if (!(b = calloc(1, sizeof *b)))
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		*b = (fbucket){.kind = B_REJECTS, .start = start};
		s->rejects[s->nr++] = b;
		int rc = bucket_load(s, NULL, b, e);
		if (rc)
			return rc;
	}
	strbuf *t = &s->tmp;
	char ts[TS_BUFSZ], num[24];
	t->len = 0;
	strbuf_put(t, ts, (size_t)ts_format(ts, (qe_ts){s->now, 0}, 1));
	strbuf_put(t, ",", 1);
	strbuf_put_field(t, s->topic, strlen(s->topic));
	strbuf_put(t, num, (size_t)snprintf(num, sizeof num, ",%ld,", r->line));
	if (r->column)
		strbuf_put_field(t, r->column, strlen(r->column));
	strbuf_put(t, ",", 1);
	if (r->value_len) {
		strbuf v = {0};
		schema_show_value(&v, r->value, r->value_len);
		strbuf_put_field(t, v.p ? v.p : "", v.len);
		if (v.oom)
			t->oom = 1;
		strbuf_free(&v);
	}
	strbuf_put(t, ",", 1);
	strbuf_put_field(t, r->reason, strlen(r->reason));
	strbuf_put(t, ",", 1);
	put_record(t, r->record, r->record_len);
	strbuf_put(t, "\n", 1);
	if (t->oom)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	b->dirty = 1;
	s->pending++;
	return bucket_add(b, t->p, t->len, "", 0, 0, e);
}

/* --- writing ------------------------------------------------------------- */

static int row_order(const void *a, const void *b)
{
	const frow *x = a, *y = b;
	size_t n = x->idlen < y->idlen ? x->idlen : y->idlen;
	int c = memcmp(x->id, y->id, n);
	if (c)
		return c;
	if (x->idlen != y->idlen)
		return x->idlen < y->idlen ? -1 : 1;
	return (x->utc > y->utc) - (x->utc < y->utc);
}

static int bucket_write(feed_store *s, fbucket *b, qe_err *e)
{
	char *path = path_of(s, b);
	if (!path)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (b->kind != B_REJECTS)
		qsort(b->rows, b->n, sizeof *b->rows, row_order);
	qe_out o;
	int rc = out_open(&o, path, e);
	free(path);
	if (rc)
		return rc;
	const formats_table *t = formats_get(b->kind == B_REJECTS ? FMT_FEED_REJECTS : FMT_METERS);
	s->tmp.len = 0;
	schema_header(t, &s->tmp);
	fwrite(s->tmp.p, 1, s->tmp.len, o.fp);
	for (size_t i = 0; i < b->n; i++)
		fwrite(b->rows[i].text, 1, b->rows[i].len, o.fp);
	if ((rc = out_commit(&o, e)))
		return rc;
	b->dirty = 0;
	s->c.commits++;
	return 0;
}

int feed_store_flush(feed_store *s, int64_t now, qe_err *e)
{
	int rc = 0;
	size_t keep = 0;
	for (size_t i = 0; i < s->np; i++) {
		fperiod *p = s->periods[i];
		if (p->meters.dirty && !rc)
			rc = bucket_write(s, &p->meters, e);
		if (p->late.dirty && !rc)
			rc = bucket_write(s, &p->late, e);
		/* a late file is read back when the next late reading comes */
		if (!p->late.dirty)
			bucket_clear(&p->late);
		if (!p->meters.dirty && is_closed(s, p->start, now))
			bucket_clear(&p->meters);
		if (!p->meters.dirty && !p->late.dirty && is_closed(s, p->start + s->keep_s, now)) {
			period_free(p);
			continue;
		}
		s->periods[keep++] = p;
	}
	s->np = keep;
	keep = 0;
	for (size_t i = 0; i < s->nr; i++) {
		fbucket *b = s->rejects[i];
		if (b->dirty && !rc)
			rc = bucket_write(s, b, e);
		if (!b->dirty && now >= b->start + s->period_s) {
			bucket_clear(b);
			free(b);
			continue;
		}
		s->rejects[keep++] = b;
	}
	s->nr = keep;
	if (!rc)
		s->pending = 0;
	return rc;
}

/* --- the store ----------------------------------------------------------- */

feed_store *feed_store_open(const feed_store_opts *o, qe_err *e)
{
	struct stat st;
	if (o->grace_s < 0 || o->keep_s < 0) {
		qe_err_set(e, QE_USAGE, "grace and keep must be 0 or more seconds");
		return NULL;
	}
	if (stat(o->dir, &st) != 0) {
		qe_err_set(e, QE_IO, "%s: %s", o->dir, strerror(errno));
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		qe_err_set(e, QE_IO, "%s: not a directory", o->dir);
		return NULL;
	}
	if (access(o->dir, W_OK | X_OK) != 0) {
		qe_err_set(e, QE_IO, "%s: %s", o->dir, strerror(errno));
		return NULL;
	}
	feed_store *s = calloc(1, sizeof *s);
	if (!s || !(s->dir = strdup(o->dir))) {
		free(s);
		qe_err_set(e, QE_INTERNAL, "out of memory");
		return NULL;
	}
	s->period_s = (int64_t)o->period_min * 60;
	s->grace_s = o->grace_s;
	s->keep_s = o->keep_s;
	if (!(s->parser = feed_parser_new(o->period_min, e)) ||
	    !(s->load_parser = feed_parser_new(o->period_min, e))) {
		feed_store_free(s);
		return NULL;
	}
	return s;
}

void feed_store_free(feed_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->np; i++)
		period_free(s->periods[i]);
	free(s->periods);
	for (size_t i = 0; i < s->nr; i++) {
		bucket_clear(s->rejects[i]);
		free(s->rejects[i]);
	}
	free(s->rejects);
	feed_parser_free(s->parser);
	feed_parser_free(s->load_parser);
	strbuf_free(&s->tmp);
	free(s->dir);
	free(s);
}

int feed_store_message(feed_store *s, const char *topic, const void *payload, size_t len,
		       int64_t now, qe_err *e)
{
	feed_sink k = {store_reading, store_reject, s};
	s->now = now;
	s->topic = topic ? topic : "";
	s->c.messages++;
	return feed_parse(s->parser, payload ? payload : "", payload ? len : 0, &k, e);
}

long feed_store_pending(const feed_store *s)
{
	return s->pending;
}

void feed_store_counts(const feed_store *s, feed_counts *c)
{
	*c = s->c;
}
