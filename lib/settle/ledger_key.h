/*
 * ledger_key: signing and verifying ledger entries with Ed25519 (libcrypto
 * EVP, PureEdDSA over the entry's content bytes) and the lowercase hex
 * the ledger spells hashes and signatures in.  The key types are in
 * settle/ledger.h.  Never prints; clears libcrypto's error queue after a
 * failure it reports.
 */
#ifndef QE_LEDGER_KEY_H
#define QE_LEDGER_KEY_H

#include <stddef.h>

#include "core/diag.h"
#include "settle/ledger.h"

/* n bytes as 2n lowercase hex digits and a NUL into out. */
void ledger_hex(const unsigned char *b, size_t n, char *out);
/* 2n lowercase hex digits (upper case refused) into n bytes; -1 if not. */
int ledger_unhex(const char *s, size_t len, unsigned char *out, size_t n);

/* Signs msg: 128 hex digits and a NUL into sig_hex. */
int ledger_sign(const ledger_key *k, const char *msg, size_t len, char *sig_hex, qe_err *e);
/* QE_OK when sig_hex is signer's valid signature of msg; QE_NEGATIVE
 * (e says why: unknown key, bad signature) otherwise. */
int ledger_keyring_verify(const ledger_keyring *r, const char *signer, const char *msg, size_t len,
			  const char *sig_hex, qe_err *e);

#endif
