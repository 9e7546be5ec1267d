/* qe-var stress: the P&L of every portfolio under shock files, historical
 * windows and the worst --horizon-day window of the history. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "risk/fullrev.h"
#include "risk/varstress.h"
#include "var.h"

enum { OPT_SHOCKS = VAR_OPT_OWN, OPT_WINDOWS, OPT_WORST };

static const var_option options[] = {
	VAR_O_HISTORY,
	VAR_O_RETURNS,
	VAR_O_BOOK,
	VAR_O_HORIZON,
	{OPT_SHOCKS, "shocks", "FILE", "scenario,curve,tenor,shock,type rows"},
	{OPT_WINDOWS, "windows", "FILE", "name,start,end historical windows"},
	{OPT_WORST, "worst", NULL, "add the worst --horizon-day window of the total"},
	VAR_O_FULL,
	VAR_O_END,
};

static const var_command command = {
	"stress", "-H FILE (-s FILE | --full ...) --shocks FILE|--windows FILE|--worst [OPTIONS]",
	"P&L of the book under shock files and historical windows.", options,
};

/* The returns (log or absolute, per factor) that move today's history
 * prices by the price changes dF (ns x nf): log(1 + dF/F) or dF.  A
 * change that takes a log-return factor to a price <= 0 is QE_DATA. */
static double *changes_to_returns(const risk_history *h, const stress_set *st)
{
	const double *F = rh_latest(h);
	double *r = malloc(st->ns * h->nf * sizeof *r + 1);
	if (!r)
		cli_die(QE_INTERNAL, "out of memory");
	for (size_t s = 0; s < st->ns; s++)
		for (size_t f = 0; f < h->nf; f++) {
			double d = st->dF[s * h->nf + f];
			if (h->abs[f]) {
				r[s * h->nf + f] = d;
				continue;
			}
			if (!(F[f] + d > 0))
				cli_die(QE_DATA, "stress scenario %s moves %s from %g to %g: a log-return factor needs a price > 0",
					sidx_name(st->names, s), sidx_name(h->factors, f), F[f], F[f] + d);
			r[s * h->nf + f] = log1p(d / F[f]);
		}
	return r;
}

/* stress --full: every trade repriced under each stress scenario. */
static int stress_full(const var_args *a, const char *shocks, const char *windows, int worst)
{
	var_inputs in;
	struct val_options vo;
	vol_history vh;
	risk_scenarios vs;
	stress_set st;
	fullrev fr;
	pnl_cube c;
	qe_err e;
	var_load(a, 0, &in);
	FILE *out = cli_out_open(a->output)->fp;
	var_full_options(a, &vo);
	var_full_vols(a, &in, &vh, &vs);
	val_book *b = valuation_price(&vo, &e);
	if (!b || fullrev_init(&fr, b, &in.h, a->vol_history ? &vh : NULL, a->by, &a->fx, &e) ||
	    fullrev_set_horizon(&fr, var_full_hz_days(a), &e))
		cli_die_err(&e);
	/* with a vol history its VOL:CURVE rows shock the vol points (vst,
	 * the first scenarios of st: the shock file is read first) */
	stress_set vst = {0};
	if (stress_init(&st, in.h.nf, &e) || (a->vol_history && stress_init(&vst, vh.h.nf, &e)))
		cli_die_err(&e);
	st.rows = a->vol_history ? STRESS_PRICES : STRESS_ALL;
	vst.rows = STRESS_VOLS;
	if ((shocks && stress_read_shocks(&st, &in.h, shocks, &e)) ||
	    (shocks && a->vol_history && stress_read_shocks(&vst, &vh.h, shocks, &e)))
		cli_die_err(&e);
	/* the windows move the vols by their change over the window too (vwin,
	 * the scenarios of st from w0 on) */
	stress_set vwin = {0};
	size_t w0 = st.ns;
	if ((windows && stress_read_windows(&st, &in.h, windows, &e)) ||
	    (windows && a->vol_history &&
	     (stress_init(&vwin, vh.h.nf, &e) || stress_read_windows(&vwin, &vh.h, windows, &e))))
		cli_die_err(&e);
	if (st.unmatched + vst.unmatched)
		cli_warnf("%zu shock rows reach no risk factor of the history (first: %s)", st.unmatched + vst.unmatched,
			  st.unmatched ? st.first_unmatched : vst.first_unmatched);
	if (worst) {
		double *pnl = malloc(fr.x.npf * in.all.ns * sizeof *pnl + 1);
		if (!pnl)
			cli_die(QE_INTERNAL, "out of memory");
		if (fullrev_pnl(&fr, in.all.ret, NULL, in.all.ns, NULL, pnl, &e) ||
		    var_check_pnl(&fr.x, pnl, in.all.ns, &e) ||
		    stress_add_worst(&st, &in.h, &in.all, pnl, a->horizon, &e))
			cli_die_err(&e);
		free(pnl);
	}
	double *ret = changes_to_returns(&in.h, &st);
	const char **names = malloc((st.ns + 1) * sizeof *names);
	if (!names || pcube_init(&c, &e))
		cli_die(QE_INTERNAL, "out of memory");
	for (size_t p = 0; p < fr.x.npf; p++)
		sidx_add(c.portfolios, fr.x.label[p], strlen(fr.x.label[p]), NULL);
	for (size_t k = 0; k < st.ns; k++) {
		names[k] = sidx_name(st.names, k);
		sidx_add(c.scenarios, names[k], strlen(names[k]), NULL);
	}
	if (pcube_alloc(&c, &e))
		cli_die_err(&e);
	var_cube_asof(&c, &in);
	double *vret = NULL;
	if (a->vol_history) {
		/* the vol changes of the shock scenarios; none in the others */
		if (!(vret = calloc(st.ns * vh.h.nf + 1, sizeof *vret)))
			cli_die(QE_INTERNAL, "out of memory");
		if (vst.ns)
			memcpy(vret, vst.dF, vst.ns * vh.h.nf * sizeof *vret);
		if (vwin.ns)
			memcpy(vret + w0 * vh.h.nf, vwin.dF, vwin.ns * vh.h.nf * sizeof *vret);
	}
	if (fullrev_pnl(&fr, ret, vret, st.ns, names, c.pnl, &e) || var_check_pnl(&fr.x, c.pnl, st.ns, &e))
		cli_die_err(&e);
	free(vret);
	stress_free(&vst);
	stress_free(&vwin);
	pcube_write_csv(&c, out); /* write errors: var_commit() */
	pcube_free(&c);
	free(ret);
	free(names);
	stress_free(&st);
	fullrev_free(&fr);
	valuation_free(b);
	volhist_free(&vh);
	rs_free(&vs);
	var_inputs_free(&in);
	return var_commit();
}

