/* ledger: the entry format, the requests reader, the scan that checks a
 * ledger and the append (settle/ledger.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/date.h"
#include "io/csvio.h"
#include "io/formats.h"
#include "io/outfile.h"
#include "settle/ledger.h"
#include "settle/ledger_key.h"

const char ledger_header[] = "seq,time,kind,from_account,to_account,unit,vintage,quantity,serial_first,"
			     "serial_last,reference,signer,prev_hash,hash,signature";

enum { F_SEQ, F_TIME, F_KIND, F_FROM, F_TO, F_UNIT, F_VINTAGE, F_QTY, F_FIRST, F_LAST, F_REF, F_SIGNER,
       F_PREV, F_HASH, F_SIG, NFIELDS };

static const char *const kind_names[] = {"issue", "transfer", "surrender", "retire"};

const char *ledger_kind_name(int kind)
{
	return kind >= 0 && kind < 4 ? kind_names[kind] : "?";
}

static int kind_parse(const char *s, size_t len)
{
	for (int k = 0; k < 4; k++)
		if (strlen(kind_names[k]) == len && !memcmp(kind_names[k], s, len))
			return k;
	return -1;
}

/* --- field rules --------------------------------------------------------- */
static int account_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("._:/@-", c);
}

static int unit_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Printable ASCII without the comma and the quote: never quoted in CSV. */
static int text_char(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != ',' && c != '"';
}

