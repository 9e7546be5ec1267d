/*
 * strindex: a set of strings numbered in order of first insertion
 * (0, 1, 2, ...), for turning names such as portfolios, scenarios and
 * risk factors into dense array indices.
 *
 * Owns copies of the strings; sidx_free() releases everything.  Never
 * prints.  Allocation failure is reported as -1 / NULL.
 */
#ifndef QE_STRINDEX_H
#define QE_STRINDEX_H

#include <stddef.h>

typedef struct strindex strindex;

strindex *sidx_new(void);
void sidx_free(strindex *s);
/* Index of name, adding it when absent (*added = 1 then; added may be
 * NULL).  -1 on allocation failure. */
long sidx_add(strindex *s, const char *name, size_t len, int *added);
/* Index of name or -1. */
long sidx_find(const strindex *s, const char *name, size_t len);
size_t sidx_count(const strindex *s);
const char *sidx_name(const strindex *s, size_t i);

#endif
