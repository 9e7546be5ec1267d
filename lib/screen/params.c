#include "screen/params.h"

#include <math.h>
#include <string.h>

enum { PA_SET, PA_RULE, PA_PARAM, PA_VALUE, PA_NCOLS };
static const char *const param_cols[] = {"rule_set", "rule", "parameter", "value"};

int params_read(const char *path, const char *what, screen_params *p, qe_err *e)
{
	memset(p, 0, sizeof *p);
	if (!path)
		return qe_err_set(e, QE_USAGE, "%s: no thresholds file given (--thresholds)", what);
	return rtable_read(path, param_cols, NULL, PA_NCOLS, &p->t, e);
}

void params_free(screen_params *p)
{
	rtable_free(&p->t);
}

int params_get(const screen_params *p, const char *set, const char *rule, const char *param, double *out,
	       qe_err *e)
{
	for (size_t i = 0; i < p->t.n; i++) {
		if (strcmp(rtable_get(&p->t, i, PA_SET), set) || strcmp(rtable_get(&p->t, i, PA_RULE), rule) ||
		    strcmp(rtable_get(&p->t, i, PA_PARAM), param))
			continue;
		if (rtable_num(&p->t, i, PA_VALUE, 0, out, e))
			return e->code;
		if (!(*out >= 0))
			return rtable_error(&p->t, i, PA_VALUE, e, "a threshold is >= 0, not %g", *out);
		return 0;
	}
	return qe_err_set(e, QE_DATA, "%s: no row %s,%s,%s (the threshold of rule %s)", p->t.file, set, rule, param,
			  rule);
}
