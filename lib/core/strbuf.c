#include "core/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int strbuf_grow(strbuf *b, size_t n)
{
	if (b->oom)
		return -1;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	char *np = realloc(b->p, cap);
	if (!np) {
		b->oom = 1;
		return -1;
	}
	b->p = np;
	b->cap = cap;
	return 0;
}

int strbuf_room(strbuf *b, size_t n)
{
	return b->len + n <= b->cap ? 0 : strbuf_grow(b, n);
}

void strbuf_put(strbuf *b, const char *s, size_t n)
{
	/* nothing to add: an empty buffer has no memory yet (NULL + 0) */
	if (!n || strbuf_room(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void strbuf_addf(strbuf *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	va_list ap;
	va_start(ap, fmt);
	size_t room = b->cap - b->len;
	int n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	if ((size_t)n >= room) {
		/* too long for what is left: grow (with the NUL) and format again */
		if (strbuf_room(b, (size_t)n + 1))
			return;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void strbuf_free(strbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

void strbuf_put_markup(strbuf *b, const char *s, size_t n, int flavour)
{
	size_t run = 0; /* bytes copied as they are, put in one go */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e;
		switch (c) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = flavour == STRBUF_XML ? "&apos;" : "&#39;"; break;
		default: e = c < 0x20 && flavour == STRBUF_XML ? " " : NULL;
		}
		if (!e)
			continue;
		strbuf_put(b, s + run, i - run);
		strbuf_put(b, e, strlen(e));
		run = i + 1;
	}
	strbuf_put(b, s + run, n - run);
}
