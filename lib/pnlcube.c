#include "pnlcube.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"

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

int pcube_read_csv(pnl_cube *c, const char *path, qe_err *e)
{
	static const char *const cols[] = {"portfolio", "scenario", "pnl"};
	int idx[3], rc = 0, st;
	struct entry *ent = NULL;
	size_t n = 0, cap = 0;
	unsigned char *seen = NULL;
	csv_reader *r;

	if ((rc = pcube_init(c, e)))
		return rc;
	if (!(r = csvr_open(path, e))) {
		pcube_free(c);
		return e->code;
	}
	if ((rc = csvr_require(r, cols, 3, idx, e)))
		goto out;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		size_t lp, ls;
		const char *p, *s;
		double v;
		if (st == CSVR_FATAL || st == CSVR_BADROW) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if (!(p = csvr_get_str(r, idx[0], e)) || !(s = csvr_get_str(r, idx[1], e))) {
			rc = QE_DATA;
			goto out;
		}
		if ((rc = csvr_get_double(r, idx[2], &v, e)))
			goto out;
		csvr_field(r, idx[0], &lp);
		csvr_field(r, idx[1], &ls);
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			struct entry *ne = realloc(ent, cap * sizeof *ne);
			if (!ne) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				goto out;
			}
			ent = ne;
		}
		ent[n].pf = sidx_add(c->portfolios, p, lp, NULL);
		ent[n].sc = sidx_add(c->scenarios, s, ls, NULL);
		ent[n].v = v;
		ent[n].line = csvr_line(r);
		if (ent[n].pf < 0 || ent[n].sc < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		n++;
	}
	if (n == 0) {
		rc = qe_err_set(e, QE_DATA, "%s: no P&L rows", csvr_name(r));
		goto out;
	}
	if ((rc = pcube_alloc(c, e)))
		goto out;
	seen = calloc(c->npf * c->nsc, 1);
	if (!seen) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = (size_t)ent[i].pf * c->nsc + (size_t)ent[i].sc;
		if (seen[k]) {
			rc = qe_err_set(e, QE_DATA, "%s:%ld: duplicate P&L for portfolio '%s' scenario '%s'",
					csvr_name(r), ent[i].line, sidx_name(c->portfolios, (size_t)ent[i].pf),
					sidx_name(c->scenarios, (size_t)ent[i].sc));
			goto out;
		}
		seen[k] = 1;
		c->pnl[k] = ent[i].v;
	}
	for (size_t p = 0; p < c->npf; p++)
		for (size_t s = 0; s < c->nsc; s++)
			if (!seen[p * c->nsc + s]) {
				rc = qe_err_set(e, QE_DATA,
						"%s: portfolio '%s' has no P&L for scenario '%s'",
						csvr_name(r), sidx_name(c->portfolios, p),
						sidx_name(c->scenarios, s));
				goto out;
			}
out:
	free(seen);
	free(ent);
	csvr_close(r);
	if (rc)
		pcube_free(c);
	return rc;
}

int pcube_write_csv(const pnl_cube *c, FILE *fp)
{
	static const char *const hdr[] = {"portfolio", "scenario", "pnl", NULL};
	csv_writer w;
	csvw_init(&w, fp);
	csvw_header(&w, hdr);
	for (size_t p = 0; p < c->npf; p++)
		for (size_t s = 0; s < c->nsc; s++) {
			csvw_str(&w, sidx_name(c->portfolios, p));
			csvw_str(&w, sidx_name(c->scenarios, s));
			csvw_double(&w, c->pnl[p * c->nsc + s]);
			csvw_end(&w);
		}
	return ferror(fp) ? QE_IO : 0;
}
