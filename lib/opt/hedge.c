#include "opt/hedge.h"

#include <gsl/gsl_cdf.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "time/contract.h"
#include "io/csvio.h"
#include "core/date.h"
#include "market/fxrate.h"
#include "risk/covest.h"
#include "risk/riskfactor.h"
#include "core/strindex.h"

/* "YYYY-MM" into months since year 0; -1 when malformed. */
static long parse_month(const char *s)
{
	long idx;
	return date_month_parse(s, strlen(s), &idx) ? -1 : idx;
}

/* --- hedge ---------------------------------------------------------------- */

void hedge_free(hedge_problem *h)
{
	for (int k = 0; k < h->nf; k++)
		free(h->factor[k]);
	for (int k = 0; k < h->ni; k++) {
		free(h->ins[k].name);
		free(h->ins[k].curve);
	}
	free(h->factor);
	free(h->S);
	free(h->d0);
	free(h->rate);
	free(h->ins);
	memset(h, 0, sizeof *h);
}

/* Bits of the bounded binary encoding of 0..range. */
static int nbits_for(int64_t range)
{
	int b = 0;
	while (range > 0 && ((int64_t)1 << b) - 1 < range)
		b++;
	return b;
}

/* Coefficient of bit b of the bounded binary encoding of 0..range. */
static int64_t bit_coef(int64_t range, int nb, int b)
{
	return b < nb - 1 ? (int64_t)1 << b : range - (((int64_t)1 << (nb - 1)) - 1);
}

static int factor_of(strindex *fidx, const char *curve, long tenor, qe_err *e)
{
	char buf[300];
	int n = risk_factor_name(buf, sizeof buf, curve, strlen(curve), tenor);
	if (n < 0)
		return qe_err_set(e, QE_DATA, "curve name too long '%s'", curve), -1;
	long k = sidx_add(fidx, buf, (size_t)n, NULL);
	if (k < 0)
		return qe_err_set(e, QE_INTERNAL, "out of memory"), -1;
	return (int)k;
}

/* The currency of each factor (its curve's, from the curve master) and,
 * with FX rates, the covariance scaled to the base currency: with r_f the
 * rate of factor f's currency, S_ij r_i r_j, i.e. every delta of factor f
 * (ladder and menu) counted as r_f * delta in base-currency P&L.  Without
 * rates, factors in more than one currency are an error unless
 * allow_mixed. */
