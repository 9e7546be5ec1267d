/* ledger_key: the Ed25519 keys of the ledger (libcrypto EVP): a party's
 * private key that signs, the directory of trusted public keys that
 * verifies, and the key ids entries name their signer by. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "settle/ledger.h"
#include "settle/ledger_key.h"

struct ledger_key {
	EVP_PKEY *pkey;
	char id[LEDGER_KEYID_HEX + 1];
};

typedef struct ring_key {
	char id[LEDGER_KEYID_HEX + 1];
	EVP_PKEY *pkey;
} ring_key;

struct ledger_keyring {
	size_t n;
	ring_key *k;
};

/* No passphrase prompt on the terminal: an encrypted key is an error. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return 0;
}

static const char *ssl_reason(void)
{
	static _Thread_local char buf[256];
	unsigned long code = ERR_get_error();
	ERR_clear_error();
	if (!code)
		return "not a PEM key";
	ERR_error_string_n(code, buf, sizeof buf);
	return buf;
}

void ledger_hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Digit value + 1 of the lowercase hex digits, 0 for any other byte
 * (upper case is refused: one spelling per value).  A table, since
 * verify reads 200 hex digits per entry. */
static const unsigned char hex_plus1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

int ledger_unhex(const char *s, size_t len, unsigned char *out, size_t n)
{
	if (len != 2 * n)
		return -1;
	unsigned bad = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned hi = hex_plus1[(unsigned char)s[2 * i]], lo = hex_plus1[(unsigned char)s[2 * i + 1]];
		bad |= !hi | !lo;
		out[i] = (unsigned char)((hi - 1) << 4 | ((lo - 1) & 15));
	}
	return bad ? -1 : 0;
}

/* The id of an Ed25519 key: SHA-256 of the raw public key, first 8 bytes. */
static int key_id(EVP_PKEY *pkey, char *id)
{
	unsigned char raw[32], md[32];
	size_t len = sizeof raw;
	if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1 || len != sizeof raw)
		return -1;
	if (EVP_Digest(raw, len, md, NULL, EVP_sha256(), NULL) != 1)
		return -1;
	ledger_hex(md, LEDGER_KEYID_HEX / 2, id);
	return 0;
}

int ledger_key_load(const char *path, ledger_key **out, qe_err *e)
{
	*out = NULL;
	FILE *fp = fopen(path, "r");
	if (!fp)
		return qe_err_set(e, QE_IO, "%s: cannot open: %s", path, strerror(errno));
	EVP_PKEY *pkey = PEM_read_PrivateKey(fp, NULL, no_passphrase, NULL);
	fclose(fp);
	if (!pkey)
		return qe_err_set(e, QE_DATA, "%s: not an unencrypted PEM private key: %s", path, ssl_reason());
	if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(pkey);
		return qe_err_set(e, QE_DATA, "%s: not an Ed25519 key (openssl genpkey -algorithm ed25519)", path);
	}
	ledger_key *k = calloc(1, sizeof *k);
	if (!k || key_id(pkey, k->id)) {
		free(k);
		EVP_PKEY_free(pkey);
		return qe_err_set(e, QE_INTERNAL, "%s: cannot read the public key", path);
	}
	k->pkey = pkey;
	*out = k;
	return QE_OK;
}

void ledger_key_free(ledger_key *k)
{
	if (k) {
		EVP_PKEY_free(k->pkey);
		free(k);
	}
}

const char *ledger_key_id(const ledger_key *k)
{
	return k->id;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.pem names of dir, sorted, into a malloc'd array. */
static int pem_names(const char *dir, char ***names, size_t *n, qe_err *e)
{
	DIR *d = opendir(dir);
	if (!d)
		return qe_err_set(e, QE_IO, "%s: cannot open: %s", dir, strerror(errno));
	char **v = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len <= 4 || strcmp(de->d_name + len - 4, ".pem"))
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 8;
			char **nv = realloc(v, cap * sizeof *v);
			if (!nv)
				goto oom;
			v = nv;
		}
		if (!(v[cnt] = strdup(de->d_name)))
			goto oom;
		cnt++;
	}
	closedir(d);
	qsort(v, cnt, sizeof *v, by_name);
	*names = v;
	*n = cnt;
	return QE_OK;
oom:
	closedir(d);
	for (size_t i = 0; i < cnt; i++)
		free(v[i]);
	free(v);
	return qe_err_set(e, QE_INTERNAL, "out of memory");
}

int ledger_keyring_load(const char *dir, ledger_keyring **out, qe_err *e)
{
	*out = NULL;
	char **names = NULL;
	size_t n = 0;
	int rc = pem_names(dir, &names, &n, e);
	if (rc)
		return rc;
	ledger_keyring *r = calloc(1, sizeof *r);
	if (!r || (n && !(r->k = calloc(n, sizeof *r->k)))) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto done;
	}
	if (!n) {
		rc = qe_err_set(e, QE_DATA, "%s: no public keys (*.pem)", dir);
		goto done;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		FILE *fp = fopen(path, "r");
		if (!fp) {
			rc = qe_err_set(e, QE_IO, "%s: cannot open: %s", path, strerror(errno));
			break;
		}
		EVP_PKEY *pkey = PEM_read_PUBKEY(fp, NULL, no_passphrase, NULL);
		fclose(fp);
		if (!pkey) {
			rc = qe_err_set(e, QE_DATA, "%s: not a PEM public key (openssl pkey -pubout): %s", path,
					ssl_reason());
		} else if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
			EVP_PKEY_free(pkey);
			rc = qe_err_set(e, QE_DATA, "%s: not an Ed25519 public key", path);
		} else {
			r->k[r->n].pkey = pkey;
			if (key_id(pkey, r->k[r->n].id))
				rc = qe_err_set(e, QE_INTERNAL, "%s: cannot read the public key", path);
			r->n++;
		}
	}
done:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc) {
		ledger_keyring_free(r);
		return rc;
	}
	*out = r;
	return QE_OK;
}

void ledger_keyring_free(ledger_keyring *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		EVP_PKEY_free(r->k[i].pkey);
	free(r->k);
	free(r);
}

size_t ledger_keyring_count(const ledger_keyring *r)
{
	return r->n;
}

int ledger_sign(const ledger_key *k, const char *msg, size_t len, char *sig_hex, qe_err *e)
{
	unsigned char sig[64];
	size_t siglen = sizeof sig;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
		 EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)msg, len) == 1 && siglen == 64;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return qe_err_set(e, QE_INTERNAL, "Ed25519 signing failed: %s", ssl_reason());
	ledger_hex(sig, 64, sig_hex);
	return QE_OK;
}

int ledger_keyring_verify(const ledger_keyring *r, const char *signer, const char *msg, size_t len,
			  const char *sig_hex, qe_err *e)
{
	const ring_key *k = NULL;
	for (size_t i = 0; i < r->n && !k; i++)
		if (!strcmp(r->k[i].id, signer))
			k = &r->k[i];
	if (!k)
		return qe_err_set(e, QE_NEGATIVE, "signed by key %s, which is not trusted", signer);
	unsigned char sig[64];
	if (ledger_unhex(sig_hex, strlen(sig_hex), sig, sizeof sig))
		return qe_err_set(e, QE_NEGATIVE, "signature is not 128 lowercase hex digits");
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return qe_err_set(e, QE_INTERNAL, "out of memory");
	int ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
		 EVP_DigestVerify(ctx, sig, sizeof sig, (const unsigned char *)msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	if (!ok)
		return qe_err_set(e, QE_NEGATIVE, "bad signature (key %s)", signer);
	return QE_OK;
}
