/* Unit tests for lib/csvscan (against lib/csvio, which parses through
 * libcsv), lib/keyset, and the number fast paths of lib/schema (against
 * strtod and num_format_double). */
#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "io/csvscan.h"
#include "core/keyset.h"
#include "core/num.h"
#include "core/rng.h"
#include "ingest/schema.h"
#include "unit.h"

/* Parses text with both readers and compares records, lines, fields and
 * badness. */
static int same_as_csvio(const char *text)
{
	qe_err e;
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	csv_reader *r = csvr_open_stream(fp, "t", 1, &e);
	size_t len = strlen(text), pos = 0;
	char *scratch = malloc(len + 1);
	csvscan_field f[16];
	csvscan_rec rec;
	long line = 1;
	int ok = r != NULL, header = 1;
	while (ok && pos < len) {
		csvscan_next(text, len, pos, 1, f, 16, scratch, &rec);
		pos = rec.next;
		long start = line;
		line += rec.lines;
		if (rec.blank)
			continue;
		if (header) {
			header = 0;
			ok = csvr_ncols(r) == rec.nfields;
			continue;
		}
		int st = csvr_next(r, &e);
		int bad = rec.bad_col || rec.nfields != csvr_ncols(r);
		if ((st == CSVR_BADROW) != bad || st == CSVR_EOF || csvr_line(r) != start) {
			printf("# record at line %ld: csvio status %d line %ld, csvscan bad %d\n", start, st,
			       csvr_line(r), bad);
			ok = 0;
			break;
		}
		if (!bad)
			for (int i = 0; i < rec.nfields; i++) {
				size_t l;
				const char *s = csvr_field(r, i, &l);
				if (l != f[i].len || memcmp(s, f[i].p, l) != 0) {
					printf("# line %ld field %d: '%s' vs '%.*s'\n", start, i, s,
					       (int)f[i].len, f[i].p);
					ok = 0;
				}
			}
	}
	if (ok && csvr_next(r, &e) != CSVR_EOF)
		ok = 0;
	csvr_close(r);
	free(scratch);
	return ok;
}

static void test_csvscan(void)
{
	UT_CHECK(same_as_csvio("a,b,c\n1,2,3\n"), "plain");
	UT_CHECK(same_as_csvio("a,b,c\r\n1,\"x,\"\"y\"\"\",3\r\n\r\n4,\"multi\nline\",6\n7,8\n9,bad\"q,1\n10,11,12"),
		 "quotes, CRLF, blank line, multi-line, short row, bad quote, no final newline");
	UT_CHECK(same_as_csvio("a,b\n\"x\"y,1\n2,3\n"), "text after closing quote");
	UT_CHECK(same_as_csvio("a,b\n,\n\"\",\"\"\n"), "empty fields");
	UT_CHECK(same_as_csvio("a,b\n1,2,3\n4,5\n"), "long row");
	UT_CHECK(same_as_csvio("a,b\n3,\"1\r\n2\"\n4,5\n"), "CRLF inside quotes kept");

	/* incomplete records ask for more input */
	char scratch[64];
	csvscan_field f[4];
	csvscan_rec rec;
	UT_EQ_INT(csvscan_next("1,\"ab", 5, 0, 0, f, 4, scratch, &rec), 0, "open quote needs more");
	UT_EQ_INT(csvscan_next("1,2", 3, 0, 0, f, 4, scratch, &rec), 0, "no newline needs more");
	UT_EQ_INT(csvscan_next("1,2", 3, 0, 1, f, 4, scratch, &rec), 1, "at EOF the record ends");
	UT_EQ_INT(csvscan_next("1,\"ab", 5, 0, 1, f, 4, scratch, &rec), 1, "unterminated at EOF");
	UT_CHECK(rec.bad_col == 2 && rec.unterminated, "unterminated quote flagged on field 2");
	UT_EQ_INT(csvscan_count_lines("a\nb\n\nc", 6), 3, "count lines");
	UT_EQ_INT(csvscan_last_newline("a\nb\nc", 5), 4, "last newline");
}

