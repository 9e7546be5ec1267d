/* qe-var: Value-at-Risk, expected shortfall, covariance, stress and
 * backtesting.  Subcommands parse their options here and call lib/. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "risk/backtest.h"
#include "cli.h"
#include "var_cmd.h"
#include "io/csvio.h"
#include "core/date.h"
#include "io/outfile.h"
#include "risk/pnlcube.h"
#include "risk/covest.h"
#include "risk/varcalc.h"
#include "risk/varmeas.h"

static const char usage[] =
	"usage: qe-var COMMAND [OPTIONS] [FILE]\n"
	"\n"
	"Commands:\n"
	"  measures [FILE|-]   VaR/ES per portfolio from P&L (portfolio,scenario,pnl or HDF5 cube)\n"
	"  backtest [FILE|-]   Kupiec, Christoffersen and traffic light on date,var,pnl\n"
	"  hs                  historical-simulation VaR/ES per portfolio\n"
	"  param               parametric VaR/ES (delta-normal, --cornish-fisher)\n"
	"  mc                  Monte Carlo VaR/ES (correlated normal or Student-t shocks)\n"
	"  components          marginal, component and incremental VaR per group\n"
	"  series              daily HS VaR vs P&L of today's book (input of backtest)\n"
	"  cov                 covariance of price changes (or --returns) as factor1,factor2,cov\n"
	"  stress              P&L of the book under shock files and historical windows\n"
	"\n"
	"Inputs (hs, param, mc, components, series, cov, stress):\n"
	"  -H, --history FILE  price history date,curve,tenor,price\n"
	"  -m, --markets FILE  curve master; column returns = log|abs per curve\n"
	"  -s, --sens FILE     sensitivities of qe-price (delta, gamma per factor)\n"
	"      --by COLUMN     group portfolios by this column (default book; none)\n"
	"      --gaps POLICY   missing prices: ffill (default), drop, error\n"
	"      --asof DATE     refuse a curve whose history ends before DATE (exit 3)\n"
	"      --fx FILE       currency,rate (units of --base per unit): convert P&L to\n"
	"      --base CCY      the base currency before adding; without them portfolios\n"
	"                      that mix currencies (of -m) are reported per currency\n"
	"      --window N      scenarios used: the last N days (default 250; all)\n"
	"      --horizon N     N-day returns, overlapping (default 1)\n"
	"      --sqrt-scale    N-day returns as 1-day returns times sqrt(N) instead\n"
	"\n"
	"Models:\n"
	"      --brw LAMBDA    hs: age weights lambda^age (Boudoukh-Richardson-Whitelaw)\n"
	"      --fhs LAMBDA    hs: filter returns by EWMA volatility (Hull-White)\n"
	"      --cov METHOD    sample (default), ewma, lw (Ledoit-Wolf)\n"
	"      --lambda L      EWMA decay (default 0.94)\n"
	"      --cov-file FILE param, mc, components: covariance of price changes given\n"
	"      --repair        clip negative eigenvalues instead of failing (exit 5)\n"
	"      --cornish-fisher  param: delta-gamma with Cornish-Fisher expansion\n"
	"      --paths N       mc: number of paths (default 100000)\n"
	"      --seed N        mc: random seed (default 1)\n"
	"      --dist D        mc: normal (default) or t\n"
	"      --df NU         mc: Student-t degrees of freedom (default 5)\n"
	"      --cube FILE     hs, mc: also write the P&L cube (.h5: HDF5, else CSV)\n"
	"      --returns       cov: covariance of returns instead of price changes\n"
	"      --format F      cov: csv (default) or hdf5 (needs -o)\n"
	"      --days N        series: number of days (default 250)\n"
	"      --portfolio P   series: the portfolio (default total)\n"
	"      --shocks FILE   stress: scenario,curve,tenor,shock,type rows\n"
	"      --windows FILE  stress: name,start,end historical windows\n"
	"      --worst         stress: add the worst --horizon-day window of the total\n"
	"      --timing        hs, mc: print the time of the P&L and VaR steps on stderr\n"
	"\n"
	"Common options:\n"
	"  -a, --alpha LIST    confidence levels, comma-separated (default 0.99)\n"
	"      --quantile DEF  kth (k-th worst loss, default) or linear (numpy)\n"
	"  -o, --output FILE   write to FILE atomically (default stdout)\n"
	"  -q, --quiet         no informational messages\n"
	"  -h, --help          this help;  -V, --version  version\n"
	"\n"
	"See qe-var(1).\n";

enum {
	OPT_QUANTILE = 256, OPT_VERSION, OPT_SIGNIFICANCE, OPT_BY, OPT_GAPS, OPT_WINDOW, OPT_HORIZON,
	OPT_SQRT, OPT_BRW, OPT_FHS, OPT_COV, OPT_LAMBDA, OPT_REPAIR, OPT_CF, OPT_PATHS, OPT_SEED,
	OPT_DIST, OPT_DF, OPT_CUBE, OPT_RETURNS, OPT_FORMAT, OPT_DAYS, OPT_PORTFOLIO, OPT_SHOCKS,
	OPT_WINDOWS, OPT_WORST, OPT_TIMING, OPT_COV_FILE, OPT_FX, OPT_BASE, OPT_ASOF
};

static const struct option long_opts[] = {
	{"alpha", required_argument, NULL, 'a'},
	{"quantile", required_argument, NULL, OPT_QUANTILE},
	{"significance", required_argument, NULL, OPT_SIGNIFICANCE},
	{"history", required_argument, NULL, 'H'},
	{"markets", required_argument, NULL, 'm'},
	{"sens", required_argument, NULL, 's'},
	{"by", required_argument, NULL, OPT_BY},
	{"gaps", required_argument, NULL, OPT_GAPS},
	{"window", required_argument, NULL, OPT_WINDOW},
	{"horizon", required_argument, NULL, OPT_HORIZON},
	{"sqrt-scale", no_argument, NULL, OPT_SQRT},
	{"brw", required_argument, NULL, OPT_BRW},
	{"fhs", required_argument, NULL, OPT_FHS},
	{"cov", required_argument, NULL, OPT_COV},
	{"lambda", required_argument, NULL, OPT_LAMBDA},
	{"repair", no_argument, NULL, OPT_REPAIR},
	{"cornish-fisher", no_argument, NULL, OPT_CF},
	{"paths", required_argument, NULL, OPT_PATHS},
	{"seed", required_argument, NULL, OPT_SEED},
	{"dist", required_argument, NULL, OPT_DIST},
	{"df", required_argument, NULL, OPT_DF},
	{"cube", required_argument, NULL, OPT_CUBE},
	{"returns", no_argument, NULL, OPT_RETURNS},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"days", required_argument, NULL, OPT_DAYS},
	{"portfolio", required_argument, NULL, OPT_PORTFOLIO},
	{"shocks", required_argument, NULL, OPT_SHOCKS},
	{"windows", required_argument, NULL, OPT_WINDOWS},
	{"worst", no_argument, NULL, OPT_WORST},
	{"timing", no_argument, NULL, OPT_TIMING},
	{"cov-file", required_argument, NULL, OPT_COV_FILE},
	{"fx", required_argument, NULL, OPT_FX},
	{"base", required_argument, NULL, OPT_BASE},
	{"asof", required_argument, NULL, OPT_ASOF},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};


static double unit_interval(const char *opt, const char *arg)
{
	double v = cli_double(opt, arg);
	if (!(v > 0 && v < 1))
		cli_usage_error("option %s: %g is not in (0, 1)", opt, v);
	return v;
}

static void parse(int argc, char **argv, struct opts *o)
{
	int c;
	var_spec *sp = &o->sp;
	sp->alpha[0] = 0.99;
	sp->nalpha = 1;
	sp->qdef = VAR_Q_KTH;
	sp->window = 250;
	sp->cov_method = COV_SAMPLE;
	sp->cov_lambda = 0.94;
	sp->paths = 100000;
	sp->seed = 1;
	o->significance = 0.05;
	o->by = "book";
	o->horizon = 1;
	o->days = 250;
	o->portfolio = "total";
	double df = 5;
	opterr = 0; /* one diagnostic line, prefixed with the program and subcommand */
	while ((c = getopt_long(argc, argv, ":a:H:m:s:o:qhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			sp->nalpha = cli_double_list("--alpha", optarg, sp->alpha, VAR_MAX_ALPHA);
			for (int i = 0; i < sp->nalpha; i++)
				if (!(sp->alpha[i] > 0 && sp->alpha[i] < 1))
					cli_usage_error("option --alpha: %g is not in (0, 1)", sp->alpha[i]);
			break;
		case OPT_QUANTILE:
			if ((sp->qdef = var_quantile_parse(optarg)) < 0)
				cli_usage_error("option --quantile: unknown definition '%s' (kth, linear)", optarg);
			break;
		case OPT_SIGNIFICANCE: o->significance = unit_interval("--significance", optarg); break;
		case 'H': o->history = optarg; break;
		case 'm': o->markets = optarg; break;
		case 's': o->sens = optarg; break;
		case OPT_BY: o->by = strcmp(optarg, "none") == 0 ? NULL : optarg; break;
		case OPT_GAPS:
			if ((o->gaps = rh_gap_parse(optarg)) < 0)
				cli_usage_error("option --gaps: unknown policy '%s' (ffill, drop, error)", optarg);
			break;
		case OPT_WINDOW:
			sp->window = strcmp(optarg, "all") == 0 ? 0 : (size_t)cli_int("--window", optarg, 2, 100000000);
			break;
		case OPT_HORIZON: o->horizon = (int)cli_int("--horizon", optarg, 1, 1000); break;
		case OPT_SQRT: o->hmode = RH_SQRT; break;
		case OPT_BRW: sp->brw_lambda = unit_interval("--brw", optarg); break;
		case OPT_FHS: sp->fhs_lambda = unit_interval("--fhs", optarg); break;
		case OPT_COV:
			if ((sp->cov_method = cov_method_parse(optarg)) < 0)
				cli_usage_error("option --cov: unknown estimator '%s' (sample, ewma, lw)", optarg);
			break;
		case OPT_LAMBDA: sp->cov_lambda = unit_interval("--lambda", optarg); break;
		case OPT_REPAIR: sp->repair = 1; break;
		case OPT_CF: sp->cornish_fisher = 1; break;
		case OPT_PATHS: sp->paths = (size_t)cli_int("--paths", optarg, 1, 100000000); break;
		case OPT_SEED: sp->seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case OPT_DIST:
			if (strcmp(optarg, "t") != 0 && strcmp(optarg, "normal") != 0)
				cli_usage_error("option --dist: unknown distribution '%s' (normal, t)", optarg);
			o->student = optarg[0] == 't';
			break;
		case OPT_DF:
			df = cli_double("--df", optarg);
			if (!(df > 2 && df <= 1e6))
				cli_usage_error("option --df: %g must be above 2 (finite variance)", df);
			break;
		case OPT_CUBE: o->cube = optarg; break;
		case OPT_RETURNS: o->returns = 1; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "csv") != 0 && strcmp(optarg, "hdf5") != 0)
				cli_usage_error("option --format: unknown format '%s' (csv, hdf5)", optarg);
			o->hdf5 = optarg[0] == 'h';
			break;
		case OPT_DAYS: o->days = (size_t)cli_int("--days", optarg, 2, 100000); break;
		case OPT_PORTFOLIO: o->portfolio = optarg; break;
		case OPT_SHOCKS: o->shocks = optarg; break;
		case OPT_WINDOWS: o->windows = optarg; break;
		case OPT_WORST: o->worst = 1; break;
		case OPT_TIMING: o->timing = 1; break;
		case OPT_COV_FILE: sp->cov_file = optarg; break;
		case OPT_FX: o->fx.path = optarg; break;
		case OPT_BASE: o->fx.base = optarg; break;
		case OPT_ASOF:
			if (date_parse_z(optarg, &o->asof) != 0)
				cli_usage_error("option --asof: invalid date '%s' (expected YYYY-MM-DD)", optarg);
			o->have_asof = 1;
			break;
		case 'o': o->output = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		case 'V':
		case OPT_VERSION: cli_version();
		case ':':
			if (strncmp(argv[optind - 1], "--", 2) == 0)
				cli_die(QE_USAGE, "%s: option '%s' needs an argument", argv[0], argv[optind - 1]);
			cli_die(QE_USAGE, "%s: option '-%c' needs an argument", argv[0], optopt);
		default:
			if (strncmp(argv[optind - 1], "--", 2) == 0)
				cli_die(QE_USAGE, "%s: unknown option '%s'", argv[0], argv[optind - 1]);
			cli_die(QE_USAGE, "%s: unknown option '-%c'", argv[0], optopt);
		}
	}
	sp->df = o->student ? df : 0;
	if (!o->fx.path != !o->fx.base)
		cli_usage_error("--fx FILE and --base CCY go together");
	if (argc - optind > 1)
		cli_usage_error("too many arguments");
	o->input = optind < argc ? argv[optind] : "-";
}

