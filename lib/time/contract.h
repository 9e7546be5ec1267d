/*
 * contract: last trading days of the monthly futures contracts of the
 * curves in a curve master (markets.csv), for tools that trade contracts
 * rather than value them (qe-optimize hedge filters its menu with it).
 *
 * A curve's product (contract_expiry() in period.h) comes from its name:
 * NG_HH -> NG, CL_WTI -> CL, BRENT -> BRENT, HO_ULSD -> HO, RBOB -> RB,
 * EUA -> EUA (the product names themselves work too).  A curve with no
 * listed rule (TTF, power) is taken to trade until the business day before
 * its delivery month starts.  The business-day calendar is the curve's
 * `calendar` column in markets.csv, loaded with cal_load_named().
 *
 * Owns the calendars it loads (contract_master_free).  Never prints.
 */
#ifndef QE_CONTRACT_H
#define QE_CONTRACT_H

#include "core/date.h"
#include "core/diag.h"

typedef struct contract_master contract_master;

/* Reads curve and calendar from markets (qe-formats(5) MARKETS) and loads
 * each calendar named there from caldir (NULL: calendars/ in the
 * directory of markets, when it exists; else only the built-ins of
 * cal_load_named).  QE_DATA / QE_IO with e filled. */
contract_master *contract_master_load(const char *markets, const char *caldir, qe_err *e);
void contract_master_free(contract_master *m);
/* The contract_expiry() product of a curve name, or NULL (no listed rule). */
const char *contract_product(const char *curve);
/* Last trading day of curve's contract for the delivery month starting
 * month_first.  QE_DATA for a curve not in the master or a day outside the
 * calendar's coverage. */
int contract_last_trade(const contract_master *m, const char *curve, qe_date month_first, qe_date *out,
			qe_err *e);

#endif
