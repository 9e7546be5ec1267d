/* qe-synth: writes a deterministic synthetic market and book (lib/synth). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "core/date.h"
#include "synth/synth.h"

static const char usage[] =
	"usage: qe-synth [--seed S] [--trades N] [--asof DATE] [--months M]\n"
	"                [--history-days D] [--calendars DIR] [--prev] -d DIR\n"
	"       qe-synth [OPTIONS] --only KIND [-o FILE]\n"
	"       qe-synth [OPTIONS] --format cme|ice [--strikes N] [-o FILE]\n"
	"\n"
	"Writes a deterministic synthetic energy market and trading book in the\n"
	"formats of qe-formats(5): the same seed gives the same bytes.\n"
	"\n"
	"  -s, --seed S          random seed (default 1)\n"
	"  -n, --trades N        trade ids in the book (default 1000); amendments\n"
	"                        and cancels add rows\n"
	"  -a, --asof DATE       valuation date YYYY-MM-DD (default 2026-11-25)\n"
	"  -m, --months M        monthly forward points after the as-of month (36)\n"
	"  -H, --history-days D  weekdays of price history ending at the as-of date (750)\n"
	"  -c, --calendars DIR   holiday files (default $QE_CALENDAR_DIR, else the\n"
	"                        installed ones; in the source tree give data/calendars)\n"
	"  -d, --dir DIR         write every file (or the --only one) into DIR\n"
	"      --prev            -d: also the previous as-of date's market and book\n"
	"                        in DIR/prev/ (for qe-report pnl)\n"
	"  -k, --only KIND       write one kind: markets prices vols rates history\n"
	"                        fixings trades counterparties limits meters weather\n"
	"                        vol-history fx_history islamic_terms headlines load\n"
	"                        prev-prices prev-vols prev-rates prev-fixings prev-fx\n"
	"                        prev-trades\n"
	"  -o, --output FILE     output of --only or --format (default stdout)\n"
	"      --format cme|ice  write the market as CME's settlement CSV or ICE's\n"
	"                        settlement report (qe-ingest cme-settle, ice-settle)\n"
	"      --strikes N       --format: option strikes per month and code (default 9)\n"
	"  -q, --quiet           no summary on stderr\n"
	"  -h, --help            this help\n"
	"  -V, --version         version\n"
	"\n"
	"Exit status: 0 ok, 2 usage, 3 bad calendar data, 4 I/O error.\n";

/* The outputs of a run are committed together: a directory gets every
 * file or, after a failure or a signal, none (cli.h). */
static int write_kind(synth *s, int kind, const char *path)
{
	qe_err e;
	qe_err_clear(&e);
	qe_out *o = cli_out_open(path);
	cli_progress_writing(o->fp);
	if (synth_write(s, kind, o->fp, &e))
		return cli_error(&e), e.code;
	return 0;
}

