#include "risk/pnlcube.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "io/formats.h"
#include "io/h5table.h"

int pcube_init(pnl_cube *c, qe_err *e)
{
	memset(c, 0, sizeof *c);
	c->portfolios = sidx_new();
	c->scenarios = sidx_new();
	if (!c->portfolios || !c->scenarios) {
		pcube_free(c);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	return 0;
}

int pcube_alloc(pnl_cube *c, qe_err *e)
{
	c->npf = sidx_count(c->portfolios);
	c->nsc = sidx_count(c->scenarios);
	free(c->pnl);
	c->pnl = calloc(c->npf * c->nsc + 1, sizeof *c->pnl);
	if (!c->pnl)
		return qe_err_set(e, QE_INTERNAL, "out of memory for a %zu x %zu P&L cube", c->npf,
				  c->nsc);
	return 0;
}

void pcube_free(pnl_cube *c)
{
	sidx_free(c->portfolios);
	sidx_free(c->scenarios);
	free(c->pnl);
	memset(c, 0, sizeof *c);
}

struct entry {
	long pf, sc;
	double v;
	long line;
};

/* Rows as they come, checked into a full matrix at the end. */
struct builder {
	struct entry *ent;
	size_t n, cap;
};

static int builder_add(struct builder *b, pnl_cube *c, const char *p, size_t lp, const char *s,
		       size_t ls, double v, long line, qe_err *e)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 1024;
		struct entry *ne = realloc(b->ent, cap * sizeof *ne);
		if (!ne)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		b->ent = ne;
		b->cap = cap;
	}
	struct entry *en = &b->ent[b->n];
	en->pf = sidx_add(c->portfolios, p, lp, NULL);
	en->sc = sidx_add(c->scenarios, s, ls, NULL);
	en->v = v;
	en->line = line;
	if (en->pf < 0 || en->sc < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	b->n++;
	return 0;
}

static int builder_finish(struct builder *b, pnl_cube *c, const char *name, qe_err *e)
{
	unsigned char *seen = NULL;
	int rc = 0;
	if (b->n == 0)
		return qe_err_set(e, QE_DATA, "%s: no P&L rows", name);
	if ((rc = pcube_alloc(c, e)))
		return rc;
	if (!(seen = calloc(c->npf * c->nsc, 1)))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < b->n; i++) {
		size_t k = (size_t)b->ent[i].pf * c->nsc + (size_t)b->ent[i].sc;
		if (seen[k]) {
			rc = qe_err_set(e, QE_DATA, "%s:%ld: duplicate P&L for portfolio '%s' scenario '%s'",
					name, b->ent[i].line, sidx_name(c->portfolios, (size_t)b->ent[i].pf),
					sidx_name(c->scenarios, (size_t)b->ent[i].sc));
			goto out;
		}
		seen[k] = 1;
		c->pnl[k] = b->ent[i].v;
	}
	for (size_t p = 0; p < c->npf; p++)
		for (size_t s = 0; s < c->nsc; s++)
			if (!seen[p * c->nsc + s]) {
				rc = qe_err_set(e, QE_DATA, "%s: portfolio '%s' has no P&L for scenario '%s'",
						name, sidx_name(c->portfolios, p), sidx_name(c->scenarios, s));
				goto out;
			}
out:
	free(seen);
	return rc;
}

int pcube_read_csv(pnl_cube *c, const char *path, qe_err *e)
{
	static const char *const cols[] = {"portfolio", "scenario", "pnl"};
	int idx[3], rc = 0, st;
	struct builder b = {0};
	csv_reader *r;

	if ((rc = pcube_init(c, e)))
		return rc;
	if (!(r = csvr_open(path, e))) {
		pcube_free(c);
		return e->code;
	}
	if ((rc = csvr_require(r, cols, 3, idx, e)))
		goto out;
	int ca = csvr_col(r, "asof");
	long first_line = 0;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		size_t lp, ls;
		const char *p, *s;
		double v;
		if (st == CSVR_FATAL || st == CSVR_BADROW) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if (ca >= 0) {
			qe_date d;
			if ((rc = csvr_get_date(r, ca, &d, e)))
				goto out;
			if (c->has_asof && d != c->asof) {
				rc = csvr_field_error(r, ca, e, "as-of date '%s' differs from line %ld's",
						      csvr_field(r, ca, NULL), first_line);
				goto out;
			}
			if (!c->has_asof)
				first_line = csvr_line(r);
			c->asof = d;
			c->has_asof = 1;
		}
		if (!(p = csvr_get_str(r, idx[0], e)) || !(s = csvr_get_str(r, idx[1], e))) {
			rc = QE_DATA;
			goto out;
		}
		if ((rc = csvr_get_double(r, idx[2], &v, e)))
			goto out;
		csvr_field(r, idx[0], &lp);
		csvr_field(r, idx[1], &ls);
		if ((rc = builder_add(&b, c, p, lp, s, ls, v, csvr_line(r), e)))
			goto out;
	}
	rc = builder_finish(&b, c, csvr_name(r), e);
