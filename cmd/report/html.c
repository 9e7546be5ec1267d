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
	"stress results, the position heatmap and the compliance findings.  Each input\n"
	"adds its sections; at least one is needed.\n"
	"\n"
	"      --series FILE      qe-var series (date,var,pnl)\n"
	"      --pnl FILE         qe-report pnl --explain output (the P&L waterfall)\n"
	"      --risk FILE        qe-report risk output\n"
	"      --position FILE    qe-report position output\n"
	"      --breaches FILE    qe-screen check output\n"
	"  -d, --asof DATE        the date in the title\n"
	"      --months N         heatmap columns (default 24)\n"
	"      --max-breaches N   breach rows listed (default 20)\n"
	"  -o, --output FILE      write here (atomic) instead of stdout\n"
	"  -q, --quiet            no summary on stderr\n"
	"  -h, --help             this help\n";

enum { OPT_SERIES = 256, OPT_RISK, OPT_POSITION, OPT_BREACHES, OPT_MONTHS, OPT_MAXB, OPT_PNL };

int cmd_report_html(int argc, char **argv)
{
	static const struct option opts[] = {
		{"series", required_argument, NULL, OPT_SERIES},
		{"pnl", required_argument, NULL, OPT_PNL},
		{"risk", required_argument, NULL, OPT_RISK},
		{"position", required_argument, NULL, OPT_POSITION},
		{"breaches", required_argument, NULL, OPT_BREACHES},
		{"asof", required_argument, NULL, 'd'},
		{"months", required_argument, NULL, OPT_MONTHS},
		{"max-breaches", required_argument, NULL, OPT_MAXB},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct report_html_in in = {.months = 24, .max_breaches = 20};
	const char *output = NULL;
	int c;
	while ((c = cli_sub_getopt("html", argc, argv, "d:o:qh", opts)) != -1) {
		switch (c) {
		case OPT_SERIES: in.series = optarg; break;
		case OPT_PNL: in.pnl = optarg; break;
		case OPT_RISK: in.risk = optarg; break;
		case OPT_POSITION: in.position = optarg; break;
		case OPT_BREACHES: in.breaches = optarg; break;
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
	if (!in.series && !in.risk && !in.position && !in.breaches && !in.pnl)
		cli_sub_usage_error("html", "give at least one of --series, --pnl, --risk, --position, --breaches");
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