/* --format: the market as one exchange settlement file. */
static int write_exchange(const synth_cfg *cfg, const char *format, int strikes, const char *output)
{
	qe_err e;
	qe_err_clear(&e);
	synth *s = synth_new(cfg, &e);
	if (!s)
		cli_die_err(&e);
	qe_out *o = cli_out_open(output);
	int rc = synth_write_exchange(s, format, strikes, o->fp, &e);
	synth_free(s);
	if (rc || cli_outputs_commit(&e))
		cli_die_err(&e);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seed", required_argument, NULL, 's'},
		{"trades", required_argument, NULL, 'n'},
		{"asof", required_argument, NULL, 'a'},
		{"months", required_argument, NULL, 'm'},
		{"history-days", required_argument, NULL, 'H'},
		{"calendars", required_argument, NULL, 'c'},
		{"dir", required_argument, NULL, 'd'},
		{"only", required_argument, NULL, 'k'},
		{"output", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'F'},
		{"strikes", required_argument, NULL, 'S'},
		{"prev", no_argument, NULL, 'P'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	synth_cfg cfg;
	const char *dir = NULL, *output = NULL, *format = NULL;
	int strikes = 9;
	int only = -1, ch, prev = 0;

	cli_init(argv[0]);
	cli_log_option(&argc, argv);
	synth_cfg_default(&cfg);
	while ((ch = cli_getopt(argc, argv, "s:n:a:m:H:c:d:k:o:qhV", opts, NULL)) != -1) {
		switch (ch) {
		case 's': cfg.seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case 'n': cfg.trades = cli_int("--trades", optarg, 0, 99999999); break;
		case 'a':
			if (date_parse_z(optarg, &cfg.asof) != 0)
				cli_usage_error("option --asof: not a date YYYY-MM-DD '%s'", optarg);
			break;
		case 'm': cfg.months = (int)cli_int("--months", optarg, 1, 120); break;
		case 'H': cfg.history_days = (int)cli_int("--history-days", optarg, 30, 5000); break;
		case 'c': cfg.calendar_dir = optarg; break;
		case 'd': dir = optarg; break;
		case 'k':
			only = synth_kind_parse(optarg);
			if (only < 0)
				cli_usage_error("option --only: unknown kind '%s'", optarg);
			break;
		case 'o': output = optarg; break;
		case 'F':
			if (strcmp(optarg, "cme") && strcmp(optarg, "ice"))
				cli_usage_error("option --format: expected cme or ice, got '%s'", optarg);
			format = optarg;
			break;
		case 'S': strikes = (int)cli_int("--strikes", optarg, 1, 10000); break;
		case 'P': prev = 1; break;
		default: cli_common_option(ch, usage);
		}
	}
	cli_no_operands(argc, argv);
	cfg.calendar_dir = cli_calendar_dir(cfg.calendar_dir, NULL);
	if (format && (dir || only >= 0))
		cli_usage_error("--format goes with -o, not with -d or --only");
	if (format)
		return write_exchange(&cfg, format, strikes, output);
	if (!dir && only < 0)
		cli_usage_error("give -d DIR (all files) or --only KIND");
	if (dir && output)
		cli_usage_error("-o goes with --only, not with -d");
	if (output && only < 0)
		cli_usage_error("-o needs --only KIND");
	if (prev && !dir)
		cli_usage_error("--prev goes with -d DIR");
	int nkinds = prev && only < 0 ? SYNTH_NKINDS : SYNTH_NBASE;
	if (only >= SYNTH_NBASE)
		nkinds = SYNTH_NKINDS;
	if (dir && mkdir(dir, 0777) != 0 && errno != EEXIST)
		cli_die(QE_IO, "%s: cannot create directory: %s", dir, strerror(errno));
	if (dir && nkinds > SYNTH_NBASE) {
		size_t n = strlen(dir) + 8;
		char *sub = malloc(n);
		if (!sub)
			cli_die(QE_INTERNAL, "out of memory");
		snprintf(sub, n, "%s/prev", dir);
		if (mkdir(sub, 0777) != 0 && errno != EEXIST)
			cli_die(QE_IO, "%s: cannot create directory: %s", sub, strerror(errno));
		free(sub);
	}

	qe_err e;
	qe_err_clear(&e);
	synth *s = synth_new(&cfg, &e);
	if (!s)
		cli_die_err(&e);
	int rc = 0, step = 0;
	cli_progress_steps(only >= 0 ? 1 : nkinds);
	for (int k = 0; k < nkinds && rc == 0; k++) {
		if (only >= 0 && k != only)
			continue;
		cli_progress_step(step++, synth_kind_file(k));
		if (dir) {
			size_t n = strlen(dir) + strlen(synth_kind_file(k)) + 2;
			char *path = malloc(n);
			if (!path)
				cli_die(QE_INTERNAL, "out of memory");
			snprintf(path, n, "%s/%s", dir, synth_kind_file(k));
			rc = write_kind(s, k, path);
			free(path);
		} else {
			rc = write_kind(s, k, output);
		}
	}
	synth_free(s);
	if (rc == 0 && (rc = cli_outputs_commit(&e)) != 0)
		cli_error(&e);
	if (rc == 0 && dir)
		cli_info("wrote %s (seed %llu, %lld trades)", dir, (unsigned long long)cfg.seed,
			 (long long)cfg.trades);
	return rc;
}
