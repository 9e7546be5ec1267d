/* Unit tests for the one RFC 4180 quoting of lib/io/csvio, through every
 * path that writes CSV: csv_quote_field, the csv_writer and qe-ingest's
 * strbuf_put_field; and that the reader reads each field back. */
#include <stdlib.h>
#include <unistd.h>

#include "ingest/schema.h"
#include "io/csvio.h"
#include "unit.h"

static void put_mem(void *ctx, const char *p, size_t n)
{
	strbuf *b = ctx;
	strbuf_put(b, p, n);
}

static const struct {
	const char *in, *out;
} cases[] = {
	{"plain", "plain"},
	{"", ""},
	{"a,b", "\"a,b\""},
	{"say \"hi\"", "\"say \"\"hi\"\"\""},
	{"\"", "\"\"\"\""},
	{"\"\"", "\"\"\"\"\"\""},
	{"line\nbreak", "\"line\nbreak\""},
	{"cr\rhere", "\"cr\rhere\""},
	{"crlf\r\n", "\"crlf\r\n\""},
	{" lead", " lead"},
	{"trail ", "trail "},
	{"  both  ", "  both  "},
	{" ,spaced, ", "\" ,spaced, \""},
	{"x\"", "\"x\"\"\""},
	{"caf\xc3\xa9", "caf\xc3\xa9"},
};

int main(void)
{
	char path[] = "/tmp/qe-test-csvquote-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	csv_writer w;
	if (!fp)
		return 1;
	csvw_init(&w, fp);
	csvw_str(&w, "field");
	csvw_str(&w, "n");
	csvw_end(&w);
	size_t nc = sizeof cases / sizeof *cases;
	for (size_t k = 0; k < nc; k++) {
		const char *in = cases[k].in;
		size_t n = strlen(in);
		strbuf a = {0}, b = {0};
		csv_quote_field(in, n, put_mem, &a);
		strbuf_put_field(&b, in, n);
		int ok_a = a.len == strlen(cases[k].out) && memcmp(a.p ? a.p : "", cases[k].out, a.len) == 0;
		int ok_b = b.len == a.len && memcmp(b.p ? b.p : "", a.p ? a.p : "", a.len) == 0;
		char name[96];
		snprintf(name, sizeof name, "csv_quote_field case %zu", k);
		UT_CHECK(ok_a, name);
		snprintf(name, sizeof name, "strbuf_put_field = csv_quote_field, case %zu", k);
		UT_CHECK(ok_b, name);
		UT_EQ_INT(csv_field_needs_quotes(in, n), strcmp(in, cases[k].out) != 0, "needs quotes iff changed");
		strbuf_free(&a);
		strbuf_free(&b);
		csvw_str(&w, in);
		csvw_int(&w, (int64_t)k);
		csvw_end(&w);
	}
	if (fclose(fp))
		return 1;

	/* the writer's file holds exactly the quoted fields, and reads back */
	fp = fopen(path, "r");
	char buf[1024];
	size_t got = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[got] = '\0';
	strbuf want = {0};
	strbuf_put(&want, "field,n\n", 8);
	for (size_t k = 0; k < nc; k++) {
		char tail[32];
		strbuf_put(&want, cases[k].out, strlen(cases[k].out));
		int tl = snprintf(tail, sizeof tail, ",%zu\n", k);
		strbuf_put(&want, tail, (size_t)tl);
	}
	UT_CHECK(want.len == got && memcmp(want.p, buf, got) == 0, "csv_writer writes the quoted fields");
	strbuf_free(&want);

	qe_err e;
	qe_err_clear(&e);
	csv_reader *r = csvr_open(path, &e);
	UT_CHECK(r != NULL, "the written file opens");
	size_t k = 0;
	int st;
	while (r && (st = csvr_next(r, &e)) != CSVR_EOF) {
		size_t len;
		const char *f = csvr_field(r, 0, &len);
		char name[96];
		snprintf(name, sizeof name, "round trip of case %zu", k);
		UT_CHECK(st == CSVR_ROW && k < nc && len == strlen(cases[k].in) && memcmp(f, cases[k].in, len) == 0,
			 name);
		k++;
	}
	UT_EQ_INT(k, nc, "every row read back");
	csvr_close(r);
	unlink(path);
	return ut_done();
}