int cmd_var_stress(int argc, char **argv)
{
	var_args a;
	var_inputs in;
	stress_set st;
	pnl_cube c;
	qe_err e;
	const char *shocks = NULL, *windows = NULL;
	int opt, worst = 0;
	var_args_init(&a, &command, argc, argv);
	a.sp.window = 0; /* stress reads the whole history */
	while ((opt = var_args_next(&a)) != -1) {
		switch (opt) {
		case OPT_SHOCKS: shocks = optarg; break;
		case OPT_WINDOWS: windows = optarg; break;
		case OPT_WORST: worst = 1; break;
		}
	}
	var_args_no_input(&a);
	if (!shocks && !windows && !worst)
		var_usage_error(&a, "needs --shocks FILE, --windows FILE or --worst");
	var_full_check(&a);
	if (a.full) {
		cli_par_solo(); /* MPI: full revaluation of stress is not shared yet */
		return stress_full(&a, shocks, windows, worst);
	}
	var_load(&a, 1, &in);
	FILE *out = cli_out_open(a.output)->fp;
	if (stress_init(&st, in.h.nf, &e) || (shocks && stress_read_shocks(&st, &in.h, shocks, &e)) ||
	    (windows && stress_read_windows(&st, &in.h, windows, &e)))
		cli_die_err(&e);
	if (st.unmatched)
		cli_warnf("%zu shock rows reach no risk factor of the book (first: %s)", st.unmatched,
			  st.first_unmatched);
	if (worst) {
		double *dF = malloc(in.all.ns * in.h.nf * sizeof *dF + 1);
		double *pnl = malloc(in.x.npf * in.all.ns * sizeof *pnl + 1);
		if (!dF || !pnl)
			cli_die(QE_INTERNAL, "out of memory");
		rh_price_changes(&in.h, &in.all, dF);
		var_pnl(&in.x, dF, in.all.ns, pnl);
		if (var_check_pnl(&in.x, pnl, in.all.ns, &e))
			cli_die_err(&e);
		if (stress_add_worst(&st, &in.h, &in.all, pnl, a.horizon, &e))
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
	var_cube_asof(&c, &in);
	/* MPI: each rank its share of the scenarios, gathered by rank 0 */
	if (var_pnl_par(&in.x, st.dF, st.ns, c.pnl, &e) || var_check_pnl(&in.x, c.pnl, st.ns, &e))
		cli_die_err(&e);
	cli_par_done();
	pcube_write_csv(&c, out); /* write errors: var_commit() */
	pcube_free(&c);
	stress_free(&st);
	var_inputs_free(&in);
	return var_commit();
}
