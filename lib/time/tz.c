/* IANA zones from TZif files (RFC 8536) and offset timestamps; see tz.h. */
#include "time/tz.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A POSIX TZ rule date: Jn (1-365, no Feb 29), n (0-365) or Mm.w.d. */
struct tz_rule_date {
	char kind; /* 'J', 'N' or 'M' */
	int m, w, d, n;
	int32_t secs; /* transition time of day, local (may be <0 or >24h) */
};

struct tz_footer {
	int present;
	int has_dst;
	int32_t std_off, dst_off; /* seconds east */
	char std_abbr[16], dst_abbr[16];
	struct tz_rule_date start, end;
};

struct tz_type {
	int32_t off;
	int isdst;
	int abbr; /* index into abbrs */
};

struct qe_tz {
	char name[128];
	size_t ntrans;
	int64_t *trans;
	unsigned char *tidx;
	size_t ntypes;
	struct tz_type *types;
	char *abbrs;
	size_t nabbr;
	struct tz_footer foot;
};

enum { MAX_TRANS = 5000, MAX_TYPES = 256, MAX_CHARS = 2048 };

void tz_free(qe_tz *tz)
{
	if (!tz)
		return;
	free(tz->trans);
	free(tz->tidx);
	free(tz->types);
	free(tz->abbrs);
	free(tz);
}

const char *tz_name(const qe_tz *tz)
{
	return tz->name;
}

/* --- POSIX TZ footer -------------------------------------------------- */

static const char *parse_abbr(const char *p, char *out, size_t cap)
{
	size_t n = 0;
	if (*p == '<') {
		p++;
		while (*p && *p != '>') {
			if (n + 1 < cap)
				out[n++] = *p;
			p++;
		}
		if (*p != '>')
			return NULL;
		p++;
	} else {
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
			if (n + 1 < cap)
				out[n++] = *p;
			p++;
		}
	}
	out[n] = '\0';
	return n >= 3 ? p : NULL;
}

static const char *parse_num(const char *p, int *out, int maxv)
{
	int v = 0, nd = 0;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p - '0');
		if (v > maxv)
			return NULL;
		p++;
		nd++;
	}
	if (!nd)
		return NULL;
	*out = v;
	return p;
}

/* [+-]hh[:mm[:ss]] ; hours up to 167 (RFC 8536 extension). */
static const char *parse_hms(const char *p, int32_t *out)
{
	int sign = 1, h = 0, m = 0, s = 0;
	if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
	}
	if (!(p = parse_num(p, &h, 167)))
		return NULL;
	if (*p == ':') {
		if (!(p = parse_num(p + 1, &m, 59)))
			return NULL;
		if (*p == ':' && !(p = parse_num(p + 1, &s, 59)))
			return NULL;
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return p;
}

static const char *parse_rule_date(const char *p, struct tz_rule_date *r)
{
	r->secs = 7200;
	if (*p == 'M') {
		r->kind = 'M';
		if (!(p = parse_num(p + 1, &r->m, 12)) || *p != '.' || r->m < 1)
			return NULL;
		if (!(p = parse_num(p + 1, &r->w, 5)) || *p != '.' || r->w < 1)
			return NULL;
		if (!(p = parse_num(p + 1, &r->d, 6)))
			return NULL;
	} else if (*p == 'J') {
		r->kind = 'J';
		if (!(p = parse_num(p + 1, &r->n, 365)) || r->n < 1)
			return NULL;
	} else {
		r->kind = 'N';
		if (!(p = parse_num(p, &r->n, 365)))
			return NULL;
	}
	if (*p == '/')
		p = parse_hms(p + 1, &r->secs);
	return p;
}