static void test_keyset(void)
{
	keyset *s = keyset_new(0);
	int found, ok = 1;
	for (uint32_t i = 0; i < 100000; i++) {
		char k[16];
		int n = snprintf(k, sizeof k, "K%u", i);
		keyset_entry *e = keyset_upsert(s, keyset_hash(k, (size_t)n, 0), k, (size_t)n, &found);
		if (!e || found)
			ok = 0;
		else
			e->a = i;
	}
	UT_CHECK(ok, "100000 distinct keys inserted");
	UT_EQ_INT(keyset_count(s), 100000, "count");
	for (uint32_t i = 0; i < 100000; i += 7) {
		char k[16];
		int n = snprintf(k, sizeof k, "K%u", i);
		const keyset_entry *e = keyset_find(s, keyset_hash(k, (size_t)n, 0), k, (size_t)n);
		if (!e || e->a != i)
			ok = 0;
	}
	UT_CHECK(ok, "values found after growth");
	UT_CHECK(keyset_find(s, keyset_hash("nope", 4, 0), "nope", 4) == NULL, "absent key");
	UT_CHECK(keyset_hash("ab", 2, 0) != keyset_hash("ba", 2, 0), "hash depends on order");
	keyset_free(s);
}

/* Distinct keys with the same 64-bit hash (forced: every key gets hash
 * 42, or one of 3 hashes) are distinct entries; equal keys are found.
 * Keys with '-' or over 10 characters take the arena (tag + text) path,
 * short [0-9A-Za-z_] keys the inline path. */
static void test_keyset_collision(void)
{
	keyset *s = keyset_new(0);
	int found;
	keyset_entry *e = keyset_upsert(s, 42, "T-1", 3, &found);
	UT_CHECK(e && !found, "first key inserted");
	e->a = 1;
	e = keyset_upsert(s, 42, "T-2", 3, &found);
	UT_CHECK(e && !found, "colliding key is new, not a duplicate");
	e->a = 2;
	e = keyset_upsert(s, 42, "T-1", 3, &found);
	UT_CHECK(e && found && e->a == 1, "same key found with its own value");
	const keyset_entry *c = keyset_find(s, 42, "T-2", 3);
	UT_CHECK(c && c->a == 2, "colliding key keeps its own value");
	UT_CHECK(keyset_find(s, 42, "T-3", 3) == NULL, "absent colliding key");
	UT_CHECK(keyset_find(s, 42, "T-", 2) == NULL, "prefix is not the key");
	e = keyset_upsert(s, 42, "T1", 2, &found);
	UT_CHECK(e && !found, "inline key with the same hash is new");
	e->a = 3;
	e = keyset_upsert(s, 42, "T2", 2, &found);
	UT_CHECK(e && !found, "second inline key with the same hash is new");
	c = keyset_find(s, 42, "T1", 2);
	UT_CHECK(c && c->a == 3, "inline key keeps its own value");
	UT_EQ_INT(keyset_count(s), 4, "four distinct colliding keys");
	keyset_free(s);

	/* many keys on 3 hashes (long clusters, growth, a key over 127 bytes) */
	s = keyset_new(0);
	int ok = 1;
	char big[300];
	memset(big, 'x', sizeof big);
	for (uint32_t i = 0; i < 3000; i++) {
		char k[16];
		int n = snprintf(k, sizeof k, i % 2 ? "K-%u" : "K%u", i);
		e = keyset_upsert(s, (uint64_t)(i % 3) << 40, k, (size_t)n, &found);
		if (!e || found)
			ok = 0;
		else
			e->a = i + 1;
	}
	e = keyset_upsert(s, 7, big, sizeof big, &found);
	if (!e || found)
		ok = 0;
	else
		e->a = 99999;
	UT_CHECK(ok, "3000 colliding keys all new");
	for (uint32_t i = 0; i < 3000; i++) {
		char k[16];
		int n = snprintf(k, sizeof k, i % 2 ? "K-%u" : "K%u", i);
		c = keyset_find(s, (uint64_t)(i % 3) << 40, k, (size_t)n);
		if (!c || c->a != i + 1)
			ok = 0;
	}
	c = keyset_find(s, 7, big, sizeof big);
	UT_CHECK(ok && c && c->a == 99999, "colliding keys found after growth");
	UT_CHECK(keyset_find(s, 7, big, sizeof big - 1) == NULL, "shorter long key absent");
	UT_EQ_INT(keyset_count(s), 3001, "count with collisions");
	keyset_free(s);
}

