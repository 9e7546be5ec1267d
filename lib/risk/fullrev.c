#include "risk/fullrev.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/par.h"
#include "market/fxrate.h"
#include "risk/fxhist.h"
#include "risk/riskfactor.h"

static int oom(qe_err *e)
{
	return qe_err_set(e, QE_INTERNAL, "out of memory");
}

/* The factor of curve `name` (prefixed, "VOL:" for vols) at the month of
 * first, or -1 when the history lacks it. */
static long factor_of(const strindex *factors, const char *prefix, const char *name, qe_date first,
		      qe_date asof, char *buf, size_t bufsz)
{
	char curve[RISK_CURVE_MAX + 8];
	long tenor = date_month_index(first) - date_month_index(asof);
	int len = snprintf(curve, sizeof curve, "%s%s", prefix, name);
	if (len < 0 || (size_t)len >= sizeof curve)
		return -1;
	/* the quote's own month; beyond the longest tenor the history has for
	 * the curve, that longest one (as the sensitivity mode maps it) */
	for (long k = tenor < 0 ? 0 : tenor; k >= 0; k--) {
		int n = risk_factor_name(buf, bufsz, curve, (size_t)len, k);
		if (n < 0)
			return -1;
		long f = sidx_find(factors, buf, (size_t)n);
		if (f >= 0 || k == 0)
			return f;
	}
	return -1;
}

/* The price of the quote of curve cv delivering in the month of d, or
 * NAN. */
static double month_forward(const mkt_curve *cv, qe_date d)
{
	long mi = date_month_index(d);
	for (int q = 0; q < cv->nq; q++)
		if (date_month_index(cv->q[q].first) == mi)
			return cv->q[q].price;
	return NAN;
}

static int map_factors(fullrev *fr, qe_err *e)
{
	const market *m = valuation_market(fr->book);
	char buf[RISK_FACTOR_NAMESZ];
	if (!(fr->qf = calloc((size_t)m->nc + 1, sizeof *fr->qf)) ||
	    !(fr->vf = calloc((size_t)m->nc + 1, sizeof *fr->vf)) ||
	    !(fr->vk = calloc((size_t)m->nc + 1, sizeof *fr->vk)))
		return oom(e);
	for (int c = 0; c < m->nc; c++) {
		const mkt_curve *cv = &m->c[c];
		if (!(fr->qf[c] = malloc(sizeof **fr->qf * ((size_t)cv->nq + 1))) ||
		    !(fr->vf[c] = malloc(sizeof **fr->vf * ((size_t)cv->nv + 1))) ||
		    !(fr->vk[c] = malloc(sizeof **fr->vk * ((size_t)cv->nv + 1))))
			return oom(e);
		for (int q = 0; q < cv->nq; q++)
			fr->qf[c][q] = factor_of(fr->h->factors, "", cv->name, cv->q[q].first, m->asof, buf,
						 sizeof buf);
		for (int k = 0; k < cv->nv; k++)
		{
			long g = fr->vh ? factor_of(fr->vh->h.factors, "VOL:", cv->name, cv->v[k].first, m->asof,
						    buf, sizeof buf)
					: -1;
			/* a factor moves the vols of its own type; a point of the
			 * other type (the lognormal vols of a Kirk leg on a curve
			 * whose options are Bachelier) by the change converted at
			 * its month's forward, sigma_n = sigma_ln F, as qe-price
			 * converts that leg's vega */
			fr->vf[c][k] = g;
			fr->vk[c][k] = 1;
			if (g >= 0 && fr->vh->normal[g] != cv->v[k].normal) {
				double F = month_forward(cv, cv->v[k].first);
				fr->vf[c][k] = F > 0 ? g : -1;
				fr->vk[c][k] = cv->v[k].normal ? F : 1 / F;
			}
		}
	}
	return 0;
}

/* Every trade priced at the base, and every quote it depends on moved by
 * a factor of the history. */
static int check_trades(const fullrev *fr, qe_err *e)
{
	const market *m = valuation_market(fr->book);
	for (long i = 0; i < fr->n; i++) {
		struct val_trade_info t;
		valuation_trade(fr->book, i, &t);
		if (t.status == 1)
			return qe_err_set(e, QE_DATA, "trade %s cannot be priced: %s", t.id, t.err);
		for (int k = 0; k < t.nquotes; k++) {
			int c, q;
			valuation_trade_quote(fr->book, i, k, &c, &q);
			if (fr->qf[c][q] < 0) {
				char buf[RISK_FACTOR_NAMESZ];
				const mkt_curve *cv = &m->c[c];
				long tenor = date_month_index(cv->q[q].first) - date_month_index(m->asof);
				risk_factor_name(buf, sizeof buf, cv->name, strlen(cv->name), tenor < 0 ? 0 : tenor);
				return qe_err_set(e, QE_DATA, "trade %s: risk factor '%s' has no price history",
						  t.id, buf);
			}
		}
	}
	return 0;
}

