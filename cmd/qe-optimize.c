/* qe-optimize: QUBO/Ising/Max-Cut heuristics (simulated annealing,
 * parallel tempering, simulated bifurcation, exact) and the trading
 * problems that map onto them (hedge, portfolio).  See qe-optimize(1).
 *
 * Only the dispatch lives here: each subcommand is cmd/optimize/<sub>.c
 * with its own options (optimize/optimize.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "optimize/optimize.h"

static const struct optimize_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
} commands[] = {
	{"maxcut", cmd_optimize_maxcut, "Max-Cut of a graph (G-set/rudy or CSV i,j,w)"},
	{"qubo", cmd_optimize_qubo, "QUBO (qbsolv .qubo or CSV i,j,w)"},
	{"ising", cmd_optimize_ising, "Ising couplings (CSV i,j,J) and fields (--fields)"},
	{"hedge", cmd_optimize_hedge, "integer hedge lots: least residual variance plus cost"},
	{"portfolio", cmd_optimize_portfolio, "K assets under a budget by mean-variance"},
};

static void help(void)
{
	fputs("usage: qe-optimize COMMAND [OPTIONS] [FILE]\n"
	      "Solve Max-Cut (G-set/rudy), QUBO (qbsolv .qubo) or Ising problems, or\n"
	      "choose hedges or a portfolio through a QUBO; write the solution as CSV.\n\n"
	      "Commands:\n", stdout);
	for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
		printf("  %-11s %s\n", commands[k].name, commands[k].what);
	fputs("\n'qe-optimize COMMAND --help' lists the options of COMMAND.\n"
	      "  -h, --help          this help;  -V, --version  version\n"
	      "Exit: 0 ok, 1 target not reached, 2 usage, 3 bad data, 4 I/O, 5 numerical.\n", stdout);
	exit(QE_OK);
}

int main(int argc, char **argv)
{
	cli_init(argv[0]);
	cli_log_option(&argc, argv);
	if (argc < 2)
		cli_usage_error("missing COMMAND (maxcut, qubo, ising, hedge or portfolio)");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		help();
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0)
		cli_version();
	if (cmd[0] == '-' && cmd[1])
		cli_usage_error("unrecognized option '%s'", cmd);
	/* MPI (make MPI=1): maxcut, qubo and ising share each round's
	 * replicas among the ranks; hedge and portfolio run on rank 0 alone */
	if (strcmp(cmd, "maxcut") != 0 && strcmp(cmd, "qubo") != 0 && strcmp(cmd, "ising") != 0)
		cli_par_solo();
	for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
		if (strcmp(cmd, commands[k].name) == 0)
			return commands[k].run(argc - 1, argv + 1);
	cli_usage_error("unknown command '%s'", cmd);
}
