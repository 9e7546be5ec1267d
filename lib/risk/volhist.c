#include "risk/volhist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/schema.h"
#include "io/csvio.h"
#include "io/formats.h"
#include "risk/riskfactor.h"

void volhist_free(vol_history *v)
{
	rh_free(&v->h);
	free(v->normal);
	memset(v, 0, sizeof *v);
}

struct vrow {
	qe_date d;
	long f, line;
	double vol;
};

static int cmp_date(const void *a, const void *b)
{
	qe_date x = *(const qe_date *)a, y = *(const qe_date *)b;
	return (x > y) - (x < y);
}

/* Index of t in the increasing d[0..n), or -1. */
static long date_index(const qe_date *d, size_t n, qe_date t)
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

/* The distinct dates of rows, increasing, into *out (n of them). */
static int distinct_dates(const struct vrow *rows, size_t n, qe_date **out, size_t *nd)
{
	qe_date *ud = malloc((n + 1) * sizeof *ud);
	if (!ud)
		return -1;
	for (size_t i = 0; i < n; i++)
		ud[i] = rows[i].d;
	qsort(ud, n, sizeof *ud, cmp_date);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || ud[i] != ud[k - 1])
			ud[k++] = ud[i];
	*out = ud;
	*nd = k;
	return 0;
}

/* What volhist_read holds while it reads. */
typedef struct vh_reading {
	csv_reader *r;
	int idx[5];
	struct vrow *rows;
	size_t n, cap;
	strindex *curves;    /* curve -> its vol type, ctype[] */
	unsigned char *ctype;
	long *cline;         /* line of each curve's first row */
	size_t ccap;
	unsigned char *ftype; /* per factor */
	size_t fcap;
} vh_reading;

/* The vol type of the current row: 0 lognormal, 1 normal. */
static int row_type(vh_reading *g, int *type, qe_err *e)
{
	static const char *const types[] = {"lognormal", "normal"};
	size_t len;
	const char *s = csvr_field(g->r, g->idx[FMT_VH_TYPE], &len);
	for (int k = 0; k < 2; k++)
		if (len == strlen(types[k]) && strncasecmp(s, types[k], len) == 0) {
			*type = k;
			return 0;
		}
	return csvr_field_error(g->r, g->idx[FMT_VH_TYPE], e, "expected lognormal or normal, not '%.*s'",
				(int)(len > 64 ? 64 : len), s);
}

