/* qe-var components: delta-normal marginal, component and incremental VaR
 * of each currency's total per group and per risk factor. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "io/formats.h"
#include "var.h"

static const var_option options[] = {
	VAR_O_HISTORY,
	VAR_O_RETURNS,
	VAR_O_BOOK,
	VAR_O_FX_HISTORY,
	VAR_O_VALUATIONS,
	VAR_O_WINDOW,
	VAR_O_HORIZON,
	VAR_O_ALPHA,
	VAR_O_COV,
	VAR_O_COV_FILE,
	VAR_O_END,
};

static const var_command command = {
	"components", "-H FILE -s FILE [OPTIONS]", "Marginal, component and incremental VaR per group and factor.",
	options,
};

/* Decomposes the total of each currency over that currency's groups and
 * factors (one delta-normal run per currency: P&L is never added across
 * currencies). */
int cmd_var_components(int argc, char **argv)
{
	var_args a;
	var_inputs in;
	qe_err e;
	csv_writer w;
	var_args_init(&a, &command, argc, argv);
	while (var_args_next(&a) != -1)
		;
	var_args_no_input(&a);
	var_load(&a, 1, &in);
	var_open_out(&a, &w);
	size_t nt = in.x.ntotal; /* portfolios 0 .. nt-1, one per currency */
	var_components *c = calloc(nt + 1, sizeof *c);
	exposure *sub = calloc(nt + 1, sizeof *sub);
	if (!c || !sub)
		cli_die(QE_INTERNAL, "out of memory");
	for (size_t t = 0; t < nt; t++)
		if (expo_subset(&in.x, in.x.ccy[t], &sub[t], &e) ||
		    var_component(&in.h, &in.all, &sub[t], &a.sp, &c[t], &e))
			cli_die_err(&e);
	csvw_header_of(&w, FMT_VAR_COMPONENTS);
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
				for (int k_a = 0; k_a < c[t].nalpha; k_a++) {
					size_t k = g * (size_t)c[t].nalpha + (size_t)k_a;
					csvw_str(&w, in.x.name[t]);
					csvw_str(&w, lvl ? "factor" : "group");
					csvw_str(&w, lvl ? sidx_name(in.h.factors, g) : sub[t].name[g + 1]);
					csvw_double(&w, a.sp.alpha[k_a]);
					csvw_double(&w, c[t].total[k_a]);
					csvw_double(&w, mg[k]);
					csvw_double(&w, cm[k]);
					csvw_double(&w, in_[k]);
					csvw_str(&w, in.x.ccy[t]);
					csvw_date(&w, in.asof);
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
	return var_commit();
}
