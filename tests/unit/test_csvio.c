/* Unit tests for lib/io/csvio's reader on input as users get it: lines and
 * fields far longer than its 64 KiB read chunk, semicolon- and
 * tab-delimited files, gzip input (written here with zlib's own gzip
 * writer), the column of every record error, and out of memory while
 * reading the header.
 *
 * Linked with -Wl,--wrap=calloc,--wrap=strdup,--wrap=realloc (Makefile,
 * LDFLAGS_test_csvio): the library's calls to these go through the
 * wrappers below, which fail on demand; nothing in lib/ knows. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "io/csvblock.h"
#include "io/csvio.h"
#include "io/infile.h"
#include "unit.h"

void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);

static size_t fail_calloc_n;     /* fail calloc(n, sizeof(char *)) for this n */
static const char *fail_strdup_of; /* fail strdup of this string */
static int fail_realloc;         /* fail every realloc */

void *__wrap_calloc(size_t n, size_t size)
{
	if (fail_calloc_n && n == fail_calloc_n && size == sizeof(char *))
		return NULL;
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return fail_realloc ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
	if (fail_strdup_of && strcmp(s, fail_strdup_of) == 0)
		return NULL;
	return __real_strdup(s);
}

/* A reader over a copy of text (which may hold NULs: len given). */
static csv_reader *reader_on(const char *text, size_t len, qe_err *e)
{
	FILE *fp = fmemopen((void *)text, len, "r");
	return csvr_open_stream(fp, "t.csv", 1, e);
}

static char *repeat(const char *head, char c, size_t n, const char *tail, size_t *len)
{
	size_t hl = strlen(head), tl = strlen(tail);
	char *s = malloc(hl + n + tl + 1);
	memcpy(s, head, hl);
	memset(s + hl, c, n);
	memcpy(s + hl + n, tail, tl + 1);
	*len = hl + n + tl;
	return s;
}

/* After the bad record on line 2: exactly the good record "7,8,9" of line
 * 3, then the end.  Checks that no record is made from the bad line's tail. */
static void expect_bad_then_good(csv_reader *r, const char *want_msg, const char *what)
{
	qe_err e;
	char name[160];
	int st = csvr_next(r, &e);
	snprintf(name, sizeof name, "%s: one bad record", what);
	UT_EQ_INT(st, CSVR_BADROW, name);
	snprintf(name, sizeof name, "%s: the error", what);
	UT_EQ_STR(st == CSVR_BADROW ? e.msg : "", want_msg, name);
	st = csvr_next(r, &e);
	snprintf(name, sizeof name, "%s: then the next line's record", what);
	UT_CHECK(st == CSVR_ROW && csvr_line(r) == 3 && strcmp(csvr_field(r, 0, NULL), "7") == 0 &&
			 strcmp(csvr_field(r, 2, NULL), "9") == 0,
		 name);
	if (st != CSVR_ROW || csvr_line(r) != 3)
		printf("#   status %d on line %ld, first field '%.40s'\n", st, csvr_line(r),
		       csvr_field(r, 0, NULL));
	snprintf(name, sizeof name, "%s: then the end", what);
	UT_EQ_INT(csvr_next(r, &e), CSVR_EOF, name);
	snprintf(name, sizeof name, "%s: two records in all", what);
	UT_EQ_INT(csvr_records(r), 2, name);
}

