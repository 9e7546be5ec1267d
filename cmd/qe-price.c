/* qe-price: mark-to-market, greeks, sensitivities and position ladder for
 * a book of energy trades; `qe-price formula MODEL` prices ad-hoc cases. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "price/american.h"
#include "cli.h"
#include "core/par.h"
#include "io/csvio.h"
#include "price/formula.h"
#include "price/valuation.h"
#include "risk/spreadcorr.h"

static const char usage[] =
	"usage: qe-price --asof DATE --trades T --curves C --markets M [--vols V]\n"
	"                [--rates R] [--fixings F] [-o FILE] [--sensitivities FILE]\n"
	"                [--ladder FILE] [--errors FILE] [--calendars DIR]\n"
	"                [-H HISTORY] [--spread-corr RHO] [--bump X] [--to csv|h5] [-q]\n"
	"       qe-price formula MODEL [--method M] [--allow-implausible] [-o FILE]\n"
	"                [FILE|-]\n"
	"\n"
	"Values every live trade of the book as of DATE and writes one row per\n"
	"trade: trade_id,book,instrument,curve,currency,npv,undiscounted,delta,\n"
	"gamma,vega,theta,model (see qe-price(1), qe-formats(5)).\n"
	"\n"
	"  --asof DATE            valuation date (YYYY-MM-DD)\n"
	"  --trades, --curves, --markets FILE\n"
	"                         required inputs (formats in qe-formats(5))\n"
	"  --vols, --rates, --fixings FILE\n"
	"                         optional inputs (needed by options, discounting,\n"
	"                         swaps, Asians and expired futures)\n"
	"  -o, --output FILE      valuations (default stdout)\n"
	"  --sensitivities FILE   per trade, curve and delivery period\n"
	"  --ladder FILE          net delta by book, curve and month\n"
	"  --errors FILE          trades that could not be priced, with reasons\n"
	"  --calendars DIR        holiday files (default: $QE_CALENDAR_DIR, else\n"
	"                         calendars/ next to --markets, else the installed ones)\n"
	"  -H, --history FILE     price history: Kirk correlation of each spread's legs\n"
	"                         from their returns (qe-price(1))\n"
	"  --spread-corr RHO      correlation of spread legs for Kirk, for every pair\n"
	"                         (default: from -H, else 0.8)\n"
	"  --bump X               add X to every forward quote (scenario runs)\n"
	"  --to csv|h5            format of the valuations and sensitivities (h5 needs -o)\n"
	"  -q, --quiet            no informational messages\n"
	"  -h, --help             this help;  -V, --version  version\n"
	"\n"
	"Formula mode models: black76, bachelier, kirk, asian, asian-curran,\n"
	"american (--method bs1993|bs2002|baw, default bs2002); implied vols\n"
	"black76-iv, bachelier-iv (type,forward,strike,rate,expiry,price -> vol).\n"
	"Formula mode writes every good row and reports every bad one\n"
	"(file:line:col: column 'x': reason 'value'); a lognormal vol above 5 or a\n"
	"rate of 100% or more is bad data (a percentage?) unless\n"
	"--allow-implausible; a row whose results are not finite is a numerical\n"
	"failure (file:line: model: non-finite price 'inf').\n"
	"Exit: 0 ok, 2 usage, 3 bad data (some trades or formula rows unpriced),\n"
	"4 I/O, 5 numerical (formula rows not finite or not converged, none bad\n"
	"data).\n";

enum { O_ASOF = 256, O_TRADES, O_CURVES, O_VOLS, O_RATES, O_MARKETS, O_FIXINGS, O_SENS,
       O_LADDER, O_ERRORS, O_METHOD, O_VERSION, O_CALENDARS, O_CORR, O_BUMP, O_TO,
       O_IMPLAUSIBLE };

static const struct option longopts[] = {
	{"asof", required_argument, NULL, O_ASOF},
	{"trades", required_argument, NULL, O_TRADES},
	{"curves", required_argument, NULL, O_CURVES},
	{"vols", required_argument, NULL, O_VOLS},
	{"rates", required_argument, NULL, O_RATES},
	{"markets", required_argument, NULL, O_MARKETS},
	{"fixings", required_argument, NULL, O_FIXINGS},
	{"sensitivities", required_argument, NULL, O_SENS},
	{"ladder", required_argument, NULL, O_LADDER},
	{"errors", required_argument, NULL, O_ERRORS},
	{"method", required_argument, NULL, O_METHOD},
	{"allow-implausible", no_argument, NULL, O_IMPLAUSIBLE},
	{"calendars", required_argument, NULL, O_CALENDARS},
	{"spread-corr", required_argument, NULL, O_CORR},
	{"history", required_argument, NULL, 'H'},
	{"bump", required_argument, NULL, O_BUMP},
	{"to", required_argument, NULL, O_TO},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, O_VERSION},
	{NULL, 0, NULL, 0},
};

static void report_row(void *ctx, const qe_err *e)
{
	(void)ctx;
	cli_error(e);
}

static int run_formula(const char *model, const formula_opts *fo, const char *in,
		       const char *outpath)
{
	qe_err e;
	long nbad = 0;
	qe_err_clear(&e);
	if (!formula_model_known(model))
		cli_usage_error("unknown formula model '%s'", model);
	csv_reader *r = csvr_open(in, &e);
	if (!r)
		cli_die_err(&e);
	qe_out *o = cli_out_open(outpath);
	int rc = formula_run(model, fo, r, o->fp, report_row, NULL, &nbad, &e);
	csvr_close(r);
	if (rc && rc != QE_DATA && rc != QE_NUMERIC)
		cli_die_err(&e);
	/* bad rows were reported one by one; the good ones are kept */
	qe_err ce;
	qe_err_clear(&ce);
	if (cli_outputs_commit(&ce))
		cli_die_err(&ce);
	if (rc)
		cli_error(&e);
	return rc;
}

