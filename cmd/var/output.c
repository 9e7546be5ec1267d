/* The writers qe-var's commands share: -o through a temporary file, the
 * VaR/ES table of hs, param and mc, and the P&L cube of hs and mc. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "var.h"

void var_open_out(qe_out *out, const var_args *a, csv_writer *w)
{
	qe_err e;
	if (out_open(out, a->output, &e))
		cli_die_err(&e);
	csvw_init(w, out->fp);
}

int var_commit(qe_out *out)
{
	qe_err e;
	if (out_commit(out, &e))
		cli_die_err(&e);
	return QE_OK;
}

void var_write_cube(const var_args *a, const pnl_cube *c)
{
	qe_err e;
	size_t n = strlen(a->cube);
	if (n > 3 && strcmp(a->cube + n - 3, ".h5") == 0) {
		if (pcube_write_hdf5(c, a->cube, &e))
			cli_die_err(&e);
		return;
	}
	qe_out out;
	if (out_open(&out, a->cube, &e))
		cli_die_err(&e);
	pcube_write_csv(c, out.fp);
	if (out_commit(&out, &e))
		cli_die_err(&e);
}

int var_write_results(const var_args *a, const var_inputs *in, const char *method, const var_result *r)
{
	static const char *const hdr[] = {"portfolio", "method", "alpha", "horizon", "scenarios",
					  "var", "es", "currency", NULL};
	char hz[32];
	qe_out out;
	csv_writer w;
	if (r->note[0])
		cli_info("%s", r->note);
	if (a->timing)
		fprintf(stderr, "%s: timing: pnl %.6f s, measures %.6f s\n", cli_prog, r->t_pnl, r->t_measure);
	snprintf(hz, sizeof hz, "%dd%s", a->horizon, a->hmode == RH_SQRT && a->horizon > 1 ? "-sqrt" : "");
	var_open_out(&out, a, &w);
	csvw_header(&w, hdr);
	for (size_t p = 0; p < r->npf; p++)
		for (int k_a = 0; k_a < r->nalpha; k_a++) {
			size_t k = p * (size_t)r->nalpha + (size_t)k_a;
			csvw_str(&w, in->x.name[p]);
			csvw_str(&w, method);
			csvw_double(&w, a->sp.alpha[k_a]);
			csvw_str(&w, hz);
			csvw_int(&w, (int64_t)r->scenarios);
			csvw_double(&w, r->var[k]);
			csvw_double(&w, r->es[k]);
			csvw_str(&w, in->x.ccy[p]);
			csvw_end(&w);
		}
	return var_commit(&out);
}
