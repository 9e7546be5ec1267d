/* qe-ingest: validate and normalize a data file against qe-formats(5);
 * canonical CSV or HDF5 out, rejects with reasons, CSV <-> HDF5. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "ingest/ingest.h"
#include "ingest/settle_cmd.h"
#include "io/infile.h"

#define SHOWN_REJECTS 100

static const char usage[] =
	"usage: qe-ingest KIND [FILE|-] [-o FILE] [--to csv|h5] [--rejects FILE]\n"
	"                 [--max-rejects N] [--markets FILE | --no-markets] [--calendars DIR]\n"
	"                 [--all-versions]\n"
	"       qe-ingest meters [FILE|-] [--tz ZONE] [--period 15|30|60] [--max-gap MIN] ...\n"
	"       qe-ingest --from h5 [TABLE] FILE [-o FILE]\n"
	"       qe-ingest cme-settle|ice-settle FILE [-o FILE] [--vols FILE] ... (see --help)\n"
	"\n"
	"Validates every record of FILE (stdin when absent or '-') against the\n"
	"contract of qe-formats(5) and writes the canonical rows.\n"
	"KIND: trades prices fixings vols rates history vol-history counterparties limits\n"
	"      meters weather markets fx-history headlines\n"
	"\n"
	"  -o, --output FILE     write here (atomically) instead of stdout\n"
	"      --to csv|h5       output format (h5 needs -o)\n"
	"      --from h5         convert an HDF5 table back to CSV\n"
	"      --table NAME      HDF5 table to read with --from (default: the only one)\n"
	"      --rejects FILE    write rejected records with line, column, value, reason\n"
	"      --max-rejects N   stop without writing the output once more than N\n"
	"                        records are rejected\n"
	"      --markets FILE    curve master (default: markets.csv next to FILE)\n"
	"      --no-markets      do not check curves or convert lots\n"
	"      --calendars DIR   trades: holiday files for the last trading days options are\n"
	"                        checked against (default: $QE_CALENDAR_DIR, else\n"
	"                        calendars/ next to the markets file, else the installed ones)\n"
	"      --all-versions    trades: keep every version instead of the live book\n"
	"      --tz ZONE         meters: market time zone (IANA name; default: UTC periods)\n"
	"      --period MIN      meters: settlement period, 15, 30 or 60 (default 60)\n"
	"      --max-gap MIN     meters: longest gap filled by interpolation (default 60)\n"
	"      --threads N       parser threads (default: OMP_NUM_THREADS or cores)\n"
	"  -q, --quiet           no counts or warnings on stderr\n"
	"  -h, --help            this help\n"
	"  -V, --version         version\n"
	"\n"
	"Exit status: 0 all records written; 3 records rejected (the good ones are\n"
	"still written) or bad input; 4 I/O error; 2 usage.\n";

enum { OPT_TO = 256, OPT_FROM, OPT_TABLE, OPT_REJECTS, OPT_MAXREJ, OPT_MARKETS, OPT_NOMARKETS,
       OPT_ALL, OPT_TZ, OPT_PERIOD, OPT_MAXGAP, OPT_THREADS, OPT_CALENDARS };

static const struct option longopts[] = {
	{"output", required_argument, NULL, 'o'},   {"to", required_argument, NULL, OPT_TO},
	{"from", required_argument, NULL, OPT_FROM}, {"table", required_argument, NULL, OPT_TABLE},
	{"rejects", required_argument, NULL, OPT_REJECTS},
	{"max-rejects", required_argument, NULL, OPT_MAXREJ},
	{"markets", required_argument, NULL, OPT_MARKETS},
	{"no-markets", no_argument, NULL, OPT_NOMARKETS},
	{"calendars", required_argument, NULL, OPT_CALENDARS},
	{"all-versions", no_argument, NULL, OPT_ALL}, {"tz", required_argument, NULL, OPT_TZ},
	{"period", required_argument, NULL, OPT_PERIOD},
	{"max-gap", required_argument, NULL, OPT_MAXGAP},
	{"threads", required_argument, NULL, OPT_THREADS}, {"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},           {"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0}};

static long shown;

void ingest_show_reject(void *ctx, const char *msg)
{
	(void)ctx;
	if (shown < SHOWN_REJECTS)
		cli_errorf("%s", msg);
	else if (shown == SHOWN_REJECTS)
		cli_errorf("further rejects not shown (see --rejects)");
	shown++;
}

/* Copies a spooled stdout output to stdout. */
static int copy_out(FILE *from, FILE *to, qe_err *e)
{
	char buf[1 << 16];
	size_t n;
	if (fflush(from) != 0 || fseek(from, 0, SEEK_SET) != 0)
		return qe_err_set(e, QE_IO, "temporary file: %s", strerror(errno));
	while ((n = fread(buf, 1, sizeof buf, from)) > 0)
		if (fwrite(buf, 1, n, to) != n)
			return qe_err_set(e, QE_IO, "<stdout>: write error: %s", strerror(errno));
	return ferror(from) ? qe_err_set(e, QE_IO, "temporary file: read error") : 0;
}