/* Options valid both before and after "formula MODEL". */
static void common_option(int c, formula_opts *fo, const char **outpath, const char *bad)
{
	switch (c) {
	case O_METHOD:
		if (!(fo->amer_method = amer_method_parse(optarg)))
			cli_usage_error("option --method: expected bs1993, bs2002 or baw '%s'", optarg);
		break;
	case O_IMPLAUSIBLE: fo->allow_implausible = 1; break;
	case 'o': *outpath = optarg; break;
	case 'q': cli_quiet = 1; break;
	case 'h': cli_help(usage);
	case 'V':
	case O_VERSION: cli_version();
	default: cli_usage_error("%s", bad);
	}
}

/* The outputs of valuation mode (NULL paths: not wanted; outpath NULL:
 * stdout), opened through the registry. */
static void open_outputs(struct val_outputs *out, int to_h5, const char *outpath, const char *sens_path,
			 const char *ladder_path, const char *errors_path)
{
	if (to_h5) {
		out->h5_valuations = cli_h5_create(outpath);
		if (sens_path)
			out->h5_sensitivities = cli_h5_create(sens_path);
	} else {
		out->valuations = cli_out_open(outpath)->fp;
		if (sens_path)
			out->sensitivities = cli_out_open(sens_path)->fp;
	}
	if (ladder_path)
		out->ladder = cli_out_open(ladder_path)->fp;
	if (errors_path)
		out->errors = cli_out_open(errors_path)->fp;
}

