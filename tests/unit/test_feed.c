/* Unit tests for lib/feed: payload parsing (CSV rows, JSON), the rules
 * a reading keeps, deduplication, period rotation and late readings,
 * and keys read back from the files after a restart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feed/payload.h"
#include "feed/store.h"
#include "unit.h"

typedef struct got {
	int readings, rejects;
	char last_row[256], last_reason[256], last_column[32], last_id[64];
	int64_t last_utc;
	long last_line;
} got;

static int on_reading(void *ctx, const feed_reading *r, qe_err *e)
{
	(void)e;
	got *g = ctx;
	g->readings++;
	snprintf(g->last_row, sizeof g->last_row, "%.*s", (int)r->row_len, r->row);
	snprintf(g->last_id, sizeof g->last_id, "%.*s", (int)r->id_len, r->meter_id);
	g->last_utc = r->utc;
	return 0;
}

static int on_reject(void *ctx, const feed_reject *r, qe_err *e)
{
	(void)e;
	got *g = ctx;
	g->rejects++;
	snprintf(g->last_reason, sizeof g->last_reason, "%s", r->reason);
	snprintf(g->last_column, sizeof g->last_column, "%s", r->column ? r->column : "");
	g->last_line = r->line;
	return 0;
}

static got parse(feed_parser *p, const char *payload)
{
	got g;
	memset(&g, 0, sizeof g);
	feed_sink k = {on_reading, on_reject, &g};
	qe_err e;
	feed_parse(p, payload, strlen(payload), &k, &e);
	return g;
}

static void test_payloads(void)
{
	qe_err e;
	feed_parser *p = feed_parser_new(60, &e);
	UT_CHECK(p != NULL, "parser");
	UT_CHECK(feed_parser_new(45, &e) == NULL && e.code == QE_USAGE, "period 45 refused");

	got g = parse(p, "MTR_1,2026-12-06T10:15:00+01:00,15,1.250,kWh,A");
	UT_EQ_INT(g.readings, 1, "csv: one reading");
	UT_EQ_STR(g.last_row, "MTR_1,2026-12-06T10:15:00+01:00,15,1.25,kWh,A\n", "csv: canonical row");
	UT_EQ_STR(g.last_id, "MTR_1", "csv: meter id");
	UT_EQ_INT(g.last_utc, 1796548500, "csv: utc of 2026-12-06T09:15Z");

	g = parse(p, "A,2026-12-06T10:00:00Z,60,1,kWh,A\r\nB,2026-12-06T10:00:00Z,60,x,kWh,A\r\n\r\nC,2026-12-06T10:00:00Z,60,2,m3,E\n");
	UT_EQ_INT(g.readings, 2, "csv: good rows of a 3-row payload");
	UT_EQ_INT(g.rejects, 1, "csv: the bad row");
	UT_EQ_INT(g.last_line, 2, "csv: the bad row's line");
	UT_EQ_STR(g.last_column, "energy", "csv: the bad column");

	g = parse(p, "{\"meter_id\":\"M\\u00e9\",\"timestamp\":\"2026-12-06T10:30:00Z\",\"interval_min\":\"30\","
		     "\"energy\":2.5e0,\"unit\":\"kWh\",\"quality\":null}");
	UT_EQ_INT(g.readings, 1, "json: one reading");
	UT_EQ_STR(g.last_row, "M\xc3\xa9,2026-12-06T10:30:00+00:00,30,2.5,kWh,\n", "json: canonical row, \\u escape");

	g = parse(p, "{\"meter_id\":\"M\",\"timestamp\":\"2026-12-06T10:30:00Z\",\"interval_min\":15,\"unit\":\"kWh\",\"quality\":\"M\"}");
	UT_EQ_INT(g.readings, 1, "json: missing reading without energy");
	g = parse(p, "{\"meter_id\":\"M\",\"timestamp\":\"2026-12-06T10:30:00Z\",\"interval_min\":15,\"unit\":\"kWh\"}");
	UT_EQ_INT(g.rejects, 1, "json: energy required unless quality M");
	UT_EQ_STR(g.last_column, "energy", "json: energy column");
	g = parse(p, "{\"meter_id\":\"M\",\"meter_id\":\"N\"}");
	UT_EQ_STR(g.last_reason, "key given twice", "json: duplicate key");
	g = parse(p, "{\"meter_id\":[1]}");
	UT_EQ_STR(g.last_reason, "expected a string, a number or null", "json: nested value");
	g = parse(p, "{\"meter_id\":\"M\"} x");
	UT_EQ_STR(g.last_reason, "text after the JSON object", "json: trailing text");
	g = parse(p, "{\"meter_id\":\"M\\ud800\"}");
	UT_EQ_STR(g.last_reason, "unpaired surrogate in a JSON string", "json: lone surrogate");

	g = parse(p, "MTR_1,2026-12-06T10:05:00Z,15,1,kWh,A");
	UT_EQ_STR(g.last_reason, "start not on a multiple of its 15-minute interval", "misaligned start");
	g = parse(p, "MTR_1,2026-12-06T10:15:00+05:30,15,1,kWh,A");
	UT_EQ_INT(g.readings, 1, "aligned in local time (+05:30)");
	g = parse(p, "   \n");
	UT_EQ_STR(g.last_reason, "empty payload", "blank payload");
	g = parse(p, "a,b");
	UT_CHECK(strstr(g.last_reason, "expected 6 fields") != NULL, "field count");
	feed_parser_free(p);

	p = feed_parser_new(15, &e);
	g = parse(p, "MTR_1,2026-12-06T10:00:00Z,30,1,kWh,A");
	UT_EQ_STR(g.last_reason, "interval does not divide the 15-minute settlement period",
		  "interval longer than the period");
	feed_parser_free(p);
}

static int count_rows(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;
	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n - 1;
}

static void test_store(void)
{
	char dir[] = "/tmp/qe-test-feed-XXXXXX", path[512], name[64];
	qe_err e;
	UT_CHECK(mkdtemp(dir) != NULL, "temp dir");
	feed_store_opts o = {dir, 60, 300, 3600};
	feed_store *s = feed_store_open(&o, &e);
	UT_CHECK(s != NULL, "store");
	/* 2026-12-06T10:00Z = 1796551200; now is 10:30 */
	int64_t now = 1796553000;
	const char *r1 = "B,2026-12-06T10:15:00Z,15,1,kWh,A";
	const char *r0 = "A,2026-12-06T10:00:00Z,15,2,kWh,A\nB,2026-12-06T10:00:00Z,15,3,kWh,A";
	const char *old = "A,2026-12-06T08:00:00Z,15,4,kWh,A";
	UT_EQ_INT(feed_store_message(s, "t", r1, strlen(r1), now, &e), 0, "message");
	feed_store_message(s, "t", r0, strlen(r0), now, &e);
	feed_store_message(s, "t", r1, strlen(r1), now, &e); /* redelivered */
	feed_store_message(s, "t", old, strlen(old), now, &e);
	feed_store_message(s, "t", "junk", 4, now, &e);
	feed_counts c;
	feed_store_counts(s, &c);
	UT_EQ_INT(c.messages, 5, "messages");
	UT_EQ_INT(c.written, 3, "written");
	UT_EQ_INT(c.duplicates, 1, "duplicate dropped");
	UT_EQ_INT(c.late, 1, "closed period is late");
	UT_EQ_INT(c.rejected, 1, "rejected");
	UT_EQ_INT(feed_store_pending(s), 5, "pending before the flush");
	UT_EQ_INT(feed_store_flush(s, now, &e), 0, "flush");
	UT_EQ_INT(feed_store_pending(s), 0, "nothing pending after the flush");

	feed_store_file_name(name, sizeof name, "meters", 1796551200);
	UT_EQ_STR(name, "meters-20261206T1000Z.csv", "file name");
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	char buf[512] = {0};
	UT_CHECK(f && fread(buf, 1, sizeof buf - 1, f) > 0, "period file");
	if (f)
		fclose(f);
	UT_EQ_STR(buf,
		  "meter_id,timestamp,interval_min,energy,unit,quality\n"
		  "A,2026-12-06T10:00:00+00:00,15,2,kWh,A\n"
		  "B,2026-12-06T10:00:00+00:00,15,3,kWh,A\n"
		  "B,2026-12-06T10:15:00+00:00,15,1,kWh,A\n",
		  "sorted by meter then time, with the header");
	snprintf(path, sizeof path, "%s/late-20261206T0800Z.csv", dir);
	UT_EQ_INT(count_rows(path), 1, "late file");
	snprintf(path, sizeof path, "%s/rejects-20261206T1000Z.csv", dir);
	UT_EQ_INT(count_rows(path), 1, "rejects file");
	feed_store_free(s);

	/* a restart: keys come back from the files; new readings are added
	 * to the rewritten file; the period closes at 11:05 */
	s = feed_store_open(&o, &e);
	const char *r2 = "C,2026-12-06T10:45:00Z,15,5,kWh,A";
	/* the first reading of a period reads its file back in the middle of
	 * parsing the payload: the reading must survive that */
	feed_store_message(s, "t", r2, strlen(r2), now, &e);
	feed_store_message(s, "t", r1, strlen(r1), now, &e);
	feed_store_message(s, "t", old, strlen(old), now, &e);
	feed_store_message(s, "t", "junk2", 5, now, &e);
	feed_store_counts(s, &c);
	UT_EQ_INT(c.duplicates, 2, "restart: duplicates from the period and late files");
	UT_EQ_INT(c.written, 1, "restart: the new reading");
	UT_EQ_INT(feed_store_flush(s, now, &e), 0, "flush after restart");
	snprintf(path, sizeof path, "%s/meters-20261206T1000Z.csv", dir);
	UT_EQ_INT(count_rows(path), 4, "restart: the file keeps the earlier rows");
	f = fopen(path, "r");
	memset(buf, 0, sizeof buf);
	UT_CHECK(f && fread(buf, 1, sizeof buf - 1, f) > 0, "period file after restart");
	if (f)
		fclose(f);
	UT_CHECK(strstr(buf, "\nC,2026-12-06T10:45:00+00:00,15,5,kWh,A\n") != NULL,
		 "restart: the reading that loaded the file is written as received");
	snprintf(path, sizeof path, "%s/rejects-20261206T1000Z.csv", dir);
	UT_EQ_INT(count_rows(path), 2, "restart: rejects appended to the period's file");
	const char *r3 = "D,2026-12-06T10:45:00Z,15,5,kWh,A";
	feed_store_message(s, "t", r3, strlen(r3), 1796555100, &e);
	feed_store_counts(s, &c);
	UT_EQ_INT(c.late, 1, "after end + grace the period is closed");
	UT_EQ_INT(feed_store_flush(s, 1796555100, &e), 0, "flush of a closed period");
	snprintf(path, sizeof path, "%s/late-20261206T1000Z.csv", dir);
	UT_EQ_INT(count_rows(path), 1, "late file of the closed period");
	feed_store_free(s);

	/* a file that is not ours */
	snprintf(path, sizeof path, "%s/meters-20261206T0900Z.csv", dir);
	f = fopen(path, "w");
	fputs("meter_id,timestamp,interval_min,energy,unit,quality\nA,2026-12-06T09:00:00Z,15,-,kWh,A\n", f);
	fclose(f);
	s = feed_store_open(&o, &e);
	const char *r4 = "A,2026-12-06T09:15:00Z,15,1,kWh,A";
	UT_EQ_INT(feed_store_message(s, "t", r4, strlen(r4), now, &e), QE_DATA, "bad file read back");
	UT_CHECK(strstr(e.msg, "meters-20261206T0900Z.csv:2:1: column 'energy'") != NULL, "names file:line");
	feed_store_free(s);

	UT_CHECK(feed_store_open(&(feed_store_opts){"/nonexistent/dir", 60, 0, 0}, &e) == NULL &&
			 e.code == QE_IO,
		 "missing directory");
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	UT_EQ_INT(system(cmd), 0, "clean up");
}

int main(void)
{
	test_payloads();
	test_store();
	return ut_done();
}
