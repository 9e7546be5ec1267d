#include "store/pg.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/num.h"
#include "ingest/schema.h"
#include "store/ddl.h"

struct store_conn {
	PGconn *pg;
};

/* libpq's notices (NOTICE: relation exists, skipping) would go to stderr */
static void drop_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* libpq's message, which ends in a newline, trimmed */
static int pg_fail(PGconn *pg, qe_err *e, int code, const char *what)
{
	const char *m = PQerrorMessage(pg);
	int n = (int)strlen(m);
	while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	return qe_err_set(e, code, "%s: %.*s", what, n, n ? m : "unknown error");
}

static int res_fail(PGconn *pg, PGresult *r, qe_err *e, int code, const char *what)
{
	const char *m = r ? PQresultErrorMessage(r) : "";
	int n = (int)strlen(m);
	while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	PQclear(r);
	if (!n)
		return pg_fail(pg, e, code, what);
	return qe_err_set(e, code, "%s: %.*s", what, n, m);
}

/* Runs sql (no result rows wanted); 0 or QE_IO. */
static int exec_ok(PGconn *pg, const char *sql, qe_err *e, const char *what)
{
	PGresult *r = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return res_fail(pg, r, e, QE_IO, what);
	PQclear(r);
	return 0;
}

static PGresult *exec_params(PGconn *pg, const char *sql, int n, const char *const *vals)
{
	return PQexecParams(pg, sql, n, NULL, vals, NULL, NULL, 0);
}

static void rollback(PGconn *pg)
{
	if (PQstatus(pg) == CONNECTION_OK)
		PQclear(PQexec(pg, "ROLLBACK"));
}

store_conn *store_connect(const char *conninfo, qe_err *e)
{
	const char *info = conninfo ? conninfo : "";
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(info, &perr);
	if (!opts) {
		qe_err_set(e, QE_USAGE, "bad connection string: %s", perr ? perr : "out of memory");
		PQfreemem(perr);
		return NULL;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && *o->val) {
			PQconninfoFree(opts);
			qe_err_set(e, QE_USAGE,
				   "the connection string holds a password: put it in ~/.pgpass or PGPASSFILE");
			return NULL;
		}
	PQconninfoFree(opts);

	const char *keys[] = {"dbname", "fallback_application_name", "options", NULL};
	const char *vals[] = {info, "qe-store", "-c DateStyle=ISO,YMD -c IntervalStyle=postgres", NULL};
	store_conn *c = calloc(1, sizeof *c);
	if (!c) {
		qe_err_set(e, QE_INTERNAL, "out of memory");
		return NULL;
	}
	c->pg = PQconnectdbParams(keys, vals, 1);
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		if (c->pg)
			pg_fail(c->pg, e, QE_IO, "cannot connect");
		else
			qe_err_set(e, QE_IO, "cannot connect: out of memory");
		store_close(c);
		return NULL;
	}
	PQsetNoticeProcessor(c->pg, drop_notice, NULL);
	return c;
}

void store_close(store_conn *c)
{
	if (!c)
		return;
	PQfinish(c->pg);
	free(c);
}

