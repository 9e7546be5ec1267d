/* qe-settle net: the payments of a flows file, netted per counterparty,
 * currency and value date where the counterparty nets (lib/settle/net.h). */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "settle/net.h"
#include "settle/settle.h"

static const char usage[] =
	"usage: qe-settle net [FLOWS|-] [-o FILE] [--data DIR] [--counterparties FILE]\n"
	"                     [--currencies FILE] [--terms FILE] [--calendars DIR]\n"
	"\n"
	"Nets the flows of qe-settle flows per counterparty x currency x value date when\n"
	"the counterparty master's netting column says yes, gross otherwise:\n"
	"counterparty,currency,value_date,basis,flows,direction,amount_minor,trade_id.\n"
	"\n"
	"  -o, --output FILE         payments (default stdout)\n";

static const struct option longopts[] = {
	{"output", required_argument, NULL, 'o'}, SETTLE_LONGOPTS_COMMON, {NULL, 0, NULL, 0}};

int settle_net_main(int argc, char **argv)
{
	struct settle_paths p = {0};
	const char *out_path = NULL;
	int c;
	while ((c = cli_getopt(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		default:
			if (!settle_common_option(c, optarg, &p, usage, settle_status))
				cli_usage_error("unknown option");
		}
	}
	if (argc - optind > 1)
		cli_usage_error("too many arguments");
	const char *input = optind < argc ? argv[optind] : "-";
	settle_terms *t = settle_load_terms(&p);
	flows_list f = {0};
	net_list n = {0};
	qe_err e;
	settle_read_net(input, t, &f, &n);
	qe_out *out = cli_out_open(out_path);
	net_write(out->fp, &n);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	cli_info("%zu flows, %zu payments", f.n, n.n);
	net_free(&n);
	flows_free(&f);
	terms_free(t);
	return QE_OK;
}