/* The trades' portfolios, currencies and FX factors. */
static int group_trades(fullrev *fr, const char *by, const expo_fx *fx, qe_err *e)
{
	const market *m = valuation_market(fr->book);
	const curvemaster *cm = m->master;
	size_t n = (size_t)fr->n;
	const char **grp = NULL, **ccy = calloc(n + 1, sizeof *ccy), **ids = calloc(n + 1, sizeof *ids);
	strindex *fxc = NULL;
	double *rate = NULL;
	int rc = 0, by_book = by && strcmp(by, "book") == 0;
	if (!ccy || !ids || !(fr->pf = malloc(sizeof *fr->pf * (2 * n + 1))) ||
	    !(fr->fx = malloc(sizeof *fr->fx * (n + 1))) || !(fr->xf = malloc(sizeof *fr->xf * (n + 1))) ||
	    (by && !(grp = calloc(n + 1, sizeof *grp)))) {
		rc = oom(e);
		goto out;
	}
	if (by && !by_book && !(cm && curvemaster_has(cm, by))) {
		rc = qe_err_set(e, QE_USAGE, "--by %s: not book and not a column of the curve master", by);
		goto out;
	}
	int fx_history = fxh_present(fr->h);
	if (fx_history && !(fx && fx->path)) {
		rc = qe_err_set(e, QE_USAGE, "an FX history needs the base currency and today's rates (--fx, --base)");
		goto out;
	}
	if (fx && fx->path) {
		if (!(fxc = sidx_new())) {
			rc = oom(e);
			goto out;
		}
		if ((rc = fx_rates_read(fx->path, fx->base, fxc, &rate, e)))
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct val_trade_info t;
		valuation_trade(fr->book, (long)i, &t);
		ids[i] = t.id;
		ccy[i] = t.currency;
		fr->fx[i] = 1.0;
		fr->xf[i] = -1;
		if (rate) {
			long k = sidx_find(fxc, t.currency, strlen(t.currency));
			if (k < 0) {
				rc = qe_err_set(e, QE_DATA, "trade %s: no FX rate for currency '%s' in %s", t.id,
						t.currency, fx->path);
				goto out;
			}
			fr->fx[i] = rate[k];
			ccy[i] = fx->base;
			if (fx_history && t.status == 0 && strcmp(t.currency, fx->base) != 0 &&
			    (fr->xf[i] = fxh_factor(fr->h, t.currency)) < 0) {
				rc = qe_err_set(e, QE_DATA, "trade %s: currency %s has no rate in the FX history", t.id,
						t.currency);
				goto out;
			}
		}
		if (by_book) {
			grp[i] = t.book;
		} else if (by) {
			const curvemaster_curve *mc = curvemaster_find(cm, t.curve);
			grp[i] = mc ? curvemaster_attr(cm, mc, by) : NULL;
			if (!mc && t.status == 0) {
				rc = qe_err_set(e, QE_DATA, "trade %s: curve %s not in %s, cannot group by %s", t.id,
						t.curve, curvemaster_file(cm), by);
				goto out;
			}
		}
	}
	rc = expo_groups(&fr->x, n, grp, ccy, ids, fr->pf, e);
out:
	free(grp);
	free(ccy);
	free(ids);
	free(rate);
	sidx_free(fxc);
	return rc;
}

int fullrev_init(fullrev *fr, const val_book *b, const risk_history *h, const vol_history *vh,
		 const char *by, const expo_fx *fx, qe_err *e)
{
	int rc;
	memset(fr, 0, sizeof *fr);
	fr->book = b;
	fr->h = h;
	fr->vh = vh;
	fr->n = valuation_count(b);
	if (!(fr->base = malloc(sizeof *fr->base * ((size_t)fr->n + 1))) ||
	    !(fr->npv = malloc(sizeof *fr->npv * ((size_t)fr->n + 1)))) {
		rc = oom(e);
		goto fail;
	}
	if ((rc = map_factors(fr, e)) || (rc = check_trades(fr, e)) || (rc = group_trades(fr, by, fx, e)))
		goto fail;
	if (!(fr->sc = vscen_new(b, e))) {
		rc = e->code;
		goto fail;
	}
	/* the base value through the same repricing as the scenarios */
	char why[200];
	long bad = vscen_reprice(fr->sc, fr->base, why, sizeof why);
	if (bad >= 0) {
		struct val_trade_info t;
		valuation_trade(b, bad, &t);
		rc = qe_err_set(e, QE_INTERNAL, "trade %s: %s", t.id, why);
		goto fail;
	}
	return 0;
fail:
	fullrev_free(fr);
	return rc;
}

