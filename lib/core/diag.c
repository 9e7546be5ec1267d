#include "core/diag.h"

#include <stdio.h>
#include <string.h>

void qe_err_clear(qe_err *e)
{
	if (e) {
		e->code = QE_OK;
		e->msg[0] = '\0';
	}
}

/* Length of the valid UTF-8 character at s[0..len) (1 to 4), or 0 when
 * it is not one (stray continuation byte, overlong form, surrogate, above
 * U+10FFFF, cut short). */
static size_t utf8_char_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

size_t qe_err_escape(char *dst, size_t cap, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;
	if (!cap)
		return 0;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_char_len(s + i, len - i);
		int esc = n == 0 || (n == 1 && (s[i] < 0x20 || s[i] == 0x7F));
		size_t need = esc ? 4 : n;
		if (o + need >= cap)
			break;
		if (esc) {
			snprintf(dst + o, 5, "\\x%02x", s[i]);
			n = 1;
		} else {
			memcpy(dst + o, s + i, n);
		}
		o += need;
		i += n;
	}
	dst[o] = '\0';
	return o;
}

int qe_err_vset(qe_err *e, int code, const char *fmt, va_list ap)
{
	if (e) {
		char raw[sizeof e->msg];
		int n = vsnprintf(raw, sizeof raw, fmt, ap);
		size_t len = n < 0 ? 0 : (size_t)n >= sizeof raw ? sizeof raw - 1 : (size_t)n;
		e->code = code;
		qe_err_escape(e->msg, sizeof e->msg, raw, len);
	}
	return code;
}

int qe_err_set(qe_err *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	qe_err_vset(e, code, fmt, ap);
	va_end(ap);
	return code;
}

void qe_err_prefix(qe_err *e, const char *where)
{
	char tmp[sizeof e->msg];
	if (!e || !where)
		return;
	int n = snprintf(tmp, sizeof tmp, "%s: %s", where, e->msg);
	size_t len = n < 0 ? 0 : (size_t)n >= sizeof tmp ? sizeof tmp - 1 : (size_t)n;
	qe_err_escape(e->msg, sizeof e->msg, tmp, len);
}
