/* Unit tests for lib/num, lib/date, lib/strbuf, lib/csvio and lib/outfile. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/csvio.h"
#include "core/date.h"
#include "core/grow.h"
#include "core/num.h"
#include "core/par.h"
#include "core/strbuf.h"
#include "io/outfile.h"
#include "unit.h"

static void test_num(void)
{
	double v = 0;
	int64_t i = 0;
	char buf[NUM_BUFSZ];
	UT_EQ_INT(num_parse_double_z("1.5", &v), NUM_OK, "parse 1.5");
	UT_CHECK(v == 1.5, "value 1.5");
	UT_EQ_INT(num_parse_double_z("-2e-3", &v), NUM_OK, "parse -2e-3");
	UT_CHECK(v == -0.002, "value -2e-3");
	UT_EQ_INT(num_parse_double_z(".5", &v), NUM_OK, "parse .5");
	UT_EQ_INT(num_parse_double_z("5.", &v), NUM_OK, "parse 5.");
	UT_EQ_INT(num_parse_double_z("1,5", &v), NUM_SYNTAX, "decimal comma refused");
	UT_EQ_INT(num_parse_double_z(" 1", &v), NUM_SYNTAX, "leading space refused");
	UT_EQ_INT(num_parse_double_z("1 ", &v), NUM_SYNTAX, "trailing space refused");
	UT_EQ_INT(num_parse_double_z("0x10", &v), NUM_SYNTAX, "hex refused");
	UT_EQ_INT(num_parse_double_z("nan", &v), NUM_NONFINITE, "nan refused");
	UT_EQ_INT(num_parse_double_z("-Inf", &v), NUM_NONFINITE, "inf refused");
	UT_EQ_INT(num_parse_double_z("1e400", &v), NUM_RANGE, "overflow refused");
	UT_EQ_INT(num_parse_double_z("1e-400", &v), NUM_RANGE, "underflow refused");
	UT_EQ_INT(num_parse_double_z("", &v), NUM_EMPTY, "empty refused");
	UT_EQ_INT(num_parse_double_z("1e", &v), NUM_SYNTAX, "bare exponent refused");
	UT_EQ_INT(num_parse_int64_z("-9223372036854775808", &i), NUM_OK, "int64 min");
	UT_CHECK(i == INT64_MIN, "int64 min value");
	UT_EQ_INT(num_parse_int64_z("9223372036854775808", &i), NUM_RANGE, "int64 overflow");
	UT_EQ_INT(num_parse_int64_z("12a", &i), NUM_SYNTAX, "int junk");
	num_format_double(buf, 0.1);
	UT_EQ_STR(buf, "0.1", "format 0.1 shortest");
	num_format_double(buf, 1.0 / 3.0);
	UT_EQ_STR(buf, "0.3333333333333333", "format 1/3 shortest round-trip");
	num_format_double(buf, -0.0);
	UT_EQ_STR(buf, "0", "negative zero prints 0");
	/* round trip on awkward values */
	int rt = 1;
	double xs[] = {5e-324, 1.7976931348623157e308, 0.3, 2.0 / 3.0, 123456789.123456789, -1e-300};
	for (size_t k = 0; k < sizeof xs / sizeof xs[0]; k++) {
		num_format_double(buf, xs[k]);
		if (num_parse_double_z(buf, &v) != NUM_OK || v != xs[k])
			rt = 0;
	}
	UT_CHECK(rt, "round trip of extreme values");
}

static void test_date(void)
{
	qe_date d;
	char buf[16];
	UT_EQ_INT(date_from_ymd(1970, 1, 1), 0, "epoch");
	UT_EQ_INT(date_parse_z("2026-02-30", &d), -1, "2026-02-30 refused");
	UT_EQ_INT(date_parse_z("2024-02-29", &d), 0, "2024-02-29 accepted");
	UT_EQ_INT(date_parse_z("2026-1-01", &d), -1, "short month refused");
	UT_EQ_INT(date_parse_z("2026-11-26", &d), 0, "parse today");
	UT_EQ_INT(date_weekday(d), 4, "2026-11-26 is a Thursday");
	date_format(buf, d);
	UT_EQ_STR(buf, "2026-11-26", "format round trip");
	UT_EQ_INT(date_add_months_first(d, 2), date_from_ymd(2027, 1, 1), "add months across year");
	UT_EQ_INT(date_add_months_first(d, -11), date_from_ymd(2025, 12, 1), "subtract months");
	int ok = 1;
	for (qe_date t = -800000; t < 800000; t += 97) {
		int y, m, dd;
		date_to_ymd(t, &y, &m, &dd);
		if (date_from_ymd(y, m, dd) != t)
			ok = 0;
	}
	UT_CHECK(ok, "civil <-> days round trip over 4000 years");
}