static int text_ok(const char *s, size_t len, size_t max, int (*ok)(unsigned char))
{
	if (len > max)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!ok((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A decimal integer in its one spelling: digits, no sign, no leading zero. */
static int canon_int(const char *s, size_t len, int64_t *out)
{
	if (len == 0 || len > 16 || (len > 1 && s[0] == '0'))
		return -1;
	int64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int ledger_time_ok(const char *s, size_t len)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	if (len != LEDGER_TIME_LEN)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return 0;
	qe_date d;
	int hh, mm, ss;
	return date_parse(s, 10, &d) == 0 && !date_digits(s + 11, 2, &hh) && !date_digits(s + 14, 2, &mm) &&
	       !date_digits(s + 17, 2, &ss) && hh < 24 && mm < 60 && ss < 60;
}

int ledger_entry_check(const ledger_entry *en, const char **column, qe_err *e)
{
#define BAD(col, ...) (*column = (col), qe_err_set(e, QE_DATA, __VA_ARGS__))
	int needs_from = en->kind != LEDGER_ISSUE, needs_to = en->kind == LEDGER_ISSUE || en->kind == LEDGER_TRANSFER;
	size_t lf = strlen(en->from), lt = strlen(en->to);
	if (needs_from != (lf > 0))
		return BAD("from_account", needs_from ? "a %s needs the account it takes the units from"
						      : "an %s has no from_account", ledger_kind_name(en->kind));
	if (needs_to != (lt > 0))
		return BAD("to_account", needs_to ? "a %s needs the account it gives the units to"
						  : "a %s has no to_account", ledger_kind_name(en->kind));
	if (!text_ok(en->from, lf, LEDGER_ACCOUNT_MAX, account_char))
		return BAD("from_account", "an account is 1 to 64 of A-Z a-z 0-9 . _ : / @ -");
	if (!text_ok(en->to, lt, LEDGER_ACCOUNT_MAX, account_char))
		return BAD("to_account", "an account is 1 to 64 of A-Z a-z 0-9 . _ : / @ -");
	if (lf && lt && !strcmp(en->from, en->to))
		return BAD("to_account", "a transfer to the account it comes from");
	size_t lu = strlen(en->unit);
	if (!lu || !text_ok(en->unit, lu, LEDGER_UNIT_MAX, unit_char))
		return BAD("unit", "a unit is 1 to 16 of A-Z a-z 0-9 _ - (EUA, UKA, ...)");
	if (en->vintage < 1990 || en->vintage > 2199)
		return BAD("vintage", "vintage %d is not a year in 1990-2199", en->vintage);
	if (en->first < 1 || en->first > LEDGER_SERIAL_MAX)
		return BAD("serial_first", "a serial is 1 to %" PRId64, LEDGER_SERIAL_MAX);
	if (en->last < en->first || en->last > LEDGER_SERIAL_MAX)
		return BAD("serial_last", "serial_last %" PRId64 " is below serial_first %" PRId64
			   " or above %" PRId64, en->last, en->first, LEDGER_SERIAL_MAX);
	if (en->quantity != en->last - en->first + 1)
		return BAD("quantity", "quantity %" PRId64 " is not the %" PRId64 " serials of %" PRId64 "-%" PRId64,
			   en->quantity, en->last - en->first + 1, en->first, en->last);
	if (!text_ok(en->reference, strlen(en->reference), LEDGER_REF_MAX, text_char))
		return BAD("reference", "a reference is up to 128 printable ASCII characters, no comma or quote");
	return QE_OK;
#undef BAD
}

size_t ledger_entry_content(const ledger_entry *en, const char *signer, const char *prev_hash, char *buf)
{
	int n = snprintf(buf, LEDGER_LINE_MAX, "%" PRId64 ",%s,%s,%s,%s,%s,%d,%" PRId64 ",%" PRId64 ",%" PRId64
			 ",%s,%s,%s", en->seq, en->time, ledger_kind_name(en->kind), en->from, en->to, en->unit,
			 en->vintage, en->quantity, en->first, en->last, en->reference, signer, prev_hash);
	return n < 0 ? 0 : (size_t)n;
}

/* --- requests ------------------------------------------------------------ */
static int copy_field(const csv_reader *r, int col, char *dst, size_t cap, qe_err *e)
{
	size_t len = 0;
	const char *s = col >= 0 ? csvr_field(r, col, &len) : "";
	if (len >= cap)
		return csvr_field_error(r, col, e, "longer than %zu characters", cap - 1);
	memcpy(dst, s, len);
	dst[len] = '\0';
	return QE_OK;
}

static int read_request(const csv_reader *r, const int *idx, int ref, ledger_entry *en, qe_err *e)
{
	memset(en, 0, sizeof *en);
	en->line = csvr_line(r);
	size_t len;
	const char *k = csvr_field(r, idx[0], &len);
	if ((en->kind = kind_parse(k, len)) < 0)
		return csvr_field_error(r, idx[0], e, "not issue, transfer, surrender or retire '%s'", k);
	int64_t v;
	int rc;
	if ((rc = copy_field(r, idx[1], en->from, sizeof en->from, e)) ||
	    (rc = copy_field(r, idx[2], en->to, sizeof en->to, e)) ||
	    (rc = copy_field(r, idx[3], en->unit, sizeof en->unit, e)) ||
	    (rc = copy_field(r, ref, en->reference, sizeof en->reference, e)) ||
	    (rc = csvr_get_int64(r, idx[4], &v, e)))
		return rc;
	en->vintage = v < 0 || v > 9999 ? -1 : (int)v;
	if ((rc = csvr_get_int64(r, idx[5], &en->quantity, e)) || (rc = csvr_get_int64(r, idx[6], &en->first, e)) ||
	    (rc = csvr_get_int64(r, idx[7], &en->last, e)))
		return rc;
	const char *column;
	if (ledger_entry_check(en, &column, e)) {
		char why[sizeof e->msg];
		snprintf(why, sizeof why, "%s", e->msg);
		int col = csvr_col(r, column);
		return col >= 0 ? csvr_field_error(r, col, e, "%s", why) : qe_err_set(e, QE_DATA, "%s", why);
	}
	return QE_OK;
}

int ledger_read_requests(const char *path, ledger_entry **out, size_t *n, qe_err *e)
{
	static const char *const names[] = {"kind", "from_account", "to_account", "unit",
					    "vintage", "quantity", "serial_first", "serial_last"};
	int idx[8];
	*out = NULL;
	*n = 0;
	csv_reader *r = csvr_open(path, e);
	if (!r)
		return e->code;
	int rc = csvr_require(r, names, 8, idx, e);
	int ref = csvr_col(r, "reference");
	ledger_entry *v = NULL;
	size_t cnt = 0, cap = 0;
	while (!rc) {
		int st = csvr_next(r, e);
		if (st == CSVR_EOF)
			break;
		if (st != CSVR_ROW) {
			rc = e->code ? e->code : QE_DATA;
			break;
		}
		if (cnt == cap) {
			cap = cap ? 2 * cap : 16;
			ledger_entry *nv = realloc(v, cap * sizeof *v);
			if (!nv) {
				rc = qe_err_set(e, QE_INTERNAL, "out of memory");
				break;
			}
			v = nv;
		}
		rc = read_request(r, idx, ref, &v[cnt], e);
		cnt++;
	}
	csvr_close(r);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	*n = cnt;
	return QE_OK;
}

/* --- checkpoint ---------------------------------------------------------- */
static const char checkpoint_header[] = "entries,head";

int ledger_checkpoint_read(const char *path, ledger_checkpoint *ck, qe_err *e)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return qe_err_set(e, QE_IO, "%s: cannot open checkpoint: %s", path, strerror(errno));
	char buf[256];
	size_t len = fread(buf, 1, sizeof buf - 1, fp);
	int err = ferror(fp);
	fclose(fp);
	if (err)
		return qe_err_set(e, QE_IO, "%s: read error", path);
	buf[len] = '\0';
	size_t hl = sizeof checkpoint_header - 1;
	char *comma = len > hl + 1 ? strchr(buf + hl + 1, ',') : NULL;
	unsigned char raw[32];
	if (memcmp(buf, checkpoint_header, hl) || buf[hl] != '\n' || !comma ||
	    canon_int(buf + hl + 1, (size_t)(comma - buf - (long)hl - 1), &ck->entries) ||
	    len != (size_t)(comma - buf) + 1 + LEDGER_HASH_HEX + 1 || buf[len - 1] != '\n' ||
	    ledger_unhex(comma + 1, LEDGER_HASH_HEX, raw, 32))
		return qe_err_set(e, QE_NEGATIVE, "%s: not a ledger checkpoint (entries,head)", path);
	memcpy(ck->head, comma + 1, LEDGER_HASH_HEX);
	ck->head[LEDGER_HASH_HEX] = '\0';
	return QE_OK;
}

static int checkpoint_write(const char *path, int64_t entries, const char *head, qe_err *e)
{
	qe_out o;
	if (out_open(&o, path, e))
		return e->code;
	/* entries,head: the header and one row, through the CSV writer (a hash
	 * and a count never need quoting, so the bytes are the reader's) */
	csv_writer w;
	csvw_init(&w, o.fp);
	csvw_header_of(&w, FMT_LEDGER_CHECKPOINT);
	csvw_int(&w, entries);
	csvw_str(&w, head);
	csvw_end(&w);
	return out_commit(&o, e);
}

/* --- scanning ------------------------------------------------------------ */
typedef struct hasher {
	EVP_MD *md;
	EVP_MD_CTX *ctx, *copy;
} hasher;

static int hasher_init(hasher *h)
{
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	h->ctx = EVP_MD_CTX_new();
	h->copy = EVP_MD_CTX_new();
	return h->md && h->ctx && h->copy ? 0 : -1;
}

static void hasher_free(hasher *h)
{
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_CTX_free(h->copy);
	EVP_MD_free(h->md);
}

/* SHA-256 of line[0..content) into content_md and of line[0..len) into
 * line_md, reading each byte once. */
static int hash_line(hasher *h, const char *line, size_t content, size_t len, unsigned char *content_md,
		     unsigned char *line_md)
{
	return EVP_DigestInit_ex(h->ctx, h->md, NULL) == 1 && EVP_DigestUpdate(h->ctx, line, content) == 1 &&
			       EVP_MD_CTX_copy_ex(h->copy, h->ctx) == 1 &&
			       EVP_DigestFinal_ex(h->copy, content_md, NULL) == 1 &&
			       EVP_DigestUpdate(h->ctx, line + content, len - content) == 1 &&
			       EVP_DigestFinal_ex(h->ctx, line_md, NULL) == 1
		       ? 0
		       : -1;
}

/* Splits line[0..len) at its commas: exactly NFIELDS fields or -1. */
static int split(const char *line, size_t len, const char **f, size_t *fl)
{
	int n = 0;
	const char *start = line, *end = line + len;
	for (const char *p = line;; p++) {
		if (p == end || *p == ',') {
			if (n == NFIELDS)
				return -1;
			f[n] = start;
			fl[n++] = (size_t)(p - start);
			if (p == end)
				break;
			start = p + 1;
		}
	}
	return n == NFIELDS ? 0 : -1;
}

/* The fields of a ledger line into en: -1 with *what saying which is bad. */
static int parse_fields(const char **f, const size_t *fl, ledger_entry *en, const char **what)
{
	int64_t v;
#define NEED(cond, name)                                                                                   \
	do {                                                                                               \
		if (!(cond)) {                                                                             \
			*what = name;                                                                      \
			return -1;                                                                         \
		}                                                                                          \
	} while (0)
#define TEXT(field, dst, max, ok)                                                                          \
	NEED(text_ok(f[field], fl[field], max, ok), #dst);                                                 \
	memcpy(en->dst, f[field], fl[field]);                                                              \
	en->dst[fl[field]] = '\0'
	NEED(canon_int(f[F_SEQ], fl[F_SEQ], &en->seq) == 0, "seq");
	NEED(ledger_time_ok(f[F_TIME], fl[F_TIME]), "time");
	memcpy(en->time, f[F_TIME], LEDGER_TIME_LEN);
	en->time[LEDGER_TIME_LEN] = '\0';
	NEED((en->kind = kind_parse(f[F_KIND], fl[F_KIND])) >= 0, "kind");
	TEXT(F_FROM, from, LEDGER_ACCOUNT_MAX, account_char);
	TEXT(F_TO, to, LEDGER_ACCOUNT_MAX, account_char);
	TEXT(F_UNIT, unit, LEDGER_UNIT_MAX, unit_char);
	TEXT(F_REF, reference, LEDGER_REF_MAX, text_char);
	NEED(canon_int(f[F_VINTAGE], fl[F_VINTAGE], &v) == 0 && v <= 9999, "vintage");
	en->vintage = (int)v;
	NEED(canon_int(f[F_QTY], fl[F_QTY], &en->quantity) == 0, "quantity");
	NEED(canon_int(f[F_FIRST], fl[F_FIRST], &en->first) == 0, "serial_first");
	NEED(canon_int(f[F_LAST], fl[F_LAST], &en->last) == 0, "serial_last");
	unsigned char raw[64];
	NEED(ledger_unhex(f[F_SIGNER], fl[F_SIGNER], raw, LEDGER_KEYID_HEX / 2) == 0, "signer");
	NEED(ledger_unhex(f[F_SIG], fl[F_SIG], raw, 64) == 0, "signature");
	return 0;
#undef TEXT
#undef NEED
}

typedef struct scan_ctx {
	const char *path;
	ledger_state *s;
	const ledger_scan_opts *o;
	ledger_scan_result *r;
	hasher h;
	char ck_head[LEDGER_HASH_HEX + 1]; /* the hash of line checkpoint.entries + 1 */
	int ck_seen;
} scan_ctx;

#define BAD_LINE(...) qe_err_set(e, QE_NEGATIVE, __VA_ARGS__)

static int scan_entry(scan_ctx *c, char *line, size_t len, long lineno, qe_err *e)
{
	ledger_scan_result *r = c->r;
	const char *f[NFIELDS];
	size_t fl[NFIELDS];
	if (len > LEDGER_LINE_MAX || split(line, len, f, fl))
		return BAD_LINE("%s:%ld: not a ledger entry (%d comma-separated fields, at most %d bytes)", c->path,
				lineno, NFIELDS, LEDGER_LINE_MAX);
	unsigned char content_md[32], line_md[32];
	size_t content = (size_t)(f[F_HASH] - 1 - line);
	if (hash_line(&c->h, line, content, len, content_md, line_md))
		return qe_err_set(e, QE_INTERNAL, "SHA-256 failed");
	if (fl[F_PREV] != LEDGER_HASH_HEX || memcmp(f[F_PREV], r->head, LEDGER_HASH_HEX))
		return BAD_LINE("%s:%ld: prev_hash is not the SHA-256 of line %ld: the chain is broken "
				"(an entry changed, inserted, removed or moved)", c->path, lineno, lineno - 1);
	char hex[LEDGER_HASH_HEX + 1];
	ledger_hex(content_md, 32, hex);
	if (fl[F_HASH] != LEDGER_HASH_HEX || memcmp(f[F_HASH], hex, LEDGER_HASH_HEX))
		return BAD_LINE("%s:%ld: hash is not the SHA-256 of the entry's content: the entry was changed",
				c->path, lineno);
	ledger_entry en;
	const char *what = NULL, *column;
	if (parse_fields(f, fl, &en, &what))
		return BAD_LINE("%s:%ld: bad %s", c->path, lineno, what);
	en.line = lineno;
	if (en.seq != r->entries + 1)
		return BAD_LINE("%s:%ld: seq %" PRId64 ", want %" PRId64, c->path, lineno, en.seq, r->entries + 1);
	if (strcmp(en.time, r->last_time) < 0)
		return BAD_LINE("%s:%ld: time %s is before the previous entry's %s", c->path, lineno, en.time,
				r->last_time);
	if (ledger_entry_check(&en, &column, e))
		return BAD_LINE("%s:%ld: column '%s': %s", c->path, lineno, column, e->msg);
	char signer[LEDGER_KEYID_HEX + 1], sig[LEDGER_SIG_HEX + 1];
	memcpy(signer, f[F_SIGNER], LEDGER_KEYID_HEX);
	signer[LEDGER_KEYID_HEX] = '\0';
	if (c->o && c->o->trusted) {
		memcpy(sig, f[F_SIG], LEDGER_SIG_HEX);
		sig[LEDGER_SIG_HEX] = '\0';
		int rc = ledger_keyring_verify(c->o->trusted, signer, line, content, sig, e);
		if (rc) {
			qe_err_set(e, rc, "%s:%ld: entry %" PRId64 ": %s", c->path, lineno, en.seq, e->msg);
			return rc;
		}
	}
	if (c->s && ledger_state_apply(c->s, &en, e)) {
		if (e->code == QE_DATA)
			e->code = QE_NEGATIVE;
		char why[sizeof e->msg];
		snprintf(why, sizeof why, "%s", e->msg);
		return qe_err_set(e, e->code, "%s:%ld: entry %" PRId64 " breaks the holdings: %s", c->path, lineno,
				  en.seq, why);
	}
	if (c->o && c->o->each) {
		int rc = c->o->each(c->o->ctx, &en, signer);
		if (rc)
			return rc;
	}
	ledger_hex(line_md, 32, r->head);
	memcpy(r->last_time, en.time, sizeof r->last_time);
	r->entries++;
	r->bytes += (int64_t)len + 1;
	return QE_OK;
}

static void note_checkpoint(scan_ctx *c)
{
	const ledger_checkpoint *ck = c->o ? c->o->checkpoint : NULL;
	if (ck && ck->entries == c->r->entries) {
		memcpy(c->ck_head, c->r->head, sizeof c->ck_head);
		c->ck_seen = 1;
	}
}

static int scan_stream(FILE *fp, scan_ctx *c, qe_err *e)
{
	ledger_scan_result *r = c->r;
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int rc = QE_OK;
	ssize_t got;
	while ((got = getline(&line, &cap, fp)) > 0) {
		lineno++;
		size_t len = (size_t)got;
		if (line[len - 1] != '\n') {
			r->torn = 1;
			rc = BAD_LINE("%s:%ld: torn entry: the last line has no end (an append cut short?); "
				      "the ledger is good up to byte %" PRId64, c->path, lineno, r->bytes);
			break;
		}
		len--;
		if (lineno == 1) {
			if (len != sizeof ledger_header - 1 || memcmp(line, ledger_header, len)) {
				rc = BAD_LINE("%s:1: not the ledger header", c->path);
				break;
			}
			unsigned char md[32];
			EVP_Digest(line, len, md, NULL, c->h.md, NULL);
			ledger_hex(md, 32, r->head);
			r->bytes = (int64_t)len + 1;
			note_checkpoint(c);
			continue;
		}
		if ((rc = scan_entry(c, line, len, lineno, e)))
			break;
		note_checkpoint(c);
	}
	int err = ferror(fp) ? errno : 0;
	free(line);
	if (rc)
		return rc;
	if (err)
		return qe_err_set(e, QE_IO, "%s: read error: %s", c->path, strerror(err));
	if (lineno == 0) {
		r->empty = 1;
		return BAD_LINE("%s: empty: no ledger header", c->path);
	}
	const ledger_checkpoint *ck = c->o ? c->o->checkpoint : NULL;
	if (ck && ck->entries > r->entries)
		return BAD_LINE("%s: truncated: the checkpoint records %" PRId64 " entries, the ledger has %" PRId64,
				c->path, ck->entries, r->entries);
	if (ck && (!c->ck_seen || strcmp(c->ck_head, ck->head)))
		return BAD_LINE("%s:%" PRId64 ": entry %" PRId64 " is not the checkpoint's head %s", c->path,
				ck->entries + 1, ck->entries, ck->head);
	return QE_OK;
}

/* Scans the ledger open on fd (locked by the caller) from its start. */
static int scan_fd(int fd, const char *path, ledger_state *s, const ledger_scan_opts *o, ledger_scan_result *r,
		   qe_err *e)
{
	memset(r, 0, sizeof *r);
	scan_ctx c = {.path = path, .s = s, .o = o, .r = r};
	int dfd = dup(fd);
	FILE *fp = dfd < 0 ? NULL : fdopen(dfd, "r");
	if (!fp) {
		if (dfd >= 0)
			close(dfd);
		return qe_err_set(e, QE_IO, "%s: %s", path, strerror(errno));
	}
	setvbuf(fp, NULL, _IOFBF, 1 << 20);
	int rc;
	if (hasher_init(&c.h))
		rc = qe_err_set(e, QE_INTERNAL, "SHA-256 unavailable");
	else if (fseeko(fp, 0, SEEK_SET))
		rc = qe_err_set(e, QE_IO, "%s: %s", path, strerror(errno));
	else
		rc = scan_stream(fp, &c, e);
	hasher_free(&c.h);
	fclose(fp);
	return rc;
}

int ledger_scan(const char *path, ledger_state *s, const ledger_scan_opts *opts, ledger_scan_result *r,
		qe_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return qe_err_set(e, QE_IO, "%s: cannot open: %s", path, strerror(errno));
	int rc;
	if (flock(fd, LOCK_SH))
		rc = qe_err_set(e, QE_IO, "%s: cannot lock: %s", path, strerror(errno));
	else
		rc = scan_fd(fd, path, s, opts, r, e);
	close(fd);
	return rc;
}

/* --- appending ----------------------------------------------------------- */
static int write_all(int fd, const char *buf, size_t len, off_t at)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		buf += n;
		len -= (size_t)n;
		at += n;
	}
	return 0;
}

/* Builds the new lines of the append into *buf: the header of a new
 * ledger, then each request as a signed entry. */
static int build_entries(const ledger_entry *req, size_t n, const ledger_key *key, const ledger_append_opts *o,
			 ledger_state *s, ledger_scan_result *r, int fresh, char **buf, size_t *len, qe_err *e)
{
	/* grown as needed: a batch of a million entries is ~350 MB, not n
	 * times the longest line */
	size_t cap = sizeof ledger_header + 1 + 64 * 1024;
	char *b = malloc(cap), line[LEDGER_LINE_MAX + 2 * LEDGER_HASH_HEX + LEDGER_SIG_HEX];
	if (!b)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	size_t at = 0;
	if (fresh)
		at = (size_t)snprintf(b, cap, "%s\n", ledger_header);
	if (!ledger_time_ok(o->time, strlen(o->time))) {
		free(b);
		return qe_err_set(e, QE_USAGE, "time '%s' is not YYYY-MM-DDTHH:MM:SSZ", o->time);
	}
	const char *name = o->requests_name ? o->requests_name : "<requests>";
	for (size_t i = 0; i < n; i++) {
		ledger_entry en = req[i];
		const char *column;
		en.seq = r->entries + 1;
		memcpy(en.time, o->time, sizeof en.time);
		if (strcmp(en.time, r->last_time) < 0) {
			free(b);
			return qe_err_set(e, QE_DATA, "%s:%ld: time %s is before the last entry's %s", name, en.line,
					  en.time, r->last_time);
		}
		int rc = ledger_entry_check(&en, &column, e);
		if (!rc)
			rc = ledger_state_apply(s, &en, e);
		if (rc) {
			char why[sizeof e->msg];
			snprintf(why, sizeof why, "%s", e->msg);
			free(b);
			return qe_err_set(e, rc, "%s:%ld: %s %s refused: %s", name, en.line, ledger_kind_name(en.kind),
					  en.unit, why);
		}
		size_t clen = ledger_entry_content(&en, ledger_key_id(key), r->head, line);
		unsigned char md[32];
		char sig[LEDGER_SIG_HEX + 1];
		EVP_Digest(line, clen, md, NULL, EVP_sha256(), NULL);
		line[clen] = ',';
		ledger_hex(md, 32, line + clen + 1);
		if ((rc = ledger_sign(key, line, clen, sig, e))) {
			free(b);
			return rc;
		}
		size_t llen = clen + 1 + LEDGER_HASH_HEX;
		llen += (size_t)snprintf(line + llen, sizeof line - llen, ",%s", sig);
		EVP_Digest(line, llen, md, NULL, EVP_sha256(), NULL);
		ledger_hex(md, 32, r->head);
		if (at + llen + 1 > cap) {
			size_t ncap = 2 * cap + llen + 1;
			char *nb = realloc(b, ncap);
			if (!nb) {
				free(b);
				return qe_err_set(e, QE_INTERNAL, "out of memory");
			}
			b = nb;
			cap = ncap;
		}
		memcpy(b + at, line, llen);
		b[at + llen] = '\n';
		at += llen + 1;
		memcpy(r->last_time, en.time, sizeof r->last_time);
		r->entries++;
	}
	*buf = b;
	*len = at;
	return QE_OK;
}

int ledger_append(const char *path, const ledger_entry *req, size_t n, const ledger_key *key,
		  const ledger_append_opts *o, int64_t *first_seq, qe_err *e)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return qe_err_set(e, QE_IO, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	ledger_state *s = ledger_state_new();
	ledger_scan_result r = {0};
	ledger_checkpoint ck;
	char *buf = NULL;
	size_t len = 0;
	int rc = QE_OK, fresh = 0;
	if (!s) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	if (flock(fd, LOCK_EX) || fstat(fd, &st)) {
		rc = qe_err_set(e, QE_IO, "%s: cannot lock: %s", path, strerror(errno));
		goto done;
	}
	fresh = st.st_size == 0;
	if (fresh && (rc = ledger_checkpoint_read(o->checkpoint, &ck, e)) != QE_IO) {
		/* an emptied ledger whose checkpoint records entries is a cut one */
		if (!rc && ck.entries > 0)
			rc = qe_err_set(e, QE_DATA, "%s: empty, but its checkpoint %s records %" PRId64 " entries",
					path, o->checkpoint, ck.entries);
		if (rc)
			goto done;
	}
	rc = QE_OK;
	if (fresh) {
		unsigned char md[32];
		EVP_Digest(ledger_header, sizeof ledger_header - 1, md, NULL, EVP_sha256(), NULL);
		ledger_hex(md, 32, r.head);
	} else {
		/* a ledger with entries has a checkpoint, which it must still match:
		 * appending to a cut ledger would bless the cut */
		ledger_scan_opts so = {.checkpoint = &ck};
		if ((rc = ledger_checkpoint_read(o->checkpoint, &ck, e)))
			goto done;
		rc = scan_fd(fd, path, s, &so, &r, e);
		if (rc == QE_NEGATIVE && r.torn) {
			char why[sizeof e->msg];
			snprintf(why, sizeof why, "%s", e->msg);
			qe_err_set(e, QE_DATA, "%s; cut it there (truncate -s %" PRId64 " %s) to append", why, r.bytes,
				   path);
		}
		if (rc)
			goto done;
	}
	*first_seq = r.entries + 1;
	if ((rc = build_entries(req, n, key, o, s, &r, fresh, &buf, &len, e)))
		goto done;
	int err = write_all(fd, buf, len, st.st_size);
	if (!err && !o->no_fsync && fsync(fd))
		err = errno;
	if (err) {
		rc = qe_err_set(e, QE_IO, "%s: write error: %s", path, strerror(err));
		if (ftruncate(fd, st.st_size) == 0)
			(void)fsync(fd);
		goto done;
	}
	if ((rc = checkpoint_write(o->checkpoint, r.entries, r.head, e))) {
		/* all or nothing: the ledger goes back to what the old checkpoint anchors */
		if (ftruncate(fd, st.st_size) == 0)
			(void)fsync(fd);
	}
done:
	if (rc == QE_NEGATIVE) /* a bad ledger or checkpoint is bad input to an append */
		rc = e->code = QE_DATA;
	free(buf);
	ledger_state_free(s);
	close(fd);
	return rc;
}
