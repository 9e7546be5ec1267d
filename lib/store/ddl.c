#include "store/ddl.h"

#include <stdio.h>
#include <string.h>

/* The kinds whose files grow with the book or the history: partitioned
 * by month of qe_asof, so a month's rows can be dropped or archived at
 * once and a day's query reads one partition. */
static const int partitioned_kinds[] = {
	FMT_TRADES,       FMT_PRICES,        FMT_VOLS,          FMT_HISTORY,   FMT_VOL_HISTORY,
	FMT_METERS,       FMT_METER_PERIODS, FMT_VALUATIONS,    FMT_SENSITIVITIES, FMT_LADDER,
	FMT_PNL_CUBE,     FMT_COV,           FMT_VAR_COMPONENTS, FMT_BREACHES, FMT_SETTLE_FLOWS,
	FMT_SETTLE_PAYMENTS, FMT_LOAD,       FMT_HW_FORECAST,   FMT_DEMAND_FORECAST,
};

void store_table_name(const formats_table *t, char *buf, size_t cap)
{
	size_t i = 0;
	for (; t->name[i] && i + 1 < cap; i++)
		buf[i] = t->name[i] == '-' ? '_' : t->name[i];
	buf[i] = '\0';
}

const formats_table *store_find_kind(const char *name)
{
	char tn[64];
	for (int k = 0; k < FMT_COUNT; k++) {
		const formats_table *t = formats_get(k);
		store_table_name(t, tn, sizeof tn);
		if (strcmp(t->name, name) == 0 || strcmp(tn, name) == 0)
			return t;
	}
	return NULL;
}

int store_partitioned(const formats_table *t)
{
	for (size_t i = 0; i < sizeof partitioned_kinds / sizeof partitioned_kinds[0]; i++)
		if (partitioned_kinds[i] == t->kind)
			return 1;
	return 0;
}

const char *store_sql_type(int type)
{
	switch (type) {
	case CT_NUM: return "numeric";
	case CT_INT: return "bigint";
	case CT_DATE: return "date";
	case CT_TS: return "timestamptz";
	default: return "text";
	}
}

int store_typed(int type)
{
	return type == CT_NUM || type == CT_INT || type == CT_DATE || type == CT_TS;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)? and not a negative zero: numeric_out and
 * int8out print such a text as it is (numeric keeps the scale it was
 * given, trailing zeros included). */
static int plain_decimal(const char *s, size_t len, int allow_point)
{
	size_t i = 0;
	int neg = 0, nonzero = 0;
	if (i < len && s[i] == '-')
		neg = 1, i++;
	if (i >= len || !is_digit(s[i]))
		return 0;
	if (s[i] == '0' && i + 1 < len && is_digit(s[i + 1]))
		return 0;
	for (; i < len && is_digit(s[i]); i++)
		nonzero |= s[i] != '0';
	if (i < len && allow_point && s[i] == '.') {
		if (++i >= len || !is_digit(s[i]))
			return 0;
		for (; i < len && is_digit(s[i]); i++)
			nonzero |= s[i] != '0';
	}
	return i == len && !(neg && !nonzero);
}

int store_text_exact(int type, const char *s, size_t len)
{
	switch (type) {
	case CT_NUM:
		return plain_decimal(s, len, 1);
	case CT_INT:
		return plain_decimal(s, len, 0) && len <= 18; /* no int64 overflow */
	case CT_DATE:
		/* date_out (DateStyle ISO) writes YYYY-MM-DD, year 0001-9999 */
		return len == 10 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) &&
		       s[4] == '-' && s[7] == '-' && memcmp(s, "0000", 4) != 0;
	case CT_TS:
		return 0; /* the offset it was written with is not stored by timestamptz */
	default:
		return 1;
	}
}

void store_put_ident(strbuf *b, const char *s)
{
	strbuf_put(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"')
			strbuf_put(b, "\"\"", 2);
		else
			strbuf_put(b, s, 1);
	}
	strbuf_put(b, "\"", 1);
}

static void put(strbuf *b, const char *s)
{
	strbuf_put(b, s, strlen(s));
}

/* "qe"."name" */
static void put_table(strbuf *b, const char *name)
{
	put(b, STORE_SCHEMA ".");
	store_put_ident(b, name);
}

static void put_suffixed(strbuf *b, const char *name, const char *suffix)
{
	char id[160];
	snprintf(id, sizeof id, "%s%s", name, suffix);
	store_put_ident(b, id);
}

