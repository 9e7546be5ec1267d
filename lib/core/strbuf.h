/*
 * strbuf: a growable byte buffer that library code builds text in (the
 * canonical rows of ingest/schema, COPY lines of store/, the reports of
 * report/, invoices and payment files of settle/), and the one escape of
 * text put into HTML or XML.
 *
 * A zeroed strbuf is empty and valid; p is NULL until something is put.
 * A failed allocation sets oom and keeps it: every later put is dropped,
 * so a builder may run to its end and the caller checks oom once.  The
 * text is not NUL-terminated by strbuf_put (strbuf_addf leaves a NUL after
 * len): writers use p and len.
 *
 * Owns the bytes at p (strbuf_free).  Never prints, never exits.  Not
 * thread-safe: one buffer, one thread.
 */
#ifndef QE_STRBUF_H
#define QE_STRBUF_H

#include <stddef.h>

typedef struct strbuf {
	char *p;
	size_t len, cap;
	int oom;
} strbuf;

/* Room for n more bytes after b->len, for a caller writing into b->p
 * itself: 0, or -1 (oom set) when out of memory. */
int strbuf_room(strbuf *b, size_t n);
/* Appends s[0..n) (nothing when n is 0). */
void strbuf_put(strbuf *b, const char *s, size_t n);
/* Appends formatted text (vsnprintf into the buffer). */
void strbuf_addf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_free(strbuf *b);

static inline void strbuf_putc(strbuf *b, char c)
{
	if (b->len < b->cap || strbuf_room(b, 1) == 0)
		b->p[b->len++] = c;
}

/* Appends s[0..n) as HTML or XML character data, safe in element content
 * and in a quoted attribute value: & < > " ' as &amp; &lt; &gt; &quot; and
 * &#39; (HTML: qe-report html, qe-settle invoice), or with STRBUF_XML as
 * &apos; with every C0 control character a space, since XML 1.0 forbids
 * most of them (the pain.001 files of qe-settle pay).  Other bytes, UTF-8
 * included, are copied as they are. */
enum { STRBUF_HTML = 0, STRBUF_XML = 1 };
void strbuf_put_markup(strbuf *b, const char *s, size_t n, int flavour);

#endif
