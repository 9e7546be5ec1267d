/* qe-var subcommands on a price history and a book: hs, param, mc,
 * components, series, cov, stress.  Options are parsed in cmd/qe-var.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "risk/covest.h"
#include "risk/riskfactor.h"
#include "var_cmd.h"
#include "risk/varstress.h"

static void load(const struct opts *o, int need_sens, var_inputs *in)
{
	qe_err e;
	if (!o->history)
		cli_usage_error("missing --history FILE");
	if (need_sens && !o->sens)
		cli_usage_error("missing --sens FILE");
	if (var_inputs_load(in, o->history, o->markets, need_sens ? o->sens : NULL, o->by, &o->fx,
			    o->have_asof ? &o->asof : NULL, o->gaps,
			    o->horizon, o->hmode, &e))
		cli_die_err(&e);
	if (in->gaps.filled)
		cli_info("history: %zu missing prices filled forward (first: %s)", in->gaps.filled,
			 in->gaps.first);
	if (in->gaps.dropped)
		cli_info("history: %zu dates dropped for missing prices (first: %s)", in->gaps.dropped,
			 in->gaps.first);
	if (in->have_x && in->x.capped)
		cli_info("%s: %zu rows with tenor beyond %d months mapped to tenor %d", o->sens,
			 in->x.capped, RISK_MAX_TENOR, RISK_MAX_TENOR);
	if (o->sp.window > in->all.ns)
		cli_info("history: only %zu scenarios for a window of %zu", in->all.ns, o->sp.window);
}

static void write_cube(const struct opts *o, const pnl_cube *c)
{
	qe_err e;
	size_t n = strlen(o->cube);
	if (n > 3 && strcmp(o->cube + n - 3, ".h5") == 0) {
		if (pcube_write_hdf5(c, o->cube, &e))
			cli_die_err(&e);
		return;
	}
	qe_out out;
	if (out_open(&out, o->cube, &e))
		cli_die_err(&e);
	pcube_write_csv(c, out.fp);
	if (out_commit(&out, &e))
		cli_die_err(&e);
}

static int write_results(const struct opts *o, const var_inputs *in, const char *method,
			 const var_result *r)
{
	static const char *const hdr[] = {"portfolio", "method", "alpha", "horizon", "scenarios",
					  "var", "es", "currency", NULL};
	char hz[32];
	qe_out out;
	csv_writer w;
	if (r->note[0])
		cli_info("%s", r->note);
	if (o->timing)
		fprintf(stderr, "%s: timing: pnl %.6f s, measures %.6f s\n", cli_prog, r->t_pnl, r->t_measure);
	snprintf(hz, sizeof hz, "%dd%s", o->horizon, o->hmode == RH_SQRT && o->horizon > 1 ? "-sqrt" : "");
	var_open_out(&out, o, &w);
	csvw_header(&w, hdr);
	for (size_t p = 0; p < r->npf; p++)
		for (int a = 0; a < r->nalpha; a++) {
			size_t k = p * (size_t)r->nalpha + (size_t)a;
			csvw_str(&w, in->x.name[p]);
			csvw_str(&w, method);
			csvw_double(&w, o->sp.alpha[a]);
			csvw_str(&w, hz);
			csvw_int(&w, (int64_t)r->scenarios);
			csvw_double(&w, r->var[k]);
			csvw_double(&w, r->es[k]);
			csvw_str(&w, in->x.ccy[p]);
			csvw_end(&w);
		}
	return var_commit(&out);
}

int var_cmd_model(const struct opts *o, const char *cmd)
{
	var_inputs in;
	var_result r;
	pnl_cube cube, *cp = o->cube ? &cube : NULL;
	qe_err e;
	int rc;
	const char *method;
	load(o, 1, &in);
	if (strcmp(cmd, "hs") == 0) {
		method = o->sp.fhs_lambda > 0 ? (o->sp.brw_lambda > 0 ? "fhs-brw" : "fhs")
			 : o->sp.brw_lambda > 0 ? "hs-brw" : "hs";
		rc = var_hs(&in.h, &in.all, &in.x, &o->sp, &r, cp, &e);
	} else if (strcmp(cmd, "param") == 0) {
		if (o->cube)
			cli_usage_error("--cube applies to hs and mc");
		method = o->sp.cornish_fisher ? "cornish-fisher" : "delta-normal";
		rc = var_param(&in.h, &in.all, &in.x, &o->sp, &r, &e);
	} else {
		method = o->sp.df > 0 ? "mc-t" : "mc-normal";
		rc = var_mc(&in.h, &in.all, &in.x, &o->sp, &r, cp, &e);
	}
	if (rc)
		cli_die_err(&e);
	if (cp) {
		write_cube(o, cp);
		pcube_free(cp);
	}
	rc = write_results(o, &in, method, &r);
	var_result_free(&r);
	var_inputs_free(&in);
	return rc;
}

/* Decomposes the total of each currency over that currency's groups and
 * factors (one delta-normal run per currency: P&L is never added across
 * currencies). */
