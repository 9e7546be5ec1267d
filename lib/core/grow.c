/* Parallel arrays grown together (grow.h). */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"

int grow_arrays(size_t n, size_t *cap, size_t first, const grow_array *a, size_t na)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? 2 * *cap : (first ? first : 1);
	int rc = 0;
	for (size_t i = 0; i < na; i++) {
		void *old, *q;
		memcpy(&old, a[i].ptr, sizeof old);
		if (!(q = realloc(old, nc * a[i].size))) {
			rc = -1;
			continue;
		}
		memcpy(a[i].ptr, &q, sizeof q);
	}
	if (rc == 0)
		*cap = nc;
	return rc;
}
