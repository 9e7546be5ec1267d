/*
 * ledger: the carbon-allowance ledger of qe-settle ledger - an
 * append-only, hash-chained, Ed25519-signed file of issuances, transfers,
 * surrenders and retirements of serial ranges of allowances (EUA, UKA,
 * ...), the replay of its holdings, and the checkpoint that anchors its
 * head.  The file format (LEDGER, LEDGER REQUESTS, LEDGER CHECKPOINT) is
 * in qe-formats(5).
 *
 * An entry is one line of plain CSV (no field is ever quoted: text fields
 * may not hold a comma, a quote or a control character).  Its hash is
 * the SHA-256 of its content, the line up to the comma before the hash
 * field; its prev_hash is the SHA-256 of the whole previous line (the
 * header line for entry 1), so the chain covers the hashes and
 * signatures too; its signature is Ed25519 over the content bytes by the
 * key whose id (ledger_key_id) is in the signer field.
 *
 * Holdings (ledger_state) are disjoint serial ranges per unit, each held
 * by one account with its vintage, or surrendered or retired by it; an
 * entry that would move serials not held by its from-account (a double
 * spend, a negative balance), move surrendered or retired serials, or
 * issue serials twice is refused and changes nothing.
 *
 * Owns its states, keyrings and scanners (the *_free pairs).  Never
 * prints, never exits.  Files: ledger_append() takes an exclusive
 * flock(2) on the ledger for the whole append (readers a shared one),
 * writes the new entries with one write(2), fsyncs, then replaces the
 * checkpoint atomically (io/outfile); any failure cuts the ledger back to
 * its old size, so a refused or failed append changes nothing.
 */
#ifndef QE_LEDGER_H
#define QE_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"

enum ledger_kind { LEDGER_ISSUE, LEDGER_TRANSFER, LEDGER_SURRENDER, LEDGER_RETIRE };

#define LEDGER_ACCOUNT_MAX 64
#define LEDGER_UNIT_MAX 16
#define LEDGER_REF_MAX 128
#define LEDGER_SERIAL_MAX INT64_C(999999999999999) /* 10^15 - 1 */
#define LEDGER_HASH_HEX 64
#define LEDGER_SIG_HEX 128
#define LEDGER_KEYID_HEX 16
#define LEDGER_TIME_LEN 20 /* YYYY-MM-DDTHH:MM:SSZ */
/* The longest line an entry can take, newline included. */
#define LEDGER_LINE_MAX 1024

/* The header line of every ledger, without its newline. */
extern const char ledger_header[];

typedef struct ledger_entry {
	int64_t seq;                        /* 1, 2, ... */
	char time[LEDGER_TIME_LEN + 1];
	int kind;                           /* enum ledger_kind */
	char from[LEDGER_ACCOUNT_MAX + 1];  /* "" for an issuance */
	char to[LEDGER_ACCOUNT_MAX + 1];    /* "" for a surrender or retirement */
	char unit[LEDGER_UNIT_MAX + 1];
	int vintage;
	int64_t quantity, first, last;      /* quantity = last - first + 1 */
	char reference[LEDGER_REF_MAX + 1];
	long line;                          /* where it was read (requests, ledger) */
} ledger_entry;

const char *ledger_kind_name(int kind);
/* 1 if s[0..len) is a valid time YYYY-MM-DDTHH:MM:SSZ. */
int ledger_time_ok(const char *s, size_t len);

/* --- keys ---------------------------------------------------------------- */
typedef struct ledger_key ledger_key;
/* A PEM Ed25519 private key (openssl genpkey -algorithm ed25519). */
int ledger_key_load(const char *path, ledger_key **out, qe_err *e);
void ledger_key_free(ledger_key *k);
/* The key's id: the first 8 bytes of the SHA-256 of its raw 32-byte
 * public key, 16 lowercase hex digits. */
const char *ledger_key_id(const ledger_key *k);

/* The trusted public keys: every *.pem file of a directory. */
typedef struct ledger_keyring ledger_keyring;
int ledger_keyring_load(const char *dir, ledger_keyring **out, qe_err *e);
void ledger_keyring_free(ledger_keyring *r);
size_t ledger_keyring_count(const ledger_keyring *r);

/* --- holdings ------------------------------------------------------------ */
typedef struct ledger_state ledger_state;
ledger_state *ledger_state_new(void);
void ledger_state_free(ledger_state *s);
/* Checks en against the holdings and applies it, or returns QE_DATA with
 * the reason (no location) and changes nothing. */
int ledger_state_apply(ledger_state *s, const ledger_entry *en, qe_err *e);

/* One row of the balances: what account holds, has surrendered and has
 * retired of unit and vintage. */