out:
	free(b.ent);
	csvr_close(r);
	if (rc)
		pcube_free(c);
	return rc;
}

int pcube_is_hdf5(const char *path)
{
	static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
	unsigned char buf[8];
	FILE *fp = fopen(path, "rb");
	int is = 0;
	if (!fp)
		return 0;
	is = fread(buf, 1, 8, fp) == 8 && memcmp(buf, sig, 8) == 0;
	fclose(fp);
	return is;
}

int pcube_read_hdf5(pnl_cube *c, const char *path, qe_err *e)
{
	struct builder b = {0};
	int rc, st, cp, cs, cv;
	h5tab_reader *r;
	if ((rc = pcube_init(c, e)))
		return rc;
	if (!(r = h5tab_open(path, PCUBE_TABLE, e))) {
		pcube_free(c);
		return e->code;
	}
	cp = h5tab_col(r, "portfolio");
	cs = h5tab_col(r, "scenario");
	cv = h5tab_col(r, "pnl");
	if (cp < 0 || cs < 0 || cv < 0 || h5tab_colkind(r, cv) != H5TAB_DOUBLE) {
		rc = qe_err_set(e, QE_DATA, "%s: table /%s lacks portfolio, scenario or a double pnl column",
				path, PCUBE_TABLE);
		goto out;
	}
	int ca = h5tab_col(r, "asof");
	if (ca >= 0 && h5tab_colkind(r, ca) != H5TAB_DATE) {
		rc = qe_err_set(e, QE_DATA, "%s: /%s column asof is not a date", path, PCUBE_TABLE);
		goto out;
	}
	long row = 0;
	while ((st = h5tab_next(r, e)) > 0) {
		const char *p = h5tab_str(r, cp), *s = h5tab_str(r, cs);
		double v = h5tab_double(r, cv);
		row++;
		if (ca >= 0) {
			int64_t d = h5tab_int64(r, ca);
			if (d == H5TAB_MISSING_INT || d < INT32_MIN || d > INT32_MAX ||
			    (c->has_asof && (qe_date)d != c->asof)) {
				rc = qe_err_set(e, QE_DATA, "%s: /%s row %ld: %s as-of date", path, PCUBE_TABLE, row,
						c->has_asof ? "a missing or different" : "a missing");
				goto out;
			}
			c->asof = (qe_date)d;
			c->has_asof = 1;
		}
		if (!*p || !*s || !isfinite(v)) {
			rc = qe_err_set(e, QE_DATA, "%s: /%s row %ld: empty name or non-finite pnl", path,
					PCUBE_TABLE, row);
			goto out;
		}
		if ((rc = builder_add(&b, c, p, strlen(p), s, strlen(s), v, row, e)))
			goto out;
	}
	if (st < 0) {
		rc = e->code ? e->code : QE_DATA;
		goto out;
	}
	rc = builder_finish(&b, c, path, e);
out:
	free(b.ent);
	h5tab_close(r);
	if (rc)
		pcube_free(c);
	return rc;
}

int pcube_write_hdf5(const pnl_cube *c, h5file *f, qe_err *e)
{
	static const h5tab_colspec cols[] = {
		{"portfolio", H5TAB_STRING, NULL},
		{"scenario", H5TAB_STRING, NULL},
		{"pnl", H5TAB_DOUBLE, NULL},
		{"asof", H5TAB_DATE, NULL},
	};
	h5tab_writer *w = h5tab_begin(f, PCUBE_TABLE, cols, 4, e);
	if (!w)
		return e->code;
	for (size_t p = 0; p < c->npf; p++) {
		const char *pn = sidx_name(c->portfolios, p);
		for (size_t s = 0; s < c->nsc; s++) {
			const char *sn = sidx_name(c->scenarios, s);
			h5tab_set_str(w, 0, pn, strlen(pn));
			h5tab_set_str(w, 1, sn, strlen(sn));
			h5tab_set_double(w, 2, c->pnl[p * c->nsc + s]);
			h5tab_set_int64(w, 3, c->has_asof ? (int64_t)c->asof : H5TAB_MISSING_INT);
			if (h5tab_end_row(w, e))
				return e->code;
		}
	}
	return h5tab_finish(w, e);
}

int pcube_write_csv(const pnl_cube *c, FILE *fp)
{
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header_of(&w, FMT_PNL_CUBE);
	for (size_t p = 0; p < c->npf; p++)
		for (size_t s = 0; s < c->nsc; s++) {
			csvw_str(&w, sidx_name(c->portfolios, p));
			csvw_str(&w, sidx_name(c->scenarios, s));
			csvw_double(&w, c->pnl[p * c->nsc + s]);
			if (c->has_asof)
				csvw_date(&w, c->asof);
			else
				csvw_empty(&w);
			csvw_end(&w);
		}
	return ferror(fp) ? QE_IO : 0;
}
