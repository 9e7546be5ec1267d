/* qe-store: the data contract's tables in PostgreSQL.  This file only
 * dispatches: each command is one file in cmd/store/ with its own options
 * and --help. */
#include "cli.h"
#include "store/store.h" /* the commands, one per file of cmd/store/ */

static const cli_command commands[] = {
	{"migrate", cmd_store_migrate},
	{"load", cmd_store_load},
	{"dump", cmd_store_dump},
};

static const char usage[] =
	"usage: qe-store COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  migrate [--loader ROLE] [--reader ROLE]   create or upgrade the schema (as its owner)\n"
	"  load KIND FILE --run RUN_ID [--asof D]    load a file as one run, replacing the run's rows\n"
	"  dump KIND [--run RUN_ID | --asof D]       write a run back as the CSV that was loaded\n"
	"\n"
	"The connection: -d CONNINFO (a libpq connection string or URI), else the\n"
	"PG* environment variables; passwords from ~/.pgpass or PGPASSFILE only.\n"
	"Each command takes its own options: see 'qe-store COMMAND --help'.\n"
	"  -h, --help          this help;  -V, --version  version\n"
	"\n"
	"See qe-store(1).\n";

int main(int argc, char **argv)
{
	cli_init(argv[0]);
	cli_log_option(&argc, argv);
	return cli_dispatch(argc, argv, commands, sizeof commands / sizeof commands[0], usage);
}
