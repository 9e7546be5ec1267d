/* qe-settle margin: a SPAN-style initial margin estimate per account
 * (lib/settle/margin.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "settle/margin.h"
#include "settle/settle.h"

static const char usage[] =
	"usage: qe-settle margin --asof DATE [-o FILE] [--scenarios FILE] [--data DIR]\n"
	"                        [--trades FILE] [--markets FILE] [--curves FILE] [--vols FILE]\n"
	"                        [--rates FILE] [--ranges FILE] [--calendars DIR]\n"
	"\n"
	"An estimate of the initial margin of each account (book) with a SPAN-style scan\n"
	"of its futures and options: 16 scenarios of price and vol moves per curve, an\n"
	"inter-month spread charge and a short option minimum, as account,currency,\n"
	"scan_risk,spread_charge,short_option_min,margin.\n"
	"\n"
	"      --asof DATE           the market date (curves, vols and rates of that day)\n"
	"  -o, --output FILE         margin per account and currency (default stdout)\n"
	"      --scenarios FILE      every scenario's loss per account and curve\n"
	"      --data DIR            directory of the inputs not named (default data)\n"
	"      --trades FILE         trades (default DIR/trades.csv)\n"
	"      --markets FILE        curve master (default DIR/markets.csv)\n"
	"      --curves FILE         forward curves (default DIR/curves.csv)\n"
	"      --vols FILE           vols (default DIR/vols.csv)\n"
	"      --rates FILE          zero rates (default DIR/rates.csv)\n"
	"      --ranges FILE         scan ranges (default DIR/span_ranges.csv)\n"
	"      --calendars DIR       holiday files (default: $QE_CALENDAR_DIR, else calendars/\n"
	"                            next to the markets file, else the installed ones)\n"
	"  -q, --quiet               no counts on stderr\n"
	"  -h, --help                this help\n"
	"\n"
	"Exit status: 0 ok; 2 usage; 3 bad input (a bad scan range, a scanned position\n"
	"without a forward, vol or rate); 4 I/O error.\n";

enum { OPT_ASOF = SETTLE_OPT_OWN, OPT_SCEN, OPT_TRADES, OPT_MARKETS, OPT_CURVES, OPT_VOLS,
       OPT_RATES, OPT_RANGES };

static const struct option longopts[] = {
	{"asof", required_argument, NULL, OPT_ASOF},     {"output", required_argument, NULL, 'o'},
	{"scenarios", required_argument, NULL, OPT_SCEN}, {"trades", required_argument, NULL, OPT_TRADES},
	{"markets", required_argument, NULL, OPT_MARKETS}, {"curves", required_argument, NULL, OPT_CURVES},
	{"vols", required_argument, NULL, OPT_VOLS},     {"rates", required_argument, NULL, OPT_RATES},
	{"ranges", required_argument, NULL, OPT_RANGES}, SETTLE_LONGOPTS_COMMON,
	{NULL, 0, NULL, 0}};

int settle_margin_main(int argc, char **argv)
{
	struct settle_paths p = {0};
	const char *out_path = NULL, *scen_path = NULL, *asof = NULL, *curves = NULL, *vols = NULL,
		   *rates = NULL, *ranges = NULL;
	int c;
	while ((c = cli_getopt(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ASOF: asof = optarg; break;
		case 'o': out_path = optarg; break;
		case OPT_SCEN: scen_path = optarg; break;
		case OPT_TRADES: p.trades = optarg; break;
		case OPT_MARKETS: p.markets = optarg; break;
		case OPT_CURVES: curves = optarg; break;
		case OPT_VOLS: vols = optarg; break;
		case OPT_RATES: rates = optarg; break;
		case OPT_RANGES: ranges = optarg; break;
		default:
			if (!settle_common_option(c, optarg, &p, usage, NULL))
				cli_usage_error("unknown option");
		}
	}
	if (optind < argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (!asof)
		cli_usage_error("--asof is required");
	const char *data = p.data ? p.data : "data";
	struct margin_options o = {
		.trades = settle_path(p.trades, data, "trades.csv"),
		.markets = settle_path(p.markets, data, "markets.csv"),
		.curves = settle_path(curves, data, "curves.csv"),
		.vols = settle_path(vols, data, "vols.csv"),
		.rates = settle_path(rates, data, "rates.csv"),
		.ranges = settle_path(ranges, data, "span_ranges.csv"),
		.asof = settle_date_arg("--asof", asof),
	};
	o.calendars = cli_calendar_dir(p.calendars, o.markets);
	margin_result r;
	qe_err e;
	if (margin_compute(&o, &r, &e))
		cli_die_err(&e);
	qe_out *out = cli_out_open(out_path);
	margin_write(out->fp, &r);
	if (scen_path)
		margin_write_scenarios(cli_out_open(scen_path)->fp, &r);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	cli_info("%zu accounts, %ld positions scanned, %ld futures and options not scanned",
		 r.naccounts, r.positions, r.skipped);
	margin_free(&r);
	return QE_OK;
}