/* The schema's version in the database: 0 when there is none yet. */
static int db_version(PGconn *pg, int *v, qe_err *e)
{
	PGresult *r = PQexec(pg, "SELECT to_regclass('" STORE_SCHEMA ".schema_version') IS NOT NULL");
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return res_fail(pg, r, e, QE_IO, "schema version");
	int exists = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	*v = 0;
	if (!exists)
		return 0;
	r = PQexec(pg, "SELECT coalesce(max(version), 0) FROM " STORE_SCHEMA ".schema_version");
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return res_fail(pg, r, e, QE_IO, "schema version");
	*v = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int store_migrate(store_conn *c, const char *loader, const char *reader, int *from, qe_err *e)
{
	PGconn *pg = c->pg;
	strbuf sql = {0};
	int rc = exec_ok(pg, "BEGIN", e, "migrate");
	/* one migration at a time: the second waits, then finds nothing to do */
	if (!rc)
		rc = exec_ok(pg, "SELECT pg_advisory_xact_lock(hashtext('qe-store migrate'))", e, "migrate");
	if (!rc)
		rc = db_version(pg, from, e);
	if (!rc && *from > FORMATS_VERSION)
		rc = qe_err_set(e, QE_IO,
				"the database's schema is version %d, newer than this qe-store's %d: use a newer qe-store",
				*from, FORMATS_VERSION);
	if (!rc) {
		store_ddl_all(&sql);
		store_ddl_grants(loader, reader, &sql);
		char v[160];
		snprintf(v, sizeof v,
			 "DELETE FROM " STORE_SCHEMA ".schema_version;\n"
			 "INSERT INTO " STORE_SCHEMA ".schema_version (version) VALUES (%d);\n",
			 FORMATS_VERSION);
		strbuf_put(&sql, v, strlen(v) + 1); /* with its NUL */
		rc = sql.oom ? qe_err_set(e, QE_INTERNAL, "out of memory") : exec_ok(pg, sql.p, e, "migrate");
	}
	if (!rc)
		rc = exec_ok(pg, "COMMIT", e, "migrate: commit");
	if (rc)
		rollback(pg);
	strbuf_free(&sql);
	return rc;
}

/* --- load ---------------------------------------------------------------- */

#define COPY_CHUNK (256 * 1024)

typedef struct loader {
	PGconn *pg;
	const formats_table *t;
	csv_reader *r;
	schema_ctx ctx;
	int colmap[64];
	csvscan_field f[64];
	strbuf canon, copy, arr;
	int extra[64], nextra; /* the file's columns the kind does not define */
	const char *run;
	char asof[11];
	long rows;
} loader;

/* The as-of date of a load with no --asof: the file's asof column in its
 * first record, else the first date YYYY-MM-DD in the run id. */
static int find_asof(loader *L, int have_row, qe_err *e)
{
	int col = formats_colidx(L->t, "asof");
	qe_date d;
	if (have_row && col >= 0 && L->t->cols[col].type == CT_DATE && L->colmap[col] >= 0) {
		size_t len;
		const char *s = csvr_field(L->r, L->colmap[col], &len);
		if (date_parse(s, len, &d) == 0) {
			memcpy(L->asof, s, 10), L->asof[10] = '\0';
			return 0;
		}
	}
	for (const char *p = L->run; strlen(p) >= 10; p++)
		if (date_parse(p, 10, &d) == 0) {
			memcpy(L->asof, p, 10), L->asof[10] = '\0';
			return 0;
		}
	return qe_err_set(e, QE_USAGE, "%s: no as-of date: the run id '%s' holds none and the file no asof column; give --asof",
			  csvr_name(L->r), L->run);
}

/* Appends record's COPY line to L->copy after checking it; 0 or QE_DATA. */
static int put_record(loader *L, qe_err *e)
{
	int nf = csvr_nfields(L->r);
	if (nf > 64)
		nf = 64;
	for (int i = 0; i < nf; i++)
		L->f[i].p = csvr_field(L->r, i, &L->f[i].len);
	row_check rc;
	L->canon.len = 0;
	if (schema_check_row(&L->ctx, L->f, nf, &L->canon, &rc) != 0) {
		int fi = rc.col >= 0 ? L->colmap[rc.col] : -1;
		char where[512];
		strbuf m = {0};
		snprintf(where, sizeof where, "%s:%ld:%d: ", csvr_name(L->r), csvr_line(L->r), fi >= 0 ? fi + 1 : 1);
		strbuf_put(&m, where, strlen(where));
		if (rc.col >= 0) {
			snprintf(where, sizeof where, "column '%s': ", L->t->cols[rc.col].name);
			strbuf_put(&m, where, strlen(where));
		}
		strbuf_put(&m, rc.reason, strlen(rc.reason));
		if (rc.value_len) {
			strbuf_put(&m, " '", 2);
			schema_show_value(&m, rc.value, rc.value_len);
			strbuf_put(&m, "'", 1);
		}
		qe_err_set(e, QE_DATA, "%.*s", (int)m.len, m.p ? m.p : "");
		strbuf_free(&m);
		return QE_DATA;
	}
	char head[64];
	int hn = snprintf(head, sizeof head, "\t%s\t%ld", L->asof, L->rows + 1);
	store_copy_field(&L->copy, L->run, strlen(L->run));
	strbuf_put(&L->copy, head, (size_t)hn);
	if (L->nextra) {
		const char *v[64];
		size_t vl[64];
		for (int k = 0; k < L->nextra; k++) {
			int fi = L->extra[k];
			v[k] = fi < nf && L->f[fi].len ? L->f[fi].p : NULL;
			vl[k] = v[k] ? L->f[fi].len : 0;
		}
		L->arr.len = 0;
		store_array_literal(&L->arr, v, vl, L->nextra);
		strbuf_put(&L->copy, "\t", 1);
		store_copy_field(&L->copy, L->arr.p, L->arr.len);
	} else
		strbuf_put(&L->copy, "\t\\N", 3);
	for (int i = 0; i < L->t->ncols; i++) {
		int type = L->t->cols[i].type, fi = L->colmap[i];
		size_t len = 0;
		const char *s = fi >= 0 && fi < nf ? L->f[fi].p : NULL;
		if (s)
			len = L->f[fi].len;
		if (!s || !len) {
			strbuf_put(&L->copy, store_typed(type) ? "\t\\N\t\\N" : "\t\\N", store_typed(type) ? 6 : 3);
			continue;
		}
		strbuf_put(&L->copy, "\t", 1);
		if (!store_typed(type)) {
			store_copy_field(&L->copy, s, len);
			continue;
		}
		int exact = store_text_exact(type, s, len);
		char nb[NUM_BUFSZ > 32 ? NUM_BUFSZ : 32];
		if (exact || type == CT_DATE || type == CT_TS) {
			strbuf_put(&L->copy, s, len); /* digits, '-', ':', 'T', '+', 'Z': nothing to escape */
		} else if (type == CT_NUM) {
			double x;
			num_parse_double(s, len, &x); /* checked by the validator */
			strbuf_put(&L->copy, nb, (size_t)num_format_double(nb, x));
		} else {
			int64_t x;
			num_parse_int64(s, len, &x);
			strbuf_put(&L->copy, nb, (size_t)snprintf(nb, sizeof nb, "%" PRId64, x));
		}
		strbuf_put(&L->copy, "\t", 1);
		if (exact)
			strbuf_put(&L->copy, "\\N", 2);
		else
			store_copy_field(&L->copy, s, len);
	}
	strbuf_put(&L->copy, "\n", 1);
	L->rows++;
	return L->copy.oom ? qe_err_set(e, QE_INTERNAL, "out of memory") : 0;
}

static int flush_copy(loader *L, qe_err *e)
{
	if (L->copy.len && PQputCopyData(L->pg, L->copy.p, (int)L->copy.len) != 1)
		return pg_fail(L->pg, e, QE_IO, "load: sending rows");
	L->copy.len = 0;
	return 0;
}

/* The file's header against the kind's columns: every name known (or the
 * dump could not give the file back), the required ones present. */
static int map_header(loader *L, strbuf *cols, strbuf *extra, qe_err *e)
{
	int n = csvr_ncols(L->r), unknown[64];
	if (n > 64)
		return qe_err_set(e, QE_DATA, "%s:1:65: too many columns for %s", csvr_name(L->r), L->t->name);
	csvscan_field hdr[64];
	const char *names[64], *xnames[64];
	size_t lens[64], xlens[64];
	for (int i = 0; i < n; i++) {
		hdr[i].p = names[i] = csvr_colname(L->r, i);
		hdr[i].len = lens[i] = strlen(hdr[i].p);
	}
	int rc = schema_map_header(L->t, hdr, n, L->colmap, unknown, csvr_name(L->r), 1, e);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		if (unknown[i]) {
			xnames[L->nextra] = names[i];
			xlens[L->nextra] = lens[i];
			L->extra[L->nextra++] = i;
		}
	store_array_literal(cols, names, lens, n);
	store_array_literal(extra, xnames, xlens, L->nextra);
	strbuf_put(cols, "", 1);
	strbuf_put(extra, "", 1);
	return cols->oom || extra->oom ? qe_err_set(e, QE_INTERNAL, "out of memory") : 0;
}

static int load_rows(loader *L, int st, qe_err *e)
{
	int rc = 0;
	for (; st == CSVR_ROW; st = csvr_next(L->r, e)) {
		if ((rc = put_record(L, e)))
			return rc;
		if (L->copy.len >= COPY_CHUNK && (rc = flush_copy(L, e)))
			return rc;
	}
	if (st != CSVR_EOF)
		return e->code ? e->code : qe_err_set(e, QE_DATA, "%s: unreadable record", csvr_name(L->r));
	return flush_copy(L, e);
}

int store_load(store_conn *c, const store_load_opts *o, long *rows, char *asof, qe_err *e)
{
	loader L = {.pg = c->pg, .t = o->t, .run = o->run};
	strbuf cols = {0}, extra = {0}, sql = {0};
	char tn[64];
	int rc, in_copy = 0, vsch = 0;
	store_table_name(o->t, tn, sizeof tn);
	*rows = 0;
	if (!*o->run || strlen(o->run) > 120)
		return qe_err_set(e, QE_USAGE, "the run id must be 1 to 120 bytes");
	L.r = csvr_open(o->path, e);
	if (!L.r)
		return e->code;
	L.ctx.s = o->t;
	L.ctx.colmap = L.colmap;
	rc = map_header(&L, &cols, &extra, e);
	int st = rc ? CSVR_FATAL : csvr_next(L.r, e);
	if (!rc && st == CSVR_BADROW)
		rc = e->code;
	else if (!rc && st == CSVR_FATAL)
		rc = e->code ? e->code : QE_IO;
	if (!rc && o->asof) {
		qe_date d;
		if (strlen(o->asof) != 10 || date_parse(o->asof, 10, &d) != 0)
			rc = qe_err_set(e, QE_USAGE, "--asof: invalid date '%s' (expected YYYY-MM-DD)", o->asof);
		else
			memcpy(L.asof, o->asof, 11);
	} else if (!rc)
		rc = find_asof(&L, st == CSVR_ROW, e);

	if (!rc)
		rc = exec_ok(c->pg, "BEGIN", e, "load");
	if (!rc)
		rc = db_version(c->pg, &vsch, e);
	if (!rc && vsch != FORMATS_VERSION)
		rc = qe_err_set(e, QE_IO, vsch ? "the database's schema is version %d, qe-store's %d: run qe-store migrate"
					       : "no qe schema in the database (version %d, qe-store's %d): run qe-store migrate",
				vsch, FORMATS_VERSION);
	if (!rc) {
		/* two loads of one run and kind wait for each other */
		char key[200];
		snprintf(key, sizeof key, "%s/%s", o->t->name, o->run);
		const char *p[] = {key};
		PGresult *r = exec_params(c->pg, "SELECT pg_advisory_xact_lock(hashtext($1))", 1, p);
		rc = PQresultStatus(r) == PGRES_TUPLES_OK ? (PQclear(r), 0) : res_fail(c->pg, r, e, QE_IO, "load: lock");
	}
	if (!rc) {
		strbuf_put(&sql, "DELETE FROM " STORE_SCHEMA ".", strlen("DELETE FROM " STORE_SCHEMA "."));
		store_put_ident(&sql, tn);
		strbuf_put(&sql, " WHERE qe_run = $1", strlen(" WHERE qe_run = $1") + 1);
		const char *p[] = {o->run};
		PGresult *r = exec_params(c->pg, sql.p, 1, p);
		rc = PQresultStatus(r) == PGRES_COMMAND_OK ? (PQclear(r), 0)
							   : res_fail(c->pg, r, e, QE_IO, "load: replacing the run's rows");
	}
	if (!rc && store_partitioned(o->t)) {
		const char *p[] = {o->t->name, L.asof};
		PGresult *r = exec_params(c->pg, "SELECT " STORE_SCHEMA ".ensure_partition($1, $2::date)", 2, p);
		rc = PQresultStatus(r) == PGRES_TUPLES_OK ? (PQclear(r), 0)
							  : res_fail(c->pg, r, e, QE_IO, "load: partition");
	}
	if (!rc) {
		sql.len = 0;
		strbuf_put(&sql, "COPY " STORE_SCHEMA ".", strlen("COPY " STORE_SCHEMA "."));
		store_put_ident(&sql, tn);
		strbuf_put(&sql, " (qe_run, qe_asof, qe_row, qe_extra", strlen(" (qe_run, qe_asof, qe_row, qe_extra"));
		for (int i = 0; i < o->t->ncols; i++) {
			char id[160];
			strbuf_put(&sql, ", ", 2);
			store_put_ident(&sql, o->t->cols[i].name);
			if (store_typed(o->t->cols[i].type)) {
				snprintf(id, sizeof id, "%s%s", o->t->cols[i].name, STORE_TEXT_SUFFIX);
				strbuf_put(&sql, ", ", 2);
				store_put_ident(&sql, id);
			}
		}
		strbuf_put(&sql, ") FROM STDIN", strlen(") FROM STDIN") + 1);
		PGresult *r = PQexec(c->pg, sql.oom ? "" : sql.p);
		if (PQresultStatus(r) == PGRES_COPY_IN) {
			PQclear(r);
			in_copy = 1;
		} else
			rc = res_fail(c->pg, r, e, QE_IO, "load: COPY");
	}
	if (!rc)
		rc = load_rows(&L, st, e);
	if (in_copy) {
		/* a bad record ends the COPY with an error: the server discards it */
		int sent = PQputCopyEnd(c->pg, rc ? "qe-store: the file failed its checks" : NULL);
		PGresult *r;
		int copy_ok = sent == 1;
		while ((r = PQgetResult(c->pg))) {
			if (PQresultStatus(r) != PGRES_COMMAND_OK && !rc)
				rc = res_fail(c->pg, r, e, QE_IO, "load: COPY"), r = NULL, copy_ok = 0;
			PQclear(r);
		}
		if (!copy_ok && !rc)
			rc = pg_fail(c->pg, e, QE_IO, "load: COPY");
	}
	if (!rc) {
		char nrows[32];
		snprintf(nrows, sizeof nrows, "%ld", L.rows);
		const char *p[] = {o->t->name, o->run,  L.asof, nrows, cols.p, extra.p,
				   strcmp(o->path, "-") ? o->path : "(stdin)"};
		PGresult *r = exec_params(
			c->pg,
			"INSERT INTO " STORE_SCHEMA ".loads (kind, run_id, asof, rows, columns, extra, source) "
			"VALUES ($1, $2, $3::date, $4::bigint, $5::text[], $6::text[], $7) ON CONFLICT (kind, run_id) DO UPDATE SET "
			"asof = EXCLUDED.asof, rows = EXCLUDED.rows, columns = EXCLUDED.columns, extra = EXCLUDED.extra, "
			"source = EXCLUDED.source, loaded_at = clock_timestamp(), loaded_by = current_user",
			7, p);
		rc = PQresultStatus(r) == PGRES_COMMAND_OK ? (PQclear(r), 0) : res_fail(c->pg, r, e, QE_IO, "load: recording the load");
	}
	if (!rc)
		rc = exec_ok(c->pg, "COMMIT", e, "load: commit");
	if (rc)
		rollback(c->pg);
	else {
		*rows = L.rows;
		memcpy(asof, L.asof, 11);
	}
	csvr_close(L.r);
	strbuf_free(&L.canon);
	strbuf_free(&L.copy);
	strbuf_free(&L.arr);
	strbuf_free(&cols);
	strbuf_free(&extra);
	strbuf_free(&sql);
	return rc;
}

/* --- dump ---------------------------------------------------------------- */

static int dump_rows(PGconn *pg, csv_writer *w, int ncols, long *rows, qe_err *e)
{
	char *line;
	int n;
	while ((n = PQgetCopyData(pg, &line, 0)) > 0) {
		int col = 0;
		size_t start = 0, len = (size_t)n;
		if (len && line[len - 1] == '\n')
			len--;
		for (size_t i = 0; i <= len; i++) {
			if (i < len && line[i] != '\t')
				continue;
			long fl = store_copy_unescape(line + start, i - start);
			if (fl < 0)
				csvw_empty(w);
			else
				csvw_strn(w, line + start, (size_t)fl);
			col++;
			start = i + 1;
		}
		csvw_end(w);
		PQfreemem(line);
		if (col != ncols)
			return qe_err_set(e, QE_INTERNAL, "dump: a row of %d fields, %d expected", col, ncols);
		(*rows)++;
	}
	if (n == -2)
		return pg_fail(pg, e, QE_IO, "dump");
	PGresult *r;
	int rc = 0;
	while ((r = PQgetResult(pg))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && !rc)
			rc = res_fail(pg, r, e, QE_IO, "dump"), r = NULL;
		PQclear(r);
	}
	return rc;
}

