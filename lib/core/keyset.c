#include "core/keyset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

__extension__ typedef unsigned __int128 u128;

struct keyset {
	keyset_entry *slot;
	size_t cap, count;
	void *map;      /* the mapping slot lies in (NULL: slot is malloc'd) */
	size_t map_len;
	unsigned char *arena; /* arena keys: length (7 bits a byte, low first), bytes */
	size_t alen, acap;
};

#define INLINE_BIT (1ULL << 63)
#define REF_BITS 40
#define TAG_BITS 23

static uint64_t mix(uint64_t a, uint64_t b);

/* 6-bit code of an inline key character, 0 when it has none */
static unsigned char_code(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return 1 + (c - '0');
	if (c >= 'A' && c <= 'Z')
		return 11 + (c - 'A');
	if (c >= 'a' && c <= 'z')
		return 37 + (c - 'a');
	return c == '_' ? 63 : 0;
}

/* the inline word of a key, 0 when the key is stored in the arena */
static uint64_t encode(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t w = 0;
	if (len > 10)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned c = char_code(p[i]);
		if (!c)
			return 0;
		w |= (uint64_t)c << (6 * i);
	}
	return w | INLINE_BIT;
}

static uint64_t arena_word(uint64_t hash) { return (hash >> (64 - TAG_BITS)) << REF_BITS; }

/* home slot of a word: inline keys by a hash of the word, arena keys by their tag */
static size_t home(uint64_t w, size_t cap)
{
	uint64_t h = w & INLINE_BIT ? mix(w ^ 0x9e3779b97f4a7c15ULL, 0xbf58476d1ce4e5b9ULL)
				    : (w >> REF_BITS) << (64 - TAG_BITS);
	return (size_t)(((u128)h * cap) >> 64);
}

/* Writes a byte of every page of a fresh table.  calloc's big blocks are
 * the shared zero page until written, and a lookup reads a slot before the
 * insert writes it: each page then faults twice, and the second fault
 * replaces a mapping, which flushes the TLB of every CPU the process runs
 * on (an interrupt to each while other threads run).  A first write maps
 * the page once. */
static void touch_pages(void *p, size_t bytes, size_t page)
{
	volatile unsigned char *c = p;
	for (size_t i = 0; i < bytes; i += page)
		c[i] = 0;
}

#define HUGE_PAGE ((size_t)2 << 20)

/* A zeroed table of cap slots.  A big one gets a mapping of its own,
 * aligned on and asking for 2 MiB pages: every lookup lands on a random
 * slot, and with 4 KiB pages nearly every one also missed the TLB (a page
 * walk, slow under a hypervisor, was most of the lookup).  Where the
 * kernel gives no huge pages the mapping is ordinary memory. */