int main(int argc, char **argv)
{
	struct val_options vo = {.spread_corr = 0.8};
	const char *outpath = NULL, *asof = NULL, *sens_path = NULL, *ladder_path = NULL;
	const char *errors_path = NULL;
	formula_opts fo = {.amer_method = AMER_BS2002};
	const char *history = NULL;
	int to_h5 = 0, have_corr = 0, c;
	cli_init(argv[0]);
	cli_log_option(&argc, argv);
	while ((c = cli_getopt(argc, argv, "+o:qhVH:", longopts, NULL)) != -1) {
		switch (c) {
		case O_ASOF: asof = optarg; break;
		case O_TRADES: vo.trades = optarg; break;
		case O_CURVES: vo.curves = optarg; break;
		case O_VOLS: vo.vols = optarg; break;
		case O_RATES: vo.rates = optarg; break;
		case O_MARKETS: vo.markets = optarg; break;
		case O_FIXINGS: vo.fixings = optarg; break;
		case O_SENS: sens_path = optarg; break;
		case O_LADDER: ladder_path = optarg; break;
		case O_ERRORS: errors_path = optarg; break;
		case O_CALENDARS: vo.calendars = optarg; break;
		case 'H': history = optarg; break;
		case O_CORR:
			have_corr = 1;
			vo.spread_corr = cli_double("--spread-corr", optarg);
			if (vo.spread_corr < -1 || vo.spread_corr > 1)
				cli_usage_error("option --spread-corr: outside [-1, 1] '%s'", optarg);
			break;
		case O_BUMP: vo.bump = cli_double("--bump", optarg); break;
		case O_TO:
			if (strcmp(optarg, "h5") == 0)
				to_h5 = 1;
			else if (strcmp(optarg, "csv") != 0)
				cli_usage_error("option --to: expected csv or h5 '%s'", optarg);
			break;
		default: common_option(c, &fo, &outpath, "invalid option");
		}
	}
	if (optind < argc && strcmp(argv[optind], "formula") == 0) {
		/* options may also follow the subcommand */
		optind++;
		const char *model = optind < argc ? argv[optind++] : NULL;
		if (!model)
			cli_usage_error("formula: missing MODEL");
		/* a fresh scan (optind = 0) over the words after MODEL, so options
		 * may also follow the input file */
		int base = optind - 1;
		argv[base] = argv[0]; /* getopt's messages name the program */
		optind = 0;
		while ((c = cli_getopt(argc - base, argv + base, "o:qhV", longopts, NULL)) != -1)
			common_option(c, &fo, &outpath, "formula: invalid option");
		optind += base;
		if (argc - optind > 1)
			cli_usage_error("formula: at most one input file");
		cli_par_solo(); /* MPI (make MPI=1): formula mode runs on rank 0 alone */
		return run_formula(model, &fo, optind < argc ? argv[optind] : NULL, outpath);
	}
	if (optind < argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (!asof || !vo.trades || !vo.curves || !vo.markets)
		cli_usage_error("--asof, --trades, --curves and --markets are required");
	if (date_parse_z(asof, &vo.asof))
		cli_usage_error("option --asof: not a date (YYYY-MM-DD) '%s'", asof);
	if (to_h5 && (!outpath || strcmp(outpath, "-") == 0))
		cli_usage_error("--to h5 needs -o FILE");
	vo.calendars = cli_calendar_dir(vo.calendars, vo.markets);
	/* MPI (make MPI=1): the ranks share the book by blocks of trades
	 * (valuation_price_share), each reading every input, and rank 0
	 * alone opens and writes the outputs; trades from stdin reach rank 0
	 * alone, which prices them alone */
	if (strcmp(vo.trades, "-") == 0)
		cli_par_solo();
	/* every output is opened first and all are committed together */
	struct val_outputs out = {0};
	if (par_rank() == 0)
		open_outputs(&out, to_h5, outpath, sens_path, ladder_path, errors_path);
	qe_err e, ce;
	qe_err_clear(&e);
	qe_err_clear(&ce);
	const char *metered[] = {vo.trades, vo.curves, vo.vols, vo.rates, vo.fixings, vo.markets};
	cli_progress_inputs(metered, 6);
	struct val_corr *corr = NULL;
	if (history && !have_corr) {
		/* MPI: every rank reads the history; a bad one is reported once */
		cli_par_check(spreadcorr_table(history, vo.markets, vo.asof, 0, &corr, &vo.ncorr, &e), &e);
		vo.corr = corr;
	}
	struct val_summary sum;
	int vrc;
	if (corr || par_size() > 1) {
		/* the pairs a book uses are known once it is priced: with -H the
		 * book is valued in memory, to name them; under mpirun too, every
		 * rank loading it (bad input is reported once, by rank 0) and
		 * pricing its block of the trades, rank 0 receiving them all */
		val_book *book = valuation_load(&vo, &e);
		cli_par_check(book ? 0 : e.code, &e);
		if (valuation_price_share(book, &e))
			cli_die_err(&e);
		cli_par_done(); /* MPI: rank 0 has every rank's results */
		for (size_t k = 0; k < vo.ncorr; k++)
			if (valuation_corr_used(book, k))
				cli_info("Kirk correlation %s/%s %.6f from %zu returns of %s", corr[k].curve1,
					 corr[k].curve2, corr[k].rho, corr[k].nret, history);
		vrc = valuation_write(book, &out, &sum, &e);
		valuation_free(book);
		if (vrc == QE_DATA) /* trades that failed: counted in sum */
			vrc = QE_OK;
	} else {
		/* the outputs are written into their temp files as the book
		 * streams; failed trades are counted in sum, any code is fatal */
		vrc = valuation_stream(&vo, &out, &sum, &e);
	}
	free(corr);
	if (vrc)
		cli_die_err(&e);
	if (cli_outputs_commit(&ce))
		cli_die_err(&ce);
	int rc = sum.failed ? QE_DATA : QE_OK;
	if (rc == QE_DATA && e.msg[0])
		cli_error(&e);
	cli_info("%ld trades priced, %ld failed, %ld matured, %ld cancelled", sum.priced, sum.failed,
		 sum.matured, sum.cancelled);
	return rc;
}