static int from_h5(const char *table, const char *path, const char *out_path)
{
	qe_err e;
	long rows;
	qe_out *out = cli_out_open(out_path);
	if (ingest_h5_to_csv(path, table, out->fp, &rows, &e))
		cli_die_err(&e);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	cli_info("%s: %ld rows", path, rows);
	return QE_OK;
}

/* markets.csv in the input's directory, when there is one. */
char *ingest_markets_beside(const char *input)
{
	if (!input || strcmp(input, "-") == 0)
		return NULL;
	char *copy = strdup(input), *path = NULL;
	if (!copy)
		return NULL;
	const char *dir = dirname(copy);
	if (asprintf(&path, "%s/markets.csv", dir) < 0)
		path = NULL;
	free(copy);
	if (path && access(path, R_OK) != 0) {
		free(path);
		path = NULL;
	}
	return path;
}

int main(int argc, char **argv)
{
	const char *out_path = NULL, *rejects_path = NULL, *markets_path = NULL, *tzname = NULL;
	const char *table = NULL, *calendars = NULL;
	int to_h5 = 0, from = 0, no_markets = 0, c;
	ingest_opts o = {.max_rejects = -1, .period_min = 60};
	cli_init(argv[0]);
	cli_log_option(&argc, argv);
	if (argc > 1 && (strcmp(argv[1], "cme-settle") == 0 || strcmp(argv[1], "ice-settle") == 0))
		return cmd_ingest_settle(argc - 1, argv + 1);
	while ((c = cli_getopt(argc, argv, "o:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		case OPT_TO:
			if (strcmp(optarg, "h5") && strcmp(optarg, "csv"))
				cli_usage_error("--to: expected csv or h5, got '%s'", optarg);
			to_h5 = strcmp(optarg, "h5") == 0;
			break;
		case OPT_FROM:
			if (strcmp(optarg, "h5"))
				cli_usage_error("--from: only h5 is supported, got '%s'", optarg);
			from = 1;
			break;
		case OPT_TABLE: table = optarg; break;
		case OPT_REJECTS: rejects_path = optarg; break;
		case OPT_MAXREJ: o.max_rejects = cli_int("--max-rejects", optarg, 0, INT64_MAX / 2); break;
		case OPT_MARKETS: markets_path = optarg; break;
		case OPT_NOMARKETS: no_markets = 1; break;
		case OPT_CALENDARS: calendars = optarg; break;
		case OPT_ALL: o.all_versions = 1; break;
		case OPT_TZ: tzname = optarg; break;
		case OPT_PERIOD: o.period_min = (int)cli_int("--period", optarg, 15, 60); break;
		case OPT_MAXGAP: o.max_gap_min = (int)cli_int("--max-gap", optarg, -1, 100000); break;
		case OPT_THREADS: o.threads = (int)cli_int("--threads", optarg, 1, 64); break;
		default: cli_common_option(c, usage);
		}
	}
	int nargs = argc - optind;
	if (from) {
		if (nargs < 1 || nargs > 2)
			cli_usage_error("--from h5: expected [TABLE] FILE");
		if (nargs == 2)
			table = argv[optind];
		return from_h5(table, argv[argc - 1], out_path);
	}
	if (nargs < 1)
		cli_usage_error("missing KIND (trades, prices, ...)");
	if (nargs > 2)
		cli_usage_error("too many arguments");
	o.s = schema_find(argv[optind]);
	if (!o.s && strcmp(argv[optind], "fx-history") == 0)
		o.s = schema_get(FMT_FX_HISTORY); /* the kind's table is fx_history */
	if (!o.s || o.s->kind == FMT_METER_PERIODS)
		cli_usage_error("unknown KIND '%s'", argv[optind]);
	const char *input = nargs == 2 ? argv[optind + 1] : "-";
	if (to_h5 && (!out_path || strcmp(out_path, "-") == 0))
		cli_usage_error("--to h5 needs -o FILE");
	if (o.period_min != 15 && o.period_min != 30 && o.period_min != 60)
		cli_usage_error("--period: expected 15, 30 or 60");

	qe_err e;
	qe_tz *tz = NULL;
	if (o.s->kind == FMT_METERS) {
		/* without --tz, periods are aligned on UTC and offsets not checked */
		if (!(tz = tzname ? tz_load(tzname, &e) : tz_fixed(0)))
			cli_usage_error("--tz: %s", e.msg);
		o.tz = tz;
		o.check_offsets = tzname != NULL;
	}
	char *mpath = NULL;
	schema_markets *mk = NULL;
	if (!no_markets && o.s->kind != FMT_MARKETS) {
		mpath = markets_path ? strdup(markets_path) : ingest_markets_beside(input);
		if (mpath && !(mk = schema_markets_load(mpath, &e)))
			cli_die_err(&e);
		/* options are checked against their future's last trading day;
		 * without the calendars every option is rejected with the reason,
		 * everything else is still validated */
		if (mk && o.s->kind == FMT_TRADES &&
		    schema_markets_load_calendars(mk, cli_calendar_dir(calendars, mpath), &e))
			cli_warnf("%s: option expiries cannot be checked (options are rejected)", e.msg);
	}
	o.markets = mk;

	FILE *in = stdin;
	const char *name = "<stdin>";
	int gzip = 0;
	if (!(in = infile_open(input, &gzip, &e))) /* .csv.gz too */
		cli_die_err(&e);
	if (strcmp(input, "-") != 0) {
		name = input;
		struct stat st;
		if (!gzip && fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
			o.size_hint = st.st_size;
	}

	/* output and rejects are committed together (cli.h) */
	qe_out *out = NULL, *rej = NULL;
	h5file *h5 = NULL;
	FILE *spool = NULL;
	ingest_sink sink = {.on_reject = ingest_show_reject};
	if (to_h5) {
		sink.h5 = h5 = cli_h5_create(out_path);
	} else {
		out = cli_out_open(out_path);
		/* stdout cannot be taken back: spool it when the run may abort
		 * after rows were written */
		if (out->fp == stdout && o.max_rejects >= 0 && ingest_writes_early(&o) &&
		    !out_is_null(out->fp) && !(spool = tmpfile()))
			cli_die(QE_IO, "cannot create a temporary file: %s", strerror(errno));
		/* the null device: validate and count, write nothing */
		sink.csv = spool ? spool : out_is_null(out->fp) ? NULL : out->fp;
	}
	if (rejects_path)
		sink.rejects = (rej = cli_out_open(rejects_path))->fp;

	/* for tests: small blocks exercise the block boundaries */
	const char *bs = getenv("QE_INGEST_BLOCK_SIZE");
	if (bs && *bs)
		o.block_size = (size_t)cli_int("QE_INGEST_BLOCK_SIZE", bs, 4096, (int64_t)1 << 32);

	ingest_counts n;
	cli_progress_inputs(&input, 1);
	int rc = ingest_run(in, name, &o, &sink, &n, &e);
	cli_progress_end();
	if (in != stdin)
		fclose(in);
	if (!rc && spool)
		rc = copy_out(spool, out->fp, &e);
	if (rc) {
		cli_error(&e);
		/* too many rejects: no output, but the rejects so far are kept */
		if (rc == QE_DATA && rej) {
			if (h5)
				h5file_abort(h5);
			else
				cli_out_discard(out);
			qe_err ce;
			/* the rejects that cannot be written are an I/O error */
			if (cli_outputs_commit(&ce)) {
				cli_error(&ce);
				rc = ce.code;
			}
		}
		if (spool)
			fclose(spool);
		schema_markets_free(mk);
		free(mpath);
		tz_free(tz);
		return rc; /* the exit hook removes what was not committed */
	}
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	if (n.superseded)
		cli_info("%s: %ld read, %ld written, %ld rejected, %ld superseded", name, n.read,
			 n.written, n.rejected, n.superseded);
	else
		cli_info("%s: %ld read, %ld written, %ld rejected", name, n.read, n.written, n.rejected);
	if (o.s->kind == FMT_METERS)
		cli_info("%s: %ld settlement periods (%ld actual, %ld estimated, %ld missing); "
			 "%ld duplicates, %ld negative, %ld outliers, %ld intervals filled",
			 name, n.meters.rows, n.meters.rows_actual, n.meters.rows_estimated,
			 n.meters.rows_missing, n.meters.duplicates, n.meters.negatives,
			 n.meters.outliers, n.meters.filled);
	if (spool)
		fclose(spool);
	schema_markets_free(mk);
	free(mpath);
	tz_free(tz);
	return n.rejected ? QE_DATA : QE_OK;
}
