/* qe-settle ledger: the signed, hash-chained carbon-allowance ledger
 * (settle/ledger.h): append requests, verify chain, signatures and
 * checkpoint, and list balances and entries. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "io/csvio.h"
#include "io/formats.h"
#include "settle/deliveries.h"
#include "settle/ledger.h"
#include "settle/settle.h"

enum { O_KEY = 256, O_TRUSTED, O_NO_SIGS, O_CHECKPOINT, O_TIME, O_NO_FSYNC, O_ACCOUNT, O_UNIT, O_TRADES, O_MARKETS };
enum { A_APPEND = 1, A_VERIFY = 2, A_BALANCE = 4, A_SHOW = 8, A_REQUESTS = 16 };
#define A_ALL (A_APPEND | A_VERIFY | A_BALANCE | A_SHOW | A_REQUESTS)

static const struct {
	struct option opt;
	int actions;
	const char *arg, *help;
} options[] = {
	{{"key", required_argument, NULL, O_KEY}, A_APPEND, "FILE", "PEM Ed25519 private key that signs (required)"},
	{{"time", required_argument, NULL, O_TIME}, A_APPEND, "T", "entries' time YYYY-MM-DDTHH:MM:SSZ (default now)"},
	{{"no-fsync", no_argument, NULL, O_NO_FSYNC}, A_APPEND, NULL, "do not fsync the ledger (benchmarks only)"},
	{{"trusted-keys", required_argument, NULL, O_TRUSTED}, A_VERIFY | A_BALANCE | A_SHOW, "DIR",
	 "verify signatures with the PEM public keys of DIR"},
	{{"no-signatures", no_argument, NULL, O_NO_SIGS}, A_VERIFY, NULL, "check everything but the signatures"},
	{{"checkpoint", required_argument, NULL, O_CHECKPOINT}, A_APPEND | A_VERIFY, "FILE",
	 "the anchored head (default LEDGER.checkpoint)"},
	{{"account", required_argument, NULL, O_ACCOUNT}, A_BALANCE | A_SHOW | A_REQUESTS, "A",
	 "only account A (requests: our account, required)"},
	{{"trades", required_argument, NULL, O_TRADES}, A_REQUESTS, "FILE",
	 "the trades of the flows (default data/trades.csv)"},
	{{"markets", required_argument, NULL, O_MARKETS}, A_REQUESTS, "FILE",
	 "the curve master (default data/markets.csv)"},
	{{"unit", required_argument, NULL, O_UNIT}, A_BALANCE | A_SHOW, "U", "only unit U (EUA, ...)"},
	{{"output", required_argument, NULL, 'o'}, A_BALANCE | A_SHOW | A_REQUESTS, "FILE",
	 "write to FILE atomically"},
	{{"quiet", no_argument, NULL, 'q'}, A_ALL, NULL, "no informational messages"},
	{{"help", no_argument, NULL, 'h'}, A_ALL, NULL, "this help"},
	{{"version", no_argument, NULL, 'V'}, A_ALL, NULL, "version"},
};
#define NOPTS (sizeof options / sizeof options[0])

static const struct {
	const char *name, *synopsis, *summary;
	int bit;
} actions[] = {
	{"append", "LEDGER [REQUESTS|-]", "sign and append requests (kind,from_account,...), all or none", A_APPEND},
	{"verify", "LEDGER", "check chain, signatures, holdings and checkpoint (exit 1: tampered)", A_VERIFY},
	{"balance", "LEDGER", "held, surrendered and retired units per account, unit, vintage", A_BALANCE},
	{"show", "LEDGER", "the entries, without hashes and signatures", A_SHOW},
	{"requests", "LEDGER [FLOWS|-] --account A",
	 "the transfers that record the flows' EUA deliveries, serials from LEDGER", A_REQUESTS},
};

static const char usage[] =
	"usage: qe-settle ledger append|verify|balance|show|requests [OPTIONS] LEDGER\n"
	"\n"
	"The signed, hash-chained carbon-allowance ledger.\n"
	"  append LEDGER [REQUESTS|-]  sign and append requests, all or none\n"
	"  verify LEDGER               chain, signatures, holdings, checkpoint (exit 1: tampered)\n"
	"  balance LEDGER              held, surrendered, retired per account, unit, vintage\n"
	"  show LEDGER                 the entries\n"
	"  requests LEDGER [FLOWS|-]   the transfers of the flows' EUA deliveries\n"
	"\n"
	"See 'qe-settle ledger ACTION --help' and qe-settle(1).\n";

typedef struct args {
	int action;
	const char *name;
	const char *key, *trusted, *checkpoint, *time, *account, *unit, *output, *trades, *markets;
	int no_sigs, no_fsync;
	char checkpoint_buf[4096], time_buf[32];
} args;

static noreturn void usage_error(const args *a, const char *fmt, const char *arg)
{
	char sub[64];
	snprintf(sub, sizeof sub, "ledger %s", a->name);
	cli_sub_usage_error(sub, fmt, arg);
}

static noreturn void help(const args *a, int i)
{
	printf("usage: %s ledger %s [OPTIONS] %s\n\n%s.\n\n", cli_prog, a->name, actions[i].synopsis,
	       actions[i].summary);
	for (size_t k = 0; k < NOPTS; k++)
		if (options[k].actions & a->action) {
			char left[64];
			snprintf(left, sizeof left, "%s--%s%s%s", options[k].opt.val < 256 ? "-o, " : "    ",
				 options[k].opt.name, options[k].arg ? " " : "", options[k].arg ? options[k].arg : "");
			if (options[k].opt.val < 256)
				left[1] = (char)options[k].opt.val;
			printf("  %-28s %s\n", left, options[k].help);
		}
	exit(QE_OK);
}

/* Parses the action's options; returns the index of the first operand. */
static int parse(args *a, int argc, char **argv)
{
	struct option longs[NOPTS + 1];
	for (size_t k = 0; k < NOPTS; k++)
		longs[k] = options[k].opt;
	memset(&longs[NOPTS], 0, sizeof longs[NOPTS]);
	int ai = -1;
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (!strcmp(argv[0], actions[i].name))
			ai = (int)i;
	a->action = actions[ai].bit;
	a->name = actions[ai].name;
	optind = 1;
	opterr = 0;
	int c, li;
	while ((c = getopt_long(argc, argv, ":o:qhV", longs, &li)) != -1) {
		if (c == '?' || c == ':')
			usage_error(a, c == ':' ? "option '%s' needs an argument" : "unknown option '%s'",
				    argv[optind - 1]);
		size_t k = 0;
		while (k < NOPTS && options[k].opt.val != c)
			k++;
		if (!(options[k].actions & a->action))
			usage_error(a, "option '--%s' is not an option of this action", options[k].opt.name);
		switch (c) {
		case O_KEY: a->key = optarg; break;
		case O_TRUSTED: a->trusted = optarg; break;
		case O_NO_SIGS: a->no_sigs = 1; break;
		case O_CHECKPOINT: a->checkpoint = optarg; break;
		case O_TIME: a->time = optarg; break;
		case O_NO_FSYNC: a->no_fsync = 1; break;
		case O_ACCOUNT: a->account = optarg; break;
		case O_UNIT: a->unit = optarg; break;
		case O_TRADES: a->trades = optarg; break;
		case O_MARKETS: a->markets = optarg; break;
		case 'o': a->output = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': help(a, ai);
		case 'V': cli_version();
		}
	}
	return optind;
}