static void test_long_lines(void)
{
	qe_err e;
	size_t len;
	char *text;
	csv_reader *r;

	/* A malformed line whose bytes from the 64 KiB chunk boundary on read
	 * "1,2,3": the old reader dropped the chunk and parsed the tail as a
	 * valid record. */
	const char *hdr = "a,b,c\n", *tail = "1,2,3\n7,8,9\n";
	text = repeat("a,b,c\nx,y\"", 'p', 65536 - strlen(hdr) - 4, tail, &len);
	UT_CHECK(memcmp(text + 65536, "1,2,3\n", 6) == 0, "the tail starts at the chunk boundary");
	r = reader_on(text, len, &e);
	expect_bad_then_good(r, "t.csv:2:2: malformed CSV record (bad quoting)", "64 KiB malformed line");
	csvr_close(r);
	free(text);

	/* 1 MB malformed lines: unquoted field with a quote, text after a
	 * closing quote */
	text = repeat("a,b,c\nx,y\"", 'p', 1 << 20, ",1,2,3\n7,8,9\n", &len);
	r = reader_on(text, len, &e);
	expect_bad_then_good(r, "t.csv:2:2: malformed CSV record (bad quoting)", "1 MB malformed line");
	csvr_close(r);
	free(text);
	text = repeat("a,b,c\n1,2,\"q\"", 'p', 1 << 20, "\n7,8,9\n", &len);
	r = reader_on(text, len, &e);
	expect_bad_then_good(r, "t.csv:2:3: malformed CSV record (bad quoting)",
			     "1 MB text after a closing quote");
	csvr_close(r);
	free(text);

	/* 1 MB well-formed fields, unquoted and quoted: too long */
	text = repeat("a,b,c\n1,", '9', 1 << 20, ",3\n7,8,9\n", &len);
	r = reader_on(text, len, &e);
	expect_bad_then_good(r, "t.csv:2:2: column 'b': field longer than 65536 bytes",
			     "1 MB unquoted field");
	csvr_close(r);
	free(text);
	text = repeat("a,b,c\n1,2,\"", 'q', 1 << 20, "\"\n7,8,9\n", &len);
	r = reader_on(text, len, &e);
	expect_bad_then_good(r, "t.csv:2:3: column 'c': field longer than 65536 bytes",
			     "1 MB quoted field");
	csvr_close(r);
	free(text);
	/* a long field beyond the header has no column name */
	text = repeat("a,b,c\n1,2,3,", 'q', 1 << 20, "\n7,8,9\n", &len);
	r = reader_on(text, len, &e);
	expect_bad_then_good(r, "t.csv:2:4: field longer than 65536 bytes", "1 MB extra field");
	csvr_close(r);
	free(text);
	/* a field just past the limit that ends inside one chunk */
	text = repeat("a,b,c\n1,", 'z', CSV_FIELD_MAX + 1, ",3\n7,8,9\n", &len);
	r = reader_on(text, len, &e);
	expect_bad_then_good(r, "t.csv:2:2: column 'b': field longer than 65536 bytes",
			     "field of the limit + 1");
	csvr_close(r);
	free(text);

	/* exactly the limit is a field like any other */
	text = repeat("a,b,c\n1,", 'z', CSV_FIELD_MAX, ",3\n", &len);
	r = reader_on(text, len, &e);
	UT_EQ_INT(csvr_next(r, &e), CSVR_ROW, "a field of exactly the limit is read");
	csvr_field(r, 1, &len);
	UT_EQ_INT(len, CSV_FIELD_MAX, "all of it");
	UT_EQ_INT(csvr_next(r, &e), CSVR_EOF, "then the end");
	csvr_close(r);
	free(text);

	/* the header */
	text = repeat("a,", 'h', 1 << 20, ",c\n1,2,3\n", &len);
	r = reader_on(text, len, &e);
	UT_CHECK(r == NULL && e.code == QE_DATA, "a 1 MB header name is bad data");
	UT_EQ_STR(e.msg, "t.csv:1:2: malformed header (a name longer than 65536 bytes)",
		  "the header error names file:line:col");
	free(text);
	text = repeat("a,b\"", 'h', 1 << 20, ",c\n1,2,3\n", &len);
	r = reader_on(text, len, &e);
	UT_EQ_STR(r ? "" : e.msg, "t.csv:1:2: malformed header (bad quoting)",
		  "a 1 MB malformed header: file:line:col");
	free(text);
}

