/* qe-report risk: VaR and ES against the VaR limits, stress, backtest and
 * P&L attribution zones, top contributors, from qe-var's outputs. */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "report.h"
#include "report/risk.h"

static const char usage[] =
	"usage: qe-report risk --var FILE [OPTIONS]\n"
	"\n"
	"Writes section,portfolio,item,value,limit,utilisation,currency,status: VaR per\n"
	"portfolio against the var limits (status ok, breach, no limit), ES, and the\n"
	"sections of the files given.  Exit 1 when a VaR is above its limit.\n"
	"\n"
	"      --var FILE         qe-var hs|param|mc results (required)\n"
	"      --method NAME      rows of this method (default hs)\n"
	"  -l, --limits FILE      limits (type var)\n"
	"      --fx FILE          FX rates for limits in another currency\n"
	"      --stress FILE      qe-var stress results\n"
	"      --backtest FILE    qe-var backtest results\n"
	"      --pla FILE         qe-var pla results\n"
	"      --components FILE  qe-var components\n"
	"      --top N            component rows per level (default 5)\n"
	"  -o, --output FILE      write here (atomic) instead of stdout\n"
	"  -q, --quiet            no summary on stderr\n"
	"  -h, --help             this help\n";

enum { OPT_VAR = 256, OPT_METHOD, OPT_FX, OPT_STRESS, OPT_BACKTEST, OPT_PLA, OPT_COMPONENTS, OPT_TOP };

int cmd_report_risk(int argc, char **argv)
{
	static const struct option opts[] = {
		{"var", required_argument, NULL, OPT_VAR},
		{"method", required_argument, NULL, OPT_METHOD},
		{"limits", required_argument, NULL, 'l'},
		{"fx", required_argument, NULL, OPT_FX},
		{"stress", required_argument, NULL, OPT_STRESS},
		{"backtest", required_argument, NULL, OPT_BACKTEST},
		{"pla", required_argument, NULL, OPT_PLA},
		{"components", required_argument, NULL, OPT_COMPONENTS},
		{"top", required_argument, NULL, OPT_TOP},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct report_risk_in in = {.top = 5};
	const char *output = NULL;
	int c;
	while ((c = cli_sub_getopt("risk", argc, argv, "l:o:qh", opts)) != -1) {
		switch (c) {
		case OPT_VAR: in.var = optarg; break;
		case OPT_METHOD: in.method = optarg; break;
		case 'l': in.limits = optarg; break;
		case OPT_FX: in.fx = optarg; break;
		case OPT_STRESS: in.stress = optarg; break;
		case OPT_BACKTEST: in.backtest = optarg; break;
		case OPT_PLA: in.pla = optarg; break;
		case OPT_COMPONENTS: in.components = optarg; break;
		case OPT_TOP: in.top = (int)cli_int("--top", optarg, 1, 1000000); break;
		case 'o': output = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		}
	}
	if (optind < argc)
		cli_sub_usage_error("risk", "unexpected argument '%s'", argv[optind]);
	if (!in.var)
		cli_sub_usage_error("risk", "--var is required");
	qe_out *o = cli_out_open(output);
	csv_writer w;
	csvw_init(&w, o->fp);
	qe_err e;
	long rows = 0, breaches = 0;
	if (report_risk(&in, &w, &rows, &breaches, &e))
		cli_die_err(&e);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	cli_info("%ld risk rows, %ld VaR limit breach%s", rows, breaches, breaches == 1 ? "" : "es");
	return breaches ? QE_NEGATIVE : QE_OK;
}
