/* qe-var: Value-at-Risk, expected shortfall, covariance, stress and
 * backtesting.  Subcommands parse their options here and call lib/. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "cli.h"
#include "csvio.h"
#include "outfile.h"
#include "pnlcube.h"
#include "varmeas.h"

static const char usage[] =
	"usage: qe-var COMMAND [OPTIONS] [FILE]\n"
	"\n"
	"Commands:\n"
	"  measures [FILE|-]   VaR/ES per portfolio from P&L (portfolio,scenario,pnl or HDF5 cube)\n"
	"  backtest [FILE|-]   Kupiec, Christoffersen and traffic light on date,var,pnl\n"
	"\n"
	"Common options:\n"
	"  -a, --alpha LIST    confidence levels, comma-separated (default 0.99)\n"
	"      --quantile DEF  kth (k-th worst loss, default) or linear (numpy)\n"
	"  -o, --output FILE   write to FILE atomically (default stdout)\n"
	"  -q, --quiet         no informational messages\n"
	"  -h, --help          this help;  --version  version\n"
	"\n"
	"See qe-var(1).\n";

enum { OPT_QUANTILE = 256, OPT_VERSION, OPT_SIGNIFICANCE };

static const struct option long_opts[] = {
	{"alpha", required_argument, NULL, 'a'},
	{"quantile", required_argument, NULL, OPT_QUANTILE},
	{"significance", required_argument, NULL, OPT_SIGNIFICANCE},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

#define MAX_ALPHA 16
struct opts {
	double alpha[MAX_ALPHA];
	int nalpha, qdef;
	double significance;
	const char *output, *input;
};

static void parse(int argc, char **argv, struct opts *o)
{
	int c;
	o->alpha[0] = 0.99;
	o->nalpha = 1;
	o->qdef = VAR_Q_KTH;
	o->significance = 0.05;
	while ((c = getopt_long(argc, argv, "a:o:qh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->nalpha = cli_double_list("--alpha", optarg, o->alpha, MAX_ALPHA);
			for (int i = 0; i < o->nalpha; i++)
				if (!(o->alpha[i] > 0 && o->alpha[i] < 1))
					cli_usage_error("option --alpha: %g is not in (0, 1)", o->alpha[i]);
			break;
		case OPT_QUANTILE:
			if ((o->qdef = var_quantile_parse(optarg)) < 0)
				cli_usage_error("option --quantile: unknown definition '%s' (kth, linear)", optarg);
			break;
		case OPT_SIGNIFICANCE:
			o->significance = cli_double("--significance", optarg);
			if (!(o->significance > 0 && o->significance < 1))
				cli_usage_error("option --significance: %g is not in (0, 1)", o->significance);
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'q':
			cli_quiet = 1;
			break;
		case 'h':
			cli_help(usage);
		case OPT_VERSION:
			cli_version();
		default:
			cli_usage_error("bad option");
		}
	}
	if (argc - optind > 1)
		cli_usage_error("too many arguments");
	o->input = optind < argc ? argv[optind] : "-";
}

static void open_out(qe_out *out, const struct opts *o, csv_writer *w)
{
	qe_err e;
	if (out_open(out, o->output, &e))
		cli_die_err(&e);
	csvw_init(w, out->fp);
}

static int commit(qe_out *out)
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
	double *res = malloc(c.npf * (size_t)o->nalpha * 2 * sizeof *res);
	if (!res)
		cli_die(QE_INTERNAL, "out of memory");
	for (size_t p = 0; p < c.npf; p++)
		for (int a = 0; a < o->nalpha; a++) {
			double *r = res + 2 * (p * (size_t)o->nalpha + (size_t)a);
			if (var_measure(c.pnl + p * c.nsc, c.nsc, o->alpha[a], o->qdef, scratch, &r[0], &r[1],
					&e)) {
				cli_die(e.code, "portfolio %s: %s", sidx_name(c.portfolios, p), e.msg);
			}
		}
	open_out(&out, o, &w);
	csvw_header(&w, hdr);
	for (size_t p = 0; p < c.npf; p++)
		for (int a = 0; a < o->nalpha; a++) {
			double *r = res + 2 * (p * (size_t)o->nalpha + (size_t)a);
			csvw_str(&w, sidx_name(c.portfolios, p));
			csvw_double(&w, o->alpha[a]);
			csvw_str(&w, var_quantile_name(o->qdef));
			csvw_int(&w, (int64_t)c.nsc);
			csvw_double(&w, r[0]);
			csvw_double(&w, r[1]);
			csvw_end(&w);
		}
	free(res);
	free(scratch);
	pcube_free(&c);
	return commit(&out);
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
	if (o->nalpha != 1)
		cli_usage_error("backtest takes one confidence level");
	if (bt_read_series(&s, o->input, &e))
		cli_die_err(&e);
	unsigned char *exc = malloc(s.n);
	if (!exc)
		cli_die(QE_INTERNAL, "out of memory");
	for (size_t i = 0; i < s.n; i++)
		exc[i] = s.pnl[i] < -s.var[i];
	bt_compute(exc, s.n, o->alpha[0], &r);
	int reject = r.kupiec_p < o->significance || r.cc_p < o->significance || r.zone == BT_RED;
	open_out(&out, o, &w);
	csvw_header(&w, hdr);
	csvw_int(&w, (int64_t)r.observations);
	csvw_int(&w, (int64_t)r.exceptions);
	csvw_double(&w, r.expected);
	csvw_double(&w, o->alpha[0]);
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
	commit(&out);
	if (reject)
		cli_info("model rejected at significance %g: %zu exceptions in %zu days (%g expected), zone %s",
			 o->significance, r.exceptions, r.observations, r.expected, bt_zone_name(r.zone));
	return reject ? QE_NEGATIVE : QE_OK;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	cli_init(argv[0]);
	if (argc < 2)
		cli_usage_error("missing COMMAND");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		cli_help(usage);
	if (strcmp(cmd, "--version") == 0)
		cli_version();
	if (cmd[0] == '-')
		cli_usage_error("unrecognized option '%s'", cmd);
	parse(argc - 1, argv + 1, &o);
	if (strcmp(cmd, "measures") == 0)
		return cmd_measures(&o);
	if (strcmp(cmd, "backtest") == 0)
		return cmd_backtest(&o);
	cli_usage_error("unknown command '%s'", cmd);
}
