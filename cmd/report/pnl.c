/* qe-report pnl: the daily P&L by trade between two as-of dates and its
 * explain by revaluation, rolled up by book, desk and commodity. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/date.h"
#include "report.h"
#include "report/pnl.h"
#include "time/tz.h"

static const char usage[] =
	"usage: qe-report pnl --from D0 --to D1 --markets FILE\n"
	"                     (--dir0 DIR | --trades0 FILE --curves0 FILE --fx0 FILE ...)\n"
	"                     (--dir1 DIR | --trades1 FILE --curves1 FILE --fx1 FILE ...)\n"
	"                     [-o FILE] [-e FILE]\n"
	"\n"
	"The P&L of the book from D0 to D1 and its explain by revaluation, step by\n"
	"step: theta (the date rolled), delta and gamma (D1's prices), vega (D1's\n"
	"vols), fx, new, amended and cancelled trades, cash of the trades that\n"
	"matured, and the unexplained rest; in cents of the base currency, the parts\n"
	"adding to the total exactly.  Writes the P&L by trade (-o) and the roll-ups\n"
	"by book, desk (trader) and commodity with delta and gamma per risk curve (-e).\n"
	"\n"
	"  -f, --from D0         the previous as-of date (YYYY-MM-DD)\n"
	"  -t, --to D1           the as-of date, not before D0 (the same: intraday)\n"
	"  -m, --markets FILE    curve master of both days\n"
	"  -c, --calendars DIR   holiday files (default: calendars/ beside --markets)\n"
	"      --dir0 DIR        D0's files: DIR/trades.csv curves.csv vols.csv rates.csv\n"
	"                        fixings.csv fx.csv (those present)\n"
	"      --dir1 DIR        D1's files, the same names\n"
	"      --trades0 FILE    D0's book (and --curves0 --vols0 --rates0 --fixings0\n"
	"                        --fx0: each replaces the file of --dir0)\n"
	"      --trades1 FILE    D1's book (and --curves1 --vols1 --rates1 --fixings1 --fx1)\n"
	"  -b, --base CCY        base currency of the FX files (default USD)\n"
	"  -o, --output FILE     the P&L by trade (PNL), default stdout\n"
	"  -e, --explain FILE    the roll-ups (PNL EXPLAIN)\n"
	"  -q, --quiet           no summary on stderr\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 ok, 2 usage, 3 bad input data, 4 I/O error.\n";

enum { F_TRADES, F_CURVES, F_VOLS, F_RATES, F_FIXINGS, F_FX, F_N };
static const char *const file_names[F_N] = {"trades.csv", "curves.csv", "vols.csv",
					    "rates.csv",  "fixings.csv", "fx.csv"};

/* A file of a day: the option's, else DIR/name when it exists (a
 * required one is named even when missing, for its error). */
static const char *day_file(const char *opt, const char *dir, int f, int required, char **keep)
{
	if (opt || !dir)
		return opt;
	size_t n = strlen(dir) + strlen(file_names[f]) + 2;
	char *p = malloc(n);
	if (!p)
		cli_die(QE_INTERNAL, "out of memory");
	snprintf(p, n, "%s/%s", dir, file_names[f]);
	FILE *fp = required ? NULL : fopen(p, "r");
	if (!required && !fp) {
		free(p);
		return NULL;
	}
	if (fp)
		fclose(fp);
	*keep = p;
	return p;
}

static qe_date pnl_date(const char *opt, const char *arg)
{
	qe_date d;
	if (date_parse_z(arg, &d))
		cli_sub_usage_error("pnl", "option %s: not a date YYYY-MM-DD '%s'", opt, arg);
	return d;
}