static ledger_keyring *load_trusted(const char *dir)
{
	ledger_keyring *ring = NULL;
	qe_err e;
	if (dir && ledger_keyring_load(dir, &ring, &e))
		cli_die_err(&e);
	return ring;
}

static int run_append(args *a, const char *ledger, const char *requests)
{
	if (!a->key)
		usage_error(a, "%s", "--key FILE is required (openssl genpkey -algorithm ed25519 -out key.pem)");
	if (!a->time) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(a->time_buf, sizeof a->time_buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
		a->time = a->time_buf;
	}
	if (!ledger_time_ok(a->time, strlen(a->time)))
		usage_error(a, "--time '%s' is not YYYY-MM-DDTHH:MM:SSZ", a->time);
	qe_err e;
	ledger_key *key;
	ledger_entry *req;
	size_t n;
	int64_t first = 0;
	if (ledger_key_load(a->key, &key, &e) || ledger_read_requests(requests, &req, &n, &e))
		cli_die_err(&e);
	ledger_append_opts o = {a->checkpoint, a->time, strcmp(requests, "-") ? requests : "<stdin>", a->no_fsync};
	int rc = n ? ledger_append(ledger, req, n, key, &o, &first, &e) : QE_OK;
	free(req);
	ledger_key_free(key);
	if (rc)
		cli_die_err(&e);
	if (n)
		cli_info("%s: appended entries %lld-%lld", ledger, (long long)first, (long long)(first + (long long)n - 1));
	else
		cli_info("%s: no requests, nothing appended", ledger);
	return QE_OK;
}

