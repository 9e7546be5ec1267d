/* qe-report summary: the day in at most 80 columns. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "report/summary.h"

static const char usage[] =
	"usage: qe-report summary --risk FILE [OPTIONS]\n"
	"\n"
	"Prints the day in at most 80 columns from the outputs of qe-report risk and\n"
	"position and of qe-screen check: VaR against limits, backtest and P&L\n"
	"attribution zones, worst stress, breaches, largest positions.  Exit 1 when a\n"
	"VaR is above its limit or a compliance row is a breach.\n"
	"\n"
	"      --risk FILE        qe-report risk output (required)\n"
	"      --pnl FILE         qe-report pnl --explain output: the day's P&L line\n"
	"      --position FILE    qe-report position output\n"
	"      --breaches FILE    qe-screen check output\n"
	"  -d, --asof DATE        the date in the title\n"
	"      --top N            positions listed (default 5)\n"
	"      --color WHEN       auto (default: on a terminal, unless NO_COLOR is set), always, never\n"
	"  -o, --output FILE      write here (atomic) instead of stdout\n"
	"  -h, --help             this help\n";

enum { OPT_RISK = 256, OPT_POSITION, OPT_BREACHES, OPT_TOP, OPT_COLOR, OPT_PNL };

int cmd_report_summary(int argc, char **argv)
{
	static const struct option opts[] = {
		{"risk", required_argument, NULL, OPT_RISK},
		{"pnl", required_argument, NULL, OPT_PNL},
		{"position", required_argument, NULL, OPT_POSITION},
		{"breaches", required_argument, NULL, OPT_BREACHES},
		{"asof", required_argument, NULL, 'd'},
		{"top", required_argument, NULL, OPT_TOP},
		{"color", required_argument, NULL, OPT_COLOR},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct report_summary_in in = {.top = 5};
	const char *output = NULL, *color = "auto";
	int c;
	while ((c = cli_sub_getopt("summary", argc, argv, "d:o:h", opts)) != -1) {
		switch (c) {
		case OPT_RISK: in.risk = optarg; break;
		case OPT_PNL: in.pnl = optarg; break;
		case OPT_POSITION: in.position = optarg; break;
		case OPT_BREACHES: in.breaches = optarg; break;
		case 'd': in.asof = optarg; break;
		case OPT_TOP: in.top = (int)cli_int("--top", optarg, 1, 1000); break;
		case OPT_COLOR: color = optarg; break;
		case 'o': output = optarg; break;
		case 'h': cli_help(usage);
		}
	}
	if (optind < argc)
		cli_sub_usage_error("summary", "unexpected argument '%s'", argv[optind]);
	if (!in.risk)
		cli_sub_usage_error("summary", "--risk is required");
	if (strcmp(color, "always") == 0) {
		in.color = 1;
	} else if (strcmp(color, "auto") == 0) {
		const char *nc = getenv("NO_COLOR");
		in.color = !output && isatty(STDOUT_FILENO) && !(nc && *nc);
	} else if (strcmp(color, "never") != 0) {
		cli_sub_usage_error("summary", "--color must be auto, always or never, not '%s'", color);
	}
	qe_err e;
	strbuf t = {0};
	long alerts = 0;
	if (report_summary(&in, &t, &alerts, &e)) {
		strbuf_free(&t);
		cli_die_err(&e);
	}
	qe_out *o = cli_out_open(output);
	fwrite(t.p, 1, t.len, o->fp);
	strbuf_free(&t);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	return alerts ? QE_NEGATIVE : QE_OK;
}
