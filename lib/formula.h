/*
 * formula: qe-price's formula mode, the analyst's calculator.  Reads one
 * case per CSV row, prices it with one model and writes the same row with
 * the results appended (input fields are copied through unchanged, unknown
 * columns included):
 *   black76, bachelier  type,forward,strike,vol,rate,expiry
 *                       -> price,delta,gamma,vega,theta
 *   kirk                type,forward1,forward2,strike,vol1,vol2,corr,rate,
 *                       expiry[,ratio] -> price
 *   asian[-curran]      type,forward,strike,vol,rate,expiry,avg_start,
 *                       avg_end,fixings[,past_fixings,past_average] -> price
 *   american            type,spot,strike,vol,rate,carry,expiry -> price
 *
 * Owns nothing beyond one call; never prints.  Stops at the first bad row
 * with "file:line:col: column 'x': reason 'value'" (QE_DATA).
 */
#ifndef QE_FORMULA_H
#define QE_FORMULA_H

#include <stdio.h>

#include "csvio.h"
#include "diag.h"

/* 1 when name is a formula model. */
int formula_model_known(const char *name);

/* amer_method is an enum amer_method value (used by "american" only). */
int formula_run(const char *model, int amer_method, csv_reader *r, FILE *out, qe_err *e);

#endif
