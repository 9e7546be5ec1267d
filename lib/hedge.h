#ifndef QE_HEDGE_H
#define QE_HEDGE_H
typedef struct hedge_args { const char *ladder, *cov, *hedges, *asof, *book; double confidence; } hedge_args;
typedef struct portfolio_args { const char *assets, *cov; double budget, risk_aversion; int has_budget, cardinality; } portfolio_args;
typedef struct report_row { int dummy; } report_row;
#endif
