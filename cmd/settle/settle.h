/*
 * settle: what the subcommands of qe-settle (cmd/settle/<command>.c, one
 * file per command) share: each has its own option table and --help; the
 * inputs they have in common are named the same way (common.c).
 *
 * Only cmd/qe-settle.c (the dispatcher) and cmd/settle/ use this.
 */
#ifndef QE_CMD_SETTLE_H
#define QE_CMD_SETTLE_H

#include "core/date.h"
#include "settle/terms.h"

int settle_flows_main(int argc, char **argv);
int settle_net_main(int argc, char **argv);
int settle_invoice_main(int argc, char **argv);

/* The reference files of a run: each given by its option, else
 * DIR/<default name> with DIR the --data directory (default "data"). */
struct settle_paths {
	const char *data, *trades, *markets, *fixings, *history, *counterparties, *currencies,
		*terms, *calendars;
};
/* path, or data/name (malloc'd, never freed: one per run). */
const char *settle_path(const char *path, const char *data, const char *name);
/* Loads the currencies, payment terms and counterparties (cli_die on failure). */
settle_terms *settle_load_terms(const struct settle_paths *p);
/* --from/--to as a date, a usage error when not YYYY-MM-DD. */
qe_date settle_date_arg(const char *opt, const char *arg);

#endif
