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
int settle_margin_main(int argc, char **argv);
int settle_pay_main(int argc, char **argv);

/* The reference files of a run: each given by its option, else
 * DIR/<default name> with DIR the --data directory (default "data"). */
struct settle_paths {
	const char *data, *trades, *markets, *fixings, *history, *counterparties, *currencies,
		*terms, *calendars;
};
/* The options every command takes (codes above 255; a command numbers
 * its own from SETTLE_OPT_OWN), as struct option entries. */
enum { SETTLE_OPT_DATA = 256, SETTLE_OPT_CPTY, SETTLE_OPT_CCY, SETTLE_OPT_TERMS,
       SETTLE_OPT_CALENDARS, SETTLE_OPT_OWN = 512 };
#define SETTLE_LONGOPTS_COMMON \
	{"data", required_argument, NULL, SETTLE_OPT_DATA}, \
	{"counterparties", required_argument, NULL, SETTLE_OPT_CPTY}, \
	{"currencies", required_argument, NULL, SETTLE_OPT_CCY}, \
	{"terms", required_argument, NULL, SETTLE_OPT_TERMS}, \
	{"calendars", required_argument, NULL, SETTLE_OPT_CALENDARS}, \
	{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}
/* Handles option c when it is one of SETTLE_LONGOPTS_COMMON (-h prints
 * help and exits): 1, else 0.  The help is help then, unless status is
 * NULL (help is then the whole text), the lines of the common options
 * and status (the exit status paragraph). */
int settle_common_option(int c, const char *arg, struct settle_paths *p, const char *help,
			 const char *status);
/* The exit status paragraph of a command whose only bad outcome is bad
 * input or an I/O error. */
extern const char settle_status[];

struct flows_list;
struct net_list;
/* Reads the flows file input and nets them (cli_die on failure). */
void settle_read_net(const char *input, const settle_terms *t, struct flows_list *f,
		     struct net_list *n);

/* path, or data/name (malloc'd; freed at exit). */
const char *settle_path(const char *path, const char *data, const char *name);
/* Loads the currencies, payment terms and counterparties (cli_die on failure). */
settle_terms *settle_load_terms(const struct settle_paths *p);
/* --from/--to as a date, a usage error when not YYYY-MM-DD. */
qe_date settle_date_arg(const char *opt, const char *arg);
/* qe-settle ledger append|verify|balance|show (cmd/settle/ledger.c);
 * argv[0] is "ledger". */
int settle_ledger_main(int argc, char **argv);

#endif