void fullrev_free(fullrev *fr)
{
	const market *m = fr->book ? valuation_market(fr->book) : NULL;
	for (int c = 0; m && c < m->nc; c++) {
		if (fr->qf)
			free(fr->qf[c]);
		if (fr->vf)
			free(fr->vf[c]);
		if (fr->vk)
			free(fr->vk[c]);
	}
	free(fr->qf);
	free(fr->vf);
	free(fr->vk);
	free(fr->pf);
	free(fr->fx);
	free(fr->xf);
	free(fr->base);
	free(fr->npv);
	vscen_free(fr->sc);
	if (fr->hz) {
		fullhz_free(fr->hz);
		free(fr->hz);
	}
	if (fr->x.name || fr->x.currencies)
		expo_free(&fr->x);
	memset(fr, 0, sizeof *fr);
}

int fullrev_set_horizon(fullrev *fr, int days, qe_err *e)
{
	if (days == 0)
		return 0;
	if (!(fr->hz = malloc(sizeof *fr->hz)))
		return oom(e);
	int rc = fullhz_init(fr->hz, fr->book, days, e);
	if (rc) {
		free(fr->hz);
		fr->hz = NULL;
	}
	return rc;
}

/* Moves the scenario market sc to scenario ret (and vret). */
static void move_market(fullrev *fr, val_scenario *sc, const double *ret, const double *vret)
{
	const market *m = valuation_market(fr->book);
	for (int c = 0; c < m->nc; c++) {
		const mkt_curve *cv = &m->c[c];
		for (int q = 0; q < cv->nq; q++) {
			long f = fr->qf[c][q];
			double F = cv->q[q].price;
			if (f >= 0)
				vscen_set_price(sc, c, q, fr->h->abs[f] ? F + ret[f] : F * exp(ret[f]));
		}
		for (int k = 0; vret && k < cv->nv; k++)
			if (fr->vf[c][k] >= 0)
				vscen_shift_vol(sc, c, k, vret[fr->vf[c][k]] * fr->vk[c][k]);
	}
}

/* Scenarios repriced together: each trade's fixed inputs are read once
 * for the block and one parallel loop serves it (not one per scenario,
 * whose barrier dominated); the values held are block x trades. */
enum { FULLREV_BLOCK = 32 };

/* Scenario s's P&L per portfolio from npv, the trades' values there, in
 * trade order (the sums do not depend on the block or the threads). */
static void scenario_pnl(const fullrev *fr, const double *npv, const double *r, size_t s, size_t ns,
			 double *pnl)
{
	for (size_t p = 0; p < fr->x.npf; p++)
		pnl[p * ns + s] = 0.0;
	for (long i = 0; i < fr->n; i++) {
		/* in the base currency: (V + dV) / rate_scen - V / rate_today,
		 * rate_scen = rate_today exp(return of FX:CCY) */
		double v = fr->xf[i] >= 0 ? npv[i] * exp(-r[fr->xf[i]]) : npv[i];
		double d = (v - fr->base[i]) * fr->fx[i];
		if (isnan(fr->base[i]))
			continue;
		pnl[(size_t)fr->pf[2 * i] * ns + s] += d;
		if (fr->pf[2 * i + 1] >= 0)
			pnl[(size_t)fr->pf[2 * i + 1] * ns + s] += d;
	}
}

