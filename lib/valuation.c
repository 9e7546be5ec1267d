#include "valuation.h"

int valuation_run(const struct val_options *o, struct val_summary *s, qe_err *e)
{
	(void)o;
	(void)s;
	return qe_err_set(e, QE_INTERNAL, "book valuation is not implemented yet");
}