void store_ddl_table(const formats_table *t, strbuf *out)
{
	char tn[64];
	int part = store_partitioned(t);
	store_table_name(t, tn, sizeof tn);
	put(out, "CREATE TABLE IF NOT EXISTS ");
	put_table(out, tn);
	put(out, " (\n  qe_run text NOT NULL,\n  qe_asof date NOT NULL,\n  qe_row integer NOT NULL,\n  qe_extra text[]");
	for (int i = 0; i < t->ncols; i++) {
		put(out, ",\n  ");
		store_put_ident(out, t->cols[i].name);
		put(out, " ");
		put(out, store_sql_type(t->cols[i].type));
		if (store_typed(t->cols[i].type)) {
			put(out, ",\n  ");
			put_suffixed(out, t->cols[i].name, STORE_TEXT_SUFFIX);
			put(out, " text");
		}
	}
	put(out, part ? ",\n  PRIMARY KEY (qe_asof, qe_run, qe_row)\n) PARTITION BY RANGE (qe_asof);\n"
		      : ",\n  PRIMARY KEY (qe_run, qe_row)\n);\n");
	/* columns a later schema version added (the contract only appends) */
	for (int i = 0; i < t->ncols; i++) {
		for (int typed = 0; typed <= store_typed(t->cols[i].type); typed++) {
			put(out, "ALTER TABLE ");
			put_table(out, tn);
			put(out, " ADD COLUMN IF NOT EXISTS ");
			if (typed)
				put_suffixed(out, t->cols[i].name, STORE_TEXT_SUFFIX);
			else
				store_put_ident(out, t->cols[i].name);
			put(out, typed ? " text" : " ");
			if (!typed)
				put(out, store_sql_type(t->cols[i].type));
			put(out, ";\n");
		}
	}
	put(out, "CREATE INDEX IF NOT EXISTS ");
	put_suffixed(out, tn, "_asof_idx");
	put(out, " ON ");
	put_table(out, tn);
	put(out, " (qe_asof, qe_run);\n");
	if (t->nkey) {
		put(out, "CREATE INDEX IF NOT EXISTS ");
		put_suffixed(out, tn, "_key_idx");
		put(out, " ON ");
		put_table(out, tn);
		put(out, " (");
		for (int k = 0; k < t->nkey; k++) {
			if (k)
				put(out, ", ");
			store_put_ident(out, t->cols[t->key[k]].name);
		}
		put(out, ");\n");
	}
	put(out, "INSERT INTO " STORE_SCHEMA ".kinds (kind, table_name, partitioned, section) VALUES ('");
	put(out, t->name); /* contract names: [a-z0-9_-], no quote to escape */
	put(out, "', '");
	put(out, tn);
	put(out, part ? "', true, '" : "', false, '");
	put(out, t->section);
	put(out, "') ON CONFLICT (kind) DO UPDATE SET table_name = EXCLUDED.table_name, "
		 "partitioned = EXCLUDED.partitioned, section = EXCLUDED.section;\n");
}

static const char schema_sql[] =
	"CREATE SCHEMA IF NOT EXISTS " STORE_SCHEMA ";\n"
	"CREATE TABLE IF NOT EXISTS " STORE_SCHEMA ".schema_version (\n"
	"  version integer NOT NULL,\n"
	"  migrated_at timestamptz NOT NULL DEFAULT now()\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS " STORE_SCHEMA ".kinds (\n"
	"  kind text PRIMARY KEY,\n"
	"  table_name text NOT NULL UNIQUE,\n"
	"  partitioned boolean NOT NULL,\n"
	"  section text NOT NULL\n"
	");\n"
	"CREATE TABLE IF NOT EXISTS " STORE_SCHEMA ".loads (\n"
	"  kind text NOT NULL REFERENCES " STORE_SCHEMA ".kinds (kind),\n"
	"  run_id text NOT NULL,\n"
	"  asof date NOT NULL,\n"
	"  rows bigint NOT NULL,\n"
	"  columns text[] NOT NULL,\n"
	"  extra text[] NOT NULL,\n"
	"  source text NOT NULL,\n"
	"  loaded_at timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
	"  loaded_by text NOT NULL DEFAULT current_user,\n"
	"  PRIMARY KEY (kind, run_id)\n"
	");\n"
	"CREATE INDEX IF NOT EXISTS loads_asof_idx ON " STORE_SCHEMA ".loads (kind, asof, loaded_at);\n"
	"CREATE INDEX IF NOT EXISTS loads_latest_idx ON " STORE_SCHEMA ".loads (kind, loaded_at);\n"
	/* a month's partition of a partitioned kind, made as the schema's
	 * owner for a loader without CREATE: only of a registered kind, only
	 * a month, only in this schema */
	"CREATE OR REPLACE FUNCTION " STORE_SCHEMA ".ensure_partition(p_kind text, p_day date)\n"
	"RETURNS void LANGUAGE plpgsql SECURITY DEFINER\n"
	"SET search_path = pg_catalog, pg_temp AS $fn$\n"
	"DECLARE\n"
	"  tbl text;\n"
	"  lo date := date_trunc('month', p_day)::date;\n"
	"  part text;\n"
	"BEGIN\n"
	"  SELECT table_name INTO tbl FROM " STORE_SCHEMA ".kinds WHERE kind = p_kind AND partitioned;\n"
	"  IF tbl IS NULL THEN\n"
	"    RAISE EXCEPTION 'ensure_partition: % is not a partitioned kind', p_kind;\n"
	"  END IF;\n"
	"  part := tbl || '_' || to_char(lo, 'YYYY_MM');\n"
	"  IF to_regclass(format('" STORE_SCHEMA ".%I', part)) IS NULL THEN\n"
	"    EXECUTE format('CREATE TABLE IF NOT EXISTS " STORE_SCHEMA ".%I PARTITION OF " STORE_SCHEMA ".%I "
	"FOR VALUES FROM (%L) TO (%L)', part, tbl, lo, (lo + interval '1 month')::date);\n"
	"  END IF;\n"
	"END\n"
	"$fn$;\n"
	"REVOKE ALL ON FUNCTION " STORE_SCHEMA ".ensure_partition(text, date) FROM PUBLIC;\n";

