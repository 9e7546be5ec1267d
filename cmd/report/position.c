/* qe-report position: the ladder of qe-price per curve and commodity x
 * month, in units and lots, with the change since a previous ladder. */
#include <getopt.h>

#include "cli.h"
#include "report.h"
#include "report/position.h"
#include "time/tz.h"

static const char usage[] =
	"usage: qe-report position --ladder FILE --markets FILE [--prev FILE] [-o FILE]\n"
	"\n"
	"Sums the delta ladder of qe-price over books per curve and delivery month and\n"
	"writes level,commodity,curve,month,unit,delta,lots,prev_delta,change: curve rows\n"
	"in the curve's unit and in exchange lots, then commodity rows in one unit (MWh\n"
	"for gas and power).  With --prev, the change since that ladder.\n"
	"\n"
	"  -l, --ladder FILE     qe-price ladder (book,curve,month,delta,unit)\n"
	"  -m, --markets FILE    curve master (commodity, unit, lot size, zone, shape)\n"
	"  -p, --prev FILE       the previous day's ladder\n"
	"  -o, --output FILE     write here (atomic) instead of stdout\n"
	"  -q, --quiet           no summary on stderr\n"
	"  -h, --help            this help\n";

int cmd_report_position(int argc, char **argv)
{
	static const struct option opts[] = {
		{"ladder", required_argument, NULL, 'l'}, {"markets", required_argument, NULL, 'm'},
		{"prev", required_argument, NULL, 'p'},   {"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *ladder = NULL, *markets = NULL, *prev = NULL, *output = NULL;
	int c;
	while ((c = cli_sub_getopt("position", argc, argv, "l:m:p:o:qh", opts)) != -1) {
		switch (c) {
		case 'l': ladder = optarg; break;
		case 'm': markets = optarg; break;
		case 'p': prev = optarg; break;
		case 'o': output = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		}
	}
	if (optind < argc)
		cli_sub_usage_error("position", "unexpected argument '%s'", argv[optind]);
	if (!ladder || !markets)
		cli_sub_usage_error("position", "--ladder and --markets are required");
	qe_out *o = cli_out_open(output);
	csv_writer w;
	csvw_init(&w, o->fp);
	qe_err e;
	long rows = 0;
	int rc = report_position(ladder, prev, markets, &w, &rows, &e);
	tz_cache_clear();
	if (rc)
		cli_die_err(&e);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	cli_info("%ld position rows", rows);
	return QE_OK;
}