static void test_columns_and_delimiters(void)
{
	qe_err e;
	int idx[2];
	static const char *const need[] = {"a", "d"};
	static const char *const need_a[] = {"a"};
	const char *text;
	csv_reader *r;

	text = "a,b,c\n1,2\n1,2,3,4\n1,\"x\"y,3\n";
	r = reader_on(text, strlen(text), &e);
	UT_EQ_INT(csvr_next(r, &e), CSVR_BADROW, "short record");
	UT_EQ_STR(e.msg, "t.csv:2:3: expected 3 fields, found 2", "short: column of the first missing field");
	UT_EQ_INT(csvr_next(r, &e), CSVR_BADROW, "long record");
	UT_EQ_STR(e.msg, "t.csv:3:4: expected 3 fields, found 4", "long: column of the first extra field");
	UT_EQ_INT(csvr_next(r, &e), CSVR_BADROW, "bad quoting");
	UT_EQ_STR(e.msg, "t.csv:4:2: malformed CSV record (bad quoting)", "bad quoting: its column");
	UT_EQ_INT(csvr_require(r, need, 2, idx, &e), QE_DATA, "missing column");
	UT_EQ_STR(e.msg, "t.csv:1:1: missing required column 'd'", "missing column: file:line:col");
	csvr_close(r);

	text = "\n\na,b,c\n1,2,3\n";
	r = reader_on(text, strlen(text), &e);
	csvr_require(r, need, 2, idx, &e);
	UT_EQ_STR(e.msg, "t.csv:3:1: missing required column 'd'", "missing column: the header's line");
	csvr_close(r);

	text = "a;b;c\n1;2;3\n";
	r = reader_on(text, strlen(text), &e);
	UT_EQ_INT(csvr_require(r, need_a, 1, idx, &e), QE_DATA, "semicolon file: missing column");
	UT_EQ_STR(e.msg,
		  "t.csv:1:1: header has 1 column; the file looks semicolon-delimited, qe reads "
		  "comma-separated CSV (missing column 'a')",
		  "semicolon file: the hint");
	csvr_close(r);
	text = "a\tb\tc\n1\t2\t3\n";
	r = reader_on(text, strlen(text), &e);
	csvr_require(r, need_a, 1, idx, &e);
	UT_EQ_STR(e.msg,
		  "t.csv:1:1: header has 1 column; the file looks tab-delimited, qe reads "
		  "comma-separated CSV (missing column 'a')",
		  "tab file: the hint");
	csvr_close(r);
	/* two columns, one holding a semicolon: comma-separated after all */
	text = "x;y,b\n1,2\n";
	r = reader_on(text, strlen(text), &e);
	csvr_require(r, need_a, 1, idx, &e);
	UT_EQ_STR(e.msg, "t.csv:1:1: missing required column 'a'", "no hint for two columns");
	csvr_close(r);
	UT_CHECK(csv_delimiter_hint(1, "a,b", 3) == NULL, "no hint for a quoted comma name");
}

/* Out of memory while reading the header is named as such (the code was
 * fixed on main; issue item 11), never as a read error. */
static void test_header_out_of_memory(void)
{
	qe_err e;
	const char *text = "a,b,c\n1,2,3\n";
	csv_reader *r;

	fail_calloc_n = 4; /* the 3 column names + NULL */
	r = reader_on(text, strlen(text), &e);
	fail_calloc_n = 0;
	UT_CHECK(r == NULL && e.code == QE_INTERNAL, "calloc of the names fails: internal error");
	UT_EQ_STR(r ? "" : e.msg, "t.csv:1: out of memory reading the header", "calloc: says out of memory");
	csvr_close(r);

	fail_strdup_of = "b";
	r = reader_on(text, strlen(text), &e);
	fail_strdup_of = NULL;
	UT_CHECK(r == NULL && e.code == QE_INTERNAL, "strdup of a name fails: internal error");
	UT_EQ_STR(r ? "" : e.msg, "t.csv:1: out of memory reading the header", "strdup: says out of memory");
	csvr_close(r);

	fail_strdup_of = "t.csv";
	r = reader_on(text, strlen(text), &e);
	fail_strdup_of = NULL;
	UT_CHECK(r == NULL && e.code == QE_INTERNAL && strstr(e.msg, "out of memory"),
		 "strdup of the file name fails: out of memory");

	fail_realloc = 1; /* the field buffers */
	r = reader_on(text, strlen(text), &e);
	fail_realloc = 0;
	UT_CHECK(r == NULL && e.code == QE_INTERNAL, "field buffer fails: internal error");
	UT_EQ_STR(r ? "" : e.msg, "t.csv:1: out of memory reading the header", "realloc: says out of memory");
	UT_CHECK(!strstr(e.msg, "read error"), "not a read error");
	csvr_close(r);

	r = reader_on(text, strlen(text), &e);
	UT_CHECK(r != NULL, "and the reader works again");
	csvr_close(r);
}