int fullrev_pnl(fullrev *fr, const double *ret, const double *vret, size_t ns, const char *const *names,
		double *pnl, qe_err *e)
{
	char why[200];
	int rc = 0;
	size_t nb = ns < FULLREV_BLOCK ? ns : FULLREV_BLOCK;
	val_scenario *sc[FULLREV_BLOCK] = {fr->sc};
	double *npv = malloc(sizeof *npv * (nb * (size_t)fr->n + 1));
	/* the vols move only with a vol history; else every market of the
	 * block has the base vols */
	const double *vr = vret && fr->vh ? vret : NULL;
	if (!npv)
		return oom(e);
	for (size_t k = 1; k < nb; k++)
		if (!(sc[k] = vscen_new_sibling(fr->sc, e))) {
			rc = e->code;
			goto out;
		}
	for (size_t s0 = 0; s0 < ns; s0 += nb) {
		size_t n = ns - s0 < nb ? ns - s0 : nb;
		for (size_t k = 0; k < n; k++)
			move_market(fr, sc[k], ret + (s0 + k) * fr->h->nf, vr ? vr + (s0 + k) * fr->vh->h.nf : NULL);
		/* with a time move, each scenario through the horizon's dates */
		long bad = -1;
		if (fr->hz) {
			for (size_t k = 0; k < n && bad < 0; k++) {
				long b1 = fullhz_reprice(fr->hz, sc[k], npv + k * (size_t)fr->n, why, sizeof why);
				if (b1 >= 0)
					bad = (long)k * fr->n + b1;
			}
		} else {
			bad = vscen_reprice_block(sc, n, vr == NULL, npv, why, sizeof why);
		}
		if (bad >= 0) {
			struct val_trade_info t;
			size_t s = s0 + (size_t)(bad / fr->n);
			valuation_trade(fr->book, bad % fr->n, &t);
			rc = qe_err_set(e, QE_NUMERIC, "trade %s under scenario %s: %s", t.id,
					names && names[s] ? names[s] : "?", why);
			goto out;
		}
#pragma omp parallel for schedule(static)
		for (size_t k = 0; k < n; k++)
			scenario_pnl(fr, npv + k * (size_t)fr->n, ret + (s0 + k) * fr->h->nf, s0 + k, ns, pnl);
	}
out:
	for (size_t k = 1; k < nb; k++)
		vscen_free(sc[k]);
	free(npv);
	vscen_reset(fr->sc);
	return rc;
}

