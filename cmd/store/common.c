/* The pieces the commands of qe-store share. */
#include <string.h>

#include "cli.h"
#include "core/date.h"
#include "store/ddl.h"
#include "store/store.h"

const formats_table *store_cmd_kind(const char *sub, const char *name)
{
	const formats_table *t = store_find_kind(name);
	if (!t)
		cli_sub_usage_error(sub, "unknown KIND '%s' (a file kind of qe-formats(5): trades, valuations, ...)",
				    name);
	return t;
}

store_conn *store_cmd_connect(const char *conninfo)
{
	qe_err e;
	store_conn *c = store_connect(conninfo, &e);
	if (!c)
		cli_die_err(&e);
	return c;
}

const char *store_cmd_date(const char *sub, const char *arg)
{
	qe_date d;
	if (strlen(arg) != 10 || date_parse(arg, 10, &d) != 0)
		cli_sub_usage_error(sub, "--asof: invalid date '%s' (expected YYYY-MM-DD)", arg);
	return arg;
}
