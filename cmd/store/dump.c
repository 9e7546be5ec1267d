/* qe-store dump: a run written back as the CSV that was loaded
 * (lib/store/pg.h). */
#include <getopt.h>

#include "cli.h"
#include "store/store.h"

static const char usage[] =
	"usage: qe-store dump KIND [--run RUN_ID | --asof DATE] [-o FILE] [-d CONNINFO]\n"
	"\n"
	"Writes one run of KIND as CSV, byte for byte the file that was loaded when\n"
	"that file was written by a qe tool (header and column order as loaded, rows\n"
	"in file order, every number, date and timestamp as its text was).  Default:\n"
	"the run loaded last.\n"
	"\n"
	"  -r, --run RUN_ID        that run\n"
	"  -a, --asof DATE         the run loaded last for that as-of date\n"
	"  -o, --output FILE       write here (atomic) instead of stdout\n"
	STORE_HELP_COMMON
	"\n"
	"Exit status: 0 ok; 2 usage; 3 no such run; 4 I/O, connection or server error.\n";

int cmd_store_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{"run", required_argument, NULL, 'r'},    {"asof", required_argument, NULL, 'a'},
		{"output", required_argument, NULL, 'o'}, STORE_LONGOPTS_COMMON,
	};
	const char *conninfo = NULL, *run = NULL, *asof = NULL, *output = NULL;
	int c;
	while ((c = cli_sub_getopt("dump", argc, argv, ":r:a:o:d:qh", opts)) != -1) {
		switch (c) {
		case 'r': run = optarg; break;
		case 'a': asof = store_cmd_date("dump", optarg); break;
		case 'o': output = optarg; break;
		case 'd': conninfo = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		}
	}
	if (argc - optind != 1)
		cli_sub_usage_error("dump", argc - optind < 1 ? "KIND is required" : "unexpected argument '%s'",
				    argv[argc - 1]);
	if (run && asof)
		cli_sub_usage_error("dump", "--run and --asof exclude each other");
	const formats_table *t = store_cmd_kind("dump", argv[optind]);
	store_conn *conn = store_cmd_connect(conninfo);
	qe_out *o = cli_out_open(output);
	csv_writer w;
	csvw_init(&w, o->fp);
	qe_err e;
	long rows = 0;
	char run_out[128];
	int rc = store_dump(conn, t, run, asof, &w, &rows, run_out, &e);
	store_close(conn);
	if (rc)
		cli_die_err(&e);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	cli_info("%s: %ld rows of run %s", t->name, rows, run_out);
	return QE_OK;
}
