/* qe-report: reports from the outputs of the other tools.  This file only
 * dispatches: each command is one file in cmd/report/ with its own options
 * and --help. */
#include "cli.h"
#include "report/report.h" /* the commands, one per file of cmd/report/ */

static const cli_command commands[] = {
	{"position", cmd_report_position},
	{"risk", cmd_report_risk},
	{"summary", cmd_report_summary},
	{"html", cmd_report_html},
	{"pnl", cmd_report_pnl},
	{"remit", cmd_report_remit},
	{"cot", cmd_report_cot},
	{"audit", cmd_report_audit},
};

static const char usage[] =
	"usage: qe-report COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  position --ladder FILE -m FILE  net delta per curve and commodity x month, in units and lots\n"
	"  risk --var FILE                 VaR/ES against limits, stress, backtest, P&L attribution, top contributors\n"
	"  summary --risk FILE             the day in at most 80 columns, for a terminal or a cron mail\n"
	"  html -o FILE                    a self-contained HTML dashboard (no script, no request)\n"
	"  pnl --from D0 --to D1 ...       daily P&L by trade and its explain by revaluation\n"
	"  remit --trades FILE ...         the trade report of REMIT Table 1 / EMIR, one row per version\n"
	"  cot --trades FILE ...           open interest by commodity and trader category (COT)\n"
	"  audit [DIR|LOG]                 verify the end-of-day audit log's hash chain and files\n"
	"\n"
	"Each command takes its own options: see 'qe-report COMMAND --help'.\n"
	"  -h, --help          this help;  -V, --version  version\n"
	"\n"
	"See qe-report(1).\n";

int main(int argc, char **argv)
{
	cli_init(argv[0]);
	cli_log_option(&argc, argv);
	return cli_dispatch(argc, argv, commands, sizeof commands / sizeof commands[0], usage);
}
