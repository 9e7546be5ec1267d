/*
 * ddl: the PostgreSQL schema of the data contract, generated from the
 * column definitions of io/formats (one table per file kind, in schema
 * "qe"), and the text rules that make a stored file come back byte for
 * byte: which field texts PostgreSQL prints back unchanged from its typed
 * column, and the escaping of COPY's text format both ways.
 *
 * A kind's table has the run's columns qe_run (the run id), qe_asof (the
 * as-of date of the load) and qe_row (the record's position in the file),
 * then qe_extra (the fields of columns the file had that the kind does
 * not define, which the tools ignore, as a text array), then every
 * column of the kind in header order, typed: CT_NUM numeric,
 * CT_INT bigint, CT_DATE date, CT_TS timestamptz, the rest text.  A typed
 * column has a companion "<name>__text" holding the field as written when
 * the typed value would not print back as the same text (1e-05, 007, a
 * timestamp's offset): NULL otherwise.  Large kinds are partitioned by
 * month of qe_asof; partitions are made by qe.ensure_partition, a
 * SECURITY DEFINER function of the schema's owner, so a loading role needs
 * no DDL right.  The primary key is (qe_run, qe_row) (with qe_asof first
 * when partitioned); the contract's key columns and qe_asof are indexed.
 *
 * Owns nothing; pure text building, no I/O.  Never prints, never exits.
 */
#ifndef QE_STORE_DDL_H
#define QE_STORE_DDL_H

#include <stddef.h>

#include "core/strbuf.h"
#include "io/formats.h"

#define STORE_SCHEMA "qe"
/* the suffix of a typed column's source text companion */
#define STORE_TEXT_SUFFIX "__text"

/* The SQL table name of a kind ("vol-history" -> "vol_history"); cap >= 64. */
void store_table_name(const formats_table *t, char *buf, size_t cap);
/* The kind of a table name or a kind name (either spelling); NULL if none. */
const formats_table *store_find_kind(const char *name);
/* 1 for the large kinds, partitioned by month of qe_asof. */
int store_partitioned(const formats_table *t);
/* The SQL type of a column type (enum formats_type). */
const char *store_sql_type(int type);
/* 1 when a column of this type is typed (not text) and has a companion. */
int store_typed(int type);

/* 1 when PostgreSQL prints the value of field s[0..len) (already valid for
 * its type) back as exactly s: then the companion stays NULL. */
int store_text_exact(int type, const char *s, size_t len);

/* The whole schema, idempotent (IF NOT EXISTS / ADD COLUMN IF NOT EXISTS):
 * the schema, its version table, the loads table, the registry of kinds,
 * ensure_partition and every kind's table with its indexes; run by
 * qe-store migrate as the schema's owner, in one transaction. */
void store_ddl_all(strbuf *out);
/* One kind's table and indexes (part of store_ddl_all). */
void store_ddl_table(const formats_table *t, strbuf *out);
/* GRANTs of a loading role (may be NULL) and a reading role (may be
 * NULL): the loader inserts, deletes and reads the kinds' rows, records
 * its loads and makes partitions through ensure_partition; the reader
 * only selects.  Role names are quoted here. */
void store_ddl_grants(const char *loader, const char *reader, strbuf *out);

/* Appends identifier s as a quoted SQL identifier ("a""b"). */
void store_put_ident(strbuf *b, const char *s);
/* Appends s[0..len) as one field of COPY's text format (backslash, tab,
 * newline and carriage return escaped). */
void store_copy_field(strbuf *b, const char *s, size_t len);
/* Appends a PostgreSQL array literal of n texts ({"a","b\\"c",NULL});
 * vals[i] NULL: a NULL element. */
void store_array_literal(strbuf *b, const char *const *vals, const size_t *lens, int n);
/* Unescapes one field of COPY's text format in place; returns its new
 * length, or -1 for "\N" (NULL). */
long store_copy_unescape(char *s, size_t len);

#endif
