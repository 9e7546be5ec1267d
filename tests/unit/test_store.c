/*
 * Unit tests of lib/store/ddl: the DDL generated from io/formats (typed
 * columns, companions, keys, partitions), the texts PostgreSQL prints
 * back unchanged, identifier quoting, array literals and COPY's text
 * escaping both ways.  The server-side behaviour is in tests/store.bats.
 */
#include <stdlib.h>
#include <string.h>

#include "store/ddl.h"
#include "unit.h"

static int has(const strbuf *b, const char *s)
{
	return b->p && strstr(b->p, s) != NULL;
}

static void test_names(void)
{
	char tn[64];
	store_table_name(formats_get(FMT_VOL_HISTORY), tn, sizeof tn);
	UT_EQ_STR(tn, "vol_history", "vol-history's table is vol_history");
	UT_CHECK(store_find_kind("vol-history") == formats_get(FMT_VOL_HISTORY), "kind by its contract name");
	UT_CHECK(store_find_kind("vol_history") == formats_get(FMT_VOL_HISTORY), "kind by its table name");
	UT_CHECK(store_find_kind("settlement_flows") == formats_get(FMT_SETTLE_FLOWS), "settlement_flows");
	UT_CHECK(store_find_kind("nope") == NULL, "unknown kind");
	UT_CHECK(store_partitioned(formats_get(FMT_VALUATIONS)), "valuations partitioned");
	UT_CHECK(store_partitioned(formats_get(FMT_SENSITIVITIES)), "sensitivities partitioned");
	UT_CHECK(store_partitioned(formats_get(FMT_SETTLE_FLOWS)), "flows partitioned");
	UT_CHECK(!store_partitioned(formats_get(FMT_MANIFEST)), "manifest not partitioned");
	/* every table name fits PostgreSQL's 63 bytes with a _YYYY_MM partition suffix */
	int ok = 1;
	for (int k = 0; k < FMT_COUNT; k++) {
		store_table_name(formats_get(k), tn, sizeof tn);
		ok &= strlen(tn) + 8 <= 63;
	}
	UT_CHECK(ok, "table and partition names fit 63 bytes");
	/* the loader checks every kind with ingest/schema's row validator,
	 * which holds at most 32 columns */
	ok = 1;
	for (int k = 0; k < FMT_COUNT; k++)
		ok &= formats_get(k)->ncols <= 32;
	UT_CHECK(ok, "every kind fits the row validator");
}

