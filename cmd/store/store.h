/* The commands of qe-store, one per file of cmd/store/, and their shared
 * pieces (common.c). */
#ifndef QE_CMD_STORE_H
#define QE_CMD_STORE_H

#include "io/formats.h"
#include "store/pg.h"

int cmd_store_migrate(int argc, char **argv);
int cmd_store_load(int argc, char **argv);
int cmd_store_dump(int argc, char **argv);

/* The options every command takes, in its help and its option table. */
#define STORE_HELP_COMMON                                                                  \
	"  -d, --dbname CONNINFO   libpq connection string or URI (default: PG* variables)\n" \
	"  -q, --quiet             no summary on stderr\n"                                     \
	"  -h, --help              this help\n"
#define STORE_LONGOPTS_COMMON                                                          \
	{"dbname", required_argument, NULL, 'd'}, {"quiet", no_argument, NULL, 'q'},   \
		{"help", no_argument, NULL, 'h'}, { NULL, 0, NULL, 0 }

/* The kind named on the command line (a usage error when unknown). */
const formats_table *store_cmd_kind(const char *sub, const char *name);
/* Connects (conninfo NULL: the environment); a failure is fatal (exit 4
 * for the server, 2 for a password in the connection string). */
store_conn *store_cmd_connect(const char *conninfo);
/* A --asof value: YYYY-MM-DD, else a usage error. */
const char *store_cmd_date(const char *sub, const char *arg);

#endif
