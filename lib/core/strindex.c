#include "core/strindex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct strindex {
	char **names;
	size_t *lens;
	size_t n, cap;
	long *slots; /* open addressing, -1 empty */
	size_t nslots;
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

strindex *sidx_new(void)
{
	strindex *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->nslots = 64;
	s->slots = malloc(s->nslots * sizeof *s->slots);
	if (!s->slots) {
		free(s);
		return NULL;
	}
	memset(s->slots, 0xff, s->nslots * sizeof *s->slots);
	return s;
}

void sidx_free(strindex *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	free(s->lens);
	free(s->slots);
	free(s);
}

static size_t probe(const strindex *s, const char *name, size_t len)
{
	size_t mask = s->nslots - 1, i = (size_t)hash(name, len) & mask;
	while (s->slots[i] >= 0) {
		long k = s->slots[i];
		if (s->lens[k] == len && memcmp(s->names[k], name, len) == 0)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

long sidx_find(const strindex *s, const char *name, size_t len)
{
	return s->slots[probe(s, name, len)];
}

static int grow(strindex *s)
{
	size_t ns = s->nslots * 2;
	long *slots = malloc(ns * sizeof *slots);
	if (!slots)
		return -1;
	memset(slots, 0xff, ns * sizeof *slots);
	free(s->slots);
	s->slots = slots;
	s->nslots = ns;
	for (size_t k = 0; k < s->n; k++)
		s->slots[probe(s, s->names[k], s->lens[k])] = (long)k;
	return 0;
}

long sidx_add(strindex *s, const char *name, size_t len, int *added)
{
	size_t i = probe(s, name, len);
	if (added)
		*added = 0;
	if (s->slots[i] >= 0)
		return s->slots[i];
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
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, name, len);
	copy[len] = '\0';
	s->names[s->n] = copy;
	s->lens[s->n] = len;
	s->slots[i] = (long)s->n;
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
