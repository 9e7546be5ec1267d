/* The writers qe-var's commands share: -o and --cube as outputs of the
 * run's output set (cli.h: written to temporary files, committed together
 * or not at all), the VaR/ES table of hs, param and mc, and the P&L cube
 * of hs and mc. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "io/formats.h"
#include "var.h"

void var_cube_asof(pnl_cube *c, const var_inputs *in)
{
	c->asof = in->asof;
	c->has_asof = 1;
}

void var_open_out(const var_args *a, csv_writer *w)
{
	csvw_init(w, cli_out_open(a->output)->fp);
}

int var_commit(void)
{
	qe_err e;
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	return QE_OK;
}

void var_open_cube(const var_args *a, var_cube_out *co)
{
	co->csv = NULL;
	co->h5 = NULL;
	if (!a->cube)
		return;
	size_t n = strlen(a->cube);
	if (n > 3 && strcmp(a->cube + n - 3, ".h5") == 0)
		co->h5 = cli_h5_create(a->cube);
	else
		co->csv = cli_out_open(a->cube)->fp;
}

void var_write_cube(const var_cube_out *co, const pnl_cube *c)
{
	qe_err e;
	if (co->h5 && pcube_write_hdf5(c, co->h5, &e))
		cli_die_err(&e);
	if (co->csv)
		pcube_write_csv(c, co->csv); /* write errors: var_commit() */
}

void var_write_results(csv_writer *w, const var_args *a, const var_inputs *in, const char *method,
		       const var_result *r)
{
	char hz[32];
	if (r->note[0])
		cli_info("%s", r->note);
	if (a->timing)
		cli_notef("timing: pnl %.6f s, measures %.6f s, scenarios %.6f s", r->t_pnl, r->t_measure, r->t_scen);
	snprintf(hz, sizeof hz, "%dd%s", a->horizon, a->hmode == RH_SQRT && a->horizon > 1 ? "-sqrt" : "");
	csvw_header_of(w, FMT_VAR);
	for (size_t p = 0; p < r->npf; p++)
		for (int k_a = 0; k_a < r->nalpha; k_a++) {
			size_t k = p * (size_t)r->nalpha + (size_t)k_a;
			csvw_str(w, in->x.name[p]);
			csvw_str(w, method);
			csvw_double(w, a->sp.alpha[k_a]);
			csvw_str(w, hz);
			csvw_int(w, (int64_t)r->scenarios);
			csvw_double(w, r->var[k]);
			csvw_double(w, r->es[k]);
			csvw_str(w, in->x.ccy[p]);
			csvw_date(w, in->asof);
			csvw_end(w);
		}
}
