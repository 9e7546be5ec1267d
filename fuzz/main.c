/*
 * The driver of every fuzz harness (fuzz.h).  Under afl-clang-fast it
 * runs AFL++'s persistent loop over the shared-memory test case; built by
 * any other compiler it reads each file named on the command line (stdin
 * when none) and runs it once, printing "ok FILE" after each, so a replay
 * shows how far it got before a crash.
 */
#include "fuzz.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Noreturn void fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

void fuzz_check_err(int rc, const qe_err *e)
{
	if (rc == 0)
		return;
	if (rc != QE_DATA && rc != QE_IO && rc != QE_NUMERIC)
		fuzz_fail("exit class %d for bad input (message: %s)", rc, e->msg);
	if (e->code != rc)
		fuzz_fail("returned %d but the error record says %d (%s)", rc, e->code, e->msg);
	if (!e->msg[0])
		fuzz_fail("error %d with an empty message", rc);
	if (strchr(e->msg, '\n') || strchr(e->msg, '\r'))
		fuzz_fail("message is not one line: %s", e->msg);
}

static char *file_path;
static int file_fd = -1;

static void file_remove(void)
{
	if (file_path)
		unlink(file_path);
}

const char *fuzz_file(const uint8_t *data, size_t len, const char *suffix)
{
	if (file_fd < 0) {
		const char *dir = getenv("TMPDIR");
		if (!dir || !*dir)
			dir = "/tmp";
		size_t n = strlen(dir) + strlen(suffix) + 32;
		if (!(file_path = malloc(n)))
			fuzz_fail("out of memory");
		snprintf(file_path, n, "%s/qe-fuzz-XXXXXX%s", dir, suffix);
		if ((file_fd = mkstemps(file_path, (int)strlen(suffix))) < 0)
			fuzz_fail("%s: %s", file_path, strerror(errno));
		atexit(file_remove);
	}
	if (ftruncate(file_fd, 0) != 0)
		fuzz_fail("%s: %s", file_path, strerror(errno));
	size_t off = 0;
	while (off < len) {
		ssize_t w = pwrite(file_fd, data + off, len - off, (off_t)off);
		if (w <= 0)
			fuzz_fail("%s: %s", file_path, strerror(errno));
		off += (size_t)w;
	}
	return file_path;
}

#ifdef __AFL_FUZZ_TESTCASE_LEN

/* AFL++'s macros are a GNU statement expression and a declaration with a
 * stray ';' */
#pragma clang diagnostic ignored "-Wgnu-statement-expression"
#pragma clang diagnostic ignored "-Wextra-semi"
__AFL_FUZZ_INIT();

int main(void)
{
	__AFL_INIT();
	const uint8_t *buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(10000)) {
		size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
		/* a copy of exactly len bytes, so ASan sees a read past the end */
		uint8_t *copy = malloc(len ? len : 1);
		if (!copy)
			fuzz_fail("out of memory");
		memcpy(copy, buf, len);
		fuzz_one(copy, len);
		free(copy);
	}
	return 0;
}

#else

static uint8_t *slurp(FILE *fp, size_t *len)
{
	size_t cap = 4096, n = 0;
	uint8_t *p = malloc(cap);
	for (;;) {
		if (!p)
			fuzz_fail("out of memory");
		n += fread(p + n, 1, cap - n, fp);
		if (n < cap)
			break;
		p = realloc(p, cap *= 2);
	}
	if (ferror(fp))
		fuzz_fail("read error: %s", strerror(errno));
	/* exactly n bytes, so a sanitizer sees a read past the end */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact)
		fuzz_fail("out of memory");
	memcpy(exact, p, n);
	free(p);
	*len = n;
	return exact;
}

static void run_one(FILE *fp, const char *name)
{
	size_t len;
	uint8_t *data = slurp(fp, &len);
	fuzz_one(data, len);
	free(data);
	printf("ok %s\n", name);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		run_one(stdin, "-");
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");
		if (!fp) {
			fprintf(stderr, "fuzz: %s: %s\n", argv[i], strerror(errno));
			return 2;
		}
		run_one(fp, argv[i]);
		fclose(fp);
	}
	return 0;
}

#endif
