/* qe-var stress: the P&L of every portfolio under shock files, historical
 * windows and the worst --horizon-day window of the history. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
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
	VAR_O_END,
};

static const var_command command = {
	"stress", "-H FILE -s FILE --shocks FILE|--windows FILE|--worst [OPTIONS]",
	"P&L of the book under shock files and historical windows.", options,
};

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
	var_pnl(&in.x, st.dF, st.ns, c.pnl);
	if (var_check_pnl(&in.x, c.pnl, st.ns, &e))
		cli_die_err(&e);
	pcube_write_csv(&c, out); /* write errors: var_commit() */
	pcube_free(&c);
	stress_free(&st);
	var_inputs_free(&in);
	return var_commit();
}
