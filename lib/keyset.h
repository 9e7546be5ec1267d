/*
 * keyset: an open-addressing hash table of 64-bit key hashes, each with
 * two 32-bit values, for duplicate detection and trade lifecycle tracking
 * over millions of rows in 16 bytes a key.
 *
 * Keys are 64-bit hashes of the key text (keyset_hash), so two distinct
 * keys collide with probability about n^2 / 2^65 (1e-7 for two million
 * keys); callers that cannot accept that keep the text themselves.
 * Linear probing, at most 90% full, sized by fast range reduction so the
 * table grows by half rather than doubling.
 *
 * Owns its slots.  Never prints, never exits.  Not thread-safe.
 */
#ifndef QE_KEYSET_H
#define QE_KEYSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct keyset_entry {
	uint64_t key; /* never 0 (0 marks a free slot) */
	uint32_t a, b;
} keyset_entry;

typedef struct keyset keyset;

/* expected: a hint (0 = small); the table grows as needed. */
keyset *keyset_new(size_t expected);
void keyset_free(keyset *s);
size_t keyset_count(const keyset *s);
/* Finds key, or inserts it with a = b = 0.  *found says which.  The entry
 * pointer is valid until the next insertion.  NULL when out of memory. */
keyset_entry *keyset_upsert(keyset *s, uint64_t key, int *found);
/* Finds key without inserting (safe to call from several threads while
 * no one inserts); NULL when absent. */
const keyset_entry *keyset_find(const keyset *s, uint64_t key);
/* Hints that key will be looked up soon (fetches its slot into cache). */
void keyset_prefetch(const keyset *s, uint64_t key);
/* Calls fn on every entry (any order). */
void keyset_each(const keyset *s, void (*fn)(const keyset_entry *, void *), void *ctx);

/* 64-bit hash of len bytes (never 0). */
uint64_t keyset_hash(const void *data, size_t len, uint64_t seed);

#endif
