/*
 * params: the thresholds of the abuse and quality rules of qe-screen
 * check, read from a SCREEN THRESHOLDS file (qe-formats(5):
 * rule_set,rule,parameter,value), so no threshold lives in the code.
 *
 * Owns the table read (rtable); params_free() releases it.  Never prints.
 */
#ifndef QE_PARAMS_H
#define QE_PARAMS_H

#include "core/diag.h"
#include "screen/rtable.h"

typedef struct screen_params {
	rtable t;
} screen_params;

/* Reads path; NULL path is QE_USAGE naming what (the rule set asking). */
int params_read(const char *path, const char *what, screen_params *p, qe_err *e);
void params_free(screen_params *p);
/* The value of (rule_set, rule, parameter): finite and >= 0, or QE_DATA
 * naming the file and the missing row or the bad cell. */
int params_get(const screen_params *p, const char *set, const char *rule, const char *param, double *out,
	       qe_err *e);

#endif