static int parse_footer(const char *s, struct tz_footer *f)
{
	const char *p = s;
	int32_t off;
	memset(f, 0, sizeof *f);
	if (!*p)
		return 0; /* empty footer: no rule after the last transition */
	if (!(p = parse_abbr(p, f->std_abbr, sizeof f->std_abbr)))
		return -1;
	if (!(p = parse_hms(p, &off)))
		return -1;
	f->std_off = -off; /* POSIX offsets are west-positive */
	f->present = 1;
	if (!*p)
		return f->std_off > -25 * 3600 && f->std_off < 26 * 3600 ? 0 : -1;
	if (!(p = parse_abbr(p, f->dst_abbr, sizeof f->dst_abbr)))
		return -1;
	f->has_dst = 1;
	f->dst_off = f->std_off + 3600;
	if (*p && *p != ',') {
		if (!(p = parse_hms(p, &off)))
			return -1;
		f->dst_off = -off;
	}
	if (f->std_off <= -25 * 3600 || f->std_off >= 26 * 3600 || f->dst_off <= -25 * 3600 ||
	    f->dst_off >= 26 * 3600)
		return -1;
	if (*p != ',')
		return -1; /* a DST zone without rules: not used by tzdata */
	if (!(p = parse_rule_date(p + 1, &f->start)) || *p != ',')
		return -1;
	if (!(p = parse_rule_date(p + 1, &f->end)) || *p)
		return -1;
	return 0;
}

/* Local wall-clock seconds of the rule's transition in year y. */
static int64_t rule_local(const struct tz_rule_date *r, int y)
{
	qe_date d;
	if (r->kind == 'J') {
		/* day n of 1..365, February 29 never counted */
		int n = r->n;
		d = date_from_ymd(y, 1, 1) + n - 1;
		if (date_is_leap(y) && n >= 60)
			d++;
	} else if (r->kind == 'N') {
		d = date_from_ymd(y, 1, 1) + r->n;
	} else {
		qe_date first = date_from_ymd(y, r->m, 1);
		int wd = date_weekday(first) % 7; /* 0 = Sunday, like POSIX d */
		d = first + (r->d - wd + 7) % 7 + (r->w - 1) * 7;
		if (r->w == 5) {
			qe_date lastd = first + date_days_in_month(y, r->m) - 1;
			while (d > lastd)
				d -= 7;
		}
	}
	return (int64_t)d * 86400 + r->secs;
}

static int year_of(int64_t secs)
{
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int y, m, d;
	date_to_ymd((qe_date)days, &y, &m, &d);
	return y;
}

static int footer_isdst(const struct tz_footer *f, int64_t utc)
{
	if (!f->has_dst)
		return 0;
	/* The year by standard time: tzdata never puts a rule transition
	 * within a day of New Year, so this year's two transitions decide. */
	int y = year_of(utc + f->std_off);
	int64_t s = rule_local(&f->start, y) - f->std_off;
	int64_t e = rule_local(&f->end, y) - f->dst_off;
	if (s < e)
		return utc >= s && utc < e;   /* northern: DST inside the year */
	return utc < e || utc >= s;           /* southern: DST spans New Year */
}

/* --- TZif parsing ------------------------------------------------------ */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chr;
};

static int read_counts(const unsigned char *p, size_t len, struct tzif_counts *c, int *version)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return -1;
	*version = p[4] ? p[4] - '0' : 1;
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chr = be32(p + 40);
	if (c->time > MAX_TRANS || c->type == 0 || c->type > MAX_TYPES || c->chr > MAX_CHARS ||
	    c->leap > 1000 || (c->isut && c->isut != c->type) || (c->isstd && c->isstd != c->type))
		return -1;
	return 0;
}

static size_t block_len(const struct tzif_counts *c, int tsize)
{
	return (size_t)c->time * (size_t)tsize + c->time + (size_t)c->type * 6 + c->chr +
	       (size_t)c->leap * (size_t)(tsize + 4) + c->isstd + c->isut;
}

static int extend_with_footer(qe_tz *tz);

