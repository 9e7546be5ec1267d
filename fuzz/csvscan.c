/*
 * Fuzz target: the in-memory CSV record scanner (io/csvscan.h).
 * Promises checked: every record moves forward and stays in the buffer;
 * the lines the records consume add up to the buffer's line count; fields
 * point into the buffer or the scratch; and a record scanned from a
 * buffer cut short (more input may follow, as qe-ingest's blocks do) is
 * either "need more" or exactly the record the whole buffer gives - the
 * property qe-ingest's block boundaries rely on.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "io/csvscan.h"

enum { MAXF = 32 };

static void check_fields(const char *buf, size_t len, const char *scratch, size_t slen,
			 const csvscan_field *f, int n)
{
	for (int i = 0; i < n; i++) {
		const char *p = f[i].p;
		int in_buf = p >= buf && p + f[i].len <= buf + len;
		int in_scratch = p >= scratch && p + f[i].len <= scratch + slen;
		if (!in_buf && !in_scratch)
			fuzz_fail("field %d lies outside the buffer and the scratch", i + 1);
	}
}

static int same_rec(const csvscan_rec *a, const csvscan_rec *b)
{
	return a->start == b->start && a->raw_len == b->raw_len && a->next == b->next &&
	       a->lines == b->lines && a->nfields == b->nfields && a->bad_col == b->bad_col &&
	       a->unterminated == b->unterminated && a->blank == b->blank;
}

void fuzz_one(const uint8_t *data, size_t len)
{
	const char *buf = (const char *)data;
	char *scratch = malloc(len ? len : 1), *scratch2 = malloc(len ? len : 1);
	if (!scratch || !scratch2)
		fuzz_fail("out of memory");
	csvscan_field f[MAXF], g[MAXF];
	csvscan_rec rec, cut;
	long lines = 0;
	size_t pos = 0;
	while (pos < len) {
		if (csvscan_next(buf, len, pos, 1, f, MAXF, scratch, &rec) != 1)
			fuzz_fail("at EOF, the record at %zu is not complete", pos);
		if (rec.start != pos || rec.next <= pos || rec.next > len)
			fuzz_fail("record at %zu: next %zu (len %zu)", pos, rec.next, len);
		if (rec.raw_len > rec.next - pos)
			fuzz_fail("record at %zu: raw_len %zu beyond next %zu", pos, rec.raw_len, rec.next);
		if (rec.lines != csvscan_count_lines(buf + pos, rec.next - pos))
			fuzz_fail("record at %zu: %ld lines, its text has %ld", pos, rec.lines,
				  csvscan_count_lines(buf + pos, rec.next - pos));
		int n = rec.nfields < MAXF ? rec.nfields : MAXF;
		if (!rec.blank)
			check_fields(buf, len, scratch, len, f, n);
		/* A record that ends at a line end must scan the same from any
		 * buffer that holds it, and need more from a shorter one (an
		 * unterminated quote is only known as such at EOF). */
		if (buf[rec.next - 1] == '\n' && !rec.unterminated) {
			size_t cuts[3] = {pos + (rec.next - pos) / 2, rec.next - 1, rec.next};
			for (int k = 0; k < 3; k++) {
				size_t end = cuts[k];
				if (end <= pos)
					continue;
				int got = csvscan_next(buf, end, pos, 0, g, MAXF, scratch2, &cut);
				if (end < rec.next && got != 0)
					fuzz_fail("record at %zu ends at %zu, but a cut at %zu gives a record ending at %zu",
						  pos, rec.next, end, cut.next);
				if (end == rec.next) {
					if (got != 1 || !same_rec(&rec, &cut))
						fuzz_fail("record at %zu scans differently from a buffer ending with it", pos);
					for (int i = 0; i < n; i++)
						if (f[i].len != g[i].len || memcmp(f[i].p, g[i].p, f[i].len))
							fuzz_fail("record at %zu: field %d differs in a cut buffer", pos, i + 1);
				}
			}
		}
		lines += rec.lines;
		pos = rec.next;
	}
	if (lines != csvscan_count_lines(buf, len))
		fuzz_fail("records consumed %ld lines of %ld", lines, csvscan_count_lines(buf, len));
	size_t nl = csvscan_last_newline(buf, len);
	if (nl > len || (nl && buf[nl - 1] != '\n'))
		fuzz_fail("last newline %zu", nl);
	free(scratch);
	free(scratch2);
}