static int run_verify(args *a, const char *ledger)
{
	if (!a->trusted == !a->no_sigs)
		usage_error(a, "%s", "give --trusted-keys DIR, or --no-signatures to check the chain alone");
	qe_err e;
	ledger_checkpoint ck;
	int rc = ledger_checkpoint_read(a->checkpoint, &ck, &e);
	if (rc)
		cli_die_err(&e);
	ledger_keyring *ring = load_trusted(a->trusted);
	ledger_state *s = ledger_state_new();
	ledger_scan_opts so = {.trusted = ring, .checkpoint = &ck};
	ledger_scan_result r;
	if (!s)
		cli_die(QE_INTERNAL, "out of memory");
	rc = ledger_scan(ledger, s, &so, &r, &e);
	ledger_state_free(s);
	ledger_keyring_free(ring);
	if (rc)
		cli_die_err(&e);
	if (r.entries > ck.entries)
		cli_warnf("%s: entries %lld-%lld are not anchored by the checkpoint yet (an append stopped "
			  "before replacing it?)", ledger, (long long)ck.entries + 1, (long long)r.entries);
	cli_info("%s: %lld entries good (chain%s, holdings, checkpoint at %lld); head %s", ledger,
		 (long long)r.entries, a->no_sigs ? "" : ", signatures", (long long)ck.entries, r.head);
	return QE_OK;
}

typedef struct show_ctx {
	const args *a;
	csv_writer w;
} show_ctx;

static int show_one(void *ctx, const ledger_entry *en, const char *signer)
{
	show_ctx *c = ctx;
	if (c->a->account && strcmp(en->from, c->a->account) && strcmp(en->to, c->a->account))
		return 0;
	if (c->a->unit && strcmp(en->unit, c->a->unit))
		return 0;
	csvw_int(&c->w, en->seq);
	csvw_str(&c->w, en->time);
	csvw_str(&c->w, ledger_kind_name(en->kind));
	csvw_str(&c->w, en->from);
	csvw_str(&c->w, en->to);
	csvw_str(&c->w, en->unit);
	csvw_int(&c->w, en->vintage);
	csvw_int(&c->w, en->quantity);
	csvw_int(&c->w, en->first);
	csvw_int(&c->w, en->last);
	csvw_str(&c->w, en->reference);
	csvw_str(&c->w, signer);
	csvw_end(&c->w);
	return 0;
}

/* balance and show: the ledger read through (chain and holdings, and
 * signatures with --trusted-keys); a bad ledger is bad input here. */
