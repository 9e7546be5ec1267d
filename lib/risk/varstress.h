/*
 * varstress: stress scenarios for a book of sensitivities - user shock
 * files and historical windows - as price changes per risk factor, and
 * their P&L through varcalc's var_pnl.
 *
 * Shock file (qe-formats(5), STRESS SHOCKS): scenario,curve,tenor,shock,type.
 * curve "*" means every curve (a parallel shift), an empty tenor every
 * tenor; type "rel" moves the price by shock x price (0.1 = +10%), "abs"
 * by shock in price units.  For each factor the most specific row of a
 * scenario applies: curve and tenor, then curve, then tenor, then "*".
 * A row whose curve is "VOL:CURVE" shocks the vol factors VOL:CURVE:TENOR
 * (volhist.h) by an absolute vol change (type abs; rel is QE_DATA); "*"
 * never reaches a vol factor.  rows (STRESS_ALL, STRESS_PRICES,
 * STRESS_VOLS) tells which rows a read applies and counts as unmatched:
 * a set read twice, for prices and for vols, counts each row once.
 * Window file (STRESS WINDOWS): name,start,end: the change of every factor
 * between the last prices on or before start and end (log or absolute, as
 * for scenarios), applied to today's prices.
 *
 * Owns its scenario arrays (stress_free).  Never prints.
 */
#ifndef QE_VARSTRESS_H
#define QE_VARSTRESS_H

#include <stddef.h>

#include "core/diag.h"
#include "risk/riskhist.h"
#include "core/strindex.h"

typedef struct stress_set {
	strindex *names; /* scenario names in order */
	size_t ns, nf;
	double *dF;      /* dF[s * nf + f], price changes */
	int rows;         /* STRESS_ALL (default), STRESS_PRICES or STRESS_VOLS */
	size_t unmatched; /* shock rows that matched no factor of the history */
	char first_unmatched[256];
} stress_set;

enum { STRESS_ALL = 0, STRESS_PRICES, STRESS_VOLS };
int stress_init(stress_set *st, size_t nf, qe_err *e);
void stress_free(stress_set *st);
int stress_read_shocks(stress_set *st, const risk_history *h, const char *path, qe_err *e);
int stress_read_windows(stress_set *st, const risk_history *h, const char *path, qe_err *e);
/* Adds the worst `horizon`-day historical window of the P&L series pnl
 * (one value per scenario of s, the horizon-day returns) as a scenario
 * named "worst-<h>d-<end date>". */
int stress_add_worst(stress_set *st, const risk_history *h, const risk_scenarios *s, const double *pnl,
		     int horizon, qe_err *e);

#endif