void var_open_out(qe_out *out, const struct opts *o, csv_writer *w)
{
	qe_err e;
	if (out_open(out, o->output, &e))
		cli_die_err(&e);
	csvw_init(w, out->fp);
}

int var_commit(qe_out *out)
{
	qe_err e;
	if (out_commit(out, &e))
		cli_die_err(&e);
	return QE_OK;
}

static int cmd_measures(const struct opts *o)
{
	static const char *const hdr[] = {"portfolio", "alpha", "quantile", "scenarios", "var", "es", NULL};
	pnl_cube c;
	qe_err e;
	qe_out out;
	csv_writer w;
	int rc = strcmp(o->input, "-") != 0 && pcube_is_hdf5(o->input) ? pcube_read_hdf5(&c, o->input, &e)
									: pcube_read_csv(&c, o->input, &e);
	if (rc)
		cli_die_err(&e);
	double *scratch = malloc((c.nsc + 1) * sizeof *scratch);
	if (!scratch)
		cli_die(QE_INTERNAL, "out of memory");
	/* compute everything before opening the output: no partial files */
	double *res = malloc(c.npf * (size_t)o->sp.nalpha * 2 * sizeof *res);
	if (!res)
		cli_die(QE_INTERNAL, "out of memory");
	for (size_t p = 0; p < c.npf; p++)
		for (int a = 0; a < o->sp.nalpha; a++) {
			double *r = res + 2 * (p * (size_t)o->sp.nalpha + (size_t)a);
			if (var_measure(c.pnl + p * c.nsc, c.nsc, o->sp.alpha[a], o->sp.qdef, scratch, &r[0], &r[1],
					&e)) {
				cli_die(e.code, "portfolio '%s': %s", sidx_name(c.portfolios, p), e.msg);
			}
		}
	var_open_out(&out, o, &w);
	csvw_header(&w, hdr);
	for (size_t p = 0; p < c.npf; p++)
		for (int a = 0; a < o->sp.nalpha; a++) {
			double *r = res + 2 * (p * (size_t)o->sp.nalpha + (size_t)a);
			csvw_str(&w, sidx_name(c.portfolios, p));
			csvw_double(&w, o->sp.alpha[a]);
			csvw_str(&w, var_quantile_name(o->sp.qdef));
			csvw_int(&w, (int64_t)c.nsc);
			csvw_double(&w, r[0]);
			csvw_double(&w, r[1]);
			csvw_end(&w);
		}
	free(res);
	free(scratch);
	pcube_free(&c);
	return var_commit(&out);
}