static int parse_tzif(qe_tz *tz, const unsigned char *buf, size_t len)
{
	struct tzif_counts c;
	int version, tsize = 4;
	if (read_counts(buf, len, &c, &version))
		return -1;
	const unsigned char *p = buf + 44;
	size_t rest = len - 44;
	if (version >= 2) {
		size_t skip = block_len(&c, 4);
		if (skip > rest)
			return -1;
		p += skip;
		rest -= skip;
		if (read_counts(p, rest, &c, &version))
			return -1;
		p += 44;
		rest -= 44;
		tsize = 8;
	}
	if (block_len(&c, tsize) > rest)
		return -1;
	tz->ntrans = c.time;
	tz->ntypes = c.type;
	tz->nabbr = c.chr;
	tz->trans = malloc((c.time ? c.time : 1) * sizeof *tz->trans);
	tz->tidx = malloc(c.time ? c.time : 1);
	tz->types = malloc(c.type * sizeof *tz->types);
	tz->abbrs = malloc(c.chr + 1);
	if (!tz->trans || !tz->tidx || !tz->types || !tz->abbrs)
		return -2;
	for (uint32_t i = 0; i < c.time; i++) {
		tz->trans[i] = tsize == 8 ? be64(p) : (int32_t)be32(p);
		p += tsize;
		if (i && tz->trans[i] <= tz->trans[i - 1])
			return -1;
	}
	for (uint32_t i = 0; i < c.time; i++) {
		tz->tidx[i] = *p++;
		if (tz->tidx[i] >= c.type)
			return -1;
	}
	for (uint32_t i = 0; i < c.type; i++) {
		tz->types[i].off = (int32_t)be32(p);
		tz->types[i].isdst = p[4] != 0;
		tz->types[i].abbr = p[5];
		if (p[5] >= c.chr || tz->types[i].off <= -25 * 3600 || tz->types[i].off >= 26 * 3600)
			return -1;
		p += 6;
	}
	memcpy(tz->abbrs, p, c.chr);
	tz->abbrs[c.chr] = '\0';
	p += c.chr;
	p += (size_t)c.leap * (size_t)(tsize + 4) + c.isstd + c.isut;
	rest = len - (size_t)(p - buf);
	memset(&tz->foot, 0, sizeof tz->foot);
	if (version >= 2) {
		/* "\n" footer "\n" */
		if (rest < 2 || p[0] != '\n')
			return -1;
		const unsigned char *nl = memchr(p + 1, '\n', rest - 1);
		if (!nl || nl - p - 1 > 120)
			return -1;
		char fs[128];
		memcpy(fs, p + 1, (size_t)(nl - p - 1));
		fs[nl - p - 1] = '\0';
		if (parse_footer(fs, &tz->foot))
			return -1;
		if (extend_with_footer(tz))
			return -2;
	}
	return 0;
}

/* Appends the footer rule's transitions up to EXTEND_YEAR to the table, so
 * that look-ups in the next two centuries are a binary search like any
 * other; only instants after that evaluate the rule.  -1 when out of memory. */
enum { EXTEND_YEAR = 2200 };

static int append_abbr(qe_tz *tz, const char *a)
{
	size_t n = strlen(a);
	char *na = realloc(tz->abbrs, tz->nabbr + n + 2);
	if (!na)
		return -1;
	tz->abbrs = na;
	memcpy(tz->abbrs + tz->nabbr, a, n + 1);
	int at = (int)tz->nabbr;
	tz->nabbr += n + 1;
	tz->abbrs[tz->nabbr] = '\0';
	return at;
}

static int extend_with_footer(qe_tz *tz)
{
	const struct tz_footer *f = &tz->foot;
	if (!f->present || !f->has_dst || tz->ntrans == 0)
		return 0;
	int64_t last = tz->trans[tz->ntrans - 1];
	int y0 = year_of(last);
	if (y0 >= EXTEND_YEAR)
		return 0;
	size_t add = 2 * (size_t)(EXTEND_YEAR - y0 + 1);
	int64_t *nt = realloc(tz->trans, (tz->ntrans + add) * sizeof *nt);
	if (!nt)
		return -1;
	tz->trans = nt;
	unsigned char *ni = realloc(tz->tidx, tz->ntrans + add);
	if (!ni)
		return -1;
	tz->tidx = ni;
	struct tz_type *ty = realloc(tz->types, (tz->ntypes + 2) * sizeof *ty);
	if (!ty)
		return -1;
	tz->types = ty;
	if (tz->ntypes + 2 > 256)
		return 0; /* index would not fit; the rule is evaluated per call */
	int sa = append_abbr(tz, f->std_abbr), da = append_abbr(tz, f->dst_abbr);
	if (sa < 0 || da < 0)
		return -1;
	size_t std_t = tz->ntypes, dst_t = tz->ntypes + 1;
	tz->types[std_t] = (struct tz_type){f->std_off, 0, sa};
	tz->types[dst_t] = (struct tz_type){f->dst_off, 1, da};
	tz->ntypes += 2;
	for (int y = y0; y <= EXTEND_YEAR; y++) {
		int64_t s = rule_local(&f->start, y) - f->std_off;
		int64_t e = rule_local(&f->end, y) - f->dst_off;
		int64_t t1 = s < e ? s : e, t2 = s < e ? e : s;
		unsigned char i1 = (unsigned char)(s < e ? dst_t : std_t);
		unsigned char i2 = (unsigned char)(s < e ? std_t : dst_t);
		if (t1 > tz->trans[tz->ntrans - 1]) {
			tz->trans[tz->ntrans] = t1;
			tz->tidx[tz->ntrans++] = i1;
		}
		if (t2 > tz->trans[tz->ntrans - 1]) {
			tz->trans[tz->ntrans] = t2;
			tz->tidx[tz->ntrans++] = i2;
		}
	}
	return 0;
}