int var_cmd_components(const struct opts *o)
{
	static const char *const hdr[] = {"portfolio", "level", "name", "alpha", "var", "marginal",
					  "component", "incremental", "currency", NULL};
	var_inputs in;
	qe_err e;
	qe_out out;
	csv_writer w;
	load(o, 1, &in);
	size_t nt = 0;
	for (size_t p = 0; p < in.x.npf; p++)
		nt += strcmp(in.x.name[p], "total") == 0;
	var_components *c = calloc(nt + 1, sizeof *c);
	exposure *sub = calloc(nt + 1, sizeof *sub);
	if (!c || !sub)
		cli_die(QE_INTERNAL, "out of memory");
	for (size_t t = 0; t < nt; t++)
		if (expo_subset(&in.x, in.x.ccy[t], &sub[t], &e) ||
		    var_component(&in.h, &in.all, &sub[t], &o->sp, &c[t], &e))
			cli_die_err(&e);
	var_open_out(&out, o, &w);
	csvw_header(&w, hdr);
	for (size_t t = 0; t < nt; t++) {
		long ck = sidx_find(in.x.currencies, in.x.ccy[t], strlen(in.x.ccy[t]));
		for (int lvl = 0; lvl < 2; lvl++) {
			size_t n = lvl ? c[t].nfactors : c[t].ngroups;
			const double *mg = lvl ? c[t].fmarginal : c[t].marginal;
			const double *cm = lvl ? c[t].fcomponent : c[t].component;
			const double *in_ = lvl ? c[t].fincremental : c[t].incremental;
			for (size_t g = 0; g < n; g++) {
				if (lvl && in.x.fccy[g] != ck)
					continue;
				for (int a = 0; a < c[t].nalpha; a++) {
					size_t k = g * (size_t)c[t].nalpha + (size_t)a;
					csvw_str(&w, in.x.name[t]);
					csvw_str(&w, lvl ? "factor" : "group");
					csvw_str(&w, lvl ? sidx_name(in.h.factors, g) : sub[t].name[g + 1]);
					csvw_double(&w, o->sp.alpha[a]);
					csvw_double(&w, c[t].total[a]);
					csvw_double(&w, mg[k]);
					csvw_double(&w, cm[k]);
					csvw_double(&w, in_[k]);
					csvw_str(&w, in.x.ccy[t]);
					csvw_end(&w);
				}
			}
		}
		var_components_free(&c[t]);
		expo_free(&sub[t]);
	}
	free(c);
	free(sub);
	var_inputs_free(&in);
	return var_commit(&out);
}

int var_cmd_series(const struct opts *o)
{
	static const char *const hdr[] = {"date", "var", "pnl", NULL};
	var_inputs in;
	qe_err e;
	qe_out out;
	csv_writer w;
	load(o, 1, &in);
	long pf = -1;
	for (size_t p = 0; p < in.x.npf && pf < 0; p++) {
		size_t nl = strlen(in.x.name[p]);
		/* the label, or NAME/CURRENCY also when NAME has one currency */
		if (strcmp(in.x.label[p], o->portfolio) == 0 ||
		    (strncmp(o->portfolio, in.x.name[p], nl) == 0 && o->portfolio[nl] == '/' &&
		     strcmp(o->portfolio + nl + 1, in.x.ccy[p]) == 0))
			pf = (long)p;
	}
	if (pf < 0) {
		for (size_t p = 0; p < in.x.npf; p++)
			if (strcmp(in.x.name[p], o->portfolio) == 0)
				cli_die(QE_DATA, "%s: portfolio '%s' holds several currencies: choose one as '%s'",
					o->sens, o->portfolio, in.x.label[p]);
		cli_die(QE_DATA, "%s: no portfolio '%s'", o->sens, o->portfolio);
	}
	qe_date *d = malloc(o->days * sizeof *d);
	double *v = malloc(o->days * sizeof *v), *p = malloc(o->days * sizeof *p);
	if (!d || !v || !p)
		cli_die(QE_INTERNAL, "out of memory");
	if (var_series(&in.h, &in.all, &in.x, &o->sp, (size_t)pf, o->days, d, v, p, &e))
		cli_die_err(&e);
	var_open_out(&out, o, &w);
	csvw_header(&w, hdr);
	for (size_t i = 0; i < o->days; i++) {
		csvw_date(&w, d[i]);
		csvw_double(&w, v[i]);
		csvw_double(&w, p[i]);
		csvw_end(&w);
	}
	free(d);
	free(v);
	free(p);
	var_inputs_free(&in);
	return var_commit(&out);
}

