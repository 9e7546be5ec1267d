/*
 * grow: room for one more row in a set of parallel arrays (a column
 * store: dates, values, lines... indexed alike), grown together by
 * doubling so that a reader appends in amortised constant time.
 *
 * Owns nothing: the arrays stay the caller's, freed by the caller.  On
 * failure every array that could be grown keeps its new block (still
 * valid, still the caller's to free) and the capacity is unchanged.
 * Never prints.
 */
#ifndef QE_CORE_GROW_H
#define QE_CORE_GROW_H

#include <stddef.h>

/* One array of the set: the address of its pointer (a `double **` or
 * any object pointer's address, passed as void *) and its element size. */
typedef struct grow_array {
	void *ptr;
	size_t size;
} grow_array;

#define GROW_ARRAY(p) ((grow_array){&(p), sizeof *(p)})

/* When n == *cap, makes every array of a[0..na) hold twice *cap elements
 * (first when *cap is 0) and updates *cap.  0 when there is room, -1 out
 * of memory. */
int grow_arrays(size_t n, size_t *cap, size_t first, const grow_array *a, size_t na);

#endif