/* Index of date d in the increasing dates of s, or -1. */
static long find_date(const risk_scenarios *s, qe_date d)
{
	size_t lo = 0, hi = s->ns;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->date[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->ns && s->date[lo] == d ? (long)lo : -1;
}

/* fullrev_pnl of this rank's share of the nsc scenarios of w (core/par.h;
 * all of them in one process; a scenario's P&L does not depend on its
 * block), gathered into rank 0's pnl (npf x nsc). */
static int pnl_share(fullrev *fr, const risk_scenarios *w, const double *vret, size_t vnf,
		     const char *const *names, double *pnl, qe_err *e)
{
	size_t lo, hi, n, npf = fr->x.npf;
	int rc;
	if (par_size() == 1)
		return fullrev_pnl(fr, w->ret, vret, w->ns, names, pnl, e);
	par_my_share(w->ns, 1, &lo, &hi);
	n = hi - lo;
	double *mine = malloc(sizeof *mine * (npf * n + 1));
	if (!mine)
		return oom(e);
	rc = n ? fullrev_pnl(fr, w->ret + lo * w->nf, vret ? vret + lo * vnf : NULL, n, names + lo, mine, e) : 0;
	for (size_t p = 0; !rc && p < npf; p++)
		memcpy(pnl + p * w->ns + lo, mine + p * n, n * sizeof *mine);
	free(mine);
	return rc ? rc : par_gather_cols(pnl, npf, w->ns, 1, e);
}

int fullrev_hs_cube(fullrev *fr, const var_inputs *in, const risk_scenarios *vs, const var_spec *sp,
		    pnl_cube *cube, qe_err *e)
{
	risk_scenarios w;
	int rc;
	double *vret = NULL;
	char (*names)[16] = NULL;
	const char **np = NULL;
	if ((rc = var_window(&in->all, sp, &w, e)))
		return rc;
	if ((rc = pcube_init(cube, e)))
		goto out;
	names = malloc(sizeof *names * (w.ns + 1));
	np = malloc(sizeof *np * (w.ns + 1));
	if (!names || !np || (vs && !(vret = malloc(sizeof *vret * (w.ns * vs->nf + 1))))) {
		rc = oom(e);
		goto out;
	}
	for (size_t s = 0; s < w.ns; s++) {
		date_format(names[s], w.date[s]);
		np[s] = names[s];
		if (sidx_add(cube->scenarios, names[s], strlen(names[s]), NULL) < 0) {
			rc = oom(e);
			goto out;
		}
		if (vs) {
			long k = find_date(vs, w.date[s]);
			if (k < 0) {
				rc = qe_err_set(e, QE_DATA, "the volatility history has no change ending on %s",
						names[s]);
				goto out;
			}
			memcpy(vret + s * vs->nf, vs->ret + (size_t)k * vs->nf, vs->nf * sizeof *vret);
		}
	}
	for (size_t p = 0; p < fr->x.npf; p++)
		if (sidx_add(cube->portfolios, fr->x.label[p], strlen(fr->x.label[p]), NULL) < 0) {
			rc = oom(e);
			goto out;
		}
	if ((rc = pcube_alloc(cube, e)))
		goto out;
	cube->asof = in->asof;
	cube->has_asof = 1;
	rc = pnl_share(fr, &w, vret, vs ? vs->nf : 0, np, cube->pnl, e);
out:
	if (rc)
		pcube_free(cube);
	free(vret);
	free(names);
	free(np);
	rs_free(&w);
	return rc;
}

int fullrev_cube(const struct val_options *vo, const var_inputs *in, const vol_history *vh,
		 const risk_scenarios *vs, const char *by, const expo_fx *fx, const var_spec *sp, int hz_days,
		 pnl_cube *cube, exposure *pf, qe_err *e)
{
	fullrev fr;
	int rc;
	val_book *b = valuation_price(vo, e);
	if (!b)
		return e->code;
	if ((rc = fullrev_init(&fr, b, &in->h, vh, by, fx, e)) == 0) {
		if (!(rc = fullrev_set_horizon(&fr, hz_days, e)))
			rc = fullrev_hs_cube(&fr, in, vs, sp, cube, e);
		if (!rc) {
			*pf = fr.x; /* handed over */
			memset(&fr.x, 0, sizeof fr.x);
		}
		fullrev_free(&fr);
	}
	valuation_free(b);
	return rc;
}

/* The price factors of h that a quote of a priced trade of fr depends on. */
static size_t used_factors(const fullrev *fr, unsigned char *used)
{
	size_t n = 0;
	for (long i = 0; i < fr->n; i++) {
		struct val_trade_info t;
		valuation_trade(fr->book, i, &t);
		for (int k = 0; t.status == 0 && k < t.nquotes; k++) {
			int c, q;
			valuation_trade_quote(fr->book, i, k, &c, &q);
			long f = fr->qf[c][q];
			if (f >= 0 && !used[f]) {
				used[f] = 1;
				n++;
			}
		}
	}
	return n;
}

/* Block b's np paths of price changes dF into log or absolute returns
 * of the factors in place: r = log(1 + dF / F) (log factors, F the
 * factor's latest price), dF (absolute ones), so that the quote moves by
 * exactly the price change the sensitivity mode applies. */
static int changes_to_returns(const risk_history *h, const double *scale, double *Zb, size_t q0, size_t np,
			      qe_err *e)
{
	size_t m = h->nf;
	for (size_t q = 0; q < np; q++)
		for (size_t f = 0; f < m; f++) {
			double *x = &Zb[q * m + f];
			if (h->abs[f])
				continue;
			double g = *x / scale[f];
			if (!(g > -1))
				return qe_err_set(e, QE_NUMERIC,
						  "path%zu moves log-return factor '%s' to a price <= 0 (a change of "
						  "%g on %g); full revaluation needs a positive price",
						  q0 + q + 1, sidx_name(h->factors, f), *x, scale[f]);
			*x = log1p(g);
		}
	return 0;
}

int fullrev_mc_cube(const struct val_options *vo, var_inputs *in, int horizon, int horizon_mode, int hz_days,
		    const char *by, const expo_fx *fx, const var_spec *sp, fullrev_paths_fn *fn, void *ctx,
		    pnl_cube *cube, exposure *pf, size_t *nfactors, char *note, size_t notesz, qe_err *e)
{
	fullrev fr;
	int rc, have_fr = 0;
	size_t N = sp->paths, m = 0, npf = 0;
	double *S = NULL, *L = NULL, *scale = NULL, *Zb = NULL, *blk = NULL;
	unsigned char *used = NULL;
	char (*names)[32] = NULL;
	const char **np = NULL;
	memset(cube, 0, sizeof *cube);
	if (N == 0)
		return qe_err_set(e, QE_USAGE, "no Monte Carlo paths");
	val_book *b = valuation_price(vo, e);
	if (!b)
		return e->code;
	/* the covariance of the factors the book depends on, as the
	 * sensitivity mode restricts the history to the factors of its
	 * positions: the same factors draw the same paths */
	if ((rc = fullrev_init(&fr, b, &in->h, NULL, by, fx, e)))
		goto out;
	if (!(used = calloc(in->h.nf + 1, 1))) {
		fullrev_free(&fr);
		rc = oom(e);
		goto out;
	}
	size_t nused = used_factors(&fr, used);
	fullrev_free(&fr);
	if (nused == 0) {
		rc = qe_err_set(e, QE_DATA, "no trade of the book depends on a factor of the history; nothing to measure");
		goto out;
	}
	rs_free(&in->all);
	if ((rc = rh_restrict(&in->h, used, e)) ||
	    (rc = rh_returns(&in->h, horizon, horizon_mode, 0, &in->all, e)) ||
	    (rc = fullrev_init(&fr, b, &in->h, NULL, by, fx, e)))
		goto out;
	have_fr = 1;
	if ((rc = fullrev_set_horizon(&fr, hz_days, e)))
		goto out;
	m = in->h.nf;
	npf = fr.x.npf;
	S = malloc(m * m * sizeof *S + 1);
	L = malloc(m * m * sizeof *L + 1);
	scale = malloc(m * sizeof *scale + 1);
	Zb = malloc(VAR_MC_BLOCK * m * sizeof *Zb + 1);
	blk = malloc(VAR_MC_BLOCK * npf * sizeof *blk + 1);
	names = malloc(VAR_MC_BLOCK * sizeof *names);
	np = malloc(VAR_MC_BLOCK * sizeof *np);
	if (!S || !L || !scale || !Zb || !blk || !names || !np) {
		rc = oom(e);
		goto out;
	}
	if ((rc = var_mc_factor(&in->h, &in->all, sp, S, L, note, notesz, e)))
		goto out;
	rh_change_scale(&in->h, scale);
	if ((rc = pcube_init(cube, e)))
		goto out;
	for (size_t p = 0; p < npf; p++)
		if (sidx_add(cube->portfolios, fr.x.label[p], strlen(fr.x.label[p]), NULL) < 0) {
			rc = oom(e);
			goto out;
		}
	for (size_t s = 0; s < N; s++) {
		char nm[32];
		int len = snprintf(nm, sizeof nm, "path%zu", s + 1);
		if (sidx_add(cube->scenarios, nm, (size_t)len, NULL) < 0) {
			rc = oom(e);
			goto out;
		}
	}
	if ((rc = pcube_alloc(cube, e)))
		goto out;
	cube->asof = in->asof;
	cube->has_asof = 1;
	/* block by block, in order: the paths of block b are those of var_mc
	 * (Philox stream b), so the result does not depend on the threads
	 * the repricing uses; only one block of paths is held at a time */
	size_t q_lo, q_hi;
	par_my_share(N, VAR_MC_BLOCK, &q_lo, &q_hi); /* this rank's blocks; all in one process */
	for (size_t bl = q_lo / VAR_MC_BLOCK, q0 = q_lo; q0 < q_hi; bl++, q0 += VAR_MC_BLOCK) {
		size_t n = N - q0 < VAR_MC_BLOCK ? N - q0 : VAR_MC_BLOCK;
		var_mc_draw(sp, L, m, bl, n, Zb);
		if ((rc = changes_to_returns(&in->h, scale, Zb, q0, n, e)))
			goto out;
		if (fn && (rc = fn(ctx, &in->h, q0, n, Zb, e)))
			goto out;
		for (size_t s = 0; s < n; s++) {
			snprintf(names[s], sizeof names[s], "path%zu", q0 + s + 1);
			np[s] = names[s];
		}
		if ((rc = fullrev_pnl(&fr, Zb, NULL, n, np, blk, e)))
			goto out;
		for (size_t p = 0; p < npf; p++)
			memcpy(cube->pnl + p * N + q0, blk + p * n, n * sizeof *blk);
	}
	if ((rc = par_gather_cols(cube->pnl, npf, N, VAR_MC_BLOCK, e)))
		goto out;
	*nfactors = m;
	*pf = fr.x; /* handed over */
	memset(&fr.x, 0, sizeof fr.x);
out:
	if (rc && (cube->portfolios || cube->scenarios || cube->pnl))
		pcube_free(cube);
	if (have_fr)
		fullrev_free(&fr);
	valuation_free(b);
	free(used);
	free(S);
	free(L);
	free(scale);
	free(Zb);
	free(blk);
	free(names);
	free(np);
	return rc;
}
