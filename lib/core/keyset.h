/*
 * keyset: an open-addressing hash table of byte-string keys, each with
 * two 32-bit values, for duplicate detection and trade lifecycle tracking
 * over millions of rows.
 *
 * Exact: a key of up to 10 characters from [0-9A-Za-z_] (the usual trade
 * ids) is stored inline, packed 6 bits a character; any other key is
 * stored once in a packed arena (a length and the bytes) and its slot
 * keeps 23 bits of the caller's 64-bit hash as a tag, a tag match being
 * confirmed by comparing the full key text.  So two distinct keys are
 * two entries even when their hashes are equal.  16 bytes a slot (at
 * most 90% full, growing by half), plus length + 1 bytes for each key
 * that is not inline.
 *
 * Owns its slots and the key copies.  Never prints, never exits.  Not
 * thread-safe.
 */
#ifndef QE_KEYSET_H
#define QE_KEYSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct keyset_entry {
	uint64_t key; /* 0: free; bit 63 set: inline key; else tag << 40 | arena ref */
	uint32_t a, b;
} keyset_entry;

typedef struct keyset keyset;

/* expected: a hint (0 = small); the table grows as needed. */
keyset *keyset_new(size_t expected);
void keyset_free(keyset *s);
size_t keyset_count(const keyset *s);
/* Finds the key (len bytes, hash as given: equal keys must have equal
 * hashes), or inserts a copy of it with a = b = 0.  *found says which.
 * The entry pointer is valid until the next insertion.  NULL when out of
 * memory (or past 1 TiB of key text). */
keyset_entry *keyset_upsert(keyset *s, uint64_t hash, const void *key, size_t len, int *found);
/* Finds the key without inserting (safe to call from several threads
 * while no one inserts); NULL when absent. */
const keyset_entry *keyset_find(const keyset *s, uint64_t hash, const void *key, size_t len);
/* Hints that this key will be looked up soon (key NULL: a key that is
 * not inline, known by its hash). */
void keyset_prefetch(const keyset *s, uint64_t hash, const void *key, size_t len);
/* Calls fn on every entry (any order). */
void keyset_each(const keyset *s, void (*fn)(const keyset_entry *, void *), void *ctx);

/* 64-bit hash of len bytes (never 0). */
uint64_t keyset_hash(const void *data, size_t len, uint64_t seed);

#endif