/* Writes text to path, gzip-compressed in `members` members. */
static int write_gz(const char *path, const char *text, size_t len, int members)
{
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return -1;
	fclose(fp);
	size_t at = 0;
	for (int m = 0; m < members; m++) {
		size_t n = m == members - 1 ? len - at : len / (size_t)members;
		gzFile gz = gzopen(path, "ab");
		if (!gz || (n && gzwrite(gz, text + at, (unsigned)n) != (int)n) || gzclose(gz) != Z_OK)
			return -1;
		at += n;
	}
	return 0;
}

/* Every record of path as "line:f1|f2|...;" (bad records as "line:BAD;"). */
static char *records_of(const char *path, qe_err *e)
{
	csv_reader *r = csvr_open(path, e);
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	int st;
	if (!r) {
		fclose(mem);
		free(out);
		return NULL;
	}
	while ((st = csvr_next(r, e)) == CSVR_ROW || st == CSVR_BADROW) {
		fprintf(mem, "%ld:", csvr_line(r));
		for (int i = 0; st == CSVR_ROW && i < csvr_nfields(r); i++)
			fprintf(mem, "%s%s", i ? "|" : "", csvr_field(r, i, NULL));
		fputs(st == CSVR_ROW ? ";" : "BAD;", mem);
	}
	fprintf(mem, "end %d", st);
	fclose(mem);
	csvr_close(r);
	return out;
}

