/* Full revaluation for qe-var's commands (hs, stress, whatif --full):
 * the pricer's inputs, their usage rules and the volatility history. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "risk/fullrev.h"
#include "risk/spreadcorr.h"
#include "risk/fxhist.h"
#include "var.h"

void var_full_check(const var_args *a)
{
	if (!a->full) {
		if (a->trades || a->curves || a->vols || a->rates || a->fixings)
			var_usage_error(a, "--trades, --curves, --vols, --rates and --fixings need --full");
		return; /* the sensitivity mode's --fx-history: var_load */
	}
	if (a->valuations)
		var_usage_error(a, "--valuations is for the sensitivity mode (-s); --full values the book itself");
	if (a->fx_history && !a->fx.path)
		var_usage_error(a, "--fx-history needs --fx FILE --base CCY (today's rates, the base currency)");
	if (a->sens)
		var_usage_error(a, "--full reprices the book of --trades; -s FILE is for the sensitivity mode");
	if (!a->have_asof || !a->trades || !a->curves || !a->markets)
		var_usage_error(a, "--full needs --asof, --trades, --curves and --markets");
}

void var_full_options(const var_args *a, struct val_options *vo)
{
	memset(vo, 0, sizeof *vo);
	vo->asof = a->asof;
	vo->trades = a->trades;
	vo->curves = a->curves;
	vo->vols = a->vols;
	vo->rates = a->rates;
	vo->markets = a->markets;
	vo->fixings = a->fixings;
	vo->calendars = cli_calendar_dir(a->calendars, a->markets);
	vo->spread_corr = a->spread_corr;
	/* Kirk's correlation of each pair from the history, as qe-price -H */
	static struct val_corr *corr;
	static size_t ncorr;
	qe_err e;
	if (!a->have_spread_corr && a->history && !corr &&
	    spreadcorr_table(a->history, a->markets, a->asof, 0, &corr, &ncorr, &e))
		cli_die_err(&e);
	vo->corr = corr;
	vo->ncorr = ncorr;
}

void var_full_vols(const var_args *a, const var_inputs *in, vol_history *vh, risk_scenarios *vs)
{
	qe_err e;
	rh_gap_report rep;
	memset(vh, 0, sizeof *vh);
	memset(vs, 0, sizeof *vs);
	if (!a->vol_history)
		return;
	if (volhist_read(vh, a->vol_history, &e))
		cli_die_err(&e);
	rh_cut_after(&vh->h, in->asof);
	if (vh->h.nd < 2)
		cli_die(QE_DATA, "%s: fewer than two dates on or before the as-of date", a->vol_history);
	/* contract returns: each vol follows its contract month, as the
	 * prices do; constant-maturity reads the tenors */
	rh_roll_report rolls;
	if (a->returns == RH_RET_CONTRACT && volhist_contract_factors(vh, in->asof, &rolls, &e))
		cli_die_err(&e);
	if (rh_fill_gaps(&vh->h, a->gaps, &rep, &e) ||
	    rh_returns(&vh->h, a->horizon, a->hmode, 0, vs, &e))
		cli_die_err(&e);
	if (rep.filled)
		cli_info("%s: %zu missing vols filled forward (first: %s)", a->vol_history, rep.filled, rep.first);
}

void var_full_fx(const var_args *a, var_inputs *in)
{
	qe_err e;
	if (!a->fx_history)
		return;
	/* the FX factors join the price factors, and the scenarios are
	 * rebuilt with their returns */
	rs_free(&in->all);
	if (fxh_append(&in->h, a->fx_history, a->fx.base, &e) ||
	    rh_returns(&in->h, a->horizon, a->hmode, 0, &in->all, &e))
		cli_die_err(&e);
}

int var_full_hz_days(const var_args *a)
{
	return a->full && a->have_horizon ? a->horizon : 0;
}

void var_full_hs_cube(const var_args *a, var_inputs *in, pnl_cube *cube)
{
	struct val_options vo;
	vol_history vh;
	risk_scenarios vs;
	qe_err e;
	var_full_options(a, &vo);
	var_full_vols(a, in, &vh, &vs);
	var_full_fx(a, in);
	if (fullrev_cube(&vo, in, a->vol_history ? &vh : NULL, a->vol_history ? &vs : NULL, a->by, &a->fx,
			 &a->sp, var_full_hz_days(a), cube, &in->x, &e))
		cli_die_err(&e);
	in->have_x = 1;
	volhist_free(&vh);
	rs_free(&vs);
}
