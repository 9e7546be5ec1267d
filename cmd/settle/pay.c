/* qe-settle pay: the ISO 20022 pain.001.001.09 credit transfer of the
 * payments we owe, from qe-settle net's payments (lib/settle/pay.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "settle/pay.h"
#include "settle/settle.h"

static const char usage[] =
	"usage: qe-settle pay [PAYMENTS|-] [-o FILE] [--rejects FILE] [--run-id ID]\n"
	"                     [--asof DATE] [--invoice-from DATE] [--accounts FILE]\n"
	"                     [--data DIR] [--counterparties FILE] [--currencies FILE]\n"
	"                     [--terms FILE] [--calendars DIR]\n"
	"\n"
	"The payments we owe of a qe-settle net file (direction pay, amount above zero)\n"
	"as an ISO 20022 pain.001.001.09 customer credit transfer: one payment\n"
	"information block per debtor account (our account in the currency) and value\n"
	"date, one credit transfer per payment to the counterparty's IBAN and BIC.\n"
	"IBAN check digits and BIC shapes are checked first; a counterparty whose bank\n"
	"details fail has its payments held back (rejects, exit 3) and the file carries\n"
	"every other payment. The message id is the run id and the creation time the\n"
	"as-of date, so a rerun writes the same bytes.\n"
	"\n"
	"  -o, --output FILE         the pain.001 XML (default stdout)\n"
	"      --rejects FILE        payments held back, with the reason and its file:line\n"
	"      --run-id ID           the run (default $QE_RUN_ID, else eod-<asof>)\n"
	"      --asof DATE           the run's date (default: the date in the run id)\n"
	"      --invoice-from DATE   start of the invoice period the remittance names\n"
	"                            (default: the first day of the value date's month)\n"
	"      --accounts FILE       our debtor accounts (default DIR/accounts.csv)\n";
static const char status[] =
	"Exit status: 0 ok; 2 usage; 3 bad input, or payments held back; 4 I/O error.\n";

enum { OPT_REJECTS = SETTLE_OPT_OWN, OPT_RUN_ID, OPT_ASOF, OPT_INVOICE_FROM, OPT_ACCOUNTS };

static const struct option longopts[] = {
	{"output", required_argument, NULL, 'o'},
	{"rejects", required_argument, NULL, OPT_REJECTS},
	{"run-id", required_argument, NULL, OPT_RUN_ID},
	{"asof", required_argument, NULL, OPT_ASOF},
	{"invoice-from", required_argument, NULL, OPT_INVOICE_FROM},
	{"accounts", required_argument, NULL, OPT_ACCOUNTS},
	SETTLE_LONGOPTS_COMMON,
	{NULL, 0, NULL, 0}};

/* The first YYYY-MM-DD date inside s, or 0. */
static qe_date date_in(const char *s)
{
	for (size_t n = strlen(s), i = 0; i + 10 <= n; i++) {
		char d[11];
		qe_date x;
		memcpy(d, s + i, 10);
		d[10] = '\0';
		if (!date_parse_z(d, &x))
			return x;
	}
	return 0;
}

/* A run id names one payment file: when path already holds this run's
 * message with other bytes, writing it again would send two different
 * messages under one id. */
static void check_rerun(const char *path, const char *run_id, const strbuf *xml)
{
	struct stat st;
	/* only a regular file holds a message (a device may read forever) */
	if (!path || !strcmp(path, "-") || stat(path, &st) || !S_ISREG(st.st_mode))
		return;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return;
	char tag[64];
	snprintf(tag, sizeof tag, "<MsgId>%s</MsgId>", run_id);
	strbuf old = {0};
	char buf[65536];
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
		strbuf_put(&old, buf, got);
	fclose(fp);
	int same = old.len == xml->len && (!old.len || !memcmp(old.p, xml->p, old.len));
	strbuf_put(&old, "", 1);
	int ours = !old.oom && strstr(old.p, tag) != NULL;
	strbuf_free(&old);
	if (ours && !same)
		cli_die(QE_DATA, "%s: holds run %s with other payments; a run id names one payment "
				 "file (give a new --run-id)", path, run_id);
}

int settle_pay_main(int argc, char **argv)
{
	struct settle_paths p = {0};
	const char *out_path = NULL, *rej_path = NULL, *run_id = getenv("QE_RUN_ID"), *accounts = NULL;
	qe_date asof = 0, inv_from = 0;
	int c;
	while ((c = cli_getopt(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		case OPT_REJECTS: rej_path = optarg; break;
		case OPT_RUN_ID: run_id = optarg; break;
		case OPT_ASOF: asof = settle_date_arg("--asof", optarg); break;
		case OPT_INVOICE_FROM: inv_from = settle_date_arg("--invoice-from", optarg); break;
		case OPT_ACCOUNTS: accounts = optarg; break;
		default:
			if (!settle_common_option(c, optarg, &p, usage, status))
				cli_usage_error("unknown option");
		}
	}
	if (argc - optind > 1)
		cli_usage_error("too many arguments");
	if (run_id && !*run_id)
		run_id = NULL;
	if (!asof && !(run_id && (asof = date_in(run_id))))
		cli_usage_error("--asof is required when the run id names no date");
	char def_id[32];
	if (!run_id) {
		char d[16];
		date_format(d, asof);
		snprintf(def_id, sizeof def_id, "eod-%s", d);
		run_id = def_id;
	}
	qe_err e;
	if (pay_run_id_check(run_id, &e))
		cli_usage_error("%s", e.msg);
	const char *input = optind < argc ? argv[optind] : "-";
	const char *data = p.data ? p.data : "data";
	settle_terms *t = settle_load_terms(&p);
	net_list n;
	pay_result r;
	pay_run run = {run_id, asof, inv_from};
	if (net_read(input, &n, &e) ||
	    pay_build(&n, settle_path(p.counterparties, data, "counterparties.csv"),
		      settle_path(accounts, data, "accounts.csv"), t, &run, &r, &e))
		cli_die_err(&e);
	check_rerun(out_path, run_id, &r.xml);
	qe_out *out = cli_out_open(out_path);
	fwrite(r.xml.p, 1, r.xml.len, out->fp);
	if (rej_path)
		pay_rejects_write(cli_out_open(rej_path)->fp, &r);
	for (size_t i = 0; i < r.nrej; i++) {
		const pay_reject *x = &r.rej[i];
		char d[16];
		date_format(d, x->p->value);
		cli_errorf("%s: %s: payment to %s of %lld %s minor units on %s held back", x->source,
			   x->reason, x->p->cpty, (long long)x->p->minor, x->p->ccy, d);
	}
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	cli_info("%ld credit transfers in %ld blocks, control sum %s; %zu held back", r.ntx,
		 r.nblocks, r.ctrlsum, r.nrej);
	int rc = r.nrej ? QE_DATA : QE_OK;
	pay_result_free(&r);
	net_free(&n);
	terms_free(t);
	return rc;
}
