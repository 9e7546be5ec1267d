#include "risk/fxhist.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "io/csvio.h"
#include "io/formats.h"
#include "risk/riskfactor.h"

typedef struct fxh_row {
	qe_date date;
	long ccy;  /* index into the currencies */
	long line;
	double rate;
} fxh_row;

static int oom(qe_err *e)
{
	return qe_err_set(e, QE_INTERNAL, "out of memory");
}

/* Index of date d in the history, or -1. */
static long date_at(const risk_history *h, qe_date d)
{
	size_t lo = 0, hi = h->nd;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (h->dates[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < h->nd && h->dates[lo] == d ? (long)lo : -1;
}

static int read_rows(csv_reader *r, const char *base, strindex *ccys, fxh_row **rows, size_t *n, qe_err *e)
{
	const char *const cols[] = {formats_colname(FMT_FX_HISTORY, FMT_FH_DATE),
				    formats_colname(FMT_FX_HISTORY, FMT_FH_CCY),
				    formats_colname(FMT_FX_HISTORY, FMT_FH_RATE)};
	int idx[3], rc, st;
	size_t cap = 0;
	if ((rc = csvr_require(r, cols, 3, idx, e)))
		return rc;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		fxh_row w;
		const char *c;
		if (st < 0)
			return e->code ? e->code : QE_DATA;
		if ((rc = csvr_get_date(r, idx[0], &w.date, e)))
			return rc;
		if (!(c = csvr_get_str(r, idx[1], e)))
			return QE_DATA;
		int ok = strlen(c) == 3;
		for (int k = 0; ok && k < 3; k++)
			ok = isupper((unsigned char)c[k]) && !(c[k] & 0x80);
		if (!ok)
			return csvr_field_error(r, idx[1], e, "not an ISO 4217 currency code '%s'", c);
		if ((rc = csvr_get_double(r, idx[2], &w.rate, e)))
			return rc;
		if (!(w.rate > 0) || !isfinite(w.rate))
			return csvr_field_error(r, idx[2], e, "not a positive rate '%s'",
						csvr_field(r, idx[2], NULL));
		if (base && strcmp(c, base) == 0) {
			if (w.rate != 1)
				return csvr_field_error(r, idx[2], e, "the base currency %s has rate %s, not 1", base,
							csvr_field(r, idx[2], NULL));
			continue;
		}
		if ((w.ccy = sidx_add(ccys, c, 3, NULL)) < 0)
			return oom(e);
		w.line = csvr_line(r);
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			fxh_row *g = realloc(*rows, cap * sizeof *g);
			if (!g)
				return oom(e);
			*rows = g;
		}
		(*rows)[(*n)++] = w;
	}
	return 0;
}

/* fxh_append, with the price of each factor 1 / rate when invert is set. */
static int append(risk_history *h, const char *path, const char *base, int invert, qe_err *e)
{
	int rc;
	fxh_row *rows = NULL;
	size_t n = 0;
	double *rate = NULL, *price = NULL;
	long *line = NULL;
	strindex *ccys = sidx_new();
	csv_reader *r = ccys ? csvr_open(path, e) : NULL;
	if (!ccys)
		return oom(e);
	if (!r) {
		sidx_free(ccys);
		return e->code;
	}
	if ((rc = read_rows(r, base, ccys, &rows, &n, e)))
		goto out;
	size_t nc = sidx_count(ccys), nd = h->nd, nf = h->nf, nf2 = nf + nc;
	rate = malloc(nd * nc * sizeof *rate + 1);
	line = malloc(nd * nc * sizeof *line + 1);
	if (!rate || !line) {
		rc = oom(e);
		goto out;
	}
	for (size_t i = 0; i < nd * nc; i++) {
		rate[i] = NAN;
		line[i] = 0;
	}
	for (size_t i = 0; i < n; i++) {
		long d = date_at(h, rows[i].date);
		if (d < 0)
			continue;
		size_t at = (size_t)d * nc + (size_t)rows[i].ccy;
		if (line[at]) {
			char ds[16];
			date_format(ds, rows[i].date);
			rc = qe_err_set(e, QE_DATA, "%s:%ld:1: a second %s rate on %s (first on line %ld)", path,
					rows[i].line, sidx_name(ccys, (size_t)rows[i].ccy), ds, line[at]);
			goto out;
		}
		rate[at] = rows[i].rate;
		line[at] = rows[i].line;
	}
	for (size_t c = 0; c < nc; c++)
		for (size_t d = 0; d < nd; d++) {
			if (line[d * nc + c])
				continue;
			/* point at the currency's first row after the date, else its last */
			long at = 0, last = 0;
			for (size_t i = 0; i < n; i++)
				if ((size_t)rows[i].ccy == c) {
					last = rows[i].line;
					if (!at && rows[i].date > h->dates[d])
						at = rows[i].line;
				}
			char ds[16];
			date_format(ds, h->dates[d]);
			rc = qe_err_set(e, QE_DATA, "%s:%ld:1: no %s rate on %s, a date of the price history", path,
					at ? at : last, sidx_name(ccys, c), ds);
			goto out;
		}
	unsigned char *abs = realloc(h->abs, nf2 + 1);
	if (!abs) {
		rc = oom(e);
		goto out;
	}
	h->abs = abs;
	if (!(price = malloc(nd * nf2 * sizeof *price + 1))) {
		rc = oom(e);
		goto out;
	}
	for (size_t d = 0; d < nd; d++) {
		memcpy(price + d * nf2, h->price + d * nf, nf * sizeof *price);
		for (size_t c = 0; c < nc; c++)
			price[d * nf2 + nf + c] = invert ? 1 / rate[d * nc + c] : rate[d * nc + c];
	}
	for (size_t c = 0; c < nc; c++) {
		char name[16];
		snprintf(name, sizeof name, "%s%s", FXH_PREFIX, sidx_name(ccys, c));
		int added = 0;
		if (sidx_add(h->factors, name, strlen(name), &added) < 0) {
			rc = oom(e);
			goto out;
		}
		if (!added) {
			rc = qe_err_set(e, QE_DATA, "%s: factor %s is also in the price history", path, name);
			goto out;
		}
		h->abs[nf + c] = 0;
	}
	free(h->price);
	h->price = price;
	price = NULL;
	h->nf = nf2;
out:
	free(price);
	free(rate);
	free(line);
	free(rows);
	csvr_close(r);
	sidx_free(ccys);
	return rc;
}

