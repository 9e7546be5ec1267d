/* The option parser of qe-var's commands: getopt_long over the command's
 * own table, the options several commands share, --help generated from
 * the table, and the loading of a history and a book. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/date.h"
#include "risk/covest.h"
#include "risk/riskfactor.h"
#include "risk/varmeas.h"
#include "var.h"

#define MAX_OPTIONS 48

/* getopt_long's tables, built from the command's table on the first call */
static struct option long_opts[MAX_OPTIONS + 1];
static char short_opts[3 * MAX_OPTIONS + 2];

void var_args_init(var_args *a, const var_command *cmd, int argc, char **argv)
{
	memset(a, 0, sizeof *a);
	a->cmd = cmd;
	a->argc = argc;
	a->argv = argv;
	a->sp.alpha[0] = 0.99;
	a->sp.nalpha = 1;
	a->sp.qdef = VAR_Q_KTH;
	a->sp.window = 250;
	a->sp.cov_method = COV_SAMPLE;
	a->sp.cov_lambda = 0.94;
	a->sp.paths = 100000;
	a->sp.seed = 1;
	a->by = "book";
	a->horizon = 1;
	a->spread_corr = 0.8;
	size_t n = 0, k = 0;
	short_opts[k++] = ':'; /* a missing argument returns ':', not '?' */
	for (const var_option *o = cmd->options; o->name; o++) {
		if (n == MAX_OPTIONS)
			cli_die(QE_INTERNAL, "%s: too many options", cmd->name);
		long_opts[n++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->id};
		if (o->id < 256) {
			short_opts[k++] = (char)o->id;
			if (o->arg)
				short_opts[k++] = ':';
		}
	}
	long_opts[n] = (struct option){NULL, 0, NULL, 0};
	short_opts[k] = '\0';
	optind = 1;
	opterr = 0; /* one diagnostic line, prefixed with the program and command */
}

void var_usage_error(const var_args *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_vusage(a->cmd->name, fmt, ap);
}

/* --help: the usage line, the summary and the option table. */
static noreturn void help(const var_command *cmd)
{
	enum { COLUMN = 24 };
	printf("usage: %s %s %s\n\n%s\n\n", cli_prog, cmd->name, cmd->synopsis, cmd->summary);
	for (const var_option *o = cmd->options; o->name; o++) {
		int w = o->id < 256 ? printf("  -%c, --%s", o->id, o->name) : printf("      --%s", o->name);
		if (o->arg)
			w += printf(" %s", o->arg);
		printf("%*s", w < COLUMN - 2 ? COLUMN - w : 2, "");
		for (const char *p = o->help; *p; p++) {
			putchar(*p);
			if (*p == '\n')
				printf("%*s", COLUMN, "");
		}
		putchar('\n');
	}
	printf("\nSee qe-var(1).\n");
	exit(QE_OK);
}

/* The option as typed: a long option must be spelled in full, so that an
 * abbreviation never reaches an option of this command when the user
 * meant one of another (stress --window is not --windows). */
static void check_spelling(const var_args *a, int idx, const char *optarg_)
{
	const char *name = long_opts[idx].name;
	/* the option is the last element consumed, or the one before its
	 * separate argument */
	const char *typed = a->argv[optind - 1];
	if (optarg_ && typed == optarg_ && optind >= 2)
		typed = a->argv[optind - 2];
	if (strncmp(typed, "--", 2) != 0)
		return;
	size_t len = strcspn(typed + 2, "=");
	if (len != strlen(name) || strncmp(typed + 2, name, len) != 0)
		var_usage_error(a, "unknown option '%.*s' (did you mean '--%s'?)", (int)(len + 2), typed, name);
}

static noreturn void bad_option(const var_args *a, int c)
{
	/* a missing argument is the last element; an unknown long option is
	 * the element just consumed (optopt 0, or its code above 255) */
	const char *typed = a->argv[optind - 1];
	int is_long = strncmp(typed, "--", 2) == 0;
	int len = is_long ? (int)strcspn(typed, "=") : 0;
	if (c == ':') {
		if (is_long)
			var_usage_error(a, "option '%.*s' needs an argument", len, typed);
		var_usage_error(a, "option '-%c' needs an argument", optopt);
	}
	if (is_long && optopt != 0 && typed[len] == '=')
		var_usage_error(a, "option '%.*s' takes no argument", len, typed);
	if (is_long && (optopt == 0 || optopt > 255))
		var_usage_error(a, "unknown option '%.*s'", len, typed);
	var_usage_error(a, "unknown option '-%c'", optopt);
}