static void test_gzip(void)
{
	char dir[] = "/tmp/qe-test-csvio-XXXXXX", plain[64], gz[64], gz2[64], cut[64];
	qe_err e;
	size_t len;
	if (!mkdtemp(dir)) {
		UT_CHECK(0, "temp dir");
		return;
	}
	snprintf(plain, sizeof plain, "%s/a.csv", dir);
	snprintf(gz, sizeof gz, "%s/a.csv.gz", dir);
	snprintf(gz2, sizeof gz2, "%s/two-members", dir);
	snprintf(cut, sizeof cut, "%s/cut.csv.gz", dir);
	/* long enough to span many chunks of both the decoder and the reader */
	char *text = repeat("a,b,c\n1,\"x\ny\",3\nx,y\"", 'p', 1 << 20, ",1,2,3\n7,8,9\n", &len);
	FILE *fp = fopen(plain, "wb");
	fwrite(text, 1, len, fp);
	fclose(fp);
	UT_EQ_INT(write_gz(gz, text, len, 1), 0, "write a.csv.gz");
	UT_EQ_INT(write_gz(gz2, text, len, 3), 0, "write three gzip members");

	char *want = records_of(plain, &e), *got = records_of(gz, &e);
	UT_EQ_STR(want, "2:1|x\ny|3;4:BAD;5:7|8|9;end 0", "the plain file's records");
	UT_EQ_STR(got, want, ".csv.gz reads as the plain file");
	free(got);
	got = records_of(gz2, &e);
	UT_EQ_STR(got, want, "concatenated gzip members, without a .gz name, read as one file");
	free(got);
	int is_gz = 0;
	fp = infile_open(plain, &is_gz, &e);
	UT_CHECK(fp && !is_gz, "a plain file is not gzip");
	fclose(fp);
	fp = infile_open(gz2, &is_gz, &e);
	UT_CHECK(fp && is_gz, "gzip found by its magic bytes, not its name");
	fclose(fp);

	/* truncated and corrupt gzip: bad data, named as such */
	FILE *in = fopen(gz, "rb"), *out = fopen(cut, "wb");
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf, in);
	UT_CHECK(n > 64 && n < sizeof buf, "the gzip file is small");
	n /= 2;
	fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
	got = records_of(cut, &e);
	UT_CHECK(got && strstr(got, "end -2") && e.code == QE_DATA, "truncated gzip: a fatal data error");
	UT_CHECK(strstr(e.msg, "cut.csv.gz: read error: truncated gzip data") != NULL,
		 "truncated gzip: the message");
	free(got);
	for (size_t i = 20; i < n; i += 7)
		buf[i] ^= 0x55;
	out = fopen(cut, "wb");
	fwrite(buf, 1, n, out);
	fclose(out);
	got = records_of(cut, &e);
	UT_CHECK(strstr(e.msg, "cut.csv.gz: read error: corrupt gzip data") != NULL && e.code == QE_DATA,
		 "corrupt gzip: the message");
	free(got);

	/* a first byte 0x1f without 0x8b is plain text */
	fp = fopen(plain, "wb");
	fputs("\x1f" "a,b\n1,2\n", fp);
	fclose(fp);
	got = records_of(plain, &e);
	UT_EQ_STR(got, "2:1|2;end 0", "0x1f then not 0x8b: read as it is");
	free(got);
	csv_reader *r = csvr_open(plain, &e);
	UT_EQ_STR(r ? csvr_colname(r, 0) : "", "\x1f" "a", "the 0x1f byte is kept");
	csvr_close(r);

	free(want);
	free(text);
	unlink(plain);
	unlink(gz);
	unlink(gz2);
	unlink(cut);
	rmdir(dir);
}

/* Diagnostics are one line of valid UTF-8 whatever the value echoed. */
static void test_escape(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain ascii", "plain ascii"},
		{"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5"},
		{"latin-1 caf\xe9", "latin-1 caf\\xe9"},
		{"a\nb\tc\rd\x7f", "a\\x0ab\\x09c\\x0dd\\x7f"},
		{"stray \x80\xbf", "stray \\x80\\xbf"},
		{"overlong \xc0\xaf \xe0\x80\xaf", "overlong \\xc0\\xaf \\xe0\\x80\\xaf"},
		{"surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80"},
		{"too big \xf4\x90\x80\x80", "too big \\xf4\\x90\\x80\\x80"},
		{"cut \xe2\x82", "cut \\xe2\\x82"},
	};
	char out[256];
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		char name[64];
		snprintf(name, sizeof name, "escape case %zu", k);
		qe_err_escape(out, sizeof out, cases[k].in, strlen(cases[k].in));
		UT_EQ_STR(out, cases[k].out, name);
	}
	/* a character or escape that does not fit is left out whole */
	qe_err_escape(out, 6, "ab\xc3\xa9\xff", 5);
	UT_EQ_STR(out, "ab\xc3\xa9", "cut before a character that does not fit");
	qe_err_escape(out, 6, "abcd\xff", 5);
	UT_EQ_STR(out, "abcd", "cut before an escape that does not fit");

	/* through qe_err_set and the reader's field errors */
	qe_err e;
	qe_err_set(&e, QE_DATA, "f.csv:2:1: bad '%s'", "\xff\x01");
	UT_EQ_STR(e.msg, "f.csv:2:1: bad '\\xff\\x01'", "qe_err_set escapes");
	const char *text = "a,b\n1\xfe\x02,2\n";
	csv_reader *r = reader_on(text, strlen(text), &e);
	double v;
	csvr_next(r, &e);
	csvr_get_double(r, 0, &v, &e);
	UT_EQ_STR(e.msg, "t.csv:2:1: column 'a': not a number '1\\xfe\\x02'", "a bad number, escaped");
	csvr_close(r);
}

