/* Unit tests for lib/io/csvscan's record scanner against a reference
 * written here, byte by byte from RFC 4180 as qe-formats(5) reads it, on
 * random buffers: records of every length around the scanner's 16-byte
 * chunks, CRLF split across a chunk boundary, fields past the caller's
 * maxf, quotes appearing late in a record (the chunked path gives up and
 * the byte-wise one starts over), and records cut by the end of the
 * buffer with more input to come. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvscan.h"
#include "unit.h"

enum { MAXF = 6, NF = 64 };

typedef struct ref_rec {
	size_t raw_len, next;
	long lines;
	int nfields, bad_col, blank, complete;
	size_t flen[NF];
	char ftext[NF][256];
} ref_rec;

/* The reference scanner: one record from buf[pos] (pos < len). */
static void ref_scan(const char *buf, size_t len, size_t pos, int at_eof, ref_rec *r)
{
	memset(r, 0, sizeof *r);
	size_t p = pos;
	if (buf[p] == '\n' || (buf[p] == '\r' && p + 1 < len && buf[p + 1] == '\n')) {
		r->blank = r->complete = 1;
		r->lines = 1;
		r->next = p + (buf[p] == '\n' ? 1 : 2);
		return;
	}
	if (buf[p] == '\r' && p + 1 == len && !at_eof)
		return;
	for (;;) {
		int col = r->nfields++;
		size_t n = 0;
		char *out = col < NF ? r->ftext[col] : NULL;
		if (p < len && buf[p] == '"') {
			p++;
			for (;;) {
				if (p == len) {
					if (!at_eof)
						return;
					r->bad_col = col + 1; /* unterminated: to the end */
					r->raw_len = len - pos;
					r->next = len;
					r->complete = 1;
					return;
				}
				if (buf[p] == '"') {
					if (p + 1 == len && !at_eof)
						return;
					if (p + 1 < len && buf[p + 1] == '"') {
						if (out && n < 255)
							out[n] = '"';
						n++;
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (buf[p] == '\n')
					r->lines++;
				if (out && n < 255)
					out[n] = buf[p];
				n++;
				p++;
			}
			if (col < NF)
				r->flen[col] = n;
			if (p == len)
				goto end_at_len;
			if (buf[p] == ',') {
				p++;
				continue;
			}
			if (buf[p] == '\n')
				goto end_at_nl;
			if (buf[p] == '\r' && p + 1 == len && !at_eof) {
				r->complete = 0;
				return;
			}
			if (buf[p] == '\r' && p + 1 < len && buf[p + 1] == '\n') {
				p++;
				goto end_at_nl;
			}
			r->bad_col = col + 1;
			goto to_line_end;
		}
		while (p < len && buf[p] != ',' && buf[p] != '\n' && buf[p] != '"') {
			if (out && n < 255)
				out[n] = buf[p];
			n++;
			p++;
		}
		if (p == len) {
			if (!at_eof)
				return;
			if (col < NF)
				r->flen[col] = n;
			goto end_at_len;
		}
		if (buf[p] == '"') {
			if (col < NF)
				r->flen[col] = n;
			r->bad_col = col + 1;
			goto to_line_end;
		}
		if (buf[p] == '\n' && n && buf[p - 1] == '\r')
			n--;
		if (col < NF)
			r->flen[col] = n;
		if (buf[p] == ',') {
			p++;
			continue;
		}
		goto end_at_nl;
	}
to_line_end:
	while (p < len && buf[p] != '\n')
		p++;
	if (p == len) {
		if (!at_eof)
			return;
		goto end_at_len;
	}
end_at_nl:
	r->raw_len = p - pos - (p > pos && buf[p - 1] == '\r');
	r->next = p + 1;
	r->lines++;
	r->complete = 1;
	return;
end_at_len:
	r->raw_len = len - pos;
	r->next = len;
	r->complete = 1;
}

static uint64_t rng_state = 0x243f6a8885a308d3ULL;
static uint64_t next_rand(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A random buffer: mostly plain text, separators, CRLF, sometimes a quote. */
static size_t random_buffer(char *buf, size_t cap, int quotes)
{
	static const char plain[] = "abcXYZ019.-_ ";
	size_t len = 1 + next_rand() % (cap - 1);
	for (size_t i = 0; i < len; i++) {
		unsigned k = (unsigned)(next_rand() % 100);
		if (k < 14)
			buf[i] = ',';
		else if (k < 18)
			buf[i] = '\n';
		else if (k < 20)
			buf[i] = '\r';
		else if (k < 21 && quotes)
			buf[i] = '"';
		else
			buf[i] = plain[next_rand() % (sizeof plain - 1)];
	}
	return len;
}

/* 1 when every record of buf[0..len) scans as the reference does. */
static int same_as_reference(const char *buf, size_t len, int at_eof, char *scratch)
{
	size_t pos = 0;
	while (pos < len) {
		csvscan_field f[MAXF];
		csvscan_rec rec;
		ref_rec r;
		int got = csvscan_next(buf, len, pos, at_eof, f, MAXF, scratch, &rec);
		ref_scan(buf, len, pos, at_eof, &r);
		if (got != r.complete)
			return 0;
		if (!got)
			return 1;
		if (rec.start != pos || rec.next != r.next || rec.lines != r.lines || rec.blank != r.blank)
			return 0;
		if (!rec.blank) {
			if (rec.raw_len != r.raw_len || rec.nfields != r.nfields ||
			    rec.bad_col != r.bad_col)
				return 0;
			for (int i = 0; i < rec.nfields && i < MAXF && !rec.bad_col; i++)
				if (f[i].len != r.flen[i] ||
				    memcmp(f[i].p, r.ftext[i], r.flen[i] < 255 ? r.flen[i] : 255) != 0)
					return 0;
		}
		pos = rec.next;
	}
	return 1;
}

static void test_random(int quotes, const char *name)
{
	enum { CAP = 200 };
	char buf[CAP], scratch[CAP];
	int ok = 1;
	for (int t = 0; t < 200000 && ok; t++) {
		size_t len = random_buffer(buf, CAP, quotes);
		ok = same_as_reference(buf, len, 1, scratch) && same_as_reference(buf, len, 0, scratch);
		if (!ok) {
			printf("# buffer:");
			for (size_t i = 0; i < len; i++)
				printf(" %02x", (unsigned char)buf[i]);
			printf("\n");
		}
	}
	UT_CHECK(ok, name);
}

/* Records of every length from 1 to 80 bytes, each at every alignment,
 * LF and CRLF, so that the terminator falls on each byte of a chunk. */
static void test_lengths(void)
{
	char buf[256], scratch[256];
	int ok = 1;
	for (size_t n = 1; n <= 80 && ok; n++)
		for (size_t off = 0; off < 17 && ok; off++)
			for (int crlf = 0; crlf < 2 && ok; crlf++) {
				size_t len = 0;
				memset(buf, 'x', off);
				len = off;
				if (off)
					buf[len - 1] = '\n';
				for (size_t i = 0; i < n; i++)
					buf[len++] = i % 5 == 4 ? ',' : (char)('a' + i % 26);
				if (crlf)
					buf[len++] = '\r';
				buf[len++] = '\n';
				memcpy(buf + len, "tail,1\n", 7);
				len += 7;
				ok = same_as_reference(buf, len, 1, scratch) &&
				     same_as_reference(buf, len - 3, 0, scratch);
			}
	UT_CHECK(ok, "records of 1..80 bytes at every alignment, LF and CRLF");
}

static void test_cases(void)
{
	char scratch[128];
	csvscan_field f[MAXF];
	csvscan_rec rec;
	/* a quote after the first chunk: the record is read from its start */
	const char *late = "aaaaaaaaaaaaaaaaaaaa,\"b,c\",d\n";
	UT_CHECK(csvscan_next(late, strlen(late), 0, 1, f, MAXF, scratch, &rec) == 1 &&
			 rec.nfields == 3 && f[1].len == 3 && memcmp(f[1].p, "b,c", 3) == 0 &&
			 rec.next == strlen(late),
		 "a quoted field after 16 plain bytes");
	/* more fields than maxf: counted, the first maxf kept */
	const char *many = "1,2,3,4,5,6,7,8,9,10,11,12\n";
	UT_CHECK(csvscan_next(many, strlen(many), 0, 1, f, MAXF, scratch, &rec) == 1 &&
			 rec.nfields == 12 && f[MAXF - 1].len == 1 && f[MAXF - 1].p[0] == '6',
		 "fields beyond maxf are counted, not stored");
	/* CR inside a field, not before the line end: kept */
	const char *cr = "abcdefghijklmnop\r,q\r\n";
	UT_CHECK(csvscan_next(cr, strlen(cr), 0, 1, f, MAXF, scratch, &rec) == 1 &&
			 rec.nfields == 2 && f[0].len == 17 && f[1].len == 1 && rec.raw_len == 19,
		 "CR inside a field is data, before LF is the terminator");
	/* a record without its line end and more input to come */
	const char *cut = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,b";
	UT_CHECK(csvscan_next(cut, strlen(cut), 0, 0, f, MAXF, scratch, &rec) == 0,
		 "a record cut by the buffer's end needs more input");
}

int main(void)
{
	test_cases();
	test_lengths();
	test_random(0, "random quote-free buffers scan as the reference");
	test_random(1, "random buffers with quotes scan as the reference");
	return ut_done();
}
