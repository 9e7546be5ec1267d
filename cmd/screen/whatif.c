/* qe-screen whatif: the pre-deal check - limits and regulatory on the
 * book plus new trades, before booking; exit 0 fits, 1 would breach.
 * Its options are check's (screen_run, cmd/screen/check.c) plus --new
 * and --var-whatif, the output of qe-var whatif for the VaR limits. */
#include "screen.h"

int cmd_screen_whatif(int argc, char **argv)
{
	return screen_run(argc, argv, 1);
}