/* Column col of every CSVR_ROW of path, as csvr reads it: "a;b;..." */
static char *column_by_csvr(const char *path, int col, qe_err *e)
{
	csv_reader *r = csvr_open(path, e);
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	int st;
	while (r && (st = csvr_next(r, e)) != CSVR_EOF && st != CSVR_FATAL)
		if (st == CSVR_ROW)
			fprintf(mem, "%s;", csvr_field(r, col, NULL));
	fclose(mem);
	csvr_close(r);
	return out;
}

static int put_field(void *ctx, const char *p, size_t n)
{
	fwrite(p, 1, n, ctx);
	fputc(';', ctx);
	return 0;
}

/* The same by csv_scan_column; *rc its return. */
static char *column_by_scan(const char *path, int ncols, int col, int *rc, qe_err *e)
{
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	*rc = csv_scan_column(path, ncols, col, put_field, mem, e);
	fclose(mem);
	return out;
}

static void test_scan_column(void)
{
	char dir[] = "/tmp/qe-test-csvscan-XXXXXX", path[64], gz[64];
	qe_err e;
	int rc;
	if (!mkdtemp(dir)) {
		UT_CHECK(0, "temp dir");
		return;
	}
	snprintf(path, sizeof path, "%s/t.csv", dir);
	snprintf(gz, sizeof gz, "%s/t.csv.gz", dir);
	/* a BOM, CRLF, blank lines, quoted ids with commas, doubled quotes
	 * and line ends, a short and a long row, bad quoting in mid-record
	 * and after a closing quote, a bare CR as data, and a record that
	 * straddles the scanner's 1 MiB read (a 60 KB field near it) */
	char *out = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&out, &len);
	fputs("\xEF\xBB\xBF\n\nid,x,y\r\n", mem);
	fputs("a,1,2\r\n\"b,1\",1,2\n\n\"c\"\"q\",1,2\n\"d\nd\",1,2\nshort,1\nlong,1,2,3\n", mem);
	fputs("e,1\"x,2\nf\"g,1,2\n\"h\"x,1,2\ni\rj,1,2\n", mem);
	for (int k = 0; ftell(mem) < (1 << 20) - 30000; k++)
		fprintf(mem, "r%d,%d,\"%s\"\n", k, k, k % 2 ? "p,q" : "z");
	fputs("big,\"", mem);
	for (int k = 0; k < 60000; k++)
		fputc(k % 100 ? 'w' : '\n', mem);
	fputs("\",2\nlast,1,2\n\"unterminated,1,2\nnever,1,2\n", mem);
	fclose(mem);
	FILE *fp = fopen(path, "wb");
	fwrite(out, 1, len, fp);
	fclose(fp);
	UT_EQ_INT(write_gz(gz, out, len, 2), 0, "write t.csv.gz");
	for (int col = 0; col < 3; col++) {
		char *want = column_by_csvr(path, col, &e);
		char *got = column_by_scan(path, 3, col, &rc, &e);
		UT_EQ_INT(rc, 0, "csv_scan_column reads the whole file");
		UT_CHECK(want && got && strcmp(want, got) == 0, "csv_scan_column sees csvr's good rows");
		if (col == 0)
			UT_CHECK(want && strncmp(want, "a;b,1;c\"q;d\nd;i\rj;r0;", 21) == 0,
				 "the good rows, unescaped");
		free(got);
		got = column_by_scan(gz, 3, col, &rc, &e);
		UT_CHECK(rc == 0 && want && got && strcmp(want, got) == 0, "and from gzip");
		free(got);
		free(want);
	}
	free(out);
	/* a field past the limit: csvr resynchronises its own way */
	fp = fopen(path, "wb");
	fputs("id,x\na,\"", fp);
	for (int k = 0; k < CSV_FIELD_MAX + 10; k++)
		fputc(k % 1000 ? 'v' : '\n', fp);
	fputs("\"\nb,1\n", fp);
	fclose(fp);
	free(column_by_scan(path, 2, 0, &rc, &e));
	UT_EQ_INT(rc, -1, "a field longer than CSV_FIELD_MAX: -1, not a guess");
	snprintf(path, sizeof path, "%s/none.csv", dir);
	free(column_by_scan(path, 2, 0, &rc, &e));
	UT_EQ_INT(rc, QE_IO, "a missing file is QE_IO");
	snprintf(path, sizeof path, "%s/t.csv", dir);
	unlink(path);
	unlink(gz);
	rmdir(dir);
}

