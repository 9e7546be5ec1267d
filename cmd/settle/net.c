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
	"  -o, --output FILE         payments (default stdout)\n"
	"      --data DIR            directory of the inputs not named (default data)\n"
	"      --counterparties FILE counterparty master (default DIR/counterparties.csv)\n"
	"      --currencies FILE     currencies (default DIR/currencies.csv)\n"
	"      --terms FILE          payment terms (default DIR/payment_terms.csv)\n"
	"      --calendars DIR       holiday files of the currencies\n"
	"  -q, --quiet               no counts on stderr\n"
	"  -h, --help                this help\n"
	"\n"
	"Exit status: 0 ok; 2 usage; 3 bad input; 4 I/O error.\n";

enum { OPT_DATA = 256, OPT_CPTY, OPT_CCY, OPT_TERMS, OPT_CALENDARS };

static const struct option longopts[] = {
	{"output", required_argument, NULL, 'o'},        {"data", required_argument, NULL, OPT_DATA},
	{"counterparties", required_argument, NULL, OPT_CPTY},
	{"currencies", required_argument, NULL, OPT_CCY}, {"terms", required_argument, NULL, OPT_TERMS},
	{"calendars", required_argument, NULL, OPT_CALENDARS},
	{"quiet", no_argument, NULL, 'q'},               {"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0}};

int settle_net_main(int argc, char **argv)
{
	struct settle_paths p = {0};
	const char *out_path = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		case OPT_DATA: p.data = optarg; break;
		case OPT_CPTY: p.counterparties = optarg; break;
		case OPT_CCY: p.currencies = optarg; break;
		case OPT_TERMS: p.terms = optarg; break;
		case OPT_CALENDARS: p.calendars = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(usage);
		default: cli_usage_error("unknown option");
		}
	}
	if (argc - optind > 1)
		cli_usage_error("too many arguments");
	const char *input = optind < argc ? argv[optind] : "-";
	settle_terms *t = settle_load_terms(&p);
	flows_list f = {0};
	net_list n = {0};
	qe_err e;
	if (flows_read(input, &f, &e) || net_compute(&f, t, &n, &e))
		cli_die_err(&e);
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
