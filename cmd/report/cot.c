/* qe-report cot: a commitments-of-traders style report of the book's open
 * interest by commodity and trader category. */
#include <getopt.h>

#include "cli.h"
#include "report.h"
#include "report/regrep.h"
#include "time/tz.h"

static const char usage[] =
	"usage: qe-report cot --trades FILE --counterparties FILE --markets FILE --asof DATE\n"
	"                     [--sensitivities FILE] [--previous FILE] [--own-category CAT]\n"
	"                     [-o FILE]\n"
	"\n"
	"Open interest in lots of the live trades by commodity and trader category\n"
	"(CFTC disaggregated: producer_merchant, swap_dealer, managed_money,\n"
	"other_reportable, nonreportable): each counterparty holds the other side of\n"
	"its trades with us, and we are one trader of --own-category.  Positions net\n"
	"per trader, curve and delivery month; a trader's long and short months offset\n"
	"as spreading.  Writes asof,commodity,category,traders,long,short,spreading,\n"
	"open_interest,long_change,short_change,spreading_change (changes since\n"
	"--previous, a report of an earlier day).  With --sensitivities, options\n"
	"(option, asian, spread) count futures-equivalent, by their deltas in lots;\n"
	"without it (or without rows there) options and spreads are left out.\n"
	"\n"
	"  -t, --trades FILE         trades (every version; the live ones count)\n"
	"  -c, --counterparties FILE counterparty master (category)\n"
	"  -m, --markets FILE        curve master (commodity, unit, lot size, zone, shape)\n"
	"      --sensitivities FILE  qe-price sensitivities of the book: options by delta\n"
	"  -d, --asof DATE           the date of the rows\n"
	"  -p, --previous FILE       an earlier cot report: the changes since\n"
	"      --own-category CAT    our own category (default producer_merchant)\n"
	"  -o, --output FILE         write here (atomic) instead of stdout\n"
	"  -q, --quiet               no summary on stderr\n"
	"  -h, --help                this help\n";

enum { OPT_OWN = 256, OPT_SENS };

int cmd_report_cot(int argc, char **argv)
{
	static const struct option opts[] = {
		{"trades", required_argument, NULL, 't'}, {"counterparties", required_argument, NULL, 'c'},
		{"markets", required_argument, NULL, 'm'}, {"asof", required_argument, NULL, 'd'},
		{"previous", required_argument, NULL, 'p'}, {"own-category", required_argument, NULL, OPT_OWN},
		{"output", required_argument, NULL, 'o'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'}, {"sensitivities", required_argument, NULL, OPT_SENS},
		{NULL, 0, NULL, 0},
	};
	regrep_inputs in = {0};
	const char *output = NULL, *asof = NULL;
	int c;
	while ((c = cli_sub_getopt("cot", argc, argv, "t:c:m:d:p:o:qh", opts)) != -1) {
		switch (c) {
		case 't': in.trades = optarg; break;
		case 'c': in.counterparties = optarg; break;
		case 'm': in.markets = optarg; break;
		case 'd': asof = optarg; break;
		case 'p': in.previous = optarg; break;
		case OPT_OWN: in.own_category = optarg; break;
		case OPT_SENS: in.sensitivities = optarg; break;
		case 'o': output = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		}
	}
	if (optind < argc)
		cli_sub_usage_error("cot", "unexpected argument '%s'", argv[optind]);
	if (!in.trades || !in.counterparties || !in.markets || !asof)
		cli_sub_usage_error("cot", "--trades, --counterparties, --markets and --asof are required");
	if (date_parse_z(asof, &in.asof))
		cli_sub_usage_error("cot", "--asof '%s' is not a date YYYY-MM-DD", asof);
	qe_out *o = cli_out_open(output);
	csv_writer w;
	csvw_init(&w, o->fp);
	qe_err e;
	long rows = 0, skipped = 0, by_delta = 0;
	int rc = regrep_cot(&in, &w, &rows, &skipped, &by_delta, &e);
	tz_cache_clear();
	if (rc)
		cli_die_err(&e);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	if (in.sensitivities)
		cli_info("%ld cot rows; %ld options futures-equivalent by delta, %ld option and spread trades without "
			 "sensitivities left out",
			 rows, by_delta, skipped);
	else
		cli_info("%ld cot rows; %ld option and spread trades left out (no --sensitivities)", rows, skipped);
	return QE_OK;
}