/* The same row through a FILE writer and a memory writer. */
static void write_row(csv_writer *w, int k)
{
	csvw_str(w, k ? "a,\"b\"" : "plain");
	csvw_double(w, 0.1 * k);
	csvw_int(w, -k);
	csvw_date(w, 20000 + k);
	csvw_empty(w);
	csvw_strn(w, "x\ny", 3);
	csvw_end(w);
}

static void test_memory_writer(void)
{
	char *want = NULL;
	size_t wlen = 0;
	FILE *mem = open_memstream(&want, &wlen);
	csv_writer fw, mw;
	csvw_init(&fw, mem);
	csvw_init_mem(&mw);
	for (int k = 0; k < 2000; k++) {
		write_row(&fw, k);
		write_row(&mw, k);
	}
	fclose(mem);
	UT_CHECK(!mw.oom && mw.len == wlen && memcmp(mw.mem, want, wlen) == 0,
		 "a memory writer writes a FILE writer's bytes");
	char *kept = mw.mem;
	csvw_mem_clear(&mw);
	write_row(&mw, 0);
	UT_CHECK(mw.mem == kept && mw.len == strlen("plain,0,0,2024-10-04,,\"x\ny\"\n") &&
			 memcmp(mw.mem, "plain,0,0,2024-10-04,,\"x\ny\"\n", mw.len) == 0,
		 "cleared, it keeps its buffer and starts over");
	fail_realloc = 1;
	for (int k = 0; k < 100000 && !mw.oom; k++) /* past what it holds */
		write_row(&mw, k);
	fail_realloc = 0;
	UT_CHECK(mw.oom, "a buffer that cannot grow sets oom");
	csvw_mem_free(&mw);
	UT_CHECK(mw.mem == NULL && mw.len == 0 && !mw.oom, "freed");
	free(want);
}

/* csvr_raw_read() hands over the bytes after the header (buffered ones
 * first), from its line; csvr_raw_unread() gives some back and
 * csvr_next() parses them, then the rest of the stream, with its lines. */
