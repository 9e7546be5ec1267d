/* qe-var: Value-at-Risk, expected shortfall, covariance, stress and
 * backtesting.  This file only dispatches: each command is one file in
 * cmd/var/ with its own options and --help, as git's builtin/. */
#include <stdio.h>
#include <string.h>

#include <cblas.h>

#include "cli.h"
#include "var/var.h" /* the commands, one per file of cmd/var/ */

static const cli_command commands[] = {
	{"measures", cmd_var_measures}, {"backtest", cmd_var_backtest},
	{"hs", cmd_var_hs},             {"param", cmd_var_param},
	{"mc", cmd_var_mc},             {"components", cmd_var_components},
	{"series", cmd_var_series},     {"cov", cmd_var_cov},
	{"stress", cmd_var_stress},     {"whatif", cmd_var_whatif},
	{"pla", cmd_var_pla},
};

static const char usage[] =
	"usage: qe-var COMMAND [OPTIONS] [FILE]\n"
	"\n"
	"Commands:\n"
	"  measures [FILE|-]   VaR/ES per portfolio from P&L (portfolio,scenario,pnl or HDF5 cube)\n"
	"  backtest [FILE|-]   Kupiec, Christoffersen and traffic light on date,var,pnl\n"
	"  hs                  historical-simulation VaR/ES per portfolio\n"
	"  param               parametric VaR/ES (delta-normal, --cornish-fisher)\n"
	"  mc                  Monte Carlo VaR/ES (correlated normal or Student-t shocks)\n"
	"  components          marginal, component and incremental VaR per group\n"
	"  series              daily HS VaR vs P&L of today's book (input of backtest)\n"
	"  cov                 covariance of price changes (or --returns) as factor1,factor2,cov,asof\n"
	"  stress              P&L of the book under shock files and historical windows\n"
	"  pla                 FRTB P&L attribution: full revaluation vs sensitivity P&L\n"
	"  whatif              VaR/ES of the book with and without new trades (full revaluation)\n"
	"\n"
	"Each command takes its own options: see 'qe-var COMMAND --help'.\n"
	"  -h, --help          this help;  -V, --version  version\n"
	"\n"
	"See qe-var(1).\n";

int main(int argc, char **argv)
{
	cli_init(argv[0]);
	cli_log_option(&argc, argv);
	/* OpenBLAS's own threads split the k-sums of dgemm/dsyrk differently
	 * with the thread count (last-bit differences, house rule 9): BLAS
	 * runs single-threaded for the whole process, and the engines of
	 * lib/risk/varcalc.h parallelise with OpenMP over fixed blocks whose
	 * results do not depend on the partition. */
	openblas_set_num_threads(1);
	/* MPI (make MPI=1): hs, mc and stress share their scenarios or paths
	 * among the ranks; every other command runs on rank 0 alone */
	if (argc < 2 || (strcmp(argv[1], "hs") != 0 && strcmp(argv[1], "mc") != 0 && strcmp(argv[1], "stress") != 0))
		cli_par_solo();
	return cli_dispatch(argc, argv, commands, sizeof commands / sizeof commands[0], usage);
}