static int factor_currencies(hedge_problem *h, const hedge_args *a, qe_err *e)
{
	strindex *curves = sidx_new(), *ccys = sidx_new(), *fxc = sidx_new(), *used = sidx_new();
	long *cval = NULL;
	double *fxr = NULL;
	int found = 0, rc = 0;
	if (!curves || !ccys || !fxc || !used) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	if (a->markets && (rc = curve_attr_read(a->markets, "currency", &found, curves, ccys, &cval, e)))
		goto out;
	if (a->fx) {
		if (!found) {
			rc = qe_err_set(e, QE_USAGE, "--fx needs a curve master with a currency column (--markets)");
			goto out;
		}
		if ((rc = fx_rates_read(a->fx, a->base, fxc, &fxr, e)))
			goto out;
	}
	for (int f = 0; f < h->nf && found; f++) {
		const char *colon = strrchr(h->factor[f], ':');
		size_t n = colon ? (size_t)(colon - h->factor[f]) : strlen(h->factor[f]);
		long k = sidx_find(curves, h->factor[f], n);
		if (k < 0) {
			if (a->fx) {
				rc = qe_err_set(e, QE_DATA, "%s: curve %.*s not in %s, its currency is unknown",
						a->ladder, (int)n, h->factor[f], a->markets);
				goto out;
			}
			continue;
		}
		const char *ccy = sidx_name(ccys, (size_t)cval[k]);
		if (a->fx) {
			long c = sidx_find(fxc, ccy, strlen(ccy));
			if (c < 0) {
				rc = qe_err_set(e, QE_DATA, "no FX rate for currency '%s' (curve %.*s) in %s", ccy,
						(int)n, h->factor[f], a->fx);
				goto out;
			}
			h->rate[f] = fxr[c];
		}
		if (sidx_add(used, ccy, strlen(ccy), NULL) < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
	}
	for (int i = 0; i < h->nf; i++)
		for (int j = 0; j < h->nf; j++)
			h->S[(size_t)i * h->nf + j] *= h->rate[i] * h->rate[j];
	size_t nu = sidx_count(used);
	if (a->fx) {
		snprintf(h->currency, sizeof h->currency, "%s", a->base);
	} else if (nu == 1) {
		snprintf(h->currency, sizeof h->currency, "%s", sidx_name(used, 0));
	} else if (nu > 1) {
		char list[256] = "";
		for (size_t c = 0; c < nu; c++) {
			size_t l = strlen(list);
			snprintf(list + l, sizeof list - l, "%s%s", c ? ", " : "", sidx_name(used, c));
		}
		snprintf(h->mixed, sizeof h->mixed, "%s", list);
		if (!a->allow_mixed)
			rc = qe_err_set(e, QE_DATA,
					"%s: the ladder and menu mix currencies (%s): give --fx FILE --base CCY "
					"to convert them, or --allow-mixed-currency to add them 1:1",
					a->ladder, list);
	}
out:
	sidx_free(curves);
	sidx_free(ccys);
	sidx_free(fxc);
	sidx_free(used);
	free(cval);
	free(fxr);
	return rc;
}

int hedge_read(hedge_problem *h, const hedge_args *a, qe_err *e)
{
	qe_date asof;
	int rc = 0, st, idx[7];
	long asof_m;
	csv_reader *r = NULL;
	strindex *fidx = sidx_new();
	double *dd = NULL; /* delta per factor, grown as factors appear */
	size_t dcap = 0;
	cov_long cov = {0};
	contract_master *cm = NULL;
	memset(h, 0, sizeof *h);
	h->cost_weight = a->cost_weight;
	h->z = gsl_cdf_ugaussian_Pinv(a->confidence);
	if (!fidx)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (!a->asof || date_parse_z(a->asof, &asof))
		return sidx_free(fidx), qe_err_set(e, QE_USAGE, "--asof: want a date YYYY-MM-DD '%s'",
						   a->asof ? a->asof : "");
	asof_m = date_month_index(asof);

	/* Ladder: sum the deltas per factor (of the chosen book). */
	const char *lcols[] = {"book", "curve", "month", "delta"};
	if (!(r = csvr_open(a->ladder, e)))
		goto fail_code;
	if ((rc = csvr_require(r, lcols, 4, idx, e)))
		goto fail;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		double delta;
		const char *book, *curve, *month;
		if (st != CSVR_ROW)
			goto fail_code;
		if (!(book = csvr_get_str(r, idx[0], e)) || !(curve = csvr_get_str(r, idx[1], e)) ||
		    !(month = csvr_get_str(r, idx[2], e)) || (rc = csvr_get_double(r, idx[3], &delta, e)))
			goto fail_code;
		if (a->book && strcmp(a->book, book) != 0)
			continue;
		long mi = parse_month(month);
		if (mi < 0) {
			rc = csvr_field_error(r, idx[2], e, "want YYYY-MM '%s'", month);
			goto fail;
		}
		if (mi < asof_m) {
			rc = csvr_field_error(r, idx[2], e, "month before the as-of month '%s'", month);
			goto fail;
		}
		long tenor = mi - asof_m;
		if (!a->drop_uncovered && risk_factor_tenor(tenor) != tenor) {
			tenor = risk_factor_tenor(tenor);
			h->mapped++;
			h->mapped_delta += fabs(delta);
		}
		int f = factor_of(fidx, curve, tenor, e);
		if (f < 0)
			goto fail_code;
		if ((size_t)f >= dcap) {
			size_t nc = dcap ? dcap * 2 : 64;
			double *nd = realloc(dd, nc * sizeof *nd);
			if (!nd)
				goto oom;
			memset(nd + dcap, 0, (nc - dcap) * sizeof *nd);
			dd = nd;
			dcap = nc;
		}
		dd[f] += delta;
	}
	csvr_close(r);
	r = NULL;

	/* Hedge menu: contracts at or past their last trading day are left out. */
	if (a->markets && !(cm = contract_master_load(a->markets, a->calendars, e)))
		goto fail_code;
	const char *hcols[] = {"instrument", "curve", "month", "lot_size", "cost_per_lot", "min_lots", "max_lots"};
	if (!(r = csvr_open(a->hedges, e)))
		goto fail_code;
	if ((rc = csvr_require(r, hcols, 7, idx, e)))
		goto fail;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		hedge_instr in;
		const char *name, *curve, *month;
		memset(&in, 0, sizeof in);
		if (st != CSVR_ROW)
			goto fail_code;
		if (!(name = csvr_get_str(r, idx[0], e)) || !(curve = csvr_get_str(r, idx[1], e)) ||
		    !(month = csvr_get_str(r, idx[2], e)) ||
		    (rc = csvr_get_double(r, idx[3], &in.lot_size, e)) ||
		    (rc = csvr_get_double(r, idx[4], &in.cost, e)) ||
		    (rc = csvr_get_int64(r, idx[5], &in.min_lots, e)) ||
		    (rc = csvr_get_int64(r, idx[6], &in.max_lots, e)))
			goto fail_code;
		long mi = parse_month(month);
		if (mi < 0 || mi < asof_m) {
			rc = csvr_field_error(r, idx[2], e, "%s '%s'", mi < 0 ? "want YYYY-MM" : "month before the as-of month", month);
			goto fail;
		}
		if (!(in.lot_size > 0)) {
			rc = csvr_field_error(r, idx[3], e, "lot size must be > 0 '%s'", csvr_field(r, idx[3], NULL));
			goto fail;
		}
		if (in.cost < 0) {
			rc = csvr_field_error(r, idx[4], e, "cost must be >= 0 '%s'", csvr_field(r, idx[4], NULL));
			goto fail;
		}
		if (in.min_lots > in.max_lots || in.min_lots < -(1 << 20) || in.max_lots > (1 << 20)) {
			rc = csvr_field_error(r, idx[6], e, "need min_lots <= max_lots within +-1048576 '%s'",
					      csvr_field(r, idx[6], NULL));
			goto fail;
		}
		if (cm) {
			qe_date last;
			if (contract_last_trade(cm, curve, date_month_first(mi), &last, e)) {
				char why[sizeof e->msg];
				snprintf(why, sizeof why, "%s", e->msg);
				rc = csvr_field_error(r, idx[1], e, "no last trading day: %s", why);
				goto fail;
			}
			if (asof >= last) {
				h->expired++;
				continue;
			}
		} else if (mi == asof_m) {
			h->expired++; /* delivery has started */
			continue;
		}
		in.plo = in.min_lots > 0 ? in.min_lots : 0;
		in.phi = in.max_lots > 0 ? in.max_lots : 0;
		in.qlo = in.max_lots < 0 ? -in.max_lots : 0;
		in.qhi = in.min_lots < 0 ? -in.min_lots : 0;
		in.pbits = nbits_for(in.phi - in.plo);
		in.qbits = nbits_for(in.qhi - in.qlo);
		in.pbit0 = h->nbits;
		in.qbit0 = h->nbits + in.pbits;
		h->nbits += in.pbits + in.qbits;
		snprintf(in.month, sizeof in.month, "%s", month);
		long tenor = mi - asof_m;
		if (!a->drop_uncovered)
			tenor = risk_factor_tenor(tenor);
		if ((in.factor = factor_of(fidx, curve, tenor, e)) < 0)
			goto fail_code;
		in.name = strdup(name);
		in.curve = strdup(curve);
		hedge_instr *ni = realloc(h->ins, ((size_t)h->ni + 1) * sizeof *ni);
		if (!in.name || !in.curve || !ni) {
			free(in.name);
			free(in.curve);
			if (ni)
				h->ins = ni;
			goto oom;
		}
		h->ins = ni;
		h->ins[h->ni++] = in;
	}
	csvr_close(r);
	r = NULL;
	contract_master_free(cm);
	cm = NULL;
	if (h->ni == 0) {
		rc = qe_err_set(e, QE_DATA, "%s: no hedge instruments", a->hedges);
		goto fail;
	}
	if (h->nbits > 4096) {
		rc = qe_err_set(e, QE_DATA, "%s: %d lot bits, at most 4096 (narrow min_lots/max_lots)", a->hedges, h->nbits);
		goto fail;
	}

	/* Covariance of the factors in use. */
	h->nf = (int)sidx_count(fidx);
	h->factor = calloc((size_t)h->nf, sizeof *h->factor);
	h->d0 = calloc((size_t)h->nf, sizeof *h->d0);
	h->S = calloc((size_t)h->nf * h->nf, sizeof *h->S);
	long *map = malloc((size_t)h->nf * sizeof *map);
	if (!h->factor || !h->d0 || !h->S || !map) {
		free(map);
		goto oom;
	}
	for (int k = 0; k < h->nf; k++) {
		h->factor[k] = strdup(sidx_name(fidx, (size_t)k));
		h->d0[k] = (size_t)k < dcap ? dd[k] : 0;
	}
	if ((rc = cov_long_read(&cov, a->cov, "factor1", "factor2", risk_factor_canon, e))) {
		free(map);
		goto fail;
	}
	/* A ladder factor without covariance is an error, or (drop_uncovered)
	 * left out and counted; a hedge factor without one is always an error. */
	int *newidx = malloc((size_t)h->nf * sizeof *newidx), kept = 0;
	if (!newidx) {
		free(map);
		goto oom;
	}
	for (int k = 0; k < h->nf; k++) {
		int hedged = 0;
		for (int i = 0; i < h->ni; i++)
			hedged |= h->ins[i].factor == k;
		long found = sidx_find(cov.names, h->factor[k], strlen(h->factor[k]));
		if (found < 0 && (hedged || !a->drop_uncovered)) {
			rc = qe_err_set(e, QE_DATA, "%s: no covariance for factor %s", cov.file, h->factor[k]);
			free(map);
			free(newidx);
			goto fail;
		}
		newidx[k] = found < 0 ? -1 : kept;
		if (found >= 0)
			map[kept++] = found;
	}
	/* Compact only after every check, so the error path frees each name once. */
	for (int k = 0, to = 0; k < h->nf; k++) {
		if (newidx[k] < 0) {
			h->dropped++;
			h->dropped_delta += fabs(h->d0[k]);
			free(h->factor[k]);
			continue;
		}
		h->factor[to] = h->factor[k];
		h->d0[to] = h->d0[k];
		to++;
	}
	for (int i = 0; i < h->ni; i++)
		h->ins[i].factor = newidx[h->ins[i].factor];
	free(newidx);
	h->nf = kept;
	rc = cov_long_matrix(&cov, map, (size_t)h->nf, h->factor, "factors", h->S, e);
	free(map);
	if (rc)
		goto fail;
	if (!(h->rate = malloc(((size_t)h->nf + 1) * sizeof *h->rate)))
		goto oom;
	for (int k = 0; k < h->nf; k++)
		h->rate[k] = 1;
	if ((rc = factor_currencies(h, a, e)))
		goto fail;
	cov_long_free(&cov);
	sidx_free(fidx);
	free(dd);
	return 0;