/* Checks that the curve keeps one vol type. */
static int curve_type(vh_reading *g, const char *curve, int type, qe_err *e)
{
	int added;
	long c = sidx_add(g->curves, curve, strlen(curve), &added);
	if (c < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if ((size_t)c >= g->ccap) {
		size_t cap = g->ccap ? 2 * g->ccap : 16;
		unsigned char *t = realloc(g->ctype, cap);
		long *l = realloc(g->cline, cap * sizeof *l);
		if (t)
			g->ctype = t;
		if (l)
			g->cline = l;
		if (!t || !l)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		g->ccap = cap;
	}
	if (added) {
		g->ctype[c] = (unsigned char)type;
		g->cline[c] = csvr_line(g->r);
		return 0;
	}
	if (g->ctype[c] != type)
		return csvr_field_error(g->r, g->idx[FMT_VH_TYPE], e,
					"curve %s has %s vols from line %ld: one vol type per curve", curve,
					g->ctype[c] ? "normal" : "lognormal", g->cline[c]);
	return 0;
}

static int read_row(vh_reading *g, vol_history *v, qe_err *e)
{
	csv_reader *r = g->r;
	struct vrow row;
	const char *curve, *contract;
	size_t clen;
	int64_t tenor;
	int type = 0, rc;
	char name[RISK_FACTOR_NAMESZ];
	if ((rc = csvr_get_date(r, g->idx[FMT_VH_DATE], &row.d, e)))
		return rc;
	if (!(curve = csvr_get_str(r, g->idx[FMT_VH_CURVE], e)) ||
	    !(contract = csvr_get_str(r, g->idx[FMT_VH_CONTRACT], e)))
		return QE_DATA;
	if (strlen(curve) > RISK_CURVE_MAX)
		return csvr_field_error(r, g->idx[FMT_VH_CURVE], e, "curve name too long");
	csvr_field(r, g->idx[FMT_VH_CONTRACT], &clen);
	const char *why = schema_vol_contract_tenor(contract, clen, row.d, &tenor);
	if (why)
		return csvr_field_error(r, g->idx[FMT_VH_CONTRACT], e, "%s '%.*s'", why,
					(int)(clen > 64 ? 64 : clen), contract);
	if ((rc = csvr_get_double(r, g->idx[FMT_VH_VOL], &row.vol, e)))
		return rc;
	if ((rc = row_type(g, &type, e)))
		return rc;
	if (!(row.vol > 0) || !isfinite(row.vol))
		return csvr_field_error(r, g->idx[FMT_VH_VOL], e, "vol must be positive and finite '%g'", row.vol);
	if (type == 0 && schema_lognormal_vol_implausible(row.vol))
		return csvr_field_error(r, g->idx[FMT_VH_VOL], e, "%s '%g'", schema_lognormal_vol_implausible(row.vol),
					row.vol);
	if ((rc = curve_type(g, curve, type, e)))
		return rc;
	int len = risk_vol_factor_name(name, sizeof name, curve, strlen(curve), tenor);
	if (len < 0 || (row.f = sidx_add(v->h.factors, name, (size_t)len, NULL)) < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if ((size_t)row.f >= g->fcap) {
		size_t cap = g->fcap ? 2 * g->fcap : 64;
		unsigned char *t = realloc(g->ftype, cap);
		if (!t)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		g->ftype = t;
		g->fcap = cap;
	}
	g->ftype[row.f] = (unsigned char)type;
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 4096;
		struct vrow *nr = realloc(g->rows, cap * sizeof *nr);
		if (!nr)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		g->rows = nr;
		g->cap = cap;
	}
	row.line = csvr_line(r);
	g->rows[g->n++] = row;
	return 0;
}

/* The dense date x factor matrix of the rows read. */
static int build_matrix(vh_reading *g, vol_history *v, qe_err *e)
{
	risk_history *h = &v->h;
	if (distinct_dates(g->rows, g->n, &h->dates, &h->nd))
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	h->nf = sidx_count(h->factors);
	h->price = malloc((h->nd * h->nf + 1) * sizeof *h->price);
	h->abs = malloc(h->nf + 1);
	v->normal = malloc(h->nf + 1);
	if (!h->price || !h->abs || !v->normal)
		return qe_err_set(e, QE_INTERNAL, "out of memory for %zu dates x %zu vol factors", h->nd, h->nf);
	memset(h->abs, 1, h->nf);
	memcpy(v->normal, g->ftype, h->nf);
	for (size_t i = 0; i < h->nd * h->nf; i++)
		h->price[i] = NAN;
	for (size_t i = 0; i < g->n; i++) {
		const struct vrow *w = &g->rows[i];
		size_t k = (size_t)date_index(h->dates, h->nd, w->d) * h->nf + (size_t)w->f;
		if (!isnan(h->price[k])) {
			char ds[16];
			date_format(ds, w->d);
			return qe_err_set(e, QE_DATA, "%s:%ld: second vol for factor '%s' on %s", csvr_name(g->r),
					  w->line, sidx_name(h->factors, (size_t)w->f), ds);
		}
		h->price[k] = w->vol;
	}
	return 0;
}

int volhist_read(vol_history *v, const char *path, qe_err *e)
{
	const formats_table *t = formats_get(FMT_VOL_HISTORY);
	const char *cols[5];
	vh_reading g = {0};
	int rc = 0, st;
	memset(v, 0, sizeof *v);
	for (int k = 0; k < 5; k++)
		cols[k] = t->cols[k].name;
	if (!(v->h.factors = sidx_new()) || !(g.curves = sidx_new())) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	if (!(g.r = csvr_open(path, e))) {
		rc = e->code;
		goto out;
	}
	if ((rc = csvr_require(g.r, cols, 5, g.idx, e)))
		goto out;
	while ((st = csvr_next(g.r, e)) != CSVR_EOF) {
		if (st < 0) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if ((rc = read_row(&g, v, e)))
			goto out;
	}
	if (g.n == 0) {
		rc = qe_err_set(e, QE_DATA, "%s: no vols", csvr_name(g.r));
		goto out;
	}
	if (csvr_unterminated(g.r)) {
		rc = qe_err_set(e, QE_DATA, "%s:%ld: last line has no line end: the file looks truncated",
				csvr_name(g.r), g.rows[g.n - 1].line);
		goto out;
	}
	rc = build_matrix(&g, v, e);
out:
	free(g.rows);
	free(g.ctype);
	free(g.cline);
	free(g.ftype);
	sidx_free(g.curves);
	csvr_close(g.r);
	if (rc)
		volhist_free(v);
	return rc;
}

/* The contract a vol of factor f quotes on date d: the vol of tenor
 * k >= 1 is that of the contract k months on; tenor 0 and a missing vol
 * none. */
static long vol_contract(const risk_history *a, size_t f, qe_date d, double vol)
{
	size_t cl;
	long t = 0;
	risk_factor_parse(sidx_name(a->factors, f), &cl, &t);
	return !isnan(vol) && t > 0 ? date_month_index(d) + t : RH_NO_CONTRACT;
}

int volhist_merge(risk_history *h, const vol_history *v, qe_err *e)
{
	const risk_history *a = &v->h;
	size_t nd = 0, nf = h->nf + a->nf;
	qe_date *dates = malloc((h->nd + a->nd + 1) * sizeof *dates);
	double *price = NULL;
	long *contract = NULL;
	unsigned char *abs = realloc(h->abs, nf + 1);
	if (abs)
		h->abs = abs;
	if (!dates || !abs)
		goto oom;
	/* the union of two increasing date lists */
	for (size_t i = 0, j = 0; i < h->nd || j < a->nd;) {
		qe_date d = j >= a->nd || (i < h->nd && h->dates[i] < a->dates[j]) ? h->dates[i] : a->dates[j];
		dates[nd++] = d;
		i += i < h->nd && h->dates[i] == d;
		j += j < a->nd && a->dates[j] == d;
	}
	if (!(price = malloc((nd * nf + 1) * sizeof *price)))
		goto oom;
	if (h->contract && !(contract = malloc((nd * nf + 1) * sizeof *contract)))
		goto oom;
	for (size_t d = 0; d < nd; d++) {
		long i = date_index(h->dates, h->nd, dates[d]), j = date_index(a->dates, a->nd, dates[d]);
		for (size_t f = 0; f < h->nf; f++)
			price[d * nf + f] = i >= 0 ? h->price[(size_t)i * h->nf + f] : NAN;
		for (size_t f = 0; f < a->nf; f++)
			price[d * nf + h->nf + f] = j >= 0 ? a->price[(size_t)j * a->nf + f] : NAN;
		if (!contract)
			continue;
		for (size_t f = 0; f < h->nf; f++)
			contract[d * nf + f] = i >= 0 ? h->contract[(size_t)i * h->nf + f] : RH_NO_CONTRACT;
		for (size_t f = 0; f < a->nf; f++)
			contract[d * nf + h->nf + f] = vol_contract(a, f, dates[d], price[d * nf + h->nf + f]);
	}
	for (size_t f = 0; f < a->nf; f++) {
		const char *name = sidx_name(a->factors, f);
		int added;
		if (sidx_add(h->factors, name, strlen(name), &added) < 0)
			goto oom;
		if (!added) {
			free(dates);
			free(price);
			free(contract);
			return qe_err_set(e, QE_DATA, "factor '%s' is in the price history and the vol history", name);
		}
		h->abs[h->nf + f] = 1;
	}
	free(h->dates);
	free(h->price);
	free(h->contract);
	h->dates = dates;
	h->price = price;
	h->contract = contract;
	h->nd = nd;
	h->nf = nf;
	return 0;
oom:
	free(dates);
	free(price);
	free(contract);
	return qe_err_set(e, QE_INTERNAL, "out of memory");
}

int volhist_contract_factors(vol_history *v, qe_date asof, rh_roll_report *rep, qe_err *e)
{
	risk_history *h = &v->h;
	size_t nf = h->nf, nd = h->nd;
	int rc;
	/* every factor of a curve has the curve's vol type (volhist_read) */
	strindex *curves = sidx_new();
	unsigned char *ctype = malloc(nf + 1), *normal = NULL;
	long *contract = malloc(nd * nf * sizeof *contract + 1);
	if (!curves || !ctype || !contract) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t f = 0; f < nf; f++) {
		size_t cl;
		long t = 0;
		const char *name = sidx_name(h->factors, f);
		risk_factor_parse(name, &cl, &t);
		long k = sidx_add(curves, name, cl, NULL);
		if (k < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		ctype[k] = v->normal[f];
		for (size_t d = 0; d < nd; d++)
			contract[d * nf + f] = vol_contract(h, f, h->dates[d], h->price[d * nf + f]);
	}
	free(h->contract);
	h->contract = contract;
	contract = NULL;
	if ((rc = rh_contract_factors(h, asof, rep, e)))
		goto out;
	if (!(normal = malloc(h->nf + 1))) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t f = 0; f < h->nf; f++) {
		size_t cl;
		long t = 0;
		const char *name = sidx_name(h->factors, f);
		risk_factor_parse(name, &cl, &t);
		long k = sidx_find(curves, name, cl);
		normal[f] = k >= 0 ? ctype[k] : 0;
	}
	free(v->normal);
	v->normal = normal;
out:
	sidx_free(curves);
	free(ctype);
	free(contract);
	return rc;
}
