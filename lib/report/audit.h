/*
 * audit: verifies the audit log of the end-of-day pipeline (AUDIT LOG of
 * qe-formats(5)) - the hash chain of its run manifests and the files the
 * manifests name - and says where the first mismatch is.
 *
 * The log lists every run, in order, with the SHA-256 of its manifest
 * (RUN MANIFEST) and the digest of the manifest before it; a copy of each
 * manifest is kept beside the log as manifests/<sha256>.csv.  The chain
 * holds when each entry's seq follows the one before, its previous digest
 * is the entry before's digest, its copy hashes to its digest, and the
 * copy's `previous` row names that same digest.  Files: for the last
 * entry of each manifest path (a day's latest run) the manifest at that
 * path is the copy and every output it lists has its bytes and digest; for
 * the last entry of the log, its inputs and tools too (earlier days' inputs
 * are overwritten by later days' data as a matter of course).
 *
 * Owns nothing past the call.  Never prints: the first mismatch is the
 * message of a QE_NEGATIVE error, "file:line:col: ..." at the log entry or
 * the manifest row that does not hold.
 */
#ifndef QE_REPORT_AUDIT_H
#define QE_REPORT_AUDIT_H

#include "core/diag.h"

struct report_audit_in {
	const char *log;   /* the audit log */
	const char *root;  /* directory relative paths of the manifests are
			      under; NULL: each entry's root column */
};

struct report_audit_result {
	long runs;         /* entries of the log */
	long files;        /* files whose digest was checked */
};

/* QE_OK when the chain and the files hold; QE_NEGATIVE and the first
 * mismatch in e; QE_DATA for a malformed log or manifest; QE_IO for an
 * unreadable log. */
int report_audit(const struct report_audit_in *in, struct report_audit_result *out, qe_err *e);

#endif
