/* qe-var cov: the covariance of price changes (or returns) of every
 * factor of a history, as factor1,factor2,cov or HDF5. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "io/formats.h"
#include "risk/covest.h"
#include "var.h"

enum { OPT_RETURNS = VAR_OPT_OWN, OPT_FORMAT };

static const var_option options[] = {
	VAR_O_HISTORY,
	VAR_O_WINDOW,
	VAR_O_HORIZON,
	VAR_O_COV,
	{OPT_RETURNS, "returns", NULL, "covariance of returns instead of price changes"},
	{OPT_FORMAT, "format", "F", "csv (default) or hdf5 (needs -o)"},
	VAR_O_END,
};

static const var_command command = {
	"cov", "-H FILE [OPTIONS]", "Covariance of price changes (or --returns) as factor1,factor2,cov,asof.", options,
};

int cmd_var_cov(int argc, char **argv)
{
	var_args a;
	var_inputs in;
	qe_err e;
	char note[512];
	int c, returns = 0, hdf5 = 0;
	var_args_init(&a, &command, argc, argv);
	while ((c = var_args_next(&a)) != -1) {
		switch (c) {
		case OPT_RETURNS: returns = 1; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "csv") != 0 && strcmp(optarg, "hdf5") != 0)
				var_usage_error(&a, "option --format: unknown format '%s' (csv, hdf5)", optarg);
			hdf5 = optarg[0] == 'h';
			break;
		}
	}
	var_args_no_input(&a);
	if (hdf5 && (!a.output || strcmp(a.output, "-") == 0))
		var_usage_error(&a, "--format hdf5 needs -o FILE");
	var_load(&a, 0, &in);
	/* the output is opened before the estimate: a bad path fails first */
	h5file *h5 = NULL;
	csv_writer w;
	if (hdf5)
		h5 = cli_h5_create(a.output);
	else
		var_open_out(&a, &w);
	size_t m = in.h.nf;
	double *S = malloc(m * m * sizeof *S + 1);
	if (!S)
		cli_die(QE_INTERNAL, "out of memory");
	if (var_covariance(&in.h, &in.all, &a.sp, returns, S, note, sizeof note, &e))
		cli_die_err(&e);
	if (note[0])
		cli_info("%s", note);
	if (hdf5) {
		if (cov_write_hdf5(h5, in.h.factors, S, m, returns ? "return^2" : "price^2", in.asof, &e))
			cli_die_err(&e);
	} else {
		csvw_header_of(&w, FMT_COV);
		for (size_t i = 0; i < m; i++)
			for (size_t j = 0; j < m; j++) {
				csvw_str(&w, sidx_name(in.h.factors, i));
				csvw_str(&w, sidx_name(in.h.factors, j));
				csvw_double(&w, S[i * m + j]);
				csvw_date(&w, in.asof);
				csvw_end(&w);
			}
	}
	free(S);
	var_inputs_free(&in);
	return var_commit();
}