long fxh_factor(const risk_history *h, const char *ccy)
{
	char name[16];
	snprintf(name, sizeof name, "%s%s", FXH_PREFIX, ccy);
	return sidx_find(h->factors, name, strlen(name));
}

int fxh_present(const risk_history *h)
{
	for (size_t f = 0; f < h->nf; f++)
		if (strncmp(sidx_name(h->factors, f), FXH_PREFIX, strlen(FXH_PREFIX)) == 0)
			return 1;
	return 0;
}

int fxh_append(risk_history *h, const char *path, const char *base, qe_err *e)
{
	return append(h, path, base, 0, e);
}

int fxh_append_value(risk_history *h, const char *path, const char *base, qe_err *e)
{
	return append(h, path, base, 1, e);
}

/* The currency of factor name's curve (a vol factor's: its underlying's)
 * in cm, or NULL. */
static const char *factor_currency(const curvemaster *cm, const char *name)
{
	char curve[RISK_FACTOR_NAMESZ];
	snprintf(curve, sizeof curve, "%.*s", (int)risk_factor_curve_len(name), name);
	const curvemaster_curve *c = curvemaster_find(cm, risk_factor_underlying(curve));
	return c ? c->currency : NULL;
}

int fxh_sens_finish(exposure *x, const risk_history *h, const curvemaster *cm, qe_err *e)
{
	size_t nf = h->nf, plen = strlen(FXH_PREFIX), nnew = 0;
	const double *today = h->price + (h->nd - 1) * nf;
	if (!cm)
		return qe_err_set(e, QE_USAGE, "FX factors need a curve master (-m) for the currency of each curve");
	if (x->nf != nf)
		return qe_err_set(e, QE_INTERNAL, "fxh_sens_finish: %zu factors in the exposure, %zu in the history",
				  x->nf, nf);
	/* each factor's local currency, once (NULL: an FX factor or unknown) */
	const char **ccy = malloc((nf + 1) * sizeof *ccy);
	if (!ccy)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (size_t f = 0; f < nf; f++)
		ccy[f] = factor_currency(cm, sidx_name(h->factors, f));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t g = 0; g < nf; g++) {
			const char *fx = sidx_name(h->factors, g);
			if (strncmp(fx, FXH_PREFIX, plen) != 0)
				continue;
			double P = today[g]; /* units of the base per unit of the currency */
			for (size_t p = 0; p < x->npf; p++) {
				if (pass == 1)
					x->delta[p * nf + g] /= P;
				for (size_t f = 0; f < nf; f++) {
					double d = x->delta[p * nf + f];
					if (d == 0 || f == g || !ccy[f] || strcmp(ccy[f], fx + plen) != 0)
						continue;
					if (pass == 0)
						nnew++;
					else
						x->cross[x->ncross++] = (struct expo_cross){p, f, g, d / P};
				}
			}
		}
		if (pass == 0) {
			struct expo_cross *c = realloc(x->cross, (x->ncross + nnew + 1) * sizeof *c);
			if (!c) {
				free(ccy);
				return qe_err_set(e, QE_INTERNAL, "out of memory");
			}
			x->cross = c;
		}
	}
	free(ccy);
	return 0;
}