oom:
	rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	goto fail;
fail_code:
	rc = e->code ? e->code : QE_DATA;
fail:
	if (r)
		csvr_close(r);
	contract_master_free(cm);
	cov_long_free(&cov);
	sidx_free(fidx);
	free(dd);
	hedge_free(h);
	return rc;
}

/* Bit b as (instrument, signed delta per bit in commodity units, lots). */
typedef struct hbit {
	int f;
	double a;      /* delta contribution when the bit is 1 */
	double cost;   /* cost when the bit is 1 */
} hbit;

static hbit *hedge_bits(const hedge_problem *h)
{
	hbit *b = malloc(((size_t)h->nbits + 1) * sizeof *b);
	if (!b)
		return NULL;
	for (int k = 0; k < h->ni; k++) {
		const hedge_instr *in = &h->ins[k];
		for (int t = 0; t < in->pbits; t++) {
			int64_t c = bit_coef(in->phi - in->plo, in->pbits, t);
			b[in->pbit0 + t] = (hbit){in->factor, (double)c * in->lot_size, (double)c * in->cost};
		}
		for (int t = 0; t < in->qbits; t++) {
			int64_t c = bit_coef(in->qhi - in->qlo, in->qbits, t);
			b[in->qbit0 + t] = (hbit){in->factor, -(double)c * in->lot_size, (double)c * in->cost};
		}
	}
	return b;
}

