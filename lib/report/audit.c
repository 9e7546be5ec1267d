#include "report/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/outfile.h"
#include "screen/rtable.h"

enum { A_SEQ, A_TIME, A_RUN, A_ASOF, A_STATUS, A_ROOT, A_MANIFEST, A_PREV, A_SHA, A_NCOLS };
static const char *const log_cols[A_NCOLS] = {"seq",    "time",     "run_id",   "asof",  "status",
					      "root",   "manifest", "previous", "sha256"};
static const int log_optional[A_NCOLS] = {[A_PREV] = 1};

enum { M_ROLE, M_PATH, M_BYTES, M_SHA, M_NCOLS };
static const char *const manifest_cols[M_NCOLS] = {"role", "path", "bytes", "sha256"};
static const int manifest_optional[M_NCOLS] = {[M_BYTES] = 1, [M_SHA] = 1};

/* A mismatch: the message of rtable_error at (row, col), as a negative answer. */
static int mismatch(const rtable *t, size_t row, int col, qe_err *e, const char *what, const char *got)
{
	rtable_error(t, row, col, e, "%s%s%s", what, got ? " " : "", got ? got : "");
	e->code = QE_NEGATIVE;
	return QE_NEGATIVE;
}

/* path resolved against root (relative paths only); buf of cap bytes */
static const char *resolve(const char *root, const char *path, char *buf, size_t cap)
{
	if (path[0] == '/' || !root || !*root)
		return path;
	if ((size_t)snprintf(buf, cap, "%s/%s", root, path) >= cap)
		return path;
	return buf;
}

static int is_hex64(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == 64;
}

/* Checks the files of manifest m (rows of the roles asked for) against
 * their bytes and digests. */
static int check_files(const rtable *m, const char *root, int with_inputs, long *files, qe_err *e)
{
	char buf[4096], hex[65];
	for (size_t r = 0; r < m->n; r++) {
		const char *role = rtable_get(m, r, M_ROLE);
		int want = !strcmp(role, "output") || (with_inputs && (!strcmp(role, "input") || !strcmp(role, "tool")));
		if (!want)
			continue;
		const char *path = resolve(root, rtable_get(m, r, M_PATH), buf, sizeof buf);
		const char *sha = rtable_get(m, r, M_SHA);
		if (!is_hex64(sha))
			return rtable_error(m, r, M_SHA, e, "'%s' is not a SHA-256 of 64 lower-case hex digits", sha);
		struct stat st;
		if (stat(path, &st) != 0)
			return mismatch(m, r, M_PATH, e, "file missing:", path);
		double bytes;
		if (rtable_num(m, r, M_BYTES, 0, &bytes, e))
			return e->code;
		if ((double)st.st_size != bytes) {
			char got[64];
			snprintf(got, sizeof got, "%lld", (long long)st.st_size);
			rtable_error(m, r, M_BYTES, e, "%s has %s bytes, the manifest says %s", path, got,
				     rtable_get(m, r, M_BYTES));
			e->code = QE_NEGATIVE;
			return QE_NEGATIVE;
		}
		if (sha256_file(path, hex, e))
			return mismatch(m, r, M_PATH, e, "cannot read", path);
		if (strcmp(hex, sha)) {
			rtable_error(m, r, M_SHA, e, "%s has SHA-256 %s, the manifest says %s", path, hex, sha);
			e->code = QE_NEGATIVE;
			return QE_NEGATIVE;
		}
		(*files)++;
	}
	return QE_OK;
}

/* 1 if no later entry of the log names the same manifest path */
static int latest_of_path(const rtable *log, size_t row)
{
	for (size_t j = row + 1; j < log->n; j++)
		if (!strcmp(rtable_get(log, j, A_MANIFEST), rtable_get(log, row, A_MANIFEST)) &&
		    !strcmp(rtable_get(log, j, A_ROOT), rtable_get(log, row, A_ROOT)))
			return 0;
	return 1;
}

