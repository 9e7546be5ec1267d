/* qe-report remit: the trade report in the shape of REMIT Table 1 / EMIR,
 * one row per trade version. */
#include <getopt.h>

#include "cli.h"
#include "report.h"
#include "report/regrep.h"
#include "time/tz.h"

static const char usage[] =
	"usage: qe-report remit --trades FILE --counterparties FILE --markets FILE\n"
	"                       --reporting-lei LEI [--rejects FILE] [-o FILE]\n"
	"\n"
	"Writes one row per version of every trade in the shape of REMIT Table 1 /\n"
	"EMIR: uti,trade_id,version,action_type (new, modify, cancel from the\n"
	"lifecycle),action_code (N, M, C),reporting_lei,other_lei,counterparty,side,\n"
	"book,trader,instrument,curve,commodity,delivery_start,delivery_end,shape,\n"
	"price,currency,quantity,quantity_unit,total_quantity,total_unit,notional,\n"
	"notional_currency,exec_time,event_time,venue,option_type,strike,expiry.\n"
	"A version that cannot be reported goes to --rejects; exit 1 when any.\n"
	"\n"
	"  -t, --trades FILE         trades with uti, venue, exec_time (every version)\n"
	"  -c, --counterparties FILE counterparty master (lei)\n"
	"  -m, --markets FILE        curve master (commodity, unit, lot size, zone, shape)\n"
	"      --reporting-lei LEI   our LEI (ISO 17442), the reporting counterparty\n"
	"      --rejects FILE        the versions not reported, with line, column, reason\n"
	"  -o, --output FILE         write here (atomic) instead of stdout\n"
	"  -q, --quiet               no summary on stderr\n"
	"  -h, --help                this help\n";

enum { OPT_LEI = 256, OPT_REJECTS };

int cmd_report_remit(int argc, char **argv)
{
	static const struct option opts[] = {
		{"trades", required_argument, NULL, 't'}, {"counterparties", required_argument, NULL, 'c'},
		{"markets", required_argument, NULL, 'm'}, {"reporting-lei", required_argument, NULL, OPT_LEI},
		{"rejects", required_argument, NULL, OPT_REJECTS}, {"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	regrep_inputs in = {0};
	const char *output = NULL, *rejects = NULL;
	int c;
	while ((c = cli_sub_getopt("remit", argc, argv, "t:c:m:o:qh", opts)) != -1) {
		switch (c) {
		case 't': in.trades = optarg; break;
		case 'c': in.counterparties = optarg; break;
		case 'm': in.markets = optarg; break;
		case OPT_LEI: in.reporting_lei = optarg; break;
		case OPT_REJECTS: rejects = optarg; break;
		case 'o': output = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		}
	}
	if (optind < argc)
		cli_sub_usage_error("remit", "unexpected argument '%s'", argv[optind]);
	if (!in.trades || !in.counterparties || !in.markets || !in.reporting_lei)
		cli_sub_usage_error("remit", "--trades, --counterparties, --markets and --reporting-lei are required");
	qe_out *o = cli_out_open(output);
	csv_writer w, rw;
	csvw_init(&w, o->fp);
	if (rejects)
		csvw_init(&rw, cli_out_open(rejects)->fp);
	qe_err e;
	long rows = 0, rejected = 0;
	int rc = regrep_remit(&in, &w, rejects ? &rw : NULL, &rows, &rejected, &e);
	tz_cache_clear();
	if (rc)
		cli_die_err(&e);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	cli_info("%ld trade versions reported, %ld not reportable%s", rows, rejected,
		 rejected && !rejects ? " (see --rejects)" : "");
	return rejected ? QE_NEGATIVE : QE_OK;
}
