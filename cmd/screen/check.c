/* qe-screen check: runs the rule sets named by --rules over the book's
 * files and writes the findings (qe-formats(5) BREACHES); exit 1 when one
 * reaches --fail-on (default breach).  Also the shared parsing of
 * qe-screen whatif (screen_run), which adds --new and --var-whatif and
 * runs limits and regulatory on the book plus the new trades. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/date.h"
#include "screen.h"
#include "screen/breach.h"
#include "screen/live.h"
#include "screen/rules.h"

static const char usage[] =
	"usage: qe-screen check --rules LIST --asof DATE [OPTIONS]\n"
	"\n"
	"Runs the rule sets of LIST (comma-separated: limits, sharia, regulatory,\n"
	"quality, abuse) and writes asof,rule_set,rule,severity,entity_type,entity_id,value,\n"
	"limit,utilisation,message; a summary on stderr.  Exit 1 when a row reaches\n"
	"--fail-on, 3 for unreadable inputs.\n"
	"\n"
	"  -r, --rules LIST          rule sets to run (required)\n"
	"  -d, --asof DATE           as-of date of the rows (required)\n"
	"  -o, --output FILE         write here (atomic) instead of stdout\n"
	"      --fail-on SEVERITY    info, warning or breach (default breach)\n"
	"  -c, --counterparties FILE counterparty master (credit, sharia, regulatory, quality)\n"
	"  -l, --limits FILE         limits (limits)\n"
	"  -t, --trades FILE         trades (credit, Islamic books, quality)\n"
	"      --valuations FILE     qe-price valuations (credit exposure)\n"
	"      --var FILE            qe-var VaR results (VaR limits)\n"
	"      --ladder FILE         qe-price ladder (position limits)\n"
	"      --sensitivities FILE  qe-price sensitivities: options count by their delta in\n"
	"                            the spot-month limits and levels (regulatory)\n"
	"  -m, --markets FILE        curve master (quality)\n"
	"      --fx FILE             FX rates, units of a base per unit (limits in other currencies)\n"
	"      --profiles FILE       Shariah screening profiles (sharia)\n"
	"      --profile NAME        profile to apply (default AAOIFI)\n"
	"      --instruments FILE    Shariah instrument rules (Islamic books)\n"
	"      --islamic-books LIST  books screened for instrument permissibility\n"
	"      --spot-limits FILE    spot-month position limits (regulatory; needs -t, -m)\n"
	"      --levels FILE         accountability, reportable and EU position levels (regulatory)\n"
	"      --reporting-lei LEI   our LEI: check the reporting fields of every trade (regulatory)\n"
	"      --mandates FILE       trader mandates (limits; needs -t, -m)\n"
	"      --flows FILE          qe-settle flows: unsettled amounts in credit exposure (limits)\n"
	"      --currencies FILE     minor units of the flows' currencies (with --flows)\n"
	"      --history FILE        settlement price history (abuse price range, quality)\n"
	"      --fixings FILE        fixings (quality: fixed swap and Asian days)\n"
	"      --thresholds FILE     abuse and quality thresholds\n"
	"      --wash-window SECONDS offsetting trades closer than this are washes\n"
	"                            (default: the thresholds file's, 300 in the bundled one)\n"
	"      --islamic-terms FILE  contract terms of Islamic trades (sharia)\n"
	"      --calendars DIR       holiday files (default: beside --markets, $QE_CALENDAR_DIR)\n"
	"  -q, --quiet               no summary on stderr\n"
	"  -h, --help                this help\n";

enum {
	OPT_FAIL_ON = 256, OPT_VALUATIONS, OPT_VAR, OPT_LADDER, OPT_FX, OPT_PROFILES, OPT_PROFILE,
	OPT_INSTRUMENTS, OPT_ISLAMIC, OPT_SPOT, OPT_CALENDARS, OPT_LEVELS, OPT_REPORTING_LEI, OPT_MANDATES,
	OPT_FLOWS, OPT_CURRENCIES, OPT_NEW, OPT_VAR_WHATIF, OPT_HISTORY, OPT_FIXINGS, OPT_THRESHOLDS, OPT_WASH,
	OPT_TERMS, OPT_SENS
};

static const char whatif_usage[] =
	"usage: qe-screen whatif --new FILE --asof DATE -t FILE [OPTIONS]\n"
	"\n"
	"The pre-deal check: runs the rule sets limits and regulatory (or those of\n"
	"--rules) on the live trades of -t plus the trades of --new, and writes the\n"
	"findings as check does.  Exit 0 when the new trades fit, 1 when the book\n"
	"with them would breach (a row at or above --fail-on), 3 for bad inputs.\n"
	"\n"
	"      --new FILE            the new trades (trades format; a new version of a book\n"
	"                            trade replaces it)\n"
	"      --var-whatif FILE     qe-var whatif's output: var_after against the VaR limits\n"
	"  -r, --rules LIST          limits, regulatory or both (default both)\n"
	"  and every input option of 'qe-screen check' (see its --help)\n";

static const struct {
	const char *name;
	int (*run)(const rules_inputs *in, breach_list *l, qe_err *e);
} rule_sets[] = {
	{"limits", rules_limits},
	{"sharia", rules_sharia},
	{"regulatory", rules_regulatory},
	{"quality", rules_quality},
	{"abuse", rules_abuse},
};
#define NSETS (sizeof rule_sets / sizeof rule_sets[0])

/* Splits a comma-separated list in place into at most max items. */
static int split_list(const char *opt, char *s, const char **out, int max)
{
	int n = 0;
	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		if (n == max)
			cli_usage_error("%s: more than %d items", opt, max);
		out[n++] = tok;
	}
	if (n == 0)
		cli_usage_error("%s: empty list", opt);
	return n;
}

