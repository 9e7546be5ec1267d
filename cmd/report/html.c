/* qe-report html: the self-contained dashboard. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "report.h"
#include "report/html.h"

static const char usage[] =
	"usage: qe-report html [INPUTS] -o FILE\n"
	"\n"
	"Writes one self-contained HTML file (inline CSS and SVG, no script, no request):\n"
	"VaR history against realized P&L with exceptions marked, VaR limit utilisation,\n"
	"stress results, the position heatmap, the compliance findings, the settlement\n"
	"(payments by currency and value date, held-back payments, margin by book) and\n"
	"the volatility forecast and sentiment.  Each input adds its sections; at least\n"
	"one is needed.\n"
	"\n"
	"      --series FILE      qe-var series (date,var,pnl)\n"
	"      --pnl FILE         qe-report pnl --explain output (the P&L waterfall)\n"
	"      --risk FILE        qe-report risk output\n"
	"      --position FILE    qe-report position output\n"
	"      --breaches FILE    qe-screen check output\n"
	"      --payments FILE    qe-settle net output (payments by currency and value date)\n"
	"      --pay-rejects FILE qe-settle pay --rejects output (payments held back)\n"
	"      --margin FILE      qe-settle margin output (initial margin by book)\n"
	"      --currencies FILE  the currencies' minor units (default data/currencies.csv)\n"
	"      --calendars DIR    holiday files the currencies name\n"
	"      --garch FILE       qe-forecast garch fits (persistence, half-life)\n"
	"      --garch-path FILE  their --forecast paths (vol now, term structure, long run)\n"
	"      --sentiment FILE   qe-forecast sentiment --daily index\n"
	"  -d, --asof DATE        the date in the title\n"
	"      --months N         heatmap columns (default 24)\n"
	"      --max-breaches N   breach rows and held-back payments listed (default 20)\n"
	"  -o, --output FILE      write here (atomic) instead of stdout\n"
	"  -q, --quiet            no summary on stderr\n"
	"  -h, --help             this help\n";

enum { OPT_SERIES = 256, OPT_RISK, OPT_POSITION, OPT_BREACHES, OPT_MONTHS, OPT_MAXB, OPT_PNL, OPT_GARCH,
       OPT_GARCH_PATH, OPT_SENTIMENT, OPT_PAYMENTS, OPT_PAY_REJECTS, OPT_MARGIN, OPT_CURRENCIES, OPT_CALENDARS };

int cmd_report_html(int argc, char **argv)
{
	static const struct option opts[] = {
		{"series", required_argument, NULL, OPT_SERIES},
		{"pnl", required_argument, NULL, OPT_PNL},
		{"risk", required_argument, NULL, OPT_RISK},
		{"position", required_argument, NULL, OPT_POSITION},
		{"breaches", required_argument, NULL, OPT_BREACHES},
		{"garch", required_argument, NULL, OPT_GARCH},
		{"garch-path", required_argument, NULL, OPT_GARCH_PATH},
		{"sentiment", required_argument, NULL, OPT_SENTIMENT},
		{"payments", required_argument, NULL, OPT_PAYMENTS},
		{"pay-rejects", required_argument, NULL, OPT_PAY_REJECTS},
		{"margin", required_argument, NULL, OPT_MARGIN},
		{"currencies", required_argument, NULL, OPT_CURRENCIES},
		{"calendars", required_argument, NULL, OPT_CALENDARS},
		{"asof", required_argument, NULL, 'd'},
		{"months", required_argument, NULL, OPT_MONTHS},
		{"max-breaches", required_argument, NULL, OPT_MAXB},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct report_html_in in = {.months = 24, .max_breaches = 20};
	const char *output = NULL, *calendars = NULL;
	int c;
	while ((c = cli_sub_getopt("html", argc, argv, "d:o:qh", opts)) != -1) {
		switch (c) {
		case OPT_SERIES: in.series = optarg; break;
		case OPT_PNL: in.pnl = optarg; break;
		case OPT_RISK: in.risk = optarg; break;
		case OPT_POSITION: in.position = optarg; break;
		case OPT_BREACHES: in.breaches = optarg; break;
		case OPT_GARCH: in.garch = optarg; break;
		case OPT_GARCH_PATH: in.garch_path = optarg; break;
		case OPT_SENTIMENT: in.sentiment = optarg; break;
		case OPT_PAYMENTS: in.payments = optarg; break;
		case OPT_PAY_REJECTS: in.pay_rejects = optarg; break;
		case OPT_MARGIN: in.margin = optarg; break;
		case OPT_CURRENCIES: in.currencies = optarg; break;
		case OPT_CALENDARS: calendars = optarg; break;
		case 'd': in.asof = optarg; break;
		case OPT_MONTHS: in.months = (int)cli_int("--months", optarg, 1, 240); break;
		case OPT_MAXB: in.max_breaches = (int)cli_int("--max-breaches", optarg, 1, 100000); break;
		case 'o': output = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		}
	}
	if (optind < argc)
		cli_sub_usage_error("html", "unexpected argument '%s'", argv[optind]);
	if (!in.series && !in.risk && !in.position && !in.breaches && !in.pnl && !in.garch && !in.sentiment &&
	    !in.payments && !in.pay_rejects && !in.margin)
		cli_sub_usage_error("html", "give at least one of --series, --pnl, --risk, --position, --breaches, "
					    "--payments, --pay-rejects, --margin, --garch, --sentiment");
	if (in.garch_path && !in.garch)
		cli_sub_usage_error("html", "--garch-path needs --garch (the fits of its series)");
	if (in.payments || in.pay_rejects) {
		if (!in.currencies)
			in.currencies = cli_bundled_data("currencies.csv", 0);
		in.calendars = cli_calendar_dir(calendars, in.currencies);
	}
	qe_err e;
	strbuf t = {0};
	if (report_html(&in, &t, &e)) {
		strbuf_free(&t);
		cli_die_err(&e);
	}
	qe_out *o = cli_out_open(output);
	fwrite(t.p, 1, t.len, o->fp);
	size_t len = t.len;
	strbuf_free(&t);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	cli_info("dashboard: %zu bytes", len);
	return QE_OK;
}
