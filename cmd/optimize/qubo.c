/* qe-optimize qubo: a QUBO, qbsolv .qubo or CSV. */
#include "optimize/optimize.h"
#include "opt/isingio.h"

static const char usage[] =
	"usage: qe-optimize qubo [OPTIONS] [FILE]\n"
	"Minimize sum_i Q_ii x_i + sum_{i<j} Q_ij x_i x_j over bits x.  FILE (default\n"
	"stdin): qbsolv .qubo ('p qubo 0 maxNodes nNodes nCouplers' then 'i j Q'\n"
	"lines, nodes 0-based) or CSV i,j,w (1-based).  Writes variable,value bits.\n\n"
	"Problem file:\n"
	OPTIMIZE_FILE_HELP
	OPTIMIZE_SHARED_HELP("sa", "2000");

static const struct option longopts[] = {OPTIMIZE_SHARED_OPTIONS, OPTIMIZE_FILE_OPTIONS, {0}};

int cmd_optimize_qubo(int argc, char **argv)
{
	optimize_opts o;
	optimize_file f = {.format = FORMAT_AUTO};
	int c;
	optimize_opts_init(&o, "qubo", usage);
	while ((c = optimize_getopt(&o, argc, argv, longopts)) != -1)
		optimize_file_option(&o, &f, c);
	optimize_file_operands(&o, &f, argc, argv);
	return optimize_run_file(&o, &f, PROBLEM_QUBO);
}