static int valid_zone_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= 100 || name[0] == '/' || strstr(name, ".."))
		return 0;
	for (const char *p = name; *p; p++) {
		char ch = *p;
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '/' || ch == '_' || ch == '+' || ch == '-'))
			return 0;
	}
	return 1;
}

qe_tz *tz_load_file(const char *path, const char *name, qe_err *e)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		qe_err_set(e, QE_DATA, "unknown time zone '%s' (%s: %s)", name, path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, len = 0;
	unsigned char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + len, 1, cap - len, fp);
		len += got;
		if (len < cap)
			break;
		if (cap >= (1u << 22)) { /* no zone file is this big */
			len = 0;
			break;
		}
		unsigned char *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int rerr = ferror(fp);
	fclose(fp);
	if (!buf) {
		qe_err_set(e, QE_INTERNAL, "out of memory reading time zone '%s'", name);
		return NULL;
	}
	if (rerr) {
		free(buf);
		qe_err_set(e, QE_IO, "%s: read error", path);
		return NULL;
	}
	qe_tz *tz = calloc(1, sizeof *tz);
	int rc = tz ? parse_tzif(tz, buf, len) : -2;
	free(buf);
	if (rc) {
		tz_free(tz);
		if (rc == -2)
			qe_err_set(e, QE_INTERNAL, "out of memory loading time zone '%s'", name);
		else
			qe_err_set(e, QE_DATA, "time zone '%s': %s is not a valid TZif file", name, path);
		return NULL;
	}
	snprintf(tz->name, sizeof tz->name, "%s", name);
	return tz;
}

qe_tz *tz_load(const char *name, qe_err *e)
{
	if (!name || !valid_zone_name(name)) {
		qe_err_set(e, QE_DATA, "invalid time zone name '%s'", name ? name : "");
		return NULL;
	}
	const char *dir = getenv("TZDIR");
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return tz_load_file(path, name, e);
}

qe_tz *tz_fixed(int32_t offset_seconds)
{
	qe_tz *tz = calloc(1, sizeof *tz);
	if (!tz)
		return NULL;
	tz->types = malloc(sizeof *tz->types);
	tz->abbrs = malloc(16);
	tz->trans = NULL;
	tz->tidx = NULL;
	if (!tz->types || !tz->abbrs) {
		tz_free(tz);
		return NULL;
	}
	int32_t a = offset_seconds < 0 ? -offset_seconds : offset_seconds;
	snprintf(tz->abbrs, 16, "%c%02d%02d", offset_seconds < 0 ? '-' : '+', (int)(a / 3600 % 100),
		 (int)(a / 60 % 60));
	snprintf(tz->name, sizeof tz->name, "%s", tz->abbrs);
	tz->types[0].off = offset_seconds;
	tz->types[0].isdst = 0;
	tz->types[0].abbr = 0;
	tz->ntypes = 1;
	tz->nabbr = strlen(tz->abbrs);
	return tz;
}

/* --- shared cache ----------------------------------------------------------- */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static qe_tz **cache;
static size_t cache_n, cache_cap;

const qe_tz *tz_get(const char *name, qe_err *e)
{
	const qe_tz *found = NULL;
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < cache_n && !found; i++)
		if (name && strcmp(cache[i]->name, name) == 0)
			found = cache[i];
	if (!found) {
		qe_tz *z = tz_load(name, e);
		if (z && cache_n == cache_cap) {
			size_t nc = cache_cap ? 2 * cache_cap : 16;
			qe_tz **nz = realloc(cache, nc * sizeof *nz);
			if (!nz) {
				tz_free(z);
				z = NULL;
				qe_err_set(e, QE_INTERNAL, "out of memory");
			} else {
				cache = nz;
				cache_cap = nc;
			}
		}
		if (z)
			cache[cache_n++] = z;
		found = z;
	}
	pthread_mutex_unlock(&cache_lock);
	return found;
}

