/*
 * risk: the risk summary of qe-report - VaR and ES per portfolio against
 * the VaR limits, the stress results, the VaR backtest and P&L
 * attribution zones, and the top contributors to component VaR - as one
 * long CSV (section,portfolio,item,value,limit,utilisation,currency,status)
 * from the files qe-var writes.
 *
 * Never prints; rows go to the caller's csv_writer.
 */
#ifndef QE_REPORT_RISK_H
#define QE_REPORT_RISK_H

#include "core/diag.h"
#include "io/csvio.h"

struct report_risk_in {
	const char *var;        /* qe-var hs|param|mc results (required) */
	const char *method;     /* rows of this method only (NULL: "hs") */
	const char *limits;     /* LIMITS: type var rows (NULL: no limit column) */
	const char *fx;         /* FX RATES for limits in another currency (NULL: none) */
	const char *stress, *backtest, *pla, *components; /* NULL: section left out */
	int top;                /* component rows: the largest |component| first */
};

/* Counts in *rows the rows written and in *breaches the VaR rows above
 * their limit (strictly: a VaR at its limit is inside). */
int report_risk(const struct report_risk_in *in, csv_writer *w, long *rows, long *breaches, qe_err *e);

#endif
