/* qe-settle: settlement - cash flows, netting, invoices, payment
 * files, the carbon-allowance ledger, and the margin estimate.  This file
 * only dispatches: each command is one file in cmd/settle/ with its own
 * options and --help, as git's builtin/. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "settle/settle.h" /* the commands, one per file of cmd/settle/ */

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"flows", settle_flows_main},
	{"net", settle_net_main},
	{"invoice", settle_invoice_main},
	{"margin", settle_margin_main},
	{"pay", settle_pay_main},
	{"ledger", settle_ledger_main},
};

static const char usage[] =
	"usage: qe-settle COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  flows     cash flows of the book due in a range of value dates\n"
	"  net       payments netted per counterparty x currency x value date\n"
	"  invoice   one invoice per counterparty and period (CSV and HTML)\n"
	"  margin    initial margin per account, a SPAN-style estimate\n"
	"  pay       ISO 20022 pain.001 credit transfer of the payments we owe\n"
	"  ledger append|verify|balance|show   the signed, hash-chained allowance ledger\n"
	"\n"
	"Each command takes its own options: see 'qe-settle COMMAND --help'.\n"
	"  -h, --help          this help;  -V, --version  version\n"
	"\n"
	"See qe-settle(1).\n";

int main(int argc, char **argv)
{
	cli_init(argv[0]);
	cli_log_option(&argc, argv);
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
