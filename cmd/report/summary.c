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
	"attribution zones, worst stress, breaches, a settlement and a forecast line,\n"
	"largest positions.  Exit 1 when a VaR is above its limit, a compliance row is\n"
	"a breach or a payment is held back.\n"
	"\n"
	"      --risk FILE        qe-report risk output (required)\n"
	"      --pnl FILE         qe-report pnl --explain output: the day's P&L line\n"
	"      --position FILE    qe-report position output\n"
	"      --breaches FILE    qe-screen check output\n"
	"      --payments FILE    qe-settle net output: the payments and the next value date\n"
	"      --pay-rejects FILE qe-settle pay --rejects output: the payments held back\n"
	"      --margin FILE      qe-settle margin output: the margin per currency\n"
	"      --currencies FILE  the currencies' minor units (default data/currencies.csv)\n"
	"      --calendars DIR    holiday files the currencies name\n"
	"      --garch FILE       qe-forecast garch fits\n"
	"      --garch-path FILE  their --forecast paths: the highest vol and its term\n"
	"  -d, --asof DATE        the date in the title\n"
	"      --top N            positions listed (default 5)\n"
	"      --color WHEN       auto (default: on a terminal, unless NO_COLOR is set), always, never\n"
	"  -o, --output FILE      write here (atomic) instead of stdout\n"
	"  -h, --help             this help\n";

enum { OPT_RISK = 256, OPT_POSITION, OPT_BREACHES, OPT_TOP, OPT_COLOR, OPT_PNL, OPT_PAYMENTS, OPT_PAY_REJECTS,
       OPT_MARGIN, OPT_CURRENCIES, OPT_CALENDARS, OPT_GARCH, OPT_GARCH_PATH };

int cmd_report_summary(int argc, char **argv)
{
	static const struct option opts[] = {
		{"risk", required_argument, NULL, OPT_RISK},
		{"pnl", required_argument, NULL, OPT_PNL},
		{"position", required_argument, NULL, OPT_POSITION},
		{"breaches", required_argument, NULL, OPT_BREACHES},
		{"payments", required_argument, NULL, OPT_PAYMENTS},
		{"pay-rejects", required_argument, NULL, OPT_PAY_REJECTS},
		{"margin", required_argument, NULL, OPT_MARGIN},
		{"currencies", required_argument, NULL, OPT_CURRENCIES},
		{"calendars", required_argument, NULL, OPT_CALENDARS},
		{"garch", required_argument, NULL, OPT_GARCH},
		{"garch-path", required_argument, NULL, OPT_GARCH_PATH},
		{"asof", required_argument, NULL, 'd'},
		{"top", required_argument, NULL, OPT_TOP},
		{"color", required_argument, NULL, OPT_COLOR},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct report_summary_in in = {.top = 5};
	const char *output = NULL, *color = "auto", *calendars = NULL;
	int c;
	while ((c = cli_sub_getopt("summary", argc, argv, "d:o:h", opts)) != -1) {
		switch (c) {
		case OPT_RISK: in.risk = optarg; break;
		case OPT_PNL: in.pnl = optarg; break;
		case OPT_POSITION: in.position = optarg; break;
		case OPT_BREACHES: in.breaches = optarg; break;
		case OPT_PAYMENTS: in.payments = optarg; break;
		case OPT_PAY_REJECTS: in.pay_rejects = optarg; break;
		case OPT_MARGIN: in.margin = optarg; break;
		case OPT_CURRENCIES: in.currencies = optarg; break;
		case OPT_CALENDARS: calendars = optarg; break;
		case OPT_GARCH: in.garch = optarg; break;
		case OPT_GARCH_PATH: in.garch_path = optarg; break;
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
	if (in.garch_path && !in.garch)
		cli_sub_usage_error("summary", "--garch-path needs --garch (the fits of its series)");
	if (in.payments || in.pay_rejects) {
		if (!in.currencies)
			in.currencies = cli_bundled_data("currencies.csv", 0);
		in.calendars = cli_calendar_dir(calendars, in.currencies);
	}
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
