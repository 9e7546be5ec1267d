/* qe-var measures: VaR and ES per portfolio from a P&L cube (long CSV
 * portfolio,scenario,pnl or HDF5). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "io/formats.h"
#include "risk/varmeas.h"
#include "var.h"

static const var_option options[] = {
	VAR_O_ALPHA,
	VAR_O_QUANTILE,
	VAR_O_END,
};

static const var_command command = {
	"measures", "[OPTIONS] [FILE|-]",
	"VaR/ES per portfolio from P&L (portfolio,scenario,pnl or an HDF5 cube).", options,
};

int cmd_var_measures(int argc, char **argv)
{
	var_args a;
	pnl_cube c;
	qe_err e;
	csv_writer w;
	var_args_init(&a, &command, argc, argv);
	while (var_args_next(&a) != -1)
		;
	const char *input = var_args_input(&a);
	const var_spec *sp = &a.sp;
	int rc = strcmp(input, "-") != 0 && pcube_is_hdf5(input) ? pcube_read_hdf5(&c, input, &e)
								  : pcube_read_csv(&c, input, &e);
	if (rc)
		cli_die_err(&e);
	double *scratch = malloc((c.nsc + 1) * sizeof *scratch);
	if (!scratch)
		cli_die(QE_INTERNAL, "out of memory");
	double *res = malloc(c.npf * (size_t)sp->nalpha * 2 * sizeof *res);
	if (!res)
		cli_die(QE_INTERNAL, "out of memory");
	for (size_t p = 0; p < c.npf; p++)
		for (int k = 0; k < sp->nalpha; k++) {
			double *r = res + 2 * (p * (size_t)sp->nalpha + (size_t)k);
			if (var_measure(c.pnl + p * c.nsc, c.nsc, sp->alpha[k], sp->qdef, scratch, &r[0], &r[1], &e)) {
				/* everything freed before exit: no leak at any exit */
				char why[sizeof e.msg + 300];
				snprintf(why, sizeof why, "portfolio '%.256s': %s", sidx_name(c.portfolios, p), e.msg);
				free(res);
				free(scratch);
				pcube_free(&c);
				cli_die(e.code, "%s", why);
			}
		}
	var_open_out(&a, &w);
	csvw_header_of(&w, FMT_VAR_MEASURES);
	for (size_t p = 0; p < c.npf; p++)
		for (int k = 0; k < sp->nalpha; k++) {
			double *r = res + 2 * (p * (size_t)sp->nalpha + (size_t)k);
			csvw_str(&w, sidx_name(c.portfolios, p));
			csvw_double(&w, sp->alpha[k]);
			csvw_str(&w, var_quantile_name(sp->qdef));
			csvw_int(&w, (int64_t)c.nsc);
			csvw_double(&w, r[0]);
			csvw_double(&w, r[1]);
			if (c.has_asof)
				csvw_date(&w, c.asof);
			else
				csvw_empty(&w);
			csvw_end(&w);
		}
	free(res);
	free(scratch);
	pcube_free(&c);
	return var_commit();
}