int var_args_next(var_args *a)
{
	var_spec *sp = &a->sp;
	int c, idx;
	while ((idx = -1, c = getopt_long(a->argc, a->argv, short_opts, long_opts, &idx)) != -1) {
		if (idx >= 0)
			check_spelling(a, idx, optarg);
		switch (c) {
		case 'a':
			sp->nalpha = cli_double_list("--alpha", optarg, sp->alpha, VAR_MAX_ALPHA);
			for (int i = 0; i < sp->nalpha; i++)
				if (!(sp->alpha[i] > 0 && sp->alpha[i] < 1))
					var_usage_error(a, "option --alpha: %g is not in (0, 1)", sp->alpha[i]);
			break;
		case VAR_OPT_QUANTILE:
			if ((sp->qdef = var_quantile_parse(optarg)) < 0)
				var_usage_error(a, "option --quantile: unknown definition '%s' (kth, linear)", optarg);
			break;
		case 'H': a->history = optarg; break;
		case VAR_OPT_VOL_HISTORY: a->vol_history = optarg; break;
		case 'm': a->markets = optarg; break;
		case VAR_OPT_CALENDARS: a->calendars = optarg; break;
		case 's': a->sens = optarg; break;
		case VAR_OPT_BY: a->by = strcmp(optarg, "none") == 0 ? NULL : optarg; break;
		case VAR_OPT_GAPS:
			if ((a->gaps = rh_gap_parse(optarg)) < 0)
				var_usage_error(a, "option --gaps: unknown policy '%s' (ffill, drop, error)", optarg);
			break;
		case VAR_OPT_ASOF:
			if (date_parse_z(optarg, &a->asof) != 0)
				var_usage_error(a, "option --asof: invalid date '%s' (expected YYYY-MM-DD)", optarg);
			a->have_asof = 1;
			break;
		case VAR_OPT_FX: a->fx.path = optarg; break;
		case VAR_OPT_BASE: a->fx.base = optarg; break;
		case VAR_OPT_WINDOW:
			sp->window = strcmp(optarg, "all") == 0 ? 0 : (size_t)cli_int("--window", optarg, 2, 100000000);
			break;
		case VAR_OPT_HORIZON:
			a->horizon = (int)cli_int("--horizon", optarg, 1, 1000);
			a->have_horizon = 1;
			break;
		case VAR_OPT_SQRT: a->hmode = RH_SQRT; break;
		case VAR_OPT_RETURNS:
			if ((a->returns = rh_returns_parse(optarg)) < 0)
				var_usage_error(a, "option --returns: unknown kind '%s' (contract, constant-maturity)",
						optarg);
			break;
		case VAR_OPT_COV:
			if ((sp->cov_method = cov_method_parse(optarg)) < 0)
				var_usage_error(a, "option --cov: unknown estimator '%s' (sample, ewma, lw)", optarg);
			break;
		case VAR_OPT_LAMBDA: sp->cov_lambda = var_unit_interval(a, "--lambda", optarg); break;
		case VAR_OPT_COV_FILE: sp->cov_file = optarg; break;
		case VAR_OPT_REPAIR: sp->repair = 1; break;
		case VAR_OPT_CUBE: a->cube = optarg; break;
		case VAR_OPT_TIMING: a->timing = 1; break;
		case VAR_OPT_FULL: a->full = 1; break;
		case VAR_OPT_TRADES: a->trades = optarg; break;
		case VAR_OPT_CURVES: a->curves = optarg; break;
		case VAR_OPT_VOLS: a->vols = optarg; break;
		case VAR_OPT_RATES: a->rates = optarg; break;
		case VAR_OPT_FIXINGS: a->fixings = optarg; break;
		case VAR_OPT_FX_HISTORY: a->fx_history = optarg; break;
		case VAR_OPT_VALUATIONS: a->valuations = optarg; break;
		case VAR_OPT_SPREAD_CORR:
			a->spread_corr = cli_double("--spread-corr", optarg);
			a->have_spread_corr = 1;
			if (a->spread_corr < -1 || a->spread_corr > 1)
				var_usage_error(a, "option --spread-corr: outside [-1, 1] '%s'", optarg);
			break;
		case 'o': a->output = optarg; break;
		case 'q': cli_quiet = 1; break;
		case 'h': help(a->cmd);
		case 'V': cli_version();
		case ':':
		case '?': bad_option(a, c);
		default: return c;
		}
	}
	return -1;
}

