/* qe-screen: compliance and limit gates.  This file only dispatches: each
 * command is one file in cmd/screen/ with its own options and --help. */
#include <string.h>

#include "cli.h"
#include "screen/screen.h" /* the commands, one per file of cmd/screen/ */

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"lei", cmd_screen_lei},
	{"check", cmd_screen_check},
};

static const char usage[] =
	"usage: qe-screen COMMAND [OPTIONS] [FILE]\n"
	"\n"
	"Commands:\n"
	"  lei [FILE|-]        ISO 17442 check of column lei: rows with valid,reason appended (exit 1: invalid)\n"
	"  check --rules LIST  limits, sharia, regulatory, quality rules: breaches.csv (exit 1: breach)\n"
	"\n"
	"Each command takes its own options: see 'qe-screen COMMAND --help'.\n"
	"  -h, --help          this help;  -V, --version  version\n"
	"\n"
	"See qe-screen(1).\n";

int main(int argc, char **argv)
{
	cli_init(argv[0]);
	if (argc < 2)
		cli_usage_error("missing COMMAND");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		cli_help(usage);
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0)
		cli_version();
	if (cmd[0] == '-')
		cli_usage_error("unrecognized option '%s'", cmd);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	cli_usage_error("unknown command '%s'", cmd);
}
