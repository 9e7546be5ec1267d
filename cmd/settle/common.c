/* What the qe-settle commands share (settle.h). */
#include <stdio.h>
#include <stdnoreturn.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "settle/net.h"
#include "settle/settle.h"

/* The paths settle_path built, freed at exit (they live as long as the
 * command). */
static char **built;
static size_t nbuilt;

static void free_built(void)
{
	for (size_t i = 0; i < nbuilt; i++)
		free(built[i]);
	free(built);
}

const char *settle_path(const char *path, const char *data, const char *name)
{
	if (path)
		return path;
	size_t n = strlen(data) + strlen(name) + 2;
	char *p = malloc(n);
	char **b = realloc(built, (nbuilt + 1) * sizeof *b);
	if (!p || !b) {
		free(p);
		cli_die(QE_INTERNAL, "out of memory");
	}
	if (!built)
		atexit(free_built);
	built = b;
	built[nbuilt++] = p;
	snprintf(p, n, "%s/%s", data, name);
	return p;
}

settle_terms *settle_load_terms(const struct settle_paths *p)
{
	qe_err e;
	const char *data = p->data ? p->data : "data";
	const char *markets = settle_path(p->markets, data, "markets.csv");
	settle_terms *t = terms_load(settle_path(p->currencies, data, "currencies.csv"),
				     settle_path(p->terms, data, "payment_terms.csv"),
				     settle_path(p->counterparties, data, "counterparties.csv"),
				     cli_calendar_dir(p->calendars, markets), &e);
	if (!t)
		cli_die_err(&e);
	return t;
}

qe_date settle_date_arg(const char *opt, const char *arg)
{
	qe_date d;
	if (date_parse_z(arg, &d))
		cli_usage_error("%s: not a date YYYY-MM-DD '%s'", opt, arg);
	return d;
}

/* The help lines of SETTLE_LONGOPTS_COMMON, in one place for every
 * command that takes no other reference file. */
static const char common_help[] =
	"      --data DIR            directory of the inputs not named (default data)\n"
	"      --counterparties FILE counterparty master (default DIR/counterparties.csv)\n"
	"      --currencies FILE     currencies (default DIR/currencies.csv)\n"
	"      --terms FILE          payment terms (default DIR/payment_terms.csv)\n"
	"      --calendars DIR       holiday files of the currencies\n"
	"  -q, --quiet               no counts on stderr\n"
	"  -h, --help                this help\n"
	"\n";

const char settle_status[] = "Exit status: 0 ok; 2 usage; 3 bad input; 4 I/O error.\n";

static noreturn void settle_help(const char *help, const char *status)
{
	if (!status)
		cli_help(help);
	fputs(help, stdout);
	fputs(common_help, stdout);
	cli_help(status);
}

int settle_common_option(int c, const char *arg, struct settle_paths *p, const char *help,
			 const char *status)
{
	switch (c) {
	case SETTLE_OPT_DATA: p->data = arg; return 1;
	case SETTLE_OPT_CPTY: p->counterparties = arg; return 1;
	case SETTLE_OPT_CCY: p->currencies = arg; return 1;
	case SETTLE_OPT_TERMS: p->terms = arg; return 1;
	case SETTLE_OPT_CALENDARS: p->calendars = arg; return 1;
	case 'q': cli_quiet = 1; return 1;
	case 'h': settle_help(help, status);
	default: return 0;
	}
}

void settle_read_net(const char *input, const settle_terms *t, struct flows_list *f,
		     struct net_list *n)
{
	qe_err e;
	if (flows_read(input, f, &e) || net_compute(f, t, n, &e))
		cli_die_err(&e);
}
