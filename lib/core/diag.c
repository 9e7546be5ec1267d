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

int qe_err_vset(qe_err *e, int code, const char *fmt, va_list ap)
{
	if (e) {
		e->code = code;
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
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
