/*
 * pg: the data contract's tables in PostgreSQL over libpq - the schema
 * made or upgraded by its owner (store_migrate), a file of one kind
 * loaded as one run (store_load: COPY FROM STDIN in one transaction that
 * first deletes the run's rows, so a reload replaces them and a failure
 * anywhere leaves the database as it was) and a run written back as the
 * same CSV (store_dump).  The tables are those of store/ddl.
 *
 * The connection comes from libpq's own sources: a conninfo string or
 * URI, the PG* environment, ~/.pgpass or PGPASSFILE, the service file.  A
 * conninfo holding a password is refused (it would show in ps and shell
 * history).  Errors are QE_USAGE (a password in the conninfo, no as-of
 * date), QE_DATA (a file that fails the contract, an unknown run) or
 * QE_IO (the file, the connection, the server, the schema's version).
 *
 * Owns its PGconn (store_close).  Never prints, never exits: libpq's
 * notices are kept off stderr (a notice processor that drops them).
 */
#ifndef QE_STORE_PG_H
#define QE_STORE_PG_H

#include "core/diag.h"
#include "io/csvio.h"
#include "io/formats.h"

typedef struct store_conn store_conn;

/* Connects with conninfo (NULL or "": libpq's defaults and environment). */
store_conn *store_connect(const char *conninfo, qe_err *e);
void store_close(store_conn *c);

/* Creates or upgrades the schema to FORMATS_VERSION in one transaction;
 * grants a loading and a reading role when named (NULL: none).  *from is
 * the version found (0: none).  A database at a newer version is QE_IO. */
int store_migrate(store_conn *c, const char *loader, const char *reader, int *from, qe_err *e);

typedef struct store_load_opts {
	const formats_table *t; /* the kind */
	const char *path;       /* the CSV file ("-": stdin; gzip read too) */
	const char *run;        /* the run id */
	const char *asof;       /* YYYY-MM-DD, or NULL: the file's asof column,
				 * else the date in the run id */
} store_load_opts;

/* Loads one file as run o->run, replacing the run's rows of that kind.
 * Every record is checked against the kind's columns (ingest/schema's row
 * validator) as it streams to the server; the first bad one aborts the
 * transaction (QE_DATA, "file:line:col: column 'x': reason 'value'").
 * *rows: records loaded; *asof (11 bytes): the as-of date used. */
int store_load(store_conn *c, const store_load_opts *o, long *rows, char *asof, qe_err *e);

/* Writes run `run` of kind t (NULL: with as-of date `asof`, or when that
 * is NULL too the latest run loaded) to w, with the header and columns it
 * was loaded with, the rows in file order.  run_out (128 bytes): the run
 * written. */
int store_dump(store_conn *c, const formats_table *t, const char *run, const char *asof,
	       csv_writer *w, long *rows, char *run_out, qe_err *e);

#endif
