/* qe-optimize ising: an Ising problem, couplings and fields as CSV. */
#include "optimize/optimize.h"
#include "opt/isingio.h"

static const char usage[] =
	"usage: qe-optimize ising [OPTIONS] [FILE]\n"
	"Minimize sum_i h_i s_i + sum_{i<j} J_ij s_i s_j over spins s = -1 or +1.\n"
	"FILE (default stdin): couplings as CSV i,j,J (or i,j,w), nodes 1-based.\n"
	"Writes variable,value spins.\n\n"
	"Problem file:\n"
	OPTIMIZE_FILE_HELP
	"  --fields FILE       Ising fields as CSV i,h\n"
	OPTIMIZE_SHARED_HELP("sa", "2000");

enum { O_FIELDS = OPTIMIZE_OPT_OWN };

static const struct option longopts[] = {
	OPTIMIZE_SHARED_OPTIONS, OPTIMIZE_FILE_OPTIONS, {"fields", required_argument, NULL, O_FIELDS}, {0}};

int cmd_optimize_ising(int argc, char **argv)
{
	optimize_opts o;
	optimize_file f = {.format = FORMAT_AUTO};
	int c;
	optimize_opts_init(&o, "ising", usage);
	while ((c = optimize_getopt(&o, argc, argv, longopts)) != -1) {
		if (c == O_FIELDS)
			f.fields = optarg;
		else
			optimize_file_option(&o, &f, c);
	}
	optimize_file_operands(&o, &f, argc, argv);
	return optimize_run_file(&o, &f, PROBLEM_ISING);
}