int hedge_qubo(const hedge_problem *h, opt_problem *p, double *constant, qe_err *e)
{
	int nf = h->nf, rc = 0;
	double *r = malloc((size_t)nf * sizeof *r), *Sr = malloc((size_t)nf * sizeof *Sr);
	hbit *b = hedge_bits(h);
	problem_init(p, PROBLEM_QUBO);
	p->n = h->nbits;
	p->base = 1;
	if (!r || !Sr || !b) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	/* r: the residual delta with every bit 0 (lots at their lower ends). */
	memcpy(r, h->d0, (size_t)nf * sizeof *r);
	double c0 = 0;
	for (int k = 0; k < h->ni; k++) {
		const hedge_instr *in = &h->ins[k];
		r[in->factor] += (double)(in->plo - in->qlo) * in->lot_size;
		c0 += h->cost_weight * in->cost * (double)(in->plo + in->qlo);
	}
	for (int i = 0; i < nf; i++) {
		double s = 0;
		for (int j = 0; j < nf; j++)
			s += h->S[(size_t)i * nf + j] * r[j];
		Sr[i] = s;
	}
	double rSr = 0;
	for (int i = 0; i < nf; i++)
		rSr += r[i] * Sr[i];
	*constant = rSr + c0;
	for (int u = 0; u < h->nbits && !rc; u++) {
		double lin = 2 * Sr[b[u].f] * b[u].a + b[u].a * b[u].a * h->S[(size_t)b[u].f * nf + b[u].f] +
			     h->cost_weight * b[u].cost;
		rc = problem_add(p, u, u, lin, e);
		for (int v = u + 1; v < h->nbits && !rc; v++) {
			double q = 2 * b[u].a * b[v].a * h->S[(size_t)b[u].f * nf + b[v].f];
			if (q != 0)
				rc = problem_add(p, u, v, q, e);
		}
	}
done:
	free(r);
	free(Sr);
	free(b);
	if (rc)
		problem_free(p);
	return rc;
}

void hedge_decode(const hedge_problem *h, const int8_t *spins, int64_t *lots)
{
	for (int k = 0; k < h->ni; k++) {
		const hedge_instr *in = &h->ins[k];
		int64_t pv = in->plo, qv = in->qlo;
		for (int t = 0; t < in->pbits; t++)
			if (spins[in->pbit0 + t] > 0)
				pv += bit_coef(in->phi - in->plo, in->pbits, t);
		for (int t = 0; t < in->qbits; t++)
			if (spins[in->qbit0 + t] > 0)
				qv += bit_coef(in->qhi - in->qlo, in->qbits, t);
		lots[k] = pv - qv;
	}
}

double hedge_variance(const hedge_problem *h, const double *lots)
{
	int nf = h->nf;
	double *d = malloc((size_t)nf * sizeof *d), v = 0;
	if (!d)
		return NAN;
	memcpy(d, h->d0, (size_t)nf * sizeof *d);
	for (int k = 0; lots && k < h->ni; k++)
		d[h->ins[k].factor] += lots[k] * h->ins[k].lot_size;
	for (int i = 0; i < nf; i++)
		for (int j = 0; j < nf; j++)
			v += d[i] * h->S[(size_t)i * nf + j] * d[j];
	free(d);
	return v;
}

double hedge_cost(const hedge_problem *h, const int64_t *lots)
{
	double c = 0;
	for (int k = 0; k < h->ni; k++)
		c += h->ins[k].cost * (double)(lots[k] < 0 ? -lots[k] : lots[k]);
	return c;
}