static void test_numbers(void)
{
	static const char *const canon[] = {"0", "1", "-1", "0.1", "3.215", "-0.000125", "0.0001",
					    "123456789012345", "100", "92.5"};
	static const char *const not_canon[] = {"-0", "0.0", "1.0", "01", ".5", "5.", "+1", "1e3",
						"0.00001", "1234567890123456", "1.50"};
	char buf[NUM_BUFSZ];
	double x;
	for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++) {
		UT_CHECK(schema_number_is_canonical(canon[i], strlen(canon[i])), canon[i]);
		num_parse_double_z(canon[i], &x);
		num_format_double(buf, x);
		UT_EQ_STR(buf, canon[i], "num_format_double agrees");
	}
	for (size_t i = 0; i < sizeof not_canon / sizeof not_canon[0]; i++) {
		int c = schema_number_is_canonical(not_canon[i], strlen(not_canon[i]));
		UT_CHECK(!c, not_canon[i]);
	}
	/* random decimals: fast parse == strtod, canonical => printed the same */
	qe_rng rng;
	rng_init(&rng, 42, 0);
	int parse_ok = 1, canon_ok = 1, ncanon = 0;
	for (int i = 0; i < 200000; i++) {
		char s[48];
		uint64_t u = rng_u64(&rng);
		int digits = 1 + (int)(u % 17), point = (int)((u >> 8) % 20), neg = (u >> 16) & 1;
		int n = 0;
		if (neg)
			s[n++] = '-';
		for (int d = 0; d < digits; d++) {
			if (d == point && d > 0)
				s[n++] = '.';
			s[n++] = (char)('0' + (rng_u64(&rng) % 10));
		}
		s[n] = '\0';
		double a, b;
		if (num_parse_double(s, (size_t)n, &a) != NUM_OK || (b = strtod(s, NULL), a != b))
			parse_ok = 0;
		if (schema_number_is_canonical(s, (size_t)n)) {
			ncanon++;
			num_format_double(buf, a);
			if (strcmp(buf, s) != 0) {
				printf("# '%s' printed as '%s'\n", s, buf);
				canon_ok = 0;
			}
		}
	}
	UT_CHECK(parse_ok, "fast parse equals strtod on 200000 random decimals");
	UT_CHECK(canon_ok, "text judged canonical is what num_format_double prints");
	UT_CHECK(ncanon > 10000, "many canonical cases exercised");
}

/* The percentage-typo bounds qe-price's formula mode shares: the vols
 * rule of qe-ingest and the range of the rates file's rate column. */
static void test_plausible(void)
{
	UT_CHECK(!schema_lognormal_vol_implausible(0.28), "vol 0.28 plausible");
	UT_CHECK(!schema_lognormal_vol_implausible(5), "vol 5 plausible");
	UT_CHECK(schema_lognormal_vol_implausible(5.0000001), "vol above 5 implausible");
	UT_CHECK(schema_lognormal_vol_implausible(28), "vol 28 implausible");
	UT_CHECK(!schema_rate_implausible(0.1) && !schema_rate_implausible(-0.5),
		 "rates 0.1, -0.5 plausible");
	UT_CHECK(schema_rate_implausible(10) && schema_rate_implausible(-1000) &&
		 schema_rate_implausible(1) && schema_rate_implausible(-1),
		 "rates 10, -1000, 1, -1 implausible");
	const formats_col *c = &formats_get(FMT_RATES)->cols[FMT_RA_RATE];
	UT_CHECK(!schema_rate_implausible(c->lo) && !schema_rate_implausible(c->hi),
		 "the rates file's range is the bound");
}

