/* qe-var param: parametric VaR/ES, delta-normal or delta-gamma with the
 * Cornish-Fisher expansion. */
#include "cli.h"
#include "var.h"

enum { OPT_CF = VAR_OPT_OWN };

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
	{OPT_CF, "cornish-fisher", NULL, "delta-gamma with the Cornish-Fisher expansion"},
	VAR_O_END,
};

static const var_command command = {
	"param", "-H FILE -s FILE [OPTIONS]", "Parametric VaR/ES (delta-normal, --cornish-fisher).", options,
};

int cmd_var_param(int argc, char **argv)
{
	var_args a;
	var_inputs in;
	var_result r;
	csv_writer w;
	qe_err e;
	int c;
	var_args_init(&a, &command, argc, argv);
	while ((c = var_args_next(&a)) != -1)
		if (c == OPT_CF)
			a.sp.cornish_fisher = 1;
	var_args_no_input(&a);
	var_load(&a, 1, &in);
	var_open_out(&a, &w);
	if (var_param(&in.h, &in.all, &in.x, &a.sp, &r, &e))
		cli_die_err(&e);
	var_write_results(&w, &a, &in, a.sp.cornish_fisher ? "cornish-fisher" : "delta-normal", &r);
	var_result_free(&r);
	var_inputs_free(&in);
	return var_commit();
}
