/* qe: front command.  `qe TOOL ARGS...` runs qe-TOOL from the directory
 * this binary lives in (so an uninstalled build tree works), else PATH. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct {
	const char *name, *summary;
} tools[] = {
	{"ingest", "validate and normalize trades, prices, fixings, vols, meters; CSV <-> HDF5"},
	{"synth", "generate a deterministic synthetic market and book"},
	{"price", "mark-to-market and greeks; formula mode for ad-hoc pricing"},
	{"var", "historical, parametric and Monte Carlo VaR/ES, stress, backtesting"},
	{"optimize", "QUBO/Ising/Max-Cut annealers; hedge and portfolio selection"},
	{"screen", "compliance and limit gates: LEI checks, limits, Shariah, regulatory, data quality"},
	{"settle", "cash flows, netting, invoices, margin; the carbon-allowance ledger"},
	{"forecast", "GARCH volatility forecasts; OLS regression with Newey-West errors"},
	{"report", "position, risk and summary reports from the other tools' outputs"},
	{"store", "load and dump the data contract's tables in PostgreSQL"},
	{"feed", "smart-meter readings from an MQTT broker into period files"},
};

static void list_tools(void)
{
	printf("usage: qe TOOL [ARGS...]\n       qe help [TOOL]\n\nTools:\n");
	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
		printf("  %-10s %s\n", tools[i].name, tools[i].summary);
	printf("\nEach tool is also installed as qe-TOOL; see qe-TOOL(1) and qe(7).\n");
}

static void run_tool(const char *tool, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 80], name[64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (strchr(tool, '/') || strlen(tool) > 40)
		cli_usage_error("unknown tool '%s'", tool);
	snprintf(name, sizeof name, "qe-%s", tool);
	argv[0] = name;
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof path, "%s/%s", self, name);
			if (access(path, X_OK) == 0)
				execv(path, argv);
		}
	}
	execvp(name, argv);
	if (errno == ENOENT)
		cli_usage_error("unknown tool '%s' (try 'qe help')", tool);
	cli_die(QE_INTERNAL, "cannot run %s: %s", name, strerror(errno));
}

int main(int argc, char **argv)
{
	int given = argc;
	cli_init(argv[0]);
	cli_log_option(&argc, argv);
	if (argc < 2)
		cli_usage_error("missing TOOL (try 'qe help')");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    (strcmp(argv[1], "help") == 0 && argc == 2)) {
		list_tools();
		return QE_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		cli_version();
	if (strcmp(argv[1], "help") == 0) {
		char *help_argv[] = {NULL, "--help", NULL};
		fflush(stdout);
		run_tool(argv[2], help_argv);
	}
	if (argv[1][0] == '-')
		cli_usage_error("unknown option '%s'", argv[1]);
	if (cli_log_json && argc < given) {
		/* hand --log-json on, right after the tool's name (before a
		 * "--"), in the slot it left: argv has given + 1 entries */
		memmove(argv + 3, argv + 2, (size_t)(argc - 1) * sizeof *argv);
		argv[2] = "--log-json";
	}
	fflush(stdout);
	run_tool(argv[1], argv + 1);
	return QE_INTERNAL;
}
