/* qe-screen: compliance and limit gates.  This file only dispatches: each
 * command is one file in cmd/screen/ with its own options and --help. */
#include <string.h>

#include "cli.h"
#include "screen/screen.h" /* the commands, one per file of cmd/screen/ */

static const cli_command commands[] = {
	{"lei", cmd_screen_lei},
	{"check", cmd_screen_check},
	{"whatif", cmd_screen_whatif},
};

static const char usage[] =
	"usage: qe-screen COMMAND [OPTIONS] [FILE]\n"
	"\n"
	"Commands:\n"
	"  lei [FILE|-]        ISO 17442 check of column lei: rows with valid,reason appended (exit 1: invalid)\n"
	"  check --rules LIST  limits, sharia, regulatory, quality rules: breaches.csv (exit 1: breach)\n"
	"  whatif --new FILE   pre-deal: limits and regulatory on the book plus new trades (exit 1: would breach)\n"
	"\n"
	"Each command takes its own options: see 'qe-screen COMMAND --help'.\n"
	"  -h, --help          this help;  -V, --version  version\n"
	"\n"
	"See qe-screen(1).\n";

int main(int argc, char **argv)
{
	cli_init(argv[0]);
	cli_log_option(&argc, argv);
	return cli_dispatch(argc, argv, commands, sizeof commands / sizeof commands[0], usage);
}
