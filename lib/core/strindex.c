#include "core/strindex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A slot of the open-addressing table: the name's index (-1 empty) and
 * its hash, compared before the name, so a probe reads the name only
 * when the hashes match. */
typedef struct sidx_slot {
	long k;
	uint64_t h;
} sidx_slot;

/* Names are copied into chunks that never move (a pointer of sidx_name
 * stays valid) and are freed together: no allocation per name. */
enum { SIDX_CHUNK = 64 * 1024 };
typedef struct sidx_chunk {
	struct sidx_chunk *prev;
	size_t used, cap;
	char text[];
} sidx_chunk;

struct strindex {
	char **names;
	size_t *lens;
	size_t n, cap;
	sidx_slot *slots;
	size_t nslots;
	sidx_chunk *chunk;
};

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static sidx_slot *new_slots(size_t n)
{
	sidx_slot *sl = malloc(n * sizeof *sl);
	for (size_t i = 0; sl && i < n; i++)
		sl[i].k = -1, sl[i].h = 0;
	return sl;
}

strindex *sidx_new(void)
{
	strindex *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->nslots = 64;
	if (!(s->slots = new_slots(s->nslots))) {
		free(s);
		return NULL;
	}
	return s;
}

void sidx_free(strindex *s)
{
	if (!s)
		return;
	while (s->chunk) {
		sidx_chunk *p = s->chunk->prev;
		free(s->chunk);
		s->chunk = p;
	}
	free(s->names);
	free(s->lens);
	free(s->slots);
	free(s);
}

static size_t probe(const strindex *s, const char *name, size_t len, uint64_t h)
{
	size_t mask = s->nslots - 1, i = (size_t)h & mask;
	while (s->slots[i].k >= 0) {
		long k = s->slots[i].k;
		if (s->slots[i].h == h && s->lens[k] == len && memcmp(s->names[k], name, len) == 0)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

long sidx_find(const strindex *s, const char *name, size_t len)
{
	return s->slots[probe(s, name, len, hash(name, len))].k;
}

static int grow(strindex *s)
{
	size_t ns = s->nslots * 2;
	sidx_slot *slots = new_slots(ns);
	if (!slots)
		return -1;
	sidx_slot *old = s->slots;
	size_t nold = s->nslots;
	s->slots = slots;
	s->nslots = ns;
	for (size_t i = 0; i < nold; i++)
		if (old[i].k >= 0) {
			size_t j = (size_t)old[i].h & (ns - 1);
			while (slots[j].k >= 0)
				j = (j + 1) & (ns - 1);
			slots[j] = old[i];
		}
	free(old);
	return 0;
}

/* A copy of name[0..len) and a NUL in the chunks, or NULL. */
static char *copy_name(strindex *s, const char *name, size_t len)
{
	sidx_chunk *c = s->chunk;
	if (!c || c->cap - c->used < len + 1) {
		size_t cap = len + 1 > SIDX_CHUNK ? len + 1 : SIDX_CHUNK;
		sidx_chunk *nc = malloc(sizeof *nc + cap);
		if (!nc)
			return NULL;
		nc->prev = c;
		nc->used = 0;
		nc->cap = cap;
		s->chunk = c = nc;
	}
	char *copy = c->text + c->used;
	memcpy(copy, name, len);
	copy[len] = '\0';
	c->used += len + 1;
	return copy;
}

long sidx_add(strindex *s, const char *name, size_t len, int *added)
{
	uint64_t h = hash(name, len);
	size_t i = probe(s, name, len, h);
	if (added)
		*added = 0;
	if (s->slots[i].k >= 0)
		return s->slots[i].k;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **nn = realloc(s->names, cap * sizeof *nn);
		if (!nn)
			return -1;
		s->names = nn;
		size_t *nl = realloc(s->lens, cap * sizeof *nl);
		if (!nl)
			return -1;
		s->lens = nl;
		s->cap = cap;
	}
	char *copy = copy_name(s, name, len);
	if (!copy)
		return -1;
	s->names[s->n] = copy;
	s->lens[s->n] = len;
	s->slots[i].k = (long)s->n;
	s->slots[i].h = h;
	s->n++;
	if (added)
		*added = 1;
	if (s->n * 2 > s->nslots && grow(s) != 0)
		return -1;
	return (long)(s->n - 1);
}

size_t sidx_count(const strindex *s)
{
	return s->n;
}

const char *sidx_name(const strindex *s, size_t i)
{
	return i < s->n ? s->names[i] : NULL;
}