int var_cmd_cov(const struct opts *o)
{
	var_inputs in;
	qe_err e;
	char note[512];
	load(o, 0, &in);
	size_t m = in.h.nf;
	double *S = malloc(m * m * sizeof *S + 1);
	if (!S)
		cli_die(QE_INTERNAL, "out of memory");
	if (var_covariance(&in.h, &in.all, &o->sp, o->returns, S, note, sizeof note, &e))
		cli_die_err(&e);
	if (note[0])
		cli_info("%s", note);
	if (o->hdf5) {
		if (!o->output || strcmp(o->output, "-") == 0)
			cli_usage_error("--format hdf5 needs -o FILE");
		if (cov_write_hdf5(o->output, in.h.factors, S, m, o->returns ? "return^2" : "price^2", &e))
			cli_die_err(&e);
	} else {
		static const char *const hdr[] = {"factor1", "factor2", "cov", NULL};
		qe_out out;
		csv_writer w;
		var_open_out(&out, o, &w);
		csvw_header(&w, hdr);
		for (size_t i = 0; i < m; i++)
			for (size_t j = 0; j < m; j++) {
				csvw_str(&w, sidx_name(in.h.factors, i));
				csvw_str(&w, sidx_name(in.h.factors, j));
				csvw_double(&w, S[i * m + j]);
				csvw_end(&w);
			}
		var_commit(&out);
	}
	free(S);
	var_inputs_free(&in);
	return QE_OK;
}

int var_cmd_stress(const struct opts *o)
{
	var_inputs in;
	stress_set st;
	pnl_cube c;
	qe_err e;
	qe_out out;
	if (!o->shocks && !o->windows && !o->worst)
		cli_usage_error("stress needs --shocks FILE, --windows FILE or --worst");
	load(o, 1, &in);
	if (stress_init(&st, in.h.nf, &e) ||
	    (o->shocks && stress_read_shocks(&st, &in.h, o->shocks, &e)) ||
	    (o->windows && stress_read_windows(&st, &in.h, o->windows, &e)))
		cli_die_err(&e);
	if (st.unmatched)
		cli_warnf("%zu shock rows reach no risk factor of the book (first: %s)", st.unmatched,
			  st.first_unmatched);
	if (o->worst) {
		double *dF = malloc(in.all.ns * in.h.nf * sizeof *dF + 1);
		double *pnl = malloc(in.x.npf * in.all.ns * sizeof *pnl + 1);
		if (!dF || !pnl)
			cli_die(QE_INTERNAL, "out of memory");
		rh_price_changes(&in.h, &in.all, dF);
		var_pnl(&in.x, dF, in.all.ns, pnl);
		if (var_check_pnl(&in.x, pnl, in.all.ns, &e))
			cli_die_err(&e);
		if (stress_add_worst(&st, &in.h, &in.all, pnl, o->horizon, &e))
			cli_die_err(&e);
		free(dF);
		free(pnl);
	}
	if (pcube_init(&c, &e))
		cli_die_err(&e);
	for (size_t p = 0; p < in.x.npf; p++)
		sidx_add(c.portfolios, in.x.label[p], strlen(in.x.label[p]), NULL);
	for (size_t k = 0; k < st.ns; k++)
		sidx_add(c.scenarios, sidx_name(st.names, k), strlen(sidx_name(st.names, k)), NULL);
	if (pcube_alloc(&c, &e))
		cli_die_err(&e);
	var_pnl(&in.x, st.dF, st.ns, c.pnl);
	if (var_check_pnl(&in.x, c.pnl, st.ns, &e))
		cli_die_err(&e);
	if (out_open(&out, o->output, &e))
		cli_die_err(&e);
	pcube_write_csv(&c, out.fp);
	pcube_free(&c);
	stress_free(&st);
	var_inputs_free(&in);
	return var_commit(&out);
}