int hedge_relaxed(const hedge_problem *h, double *lots, double *variance, qe_err *e)
{
	/* Normal equations (L'SL) n = -L'S d0, solved by SVD least squares so a
	 * rank-deficient menu (two instruments on one factor) still has the
	 * minimum-norm minimizer. */
	int ni = h->ni, nf = h->nf, rank;
	double *A = calloc((size_t)ni * ni, sizeof *A), *rhs = calloc((size_t)ni, sizeof *rhs);
	double *sv = malloc((size_t)ni * sizeof *sv);
	if (!A || !rhs || !sv) {
		free(A);
		free(rhs);
		free(sv);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	for (int k = 0; k < ni; k++) {
		const hedge_instr *a = &h->ins[k];
		double s = 0;
		for (int j = 0; j < nf; j++)
			s += h->S[(size_t)a->factor * nf + j] * h->d0[j];
		rhs[k] = -a->lot_size * s;
		for (int l = 0; l < ni; l++) {
			const hedge_instr *b = &h->ins[l];
			A[(size_t)k * ni + l] = a->lot_size * b->lot_size * h->S[(size_t)a->factor * nf + b->factor];
		}
	}
	lapack_int info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, ni, ni, 1, A, ni, rhs, 1, sv, -1.0, &rank);
	if (info == 0)
		memcpy(lots, rhs, (size_t)ni * sizeof *lots);
	free(A);
	free(rhs);
	free(sv);
	if (info != 0)
		return qe_err_set(e, QE_NUMERIC, "relaxation: least squares failed (LAPACKE_dgelsd info %d)", (int)info);
	*variance = hedge_variance(h, lots);
	return 0;
}

/* --- portfolio -------------------------------------------------------------- */

void portfolio_free(portfolio_problem *pp)
{
	for (int i = 0; i < pp->n; i++)
		free(pp->name[i]);
	free(pp->name);
	free(pp->mu);
	free(pp->price);
	free(pp->punits);
	free(pp->S);
	memset(pp, 0, sizeof *pp);
}

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

int portfolio_read(portfolio_problem *pp, const portfolio_args *a, qe_err *e)
{
	const char *cols[] = {"asset", "expected_return", "price"};
	int idx[3], st, rc = 0;
	csv_reader *r;
	strindex *names = sidx_new();
	cov_long cov = {0};
	long *map = NULL;
	memset(pp, 0, sizeof *pp);
	pp->risk_aversion = a->risk_aversion;
	pp->cardinality = a->cardinality;
	if (!names)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (!(r = csvr_open(a->assets, e))) {
		sidx_free(names);
		return e->code;
	}
	if ((rc = csvr_require(r, cols, 3, idx, e)))
		goto done;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		const char *nm;
		double mu, price;
		int added;
		if (st != CSVR_ROW || !(nm = csvr_get_str(r, idx[0], e)) ||
		    (rc = csvr_get_double(r, idx[1], &mu, e)) || (rc = csvr_get_double(r, idx[2], &price, e))) {
			rc = e->code ? e->code : QE_DATA;
			goto done;
		}
		if (!(price > 0)) {
			rc = csvr_field_error(r, idx[2], e, "price must be > 0 '%s'", csvr_field(r, idx[2], NULL));
			goto done;
		}
		if (sidx_add(names, nm, strlen(nm), &added) < 0 || !added) {
			rc = added ? qe_err_set(e, QE_INTERNAL, "out of memory")
				   : csvr_field_error(r, idx[0], e, "duplicate asset '%s'", nm);
			goto done;
		}
		char **nn = realloc(pp->name, ((size_t)pp->n + 1) * sizeof *nn);
		if (nn)
			pp->name = nn;
		double *m2 = realloc(pp->mu, ((size_t)pp->n + 1) * sizeof *m2);
		if (m2)
			pp->mu = m2;
		double *p2 = realloc(pp->price, ((size_t)pp->n + 1) * sizeof *p2);
		if (p2)
			pp->price = p2;
		if (!nn || !m2 || !p2 || !(pp->name[pp->n] = strdup(nm))) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto done;
		}
		pp->mu[pp->n] = mu;
		pp->price[pp->n] = price;
		pp->n++;
	}
	if (pp->n == 0 || pp->n > 4000) {
		rc = qe_err_set(e, QE_DATA, "%s: %d assets (want 1 to 4000)", csvr_name(r), pp->n);
		goto done;
	}
	if (pp->cardinality < 1 || pp->cardinality > pp->n) {
		rc = qe_err_set(e, QE_USAGE, "--cardinality %d: want 1..%d (the number of assets)", pp->cardinality, pp->n);
		goto done;
	}
	if ((rc = cov_long_read(&cov, a->cov, "asset1", "asset2", NULL, e)))
		goto done;
	pp->S = calloc((size_t)pp->n * pp->n, sizeof *pp->S);
	map = malloc((size_t)pp->n * sizeof *map);
	if (!pp->S || !map) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	for (int i = 0; i < pp->n; i++)
		if ((map[i] = sidx_find(cov.names, pp->name[i], strlen(pp->name[i]))) < 0) {
			rc = qe_err_set(e, QE_DATA, "%s: no covariance for asset %s", cov.file, pp->name[i]);
			goto done;
		}
	if ((rc = cov_long_matrix(&cov, map, (size_t)pp->n, pp->name, "assets", pp->S, e)))
		goto done;

	/* Budget in integer units: cents, divided by their common divisor, so
	 * that price'x + slack = budget has an exact solution for every
	 * affordable selection.  Coarser units beyond 2^20 (then approximate). */
	double total = 0;
	for (int i = 0; i < pp->n; i++)
		total += pp->price[i];
	pp->budget = a->has_budget ? a->budget : total;
	if (!(pp->budget >= 0)) {
		rc = qe_err_set(e, QE_USAGE, "--budget must be >= 0");
		goto done;
	}
	pp->punits = malloc((size_t)pp->n * sizeof *pp->punits);
	if (!pp->punits) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	if (total > pp->budget) {
		int64_t g = (int64_t)llround(pp->budget * 100);
		if (pp->budget * 100 > 1e15) {
			rc = qe_err_set(e, QE_USAGE, "--budget too large");
			goto done;
		}
		for (int i = 0; i < pp->n; i++)
			g = gcd64(g, (int64_t)llround(pp->price[i] * 100));
		if (g <= 0)
			g = 1;
		pp->slack_step = g / 100.0;
		while (pp->budget / pp->slack_step > (double)(1 << 20))
			pp->slack_step *= 2;
		for (int i = 0; i < pp->n; i++)
			pp->punits[i] = pp->price[i] / pp->slack_step;
		pp->budget_units = (int64_t)floor(pp->budget / pp->slack_step + 1e-9);
		pp->slack_bits = nbits_for(pp->budget_units);
	}
	/* Penalty: more than any single flip can gain in the objective. */
	double G = 0;
	for (int i = 0; i < pp->n; i++) {
		double g = fabs(pp->mu[i]);
		for (int j = 0; j < pp->n; j++)
			g += pp->risk_aversion * fabs(pp->S[(size_t)i * pp->n + j]) * (i == j ? 1 : 2);
		if (g > G)
			G = g;
	}
	pp->penalty = G > 0 ? 2 * G : 1;
