#include "keyset.h"

#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

struct keyset {
	keyset_entry *slot;
	size_t cap, count;
};

static size_t reduce(uint64_t h, size_t cap)
{
	return (size_t)(((u128)h * cap) >> 64);
}

keyset *keyset_new(size_t expected)
{
	keyset *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->cap = expected ? expected + expected / 5 + 64 : 1024;
	s->slot = calloc(s->cap, sizeof *s->slot);
	if (!s->slot) {
		free(s);
		return NULL;
	}
	return s;
}

void keyset_free(keyset *s)
{
	if (s) {
		free(s->slot);
		free(s);
	}
}

size_t keyset_count(const keyset *s) { return s->count; }

static keyset_entry *probe(keyset_entry *slot, size_t cap, uint64_t key)
{
	size_t i = reduce(key, cap);
	while (slot[i].key && slot[i].key != key)
		if (++i == cap)
			i = 0;
	return &slot[i];
}

static int grow(keyset *s)
{
	size_t ncap = s->cap + s->cap / 2;
	keyset_entry *ns = calloc(ncap, sizeof *ns);
	if (!ns)
		return -1;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i].key)
			*probe(ns, ncap, s->slot[i].key) = s->slot[i];
	free(s->slot);
	s->slot = ns;
	s->cap = ncap;
	return 0;
}

keyset_entry *keyset_upsert(keyset *s, uint64_t key, int *found)
{
	if (!key)
		key = 1;
	keyset_entry *e = probe(s->slot, s->cap, key);
	if (e->key) {
		*found = 1;
		return e;
	}
	if ((s->count + 1) * 10 > s->cap * 9) {
		if (grow(s))
			return NULL;
		e = probe(s->slot, s->cap, key);
	}
	e->key = key;
	e->a = e->b = 0;
	s->count++;
	*found = 0;
	return e;
}

const keyset_entry *keyset_find(const keyset *s, uint64_t key)
{
	if (!key)
		key = 1;
	const keyset_entry *e = probe(s->slot, s->cap, key);
	return e->key ? e : NULL;
}

void keyset_prefetch(const keyset *s, uint64_t key)
{
	__builtin_prefetch(&s->slot[reduce(key ? key : 1, s->cap)]);
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