const char *var_args_input(var_args *a)
{
	if (!a->fx.path != !a->fx.base)
		var_usage_error(a, "--fx FILE and --base CCY go together");
	if (a->argc - optind > 1)
		var_usage_error(a, "too many arguments");
	return optind < a->argc ? a->argv[optind] : "-";
}

void var_args_no_input(var_args *a)
{
	if (!a->fx.path != !a->fx.base)
		var_usage_error(a, "--fx FILE and --base CCY go together");
	if (optind < a->argc)
		var_usage_error(a, "unexpected argument '%s'", a->argv[optind]);
}

double var_unit_interval(const var_args *a, const char *opt, const char *arg)
{
	double v = cli_double(opt, arg);
	if (!(v > 0 && v < 1))
		var_usage_error(a, "option %s: %g is not in (0, 1)", opt, v);
	return v;
}

void var_load(const var_args *a, int need_sens, var_inputs *in)
{
	qe_err e;
	if (!a->history)
		var_usage_error(a, "missing --history FILE");
	if (need_sens && !a->sens)
		var_usage_error(a, "missing --sens FILE");
	if (a->calendars && !a->markets)
		var_usage_error(a, "--calendars DIR needs -m FILE (the calendars of its curves)");
	const char *caldir = a->markets ? cli_calendar_dir(a->calendars, a->markets) : NULL;
	/* the sensitivity mode's FX risk: the FX history's factors and each
	 * trade's value in its currency (--full reads them in full.c) */
	expo_fx fx = a->fx;
	if (!a->full && (a->fx_history || a->valuations)) {
		if (!a->fx_history || !a->valuations)
			var_usage_error(a, "--fx-history and --valuations go together with -s (the FX positions are "
					   "the valuations' npv)");
		if (!a->fx.path)
			var_usage_error(a, "--fx-history needs --fx FILE --base CCY (today's rates, the base currency)");
		if (!a->markets)
			var_usage_error(a, "--fx-history needs -m FILE (the currency of each curve)");
		fx.history = a->fx_history;
		fx.valuations = a->valuations;
	}
	const char *metered[] = {a->history, need_sens ? a->sens : NULL, a->full ? NULL : a->vol_history};
	cli_progress_inputs(metered, 3);
	/* --full moves the vol surfaces itself (var_full_vols) */
	const char *vol = a->full ? NULL : a->vol_history;
	if (var_inputs_load(in, a->history, vol, a->markets, caldir, need_sens ? a->sens : NULL, a->by,
			    &fx, a->have_asof ? &a->asof : NULL, a->gaps, a->horizon, a->hmode, a->returns, &e))
		cli_die_err(&e);
	if (in->have_x && a->have_horizon)
		in->x.theta_days = a->horizon;
	char ds[16];
	date_format(ds, in->asof);
	if (!a->have_asof)
		cli_info("as of %s (last date of %s)", ds, strcmp(a->history, "-") == 0 ? "<stdin>" : a->history);
	if (in->cut)
		cli_info("history: %zu dates after the as-of date %s ignored", in->cut, ds);
	if (in->gaps.filled)
		cli_info("history: %zu missing prices filled forward (first: %s)", in->gaps.filled,
			 in->gaps.first);
	if (in->gaps.dropped)
		cli_info("history: %zu dates dropped for missing prices (first: %s)", in->gaps.dropped,
			 in->gaps.first);
	if (in->have_x && in->x.capped)
		cli_info("%s: %zu rows with a tenor beyond the history's longest of their curve mapped to it",
			 a->sens, in->x.capped);
	if (in->rolls.fallback)
		cli_info("history: %zu returns compare two contracts: no tenor quotes one contract on both days "
			 "(first: %s)", in->rolls.fallback, in->rolls.first);
	if (a->sp.window > in->all.ns)
		cli_info("history: only %zu scenarios for a window of %zu", in->all.ns, a->sp.window);
}