/* One entry: its place in the chain, its stored copy, and (latest) its files. */
static int check_entry(const rtable *log, size_t i, const char *dir, const char *root_override,
		       struct report_audit_result *out, qe_err *e)
{
	const char *sha = rtable_get(log, i, A_SHA), *prev = rtable_get(log, i, A_PREV);
	double seq;
	if (rtable_num(log, i, A_SEQ, 0, &seq, e))
		return e->code;
	if (seq != (double)(i + 1)) {
		char want[32];
		snprintf(want, sizeof want, "%zu", i + 1);
		return mismatch(log, i, A_SEQ, e, "an entry is missing or out of sequence: expected seq", want);
	}
	if (!is_hex64(sha))
		return rtable_error(log, i, A_SHA, e, "'%s' is not a SHA-256 of 64 lower-case hex digits", sha);
	if (strcmp(prev, i ? rtable_get(log, i - 1, A_SHA) : ""))
		return mismatch(log, i, A_PREV, e,
				i ? "the chain is broken: previous is not the digest of the entry before"
				  : "the first entry names a previous manifest",
				NULL);
	char copy[4096], hex[65];
	if ((size_t)snprintf(copy, sizeof copy, "%s/manifests/%s.csv", dir, sha) >= sizeof copy)
		return qe_err_set(e, QE_IO, "%s: path too long", dir);
	struct stat st;
	if (stat(copy, &st) != 0)
		return mismatch(log, i, A_SHA, e, "the manifest's copy is missing:", copy);
	if (sha256_file(copy, hex, e))
		return e->code;
	if (strcmp(hex, sha))
		return mismatch(log, i, A_SHA, e, "the manifest's copy does not hash to the digest:", copy);
	rtable m;
	if (rtable_read(copy, manifest_cols, manifest_optional, M_NCOLS, &m, e))
		return e->code;
	int rc = QE_OK;
	long nprev = 0;
	for (size_t r = 0; r < m.n && !rc; r++) {
		if (strcmp(rtable_get(&m, r, M_ROLE), "previous"))
			continue;
		nprev++;
		if (strcmp(rtable_get(&m, r, M_SHA), prev))
			rc = mismatch(&m, r, M_SHA, e, "the previous manifest is not the log's entry before:", prev);
	}
	if (!rc && nprev == 0 && *prev)
		rc = mismatch(log, i, A_PREV, e, "the manifest names no previous manifest:", copy);
	const char *root = root_override ? root_override : rtable_get(log, i, A_ROOT);
	if (!rc && latest_of_path(log, i)) {
		char buf[4096];
		const char *path = resolve(root, rtable_get(log, i, A_MANIFEST), buf, sizeof buf);
		if (stat(path, &st) != 0)
			rc = mismatch(log, i, A_MANIFEST, e, "manifest missing:", path);
		else if (sha256_file(path, hex, e))
			rc = e->code;
		else if (strcmp(hex, sha))
			rc = mismatch(log, i, A_MANIFEST, e, "the manifest was changed since its run:", path);
		else
			rc = check_files(&m, root, i + 1 == log->n, &out->files, e);
	}
	rtable_free(&m);
	return rc;
}

int report_audit(const struct report_audit_in *in, struct report_audit_result *out, qe_err *e)
{
	memset(out, 0, sizeof *out);
	rtable log;
	if (rtable_read(in->log, log_cols, log_optional, A_NCOLS, &log, e))
		return e->code;
	char dir[4096];
	const char *slash = strrchr(in->log, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - in->log), in->log);
	int rc = log.n ? QE_OK : qe_err_set(e, QE_DATA, "%s:2:1: the audit log has no entry", in->log);
	for (size_t i = 0; i < log.n && !rc; i++)
		rc = check_entry(&log, i, dir, in->root, out, e);
	out->runs = (long)log.n;
	rtable_free(&log);
	return rc;
}
