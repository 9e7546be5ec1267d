#include "opt/isingio.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "io/infile.h"
#include "core/num.h"

int problem_format_parse(const char *s)
{
	if (strcmp(s, "auto") == 0)
		return FORMAT_AUTO;
	if (strcmp(s, "rudy") == 0 || strcmp(s, "gset") == 0)
		return FORMAT_RUDY;
	if (strcmp(s, "qubo") == 0)
		return FORMAT_QUBO;
	if (strcmp(s, "csv") == 0)
		return FORMAT_CSV;
	return -1;
}

/* Line numbers of the terms, kept beside the problem for the duplicate
 * check's messages. */
typedef struct linebuf {
	long *v;
	int64_t n, cap;
} linebuf;

static int lines_push(linebuf *l, long line, qe_err *e)
{
	if (l->n == l->cap) {
		int64_t cap = l->cap ? 2 * l->cap : 1024;
		long *v = realloc(l->v, (size_t)cap * sizeof *v);
		if (!v)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = line;
	return 0;
}

static const opt_problem *sort_p;
static int term_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	int32_t xi = sort_p->ti[x], xj = sort_p->tj[x], yi = sort_p->ti[y], yj = sort_p->tj[y];
	int32_t xa = xi < xj ? xi : xj, xb = xi < xj ? xj : xi;
	int32_t ya = yi < yj ? yi : yj, yb = yi < yj ? yj : yi;
	if (xa != ya)
		return xa < ya ? -1 : 1;
	if (xb != yb)
		return xb < yb ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Rejects a pair given twice, naming the later line. Linear terms
 * (i == j) of an Ising field file are checked the same way. */
static int check_duplicates(const opt_problem *p, const linebuf *lines, const char *name,
			    const char *what, qe_err *e)
{
	int64_t *ord = malloc((size_t)(p->m ? p->m : 1) * sizeof *ord);
	int rc = 0;
	if (!ord)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (int64_t t = 0; t < p->m; t++)
		ord[t] = t;
	sort_p = p;
	qsort(ord, (size_t)p->m, sizeof *ord, term_cmp);
	for (int64_t k = 1; k < p->m; k++) {
		int64_t a = ord[k - 1], b = ord[k];
		int32_t ai = p->ti[a] < p->tj[a] ? p->ti[a] : p->tj[a];
		int32_t aj = p->ti[a] < p->tj[a] ? p->tj[a] : p->ti[a];
		int32_t bi = p->ti[b] < p->tj[b] ? p->ti[b] : p->tj[b];
		int32_t bj = p->ti[b] < p->tj[b] ? p->tj[b] : p->ti[b];
		if (ai == bi && aj == bj) {
			long la = lines->v[a], lb = lines->v[b];
			if (p->ti[b] == p->tj[b] && p->kind == PROBLEM_ISING)
				rc = qe_err_set(e, QE_DATA, "%s:%ld:1: duplicate %s %d (first on line %ld)", name,
						la > lb ? la : lb, what, p->ti[b] + p->base, la > lb ? lb : la);
			else
				rc = qe_err_set(e, QE_DATA, "%s:%ld:1: duplicate %s %d %d (first on line %ld)", name,
						la > lb ? la : lb, what, p->ti[b] + p->base, p->tj[b] + p->base,
						la > lb ? lb : la);
			break;
		}
	}
	free(ord);
	return rc;
}

/* --- whitespace formats (rudy, qbsolv) --------------------------------- */

typedef struct lexer {
	const char *p, *end;
	long line;
	const char *name;
	const char *bol; /* start of the current line: columns are counted from it */
} lexer;

/* 1-based column of t on the current line. */
static long lx_col(const lexer *lx, const char *t)
{
	return (long)(t - lx->bol) + 1;
}

/* Next line into [*s, *e); returns 0 at end of input. */
static int next_line(lexer *lx, const char **s, const char **e)
{
	if (lx->p >= lx->end)
		return 0;
	const char *nl = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
	*s = lx->bol = lx->p;
	*e = nl ? nl : lx->end;
	lx->p = nl ? nl + 1 : lx->end;
	lx->line++;
	if (*e > *s && (*e)[-1] == '\r')
		(*e)--;
	return 1;
}

/* Splits [s, e) on blanks into at most max tokens; returns the count
 * (max + 1 when there are more). */
static int tokens(const char *s, const char *e, const char **tok, size_t *len, int max)
{
	int n = 0;
	while (s < e) {
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if (s == e)
			break;
		const char *t = s;
		while (s < e && *s != ' ' && *s != '\t')
			s++;
		if (n == max)
			return max + 1;
		tok[n] = t;
		len[n] = (size_t)(s - t);
		n++;
	}
	return n;
}

static int blank(const char *s, const char *e)
{
	for (; s < e; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

static int parse_index(lexer *lx, const char *t, size_t len, int lo, int hi, const char *what,
		       int32_t *out, qe_err *e)
{
	int64_t v;
	int st = num_parse_int64(t, len, &v);
	if (st != NUM_OK)
		return qe_err_set(e, QE_DATA, "%s:%ld:%ld: %s: %s '%.*s'", lx->name, lx->line,
				  lx_col(lx, t), what, num_status_str(st), (int)(len > 64 ? 64 : len), t);
	if (v < lo || v > hi)
		return qe_err_set(e, QE_DATA, "%s:%ld:%ld: %s %lld outside %d..%d", lx->name, lx->line,
				  lx_col(lx, t), what, (long long)v, lo, hi);
	*out = (int32_t)v;
	return 0;
}

static int parse_weight(lexer *lx, const char *t, size_t len, double *out, qe_err *e)
{
	int st = num_parse_double(t, len, out);
	if (st != NUM_OK)
		return qe_err_set(e, QE_DATA, "%s:%ld:%ld: weight: %s '%.*s'", lx->name, lx->line,
				  lx_col(lx, t), num_status_str(st), (int)(len > 64 ? 64 : len), t);
	return 0;
}

static int read_rudy(opt_problem *p, lexer *lx, linebuf *lines, qe_err *e)
{
	const char *s, *end, *tok[4];
	size_t len[4];
	int64_t n, m;
	int rc;
	do {
		if (!next_line(lx, &s, &end))
			return qe_err_set(e, QE_DATA, "%s: empty input", lx->name);
	} while (blank(s, end));
	if (tokens(s, end, tok, len, 3) != 2 || num_parse_int64(tok[0], len[0], &n) != NUM_OK ||
	    num_parse_int64(tok[1], len[1], &m) != NUM_OK || n < 1 || n > INT32_MAX / 2 || m < 0)
		return qe_err_set(e, QE_DATA, "%s:%ld:1: malformed header '%.*s' (want 'N M')",
				  lx->name, lx->line, (int)(end - s > 60 ? 60 : end - s), s);
	p->n = (int)n;
	p->base = 1;
	int64_t got = 0;
	while (next_line(lx, &s, &end)) {
		int32_t i, j;
		double w;
		int nt;
		if (blank(s, end))
			continue;
		nt = tokens(s, end, tok, len, 3);
		if (nt != 3)
			return qe_err_set(e, QE_DATA, "%s:%ld:1: want 'i j w', got '%.*s'", lx->name,
					  lx->line, (int)(end - s > 60 ? 60 : end - s), s);
		if (got == m)
			return qe_err_set(e, QE_DATA, "%s:%ld:1: more edges than the %lld in the header",
					  lx->name, lx->line, (long long)m);
		if ((rc = parse_index(lx, tok[0], len[0], 1, (int)n, "node", &i, e)) ||
		    (rc = parse_index(lx, tok[1], len[1], 1, (int)n, "node", &j, e)) ||
		    (rc = parse_weight(lx, tok[2], len[2], &w, e)))
			return rc;
		if (i == j)
			return qe_err_set(e, QE_DATA, "%s:%ld:1: self-loop on node %d", lx->name, lx->line, i);
		if ((rc = problem_add(p, i - 1, j - 1, w, e)) || (rc = lines_push(lines, lx->line, e)))
			return rc;
		got++;
	}
	if (got != m)
		return qe_err_set(e, QE_DATA, "%s:%ld:1: %lld edges, header says %lld", lx->name,
				  lx->line, (long long)got, (long long)m);
	return 0;
}

static int read_qbsolv(opt_problem *p, lexer *lx, linebuf *lines, qe_err *e)
{
	const char *s, *end, *tok[7];
	size_t len[7];
	int64_t hdr[4] = {0, 0, 0, 0}, nodes = 0, couplers = 0;
	int have_p = 0, rc;
	long pline = 0;
	p->base = 0;
	while (next_line(lx, &s, &end)) {
		int nt;
		if (blank(s, end) || *s == 'c')
			continue;
		nt = tokens(s, end, tok, len, 6);
		if (!have_p) {
			int ok = nt == 6 && len[0] == 1 && tok[0][0] == 'p' && len[1] == 4 &&
				 memcmp(tok[1], "qubo", 4) == 0;
			for (int k = 0; ok && k < 4; k++)
				ok = num_parse_int64(tok[2 + k], len[2 + k], &hdr[k]) == NUM_OK && hdr[k] >= 0;
			if (!ok || hdr[1] < 1 || hdr[1] > INT32_MAX / 2)
				return qe_err_set(e, QE_DATA,
						  "%s:%ld:1: malformed header '%.*s' (want 'p qubo 0 maxNodes nNodes nCouplers')",
						  lx->name, lx->line, (int)(end - s > 60 ? 60 : end - s), s);
			have_p = 1;
			pline = lx->line;
			p->n = (int)hdr[1];
			continue;
		}
		int32_t i, j;
		double w;
		if (nt != 3)
			return qe_err_set(e, QE_DATA, "%s:%ld:1: want 'i j value', got '%.*s'", lx->name,
					  lx->line, (int)(end - s > 60 ? 60 : end - s), s);
		if ((rc = parse_index(lx, tok[0], len[0], 0, p->n - 1, "node", &i, e)) ||
		    (rc = parse_index(lx, tok[1], len[1], 0, p->n - 1, "node", &j, e)) ||
		    (rc = parse_weight(lx, tok[2], len[2], &w, e)))
			return rc;
		if (i == j)
			nodes++;
		else
			couplers++;
		if ((rc = problem_add(p, i, j, w, e)) || (rc = lines_push(lines, lx->line, e)))
			return rc;
	}
	if (!have_p)
		return qe_err_set(e, QE_DATA, "%s: no 'p qubo' header line", lx->name);
	if (nodes != hdr[2] || couplers != hdr[3])
		return qe_err_set(e, QE_DATA, "%s:%ld:1: header says %lld nodes and %lld couplers, file has %lld and %lld",
				  lx->name, pline, (long long)hdr[2], (long long)hdr[3], (long long)nodes,
				  (long long)couplers);
	return 0;
}

/* --- CSV ---------------------------------------------------------------- */

static int read_csv_terms(opt_problem *p, csv_reader *r, int fields, linebuf *lines, qe_err *e)
{
	int idx[3], st, rc;
	const char *wname = "w";
	if (!fields && p->kind == PROBLEM_ISING && csvr_col(r, "J") >= 0)
		wname = "J";
	const char *names_pair[] = {"i", "j", wname};
	const char *names_field[] = {"i", "h"};
	if ((rc = fields ? csvr_require(r, names_field, 2, idx, e)
			 : csvr_require(r, names_pair, 3, idx, e)))
		return rc;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		int64_t i, j = 0;
		double w;
		if (st == CSVR_FATAL || st == CSVR_BADROW)
			return e->code ? e->code : QE_DATA;
		if ((rc = csvr_get_int64(r, idx[0], &i, e)) ||
		    (!fields && (rc = csvr_get_int64(r, idx[1], &j, e))) ||
		    (rc = csvr_get_double(r, idx[fields ? 1 : 2], &w, e)))
			return rc;
		if (i < 1 || i > INT32_MAX / 2)
			return csvr_field_error(r, idx[0], e, "node outside 1..%d '%lld'", INT32_MAX / 2,
						(long long)i);
		if (fields)
			j = i;
		else if (j < 1 || j > INT32_MAX / 2)
			return csvr_field_error(r, idx[1], e, "node outside 1..%d '%lld'", INT32_MAX / 2,
						(long long)j);
		if (!fields && i == j && p->kind != PROBLEM_QUBO)
			return csvr_field_error(r, idx[1], e, "self-loop on node '%lld'", (long long)i);
		if ((rc = problem_add(p, (int32_t)i - 1, (int32_t)j - 1, w, e)) ||
		    (rc = lines_push(lines, csvr_line(r), e)))
			return rc;
		if (i > p->n)
			p->n = (int)i;
		if (j > p->n)
			p->n = (int)j;
	}
	return 0;
}

static int detect(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (!blank(p, le)) {
			if (*p == 'c' || *p == 'p')
				return FORMAT_QUBO;
			return memchr(p, ',', (size_t)(le - p)) ? FORMAT_CSV : FORMAT_RUDY;
		}
		p = le + 1;
	}
	return FORMAT_RUDY;
}

static int read_any(opt_problem *p, int format, const char *buf, size_t len, const char *name,
		    linebuf *lines, qe_err *e)
{
	if (format == FORMAT_AUTO)
		format = detect(buf, len);
	if (format == FORMAT_CSV) {
		FILE *fp = fmemopen((void *)buf, len ? len : 1, "r");
		csv_reader *r;
		int rc;
		if (!fp)
			return qe_err_set(e, QE_INTERNAL, "fmemopen: %s", strerror(errno));
		if (len == 0) {
			fclose(fp);
			return qe_err_set(e, QE_DATA, "%s: empty input", name);
		}
		if (!(r = csvr_open_stream(fp, name, 1, e)))
			return e->code;
		p->base = 1;
		rc = read_csv_terms(p, r, 0, lines, e);
		csvr_close(r);
		return rc;
	}
	lexer lx = {buf, buf + len, 0, name, buf};
	if (format == FORMAT_QUBO)
		return read_qbsolv(p, &lx, lines, e);
	return read_rudy(p, &lx, lines, e);
}

static int slurp(const char *path, char **buf, size_t *len, qe_err *e)
{
	const char *name = (!path || strcmp(path, "-") == 0) ? "<stdin>" : path;
	FILE *fp = infile_open(path, NULL, e); /* gzip or not */
	size_t cap = 1 << 16, n = 0;
	char *b;
	if (!fp)
		return e->code;
	b = malloc(cap);
	while (b) {
		size_t got = fread(b + n, 1, cap - n, fp);
		n += got;
		if (n < cap)
			break;
		char *nb = realloc(b, cap * 2);
		if (!nb) {
			free(b);
			b = NULL;
			break;
		}
		b = nb;
		cap *= 2;
	}
	int bad = ferror(fp) ? (errno ? errno : EIO) : 0;
	if (fp != stdin)
		fclose(fp);
	if (!b)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (bad) {
		free(b);
		return infile_read_error(e, name, bad);
	}
	*buf = b;
	*len = n;
	return 0;
}

int problem_read_mem(opt_problem *p, int kind, int format, const char *buf, size_t len,
		     const char *name, qe_err *e)
{
	linebuf lines = {0};
	int rc;
	problem_init(p, kind);
	rc = read_any(p, format, buf, len, name, &lines, e);
	if (!rc)
		rc = check_duplicates(p, &lines, name, kind == PROBLEM_QUBO ? "term" : "edge", e);
	free(lines.v);
	if (rc)
		problem_free(p);
	return rc;
}

int problem_read(opt_problem *p, int kind, int format, const char *path,
		 const char *fields_path, qe_err *e)
{
	char *buf = NULL;
	size_t len = 0;
	const char *name = (!path || strcmp(path, "-") == 0) ? "<stdin>" : path;
	int rc = slurp(path, &buf, &len, e);
	if (rc)
		return rc;
	rc = problem_read_mem(p, kind, format, buf, len, name, e);
	free(buf);
	if (rc)
		return rc;
	if (!fields_path) {
		if (p->n == 0) {
			problem_free(p);
			return qe_err_set(e, QE_DATA, "%s: no terms", name);
		}
		return 0;
	}
	/* Ising fields: a second CSV "i,h", checked for repeats on its own. */
	csv_reader *r = csvr_open(fields_path, e);
	opt_problem f;
	linebuf lines = {0};
	if (!r) {
		problem_free(p);
		return e->code;
	}
	problem_init(&f, PROBLEM_ISING);
	rc = read_csv_terms(&f, r, 1, &lines, e);
	if (!rc)
		rc = check_duplicates(&f, &lines, csvr_name(r), "field for node", e);
	for (int64_t t = 0; !rc && t < f.m; t++)
		rc = problem_add(p, f.ti[t], f.tj[t], f.tw[t], e);
	if (!rc && f.n > p->n)
		p->n = f.n;
	if (!rc && p->n == 0)
		rc = qe_err_set(e, QE_DATA, "%s: no terms", name);
	csvr_close(r);
	free(lines.v);
	problem_free(&f);
	if (rc)
		problem_free(p);
	return rc;
}