void tz_cache_clear(void)
{
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < cache_n; i++)
		tz_free(cache[i]);
	free(cache);
	cache = NULL;
	cache_n = cache_cap = 0;
	pthread_mutex_unlock(&cache_lock);
}

/* --- conversions -------------------------------------------------------- */

int32_t tz_offset_at(const qe_tz *tz, int64_t utc, int *isdst, const char **abbr)
{
	const struct tz_type *t;
	if (tz->ntrans == 0 || utc < tz->trans[0]) {
		if (tz->ntrans == 0 && tz->foot.present)
			goto footer;
		t = &tz->types[0];
	} else if (utc >= tz->trans[tz->ntrans - 1] && tz->foot.present) {
		goto footer;
	} else {
		size_t lo = 0, hi = tz->ntrans; /* trans[lo] <= utc < trans[hi] */
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (tz->trans[mid] <= utc)
				lo = mid;
			else
				hi = mid;
		}
		t = &tz->types[tz->tidx[lo]];
	}
	if (isdst)
		*isdst = t->isdst;
	if (abbr)
		*abbr = tz->abbrs + t->abbr;
	return t->off;

footer:;
	int dst = footer_isdst(&tz->foot, utc);
	if (isdst)
		*isdst = dst;
	if (abbr)
		*abbr = dst ? tz->foot.dst_abbr : tz->foot.std_abbr;
	return dst ? tz->foot.dst_off : tz->foot.std_off;
}

int64_t tz_utc_to_local(const qe_tz *tz, int64_t utc)
{
	return utc + tz_offset_at(tz, utc, NULL, NULL);
}

/* Offsets in force within 26 hours either side of `local` read as UTC:
 * every instant whose wall clock reads `local` lies in that window. */
enum { WINDOW = 26 * 3600 };

int tz_local_candidates(const qe_tz *tz, int64_t local, int64_t out[2])
{
	int32_t offs[3];
	offs[0] = tz_offset_at(tz, local - WINDOW, NULL, NULL);
	offs[1] = tz_offset_at(tz, local, NULL, NULL);
	offs[2] = tz_offset_at(tz, local + WINDOW, NULL, NULL);
	int n = 0;
	int64_t c[3];
	for (int i = 0; i < 3; i++) {
		int dup = 0;
		for (int j = 0; j < i; j++)
			dup |= offs[j] == offs[i];
		if (dup)
			continue;
		int64_t u = local - offs[i];
		if (tz_offset_at(tz, u, NULL, NULL) == offs[i])
			c[n++] = u;
	}
	/* sort ascending, drop duplicates */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && c[j] < c[j - 1]; j--) {
			int64_t t = c[j];
			c[j] = c[j - 1];
			c[j - 1] = t;
		}
	if (n > 2)
		n = 2; /* two transitions within a day: keep the extremes */
	for (int i = 0; i < n; i++)
		out[i] = c[i];
	return n;
}

int tz_local_kind(const qe_tz *tz, int64_t local)
{
	int64_t c[2];
	int n = tz_local_candidates(tz, local, c);
	return n == 0 ? TZ_LOCAL_GAP : n == 2 ? TZ_LOCAL_AMBIGUOUS : TZ_LOCAL_UNIQUE;
}

static void fmt_local(char *buf, size_t cap, int64_t local)
{
	qe_date d;
	int h, mi, s;
	char ds[16];
	tz_local_split(local, &d, &h, &mi, &s);
	date_format(ds, d);
	snprintf(buf, cap, "%sT%02d:%02d:%02d", ds, h, mi, s);
}

