#include "io/csvscan.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Bytes that end or break an unquoted field. */
static const unsigned char special[256] = {['\n'] = 1, [','] = 1, ['"'] = 1};

long csvscan_count_lines(const char *buf, size_t len)
{
	long n = 0;
	const char *p = buf, *end = buf + len;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

size_t csvscan_last_newline(const char *buf, size_t len)
{
	const char *p = memrchr(buf, '\n', len);
	return p ? (size_t)(p - buf) + 1 : 0;
}

/* Ends the record at the '\n' at buf[nl] (or at len when nl == len). */
static void finish(const char *buf, size_t len, size_t pos, size_t nl, csvscan_rec *rec)
{
	size_t end = nl;
	if (end > pos && buf[end - 1] == '\r' && nl < len)
		end--;
	rec->raw_len = end - pos;
	if (nl < len) {
		rec->next = nl + 1;
		rec->lines++;
	} else {
		rec->next = len;
	}
}

#ifdef __SSE2__
/* The usual record, without any quote and ending in a '\n' inside buf,
 * found 16 bytes at a time: the separators of a chunk are the set bits of
 * one mask, so the bytes of a field are not looked at one by one.  Returns
 * 0 (rec->nfields still 0, f scribbled on) as soon as the record turns out
 * to be another kind, which the byte-wise scanner below then reads from
 * its start; the fields and the record are exactly what it would give. */
static int scan_plain(const char *buf, size_t len, size_t pos, csvscan_field *f, int maxf,
		      csvscan_rec *rec)
{
	const __m128i comma = _mm_set1_epi8(','), nl = _mm_set1_epi8('\n'), quote = _mm_set1_epi8('"');
	size_t fstart = pos;
	int col = 0;
	for (size_t base = pos; base + 16 <= len; base += 16) {
		__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(buf + base));
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(c, comma), _mm_cmpeq_epi8(c, nl)),
					   _mm_cmpeq_epi8(c, quote));
		unsigned m = (unsigned)_mm_movemask_epi8(hit);
		while (m) {
			size_t q = base + (size_t)__builtin_ctz(m);
			char ch = buf[q];
			m &= m - 1;
			if (ch == '"')
				return 0;
			size_t flen = q - fstart;
			if (ch == '\n' && flen && buf[q - 1] == '\r')
				flen--;
			if (col < maxf) {
				f[col].p = buf + fstart;
				f[col].len = flen;
			}
			col++;
			if (ch == '\n') {
				rec->nfields = col;
				finish(buf, len, pos, q, rec);
				return 1;
			}
			fstart = q + 1;
		}
	}
	return 0;
}
#endif

int csvscan_next(const char *buf, size_t len, size_t pos, int at_eof, csvscan_field *f,
		 int maxf, char *scratch, csvscan_rec *rec)
{
	size_t p = pos;
	char *sp = scratch;
	memset(rec, 0, sizeof *rec);
	rec->start = pos;

	/* blank line: "\n" or "\r\n" */
	if (buf[p] == '\n' || (buf[p] == '\r' && p + 1 < len && buf[p + 1] == '\n')) {
		rec->blank = 1;
		rec->next = p + (buf[p] == '\n' ? 1 : 2);
		rec->lines = 1;
		return 1;
	}
	if (buf[p] == '\r' && p + 1 == len && !at_eof)
		return 0;
#ifdef __SSE2__
	if (scan_plain(buf, len, pos, f, maxf, rec))
		return 1;
#endif

	for (;;) {
		int col = rec->nfields++;
		if (p < len && buf[p] == '"') {
			size_t q = p + 1;
			char *fstart = sp;
			for (;;) {
				const char *quote = memchr(buf + q, '"', len - q);
				if (!quote) {
					if (!at_eof)
						return 0;
					/* unterminated quote: the rest of the input */
					memcpy(sp, buf + q, len - q);
					sp += len - q;
					rec->lines += csvscan_count_lines(buf + q, len - q);
					rec->bad_col = col + 1;
					rec->unterminated = 1;
					rec->raw_len = len - pos;
					rec->next = len;
					if (col < maxf) {
						f[col].p = fstart;
						f[col].len = (size_t)(sp - fstart);
					}
					return 1;
				}
				size_t qi = (size_t)(quote - buf);
				memcpy(sp, buf + q, qi - q);
				rec->lines += csvscan_count_lines(buf + q, qi - q);
				sp += qi - q;
				if (qi + 1 == len && !at_eof)
					return 0;
				if (qi + 1 < len && buf[qi + 1] == '"') {
					*sp++ = '"';
					q = qi + 2;
					continue;
				}
				p = qi + 1;
				break;
			}
			if (col < maxf) {
				f[col].p = fstart;
				f[col].len = (size_t)(sp - fstart);
			}
			if (p == len) {
				finish(buf, len, pos, len, rec);
				return 1;
			}
			if (buf[p] == ',') {
				p++;
				continue;
			}
			if (buf[p] == '\n') {
				finish(buf, len, pos, p, rec);
				return 1;
			}
			if (buf[p] == '\r' && p + 1 == len && !at_eof)
				return 0;
			if (buf[p] == '\r' && p + 1 < len && buf[p + 1] == '\n') {
				finish(buf, len, pos, p + 1, rec);
				return 1;
			}
			/* text after the closing quote */
			rec->bad_col = col + 1;
		} else {
			size_t q = p;
			while (q < len && !special[(unsigned char)buf[q]])
				q++;
			if (q == len) {
				if (!at_eof)
					return 0;
				if (col < maxf) {
					f[col].p = buf + p;
					f[col].len = q - p;
				}
				finish(buf, len, pos, len, rec);
				return 1;
			}
			if (buf[q] != '"') {
				size_t flen = q - p;
				if (buf[q] == '\n' && flen && buf[q - 1] == '\r')
					flen--;
				if (col < maxf) {
					f[col].p = buf + p;
					f[col].len = flen;
				}
				if (buf[q] == ',') {
					p = q + 1;
					continue;
				}
				finish(buf, len, pos, q, rec);
				return 1;
			}
			/* a quote inside an unquoted field */
			if (col < maxf) {
				f[col].p = buf + p;
				f[col].len = q - p;
			}
			rec->bad_col = col + 1;
			p = q;
		}
		/* malformed: the record ends with the physical line */
		const char *nl = memchr(buf + p, '\n', len - p);
		if (!nl) {
			if (!at_eof)
				return 0;
			finish(buf, len, pos, len, rec);
			return 1;
		}
		finish(buf, len, pos, (size_t)(nl - buf), rec);
		return 1;
	}
}
