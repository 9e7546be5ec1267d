#include "screen/versions.h"

#include <stdlib.h>
#include <string.h>

#include "core/strindex.h"

int versions_live(const rtable *t, int idc, int verc, int statusc, size_t **rows, size_t *n, qe_err *e)
{
	strindex *ids = sidx_new();
	size_t *top = malloc((t->n + 1) * sizeof *top);
	double *topver = malloc((t->n + 1) * sizeof *topver);
	int rc = 0;
	*rows = NULL;
	*n = 0;
	if (!ids || !top || !topver) {
		rc = qe_err_set(e, QE_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < t->n; i++) {
		double v;
		const char *id = rtable_get(t, i, idc);
		int fresh;
		if ((rc = rtable_num(t, i, verc, 0, &v, e)))
			goto out;
		long k = sidx_add(ids, id, strlen(id), &fresh);
		if (k < 0) {
			rc = qe_err_set(e, QE_INTERNAL, "out of memory");
			goto out;
		}
		if (fresh || v >= topver[k]) {
			topver[k] = v;
			top[k] = i;
		}
	}
	for (size_t k = 0; k < sidx_count(ids); k++)
		if (strcmp(rtable_get(t, top[k], statusc), "cancel") != 0)
			top[(*n)++] = top[k];
	*rows = top;
	top = NULL;
out:
	free(top);
	free(topver);
	if (ids)
		sidx_free(ids);
	return rc;
}
