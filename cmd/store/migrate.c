/* qe-store migrate: creates or upgrades the schema (lib/store/pg.h). */
#include <getopt.h>

#include "cli.h"
#include "store/store.h"

static const char usage[] =
	"usage: qe-store migrate [-d CONNINFO] [--loader ROLE] [--reader ROLE]\n"
	"\n"
	"Creates the schema qe (one table per file kind of qe-formats(5)) or upgrades it\n"
	"to this qe-store's schema version, in one transaction, as the role that owns it.\n"
	"Run again at any time: it only adds what is missing.\n"
	"\n"
	"      --loader ROLE       grant ROLE what qe-store load needs (no DDL right)\n"
	"      --reader ROLE       grant ROLE read access (qe-store dump, queries)\n"
	STORE_HELP_COMMON
	"\n"
	"Exit status: 0 ok; 2 usage; 4 connection, server or permission error.\n";

int cmd_store_migrate(int argc, char **argv)
{
	enum { OPT_LOADER = 256, OPT_READER };
	static const struct option opts[] = {
		{"loader", required_argument, NULL, OPT_LOADER},
		{"reader", required_argument, NULL, OPT_READER},
		STORE_LONGOPTS_COMMON,
	};
	const char *conninfo = NULL, *loader = NULL, *reader = NULL;
	int c;
	while ((c = cli_sub_getopt("migrate", argc, argv, ":d:qh", opts)) != -1) {
		switch (c) {
		case 'd': conninfo = optarg; break;
		case OPT_LOADER: loader = optarg; break;
		case OPT_READER: reader = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		}
	}
	if (optind < argc)
		cli_sub_usage_error("migrate", "unexpected argument '%s'", argv[optind]);
	store_conn *conn = store_cmd_connect(conninfo);
	qe_err e;
	int from = 0;
	int rc = store_migrate(conn, loader, reader, &from, &e);
	store_close(conn);
	if (rc)
		cli_die_err(&e);
	if (from == FORMATS_VERSION)
		cli_info("schema version %d: up to date", FORMATS_VERSION);
	else if (from)
		cli_info("schema version %d: upgraded from %d", FORMATS_VERSION, from);
	else
		cli_info("schema version %d: created", FORMATS_VERSION);
	return QE_OK;
}
