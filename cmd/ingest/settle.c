/* qe-ingest cme-settle | ice-settle: an exchange's end-of-day settlement
 * file into forward curves, implied vols, fixings and the price history
 * (lib/exchange/settle.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exchange/settle.h"
#include "ingest/settle_cmd.h"
#include "io/infile.h"
#include "market/curvemaster.h"


static const char usage[] =
	"usage: qe-ingest cme-settle|ice-settle FILE [-o CURVES] [--vols FILE] [--fixings FILE]\n"
	"                 [--history FILE [--replace]] [--rejects FILE] [--markets FILE]\n"
	"                 [--calendars DIR] [--rate R]\n"
	"\n"
	"Reads an exchange's end-of-day settlement file (cme-settle: CME Group's\n"
	"settlement CSV; ice-settle: ICE's pipe-delimited report; plain, .gz or .zip)\n"
	"and writes the curves the curve master maps, in qe-formats(5).\n"
	"\n"
	"  -o, --output FILE     forward curves (PRICES; default stdout)\n"
	"      --vols FILE       implied vols from the option settlements (VOLATILITIES)\n"
	"      --fixings FILE    the day's front-month fixings (FIXINGS)\n"
	"      --history FILE    merge the day into this price history (HISTORY)\n"
	"      --replace         replace the day when the history has it already\n"
	"      --rejects FILE    rejected rows with line, column, value, reason\n"
	"      --markets FILE    curve master (default: markets.csv next to FILE)\n"
	"      --calendars DIR   holiday files (default: $QE_CALENDAR_DIR, else calendars/\n"
	"                        next to the markets file, else the installed ones)\n"
	"      --rate R          continuously compounded rate discounting premiums (default 0)\n"
	"  -q, --quiet           no counts on stderr\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 every row used; 3 rows rejected (the rest still written) or bad\n"
	"input; 4 I/O error; 2 usage.\n";

enum { OPT_VOLS = 256, OPT_FIXINGS, OPT_HISTORY, OPT_REPLACE, OPT_REJECTS, OPT_MARKETS,
       OPT_CALENDARS, OPT_RATE };

static const struct option longopts[] = {
	{"output", required_argument, NULL, 'o'},      {"vols", required_argument, NULL, OPT_VOLS},
	{"fixings", required_argument, NULL, OPT_FIXINGS},
	{"history", required_argument, NULL, OPT_HISTORY},
	{"replace", no_argument, NULL, OPT_REPLACE},   {"rejects", required_argument, NULL, OPT_REJECTS},
	{"markets", required_argument, NULL, OPT_MARKETS},
	{"calendars", required_argument, NULL, OPT_CALENDARS},
	{"rate", required_argument, NULL, OPT_RATE},   {"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},              {NULL, 0, NULL, 0}};

int cmd_ingest_settle(int argc, char **argv)
{
	int venue = strcmp(argv[0], "cme-settle") == 0 ? EXCH_CME : EXCH_ICE;
	const char *out_path = NULL, *vols_path = NULL, *fix_path = NULL, *hist_path = NULL;
	const char *rej_path = NULL, *markets = NULL, *calendars = NULL;
	int replace = 0, c;
	double rate = 0;
	while ((c = cli_getopt(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		case OPT_VOLS: vols_path = optarg; break;
		case OPT_FIXINGS: fix_path = optarg; break;
		case OPT_HISTORY: hist_path = optarg; break;
		case OPT_REPLACE: replace = 1; break;
		case OPT_REJECTS: rej_path = optarg; break;
		case OPT_MARKETS: markets = optarg; break;
		case OPT_CALENDARS: calendars = optarg; break;
		case OPT_RATE: rate = cli_double("--rate", optarg); break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		default: cli_usage_error("unknown option");
		}
	}
	if (argc - optind > 1)
		cli_usage_error("too many arguments");
	if (replace && !hist_path)
		cli_usage_error("--replace needs --history");
	const char *input = argc - optind == 1 ? argv[optind] : "-";
	const char *name = strcmp(input, "-") ? input : "<stdin>";

	qe_err e;
	char *mpath = markets ? strdup(markets) : ingest_markets_beside(input);
	if (!mpath)
		cli_usage_error("no curve master: give --markets FILE");
	curvemaster *m = curvemaster_load(mpath, &e);
	if (!m || curvemaster_load_calendars(m, cli_calendar_dir(calendars, mpath), &e))
		cli_die_err(&e);

	FILE *in = exch_open(input, &e), *old = NULL;
	if (!in)
		cli_die_err(&e);
	if (hist_path && !(old = infile_open(hist_path, NULL, &e)) && errno != ENOENT)
		cli_die_err(&e);

	/* every output is committed together, or none (cli.h) */
	qe_out *out = cli_out_open(out_path);
	qe_out *vols = vols_path ? cli_out_open(vols_path) : NULL;
	qe_out *fix = fix_path ? cli_out_open(fix_path) : NULL;
	qe_out *hist = hist_path ? cli_out_open(hist_path) : NULL;
	qe_out *rej = rej_path ? cli_out_open(rej_path) : NULL;

	exch_counts n;
	cli_progress_inputs(&input, 1);
	exch_day *d = exch_read(in, name, venue, m, rate, rej ? rej->fp : NULL, ingest_show_reject, NULL, &n, &e);
	cli_progress_end();
	if (in != stdin)
		fclose(in);
	if (!d)
		cli_die_err(&e);
	if (exch_write_curves(d, out->fp, &n, &e) || (vols && exch_write_vols(d, vols->fp, &n, &e)) ||
	    (fix && exch_write_fixings(d, fix->fp, &n, &e)) ||
	    (hist && exch_write_history(d, old, hist_path, replace, hist->fp, &e)))
		cli_die_err(&e);
	if (old)
		fclose(old);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	cli_info("%s: %ld read, %ld futures, %ld options, %ld rejected; %ld curve months, %ld vols "
		 "(%ld options without one), %ld fixings",
		 name, n.read, n.futures, n.options, n.rejected, n.curve_rows, n.vols, n.no_vol, n.fixings);
	if (n.ice_compared)
		cli_info("%s: ICE's OPTION_VOLATILITY against ours: %ld options, largest difference %.4g "
			 "vol points", name, n.ice_compared, n.ice_maxdiff);
	exch_day_free(d);
	curvemaster_free(m);
	free(mpath);
	return n.rejected ? QE_DATA : QE_OK;
}