static csv_reader *reader_on(const char *text, qe_err *e)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	return csvr_open_stream(fp, "t.csv", 1, e);
}

static void test_csv(void)
{
	qe_err e;
	double v;
	csv_reader *r = reader_on("\xEF\xBB\xBF" "a,b,c\r\n1,\"x,\"\"y\"\"\",3\r\n\r\n4,\"multi\nline\",6\n7,8\n9,bad\"q,1\n10,11,12", &e);
	UT_CHECK(r != NULL, "open with BOM and CRLF");
	if (!r)
		return;
	UT_EQ_INT(csvr_ncols(r), 3, "three columns");
	UT_EQ_INT(csvr_col(r, "a"), 0, "BOM stripped from first name");
	UT_EQ_INT(csvr_next(r, &e), CSVR_ROW, "row 1");
	UT_EQ_STR(csvr_field(r, 1, NULL), "x,\"y\"", "quoted field unescaped");
	UT_EQ_INT(csvr_line(r), 2, "row 1 on line 2");
	UT_EQ_INT(csvr_next(r, &e), CSVR_ROW, "row 2 after blank line");
	UT_EQ_STR(csvr_field(r, 1, NULL), "multi\nline", "embedded newline kept");
	UT_EQ_INT(csvr_line(r), 4, "row 2 on line 4");
	UT_EQ_INT(csvr_next(r, &e), CSVR_BADROW, "short row is bad");
	UT_EQ_INT(csvr_line(r), 6, "short row on line 6");
	UT_EQ_INT(csvr_next(r, &e), CSVR_BADROW, "bad quoting is bad");
	UT_EQ_INT(csvr_line(r), 7, "bad quoting on line 7");
	UT_EQ_INT(csvr_next(r, &e), CSVR_ROW, "resync after bad quoting");
	UT_EQ_INT(csvr_get_double(r, 2, &v, &e), 0, "last row without newline");
	UT_CHECK(v == 12, "value 12");
	UT_EQ_INT(csvr_line(r), 8, "last row on line 8");
	UT_EQ_INT(csvr_next(r, &e), CSVR_EOF, "eof");
	UT_EQ_INT(csvr_records(r), 5, "five records counted");
	csvr_close(r);

	r = reader_on("a,b\n\"first\nfield\",1\n2,3\n", &e);
	UT_EQ_INT(csvr_next(r, &e), CSVR_ROW, "record with multi-line first field");
	UT_EQ_INT(csvr_line(r), 2, "multi-line first field: record starts on line 2");
	UT_EQ_INT(csvr_next(r, &e), CSVR_ROW, "following record");
	UT_EQ_INT(csvr_line(r), 4, "following record on line 4");
	csvr_close(r);

	r = reader_on("x,y\n1.5, 2\n", &e);
	csvr_next(r, &e);
	UT_EQ_INT(csvr_get_double(r, 1, &v, &e), QE_DATA, "leading blank refused");
	UT_EQ_STR(e.msg, "t.csv:2:2: column 'y': not a number ' 2'", "error names file:line:col");
	csvr_close(r);

	r = reader_on("", &e);
	UT_CHECK(r == NULL && e.code == QE_DATA, "empty file is bad data");
	r = reader_on("a,a\n", &e);
	UT_CHECK(r == NULL && e.code == QE_DATA, "duplicate header refused");
}

