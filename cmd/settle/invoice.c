/* qe-settle invoice: one invoice per counterparty and period, as CSV rows
 * and self-contained HTML pages (lib/settle/invoice.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "settle/invoice.h"
#include "settle/settle.h"

static const char usage[] =
	"usage: qe-settle invoice --from DATE --to DATE [FLOWS|-] [-o FILE] [--html DIR]\n"
	"                         [--data DIR] [--counterparties FILE] [--currencies FILE]\n"
	"                         [--terms FILE] [--calendars DIR]\n"
	"\n"
	"One invoice per counterparty for the flows (qe-settle flows) whose value date\n"
	"lies in [--from, --to]: its lines, its payments (netted as qe-settle net nets\n"
	"them) and a total per currency, as CSV rows (invoice_id,counterparty,row,\n"
	"trade_id,kind,value_date,currency,direction,amount_minor,amount) and, with\n"
	"--html, a printable page DIR/INV-YYYYMMDD-COUNTERPARTY.html per invoice.\n"
	"\n"
	"      --from DATE           first value date of the period\n"
	"      --to DATE             last value date of the period\n"
	"  -o, --output FILE         invoice rows (default stdout)\n"
	"      --html DIR            also write the HTML invoices into DIR (which must exist)\n";

enum { OPT_FROM = SETTLE_OPT_OWN, OPT_TO, OPT_HTML };

static const struct option longopts[] = {
	{"from", required_argument, NULL, OPT_FROM}, {"to", required_argument, NULL, OPT_TO},
	{"output", required_argument, NULL, 'o'},    {"html", required_argument, NULL, OPT_HTML},
	SETTLE_LONGOPTS_COMMON,                      {NULL, 0, NULL, 0}};

int settle_invoice_main(int argc, char **argv)
{
	struct settle_paths p = {0};
	const char *out_path = NULL, *html = NULL, *from_s = NULL, *to_s = NULL;
	int c;
	while ((c = cli_getopt(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FROM: from_s = optarg; break;
		case OPT_TO: to_s = optarg; break;
		case 'o': out_path = optarg; break;
		case OPT_HTML: html = optarg; break;
		default:
			if (!settle_common_option(c, optarg, &p, usage, settle_status))
				cli_usage_error("unknown option");
		}
	}
	if (argc - optind > 1)
		cli_usage_error("too many arguments");
	if (!from_s || !to_s)
		cli_usage_error("--from and --to are required");
	qe_date from = settle_date_arg("--from", from_s), to = settle_date_arg("--to", to_s);
	if (to < from)
		cli_usage_error("--to is before --from");
	const char *input = optind < argc ? argv[optind] : "-";
	settle_terms *t = settle_load_terms(&p);
	flows_list f = {0};
	net_list n = {0};
	qe_err e;
	settle_read_net(input, t, &f, &n);
	qe_out *out = cli_out_open(out_path);
	invoice_csv_header(out->fp);
	size_t count = 0;
	const char *last = NULL;
	for (size_t i = 0; i < n.n; i++) {
		const char *cp = n.v[i].cpty;
		/* payments are sorted by counterparty: one invoice at its first */
		if (n.v[i].value < from || n.v[i].value > to || (last && strcmp(last, cp) == 0))
			continue;
		last = cp;
		count++;
		invoice_csv(out->fp, cp, from, to, &f, &n, t);
		if (html) {
			char id[160], path[4200];
			invoice_id(id, sizeof id, cp, from);
			snprintf(path, sizeof path, "%s/%s.html", html, id);
			strbuf page = {0};
			invoice_html(&page, cp, from, to, &f, &n, t);
			if (page.oom)
				cli_die(QE_INTERNAL, "out of memory");
			qe_out *h = cli_out_open(path);
			fwrite(page.p, 1, page.len, h->fp);
			strbuf_free(&page);
		}
	}
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	cli_info("%zu invoices", count);
	net_free(&n);
	flows_free(&f);
	terms_free(t);
	return QE_OK;
}