static int cmd_backtest(const struct opts *o)
{
	static const char *const hdr[] = {"observations", "exceptions", "expected", "alpha", "kupiec_lr",
					  "kupiec_p", "ind_lr", "ind_p", "cc_lr", "cc_p", "zone",
					  "result", NULL};
	bt_series s;
	bt_result r;
	qe_err e;
	qe_out out;
	csv_writer w;
	if (o->sp.nalpha != 1)
		cli_usage_error("backtest takes one confidence level");
	if (bt_read_series(&s, o->input, &e))
		cli_die_err(&e);
	unsigned char *exc = malloc(s.n);
	if (!exc)
		cli_die(QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < s.n; i++)
		exc[i] = s.pnl[i] < -s.var[i];
	bt_compute(exc, s.n, o->sp.alpha[0], &r);
	/* reject on under-coverage only: an over-conservative model (fewer
	 * exceptions than expected) is not an alert */
	int reject = (r.exceptions > r.expected && r.kupiec_p < o->significance) ||
		     r.ind_p < o->significance || r.zone == BT_RED;
	var_open_out(&out, o, &w);
	csvw_header(&w, hdr);
	csvw_int(&w, (int64_t)r.observations);
	csvw_int(&w, (int64_t)r.exceptions);
	csvw_double(&w, r.expected);
	csvw_double(&w, o->sp.alpha[0]);
	csvw_double(&w, r.kupiec_lr);
	csvw_double(&w, r.kupiec_p);
	csvw_double(&w, r.ind_lr);
	csvw_double(&w, r.ind_p);
	csvw_double(&w, r.cc_lr);
	csvw_double(&w, r.cc_p);
	csvw_str(&w, bt_zone_name(r.zone));
	csvw_str(&w, reject ? "reject" : "accept");
	csvw_end(&w);
	free(exc);
	bt_series_free(&s);
	var_commit(&out);
	if (reject)
		cli_info("model rejected at significance %g: %zu exceptions in %zu days (%g expected), zone %s",
			 o->significance, r.exceptions, r.observations, r.expected, bt_zone_name(r.zone));
	return reject ? QE_NEGATIVE : QE_OK;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	cli_init(argv[0]);
	/* OpenBLAS's own threads split the k-sums of dgemm/dsyrk differently
	 * with the thread count (last-bit differences, house rule 9): BLAS
	 * runs single-threaded and the engines parallelise with OpenMP over
	 * fixed blocks whose results do not depend on the partition. */
	openblas_set_num_threads(1);
	if (argc < 2)
		cli_usage_error("missing COMMAND");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		cli_help(usage);
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0)
		cli_version();
	if (cmd[0] == '-')
		cli_usage_error("unrecognized option '%s'", cmd);
	parse(argc - 1, argv + 1, &o);
	if (strcmp(cmd, "measures") == 0)
		return cmd_measures(&o);
	if (strcmp(cmd, "backtest") == 0)
		return cmd_backtest(&o);
	if (strcmp(cmd, "hs") == 0 || strcmp(cmd, "param") == 0 || strcmp(cmd, "mc") == 0)
		return var_cmd_model(&o, cmd);
	if (strcmp(cmd, "components") == 0)
		return var_cmd_components(&o);
	if (strcmp(cmd, "series") == 0)
		return var_cmd_series(&o);
	if (strcmp(cmd, "cov") == 0)
		return var_cmd_cov(&o);
	if (strcmp(cmd, "stress") == 0)
		return var_cmd_stress(&o);
	cli_usage_error("unknown command '%s'", cmd);
}
