#include "opt/hedge.h"

#include <gsl/gsl_cdf.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "core/date.h"
#include "market/curvemaster.h"
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
int nbits_for(int64_t range)
{
	int b = 0;
	while (range > 0 && ((int64_t)1 << b) - 1 < range)
		b++;
	return b;
}

/* Coefficient of bit b of the bounded binary encoding of 0..range. */
int64_t bit_coef(int64_t range, int nb, int b)
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

/* What hedge_read gathers on its way to the problem. */
typedef struct hedge_reading {
	const hedge_args *a;
	qe_date asof;
	long asof_m;       /* as-of month as year * 12 + month - 1 */
	strindex *fidx;    /* factor names, in order of first use */
	double *dd;        /* ladder delta per factor, grown as factors appear */
	size_t dcap;
	curvemaster *cm;   /* the curve master (NULL without a.markets) */
} hedge_reading;

/* The problem's currency: the base with FX rates, else the one currency
 * of the factors (used); several are an error unless allow_mixed. */
static int problem_currency(hedge_problem *h, const hedge_args *a, const strindex *used, qe_err *e)
{
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
			return qe_err_set(e, QE_DATA,
					  "%s: the ladder and menu mix currencies (%s): give --fx FILE --base CCY "
					  "to convert them, or --allow-mixed-currency to add them 1:1",
					  a->ladder, list);
	}
	return 0;
}

/* The currency of each factor (its curve's, from the curve master) and,
 * with FX rates, the covariance scaled to the base currency: with r_f the
 * rate of factor f's currency, S_ij r_i r_j, i.e. every delta of factor f
 * (ladder and menu) counted as r_f * delta in base-currency P&L.  Without
 * rates, factors in more than one currency are an error unless
 * allow_mixed. */