static void test_raw_handover(void)
{
	static const char text[] = "a,b\r\n\"x\ny\",2\n1,2\n3,\"q\"\n\n5,6\n7,8\n";
	qe_err e;
	csv_reader *r = reader_on(text, sizeof text - 1, &e);
	UT_CHECK(r != NULL, "raw: header read");
	if (!r)
		return;
	UT_EQ_INT(csvr_raw_line(r), 2, "raw: the first byte after a CRLF header is on line 2");
	UT_EQ_INT((int)csvr_raw_read(r, NULL, 0, &e), 0, "raw: between records, asking reads nothing");
	char buf[8];
	long got = csvr_raw_read(r, buf, 6, &e);
	UT_EQ_INT((int)got, 6, "raw: up to cap bytes");
	UT_CHECK(memcmp(buf, "\"x\ny\",", 6) == 0, "raw: the bytes after the header, as they are");
	/* give back all but the quoted field's start: csvr_next reads from line 2 */
	UT_EQ_INT(csvr_raw_unread(r, buf, 6, 2), 0, "raw: unread");
	UT_EQ_INT(csvr_next(r, &e), CSVR_ROW, "raw: a record from the unread bytes");
	UT_EQ_STR(csvr_field(r, 0, NULL), "x\ny", "raw: the quoted field spans the unread bytes and the stream");
	UT_EQ_STR(csvr_field(r, 1, NULL), "2", "raw: the rest of the record from the stream");
	UT_EQ_INT((int)csvr_line(r), 2, "raw: its line");
	UT_EQ_INT(csvr_next(r, &e), CSVR_ROW, "raw: next record");
	UT_EQ_INT((int)csvr_line(r), 4, "raw: on line 4");
	UT_EQ_INT(csvr_next(r, &e), CSVR_ROW, "raw: a record with a quoted field");
	UT_EQ_INT((int)csvr_line(r), 5, "raw: on line 5");
	UT_EQ_INT(csvr_next(r, &e), CSVR_ROW, "raw: after a blank line");
	UT_EQ_INT((int)csvr_line(r), 7, "raw: on line 7");
	UT_EQ_INT(csvr_next(r, &e), CSVR_ROW, "raw: the last record");
	UT_EQ_STR(csvr_field(r, 1, NULL), "8", "raw: its last field");
	UT_EQ_INT(csvr_next(r, &e), CSVR_EOF, "raw: then the end");
	csvr_close(r);
}

/* csvblock: records in blocks of 2, the mapped columns (one absent), a
 * malformed record kept with its error, quoted fields unescaped, the end. */
static void test_block(void)
{
	qe_err e;
	const char *text = "a,b,c\n1,2,3\n4,\"x,\"\"y\",6\n7,8\n\n9,10,11\n";
	csv_reader *r = reader_on(text, strlen(text), &e);
	csvblock k;
	static const int col[3] = {2, -1, 1};
	csvscan_field f[3];
	UT_EQ_INT(csvblock_init(&k, 3, 2), 0, "block: init");
	UT_EQ_INT(csvblock_fill(&k, r, col), 0, "block: first fill");
	UT_EQ_INT((int)k.n, 2, "block: two records");
	UT_EQ_INT(k.st, CSVR_ROW, "block: more to read");
	csvblock_fields(&k, 0, f);
	UT_EQ_STR(f[0].p, "3", "block: column c");
	UT_EQ_INT((int)f[1].len, 0, "block: an absent column is empty");
	UT_EQ_STR(f[1].p, "", "block: an absent column is \"\"");
	csvblock_fields(&k, 1, f);
	UT_EQ_STR(f[2].p, "x,\"y", "block: a quoted field unescaped");
	UT_EQ_INT((int)f[2].len, 4, "block: its length");
	UT_EQ_INT((int)csvblock_line(&k, 1), 3, "block: line of the second record");
	UT_CHECK(!csvblock_bad(&k, 1), "block: a good record has no error");
	UT_EQ_INT(csvblock_fill(&k, r, col), 0, "block: second fill");
	UT_EQ_INT((int)k.n, 2, "block: a bad record and a good one");
	UT_CHECK(csvblock_bad(&k, 0) && strcmp(csvblock_bad(&k, 0)->msg, "t.csv:4:3: expected 3 fields, found 2") == 0,
		 "block: the malformed record's error");
	UT_EQ_INT((int)csvblock_line(&k, 1), 6, "block: after a blank line, line 6");
	csvblock_fields(&k, 1, f);
	UT_EQ_STR(f[0].p, "11", "block: its column c");
	UT_EQ_INT(csvblock_fill(&k, r, col), 0, "block: last fill");
	UT_EQ_INT((int)k.n, 0, "block: nothing left");
	UT_EQ_INT(k.st, CSVR_EOF, "block: the end");
	csvblock_free(&k);
	csvr_close(r);
}

int main(void)
{
	test_block();
	test_escape();
	test_gzip();
	test_long_lines();
	test_columns_and_delimiters();
	test_header_out_of_memory();
	test_scan_column();
	test_memory_writer();
	test_raw_handover();
	return ut_done();
}