done:
	csvr_close(r);
	free(map);
	cov_long_free(&cov);
	sidx_free(names);
	if (rc)
		portfolio_free(pp);
	return rc;
}

int portfolio_qubo(const portfolio_problem *pp, opt_problem *p, double *constant, qe_err *e)
{
	int n = pp->n, nv = n + pp->slack_bits, rc = 0;
	double A = pp->penalty, q = pp->risk_aversion, K = pp->cardinality, B = (double)pp->budget_units;
	double *a = malloc((size_t)(nv ? nv : 1) * sizeof *a);
	problem_init(p, PROBLEM_QUBO);
	p->n = nv;
	if (!a)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	for (int i = 0; i < n; i++)
		a[i] = pp->slack_bits ? pp->punits[i] : 0;
	for (int b = 0; b < pp->slack_bits; b++)
		a[n + b] = (double)bit_coef(pp->budget_units, pp->slack_bits, b);
	*constant = A * K * K + (pp->slack_bits ? A * B * B : 0);
	for (int i = 0; i < nv && !rc; i++) {
		/* budget: A (a'z - B)^2, zero when there is no slack (a = 0) */
		double lin = A * (a[i] * a[i] - 2 * B * a[i]);
		if (i < n)
			lin += q * pp->S[(size_t)i * n + i] - pp->mu[i] + A * (1 - 2 * K);
		rc = problem_add(p, i, i, lin, e);
		for (int j = i + 1; j < nv && !rc; j++) {
			double w = 2 * A * a[i] * a[j];
			if (i < n && j < n)
				w += 2 * q * pp->S[(size_t)i * n + j] + 2 * A;
			if (w != 0)
				rc = problem_add(p, i, j, w, e);
		}
	}
	free(a);
	if (rc)
		problem_free(p);
	return rc;
}

double portfolio_objective(const portfolio_problem *pp, const int8_t *x)
{
	double v = 0;
	for (int i = 0; i < pp->n; i++) {
		if (x[i] <= 0)
			continue;
		v -= pp->mu[i];
		for (int j = 0; j < pp->n; j++)
			if (x[j] > 0)
				v += pp->risk_aversion * pp->S[(size_t)i * pp->n + j];
	}
	return v;
}

int portfolio_feasible(const portfolio_problem *pp, const int8_t *x, double *spent, int *count)
{
	double s = 0;
	int c = 0;
	for (int i = 0; i < pp->n; i++)
		if (x[i] > 0) {
			s += pp->price[i];
			c++;
		}
	*spent = s;
	*count = c;
	return c == pp->cardinality && s <= pp->budget * (1 + 1e-12);
}