/* The select list of a run's columns as loaded (header order), and the
 * header itself into w: a column of the kind by its typed value or its
 * source text, a column the kind does not define from qe_extra. */
static int dump_columns(PGconn *pg, const formats_table *t, const char *run, strbuf *sql, csv_writer *w,
			int *ncols, qe_err *e)
{
	const char *q[] = {t->name, run};
	PGresult *h = exec_params(pg,
				  "SELECT u.c, u.c = ANY (l.extra) FROM " STORE_SCHEMA ".loads l, "
				  "unnest(l.columns) WITH ORDINALITY AS u(c, n) "
				  "WHERE l.kind = $1 AND l.run_id = $2 ORDER BY u.n",
				  2, q);
	if (PQresultStatus(h) != PGRES_TUPLES_OK)
		return res_fail(pg, h, e, QE_IO, "dump");
	int n = PQntuples(h), nx = 0;
	for (int k = 0; k < n; k++) {
		const char *name = PQgetvalue(h, k, 0);
		int i = formats_colidx(t, name);
		if (k)
			strbuf_put(sql, ", ", 2);
		if (strcmp(PQgetvalue(h, k, 1), "t") == 0) {
			char x[32];
			strbuf_put(sql, x, (size_t)snprintf(x, sizeof x, "qe_extra[%d]", ++nx));
		} else if (i < 0) {
			PQclear(h);
			return qe_err_set(e, QE_IO, "dump %s: run %s has column '%s', unknown to this qe-store", t->name,
					  run, name);
		} else if (store_typed(t->cols[i].type)) {
			char id[160];
			snprintf(id, sizeof id, "%s%s", name, STORE_TEXT_SUFFIX);
			strbuf_put(sql, "coalesce(", 9);
			store_put_ident(sql, id);
			strbuf_put(sql, ", ", 2);
			store_put_ident(sql, name);
			strbuf_put(sql, "::text)", 7);
		} else
			store_put_ident(sql, name);
		csvw_str(w, name);
	}
	csvw_end(w);
	PQclear(h);
	*ncols = n;
	return 0;
}