static int run_listing(args *a, const char *ledger)
{
	qe_err e;
	ledger_keyring *ring = load_trusted(a->trusted);
	ledger_state *s = ledger_state_new();
	if (!s)
		cli_die(QE_INTERNAL, "out of memory");
	qe_out *out = cli_out_open(a->output);
	show_ctx c = {.a = a};
	csvw_init(&c.w, out->fp);
	csvw_header_of(&c.w, a->action == A_SHOW ? FMT_LEDGER_ENTRIES : FMT_LEDGER_BALANCE);
	ledger_scan_opts so = {.trusted = ring, .each = a->action == A_SHOW ? show_one : NULL, .ctx = &c};
	ledger_scan_result r;
	int rc = ledger_scan(ledger, s, &so, &r, &e);
	ledger_keyring_free(ring);
	if (rc == QE_NEGATIVE)
		e.code = QE_DATA;
	if (rc)
		cli_die_err(&e);
	ledger_balance *b = NULL;
	size_t n = 0;
	if (a->action == A_BALANCE && ledger_state_balances(s, &b, &n, &e))
		cli_die_err(&e);
	for (size_t i = 0; i < n; i++) {
		if ((a->account && strcmp(b[i].account, a->account)) || (a->unit && strcmp(b[i].unit, a->unit)))
			continue;
		csvw_str(&c.w, b[i].account);
		csvw_str(&c.w, b[i].unit);
		csvw_int(&c.w, b[i].vintage);
		csvw_int(&c.w, b[i].held);
		csvw_int(&c.w, b[i].surrendered);
		csvw_int(&c.w, b[i].retired);
		csvw_end(&c.w);
	}
	free(b);
	ledger_state_free(s);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	return QE_OK;
}

/* requests: the flows' EUA deliveries as LEDGER REQUESTS
 * (settle/deliveries.h). */
static int run_requests(args *a, const char *ledger, const char *flows)
{
	if (!a->account)
		usage_error(a, "%s", "--account A (our account in the ledger) is required");
	deliveries_opts o = {flows, settle_path(a->trades, "data", "trades.csv"),
			     settle_path(a->markets, "data", "markets.csv"), ledger, a->account};
	deliveries_result r;
	qe_err e;
	if (deliveries_requests(&o, &r, &e))
		cli_die_err(&e);
	csv_writer w;
	csvw_init(&w, cli_out_open(a->output)->fp);
	csvw_header_of(&w, FMT_LEDGER_REQUESTS);
	for (size_t i = 0; i < r.n; i++) {
		const ledger_entry *en = &r.req[i];
		csvw_str(&w, ledger_kind_name(en->kind));
		csvw_str(&w, en->from);
		csvw_str(&w, en->to);
		csvw_str(&w, en->unit);
		csvw_int(&w, en->vintage);
		csvw_int(&w, en->quantity);
		csvw_int(&w, en->first);
		csvw_int(&w, en->last);
		csvw_str(&w, en->reference);
		csvw_end(&w);
	}
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	cli_info("%zu EUA deliveries: %zu transfers, %zu already in %s", r.deliveries, r.n, r.recorded, ledger);
	deliveries_free(&r);
	return QE_OK;
}

int settle_ledger_main(int argc, char **argv)
{
	if (argc < 2)
		cli_usage_error("ledger: missing action (append, verify, balance, show, requests)");
	const char *act = argv[1];
	if (!strcmp(act, "--help") || !strcmp(act, "-h"))
		cli_help(usage);
	int known = 0;
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		known |= !strcmp(act, actions[i].name);
	if (!known)
		cli_usage_error("ledger: unknown action '%s' (append, verify, balance, show, requests)", act);
	args a = {0};
	int first = parse(&a, argc - 1, argv + 1);
	int nops = argc - 1 - first;
	char **ops = argv + 1 + first;
	if (nops < 1 || nops > (a.action & (A_APPEND | A_REQUESTS) ? 2 : 1))
		usage_error(&a, "%s", nops < 1 ? "missing LEDGER" : "too many operands");
	if (!a.checkpoint) {
		if ((size_t)snprintf(a.checkpoint_buf, sizeof a.checkpoint_buf, "%s.checkpoint", ops[0]) >=
		    sizeof a.checkpoint_buf)
			usage_error(&a, "%s", "LEDGER: name too long");
		a.checkpoint = a.checkpoint_buf;
	}
	switch (a.action) {
	case A_APPEND: return run_append(&a, ops[0], nops > 1 ? ops[1] : "-");
	case A_VERIFY: return run_verify(&a, ops[0]);
	case A_REQUESTS: return run_requests(&a, ops[0], nops > 1 ? ops[1] : "-");
	default: return run_listing(&a, ops[0]);
	}
}
