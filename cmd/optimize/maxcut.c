/* qe-optimize maxcut: the Max-Cut of a graph, G-set (rudy) or CSV. */
#include "optimize/optimize.h"
#include "opt/isingio.h"

static const char usage[] =
	"usage: qe-optimize maxcut [OPTIONS] [FILE]\n"
	"Split the nodes of a graph in two sides maximizing the weight of the edges\n"
	"cut.  FILE (default stdin): G-set (rudy) 'N M' then 'i j w' lines, or CSV\n"
	"i,j,w; nodes 1..N.  Writes variable,value with the side, 0 or 1.\n\n"
	"Problem file:\n"
	OPTIMIZE_FILE_HELP
	OPTIMIZE_SHARED_HELP("sa", "2000");

static const struct option longopts[] = {OPTIMIZE_SHARED_OPTIONS, OPTIMIZE_FILE_OPTIONS, {0}};

int cmd_optimize_maxcut(int argc, char **argv)
{
	optimize_opts o;
	optimize_file f = {.format = FORMAT_AUTO};
	int c;
	optimize_opts_init(&o, "maxcut", usage);
	while ((c = optimize_getopt(&o, argc, argv, longopts)) != -1)
		optimize_file_option(&o, &f, c);
	optimize_file_operands(&o, &f, argc, argv);
	return optimize_run_file(&o, &f, PROBLEM_MAXCUT);
}
