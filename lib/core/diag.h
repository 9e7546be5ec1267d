/*
 * diag: the error record every library call fills, and the exit codes that
 * all QuantaEnergi tools share.
 *
 * Owns: nothing but the caller's qe_err.  Never prints, never exits: the
 * command layer (cmd/cli.c) turns a qe_err into one stderr line and an exit
 * code.  Messages are one line, already prefixed with "file:line:col:"
 * where a location is known, never with the program name, and always
 * valid UTF-8: qe_err_set escapes what a value echoed in them would break.
 */
#ifndef QE_DIAG_H
#define QE_DIAG_H

#include <stdarg.h>
#include <stddef.h>

enum qe_exit {
	QE_OK = 0,        /* success */
	QE_NEGATIVE = 1,  /* a negative answer a pipeline may gate on */
	QE_USAGE = 2,     /* bad command line */
	QE_DATA = 3,      /* bad input data */
	QE_IO = 4,        /* read/write failure */
	QE_NUMERIC = 5,   /* non-convergence, non-SPD matrix, ... */
	QE_INTERNAL = 70  /* a bug */
};

typedef struct qe_err {
	int code;        /* one of enum qe_exit; QE_OK when no error */
	char msg[1024];
} qe_err;

void qe_err_clear(qe_err *e);

/* Sets code and a printf-style message; returns code so callers can write
 * `return qe_err_set(e, QE_DATA, "...")`.  e may be NULL.  The message is
 * stored escaped (qe_err_escape). */
int qe_err_set(qe_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int qe_err_vset(qe_err *e, int code, const char *fmt, va_list ap);

/* Copies src[0..len) into dst (cap bytes, always NUL-terminated, cut
 * before a character that does not fit) with every byte that is not part
 * of a valid UTF-8 character, and every control character (U+0000-U+001F,
 * U+007F), written as the four characters \xNN: the result is one line
 * of valid UTF-8.  Returns its length. */
size_t qe_err_escape(char *dst, size_t cap, const char *src, size_t len);

/* Prefixes an existing message with "where: " (e.g. a file name). */
void qe_err_prefix(qe_err *e, const char *where);

#endif