static void test_exact(void)
{
	struct { int type; const char *s; int want; } cases[] = {
		{CT_NUM, "1.50", 1},       {CT_NUM, "0", 1},          {CT_NUM, "-12.25", 1},
		{CT_NUM, "0.000012", 1},   {CT_NUM, "1e-05", 0},      {CT_NUM, "-0", 0},
		{CT_NUM, "-0.00", 0},      {CT_NUM, "007", 0},        {CT_NUM, "+7", 0},
		{CT_NUM, ".5", 0},         {CT_NUM, "5.", 0},         {CT_NUM, "2.5E+3", 0},
		{CT_INT, "42", 1},         {CT_INT, "-42", 1},        {CT_INT, "042", 0},
		{CT_INT, "1.0", 0},        {CT_INT, "-0", 0},         {CT_DATE, "2026-11-25", 1},
		{CT_DATE, "0000-01-01", 0}, {CT_TS, "2026-03-29T02:00:00+02:00", 0},
		{CT_STR, " any text ", 1}, {CT_ENUM, "BUY", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char name[96];
		snprintf(name, sizeof name, "exact %d '%s' = %d", cases[i].type, cases[i].s, cases[i].want);
		UT_EQ_INT(store_text_exact(cases[i].type, cases[i].s, strlen(cases[i].s)), cases[i].want, name);
	}
}

static void test_ddl(void)
{
	strbuf b = {0};
	store_ddl_table(formats_get(FMT_VALUATIONS), &b);
	strbuf_put(&b, "", 1);
	UT_CHECK(has(&b, "CREATE TABLE IF NOT EXISTS qe.\"valuations\""), "valuations table");
	UT_CHECK(has(&b, "\"npv\" numeric,\n  \"npv__text\" text"), "npv numeric with its companion");
	UT_CHECK(has(&b, "\"trade_id\" text,\n"), "trade_id text, no companion");
	UT_CHECK(has(&b, "PRIMARY KEY (qe_asof, qe_run, qe_row)\n) PARTITION BY RANGE (qe_asof);"),
		 "partitioned by as-of date, the key holds it");
	UT_CHECK(has(&b, "\"valuations_key_idx\" ON qe.\"valuations\" (\"trade_id\")"), "the contract key indexed");
	UT_CHECK(has(&b, "ADD COLUMN IF NOT EXISTS \"model\" text;"), "upgrade adds missing columns");
	b.len = 0;
	store_ddl_table(formats_get(FMT_METERS), &b);
	strbuf_put(&b, "", 1);
	UT_CHECK(has(&b, "\"timestamp\" timestamptz"), "meters timestamp timestamptz");
	UT_CHECK(has(&b, "\"interval_min\" bigint"), "integers bigint");
	b.len = 0;
	store_ddl_table(formats_get(FMT_MANIFEST), &b);
	strbuf_put(&b, "", 1);
	UT_CHECK(has(&b, "PRIMARY KEY (qe_run, qe_row)\n);"), "manifest not partitioned");
	b.len = 0;
	store_ddl_table(formats_get(FMT_LIMITS), &b);
	strbuf_put(&b, "", 1);
	UT_CHECK(has(&b, "\"limit\" numeric"), "a reserved word as a column, quoted");
	b.len = 0;
	store_ddl_all(&b);
	strbuf_put(&b, "", 1);
	UT_CHECK(has(&b, "SECURITY DEFINER"), "ensure_partition runs as the owner");
	UT_CHECK(has(&b, "REVOKE ALL ON FUNCTION qe.ensure_partition(text, date) FROM PUBLIC"), "not for everyone");
	int ntables = 0;
	for (const char *p = b.p; (p = strstr(p, "CREATE TABLE IF NOT EXISTS qe.\"")); p++)
		ntables++;
	UT_EQ_INT(ntables, FMT_COUNT, "one table per file kind");
	b.len = 0;
	store_ddl_grants("etl", "bi\"x", &b);
	strbuf_put(&b, "", 1);
	UT_CHECK(has(&b, "GRANT INSERT, DELETE ON qe.\"valuations\" TO \"etl\";"), "loader inserts and deletes");
	UT_CHECK(has(&b, "GRANT EXECUTE ON FUNCTION qe.ensure_partition(text, date) TO \"etl\""), "loader partitions");
	UT_CHECK(has(&b, "GRANT SELECT ON ALL TABLES IN SCHEMA qe TO \"bi\"\"x\""), "reader selects, name quoted");
	UT_CHECK(!has(&b, "INSERT, DELETE ON qe.\"valuations\" TO \"bi"), "reader does not insert");
	strbuf_free(&b);
}

static void test_escaping(void)
{
	strbuf b = {0};
	const char *s = "a\tb\\c\nd\re";
	store_copy_field(&b, s, strlen(s));
	strbuf_put(&b, "", 1);
	UT_EQ_STR(b.p, "a\\tb\\\\c\\nd\\re", "COPY text escaping");
	long n = store_copy_unescape(b.p, strlen(b.p));
	UT_CHECK(n == (long)strlen(s) && memcmp(b.p, s, (size_t)n) == 0, "unescape gives the text back");
	char nul[] = "\\N";
	UT_EQ_INT(store_copy_unescape(nul, 2), -1, "\\N is NULL");
	char lit[] = "\\\\N";
	UT_EQ_INT(store_copy_unescape(lit, 3), 2, "an escaped backslash before N is text");
	b.len = 0;
	const char *vals[] = {"note", NULL, "a\"b\\c", ""};
	size_t lens[] = {4, 0, 5, 0};
	store_array_literal(&b, vals, lens, 4);
	strbuf_put(&b, "", 1);
	UT_EQ_STR(b.p, "{\"note\",NULL,\"a\\\"b\\\\c\",\"\"}", "array literal");
	b.len = 0;
	store_put_ident(&b, "we\"ird");
	strbuf_put(&b, "", 1);
	UT_EQ_STR(b.p, "\"we\"\"ird\"", "identifier quoting");
	strbuf_free(&b);
}

int main(void)
{
	test_names();
	test_exact();
	test_ddl();
	test_escaping();
	return ut_done();
}