typedef struct ledger_balance {
	const char *account, *unit;
	int vintage;
	int64_t held, surrendered, retired;
} ledger_balance;
/* The balances sorted by account, unit, vintage (byte order), into a
 * malloc'd array *out of *n rows whose strings live as long as s. */
int ledger_state_balances(const ledger_state *s, ledger_balance **out, size_t *n, qe_err *e);

/* A block of serials account holds, of one vintage. */
typedef struct ledger_block {
	int64_t first, last;
	int vintage;
} ledger_block;
/* The blocks of unit that account holds (not surrendered, not retired),
 * by increasing serial, into a malloc'd array *out of *n. */
int ledger_state_held(const ledger_state *s, const char *account, const char *unit, ledger_block **out,
		      size_t *n, qe_err *e);

/* --- requests ------------------------------------------------------------ */
/* Reads LEDGER REQUESTS (CSV; "-" is stdin; gzip read) into a malloc'd
 * array; each request's line is kept for messages.  QE_DATA with
 * file:line:col on a bad field. */
int ledger_read_requests(const char *path, ledger_entry **out, size_t *n, qe_err *e);
/* Checks the fields of one request or entry (shape, not holdings):
 * QE_DATA naming the column, with no location. */
int ledger_entry_check(const ledger_entry *en, const char **column, qe_err *e);

/* --- reading a ledger ---------------------------------------------------- */
typedef struct ledger_checkpoint {
	int64_t entries;
	char head[LEDGER_HASH_HEX + 1]; /* SHA-256 of line entries + 1 */
} ledger_checkpoint;
/* Reads a checkpoint: QE_IO when it cannot be opened, QE_NEGATIVE when it
 * is malformed (a checkpoint is only ever written whole). */
int ledger_checkpoint_read(const char *path, ledger_checkpoint *ck, qe_err *e);

/* What a scan of a ledger checks, besides the chain and the holdings. */
typedef struct ledger_scan_opts {
	const ledger_keyring *trusted;  /* NULL: signatures not checked */
	const ledger_checkpoint *checkpoint; /* NULL: head not compared */
	/* called with each good entry (show), or NULL; a non-zero return
	 * stops the scan with that code */
	int (*each)(void *ctx, const ledger_entry *en, const char *signer);
	void *ctx;
} ledger_scan_opts;

typedef struct ledger_scan_result {
	int64_t entries;                  /* good entries read */
	int64_t bytes;                    /* length of the good part */
	char head[LEDGER_HASH_HEX + 1];   /* SHA-256 of its last line */
	char last_time[LEDGER_TIME_LEN + 1]; /* "" when no entry */
	int torn;                         /* ends in a line with no newline */
	int empty;                        /* 0 bytes: no header either */
} ledger_scan_result;

/* Reads the ledger at path (shared lock), checking every entry: the line
 * shape, the chain, the hash, the fields, the signature (opts->trusted),
 * the holdings (into s, which may be NULL for a fresh one) and at the end
 * the checkpoint.  QE_NEGATIVE with "path:line: ..." at the first bad
 * entry (a torn last line included), or "path: ..." for a head that
 * does not match the checkpoint; QE_IO when it cannot be read.  An empty
 * file is QE_NEGATIVE ("no header"). */
int ledger_scan(const char *path, ledger_state *s, const ledger_scan_opts *opts, ledger_scan_result *r,
		qe_err *e);

/* --- appending ----------------------------------------------------------- */
typedef struct ledger_append_opts {
	const char *checkpoint; /* replaced after the ledger is synced */
	const char *time;       /* the entries' time, LEDGER_TIME_LEN chars */
	const char *requests_name; /* the requests' file, for messages */
	int no_fsync;           /* skip fsync (benchmarks) */
} ledger_append_opts;

/* Appends the n requests, signed with key, to the ledger at path
 * (created with its header when missing or empty), all or none: the
 * ledger is read and checked first (chain and holdings; no signature
 * check), then each request is checked against the holdings and the
 * time of the last entry.  A refused request is QE_DATA "line:col:
 * reason" naming the request's line (the caller prefixes its file); a
 * bad ledger is QE_DATA "path:line: ..." (a torn tail says how to cut it
 * off); I/O failures QE_IO.  *first_seq is the first new entry's seq. */
int ledger_append(const char *path, const ledger_entry *req, size_t n, const ledger_key *key,
		  const ledger_append_opts *o, int64_t *first_seq, qe_err *e);

/* The content of entry en signed by signer (no trailing comma), into buf
 * (LEDGER_LINE_MAX bytes); returns its length.  For the unit tests and
 * ledger_append. */
size_t ledger_entry_content(const ledger_entry *en, const char *signer, const char *prev_hash, char *buf);

#endif