int portfolio_relaxed(const portfolio_problem *pp, double *objective, qe_err *e)
{
	int n = pp->n;
	double *A = malloc((size_t)n * n * sizeof *A), *x = malloc((size_t)n * sizeof *x);
	if (!A || !x) {
		free(A);
		free(x);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	for (size_t k = 0; k < (size_t)n * n; k++)
		A[k] = 2 * pp->risk_aversion * pp->S[k];
	memcpy(x, pp->mu, (size_t)n * sizeof *x);
	lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', n, 1, A, n, x, 1);
	if (info == 0) {
		double v = 0;
		for (int i = 0; i < n; i++) {
			v -= pp->mu[i] * x[i];
			for (int j = 0; j < n; j++)
				v += pp->risk_aversion * x[i] * pp->S[(size_t)i * n + j] * x[j];
		}
		*objective = v;
	}
	free(A);
	free(x);
	if (info != 0)
		return qe_err_set(e, QE_NUMERIC, "relaxation: covariance is not positive definite (LAPACKE_dposv info %d)", (int)info);
	return 0;
}

/* --- polish on the original integer problems ------------------------------ */

/* g = S d for real lots x (d = d0 + L x). */
static void hedge_gradient(const hedge_problem *h, const double *x, double *d, double *g)
{
	int nf = h->nf;
	memcpy(d, h->d0, (size_t)nf * sizeof *d);
	for (int k = 0; k < h->ni; k++)
		d[h->ins[k].factor] += x[k] * h->ins[k].lot_size;
	for (int i = 0; i < nf; i++) {
		g[i] = 0;
		for (int j = 0; j < nf; j++)
			g[i] += h->S[(size_t)i * nf + j] * d[j];
	}
}

/* Continuous coordinate descent from the lots: each coordinate jumps to
 * its exact minimizer (a soft threshold for the cost, then the limits).
 * The problem is convex, so this converges to the real-valued optimum in
 * the box, wherever the anneal left the lots; the result is rounded. */
static void hedge_descend_real(const hedge_problem *h, int64_t *lots)
{
	int nf = h->nf, ni = h->ni;
	double *x = malloc((size_t)ni * sizeof *x), *d = malloc((size_t)nf * sizeof *d);
	double *g = malloc((size_t)nf * sizeof *g);
	if (!x || !d || !g)
		goto done;
	for (int k = 0; k < ni; k++)
		x[k] = (double)lots[k];
	hedge_gradient(h, x, d, g);
	for (int pass = 0; pass < 20000; pass++) {
		double moved = 0;
		for (int k = 0; k < ni; k++) {
			const hedge_instr *in = &h->ins[k];
			int f = in->factor;
			double l = in->lot_size, a = l * l * h->S[(size_t)f * nf + f];
			if (!(a > 0))
				continue;
			double u = x[k] - 2 * l * g[f] / (2 * a), thr = h->cost_weight * in->cost / (2 * a);
			double v = u > thr ? u - thr : (u < -thr ? u + thr : 0);
			v = v < (double)in->min_lots ? (double)in->min_lots : (v > (double)in->max_lots ? (double)in->max_lots : v);
			double t = (v - x[k]) * l;
			if (t == 0)
				continue;
			for (int i = 0; i < nf; i++)
				g[i] += h->S[(size_t)i * nf + f] * t;
			moved += fabs(v - x[k]);
			x[k] = v;
		}
		if (moved < 1e-6)
			break;
	}
	for (int k = 0; k < ni; k++)
		lots[k] = (int64_t)llround(x[k]);
done:
	free(x);
	free(d);
	free(g);
}

void hedge_polish(const hedge_problem *h, int64_t *lots)
{
	int nf = h->nf;
	double *d = malloc((size_t)nf * sizeof *d), *g = malloc((size_t)nf * sizeof *g);
	if (!d || !g) {
		free(d);
		free(g);
		return;
	}
	hedge_descend_real(h, lots);
	memcpy(d, h->d0, (size_t)nf * sizeof *d);
	for (int k = 0; k < h->ni; k++)
		d[h->ins[k].factor] += (double)lots[k] * h->ins[k].lot_size;
	for (int i = 0; i < nf; i++) {
		g[i] = 0;
		for (int j = 0; j < nf; j++)
			g[i] += h->S[(size_t)i * nf + j] * d[j];
	}
	double scale = 0;
	for (int i = 0; i < nf; i++)
		scale += fabs(d[i] * g[i]);
	double tol = 1e-12 * (scale > 1 ? scale : 1);
	for (int pass = 0, changed = 1; changed && pass < 1000; pass++) {
		changed = 0;
		for (int k = 0; k < h->ni; k++) {
			const hedge_instr *in = &h->ins[k];
			int f = in->factor;
			double l = in->lot_size, a = l * l * h->S[(size_t)f * nf + f], b = 2 * l * g[f];
			double wc = h->cost_weight * in->cost;
			int64_t n0 = lots[k], cand[8];
			int nc = 0;
			cand[nc++] = 0;
			cand[nc++] = in->min_lots;
			cand[nc++] = in->max_lots;
			if (a > 0) {
				double up = n0 - (b + wc) / (2 * a), dn = n0 - (b - wc) / (2 * a);
				if (fabs(up) < 4e18 && fabs(dn) < 4e18) {
					cand[nc++] = (int64_t)floor(up);
					cand[nc++] = (int64_t)floor(up) + 1;
					cand[nc++] = (int64_t)floor(dn);
					cand[nc++] = (int64_t)floor(dn) + 1;
				}
			}
			int64_t best = n0;
			double bestd = 0;
			for (int c = 0; c < nc; c++) {
				int64_t v = cand[c] < in->min_lots ? in->min_lots : (cand[c] > in->max_lots ? in->max_lots : cand[c]);
				double t = (double)(v - n0);
				double dv = a * t * t + b * t + wc * ((double)llabs(v) - (double)llabs(n0));
				if (dv < bestd - tol) {
					bestd = dv;
					best = v;
				}
			}
			if (best != n0) {
				double t = (double)(best - n0) * l;
				for (int i = 0; i < nf; i++)
					g[i] += h->S[(size_t)i * nf + f] * t;
				lots[k] = best;
				changed = 1;
			}
		}
		if (changed)
			continue;
		/* Coordinate moves stall along correlated factors (adjacent gas
		 * months): try one lot up or down on two instruments at once. */
		for (int k = 0; k < h->ni && !changed; k++)
			for (int j = k + 1; j < h->ni && !changed; j++)
				for (int sgn = 0; sgn < 4 && !changed; sgn++) {
					const hedge_instr *A = &h->ins[k], *B = &h->ins[j];
					int64_t tk = (sgn & 1) ? 1 : -1, tj = (sgn & 2) ? 1 : -1;
					int64_t vk = lots[k] + tk, vj = lots[j] + tj;
					if (vk < A->min_lots || vk > A->max_lots || vj < B->min_lots || vj > B->max_lots)
						continue;
					double xa = (double)tk * A->lot_size, xb = (double)tj * B->lot_size;
					int fa = A->factor, fb = B->factor;
					double dv = 2 * (xa * g[fa] + xb * g[fb]) + xa * xa * h->S[(size_t)fa * nf + fa] +
						    xb * xb * h->S[(size_t)fb * nf + fb] + 2 * xa * xb * h->S[(size_t)fa * nf + fb];
					dv += h->cost_weight * (A->cost * ((double)llabs(vk) - (double)llabs(lots[k])) +
								B->cost * ((double)llabs(vj) - (double)llabs(lots[j])));
					if (dv < -tol) {
						for (int i = 0; i < nf; i++)
							g[i] += h->S[(size_t)i * nf + fa] * xa + h->S[(size_t)i * nf + fb] * xb;
						lots[k] = vk;
						lots[j] = vj;
						changed = 1;
					}
				}
	}
	free(d);
	free(g);
}

void portfolio_polish(const portfolio_problem *pp, int8_t *x)
{
	int n = pp->n;
	double spent;
	int count;
	double *y = malloc((size_t)n * sizeof *y);
	if (!y)
		return;
	if (!portfolio_feasible(pp, x, &spent, &count)) {
		free(y);
		return;
	}
	for (int i = 0; i < n; i++) {
		y[i] = 0;
		for (int j = 0; j < n; j++)
			if (x[j] > 0)
				y[i] += pp->S[(size_t)i * n + j];
	}
	double q = pp->risk_aversion;
	for (int pass = 0; pass < 10000; pass++) {
		int bi = -1, bj = -1;
		double bd = -1e-12 * (1 + fabs(portfolio_objective(pp, x)));
		for (int i = 0; i < n; i++) {
			if (x[i] <= 0)
				continue;
			for (int j = 0; j < n; j++) {
				if (x[j] > 0 || spent - pp->price[i] + pp->price[j] > pp->budget * (1 + 1e-12))
					continue;
				double d = q * (pp->S[(size_t)i * n + i] + pp->S[(size_t)j * n + j] - 2 * y[i] + 2 * y[j] -
						2 * pp->S[(size_t)i * n + j]) + pp->mu[i] - pp->mu[j];
				if (d < bd) {
					bd = d;
					bi = i;
					bj = j;
				}
			}
		}
		if (bi < 0)
			break;
		x[bi] = -1;
		x[bj] = 1;
		spent += pp->price[bj] - pp->price[bi];
		for (int k = 0; k < n; k++)
			y[k] += pp->S[(size_t)k * n + bj] - pp->S[(size_t)k * n + bi];
	}
	free(y);
}

/* Bits of v in the bounded binary encoding of 0..range (nb bits). */
static void encode_bounded(int64_t v, int64_t range, int nb, int8_t *s)
{
	if (nb == 0)
		return;
	int64_t low = ((int64_t)1 << (nb - 1)) - 1;
	s[nb - 1] = -1;
	if (v > low) {
		s[nb - 1] = 1;
		v -= bit_coef(range, nb, nb - 1);
	}
	for (int b = 0; b < nb - 1; b++)
		s[b] = (v >> b) & 1 ? 1 : -1;
}

void hedge_encode(const hedge_problem *h, const int64_t *lots, int8_t *spins)
{
	for (int k = 0; k < h->ni; k++) {
		const hedge_instr *in = &h->ins[k];
		int64_t pv = lots[k] > 0 ? lots[k] : 0, qv = lots[k] < 0 ? -lots[k] : 0;
		if (pv < in->plo)
			pv = in->plo;
		if (qv < in->qlo)
			qv = in->qlo;
		encode_bounded(pv - in->plo, in->phi - in->plo, in->pbits, spins + in->pbit0);
		encode_bounded(qv - in->qlo, in->qhi - in->qlo, in->qbits, spins + in->qbit0);
	}
}

void hedge_polish_spins(void *ctx, int8_t *spins)
{
	const hedge_problem *h = ctx;
	int64_t *lots = malloc(((size_t)h->ni + 1) * sizeof *lots);
	if (!lots)
		return;
	hedge_decode(h, spins, lots);
	hedge_polish(h, lots);
	hedge_encode(h, lots, spins);
	free(lots);
}

void portfolio_polish_spins(void *ctx, int8_t *spins)
{
	const portfolio_problem *pp = ctx;
	double spent;
	int count;
	if (!portfolio_feasible(pp, spins, &spent, &count))
		return;
	portfolio_polish(pp, spins);
	if (!pp->slack_bits)
		return;
	double used = 0;
	for (int i = 0; i < pp->n; i++)
		if (spins[i] > 0)
			used += pp->punits[i];
	int64_t slack = pp->budget_units - (int64_t)llround(used);
	if (slack >= 0 && slack <= pp->budget_units)
		encode_bounded(slack, pp->budget_units, pp->slack_bits, spins + pp->n);
}