static void test_writer_and_out(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	csv_writer w;
	csvw_init(&w, fp);
	csvw_str(&w, "a,b");
	csvw_str(&w, "q\"t");
	csvw_double(&w, 0.1);
	csvw_int(&w, -7);
	csvw_date(&w, date_from_ymd(2026, 3, 29));
	csvw_end(&w);
	fclose(fp);
	UT_EQ_STR(buf, "\"a,b\",\"q\"\"t\",0.1,-7,2026-03-29\n", "writer quotes per RFC 4180");
	free(buf);

	char dir[] = "/tmp/qe-unit-XXXXXX", path[64], hex[65];
	qe_out o;
	qe_err e;
	UT_CHECK(mkdtemp(dir) != NULL, "temp dir");
	snprintf(path, sizeof path, "%s/out.csv", dir);
	UT_EQ_INT(out_open(&o, path, &e), 0, "out_open");
	fputs("abc", o.fp);
	UT_CHECK(access(path, F_OK) != 0, "target absent before commit");
	UT_EQ_INT(out_commit(&o, &e), 0, "out_commit");
	UT_CHECK(access(path, F_OK) == 0, "target present after commit");
	UT_EQ_INT(sha256_file(path, hex, &e), 0, "sha256");
	UT_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256(abc)");
	UT_EQ_INT(out_open(&o, path, &e), 0, "reopen");
	fputs("partial", o.fp);
	out_abort(&o);
	UT_EQ_INT(sha256_file(path, hex, &e), 0, "sha256 after abort");
	UT_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abort keeps old file");
	/* through a symlink: the link survives, its target gets the data */
	char link[80], target[80], buf2[16] = {0};
	snprintf(target, sizeof target, "%s/target.csv", dir);
	snprintf(link, sizeof link, "%s/link.csv", dir);
	UT_CHECK(symlink("target.csv", link) == 0, "make symlink");
	UT_EQ_INT(out_open(&o, link, &e), 0, "open through symlink");
	fputs("new", o.fp);
	UT_EQ_INT(out_commit(&o, &e), 0, "commit through symlink");
	struct stat lst;
	UT_CHECK(lstat(link, &lst) == 0 && S_ISLNK(lst.st_mode), "symlink still a symlink");
	FILE *tf = fopen(target, "r");
	UT_CHECK(tf && fgets(buf2, sizeof buf2, tf) && strcmp(buf2, "new") == 0, "target holds the output");
	if (tf)
		fclose(tf);
	unlink(link);
	unlink(target);
	unlink(path);
	rmdir(dir);
	UT_EQ_INT(out_open(&o, "/dev/stdout", &e), 0, "open /dev/stdout");
	UT_CHECK(o.fp == stdout && o.tmp == NULL, "/dev/stdout is plain stdout, never renamed over");
	out_abort(&o);
	UT_EQ_INT(out_open(&o, "/dev/full", &e), 0, "open /dev/full");
	fputs("x", o.fp);
	UT_EQ_INT(out_commit(&o, &e), QE_IO, "ENOSPC reported as I/O error");
}

/* The umask as the kernel reports it, without changing it. */
static int umask_now(void)
{
	char line[256];
	int mask = -1;
	FILE *fp = fopen("/proc/self/status", "r");
	while (fp && fgets(line, sizeof line, fp))
		if (sscanf(line, "Umask: %o", (unsigned *)&mask) == 1)
			break;
	if (fp)
		fclose(fp);
	return mask;
}

static atomic_int watch_stop, watch_other;

/* Another thread of the process watches the umask while outputs open. */
static void *watch_umask(void *arg)
{
	(void)arg;
	while (!atomic_load(&watch_stop)) {
		int m = umask_now();
		if (m >= 0 && m != 027)
			atomic_store(&watch_other, m + 1);
	}
	return NULL;
}

static void test_out_mode(void)
{
	char dir[] = "/tmp/qe-unit-XXXXXX", path[64], tmpl[80];
	qe_out o;
	qe_err e;
	struct stat st;
	mode_t old = umask(027);
	UT_CHECK(mkdtemp(dir) != NULL, "temp dir");
	snprintf(path, sizeof path, "%s/out.csv", dir);
	UT_EQ_INT(out_open(&o, path, &e), 0, "out_open under umask 027");
	UT_CHECK(fstat(fileno(o.fp), &st) == 0 && (st.st_mode & 0777) == 0640, "temporary file 0666 less the umask");
	UT_EQ_INT(out_commit(&o, &e), 0, "commit");
	UT_CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "output 0640");
	unlink(path);

	/* the umask is never changed, not even for a moment: a thread
	 * reading it meanwhile sees 027 throughout */
	pthread_t th;
	UT_CHECK(pthread_create(&th, NULL, watch_umask, NULL) == 0, "watcher thread");
	for (int i = 0; i < 3000; i++) {
		if (out_open(&o, path, &e) == 0)
			out_abort(&o);
	}
	atomic_store(&watch_stop, 1);
	pthread_join(th, NULL);
	UT_EQ_INT(atomic_load(&watch_other), 0, "umask never seen changed by another thread");
	UT_EQ_INT(umask_now(), 027, "umask as it was");

	snprintf(tmpl, sizeof tmpl, "%s/t.XXXXXX", dir);
	int fd = out_mktemp(tmpl);
	UT_CHECK(fd >= 0 && strstr(tmpl, "XXXXXX") == NULL, "out_mktemp fills in the name");
	UT_CHECK(fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0640, "out_mktemp: 0666 less the umask");
	close(fd);
	unlink(tmpl);
	snprintf(tmpl, sizeof tmpl, "%s/t.XXXX", dir);
	UT_CHECK(out_mktemp(tmpl) == -1 && errno == EINVAL, "out_mktemp: template without XXXXXX refused");
	rmdir(dir);
	umask(old);
}

