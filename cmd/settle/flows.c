/* qe-settle flows: the cash flows of the book due in a range of value
 * dates (lib/settle/flows.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "settle/flows.h"
#include "settle/settle.h"

static const char usage[] =
	"usage: qe-settle flows --from DATE --to DATE [-o FILE] [--data DIR] [--trades FILE]\n"
	"                       [--markets FILE] [--fixings FILE] [--history FILE]\n"
	"                       [--counterparties FILE] [--currencies FILE] [--terms FILE]\n"
	"                       [--calendars DIR]\n"
	"\n"
	"Every cash flow of the book whose value date lies in [--from, --to]: futures\n"
	"variation margin, swap settlements, physical deliveries, option premiums and\n"
	"EUA deliveries, as trade_id,counterparty,kind,direction,value_date,currency,\n"
	"amount_minor.\n"
	"\n"
	"      --from DATE           first value date\n"
	"      --to DATE             last value date\n"
	"  -o, --output FILE         flows (default stdout)\n"
	"      --data DIR            directory of the inputs not named (default data)\n"
	"      --trades FILE         trades (default DIR/trades.csv)\n"
	"      --markets FILE        curve master (default DIR/markets.csv)\n"
	"      --fixings FILE        index fixings (default DIR/fixings.csv)\n"
	"      --history FILE        daily settlement prices (default DIR/history.csv)\n"
	"      --counterparties FILE counterparty master (default DIR/counterparties.csv)\n"
	"      --currencies FILE     exponents and payment calendars (default DIR/currencies.csv)\n"
	"      --terms FILE          payment terms (default DIR/payment_terms.csv)\n"
	"      --calendars DIR       holiday files (default: $QE_CALENDAR_DIR, else calendars/\n"
	"                            next to the markets file, else the installed ones)\n"
	"  -q, --quiet               no counts on stderr\n"
	"  -h, --help                this help\n"
	"\n"
	"Exit status: 0 ok; 2 usage; 3 bad input (unknown counterparty, missing fixing\n"
	"or settlement, no payment calendar); 4 I/O error.\n";

enum { OPT_FROM = SETTLE_OPT_OWN, OPT_TO, OPT_TRADES, OPT_MARKETS, OPT_FIXINGS, OPT_HISTORY };

static const struct option longopts[] = {
	{"from", required_argument, NULL, OPT_FROM},       {"to", required_argument, NULL, OPT_TO},
	{"output", required_argument, NULL, 'o'},
	{"trades", required_argument, NULL, OPT_TRADES},   {"markets", required_argument, NULL, OPT_MARKETS},
	{"fixings", required_argument, NULL, OPT_FIXINGS}, {"history", required_argument, NULL, OPT_HISTORY},
	SETTLE_LONGOPTS_COMMON,                            {NULL, 0, NULL, 0}};

int settle_flows_main(int argc, char **argv)
{
	struct settle_paths p = {0};
	const char *out_path = NULL, *from = NULL, *to = NULL;
	int c;
	while ((c = cli_getopt(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FROM: from = optarg; break;
		case OPT_TO: to = optarg; break;
		case 'o': out_path = optarg; break;
		case OPT_TRADES: p.trades = optarg; break;
		case OPT_MARKETS: p.markets = optarg; break;
		case OPT_FIXINGS: p.fixings = optarg; break;
		case OPT_HISTORY: p.history = optarg; break;
		default:
			if (!settle_common_option(c, optarg, &p, usage, NULL))
				cli_usage_error("unknown option");
		}
	}
	if (optind < argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (!from || !to)
		cli_usage_error("--from and --to are required");
	const char *data = p.data ? p.data : "data";
	struct flows_options o = {
		.trades = settle_path(p.trades, data, "trades.csv"),
		.markets = settle_path(p.markets, data, "markets.csv"),
		.fixings = settle_path(p.fixings, data, "fixings.csv"),
		.history = settle_path(p.history, data, "history.csv"),
		.from = settle_date_arg("--from", from),
		.to = settle_date_arg("--to", to),
	};
	if (o.to < o.from)
		cli_usage_error("--to is before --from");
	o.calendars = cli_calendar_dir(p.calendars, o.markets);
	settle_terms *t = settle_load_terms(&p);
	o.terms = t;
	qe_out *out = cli_out_open(out_path);
	flows_list l = {0};
	qe_err e;
	if (flows_compute(&o, &l, &e))
		cli_die_err(&e);
	flows_write(out->fp, &l);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	cli_info("%zu flows", l.n);
	flows_free(&l);
	terms_free(t);
	return QE_OK;
}
