#include "risk/volhist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "io/csvio.h"
#include "risk/riskfactor.h"

struct vrow {
	qe_date d;
	long f;
	double v;
	long line;
};

static int cmp_date(const void *a, const void *b)
{
	qe_date x = *(const qe_date *)a, y = *(const qe_date *)b;
	return (x > y) - (x < y);
}

static long find_date(const qe_date *d, size_t n, qe_date t)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (d[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && d[lo] == t ? (long)lo : -1;
}

void volhist_free(vol_history *v)
{
	rh_free(&v->h);
	free(v->normal);
	v->normal = NULL;
}

/* "YYYY-MM" -> its month index; -1 when malformed. */
static long parse_month(const char *s)
{
	if (strlen(s) != 7 || s[4] != '-')
		return -1;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int y = atoi(s), m = atoi(s + 5);
	if (m < 1 || m > 12 || y < 1900)
		return -1;
	return date_month_index_ym(y, m);
}

/* One row into rows[*n]; the factor's type into *types. */
static int read_row(csv_reader *r, const int *idx, risk_history *h, unsigned char **types, size_t *ntypes,
		    struct vrow *row, qe_err *e)
{
	const char *curve, *contract, *type;
	char name[RISK_FACTOR_NAMESZ], vc[RISK_CURVE_MAX + 8];
	int rc;
	if ((rc = csvr_get_date(r, idx[0], &row->d, e)))
		return rc;
	if (!(curve = csvr_get_str(r, idx[1], e)) || !(contract = csvr_get_str(r, idx[2], e)))
		return QE_DATA;
	long cm = parse_month(contract), tenor = cm - date_month_index(row->d);
	if (cm < 0)
		return csvr_field_error(r, idx[2], e, "contract month must be YYYY-MM '%s'", contract);
	if (tenor < 0)
		return csvr_field_error(r, idx[2], e, "contract month before the row's date '%s'", contract);
	if ((rc = csvr_get_double(r, idx[3], &row->v, e)))
		return rc;
	if (!(type = csvr_get_str(r, idx[4], e)))
		return QE_DATA;
	int normal = strcmp(type, "normal") == 0;
	if (!normal && strcmp(type, "lognormal") != 0)
		return csvr_field_error(r, idx[4], e, "vol_type must be lognormal or normal '%s'", type);
	if (!isfinite(row->v) || row->v < 0 || (!normal && row->v == 0))
		return csvr_field_error(r, idx[3], e, "vol must be finite and positive '%g'", row->v);
	if (strlen(curve) > RISK_CURVE_MAX)
		return csvr_field_error(r, idx[1], e, "curve name too long");
	int cl = snprintf(vc, sizeof vc, "VOL:%s", curve);
	int len = risk_factor_name(name, sizeof name, vc, (size_t)cl, risk_factor_tenor(tenor));
	if ((row->f = sidx_add(h->factors, name, (size_t)len, NULL)) < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if ((size_t)row->f >= *ntypes) {
		unsigned char *nt = realloc(*types, (size_t)row->f + 64);
		if (!nt)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		memset(nt + *ntypes, 2, (size_t)row->f + 64 - *ntypes);
		*types = nt;
		*ntypes = (size_t)row->f + 64;
	}
	if ((*types)[row->f] != 2 && (*types)[row->f] != normal)
		return csvr_field_error(r, idx[4], e, "factor %s has two vol types '%s'", name, type);
	(*types)[row->f] = (unsigned char)normal;
	row->line = csvr_line(r);
	return 0;
}

int volhist_read(vol_history *v, const char *path, qe_err *e)
{
	static const char *const cols[] = {"date", "curve", "contract", "vol", "vol_type"};
	int idx[5], rc = 0, st;
	struct vrow *rows = NULL;
	size_t n = 0, cap = 0, ntypes = 0;
	unsigned char *types = NULL;
	risk_history *h = &v->h;
	csv_reader *r;
	memset(v, 0, sizeof *v);
	if (!(h->factors = sidx_new()))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (!(r = csvr_open(path, e))) {
		rh_free(h);
		return e->code;
	}
	if ((rc = csvr_require(r, cols, 5, idx, e)))
		goto out;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			struct vrow *nr = realloc(rows, cap * sizeof *nr);
			if (!nr) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				goto out;
			}
			rows = nr;
		}
		if ((rc = read_row(r, idx, h, &types, &ntypes, &rows[n], e)))
			goto out;
		n++;
	}
	if (n == 0) {
		rc = qe_err_set(e, QE_DATA, "%s: no vols", csvr_name(r));
		goto out;
	}
	h->nf = sidx_count(h->factors);
	if (!(h->dates = malloc(n * sizeof *h->dates)) || !(h->abs = malloc(h->nf + 1)) ||
	    !(v->normal = malloc(h->nf + 1))) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		h->dates[i] = rows[i].d;
	if (n > 1)
		qsort(h->dates, n, sizeof *h->dates, cmp_date);
	for (size_t i = 0; i < n; i++)
		if (h->nd == 0 || h->dates[i] != h->dates[h->nd - 1])
			h->dates[h->nd++] = h->dates[i];
	memset(h->abs, 1, h->nf);
	memcpy(v->normal, types, h->nf);
	if (!(h->price = malloc(h->nd * h->nf * sizeof *h->price + 1))) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < h->nd * h->nf; i++)
		h->price[i] = NAN;
	for (size_t i = 0; i < n; i++) {
		size_t k = (size_t)find_date(h->dates, h->nd, rows[i].d) * h->nf + (size_t)rows[i].f;
		if (!isnan(h->price[k])) {
			char ds[16];
			date_format(ds, rows[i].d);
			rc = qe_err_set(e, QE_DATA, "%s:%ld: second vol for factor '%s' on %s", csvr_name(r),
					rows[i].line, sidx_name(h->factors, (size_t)rows[i].f), ds);
			goto out;
		}
		h->price[k] = rows[i].v;
	}
out:
	free(rows);
	free(types);
	csvr_close(r);
	if (rc)
		volhist_free(v);
	return rc;
}