/* One trades record (schema order) through the row validator without a
 * curve master; fills why with schema_reject_text on failure, "" on
 * success.  Fields: the defaults of a good future, with overrides. */
static int check_trade_row(const char *const *set, char *why, size_t cap)
{
	const char *v[FMT_TR_N] = {"T1", "1", "new", "2026-11-02", "B", "t", "C", "future", "NG_HH",
				   "buy", "10", "MMBtu", "3", "USD", "2027-01-01", "2027-01-31"};
	for (int i = 16; i < FMT_TR_N; i++)
		v[i] = "";
	for (int k = 0; set && set[k]; k += 2)
		v[formats_colidx(formats_get(FMT_TRADES), set[k])] = set[k + 1];
	csvscan_field f[FMT_TR_N];
	for (int i = 0; i < FMT_TR_N; i++)
		f[i] = (csvscan_field){v[i], strlen(v[i])};
	schema_ctx ctx = {.s = schema_get(FMT_TRADES), .colmap = schema_trades_identity};
	strbuf out = {0};
	row_check rc;
	int r = schema_check_row(&ctx, f, FMT_TR_N, &out, &rc);
	why[0] = '\0';
	if (r)
		schema_reject_text(ctx.s, &rc, why, cap);
	strbuf_free(&out);
	return r;
}