/* core/grow: parallel arrays grow together and keep their contents */
static void test_grow(void)
{
	double *v = NULL;
	long *l = NULL;
	size_t cap = 0, n;
	for (n = 0; n < 1000; n++) {
		const grow_array a[] = {GROW_ARRAY(v), GROW_ARRAY(l)};
		if (grow_arrays(n, &cap, 16, a, 2))
			break;
		v[n] = 0.5 * (double)n;
		l[n] = (long)n;
	}
	UT_EQ_INT((long)n, 1000, "grow_arrays: 1000 rows appended");
	UT_EQ_INT((long)cap, 1024, "grow_arrays: capacity doubles from the first");
	int same = 1;
	for (size_t i = 0; i < n; i++)
		same &= v[i] == 0.5 * (double)i && l[i] == (long)i;
	UT_CHECK(same, "grow_arrays: the contents survive every move");
	const grow_array a[] = {GROW_ARRAY(v), GROW_ARRAY(l)};
	UT_CHECK(grow_arrays(10, &cap, 16, a, 2) == 0 && cap == 1024, "grow_arrays: no move while there is room");
	free(v);
	free(l);
}

/* core/par in one process (the plain build): rank 0 of 1, whose share is
 * everything and whose gather of bytes hands back a copy (the MPI build:
 * tests/mpi.bats). */
static void test_par(void)
{
	UT_EQ_INT(par_rank(), 0, "par: one process is rank 0");
	UT_EQ_INT(par_size(), 1, "par: of a group of 1");
	size_t lo, hi;
	par_my_share(10, 1, &lo, &hi);
	UT_CHECK(lo == 0 && hi == 10, "par: one rank's share is everything");
	par_my_share(10, 4, &lo, &hi);
	UT_CHECK(lo == 0 && hi == 10, "par: in blocks too");
	const char mine[] = "T1\0T2";
	void *all = NULL;
	size_t n = 99;
	qe_err e;
	UT_EQ_INT(par_gather_bytes(mine, sizeof mine, &all, &n, &e), 0, "par_gather_bytes: one process");
	UT_CHECK(n == sizeof mine && all && memcmp(all, mine, n) == 0, "par_gather_bytes: a copy of the bytes");
	free(all);
	UT_EQ_INT(par_gather_bytes(NULL, 0, &all, &n, &e), 0, "par_gather_bytes: nothing");
	UT_CHECK(n == 0 && !all, "par_gather_bytes: nothing is NULL");
}

/* The text buffer grows past its first block, formats, and escapes HTML
 * and XML as the pages and payment files need it. */
static void test_strbuf(void)
{
	strbuf b = {0};
	strbuf_put(&b, "", 0);
	UT_CHECK(b.p == NULL && b.len == 0 && !b.oom, "strbuf: nothing put, nothing allocated");
	char want[10001];
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&b, "%09d,", i);
	for (int i = 0; i < 1000; i++)
		snprintf(want + 10 * i, 11, "%09d,", i);
	UT_CHECK(b.len == 10000 && !memcmp(b.p, want, 10000) && b.p[b.len] == 0,
		 "strbuf_addf: 10000 bytes over several blocks, NUL after them");
	b.len = 0;
	strbuf_addf(&b, "%s|%5.1f|%c", "x", 2.25, 'z');
	strbuf_putc(&b, '!');
	UT_CHECK(b.len == 10 && !memcmp(b.p, "x|  2.2|z!", 10), "strbuf_addf and strbuf_putc");
	char big[9000];
	memset(big, 'a', sizeof big);
	b.len = 0;
	strbuf_addf(&b, "%.*s", (int)sizeof big, big); /* longer than the room left: formatted again */
	UT_CHECK(b.len == sizeof big && !memcmp(b.p, big, sizeof big), "strbuf_addf: a text longer than the block");
	static const char in[] = "A&B <\"x\"> it's\t\x01 \xc3\xa9";
	b.len = 0;
	strbuf_put_markup(&b, in, sizeof in - 1, STRBUF_HTML);
	strbuf_putc(&b, 0);
	UT_EQ_STR(b.p, "A&amp;B &lt;&quot;x&quot;&gt; it&#39;s\t\x01 \xc3\xa9", "strbuf_put_markup: HTML");
	b.len = 0;
	strbuf_put_markup(&b, in, sizeof in - 1, STRBUF_XML);
	strbuf_putc(&b, 0);
	UT_EQ_STR(b.p, "A&amp;B &lt;&quot;x&quot;&gt; it&apos;s   \xc3\xa9", "strbuf_put_markup: XML, controls as spaces");
	b.len = 0;
	strbuf_put_markup(&b, "a<b", 2, STRBUF_HTML);
	UT_CHECK(b.len == 5 && !memcmp(b.p, "a&lt;", 5), "strbuf_put_markup: n bytes only");
	strbuf_free(&b);
	UT_CHECK(b.p == NULL && b.len == 0 && b.cap == 0, "strbuf_free empties");
}

int main(void)
{
	test_par();
	test_strbuf();
	test_grow();
	test_num();
	test_date();
	test_csv();
	test_writer_and_out();
	test_out_mode();
	return ut_done();
}