static keyset_entry *slots_new(size_t cap, void **map, size_t *map_len)
{
	size_t bytes = cap * sizeof(keyset_entry);
	*map = NULL;
	*map_len = 0;
	if (bytes >= 2 * HUGE_PAGE) {
		size_t len = (bytes + 2 * HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
		void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m != MAP_FAILED) {
			uintptr_t at = ((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
#ifdef MADV_HUGEPAGE
			madvise((void *)at, len - (at - (uintptr_t)m), MADV_HUGEPAGE);
#endif
			touch_pages((void *)at, bytes, 4096);
			*map = m;
			*map_len = len;
			return (keyset_entry *)at;
		}
	}
	keyset_entry *p = calloc(cap, sizeof *p);
	if (p)
		touch_pages(p, bytes, 4096);
	return p;
}

static void slots_free(keyset_entry *slot, void *map, size_t map_len)
{
	if (map)
		munmap(map, map_len);
	else
		free(slot);
}

keyset *keyset_new(size_t expected)
{
	keyset *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->cap = expected ? expected + expected / 5 + 64 : 1024;
	s->slot = slots_new(s->cap, &s->map, &s->map_len);
	if (!s->slot) {
		free(s);
		return NULL;
	}
	return s;
}

void keyset_free(keyset *s)
{
	if (s) {
		slots_free(s->slot, s->map, s->map_len);
		free(s->arena);
		free(s);
	}
}

size_t keyset_count(const keyset *s) { return s->count; }

static int same_key(const keyset *s, uint64_t ref, const void *key, size_t len)
{
	const unsigned char *p = s->arena + ref - 1;
	size_t n = 0;
	for (int sh = 0;; sh += 7) {
		n |= (size_t)(*p & 0x7f) << sh;
		if (!(*p++ & 0x80))
			break;
	}
	return n == len && memcmp(p, key, len) == 0;
}

/* the slot holding the key, or the free slot where it belongs; *w is
 * the key's inline word, or its tag word (ref bits 0) */
static keyset_entry *probe(const keyset *s, uint64_t hash, const void *key, size_t len, uint64_t *w)
{
	uint64_t code = encode(key, len);
	*w = code ? code : arena_word(hash);
	size_t i = home(*w, s->cap);
	const uint64_t refmask = (1ULL << REF_BITS) - 1;
	for (;; i = i + 1 == s->cap ? 0 : i + 1) {
		uint64_t k = s->slot[i].key;
		if (!k)
			break;
		if (code) {
			if (k == code)
				break;
		} else if (!(k & INLINE_BIT) && (k & ~refmask) == *w && same_key(s, k & refmask, key, len))
			break;
	}
	return &s->slot[i];
}

static int grow(keyset *s)
{
	size_t ncap = s->cap + s->cap / 2;
	void *map;
	size_t map_len;
	keyset_entry *ns = slots_new(ncap, &map, &map_len);
	if (!ns)
		return -1;
	/* keys are distinct: only free slots need finding */
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i].key) {
			size_t j = home(s->slot[i].key, ncap);
			while (ns[j].key)
				if (++j == ncap)
					j = 0;
			ns[j] = s->slot[i];
		}
	slots_free(s->slot, s->map, s->map_len);
	s->slot = ns;
	s->map = map;
	s->map_len = map_len;
	s->cap = ncap;
	return 0;
}

/* appends the key to the arena; its ref (offset + 1), 0 when out of memory */
static uint64_t store(keyset *s, const void *key, size_t len)
{
	size_t need = s->alen + len + 10;
	if (need >= (1ULL << REF_BITS) - 1)
		return 0;
	if (need > s->acap) {
		size_t ncap = s->acap ? s->acap + s->acap / 2 : 4096;
		if (ncap < need)
			ncap = need;
		unsigned char *na = realloc(s->arena, ncap);
		if (!na)
			return 0;
		s->arena = na;
		s->acap = ncap;
	}
	uint64_t ref = (uint64_t)s->alen + 1;
	unsigned char *p = s->arena + s->alen;
	size_t n = len;
	do {
		*p++ = (unsigned char)((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
		n >>= 7;
	} while (n);
	if (len)
		memcpy(p, key, len);
	s->alen = (size_t)(p - s->arena) + len;
	return ref;
}

keyset_entry *keyset_upsert(keyset *s, uint64_t hash, const void *key, size_t len, int *found)
{
	uint64_t w;
	keyset_entry *e = probe(s, hash, key, len, &w);
	if (e->key) {
		*found = 1;
		return e;
	}
	if ((s->count + 1) * 10 > s->cap * 9) {
		if (grow(s))
			return NULL;
		e = probe(s, hash, key, len, &w);
	}
	if (!(w & INLINE_BIT)) {
		uint64_t ref = store(s, key, len);
		if (!ref)
			return NULL;
		w |= ref;
	}
	e->key = w;
	e->a = e->b = 0;
	s->count++;
	*found = 0;
	return e;
}

const keyset_entry *keyset_find(const keyset *s, uint64_t hash, const void *key, size_t len)
{
	uint64_t w;
	const keyset_entry *e = probe(s, hash, key, len, &w);
	return e->key ? e : NULL;
}

void keyset_prefetch(const keyset *s, uint64_t hash, const void *key, size_t len)
{
	uint64_t code = key ? encode(key, len) : 0;
	__builtin_prefetch(&s->slot[home(code ? code : arena_word(hash), s->cap)]);
}

void keyset_each(const keyset *s, void (*fn)(const keyset_entry *, void *), void *ctx)
{
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i].key)
			fn(&s->slot[i], ctx);
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	u128 r = (u128)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t keyset_hash(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL;
	uint64_t h = seed ^ mix(seed ^ k0, k1) ^ len;
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = mix(h ^ w ^ k0, k1);
		p += 8;
		len -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, p, len);
	h = mix(h ^ w ^ k1, k0 ^ (uint64_t)len);
	h = mix(h, k1);
	return h ? h : 1;
}