int screen_run(int argc, char **argv, int whatif)
{
	static const struct option opts[] = {
		{"rules", required_argument, NULL, 'r'},
		{"asof", required_argument, NULL, 'd'},
		{"output", required_argument, NULL, 'o'},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"counterparties", required_argument, NULL, 'c'},
		{"limits", required_argument, NULL, 'l'},
		{"trades", required_argument, NULL, 't'},
		{"valuations", required_argument, NULL, OPT_VALUATIONS},
		{"var", required_argument, NULL, OPT_VAR},
		{"ladder", required_argument, NULL, OPT_LADDER},
		{"markets", required_argument, NULL, 'm'},
		{"fx", required_argument, NULL, OPT_FX},
		{"profiles", required_argument, NULL, OPT_PROFILES},
		{"profile", required_argument, NULL, OPT_PROFILE},
		{"instruments", required_argument, NULL, OPT_INSTRUMENTS},
		{"islamic-books", required_argument, NULL, OPT_ISLAMIC},
		{"spot-limits", required_argument, NULL, OPT_SPOT},
		{"calendars", required_argument, NULL, OPT_CALENDARS},
		{"levels", required_argument, NULL, OPT_LEVELS},
		{"reporting-lei", required_argument, NULL, OPT_REPORTING_LEI},
		{"mandates", required_argument, NULL, OPT_MANDATES},
		{"flows", required_argument, NULL, OPT_FLOWS},
		{"currencies", required_argument, NULL, OPT_CURRENCIES},
		{"new", required_argument, NULL, OPT_NEW},
		{"var-whatif", required_argument, NULL, OPT_VAR_WHATIF},
		{"history", required_argument, NULL, OPT_HISTORY},
		{"fixings", required_argument, NULL, OPT_FIXINGS},
		{"thresholds", required_argument, NULL, OPT_THRESHOLDS},
		{"wash-window", required_argument, NULL, OPT_WASH},
		{"islamic-terms", required_argument, NULL, OPT_TERMS},
		{"sensitivities", required_argument, NULL, OPT_SENS},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	rules_inputs in = {.wash_window = NAN};
	const char *output = NULL, *rules[NSETS], *books[64];
	char *rules_arg = NULL, *books_arg = NULL;
	const char *calendars = NULL;
	int nrules = 0, fail_on = BREACH_BREACH, have_asof = 0, c;
	while ((c = cli_getopt(argc, argv, "r:d:o:c:l:t:m:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': rules_arg = optarg; break;
		case 'd':
			if (date_parse_z(optarg, &in.asof))
				cli_usage_error("--asof: not a date YYYY-MM-DD '%s'", optarg);
			have_asof = 1;
			break;
		case 'o': output = optarg; break;
		case OPT_FAIL_ON:
			if ((fail_on = breach_severity_parse(optarg)) < 0)
				cli_usage_error("--fail-on: info, warning or breach, not '%s'", optarg);
			break;
		case 'c': in.counterparties = optarg; break;
		case 'l': in.limits = optarg; break;
		case 't': in.trades = optarg; break;
		case OPT_VALUATIONS: in.valuations = optarg; break;
		case OPT_VAR:
			if (whatif)
				cli_usage_error("--var: whatif reads qe-var whatif's output, --var-whatif");
			in.var = optarg;
			break;
		case OPT_LADDER: in.ladder = optarg; break;
		case 'm': in.markets = optarg; break;
		case OPT_FX: in.fx = optarg; break;
		case OPT_PROFILES: in.profiles = optarg; break;
		case OPT_PROFILE: in.profile = optarg; break;
		case OPT_INSTRUMENTS: in.instruments = optarg; break;
		case OPT_ISLAMIC: books_arg = optarg; break;
		case OPT_SPOT: in.spot_limits = optarg; break;
		case OPT_CALENDARS: calendars = optarg; break;
		case OPT_LEVELS: in.levels = optarg; break;
		case OPT_REPORTING_LEI: in.reporting_lei = optarg; break;
		case OPT_MANDATES: in.mandates = optarg; break;
		case OPT_FLOWS: in.flows = optarg; break;
		case OPT_CURRENCIES: in.currencies = optarg; break;
		case OPT_NEW:
		case OPT_VAR_WHATIF:
			if (!whatif)
				cli_usage_error("--%s is an option of 'qe-screen whatif'", c == OPT_NEW ? "new" : "var-whatif");
			if (c == OPT_NEW)
				in.new_trades = optarg;
			else
				in.var = optarg, in.var_is_whatif = 1;
			break;
		case OPT_HISTORY: in.history = optarg; break;
		case OPT_FIXINGS: in.fixings = optarg; break;
		case OPT_THRESHOLDS: in.thresholds = optarg; break;
		case OPT_WASH: in.wash_window = cli_double("--wash-window", optarg);
			if (!(in.wash_window >= 0))
				cli_usage_error("--wash-window: seconds >= 0, not '%s'", optarg);
			break;
		case OPT_TERMS: in.islamic_terms = optarg; break;
		case OPT_SENS: in.sensitivities = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': cli_help(whatif ? whatif_usage : usage);
		default: cli_usage_error("see 'qe-screen check --help'");
		}
	}
	if (optind < argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (whatif && !in.new_trades)
		cli_usage_error("--new is required");
	if (whatif && !in.trades)
		cli_usage_error("-t/--trades (the book) is required");
	static char both[] = "limits,regulatory";
	if (!rules_arg && whatif)
		rules_arg = both;
	if (!rules_arg)
		cli_usage_error("--rules is required");
	if (!have_asof)
		cli_usage_error("--asof is required");
	nrules = split_list("--rules", rules_arg, rules, (int)NSETS);
	if (books_arg)
		in.nislamic = split_list("--islamic-books", books_arg, books, 64);
	in.islamic_books = books;
	if (in.spot_limits || in.levels || in.fixings || in.history)
		in.calendars = cli_calendar_dir(calendars, in.markets);
	int run[NSETS] = {0};
	for (int i = 0; i < nrules; i++) {
		size_t k = 0;
		while (k < NSETS && strcmp(rules[i], rule_sets[k].name) != 0)
			k++;
		if (k == NSETS)
			cli_usage_error("--rules: unknown rule set '%s' (limits, sharia, regulatory, quality, abuse)", rules[i]);
		if (whatif && strcmp(rules[i], "limits") != 0 && strcmp(rules[i], "regulatory") != 0)
			cli_usage_error("--rules: whatif runs limits and regulatory, not '%s'", rules[i]);
		run[k] = 1;
	}
	int positions = 0;
	for (size_t k = 0; k < NSETS; k++)
		positions |= run[k] && rule_sets[k].run == rules_regulatory && (in.spot_limits || in.levels);
	if (positions && !in.sensitivities)
		cli_info("note: no --sensitivities: options count by their quantity in the position rules, "
			 "not by their delta");
	breach_list l;
	breach_list_init(&l, in.asof);
	qe_err e;
	size_t before[NSETS];
	live_set live = {0}; /* the trades are read once for every rule set */
	in.live = &live;
	for (size_t k = 0; k < NSETS; k++) {
		before[k] = l.n;
		if (!run[k])
			continue;
		qe_err_clear(&e);
		if (rule_sets[k].run(&in, &l, &e)) {
			breach_list_free(&l);
			live_free(&live);
			if (e.code == QE_USAGE)
				cli_usage_error("%s", e.msg);
			cli_die_err(&e);
		}
	}
	live_free(&live);
	qe_out *o = cli_out_open(output);
	csv_writer w;
	csvw_init(&w, o->fp);
	breach_write(&l, &w);
	if (cli_outputs_commit(&e))
		cli_die_err(&e);
	for (size_t k = 0; k < NSETS; k++)
		if (run[k])
			cli_info("%s: %zu rows", rule_sets[k].name, (k + 1 < NSETS ? before[k + 1] : l.n) - before[k]);
	size_t failing = breach_at_least(&l, fail_on);
	cli_info("%zu breach, %zu warning, %zu info; %zu at or above %s", l.count[BREACH_BREACH],
		 l.count[BREACH_WARNING], l.count[BREACH_INFO], failing, breach_severity_name(fail_on));
	breach_list_free(&l);
	return failing ? QE_NEGATIVE : QE_OK;
}

int cmd_screen_check(int argc, char **argv)
{
	return screen_run(argc, argv, 0);
}