static int factor_currencies(hedge_problem *h, const hedge_args *a, const curvemaster *cm, qe_err *e)
{
	strindex *fxc = sidx_new(), *used = sidx_new();
	double *fxr = NULL;
	int found = cm && curvemaster_has(cm, "currency"), rc = 0;
	if (!fxc || !used) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	if (a->fx) {
		if (!found) {
			rc = qe_err_set(e, QE_USAGE, "--fx needs a curve master with a currency column (--markets)");
			goto out;
		}
		if ((rc = fx_rates_read(a->fx, a->base, fxc, &fxr, e)))
			goto out;
	}
	for (int f = 0; f < h->nf && found; f++) {
		int n = (int)risk_factor_curve_len(h->factor[f]);
		char curve[300];
		snprintf(curve, sizeof curve, "%.*s", n, h->factor[f]);
		const curvemaster_curve *mc = curvemaster_find(cm, curve);
		if (!mc) {
			if (a->fx) {
				rc = qe_err_set(e, QE_DATA, "%s: curve %s not in %s, its currency is unknown", a->ladder,
						curve, a->markets);
				goto out;
			}
			continue;
		}
		const char *ccy = mc->currency;
		if (a->fx) {
			long c = sidx_find(fxc, ccy, strlen(ccy));
			if (c < 0) {
				rc = qe_err_set(e, QE_DATA, "no FX rate for currency '%s' (curve %s) in %s", ccy, curve,
						a->fx);
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
	rc = problem_currency(h, a, used, e);
out:
	sidx_free(fxc);
	sidx_free(used);
	free(fxr);
	return rc;
}

/* Adds delta to factor f of the ladder, growing rd->dd. */
static int ladder_add(hedge_reading *rd, int f, double delta, qe_err *e)
{
	if ((size_t)f >= rd->dcap) {
		size_t nc = rd->dcap ? rd->dcap * 2 : 64;
		double *nd = realloc(rd->dd, nc * sizeof *nd);
		if (!nd)
			return qe_err_set(e, QE_INTERNAL, "out of memory");
		memset(nd + rd->dcap, 0, (nc - rd->dcap) * sizeof *nd);
		rd->dd = nd;
		rd->dcap = nc;
	}
	rd->dd[f] += delta;
	return 0;
}

/* Ladder: sum the deltas per factor (of the chosen book). */
static int hedge_read_ladder(hedge_problem *h, hedge_reading *rd, qe_err *e)
{
	const hedge_args *a = rd->a;
	const char *lcols[] = {"book", "curve", "month", "delta"};
	int idx[4], rc = 0, st;
	csv_reader *r = csvr_open(a->ladder, e);
	if (!r)
		return e->code;
	if ((rc = csvr_require(r, lcols, 4, idx, e)))
		goto out;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		double delta;
		const char *book, *curve, *month;
		if (st != CSVR_ROW || !(book = csvr_get_str(r, idx[0], e)) || !(curve = csvr_get_str(r, idx[1], e)) ||
		    !(month = csvr_get_str(r, idx[2], e)) || (rc = csvr_get_double(r, idx[3], &delta, e))) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if (a->book && strcmp(a->book, book) != 0)
			continue;
		long mi = parse_month(month);
		if (mi < 0 || mi < rd->asof_m) {
			rc = csvr_field_error(r, idx[2], e, "%s '%s'",
					      mi < 0 ? "want YYYY-MM" : "month before the as-of month", month);
			goto out;
		}
		long tenor = mi - rd->asof_m;
		if (!a->drop_uncovered && risk_factor_tenor(tenor) != tenor) {
			tenor = risk_factor_tenor(tenor);
			h->mapped++;
			h->mapped_delta += fabs(delta);
		}
		int f = factor_of(rd->fidx, curve, tenor, e);
		if (f < 0 && e->code == QE_DATA)
			csvr_field_error(r, idx[1], e, "curve name too long for a risk factor '%.64s'", curve);
		if (f < 0 || (rc = ladder_add(rd, f, delta, e))) {
			rc = e->code;
			goto out;
		}
	}
out:
	csvr_close(r);
	return rc;
}

/* The curve master, with the calendars of its contracts' last trading
 * days (a.markets; none without). */
static int hedge_read_master(hedge_reading *rd, qe_err *e)
{
	static const char *const need[] = {"calendar"};
	if (!rd->a->markets)
		return 0;
	if (!(rd->cm = curvemaster_load(rd->a->markets, e)) || curvemaster_require(rd->cm, need, 1, e) ||
	    curvemaster_load_calendars(rd->cm, rd->a->calendars, e))
		return e->code;
	return 0;
}

/* 1 when menu row r (curve, delivery month index mi) is at or past its
 * contract's last trading day; without a curve master, when its delivery
 * has started.  -1 with e filled on error. */
static int menu_expired(const hedge_reading *rd, csv_reader *r, int curve_col, const char *curve, long mi,
			qe_err *e)
{
	if (!rd->cm)
		return mi == rd->asof_m;
	const curvemaster_curve *mc = curvemaster_find(rd->cm, curve);
	qe_date last;
	if (!mc)
		return csvr_field_error(r, curve_col, e, "no last trading day: curve not in %s '%s'",
					curvemaster_file(rd->cm), curve), -1;
	if (curvemaster_last_trade(rd->cm, mc, date_month_first(mi), &last, e)) {
		char why[sizeof e->msg];
		snprintf(why, sizeof why, "%s", e->msg);
		return csvr_field_error(r, curve_col, e, "no last trading day: %s", why), -1;
	}
	return rd->asof >= last;
}

/* One menu row into in (its bounds checked); QE_DATA at file:line:col. */
static int menu_row(csv_reader *r, const int *idx, long asof_m, hedge_instr *in, const char **name,
		    const char **curve, const char **month, long *mi, qe_err *e)
{
	memset(in, 0, sizeof *in);
	if (!(*name = csvr_get_str(r, idx[0], e)) || !(*curve = csvr_get_str(r, idx[1], e)) ||
	    !(*month = csvr_get_str(r, idx[2], e)) || csvr_get_double(r, idx[3], &in->lot_size, e) ||
	    csvr_get_double(r, idx[4], &in->cost, e) || csvr_get_int64(r, idx[5], &in->min_lots, e) ||
	    csvr_get_int64(r, idx[6], &in->max_lots, e))
		return e->code ? e->code : QE_DATA;
	*mi = parse_month(*month);
	if (*mi < 0 || *mi < asof_m)
		return csvr_field_error(r, idx[2], e, "%s '%s'",
					*mi < 0 ? "want YYYY-MM" : "month before the as-of month", *month);
	if (!(in->lot_size > 0))
		return csvr_field_error(r, idx[3], e, "lot size must be > 0 '%s'", csvr_field(r, idx[3], NULL));
	if (in->cost < 0)
		return csvr_field_error(r, idx[4], e, "cost must be >= 0 '%s'", csvr_field(r, idx[4], NULL));
	if (in->min_lots > in->max_lots || in->min_lots < -(1 << 20) || in->max_lots > (1 << 20))
		return csvr_field_error(r, idx[6], e, "need min_lots <= max_lots within +-1048576 '%s'",
					csvr_field(r, idx[6], NULL));
	return 0;
}

/* Appends a menu instrument: its bits and factor. */
static int menu_add(hedge_problem *h, hedge_reading *rd, hedge_instr *in, const char *name, const char *curve,
		    const char *month, long mi, qe_err *e)
{
	in->plo = in->min_lots > 0 ? in->min_lots : 0;
	in->phi = in->max_lots > 0 ? in->max_lots : 0;
	in->qlo = in->max_lots < 0 ? -in->max_lots : 0;
	in->qhi = in->min_lots < 0 ? -in->min_lots : 0;
	in->pbits = nbits_for(in->phi - in->plo);
	in->qbits = nbits_for(in->qhi - in->qlo);
	in->pbit0 = h->nbits;
	in->qbit0 = h->nbits + in->pbits;
	h->nbits += in->pbits + in->qbits;
	snprintf(in->month, sizeof in->month, "%s", month);
	long tenor = mi - rd->asof_m;
	if (!rd->a->drop_uncovered)
		tenor = risk_factor_tenor(tenor);
	if ((in->factor = factor_of(rd->fidx, curve, tenor, e)) < 0)
		return e->code;
	in->name = strdup(name);
	in->curve = strdup(curve);
	hedge_instr *ni = realloc(h->ins, ((size_t)h->ni + 1) * sizeof *ni);
	if (ni)
		h->ins = ni;
	if (!in->name || !in->curve || !ni) {
		free(in->name);
		free(in->curve);
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	h->ins[h->ni++] = *in;
	return 0;
}

/* Hedge menu: contracts at or past their last trading day are left out. */
static int hedge_read_menu(hedge_problem *h, hedge_reading *rd, qe_err *e)
{
	const char *hcols[] = {"instrument", "curve", "month", "lot_size", "cost_per_lot", "min_lots", "max_lots"};
	int idx[7], rc = 0, st;
	csv_reader *r = csvr_open(rd->a->hedges, e);
	if (!r)
		return e->code;
	if ((rc = csvr_require(r, hcols, 7, idx, e)))
		goto out;
	while ((st = csvr_next(r, e)) != CSVR_EOF) {
		hedge_instr in;
		const char *name, *curve, *month;
		long mi;
		int expired;
		if (st != CSVR_ROW) {
			rc = e->code ? e->code : QE_DATA;
			goto out;
		}
		if ((rc = menu_row(r, idx, rd->asof_m, &in, &name, &curve, &month, &mi, e)))
			goto out;
		if ((expired = menu_expired(rd, r, idx[1], curve, mi, e)) < 0) {
			rc = e->code;
			goto out;
		}
		if (expired) {
			h->expired++;
			continue;
		}
		if ((rc = menu_add(h, rd, &in, name, curve, month, mi, e))) {
			if (rc == QE_DATA && strncmp(e->msg, "curve name too long", 19) == 0)
				rc = csvr_field_error(r, idx[1], e, "curve name too long for a risk factor '%.64s'",
						      curve);
			goto out;
		}
	}
out:
	csvr_close(r);
	return rc;
}

/* Covariance of the factors in use: a ladder factor without covariance is
 * an error, or (drop_uncovered) left out and counted; a hedge factor
 * without one is always an error. */
static int hedge_read_cov(hedge_problem *h, hedge_reading *rd, qe_err *e)
{
	const hedge_args *a = rd->a;
	cov_long cov = {0};
	int rc;
	h->nf = (int)sidx_count(rd->fidx);
	h->factor = calloc((size_t)h->nf, sizeof *h->factor);
	h->d0 = calloc((size_t)h->nf, sizeof *h->d0);
	h->S = calloc((size_t)h->nf * h->nf, sizeof *h->S);
	long *map = malloc((size_t)h->nf * sizeof *map);
	int *newidx = malloc((size_t)h->nf * sizeof *newidx), kept = 0;
	if (!h->factor || !h->d0 || !h->S || !map || !newidx) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (int k = 0; k < h->nf; k++) {
		h->factor[k] = strdup(sidx_name(rd->fidx, (size_t)k));
		h->d0[k] = (size_t)k < rd->dcap ? rd->dd[k] : 0;
	}
	if ((rc = cov_long_read(&cov, a->cov, "factor1", "factor2", risk_factor_canon, e)))
		goto out;
	for (int k = 0; k < h->nf; k++) {
		int hedged = 0;
		for (int i = 0; i < h->ni; i++)
			hedged |= h->ins[i].factor == k;
		long found = sidx_find(cov.names, h->factor[k], strlen(h->factor[k]));
		if (found < 0 && (hedged || !a->drop_uncovered)) {
			rc = qe_err_set(e, QE_DATA, "%s: no covariance for factor %s", cov.file, h->factor[k]);
			goto out;
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
	h->nf = kept;
	rc = cov_long_matrix(&cov, map, (size_t)h->nf, h->factor, "factors", h->S, e);
out:
	free(map);
	free(newidx);
	cov_long_free(&cov);
	return rc;
}

int hedge_read(hedge_problem *h, const hedge_args *a, qe_err *e)
{
	hedge_reading rd = {.a = a, .fidx = sidx_new()};
	int rc = 0;
	memset(h, 0, sizeof *h);
	h->cost_weight = a->cost_weight;
	h->z = gsl_cdf_ugaussian_Pinv(a->confidence);
	if (!rd.fidx)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	if (!a->asof || date_parse_z(a->asof, &rd.asof)) {
		sidx_free(rd.fidx);
		return qe_err_set(e, QE_USAGE, "--asof: want a date YYYY-MM-DD '%s'", a->asof ? a->asof : "");
	}
	rd.asof_m = date_month_index(rd.asof);
	if ((rc = hedge_read_ladder(h, &rd, e)) || (rc = hedge_read_master(&rd, e)) ||
	    (rc = hedge_read_menu(h, &rd, e)))
		goto out;
	if (h->ni == 0) {
		rc = qe_err_set(e, QE_DATA, "%s: no hedge instruments", a->hedges);
		goto out;
	}
	if (h->nbits > 4096) {
		rc = qe_err_set(e, QE_DATA, "%s: %d lot bits, at most 4096 (narrow min_lots/max_lots)", a->hedges, h->nbits);
		goto out;
	}
	if ((rc = hedge_read_cov(h, &rd, e)))
		goto out;
	if (!(h->rate = malloc(((size_t)h->nf + 1) * sizeof *h->rate))) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (int k = 0; k < h->nf; k++)
		h->rate[k] = 1;
	rc = factor_currencies(h, a, rd.cm, e);
out:
	curvemaster_free(rd.cm);
	sidx_free(rd.fidx);
	free(rd.dd);
	if (rc)
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

/* Bits of v in the bounded binary encoding of 0..range (nb bits). */
void encode_bounded(int64_t v, int64_t range, int nb, int8_t *s)
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