#define ROW(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The limits of schema.h, at and just past each bound. */
static void test_limits(void)
{
	char why[300], id[SCHEMA_ID_MAX + 2], name[SCHEMA_TEXT_MAX + 2];
	memset(id, 'I', sizeof id - 1);
	id[SCHEMA_ID_MAX] = '\0';
	UT_EQ_INT(check_trade_row(ROW("trade_id", id), why, sizeof why), 0, "64-byte id accepted");
	id[SCHEMA_ID_MAX] = 'J';
	id[SCHEMA_ID_MAX + 1] = '\0';
	UT_EQ_INT(check_trade_row(ROW("trade_id", id), why, sizeof why), -1, "65-byte id rejected");
	UT_EQ_STR(why, "column 'trade_id': longer than 64 bytes "
		       "'IIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIII...'",
		  "id message: value cut at 64 bytes");
	check_trade_row(ROW("book", "\xff" "B"), why, sizeof why);
	UT_EQ_STR(why, "column 'book': invalid UTF-8 '\\xffB'", "invalid UTF-8 escaped");
	check_trade_row(ROW("trader", "a\x01" "b"), why, sizeof why);
	UT_EQ_STR(why, "column 'trader': control character 'a\\x01b'", "control character");
	check_trade_row(ROW("book", " B"), why, sizeof why);
	UT_EQ_STR(why, "column 'book': leading or trailing blank ' B'", "blank");

	UT_EQ_INT(check_trade_row(ROW("price", "1000000"), why, sizeof why), 0, "price 1e6 accepted");
	UT_EQ_INT(check_trade_row(ROW("price", "-1000000"), why, sizeof why), 0, "price -1e6 accepted");
	UT_EQ_INT(check_trade_row(ROW("price", "1000000.00000000001"), why, sizeof why), 0,
		  "rounds to 1e6: accepted");
	UT_EQ_INT(check_trade_row(ROW("price", "1000000.001"), why, sizeof why), -1, "above 1e6");
	check_trade_row(ROW("price", "1e300"), why, sizeof why);
	UT_EQ_STR(why, "column 'price': out of range [-1e+06, 1e+06] '1e300'", "price 1e300");
	UT_EQ_INT(check_trade_row(ROW("quantity", "1e12"), why, sizeof why), 0, "quantity 1e12");
	check_trade_row(ROW("quantity", "1.000001e12"), why, sizeof why);
	UT_EQ_STR(why, "column 'quantity': out of range (0, 1e+12] '1.000001e12'", "quantity above");
	UT_EQ_INT(check_trade_row(ROW("quantity", "1e12", "unit", "kWh"), why, sizeof why), 0,
		  "1e12 kWh is 1e9 MWh");
	check_trade_row(ROW("quantity", "1e10", "unit", "GWh"), why, sizeof why);
	UT_EQ_STR(why, "column 'quantity': out of range (0, 1e+12] after unit conversion '1e10'",
		  "bound applies after conversion");

	/* strikes: sign by model */
	const char *opt[] = {"instrument", "option", "option_type", "call", "strike", "0",
			     "expiry", "2026-12-28", "model", "black76", NULL};
	check_trade_row(opt, why, sizeof why);
	UT_EQ_STR(why, "column 'strike': must be > 0 (lognormal model) '0'", "Black-76 strike 0");
	opt[5] = "-3";
	opt[9] = "bachelier";
	UT_EQ_INT(check_trade_row(opt, why, sizeof why), 0, "Bachelier strike -3 accepted");
	opt[8] = NULL;
	UT_EQ_INT(check_trade_row(opt, why, sizeof why), 0,
		  "no model and no curve master: the sign is not known");
	opt[1] = "asian";
	opt[5] = "0";
	opt[8] = "avg_start";
	opt[9] = "2027-01-01";
	const char *asian[] = {opt[0], opt[1], opt[2], opt[3], opt[4], opt[5], opt[6], opt[7],
			       opt[8], opt[9], "avg_end", "2027-01-31", NULL};
	check_trade_row(asian, why, sizeof why);
	UT_EQ_STR(why, "column 'strike': must be > 0 (lognormal model) '0'", "Asian strike 0");
	const char *spr[] = {"instrument", "spread", "option_type", "put", "strike", "0", "expiry",
			     "2026-12-28", "curve2", "TTF", "ratio", "1000", NULL};
	UT_EQ_INT(check_trade_row(spr, why, sizeof why), 0, "spread strike 0, ratio 1000 accepted");
	spr[5] = "-0.5";
	check_trade_row(spr, why, sizeof why);
	UT_EQ_STR(why, "column 'strike': must be >= 0 (Kirk) '-0.5'", "spread strike < 0");
	spr[5] = "1";
	spr[11] = "1000.5";
	check_trade_row(spr, why, sizeof why);
	UT_EQ_STR(why, "column 'ratio': out of range (0, 1000] '1000.5'", "ratio above 1000");
	spr[11] = "1";
	spr[5] = "2e6";
	check_trade_row(spr, why, sizeof why);
	UT_EQ_STR(why, "column 'strike': out of range [-1e+06, 1e+06] '2e6'", "strike magnitude");

	/* free text: counterparties' names */
	const formats_table *cp = schema_get(FMT_COUNTERPARTIES);
	int colmap[32];
	for (int i = 0; i < cp->ncols; i++)
		colmap[i] = i < 2 ? i : -1;
	schema_ctx ctx = {.s = cp, .colmap = colmap};
	memset(name, 'n', sizeof name - 1);
	name[SCHEMA_TEXT_MAX] = '\0';
	csvscan_field f[2] = {{"C1", 2}, {name, SCHEMA_TEXT_MAX}};
	strbuf out = {0};
	row_check rc;
	UT_EQ_INT(schema_check_row(&ctx, f, 2, &out, &rc), 0, "256-byte name accepted");
	f[1].len = SCHEMA_TEXT_MAX + 1;
	name[SCHEMA_TEXT_MAX] = 'n';
	UT_EQ_INT(schema_check_row(&ctx, f, 2, &out, &rc), -1, "257-byte name rejected");
	UT_EQ_STR(rc.reason, "longer than 256 bytes", "name reason");
	f[1] = (csvscan_field){"Acme\tInc", 8};
	UT_EQ_INT(schema_check_row(&ctx, f, 2, &out, &rc), -1, "tab in a name rejected");
	UT_EQ_STR(rc.reason, "control character", "name control character");
	strbuf_free(&out);
}

