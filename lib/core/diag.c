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

/* A message is one line (it becomes one diagnostic line), but values
 * quoted in it come from the data and may hold line breaks (a quoted CSV
 * field): those are written as \n and \r. */
int qe_err_vset(qe_err *e, int code, const char *fmt, va_list ap)
{
	if (e) {
		char tmp[sizeof e->msg];
		vsnprintf(tmp, sizeof tmp, fmt, ap);
		size_t o = 0;
		for (const char *p = tmp; *p && o + 1 < sizeof e->msg; p++) {
			if (*p != '\n' && *p != '\r') {
				e->msg[o++] = *p;
				continue;
			}
			if (o + 2 >= sizeof e->msg)
				break;
			e->msg[o++] = '\\';
			e->msg[o++] = *p == '\n' ? 'n' : 'r';
		}
		e->msg[o] = '\0';
		e->code = code;
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
	snprintf(tmp, sizeof tmp, "%s: %s", where, e->msg);
	memcpy(e->msg, tmp, sizeof tmp);
}