int cmd_report_pnl(int argc, char **argv)
{
	enum { O_DIR0 = 256, O_DIR1, O_F0, O_F1 = O_F0 + F_N, O_END = O_F1 + F_N };
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},     {"to", required_argument, NULL, 't'},
		{"markets", required_argument, NULL, 'm'},  {"calendars", required_argument, NULL, 'c'},
		{"dir0", required_argument, NULL, O_DIR0},   {"dir1", required_argument, NULL, O_DIR1},
		{"trades0", required_argument, NULL, O_F0 + F_TRADES},
		{"curves0", required_argument, NULL, O_F0 + F_CURVES},
		{"vols0", required_argument, NULL, O_F0 + F_VOLS},
		{"rates0", required_argument, NULL, O_F0 + F_RATES},
		{"fixings0", required_argument, NULL, O_F0 + F_FIXINGS},
		{"fx0", required_argument, NULL, O_F0 + F_FX},
		{"trades1", required_argument, NULL, O_F1 + F_TRADES},
		{"curves1", required_argument, NULL, O_F1 + F_CURVES},
		{"vols1", required_argument, NULL, O_F1 + F_VOLS},
		{"rates1", required_argument, NULL, O_F1 + F_RATES},
		{"fixings1", required_argument, NULL, O_F1 + F_FIXINGS},
		{"fx1", required_argument, NULL, O_F1 + F_FX},
		{"base", required_argument, NULL, 'b'},     {"output", required_argument, NULL, 'o'},
		{"explain", required_argument, NULL, 'e'},  {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	const char *from = NULL, *to = NULL, *markets = NULL, *calendars = NULL, *dir[2] = {NULL, NULL};
	const char *file[2][F_N] = {{NULL}}, *output = NULL, *explain = NULL, *base = "USD";
	int c;
	while ((c = cli_sub_getopt("pnl", argc, argv, "f:t:m:c:b:o:e:qh", opts)) != -1) {
		if (c >= O_F0 && c < O_END) {
			file[c >= O_F1][(c - O_F0) % F_N] = optarg;
			continue;
		}
		switch (c) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'm': markets = optarg; break;
		case 'c': calendars = optarg; break;
		case O_DIR0: dir[0] = optarg; break;
		case O_DIR1: dir[1] = optarg; break;
		case 'b': base = optarg; break;
		case 'o': output = optarg; break;
		case 'e': explain = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		}
	}
	if (optind < argc)
		cli_sub_usage_error("pnl", "unexpected argument '%s'", argv[optind]);
	if (!from || !to || !markets)
		cli_sub_usage_error("pnl", "--from, --to and --markets are required");
	struct report_pnl_in in = {.markets = markets, .base = base};
	in.calendars = cli_calendar_dir(calendars, markets);
	char *keep[2][F_N] = {{NULL}};
	struct report_pnl_day *day[2] = {&in.d0, &in.d1};
	for (int d = 0; d < 2; d++) {
		const char *f[F_N];
		for (int k = 0; k < F_N; k++)
			f[k] = day_file(file[d][k], dir[d], k, k == F_TRADES || k == F_CURVES || k == F_FX,
					&keep[d][k]);
		if (!f[F_TRADES] || !f[F_CURVES] || !f[F_FX])
			cli_sub_usage_error("pnl", "day %d needs --dir%d or --trades%d, --curves%d and --fx%d", d, d, d,
					    d, d);
		*day[d] = (struct report_pnl_day){.trades = f[F_TRADES], .curves = f[F_CURVES], .vols = f[F_VOLS],
						  .rates = f[F_RATES], .fixings = f[F_FIXINGS], .fx = f[F_FX]};
	}
	in.d0.asof = pnl_date("--from", from);
	in.d1.asof = pnl_date("--to", to);
	qe_out *o = cli_out_open(output), *x = explain ? cli_out_open(explain) : NULL;
	csv_writer w, wx;
	csvw_init(&w, o->fp);
	if (x)
		csvw_init(&wx, x->fp);
	qe_err e;
	qe_err_clear(&e);
	struct report_pnl_totals tot;
	int rc = report_pnl(&in, &w, x ? &wx : NULL, &tot, &e);
	tz_cache_clear();
	for (int d = 0; d < 2; d++)
		for (int k = 0; k < F_N; k++)
			free(keep[d][k]);
	if (rc)
		cli_die_err(&e);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	char t[32], u[32];
	cli_info("%ld trades (%ld new, %ld amended, %ld cancelled, %ld matured): P&L %s %s, unexplained %s",
		 tot.trades, tot.changed[1], tot.changed[2], tot.changed[3], tot.changed[4],
		 report_pnl_cents(t, tot.part[PNL_TOTAL]), base, report_pnl_cents(u, tot.part[PNL_UNEXPLAINED]));
	return QE_OK;
}