int store_dump(store_conn *c, const formats_table *t, const char *run, const char *asof,
	       csv_writer *w, long *rows, char *run_out, qe_err *e)
{
	PGconn *pg = c->pg;
	char tn[64];
	int vsch, rc, ncols = 0;
	*rows = 0;
	store_table_name(t, tn, sizeof tn);
	if ((rc = db_version(pg, &vsch, e)))
		return rc;
	if (vsch == 0)
		return qe_err_set(e, QE_IO, "no qe schema in the database: run qe-store migrate");
	const char *p[] = {t->name, run ? run : asof};
	PGresult *r = exec_params(
		pg,
		run ? "SELECT run_id, asof FROM " STORE_SCHEMA ".loads WHERE kind = $1 AND run_id = $2"
		: asof ? "SELECT run_id, asof FROM " STORE_SCHEMA ".loads WHERE kind = $1 AND asof = $2::date "
			 "ORDER BY loaded_at DESC, run_id DESC LIMIT 1"
		       : "SELECT run_id, asof FROM " STORE_SCHEMA ".loads WHERE kind = $1 "
			 "ORDER BY loaded_at DESC, run_id DESC LIMIT 1",
		run || asof ? 2 : 1, p);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return res_fail(pg, r, e, QE_IO, "dump");
	if (PQntuples(r) == 0) {
		PQclear(r);
		if (run)
			return qe_err_set(e, QE_DATA, "dump %s: no run '%s' in the store", t->name, run);
		if (asof)
			return qe_err_set(e, QE_DATA, "dump %s: no run with as-of date %s in the store", t->name, asof);
		return qe_err_set(e, QE_DATA, "dump %s: nothing loaded yet", t->name);
	}
	snprintf(run_out, 128, "%s", PQgetvalue(r, 0, 0));
	char *lit_run = PQescapeLiteral(pg, PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)));
	char *lit_asof = PQescapeLiteral(pg, PQgetvalue(r, 0, 1), strlen(PQgetvalue(r, 0, 1)));
	PQclear(r);
	strbuf sql = {0};
	if (!lit_run || !lit_asof)
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	strbuf_put(&sql, "COPY (SELECT ", strlen("COPY (SELECT "));
	if (!rc)
		rc = dump_columns(pg, t, run_out, &sql, w, &ncols, e);
	if (!rc) {
		const char *parts[] = {" FROM " STORE_SCHEMA ".", NULL, " WHERE qe_run = ", lit_run,
				       " AND qe_asof = ", lit_asof, "::date ORDER BY qe_row) TO STDOUT"};
		for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
			if (parts[k])
				strbuf_put(&sql, parts[k], strlen(parts[k]));
			else
				store_put_ident(&sql, tn);
		}
		strbuf_put(&sql, "", 1);
		if (sql.oom)
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
	}
	if (!rc) {
		r = PQexec(pg, sql.p);
		if (PQresultStatus(r) != PGRES_COPY_OUT)
			rc = res_fail(pg, r, e, QE_IO, "dump");
		else {
			PQclear(r);
			rc = dump_rows(pg, w, ncols, rows, e);
		}
	}
	PQfreemem(lit_run);
	PQfreemem(lit_asof);
	strbuf_free(&sql);
	return rc;
}