int tz_local_to_utc(const qe_tz *tz, int64_t local, int policy, int64_t *utc, qe_err *e)
{
	int64_t c[2];
	int n = tz_local_candidates(tz, local, c);
	char buf[40];
	if (n == 1) {
		*utc = c[0];
		return 0;
	}
	if (n == 2) {
		if (policy == TZ_STRICT) {
			fmt_local(buf, sizeof buf, local);
			return qe_err_set(e, QE_DATA, "local time %s is ambiguous in %s (clocks go back)",
					  buf, tz->name);
		}
		*utc = policy == TZ_LATER ? c[1] : c[0];
		return 0;
	}
	if (policy == TZ_STRICT) {
		fmt_local(buf, sizeof buf, local);
		return qe_err_set(e, QE_DATA, "local time %s does not exist in %s (clocks go forward)", buf,
				  tz->name);
	}
	int32_t before = tz_offset_at(tz, local - WINDOW, NULL, NULL);
	int32_t after = tz_offset_at(tz, local + WINDOW, NULL, NULL);
	*utc = local - (policy == TZ_LATER ? after : before);
	return 0;
}

int64_t tz_local_make(qe_date d, int hour, int minute, int second)
{
	return (int64_t)d * 86400 + hour * 3600 + minute * 60 + second;
}

void tz_local_split(int64_t local, qe_date *d, int *hour, int *minute, int *second)
{
	int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	int64_t s = local - days * 86400;
	*d = (qe_date)days;
	*hour = (int)(s / 3600);
	*minute = (int)(s / 60 % 60);
	*second = (int)(s % 60);
}

int64_t tz_day_start(const qe_tz *tz, qe_date d)
{
	int64_t utc;
	/* TZ_EARLIER gives the earliest instant of an ambiguous midnight and
	 * the end of the gap for a nonexistent one. */
	tz_local_to_utc(tz, tz_local_make(d, 0, 0, 0), TZ_EARLIER, &utc, NULL);
	return utc;
}

int64_t tz_day_length(const qe_tz *tz, qe_date d)
{
	return tz_day_start(tz, d + 1) - tz_day_start(tz, d);
}

/* --- timestamps ---------------------------------------------------------- */

int ts_parse(const char *s, size_t len, qe_ts *out)
{
	qe_date d;
	int h, mi, se, oh = 0, om = 0, sign = 1;
	if (len != 20 && len != 25)
		return -1;
	if (date_parse(s, 10, &d) || s[10] != 'T' || s[13] != ':' || s[16] != ':')
		return -1;
	if (date_digits(s + 11, 2, &h) || date_digits(s + 14, 2, &mi) || date_digits(s + 17, 2, &se))
		return -1;
	if (h > 23 || mi > 59 || se > 59)
		return -1;
	if (len == 20) {
		if (s[19] != 'Z')
			return -1;
	} else {
		if ((s[19] != '+' && s[19] != '-') || s[22] != ':')
			return -1;
		sign = s[19] == '-' ? -1 : 1;
		if (date_digits(s + 20, 2, &oh) || date_digits(s + 23, 2, &om) || om > 59 || oh * 60 + om > 18 * 60)
			return -1;
	}
	int32_t off = sign * (oh * 3600 + om * 60);
	out->offset = off;
	out->utc = tz_local_make(d, h, mi, se) - off;
	return 0;
}

int ts_parse_z(const char *s, qe_ts *out)
{
	size_t n = 0;
	while (s[n] && n < 26)
		n++;
	return ts_parse(s, n, out);
}

int ts_format(char *buf, qe_ts ts, int use_z)
{
	qe_date d;
	int h, mi, se;
	if (ts.offset % 60)
		ts.offset = 0; /* a local mean time offset (pre-1900) has seconds: write UTC */
	tz_local_split(ts.utc + ts.offset, &d, &h, &mi, &se);
	date_format(buf, d);
	int n = 10;
	n += snprintf(buf + n, (size_t)(TS_BUFSZ - n), "T%02d:%02d:%02d", h, mi, se);
	if (ts.offset == 0 && use_z) {
		buf[n++] = 'Z';
		buf[n] = '\0';
		return n;
	}
	int32_t a = ts.offset < 0 ? -ts.offset : ts.offset;
	n += snprintf(buf + n, (size_t)(TS_BUFSZ - n), "%c%02d:%02d", ts.offset < 0 ? '-' : '+',
		      (int)(a / 3600), (int)(a / 60 % 60));
	return n;
}

qe_ts ts_in_zone(const qe_tz *tz, int64_t utc)
{
	qe_ts t = {utc, tz_offset_at(tz, utc, NULL, NULL)};
	return t;
}
