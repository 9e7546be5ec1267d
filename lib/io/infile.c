#include "io/infile.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <zlib.h>

#define GZ_CHUNK (1 << 16)

/* The state behind a cookie stream: a gzip decoder over `in`, or (raw) a
 * pass-through that first returns the bytes taken to look for the magic. */
typedef struct gzsrc {
	FILE *in;
	int owns;
	int raw;
	unsigned char prefix[2];
	size_t nprefix, prefix_pos;
	z_stream z;
	int member_end; /* a gzip member ended: EOF here is clean, more data is another member */
	int in_eof;
	unsigned char buf[GZ_CHUNK];
} gzsrc;

/* Input for the decoder: 1 when bytes are available, 0 at the end of the
 * compressed stream, -1 on a read error (errno set by stdio). */
static int gz_fill(gzsrc *g)
{
	if (g->z.avail_in)
		return 1;
	if (g->in_eof)
		return 0;
	size_t n = fread(g->buf, 1, sizeof g->buf, g->in);
	if (n == 0) {
		if (ferror(g->in))
			return -1;
		g->in_eof = 1;
		return 0;
	}
	g->z.next_in = g->buf;
	g->z.avail_in = (uInt)n;
	return 1;
}

static ssize_t gz_read(void *cookie, char *out, size_t n)
{
	gzsrc *g = cookie;
	if (g->raw) {
		size_t k = 0;
		while (k < n && g->prefix_pos < g->nprefix)
			out[k++] = (char)g->prefix[g->prefix_pos++];
		if (k == n)
			return (ssize_t)k;
		size_t got = fread(out + k, 1, n - k, g->in);
		if (got == 0 && k == 0 && ferror(g->in))
			return -1;
		return (ssize_t)(k + got);
	}
	uInt want = n > UINT_MAX ? UINT_MAX : (uInt)n;
	g->z.next_out = (Bytef *)out;
	g->z.avail_out = want;
	while (g->z.avail_out == want) {
		int f = gz_fill(g);
		if (f < 0)
			return -1;
		if (f == 0) {
			if (g->member_end)
				return 0;
			errno = ENODATA; /* the stream stops inside a member */
			return -1;
		}
		if (g->member_end) { /* concatenated members (gzip a b > ab) */
			if (inflateReset(&g->z) != Z_OK) {
				errno = EBADMSG;
				return -1;
			}
			g->member_end = 0;
		}
		int rc = inflate(&g->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			g->member_end = 1;
		else if (rc == Z_MEM_ERROR) {
			errno = ENOMEM;
			return -1;
		} else if (rc != Z_OK && !(rc == Z_BUF_ERROR && g->z.avail_in == 0)) {
			errno = EBADMSG;
			return -1;
		}
	}
	return (ssize_t)(want - g->z.avail_out);
}

static int gz_close(void *cookie)
{
	gzsrc *g = cookie;
	int rc = 0;
	if (!g->raw)
		inflateEnd(&g->z);
	if (g->owns && fclose(g->in) != 0)
		rc = EOF;
	free(g);
	return rc;
}

FILE *infile_wrap(FILE *fp, int owns, int *gzip, qe_err *e)
{
	if (gzip)
		*gzip = 0;
	int c1 = getc(fp);
	if (c1 != 0x1f) {
		/* plain input (or empty, or unreadable: the reader sees it) */
		if (c1 != EOF)
			ungetc(c1, fp);
		return fp;
	}
	int c2 = getc(fp);
	gzsrc *g = calloc(1, sizeof *g);
	if (!g)
		goto oom;
	g->in = fp;
	g->owns = owns;
	if (c2 == 0x8b) {
		if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK) {
			free(g);
			goto oom;
		}
		g->buf[0] = 0x1f;
		g->buf[1] = 0x8b;
		g->z.next_in = g->buf;
		g->z.avail_in = 2;
		if (gzip)
			*gzip = 1;
	} else {
		g->raw = 1;
		g->prefix[g->nprefix++] = 0x1f;
		if (c2 != EOF)
			g->prefix[g->nprefix++] = (unsigned char)c2;
	}
	cookie_io_functions_t io = {.read = gz_read, .close = gz_close};
	FILE *f = fopencookie(g, "r", io);
	if (!f) {
		if (!g->raw)
			inflateEnd(&g->z);
		free(g);
		goto oom;
	}
	return f;
oom:
	qe_err_set(e, QE_INTERNAL, "out of memory");
	if (owns && fp != stdin)
		fclose(fp);
	return NULL;
}

FILE *infile_open(const char *path, int *gzip, qe_err *e)
{
	if (gzip)
		*gzip = 0;
	if (!path || strcmp(path, "-") == 0)
		return infile_wrap(stdin, 0, gzip, e);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		qe_err_set(e, QE_IO, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	return infile_wrap(fp, 1, gzip, e);
}

int infile_read_error(qe_err *e, const char *name, int errnum)
{
	int code = errnum == EBADMSG || errnum == ENODATA ? QE_DATA : QE_IO;
	return qe_err_set(e, code, "%s: read error: %s", name, infile_strerror(errnum));
}

const char *infile_strerror(int errnum)
{
	if (errnum == EBADMSG)
		return "corrupt gzip data";
	if (errnum == ENODATA)
		return "truncated gzip data";
	return strerror(errnum);
}