void store_ddl_all(strbuf *out)
{
	put(out, schema_sql);
	for (int k = 0; k < FMT_COUNT; k++)
		store_ddl_table(formats_get(k), out);
}

void store_ddl_grants(const char *loader, const char *reader, strbuf *out)
{
	const char *roles[2] = {loader, reader};
	for (int r = 0; r < 2; r++) {
		if (!roles[r])
			continue;
		put(out, "GRANT USAGE ON SCHEMA " STORE_SCHEMA " TO ");
		store_put_ident(out, roles[r]);
		put(out, ";\nGRANT SELECT ON ALL TABLES IN SCHEMA " STORE_SCHEMA " TO ");
		store_put_ident(out, roles[r]);
		put(out, ";\n");
		if (r == 1)
			continue;
		for (int k = 0; k < FMT_COUNT; k++) {
			char tn[64];
			store_table_name(formats_get(k), tn, sizeof tn);
			put(out, "GRANT INSERT, DELETE ON ");
			put_table(out, tn);
			put(out, " TO ");
			store_put_ident(out, loader);
			put(out, ";\n");
		}
		put(out, "GRANT INSERT, UPDATE, DELETE ON " STORE_SCHEMA ".loads TO ");
		store_put_ident(out, loader);
		put(out, ";\nGRANT EXECUTE ON FUNCTION " STORE_SCHEMA ".ensure_partition(text, date) TO ");
		store_put_ident(out, loader);
		put(out, ";\n");
	}
}

void store_copy_field(strbuf *b, const char *s, size_t len)
{
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		const char *esc = NULL;
		switch (s[i]) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		default: continue;
		}
		strbuf_put(b, s + run, i - run);
		strbuf_put(b, esc, 2);
		run = i + 1;
	}
	strbuf_put(b, s + run, len - run);
}

void store_array_literal(strbuf *b, const char *const *vals, const size_t *lens, int n)
{
	strbuf_put(b, "{", 1);
	for (int i = 0; i < n; i++) {
		if (i)
			strbuf_put(b, ",", 1);
		if (!vals[i]) {
			strbuf_put(b, "NULL", 4);
			continue;
		}
		strbuf_put(b, "\"", 1);
		for (size_t k = 0; k < lens[i]; k++) {
			if (vals[i][k] == '"' || vals[i][k] == '\\')
				strbuf_put(b, "\\", 1);
			strbuf_put(b, vals[i] + k, 1);
		}
		strbuf_put(b, "\"", 1);
	}
	strbuf_put(b, "}", 1);
}

long store_copy_unescape(char *s, size_t len)
{
	if (len == 2 && s[0] == '\\' && s[1] == 'N')
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\\' || i + 1 == len) {
			s[o++] = s[i];
			continue;
		}
		char c = s[++i];
		switch (c) {
		case 't': s[o++] = '\t'; break;
		case 'n': s[o++] = '\n'; break;
		case 'r': s[o++] = '\r'; break;
		case 'b': s[o++] = '\b'; break;
		case 'f': s[o++] = '\f'; break;
		case 'v': s[o++] = '\v'; break;
		default: s[o++] = c; /* \\ and any other escaped byte */
		}
	}
	return (long)o;
}