/* A message shows a value cut at a character boundary, one line of UTF-8. */
static void test_show_value(void)
{
	char v[80];
	strbuf b = {0};
	memset(v, 'a', 63);
	memcpy(v + 63, "\xc3\xa9zz", 4); /* U+00E9 across byte 64 */
	schema_show_value(&b, v, 67);
	UT_CHECK(b.len == 66 && memcmp(b.p + 63, "...", 3) == 0, "cut before a split character");
	b.len = 0;
	schema_show_value(&b, "\xc3\xa9\n\r\x7f", 5);
	UT_CHECK(b.len == 10 && memcmp(b.p, "\xc3\xa9\\n\\r\\x7f", 10) == 0, "UTF-8 kept, controls escaped");
	b.len = 0;
	schema_show_value(&b, "\xc3\xa9\xff", 3);
	UT_CHECK(b.len == 12 && memcmp(b.p, "\\xc3\\xa9\\xff", 12) == 0,
		 "invalid UTF-8: every high byte escaped");
	strbuf_free(&b);
}

/* The lifecycle rule qe-ingest and qe-price share. */
static void test_lifecycle(void)
{
	char buf[200];
	int col;
	UT_CHECK(!schema_lifecycle_check(TRADE_UNKNOWN, 0, LIFE_NEW, 1, buf, sizeof buf, &col),
		 "new of an unknown id");
	UT_CHECK(!schema_lifecycle_check(TRADE_UNKNOWN, 0, LIFE_NEW, 7, buf, sizeof buf, &col),
		 "new at any version (a live book's row)");
	UT_CHECK(schema_lifecycle_check(TRADE_LIVE, 1, LIFE_NEW, 2, buf, sizeof buf, &col) &&
			 col == FMT_TR_ID,
		 "new of a live id");
	UT_EQ_STR(buf, "duplicate trade_id (status new for an existing trade)", "its reason");
	schema_lifecycle_check(TRADE_CANCELLED, 0, LIFE_NEW, 3, buf, sizeof buf, &col);
	UT_EQ_STR(buf, "trade_id of a cancelled trade", "new of a cancelled id");
	schema_lifecycle_check(TRADE_UNKNOWN, 0, LIFE_AMEND, 2, buf, sizeof buf, &col);
	UT_EQ_STR(buf, "amendment of an unknown trade", "amend of unknown");
	schema_lifecycle_check(TRADE_CANCELLED, 2, LIFE_CANCEL, 3, buf, sizeof buf, &col);
	UT_EQ_STR(buf, "cancel of a cancelled trade", "cancel of cancelled");
	UT_CHECK(!schema_lifecycle_check(TRADE_LIVE, 2, LIFE_AMEND, 3, buf, sizeof buf, &col),
		 "amend above the live version");
	UT_CHECK(schema_lifecycle_check(TRADE_LIVE, 2, LIFE_AMEND, 2, buf, sizeof buf, &col) &&
			 col == FMT_TR_VERSION,
		 "amend at the live version");
	UT_EQ_STR(buf, "version must be above 2 (the live version)", "its reason");
	UT_CHECK(!schema_lifecycle_check(TRADE_LIVE, 2, LIFE_CANCEL, 2, buf, sizeof buf, &col),
		 "cancel at the live version");
	schema_lifecycle_check(TRADE_LIVE, 2, LIFE_CANCEL, 1, buf, sizeof buf, &col);
	UT_EQ_STR(buf, "version must be at least 2 (the live version)", "cancel below");
}

int main(void)
{
	test_lifecycle();
	test_limits();
	test_show_value();
	test_csvscan();
	test_keyset();
	test_keyset_collision();
	test_numbers();
	test_plausible();
	return ut_done();
}
