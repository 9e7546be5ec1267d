/* qe-store load: one file of one kind as one run (lib/store/pg.h). */
#include <getopt.h>

#include "cli.h"
#include "store/store.h"

static const char usage[] =
	"usage: qe-store load KIND FILE --run RUN_ID [--asof DATE] [-d CONNINFO]\n"
	"\n"
	"Checks FILE (CSV of KIND, qe-formats(5); - for stdin, .gz read) against its\n"
	"columns and loads it with COPY into table qe.KIND as run RUN_ID, in one\n"
	"transaction that first deletes the run's rows: a reload replaces them, and a\n"
	"bad record, a lost connection or any error leaves the database as it was.\n"
	"\n"
	"  -r, --run RUN_ID        the run the rows belong to (required)\n"
	"  -a, --asof DATE         as-of date of the run (default: the file's asof\n"
	"                          column, else the date YYYY-MM-DD in RUN_ID)\n"
	STORE_HELP_COMMON
	"\n"
	"Exit status: 0 ok; 2 usage; 3 the file fails its checks; 4 I/O, connection,\n"
	"server, permission error or a schema that needs qe-store migrate.\n";

int cmd_store_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{"run", required_argument, NULL, 'r'},    {"asof", required_argument, NULL, 'a'},
		STORE_LONGOPTS_COMMON,
	};
	const char *conninfo = NULL;
	store_load_opts o = {0};
	int c;
	while ((c = cli_sub_getopt("load", argc, argv, ":r:a:d:qh", opts)) != -1) {
		switch (c) {
		case 'r': o.run = optarg; break;
		case 'a': o.asof = store_cmd_date("load", optarg); break;
		case 'd': conninfo = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		}
	}
	if (argc - optind != 2)
		cli_sub_usage_error("load", argc - optind < 2 ? "KIND and FILE are required" : "unexpected argument '%s'",
				    argv[argc - 1]);
	if (!o.run)
		cli_sub_usage_error("load", "--run is required");
	o.t = store_cmd_kind("load", argv[optind]);
	o.path = argv[optind + 1];
	store_conn *conn = store_cmd_connect(conninfo);
	qe_err e;
	long rows = 0;
	char asof[11];
	int rc = store_load(conn, &o, &rows, asof, &e);
	store_close(conn);
	if (rc)
		cli_die_err(&e);
	cli_info("%s: %ld rows loaded as run %s (as of %s)", o.t->name, rows, o.run, asof);
	return QE_OK;
}
